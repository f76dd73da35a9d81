/* SPDX-License-Identifier: Apache-2.0
 *
 * `tarn ingest INPUT... --into [NS.]TABLE`: loads files into a lake table as one snapshot
 * (the ingest module does the work) and prints what happened: rows added, files, rows
 * quarantined and how to see them, schema changes, inputs skipped because the table already
 * holds their content.
 */
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "pipeline/project.h"

#include <stdlib.h>
#include <strings.h>

static const tn_cli_option ingest_options[] = {
    {"into", 'i', "[NS.]TABLE", "the table to load (created from the inputs when missing)"},
    {"partition-by", 'p', "SPEC", "partitioning of a new table: 'day(order_ts), region', "
                                  "'bucket(16, id)', 'truncate(10, name)', year/month/hour(col)"},
    {"mode", 'm', "MODE", "append (default) or overwrite (replace the table's rows)"},
    {"format", 'f', "FORMAT", "read the inputs as csv, ndjson or parquet instead of detecting it"},
    {"force", 0, NULL, "load inputs even when the table already holds their content"},
    {"compression", 'c', "CODEC", "Parquet codec of the data files (default: the project's)"},
    {"file-rows", 0, "N", "start a new data file every N rows per partition"},
    TN_CLI_READ_OPTIONS,
    {NULL, 0, NULL, NULL},
};

static void show_progress(void *ctx, const char *input, double fraction, int64_t rows)
{
    tn_cli_progress_update(ctx, input, fraction, rows);
}

static void print_summary(const char *table, const tn_ingest_result *r)
{
    char rows[32], files[32], rejected[32];
    if (!r->committed) {
        if (r->inputs_skipped == (int64_t)r->input_count)
            printf("Nothing to ingest: %s already holds the content of %s "
                   "(use --force to load it again)\n",
                   table, r->input_count == 1 ? "this input" : "these inputs");
        else
            printf("Nothing to ingest into %s: the inputs hold no columns\n", table);
    } else {
        printf("Ingested %lld input%s into %s%s: %s rows added in %s data file%s (snapshot %lld)\n",
               (long long)r->inputs_loaded, r->inputs_loaded == 1 ? "" : "s", table,
               r->table_created ? " (new table)" : "", tn_cli_thousands(r->rows, rows),
               tn_cli_thousands(r->data_files, files), r->data_files == 1 ? "" : "s",
               (long long)r->snapshot_id);
        if (r->rejected)
            printf("  rejected: %s row%s quarantined; see them with: tarn quarantine %s\n",
                   tn_cli_thousands(r->rejected, rejected), r->rejected == 1 ? "" : "s", table);
        if (r->schema_change_count)
            printf("  schema:   %s\n", r->schema_changes.data);
    }
    for (size_t i = 0; i < r->input_count; i++)
        if (r->inputs[i].status == TN_INGEST_SKIPPED)
            printf("  skipped:  %s (%s)\n", r->inputs[i].path,
                   r->inputs[i].skipped_reason ? r->inputs[i].skipped_reason : "already ingested");
}

static int run_ingest(const tn_cli_command *cmd, tn_cli_args *args)
{
    const char *into = tn_cli_get(args, "into");
    if (!into) return tn_cli_usage_error(cmd, "name the table to load with --into TABLE");
    if (args->positional_count < 1) return tn_cli_usage_error(cmd, "name at least one INPUT");
    tn_cli_read_setup setup;
    int rc = tn_cli_read_setup_init(cmd, args, &setup);
    if (rc) return rc;
    tn_ingest_options opts = {0};
    opts.read = setup.options;
    const char *format = tn_cli_get(args, "format");
    if (format) {
        if (!tn_format_by_name(format))
            return tn_cli_usage_error(cmd, "unknown input format '%s' (use csv, ndjson or parquet)",
                                      format);
        opts.read.format = format;
    }
    const char *mode = tn_cli_get(args, "mode");
    if (mode && strcasecmp(mode, "overwrite") == 0) opts.mode = TN_INGEST_OVERWRITE;
    else if (mode && strcasecmp(mode, "append") != 0)
        return tn_cli_usage_error(cmd, "--mode is append or overwrite, not '%s'", mode);
    opts.partition_by = tn_cli_get(args, "partition-by");
    opts.force = tn_cli_flag(args, "force");
    opts.compression = tn_cli_get(args, "compression");
    const char *file_rows = tn_cli_get(args, "file-rows");
    if (file_rows) {
        char *end = NULL;
        long long n = strtoll(file_rows, &end, 10);
        if (!end || *end || n < 1)
            return tn_cli_usage_error(cmd, "--file-rows takes a positive number, not '%s'",
                                      file_rows);
        opts.target_file_rows = n;
    }

    tn_error err = {0};
    tn_cli_lake lake = {0};
    char *ns = NULL, *name = NULL;
    char **paths = NULL;
    int path_count = 0;
    tn_ingest_result result = {0};
    tn_cli_progress progress;
    rc = tn_cli_lake_open(&lake, &err);
    if (rc < 0) return tn_cli_fail(&err);
    rc = tn_cli_table_name(&lake, into, &ns, &name, &err);
    if (rc < 0) goto fail;
    if (!opts.compression) opts.compression = lake.project->compression;
    if (opts.read.sample_rows == 0 && lake.project->sample_rows != 0)
        opts.read.sample_rows = lake.project->sample_rows < 0 ? TN_SAMPLE_ALL
                                                              : lake.project->sample_rows;
    rc = tn_cli_expand_inputs(args->positional, args->positional_count, &paths, &path_count);
    if (rc) {
        tn_cli_lake_close(&lake);
        tn_free(ns);
        tn_free(name);
        return rc;
    }
    tn_cli_progress_start(&progress);
    opts.progress = show_progress;
    opts.progress_ctx = &progress;
    rc = tn_ingest_files(lake.lake, lake.catalog, (const char *const *)paths, (size_t)path_count,
                         ns, name, &opts, &result, &err);
    tn_cli_progress_finish(&progress);
    if (rc < 0) goto fail;
    char table[512];
    snprintf(table, sizeof table, "%s.%s", ns, name);
    print_summary(table, &result);
fail:
    tn_ingest_result_free(&result);
    tn_cli_paths_free(paths, path_count);
    tn_free(ns);
    tn_free(name);
    tn_cli_lake_close(&lake);
    if (rc < 0) return tn_cli_fail(&err);
    return TN_EXIT_OK;
}

const tn_cli_command tn_cmd_ingest = {
    .name = "ingest",
    .usage = "INPUT... --into [NS.]TABLE",
    .summary = "load files into a lake table (one snapshot; idempotent; bad rows quarantined)",
    .details =
        "Reads every INPUT (a file, a glob or a folder; CSV, NDJSON or Parquet, .gz and .zst\n"
        "decompressed on the fly) and commits all of them to TABLE as one Iceberg snapshot.\n"
        "A missing table is created from the first input's columns (--partition-by sets its\n"
        "partitioning). Content the table already holds (same bytes, by hash) is skipped\n"
        "unless --force. A new column in an input adds a column to the table; int -> bigint,\n"
        "float -> double and a larger decimal precision widen it. Rows that cannot be read,\n"
        "or whose values do not fit the table's types, are quarantined with file, line,\n"
        "column and reason (see 'tarn quarantine TABLE') instead of failing the load.",
    .options = ingest_options,
    .min_positional = 1,
    .run = run_ingest,
};
