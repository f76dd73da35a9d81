/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the worker pool: every task runs exactly once, on a valid worker, helpers
 * really take part, nested runs execute inline without deadlock, and many short runs in a row
 * (the CSV reader's pattern) complete.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "core/core.h"

#define POOL_THREADS 4

typedef struct count_ctx {
    _Atomic int *runs;         /* per task */
    _Atomic int workers_seen;  /* bit per worker index */
    int threads;
    _Atomic int bad_worker;
    bool sleep;
} count_ctx;

static void count_task(void *p, size_t i, int worker)
{
    count_ctx *ctx = p;
    atomic_fetch_add(&ctx->runs[i], 1);
    if (worker < 0 || worker >= ctx->threads)
        atomic_store(&ctx->bad_worker, 1);
    else
        atomic_fetch_or(&ctx->workers_seen, 1 << worker);
    if (ctx->sleep) {
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void check_exactly_once(tn_pool *pool, size_t count, bool sleep)
{
    count_ctx ctx = {0};
    ctx.runs = calloc(count ? count : 1, sizeof(_Atomic int));
    ctx.threads = tn_pool_threads(pool);
    ctx.sleep = sleep;
    cr_assert_eq(tn_pool_run(pool, count, count_task, &ctx), 0);
    for (size_t i = 0; i < count; i++)
        cr_assert_eq(atomic_load(&ctx.runs[i]), 1, "task %zu ran %d times", i,
                     atomic_load(&ctx.runs[i]));
    cr_assert_eq(atomic_load(&ctx.bad_worker), 0);
    if (sleep && pool && count >= 64)
        cr_assert_gt(__builtin_popcount((unsigned)atomic_load(&ctx.workers_seen)), 1,
                     "helpers take part");
    free(ctx.runs);
}

Test(pool, every_task_exactly_once)
{
    tn_pool *pool = NULL;
    cr_assert_eq(tn_pool_create(POOL_THREADS, &pool), 0);
    cr_assert_eq(tn_pool_threads(pool), POOL_THREADS);
    check_exactly_once(pool, 0, false);
    check_exactly_once(pool, 1, false);
    check_exactly_once(pool, 3, false);
    check_exactly_once(pool, 100000, false);
    check_exactly_once(pool, 64, true);
    tn_pool_destroy(pool);
    tn_pool_destroy(NULL);
}

Test(pool, many_short_runs)
{
    tn_pool *pool = NULL;
    cr_assert_eq(tn_pool_create(POOL_THREADS, &pool), 0);
    for (int r = 0; r < 3000; r++)
        check_exactly_once(pool, (size_t)(r % 9), false);
    tn_pool_destroy(pool);
}

typedef struct order_ctx {
    size_t next_expected;
    bool in_order;
} order_ctx;

static void order_task(void *p, size_t i, int worker)
{
    order_ctx *ctx = p;
    if (i != ctx->next_expected || worker != 0)
        ctx->in_order = false;
    ctx->next_expected++;
}

Test(pool, inline_runs_in_index_order)
{
    order_ctx ctx = {0, true};
    cr_assert_eq(tn_pool_run(NULL, 1000, order_task, &ctx), 0);
    cr_assert(ctx.in_order);
    cr_assert_eq(ctx.next_expected, 1000);

    tn_pool *single = NULL;
    cr_assert_eq(tn_pool_create(1, &single), 0);
    cr_assert_eq(tn_pool_threads(single), 1);
    order_ctx ctx2 = {0, true};
    cr_assert_eq(tn_pool_run(single, 500, order_task, &ctx2), 0);
    cr_assert(ctx2.in_order);
    tn_pool_destroy(single);
    cr_assert_eq(tn_pool_threads(NULL), 1);
    cr_assert_eq(tn_pool_run(NULL, 1, NULL, NULL), TN_EINVAL);
}

typedef struct nested_ctx {
    tn_pool *pool;
    _Atomic int inner_runs;
    _Atomic int bad_worker;
    int threads;
} nested_ctx;

static void inner_task(void *p, size_t i, int worker)
{
    nested_ctx *ctx = p;
    if (worker < 0 || worker >= ctx->threads)
        atomic_store(&ctx->bad_worker, 1);
    atomic_fetch_add(&ctx->inner_runs, 1);
}

static void outer_task(void *p, size_t i, int worker)
{
    nested_ctx *ctx = p;
    /* same pool, and the shared one: both must run inline on this thread */
    tn_pool_run(ctx->pool, 10, inner_task, ctx);
    tn_pool_run(tn_pool_shared(), 5, inner_task, ctx);
}

Test(pool, nested_runs_do_not_deadlock, .timeout = 30)
{
    nested_ctx ctx = {0};
    cr_assert_eq(tn_pool_create(POOL_THREADS, &ctx.pool), 0);
    ctx.threads = POOL_THREADS;
    for (int r = 0; r < 50; r++) {
        atomic_store(&ctx.inner_runs, 0);
        cr_assert_eq(tn_pool_run(ctx.pool, 40, outer_task, &ctx), 0);
        cr_assert_eq(atomic_load(&ctx.inner_runs), 40 * 15);
    }
    cr_assert_eq(atomic_load(&ctx.bad_worker), 0);
    tn_pool_destroy(ctx.pool);
}

typedef struct outside_arg {
    tn_pool *pool;
    int ok;
} outside_arg;

static void *outside_thread(void *p)
{
    outside_arg *arg = p;
    arg->ok = 1;
    for (int r = 0; r < 200; r++) {
        count_ctx ctx = {0};
        size_t count = 50;
        _Atomic int runs[50] = {0};
        ctx.runs = runs;
        ctx.threads = tn_pool_threads(arg->pool);
        tn_pool_run(arg->pool, count, count_task, &ctx);
        for (size_t i = 0; i < count; i++)
            if (atomic_load(&runs[i]) != 1)
                arg->ok = 0;
    }
    return NULL;
}

Test(pool, concurrent_callers_take_turns, .timeout = 60)
{
    tn_pool *pool = NULL;
    cr_assert_eq(tn_pool_create(POOL_THREADS, &pool), 0);
    pthread_t threads[3];
    outside_arg args[3];
    for (int i = 0; i < 3; i++) {
        args[i].pool = pool;
        pthread_create(&threads[i], NULL, outside_thread, &args[i]);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(threads[i], NULL);
        cr_assert_eq(args[i].ok, 1);
    }
    tn_pool_destroy(pool);
}

Test(pool, shared_pool_and_cpu_count)
{
    cr_assert_geq(tn_cpu_count(), 1);
    setenv("TARN_THREADS", "3", 1);
    cr_assert_eq(tn_cpu_count(), 3);
    tn_pool *shared = tn_pool_shared();
    cr_assert_not_null(shared);
    cr_assert_eq(tn_pool_shared(), shared, "created once");
    cr_assert_eq(tn_pool_threads(shared), 3);
    check_exactly_once(shared, 1000, false);
    setenv("TARN_THREADS", "junk", 1);
    cr_assert_geq(tn_cpu_count(), 1);
    unsetenv("TARN_THREADS");
}

Test(pool, create_defaults_to_cpu_count)
{
    setenv("TARN_THREADS", "2", 1);
    tn_pool *pool = NULL;
    cr_assert_eq(tn_pool_create(0, &pool), 0);
    cr_assert_eq(tn_pool_threads(pool), 2);
    check_exactly_once(pool, 10, false);
    tn_pool_destroy(pool);
}

Test(pool, create_out_of_memory)
{
    tn_pool *pool = (tn_pool *)1;
    tn_alloc_fail_every(1);
    cr_assert_eq(tn_pool_create(4, &pool), TN_ENOMEM);
    cr_assert_null(pool);
    /* fail part-way through thread start-up: started helpers are joined */
    tn_alloc_fail_every(4); /* pool, thread array, first helper's argument, then fail */
    int rc = tn_pool_create(4, &pool);
    tn_alloc_fail_every(0);
    cr_assert_eq(rc, TN_ENOMEM);
    cr_assert_null(pool);
}
