/* SPDX-License-Identifier: Apache-2.0
 *
 * Table scans. Planning walks the snapshot's manifest list, skips manifests whose partition
 * summaries cannot match the predicates, skips data files whose partition values or column
 * bounds cannot match, and collects the delete files. Reading opens each data file with the
 * Parquet reader, maps its columns to the output schema by field id (by name when the file has
 * no field ids), fills columns the file predates with their initial default or NULL, widens
 * promoted types, and drops rows deleted by position deletes (data sequence number <= the
 * delete's) or equality deletes (data sequence number < the delete's, same partition unless
 * the delete is global).
 */
#include "lake/lake_int.h"

#include "formats/parquet/parquet.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define POS_DELETE_PATH_ID 2147483546
#define POS_DELETE_POS_ID 2147483545

/* Positions deleted in one data file, with the sequence number of the delete that said so. */
typedef struct pos_list {
    int64_t *pos;
    int64_t *seq;
    size_t count, cap;
} pos_list;

static void pos_list_sort(pos_list *pl);
static uint32_t parquet_predicates(tn_lake_scan *s, const tn_schema *fs, tn_parquet_predicate *out,
                                   uint32_t cap);

typedef struct eq_delete {
    int32_t *ids;
    uint32_t id_count;
    int64_t seq;
    bool global;         /* written with an unpartitioned spec */
    int32_t spec_id;
    const tn_iceberg_data_file *file;
    tn_hash *keys;       /* serialized key -> non-NULL */
} eq_delete;

typedef struct planned {
    const tn_iceberg_data_file *file;
    int64_t seq;
} planned;

typedef struct out_column {
    int32_t field_id;
    const tn_iceberg_field *field;
    tn_type type;
} out_column;

struct tn_lake_scan {
    tn_lake_table *table;
    const tn_iceberg_schema *schema; /* the schema read with */
    tn_schema *out_schema;
    out_column *cols;
    uint32_t col_count;
    uint32_t batch_rows;
    tn_lake_scan_stats stats;
    tn_manifest **manifests; /* kept so planned file pointers stay valid */
    size_t manifest_count;
    planned *files;
    size_t file_count, file_idx;
    tn_hash *pos_deletes; /* data file path -> pos_list* */
    eq_delete *eq;
    size_t eq_count;
    tn_lake_file_scan *reading; /* the file tn_lake_scan_next is in, or NULL */
    tn_hash *name_ids;  /* name-mapping: lower-cased name -> field id (files without ids) */
    tn_lake_predicate *preds; /* the options' predicates, for the Parquet reader */
    int32_t *pred_ids;        /* field id of each predicate's column, 0 = unknown */
    size_t pred_count;
};

/* One planned data file being read. Everything it reads of its scan was settled by
 * tn_lake_scan_open; only the scan's stats change, atomically, so that several files of one
 * scan can be read at once. */
struct tn_lake_file_scan {
    tn_lake_scan *scan;
    const planned *file;
    tn_parquet_file *pq;
    tn_parquet_scan *pqs;
    int *file_col;          /* per output column: index in the projected file batch, -1 = absent */
    int32_t *proj_ids;      /* field id per projected file column */
    uint32_t proj_count;
    int64_t row_base;       /* position in the file of the next row read */
    eq_delete **eq;         /* the equality deletes that apply to this file */
    size_t eq_count;
    const pos_list *pos;    /* its deleted positions, or NULL */
};

/* ------------------------------------------------------------------------------------------
 * Predicates against bounds
 * ---------------------------------------------------------------------------------------- */

static bool is_float_kind(uint8_t k) { return k == TN_ICEBERG_FLOAT || k == TN_ICEBERG_DOUBLE; }
static bool is_bytes_kind(uint8_t k)
{
    return k == TN_ICEBERG_STRING || k == TN_ICEBERG_BINARY || k == TN_ICEBERG_FIXED || k == TN_ICEBERG_UUID;
}

/* Compares a bound (of the column's kind) with a literal of possibly another numeric kind. */
static int lit_cmp(const tn_iceberg_value *a, const tn_iceberg_value *b)
{
    if (is_float_kind(a->kind) || is_float_kind(b->kind)) {
        double x = a->kind == TN_ICEBERG_FLOAT ? a->v.f : a->kind == TN_ICEBERG_DOUBLE ? a->v.d : (double)a->v.i;
        double y = b->kind == TN_ICEBERG_FLOAT ? b->v.f : b->kind == TN_ICEBERG_DOUBLE ? b->v.d : (double)b->v.i;
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a->kind == TN_ICEBERG_DECIMAL || b->kind == TN_ICEBERG_DECIMAL) {
        tn_iceberg_value x = *a, y = *b;
        if (x.kind != TN_ICEBERG_DECIMAL) { x.v.dec = x.v.i; x.scale = 0; x.kind = TN_ICEBERG_DECIMAL; }
        if (y.kind != TN_ICEBERG_DECIMAL) { y.v.dec = y.v.i; y.scale = 0; y.kind = TN_ICEBERG_DECIMAL; }
        return tn_iceberg_value_cmp(&x, &y);
    }
    if (is_bytes_kind(a->kind) != is_bytes_kind(b->kind)) return 0; /* incomparable: keep */
    if (is_bytes_kind(a->kind)) return tn_str_cmp(a->v.bytes, b->v.bytes);
    if (a->kind == TN_ICEBERG_BOOLEAN || b->kind == TN_ICEBERG_BOOLEAN) return (int)a->v.b - (int)b->v.b;
    return a->v.i < b->v.i ? -1 : a->v.i > b->v.i ? 1 : 0;
}

/* Whether [lo, hi] (either may be absent) may hold a value satisfying `op lit`. */
static bool range_may_match(const tn_iceberg_value *lo, const tn_iceberg_value *hi, int op,
                            const tn_iceberg_value *lit)
{
    switch (op) {
    case TN_LAKE_EQ: return !(lo && lit_cmp(lo, lit) > 0) && !(hi && lit_cmp(hi, lit) < 0);
    case TN_LAKE_LT: return !(lo && lit_cmp(lo, lit) >= 0);
    case TN_LAKE_LE: return !(lo && lit_cmp(lo, lit) > 0);
    case TN_LAKE_GT: return !(hi && lit_cmp(hi, lit) <= 0);
    case TN_LAKE_GE: return !(hi && lit_cmp(hi, lit) < 0);
    case TN_LAKE_NE: return !(lo && hi && lit_cmp(lo, lit) == 0 && lit_cmp(hi, lit) == 0);
    default: return true;
    }
}

/* Transforms a literal for a partition field; false when the projection is not usable. */
static bool project_literal(const tn_iceberg_partition_field *pf, const tn_iceberg_field *src, int op,
                            const tn_iceberg_value *lit, tn_iceberg_value *out, int *out_op)
{
    uint8_t k = pf->transform.kind;
    *out_op = op;
    if (op == TN_LAKE_IS_NULL || op == TN_LAKE_IS_NOT_NULL) return k != TN_TRANSFORM_UNKNOWN && k != TN_TRANSFORM_VOID;
    if (k == TN_TRANSFORM_UNKNOWN || k == TN_TRANSFORM_VOID) return false;
    if (k == TN_TRANSFORM_BUCKET && op != TN_LAKE_EQ) return false;
    if (op == TN_LAKE_NE && k != TN_TRANSFORM_IDENTITY) return false;
    tn_iceberg_value in = *lit;
    /* Give the literal the source column's kind so the transform sees the right type. */
    if (!is_bytes_kind(in.kind) && !is_float_kind(in.kind) && in.kind != TN_ICEBERG_DECIMAL &&
        !is_float_kind(src->type.kind) && !is_bytes_kind(src->type.kind) && src->type.kind != TN_ICEBERG_DECIMAL &&
        src->type.kind != TN_ICEBERG_BOOLEAN)
        in.kind = src->type.kind;
    if (k == TN_TRANSFORM_IDENTITY) {
        *out = in;
        return true;
    }
    if (in.kind != src->type.kind) return false;
    in.scale = src->type.scale;
    if (tn_transform_apply(pf->transform, &in, out) < 0) return false;
    /* Truncating and bucketing lose order inside a partition: strict bounds become inclusive. */
    if (op == TN_LAKE_LT) *out_op = TN_LAKE_LE;
    if (op == TN_LAKE_GT) *out_op = TN_LAKE_GE;
    return true;
}

static const tn_iceberg_field *pred_field(const tn_iceberg_schema *schema, const tn_lake_predicate *p)
{
    return tn_iceberg_schema_field_by_name(schema, p->column);
}

/* Whether a manifest may hold matching files (partition summaries). */
static bool manifest_may_match(tn_lake_scan *s, const tn_manifest_file *mf, const tn_lake_scan_options *o)
{
    if (mf->content != 0 || mf->partition_count == 0) return true;
    const tn_iceberg_partition_spec *spec = tn_iceberg_metadata_spec(s->table->md, mf->partition_spec_id);
    if (!spec) return true;
    for (size_t i = 0; i < o->predicate_count; i++) {
        const tn_lake_predicate *p = &o->predicates[i];
        const tn_iceberg_field *f = pred_field(s->schema, p);
        if (!f) continue;
        for (uint32_t j = 0; j < spec->field_count && j < mf->partition_count; j++) {
            const tn_iceberg_partition_field *pf = &spec->fields[j];
            if (pf->source_id != f->id) continue;
            const tn_field_summary *fs = &mf->partitions[j];
            if (p->op == TN_LAKE_IS_NULL) {
                if (!fs->contains_null) return false;
                continue;
            }
            if (p->op == TN_LAKE_IS_NOT_NULL) {
                if (!fs->has_lower && !fs->has_upper && fs->contains_null && fs->contains_nan <= 0) return false;
                continue;
            }
            tn_iceberg_value lit;
            int op;
            if (!project_literal(pf, f, p->op, &p->value, &lit, &op)) continue;
            if (!fs->has_lower && !fs->has_upper) {
                if (fs->contains_nan <= 0) return false; /* only nulls */
                continue;
            }
            tn_iceberg_type rt = tn_transform_result_type(pf->transform, &f->type);
            tn_iceberg_value lo, hi;
            bool has_lo = fs->has_lower && tn_iceberg_value_from_bytes(&rt, fs->lower.ptr, fs->lower.len, &lo) == 0;
            bool has_hi = fs->has_upper && tn_iceberg_value_from_bytes(&rt, fs->upper.ptr, fs->upper.len, &hi) == 0;
            if (!range_may_match(has_lo ? &lo : NULL, has_hi ? &hi : NULL, op, &lit)) return false;
        }
    }
    return true;
}

/* Whether a data file may hold matching rows (partition values and column metrics). */
static bool file_may_match(tn_lake_scan *s, const tn_iceberg_data_file *file, const tn_lake_scan_options *o)
{
    const tn_iceberg_partition_spec *spec = tn_iceberg_metadata_spec(s->table->md, file->spec_id);
    for (size_t i = 0; i < o->predicate_count; i++) {
        const tn_lake_predicate *p = &o->predicates[i];
        const tn_iceberg_field *f = pred_field(s->schema, p);
        if (!f) continue;
        for (uint32_t j = 0; spec && j < spec->field_count && j < file->partition_count; j++) {
            const tn_iceberg_partition_field *pf = &spec->fields[j];
            if (pf->source_id != f->id) continue;
            const tn_iceberg_value *pv = &file->partition[j];
            if (p->op == TN_LAKE_IS_NULL) {
                if (!pv->is_null && pf->transform.kind != TN_TRANSFORM_UNKNOWN && pf->transform.kind != TN_TRANSFORM_VOID) return false;
                continue;
            }
            if (p->op == TN_LAKE_IS_NOT_NULL) {
                if (pv->is_null && pf->transform.kind == TN_TRANSFORM_IDENTITY) return false;
                continue;
            }
            tn_iceberg_value lit;
            int op;
            if (!project_literal(pf, f, p->op, &p->value, &lit, &op)) continue;
            if (pv->is_null) return false;
            if (!range_may_match(pv, pv, op, &lit)) return false;
        }
        const tn_iceberg_column_stats *st = NULL;
        for (uint32_t j = 0; j < file->stats_count; j++)
            if (file->stats[j].field_id == f->id) st = &file->stats[j];
        if (!st) continue;
        bool all_null = st->value_count >= 0 && st->null_count >= 0 && st->value_count == st->null_count;
        if (p->op == TN_LAKE_IS_NULL) {
            if (st->null_count == 0) return false;
            continue;
        }
        if (p->op == TN_LAKE_IS_NOT_NULL) {
            if (all_null) return false;
            continue;
        }
        if (all_null) return false;
        if (p->op == TN_LAKE_NE) continue;
        tn_iceberg_value lo, hi;
        bool has_lo = st->has_lower && tn_iceberg_value_from_bytes(&f->type, st->lower.ptr, st->lower.len, &lo) == 0;
        bool has_hi = st->has_upper && tn_iceberg_value_from_bytes(&f->type, st->upper.ptr, st->upper.len, &hi) == 0;
        /* Truncated string bounds are still valid bounds for comparisons. */
        if (!range_may_match(has_lo ? &lo : NULL, has_hi ? &hi : NULL, p->op, &p->value)) return false;
    }
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Opening Parquet files and mapping their columns
 * ---------------------------------------------------------------------------------------- */

static int open_parquet(tn_lake_scan *s, const char *location, tn_parquet_file **out, tn_error *err)
{
    char *path = NULL;
    int rc = tn_lake_resolve_path(s->table->lake, location, &path, err);
    if (rc < 0) return rc;
    tn_parquet_source src;
    rc = tn_parquet_source_open_file(path, &src, err);
    tn_free(path);
    if (rc < 0) return rc;
    return tn_parquet_file_open(&src, out, err);
}

static void lower_copy(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++) dst[i] = (char)((src[i] >= 'A' && src[i] <= 'Z') ? src[i] + 32 : src[i]);
    dst[i] = '\0';
}

static int add_name_mapping(tn_hash *h, json_t *arr, int depth)
{
    if (!json_is_array(arr) || depth > 8) return 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        json_t *id = json_object_get(e, "field-id");
        json_t *names = json_object_get(e, "names");
        if (!json_is_integer(id) || !json_is_array(names) || depth > 0) continue;
        for (size_t j = 0; j < json_array_size(names); j++) {
            const char *n = json_string_value(json_array_get(names, j));
            if (!n) continue;
            char low[256];
            lower_copy(low, sizeof low, n);
            if (tn_hash_put(h, low, strlen(low), (void *)(intptr_t)json_integer_value(id)) < 0) return TN_ENOMEM;
        }
    }
    return 0;
}

/* Field id of a file column: its own, or by name (name mapping, then the read schema). */
static int32_t file_column_id(tn_lake_scan *s, const tn_column *c)
{
    if (c->field_id) return c->field_id;
    char low[256];
    lower_copy(low, sizeof low, c->name);
    void *v = NULL;
    if (s->name_ids && tn_hash_get(s->name_ids, low, strlen(low), &v)) return (int32_t)(intptr_t)v;
    const tn_iceberg_field *f = tn_iceberg_schema_field_by_name(s->schema, c->name);
    return f ? f->id : 0;
}

/* ------------------------------------------------------------------------------------------
 * Delete files
 * ---------------------------------------------------------------------------------------- */

static void free_pos_list(pos_list *p)
{
    if (!p) return;
    tn_free(p->pos);
    tn_free(p->seq);
    tn_free(p);
}

/* Reads the given field ids of a file; calls fn per batch with the column index of each id
 * (-1 when the file lacks it). */
typedef int (*batch_fn)(void *ctx, tn_batch *b, const int *idx, tn_error *err);

static int read_columns(tn_lake_scan *s, const char *location, const int32_t *ids, uint32_t n,
                        batch_fn fn, void *ctx, tn_error *err)
{
    tn_parquet_file *pq = NULL;
    int rc = open_parquet(s, location, &pq, err);
    if (rc < 0) return rc;
    const tn_schema *fs = tn_parquet_file_schema(pq);
    uint32_t *proj = tn_calloc(n + 1, sizeof *proj);
    int *idx = tn_calloc(n + 1, sizeof *idx);
    uint32_t np = 0;
    tn_parquet_scan *scan = NULL;
    if (!proj || !idx) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        idx[i] = -1;
        for (uint32_t c = 0; c < fs->column_count; c++) {
            int32_t id = fs->columns[c].field_id;
            if (!id) {
                if (ids[i] == POS_DELETE_PATH_ID && strcmp(fs->columns[c].name, "file_path") == 0) id = ids[i];
                else if (ids[i] == POS_DELETE_POS_ID && strcmp(fs->columns[c].name, "pos") == 0) id = ids[i];
                else id = file_column_id(s, &fs->columns[c]);
            }
            if (id == ids[i]) {
                idx[i] = (int)np;
                proj[np++] = c;
                break;
            }
        }
    }
    tn_parquet_scan_options so = {0};
    so.columns = proj;
    so.column_count = np;
    so.threads = 1;
    if (np == 0) {
        /* Nothing to read (every column is missing): report the rows as all-NULL. */
        rc = 0;
        goto done;
    }
    rc = tn_parquet_scan_open(pq, &so, &scan, err);
    while (rc == 0) {
        tn_batch *b = NULL;
        rc = tn_parquet_scan_next(scan, &b, err);
        if (rc < 0 || !b) break;
        rc = fn(ctx, b, idx, err);
        tn_batch_free(b);
    }
done:
    tn_parquet_scan_close(scan);
    tn_parquet_file_close(pq);
    tn_free(proj);
    tn_free(idx);
    return rc;
}

typedef struct pos_ctx {
    tn_lake_scan *s;
    int64_t seq;
} pos_ctx;

/* The position list of a data file, created on first use. */
static pos_list *pos_list_for(tn_lake_scan *s, const char *path, size_t len, tn_error *err)
{
    void *v = NULL;
    if (tn_hash_get(s->pos_deletes, path, len, &v)) return v;
    pos_list *pl = tn_calloc(1, sizeof *pl);
    if (!pl || tn_hash_put(s->pos_deletes, path, len, pl) < 0) {
        tn_free(pl);
        tn_error_set(err, TN_ENOMEM, "out of memory");
        return NULL;
    }
    return pl;
}

static int pos_list_add(pos_list *pl, int64_t pos, int64_t seq, tn_error *err)
{
    if (pl->count == pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 64;
        int64_t *np = tn_realloc(pl->pos, cap * sizeof *np);
        if (!np) return tn_error_set(err, TN_ENOMEM, "out of memory");
        pl->pos = np;
        int64_t *ns = tn_realloc(pl->seq, cap * sizeof *ns);
        if (!ns) return tn_error_set(err, TN_ENOMEM, "out of memory");
        pl->seq = ns;
        pl->cap = cap;
    }
    pl->pos[pl->count] = pos;
    pl->seq[pl->count] = seq;
    pl->count++;
    return 0;
}

static int pos_batch(void *ctx, tn_batch *b, const int *idx, tn_error *err)
{
    pos_ctx *p = ctx;
    if (idx[0] < 0 || idx[1] < 0) return tn_error_set(err, TN_ECORRUPT, "position delete file lacks file_path or pos");
    const tn_vector *path = &b->columns[idx[0]], *pos = &b->columns[idx[1]];
    if (!tn_type_is_varlen(path->type) || (pos->type.id != TN_TYPE_BIGINT && pos->type.id != TN_TYPE_INTEGER))
        return tn_error_set(err, TN_ECORRUPT, "position delete file has wrong column types");
    for (uint32_t r = 0; r < b->row_count; r++) {
        if (!tn_vector_is_valid(path, r) || !tn_vector_is_valid(pos, r)) continue;
        tn_str key = tn_vector_get_str(path, r);
        pos_list *pl = pos_list_for(p->s, key.ptr, key.len, err);
        if (!pl) return -1;
        int64_t at = pos->type.id == TN_TYPE_BIGINT ? tn_vector_i64(pos)[r] : tn_vector_i32(pos)[r];
        if (pos_list_add(pl, at, p->seq, err) < 0) return -1;
    }
    return 0;
}

/* A v3 deletion vector: the blob at content_offset in a Puffin file (or the whole file, for the
 * bare blobs older writers made), applying to referenced_data_file. */
static int load_deletion_vector(tn_lake_scan *s, const tn_manifest_entry *e, tn_error *err)
{
    const tn_iceberg_data_file *f = &e->file;
    if (f->content != TN_CONTENT_POSITION_DELETES || !f->referenced_data_file)
        return tn_error_set_at(err, TN_ECORRUPT, f->file_path, 0, 0,
                               "a Puffin delete file must be a deletion vector with a referenced_data_file");
    /* A Puffin file holds the vectors of many data files: read only this blob. Bare blobs
     * (older writers) have no offset and are the whole file. */
    char *data = NULL;
    size_t len = 0;
    int rc;
    if (f->has_content_offset && f->content_size_in_bytes >= 0) {
        if (f->content_offset < 0)
            return tn_error_set_at(err, TN_ECORRUPT, f->file_path, 0, 0, "deletion vector at a negative offset");
        char *path = NULL;
        rc = tn_lake_resolve_path(s->table->lake, f->file_path, &path, err);
        if (rc == 0) rc = tn_file_read_range(path, (uint64_t)f->content_offset, (size_t)f->content_size_in_bytes,
                                             &data, err);
        tn_free(path);
        len = (size_t)f->content_size_in_bytes;
    } else {
        rc = tn_lake_read_location(s->table->lake, f->file_path, &data, &len, err);
    }
    if (rc < 0) return rc;
    int64_t *positions = NULL;
    size_t count = 0;
    rc = tn_deletion_vector_decode(data, len, f->file_path, f->record_count, &positions, &count, err);
    tn_free(data);
    if (rc < 0) return rc;
    pos_list *pl = pos_list_for(s, f->referenced_data_file, strlen(f->referenced_data_file), err);
    for (size_t i = 0; pl && i < count && rc == 0; i++) rc = pos_list_add(pl, positions[i], e->sequence_number, err);
    tn_free(positions);
    return pl ? rc : -1;
}

/* Serialises the values of key columns of one row (kinds from the read schema). */
static int row_key(tn_lake_scan *s, tn_batch *b, const int *idx, const int32_t *ids, uint32_t n, uint32_t row,
                   tn_buf *key)
{
    tn_buf_clear(key);
    for (uint32_t i = 0; i < n; i++) {
        const tn_iceberg_field *f = tn_iceberg_schema_field(s->schema, ids[i]);
        tn_iceberg_value v = {.is_null = true};
        if (idx[i] >= 0) tn_iceberg_value_from_vector(&b->columns[idx[i]], row, f ? f->type.kind : TN_ICEBERG_STRING, &v);
        /* Integers of promoted columns must compare equal whatever their width. */
        if (v.kind == TN_ICEBERG_INT) v.kind = TN_ICEBERG_LONG;
        if (v.kind == TN_ICEBERG_FLOAT && !v.is_null) {
            v.kind = TN_ICEBERG_DOUBLE;
            v.v.d = v.v.f;
        }
        int rc = tn_buf_putc(key, v.is_null ? 'N' : 'V');
        if (rc == 0 && !v.is_null) rc = tn_iceberg_value_to_bytes(&v, key);
        if (rc == 0) rc = tn_buf_printf(key, "|%zu|", key->len);
        if (rc < 0) return rc;
    }
    return 0;
}

typedef struct eq_ctx {
    tn_lake_scan *s;
    eq_delete *d;
    tn_buf key;
} eq_ctx;

static int eq_batch(void *ctx, tn_batch *b, const int *idx, tn_error *err)
{
    eq_ctx *e = ctx;
    for (uint32_t r = 0; r < b->row_count; r++) {
        if (row_key(e->s, b, idx, e->d->ids, e->d->id_count, r, &e->key) < 0 ||
            tn_hash_put(e->d->keys, e->key.data, e->key.len, (void *)1) < 0)
            return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    return 0;
}

static int load_deletes(tn_lake_scan *s, const tn_manifest_entry *e, tn_error *err)
{
    const tn_iceberg_data_file *f = &e->file;
    if (f->file_format && tn_str_eq_nocase(tn_str_c(f->file_format), TN_STR_LIT("puffin"))) {
        s->stats.delete_files++;
        return load_deletion_vector(s, e, err);
    }
    if (f->file_format && !tn_str_eq_nocase(tn_str_c(f->file_format), TN_STR_LIT("parquet")))
        return tn_error_set_at(err, TN_EUNSUPPORTED, f->file_path, 0, 0,
                               "delete files in %s format are not supported (Parquet and Puffin are)",
                               f->file_format);
    s->stats.delete_files++;
    if (f->content == TN_CONTENT_POSITION_DELETES) {
        pos_ctx p = {s, e->sequence_number};
        int32_t ids[2] = {POS_DELETE_PATH_ID, POS_DELETE_POS_ID};
        return read_columns(s, f->file_path, ids, 2, pos_batch, &p, err);
    }
    if (f->equality_id_count == 0)
        return tn_error_set_at(err, TN_ECORRUPT, f->file_path, 0, 0, "equality delete file without equality_ids");
    eq_delete *list = tn_realloc(s->eq, (s->eq_count + 1) * sizeof *list);
    if (!list) return tn_error_set(err, TN_ENOMEM, "out of memory");
    s->eq = list;
    eq_delete *d = &list[s->eq_count];
    memset(d, 0, sizeof *d);
    d->ids = f->equality_ids;
    d->id_count = f->equality_id_count;
    d->seq = e->sequence_number;
    d->spec_id = f->spec_id;
    d->file = f;
    const tn_iceberg_partition_spec *spec = tn_iceberg_metadata_spec(s->table->md, f->spec_id);
    d->global = !spec || spec->field_count == 0;
    d->keys = tn_hash_new(64);
    if (!d->keys) return tn_error_set(err, TN_ENOMEM, "out of memory");
    s->eq_count++;
    eq_ctx c = {s, d, TN_BUF_INIT};
    int rc = read_columns(s, f->file_path, d->ids, d->id_count, eq_batch, &c, err);
    tn_buf_free(&c.key);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Planning
 * ---------------------------------------------------------------------------------------- */

static int plan(tn_lake_scan *s, const tn_iceberg_snapshot *snap, const tn_lake_scan_options *o, tn_error *err)
{
    tn_manifest_list *list = NULL;
    int rc = tn_lake_snapshot_manifests(s->table->lake, s->table->md, snap, &list, err);
    if (rc < 0) return rc;
    size_t cap = 0;
    s->manifests = tn_calloc(list->count + 1, sizeof *s->manifests);
    if (!s->manifests) {
        tn_manifest_list_free(list);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    /* Delete manifests first (the spec's order), then data. */
    for (int pass = 1; pass >= 0 && rc == 0; pass--) {
        for (uint32_t i = 0; i < list->count && rc == 0; i++) {
            const tn_manifest_file *mf = &list->manifests[i];
            if ((mf->content ? 1 : 0) != pass) continue;
            s->stats.manifests_total++;
            if (pass == 0 && !manifest_may_match(s, mf, o)) {
                s->stats.manifests_skipped++;
                continue;
            }
            tn_manifest *m = NULL;
            rc = tn_lake_load_manifest(s->table->lake, s->table->md, mf, &m, err);
            if (rc < 0) break;
            s->manifests[s->manifest_count++] = m;
            for (uint32_t j = 0; j < m->count && rc == 0; j++) {
                const tn_manifest_entry *e = &m->entries[j];
                if (e->status == TN_ENTRY_DELETED) continue;
                if (e->file.content != TN_CONTENT_DATA) {
                    rc = load_deletes(s, e, err);
                    continue;
                }
                s->stats.files_total++;
                if (!file_may_match(s, &e->file, o)) {
                    s->stats.files_skipped++;
                    continue;
                }
                if (s->file_count == cap) {
                    cap = cap ? cap * 2 : 64;
                    planned *p = tn_realloc(s->files, cap * sizeof *p);
                    if (!p) {
                        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                        break;
                    }
                    s->files = p;
                }
                s->files[s->file_count].file = &e->file;
                s->files[s->file_count].seq = e->sequence_number;
                s->file_count++;
            }
        }
    }
    tn_manifest_list_free(list);
    return rc;
}

static bool same_partition(const tn_iceberg_data_file *a, const tn_iceberg_data_file *b)
{
    if (a->spec_id != b->spec_id || a->partition_count != b->partition_count) return false;
    for (uint32_t i = 0; i < a->partition_count; i++)
        if (!tn_iceberg_value_eq(&a->partition[i], &b->partition[i])) return false;
    return true;
}

/* Opens a scan. */
int tn_lake_scan_open(tn_lake_table *table, const tn_lake_scan_options *opts, tn_lake_scan **out,
                      tn_error *err)
{
    *out = NULL;
    tn_lake_scan_options o = {0};
    if (opts) o = *opts;
    const tn_iceberg_metadata *md = table->md;
    const tn_iceberg_snapshot *snap = NULL;
    if (o.has_snapshot_id) {
        snap = tn_iceberg_metadata_snapshot(md, o.snapshot_id);
        if (!snap)
            return tn_error_set(err, TN_ENOENT, "table '%s' has no snapshot %lld", table->name, (long long)o.snapshot_id);
    } else if (o.has_as_of_ms) {
        snap = tn_iceberg_metadata_snapshot_at(md, o.as_of_ms);
        if (!snap)
            return tn_error_set(err, TN_ENOENT, "table '%s' had no snapshot at %lld ms (before its first commit, or "
                                "the history was expired)", table->name, (long long)o.as_of_ms);
    } else {
        snap = tn_iceberg_metadata_current_snapshot(md);
    }
    tn_lake_scan *s = tn_calloc(1, sizeof *s);
    if (!s) return tn_error_set(err, TN_ENOMEM, "out of memory");
    s->table = table;
    s->batch_rows = o.batch_rows ? o.batch_rows : TN_BATCH_ROWS;
    s->schema = tn_iceberg_metadata_current_schema(md);
    if ((o.has_snapshot_id || o.has_as_of_ms) && snap && snap->has_schema_id) {
        const tn_iceberg_schema *ss = tn_iceberg_metadata_schema(md, snap->schema_id);
        if (ss) s->schema = ss;
    }
    int rc = 0;
    s->pos_deletes = tn_hash_new(16);
    s->out_schema = tn_schema_new();
    s->cols = tn_calloc(s->schema->field_count + 1, sizeof *s->cols);
    if (!s->pos_deletes || !s->out_schema || !s->cols) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto fail;
    }
    if (md->name_mapping) {
        json_t *nm = json_loads(md->name_mapping, 0, NULL);
        s->name_ids = tn_hash_new(16);
        if (s->name_ids && nm) add_name_mapping(s->name_ids, nm, 0);
        json_decref(nm);
    }
    if (o.columns) {
        for (size_t i = 0; i < o.column_count; i++) {
            const tn_iceberg_field *f = tn_iceberg_schema_field_by_name(s->schema, o.columns[i]);
            tn_type t;
            if (!f || !tn_iceberg_type_to_tn(&f->type, &t)) {
                rc = tn_error_set(err, TN_ENOENT, "column '%s' is not a readable column of table '%s'", o.columns[i],
                                  table->name);
                tn_error_set_key(err, o.columns[i]);
                goto fail;
            }
            s->cols[s->col_count++] = (out_column){f->id, f, t};
        }
    } else {
        for (uint32_t i = 0; i < s->schema->field_count; i++) {
            const tn_iceberg_field *f = &s->schema->fields[i];
            tn_type t;
            if (!tn_iceberg_type_to_tn(&f->type, &t)) continue;
            s->cols[s->col_count++] = (out_column){f->id, f, t};
        }
    }
    for (uint32_t i = 0; i < s->col_count; i++) {
        if (tn_schema_add(s->out_schema, s->cols[i].field->name, s->cols[i].type, !s->cols[i].field->required) < 0) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            goto fail;
        }
        s->out_schema->columns[i].field_id = s->cols[i].field_id;
    }
    if (o.predicate_count) {
        /* kept for the Parquet reader of each file; nanosecond and time columns compare
         * in other units than their literals, so they only prune on the manifests */
        s->preds = tn_calloc(o.predicate_count, sizeof *s->preds);
        s->pred_ids = tn_calloc(o.predicate_count, sizeof *s->pred_ids);
        if (!s->preds || !s->pred_ids) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < o.predicate_count; i++) {
            const tn_iceberg_field *f = pred_field(s->schema, &o.predicates[i]);
            uint8_t k = f ? f->type.kind : 0;
            bool ns = k == TN_ICEBERG_TIMESTAMP_NS || k == TN_ICEBERG_TIMESTAMPTZ_NS;
            tn_lake_predicate *p = &s->preds[i];
            *p = o.predicates[i];
            if (ns && (p->value.kind == TN_ICEBERG_TIMESTAMP || p->value.kind == TN_ICEBERG_TIMESTAMPTZ)) {
                /* a microsecond literal (as tarn reads such columns) against nanosecond bounds */
                p->value.kind = k;
                p->value.v.i = p->value.v.i > INT64_MAX / 1000 ? INT64_MAX
                               : p->value.v.i < INT64_MIN / 1000 ? INT64_MIN : p->value.v.i * 1000;
            }
            s->pred_ids[i] = f && !ns && k != TN_ICEBERG_TIME ? f->id : 0;
        }
        s->pred_count = o.predicate_count;
        o.predicates = s->preds;
    }
    if (snap) {
        rc = plan(s, snap, &o, err);
        if (rc < 0) goto fail;
    }
    /* Sorted now, so that reading only looks them up, from any number of files at once. */
    size_t at = 0;
    tn_str path;
    void *list;
    while (tn_hash_next(s->pos_deletes, &at, &path, &list)) pos_list_sort(list);
    *out = s;
    return 0;
fail:
    tn_lake_scan_close(s);
    return rc;
}

int tn_lake_scan_plan_row_groups(tn_lake_scan *s, tn_error *err)
{
    for (size_t i = 0; i < s->file_count; i++) {
        const tn_iceberg_data_file *file = s->files[i].file;
        tn_parquet_file *pq = NULL;
        int rc = open_parquet(s, file->file_path, &pq, err);
        if (rc < 0) return rc;
        const tn_schema *fs = tn_parquet_file_schema(pq);
        void *v = NULL;
        bool has_pos = tn_hash_get(s->pos_deletes, file->file_path, strlen(file->file_path), &v);
        tn_parquet_predicate preds[64];
        uint32_t first = 0;
        tn_parquet_scan_options so = {0};
        so.columns = &first;
        so.column_count = fs->column_count ? 1 : 0;
        so.predicates = preds;
        so.predicate_count = has_pos ? 0 : parquet_predicates(s, fs, preds, 64);
        so.threads = 1;
        tn_parquet_scan *scan = NULL;
        rc = tn_parquet_scan_open(pq, &so, &scan, err);
        if (rc == 0) {
            tn_parquet_scan_stats st;
            tn_parquet_scan_get_stats(scan, &st);
            s->stats.row_groups += st.row_groups;
            s->stats.row_groups_pruned += st.row_groups_pruned;
            s->stats.rows_total += st.rows_total;
            s->stats.rows_pruned += st.rows_pruned;
        }
        tn_parquet_scan_close(scan);
        tn_parquet_file_close(pq);
        if (rc < 0) return rc;
    }
    return 0;
}

const tn_schema *tn_lake_scan_schema(const tn_lake_scan *s) { return s->out_schema; }
const tn_lake_scan_stats *tn_lake_scan_get_stats(const tn_lake_scan *s) { return &s->stats; }

/* ------------------------------------------------------------------------------------------
 * Reading
 * ---------------------------------------------------------------------------------------- */

static void stat_add(int64_t *stat, int64_t n) { __atomic_add_fetch(stat, n, __ATOMIC_RELAXED); }

/* Closes a file scan, adding what its Parquet scan pruned to the scan's stats. */
void tn_lake_file_scan_close(tn_lake_file_scan *f)
{
    if (!f) return;
    if (f->pqs) {
        tn_parquet_scan_stats st;
        tn_parquet_scan_get_stats(f->pqs, &st);
        tn_lake_scan_stats *ss = &f->scan->stats;
        stat_add(&ss->row_groups, st.row_groups);
        stat_add(&ss->row_groups_pruned, st.row_groups_pruned);
        stat_add(&ss->pages_pruned, st.pages_pruned);
        stat_add(&ss->rows_total, st.rows_total);
        stat_add(&ss->rows_pruned, st.rows_pruned);
    }
    tn_parquet_scan_close(f->pqs);
    tn_parquet_file_close(f->pq);
    tn_free(f->file_col);
    tn_free(f->proj_ids);
    tn_free(f->eq);
    tn_free(f);
}

/* The scan's predicates as Parquet predicates over this file's columns: those whose column
 * the file has (by field id) with a literal of the file column's type family. */
static uint32_t parquet_predicates(tn_lake_scan *s, const tn_schema *fs, tn_parquet_predicate *out,
                                   uint32_t cap)
{
    static const int ops[] = {[TN_LAKE_EQ] = TN_PARQUET_OP_EQ,          [TN_LAKE_NE] = -1,
                              [TN_LAKE_LT] = TN_PARQUET_OP_LT,          [TN_LAKE_LE] = TN_PARQUET_OP_LE,
                              [TN_LAKE_GT] = TN_PARQUET_OP_GT,          [TN_LAKE_GE] = TN_PARQUET_OP_GE,
                              [TN_LAKE_IS_NULL] = TN_PARQUET_OP_IS_NULL,
                              [TN_LAKE_IS_NOT_NULL] = TN_PARQUET_OP_IS_NOT_NULL};
    uint32_t n = 0;
    for (size_t i = 0; i < s->pred_count && n < cap; i++) {
        const tn_lake_predicate *p = &s->preds[i];
        if (!s->pred_ids[i] || p->op < TN_LAKE_EQ || p->op > TN_LAKE_IS_NOT_NULL || ops[p->op] < 0) continue;
        int col = -1;
        for (uint32_t c = 0; c < fs->column_count && col < 0; c++)
            if (file_column_id(s, &fs->columns[c]) == s->pred_ids[i]) col = (int)c;
        if (col < 0) continue;
        tn_parquet_predicate *q = &out[n];
        memset(q, 0, sizeof *q);
        q->column = (uint32_t)col;
        q->op = ops[p->op];
        const tn_iceberg_value *v = &p->value;
        bool ok = p->op == TN_LAKE_IS_NULL || p->op == TN_LAKE_IS_NOT_NULL;
        bool integral = v->kind == TN_ICEBERG_INT || v->kind == TN_ICEBERG_LONG;
        switch (ok ? 0 : fs->columns[col].type.id) {
        case 0: break;
        case TN_TYPE_BOOLEAN: ok = v->kind == TN_ICEBERG_BOOLEAN; q->value.i = v->v.b; break;
        case TN_TYPE_INTEGER:
        case TN_TYPE_BIGINT: ok = integral; q->value.i = v->v.i; break;
        case TN_TYPE_DATE: ok = v->kind == TN_ICEBERG_DATE; q->value.i = v->v.i; break;
        case TN_TYPE_TIMESTAMP:
        case TN_TYPE_TIMESTAMPTZ:
            ok = v->kind == TN_ICEBERG_TIMESTAMP || v->kind == TN_ICEBERG_TIMESTAMPTZ;
            q->value.i = v->v.i;
            break;
        case TN_TYPE_REAL:
        case TN_TYPE_DOUBLE:
            ok = integral || is_float_kind(v->kind);
            q->value.d = integral ? (double)v->v.i : v->kind == TN_ICEBERG_FLOAT ? v->v.f : v->v.d;
            break;
        case TN_TYPE_DECIMAL:
            ok = v->kind == TN_ICEBERG_DECIMAL && v->scale == fs->columns[col].type.scale;
            q->value.dec = v->v.dec;
            break;
        case TN_TYPE_VARCHAR: ok = v->kind == TN_ICEBERG_STRING; q->value.s = v->v.bytes; break;
        case TN_TYPE_BLOB: ok = v->kind == TN_ICEBERG_BINARY; q->value.s = v->v.bytes; break;
        default: ok = false; break;
        }
        if (ok) n++;
    }
    return n;
}

/* Opens the Parquet scan of f's file: the projection by field id (output columns, then the
 * key columns of the equality deletes that apply), the predicates. */
static int start_reading(tn_lake_file_scan *f, int threads, tn_error *err)
{
    tn_lake_scan *s = f->scan;
    const planned *p = f->file;
    int rc = open_parquet(s, p->file->file_path, &f->pq, err);
    if (rc < 0) return rc;
    const tn_schema *fs = tn_parquet_file_schema(f->pq);
    /* Deletes that apply to this file. */
    void *v = NULL;
    f->pos = tn_hash_get(s->pos_deletes, p->file->file_path, strlen(p->file->file_path), &v) ? v : NULL;
    f->eq = tn_calloc(s->eq_count + 1, sizeof *f->eq);
    if (!f->eq) return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (size_t i = 0; i < s->eq_count; i++) {
        eq_delete *d = &s->eq[i];
        if (p->seq >= d->seq) continue;
        if (!d->global && !same_partition(d->file, p->file)) continue;
        f->eq[f->eq_count++] = d;
    }
    /* Projection: output columns, then equality-delete key columns. */
    uint32_t want = s->col_count;
    for (size_t i = 0; i < f->eq_count; i++) want += f->eq[i]->id_count;
    uint32_t *proj = tn_calloc(want + 1, sizeof *proj);
    f->proj_ids = tn_calloc(want + 1, sizeof *f->proj_ids);
    f->file_col = tn_calloc(s->col_count + 1, sizeof *f->file_col);
    if (!proj || !f->proj_ids || !f->file_col) {
        tn_free(proj);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    f->proj_count = 0;
    for (uint32_t k = 0; k < want; k++) {
        int32_t id;
        if (k < s->col_count) id = s->cols[k].field_id;
        else {
            uint32_t rest = k - s->col_count;
            size_t di = 0;
            while (rest >= f->eq[di]->id_count) rest -= f->eq[di++]->id_count;
            id = f->eq[di]->ids[rest];
        }
        int found = -1;
        for (uint32_t j = 0; j < f->proj_count; j++)
            if (f->proj_ids[j] == id) found = (int)j;
        if (found < 0) {
            for (uint32_t c = 0; c < fs->column_count; c++)
                if (file_column_id(s, &fs->columns[c]) == id) {
                    proj[f->proj_count] = c;
                    f->proj_ids[f->proj_count] = id;
                    found = (int)f->proj_count++;
                    break;
                }
        }
        if (k < s->col_count) f->file_col[k] = found;
    }
    tn_parquet_scan_options so = {0};
    so.columns = proj;
    so.column_count = f->proj_count;
    so.batch_rows = s->batch_rows;
    so.threads = threads;
    tn_parquet_predicate pq_preds[64];
    /* Position deletes count rows from the start of the file: a file read with some rows
     * skipped would lose track of them, so it is read whole. */
    so.predicates = pq_preds;
    so.predicate_count = f->pos ? 0 : parquet_predicates(s, fs, pq_preds, 64);
    if (f->proj_count == 0) {
        /* No column of the file is wanted (e.g. count-only): read its first column for rows. */
        if (fs->column_count == 0) {
            tn_free(proj);
            return tn_error_set_at(err, TN_EFORMAT, p->file->file_path, 0, 0, "data file has no columns");
        }
        proj[0] = 0;
        f->proj_ids[0] = -1;
        so.column_count = 1;
    }
    rc = tn_parquet_scan_open(f->pq, &so, &f->pqs, err);
    tn_free(proj);
    return rc;
}

/* Opens planned file k (threads as for tn_parquet_scan_options). */
static int file_scan_open(tn_lake_scan *s, size_t k, int threads, tn_lake_file_scan **out, tn_error *err)
{
    *out = NULL;
    if (k >= s->file_count)
        return tn_error_set(err, TN_EINVAL, "scan of table '%s' has %zu data files, not %zu", s->table->name,
                            s->file_count, k + 1);
    tn_lake_file_scan *f = tn_calloc(1, sizeof *f);
    if (!f) return tn_error_set(err, TN_ENOMEM, "out of memory");
    const planned *p = &s->files[k];
    f->scan = s;
    f->file = p;
    int rc = start_reading(f, threads, err);
    if (rc < 0) {
        tn_lake_file_scan_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* A vector of `rows` rows holding a column's initial default (JSON) or NULL. */
static int default_vector(const out_column *c, uint32_t rows, tn_vector *v)
{
    uint32_t cap = rows ? rows : 1;
    int rc = tn_vector_init(v, c->type, cap);
    if (rc < 0) return rc;
    json_t *d = c->field->initial_default ? json_loads(c->field->initial_default, JSON_DECODE_ANY, NULL) : NULL;
    for (uint32_t r = 0; r < rows && rc == 0; r++) {
        bool set = false;
        if (d && !json_is_null(d)) {
            set = true;
            switch (c->type.id) {
            case TN_TYPE_BOOLEAN: tn_vector_set_bool(v, r, json_is_true(d)); break;
            case TN_TYPE_INTEGER: tn_vector_i32(v)[r] = (int32_t)json_integer_value(d); break;
            case TN_TYPE_BIGINT: tn_vector_i64(v)[r] = (int64_t)json_integer_value(d); break;
            case TN_TYPE_REAL: tn_vector_f32(v)[r] = (float)json_number_value(d); break;
            case TN_TYPE_DOUBLE: tn_vector_f64(v)[r] = json_number_value(d); break;
            case TN_TYPE_DATE: {
                const char *t = json_string_value(d);
                int32_t days;
                if (t && tn_parse_date(t, strlen(t), &days)) tn_vector_i32(v)[r] = days;
                else set = false;
                break;
            }
            case TN_TYPE_TIMESTAMP:
            case TN_TYPE_TIMESTAMPTZ: {
                const char *t = json_string_value(d);
                int64_t us;
                bool zone;
                if (t && tn_parse_timestamp(t, strlen(t), &us, &zone)) tn_vector_i64(v)[r] = us;
                else set = false;
                break;
            }
            case TN_TYPE_DECIMAL: {
                const char *t = json_string_value(d);
                tn_i128 x;
                if (t && tn_parse_decimal(t, strlen(t), c->type.precision, c->type.scale, &x)) tn_vector_set_decimal(v, r, x);
                else set = false;
                break;
            }
            case TN_TYPE_VARCHAR: {
                const char *t = json_string_value(d);
                if (t) rc = tn_vector_append_str(v, r, t, strlen(t));
                else set = false;
                break;
            }
            default: set = false; break;
            }
        }
        if (!set) tn_vector_append_null(v, r);
    }
    json_decref(d);
    return rc;
}

static void pos_swap(pos_list *pl, size_t a, size_t b)
{
    int64_t p = pl->pos[a], q = pl->seq[a];
    pl->pos[a] = pl->pos[b];
    pl->seq[a] = pl->seq[b];
    pl->pos[b] = p;
    pl->seq[b] = q;
}

static void pos_sift(pos_list *pl, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && pl->pos[child + 1] > pl->pos[child]) child++;
        if (pl->pos[root] >= pl->pos[child]) return;
        pos_swap(pl, root, child);
        root = child;
    }
}

/* Sorts a file's delete positions (with their sequence numbers) so lookups can bisect. */
static void pos_list_sort(pos_list *pl)
{
    for (size_t i = 1; i < pl->count; i++) {
        if (pl->pos[i - 1] <= pl->pos[i]) continue;
        /* Out of order: sort pairs by position (heap sort keeps this allocation-free). */
        size_t n = pl->count;
        for (size_t k = n / 2; k-- > 0;) pos_sift(pl, k, n);
        for (size_t end = n; end-- > 1;) {
            pos_swap(pl, 0, end);
            pos_sift(pl, 0, end);
        }
        return;
    }
}

static bool pos_deleted(const pos_list *pl, int64_t pos, int64_t data_seq)
{
    if (!pl) return false;
    size_t lo = 0, hi = pl->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pl->pos[mid] < pos) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < pl->count && pl->pos[i] == pos; i++)
        if (pl->seq[i] >= data_seq) return true;
    return false;
}

/* Builds the output batch from a file batch; NULL rows deleted. */
static int convert_batch(tn_lake_file_scan *f, tn_batch *in, tn_batch **out, tn_error *err)
{
    tn_lake_scan *s = f->scan;
    *out = NULL;
    uint32_t rows = in->row_count;
    /* Which rows survive the deletes. */
    uint8_t *keep = tn_malloc(rows + 1);
    if (!keep) return tn_error_set(err, TN_ENOMEM, "out of memory");
    uint32_t kept = 0;
    tn_buf key = TN_BUF_INIT;
    int *idx = NULL;
    int rc = 0;
    for (uint32_t r = 0; r < rows; r++) {
        keep[r] = !pos_deleted(f->pos, f->row_base + r, f->file->seq);
    }
    for (size_t i = 0; i < f->eq_count && rc == 0; i++) {
        eq_delete *d = f->eq[i];
        int *ix = tn_realloc(idx, (d->id_count + 1) * sizeof *ix);
        if (!ix) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            break;
        }
        idx = ix;
        for (uint32_t k = 0; k < d->id_count; k++) {
            idx[k] = -1;
            for (uint32_t j = 0; j < f->proj_count; j++)
                if (f->proj_ids[j] == d->ids[k]) idx[k] = (int)j;
        }
        for (uint32_t r = 0; r < rows && rc == 0; r++) {
            if (!keep[r]) continue;
            if (row_key(s, in, idx, d->ids, d->id_count, r, &key) < 0) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            else if (tn_hash_get(d->keys, key.data, key.len, NULL)) keep[r] = 0;
        }
    }
    tn_free(idx);
    tn_buf_free(&key);
    for (uint32_t r = 0; r < rows; r++) kept += keep[r];
    if (rows > kept) stat_add(&s->stats.rows_deleted, rows - kept);
    f->row_base += rows;
    tn_batch *b = NULL;
    if (rc == 0) {
        b = tn_batch_new(s->out_schema, rows ? rows : 1);
        if (!b) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    for (uint32_t c = 0; c < s->col_count && rc == 0; c++) {
        tn_vector src;
        bool owned = false;
        int fc = f->file_col[c];
        if (fc >= 0) {
            src = in->columns[fc];
            if (!tn_type_eq(src.type, s->cols[c].type)) {
                tn_vector cast;
                rc = tn_vector_cast(&src, rows, s->cols[c].type, true, &cast, err);
                if (rc < 0) break;
                src = cast;
                owned = true;
            }
        } else {
            rc = default_vector(&s->cols[c], rows, &src);
            if (rc < 0) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                break;
            }
            owned = true;
        }
        if (kept == rows && owned && src.capacity >= b->capacity) {
            /* Hand the vector over whole. */
            tn_vector_destroy(&b->columns[c]);
            b->columns[c] = src;
            continue;
        }
        if (kept == rows && !owned && in->columns[fc].capacity >= b->capacity) {
            tn_vector_destroy(&b->columns[c]);
            b->columns[c] = in->columns[fc];
            memset(&in->columns[fc], 0, sizeof in->columns[fc]);
            /* The input batch must not free it again: give it an empty vector. */
            if (tn_vector_init(&in->columns[fc], src.type, 1) < 0) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            continue;
        }
        uint32_t dst = 0;
        for (uint32_t r = 0; r < rows && rc == 0; r++) {
            if (!keep[r]) continue;
            if (tn_vector_copy_row(&b->columns[c], dst++, &src, r) < 0) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        }
        if (owned) tn_vector_destroy(&src);
    }
    tn_free(keep);
    if (rc < 0) {
        tn_batch_free(b);
        return rc;
    }
    b->row_count = kept;
    *out = b;
    return 0;
}

/* The next batch of one file: its batches converted, batches left empty by deletes skipped. */
int tn_lake_file_scan_next(tn_lake_file_scan *f, tn_batch **out, tn_error *err)
{
    *out = NULL;
    for (;;) {
        tn_batch *in = NULL;
        int rc = tn_parquet_scan_next(f->pqs, &in, err);
        if (rc < 0 || !in) return rc;
        tn_batch *b = NULL;
        rc = convert_batch(f, in, &b, err);
        tn_batch_free(in);
        if (rc < 0) return rc;
        if (b->row_count == 0) {
            tn_batch_free(b);
            continue;
        }
        *out = b;
        return 0;
    }
}

size_t tn_lake_scan_file_count(const tn_lake_scan *s) { return s->file_count; }

int tn_lake_scan_open_file(tn_lake_scan *s, size_t file_idx, tn_lake_file_scan **out, tn_error *err)
{
    /* the caller reads files side by side: one thread per file */
    return file_scan_open(s, file_idx, 1, out, err);
}

/* The next batch: the planned files one after another. */
int tn_lake_scan_next(tn_lake_scan *s, tn_batch **out, tn_error *err)
{
    *out = NULL;
    for (;;) {
        if (!s->reading) {
            if (s->file_idx >= s->file_count) return 0;
            /* alone on the file: its Parquet scan may use the shared pool */
            int rc = file_scan_open(s, s->file_idx++, 0, &s->reading, err);
            if (rc < 0) return rc;
        }
        int rc = tn_lake_file_scan_next(s->reading, out, err);
        if (rc < 0 || !*out) {
            tn_lake_file_scan_close(s->reading);
            s->reading = NULL;
        }
        if (rc < 0 || *out) return rc;
    }
}

/* Closes a scan. */
void tn_lake_scan_close(tn_lake_scan *s)
{
    if (!s) return;
    tn_lake_file_scan_close(s->reading);
    if (s->pos_deletes) {
        size_t pos = 0;
        tn_str k;
        void *v;
        while (tn_hash_next(s->pos_deletes, &pos, &k, &v)) free_pos_list(v);
        tn_hash_free(s->pos_deletes);
    }
    for (size_t i = 0; i < s->eq_count; i++) tn_hash_free(s->eq[i].keys);
    tn_free(s->eq);
    for (size_t i = 0; i < s->manifest_count; i++) tn_manifest_free(s->manifests[i]);
    tn_free(s->manifests);
    tn_free(s->files);
    tn_free(s->cols);
    tn_hash_free(s->name_ids);
    tn_free(s->preds);
    tn_free(s->pred_ids);
    tn_schema_unref(s->out_schema);
    tn_free(s);
}
