/* SPDX-License-Identifier: Apache-2.0
 *
 * `tarn history TABLE`: the table's snapshots, oldest first: id, time, operation, rows and
 * files added and removed (from the snapshot summaries Iceberg writers keep). `--format json`
 * prints an array of {"snapshot_id", "timestamp", "operation", "added_rows", "added_files",
 * "removed_rows", "removed_files"}.
 */
#include "cli/cli.h"
#include "lake/lake.h"

#include <stdlib.h>
#include <strings.h>

static const tn_cli_option history_options[] = {
    {"format", 'f', "FORMAT", "output: table (default) or json"},
    {NULL, 0, NULL, NULL},
};

static int64_t summary_i64(const tn_iceberg_snapshot *s, const char *key)
{
    const char *v = tn_iceberg_snapshot_summary(s, key);
    int64_t n = 0;
    if (v && tn_parse_int64(v, strlen(v), &n)) return n;
    return 0;
}

/* Oldest first: by sequence number, then time (v1 snapshots have sequence number 0). */
static int by_age(const void *a, const void *b)
{
    const tn_iceberg_snapshot *x = *(const tn_iceberg_snapshot *const *)a;
    const tn_iceberg_snapshot *y = *(const tn_iceberg_snapshot *const *)b;
    if (x->sequence_number != y->sequence_number)
        return x->sequence_number < y->sequence_number ? -1 : 1;
    if (x->timestamp_ms != y->timestamp_ms) return x->timestamp_ms < y->timestamp_ms ? -1 : 1;
    return 0;
}

static int run_history(const tn_cli_command *cmd, tn_cli_args *args)
{
    if (args->positional_count != 1) return tn_cli_usage_error(cmd, "name one TABLE");
    const char *format = tn_cli_get(args, "format");
    bool json = format && strcasecmp(format, "json") == 0;
    if (format && !json && strcasecmp(format, "table") != 0)
        return tn_cli_usage_error(cmd, "--format is table or json, not '%s'", format);
    tn_error err = {0};
    tn_cli_lake lake = {0};
    char *ns = NULL, *name = NULL;
    tn_lake_table *table = NULL;
    const tn_iceberg_snapshot **order = NULL;
    tn_buf out = TN_BUF_INIT;
    tn_cli_grid grid = {0};
    int rc = tn_cli_lake_open(&lake, &err);
    if (rc < 0) return tn_cli_fail(&err);
    rc = tn_cli_table_name(&lake, args->positional[0], &ns, &name, &err);
    if (rc == 0) rc = tn_lake_table_load(lake.lake, ns, name, &table, &err);
    if (rc == TN_ENOENT)
        tn_error_set(&err, rc, "no table '%s.%s' in this project (see 'tarn tables')", ns, name);
    if (rc < 0) goto done;
    const tn_iceberg_metadata *md = tn_lake_table_metadata(table);
    order = tn_calloc(md->snapshot_count + 1, sizeof *order);
    if (!order) {
        rc = tn_error_set(&err, TN_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < md->snapshot_count; i++) order[i] = &md->snapshots[i];
    qsort(order, md->snapshot_count, sizeof *order, by_age);
    static const char *const header[] = {"snapshot", "time", "operation", "+rows", "+files",
                                         "-rows", "-files"};
    if (!json) rc = tn_cli_grid_init(&grid, 7, header);
    tn_buf_putc(&out, '[');
    for (uint32_t i = 0; rc == 0 && i < md->snapshot_count; i++) {
        const tn_iceberg_snapshot *s = order[i];
        const char *op = tn_iceberg_snapshot_summary(s, "operation");
        int64_t added_rows = summary_i64(s, "added-records");
        int64_t added_files = summary_i64(s, "added-data-files");
        int64_t removed_rows = summary_i64(s, "deleted-records");
        int64_t removed_files = summary_i64(s, "deleted-data-files");
        char when[32];
        tn_cli_iso_time(s->timestamp_ms, when);
        if (json) {
            tn_buf_printf(&out, "%s{\"snapshot_id\":%lld,\"timestamp\":\"%s\",\"operation\":",
                          i ? "," : "", (long long)s->snapshot_id, when);
            if (op) tn_buf_append_json_string(&out, op, strlen(op));
            else tn_buf_append_cstr(&out, "null");
            tn_buf_printf(&out, ",\"added_rows\":%lld,\"added_files\":%lld,\"removed_rows\":%lld,"
                                "\"removed_files\":%lld}",
                          (long long)added_rows, (long long)added_files, (long long)removed_rows,
                          (long long)removed_files);
        } else {
            char id[32], ar[32], af[32], rr[32], rf[32];
            snprintf(id, sizeof id, "%lld", (long long)s->snapshot_id);
            when[19] = '\0'; /* seconds are enough for people */
            when[10] = ' ';
            const char *cells[] = {id, when, op ? op : "-", tn_cli_thousands(added_rows, ar),
                                   tn_cli_thousands(added_files, af),
                                   tn_cli_thousands(removed_rows, rr),
                                   tn_cli_thousands(removed_files, rf)};
            rc = tn_cli_grid_add(&grid, cells);
        }
    }
    tn_buf_append_cstr(&out, "]\n");
    if (rc < 0 || !tn_buf_cstr(&out)) {
        rc = tn_error_set(&err, TN_ENOMEM, "out of memory");
        goto done;
    }
    if (json) {
        fputs(out.data, stdout);
    } else if (md->snapshot_count == 0) {
        printf("%s.%s has no snapshots yet\n", ns, name);
    } else {
        static const bool right[] = {true, false, false, true, true, true, true};
        tn_cli_grid_print(&grid, stdout, right);
    }
done:
    tn_cli_grid_free(&grid);
    tn_buf_free(&out);
    tn_free(order);
    tn_lake_table_close(table);
    tn_free(ns);
    tn_free(name);
    tn_cli_lake_close(&lake);
    if (rc < 0) return tn_cli_fail(&err);
    return TN_EXIT_OK;
}

const tn_cli_command tn_cmd_history = {
    .name = "history",
    .usage = "TABLE",
    .summary = "list a table's snapshots: time, operation, rows and files added and removed",
    .details = "Oldest first. --format json prints an array of {\"snapshot_id\", \"timestamp\",\n"
               "\"operation\", \"added_rows\", \"added_files\", \"removed_rows\", \"removed_files\"}\n"
               "(timestamp in ISO 8601, UTC).",
    .options = history_options,
    .min_positional = 1,
    .run = run_history,
};
