/* SPDX-License-Identifier: Apache-2.0
 *
 * The table writer: batches in, Parquet data files out. Each batch is conformed to the table's
 * current schema (columns matched by name, missing ones NULL, narrower types cast up), its rows
 * are routed by partition value (a file never mixes partitions), and every file gets the
 * statistics manifests carry: record count, size, and per column (by field id) value, null
 * and NaN counts and lower/upper bounds in the spec's binary form. The statistics are gathered
 * from the batches as they are written, so the writer needs nothing from Parquet's footer.
 *
 * Files are written through formats' tn_writer (temporary name, rename on finish) under
 * <table>/data/<partition path>/<uuid>.parquet; nothing is committed here.
 */
#include "lake/lake_int.h"

#include "formats/formats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BOUND_BYTES 64 /* longer string/binary bounds are truncated (lower) or dropped (upper) */

/* Per-column statistics of one open file. */
typedef struct column_stats {
    int64_t values;
    int64_t nulls;
    int64_t nans;
    bool has_min, has_max;
    bool min_truncated;
    tn_iceberg_value min, max; /* byte kinds point into min_buf / max_buf */
    tn_buf min_buf, max_buf;
    bool max_unbounded;        /* a value too long for an upper bound was seen */
} column_stats;

/* One partition's output. */
typedef struct part_file {
    tn_iceberg_value *key; /* partition values (bytes in key_arena) */
    char *path_segment;    /* "day=2024-03-01/region=north" or "" */
    tn_batch *buffer;      /* rows waiting to be written */
    tn_writer *writer;     /* NULL until the first flush */
    char *key_name;        /* store key of the open file */
    char *local_path;      /* where the writer writes */
    bool staged;           /* local_path is a temporary file to move into the store */
    int64_t rows;
    column_stats *stats;
} part_file;

struct tn_lake_writer {
    tn_lake_table *table;
    tn_schema *schema; /* the table's columns with field ids */
    const tn_iceberg_schema *ischema;
    const tn_iceberg_partition_spec *spec;
    int32_t spec_id;
    int *source_column; /* per spec field: column index in schema, -1 if unknown */
    uint8_t *column_kind; /* per column: Iceberg kind */
    tn_lake_write_options opts;
    char compression[32];
    tn_arena arena;     /* partition keys and finished file descriptions */
    tn_hash *parts_by_key;
    part_file **parts;
    uint32_t part_count, part_cap;
    tn_iceberg_data_file *files;
    size_t file_count, file_cap;
    char **written_keys; /* every file finished, for removal on abort */
    size_t written_count;
    int64_t rows;
    tn_buf keybuf;
};

/* ------------------------------------------------------------------------------------------
 * Opening
 * ---------------------------------------------------------------------------------------- */

/* Prepares a writer for the table's current schema and default spec. */
int tn_lake_writer_open(tn_lake_table *table, const tn_lake_write_options *opts,
                        tn_lake_writer **out, tn_error *err)
{
    *out = NULL;
    if (!table->ns || !table->lake->store)
        return tn_error_set(err, TN_EUSAGE, "table '%s' was loaded from a path and is read only", table->name);
    tn_lake_writer *w = tn_calloc(1, sizeof *w);
    if (!w) return tn_error_set(err, TN_ENOMEM, "out of memory");
    tn_arena_init(&w->arena, 0);
    w->table = table;
    if (opts) w->opts = *opts;
    w->schema = tn_schema_ref((tn_schema *)table->schema);
    w->ischema = tn_iceberg_metadata_current_schema(table->md);
    w->spec = tn_iceberg_metadata_spec(table->md, table->md->default_spec_id);
    w->spec_id = table->md->default_spec_id;
    const char *codec = w->opts.compression ? w->opts.compression
                                             : tn_iceberg_metadata_property(table->md, "write.parquet.compression-codec");
    snprintf(w->compression, sizeof w->compression, "%s", codec && strcmp(codec, "uncompressed") ? codec : "none");
    if (!codec) snprintf(w->compression, sizeof w->compression, "zstd");
    w->parts_by_key = tn_hash_new(16);
    w->column_kind = tn_calloc(w->schema->column_count + 1, 1);
    uint32_t nspec = w->spec ? w->spec->field_count : 0;
    w->source_column = tn_calloc(nspec + 1, sizeof(int));
    if (!w->parts_by_key || !w->column_kind || !w->source_column) {
        tn_lake_writer_free(w, false);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < w->schema->column_count; i++) {
        const tn_iceberg_field *f = tn_iceberg_schema_field(w->ischema, w->schema->columns[i].field_id);
        w->column_kind[i] = f ? f->type.kind : TN_ICEBERG_STRING;
    }
    for (uint32_t j = 0; j < nspec; j++) {
        w->source_column[j] = -1;
        for (uint32_t i = 0; i < w->schema->column_count; i++)
            if (w->schema->columns[i].field_id == w->spec->fields[j].source_id) w->source_column[j] = (int)i;
        if (w->source_column[j] < 0 && w->spec->fields[j].transform.kind != TN_TRANSFORM_VOID) {
            tn_lake_writer_free(w, false);
            return tn_error_set(err, TN_EUNSUPPORTED, "partition field '%s' has no source column tarn can write",
                                w->spec->fields[j].name);
        }
        if (w->spec->fields[j].transform.kind == TN_TRANSFORM_UNKNOWN) {
            tn_lake_writer_free(w, false);
            return tn_error_set(err, TN_EUNSUPPORTED, "partition transform '%s' is unknown; tarn cannot write it",
                                w->spec->fields[j].transform_text);
        }
    }
    *out = w;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Statistics
 * ---------------------------------------------------------------------------------------- */

static int keep_bound(column_stats *cs, const tn_iceberg_value *v, bool is_min)
{
    tn_iceberg_value *slot = is_min ? &cs->min : &cs->max;
    tn_buf *buf = is_min ? &cs->min_buf : &cs->max_buf;
    *slot = *v;
    bool bytes = v->kind == TN_ICEBERG_STRING || v->kind == TN_ICEBERG_BINARY || v->kind == TN_ICEBERG_FIXED ||
                 v->kind == TN_ICEBERG_UUID;
    if (!bytes) return 0;
    size_t n = v->v.bytes.len;
    if (n > MAX_BOUND_BYTES) {
        if (!is_min) {
            cs->max_unbounded = true;
            return 0;
        }
        /* A prefix is still a lower bound; for strings cut on a code point boundary. */
        n = MAX_BOUND_BYTES;
        if (v->kind == TN_ICEBERG_STRING)
            while (n > 0 && ((unsigned char)v->v.bytes.ptr[n] & 0xc0) == 0x80) n--;
    }
    tn_buf_clear(buf);
    if (tn_buf_append(buf, v->v.bytes.ptr, n) < 0) return TN_ENOMEM;
    slot->v.bytes = tn_str_make(buf->data ? buf->data : "", n);
    return 0;
}

static int update_stats(tn_lake_writer *w, part_file *pf, const tn_batch *b)
{
    for (uint32_t c = 0; c < b->schema->column_count; c++) {
        column_stats *cs = &pf->stats[c];
        const tn_vector *v = &b->columns[c];
        uint8_t kind = w->column_kind[c];
        for (uint32_t r = 0; r < b->row_count; r++) {
            cs->values++;
            if (!tn_vector_is_valid(v, r)) {
                cs->nulls++;
                continue;
            }
            tn_iceberg_value val;
            tn_iceberg_value_from_vector(v, r, kind, &val);
            if ((val.kind == TN_ICEBERG_DOUBLE && isnan(val.v.d)) || (val.kind == TN_ICEBERG_FLOAT && isnan(val.v.f))) {
                cs->nans++;
                continue;
            }
            if (val.kind == TN_ICEBERG_UNKNOWN_TYPE) continue;
            if (!cs->has_min || tn_iceberg_value_cmp(&val, &cs->min) < 0) {
                if (keep_bound(cs, &val, true) < 0) return TN_ENOMEM;
                cs->has_min = true;
            }
            if (!cs->has_max || tn_iceberg_value_cmp(&val, &cs->max) > 0) {
                if (keep_bound(cs, &val, false) < 0) return TN_ENOMEM;
                cs->has_max = true;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Files
 * ---------------------------------------------------------------------------------------- */

static int make_parents(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0777) < 0 && errno != EEXIST) return TN_EIO;
        *p = '/';
    }
    return 0;
}

static int open_file(tn_lake_writer *w, part_file *pf, tn_error *err)
{
    char uuid[37], key[2048];
    tn_lake_uuid(uuid);
    if (pf->path_segment[0])
        snprintf(key, sizeof key, "%s/data/%s/%s.parquet", w->table->key_prefix, pf->path_segment, uuid);
    else
        snprintf(key, sizeof key, "%s/data/%s.parquet", w->table->key_prefix, uuid);
    pf->key_name = tn_strdup(key);
    if (!pf->key_name) return tn_error_set(err, TN_ENOMEM, "out of memory");
    pf->local_path = tn_store_local_path(w->table->lake->store, key);
    pf->staged = false;
    if (!pf->local_path) {
        /* A remote store: write locally, move into the store on finish. */
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s/tarn-lake-%s.parquet", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", uuid);
        pf->local_path = tn_strdup(tmp);
        pf->staged = true;
        if (!pf->local_path) return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    if (make_parents(pf->local_path) < 0)
        return tn_error_set_at(err, TN_EIO, pf->local_path, 0, 0, "cannot create the data folder: %s", strerror(errno));
    tn_write_options wo = {0};
    wo.format = "parquet";
    wo.compression = w->compression;
    wo.threads = 1;
    int rc = tn_writer_open(pf->local_path, w->schema, &wo, &pf->writer, err);
    if (rc < 0) pf->writer = NULL;
    memset(pf->stats, 0, w->schema->column_count * sizeof *pf->stats);
    pf->rows = 0;
    return rc;
}

static void free_stats(tn_lake_writer *w, part_file *pf)
{
    for (uint32_t c = 0; pf->stats && c < w->schema->column_count; c++) {
        tn_buf_free(&pf->stats[c].min_buf);
        tn_buf_free(&pf->stats[c].max_buf);
    }
}

static int record_written(tn_lake_writer *w, const char *key)
{
    char **k = tn_realloc(w->written_keys, (w->written_count + 1) * sizeof *k);
    if (!k) return TN_ENOMEM;
    w->written_keys = k;
    k[w->written_count] = tn_strdup(key);
    if (!k[w->written_count]) return TN_ENOMEM;
    w->written_count++;
    return 0;
}

/* Closes the open file of a partition and describes it. */
static int close_file(tn_lake_writer *w, part_file *pf, tn_error *err)
{
    if (!pf->writer) return 0;
    tn_writer *writer = pf->writer;
    pf->writer = NULL;
    int rc = tn_writer_finish(writer, err);
    if (rc < 0) return rc;
    if (pf->staged) {
        rc = tn_store_put_file(w->table->lake->store, pf->key_name, pf->local_path, err);
        if (rc < 0) return rc;
    }
    if (record_written(w, pf->key_name) < 0) return tn_error_set(err, TN_ENOMEM, "out of memory");
    tn_store_entry st;
    rc = tn_store_stat(w->table->lake->store, pf->key_name, &st, err);
    if (rc < 0) return rc;
    if (w->file_count == w->file_cap) {
        size_t cap = w->file_cap ? w->file_cap * 2 : 8;
        tn_iceberg_data_file *f = tn_realloc(w->files, cap * sizeof *f);
        if (!f) return tn_error_set(err, TN_ENOMEM, "out of memory");
        w->files = f;
        w->file_cap = cap;
    }
    tn_iceberg_data_file *f = &w->files[w->file_count];
    memset(f, 0, sizeof *f);
    tn_arena *a = &w->arena;
    char *loc = tn_lake_key_location(w->table->lake, pf->key_name);
    f->file_path = loc ? tn_arena_strdup(a, loc) : NULL;
    tn_free(loc);
    f->file_format = tn_arena_strdup(a, "PARQUET");
    f->content = TN_CONTENT_DATA;
    f->spec_id = w->spec_id;
    f->record_count = pf->rows;
    f->file_size_in_bytes = (int64_t)st.size;
    uint32_t nspec = w->spec ? w->spec->field_count : 0;
    f->partition_count = nspec;
    f->partition = nspec ? tn_arena_calloc(a, nspec * sizeof *f->partition) : NULL;
    uint32_t ncol = w->schema->column_count;
    f->stats = tn_arena_calloc(a, (ncol + 1) * sizeof *f->stats);
    if (!f->file_path || !f->file_format || (nspec && !f->partition) || !f->stats)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    if (nspec) memcpy(f->partition, pf->key, nspec * sizeof *f->partition);
    for (uint32_t c = 0; c < ncol; c++) {
        column_stats *cs = &pf->stats[c];
        tn_iceberg_column_stats *s = &f->stats[c];
        s->field_id = w->schema->columns[c].field_id;
        s->column_size = -1;
        s->value_count = cs->values;
        s->null_count = cs->nulls;
        uint8_t k = w->column_kind[c];
        s->nan_count = (k == TN_ICEBERG_FLOAT || k == TN_ICEBERG_DOUBLE) ? cs->nans : -1;
        for (int e = 0; e < 2; e++) {
            bool has = e == 0 ? cs->has_min : (cs->has_max && !cs->max_unbounded);
            if (!has) continue;
            tn_buf b = TN_BUF_INIT;
            if (tn_iceberg_value_to_bytes(e == 0 ? &cs->min : &cs->max, &b) < 0) {
                tn_buf_free(&b);
                return tn_error_set(err, TN_ENOMEM, "out of memory");
            }
            char *p = tn_arena_alloc(a, b.len + 1);
            if (!p) {
                tn_buf_free(&b);
                return tn_error_set(err, TN_ENOMEM, "out of memory");
            }
            if (b.len) memcpy(p, b.data, b.len);
            if (e == 0) {
                s->lower = tn_str_make(p, b.len);
                s->has_lower = true;
            } else {
                s->upper = tn_str_make(p, b.len);
                s->has_upper = true;
            }
            tn_buf_free(&b);
        }
    }
    f->stats_count = ncol;
    w->file_count++;
    free_stats(w, pf);
    memset(pf->stats, 0, ncol * sizeof *pf->stats);
    tn_free(pf->key_name);
    tn_free(pf->local_path);
    pf->key_name = pf->local_path = NULL;
    pf->rows = 0;
    return 0;
}

/* Writes a partition's buffered rows. */
static int flush_part(tn_lake_writer *w, part_file *pf, tn_error *err)
{
    tn_batch *b = pf->buffer;
    if (!b || b->row_count == 0) return 0;
    int rc = 0;
    if (!pf->writer) rc = open_file(w, pf, err);
    if (rc == 0) rc = tn_writer_write(pf->writer, b, err);
    if (rc == 0 && update_stats(w, pf, b) < 0) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    if (rc < 0) return rc;
    pf->rows += b->row_count;
    tn_batch_reset(b);
    if (w->opts.target_file_rows > 0 && pf->rows >= w->opts.target_file_rows) return close_file(w, pf, err);
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Routing rows
 * ---------------------------------------------------------------------------------------- */

static int partition_key(tn_lake_writer *w, const tn_batch *b, uint32_t row, tn_iceberg_value *vals,
                         tn_error *err)
{
    uint32_t nspec = w->spec ? w->spec->field_count : 0;
    tn_buf_clear(&w->keybuf);
    for (uint32_t j = 0; j < nspec; j++) {
        const tn_iceberg_partition_field *pf = &w->spec->fields[j];
        tn_iceberg_value in = {.is_null = true};
        int col = w->source_column[j];
        if (col >= 0) tn_iceberg_value_from_vector(&b->columns[col], row, w->column_kind[col], &in);
        if (tn_transform_apply(pf->transform, &in, &vals[j]) < 0)
            return tn_error_set(err, TN_ETYPE, "partition transform '%s' does not apply to column '%s'",
                                pf->transform_text, col >= 0 ? w->schema->columns[col].name : "?");
        if (tn_buf_putc(&w->keybuf, vals[j].is_null ? 'N' : 'V') < 0 ||
            (!vals[j].is_null && tn_iceberg_value_to_bytes(&vals[j], &w->keybuf) < 0) ||
            tn_buf_printf(&w->keybuf, "|%zu|", w->keybuf.len) < 0)
            return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    return 0;
}

static int get_part(tn_lake_writer *w, const tn_iceberg_value *vals, part_file **out, tn_error *err)
{
    void *found = NULL;
    if (tn_hash_get(w->parts_by_key, w->keybuf.data ? w->keybuf.data : "", w->keybuf.len, &found)) {
        *out = found;
        return 0;
    }
    part_file *pf = tn_calloc(1, sizeof *pf);
    if (!pf) return tn_error_set(err, TN_ENOMEM, "out of memory");
    uint32_t nspec = w->spec ? w->spec->field_count : 0;
    pf->stats = tn_calloc(w->schema->column_count + 1, sizeof *pf->stats);
    pf->buffer = tn_batch_new(w->schema, 0);
    pf->key = tn_arena_calloc(&w->arena, (nspec + 1) * sizeof *pf->key);
    tn_buf seg = TN_BUF_INIT;
    int rc = (!pf->stats || !pf->buffer || !pf->key) ? TN_ENOMEM : 0;
    for (uint32_t j = 0; rc == 0 && j < nspec; j++) {
        pf->key[j] = vals[j];
        bool bytes = !vals[j].is_null && (vals[j].kind == TN_ICEBERG_STRING || vals[j].kind == TN_ICEBERG_BINARY ||
                                          vals[j].kind == TN_ICEBERG_FIXED || vals[j].kind == TN_ICEBERG_UUID);
        if (bytes) {
            char *p = tn_arena_alloc(&w->arena, vals[j].v.bytes.len + 1);
            if (!p) rc = TN_ENOMEM;
            else {
                if (vals[j].v.bytes.len) memcpy(p, vals[j].v.bytes.ptr, vals[j].v.bytes.len);
                pf->key[j].v.bytes = tn_str_make(p, vals[j].v.bytes.len);
            }
        }
        if (rc == 0 && j) rc = tn_buf_putc(&seg, '/');
        if (rc == 0) rc = tn_buf_printf(&seg, "%s=", w->spec->fields[j].name);
        if (rc == 0) rc = tn_iceberg_value_to_path(&vals[j], w->spec->fields[j].transform, &seg);
    }
    if (rc == 0) {
        pf->path_segment = tn_arena_strdup(&w->arena, tn_buf_cstr(&seg));
        if (!pf->path_segment) rc = TN_ENOMEM;
    }
    tn_buf_free(&seg);
    if (rc == 0 && w->part_count == w->part_cap) {
        uint32_t cap = w->part_cap ? w->part_cap * 2 : 8;
        part_file **p = tn_realloc(w->parts, cap * sizeof *p);
        if (!p) rc = TN_ENOMEM;
        else {
            w->parts = p;
            w->part_cap = cap;
        }
    }
    if (rc == 0) rc = tn_hash_put(w->parts_by_key, w->keybuf.data ? w->keybuf.data : "", w->keybuf.len, pf);
    if (rc < 0) {
        tn_free(pf->stats);
        tn_batch_free(pf->buffer);
        tn_free(pf);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    w->parts[w->part_count++] = pf;
    *out = pf;
    return 0;
}

/* Writes a batch. */
int tn_lake_writer_write(tn_lake_writer *w, const tn_batch *batch, tn_error *err)
{
    uint32_t ncol = w->schema->column_count;
    int *map = tn_calloc(ncol + 1, sizeof(int));
    tn_vector *cast = tn_calloc(ncol + 1, sizeof *cast);
    bool *casted = tn_calloc(ncol + 1, sizeof(bool));
    uint32_t nspec = w->spec ? w->spec->field_count : 0;
    tn_iceberg_value *vals = tn_calloc(nspec + 1, sizeof *vals);
    int rc = 0;
    if (!map || !cast || !casted || !vals) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    /* Match batch columns to table columns by name. */
    for (uint32_t i = 0; i < ncol; i++) map[i] = -1;
    for (uint32_t j = 0; j < batch->schema->column_count; j++) {
        const tn_column *bc = &batch->schema->columns[j];
        int found = -1;
        for (uint32_t i = 0; i < ncol; i++)
            if (strcmp(w->schema->columns[i].name, bc->name) == 0) found = (int)i;
        for (uint32_t i = 0; found < 0 && i < ncol; i++)
            if (tn_str_eq_nocase(tn_str_c(w->schema->columns[i].name), tn_str_c(bc->name))) found = (int)i;
        if (found < 0) {
            rc = tn_error_set(err, TN_ETYPE, "column '%s' is not in table '%s' (evolve the schema first)", bc->name,
                              w->table->name);
            tn_error_set_key(err, bc->name);
            goto done;
        }
        map[found] = (int)j;
        tn_type want = w->schema->columns[found].type;
        if (!tn_type_eq(want, bc->type)) {
            if (!tn_type_widens_to(bc->type, want)) {
                char a[48], b[48];
                rc = tn_error_set(err, TN_ETYPE, "column '%s' is %s in the batch but %s in the table", bc->name,
                                  tn_type_format(bc->type, a, sizeof a), tn_type_format(want, b, sizeof b));
                tn_error_set_key(err, bc->name);
                goto done;
            }
            rc = tn_vector_cast(&batch->columns[j], batch->row_count, want, false, &cast[found], err);
            if (rc < 0) goto done;
            casted[found] = true;
        }
    }
    for (uint32_t i = 0; i < ncol; i++)
        if (map[i] < 0 && !w->schema->columns[i].nullable) {
            rc = tn_error_set(err, TN_ETYPE, "required column '%s' is missing from the batch", w->schema->columns[i].name);
            tn_error_set_key(err, w->schema->columns[i].name);
            goto done;
        }
    /* A view of the batch in table column order (vectors borrowed, NULL vectors for missing). */
    tn_batch view = {0};
    tn_vector *cols = tn_calloc(ncol + 1, sizeof *cols);
    tn_vector *nulls = tn_calloc(ncol + 1, sizeof *nulls);
    if (!cols || !nulls) {
        tn_free(cols);
        tn_free(nulls);
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < ncol && rc == 0; i++) {
        if (casted[i]) cols[i] = cast[i];
        else if (map[i] >= 0) cols[i] = batch->columns[map[i]];
        else {
            rc = tn_vector_init(&nulls[i], w->schema->columns[i].type, batch->row_count ? batch->row_count : 1);
            for (uint32_t r = 0; rc == 0 && r < batch->row_count; r++) tn_vector_append_null(&nulls[i], r);
            cols[i] = nulls[i];
            if (rc < 0) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        }
    }
    view.schema = w->schema;
    view.row_count = batch->row_count;
    view.capacity = batch->row_count;
    view.columns = cols;
    for (uint32_t r = 0; rc == 0 && r < batch->row_count; r++) {
        part_file *pf = NULL;
        rc = partition_key(w, &view, r, vals, err);
        if (rc == 0) rc = get_part(w, vals, &pf, err);
        if (rc < 0) break;
        if (pf->buffer->row_count == pf->buffer->capacity) {
            rc = flush_part(w, pf, err);
            if (rc < 0) break;
        }
        uint32_t dst = pf->buffer->row_count;
        for (uint32_t c = 0; c < ncol && rc == 0; c++)
            if (tn_vector_copy_row(&pf->buffer->columns[c], dst, &view.columns[c], r) < 0)
                rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        if (rc == 0) pf->buffer->row_count++;
    }
    for (uint32_t i = 0; i < ncol; i++) tn_vector_destroy(&nulls[i]);
    tn_free(nulls);
    tn_free(cols);
    if (rc == 0) w->rows += batch->row_count;
done:
    for (uint32_t i = 0; cast && casted && i < ncol; i++)
        if (casted[i]) tn_vector_destroy(&cast[i]);
    tn_free(map);
    tn_free(cast);
    tn_free(casted);
    tn_free(vals);
    return rc;
}

/* Closes every file and returns their descriptions. */
int tn_lake_writer_finish(tn_lake_writer *w, const tn_iceberg_data_file **files, size_t *count,
                          tn_error *err)
{
    for (uint32_t i = 0; i < w->part_count; i++) {
        int rc = flush_part(w, w->parts[i], err);
        if (rc == 0) rc = close_file(w, w->parts[i], err);
        if (rc < 0) return rc;
    }
    *files = w->files;
    *count = w->file_count;
    return 0;
}

/* Rows written so far. */
int64_t tn_lake_writer_rows(const tn_lake_writer *w) { return w->rows; }

/* Frees the writer, optionally removing the files it wrote. */
void tn_lake_writer_free(tn_lake_writer *w, bool remove_files)
{
    if (!w) return;
    for (uint32_t i = 0; i < w->part_count; i++) {
        part_file *pf = w->parts[i];
        if (pf->writer) tn_writer_abort(pf->writer);
        free_stats(w, pf);
        tn_free(pf->stats);
        tn_batch_free(pf->buffer);
        tn_free(pf->key_name);
        tn_free(pf->local_path);
        tn_free(pf);
    }
    for (size_t i = 0; i < w->written_count; i++) {
        if (remove_files) {
            tn_error ignore = {0};
            tn_store_remove(w->table->lake->store, w->written_keys[i], &ignore);
        }
        tn_free(w->written_keys[i]);
    }
    tn_free(w->written_keys);
    tn_free(w->parts);
    tn_free(w->files);
    tn_hash_free(w->parts_by_key);
    tn_free(w->column_kind);
    tn_free(w->source_column);
    tn_schema_unref(w->schema);
    tn_buf_free(&w->keybuf);
    tn_arena_free(&w->arena);
    tn_free(w);
}

/* Writes batches and appends them as one snapshot. */
int tn_lake_table_append_batches(tn_lake_table *table, tn_batch *const *batches, size_t count,
                                 const tn_lake_commit_options *opts, int64_t *snapshot_id,
                                 tn_error *err)
{
    tn_lake_writer *w = NULL;
    int rc = tn_lake_writer_open(table, NULL, &w, err);
    if (rc < 0) return rc;
    for (size_t i = 0; i < count && rc == 0; i++) rc = tn_lake_writer_write(w, batches[i], err);
    const tn_iceberg_data_file *files = NULL;
    size_t nfiles = 0;
    if (rc == 0) rc = tn_lake_writer_finish(w, &files, &nfiles, err);
    if (rc == 0) rc = tn_lake_table_append(table, files, nfiles, opts, snapshot_id, err);
    tn_lake_writer_free(w, rc < 0);
    return rc;
}
