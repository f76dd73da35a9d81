/* SPDX-License-Identifier: Apache-2.0
 *
 * The allocation wrappers every module uses. They add two things to the C library: a test mode
 * that makes every Nth allocation fail (to prove callers turn out-of-memory into TN_ENOMEM
 * rather than crash), and unambiguous zero-size behaviour: a NULL result always means failure.
 * This is the only file that calls malloc and friends directly.
 */
#include "core/core.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

static _Atomic uint64_t alloc_attempts;  /* every allocation attempted since start */
static _Atomic uint64_t fail_every;      /* 0 = test mode off */
static _Atomic uint64_t since_fail_set;  /* attempts since the mode was last set */
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static atomic_bool env_read;             /* fast check that env_once has run */

/* Reads TARN_ALLOC_FAIL_EVERY once; a value that is not a positive integer is ignored. */
static void read_env(void)
{
    const char *s = getenv("TARN_ALLOC_FAIL_EVERY");
    if (s && *s) {
        char *end = NULL;
        errno = 0;
        unsigned long long n = strtoull(s, &end, 10);
        if (errno == 0 && end && *end == '\0' && n > 0) {
            atomic_store(&since_fail_set, 0);
            atomic_store(&fail_every, (uint64_t)n);
        }
    }
    atomic_store_explicit(&env_read, true, memory_order_release);
}

static void ensure_env(void)
{
    if (!atomic_load_explicit(&env_read, memory_order_acquire))
        pthread_once(&env_once, read_env);
}

/* Counts one allocation attempt and says whether the test mode wants it to fail. */
static bool attempt_fails(void)
{
    ensure_env();
    atomic_fetch_add_explicit(&alloc_attempts, 1, memory_order_relaxed);
    uint64_t every = atomic_load_explicit(&fail_every, memory_order_relaxed);
    if (every == 0)
        return false;
    /* One shared counter, so across threads exactly one attempt in every N fails. */
    uint64_t nth = atomic_fetch_add_explicit(&since_fail_set, 1, memory_order_relaxed) + 1;
    return nth % every == 0;
}

/* Test mode: from now on every Nth allocation (counted over all threads) fails; the Nth
 * attempt after this call is the first to fail. 0 turns the mode off. Overrides
 * TARN_ALLOC_FAIL_EVERY. */
void tn_alloc_fail_every(uint64_t n)
{
    ensure_env(); /* so that a later first allocation does not apply the environment over n */
    atomic_store(&fail_every, 0);
    atomic_store(&since_fail_set, 0);
    atomic_store(&fail_every, n);
}

/* Allocations attempted since start, successful or failed. */
uint64_t tn_alloc_count(void)
{
    return atomic_load_explicit(&alloc_attempts, memory_order_relaxed);
}

/* No object may be larger than PTRDIFF_MAX (pointer differences inside it would overflow).
 * Refusing such sizes here also keeps sanitizer builds, whose allocators abort on absurd
 * sizes instead of returning NULL, on the same path as release builds. */
static inline bool size_ok(size_t size)
{
    return size <= (size_t)PTRDIFF_MAX;
}

/* Like malloc, but size 0 returns a unique pointer (so NULL always means out of memory). */
void *tn_malloc(size_t size)
{
    if (attempt_fails() || !size_ok(size))
        return NULL;
    return malloc(size ? size : 1);
}

/* Zeroed array of count * size bytes; NULL when out of memory or when the product overflows. */
void *tn_calloc(size_t count, size_t size)
{
    if (attempt_fails())
        return NULL;
    size_t total;
    if (__builtin_mul_overflow(count, size, &total) || !size_ok(total))
        return NULL;
    return calloc(total ? total : 1, 1);
}

/* Resizes ptr (NULL = allocate). Size 0 is treated as 1: the result is a valid, unique,
 * minimal allocation, never a free, so NULL always means failure and ptr is then still valid
 * and unchanged. */
void *tn_realloc(void *ptr, size_t size)
{
    if (attempt_fails() || !size_ok(size))
        return NULL;
    return realloc(ptr, size ? size : 1);
}

/* Memory aligned to `alignment` (a power of two; values below sizeof(void *) are raised to it),
 * freed with tn_free. NULL when out of memory or the alignment is not a power of two. */
void *tn_aligned_alloc(size_t alignment, size_t size)
{
    if (attempt_fails())
        return NULL;
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || !size_ok(size))
        return NULL;
    if (alignment < sizeof(void *))
        alignment = sizeof(void *);
    void *p = NULL;
    if (posix_memalign(&p, alignment, size ? size : 1) != 0)
        return NULL;
    return p;
}

/* Frees memory from any tn_ allocator; accepts NULL. */
void tn_free(void *ptr)
{
    free(ptr);
}

/* NUL-terminated copy of s (s must not be NULL); NULL when out of memory. */
char *tn_strdup(const char *s)
{
    return tn_strndup(s, strlen(s));
}

/* Copy of at most n bytes of s, stopping at a NUL, NUL-terminated; NULL when out of memory. */
char *tn_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = tn_malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}
