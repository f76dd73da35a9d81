/* SPDX-License-Identifier: Apache-2.0
 *
 * formats: readers and writers of batches for the file formats tarn speaks (CSV, JSON/NDJSON,
 * Parquet). Each format is a plugin: a folder with a `tn_format` struct of callbacks. The host
 * (formats.c) picks the format by option, extension or content, wraps the plugin in a
 * tn_reader / tn_writer, and gives every format the same input layer (transparent gzip and
 * zstd).
 *
 * The scan contract: open (inference happens here) -> schema -> next(batch)... -> close.
 * Rejected rows never stop a read: they are reported through `on_reject` with file, line,
 * column and reason, and counted. With `strict`, the first one is an error instead.
 *
 * The one header other modules include from formats. Uses only core.
 */
#ifndef TN_FORMATS_H
#define TN_FORMATS_H

#include "core/core.h"

/* ------------------------------------------------------------------------------------------
 * Input: sequential bytes of a file, decompressed when it is gzip or zstd (detected by magic
 * bytes, not by name). "-" is standard input.
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_input tn_input;

int tn_input_open(const char *path, tn_input **out, tn_error *err);
/* Reads up to cap decompressed bytes. Returns the count (0 at the end) or a negative code. */
int64_t tn_input_read(tn_input *in, void *buf, size_t cap, tn_error *err);
/* "gzip", "zstd" or NULL when the file is read as is. */
const char *tn_input_compression(const tn_input *in);
int64_t tn_input_file_size(const tn_input *in); /* bytes on disk; -1 for pipes */
int64_t tn_input_file_offset(const tn_input *in); /* on-disk bytes consumed so far (progress) */
const char *tn_input_path(const tn_input *in);
void tn_input_close(tn_input *in); /* accepts NULL */
/* Reads up to cap decompressed bytes from the start of path (for probing). Returns the count
 * or a negative code. */
int64_t tn_input_peek(const char *path, void *buf, size_t cap, tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Rejected rows
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_reject {
    const char *file;        /* input path */
    int64_t line;            /* 1-based line where the record starts (JSON: the line) */
    int64_t column;          /* 1-based field position; 0 when about the whole row */
    const char *column_name; /* NULL when not known */
    const char *reason;      /* one sentence */
    tn_str raw;              /* the record's text as read (may be cut to 4 KiB) */
} tn_reject;

/* Called from the thread that calls tn_reader_next, in input order. The pointers are valid
 * only during the call. */
typedef void (*tn_reject_fn)(void *ctx, const tn_reject *reject);

/* ------------------------------------------------------------------------------------------
 * Read options. A zeroed struct means: detect everything, defaults for the rest.
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_header_mode {
    TN_HEADER_AUTO = 0,
    TN_HEADER_YES = 1,
    TN_HEADER_NO = 2,
} tn_header_mode;

#define TN_SAMPLE_DEFAULT 20480
#define TN_SAMPLE_ALL (-1)

typedef struct tn_read_options {
    const char *format;    /* "csv", "json" (also "ndjson"), "parquet"; NULL = detect */
    int64_t sample_rows;   /* rows for type inference: 0 = TN_SAMPLE_DEFAULT, TN_SAMPLE_ALL */
    bool strict;           /* the first rejected row is an error (TN_EPARSE with location) */
    int threads;           /* 0 = all cores */
    uint32_t batch_rows;   /* rows per batch; 0 = TN_BATCH_ROWS */
    tn_reject_fn on_reject;
    void *reject_ctx;
    const tn_schema *schema; /* when set: use these column types instead of inferring */

    /* CSV dialect (0 = detect/default) */
    char delimiter;     /* ',' ';' '\t' '|' sniffed when 0 */
    tn_header_mode header;
    char quote;         /* 0 = '"' */
    char escape;        /* 0 = same as quote (doubled quotes) */
    char comment;       /* 0 = no comment lines */
    bool all_varchar;   /* skip inference: every column VARCHAR */
    const char *const *null_strings; /* values read as NULL; NULL = {""} */
    size_t null_string_count;
} tn_read_options;

/* ------------------------------------------------------------------------------------------
 * Write options. Zeroed = defaults.
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_write_options {
    const char *format;      /* "csv", "json"/"ndjson", "parquet"; NULL = from extension */
    int threads;             /* 0 = all cores */

    /* CSV */
    char delimiter;          /* 0 = ',' (or '\t' for .tsv) */
    bool no_header;
    const char *null_string; /* NULL = empty field */

    /* JSON */
    bool json_array;         /* one JSON array document instead of NDJSON */

    /* Parquet */
    const char *compression; /* "zstd" (default), "snappy", "gzip", "lz4", "none" */
    int compression_level;   /* 0 = codec default */
    int64_t row_group_rows;  /* 0 = by bytes */
    int64_t row_group_bytes; /* 0 = 128 MiB uncompressed */
    int64_t page_bytes;      /* 0 = 1 MiB */
    bool data_page_v2;
    bool no_dictionary;
    const char *const *metadata; /* key/value pairs, NULL-terminated list k0,v0,k1,v1,... */

    /* Many files at once (a partitioned COPY) */
    tn_file_group *file_group; /* when set, finish hands the file to this group instead of
                                  committing it: it appears at tn_file_group_commit */
    bool lean;               /* Parquet: one row group staged, flushed on the caller's thread
                                (shared pool), its buffers released after each flush: for
                                many writers open at once; the default double-buffers */
} tn_write_options;

/* ------------------------------------------------------------------------------------------
 * The plugin interface. Fields are only ever appended; abi_version says which are present.
 * ---------------------------------------------------------------------------------------- */

#define TN_FORMAT_ABI_VERSION 1

typedef struct tn_format {
    int abi_version;               /* TN_FORMAT_ABI_VERSION */
    const char *name;              /* "csv" */
    const char *const *extensions; /* NULL-terminated, lower case, with the dot: ".csv" */
    const char *const *aliases;    /* other names accepted for `format` options; may be NULL */
    /* Confidence 0..100 that `head` (the first decompressed bytes) is this format. */
    int (*probe)(const char *head, size_t len);

    /* Reader. open infers the schema (sample) and returns it (owned by the state). */
    int (*reader_open)(const char *path, const tn_read_options *opts, void **state,
                       tn_error *err);
    const tn_schema *(*reader_schema)(void *state);
    /* Next batch (caller owns it), or *out = NULL at the end. */
    int (*reader_next)(void *state, tn_batch **out, tn_error *err);
    /* Appends a JSON object describing the dialect/details found ({"delimiter":",",...}). */
    int (*reader_describe)(void *state, tn_buf *json);
    int64_t (*reader_rejected)(void *state); /* rows rejected so far */
    void (*reader_close)(void *state);

    /* Writer: nothing is visible at `path` until finish succeeds. */
    int (*writer_open)(const char *path, const tn_schema *schema, const tn_write_options *opts,
                       void **state, tn_error *err);
    int (*writer_write)(void *state, const tn_batch *batch, tn_error *err);
    int (*writer_finish)(void *state, tn_error *err); /* flush, fsync, rename; frees state */
    void (*writer_abort)(void *state);                /* removes the temporary file; frees */

    /* Optional (NULL = unknown): fraction of the input read so far, 0..1, for progress. */
    double (*reader_progress)(void *state);

    /* Optional (NULL = the writer holds nothing worth flushing early): bytes the writer holds
     * for rows not yet written out, and writing them out now (a Parquet row group cut
     * short), so that a caller with many writers open keeps within a memory budget. */
    int64_t (*writer_buffered)(void *state);
    int (*writer_flush)(void *state, tn_error *err);
} tn_format;

extern const tn_format tn_format_csv;
extern const tn_format tn_format_json;
extern const tn_format tn_format_parquet;

/* The registered formats, NULL-terminated. */
const tn_format *const *tn_formats(void);
const tn_format *tn_format_by_name(const char *name); /* name or alias; NULL if unknown */
/* Chooses the format of an input: explicit name, else extension (compression suffixes .gz and
 * .zst skipped), else content. */
int tn_format_detect(const char *path, const char *explicit_name, const tn_format **out,
                     tn_error *err);
/* Chooses an output format from an explicit name or the extension. */
int tn_format_for_output(const char *path, const char *explicit_name, const tn_format **out,
                         tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Readers and writers (the host wrappers callers use)
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_reader tn_reader;

int tn_reader_open(const char *path, const tn_read_options *opts, tn_reader **out,
                   tn_error *err);
const tn_schema *tn_reader_schema(const tn_reader *reader);
const tn_format *tn_reader_format(const tn_reader *reader);
int tn_reader_describe(const tn_reader *reader, tn_buf *json);
/* Next batch (caller frees it with tn_batch_free); *out = NULL at the end. */
int tn_reader_next(tn_reader *reader, tn_batch **out, tn_error *err);
int64_t tn_reader_rejected(const tn_reader *reader);
double tn_reader_progress(const tn_reader *reader); /* 0..1, or -1 when unknown */
void tn_reader_close(tn_reader *reader); /* accepts NULL */

typedef struct tn_writer tn_writer;

int tn_writer_open(const char *path, const tn_schema *schema, const tn_write_options *opts,
                   tn_writer **out, tn_error *err);
int tn_writer_write(tn_writer *writer, const tn_batch *batch, tn_error *err);
/* Makes the file appear (atomically) and frees the writer, also on error. */
int tn_writer_finish(tn_writer *writer, tn_error *err);
void tn_writer_abort(tn_writer *writer); /* accepts NULL */
/* Bytes the writer holds for rows not yet written out (0 when its format does not say). */
int64_t tn_writer_buffered(const tn_writer *writer);
/* Writes out the rows the writer holds, where its format can (a no-op otherwise). */
int tn_writer_flush(tn_writer *writer, tn_error *err);

#endif /* TN_FORMATS_H */
