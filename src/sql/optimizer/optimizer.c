/* SPDX-License-Identifier: Apache-2.0
 *
 * The optimizer driver: runs the rules in order over a bound plan. Rules live one per file
 * (push_filters.c ...). Every rule keeps the plan's meaning; the executor would give the same
 * result without them, only slower.
 */
#include "sql/sql_int.h"

int tn_optimize(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan, tn_plan_op **root,
                tn_error *err)
{
    (void)engine;
    return tn_opt_push_filters(arena, plan, root, err);
}
