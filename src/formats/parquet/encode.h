/* SPDX-License-Identifier: Apache-2.0
 *
 * Encoders the Parquet writer uses (Encodings.md): PLAIN for booleans (bit-packed), the
 * RLE/bit-packing hybrid for definition levels and dictionary indices, and dictionaries built
 * with an open-addressing hash of the values. Fixed-width PLAIN is the values' little-endian
 * bytes, which the writer copies itself.
 *
 * Every function works on a whole range of values per call (no per-value calls across files)
 * and allocates only when a dictionary grows.
 *
 * Private to formats/parquet.
 */
#ifndef TN_PARQUET_ENCODE_H
#define TN_PARQUET_ENCODE_H

#include "core/core.h"

/* ------------------------------------------------------------------------------------------
 * RLE / bit-packing hybrid
 * ---------------------------------------------------------------------------------------- */

/* Bits needed to store max_value (0 for 0). */
int tn_parquet_bit_width(uint64_t max_value);

/* Worst-case bytes tn_parquet_rle_encode_* write for count values of bit_width bits. */
size_t tn_parquet_rle_bound(size_t count, int bit_width);

/* Encodes values (each < 2^bit_width, bit_width 0..32) as RLE runs where a value repeats at
 * least eight times and bit-packed groups of eight elsewhere. Writes at most
 * tn_parquet_rle_bound bytes to out; returns the count written. No length prefix. */
size_t tn_parquet_rle_encode_u32(const uint32_t *values, size_t count, int bit_width,
                                 uint8_t *out);
/* Same for byte-sized values (definition levels), bit_width <= 8. */
size_t tn_parquet_rle_encode_u8(const uint8_t *values, size_t count, int bit_width,
                                uint8_t *out);

/* ------------------------------------------------------------------------------------------
 * PLAIN booleans
 * ---------------------------------------------------------------------------------------- */

/* Packs count bytes (0 or non-zero) into (count + 7) / 8 bytes, LSB first; returns that
 * count. When defs is not NULL only positions with defs[i] != 0 are packed. */
size_t tn_parquet_plain_bools(const uint8_t *values, const uint8_t *defs, size_t count,
                              uint8_t *out);

/* ------------------------------------------------------------------------------------------
 * Dictionaries
 * ---------------------------------------------------------------------------------------- */

/* A column chunk's dictionary. Entries get indices in order of first appearance, and `plain`
 * holds them PLAIN-encoded in that order, which is exactly the dictionary page's payload. */
typedef struct tn_parquet_dict {
    uint32_t width;      /* bytes per fixed-width value; 0 for BYTE_ARRAY */
    uint32_t count;      /* entries */
    uint32_t entry_cap;  /* capacity of offsets/hashes */
    tn_buf plain;        /* entries, PLAIN-encoded (BYTE_ARRAY: 4-byte length + bytes) */
    uint32_t *offsets;   /* BYTE_ARRAY: where each entry's length prefix starts in plain */
    uint32_t *hashes;    /* low 32 bits of each entry's hash, for growth and quick rejects */
    uint32_t *slots;     /* the table: entry index + 1, 0 = empty */
    uint32_t slot_mask;  /* slot count - 1 (a power of two) */
} tn_parquet_dict;

/* Starts an empty dictionary of values `width` bytes wide (0 = BYTE_ARRAY). */
void tn_parquet_dict_init(tn_parquet_dict *d, uint32_t width);
/* Frees its memory; accepts a zeroed or freed dictionary. */
void tn_parquet_dict_free(tn_parquet_dict *d);
/* Empties it, keeping memory for the next column chunk. */
void tn_parquet_dict_clear(tn_parquet_dict *d);

/* Adds the fixed-width values of rows [0, rows) of `values` (row i at values + i * width),
 * skipping rows whose defs[i] is 0 (defs may be NULL: all present), and writes the index of
 * each present value to indices (one per present value, in order). Stops before the row
 * where the dictionary would pass max_entries entries or max_bytes of payload; *rows_done
 * gets the rows handled (all of them when no limit was hit). Returns 0 or TN_ENOMEM. */
int tn_parquet_dict_add_fixed(tn_parquet_dict *d, const void *values, const uint8_t *defs,
                              size_t rows, uint32_t *indices, uint32_t max_entries,
                              size_t max_bytes, size_t *rows_done);
/* Same for byte arrays: row i is data[offsets[i], offsets[i+1]). */
int tn_parquet_dict_add_bytes(tn_parquet_dict *d, const char *data, const uint32_t *offsets,
                              const uint8_t *defs, size_t rows, uint32_t *indices,
                              uint32_t max_entries, size_t max_bytes, size_t *rows_done);

/* Keeps only the first `count` entries (those a prefix of the chunk used). No more values may
 * be added afterwards. */
void tn_parquet_dict_truncate(tn_parquet_dict *d, uint32_t count);

/* Entry `idx` of a BYTE_ARRAY dictionary. */
static inline tn_str tn_parquet_dict_bytes(const tn_parquet_dict *d, uint32_t idx)
{
    const char *p = d->plain.data + d->offsets[idx];
    uint32_t len;
    memcpy(&len, p, 4);
    return tn_str_make(p + 4, len);
}
/* Entry `idx` of a fixed-width dictionary. */
static inline const void *tn_parquet_dict_fixed(const tn_parquet_dict *d, uint32_t idx)
{
    return d->plain.data + (size_t)idx * d->width;
}

#endif /* TN_PARQUET_ENCODE_H */
