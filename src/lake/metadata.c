/* SPDX-License-Identifier: Apache-2.0
 *
 * Table metadata JSON <-> the tn_iceberg_metadata model, with jansson. Parsing accepts format
 * versions 1 to 3 (v1's deprecated `schema` / `partition-spec`, Java's -1 for "no current
 * snapshot") and rejects what the spec requires to be present; serialisation always writes
 * format-version 2 with every required field. Also the model's lookups and the arena helpers
 * the table operations use to build new metadata.
 */
#include "lake/lake_int.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_TYPE_DEPTH 64

/* ------------------------------------------------------------------------------------------
 * jansson allocation through tn_malloc (so allocation-failure tests cover it)
 * ---------------------------------------------------------------------------------------- */

static pthread_once_t json_once = PTHREAD_ONCE_INIT;
static void *json_malloc(size_t n) { return tn_malloc(n); }
static void json_free(void *p) { tn_free(p); }
static void json_init(void) { json_set_alloc_funcs(json_malloc, json_free); }

/* ------------------------------------------------------------------------------------------
 * Arena helpers
 * ---------------------------------------------------------------------------------------- */

/* Grows an arena array by one zeroed element (the old array is left in the arena). */
void *tn_iceberg_grow(tn_iceberg_metadata *md, void *array, uint32_t count, size_t elem_size)
{
    char *p = tn_arena_calloc(&md->arena, (count + 1) * elem_size);
    if (!p) return NULL;
    if (count) memcpy(p, array, count * elem_size);
    return p;
}

/* Copies a string into the metadata's arena (NULL stays NULL). */
char *tn_iceberg_strdup(tn_iceberg_metadata *md, const char *s)
{
    return s ? tn_arena_strdup(&md->arena, s) : NULL;
}

/* Sets or replaces a property. */
int tn_iceberg_set_property(tn_iceberg_metadata *md, const char *key, const char *value)
{
    for (uint32_t i = 0; i < md->property_count; i++)
        if (strcmp(md->properties[i].key, key) == 0) {
            md->properties[i].value = tn_iceberg_strdup(md, value);
            return md->properties[i].value ? 0 : TN_ENOMEM;
        }
    tn_iceberg_kv *kv = tn_iceberg_grow(md, md->properties, md->property_count, sizeof *kv);
    if (!kv) return TN_ENOMEM;
    kv[md->property_count].key = tn_iceberg_strdup(md, key);
    kv[md->property_count].value = tn_iceberg_strdup(md, value);
    if (!kv[md->property_count].key || !kv[md->property_count].value) return TN_ENOMEM;
    md->properties = kv;
    md->property_count++;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Lookups
 * ---------------------------------------------------------------------------------------- */

/* The schema with this id; NULL when absent. */
const tn_iceberg_schema *tn_iceberg_metadata_schema(const tn_iceberg_metadata *md, int32_t schema_id)
{
    for (uint32_t i = 0; i < md->schema_count; i++)
        if (md->schemas[i].schema_id == schema_id) return &md->schemas[i];
    return NULL;
}

/* The current schema (always present in parsed metadata). */
const tn_iceberg_schema *tn_iceberg_metadata_current_schema(const tn_iceberg_metadata *md)
{
    return tn_iceberg_metadata_schema(md, md->current_schema_id);
}

/* The partition spec with this id; NULL when absent. */
const tn_iceberg_partition_spec *tn_iceberg_metadata_spec(const tn_iceberg_metadata *md, int32_t spec_id)
{
    for (uint32_t i = 0; i < md->spec_count; i++)
        if (md->specs[i].spec_id == spec_id) return &md->specs[i];
    return NULL;
}

/* The snapshot with this id; NULL when absent. */
const tn_iceberg_snapshot *tn_iceberg_metadata_snapshot(const tn_iceberg_metadata *md, int64_t snapshot_id)
{
    for (uint32_t i = 0; i < md->snapshot_count; i++)
        if (md->snapshots[i].snapshot_id == snapshot_id) return &md->snapshots[i];
    return NULL;
}

/* The main branch's snapshot; NULL for an empty table. */
const tn_iceberg_snapshot *tn_iceberg_metadata_current_snapshot(const tn_iceberg_metadata *md)
{
    for (uint32_t i = 0; i < md->ref_count; i++)
        if (strcmp(md->refs[i].name, "main") == 0)
            return tn_iceberg_metadata_snapshot(md, md->refs[i].snapshot_id);
    if (!md->has_current_snapshot) return NULL;
    return tn_iceberg_metadata_snapshot(md, md->current_snapshot_id);
}

/* The snapshot current at a time (snapshot log first, then snapshot timestamps). */
const tn_iceberg_snapshot *tn_iceberg_metadata_snapshot_at(const tn_iceberg_metadata *md, int64_t timestamp_ms)
{
    const tn_iceberg_snapshot *best = NULL;
    int64_t best_ts = INT64_MIN;
    for (uint32_t i = 0; i < md->snapshot_log_count; i++) {
        const tn_iceberg_snapshot_log_entry *e = &md->snapshot_log[i];
        if (e->timestamp_ms <= timestamp_ms && e->timestamp_ms >= best_ts) {
            const tn_iceberg_snapshot *s = tn_iceberg_metadata_snapshot(md, e->snapshot_id);
            if (s) {
                best = s;
                best_ts = e->timestamp_ms;
            }
        }
    }
    if (best) return best;
    for (uint32_t i = 0; i < md->snapshot_count; i++) {
        const tn_iceberg_snapshot *s = &md->snapshots[i];
        if (s->timestamp_ms <= timestamp_ms && s->timestamp_ms >= best_ts) {
            best = s;
            best_ts = s->timestamp_ms;
        }
    }
    return best;
}

/* A property value; NULL when absent. */
const char *tn_iceberg_metadata_property(const tn_iceberg_metadata *md, const char *key)
{
    for (uint32_t i = 0; i < md->property_count; i++)
        if (strcmp(md->properties[i].key, key) == 0) return md->properties[i].value;
    return NULL;
}

/* A snapshot summary value; NULL when absent. */
const char *tn_iceberg_snapshot_summary(const tn_iceberg_snapshot *snap, const char *key)
{
    for (uint32_t i = 0; i < snap->summary_count; i++)
        if (strcmp(snap->summary[i].key, key) == 0) return snap->summary[i].value;
    return NULL;
}

static const tn_iceberg_field *find_field(const tn_iceberg_field *fields, uint32_t count,
                                          int32_t id, int depth)
{
    if (depth > MAX_TYPE_DEPTH) return NULL;
    for (uint32_t i = 0; i < count; i++) {
        if (fields[i].id == id) return &fields[i];
        const tn_iceberg_field *f = find_field(fields[i].type.children,
                                               fields[i].type.child_count, id, depth + 1);
        if (f) return f;
    }
    return NULL;
}

/* The field with this id anywhere in the schema. */
const tn_iceberg_field *tn_iceberg_schema_field(const tn_iceberg_schema *schema, int32_t field_id)
{
    return find_field(schema->fields, schema->field_count, field_id, 0);
}

/* A top-level field by name: exact, then case-insensitive when that is unique. */
const tn_iceberg_field *tn_iceberg_schema_field_by_name(const tn_iceberg_schema *schema, const char *name)
{
    const tn_iceberg_field *found = NULL;
    int matches = 0;
    for (uint32_t i = 0; i < schema->field_count; i++) {
        if (strcmp(schema->fields[i].name, name) == 0) return &schema->fields[i];
        if (tn_str_eq_nocase(tn_str_c(schema->fields[i].name), tn_str_c(name))) {
            found = &schema->fields[i];
            matches++;
        }
    }
    return matches == 1 ? found : NULL;
}

/* ------------------------------------------------------------------------------------------
 * Types
 * ---------------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    uint8_t kind;
} primitive_names[] = {
    {"boolean", TN_ICEBERG_BOOLEAN},     {"int", TN_ICEBERG_INT},
    {"long", TN_ICEBERG_LONG},           {"float", TN_ICEBERG_FLOAT},
    {"double", TN_ICEBERG_DOUBLE},       {"date", TN_ICEBERG_DATE},
    {"time", TN_ICEBERG_TIME},           {"timestamp", TN_ICEBERG_TIMESTAMP},
    {"timestamptz", TN_ICEBERG_TIMESTAMPTZ}, {"timestamp_ns", TN_ICEBERG_TIMESTAMP_NS},
    {"timestamptz_ns", TN_ICEBERG_TIMESTAMPTZ_NS}, {"string", TN_ICEBERG_STRING},
    {"uuid", TN_ICEBERG_UUID},           {"binary", TN_ICEBERG_BINARY},
    {"variant", TN_ICEBERG_VARIANT},     {"unknown", TN_ICEBERG_UNKNOWN_TYPE},
};

/* Type text as the spec writes it. */
const char *tn_iceberg_type_format(const tn_iceberg_type *type, char *out, size_t out_size)
{
    switch (type->kind) {
    case TN_ICEBERG_DECIMAL: snprintf(out, out_size, "decimal(%d,%d)", type->precision, type->scale); return out;
    case TN_ICEBERG_FIXED: snprintf(out, out_size, "fixed[%d]", (int)type->length); return out;
    case TN_ICEBERG_STRUCT: snprintf(out, out_size, "struct"); return out;
    case TN_ICEBERG_LIST: snprintf(out, out_size, "list"); return out;
    case TN_ICEBERG_MAP: snprintf(out, out_size, "map"); return out;
    default: break;
    }
    for (size_t i = 0; i < sizeof primitive_names / sizeof primitive_names[0]; i++)
        if (primitive_names[i].kind == type->kind) {
            snprintf(out, out_size, "%s", primitive_names[i].name);
            return out;
        }
    snprintf(out, out_size, "unknown");
    return out;
}

/* tarn's type for an Iceberg primitive. */
bool tn_iceberg_type_to_tn(const tn_iceberg_type *type, tn_type *out)
{
    switch (type->kind) {
    case TN_ICEBERG_BOOLEAN: *out = tn_type_make(TN_TYPE_BOOLEAN); return true;
    case TN_ICEBERG_INT: *out = tn_type_make(TN_TYPE_INTEGER); return true;
    case TN_ICEBERG_LONG: *out = tn_type_make(TN_TYPE_BIGINT); return true;
    /* The Parquet reader yields TIME and UUID as text ("HH:MM:SS[.ffffff]", canonical UUID). */
    case TN_ICEBERG_TIME:
    case TN_ICEBERG_UUID: *out = tn_type_make(TN_TYPE_VARCHAR); return true;
    case TN_ICEBERG_FLOAT: *out = tn_type_make(TN_TYPE_REAL); return true;
    case TN_ICEBERG_DOUBLE: *out = tn_type_make(TN_TYPE_DOUBLE); return true;
    case TN_ICEBERG_DECIMAL: *out = tn_type_decimal(type->precision, type->scale); return true;
    case TN_ICEBERG_DATE: *out = tn_type_make(TN_TYPE_DATE); return true;
    case TN_ICEBERG_TIMESTAMP:
    case TN_ICEBERG_TIMESTAMP_NS: *out = tn_type_make(TN_TYPE_TIMESTAMP); return true;
    case TN_ICEBERG_TIMESTAMPTZ:
    case TN_ICEBERG_TIMESTAMPTZ_NS: *out = tn_type_make(TN_TYPE_TIMESTAMPTZ); return true;
    case TN_ICEBERG_STRING: *out = tn_type_make(TN_TYPE_VARCHAR); return true;
    case TN_ICEBERG_FIXED:
    case TN_ICEBERG_BINARY: *out = tn_type_make(TN_TYPE_BLOB); return true;
    default: return false;
    }
}

/* The Iceberg type for a tarn type. */
tn_iceberg_type tn_iceberg_type_from_tn(tn_type type)
{
    tn_iceberg_type t = {0};
    switch (type.id) {
    case TN_TYPE_BOOLEAN: t.kind = TN_ICEBERG_BOOLEAN; break;
    case TN_TYPE_INTEGER: t.kind = TN_ICEBERG_INT; break;
    case TN_TYPE_BIGINT: t.kind = TN_ICEBERG_LONG; break;
    case TN_TYPE_REAL: t.kind = TN_ICEBERG_FLOAT; break;
    case TN_TYPE_DOUBLE: t.kind = TN_ICEBERG_DOUBLE; break;
    case TN_TYPE_DECIMAL:
        t.kind = TN_ICEBERG_DECIMAL;
        t.precision = type.precision;
        t.scale = type.scale;
        break;
    case TN_TYPE_DATE: t.kind = TN_ICEBERG_DATE; break;
    case TN_TYPE_TIMESTAMP: t.kind = TN_ICEBERG_TIMESTAMP; break;
    case TN_TYPE_TIMESTAMPTZ: t.kind = TN_ICEBERG_TIMESTAMPTZ; break;
    case TN_TYPE_BLOB: t.kind = TN_ICEBERG_BINARY; break;
    default: t.kind = TN_ICEBERG_STRING; break;
    }
    return t;
}

/* ------------------------------------------------------------------------------------------
 * Parsing
 * ---------------------------------------------------------------------------------------- */

typedef struct parser {
    tn_iceberg_metadata *md;
    const char *file;
    tn_error *err;
} parser;

static int perr(parser *p, int code, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int perr(parser *p, int code, const char *key, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tn_error_set_at(p->err, code, p->file, 0, 0, "table metadata: %s", msg);
    if (key) tn_error_set_key(p->err, key);
    return code;
}

static int oom(parser *p) { return tn_error_set(p->err, TN_ENOMEM, "out of memory"); }

static char *dup_str(parser *p, json_t *v)
{
    return tn_arena_strndup(&p->md->arena, json_string_value(v), json_string_length(v));
}

/* Required integer member; TN_EFORMAT naming the key when missing or not an integer. */
static int get_int(parser *p, json_t *obj, const char *key, bool required, int64_t *out, bool *present)
{
    json_t *v = json_object_get(obj, key);
    if (present) *present = false;
    if (!v || json_is_null(v)) {
        if (required) return perr(p, TN_EFORMAT, key, "required field '%s' is missing", key);
        return 0;
    }
    if (!json_is_integer(v)) return perr(p, TN_EFORMAT, key, "field '%s' must be an integer", key);
    *out = (int64_t)json_integer_value(v);
    if (present) *present = true;
    return 0;
}

static int get_i32(parser *p, json_t *obj, const char *key, bool required, int32_t *out, bool *present)
{
    int64_t v = 0;
    bool has = false;
    int rc = get_int(p, obj, key, required, &v, &has);
    if (rc < 0) return rc;
    if (has && (v < INT32_MIN || v > INT32_MAX))
        return perr(p, TN_EFORMAT, key, "field '%s' is out of range", key);
    if (has) *out = (int32_t)v;
    if (present) *present = has;
    return 0;
}

static int get_str(parser *p, json_t *obj, const char *key, bool required, char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required) return perr(p, TN_EFORMAT, key, "required field '%s' is missing", key);
        return 0;
    }
    if (!json_is_string(v)) return perr(p, TN_EFORMAT, key, "field '%s' must be a string", key);
    *out = dup_str(p, v);
    return *out ? 0 : oom(p);
}

static int parse_type(parser *p, json_t *v, tn_iceberg_type *out, int depth);

static int parse_field(parser *p, json_t *obj, tn_iceberg_field *f, int depth)
{
    if (!json_is_object(obj)) return perr(p, TN_EFORMAT, "fields", "a schema field must be an object");
    int rc = get_i32(p, obj, "id", true, &f->id, NULL);
    if (rc == 0) rc = get_str(p, obj, "name", true, &f->name);
    if (rc < 0) return rc;
    json_t *req = json_object_get(obj, "required");
    f->required = req && json_is_true(req);
    json_t *type = json_object_get(obj, "type");
    if (!type) return perr(p, TN_EFORMAT, f->name, "field '%s' has no type", f->name);
    rc = parse_type(p, type, &f->type, depth + 1);
    if (rc < 0) return rc;
    rc = get_str(p, obj, "doc", false, &f->doc);
    if (rc < 0) return rc;
    const char *defaults[2] = {"initial-default", "write-default"};
    char **slots[2] = {&f->initial_default, &f->write_default};
    for (int i = 0; i < 2; i++) {
        json_t *d = json_object_get(obj, defaults[i]);
        if (!d) continue;
        char *text = json_dumps(d, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!text) return oom(p);
        *slots[i] = tn_arena_strdup(&p->md->arena, text);
        tn_free(text);
        if (!*slots[i]) return oom(p);
    }
    return 0;
}

static int parse_fields(parser *p, json_t *arr, tn_iceberg_field **out, uint32_t *count, int depth)
{
    if (!json_is_array(arr)) return perr(p, TN_EFORMAT, "fields", "'fields' must be a list");
    size_t n = json_array_size(arr);
    *count = 0;
    *out = NULL;
    if (n == 0) return 0;
    *out = tn_arena_calloc(&p->md->arena, n * sizeof **out);
    if (!*out) return oom(p);
    for (size_t i = 0; i < n; i++) {
        int rc = parse_field(p, json_array_get(arr, i), &(*out)[i], depth);
        if (rc < 0) return rc;
    }
    *count = (uint32_t)n;
    return 0;
}

static int parse_type(parser *p, json_t *v, tn_iceberg_type *out, int depth)
{
    memset(out, 0, sizeof *out);
    if (depth > MAX_TYPE_DEPTH) return perr(p, TN_EFORMAT, "type", "types are nested too deeply");
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        for (size_t i = 0; i < sizeof primitive_names / sizeof primitive_names[0]; i++)
            if (strcmp(s, primitive_names[i].name) == 0) {
                out->kind = primitive_names[i].kind;
                return 0;
            }
        int a = 0, b = 0;
        char tail = 0;
        if (sscanf(s, "decimal ( %d , %d %c", &a, &b, &tail) == 3 && tail == ')') {
            if (a < 1 || a > 38 || b < 0 || b > a)
                return perr(p, TN_EFORMAT, "type", "invalid decimal type '%s'", s);
            out->kind = TN_ICEBERG_DECIMAL;
            out->precision = (uint8_t)a;
            out->scale = (uint8_t)b;
            return 0;
        }
        if (sscanf(s, "fixed [ %d %c", &a, &tail) == 2 && tail == ']') {
            if (a < 1) return perr(p, TN_EFORMAT, "type", "invalid fixed type '%s'", s);
            out->kind = TN_ICEBERG_FIXED;
            out->length = a;
            return 0;
        }
        /* geometry(...), geography(...) and future types: kept as unknown, not readable. */
        out->kind = TN_ICEBERG_UNKNOWN_TYPE;
        return 0;
    }
    if (!json_is_object(v)) return perr(p, TN_EFORMAT, "type", "a type must be a string or an object");
    const char *kind = json_string_value(json_object_get(v, "type"));
    if (!kind) return perr(p, TN_EFORMAT, "type", "a nested type needs a 'type'");
    tn_arena *a = &p->md->arena;
    if (strcmp(kind, "struct") == 0) {
        out->kind = TN_ICEBERG_STRUCT;
        return parse_fields(p, json_object_get(v, "fields"), &out->children, &out->child_count, depth);
    }
    if (strcmp(kind, "list") == 0) {
        out->kind = TN_ICEBERG_LIST;
        out->children = tn_arena_calloc(a, sizeof *out->children);
        if (!out->children) return oom(p);
        out->child_count = 1;
        tn_iceberg_field *e = out->children;
        int rc = get_i32(p, v, "element-id", true, &e->id, NULL);
        if (rc < 0) return rc;
        e->name = tn_arena_strdup(a, "element");
        e->required = json_is_true(json_object_get(v, "element-required"));
        json_t *et = json_object_get(v, "element");
        if (!et) return perr(p, TN_EFORMAT, "element", "a list type needs an 'element'");
        return e->name ? parse_type(p, et, &e->type, depth + 1) : oom(p);
    }
    if (strcmp(kind, "map") == 0) {
        out->kind = TN_ICEBERG_MAP;
        out->children = tn_arena_calloc(a, 2 * sizeof *out->children);
        if (!out->children) return oom(p);
        out->child_count = 2;
        tn_iceberg_field *k = &out->children[0], *val = &out->children[1];
        int rc = get_i32(p, v, "key-id", true, &k->id, NULL);
        if (rc == 0) rc = get_i32(p, v, "value-id", true, &val->id, NULL);
        if (rc < 0) return rc;
        k->name = tn_arena_strdup(a, "key");
        val->name = tn_arena_strdup(a, "value");
        if (!k->name || !val->name) return oom(p);
        k->required = true;
        val->required = json_is_true(json_object_get(v, "value-required"));
        json_t *kt = json_object_get(v, "key"), *vt = json_object_get(v, "value");
        if (!kt || !vt) return perr(p, TN_EFORMAT, "map", "a map type needs 'key' and 'value'");
        rc = parse_type(p, kt, &k->type, depth + 1);
        return rc < 0 ? rc : parse_type(p, vt, &val->type, depth + 1);
    }
    return perr(p, TN_EFORMAT, "type", "unknown nested type '%s'", kind);
}

static int parse_schema(parser *p, json_t *obj, tn_iceberg_schema *s, bool need_id)
{
    if (!json_is_object(obj)) return perr(p, TN_EFORMAT, "schemas", "a schema must be an object");
    bool has_id = false;
    int rc = get_i32(p, obj, "schema-id", need_id, &s->schema_id, &has_id);
    if (rc < 0) return rc;
    if (!has_id) s->schema_id = 0;
    json_t *fields = json_object_get(obj, "fields");
    if (!fields) return perr(p, TN_EFORMAT, "fields", "a schema needs 'fields'");
    rc = parse_fields(p, fields, &s->fields, &s->field_count, 0);
    if (rc < 0) return rc;
    json_t *ids = json_object_get(obj, "identifier-field-ids");
    if (json_is_array(ids) && json_array_size(ids) > 0) {
        size_t n = json_array_size(ids);
        s->identifier_field_ids = tn_arena_calloc(&p->md->arena, n * sizeof(int32_t));
        if (!s->identifier_field_ids) return oom(p);
        for (size_t i = 0; i < n; i++) s->identifier_field_ids[i] = (int32_t)json_integer_value(json_array_get(ids, i));
        s->identifier_count = (uint32_t)n;
    }
    return 0;
}

static int parse_spec_fields(parser *p, json_t *arr, tn_iceberg_partition_spec *spec,
                             bool need_field_id)
{
    if (!json_is_array(arr)) return perr(p, TN_EFORMAT, "fields", "partition spec 'fields' must be a list");
    size_t n = json_array_size(arr);
    spec->field_count = (uint32_t)n;
    if (n == 0) return 0;
    spec->fields = tn_arena_calloc(&p->md->arena, n * sizeof *spec->fields);
    if (!spec->fields) return oom(p);
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_array_get(arr, i);
        tn_iceberg_partition_field *pf = &spec->fields[i];
        if (!json_is_object(f)) return perr(p, TN_EFORMAT, "partition-specs", "a partition field must be an object");
        bool has_src = false, has_id = false;
        int rc = get_i32(p, f, "source-id", false, &pf->source_id, &has_src);
        if (rc < 0) return rc;
        if (!has_src) {
            json_t *ids = json_object_get(f, "source-ids");
            if (json_is_array(ids) && json_array_size(ids) > 0)
                pf->source_id = (int32_t)json_integer_value(json_array_get(ids, 0));
            else
                return perr(p, TN_EFORMAT, "source-id", "a partition field needs 'source-id'");
        }
        rc = get_i32(p, f, "field-id", need_field_id, &pf->field_id, &has_id);
        if (rc == 0 && !has_id) pf->field_id = 1000 + (int32_t)i;
        if (rc == 0) rc = get_str(p, f, "name", true, &pf->name);
        if (rc == 0) rc = get_str(p, f, "transform", true, &pf->transform_text);
        if (rc < 0) return rc;
        pf->transform = tn_transform_parse(pf->transform_text);
    }
    return 0;
}

static int parse_kv(parser *p, json_t *obj, const char *what, tn_iceberg_kv **out, uint32_t *count)
{
    *out = NULL;
    *count = 0;
    if (!obj || json_is_null(obj)) return 0;
    if (!json_is_object(obj)) return perr(p, TN_EFORMAT, what, "'%s' must be an object", what);
    size_t n = json_object_size(obj);
    if (n == 0) return 0;
    *out = tn_arena_calloc(&p->md->arena, n * sizeof **out);
    if (!*out) return oom(p);
    const char *key;
    json_t *v;
    size_t i = 0;
    /* "operation" first so summaries read naturally. */
    json_t *op = json_object_get(obj, "operation");
    if (op && json_is_string(op)) {
        (*out)[i].key = tn_arena_strdup(&p->md->arena, "operation");
        (*out)[i].value = dup_str(p, op);
        if (!(*out)[i].key || !(*out)[i].value) return oom(p);
        i++;
    }
    json_object_foreach(obj, key, v) {
        if (op && strcmp(key, "operation") == 0) continue;
        (*out)[i].key = tn_arena_strdup(&p->md->arena, key);
        if (json_is_string(v))
            (*out)[i].value = dup_str(p, v);
        else {
            char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            if (!text) return oom(p);
            (*out)[i].value = tn_arena_strdup(&p->md->arena, text);
            tn_free(text);
        }
        if (!(*out)[i].key || !(*out)[i].value) return oom(p);
        i++;
    }
    *count = (uint32_t)i;
    return 0;
}

static int parse_snapshot(parser *p, json_t *obj, tn_iceberg_snapshot *s)
{
    if (!json_is_object(obj)) return perr(p, TN_EFORMAT, "snapshots", "a snapshot must be an object");
    int rc = get_int(p, obj, "snapshot-id", true, &s->snapshot_id, NULL);
    if (rc == 0) rc = get_int(p, obj, "parent-snapshot-id", false, &s->parent_snapshot_id, &s->has_parent);
    if (rc == 0) rc = get_int(p, obj, "sequence-number", p->md->format_version >= 2, &s->sequence_number, NULL);
    if (rc == 0) rc = get_int(p, obj, "timestamp-ms", true, &s->timestamp_ms, NULL);
    if (rc == 0) rc = get_str(p, obj, "manifest-list", false, &s->manifest_list);
    if (rc == 0) rc = get_i32(p, obj, "schema-id", false, &s->schema_id, &s->has_schema_id);
    if (rc < 0) return rc;
    if (!s->manifest_list) {
        json_t *m = json_object_get(obj, "manifests");
        if (!json_is_array(m))
            return perr(p, TN_EFORMAT, "manifest-list", "snapshot %lld has no 'manifest-list'",
                        (long long)s->snapshot_id);
        size_t n = json_array_size(m);
        s->manifests = tn_arena_calloc(&p->md->arena, (n ? n : 1) * sizeof(char *));
        if (!s->manifests) return oom(p);
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(m, i);
            if (!json_is_string(e)) return perr(p, TN_EFORMAT, "manifests", "manifest locations must be strings");
            s->manifests[i] = dup_str(p, e);
            if (!s->manifests[i]) return oom(p);
        }
        s->manifest_count = (uint32_t)n;
    }
    return parse_kv(p, json_object_get(obj, "summary"), "summary", &s->summary, &s->summary_count);
}

static int parse_metadata(parser *p, json_t *root)
{
    tn_iceberg_metadata *md = p->md;
    if (!json_is_object(root)) return perr(p, TN_EFORMAT, NULL, "the document is not a JSON object");
    int64_t fv = 0;
    int rc = get_int(p, root, "format-version", true, &fv, NULL);
    if (rc < 0) return rc;
    if (fv < 1 || fv > 3)
        return perr(p, TN_EFORMAT, "format-version", "format version %lld is not supported (1 to 3 are)", (long long)fv);
    md->format_version = (int)fv;
    bool v2 = fv >= 2;

    char *uuid = NULL;
    rc = get_str(p, root, "table-uuid", v2, &uuid);
    if (rc < 0) return rc;
    if (uuid) snprintf(md->table_uuid, sizeof md->table_uuid, "%s", uuid);
    rc = get_str(p, root, "location", true, &md->location);
    if (rc < 0) return rc;
    size_t ll = strlen(md->location);
    while (ll > 1 && md->location[ll - 1] == '/') md->location[--ll] = '\0';
    if (rc == 0) rc = get_int(p, root, "last-sequence-number", v2, &md->last_sequence_number, NULL);
    if (rc == 0) rc = get_int(p, root, "last-updated-ms", true, &md->last_updated_ms, NULL);
    if (rc == 0) rc = get_i32(p, root, "last-column-id", true, &md->last_column_id, NULL);
    if (rc < 0) return rc;

    /* Schemas */
    json_t *schemas = json_object_get(root, "schemas");
    json_t *schema = json_object_get(root, "schema");
    bool has_current = false;
    rc = get_i32(p, root, "current-schema-id", v2, &md->current_schema_id, &has_current);
    if (rc < 0) return rc;
    if (schemas && !json_is_null(schemas)) {
        if (!json_is_array(schemas)) return perr(p, TN_EFORMAT, "schemas", "'schemas' must be a list");
        size_t n = json_array_size(schemas);
        md->schemas = tn_arena_calloc(&md->arena, (n + 1) * sizeof *md->schemas);
        if (!md->schemas) return oom(p);
        for (size_t i = 0; i < n; i++) {
            rc = parse_schema(p, json_array_get(schemas, i), &md->schemas[i], v2);
            if (rc < 0) return rc;
        }
        md->schema_count = (uint32_t)n;
    } else if (v2) {
        return perr(p, TN_EFORMAT, "schemas", "required field 'schemas' is missing");
    }
    if (!v2 && !has_current) {
        /* v1: the deprecated single schema is the current one. */
        if (!json_is_object(schema)) {
            return perr(p, TN_EFORMAT, "schema", "no valid schema: neither 'schema' nor 'schemas' with 'current-schema-id'");
        } else {
            tn_iceberg_schema s = {0};
            rc = parse_schema(p, schema, &s, false);
            if (rc < 0) return rc;
            if (!tn_iceberg_metadata_schema(md, s.schema_id)) {
                if (!md->schemas) {
                    md->schemas = tn_arena_calloc(&md->arena, sizeof *md->schemas);
                    if (!md->schemas) return oom(p);
                }
                md->schemas[md->schema_count++] = s;
            }
            md->current_schema_id = s.schema_id;
        }
    }
    if (md->schema_count == 0) return perr(p, TN_EFORMAT, "schemas", "no valid schema");
    if (!tn_iceberg_metadata_current_schema(md))
        return perr(p, TN_EFORMAT, "current-schema-id", "current schema id %d does not exist",
                    (int)md->current_schema_id);

    /* Partition specs */
    json_t *specs = json_object_get(root, "partition-specs");
    if (specs && !json_is_null(specs)) {
        if (!json_is_array(specs)) return perr(p, TN_EFORMAT, "partition-specs", "'partition-specs' must be a list");
        size_t n = json_array_size(specs);
        md->specs = tn_arena_calloc(&md->arena, (n ? n : 1) * sizeof *md->specs);
        if (!md->specs) return oom(p);
        for (size_t i = 0; i < n; i++) {
            json_t *s = json_array_get(specs, i);
            if (!json_is_object(s)) return perr(p, TN_EFORMAT, "partition-specs", "a partition spec must be an object");
            rc = get_i32(p, s, "spec-id", true, &md->specs[i].spec_id, NULL);
            if (rc == 0) rc = parse_spec_fields(p, json_object_get(s, "fields"), &md->specs[i], v2);
            if (rc < 0) return rc;
        }
        md->spec_count = (uint32_t)n;
    } else if (v2) {
        return perr(p, TN_EFORMAT, "partition-specs", "required field 'partition-specs' is missing");
    } else {
        json_t *legacy = json_object_get(root, "partition-spec");
        md->specs = tn_arena_calloc(&md->arena, sizeof *md->specs);
        if (!md->specs) return oom(p);
        md->spec_count = 1;
        if (legacy) {
            rc = parse_spec_fields(p, legacy, &md->specs[0], false);
            if (rc < 0) return rc;
        }
    }
    bool has_default_spec = false;
    rc = get_i32(p, root, "default-spec-id", v2, &md->default_spec_id, &has_default_spec);
    if (rc < 0) return rc;
    if (!has_default_spec) {
        md->default_spec_id = 0;
        for (uint32_t i = 0; i < md->spec_count; i++)
            if (i == 0 || md->specs[i].spec_id > md->default_spec_id) md->default_spec_id = md->specs[i].spec_id;
    }
    bool has_lpi = false;
    rc = get_i32(p, root, "last-partition-id", v2, &md->last_partition_id, &has_lpi);
    if (rc < 0) return rc;
    if (!has_lpi) {
        md->last_partition_id = 999;
        for (uint32_t i = 0; i < md->spec_count; i++)
            for (uint32_t j = 0; j < md->specs[i].field_count; j++)
                if (md->specs[i].fields[j].field_id > md->last_partition_id)
                    md->last_partition_id = md->specs[i].fields[j].field_id;
    }

    /* Sort orders */
    json_t *orders = json_object_get(root, "sort-orders");
    if (orders && json_is_array(orders)) {
        size_t n = json_array_size(orders);
        md->sort_orders = tn_arena_calloc(&md->arena, (n ? n : 1) * sizeof *md->sort_orders);
        if (!md->sort_orders) return oom(p);
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_array_get(orders, i);
            tn_iceberg_sort_order *so = &md->sort_orders[i];
            if (!json_is_object(o)) return perr(p, TN_EFORMAT, "sort-orders", "a sort order must be an object");
            rc = get_i32(p, o, "order-id", true, &so->order_id, NULL);
            if (rc < 0) return rc;
            json_t *fields = json_object_get(o, "fields");
            size_t fn = json_is_array(fields) ? json_array_size(fields) : 0;
            if (fn) {
                so->fields = tn_arena_calloc(&md->arena, fn * sizeof *so->fields);
                if (!so->fields) return oom(p);
            }
            for (size_t j = 0; j < fn; j++) {
                json_t *f = json_array_get(fields, j);
                tn_iceberg_sort_field *sf = &so->fields[j];
                if (!json_is_object(f)) return perr(p, TN_EFORMAT, "sort-orders", "a sort field must be an object");
                bool has_src = false;
                rc = get_i32(p, f, "source-id", false, &sf->source_id, &has_src);
                if (rc == 0 && !has_src) {
                    json_t *ids = json_object_get(f, "source-ids");
                    if (json_is_array(ids) && json_array_size(ids)) sf->source_id = (int32_t)json_integer_value(json_array_get(ids, 0));
                }
                if (rc == 0) rc = get_str(p, f, "transform", true, &sf->transform_text);
                if (rc < 0) return rc;
                const char *dir = json_string_value(json_object_get(f, "direction"));
                const char *nulls = json_string_value(json_object_get(f, "null-order"));
                sf->descending = dir && strcmp(dir, "desc") == 0;
                sf->nulls_first = !nulls || strcmp(nulls, "nulls-first") == 0;
            }
            so->field_count = (uint32_t)fn;
        }
        md->sort_order_count = (uint32_t)n;
    } else if (v2) {
        return perr(p, TN_EFORMAT, "sort-orders", "required field 'sort-orders' is missing");
    }
    rc = get_i32(p, root, "default-sort-order-id", v2, &md->default_sort_order_id, NULL);
    if (rc < 0) return rc;

    rc = parse_kv(p, json_object_get(root, "properties"), "properties", &md->properties, &md->property_count);
    if (rc < 0) return rc;
    md->name_mapping = (char *)tn_iceberg_metadata_property(md, "schema.name-mapping.default");

    int64_t cur = -1;
    bool has_cur = false;
    rc = get_int(p, root, "current-snapshot-id", false, &cur, &has_cur);
    if (rc < 0) return rc;
    md->has_current_snapshot = has_cur && cur != -1;
    md->current_snapshot_id = md->has_current_snapshot ? cur : 0;

    json_t *snaps = json_object_get(root, "snapshots");
    if (snaps && json_is_array(snaps)) {
        size_t n = json_array_size(snaps);
        md->snapshots = tn_arena_calloc(&md->arena, (n ? n : 1) * sizeof *md->snapshots);
        if (!md->snapshots) return oom(p);
        for (size_t i = 0; i < n; i++) {
            rc = parse_snapshot(p, json_array_get(snaps, i), &md->snapshots[i]);
            if (rc < 0) return rc;
        }
        md->snapshot_count = (uint32_t)n;
    }
    if (md->has_current_snapshot && !tn_iceberg_metadata_snapshot(md, md->current_snapshot_id))
        return perr(p, TN_EFORMAT, "current-snapshot-id", "current snapshot %lld is not in 'snapshots'",
                    (long long)md->current_snapshot_id);

    json_t *slog = json_object_get(root, "snapshot-log");
    if (json_is_array(slog) && json_array_size(slog)) {
        size_t n = json_array_size(slog);
        md->snapshot_log = tn_arena_calloc(&md->arena, n * sizeof *md->snapshot_log);
        if (!md->snapshot_log) return oom(p);
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(slog, i);
            if (!json_is_object(e)) return perr(p, TN_EFORMAT, "snapshot-log", "a snapshot-log entry must be an object");
            rc = get_int(p, e, "timestamp-ms", true, &md->snapshot_log[i].timestamp_ms, NULL);
            if (rc == 0) rc = get_int(p, e, "snapshot-id", true, &md->snapshot_log[i].snapshot_id, NULL);
            if (rc < 0) return rc;
        }
        md->snapshot_log_count = (uint32_t)n;
    }
    json_t *mlog = json_object_get(root, "metadata-log");
    if (json_is_array(mlog) && json_array_size(mlog)) {
        size_t n = json_array_size(mlog);
        md->metadata_log = tn_arena_calloc(&md->arena, n * sizeof *md->metadata_log);
        if (!md->metadata_log) return oom(p);
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(mlog, i);
            if (!json_is_object(e)) return perr(p, TN_EFORMAT, "metadata-log", "a metadata-log entry must be an object");
            rc = get_int(p, e, "timestamp-ms", true, &md->metadata_log[i].timestamp_ms, NULL);
            if (rc == 0) rc = get_str(p, e, "metadata-file", true, &md->metadata_log[i].metadata_file);
            if (rc < 0) return rc;
        }
        md->metadata_log_count = (uint32_t)n;
    }

    json_t *refs = json_object_get(root, "refs");
    if (json_is_object(refs) && json_object_size(refs)) {
        size_t n = json_object_size(refs);
        md->refs = tn_arena_calloc(&md->arena, n * sizeof *md->refs);
        if (!md->refs) return oom(p);
        const char *name;
        json_t *r;
        size_t i = 0;
        json_object_foreach(refs, name, r) {
            tn_iceberg_ref *ref = &md->refs[i];
            if (!json_is_object(r)) return perr(p, TN_EFORMAT, "refs", "ref '%s' must be an object", name);
            ref->name = tn_arena_strdup(&md->arena, name);
            if (!ref->name) return oom(p);
            rc = get_int(p, r, "snapshot-id", true, &ref->snapshot_id, NULL);
            if (rc == 0) rc = get_i32(p, r, "min-snapshots-to-keep", false, &ref->min_snapshots_to_keep, NULL);
            if (rc == 0) rc = get_int(p, r, "max-snapshot-age-ms", false, &ref->max_snapshot_age_ms, NULL);
            if (rc == 0) rc = get_int(p, r, "max-ref-age-ms", false, &ref->max_ref_age_ms, NULL);
            if (rc < 0) return rc;
            const char *type = json_string_value(json_object_get(r, "type"));
            ref->is_tag = type && strcmp(type, "tag") == 0;
            i++;
        }
        md->ref_count = (uint32_t)i;
    }
    if (md->has_current_snapshot) {
        bool has_main = false;
        for (uint32_t i = 0; i < md->ref_count; i++)
            if (strcmp(md->refs[i].name, "main") == 0) has_main = true;
        if (!has_main) {
            tn_iceberg_ref *r = tn_iceberg_grow(md, md->refs, md->ref_count, sizeof *r);
            if (!r) return oom(p);
            r[md->ref_count].name = tn_arena_strdup(&md->arena, "main");
            if (!r[md->ref_count].name) return oom(p);
            r[md->ref_count].snapshot_id = md->current_snapshot_id;
            md->refs = r;
            md->ref_count++;
        }
    }
    return get_int(p, root, "next-row-id", false, &md->next_row_id, NULL);
}

/* Copies JSON text with every integer literal in (INT64_MAX, UINT64_MAX] outside strings replaced
 * by the int64 of the same 64 bits. TN_ENOMEM, or TN_EINVAL when there is nothing to replace. */
static int wrap_unsigned_integers(const char *json, size_t len, char **out, size_t *out_len)
{
    tn_buf b = TN_BUF_INIT;
    bool replaced = false, in_string = false;
    size_t i = 0;
    while (i < len) {
        char c = json[i];
        if (in_string) {
            if (c == '\\' && i + 1 < len) {
                if (tn_buf_append(&b, json + i, 2) < 0) goto oom;
                i += 2;
                continue;
            }
            if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c >= '0' && c <= '9' && (i == 0 || json[i - 1] != '-')) {
            size_t end = i;
            uint64_t v = 0;
            bool overflow = false;
            while (end < len && json[end] >= '0' && json[end] <= '9') {
                unsigned d = (unsigned)(json[end] - '0');
                if (v > (UINT64_MAX - d) / 10) overflow = true;
                v = v * 10 + d;
                end++;
            }
            bool fraction = end < len && (json[end] == '.' || json[end] == 'e' || json[end] == 'E');
            if (!overflow && !fraction && v > (uint64_t)INT64_MAX) {
                char text[24];
                int n = snprintf(text, sizeof text, "%lld", (long long)(int64_t)v);
                if (tn_buf_append(&b, text, (size_t)n) < 0) goto oom;
                replaced = true;
            } else if (tn_buf_append(&b, json + i, end - i) < 0) {
                goto oom;
            }
            i = end;
            continue;
        }
        if (tn_buf_putc(&b, c) < 0) goto oom;
        i++;
    }
    if (!replaced) {
        tn_buf_free(&b);
        return TN_EINVAL;
    }
    *out = tn_buf_detach(&b, out_len);
    return *out ? 0 : TN_ENOMEM;
oom:
    tn_buf_free(&b);
    return TN_ENOMEM;
}

/* Parses table metadata JSON. */
int tn_iceberg_metadata_parse(const char *json, size_t len, const char *file,
                              tn_iceberg_metadata **out, tn_error *err)
{
    pthread_once(&json_once, json_init);
    *out = NULL;
    if (!file) file = "(metadata)";
    if (len > TN_ICEBERG_METADATA_MAX_BYTES)
        return tn_error_set_at(err, TN_ELIMIT, file, 0, 0, "table metadata: the file is larger than %zu MiB",
                               TN_ICEBERG_METADATA_MAX_BYTES >> 20);
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (!root && strstr(jerr.text, "too big integer")) {
        /* Some writers put ids above INT64_MAX (unsigned 64-bit) in the JSON; the Avro files of
         * the same table hold them as 64-bit longs, so read them as that bit pattern. */
        char *wrapped = NULL;
        size_t wrapped_len = 0;
        if (wrap_unsigned_integers(json, len, &wrapped, &wrapped_len) == 0) {
            root = json_loadb(wrapped, wrapped_len, 0, &jerr);
            tn_free(wrapped);
        }
    }
    if (!root)
        return tn_error_set_at(err, TN_EPARSE, file, jerr.line > 0 ? jerr.line : 0,
                               jerr.column > 0 ? jerr.column : 0,
                               "table metadata is not valid JSON: %s", jerr.text);
    tn_iceberg_metadata *md = tn_calloc(1, sizeof *md);
    if (!md) {
        json_decref(root);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    tn_arena_init(&md->arena, 0);
    parser p = {md, file, err};
    int rc = parse_metadata(&p, root);
    json_decref(root);
    if (rc < 0) {
        tn_iceberg_metadata_free(md);
        return rc;
    }
    *out = md;
    return 0;
}

/* Frees metadata; accepts NULL. */
void tn_iceberg_metadata_free(tn_iceberg_metadata *md)
{
    if (!md) return;
    tn_arena_free(&md->arena);
    tn_free(md);
}

/* ------------------------------------------------------------------------------------------
 * Serialisation
 * ---------------------------------------------------------------------------------------- */

/* Sets obj[key] = v, taking v's reference; returns -1 when either failed. */
static int put(json_t *obj, const char *key, json_t *v)
{
    if (!v) return -1;
    return json_object_set_new(obj, key, v);
}

static json_t *type_json(const tn_iceberg_type *t, int depth);

static json_t *fields_json(const tn_iceberg_field *fields, uint32_t count, int depth)
{
    json_t *arr = json_array();
    if (!arr) return NULL;
    for (uint32_t i = 0; i < count; i++) {
        const tn_iceberg_field *f = &fields[i];
        json_t *o = json_object();
        int bad = !o || json_array_append_new(arr, o) < 0;
        bad = bad || put(o, "id", json_integer(f->id)) < 0;
        bad = bad || put(o, "name", json_string(f->name)) < 0;
        bad = bad || put(o, "required", json_boolean(f->required)) < 0;
        bad = bad || put(o, "type", type_json(&f->type, depth + 1)) < 0;
        if (!bad && f->doc) bad = put(o, "doc", json_string(f->doc)) < 0;
        if (!bad && f->initial_default)
            bad = put(o, "initial-default", json_loads(f->initial_default, JSON_DECODE_ANY, NULL)) < 0;
        if (!bad && f->write_default)
            bad = put(o, "write-default", json_loads(f->write_default, JSON_DECODE_ANY, NULL)) < 0;
        if (bad) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *type_json(const tn_iceberg_type *t, int depth)
{
    char text[64];
    if (depth > MAX_TYPE_DEPTH) return NULL;
    json_t *o;
    switch (t->kind) {
    case TN_ICEBERG_STRUCT:
        o = json_object();
        if (!o || put(o, "type", json_string("struct")) < 0 ||
            put(o, "fields", fields_json(t->children, t->child_count, depth)) < 0) {
            json_decref(o);
            return NULL;
        }
        return o;
    case TN_ICEBERG_LIST:
        o = json_object();
        if (!o || t->child_count < 1 || put(o, "type", json_string("list")) < 0 ||
            put(o, "element-id", json_integer(t->children[0].id)) < 0 ||
            put(o, "element", type_json(&t->children[0].type, depth + 1)) < 0 ||
            put(o, "element-required", json_boolean(t->children[0].required)) < 0) {
            json_decref(o);
            return NULL;
        }
        return o;
    case TN_ICEBERG_MAP:
        o = json_object();
        if (!o || t->child_count < 2 || put(o, "type", json_string("map")) < 0 ||
            put(o, "key-id", json_integer(t->children[0].id)) < 0 ||
            put(o, "key", type_json(&t->children[0].type, depth + 1)) < 0 ||
            put(o, "value-id", json_integer(t->children[1].id)) < 0 ||
            put(o, "value", type_json(&t->children[1].type, depth + 1)) < 0 ||
            put(o, "value-required", json_boolean(t->children[1].required)) < 0) {
            json_decref(o);
            return NULL;
        }
        return o;
    default: return json_string(tn_iceberg_type_format(t, text, sizeof text));
    }
}

static json_t *schema_json(const tn_iceberg_schema *s)
{
    json_t *o = json_object();
    if (!o || put(o, "type", json_string("struct")) < 0 ||
        put(o, "schema-id", json_integer(s->schema_id)) < 0) {
        json_decref(o);
        return NULL;
    }
    if (s->identifier_count) {
        json_t *ids = json_array();
        for (uint32_t i = 0; ids && i < s->identifier_count; i++)
            json_array_append_new(ids, json_integer(s->identifier_field_ids[i]));
        if (put(o, "identifier-field-ids", ids) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    if (put(o, "fields", fields_json(s->fields, s->field_count, 0)) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *spec_fields_json(const tn_iceberg_partition_spec *spec)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; arr && i < spec->field_count; i++) {
        const tn_iceberg_partition_field *f = &spec->fields[i];
        json_t *o = json_object();
        if (!o || json_array_append_new(arr, o) < 0 || put(o, "name", json_string(f->name)) < 0 ||
            put(o, "transform", json_string(f->transform_text)) < 0 ||
            put(o, "source-id", json_integer(f->source_id)) < 0 ||
            put(o, "field-id", json_integer(f->field_id)) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *kv_json(const tn_iceberg_kv *kv, uint32_t count)
{
    json_t *o = json_object();
    for (uint32_t i = 0; o && i < count; i++)
        if (put(o, kv[i].key, json_string(kv[i].value)) < 0) {
            json_decref(o);
            return NULL;
        }
    return o;
}

static int dump_into(json_t *v, size_t flags, tn_buf *out)
{
    char *text = json_dumps(v, flags);
    if (!text) return TN_ENOMEM;
    int rc = tn_buf_append_cstr(out, text);
    tn_free(text);
    return rc;
}

/* Appends a schema's JSON (for the "schema" key of manifests). */
int tn_iceberg_schema_to_json_text(const tn_iceberg_schema *schema, tn_buf *out)
{
    pthread_once(&json_once, json_init);
    json_t *v = schema_json(schema);
    if (!v) return TN_ENOMEM;
    int rc = dump_into(v, JSON_COMPACT | JSON_PRESERVE_ORDER, out);
    json_decref(v);
    return rc;
}

/* Appends a spec's fields array JSON (for the "partition-spec" key of manifests). */
int tn_iceberg_spec_fields_to_json_text(const tn_iceberg_partition_spec *spec, tn_buf *out)
{
    pthread_once(&json_once, json_init);
    json_t *v = spec_fields_json(spec);
    if (!v) return TN_ENOMEM;
    int rc = dump_into(v, JSON_COMPACT | JSON_PRESERVE_ORDER, out);
    json_decref(v);
    return rc;
}

static json_t *metadata_json(const tn_iceberg_metadata *md)
{
    json_t *o = json_object();
    if (!o) return NULL;
    int bad = 0;
    bad |= put(o, "format-version", json_integer(2));
    bad |= put(o, "table-uuid", json_string(md->table_uuid));
    bad |= put(o, "location", json_string(md->location));
    bad |= put(o, "last-sequence-number", json_integer(md->last_sequence_number));
    bad |= put(o, "last-updated-ms", json_integer(md->last_updated_ms));
    bad |= put(o, "last-column-id", json_integer(md->last_column_id));
    bad |= put(o, "current-schema-id", json_integer(md->current_schema_id));
    json_t *schemas = json_array();
    for (uint32_t i = 0; schemas && i < md->schema_count; i++)
        bad |= json_array_append_new(schemas, schema_json(&md->schemas[i]));
    bad |= put(o, "schemas", schemas);
    bad |= put(o, "default-spec-id", json_integer(md->default_spec_id));
    json_t *specs = json_array();
    for (uint32_t i = 0; specs && i < md->spec_count; i++) {
        json_t *s = json_object();
        bad |= json_array_append_new(specs, s);
        bad |= put(s, "spec-id", json_integer(md->specs[i].spec_id));
        bad |= put(s, "fields", spec_fields_json(&md->specs[i]));
    }
    bad |= put(o, "partition-specs", specs);
    bad |= put(o, "last-partition-id", json_integer(md->last_partition_id));
    bad |= put(o, "default-sort-order-id", json_integer(md->default_sort_order_id));
    json_t *orders = json_array();
    for (uint32_t i = 0; orders && i < md->sort_order_count; i++) {
        const tn_iceberg_sort_order *so = &md->sort_orders[i];
        json_t *s = json_object(), *fields = json_array();
        bad |= json_array_append_new(orders, s);
        bad |= put(s, "order-id", json_integer(so->order_id));
        for (uint32_t j = 0; fields && j < so->field_count; j++) {
            json_t *f = json_object();
            bad |= json_array_append_new(fields, f);
            bad |= put(f, "transform", json_string(so->fields[j].transform_text));
            bad |= put(f, "source-id", json_integer(so->fields[j].source_id));
            bad |= put(f, "direction", json_string(so->fields[j].descending ? "desc" : "asc"));
            bad |= put(f, "null-order", json_string(so->fields[j].nulls_first ? "nulls-first" : "nulls-last"));
        }
        bad |= put(s, "fields", fields);
    }
    bad |= put(o, "sort-orders", orders);
    bad |= put(o, "properties", kv_json(md->properties, md->property_count));
    const tn_iceberg_snapshot *cur = tn_iceberg_metadata_current_snapshot(md);
    bad |= put(o, "current-snapshot-id", cur ? json_integer(cur->snapshot_id) : json_null());
    json_t *refs = json_object();
    for (uint32_t i = 0; refs && i < md->ref_count; i++) {
        const tn_iceberg_ref *r = &md->refs[i];
        json_t *ro = json_object();
        bad |= put(refs, r->name, ro);
        bad |= put(ro, "snapshot-id", json_integer(r->snapshot_id));
        bad |= put(ro, "type", json_string(r->is_tag ? "tag" : "branch"));
        if (r->min_snapshots_to_keep) bad |= put(ro, "min-snapshots-to-keep", json_integer(r->min_snapshots_to_keep));
        if (r->max_snapshot_age_ms) bad |= put(ro, "max-snapshot-age-ms", json_integer(r->max_snapshot_age_ms));
        if (r->max_ref_age_ms) bad |= put(ro, "max-ref-age-ms", json_integer(r->max_ref_age_ms));
    }
    bad |= put(o, "refs", refs);
    json_t *snaps = json_array();
    for (uint32_t i = 0; snaps && i < md->snapshot_count; i++) {
        const tn_iceberg_snapshot *s = &md->snapshots[i];
        json_t *so = json_object();
        bad |= json_array_append_new(snaps, so);
        bad |= put(so, "snapshot-id", json_integer(s->snapshot_id));
        if (s->has_parent) bad |= put(so, "parent-snapshot-id", json_integer(s->parent_snapshot_id));
        bad |= put(so, "sequence-number", json_integer(s->sequence_number));
        bad |= put(so, "timestamp-ms", json_integer(s->timestamp_ms));
        if (s->manifest_list) bad |= put(so, "manifest-list", json_string(s->manifest_list));
        bad |= put(so, "summary", kv_json(s->summary, s->summary_count));
        if (s->has_schema_id) bad |= put(so, "schema-id", json_integer(s->schema_id));
    }
    bad |= put(o, "snapshots", snaps);
    json_t *slog = json_array();
    for (uint32_t i = 0; slog && i < md->snapshot_log_count; i++) {
        json_t *e = json_object();
        bad |= json_array_append_new(slog, e);
        bad |= put(e, "timestamp-ms", json_integer(md->snapshot_log[i].timestamp_ms));
        bad |= put(e, "snapshot-id", json_integer(md->snapshot_log[i].snapshot_id));
    }
    bad |= put(o, "snapshot-log", slog);
    json_t *mlog = json_array();
    for (uint32_t i = 0; mlog && i < md->metadata_log_count; i++) {
        json_t *e = json_object();
        bad |= json_array_append_new(mlog, e);
        bad |= put(e, "timestamp-ms", json_integer(md->metadata_log[i].timestamp_ms));
        bad |= put(e, "metadata-file", json_string(md->metadata_log[i].metadata_file));
    }
    bad |= put(o, "metadata-log", mlog);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Appends the metadata as format-version 2 JSON. */
int tn_iceberg_metadata_to_json(const tn_iceberg_metadata *md, tn_buf *out, tn_error *err)
{
    pthread_once(&json_once, json_init);
    json_t *v = metadata_json(md);
    if (!v) return tn_error_set(err, TN_ENOMEM, "out of memory while writing table metadata");
    int rc = dump_into(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER, out);
    json_decref(v);
    if (rc < 0) return tn_error_set(err, rc, "out of memory while writing table metadata");
    return 0;
}

/* Deep copy through JSON text: simple, and copies stay independent of the original's arena. */
tn_iceberg_metadata *tn_iceberg_metadata_copy(const tn_iceberg_metadata *md)
{
    tn_buf buf = TN_BUF_INIT;
    tn_error err = {0};
    tn_iceberg_metadata *copy = NULL;
    if (tn_iceberg_metadata_to_json(md, &buf, &err) == 0 &&
        tn_iceberg_metadata_parse(buf.data, buf.len, "(copy)", &copy, &err) == 0) {
        /* Serialisation writes v2; keep the original's version for readers of the copy. */
        copy->format_version = md->format_version;
        copy->next_row_id = md->next_row_id;
    }
    tn_buf_free(&buf);
    return copy;
}

/* Deep copy of a schema into md's arena. */
static int copy_fields(tn_iceberg_metadata *md, const tn_iceberg_field *src, uint32_t n,
                       tn_iceberg_field **dst, int depth)
{
    *dst = NULL;
    if (n == 0) return 0;
    if (depth > MAX_TYPE_DEPTH) return TN_ELIMIT;
    tn_iceberg_field *f = tn_arena_calloc(&md->arena, n * sizeof *f);
    if (!f) return TN_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        f[i] = src[i];
        f[i].name = tn_iceberg_strdup(md, src[i].name);
        f[i].doc = tn_iceberg_strdup(md, src[i].doc);
        f[i].initial_default = tn_iceberg_strdup(md, src[i].initial_default);
        f[i].write_default = tn_iceberg_strdup(md, src[i].write_default);
        if (!f[i].name) return TN_ENOMEM;
        int rc = copy_fields(md, src[i].type.children, src[i].type.child_count,
                             &f[i].type.children, depth + 1);
        if (rc < 0) return rc;
    }
    *dst = f;
    return 0;
}

/* Copies a schema into md's arena. */
int tn_iceberg_schema_copy_into(tn_iceberg_metadata *md, const tn_iceberg_schema *src,
                                tn_iceberg_schema *dst)
{
    *dst = *src;
    dst->identifier_field_ids = NULL;
    if (src->identifier_count) {
        dst->identifier_field_ids = tn_arena_alloc(&md->arena, src->identifier_count * sizeof(int32_t));
        if (!dst->identifier_field_ids) return TN_ENOMEM;
        memcpy(dst->identifier_field_ids, src->identifier_field_ids, src->identifier_count * sizeof(int32_t));
    }
    return copy_fields(md, src->fields, src->field_count, &dst->fields, 0);
}
