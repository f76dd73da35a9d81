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
 * query's error.
 *
 * Serial sections stay serial: subqueries in expressions (run once per evaluator), RIGHT and
 * FULL joins (they record matches on the build side), lake scans of a single data file, VALUES,
 * and anything under another breaker, which parallelises its own input in turn.
 */
#include "sql/sql_int.h"

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
    default:
        /* subqueries run once per evaluator, and any kind added later is serial until
         * someone checks it is safe */
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
    wctx->morsel_seq = 0;
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
}

int tn_exec_parallel_run(tn_exec_ctx *ctx, tn_exec_op *input, int workers, tn_exec_sink_fn sink,
                         void *arg)
{
    tn_exec_run run;
    memset(&run, 0, sizeof run);
    run.main = ctx;
    run.input = input;
    run.sink = sink;
    run.arg = arg;
    run.workers = workers;
    int rc = prepare(&run, input);
    if (rc)
        goto done;
    run.ctxs = tn_calloc((size_t)workers, sizeof *run.ctxs);
    run.errs = tn_calloc((size_t)workers, sizeof *run.errs);
    run.arenas = tn_calloc((size_t)workers, sizeof *run.arenas);
    if (!run.ctxs || !run.errs || !run.arenas) {
        rc = tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
        goto done;
    }
    for (int w = 0; w < workers; w++) {
        tn_arena_init(&run.arenas[w], 0);
        run.ctxs[w] = *run.main;
    }
    if ((rc = tn_pool_run(tn_pool_shared(), (size_t)workers, worker_task, &run)) != 0) {
        rc = tn_error_set(ctx->err, rc, "could not start the query's workers");
        goto done;
    }
    int failed = __atomic_load_n(&run.failed, __ATOMIC_ACQUIRE);
    if (failed) {
        *ctx->err = run.errs[failed - 1];
        rc = ctx->err->code ? ctx->err->code : TN_EINTERNAL;
    }
done:
    for (uint32_t i = 0; i < run.morsel_count; i++)
        tn_exec_morsels_free(run.morsels[i]);
    tn_free(run.morsels);
    tn_free(run.shared);
    for (int w = 0; run.arenas && w < workers; w++)
        tn_arena_free(&run.arenas[w]);
    tn_free(run.arenas);
    tn_free(run.errs);
    tn_free(run.ctxs);
    return rc;
}
