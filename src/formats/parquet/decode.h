/* SPDX-License-Identifier: Apache-2.0
 *
 * Decoders for the value and level encodings of Parquet data pages (Encodings.md): PLAIN,
 * dictionary indices (PLAIN_DICTIONARY / RLE_DICTIONARY), the RLE/bit-packed hybrid (levels,
 * dictionary indices, RLE booleans), the deprecated BIT_PACKED levels, DELTA_BINARY_PACKED,
 * DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT.
 *
 * Every decoder reads only inside the byte range it was given and asks for no memory whose
 * size the input alone decides: counts are checked against the bytes present or against the
 * caller's upper bound (the page's value count) before anything is allocated. Corrupt input is
 * TN_ECORRUPT with a message; the decoders never read out of bounds.
 *
 * Bit-packed runs are unpacked eight values at a time with the bit width fixed at compile
 * time (one switch per group, no per-value calls). Little-endian hosts only (checked).
 *
 * Private to formats/parquet.
 */
#ifndef TN_PARQUET_DECODE_H
#define TN_PARQUET_DECODE_H

#include "core/core.h"

/* Every buffer the reader decodes strings from (pages, dictionaries, rebuilt values) has this
 * many readable bytes after its end, so short strings can be copied with fixed 16-byte moves. */
#define TN_PARQUET_SLACK 16

/* Most values one data page may declare. Levels are streamed, but DELTA_LENGTH_BYTE_ARRAY and
 * DELTA_BYTE_ARRAY keep one int32 per value of the page, so a hostile page header must not
 * choose that count freely. Real writers stay far below (pages hold at most a few million). */
#define TN_PARQUET_MAX_PAGE_VALUES (1u << 26)

/* Largest buffer a DELTA_BYTE_ARRAY decoder builds for one decode call (values rebuilt from
 * shared prefixes can be much larger than the page). */
#define TN_PARQUET_MAX_REBUILT_BYTES ((size_t)1 << 30)

/* ------------------------------------------------------------------------------------------
 * RLE / bit-packed hybrid (and the deprecated MSB-first BIT_PACKED level encoding)
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_parquet_rle {
    const uint8_t *pos;      /* next unread byte */
    const uint8_t *end;      /* one past the last byte */
    uint32_t bit_width;      /* 0..32 */
    bool legacy;             /* BIT_PACKED: one MSB-first bit stream, no run headers */
    bool run_is_rle;         /* kind of the current run */
    uint64_t run_left;       /* values left in the current run */
    uint32_t rle_value;      /* value repeated by the current RLE run */
    uint64_t legacy_bit;     /* BIT_PACKED: next bit to read, from the start */
    uint64_t legacy_bits;    /* BIT_PACKED: bits available */
    uint32_t group[8];       /* unpacked values of the current bit-packed group */
    uint32_t group_pos;      /* next unread index in group */
    uint32_t group_len;      /* valid entries in group */
} tn_parquet_rle;

/* Hybrid decoder over [data, data+len) with values of bit_width bits (0..32; the caller
 * checks the width). */
void tn_parquet_rle_init(tn_parquet_rle *d, const void *data, size_t len, int bit_width);
/* Deprecated BIT_PACKED levels: [data, data+len) is one MSB-first stream of bit_width-bit
 * values (no headers). */
void tn_parquet_rle_init_legacy(tn_parquet_rle *d, const void *data, size_t len,
                                int bit_width);
/* Decodes exactly count values. Returns 0, or TN_ECORRUPT (err set) when the runs end early
 * or a header is malformed. The u8 form needs bit_width <= 8. */
int tn_parquet_rle_get_u32(tn_parquet_rle *d, uint32_t *out, size_t count, tn_error *err);
int tn_parquet_rle_get_u8(tn_parquet_rle *d, uint8_t *out, size_t count, tn_error *err);
/* When the next count values all lie in one RLE run of `value` (the run's header may still
 * be unread), consumes them and returns true: levels of a page without nulls are one such
 * run, and then need not be written out. Otherwise returns false and the decoder is as it
 * was. */
bool tn_parquet_rle_skip_repeat(tn_parquet_rle *d, uint32_t value, size_t count);

/* Passes over the next count values without producing them: RLE runs are stepped over and
 * whole bit-packed groups are not unpacked. Returns 0 or TN_ECORRUPT (err set). */
int tn_parquet_rle_skip(tn_parquet_rle *d, size_t count, tn_error *err);

/* ------------------------------------------------------------------------------------------
 * DELTA_BINARY_PACKED
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_parquet_delta {
    const uint8_t *pos, *end;
    uint32_t block_size;     /* values per block */
    uint32_t mini_count;     /* miniblocks per block */
    uint32_t mini_values;    /* values per miniblock */
    uint64_t total;          /* values the header declares */
    uint64_t returned;       /* values handed out so far */
    uint64_t last;           /* previous value, modular arithmetic */
    uint64_t min_delta;      /* current block's minimum delta */
    const uint8_t *widths;   /* current block's miniblock bit widths */
    uint32_t mini_idx;       /* current miniblock in the block */
    uint32_t mini_left;      /* values left in the current miniblock */
    uint32_t width;          /* bit width of the current miniblock */
    bool in_block;           /* a block header has been read */
    uint64_t group[8];       /* unpacked deltas of the current group of eight */
    uint32_t group_pos, group_len;
} tn_parquet_delta;

/* Reads the header at the start of [data, data+len). Returns 0 or TN_ECORRUPT. */
int tn_parquet_delta_init(tn_parquet_delta *d, const void *data, size_t len, tn_error *err);
/* Next count values (count <= total - returned, else TN_ECORRUPT). The int32 form keeps the
 * low 32 bits (INT32 columns wrap at 32 bits). */
int tn_parquet_delta_get_i64(tn_parquet_delta *d, int64_t *out, size_t count, tn_error *err);
int tn_parquet_delta_get_i32(tn_parquet_delta *d, int32_t *out, size_t count, tn_error *err);
/* Once all `total` values were read: the first byte after the encoded values (where
 * DELTA_LENGTH_BYTE_ARRAY's data starts). */
const uint8_t *tn_parquet_delta_end(const tn_parquet_delta *d);

/* ------------------------------------------------------------------------------------------
 * Dictionaries (decoded from a dictionary page, PLAIN encoded)
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_parquet_dictionary {
    uint32_t count;        /* entries */
    uint32_t width;        /* bytes per fixed-width entry (0 for BYTE_ARRAY) */
    const uint8_t *fixed;  /* count * width bytes (borrowed from the page) */
    tn_str *bytes;         /* BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY entries (owned; borrow page) */
} tn_parquet_dictionary;

/* Decodes `count` PLAIN values of physical_type (tn_parquet_type; type_length for
 * FIXED_LEN_BYTE_ARRAY) from [data, data+len) into *out. Entries borrow from data, which must
 * outlive the dictionary. BOOLEAN dictionaries are refused. Returns 0, TN_ECORRUPT or
 * TN_ENOMEM. */
int tn_parquet_dictionary_decode(int physical_type, int32_t type_length, const void *data,
                           size_t len, int64_t count, tn_parquet_dictionary *out, tn_error *err);
void tn_parquet_dictionary_free(tn_parquet_dictionary *dict); /* accepts a zeroed dict */

/* ------------------------------------------------------------------------------------------
 * Page values: one decoder over the values section of one data page.
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_parquet_values {
    int encoding;             /* tn_parquet_encoding */
    int physical_type;        /* tn_parquet_type */
    uint32_t width;           /* bytes per fixed-width value (4, 8, 12, FLBA length) */
    const uint8_t *start, *pos, *end;
    uint32_t bool_bit;        /* PLAIN BOOLEAN: bit offset from pos */
    const tn_parquet_dictionary *dict;
    tn_parquet_rle rle;       /* dictionary indices, RLE booleans */
    tn_parquet_delta delta;   /* DELTA_BINARY_PACKED */
    int32_t *lengths;         /* DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY: suffix lengths */
    int32_t *prefixes;        /* DELTA_BYTE_ARRAY: prefix lengths */
    uint32_t count;           /* entries in lengths/prefixes; BYTE_STREAM_SPLIT: values */
    uint32_t next;            /* next entry to hand out */
    uint8_t *scratch;         /* rebuilt values (DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT FLBA) */
    size_t scratch_cap;
    uint8_t *prev;            /* DELTA_BYTE_ARRAY: the previous value */
    size_t prev_len, prev_cap;
    uint32_t *indices;        /* dictionary index scratch */
} tn_parquet_values;

/* Prepares to decode the values section [data, data+len) of a page. max_values bounds how
 * many values the page can hold (its num_values); dict is required for the dictionary
 * encodings and must outlive the decoder. Returns 0, TN_EUNSUPPORTED (encoding not valid for
 * the type), TN_ECORRUPT or TN_ENOMEM. Free with tn_parquet_values_free, also on error. */
int tn_parquet_values_init(tn_parquet_values *d, int encoding, int physical_type,
                           int32_t type_length, const void *data, size_t len,
                           uint32_t max_values, const tn_parquet_dictionary *dict, tn_error *err);
void tn_parquet_values_free(tn_parquet_values *d);

/* Next n values of a fixed-width type (INT32, INT64, FLOAT, DOUBLE, INT96), packed into out
 * (n * width bytes). Returns 0 or TN_ECORRUPT. */
int tn_parquet_values_get_fixed(tn_parquet_values *d, void *out, size_t n, tn_error *err);
/* Next n BOOLEAN values as bytes 0/1. */
int tn_parquet_values_get_bool(tn_parquet_values *d, uint8_t *out, size_t n, tn_error *err);
/* Dictionary-encoded pages only: the next n dictionary indices, each checked to be below the
 * dictionary's count. Returns 0 or TN_ECORRUPT. */
int tn_parquet_values_get_indices(tn_parquet_values *d, uint32_t *out, size_t n, tn_error *err);
/* Next n BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY values. The strings point into the page, the
 * dictionary or the decoder's scratch: valid until the next call or until the page goes. */
int tn_parquet_values_get_bytes(tn_parquet_values *d, tn_str *out, size_t n, tn_error *err);

/* Whether tn_parquet_values_skip can pass over values of this page without decoding them
 * (PLAIN, dictionary indices, RLE booleans, BYTE_STREAM_SPLIT; not the DELTA encodings). */
bool tn_parquet_values_can_skip(const tn_parquet_values *d);
/* Passes over the next n values (pages for which tn_parquet_values_can_skip is true; skipped
 * dictionary indices are not checked against the dictionary). Returns 0 or TN_ECORRUPT. */
int tn_parquet_values_skip(tn_parquet_values *d, size_t n, tn_error *err);
/* PLAIN fixed-width pages only: passes over the next n values and copies the m of them at
 * positions sel[0..m) (each below n) to out, packed (m * width bytes). Returns 0 or
 * TN_ECORRUPT. */
int tn_parquet_values_gather_plain(tn_parquet_values *d, void *out, size_t n,
                                   const uint32_t *sel, size_t m, tn_error *err);

#endif /* TN_PARQUET_DECODE_H */
