/* SPDX-License-Identifier: Apache-2.0
 *
 * Maintenance (vacuum): expire snapshots past the retention (always keeping the newest ones
 * and every snapshot a branch or tag points at), commit metadata without them, then delete
 * every object under the table's data/ and metadata/ folders that nothing still referenced
 * names: files of expired snapshots, replaced metadata files, and orphans of killed or failed
 * writes (including temporary files), as long as they are older than the grace period so a
 * write in flight is never touched.
 */
#include "lake/lake_int.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#define DEFAULT_GRACE_MS (3600 * 1000LL)

typedef struct expire_ctx {
    int64_t cutoff_ms;
    int min_snapshots;
    int64_t expired;
} expire_ctx;

static bool retained(const tn_iceberg_metadata *md, const expire_ctx *c, int64_t id)
{
    for (uint32_t i = 0; i < md->ref_count; i++)
        if (md->refs[i].snapshot_id == id) return true;
    /* Walk the main branch: the newest min_snapshots and everything younger than the cutoff. */
    const tn_iceberg_snapshot *s = tn_iceberg_metadata_current_snapshot(md);
    int depth = 0;
    while (s) {
        if (s->snapshot_id == id) return depth < c->min_snapshots || s->timestamp_ms >= c->cutoff_ms;
        depth++;
        if (!s->has_parent || depth > 1000000) break;
        s = tn_iceberg_metadata_snapshot(md, s->parent_snapshot_id);
    }
    /* Not on main's line (an abandoned branch tip): keep it only while young. */
    const tn_iceberg_snapshot *x = tn_iceberg_metadata_snapshot(md, id);
    return x && x->timestamp_ms >= c->cutoff_ms;
}

static int apply_expire(void *ctx, tn_lake_table *t, tn_iceberg_metadata *md, int attempt,
                        int64_t *snapshot_id, tn_error *err)
{
    expire_ctx *c = ctx;
    (void)t;
    (void)attempt;
    (void)snapshot_id;
    (void)err;
    c->expired = 0;
    uint32_t n = 0;
    tn_iceberg_snapshot *keep = tn_arena_calloc(&md->arena, (md->snapshot_count + 1) * sizeof *keep);
    if (!keep) return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < md->snapshot_count; i++) {
        if (retained(md, c, md->snapshots[i].snapshot_id)) keep[n++] = md->snapshots[i];
        else c->expired++;
    }
    md->snapshots = keep;
    md->snapshot_count = n;
    /* The snapshot log keeps only entries after the last expired one. */
    uint32_t first = 0;
    for (uint32_t i = 0; i < md->snapshot_log_count; i++)
        if (!tn_iceberg_metadata_snapshot(md, md->snapshot_log[i].snapshot_id)) first = i + 1;
    md->snapshot_log += first;
    md->snapshot_log_count -= first;
    /* Replaced metadata files older than the cutoff leave the log (and then the store). */
    uint32_t m = 0;
    for (uint32_t i = 0; i < md->metadata_log_count; i++)
        if (md->metadata_log[i].timestamp_ms >= c->cutoff_ms) md->metadata_log[m++] = md->metadata_log[i];
    md->metadata_log_count = m;
    return 0;
}

/* The set of store keys still referenced. */
static int add_ref(const tn_lake *lake, tn_hash *refs, const char *location)
{
    char *key = tn_lake_location_key(lake, location);
    if (!key) return 0;
    int rc = tn_hash_put(refs, key, strlen(key), (void *)1);
    tn_free(key);
    return rc;
}

static int collect_refs(tn_lake_table *t, tn_hash *refs, tn_error *err)
{
    const tn_iceberg_metadata *md = t->md;
    int rc = add_ref(t->lake, refs, t->metadata_location);
    for (uint32_t i = 0; rc == 0 && i < md->metadata_log_count; i++) rc = add_ref(t->lake, refs, md->metadata_log[i].metadata_file);
    if (rc < 0) return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < md->snapshot_count; i++) {
        const tn_iceberg_snapshot *s = &md->snapshots[i];
        tn_manifest_list *list = NULL;
        if (s->manifest_list && add_ref(t->lake, refs, s->manifest_list) < 0) return tn_error_set(err, TN_ENOMEM, "out of memory");
        rc = tn_lake_snapshot_manifests(t->lake, md, s, &list, err);
        if (rc < 0) return rc;
        for (uint32_t j = 0; rc == 0 && j < list->count; j++) {
            const tn_manifest_file *mf = &list->manifests[j];
            if (add_ref(t->lake, refs, mf->manifest_path) < 0) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                break;
            }
            tn_manifest *m = NULL;
            rc = tn_lake_load_manifest(t->lake, md, mf, &m, err);
            for (uint32_t k = 0; rc == 0 && k < m->count; k++)
                if (m->entries[k].status != TN_ENTRY_DELETED && add_ref(t->lake, refs, m->entries[k].file.file_path) < 0)
                    rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            tn_manifest_free(m);
        }
        tn_manifest_list_free(list);
        if (rc < 0) return rc;
    }
    return 0;
}

typedef struct sweep {
    tn_lake_table *table;
    tn_hash *refs;
    int64_t older_than_us;
    bool dry_run;
    tn_lake_vacuum_result *result;
    tn_error *err;
    int rc;
} sweep;

static void consider(sweep *sw, const char *key, uint64_t size, int64_t modified_us)
{
    if (tn_hash_get(sw->refs, key, strlen(key), NULL)) return;
    if (modified_us > sw->older_than_us) return;
    if (!sw->dry_run) {
        tn_error e = {0};
        if (tn_store_remove(sw->table->lake->store, key, &e) < 0) {
            /* Keep going: one stubborn file should not stop the rest. */
            tn_log(TN_LOG_WARN, "vacuum: cannot remove %s: %s", key, e.message);
            return;
        }
    }
    sw->result->files_removed++;
    sw->result->bytes_removed += (int64_t)size;
}

static int list_one(void *ctx, const tn_store_entry *e)
{
    consider(ctx, e->key, e->size, e->modified_us);
    return 0;
}

/* Walks a local folder (temporary files included, which store listings skip). */
static void walk_local(sweep *sw, const char *dir_path, const char *key_prefix, int depth)
{
    if (depth > 32) return;
    DIR *d = opendir(dir_path);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        char path[4096], key[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir_path, de->d_name) >= (int)sizeof path) continue;
        if (snprintf(key, sizeof key, "%s/%s", key_prefix, de->d_name) >= (int)sizeof key) continue;
        struct stat st;
        if (lstat(path, &st) < 0) continue;
        if (S_ISDIR(st.st_mode)) {
            walk_local(sw, path, key, depth + 1);
            continue;
        }
        if (!S_ISREG(st.st_mode)) continue;
        int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
        if (tn_hash_get(sw->refs, key, strlen(key), NULL) || mtime > sw->older_than_us) continue;
        if (!sw->dry_run && remove(path) < 0) continue;
        sw->result->files_removed++;
        sw->result->bytes_removed += (int64_t)st.st_size;
    }
    closedir(d);
}

/* Expires snapshots and removes unreferenced files. */
int tn_lake_table_vacuum(tn_lake_table *table, const tn_lake_vacuum_options *opts,
                         tn_lake_vacuum_result *result, tn_error *err)
{
    tn_lake_vacuum_options o = {0};
    if (opts) o = *opts;
    tn_lake_vacuum_result dummy;
    if (!result) result = &dummy;
    memset(result, 0, sizeof *result);
    if (!table->ns || !table->lake->store || !table->lake->catalog)
        return tn_error_set(err, TN_EUSAGE, "vacuum works on tables in the catalog only");
    int rc = tn_lake_table_refresh(table, err);
    if (rc < 0) return rc;
    int64_t now_ms = tn_now_us() / 1000;
    expire_ctx c = {o.retain_ms < 0 ? INT64_MIN : now_ms - o.retain_ms, o.min_snapshots > 0 ? o.min_snapshots : 1, 0};
    if (o.retain_ms >= 0) {
        /* Count first; commit only when something expires. */
        int64_t would = 0;
        for (uint32_t i = 0; i < table->md->snapshot_count; i++)
            if (!retained(table->md, &c, table->md->snapshots[i].snapshot_id)) would++;
        bool old_log = false;
        for (uint32_t i = 0; i < table->md->metadata_log_count; i++)
            if (table->md->metadata_log[i].timestamp_ms < c.cutoff_ms) old_log = true;
        result->snapshots_expired = would;
        if ((would > 0 || old_log) && !o.dry_run) {
            rc = tn_lake_commit(table, apply_expire, &c, NULL, NULL, err);
            if (rc < 0) return rc;
            result->snapshots_expired = c.expired;
        }
    }
    tn_hash *refs = tn_hash_new(256);
    if (!refs) return tn_error_set(err, TN_ENOMEM, "out of memory");
    rc = collect_refs(table, refs, err);
    if (rc == 0) {
        int64_t grace = o.orphan_grace_ms == 0 ? DEFAULT_GRACE_MS : o.orphan_grace_ms < 0 ? 0 : o.orphan_grace_ms;
        sweep sw = {table, refs, tn_now_us() - grace * 1000, o.dry_run, result, err, 0};
        const char *folders[2] = {"data", "metadata"};
        for (int i = 0; i < 2 && rc == 0; i++) {
            char prefix[1024];
            snprintf(prefix, sizeof prefix, "%s/%s", table->key_prefix, folders[i]);
            char *local = tn_store_local_path(table->lake->store, prefix);
            if (local) {
                walk_local(&sw, local, prefix, 0);
                tn_free(local);
            } else {
                char lp[1030];
                snprintf(lp, sizeof lp, "%s/", prefix);
                rc = tn_store_list(table->lake->store, lp, list_one, &sw, err);
            }
        }
    }
    tn_hash_free(refs);
    return rc;
}
