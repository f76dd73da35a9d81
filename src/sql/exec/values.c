/* SPDX-License-Identifier: Apache-2.0
 *
 * VALUES: evaluates each row's expressions (constants after folding, but any expression
 * without column references works) into dense batches.
 */
#include "sql/sql_int.h"

typedef struct values_state {
    tn_exec_const_source src; /* first: the operator */
    uint32_t next_row;
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
    tn_batch_reset(s->src.batch);
    uint32_t n = 0;
    while (s->next_row < plan->values.row_count && n < TN_BATCH_ROWS) {
        tn_plan_expr **row = plan->values.rows[s->next_row++];
        for (uint32_t c = 0; c < plan->column_count; c++) {
            tn_exec_arg a;
            int rc = tn_exec_eval_const(&op->ctx->eval, &s->src.empty, row[c], &a);
            if (rc)
                return rc;
            rc = tn_exec_gather(&s->src.batch->columns[c], n, a.vec, a.sel, 1);
            if (rc)
                return tn_error_set(op->ctx->err, rc, "%s", tn_strerror(rc));
        }
        n++;
    }
    s->src.batch->row_count = n;
    out->batch = s->src.batch;
    out->sel = tn_exec_identity;
    out->count = n;
    return 0;
}

static void const_source_close(tn_exec_op *op)
{
    tn_exec_const_source *s = (tn_exec_const_source *)op;
    tn_batch_free(s->batch);
    tn_exec_const_input_free(&s->empty);
}

int tn_exec_const_source_open(tn_exec_ctx *ctx, tn_plan_op *plan, size_t size,
                              int (*next)(tn_exec_op *, tn_exec_chunk *), tn_exec_op **out)
{
    tn_exec_const_source *s = tn_exec_op_alloc(ctx, plan, size, next, const_source_close, out);
    if (!s)
        return TN_ENOMEM;
    tn_schema *schema = tn_exec_schema(plan);
    s->batch = schema ? tn_batch_new(schema, TN_BATCH_ROWS) : NULL;
    tn_schema_unref(schema);
    if (!s->batch || tn_exec_const_input_init(&s->empty) != 0)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    return 0;
}

int tn_exec_values_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    return tn_exec_const_source_open(ctx, plan, sizeof(values_state), values_next, out);
}
