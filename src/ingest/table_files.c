/* SPDX-License-Identifier: Apache-2.0
 *
 * The live data files of a table's current snapshot, read from its manifest list and
 * manifests through the lake's public decoders. `tarn describe --files`, the crawler (which
 * must know which files a table already references) and the tests use it.
 */
#include "ingest/ingest.h"

static int read_location(tn_lake *lake, const char *location, char **data, size_t *len,
                         tn_error *err)
{
    char *path = NULL;
    int rc = tn_lake_resolve_path(lake, location, &path, err);
    if (rc < 0) return rc;
    rc = tn_file_read_all(path, data, len, err);
    tn_free(path);
    return rc;
}

/* Lists the live data files of the current snapshot. */
int tn_ingest_table_files(tn_lake *lake, const tn_lake_table *table, tn_ingest_file_fn fn,
                          void *ctx, tn_error *err)
{
    const tn_iceberg_metadata *md = tn_lake_table_metadata(table);
    const tn_iceberg_snapshot *snap = tn_iceberg_metadata_current_snapshot(md);
    if (!snap) return 0;
    if (!snap->manifest_list)
        return tn_error_set(err, TN_EUNSUPPORTED,
                            "snapshot %lld lists its manifests inline (format v1); not supported here",
                            (long long)snap->snapshot_id);
    char *data = NULL;
    size_t len = 0;
    int rc = read_location(lake, snap->manifest_list, &data, &len, err);
    if (rc < 0) return rc;
    tn_manifest_list *list = NULL;
    rc = tn_manifest_list_decode(data, len, snap->manifest_list, &list, err);
    tn_free(data);
    if (rc < 0) return rc;
    const tn_iceberg_schema *schema = tn_iceberg_metadata_current_schema(md);
    for (uint32_t i = 0; i < list->count && rc == 0; i++) {
        const tn_manifest_file *mf = &list->manifests[i];
        if (mf->content != TN_CONTENT_DATA) continue;
        rc = read_location(lake, mf->manifest_path, &data, &len, err);
        if (rc < 0) break;
        tn_manifest *m = NULL;
        rc = tn_manifest_decode(data, len, mf->manifest_path, mf,
                                tn_iceberg_metadata_spec(md, mf->partition_spec_id), schema, &m, err);
        tn_free(data);
        if (rc < 0) break;
        for (uint32_t j = 0; j < m->count && rc == 0; j++) {
            const tn_manifest_entry *e = &m->entries[j];
            if (e->status == TN_ENTRY_DELETED || e->file.content != TN_CONTENT_DATA) continue;
            rc = fn(ctx, &e->file, err);
        }
        tn_manifest_free(m);
    }
    tn_manifest_list_free(list);
    return rc;
}
