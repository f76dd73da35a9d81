/* SPDX-License-Identifier: Apache-2.0
 *
 * Parquet page codecs (formats/parquet/codec.c): every codec round-trips; streams produced by
 * the libraries directly (zlib, gzip members, LZ4 frames, raw LZ4 blocks, concatenated zstd
 * frames) decompress; and a declared size that is off, a truncated stream or flipped bytes
 * are errors, never writes outside the output buffer.
 */
#include <criterion/criterion.h>

#include "formats/parquet/codec.h"

#include <lz4.h>
#include <lz4frame.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

static const int all_codecs[] = {TN_CODEC_UNCOMPRESSED, TN_CODEC_SNAPPY, TN_CODEC_GZIP,
                                 TN_CODEC_BROTLI,       TN_CODEC_LZ4,    TN_CODEC_ZSTD,
                                 TN_CODEC_LZ4_RAW};
#define CODEC_COUNT (sizeof(all_codecs) / sizeof(all_codecs[0]))

/* Text-like data: compressible but not trivially. */
static uint8_t *make_data(size_t n, unsigned seed)
{
    uint8_t *d = malloc(n ? n : 1);
    uint32_t x = seed * 2654435761u + 1;
    static const char words[][8] = {"alpha ", "beta ", "gamma ", "delta ", "42 ", "\n"};
    size_t i = 0;
    while (i < n) {
        x = x * 1103515245u + 12345u;
        const char *w = words[(x >> 16) % 6];
        for (size_t k = 0; w[k] && i < n; k++)
            d[i++] = (uint8_t)w[k];
        if ((x >> 8) % 13 == 0 && i < n)
            d[i++] = (uint8_t)(x >> 24);
    }
    return d;
}

static void roundtrip(int codec, size_t n)
{
    uint8_t *src = make_data(n, (unsigned)(n + (size_t)codec));
    tn_buf packed = TN_BUF_INIT;
    tn_error err = {0};
    int rc = tn_codec_compress(codec, 0, src, n, &packed, &err);
    cr_assert_eq(rc, 0, "%s compress of %zu bytes: %s", tn_codec_name(codec), n, err.message);
    /* One guard byte after the output catches any write past the declared size. */
    uint8_t *out = malloc(n + 1);
    out[n] = 0xA5;
    rc = tn_codec_decompress(codec, packed.data, packed.len, out, n, &err);
    cr_assert_eq(rc, 0, "%s decompress of %zu bytes: %s", tn_codec_name(codec), n, err.message);
    cr_assert(n == 0 || memcmp(out, src, n) == 0, "%s: data differs", tn_codec_name(codec));
    cr_assert_eq(out[n], 0xA5);
    if (n > 0) {
        /* Declared one byte short: an error, and nothing written past it. */
        out[n - 1] = 0x5A;
        rc = tn_codec_decompress(codec, packed.data, packed.len, out, n - 1, &err);
        cr_assert_eq(rc, TN_ECORRUPT, "%s: short output accepted", tn_codec_name(codec));
        /* Declared one byte long. */
        uint8_t *big = malloc(n + 1);
        rc = tn_codec_decompress(codec, packed.data, packed.len, big, n + 1, &err);
        cr_assert_eq(rc, TN_ECORRUPT, "%s: long output accepted", tn_codec_name(codec));
        free(big);
    }
    free(out);
    free(src);
    tn_buf_free(&packed);
}

Test(parquet_codec, roundtrip_all_sizes)
{
    static const size_t sizes[] = {0, 1, 7, 100, 4096, 65537, 1 << 20};
    for (size_t c = 0; c < CODEC_COUNT; c++)
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
            roundtrip(all_codecs[c], sizes[s]);
}

Test(parquet_codec, compress_appends)
{
    tn_buf out = TN_BUF_INIT;
    tn_buf_append(&out, "HEAD", 4);
    cr_assert_eq(tn_codec_compress(TN_CODEC_ZSTD, 3, "hello hello hello", 17, &out, NULL), 0);
    cr_assert_eq(memcmp(out.data, "HEAD", 4), 0);
    char back[17];
    cr_assert_eq(tn_codec_decompress(TN_CODEC_ZSTD, out.data + 4, out.len - 4, back, 17, NULL), 0);
    cr_assert_eq(memcmp(back, "hello hello hello", 17), 0);
    tn_buf_free(&out);
}

Test(parquet_codec, corrupt_streams_rejected)
{
    size_t n = 50000;
    uint8_t *src = make_data(n, 7);
    uint8_t *out = malloc(n);
    for (size_t c = 0; c < CODEC_COUNT; c++) {
        int codec = all_codecs[c];
        if (codec == TN_CODEC_UNCOMPRESSED)
            continue;
        tn_buf packed = TN_BUF_INIT;
        cr_assert_eq(tn_codec_compress(codec, 0, src, n, &packed, NULL), 0);
        tn_error err = {0};
        /* Truncated. */
        int rc = tn_codec_decompress(codec, packed.data, packed.len / 2, out, n, &err);
        cr_assert_neq(rc, 0, "%s: truncated stream accepted", tn_codec_name(codec));
        cr_assert_eq(rc, TN_ECORRUPT, "%s: %s", tn_codec_name(codec), err.message);
        /* Bit flips all over: any result but a crash or an overrun (ASan checks that);
         * a flip that still decodes to the right size is possible for some codecs. */
        for (size_t k = 0; k < 200; k++) {
            uint8_t *bad = malloc(packed.len);
            memcpy(bad, packed.data, packed.len);
            bad[(k * 7919) % packed.len] ^= (uint8_t)(1u << (k % 8));
            rc = tn_codec_decompress(codec, bad, packed.len, out, n, &err);
            cr_assert(rc == 0 || rc == TN_ECORRUPT, "%s: code %d", tn_codec_name(codec), rc);
            free(bad);
        }
        /* Garbage. */
        uint8_t junk[64];
        for (size_t i = 0; i < sizeof(junk); i++)
            junk[i] = (uint8_t)(i * 37 + 11);
        rc = tn_codec_decompress(codec, junk, sizeof(junk), out, n, &err);
        cr_assert_eq(rc, TN_ECORRUPT, "%s: garbage accepted", tn_codec_name(codec));
        tn_buf_free(&packed);
    }
    free(out);
    free(src);
}

Test(parquet_codec, empty_body)
{
    /* A v2 page whose values are all null may carry zero compressed bytes. */
    uint8_t dst[1];
    cr_assert_eq(tn_codec_decompress(TN_CODEC_SNAPPY, "", 0, dst, 0, NULL), 0);
    cr_assert_eq(tn_codec_decompress(TN_CODEC_ZSTD, "", 0, dst, 0, NULL), 0);
    cr_assert_eq(tn_codec_decompress(TN_CODEC_SNAPPY, "", 0, dst, 1, NULL), TN_ECORRUPT);
}

static size_t gzip_member(const uint8_t *src, size_t n, uint8_t *out, size_t cap, int window)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, window, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)src;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t len = cap - zs.avail_out;
    deflateEnd(&zs);
    return len;
}

Test(parquet_codec, gzip_members_and_zlib)
{
    uint8_t *src = make_data(30000, 3);
    uint8_t packed[70000], out[30000];
    /* Two gzip members back to back, 10000 + 20000 bytes. */
    size_t a = gzip_member(src, 10000, packed, sizeof(packed), 15 + 16);
    size_t b = gzip_member(src + 10000, 20000, packed + a, sizeof(packed) - a, 15 + 16);
    tn_error err = {0};
    cr_assert_eq(tn_codec_decompress(TN_CODEC_GZIP, packed, a + b, out, 30000, &err), 0, "%s",
                 err.message);
    cr_assert_eq(memcmp(out, src, 30000), 0);
    /* A zlib-wrapped stream, which old writers produced under GZIP. */
    size_t z = gzip_member(src, 30000, packed, sizeof(packed), 15);
    cr_assert_eq(tn_codec_decompress(TN_CODEC_GZIP, packed, z, out, 30000, &err), 0, "%s",
                 err.message);
    cr_assert_eq(memcmp(out, src, 30000), 0);
    free(src);
}

Test(parquet_codec, lz4_framings)
{
    size_t n = 100000;
    uint8_t *src = make_data(n, 9);
    uint8_t *out = malloc(n);
    size_t cap = (size_t)LZ4_compressBound((int)n) + 64;
    uint8_t *packed = malloc(cap);
    /* A raw block under the LZ4 id (what parquet-cpp 1.5 wrote). */
    int raw = LZ4_compress_default((const char *)src, (char *)packed, (int)n, (int)cap);
    cr_assert_gt(raw, 0);
    cr_assert_eq(tn_codec_decompress(TN_CODEC_LZ4, packed, (size_t)raw, out, n, NULL), 0);
    cr_assert_eq(memcmp(out, src, n), 0);
    /* The LZ4 frame format. */
    size_t fcap = LZ4F_compressFrameBound(n, NULL);
    uint8_t *frame = malloc(fcap);
    size_t f = LZ4F_compressFrame(frame, fcap, src, n, NULL);
    cr_assert(!LZ4F_isError(f));
    cr_assert_eq(tn_codec_decompress(TN_CODEC_LZ4, frame, f, out, n, NULL), 0);
    cr_assert_eq(memcmp(out, src, n), 0);
    /* Hadoop framing with two chunks. */
    tn_buf h = TN_BUF_INIT;
    for (int part = 0; part < 2; part++) {
        size_t off = part ? 60000 : 0, len = part ? n - 60000 : 60000;
        uint8_t head[8];
        int c = LZ4_compress_default((const char *)src + off, (char *)packed, (int)len, (int)cap);
        head[0] = (uint8_t)(len >> 24), head[1] = (uint8_t)(len >> 16);
        head[2] = (uint8_t)(len >> 8), head[3] = (uint8_t)len;
        head[4] = (uint8_t)(c >> 24), head[5] = (uint8_t)(c >> 16);
        head[6] = (uint8_t)(c >> 8), head[7] = (uint8_t)c;
        tn_buf_append(&h, head, 8);
        tn_buf_append(&h, packed, (size_t)c);
    }
    cr_assert_eq(tn_codec_decompress(TN_CODEC_LZ4, h.data, h.len, out, n, NULL), 0);
    cr_assert_eq(memcmp(out, src, n), 0);
    /* LZ4_RAW does not guess: a frame is not a raw block. */
    cr_assert_eq(tn_codec_decompress(TN_CODEC_LZ4_RAW, frame, f, out, n, NULL), TN_ECORRUPT);
    tn_buf_free(&h);
    free(frame);
    free(packed);
    free(out);
    free(src);
}

Test(parquet_codec, zstd_concatenated_frames)
{
    uint8_t *src = make_data(20000, 5);
    size_t cap = ZSTD_compressBound(20000) * 2;
    uint8_t *packed = malloc(cap), out[20000];
    size_t a = ZSTD_compress(packed, cap, src, 5000, 3);
    size_t b = ZSTD_compress(packed + a, cap - a, src + 5000, 15000, 3);
    cr_assert(!ZSTD_isError(a) && !ZSTD_isError(b));
    cr_assert_eq(tn_codec_decompress(TN_CODEC_ZSTD, packed, a + b, out, 20000, NULL), 0);
    cr_assert_eq(memcmp(out, src, 20000), 0);
    free(packed);
    free(src);
}

Test(parquet_codec, names_and_unsupported)
{
    int c = -1;
    cr_assert_eq(tn_codec_parse("ZSTD", &c, NULL), 0);
    cr_assert_eq(c, TN_CODEC_ZSTD);
    cr_assert_eq(tn_codec_parse("lz4", &c, NULL), 0);
    cr_assert_eq(c, TN_CODEC_LZ4_RAW);
    cr_assert_eq(tn_codec_parse("none", &c, NULL), 0);
    cr_assert_eq(c, TN_CODEC_UNCOMPRESSED);
    tn_error err = {0};
    cr_assert_eq(tn_codec_parse("lzma", &c, &err), TN_EINVAL);
    cr_assert(strstr(err.message, "zstd") != NULL);
    cr_assert_str_eq(tn_codec_name(TN_CODEC_LZ4_RAW), "LZ4_RAW");
    cr_assert_str_eq(tn_codec_name(99), "UNKNOWN");
    cr_assert(!tn_codec_supported(TN_CODEC_LZO));
    uint8_t out[4];
    cr_assert_eq(tn_codec_decompress(TN_CODEC_LZO, "abcd", 4, out, 4, &err), TN_EUNSUPPORTED);
    cr_assert_eq(tn_codec_decompress(42, "abcd", 4, out, 4, &err), TN_EUNSUPPORTED);
    tn_buf b = TN_BUF_INIT;
    cr_assert_eq(tn_codec_compress(TN_CODEC_LZO, 0, "abcd", 4, &b, &err), TN_EUNSUPPORTED);
    tn_buf_free(&b);
    /* Uncompressed pages must hold exactly what they declare. */
    cr_assert_eq(tn_codec_decompress(TN_CODEC_UNCOMPRESSED, "abcd", 4, out, 3, &err), TN_ECORRUPT);
}
