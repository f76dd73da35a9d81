/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to src/sql: the engine (session) structure, in-memory tables, and the interfaces the
 * stages share (binder -> plan -> optimizer -> executor). Nothing outside src/sql includes it.
 */
#ifndef TN_SQL_INT_H
#define TN_SQL_INT_H

#include "sql/sql.h"
#include "sql/plan.h"
#include "sql/parser/parser.h"

struct tn_lake;
struct tn_catalog;

/* A table kept in the session's memory: what CREATE TABLE makes when there is no project
 * (sqllogictest files, scratch work). Batches are dense (no selection). */
typedef struct tn_sql_table {
    char *name;
    tn_schema *schema;
    tn_batch **batches;
    size_t batch_count;
    size_t batch_cap;
    int64_t row_count;
} tn_sql_table;

typedef struct tn_sql_view {
    char *name;
    char *sql; /* the query text */
    char **column_names;
    uint32_t column_count;
} tn_sql_view;

struct tn_sql_engine {
    tn_sql_engine_options options;
    struct tn_lake *lake;       /* NULL without a project */
    struct tn_catalog *catalog; /* NULL without a project */
    char *default_namespace;
    tn_sql_table **tables;
    size_t table_count;
    size_t table_cap;
    tn_sql_view **views;
    size_t view_count;
    size_t view_cap;
    void *lake_cache; /* open lake tables (binder/lake_source.c) */
};

tn_sql_table *tn_sql_engine_find_table(tn_sql_engine *engine, const char *name);
tn_sql_view *tn_sql_engine_find_view(tn_sql_engine *engine, const char *name);
/* Appends a dense batch to a memory table (takes ownership of batch). */
int tn_sql_table_append(tn_sql_table *table, tn_batch *batch, tn_error *err);
void tn_sql_table_free(tn_sql_table *table);

/* ------------------------------------------------------------------------------------------
 * Binder (binder/)
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_binder tn_binder;

/* Binds a query into a logical plan in `arena`. Errors carry the line and column. */
int tn_bind_query(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan,
                  const tn_sql_query *query, tn_plan_op **out, tn_error *err);
/* Binds a standalone constant expression list row (INSERT ... VALUES helpers). */
int tn_bind_type_name(const tn_sql_type_name *tn, tn_type *out, tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Optimizer (optimizer/): each rule rewrites the plan in place.
 * ---------------------------------------------------------------------------------------- */

int tn_opt_fold_constants(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan,
                          tn_plan_op *root, tn_error *err);
int tn_opt_push_filters(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err);
int tn_opt_join_order(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err);
/* Runs every rule in order. */
int tn_optimize(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan, tn_plan_op **root,
                tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Executor (exec/)
 * ---------------------------------------------------------------------------------------- */

#include "sql/func/func.h"

/* A batch flowing between operators: rows sel[0..count) of batch (sel never NULL). The batch
 * and the selection belong to the operator that produced them and are valid until its next
 * call. */
typedef struct tn_exec_chunk {
    tn_batch *batch;
    const uint32_t *sel;
    uint32_t count;
} tn_exec_chunk;

typedef struct tn_exec_ctx tn_exec_ctx;

/* Per-thread expression evaluation state: one scratch vector per plan slot. */
typedef struct tn_exec_eval {
    tn_exec_ctx *ctx;
    tn_vector *slots;
    tn_vector *aux;
    tn_func_cache *caches;
    uint8_t *ready; /* slot vector initialised */
    uint32_t slot_count;
} tn_exec_eval;

struct tn_exec_ctx {
    tn_sql_engine *engine;
    tn_arena *arena;
    tn_plan *plan;
    tn_error *err;
    int64_t now_us;
    bool sqlite_compat;
    int64_t memory_used; /* bytes materialised by operators (atomic) */
    int64_t memory_limit;
    bool analyze;
    tn_exec_eval eval; /* the main thread's */
};

extern const uint32_t tn_exec_identity[TN_BATCH_ROWS];
extern const uint32_t tn_exec_zeros[TN_BATCH_ROWS];

int tn_exec_eval_init(tn_exec_eval *ev, tn_exec_ctx *ctx);
void tn_exec_eval_free(tn_exec_eval *ev);
/* Evaluates e over the chunk's selected rows: out row i is the value for in->sel[i]. The
 * result is valid until e's slot is evaluated again. */
int tn_exec_eval_expr(tn_exec_eval *ev, const tn_plan_expr *e, const tn_exec_chunk *in,
                      tn_exec_arg *out);
/* Narrows a selection to the rows where cond is TRUE: writes the kept row numbers (of
 * in->batch) to sel_out (room for in->count) and their count. */
int tn_exec_eval_filter(tn_exec_eval *ev, const tn_plan_expr *cond, const tn_exec_chunk *in,
                        uint32_t *sel_out, uint32_t *count_out);

/* Copies n values (vec rows sel[0..n)) into dst rows dst_row.. (varlen in order). */
int tn_exec_gather(tn_vector *dst, uint32_t dst_row, const tn_vector *src, const uint32_t *sel,
                   uint32_t n);
/* Compares two values of the same type (NULLs not handled): <0, 0, >0. */
int tn_exec_compare_values(const tn_vector *a, uint32_t ar, const tn_vector *b, uint32_t br);
/* Appends a normalised key for the value (NULL has its own tag) to buf. */
int tn_exec_key_append(tn_buf *buf, const tn_vector *v, uint32_t row);
/* Accounts bytes of materialised data; TN_ELIMIT with a clear message past the limit. */
int tn_exec_memory_add(tn_exec_ctx *ctx, int64_t bytes);
/* The result schema of a plan operator (new reference). */
tn_schema *tn_exec_schema(const tn_plan_op *op);
/* Sets out to the value of a 1-row vector (arena copies of strings). */
int tn_exec_value_from_vector(tn_arena *arena, const tn_vector *v, uint32_t row,
                              tn_plan_value *out);

typedef struct tn_exec_op tn_exec_op;
struct tn_exec_op {
    int (*next)(tn_exec_op *op, tn_exec_chunk *out); /* out->count 0 with batch NULL = end */
    void (*close)(tn_exec_op *op);
    tn_plan_op *plan;
    tn_exec_ctx *ctx;
    tn_exec_op *children[2];
    int64_t rows;
    int64_t ns;
};

/* Builds the operator tree for a plan. */
int tn_exec_build(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
/* Pulls the next chunk, timing it for EXPLAIN ANALYZE. */
int tn_exec_next(tn_exec_op *op, tn_exec_chunk *out);
void tn_exec_close(tn_exec_op *op); /* closes the tree; accepts NULL */

/* Operators (one per file). */
int tn_exec_scan_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_filter_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_project_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_aggregate_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_join_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_sort_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_limit_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_setop_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_values_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);

/* A materialised row set: dense batches. */
typedef struct tn_exec_rows {
    tn_schema *schema;
    tn_batch **batches;
    size_t batch_count;
    size_t batch_cap;
    int64_t row_count;
} tn_exec_rows;

int tn_exec_rows_init(tn_exec_rows *rows, tn_schema *schema);
/* Appends the chunk's selected rows (copied). */
int tn_exec_rows_append(tn_exec_ctx *ctx, tn_exec_rows *rows, const tn_exec_chunk *chunk);
void tn_exec_rows_free(tn_exec_rows *rows);
/* Drains an operator into rows. */
int tn_exec_drain(tn_exec_op *op, tn_exec_rows *rows);

#endif /* TN_SQL_INT_H */
