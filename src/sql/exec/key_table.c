/* SPDX-License-Identifier: Apache-2.0
 *
 * The hash table of the aggregate's groups and DISTINCT sets and the join's keys: serialised
 * keys to 32-bit ids, with one probe per lookup-or-insert. A slot keeps the full hash, the id
 * and keys of up to 16 bytes inline, so a probe touches one cache line, inserting allocates
 * nothing and an inline key is compared with two word loads; longer keys go to one growing
 * byte buffer. Open addressing with linear probing at a load of at most 3/4. A whole chunk's
 * keys can be upserted in one call, their slots prefetched first.
 */
#include "sql/sql_int.h"

#include <sys/mman.h>

#define KEYS_INLINE 16
#define KEYS_SEED 0x6b65797461626c65ULL

struct tn_exec_key_slot {
    uint64_t hash; /* never 0; 0 marks an empty slot */
    uint32_t id;
    uint32_t len;
    union {
        uint8_t bytes[KEYS_INLINE]; /* len <= 16 */
        uint64_t offset;            /* longer keys: offset into the table's buffer */
    } key;
};

void *tn_exec_table_calloc(size_t count, size_t size)
{
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (count == 0 || size > SIZE_MAX / count)
        return NULL;
    size_t bytes = count * size;
    if (bytes < 2 * huge)
        return tn_calloc(count, size);
    char *p = tn_calloc(count, size);
    if (!p)
        return NULL;
#ifdef MADV_HUGEPAGE
    /* advice only, on the 2 MiB-aligned inside; errors are ignored */
    uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#endif
    return p;
}

int tn_exec_keys_init(tn_exec_keys *t, size_t hint)
{
    memset(t, 0, sizeof *t);
    size_t cap = 64;
    while (cap - cap / 4 < hint)
        cap *= 2;
    t->slots = tn_exec_table_calloc(cap, sizeof *t->slots);
    if (!t->slots)
        return TN_ENOMEM;
    t->mask = cap - 1;
    return 0;
}

void tn_exec_keys_free(tn_exec_keys *t)
{
    tn_free(t->slots);
    tn_free(t->bytes);
    memset(t, 0, sizeof *t);
}

int64_t tn_exec_keys_memory(const tn_exec_keys *t)
{
    return t->slots ? (int64_t)(t->mask + 1) * (int64_t)sizeof *t->slots + (int64_t)t->bytes_cap
                    : 0;
}

static const uint8_t *slot_key(const tn_exec_keys *t, const tn_exec_key_slot *s)
{
    return s->len <= KEYS_INLINE ? s->key.bytes : (const uint8_t *)t->bytes + s->key.offset;
}

static int grow(tn_exec_keys *t)
{
    size_t cap = (t->mask + 1) * 2;
    tn_exec_key_slot *slots = tn_exec_table_calloc(cap, sizeof *slots);
    if (!slots)
        return TN_ENOMEM;
    size_t mask = cap - 1;
    for (size_t i = 0; i <= t->mask; i++) {
        const tn_exec_key_slot *s = &t->slots[i];
        if (!s->hash)
            continue;
        size_t j = (size_t)s->hash & mask;
        while (slots[j].hash)
            j = (j + 1) & mask;
        slots[j] = *s;
    }
    tn_free(t->slots);
    t->slots = slots;
    t->mask = mask;
    return 0;
}

int tn_exec_keys_reserve(tn_exec_keys *t, size_t extra)
{
    while ((t->count + extra) * 4 > (t->mask + 1) * 3)
        if (grow(t) != 0)
            return TN_ENOMEM;
    return 0;
}

uint64_t tn_exec_keys_hash(const void *key, size_t len)
{
    return tn_hash_bytes(key, len, KEYS_SEED);
}

int tn_exec_keys_upsert(tn_exec_keys *t, const void *key, size_t len, uint32_t new_id,
                        uint32_t *id)
{
    return tn_exec_keys_upsert_hashed(t, key, len, tn_hash_bytes(key, len, KEYS_SEED), new_id,
                                      id);
}

/* Whether the key inline in slot s (s->len == len <= KEYS_INLINE) is key: two overlapping
 * loads per side instead of a call to memcmp, as the keys of a group-by mostly are short. */
static inline bool inline_equal(const tn_exec_key_slot *s, const uint8_t *key, size_t len)
{
    uint64_t a0, a1, b0, b1;
    if (len >= 8) {
        memcpy(&a0, s->key.bytes, 8);
        memcpy(&a1, s->key.bytes + len - 8, 8);
        memcpy(&b0, key, 8);
        memcpy(&b1, key + len - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (len >= 4) {
        uint32_t c0, c1, d0, d1;
        memcpy(&c0, s->key.bytes, 4);
        memcpy(&c1, s->key.bytes + len - 4, 4);
        memcpy(&d0, key, 4);
        memcpy(&d1, key + len - 4, 4);
        return ((c0 ^ d0) | (c1 ^ d1)) == 0;
    }
    for (size_t i = 0; i < len; i++)
        if (s->key.bytes[i] != key[i])
            return false;
    return true;
}

/* Whether the out-of-line key a is b (len > KEYS_INLINE): word by word up to 64 bytes, as
 * a call to memcmp costs more than the compare of a group key of a few columns. */
static inline bool long_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len > 64)
        return memcmp(a, b, len) == 0;
    uint64_t diff = 0, x, y;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        diff |= x ^ y;
    }
    /* the last 8 bytes, overlapping the words before */
    memcpy(&x, a + len - 8, 8);
    memcpy(&y, b + len - 8, 8);
    return (diff | (x ^ y)) == 0;
}

static inline bool slot_equal(const tn_exec_keys *t, const tn_exec_key_slot *s, const void *key,
                              size_t len)
{
    if (s->len != len)
        return false;
    return len <= KEYS_INLINE ? inline_equal(s, key, len)
                              : long_equal((const uint8_t *)t->bytes + s->key.offset, key, len);
}

/* The probe and insert of one key; inlined into the batch loop, where a call per key cost
 * as much as the probe itself. */
static inline __attribute__((always_inline)) int upsert(tn_exec_keys *t, const void *key,
                                                        size_t len, uint64_t h,
                                                        uint32_t new_id, uint32_t *id)
{
    h = h ? h : 1;
    size_t i = (size_t)h & t->mask;
    for (;;) {
        const tn_exec_key_slot *s = &t->slots[i];
        if (!s->hash)
            break;
        if (s->hash == h && slot_equal(t, s, key, len)) {
            *id = s->id;
            return 0;
        }
        i = (i + 1) & t->mask;
    }
    if ((t->count + 1) * 4 > (t->mask + 1) * 3) {
        if (grow(t) != 0)
            return TN_ENOMEM;
        i = (size_t)h & t->mask;
        while (t->slots[i].hash)
            i = (i + 1) & t->mask;
    }
    if (len > UINT32_MAX)
        return TN_ELIMIT;
    tn_exec_key_slot *s = &t->slots[i];
    if (len <= KEYS_INLINE) {
        memcpy(s->key.bytes, key, len);
    } else {
        if (t->bytes_len + len > t->bytes_cap) {
            size_t cap = t->bytes_cap ? t->bytes_cap * 2 : 4096;
            while (cap < t->bytes_len + len)
                cap *= 2;
            char *b = tn_realloc(t->bytes, cap);
            if (!b)
                return TN_ENOMEM;
            t->bytes = b;
            t->bytes_cap = cap;
        }
        memcpy(t->bytes + t->bytes_len, key, len);
        s->key.offset = t->bytes_len;
        t->bytes_len += len;
    }
    s->hash = h;
    s->len = (uint32_t)len;
    s->id = new_id;
    t->count++;
    *id = new_id;
    return 1;
}

int tn_exec_keys_upsert_hashed(tn_exec_keys *t, const void *key, size_t len, uint64_t h,
                               uint32_t new_id, uint32_t *id)
{
    return upsert(t, key, len, h, new_id, id);
}

int tn_exec_keys_upsert_batch(tn_exec_keys *t, const uint8_t *bytes, const uint32_t *off,
                              const uint64_t *hash, uint32_t n, uint32_t next_id, uint32_t *ids,
                              uint32_t *fresh)
{
    if (tn_exec_keys_reserve(t, n) != 0)
        return TN_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        __builtin_prefetch(&t->slots[(size_t)(hash[i] ? hash[i] : 1) & t->mask]);
    uint32_t inserted = 0;
    for (uint32_t i = 0; i < n; i++) {
        int rc = upsert(t, bytes + off[i], off[i + 1] - off[i], hash[i], next_id + inserted,
                        &ids[i]);
        if (rc < 0)
            return rc;
        if (rc)
            fresh[inserted++] = i;
    }
    return (int)inserted;
}


void tn_exec_keys_prefetch(const tn_exec_keys *t, uint64_t hash)
{
    __builtin_prefetch(&t->slots[(size_t)(hash ? hash : 1) & t->mask]);
}

bool tn_exec_keys_find(const tn_exec_keys *t, const void *key, size_t len, uint32_t *id)
{
    uint64_t h = tn_hash_bytes(key, len, KEYS_SEED);
    h = h ? h : 1;
    for (size_t i = (size_t)h & t->mask;; i = (i + 1) & t->mask) {
        const tn_exec_key_slot *s = &t->slots[i];
        if (!s->hash)
            return false;
        if (s->hash == h && slot_equal(t, s, key, len)) {
            *id = s->id;
            return true;
        }
    }
}

bool tn_exec_keys_next(const tn_exec_keys *t, size_t *pos, tn_str *key, uint32_t *id)
{
    while (t->slots && *pos <= t->mask) {
        const tn_exec_key_slot *s = &t->slots[(*pos)++];
        if (!s->hash)
            continue;
        *key = tn_str_make((const char *)slot_key(t, s), s->len);
        *id = s->id;
        return true;
    }
    return false;
}
