/* SPDX-License-Identifier: Apache-2.0
 *
 * ingest: bringing data from where it is born into lake tables. Today: files (CSV, NDJSON,
 * Parquet) loaded into an Iceberg table in one snapshot, and folders of existing files crawled
 * into tables. It owns what makes a load safe to repeat and hard to break:
 *
 *   - the ledger: each input's content hash per table, so the same content is never loaded
 *     twice (unless forced);
 *   - schema evolution: a new column in an input adds a column to the table, an allowed
 *     widening (int -> bigint, float -> double, a larger decimal precision) evolves the type;
 *   - quarantine: a row that cannot be read, or a value that does not fit the table's column,
 *     is kept in the catalog with input, line, column, reason and raw text instead of failing
 *     the load;
 *   - one commit: the snapshot, the ledger entries, the quarantined rows and the operation log
 *     entry become visible in one catalog transaction, or not at all.
 *
 * The one header other modules include from ingest. Uses core, formats, storage, catalog, lake.
 */
#ifndef TN_INGEST_H
#define TN_INGEST_H

#include "catalog/catalog.h"
#include "core/core.h"
#include "formats/formats.h"
#include "lake/lake.h"

/* ------------------------------------------------------------------------------------------
 * Partition specs as text: "day(order_ts), region", "bucket(16, customer_id)",
 * "truncate(10, name)", "identity(x)" or "x", "year/month/day/hour(col)" (Spark's plural
 * forms years/months/days/hours and date(col) are accepted too).
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_ingest_partition {
    tn_arena arena;              /* owns the strings of defs */
    size_t count;
    tn_lake_partition_def *defs; /* column, transform ("day", "bucket[16]"...), name NULL */
} tn_ingest_partition;

/* Parses a partition spec. An empty or blank text gives count 0. TN_EPARSE (with the column =
 * 1-based character position) for bad syntax or an unknown transform. On success *out is new
 * (free with tn_ingest_partition_free). */
int tn_ingest_partition_parse(const char *text, tn_ingest_partition **out, tn_error *err);
void tn_ingest_partition_free(tn_ingest_partition *partition); /* accepts NULL */
/* Appends the spec of a table in the same syntax ("day(order_ts), region"); nothing for an
 * unpartitioned table. */
int tn_ingest_partition_format(const tn_iceberg_metadata *md, tn_buf *out);

/* ------------------------------------------------------------------------------------------
 * Content hashes
 * ---------------------------------------------------------------------------------------- */

#define TN_INGEST_HASH_HEX 33 /* 32 hex digits and a NUL */

/* A fast 128-bit hash of a file's bytes as stored (compressed inputs are hashed compressed),
 * streamed in fixed-size chunks so memory stays bounded, as 32 lower-case hex digits. */
int tn_ingest_hash_file(const char *path, char out[TN_INGEST_HASH_HEX], int64_t *size,
                        tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Ingesting files
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_ingest_mode {
    TN_INGEST_APPEND = 0,    /* add the inputs' rows */
    TN_INGEST_OVERWRITE = 1, /* replace the table's rows with the inputs' rows */
} tn_ingest_mode;

/* What happened to one input. */
typedef enum tn_ingest_status {
    TN_INGEST_LOADED = 0,  /* read and part of the snapshot */
    TN_INGEST_SKIPPED = 1, /* same content already in the table (ledger) or earlier in the list */
} tn_ingest_status;

typedef struct tn_ingest_input {
    char *path;           /* as given */
    char *location;       /* absolute path, as the ledger and the quarantine record it */
    char hash[TN_INGEST_HASH_HEX];
    int status;           /* tn_ingest_status */
    char *skipped_reason; /* for SKIPPED: "already ingested", "same content as <path>" */
    int64_t bytes;        /* size on disk */
    int64_t rows;         /* rows added from this input */
    int64_t rejected;     /* rows of this input sent to quarantine */
    bool in_place;        /* referenced as a data file where it is (crawl of Parquet files) */
} tn_ingest_input;

/* Progress of a long ingest: the input being read, the fraction of it read (or -1), and the
 * rows read so far over the whole command. */
typedef void (*tn_ingest_progress_fn)(void *ctx, const char *input, double fraction,
                                      int64_t rows);

typedef struct tn_ingest_options {
    int mode;                   /* tn_ingest_mode */
    const char *partition_by;   /* spec text for a new table; NULL = unpartitioned. For an
                                   existing table it must match the table's spec */
    bool force;                 /* ingest content the ledger already holds */
    tn_read_options read;       /* format and dialect; on_reject is set by ingest itself */
    const char *compression;    /* Parquet codec of data files; NULL = the table's default */
    int64_t target_file_rows;   /* rows per data file; 0 = as the memory budget allows */
    tn_ingest_progress_fn progress;
    void *progress_ctx;
    const char *operation;      /* the operation log's name for the run; NULL = "ingest" */
    int64_t memory_bytes;       /* the table writer's budget for buffered rows; 0 = its default */
} tn_ingest_options;

typedef struct tn_ingest_result {
    bool table_created;
    bool committed;          /* a snapshot was committed (false when every input was skipped) */
    int64_t snapshot_id;
    int64_t operation_id;    /* the operation log entry (quarantine rows carry it as run_id) */
    int64_t rows;            /* rows added */
    int64_t rejected;        /* rows quarantined */
    int64_t data_files;      /* data files the snapshot adds */
    int64_t inputs_loaded;
    int64_t inputs_skipped;
    tn_buf schema_changes;   /* "add discount double (id 7); widen qty int -> long", or empty */
    int64_t schema_change_count;
    size_t input_count;
    tn_ingest_input *inputs; /* one per input path, in order */
} tn_ingest_result;

/* Ingests the files `paths` into table <ns>.<name> of the lake (whose catalog is `catalog`,
 * the one the lake was opened with): creates the table from the first input's schema when it
 * does not exist (with the partition spec of opts->partition_by; every column nullable),
 * evolves its schema for new columns and allowed widenings, streams every input through the
 * table writer in bounded memory, and commits all inputs as ONE snapshot together with their
 * ledger entries, quarantined rows and the operation log entry. Inputs whose content the
 * ledger already holds for this table are skipped (not with opts->force, nor in overwrite
 * mode). When every input is skipped nothing is committed and 0 is returned.
 *
 * Returns 0 or a negative code with err set (the file, line and column at fault where known).
 * result is filled in either case (free with tn_ingest_result_free). */
int tn_ingest_files(tn_lake *lake, tn_catalog *catalog, const char *const *paths, size_t count,
                    const char *ns, const char *name, const tn_ingest_options *opts,
                    tn_ingest_result *result, tn_error *err);
void tn_ingest_result_free(tn_ingest_result *result); /* accepts a zeroed result */

/* ------------------------------------------------------------------------------------------
 * Crawling folders of existing files
 * ---------------------------------------------------------------------------------------- */

/* What a crawl did to one table. */
typedef struct tn_crawl_table {
    char *name;           /* "<ns>.<table>" */
    char *folder;         /* the folder it was found in, relative to the crawled root */
    bool created;
    int64_t files_added;  /* files registered by this crawl */
    int64_t files_known;  /* files registered by an earlier crawl (left alone) */
    int64_t rows_added;
    int64_t rejected;
    tn_buf schema_changes; /* as in tn_ingest_result */
    char *error;          /* NULL, or why this table could not be crawled */
} tn_crawl_table;

typedef struct tn_crawl_result {
    size_t table_count;
    tn_crawl_table *tables;
} tn_crawl_result;

typedef struct tn_crawl_options {
    const char *ns;             /* namespace of the tables */
    tn_read_options read;       /* dialect for CSV/NDJSON */
    const char *compression;    /* Parquet codec for converted CSV/NDJSON */
    tn_ingest_progress_fn progress;
    void *progress_ctx;
} tn_crawl_options;

/* Walks `root`: every folder that holds data files (CSV, NDJSON, Parquet; compressed too)
 * becomes a table named after the folder (path segments joined with '_'); Hive-style
 * `key=value/` folders and `yyyy/mm/dd/` date folders below it are partitions of that table,
 * their values become columns. Parquet files without partition columns are registered in
 * place (no copy); CSV and NDJSON files (which Iceberg cannot reference) and files whose
 * partition values must become columns are converted into Parquet data files in the lake.
 * Files registered before (by path and content hash) are left alone, so crawling again adds
 * only new files and new schema versions. Per-table failures are recorded in the result and
 * do not stop the crawl. */
int tn_crawl(tn_lake *lake, tn_catalog *catalog, const char *root, const tn_crawl_options *opts,
             tn_crawl_result *result, tn_error *err);
void tn_crawl_result_free(tn_crawl_result *result); /* accepts a zeroed result */

/* ------------------------------------------------------------------------------------------
 * The live data files of a table (table_files.c)
 * ---------------------------------------------------------------------------------------- */

/* Called once per live data file of the current snapshot; the file is valid during the call.
 * Return non-zero to stop (that value is returned). */
typedef int (*tn_ingest_file_fn)(void *ctx, const tn_iceberg_data_file *file, tn_error *err);

/* Lists the data files of the table's current snapshot (none for an empty table), reading its
 * manifest list and manifests. */
int tn_ingest_table_files(tn_lake *lake, const tn_lake_table *table, tn_ingest_file_fn fn,
                          void *ctx, tn_error *err);

#endif /* TN_INGEST_H */
