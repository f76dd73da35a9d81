/* SPDX-License-Identifier: Apache-2.0
 *
 * Set operations. UNION ALL streams the left child then the right (the binder makes both
 * sides' types equal, and plans UNION as UNION ALL under a DISTINCT aggregate). INTERSECT and
 * EXCEPT [ALL] count the right side's rows by serialised key in a hash table, then stream the
 * left side keeping or dropping rows by those counts.
 */
#include "sql/sql_int.h"

typedef struct setop_state {
    tn_exec_op op;
    int side;           /* UNION ALL: which child is being streamed */
    tn_hash *counts;    /* right rows: key -> count */
    tn_hash *emitted;   /* distinct variants: keys already output */
    bool built;
    uint32_t sel[TN_BATCH_ROWS];
} setop_state;

static int row_key(tn_buf *key, const tn_exec_chunk *c, uint32_t i)
{
    tn_buf_clear(key);
    for (uint32_t k = 0; k < c->batch->schema->column_count; k++) {
        int rc = tn_exec_key_append(key, &c->batch->columns[k], c->sel[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static int setop_next(tn_exec_op *op, tn_exec_chunk *out)
{
    setop_state *s = (setop_state *)op;
    tn_plan_op *plan = op->plan;
    int rc;
    if (plan->set_op.op == TN_PLAN_SET_UNION) {
        while (s->side < 2) {
            if ((rc = tn_exec_next(op->children[s->side], out)) != 0)
                return rc;
            if (out->batch)
                return 0;
            s->side++;
        }
        out->batch = NULL;
        out->count = 0;
        return 0;
    }
    tn_buf key = TN_BUF_INIT;
    if (!s->built) {
        s->counts = tn_hash_new(1024);
        s->emitted = tn_hash_new(1024);
        if (!s->counts || !s->emitted)
            return tn_error_set(op->ctx->err, TN_ENOMEM, "out of memory");
        for (;;) {
            tn_exec_chunk in = {0};
            if ((rc = tn_exec_next(op->children[1], &in)) != 0)
                goto fail;
            if (!in.batch)
                break;
            for (uint32_t i = 0; i < in.count; i++) {
                void *v = NULL;
                if ((rc = row_key(&key, &in, i)) != 0)
                    goto oom;
                tn_hash_get(s->counts, key.data, key.len, &v);
                if ((rc = tn_hash_put(s->counts, key.data, key.len, (void *)((uintptr_t)v + 1))) != 0)
                    goto oom;
            }
        }
        s->built = true;
    }
    for (;;) {
        tn_exec_chunk in = {0};
        if ((rc = tn_exec_next(op->children[0], &in)) != 0)
            goto fail;
        if (!in.batch) {
            *out = in;
            break;
        }
        uint32_t m = 0;
        bool intersect = plan->set_op.op == TN_PLAN_SET_INTERSECT;
        for (uint32_t i = 0; i < in.count; i++) {
            void *v = NULL;
            if ((rc = row_key(&key, &in, i)) != 0)
                goto oom;
            uintptr_t cnt = tn_hash_get(s->counts, key.data, key.len, &v) ? (uintptr_t)v : 0;
            bool keep;
            if (plan->set_op.all) {
                if (cnt > 0 && (rc = tn_hash_put(s->counts, key.data, key.len, (void *)(cnt - 1))) != 0)
                    goto oom;
                keep = intersect ? cnt > 0 : cnt == 0;
            } else {
                keep = intersect ? cnt > 0 : cnt == 0;
                if (keep) {
                    if (tn_hash_get(s->emitted, key.data, key.len, NULL))
                        keep = false;
                    else if ((rc = tn_hash_put(s->emitted, key.data, key.len, NULL)) != 0)
                        goto oom;
                }
            }
            if (keep)
                s->sel[m++] = in.sel[i];
        }
        if (m) {
            out->batch = in.batch;
            out->sel = s->sel;
            out->count = m;
            break;
        }
    }
    tn_buf_free(&key);
    return 0;
oom:
    rc = tn_error_set(op->ctx->err, TN_ENOMEM, "out of memory");
fail:
    tn_buf_free(&key);
    return rc;
}

static void setop_close(tn_exec_op *op)
{
    setop_state *s = (setop_state *)op;
    tn_hash_free(s->counts);
    tn_hash_free(s->emitted);
}

int tn_exec_setop_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    setop_state *s = tn_exec_op_alloc(ctx, plan, sizeof *s, setop_next, setop_close, out);
    if (!s)
        return TN_ENOMEM;
    int rc = tn_exec_build(ctx, plan->children[0], &s->op.children[0]);
    if (rc == 0)
        rc = tn_exec_build(ctx, plan->children[1], &s->op.children[1]);
    return rc;
}
