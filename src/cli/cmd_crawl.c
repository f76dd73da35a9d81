/* SPDX-License-Identifier: Apache-2.0
 *
 * `tarn crawl PATH`: registers the data files found under a folder as lake tables (the ingest
 * module's crawler does the work) and reports, per table, what changed: created, files added,
 * rows, schema changes, rejected rows.
 */
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "pipeline/project.h"

static const tn_cli_option crawl_options[] = {
    {"namespace", 'n', "NS", "namespace of the tables (default: the project's)"},
    {"compression", 'c', "CODEC", "Parquet codec of converted CSV/NDJSON files"},
    TN_CLI_READ_OPTIONS,
    {NULL, 0, NULL, NULL},
};

static void show_progress(void *ctx, const char *input, double fraction, int64_t rows)
{
    tn_cli_progress_update(ctx, input, fraction, rows);
}

static int run_crawl(const tn_cli_command *cmd, tn_cli_args *args)
{
    if (args->positional_count != 1) return tn_cli_usage_error(cmd, "name one folder to crawl");
    tn_cli_read_setup setup;
    int rc = tn_cli_read_setup_init(cmd, args, &setup);
    if (rc) return rc;
    tn_error err = {0};
    tn_cli_lake lake = {0};
    tn_crawl_result result = {0};
    rc = tn_cli_lake_open(&lake, &err);
    if (rc < 0) return tn_cli_fail(&err);
    tn_cli_progress progress;
    tn_cli_progress_start(&progress);
    tn_crawl_options opts = {
        .ns = tn_cli_get(args, "namespace"),
        .read = setup.options,
        .compression = tn_cli_get(args, "compression"),
        .progress = show_progress,
        .progress_ctx = &progress,
    };
    if (!opts.ns) opts.ns = lake.project->default_namespace;
    if (!opts.compression) opts.compression = lake.project->compression;
    rc = tn_crawl(lake.lake, lake.catalog, args->positional[0], &opts, &result, &err);
    tn_cli_progress_finish(&progress);
    int failed = 0;
    if (rc == 0) {
        if (result.table_count == 0) printf("No data files found under %s\n", args->positional[0]);
        for (size_t i = 0; i < result.table_count; i++) {
            const tn_crawl_table *t = &result.tables[i];
            char files[32], rows[32], rejected[32];
            if (t->error) {
                fprintf(stderr, "tarn: error: %s (from %s): %s\n", t->name, t->folder, t->error);
                failed++;
                continue;
            }
            if (t->files_added == 0 && !t->created) {
                printf("%s: unchanged (%lld file%s already registered)\n", t->name,
                       (long long)t->files_known, t->files_known == 1 ? "" : "s");
                continue;
            }
            printf("%s: %s%s file%s, %s rows (from %s)\n", t->name,
                   t->created ? "created with " : "added ", tn_cli_thousands(t->files_added, files),
                   t->files_added == 1 ? "" : "s", tn_cli_thousands(t->rows_added, rows), t->folder);
            if (t->schema_changes.len) printf("  schema:   %s\n", t->schema_changes.data);
            if (t->rejected)
                printf("  rejected: %s rows quarantined; see them with: tarn quarantine %s\n",
                       tn_cli_thousands(t->rejected, rejected), t->name);
        }
    }
    tn_crawl_result_free(&result);
    tn_cli_lake_close(&lake);
    if (rc < 0) return tn_cli_fail(&err);
    return failed ? TN_EXIT_USER : TN_EXIT_OK;
}

const tn_cli_command tn_cmd_crawl = {
    .name = "crawl",
    .usage = "PATH",
    .summary = "register the data files under a folder as lake tables",
    .details =
        "Walks PATH: each folder holding CSV, NDJSON or Parquet files becomes a table named\n"
        "after the folder. Hive-style key=value/ folders and yyyy/mm/dd/ date folders below it\n"
        "are partitions; their values become columns. Parquet files are referenced in place\n"
        "(no copy). CSV and NDJSON files cannot be data files of an Iceberg table, so they\n"
        "are converted to Parquet in the lake (as are Parquet files whose partition folders\n"
        "add columns). Crawling again registers only new files and reports what changed.",
    .options = crawl_options,
    .min_positional = 1,
    .run = run_crawl,
};
