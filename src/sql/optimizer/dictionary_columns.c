/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule: which string columns of a file scan may flow in dictionary form (tn_vector.dict,
 * indices into a Parquet column chunk's dictionary) instead of expanded bytes. Runs last, on
 * the final plan. A column qualifies only when every use of it is one the executor evaluates
 * per dictionary entry or maps per entry:
 *   - a conjunct of the scan's pushed filters or of filters right above it that reads only
 *     this column, as `col op constant` (=, <>, <, <=, >, >=), `col [NOT] IN (constants)`,
 *     `col [NOT] [I]LIKE constant`, `col IS [NOT] NULL`, or NOT of one of those
 *     (exec/dictionary.c evaluates it once per entry);
 *   - a plain GROUP BY key of the aggregate above (the aggregate interns the entries and
 *     outputs ordinary strings), also through a projection between them that hands its
 *     column references on unchanged;
 *   - nothing at all in a projection above (the column is dropped there).
 * Any other use leaves the column plain, so no other operator ever sees the form.
 */
#include "sql/optimizer/optimizer_int.h"

#include <strings.h>

static bool is_column(const tn_plan_expr *e, uint32_t col)
{
    return e->kind == TN_PLAN_EXPR_COLUMN && e->column == col;
}

static bool is_const(const tn_plan_expr *e)
{
    return e->kind == TN_PLAN_EXPR_CONST;
}

/* Whether e reads column col in a shape the per-entry filter evaluates, and nothing else. */
static bool filter_shape(const tn_plan_expr *e, uint32_t col)
{
    switch (e->kind) {
    case TN_PLAN_EXPR_NOT:
        return filter_shape(e->unary.operand, col);
    case TN_PLAN_EXPR_IS_NULL:
        return is_column(e->is_null.operand, col);
    case TN_PLAN_EXPR_COMPARE:
        if (e->compare.op > TN_PLAN_CMP_GE)
            return false;
        return (is_column(e->compare.left, col) && is_const(e->compare.right)) ||
               (is_const(e->compare.left) && is_column(e->compare.right, col));
    case TN_PLAN_EXPR_IN_LIST:
        if (!is_column(e->in_list.operand, col))
            return false;
        for (uint32_t i = 0; i < e->in_list.count; i++)
            if (!is_const(e->in_list.items[i]))
                return false;
        return true;
    case TN_PLAN_EXPR_CALL: {
        const char *name = e->call.func->name;
        if (strcmp(name, "like") != 0 && strcmp(name, "ilike") != 0)
            return false;
        if (e->call.arg_count < 2 || !is_column(e->call.args[0], col))
            return false;
        for (uint32_t i = 1; i < e->call.arg_count; i++)
            if (!is_const(e->call.args[i]))
                return false;
        return true;
    }
    default:
        return false;
    }
}

/* Clears ok[] for the columns a filter condition uses in any other way: conjunct by
 * conjunct (nested ANDs flattened, as the executor narrows through them). */
static void check_filter(const tn_plan_expr *cond, uint8_t *ok, uint8_t *used, uint32_t n)
{
    if (cond->kind == TN_PLAN_EXPR_AND) {
        for (uint32_t i = 0; i < cond->logical.count; i++)
            check_filter(cond->logical.operands[i], ok, used, n);
        return;
    }
    memset(used, 0, n);
    bool visible = tn_opt_expr_columns(cond, used, n);
    uint32_t count = 0, only = 0;
    for (uint32_t c = 0; c < n; c++)
        if (used[c]) {
            count++;
            only = c;
        }
    if (visible && count == 1 && filter_shape(cond, only))
        return;
    for (uint32_t c = 0; c < n; c++)
        if (used[c] || !visible)
            ok[c] = 0;
}

/* Clears ok[] for every column e reads (all of them when e's use cannot be seen). */
static void check_other(const tn_plan_expr *e, uint8_t *ok, uint8_t *used, uint32_t n)
{
    memset(used, 0, n);
    bool visible = tn_opt_expr_columns(e, used, n);
    for (uint32_t c = 0; c < n; c++)
        if (used[c] || !visible)
            ok[c] = 0;
}

/* Whether the scan reads Parquet files, the only reader that hands out dictionary form:
 * elsewhere interning the group keys would only add work. */
static bool reads_parquet(const tn_plan_op *scan)
{
    if (scan->scan.format)
        return strcmp(scan->scan.format, "parquet") == 0;
    for (uint32_t i = 0; i < scan->scan.path_count; i++) {
        size_t len = strlen(scan->scan.paths[i]);
        if (len < 8 || strcasecmp(scan->scan.paths[i] + len - 8, ".parquet") != 0)
            return false;
    }
    return scan->scan.path_count > 0;
}

/* Whether a projection hands its column references on as the very vectors it gets: every
 * other expression of it is of a type it writes in place (exec/project.c's shell output). */
static bool passes_vectors_on(const tn_plan_op *proj)
{
    for (uint32_t i = 0; i < proj->column_count; i++) {
        const tn_plan_expr *e = proj->project.exprs[i];
        size_t w = tn_type_width(e->type);
        if (e->kind != TN_PLAN_EXPR_COLUMN &&
            (tn_type_is_varlen(e->type) || e->type.id == TN_PLAN_TYPE_INTERVAL ||
             e->type.id == TN_TYPE_BOOLEAN || (w != 4 && w != 8 && w != 16)))
            return false;
    }
    return true;
}

/* Clears ok[] (over the scan's n columns) for the columns the aggregate agg uses other than
 * as plain group keys. Its input columns are the scan's, or those of proj, a projection that
 * passes the scan's vectors on (its column references) and computes the rest. */
static int check_aggregate(tn_arena *arena, const tn_plan_op *agg, const tn_plan_op *proj,
                           uint8_t *ok, uint8_t *used, uint32_t n)
{
    uint32_t m = proj ? proj->column_count : n;
    uint8_t *in_ok = tn_arena_alloc(arena, 2 * (size_t)(m ? m : 1));
    if (!in_ok)
        return TN_ENOMEM;
    uint8_t *in_used = in_ok + m;
    memset(in_ok, 1, m);
    for (uint32_t k = 0; k < agg->aggregate.group_count; k++)
        if (agg->aggregate.groups[k]->kind != TN_PLAN_EXPR_COLUMN)
            check_other(agg->aggregate.groups[k], in_ok, in_used, m);
    for (uint32_t a = 0; a < agg->aggregate.agg_count; a++) {
        if (agg->aggregate.aggs[a].arg)
            check_other(agg->aggregate.aggs[a].arg, in_ok, in_used, m);
        if (agg->aggregate.aggs[a].filter)
            check_other(agg->aggregate.aggs[a].filter, in_ok, in_used, m);
    }
    for (uint32_t j = 0; j < m; j++) {
        const tn_plan_expr *e = proj ? proj->project.exprs[j] : NULL;
        if (!proj)
            ok[j] &= in_ok[j];
        else if (e->kind == TN_PLAN_EXPR_COLUMN && e->column < n)
            ok[e->column] &= in_ok[j];
        else
            check_other(e, ok, used, n);
    }
    return 0;
}

/* The scan column an input column of the aggregate is, or -1. */
static int64_t scan_column(const tn_plan_op *proj, uint32_t j)
{
    if (!proj)
        return j;
    const tn_plan_expr *e = proj->project.exprs[j];
    return e->kind == TN_PLAN_EXPR_COLUMN ? (int64_t)e->column : -1;
}

/* op is an aggregate or a projection: when its input is a file scan, possibly under filters
 * (and for an aggregate under a projection that passes vectors on, as the common
 * subexpression rule puts there), marks the scan's columns (and the aggregate's keys) that
 * qualify. */
static int consider(tn_arena *arena, tn_plan_op *op)
{
    tn_plan_op *top = op->children[0], *proj = NULL;
    if (op->kind == TN_PLAN_AGGREGATE && top && top->kind == TN_PLAN_PROJECT &&
        top->child_count == 1 && passes_vectors_on(top)) {
        proj = top;
        top = top->children[0];
    }
    tn_plan_op *scan = top;
    while (scan && scan->kind == TN_PLAN_FILTER)
        scan = scan->children[0];
    if (!scan || scan->kind != TN_PLAN_SCAN || scan->scan.source != TN_PLAN_SOURCE_FILES ||
        !reads_parquet(scan))
        return 0;
    uint32_t n = scan->column_count;
    if (n == 0)
        return 0;
    uint8_t *ok = tn_arena_alloc(arena, 2 * (size_t)n);
    if (!ok)
        return TN_ENOMEM;
    uint8_t *used = ok + n;
    bool any = false;
    for (uint32_t c = 0; c < n; c++) {
        ok[c] = tn_type_is_varlen(scan->columns[c].type);
        any = any || ok[c];
    }
    if (!any)
        return 0;
    for (uint32_t f = 0; f < scan->scan.filter_count; f++)
        check_filter(scan->scan.filters[f], ok, used, n);
    for (tn_plan_op *f = top; f != scan; f = f->children[0])
        check_filter(f->filter.condition, ok, used, n);
    if (op->kind == TN_PLAN_PROJECT) {
        for (uint32_t i = 0; i < op->column_count; i++)
            check_other(op->project.exprs[i], ok, used, n);
    } else {
        int rc = check_aggregate(arena, op, proj, ok, used, n);
        if (rc)
            return rc;
    }
    any = false;
    for (uint32_t c = 0; c < n; c++)
        any = any || ok[c];
    if (!any)
        return 0;
    scan->scan.dictionary = tn_arena_calloc(arena, n * sizeof(bool));
    if (!scan->scan.dictionary)
        return TN_ENOMEM;
    for (uint32_t c = 0; c < n; c++)
        scan->scan.dictionary[c] = ok[c];
    if (op->kind == TN_PLAN_AGGREGATE && op->aggregate.group_count > 0) {
        uint32_t gk = op->aggregate.group_count;
        op->aggregate.dictionary_keys = tn_arena_calloc(arena, gk * sizeof(bool));
        if (!op->aggregate.dictionary_keys)
            return TN_ENOMEM;
        for (uint32_t k = 0; k < gk; k++) {
            const tn_plan_expr *g = op->aggregate.groups[k];
            int64_t c = g->kind == TN_PLAN_EXPR_COLUMN ? scan_column(proj, g->column) : -1;
            op->aggregate.dictionary_keys[k] = c >= 0 && (uint32_t)c < n && ok[c];
        }
    }
    return 0;
}

typedef struct walk {
    tn_arena *arena;
} walk;

static int visit(walk *w, tn_plan_op *op);

static int visit_subplan(void *ctx, tn_plan_op **root)
{
    return visit(ctx, *root);
}

static int visit(walk *w, tn_plan_op *op)
{
    int rc;
    for (uint32_t i = 0; i < op->child_count; i++)
        if (op->children[i] && (rc = visit(w, op->children[i])) != 0)
            return rc;
    if ((rc = tn_opt_for_each_subplan(op, visit_subplan, w)) != 0)
        return rc;
    if ((op->kind == TN_PLAN_AGGREGATE || op->kind == TN_PLAN_PROJECT) && op->child_count == 1)
        return consider(w->arena, op);
    return 0;
}

int tn_opt_dictionary_columns(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err)
{
    (void)plan;
    walk w = {arena};
    int rc = visit(&w, *root);
    if (rc)
        return tn_error_set(err, rc, "out of memory");
    return 0;
}
