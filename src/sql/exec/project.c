/* SPDX-License-Identifier: Apache-2.0
 *
 * The projection operator: evaluates one expression per output column over the child's
 * selected rows and emits a dense batch. Plain column references are gathered; computed
 * values are gathered from the evaluator's scratch vectors.
 */
#include "sql/sql_int.h"

typedef struct project_state {
    tn_exec_op op;
    tn_batch *batch;
} project_state;

static int project_next(tn_exec_op *op, tn_exec_chunk *out)
{
    project_state *s = (project_state *)op;
    tn_exec_chunk in = {0};
    int rc = tn_exec_next(op->children[0], &in);
    if (rc || !in.batch) {
        *out = in;
        return rc;
    }
    tn_batch_reset(s->batch);
    for (uint32_t c = 0; c < op->plan->column_count; c++) {
        tn_exec_arg a;
        if ((rc = tn_exec_eval_expr(&op->ctx->eval, op->plan->project.exprs[c], &in, &a)) != 0)
            return rc;
        if ((rc = tn_exec_gather(&s->batch->columns[c], 0, a.vec, a.sel, in.count)) != 0)
            return tn_error_set(op->ctx->err, rc, "%s", tn_strerror(rc));
    }
    s->batch->row_count = in.count;
    out->batch = s->batch;
    out->sel = tn_exec_identity;
    out->count = in.count;
    return 0;
}

static void project_close(tn_exec_op *op)
{
    tn_batch_free(((project_state *)op)->batch);
}

int tn_exec_project_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    project_state *s = tn_calloc(1, sizeof *s);
    if (!s)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    s->op.next = project_next;
    s->op.close = project_close;
    s->op.plan = plan;
    s->op.ctx = ctx;
    *out = &s->op;
    tn_schema *schema = tn_exec_schema(plan);
    s->batch = schema ? tn_batch_new(schema, TN_BATCH_ROWS) : NULL;
    tn_schema_unref(schema);
    if (!s->batch)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    return tn_exec_build(ctx, plan->children[0], &s->op.children[0]);
}
