/* SPDX-License-Identifier: Apache-2.0
 *
 * `tarn vacuum [TABLE]`: expires snapshots older than the retention (the current one is always
 * kept) and removes the files no remaining snapshot references: data and manifests of expired
 * snapshots, replaced metadata files, and orphans of killed or failed writes older than the
 * grace period. Every table when none is named.
 */
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lake/lake.h"
#include "pipeline/project.h"

#include <strings.h>

static const tn_cli_option vacuum_options[] = {
    {"retention", 'r', "DURATION", "expire snapshots older than this (default: the project's "
                                   "vacuum.snapshot_retention; 90s, 15m, 12h, 7d, 2w)"},
    {"grace", 0, "DURATION", "remove unreferenced files only when older than this (default: the "
                             "project's vacuum.orphan_grace; 0 = any age)"},
    {"dry-run", 'n', NULL, "report what would be removed; change nothing"},
    {"format", 'f', "FORMAT", "output: text (default) or json"},
    {NULL, 0, NULL, NULL},
};

typedef struct table_names {
    char **names; /* "ns\0name" pairs stored as two strings */
    size_t count, cap;
} table_names;

static int collect(void *ctx, const tn_catalog_table *t)
{
    table_names *list = ctx;
    if (list->count + 2 > list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 32;
        char **grown = tn_realloc(list->names, cap * sizeof *grown);
        if (!grown) return TN_ENOMEM;
        list->names = grown;
        list->cap = cap;
    }
    list->names[list->count] = tn_strdup(t->namespace_name);
    list->names[list->count + 1] = tn_strdup(t->name);
    if (!list->names[list->count] || !list->names[list->count + 1]) {
        tn_free(list->names[list->count]);
        tn_free(list->names[list->count + 1]);
        return TN_ENOMEM;
    }
    list->count += 2;
    return 0;
}

static int vacuum_one(tn_cli_lake *lake, const char *ns, const char *name,
                      const tn_lake_vacuum_options *vo, bool json, bool first, tn_buf *out,
                      tn_error *err)
{
    tn_lake_table *table = NULL;
    int rc = tn_lake_table_load(lake->lake, ns, name, &table, err);
    if (rc == TN_ENOENT)
        return tn_error_set(err, rc, "no table '%s.%s' in this project (see 'tarn tables')", ns,
                            name);
    if (rc < 0) return rc;
    char full[512];
    snprintf(full, sizeof full, "%s.%s", ns, name);
    int64_t op = 0;
    if (!vo->dry_run) rc = tn_catalog_operation_start(lake->catalog, "vacuum", full, &op, err);
    tn_lake_vacuum_result vr = {0};
    if (rc == 0) rc = tn_lake_table_vacuum(table, vo, &vr, err);
    tn_lake_table_close(table);
    if (op) {
        tn_error ignore = {0};
        char detail[256];
        snprintf(detail, sizeof detail,
                 "{\"snapshots_expired\":%lld,\"files_removed\":%lld,\"bytes_removed\":%lld}",
                 (long long)vr.snapshots_expired, (long long)vr.files_removed,
                 (long long)vr.bytes_removed);
        tn_catalog_operation_finish(lake->catalog, op, rc == 0 ? "ok" : "failed", 0, detail,
                                    &ignore);
    }
    if (rc < 0) return rc;
    if (json) {
        if (!first) tn_buf_putc(out, ',');
        tn_buf_append_cstr(out, "{\"name\":");
        tn_buf_append_json_string(out, full, strlen(full));
        tn_buf_printf(out, ",\"snapshots_expired\":%lld,\"files_removed\":%lld,\"bytes_removed\":%lld}",
                      (long long)vr.snapshots_expired, (long long)vr.files_removed,
                      (long long)vr.bytes_removed);
    } else {
        char files[32], bytes[32];
        printf("%s: %s %lld snapshot%s, %s %s file%s (%s)\n", full,
               vo->dry_run ? "would expire" : "expired", (long long)vr.snapshots_expired,
               vr.snapshots_expired == 1 ? "" : "s", vo->dry_run ? "would remove" : "removed",
               tn_cli_thousands(vr.files_removed, files), vr.files_removed == 1 ? "" : "s",
               tn_cli_bytes(vr.bytes_removed, bytes));
    }
    return 0;
}

static int run_vacuum(const tn_cli_command *cmd, tn_cli_args *args)
{
    if (args->positional_count > 1) return tn_cli_usage_error(cmd, "name at most one TABLE");
    const char *format = tn_cli_get(args, "format");
    bool json = format && strcasecmp(format, "json") == 0;
    if (format && !json && strcasecmp(format, "text") != 0)
        return tn_cli_usage_error(cmd, "--format is text or json, not '%s'", format);
    int64_t retention = -1, grace = -1;
    const char *text = tn_cli_get(args, "retention");
    if (text && !tn_parse_duration(text, &retention))
        return tn_cli_usage_error(cmd, "--retention takes a duration such as 90s, 15m, 12h, 7d or "
                                       "2w, not '%s'", text);
    text = tn_cli_get(args, "grace");
    if (text && !tn_parse_duration(text, &grace))
        return tn_cli_usage_error(cmd, "--grace takes a duration such as 0s, 15m or 1d, not '%s'",
                                  text);
    tn_error err = {0};
    tn_cli_lake lake = {0};
    table_names list = {0};
    tn_buf out = TN_BUF_INIT;
    int rc = tn_cli_lake_open(&lake, &err);
    if (rc < 0) return tn_cli_fail(&err);
    if (retention < 0) retention = lake.project->snapshot_retention_seconds;
    if (grace < 0) grace = lake.project->orphan_grace_seconds;
    tn_lake_vacuum_options vo = {
        .retain_ms = retention * 1000,
        .min_snapshots = 1,
        /* The lake reads 0 as "default"; a grace of zero is asked for with a negative value. */
        .orphan_grace_ms = grace > 0 ? grace * 1000 : -1,
        .dry_run = tn_cli_flag(args, "dry-run"),
    };
    if (args->positional_count == 1) {
        char *ns = NULL, *name = NULL;
        rc = tn_cli_table_name(&lake, args->positional[0], &ns, &name, &err);
        if (rc == 0) rc = collect(&list, &(tn_catalog_table){.namespace_name = ns, .name = name});
        if (rc == TN_ENOMEM) tn_error_set(&err, rc, "out of memory");
        tn_free(ns);
        tn_free(name);
    } else {
        rc = tn_lake_table_list(lake.lake, NULL, collect, &list, &err);
        if (rc == TN_ENOMEM) tn_error_set(&err, rc, "out of memory");
    }
    tn_buf_putc(&out, '[');
    for (size_t i = 0; rc == 0 && i < list.count; i += 2)
        rc = vacuum_one(&lake, list.names[i], list.names[i + 1], &vo, json, i == 0, &out, &err);
    tn_buf_append_cstr(&out, "]\n");
    if (rc == 0 && json) {
        if (tn_buf_cstr(&out)) fputs(out.data, stdout);
        else rc = tn_error_set(&err, TN_ENOMEM, "out of memory");
    } else if (rc == 0 && list.count == 0) {
        printf("No tables to vacuum\n");
    }
    for (size_t i = 0; i < list.count; i++) tn_free(list.names[i]);
    tn_free(list.names);
    tn_buf_free(&out);
    tn_cli_lake_close(&lake);
    if (rc < 0) return tn_cli_fail(&err);
    return TN_EXIT_OK;
}

const tn_cli_command tn_cmd_vacuum = {
    .name = "vacuum",
    .usage = "[TABLE]",
    .summary = "expire old snapshots and remove files no snapshot references",
    .details = "Expires the snapshots of TABLE (every table when none is named) older than the\n"
               "retention, keeping the current one, then removes every file under the table's\n"
               "data/ and metadata/ folders that no remaining snapshot or metadata file\n"
               "references (including orphans of killed writes) once it is older than the\n"
               "grace period, which protects writes still in progress.",
    .options = vacuum_options,
    .min_positional = 0,
    .run = run_vacuum,
};
