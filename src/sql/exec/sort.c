/* SPDX-License-Identifier: Apache-2.0
 *
 * ORDER BY: materialises the child's rows and the evaluated sort keys side by side (row r of
 * both is in batch r / TN_BATCH_ROWS), sorts row numbers by the keys (ASC/DESC, NULLS
 * FIRST/LAST as resolved by the binder; a stable merge sort keeps ties in input order), and
 * emits the rows in that order.
 */
#include "sql/sql_int.h"

typedef struct sort_state {
    tn_exec_op op;
    tn_exec_rows rows;
    tn_exec_rows keys;
    tn_schema *key_schema;
    tn_batch *key_batch;
    uint32_t *order;
    int64_t emitted;
    bool done;
    tn_batch *out;
} sort_state;

static int compare_rows(const sort_state *s, uint32_t a, uint32_t b)
{
    const tn_plan_op *plan = s->op.plan;
    const tn_batch *ba = s->keys.batches[a / TN_BATCH_ROWS];
    const tn_batch *bb = s->keys.batches[b / TN_BATCH_ROWS];
    uint32_t ra = a % TN_BATCH_ROWS, rb = b % TN_BATCH_ROWS;
    for (uint32_t k = 0; k < plan->sort.key_count; k++) {
        const tn_plan_sort_key *key = &plan->sort.keys[k];
        const tn_vector *va = &ba->columns[k], *vb = &bb->columns[k];
        bool na = !tn_vector_is_valid(va, ra), nb = !tn_vector_is_valid(vb, rb);
        if (na || nb) {
            if (na && nb)
                continue;
            return (na ? -1 : 1) * (key->nulls_first ? 1 : -1);
        }
        int c = tn_exec_compare_values(va, ra, vb, rb);
        if (c)
            return key->descending ? -c : c;
    }
    return 0;
}

static void merge_sort(const sort_state *s, uint32_t *a, uint32_t *tmp, size_t n)
{
    if (n < 2)
        return;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            uint32_t x = a[i];
            size_t j = i;
            while (j > 0 && compare_rows(s, a[j - 1], x) > 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    merge_sort(s, a, tmp, h);
    merge_sort(s, a + h, tmp, n - h);
    if (compare_rows(s, a[h - 1], a[h]) <= 0)
        return;
    memcpy(tmp, a, h * sizeof *a);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        a[k++] = compare_rows(s, a[j], tmp[i]) < 0 ? a[j++] : tmp[i++];
    while (i < h)
        a[k++] = tmp[i++];
}

static int sort_next(tn_exec_op *op, tn_exec_chunk *out)
{
    sort_state *s = (sort_state *)op;
    tn_plan_op *plan = op->plan;
    tn_exec_ctx *ctx = op->ctx;
    int rc;
    if (!s->done) {
        for (;;) {
            tn_exec_chunk in = {0};
            if ((rc = tn_exec_next(op->children[0], &in)) != 0)
                return rc;
            if (!in.batch)
                break;
            if ((rc = tn_exec_rows_append(ctx, &s->rows, &in)) != 0)
                return rc;
            tn_batch_reset(s->key_batch);
            for (uint32_t k = 0; k < plan->sort.key_count; k++) {
                tn_exec_arg a;
                if ((rc = tn_exec_eval_expr(&ctx->eval, plan->sort.keys[k].expr, &in, &a)) != 0)
                    return rc;
                if ((rc = tn_exec_gather(&s->key_batch->columns[k], 0, a.vec, a.sel, in.count)) != 0)
                    return tn_error_set(ctx->err, rc, "out of memory");
            }
            s->key_batch->row_count = in.count;
            tn_exec_chunk kc = {s->key_batch, tn_exec_identity, in.count};
            if ((rc = tn_exec_rows_append(ctx, &s->keys, &kc)) != 0)
                return rc;
        }
        size_t n = (size_t)s->rows.row_count;
        s->order = tn_malloc((n ? n : 1) * sizeof *s->order);
        uint32_t *tmp = tn_malloc((n ? n : 1) * sizeof *tmp);
        if (!s->order || !tmp) {
            tn_free(tmp);
            return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++)
            s->order[i] = (uint32_t)i;
        merge_sort(s, s->order, tmp, n);
        tn_free(tmp);
        s->done = true;
    }
    if (s->emitted >= s->rows.row_count) {
        out->batch = NULL;
        out->count = 0;
        return 0;
    }
    tn_batch_reset(s->out);
    uint32_t n = 0;
    while (s->emitted < s->rows.row_count && n < TN_BATCH_ROWS) {
        uint32_t r = s->order[s->emitted++];
        const tn_batch *src = s->rows.batches[r / TN_BATCH_ROWS];
        for (uint32_t c = 0; c < plan->column_count; c++)
            if ((rc = tn_vector_copy_row(&s->out->columns[c], n, &src->columns[c], r % TN_BATCH_ROWS)) != 0)
                return tn_error_set(ctx->err, rc, "%s", tn_strerror(rc));
        n++;
    }
    s->out->row_count = n;
    out->batch = s->out;
    out->sel = tn_exec_identity;
    out->count = n;
    return 0;
}

static void sort_close(tn_exec_op *op)
{
    sort_state *s = (sort_state *)op;
    tn_exec_rows_free(&s->rows);
    tn_exec_rows_free(&s->keys);
    tn_batch_free(s->key_batch);
    tn_batch_free(s->out);
    tn_schema_unref(s->key_schema);
    tn_free(s->order);
}

int tn_exec_sort_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    sort_state *s = tn_calloc(1, sizeof *s);
    if (!s)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    s->op.next = sort_next;
    s->op.close = sort_close;
    s->op.plan = plan;
    s->op.ctx = ctx;
    *out = &s->op;
    tn_schema *os = tn_exec_schema(plan);
    s->key_schema = tn_schema_new();
    if (!os || !s->key_schema) {
        tn_schema_unref(os);
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    }
    for (uint32_t k = 0; k < plan->sort.key_count; k++) {
        tn_type t = plan->sort.keys[k].expr->type;
        if (t.id == TN_TYPE_INVALID)
            t = tn_type_make(TN_TYPE_BOOLEAN);
        if (tn_schema_add(s->key_schema, "k", t, true) != 0) {
            tn_schema_unref(os);
            return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
        }
    }
    tn_exec_rows_init(&s->rows, os);
    tn_exec_rows_init(&s->keys, s->key_schema);
    s->out = tn_batch_new(os, TN_BATCH_ROWS);
    s->key_batch = tn_batch_new(s->key_schema, TN_BATCH_ROWS);
    tn_schema_unref(os);
    if (!s->out || !s->key_batch)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    return tn_exec_build(ctx, plan->children[0], &s->op.children[0]);
}
