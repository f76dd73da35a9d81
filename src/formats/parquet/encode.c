/* SPDX-License-Identifier: Apache-2.0
 *
 * Parquet value encoders for the writer: the RLE/bit-packing hybrid, bit-packed PLAIN
 * booleans and hashed dictionaries (see encode.h).
 *
 * The hybrid encoder scans for runs over the whole input instead of feeding values one at a
 * time through a state machine: a run of eight or more equal values becomes an RLE run, and
 * everything between runs becomes bit-packed groups of eight. Because a bit-packed section
 * must hold a multiple of eight values, a section that ends where a run starts borrows the
 * first few values of the run to fill its last group.
 */
#include "formats/parquet/encode.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet encoders assume a little-endian host (PLAIN is little-endian)"
#endif

int tn_parquet_bit_width(uint64_t max_value)
{
    return max_value ? 64 - __builtin_clzll(max_value) : 0;
}

size_t tn_parquet_rle_bound(size_t count, int bit_width)
{
    /* Every segment covers at least eight values (only the last may be padded) and costs at
     * most a 5-byte header plus max(bit_width, 4) bytes per eight values. */
    return (count / 8 + 2) * ((size_t)bit_width + 10);
}

static inline size_t put_uvarint(uint8_t *dst, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        dst[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    dst[n++] = (uint8_t)v;
    return n;
}

static inline uint32_t value_at(const void *values, bool u8, size_t i)
{
    return u8 ? ((const uint8_t *)values)[i] : ((const uint32_t *)values)[i];
}

/* Packs eight values of `width` bits into `width` bytes, LSB first. Whole 32-bit words are
 * stored as they fill, so a value costs a shift, an or and rarely a store. */
static inline void pack8(const void *values, bool u8, size_t start, int width, uint8_t *out)
{
    if (width == 1 && u8) {
        const uint8_t *v = (const uint8_t *)values + start;
        out[0] = (uint8_t)((v[0] & 1) | (v[1] & 1) << 1 | (v[2] & 1) << 2 | (v[3] & 1) << 3 |
                           (v[4] & 1) << 4 | (v[5] & 1) << 5 | (v[6] & 1) << 6 |
                           (v[7] & 1) << 7);
        return;
    }
    uint64_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (int k = 0; k < 8; k++) {
        acc |= (uint64_t)value_at(values, u8, start + (size_t)k) << bits;
        bits += width;
        if (bits >= 32) {
            uint32_t word = (uint32_t)acc;
            memcpy(out + o, &word, 4);
            o += 4;
            acc >>= 32;
            bits -= 32;
        }
    }
    /* 8 * width bits in all: what is left is a whole number of bytes. */
    for (; bits > 0; bits -= 8) {
        out[o++] = (uint8_t)acc;
        acc >>= 8;
    }
}

/* A bit-packed section of values [start, start + n); n need not be a multiple of eight only
 * for the last section of the stream, which is padded with zeros. */
static size_t emit_packed(const void *values, bool u8, size_t start, size_t n, int width,
                          uint8_t *out)
{
    size_t groups = (n + 7) / 8;
    size_t o = put_uvarint(out, ((uint64_t)groups << 1) | 1);
    if (width == 0)
        return o;
    size_t full = n / 8;
    for (size_t g = 0; g < full; g++) {
        pack8(values, u8, start + g * 8, width, out + o);
        o += (size_t)width;
    }
    if (n % 8) {
        uint32_t tail[8] = {0};
        for (size_t k = 0; k < n % 8; k++)
            tail[k] = value_at(values, u8, start + full * 8 + k);
        pack8(tail, false, 0, width, out + o);
        o += (size_t)width;
    }
    return o;
}

static size_t emit_rle(uint32_t value, size_t run, int width, uint8_t *out)
{
    size_t o = put_uvarint(out, (uint64_t)run << 1);
    for (int b = 0; b < (width + 7) / 8; b++)
        out[o++] = (uint8_t)(value >> (8 * b));
    return o;
}

static inline __attribute__((always_inline)) size_t rle_encode(const void *values, bool u8,
                                                               size_t count, int width,
                                                               uint8_t *out)
{
    size_t o = 0, lit_start = 0, i = 0;
    while (i < count) {
        uint32_t v = value_at(values, u8, i);
        size_t j = i + 1;
        if (u8) {
            /* Levels are mostly long runs: compare eight bytes at a time. */
            const uint8_t *b = values;
            uint64_t pattern = 0x0101010101010101ULL * v;
            while (j + 8 <= count) {
                uint64_t w;
                memcpy(&w, b + j, 8);
                if (w != pattern)
                    break;
                j += 8;
            }
        }
        while (j < count && value_at(values, u8, j) == v)
            j++;
        size_t run = j - i;
        if (run < 8) {
            i = j;
            continue;
        }
        size_t pending = i - lit_start;
        if (pending) {
            size_t pad = (8 - pending % 8) % 8;
            o += emit_packed(values, u8, lit_start, pending + pad, width, out + o);
            i += pad;
            run -= pad;
            if (run < 8) {
                lit_start = i;
                i += run;
                continue;
            }
        }
        o += emit_rle(v, run, width, out + o);
        i += run;
        lit_start = i;
    }
    if (lit_start < count)
        o += emit_packed(values, u8, lit_start, count - lit_start, width, out + o);
    return o;
}

size_t tn_parquet_rle_encode_u32(const uint32_t *values, size_t count, int bit_width,
                                 uint8_t *out)
{
    return rle_encode(values, false, count, bit_width, out);
}

size_t tn_parquet_rle_encode_u8(const uint8_t *values, size_t count, int bit_width,
                                uint8_t *out)
{
    return rle_encode(values, true, count, bit_width, out);
}

size_t tn_parquet_plain_bools(const uint8_t *values, const uint8_t *defs, size_t count,
                              uint8_t *out)
{
    size_t n = 0;
    uint8_t acc = 0;
    for (size_t i = 0; i < count; i++) {
        if (defs && !defs[i])
            continue;
        acc |= (uint8_t)((values[i] != 0) << (n & 7));
        if ((n & 7) == 7) {
            out[n >> 3] = acc;
            acc = 0;
        }
        n++;
    }
    if (n & 7)
        out[n >> 3] = acc;
    return (n + 7) / 8;
}

/* ------------------------------------------------------------------------------------------
 * Dictionaries
 * ---------------------------------------------------------------------------------------- */

void tn_parquet_dict_init(tn_parquet_dict *d, uint32_t width)
{
    memset(d, 0, sizeof *d);
    d->width = width;
}

void tn_parquet_dict_free(tn_parquet_dict *d)
{
    tn_buf_free(&d->plain);
    tn_free(d->offsets);
    tn_free(d->hashes);
    tn_free(d->slots);
    uint32_t width = d->width;
    memset(d, 0, sizeof *d);
    d->width = width;
}

void tn_parquet_dict_clear(tn_parquet_dict *d)
{
    d->count = 0;
    d->plain.len = 0;
    if (d->slots)
        memset(d->slots, 0, ((size_t)d->slot_mask + 1) * sizeof *d->slots);
}

void tn_parquet_dict_truncate(tn_parquet_dict *d, uint32_t count)
{
    if (count >= d->count)
        return;
    d->plain.len = d->width ? (size_t)count * d->width : (count ? d->offsets[count] : 0);
    d->count = count;
}

static inline uint64_t hash_fixed(const void *v, uint32_t width)
{
    if (width == 4) {
        uint32_t x;
        memcpy(&x, v, 4);
        return tn_hash_u64(x);
    }
    if (width == 8) {
        uint64_t x;
        memcpy(&x, v, 8);
        return tn_hash_u64(x);
    }
    return tn_hash_bytes(v, width, 0);
}

/* Makes room for one more entry and keeps the table at most half full. */
static int reserve_entry(tn_parquet_dict *d)
{
    if (d->count == d->entry_cap) {
        uint32_t cap = d->entry_cap ? d->entry_cap * 2 : 1024;
        uint32_t *h = tn_realloc(d->hashes, (size_t)cap * sizeof *h);
        if (!h)
            return TN_ENOMEM;
        d->hashes = h;
        if (!d->width) {
            uint32_t *o = tn_realloc(d->offsets, (size_t)cap * sizeof *o);
            if (!o)
                return TN_ENOMEM;
            d->offsets = o;
        }
        d->entry_cap = cap;
    }
    size_t slots = d->slots ? (size_t)d->slot_mask + 1 : 0;
    if ((size_t)(d->count + 1) * 2 > slots) {
        size_t n = slots ? slots * 2 : 2048;
        uint32_t *s = tn_calloc(n, sizeof *s);
        if (!s)
            return TN_ENOMEM;
        uint32_t mask = (uint32_t)(n - 1);
        for (uint32_t e = 0; e < d->count; e++) {
            uint32_t idx = d->hashes[e] & mask;
            while (s[idx])
                idx = (idx + 1) & mask;
            s[idx] = e + 1;
        }
        tn_free(d->slots);
        d->slots = s;
        d->slot_mask = mask;
    }
    return 0;
}

/* Inserts or finds one fixed-width value. Returns 0 with *index set, 1 when a limit would be
 * passed (nothing added), or TN_ENOMEM. The width is a compile-time constant in the callers
 * below, so the comparison becomes one integer compare for 4- and 8-byte values. */
static inline __attribute__((always_inline)) int dict_put_fixed(tn_parquet_dict *d,
                                                                const uint8_t *v, uint32_t w,
                                                                uint32_t max_entries,
                                                                size_t max_bytes,
                                                                uint32_t *index)
{
    uint64_t h = hash_fixed(v, w);
    uint32_t idx = (uint32_t)h & d->slot_mask;
    for (;;) {
        uint32_t s = d->slots[idx];
        if (!s)
            break;
        if (d->hashes[s - 1] == (uint32_t)h &&
            memcmp(d->plain.data + (size_t)(s - 1) * w, v, w) == 0) {
            *index = s - 1;
            return 0;
        }
        idx = (idx + 1) & d->slot_mask;
    }
    if (d->count >= max_entries || d->plain.len + w > max_bytes)
        return 1;
    int rc = reserve_entry(d);
    if (!rc)
        rc = tn_buf_append(&d->plain, v, w);
    if (rc)
        return rc;
    /* The table may have grown: find the empty slot again. */
    idx = (uint32_t)h & d->slot_mask;
    while (d->slots[idx])
        idx = (idx + 1) & d->slot_mask;
    d->hashes[d->count] = (uint32_t)h;
    d->slots[idx] = d->count + 1;
    *index = d->count++;
    return 0;
}

static inline __attribute__((always_inline)) int dict_add_fixed_w(
    tn_parquet_dict *d, const uint8_t *base, uint32_t w, const uint8_t *defs, size_t rows,
    uint32_t *indices, uint32_t max_entries, size_t max_bytes, size_t *rows_done)
{
    size_t out = 0, i;
    int rc = 0;
    for (i = 0; i < rows; i++) {
        if (defs && !defs[i])
            continue;
        rc = dict_put_fixed(d, base + i * w, w, max_entries, max_bytes, &indices[out]);
        if (rc)
            break;
        out++;
    }
    *rows_done = i;
    return rc == 1 ? 0 : rc;
}

int tn_parquet_dict_add_fixed(tn_parquet_dict *d, const void *values, const uint8_t *defs,
                              size_t rows, uint32_t *indices, uint32_t max_entries,
                              size_t max_bytes, size_t *rows_done)
{
    int rc;
    if (!d->slots && (rc = reserve_entry(d)) != 0) {
        *rows_done = 0;
        return rc;
    }
    switch (d->width) {
    case 4:
        return dict_add_fixed_w(d, values, 4, defs, rows, indices, max_entries, max_bytes,
                                rows_done);
    case 8:
        return dict_add_fixed_w(d, values, 8, defs, rows, indices, max_entries, max_bytes,
                                rows_done);
    default:
        return dict_add_fixed_w(d, values, d->width, defs, rows, indices, max_entries,
                                max_bytes, rows_done);
    }
}

int tn_parquet_dict_add_bytes(tn_parquet_dict *d, const char *data, const uint32_t *offsets,
                              const uint8_t *defs, size_t rows, uint32_t *indices,
                              uint32_t max_entries, size_t max_bytes, size_t *rows_done)
{
    size_t out = 0;
    int rc = 0;
    size_t i;
    if (max_bytes > UINT32_MAX - 8)
        max_bytes = UINT32_MAX - 8; /* entry offsets are 32-bit */
    if (!d->slots && (rc = reserve_entry(d)) != 0) {
        *rows_done = 0;
        return rc;
    }
    for (i = 0; i < rows; i++) {
        if (defs && !defs[i])
            continue;
        const char *v = data + offsets[i];
        size_t len = (size_t)(offsets[i + 1] - offsets[i]);
        uint64_t h = tn_hash_bytes(v, len, 0);
        uint32_t idx = (uint32_t)h & d->slot_mask;
        uint32_t found = 0;
        for (;;) {
            uint32_t s = d->slots[idx];
            if (!s)
                break;
            if (d->hashes[s - 1] == (uint32_t)h) {
                const char *p = d->plain.data + d->offsets[s - 1];
                uint32_t elen;
                memcpy(&elen, p, 4);
                if (elen == len && memcmp(p + 4, v, len) == 0) {
                    found = s;
                    break;
                }
            }
            idx = (idx + 1) & d->slot_mask;
        }
        if (found) {
            indices[out++] = found - 1;
            continue;
        }
        if (d->count >= max_entries || len > max_bytes || d->plain.len + 4 + len > max_bytes)
            break;
        if ((rc = reserve_entry(d)) != 0 || (rc = tn_buf_reserve(&d->plain, 4 + len)) != 0)
            break;
        uint32_t len32 = (uint32_t)len;
        d->offsets[d->count] = (uint32_t)d->plain.len;
        memcpy(d->plain.data + d->plain.len, &len32, 4);
        if (len)
            memcpy(d->plain.data + d->plain.len + 4, v, len);
        d->plain.len += 4 + len;
        idx = (uint32_t)h & d->slot_mask;
        while (d->slots[idx])
            idx = (idx + 1) & d->slot_mask;
        d->hashes[d->count] = (uint32_t)h;
        d->slots[idx] = d->count + 1;
        indices[out++] = d->count++;
    }
    *rows_done = i;
    return rc;
}
