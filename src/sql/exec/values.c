/* SPDX-License-Identifier: Apache-2.0
 *
 * VALUES: evaluates each row's expressions (constants after folding, but any expression
 * without column references works) into dense batches.
 */
#include "sql/sql_int.h"

typedef struct values_state {
    tn_exec_op op;
    tn_batch *batch;
    uint32_t next_row;
    tn_batch empty; /* the one-row, zero-column input the expressions are evaluated over */
} values_state;

static int values_next(tn_exec_op *op, tn_exec_chunk *out)
{
    values_state *s = (values_state *)op;
    tn_plan_op *plan = op->plan;
    if (s->next_row >= plan->values.row_count) {
        out->batch = NULL;
        out->count = 0;
        return 0;
    }
    tn_batch_reset(s->batch);
    uint32_t n = 0;
    while (s->next_row < plan->values.row_count && n < TN_BATCH_ROWS) {
        tn_plan_expr **row = plan->values.rows[s->next_row++];
        for (uint32_t c = 0; c < plan->column_count; c++) {
            tn_exec_arg a;
            int rc = tn_exec_eval_const(&op->ctx->eval, &s->empty, row[c], &a);
            if (rc)
                return rc;
            rc = tn_exec_gather(&s->batch->columns[c], n, a.vec, a.sel, 1);
            if (rc)
                return tn_error_set(op->ctx->err, rc, "%s", tn_strerror(rc));
        }
        n++;
    }
    s->batch->row_count = n;
    out->batch = s->batch;
    out->sel = tn_exec_identity;
    out->count = n;
    return 0;
}

static void values_close(tn_exec_op *op)
{
    values_state *s = (values_state *)op;
    tn_batch_free(s->batch);
    tn_exec_const_input_free(&s->empty);
}

int tn_exec_values_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    values_state *s = tn_calloc(1, sizeof *s);
    if (!s)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    s->op.next = values_next;
    s->op.close = values_close;
    s->op.plan = plan;
    s->op.ctx = ctx;
    *out = &s->op;
    tn_schema *schema = tn_exec_schema(plan);
    s->batch = schema ? tn_batch_new(schema, TN_BATCH_ROWS) : NULL;
    tn_schema_unref(schema);
    if (!s->batch || tn_exec_const_input_init(&s->empty) != 0)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    return 0;
}
