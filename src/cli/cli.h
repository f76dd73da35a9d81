/* SPDX-License-Identifier: Apache-2.0
 *
 * Shared pieces of the `tarn` command: the command and option tables (help text is generated
 * from them), argument parsing, the read options every reading command accepts, error
 * reporting with tarn's exit codes, and progress on a terminal.
 */
#ifndef TN_CLI_H
#define TN_CLI_H

#include "core/core.h"
#include "formats/formats.h"

#include <stdio.h>

/* Exit codes: 0 ok, 1 the user's input or invocation is at fault, 2 tarn itself failed. */
#define TN_EXIT_OK 0
#define TN_EXIT_USER 1
#define TN_EXIT_INTERNAL 2

typedef struct tn_cli_option {
    const char *long_name; /* "format" for --format */
    char short_name;       /* 'o' for -o, 0 for none */
    const char *arg_name;  /* "FORMAT"; NULL for a flag */
    const char *help;
} tn_cli_option;

typedef struct tn_cli_args tn_cli_args;

typedef struct tn_cli_command {
    const char *name;
    const char *usage;   /* after "tarn NAME ": "FILE..." */
    const char *summary; /* one line for `tarn --help` */
    const char *details; /* paragraphs for `tarn NAME --help` (may be NULL) */
    const tn_cli_option *options; /* terminated by an entry with long_name NULL */
    int min_positional;
    int (*run)(const struct tn_cli_command *cmd, tn_cli_args *args);
} tn_cli_command;

typedef struct tn_cli_value {
    const tn_cli_option *option;
    const char *value; /* NULL for flags */
} tn_cli_value;

struct tn_cli_args {
    int positional_count;
    char **positional;
    int value_count;
    tn_cli_value *values;
};

/* Parses argv (after the command name) against cmd's options. Returns 0 when the command
 * should run, or an exit code (after printing help or an error) when it should not. */
int tn_cli_parse(const tn_cli_command *cmd, int argc, char **argv, tn_cli_args *args,
                 bool *exit_now);
void tn_cli_args_free(tn_cli_args *args);
/* The last value given for --name, or NULL. */
const char *tn_cli_get(const tn_cli_args *args, const char *long_name);
bool tn_cli_flag(const tn_cli_args *args, const char *long_name);
void tn_cli_print_help(const tn_cli_command *cmd, FILE *out);

/* Prints "tarn: error: file:line:column: message" and returns the exit code for the error. */
int tn_cli_fail(const tn_error *err);
/* Prints a usage error for cmd and returns TN_EXIT_USER. */
int tn_cli_usage_error(const tn_cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reading options shared by inspect, convert and later ingest. */
#define TN_CLI_READ_OPTIONS                                                                    \
    {"input-format", 0, "FORMAT", "read inputs as csv, json (ndjson) or parquet instead of "  \
                                  "detecting it"},                                             \
        {"sample", 0, "N", "rows used to infer types (default 20480; 'all' = whole file)"},    \
        {"strict", 0, NULL, "stop at the first row that does not fit instead of rejecting it"}, \
        {"all-varchar", 0, NULL, "read every column as VARCHAR (no type inference)"},          \
        {"delimiter", 'd', "CHAR", "CSV field delimiter (default: detected among , ; tab |)"}, \
        {"header", 0, NULL, "CSV: the first row is a header"},                                 \
        {"no-header", 0, NULL, "CSV: the first row is data"},                                  \
        {"quote", 0, "CHAR", "CSV quote character (default \")"},                              \
        {"escape", 0, "CHAR", "CSV escape character inside quotes (default: the quote)"},      \
        {"comment", 0, "CHAR", "CSV: skip lines starting with CHAR"},                          \
        {"null", 0, "STRING", "read STRING as NULL (repeatable; default: empty field)"},       \
        {"threads", 0, "N", "worker threads (default: all cores)"}

#define TN_CLI_MAX_NULL_STRINGS 16

typedef struct tn_cli_read_setup {
    tn_read_options options;
    const char *null_strings[TN_CLI_MAX_NULL_STRINGS];
} tn_cli_read_setup;

/* Fills setup from the TN_CLI_READ_OPTIONS values in args. Returns 0 or an exit code after
 * printing what is wrong. */
int tn_cli_read_setup_init(const tn_cli_command *cmd, const tn_cli_args *args,
                           tn_cli_read_setup *setup);

/* Expands globs and folders among the inputs into a list of files (sorted within each
 * pattern). Returns 0 or an exit code after printing what is wrong. Free with
 * tn_cli_paths_free. */
int tn_cli_expand_inputs(char **patterns, int count, char ***paths, int *path_count);
void tn_cli_paths_free(char **paths, int count);

/* Progress on stderr when it is a terminal; silent otherwise. */
typedef struct tn_cli_progress {
    bool enabled;
    int64_t started_ns;
    int64_t delay_ns;     /* no line before this much time has passed (TARN_PROGRESS_AFTER_MS) */
    int64_t last_draw_ns;
    bool drawn;
} tn_cli_progress;

void tn_cli_progress_start(tn_cli_progress *progress);
/* Redraws at most ~10 times a second: "label  42%  1,234,567 rows  3.1 s". */
void tn_cli_progress_update(tn_cli_progress *progress, const char *label, double fraction,
                            int64_t rows);
void tn_cli_progress_finish(tn_cli_progress *progress);

/* "1,234,567" into out (at least 32 bytes); returns out. */
const char *tn_cli_thousands(int64_t value, char *out);

/* The project folder given with `tarn -C DIR`, or NULL (find it from the current folder). */
extern const char *tn_cli_project_dir;

/* The commands. */
extern const tn_cli_command tn_cmd_init;
extern const tn_cli_command tn_cmd_inspect;
extern const tn_cli_command tn_cmd_convert;

/* ------------------------------------------------------------------------------------------
 * Lake commands (ingest, crawl, tables, describe, history, quarantine, vacuum): the project
 * with its store, catalog and lake, opened together (cli_lake.c).
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_cli_lake {
    struct tn_project *project;
    struct tn_store *store;
    struct tn_catalog *catalog;
    struct tn_lake *lake;
} tn_cli_lake;

/* Opens the project (-C DIR or found from the current folder), its catalog and its lake.
 * TN_ENOENT with advice (run `tarn init`) when there is no project. */
int tn_cli_lake_open(tn_cli_lake *lake, tn_error *err);
void tn_cli_lake_close(tn_cli_lake *lake); /* accepts a zeroed struct */
/* Splits "[NS.]TABLE" (the project's default namespace when none); *ns and *name are
 * tn_malloc'd. TN_EUSAGE for an empty part. */
int tn_cli_table_name(const tn_cli_lake *lake, const char *text, char **ns, char **name,
                      tn_error *err);
/* "12.3 MiB" into out (at least 32 bytes); returns out. */
const char *tn_cli_bytes(int64_t bytes, char *out);

/* "2024-03-01T10:00:00.123Z" (UTC, milliseconds) into out (at least 32 bytes); returns out. */
const char *tn_cli_iso_time(int64_t ms, char *out);

/* Aligned text tables for people: add rows of cells, then print with column widths fitted. */
typedef struct tn_cli_grid {
    size_t columns;
    size_t rows;  /* including the header row */
    size_t cap;
    char **cells; /* rows * columns, tn_malloc'd copies */
} tn_cli_grid;

int tn_cli_grid_init(tn_cli_grid *grid, size_t columns, const char *const *header);
/* Adds a row of `columns` cells (NULL cells print empty). Returns 0 or TN_ENOMEM. */
int tn_cli_grid_add(tn_cli_grid *grid, const char *const *cells);
/* Prints the rows; right_align (may be NULL) says per column whether to align right. */
void tn_cli_grid_print(const tn_cli_grid *grid, FILE *out, const bool *right_align);
void tn_cli_grid_free(tn_cli_grid *grid);

extern const tn_cli_command tn_cmd_ingest;
extern const tn_cli_command tn_cmd_crawl;
extern const tn_cli_command tn_cmd_tables;
extern const tn_cli_command tn_cmd_describe;
extern const tn_cli_command tn_cmd_history;
extern const tn_cli_command tn_cmd_quarantine;
extern const tn_cli_command tn_cmd_vacuum;
extern const tn_cli_command tn_cmd_sql;

#endif /* TN_CLI_H */
