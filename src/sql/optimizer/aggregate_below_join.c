/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule: an aggregate over a join of a large input with a small one, grouped only by columns of
 * the small (build) side and aggregating only the large (probe) side, is computed in two
 * steps: the probe side is first aggregated by its join keys (a few integer keys, where
 * grouping is cheap), then the join matches the far fewer partial rows and the aggregate
 * above combines them by the original groups:
 *
 *   AGG[g(R)] f(x(L))  (L JOIN R ON a = b)
 *     =>  AGG[g(R)] f'(p)  (AGG[a] f(x) AS p (L) JOIN R ON a = b)
 *
 * with f' = SUM for COUNT(*), COUNT and SUM (integer partial sums as DECIMAL(38,0), so that
 * only the total must fit a BIGINT), and f' = f for MIN and MAX. This is exact for
 * an INNER join without a residual: every probe row of one key value meets the same build
 * rows, so its contribution to each group is the same whether added row by row or as the
 * key's partial (sums of DOUBLE values are only added in another order, as parallel
 * aggregation already does). The star schema's "fact JOIN dimension GROUP BY dimension
 * attributes" is the shape: the join and the grouping by strings then see thousands of
 * partial rows instead of millions of facts.
 *
 * Left alone: DISTINCT, FILTER and AVG aggregates, an aggregate without groups (it must give
 * its row on an empty input), group keys over the probe side, residual conditions, outer
 * joins, and a probe side not clearly larger than the build side (without distinct counts
 * the partial aggregate could find nearly as many keys as rows).
 */
#include "sql/optimizer/optimizer_int.h"

#include <stdio.h>

#define SIZE_RATIO 8 /* the probe side's estimated rows per build row at least */

typedef struct rule {
    tn_arena *arena;
    tn_plan *plan;
} rule;

/* Whether e reads only columns in [lo, hi) of the n input columns (constants pass). */
static bool reads_only(const tn_plan_expr *e, uint32_t n, uint32_t lo, uint32_t hi, uint8_t *used)
{
    memset(used, 0, n);
    if (!tn_opt_expr_columns(e, used, n))
        return false;
    for (uint32_t c = 0; c < n; c++)
        if (used[c] && (c < lo || c >= hi))
            return false;
    return true;
}

static bool applies(const tn_plan_op *agg, uint8_t *used)
{
    const tn_plan_op *j = agg->children[0];
    if (j->kind != TN_PLAN_JOIN || j->join.type != TN_PLAN_JOIN_INNER || j->join.key_count == 0 ||
        j->join.residual || agg->aggregate.group_count == 0 || agg->aggregate.agg_count == 0)
        return false;
    const tn_plan_op *l = j->children[0], *r = j->children[1];
    uint32_t lc = l->column_count, n = j->column_count;
    if (n != lc + r->column_count || l->estimated_rows < 0 || r->estimated_rows < 0 ||
        l->estimated_rows < SIZE_RATIO * (r->estimated_rows > 1 ? r->estimated_rows : 1))
        return false;
    for (uint32_t g = 0; g < agg->aggregate.group_count; g++)
        if (!reads_only(agg->aggregate.groups[g], n, lc, n, used))
            return false;
    for (uint32_t a = 0; a < agg->aggregate.agg_count; a++) {
        const tn_plan_agg *x = &agg->aggregate.aggs[a];
        if (x->distinct || x->filter || x->kind == TN_PLAN_AGG_AVG)
            return false;
        if (x->arg && !reads_only(x->arg, n, 0, lc, used))
            return false;
    }
    return true;
}

static int rewrite_one(rule *r, tn_plan_op *agg)
{
    tn_plan_op *j = agg->children[0], *l = j->children[0], *right = j->children[1];
    uint32_t keys = j->join.key_count, aggs = agg->aggregate.agg_count;
    uint32_t lc = l->column_count, rc = right->column_count;
    /* the partial aggregate of the probe side by its join keys */
    tn_plan_op *part = tn_plan_op_new(r->arena, TN_PLAN_AGGREGATE, keys + aggs);
    tn_plan_op *nj = tn_plan_op_new(r->arena, TN_PLAN_JOIN, keys + aggs + rc);
    uint32_t *map = tn_arena_calloc(r->arena, (lc + rc + 1) * sizeof *map);
    if (!part || !nj || !map)
        return TN_ENOMEM;
    part->aggregate.groups = j->join.left_keys;
    part->aggregate.group_count = keys;
    part->aggregate.aggs = tn_arena_calloc(r->arena, aggs * sizeof *part->aggregate.aggs);
    nj->join.left_keys = tn_arena_alloc(r->arena, keys * sizeof *nj->join.left_keys);
    if (!part->aggregate.aggs || !nj->join.left_keys)
        return TN_ENOMEM;
    part->aggregate.agg_count = aggs;
    for (uint32_t k = 0; k < keys; k++) {
        tn_plan_column *col = &part->columns[k];
        char name[32];
        snprintf(name, sizeof name, "key%u", k + 1);
        if (!(col->name = tn_arena_strdup(r->arena, name)))
            return TN_ENOMEM;
        col->type = j->join.left_keys[k]->type;
        col->nullable = true;
        if (!(nj->join.left_keys[k] = tn_opt_column(r->arena, r->plan, k, col->type)))
            return TN_ENOMEM;
    }
    for (uint32_t a = 0; a < aggs; a++) {
        tn_plan_agg *x = &agg->aggregate.aggs[a], *p = &part->aggregate.aggs[a];
        *p = *x; /* the argument reads the join's left columns: the same indexes in l */
        if (p->kind == TN_PLAN_AGG_SUM && p->type.id == TN_TYPE_BIGINT)
            /* integer partial sums stay exact past BIGINT: only the total must fit, as when
             * summed in one step */
            p->type = tn_type_decimal(38, 0);
        tn_plan_column *col = &part->columns[keys + a];
        char name[32];
        snprintf(name, sizeof name, "partial%u", a + 1);
        if (!(col->name = tn_arena_strdup(r->arena, name)))
            return TN_ENOMEM;
        col->type = p->type;
        col->nullable = true;
        /* the combining aggregate over the partial column */
        x->arg = tn_opt_column(r->arena, r->plan, keys + a, p->type);
        if (!x->arg)
            return TN_ENOMEM;
        if (x->kind != TN_PLAN_AGG_MIN && x->kind != TN_PLAN_AGG_MAX)
            x->kind = TN_PLAN_AGG_SUM; /* COUNT's BIGINT sums to BIGINT, SUM's type to itself */
    }
    part->children[0] = l;
    part->child_count = 1;
    /* at most one partial row per build key when the keys are unique; a guess otherwise */
    part->estimated_rows = right->estimated_rows < l->estimated_rows ? right->estimated_rows
                                                                     : l->estimated_rows;
    for (uint32_t c = 0; c < keys + aggs; c++)
        nj->columns[c] = part->columns[c];
    for (uint32_t c = 0; c < rc; c++) {
        nj->columns[keys + aggs + c] = right->columns[c];
        map[lc + c] = keys + aggs + c;
    }
    nj->join.type = TN_PLAN_JOIN_INNER;
    nj->join.right_keys = j->join.right_keys;
    nj->join.key_count = keys;
    nj->children[0] = part;
    nj->children[1] = right;
    nj->child_count = 2;
    nj->estimated_rows = part->estimated_rows;
    for (uint32_t g = 0; g < agg->aggregate.group_count; g++) {
        tn_plan_expr *e = tn_opt_expr_remap(r->arena, r->plan, agg->aggregate.groups[g], map);
        if (!e)
            return TN_ENOMEM;
        agg->aggregate.groups[g] = e;
    }
    agg->children[0] = nj;
    return 0;
}

static int rewrite(void *ctx, tn_plan_op **slot)
{
    rule *r = ctx;
    tn_plan_op *op = *slot;
    int rc = 0;
    for (uint32_t i = 0; i < op->child_count && rc == 0; i++)
        rc = rewrite(r, &op->children[i]);
    if (rc == 0 && op->kind == TN_PLAN_CTE_REF && op->cte_ref.query)
        rc = rewrite(r, &op->cte_ref.query);
    if (rc == 0)
        rc = tn_opt_for_each_subplan(op, rewrite, r);
    if (rc || op->kind != TN_PLAN_AGGREGATE || op->child_count != 1)
        return rc;
    const tn_plan_op *j = op->children[0];
    if (j->kind != TN_PLAN_JOIN)
        return 0;
    uint8_t *used = tn_arena_alloc(r->arena, j->column_count + 1);
    if (!used)
        return TN_ENOMEM;
    return applies(op, used) ? rewrite_one(r, op) : 0;
}

int tn_opt_aggregate_below_join(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err)
{
    rule r = {arena, plan};
    int rc = rewrite(&r, root);
    if (rc)
        return tn_error_set(err, rc, "out of memory while aggregating below a join");
    return 0;
}
