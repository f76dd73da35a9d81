/* SPDX-License-Identifier: Apache-2.0
 *
 * Iceberg v3 deletion vectors: the `deletion-vector-v1` blob of a Puffin file (or a bare blob,
 * as older writers stored it) decoded into the sorted row positions it marks deleted.
 *
 * Blob: length (4 bytes, big-endian, covering magic + vector), magic D1 D3 39 64, the vector in
 * the Roaring "portable" 64-bit layout (count of 32-bit bitmaps, then key + 32-bit bitmap each,
 * little-endian), CRC-32 of magic + vector (big-endian).
 */
#include "lake/lake_int.h"

#include <zlib.h>

/* Cap on decoded positions: a hostile blob of a few bytes can describe billions of rows with run
 * containers; a real vector this large would be a file of over a hundred million deleted rows. */
#define DV_MAX_POSITIONS (1u << 27)

enum {
    ROARING_COOKIE_NO_RUNS = 12346,
    ROARING_COOKIE_RUNS = 12347,
    ROARING_NO_OFFSET_THRESHOLD = 4,
    ROARING_ARRAY_MAX = 4096,
};

typedef struct dv_reader {
    const uint8_t *p, *end;
    const char *file;
    size_t max_positions;
    tn_error *err;
} dv_reader;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16; }

static int corrupt(dv_reader *r, const char *what)
{
    return tn_error_set_at(r->err, TN_ECORRUPT, r->file, 0, 0, "deletion vector is corrupt: %s", what);
}

typedef struct positions {
    int64_t *v;
    size_t count, cap;
} positions;

static int push(dv_reader *r, positions *out, int64_t pos)
{
    if (out->count == out->cap) {
        if (out->cap >= r->max_positions)
            return tn_error_set_at(r->err, TN_ECORRUPT, r->file, 0, 0,
                                   "deletion vector marks more than %zu rows deleted (its manifest entry's "
                                   "record_count, or the limit of %u)", r->max_positions, DV_MAX_POSITIONS);
        size_t cap = out->cap ? out->cap * 2 : 64;
        if (cap > r->max_positions) cap = r->max_positions;
        int64_t *v = tn_realloc(out->v, cap * sizeof *v);
        if (!v) return tn_error_set(r->err, TN_ENOMEM, "out of memory");
        out->v = v;
        out->cap = cap;
    }
    out->v[out->count++] = pos;
    return 0;
}

/* One 32-bit Roaring bitmap (the RoaringFormatSpec "general layout") starting at r->p; its
 * values are added to `high` << 32. Advances r->p past the bitmap. */
static int decode_bitmap32(dv_reader *r, uint64_t high, positions *out)
{
    const uint8_t *start = r->p;
    size_t avail = (size_t)(r->end - start);
    if (avail < 4) return corrupt(r, "truncated bitmap header");
    uint32_t cookie = le32(start);
    const uint8_t *p = start + 4;
    uint32_t containers;
    const uint8_t *run_flags = NULL;
    bool has_offsets;
    if ((cookie & 0xFFFF) == ROARING_COOKIE_RUNS) {
        containers = (cookie >> 16) + 1;
        run_flags = p;
        p += (containers + 7) / 8;
        has_offsets = containers >= ROARING_NO_OFFSET_THRESHOLD;
    } else if (cookie == ROARING_COOKIE_NO_RUNS) {
        if (avail < 8) return corrupt(r, "truncated bitmap header");
        containers = le32(p);
        p += 4;
        has_offsets = true;
    } else {
        return corrupt(r, "unknown Roaring cookie");
    }
    if (containers > 65536) return corrupt(r, "more than 65536 containers");
    const uint8_t *headers = p;
    size_t header_bytes = (size_t)containers * 4 + (has_offsets ? (size_t)containers * 4 : 0);
    if (p > r->end || (size_t)(r->end - p) < header_bytes) return corrupt(r, "truncated container headers");
    p += header_bytes;
    int prev_key = -1;
    for (uint32_t c = 0; c < containers; c++) {
        uint16_t key = le16(headers + c * 4);
        uint32_t cardinality = (uint32_t)le16(headers + c * 4 + 2) + 1;
        if ((int)key <= prev_key) return corrupt(r, "container keys out of order");
        prev_key = key;
        if (has_offsets) {
            uint32_t off = le32(headers + (size_t)containers * 4 + c * 4);
            if (off > avail) return corrupt(r, "container offset past the end");
            p = start + off;
        }
        uint64_t base = high << 32 | (uint64_t)key << 16;
        bool is_run = run_flags && (run_flags[c / 8] >> (c % 8) & 1);
        if (is_run) {
            if (r->end - p < 2) return corrupt(r, "truncated run container");
            uint32_t runs = le16(p);
            p += 2;
            if ((size_t)(r->end - p) < (size_t)runs * 4) return corrupt(r, "truncated run container");
            for (uint32_t i = 0; i < runs; i++, p += 4) {
                uint32_t first = le16(p), last = first + le16(p + 2);
                if (last > 0xFFFF) return corrupt(r, "run past the container's end");
                for (uint32_t v = first; v <= last; v++)
                    if (push(r, out, (int64_t)(base | v)) < 0) return -1;
            }
        } else if (cardinality <= ROARING_ARRAY_MAX) {
            if ((size_t)(r->end - p) < (size_t)cardinality * 2) return corrupt(r, "truncated array container");
            for (uint32_t i = 0; i < cardinality; i++, p += 2)
                if (push(r, out, (int64_t)(base | le16(p))) < 0) return -1;
        } else {
            if (r->end - p < 8192) return corrupt(r, "truncated bitmap container");
            for (uint32_t w = 0; w < 1024; w++, p += 8) {
                uint64_t word = (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
                while (word) {
                    uint32_t bit = (uint32_t)__builtin_ctzll(word);
                    if (push(r, out, (int64_t)(base | (w * 64 + bit))) < 0) return -1;
                    word &= word - 1;
                }
            }
        }
    }
    r->p = p;
    return 0;
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int tn_deletion_vector_decode(const void *data, size_t len, const char *file, int64_t cardinality,
                              int64_t **out, size_t *count, tn_error *err)
{
    *out = NULL;
    *count = 0;
    size_t max = DV_MAX_POSITIONS;
    if (cardinality >= 0 && (uint64_t)cardinality < max) max = (size_t)cardinality;
    dv_reader r = {data, (const uint8_t *)data + len, file ? file : "(deletion vector)", max, err};
    const uint8_t *b = data;
    static const uint8_t magic[4] = {0xD1, 0xD3, 0x39, 0x64};
    if (len < 12) return corrupt(&r, "shorter than its header");
    uint32_t vector_len = be32(b);
    if (vector_len < 4 || (size_t)vector_len + 8 > len) return corrupt(&r, "length field past the blob's end");
    if (memcmp(b + 4, magic, 4) != 0) return corrupt(&r, "wrong magic (not a deletion-vector-v1 blob)");
    uint32_t stored_crc = be32(b + 4 + vector_len);
    uint32_t crc = (uint32_t)crc32(0L, b + 4, vector_len);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    if (crc != stored_crc) return corrupt(&r, "CRC-32 mismatch");
#else
    (void)crc;
    (void)stored_crc;
#endif
    r.p = b + 8;
    r.end = b + 4 + vector_len;
    if (r.end - r.p < 8) return corrupt(&r, "truncated bitmap count");
    uint64_t bitmaps = (uint64_t)le32(r.p) | (uint64_t)le32(r.p + 4) << 32;
    r.p += 8;
    positions pos = {0};
    int64_t prev_high = -1;
    for (uint64_t i = 0; i < bitmaps; i++) {
        if (r.end - r.p < 4) {
            tn_free(pos.v);
            return corrupt(&r, "truncated bitmap key");
        }
        uint32_t high = le32(r.p);
        r.p += 4;
        if ((int64_t)high <= prev_high || high > INT32_MAX) {
            tn_free(pos.v);
            return corrupt(&r, high > INT32_MAX ? "position with the sign bit set" : "bitmap keys out of order");
        }
        prev_high = high;
        if (decode_bitmap32(&r, high, &pos) < 0) {
            tn_free(pos.v);
            return -1;
        }
    }
    /* Containers are in key order and values within them sorted, but a hostile file need not
     * be: callers binary-search the positions. */
    qsort(pos.v, pos.count, sizeof *pos.v, compare_i64);
    if (cardinality >= 0 && (uint64_t)cardinality != pos.count) {
        tn_free(pos.v);
        return tn_error_set_at(err, TN_ECORRUPT, r.file, 0, 0,
                               "deletion vector holds %zu positions but its manifest entry's record_count is %lld",
                               pos.count, (long long)cardinality);
    }
    *out = pos.v;
    *count = pos.count;
    return 0;
}
