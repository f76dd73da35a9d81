/* SPDX-License-Identifier: Apache-2.0
 *
 * LIMIT/OFFSET: skips and cuts by adjusting the selection; stops pulling once the limit is
 * reached, so upstream scans end early.
 */
#include "sql/sql_int.h"

typedef struct limit_state {
    tn_exec_op op;
    int64_t skipped;
    int64_t emitted;
} limit_state;

static int limit_next(tn_exec_op *op, tn_exec_chunk *out)
{
    limit_state *s = (limit_state *)op;
    int64_t limit = op->plan->limit.limit, offset = op->plan->limit.offset;
    for (;;) {
        if (limit >= 0 && s->emitted >= limit) {
            out->batch = NULL;
            out->count = 0;
            return 0;
        }
        tn_exec_chunk in = {0};
        int rc = tn_exec_next(op->children[0], &in);
        if (rc || !in.batch) {
            *out = in;
            return rc;
        }
        uint32_t start = 0;
        if (s->skipped < offset) {
            int64_t skip = offset - s->skipped;
            if (skip >= in.count) {
                s->skipped += in.count;
                continue;
            }
            start = (uint32_t)skip;
            s->skipped = offset;
        }
        uint32_t count = in.count - start;
        if (limit >= 0 && (int64_t)count > limit - s->emitted)
            count = (uint32_t)(limit - s->emitted);
        s->emitted += count;
        out->batch = in.batch;
        out->sel = in.sel + start;
        out->count = count;
        if (count)
            return 0;
    }
}

int tn_exec_limit_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    limit_state *s = tn_exec_op_alloc(ctx, plan, sizeof *s, limit_next, NULL, out);
    if (!s)
        return TN_ENOMEM;
    return tn_exec_build(ctx, plan->children[0], &s->op.children[0]);
}
