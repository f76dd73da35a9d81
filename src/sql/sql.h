/* SPDX-License-Identifier: Apache-2.0
 *
 * The SQL engine's one public header: open an engine (a session) on an optional project (lake
 * and catalog), execute SQL text statement by statement, iterate each result's batches with
 * its schema, and render errors with the position (line:column and a caret).
 *
 *   tn_sql_engine_open -> tn_sql_execute(text) -> { tn_sql_result_next ... } -> close
 *
 * Inside: parser -> binder (names, types) -> optimizer rules -> vectorized executor, see
 * README.md in this folder for the stage map.
 */
#ifndef TN_SQL_H
#define TN_SQL_H

#include "core/core.h"

struct tn_lake;
struct tn_catalog;

typedef struct tn_sql_engine tn_sql_engine;
typedef struct tn_sql_result tn_sql_result;

typedef struct tn_sql_engine_options {
    struct tn_lake *lake;        /* borrowed; NULL = files and in-memory tables only */
    struct tn_catalog *catalog;  /* borrowed; with lake */
    const char *default_namespace; /* lake namespace of unqualified names ("default") */
    bool sqlite_compat;          /* integer `/` and x/0 = NULL, as SQLite (conformance tests) */
    int64_t memory_limit;        /* bytes an operator may materialise; 0 = 80% of RAM */
    int threads;                 /* 0 = all cores */
    uint32_t partitioned_write_max_open_files;  /* COPY PARTITION_BY: 0 = 100 */
    int64_t partitioned_write_flush_threshold;  /* COPY PARTITION_BY: rows; 0 = 524,288 */
} tn_sql_engine_options;

/* Opens a session. opts may be NULL (no project). Returns 0 or TN_ENOMEM. */
int tn_sql_engine_open(const tn_sql_engine_options *opts, tn_sql_engine **out, tn_error *err);
void tn_sql_engine_close(tn_sql_engine *engine); /* accepts NULL */

/* Called once per statement of a script, with its result (borrowed for the call; iterate it
 * there). Return non-zero to stop. */
typedef int (*tn_sql_result_fn)(void *ctx, uint32_t stmt_idx, tn_sql_result *result);

/* Parses and runs every statement of `sql` in order. Errors carry err->line/column in the
 * text (render with tn_sql_error_render from sql/parser/parser.h) and stop the script. */
int tn_sql_execute(tn_sql_engine *engine, const char *sql, size_t len, tn_sql_result_fn fn,
                   void *ctx, tn_error *err);

/* Asks the statement running on engine to stop: it ends with TN_ECANCELED at the next batch
 * any of its operators passes on (a writing statement then commits nothing). Safe to call
 * from a signal handler or another thread; the request is forgotten when the next statement
 * starts. */
void tn_sql_engine_interrupt(tn_sql_engine *engine);

/* The result schema (for statements without rows: an empty schema). */
const tn_schema *tn_sql_result_schema(const tn_sql_result *result);
/* The next batch of rows (owned by the result, valid until the next call), or *out = NULL at
 * the end. */
int tn_sql_result_next(tn_sql_result *result, tn_batch **out, tn_error *err);
/* The statement's command tag ("SELECT", "CREATE TABLE" ...) and rows changed by a writing
 * statement (-1 when not applicable). */
const char *tn_sql_result_tag(const tn_sql_result *result);
int64_t tn_sql_result_rows_changed(const tn_sql_result *result);
/* Whether the statement returns rows (queries, EXPLAIN, SHOW). */
bool tn_sql_result_has_rows(const tn_sql_result *result);

/* Changes a setting: "sqlite_compat" (bool), "memory_limit" (bytes), "threads". Also reached
 * with SET name = value. */
int tn_sql_engine_set(tn_sql_engine *engine, const char *name, const char *value, tn_error *err);

#endif /* TN_SQL_H */
