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
 *     outputs ordinary strings);
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

/* op is an aggregate or a projection: when its input is a file scan, possibly under
 * filters, marks the scan's columns (and the aggregate's keys) that qualify. */
static int consider(tn_arena *arena, tn_plan_op *op)
{
    tn_plan_op *scan = op->children[0];
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
    for (tn_plan_op *f = op->children[0]; f != scan; f = f->children[0])
        check_filter(f->filter.condition, ok, used, n);
    if (op->kind == TN_PLAN_PROJECT) {
        for (uint32_t i = 0; i < op->column_count; i++)
            check_other(op->project.exprs[i], ok, used, n);
    } else {
        for (uint32_t k = 0; k < op->aggregate.group_count; k++)
            if (op->aggregate.groups[k]->kind != TN_PLAN_EXPR_COLUMN)
                check_other(op->aggregate.groups[k], ok, used, n);
        for (uint32_t a = 0; a < op->aggregate.agg_count; a++) {
            if (op->aggregate.aggs[a].arg)
                check_other(op->aggregate.aggs[a].arg, ok, used, n);
            if (op->aggregate.aggs[a].filter)
                check_other(op->aggregate.aggs[a].filter, ok, used, n);
        }
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
            op->aggregate.dictionary_keys[k] = g->kind == TN_PLAN_EXPR_COLUMN &&
                                               g->column < n && ok[g->column];
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
