/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to the hash aggregate: the operator's state (agg_exec), its per-aggregate state arrays
 * and group tables, shared by aggregate.c (keys, groups, updates, output) and
 * aggregate_merge.c (the partial tables of a parallel input and their merge).
 */
#ifndef TN_SQL_EXEC_AGGREGATE_INT_H
#define TN_SQL_EXEC_AGGREGATE_INT_H

#include "sql/sql_int.h"

#include <string.h>

typedef union agg_value {
    bool b;
    int64_t i;
    double d;
    tn_i128 dec;
    tn_str s;
} agg_value;

typedef struct agg_state {
    int64_t *count;    /* COUNT, AVG: rows counted */
    tn_i128 *isum;     /* SUM/AVG over integers and decimals */
    double *dsum;      /* SUM/AVG over floats */
    agg_value *val;    /* MIN/MAX */
    uint8_t *has;      /* MIN/MAX/SUM: a value was seen */
    tn_exec_keys *distinct; /* DISTINCT: (value, group) pairs seen, distinct_parts tables */
    struct pair_set *pairs; /* the same for values of at most 8 bytes, in compact tables */
} agg_state;

/* A DISTINCT set of (value, group) pairs whose value fits in 8 bytes (its key bits, as
 * distinct_bits gives them): 12-byte slots, under half the general table's, and no key
 * bytes elsewhere. Open addressing with linear probing at a load of at most 3/4. */
typedef struct pair_slot {
    uint32_t value[2]; /* low, high half: 4-byte alignment keeps the slot at 12 bytes */
    uint32_t group;    /* group id + 1; 0 marks an empty slot */
} pair_slot;

static inline uint64_t pair_value(const pair_slot *slot)
{
    return (uint64_t)slot->value[1] << 32 | slot->value[0];
}

typedef struct pair_set {
    pair_slot *slots; /* NULL until the first pair */
    size_t mask;      /* capacity - 1 */
    size_t count;
} pair_set;

/* The groups of a single integer-like key (INTEGER, BIGINT, DATE, TIMESTAMP[TZ]): the value
 * itself is the key, so nothing is serialised and a slot is half the size of the general
 * table's. Open addressing with linear probing at a load of at most 3/4. */
typedef struct int_slot {
    int64_t value;
    uint32_t id;   /* group id + 1; 0 marks an empty slot */
    uint32_t hash; /* the low bits of the value's hash, so that growing needs no rehash */
} int_slot;

typedef struct int_groups {
    int_slot *slots; /* NULL until the first chunk */
    size_t mask;     /* capacity - 1 */
    size_t count;
    uint32_t null_id; /* group id + 1 of the NULL key; 0 while it has none */
} int_groups;

/* A string group key whose column may arrive in dictionary form: its values are interned
 * into dense ids, which stand for it in the group key (as an INTEGER), so a row costs an
 * index lookup instead of copying, hashing and comparing its bytes. Each dictionary's entries
 * are interned once (map); plain values (a PLAIN page, or the string keys of a partial table
 * being merged) one by one. Ids are private to a table: partial tables exchange strings. */
typedef struct key_intern {
    tn_exec_keys strings; /* string -> id */
    uint64_t dict_id;     /* the dictionary `map` was built for, 0 for none */
    uint32_t *map;        /* per entry of that dictionary: its id */
    size_t map_cap;
    tn_vector ids;        /* a chunk's ids (INTEGER, NULL where the key is NULL) */
} key_intern;

typedef struct agg_exec agg_exec;
struct agg_exec {
    tn_exec_op op;
    bool int_key;          /* one integer-like group key: ints instead of groups */
    int_groups ints;       /* integer key -> group id */
    tn_exec_keys groups;   /* serialised key -> group id */
    tn_exec_arg *key_args; /* a chunk's evaluated group keys */
    uint8_t *key_bytes;    /* a chunk's serialised keys */
    size_t key_bytes_cap;
    tn_exec_rows keys;     /* group key values, one row per group */
    tn_schema *key_schema;
    tn_batch *key_batch;   /* this chunk's keys, dense */
    agg_state *states;
    size_t group_count;
    size_t group_cap;
    tn_arena strings;      /* MIN/MAX string copies */
    bool done;
    size_t emit_group;     /* next group to output */
    tn_batch *out;
    int64_t table_bytes;   /* accounted for states and hash tables */
    int64_t keys_bytes;    /* of which the hash tables */
    agg_exec *partials;    /* parallel input: one partial table per worker */
    int partial_count;
    uint32_t distinct_parts; /* partitions of each DISTINCT set: 1, or the workers */
    agg_exec *parts;       /* after a partitioned merge: the result's tables, read in turn */
    uint32_t part_count;
    uint32_t emit_part;    /* next part to output */
    key_intern *interns;   /* per group key, when any key is interned; else NULL */
    tn_exec_arg *id_args;  /* the keys as assign_groups hashes them: interned ones as ids */
    bool packed;           /* two keys, interned or 4-byte integers, packed into one int64
                              key of the integer table (pack_keys) */
    uint32_t *id_groups;   /* one interned key alone: its ids are dense, so group id + 1 per
                              id (0: none yet) replaces the hash table */
    size_t id_groups_cap;
    uint32_t null_group;   /* the NULL key's group id + 1 there; 0 while it has none */
    tn_vector packed_keys; /* a chunk's packed keys (BIGINT, all valid) */
    uint8_t *merged;       /* after a probe merge: per group, 1 when it went into an earlier
                              table's group (not output); NULL before */
    uint32_t *pair_groups; /* two interned keys: group id + 1 (0: none yet) at row id0 + 1,
                              column id1 + 1 (row or column 0: a NULL key), pair_width
                              columns; the ids are dense, so this replaces the hash table
                              until it would pass PAIR_GROUPS_MAX entries */
    size_t pair_rows;
    size_t pair_width;     /* a power of two */
    bool pair_hashed;      /* the pairs outgrew pair_groups: the integer table holds them */
    uint32_t *sum_of;      /* per aggregate: an AVG over the same column as an earlier SUM or
                              AVG (no FILTER, no DISTINCT) only counts its rows and reads that
                              one's sum, sum_of[a] = its index + 1; else 0 */
};


static inline uint64_t distinct_hash(uint64_t value_hash, uint32_t grp)
{
    return value_hash ^ ((uint64_t)grp + 1) * 0x9e3779b97f4a7c15ULL;
}

/* Adds a pair (room reserved before; hash = distinct_hash of the value's hash and group):
 * true when it was new. */
static inline bool pair_set_add(pair_set *t, uint64_t value, uint32_t group, uint64_t hash)
{
    size_t j = (size_t)hash & t->mask;
    for (;;) {
        pair_slot *slot = &t->slots[j];
        if (!slot->group) {
            slot->value[0] = (uint32_t)value;
            slot->value[1] = (uint32_t)(value >> 32);
            slot->group = group + 1;
            t->count++;
            return true;
        }
        if (slot->group == group + 1 && pair_value(slot) == value)
            return false;
        j = (j + 1) & t->mask;
    }
}

/* The hash of a serialised group key: keys of 4 to 16 bytes (one or two short columns) are
 * mixed inline, the others go to tn_exec_keys_hash. */
static inline uint64_t group_hash(const uint8_t *key, size_t len)
{
    uint64_t a, b;
    if (len >= 8 && len <= 16) {
        memcpy(&a, key, 8);
        memcpy(&b, key + len - 8, 8);
    } else if (len >= 4 && len < 8) {
        uint32_t x, y;
        memcpy(&x, key, 4);
        memcpy(&y, key + len - 4, 4);
        a = x;
        b = (uint64_t)y << 32;
    } else {
        return tn_exec_keys_hash(key, len);
    }
    return tn_hash_u64(a ^ tn_hash_u64(b ^ len));
}

/* aggregate.c */
int64_t agg_pair_set_memory(const pair_set *t);
int agg_pair_set_reserve(pair_set *t, size_t extra);
void agg_pair_set_free(pair_set *t);
int agg_oom(agg_exec *s);
int agg_grow_states(agg_exec *s, size_t need);
int agg_account_keys(agg_exec *s);
int agg_distinct_init(agg_exec *s, agg_state *st, tn_type t);
int agg_int_groups_reserve(int_groups *t, size_t extra);
int agg_serialize_keys(agg_exec *s, const tn_exec_arg *keys, uint32_t n, uint32_t *off);
int agg_assign_groups(agg_exec *s, const tn_exec_arg *keys, uint32_t n, uint32_t *g,
                      uint32_t *fresh, uint32_t *nf_out);
int agg_consume(agg_exec *s, const tn_exec_chunk *in);
void agg_table_free(agg_exec *s);
void agg_free_partials(agg_exec *s);
int agg_table_init(agg_exec *s, tn_plan_op *plan);

/* aggregate_merge.c: the partial tables of a parallel input, merged into s */
int agg_consume_parallel(agg_exec *s, int workers);

#endif /* TN_SQL_EXEC_AGGREGATE_INT_H */
