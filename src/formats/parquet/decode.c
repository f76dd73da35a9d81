/* SPDX-License-Identifier: Apache-2.0
 *
 * Parquet value and level decoders (see decode.h for the contract). The hot loops are the
 * bit unpackers: a group of eight values of width w occupies exactly w bytes, so each group
 * is unpacked with constant shifts chosen at compile time for every width, reading through
 * unaligned 8-byte loads when enough bytes follow and through a zero-padded copy at the very
 * end of the input, so no load ever leaves the buffer.
 */
#include "formats/parquet/decode.h"

#include "formats/parquet/metadata.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet decoders assume a little-endian host"
#endif

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static int corrupt(tn_error *err, const char *what)
{
    return tn_error_set(err, TN_ECORRUPT, "corrupt page data: %s", what);
}

/* ULEB128 of at most max_bytes bytes (5 for 32-bit values, 10 for 64-bit). */
static bool read_uleb(const uint8_t **pp, const uint8_t *end, uint64_t *out, int max_bytes)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (int i = 0; i < max_bytes; i++) {
        if (p >= end)
            return false;
        uint8_t b = *p++;
        if (i == 9 && b > 1)
            return false; /* would overflow 64 bits */
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (max_bytes == 5 && v > UINT32_MAX)
                return false;
            *pp = p;
            *out = v;
            return true;
        }
    }
    return false;
}

static bool read_zigzag(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    uint64_t u;
    if (!read_uleb(pp, end, &u, 10))
        return false;
    *out = (u >> 1) ^ (uint64_t)(-(int64_t)(u & 1));
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Bit unpacking: eight values of w bits from w bytes.
 * ---------------------------------------------------------------------------------------- */

/* Needs w + 8 readable bytes at in (w <= 32: a value plus its shift fits one 8-byte load). */
static ALWAYS_INLINE void unpack8_u32_w(const uint8_t *in, uint32_t *out, const int w)
{
    if (w == 0) {
        for (int i = 0; i < 8; i++)
            out[i] = 0;
        return;
    }
    const uint64_t mask = (w == 32) ? 0xffffffffu : ((1ULL << w) - 1);
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++)
        out[i] = (uint32_t)((load64(in + ((i * w) >> 3)) >> ((i * w) & 7)) & mask);
}

/* Needs w + 16 readable bytes at in (a 64-bit value with a shift spans nine bytes). */
static ALWAYS_INLINE void unpack8_u64_w(const uint8_t *in, uint64_t *out, const int w)
{
    if (w == 0) {
        for (int i = 0; i < 8; i++)
            out[i] = 0;
        return;
    }
    const uint64_t mask = (w == 64) ? ~0ULL : ((1ULL << w) - 1);
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++) {
        const int bit = i * w, shift = bit & 7;
        const uint8_t *p = in + (bit >> 3);
        uint64_t v = load64(p) >> shift;
        if (shift + w > 64)
            v |= load64(p + 8) << (64 - shift);
        out[i] = v & mask;
    }
}

#define TN_CASES_0_32(X)                                                                       \
    X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)     \
    X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29)       \
    X(30) X(31) X(32)
#define TN_CASES_33_64(X)                                                                      \
    X(33) X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43) X(44) X(45) X(46)       \
    X(47) X(48) X(49) X(50) X(51) X(52) X(53) X(54) X(55) X(56) X(57) X(58) X(59) X(60)       \
    X(61) X(62) X(63) X(64)

/* Unpacks `groups` consecutive groups (8 values each) of width w. `in` must have
 * groups * w + 8 readable bytes. */
static void unpack_u32(const uint8_t *in, uint32_t *out, size_t groups, int w)
{
    switch (w) {
#define CASE(W)                                                                                \
    case W:                                                                                    \
        for (size_t g = 0; g < groups; g++)                                                    \
            unpack8_u32_w(in + g * W, out + g * 8, W);                                         \
        break;
        TN_CASES_0_32(CASE)
#undef CASE
    default:
        break;
    }
}

/* One group of 8 with the safety margin handled: `avail` bytes are readable at in (at least
 * the bytes the caller will use); short input is zero-padded. */
static void unpack8_u32_safe(const uint8_t *in, size_t avail, uint32_t *out, int w)
{
    if (avail >= (size_t)w + 8) {
        unpack_u32(in, out, 1, w);
        return;
    }
    uint8_t pad[32 + 8] = {0};
    memcpy(pad, in, avail < (size_t)w ? avail : (size_t)w);
    unpack_u32(pad, out, 1, w);
}

static void unpack8_u64_safe(const uint8_t *in, size_t avail, uint64_t *out, int w)
{
    uint8_t pad[64 + 16];
    if (avail < (size_t)w + 16) {
        memset(pad, 0, sizeof(pad));
        memcpy(pad, in, avail < (size_t)w ? avail : (size_t)w);
        in = pad;
    }
    switch (w) {
#define CASE(W)                                                                                \
    case W:                                                                                    \
        unpack8_u64_w(in, out, W);                                                             \
        break;
        TN_CASES_0_32(CASE)
        TN_CASES_33_64(CASE)
#undef CASE
    default:
        break;
    }
}

/* ------------------------------------------------------------------------------------------
 * RLE / bit-packed hybrid
 * ---------------------------------------------------------------------------------------- */

void tn_parquet_rle_init(tn_parquet_rle *d, const void *data, size_t len, int bit_width)
{
    memset(d, 0, sizeof(*d));
    d->pos = data;
    d->end = d->pos + len;
    d->bit_width = (uint32_t)bit_width;
}

void tn_parquet_rle_init_legacy(tn_parquet_rle *d, const void *data, size_t len, int bit_width)
{
    tn_parquet_rle_init(d, data, len, bit_width);
    d->legacy = true;
    d->legacy_bits = (uint64_t)len * 8;
}

/* Reads the next run header. Returns false at the end of the input or on a bad header. */
static bool rle_next_run(tn_parquet_rle *d, tn_error *err, int *rc)
{
    uint64_t header;
    if (d->pos >= d->end) {
        *rc = corrupt(err, "RLE/bit-packed data ends before all values were read");
        return false;
    }
    if (!read_uleb(&d->pos, d->end, &header, 5)) {
        *rc = corrupt(err, "malformed RLE/bit-packed run header");
        return false;
    }
    uint32_t w = d->bit_width;
    if (header & 1) {
        uint64_t groups = header >> 1;
        size_t avail = (size_t)(d->end - d->pos);
        uint64_t need = groups * w;
        /* A final run may stop short of its last group's bytes (some writers trim it); only
         * values whose bits are present can be read. */
        uint64_t values = groups * 8;
        if (w > 0 && need > avail)
            values = (uint64_t)avail * 8 / w;
        d->run_is_rle = false;
        d->run_left = values;
    } else {
        uint32_t nbytes = (w + 7) / 8;
        if ((size_t)(d->end - d->pos) < nbytes) {
            *rc = corrupt(err, "RLE run value is truncated");
            return false;
        }
        uint32_t v = 0;
        for (uint32_t i = 0; i < nbytes; i++)
            v |= (uint32_t)d->pos[i] << (8 * i);
        d->pos += nbytes;
        if (w < 32)
            v &= (1u << w) - 1;
        d->run_is_rle = true;
        d->rle_value = v;
        d->run_left = header >> 1;
    }
    return true;
}

static uint32_t legacy_get(tn_parquet_rle *d)
{
    uint32_t v = 0;
    const uint8_t *base = d->end - d->legacy_bits / 8;
    for (uint32_t i = 0; i < d->bit_width; i++) {
        uint64_t bit = d->legacy_bit++;
        v = (v << 1) | ((base[bit >> 3] >> (7 - (bit & 7))) & 1);
    }
    return v;
}

/* Values the u8 getter unpacks per step of a bit-packed run. */
#define RLE_BYTE_BLOCK 256

/* The shared body of the u8 and u32 getters; elem is 1 or 4 and fixed per instance. */
static ALWAYS_INLINE int rle_get(tn_parquet_rle *d, void *out_v, size_t count, tn_error *err,
                                 const int elem)
{
    uint8_t *out8 = out_v;
    uint32_t *out32 = out_v;
    size_t i = 0;
    if (d->legacy) {
        if (d->bit_width > 0 &&
            (d->legacy_bits - d->legacy_bit) / d->bit_width < (uint64_t)count)
            return corrupt(err, "BIT_PACKED levels end before all values were read");
        for (; i < count; i++) {
            uint32_t v = legacy_get(d);
            if (elem == 1)
                out8[i] = (uint8_t)v;
            else
                out32[i] = v;
        }
        return 0;
    }
    while (i < count) {
        if (d->group_pos < d->group_len) {
            size_t k = d->group_len - d->group_pos;
            if (k > count - i)
                k = count - i;
            for (size_t j = 0; j < k; j++) {
                if (elem == 1)
                    out8[i + j] = (uint8_t)d->group[d->group_pos + j];
                else
                    out32[i + j] = d->group[d->group_pos + j];
            }
            d->group_pos += (uint32_t)k;
            i += k;
            continue;
        }
        if (d->run_left == 0) {
            int rc = 0;
            if (!rle_next_run(d, err, &rc))
                return rc;
            continue;
        }
        size_t want = count - i;
        if (d->run_is_rle) {
            size_t k = d->run_left < want ? (size_t)d->run_left : want;
            if (elem == 1) {
                memset(out8 + i, (int)d->rle_value, k);
            } else {
                uint32_t v = d->rle_value;
                for (size_t j = 0; j < k; j++)
                    out32[i + j] = v;
            }
            d->run_left -= k;
            i += k;
            continue;
        }
        uint32_t w = d->bit_width;
        size_t avail = (size_t)(d->end - d->pos);
        /* Whole groups straight into the output while the safety margin allows (bytes go
         * through a small block of 32-bit values: levels are at most 8 bits wide). */
        if (want >= 8 && d->run_left >= 8) {
            size_t groups = want / 8;
            if (groups > d->run_left / 8)
                groups = (size_t)(d->run_left / 8);
            if (w > 0 && avail < (size_t)w + 8) {
                groups = 0;
            } else if (w > 0 && groups > (avail - 8) / w) {
                groups = (avail - 8) / w;
            }
            if (elem == 1 && groups > RLE_BYTE_BLOCK / 8)
                groups = RLE_BYTE_BLOCK / 8;
            if (groups > 0) {
                if (elem == 4) {
                    unpack_u32(d->pos, out32 + i, groups, (int)w);
                } else {
                    uint32_t block[RLE_BYTE_BLOCK];
                    unpack_u32(d->pos, block, groups, (int)w);
                    for (size_t j = 0; j < groups * 8; j++)
                        out8[i + j] = (uint8_t)block[j];
                }
                d->pos += groups * w;
                d->run_left -= groups * 8;
                i += groups * 8;
                continue;
            }
        }
        /* One group through the buffer (also the run's last, possibly short, group). */
        unpack8_u32_safe(d->pos, avail, d->group, (int)w);
        uint32_t n = d->run_left < 8 ? (uint32_t)d->run_left : 8;
        d->pos += avail < w ? avail : w;
        d->run_left -= n;
        d->group_pos = 0;
        d->group_len = n;
    }
    return 0;
}

int tn_parquet_rle_get_u32(tn_parquet_rle *d, uint32_t *out, size_t count, tn_error *err)
{
    return rle_get(d, out, count, err, 4);
}

int tn_parquet_rle_get_u8(tn_parquet_rle *d, uint8_t *out, size_t count, tn_error *err)
{
    return rle_get(d, out, count, err, 1);
}

bool tn_parquet_rle_skip_repeat(tn_parquet_rle *d, uint32_t value, size_t count)
{
    if (d->legacy || d->group_pos < d->group_len)
        return false;
    if (d->run_left == 0) {
        tn_parquet_rle before = *d;
        tn_error ignored = {0};
        int rc = 0;
        if (!rle_next_run(d, &ignored, &rc) || !d->run_is_rle || d->rle_value != value ||
            d->run_left < count) {
            *d = before; /* the getters read the header again (and report its errors) */
            return false;
        }
    } else if (!d->run_is_rle || d->rle_value != value || d->run_left < count) {
        return false;
    }
    d->run_left -= count;
    return true;
}

int tn_parquet_rle_skip(tn_parquet_rle *d, size_t count, tn_error *err)
{
    if (d->legacy) {
        uint64_t bits = (uint64_t)count * d->bit_width;
        if (bits > d->legacy_bits - d->legacy_bit)
            return corrupt(err, "BIT_PACKED levels end before all values were read");
        d->legacy_bit += bits;
        return 0;
    }
    while (count > 0) {
        if (d->group_pos < d->group_len) {
            size_t k = d->group_len - d->group_pos;
            if (k > count)
                k = count;
            d->group_pos += (uint32_t)k;
            count -= k;
            continue;
        }
        if (d->run_left == 0) {
            int rc = 0;
            if (!rle_next_run(d, err, &rc))
                return rc;
            continue;
        }
        if (d->run_is_rle) {
            size_t k = d->run_left < count ? (size_t)d->run_left : count;
            d->run_left -= k;
            count -= k;
            continue;
        }
        /* Whole groups are w bytes each and need no unpacking; run_left never counts more
         * values than the bytes present hold, so the bytes of whole groups are there. */
        uint32_t w = d->bit_width;
        size_t groups = count / 8;
        if (groups > d->run_left / 8)
            groups = (size_t)(d->run_left / 8);
        if (groups > 0) {
            d->pos += groups * w;
            d->run_left -= groups * 8;
            count -= groups * 8;
            continue;
        }
        size_t avail = (size_t)(d->end - d->pos);
        unpack8_u32_safe(d->pos, avail, d->group, (int)w);
        uint32_t n = d->run_left < 8 ? (uint32_t)d->run_left : 8;
        d->pos += avail < w ? avail : w;
        d->run_left -= n;
        d->group_pos = 0;
        d->group_len = n;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * DELTA_BINARY_PACKED
 * ---------------------------------------------------------------------------------------- */

int tn_parquet_delta_init(tn_parquet_delta *d, const void *data, size_t len, tn_error *err)
{
    memset(d, 0, sizeof(*d));
    d->pos = data;
    d->end = d->pos + len;
    uint64_t block_size, mini_count, total, first;
    if (!read_uleb(&d->pos, d->end, &block_size, 5) ||
        !read_uleb(&d->pos, d->end, &mini_count, 5) || !read_uleb(&d->pos, d->end, &total, 10) ||
        !read_zigzag(&d->pos, d->end, &first))
        return corrupt(err, "malformed DELTA_BINARY_PACKED header");
    /* The spec asks for blocks of a multiple of 128 values and miniblocks of a multiple of
     * 32; the decoder only needs whole groups of eight, so it accepts that much. */
    if (block_size == 0 || mini_count == 0 || block_size % mini_count != 0 ||
        (block_size / mini_count) % 8 != 0 || block_size > (1u << 20))
        return tn_error_set(err, TN_ECORRUPT,
                            "corrupt page data: DELTA_BINARY_PACKED block of %llu values in "
                            "%llu miniblocks",
                            (unsigned long long)block_size, (unsigned long long)mini_count);
    d->block_size = (uint32_t)block_size;
    d->mini_count = (uint32_t)mini_count;
    d->mini_values = (uint32_t)(block_size / mini_count);
    d->total = total;
    d->last = first;
    return 0;
}

/* Unpacks the next group of eight deltas, starting a new miniblock or block as needed. */
static int delta_next_group(tn_parquet_delta *d, tn_error *err)
{
    if (d->mini_left == 0) {
        if (d->in_block && d->mini_idx + 1 < d->mini_count) {
            d->mini_idx++;
        } else {
            if (!read_zigzag(&d->pos, d->end, &d->min_delta))
                return corrupt(err, "DELTA_BINARY_PACKED block header is truncated");
            if ((size_t)(d->end - d->pos) < d->mini_count)
                return corrupt(err, "DELTA_BINARY_PACKED bit widths are truncated");
            d->widths = d->pos;
            d->pos += d->mini_count;
            d->mini_idx = 0;
            d->in_block = true;
        }
        d->width = d->widths[d->mini_idx];
        if (d->width > 64)
            return tn_error_set(err, TN_ECORRUPT,
                                "corrupt page data: DELTA_BINARY_PACKED bit width %u",
                                d->width);
        d->mini_left = d->mini_values;
    }
    size_t avail = (size_t)(d->end - d->pos);
    uint64_t remaining = d->total - d->returned;
    uint32_t needed = remaining < 8 ? (uint32_t)remaining : 8;
    /* The last miniblock should be padded to full size, but only the bits of values actually
     * used must be present. */
    if ((size_t)needed * d->width > avail * 8)
        return corrupt(err, "DELTA_BINARY_PACKED miniblock is truncated");
    unpack8_u64_safe(d->pos, avail, d->group, (int)d->width);
    d->pos += avail < d->width ? avail : d->width;
    d->mini_left -= 8;
    d->group_pos = 0;
    d->group_len = 8;
    return 0;
}

/* Shared body: out64 or out32 (one of them NULL). */
static ALWAYS_INLINE int delta_get(tn_parquet_delta *d, int64_t *out64, int32_t *out32,
                                   size_t count, tn_error *err)
{
    if (count > d->total - d->returned)
        return corrupt(err, "DELTA_BINARY_PACKED holds fewer values than the page needs");
    size_t i = 0;
    if (count > 0 && d->returned == 0) {
        if (out64)
            out64[0] = (int64_t)d->last;
        else
            out32[0] = (int32_t)(uint32_t)d->last;
        d->returned = 1;
        i = 1;
    }
    uint64_t last = d->last;
    while (i < count) {
        if (d->group_pos == d->group_len) {
            d->last = last;
            int rc = delta_next_group(d, err);
            if (rc != 0)
                return rc;
        }
        size_t k = d->group_len - d->group_pos;
        if (k > count - i)
            k = count - i;
        const uint64_t min_delta = d->min_delta;
        const uint64_t *g = d->group + d->group_pos;
        for (size_t j = 0; j < k; j++) {
            last += min_delta + g[j];
            if (out64)
                out64[i + j] = (int64_t)last;
            else
                out32[i + j] = (int32_t)(uint32_t)last;
        }
        d->group_pos += (uint32_t)k;
        i += k;
        d->returned += k;
    }
    d->last = last;
    return 0;
}

int tn_parquet_delta_get_i64(tn_parquet_delta *d, int64_t *out, size_t count, tn_error *err)
{
    return delta_get(d, out, NULL, count, err);
}

int tn_parquet_delta_get_i32(tn_parquet_delta *d, int32_t *out, size_t count, tn_error *err)
{
    return delta_get(d, NULL, out, count, err);
}

const uint8_t *tn_parquet_delta_end(const tn_parquet_delta *d)
{
    /* The rest of the current miniblock is padding that belongs to this encoding. */
    size_t pad = 0;
    if (d->in_block && d->mini_left > 0)
        pad = (size_t)(d->mini_left / 8) * d->width;
    size_t avail = (size_t)(d->end - d->pos);
    return d->pos + (pad < avail ? pad : avail);
}

/* ------------------------------------------------------------------------------------------
 * Dictionaries
 * ---------------------------------------------------------------------------------------- */

static uint32_t fixed_width(int physical_type, int32_t type_length)
{
    switch (physical_type) {
    case TN_PARQUET_INT32:
    case TN_PARQUET_FLOAT:
        return 4;
    case TN_PARQUET_INT64:
    case TN_PARQUET_DOUBLE:
        return 8;
    case TN_PARQUET_INT96:
        return 12;
    case TN_PARQUET_FIXED_LEN_BYTE_ARRAY:
        return type_length > 0 ? (uint32_t)type_length : 0;
    default:
        return 0;
    }
}

int tn_parquet_dictionary_decode(int physical_type, int32_t type_length, const void *data_v,
                           size_t len, int64_t count, tn_parquet_dictionary *out, tn_error *err)
{
    const uint8_t *data = data_v;
    memset(out, 0, sizeof(*out));
    if (count < 0)
        return tn_error_set(err, TN_ECORRUPT,
                            "corrupt dictionary page: negative value count %lld",
                            (long long)count);
    if (physical_type == TN_PARQUET_BOOLEAN)
        return tn_error_set(err, TN_ECORRUPT, "corrupt dictionary page: BOOLEAN columns "
                            "cannot be dictionary encoded");
    if (physical_type == TN_PARQUET_BYTE_ARRAY) {
        /* Every entry takes at least its 4-byte length. */
        if ((uint64_t)count > len / 4)
            return tn_error_set(err, TN_ECORRUPT,
                                "corrupt dictionary page: %lld values cannot fit in %zu bytes",
                                (long long)count, len);
        out->bytes = tn_malloc(((size_t)count > 0 ? (size_t)count : 1) * sizeof(tn_str));
        if (!out->bytes)
            return tn_error_set(err, TN_ENOMEM, "out of memory reading a dictionary page");
        const uint8_t *p = data, *end = data + len;
        for (int64_t i = 0; i < count; i++) {
            if (end - p < 4) {
                tn_parquet_dictionary_free(out);
                return corrupt(err, "dictionary value length is truncated");
            }
            uint32_t n;
            memcpy(&n, p, 4);
            p += 4;
            if (n > (size_t)(end - p)) {
                tn_parquet_dictionary_free(out);
                return corrupt(err, "dictionary value runs past the end of the page");
            }
            out->bytes[i] = tn_str_make((const char *)p, n);
            p += n;
        }
        out->count = (uint32_t)count;
        return 0;
    }
    uint32_t w = fixed_width(physical_type, type_length);
    if (w == 0)
        return tn_error_set(err, TN_ECORRUPT, "corrupt dictionary page: unknown value width");
    if ((uint64_t)count > len / w)
        return tn_error_set(err, TN_ECORRUPT,
                            "corrupt dictionary page: %lld values of %u bytes cannot fit in "
                            "%zu bytes", (long long)count, w, len);
    out->count = (uint32_t)count;
    out->width = w;
    out->fixed = data;
    if (physical_type == TN_PARQUET_FIXED_LEN_BYTE_ARRAY) {
        out->bytes = tn_malloc(((size_t)count > 0 ? (size_t)count : 1) * sizeof(tn_str));
        if (!out->bytes)
            return tn_error_set(err, TN_ENOMEM, "out of memory reading a dictionary page");
        for (int64_t i = 0; i < count; i++)
            out->bytes[i] = tn_str_make((const char *)data + (size_t)i * w, w);
    }
    return 0;
}

void tn_parquet_dictionary_free(tn_parquet_dictionary *dict)
{
    tn_free(dict->bytes);
    memset(dict, 0, sizeof(*dict));
}

/* ------------------------------------------------------------------------------------------
 * Page values
 * ---------------------------------------------------------------------------------------- */

#define INDEX_CHUNK 1024

/* Decodes `count` lengths with DELTA_BINARY_PACKED from d->pos; on return d->pos is past
 * them. */
static int read_lengths(tn_parquet_values *d, uint32_t max_values, int32_t **out,
                        uint32_t *out_count, tn_error *err)
{
    tn_parquet_delta delta;
    int rc = tn_parquet_delta_init(&delta, d->pos, (size_t)(d->end - d->pos), err);
    if (rc != 0)
        return rc;
    if (delta.total > max_values)
        return tn_error_set(err, TN_ECORRUPT,
                            "corrupt page data: %llu lengths in a page of %u values",
                            (unsigned long long)delta.total, max_values);
    uint32_t n = (uint32_t)delta.total;
    *out = tn_malloc(((size_t)n > 0 ? n : 1) * sizeof(int32_t));
    if (!*out)
        return tn_error_set(err, TN_ENOMEM, "out of memory decoding a page");
    rc = tn_parquet_delta_get_i32(&delta, *out, n, err);
    if (rc != 0)
        return rc;
    for (uint32_t i = 0; i < n; i++) {
        if ((*out)[i] < 0)
            return corrupt(err, "negative byte array length");
    }
    d->pos = tn_parquet_delta_end(&delta);
    *out_count = n;
    return 0;
}

int tn_parquet_values_init(tn_parquet_values *d, int encoding, int physical_type,
                           int32_t type_length, const void *data, size_t len,
                           uint32_t max_values, const tn_parquet_dictionary *dict, tn_error *err)
{
    memset(d, 0, sizeof(*d));
    d->encoding = encoding;
    d->physical_type = physical_type;
    d->width = fixed_width(physical_type, type_length);
    d->start = d->pos = data;
    d->end = d->start + len;
    bool is_bytes = physical_type == TN_PARQUET_BYTE_ARRAY ||
                    physical_type == TN_PARQUET_FIXED_LEN_BYTE_ARRAY;
    if (physical_type == TN_PARQUET_FIXED_LEN_BYTE_ARRAY && d->width == 0)
        return tn_error_set(err, TN_ECORRUPT, "FIXED_LEN_BYTE_ARRAY column without a length");
    switch (encoding) {
    case TN_PARQUET_ENC_PLAIN:
        return 0;
    case TN_PARQUET_ENC_PLAIN_DICTIONARY:
    case TN_PARQUET_ENC_RLE_DICTIONARY: {
        if (!dict)
            return tn_error_set(err, TN_ECORRUPT,
                                "corrupt column chunk: dictionary-encoded page without a "
                                "dictionary page");
        if (physical_type == TN_PARQUET_BOOLEAN)
            return corrupt(err, "BOOLEAN values cannot be dictionary encoded");
        d->dict = dict;
        d->indices = tn_malloc(INDEX_CHUNK * sizeof(uint32_t));
        if (!d->indices)
            return tn_error_set(err, TN_ENOMEM, "out of memory decoding a page");
        if (len == 0) {
            /* A page of only nulls may carry no index bytes at all. */
            tn_parquet_rle_init(&d->rle, d->pos, 0, 0);
            return 0;
        }
        int w = d->pos[0];
        if (w > 32)
            return tn_error_set(err, TN_ECORRUPT,
                                "corrupt page data: dictionary index bit width %d", w);
        tn_parquet_rle_init(&d->rle, d->pos + 1, len - 1, w);
        return 0;
    }
    case TN_PARQUET_ENC_RLE: {
        if (physical_type != TN_PARQUET_BOOLEAN)
            break;
        if (len < 4)
            return corrupt(err, "RLE boolean data lacks its length prefix");
        uint32_t n;
        memcpy(&n, d->pos, 4);
        if (n > len - 4)
            return corrupt(err, "RLE boolean data is shorter than its length prefix");
        tn_parquet_rle_init(&d->rle, d->pos + 4, n, 1);
        return 0;
    }
    case TN_PARQUET_ENC_DELTA_BINARY_PACKED:
        if (physical_type != TN_PARQUET_INT32 && physical_type != TN_PARQUET_INT64)
            break;
        return tn_parquet_delta_init(&d->delta, d->pos, len, err);
    case TN_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY: {
        if (physical_type != TN_PARQUET_BYTE_ARRAY)
            break;
        int rc = read_lengths(d, max_values, &d->lengths, &d->count, err);
        if (rc != 0)
            return rc;
        uint64_t sum = 0;
        for (uint32_t i = 0; i < d->count; i++)
            sum += (uint32_t)d->lengths[i];
        if (sum > (uint64_t)(d->end - d->pos))
            return corrupt(err, "DELTA_LENGTH_BYTE_ARRAY lengths exceed the page");
        return 0;
    }
    case TN_PARQUET_ENC_DELTA_BYTE_ARRAY: {
        if (!is_bytes)
            break;
        uint32_t prefix_count = 0;
        int rc = read_lengths(d, max_values, &d->prefixes, &prefix_count, err);
        if (rc != 0)
            return rc;
        rc = read_lengths(d, max_values, &d->lengths, &d->count, err);
        if (rc != 0)
            return rc;
        if (prefix_count != d->count)
            return tn_error_set(err, TN_ECORRUPT,
                                "corrupt page data: DELTA_BYTE_ARRAY has %u prefixes but %u "
                                "suffixes", prefix_count, d->count);
        uint64_t sum = 0;
        for (uint32_t i = 0; i < d->count; i++)
            sum += (uint32_t)d->lengths[i];
        if (sum > (uint64_t)(d->end - d->pos))
            return corrupt(err, "DELTA_BYTE_ARRAY suffix lengths exceed the page");
        return 0;
    }
    case TN_PARQUET_ENC_BYTE_STREAM_SPLIT: {
        if (physical_type == TN_PARQUET_BOOLEAN || physical_type == TN_PARQUET_BYTE_ARRAY)
            break;
        if (len % d->width != 0)
            return tn_error_set(err, TN_ECORRUPT,
                                "corrupt page data: BYTE_STREAM_SPLIT data of %zu bytes is not "
                                "a multiple of the %u-byte value width", len, d->width);
        size_t n = len / d->width;
        if (n > UINT32_MAX)
            return corrupt(err, "BYTE_STREAM_SPLIT page is too large");
        d->count = (uint32_t)n;
        return 0;
    }
    default:
        break;
    }
    return tn_error_set(err, TN_EUNSUPPORTED, "encoding %s is not supported for %s columns",
                        tn_parquet_encoding_name(encoding), tn_parquet_type_name(physical_type));
}

void tn_parquet_values_free(tn_parquet_values *d)
{
    tn_free(d->lengths);
    tn_free(d->prefixes);
    tn_free(d->scratch);
    tn_free(d->prev);
    tn_free(d->indices);
    d->lengths = d->prefixes = NULL;
    d->scratch = d->prev = NULL;
    d->indices = NULL;
}

/* Whether every index is below count: eight compares a step in vector registers (GCC and
 * Clang vector extensions, so no target-specific code), ORed, one test at the end. */
static bool indices_below(const uint32_t *idx, size_t n, uint32_t count)
{
    typedef uint32_t u32x4 __attribute__((vector_size(16)));
    const u32x4 limit = {count, count, count, count};
    u32x4 bad0 = {0, 0, 0, 0}, bad1 = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        u32x4 a, b;
        memcpy(&a, idx + i, sizeof(a));
        memcpy(&b, idx + i + 4, sizeof(b));
        bad0 |= (u32x4)(a >= limit);
        bad1 |= (u32x4)(b >= limit);
    }
    bad0 |= bad1;
    uint32_t bad = bad0[0] | bad0[1] | bad0[2] | bad0[3];
    for (; i < n; i++)
        bad |= idx[i] >= count;
    return bad == 0;
}

/* Decodes up to INDEX_CHUNK indices and checks them against the dictionary. */
static int dict_indices(tn_parquet_values *d, size_t k, tn_error *err)
{
    return tn_parquet_values_get_indices(d, d->indices, k, err);
}

int tn_parquet_values_get_indices(tn_parquet_values *d, uint32_t *out, size_t n, tn_error *err)
{
    if (d->encoding != TN_PARQUET_ENC_PLAIN_DICTIONARY &&
        d->encoding != TN_PARQUET_ENC_RLE_DICTIONARY)
        return tn_error_set(err, TN_EINTERNAL, "dictionary indices asked of a %s page",
                            tn_parquet_encoding_name(d->encoding));
    int rc = tn_parquet_rle_get_u32(&d->rle, out, n, err);
    if (rc != 0)
        return rc;
    if (indices_below(out, n, d->dict->count))
        return 0;
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++)
        m = out[i] > m ? out[i] : m;
    return tn_error_set(err, TN_ECORRUPT,
                        "corrupt page data: dictionary index %u out of range (dictionary "
                        "has %u entries)", m, d->dict->count);
}

static int bss_gather(tn_parquet_values *d, uint8_t *out, size_t n, tn_error *err)
{
    if (n > (size_t)(d->count - d->next))
        return corrupt(err, "BYTE_STREAM_SPLIT page holds fewer values than needed");
    const uint32_t w = d->width;
    const size_t stride = d->count;
    const uint8_t *src = d->start + d->next;
    if (w == 4) {
        for (size_t i = 0; i < n; i++) {
            out[i * 4 + 0] = src[i];
            out[i * 4 + 1] = src[stride + i];
            out[i * 4 + 2] = src[2 * stride + i];
            out[i * 4 + 3] = src[3 * stride + i];
        }
    } else if (w == 8) {
        for (size_t i = 0; i < n; i++) {
            for (int k = 0; k < 8; k++)
                out[i * 8 + (size_t)k] = src[(size_t)k * stride + i];
        }
    } else {
        for (uint32_t k = 0; k < w; k++) {
            const uint8_t *s = src + (size_t)k * stride;
            for (size_t i = 0; i < n; i++)
                out[i * w + k] = s[i];
        }
    }
    d->next += (uint32_t)n;
    return 0;
}

int tn_parquet_values_get_fixed(tn_parquet_values *d, void *out_v, size_t n, tn_error *err)
{
    uint8_t *out = out_v;
    const uint32_t w = d->width;
    switch (d->encoding) {
    case TN_PARQUET_ENC_PLAIN: {
        size_t bytes = n * w;
        if (bytes > (size_t)(d->end - d->pos))
            return corrupt(err, "PLAIN page holds fewer values than needed");
        memcpy(out, d->pos, bytes);
        d->pos += bytes;
        return 0;
    }
    case TN_PARQUET_ENC_PLAIN_DICTIONARY:
    case TN_PARQUET_ENC_RLE_DICTIONARY: {
        const uint8_t *dict = d->dict->fixed;
        if (!dict || d->dict->width != w)
            return corrupt(err, "dictionary does not match the column type");
        size_t done = 0;
        while (done < n) {
            size_t k = n - done < INDEX_CHUNK ? n - done : INDEX_CHUNK;
            int rc = dict_indices(d, k, err);
            if (rc != 0)
                return rc;
            const uint32_t *idx = d->indices;
            if (w == 4) {
                uint32_t *o = (uint32_t *)(void *)(out + done * 4);
                for (size_t i = 0; i < k; i++)
                    memcpy(&o[i], dict + (size_t)idx[i] * 4, 4);
            } else if (w == 8) {
                uint64_t *o = (uint64_t *)(void *)(out + done * 8);
                for (size_t i = 0; i < k; i++)
                    memcpy(&o[i], dict + (size_t)idx[i] * 8, 8);
            } else {
                for (size_t i = 0; i < k; i++)
                    memcpy(out + (done + i) * w, dict + (size_t)idx[i] * w, w);
            }
            done += k;
        }
        return 0;
    }
    case TN_PARQUET_ENC_DELTA_BINARY_PACKED:
        if (d->physical_type == TN_PARQUET_INT32)
            return tn_parquet_delta_get_i32(&d->delta, (int32_t *)out_v, n, err);
        return tn_parquet_delta_get_i64(&d->delta, (int64_t *)out_v, n, err);
    case TN_PARQUET_ENC_BYTE_STREAM_SPLIT:
        return bss_gather(d, out, n, err);
    default:
        return tn_error_set(err, TN_EUNSUPPORTED, "encoding %s is not supported for %s columns",
                            tn_parquet_encoding_name(d->encoding),
                            tn_parquet_type_name(d->physical_type));
    }
}

bool tn_parquet_values_can_skip(const tn_parquet_values *d)
{
    switch (d->encoding) {
    case TN_PARQUET_ENC_PLAIN:
    case TN_PARQUET_ENC_PLAIN_DICTIONARY:
    case TN_PARQUET_ENC_RLE_DICTIONARY:
    case TN_PARQUET_ENC_RLE:
    case TN_PARQUET_ENC_BYTE_STREAM_SPLIT:
        return true;
    default:
        return false;
    }
}

int tn_parquet_values_skip(tn_parquet_values *d, size_t n, tn_error *err)
{
    switch (d->encoding) {
    case TN_PARQUET_ENC_PLAIN:
        if (d->physical_type == TN_PARQUET_BOOLEAN) {
            uint64_t bits_left = (uint64_t)(d->end - d->pos) * 8 - d->bool_bit;
            if (n > bits_left)
                return corrupt(err, "PLAIN BOOLEAN page holds fewer values than needed");
            uint64_t bit = (uint64_t)d->bool_bit + n;
            d->pos += bit / 8;
            d->bool_bit = (uint32_t)(bit % 8);
            return 0;
        }
        if (d->physical_type == TN_PARQUET_BYTE_ARRAY) {
            const uint8_t *p = d->pos, *end = d->end;
            for (size_t i = 0; i < n; i++) {
                uint32_t len;
                if (end - p < 4)
                    return corrupt(err, "PLAIN page holds fewer values than needed");
                memcpy(&len, p, 4);
                p += 4;
                if (len > (size_t)(end - p))
                    return corrupt(err, "byte array value runs past the end of the page");
                p += len;
            }
            d->pos = p;
            return 0;
        }
        if ((uint64_t)n * d->width > (uint64_t)(d->end - d->pos))
            return corrupt(err, "PLAIN page holds fewer values than needed");
        d->pos += n * d->width;
        return 0;
    case TN_PARQUET_ENC_PLAIN_DICTIONARY:
    case TN_PARQUET_ENC_RLE_DICTIONARY:
        /* Indices that are never used are not checked against the dictionary. */
        return tn_parquet_rle_skip(&d->rle, n, err);
    case TN_PARQUET_ENC_RLE:
        if (d->physical_type != TN_PARQUET_BOOLEAN)
            break;
        return tn_parquet_rle_skip(&d->rle, n, err);
    case TN_PARQUET_ENC_BYTE_STREAM_SPLIT:
        if (n > (size_t)(d->count - d->next))
            return corrupt(err, "BYTE_STREAM_SPLIT page holds fewer values than needed");
        d->next += (uint32_t)n;
        return 0;
    default:
        break;
    }
    return tn_error_set(err, TN_EINTERNAL, "values of a %s page cannot be skipped",
                        tn_parquet_encoding_name(d->encoding));
}

int tn_parquet_values_gather_plain(tn_parquet_values *d, void *out_v, size_t n,
                                   const uint32_t *sel, size_t m, tn_error *err)
{
    uint8_t *out = out_v;
    const uint32_t w = d->width;
    if (d->encoding != TN_PARQUET_ENC_PLAIN || d->physical_type == TN_PARQUET_BOOLEAN ||
        d->physical_type == TN_PARQUET_BYTE_ARRAY)
        return tn_error_set(err, TN_EINTERNAL, "gather asked of a page that is not PLAIN "
                            "fixed-width");
    if ((uint64_t)n * w > (uint64_t)(d->end - d->pos))
        return corrupt(err, "PLAIN page holds fewer values than needed");
    const uint8_t *src = d->pos;
    if (w == 4) {
        for (size_t j = 0; j < m; j++)
            memcpy(out + j * 4, src + (size_t)sel[j] * 4, 4);
    } else if (w == 8) {
        for (size_t j = 0; j < m; j++)
            memcpy(out + j * 8, src + (size_t)sel[j] * 8, 8);
    } else {
        for (size_t j = 0; j < m; j++)
            memcpy(out + j * w, src + (size_t)sel[j] * w, w);
    }
    d->pos += n * w;
    return 0;
}

int tn_parquet_values_get_bool(tn_parquet_values *d, uint8_t *out, size_t n, tn_error *err)
{
    if (d->encoding == TN_PARQUET_ENC_RLE)
        return tn_parquet_rle_get_u8(&d->rle, out, n, err);
    if (d->encoding != TN_PARQUET_ENC_PLAIN)
        return tn_error_set(err, TN_EUNSUPPORTED, "encoding %s is not supported for BOOLEAN",
                            tn_parquet_encoding_name(d->encoding));
    uint64_t bits_left = (uint64_t)(d->end - d->pos) * 8 - d->bool_bit;
    if (n > bits_left)
        return corrupt(err, "PLAIN BOOLEAN page holds fewer values than needed");
    const uint8_t *p = d->pos;
    uint32_t bit = d->bool_bit;
    size_t i = 0;
    /* Head bits up to a byte boundary, then whole bytes eight values at a time. */
    while (i < n && bit != 0) {
        out[i++] = (uint8_t)((*p >> bit) & 1);
        if (++bit == 8) {
            bit = 0;
            p++;
        }
    }
    for (; i + 8 <= n; i += 8, p++) {
        uint8_t b = *p;
        for (int k = 0; k < 8; k++)
            out[i + (size_t)k] = (uint8_t)((b >> k) & 1);
    }
    for (; i < n; i++) {
        out[i] = (uint8_t)((*p >> bit) & 1);
        if (++bit == 8) {
            bit = 0;
            p++;
        }
    }
    d->pos = p;
    d->bool_bit = bit;
    return 0;
}

static int grow(uint8_t **buf, size_t *cap, size_t need, tn_error *err)
{
    if (need <= *cap)
        return 0;
    if (need > TN_PARQUET_MAX_REBUILT_BYTES)
        return tn_error_set(err, TN_ELIMIT,
                            "page values need %zu bytes once rebuilt, more than the %zu-byte "
                            "limit", need, TN_PARQUET_MAX_REBUILT_BYTES);
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    uint8_t *p = tn_realloc(*buf, c + TN_PARQUET_SLACK);
    if (!p)
        return tn_error_set(err, TN_ENOMEM, "out of memory decoding a page");
    *buf = p;
    *cap = c;
    return 0;
}

static int get_delta_byte_array(tn_parquet_values *d, tn_str *out, size_t n, tn_error *err)
{
    if (n > (size_t)(d->count - d->next))
        return corrupt(err, "DELTA_BYTE_ARRAY page holds fewer values than needed");
    /* First pass: sizes, so that the scratch is allocated once and pointers stay valid. */
    size_t total = 0;
    size_t prev_len = d->prev_len;
    for (size_t i = 0; i < n; i++) {
        uint32_t j = d->next + (uint32_t)i;
        size_t prefix = (size_t)d->prefixes[j];
        if (prefix > prev_len)
            return tn_error_set(err, TN_ECORRUPT,
                                "corrupt page data: DELTA_BYTE_ARRAY prefix of %zu bytes but "
                                "the previous value has %zu", prefix, prev_len);
        prev_len = prefix + (size_t)d->lengths[j];
        total += prev_len;
        if (total > TN_PARQUET_MAX_REBUILT_BYTES)
            return grow(&d->scratch, &d->scratch_cap, total, err);
    }
    int rc = grow(&d->scratch, &d->scratch_cap, total, err);
    if (rc != 0)
        return rc;
    uint8_t *dst = d->scratch;
    const uint8_t *prev = d->prev;
    size_t plen = d->prev_len;
    for (size_t i = 0; i < n; i++) {
        uint32_t j = d->next + (uint32_t)i;
        size_t prefix = (size_t)d->prefixes[j], suffix = (size_t)d->lengths[j];
        if (prefix)
            memcpy(dst, prev, prefix);
        if (suffix)
            memcpy(dst + prefix, d->pos, suffix);
        d->pos += suffix;
        out[i] = tn_str_make((const char *)dst, prefix + suffix);
        prev = dst;
        plen = prefix + suffix;
        dst += plen;
    }
    d->next += (uint32_t)n;
    if (n > 0) {
        /* Keep the last value for the next call: the scratch is reused. */
        rc = grow(&d->prev, &d->prev_cap, plen, err);
        if (rc != 0)
            return rc;
        if (plen)
            memcpy(d->prev, prev, plen);
        d->prev_len = plen;
    }
    if (d->physical_type == TN_PARQUET_FIXED_LEN_BYTE_ARRAY) {
        for (size_t i = 0; i < n; i++) {
            if (out[i].len != d->width)
                return corrupt(err, "DELTA_BYTE_ARRAY value length differs from the "
                               "FIXED_LEN_BYTE_ARRAY width");
        }
    }
    return 0;
}

int tn_parquet_values_get_bytes(tn_parquet_values *d, tn_str *out, size_t n, tn_error *err)
{
    switch (d->encoding) {
    case TN_PARQUET_ENC_PLAIN:
        if (d->physical_type == TN_PARQUET_FIXED_LEN_BYTE_ARRAY) {
            const uint32_t w = d->width;
            if ((uint64_t)n * w > (uint64_t)(d->end - d->pos))
                return corrupt(err, "PLAIN page holds fewer values than needed");
            for (size_t i = 0; i < n; i++)
                out[i] = tn_str_make((const char *)d->pos + i * w, w);
            d->pos += n * w;
            return 0;
        } else {
            const uint8_t *p = d->pos, *end = d->end;
            for (size_t i = 0; i < n; i++) {
                if (end - p < 4)
                    return corrupt(err, "PLAIN page holds fewer values than needed");
                uint32_t len;
                memcpy(&len, p, 4);
                p += 4;
                if (len > (size_t)(end - p))
                    return corrupt(err, "byte array value runs past the end of the page");
                out[i] = tn_str_make((const char *)p, len);
                p += len;
            }
            d->pos = p;
            return 0;
        }
    case TN_PARQUET_ENC_PLAIN_DICTIONARY:
    case TN_PARQUET_ENC_RLE_DICTIONARY: {
        const tn_str *dict = d->dict->bytes;
        if (!dict)
            return corrupt(err, "dictionary does not match the column type");
        size_t done = 0;
        while (done < n) {
            size_t k = n - done < INDEX_CHUNK ? n - done : INDEX_CHUNK;
            int rc = dict_indices(d, k, err);
            if (rc != 0)
                return rc;
            for (size_t i = 0; i < k; i++)
                out[done + i] = dict[d->indices[i]];
            done += k;
        }
        return 0;
    }
    case TN_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY: {
        if (n > (size_t)(d->count - d->next))
            return corrupt(err, "DELTA_LENGTH_BYTE_ARRAY page holds fewer values than needed");
        /* The lengths were checked against the page size at init. */
        for (size_t i = 0; i < n; i++) {
            size_t len = (size_t)d->lengths[d->next + i];
            out[i] = tn_str_make((const char *)d->pos, len);
            d->pos += len;
        }
        d->next += (uint32_t)n;
        return 0;
    }
    case TN_PARQUET_ENC_DELTA_BYTE_ARRAY:
        return get_delta_byte_array(d, out, n, err);
    case TN_PARQUET_ENC_BYTE_STREAM_SPLIT: {
        const uint32_t w = d->width;
        int rc = grow(&d->scratch, &d->scratch_cap, n * w, err);
        if (rc != 0)
            return rc;
        rc = bss_gather(d, d->scratch, n, err);
        if (rc != 0)
            return rc;
        for (size_t i = 0; i < n; i++)
            out[i] = tn_str_make((const char *)d->scratch + i * w, w);
        return 0;
    }
    default:
        return tn_error_set(err, TN_EUNSUPPORTED, "encoding %s is not supported for %s columns",
                            tn_parquet_encoding_name(d->encoding),
                            tn_parquet_type_name(d->physical_type));
    }
}
