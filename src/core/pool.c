/* SPDX-License-Identifier: Apache-2.0
 *
 * A worker pool for parallel-for loops. tn_pool_run publishes one job (function, context, task
 * count), wakes the helper threads, and works on the job itself; every thread takes the next
 * task index from one atomic counter, so tasks start in index order and a slow task does not
 * hold up the others. A run from inside a task (on any pool) executes inline on that thread,
 * which rules out deadlock and oversubscription. A run costs one broadcast and one wait, small
 * next to the 16 MiB blocks the CSV reader hands out.
 *
 * Job fields are written under the mutex only while no helper is inside a job, so a helper
 * that wakes late for a job can at worst find no task left; it never sees a half-written job.
 */
#include "core/core.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define POOL_MAX_THREADS 1024

struct tn_pool {
    int thread_count;           /* including the calling thread */
    pthread_t *threads;         /* thread_count - 1 helpers */
    pthread_mutex_t run_lock;   /* one tn_pool_run at a time per pool */
    pthread_mutex_t lock;       /* guards the fields below */
    pthread_cond_t work_cond;   /* helpers wait here for a new generation */
    pthread_cond_t done_cond;   /* the caller waits here for completion / idle helpers */
    uint64_t generation;        /* bumped by each run that uses helpers */
    int active;                 /* helpers currently inside a job */
    bool shutdown;
    tn_task_fn fn;              /* the current job */
    void *ctx;
    size_t task_count;
    _Atomic size_t next_task;   /* next index to hand out */
    _Atomic size_t tasks_done;  /* tasks finished */
};

typedef struct worker_arg {
    tn_pool *pool;
    int worker_idx;
} worker_arg;

/* Depth of task execution on this thread (> 0 means nested runs go inline) and the worker
 * index this thread runs tasks as. */
static _Thread_local int task_depth;
static _Thread_local int current_worker;

/* Online cores (respecting the CPU affinity mask), or TARN_THREADS when set to a positive
 * number; always at least 1. */
int tn_cpu_count(void)
{
    const char *env = getenv("TARN_THREADS");
    if (env && *env) {
        char *end = NULL;
        long n = strtol(env, &end, 10);
        if (end && *end == '\0' && n > 0)
            return n > POOL_MAX_THREADS ? POOL_MAX_THREADS : (int)n;
    }
    /* The cores this process may run on (the kernel reports them among those online): one
     * system call, where counting the online ones reads a file. */
    long n = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
    if (n < 1)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return n > POOL_MAX_THREADS ? POOL_MAX_THREADS : (int)n;
}

/* Takes tasks until none is left; signals the caller after the last one. */
static void run_tasks(tn_pool *pool, tn_task_fn fn, void *ctx, size_t count, int worker_idx)
{
    int saved_worker = current_worker;
    current_worker = worker_idx;
    task_depth++;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&pool->next_task, 1, memory_order_relaxed);
        if (i >= count)
            break;
        fn(ctx, i, worker_idx);
        size_t done = atomic_fetch_add_explicit(&pool->tasks_done, 1, memory_order_acq_rel) + 1;
        if (done == count) {
            /* Taking the lock orders this signal after the caller's check of tasks_done. */
            pthread_mutex_lock(&pool->lock);
            pthread_cond_broadcast(&pool->done_cond);
            pthread_mutex_unlock(&pool->lock);
        }
    }
    task_depth--;
    current_worker = saved_worker;
}

static void *worker_main(void *p)
{
    worker_arg arg = *(worker_arg *)p;
    tn_free(p);
    tn_pool *pool = arg.pool;
    uint64_t seen = 0;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (pool->generation == seen && !pool->shutdown)
            pthread_cond_wait(&pool->work_cond, &pool->lock);
        if (pool->shutdown)
            break;
        seen = pool->generation;
        tn_task_fn fn = pool->fn;
        void *ctx = pool->ctx;
        size_t count = pool->task_count;
        pool->active++;
        pthread_mutex_unlock(&pool->lock);

        run_tasks(pool, fn, ctx, count, arg.worker_idx);

        pthread_mutex_lock(&pool->lock);
        if (--pool->active == 0)
            pthread_cond_broadcast(&pool->done_cond);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/* Creates a pool of `threads` workers counting the caller (0 = tn_cpu_count()), so it starts
 * threads - 1 helper threads. Returns 0 with *out set, TN_ENOMEM, or TN_ELIMIT when the system
 * refuses to start a thread. */
int tn_pool_create(int threads, tn_pool **out)
{
    *out = NULL;
    if (threads <= 0)
        threads = tn_cpu_count();
    if (threads > POOL_MAX_THREADS)
        threads = POOL_MAX_THREADS;
    tn_pool *pool = tn_calloc(1, sizeof *pool);
    if (!pool)
        return TN_ENOMEM;
    pool->thread_count = threads;
    int rc = 0;
    int started = 0;
    pthread_mutex_init(&pool->run_lock, NULL);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work_cond, NULL);
    pthread_cond_init(&pool->done_cond, NULL);
    if (threads > 1) {
        pool->threads = tn_calloc((size_t)threads - 1, sizeof(pthread_t));
        if (!pool->threads) {
            rc = TN_ENOMEM;
            goto fail;
        }
    }

    for (int i = 1; i < threads; i++) {
        worker_arg *arg = tn_malloc(sizeof *arg);
        if (!arg) {
            rc = TN_ENOMEM;
            break;
        }
        arg->pool = pool;
        arg->worker_idx = i;
        if (pthread_create(&pool->threads[i - 1], NULL, worker_main, arg) != 0) {
            tn_free(arg);
            rc = TN_ELIMIT;
            break;
        }
        started++;
    }
    if (rc)
        goto fail;
    *out = pool;
    return 0;

fail:
    pool->thread_count = started + 1; /* so destroy joins exactly the started helpers */
    tn_pool_destroy(pool);
    return rc;
}

/* Stops and joins the helpers, then frees the pool. Must not be called while a run is in
 * progress on it. Accepts NULL. */
void tn_pool_destroy(tn_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->shutdown = true;
    pthread_cond_broadcast(&pool->work_cond);
    pthread_mutex_unlock(&pool->lock);
    if (pool->threads) {
        for (int i = 0; i < pool->thread_count - 1; i++)
            pthread_join(pool->threads[i], NULL);
    }
    pthread_cond_destroy(&pool->work_cond);
    pthread_cond_destroy(&pool->done_cond);
    pthread_mutex_destroy(&pool->lock);
    pthread_mutex_destroy(&pool->run_lock);
    tn_free(pool->threads);
    tn_free(pool);
}

/* Number of threads that run tasks, the caller included (1 for NULL). */
int tn_pool_threads(const tn_pool *pool)
{
    return pool ? pool->thread_count : 1;
}

static void run_inline(size_t task_count, tn_task_fn fn, void *ctx)
{
    int worker = task_depth > 0 ? current_worker : 0;
    task_depth++;
    for (size_t i = 0; i < task_count; i++)
        fn(ctx, i, worker);
    task_depth--;
}

/* Runs fn(ctx, i, worker) for every i in [0, task_count), tasks started in index order, the
 * calling thread working as worker 0; returns when all are done. Runs inline when pool is
 * NULL, when called from inside a task, or when there is nothing to share. Concurrent runs on
 * one pool from different threads take turns. Returns 0, or TN_EINVAL when fn is NULL. */
int tn_pool_run(tn_pool *pool, size_t task_count, tn_task_fn fn, void *ctx)
{
    if (!fn)
        return TN_EINVAL;
    if (task_count == 0)
        return 0;
    if (!pool || pool->thread_count <= 1 || task_count == 1 || task_depth > 0) {
        run_inline(task_count, fn, ctx);
        return 0;
    }

    pthread_mutex_lock(&pool->run_lock);
    pthread_mutex_lock(&pool->lock);
    /* A helper that woke late for the previous run may still be inside it. */
    while (pool->active > 0)
        pthread_cond_wait(&pool->done_cond, &pool->lock);
    pool->fn = fn;
    pool->ctx = ctx;
    pool->task_count = task_count;
    atomic_store_explicit(&pool->next_task, 0, memory_order_relaxed);
    atomic_store_explicit(&pool->tasks_done, 0, memory_order_relaxed);
    pool->generation++;
    pthread_cond_broadcast(&pool->work_cond);
    pthread_mutex_unlock(&pool->lock);

    run_tasks(pool, fn, ctx, task_count, 0);

    pthread_mutex_lock(&pool->lock);
    while (atomic_load_explicit(&pool->tasks_done, memory_order_acquire) < task_count)
        pthread_cond_wait(&pool->done_cond, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
    pthread_mutex_unlock(&pool->run_lock);
    return 0;
}

static tn_pool *shared_pool;
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;

static void shared_create(void)
{
    if (tn_pool_create(0, &shared_pool) != 0)
        shared_pool = NULL;
}

/* The process-wide pool, created on first use with tn_cpu_count() threads and never
 * destroyed. NULL when creation failed (tn_pool_run then runs inline). */
tn_pool *tn_pool_shared(void)
{
    pthread_once(&shared_once, shared_create);
    return shared_pool;
}
