/* SPDX-License-Identifier: Apache-2.0
 *
 * Parquet metadata as C structs, with encoders and decoders over the Thrift compact protocol
 * (thrift.h): the footer (FileMetaData and everything in it), page headers, and the page
 * index (ColumnIndex, OffsetIndex). Field names and numbers follow parquet.thrift.
 *
 * Decoding borrows: byte strings (tn_str) point into the input bytes, lists are allocated from
 * the caller's arena. Keep both alive while the result is in use. Optional fields carry a
 * has_* flag (an empty binary is a valid value, so presence cannot be told from the value).
 * Unknown fields are skipped. Required fields that are missing, counts that disagree, negative
 * sizes and lists larger than the input could hold are TN_ECORRUPT; the total a decode may
 * allocate is bounded by TN_PARQUET_DECODE_BUDGET, so a hostile footer cannot make the reader
 * allocate without limit.
 *
 * Private to formats/parquet.
 */
#ifndef TN_PARQUET_METADATA_H
#define TN_PARQUET_METADATA_H

#include "core/core.h"
#include "formats/parquet/thrift.h"

/* ------------------------------------------------------------------------------------------
 * Enumerations (values as in parquet.thrift)
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_parquet_type {
    TN_PARQUET_BOOLEAN = 0,
    TN_PARQUET_INT32 = 1,
    TN_PARQUET_INT64 = 2,
    TN_PARQUET_INT96 = 3,
    TN_PARQUET_FLOAT = 4,
    TN_PARQUET_DOUBLE = 5,
    TN_PARQUET_BYTE_ARRAY = 6,
    TN_PARQUET_FIXED_LEN_BYTE_ARRAY = 7,
} tn_parquet_type;

typedef enum tn_parquet_converted_type {
    TN_PARQUET_CT_UTF8 = 0,
    TN_PARQUET_CT_MAP = 1,
    TN_PARQUET_CT_MAP_KEY_VALUE = 2,
    TN_PARQUET_CT_LIST = 3,
    TN_PARQUET_CT_ENUM = 4,
    TN_PARQUET_CT_DECIMAL = 5,
    TN_PARQUET_CT_DATE = 6,
    TN_PARQUET_CT_TIME_MILLIS = 7,
    TN_PARQUET_CT_TIME_MICROS = 8,
    TN_PARQUET_CT_TIMESTAMP_MILLIS = 9,
    TN_PARQUET_CT_TIMESTAMP_MICROS = 10,
    TN_PARQUET_CT_UINT_8 = 11,
    TN_PARQUET_CT_UINT_16 = 12,
    TN_PARQUET_CT_UINT_32 = 13,
    TN_PARQUET_CT_UINT_64 = 14,
    TN_PARQUET_CT_INT_8 = 15,
    TN_PARQUET_CT_INT_16 = 16,
    TN_PARQUET_CT_INT_32 = 17,
    TN_PARQUET_CT_INT_64 = 18,
    TN_PARQUET_CT_JSON = 19,
    TN_PARQUET_CT_BSON = 20,
    TN_PARQUET_CT_INTERVAL = 21,
} tn_parquet_converted_type;

typedef enum tn_parquet_repetition {
    TN_PARQUET_REQUIRED = 0,
    TN_PARQUET_OPTIONAL = 1,
    TN_PARQUET_REPEATED = 2,
} tn_parquet_repetition;

typedef enum tn_parquet_encoding {
    TN_PARQUET_ENC_PLAIN = 0,
    TN_PARQUET_ENC_PLAIN_DICTIONARY = 2,
    TN_PARQUET_ENC_RLE = 3,
    TN_PARQUET_ENC_BIT_PACKED = 4,
    TN_PARQUET_ENC_DELTA_BINARY_PACKED = 5,
    TN_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
    TN_PARQUET_ENC_DELTA_BYTE_ARRAY = 7,
    TN_PARQUET_ENC_RLE_DICTIONARY = 8,
    TN_PARQUET_ENC_BYTE_STREAM_SPLIT = 9,
    TN_PARQUET_ENC_ALP = 10,
} tn_parquet_encoding;

typedef enum tn_parquet_codec {
    TN_PARQUET_CODEC_UNCOMPRESSED = 0,
    TN_PARQUET_CODEC_SNAPPY = 1,
    TN_PARQUET_CODEC_GZIP = 2,
    TN_PARQUET_CODEC_LZO = 3,
    TN_PARQUET_CODEC_BROTLI = 4,
    TN_PARQUET_CODEC_LZ4 = 5,
    TN_PARQUET_CODEC_ZSTD = 6,
    TN_PARQUET_CODEC_LZ4_RAW = 7,
} tn_parquet_codec;

typedef enum tn_parquet_page_type {
    TN_PARQUET_PAGE_DATA = 0,
    TN_PARQUET_PAGE_INDEX = 1,
    TN_PARQUET_PAGE_DICTIONARY = 2,
    TN_PARQUET_PAGE_DATA_V2 = 3,
} tn_parquet_page_type;

typedef enum tn_parquet_boundary_order {
    TN_PARQUET_UNORDERED = 0,
    TN_PARQUET_ASCENDING = 1,
    TN_PARQUET_DESCENDING = 2,
} tn_parquet_boundary_order;

/* LogicalType union members; the value is the union's field id. */
typedef enum tn_parquet_logical_kind {
    TN_PARQUET_LT_NONE = 0, /* no logicalType present */
    TN_PARQUET_LT_STRING = 1,
    TN_PARQUET_LT_MAP = 2,
    TN_PARQUET_LT_LIST = 3,
    TN_PARQUET_LT_ENUM = 4,
    TN_PARQUET_LT_DECIMAL = 5,
    TN_PARQUET_LT_DATE = 6,
    TN_PARQUET_LT_TIME = 7,
    TN_PARQUET_LT_TIMESTAMP = 8,
    TN_PARQUET_LT_INTEGER = 10,
    TN_PARQUET_LT_UNKNOWN = 11, /* NullType */
    TN_PARQUET_LT_JSON = 12,
    TN_PARQUET_LT_BSON = 13,
    TN_PARQUET_LT_UUID = 14,
    TN_PARQUET_LT_FLOAT16 = 15,
    TN_PARQUET_LT_VARIANT = 16,
    TN_PARQUET_LT_GEOMETRY = 17,
    TN_PARQUET_LT_GEOGRAPHY = 18,
    TN_PARQUET_LT_FILE = 19,
    TN_PARQUET_LT_OTHER = 255, /* a union member this code does not know */
} tn_parquet_logical_kind;

/* TimeUnit union members. */
typedef enum tn_parquet_time_unit {
    TN_PARQUET_MILLIS = 1,
    TN_PARQUET_MICROS = 2,
    TN_PARQUET_NANOS = 3,
} tn_parquet_time_unit;

/* ColumnOrder union members. */
typedef enum tn_parquet_column_order {
    TN_PARQUET_ORDER_UNKNOWN = 0, /* a member this code does not know: ignore statistics */
    TN_PARQUET_ORDER_TYPE_DEFINED = 1,
    TN_PARQUET_ORDER_IEEE754_TOTAL = 2,
    TN_PARQUET_ORDER_INT96_TIMESTAMP = 3,
} tn_parquet_column_order;

/* ------------------------------------------------------------------------------------------
 * Structures
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_parquet_logical_type {
    uint8_t kind;            /* tn_parquet_logical_kind */
    bool is_adjusted_to_utc; /* TIME, TIMESTAMP */
    uint8_t unit;            /* TIME, TIMESTAMP: tn_parquet_time_unit (0 = unknown unit) */
    int8_t bit_width;        /* INTEGER: 8, 16, 32, 64 */
    bool is_signed;          /* INTEGER */
    int32_t scale;           /* DECIMAL */
    int32_t precision;       /* DECIMAL */
    bool has_crs;            /* GEOMETRY, GEOGRAPHY */
    tn_str crs;
    bool has_algorithm;      /* GEOGRAPHY */
    int32_t algorithm;
    bool has_specification_version; /* VARIANT */
    int8_t specification_version;
} tn_parquet_logical_type;

typedef struct tn_parquet_schema_element {
    bool has_type;
    int32_t type; /* tn_parquet_type; leaves only */
    bool has_type_length;
    int32_t type_length; /* FIXED_LEN_BYTE_ARRAY width */
    bool has_repetition;
    int32_t repetition; /* tn_parquet_repetition; absent on the root */
    tn_str name;
    bool has_num_children;
    int32_t num_children; /* groups only */
    bool has_converted_type;
    int32_t converted_type; /* tn_parquet_converted_type */
    bool has_scale;
    int32_t scale;
    bool has_precision;
    int32_t precision;
    bool has_field_id;
    int32_t field_id;
    tn_parquet_logical_type logical; /* kind TN_PARQUET_LT_NONE when absent */
} tn_parquet_schema_element;

/* Min/max are PLAIN-encoded values (byte arrays without their length prefix). */
typedef struct tn_parquet_statistics {
    bool has_max, has_min;             /* deprecated signed-order fields 1, 2 */
    tn_str max, min;
    bool has_null_count;
    int64_t null_count;
    bool has_distinct_count;
    int64_t distinct_count;
    bool has_max_value, has_min_value; /* fields 5, 6: ordered by the column order */
    tn_str max_value, min_value;
    bool has_is_max_value_exact;
    bool is_max_value_exact;
    bool has_is_min_value_exact;
    bool is_min_value_exact;
    bool has_nan_count;
    int64_t nan_count;
} tn_parquet_statistics;

typedef struct tn_parquet_key_value {
    tn_str key;
    bool has_value;
    tn_str value;
} tn_parquet_key_value;

typedef struct tn_parquet_page_encoding_stats {
    int32_t page_type; /* tn_parquet_page_type */
    int32_t encoding;  /* tn_parquet_encoding */
    int32_t count;
} tn_parquet_page_encoding_stats;

typedef struct tn_parquet_size_statistics {
    bool has_unencoded_byte_array_data_bytes;
    int64_t unencoded_byte_array_data_bytes;
    uint32_t repetition_level_histogram_count;
    int64_t *repetition_level_histogram;
    uint32_t definition_level_histogram_count;
    int64_t *definition_level_histogram;
} tn_parquet_size_statistics;

typedef struct tn_parquet_column_metadata {
    int32_t type; /* tn_parquet_type */
    uint32_t encoding_count;
    int32_t *encodings; /* tn_parquet_encoding */
    uint32_t path_count;
    tn_str *path_in_schema;
    int32_t codec; /* tn_parquet_codec */
    int64_t num_values;
    int64_t total_uncompressed_size;
    int64_t total_compressed_size;
    uint32_t key_value_count;
    tn_parquet_key_value *key_value_metadata;
    int64_t data_page_offset;
    bool has_index_page_offset;
    int64_t index_page_offset;
    bool has_dictionary_page_offset;
    int64_t dictionary_page_offset;
    bool has_statistics;
    tn_parquet_statistics statistics;
    uint32_t encoding_stats_count;
    tn_parquet_page_encoding_stats *encoding_stats;
    bool has_bloom_filter_offset;
    int64_t bloom_filter_offset;
    bool has_bloom_filter_length;
    int32_t bloom_filter_length;
    bool has_size_statistics;
    tn_parquet_size_statistics size_statistics;
} tn_parquet_column_metadata;

typedef struct tn_parquet_column_chunk {
    bool has_file_path;
    tn_str file_path; /* data in another file: not supported by tarn's reader */
    int64_t file_offset;
    bool has_meta_data;
    tn_parquet_column_metadata meta_data;
    bool has_offset_index;
    int64_t offset_index_offset;
    int32_t offset_index_length;
    bool has_column_index;
    int64_t column_index_offset;
    int32_t column_index_length;
    bool encrypted; /* crypto_metadata or encrypted_column_metadata present */
} tn_parquet_column_chunk;

typedef struct tn_parquet_sorting_column {
    int32_t column_idx;
    bool descending;
    bool nulls_first;
} tn_parquet_sorting_column;

typedef struct tn_parquet_row_group {
    uint32_t column_count;
    tn_parquet_column_chunk *columns;
    int64_t total_byte_size;
    int64_t num_rows;
    uint32_t sorting_column_count;
    tn_parquet_sorting_column *sorting_columns;
    bool has_file_offset;
    int64_t file_offset;
    bool has_total_compressed_size;
    int64_t total_compressed_size;
    bool has_ordinal;
    int16_t ordinal;
} tn_parquet_row_group;

typedef struct tn_parquet_file_metadata {
    int32_t version;
    uint32_t schema_count;
    tn_parquet_schema_element *schema; /* depth-first; [0] is the root */
    int64_t num_rows;
    uint32_t row_group_count;
    tn_parquet_row_group *row_groups;
    uint32_t key_value_count;
    tn_parquet_key_value *key_value_metadata;
    bool has_created_by;
    tn_str created_by;
    uint32_t column_order_count; /* 0 when absent */
    uint8_t *column_orders;      /* tn_parquet_column_order, one per leaf */
    bool encrypted;              /* encryption_algorithm present (plaintext footer mode) */
} tn_parquet_file_metadata;

typedef struct tn_parquet_data_page_header {
    int32_t num_values; /* including nulls */
    int32_t encoding;
    int32_t definition_level_encoding;
    int32_t repetition_level_encoding;
    bool has_statistics;
    tn_parquet_statistics statistics;
} tn_parquet_data_page_header;

typedef struct tn_parquet_data_page_header_v2 {
    int32_t num_values;
    int32_t num_nulls;
    int32_t num_rows;
    int32_t encoding;
    int32_t definition_levels_byte_length;
    int32_t repetition_levels_byte_length;
    bool is_compressed; /* true when absent, as the spec says */
    bool has_statistics;
    tn_parquet_statistics statistics;
} tn_parquet_data_page_header_v2;

typedef struct tn_parquet_dictionary_page_header {
    int32_t num_values;
    int32_t encoding;
    bool has_is_sorted;
    bool is_sorted;
} tn_parquet_dictionary_page_header;

typedef struct tn_parquet_page_header {
    int32_t type; /* tn_parquet_page_type */
    int32_t uncompressed_page_size;
    int32_t compressed_page_size;
    bool has_crc;
    int32_t crc;
    bool has_data_page_header;
    tn_parquet_data_page_header data_page_header;
    bool has_index_page_header; /* an IndexPageHeader was present (it has no fields) */
    bool has_dictionary_page_header;
    tn_parquet_dictionary_page_header dictionary_page_header;
    bool has_data_page_header_v2;
    tn_parquet_data_page_header_v2 data_page_header_v2;
} tn_parquet_page_header;

typedef struct tn_parquet_page_location {
    int64_t offset;
    int32_t compressed_page_size; /* header included */
    int64_t first_row_index;
} tn_parquet_page_location;

typedef struct tn_parquet_offset_index {
    uint32_t page_count;
    tn_parquet_page_location *page_locations;
    uint32_t unencoded_byte_array_data_bytes_count; /* 0 when absent */
    int64_t *unencoded_byte_array_data_bytes;
} tn_parquet_offset_index;

typedef struct tn_parquet_column_index {
    uint32_t page_count; /* length of null_pages, min_values, max_values (checked equal) */
    bool *null_pages;
    tn_str *min_values;
    tn_str *max_values;
    int32_t boundary_order; /* tn_parquet_boundary_order */
    bool has_null_counts;   /* null_counts has page_count entries when present */
    int64_t *null_counts;
    uint32_t repetition_level_histogram_count;
    int64_t *repetition_level_histograms;
    uint32_t definition_level_histogram_count;
    int64_t *definition_level_histograms;
    bool has_nan_counts; /* nan_counts has page_count entries when present */
    int64_t *nan_counts;
} tn_parquet_column_index;

/* ------------------------------------------------------------------------------------------
 * Decoding
 * ---------------------------------------------------------------------------------------- */

/* The most one decode call may allocate: TN_PARQUET_DECODE_BUDGET_FACTOR times the input size
 * plus TN_PARQUET_DECODE_BUDGET_BASE. Real files need well under 30x (every struct costs a
 * dozen bytes on the wire); a list header claiming millions of empty elements hits it. */
#define TN_PARQUET_DECODE_BUDGET_FACTOR 64
#define TN_PARQUET_DECODE_BUDGET_BASE ((size_t)1 << 20)
/* Most schema elements (columns plus groups) a footer may declare. */
#define TN_PARQUET_MAX_SCHEMA_ELEMENTS 1000000

/* A decoding session: the Thrift reader, the arena lists come from, and what is left of the
 * allocation budget. Lets tests and callers decode any single structure. */
typedef struct tn_parquet_decoder {
    tn_thrift_reader reader;
    tn_arena *arena;
    size_t budget;  /* bytes the decode may still allocate */
    tn_error *err;  /* may be NULL */
    bool reported;  /* err already holds the innermost failure's message */
} tn_parquet_decoder;

/* Prepares to decode [data, data+len) with lists from arena. */
void tn_parquet_decoder_init(tn_parquet_decoder *d, const void *data, size_t len,
                             tn_arena *arena, tn_error *err);

/* Single-structure readers: decode one struct at the reader's position. Each returns 0,
 * TN_ECORRUPT (bad or truncated bytes; message set), TN_ELIMIT (budget or depth exceeded) or
 * TN_ENOMEM. On error *out is left partly filled and must not be used. */
int tn_parquet_statistics_read(tn_parquet_decoder *d, tn_parquet_statistics *out);
int tn_parquet_logical_type_read(tn_parquet_decoder *d, tn_parquet_logical_type *out);
int tn_parquet_schema_element_read(tn_parquet_decoder *d, tn_parquet_schema_element *out);
int tn_parquet_key_value_read(tn_parquet_decoder *d, tn_parquet_key_value *out);
int tn_parquet_column_metadata_read(tn_parquet_decoder *d, tn_parquet_column_metadata *out);
int tn_parquet_column_chunk_read(tn_parquet_decoder *d, tn_parquet_column_chunk *out);
int tn_parquet_row_group_read(tn_parquet_decoder *d, tn_parquet_row_group *out);
int tn_parquet_file_metadata_read(tn_parquet_decoder *d, tn_parquet_file_metadata *out);
int tn_parquet_page_header_read(tn_parquet_decoder *d, tn_parquet_page_header *out);
int tn_parquet_column_index_read(tn_parquet_decoder *d, tn_parquet_column_index *out);
int tn_parquet_offset_index_read(tn_parquet_decoder *d, tn_parquet_offset_index *out);

/* Decodes a footer (the Thrift bytes between the data and the length+"PAR1" trailer).
 * Strings point into data; lists come from arena. Also checks the schema tree: a root, every
 * group's children present, leaf count = every row group's column count. Returns 0,
 * TN_ECORRUPT, TN_ELIMIT or TN_ENOMEM with err set. */
int tn_parquet_file_metadata_decode(const void *data, size_t len, tn_arena *arena,
                                    tn_parquet_file_metadata *out, tn_error *err);
/* The same, stopping once the schema and num_rows are read (writers put both before the row
 * groups, which are nearly all of a footer): out has no row groups, key-value metadata or
 * column orders. For learning a file's columns. */
int tn_parquet_file_schema_decode(const void *data, size_t len, tn_arena *arena,
                                  tn_parquet_file_metadata *out, tn_error *err);

/* Decodes the page header at the start of [data, data+len); *header_len gets its size.
 * Allocates nothing (statistics point into data). Returns 0; TN_ELIMIT when the header runs
 * past len (read more bytes and retry); TN_ECORRUPT for bad bytes or negative sizes. */
int tn_parquet_page_header_decode(const void *data, size_t len, tn_parquet_page_header *out,
                                  size_t *header_len, tn_error *err);

/* Decode a ColumnIndex / OffsetIndex serialized at [data, data+len). Lists from arena. */
int tn_parquet_column_index_decode(const void *data, size_t len, tn_arena *arena,
                                   tn_parquet_column_index *out, tn_error *err);
int tn_parquet_offset_index_decode(const void *data, size_t len, tn_arena *arena,
                                   tn_parquet_offset_index *out, tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Encoding: each appends the struct to the writer's buffer; the writer's sticky error says
 * whether it worked (tn_thrift_writer_error).
 * ---------------------------------------------------------------------------------------- */

void tn_parquet_statistics_write(tn_thrift_writer *w, const tn_parquet_statistics *in);
void tn_parquet_logical_type_write(tn_thrift_writer *w, const tn_parquet_logical_type *in);
void tn_parquet_schema_element_write(tn_thrift_writer *w, const tn_parquet_schema_element *in);
void tn_parquet_key_value_write(tn_thrift_writer *w, const tn_parquet_key_value *in);
void tn_parquet_column_metadata_write(tn_thrift_writer *w, const tn_parquet_column_metadata *in);
void tn_parquet_column_chunk_write(tn_thrift_writer *w, const tn_parquet_column_chunk *in);
void tn_parquet_row_group_write(tn_thrift_writer *w, const tn_parquet_row_group *in);
void tn_parquet_file_metadata_write(tn_thrift_writer *w, const tn_parquet_file_metadata *in);
void tn_parquet_page_header_write(tn_thrift_writer *w, const tn_parquet_page_header *in);
void tn_parquet_column_index_write(tn_thrift_writer *w, const tn_parquet_column_index *in);
void tn_parquet_offset_index_write(tn_thrift_writer *w, const tn_parquet_offset_index *in);

/* Names for messages and `tarn inspect` ("INT32", "ZSTD", "RLE_DICTIONARY"); "UNKNOWN(n)" is
 * not produced, values outside the table give "?". */
const char *tn_parquet_type_name(int32_t type);
const char *tn_parquet_encoding_name(int32_t encoding);
const char *tn_parquet_codec_name(int32_t codec);

#endif /* TN_PARQUET_METADATA_H */
