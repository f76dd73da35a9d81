/* SPDX-License-Identifier: Apache-2.0
 *
 * Export of a batch through the Arrow C Data Interface: a struct array ("+s") with one child
 * per column. The vectors' buffers already have Arrow's layout, so they are handed over, not
 * copied; the release callbacks free them.
 *
 * Every child is independently releasable, as the specification requires (a consumer may move
 * a child out and release it later): each child owns its name, format and buffers, and the
 * parent's release only releases the children that are still there.
 */
#include "core/core.h"
#include "tarn/arrow_abi.h"

#include <stdio.h>

/* ---- schema ---------------------------------------------------------------------------- */

/* What a child schema owns. */
typedef struct schema_child_private {
    char format[16]; /* "d:38,10" at most */
    char *name;
} schema_child_private;

/* What the top-level schema owns: the child structs and the pointers to them. */
typedef struct schema_parent_private {
    struct ArrowSchema *child_structs;
    struct ArrowSchema **child_ptrs;
} schema_parent_private;

static void release_child_schema(struct ArrowSchema *schema)
{
    schema_child_private *priv = schema->private_data;
    if (priv != NULL) {
        tn_free(priv->name);
        tn_free(priv);
    }
    schema->private_data = NULL;
    schema->release = NULL;
}

static void release_parent_schema(struct ArrowSchema *schema)
{
    schema_parent_private *priv = schema->private_data;
    for (int64_t i = 0; i < schema->n_children; i++) {
        struct ArrowSchema *child = schema->children[i];
        if (child->release != NULL)
            child->release(child);
    }
    if (priv != NULL) {
        tn_free(priv->child_structs);
        tn_free(priv->child_ptrs);
        tn_free(priv);
    }
    schema->private_data = NULL;
    schema->release = NULL;
}

/* The Arrow format string of a tarn type. */
static void arrow_format(tn_type type, char *out, size_t size)
{
    const char *f = "n"; /* null type: never reached for valid schemas */
    switch ((tn_type_id)type.id) {
    case TN_TYPE_BOOLEAN: f = "b"; break;
    case TN_TYPE_INTEGER: f = "i"; break;
    case TN_TYPE_BIGINT: f = "l"; break;
    case TN_TYPE_REAL: f = "f"; break;
    case TN_TYPE_DOUBLE: f = "g"; break;
    case TN_TYPE_DECIMAL:
        snprintf(out, size, "d:%u,%u", type.precision, type.scale);
        return;
    case TN_TYPE_DATE: f = "tdD"; break;
    case TN_TYPE_TIMESTAMP: f = "tsu:"; break;
    case TN_TYPE_TIMESTAMPTZ: f = "tsu:UTC"; break;
    case TN_TYPE_VARCHAR: f = "u"; break;
    case TN_TYPE_BLOB: f = "z"; break;
    default: break;
    }
    snprintf(out, size, "%s", f);
}

/* Builds the schema side. Returns 0 or TN_ENOMEM (everything allocated is freed then). */
static int export_schema(const tn_schema *schema, struct ArrowSchema *out)
{
    uint32_t n = schema->column_count;
    schema_parent_private *priv = tn_calloc(1, sizeof(*priv));
    if (priv == NULL)
        return TN_ENOMEM;
    priv->child_structs = tn_calloc(n ? n : 1, sizeof(struct ArrowSchema));
    priv->child_ptrs = tn_calloc(n ? n : 1, sizeof(struct ArrowSchema *));
    if (priv->child_structs == NULL || priv->child_ptrs == NULL)
        goto fail;
    for (uint32_t i = 0; i < n; i++) {
        const tn_column *col = &schema->columns[i];
        struct ArrowSchema *child = &priv->child_structs[i];
        schema_child_private *cp = tn_calloc(1, sizeof(*cp));
        if (cp == NULL)
            goto fail;
        cp->name = tn_strdup(col->name);
        if (cp->name == NULL) {
            tn_free(cp);
            goto fail;
        }
        arrow_format(col->type, cp->format, sizeof(cp->format));
        child->format = cp->format;
        child->name = cp->name;
        child->metadata = NULL;
        child->flags = col->nullable ? ARROW_FLAG_NULLABLE : 0;
        child->n_children = 0;
        child->children = NULL;
        child->dictionary = NULL;
        child->release = release_child_schema;
        child->private_data = cp;
        priv->child_ptrs[i] = child;
    }
    out->format = "+s";
    out->name = "";
    out->metadata = NULL;
    out->flags = 0;
    out->n_children = n;
    out->children = priv->child_ptrs;
    out->dictionary = NULL;
    out->release = release_parent_schema;
    out->private_data = priv;
    return 0;
fail:
    if (priv->child_structs != NULL)
        for (uint32_t i = 0; i < n; i++)
            if (priv->child_structs[i].release != NULL)
                priv->child_structs[i].release(&priv->child_structs[i]);
    tn_free(priv->child_structs);
    tn_free(priv->child_ptrs);
    tn_free(priv);
    return TN_ENOMEM;
}

/* ---- array ----------------------------------------------------------------------------- */

/* What a child array owns: the vector moved out of the batch and the buffer pointer list. */
typedef struct array_child_private {
    tn_vector vector;
    const void *buffers[3];
    tn_i128 *decimal128; /* a 64-bit DECIMAL's values widened (Arrow has decimal128 only) */
} array_child_private;

typedef struct array_parent_private {
    struct ArrowArray *child_structs;
    struct ArrowArray **child_ptrs;
    const void *buffers[1]; /* the struct's validity: none, every row is valid */
} array_parent_private;

static void release_child_array(struct ArrowArray *array)
{
    array_child_private *priv = array->private_data;
    if (priv != NULL) {
        tn_vector_destroy(&priv->vector);
        tn_free(priv->decimal128);
        tn_free(priv);
    }
    array->private_data = NULL;
    array->release = NULL;
}

static void release_parent_array(struct ArrowArray *array)
{
    array_parent_private *priv = array->private_data;
    for (int64_t i = 0; i < array->n_children; i++) {
        struct ArrowArray *child = array->children[i];
        if (child->release != NULL)
            child->release(child);
    }
    if (priv != NULL) {
        tn_free(priv->child_structs);
        tn_free(priv->child_ptrs);
        tn_free(priv);
    }
    array->private_data = NULL;
    array->release = NULL;
}

/* Exports batch as a struct array plus its schema; see core.h for ownership. All allocation
 * happens before anything is taken from the batch, so a failure leaves it intact. */
int tn_batch_export_arrow(tn_batch *batch, struct ArrowSchema *out_schema,
                          struct ArrowArray *out_array, tn_error *err)
{
    uint32_t n = batch->schema->column_count;
    struct ArrowSchema schema_tmp;
    array_parent_private *priv = NULL;
    array_child_private **cps = NULL;

    int rc = export_schema(batch->schema, &schema_tmp);
    if (rc != 0)
        return tn_error_set(err, rc, "out of memory exporting a batch to Arrow");

    priv = tn_calloc(1, sizeof(*priv));
    cps = tn_calloc(n ? n : 1, sizeof(*cps));
    if (priv == NULL || cps == NULL)
        goto nomem;
    priv->child_structs = tn_calloc(n ? n : 1, sizeof(struct ArrowArray));
    priv->child_ptrs = tn_calloc(n ? n : 1, sizeof(struct ArrowArray *));
    if (priv->child_structs == NULL || priv->child_ptrs == NULL)
        goto nomem;
    for (uint32_t i = 0; i < n; i++) {
        cps[i] = tn_calloc(1, sizeof(array_child_private));
        if (cps[i] == NULL)
            goto nomem;
        /* Some consumers reject a NULL data buffer even when it is empty: give one. */
        tn_vector *v = &batch->columns[i];
        if (tn_type_is_varlen(v->type) && v->data == NULL) {
            v->data = tn_malloc(1);
            if (v->data == NULL)
                goto nomem;
            v->data_cap = 1;
        }
        if (v->type.id == TN_TYPE_DECIMAL && tn_decimal_is_64(v->type)) {
            cps[i]->decimal128 = tn_malloc(((size_t)batch->row_count + 1) * sizeof(tn_i128));
            if (cps[i]->decimal128 == NULL)
                goto nomem;
        }
    }

    /* Nothing can fail from here on: move the vectors out of the batch. */
    for (uint32_t i = 0; i < n; i++) {
        array_child_private *cp = cps[i];
        struct ArrowArray *child = &priv->child_structs[i];
        cp->vector = batch->columns[i];
        memset(&batch->columns[i], 0, sizeof(tn_vector));
        tn_vector *v = &cp->vector;
        cp->buffers[0] = v->null_count > 0 ? v->validity : NULL;
        if (tn_type_is_varlen(v->type)) {
            cp->buffers[1] = v->offsets;
            cp->buffers[2] = v->data;
            child->n_buffers = 3;
        } else if (cp->decimal128 != NULL) {
            for (uint32_t r = 0; r < batch->row_count; r++)
                cp->decimal128[r] = tn_vector_i64(v)[r];
            cp->buffers[1] = cp->decimal128;
            child->n_buffers = 2;
        } else {
            cp->buffers[1] = v->values;
            child->n_buffers = 2;
        }
        child->length = batch->row_count;
        child->null_count = v->null_count;
        child->offset = 0;
        child->n_children = 0;
        child->buffers = cp->buffers;
        child->children = NULL;
        child->dictionary = NULL;
        child->release = release_child_array;
        child->private_data = cp;
        priv->child_ptrs[i] = child;
    }
    priv->buffers[0] = NULL;
    out_array->length = batch->row_count;
    out_array->null_count = 0;
    out_array->offset = 0;
    out_array->n_buffers = 1;
    out_array->n_children = n;
    out_array->buffers = priv->buffers;
    out_array->children = priv->child_ptrs;
    out_array->dictionary = NULL;
    out_array->release = release_parent_array;
    out_array->private_data = priv;
    *out_schema = schema_tmp;
    tn_free(cps);
    tn_batch_free(batch); /* its vectors are zeroed now; this frees the shell only */
    return 0;

nomem:
    if (cps != NULL)
        for (uint32_t i = 0; i < n; i++) {
            if (cps[i] != NULL)
                tn_free(cps[i]->decimal128);
            tn_free(cps[i]);
        }
    tn_free(cps);
    if (priv != NULL) {
        tn_free(priv->child_structs);
        tn_free(priv->child_ptrs);
        tn_free(priv);
    }
    schema_tmp.release(&schema_tmp);
    return tn_error_set(err, TN_ENOMEM, "out of memory exporting a batch to Arrow");
}
