/* SPDX-License-Identifier: Apache-2.0
 *
 * The Parquet writer's column chunks (writer_int.h): step 1 of a row group's flush, run as
 * one pool task per column (pq_encode_chunk). It cuts the chunk's staged rows into pages of
 * about page_bytes, grows the chunk's dictionary, encodes definition levels and values,
 * computes page and chunk statistics, and compresses each page as soon as it is encoded (so
 * only compressed pages are kept). writer.c then writes the pages with their headers
 * (pq_page_header_encode) and the chunk's Statistics (pq_chunk_statistics).
 *
 * Dictionary encoding is the default: the dictionary grows with the chunk's values until it
 * passes DICT_MAX_BYTES or DICT_MAX_ENTRIES; pages before that point are RLE_DICTIONARY,
 * the rest of the chunk is PLAIN. A chunk whose values are mostly distinct is written PLAIN
 * from the start (judged on its first DICT_PROBE_ROWS rows), because indices would only add
 * bytes.
 */
#include "formats/parquet/writer_int.h"

#include "formats/parquet/codec.h"

#include <math.h>

#define DEFAULT_ZSTD_LEVEL 3 /* what DuckDB uses, so sizes compare like for like */
#define DICT_MAX_BYTES ((size_t)1 << 20)
#define DICT_MAX_ENTRIES (1u << 16)
#define DICT_PROBE_ROWS 16384
/* Statistics and page bounds longer than this are left out rather than truncated, so every
 * bound that is written is exact. */
#define STATS_MAX_BYTES 4096
#define MAX_PAGE_ROWS (1 << 20)

/* ------------------------------------------------------------------------------------------
 * Comparisons in each column's sort order (parquet.thrift ColumnOrder)
 * ---------------------------------------------------------------------------------------- */

/* A fixed-width PLAIN value, loaded with memcpy: compacted values may sit at any offset of a
 * page payload. */
typedef union plain_value {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
} plain_value;

static inline plain_value load_value(const uint8_t *p, uint32_t width)
{
    plain_value v;
    memcpy(&v, p, width);
    return v;
}

static inline int compare_i64(int64_t x, int64_t y) { return (x > y) - (x < y); }
/* FLOATs too: widening to double keeps their order (and NaN unordered). */
static inline int compare_f64(double x, double y) { return (x > y) - (x < y); }

/* Compares two PLAIN-encoded values of the column: signed integers, IEEE floats, signed
 * big-endian decimals, unsigned bytes for byte arrays. */
int pq_compare_values(const column_plan *p, const uint8_t *a, size_t alen, const uint8_t *b,
                      size_t blen)
{
    switch (p->physical) {
    case TN_PARQUET_BOOLEAN: return (int)a[0] - (int)b[0];
    case TN_PARQUET_INT32: return compare_i64(load_value(a, 4).i32, load_value(b, 4).i32);
    case TN_PARQUET_INT64: return compare_i64(load_value(a, 8).i64, load_value(b, 8).i64);
    case TN_PARQUET_FLOAT: return compare_f64(load_value(a, 4).f32, load_value(b, 4).f32);
    case TN_PARQUET_DOUBLE: return compare_f64(load_value(a, 8).f64, load_value(b, 8).f64);
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
    if (pq_compare_values(p, pq_bound_bytes(&from->min), from->min.len, pq_bound_bytes(&into->min),
                          into->min.len) < 0)
        into->min = from->min;
    if (pq_compare_values(p, pq_bound_bytes(&from->max), from->max.len, pq_bound_bytes(&into->max),
                          into->max.len) > 0)
        into->max = from->max;
}

/* Sets the bounds of s to the `width` bytes at lo and at hi. */
static inline void set_bounds(value_stats *s, const void *lo, const void *hi, uint32_t width)
{
    memcpy(s->min.fixed, lo, width);
    memcpy(s->max.fixed, hi, width);
    s->min.len = s->max.len = width;
    s->has_minmax = true;
}

/* Statistics of n (> 0) integers of `width` bytes, 4 or 8. Inlined with a constant width, so
 * each width gets a loop of its own. */
static inline __attribute__((always_inline)) void int_stats(const uint8_t *v, size_t n,
                                                            uint32_t width, value_stats *s)
{
    plain_value first = load_value(v, width);
    int64_t lo = width == 4 ? first.i32 : first.i64, hi = lo;
    for (size_t i = 1; i < n; i++) {
        plain_value at = load_value(v + width * i, width);
        int64_t x = width == 4 ? at.i32 : at.i64;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    int32_t lo32 = (int32_t)lo, hi32 = (int32_t)hi;
    if (width == 4)
        set_bounds(s, &lo32, &hi32, 4);
    else
        set_bounds(s, &lo, &hi, 8);
}

/* Statistics of n (> 0) IEEE values of `width` bytes, 4 or 8, NaNs counted and left out of the
 * bounds. FLOATs are compared as doubles, which orders them the same and converts back
 * exactly. Inlined with a constant width, as int_stats. */
static inline __attribute__((always_inline)) void float_stats(const uint8_t *v, size_t n,
                                                              uint32_t width, value_stats *s)
{
    double lo = INFINITY, hi = -INFINITY;
    int64_t nans = 0;
    for (size_t i = 0; i < n; i++) {
        plain_value at = load_value(v + width * i, width);
        double x = width == 4 ? (double)at.f32 : at.f64;
        if (isnan(x)) {
            nans++;
            continue;
        }
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    s->nan_count += nans;
    if ((size_t)nans == n)
        return;
    /* Zeros are widened so that readers never miss -0.0 or +0.0. */
    if (lo == 0.0)
        lo = -0.0;
    if (hi == 0.0)
        hi = 0.0;
    float lo32 = (float)lo, hi32 = (float)hi;
    if (width == 4)
        set_bounds(s, &lo32, &hi32, 4);
    else
        set_bounds(s, &lo, &hi, 8);
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
        set_bounds(s, &lo, &hi, 1);
        break;
    }
    case TN_PARQUET_INT32: int_stats(v, n, 4, s); break;
    case TN_PARQUET_INT64: int_stats(v, n, 8, s); break;
    case TN_PARQUET_FLOAT: float_stats(v, n, 4, s); break;
    case TN_PARQUET_DOUBLE: float_stats(v, n, 8, s); break;
    default: { /* FIXED_LEN_BYTE_ARRAY decimals */
        const uint8_t *lo = v, *hi = v;
        for (size_t i = 1; i < n; i++) {
            const uint8_t *x = v + i * p->width;
            if (pq_compare_values(p, x, p->width, lo, p->width) < 0)
                lo = x;
            if (pq_compare_values(p, x, p->width, hi, p->width) > 0)
                hi = x;
        }
        set_bounds(s, lo, hi, p->width);
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
void pq_encode_chunk(void *vctx, size_t c, int worker)
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
 * Chunk metadata: statistics and page headers
 * ---------------------------------------------------------------------------------------- */

static void *arena_copy(tn_arena *a, const void *src, size_t len)
{
    void *p = tn_arena_alloc(a, len ? len : 1);
    if (p && len)
        memcpy(p, src, len);
    return p;
}

/* Fills Statistics from chunk statistics (bounds copied into the arena). */
int pq_chunk_statistics(pq_writer *w, const column_plan *p, const value_stats *s,
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
    const void *mn = arena_copy(&w->meta, pq_bound_bytes(&s->min), s->min.len);
    const void *mx = arena_copy(&w->meta, pq_bound_bytes(&s->max), s->max.len);
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

/* The header a page is written with (see writer_int.h). */
int pq_page_header_encode(const pq_writer *w, const page_buf *pg, bool nullable, tn_buf *hdr,
                          tn_error *err)
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
    return 0;
}
