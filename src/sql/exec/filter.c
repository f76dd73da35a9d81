/* SPDX-License-Identifier: Apache-2.0
 *
 * The filter operator: narrows the child's selection vector to the rows where the condition
 * is TRUE (NULL and FALSE are dropped). No row is copied.
 */
#include "sql/sql_int.h"

typedef struct filter_state {
    tn_exec_op op;
    uint32_t sel[TN_BATCH_ROWS];
} filter_state;

static int filter_next(tn_exec_op *op, tn_exec_chunk *out)
{
    filter_state *s = (filter_state *)op;
    for (;;) {
        tn_exec_chunk in = {0};
        int rc = tn_exec_next(op->children[0], &in);
        if (rc || !in.batch) {
            *out = in;
            return rc;
        }
        uint32_t count = 0;
        rc = tn_exec_eval_filter(&op->ctx->eval, op->plan->filter.condition, &in, s->sel, &count);
        if (rc)
            return rc;
        if (count == 0)
            continue;
        out->batch = in.batch;
        out->sel = s->sel;
        out->count = count;
        return 0;
    }
}

int tn_exec_filter_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    filter_state *s = tn_exec_op_alloc(ctx, plan, sizeof *s, filter_next, NULL, out);
    if (!s)
        return TN_ENOMEM;
    return tn_exec_build(ctx, plan->children[0], &s->op.children[0]);
}
