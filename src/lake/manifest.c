/* SPDX-License-Identifier: Apache-2.0
 *
 * Manifest lists and manifests: decoding what any Iceberg writer produced (v1 and v2 field
 * names, optional fields absent, maps stored as arrays of key/value records or as Avro maps,
 * partition tuples typed by the manifest's spec) and encoding v2 files with the spec's Avro
 * schemas, field ids and key-value metadata. Decoded strings are copied into the result's
 * arena; sequence numbers and snapshot ids are inherited from the manifest list entry.
 */
#include "lake/lake_int.h"

#include <stdio.h>

/* ------------------------------------------------------------------------------------------
 * Reading helpers
 * ---------------------------------------------------------------------------------------- */

static bool get_i64(avro_value_t *rec, const char *name, int64_t *out)
{
    avro_value_t v;
    if (!tn_avro_field(rec, name, &v)) return false;
    switch (avro_value_get_type(&v)) {
    case AVRO_INT32: {
        int32_t i = 0;
        if (avro_value_get_int(&v, &i) != 0) return false;
        *out = i;
        return true;
    }
    case AVRO_INT64: {
        int64_t l;
        if (avro_value_get_long(&v, &l) != 0) return false;
        *out = l;
        return true;
    }
    default: return false;
    }
}

static bool get_bool(avro_value_t *rec, const char *name, bool *out)
{
    avro_value_t v;
    int b = 0;
    if (!tn_avro_field(rec, name, &v) || avro_value_get_type(&v) != AVRO_BOOLEAN ||
        avro_value_get_boolean(&v, &b) != 0)
        return false;
    *out = b != 0;
    return true;
}

/* Bytes of a string, bytes or fixed value (borrowed from the value). */
static bool value_bytes(avro_value_t *v, tn_str *out)
{
    const void *p = NULL;
    size_t n = 0;
    switch (avro_value_get_type(v)) {
    case AVRO_STRING: {
        const char *s = NULL;
        if (avro_value_get_string(v, &s, &n) != 0) return false;
        *out = tn_str_make(s, n > 0 ? n - 1 : 0); /* the size counts the NUL */
        return true;
    }
    case AVRO_BYTES:
        if (avro_value_get_bytes(v, &p, &n) != 0) return false;
        *out = tn_str_make(p ? p : "", n);
        return true;
    case AVRO_FIXED:
        if (avro_value_get_fixed(v, &p, &n) != 0) return false;
        *out = tn_str_make(p ? p : "", n);
        return true;
    default: return false;
    }
}

static char *get_string(tn_arena *arena, avro_value_t *rec, const char *name)
{
    avro_value_t v;
    tn_str s;
    if (!tn_avro_field(rec, name, &v) || !value_bytes(&v, &s)) return NULL;
    return tn_arena_strndup(arena, s.ptr, s.len);
}

static bool copy_bytes(tn_arena *arena, avro_value_t *v, tn_str *out)
{
    tn_str s;
    if (!value_bytes(v, &s)) return false;
    char *p = tn_arena_alloc(arena, s.len + 1);
    if (!p) return false;
    memcpy(p, s.ptr, s.len);
    *out = tn_str_make(p, s.len);
    return true;
}

static int corrupt(const char *file, tn_error *err, const char *what)
{
    return tn_error_set_at(err, TN_ECORRUPT, file, 0, 0, "corrupt manifest: %s", what);
}

/* ------------------------------------------------------------------------------------------
 * Manifest lists
 * ---------------------------------------------------------------------------------------- */

static int decode_summaries(tn_arena *arena, avro_value_t *arr, tn_manifest_file *mf)
{
    size_t n = 0;
    if (avro_value_get_type(arr) != AVRO_ARRAY || avro_value_get_size(arr, &n) != 0) return TN_ECORRUPT;
    if (n == 0) return 0;
    if (n > 100000) return TN_ECORRUPT;
    mf->partitions = tn_arena_calloc(arena, n * sizeof *mf->partitions);
    if (!mf->partitions) return TN_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        avro_value_t e, v;
        tn_field_summary *fs = &mf->partitions[i];
        if (avro_value_get_by_index(arr, i, &e, NULL) != 0) return TN_ECORRUPT;
        if (avro_value_get_type(&e) == AVRO_UNION) {
            avro_value_t b;
            if (avro_value_get_current_branch(&e, &b) != 0) return TN_ECORRUPT;
            e = b;
        }
        get_bool(&e, "contains_null", &fs->contains_null);
        bool nan = false;
        fs->contains_nan = get_bool(&e, "contains_nan", &nan) ? (int8_t)nan : -1;
        if (tn_avro_field(&e, "lower_bound", &v)) {
            if (!copy_bytes(arena, &v, &fs->lower)) return TN_ECORRUPT;
            fs->has_lower = true;
        }
        if (tn_avro_field(&e, "upper_bound", &v)) {
            if (!copy_bytes(arena, &v, &fs->upper)) return TN_ECORRUPT;
            fs->has_upper = true;
        }
    }
    mf->partition_count = (uint32_t)n;
    return 0;
}

static int32_t get_count(avro_value_t *rec, const char *v2name, const char *v1name)
{
    int64_t v = -1;
    if (!get_i64(rec, v2name, &v) && !get_i64(rec, v1name, &v)) return -1;
    return (int32_t)v;
}

static int64_t get_rows(avro_value_t *rec, const char *name)
{
    int64_t v = -1;
    if (!get_i64(rec, name, &v)) return -1;
    return v;
}

/* Decodes a manifest list. */
int tn_manifest_list_decode(const void *data, size_t len, const char *file,
                            tn_manifest_list **out, tn_error *err)
{
    *out = NULL;
    tn_avro_reader *r = NULL;
    int rc = tn_avro_reader_open(data, len, file, &r, err);
    if (rc < 0) return rc;
    tn_manifest_list *list = tn_calloc(1, sizeof *list);
    uint32_t cap = 0;
    if (!list) {
        tn_avro_reader_close(r);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    tn_arena_init(&list->arena, 0);
    for (;;) {
        avro_value_t *rec;
        rc = tn_avro_reader_next(r, &rec, err);
        if (rc < 0) goto fail;
        if (!rec) break;
        if (list->count == cap) {
            cap = cap ? cap * 2 : 16;
            tn_manifest_file *m = tn_arena_calloc(&list->arena, cap * sizeof *m);
            if (!m) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                goto fail;
            }
            if (list->count) memcpy(m, list->manifests, list->count * sizeof *m);
            list->manifests = m;
        }
        tn_manifest_file *mf = &list->manifests[list->count];
        memset(mf, 0, sizeof *mf);
        int64_t v;
        mf->manifest_path = get_string(&list->arena, rec, "manifest_path");
        if (!mf->manifest_path) {
            rc = tn_error_set_at(err, TN_ECORRUPT, file, 0, 0, "corrupt manifest list: entry %u has no manifest_path", list->count);
            goto fail;
        }
        mf->manifest_length = get_i64(rec, "manifest_length", &v) ? v : -1;
        mf->partition_spec_id = get_i64(rec, "partition_spec_id", &v) ? (int32_t)v : 0;
        mf->content = get_i64(rec, "content", &v) ? (uint8_t)v : 0;
        mf->sequence_number = get_i64(rec, "sequence_number", &v) ? v : 0;
        mf->min_sequence_number = get_i64(rec, "min_sequence_number", &v) ? v : 0;
        mf->added_snapshot_id = get_i64(rec, "added_snapshot_id", &v) ? v : 0;
        mf->added_files_count = get_count(rec, "added_files_count", "added_data_files_count");
        mf->existing_files_count = get_count(rec, "existing_files_count", "existing_data_files_count");
        mf->deleted_files_count = get_count(rec, "deleted_files_count", "deleted_data_files_count");
        mf->added_rows_count = get_rows(rec, "added_rows_count");
        mf->existing_rows_count = get_rows(rec, "existing_rows_count");
        mf->deleted_rows_count = get_rows(rec, "deleted_rows_count");
        mf->has_first_row_id = get_i64(rec, "first_row_id", &mf->first_row_id);
        avro_value_t parts;
        if (tn_avro_field(rec, "partitions", &parts)) {
            rc = decode_summaries(&list->arena, &parts, mf);
            if (rc < 0) {
                rc = rc == TN_ENOMEM ? tn_error_set(err, rc, "out of memory")
                                     : tn_error_set_at(err, TN_ECORRUPT, file, 0, 0, "corrupt manifest list: bad partition summaries");
                goto fail;
            }
        }
        list->count++;
    }
    tn_avro_reader_close(r);
    *out = list;
    return 0;
fail:
    tn_avro_reader_close(r);
    tn_manifest_list_free(list);
    return rc;
}

/* Frees a manifest list. */
void tn_manifest_list_free(tn_manifest_list *list)
{
    if (!list) return;
    tn_arena_free(&list->arena);
    tn_free(list);
}

/* ------------------------------------------------------------------------------------------
 * Manifests
 * ---------------------------------------------------------------------------------------- */

static tn_iceberg_column_stats *stats_for(tn_arena *arena, tn_iceberg_data_file *f,
                                          uint32_t *cap, int32_t field_id)
{
    for (uint32_t i = 0; i < f->stats_count; i++)
        if (f->stats[i].field_id == field_id) return &f->stats[i];
    if (f->stats_count == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 16;
        if (ncap > 1000000) return NULL;
        tn_iceberg_column_stats *s = tn_arena_calloc(arena, ncap * sizeof *s);
        if (!s) return NULL;
        if (f->stats_count) memcpy(s, f->stats, f->stats_count * sizeof *s);
        f->stats = s;
        *cap = ncap;
    }
    tn_iceberg_column_stats *s = &f->stats[f->stats_count++];
    memset(s, 0, sizeof *s);
    s->field_id = field_id;
    s->column_size = s->value_count = s->null_count = s->nan_count = -1;
    return s;
}

typedef enum stat_kind { STAT_SIZE, STAT_VALUES, STAT_NULLS, STAT_NANS, STAT_LOWER, STAT_UPPER } stat_kind;

/* Reads one id-keyed map (array of key/value records, or an Avro map with string keys). */
static int decode_stat_map(tn_arena *arena, avro_value_t *df, const char *name, stat_kind kind,
                           tn_iceberg_data_file *f, uint32_t *cap)
{
    avro_value_t m;
    if (!tn_avro_field(df, name, &m)) return 0;
    size_t n = 0;
    avro_type_t t = avro_value_get_type(&m);
    if ((t != AVRO_ARRAY && t != AVRO_MAP) || avro_value_get_size(&m, &n) != 0) return TN_ECORRUPT;
    for (size_t i = 0; i < n; i++) {
        avro_value_t e, val;
        const char *key_name = NULL;
        int64_t id;
        if (avro_value_get_by_index(&m, i, &e, &key_name) != 0) return TN_ECORRUPT;
        if (t == AVRO_MAP) {
            if (!key_name) return TN_ECORRUPT;
            char *end = NULL;
            id = strtoll(key_name, &end, 10);
            if (!end || *end) return TN_ECORRUPT;
            val = e;
        } else {
            if (!get_i64(&e, "key", &id) || !tn_avro_field(&e, "value", &val)) continue;
        }
        if (id < INT32_MIN || id > INT32_MAX) return TN_ECORRUPT;
        tn_iceberg_column_stats *s = stats_for(arena, f, cap, (int32_t)id);
        if (!s) return TN_ENOMEM;
        if (kind == STAT_LOWER || kind == STAT_UPPER) {
            tn_str b;
            if (!copy_bytes(arena, &val, &b)) return TN_ECORRUPT;
            if (kind == STAT_LOWER) {
                s->lower = b;
                s->has_lower = true;
            } else {
                s->upper = b;
                s->has_upper = true;
            }
        } else {
            int64_t c;
            if (avro_value_get_type(&val) == AVRO_UNION) {
                avro_value_t b;
                if (avro_value_get_current_branch(&val, &b) != 0) return TN_ECORRUPT;
                val = b;
            }
            if (avro_value_get_type(&val) == AVRO_INT64) {
                if (avro_value_get_long(&val, &c) != 0) return TN_ECORRUPT;
            } else if (avro_value_get_type(&val) == AVRO_INT32) {
                int32_t c32;
                if (avro_value_get_int(&val, &c32) != 0) return TN_ECORRUPT;
                c = c32;
            } else {
                continue;
            }
            if (kind == STAT_SIZE) s->column_size = c;
            else if (kind == STAT_VALUES) s->value_count = c;
            else if (kind == STAT_NULLS) s->null_count = c;
            else s->nan_count = c;
        }
    }
    return 0;
}

static int decode_int_list(tn_arena *arena, avro_value_t *df, const char *name, int64_t **out64,
                           int32_t **out32, uint32_t *count)
{
    avro_value_t arr;
    size_t n = 0;
    *count = 0;
    if (!tn_avro_field(df, name, &arr)) return 0;
    if (avro_value_get_type(&arr) != AVRO_ARRAY || avro_value_get_size(&arr, &n) != 0) return TN_ECORRUPT;
    if (n == 0) return 0;
    if (out64) *out64 = tn_arena_alloc(arena, n * sizeof(int64_t));
    if (out32) *out32 = tn_arena_alloc(arena, n * sizeof(int32_t));
    if ((out64 && !*out64) || (out32 && !*out32)) return TN_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        avro_value_t e;
        int64_t v = 0;
        if (avro_value_get_by_index(&arr, i, &e, NULL) != 0) return TN_ECORRUPT;
        if (avro_value_get_type(&e) == AVRO_INT64) avro_value_get_long(&e, &v);
        else if (avro_value_get_type(&e) == AVRO_INT32) {
            int32_t v32 = 0;
            avro_value_get_int(&e, &v32);
            v = v32;
        }
        if (out64) (*out64)[i] = v;
        if (out32) (*out32)[i] = (int32_t)v;
    }
    *count = (uint32_t)n;
    return 0;
}

/* The Iceberg type of partition field i: from the spec and schema when known, else from the
 * Avro value itself. */
static tn_iceberg_type partition_type(const tn_iceberg_partition_spec *spec,
                                      const tn_iceberg_schema *schema, uint32_t i, avro_value_t *v)
{
    tn_iceberg_type t = {0};
    if (spec && i < spec->field_count && schema) {
        const tn_iceberg_field *src = tn_iceberg_schema_field(schema, spec->fields[i].source_id);
        if (src) return tn_transform_result_type(spec->fields[i].transform, &src->type);
    }
    switch (avro_value_get_type(v)) {
    case AVRO_INT32: t.kind = TN_ICEBERG_INT; break;
    case AVRO_INT64: t.kind = TN_ICEBERG_LONG; break;
    case AVRO_FLOAT: t.kind = TN_ICEBERG_FLOAT; break;
    case AVRO_DOUBLE: t.kind = TN_ICEBERG_DOUBLE; break;
    case AVRO_BOOLEAN: t.kind = TN_ICEBERG_BOOLEAN; break;
    case AVRO_STRING: t.kind = TN_ICEBERG_STRING; break;
    case AVRO_FIXED: t.kind = TN_ICEBERG_FIXED; break;
    default: t.kind = TN_ICEBERG_BINARY; break;
    }
    if (spec && i < spec->field_count) {
        uint8_t k = spec->fields[i].transform.kind;
        if (k == TN_TRANSFORM_DAY) t.kind = TN_ICEBERG_DATE;
    }
    return t;
}

static int decode_partition_value(tn_arena *arena, avro_value_t *v, const tn_iceberg_type *type,
                                  tn_iceberg_value *out)
{
    memset(out, 0, sizeof *out);
    out->kind = type->kind;
    out->scale = type->scale;
    if (avro_value_get_type(v) == AVRO_UNION) {
        avro_value_t b;
        if (avro_value_get_current_branch(v, &b) != 0) return TN_ECORRUPT;
        *v = b;
    }
    switch (avro_value_get_type(v)) {
    case AVRO_NULL: out->is_null = true; return 0;
    case AVRO_INT32: {
        int32_t i = 0;
        avro_value_get_int(v, &i);
        out->v.i = i;
        if (type->kind == TN_ICEBERG_FLOAT || type->kind == TN_ICEBERG_DOUBLE) out->kind = TN_ICEBERG_INT;
        return 0;
    }
    case AVRO_INT64: avro_value_get_long(v, &out->v.i); return 0;
    case AVRO_BOOLEAN: {
        int b = 0;
        avro_value_get_boolean(v, &b);
        out->v.b = b != 0;
        return 0;
    }
    case AVRO_FLOAT: {
        float f = 0;
        avro_value_get_float(v, &f);
        if (type->kind == TN_ICEBERG_DOUBLE) out->v.d = f;
        else {
            out->kind = TN_ICEBERG_FLOAT;
            out->v.f = f;
        }
        return 0;
    }
    case AVRO_DOUBLE: avro_value_get_double(v, &out->v.d); out->kind = TN_ICEBERG_DOUBLE; return 0;
    case AVRO_STRING:
    case AVRO_BYTES:
    case AVRO_FIXED: {
        tn_str b;
        if (!copy_bytes(arena, v, &b)) return TN_ENOMEM;
        if (type->kind == TN_ICEBERG_DECIMAL) {
            tn_iceberg_type dt = *type;
            return tn_iceberg_value_from_bytes(&dt, b.ptr, b.len, out) == 0 ? 0 : TN_ECORRUPT;
        }
        out->v.bytes = b;
        return 0;
    }
    default: out->is_null = true; return 0;
    }
}

static int decode_data_file(tn_arena *arena, avro_value_t *df, const tn_iceberg_partition_spec *spec,
                            const tn_iceberg_schema *schema, tn_iceberg_data_file *f)
{
    int64_t v;
    f->content = get_i64(df, "content", &v) ? (uint8_t)v : 0;
    f->file_path = get_string(arena, df, "file_path");
    f->file_format = get_string(arena, df, "file_format");
    if (!f->file_path || !f->file_format) return TN_ECORRUPT;
    if (!get_i64(df, "record_count", &f->record_count)) return TN_ECORRUPT;
    f->file_size_in_bytes = get_i64(df, "file_size_in_bytes", &v) ? v : -1;
    avro_value_t part;
    if (tn_avro_field(df, "partition", &part) && avro_value_get_type(&part) == AVRO_RECORD) {
        size_t n = 0;
        avro_value_get_size(&part, &n);
        if (n > 10000) return TN_ECORRUPT;
        if (n) {
            f->partition = tn_arena_calloc(arena, n * sizeof *f->partition);
            if (!f->partition) return TN_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            avro_value_t pv;
            if (avro_value_get_by_index(&part, i, &pv, NULL) != 0) return TN_ECORRUPT;
            avro_value_t probe = pv;
            if (avro_value_get_type(&probe) == AVRO_UNION) avro_value_get_current_branch(&pv, &probe);
            tn_iceberg_type t = partition_type(spec, schema, (uint32_t)i, &probe);
            int rc = decode_partition_value(arena, &pv, &t, &f->partition[i]);
            if (rc < 0) return rc;
        }
        f->partition_count = (uint32_t)n;
    }
    uint32_t cap = 0;
    static const struct {
        const char *name;
        stat_kind kind;
    } maps[] = {
        {"column_sizes", STAT_SIZE}, {"value_counts", STAT_VALUES}, {"null_value_counts", STAT_NULLS},
        {"nan_value_counts", STAT_NANS}, {"lower_bounds", STAT_LOWER}, {"upper_bounds", STAT_UPPER},
    };
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        int rc = decode_stat_map(arena, df, maps[i].name, maps[i].kind, f, &cap);
        if (rc < 0) return rc;
    }
    int rc = decode_int_list(arena, df, "split_offsets", &f->split_offsets, NULL, &f->split_offset_count);
    if (rc == 0) rc = decode_int_list(arena, df, "equality_ids", NULL, &f->equality_ids, &f->equality_id_count);
    if (rc < 0) return rc;
    if (get_i64(df, "sort_order_id", &v)) {
        f->has_sort_order_id = true;
        f->sort_order_id = (int32_t)v;
    }
    f->referenced_data_file = get_string(arena, df, "referenced_data_file");
    f->has_content_offset = get_i64(df, "content_offset", &f->content_offset);
    if (!get_i64(df, "content_size_in_bytes", &f->content_size_in_bytes)) f->content_size_in_bytes = -1;
    return 0;
}

/* Decodes a manifest with inheritance from its list entry. */
int tn_manifest_decode(const void *data, size_t len, const char *file,
                       const tn_manifest_file *mf, const tn_iceberg_partition_spec *spec,
                       const tn_iceberg_schema *schema, tn_manifest **out, tn_error *err)
{
    *out = NULL;
    tn_avro_reader *r = NULL;
    int rc = tn_avro_reader_open(data, len, file, &r, err);
    if (rc < 0) return rc;
    tn_manifest *m = tn_calloc(1, sizeof *m);
    uint32_t cap = 0;
    if (!m) {
        tn_avro_reader_close(r);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    tn_arena_init(&m->arena, 0);
    tn_str meta;
    m->spec_id = mf ? mf->partition_spec_id : 0;
    if (!mf && tn_avro_reader_meta(r, "partition-spec-id", &meta)) {
        char tmp[24];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(meta.len < 20 ? meta.len : 20), meta.ptr);
        m->spec_id = (int32_t)strtol(tmp, NULL, 10);
    }
    m->content = mf ? mf->content : 0;
    if (!mf && tn_avro_reader_meta(r, "content", &meta) && tn_str_eq(meta, TN_STR_LIT("deletes"))) m->content = 1;
    for (;;) {
        avro_value_t *rec;
        rc = tn_avro_reader_next(r, &rec, err);
        if (rc < 0) goto fail;
        if (!rec) break;
        if (m->count == cap) {
            cap = cap ? cap * 2 : 16;
            tn_manifest_entry *e = tn_arena_calloc(&m->arena, cap * sizeof *e);
            if (!e) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                goto fail;
            }
            if (m->count) memcpy(e, m->entries, m->count * sizeof *e);
            m->entries = e;
        }
        tn_manifest_entry *e = &m->entries[m->count];
        memset(e, 0, sizeof *e);
        int64_t v;
        if (!get_i64(rec, "status", &v) || v < 0 || v > 2) {
            rc = corrupt(file, err, "an entry has no valid status");
            goto fail;
        }
        e->status = (uint8_t)v;
        bool has_snap = get_i64(rec, "snapshot_id", &e->snapshot_id);
        if (!has_snap) e->snapshot_id = mf ? mf->added_snapshot_id : 0;
        bool has_seq = get_i64(rec, "sequence_number", &e->sequence_number);
        bool has_fseq = get_i64(rec, "file_sequence_number", &e->file_sequence_number);
        e->explicit_sequence = has_seq;
        /* Inherit only for ADDED entries; others must carry them (v1: 0). */
        if (!has_seq) e->sequence_number = (mf && e->status == TN_ENTRY_ADDED) ? mf->sequence_number : 0;
        if (!has_fseq) e->file_sequence_number = (mf && e->status == TN_ENTRY_ADDED) ? mf->sequence_number : 0;
        avro_value_t df;
        if (!tn_avro_field(rec, "data_file", &df) || avro_value_get_type(&df) != AVRO_RECORD) {
            rc = corrupt(file, err, "an entry has no data_file");
            goto fail;
        }
        rc = decode_data_file(&m->arena, &df, spec, schema, &e->file);
        if (rc < 0) {
            rc = rc == TN_ENOMEM ? tn_error_set(err, rc, "out of memory")
                                 : corrupt(file, err, "a data_file record is missing required fields or malformed");
            goto fail;
        }
        e->file.spec_id = m->spec_id;
        m->count++;
    }
    tn_avro_reader_close(r);
    *out = m;
    return 0;
fail:
    tn_avro_reader_close(r);
    tn_manifest_free(m);
    return rc;
}

/* Frees a manifest. */
void tn_manifest_free(tn_manifest *m)
{
    if (!m) return;
    tn_arena_free(&m->arena);
    tn_free(m);
}

/* ------------------------------------------------------------------------------------------
 * Writing
 * ---------------------------------------------------------------------------------------- */

static const char manifest_list_schema[] =
    "{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":["
    "{\"name\":\"manifest_path\",\"type\":\"string\",\"field-id\":500},"
    "{\"name\":\"manifest_length\",\"type\":\"long\",\"field-id\":501},"
    "{\"name\":\"partition_spec_id\",\"type\":\"int\",\"field-id\":502},"
    "{\"name\":\"content\",\"type\":\"int\",\"field-id\":517},"
    "{\"name\":\"sequence_number\",\"type\":\"long\",\"field-id\":515},"
    "{\"name\":\"min_sequence_number\",\"type\":\"long\",\"field-id\":516},"
    "{\"name\":\"added_snapshot_id\",\"type\":\"long\",\"field-id\":503},"
    "{\"name\":\"added_files_count\",\"type\":\"int\",\"field-id\":504},"
    "{\"name\":\"existing_files_count\",\"type\":\"int\",\"field-id\":505},"
    "{\"name\":\"deleted_files_count\",\"type\":\"int\",\"field-id\":506},"
    "{\"name\":\"added_rows_count\",\"type\":\"long\",\"field-id\":512},"
    "{\"name\":\"existing_rows_count\",\"type\":\"long\",\"field-id\":513},"
    "{\"name\":\"deleted_rows_count\",\"type\":\"long\",\"field-id\":514},"
    "{\"name\":\"partitions\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\","
    "\"name\":\"r508\",\"fields\":["
    "{\"name\":\"contains_null\",\"type\":\"boolean\",\"field-id\":509},"
    "{\"name\":\"contains_nan\",\"type\":[\"null\",\"boolean\"],\"default\":null,\"field-id\":518},"
    "{\"name\":\"lower_bound\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":510},"
    "{\"name\":\"upper_bound\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":511}]},"
    "\"element-id\":508}],\"default\":null,\"field-id\":507},"
    "{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":519}]}";

static int set_field(avro_value_t *rec, const char *name, avro_value_t *out)
{
    return avro_value_get_by_name(rec, name, out, NULL) == 0 ? 0 : TN_EINTERNAL;
}

static int set_long(avro_value_t *rec, const char *name, int64_t v)
{
    avro_value_t f;
    if (set_field(rec, name, &f) < 0) return TN_EINTERNAL;
    if (avro_value_get_type(&f) == AVRO_UNION && tn_avro_set_branch(&f, false, &f) < 0) return TN_EINTERNAL;
    return avro_value_set_long(&f, v) == 0 ? 0 : TN_EINTERNAL;
}

static int set_int(avro_value_t *rec, const char *name, int32_t v)
{
    avro_value_t f;
    if (set_field(rec, name, &f) < 0) return TN_EINTERNAL;
    if (avro_value_get_type(&f) == AVRO_UNION && tn_avro_set_branch(&f, false, &f) < 0) return TN_EINTERNAL;
    return avro_value_set_int(&f, v) == 0 ? 0 : TN_EINTERNAL;
}

static int set_string(avro_value_t *rec, const char *name, const char *s)
{
    avro_value_t f;
    if (set_field(rec, name, &f) < 0) return TN_EINTERNAL;
    if (avro_value_get_type(&f) == AVRO_UNION && tn_avro_set_branch(&f, !s, &f) < 0) return TN_EINTERNAL;
    if (!s) return 0;
    return avro_value_set_string_len(&f, s, strlen(s) + 1) == 0 ? 0 : TN_EINTERNAL;
}

static int set_null(avro_value_t *rec, const char *name)
{
    avro_value_t f;
    if (set_field(rec, name, &f) < 0) return TN_EINTERNAL;
    return tn_avro_set_branch(&f, true, NULL);
}

static int set_bytes_value(avro_value_t *f, tn_str b)
{
    /* libavro copies the bytes; the cast drops const only for its API. */
    return avro_value_set_bytes(f, (void *)(b.ptr ? b.ptr : ""), b.len) == 0 ? 0 : TN_EINTERNAL;
}

/* Encodes a manifest list. */
int tn_manifest_list_encode(int64_t snapshot_id, bool has_parent, int64_t parent_snapshot_id,
                            int64_t sequence_number, const tn_manifest_file *manifests,
                            size_t count, tn_buf *out, tn_error *err)
{
    char snap[24], parent[24], seq[24];
    snprintf(snap, sizeof snap, "%lld", (long long)snapshot_id);
    snprintf(parent, sizeof parent, "%lld", (long long)parent_snapshot_id);
    snprintf(seq, sizeof seq, "%lld", (long long)sequence_number);
    const char *meta[] = {"snapshot-id", snap, "sequence-number", seq, "format-version", "2",
                          has_parent ? "parent-snapshot-id" : NULL, parent, NULL, NULL};
    tn_avro_writer *w = NULL;
    int rc = tn_avro_writer_open(manifest_list_schema, meta, &w, err);
    if (rc < 0) return rc;
    for (size_t i = 0; i < count; i++) {
        const tn_manifest_file *mf = &manifests[i];
        avro_value_t *rec = tn_avro_writer_record(w);
        int bad = set_string(rec, "manifest_path", mf->manifest_path);
        bad |= set_long(rec, "manifest_length", mf->manifest_length);
        bad |= set_int(rec, "partition_spec_id", mf->partition_spec_id);
        bad |= set_int(rec, "content", mf->content);
        bad |= set_long(rec, "sequence_number", mf->sequence_number);
        bad |= set_long(rec, "min_sequence_number", mf->min_sequence_number);
        bad |= set_long(rec, "added_snapshot_id", mf->added_snapshot_id);
        bad |= set_int(rec, "added_files_count", mf->added_files_count < 0 ? 0 : mf->added_files_count);
        bad |= set_int(rec, "existing_files_count", mf->existing_files_count < 0 ? 0 : mf->existing_files_count);
        bad |= set_int(rec, "deleted_files_count", mf->deleted_files_count < 0 ? 0 : mf->deleted_files_count);
        bad |= set_long(rec, "added_rows_count", mf->added_rows_count < 0 ? 0 : mf->added_rows_count);
        bad |= set_long(rec, "existing_rows_count", mf->existing_rows_count < 0 ? 0 : mf->existing_rows_count);
        bad |= set_long(rec, "deleted_rows_count", mf->deleted_rows_count < 0 ? 0 : mf->deleted_rows_count);
        bad |= set_null(rec, "key_metadata");
        avro_value_t parts, arr;
        bad |= set_field(rec, "partitions", &parts);
        if (!bad) bad |= tn_avro_set_branch(&parts, false, &arr);
        for (uint32_t j = 0; !bad && j < mf->partition_count; j++) {
            const tn_field_summary *fs = &mf->partitions[j];
            avro_value_t e, f;
            if (avro_value_append(&arr, &e, NULL) != 0) {
                bad = 1;
                break;
            }
            bad |= set_field(&e, "contains_null", &f);
            if (!bad) bad |= avro_value_set_boolean(&f, fs->contains_null) != 0;
            bad |= set_field(&e, "contains_nan", &f);
            if (!bad) {
                if (fs->contains_nan < 0) bad |= tn_avro_set_branch(&f, true, NULL);
                else {
                    bad |= tn_avro_set_branch(&f, false, &f);
                    if (!bad) bad |= avro_value_set_boolean(&f, fs->contains_nan) != 0;
                }
            }
            bad |= set_field(&e, "lower_bound", &f);
            if (!bad) bad |= tn_avro_set_branch(&f, !fs->has_lower, &f);
            if (!bad && fs->has_lower) bad |= set_bytes_value(&f, fs->lower);
            bad |= set_field(&e, "upper_bound", &f);
            if (!bad) bad |= tn_avro_set_branch(&f, !fs->has_upper, &f);
            if (!bad && fs->has_upper) bad |= set_bytes_value(&f, fs->upper);
        }
        if (bad) {
            rc = tn_error_set(err, TN_EINTERNAL, "cannot encode manifest list entry %zu: %s", i, avro_strerror());
            goto done;
        }
        rc = tn_avro_writer_append(w, err);
        if (rc < 0) goto done;
    }
    rc = tn_avro_writer_finish(w, out, err);
done:
    tn_avro_writer_free(w);
    return rc;
}

/* Bytes a fixed needs for a decimal of precision p. */
static int decimal_bytes(int p)
{
    for (int n = 1; n < 17; n++) {
        /* 2^(8n-1) > 10^p - 1 */
        double max = 1;
        for (int i = 0; i < 8 * n - 1; i++) max *= 2;
        double need = 1;
        for (int i = 0; i < p; i++) need *= 10;
        if (max >= need) return n;
    }
    return 16;
}

/* Avro-compatible field name (Java's rule: invalid characters become _xHH). */
static int append_avro_name(tn_buf *b, const char *name)
{
    int rc = 0;
    for (size_t i = 0; name[i] && rc == 0; i++) {
        unsigned char c = (unsigned char)name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
        rc = ok ? tn_buf_putc(b, (char)c) : tn_buf_printf(b, "_x%02X", c);
    }
    return rc;
}

static int append_avro_type(tn_buf *b, const tn_iceberg_type *t, int32_t field_id)
{
    switch (t->kind) {
    case TN_ICEBERG_BOOLEAN: return tn_buf_append_cstr(b, "\"boolean\"");
    case TN_ICEBERG_INT: return tn_buf_append_cstr(b, "\"int\"");
    case TN_ICEBERG_LONG: return tn_buf_append_cstr(b, "\"long\"");
    case TN_ICEBERG_FLOAT: return tn_buf_append_cstr(b, "\"float\"");
    case TN_ICEBERG_DOUBLE: return tn_buf_append_cstr(b, "\"double\"");
    case TN_ICEBERG_DATE: return tn_buf_append_cstr(b, "{\"type\":\"int\",\"logicalType\":\"date\"}");
    case TN_ICEBERG_TIME: return tn_buf_append_cstr(b, "{\"type\":\"long\",\"logicalType\":\"time-micros\"}");
    case TN_ICEBERG_TIMESTAMP:
        return tn_buf_append_cstr(b, "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\",\"adjust-to-utc\":false}");
    case TN_ICEBERG_TIMESTAMPTZ:
        return tn_buf_append_cstr(b, "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\",\"adjust-to-utc\":true}");
    case TN_ICEBERG_STRING: return tn_buf_append_cstr(b, "\"string\"");
    case TN_ICEBERG_UUID:
        return tn_buf_printf(b, "{\"type\":\"fixed\",\"name\":\"uuid_fixed_%d\",\"size\":16,\"logicalType\":\"uuid\"}", (int)field_id);
    case TN_ICEBERG_FIXED:
        return tn_buf_printf(b, "{\"type\":\"fixed\",\"name\":\"fixed_%d\",\"size\":%d}", (int)field_id, (int)t->length);
    case TN_ICEBERG_DECIMAL:
        return tn_buf_printf(b, "{\"type\":\"fixed\",\"name\":\"decimal_%d\",\"size\":%d,\"logicalType\":\"decimal\","
                                "\"precision\":%d,\"scale\":%d}",
                             (int)field_id, decimal_bytes(t->precision), t->precision, t->scale);
    default: return tn_buf_append_cstr(b, "\"bytes\"");
    }
}

static int id_map_schema(tn_buf *b, const char *name, int id, int key_id, int value_id, const char *value_type)
{
    return tn_buf_printf(b, "{\"name\":\"%s\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\","
                            "\"name\":\"k%d_v%d\",\"fields\":[{\"name\":\"key\",\"type\":\"int\",\"field-id\":%d},"
                            "{\"name\":\"value\",\"type\":\"%s\",\"field-id\":%d}]},\"logicalType\":\"map\"}],"
                            "\"default\":null,\"field-id\":%d},",
                         name, key_id, value_id, key_id, value_type, value_id, id);
}

static int manifest_schema(tn_buf *b, const tn_iceberg_schema *schema, const tn_iceberg_partition_spec *spec)
{
    int rc = tn_buf_append_cstr(b,
        "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["
        "{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
        "{\"name\":\"snapshot_id\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":1},"
        "{\"name\":\"sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":3},"
        "{\"name\":\"file_sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":4},"
        "{\"name\":\"data_file\",\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["
        "{\"name\":\"content\",\"type\":\"int\",\"field-id\":134},"
        "{\"name\":\"file_path\",\"type\":\"string\",\"field-id\":100},"
        "{\"name\":\"file_format\",\"type\":\"string\",\"field-id\":101},"
        "{\"name\":\"partition\",\"type\":{\"type\":\"record\",\"name\":\"r102\",\"fields\":[");
    for (uint32_t i = 0; rc == 0 && spec && i < spec->field_count; i++) {
        const tn_iceberg_partition_field *pf = &spec->fields[i];
        const tn_iceberg_field *src = schema ? tn_iceberg_schema_field(schema, pf->source_id) : NULL;
        tn_iceberg_type st = src ? src->type : (tn_iceberg_type){.kind = TN_ICEBERG_STRING};
        tn_iceberg_type rt = tn_transform_result_type(pf->transform, &st);
        rc = tn_buf_append_cstr(b, i ? ",{\"name\":\"" : "{\"name\":\"");
        if (rc == 0) rc = append_avro_name(b, pf->name);
        if (rc == 0) rc = tn_buf_append_cstr(b, "\",\"type\":[\"null\",");
        if (rc == 0) rc = append_avro_type(b, &rt, pf->field_id);
        if (rc == 0) rc = tn_buf_printf(b, "],\"default\":null,\"field-id\":%d}", (int)pf->field_id);
    }
    if (rc == 0) rc = tn_buf_append_cstr(b,
        "]},\"field-id\":102},"
        "{\"name\":\"record_count\",\"type\":\"long\",\"field-id\":103},"
        "{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"field-id\":104},");
    if (rc == 0) rc = id_map_schema(b, "column_sizes", 108, 117, 118, "long");
    if (rc == 0) rc = id_map_schema(b, "value_counts", 109, 119, 120, "long");
    if (rc == 0) rc = id_map_schema(b, "null_value_counts", 110, 121, 122, "long");
    if (rc == 0) rc = id_map_schema(b, "nan_value_counts", 137, 138, 139, "long");
    if (rc == 0) rc = id_map_schema(b, "lower_bounds", 125, 126, 127, "bytes");
    if (rc == 0) rc = id_map_schema(b, "upper_bounds", 128, 129, 130, "bytes");
    if (rc == 0) rc = tn_buf_append_cstr(b,
        "{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":131},"
        "{\"name\":\"split_offsets\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\",\"element-id\":133}],"
        "\"default\":null,\"field-id\":132},"
        "{\"name\":\"equality_ids\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"int\",\"element-id\":136}],"
        "\"default\":null,\"field-id\":135},"
        "{\"name\":\"sort_order_id\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":140},"
        "{\"name\":\"referenced_data_file\",\"type\":[\"null\",\"string\"],\"default\":null,\"field-id\":143}"
        "]},\"field-id\":2}]}");
    return rc;
}

typedef enum stat_field { SF_SIZE, SF_VALUES, SF_NULLS, SF_NANS, SF_LOWER, SF_UPPER } stat_field;

static int write_stat_map(avro_value_t *df, const char *name, stat_field which, const tn_iceberg_data_file *f)
{
    avro_value_t field, arr;
    size_t present = 0;
    for (uint32_t i = 0; i < f->stats_count; i++) {
        const tn_iceberg_column_stats *s = &f->stats[i];
        bool has = which == SF_SIZE ? s->column_size >= 0 : which == SF_VALUES ? s->value_count >= 0
                 : which == SF_NULLS ? s->null_count >= 0 : which == SF_NANS ? s->nan_count >= 0
                 : which == SF_LOWER ? s->has_lower : s->has_upper;
        present += has;
    }
    if (set_field(df, name, &field) < 0) return TN_EINTERNAL;
    if (present == 0) return tn_avro_set_branch(&field, true, NULL);
    if (tn_avro_set_branch(&field, false, &arr) < 0) return TN_EINTERNAL;
    for (uint32_t i = 0; i < f->stats_count; i++) {
        const tn_iceberg_column_stats *s = &f->stats[i];
        avro_value_t e, k, v;
        int64_t count = which == SF_SIZE ? s->column_size : which == SF_VALUES ? s->value_count
                      : which == SF_NULLS ? s->null_count : s->nan_count;
        bool has = which == SF_LOWER ? s->has_lower : which == SF_UPPER ? s->has_upper : count >= 0;
        if (!has) continue;
        if (avro_value_append(&arr, &e, NULL) != 0 || set_field(&e, "key", &k) < 0 ||
            set_field(&e, "value", &v) < 0 || avro_value_set_int(&k, s->field_id) != 0)
            return TN_EINTERNAL;
        if (which == SF_LOWER || which == SF_UPPER) {
            if (set_bytes_value(&v, which == SF_LOWER ? s->lower : s->upper) < 0) return TN_EINTERNAL;
        } else if (avro_value_set_long(&v, count) != 0) {
            return TN_EINTERNAL;
        }
    }
    return 0;
}

static int write_partition_value(avro_value_t *f, const tn_iceberg_value *v, const tn_iceberg_type *rt)
{
    avro_value_t b;
    if (v->is_null) return tn_avro_set_branch(f, true, NULL);
    if (tn_avro_set_branch(f, false, &b) < 0) return TN_EINTERNAL;
    switch (rt->kind) {
    case TN_ICEBERG_BOOLEAN: return avro_value_set_boolean(&b, v->v.b) == 0 ? 0 : TN_EINTERNAL;
    case TN_ICEBERG_INT:
    case TN_ICEBERG_DATE: return avro_value_set_int(&b, (int32_t)v->v.i) == 0 ? 0 : TN_EINTERNAL;
    case TN_ICEBERG_LONG:
    case TN_ICEBERG_TIME:
    case TN_ICEBERG_TIMESTAMP:
    case TN_ICEBERG_TIMESTAMPTZ: return avro_value_set_long(&b, v->v.i) == 0 ? 0 : TN_EINTERNAL;
    case TN_ICEBERG_FLOAT: return avro_value_set_float(&b, v->v.f) == 0 ? 0 : TN_EINTERNAL;
    case TN_ICEBERG_DOUBLE: return avro_value_set_double(&b, v->v.d) == 0 ? 0 : TN_EINTERNAL;
    case TN_ICEBERG_STRING: {
        /* libavro wants a NUL-terminated copy. */
        char *s = tn_strndup(v->v.bytes.ptr, v->v.bytes.len);
        if (!s) return TN_ENOMEM;
        int rc = avro_value_set_string_len(&b, s, v->v.bytes.len + 1) == 0 ? 0 : TN_EINTERNAL;
        tn_free(s);
        return rc;
    }
    case TN_ICEBERG_DECIMAL: {
        int n = decimal_bytes(rt->precision);
        uint8_t buf[16];
        unsigned __int128 u = (unsigned __int128)v->v.dec;
        for (int i = n - 1; i >= 0; i--) {
            buf[i] = (uint8_t)u;
            u >>= 8;
        }
        return avro_value_set_fixed(&b, buf, (size_t)n) == 0 ? 0 : TN_EINTERNAL;
    }
    case TN_ICEBERG_UUID:
    case TN_ICEBERG_FIXED:
        return avro_value_set_fixed(&b, (void *)v->v.bytes.ptr, v->v.bytes.len) == 0 ? 0 : TN_EINTERNAL;
    default: return set_bytes_value(&b, v->v.bytes);
    }
}

/* Encodes a v2 manifest. */
int tn_manifest_encode(const tn_iceberg_schema *schema, const tn_iceberg_partition_spec *spec,
                       uint8_t content, const tn_manifest_entry *entries, size_t count,
                       tn_buf *out, tn_error *err)
{
    tn_buf avro_schema = TN_BUF_INIT, schema_json = TN_BUF_INIT, spec_json = TN_BUF_INIT;
    tn_avro_writer *w = NULL;
    char schema_id[16], spec_id[16];
    int rc = manifest_schema(&avro_schema, schema, spec);
    if (rc == 0) rc = tn_iceberg_schema_to_json_text(schema, &schema_json);
    if (rc == 0) {
        tn_iceberg_partition_spec empty = {0};
        rc = tn_iceberg_spec_fields_to_json_text(spec ? spec : &empty, &spec_json);
    }
    if (rc < 0 || !tn_buf_cstr(&avro_schema) || !tn_buf_cstr(&schema_json) || !tn_buf_cstr(&spec_json)) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(schema_id, sizeof schema_id, "%d", (int)schema->schema_id);
    snprintf(spec_id, sizeof spec_id, "%d", spec ? (int)spec->spec_id : 0);
    const char *meta[] = {"schema", schema_json.data, "schema-id", schema_id,
                          "partition-spec", spec_json.data, "partition-spec-id", spec_id,
                          "format-version", "2", "content", content ? "deletes" : "data", NULL, NULL};
    rc = tn_avro_writer_open(avro_schema.data, meta, &w, err);
    if (rc < 0) goto done;
    for (size_t i = 0; i < count; i++) {
        const tn_manifest_entry *e = &entries[i];
        const tn_iceberg_data_file *f = &e->file;
        avro_value_t *rec = tn_avro_writer_record(w);
        avro_value_t df, part;
        int bad = set_int(rec, "status", e->status);
        bad |= set_long(rec, "snapshot_id", e->snapshot_id);
        if (e->explicit_sequence) {
            bad |= set_long(rec, "sequence_number", e->sequence_number);
            bad |= set_long(rec, "file_sequence_number", e->file_sequence_number);
        } else {
            /* Left null so a retried commit inherits the sequence number it finally gets. */
            bad |= set_null(rec, "sequence_number");
            bad |= set_null(rec, "file_sequence_number");
        }
        bad |= set_field(rec, "data_file", &df);
        if (bad) goto encode_failed;
        bad |= set_int(&df, "content", f->content);
        bad |= set_string(&df, "file_path", f->file_path);
        bad |= set_string(&df, "file_format", f->file_format ? f->file_format : "PARQUET");
        bad |= set_field(&df, "partition", &part);
        for (uint32_t j = 0; !bad && spec && j < spec->field_count; j++) {
            avro_value_t pv;
            const tn_iceberg_field *src = tn_iceberg_schema_field(schema, spec->fields[j].source_id);
            tn_iceberg_type st = src ? src->type : (tn_iceberg_type){.kind = TN_ICEBERG_STRING};
            tn_iceberg_type rt = tn_transform_result_type(spec->fields[j].transform, &st);
            tn_iceberg_value nullv = {.is_null = true};
            const tn_iceberg_value *val = j < f->partition_count ? &f->partition[j] : &nullv;
            if (avro_value_get_by_index(&part, j, &pv, NULL) != 0) bad = 1;
            else bad |= write_partition_value(&pv, val, &rt) < 0;
        }
        bad |= set_long(&df, "record_count", f->record_count);
        bad |= set_long(&df, "file_size_in_bytes", f->file_size_in_bytes);
        bad |= write_stat_map(&df, "column_sizes", SF_SIZE, f) < 0;
        bad |= write_stat_map(&df, "value_counts", SF_VALUES, f) < 0;
        bad |= write_stat_map(&df, "null_value_counts", SF_NULLS, f) < 0;
        bad |= write_stat_map(&df, "nan_value_counts", SF_NANS, f) < 0;
        bad |= write_stat_map(&df, "lower_bounds", SF_LOWER, f) < 0;
        bad |= write_stat_map(&df, "upper_bounds", SF_UPPER, f) < 0;
        bad |= set_null(&df, "key_metadata");
        avro_value_t lf, arr, item;
        bad |= set_field(&df, "split_offsets", &lf);
        if (!bad) bad |= tn_avro_set_branch(&lf, f->split_offset_count == 0, &arr);
        for (uint32_t j = 0; !bad && j < f->split_offset_count; j++)
            bad |= avro_value_append(&arr, &item, NULL) != 0 || avro_value_set_long(&item, f->split_offsets[j]) != 0;
        bad |= set_field(&df, "equality_ids", &lf);
        if (!bad) bad |= tn_avro_set_branch(&lf, f->equality_id_count == 0, &arr);
        for (uint32_t j = 0; !bad && j < f->equality_id_count; j++)
            bad |= avro_value_append(&arr, &item, NULL) != 0 || avro_value_set_int(&item, f->equality_ids[j]) != 0;
        if (f->has_sort_order_id) bad |= set_int(&df, "sort_order_id", f->sort_order_id);
        else bad |= set_null(&df, "sort_order_id");
        bad |= set_string(&df, "referenced_data_file", f->referenced_data_file);
        if (bad) goto encode_failed;
        rc = tn_avro_writer_append(w, err);
        if (rc < 0) goto done;
        continue;
    encode_failed:
        rc = tn_error_set(err, TN_EINTERNAL, "cannot encode manifest entry for '%s': %s", f->file_path, avro_strerror());
        goto done;
    }
    rc = tn_avro_writer_finish(w, out, err);
done:
    tn_avro_writer_free(w);
    tn_buf_free(&avro_schema);
    tn_buf_free(&schema_json);
    tn_buf_free(&spec_json);
    return rc;
}
