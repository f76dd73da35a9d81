/* SPDX-License-Identifier: Apache-2.0
 *
 * Parquet value and level decoders (formats/parquet/decode.c). Inputs are encoded here by
 * hand, following Encodings.md (its worked examples are used verbatim), then decoded and
 * compared; truncated and malformed inputs must be errors.
 */
#include <criterion/criterion.h>

#include "formats/parquet/decode.h"
#include "formats/parquet/metadata.h"

#include <stdlib.h>

/* ------------------------------------------------------------------------------------------
 * Test-side encoders
 * ---------------------------------------------------------------------------------------- */

static void put_uleb(tn_buf *b, uint64_t v)
{
    while (v >= 0x80) {
        tn_buf_putc(b, (char)(v | 0x80));
        v >>= 7;
    }
    tn_buf_putc(b, (char)v);
}

static void put_zigzag(tn_buf *b, int64_t v)
{
    put_uleb(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* LSB-first bit packing of count values (count a multiple of 8). */
static void put_packed(tn_buf *b, const uint64_t *v, size_t count, int w)
{
    uint8_t *bytes = calloc((count * (size_t)w + 7) / 8 + 1, 1);
    for (size_t i = 0; i < count; i++)
        for (int k = 0; k < w; k++)
            if ((v[i] >> k) & 1)
                bytes[(i * (size_t)w + (size_t)k) / 8] |= (uint8_t)(1u << ((i * (size_t)w + (size_t)k) % 8));
    tn_buf_append(b, bytes, (count * (size_t)w + 7) / 8);
    free(bytes);
}

static void put_rle_run(tn_buf *b, uint32_t value, uint32_t count, int w)
{
    put_uleb(b, (uint64_t)count << 1);
    for (int i = 0; i < (w + 7) / 8; i++)
        tn_buf_putc(b, (char)(value >> (8 * i)));
}

static void put_packed_run(tn_buf *b, const uint32_t *v, uint32_t count, int w)
{
    uint64_t tmp[4096];
    cr_assert(count % 8 == 0 && count <= 4096);
    for (uint32_t i = 0; i < count; i++)
        tmp[i] = v[i];
    put_uleb(b, ((uint64_t)(count / 8) << 1) | 1);
    put_packed(b, tmp, count, w);
}

/* DELTA_BINARY_PACKED with blocks of 128 values in 4 miniblocks. */
static void put_delta(tn_buf *b, const int64_t *v, size_t n, bool is32)
{
    put_uleb(b, 128);
    put_uleb(b, 4);
    put_uleb(b, n);
    put_zigzag(b, n ? v[0] : 0);
    for (size_t start = 1; start < n; start += 128) {
        size_t cnt = n - start < 128 ? n - start : 128;
        uint64_t deltas[128] = {0};
        int64_t min = INT64_MAX;
        for (size_t i = 0; i < cnt; i++) {
            uint64_t d = (uint64_t)v[start + i] - (uint64_t)v[start + i - 1];
            if (is32)
                d = (uint64_t)(int64_t)(int32_t)(uint32_t)d;
            deltas[i] = d;
            if ((int64_t)d < min)
                min = (int64_t)d;
        }
        put_zigzag(b, min);
        int widths[4] = {0};
        for (size_t i = 0; i < cnt; i++) {
            deltas[i] -= (uint64_t)min;
            if (is32)
                deltas[i] &= 0xffffffffu;
            int w = 0;
            while (w < 64 && (deltas[i] >> w))
                w++;
            if (w > widths[i / 32])
                widths[i / 32] = w;
        }
        size_t minis = (cnt + 31) / 32;
        for (int m = 0; m < 4; m++)
            tn_buf_putc(b, (char)(m < (int)minis ? widths[m] : 0x7f /* unused: any value */));
        for (size_t m = 0; m < minis; m++)
            put_packed(b, deltas + m * 32, 32, widths[m]);
    }
}

/* ------------------------------------------------------------------------------------------
 * RLE / bit-packed hybrid
 * ---------------------------------------------------------------------------------------- */

Test(parquet_decode, rle_spec_example)
{
    /* Encodings.md: 0..7 at bit width 3 bit-packed -> 10001000 11000110 11111010. */
    const uint8_t data[] = {0x03, 0x88, 0xC6, 0xFA};
    tn_parquet_rle d;
    tn_parquet_rle_init(&d, data, sizeof(data), 3);
    uint32_t out[8];
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 8, NULL), 0);
    for (uint32_t i = 0; i < 8; i++)
        cr_assert_eq(out[i], i);
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 1, NULL), TN_ECORRUPT);
}

Test(parquet_decode, bit_packed_legacy_spec_example)
{
    /* Encodings.md, deprecated BIT_PACKED: 0..7 at width 3 -> 00000101 00111001 01110111. */
    const uint8_t data[] = {0x05, 0x39, 0x77};
    tn_parquet_rle d;
    tn_parquet_rle_init_legacy(&d, data, sizeof(data), 3);
    uint8_t out[8];
    cr_assert_eq(tn_parquet_rle_get_u8(&d, out, 8, NULL), 0);
    for (uint8_t i = 0; i < 8; i++)
        cr_assert_eq(out[i], i);
    cr_assert_eq(tn_parquet_rle_get_u8(&d, out, 1, NULL), TN_ECORRUPT);
}

Test(parquet_decode, rle_mixed_runs_every_width)
{
    for (int w = 0; w <= 32; w++) {
        uint32_t mask = w == 32 ? 0xffffffffu : (1u << w) - 1;
        uint32_t vals[2000];
        tn_buf b = TN_BUF_INIT;
        size_t n = 0;
        uint32_t x = 12345;
        /* RLE run, packed run, RLE run, long packed run. */
        put_rle_run(&b, 0xdeadbeef & mask, 37, w);
        for (int i = 0; i < 37; i++)
            vals[n++] = 0xdeadbeef & mask;
        uint32_t packed[1024];
        for (int i = 0; i < 64; i++) {
            x = x * 1664525u + 1013904223u;
            packed[i] = x & mask;
            vals[n++] = packed[i];
        }
        put_packed_run(&b, packed, 64, w);
        put_rle_run(&b, 1 & mask, 5, w);
        for (int i = 0; i < 5; i++)
            vals[n++] = 1 & mask;
        for (int i = 0; i < 1000; i++) {
            x = x * 1664525u + 1013904223u;
            packed[i] = (x ^ (x >> 7)) & mask;
        }
        put_packed_run(&b, packed, 1000, w);
        for (int i = 0; i < 1000; i++)
            vals[n++] = packed[i];
        /* Decode in uneven steps to cross run and group boundaries. */
        tn_parquet_rle d;
        tn_parquet_rle_init(&d, b.data, b.len, w);
        uint32_t out[2000];
        size_t got = 0, step = 1;
        while (got < n) {
            size_t k = n - got < step ? n - got : step;
            cr_assert_eq(tn_parquet_rle_get_u32(&d, out + got, k, NULL), 0, "width %d", w);
            got += k;
            step = step * 3 % 97 + 1;
        }
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(out[i], vals[i], "width %d value %zu: %u != %u", w, i, out[i], vals[i]);
        if (w <= 8) {
            uint8_t out8[2000];
            tn_parquet_rle_init(&d, b.data, b.len, w);
            cr_assert_eq(tn_parquet_rle_get_u8(&d, out8, n, NULL), 0);
            for (size_t i = 0; i < n; i++)
                cr_assert_eq(out8[i], vals[i]);
        }
        tn_buf_free(&b);
    }
}

Test(parquet_decode, rle_truncated_and_malformed)
{
    tn_parquet_rle d;
    uint32_t out[64];
    tn_error err = {0};
    /* Header promises 8 groups at width 5 (40 bytes); only 3 bytes follow: the values whose
     * bits are present decode, the rest is an error. */
    const uint8_t short_packed[] = {0x11, 0xff, 0xff, 0xff};
    tn_parquet_rle_init(&d, short_packed, sizeof(short_packed), 5);
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 4, &err), 0);
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 1, &err), TN_ECORRUPT);
    /* RLE run whose value bytes are missing. */
    const uint8_t short_rle[] = {0x10, 0x01};
    tn_parquet_rle_init(&d, short_rle, sizeof(short_rle), 16);
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 1, &err), TN_ECORRUPT);
    /* A varint header that never ends. */
    const uint8_t endless[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    tn_parquet_rle_init(&d, endless, sizeof(endless), 1);
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 1, &err), TN_ECORRUPT);
    /* Empty input. */
    tn_parquet_rle_init(&d, endless, 0, 1);
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 1, &err), TN_ECORRUPT);
    /* Width 0: a run of zeros costs no value bytes. */
    const uint8_t zeros[] = {0x20};
    tn_parquet_rle_init(&d, zeros, sizeof(zeros), 0);
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 16, &err), 0);
    cr_assert_eq(out[15], 0);
    /* Legacy levels shorter than asked. */
    tn_parquet_rle_init_legacy(&d, zeros, 1, 3);
    uint8_t o8[8];
    cr_assert_eq(tn_parquet_rle_get_u8(&d, o8, 3, &err), TN_ECORRUPT);
}

Test(parquet_decode, rle_skip_repeat)
{
    /* A run of 100 ones, 8 bit-packed values, then a run of 50 twos (width 2). */
    tn_buf b = TN_BUF_INIT;
    put_rle_run(&b, 1, 100, 2);
    const uint32_t packed[8] = {1, 1, 0, 1, 1, 1, 1, 1};
    put_packed_run(&b, packed, 8, 2);
    put_rle_run(&b, 2, 50, 2);
    tn_parquet_rle d;
    uint32_t out[64];
    tn_error err = {0};
    tn_parquet_rle_init(&d, b.data, b.len, 2);
    /* The header is read on the way; a wrong value or a run too short leaves it unread. */
    cr_assert(!tn_parquet_rle_skip_repeat(&d, 2, 10));
    cr_assert(!tn_parquet_rle_skip_repeat(&d, 1, 101));
    cr_assert(tn_parquet_rle_skip_repeat(&d, 1, 60));
    cr_assert(tn_parquet_rle_skip_repeat(&d, 1, 30));
    cr_assert(!tn_parquet_rle_skip_repeat(&d, 1, 11));
    /* The getters go on where the skips stopped: 10 ones, then the packed values. */
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 12, &err), 0);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(out[i], 1);
    cr_assert_eq(out[10], 1);
    cr_assert_eq(out[11], 1);
    /* Inside a bit-packed run (or with a group half read) nothing is skipped. */
    cr_assert(!tn_parquet_rle_skip_repeat(&d, 1, 1));
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 6, &err), 0);
    cr_assert_eq(out[0], 0);
    cr_assert(tn_parquet_rle_skip_repeat(&d, 2, 50));
    /* Nothing left: the getters report the end as before. */
    cr_assert(!tn_parquet_rle_skip_repeat(&d, 2, 1));
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 1, &err), TN_ECORRUPT);
    /* A malformed header is left for the getters to report. */
    const uint8_t endless[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    tn_parquet_rle_init(&d, endless, sizeof(endless), 1);
    cr_assert(!tn_parquet_rle_skip_repeat(&d, 1, 1));
    cr_assert_eq(tn_parquet_rle_get_u32(&d, out, 1, &err), TN_ECORRUPT);
    cr_assert(strstr(err.message, "malformed") != NULL, "%s", err.message);
    /* Legacy BIT_PACKED levels have no runs. */
    tn_parquet_rle_init_legacy(&d, endless, sizeof(endless), 1);
    cr_assert(!tn_parquet_rle_skip_repeat(&d, 1, 1));
    tn_buf_free(&b);
}

/* ------------------------------------------------------------------------------------------
 * DELTA_BINARY_PACKED
 * ---------------------------------------------------------------------------------------- */

Test(parquet_decode, delta_spec_examples)
{
    /* Example 1: 1, 2, 3, 4, 5 (block size 8, one miniblock, bit width 0). */
    const uint8_t ex1[] = {8, 1, 5, 2, 2, 0};
    tn_parquet_delta d;
    int64_t out[8];
    cr_assert_eq(tn_parquet_delta_init(&d, ex1, sizeof(ex1), NULL), 0);
    cr_assert_eq(tn_parquet_delta_get_i64(&d, out, 5, NULL), 0);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(out[i], i + 1);
    cr_assert_eq(tn_parquet_delta_end(&d), ex1 + sizeof(ex1));
    /* Example 2: 7, 5, 3, 1, 2, 3, 4, 5: min delta -2, width 2, 0,0,0,3,3,3,3 packed. */
    const uint8_t ex2[] = {8, 1, 8, 14, 3, 2, 0xC0, 0x3F};
    const int64_t want[] = {7, 5, 3, 1, 2, 3, 4, 5};
    cr_assert_eq(tn_parquet_delta_init(&d, ex2, sizeof(ex2), NULL), 0);
    cr_assert_eq(tn_parquet_delta_get_i64(&d, out, 8, NULL), 0);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(out[i], want[i]);
    cr_assert_eq(tn_parquet_delta_get_i64(&d, out, 1, NULL), TN_ECORRUPT);
}

Test(parquet_decode, delta_roundtrip)
{
    static int64_t v[5000];
    uint64_t x = 99;
    for (int mode = 0; mode < 4; mode++) {
        bool is32 = mode >= 2;
        size_t n = mode % 2 ? 5000 : 1;
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            int64_t r = (int64_t)x;
            if (i % 100 == 0)
                r = is32 ? INT32_MIN : INT64_MIN;
            else if (i % 100 == 1)
                r = is32 ? INT32_MAX : INT64_MAX;
            else if (i % 3)
                r = (int64_t)(i * 17) - 3000; /* small steps */
            v[i] = is32 ? (int32_t)r : r;
        }
        tn_buf b = TN_BUF_INIT;
        put_delta(&b, v, n, is32);
        tn_buf_append(&b, "TAIL", 4);
        tn_parquet_delta d;
        cr_assert_eq(tn_parquet_delta_init(&d, b.data, b.len, NULL), 0);
        size_t got = 0;
        if (is32) {
            static int32_t o32[5000];
            while (got < n) {
                size_t k = n - got < 333 ? n - got : 333;
                cr_assert_eq(tn_parquet_delta_get_i32(&d, o32 + got, k, NULL), 0);
                got += k;
            }
            for (size_t i = 0; i < n; i++)
                cr_assert_eq(o32[i], (int32_t)v[i], "mode %d value %zu", mode, i);
        } else {
            static int64_t o64[5000];
            while (got < n) {
                size_t k = n - got < 333 ? n - got : 333;
                cr_assert_eq(tn_parquet_delta_get_i64(&d, o64 + got, k, NULL), 0);
                got += k;
            }
            for (size_t i = 0; i < n; i++)
                cr_assert_eq(o64[i], v[i], "mode %d value %zu", mode, i);
        }
        cr_assert_eq(memcmp(tn_parquet_delta_end(&d), "TAIL", 4), 0, "mode %d", mode);
        tn_buf_free(&b);
    }
}

Test(parquet_decode, delta_corrupt)
{
    tn_parquet_delta d;
    tn_error err = {0};
    int64_t out[16];
    const uint8_t zero_block[] = {0, 1, 5, 2};
    cr_assert_eq(tn_parquet_delta_init(&d, zero_block, sizeof(zero_block), &err), TN_ECORRUPT);
    const uint8_t odd_mini[] = {8, 3, 5, 2};
    cr_assert_eq(tn_parquet_delta_init(&d, odd_mini, sizeof(odd_mini), &err), TN_ECORRUPT);
    const uint8_t truncated[] = {8, 1};
    cr_assert_eq(tn_parquet_delta_init(&d, truncated, sizeof(truncated), &err), TN_ECORRUPT);
    /* Bit width 65. */
    const uint8_t wide[] = {8, 1, 5, 2, 2, 65, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    cr_assert_eq(tn_parquet_delta_init(&d, wide, sizeof(wide), &err), 0);
    cr_assert_eq(tn_parquet_delta_get_i64(&d, out, 5, &err), TN_ECORRUPT);
    /* Miniblock bits missing. */
    const uint8_t short_mini[] = {8, 1, 8, 2, 2, 8, 1, 2};
    cr_assert_eq(tn_parquet_delta_init(&d, short_mini, sizeof(short_mini), &err), 0);
    cr_assert_eq(tn_parquet_delta_get_i64(&d, out, 8, &err), TN_ECORRUPT);
}

/* ------------------------------------------------------------------------------------------
 * Page values
 * ---------------------------------------------------------------------------------------- */

Test(parquet_decode, plain_fixed_and_bool)
{
    int32_t i32[5] = {1, -2, 3, INT32_MAX, INT32_MIN};
    tn_parquet_values d;
    int32_t o[5];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_PLAIN, TN_PARQUET_INT32, 0, i32,
                                        sizeof(i32), 5, NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_fixed(&d, o, 2, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_fixed(&d, o + 2, 3, NULL), 0);
    cr_assert_eq(memcmp(o, i32, sizeof(o)), 0);
    cr_assert_eq(tn_parquet_values_get_fixed(&d, o, 1, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);

    uint8_t int96[24] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    uint8_t o96[24];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_PLAIN, TN_PARQUET_INT96, 0, int96,
                                        sizeof(int96), 2, NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_fixed(&d, o96, 2, NULL), 0);
    cr_assert_eq(memcmp(o96, int96, 24), 0);
    tn_parquet_values_free(&d);

    /* 11 booleans LSB first: 1,0,1,1,0,0,0,1 | 1,1,0 */
    const uint8_t bits[] = {0x8D, 0x03};
    const uint8_t want[] = {1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0};
    uint8_t ob[11];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_PLAIN, TN_PARQUET_BOOLEAN, 0, bits,
                                        sizeof(bits), 11, NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bool(&d, ob, 3, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bool(&d, ob + 3, 8, NULL), 0);
    cr_assert_eq(memcmp(ob, want, 11), 0);
    cr_assert_eq(tn_parquet_values_get_bool(&d, ob, 6, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
}

Test(parquet_decode, rle_booleans)
{
    tn_buf b = TN_BUF_INIT;
    tn_buf inner = TN_BUF_INIT;
    put_rle_run(&inner, 1, 10, 1);
    uint32_t p[8] = {0, 1, 0, 1, 1, 1, 0, 0};
    put_packed_run(&inner, p, 8, 1);
    uint32_t len = (uint32_t)inner.len;
    tn_buf_append(&b, &len, 4);
    tn_buf_append(&b, inner.data, inner.len);
    tn_parquet_values d;
    uint8_t out[18];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_RLE, TN_PARQUET_BOOLEAN, 0, b.data,
                                        b.len, 18, NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bool(&d, out, 18, NULL), 0);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(out[i], 1);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(out[10 + i], p[i]);
    tn_parquet_values_free(&d);
    /* Length prefix larger than the data. */
    len = 1000;
    memcpy(b.data, &len, 4);
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_RLE, TN_PARQUET_BOOLEAN, 0, b.data,
                                        b.len, 18, NULL, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
    tn_buf_free(&b);
    tn_buf_free(&inner);
}

Test(parquet_decode, plain_byte_arrays)
{
    tn_buf b = TN_BUF_INIT;
    const char *words[] = {"", "a", "hello", "parquet"};
    for (int i = 0; i < 4; i++) {
        uint32_t n = (uint32_t)strlen(words[i]);
        tn_buf_append(&b, &n, 4);
        tn_buf_append(&b, words[i], n);
    }
    tn_parquet_values d;
    tn_str out[4];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_PLAIN, TN_PARQUET_BYTE_ARRAY, 0,
                                        b.data, b.len, 4, NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bytes(&d, out, 4, NULL), 0);
    for (int i = 0; i < 4; i++)
        cr_assert(tn_str_eq(out[i], tn_str_c(words[i])));
    cr_assert_eq(tn_parquet_values_get_bytes(&d, out, 1, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
    /* A length running past the page. */
    uint32_t huge = 0x7fffffff;
    memcpy(b.data, &huge, 4);
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_PLAIN, TN_PARQUET_BYTE_ARRAY, 0,
                                        b.data, b.len, 4, NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bytes(&d, out, 1, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
    /* FLBA(3). */
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_PLAIN,
                                        TN_PARQUET_FIXED_LEN_BYTE_ARRAY, 3, "abcdefg", 7, 2,
                                        NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bytes(&d, out, 2, NULL), 0);
    cr_assert(tn_str_eq(out[1], tn_str_c("def")));
    cr_assert_eq(tn_parquet_values_get_bytes(&d, out, 1, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
    tn_buf_free(&b);
}

Test(parquet_decode, dictionary)
{
    tn_buf page = TN_BUF_INIT;
    const char *words[] = {"zero", "one", "two"};
    for (int i = 0; i < 3; i++) {
        uint32_t n = (uint32_t)strlen(words[i]);
        tn_buf_append(&page, &n, 4);
        tn_buf_append(&page, words[i], n);
    }
    tn_parquet_dictionary dict;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_dictionary_decode(TN_PARQUET_BYTE_ARRAY, 0, page.data, page.len, 3,
                                              &dict, &err), 0);
    /* Indices 2,0,1,1,... at width 2: RLE run then packed. */
    tn_buf idx = TN_BUF_INIT;
    tn_buf_putc(&idx, 2);
    put_rle_run(&idx, 2, 3, 2);
    uint32_t p[8] = {0, 1, 2, 1, 0, 0, 2, 2};
    put_packed_run(&idx, p, 8, 2);
    tn_parquet_values d;
    tn_str out[11];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_RLE_DICTIONARY, TN_PARQUET_BYTE_ARRAY,
                                        0, idx.data, idx.len, 11, &dict, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bytes(&d, out, 11, NULL), 0);
    cr_assert(tn_str_eq(out[0], tn_str_c("two")));
    for (int i = 0; i < 8; i++)
        cr_assert(tn_str_eq(out[3 + i], tn_str_c(words[p[i]])));
    tn_parquet_values_free(&d);
    /* Index 3 is past the dictionary. */
    tn_buf_clear(&idx);
    tn_buf_putc(&idx, 2);
    put_rle_run(&idx, 3, 1, 2);
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_RLE_DICTIONARY, TN_PARQUET_BYTE_ARRAY,
                                        0, idx.data, idx.len, 1, &dict, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bytes(&d, out, 1, &err), TN_ECORRUPT);
    cr_assert(strstr(err.message, "out of range") != NULL);
    tn_parquet_values_free(&d);
    /* Bit width above 32. */
    idx.data[0] = 33;
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_RLE_DICTIONARY, TN_PARQUET_BYTE_ARRAY,
                                        0, idx.data, idx.len, 1, &dict, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
    /* No dictionary at all. */
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_RLE_DICTIONARY, TN_PARQUET_BYTE_ARRAY,
                                        0, idx.data, idx.len, 1, NULL, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
    tn_parquet_dictionary_free(&dict);

    /* Dictionary page problems. */
    cr_assert_eq(tn_parquet_dictionary_decode(TN_PARQUET_BYTE_ARRAY, 0, page.data, page.len, -1,
                                              &dict, &err), TN_ECORRUPT);
    cr_assert_eq(tn_parquet_dictionary_decode(TN_PARQUET_BYTE_ARRAY, 0, page.data, page.len,
                                              1000000, &dict, &err), TN_ECORRUPT);
    cr_assert_eq(tn_parquet_dictionary_decode(TN_PARQUET_BYTE_ARRAY, 0, page.data,
                                              page.len - 1, 3, &dict, &err), TN_ECORRUPT);
    cr_assert_eq(tn_parquet_dictionary_decode(TN_PARQUET_BOOLEAN, 0, page.data, page.len, 1,
                                              &dict, &err), TN_ECORRUPT);
    /* Fixed-width dictionary gathered into INT64 values. */
    int64_t entries[3] = {-5, 70000000000LL, 9};
    cr_assert_eq(tn_parquet_dictionary_decode(TN_PARQUET_INT64, 0, entries, sizeof(entries), 3,
                                              &dict, &err), 0);
    tn_buf_clear(&idx);
    tn_buf_putc(&idx, 2);
    put_packed_run(&idx, p, 8, 2);
    int64_t o64[8];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_PLAIN_DICTIONARY, TN_PARQUET_INT64, 0,
                                        idx.data, idx.len, 8, &dict, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_fixed(&d, o64, 8, NULL), 0);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(o64[i], entries[p[i]]);
    tn_parquet_values_free(&d);
    tn_parquet_dictionary_free(&dict);
    tn_buf_free(&idx);
    tn_buf_free(&page);
}

Test(parquet_decode, delta_length_and_delta_strings)
{
    const char *words[] = {"apple", "applesauce", "apply", "banana", "", "band"};
    int64_t lens[6], prefixes[6] = {0, 5, 4, 0, 0, 0}, suffix_lens[6];
    tn_buf b = TN_BUF_INIT;
    for (int i = 0; i < 6; i++)
        lens[i] = (int64_t)strlen(words[i]);
    /* DELTA_LENGTH_BYTE_ARRAY: lengths, then the bytes. */
    put_delta(&b, lens, 6, true);
    for (int i = 0; i < 6; i++)
        tn_buf_append(&b, words[i], strlen(words[i]));
    tn_parquet_values d;
    tn_str out[6];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY,
                                        TN_PARQUET_BYTE_ARRAY, 0, b.data, b.len, 6, NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bytes(&d, out, 2, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bytes(&d, out + 2, 4, NULL), 0);
    for (int i = 0; i < 6; i++)
        cr_assert(tn_str_eq(out[i], tn_str_c(words[i])), "value %d", i);
    cr_assert_eq(tn_parquet_values_get_bytes(&d, out, 1, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
    /* Lengths larger than the bytes present. */
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY,
                                        TN_PARQUET_BYTE_ARRAY, 0, b.data, b.len - 3, 6, NULL,
                                        NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
    /* More lengths than the page has values. */
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY,
                                        TN_PARQUET_BYTE_ARRAY, 0, b.data, b.len, 5, NULL, NULL),
                 TN_ECORRUPT);
    tn_parquet_values_free(&d);

    /* DELTA_BYTE_ARRAY: prefix lengths, then the suffixes as DELTA_LENGTH_BYTE_ARRAY. */
    tn_buf_clear(&b);
    for (int i = 0; i < 6; i++)
        suffix_lens[i] = lens[i] - prefixes[i];
    put_delta(&b, prefixes, 6, true);
    put_delta(&b, suffix_lens, 6, true);
    for (int i = 0; i < 6; i++)
        tn_buf_append(&b, words[i] + prefixes[i], (size_t)suffix_lens[i]);
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_DELTA_BYTE_ARRAY,
                                        TN_PARQUET_BYTE_ARRAY, 0, b.data, b.len, 6, NULL, NULL), 0);
    for (int i = 0; i < 6; i++) {
        /* One at a time: the previous value must survive between calls. */
        cr_assert_eq(tn_parquet_values_get_bytes(&d, out, 1, NULL), 0);
        cr_assert(tn_str_eq(out[0], tn_str_c(words[i])), "value %d: %.*s", i, (int)out[0].len,
                  out[0].ptr);
    }
    tn_parquet_values_free(&d);
    /* A prefix longer than the previous value. */
    tn_buf_clear(&b);
    int64_t bad_prefix[2] = {0, 9};
    int64_t bad_suffix[2] = {2, 1};
    put_delta(&b, bad_prefix, 2, true);
    put_delta(&b, bad_suffix, 2, true);
    tn_buf_append(&b, "abc", 3);
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_DELTA_BYTE_ARRAY,
                                        TN_PARQUET_BYTE_ARRAY, 0, b.data, b.len, 2, NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bytes(&d, out, 2, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
    tn_buf_free(&b);
}

Test(parquet_decode, delta_binary_packed_values)
{
    int64_t v[300];
    for (int i = 0; i < 300; i++)
        v[i] = (int64_t)i * i - 5000;
    tn_buf b = TN_BUF_INIT;
    put_delta(&b, v, 300, true);
    tn_parquet_values d;
    int32_t out[300];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_DELTA_BINARY_PACKED, TN_PARQUET_INT32,
                                        0, b.data, b.len, 300, NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_fixed(&d, out, 300, NULL), 0);
    for (int i = 0; i < 300; i++)
        cr_assert_eq(out[i], (int32_t)v[i]);
    tn_parquet_values_free(&d);
    /* Not valid for byte arrays or doubles. */
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_DELTA_BINARY_PACKED, TN_PARQUET_DOUBLE,
                                        0, b.data, b.len, 300, NULL, NULL), TN_EUNSUPPORTED);
    tn_parquet_values_free(&d);
    tn_buf_free(&b);
}

Test(parquet_decode, byte_stream_split)
{
    /* Three floats: streams of byte 0, byte 1, byte 2, byte 3. */
    float f[3] = {1.5f, -2.25f, 1e30f};
    uint8_t raw[12], enc[12];
    memcpy(raw, f, 12);
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 4; k++)
            enc[k * 3 + i] = raw[i * 4 + k];
    tn_parquet_values d;
    float out[3];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_BYTE_STREAM_SPLIT, TN_PARQUET_FLOAT, 0,
                                        enc, 12, 3, NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_fixed(&d, out, 1, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_fixed(&d, out + 1, 2, NULL), 0);
    cr_assert_eq(memcmp(out, f, 12), 0);
    cr_assert_eq(tn_parquet_values_get_fixed(&d, out, 1, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
    /* Doubles and a 3-byte FLBA. */
    double g[2] = {3.25, -1e-300};
    uint8_t graw[16], genc[16];
    memcpy(graw, g, 16);
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 8; k++)
            genc[k * 2 + i] = graw[i * 8 + k];
    double gout[2];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_BYTE_STREAM_SPLIT, TN_PARQUET_DOUBLE, 0,
                                        genc, 16, 2, NULL, NULL), 0);
    cr_assert_eq(tn_parquet_values_get_fixed(&d, gout, 2, NULL), 0);
    cr_assert_eq(memcmp(gout, g, 16), 0);
    tn_parquet_values_free(&d);
    const uint8_t flba[6] = {'a', 'd', 'b', 'e', 'c', 'f'}; /* "abc", "def" */
    tn_str s[2];
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_BYTE_STREAM_SPLIT,
                                        TN_PARQUET_FIXED_LEN_BYTE_ARRAY, 3, flba, 6, 2, NULL,
                                        NULL), 0);
    cr_assert_eq(tn_parquet_values_get_bytes(&d, s, 2, NULL), 0);
    cr_assert(tn_str_eq(s[0], tn_str_c("abc")) && tn_str_eq(s[1], tn_str_c("def")));
    tn_parquet_values_free(&d);
    /* Length not a multiple of the width. */
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_BYTE_STREAM_SPLIT, TN_PARQUET_FLOAT, 0,
                                        enc, 11, 3, NULL, NULL), TN_ECORRUPT);
    tn_parquet_values_free(&d);
}

Test(parquet_decode, unknown_encoding)
{
    tn_parquet_values d;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_values_init(&d, 77, TN_PARQUET_INT32, 0, "abcd", 4, 1, NULL, &err),
                 TN_EUNSUPPORTED);
    tn_parquet_values_free(&d);
    cr_assert_eq(tn_parquet_values_init(&d, TN_PARQUET_ENC_RLE, TN_PARQUET_INT32, 0, "abcd", 4, 1,
                                        NULL, &err), TN_EUNSUPPORTED);
    tn_parquet_values_free(&d);
}
