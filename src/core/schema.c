/* SPDX-License-Identifier: Apache-2.0
 *
 * Schemas: an ordered list of named, typed, nullable columns. A schema is shared by every
 * batch a reader produces, so it is reference-counted; the count is atomic because batches
 * travel between worker threads.
 */
#include "core/core.h"

/* Returns a new, empty schema with one reference, or NULL when out of memory. */
tn_schema *tn_schema_new(void)
{
    tn_schema *schema = tn_calloc(1, sizeof(*schema));
    if (schema == NULL)
        return NULL;
    schema->refcount = 1;
    return schema;
}

/* Takes one more reference and returns schema (NULL passes through). */
tn_schema *tn_schema_ref(tn_schema *schema)
{
    if (schema != NULL)
        __atomic_add_fetch(&schema->refcount, 1, __ATOMIC_RELAXED);
    return schema;
}

/* Drops one reference; the last one frees the columns and the schema. Accepts NULL. */
void tn_schema_unref(tn_schema *schema)
{
    if (schema == NULL)
        return;
    /* acq_rel: writes made by other holders must be visible before we free. */
    if (__atomic_sub_fetch(&schema->refcount, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (uint32_t i = 0; i < schema->column_count; i++)
        tn_free(schema->columns[i].name);
    tn_free(schema->columns);
    tn_free(schema);
}

/* Appends a column; the name is copied. Returns 0, TN_ENOMEM or TN_EINVAL (NULL name). On
 * error the schema is unchanged. */
int tn_schema_add(tn_schema *schema, const char *name, tn_type type, bool nullable)
{
    if (schema == NULL || name == NULL)
        return TN_EINVAL;
    if (schema->column_count == schema->column_cap) {
        uint32_t cap = schema->column_cap ? schema->column_cap * 2 : 8;
        tn_column *columns = tn_realloc(schema->columns, (size_t)cap * sizeof(*columns));
        if (columns == NULL)
            return TN_ENOMEM;
        schema->columns = columns;
        schema->column_cap = cap;
    }
    char *copy = tn_strdup(name);
    if (copy == NULL)
        return TN_ENOMEM;
    tn_column *col = &schema->columns[schema->column_count++];
    col->name = copy;
    col->type = type;
    col->nullable = nullable;
    col->field_id = 0;
    return 0;
}

/* Returns a deep copy with its own refcount of 1 (field ids kept), or NULL when out of
 * memory. */
tn_schema *tn_schema_copy(const tn_schema *schema)
{
    tn_schema *copy = tn_schema_new();
    if (copy == NULL)
        return NULL;
    for (uint32_t i = 0; i < schema->column_count; i++) {
        const tn_column *col = &schema->columns[i];
        if (tn_schema_add(copy, col->name, col->type, col->nullable) != 0) {
            tn_schema_unref(copy);
            return NULL;
        }
        copy->columns[i].field_id = col->field_id;
    }
    return copy;
}

/* Index of the first column named exactly `name` (case-sensitive), or -1. */
int tn_schema_find(const tn_schema *schema, const char *name)
{
    if (schema == NULL || name == NULL)
        return -1;
    for (uint32_t i = 0; i < schema->column_count; i++)
        if (strcmp(schema->columns[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* True when both have the same columns in the same order: names, types and nullability.
 * Field ids are not compared: they are storage bookkeeping, not shape. */
bool tn_schema_eq(const tn_schema *a, const tn_schema *b)
{
    if (a == b)
        return true;
    if (a == NULL || b == NULL || a->column_count != b->column_count)
        return false;
    for (uint32_t i = 0; i < a->column_count; i++) {
        const tn_column *x = &a->columns[i], *y = &b->columns[i];
        if (strcmp(x->name, y->name) != 0 || !tn_type_eq(x->type, y->type) ||
            x->nullable != y->nullable)
            return false;
    }
    return true;
}
