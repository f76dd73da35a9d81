/* SPDX-License-Identifier: Apache-2.0
 *
 * The catalog host: picks the implementation for a location and forwards each call, so that
 * callers never depend on which database holds the catalog.
 */
#include "catalog/catalog.h"

struct tn_catalog {
    const tn_catalog_ops *ops;
    void *state;
};

/* Opens the catalog at location (a SQLite file path or sqlite://path). */
int tn_catalog_open(const char *location, tn_catalog **out, tn_error *err)
{
    *out = NULL;
    const tn_catalog_ops *ops = &tn_catalog_sqlite;
    if (strstr(location, "://") && strncmp(location, "sqlite://", 9) != 0)
        return tn_error_set(err, TN_EINVAL, "unsupported catalog location '%s' (use a path to "
                                            "a SQLite file)", location);
    tn_catalog *catalog = tn_calloc(1, sizeof *catalog);
    if (!catalog) return tn_error_set(err, TN_ENOMEM, "out of memory");
    catalog->ops = ops;
    int rc = ops->open(location, &catalog->state, err);
    if (rc < 0) {
        tn_free(catalog);
        return rc;
    }
    *out = catalog;
    return 0;
}

/* Closes the catalog (rolling back an open transaction); accepts NULL. */
void tn_catalog_close(tn_catalog *catalog)
{
    if (!catalog) return;
    catalog->ops->rollback(catalog->state);
    catalog->ops->close(catalog->state);
    tn_free(catalog);
}

/* Starts a write transaction. */
int tn_catalog_begin(tn_catalog *catalog, tn_error *err)
{
    return catalog->ops->begin(catalog->state, err);
}

/* Commits the open transaction. */
int tn_catalog_commit(tn_catalog *catalog, tn_error *err)
{
    return catalog->ops->commit(catalog->state, err);
}

/* Abandons the open transaction, if any. */
void tn_catalog_rollback(tn_catalog *catalog) { catalog->ops->rollback(catalog->state); }

/* The current metadata location of a table. */
int tn_catalog_table_get(tn_catalog *catalog, const char *ns, const char *name,
                         char **metadata_location, tn_error *err)
{
    return catalog->ops->table_get(catalog->state, ns, name, metadata_location, err);
}

/* Registers a new table. */
int tn_catalog_table_create(tn_catalog *catalog, const char *ns, const char *name,
                            const char *metadata_location, tn_error *err)
{
    return catalog->ops->table_create(catalog->state, ns, name, metadata_location, err);
}

/* Compare-and-swap of the table's metadata pointer. */
int tn_catalog_table_swap(tn_catalog *catalog, const char *ns, const char *name,
                          const char *expected, const char *metadata_location, tn_error *err)
{
    return catalog->ops->table_swap(catalog->state, ns, name, expected, metadata_location, err);
}

/* Removes a table's entry (its files stay until vacuum). */
int tn_catalog_table_drop(tn_catalog *catalog, const char *ns, const char *name, tn_error *err)
{
    return catalog->ops->table_drop(catalog->state, ns, name, err);
}

/* Lists tables. */
int tn_catalog_table_list(tn_catalog *catalog, const char *ns, tn_catalog_table_fn fn,
                          void *ctx, tn_error *err)
{
    return catalog->ops->table_list(catalog->state, ns, fn, ctx, err);
}

/* Looks up an input's content hash in the table's ledger. */
int tn_catalog_ledger_find(tn_catalog *catalog, const char *table, const char *content_hash,
                           bool *found, tn_error *err)
{
    return catalog->ops->ledger_find(catalog->state, table, content_hash, found, err);
}

/* Records an ingested input. */
int tn_catalog_ledger_add(tn_catalog *catalog, const char *table, const char *input,
                          const char *content_hash, int64_t rows, int64_t snapshot_id,
                          tn_error *err)
{
    return catalog->ops->ledger_add(catalog->state, table, input, content_hash, rows,
                                    snapshot_id, err);
}

/* Stores a rejected row. */
int tn_catalog_quarantine_add(tn_catalog *catalog, const tn_quarantine_row *row, tn_error *err)
{
    return catalog->ops->quarantine_add(catalog->state, row, err);
}

/* Lists rejected rows. */
int tn_catalog_quarantine_list(tn_catalog *catalog, const char *table, tn_quarantine_fn fn,
                               void *ctx, tn_error *err)
{
    return catalog->ops->quarantine_list(catalog->state, table, fn, ctx, err);
}

/* Opens an operation log entry. */
int tn_catalog_operation_start(tn_catalog *catalog, const char *operation, const char *table,
                               int64_t *id, tn_error *err)
{
    return catalog->ops->operation_start(catalog->state, operation, table, id, err);
}

/* Closes an operation log entry. */
int tn_catalog_operation_finish(tn_catalog *catalog, int64_t id, const char *status,
                                int64_t rows, const char *detail, tn_error *err)
{
    return catalog->ops->operation_finish(catalog->state, id, status, rows, detail, err);
}

/* Lists operations. */
int tn_catalog_operation_list(tn_catalog *catalog, const char *table, tn_operation_fn fn,
                              void *ctx, tn_error *err)
{
    return catalog->ops->operation_list(catalog->state, table, fn, ctx, err);
}

/* Stores a view. */
int tn_catalog_view_put(tn_catalog *catalog, const tn_catalog_view *view, tn_error *err)
{
    return catalog->ops->view_put(catalog->state, view, err);
}

/* Removes a view. */
int tn_catalog_view_drop(tn_catalog *catalog, const char *ns, const char *name, tn_error *err)
{
    return catalog->ops->view_drop(catalog->state, ns, name, err);
}

/* Lists views. */
int tn_catalog_view_list(tn_catalog *catalog, const char *ns, tn_catalog_view_fn fn, void *ctx,
                         tn_error *err)
{
    return catalog->ops->view_list(catalog->state, ns, fn, ctx, err);
}
