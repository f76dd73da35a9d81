/* SPDX-License-Identifier: Apache-2.0
 *
 * ORDER BY: materialises the child's rows and the evaluated sort keys side by side (row r of
 * both is in batch r / TN_BATCH_ROWS), sorts row numbers by the keys (ASC/DESC, NULLS
 * FIRST/LAST as resolved by the binder; a stable merge sort keeps ties in input order), and
 * emits the rows in that order.
 *
 * With a parallel input each worker gathers the rows of its morsels into a run of its own,
 * noting each row's morsel number; the runs are sorted at once on the pool and merged while
 * emitting. Ties go to the lower morsel number, which is the order a serial scan would have
 * read them in, so the output is the same as with one thread.
 */
#include "sql/sql_int.h"
#include "sql/exec/sort_stable.h"

/* Rows gathered by one thread, their keys, and the sorted order. */
typedef struct sort_run {
    tn_exec_rows rows;
    tn_exec_rows keys;
    tn_batch *key_batch;  /* a chunk's keys, dense */
    int64_t *seq;         /* parallel runs: each row's morsel number */
    size_t seq_cap;
    uint32_t *order;
    int64_t pos;          /* next row of order to emit */
    tn_exec_ctx *ctx;     /* whose evaluator computes the keys */
    const tn_plan_sort_key *sort_keys; /* the ORDER BY keys that order the rows */
    uint32_t sort_key_count;
} sort_run;

typedef struct sort_state {
    tn_exec_op op;
    tn_schema *key_schema;
    tn_schema *row_schema;
    sort_run *runs;
    int run_count;
    bool done;
    int64_t order_bytes;
    tn_batch *out;
} sort_state;

static int compare_rows(const sort_run *x, uint32_t a, const sort_run *y, uint32_t b)
{
    const tn_batch *ba = x->keys.batches[a / TN_BATCH_ROWS];
    const tn_batch *bb = y->keys.batches[b / TN_BATCH_ROWS];
    uint32_t ra = a % TN_BATCH_ROWS, rb = b % TN_BATCH_ROWS;
    const tn_plan_sort_key *keys = x->sort_keys;
    uint32_t key_count = x->sort_key_count;
    for (uint32_t k = 0; k < key_count; k++) {
        const tn_plan_sort_key *key = &keys[k];
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

/* Compares rows a and b of one run (ctx): the order tn_exec_sort_stable sorts a run in. */
static int compare_in_run(const void *ctx, uint32_t a, uint32_t b)
{
    const sort_run *run = ctx;
    return compare_rows(run, a, run, b);
}

static int run_init(sort_state *s, sort_run *run, tn_exec_ctx *ctx)
{
    run->ctx = ctx;
    run->sort_keys = s->op.plan->sort.keys;
    run->sort_key_count = s->op.plan->sort.key_count;
    tn_exec_rows_init(&run->rows, s->row_schema);
    tn_exec_rows_init(&run->keys, s->key_schema);
    run->key_batch = tn_batch_new(s->key_schema, TN_BATCH_ROWS);
    if (!run->key_batch)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    return 0;
}

static void run_free(sort_state *s, sort_run *run)
{
    tn_exec_rows_free(&run->rows);
    tn_exec_rows_free(&run->keys);
    tn_batch_free(run->key_batch);
    if (run->seq_cap)
        tn_exec_memory_add(s->op.ctx, -(int64_t)run->seq_cap * 8);
    tn_free(run->seq);
    tn_free(run->order);
}

/* Appends a chunk's rows and evaluated keys to a run. */
static int run_append(const tn_plan_op *plan, sort_run *run, const tn_exec_chunk *in)
{
    tn_exec_ctx *ctx = run->ctx;
    int rc;
    if ((rc = tn_exec_rows_append(ctx, &run->rows, in)) != 0)
        return rc;
    tn_batch_reset(run->key_batch);
    for (uint32_t k = 0; k < plan->sort.key_count; k++) {
        tn_exec_arg a;
        if ((rc = tn_exec_eval_expr(&ctx->eval, plan->sort.keys[k].expr, in, &a)) != 0)
            return rc;
        if ((rc = tn_exec_gather(&run->key_batch->columns[k], 0, a.vec, a.sel, in->count)) != 0)
            return tn_error_set(ctx->err, rc, "out of memory");
    }
    run->key_batch->row_count = in->count;
    tn_exec_chunk kc = {run->key_batch, tn_exec_identity, in->count};
    return tn_exec_rows_append(ctx, &run->keys, &kc);
}

static int run_sink(void *arg, tn_exec_ctx *wctx, const tn_exec_chunk *chunk)
{
    sort_state *s = arg;
    sort_run *run = &s->runs[wctx->worker_idx];
    int rc;
    if (!run->ctx && (rc = run_init(s, run, wctx)) != 0)
        return rc;
    size_t need = (size_t)run->rows.row_count + chunk->count;
    if (need > run->seq_cap) {
        size_t cap = run->seq_cap ? run->seq_cap * 2 : 4096;
        while (cap < need)
            cap *= 2;
        int64_t *n = tn_realloc(run->seq, cap * sizeof *n);
        if (!n)
            return tn_error_set(wctx->err, TN_ENOMEM, "out of memory");
        if ((rc = tn_exec_memory_add(wctx, (int64_t)(cap - run->seq_cap) * 8)) != 0) {
            run->seq = n;
            return rc;
        }
        run->seq = n;
        run->seq_cap = cap;
    }
    for (uint32_t i = 0; i < chunk->count; i++)
        run->seq[run->rows.row_count + i] = wctx->morsel_seq;
    return run_append(s->op.plan, run, chunk);
}

/* Sorts run task_idx's row numbers (a pool task). */
static void sort_task(void *arg, size_t task_idx, int worker_idx)
{
    (void)worker_idx;
    sort_state *s = arg;
    sort_run *run = &s->runs[task_idx];
    size_t n = (size_t)run->rows.row_count;
    uint32_t *tmp = tn_malloc((n ? n : 1) * sizeof *tmp);
    run->order = tn_malloc((n ? n : 1) * sizeof *run->order);
    if (!tmp || !run->order) {
        tn_free(tmp);
        tn_free(run->order);
        run->order = NULL;
        return;
    }
    for (size_t i = 0; i < n; i++)
        run->order[i] = (uint32_t)i;
    tn_exec_sort_stable(run->order, tmp, n, compare_in_run, run);
    tn_free(tmp);
}

static int gather_input(sort_state *s)
{
    tn_exec_ctx *ctx = s->op.ctx;
    int rc;
    int workers = tn_exec_parallel_workers(ctx, s->op.children[0]);
    s->runs = tn_calloc((size_t)workers, sizeof *s->runs);
    if (!s->runs)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    s->run_count = workers;
    if (workers > 1) {
        rc = tn_exec_parallel_run(ctx, s->op.children[0], workers, run_sink, s);
        for (int w = 0; w < workers; w++)
            s->runs[w].ctx = ctx; /* the workers' contexts are gone */
        if (rc)
            return rc;
    } else {
        if ((rc = run_init(s, &s->runs[0], ctx)) != 0)
            return rc;
        for (;;) {
            tn_exec_chunk in = {0};
            if ((rc = tn_exec_next(s->op.children[0], &in)) != 0)
                return rc;
            if (!in.batch)
                break;
            if ((rc = run_append(s->op.plan, &s->runs[0], &in)) != 0)
                return rc;
        }
    }
    int64_t rows = 0;
    for (int w = 0; w < workers; w++)
        rows += s->runs[w].rows.row_count;
    if (rows > UINT32_MAX)
        return tn_error_set(ctx->err, TN_ELIMIT, "ORDER BY over more than %u rows", UINT32_MAX);
    s->order_bytes = rows * 8;
    if ((rc = tn_exec_memory_add(ctx, s->order_bytes)) != 0)
        return rc;
    tn_pool_run(workers > 1 ? tn_pool_shared() : NULL, (size_t)workers, sort_task, s);
    for (int w = 0; w < workers; w++)
        if (!s->runs[w].order)
            return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    return 0;
}

/* The run whose next row comes first; ties go to the lower morsel (the serial order). */
static sort_run *next_run(sort_state *s)
{
    sort_run *best = NULL;
    for (int w = 0; w < s->run_count; w++) {
        sort_run *run = &s->runs[w];
        if (run->pos >= run->rows.row_count)
            continue;
        if (!best) {
            best = run;
            continue;
        }
        uint32_t a = run->order[run->pos], b = best->order[best->pos];
        int c = compare_rows(run, a, best, b);
        if (c < 0 || (c == 0 && run->seq && run->seq[a] < best->seq[b]))
            best = run;
    }
    return best;
}

static int sort_next(tn_exec_op *op, tn_exec_chunk *out)
{
    sort_state *s = (sort_state *)op;
    tn_plan_op *plan = op->plan;
    tn_exec_ctx *ctx = op->ctx;
    int rc;
    if (!s->done) {
        if ((rc = gather_input(s)) != 0)
            return rc;
        s->done = true;
    }
    tn_batch_reset(s->out);
    uint32_t n = 0;
    sort_run *run;
    while (n < TN_BATCH_ROWS && (run = s->run_count == 1 ? &s->runs[0] : next_run(s)) != NULL &&
           run->pos < run->rows.row_count) {
        uint32_t r = run->order[run->pos++];
        const tn_batch *src = run->rows.batches[r / TN_BATCH_ROWS];
        for (uint32_t c = 0; c < plan->column_count; c++)
            if ((rc = tn_vector_copy_row(&s->out->columns[c], n, &src->columns[c], r % TN_BATCH_ROWS)) != 0)
                return tn_error_set(ctx->err, rc, "%s", tn_strerror(rc));
        n++;
    }
    if (n == 0) {
        out->batch = NULL;
        out->count = 0;
        return 0;
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
    for (int w = 0; s->runs && w < s->run_count; w++)
        run_free(s, &s->runs[w]);
    tn_free(s->runs);
    if (s->order_bytes)
        tn_exec_memory_add(op->ctx, -s->order_bytes);
    tn_batch_free(s->out);
    tn_schema_unref(s->key_schema);
    tn_schema_unref(s->row_schema);
}

int tn_exec_sort_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    sort_state *s = tn_exec_op_alloc(ctx, plan, sizeof *s, sort_next, sort_close, out);
    if (!s)
        return TN_ENOMEM;
    s->row_schema = tn_exec_schema(plan);
    s->key_schema = tn_schema_new();
    if (!s->row_schema || !s->key_schema)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    for (uint32_t k = 0; k < plan->sort.key_count; k++) {
        tn_type t = plan->sort.keys[k].expr->type;
        if (t.id == TN_TYPE_INVALID)
            t = tn_type_make(TN_TYPE_BOOLEAN);
        if (tn_schema_add(s->key_schema, "k", t, true) != 0)
            return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    }
    s->out = tn_batch_new(s->row_schema, TN_BATCH_ROWS);
    if (!s->out)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    return tn_exec_build(ctx, plan->children[0], &s->op.children[0]);
}
