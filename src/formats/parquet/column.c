/* SPDX-License-Identifier: Apache-2.0
 *
 * Reading one column chunk: pages are walked in order (dictionary page first, data pages v1
 * and v2, index pages skipped), the chunk's bytes read a slice at a time as the pages need
 * them, each page decompressed into a reused buffer of exactly its declared size. Levels are
 * decoded in windows of TN_PQ_LEVEL_CHUNK entries; for each window the present values are
 * decoded densely and then converted and scattered into the tarn vector, or decoded straight
 * into the vector when the window has no nulls and the physical and tarn representations
 * agree.
 *
 * Every count that comes from the file is checked before it is used: page sizes against the
 * chunk, value counts against TN_PARQUET_MAX_PAGE_VALUES, levels against their maximum,
 * dictionary indices against the dictionary.
 */
#include "formats/parquet/reader_int.h"

#include "formats/parquet/codec.h"

#include <math.h>
#include <stdio.h>

/* Bytes of scratch per value: the widest physical fixed value is INT96. */
#define SCRATCH_WIDTH 16
/* A column chunk is read in slices of about this many bytes (more when one page needs it):
 * holding whole chunks of a large row group would cost more memory than the decoded batches,
 * and a reused slice is not faulted in again for every chunk. */
#define SLICE_BYTES ((size_t)64 << 10)
/* Bytes first made available for a page header; more are read when it is longer. */
#define HEADER_BYTES ((size_t)1 << 10)

static int chunk_error(pq_chunk *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int chunk_error(pq_chunk *c, int code, const char *fmt, ...)
{
    char msg[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return pq_error(c->err, code, c->file, c->rg, c->leaf->path, "%s", msg);
}

static int chunk_wrap(pq_chunk *c, int code)
{
    return pq_error_wrap(c->err, code, c->file, c->rg, c->leaf->path);
}

static int bit_width_of(int level)
{
    int w = 0;
    while (level >> w)
        w++;
    return w;
}

/* ------------------------------------------------------------------------------------------
 * Opening a chunk
 * ---------------------------------------------------------------------------------------- */

static int load_dictionary(pq_chunk *c, const tn_parquet_page_header *h, const uint8_t *body);

/* A buffer of size bytes with TN_PARQUET_SLACK readable bytes after them; *cap = size. */
static uint8_t *alloc_buffer(size_t size, size_t *cap)
{
    uint8_t *p = tn_malloc(size + TN_PARQUET_SLACK);
    *cap = p ? size : 0;
    return p;
}

/* Makes chunk bytes [pos, pos + need) (cut at the chunk's end) readable in c->buf, at
 * c->buf + (pos - c->slice_start). Bytes of the slice before pos are dropped, those after it
 * kept, the rest read from the file: at least SLICE_BYTES at a time. Pointers into the slice
 * stay valid until the next call. Returns 0 or an error (err set). */
static int chunk_bytes(pq_chunk *c, size_t pos, size_t need)
{
    if (need > c->buf_len - pos)
        need = c->buf_len - pos;
    size_t slice_end = c->slice_start + c->slice_len;
    if (pos >= c->slice_start && pos + need <= slice_end)
        return 0;
    size_t want = need > SLICE_BYTES ? need : SLICE_BYTES;
    if (want > c->buf_len - pos)
        want = c->buf_len - pos;
    size_t keep = pos >= c->slice_start && pos < slice_end ? slice_end - pos : 0;
    if (want > c->buf_cap) {
        size_t cap;
        uint8_t *grown = alloc_buffer(want, &cap);
        if (!grown)
            return chunk_error(c, TN_ENOMEM, "out of memory reading %zu bytes", want);
        if (keep)
            memcpy(grown, c->buf + (pos - c->slice_start), keep);
        tn_free(c->buf);
        c->buf = grown;
        c->buf_cap = cap;
    } else if (keep) {
        memmove(c->buf, c->buf + (pos - c->slice_start), keep);
    }
    c->slice_start = pos;
    c->slice_len = keep;
    if (want > keep) {
        int rc = c->file->src.read(c->file->src.ctx, c->buf_offset + pos + keep, c->buf + keep,
                                   want - keep, c->err);
        if (rc != 0)
            return chunk_wrap(c, rc);
    }
    c->slice_len = want;
    return 0;
}

/* Decodes the page header at c->pos. Sets *body to the page's bytes (valid until the next
 * call) and advances c->pos past the page. Returns 1 when no page is left. */
static int next_page_header(pq_chunk *c, tn_parquet_page_header *h, const uint8_t **body)
{
    if (c->pos >= c->buf_len)
        return 1;
    size_t header_len = 0;
    size_t left = c->buf_len - c->pos;
    int rc;
    tn_error attempt = {0}; /* an attempt that ran short is not an error of the scan */
    for (size_t try_len = HEADER_BYTES;; try_len *= 2) {
        rc = chunk_bytes(c, c->pos, try_len);
        if (rc != 0)
            return rc;
        size_t avail = try_len < left ? try_len : left;
        memset(&attempt, 0, sizeof(attempt));
        rc = tn_parquet_page_header_decode(c->buf + (c->pos - c->slice_start), avail, h,
                                           &header_len, &attempt);
        /* A header longer than the bytes tried: try twice as many, up to the chunk's end. */
        if (rc != TN_ELIMIT || avail == left)
            break;
    }
    if (rc == TN_ELIMIT)
        return chunk_error(c, TN_ECORRUPT,
                           "page header at offset %llu runs past the end of the column chunk",
                           (unsigned long long)(c->buf_offset + c->pos));
    if (rc != 0) {
        *c->err = attempt;
        return chunk_wrap(c, rc);
    }
    if (h->compressed_page_size < 0 || h->uncompressed_page_size < 0 ||
        (size_t)h->compressed_page_size > left - header_len)
        return chunk_error(c, TN_ECORRUPT,
                           "page at offset %llu declares %d bytes but the column chunk has %zu "
                           "left (the file may be truncated)",
                           (unsigned long long)(c->buf_offset + c->pos),
                           (int)h->compressed_page_size, left - header_len);
    if ((size_t)h->uncompressed_page_size > TN_PQ_MAX_PAGE_BYTES)
        return chunk_error(c, TN_ELIMIT, "page of %d bytes is larger than the %zu-byte limit",
                           (int)h->uncompressed_page_size, TN_PQ_MAX_PAGE_BYTES);
    rc = chunk_bytes(c, c->pos, header_len + (size_t)h->compressed_page_size + HEADER_BYTES);
    if (rc != 0)
        return rc;
    *body = c->buf + (c->pos - c->slice_start) + header_len;
    c->pos += header_len + (size_t)h->compressed_page_size;
    return 0;
}

int pq_chunk_open(pq_chunk *c, const tn_parquet_file *file, uint32_t rg, uint32_t leaf_idx,
                  const tn_parquet_offset_index *oi, tn_error *err)
{
    memset(c, 0, sizeof(*c));
    c->file = file;
    c->leaf = &file->leaves[leaf_idx];
    c->rg = rg;
    c->err = err;
    const tn_parquet_row_group *g = &file->md.row_groups[rg];
    c->meta = &g->columns[leaf_idx].meta_data;
    c->rg_rows = g->num_rows;
    const tn_parquet_column_metadata *m = c->meta;

    if (!tn_codec_supported(m->codec))
        return chunk_error(c, TN_EUNSUPPORTED, "compression codec %s is not supported",
                           tn_codec_name(m->codec));
    int64_t start = m->data_page_offset;
    /* Some writers store 0 for an absent dictionary page: trust only an offset before the
     * data pages. */
    if (m->has_dictionary_page_offset && m->dictionary_page_offset > 0 &&
        m->dictionary_page_offset < start)
        start = m->dictionary_page_offset;
    int64_t len = m->total_compressed_size;
    if (start < 4 || len < 0 || (uint64_t)start > file->data_end ||
        (uint64_t)len > file->data_end - (uint64_t)start)
        return chunk_error(c, TN_ECORRUPT,
                           "column chunk at offset %lld with %lld bytes lies outside the data "
                           "of the file (%llu bytes before the footer)",
                           (long long)start, (long long)len,
                           (unsigned long long)file->data_end);
    c->buf_offset = (uint64_t)start;
    c->buf_len = (size_t)len;
    c->buf = alloc_buffer(c->buf_len < SLICE_BYTES ? c->buf_len : SLICE_BYTES, &c->buf_cap);
    c->scratch = tn_malloc(TN_PQ_LEVEL_CHUNK * SCRATCH_WIDTH);
    c->strs = tn_malloc(TN_PQ_LEVEL_CHUNK * sizeof(tn_str));
    c->indices = tn_malloc(TN_PQ_LEVEL_CHUNK * sizeof(uint32_t));
    if (!c->buf || !c->scratch || !c->strs || !c->indices)
        return chunk_error(c, TN_ENOMEM, "out of memory reading %lld bytes", (long long)len);
    if (oi) {
        /* Use the offset index only when it is consistent with the chunk. */
        bool ok = true;
        for (uint32_t i = 0; i < oi->page_count && ok; i++) {
            const tn_parquet_page_location *p = &oi->page_locations[i];
            ok = p->offset >= start && p->offset - start < len && p->first_row_index >= 0 &&
                 (i == 0 || p->first_row_index >= oi->page_locations[i - 1].first_row_index);
        }
        if (ok)
            c->oi = oi;
    }
    /* A dictionary page comes first when there is one. */
    if (c->pos < c->buf_len) {
        size_t save = c->pos;
        tn_parquet_page_header h;
        const uint8_t *body;
        int rc = next_page_header(c, &h, &body);
        if (rc < 0)
            return rc;
        if (rc == 0 && h.type == TN_PARQUET_PAGE_DICTIONARY) {
            rc = load_dictionary(c, &h, body);
            if (rc != 0)
                return rc;
        } else {
            c->pos = save;
        }
    }
    return 0;
}

void pq_chunk_free(pq_chunk *c)
{
    if (c->vals_live)
        tn_parquet_values_free(&c->vals);
    c->vals_live = false;
    tn_parquet_dictionary_free(&c->dict);
    tn_dictionary_unref(c->shared_dict);
    c->shared_dict = NULL;
    tn_free(c->dict_page);
    tn_free(c->page_buf);
    tn_free(c->buf);
    tn_free(c->scratch);
    tn_free(c->strs);
    tn_free(c->indices);
    if (c->tmp_live)
        tn_vector_destroy(&c->tmp);
    c->tmp_live = false;
    c->dict_page = c->page_buf = c->buf = c->scratch = NULL;
    c->strs = NULL;
    c->indices = NULL;
}

/* Decompresses src into *owned, a buffer of *cap bytes grown as needed and kept for the
 * next page (or returns src itself when uncompressed). */
static int page_bytes(pq_chunk *c, const uint8_t *src, size_t src_len, size_t out_len,
                      bool compressed, uint8_t **owned, size_t *cap, const uint8_t **out)
{
    if (!compressed || c->meta->codec == TN_CODEC_UNCOMPRESSED) {
        if (src_len < out_len)
            return chunk_error(c, TN_ECORRUPT,
                               "uncompressed page holds %zu bytes but declares %zu", src_len,
                               out_len);
        *out = src;
        return 0;
    }
    if (!*owned || *cap < out_len) {
        tn_free(*owned);
        *cap = 0;
        *owned = alloc_buffer(out_len, cap);
        if (!*owned)
            return chunk_error(c, TN_ENOMEM, "out of memory decompressing a page of %zu bytes",
                               out_len);
    }
    int rc = tn_codec_decompress(c->meta->codec, src, src_len, *owned, out_len, c->err);
    if (rc != 0)
        return chunk_wrap(c, rc);
    *out = *owned;
    return 0;
}

static int load_dictionary(pq_chunk *c, const tn_parquet_page_header *h, const uint8_t *body)
{
    if (c->has_dict)
        return chunk_error(c, TN_ECORRUPT, "column chunk has a second dictionary page");
    if (!h->has_dictionary_page_header)
        return chunk_error(c, TN_ECORRUPT, "dictionary page without its header");
    const tn_parquet_dictionary_page_header *dh = &h->dictionary_page_header;
    if (dh->encoding != TN_PARQUET_ENC_PLAIN && dh->encoding != TN_PARQUET_ENC_PLAIN_DICTIONARY)
        return chunk_error(c, TN_EUNSUPPORTED, "dictionary page encoding %s is not supported",
                           tn_parquet_encoding_name(dh->encoding));
    const uint8_t *data;
    int rc = page_bytes(c, body, (size_t)h->compressed_page_size,
                        (size_t)h->uncompressed_page_size, true, &c->dict_page, &c->dict_cap,
                        &data);
    if (rc != 0)
        return rc;
    if (data == body) {
        /* Uncompressed: the entries would borrow from the chunk's slice, which the next
         * pages replace, so they get a copy of their own. */
        size_t n = (size_t)h->uncompressed_page_size;
        tn_free(c->dict_page);
        c->dict_page = alloc_buffer(n, &c->dict_cap);
        if (!c->dict_page)
            return chunk_error(c, TN_ENOMEM, "out of memory reading a dictionary of %zu bytes",
                               n);
        if (n)
            memcpy(c->dict_page, body, n);
        data = c->dict_page;
    }
    rc = tn_parquet_dictionary_decode(c->leaf->physical, c->leaf->type_length, data,
                                      (size_t)h->uncompressed_page_size, dh->num_values,
                                      &c->dict, c->err);
    if (rc != 0)
        return chunk_wrap(c, rc);
    c->has_dict = true;
    if (c->leaf->conv == PQ_CONV_STRING && c->dict.bytes) {
        c->dict_utf8_ok = true;
        for (uint32_t i = 0; i < c->dict.count && c->dict_utf8_ok; i++)
            c->dict_utf8_ok = tn_utf8_valid(c->dict.bytes[i].ptr, c->dict.bytes[i].len);
    }
    return 0;
}

/* Level decoder over a v1 page section; advances *p past it. */
static int init_levels_v1(pq_chunk *c, tn_parquet_rle *d, int encoding, int max_level,
                          int32_t num_values, const uint8_t **p, const uint8_t *end,
                          const char *what)
{
    int w = bit_width_of(max_level);
    size_t avail = (size_t)(end - *p);
    if (encoding == TN_PARQUET_ENC_BIT_PACKED) {
        size_t bytes = ((size_t)num_values * (size_t)w + 7) / 8;
        if (bytes > avail)
            return chunk_error(c, TN_ECORRUPT, "%s levels are truncated", what);
        tn_parquet_rle_init_legacy(d, *p, bytes, w);
        *p += bytes;
        return 0;
    }
    if (encoding != TN_PARQUET_ENC_RLE)
        return chunk_error(c, TN_EUNSUPPORTED, "%s level encoding %s is not supported", what,
                           tn_parquet_encoding_name(encoding));
    if (avail < 4)
        return chunk_error(c, TN_ECORRUPT, "%s levels are truncated", what);
    uint32_t n;
    memcpy(&n, *p, 4);
    if (n > avail - 4)
        return chunk_error(c, TN_ECORRUPT,
                           "%s levels declare %u bytes but the page has %zu left", what, n,
                           avail - 4);
    tn_parquet_rle_init(d, *p + 4, n, w);
    *p += 4 + n;
    return 0;
}

static int start_values(pq_chunk *c, int encoding, const uint8_t *p, size_t len,
                        int32_t num_values)
{
    if (c->vals_live)
        tn_parquet_values_free(&c->vals);
    c->vals_live = true;
    bool dict = encoding == TN_PARQUET_ENC_PLAIN_DICTIONARY ||
                encoding == TN_PARQUET_ENC_RLE_DICTIONARY;
    int rc = tn_parquet_values_init(&c->vals, encoding, c->leaf->physical, c->leaf->type_length,
                                    p, len, (uint32_t)num_values, c->has_dict ? &c->dict : NULL,
                                    c->err);
    if (rc != 0)
        return chunk_wrap(c, rc);
    c->page_dict = dict;
    return 0;
}

/* Moves to the next data page. Returns 0, 1 at the end of the chunk, or an error. */
static int next_data_page(pq_chunk *c)
{
    for (;;) {
        tn_parquet_page_header h;
        const uint8_t *body;
        int rc = next_page_header(c, &h, &body);
        if (rc != 0)
            return rc;
        if (h.type == TN_PARQUET_PAGE_DICTIONARY) {
            /* Met again when an offset index (wrongly) lists the dictionary page as the
             * first page: the one already loaded stands. Otherwise only writers that
             * misplace it put it here; it must precede its users. */
            if (c->has_dict)
                continue;
            rc = load_dictionary(c, &h, body);
            if (rc != 0)
                return rc;
            continue;
        }
        if (h.type != TN_PARQUET_PAGE_DATA && h.type != TN_PARQUET_PAGE_DATA_V2)
            continue; /* index pages and page types from the future */
        const pq_leaf *leaf = c->leaf;
        int32_t num_values;
        const uint8_t *data, *p, *end;
        if (c->oi)
            c->oi_next++;
        if (h.type == TN_PARQUET_PAGE_DATA) {
            if (!h.has_data_page_header)
                return chunk_error(c, TN_ECORRUPT, "data page without its header");
            const tn_parquet_data_page_header *dh = &h.data_page_header;
            num_values = dh->num_values;
            if (num_values < 0 || (uint32_t)num_values > TN_PARQUET_MAX_PAGE_VALUES)
                return chunk_error(c, TN_ECORRUPT, "data page declares %d values",
                                   (int)num_values);
            rc = page_bytes(c, body, (size_t)h.compressed_page_size,
                            (size_t)h.uncompressed_page_size, true, &c->page_buf, &c->page_cap,
                            &data);
            if (rc != 0)
                return rc;
            p = data;
            end = data + h.uncompressed_page_size;
            if (leaf->max_rep > 0) {
                rc = init_levels_v1(c, &c->rep_dec, dh->repetition_level_encoding,
                                    leaf->max_rep, num_values, &p, end, "repetition");
                if (rc != 0)
                    return rc;
            }
            if (leaf->max_def > 0) {
                rc = init_levels_v1(c, &c->def_dec, dh->definition_level_encoding,
                                    leaf->max_def, num_values, &p, end, "definition");
                if (rc != 0)
                    return rc;
            }
            rc = start_values(c, dh->encoding, p, (size_t)(end - p), num_values);
        } else {
            if (!h.has_data_page_header_v2)
                return chunk_error(c, TN_ECORRUPT, "data page v2 without its header");
            const tn_parquet_data_page_header_v2 *dh = &h.data_page_header_v2;
            num_values = dh->num_values;
            if (num_values < 0 || (uint32_t)num_values > TN_PARQUET_MAX_PAGE_VALUES)
                return chunk_error(c, TN_ECORRUPT, "data page declares %d values",
                                   (int)num_values);
            int64_t rep_len = dh->repetition_levels_byte_length;
            int64_t def_len = dh->definition_levels_byte_length;
            if (rep_len < 0 || def_len < 0 || rep_len + def_len > h.compressed_page_size ||
                rep_len + def_len > h.uncompressed_page_size)
                return chunk_error(c, TN_ECORRUPT,
                                   "data page v2 level lengths (%lld + %lld) exceed the page",
                                   (long long)rep_len, (long long)def_len);
            if (leaf->max_rep > 0)
                tn_parquet_rle_init(&c->rep_dec, body, (size_t)rep_len,
                                    bit_width_of(leaf->max_rep));
            if (leaf->max_def > 0)
                tn_parquet_rle_init(&c->def_dec, body + rep_len, (size_t)def_len,
                                    bit_width_of(leaf->max_def));
            size_t src_len = (size_t)(h.compressed_page_size - rep_len - def_len);
            size_t out_len = (size_t)(h.uncompressed_page_size - rep_len - def_len);
            rc = page_bytes(c, body + rep_len + def_len, src_len, out_len, dh->is_compressed,
                            &c->page_buf, &c->page_cap, &data);
            if (rc != 0)
                return rc;
            rc = start_values(c, dh->encoding, data, out_len, num_values);
        }
        if (rc != 0)
            return rc;
        c->page_values = num_values;
        c->page_left = num_values;
        c->values_seen += num_values;
        if (num_values == 0)
            continue;
        return 0;
    }
}

#define BYTES_01 0x0101010101010101ULL
#define BYTES_80 0x8080808080808080ULL

/* Largest level in levels[0, k) is above max (max <= 127): eight bytes per step. */
static bool level_above(const uint8_t *levels, uint32_t k, int max)
{
    const uint64_t add = BYTES_01 * (uint64_t)(127 - max);
    uint32_t i = 0;
    for (; i + 8 <= k; i += 8) {
        uint64_t x;
        memcpy(&x, levels + i, 8);
        if (((x + add) | x) & BYTES_80)
            return true;
    }
    for (; i < k; i++)
        if (levels[i] > max)
            return true;
    return false;
}

static uint8_t max_level(const uint8_t *levels, uint32_t k)
{
    uint8_t m = 0;
    for (uint32_t i = 0; i < k; i++)
        m = levels[i] > m ? levels[i] : m;
    return m;
}

/* Decodes the next window of levels. Returns 0, 1 at the end of the chunk, or an error. */
static int fill_levels(pq_chunk *c)
{
    while (c->page_left == 0) {
        int rc = next_data_page(c);
        if (rc != 0)
            return rc;
    }
    uint32_t k = c->page_left < TN_PQ_LEVEL_CHUNK ? (uint32_t)c->page_left : TN_PQ_LEVEL_CHUNK;
    const pq_leaf *leaf = c->leaf;
    if (leaf->max_rep > 0) {
        int rc = tn_parquet_rle_get_u8(&c->rep_dec, c->reps, k, c->err);
        if (rc != 0)
            return chunk_error(c, TN_ECORRUPT, "repetition levels: %s", c->err->message);
        if (level_above(c->reps, k, leaf->max_rep))
            return chunk_error(c, TN_ECORRUPT, "repetition level %u exceeds the maximum %d",
                               max_level(c->reps, k), leaf->max_rep);
    }
    c->defs_all_present = false;
    /* Flat leaves only: the nested readers copy defs[] out. */
    if (leaf->max_def > 0 && leaf->max_rep == 0 && !c->file->outs[leaf->out].nested &&
        tn_parquet_rle_skip_repeat(&c->def_dec, (uint32_t)leaf->max_def, k)) {
        c->defs_all_present = true;
    } else if (leaf->max_def > 0) {
        int rc = tn_parquet_rle_get_u8(&c->def_dec, c->defs, k, c->err);
        if (rc != 0)
            return chunk_error(c, TN_ECORRUPT, "definition levels: %s", c->err->message);
        if (level_above(c->defs, k, leaf->max_def))
            return chunk_error(c, TN_ECORRUPT, "definition level %u exceeds the maximum %d",
                               max_level(c->defs, k), leaf->max_def);
    }
    c->page_left -= (int32_t)k;
    c->lv_pos = 0;
    c->lv_len = k;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Conversions
 * ---------------------------------------------------------------------------------------- */

static float half_to_float(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    float v;
    if (exp == 0)
        v = ldexpf((float)mant, -24);
    else if (exp == 31)
        v = mant ? NAN : INFINITY;
    else
        v = ldexpf((float)(mant + 1024), exp - 25);
    return sign ? -v : v;
}

/* Big-endian two's complement -> i128. false when it does not fit 128 bits. */
static bool be_to_i128(const uint8_t *p, size_t n, tn_i128 *out)
{
    if (n == 0) {
        *out = 0;
        return true;
    }
    size_t skip = 0;
    if (n > 16) {
        uint8_t fill = (p[n - 16] & 0x80) ? 0xff : 0x00;
        for (size_t i = 0; i < n - 16; i++) {
            if (p[i] != fill)
                return false;
        }
        skip = n - 16;
    }
    unsigned __int128 v = (p[skip] & 0x80) ? ~(unsigned __int128)0 : 0;
    for (size_t i = skip; i < n; i++)
        v = (v << 8) | p[i];
    *out = (tn_i128)v;
    return true;
}

static double be_to_double(const uint8_t *p, size_t n, int scale)
{
    if (n == 0)
        return 0.0;
    bool neg = (p[0] & 0x80) != 0;
    double v = 0;
    /* Magnitude of a negative number: invert and add one, carried from the low byte. */
    if (neg) {
        int carry = 1;
        double place = 1;
        for (size_t i = n; i-- > 0;) {
            int b = (uint8_t)~p[i] + carry;
            carry = b >> 8;
            v += (double)(b & 0xff) * place;
            place *= 256.0;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            v = v * 256.0 + p[i];
    }
    v /= pow(10.0, scale);
    return neg ? -v : v;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static size_t format_time(int64_t v, int64_t per_second, char *out)
{
    /* Time of day; values outside a day are shown as they are, hours past 24. */
    bool neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t secs = u / (uint64_t)per_second, frac = u % (uint64_t)per_second;
    int n = snprintf(out, TN_FORMAT_MAX, "%s%02llu:%02llu:%02llu", neg ? "-" : "",
                     (unsigned long long)(secs / 3600), (unsigned long long)(secs / 60 % 60),
                     (unsigned long long)(secs % 60));
    if (frac) {
        int digits = per_second == 1000 ? 3 : per_second == 1000000 ? 6 : 9;
        char f[24];
        snprintf(f, sizeof(f), "%0*llu", digits, (unsigned long long)frac);
        int len = digits;
        while (len > 0 && f[len - 1] == '0')
            len--;
        n += snprintf(out + n, (size_t)(TN_FORMAT_MAX - n), ".%.*s", len, f);
    }
    return (size_t)n;
}

static size_t format_uuid(const uint8_t *p, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[n++] = '-';
        out[n++] = hex[p[i] >> 4];
        out[n++] = hex[p[i] & 15];
    }
    out[n] = '\0';
    return n;
}

/* Makes room for `extra` more bytes of variable-length data in v (the vector grows its data
 * with tn_realloc, doubling, capped at the int32 offset limit, and so does this). `expect`
 * more bytes are likely to follow in this vector: a first reservation takes them too, so a
 * batch's strings are not moved by growing in steps. */
static int reserve_data(tn_vector *v, size_t used, size_t extra, size_t expect, tn_error *err)
{
    if (extra > (size_t)INT32_MAX - used)
        return tn_error_set(err, TN_ELIMIT, "the strings of one batch pass 2 GiB");
    size_t need = used + extra;
    if (need <= v->data_cap)
        return 0;
    size_t cap = v->data_cap ? v->data_cap : 256;
    if (!v->data_cap && expect < (size_t)INT32_MAX - need)
        cap = (need + expect + 4095) & ~(size_t)4095;
    while (cap < need)
        cap *= 2;
    if (cap > (size_t)INT32_MAX)
        cap = (size_t)INT32_MAX;
    char *data = tn_realloc(v->data, cap);
    if (!data)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    v->data = data;
    v->data_cap = cap;
    return 0;
}

/* Most bytes reserved ahead of need for the rows still to come: past it, doubling is cheap
 * enough and a few huge first strings cannot reserve gigabytes. */
#define EXPECT_MAX_BYTES ((size_t)4 << 20)

/* Bytes the rows of v after [row, row+k) will likely take, from the k rows' total. */
static size_t expected_bytes(const tn_vector *v, uint32_t row, uint32_t k, size_t total)
{
    uint32_t rest = v->capacity > row + k ? v->capacity - (row + k) : 0;
    double expect = k ? (double)total / k * rest : 0;
    return expect < (double)EXPECT_MAX_BYTES ? (size_t)expect : EXPECT_MAX_BYTES;
}

/* Copies a string of up to 64 bytes with fixed 16-byte moves (no call, no byte loop): both
 * sides have TN_PARQUET_SLACK (16) readable/writable bytes past the string (the reader
 * allocates its buffers so), and a move starts only below len. */
static inline void copy_string(char *dst, const char *src, size_t len)
{
    char part[16];
    /* Most strings are short: one test for lengths 1 to 16 (0 wraps around to skip it). */
    if (len - 1 < 16) {
        memcpy(part, src, 16);
        memcpy(dst, part, 16);
        return;
    }
    if (len == 0)
        return;
    if (len <= 64) {
        memcpy(part, src, 16);
        memcpy(dst, part, 16);
        for (size_t i = 16; i < len; i += 16) {
            memcpy(part, src + i, 16);
            memcpy(dst + i, part, 16);
        }
    } else {
        memcpy(dst, src, len);
    }
}

/* Checks the text appended to v for rows [row, row+k) as UTF-8 in one pass over the bytes:
 * valid pieces concatenate to valid text, and starts_ok says no piece began with a
 * continuation byte, so no character can straddle two pieces. */
static int check_utf8(tn_vector *v, uint32_t row, uint32_t k, bool starts_ok, tn_error *err)
{
    size_t start = (size_t)v->offsets[row], end = (size_t)v->offsets[row + k];
    if (starts_ok && tn_utf8_valid(v->data + start, end - start))
        return 0;
    for (uint32_t i = 0; i < k; i++) {
        size_t a = (size_t)v->offsets[row + i], b = (size_t)v->offsets[row + i + 1];
        if (!tn_utf8_valid(v->data + a, b - a))
            return tn_error_set(err, TN_ECORRUPT,
                                "string value is not valid UTF-8 (byte %zu of %zu)",
                                tn_utf8_invalid_offset(v->data + a, b - a), b - a);
    }
    return tn_error_set(err, TN_ECORRUPT, "string value is not valid UTF-8");
}

/* VARCHAR/BLOB rows in bulk: one reservation, then offsets and bytes written directly.
 * slack: the strings have TN_PARQUET_SLACK readable bytes after them. */
static int write_strings(const pq_leaf *leaf, tn_vector *v, uint32_t row, uint32_t k,
                         const uint8_t *defs, const tn_str *strs, bool dict_checked, bool slack,
                         tn_error *err)
{
    const int max = leaf->max_def;
    uint32_t present = 0;
    size_t total = 0;
    for (uint32_t i = 0; i < k; i++) {
        if (!defs || defs[i] == max)
            total += strs[present++].len;
    }
    size_t start = (size_t)v->offsets[row];
    int rc = reserve_data(v, start, total + TN_PARQUET_SLACK,
                          expected_bytes(v, row, k, total), err);
    if (rc != 0)
        return rc;
    char *data = v->data;
    int32_t *offsets = v->offsets;
    size_t pos = start;
    uint32_t j = 0;
    bool check = leaf->conv == PQ_CONV_STRING && !dict_checked;
    bool starts_ok = true;
    for (uint32_t i = 0; i < k; i++) {
        if (!defs || defs[i] == max) {
            const tn_str s = strs[j++];
            if (slack)
                copy_string(data + pos, s.ptr, s.len);
            else if (s.len)
                memcpy(data + pos, s.ptr, s.len);
            if (check && s.len)
                starts_ok &= ((uint8_t)s.ptr[0] & 0xC0) != 0x80;
            pos += s.len;
        } else {
            tn_vector_set_null(v, row + i);
        }
        offsets[row + i + 1] = (int32_t)pos;
    }
    v->data_len = pos;
    return check ? check_utf8(v, row, k, starts_ok, err) : 0;
}

/* Unsigned INT64 values into a 64-bit DECIMAL (a schema that asks for fewer than 20
 * digits): a value past INT64_MAX does not fit. */
static int write_u64_dec64(tn_vector *v, uint32_t row, uint32_t k, const uint8_t *defs, int max,
                           const uint8_t *fixed, tn_error *err)
{
    int64_t *o = tn_vector_i64(v) + row;
    uint32_t j = 0;
    for (uint32_t i = 0; i < k; i++) {
        if (!defs || defs[i] == max) {
            uint64_t x;
            memcpy(&x, fixed + (size_t)j++ * 8, 8);
            if (x > (uint64_t)INT64_MAX)
                return tn_error_set(err, TN_EOVERFLOW,
                                    "unsigned value %llu does not fit DECIMAL(%u,0)",
                                    (unsigned long long)x, v->type.precision);
            o[i] = (int64_t)x;
        } else {
            o[i] = 0;
            tn_vector_set_null(v, row + i);
        }
    }
    return 0;
}

/* Writes k rows [row, row+k) of v from densely packed physical values (`fixed` for
 * fixed-width types, `strs` for byte arrays), placing them where defs[i] == max_def and NULL
 * elsewhere (defs NULL: all present). dict_checked: byte arrays come from a dictionary whose
 * entries were all checked as UTF-8; slack: byte arrays have TN_PARQUET_SLACK readable bytes
 * after them. Returns 0 or a TN_E* code with err set. */
static int write_values(const pq_leaf *leaf, tn_vector *v, uint32_t row, uint32_t k,
                        const uint8_t *defs, const uint8_t *fixed, const tn_str *strs,
                        bool dict_checked, bool slack, tn_error *err)
{
    const int max = leaf->max_def;
    uint32_t j = 0;
#define PRESENT(i) (!defs || defs[i] == max)
#define FIXED_LOOP(OUT_T, IN_T, EXPR)                                                          \
    do {                                                                                       \
        OUT_T *o = (OUT_T *)v->values + row;                                                   \
        const IN_T *in = (const IN_T *)(const void *)fixed;                                    \
        for (uint32_t i = 0; i < k; i++) {                                                     \
            if (PRESENT(i)) {                                                                  \
                IN_T x;                                                                        \
                memcpy(&x, &in[j++], sizeof(x));                                               \
                o[i] = (EXPR);                                                                 \
            } else {                                                                           \
                o[i] = 0;                                                                      \
                tn_vector_set_null(v, row + i);                                                \
            }                                                                                  \
        }                                                                                      \
    } while (0)

    switch (leaf->conv) {
    case PQ_CONV_BOOL:
        for (uint32_t i = 0; i < k; i++) {
            if (PRESENT(i)) {
                tn_vector_set_bool(v, row + i, fixed[j++] != 0);
            } else {
                tn_vector_set_bool(v, row + i, false);
                tn_vector_set_null(v, row + i);
            }
        }
        return 0;
    case PQ_CONV_I32:
        FIXED_LOOP(int32_t, int32_t, x);
        return 0;
    case PQ_CONV_U32:
        FIXED_LOOP(int64_t, uint32_t, (int64_t)x);
        return 0;
    case PQ_CONV_I64:
        FIXED_LOOP(int64_t, int64_t, x);
        return 0;
    case PQ_CONV_U64_DEC:
        if (tn_decimal_is_64(v->type))
            return write_u64_dec64(v, row, k, defs, max, fixed, err);
        FIXED_LOOP(tn_i128, uint64_t, (tn_i128)x);
        return 0;
    case PQ_CONV_F32:
        FIXED_LOOP(float, float, x);
        return 0;
    case PQ_CONV_F64:
        FIXED_LOOP(double, double, x);
        return 0;
    case PQ_CONV_I32_DEC:
        if (tn_decimal_is_64(v->type))
            FIXED_LOOP(int64_t, int32_t, (int64_t)x);
        else
            FIXED_LOOP(tn_i128, int32_t, (tn_i128)x);
        return 0;
    case PQ_CONV_I64_DEC:
        if (tn_decimal_is_64(v->type))
            FIXED_LOOP(int64_t, int64_t, x);
        else
            FIXED_LOOP(tn_i128, int64_t, (tn_i128)x);
        return 0;
    case PQ_CONV_TS_NANOS:
        FIXED_LOOP(int64_t, int64_t, floor_div(x, 1000));
        return 0;
    case PQ_CONV_TS_MILLIS: {
        int64_t *o = (int64_t *)v->values + row;
        for (uint32_t i = 0; i < k; i++) {
            if (PRESENT(i)) {
                int64_t x;
                memcpy(&x, fixed + (size_t)j++ * 8, 8);
                if (__builtin_mul_overflow(x, (int64_t)1000, &o[i]))
                    return tn_error_set(err, TN_EOVERFLOW,
                                        "timestamp of %lld milliseconds is out of range",
                                        (long long)x);
            } else {
                o[i] = 0;
                tn_vector_set_null(v, row + i);
            }
        }
        return 0;
    }
    case PQ_CONV_INT96: {
        int64_t *o = (int64_t *)v->values + row;
        for (uint32_t i = 0; i < k; i++) {
            if (PRESENT(i)) {
                const uint8_t *p = fixed + (size_t)j++ * 12;
                int64_t nanos;
                int32_t day;
                memcpy(&nanos, p, 8);
                memcpy(&day, p + 8, 4);
                /* Julian day 2440588 is 1970-01-01. The sum wraps like the 64-bit
                 * arithmetic of the writers that produced out-of-range dates (Spark
                 * stores such days and nanos pre-wrapped, and wrapping restores them). */
                uint64_t us = (uint64_t)((int64_t)day - 2440588) * 86400000000ULL +
                              (uint64_t)floor_div(nanos, 1000);
                o[i] = (int64_t)us;
            } else {
                o[i] = 0;
                tn_vector_set_null(v, row + i);
            }
        }
        return 0;
    }
    case PQ_CONV_F16: {
        float *o = (float *)v->values + row;
        for (uint32_t i = 0; i < k; i++) {
            if (PRESENT(i)) {
                const tn_str s = strs[j++];
                uint16_t h = (uint16_t)((uint8_t)s.ptr[0] | ((uint16_t)(uint8_t)s.ptr[1] << 8));
                o[i] = half_to_float(h);
            } else {
                o[i] = 0;
                tn_vector_set_null(v, row + i);
            }
        }
        return 0;
    }
    case PQ_CONV_BIN_DEC: {
        const bool narrow = tn_decimal_is_64(v->type);
        for (uint32_t i = 0; i < k; i++) {
            tn_i128 x = 0;
            if (PRESENT(i)) {
                const tn_str s = strs[j++];
                if (!be_to_i128((const uint8_t *)s.ptr, s.len, &x))
                    return tn_error_set(err, TN_EOVERFLOW,
                                        "decimal value of %zu bytes does not fit 128 bits",
                                        s.len);
                if (narrow && (tn_i128)(int64_t)x != x)
                    return tn_error_set(err, TN_EOVERFLOW,
                                        "decimal value does not fit its precision of %u digits",
                                        v->type.precision);
            } else {
                tn_vector_set_null(v, row + i);
            }
            tn_vector_set_decimal(v, row + i, x);
        }
        return 0;
    }
    case PQ_CONV_BIN_DOUBLE: {
        double *o = (double *)v->values + row;
        for (uint32_t i = 0; i < k; i++) {
            if (PRESENT(i)) {
                const tn_str s = strs[j++];
                o[i] = be_to_double((const uint8_t *)s.ptr, s.len, leaf->scale);
            } else {
                o[i] = 0;
                tn_vector_set_null(v, row + i);
            }
        }
        return 0;
    }
    case PQ_CONV_STRING:
    case PQ_CONV_BLOB:
        return write_strings(leaf, v, row, k, defs, strs, dict_checked, slack, err);
    case PQ_CONV_UUID:
    case PQ_CONV_TIME_MILLIS:
    case PQ_CONV_TIME_MICROS:
    case PQ_CONV_TIME_NANOS:
        for (uint32_t i = 0; i < k; i++) {
            if (!PRESENT(i)) {
                tn_vector_append_null(v, row + i);
                continue;
            }
            char text[TN_FORMAT_MAX];
            size_t n;
            if (leaf->conv == PQ_CONV_UUID) {
                n = format_uuid((const uint8_t *)strs[j++].ptr, text);
            } else if (leaf->conv == PQ_CONV_TIME_MILLIS) {
                int32_t x;
                memcpy(&x, fixed + (size_t)j++ * 4, 4);
                n = format_time(x, 1000, text);
            } else {
                int64_t x;
                memcpy(&x, fixed + (size_t)j++ * 8, 8);
                n = format_time(x, leaf->conv == PQ_CONV_TIME_MICROS ? 1000000 : 1000000000,
                                text);
            }
            int rc = tn_vector_append_str(v, row + i, text, n);
            if (rc != 0)
                return tn_error_set(err, rc, "out of memory");
        }
        return 0;
    default:
        return tn_error_set(err, TN_EINTERNAL, "unknown conversion %d", leaf->conv);
    }
#undef FIXED_LOOP
#undef PRESENT
}

/* The conversions whose tarn values are the physical bytes themselves. */
static bool is_identity(const pq_leaf *leaf)
{
    switch (leaf->conv) {
    case PQ_CONV_I32:
    case PQ_CONV_I64:
    case PQ_CONV_F32:
    case PQ_CONV_F64:
        return true;
    case PQ_CONV_I64_DEC:
        return tn_decimal_is_64(leaf->type);
    default:
        return false;
    }
}

/* Decodes `nonnull` physical values of the current page into the scratch buffers (or, when
 * direct is set, straight into dst). */
static int decode_physical(pq_chunk *c, uint32_t nonnull, void *direct)
{
    int rc;
    switch (c->leaf->physical) {
    case TN_PARQUET_BOOLEAN:
        rc = tn_parquet_values_get_bool(&c->vals, c->scratch, nonnull, c->err);
        break;
    case TN_PARQUET_BYTE_ARRAY:
    case TN_PARQUET_FIXED_LEN_BYTE_ARRAY:
        rc = tn_parquet_values_get_bytes(&c->vals, c->strs, nonnull, c->err);
        break;
    default:
        rc = tn_parquet_values_get_fixed(&c->vals, direct ? direct : c->scratch, nonnull,
                                         c->err);
        break;
    }
    return rc == 0 ? 0 : chunk_wrap(c, rc);
}

/* Entries equal to max (the present values). Windows without nulls are the common case:
 * eight levels are compared at once. */
static uint32_t count_present(const uint8_t *defs, uint32_t k, int max)
{
    const uint64_t all = BYTES_01 * (uint64_t)max;
    uint32_t n = 0, i = 0;
    for (; i + 8 <= k; i += 8) {
        uint64_t x;
        memcpy(&x, defs + i, 8);
        if (x == all) {
            n += 8;
            continue;
        }
        for (uint32_t j = i; j < i + 8; j++)
            n += defs[j] == max;
    }
    for (; i < k; i++)
        n += defs[i] == max;
    return n;
}

/* Dictionary-encoded VARCHAR/BLOB: indices straight to bytes, without materialising each
 * value's (pointer, length) first. */
static int dict_strings(pq_chunk *c, tn_vector *v, uint32_t row, uint32_t k,
                        const uint8_t *defs, uint32_t nonnull)
{
    const pq_leaf *leaf = c->leaf;
    int rc = tn_parquet_values_get_indices(&c->vals, c->indices, nonnull, c->err);
    if (rc != 0)
        return chunk_wrap(c, rc);
    const tn_str *dict = c->dict.bytes;
    const uint32_t *idx = c->indices;
    size_t total = 0;
    for (uint32_t i = 0; i < nonnull; i++)
        total += dict[idx[i]].len;
    size_t start = (size_t)v->offsets[row];
    rc = reserve_data(v, start, total + TN_PARQUET_SLACK, expected_bytes(v, row, k, total),
                      c->err);
    if (rc != 0)
        return chunk_wrap(c, rc);
    char *data = v->data;
    int32_t *offsets = v->offsets;
    size_t pos = start;
    if (!defs) {
        for (uint32_t i = 0; i < k; i++) {
            const tn_str s = dict[idx[i]];
            copy_string(data + pos, s.ptr, s.len);
            pos += s.len;
            offsets[row + i + 1] = (int32_t)pos;
        }
    } else {
        const int max = leaf->max_def;
        uint32_t j = 0;
        for (uint32_t i = 0; i < k; i++) {
            if (defs[i] == max) {
                const tn_str s = dict[idx[j++]];
                copy_string(data + pos, s.ptr, s.len);
                pos += s.len;
            } else {
                tn_vector_set_null(v, row + i);
            }
            offsets[row + i + 1] = (int32_t)pos;
        }
    }
    v->data_len = pos;
    if (leaf->conv == PQ_CONV_STRING && !c->dict_utf8_ok) {
        rc = check_utf8(v, row, k, false, c->err);
        if (rc != 0)
            return chunk_wrap(c, rc);
    }
    return 0;
}

/* Converts k level entries starting at lv_pos into rows [row, row+k) of v. */
static int convert_window(pq_chunk *c, tn_vector *v, uint32_t row, uint32_t k)
{
    const pq_leaf *leaf = c->leaf;
    const uint8_t *defs = leaf->max_def > 0 && !c->defs_all_present ? c->defs + c->lv_pos
                                                                     : NULL;
    uint32_t nonnull = defs ? count_present(defs, k, leaf->max_def) : k;
    if (nonnull == k)
        defs = NULL;
    if (c->page_dict && c->dict.bytes && leaf->physical == TN_PARQUET_BYTE_ARRAY &&
        (leaf->conv == PQ_CONV_STRING || leaf->conv == PQ_CONV_BLOB))
        return dict_strings(c, v, row, k, defs, nonnull);
    if (nonnull == k && is_identity(leaf)) {
        size_t width = tn_type_width(leaf->type);
        return decode_physical(c, nonnull, (uint8_t *)v->values + (size_t)row * width);
    }
    if (nonnull > 0) {
        int rc = decode_physical(c, nonnull, NULL);
        if (rc != 0)
            return rc;
    }
    int rc = write_values(leaf, v, row, k, defs, c->scratch, c->strs,
                          c->page_dict && c->dict_utf8_ok, true, c->err);
    return rc == 0 ? 0 : chunk_wrap(c, rc);
}

static int ended_early(pq_chunk *c)
{
    return chunk_error(c, TN_ECORRUPT,
                       "the column chunk ends after %lld rows but the row group has %lld",
                       (long long)c->row, (long long)c->rg_rows);
}

/* Refills the level window once it is used up. The chunk ending first is an error: it holds
 * fewer rows than its row group. */
static int ensure_levels(pq_chunk *c)
{
    if (c->lv_pos < c->lv_len)
        return 0;
    int rc = fill_levels(c);
    return rc == 1 ? ended_early(c) : rc;
}

tn_dictionary *pq_chunk_dictionary(pq_chunk *c)
{
    const pq_leaf *leaf = c->leaf;
    if (c->shared_dict)
        return c->shared_dict;
    if (!c->has_dict || !c->dict.bytes || leaf->physical != TN_PARQUET_BYTE_ARRAY ||
        leaf->max_rep > 0 || c->file->outs[leaf->out].nested ||
        (leaf->conv != PQ_CONV_STRING && leaf->conv != PQ_CONV_BLOB) ||
        (leaf->conv == PQ_CONV_STRING && !c->dict_utf8_ok))
        return NULL;
    c->shared_dict = tn_dictionary_new(leaf->type, c->dict.bytes, c->dict.count);
    return c->shared_dict;
}

/* One window of a dictionary-encoded page as indices into rows [row, row+k) of v. */
static int dict_indices(pq_chunk *c, tn_vector *v, uint32_t row, uint32_t k)
{
    const pq_leaf *leaf = c->leaf;
    const uint8_t *defs = leaf->max_def > 0 && !c->defs_all_present ? c->defs + c->lv_pos
                                                                     : NULL;
    uint32_t nonnull = defs ? count_present(defs, k, leaf->max_def) : k;
    uint32_t *out = tn_vector_indices(v) + row;
    if (nonnull == k) {
        int rc = tn_parquet_values_get_indices(&c->vals, out, k, c->err);
        return rc == 0 ? 0 : chunk_wrap(c, rc);
    }
    int rc = tn_parquet_values_get_indices(&c->vals, c->indices, nonnull, c->err);
    if (rc != 0)
        return chunk_wrap(c, rc);
    const int max = leaf->max_def;
    const uint32_t null_idx = c->shared_dict->count;
    uint32_t j = 0;
    for (uint32_t i = 0; i < k; i++) {
        if (defs[i] == max) {
            out[i] = c->indices[j++];
        } else {
            out[i] = null_idx;
            tn_vector_set_null(v, row + i);
        }
    }
    return 0;
}

int pq_chunk_read_dict(pq_chunk *c, tn_vector *v, uint32_t row, uint32_t n)
{
    while (n > 0) {
        int rc = ensure_levels(c);
        if (rc != 0)
            return rc;
        if (!c->page_dict) {
            /* the writer fell back to PLAIN: the batch continues in the plain layout */
            rc = tn_vector_flatten(v, row);
            if (rc != 0)
                return chunk_error(c, rc, "out of memory expanding dictionary values");
            return pq_chunk_read_flat(c, v, row, n);
        }
        uint32_t k = c->lv_len - c->lv_pos;
        if (k > n)
            k = n;
        rc = dict_indices(c, v, row, k);
        if (rc != 0)
            return rc;
        c->lv_pos += k;
        c->row += k;
        row += k;
        n -= k;
    }
    return 0;
}

int pq_chunk_read_flat(pq_chunk *c, tn_vector *v, uint32_t row, uint32_t n)
{
    while (n > 0) {
        int rc = ensure_levels(c);
        if (rc != 0)
            return rc;
        uint32_t k = c->lv_len - c->lv_pos;
        if (k > n)
            k = n;
        rc = convert_window(c, v, row, k);
        if (rc != 0)
            return rc;
        c->lv_pos += k;
        c->row += k;
        row += k;
        n -= k;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Selective reads (late materialisation): rows that the scan's predicates already ruled out
 * are passed over. Whole pages without a wanted row are not decompressed; inside a page,
 * skipped values are stepped over (PLAIN offsets, RLE runs, unread bit-packed groups) and
 * only the wanted values are gathered and converted.
 * ---------------------------------------------------------------------------------------- */

/* Passes over n present values of the current page. */
static int skip_physical(pq_chunk *c, uint32_t n)
{
    if (n == 0)
        return 0;
    if (!tn_parquet_values_can_skip(&c->vals))
        return decode_physical(c, n, NULL); /* DELTA_*: values depend on the ones before */
    int rc = tn_parquet_values_skip(&c->vals, n, c->err);
    return rc == 0 ? 0 : chunk_wrap(c, rc);
}

/* Decodes the next `nonnull` present values of the page but keeps only those at positions
 * vsel[0..m) (ascending), packed at the start of the scratch buffers. */
static int decode_physical_sel(pq_chunk *c, uint32_t nonnull, const uint32_t *vsel, uint32_t m)
{
    const pq_leaf *leaf = c->leaf;
    bool bytes = leaf->physical == TN_PARQUET_BYTE_ARRAY ||
                 leaf->physical == TN_PARQUET_FIXED_LEN_BYTE_ARRAY;
    bool fixed = !bytes && leaf->physical != TN_PARQUET_BOOLEAN;
    int rc;
    if (m == 0)
        return skip_physical(c, nonnull);
    if (c->page_dict && ((fixed && c->dict.fixed && c->dict.width == c->vals.width) ||
                         (bytes && c->dict.bytes))) {
        /* Indices are cheap to unpack; only the wanted entries are looked up. */
        rc = tn_parquet_values_get_indices(&c->vals, c->indices, nonnull, c->err);
        if (rc != 0)
            return chunk_wrap(c, rc);
        const uint32_t *idx = c->indices;
        if (bytes) {
            for (uint32_t j = 0; j < m; j++)
                c->strs[j] = c->dict.bytes[idx[vsel[j]]];
            return 0;
        }
        const uint8_t *dict = c->dict.fixed;
        const size_t w = c->dict.width;
        if (w == 4) {
            for (uint32_t j = 0; j < m; j++)
                memcpy(c->scratch + (size_t)j * 4, dict + (size_t)idx[vsel[j]] * 4, 4);
        } else if (w == 8) {
            for (uint32_t j = 0; j < m; j++)
                memcpy(c->scratch + (size_t)j * 8, dict + (size_t)idx[vsel[j]] * 8, 8);
        } else {
            for (uint32_t j = 0; j < m; j++)
                memcpy(c->scratch + (size_t)j * w, dict + (size_t)idx[vsel[j]] * w, w);
        }
        return 0;
    }
    if (fixed && c->vals.encoding == TN_PARQUET_ENC_PLAIN) {
        rc = tn_parquet_values_gather_plain(&c->vals, c->scratch, nonnull, vsel, m, c->err);
        return rc == 0 ? 0 : chunk_wrap(c, rc);
    }
    /* Everything else is decoded whole, then packed down to the wanted values (in place:
     * vsel[j] >= j). */
    rc = decode_physical(c, nonnull, NULL);
    if (rc != 0)
        return rc;
    if (bytes) {
        for (uint32_t j = 0; j < m; j++)
            c->strs[j] = c->strs[vsel[j]];
    } else {
        size_t w = leaf->physical == TN_PARQUET_BOOLEAN ? 1 : c->vals.width;
        for (uint32_t j = 0; j < m; j++)
            memmove(c->scratch + (size_t)j * w, c->scratch + (size_t)vsel[j] * w, w);
    }
    return 0;
}

/* Converts the rows sel[0..m) (window-relative, ascending) of the next k level entries into
 * rows [row, row+m) of v, passing over the others. */
static int convert_window_sel(pq_chunk *c, tn_vector *v, uint32_t row, uint32_t k,
                              const uint32_t *sel, uint32_t m)
{
    const pq_leaf *leaf = c->leaf;
    const uint8_t *defs = leaf->max_def > 0 && !c->defs_all_present ? c->defs + c->lv_pos
                                                                     : NULL;
    uint32_t nonnull = defs ? count_present(defs, k, leaf->max_def) : k;
    if (nonnull == k)
        defs = NULL;
    if (m == 0)
        return skip_physical(c, nonnull);
    if (m == k)
        return convert_window(c, v, row, k);
    uint32_t vsel[TN_PQ_LEVEL_CHUNK];
    uint8_t sdefs[TN_PQ_LEVEL_CHUNK];
    uint32_t vm = 0;
    if (!defs) {
        memcpy(vsel, sel, (size_t)m * sizeof(uint32_t));
        vm = m;
    } else {
        /* Present values are numbered in level order: a wanted row's value is the count of
         * present entries before it. */
        const int max = leaf->max_def;
        uint32_t present = 0, p = 0;
        for (uint32_t i = 0; i < k && p < m; i++) {
            if (sel[p] == i) {
                sdefs[p++] = defs[i];
                if (defs[i] == max)
                    vsel[vm++] = present;
            }
            present += defs[i] == max;
        }
    }
    int rc = decode_physical_sel(c, nonnull, vsel, vm);
    if (rc != 0)
        return rc;
    rc = write_values(leaf, v, row, m, defs ? sdefs : NULL, c->scratch, c->strs,
                      c->page_dict && c->dict_utf8_ok, true, c->err);
    return rc == 0 ? 0 : chunk_wrap(c, rc);
}

/* At a page boundary: when the next page is a data page whose rows all come before `gap`
 * more rows, passes over it without decompressing it and sets *skipped to its rows (0 when
 * it was not skipped; the normal path then reads it and reports what is wrong with it). */
static int skip_unwanted_page(pq_chunk *c, int64_t gap, uint32_t *skipped)
{
    *skipped = 0;
    size_t save = c->pos;
    tn_parquet_page_header h;
    const uint8_t *body;
    int rc = next_page_header(c, &h, &body);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    int32_t rows = -1;
    if (h.type == TN_PARQUET_PAGE_DATA && h.has_data_page_header)
        rows = h.data_page_header.num_values;
    else if (h.type == TN_PARQUET_PAGE_DATA_V2 && h.has_data_page_header_v2)
        rows = h.data_page_header_v2.num_values;
    /* Flat leaves: one level entry per row. */
    if (rows <= 0 || (uint32_t)rows > TN_PARQUET_MAX_PAGE_VALUES || rows > gap) {
        c->pos = save;
        return 0;
    }
    if (c->oi)
        c->oi_next++;
    c->values_seen += rows;
    c->row += rows;
    *skipped = (uint32_t)rows;
    return 0;
}

int pq_chunk_read_flat_sel(pq_chunk *c, tn_vector *v, uint32_t row, uint32_t n,
                           const uint32_t *sel, uint32_t m, uint32_t sel_base)
{
    if (m == n)
        return pq_chunk_read_flat(c, v, row, n);
    uint32_t done = 0, si = 0;
    uint32_t rel[TN_PQ_LEVEL_CHUNK];
    while (done < n) {
        if (c->lv_pos == c->lv_len) {
            if (c->page_left == 0) {
                uint32_t next = si < m ? sel[si] - sel_base : n;
                uint32_t skipped;
                int rc = skip_unwanted_page(c, (int64_t)next - done, &skipped);
                if (rc != 0)
                    return rc;
                if (skipped) {
                    done += skipped;
                    continue;
                }
            }
            int rc = ensure_levels(c);
            if (rc != 0)
                return rc;
        }
        uint32_t k = c->lv_len - c->lv_pos;
        if (k > n - done)
            k = n - done;
        uint32_t wm = 0;
        while (si + wm < m && sel[si + wm] - sel_base < done + k) {
            rel[wm] = sel[si + wm] - sel_base - done;
            wm++;
        }
        int rc = convert_window_sel(c, v, row, k, rel, wm);
        if (rc != 0)
            return rc;
        c->lv_pos += k;
        c->row += k;
        done += k;
        row += wm;
        si += wm;
    }
    return 0;
}

/* Jumps over whole pages that end before `target` (flat leaves with an offset index). */
static void skip_pages(pq_chunk *c, int64_t target)
{
    const tn_parquet_offset_index *oi = c->oi;
    if (!oi || c->lv_pos != c->lv_len || c->page_left != 0)
        return;
    uint32_t p = c->oi_next;
    while (p + 1 < oi->page_count && oi->page_locations[p + 1].first_row_index <= target)
        p++;
    if (p >= oi->page_count || p <= c->oi_next)
        return;
    if (oi->page_locations[p].first_row_index < c->row)
        return;
    c->pages_skipped += p - c->oi_next;
    c->pos = (size_t)(oi->page_locations[p].offset - (int64_t)c->buf_offset);
    c->row = oi->page_locations[p].first_row_index;
    c->oi_next = p;
}

int pq_chunk_skip_flat(pq_chunk *c, int64_t n)
{
    int64_t target = c->row + n;
    while (c->row < target) {
        skip_pages(c, target);
        if (c->row >= target)
            break;
        int rc = ensure_levels(c);
        if (rc != 0)
            return rc;
        uint32_t k = c->lv_len - c->lv_pos;
        if ((int64_t)k > target - c->row)
            k = (uint32_t)(target - c->row);
        const pq_leaf *leaf = c->leaf;
        uint32_t nonnull = leaf->max_def > 0 && !c->defs_all_present
                               ? count_present(c->defs + c->lv_pos, k, leaf->max_def)
                               : k;
        if (nonnull > 0 && (rc = decode_physical(c, nonnull, NULL)) != 0)
            return rc;
        c->lv_pos += k;
        c->row += k;
    }
    if (c->row > target)
        return chunk_error(c, TN_ECORRUPT, "offset index points past the rows asked for");
    return 0;
}

int pq_chunk_check_end(pq_chunk *c)
{
    if (c->lv_pos != c->lv_len || c->page_left != 0)
        return chunk_error(c, TN_ECORRUPT,
                           "the column chunk holds more values than the row group's %lld rows",
                           (long long)c->rg_rows);
    for (;;) {
        tn_parquet_page_header h;
        const uint8_t *body;
        int rc = next_page_header(c, &h, &body);
        if (rc == 1)
            return 0;
        if (rc != 0)
            return rc;
        int32_t nv = 0;
        if (h.type == TN_PARQUET_PAGE_DATA && h.has_data_page_header)
            nv = h.data_page_header.num_values;
        else if (h.type == TN_PARQUET_PAGE_DATA_V2 && h.has_data_page_header_v2)
            nv = h.data_page_header_v2.num_values;
        if (nv > 0)
            return chunk_error(c, TN_ECORRUPT,
                               "the column chunk holds more values than the row group's %lld "
                               "rows", (long long)c->rg_rows);
    }
}

/* ------------------------------------------------------------------------------------------
 * Nested leaves
 * ---------------------------------------------------------------------------------------- */

void pq_leaf_rows_clear(pq_leaf_rows *r)
{
    r->count = 0;
    r->values = 0;
    tn_buf_clear(&r->text);
}

void pq_leaf_rows_free(pq_leaf_rows *r)
{
    tn_free(r->defs);
    tn_free(r->reps);
    tn_free(r->ends);
    tn_buf_free(&r->text);
    memset(r, 0, sizeof(*r));
}

static int rows_reserve(pq_leaf_rows *r, size_t entries, size_t values)
{
    if (r->count + entries > r->cap) {
        size_t cap = r->cap ? r->cap : 1024;
        while (cap < r->count + entries)
            cap *= 2;
        uint8_t *d = tn_realloc(r->defs, cap);
        if (!d)
            return TN_ENOMEM;
        r->defs = d;
        uint8_t *p = tn_realloc(r->reps, cap);
        if (!p)
            return TN_ENOMEM;
        r->reps = p;
        r->cap = cap;
    }
    if (r->values + values > r->values_cap) {
        size_t cap = r->values_cap ? r->values_cap : 1024;
        while (cap < r->values + values)
            cap *= 2;
        uint32_t *e = tn_realloc(r->ends, cap * sizeof(uint32_t));
        if (!e)
            return TN_ENOMEM;
        r->ends = e;
        r->values_cap = cap;
    }
    return 0;
}

static int hex_escape_blob(tn_buf *out, tn_str s)
{
    /* Printable ASCII as is, every other byte as \xHH, then quoted as a JSON string. */
    tn_buf tmp = TN_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < s.len && rc == 0; i++) {
        uint8_t b = (uint8_t)s.ptr[i];
        if (b >= 0x20 && b < 0x7f && b != '\\')
            rc = tn_buf_putc(&tmp, (char)b);
        else
            rc = tn_buf_printf(&tmp, "\\x%02X", b);
    }
    if (rc == 0)
        rc = tn_buf_append_json_string(out, tmp.data ? tmp.data : "", tmp.len);
    tn_buf_free(&tmp);
    return rc;
}

int pq_json_value(const tn_vector *v, uint32_t row, tn_buf *out)
{
    if (!tn_vector_is_valid(v, row))
        return tn_buf_append_cstr(out, "null");
    switch (v->type.id) {
    case TN_TYPE_BOOLEAN:
        return tn_buf_append_cstr(out, tn_vector_get_bool(v, row) ? "true" : "false");
    case TN_TYPE_VARCHAR: {
        tn_str s = tn_vector_get_str(v, row);
        return tn_buf_append_json_string(out, s.ptr ? s.ptr : "", s.len);
    }
    case TN_TYPE_BLOB:
        return hex_escape_blob(out, tn_vector_get_str(v, row));
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE: {
        double d = v->type.id == TN_TYPE_REAL ? (double)tn_vector_f32(v)[row]
                                                : tn_vector_f64(v)[row];
        if (!isfinite(d))
            return tn_buf_append_cstr(out, isnan(d) ? "\"NaN\""
                                                   : d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        char text[TN_FORMAT_MAX];
        size_t n = v->type.id == TN_TYPE_REAL ? tn_format_float(tn_vector_f32(v)[row], text)
                                              : tn_format_double(d, text);
        return tn_buf_append(out, text, n);
    }
    case TN_TYPE_DATE:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: {
        tn_buf tmp = TN_BUF_INIT;
        int rc = tn_vector_format_value(v, row, &tmp);
        if (rc == 0)
            rc = tn_buf_append_json_string(out, tmp.data ? tmp.data : "", tmp.len);
        tn_buf_free(&tmp);
        return rc;
    }
    default:
        return tn_vector_format_value(v, row, out);
    }
}

/* Appends the present values of window entries [from, from+k) to out as JSON text. */
static int nested_values(pq_chunk *c, uint32_t from, uint32_t k, pq_leaf_rows *out)
{
    const pq_leaf *leaf = c->leaf;
    uint32_t nonnull = leaf->max_def > 0 ? count_present(c->defs + from, k, leaf->max_def) : k;
    if (nonnull == 0)
        return 0;
    if (!c->tmp_live) {
        if (tn_vector_init(&c->tmp, leaf->type, TN_PQ_LEVEL_CHUNK) != 0)
            return chunk_error(c, TN_ENOMEM, "out of memory");
        c->tmp_live = true;
    } else {
        tn_vector_reset(&c->tmp);
    }
    int rc = decode_physical(c, nonnull, NULL);
    if (rc != 0)
        return rc;
    rc = write_values(leaf, &c->tmp, 0, nonnull, NULL, c->scratch, c->strs,
                      c->page_dict && c->dict_utf8_ok, true, c->err);
    if (rc != 0)
        return chunk_wrap(c, rc);
    if (rows_reserve(out, 0, nonnull) != 0)
        return chunk_error(c, TN_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < nonnull; i++) {
        if (pq_json_value(&c->tmp, i, &out->text) != 0)
            return chunk_error(c, TN_ENOMEM, "out of memory");
        if (out->text.len > UINT32_MAX)
            return chunk_error(c, TN_ELIMIT, "nested values of one batch pass 4 GiB");
        out->ends[out->values++] = (uint32_t)out->text.len;
    }
    return 0;
}

int pq_chunk_read_nested(pq_chunk *c, uint32_t n, pq_leaf_rows *out)
{
    const pq_leaf *leaf = c->leaf;
    uint32_t started = 0;
    for (;;) {
        if (c->lv_pos == c->lv_len) {
            int rc = fill_levels(c);
            if (rc == 1)
                break;
            if (rc != 0)
                return rc;
        }
        uint32_t from = c->lv_pos, i = from;
        bool full = false;
        for (; i < c->lv_len; i++) {
            uint8_t r = leaf->max_rep > 0 ? c->reps[i] : 0;
            if (r == 0) {
                if (started == n) {
                    full = true;
                    break;
                }
                started++;
                c->row++;
            } else if (c->row == 0) {
                return chunk_error(c, TN_ECORRUPT,
                                   "the first value has repetition level %u; a row must start "
                                   "at level 0", r);
            }
        }
        uint32_t k = i - from;
        if (out->count + k > TN_PQ_MAX_NESTED_ENTRIES)
            return chunk_error(c, TN_ELIMIT,
                               "%u rows hold more than %zu list elements; read fewer rows per "
                               "batch", n, TN_PQ_MAX_NESTED_ENTRIES);
        if (k > 0) {
            if (rows_reserve(out, k, 0) != 0)
                return chunk_error(c, TN_ENOMEM, "out of memory");
            if (leaf->max_def > 0)
                memcpy(out->defs + out->count, c->defs + from, k);
            else
                memset(out->defs + out->count, 0, k);
            if (leaf->max_rep > 0)
                memcpy(out->reps + out->count, c->reps + from, k);
            else
                memset(out->reps + out->count, 0, k);
            out->count += k;
            int rc = nested_values(c, from, k, out);
            if (rc != 0)
                return rc;
        }
        c->lv_pos = i;
        if (full)
            break;
    }
    if (started < n)
        return ended_early(c);
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Statistics values
 * ---------------------------------------------------------------------------------------- */

bool pq_stat_value(const pq_leaf *leaf, tn_str raw, tn_vector *v)
{
    uint8_t fixed[16];
    tn_str s = raw;
    size_t need = 0;
    switch (leaf->physical) {
    case TN_PARQUET_BOOLEAN:
        need = 1;
        break;
    case TN_PARQUET_INT32:
    case TN_PARQUET_FLOAT:
        need = 4;
        break;
    case TN_PARQUET_INT64:
    case TN_PARQUET_DOUBLE:
        need = 8;
        break;
    case TN_PARQUET_INT96:
        need = 12;
        break;
    case TN_PARQUET_FIXED_LEN_BYTE_ARRAY:
        if (raw.len != (size_t)leaf->type_length)
            return false;
        break;
    default:
        break;
    }
    if (need) {
        if (raw.len != need)
            return false;
        memcpy(fixed, raw.ptr, need);
        if (leaf->physical == TN_PARQUET_BOOLEAN)
            fixed[0] = fixed[0] & 1;
    }
    if (!raw.ptr)
        s = tn_str_make("", 0);
    tn_error err = {0};
    return write_values(leaf, v, 0, 1, NULL, fixed, &s, false, false, &err) == 0;
}
