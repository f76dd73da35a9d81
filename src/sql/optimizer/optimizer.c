/* SPDX-License-Identifier: Apache-2.0
 *
 * The optimizer driver: runs the rules in order over a bound plan. Rules live one per file;
 * every rule keeps the plan's meaning (the executor would give the same result without them,
 * only slower):
 *   fold_constants.c   constant sub-expressions evaluated once; TRUE/FALSE logic simplified
 *   join_order.c       inner join regions flattened and rebuilt greedily by estimated sizes
 *   push_filters.c     filters into scans; remaining equalities of joins into hash keys
 *   hive_partitions.c  paths of hive-partitioned files dropped on their partition values
 *   footer_count.c     COUNT(*) of unfiltered Parquet files from their footers' row counts
 *   aggregate_below_join.c  fact JOIN dimension GROUP BY dimension columns: the facts are
 *                      aggregated by their join keys first
 *   distinct_aggregate.c  COUNT, SUM, AVG(DISTINCT x) of one x without GROUP BY as the
 *                      plain aggregates over the distinct values, an aggregate below
 *   prune_columns.c    scans read only the columns used above; reordering projections go
 *   common_subexpressions.c  an expression shared by an aggregate's or a projection's
 *                      expressions computed once, in a projection below
 *   lake_predicates.c  a lake scan's simple filters as pruning predicates for the lake reader
 *   dictionary_columns.c  string columns of file scans that may flow in dictionary form
 */
#include "sql/optimizer/optimizer_int.h"

int tn_optimize(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan, tn_plan_op **root,
                tn_error *err)
{
    int rc;
    if ((rc = tn_opt_fold_constants(engine, arena, plan, root, err)) != 0 ||
        (rc = tn_opt_join_order(arena, plan, root, err)) != 0 ||
        (rc = tn_opt_push_filters(arena, plan, root, err)) != 0 ||
        (rc = tn_opt_hive_partitions(engine, arena, plan, root, err)) != 0 ||
        (rc = tn_opt_footer_count(arena, plan, root, err)) != 0 ||
        (rc = tn_opt_aggregate_below_join(arena, plan, root, err)) != 0 ||
        (rc = tn_opt_distinct_aggregate(arena, plan, root, err)) != 0 ||
        (rc = tn_opt_prune_columns(arena, plan, root, err)) != 0 ||
        (rc = tn_opt_common_subexpressions(arena, plan, root, err)) != 0 ||
        (rc = tn_opt_lake_predicates(arena, plan, root, err)) != 0 ||
        (rc = tn_opt_dictionary_columns(arena, plan, root, err)) != 0)
        return rc;
    return 0;
}
