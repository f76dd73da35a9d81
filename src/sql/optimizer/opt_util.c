/* SPDX-License-Identifier: Apache-2.0
 *
 * Expression helpers shared by the optimizer rules: which columns an expression reads,
 * copying an expression onto another column layout, splitting and joining conjunctions, and
 * visiting the subquery plans an operator's expressions hold.
 */
#include "sql/optimizer/optimizer_int.h"

static bool list_columns(tn_plan_expr *const *list, uint32_t count, uint8_t *used, uint32_t n)
{
    bool ok = true;
    for (uint32_t i = 0; i < count; i++) ok &= tn_opt_expr_columns(list[i], used, n);
    return ok;
}

bool tn_opt_expr_columns(const tn_plan_expr *e, uint8_t *used, uint32_t n)
{
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST:
        return true;
    case TN_PLAN_EXPR_COLUMN:
        if (e->column >= n) return false;
        used[e->column] = 1;
        return true;
    case TN_PLAN_EXPR_CALL:
        if (e->call.func->volatile_result)
            return false; /* random(): one value per row, must stay where it is */
        return list_columns(e->call.args, e->call.arg_count, used, n);
    case TN_PLAN_EXPR_CAST:
        return tn_opt_expr_columns(e->cast.operand, used, n);
    case TN_PLAN_EXPR_CASE: {
        bool ok = list_columns(e->case_expr.conditions, e->case_expr.when_count, used, n);
        ok &= list_columns(e->case_expr.results, e->case_expr.when_count, used, n);
        if (e->case_expr.else_result) ok &= tn_opt_expr_columns(e->case_expr.else_result, used, n);
        return ok;
    }
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE:
        return list_columns(e->logical.operands, e->logical.count, used, n);
    case TN_PLAN_EXPR_NOT:
        return tn_opt_expr_columns(e->unary.operand, used, n);
    case TN_PLAN_EXPR_IS_NULL:
        return tn_opt_expr_columns(e->is_null.operand, used, n);
    case TN_PLAN_EXPR_IS_BOOL:
        return tn_opt_expr_columns(e->is_bool.operand, used, n);
    case TN_PLAN_EXPR_COMPARE: {
        /* Both sides are always visited: `used` must list every column either reads. */
        bool ok = tn_opt_expr_columns(e->compare.left, used, n);
        ok &= tn_opt_expr_columns(e->compare.right, used, n);
        return ok;
    }
    case TN_PLAN_EXPR_IN_LIST: {
        bool ok = tn_opt_expr_columns(e->in_list.operand, used, n);
        ok &= list_columns(e->in_list.items, e->in_list.count, used, n);
        return ok;
    }
    case TN_PLAN_EXPR_OUTER:
        return true; /* a value of the enclosing query: no column here */
    case TN_PLAN_EXPR_SUBQUERY:
    case TN_PLAN_EXPR_IN_QUERY:
    case TN_PLAN_EXPR_EXISTS:
        /* an uncorrelated subquery is a value computed once: only the IN operand reads the
         * row; a correlated one reads the row through its params, so it stays in place */
        if (e->kind == TN_PLAN_EXPR_IN_QUERY && e->subquery.operand &&
            !tn_opt_expr_columns(e->subquery.operand, used, n))
            return false;
        return e->subquery.param_count == 0;
    }
    return false;
}

static tn_plan_expr **remap_list(tn_arena *arena, tn_plan *plan, tn_plan_expr *const *list,
                                 uint32_t count, const uint32_t *map)
{
    tn_plan_expr **out = tn_arena_calloc(arena, (count + 1) * sizeof *out);
    if (!out) return NULL;
    for (uint32_t i = 0; i < count; i++)
        if (!(out[i] = tn_opt_expr_remap(arena, plan, list[i], map))) return NULL;
    return out;
}

tn_plan_expr *tn_opt_expr_remap(tn_arena *arena, tn_plan *plan, const tn_plan_expr *e,
                                const uint32_t *map)
{
    tn_plan_expr *c = tn_plan_expr_new(arena, plan, e->kind, e->type);
    if (!c) return NULL;
    uint32_t slot = c->slot;
    *c = *e;
    c->slot = slot;
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST:
        break;
    case TN_PLAN_EXPR_COLUMN:
        c->column = map[e->column];
        break;
    case TN_PLAN_EXPR_CALL:
        if (e->call.arg_count &&
            !(c->call.args = remap_list(arena, plan, e->call.args, e->call.arg_count, map)))
            return NULL;
        break;
    case TN_PLAN_EXPR_CAST:
        if (!(c->cast.operand = tn_opt_expr_remap(arena, plan, e->cast.operand, map))) return NULL;
        break;
    case TN_PLAN_EXPR_CASE:
        c->case_expr.conditions =
            remap_list(arena, plan, e->case_expr.conditions, e->case_expr.when_count, map);
        c->case_expr.results =
            remap_list(arena, plan, e->case_expr.results, e->case_expr.when_count, map);
        if (!c->case_expr.conditions || !c->case_expr.results) return NULL;
        if (e->case_expr.else_result && !(c->case_expr.else_result = tn_opt_expr_remap(
                                              arena, plan, e->case_expr.else_result, map)))
            return NULL;
        break;
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE:
        if (!(c->logical.operands =
                  remap_list(arena, plan, e->logical.operands, e->logical.count, map)))
            return NULL;
        break;
    case TN_PLAN_EXPR_NOT:
        if (!(c->unary.operand = tn_opt_expr_remap(arena, plan, e->unary.operand, map)))
            return NULL;
        break;
    case TN_PLAN_EXPR_IS_NULL:
        if (!(c->is_null.operand = tn_opt_expr_remap(arena, plan, e->is_null.operand, map)))
            return NULL;
        break;
    case TN_PLAN_EXPR_IS_BOOL:
        if (!(c->is_bool.operand = tn_opt_expr_remap(arena, plan, e->is_bool.operand, map)))
            return NULL;
        break;
    case TN_PLAN_EXPR_COMPARE:
        c->compare.left = tn_opt_expr_remap(arena, plan, e->compare.left, map);
        c->compare.right = tn_opt_expr_remap(arena, plan, e->compare.right, map);
        if (!c->compare.left || !c->compare.right) return NULL;
        break;
    case TN_PLAN_EXPR_IN_LIST:
        c->in_list.operand = tn_opt_expr_remap(arena, plan, e->in_list.operand, map);
        c->in_list.items = remap_list(arena, plan, e->in_list.items, e->in_list.count, map);
        if (!c->in_list.operand || !c->in_list.items) return NULL;
        break;
    case TN_PLAN_EXPR_OUTER:
        break;
    case TN_PLAN_EXPR_SUBQUERY:
    case TN_PLAN_EXPR_IN_QUERY:
    case TN_PLAN_EXPR_EXISTS:
        /* uncorrelated (callers never remap opaque ones): the query is shared, only the IN
         * operand reads the row */
        if (e->kind == TN_PLAN_EXPR_IN_QUERY && e->subquery.operand &&
            !(c->subquery.operand = tn_opt_expr_remap(arena, plan, e->subquery.operand, map)))
            return NULL;
        break;
    }
    return c;
}

static int add_conjuncts(tn_arena *arena, tn_plan_expr *e, tn_plan_expr ***list, uint32_t *count,
                         uint32_t *cap)
{
    if (e->kind == TN_PLAN_EXPR_AND) {
        for (uint32_t i = 0; i < e->logical.count; i++)
            if (add_conjuncts(arena, e->logical.operands[i], list, count, cap) != 0) return -1;
        return 0;
    }
    if (*count == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 8;
        tn_plan_expr **nl = tn_arena_alloc(arena, nc * sizeof *nl);
        if (!nl) return -1;
        if (*count) memcpy(nl, *list, *count * sizeof *nl);
        *list = nl;
        *cap = nc;
    }
    (*list)[(*count)++] = e;
    return 0;
}

int tn_opt_conjuncts(tn_arena *arena, tn_plan_expr *cond, tn_plan_expr ***out)
{
    uint32_t count = 0, cap = 0;
    *out = NULL;
    if (add_conjuncts(arena, cond, out, &count, &cap) != 0) return -1;
    return (int)count;
}

tn_plan_expr *tn_opt_and(tn_arena *arena, tn_plan *plan, tn_plan_expr **conj, uint32_t count)
{
    if (count == 0) return NULL;
    if (count == 1) return conj[0];
    tn_plan_expr *a =
        tn_plan_expr_new(arena, plan, TN_PLAN_EXPR_AND, tn_type_make(TN_TYPE_BOOLEAN));
    tn_plan_expr **ops = tn_arena_alloc(arena, count * sizeof *ops);
    if (!a || !ops) return NULL;
    memcpy(ops, conj, count * sizeof *ops);
    a->logical.operands = ops;
    a->logical.count = count;
    return a;
}

tn_plan_expr *tn_opt_column(tn_arena *arena, tn_plan *plan, uint32_t column, tn_type type)
{
    tn_plan_expr *e = tn_plan_expr_new(arena, plan, TN_PLAN_EXPR_COLUMN, type);
    if (e) e->column = column;
    return e;
}

/* The optimizer sees a subquery as the root of its plan, to rewrite it in place. */
typedef struct subplan_visit {
    tn_opt_subplan_fn fn;
    void *ctx;
} subplan_visit;

static int visit_subplan(void *arg, tn_plan_expr *e)
{
    subplan_visit *v = arg;
    return e->subquery.query ? v->fn(v->ctx, &e->subquery.query) : 0;
}

int tn_opt_for_each_subplan(tn_plan_op *op, tn_opt_subplan_fn fn, void *ctx)
{
    subplan_visit v = {fn, ctx};
    return tn_plan_for_each_subquery(op, visit_subplan, &v);
}

typedef struct bottom_up {
    tn_opt_subplan_fn fn;
    void *ctx;
} bottom_up;

static int bottom_up_slot(void *arg, tn_plan_op **slot)
{
    bottom_up *w = arg;
    tn_plan_op *op = *slot;
    int rc;
    for (uint32_t i = 0; i < op->child_count; i++)
        if ((rc = bottom_up_slot(w, &op->children[i])) != 0)
            return rc;
    if (op->kind == TN_PLAN_CTE_REF && op->cte_ref.query &&
        (rc = bottom_up_slot(w, &op->cte_ref.query)) != 0)
        return rc;
    if ((rc = tn_opt_for_each_subplan(op, bottom_up_slot, w)) != 0)
        return rc;
    return w->fn(w->ctx, slot);
}

int tn_opt_rewrite_bottom_up(tn_plan_op **slot, tn_opt_subplan_fn fn, void *ctx)
{
    bottom_up w = {fn, ctx};
    return bottom_up_slot(&w, slot);
}
