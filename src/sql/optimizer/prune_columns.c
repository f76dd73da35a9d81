/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule: read only what is used. Walking down from the root, each operator is told which of
 * its output columns the operators above need; scans then keep only those (and what their
 * pushed filters read), so Parquet files and lake tables decode only the projected columns,
 * and every expression above is rewritten onto the narrower layouts. A projection made only
 * of column references (such as the one join_order puts over a reordered join) is removed
 * when the operator above can read through it.
 *
 * Operators whose layout is fixed keep all their columns: the root (the result), the inputs
 * of set operations (positional), subquery and CTE roots, and anything under an expression
 * that is opaque (a subquery may read the row it is evaluated on).
 */
#include "sql/optimizer/optimizer_int.h"

#define DROPPED UINT32_MAX

typedef struct pruner {
    tn_arena *arena;
    tn_plan *plan;
} pruner;

static int prune(pruner *p, tn_plan_op **slot, const uint8_t *needed, uint32_t **map_out);

static uint32_t *identity_map(pruner *p, uint32_t n)
{
    uint32_t *m = tn_arena_alloc(p->arena, (n + 1) * sizeof *m);
    if (m)
        for (uint32_t i = 0; i < n; i++) m[i] = i;
    return m;
}

static bool is_identity(const uint32_t *map, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (map[i] != i) return false;
    return true;
}

/* Marks the columns an expression list reads; false when one is opaque. */
static bool mark(tn_plan_expr *const *list, uint32_t count, uint8_t *used, uint32_t n)
{
    bool ok = true;
    for (uint32_t i = 0; i < count; i++)
        if (list[i]) ok &= tn_opt_expr_columns(list[i], used, n);
    return ok;
}

/* e onto the new layout (e itself when nothing moved). */
static int remap(pruner *p, tn_plan_expr **e, const uint32_t *map, uint32_t n)
{
    if (!*e || is_identity(map, n)) return 0;
    tn_plan_expr *c = tn_opt_expr_remap(p->arena, p->plan, *e, map);
    if (!c) return TN_ENOMEM;
    *e = c;
    return 0;
}

static int remap_list(pruner *p, tn_plan_expr **list, uint32_t count, const uint32_t *map,
                      uint32_t n)
{
    int rc = 0;
    for (uint32_t i = 0; i < count && rc == 0; i++) rc = remap(p, &list[i], map, n);
    return rc;
}

static uint8_t *need_buf(pruner *p, uint32_t n)
{
    return tn_arena_calloc(p->arena, n + 1);
}

/* Copies the child's (new) columns as op's: for operators that pass their input through. */
static int pass_columns(pruner *p, tn_plan_op *op)
{
    tn_plan_op *c = op->children[0];
    tn_plan_column *cols = tn_arena_alloc(p->arena, (c->column_count + 1) * sizeof *cols);
    if (!cols) return TN_ENOMEM;
    memcpy(cols, c->columns, c->column_count * sizeof *cols);
    op->columns = cols;
    op->column_count = c->column_count;
    return 0;
}

static int prune_scan(pruner *p, tn_plan_op *op, const uint8_t *needed, uint32_t **map_out)
{
    uint32_t n = op->column_count;
    uint8_t *keep = need_buf(p, n);
    uint32_t *map = tn_arena_alloc(p->arena, (n + 1) * sizeof *map);
    if (!keep || !map) return TN_ENOMEM;
    bool all = !needed || !mark(op->scan.filters, op->scan.filter_count, keep, n);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (all || needed[i]) keep[i] = 1;
        map[i] = keep[i] ? k++ : DROPPED;
    }
    *map_out = map;
    if (k == n) return 0;
    tn_plan_column *cols = tn_arena_alloc(p->arena, (k + 1) * sizeof *cols);
    uint32_t *proj = tn_arena_alloc(p->arena, (k + 1) * sizeof *proj);
    if (!cols || !proj) return TN_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        if (map[i] == DROPPED) continue;
        cols[map[i]] = op->columns[i];
        proj[map[i]] = op->scan.projection[i];
    }
    op->columns = cols;
    op->scan.projection = proj;
    op->column_count = k;
    return remap_list(p, op->scan.filters, op->scan.filter_count, map, n);
}

static int prune_project(pruner *p, tn_plan_op **slot, const uint8_t *needed, uint32_t **map_out)
{
    tn_plan_op *op = *slot;
    uint32_t n = op->column_count;
    tn_plan_op *child = op->children[0];
    uint32_t cn = child->column_count;
    uint8_t *cneed = need_buf(p, cn);
    uint32_t *map = tn_arena_alloc(p->arena, (n + 1) * sizeof *map);
    if (!cneed || !map) return TN_ENOMEM;
    bool plain = needed != NULL, opaque = false;
    for (uint32_t i = 0; i < n; i++) {
        if (needed && !needed[i]) continue;
        opaque |= !tn_opt_expr_columns(op->project.exprs[i], cneed, cn);
        plain &= op->project.exprs[i]->kind == TN_PLAN_EXPR_COLUMN;
    }
    uint32_t *cmap;
    int rc = prune(p, &op->children[0], opaque ? NULL : cneed, &cmap);
    if (rc) return rc;
    if (plain && !opaque) {
        /* only column references: the operator above reads the child directly */
        for (uint32_t i = 0; i < n; i++)
            map[i] = needed[i] ? cmap[op->project.exprs[i]->column] : DROPPED;
        *slot = op->children[0];
        *map_out = map;
        return 0;
    }
    uint32_t k = 0;
    tn_plan_expr **exprs = tn_arena_alloc(p->arena, (n + 1) * sizeof *exprs);
    tn_plan_column *cols = tn_arena_alloc(p->arena, (n + 1) * sizeof *cols);
    if (!exprs || !cols) return TN_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        if (needed && !needed[i]) {
            map[i] = DROPPED;
            continue;
        }
        exprs[k] = op->project.exprs[i];
        if ((rc = remap(p, &exprs[k], cmap, cn)) != 0) return rc;
        cols[k] = op->columns[i];
        map[i] = k++;
    }
    op->project.exprs = exprs;
    op->columns = cols;
    op->column_count = k;
    *map_out = map;
    return 0;
}

static int prune_aggregate(pruner *p, tn_plan_op *op, uint32_t **map_out)
{
    tn_plan_op *child = op->children[0];
    uint32_t cn = child->column_count;
    uint8_t *cneed = need_buf(p, cn);
    if (!cneed) return TN_ENOMEM;
    bool ok = mark(op->aggregate.groups, op->aggregate.group_count, cneed, cn);
    for (uint32_t i = 0; i < op->aggregate.agg_count; i++) {
        if (op->aggregate.aggs[i].arg)
            ok &= tn_opt_expr_columns(op->aggregate.aggs[i].arg, cneed, cn);
        if (op->aggregate.aggs[i].filter)
            ok &= tn_opt_expr_columns(op->aggregate.aggs[i].filter, cneed, cn);
    }
    uint32_t *cmap;
    int rc = prune(p, &op->children[0], ok ? cneed : NULL, &cmap);
    if (rc || (rc = remap_list(p, op->aggregate.groups, op->aggregate.group_count, cmap, cn)) != 0)
        return rc;
    for (uint32_t i = 0; i < op->aggregate.agg_count && rc == 0; i++) {
        if ((rc = remap(p, &op->aggregate.aggs[i].arg, cmap, cn)) == 0)
            rc = remap(p, &op->aggregate.aggs[i].filter, cmap, cn);
    }
    if (rc) return rc;
    *map_out = identity_map(p, op->column_count);
    return *map_out ? 0 : TN_ENOMEM;
}

static int prune_join(pruner *p, tn_plan_op *op, const uint8_t *needed, uint32_t **map_out)
{
    uint32_t lc = op->children[0]->column_count, rc_n = op->children[1]->column_count;
    uint32_t n = op->column_count; /* lc + rc_n, or lc for SEMI/ANTI */
    bool keyed = op->kind == TN_PLAN_JOIN;
    uint8_t *both = need_buf(p, lc + rc_n);
    uint8_t *lneed = need_buf(p, lc), *rneed = need_buf(p, rc_n);
    if (!both || !lneed || !rneed) return TN_ENOMEM;
    bool ok = needed != NULL;
    if (ok && keyed) {
        ok &= mark(op->join.left_keys, op->join.key_count, lneed, lc);
        ok &= mark(op->join.right_keys, op->join.key_count, rneed, rc_n);
        if (op->join.residual) ok &= tn_opt_expr_columns(op->join.residual, both, lc + rc_n);
    }
    for (uint32_t i = 0; ok && i < lc + rc_n; i++) {
        bool want = both[i] || (i < n && needed[i]);
        if (i < lc)
            lneed[i] |= want;
        else
            rneed[i - lc] |= want;
    }
    uint32_t *lmap, *rmap;
    int rc;
    if ((rc = prune(p, &op->children[0], ok ? lneed : NULL, &lmap)) != 0 ||
        (rc = prune(p, &op->children[1], ok ? rneed : NULL, &rmap)) != 0)
        return rc;
    uint32_t nlc = op->children[0]->column_count, nrc = op->children[1]->column_count;
    uint32_t *jmap = tn_arena_alloc(p->arena, (lc + rc_n + 1) * sizeof *jmap);
    if (!jmap) return TN_ENOMEM;
    for (uint32_t i = 0; i < lc; i++) jmap[i] = lmap[i];
    for (uint32_t i = 0; i < rc_n; i++) jmap[lc + i] = rmap[i] == DROPPED ? DROPPED : nlc + rmap[i];
    if (keyed) {
        if ((rc = remap_list(p, op->join.left_keys, op->join.key_count, lmap, lc)) != 0 ||
            (rc = remap_list(p, op->join.right_keys, op->join.key_count, rmap, rc_n)) != 0 ||
            (rc = remap(p, &op->join.residual, jmap, lc + rc_n)) != 0)
            return rc;
    }
    bool semi = n == lc && keyed;
    uint32_t nn = semi ? nlc : nlc + nrc;
    tn_plan_column *cols = tn_arena_alloc(p->arena, (nn + 1) * sizeof *cols);
    if (!cols) return TN_ENOMEM;
    memcpy(cols, op->children[0]->columns, nlc * sizeof *cols);
    if (!semi) memcpy(cols + nlc, op->children[1]->columns, nrc * sizeof *cols);
    op->columns = cols;
    op->column_count = nn;
    *map_out = jmap;
    return 0;
}

static int prune_root(void *ctx, tn_plan_op **root)
{
    uint32_t *map;
    return prune(ctx, root, NULL, &map);
}

/* WINDOW: the child's columns, then one per function. The child keeps what is needed above
 * and what the functions read; the functions' column numbers follow the child's new layout. */
static int prune_window(pruner *p, tn_plan_op *op, const uint8_t *needed, uint32_t **map_out)
{
    uint32_t fc = op->window.func_count, cn = op->column_count - fc;
    uint8_t *cneed = need_buf(p, cn);
    if (!cneed) return TN_ENOMEM;
    for (uint32_t i = 0; i < cn; i++) cneed[i] = needed ? needed[i] : 1;
    for (uint32_t k = 0; k < fc; k++) {
        const tn_plan_window_func *f = &op->window.funcs[k];
        if (f->arg >= 0) cneed[f->arg] = 1;
        if (f->default_value >= 0) cneed[f->default_value] = 1;
        for (uint32_t i = 0; i < f->partition_count; i++) cneed[f->partition[i]] = 1;
        for (uint32_t i = 0; i < f->order_count; i++) cneed[f->order[i].column] = 1;
    }
    uint32_t *cmap;
    int rc = prune(p, &op->children[0], cneed, &cmap);
    if (rc) return rc;
    const tn_plan_op *c = op->children[0];
    tn_plan_window_func *funcs = tn_arena_alloc(p->arena, (fc + 1) * sizeof *funcs);
    tn_plan_column *cols = tn_arena_alloc(p->arena, (c->column_count + fc + 1) * sizeof *cols);
    uint32_t *map = tn_arena_alloc(p->arena, (op->column_count + 1) * sizeof *map);
    if (!funcs || !cols || !map) return TN_ENOMEM;
    for (uint32_t k = 0; k < fc; k++) {
        tn_plan_window_func *f = &funcs[k];
        *f = op->window.funcs[k];
        if (f->arg >= 0) f->arg = (int32_t)cmap[f->arg];
        if (f->default_value >= 0) f->default_value = (int32_t)cmap[f->default_value];
        uint32_t *part = tn_arena_alloc(p->arena, (f->partition_count + 1) * sizeof *part);
        tn_plan_window_order *ord = tn_arena_alloc(p->arena, (f->order_count + 1) * sizeof *ord);
        if (!part || !ord) return TN_ENOMEM;
        for (uint32_t i = 0; i < f->partition_count; i++) part[i] = cmap[f->partition[i]];
        for (uint32_t i = 0; i < f->order_count; i++) {
            ord[i] = f->order[i];
            ord[i].column = cmap[f->order[i].column];
        }
        f->partition = part;
        f->order = ord;
        cols[c->column_count + k] = op->columns[cn + k];
    }
    memcpy(cols, c->columns, c->column_count * sizeof *cols);
    for (uint32_t i = 0; i < cn; i++) map[i] = cmap[i];
    for (uint32_t k = 0; k < fc; k++) map[cn + k] = c->column_count + k;
    op->window.funcs = funcs;
    op->columns = cols;
    op->column_count = c->column_count + fc;
    *map_out = map;
    return 0;
}

static int prune(pruner *p, tn_plan_op **slot, const uint8_t *needed, uint32_t **map_out)
{
    tn_plan_op *op = *slot;
    uint32_t n = op->column_count;
    uint32_t *cmap = NULL;
    uint8_t *cneed;
    int rc = 0;
    switch (op->kind) {
    case TN_PLAN_SCAN:
        rc = prune_scan(p, op, needed, map_out);
        break;
    case TN_PLAN_PROJECT:
        rc = prune_project(p, slot, needed, map_out);
        break;
    case TN_PLAN_AGGREGATE:
        rc = prune_aggregate(p, op, map_out);
        break;
    case TN_PLAN_WINDOW:
        rc = prune_window(p, op, needed, map_out);
        break;
    case TN_PLAN_JOIN:
    case TN_PLAN_CROSS:
        rc = prune_join(p, op, needed, map_out);
        break;
    case TN_PLAN_FILTER:
    case TN_PLAN_SORT:
    case TN_PLAN_LIMIT: {
        /* pass-through operators: their own expressions read the same layout */
        if (!(cneed = need_buf(p, n))) return TN_ENOMEM;
        bool ok = needed != NULL;
        for (uint32_t i = 0; ok && i < n; i++) cneed[i] = needed[i];
        if (ok && op->kind == TN_PLAN_FILTER)
            ok = tn_opt_expr_columns(op->filter.condition, cneed, n);
        for (uint32_t k = 0; ok && op->kind == TN_PLAN_SORT && k < op->sort.key_count; k++)
            ok = tn_opt_expr_columns(op->sort.keys[k].expr, cneed, n);
        if ((rc = prune(p, &op->children[0], ok ? cneed : NULL, &cmap)) != 0) return rc;
        if (op->kind == TN_PLAN_FILTER) rc = remap(p, &op->filter.condition, cmap, n);
        for (uint32_t k = 0; rc == 0 && op->kind == TN_PLAN_SORT && k < op->sort.key_count; k++)
            rc = remap(p, &op->sort.keys[k].expr, cmap, n);
        if (rc == 0) rc = pass_columns(p, op);
        *map_out = cmap;
        break;
    }
    default:
        /* set operations, VALUES, CTEs: positional layouts, kept whole */
        for (uint32_t i = 0; i < op->child_count && rc == 0; i++)
            rc = prune(p, &op->children[i], NULL, &cmap);
        if (rc == 0 && op->kind == TN_PLAN_CTE_REF && op->cte_ref.query)
            rc = prune(p, &op->cte_ref.query, NULL, &cmap);
        *map_out = identity_map(p, n);
        if (!*map_out) rc = TN_ENOMEM;
        break;
    }
    if (rc) return rc;
    return tn_opt_for_each_subplan(*slot, prune_root, p);
}

int tn_opt_prune_columns(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err)
{
    pruner p = {arena, plan};
    int rc = prune_root(&p, root);
    if (rc) return tn_error_set(err, rc, "out of memory while pruning columns");
    return 0;
}
