/* SPDX-License-Identifier: Apache-2.0
 *
 * `tarn quarantine TABLE`: the rows loads rejected for a table, oldest first, with the input,
 * line, column, reason and raw text the catalog kept. `--format json` prints an array of
 * {"table", "input", "line", "column", "column_name", "reason", "raw", "run_id", "created"}.
 */
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lake/lake.h"

#include <stdlib.h>
#include <strings.h>

#define RAW_SHOWN 60 /* characters of raw text in the table for people */

static const tn_cli_option quarantine_options[] = {
    {"format", 'f', "FORMAT", "output: table (default) or json"},
    {"limit", 'n', "N", "show at most N rows (default: all)"},
    {NULL, 0, NULL, NULL},
};

typedef struct listing {
    bool json;
    int64_t limit;
    int64_t count;
    tn_buf *out;
    tn_cli_grid *grid;
} listing;

/* Raw text on one line for the table: control characters shown as spaces, cut to fit. */
static void raw_cell(tn_str raw, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < raw.len && n + 4 < size && n < RAW_SHOWN; i++) {
        unsigned char ch = (unsigned char)raw.ptr[i];
        out[n++] = ch < 0x20 ? ' ' : (char)ch;
    }
    if (raw.len > n && n + 4 < size) {
        /* Do not end inside a UTF-8 sequence. */
        while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80) n--;
        if (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0xC0) n--;
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

static int one_row(void *ctx, const tn_quarantine_row *row)
{
    listing *l = ctx;
    if (l->limit >= 0 && l->count >= l->limit) return 1;
    l->count++;
    if (l->json) {
        tn_buf *o = l->out;
        char when[32];
        if (l->count > 1) tn_buf_putc(o, ',');
        tn_buf_append_cstr(o, "{\"table\":");
        tn_buf_append_json_string(o, row->table, strlen(row->table));
        tn_buf_append_cstr(o, ",\"input\":");
        tn_buf_append_json_string(o, row->input ? row->input : "", row->input ? strlen(row->input) : 0);
        tn_buf_printf(o, ",\"line\":%lld,\"column\":%lld,\"column_name\":", (long long)row->line,
                      (long long)row->column);
        if (row->column_name) tn_buf_append_json_string(o, row->column_name, strlen(row->column_name));
        else tn_buf_append_cstr(o, "null");
        tn_buf_append_cstr(o, ",\"reason\":");
        tn_buf_append_json_string(o, row->reason ? row->reason : "", row->reason ? strlen(row->reason) : 0);
        tn_buf_append_cstr(o, ",\"raw\":");
        tn_buf_append_json_string(o, row->raw.ptr ? row->raw.ptr : "", row->raw.len);
        tn_buf_printf(o, ",\"run_id\":%lld,\"created\":\"%s\"}", (long long)row->run_id,
                      tn_cli_iso_time(row->created_us / 1000, when));
        return 0;
    }
    char line[32], column[160], raw[RAW_SHOWN + 8];
    snprintf(line, sizeof line, "%lld", (long long)row->line);
    if (row->column_name && row->column > 0)
        snprintf(column, sizeof column, "%lld (%s)", (long long)row->column, row->column_name);
    else if (row->column_name)
        snprintf(column, sizeof column, "%s", row->column_name);
    else if (row->column > 0)
        snprintf(column, sizeof column, "%lld", (long long)row->column);
    else
        snprintf(column, sizeof column, "-");
    raw_cell(row->raw, raw, sizeof raw);
    const char *cells[] = {row->input, line, column, row->reason, raw};
    return tn_cli_grid_add(l->grid, cells) < 0 ? TN_ENOMEM : 0;
}

static int run_quarantine(const tn_cli_command *cmd, tn_cli_args *args)
{
    if (args->positional_count != 1) return tn_cli_usage_error(cmd, "name one TABLE");
    const char *format = tn_cli_get(args, "format");
    bool json = format && strcasecmp(format, "json") == 0;
    if (format && !json && strcasecmp(format, "table") != 0)
        return tn_cli_usage_error(cmd, "--format is table or json, not '%s'", format);
    int64_t limit = -1;
    const char *limit_text = tn_cli_get(args, "limit");
    if (limit_text) {
        char *end = NULL;
        long long n = strtoll(limit_text, &end, 10);
        if (!end || *end || n < 0)
            return tn_cli_usage_error(cmd, "--limit takes a number, not '%s'", limit_text);
        limit = n;
    }
    tn_error err = {0};
    tn_cli_lake lake = {0};
    char *ns = NULL, *name = NULL;
    tn_buf out = TN_BUF_INIT;
    tn_cli_grid grid = {0};
    int rc = tn_cli_lake_open(&lake, &err);
    if (rc < 0) return tn_cli_fail(&err);
    rc = tn_cli_table_name(&lake, args->positional[0], &ns, &name, &err);
    char full[512] = "";
    if (rc == 0) {
        snprintf(full, sizeof full, "%s.%s", ns, name);
        char *location = NULL;
        rc = tn_catalog_table_get(lake.catalog, ns, name, &location, &err);
        tn_free(location);
        if (rc == TN_ENOENT)
            tn_error_set(&err, rc, "no table '%s' in this project (see 'tarn tables')", full);
    }
    static const char *const header[] = {"input", "line", "column", "reason", "raw"};
    if (rc == 0 && !json && tn_cli_grid_init(&grid, 5, header) < 0)
        rc = tn_error_set(&err, TN_ENOMEM, "out of memory");
    listing l = {json, limit, 0, &out, &grid};
    tn_buf_putc(&out, '[');
    if (rc == 0) {
        rc = tn_catalog_quarantine_list(lake.catalog, full, one_row, &l, &err);
        if (rc == 1) rc = 0; /* the limit stopped the listing */
        if (rc == TN_ENOMEM) tn_error_set(&err, rc, "out of memory");
    }
    tn_buf_append_cstr(&out, "]\n");
    if (rc == 0 && !tn_buf_cstr(&out)) rc = tn_error_set(&err, TN_ENOMEM, "out of memory");
    if (rc == 0) {
        if (json) {
            fputs(out.data, stdout);
        } else if (l.count == 0) {
            printf("No rejected rows for %s\n", full);
        } else {
            static const bool right[] = {false, true, false, false, false};
            tn_cli_grid_print(&grid, stdout, right);
        }
    }
    tn_cli_grid_free(&grid);
    tn_buf_free(&out);
    tn_free(ns);
    tn_free(name);
    tn_cli_lake_close(&lake);
    if (rc < 0) return tn_cli_fail(&err);
    return TN_EXIT_OK;
}

const tn_cli_command tn_cmd_quarantine = {
    .name = "quarantine",
    .usage = "TABLE",
    .summary = "list the rows loads rejected for a table, with input, line, column and reason",
    .details = "Rows that could not be read, or whose values did not fit the table's columns,\n"
               "are kept here by 'tarn ingest' and 'tarn crawl' instead of failing the load.\n"
               "--format json prints an array of {\"table\", \"input\", \"line\", \"column\",\n"
               "\"column_name\", \"reason\", \"raw\", \"run_id\", \"created\"}.",
    .options = quarantine_options,
    .min_positional = 1,
    .run = run_quarantine,
};
