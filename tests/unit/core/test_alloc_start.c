/* SPDX-License-Identifier: Apache-2.0
 *
 * The first megabytes a program takes come in 2 MiB pages, on the main thread and on a new
 * worker thread, once the heap is set up as the command line sets it up
 * (tn_alloc_configure_program): the
 * heap's first block, which the C library's start-up touched, is kept out of use, and an
 * arena's first block, which holds its header, is collapsed into a huge page (core/alloc.c).
 * Page by page, writing 3 MiB takes 768 page faults; in huge pages a handful.
 *
 * A program of its own rather than a Criterion test: the test runner allocates from threads
 * before a test starts, so its tests do not run on the main heap. Exit 77 (skipped) where the
 * kernel offers no transparent huge pages or under a sanitizer, whose allocator replaces the C
 * library's.
 */
#include "core/core.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#define BLOCK_BYTES ((size_t)3 << 20)
#define MAX_FAULTS 64

/* Page faults of this thread while it writes one byte in every page of a new block. */
static long faults_writing_new_block(void)
{
    struct rusage before, after;
    char *p = tn_malloc(BLOCK_BYTES);
    if (!p)
        return -1;
    getrusage(RUSAGE_THREAD, &before);
    for (size_t i = 0; i < BLOCK_BYTES; i += 4096)
        p[i] = 1;
    getrusage(RUSAGE_THREAD, &after);
    tn_free(p);
    return after.ru_minflt - before.ru_minflt;
}

static void *worker(void *arg)
{
    *(long *)arg = faults_writing_new_block();
    return NULL;
}

static int huge_pages_available(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return 0;
    char mode[128] = "";
    int ok = fgets(mode, sizeof mode, f) && !strstr(mode, "[never]");
    fclose(f);
    return ok;
}

int main(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return 77;
#endif
    if (!huge_pages_available()) {
        printf("skipped: the kernel offers no transparent huge pages\n");
        return 77;
    }
    tn_alloc_configure_program();
    long main_faults = faults_writing_new_block();
    long worker_faults = -1;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, &worker_faults) != 0) {
        printf("cannot start a thread\n");
        return 1;
    }
    pthread_join(t, NULL);
    printf("page faults writing 3 MiB: main thread %ld, new thread %ld (at most %d expected)\n",
           main_faults, worker_faults, MAX_FAULTS);
    return main_faults >= 0 && main_faults < MAX_FAULTS && worker_faults >= 0 &&
                   worker_faults < MAX_FAULTS
               ? 0
               : 1;
}
