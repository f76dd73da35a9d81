/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule: filters move down. A filter directly over a scan becomes the scan's pushed filters
 * (the scan applies them and prunes Parquet row groups/pages with the simple ones); a filter
 * over an outer join filters the preserved side first where it can; a join's
 * residual (and a filter over a cross product) gives up its `left = right` conjuncts as hash
 * keys, so comma joins and ON conditions run as hash joins.
 */
#include "sql/optimizer/optimizer_int.h"

/* Which side a conjunct's columns come from: bit 0 left, bit 1 right, 4 = other. */
static int sides(const tn_plan_expr *e, uint32_t left_cols)
{
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST:
        return 0;
    case TN_PLAN_EXPR_COLUMN:
        return e->column < left_cols ? 1 : 2;
    case TN_PLAN_EXPR_CALL: {
        int s = 0;
        for (uint32_t i = 0; i < e->call.arg_count; i++) s |= sides(e->call.args[i], left_cols);
        return s;
    }
    case TN_PLAN_EXPR_CAST:
        return sides(e->cast.operand, left_cols);
    case TN_PLAN_EXPR_NOT:
        return sides(e->unary.operand, left_cols);
    case TN_PLAN_EXPR_IS_NULL:
        return sides(e->is_null.operand, left_cols);
    case TN_PLAN_EXPR_COMPARE:
        return sides(e->compare.left, left_cols) | sides(e->compare.right, left_cols);
    default:
        return 4;
    }
}

/* Rewrites column indexes by -offset (right side expressions). */
static void shift(tn_plan_expr *e, uint32_t offset)
{
    switch (e->kind) {
    case TN_PLAN_EXPR_COLUMN:
        e->column -= offset;
        break;
    case TN_PLAN_EXPR_CALL:
        for (uint32_t i = 0; i < e->call.arg_count; i++) shift(e->call.args[i], offset);
        break;
    case TN_PLAN_EXPR_CAST:
        shift(e->cast.operand, offset);
        break;
    case TN_PLAN_EXPR_NOT:
        shift(e->unary.operand, offset);
        break;
    case TN_PLAN_EXPR_IS_NULL:
        shift(e->is_null.operand, offset);
        break;
    case TN_PLAN_EXPR_COMPARE:
        shift(e->compare.left, offset);
        shift(e->compare.right, offset);
        break;
    default:
        break;
    }
}

/* Moves equality conjuncts of cond between the two sides into the join's keys; returns the
 * remaining condition (or NULL). */
static int extract_keys(tn_arena *arena, tn_plan_op *j, tn_plan_expr *cond, tn_plan_expr **rest)
{
    tn_plan_expr **conj = &cond;
    uint32_t n = 1;
    if (cond->kind == TN_PLAN_EXPR_AND) {
        conj = cond->logical.operands;
        n = cond->logical.count;
    }
    uint32_t lc = j->children[0]->column_count;
    tn_plan_expr **lk = tn_arena_calloc(arena, (n + j->join.key_count + 1) * sizeof *lk);
    tn_plan_expr **rk = tn_arena_calloc(arena, (n + j->join.key_count + 1) * sizeof *rk);
    tn_plan_expr **left = tn_arena_calloc(arena, (n + 1) * sizeof *left);
    if (!lk || !rk || !left) return TN_ENOMEM;
    uint32_t k = j->join.key_count, m = 0;
    if (k) {
        memcpy(lk, j->join.left_keys, k * sizeof *lk);
        memcpy(rk, j->join.right_keys, k * sizeof *rk);
    }
    for (uint32_t i = 0; i < n; i++) {
        tn_plan_expr *c = conj[i];
        if (c->kind == TN_PLAN_EXPR_COMPARE && c->compare.op == TN_PLAN_CMP_EQ) {
            int a = sides(c->compare.left, lc), b = sides(c->compare.right, lc);
            if (a == 1 && b == 2) {
                lk[k] = c->compare.left;
                shift(c->compare.right, lc);
                rk[k++] = c->compare.right;
                continue;
            }
            if (a == 2 && b == 1) {
                lk[k] = c->compare.right;
                shift(c->compare.left, lc);
                rk[k++] = c->compare.left;
                continue;
            }
        }
        left[m++] = c;
    }
    j->join.left_keys = lk;
    j->join.right_keys = rk;
    j->join.key_count = k;
    if (m == 0) {
        *rest = NULL;
    } else if (m == 1) {
        *rest = left[0];
    } else if (cond->kind == TN_PLAN_EXPR_AND) {
        cond->logical.operands = left;
        cond->logical.count = m;
        *rest = cond;
    } else {
        *rest = left[0];
    }
    return 0;
}

/* A filter over an outer, semi or anti join: conjuncts that read only the side whose rows
 * are kept as they are (the left of LEFT/SEMI/ANTI, the right of RIGHT) filter that side
 * first. (Inner joins are handled by join_order.c; FULL keeps both sides and moves nothing.) */
int tn_opt_filter_through_outer_join(tn_arena *arena, tn_plan *plan, tn_plan_op **slot)
{
    tn_plan_op *f = *slot, *j = f->children[0];
    tn_plan_join_type t = j->join.type;
    if (t == TN_PLAN_JOIN_INNER || t == TN_PLAN_JOIN_FULL) return 0;
    int side = t == TN_PLAN_JOIN_RIGHT ? 1 : 0;
    uint32_t lc = j->children[0]->column_count, n = f->column_count;
    uint32_t lo = side ? lc : 0, hi = side ? j->column_count : lc;
    tn_plan_expr **conj;
    int count = tn_opt_conjuncts(arena, f->filter.condition, &conj);
    uint8_t *used = tn_arena_alloc(arena, n + 1);
    uint32_t *map = tn_arena_alloc(arena, (n + 1) * sizeof *map);
    tn_plan_expr **down = tn_arena_alloc(arena, ((uint32_t)count + 1) * sizeof *down);
    tn_plan_expr **stay = tn_arena_alloc(arena, ((uint32_t)count + 1) * sizeof *stay);
    if (count < 0 || !used || !map || !down || !stay) return TN_ENOMEM;
    for (uint32_t i = 0; i < n; i++) map[i] = i >= lo ? i - lo : 0;
    uint32_t nd = 0, ns = 0;
    for (int c = 0; c < count; c++) {
        memset(used, 0, n + 1);
        bool movable = tn_opt_expr_columns(conj[c], used, n);
        for (uint32_t i = 0; movable && i < n; i++) movable = !used[i] || (i >= lo && i < hi);
        if (!movable) {
            stay[ns++] = conj[c];
            continue;
        }
        if (!(down[nd++] = side ? tn_opt_expr_remap(arena, plan, conj[c], map) : conj[c]))
            return TN_ENOMEM;
    }
    if (nd == 0) return 0;
    tn_plan_op *child = j->children[side];
    tn_plan_op *nf = tn_plan_op_new(arena, TN_PLAN_FILTER, child->column_count);
    if (!nf) return TN_ENOMEM;
    memcpy(nf->columns, child->columns, child->column_count * sizeof *nf->columns);
    nf->children[0] = child;
    nf->child_count = 1;
    nf->estimated_rows = child->estimated_rows;
    if (!(nf->filter.condition = tn_opt_and(arena, plan, down, nd))) return TN_ENOMEM;
    j->children[side] = nf;
    if (ns == 0) {
        *slot = j;
        return 0;
    }
    if (!(f->filter.condition = tn_opt_and(arena, plan, stay, ns))) return TN_ENOMEM;
    return 0;
}

static int push(tn_arena *arena, tn_plan *plan, tn_plan_op **slot, tn_error *err)
{
    tn_plan_op *op = *slot;
    int rc;
    if (op->kind == TN_PLAN_FILTER && op->children[0]->kind == TN_PLAN_CROSS) {
        /* a WHERE over a comma join: make it an inner join with keys */
        tn_plan_op *c = op->children[0];
        c->kind = TN_PLAN_JOIN;
        memset(&c->join, 0, sizeof c->join);
        c->join.type = TN_PLAN_JOIN_INNER;
        tn_plan_expr *rest;
        if ((rc = extract_keys(arena, c, op->filter.condition, &rest)) != 0)
            return tn_error_set(err, rc, "out of memory");
        if (c->join.key_count == 0) {
            c->kind = TN_PLAN_CROSS;
        } else if (rest) {
            op->filter.condition = rest;
        } else {
            *slot = c;
            op = c;
        }
    }
    if (op->kind == TN_PLAN_JOIN && op->join.residual && op->join.key_count == 0) {
        tn_plan_expr *rest;
        if ((rc = extract_keys(arena, op, op->join.residual, &rest)) != 0)
            return tn_error_set(err, rc, "out of memory");
        op->join.residual = rest;
    }
    if (op->kind == TN_PLAN_FILTER && op->children[0]->kind == TN_PLAN_JOIN &&
        (rc = tn_opt_filter_through_outer_join(arena, plan, slot)) != 0)
        return tn_error_set(err, rc, "out of memory");
    op = *slot;
    if (op->kind == TN_PLAN_FILTER && op->children[0]->kind == TN_PLAN_SCAN) {
        tn_plan_op *s = op->children[0];
        tn_plan_expr *cond = op->filter.condition;
        uint32_t n = cond->kind == TN_PLAN_EXPR_AND ? cond->logical.count : 1;
        tn_plan_expr **f = tn_arena_calloc(arena, (s->scan.filter_count + n + 1) * sizeof *f);
        if (!f) return tn_error_set(err, TN_ENOMEM, "out of memory");
        if (s->scan.filter_count) memcpy(f, s->scan.filters, s->scan.filter_count * sizeof *f);
        for (uint32_t i = 0; i < n; i++)
            f[s->scan.filter_count + i] =
                cond->kind == TN_PLAN_EXPR_AND ? cond->logical.operands[i] : cond;
        s->scan.filters = f;
        s->scan.filter_count += n;
        if (op->estimated_rows >= 0 &&
            (s->estimated_rows < 0 || op->estimated_rows < s->estimated_rows))
            s->estimated_rows = op->estimated_rows;
        *slot = s;
        op = s;
    }
    for (uint32_t i = 0; i < op->child_count; i++)
        if ((rc = push(arena, plan, &op->children[i], err)) != 0) return rc;
    return 0;
}

int tn_opt_push_filters(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err)
{
    return push(arena, plan, root, err);
}
