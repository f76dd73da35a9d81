/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to sql/optimizer: expression helpers the rules share (opt_util.c). The rules
 * themselves are declared in sql_int.h.
 */
#ifndef TN_SQL_OPTIMIZER_INT_H
#define TN_SQL_OPTIMIZER_INT_H

#include "sql/sql_int.h"

/* Marks in used[0..n) the input columns e reads. Returns false when e holds something whose
 * column use cannot be seen or which must not move (a correlated subquery, a volatile call):
 * such an expression is "opaque" and stays where the binder put it. */
bool tn_opt_expr_columns(const tn_plan_expr *e, uint8_t *used, uint32_t n);
/* A copy of e (new nodes, new slots) with every column reference c replaced by map[c].
 * e must not be opaque. NULL when out of memory. */
tn_plan_expr *tn_opt_expr_remap(tn_arena *arena, tn_plan *plan, const tn_plan_expr *e,
                                const uint32_t *map);
/* The conjuncts of a condition: the operands of a top-level AND (flattened), or the
 * condition itself. Returns the count; *out is arena-allocated. -1 when out of memory. */
int tn_opt_conjuncts(tn_arena *arena, tn_plan_expr *cond, tn_plan_expr ***out);
/* AND of the conjuncts (the one conjunct when count is 1, NULL when 0). */
tn_plan_expr *tn_opt_and(tn_arena *arena, tn_plan *plan, tn_plan_expr **conj, uint32_t count);
/* A column reference of `type` to input column `column`. */
tn_plan_expr *tn_opt_column(tn_arena *arena, tn_plan *plan, uint32_t column, tn_type type);

/* For a filter over an outer, semi or anti join at *slot: moves the conjuncts that read only
 * the preserved side into a filter on that side (push_filters.c). 0 or TN_ENOMEM. */
int tn_opt_filter_through_outer_join(tn_arena *arena, tn_plan *plan, tn_plan_op **slot);

/* Calls fn on the root slot of every subquery plan inside op's expressions (not below op's
 * children). Stops at the first error. */
typedef int (*tn_opt_subplan_fn)(void *ctx, tn_plan_op **root);
int tn_opt_for_each_subplan(tn_plan_op *op, tn_opt_subplan_fn fn, void *ctx);
/* Calls fn on every operator slot of the plan at *slot, children first: the children, a CTE
 * reference's query and the subquery plans inside each operator's expressions, then the
 * operator itself (which fn may replace through the slot). Stops at the first error. */
int tn_opt_rewrite_bottom_up(tn_plan_op **slot, tn_opt_subplan_fn fn, void *ctx);
/* The context most rules hand tn_opt_rewrite_bottom_up. */
typedef struct tn_opt_rule_args {
    tn_arena *arena;
    tn_plan *plan;
} tn_opt_rule_args;

/* Rule: sub-expressions shared by the expressions of an aggregate or a projection computed
 * once, in a projection put below it (common_subexpressions.c). Runs after prune_columns.
 * 0, or an error set in err. */
int tn_opt_common_subexpressions(tn_arena *arena, tn_plan *plan, tn_plan_op **root,
                                 tn_error *err);
/* Whether a and b are the same expression: the same kinds, types, columns, functions and
 * constants, node by node (common_subexpressions.c). Subqueries and outer references are
 * never the same as anything. */
bool tn_opt_same_expr(const tn_plan_expr *a, const tn_plan_expr *b);

/* Rule: an aggregate without groups of two or more COUNT/SUM/AVG(DISTINCT x) over one x
 * computed as the plain aggregates over the distinct values of x, an aggregate below it
 * (distinct_aggregate.c). 0, or an error set in err. */
int tn_opt_distinct_aggregate(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err);

#endif /* TN_SQL_OPTIMIZER_INT_H */
