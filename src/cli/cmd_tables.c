/* SPDX-License-Identifier: Apache-2.0
 *
 * `tarn tables`: the tables of the project's catalog with their live rows, data files and
 * bytes (of the current snapshot; rows net of deletes). `--format json` prints an array of
 * {"name", "rows", "files", "bytes"} for scripts.
 */
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lake/lake.h"

#include <strings.h>

static const tn_cli_option tables_options[] = {
    {"namespace", 'n', "NS", "only the tables of namespace NS"},
    {"format", 'f', "FORMAT", "output: table (default) or json"},
    {NULL, 0, NULL, NULL},
};

typedef struct table_names {
    char **ns;
    char **name;
    size_t count, cap;
} table_names;

static int collect(void *ctx, const tn_catalog_table *t)
{
    table_names *names = ctx;
    if (names->count == names->cap) {
        size_t cap = names->cap ? names->cap * 2 : 16;
        char **ns = tn_realloc(names->ns, cap * sizeof *ns);
        if (!ns) return TN_ENOMEM;
        names->ns = ns;
        char **name = tn_realloc(names->name, cap * sizeof *name);
        if (!name) return TN_ENOMEM;
        names->name = name;
        names->cap = cap;
    }
    names->ns[names->count] = tn_strdup(t->namespace_name);
    names->name[names->count] = tn_strdup(t->name);
    if (!names->ns[names->count] || !names->name[names->count]) {
        tn_free(names->ns[names->count]);
        tn_free(names->name[names->count]);
        return TN_ENOMEM;
    }
    names->count++;
    return 0;
}

static int run_tables(const tn_cli_command *cmd, tn_cli_args *args)
{
    const char *format = tn_cli_get(args, "format");
    bool json = format && strcasecmp(format, "json") == 0;
    if (format && !json && strcasecmp(format, "table") != 0)
        return tn_cli_usage_error(cmd, "--format is table or json, not '%s'", format);
    tn_error err = {0};
    tn_cli_lake lake = {0};
    table_names names = {0};
    tn_buf out = TN_BUF_INIT;
    tn_cli_grid grid = {0};
    int rc = tn_cli_lake_open(&lake, &err);
    if (rc < 0) return tn_cli_fail(&err);
    rc = tn_lake_table_list(lake.lake, tn_cli_get(args, "namespace"), collect, &names, &err);
    if (rc == TN_ENOMEM) tn_error_set(&err, rc, "out of memory");
    if (rc < 0) goto done;
    static const char *const header[] = {"name", "rows", "files", "size"};
    if (!json && tn_cli_grid_init(&grid, 4, header) < 0) {
        rc = tn_error_set(&err, TN_ENOMEM, "out of memory");
        goto done;
    }
    tn_buf_putc(&out, '[');
    for (size_t i = 0; i < names.count; i++) {
        tn_lake_table *table = NULL;
        tn_lake_stats stats = {0};
        rc = tn_lake_table_load(lake.lake, names.ns[i], names.name[i], &table, &err);
        if (rc == 0) rc = tn_lake_table_stats(table, &stats, &err);
        tn_lake_table_close(table);
        if (rc < 0) goto done;
        char full[512];
        snprintf(full, sizeof full, "%s.%s", names.ns[i], names.name[i]);
        if (json) {
            if (i) tn_buf_putc(&out, ',');
            tn_buf_append_cstr(&out, "{\"name\":");
            tn_buf_append_json_string(&out, full, strlen(full));
            tn_buf_printf(&out, ",\"rows\":%lld,\"files\":%lld,\"bytes\":%lld}",
                          (long long)stats.rows, (long long)stats.data_files,
                          (long long)stats.bytes);
        } else {
            char rows[32], files[32], size[32];
            const char *cells[] = {full, tn_cli_thousands(stats.rows, rows),
                                   tn_cli_thousands(stats.data_files, files),
                                   tn_cli_bytes(stats.bytes, size)};
            if (tn_cli_grid_add(&grid, cells) < 0) {
                rc = tn_error_set(&err, TN_ENOMEM, "out of memory");
                goto done;
            }
        }
    }
    tn_buf_append_cstr(&out, "]\n");
    if (json) {
        if (!tn_buf_cstr(&out)) {
            rc = tn_error_set(&err, TN_ENOMEM, "out of memory");
            goto done;
        }
        fputs(out.data, stdout);
    } else if (names.count == 0) {
        printf("No tables yet. Load one with: tarn ingest FILE --into TABLE\n");
    } else {
        static const bool right[] = {false, true, true, true};
        tn_cli_grid_print(&grid, stdout, right);
    }
done:
    for (size_t i = 0; i < names.count; i++) {
        tn_free(names.ns[i]);
        tn_free(names.name[i]);
    }
    tn_free(names.ns);
    tn_free(names.name);
    tn_buf_free(&out);
    tn_cli_grid_free(&grid);
    tn_cli_lake_close(&lake);
    if (rc < 0) return tn_cli_fail(&err);
    return TN_EXIT_OK;
}

const tn_cli_command tn_cmd_tables = {
    .name = "tables",
    .usage = "",
    .summary = "list the lake's tables with rows, files and size",
    .details = "Rows, files and size are those of each table's current snapshot (rows deleted\n"
               "by delete files are not counted). --format json prints an array of\n"
               "{\"name\", \"rows\", \"files\", \"bytes\"}.",
    .options = tables_options,
    .min_positional = 0,
    .run = run_tables,
};
