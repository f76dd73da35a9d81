/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for tn_hash_bytes and the tn_hash table.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"

#define KEY_COUNT 100000

static size_t make_key(char *out, int i)
{
    return (size_t)snprintf(out, 32, "key-%d", i);
}

static void *value_of(int i)
{
    return (void *)(uintptr_t)(i + 1);
}

Test(hash_bytes, deterministic_and_seeded)
{
    const char *s = "the quick brown fox jumps over the lazy dog";
    uint64_t h = tn_hash_bytes(s, strlen(s), 0);
    cr_assert_eq(h, tn_hash_bytes(s, strlen(s), 0));
    cr_assert_neq(h, tn_hash_bytes(s, strlen(s), 1));
    /* Pinned values: the hash must not change between versions or machines, because hashes
     * may be persisted (bloom filters, partition buckets). */
    cr_assert_eq(tn_hash_bytes("", 0, 0), 0x0bb6c98aaf0c076cULL);
    cr_assert_eq(h, 0xf9db0fd1abf4b41aULL);
    unsigned char bytes[1000];
    for (int i = 0; i < 1000; i++)
        bytes[i] = (unsigned char)i;
    cr_assert_eq(tn_hash_bytes(bytes, 5, 0), 0x119254794f6f4e1fULL);
    cr_assert_eq(tn_hash_bytes(bytes, 13, 0), 0xc17e3f163af8a953ULL);
    cr_assert_eq(tn_hash_bytes(bytes, 1000, 7), 0x535c6cacdd7d93bcULL);
}

Test(hash_bytes, every_length_and_prefix_differs)
{
    unsigned char data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7);
    tn_hash *seen = tn_hash_new(0);
    for (size_t n = 0; n <= sizeof data; n++) {
        uint64_t h = tn_hash_bytes(data, n, 42);
        cr_assert(!tn_hash_get(seen, &h, sizeof h, NULL), "length %zu collides", n);
        cr_assert_eq(tn_hash_put(seen, &h, sizeof h, NULL), 0);
    }
    /* zero bytes of different lengths must differ too */
    unsigned char zeros[64] = {0};
    for (size_t n = 0; n < sizeof zeros; n++)
        cr_assert_neq(tn_hash_bytes(zeros, n, 0), tn_hash_bytes(zeros, n + 1, 0));
    tn_hash_free(seen);
}

Test(hash_bytes, avalanche)
{
    /* Flipping one input bit should flip about half of the output bits, for short, medium and
     * long inputs. */
    size_t lengths[] = {1, 3, 4, 7, 8, 12, 16, 17, 31, 32, 64, 65, 100, 200};
    uint64_t state = 99;
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        size_t n = lengths[li];
        unsigned char buf[256];
        double total = 0;
        int samples = 0;
        for (int trial = 0; trial < 20; trial++) {
            for (size_t k = 0; k < n; k++) {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                buf[k] = (unsigned char)(state >> 56);
            }
            uint64_t base = tn_hash_bytes(buf, n, 0);
            for (size_t bit = 0; bit < n * 8; bit++) {
                buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
                uint64_t h = tn_hash_bytes(buf, n, 0);
                buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
                int flipped = __builtin_popcountll(h ^ base);
                cr_assert_gt(flipped, 4, "length %zu bit %zu flips only %d bits", n, bit, flipped);
                total += flipped;
                samples++;
            }
        }
        double mean = total / samples;
        cr_assert(mean > 30.0 && mean < 34.0, "length %zu: mean %.2f bits flipped", n, mean);
    }
}

Test(hash_bytes, low_bits_spread_sequential_keys)
{
    enum { BUCKETS = 1024, KEYS = 102400 };
    static int counts[BUCKETS];
    char key[32];
    for (int i = 0; i < KEYS; i++) {
        size_t n = make_key(key, i);
        counts[tn_hash_bytes(key, n, 0) & (BUCKETS - 1)]++;
    }
    /* Expected 100 per bucket; a good hash stays well inside [50, 160]. */
    for (int b = 0; b < BUCKETS; b++)
        cr_assert(counts[b] > 50 && counts[b] < 160, "bucket %d has %d", b, counts[b]);
}

Test(hash_table, insert_get_remove_iterate)
{
    tn_hash *h = tn_hash_new(0);
    cr_assert_not_null(h);
    char key[32];
    for (int i = 0; i < KEY_COUNT; i++) {
        size_t n = make_key(key, i);
        cr_assert_eq(tn_hash_put(h, key, n, value_of(i)), 0);
    }
    cr_assert_eq(tn_hash_count(h), KEY_COUNT);
    for (int i = 0; i < KEY_COUNT; i++) {
        size_t n = make_key(key, i);
        void *v = NULL;
        cr_assert(tn_hash_get(h, key, n, &v), "key %d missing", i);
        cr_assert_eq(v, value_of(i));
    }
    cr_assert(!tn_hash_get(h, "key-", 4, NULL));
    cr_assert(!tn_hash_get(h, "key-100000", 10, NULL));

    /* replacing keeps the count */
    cr_assert_eq(tn_hash_put(h, "key-7", 5, value_of(700)), 0);
    cr_assert_eq(tn_hash_count(h), KEY_COUNT);
    void *v = NULL;
    cr_assert(tn_hash_get(h, "key-7", 5, &v));
    cr_assert_eq(v, value_of(700));
    tn_hash_put(h, "key-7", 5, value_of(7));

    /* remove the odd keys */
    for (int i = 1; i < KEY_COUNT; i += 2) {
        size_t n = make_key(key, i);
        cr_assert(tn_hash_remove(h, key, n), "remove %d", i);
        cr_assert(!tn_hash_remove(h, key, n), "second remove %d", i);
    }
    cr_assert_eq(tn_hash_count(h), KEY_COUNT / 2);
    for (int i = 0; i < KEY_COUNT; i++) {
        size_t n = make_key(key, i);
        cr_assert_eq(tn_hash_get(h, key, n, &v), i % 2 == 0, "key %d", i);
        if (i % 2 == 0)
            cr_assert_eq(v, value_of(i));
    }

    /* iteration sees every remaining key exactly once */
    char *seen = calloc(KEY_COUNT, 1);
    size_t pos = 0, visited = 0;
    tn_str k;
    while (tn_hash_next(h, &pos, &k, &v)) {
        char tmp[32];
        cr_assert_lt(k.len, sizeof tmp);
        memcpy(tmp, k.ptr, k.len);
        tmp[k.len] = '\0';
        int i = atoi(tmp + 4);
        cr_assert_eq(i % 2, 0);
        cr_assert_eq(v, value_of(i));
        cr_assert_eq(seen[i], 0, "key %d seen twice", i);
        seen[i] = 1;
        visited++;
    }
    cr_assert_eq(visited, KEY_COUNT / 2);
    cr_assert(!tn_hash_next(h, &pos, &k, &v), "stays finished");
    free(seen);

    /* removing everything, then reinserting, works */
    for (int i = 0; i < KEY_COUNT; i += 2) {
        size_t n = make_key(key, i);
        cr_assert(tn_hash_remove(h, key, n));
    }
    cr_assert_eq(tn_hash_count(h), 0);
    pos = 0;
    cr_assert(!tn_hash_next(h, &pos, NULL, NULL));
    for (int i = 0; i < 1000; i++) {
        size_t n = make_key(key, i);
        cr_assert_eq(tn_hash_put(h, key, n, value_of(i)), 0);
    }
    cr_assert_eq(tn_hash_count(h), 1000);
    tn_hash_free(h);
}

Test(hash_table, churn_keeps_lookups_correct)
{
    /* Random interleaved puts and removes, checked against a plain array: exercises the
     * backward-shift delete across wrap-around and long probe runs. */
    enum { UNIVERSE = 5000 };
    static bool present[UNIVERSE];
    tn_hash *h = tn_hash_new(16);
    uint64_t state = 7;
    size_t expected = 0;
    for (int step = 0; step < 200000; step++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        int i = (int)((state >> 33) % UNIVERSE);
        uint32_t key = (uint32_t)i;
        if ((state >> 20) & 1) {
            cr_assert_eq(tn_hash_put(h, &key, sizeof key, value_of(i)), 0);
            if (!present[i])
                expected++;
            present[i] = true;
        } else {
            cr_assert_eq(tn_hash_remove(h, &key, sizeof key), present[i]);
            if (present[i])
                expected--;
            present[i] = false;
        }
        if (step % 10000 == 0) {
            for (int j = 0; j < UNIVERSE; j++) {
                uint32_t kj = (uint32_t)j;
                cr_assert_eq(tn_hash_get(h, &kj, sizeof kj, NULL), present[j], "key %d", j);
            }
        }
    }
    cr_assert_eq(tn_hash_count(h), expected);
    tn_hash_free(h);
}

Test(hash_table, binary_and_empty_keys)
{
    tn_hash *h = tn_hash_new(4);
    cr_assert_eq(tn_hash_put(h, "", 0, value_of(0)), 0);
    cr_assert_eq(tn_hash_put(h, "a\0b", 3, value_of(1)), 0);
    cr_assert_eq(tn_hash_put(h, "a\0c", 3, value_of(2)), 0);
    cr_assert_eq(tn_hash_put(h, "a", 1, value_of(3)), 0);
    void *v;
    cr_assert(tn_hash_get(h, "", 0, &v));
    cr_assert_eq(v, value_of(0));
    cr_assert(tn_hash_get(h, "a\0b", 3, &v));
    cr_assert_eq(v, value_of(1));
    cr_assert(tn_hash_get(h, "a\0c", 3, &v));
    cr_assert_eq(v, value_of(2));
    cr_assert_eq(tn_hash_count(h), 4);
    /* the key is copied: the caller's buffer may change */
    char buf[8] = "temp";
    tn_hash_put(h, buf, 4, value_of(9));
    strcpy(buf, "xxxx");
    cr_assert(tn_hash_get(h, "temp", 4, NULL));
    cr_assert(tn_hash_remove(h, "", 0));
    cr_assert(!tn_hash_get(h, "", 0, NULL));
    tn_hash_free(h);
    tn_hash_free(NULL);
}

Test(hash_table, out_of_memory_leaves_table_unchanged)
{
    char key[32];
    for (uint64_t every = 2; every <= 6; every++) {
        tn_hash *h = tn_hash_new(0);
        cr_assert_not_null(h);
        int stored = 0;
        tn_alloc_fail_every(every);
        for (int i = 0; i < 2000; i++) {
            size_t n = make_key(key, i);
            int rc = tn_hash_put(h, key, n, value_of(i));
            if (rc == 0) {
                stored++;
            } else {
                cr_assert_eq(rc, TN_ENOMEM);
                cr_assert(!tn_hash_get(h, key, n, NULL), "failed put left key %d", i);
            }
            cr_assert_eq(tn_hash_count(h), (size_t)stored);
        }
        tn_alloc_fail_every(0);
        cr_assert_gt(stored, 0);
        /* everything that was stored can still be found */
        int found = 0;
        for (int i = 0; i < 2000; i++) {
            size_t n = make_key(key, i);
            found += tn_hash_get(h, key, n, NULL);
        }
        cr_assert_eq(found, stored);
        tn_hash_free(h);
    }
}
