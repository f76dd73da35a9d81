/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to sql/binder: the binder's state and scopes shared by binder.c (queries, FROM)
 * and binder_expr.c (expressions, types, function resolution).
 */
#ifndef TN_SQL_BINDER_INT_H
#define TN_SQL_BINDER_INT_H

#include "sql/sql_int.h"

/* One visible column: table alias (may be NULL), name, its index in the input operator. */
typedef struct tn_bind_col {
    const char *table;
    const char *name;
    tn_type type;
    uint32_t index;
    bool hidden; /* USING duplicates: not expanded by * */
} tn_bind_col;

typedef struct tn_bind_scope {
    tn_bind_col *cols;
    uint32_t count;
} tn_bind_scope;

typedef struct tn_bind_cte {
    const tn_sql_cte *cte;
    struct tn_bind_cte *next;
} tn_bind_cte;

/* Aggregation context while binding select items, HAVING and ORDER BY of a grouped query. */
typedef struct tn_bind_agg {
    const tn_bind_scope *input; /* scope under the aggregate */
    tn_sql_expr **group_ast;
    const char **group_text;    /* printed group expressions, for matching */
    uint32_t group_count;
    tn_plan_expr **groups;
    tn_plan_agg *aggs;
    uint32_t agg_count;
    uint32_t agg_cap;
    const char **agg_text;
} tn_bind_agg;

/* Window functions of the SELECT being bound (bind_window.c). Their arguments and keys are
 * `inputs` (over the same input as the select list); a call is bound to a column reference
 * TN_BIND_WINDOW_REF + k until tn_bind_window_patch gives it its place in the layout. */
#define TN_BIND_WINDOW_REF 0x40000000u

typedef struct tn_bind_window {
    tn_plan_window_func *funcs; /* columns in inputs[] until tn_bind_window_op */
    uint32_t func_count;
    uint32_t func_cap;
    tn_plan_expr **inputs;
    uint32_t input_count;
    uint32_t input_cap;
    bool in_call; /* binding a call's arguments: window calls do not nest */
    tn_sql_window *const *named; /* the SELECT's WINDOW clause: what OVER name refers to */
    uint32_t named_count;
} tn_bind_window;

/* The enclosing query of the subquery being bound: where its outer references resolve. */
typedef struct tn_bind_outer {
    const tn_bind_scope *scope;   /* the enclosing query's names */
    tn_bind_agg *agg;             /* its aggregation context, or NULL */
    struct tn_bind_outer *parent; /* the enclosing query's own enclosing query, or NULL */
    tn_plan_param **params;       /* the outer values referenced so far */
    uint32_t param_count;
    uint32_t param_cap;
} tn_bind_outer;

struct tn_binder {
    tn_sql_engine *engine;
    tn_arena *arena;
    tn_plan *plan;
    tn_error *err;
    tn_bind_cte *ctes;
    tn_bind_agg *agg; /* non-NULL while binding above an aggregate */
    tn_bind_outer *outer; /* non-NULL while binding a subquery of an expression */
    tn_bind_window *win;  /* non-NULL where window functions may be written */
    uint32_t depth;
};

int tn_bind_expr(tn_binder *b, const tn_bind_scope *scope, const tn_sql_expr *ast,
                 tn_plan_expr **out);
/* Casts e to type t (no-op when equal). */
int tn_bind_cast(tn_binder *b, tn_plan_expr *e, tn_type t, tn_plan_expr **out);
/* Common type of two expressions for comparison/union; false when none. */
bool tn_bind_common_type(const tn_plan_expr *a, const tn_plan_expr *b, tn_type *out);
bool tn_bind_common_of_types(tn_type a, tn_type b, bool a_lit, bool b_lit, tn_type *out);
int tn_bind_query_op(tn_binder *b, const tn_sql_query *q, tn_plan_op **out);
int tn_bind_error(tn_binder *b, int code, tn_sql_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool tn_bind_is_aggregate(const char *name);
/* A boolean condition (casts from NULL allowed). */
int tn_bind_condition(tn_binder *b, const tn_bind_scope *scope, const tn_sql_expr *ast,
                      tn_plan_expr **out);
tn_plan_expr *tn_bind_column_ref(tn_binder *b, uint32_t index, tn_type type);

/* The value of an INTERVAL literal. */
int tn_bind_interval_value(tn_binder *b, const tn_sql_expr *ast, tn_plan_interval *iv);

/* Takes in a SELECT's WINDOW clause (w->named) and checks it: names defined once, each
 * reference to a defined window, PostgreSQL's rules for refining one. 0 or an error. */
int tn_bind_window_clause(tn_binder *b, const tn_sql_select *sel, tn_bind_window *w);
/* Binds a window function call (name in lower case) through b->win. */
int tn_bind_window_call(tn_binder *b, const tn_bind_scope *scope, const tn_sql_expr *ast,
                        const char *name, tn_plan_expr **out);
/* Rewrites the window references in e: call k becomes column base + k. */
void tn_bind_window_patch(tn_plan_expr *e, uint32_t base);
/* Puts the WINDOW operator of b->win over *op: a projection adds the inputs after op's
 * columns, and the operator adds one column per call after those. */
int tn_bind_window_op(tn_binder *b, tn_plan_op **op);

/* Decorrelation (decorrelate.c). A WHERE condition over op: conjuncts without correlated
 * subqueries filter op first; [NOT] EXISTS and [NOT] IN over correlated subqueries become
 * semi/anti joins, correlated scalar aggregates become grouped aggregates joined on the
 * correlation keys; what is left filters last. */
int tn_bind_where(tn_binder *b, tn_plan_op **op, tn_plan_expr *cond);
/* Rewrites the correlated scalar aggregate subqueries inside e into LEFT joins added over op
 * (op's columns stay a prefix, so expressions over op remain valid). */
int tn_bind_decorrelate_scalars(tn_binder *b, tn_plan_op **op, tn_plan_expr *e);

/* Hive partitioning of a file scan (hive.c): DuckDB's hive_partitioning option. */
typedef enum tn_bind_hive_mode {
    TN_BIND_HIVE_AUTO, /* on when every path has the same key=value folders */
    TN_BIND_HIVE_OFF,
    TN_BIND_HIVE_ON,   /* paths without them, or with different keys, are an error */
} tn_bind_hive_mode;

typedef struct tn_bind_hive_options {
    tn_bind_hive_mode mode;
    bool no_autocast; /* hive_types_autocast = false: every key VARCHAR */
} tn_bind_hive_options;

/* The files matching a glob pattern, sorted; `**` stands for any number of folders. *paths
 * is arena-allocated. An error (no match: TN_ENOENT) is set at pos. */
int tn_bind_glob(tn_binder *b, const char *pattern, tn_sql_pos pos, char ***paths,
                 uint32_t *count);
/* Adds the hive partition keys of a bound file scan's paths as columns (after the file's, a
 * file column of the same name replaced) and their values per path; see hive.c. 0 or an
 * error set at pos. */
int tn_bind_hive_partitions(tn_binder *b, tn_plan_op *scan, const tn_bind_hive_options *o,
                            tn_sql_pos pos);

#endif /* TN_SQL_BINDER_INT_H */
