/* SPDX-License-Identifier: Apache-2.0
 *
 * The SQLite catalog. One file, WAL mode (readers never block the writer), a busy timeout so
 * that concurrent tarn processes queue instead of failing, synchronous=FULL so a commit
 * survives a power cut, and versioned migrations recorded in PRAGMA user_version.
 *
 * Table pointers live in `iceberg_tables` with the columns of Iceberg's JDBC/SQL catalog, so
 * other Iceberg tools can read the same file.
 */
#include "catalog/catalog.h"

#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#define CATALOG_NAME "tarn"
#define BUSY_TIMEOUT_MS 30000

typedef struct sqlite_catalog {
    sqlite3 *db;
    char *path;
    char actor[64];
    bool in_transaction;
} sqlite_catalog;

/* Each entry moves the schema one version forward; never edit an entry once released. */
static const char *const migrations[] = {
    /* 1: table pointers (Iceberg SQL catalog), ledger, quarantine, operation log */
    "CREATE TABLE iceberg_tables ("
    "  catalog_name TEXT NOT NULL,"
    "  table_namespace TEXT NOT NULL,"
    "  table_name TEXT NOT NULL,"
    "  metadata_location TEXT,"
    "  previous_metadata_location TEXT,"
    "  PRIMARY KEY (catalog_name, table_namespace, table_name));"
    "CREATE TABLE iceberg_namespace_properties ("
    "  catalog_name TEXT NOT NULL,"
    "  namespace TEXT NOT NULL,"
    "  property_key TEXT,"
    "  property_value TEXT,"
    "  PRIMARY KEY (catalog_name, namespace, property_key));"
    "CREATE TABLE tarn_ledger ("
    "  id INTEGER PRIMARY KEY,"
    "  table_name TEXT NOT NULL,"
    "  input TEXT NOT NULL,"
    "  content_hash TEXT NOT NULL,"
    "  rows INTEGER NOT NULL,"
    "  snapshot_id INTEGER,"
    "  created_us INTEGER NOT NULL);"
    "CREATE INDEX tarn_ledger_by_hash ON tarn_ledger (table_name, content_hash);"
    "CREATE TABLE tarn_quarantine ("
    "  id INTEGER PRIMARY KEY,"
    "  table_name TEXT NOT NULL,"
    "  input TEXT,"
    "  line INTEGER,"
    "  column_index INTEGER,"
    "  column_name TEXT,"
    "  reason TEXT NOT NULL,"
    "  raw BLOB,"
    "  run_id INTEGER,"
    "  created_us INTEGER NOT NULL);"
    "CREATE INDEX tarn_quarantine_by_table ON tarn_quarantine (table_name, id);"
    "CREATE TABLE tarn_operations ("
    "  id INTEGER PRIMARY KEY,"
    "  started_us INTEGER NOT NULL,"
    "  finished_us INTEGER,"
    "  actor TEXT,"
    "  operation TEXT NOT NULL,"
    "  table_name TEXT,"
    "  status TEXT NOT NULL,"
    "  rows INTEGER,"
    "  detail TEXT);"
    "CREATE INDEX tarn_operations_by_table ON tarn_operations (table_name, id);",
    /* 2: SQL views (the query text; column names one per line, empty when not renamed) */
    "CREATE TABLE tarn_views ("
    "  view_namespace TEXT NOT NULL,"
    "  view_name TEXT NOT NULL,"
    "  query TEXT NOT NULL,"
    "  column_names TEXT NOT NULL,"
    "  created_us INTEGER NOT NULL,"
    "  PRIMARY KEY (view_namespace, view_name));",
};

#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))

static int db_error(sqlite_catalog *c, tn_error *err, const char *what)
{
    int code = sqlite3_errcode(c->db);
    int tn_code = TN_EIO;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) tn_code = TN_ECONFLICT;
    if (code == SQLITE_NOMEM) tn_code = TN_ENOMEM;
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) tn_code = TN_ECORRUPT;
    return tn_error_set_at(err, tn_code, c->path, 0, 0, "catalog: %s: %s", what,
                           sqlite3_errmsg(c->db));
}

static int exec(sqlite_catalog *c, const char *sql, tn_error *err)
{
    char *message = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &message) == SQLITE_OK) return 0;
    int code = sqlite3_errcode(c->db);
    int tn_code = code == SQLITE_BUSY || code == SQLITE_LOCKED ? TN_ECONFLICT
                  : code == SQLITE_NOMEM                      ? TN_ENOMEM
                                                              : TN_EIO;
    int rc = tn_error_set_at(err, tn_code, c->path, 0, 0, "catalog: %s",
                             message ? message : sqlite3_errmsg(c->db));
    sqlite3_free(message);
    return rc;
}

static int prepare(sqlite_catalog *c, const char *sql, sqlite3_stmt **stmt, tn_error *err)
{
    if (sqlite3_prepare_v2(c->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return db_error(c, err, "preparing a statement");
    return 0;
}

static void bind_text(sqlite3_stmt *stmt, int idx, const char *text)
{
    if (text)
        sqlite3_bind_text(stmt, idx, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt, idx);
}

static const char *column_text(sqlite3_stmt *stmt, int idx)
{
    return (const char *)sqlite3_column_text(stmt, idx);
}

static int migrate(sqlite_catalog *c, tn_error *err)
{
    int rc = exec(c, "BEGIN IMMEDIATE", err);
    if (rc < 0) return rc;
    sqlite3_stmt *stmt = NULL;
    rc = prepare(c, "PRAGMA user_version", &stmt, err);
    if (rc < 0) goto fail;
    int version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (version > MIGRATION_COUNT) {
        rc = tn_error_set_at(err, TN_EUNSUPPORTED, c->path, 0, 0,
                             "catalog '%s' is at version %d, newer than this tarn understands "
                             "(%d): upgrade tarn",
                             c->path, version, MIGRATION_COUNT);
        goto fail;
    }
    for (int v = version; v < MIGRATION_COUNT; v++) {
        rc = exec(c, migrations[v], err);
        if (rc < 0) goto fail;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        rc = exec(c, pragma, err);
        if (rc < 0) goto fail;
    }
    return exec(c, "COMMIT", err);
fail:
    exec(c, "ROLLBACK", NULL);
    return rc;
}

static void sqlite_close(void *state)
{
    sqlite_catalog *c = state;
    if (!c) return;
    sqlite3_close(c->db);
    tn_free(c->path);
    tn_free(c);
}

static int sqlite_open(const char *location, void **state, tn_error *err)
{
    if (strncmp(location, "sqlite://", 9) == 0) location += 9;
    sqlite_catalog *c = tn_calloc(1, sizeof *c);
    if (!c) return tn_error_set(err, TN_ENOMEM, "out of memory");
    c->path = tn_strdup(location);
    if (!c->path) {
        tn_free(c);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    struct passwd *pw = getpwuid(getuid());
    snprintf(c->actor, sizeof c->actor, "%s", pw && pw->pw_name ? pw->pw_name : "unknown");
    int rc = 0;
    if (sqlite3_open_v2(location, &c->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = tn_error_set_at(err, TN_EIO, location, 0, 0, "cannot open the catalog '%s': %s",
                             location, c->db ? sqlite3_errmsg(c->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    rc = exec(c, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                 "PRAGMA foreign_keys = ON;", err);
    if (rc < 0) goto fail;
    rc = migrate(c, err);
    if (rc < 0) goto fail;
    *state = c;
    return 0;
fail:
    sqlite_close(c);
    return rc;
}

static int sqlite_begin(void *state, tn_error *err)
{
    sqlite_catalog *c = state;
    int rc = exec(c, "BEGIN IMMEDIATE", err);
    if (rc == 0) c->in_transaction = true;
    return rc;
}

static int sqlite_commit(void *state, tn_error *err)
{
    sqlite_catalog *c = state;
    int rc = exec(c, "COMMIT", err);
    if (rc == 0) c->in_transaction = false;
    return rc;
}

static void sqlite_rollback(void *state)
{
    sqlite_catalog *c = state;
    if (!c->in_transaction) return;
    exec(c, "ROLLBACK", NULL);
    c->in_transaction = false;
}

static int sqlite_table_get(void *state, const char *ns, const char *name, char **location,
                            tn_error *err)
{
    sqlite_catalog *c = state;
    *location = NULL;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = '"
                        CATALOG_NAME "' AND table_namespace = ? AND table_name = ?",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, ns);
    bind_text(stmt, 2, name);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        const char *text = column_text(stmt, 0);
        *location = tn_strdup(text ? text : "");
        if (!*location) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    } else if (step == SQLITE_DONE) {
        rc = tn_error_set(err, TN_ENOENT, "no table '%s.%s' in the catalog (see 'tarn tables')",
                          ns, name);
    } else {
        rc = db_error(c, err, "reading a table");
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_table_create(void *state, const char *ns, const char *name,
                               const char *location, tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
                        "metadata_location) VALUES ('" CATALOG_NAME "', ?, ?, ?)",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, ns);
    bind_text(stmt, 2, name);
    bind_text(stmt, 3, location);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_CONSTRAINT)
        rc = tn_error_set(err, TN_EEXIST, "table '%s.%s' already exists", ns, name);
    else if (step != SQLITE_DONE)
        rc = db_error(c, err, "creating a table");
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_table_swap(void *state, const char *ns, const char *name, const char *expected,
                             const char *location, tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "UPDATE iceberg_tables SET metadata_location = ?, "
                        "previous_metadata_location = metadata_location WHERE catalog_name = '"
                        CATALOG_NAME "' AND table_namespace = ? AND table_name = ? AND "
                        "metadata_location = ?",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, location);
    bind_text(stmt, 2, ns);
    bind_text(stmt, 3, name);
    bind_text(stmt, 4, expected);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = db_error(c, err, "committing a table version");
    else if (sqlite3_changes(c->db) != 1) {
        char *current = NULL;
        rc = sqlite_table_get(state, ns, name, &current, err);
        if (rc == 0)
            rc = tn_error_set(err, TN_ECONFLICT, "table '%s.%s' was changed by another writer "
                                                 "(retry the operation)", ns, name);
        tn_free(current);
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_table_drop(void *state, const char *ns, const char *name, tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "DELETE FROM iceberg_tables WHERE catalog_name = '" CATALOG_NAME
                        "' AND table_namespace = ? AND table_name = ?",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, ns);
    bind_text(stmt, 2, name);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = db_error(c, err, "dropping a table");
    else if (sqlite3_changes(c->db) == 0)
        rc = tn_error_set(err, TN_ENOENT, "no table '%s.%s' in the catalog", ns, name);
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_table_list(void *state, const char *ns, tn_catalog_table_fn fn, void *ctx,
                             tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "SELECT table_namespace, table_name, metadata_location, "
                        "previous_metadata_location FROM iceberg_tables WHERE catalog_name = '"
                        CATALOG_NAME "' AND (?1 IS NULL OR table_namespace = ?1) "
                        "ORDER BY table_namespace, table_name",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, ns);
    int step;
    while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        tn_catalog_table t = {column_text(stmt, 0), column_text(stmt, 1), column_text(stmt, 2),
                              column_text(stmt, 3)};
        rc = fn(ctx, &t);
    }
    if (rc == 0 && step != SQLITE_DONE) rc = db_error(c, err, "listing tables");
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_ledger_find(void *state, const char *table, const char *hash, bool *found,
                              tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "SELECT 1 FROM tarn_ledger WHERE table_name = ? AND content_hash = ? "
                        "LIMIT 1",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, table);
    bind_text(stmt, 2, hash);
    int step = sqlite3_step(stmt);
    *found = step == SQLITE_ROW;
    if (step != SQLITE_ROW && step != SQLITE_DONE) rc = db_error(c, err, "reading the ledger");
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_ledger_add(void *state, const char *table, const char *input, const char *hash,
                             int64_t rows, int64_t snapshot_id, tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "INSERT INTO tarn_ledger (table_name, input, content_hash, rows, "
                        "snapshot_id, created_us) VALUES (?, ?, ?, ?, ?, ?)",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, table);
    bind_text(stmt, 2, input);
    bind_text(stmt, 3, hash);
    sqlite3_bind_int64(stmt, 4, rows);
    sqlite3_bind_int64(stmt, 5, snapshot_id);
    sqlite3_bind_int64(stmt, 6, tn_now_us());
    if (sqlite3_step(stmt) != SQLITE_DONE) rc = db_error(c, err, "writing the ledger");
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_quarantine_add(void *state, const tn_quarantine_row *row, tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "INSERT INTO tarn_quarantine (table_name, input, line, column_index, "
                        "column_name, reason, raw, run_id, created_us) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, row->table);
    bind_text(stmt, 2, row->input);
    sqlite3_bind_int64(stmt, 3, row->line);
    sqlite3_bind_int64(stmt, 4, row->column);
    bind_text(stmt, 5, row->column_name);
    bind_text(stmt, 6, row->reason ? row->reason : "");
    sqlite3_bind_blob(stmt, 7, row->raw.ptr ? row->raw.ptr : "", (int)row->raw.len,
                      SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 8, row->run_id);
    sqlite3_bind_int64(stmt, 9, tn_now_us());
    if (sqlite3_step(stmt) != SQLITE_DONE) rc = db_error(c, err, "writing the quarantine");
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_quarantine_list(void *state, const char *table, tn_quarantine_fn fn, void *ctx,
                                  tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "SELECT table_name, input, line, column_index, column_name, reason, raw, "
                        "run_id, created_us FROM tarn_quarantine "
                        "WHERE (?1 IS NULL OR table_name = ?1) ORDER BY id",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, table);
    int step;
    while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        tn_quarantine_row row = {
            .table = column_text(stmt, 0),
            .input = column_text(stmt, 1),
            .line = sqlite3_column_int64(stmt, 2),
            .column = sqlite3_column_int64(stmt, 3),
            .column_name = column_text(stmt, 4),
            .reason = column_text(stmt, 5),
            .raw = tn_str_make(sqlite3_column_blob(stmt, 6),
                               (size_t)sqlite3_column_bytes(stmt, 6)),
            .run_id = sqlite3_column_int64(stmt, 7),
            .created_us = sqlite3_column_int64(stmt, 8),
        };
        rc = fn(ctx, &row);
    }
    if (rc == 0 && step != SQLITE_DONE) rc = db_error(c, err, "reading the quarantine");
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_operation_start(void *state, const char *operation, const char *table,
                                  int64_t *id, tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "INSERT INTO tarn_operations (started_us, actor, operation, table_name, "
                        "status) VALUES (?, ?, ?, ?, 'running')",
                     &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, tn_now_us());
    bind_text(stmt, 2, c->actor);
    bind_text(stmt, 3, operation);
    bind_text(stmt, 4, table);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = db_error(c, err, "writing the operation log");
    else
        *id = sqlite3_last_insert_rowid(c->db);
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_operation_finish(void *state, int64_t id, const char *status, int64_t rows,
                                   const char *detail, tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "UPDATE tarn_operations SET finished_us = ?, status = ?, rows = ?, "
                        "detail = ? WHERE id = ?",
                     &stmt, err);
    if (rc < 0) return rc;
    sqlite3_bind_int64(stmt, 1, tn_now_us());
    bind_text(stmt, 2, status);
    sqlite3_bind_int64(stmt, 3, rows);
    bind_text(stmt, 4, detail);
    sqlite3_bind_int64(stmt, 5, id);
    if (sqlite3_step(stmt) != SQLITE_DONE) rc = db_error(c, err, "writing the operation log");
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_operation_list(void *state, const char *table, tn_operation_fn fn, void *ctx,
                                 tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "SELECT id, started_us, finished_us, actor, operation, table_name, "
                        "status, rows, detail FROM tarn_operations "
                        "WHERE (?1 IS NULL OR table_name = ?1) ORDER BY id",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, table);
    int step;
    while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        tn_operation op = {
            .id = sqlite3_column_int64(stmt, 0),
            .started_us = sqlite3_column_int64(stmt, 1),
            .finished_us = sqlite3_column_int64(stmt, 2),
            .actor = column_text(stmt, 3),
            .operation = column_text(stmt, 4),
            .table = column_text(stmt, 5),
            .status = column_text(stmt, 6),
            .rows = sqlite3_column_int64(stmt, 7),
            .detail = column_text(stmt, 8),
        };
        rc = fn(ctx, &op);
    }
    if (rc == 0 && step != SQLITE_DONE) rc = db_error(c, err, "reading the operation log");
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_view_put(void *state, const tn_catalog_view *view, tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "INSERT OR REPLACE INTO tarn_views (view_namespace, view_name, query, "
                        "column_names, created_us) VALUES (?, ?, ?, ?, ?)",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, view->namespace_name);
    bind_text(stmt, 2, view->name);
    bind_text(stmt, 3, view->query);
    bind_text(stmt, 4, view->column_names ? view->column_names : "");
    sqlite3_bind_int64(stmt, 5, tn_now_us());
    if (sqlite3_step(stmt) != SQLITE_DONE) rc = db_error(c, err, "storing a view");
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_view_drop(void *state, const char *ns, const char *name, tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "DELETE FROM tarn_views WHERE view_namespace = ? AND view_name = ?",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, ns);
    bind_text(stmt, 2, name);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = db_error(c, err, "dropping a view");
    else if (sqlite3_changes(c->db) == 0)
        rc = tn_error_set(err, TN_ENOENT, "no view '%s.%s' in the catalog", ns, name);
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_view_list(void *state, const char *ns, tn_catalog_view_fn fn, void *ctx,
                            tn_error *err)
{
    sqlite_catalog *c = state;
    sqlite3_stmt *stmt = NULL;
    int rc = prepare(c, "SELECT view_namespace, view_name, query, column_names FROM tarn_views "
                        "WHERE (?1 IS NULL OR view_namespace = ?1) "
                        "ORDER BY view_namespace, view_name",
                     &stmt, err);
    if (rc < 0) return rc;
    bind_text(stmt, 1, ns);
    int step;
    while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        tn_catalog_view v = {column_text(stmt, 0), column_text(stmt, 1), column_text(stmt, 2),
                             column_text(stmt, 3)};
        rc = fn(ctx, &v);
    }
    if (rc == 0 && step != SQLITE_DONE) rc = db_error(c, err, "listing views");
    sqlite3_finalize(stmt);
    return rc;
}

const tn_catalog_ops tn_catalog_sqlite = {
    .abi_version = TN_CATALOG_ABI_VERSION,
    .scheme = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .table_get = sqlite_table_get,
    .table_create = sqlite_table_create,
    .table_swap = sqlite_table_swap,
    .table_drop = sqlite_table_drop,
    .table_list = sqlite_table_list,
    .ledger_find = sqlite_ledger_find,
    .ledger_add = sqlite_ledger_add,
    .quarantine_add = sqlite_quarantine_add,
    .quarantine_list = sqlite_quarantine_list,
    .operation_start = sqlite_operation_start,
    .operation_finish = sqlite_operation_finish,
    .operation_list = sqlite_operation_list,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .view_put = sqlite_view_put,
    .view_drop = sqlite_view_drop,
    .view_list = sqlite_view_list,
};
