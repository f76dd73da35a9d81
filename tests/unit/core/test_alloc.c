/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for core allocation (including the fail-every-Nth test mode), arenas, logging and
 * clocks.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"

/* ---- allocation ------------------------------------------------------------------------ */

Test(alloc, basics)
{
    char *p = tn_malloc(10);
    cr_assert_not_null(p);
    memcpy(p, "123456789", 10);
    p = tn_realloc(p, 100000);
    cr_assert_not_null(p);
    cr_assert_str_eq(p, "123456789");
    void *z = tn_realloc(p, 0);
    cr_assert_not_null(z, "size 0 is a minimal allocation, not a free");
    tn_free(z);
    void *m0 = tn_malloc(0);
    cr_assert_not_null(m0);
    tn_free(m0);
    void *r = tn_realloc(NULL, 16);
    cr_assert_not_null(r);
    tn_free(r);
    tn_free(NULL);

    unsigned char *c = tn_calloc(100, 8);
    cr_assert_not_null(c);
    for (int i = 0; i < 800; i++)
        cr_assert_eq(c[i], 0);
    tn_free(c);
    cr_assert_null(tn_calloc(SIZE_MAX / 2, 3), "overflow is refused");
    cr_assert_null(tn_calloc(3, SIZE_MAX / 2));
    cr_assert_null(tn_malloc(SIZE_MAX), "impossible sizes fail instead of aborting");

    for (size_t align = 1; align <= 4096; align *= 2) {
        void *a = tn_aligned_alloc(align, 24);
        cr_assert_not_null(a);
        cr_assert_eq((uintptr_t)a % align, 0);
        tn_free(a);
    }
    cr_assert_null(tn_aligned_alloc(24, 10), "alignment must be a power of two");

    char *d = tn_strdup("hello");
    cr_assert_str_eq(d, "hello");
    tn_free(d);
    d = tn_strndup("hello", 3);
    cr_assert_str_eq(d, "hel");
    tn_free(d);
    d = tn_strndup("hi", 10);
    cr_assert_str_eq(d, "hi");
    tn_free(d);
}

Test(alloc, count_increases)
{
    uint64_t before = tn_alloc_count();
    tn_free(tn_malloc(1));
    tn_free(tn_calloc(1, 1));
    tn_free(tn_strdup("x"));
    cr_assert_eq(tn_alloc_count() - before, 3);
}

Test(alloc, fail_every_nth)
{
    void *kept[32];
    tn_alloc_fail_every(3);
    for (int i = 1; i <= 30; i++) {
        void *p = tn_malloc(8);
        if (i % 3 == 0)
            cr_assert_null(p, "allocation %d should fail", i);
        else
            cr_assert_not_null(p, "allocation %d should succeed", i);
        kept[i] = p;
    }
    tn_alloc_fail_every(0);
    for (int i = 1; i <= 30; i++)
        tn_free(kept[i]);
    for (int i = 0; i < 100; i++) {
        void *p = tn_malloc(8);
        cr_assert_not_null(p, "mode off");
        tn_free(p);
    }
}

Test(alloc, fail_every_covers_all_allocators)
{
    tn_alloc_fail_every(1);
    cr_assert_null(tn_malloc(1));
    cr_assert_null(tn_calloc(1, 1));
    cr_assert_null(tn_aligned_alloc(16, 16));
    cr_assert_null(tn_strdup("x"));
    cr_assert_null(tn_strndup("x", 1));
    char *p = NULL;
    tn_alloc_fail_every(0);
    p = tn_malloc(4);
    tn_alloc_fail_every(1);
    cr_assert_null(tn_realloc(p, 400), "failed realloc keeps the old block");
    tn_alloc_fail_every(0);
    tn_free(p);
}

Test(alloc, fail_every_from_environment)
{
    /* This test's process has made no allocation yet, so the variable is read now. */
    setenv("TARN_ALLOC_FAIL_EVERY", "2", 1);
    void *a = tn_malloc(1);
    void *b = tn_malloc(1);
    void *c = tn_malloc(1);
    void *d = tn_malloc(1);
    cr_assert_not_null(a);
    cr_assert_null(b);
    cr_assert_not_null(c);
    cr_assert_null(d);
    tn_alloc_fail_every(0);
    tn_free(a);
    tn_free(c);
}

#define ALLOC_THREADS 4
#define ALLOC_PER_THREAD 5000

static void *alloc_worker(void *arg)
{
    _Atomic int *failures = arg;
    for (int i = 0; i < ALLOC_PER_THREAD; i++) {
        void *p = tn_malloc(16);
        if (!p)
            atomic_fetch_add(failures, 1);
        tn_free(p);
    }
    return NULL;
}

Test(alloc, fail_every_counts_across_threads)
{
    _Atomic int failures = 0;
    pthread_t threads[ALLOC_THREADS];
    tn_alloc_fail_every(10);
    for (int i = 0; i < ALLOC_THREADS; i++)
        pthread_create(&threads[i], NULL, alloc_worker, &failures);
    for (int i = 0; i < ALLOC_THREADS; i++)
        pthread_join(threads[i], NULL);
    tn_alloc_fail_every(0);
    cr_assert_eq(atomic_load(&failures), ALLOC_THREADS * ALLOC_PER_THREAD / 10);
}

/* Whether the mapping holding p carries the kernel's huge-page advice ("hg" in VmFlags). */
static bool advised_huge(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    cr_assert_not_null(f);
    char line[512];
    bool inside = false, advised = false;
    while (fgets(line, sizeof line, f)) {
        unsigned long start, end;
        if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            inside = (uintptr_t)p >= start && (uintptr_t)p < end;
        } else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            advised = strstr(line, " hg") != NULL;
            break;
        }
    }
    fclose(f);
    return advised;
}

static bool huge_pages_available(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return false;
    char mode[128] = "";
    bool ok = fgets(mode, sizeof mode, f) && !strstr(mode, "[never]");
    fclose(f);
    return ok;
}

Test(alloc, huge_pages_advised_for_large_blocks_and_heap_growth)
{
    if (!huge_pages_available())
        cr_skip_test("the kernel offers no transparent huge pages");
    tn_alloc_use_huge_pages();
    /* a block the C library maps on its own: its inside is advised */
    size_t large = (size_t)16 << 20;
    char *block = tn_malloc(large);
    cr_assert_not_null(block);
    cr_assert(advised_huge(block + large / 2));
#ifndef __SANITIZE_ADDRESS__ /* the sanitizer's allocator maps its own memory, not glibc's heap */
    /* many small blocks grow the heap (or an arena): the memory they come from is advised */
    enum { SMALL = 2000 };
    char *small[SMALL];
    for (int i = 0; i < SMALL; i++) {
        small[i] = tn_malloc(16384);
        cr_assert_not_null(small[i]);
        small[i][0] = (char)i;
    }
    cr_assert(advised_huge(small[SMALL - 1]), "the block at %p is in memory without advice",
              (void *)small[SMALL - 1]);
    for (int i = 0; i < SMALL; i++)
        tn_free(small[i]);
#endif
    tn_free(block);
}

/* Whether bytes [from, to) of p are all zero. */
static bool all_zero(const unsigned char *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (p[i])
            return false;
    return true;
}

/* A large block grown from the heap into a mapping and on (moved by the kernel), then shrunk
 * and grown again: the contents stay, every added byte reads as zero. With 2 MiB pages
 * advised, as the command line does (advice on part of a mapping would split it, and a split
 * mapping cannot be moved). */
Test(alloc, large_blocks_grow_and_shrink)
{
    tn_alloc_use_huge_pages();
    size_t sizes[] = {0, 100, TN_LARGE_MIN_BYTES - 1, TN_LARGE_MIN_BYTES, 3 * TN_LARGE_MIN_BYTES + 5,
                      16 * TN_LARGE_MIN_BYTES, 2 * TN_LARGE_MIN_BYTES, 40 * TN_LARGE_MIN_BYTES, 10};
    unsigned char *p = NULL;
    size_t size = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t next = sizes[k];
        unsigned char *q = tn_large_realloc(p, size, next);
        cr_assert_not_null(q, "size %zu", next);
        size_t kept = size < next ? size : next;
        for (size_t i = 0; i < kept; i += 4093)
            cr_assert_eq(q[i], (unsigned char)(i * 7 + 1), "byte %zu kept at size %zu", i, next);
        cr_assert(all_zero(q, kept, next), "the bytes past %zu read as zero at size %zu", kept, next);
        cr_assert_eq((uintptr_t)q % 16, 0);
        for (size_t i = 0; i < next; i++)
            q[i] = (unsigned char)(i * 7 + 1);
        p = q;
        size = next;
    }
    tn_large_free(p, size);
    tn_large_free(NULL, 0);

    int64_t *z = tn_large_calloc(1 << 20, sizeof *z);
    cr_assert_not_null(z);
    cr_assert(all_zero((const unsigned char *)z, 0, (1 << 20) * sizeof *z));
    tn_large_free(z, (1 << 20) * sizeof *z);
    cr_assert_null(tn_large_calloc(SIZE_MAX / 2, 3), "overflow is refused");
    cr_assert_null(tn_large_realloc(NULL, 0, SIZE_MAX), "impossible sizes fail");
}

/* A failed large allocation leaves the block as it was. */
Test(alloc, large_block_failure_keeps_block)
{
    unsigned char *p = tn_large_realloc(NULL, 0, 2 * TN_LARGE_MIN_BYTES);
    cr_assert_not_null(p);
    memset(p, 0x5a, 2 * TN_LARGE_MIN_BYTES);
    tn_alloc_fail_every(1);
    cr_assert_null(tn_large_realloc(p, 2 * TN_LARGE_MIN_BYTES, 8 * TN_LARGE_MIN_BYTES));
    cr_assert_null(tn_large_calloc(10, 10));
    tn_alloc_fail_every(0);
    cr_assert_eq(p[0], 0x5a);
    cr_assert_eq(p[2 * TN_LARGE_MIN_BYTES - 1], 0x5a);
    tn_large_free(p, 2 * TN_LARGE_MIN_BYTES);
}

/* ---- arenas ---------------------------------------------------------------------------- */

Test(arena, alignment_and_contents)
{
    tn_arena arena;
    tn_arena_init(&arena, 4096);
    char *ptrs[1000];
    for (int i = 0; i < 1000; i++) {
        size_t size = (size_t)(i % 37);
        ptrs[i] = tn_arena_alloc(&arena, size);
        cr_assert_not_null(ptrs[i]);
        cr_assert_eq((uintptr_t)ptrs[i] % 16, 0, "allocation %d not 16-aligned", i);
        memset(ptrs[i], i & 0xff, size);
    }
    for (int i = 0; i < 1000; i++) {
        for (size_t k = 0; k < (size_t)(i % 37); k++)
            cr_assert_eq((unsigned char)ptrs[i][k], (unsigned char)(i & 0xff));
    }
    cr_assert_gt(arena.bytes_used, 0);
    unsigned char *z = tn_arena_calloc(&arena, 100);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(z[i], 0);
    char *s = tn_arena_strdup(&arena, "name");
    cr_assert_str_eq(s, "name");
    s = tn_arena_strndup(&arena, "abcdef", 3);
    cr_assert_str_eq(s, "abc");
    tn_arena_free(&arena);
    cr_assert_null(arena.head);
}

Test(arena, large_requests_get_their_own_chunk)
{
    tn_arena arena;
    tn_arena_init(&arena, 4096);
    char *a = tn_arena_alloc(&arena, 16);
    char *big = tn_arena_alloc(&arena, 100000);
    cr_assert_not_null(big);
    cr_assert_eq((uintptr_t)big % 16, 0);
    memset(big, 1, 100000);
    char *b = tn_arena_alloc(&arena, 16);
    cr_assert_eq(b, a + 16, "small requests continue in the current chunk");
    tn_arena_free(&arena);
}

Test(arena, reset_keeps_one_chunk)
{
    tn_arena arena;
    tn_arena_init(&arena, 1024);
    char *first = tn_arena_alloc(&arena, 64);
    for (int i = 0; i < 200; i++)
        cr_assert_not_null(tn_arena_alloc(&arena, 100));
    cr_assert_not_null(tn_arena_alloc(&arena, 50000));
    tn_arena_reset(&arena);
    cr_assert_eq(arena.bytes_used, 0);
    cr_assert_not_null(arena.head, "one chunk is kept");
    uint64_t count = tn_alloc_count();
    char *again = tn_arena_alloc(&arena, 64);
    cr_assert_not_null(again);
    cr_assert_eq(tn_alloc_count(), count, "reuse after reset allocates nothing");
    (void)first;
    tn_arena_reset(&arena);
    tn_arena_reset(&arena);
    tn_arena_free(&arena);
    tn_arena_free(&arena);
}

Test(arena, unused_arena_and_oom)
{
    tn_arena arena;
    tn_arena_init(&arena, 0);
    cr_assert_eq(arena.chunk_size, 64 * 1024);
    tn_arena_free(&arena);
    tn_arena zeroed = {0};
    tn_arena_free(&zeroed);
    cr_assert_not_null(tn_arena_alloc(&zeroed, 8), "a zeroed arena works too");
    tn_arena_free(&zeroed);

    tn_arena_init(&arena, 0);
    tn_alloc_fail_every(1);
    cr_assert_null(tn_arena_alloc(&arena, 8));
    cr_assert_null(tn_arena_strdup(&arena, "x"));
    tn_alloc_fail_every(0);
    cr_assert_not_null(tn_arena_alloc(&arena, 8));
    cr_assert_null(tn_arena_alloc(&arena, SIZE_MAX - 4));
    tn_arena_free(&arena);
}

/* ---- logging --------------------------------------------------------------------------- */

Test(log, format_and_levels, .init = cr_redirect_stderr)
{
    unsetenv("TARN_LOG");
    cr_assert_eq(tn_log_get_level(), TN_LOG_WARN);
    tn_log(TN_LOG_WARN, "disk is %d%% full", 93);
    tn_log(TN_LOG_INFO, "not shown");
    tn_log(TN_LOG_ERROR, "already ends with a newline\n");
    tn_log_set_level(TN_LOG_DEBUG);
    tn_log(TN_LOG_DEBUG, "shown");
    tn_log_set_level(TN_LOG_ERROR);
    tn_log(TN_LOG_WARN, "hidden");
    fflush(stderr);
    cr_assert_stderr_eq_str("tarn: warning: disk is 93% full\n"
                            "tarn: error: already ends with a newline\n"
                            "tarn: debug: shown\n");
}

Test(log, level_from_environment, .init = cr_redirect_stderr)
{
    setenv("TARN_LOG", "info", 1);
    cr_assert_eq(tn_log_get_level(), TN_LOG_INFO);
    tn_log(TN_LOG_INFO, "x");
    tn_log(TN_LOG_DEBUG, "y");
    cr_assert_stderr_eq_str("tarn: info: x\n");
}

Test(log, long_message_is_whole, .init = cr_redirect_stderr)
{
    unsetenv("TARN_LOG");
    char big[6001];
    memset(big, 'm', 6000);
    big[6000] = '\0';
    tn_log(TN_LOG_ERROR, "%s", big);
    char want[6100];
    snprintf(want, sizeof want, "tarn: error: %s\n", big);
    cr_assert_stderr_eq_str(want);
}

/* ---- clocks ---------------------------------------------------------------------------- */

Test(time, clocks)
{
    int64_t now = tn_now_us();
    int64_t sys = (int64_t)time(NULL) * 1000000;
    cr_assert_lt(llabs(now - sys), 2000000, "wall clock in microseconds since the epoch");
    int64_t t0 = tn_monotonic_ns();
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
    int64_t t1 = tn_monotonic_ns();
    cr_assert_geq(t1 - t0, 10 * 1000 * 1000);
    cr_assert_lt(t1 - t0, 5LL * 1000 * 1000 * 1000);
}
