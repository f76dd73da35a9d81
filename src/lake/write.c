/* SPDX-License-Identifier: Apache-2.0
 *
 * The table writer: batches in, Parquet data files out. Each batch is conformed to the table's
 * current schema (columns matched by name, missing ones NULL, narrower types cast up), its rows
 * are routed by partition value (a file never mixes partitions), and every file gets the
 * statistics manifests carry: record count, size, and per column (by field id) value, null
 * and NaN counts and lower/upper bounds in the spec's binary form. The statistics are gathered
 * from the rows as they are written, so the writer needs nothing from Parquet's footer.
 *
 * Routing: the partition of each row is computed once (consecutive rows of the same tuple
 * skip the lookup) into an index vector; the rows are grouped by partition (a counting sort)
 * and each column is gathered once into the partition's buffer, a list of fixed-size chunks.
 *
 * Memory is bounded by a budget (tn_lake_write_options.memory_bytes) over all partitions'
 * buffers: when it is passed, the partitions holding the most are handed, whole, to a
 * background thread that writes each as one complete Parquet file, until half the budget is
 * left; the caller goes on reading and routing meanwhile (and waits only when the thread
 * falls behind by half a budget more). At finish the caller writes queued files too, so both
 * cores write. A partition written out and seen again starts a new file, so inputs in
 * partition order (most dumps are in time order) get one file per partition, others more and
 * smaller files. Emptied chunks are kept for reuse, so their pages stay warm.
 *
 * Files are written through formats' tn_writer (temporary name, rename on finish) under
 * <table>/data/<partition path>/<uuid>.parquet; nothing is committed here.
 */
#include "lake/lake_int.h"

#include "formats/formats.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BOUND_BYTES 64 /* longer string/binary bounds are truncated (lower) or dropped (upper) */
#define CHUNK_ROWS TN_BATCH_ROWS
#define DEFAULT_MEMORY_BYTES ((int64_t)128 << 20)
/* Row groups of a data file: large enough for Parquet readers to be efficient, small enough
 * that the Parquet writer's staging copy stays a fraction of the budget. */
#define MAX_ROW_GROUP_BYTES ((int64_t)64 << 20)

/* Per-column statistics of one file. */
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

/* One partition: its buffered rows. */
typedef struct part_file {
    tn_iceberg_value *key; /* partition values (bytes in key_arena) */
    char *path_segment;    /* "day=2024-03-01/region=north" or "" */
    tn_batch **chunks;     /* buffered rows, CHUNK_ROWS each; only the last is partly full */
    uint32_t chunk_count, chunk_cap;
    int64_t rows;          /* buffered rows */
    int64_t bytes;         /* memory the buffered chunks hold */
    uint32_t batch_rows;   /* rows of the batch being routed that belong here */
    uint32_t batch_start;  /* where they start in the writer's row order */
} part_file;

/* One data file to write: a partition's rows, taken from it whole. Written by the background
 * writer (or the caller at finish), then described on the caller's thread. */
typedef struct file_job {
    const part_file *part; /* its key and path segment (never freed before the writer) */
    tn_batch **chunks;
    uint32_t chunk_count;
    int64_t rows;
    int64_t bytes;
    char *key_name;        /* store key of the file */
    char *local_path;      /* where the Parquet writer writes it */
    bool staged;           /* local_path is a temporary file to move into the store */
    bool finished;         /* the file exists at key_name */
    int64_t file_size;
    column_stats *stats;   /* column_count */
    int rc;
    tn_error err;
    struct file_job *next;
} file_job;

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
    int64_t memory_bytes;   /* the budget over all partitions' buffers */
    int64_t buffered_bytes; /* what they hold now */
    size_t chunk_fixed_bytes; /* one empty chunk's memory (values, validity, offsets) */
    tn_arena arena;     /* partition keys and finished file descriptions */
    tn_hash *parts_by_key;
    part_file **parts;
    uint32_t part_count, part_cap;
    tn_batch **spare;   /* emptied chunks for reuse */
    uint32_t spare_count, spare_cap;
    uint32_t *row_part;   /* per row of the batch being routed: index into parts */
    uint32_t *row_order;  /* the batch's rows grouped by partition */
    uint32_t *touched;    /* parts the batch has rows for */
    uint32_t routing_cap;
    part_file **victims;  /* parts chosen to be written out */
    /* The background writer: one thread writing jobs while the caller reads and routes. */
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    file_job *pending, *pending_tail; /* FIFO, under lock */
    file_job *done;                   /* written (or failed), under lock */
    bool writing;                     /* the thread holds a job, under lock */
    bool quit;
    int64_t queued_bytes;             /* bytes of jobs not yet collected (caller's thread) */
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
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
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
    w->memory_bytes = w->opts.memory_bytes > 0 ? w->opts.memory_bytes : DEFAULT_MEMORY_BYTES;
    for (uint32_t i = 0; i < w->schema->column_count; i++) {
        tn_type t = w->schema->columns[i].type;
        size_t width = tn_type_is_varlen(t) ? sizeof(int32_t) : tn_type_width(t);
        size_t values = width ? (size_t)CHUNK_ROWS * width : CHUNK_ROWS / 8; /* booleans: bits */
        w->chunk_fixed_bytes += values + CHUNK_ROWS / 8;                     /* + validity */
    }
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

/* Folds one value into a column's bounds. */
static int fold_bound(column_stats *cs, const tn_iceberg_value *val)
{
    if (!cs->has_min || tn_iceberg_value_cmp(val, &cs->min) < 0) {
        if (keep_bound(cs, val, true) < 0) return TN_ENOMEM;
        cs->has_min = true;
    }
    if (!cs->has_max || tn_iceberg_value_cmp(val, &cs->max) > 0) {
        if (keep_bound(cs, val, false) < 0) return TN_ENOMEM;
        cs->has_max = true;
    }
    return 0;
}

/* The rows holding the least and the greatest non-null (and non-NaN) value of a chunk's
 * column, in the order tn_iceberg_value_cmp gives the column's kind; false when the column has
 * no such value or no typed loop (the caller then folds every value). NaNs are counted. */
#define EXTREMES_LOOP(T, get, skip)                                                        \
    do {                                                                                   \
        const T *x = (const T *)v->values;                                                 \
        for (uint32_t r = 0; r < rows; r++) {                                              \
            if (v->null_count && !tn_vector_is_valid(v, r)) continue;                      \
            if (skip) {                                                                    \
                (*nans)++;                                                                 \
                continue;                                                                  \
            }                                                                              \
            if (!found) {                                                                  \
                lo = hi = r;                                                               \
                found = true;                                                              \
            } else if (get(x, r) < get(x, lo)) {                                           \
                lo = r;                                                                    \
            } else if (get(x, r) > get(x, hi)) {                                           \
                hi = r;                                                                    \
            }                                                                              \
        }                                                                                  \
    } while (0)
#define AT(x, r) ((x)[r])

/* Bytewise order of two strings, shorter first on a common prefix. The first bytes decide
 * most comparisons, so they are looked at before memcmp is called. */
static inline int str_cmp(tn_str x, tn_str y)
{
    if (x.len && y.len && x.ptr[0] != y.ptr[0]) return (unsigned char)x.ptr[0] < (unsigned char)y.ptr[0] ? -1 : 1;
    size_t n = x.len < y.len ? x.len : y.len;
    int c = n ? memcmp(x.ptr, y.ptr, n) : 0;
    if (c) return c;
    return x.len < y.len ? -1 : x.len > y.len;
}

static bool chunk_extremes(const tn_vector *v, uint32_t rows, uint8_t kind, uint32_t *min_row,
                           uint32_t *max_row, int64_t *nans, bool *typed)
{
    uint32_t lo = 0, hi = 0;
    bool found = false;
    *typed = true;
    switch (v->type.id) {
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE:
        if (kind != TN_ICEBERG_INT && kind != TN_ICEBERG_DATE && kind != TN_ICEBERG_LONG) break;
        EXTREMES_LOOP(int32_t, AT, false);
        goto done;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        if (kind != TN_ICEBERG_LONG && kind != TN_ICEBERG_TIMESTAMP && kind != TN_ICEBERG_TIMESTAMPTZ) break;
        EXTREMES_LOOP(int64_t, AT, false);
        goto done;
    case TN_TYPE_DOUBLE:
        if (kind != TN_ICEBERG_DOUBLE) break;
        EXTREMES_LOOP(double, AT, isnan(x[r]));
        goto done;
    case TN_TYPE_DECIMAL:
        if (kind != TN_ICEBERG_DECIMAL) break;
        if (tn_decimal_is_64(v->type))
            EXTREMES_LOOP(int64_t, AT, false);
        else
            EXTREMES_LOOP(tn_i128, AT, false);
        goto done;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB:
        if (kind != TN_ICEBERG_STRING && kind != TN_ICEBERG_BINARY) break;
        tn_str lo_s = {0}, hi_s = {0};
        for (uint32_t r = 0; r < rows; r++) {
            if (v->null_count && !tn_vector_is_valid(v, r)) continue;
            tn_str x = tn_vector_get_str(v, r);
            if (!found) {
                lo = hi = r;
                lo_s = hi_s = x;
                found = true;
            } else if (str_cmp(x, lo_s) < 0) {
                lo = r;
                lo_s = x;
            } else if (str_cmp(x, hi_s) > 0) {
                hi = r;
                hi_s = x;
            }
        }
        goto done;
    default: break;
    }
    *typed = false;
    return false;
done:
    *min_row = lo;
    *max_row = hi;
    return found;
}

/* Adds a chunk's rows to a file's statistics. */
static int update_stats(const tn_lake_writer *w, file_job *job, const tn_batch *b)
{
    for (uint32_t c = 0; c < b->schema->column_count; c++) {
        column_stats *cs = &job->stats[c];
        const tn_vector *v = &b->columns[c];
        uint8_t kind = w->column_kind[c];
        uint32_t rows = b->row_count;
        cs->values += rows;
        cs->nulls += v->null_count;
        uint32_t lo, hi;
        bool typed;
        if (chunk_extremes(v, rows, kind, &lo, &hi, &cs->nans, &typed)) {
            tn_iceberg_value val;
            tn_iceberg_value_from_vector(v, lo, kind, &val);
            if (fold_bound(cs, &val) < 0) return TN_ENOMEM;
            tn_iceberg_value_from_vector(v, hi, kind, &val);
            if (fold_bound(cs, &val) < 0) return TN_ENOMEM;
        }
        if (typed) continue;
        for (uint32_t r = 0; r < rows; r++) {
            if (!tn_vector_is_valid(v, r)) continue;
            tn_iceberg_value val;
            tn_iceberg_value_from_vector(v, r, kind, &val);
            if ((val.kind == TN_ICEBERG_DOUBLE && isnan(val.v.d)) || (val.kind == TN_ICEBERG_FLOAT && isnan(val.v.f))) {
                cs->nans++;
                continue;
            }
            if (val.kind == TN_ICEBERG_UNKNOWN_TYPE) continue;
            if (fold_bound(cs, &val) < 0) return TN_ENOMEM;
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

/* Names the job's file and creates its folder. */
static int open_file(const tn_lake_writer *w, file_job *job, tn_error *err)
{
    char uuid[37], key[2048];
    tn_lake_uuid(uuid);
    if (job->part->path_segment[0])
        snprintf(key, sizeof key, "%s/data/%s/%s.parquet", w->table->key_prefix, job->part->path_segment, uuid);
    else
        snprintf(key, sizeof key, "%s/data/%s.parquet", w->table->key_prefix, uuid);
    job->key_name = tn_strdup(key);
    if (!job->key_name) return tn_error_set(err, TN_ENOMEM, "out of memory");
    job->local_path = tn_store_local_path(w->table->lake->store, key);
    job->staged = false;
    if (!job->local_path) {
        /* A remote store: write locally, move into the store on finish. */
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s/tarn-lake-%s.parquet", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", uuid);
        job->local_path = tn_strdup(tmp);
        job->staged = true;
        if (!job->local_path) return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    if (make_parents(job->local_path) < 0)
        return tn_error_set_at(err, TN_EIO, job->local_path, 0, 0, "cannot create the data folder: %s", strerror(errno));
    return 0;
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

/* Writes a job's rows as one complete file and gathers its statistics. Touches only the job
 * (and what never changes in w), so jobs can be written on several threads at once. threads
 * is the Parquet writer's: 1 = on this thread only. */
static int write_file(const tn_lake_writer *w, file_job *job, int threads, tn_error *err)
{
    int rc = open_file(w, job, err);
    if (rc < 0) return rc;
    tn_write_options wo = {0};
    wo.format = "parquet";
    wo.compression = w->compression;
    wo.threads = threads;
    /* One row group when the rows fit (the slack keeps the writer from cutting one short:
     * its measure of a row differs a little from the chunks'), and the writer's staging
     * buffers reserved for no more than that. */
    int64_t group = job->bytes + job->bytes / 4 + ((int64_t)1 << 20);
    wo.row_group_bytes = group < MAX_ROW_GROUP_BYTES ? group : MAX_ROW_GROUP_BYTES;
    tn_writer *writer = NULL;
    rc = tn_writer_open(job->local_path, w->schema, &wo, &writer, err);
    for (uint32_t i = 0; rc == 0 && i < job->chunk_count; i++) {
        const tn_batch *chunk = job->chunks[i];
        rc = tn_writer_write(writer, chunk, err);
        if (rc == 0 && update_stats(w, job, chunk) < 0) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    if (rc < 0) {
        tn_writer_abort(writer);
        return rc;
    }
    rc = tn_writer_finish(writer, err);
    if (rc == 0 && job->staged) rc = tn_store_put_file(w->table->lake->store, job->key_name, job->local_path, err);
    if (rc < 0) return rc;
    job->finished = true;
    tn_store_entry st;
    rc = tn_store_stat(w->table->lake->store, job->key_name, &st, err);
    if (rc < 0) return rc;
    job->file_size = (int64_t)st.size;
    return 0;
}

static void write_job(const tn_lake_writer *w, file_job *job, int threads)
{
    tn_error_clear(&job->err);
    job->rc = write_file(w, job, threads, &job->err);
}

/* Appends the description of a written job's file to the writer's list. */
static int describe_file(tn_lake_writer *w, const file_job *job, tn_error *err)
{
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
    char *loc = tn_lake_key_location(w->table->lake, job->key_name);
    f->file_path = loc ? tn_arena_strdup(a, loc) : NULL;
    tn_free(loc);
    f->file_format = tn_arena_strdup(a, "PARQUET");
    f->content = TN_CONTENT_DATA;
    f->spec_id = w->spec_id;
    f->record_count = job->rows;
    f->file_size_in_bytes = job->file_size;
    uint32_t nspec = w->spec ? w->spec->field_count : 0;
    f->partition_count = nspec;
    f->partition = nspec ? tn_arena_calloc(a, nspec * sizeof *f->partition) : NULL;
    uint32_t ncol = w->schema->column_count;
    f->stats = tn_arena_calloc(a, (ncol + 1) * sizeof *f->stats);
    if (!f->file_path || !f->file_format || (nspec && !f->partition) || !f->stats)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    if (nspec) memcpy(f->partition, job->part->key, nspec * sizeof *f->partition);
    for (uint32_t c = 0; c < ncol; c++) {
        const column_stats *cs = &job->stats[c];
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
    return 0;
}

/* Frees a job; its chunks go to the spare list (or are freed with free_chunks). */
static void free_job(tn_lake_writer *w, file_job *job, bool free_chunks)
{
    for (uint32_t i = 0; i < job->chunk_count; i++) {
        if (free_chunks) {
            tn_batch_free(job->chunks[i]);
        } else {
            tn_batch_reset(job->chunks[i]);
            /* The spare list has room for every chunk there is (room_for_rows). */
            w->spare[w->spare_count++] = job->chunks[i];
        }
    }
    tn_free(job->chunks);
    for (uint32_t c = 0; job->stats && c < w->schema->column_count; c++) {
        tn_buf_free(&job->stats[c].min_buf);
        tn_buf_free(&job->stats[c].max_buf);
    }
    tn_free(job->stats);
    tn_free(job->key_name);
    tn_free(job->local_path);
    tn_free(job);
}

/* Takes a partition's buffered rows as a job (the partition starts empty: a new file). */
static file_job *take_job(tn_lake_writer *w, part_file *pf)
{
    file_job *job = tn_calloc(1, sizeof *job);
    column_stats *stats = tn_calloc(w->schema->column_count + 1, sizeof *stats);
    if (!job || !stats) {
        tn_free(job);
        tn_free(stats);
        return NULL;
    }
    job->part = pf;
    job->stats = stats;
    job->chunks = pf->chunks;
    job->chunk_count = pf->chunk_count;
    job->rows = pf->rows;
    job->bytes = pf->bytes;
    pf->chunks = NULL;
    pf->chunk_count = pf->chunk_cap = 0;
    pf->rows = pf->bytes = 0;
    w->queued_bytes += job->bytes;
    return job;
}

static void *writer_thread(void *arg)
{
    tn_lake_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->pending && !w->quit) pthread_cond_wait(&w->cond, &w->lock);
        if (!w->pending) break;
        file_job *job = w->pending;
        w->pending = job->next;
        if (!w->pending) w->pending_tail = NULL;
        w->writing = true;
        pthread_mutex_unlock(&w->lock);
        write_job(w, job, 1);
        pthread_mutex_lock(&w->lock);
        w->writing = false;
        job->next = w->done;
        w->done = job;
        pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Hands a job to the background writer (started on first use; without it, the job is written
 * here and now with the Parquet writer's own parallelism). */
static void submit_job(tn_lake_writer *w, file_job *job)
{
    if (!w->thread_started) {
        if (pthread_create(&w->thread, NULL, writer_thread, w) == 0) {
            w->thread_started = true;
        } else {
            write_job(w, job, 0);
            job->next = w->done;
            w->done = job;
            return;
        }
    }
    pthread_mutex_lock(&w->lock);
    job->next = NULL;
    if (w->pending_tail) w->pending_tail->next = job;
    else w->pending = job;
    w->pending_tail = job;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Describes the jobs written since the last call and frees them (their chunks go back to the
 * spare list). Every file made is recorded (so removed if the run is abandoned) before the
 * first error is returned. With wait, first waits until no job is queued or being written. */
static int collect_jobs(tn_lake_writer *w, bool wait, tn_error *err)
{
    if (!w->thread_started && !w->done) return 0;
    pthread_mutex_lock(&w->lock);
    while (wait && (w->pending || w->writing)) pthread_cond_wait(&w->cond, &w->lock);
    file_job *done = w->done;
    w->done = NULL;
    pthread_mutex_unlock(&w->lock);
    int rc = 0;
    while (done) {
        file_job *job = done;
        done = job->next;
        if (job->finished && record_written(w, job->key_name) < 0 && rc == 0)
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        if (job->rc < 0 && rc == 0) {
            *err = job->err;
            rc = job->rc;
        }
        if (job->rc == 0 && rc == 0) rc = describe_file(w, job, err);
        w->queued_bytes -= job->bytes;
        w->buffered_bytes -= job->bytes;
        free_job(w, job, false);
    }
    return rc;
}

/* Waits until at least one job is written (when any is queued). */
static void wait_for_a_job(tn_lake_writer *w)
{
    pthread_mutex_lock(&w->lock);
    while (!w->done && (w->pending || w->writing)) pthread_cond_wait(&w->cond, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

/* Stops the background writer after the jobs it has (or drops them when abandoning). */
static void stop_writer_thread(tn_lake_writer *w)
{
    if (!w->thread_started) return;
    pthread_mutex_lock(&w->lock);
    w->quit = true;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->thread_started = false;
}

/* ------------------------------------------------------------------------------------------
 * Routing rows
 * ---------------------------------------------------------------------------------------- */

/* The partition tuple of a row into vals. */
static int partition_tuple(tn_lake_writer *w, const tn_batch *b, uint32_t row, tn_iceberg_value *vals,
                           tn_error *err)
{
    uint32_t nspec = w->spec ? w->spec->field_count : 0;
    for (uint32_t j = 0; j < nspec; j++) {
        const tn_iceberg_partition_field *pf = &w->spec->fields[j];
        tn_iceberg_value in = {.is_null = true};
        int col = w->source_column[j];
        if (col >= 0) tn_iceberg_value_from_vector(&b->columns[col], row, w->column_kind[col], &in);
        if (tn_transform_apply(pf->transform, &in, &vals[j]) < 0)
            return tn_error_set(err, TN_ETYPE, "partition transform '%s' does not apply to column '%s'",
                                pf->transform_text, col >= 0 ? w->schema->columns[col].name : "?");
    }
    return 0;
}

/* The hash key of a partition tuple (into w->keybuf): each value's binary form, with its
 * length, so that no two tuples share a key. */
static int partition_key(tn_lake_writer *w, const tn_iceberg_value *vals)
{
    uint32_t nspec = w->spec ? w->spec->field_count : 0;
    tn_buf_clear(&w->keybuf);
    for (uint32_t j = 0; j < nspec; j++) {
        size_t before = w->keybuf.len;
        if (tn_buf_putc(&w->keybuf, vals[j].is_null ? 'N' : 'V') < 0 ||
            (!vals[j].is_null && tn_iceberg_value_to_bytes(&vals[j], &w->keybuf) < 0))
            return TN_ENOMEM;
        uint32_t len = (uint32_t)(w->keybuf.len - before);
        if (tn_buf_append(&w->keybuf, &len, sizeof len) < 0) return TN_ENOMEM;
    }
    return 0;
}

static bool same_tuple(const tn_iceberg_value *a, const tn_iceberg_value *b, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        if (!tn_iceberg_value_eq(&a[j], &b[j])) return false;
    return true;
}

/* The index in w->parts of the partition of tuple vals, created on first sight. */
static int get_part(tn_lake_writer *w, const tn_iceberg_value *vals, uint32_t *out, tn_error *err)
{
    if (partition_key(w, vals) < 0) return tn_error_set(err, TN_ENOMEM, "out of memory");
    void *found = NULL;
    if (tn_hash_get(w->parts_by_key, w->keybuf.data ? w->keybuf.data : "", w->keybuf.len, &found)) {
        *out = (uint32_t)((uintptr_t)found - 1);
        return 0;
    }
    part_file *pf = tn_calloc(1, sizeof *pf);
    if (!pf) return tn_error_set(err, TN_ENOMEM, "out of memory");
    uint32_t nspec = w->spec ? w->spec->field_count : 0;
    pf->key = tn_arena_calloc(&w->arena, (nspec + 1) * sizeof *pf->key);
    tn_buf seg = TN_BUF_INIT;
    int rc = !pf->key ? TN_ENOMEM : 0;
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
        part_file **v = p ? tn_realloc(w->victims, cap * sizeof *v) : NULL;
        if (p) w->parts = p;
        if (v) w->victims = v;
        if (!p || !v) rc = TN_ENOMEM;
        else w->part_cap = cap;
    }
    if (rc == 0)
        rc = tn_hash_put(w->parts_by_key, w->keybuf.data ? w->keybuf.data : "", w->keybuf.len,
                         (void *)((uintptr_t)w->part_count + 1));
    if (rc < 0) {
        tn_free(pf);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    *out = w->part_count;
    w->parts[w->part_count++] = pf;
    return 0;
}

/* A chunk with room for rows at the end of the partition's buffer (a spare one if any). */
static tn_batch *room_for_rows(tn_lake_writer *w, part_file *pf)
{
    if (pf->chunk_count && pf->chunks[pf->chunk_count - 1]->row_count < CHUNK_ROWS)
        return pf->chunks[pf->chunk_count - 1];
    if (pf->chunk_count == pf->chunk_cap) {
        uint32_t cap = pf->chunk_cap ? pf->chunk_cap * 2 : 4;
        tn_batch **c = tn_realloc(pf->chunks, cap * sizeof *c);
        if (!c) return NULL;
        pf->chunks = c;
        pf->chunk_cap = cap;
    }
    tn_batch *chunk = NULL;
    if (w->spare_count) {
        chunk = w->spare[--w->spare_count];
    } else {
        /* Every chunk can come back to the spare list at once: keep room for all of them. */
        tn_batch **s = tn_realloc(w->spare, (w->spare_cap + 1) * sizeof *s);
        if (!s) return NULL;
        w->spare = s;
        chunk = tn_batch_new(w->schema, CHUNK_ROWS);
        if (!chunk) return NULL;
        w->spare_cap++;
    }
    pf->chunks[pf->chunk_count++] = chunk;
    pf->bytes += (int64_t)w->chunk_fixed_bytes;
    w->buffered_bytes += (int64_t)w->chunk_fixed_bytes;
    return chunk;
}

/* Appends rows sel[0..n) of src to dst from row `at` on (dst's rows before `at` are set and
 * its rows from `at` on are valid and empty). *grown is what dst's byte buffer grew by. */
static int gather_column(tn_vector *dst, uint32_t at, const tn_vector *src, const uint32_t *sel, uint32_t n,
                         size_t *grown)
{
    *grown = 0;
    if (src->null_count)
        for (uint32_t i = 0; i < n; i++)
            if (!tn_vector_is_valid(src, sel[i])) tn_vector_set_null(dst, at + i);
    switch (src->type.id) {
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: {
        const int32_t *so = src->offsets;
        size_t total = 0;
        for (uint32_t i = 0; i < n; i++) total += (size_t)(so[sel[i] + 1] - so[sel[i]]);
        size_t start = (size_t)dst->offsets[at];
        if (total > (size_t)INT32_MAX - start) return TN_ELIMIT;
        if (start + total > dst->data_cap) {
            size_t cap = dst->data_cap ? dst->data_cap : 4096;
            while (cap < start + total) cap *= 2;
            if (cap > (size_t)INT32_MAX) cap = (size_t)INT32_MAX;
            char *data = tn_realloc(dst->data, cap);
            if (!data) return TN_ENOMEM;
            *grown = cap - dst->data_cap;
            dst->data = data;
            dst->data_cap = cap;
        }
        int32_t *dof = dst->offsets + at;
        int32_t end = (int32_t)start;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t s = sel[i];
            int32_t len = so[s + 1] - so[s];
            if (len) memcpy(dst->data + end, src->data + so[s], (size_t)len);
            end += len;
            dof[i + 1] = end;
        }
        dst->data_len = (size_t)end;
        return 0;
    }
    case TN_TYPE_BOOLEAN:
        for (uint32_t i = 0; i < n; i++) tn_vector_set_bool(dst, at + i, tn_vector_get_bool(src, sel[i]));
        return 0;
    default: break;
    }
    size_t width = tn_type_width(src->type);
    switch (width) {
    case 4: {
        const uint32_t *s = src->values;
        uint32_t *d = (uint32_t *)dst->values + at;
        for (uint32_t i = 0; i < n; i++) d[i] = s[sel[i]];
        break;
    }
    case 8: {
        const uint64_t *s = src->values;
        uint64_t *d = (uint64_t *)dst->values + at;
        for (uint32_t i = 0; i < n; i++) d[i] = s[sel[i]];
        break;
    }
    default: {
        const char *s = src->values;
        char *d = (char *)dst->values + (size_t)at * width;
        for (uint32_t i = 0; i < n; i++) memcpy(d + i * width, s + (size_t)sel[i] * width, width);
        break;
    }
    }
    return 0;
}

/* Appends rows sel[0..n) of the (table-ordered) batch to a partition's buffer. */
static int buffer_rows(tn_lake_writer *w, part_file *pf, const tn_batch *b, const uint32_t *sel, uint32_t n,
                       tn_error *err)
{
    while (n > 0) {
        tn_batch *chunk = room_for_rows(w, pf);
        if (!chunk) return tn_error_set(err, TN_ENOMEM, "out of memory");
        uint32_t take = CHUNK_ROWS - chunk->row_count;
        if (take > n) take = n;
        for (uint32_t c = 0; c < b->schema->column_count; c++) {
            size_t grown = 0;
            int rc = gather_column(&chunk->columns[c], chunk->row_count, &b->columns[c], sel, take, &grown);
            if (rc == TN_ELIMIT)
                return tn_error_set(err, rc, "column '%s' has more than 2 GiB of text in %u rows",
                                    w->schema->columns[c].name, (unsigned)CHUNK_ROWS);
            if (rc < 0) return tn_error_set(err, rc, "out of memory");
            pf->bytes += (int64_t)grown;
            w->buffered_bytes += (int64_t)grown;
        }
        chunk->row_count += take;
        pf->rows += take;
        sel += take;
        n -= take;
    }
    return 0;
}

/* Makes sure the routing arrays hold a batch of `rows`. */
static int reserve_routing(tn_lake_writer *w, uint32_t rows)
{
    if (rows <= w->routing_cap) return 0;
    uint32_t *a = tn_realloc(w->row_part, (size_t)rows * sizeof *a);
    if (a) w->row_part = a;
    uint32_t *b = a ? tn_realloc(w->row_order, (size_t)rows * sizeof *b) : NULL;
    if (b) w->row_order = b;
    uint32_t *c = b ? tn_realloc(w->touched, (size_t)rows * sizeof *c) : NULL;
    if (c) w->touched = c;
    if (!c) return TN_ENOMEM;
    w->routing_cap = rows;
    return 0;
}

static int by_bytes_desc(const void *a, const void *b)
{
    const part_file *x = *(part_file *const *)a, *y = *(part_file *const *)b;
    return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

/* Hands the given partitions' rows to the background writer, one file each. */
static int submit_parts(tn_lake_writer *w, part_file **parts, uint32_t count, tn_error *err)
{
    for (uint32_t i = 0; i < count; i++) {
        file_job *job = take_job(w, parts[i]);
        if (!job) return tn_error_set(err, TN_ENOMEM, "out of memory");
        submit_job(w, job);
    }
    return 0;
}

/* Keeps the writer within its budget: partitions at target_file_rows are written out, and
 * when the buffers hold more than the budget, the fullest partitions until half of it is
 * left. The files are written in the background while the caller goes on; the caller waits
 * only when the writer falls behind by half a budget more. */
static int enforce_budget(tn_lake_writer *w, tn_error *err)
{
    int rc = collect_jobs(w, false, err);
    uint32_t n = 0;
    if (rc == 0 && w->opts.target_file_rows > 0)
        for (uint32_t i = 0; i < w->part_count; i++)
            if (w->parts[i]->rows >= w->opts.target_file_rows) w->victims[n++] = w->parts[i];
    if (rc == 0) rc = submit_parts(w, w->victims, n, err);
    int64_t held = w->buffered_bytes - w->queued_bytes; /* not yet handed over */
    if (rc == 0 && held > w->memory_bytes / 2 && w->buffered_bytes > w->memory_bytes) {
        n = 0;
        for (uint32_t i = 0; i < w->part_count; i++)
            if (w->parts[i]->rows) w->victims[n++] = w->parts[i];
        qsort(w->victims, n, sizeof *w->victims, by_bytes_desc);
        uint32_t take = 0;
        while (take < n && held > w->memory_bytes / 2) held -= w->victims[take++]->bytes;
        rc = submit_parts(w, w->victims, take, err);
    }
    while (rc == 0 && w->buffered_bytes > w->memory_bytes + w->memory_bytes / 2 && w->queued_bytes > 0) {
        wait_for_a_job(w);
        rc = collect_jobs(w, false, err);
    }
    return rc;
}

/* Writes a batch. */
int tn_lake_writer_write(tn_lake_writer *w, const tn_batch *batch, tn_error *err)
{
    uint32_t ncol = w->schema->column_count;
    int *map = tn_calloc(ncol + 1, sizeof(int));
    tn_vector *cast = tn_calloc(ncol + 1, sizeof *cast);
    bool *casted = tn_calloc(ncol + 1, sizeof(bool));
    uint32_t nspec = w->spec ? w->spec->field_count : 0;
    tn_iceberg_value *vals = tn_calloc(2 * nspec + 1, sizeof *vals);
    tn_iceberg_value *last = vals + nspec;
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
    uint32_t rows = batch->row_count;
    if (rc == 0 && rows && reserve_routing(w, rows) < 0) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    /* The partition of each row, once; runs of one tuple (inputs in time order) skip the
     * lookup. */
    uint32_t touched = 0, current = 0;
    for (uint32_t r = 0; rc == 0 && r < rows; r++) {
        rc = partition_tuple(w, &view, r, vals, err);
        if (rc < 0) break;
        if (r == 0 || !same_tuple(vals, last, nspec)) {
            rc = get_part(w, vals, &current, err);
            if (rc < 0) break;
            memcpy(last, vals, nspec * sizeof *vals);
        }
        w->row_part[r] = current;
        part_file *pf = w->parts[current];
        if (pf->batch_rows++ == 0) w->touched[touched++] = current;
    }
    /* Rows grouped by partition, in input order within each (a counting sort), then every
     * column gathered once per partition. */
    uint32_t at = 0;
    for (uint32_t t = 0; t < touched; t++) {
        part_file *pf = w->parts[w->touched[t]];
        pf->batch_start = at;
        at += pf->batch_rows;
    }
    if (rc == 0 && touched == 1) {
        for (uint32_t r = 0; r < rows; r++) w->row_order[r] = r;
    } else if (rc == 0) {
        for (uint32_t r = 0; r < rows; r++) w->row_order[w->parts[w->row_part[r]]->batch_start++] = r;
        for (uint32_t t = 0; t < touched; t++) {
            part_file *pf = w->parts[w->touched[t]];
            pf->batch_start -= pf->batch_rows;
        }
    }
    for (uint32_t t = 0; t < touched; t++) {
        part_file *pf = w->parts[w->touched[t]];
        if (rc == 0) rc = buffer_rows(w, pf, &view, w->row_order + pf->batch_start, pf->batch_rows, err);
        pf->batch_rows = 0;
    }
    for (uint32_t i = 0; i < ncol; i++) tn_vector_destroy(&nulls[i]);
    tn_free(nulls);
    tn_free(cols);
    if (rc == 0) w->rows += rows;
    if (rc == 0) rc = enforce_budget(w, err);
done:
    for (uint32_t i = 0; cast && casted && i < ncol; i++)
        if (casted[i]) tn_vector_destroy(&cast[i]);
    tn_free(map);
    tn_free(cast);
    tn_free(casted);
    tn_free(vals);
    return rc;
}

/* Writes every partition's buffered rows and returns the descriptions of all files written. */
int tn_lake_writer_finish(tn_lake_writer *w, const tn_iceberg_data_file **files, size_t *count,
                          tn_error *err)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < w->part_count; i++)
        if (w->parts[i]->rows) w->victims[n++] = w->parts[i];
    int rc = submit_parts(w, w->victims, n, err);
    /* The caller writes queued jobs too, so that both cores write files to the end. */
    for (;;) {
        file_job *job = NULL;
        if (w->thread_started) {
            pthread_mutex_lock(&w->lock);
            if (w->pending) {
                job = w->pending;
                w->pending = job->next;
                if (!w->pending) w->pending_tail = NULL;
            }
            pthread_mutex_unlock(&w->lock);
        }
        if (!job) break;
        write_job(w, job, 1);
        pthread_mutex_lock(&w->lock);
        job->next = w->done;
        w->done = job;
        pthread_mutex_unlock(&w->lock);
    }
    int crc = collect_jobs(w, true, err);
    if (rc == 0) rc = crc;
    if (rc < 0) return rc;
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
    if (w->thread_started) {
        /* Jobs not started are dropped; the one being written is finished and recorded. */
        pthread_mutex_lock(&w->lock);
        file_job *dropped = w->pending;
        w->pending = w->pending_tail = NULL;
        pthread_mutex_unlock(&w->lock);
        stop_writer_thread(w);
        while (dropped) {
            file_job *next = dropped->next;
            free_job(w, dropped, true);
            dropped = next;
        }
    }
    while (w->done) {
        file_job *job = w->done;
        w->done = job->next;
        if (job->finished) record_written(w, job->key_name);
        free_job(w, job, true);
    }
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    for (uint32_t i = 0; i < w->part_count; i++) {
        part_file *pf = w->parts[i];
        for (uint32_t c = 0; c < pf->chunk_count; c++) tn_batch_free(pf->chunks[c]);
        tn_free(pf->chunks);
        tn_free(pf);
    }
    for (uint32_t i = 0; i < w->spare_count; i++) tn_batch_free(w->spare[i]);
    tn_free(w->spare);
    for (size_t i = 0; i < w->written_count; i++) {
        if (remove_files) {
            tn_error ignore = {0};
            tn_store_remove(w->table->lake->store, w->written_keys[i], &ignore);
        }
        tn_free(w->written_keys[i]);
    }
    tn_free(w->written_keys);
    tn_free(w->parts);
    tn_free(w->victims);
    tn_free(w->row_part);
    tn_free(w->row_order);
    tn_free(w->touched);
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
