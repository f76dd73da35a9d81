/* SPDX-License-Identifier: Apache-2.0
 *
 * SERIES: range() and generate_series(). The bounds are evaluated once (they read no
 * column); the values are then written a batch at a time, BIGINTs with overflow checked and
 * TIMESTAMPs by adding the interval to the previous value, as PostgreSQL and DuckDB do (a
 * month step from January 31 gives February 29, then March 29).
 */
#include "sql/sql_int.h"
#include "sql/func/func.h"

typedef struct series_state {
    tn_exec_const_source src; /* first: the operator */
    bool started;
    bool done;
    int64_t next;  /* the next value */
    int64_t stop;
} series_state;

static int bound(series_state *s, const tn_plan_expr *e, int64_t *out)
{
    tn_exec_arg a;
    int rc = tn_exec_eval_const(&s->src.op.ctx->eval, &s->src.empty, e, &a);
    if (rc)
        return rc;
    if (!tn_vector_is_valid(a.vec, a.sel[0]))
        return tn_error_set(s->src.op.ctx->err, TN_EINVAL, "%s bounds must not be NULL",
                            s->src.op.plan->columns[0].name);
    *out = tn_vector_i64(a.vec)[a.sel[0]];
    return 0;
}

/* Whether value v is still in the series going in the step's direction. */
static bool before_stop(const series_state *s, int64_t v, bool up)
{
    bool inclusive = s->src.op.plan->series.inclusive;
    return up ? (inclusive ? v <= s->stop : v < s->stop) : (inclusive ? v >= s->stop : v > s->stop);
}

static int series_next(tn_exec_op *op, tn_exec_chunk *out)
{
    series_state *s = (series_state *)op;
    const tn_plan_op *plan = op->plan;
    bool is_time = plan->columns[0].type.id == TN_TYPE_TIMESTAMP;
    int rc;
    if (!s->started) {
        s->started = true;
        if ((rc = bound(s, plan->series.start, &s->next)) != 0 ||
            (rc = bound(s, plan->series.stop, &s->stop)) != 0)
            return rc;
    }
    const tn_plan_interval *iv = &plan->series.step_time;
    /* a timestamp step's direction: its parts' signs (mixed signs go by the larger part) */
    bool up = is_time ? (iv->months ? iv->months > 0 : iv->days ? iv->days > 0 : iv->micros > 0)
                      : plan->series.step > 0;
    tn_batch_reset(s->src.batch);
    int64_t *values = tn_vector_i64(&s->src.batch->columns[0]);
    uint32_t n = 0;
    while (!s->done && n < TN_BATCH_ROWS && before_stop(s, s->next, up)) {
        values[n++] = s->next;
        if (is_time) {
            if (!tn_func_add_interval(s->next, iv->months, iv->days, iv->micros, &s->next))
                s->done = true;
        } else if (__builtin_add_overflow(s->next, plan->series.step, &s->next)) {
            s->done = true;
        }
    }
    if (n == 0) {
        out->batch = NULL;
        out->count = 0;
        return 0;
    }
    s->src.batch->row_count = n;
    out->batch = s->src.batch;
    out->sel = tn_exec_identity;
    out->count = n;
    return 0;
}

int tn_exec_series_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    return tn_exec_const_source_open(ctx, plan, sizeof(series_state), series_next, out);
}
