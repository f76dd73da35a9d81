/* SPDX-License-Identifier: Apache-2.0
 *
 * tn_hash_bytes, the byte-string hash used across tarn (hash joins, group-by, dictionaries),
 * and tn_hash, an open-addressing table from byte-string keys to pointers.
 *
 * The hash folds 16 input bytes per step with one 64x64->128-bit multiply whose halves are
 * xored together; the last 1..16 bytes are read with overlapping loads so that there is no
 * byte-at-a-time tail, and a final xor-shift-multiply finisher spreads every input bit over
 * the output. It is deterministic across runs and machines (little-endian loads are made
 * explicit) and is not meant to resist inputs crafted to collide.
 *
 * The table uses linear probing over a power-of-two array, keeps the load at most 3/4, and
 * deletes by shifting later entries back (no tombstones), so lookups never slow down after
 * many removals. Each slot caches the full hash so most mismatches cost no key comparison.
 */
#include "core/core.h"

#define K0 0x9e3779b97f4a7c15ULL /* odd constants with well-spread bits */
#define K1 0xd6e8feb86659fd93ULL
#define K2 0xa0761d6478bd642fULL
#define K3 0xe7037ed1a0b428dbULL

static inline uint64_t fold_mul(uint64_t a, uint64_t b)
{
    unsigned __int128 r = (unsigned __int128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Little-endian loads, so the hash is the same on every machine. */
static inline uint64_t read64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint64_t read32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

/* 64-bit hash of n bytes with a seed. Deterministic; different seeds give unrelated hashes. */
uint64_t tn_hash_bytes(const void *data, size_t n, uint64_t seed)
{
    const uint8_t *p = (const uint8_t *)data;
    uint64_t h = seed ^ K0;
    uint64_t a, b;
    if (n <= 16) {
        if (n >= 8) {
            a = read64(p);
            b = read64(p + n - 8);
        } else if (n >= 4) {
            a = read32(p);
            b = read32(p + n - 4);
        } else if (n > 0) {
            /* first, middle and last byte cover every length from 1 to 3 */
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
            b = 0;
        } else {
            a = 0;
            b = 0;
        }
    } else {
        size_t left = n;
        /* Two independent lanes for long keys keep the multiplier busy. */
        if (left > 64) {
            uint64_t h2 = h ^ K3;
            do {
                h = fold_mul(read64(p) ^ K1, read64(p + 8) ^ h);
                h2 = fold_mul(read64(p + 16) ^ K2, read64(p + 24) ^ h2);
                h = fold_mul(read64(p + 32) ^ K1, read64(p + 40) ^ h);
                h2 = fold_mul(read64(p + 48) ^ K2, read64(p + 56) ^ h2);
                p += 64;
                left -= 64;
            } while (left > 64);
            h ^= h2;
        }
        while (left > 16) {
            h = fold_mul(read64(p) ^ K1, read64(p + 8) ^ h);
            p += 16;
            left -= 16;
        }
        /* The last 16 bytes of the input, overlapping what came before when left < 16. */
        a = read64(p + left - 16);
        b = read64(p + left - 8);
    }
    h = fold_mul(a ^ K1, b ^ h ^ K2);
    return tn_hash_u64(h ^ ((uint64_t)n * K3));
}

/* ---------------------------------------------------------------------------------------- */

typedef struct hash_slot {
    uint64_t hash;  /* full hash, never 0; 0 marks an empty slot */
    char *key;      /* owned copy, NUL-terminated for convenience */
    size_t key_len;
    void *value;
} hash_slot;

struct tn_hash {
    hash_slot *slots;
    size_t mask;  /* capacity - 1; capacity is a power of two */
    size_t count; /* occupied slots */
};

#define HASH_MIN_CAPACITY 16
#define HASH_SEED 0x7461726e68617368ULL

static inline uint64_t key_hash(const void *key, size_t key_len)
{
    uint64_t h = tn_hash_bytes(key, key_len, HASH_SEED);
    return h ? h : 1;
}

/* Smallest power-of-two capacity that holds `count` entries at load <= 3/4. */
static size_t capacity_for(size_t count)
{
    size_t cap = HASH_MIN_CAPACITY;
    while (cap - cap / 4 < count) {
        if (cap > SIZE_MAX / 2 / sizeof(hash_slot))
            return 0;
        cap *= 2;
    }
    return cap;
}

/* New empty table sized for capacity_hint entries without growing. NULL when out of memory. */
tn_hash *tn_hash_new(size_t capacity_hint)
{
    size_t cap = capacity_for(capacity_hint);
    if (cap == 0)
        return NULL;
    tn_hash *hash = tn_malloc(sizeof *hash);
    if (!hash)
        return NULL;
    hash->slots = tn_calloc(cap, sizeof(hash_slot));
    if (!hash->slots) {
        tn_free(hash);
        return NULL;
    }
    hash->mask = cap - 1;
    hash->count = 0;
    return hash;
}

/* Frees the table and its key copies, not the values; accepts NULL. */
void tn_hash_free(tn_hash *hash)
{
    if (!hash)
        return;
    for (size_t i = 0; i <= hash->mask; i++) {
        if (hash->slots[i].hash)
            tn_free(hash->slots[i].key);
    }
    tn_free(hash->slots);
    tn_free(hash);
}

/* Index of key's slot, or of the empty slot where it would go. */
static size_t find_slot(const tn_hash *hash, uint64_t h, const void *key, size_t key_len)
{
    size_t i = (size_t)h & hash->mask;
    for (;;) {
        const hash_slot *s = &hash->slots[i];
        if (s->hash == 0)
            return i;
        if (s->hash == h && s->key_len == key_len &&
            (key_len == 0 || memcmp(s->key, key, key_len) == 0))
            return i;
        i = (i + 1) & hash->mask;
    }
}

/* Rehashes into a table of new_cap slots. Returns 0 or TN_ENOMEM (table unchanged). */
static int grow(tn_hash *hash, size_t new_cap)
{
    hash_slot *slots = tn_calloc(new_cap, sizeof(hash_slot));
    if (!slots)
        return TN_ENOMEM;
    size_t mask = new_cap - 1;
    for (size_t i = 0; i <= hash->mask; i++) {
        hash_slot *s = &hash->slots[i];
        if (!s->hash)
            continue;
        size_t j = (size_t)s->hash & mask;
        while (slots[j].hash)
            j = (j + 1) & mask;
        slots[j] = *s;
    }
    tn_free(hash->slots);
    hash->slots = slots;
    hash->mask = mask;
    return 0;
}

/* Inserts key (copied) -> value, or replaces the value of an existing key. Returns 0 or
 * TN_ENOMEM (the table is then unchanged). */
int tn_hash_put(tn_hash *hash, const void *key, size_t key_len, void *value)
{
    uint64_t h = key_hash(key, key_len);
    size_t i = find_slot(hash, h, key, key_len);
    if (hash->slots[i].hash) {
        hash->slots[i].value = value;
        return 0;
    }
    size_t cap = hash->mask + 1;
    if (hash->count + 1 > cap - cap / 4) {
        if (cap > SIZE_MAX / 2 / sizeof(hash_slot) || grow(hash, cap * 2))
            return TN_ENOMEM;
        i = find_slot(hash, h, key, key_len);
    }
    char *copy = tn_malloc(key_len + 1);
    if (!copy)
        return TN_ENOMEM;
    if (key_len)
        memcpy(copy, key, key_len);
    copy[key_len] = '\0';
    hash_slot *s = &hash->slots[i];
    s->hash = h;
    s->key = copy;
    s->key_len = key_len;
    s->value = value;
    hash->count++;
    return 0;
}

/* True (and *value when value is not NULL) when key is present. */
bool tn_hash_get(const tn_hash *hash, const void *key, size_t key_len, void **value)
{
    size_t i = find_slot(hash, key_hash(key, key_len), key, key_len);
    if (!hash->slots[i].hash)
        return false;
    if (value)
        *value = hash->slots[i].value;
    return true;
}

/* Removes key; true when it was present. Later entries of the same probe run shift back so
 * that no tombstone is left. */
bool tn_hash_remove(tn_hash *hash, const void *key, size_t key_len)
{
    size_t i = find_slot(hash, key_hash(key, key_len), key, key_len);
    if (!hash->slots[i].hash)
        return false;
    tn_free(hash->slots[i].key);
    size_t mask = hash->mask;
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        hash_slot *s = &hash->slots[j];
        if (!s->hash)
            break;
        size_t home = (size_t)s->hash & mask;
        /* s may fill the hole at i only if i lies on its probe path, from home to j. */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            hash->slots[i] = *s;
            i = j;
        }
    }
    memset(&hash->slots[i], 0, sizeof(hash_slot));
    hash->count--;
    return true;
}

/* Number of keys in the table. */
size_t tn_hash_count(const tn_hash *hash)
{
    return hash->count;
}

/* Iteration: start with *pos = 0; each call gives the next entry (key valid until the table
 * changes) and returns false when there are no more. Order is unspecified. */
bool tn_hash_next(const tn_hash *hash, size_t *pos, tn_str *key, void **value)
{
    for (size_t i = *pos; i <= hash->mask; i++) {
        const hash_slot *s = &hash->slots[i];
        if (!s->hash)
            continue;
        if (key)
            *key = tn_str_make(s->key, s->key_len);
        if (value)
            *value = s->value;
        *pos = i + 1;
        return true;
    }
    *pos = hash->mask + 1;
    return false;
}
