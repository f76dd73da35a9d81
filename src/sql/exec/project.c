/* SPDX-License-Identifier: Apache-2.0
 *
 * The projection operator: evaluates one expression per output column over the child's
 * selected rows. When every computed column is fixed-width, the output is a "shell" batch at
 * the input's row positions: plain column references are the input's vectors themselves
 * (nothing copied) and computed values are written at the selected rows' positions, so a
 * projection that mostly passes columns on costs almost nothing. Otherwise (a computed string
 * or boolean, or an input batch larger than ours) it emits a dense batch, gathering every
 * column.
 */
#include "sql/sql_int.h"

typedef struct project_state {
    tn_exec_op op;
    tn_batch *batch; /* dense output, and the computed columns' vectors in shell mode */
    tn_batch shell;  /* shell output: borrowed input vectors and batch's computed ones */
    bool shell_ok;   /* every computed column can be written at row positions */
} project_state;

static bool scatter_type(tn_type t)
{
    size_t w = tn_type_width(t);
    return !tn_type_is_varlen(t) && t.id != TN_TYPE_BOOLEAN && (w == 4 || w == 8 || w == 16);
}

/* dst[pos[i]] = src[sel[i]] for fixed-width types of 4, 8 or 16 bytes, with their nulls. */
static void scatter(tn_vector *dst, const uint32_t *pos, const tn_vector *src,
                    const uint32_t *sel, uint32_t n)
{
    tn_vector_reset(dst);
    switch (tn_type_width(dst->type)) {
    case 4: {
        uint32_t *d = dst->values;
        const uint32_t *s = src->values;
        for (uint32_t i = 0; i < n; i++)
            d[pos[i]] = s[sel[i]];
        break;
    }
    case 8: {
        uint64_t *d = dst->values;
        const uint64_t *s = src->values;
        for (uint32_t i = 0; i < n; i++)
            d[pos[i]] = s[sel[i]];
        break;
    }
    default: { /* 16 bytes: a fixed-size copy the compiler inlines */
        char *d = dst->values;
        const char *s = src->values;
        for (uint32_t i = 0; i < n; i++)
            memcpy(d + (size_t)pos[i] * 16, s + (size_t)sel[i] * 16, 16);
        break;
    }
    }
    if (src->null_count)
        for (uint32_t i = 0; i < n; i++)
            if (!tn_vector_is_valid(src, sel[i]))
                tn_vector_set_null(dst, pos[i]);
}

/* The shell output (see the top of the file). 0, an error code, or 1: take the dense way. */
static int project_shell(project_state *s, const tn_exec_chunk *in, tn_exec_chunk *out)
{
    tn_exec_op *op = &s->op;
    for (uint32_t c = 0; c < op->plan->column_count; c++) {
        const tn_plan_expr *e = op->plan->project.exprs[c];
        tn_exec_arg a;
        int rc = tn_exec_eval_expr(&op->ctx->eval, e, in, &a);
        if (rc)
            return rc;
        if (e->kind == TN_PLAN_EXPR_COLUMN && a.sel == in->sel) {
            s->shell.columns[c] = *a.vec;
            continue;
        }
        if (!scatter_type(e->type))
            return 1; /* a column the evaluator did not hand on as it is: dense instead */
        scatter(&s->batch->columns[c], in->sel, a.vec, a.sel, in->count);
        s->shell.columns[c] = s->batch->columns[c];
    }
    s->shell.row_count = in->batch->row_count;
    s->shell.capacity = in->batch->row_count;
    out->batch = &s->shell;
    out->sel = in->sel;
    out->count = in->count;
    return 0;
}

static int project_next(tn_exec_op *op, tn_exec_chunk *out)
{
    project_state *s = (project_state *)op;
    tn_exec_chunk in = {0};
    int rc = tn_exec_next(op->children[0], &in);
    if (rc || !in.batch) {
        *out = in;
        return rc;
    }
    if (s->shell_ok && in.batch->row_count <= s->batch->capacity &&
        (rc = project_shell(s, &in, out)) != 1)
        return rc;
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
    project_state *s = (project_state *)op;
    tn_batch_free(s->batch);
    tn_free(s->shell.columns);
}

int tn_exec_project_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    project_state *s = tn_exec_op_alloc(ctx, plan, sizeof *s, project_next, project_close, out);
    if (!s)
        return TN_ENOMEM;
    tn_schema *schema = tn_exec_schema(plan);
    s->batch = schema ? tn_batch_new(schema, TN_BATCH_ROWS) : NULL;
    tn_schema_unref(schema);
    uint32_t n = plan->column_count;
    s->shell.columns = tn_calloc(n ? n : 1, sizeof(tn_vector));
    if (!s->batch || !s->shell.columns)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    s->shell.schema = s->batch->schema;
    s->shell_ok = true;
    for (uint32_t c = 0; c < n; c++)
        if (plan->project.exprs[c]->kind != TN_PLAN_EXPR_COLUMN &&
            !scatter_type(plan->project.exprs[c]->type))
            s->shell_ok = false;
    return tn_exec_build(ctx, plan->children[0], &s->op.children[0]);
}
