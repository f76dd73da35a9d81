/* SPDX-License-Identifier: Apache-2.0
 *
 * `tarn describe TABLE`: a table's columns (field ids, types, nullability), partition spec,
 * current snapshot, rows, files and bytes, and every schema version with what changed.
 * `--format json` prints the object scripts rely on: {"name", "location", "metadata_location",
 * "snapshot_id", "rows", "files", "bytes", "columns": [{"id", "name", "type", "nullable"}],
 * "partition_spec": [{"source", "transform", "name"}], "schema_versions": [{"schema_id",
 * "columns", "change"}]}; `--files` adds "data_files" (the current snapshot's data files).
 */
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "lake/lake.h"

#include <strings.h>

static const tn_cli_option describe_options[] = {
    {"format", 'f', "FORMAT", "output: text (default) or json"},
    {"files", 0, NULL, "also list the data files of the current snapshot"},
    {NULL, 0, NULL, NULL},
};

static const char *type_text(const tn_iceberg_field *f, char *out, size_t size)
{
    tn_type t;
    if (tn_iceberg_type_to_tn(&f->type, &t)) return tn_type_format(t, out, size);
    return tn_iceberg_type_format(&f->type, out, size);
}

/* What a schema version changed: tarn records it in a table property; the first version is
 * the table's creation. */
static const char *schema_change(const tn_iceberg_metadata *md, const tn_iceberg_schema *s)
{
    char key[64];
    snprintf(key, sizeof key, "tarn.schema.%d.changes", (int)s->schema_id);
    const char *change = tn_iceberg_metadata_property(md, key);
    if (change) return change;
    return md->schema_count && &md->schemas[0] == s ? "created" : NULL;
}

typedef struct file_list {
    tn_buf *json;
    size_t count;
    bool as_json;
} file_list;

static int add_file(void *ctx, const tn_iceberg_data_file *file, tn_error *err)
{
    file_list *fl = ctx;
    const char *path = file->file_path;
    if (strncmp(path, "file://", 7) == 0) path += 7;
    else if (strncmp(path, "file:", 5) == 0) path += 5;
    int rc = 0;
    if (fl->as_json) {
        if (fl->count) rc = tn_buf_putc(fl->json, ',');
        if (rc == 0) rc = tn_buf_append_json_string(fl->json, path, strlen(path));
    } else {
        rc = tn_buf_printf(fl->json, "  %s  (%lld rows)\n", path, (long long)file->record_count);
    }
    fl->count++;
    return rc < 0 ? tn_error_set(err, TN_ENOMEM, "out of memory") : 0;
}

static int describe_json(tn_cli_lake *lake, tn_lake_table *table, const char *full,
                         const tn_lake_stats *st, bool files, tn_buf *out, tn_error *err)
{
    const tn_iceberg_metadata *md = tn_lake_table_metadata(table);
    const tn_iceberg_schema *cur = tn_iceberg_metadata_current_schema(md);
    char type[64];
    tn_buf_append_cstr(out, "{\"name\":");
    tn_buf_append_json_string(out, full, strlen(full));
    tn_buf_append_cstr(out, ",\"location\":");
    tn_buf_append_json_string(out, md->location, strlen(md->location));
    tn_buf_append_cstr(out, ",\"metadata_location\":");
    const char *ml = tn_lake_table_metadata_location(table);
    tn_buf_append_json_string(out, ml, strlen(ml));
    if (st->snapshot_id) tn_buf_printf(out, ",\"snapshot_id\":%lld", (long long)st->snapshot_id);
    else tn_buf_append_cstr(out, ",\"snapshot_id\":null");
    tn_buf_printf(out, ",\"rows\":%lld,\"files\":%lld,\"bytes\":%lld,\"columns\":[",
                  (long long)st->rows, (long long)st->data_files, (long long)st->bytes);
    for (uint32_t i = 0; cur && i < cur->field_count; i++) {
        const tn_iceberg_field *f = &cur->fields[i];
        tn_buf_printf(out, "%s{\"id\":%d,\"name\":", i ? "," : "", (int)f->id);
        tn_buf_append_json_string(out, f->name, strlen(f->name));
        tn_buf_append_cstr(out, ",\"type\":");
        type_text(f, type, sizeof type);
        tn_buf_append_json_string(out, type, strlen(type));
        tn_buf_printf(out, ",\"nullable\":%s}", f->required ? "false" : "true");
    }
    tn_buf_append_cstr(out, "],\"partition_spec\":[");
    const tn_iceberg_partition_spec *spec = tn_iceberg_metadata_spec(md, md->default_spec_id);
    for (uint32_t i = 0; spec && i < spec->field_count; i++) {
        const tn_iceberg_partition_field *pf = &spec->fields[i];
        const tn_iceberg_field *src = cur ? tn_iceberg_schema_field(cur, pf->source_id) : NULL;
        tn_buf_append_cstr(out, i ? ",{\"source\":" : "{\"source\":");
        if (src) tn_buf_append_json_string(out, src->name, strlen(src->name));
        else tn_buf_append_cstr(out, "null");
        tn_buf_append_cstr(out, ",\"transform\":");
        tn_buf_append_json_string(out, pf->transform_text, strlen(pf->transform_text));
        tn_buf_append_cstr(out, ",\"name\":");
        tn_buf_append_json_string(out, pf->name, strlen(pf->name));
        tn_buf_putc(out, '}');
    }
    tn_buf_append_cstr(out, "],\"schema_versions\":[");
    for (uint32_t i = 0; i < md->schema_count; i++) {
        const tn_iceberg_schema *s = &md->schemas[i];
        tn_buf_printf(out, "%s{\"schema_id\":%d,\"columns\":[", i ? "," : "", (int)s->schema_id);
        for (uint32_t j = 0; j < s->field_count; j++) {
            if (j) tn_buf_putc(out, ',');
            tn_buf_append_json_string(out, s->fields[j].name, strlen(s->fields[j].name));
        }
        tn_buf_append_cstr(out, "],\"change\":");
        const char *change = schema_change(md, s);
        if (change) tn_buf_append_json_string(out, change, strlen(change));
        else tn_buf_append_cstr(out, "null");
        tn_buf_putc(out, '}');
    }
    tn_buf_putc(out, ']');
    int rc = 0;
    if (files) {
        tn_buf_append_cstr(out, ",\"data_files\":[");
        file_list fl = {out, 0, true};
        rc = tn_ingest_table_files(lake->lake, table, add_file, &fl, err);
        tn_buf_putc(out, ']');
    }
    tn_buf_append_cstr(out, "}\n");
    if (rc == 0 && !tn_buf_cstr(out)) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    return rc;
}

static int describe_text(tn_cli_lake *lake, tn_lake_table *table, const char *full,
                         const tn_lake_stats *st, bool files, tn_error *err)
{
    const tn_iceberg_metadata *md = tn_lake_table_metadata(table);
    const tn_iceberg_schema *cur = tn_iceberg_metadata_current_schema(md);
    char a[32], b[32], c[32], type[64];
    printf("table      %s\n", full);
    printf("location   %s\n", md->location);
    printf("metadata   %s\n", tn_lake_table_metadata_location(table));
    if (st->snapshot_id)
        printf("snapshot   %lld: %s rows in %s data file%s, %s\n", (long long)st->snapshot_id,
               tn_cli_thousands(st->rows, a), tn_cli_thousands(st->data_files, b),
               st->data_files == 1 ? "" : "s", tn_cli_bytes(st->bytes, c));
    else
        printf("snapshot   none (the table is empty)\n");
    tn_buf spec = TN_BUF_INIT;
    tn_ingest_partition_format(md, &spec);
    printf("partition  %s\n\n", spec.len ? tn_buf_cstr(&spec) : "none");
    tn_buf_free(&spec);

    tn_cli_grid grid;
    static const char *const header[] = {"id", "column", "type", "nullable"};
    int rc = tn_cli_grid_init(&grid, 4, header);
    for (uint32_t i = 0; rc == 0 && cur && i < cur->field_count; i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", (int)cur->fields[i].id);
        const char *cells[] = {id, cur->fields[i].name, type_text(&cur->fields[i], type, sizeof type),
                               cur->fields[i].required ? "no" : "yes"};
        rc = tn_cli_grid_add(&grid, cells);
    }
    static const bool right[] = {true, false, false, false};
    if (rc == 0) tn_cli_grid_print(&grid, stdout, right);
    tn_cli_grid_free(&grid);

    printf("\nschema versions\n");
    static const char *const vheader[] = {"schema", "columns", "change"};
    if (rc == 0) rc = tn_cli_grid_init(&grid, 3, vheader);
    for (uint32_t i = 0; rc == 0 && i < md->schema_count; i++) {
        char id[16], cols[16];
        snprintf(id, sizeof id, "%d", (int)md->schemas[i].schema_id);
        snprintf(cols, sizeof cols, "%u", md->schemas[i].field_count);
        const char *change = schema_change(md, &md->schemas[i]);
        const char *cells[] = {id, cols, change ? change : "-"};
        rc = tn_cli_grid_add(&grid, cells);
    }
    static const bool vright[] = {true, true, false};
    if (rc == 0) tn_cli_grid_print(&grid, stdout, vright);
    tn_cli_grid_free(&grid);
    if (rc < 0) return tn_error_set(err, TN_ENOMEM, "out of memory");
    if (files) {
        tn_buf list = TN_BUF_INIT;
        file_list fl = {&list, 0, false};
        rc = tn_ingest_table_files(lake->lake, table, add_file, &fl, err);
        if (rc == 0) printf("\ndata files\n%s", fl.count ? tn_buf_cstr(&list) : "  none\n");
        tn_buf_free(&list);
    }
    return rc;
}

static int run_describe(const tn_cli_command *cmd, tn_cli_args *args)
{
    if (args->positional_count != 1) return tn_cli_usage_error(cmd, "name one TABLE");
    const char *format = tn_cli_get(args, "format");
    bool json = format && strcasecmp(format, "json") == 0;
    if (format && !json && strcasecmp(format, "text") != 0 && strcasecmp(format, "table") != 0)
        return tn_cli_usage_error(cmd, "--format is text or json, not '%s'", format);
    bool files = tn_cli_flag(args, "files");
    tn_error err = {0};
    tn_cli_lake lake = {0};
    char *ns = NULL, *name = NULL;
    tn_lake_table *table = NULL;
    tn_buf out = TN_BUF_INIT;
    int rc = tn_cli_lake_open(&lake, &err);
    if (rc < 0) return tn_cli_fail(&err);
    rc = tn_cli_table_name(&lake, args->positional[0], &ns, &name, &err);
    if (rc == 0) rc = tn_lake_table_load(lake.lake, ns, name, &table, &err);
    if (rc == TN_ENOENT)
        tn_error_set(&err, rc, "no table '%s.%s' in this project (see 'tarn tables')", ns, name);
    tn_lake_stats st = {0};
    if (rc == 0) rc = tn_lake_table_stats(table, &st, &err);
    char full[512];
    if (rc == 0) {
        snprintf(full, sizeof full, "%s.%s", ns, name);
        if (json) {
            rc = describe_json(&lake, table, full, &st, files, &out, &err);
            if (rc == 0) fputs(out.data, stdout);
        } else {
            rc = describe_text(&lake, table, full, &st, files, &err);
        }
    }
    tn_buf_free(&out);
    tn_lake_table_close(table);
    tn_free(ns);
    tn_free(name);
    tn_cli_lake_close(&lake);
    if (rc < 0) return tn_cli_fail(&err);
    return TN_EXIT_OK;
}

const tn_cli_command tn_cmd_describe = {
    .name = "describe",
    .usage = "TABLE",
    .summary = "show a table's columns, partitioning, snapshot, size and schema versions",
    .details = "TABLE is NAME or NAMESPACE.NAME. --format json prints {\"name\", \"location\",\n"
               "\"metadata_location\", \"snapshot_id\", \"rows\", \"files\", \"bytes\", \"columns\":\n"
               "[{\"id\", \"name\", \"type\", \"nullable\"}], \"partition_spec\": [{\"source\",\n"
               "\"transform\", \"name\"}], \"schema_versions\": [{\"schema_id\", \"columns\",\n"
               "\"change\"}]}; with --files also \"data_files\". Rows exclude deleted rows.",
    .options = describe_options,
    .min_positional = 1,
    .run = run_describe,
};
