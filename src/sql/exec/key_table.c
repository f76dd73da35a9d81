/* SPDX-License-Identifier: Apache-2.0
 *
 * The hash table of the aggregate's groups and DISTINCT sets: serialised keys (as
 * tn_exec_key_append writes them) to 32-bit ids, with one probe per lookup-or-insert. A slot
 * keeps the full hash, the id and keys of up to 16 bytes inline, so a probe touches one cache
 * line and inserting allocates nothing; longer keys go to one growing byte buffer. Open
 * addressing with linear probing at a load of at most 3/4.
 */
#include "sql/sql_int.h"

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

int tn_exec_keys_init(tn_exec_keys *t, size_t hint)
{
    memset(t, 0, sizeof *t);
    size_t cap = 64;
    while (cap - cap / 4 < hint)
        cap *= 2;
    t->slots = tn_calloc(cap, sizeof *t->slots);
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
    tn_exec_key_slot *slots = tn_calloc(cap, sizeof *slots);
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

int tn_exec_keys_upsert_hashed(tn_exec_keys *t, const void *key, size_t len, uint64_t h,
                               uint32_t new_id, uint32_t *id)
{
    h = h ? h : 1;
    size_t i = (size_t)h & t->mask;
    for (;;) {
        const tn_exec_key_slot *s = &t->slots[i];
        if (!s->hash)
            break;
        if (s->hash == h && s->len == len && memcmp(slot_key(t, s), key, len) == 0) {
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
        if (s->hash == h && s->len == len && memcmp(slot_key(t, s), key, len) == 0) {
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
