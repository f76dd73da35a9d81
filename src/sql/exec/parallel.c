/* SPDX-License-Identifier: Apache-2.0
 *
 * Morsel-driven parallel pipelines. A pipeline is the chain of operators below a pipeline
 * breaker: scan -> filter/project -> probe sides of joins. When the breaker (aggregate, sort,
 * join build) asks for it, the pipeline runs on every worker of the core pool: the main
 * thread first builds the hash tables of the joins on the probe path and opens one morsel
 * source per scan (row groups of Parquet files, files of a glob, batches of a memory table,
 * data files of a lake table with their deletes), then each worker builds its own instance
 * of the pipeline's operators over a copy of the context (own error slot, arena and
 * evaluator) and pulls morsels until none is left, handing each chunk to the breaker's sink. The first error stops every worker and becomes the
 * query's error. A query whose root is such a pipeline, with no breaker, runs through the
 * exchange at the end of this file, which keeps the serial order of the rows.
 *
 * Serial sections stay serial: subqueries in expressions (run once per evaluator), RIGHT and
 * FULL joins (they record matches on the build side), lake scans of a single data file, VALUES,
 * and anything under another breaker, which parallelises its own input in turn.
 */
#include "sql/sql_int.h"

#include <pthread.h>

typedef struct shared_entry {
    const tn_plan_op *plan;
    void *value;
} shared_entry;

struct tn_exec_run {
    tn_exec_ctx *main;
    tn_exec_op *input;       /* the main thread's instance of the pipeline (not pulled) */
    tn_exec_sink_fn sink;
    void *arg;
    shared_entry *shared;    /* written before the workers start, then read-only */
    uint32_t shared_count;
    uint32_t shared_cap;
    tn_exec_morsels **morsels;
    uint32_t morsel_count;
    int workers;
    tn_exec_ctx *ctxs;       /* per worker */
    tn_error *errs;          /* per worker */
    tn_arena *arenas;        /* per worker */
    int failed;              /* atomic: first failed worker + 1, 0 = none */
    struct exchange *exchange; /* the exchange the run feeds, or NULL (a breaker's sink) */
};

static bool expr_is_parallel(const tn_plan_expr *e)
{
    if (!e)
        return true;
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST:
    case TN_PLAN_EXPR_COLUMN: return true;
    case TN_PLAN_EXPR_CALL:
        for (uint32_t i = 0; i < e->call.arg_count; i++)
            if (!expr_is_parallel(e->call.args[i]))
                return false;
        return true;
    case TN_PLAN_EXPR_CAST: return expr_is_parallel(e->cast.operand);
    case TN_PLAN_EXPR_CASE:
        for (uint32_t i = 0; i < e->case_expr.when_count; i++)
            if (!expr_is_parallel(e->case_expr.conditions[i]) ||
                !expr_is_parallel(e->case_expr.results[i]))
                return false;
        return expr_is_parallel(e->case_expr.else_result);
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE:
        for (uint32_t i = 0; i < e->logical.count; i++)
            if (!expr_is_parallel(e->logical.operands[i]))
                return false;
        return true;
    case TN_PLAN_EXPR_NOT: return expr_is_parallel(e->unary.operand);
    case TN_PLAN_EXPR_IS_NULL: return expr_is_parallel(e->is_null.operand);
    case TN_PLAN_EXPR_IS_BOOL: return expr_is_parallel(e->is_bool.operand);
    case TN_PLAN_EXPR_COMPARE:
        return expr_is_parallel(e->compare.left) && expr_is_parallel(e->compare.right);
    case TN_PLAN_EXPR_IN_LIST:
        for (uint32_t i = 0; i < e->in_list.count; i++)
            if (!expr_is_parallel(e->in_list.items[i]))
                return false;
        return expr_is_parallel(e->in_list.operand);
    case TN_PLAN_EXPR_SUBQUERY:
    case TN_PLAN_EXPR_EXISTS:
    case TN_PLAN_EXPR_IN_QUERY:
        /* an uncorrelated one runs once before the workers start and they read its rows
         * (tn_exec_eval_subqueries_ahead); a correlated one runs per outer value in the
         * evaluator that meets it, so it stays serial */
        if (e->subquery.param_count)
            return false;
        return e->kind != TN_PLAN_EXPR_IN_QUERY || expr_is_parallel(e->subquery.operand);
    default:
        /* any kind added later is serial until someone checks it is safe */
        return false;
    }
}

static bool exprs_are_parallel(tn_plan_expr *const *exprs, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        if (!expr_is_parallel(exprs[i]))
            return false;
    return true;
}

/* Whether plan is a pipeline whose scan can be split into morsels. */
static bool pipeline_is_parallel(const tn_plan_op *plan)
{
    switch (plan->kind) {
    case TN_PLAN_SCAN:
        return exprs_are_parallel(plan->scan.filters, plan->scan.filter_count);
    case TN_PLAN_FILTER:
        return expr_is_parallel(plan->filter.condition) &&
               pipeline_is_parallel(plan->children[0]);
    case TN_PLAN_PROJECT:
        return exprs_are_parallel(plan->project.exprs, plan->column_count) &&
               pipeline_is_parallel(plan->children[0]);
    case TN_PLAN_JOIN:
        if (plan->join.type == TN_PLAN_JOIN_RIGHT || plan->join.type == TN_PLAN_JOIN_FULL)
            return false;
        if (!exprs_are_parallel(plan->join.left_keys, plan->join.key_count) ||
            !exprs_are_parallel(plan->join.right_keys, plan->join.key_count) ||
            !expr_is_parallel(plan->join.residual))
            return false;
        return pipeline_is_parallel(plan->children[0]);
    case TN_PLAN_CROSS: return pipeline_is_parallel(plan->children[0]);
    case TN_PLAN_CTE_REF: return pipeline_is_parallel(plan->cte_ref.query);
    default: return false;
    }
}

int tn_exec_parallel_workers(tn_exec_ctx *ctx, tn_exec_op *input)
{
    if (ctx->threads <= 1 || ctx->run || !input || !pipeline_is_parallel(input->plan))
        return 1;
    /* down the probe path to the scan, as prepare() goes */
    const tn_exec_op *scan = input;
    while (scan->plan->kind != TN_PLAN_SCAN && scan->children[0])
        scan = scan->children[0];
    return scan->plan->kind != TN_PLAN_SCAN || tn_exec_scan_splits(scan) ? ctx->threads : 1;
}

void *tn_exec_run_shared(const tn_exec_run *run, const tn_plan_op *plan)
{
    for (uint32_t i = 0; run && i < run->shared_count; i++)
        if (run->shared[i].plan == plan)
            return run->shared[i].value;
    return NULL;
}

bool tn_exec_run_stopped(const tn_exec_run *run)
{
    return run && __atomic_load_n(&run->failed, __ATOMIC_RELAXED) != 0;
}

static int share(tn_exec_run *run, const tn_plan_op *plan, void *value)
{
    if (run->shared_count == run->shared_cap) {
        uint32_t cap = run->shared_cap ? run->shared_cap * 2 : 8;
        shared_entry *n = tn_realloc(run->shared, cap * sizeof *n);
        if (!n)
            return tn_error_set(run->main->err, TN_ENOMEM, "out of memory");
        run->shared = n;
        run->shared_cap = cap;
    }
    run->shared[run->shared_count++] = (shared_entry){plan, value};
    return 0;
}

/* Walks the main instance of the pipeline along its probe path: builds joins, opens the
 * scan's morsel source. */
static int prepare(tn_exec_run *run, tn_exec_op *op)
{
    int rc;
    switch (op->plan->kind) {
    case TN_PLAN_SCAN: {
        tn_exec_morsels *m = NULL;
        if ((rc = tn_exec_morsels_new(run->main, op, &m)) != 0)
            return rc;
        tn_exec_morsels **n = tn_realloc(run->morsels, (run->morsel_count + 1) * sizeof *n);
        if (!n) {
            tn_exec_morsels_free(m);
            return tn_error_set(run->main->err, TN_ENOMEM, "out of memory");
        }
        run->morsels = n;
        run->morsels[run->morsel_count++] = m;
        return share(run, op->plan, m);
    }
    case TN_PLAN_JOIN:
    case TN_PLAN_CROSS:
        if ((rc = tn_exec_join_prepare(op)) != 0)
            return rc;
        if ((rc = share(run, op->plan, op)) != 0)
            return rc;
        return prepare(run, op->children[0]);
    default:
        if (!op->children[0])
            return tn_error_set(run->main->err, TN_EINTERNAL, "a pipeline without a scan");
        return prepare(run, op->children[0]);
    }
}

static void exchange_worker_done(struct exchange *x, int worker);

static void fail(tn_exec_run *run, int worker)
{
    int none = 0;
    __atomic_compare_exchange_n(&run->failed, &none, worker + 1, false, __ATOMIC_ACQ_REL,
                                __ATOMIC_RELAXED);
}

static void worker_task(void *arg, size_t task_idx, int pool_worker)
{
    (void)pool_worker;
    tn_exec_run *run = arg;
    int w = (int)task_idx;
    tn_exec_ctx *wctx = &run->ctxs[w];
    tn_exec_ctx *query = run->main;
    /* The copy of the main context was made before the workers started (its memory count is
     * written by every worker while they run). */
    memset(&wctx->eval, 0, sizeof wctx->eval);
    wctx->err = &run->errs[w];
    wctx->arena = &run->arenas[w];
    wctx->main = query;
    wctx->run = run;
    wctx->worker_idx = w;
    if (!run->exchange)
        wctx->morsel_seq = 0; /* an exchange's start at -1, set before they run */
    tn_exec_op *tree = NULL;
    int rc = tn_exec_eval_init(&wctx->eval, wctx);
    if (rc == 0)
        rc = tn_exec_build(wctx, run->input->plan, &tree);
    while (rc == 0 && !__atomic_load_n(&run->failed, __ATOMIC_RELAXED)) {
        tn_exec_chunk chunk = {0};
        if ((rc = tn_exec_next(tree, &chunk)) != 0 || !chunk.batch)
            break;
        rc = run->sink(run->arg, wctx, &chunk);
    }
    if (rc) {
        if (wctx->err->code == 0)
            tn_error_set(wctx->err, rc, "%s", tn_strerror(rc));
        fail(run, w);
    }
    tn_exec_close(tree);
    tn_exec_eval_free(&wctx->eval);
    if (run->exchange)
        exchange_worker_done(run->exchange, w);
}

/* Prepares a run of input's pipeline on `workers` workers (joins built, morsel sources
 * opened, per-worker contexts made); run_finish frees it, also after a failure here. */
static int run_start(tn_exec_run *run, tn_exec_ctx *ctx, tn_exec_op *input, int workers,
                     tn_exec_sink_fn sink, void *arg)
{
    memset(run, 0, sizeof *run);
    run->main = ctx;
    run->input = input;
    run->sink = sink;
    run->arg = arg;
    run->workers = workers;
    tn_exec_eval_subqueries_ahead(ctx, input->plan);
    int rc = prepare(run, input);
    if (rc)
        return rc;
    run->ctxs = tn_calloc((size_t)workers, sizeof *run->ctxs);
    run->errs = tn_calloc((size_t)workers, sizeof *run->errs);
    run->arenas = tn_calloc((size_t)workers, sizeof *run->arenas);
    if (!run->ctxs || !run->errs || !run->arenas)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    for (int w = 0; w < workers; w++) {
        tn_arena_init(&run->arenas[w], 0);
        run->ctxs[w] = *run->main;
    }
    return 0;
}

/* The first failed worker's error, copied into err; 0 when none failed. */
static int run_error(tn_exec_run *run, tn_error *err)
{
    int failed = __atomic_load_n(&run->failed, __ATOMIC_ACQUIRE);
    if (!failed)
        return 0;
    *err = run->errs[failed - 1];
    return err->code ? err->code : TN_EINTERNAL;
}

static void run_finish(tn_exec_run *run)
{
    for (uint32_t i = 0; i < run->morsel_count; i++)
        tn_exec_morsels_free(run->morsels[i]);
    tn_free(run->morsels);
    tn_free(run->shared);
    for (int w = 0; run->arenas && w < run->workers; w++)
        tn_arena_free(&run->arenas[w]);
    tn_free(run->arenas);
    tn_free(run->errs);
    tn_free(run->ctxs);
    memset(run, 0, sizeof *run);
}

int tn_exec_parallel_run(tn_exec_ctx *ctx, tn_exec_op *input, int workers, tn_exec_sink_fn sink,
                         void *arg)
{
    tn_exec_run run;
    int rc = run_start(&run, ctx, input, workers, sink, arg);
    if (rc == 0 && (rc = tn_pool_run(tn_pool_shared(), (size_t)workers, worker_task, &run)) != 0)
        rc = tn_error_set(ctx->err, rc, "could not start the query's workers");
    if (rc == 0)
        rc = run_error(&run, ctx->err);
    run_finish(&run);
    return rc;
}

/* ---- the exchange ----------------------------------------------------------------------- *
 *
 * A query whose root is itself a parallel pipeline (SELECT ... FROM ... WHERE, no breaker
 * above) runs it on dedicated worker threads (not the shared pool, whose one run at a time
 * the consumer may need while the workers wait on it, to write its output). Each worker copies
 * its chunks into dense batches tagged with their morsel's number and queues them; the
 * consumer hands them out in morsel order, so rows come out in the order the serial executor
 * gives. A morsel is finished when every worker still running has taken a later one (workers
 * take morsels in increasing order). The queue holds at most `limit` chunks of later morsels
 * plus `limit` of the morsel being handed out, so the worker that holds up the others can
 * always go on while memory stays bounded. */

typedef struct exchange_chunk {
    int64_t seq;    /* the morsel the rows came from */
    tn_batch *batch;
    struct exchange_chunk *next;
} exchange_chunk;

typedef struct exchange {
    tn_exec_op op;
    tn_exec_op *input;      /* the main instance of the pipeline: prepared, never pulled */
    tn_exec_run run;
    tn_schema *schema;
    pthread_t *threads;
    int thread_count;       /* started (to join) */
    pthread_mutex_t lock;
    pthread_cond_t cond;    /* any change: a chunk queued or taken, a morsel taken, a worker done */
    exchange_chunk *head;   /* in arrival order */
    exchange_chunk *tail;
    uint32_t queued;
    uint32_t limit;
    int64_t want;           /* the morsel whose chunks are handed out now */
    bool *done;             /* per worker: finished */
    int done_count;
    bool launched;
    bool stopping;          /* closing early: queued work is dropped */
    bool ended;
    tn_batch *current;      /* handed out by the last call */
} exchange;

typedef struct exchange_worker {
    exchange *x;
    int worker;
} exchange_worker;

static void exchange_worker_done(exchange *x, int worker)
{
    pthread_mutex_lock(&x->lock);
    x->done[worker] = true;
    x->done_count++;
    pthread_cond_broadcast(&x->cond);
    pthread_mutex_unlock(&x->lock);
}

void tn_exec_run_morsel_taken(tn_exec_ctx *wctx, int64_t seq)
{
    exchange *x = wctx->run ? wctx->run->exchange : NULL;
    if (!x) {
        wctx->morsel_seq = seq;
        return;
    }
    pthread_mutex_lock(&x->lock);
    wctx->morsel_seq = seq;
    pthread_cond_broadcast(&x->cond);
    pthread_mutex_unlock(&x->lock);
}

/* Whether a chunk of morsel seq must wait: the queue is full, or, for the morsel being handed
 * out, `limit` of its own chunks are already waiting (chunks of later morsels never hold it
 * up, so the worker the consumer waits for always gets its chunks in). */
static bool queue_full(const exchange *x, int64_t seq)
{
    if (seq != x->want)
        return x->queued >= x->limit;
    uint32_t own = 0;
    for (const exchange_chunk *q = x->head; q; q = q->next)
        own += q->seq == seq;
    return own >= x->limit;
}

static int exchange_sink(void *arg, tn_exec_ctx *wctx, const tn_exec_chunk *chunk)
{
    exchange *x = arg;
    exchange_chunk *e = tn_calloc(1, sizeof *e);
    tn_batch *b = e ? tn_batch_new(x->schema, chunk->count) : NULL;
    if (!b) {
        tn_free(e);
        return tn_error_set(wctx->err, TN_ENOMEM, "out of memory");
    }
    for (uint32_t c = 0; c < x->schema->column_count; c++) {
        int rc = tn_exec_gather(&b->columns[c], 0, &chunk->batch->columns[c], chunk->sel,
                                chunk->count);
        if (rc) {
            tn_batch_free(b);
            tn_free(e);
            return tn_error_set(wctx->err, rc, "%s", tn_strerror(rc));
        }
    }
    b->row_count = chunk->count;
    e->batch = b;
    e->seq = wctx->morsel_seq;
    pthread_mutex_lock(&x->lock);
    while (!x->stopping && !tn_exec_run_stopped(&x->run) && queue_full(x, e->seq))
        pthread_cond_wait(&x->cond, &x->lock);
    bool give_up = x->stopping || tn_exec_run_stopped(&x->run);
    if (!give_up) {
        if (x->tail)
            x->tail->next = e;
        else
            x->head = e;
        x->tail = e;
        x->queued++;
        pthread_cond_broadcast(&x->cond);
    }
    pthread_mutex_unlock(&x->lock);
    if (give_up) {
        tn_batch_free(b);
        tn_free(e);
        /* the consumer is closing, or another worker failed and its error is the query's */
        return tn_error_set(wctx->err, TN_EINTERNAL, "the query was stopped");
    }
    return 0;
}

static void *exchange_thread(void *arg)
{
    exchange_worker *ew = arg;
    worker_task(&ew->x->run, (size_t)ew->worker, ew->worker);
    return NULL;
}

/* Whether every chunk of morsel `seq` has been queued: each worker is done or past it. */
static bool morsel_finished(const exchange *x, int64_t seq)
{
    for (int w = 0; w < x->run.workers; w++)
        if (!x->done[w] && x->run.ctxs[w].morsel_seq <= seq)
            return false;
    return true;
}

static int exchange_launch(exchange *x)
{
    int workers = x->run.workers;
    exchange_worker *args = tn_arena_alloc(x->op.ctx->arena, (size_t)workers * sizeof *args);
    x->threads = tn_calloc((size_t)workers, sizeof *x->threads);
    if (!args || !x->threads)
        return tn_error_set(x->op.ctx->err, TN_ENOMEM, "out of memory");
    x->launched = true;
    for (int w = 0; w < workers; w++) {
        args[w] = (exchange_worker){x, w};
        if (pthread_create(&x->threads[w], NULL, exchange_thread, &args[w]) != 0) {
            /* the workers not started count as done; the started ones run to the end */
            pthread_mutex_lock(&x->lock);
            for (int k = w; k < workers; k++) {
                x->done[k] = true;
                x->done_count++;
            }
            pthread_mutex_unlock(&x->lock);
            fail(&x->run, w);
            x->run.errs[w].code = 0;
            tn_error_set(&x->run.errs[w], TN_EINTERNAL, "could not start the query's workers");
            break;
        }
        x->thread_count++;
    }
    return 0;
}

static void exchange_join(exchange *x)
{
    for (int w = 0; w < x->thread_count; w++)
        pthread_join(x->threads[w], NULL);
    x->thread_count = 0;
}

static int exchange_next(tn_exec_op *op, tn_exec_chunk *out)
{
    exchange *x = (exchange *)op;
    tn_batch_free(x->current);
    x->current = NULL;
    out->batch = NULL;
    out->count = 0;
    if (x->ended)
        return 0;
    int rc;
    if (!x->launched && (rc = exchange_launch(x)) != 0)
        return rc;
    exchange_chunk *e = NULL;
    pthread_mutex_lock(&x->lock);
    for (;;) {
        if (tn_exec_run_stopped(&x->run))
            break;
        exchange_chunk *prev = NULL;
        for (e = x->head; e && e->seq != x->want; e = e->next)
            prev = e;
        if (e) {
            if (prev)
                prev->next = e->next;
            else
                x->head = e->next;
            if (x->tail == e)
                x->tail = prev;
            x->queued--;
            pthread_cond_broadcast(&x->cond);
            break;
        }
        if (x->done_count == x->run.workers) {
            if (!x->head)
                break;
            int64_t low = x->head->seq;
            for (exchange_chunk *q = x->head; q; q = q->next)
                low = q->seq < low ? q->seq : low;
            x->want = low;
            continue;
        }
        if (morsel_finished(x, x->want)) {
            x->want++;
            /* a worker may be waiting to queue a chunk of the new morsel */
            pthread_cond_broadcast(&x->cond);
            continue;
        }
        pthread_cond_wait(&x->cond, &x->lock);
    }
    pthread_mutex_unlock(&x->lock);
    if (e) {
        x->current = e->batch;
        tn_free(e);
        out->batch = x->current;
        out->sel = tn_exec_identity;
        out->count = x->current->row_count;
        return 0;
    }
    exchange_join(x);
    x->ended = true;
    return run_error(&x->run, op->ctx->err);
}

static void exchange_close(tn_exec_op *op)
{
    exchange *x = (exchange *)op;
    pthread_mutex_lock(&x->lock);
    x->stopping = true;
    pthread_cond_broadcast(&x->cond);
    pthread_mutex_unlock(&x->lock);
    /* the workers see the stop when they next queue or take a morsel (-1: no worker's error) */
    int none = 0;
    __atomic_compare_exchange_n(&x->run.failed, &none, -1, false, __ATOMIC_ACQ_REL,
                                __ATOMIC_RELAXED);
    exchange_join(x);
    while (x->head) {
        exchange_chunk *e = x->head;
        x->head = e->next;
        tn_batch_free(e->batch);
        tn_free(e);
    }
    tn_batch_free(x->current);
    run_finish(&x->run);
    /* after the run: its morsel sources borrow the main instance's lake scan */
    tn_exec_close(x->input);
    tn_free(x->threads);
    tn_free(x->done);
    tn_schema_unref(x->schema);
    pthread_cond_destroy(&x->cond);
    pthread_mutex_destroy(&x->lock);
}

int tn_exec_exchange_open(tn_exec_ctx *ctx, tn_exec_op *input, tn_exec_op **out)
{
    *out = input;
    int workers = tn_exec_parallel_workers(ctx, input);
    if (workers <= 1 || ctx->analyze)
        return 0;
    exchange *x = tn_exec_op_alloc(ctx, input->plan, sizeof *x, exchange_next, exchange_close, out);
    if (!x)
        return TN_ENOMEM;
    pthread_mutex_init(&x->lock, NULL);
    pthread_cond_init(&x->cond, NULL);
    x->input = input;
    x->limit = (uint32_t)workers * 4;
    x->schema = tn_exec_schema(input->plan);
    x->done = tn_calloc((size_t)workers, sizeof *x->done);
    if (!x->schema || !x->done)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    int rc = run_start(&x->run, ctx, input, workers, exchange_sink, x);
    x->run.exchange = x;
    for (int w = 0; rc == 0 && w < workers; w++)
        x->run.ctxs[w].morsel_seq = -1; /* no morsel taken yet */
    return rc;
}
