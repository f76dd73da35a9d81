/* SPDX-License-Identifier: Apache-2.0
 *
 * The Parquet writer (parquet_write.h): batches in, one Parquet file out, made visible only
 * when complete (tn_atomic_file).
 *
 * Rows are staged column by column in their physical representation (cheap copies on the
 * caller's thread) until a row group is full (row_group_bytes or row_group_rows). The full
 * row group is then flushed while the caller fills a second one: a flusher thread
 *
 *   1. encodes and compresses, one task per column on the worker pool: cuts the rows into
 *      pages of about page_bytes, grows the chunk's dictionary, encodes definition levels
 *      and values, computes page and chunk statistics, and compresses each page as soon as
 *      it is encoded (so only compressed pages are kept);
 *   2. writes page headers and pages in column order, and the ColumnChunk metadata.
 *
 * So at most two row groups' staged values and one row group's compressed pages are in
 * memory; all of these buffers are reused from one row group to the next. The page index
 * (ColumnIndex and OffsetIndex of every chunk) is kept small — page locations and bounds —
 * and written before the footer, as PageIndex.md lays out.
 *
 * Dictionary encoding is the default: the dictionary grows with the chunk's values until it
 * passes DICT_MAX_BYTES or DICT_MAX_ENTRIES; pages before that point are RLE_DICTIONARY,
 * the rest of the chunk is PLAIN. A chunk whose values are mostly distinct is written PLAIN
 * from the start (judged on its first DICT_PROBE_ROWS rows), because indices would only add
 * bytes.
 */
#include "formats/parquet/parquet_write.h"

#include "formats/parquet/codec.h"
#include "formats/parquet/encode.h"
#include "formats/parquet/metadata.h"

#include <math.h>
#include <pthread.h>
#include <sys/mman.h>
#include <zstd.h>

#ifndef TARN_VERSION
#define TARN_VERSION "unknown"
#endif

#define DEFAULT_ROW_GROUP_BYTES ((int64_t)128 << 20)
#define DEFAULT_PAGE_BYTES ((int64_t)1 << 20)
#define DEFAULT_ZSTD_LEVEL 3 /* what DuckDB uses, so sizes compare like for like */
#define DICT_MAX_BYTES ((size_t)1 << 20)
#define DICT_MAX_ENTRIES (1u << 16)
#define DICT_PROBE_ROWS 16384
#define PRESIZE_MAX_ROWS ((size_t)1 << 26)
/* Statistics and page bounds longer than this are left out rather than truncated, so every
 * bound that is written is exact. */
#define STATS_MAX_BYTES 4096
#define MAX_PAGE_ROWS (1 << 20)

/* ------------------------------------------------------------------------------------------
 * State
 * ---------------------------------------------------------------------------------------- */

/* How a tarn column is stored: fixed for the file. */
typedef struct column_plan {
    const char *name;
    tn_type type;
    int32_t physical; /* tn_parquet_type */
    uint32_t width;   /* staged bytes per value; 0 for BYTE_ARRAY */
    bool nullable;
    int32_t field_id;
} column_plan;

/* One column's rows of a row group, in physical form. */
typedef struct column_stage {
    tn_buf values;     /* fixed width: width bytes per row (null rows hold zeros) */
    tn_buf data;       /* BYTE_ARRAY bytes */
    uint32_t *offsets; /* BYTE_ARRAY: rows + 1 offsets into data (kept under 4 GiB) */
    size_t offsets_cap;
    tn_buf defs;       /* nullable: one byte per row, 1 = present */
    size_t nulls;
} column_stage;

/* The rows of one row group: filled by the caller's thread, then flushed. There are two, so
 * that the next row group fills while the last one is encoded. */
typedef struct stage_set {
    column_stage *columns; /* column_count */
    size_t rows;
    size_t bytes;          /* PLAIN-size estimate, for row_group_bytes */
    bool sized;            /* buffers were reserved for a whole row group */
} stage_set;

/* A value bound: fixed-width values inline, byte arrays by pointer (valid during a flush). */
typedef struct value_bound {
    const uint8_t *ptr;
    uint32_t len;
    uint8_t fixed[16];
} value_bound;

/* Statistics of a page or a chunk. */
typedef struct value_stats {
    int64_t null_count;
    int64_t nan_count;
    bool has_minmax; /* at least one comparable (non-null, non-NaN) value */
    bool too_long;   /* a byte-array bound passed STATS_MAX_BYTES */
    value_bound min, max;
} value_stats;

/* One encoded page of the row group being flushed. */
typedef struct page_buf {
    int32_t type;         /* tn_parquet_page_type */
    int32_t encoding;
    size_t levels_len;    /* data page v2: definition-level bytes at the start */
    tn_buf packed;        /* the bytes written to the file (compressed) */
    int32_t uncompressed; /* payload length before compression */
    uint32_t num_values;  /* rows (nulls included) */
    uint32_t num_nulls;
    int64_t first_row;
    value_stats stats;
} page_buf;

/* A data page as the page index needs it, kept until the end of the file. */
typedef struct page_entry {
    int64_t offset;
    int32_t size; /* header included */
    int64_t first_row;
    int64_t null_count;
    bool null_page;
    uint32_t min_off, min_len, max_off, max_len; /* into the arena copy `bounds` */
} page_entry;

/* A column chunk's page index inputs, kept until the end of the file. */
typedef struct chunk_index {
    uint32_t page_count;
    page_entry *pages;
    const uint8_t *bounds;
    bool column_index_ok; /* false when a bound was too long or a page was all NaN */
} chunk_index;

/* Step 1's output for one column of the row group, and its reusable work space. */
typedef struct chunk_work {
    uint32_t page_count; /* slots used in pages, the dictionary slot included */
    uint32_t page_cap;
    page_buf *pages;     /* [0] is the dictionary page when has_dict, then the data pages */
    bool has_dict;
    uint32_t dict_pages, plain_pages;
    value_stats stats;
    tn_parquet_dict dict;
    uint32_t *indices;   /* one page's dictionary indices */
    size_t indices_cap;
    uint32_t *stamp;     /* per dictionary entry: the last page whose bounds saw it */
    size_t stamp_cap;
    uint32_t stamp_id;
    tn_buf body;         /* one page's uncompressed payload */
    tn_buf scratch;      /* one page's present values, compacted */
    int rc;
    tn_error err;
} chunk_work;

typedef struct pq_writer {
    tn_atomic_file file;
    bool file_open;
    int64_t offset; /* bytes written so far */
    tn_schema *schema;
    uint32_t column_count;
    column_plan *plans;
    stage_set sets[2];
    int fill;                   /* index of the set being filled */
    const stage_set *flushing;  /* the set the encoder tasks read */
    int64_t rows_staged;        /* all rows given so far (for messages) */

    int codec;      /* tn_codec_id */
    int level;      /* 0 = the codec's default */
    int64_t row_group_rows;
    int64_t row_group_bytes;
    int64_t page_bytes;
    bool data_page_v2;
    bool dictionary;

    tn_pool *pool;    /* for flushes on the caller's thread; NULL = run inline */
    bool own_pool;
    tn_pool *bg_pool; /* for the flusher thread: never the shared pool (see flush_filled) */
    bool own_bg_pool;
    int workers;      /* threads of either pool: one ZSTD context each */
    ZSTD_CCtx **zstd; /* one per worker, created on first use */

    chunk_work *work; /* column_count, reused per row group */

    /* Background flushing: one thread encodes and writes a full row group (with the pool)
     * while the caller fills the other set. */
    bool bg_started;
    pthread_t bg_thread;
    pthread_mutex_t bg_lock;
    pthread_cond_t bg_cond;
    stage_set *bg_job; /* set to flush, NULL when idle */
    bool bg_quit;
    int bg_rc;         /* first background failure, reported by the next call */
    tn_error bg_err;

    tn_arena meta;                   /* footer and page-index data */
    tn_parquet_row_group *row_groups;
    chunk_index **indexes;           /* [row group][column] */
    uint32_t row_group_count, row_group_cap;
    int64_t total_rows;
    tn_parquet_key_value *kv;
    uint32_t kv_count;
} pq_writer;

/* ------------------------------------------------------------------------------------------
 * Types
 * ---------------------------------------------------------------------------------------- */

/* Smallest byte count whose two's complement holds every DECIMAL(precision) value. */
static uint32_t decimal_flba_length(int precision)
{
    tn_i128 max = 1;
    for (int i = 0; i < precision; i++)
        max *= 10;
    max -= 1;
    uint32_t n = 1;
    while (n < 16 && max >= ((tn_i128)1 << (8 * n - 1)))
        n++;
    return n;
}

static void plan_column(column_plan *p, const tn_column *col, uint32_t position)
{
    p->name = col->name;
    p->type = col->type;
    p->nullable = col->nullable;
    p->field_id = col->field_id ? col->field_id : (int32_t)position + 1;
    switch (col->type.id) {
    case TN_TYPE_BOOLEAN: p->physical = TN_PARQUET_BOOLEAN; p->width = 1; break;
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: p->physical = TN_PARQUET_INT32; p->width = 4; break;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: p->physical = TN_PARQUET_INT64; p->width = 8; break;
    case TN_TYPE_REAL: p->physical = TN_PARQUET_FLOAT; p->width = 4; break;
    case TN_TYPE_DOUBLE: p->physical = TN_PARQUET_DOUBLE; p->width = 8; break;
    case TN_TYPE_DECIMAL:
        if (col->type.precision <= 9) {
            p->physical = TN_PARQUET_INT32;
            p->width = 4;
        } else if (col->type.precision <= 18) {
            p->physical = TN_PARQUET_INT64;
            p->width = 8;
        } else {
            p->physical = TN_PARQUET_FIXED_LEN_BYTE_ARRAY;
            p->width = decimal_flba_length(col->type.precision);
        }
        break;
    default: p->physical = TN_PARQUET_BYTE_ARRAY; p->width = 0; break;
    }
}

static void schema_element_for(const column_plan *p, tn_parquet_schema_element *e)
{
    memset(e, 0, sizeof *e);
    e->has_type = true;
    e->type = p->physical;
    e->has_repetition = true;
    e->repetition = p->nullable ? TN_PARQUET_OPTIONAL : TN_PARQUET_REQUIRED;
    e->name = tn_str_c(p->name);
    e->has_field_id = true;
    e->field_id = p->field_id;
    switch (p->type.id) {
    case TN_TYPE_DECIMAL:
        if (p->physical == TN_PARQUET_FIXED_LEN_BYTE_ARRAY) {
            e->has_type_length = true;
            e->type_length = (int32_t)p->width;
        }
        e->has_converted_type = true;
        e->converted_type = TN_PARQUET_CT_DECIMAL;
        e->has_scale = e->has_precision = true;
        e->scale = p->type.scale;
        e->precision = p->type.precision;
        e->logical.kind = TN_PARQUET_LT_DECIMAL;
        e->logical.scale = p->type.scale;
        e->logical.precision = p->type.precision;
        break;
    case TN_TYPE_DATE:
        e->has_converted_type = true;
        e->converted_type = TN_PARQUET_CT_DATE;
        e->logical.kind = TN_PARQUET_LT_DATE;
        break;
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        /* LogicalTypes.md asks for the legacy annotation on local timestamps too. */
        e->has_converted_type = true;
        e->converted_type = TN_PARQUET_CT_TIMESTAMP_MICROS;
        e->logical.kind = TN_PARQUET_LT_TIMESTAMP;
        e->logical.unit = TN_PARQUET_MICROS;
        e->logical.is_adjusted_to_utc = p->type.id == TN_TYPE_TIMESTAMPTZ;
        break;
    case TN_TYPE_VARCHAR:
        e->has_converted_type = true;
        e->converted_type = TN_PARQUET_CT_UTF8;
        e->logical.kind = TN_PARQUET_LT_STRING;
        break;
    default: break;
    }
}

/* ------------------------------------------------------------------------------------------
 * Comparisons in each column's sort order (parquet.thrift ColumnOrder)
 * ---------------------------------------------------------------------------------------- */

static const uint8_t *bound_bytes(const value_bound *b) { return b->ptr ? b->ptr : b->fixed; }

/* Compares two PLAIN-encoded values of the column: signed integers, IEEE floats, signed
 * big-endian decimals, unsigned bytes for byte arrays. */
static int compare_values(const column_plan *p, const uint8_t *a, size_t alen, const uint8_t *b,
                          size_t blen)
{
    switch (p->physical) {
    case TN_PARQUET_BOOLEAN: return (int)a[0] - (int)b[0];
    case TN_PARQUET_INT32: {
        int32_t x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    case TN_PARQUET_INT64: {
        int64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case TN_PARQUET_FLOAT: {
        float x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    case TN_PARQUET_DOUBLE: {
        double x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case TN_PARQUET_FIXED_LEN_BYTE_ARRAY: {
        /* Two's complement big-endian of equal width: the sign byte decides first. */
        int sa = (int8_t)a[0], sb = (int8_t)b[0];
        if (sa != sb)
            return sa < sb ? -1 : 1;
        int c = memcmp(a + 1, b + 1, alen - 1);
        return (c > 0) - (c < 0);
    }
    default: {
        size_t n = alen < blen ? alen : blen;
        int c = n ? memcmp(a, b, n) : 0;
        if (c)
            return c < 0 ? -1 : 1;
        return (alen > blen) - (alen < blen);
    }
    }
}

/* Folds page statistics into chunk statistics. */
static void merge_stats(const column_plan *p, value_stats *into, const value_stats *from)
{
    into->null_count += from->null_count;
    into->nan_count += from->nan_count;
    into->too_long |= from->too_long;
    if (!from->has_minmax)
        return;
    if (!into->has_minmax) {
        into->min = from->min;
        into->max = from->max;
        into->has_minmax = true;
        return;
    }
    if (compare_values(p, bound_bytes(&from->min), from->min.len, bound_bytes(&into->min),
                       into->min.len) < 0)
        into->min = from->min;
    if (compare_values(p, bound_bytes(&from->max), from->max.len, bound_bytes(&into->max),
                       into->max.len) > 0)
        into->max = from->max;
}

/* Unaligned loads: compacted values may sit at any offset of a page payload. */
static inline int32_t load_i32(const uint8_t *p)
{
    int32_t x;
    memcpy(&x, p, 4);
    return x;
}
static inline int64_t load_i64(const uint8_t *p)
{
    int64_t x;
    memcpy(&x, p, 8);
    return x;
}
static inline float load_f32(const uint8_t *p)
{
    float x;
    memcpy(&x, p, 4);
    return x;
}
static inline double load_f64(const uint8_t *p)
{
    double x;
    memcpy(&x, p, 8);
    return x;
}

/* Statistics of n compact (non-null) fixed-width values. */
static void fixed_stats(const column_plan *p, const uint8_t *v, size_t n, value_stats *s)
{
    if (n == 0)
        return;
    switch (p->physical) {
    case TN_PARQUET_BOOLEAN: {
        uint8_t lo = 1, hi = 0;
        for (size_t i = 0; i < n; i++) {
            uint8_t b = v[i] != 0;
            lo = b < lo ? b : lo;
            hi = b > hi ? b : hi;
        }
        s->min.fixed[0] = lo;
        s->max.fixed[0] = hi;
        s->min.len = s->max.len = 1;
        s->has_minmax = true;
        break;
    }
    case TN_PARQUET_INT32: {
        int32_t lo = load_i32(v), hi = lo;
        for (size_t i = 1; i < n; i++) {
            int32_t x = load_i32(v + 4 * i);
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
        memcpy(s->min.fixed, &lo, 4);
        memcpy(s->max.fixed, &hi, 4);
        s->min.len = s->max.len = 4;
        s->has_minmax = true;
        break;
    }
    case TN_PARQUET_INT64: {
        int64_t lo = load_i64(v), hi = lo;
        for (size_t i = 1; i < n; i++) {
            int64_t x = load_i64(v + 8 * i);
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
        memcpy(s->min.fixed, &lo, 8);
        memcpy(s->max.fixed, &hi, 8);
        s->min.len = s->max.len = 8;
        s->has_minmax = true;
        break;
    }
    case TN_PARQUET_FLOAT: {
        float lo = INFINITY, hi = -INFINITY;
        int64_t nans = 0;
        for (size_t i = 0; i < n; i++) {
            float x = load_f32(v + 4 * i);
            if (isnan(x)) {
                nans++;
                continue;
            }
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
        s->nan_count += nans;
        if ((size_t)nans < n) {
            /* Zeros are widened so that readers never miss -0.0 or +0.0. */
            if (lo == 0.0f)
                lo = -0.0f;
            if (hi == 0.0f)
                hi = 0.0f;
            memcpy(s->min.fixed, &lo, 4);
            memcpy(s->max.fixed, &hi, 4);
            s->min.len = s->max.len = 4;
            s->has_minmax = true;
        }
        break;
    }
    case TN_PARQUET_DOUBLE: {
        double lo = INFINITY, hi = -INFINITY;
        int64_t nans = 0;
        for (size_t i = 0; i < n; i++) {
            double x = load_f64(v + 8 * i);
            if (isnan(x)) {
                nans++;
                continue;
            }
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
        s->nan_count += nans;
        if ((size_t)nans < n) {
            if (lo == 0.0)
                lo = -0.0;
            if (hi == 0.0)
                hi = 0.0;
            memcpy(s->min.fixed, &lo, 8);
            memcpy(s->max.fixed, &hi, 8);
            s->min.len = s->max.len = 8;
            s->has_minmax = true;
        }
        break;
    }
    default: { /* FIXED_LEN_BYTE_ARRAY decimals */
        const uint8_t *lo = v, *hi = v;
        for (size_t i = 1; i < n; i++) {
            const uint8_t *x = v + i * p->width;
            if (compare_values(p, x, p->width, lo, p->width) < 0)
                lo = x;
            if (compare_values(p, x, p->width, hi, p->width) > 0)
                hi = x;
        }
        memcpy(s->min.fixed, lo, p->width);
        memcpy(s->max.fixed, hi, p->width);
        s->min.len = s->max.len = p->width;
        s->has_minmax = true;
        break;
    }
    }
}

static void note_bytes_bound(value_stats *s, const char *ptr, size_t len, bool *first)
{
    const uint8_t *u = (const uint8_t *)ptr;
    if (*first) {
        s->min.ptr = s->max.ptr = u;
        s->min.len = s->max.len = (uint32_t)len;
        s->has_minmax = true;
        *first = false;
        return;
    }
    size_t n = len < s->min.len ? len : s->min.len;
    int c = n ? memcmp(u, s->min.ptr, n) : 0;
    if (c < 0 || (c == 0 && len < s->min.len)) {
        s->min.ptr = u;
        s->min.len = (uint32_t)len;
    }
    n = len < s->max.len ? len : s->max.len;
    c = n ? memcmp(u, s->max.ptr, n) : 0;
    if (c > 0 || (c == 0 && len > s->max.len)) {
        s->max.ptr = u;
        s->max.len = (uint32_t)len;
    }
}

/* ------------------------------------------------------------------------------------------
 * Staging
 * ---------------------------------------------------------------------------------------- */

/* Asks for transparent huge pages on the 2 MiB-aligned inside of a large buffer. Staging
 * buffers are written once per row group in sequence; with 4 KiB pages the first touch of
 * each costs a page fault, which dominates copying on virtual machines. Advice only: errors
 * are ignored, and it is a no-op where the kernel has no such thing. */
static void advise_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (len < 2 * huge)
        return;
    uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)p + len) & ~(huge - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)p;
    (void)len;
#endif
}

/* tn_buf_reserve, plus huge-page advice whenever a large buffer moved or grew. */
static int reserve_big(tn_buf *b, size_t extra)
{
    size_t cap = b->cap;
    int rc = tn_buf_reserve(b, extra);
    if (!rc && b->cap != cap)
        advise_huge(b->data, b->cap);
    return rc;
}

static int stage_reserve_offsets(column_stage *st, size_t rows)
{
    if (rows + 1 <= st->offsets_cap)
        return 0;
    size_t cap = st->offsets_cap ? st->offsets_cap : 4096;
    while (cap < rows + 1)
        cap *= 2;
    uint32_t *o = tn_realloc(st->offsets, cap * sizeof *o);
    if (!o)
        return TN_ENOMEM;
    advise_huge(o, cap * sizeof *o);
    st->offsets = o;
    st->offsets_cap = cap;
    return 0;
}

/* Appends rows [from, to) of one vector to its column's stage. */
static int stage_vector(pq_writer *w, stage_set *ss, uint32_t c, const tn_vector *v,
                        uint32_t from, uint32_t to, tn_error *err)
{
    const column_plan *p = &w->plans[c];
    column_stage *st = &ss->columns[c];
    size_t n = to - from;
    size_t base_row = ss->rows;
    int rc;

    if (v->null_count && !p->nullable) {
        for (uint32_t r = from; r < to; r++)
            if (!tn_vector_is_valid(v, r)) {
                tn_error_set(err, TN_EINVAL,
                             "column '%s' is declared NOT NULL but row %lld of the output is "
                             "NULL; declare it nullable or filter the NULLs out",
                             p->name, (long long)(w->rows_staged + (r - from)) + 1);
                tn_error_set_key(err, p->name);
                return TN_EINVAL;
            }
    }
    if (p->nullable) {
        if ((rc = reserve_big(&st->defs, n)) != 0)
            goto oom;
        uint8_t *d = (uint8_t *)st->defs.data + st->defs.len;
        if (v->null_count == 0) {
            memset(d, 1, n);
        } else {
            for (size_t i = 0; i < n; i++) {
                d[i] = tn_vector_is_valid(v, from + (uint32_t)i);
                st->nulls += !d[i];
            }
        }
        st->defs.len += n;
    }

    if (p->width == 0) {
        if ((rc = stage_reserve_offsets(st, base_row + n)) != 0)
            goto oom;
        size_t start = (size_t)v->offsets[from];
        size_t bytes = (size_t)v->offsets[to] - start;
        if ((rc = reserve_big(&st->data, bytes)) != 0)
            goto oom;
        if (bytes) /* an all-empty vector may have no data buffer at all */
            memcpy(st->data.data + st->data.len, v->data + start, bytes);
        st->data.len += bytes;
        uint32_t shift = (uint32_t)(st->data.len - bytes) - (uint32_t)start;
        if (base_row == 0)
            st->offsets[0] = 0;
        for (size_t i = 1; i <= n; i++)
            st->offsets[base_row + i] = (uint32_t)v->offsets[from + i] + shift;
        ss->bytes += bytes + 4 * n;
        return 0;
    }

    if ((rc = reserve_big(&st->values, n * p->width)) != 0)
        goto oom;
    uint8_t *dst = (uint8_t *)st->values.data + st->values.len;
    switch (v->type.id) {
    case TN_TYPE_BOOLEAN:
        for (size_t i = 0; i < n; i++)
            dst[i] = tn_vector_get_bool(v, from + (uint32_t)i);
        break;
    case TN_TYPE_DECIMAL: {
        if (tn_decimal_is_64(v->type)) {
            /* int64 values: INT64 pages take them as they are, INT32 ones narrowed */
            const int64_t *x = tn_vector_i64(v) + from;
            if (p->width == 8) {
                memcpy(dst, x, n * 8);
            } else {
                for (size_t i = 0; i < n; i++) {
                    int32_t y = (int32_t)x[i];
                    memcpy(dst + 4 * i, &y, 4);
                }
            }
            break;
        }
        const tn_i128 *x = tn_vector_i128(v) + from;
        if (p->width == 4) {
            for (size_t i = 0; i < n; i++) {
                int32_t y = (int32_t)x[i];
                memcpy(dst + 4 * i, &y, 4);
            }
        } else if (p->width == 8) {
            for (size_t i = 0; i < n; i++) {
                int64_t y = (int64_t)x[i];
                memcpy(dst + 8 * i, &y, 8);
            }
        } else {
            /* Big-endian two's complement, as FIXED_LEN_BYTE_ARRAY decimals are stored. */
            uint32_t wd = p->width;
            for (size_t i = 0; i < n; i++) {
                unsigned __int128 u = (unsigned __int128)x[i];
                for (uint32_t b = 0; b < wd; b++)
                    dst[i * wd + wd - 1 - b] = (uint8_t)(u >> (8 * b));
            }
        }
        break;
    }
    default:
        memcpy(dst, (const uint8_t *)v->values + (size_t)from * p->width, n * p->width);
        break;
    }
    st->values.len += n * p->width;
    ss->bytes += n * p->width;
    return 0;

oom:
    return tn_error_set(err, rc, "out of memory staging Parquet column '%s'", p->name);
}

/* Once the first rows of a row group show how wide its rows are, reserves every buffer for
 * the whole row group at once: no copies as they grow, and huge pages from the start. Only
 * an optimisation: when memory is short, buffers just grow as they fill. */
static void stage_presize(pq_writer *w, stage_set *ss)
{
    ss->sized = true;
    size_t per_row = ss->bytes / ss->rows + 1;
    size_t expect = w->row_group_rows ? (size_t)w->row_group_rows
                                      : (size_t)w->row_group_bytes / per_row + TN_BATCH_ROWS;
    if (expect > PRESIZE_MAX_ROWS)
        expect = PRESIZE_MAX_ROWS;
    for (uint32_t c = 0; c < w->column_count; c++) {
        column_stage *st = &ss->columns[c];
        const column_plan *p = &w->plans[c];
        if (expect <= ss->rows)
            break;
        size_t more = expect - ss->rows;
        if (p->nullable)
            (void)reserve_big(&st->defs, more);
        if (p->width) {
            (void)reserve_big(&st->values, more * p->width);
        } else {
            (void)stage_reserve_offsets(st, expect);
            size_t avg = st->data.len / ss->rows + 1;
            (void)reserve_big(&st->data, more * avg + more * avg / 8);
        }
    }
}

/* Whether rows [from, to) of the batch would take a byte-array column past the 4 GiB its
 * 32-bit offsets can address. */
static bool stage_would_overflow(const pq_writer *w, const stage_set *ss, const tn_batch *batch,
                                 uint32_t from, uint32_t to)
{
    for (uint32_t c = 0; c < w->column_count; c++) {
        if (w->plans[c].width)
            continue;
        const tn_vector *v = &batch->columns[c];
        size_t bytes = (size_t)v->offsets[to] - (size_t)v->offsets[from];
        if (ss->columns[c].data.len + bytes > UINT32_MAX)
            return true;
    }
    return false;
}

static void stage_clear(pq_writer *w, stage_set *ss)
{
    for (uint32_t c = 0; c < w->column_count; c++) {
        column_stage *st = &ss->columns[c];
        st->values.len = 0;
        st->data.len = 0;
        st->defs.len = 0;
        st->nulls = 0;
    }
    ss->rows = 0;
    ss->bytes = 0;
}

/* ------------------------------------------------------------------------------------------
 * Step 1: encode and compress one column chunk
 * ---------------------------------------------------------------------------------------- */

/* Row boundaries of the chunk's data pages: pages hold about page_bytes of PLAIN values. */
static int plan_pages(const pq_writer *w, const column_plan *p, const column_stage *st,
                      size_t rows, size_t **starts_out, uint32_t *count_out)
{
    size_t cap = 16, n = 0;
    size_t *starts = tn_malloc(cap * sizeof *starts);
    if (!starts)
        return TN_ENOMEM;
    size_t page_bytes = (size_t)w->page_bytes;
    size_t r = 0;
    while (r < rows) {
        if (n + 2 > cap) {
            cap *= 2;
            size_t *s = tn_realloc(starts, cap * sizeof *s);
            if (!s) {
                tn_free(starts);
                return TN_ENOMEM;
            }
            starts = s;
        }
        starts[n++] = r;
        size_t end;
        if (p->width) {
            size_t per = page_bytes / p->width;
            per = per < 1 ? 1 : per > MAX_PAGE_ROWS ? MAX_PAGE_ROWS : per;
            end = rows - r < per ? rows : r + per;
        } else {
            end = r;
            uint64_t bytes = 0; /* 64-bit: 4 bytes per row on top of the data */
            while (end < rows && bytes < page_bytes && end - r < MAX_PAGE_ROWS) {
                bytes += 4 + st->offsets[end + 1] - st->offsets[end];
                end++;
            }
        }
        r = end;
    }
    starts[n] = rows;
    *starts_out = starts;
    *count_out = (uint32_t)n;
    return 0;
}

static size_t count_present(const uint8_t *defs, size_t n)
{
    if (!defs)
        return n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += defs[i];
    return k;
}

/* Copies the present fixed-width values of rows [0, n) to out; returns how many. */
static size_t compact_fixed(const uint8_t *values, const uint8_t *defs, size_t n, uint32_t width,
                            uint8_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!defs[i])
            continue;
        memcpy(out + k * width, values + i * width, width);
        k++;
    }
    return k;
}

/* Compresses src into out (appending) with the writer's codec. ZSTD keeps one context per
 * worker: creating one per page would cost more than a small page takes to compress. */
static int compress_into(pq_writer *w, int worker, const void *src, size_t len, tn_buf *out,
                         tn_error *err)
{
    if (w->codec != TN_CODEC_ZSTD)
        return tn_codec_compress(w->codec, w->level, src, len, out, err);
    if (!w->zstd[worker]) {
        w->zstd[worker] = ZSTD_createCCtx();
        if (!w->zstd[worker])
            return tn_error_set(err, TN_ENOMEM, "out of memory creating a ZSTD context");
    }
    size_t bound = ZSTD_compressBound(len);
    if (tn_buf_reserve(out, bound) != 0)
        return tn_error_set(err, TN_ENOMEM, "out of memory compressing a Parquet page");
    size_t n = ZSTD_compressCCtx(w->zstd[worker], out->data + out->len, bound, src, len,
                                 w->level ? w->level : DEFAULT_ZSTD_LEVEL);
    if (ZSTD_isError(n))
        return tn_error_set(err, TN_EINTERNAL, "ZSTD compression failed: %s",
                            ZSTD_getErrorName(n));
    out->len += n;
    return 0;
}

/* Turns the encoded payload in *body into pg->packed, the bytes the file gets: v2 pages keep
 * their levels uncompressed in front. With no codec the buffers are swapped, not copied
 * (both stay owned by the chunk's work area). */
static int compress_page(pq_writer *w, int worker, page_buf *pg, tn_buf *body, tn_error *err)
{
    pg->uncompressed = (int32_t)body->len;
    pg->packed.len = 0;
    if (w->codec == TN_CODEC_UNCOMPRESSED) {
        tn_buf tmp = pg->packed;
        pg->packed = *body;
        *body = tmp;
        return 0;
    }
    size_t skip = pg->type == TN_PARQUET_PAGE_DATA_V2 ? pg->levels_len : 0;
    if (skip && tn_buf_append(&pg->packed, body->data, skip) != 0)
        return tn_error_set(err, TN_ENOMEM, "out of memory compressing a Parquet page");
    return compress_into(w, worker, body->data + skip, body->len - skip, &pg->packed, err);
}

/* Encodes the data page of rows [r0, r1) into body. indices (when not NULL) are the page's
 * dictionary indices, one per present value; then byte-array bounds are taken from the
 * distinct entries the page uses (each looked at once, by stamping it with stamp_id). */
static int encode_data_page(pq_writer *w, const column_plan *p, const column_stage *st,
                            size_t r0, size_t r1, const uint32_t *indices, chunk_work *cw,
                            uint32_t stamp_id, tn_buf *body, page_buf *pg)
{
    size_t rows = r1 - r0;
    const uint8_t *defs = p->nullable ? (const uint8_t *)st->defs.data + r0 : NULL;
    size_t present = count_present(defs, rows);
    if (present == rows)
        defs = NULL; /* no nulls in this page: skip the per-row checks */
    const tn_parquet_dict *dict = &cw->dict;
    int rc;

    pg->type = w->data_page_v2 ? TN_PARQUET_PAGE_DATA_V2 : TN_PARQUET_PAGE_DATA;
    pg->encoding = indices ? TN_PARQUET_ENC_RLE_DICTIONARY : TN_PARQUET_ENC_PLAIN;
    pg->num_values = (uint32_t)rows;
    pg->num_nulls = (uint32_t)(rows - present);
    pg->first_row = (int64_t)r0;
    pg->levels_len = 0;
    memset(&pg->stats, 0, sizeof pg->stats);
    pg->stats.null_count = (int64_t)(rows - present);

    /* Worst-case size of the payload, so encoders can write without checks. */
    int bw = tn_parquet_bit_width(dict->count ? dict->count - 1 : 0);
    if (bw == 0)
        bw = 1; /* some readers mishandle width 0 */
    size_t levels_max = p->nullable ? tn_parquet_rle_bound(rows, 1) + 4 : 0;
    size_t values_max;
    if (indices)
        values_max = 1 + tn_parquet_rle_bound(present, bw);
    else if (p->physical == TN_PARQUET_BOOLEAN)
        values_max = present / 8 + 1;
    else if (p->width)
        values_max = present * p->width;
    else
        values_max = (size_t)(st->offsets[r1] - st->offsets[r0]) + 4 * present;
    body->len = 0;
    if ((rc = tn_buf_reserve(body, levels_max + values_max + 16)) != 0)
        return rc;
    uint8_t *out = (uint8_t *)body->data;
    size_t o = 0;

    if (p->nullable) {
        const uint8_t *lv = (const uint8_t *)st->defs.data + r0;
        if (w->data_page_v2) {
            o = tn_parquet_rle_encode_u8(lv, rows, 1, out);
            pg->levels_len = o;
        } else {
            size_t n = tn_parquet_rle_encode_u8(lv, rows, 1, out + 4);
            uint32_t n32 = (uint32_t)n;
            memcpy(out, &n32, 4);
            o = 4 + n;
        }
    }

    if (indices) {
        out[o++] = (uint8_t)bw;
        o += tn_parquet_rle_encode_u32(indices, present, bw, out + o);
        if (p->width == 0) {
            bool first = true;
            uint32_t *stamp = cw->stamp;
            for (size_t i = 0; i < present; i++) {
                uint32_t e = indices[i];
                if (stamp[e] == stamp_id)
                    continue;
                stamp[e] = stamp_id;
                tn_str s = tn_parquet_dict_bytes(dict, e);
                note_bytes_bound(&pg->stats, s.ptr, s.len, &first);
            }
        }
    }

    if (p->width) {
        const uint8_t *vals = (const uint8_t *)st->values.data + r0 * p->width;
        const uint8_t *compact = vals;
        if (defs) {
            /* Gather the present values: straight into the payload for PLAIN, into scratch
             * space when the payload holds something else (indices, packed booleans). */
            uint8_t *dst = out + o;
            if (indices || p->physical == TN_PARQUET_BOOLEAN) {
                cw->scratch.len = 0;
                if ((rc = tn_buf_reserve(&cw->scratch, present * p->width)) != 0)
                    return rc;
                dst = (uint8_t *)cw->scratch.data;
            }
            compact_fixed(vals, defs, rows, p->width, dst);
            compact = dst;
        }
        fixed_stats(p, compact, present, &pg->stats);
        if (!indices) {
            if (p->physical == TN_PARQUET_BOOLEAN) {
                o += tn_parquet_plain_bools(compact, NULL, present, out + o);
            } else {
                if (compact != out + o)
                    memcpy(out + o, compact, present * p->width);
                o += present * p->width;
            }
        }
    } else if (!indices) {
        bool first = true;
        for (size_t r = r0; r < r1; r++) {
            if (defs && !defs[r - r0])
                continue;
            uint32_t len = (uint32_t)(st->offsets[r + 1] - st->offsets[r]);
            const char *src = st->data.data + st->offsets[r];
            memcpy(out + o, &len, 4);
            memcpy(out + o + 4, src, len);
            o += 4 + len;
            note_bytes_bound(&pg->stats, src, len, &first);
        }
    }
    if (p->width == 0 && pg->stats.has_minmax &&
        (pg->stats.min.len > STATS_MAX_BYTES || pg->stats.max.len > STATS_MAX_BYTES))
        pg->stats.too_long = true;
    body->len = o;
    return 0;
}

/* Adds rows [from, to) of a staged column to the chunk's dictionary; *done = rows handled. */
static int dict_add_range(const column_plan *p, const column_stage *st, chunk_work *cw,
                          size_t from, size_t to, uint32_t *indices, size_t *done)
{
    const uint8_t *defs = p->nullable ? (const uint8_t *)st->defs.data + from : NULL;
    if (p->width)
        return tn_parquet_dict_add_fixed(&cw->dict, st->values.data + from * p->width, defs,
                                         to - from, indices, DICT_MAX_ENTRIES, DICT_MAX_BYTES,
                                         done);
    return tn_parquet_dict_add_bytes(&cw->dict, st->data.data, st->offsets + from, defs,
                                     to - from, indices, DICT_MAX_ENTRIES, DICT_MAX_BYTES, done);
}

static int reserve_u32(uint32_t **arr, size_t *cap, size_t need, bool zero_new)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    uint32_t *grown = tn_realloc(*arr, n * sizeof *grown);
    if (!grown)
        return TN_ENOMEM;
    if (zero_new)
        memset(grown + *cap, 0, (n - *cap) * sizeof *grown);
    *arr = grown;
    *cap = n;
    return 0;
}

/* Whether the chunk should start with a dictionary: the first DICT_PROBE_ROWS rows must
 * repeat values (at least 4 uses per 3 entries), so that nearly unique columns (ids, event
 * times) are written PLAIN without filling a table that would be thrown away. */
static int dictionary_pays(pq_writer *w, const column_plan *p, const column_stage *st,
                           size_t rows, chunk_work *cw, bool *pays)
{
    *pays = false;
    if (!w->dictionary || p->physical == TN_PARQUET_BOOLEAN || rows == 0 || st->nulls == rows)
        return 0;
    size_t probe = rows < DICT_PROBE_ROWS ? rows : DICT_PROBE_ROWS;
    int rc = reserve_u32(&cw->indices, &cw->indices_cap, probe, false);
    if (rc)
        return rc;
    tn_parquet_dict_clear(&cw->dict);
    size_t done = 0;
    if ((rc = dict_add_range(p, st, cw, 0, probe, cw->indices, &done)) != 0)
        return rc;
    const uint8_t *defs = p->nullable ? (const uint8_t *)st->defs.data : NULL;
    size_t seen = count_present(defs, done);
    *pays = done == probe && (size_t)cw->dict.count * 4 <= seen * 3;
    tn_parquet_dict_clear(&cw->dict);
    return 0;
}

/* Encodes and compresses one column chunk of the row group being flushed. Pages go to
 * cw->pages[1..page_count-1]; [0] is the dictionary page when has_dict. The dictionary grows
 * page by page; when a page would pass DICT_MAX_ENTRIES/_BYTES, that page and the rest of the
 * chunk are PLAIN. */
static void encode_task(void *vctx, size_t c, int worker)
{
    pq_writer *w = vctx;
    const column_plan *p = &w->plans[c];
    const column_stage *st = &w->flushing->columns[c];
    chunk_work *cw = &w->work[c];
    size_t rows = w->flushing->rows;
    size_t *starts = NULL;
    uint32_t page_count = 0;
    bool use_dict = false;
    int rc;

    memset(&cw->stats, 0, sizeof cw->stats);
    cw->has_dict = false;
    cw->dict_pages = cw->plain_pages = 0;
    cw->page_count = 0;
    tn_error_clear(&cw->err);
    if ((rc = plan_pages(w, p, st, rows, &starts, &page_count)) != 0)
        goto fail;
    if ((rc = dictionary_pays(w, p, st, rows, cw, &use_dict)) != 0)
        goto fail;
    if (use_dict && p->width == 0 && (rc = tn_buf_reserve(&cw->dict.plain, DICT_MAX_BYTES)) != 0)
        goto fail; /* byte-array bounds point into the entries: they must never move */
    uint32_t total = page_count + 1;
    if (total > cw->page_cap) {
        /* Page buffers are kept from one row group to the next: their memory is already
         * mapped, so later row groups cost no page faults. */
        page_buf *grown = tn_realloc(cw->pages, total * sizeof *grown);
        if (!grown) {
            rc = TN_ENOMEM;
            goto fail;
        }
        memset(grown + cw->page_cap, 0, (total - cw->page_cap) * sizeof *grown);
        cw->pages = grown;
        cw->page_cap = total;
    }
    cw->page_count = total;

    const uint8_t *defs = p->nullable ? (const uint8_t *)st->defs.data : NULL;
    for (uint32_t i = 0; i < page_count; i++) {
        page_buf *pg = &cw->pages[i + 1];
        size_t r0 = starts[i], r1 = starts[i + 1];
        const uint32_t *page_idx = NULL;
        if (use_dict) {
            size_t present = count_present(defs ? defs + r0 : NULL, r1 - r0);
            if ((rc = reserve_u32(&cw->indices, &cw->indices_cap, present, false)) != 0)
                goto fail;
            uint32_t before = cw->dict.count;
            size_t done = 0;
            if ((rc = dict_add_range(p, st, cw, r0, r1, cw->indices, &done)) != 0)
                goto fail;
            if (done < r1 - r0) {
                /* Full: forget this page's new entries, write PLAIN from here on. */
                tn_parquet_dict_truncate(&cw->dict, before);
                use_dict = false;
            } else {
                page_idx = cw->indices;
                if (p->width == 0 &&
                    (rc = reserve_u32(&cw->stamp, &cw->stamp_cap, cw->dict.count, true)) != 0)
                    goto fail;
            }
        }
        if (++cw->stamp_id == 0) {
            /* Wrapped after 2^32 pages: old stamps could match again. */
            memset(cw->stamp, 0, cw->stamp_cap * sizeof *cw->stamp);
            cw->stamp_id = 1;
        }
        rc = encode_data_page(w, p, st, r0, r1, page_idx, cw, cw->stamp_id, &cw->body, pg);
        if (!rc)
            rc = compress_page(w, worker, pg, &cw->body, &cw->err);
        if (rc)
            goto fail;
        if (page_idx)
            cw->dict_pages++;
        else
            cw->plain_pages++;
        merge_stats(p, &cw->stats, &pg->stats);
    }
    cw->has_dict = cw->dict_pages > 0;
    if (cw->has_dict) {
        page_buf *dp = &cw->pages[0];
        dp->type = TN_PARQUET_PAGE_DICTIONARY;
        dp->encoding = TN_PARQUET_ENC_PLAIN;
        dp->num_values = cw->dict.count;
        dp->levels_len = 0;
        cw->body.len = 0;
        if ((rc = tn_buf_append(&cw->body, cw->dict.plain.data, cw->dict.plain.len)) != 0 ||
            (rc = compress_page(w, worker, dp, &cw->body, &cw->err)) != 0)
            goto fail;
    }
    tn_free(starts);
    cw->rc = 0;
    return;

fail:
    tn_free(starts);
    cw->rc = rc;
    if (!cw->err.code)
        tn_error_set(&cw->err, rc, "could not encode Parquet column '%s': %s", p->name,
                     tn_strerror(rc));
    tn_error_set_key(&cw->err, p->name);
}

/* ------------------------------------------------------------------------------------------
 * Step 2: write a row group
 * ---------------------------------------------------------------------------------------- */

static int emit(pq_writer *w, const void *data, size_t len, tn_error *err)
{
    int rc = tn_atomic_file_write(&w->file, data, len, err);
    if (rc)
        return rc;
    w->offset += (int64_t)len;
    return 0;
}

static void *arena_copy(tn_arena *a, const void *src, size_t len)
{
    void *p = tn_arena_alloc(a, len ? len : 1);
    if (p && len)
        memcpy(p, src, len);
    return p;
}

/* Fills Statistics from chunk statistics (bounds copied into the arena). */
static int chunk_statistics(pq_writer *w, const column_plan *p, const value_stats *s,
                            tn_parquet_statistics *out)
{
    memset(out, 0, sizeof *out);
    out->has_null_count = true;
    out->null_count = s->null_count;
    if (p->physical == TN_PARQUET_FLOAT || p->physical == TN_PARQUET_DOUBLE) {
        out->has_nan_count = true;
        out->nan_count = s->nan_count;
    }
    if (!s->has_minmax || s->too_long)
        return 0;
    const void *mn = arena_copy(&w->meta, bound_bytes(&s->min), s->min.len);
    const void *mx = arena_copy(&w->meta, bound_bytes(&s->max), s->max.len);
    if (!mn || !mx)
        return TN_ENOMEM;
    out->has_min_value = out->has_max_value = true;
    out->min_value = tn_str_make(mn, s->min.len);
    out->max_value = tn_str_make(mx, s->max.len);
    out->has_is_min_value_exact = out->has_is_max_value_exact = true;
    out->is_min_value_exact = out->is_max_value_exact = true;
    /* The deprecated fields use signed order; for numbers that is the same order, so older
     * readers get them too. Byte arrays would differ and are left out. */
    if (p->physical != TN_PARQUET_BYTE_ARRAY && p->physical != TN_PARQUET_FIXED_LEN_BYTE_ARRAY) {
        out->has_min = out->has_max = true;
        out->min = out->min_value;
        out->max = out->max_value;
    }
    return 0;
}

static int write_page(pq_writer *w, page_buf *pg, bool nullable, tn_buf *hdr, int64_t *total_u,
                      int64_t *total_c, tn_error *err)
{
    tn_parquet_page_header h;
    memset(&h, 0, sizeof h);
    h.type = pg->type;
    h.uncompressed_page_size = pg->uncompressed;
    h.compressed_page_size = (int32_t)pg->packed.len;
    if (pg->type == TN_PARQUET_PAGE_DICTIONARY) {
        h.has_dictionary_page_header = true;
        h.dictionary_page_header.num_values = (int32_t)pg->num_values;
        h.dictionary_page_header.encoding = TN_PARQUET_ENC_PLAIN;
    } else if (pg->type == TN_PARQUET_PAGE_DATA) {
        h.has_data_page_header = true;
        h.data_page_header.num_values = (int32_t)pg->num_values;
        h.data_page_header.encoding = pg->encoding;
        h.data_page_header.definition_level_encoding = TN_PARQUET_ENC_RLE;
        h.data_page_header.repetition_level_encoding = TN_PARQUET_ENC_RLE;
    } else {
        h.has_data_page_header_v2 = true;
        tn_parquet_data_page_header_v2 *v2 = &h.data_page_header_v2;
        v2->num_values = (int32_t)pg->num_values;
        v2->num_nulls = (int32_t)pg->num_nulls;
        v2->num_rows = (int32_t)pg->num_values;
        v2->encoding = pg->encoding;
        v2->definition_levels_byte_length = nullable ? (int32_t)pg->levels_len : 0;
        v2->repetition_levels_byte_length = 0;
        v2->is_compressed = w->codec != TN_CODEC_UNCOMPRESSED;
    }
    hdr->len = 0;
    tn_thrift_writer tw;
    tn_thrift_writer_init(&tw, hdr);
    tn_parquet_page_header_write(&tw, &h);
    if (tn_thrift_writer_error(&tw))
        return tn_error_set(err, TN_ENOMEM, "out of memory writing a Parquet page header");
    int rc = emit(w, hdr->data, hdr->len, err);
    if (!rc)
        rc = emit(w, pg->packed.data, pg->packed.len, err);
    *total_u += (int64_t)hdr->len + pg->uncompressed;
    *total_c += (int64_t)hdr->len + (int64_t)pg->packed.len;
    return rc;
}

/* Writes one column chunk's pages and fills its ColumnChunk and page-index inputs. */
static int write_chunk(pq_writer *w, uint32_t c, tn_parquet_column_chunk *cc, chunk_index *ci,
                       tn_buf *hdr, tn_error *err)
{
    const column_plan *p = &w->plans[c];
    chunk_work *cw = &w->work[c];
    tn_parquet_column_metadata *md = &cc->meta_data;
    int64_t total_u = 0, total_c = 0;
    int rc;

    memset(cc, 0, sizeof *cc);
    cc->has_meta_data = true;
    md->type = p->physical;
    md->codec = w->codec;
    md->num_values = (int64_t)w->flushing->rows;
    md->path_count = 1;
    md->path_in_schema = tn_arena_alloc(&w->meta, sizeof(tn_str));
    md->encodings = tn_arena_alloc(&w->meta, 3 * sizeof(int32_t));
    md->encoding_stats = tn_arena_alloc(&w->meta, 3 * sizeof(tn_parquet_page_encoding_stats));
    uint32_t data_pages = cw->page_count ? cw->page_count - 1 : 0; /* slot 0: dictionary */
    ci->pages = tn_arena_calloc(&w->meta, (data_pages ? data_pages : 1) * sizeof(page_entry));
    if (!md->path_in_schema || !md->encodings || !md->encoding_stats || !ci->pages)
        return tn_error_set(err, TN_ENOMEM, "out of memory writing Parquet metadata");
    md->path_in_schema[0] = tn_str_c(p->name);

    /* Encodings: PLAIN when any page is PLAIN (the dictionary page is), RLE for levels,
     * RLE_DICTIONARY when dictionary pages exist. */
    uint32_t ne = 0, ns = 0;
    if (cw->has_dict || cw->plain_pages)
        md->encodings[ne++] = TN_PARQUET_ENC_PLAIN;
    md->encodings[ne++] = TN_PARQUET_ENC_RLE;
    if (cw->has_dict)
        md->encodings[ne++] = TN_PARQUET_ENC_RLE_DICTIONARY;
    md->encoding_count = ne;
    int32_t data_type = w->data_page_v2 ? TN_PARQUET_PAGE_DATA_V2 : TN_PARQUET_PAGE_DATA;
    if (cw->has_dict) {
        md->encoding_stats[ns++] = (tn_parquet_page_encoding_stats){TN_PARQUET_PAGE_DICTIONARY,
                                                                    TN_PARQUET_ENC_PLAIN, 1};
        md->encoding_stats[ns++] = (tn_parquet_page_encoding_stats){
            data_type, TN_PARQUET_ENC_RLE_DICTIONARY, (int32_t)cw->dict_pages};
    }
    if (cw->plain_pages)
        md->encoding_stats[ns++] = (tn_parquet_page_encoding_stats){
            data_type, TN_PARQUET_ENC_PLAIN, (int32_t)cw->plain_pages};
    md->encoding_stats_count = ns;

    /* Bounds of every page for the column index, copied out of the staging buffers. */
    size_t bounds_len = 0;
    bool index_ok = true;
    for (uint32_t i = 1; i < cw->page_count; i++) {
        const value_stats *s = &cw->pages[i].stats;
        if (s->too_long || (!s->has_minmax && s->null_count < (int64_t)cw->pages[i].num_values))
            index_ok = false; /* too long, or only NaNs: no valid bounds for this page */
        if (s->has_minmax)
            bounds_len += s->min.len + s->max.len;
    }
    uint8_t *bounds = NULL;
    if (index_ok && bounds_len) {
        bounds = tn_arena_alloc(&w->meta, bounds_len);
        if (!bounds)
            return tn_error_set(err, TN_ENOMEM, "out of memory writing Parquet metadata");
    }
    ci->bounds = bounds;
    ci->column_index_ok = index_ok;
    ci->page_count = 0;
    size_t bpos = 0;

    for (uint32_t i = cw->has_dict ? 0 : 1; i < cw->page_count; i++) {
        page_buf *pg = &cw->pages[i];
        int64_t at = w->offset;
        if (pg->type == TN_PARQUET_PAGE_DICTIONARY) {
            md->has_dictionary_page_offset = true;
            md->dictionary_page_offset = at;
        } else if (i == 1) {
            md->data_page_offset = at;
        }
        if ((rc = write_page(w, pg, p->nullable, hdr, &total_u, &total_c, err)) != 0)
            return rc;
        if (pg->type == TN_PARQUET_PAGE_DICTIONARY)
            continue;
        page_entry *e = &ci->pages[ci->page_count++];
        e->offset = at;
        e->size = (int32_t)(w->offset - at);
        e->first_row = pg->first_row;
        e->null_count = pg->stats.null_count;
        e->null_page = pg->stats.null_count == (int64_t)pg->num_values;
        if (bounds && pg->stats.has_minmax) {
            e->min_off = (uint32_t)bpos;
            e->min_len = pg->stats.min.len;
            memcpy(bounds + bpos, bound_bytes(&pg->stats.min), e->min_len);
            bpos += e->min_len;
            e->max_off = (uint32_t)bpos;
            e->max_len = pg->stats.max.len;
            memcpy(bounds + bpos, bound_bytes(&pg->stats.max), e->max_len);
            bpos += e->max_len;
        }
    }
    if (data_pages == 0)
        md->data_page_offset = w->offset; /* an empty chunk: no pages at all */
    md->total_uncompressed_size = total_u;
    md->total_compressed_size = total_c;
    md->has_statistics = true;
    if ((rc = chunk_statistics(w, p, &cw->stats, &md->statistics)) != 0)
        return tn_error_set(err, rc, "out of memory writing Parquet statistics");
    /* parquet.thrift: file_offset is deprecated and 0 when no ColumnMetaData is written
     * outside the footer (readers find the chunk through the page offsets above). */
    cc->file_offset = 0;
    return 0;
}

/* Forgets the row group's pages but keeps their buffers for the next one; `all` also frees
 * them (at the end of the file). */
static void release_pages(pq_writer *w, bool all)
{
    for (uint32_t c = 0; c < w->column_count; c++) {
        chunk_work *cw = &w->work[c];
        for (uint32_t i = 0; i < cw->page_cap; i++) {
            cw->pages[i].packed.len = 0;
            if (all)
                tn_buf_free(&cw->pages[i].packed);
        }
        cw->page_count = 0;
        if (all) {
            tn_free(cw->pages);
            cw->pages = NULL;
            cw->page_cap = 0;
            tn_free(cw->indices);
            cw->indices = NULL;
            cw->indices_cap = 0;
            tn_free(cw->stamp);
            cw->stamp = NULL;
            cw->stamp_cap = 0;
            tn_buf_free(&cw->body);
        }
    }
}

static int grow_row_groups(pq_writer *w, tn_error *err)
{
    if (w->row_group_count < w->row_group_cap)
        return 0;
    if (w->row_group_cap >= INT16_MAX)
        return tn_error_set(err, TN_ELIMIT,
                            "a Parquet file holds at most %d row groups; raise row_group_bytes "
                            "or row_group_rows", INT16_MAX);
    uint32_t cap = w->row_group_cap ? w->row_group_cap * 2 : 8;
    tn_parquet_row_group *rg = tn_realloc(w->row_groups, cap * sizeof *rg);
    if (!rg)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    w->row_groups = rg;
    chunk_index **ix = tn_realloc(w->indexes, cap * sizeof *ix);
    if (!ix)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    w->indexes = ix;
    w->row_group_cap = cap;
    return 0;
}

/* Encodes, compresses and writes the rows of ss as one row group, with the tasks on `pool`,
 * then empties ss. */
static int flush_row_group(pq_writer *w, stage_set *ss, tn_pool *pool, tn_error *err)
{
    if (ss->rows == 0)
        return 0;
    w->flushing = ss;
    int rc = grow_row_groups(w, err);
    if (rc)
        return rc;
    tn_buf hdr = TN_BUF_INIT;

    /* Encode and compress, one task per column; then write in order on this thread. */
    rc = tn_pool_run(pool, w->column_count, encode_task, w);
    if (rc) {
        tn_error_set(err, rc, "could not run the Parquet encoder tasks");
        goto done;
    }
    for (uint32_t c = 0; c < w->column_count; c++) {
        if (w->work[c].rc) {
            rc = w->work[c].rc;
            *err = w->work[c].err;
            goto done;
        }
    }

    tn_parquet_row_group *rg = &w->row_groups[w->row_group_count];
    memset(rg, 0, sizeof *rg);
    rg->columns = tn_arena_calloc(&w->meta, w->column_count * sizeof *rg->columns + 1);
    chunk_index *ix = tn_arena_calloc(&w->meta, w->column_count * sizeof *ix + 1);
    if (!rg->columns || !ix) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    rg->column_count = w->column_count;
    int64_t start = w->offset, total_u = 0;
    for (uint32_t c = 0; c < w->column_count; c++) {
        if ((rc = write_chunk(w, c, &rg->columns[c], &ix[c], &hdr, err)) != 0)
            goto done;
        total_u += rg->columns[c].meta_data.total_uncompressed_size;
    }
    rg->num_rows = (int64_t)ss->rows;
    rg->total_byte_size = total_u;
    rg->has_file_offset = true;
    rg->file_offset = start;
    rg->has_total_compressed_size = true;
    rg->total_compressed_size = w->offset - start;
    rg->has_ordinal = true;
    rg->ordinal = (int16_t)w->row_group_count;
    w->indexes[w->row_group_count] = ix;
    w->row_group_count++;
    w->total_rows += (int64_t)ss->rows;
    stage_clear(w, ss);

done:
    release_pages(w, false);
    tn_buf_free(&hdr);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Page index and footer
 * ---------------------------------------------------------------------------------------- */

/* ASCENDING/DESCENDING when every non-null page's bounds move one way, else UNORDERED. */
static int32_t boundary_order(const column_plan *p, const chunk_index *ci)
{
    bool asc = true, desc = true;
    const page_entry *prev = NULL;
    for (uint32_t i = 0; i < ci->page_count; i++) {
        const page_entry *e = &ci->pages[i];
        if (e->null_page)
            continue;
        if (prev) {
            int cmin = compare_values(p, ci->bounds + e->min_off, e->min_len,
                                      ci->bounds + prev->min_off, prev->min_len);
            int cmax = compare_values(p, ci->bounds + e->max_off, e->max_len,
                                      ci->bounds + prev->max_off, prev->max_len);
            if (cmin < 0 || cmax < 0)
                asc = false;
            if (cmin > 0 || cmax > 0)
                desc = false;
        }
        prev = e;
    }
    if (asc)
        return TN_PARQUET_ASCENDING;
    if (desc)
        return TN_PARQUET_DESCENDING;
    return TN_PARQUET_UNORDERED;
}

static int write_column_index(pq_writer *w, const column_plan *p, const chunk_index *ci,
                              tn_parquet_column_chunk *cc, tn_buf *buf, tn_error *err)
{
    uint32_t n = ci->page_count;
    tn_parquet_column_index x;
    memset(&x, 0, sizeof x);
    x.page_count = n;
    x.null_pages = tn_malloc((n ? n : 1) * sizeof(bool));
    x.min_values = tn_malloc((n ? n : 1) * sizeof(tn_str));
    x.max_values = tn_malloc((n ? n : 1) * sizeof(tn_str));
    x.null_counts = tn_malloc((n ? n : 1) * sizeof(int64_t));
    int rc = 0;
    if (!x.null_pages || !x.min_values || !x.max_values || !x.null_counts) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory writing a Parquet column index");
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        const page_entry *e = &ci->pages[i];
        x.null_pages[i] = e->null_page;
        x.null_counts[i] = e->null_count;
        if (e->null_page) {
            x.min_values[i] = x.max_values[i] = tn_str_make("", 0);
        } else {
            x.min_values[i] = tn_str_make((const char *)ci->bounds + e->min_off, e->min_len);
            x.max_values[i] = tn_str_make((const char *)ci->bounds + e->max_off, e->max_len);
        }
    }
    x.has_null_counts = true;
    x.boundary_order = boundary_order(p, ci);
    buf->len = 0;
    tn_thrift_writer tw;
    tn_thrift_writer_init(&tw, buf);
    tn_parquet_column_index_write(&tw, &x);
    if (tn_thrift_writer_error(&tw)) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory writing a Parquet column index");
        goto done;
    }
    cc->has_column_index = true;
    cc->column_index_offset = w->offset;
    cc->column_index_length = (int32_t)buf->len;
    rc = emit(w, buf->data, buf->len, err);
done:
    tn_free(x.null_pages);
    tn_free(x.min_values);
    tn_free(x.max_values);
    tn_free(x.null_counts);
    return rc;
}

static int write_offset_index(pq_writer *w, const chunk_index *ci, tn_parquet_column_chunk *cc,
                              tn_buf *buf, tn_error *err)
{
    tn_parquet_offset_index x;
    memset(&x, 0, sizeof x);
    x.page_count = ci->page_count;
    x.page_locations = tn_malloc((ci->page_count ? ci->page_count : 1) * sizeof *x.page_locations);
    if (!x.page_locations)
        return tn_error_set(err, TN_ENOMEM, "out of memory writing a Parquet offset index");
    for (uint32_t i = 0; i < ci->page_count; i++) {
        x.page_locations[i].offset = ci->pages[i].offset;
        x.page_locations[i].compressed_page_size = ci->pages[i].size;
        x.page_locations[i].first_row_index = ci->pages[i].first_row;
    }
    buf->len = 0;
    tn_thrift_writer tw;
    tn_thrift_writer_init(&tw, buf);
    tn_parquet_offset_index_write(&tw, &x);
    tn_free(x.page_locations);
    if (tn_thrift_writer_error(&tw))
        return tn_error_set(err, TN_ENOMEM, "out of memory writing a Parquet offset index");
    cc->has_offset_index = true;
    cc->offset_index_offset = w->offset;
    cc->offset_index_length = (int32_t)buf->len;
    return emit(w, buf->data, buf->len, err);
}

static int write_footer(pq_writer *w, tn_error *err)
{
    tn_buf buf = TN_BUF_INIT;
    tn_parquet_schema_element *schema = NULL;
    uint8_t *orders = NULL;
    int rc = 0;

    /* Page index first: all column indexes, then all offset indexes (PageIndex.md). */
    for (uint32_t g = 0; g < w->row_group_count && !rc; g++)
        for (uint32_t c = 0; c < w->column_count && !rc; c++)
            if (w->indexes[g][c].column_index_ok && w->indexes[g][c].page_count)
                rc = write_column_index(w, &w->plans[c], &w->indexes[g][c],
                                        &w->row_groups[g].columns[c], &buf, err);
    for (uint32_t g = 0; g < w->row_group_count && !rc; g++)
        for (uint32_t c = 0; c < w->column_count && !rc; c++)
            if (w->indexes[g][c].page_count)
                rc = write_offset_index(w, &w->indexes[g][c], &w->row_groups[g].columns[c],
                                        &buf, err);
    if (rc)
        goto done;

    schema = tn_calloc((size_t)w->column_count + 1, sizeof *schema);
    orders = tn_malloc((size_t)w->column_count + 1);
    if (!schema || !orders) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory writing the Parquet footer");
        goto done;
    }
    schema[0].name = TN_STR_LIT("schema");
    schema[0].has_num_children = true;
    schema[0].num_children = (int32_t)w->column_count;
    for (uint32_t c = 0; c < w->column_count; c++) {
        schema_element_for(&w->plans[c], &schema[c + 1]);
        orders[c] = TN_PARQUET_ORDER_TYPE_DEFINED;
    }

    tn_parquet_file_metadata md;
    memset(&md, 0, sizeof md);
    md.version = 1;
    md.schema_count = w->column_count + 1;
    md.schema = schema;
    md.num_rows = w->total_rows;
    md.row_group_count = w->row_group_count;
    md.row_groups = w->row_groups;
    md.key_value_count = w->kv_count;
    md.key_value_metadata = w->kv;
    md.has_created_by = true;
    md.created_by = TN_STR_LIT("tarn version " TARN_VERSION);
    md.column_order_count = w->column_count;
    md.column_orders = orders;

    buf.len = 0;
    tn_thrift_writer tw;
    tn_thrift_writer_init(&tw, &buf);
    tn_parquet_file_metadata_write(&tw, &md);
    if (tn_thrift_writer_error(&tw) || buf.len > UINT32_MAX) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory writing the Parquet footer");
        goto done;
    }
    uint8_t trailer[8];
    uint32_t len = (uint32_t)buf.len;
    memcpy(trailer, &len, 4);
    memcpy(trailer + 4, "PAR1", 4);
    rc = emit(w, buf.data, buf.len, err);
    if (!rc)
        rc = emit(w, trailer, 8, err);
done:
    tn_buf_free(&buf);
    tn_free(schema);
    tn_free(orders);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------------------------- */

/* The background flusher: takes one full set at a time and writes it as a row group. */
static void *flush_thread_main(void *arg)
{
    pq_writer *w = arg;
    pthread_mutex_lock(&w->bg_lock);
    for (;;) {
        while (!w->bg_job && !w->bg_quit)
            pthread_cond_wait(&w->bg_cond, &w->bg_lock);
        if (!w->bg_job)
            break;
        stage_set *job = w->bg_job;
        pthread_mutex_unlock(&w->bg_lock);

        tn_error err = {0};
        int rc = flush_row_group(w, job, w->bg_pool, &err);

        pthread_mutex_lock(&w->bg_lock);
        if (rc && !w->bg_rc) {
            w->bg_rc = rc;
            w->bg_err = err;
        }
        w->bg_job = NULL;
        pthread_cond_broadcast(&w->bg_cond);
    }
    pthread_mutex_unlock(&w->bg_lock);
    return NULL;
}

/* Waits until no row group is being flushed; returns the first background failure. */
static int wait_flushed(pq_writer *w, tn_error *err)
{
    if (!w->bg_started)
        return 0;
    pthread_mutex_lock(&w->bg_lock);
    while (w->bg_job)
        pthread_cond_wait(&w->bg_cond, &w->bg_lock);
    int rc = w->bg_rc;
    if (rc && err)
        *err = w->bg_err;
    pthread_mutex_unlock(&w->bg_lock);
    return rc;
}

/* Flushes the set being filled: in the background when more than one thread may work, so
 * that the caller goes on producing rows; inline otherwise (threads = 1).
 *
 * The flusher thread never runs its tasks on the shared pool: the caller may itself be a
 * task of that pool (a parallel export), and would then wait for the flusher while holding
 * the pool the flusher waits for. A pool of its own rules that out; its threads sleep
 * whenever no row group is being flushed. */
static int flush_filled(pq_writer *w, tn_error *err)
{
    stage_set *ss = &w->sets[w->fill];
    int rc = wait_flushed(w, err);
    if (rc)
        return rc;
    if (!w->pool)
        return flush_row_group(w, ss, NULL, err);
    if (!w->bg_started) {
        if (!w->bg_pool) {
            if (w->own_pool) {
                w->bg_pool = w->pool; /* already private to this writer */
            } else if (tn_pool_create(w->workers, &w->bg_pool) == 0) {
                w->own_bg_pool = true;
            } else {
                w->bg_pool = NULL;
                return flush_row_group(w, ss, w->pool, err); /* no threads: flush inline */
            }
        }
        if (pthread_create(&w->bg_thread, NULL, flush_thread_main, w) != 0)
            return flush_row_group(w, ss, w->pool, err);
        w->bg_started = true;
    }
    pthread_mutex_lock(&w->bg_lock);
    w->bg_job = ss;
    pthread_cond_broadcast(&w->bg_cond);
    pthread_mutex_unlock(&w->bg_lock);
    w->fill ^= 1; /* the other set was emptied by its flush */
    return 0;
}

static void stop_flush_thread(pq_writer *w)
{
    if (!w->bg_started)
        return;
    pthread_mutex_lock(&w->bg_lock);
    while (w->bg_job)
        pthread_cond_wait(&w->bg_cond, &w->bg_lock);
    w->bg_quit = true;
    pthread_cond_broadcast(&w->bg_cond);
    pthread_mutex_unlock(&w->bg_lock);
    pthread_join(w->bg_thread, NULL);
    w->bg_started = false;
}

static void writer_free(pq_writer *w)
{
    if (!w)
        return;
    stop_flush_thread(w);
    pthread_mutex_destroy(&w->bg_lock);
    pthread_cond_destroy(&w->bg_cond);
    if (w->file_open)
        tn_atomic_file_abort(&w->file);
    for (int k = 0; k < 2; k++) {
        column_stage *cols = w->sets[k].columns;
        for (uint32_t c = 0; cols && c < w->column_count; c++) {
            tn_buf_free(&cols[c].values);
            tn_buf_free(&cols[c].data);
            tn_buf_free(&cols[c].defs);
            tn_free(cols[c].offsets);
        }
        tn_free(cols);
    }
    if (w->work) {
        release_pages(w, true);
        for (uint32_t c = 0; c < w->column_count; c++) {
            tn_parquet_dict_free(&w->work[c].dict);
            tn_buf_free(&w->work[c].scratch);
        }
    }
    if (w->zstd) {
        for (int i = 0; i < w->workers; i++)
            ZSTD_freeCCtx(w->zstd[i]);
        tn_free(w->zstd);
    }
    if (w->own_bg_pool)
        tn_pool_destroy(w->bg_pool);
    if (w->own_pool)
        tn_pool_destroy(w->pool);
    tn_free(w->work);
    tn_free(w->plans);
    tn_free(w->row_groups);
    tn_free(w->indexes);
    tn_free(w->kv);
    tn_arena_free(&w->meta);
    tn_schema_unref(w->schema);
    tn_free(w);
}

/* Opens `path` (through a temporary file) for a Parquet file of `schema`. Reads the Parquet
 * fields of opts (NULL = defaults). Returns 0 with *state set, or TN_EINVAL (bad option),
 * TN_EUNSUPPORTED (a column type Parquet output cannot hold), TN_ENOMEM, TN_EIO. */
int tn_parquet_writer_open(const char *path, const tn_schema *schema,
                           const tn_write_options *opts, void **state, tn_error *err)
{
    static const tn_write_options defaults;
    if (!opts)
        opts = &defaults;
    *state = NULL;
    int rc;
    pq_writer *w = tn_calloc(1, sizeof *w);
    if (!w)
        return tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
    tn_arena_init(&w->meta, 0);
    pthread_mutex_init(&w->bg_lock, NULL);
    pthread_cond_init(&w->bg_cond, NULL);

    const char *codec_name = opts->compression ? opts->compression : "zstd";
    if ((rc = tn_codec_parse(codec_name, &w->codec, err)) != 0) {
        tn_error_set_key(err, "compression");
        goto fail;
    }
    if (!tn_codec_supported(w->codec) || w->codec == TN_CODEC_LZ4) {
        rc = tn_error_set(err, TN_EINVAL, "compression '%s' cannot be written; use zstd, snappy, "
                          "gzip, brotli, lz4 or none", codec_name);
        tn_error_set_key(err, "compression");
        goto fail;
    }
    w->level = opts->compression_level;
    if (w->codec == TN_CODEC_ZSTD && (w->level < ZSTD_minCLevel() || w->level > ZSTD_maxCLevel())) {
        rc = tn_error_set(err, TN_EINVAL, "compression_level %d is outside ZSTD's range %d..%d",
                          w->level, ZSTD_minCLevel(), ZSTD_maxCLevel());
        tn_error_set_key(err, "compression_level");
        goto fail;
    }
    if (opts->row_group_rows < 0 || opts->row_group_bytes < 0 || opts->page_bytes < 0) {
        rc = tn_error_set(err, TN_EINVAL, "row group and page sizes must not be negative");
        goto fail;
    }
    w->row_group_rows = opts->row_group_rows;
    w->row_group_bytes = opts->row_group_bytes ? opts->row_group_bytes : DEFAULT_ROW_GROUP_BYTES;
    w->page_bytes = opts->page_bytes ? opts->page_bytes : DEFAULT_PAGE_BYTES;
    w->data_page_v2 = opts->data_page_v2;
    w->dictionary = !opts->no_dictionary;

    w->schema = tn_schema_copy(schema);
    if (!w->schema) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
        goto fail;
    }
    w->column_count = w->schema->column_count;
    size_t nc = w->column_count ? w->column_count : 1;
    w->plans = tn_calloc(nc, sizeof *w->plans);
    w->sets[0].columns = tn_calloc(nc, sizeof(column_stage));
    w->sets[1].columns = tn_calloc(nc, sizeof(column_stage));
    w->work = tn_calloc(nc, sizeof *w->work);
    if (!w->plans || !w->sets[0].columns || !w->sets[1].columns || !w->work) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
        goto fail;
    }
    for (uint32_t c = 0; c < w->column_count; c++) {
        const tn_column *col = &w->schema->columns[c];
        if (col->type.id <= TN_TYPE_INVALID || col->type.id >= TN_TYPE_COUNT ||
            (col->type.id == TN_TYPE_DECIMAL &&
             (col->type.precision < 1 || col->type.precision > TN_DECIMAL_MAX_PRECISION))) {
            rc = tn_error_set(err, TN_EUNSUPPORTED, "column '%s' has a type Parquet output "
                              "does not support", col->name);
            tn_error_set_key(err, col->name);
            goto fail;
        }
        plan_column(&w->plans[c], col, c);
        tn_parquet_dict_init(&w->work[c].dict, w->plans[c].width);
    }

    /* Key/value metadata: pairs until a NULL key. */
    if (opts->metadata) {
        uint32_t n = 0;
        while (opts->metadata[2 * n])
            n++;
        if (n) {
            w->kv = tn_calloc(n, sizeof *w->kv);
            if (!w->kv) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
                goto fail;
            }
            for (uint32_t i = 0; i < n; i++) {
                const char *k = tn_arena_strdup(&w->meta, opts->metadata[2 * i]);
                const char *v = opts->metadata[2 * i + 1]
                                    ? tn_arena_strdup(&w->meta, opts->metadata[2 * i + 1])
                                    : NULL;
                if (!k || (opts->metadata[2 * i + 1] && !v)) {
                    rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
                    goto fail;
                }
                w->kv[i].key = tn_str_c(k);
                w->kv[i].has_value = v != NULL;
                w->kv[i].value = tn_str_c(v);
            }
            w->kv_count = n;
        }
    }

    if (opts->threads == 1) {
        w->pool = NULL;
        w->workers = 1;
    } else if (opts->threads > 1) {
        if ((rc = tn_pool_create(opts->threads, &w->pool)) != 0) {
            tn_error_set(err, rc, "could not start %d writer threads", opts->threads);
            goto fail;
        }
        w->own_pool = true;
        w->workers = tn_pool_threads(w->pool);
    } else {
        w->pool = tn_pool_shared();
        w->workers = w->pool ? tn_pool_threads(w->pool) : 1;
    }
    w->zstd = tn_calloc((size_t)w->workers, sizeof *w->zstd);
    if (!w->zstd) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
        goto fail;
    }

    if ((rc = tn_atomic_file_open(&w->file, path, err)) != 0)
        goto fail;
    w->file_open = true;
    if ((rc = emit(w, "PAR1", 4, err)) != 0)
        goto fail;
    *state = w;
    return 0;

fail:
    writer_free(w);
    return rc;
}

/* Stages a batch; flushes a row group whenever one is full. The batch's columns must match
 * the schema given at open (types, count). Returns 0, TN_ETYPE, TN_EINVAL (NULL in a NOT
 * NULL column), TN_ENOMEM or TN_EIO. */
int tn_parquet_writer_write(void *state, const tn_batch *batch, tn_error *err)
{
    pq_writer *w = state;
    if (!w || !batch)
        return tn_error_set(err, TN_EINVAL, "no Parquet writer or batch");
    if (batch->schema->column_count != w->column_count)
        return tn_error_set(err, TN_ETYPE, "batch has %u columns, the Parquet file %u",
                            batch->schema->column_count, w->column_count);
    for (uint32_t c = 0; c < w->column_count; c++) {
        if (!tn_type_eq(batch->columns[c].type, w->plans[c].type)) {
            tn_error_set(err, TN_ETYPE, "column '%s' of the batch does not have the type the "
                         "Parquet file was opened with", w->plans[c].name);
            tn_error_set_key(err, w->plans[c].name);
            return TN_ETYPE;
        }
    }
    uint32_t from = 0;
    while (from < batch->row_count) {
        stage_set *ss = &w->sets[w->fill];
        uint32_t to = batch->row_count;
        if (w->row_group_rows && (int64_t)(ss->rows + (to - from)) > w->row_group_rows)
            to = from + (uint32_t)(w->row_group_rows - (int64_t)ss->rows);
        if (ss->rows && stage_would_overflow(w, ss, batch, from, to)) {
            int rc = flush_filled(w, err);
            if (rc)
                return rc;
            continue;
        }
        for (uint32_t c = 0; c < w->column_count; c++) {
            int rc = stage_vector(w, ss, c, &batch->columns[c], from, to, err);
            if (rc)
                return rc;
        }
        ss->rows += to - from;
        w->rows_staged += to - from;
        from = to;
        if (!ss->sized && ss->rows >= TN_BATCH_ROWS)
            stage_presize(w, ss);
        bool full = (w->row_group_rows && (int64_t)ss->rows >= w->row_group_rows) ||
                    (int64_t)ss->bytes >= w->row_group_bytes ||
                    ss->rows >= (size_t)INT32_MAX - TN_BATCH_ROWS;
        if (full) {
            int rc = flush_filled(w, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Writes the last row group, the page index and the footer, then makes the file appear.
 * Frees the writer whatever happens. Returns 0 or the first error. */
int tn_parquet_writer_finish(void *state, tn_error *err)
{
    pq_writer *w = state;
    if (!w)
        return tn_error_set(err, TN_EINVAL, "no Parquet writer");
    int rc = wait_flushed(w, err);
    if (!rc)
        rc = flush_row_group(w, &w->sets[w->fill], w->pool, err);
    stop_flush_thread(w);
    if (!rc)
        rc = write_footer(w, err);
    if (!rc) {
        rc = tn_atomic_file_commit(&w->file, err);
        if (!rc)
            w->file_open = false;
    }
    writer_free(w);
    return rc;
}

/* Drops everything written so far (the temporary file is removed) and frees the writer. */
void tn_parquet_writer_abort(void *state) { writer_free(state); }
