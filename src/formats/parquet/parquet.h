/* SPDX-License-Identifier: Apache-2.0
 *
 * The Parquet reader, as the engine and the format plugin use it.
 *
 *   source (byte ranges) -> tn_parquet_file_open (footer, schema mapping)
 *     -> tn_parquet_scan_open (projection, predicates: prunes row groups and pages)
 *     -> tn_parquet_scan_next (batches, decoded in parallel) ... -> close
 *
 * A file is read through a tn_parquet_source: a size and a thread-safe "read these bytes"
 * callback, so the same reader serves local files (pread) and, later, object stores. The
 * footer is read with one call, a column chunk in slices of a page or more.
 *
 * Types (README.md has the full table): INT32/INT64/FLOAT/DOUBLE/BOOLEAN as themselves; DATE;
 * TIMESTAMP in any unit -> microseconds (isAdjustedToUTC -> TIMESTAMPTZ); INT96 -> TIMESTAMP;
 * DECIMAL (any physical type) -> DECIMAL(p,s), or DOUBLE past 38 digits; UINT_32 -> BIGINT;
 * UINT_64 -> DECIMAL(20,0); FLOAT16 -> REAL; strings, enums and JSON -> VARCHAR; UUID ->
 * VARCHAR text; TIME -> VARCHAR "HH:MM:SS[.ffffff]"; other byte arrays -> BLOB. Structs
 * flatten to dotted names ("a.b"); lists, maps and repeated fields become one VARCHAR column
 * of JSON text per outermost repeated field.
 *
 * A file handle may serve several scans at once (it is read-only after open); one scan is
 * used by one thread at a time.
 */
#ifndef TN_PARQUET_H
#define TN_PARQUET_H

#include "core/core.h"

/* ------------------------------------------------------------------------------------------
 * Byte sources
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_parquet_source {
    void *ctx;
    char *name;    /* owned, NUL-terminated: path or URL, used in every error message */
    uint64_t size; /* bytes in the file */
    /* Reads exactly len bytes at offset into buf. Called from several threads at once.
     * Returns 0, or a negative TN_E* code with err set (a short read is TN_EIO). */
    int (*read)(void *ctx, uint64_t offset, void *buf, size_t len, tn_error *err);
    void (*close)(void *ctx); /* may be NULL */
} tn_parquet_source;

/* Opens a local file for pread. Returns 0, TN_ENOENT or TN_EIO (err names the path). */
int tn_parquet_source_open_file(const char *path, tn_parquet_source *out, tn_error *err);
/* Serves [data, data+len), which the caller keeps alive and unchanged until the source is
 * closed. name is copied. Returns 0 or TN_ENOMEM. */
int tn_parquet_source_memory(const void *data, size_t len, const char *name,
                             tn_parquet_source *out, tn_error *err);
/* Closes and frees a source's name; accepts a zeroed source. */
void tn_parquet_source_close(tn_parquet_source *src);

/* ------------------------------------------------------------------------------------------
 * Files
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_parquet_file tn_parquet_file;

/* Reads and checks the footer and maps the schema. Takes ownership of *src (closed by
 * tn_parquet_file_close, or here on failure). Errors name the file and say what is wrong:
 * TN_EFORMAT (not Parquet, or encrypted: "encrypted Parquet files are not supported"),
 * TN_ECORRUPT, TN_EUNSUPPORTED (a construct tarn cannot read), TN_ELIMIT, TN_EIO, TN_ENOMEM. */
int tn_parquet_file_open(tn_parquet_source *src, tn_parquet_file **out, tn_error *err);
/* The same for learning a file's columns and size only: the footer is read up to the schema
 * and num_rows, its row groups are neither decoded nor checked. Such a file has no row groups
 * (it cannot be scanned), and num_rows is the footer's own figure. */
int tn_parquet_file_open_schema(tn_parquet_source *src, tn_parquet_file **out, tn_error *err);
void tn_parquet_file_close(tn_parquet_file *file); /* accepts NULL */

/* The columns the file yields when read whole (valid while the file is open). */
const tn_schema *tn_parquet_file_schema(const tn_parquet_file *file);
int64_t tn_parquet_file_num_rows(const tn_parquet_file *file);
uint32_t tn_parquet_file_row_group_count(const tn_parquet_file *file);
const char *tn_parquet_file_name(const tn_parquet_file *file);

/* The rows of the Parquet file at path as its footer states them (FileMetaData.num_rows),
 * read as tn_parquet_file_open_schema reads it (the row groups are not): for COUNT(*).
 * Returns 0 or the error of opening the file, with err set. */
int tn_parquet_file_count_rows(const char *path, int64_t *rows, tn_error *err);

/* Appends the JSON object `tarn inspect` shows: {"created_by", "num_rows", "row_groups":
 * [{"rows","bytes","columns":[{"name","physical_type","codec","encodings",
 * "compressed_bytes","uncompressed_bytes","null_count","min","max"}]}],
 * "key_value_metadata":{...}}. Returns 0 or TN_ENOMEM. */
int tn_parquet_file_describe(const tn_parquet_file *file, tn_buf *json);

/* ------------------------------------------------------------------------------------------
 * Scans
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_parquet_op {
    TN_PARQUET_OP_EQ = 0,
    TN_PARQUET_OP_LT,
    TN_PARQUET_OP_LE,
    TN_PARQUET_OP_GT,
    TN_PARQUET_OP_GE,
    TN_PARQUET_OP_IS_NULL,
    TN_PARQUET_OP_IS_NOT_NULL,
} tn_parquet_op;

/* A constant in the column's tarn type: `i` for BOOLEAN (0/1), INTEGER, BIGINT, DATE (days),
 * TIMESTAMP/TIMESTAMPTZ (microseconds); `d` for REAL and DOUBLE; `dec` for DECIMAL (unscaled,
 * at the column's scale); `s` for VARCHAR and BLOB (borrowed for the call). */
typedef struct tn_parquet_value {
    int64_t i;
    double d;
    tn_i128 dec;
    tn_str s;
} tn_parquet_value;

/* `column op value`, column an index into tn_parquet_file_schema. All predicates of a scan
 * hold together (AND); a range is two predicates. Pruning drops row groups and pages that
 * cannot hold a matching row; predicates on projected flat columns of exact types are also
 * evaluated row by row (late materialisation). The caller still filters the rows it gets:
 * float predicates, and all of them when nested columns are projected, only prune. */
typedef struct tn_parquet_predicate {
    uint32_t column;
    int op; /* tn_parquet_op */
    tn_parquet_value value;
} tn_parquet_predicate;

/* A test of whole vectors the scan applies as one of its own predicates (late
 * materialisation), after the comparisons on the same column: called once per decoded batch
 * of the column with the rows still selected, in[0..n) (ascending indexes into v), it writes
 * the rows it keeps to out (ascending; out may be in) and returns how many. Called from the
 * decoding threads, several at once. For filters known only when the scan starts (a join's
 * build keys); the scan also prunes on any comparisons given for the column as predicates. */
typedef struct tn_parquet_row_test {
    uint32_t column; /* index into tn_parquet_file_schema */
    uint32_t (*test)(void *ctx, const tn_vector *v, const uint32_t *in, uint32_t n,
                     uint32_t *out);
    void *ctx;
} tn_parquet_row_test;

typedef struct tn_parquet_scan_options {
    const uint32_t *columns; /* projection: file schema indices in output order; NULL = all */
    uint32_t column_count;
    const tn_parquet_predicate *predicates;
    uint32_t predicate_count;
    uint32_t batch_rows; /* 0 = TN_BATCH_ROWS */
    int threads;         /* 0 = the shared pool, 1 = this thread only, n = a pool of n */
    /* Only row groups [row_group_first, row_group_first + row_group_count) when the count is
     * not 0: one morsel of a scan split across threads. Stats then cover only those. */
    uint32_t row_group_first;
    uint32_t row_group_count;
    /* Per projected column (NULL = none): true lets a flat VARCHAR/BLOB column whose pages
     * are dictionary-encoded come out in dictionary form (tn_vector.dict), indices into the
     * column chunk's dictionary; a batch that meets a PLAIN page comes out plain. Only for
     * callers that handle that form. */
    const bool *dictionary;
    /* Row tests (tn_parquet_scan_row_test_applied says which the scan applies: those on
     * projected flat columns, when no nested column is projected); the caller applies the
     * others itself. */
    const tn_parquet_row_test *row_tests;
    uint32_t row_test_count;
} tn_parquet_scan_options;

/* What pruning saved, for EXPLAIN. */
typedef struct tn_parquet_scan_stats {
    int64_t row_groups;        /* row groups in the file */
    int64_t row_groups_pruned; /* skipped on column-chunk statistics */
    int64_t pages_pruned;      /* data pages skipped on the page index (not decompressed) */
    int64_t rows_total;        /* rows in the file */
    int64_t rows_pruned;       /* rows skipped by row-group and page pruning */
    int64_t rows_read;         /* rows returned so far */
} tn_parquet_scan_stats;

typedef struct tn_parquet_scan tn_parquet_scan;

/* Plans a scan: checks the projection and predicates (TN_EINVAL for a bad column index or a
 * predicate on a column it cannot use: those are simply not used for pruning, only an index
 * out of range is an error), prunes row groups on statistics and pages on the page index.
 * The file must outlive the scan. */
int tn_parquet_scan_open(tn_parquet_file *file, const tn_parquet_scan_options *opts,
                         tn_parquet_scan **out, tn_error *err);
/* The projected columns, in the order asked for. */
const tn_schema *tn_parquet_scan_schema(const tn_parquet_scan *scan);
/* Next batch in file order (caller frees it), or *out = NULL at the end. Errors name the
 * file, row group and column. After an error the scan can only be closed. */
int tn_parquet_scan_next(tn_parquet_scan *scan, tn_batch **out, tn_error *err);
void tn_parquet_scan_get_stats(const tn_parquet_scan *scan, tn_parquet_scan_stats *out);
/* Whether the scan applies row test i of its options to every row it returns. */
bool tn_parquet_scan_row_test_applied(const tn_parquet_scan *scan, uint32_t i);
void tn_parquet_scan_close(tn_parquet_scan *scan); /* accepts NULL */

#endif /* TN_PARQUET_H */
