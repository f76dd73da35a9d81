/* SPDX-License-Identifier: Apache-2.0
 *
 * Parquet page codecs over the system libraries: snappy (C API), zlib, zstd, lz4 (block and
 * frame) and brotli. Where a library's stable API lets us supply its allocator (zlib,
 * brotli) we route it through tn_malloc so the allocation-failure tests reach it too; zstd
 * only offers that in its static-linking-only API, so it uses its own.
 *
 * The decompressors are written against one rule: the caller says how many bytes the page
 * holds once decompressed and gives a buffer of exactly that size; anything else the stream
 * claims or produces is corruption. That keeps a hostile file from choosing our allocation
 * sizes and makes "short" and "long" streams errors instead of silent garbage.
 */
#include "formats/parquet/codec.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <lz4frame.h>
#include <pthread.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

static const char *const codec_names[TN_CODEC_COUNT] = {
    "UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW",
};

const char *tn_codec_name(int codec)
{
    if (codec < 0 || codec >= TN_CODEC_COUNT)
        return "UNKNOWN";
    return codec_names[codec];
}

int tn_codec_parse(const char *name, int *out, tn_error *err)
{
    static const struct {
        const char *name;
        int codec;
    } table[] = {
        {"none", TN_CODEC_UNCOMPRESSED}, {"uncompressed", TN_CODEC_UNCOMPRESSED},
        {"snappy", TN_CODEC_SNAPPY},     {"gzip", TN_CODEC_GZIP},
        {"brotli", TN_CODEC_BROTLI},     {"lz4", TN_CODEC_LZ4_RAW},
        {"lz4_raw", TN_CODEC_LZ4_RAW},   {"zstd", TN_CODEC_ZSTD},
    };
    if (name) {
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
            if (tn_str_eq_nocase(tn_str_c(name), tn_str_c(table[i].name))) {
                *out = table[i].codec;
                return 0;
            }
        }
    }
    return tn_error_set(err, TN_EINVAL,
                        "unknown Parquet compression '%s'; use one of none, snappy, gzip, "
                        "brotli, lz4, lz4_raw, zstd",
                        name ? name : "(null)");
}

bool tn_codec_supported(int codec)
{
    return codec >= 0 && codec < TN_CODEC_COUNT && codec != TN_CODEC_LZO;
}

/* ------------------------------------------------------------------------------------------
 * Allocator hooks
 * ---------------------------------------------------------------------------------------- */

static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return tn_calloc(items, size);
}

static void zlib_free(voidpf opaque, voidpf address)
{
    (void)opaque;
    tn_free(address);
}

static void *lib_alloc(void *opaque, size_t size)
{
    (void)opaque;
    return tn_malloc(size);
}

static void lib_free(void *opaque, void *address)
{
    (void)opaque;
    tn_free(address);
}

/* One zstd decompression context per thread: creating one costs more than decompressing a
 * small page, and the reader decompresses pages from several pool threads at once. */
static pthread_key_t zstd_dctx_key;
static pthread_once_t zstd_dctx_once = PTHREAD_ONCE_INIT;
static bool zstd_dctx_key_ok;

static void zstd_dctx_destroy(void *dctx)
{
    ZSTD_freeDCtx((ZSTD_DCtx *)dctx);
}

static void zstd_dctx_key_init(void)
{
    zstd_dctx_key_ok = pthread_key_create(&zstd_dctx_key, zstd_dctx_destroy) == 0;
}

/* The calling thread's context, or a new one the caller must free when *owned is set. */
static ZSTD_DCtx *zstd_dctx_get(bool *owned)
{
    *owned = false;
    pthread_once(&zstd_dctx_once, zstd_dctx_key_init);
    ZSTD_DCtx *dctx = zstd_dctx_key_ok ? pthread_getspecific(zstd_dctx_key) : NULL;
    if (dctx)
        return dctx;
    dctx = ZSTD_createDCtx();
    if (!dctx)
        return NULL;
    if (!zstd_dctx_key_ok || pthread_setspecific(zstd_dctx_key, dctx) != 0)
        *owned = true;
    return dctx;
}

/* ------------------------------------------------------------------------------------------
 * Compression
 * ---------------------------------------------------------------------------------------- */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int compress_gzip(int level, const uint8_t *src, size_t src_len, tn_buf *out,
                         tn_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    zs.zalloc = zlib_alloc;
    zs.zfree = zlib_free;
    if (level <= 0 || level > 9)
        level = Z_DEFAULT_COMPRESSION;
    /* 15 + 16: a gzip wrapper, which is what the Parquet spec asks GZIP pages to hold. */
    int rc = deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (rc == Z_MEM_ERROR)
        return tn_error_set(err, TN_ENOMEM, "out of memory starting gzip compression");
    if (rc != Z_OK)
        return tn_error_set(err, TN_EINTERNAL, "zlib deflateInit2 failed (%d)", rc);
    int result = 0;
    size_t bound = deflateBound(&zs, (uLong)src_len);
    if (tn_buf_reserve(out, bound) != 0) {
        result = tn_error_set(err, TN_ENOMEM, "out of memory compressing a page (gzip)");
        goto done;
    }
    /* deflate's counters are uInt: feed large inputs in slices. */
    size_t in_pos = 0;
    for (;;) {
        size_t in_chunk = src_len - in_pos;
        if (in_chunk > (1u << 30))
            in_chunk = 1u << 30;
        zs.next_in = (Bytef *)(uintptr_t)(src + in_pos);
        zs.avail_in = (uInt)in_chunk;
        int flush = in_pos + in_chunk == src_len ? Z_FINISH : Z_NO_FLUSH;
        do {
            if (out->cap - out->len < 64 && tn_buf_reserve(out, 1u << 16) != 0) {
                result = tn_error_set(err, TN_ENOMEM, "out of memory compressing a page (gzip)");
                goto done;
            }
            size_t room = out->cap - out->len - 1;
            if (room > (1u << 30))
                room = 1u << 30;
            zs.next_out = (Bytef *)out->data + out->len;
            zs.avail_out = (uInt)room;
            rc = deflate(&zs, flush);
            out->len += room - zs.avail_out;
            if (rc == Z_STREAM_ERROR) {
                result = tn_error_set(err, TN_EINTERNAL, "zlib deflate failed");
                goto done;
            }
        } while (zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
        in_pos += in_chunk;
        if (flush == Z_FINISH)
            break;
    }
done:
    deflateEnd(&zs);
    return result;
}

static int compress_lz4_block(const uint8_t *src, size_t src_len, tn_buf *out, tn_error *err)
{
    if (src_len > LZ4_MAX_INPUT_SIZE)
        return tn_error_set(err, TN_ELIMIT, "page of %zu bytes is too large for LZ4", src_len);
    int bound = LZ4_compressBound((int)src_len);
    if (tn_buf_reserve(out, (size_t)bound) != 0)
        return tn_error_set(err, TN_ENOMEM, "out of memory compressing a page (lz4)");
    int n = LZ4_compress_default((const char *)src, out->data + out->len, (int)src_len, bound);
    if (n <= 0 && src_len > 0)
        return tn_error_set(err, TN_EINTERNAL, "LZ4 compression failed");
    out->len += (size_t)n;
    return 0;
}

/* Hadoop framing: chunks of [BE32 uncompressed size][BE32 compressed size][LZ4 block]. */
static int compress_lz4_hadoop(const uint8_t *src, size_t src_len, tn_buf *out, tn_error *err)
{
    const size_t chunk_max = 1u << 24;
    size_t pos = 0;
    do {
        size_t n = src_len - pos < chunk_max ? src_len - pos : chunk_max;
        if (tn_buf_reserve(out, 8) != 0)
            return tn_error_set(err, TN_ENOMEM, "out of memory compressing a page (lz4)");
        size_t header_at = out->len;
        out->len += 8;
        int rc = compress_lz4_block(src + pos, n, out, err);
        if (rc != 0)
            return rc;
        put_be32((uint8_t *)out->data + header_at, (uint32_t)n);
        put_be32((uint8_t *)out->data + header_at + 4, (uint32_t)(out->len - header_at - 8));
        pos += n;
    } while (pos < src_len);
    return 0;
}

int tn_codec_compress(int codec, int level, const void *src_v, size_t src_len, tn_buf *out,
                      tn_error *err)
{
    const uint8_t *src = src_v;
    switch (codec) {
    case TN_CODEC_UNCOMPRESSED:
        if (tn_buf_append(out, src, src_len) != 0)
            return tn_error_set(err, TN_ENOMEM, "out of memory copying a page");
        return 0;
    case TN_CODEC_SNAPPY: {
        size_t bound = snappy_max_compressed_length(src_len);
        if (tn_buf_reserve(out, bound) != 0)
            return tn_error_set(err, TN_ENOMEM, "out of memory compressing a page (snappy)");
        size_t n = bound;
        if (snappy_compress((const char *)src, src_len, out->data + out->len, &n) != SNAPPY_OK)
            return tn_error_set(err, TN_EINTERNAL, "snappy compression failed");
        out->len += n;
        return 0;
    }
    case TN_CODEC_GZIP:
        return compress_gzip(level, src, src_len, out, err);
    case TN_CODEC_BROTLI: {
        size_t bound = BrotliEncoderMaxCompressedSize(src_len);
        if (bound == 0)
            return tn_error_set(err, TN_ELIMIT, "page of %zu bytes is too large for brotli",
                                src_len);
        if (tn_buf_reserve(out, bound) != 0)
            return tn_error_set(err, TN_ENOMEM, "out of memory compressing a page (brotli)");
        int quality = level > 0 && level <= BROTLI_MAX_QUALITY ? level : 5;
        BrotliEncoderState *enc = BrotliEncoderCreateInstance(lib_alloc, lib_free, NULL);
        if (!enc)
            return tn_error_set(err, TN_ENOMEM, "out of memory starting brotli compression");
        BrotliEncoderSetParameter(enc, BROTLI_PARAM_QUALITY, (uint32_t)quality);
        BrotliEncoderSetParameter(enc, BROTLI_PARAM_LGWIN, BROTLI_DEFAULT_WINDOW);
        BrotliEncoderSetParameter(enc, BROTLI_PARAM_SIZE_HINT,
                                  src_len > UINT32_MAX ? UINT32_MAX : (uint32_t)src_len);
        size_t avail_in = src_len, avail_out = bound;
        const uint8_t *next_in = src;
        uint8_t *next_out = (uint8_t *)out->data + out->len;
        BROTLI_BOOL ok = BrotliEncoderCompressStream(enc, BROTLI_OPERATION_FINISH, &avail_in,
                                                     &next_in, &avail_out, &next_out, NULL);
        bool finished = ok && BrotliEncoderIsFinished(enc);
        BrotliEncoderDestroyInstance(enc);
        if (!finished)
            return tn_error_set(err, TN_EINTERNAL, "brotli compression failed");
        out->len += bound - avail_out;
        return 0;
    }
    case TN_CODEC_LZ4:
        return compress_lz4_hadoop(src, src_len, out, err);
    case TN_CODEC_LZ4_RAW:
        return compress_lz4_block(src, src_len, out, err);
    case TN_CODEC_ZSTD: {
        size_t bound = ZSTD_compressBound(src_len);
        if (tn_buf_reserve(out, bound) != 0)
            return tn_error_set(err, TN_ENOMEM, "out of memory compressing a page (zstd)");
        ZSTD_CCtx *cctx = ZSTD_createCCtx();
        if (!cctx)
            return tn_error_set(err, TN_ENOMEM, "out of memory starting zstd compression");
        int lvl = level == 0 ? 3 : level;
        size_t n = ZSTD_compressCCtx(cctx, out->data + out->len, bound, src, src_len, lvl);
        ZSTD_freeCCtx(cctx);
        if (ZSTD_isError(n))
            return tn_error_set(err, TN_EINTERNAL, "zstd compression failed: %s",
                                ZSTD_getErrorName(n));
        out->len += n;
        return 0;
    }
    default:
        return tn_error_set(err, TN_EUNSUPPORTED, "Parquet compression codec %s (%d) is not "
                            "supported", tn_codec_name(codec), codec);
    }
}

/* ------------------------------------------------------------------------------------------
 * Decompression
 * ---------------------------------------------------------------------------------------- */

static int size_mismatch(tn_error *err, const char *codec, size_t got, size_t want)
{
    return tn_error_set(err, TN_ECORRUPT,
                        "%s page decompressed to %zu bytes but its header declares %zu", codec,
                        got, want);
}

static int decompress_gzip(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                           tn_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    zs.zalloc = zlib_alloc;
    zs.zfree = zlib_free;
    /* 15 + 32: detect gzip or zlib headers; some writers used a bare zlib stream. */
    int rc = inflateInit2(&zs, 15 + 32);
    if (rc == Z_MEM_ERROR)
        return tn_error_set(err, TN_ENOMEM, "out of memory starting gzip decompression");
    if (rc != Z_OK)
        return tn_error_set(err, TN_EINTERNAL, "zlib inflateInit2 failed (%d)", rc);
    int result = 0;
    size_t in_pos = 0, out_pos = 0;
    for (;;) {
        size_t in_chunk = src_len - in_pos, out_chunk = dst_len - out_pos;
        if (in_chunk > (1u << 30))
            in_chunk = 1u << 30;
        if (out_chunk > (1u << 30))
            out_chunk = 1u << 30;
        zs.next_in = (Bytef *)(uintptr_t)(src + in_pos);
        zs.avail_in = (uInt)in_chunk;
        zs.next_out = dst + out_pos;
        zs.avail_out = (uInt)out_chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        in_pos += in_chunk - zs.avail_in;
        out_pos += out_chunk - zs.avail_out;
        if (rc == Z_STREAM_END) {
            /* A page may hold several gzip members back to back; go on with the next one.
             * Trailing zero padding (seen from some writers) ends the page. */
            size_t rest = src_len - in_pos;
            bool more = rest >= 2 && src[in_pos] == 0x1f && src[in_pos + 1] == 0x8b;
            if (!more)
                break;
            if (inflateReset(&zs) != Z_OK) {
                result = tn_error_set(err, TN_EINTERNAL, "zlib inflateReset failed");
                goto done;
            }
            continue;
        }
        if (rc == Z_MEM_ERROR) {
            result = tn_error_set(err, TN_ENOMEM, "out of memory decompressing a gzip page");
            goto done;
        }
        if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_STREAM_ERROR) {
            result = tn_error_set(err, TN_ECORRUPT, "corrupt gzip page data: %s",
                                  zs.msg ? zs.msg : "invalid stream");
            goto done;
        }
        if (rc == Z_BUF_ERROR || (in_chunk == zs.avail_in && out_chunk == zs.avail_out)) {
            /* No progress: either the output is full (page longer than declared) or the
             * input ran out before the end of the stream. */
            if (out_pos == dst_len)
                result = tn_error_set(err, TN_ECORRUPT,
                                      "gzip page decompresses to more than the %zu bytes its "
                                      "header declares", dst_len);
            else
                result = tn_error_set(err, TN_ECORRUPT, "gzip page data is truncated");
            goto done;
        }
    }
    if (out_pos != dst_len)
        result = size_mismatch(err, "gzip", out_pos, dst_len);
done:
    inflateEnd(&zs);
    return result;
}

static int decompress_snappy(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                             tn_error *err)
{
    size_t n = 0;
    if (snappy_uncompressed_length((const char *)src, src_len, &n) != SNAPPY_OK)
        return tn_error_set(err, TN_ECORRUPT, "corrupt snappy page data (bad length header)");
    if (n != dst_len)
        return size_mismatch(err, "snappy", n, dst_len);
    size_t out_len = dst_len;
    if (snappy_uncompress((const char *)src, src_len, (char *)dst, &out_len) != SNAPPY_OK)
        return tn_error_set(err, TN_ECORRUPT, "corrupt snappy page data");
    if (out_len != dst_len)
        return size_mismatch(err, "snappy", out_len, dst_len);
    return 0;
}

static int decompress_zstd(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                           tn_error *err)
{
    bool owned = false;
    ZSTD_DCtx *dctx = zstd_dctx_get(&owned);
    if (!dctx)
        return tn_error_set(err, TN_ENOMEM, "out of memory starting zstd decompression");
    /* Handles concatenated frames and rejects output longer than dst_len. */
    size_t n = ZSTD_decompressDCtx(dctx, dst, dst_len, src, src_len);
    if (owned)
        ZSTD_freeDCtx(dctx);
    if (ZSTD_isError(n)) {
        if (ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation)
            return tn_error_set(err, TN_ENOMEM, "out of memory decompressing a zstd page");
        if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall)
            return tn_error_set(err, TN_ECORRUPT,
                                "zstd page decompresses to more than the %zu bytes its header "
                                "declares", dst_len);
        return tn_error_set(err, TN_ECORRUPT, "corrupt zstd page data: %s",
                            ZSTD_getErrorName(n));
    }
    if (n != dst_len)
        return size_mismatch(err, "zstd", n, dst_len);
    return 0;
}

static int decompress_brotli(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                             tn_error *err)
{
    BrotliDecoderState *dec = BrotliDecoderCreateInstance(lib_alloc, lib_free, NULL);
    if (!dec)
        return tn_error_set(err, TN_ENOMEM, "out of memory starting brotli decompression");
    size_t avail_in = src_len, avail_out = dst_len;
    const uint8_t *next_in = src;
    uint8_t *next_out = dst;
    BrotliDecoderResult r =
        BrotliDecoderDecompressStream(dec, &avail_in, &next_in, &avail_out, &next_out, NULL);
    BrotliDecoderErrorCode code = BrotliDecoderGetErrorCode(dec);
    BrotliDecoderDestroyInstance(dec);
    switch (r) {
    case BROTLI_DECODER_RESULT_SUCCESS:
        if (avail_out != 0)
            return size_mismatch(err, "brotli", dst_len - avail_out, dst_len);
        return 0;
    case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
        return tn_error_set(err, TN_ECORRUPT,
                            "brotli page decompresses to more than the %zu bytes its header "
                            "declares", dst_len);
    case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
        return tn_error_set(err, TN_ECORRUPT, "brotli page data is truncated");
    default:
        if (code == BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES ||
            code == BROTLI_DECODER_ERROR_ALLOC_TREE_GROUPS ||
            code == BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MAP ||
            code == BROTLI_DECODER_ERROR_ALLOC_RING_BUFFER_1 ||
            code == BROTLI_DECODER_ERROR_ALLOC_RING_BUFFER_2 ||
            code == BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES)
            return tn_error_set(err, TN_ENOMEM, "out of memory decompressing a brotli page");
        return tn_error_set(err, TN_ECORRUPT, "corrupt brotli page data: %s",
                            BrotliDecoderErrorString(code));
    }
}

/* A raw LZ4 block that must produce exactly dst_len bytes. Returns false on any mismatch. */
static bool lz4_block_exact(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
    if (src_len > LZ4_MAX_INPUT_SIZE || dst_len > INT32_MAX)
        return false;
    int n = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len, (int)dst_len);
    return n >= 0 && (size_t)n == dst_len;
}

/* Hadoop's BlockCompressorStream framing: chunks of [BE32 raw size] then blocks of
 * [BE32 compressed size][LZ4 block] until the chunk's raw size is produced. */
static bool lz4_hadoop(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
    size_t in = 0, out = 0;
    if (src_len < 8)
        return false;
    while (in < src_len) {
        if (src_len - in < 4)
            return false;
        size_t chunk_raw = get_be32(src + in);
        in += 4;
        if (chunk_raw > dst_len - out)
            return false;
        size_t chunk_end = out + chunk_raw;
        do {
            if (src_len - in < 4)
                return false;
            size_t block_len = get_be32(src + in);
            in += 4;
            if (block_len > src_len - in)
                return false;
            if (block_len > LZ4_MAX_INPUT_SIZE)
                return false;
            int n = LZ4_decompress_safe((const char *)src + in, (char *)dst + out,
                                        (int)block_len, (int)(chunk_end - out));
            if (n < 0)
                return false;
            /* A block that produces nothing cannot advance the chunk: corrupt. */
            if (n == 0 && chunk_end > out)
                return false;
            out += (size_t)n;
            in += block_len;
        } while (out < chunk_end);
    }
    return out == dst_len;
}

static bool lz4_frame(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
    if (src_len < 4 || !(src[0] == 0x04 && src[1] == 0x22 && src[2] == 0x4d && src[3] == 0x18))
        return false;
    LZ4F_dctx *dctx = NULL;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
        return false;
    size_t in = 0, out = 0;
    bool ok = false;
    for (;;) {
        size_t in_n = src_len - in, out_n = dst_len - out;
        size_t hint = LZ4F_decompress(dctx, dst + out, &out_n, src + in, &in_n, NULL);
        if (LZ4F_isError(hint))
            break;
        in += in_n;
        out += out_n;
        if (hint == 0) {
            /* End of a frame; another may follow. */
            if (in == src_len) {
                ok = out == dst_len;
                break;
            }
            continue;
        }
        if (in_n == 0 && out_n == 0)
            break; /* no progress: truncated or longer than declared */
    }
    LZ4F_freeDecompressionContext(dctx);
    return ok;
}

int tn_codec_decompress(int codec, const void *src_v, size_t src_len, void *dst_v,
                        size_t dst_len, tn_error *err)
{
    const uint8_t *src = src_v;
    uint8_t *dst = dst_v;
    /* An empty page body: nothing to feed the library (snappy and others reject it). */
    if (src_len == 0) {
        if (dst_len == 0 && codec >= 0 && codec < TN_CODEC_COUNT)
            return 0;
        if (codec != TN_CODEC_UNCOMPRESSED)
            return tn_error_set(err, TN_ECORRUPT,
                                "%s page has no compressed bytes but declares %zu bytes",
                                tn_codec_name(codec), dst_len);
    }
    switch (codec) {
    case TN_CODEC_UNCOMPRESSED:
        if (src_len != dst_len)
            return tn_error_set(err, TN_ECORRUPT,
                                "uncompressed page holds %zu bytes but its header declares "
                                "%zu", src_len, dst_len);
        memcpy(dst, src, src_len);
        return 0;
    case TN_CODEC_SNAPPY:
        return decompress_snappy(src, src_len, dst, dst_len, err);
    case TN_CODEC_GZIP:
        return decompress_gzip(src, src_len, dst, dst_len, err);
    case TN_CODEC_BROTLI:
        return decompress_brotli(src, src_len, dst, dst_len, err);
    case TN_CODEC_ZSTD:
        return decompress_zstd(src, src_len, dst, dst_len, err);
    case TN_CODEC_LZ4_RAW:
        if (!lz4_block_exact(src, src_len, dst, dst_len))
            return tn_error_set(err, TN_ECORRUPT,
                                "corrupt LZ4_RAW page data (or not %zu bytes once decompressed)",
                                dst_len);
        return 0;
    case TN_CODEC_LZ4:
        if (lz4_hadoop(src, src_len, dst, dst_len) || lz4_frame(src, src_len, dst, dst_len) ||
            lz4_block_exact(src, src_len, dst, dst_len))
            return 0;
        return tn_error_set(err, TN_ECORRUPT,
                            "corrupt LZ4 page data: not a Hadoop-framed, LZ4 frame or raw LZ4 "
                            "block of %zu bytes", dst_len);
    default:
        return tn_error_set(err, TN_EUNSUPPORTED,
                            "Parquet compression codec %s (%d) is not supported; rewrite the "
                            "file with snappy, gzip, zstd, brotli or lz4",
                            tn_codec_name(codec), codec);
    }
}
