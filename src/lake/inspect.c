/* SPDX-License-Identifier: Apache-2.0
 *
 * Looking at tables: live statistics of the current snapshot (rows net of deletes, files,
 * bytes), and the JSON documents `tarn describe` and `tarn history` print.
 */
#include "lake/lake_int.h"

#include <stdio.h>

/* Stats of the current snapshot. */
int tn_lake_table_stats(tn_lake_table *table, tn_lake_stats *out, tn_error *err)
{
    memset(out, 0, sizeof *out);
    const tn_iceberg_snapshot *snap = tn_iceberg_metadata_current_snapshot(table->md);
    if (!snap) return 0;
    out->snapshot_id = snap->snapshot_id;
    tn_manifest_list *list = NULL;
    int rc = tn_lake_snapshot_manifests(table->lake, table->md, snap, &list, err);
    if (rc < 0) return rc;
    int64_t records = 0;
    for (uint32_t i = 0; i < list->count && rc == 0; i++) {
        tn_manifest *m = NULL;
        rc = tn_lake_load_manifest(table->lake, table->md, &list->manifests[i], &m, err);
        if (rc < 0) break;
        for (uint32_t j = 0; j < m->count; j++) {
            const tn_manifest_entry *e = &m->entries[j];
            if (e->status == TN_ENTRY_DELETED) continue;
            out->bytes += e->file.file_size_in_bytes > 0 ? e->file.file_size_in_bytes : 0;
            if (e->file.content == TN_CONTENT_DATA) {
                out->data_files++;
                records += e->file.record_count;
            } else {
                out->delete_files++;
            }
        }
        tn_manifest_free(m);
    }
    tn_manifest_list_free(list);
    if (rc < 0) return rc;
    if (out->delete_files == 0) {
        out->rows = records;
        return 0;
    }
    /* Deletes apply: count what a scan returns (one narrow column is enough). */
    tn_lake_scan *scan = NULL;
    tn_lake_scan_options o = {0};
    const tn_schema *s = tn_lake_table_schema(table);
    const char *first = s->column_count ? s->columns[0].name : NULL;
    if (first) {
        o.columns = &first;
        o.column_count = 1;
    }
    rc = tn_lake_scan_open(table, &o, &scan, err);
    while (rc == 0) {
        tn_batch *b = NULL;
        rc = tn_lake_scan_next(scan, &b, err);
        if (rc < 0 || !b) break;
        out->rows += b->row_count;
        tn_batch_free(b);
    }
    tn_lake_scan_close(scan);
    return rc;
}

static int json_str(tn_buf *b, const char *s) { return tn_buf_append_json_string(b, s ? s : "", s ? strlen(s) : 0); }

static int field_json(tn_buf *b, const tn_iceberg_field *f, int depth)
{
    char type[64];
    int rc = tn_buf_printf(b, "{\"id\":%d,\"name\":", (int)f->id);
    if (rc == 0) rc = json_str(b, f->name);
    if (rc == 0) rc = tn_buf_printf(b, ",\"type\":\"%s\",\"required\":%s", tn_iceberg_type_format(&f->type, type, sizeof type),
                                    f->required ? "true" : "false");
    tn_type tt;
    if (rc == 0 && tn_iceberg_type_to_tn(&f->type, &tt))
        rc = tn_buf_printf(b, ",\"sql_type\":\"%s\"", tn_type_format(tt, type, sizeof type));
    if (rc == 0 && f->doc) {
        rc = tn_buf_append_cstr(b, ",\"doc\":");
        if (rc == 0) rc = json_str(b, f->doc);
    }
    if (rc == 0 && f->type.child_count && depth < 16) {
        rc = tn_buf_append_cstr(b, ",\"fields\":[");
        for (uint32_t i = 0; rc == 0 && i < f->type.child_count; i++) {
            if (i) rc = tn_buf_putc(b, ',');
            if (rc == 0) rc = field_json(b, &f->type.children[i], depth + 1);
        }
        if (rc == 0) rc = tn_buf_putc(b, ']');
    }
    if (rc == 0) rc = tn_buf_putc(b, '}');
    return rc;
}

static int schema_json(tn_buf *b, const tn_iceberg_metadata *md, const tn_iceberg_schema *s)
{
    int rc = tn_buf_printf(b, "{\"schema_id\":%d,\"columns\":[", (int)s->schema_id);
    for (uint32_t i = 0; rc == 0 && i < s->field_count; i++) {
        if (i) rc = tn_buf_putc(b, ',');
        if (rc == 0) rc = field_json(b, &s->fields[i], 0);
    }
    char key[64];
    snprintf(key, sizeof key, "tarn.schema.%d.changes", (int)s->schema_id);
    const char *changes = tn_iceberg_metadata_property(md, key);
    if (rc == 0) rc = tn_buf_append_cstr(b, "],\"changes\":");
    if (rc == 0) rc = changes ? json_str(b, changes) : tn_buf_append_cstr(b, "null");
    if (rc == 0) rc = tn_buf_putc(b, '}');
    return rc;
}

/* Describes a table as JSON. */
int tn_lake_table_describe_json(const tn_lake_table *table, tn_buf *out, tn_error *err)
{
    const tn_iceberg_metadata *md = table->md;
    int rc = tn_buf_append_cstr(out, "{\"name\":");
    if (rc == 0) rc = json_str(out, table->name);
    if (rc == 0) rc = tn_buf_append_cstr(out, ",\"namespace\":");
    if (rc == 0) rc = table->ns ? json_str(out, table->ns) : tn_buf_append_cstr(out, "null");
    if (rc == 0) rc = tn_buf_append_cstr(out, ",\"location\":");
    if (rc == 0) rc = json_str(out, md->location);
    if (rc == 0) rc = tn_buf_append_cstr(out, ",\"metadata_location\":");
    if (rc == 0) rc = json_str(out, table->metadata_location);
    if (rc == 0) rc = tn_buf_printf(out, ",\"format_version\":%d,\"table_uuid\":", md->format_version);
    if (rc == 0) rc = json_str(out, md->table_uuid);
    const tn_iceberg_schema *cur = tn_iceberg_metadata_current_schema(md);
    if (rc == 0) rc = tn_buf_append_cstr(out, ",\"schema\":");
    if (rc == 0) rc = schema_json(out, md, cur);
    if (rc == 0) rc = tn_buf_append_cstr(out, ",\"schemas\":[");
    for (uint32_t i = 0; rc == 0 && i < md->schema_count; i++) {
        if (i) rc = tn_buf_putc(out, ',');
        if (rc == 0) rc = schema_json(out, md, &md->schemas[i]);
    }
    if (rc == 0) rc = tn_buf_printf(out, "],\"default_spec_id\":%d,\"partition_specs\":[", (int)md->default_spec_id);
    for (uint32_t i = 0; rc == 0 && i < md->spec_count; i++) {
        const tn_iceberg_partition_spec *sp = &md->specs[i];
        rc = tn_buf_printf(out, "%s{\"spec_id\":%d,\"fields\":[", i ? "," : "", (int)sp->spec_id);
        for (uint32_t j = 0; rc == 0 && j < sp->field_count; j++) {
            const tn_iceberg_partition_field *f = &sp->fields[j];
            const tn_iceberg_field *src = tn_iceberg_schema_field(cur, f->source_id);
            rc = tn_buf_printf(out, "%s{\"name\":", j ? "," : "");
            if (rc == 0) rc = json_str(out, f->name);
            if (rc == 0) rc = tn_buf_append_cstr(out, ",\"transform\":");
            if (rc == 0) rc = json_str(out, f->transform_text);
            if (rc == 0) rc = tn_buf_printf(out, ",\"source_id\":%d,\"field_id\":%d,\"source\":", (int)f->source_id, (int)f->field_id);
            if (rc == 0) rc = src ? json_str(out, src->name) : tn_buf_append_cstr(out, "null");
            if (rc == 0) rc = tn_buf_putc(out, '}');
        }
        if (rc == 0) rc = tn_buf_append_cstr(out, "]}");
    }
    if (rc == 0) rc = tn_buf_printf(out, "],\"default_sort_order_id\":%d,\"sort_orders\":[", (int)md->default_sort_order_id);
    for (uint32_t i = 0; rc == 0 && i < md->sort_order_count; i++) {
        const tn_iceberg_sort_order *so = &md->sort_orders[i];
        rc = tn_buf_printf(out, "%s{\"order_id\":%d,\"fields\":[", i ? "," : "", (int)so->order_id);
        for (uint32_t j = 0; rc == 0 && j < so->field_count; j++) {
            rc = tn_buf_printf(out, "%s{\"source_id\":%d,\"transform\":", j ? "," : "", (int)so->fields[j].source_id);
            if (rc == 0) rc = json_str(out, so->fields[j].transform_text);
            if (rc == 0) rc = tn_buf_printf(out, ",\"direction\":\"%s\",\"null_order\":\"%s\"}", so->fields[j].descending ? "desc" : "asc",
                                            so->fields[j].nulls_first ? "nulls-first" : "nulls-last");
        }
        if (rc == 0) rc = tn_buf_append_cstr(out, "]}");
    }
    if (rc == 0) rc = tn_buf_append_cstr(out, "],\"properties\":{");
    for (uint32_t i = 0; rc == 0 && i < md->property_count; i++) {
        if (i) rc = tn_buf_putc(out, ',');
        if (rc == 0) rc = json_str(out, md->properties[i].key);
        if (rc == 0) rc = tn_buf_putc(out, ':');
        if (rc == 0) rc = json_str(out, md->properties[i].value);
    }
    const tn_iceberg_snapshot *snap = tn_iceberg_metadata_current_snapshot(md);
    if (rc == 0) rc = tn_buf_append_cstr(out, "},\"current_snapshot_id\":");
    if (rc == 0) rc = snap ? tn_buf_printf(out, "%lld", (long long)snap->snapshot_id) : tn_buf_append_cstr(out, "null");
    if (rc == 0) rc = tn_buf_printf(out, ",\"snapshot_count\":%u}", md->snapshot_count);
    return rc < 0 ? tn_error_set(err, TN_ENOMEM, "out of memory") : 0;
}

/* The snapshot history as JSON. */
int tn_lake_table_history_json(const tn_lake_table *table, tn_buf *out, tn_error *err)
{
    const tn_iceberg_metadata *md = table->md;
    const tn_iceberg_snapshot *cur = tn_iceberg_metadata_current_snapshot(md);
    int rc = tn_buf_putc(out, '[');
    for (uint32_t i = 0; rc == 0 && i < md->snapshot_count; i++) {
        const tn_iceberg_snapshot *s = &md->snapshots[i];
        rc = tn_buf_printf(out, "%s{\"snapshot_id\":%lld,\"parent_snapshot_id\":", i ? "," : "", (long long)s->snapshot_id);
        if (rc == 0) rc = s->has_parent ? tn_buf_printf(out, "%lld", (long long)s->parent_snapshot_id) : tn_buf_append_cstr(out, "null");
        if (rc == 0) rc = tn_buf_printf(out, ",\"sequence_number\":%lld,\"timestamp_ms\":%lld,\"operation\":",
                                        (long long)s->sequence_number, (long long)s->timestamp_ms);
        const char *op = tn_iceberg_snapshot_summary(s, "operation");
        if (rc == 0) rc = op ? json_str(out, op) : tn_buf_append_cstr(out, "null");
        if (rc == 0) rc = tn_buf_printf(out, ",\"current\":%s,\"schema_id\":", cur == s ? "true" : "false");
        if (rc == 0) rc = s->has_schema_id ? tn_buf_printf(out, "%d", (int)s->schema_id) : tn_buf_append_cstr(out, "null");
        if (rc == 0) rc = tn_buf_append_cstr(out, ",\"summary\":{");
        for (uint32_t j = 0; rc == 0 && j < s->summary_count; j++) {
            if (j) rc = tn_buf_putc(out, ',');
            if (rc == 0) rc = json_str(out, s->summary[j].key);
            if (rc == 0) rc = tn_buf_putc(out, ':');
            if (rc == 0) rc = json_str(out, s->summary[j].value);
        }
        if (rc == 0) rc = tn_buf_append_cstr(out, "}}");
    }
    if (rc == 0) rc = tn_buf_putc(out, ']');
    return rc < 0 ? tn_error_set(err, TN_ENOMEM, "out of memory") : 0;
}
