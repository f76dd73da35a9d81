/* SPDX-License-Identifier: Apache-2.0
 *
 * Parquet page compression codecs: one compress and one decompress entry point over every
 * CompressionCodec of the Parquet specification that tarn supports (UNCOMPRESSED, SNAPPY,
 * GZIP, BROTLI, LZ4 in its old framings, ZSTD, LZ4_RAW). LZO is not supported.
 *
 * Decompression always writes into a caller buffer whose size is the page's declared
 * uncompressed size: a stream that produces fewer or more bytes is an error (TN_ECORRUPT),
 * so a corrupt page can never make the reader allocate or write past what the header said.
 *
 * Private to formats/parquet (the reader and the writer share it).
 */
#ifndef TN_PARQUET_CODEC_H
#define TN_PARQUET_CODEC_H

#include "core/core.h"

/* The values of parquet.thrift's CompressionCodec enum (they are stored in files). */
typedef enum tn_codec_id {
    TN_CODEC_UNCOMPRESSED = 0,
    TN_CODEC_SNAPPY = 1,
    TN_CODEC_GZIP = 2,
    TN_CODEC_LZO = 3, /* recognised by name only; compress and decompress refuse it */
    TN_CODEC_BROTLI = 4,
    TN_CODEC_LZ4 = 5, /* deprecated: Hadoop-framed LZ4 blocks, or LZ4 frame/raw from old writers */
    TN_CODEC_ZSTD = 6,
    TN_CODEC_LZ4_RAW = 7,
} tn_codec_id;

#define TN_CODEC_COUNT 8

/* "UNCOMPRESSED", "SNAPPY", ... as parquet.thrift spells them; "UNKNOWN" outside the enum. */
const char *tn_codec_name(int codec);

/* Parses a user-facing codec name, case-insensitive: "none"/"uncompressed", "snappy", "gzip",
 * "brotli", "lz4" (= LZ4_RAW, what current writers mean by it), "lz4_raw", "zstd". Returns 0
 * and sets *out, or TN_EINVAL (with a message listing the accepted names). */
int tn_codec_parse(const char *name, int *out, tn_error *err);

/* Whether this build can compress/decompress `codec` (false for LZO and unknown ids). */
bool tn_codec_supported(int codec);

/* Compresses src[0, src_len) with `codec` and appends the compressed bytes to *out (which
 * keeps what it already held). level 0 = the codec's default; it is ignored by codecs without
 * levels (SNAPPY, LZ4*). TN_CODEC_LZ4 writes the Hadoop framing (readable by parquet-mr and
 * arrow); new files should use TN_CODEC_LZ4_RAW. Returns 0, TN_ENOMEM, TN_EUNSUPPORTED
 * (LZO, unknown codec) or TN_EINTERNAL when the library fails; err may be NULL. */
int tn_codec_compress(int codec, int level, const void *src, size_t src_len, tn_buf *out,
                      tn_error *err);

/* Decompresses exactly src_len bytes of one page body into dst, which must receive exactly
 * dst_len bytes (the page header's uncompressed_page_size). Output that would be longer or
 * shorter than dst_len is TN_ECORRUPT; so is any malformed stream. Never writes outside
 * dst[0, dst_len). TN_CODEC_LZ4 tries, in order, the Hadoop framing, the LZ4 frame format and
 * a raw LZ4 block (old writers used all three under that id). GZIP accepts concatenated gzip
 * members and zlib streams. Returns 0, TN_ECORRUPT, TN_ENOMEM or TN_EUNSUPPORTED; err may be
 * NULL. Thread-safe (no shared state). */
int tn_codec_decompress(int codec, const void *src, size_t src_len, void *dst, size_t dst_len,
                        tn_error *err);

#endif /* TN_PARQUET_CODEC_H */
