/* SPDX-License-Identifier: Apache-2.0
 *
 * The allocation wrappers every module uses. They add two things to the C library: a test mode
 * that makes every Nth allocation fail (to prove callers turn out-of-memory into TN_ENOMEM
 * rather than crash), and unambiguous zero-size behaviour: a NULL result always means failure.
 * This is the only file that calls malloc and friends directly.
 */
#include "core/core.h"

#include <errno.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* Huge pages for the heap (tn_alloc_use_huge_pages). The kernel here backs anonymous memory
 * with 2 MiB pages only where a program asks for them (transparent huge pages in "madvise"
 * mode). With 4 KiB pages a query touching 100 MiB takes ~27,000 page faults and a third of
 * its time in the kernel; with 2 MiB pages it takes a few hundred, and the TLB covers the
 * hash tables.
 *
 * A 2 MiB block gets a huge page only if it lies whole in advised memory and none of its
 * pages was touched before: once one 4 KiB page is in, the block is served page by page for
 * good, a fault each (8-15 microseconds on a virtual machine). Two blocks are like that from
 * the start: the one the main heap begins in (the C library's start-up touched it, and it
 * straddles the heap's first address), and the first block of each worker thread's arena
 * (the arena's header is written before anything can advise it). A query ran into both: TPC-H
 * Q3 took ~600 such faults, 6 ms of its 85. So:
 *
 *  - The main heap: the first 256 KiB above what start-up used are faulted in at once with
 *    one call (a short command needs no more: ~1 microsecond a page instead of a fault each),
 *    and the rest of that first block is taken by a filler block that is never touched. The
 *    allocations after it come from whole, advised blocks; small ones are carved first from
 *    the 256 KiB, which is handed back after the filler is in place.
 *  - An arena: the first pointer seen in its 64 MiB-aligned, 64 MiB reservation (glibc's
 *    per-thread arenas; with M_TOP_PAD at 64 MiB the whole reservation is usable at once) has
 *    the reservation advised, and its first block collapsed into a huge page in one call.
 *
 * The heap's later growth is advised as it is seen: the main heap's new end (sbrk(0): a load,
 * no system call) is compared with the end already advised. All of this is advice: on memory
 * laid out otherwise, or a kernel without the calls, it is ignored and pages come one by one. */
static atomic_bool huge_pages_wanted;
static _Atomic uintptr_t heap_advised_end;
/* the rest of the heap's first block: never used, never freed (volatile: a pointer that is
 * never read would let the compiler drop the allocation) */
static void *volatile heap_filler;

#define HUGE_PAGE_BYTES ((uintptr_t)2 << 20)
#define SMALL_PAGE_BYTES ((uintptr_t)4096)
#define ARENA_REGION_BYTES ((uintptr_t)64 << 20)
#define ADVISED_REGIONS 64
#define HEAP_PREFAULT_BYTES ((size_t)256 << 10)

static _Atomic uintptr_t advised_regions[ADVISED_REGIONS];

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels refuse it */
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1; older kernels refuse it */
#endif

/* Gives the kernel `advice` for the whole pages in [start, end); advice only: a kernel that
 * does not know it refuses, and nothing changes. */
static void advise(uintptr_t start, uintptr_t end, int advice)
{
    start = (start + SMALL_PAGE_BYTES - 1) & ~(SMALL_PAGE_BYTES - 1);
    end &= ~(SMALL_PAGE_BYTES - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, advice);
}

void tn_alloc_use_huge_pages(void)
{
    extern char end[]; /* the end of the program's data: the main heap starts above it */
    if (atomic_load(&huge_pages_wanted))
        return;
    uintptr_t start = (uintptr_t)sbrk(0);
    if (start == (uintptr_t)-1)
        return;
    atomic_store(&heap_advised_end, (start + SMALL_PAGE_BYTES - 1) & ~(SMALL_PAGE_BYTES - 1));
    /* Taking the 256 KiB from the top of the heap grows it (by M_TOP_PAD). */
    void *first = malloc(HEAP_PREFAULT_BYTES);
    uintptr_t first_end = (uintptr_t)first + HEAP_PREFAULT_BYTES;
    uintptr_t heap_end = (uintptr_t)sbrk(0);
    if (first)
        advise((uintptr_t)first, first_end, MADV_POPULATE_WRITE);
    /* Only on the main heap: a thread that is not the program's first may allocate from an
     * arena of its own (its first block is seen to by advise_region). */
    uintptr_t boundary = (first_end + HUGE_PAGE_BYTES - 1) & ~(HUGE_PAGE_BYTES - 1);
    if (first && (uintptr_t)first >= (uintptr_t)end && first_end <= heap_end &&
        heap_end != (uintptr_t)-1 && boundary < heap_end) {
        advise(boundary, heap_end, MADV_HUGEPAGE);
        atomic_store(&heap_advised_end, heap_end);
        /* The filler: the rest of the first block, kept for the life of the program. Never
         * written, it takes no memory; the C library's bookkeeping past it lands just below
         * the boundary. */
        if (boundary - first_end > 4 * SMALL_PAGE_BYTES)
            heap_filler = malloc(boundary - first_end - 2 * SMALL_PAGE_BYTES);
    }
    free(first);
    atomic_store(&huge_pages_wanted, true);
}

/* Readers free a block's worth of batches every block and allocate the next block's at once.
 * With glibc's first thresholds (128 KiB) that memory goes back to the kernel each time and
 * every block faults it in again (measured: a third of the CSV and of the NDJSON parse
 * time). Fixed thresholds keep up to 64 MiB of freed memory for reuse and serve blocks below
 * 32 MiB (the largest glibc allows) from the heap. It also stops glibc's own adjustment,
 * which would only reach the same values after the first large free. The heap grows 64 MiB
 * at a time, in 2 MiB pages (tn_alloc_use_huge_pages above): TPC-H Q9 over SF1 took 27,000
 * page faults and 0.27 s in the kernel with 4 KiB pages, a few hundred faults and 0.05 s with
 * 2 MiB pages. */
void tn_alloc_configure_program(void)
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
    tn_alloc_use_huge_pages();
#endif
}

/* Advises the 64 MiB region around p (a block of `size` bytes) once, and collapses its blocks
 * written before that into huge pages; the table of regions already advised is scanned
 * without locks (two threads may both advise a region: harmless). */
static void advise_region(uintptr_t p, size_t size)
{
    uintptr_t region = p & ~(ARENA_REGION_BYTES - 1);
    for (size_t i = 0; i < ADVISED_REGIONS; i++) {
        uintptr_t seen = atomic_load_explicit(&advised_regions[i], memory_order_relaxed);
        if (seen == region)
            return;
        if (seen == 0) {
            if (atomic_compare_exchange_strong(&advised_regions[i], &seen, region) ||
                seen != region) {
                advise(region, region + ARENA_REGION_BYTES, MADV_HUGEPAGE);
                /* the blocks written before this advice: the arena's header, and the C
                 * library's bookkeeping right after the first block it handed out */
                advise(region, region + HUGE_PAGE_BYTES, MADV_COLLAPSE);
                uintptr_t after = (p + size) & ~(HUGE_PAGE_BYTES - 1);
                if (after != region && after + HUGE_PAGE_BYTES <= region + ARENA_REGION_BYTES)
                    advise(after, after + HUGE_PAGE_BYTES, MADV_COLLAPSE);
            }
            return;
        }
    }
}

/* Advises what the heap grew by since the last call, the region of a block outside the main
 * heap, and the inside of a large block (the C library maps those on their own). */
static void *advise_allocation(void *p, size_t size)
{
    if (!p || !atomic_load_explicit(&huge_pages_wanted, memory_order_relaxed))
        return p;
    uintptr_t address = (uintptr_t)p;
    uintptr_t heap_end = (uintptr_t)sbrk(0);
    uintptr_t advised = atomic_load_explicit(&heap_advised_end, memory_order_relaxed);
    if (heap_end != (uintptr_t)-1 && heap_end > advised &&
        atomic_compare_exchange_strong(&heap_advised_end, &advised, heap_end))
        advise(advised, heap_end, MADV_HUGEPAGE);
    if (size >= 2 * HUGE_PAGE_BYTES) {
        uintptr_t start = (address + HUGE_PAGE_BYTES - 1) & ~(HUGE_PAGE_BYTES - 1);
        advise(start, (address + size) & ~(HUGE_PAGE_BYTES - 1), MADV_HUGEPAGE);
    } else if (address >= heap_end) {
        /* mapped memory lies above the heap */
        advise_region(address, size);
    }
    return p;
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
    return advise_allocation(malloc(size ? size : 1), size);
}

/* Zeroed array of count * size bytes; NULL when out of memory or when the product overflows. */
void *tn_calloc(size_t count, size_t size)
{
    if (attempt_fails())
        return NULL;
    size_t total;
    if (__builtin_mul_overflow(count, size, &total) || !size_ok(total))
        return NULL;
    return advise_allocation(calloc(total ? total : 1, 1), total);
}

/* Resizes ptr (NULL = allocate). Size 0 is treated as 1: the result is a valid, unique,
 * minimal allocation, never a free, so NULL always means failure and ptr is then still valid
 * and unchanged. */
void *tn_realloc(void *ptr, size_t size)
{
    if (attempt_fails() || !size_ok(size))
        return NULL;
    return advise_allocation(realloc(ptr, size ? size : 1), size);
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
    return advise_allocation(p, size);
}

/* Frees memory from any tn_ allocator; accepts NULL. */
void tn_free(void *ptr)
{
    free(ptr);
}

/* ---- large blocks (tn_large_*) ------------------------------------------------------------ */

/* The length of the mapping of a large block of `size` bytes: whole 2 MiB pages from 2 MiB on
 * (the kernel then places the mapping on a 2 MiB boundary, and moves it to one, so that all
 * of it can be backed by 2 MiB pages; the sizes of growing tables are powers of two, which
 * waste nothing), else whole small pages. */
static size_t large_length(size_t size)
{
    uintptr_t page = size >= HUGE_PAGE_BYTES ? HUGE_PAGE_BYTES : SMALL_PAGE_BYTES;
    return (size + page - 1) & ~(page - 1);
}

/* Advises 2 MiB pages for a whole mapping: advice on a part of it would split it in two or
 * three, and mremap moves only what is one mapping. */
static void large_advise(void *p, size_t len)
{
    if (atomic_load_explicit(&huge_pages_wanted, memory_order_relaxed))
        advise((uintptr_t)p, (uintptr_t)p + len, MADV_HUGEPAGE);
}

/* A new zeroed mapping for `size` bytes; NULL when the kernel refuses. */
static void *large_map(size_t size)
{
    size_t len = large_length(size);
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    large_advise(p, len);
    return p;
}

/* A zeroed block of count * size bytes; NULL when out of memory or when the product overflows. */
void *tn_large_calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total))
        return NULL;
    return tn_large_realloc(NULL, 0, total);
}

/* Resizes a large block of old_size bytes (ptr NULL: a new one) to size; the bytes past the
 * old size read as zero. */
void *tn_large_realloc(void *ptr, size_t old_size, size_t size)
{
    if (attempt_fails() || size > (size_t)PTRDIFF_MAX - HUGE_PAGE_BYTES)
        return NULL;
    size_t kept = old_size < size ? old_size : size;
    bool was_mapped = ptr && old_size >= TN_LARGE_MIN_BYTES;
    if (size < TN_LARGE_MIN_BYTES) {
        void *p;
        if (was_mapped) {
            if (!(p = malloc(size ? size : 1)))
                return NULL;
            memcpy(p, ptr, kept);
            munmap(ptr, large_length(old_size));
        } else if (!(p = realloc(ptr, size ? size : 1))) {
            return NULL;
        }
        advise_allocation(p, size);
        if (size > kept)
            memset((char *)p + kept, 0, size - kept);
        return p;
    }
    if (!was_mapped) {
        void *p = large_map(size);
        if (!p)
            return NULL;
        if (ptr) {
            memcpy(p, ptr, kept);
            free(ptr);
        }
        return p;
    }
    /* mapped before and after: the bytes past size are zeroed when shrinking (a mapping's
     * bytes past its block's size stay zero), and the mapping is resized or moved, never
     * copied */
    if (size < old_size)
        memset((char *)ptr + size, 0, old_size - size);
    size_t old_len = large_length(old_size), len = large_length(size);
    if (len == old_len)
        return ptr;
#ifdef MREMAP_MAYMOVE
    void *p = mremap(ptr, old_len, len, MREMAP_MAYMOVE);
    if (p == MAP_FAILED)
        return NULL;
    large_advise(p, len);
#else
    void *p = large_map(size);
    if (!p)
        return NULL;
    memcpy(p, ptr, kept);
    munmap(ptr, old_len);
#endif
    return p;
}

/* Frees a large block of `size` bytes; accepts NULL. */
void tn_large_free(void *ptr, size_t size)
{
    if (!ptr)
        return;
    if (size >= TN_LARGE_MIN_BYTES)
        munmap(ptr, large_length(size));
    else
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
