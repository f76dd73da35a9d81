/* SPDX-License-Identifier: Apache-2.0
 *
 * catalog: the control plane's metadata store. Following Iceberg's SQL-catalog model it keeps,
 * per table, the pointer to the current metadata file; committing a new table version is a
 * compare-and-swap of that pointer, so two writers never lose each other's update. Beside the
 * pointers it keeps tarn's own records: the ledger of ingested inputs (for idempotent loads),
 * the quarantine of rejected rows, and a log of every operation.
 *
 * SQLite by default (WAL mode, busy timeout, versioned migrations); the operations are a
 * struct of callbacks so a PostgreSQL implementation can stand beside it.
 *
 * The one header other modules include from catalog. Uses core.
 */
#ifndef TN_CATALOG_H
#define TN_CATALOG_H

#include "core/core.h"

typedef struct tn_catalog tn_catalog;

/* A table's entry. Strings are valid during the callback only. */
typedef struct tn_catalog_table {
    const char *namespace_name;
    const char *name;
    const char *metadata_location;
    const char *previous_metadata_location; /* NULL for a new table */
} tn_catalog_table;

typedef int (*tn_catalog_table_fn)(void *ctx, const tn_catalog_table *table);

/* One quarantined row. */
typedef struct tn_quarantine_row {
    const char *table;  /* "namespace.name" */
    const char *input;  /* the file (or source) the row came from */
    int64_t line;
    int64_t column;     /* 1-based field position, 0 for the whole row */
    const char *column_name;
    const char *reason;
    tn_str raw;
    int64_t run_id;     /* the operation that quarantined it */
    int64_t created_us; /* set by the catalog on insert */
} tn_quarantine_row;

typedef int (*tn_quarantine_fn)(void *ctx, const tn_quarantine_row *row);

/* One entry of the operation log. */
typedef struct tn_operation {
    int64_t id;
    int64_t started_us;
    int64_t finished_us;
    const char *actor;     /* the OS user, or an authenticated user later */
    const char *operation; /* "ingest", "crawl", "vacuum", "create", ... */
    const char *table;
    const char *status;    /* "running", "ok", "failed" */
    int64_t rows;
    const char *detail;    /* JSON text with anything else worth keeping */
} tn_operation;

typedef int (*tn_operation_fn)(void *ctx, const tn_operation *op);

/* A SQL view: its query text, kept so that views outlive the session that made them. */
typedef struct tn_catalog_view {
    const char *namespace_name;
    const char *name;
    const char *query;        /* the SELECT, as written */
    const char *column_names; /* CREATE VIEW v (a, b): "a\nb"; "" when not renamed */
} tn_catalog_view;

typedef int (*tn_catalog_view_fn)(void *ctx, const tn_catalog_view *view);

#define TN_CATALOG_ABI_VERSION 1

/* A catalog implementation. Fields are only ever appended. */
typedef struct tn_catalog_ops {
    int abi_version;
    const char *scheme; /* "sqlite" */
    int (*open)(const char *location, void **state, tn_error *err);
    void (*close)(void *state);
    int (*table_get)(void *state, const char *ns, const char *name, char **metadata_location,
                     tn_error *err);
    int (*table_create)(void *state, const char *ns, const char *name,
                        const char *metadata_location, tn_error *err);
    int (*table_swap)(void *state, const char *ns, const char *name, const char *expected,
                      const char *metadata_location, tn_error *err);
    int (*table_drop)(void *state, const char *ns, const char *name, tn_error *err);
    int (*table_list)(void *state, const char *ns, tn_catalog_table_fn fn, void *ctx,
                      tn_error *err);
    int (*ledger_find)(void *state, const char *table, const char *content_hash, bool *found,
                       tn_error *err);
    int (*ledger_add)(void *state, const char *table, const char *input,
                      const char *content_hash, int64_t rows, int64_t snapshot_id,
                      tn_error *err);
    int (*quarantine_add)(void *state, const tn_quarantine_row *row, tn_error *err);
    int (*quarantine_list)(void *state, const char *table, tn_quarantine_fn fn, void *ctx,
                           tn_error *err);
    int (*operation_start)(void *state, const char *operation, const char *table,
                           int64_t *id, tn_error *err);
    int (*operation_finish)(void *state, int64_t id, const char *status, int64_t rows,
                            const char *detail, tn_error *err);
    int (*operation_list)(void *state, const char *table, tn_operation_fn fn, void *ctx,
                          tn_error *err);
    int (*begin)(void *state, tn_error *err);
    int (*commit)(void *state, tn_error *err);
    void (*rollback)(void *state);
    int (*view_put)(void *state, const tn_catalog_view *view, tn_error *err);
    int (*view_drop)(void *state, const char *ns, const char *name, tn_error *err);
    int (*view_list)(void *state, const char *ns, tn_catalog_view_fn fn, void *ctx,
                     tn_error *err);
} tn_catalog_ops;

extern const tn_catalog_ops tn_catalog_sqlite;

/* Opens (creating and migrating when needed) the catalog at location: a path to a SQLite
 * file, or sqlite://path. */
int tn_catalog_open(const char *location, tn_catalog **out, tn_error *err);
void tn_catalog_close(tn_catalog *catalog); /* accepts NULL */

/* Transactions group a pointer swap with its ledger, quarantine and log records, so they are
 * all visible or none is. begin waits for other writers (busy timeout) and fails with
 * TN_ECONFLICT when it cannot get the write lock. */
int tn_catalog_begin(tn_catalog *catalog, tn_error *err);
int tn_catalog_commit(tn_catalog *catalog, tn_error *err);
void tn_catalog_rollback(tn_catalog *catalog); /* no-op outside a transaction */

/* The metadata file of a table (tn_free it); TN_ENOENT when the table does not exist. */
int tn_catalog_table_get(tn_catalog *catalog, const char *ns, const char *name,
                         char **metadata_location, tn_error *err);
/* Registers a new table; TN_EEXIST when it exists. */
int tn_catalog_table_create(tn_catalog *catalog, const char *ns, const char *name,
                            const char *metadata_location, tn_error *err);
/* Moves the table's pointer from `expected` to `metadata_location` in one atomic step;
 * TN_ECONFLICT when another writer moved it first (re-read, re-base, retry). */
int tn_catalog_table_swap(tn_catalog *catalog, const char *ns, const char *name,
                          const char *expected, const char *metadata_location, tn_error *err);
int tn_catalog_table_drop(tn_catalog *catalog, const char *ns, const char *name,
                          tn_error *err);
/* Tables in namespace ns (NULL = all), ordered by namespace and name. */
int tn_catalog_table_list(tn_catalog *catalog, const char *ns, tn_catalog_table_fn fn,
                          void *ctx, tn_error *err);

/* Whether content with this hash was already ingested into table. */
int tn_catalog_ledger_find(tn_catalog *catalog, const char *table, const char *content_hash,
                           bool *found, tn_error *err);
int tn_catalog_ledger_add(tn_catalog *catalog, const char *table, const char *input,
                          const char *content_hash, int64_t rows, int64_t snapshot_id,
                          tn_error *err);

int tn_catalog_quarantine_add(tn_catalog *catalog, const tn_quarantine_row *row, tn_error *err);
/* Quarantined rows of table (NULL = all), oldest first. */
int tn_catalog_quarantine_list(tn_catalog *catalog, const char *table, tn_quarantine_fn fn,
                               void *ctx, tn_error *err);

/* Starts an operation log entry (status "running"); *id identifies it. */
int tn_catalog_operation_start(tn_catalog *catalog, const char *operation, const char *table,
                               int64_t *id, tn_error *err);
int tn_catalog_operation_finish(tn_catalog *catalog, int64_t id, const char *status,
                                int64_t rows, const char *detail, tn_error *err);
/* Operations on table (NULL = all), oldest first. */
int tn_catalog_operation_list(tn_catalog *catalog, const char *table, tn_operation_fn fn,
                              void *ctx, tn_error *err);

/* Stores a view, replacing one of the same name. */
int tn_catalog_view_put(tn_catalog *catalog, const tn_catalog_view *view, tn_error *err);
/* Removes a view; TN_ENOENT when there is none. */
int tn_catalog_view_drop(tn_catalog *catalog, const char *ns, const char *name, tn_error *err);
/* Views in namespace ns (NULL = all), ordered by namespace and name. */
int tn_catalog_view_list(tn_catalog *catalog, const char *ns, tn_catalog_view_fn fn, void *ctx,
                         tn_error *err);

#endif /* TN_CATALOG_H */
