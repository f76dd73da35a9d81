/* SPDX-License-Identifier: Apache-2.0
 *
 * Hash aggregation: GROUP BY keys (any expressions) and the aggregates COUNT(*), COUNT, SUM,
 * AVG, MIN, MAX, each optionally DISTINCT and with FILTER (WHERE ...). Per input chunk, column
 * at a time: the keys are evaluated, then a single integer-like key (INTEGER, BIGINT, DATE,
 * TIMESTAMP) is looked up by its value in a table of its own (a row whose key equals the
 * previous row's, as in a file sorted by the key, takes that group without a probe), and
 * other keys are serialised column by column into one buffer, hashed in one loop and
 * upserted as a batch with their slots prefetched; only new groups' keys are copied. Two
 * string keys in dictionary form index a table of their interned id pairs directly until it
 * would pass 64K entries (TPC-H Q1's flags). Each aggregate then updates the state
 * arrays it needs (agg_needs) in one loop per aggregate and type; with at most 256 groups the
 * chunk's rows are first ordered by group, so that COUNT, SUM and AVG sum a group's rows in a
 * register, and an AVG(x) next to a SUM(x) only counts (sum_of). SUM of integers accumulates
 * in 128 bits and is checked against BIGINT at the end. Without GROUP BY an empty input
 * still gives one row.
 *
 * When the input is a parallel pipeline every worker aggregates its morsels into a partial
 * table of its own. With many groups (and no DISTINCT sums) the partials are then merged in
 * parallel: each partial's groups are listed by a few bits of their key's hash, partition q of
 * every partial goes into result table q, sized beforehand for what it can receive (one pool
 * task per partition), and the output reads the result tables in turn. Otherwise the largest
 * partial becomes the result and the others are merged into it group by group (counts and
 * sums added, MIN/MAX compared). A DISTINCT set holds (value, group) pairs split into one
 * partition per worker by the value's hash, so the same pair lands in the same partition on
 * every worker whatever its group id there; values of at most 8 bytes are kept in compact
 * 12-byte slots (pair_set). The sets are then merged partition by
 * partition on the pool, each task deduplicating its partition of every worker (freeing them
 * as it goes; compact ones into the result's own partition, so no copy is made) and counting
 * the pairs per group: no thread ever holds a full set, and a value seen by two workers
 * counts once.
 */
#include "sql/exec/aggregate_int.h"


/* A DISTINCT pair is stored as the value's key without its tag byte (NULLs never get there)
 * followed by the 4-byte group id. Its partition and its hash derive from the value's hash,
 * so a pair can be moved to another group id without hashing the value again. */
static uint32_t distinct_part(uint64_t value_hash, uint32_t parts)
{
    return (uint32_t)(((value_hash >> 32) * parts) >> 32);
}


/* Whether DISTINCT values of type t go to compact pair sets. */
static bool distinct_compact(tn_type t)
{
    switch ((tn_type_id)t.id) {
    case TN_TYPE_BOOLEAN:
    case TN_TYPE_INTEGER:
    case TN_TYPE_BIGINT:
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE:
    case TN_TYPE_DATE:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: return true;
    case TN_TYPE_DECIMAL: return tn_decimal_is_64(t);
    default: return false;
    }
}

/* The key bits of row r of v (not NULL) for a compact DISTINCT set: the value's bytes in the
 * low bytes (so add_distinct_value reads it back), -0.0 as 0.0 and one NaN. */
static uint64_t distinct_bits(const tn_vector *v, uint32_t r)
{
    uint64_t bits = 0;
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_BOOLEAN: bits = tn_vector_get_bool(v, r); break;
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: memcpy(&bits, &tn_vector_i32(v)[r], 4); break;
    case TN_TYPE_REAL: {
        float f = tn_vector_f32(v)[r];
        f = f == 0 ? 0 : f != f ? __builtin_nanf("") : f;
        memcpy(&bits, &f, sizeof f);
        break;
    }
    case TN_TYPE_DOUBLE: {
        double d = tn_vector_f64(v)[r];
        d = d == 0 ? 0 : d != d ? __builtin_nan("") : d;
        memcpy(&bits, &d, sizeof d);
        break;
    }
    default: memcpy(&bits, &tn_vector_i64(v)[r], 8); break;
    }
    return bits;
}

int64_t agg_pair_set_memory(const pair_set *t)
{
    return t->slots ? (int64_t)(t->mask + 1) * (int64_t)sizeof *t->slots : 0;
}

/* Makes room for `extra` more pairs (rehashing when it grows). 0 or TN_ENOMEM. */
int agg_pair_set_reserve(pair_set *t, size_t extra)
{
    size_t cap = t->slots ? t->mask + 1 : 0;
    size_t want = cap ? cap : 256;
    while ((t->count + extra) * 4 > want * 3)
        want *= 2;
    if (want == cap)
        return 0;
    pair_slot *slots = tn_exec_table_calloc(want, sizeof *slots);
    if (!slots)
        return TN_ENOMEM;
    size_t mask = want - 1;
    for (size_t i = 0; i < cap; i++) {
        const pair_slot *o = &t->slots[i];
        if (!o->group)
            continue;
        size_t j = (size_t)distinct_hash(tn_hash_u64(pair_value(o)), o->group - 1) & mask;
        while (slots[j].group)
            j = (j + 1) & mask;
        slots[j] = *o;
    }
    tn_free(t->slots);
    t->slots = slots;
    t->mask = mask;
    return 0;
}


void agg_pair_set_free(pair_set *t)
{
    tn_free(t->slots);
    memset(t, 0, sizeof *t);
}

int agg_oom(agg_exec *s)
{
    return tn_error_set(s->op.ctx->err, TN_ENOMEM, "out of memory");
}

/* The state arrays an aggregate uses: COUNT counts; SUM keeps a sum (128-bit integer or
 * double by the argument's type) and whether it saw a value; AVG a sum and a count; MIN/MAX
 * a value and whether it saw one. The others stay NULL. */
enum {
    NEED_COUNT = 1,
    NEED_ISUM = 2,
    NEED_DSUM = 4,
    NEED_VAL = 8,
    NEED_HAS = 16,
};

static unsigned agg_needs(const tn_plan_agg *agg)
{
    bool floats = agg->arg && (agg->arg->type.id == TN_TYPE_REAL || agg->arg->type.id == TN_TYPE_DOUBLE);
    switch (agg->kind) {
    case TN_PLAN_AGG_COUNT_STAR:
    case TN_PLAN_AGG_COUNT: return NEED_COUNT;
    case TN_PLAN_AGG_SUM: return (floats ? NEED_DSUM : NEED_ISUM) | NEED_HAS;
    case TN_PLAN_AGG_AVG: return (floats ? NEED_DSUM : NEED_ISUM) | NEED_COUNT;
    case TN_PLAN_AGG_MIN:
    case TN_PLAN_AGG_MAX: return NEED_VAL | NEED_HAS;
    }
    return 0;
}

/* After agg_grow_states failed to grow field failed_flag of aggregate failed_agg to cap:
 * frees every state array with the size it has (cap for those grown before the failure, the
 * old capacity for the others), so that no later free is given a wrong size. The table is
 * left without states: the query ends with the error. */
static void free_states_after_failure(agg_exec *s, uint32_t failed_agg, unsigned failed_flag,
                                      size_t cap)
{
    for (uint32_t a = 0; a < s->op.plan->aggregate.agg_count; a++) {
        agg_state *st = &s->states[a];
#define DROP(field, flag)                                                                      \
    do {                                                                                       \
        bool grown = a < failed_agg || (a == failed_agg && (flag) < failed_flag);             \
        tn_large_free(st->field, (grown ? cap : s->group_cap) * sizeof *st->field);            \
        st->field = NULL;                                                                      \
    } while (0)
        DROP(count, NEED_COUNT);
        DROP(isum, NEED_ISUM);
        DROP(dsum, NEED_DSUM);
        DROP(val, NEED_VAL);
        DROP(has, NEED_HAS);
#undef DROP
    }
    s->group_cap = 0;
}

int agg_grow_states(agg_exec *s, size_t need)
{
    if (need <= s->group_cap)
        return 0;
    /* a first size is taken as given: the partitioned merge knows its bound */
    size_t cap = s->group_cap ? s->group_cap * 2 : need > 1024 ? need : 1024;
    while (cap < need)
        cap *= 2;
    tn_plan_op *plan = s->op.plan;
    int64_t bytes = 0;
    for (uint32_t a = 0; a < plan->aggregate.agg_count; a++) {
        agg_state *st = &s->states[a];
        unsigned needs = agg_needs(&plan->aggregate.aggs[a]);
#define GROW(field, flag)                                                                      \
    do {                                                                                       \
        if (!(needs & (flag)))                                                                 \
            break;                                                                             \
        /* the new part reads as zero; a large array's untouched pages stay unmapped */     \
        void *p = tn_large_realloc(st->field, s->group_cap * sizeof *st->field,                \
                                    cap * sizeof *st->field);                                  \
        if (!p) {                                                                              \
            free_states_after_failure(s, a, flag, cap);                                        \
            return agg_oom(s);                                                                 \
        }                                                                                      \
        st->field = p;                                                                         \
        bytes += (int64_t)((cap - s->group_cap) * sizeof *st->field);                          \
    } while (0)
        GROW(count, NEED_COUNT);
        GROW(isum, NEED_ISUM);
        GROW(dsum, NEED_DSUM);
        GROW(val, NEED_VAL);
        GROW(has, NEED_HAS);
#undef GROW
    }
    s->table_bytes += bytes;
    s->group_cap = cap;
    return tn_exec_memory_add(s->op.ctx, bytes);
}

static bool is_int(tn_type t)
{
    return t.id == TN_TYPE_INTEGER || t.id == TN_TYPE_BIGINT || t.id == TN_TYPE_BOOLEAN;
}

/* The loops of update_agg: one per aggregate and type, over the rows whose argument is not
 * NULL. r is the row of the argument's vector, grp its group. */
#define FOR_VALID_ROWS(body)                                                                   \
    for (uint32_t k = 0; k < n; k++) {                                                         \
        uint32_t r = sel[rows[k]], grp = g[rows[k]];                                           \
        if (!tn_vector_is_valid(v, r))                                                         \
            continue;                                                                          \
        body                                                                                   \
    }

/* FOR_VALID_ROWS over a vector without NULLs: no validity test per row. */
#define FOR_ALL_ROWS(body)                                                                     \
    for (uint32_t k = 0; k < n; k++) {                                                         \
        uint32_t r = sel[rows[k]], grp = g[rows[k]];                                           \
        body                                                                                   \
    }
#define FOR_ROWS(body)                                                                         \
    if (v->null_count == 0)                                                                    \
        FOR_ALL_ROWS(body)                                                                     \
    else                                                                                       \
        FOR_VALID_ROWS(body)

#define MIN_MAX_LOOP(field, load)                                                              \
    do {                                                                                       \
        if (is_min) {                                                                          \
            FOR_VALID_ROWS(__typeof__(val->field) x = (load);                                  \
                           if (!has[grp] || x < val[grp].field) val[grp].field = x;            \
                           has[grp] = 1;)                                                      \
        } else {                                                                               \
            FOR_VALID_ROWS(__typeof__(val->field) x = (load);                                  \
                           if (!has[grp] || x > val[grp].field) val[grp].field = x;            \
                           has[grp] = 1;)                                                      \
        }                                                                                      \
    } while (0)

/* Updates one aggregate for rows rows[0..n) (positions in the chunk), groups g[]. */
static int update_agg(agg_exec *s, const tn_plan_agg *agg, agg_state *st, const tn_exec_arg *a,
                      const uint32_t *rows, uint32_t n, const uint32_t *g)
{
    if (agg->kind == TN_PLAN_AGG_COUNT_STAR) {
        int64_t *count = st->count;
        for (uint32_t k = 0; k < n; k++)
            count[g[rows[k]]]++;
        return 0;
    }
    const tn_vector *v = a->vec;
    const uint32_t *sel = a->sel;
    tn_type t = v->type;
    switch (agg->kind) {
    case TN_PLAN_AGG_COUNT: {
        int64_t *count = st->count;
        for (uint32_t k = 0; k < n; k++)
            count[g[rows[k]]] += tn_vector_is_valid(v, sel[rows[k]]);
        return 0;
    }
    case TN_PLAN_AGG_SUM:
    case TN_PLAN_AGG_AVG: {
        /* SUM notes that its group saw a value, AVG counts it (agg_needs) */
        tn_i128 *isum = st->isum;
        double *dsum = st->dsum;
        uint8_t *has = st->has;
        int64_t *count = st->count;
        bool overflow = false;
#define SUM_LOOPS(mark)                                                                        \
    switch ((tn_type_id)t.id) {                                                                \
    case TN_TYPE_INTEGER: FOR_VALID_ROWS(isum[grp] += tn_vector_i32(v)[r]; mark) break;        \
    case TN_TYPE_BIGINT: FOR_VALID_ROWS(isum[grp] += tn_vector_i64(v)[r]; mark) break;         \
    case TN_TYPE_DECIMAL: {                                                                    \
        if (tn_decimal_is_64(t)) {                                                             \
            /* int64 addends: 2^64 of them would be needed to overflow the 128-bit sum */      \
            const int64_t *x = tn_vector_i64(v);                                               \
            FOR_ROWS(isum[grp] += x[r]; mark)                                                  \
            break;                                                                             \
        }                                                                                      \
        const tn_i128 *x = tn_vector_i128(v);                                                  \
        FOR_ROWS(overflow |= __builtin_add_overflow(isum[grp], x[r], &isum[grp]); mark)        \
        break;                                                                                 \
    }                                                                                          \
    case TN_TYPE_REAL: FOR_VALID_ROWS(dsum[grp] += tn_vector_f32(v)[r]; mark) break;           \
    case TN_TYPE_DOUBLE: FOR_VALID_ROWS(dsum[grp] += tn_vector_f64(v)[r]; mark) break;         \
    default: FOR_VALID_ROWS(mark) break;                                                       \
    }
        if (agg->kind == TN_PLAN_AGG_SUM)
            SUM_LOOPS(has[grp] = 1;)
        else
            SUM_LOOPS(count[grp]++;)
#undef SUM_LOOPS
        if (overflow)
            return tn_error_set(s->op.ctx->err, TN_EOVERFLOW, "SUM out of range");
        return 0;
    }
    case TN_PLAN_AGG_MIN:
    case TN_PLAN_AGG_MAX: {
        bool is_min = agg->kind == TN_PLAN_AGG_MIN;
        agg_value *val = st->val;
        uint8_t *has = st->has;
        switch ((tn_type_id)t.id) {
        case TN_TYPE_BOOLEAN: MIN_MAX_LOOP(b, tn_vector_get_bool(v, r)); break;
        case TN_TYPE_INTEGER:
        case TN_TYPE_DATE: MIN_MAX_LOOP(i, tn_vector_i32(v)[r]); break;
        case TN_TYPE_BIGINT:
        case TN_TYPE_TIMESTAMP:
        case TN_TYPE_TIMESTAMPTZ: MIN_MAX_LOOP(i, tn_vector_i64(v)[r]); break;
        case TN_TYPE_REAL: MIN_MAX_LOOP(d, tn_vector_f32(v)[r]); break;
        case TN_TYPE_DOUBLE: MIN_MAX_LOOP(d, tn_vector_f64(v)[r]); break;
        case TN_TYPE_DECIMAL:
            if (tn_decimal_is_64(t))
                MIN_MAX_LOOP(dec, tn_vector_i64(v)[r]);
            else
                MIN_MAX_LOOP(dec, tn_vector_i128(v)[r]);
            break;
        case TN_TYPE_VARCHAR:
        case TN_TYPE_BLOB:
            for (uint32_t k = 0; k < n; k++) {
                uint32_t r = sel[rows[k]], grp = g[rows[k]];
                if (!tn_vector_is_valid(v, r))
                    continue;
                tn_str x = tn_vector_get_str(v, r);
                int c = has[grp] ? tn_str_cmp(x, val[grp].s) : 0;
                if (!has[grp] || (is_min ? c < 0 : c > 0)) {
                    char *p = tn_arena_alloc(&s->strings, x.len + 1);
                    if (!p)
                        return agg_oom(s);
                    memcpy(p, x.ptr, x.len);
                    val[grp].s = tn_str_make(p, x.len);
                }
                has[grp] = 1;
            }
            break;
        default: break;
        }
        return 0;
    }
    default:
        return 0;
    }
}

/* With few groups, a chunk's rows are first ordered by group (a stable counting sort, once
 * per chunk), so that each aggregate then sums a group's rows into a register instead of
 * loading and storing its state at every row. */
#define GROUPED_MAX 256

typedef struct chunk_groups {
    uint32_t count;                       /* groups present in the chunk */
    uint32_t touched[GROUPED_MAX];        /* their ids, ascending */
    uint32_t start[GROUPED_MAX + 1];      /* group touched[t]'s rows: order[start[t], start[t + 1]) */
    const uint32_t *order;                /* the chunk's rows, by group, in input order within one */
    uint32_t order_buf[TN_BATCH_ROWS];    /* order, unless it is the identity */
} chunk_groups;

/* Whether ordering a chunk's rows by group pays for itself: what each aggregate saves per
 * row in the grouped loops (a sum about 7 instructions, a count about 5) against the
 * ordering's cost of about 14, free with a single group. */
static bool grouped_pays(const tn_plan_op *plan, const uint32_t *sum_of, size_t group_count)
{
    if (group_count > GROUPED_MAX)
        return false;
    if (group_count <= 1)
        return true;
    uint32_t gain = 0;
    for (uint32_t a = 0; a < plan->aggregate.agg_count; a++) {
        const tn_plan_agg *agg = &plan->aggregate.aggs[a];
        if (agg->filter || agg->distinct)
            continue;
        if (agg->kind == TN_PLAN_AGG_COUNT_STAR || agg->kind == TN_PLAN_AGG_COUNT || sum_of[a])
            gain += 5;
        else if (agg->kind == TN_PLAN_AGG_SUM || agg->kind == TN_PLAN_AGG_AVG)
            gain += 7;
    }
    return gain >= 14;
}

/* Orders rows [0, n) with group ids g[] (all below group_count <= GROUPED_MAX) into cg. */
static void chunk_groups_build(chunk_groups *cg, const uint32_t *g, uint32_t n,
                               uint32_t group_count)
{
    if (group_count == 1) {
        /* every row is in group 0, in order already */
        cg->touched[0] = 0;
        cg->start[0] = 0;
        cg->start[1] = n;
        cg->count = n > 0;
        cg->order = tn_exec_identity;
        return;
    }
    uint32_t next[GROUPED_MAX];
    memset(next, 0, group_count * sizeof *next);
    for (uint32_t i = 0; i < n; i++)
        next[g[i]]++;
    uint32_t pos = 0, c = 0;
    for (uint32_t grp = 0; grp < group_count; grp++) {
        uint32_t rows = next[grp];
        if (!rows)
            continue;
        cg->touched[c] = grp;
        cg->start[c++] = pos;
        next[grp] = pos;
        pos += rows;
    }
    cg->start[c] = pos;
    cg->count = c;
    for (uint32_t i = 0; i < n; i++)
        cg->order_buf[next[g[i]]++] = i;
    cg->order = cg->order_buf;
}

/* The loop of update_agg_grouped: per group, its state read into acc, the add run for each
 * row whose argument is not NULL (r its row of the argument's vector), acc written back and
 * `seen` valid rows noted (SUM: a value was seen, AVG: counted). The adds are those of
 * update_agg, in the same order, so float sums and overflow checks come out the same. */
#define GROUPED_LOOP(state, add)                                                               \
    for (uint32_t t = 0; t < cg->count; t++) {                                                 \
        uint32_t grp = cg->touched[t], b = cg->start[t], e = cg->start[t + 1], seen = e - b;   \
        __typeof__(state[0]) acc = state[grp];                                                 \
        if (v->null_count == 0) {                                                              \
            for (uint32_t j = b; j < e; j++) {                                                 \
                uint32_t r = sel[cg->order[j]];                                                \
                add;                                                                           \
            }                                                                                  \
        } else {                                                                               \
            seen = 0;                                                                          \
            for (uint32_t j = b; j < e; j++) {                                                 \
                uint32_t r = sel[cg->order[j]];                                                \
                if (!tn_vector_is_valid(v, r))                                                 \
                    continue;                                                                  \
                seen++;                                                                        \
                add;                                                                           \
            }                                                                                  \
        }                                                                                      \
        state[grp] = acc;                                                                      \
        if (is_sum)                                                                            \
            has[grp] |= seen != 0;                                                             \
        else                                                                                   \
            count[grp] += seen;                                                                \
    }

/* update_agg over all rows of a chunk ordered by group (cg): COUNT(*), COUNT, and SUM/AVG of
 * numbers. *handled is false for the other aggregates, which update_agg takes. */
static int update_agg_grouped(agg_exec *s, const tn_plan_agg *agg, agg_state *st,
                              const tn_exec_arg *a, const chunk_groups *cg, bool *handled)
{
    *handled = true;
    int64_t *count = st->count;
    if (agg->kind == TN_PLAN_AGG_COUNT_STAR) {
        for (uint32_t t = 0; t < cg->count; t++)
            count[cg->touched[t]] += cg->start[t + 1] - cg->start[t];
        return 0;
    }
    const tn_vector *v = a->vec;
    const uint32_t *sel = a->sel;
    if (agg->kind == TN_PLAN_AGG_COUNT && v->null_count == 0) {
        for (uint32_t t = 0; t < cg->count; t++)
            count[cg->touched[t]] += cg->start[t + 1] - cg->start[t];
        return 0;
    }
    if (agg->kind == TN_PLAN_AGG_COUNT) {
        for (uint32_t t = 0; t < cg->count; t++) {
            uint32_t seen = 0;
            for (uint32_t j = cg->start[t]; j < cg->start[t + 1]; j++)
                seen += tn_vector_is_valid(v, sel[cg->order[j]]);
            count[cg->touched[t]] += seen;
        }
        return 0;
    }
    bool is_sum = agg->kind == TN_PLAN_AGG_SUM;
    if (!is_sum && agg->kind != TN_PLAN_AGG_AVG) {
        *handled = false;
        return 0;
    }
    tn_i128 *isum = st->isum;
    double *dsum = st->dsum;
    uint8_t *has = st->has;
    bool overflow = false;
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_INTEGER: {
        const int32_t *x = tn_vector_i32(v);
        GROUPED_LOOP(isum, acc += x[r]);
        break;
    }
    case TN_TYPE_BIGINT: {
        const int64_t *x = tn_vector_i64(v);
        GROUPED_LOOP(isum, acc += x[r]);
        break;
    }
    case TN_TYPE_DECIMAL:
        if (tn_decimal_is_64(v->type)) {
            const int64_t *x = tn_vector_i64(v);
            GROUPED_LOOP(isum, acc += x[r]);
        } else {
            const tn_i128 *x = tn_vector_i128(v);
            GROUPED_LOOP(isum, overflow |= __builtin_add_overflow(acc, x[r], &acc));
        }
        break;
    case TN_TYPE_REAL: {
        const float *x = tn_vector_f32(v);
        GROUPED_LOOP(dsum, acc += x[r]);
        break;
    }
    case TN_TYPE_DOUBLE: {
        const double *x = tn_vector_f64(v);
        GROUPED_LOOP(dsum, acc += x[r]);
        break;
    }
    default:
        *handled = false;
        return 0;
    }
    if (overflow)
        return tn_error_set(s->op.ctx->err, TN_EOVERFLOW, "SUM out of range");
    return 0;
}

#undef GROUPED_LOOP

#undef MIN_MAX_LOOP
#undef FOR_ROWS
#undef FOR_ALL_ROWS
#undef FOR_VALID_ROWS

static int64_t int_groups_memory(const int_groups *t)
{
    return t->slots ? (int64_t)(t->mask + 1) * (int64_t)sizeof *t->slots : 0;
}

/* Accounts what the hash tables grew by since the last call. */
int agg_account_keys(agg_exec *s)
{
    int64_t total = tn_exec_keys_memory(&s->groups) + int_groups_memory(&s->ints) +
                    (int64_t)s->key_bytes_cap;
    for (uint32_t k = 0; s->interns && k < s->op.plan->aggregate.group_count; k++)
        total += tn_exec_keys_memory(&s->interns[k].strings) +
                 (int64_t)(s->interns[k].map_cap * sizeof(uint32_t));
    for (uint32_t a = 0; a < s->op.plan->aggregate.agg_count; a++)
        for (uint32_t p = 0; p < s->distinct_parts; p++) {
            if (s->states[a].distinct)
                total += tn_exec_keys_memory(&s->states[a].distinct[p]);
            if (s->states[a].pairs)
                total += agg_pair_set_memory(&s->states[a].pairs[p]);
        }
    int64_t delta = total - s->keys_bytes;
    if (delta == 0)
        return 0;
    s->keys_bytes = total;
    s->table_bytes += delta;
    return tn_exec_memory_add(s->op.ctx, delta);
}

int agg_distinct_init(agg_exec *s, agg_state *st, tn_type t)
{
    if (distinct_compact(t)) {
        st->pairs = tn_calloc(s->distinct_parts, sizeof *st->pairs);
        return st->pairs ? 0 : agg_oom(s);
    }
    st->distinct = tn_calloc(s->distinct_parts, sizeof *st->distinct);
    if (!st->distinct)
        return agg_oom(s);
    for (uint32_t p = 0; p < s->distinct_parts; p++)
        if (tn_exec_keys_init(&st->distinct[p], 1024 / s->distinct_parts) != 0)
            return agg_oom(s);
    return 0;
}

/* ---- group ids ----------------------------------------------------------------------- */

static bool is_int_key(tn_type t)
{
    return t.id == TN_TYPE_INTEGER || t.id == TN_TYPE_DATE || t.id == TN_TYPE_BIGINT ||
           t.id == TN_TYPE_TIMESTAMP || t.id == TN_TYPE_TIMESTAMPTZ ||
           (t.id == TN_TYPE_DECIMAL && tn_decimal_is_64(t));
}

/* Makes room for `extra` more keys at a load of at most 3/4 (rehashing when it grows). */
int agg_int_groups_reserve(int_groups *t, size_t extra)
{
    size_t cap = t->slots ? t->mask + 1 : 0;
    size_t want = cap ? cap : 1024;
    while ((t->count + extra) * 4 > want * 3)
        want *= 2;
    if (want == cap)
        return 0;
    int_slot *slots = tn_large_calloc(want, sizeof *slots);
    if (!slots)
        return TN_ENOMEM;
    size_t mask = want - 1;
    bool kept = mask <= UINT32_MAX; /* the slots' hash bits cover the new mask */
    for (size_t i = 0; i < cap; i++) {
        const int_slot *o = &t->slots[i];
        if (!o->id)
            continue;
        size_t j = (kept ? (size_t)o->hash : (size_t)tn_hash_u64((uint64_t)o->value)) & mask;
        while (slots[j].id)
            j = (j + 1) & mask;
        slots[j] = *o;
    }
    tn_large_free(t->slots, cap * sizeof *t->slots);
    t->slots = slots;
    t->mask = mask;
    return 0;
}

/* Maps rows [0, n) of the single integer key column v to group ids in g[], giving new keys
 * the next ids (s->group_count grows) and listing their rows in fresh[]. */
static int assign_int_groups(agg_exec *s, const tn_exec_arg *key, uint32_t n, uint32_t *g,
                             uint32_t *fresh, uint32_t *nf_out)
{
    int_groups *t = &s->ints;
    const tn_vector *v = key->vec;
    const uint32_t *sel = key->sel;
    int64_t vals[TN_BATCH_ROWS];
    uint64_t hash[TN_BATCH_ROWS];
    if (tn_type_width(v->type) == 4) {
        const int32_t *x = tn_vector_i32(v);
        for (uint32_t i = 0; i < n; i++)
            vals[i] = x[sel[i]];
    } else {
        const int64_t *x = tn_vector_i64(v);
        for (uint32_t i = 0; i < n; i++)
            vals[i] = x[sel[i]];
    }
    if (agg_int_groups_reserve(t, n) != 0)
        return agg_oom(s);
    /* a key in a run of equal ones takes the run's hash, and needs no prefetch (see below) */
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0 && vals[i] == vals[i - 1]) {
            hash[i] = hash[i - 1];
            continue;
        }
        hash[i] = tn_hash_u64((uint64_t)vals[i]);
        __builtin_prefetch(&t->slots[(size_t)hash[i] & t->mask]);
    }
    uint32_t nf = 0;
    uint32_t next = (uint32_t)s->group_count;
    /* a key equal to the previous valid row's takes its group without a probe: keys often
     * come in runs (a file sorted or clustered by them, as TPC-H's lineitem by l_orderkey) */
    int64_t last = 0;
    uint32_t last_group = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(v, sel[i])) {
            if (!t->null_id) {
                t->null_id = ++next;
                fresh[nf++] = i;
            }
            g[i] = t->null_id - 1;
            continue;
        }
        if (vals[i] == last && last_group != UINT32_MAX) {
            g[i] = last_group;
            continue;
        }
        size_t j = (size_t)hash[i] & t->mask;
        int_slot *slot;
        for (;;) {
            slot = &t->slots[j];
            if (!slot->id || slot->value == vals[i])
                break;
            j = (j + 1) & t->mask;
        }
        if (!slot->id) {
            slot->value = vals[i];
            slot->hash = (uint32_t)hash[i];
            slot->id = ++next;
            t->count++;
            fresh[nf++] = i;
        }
        g[i] = slot->id - 1;
        last = vals[i];
        last_group = g[i];
    }
    s->group_count = next;
    *nf_out = nf;
    return 0;
}

/* Copies len bytes from src to dst: strings of up to 16 bytes (most group keys) with two
 * overlapping loads and stores instead of a call to memcpy. */
static inline void copy_short(uint8_t *dst, const uint8_t *src, size_t len)
{
    uint64_t a, b;
    if (len > 16) {
        memcpy(dst, src, len);
    } else if (len >= 8) {
        memcpy(&a, src, 8);
        memcpy(&b, src + len - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + len - 8, &b, 8);
    } else if (len >= 4) {
        uint32_t c, d;
        memcpy(&c, src, 4);
        memcpy(&d, src + len - 4, 4);
        memcpy(dst, &c, 4);
        memcpy(dst + len - 4, &d, 4);
    } else {
        for (size_t i = 0; i < len; i++)
            dst[i] = src[i];
    }
}

/* Writes the group key of rows [0, n) of the key columns keys[] (one per group key), column
 * by column, to s->key_bytes: row i's key is bytes off[i] .. off[i + 1]. Per column a tag
 * byte, then for fixed-width types (tag 0 NULL, 1 a value) the value at its width (zeros
 * for NULL; -0.0 as 0.0 and one NaN, as equality wants); for strings nothing after a NULL's
 * tag 0, a 1-byte length and the bytes after tag 1 (shorter than 255 bytes, so that keys of
 * short strings fit a key table slot) and a 4-byte length and the bytes after tag 2. One
 * encoding for every value, so equal keys are equal bytes. */
int agg_serialize_keys(agg_exec *s, const tn_exec_arg *keys, uint32_t n, uint32_t *off)
{
    uint32_t columns = s->op.plan->aggregate.group_count;
    size_t fixed = 0;
    bool varlen = false;
    for (uint32_t k = 0; k < columns; k++) {
        tn_type t = keys[k].vec->type;
        varlen = varlen || tn_type_is_varlen(t);
        fixed += 1 + (tn_type_is_varlen(t) ? 0 : t.id == TN_TYPE_BOOLEAN ? 1 : tn_type_width(t));
    }
    size_t total = 0;
    if (!varlen) {
        for (uint32_t i = 0; i <= n; i++)
            off[i] = (uint32_t)(i * fixed);
        total = n * fixed;
    } else {
        /* the strings' lengths column by column (off[i + 1] holds row i's), then their sums */
        for (uint32_t i = 0; i < n; i++)
            off[i + 1] = (uint32_t)fixed;
        for (uint32_t k = 0; k < columns; k++) {
            const tn_vector *v = keys[k].vec;
            const uint32_t *sel = keys[k].sel;
            if (!tn_type_is_varlen(v->type))
                continue;
            for (uint32_t i = 0; i < n; i++) {
                uint32_t r = sel[i];
                uint32_t bytes = (uint32_t)(v->offsets[r + 1] - v->offsets[r]);
                off[i + 1] += tn_vector_is_valid(v, r) ? (bytes < 255 ? 1 : 4) + bytes : 0;
            }
        }
        off[0] = 0;
        for (uint32_t i = 0; i < n; i++) {
            total += off[i + 1];
            if (total > UINT32_MAX)
                return tn_error_set(s->op.ctx->err, TN_ELIMIT, "group keys of a chunk pass 4 GiB");
            off[i + 1] = (uint32_t)total;
        }
    }
    if (total > s->key_bytes_cap) {
        size_t cap = s->key_bytes_cap ? s->key_bytes_cap : 4096;
        while (cap < total)
            cap *= 2;
        uint8_t *b = tn_realloc(s->key_bytes, cap);
        if (!b)
            return agg_oom(s);
        s->key_bytes = b;
        s->key_bytes_cap = cap;
    }
    uint32_t pos[TN_BATCH_ROWS];
    memcpy(pos, off, n * sizeof *pos);
    uint8_t *out = s->key_bytes;
    for (uint32_t k = 0; k < columns; k++) {
        const tn_vector *v = keys[k].vec;
        const uint32_t *sel = keys[k].sel;
        switch ((tn_type_id)v->type.id) {
        case TN_TYPE_BOOLEAN:
            for (uint32_t i = 0; i < n; i++) {
                uint8_t valid = (uint8_t)tn_vector_is_valid(v, sel[i]);
                out[pos[i]] = valid;
                out[pos[i] + 1] = valid & (uint8_t)tn_vector_get_bool(v, sel[i]);
                pos[i] += 2;
            }
            break;
        case TN_TYPE_VARCHAR:
        case TN_TYPE_BLOB:
            for (uint32_t i = 0; i < n; i++) {
                uint8_t *p = out + pos[i];
                if (!tn_vector_is_valid(v, sel[i])) {
                    *p = 0;
                    pos[i] += 1;
                    continue;
                }
                uint32_t len = (uint32_t)(v->offsets[sel[i] + 1] - v->offsets[sel[i]]);
                if (len < 255) {
                    p[0] = 1;
                    p[1] = (uint8_t)len;
                    p += 2;
                } else {
                    p[0] = 2;
                    memcpy(p + 1, &len, sizeof len);
                    p += 5;
                }
                copy_short(p, (const uint8_t *)v->data + v->offsets[sel[i]], len);
                pos[i] = (uint32_t)(p + len - out);
            }
            break;
        case TN_TYPE_DOUBLE:
            for (uint32_t i = 0; i < n; i++) {
                uint8_t valid = (uint8_t)tn_vector_is_valid(v, sel[i]);
                double d = valid ? tn_vector_f64(v)[sel[i]] : 0;
                d = d == 0 ? 0 : d != d ? __builtin_nan("") : d;
                out[pos[i]] = valid;
                memcpy(out + pos[i] + 1, &d, sizeof d);
                pos[i] += 1 + sizeof d;
            }
            break;
        case TN_TYPE_REAL:
            for (uint32_t i = 0; i < n; i++) {
                uint8_t valid = (uint8_t)tn_vector_is_valid(v, sel[i]);
                float f = valid ? tn_vector_f32(v)[sel[i]] : 0;
                f = f == 0 ? 0 : f != f ? __builtin_nanf("") : f;
                out[pos[i]] = valid;
                memcpy(out + pos[i] + 1, &f, sizeof f);
                pos[i] += 1 + sizeof f;
            }
            break;
        case TN_TYPE_INTEGER:
        case TN_TYPE_DATE:
            for (uint32_t i = 0; i < n; i++) {
                uint8_t valid = (uint8_t)tn_vector_is_valid(v, sel[i]);
                int32_t x = valid ? tn_vector_i32(v)[sel[i]] : 0;
                out[pos[i]] = valid;
                memcpy(out + pos[i] + 1, &x, sizeof x);
                pos[i] += 1 + sizeof x;
            }
            break;
        case TN_TYPE_BIGINT:
        case TN_TYPE_TIMESTAMP:
        case TN_TYPE_TIMESTAMPTZ:
            for (uint32_t i = 0; i < n; i++) {
                uint8_t valid = (uint8_t)tn_vector_is_valid(v, sel[i]);
                int64_t x = valid ? tn_vector_i64(v)[sel[i]] : 0;
                out[pos[i]] = valid;
                memcpy(out + pos[i] + 1, &x, sizeof x);
                pos[i] += 1 + sizeof x;
            }
            break;
        case TN_TYPE_DECIMAL:
            if (tn_decimal_is_64(v->type)) {
                for (uint32_t i = 0; i < n; i++) {
                    uint8_t valid = (uint8_t)tn_vector_is_valid(v, sel[i]);
                    int64_t x = valid ? tn_vector_i64(v)[sel[i]] : 0;
                    out[pos[i]] = valid;
                    memcpy(out + pos[i] + 1, &x, sizeof x);
                    pos[i] += 1 + sizeof x;
                }
                break;
            }
            for (uint32_t i = 0; i < n; i++) {
                uint8_t valid = (uint8_t)tn_vector_is_valid(v, sel[i]);
                tn_i128 x = valid ? tn_vector_i128(v)[sel[i]] : 0;
                out[pos[i]] = valid;
                memcpy(out + pos[i] + 1, &x, sizeof x);
                pos[i] += 1 + sizeof x;
            }
            break;
        default:
            for (uint32_t i = 0; i < n; i++)
                out[pos[i]++] = 0;
            break;
        }
    }
    return 0;
}


/* The id of a string in the intern table t (a new one when absent). */
static int intern_string(key_intern *t, tn_str str, uint32_t *id)
{
    int rc = tn_exec_keys_upsert(&t->strings, str.ptr, str.len, (uint32_t)t->strings.count, id);
    return rc < 0 ? rc : 0;
}

/* Points t->map at dictionary d: every entry interned. */
static int intern_dictionary(key_intern *t, const tn_dictionary *d)
{
    if (t->map_cap < d->count) {
        uint32_t *map = tn_malloc((d->count ? d->count : 1) * sizeof *map);
        if (!map)
            return TN_ENOMEM;
        tn_free(t->map);
        t->map = map;
        t->map_cap = d->count;
    }
    t->dict_id = 0;
    for (uint32_t e = 0; e < d->count; e++) {
        int rc = intern_string(t, tn_vector_get_str(&d->entries, e), &t->map[e]);
        if (rc)
            return rc;
    }
    t->dict_id = d->id;
    return 0;
}

/* s->id_args: keys[] with every interned key column replaced by its values' ids, rows
 * [0, n) dense. */
static int intern_keys(agg_exec *s, const tn_exec_arg *keys, uint32_t n)
{
    uint32_t gk = s->op.plan->aggregate.group_count;
    for (uint32_t k = 0; k < gk; k++) {
        key_intern *t = &s->interns[k];
        if (!t->ids.validity) {
            s->id_args[k] = keys[k];
            continue;
        }
        const tn_vector *v = keys[k].vec;
        const uint32_t *sel = keys[k].sel;
        int32_t *ids = tn_vector_i32(&t->ids);
        tn_vector_reset(&t->ids);
        int rc = 0;
        if (v->dict) {
            if (t->dict_id != v->dict->id && (rc = intern_dictionary(t, v->dict)) != 0)
                return agg_oom(s);
            /* NULL rows index the dictionary's NULL entry, past the map: read only valid */
            const uint32_t *idx = tn_vector_indices(v);
            const uint32_t *map = t->map;
            if (v->null_count == 0) {
                for (uint32_t i = 0; i < n; i++)
                    ids[i] = (int32_t)map[idx[sel[i]]];
            } else {
                for (uint32_t i = 0; i < n; i++) {
                    bool valid = tn_vector_is_valid(v, sel[i]);
                    ids[i] = valid ? (int32_t)map[idx[sel[i]]] : 0;
                    if (!valid)
                        tn_vector_set_null(&t->ids, i);
                }
            }
        } else {
            for (uint32_t i = 0; i < n; i++) {
                uint32_t id = 0;
                if (!tn_vector_is_valid(v, sel[i]))
                    tn_vector_set_null(&t->ids, i);
                else if ((rc = intern_string(t, tn_vector_get_str(v, sel[i]), &id)) != 0)
                    return agg_oom(s);
                ids[i] = (int32_t)id;
            }
        }
        s->id_args[k] = (tn_exec_arg){&t->ids, tn_exec_identity};
    }
    return 0;
}

/* The two keys of a packed table as one int64 per row, in s->packed_keys: two interned ids
 * as (id + 1) << 32 | (id + 1), 0 for NULL; an integer and an interned id as the integer's
 * 32 bits << 32 | its NULL flag << 31 | (id + 1). Distinct key pairs give distinct values. */
static int pack_keys(agg_exec *s, uint32_t n)
{
    const tn_exec_arg *k = s->id_args;
    bool interned[2] = {s->interns[0].ids.validity != NULL, s->interns[1].ids.validity != NULL};
    uint64_t part[2][TN_BATCH_ROWS];
    uint8_t null[2][TN_BATCH_ROWS];
    for (int c = 0; c < 2; c++) {
        const tn_vector *v = k[c].vec;
        const uint32_t *sel = k[c].sel;
        const int32_t *x = tn_vector_i32(v);
        for (uint32_t i = 0; i < n; i++) {
            bool valid = tn_vector_is_valid(v, sel[i]);
            null[c][i] = !valid;
            part[c][i] = valid ? (uint64_t)(uint32_t)x[sel[i]] + interned[c] : 0;
        }
    }
    uint64_t *out = (uint64_t *)tn_vector_i64(&s->packed_keys);
    if (interned[0] && interned[1]) {
        for (uint32_t i = 0; i < n; i++)
            out[i] = part[0][i] << 32 | part[1][i];
        return 0;
    }
    int id = interned[0] ? 0 : 1, num = 1 - id;
    uint64_t too_many = 0;
    for (uint32_t i = 0; i < n; i++) {
        too_many |= part[id][i] >> 31;
        out[i] = part[num][i] << 32 | (uint64_t)null[num][i] << 31 | part[id][i];
    }
    if (too_many)
        return tn_error_set(s->op.ctx->err, TN_ELIMIT, "more than %u distinct group keys",
                            (unsigned)INT32_MAX - 1);
    return 0;
}

/* The groups of a lone interned key (s->id_groups): the ids index an array. */
static int assign_id_groups(agg_exec *s, const tn_exec_arg *key, uint32_t n, uint32_t *g,
                            uint32_t *fresh, uint32_t *nf_out)
{
    size_t ids_total = s->interns[0].strings.count;
    if (s->id_groups_cap < ids_total) {
        size_t cap = s->id_groups_cap ? s->id_groups_cap : 64;
        while (cap < ids_total)
            cap *= 2;
        uint32_t *grown = tn_realloc(s->id_groups, cap * sizeof *grown);
        if (!grown)
            return agg_oom(s);
        memset(grown + s->id_groups_cap, 0, (cap - s->id_groups_cap) * sizeof *grown);
        s->table_bytes += (int64_t)((cap - s->id_groups_cap) * sizeof *grown);
        int rc = tn_exec_memory_add(s->op.ctx, (int64_t)((cap - s->id_groups_cap) * sizeof *grown));
        s->id_groups = grown;
        s->id_groups_cap = cap;
        if (rc)
            return rc;
    }
    const tn_vector *v = key->vec; /* the ids, rows [0, n) */
    const int32_t *ids = tn_vector_i32(v);
    uint32_t *groups = s->id_groups;
    uint32_t next = (uint32_t)s->group_count, nf = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t *slot = tn_vector_is_valid(v, i) ? &groups[(uint32_t)ids[i]] : &s->null_group;
        if (!*slot) {
            *slot = ++next;
            fresh[nf++] = i;
        }
        g[i] = *slot - 1;
    }
    s->group_count = next;
    *nf_out = nf;
    return 0;
}

/* Most entries of a pair table (256 KiB): past it, the integer table holds the pairs. */
#define PAIR_GROUPS_MAX ((size_t)1 << 16)

/* Moves the groups of s->pair_groups into the integer table, as the packed keys pack_keys
 * gives them, and frees the pair table: its pairs outgrew it. */
static int pair_groups_to_ints(agg_exec *s)
{
    int_groups *t = &s->ints;
    if (agg_int_groups_reserve(t, s->group_count) != 0)
        return agg_oom(s);
    for (size_t r = 0; r < s->pair_rows; r++)
        for (size_t c = 0; c < s->pair_width; c++) {
            uint32_t id = s->pair_groups[r * s->pair_width + c];
            if (!id)
                continue;
            int64_t value = (int64_t)((uint64_t)r << 32 | c);
            uint64_t hash = tn_hash_u64((uint64_t)value);
            size_t j = (size_t)hash & t->mask;
            while (t->slots[j].id)
                j = (j + 1) & t->mask;
            t->slots[j] = (int_slot){value, id, (uint32_t)hash};
            t->count++;
        }
    int64_t bytes = (int64_t)(s->pair_rows * s->pair_width * sizeof *s->pair_groups);
    tn_free(s->pair_groups);
    s->pair_groups = NULL;
    s->pair_rows = s->pair_width = 0;
    s->pair_hashed = true;
    s->table_bytes -= bytes;
    return tn_exec_memory_add(s->op.ctx, -bytes);
}

/* Sizes s->pair_groups for the ids interned so far: 0 when it fits them, 1 when it would be
 * too large (the pairs have moved to the integer table), or an error. */
static int pair_groups_reserve(agg_exec *s)
{
    size_t rows = s->interns[0].strings.count + 1, cols = s->interns[1].strings.count + 1;
    if (rows <= s->pair_rows && cols <= s->pair_width)
        return 0;
    size_t width = s->pair_width ? s->pair_width : 4;
    while (width < cols)
        width *= 2;
    if (rows > PAIR_GROUPS_MAX / width) {
        int rc = pair_groups_to_ints(s);
        return rc ? rc : 1;
    }
    /* rows are added in steps, as the first key's dictionary may grow page by page */
    size_t cap_rows = rows > s->pair_rows * 2 ? rows : s->pair_rows * 2;
    if (cap_rows > PAIR_GROUPS_MAX / width)
        cap_rows = PAIR_GROUPS_MAX / width;
    uint32_t *grown = tn_calloc(cap_rows * width, sizeof *grown);
    if (!grown)
        return agg_oom(s);
    for (size_t r = 0; r < s->pair_rows; r++)
        memcpy(grown + r * width, s->pair_groups + r * s->pair_width,
               s->pair_width * sizeof *grown);
    int64_t bytes = (int64_t)((cap_rows * width - s->pair_rows * s->pair_width) * sizeof *grown);
    tn_free(s->pair_groups);
    s->pair_groups = grown;
    s->pair_rows = cap_rows;
    s->pair_width = width;
    s->table_bytes += bytes;
    return tn_exec_memory_add(s->op.ctx, bytes);
}

/* The groups of rows [0, n) whose key pairs are pair[] (entries of s->pair_groups), new pairs
 * taking the next ids. */
static void pair_groups_lookup(agg_exec *s, const uint32_t *pair, uint32_t n, uint32_t *g,
                               uint32_t *fresh, uint32_t *nf_out)
{
    uint32_t *groups = s->pair_groups;
    uint32_t next = (uint32_t)s->group_count, nf = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t *slot = &groups[pair[i]];
        if (!*slot) {
            *slot = ++next;
            fresh[nf++] = i;
        }
        g[i] = *slot - 1;
    }
    s->group_count = next;
    *nf_out = nf;
}

/* The groups of two interned keys (s->id_args, rows [0, n) dense) through s->pair_groups:
 * 0 when done, 1 when the pairs have outgrown it (nothing assigned), or an error. */
static int assign_pair_groups(agg_exec *s, uint32_t n, uint32_t *g, uint32_t *fresh,
                              uint32_t *nf_out)
{
    int rc = pair_groups_reserve(s);
    if (rc)
        return rc;
    const tn_vector *v0 = s->id_args[0].vec, *v1 = s->id_args[1].vec;
    const int32_t *id0 = tn_vector_i32(v0), *id1 = tn_vector_i32(v1);
    uint32_t pair[TN_BATCH_ROWS];
    size_t width = s->pair_width;
    if (v0->null_count == 0 && v1->null_count == 0) {
        for (uint32_t i = 0; i < n; i++)
            pair[i] = ((uint32_t)id0[i] + 1) * (uint32_t)width + (uint32_t)id1[i] + 1;
    } else {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = tn_vector_is_valid(v0, i) ? (uint32_t)id0[i] + 1 : 0;
            uint32_t c = tn_vector_is_valid(v1, i) ? (uint32_t)id1[i] + 1 : 0;
            pair[i] = r * (uint32_t)width + c;
        }
    }
    pair_groups_lookup(s, pair, n, g, fresh, nf_out);
    return 0;
}

/* assign_pair_groups for two keys that are both in dictionary form: each row's pair comes
 * straight from its dictionary indices through the intern maps, with no ids written. */
static int assign_dict_pair_groups(agg_exec *s, const tn_exec_arg *keys, uint32_t n, uint32_t *g,
                                   uint32_t *fresh, uint32_t *nf_out)
{
    for (uint32_t k = 0; k < 2; k++) {
        key_intern *t = &s->interns[k];
        const tn_dictionary *d = keys[k].vec->dict;
        if (t->dict_id != d->id && intern_dictionary(t, d) != 0)
            return agg_oom(s);
    }
    int rc = pair_groups_reserve(s);
    if (rc)
        return rc;
    const tn_vector *v0 = keys[0].vec, *v1 = keys[1].vec;
    const uint32_t *idx0 = tn_vector_indices(v0), *idx1 = tn_vector_indices(v1);
    const uint32_t *sel0 = keys[0].sel, *sel1 = keys[1].sel;
    const uint32_t *map0 = s->interns[0].map, *map1 = s->interns[1].map;
    uint32_t width = (uint32_t)s->pair_width;
    uint32_t pair[TN_BATCH_ROWS];
    if (v0->null_count == 0 && v1->null_count == 0) {
        for (uint32_t i = 0; i < n; i++)
            pair[i] = (map0[idx0[sel0[i]]] + 1) * width + map1[idx1[sel1[i]]] + 1;
    } else {
        /* NULL rows index the dictionary's NULL entry, past the map: read only valid ones */
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = tn_vector_is_valid(v0, sel0[i]) ? map0[idx0[sel0[i]]] + 1 : 0;
            uint32_t c = tn_vector_is_valid(v1, sel1[i]) ? map1[idx1[sel1[i]]] + 1 : 0;
            pair[i] = r * width + c;
        }
    }
    pair_groups_lookup(s, pair, n, g, fresh, nf_out);
    return 0;
}

/* Maps rows [0, n) of the key columns keys[] (one per group key) to group ids in g[],
 * giving new keys the next ids (s->group_count grows; the caller grows the states) and
 * listing their rows in fresh[nf]. The keys are serialised and hashed for the whole chunk
 * first and their slots prefetched, so that the probes' cache misses overlap. */
int agg_assign_groups(agg_exec *s, const tn_exec_arg *keys, uint32_t n, uint32_t *g,
                      uint32_t *fresh, uint32_t *nf_out)
{
    *nf_out = 0;
    if (s->group_count + n >= UINT32_MAX - 1)
        return tn_error_set(s->op.ctx->err, TN_ELIMIT, "more than %u groups", UINT32_MAX - 1);
    int rc;
    if (s->packed && !s->pair_hashed && s->interns[0].ids.validity &&
        s->interns[1].ids.validity && keys[0].vec->dict && keys[1].vec->dict) {
        if ((rc = assign_dict_pair_groups(s, keys, n, g, fresh, nf_out)) <= 0)
            return rc;
    }
    if (s->interns) {
        if ((rc = intern_keys(s, keys, n)) != 0)
            return rc;
        keys = s->id_args;
    }
    if (s->interns && s->op.plan->aggregate.group_count == 1)
        return assign_id_groups(s, &keys[0], n, g, fresh, nf_out);
    if (s->packed && !s->pair_hashed && s->interns[0].ids.validity &&
        s->interns[1].ids.validity) {
        if ((rc = assign_pair_groups(s, n, g, fresh, nf_out)) <= 0)
            return rc;
    }
    if (s->packed) {
        if ((rc = pack_keys(s, n)) != 0)
            return rc;
        tn_exec_arg packed = {&s->packed_keys, tn_exec_identity};
        return assign_int_groups(s, &packed, n, g, fresh, nf_out);
    }
    if (s->int_key)
        return assign_int_groups(s, &keys[0], n, g, fresh, nf_out);
    uint32_t off[TN_BATCH_ROWS + 1];
    uint64_t hash[TN_BATCH_ROWS];
    if ((rc = agg_serialize_keys(s, keys, n, off)) != 0)
        return rc;
    const uint8_t *bytes = s->key_bytes;
    for (uint32_t i = 0; i < n; i++)
        hash[i] = group_hash(bytes + off[i], off[i + 1] - off[i]);
    rc = tn_exec_keys_upsert_batch(&s->groups, bytes, off, hash, n, (uint32_t)s->group_count, g,
                                   fresh);
    if (rc < 0)
        return agg_oom(s);
    s->group_count += (uint32_t)rc;
    *nf_out = (uint32_t)rc;
    return 0;
}

int agg_consume(agg_exec *s, const tn_exec_chunk *in)
{
    tn_plan_op *plan = s->op.plan;
    tn_exec_ctx *ctx = s->op.ctx;
    uint32_t n = in->count;
    uint32_t g[TN_BATCH_ROWS];
    int rc;
    /* 1. group ids */
    if (plan->aggregate.group_count == 0) {
        if (s->group_count == 0) {
            if ((rc = agg_grow_states(s, 1)) != 0)
                return rc;
            s->group_count = 1;
        }
        memset(g, 0, n * sizeof *g);
    } else {
        uint32_t gk = plan->aggregate.group_count;
        for (uint32_t k = 0; k < gk; k++)
            if ((rc = tn_exec_eval_expr(&ctx->eval, plan->aggregate.groups[k], in, &s->key_args[k])) != 0)
                return rc;
        uint32_t fresh[TN_BATCH_ROWS], nf = 0;
        if ((rc = agg_assign_groups(s, s->key_args, n, g, fresh, &nf)) != 0)
            return rc;
        if ((rc = agg_grow_states(s, s->group_count)) != 0)
            return rc;
        if (nf) {
            /* only the new groups' keys are copied */
            tn_batch_reset(s->key_batch);
            uint32_t rows[TN_BATCH_ROWS];
            for (uint32_t k = 0; k < gk; k++) {
                const tn_exec_arg *a = &s->key_args[k];
                for (uint32_t j = 0; j < nf; j++)
                    rows[j] = a->sel[fresh[j]];
                if ((rc = tn_exec_gather(&s->key_batch->columns[k], 0, a->vec, rows, nf)) != 0)
                    return agg_oom(s);
            }
            s->key_batch->row_count = nf;
            tn_exec_chunk kc = {s->key_batch, tn_exec_identity, nf};
            if ((rc = tn_exec_rows_append(ctx, &s->keys, &kc)) != 0)
                return rc;
        }
    }
    /* 2. aggregates */
    uint32_t all[TN_BATCH_ROWS];
    for (uint32_t i = 0; i < n; i++)
        all[i] = i;
    chunk_groups grouped;
    bool few_groups = grouped_pays(plan, s->sum_of, s->group_count), grouped_built = false;
    for (uint32_t a = 0; a < plan->aggregate.agg_count; a++) {
        const tn_plan_agg *agg = &plan->aggregate.aggs[a];
        agg_state *st = &s->states[a];
        const uint32_t *rows = all;
        uint32_t m = n;
        uint32_t filtered[TN_BATCH_ROWS];
        if (agg->filter) {
            tn_exec_arg f;
            if ((rc = tn_exec_eval_expr(&ctx->eval, agg->filter, in, &f)) != 0)
                return rc;
            m = 0;
            for (uint32_t i = 0; i < n; i++)
                if (tn_vector_is_valid(f.vec, f.sel[i]) && tn_vector_get_bool(f.vec, f.sel[i]))
                    filtered[m++] = i;
            rows = filtered;
        }
        tn_exec_arg arg = {0};
        if (agg->arg && (rc = tn_exec_eval_expr(&ctx->eval, agg->arg, in, &arg)) != 0)
            return rc;
        tn_plan_agg counted;
        if (s->sum_of[a]) {
            /* its sum is another aggregate's: only its rows are counted */
            counted = *agg;
            counted.kind = TN_PLAN_AGG_COUNT;
            agg = &counted;
        }
        if (few_groups && !agg->filter && !agg->distinct) {
            if (!grouped_built) {
                chunk_groups_build(&grouped, g, n, (uint32_t)s->group_count);
                grouped_built = true;
            }
            bool handled;
            if ((rc = update_agg_grouped(s, agg, st, &arg, &grouped, &handled)) != 0)
                return rc;
            if (handled)
                continue;
        }
        uint32_t uniq[TN_BATCH_ROWS];
        if (agg->distinct && agg->arg && distinct_compact(arg.vec->type)) {
            if (!st->pairs && (rc = agg_distinct_init(s, st, arg.vec->type)) != 0)
                return rc;
            /* every pair of the chunk is hashed first and its slot prefetched, so that the
             * probes' cache misses overlap */
            uint32_t who[TN_BATCH_ROWS], part[TN_BATCH_ROWS], c = 0;
            uint64_t bits[TN_BATCH_ROWS], ph[TN_BATCH_ROWS];
            for (uint32_t k = 0; k < m; k++) {
                uint32_t r = arg.sel[rows[k]];
                if (!tn_vector_is_valid(arg.vec, r))
                    continue;
                bits[c] = distinct_bits(arg.vec, r);
                who[c++] = rows[k];
            }
            for (uint32_t p = 0; p < s->distinct_parts; p++)
                if (agg_pair_set_reserve(&st->pairs[p], c) != 0)
                    return agg_oom(s);
            for (uint32_t i = 0; i < c; i++) {
                uint64_t vh = tn_hash_u64(bits[i]);
                part[i] = distinct_part(vh, s->distinct_parts);
                ph[i] = distinct_hash(vh, g[who[i]]);
                const pair_set *set = &st->pairs[part[i]];
                __builtin_prefetch(&set->slots[(size_t)ph[i] & set->mask]);
            }
            uint32_t u = 0;
            for (uint32_t i = 0; i < c; i++)
                if (pair_set_add(&st->pairs[part[i]], bits[i], g[who[i]], ph[i]))
                    uniq[u++] = who[i];
            rows = uniq;
            m = u;
        } else if (agg->distinct && agg->arg) {
            if (!st->distinct && (rc = agg_distinct_init(s, st, arg.vec->type)) != 0)
                return rc;
            /* every pair of the chunk is serialised and hashed first and its slot
             * prefetched, so that the probes' cache misses overlap */
            tn_buf key = TN_BUF_INIT;
            uint32_t off[TN_BATCH_ROWS + 1], who[TN_BATCH_ROWS], c = 0;
            uint64_t vh[TN_BATCH_ROWS];
            for (uint32_t k = 0; k < m; k++) {
                uint32_t r = arg.sel[rows[k]];
                if (!tn_vector_is_valid(arg.vec, r))
                    continue;
                uint32_t grp = g[rows[k]];
                off[c] = (uint32_t)key.len;
                who[c++] = rows[k];
                if (tn_exec_key_append(&key, arg.vec, r) != 0 ||
                    tn_buf_append(&key, &grp, sizeof grp) != 0) {
                    tn_buf_free(&key);
                    return agg_oom(s);
                }
            }
            off[c] = (uint32_t)key.len;
            for (uint32_t i = 0; i < c; i++) {
                /* past the tag byte, up to the group */
                const char *pair = key.data + off[i] + 1;
                size_t len = off[i + 1] - off[i] - 1;
                vh[i] = tn_exec_keys_hash(pair, len - sizeof(uint32_t));
                uint32_t grp = g[who[i]];
                tn_exec_keys_prefetch(&st->distinct[distinct_part(vh[i], s->distinct_parts)],
                                      distinct_hash(vh[i], grp));
            }
            uint32_t u = 0;
            for (uint32_t i = 0; i < c; i++) {
                const char *pair = key.data + off[i] + 1;
                size_t len = off[i + 1] - off[i] - 1;
                uint32_t grp = g[who[i]];
                tn_exec_keys *set = &st->distinct[distinct_part(vh[i], s->distinct_parts)];
                uint32_t unused;
                int added = tn_exec_keys_upsert_hashed(set, pair, len, distinct_hash(vh[i], grp),
                                                       0, &unused);
                if (added < 0) {
                    tn_buf_free(&key);
                    return agg_oom(s);
                }
                if (added)
                    uniq[u++] = who[i];
            }
            tn_buf_free(&key);
            rows = uniq;
            m = u;
        }
        if ((rc = update_agg(s, agg, st, &arg, rows, m, g)) != 0)
            return rc;
    }
    return agg_account_keys(s);
}

/* Writes group grp's result of aggregate agg (state st) to row `row` of out; an AVG reads its
 * sum from `sums` (st, or the state whose sum it shares: sum_of). */
static int finish_value(agg_exec *s, const tn_plan_agg *agg, agg_state *st, size_t grp,
                        tn_vector *out, uint32_t row, const agg_state *sums)
{
    tn_type at = agg->arg ? agg->arg->type : tn_type_make(TN_TYPE_BIGINT);
    switch (agg->kind) {
    case TN_PLAN_AGG_COUNT_STAR:
    case TN_PLAN_AGG_COUNT:
        tn_vector_i64(out)[row] = st->count[grp];
        return 0;
    case TN_PLAN_AGG_SUM:
        if (!st->has[grp]) {
            tn_vector_append_null(out, row);
            return 0;
        }
        if (out->type.id == TN_TYPE_DOUBLE) {
            tn_vector_f64(out)[row] = st->dsum[grp];
        } else if (out->type.id == TN_TYPE_BIGINT) {
            tn_i128 v = st->isum[grp];
            if (v > INT64_MAX || v < INT64_MIN)
                return tn_error_set(s->op.ctx->err, TN_EOVERFLOW, "SUM out of range for BIGINT");
            tn_vector_i64(out)[row] = (int64_t)v;
        } else {
            tn_vector_i128(out)[row] = st->isum[grp];
        }
        return 0;
    case TN_PLAN_AGG_AVG: {
        if (!st->count[grp]) {
            tn_vector_append_null(out, row);
            return 0;
        }
        double sum;
        if (at.id == TN_TYPE_DECIMAL) {
            double scale = 1;
            for (int k = 0; k < at.scale; k++)
                scale *= 10;
            sum = (double)sums->isum[grp] / scale;
        } else if (is_int(at)) {
            sum = (double)sums->isum[grp];
        } else {
            sum = sums->dsum[grp];
        }
        tn_vector_f64(out)[row] = sum / (double)st->count[grp];
        return 0;
    }
    case TN_PLAN_AGG_MIN:
    case TN_PLAN_AGG_MAX: {
        if (!st->has[grp]) {
            tn_vector_append_null(out, row);
            return 0;
        }
        agg_value *v = &st->val[grp];
        switch ((tn_type_id)out->type.id) {
        case TN_TYPE_BOOLEAN: tn_vector_set_bool(out, row, v->b); break;
        case TN_TYPE_INTEGER:
        case TN_TYPE_DATE: tn_vector_i32(out)[row] = (int32_t)v->i; break;
        case TN_TYPE_BIGINT:
        case TN_TYPE_TIMESTAMP:
        case TN_TYPE_TIMESTAMPTZ: tn_vector_i64(out)[row] = v->i; break;
        case TN_TYPE_REAL: tn_vector_f32(out)[row] = (float)v->d; break;
        case TN_TYPE_DOUBLE: tn_vector_f64(out)[row] = v->d; break;
        case TN_TYPE_DECIMAL: tn_vector_set_decimal(out, row, v->dec); break;
        case TN_TYPE_VARCHAR:
        case TN_TYPE_BLOB: return tn_vector_append_str(out, row, v->s.ptr, v->s.len);
        default: break;
        }
        return 0;
    }
    }
    return 0;
}

/* finish_value for the groups batch_start + rows[i], i < n, of a COUNT or of a SUM of
 * integers or decimals into a DECIMAL, into rows [0, n) of out: one loop, not a call per
 * group. False for the other aggregates, which finish_value takes. */
static bool finish_column(const tn_plan_agg *agg, const agg_state *st, size_t batch_start,
                          const uint32_t *rows, uint32_t n, tn_vector *out)
{
    if (agg->kind == TN_PLAN_AGG_COUNT_STAR || agg->kind == TN_PLAN_AGG_COUNT) {
        int64_t *o = tn_vector_i64(out);
        for (uint32_t i = 0; i < n; i++)
            o[i] = st->count[batch_start + rows[i]];
        return true;
    }
    if (agg->kind != TN_PLAN_AGG_SUM || !st->isum || out->type.id != TN_TYPE_DECIMAL ||
        tn_decimal_is_64(out->type))
        return false;
    tn_i128 *o = tn_vector_i128(out);
    for (uint32_t i = 0; i < n; i++) {
        size_t grp = batch_start + rows[i];
        o[i] = st->isum[grp];
        if (!st->has[grp])
            tn_vector_append_null(out, i);
    }
    return true;
}

static int agg_next(tn_exec_op *op, tn_exec_chunk *out)
{
    agg_exec *s = (agg_exec *)op;
    tn_plan_op *plan = op->plan;
    int rc;
    int workers = s->done ? 1 : tn_exec_parallel_workers(op->ctx, op->children[0]);
    if (workers > 1) {
        if ((rc = agg_consume_parallel(s, workers)) != 0)
            return rc;
        if (plan->aggregate.group_count == 0 && s->group_count == 0) {
            if ((rc = agg_grow_states(s, 1)) != 0)
                return rc;
            s->group_count = 1;
        }
        s->done = true;
    }
    if (!s->done) {
        for (;;) {
            tn_exec_chunk in = {0};
            if ((rc = tn_exec_next(op->children[0], &in)) != 0)
                return rc;
            if (!in.batch)
                break;
            if ((rc = agg_consume(s, &in)) != 0)
                return rc;
        }
        if (plan->aggregate.group_count == 0 && s->group_count == 0) {
            if ((rc = agg_grow_states(s, 1)) != 0)
                return rc;
            s->group_count = 1;
        }
        s->done = true;
    }
    /* after a partitioned or probe merge the groups are those of the parts, in turn */
    agg_exec *t;
    uint32_t n, live_count, live[TN_BATCH_ROWS];
    const uint32_t *rows;
    for (;;) {
        t = s;
        if (s->parts) {
            while (s->emit_part < s->part_count &&
                   s->parts[s->emit_part].emit_group >= s->parts[s->emit_part].group_count)
                s->emit_part++;
            if (s->emit_part < s->part_count)
                t = &s->parts[s->emit_part];
        }
        if (t->emit_group >= t->group_count) {
            out->batch = NULL;
            out->count = 0;
            return 0;
        }
        n = (uint32_t)(t->group_count - t->emit_group);
        if (n > TN_BATCH_ROWS)
            n = TN_BATCH_ROWS;
        /* group keys were appended in group order, TN_BATCH_ROWS per batch: rows[] are the
         * output groups' rows in this batch, less those a probe merge took elsewhere */
        uint32_t off = (uint32_t)(t->emit_group % TN_BATCH_ROWS);
        rows = tn_exec_identity + off;
        live_count = n;
        if (t->merged) {
            live_count = 0;
            for (uint32_t i = 0; i < n; i++) {
                live[live_count] = off + i;
                live_count += !t->merged[t->emit_group + i];
            }
            rows = live;
        }
        if (live_count)
            break;
        t->emit_group += n;
    }
    tn_batch_reset(s->out);
    uint32_t gk = plan->aggregate.group_count;
    size_t batch_start = t->emit_group / TN_BATCH_ROWS * TN_BATCH_ROWS;
    if (gk) {
        tn_batch *kb = t->keys.batches[t->emit_group / TN_BATCH_ROWS];
        for (uint32_t k = 0; k < gk; k++)
            if ((rc = tn_exec_gather(&s->out->columns[k], 0, &kb->columns[k], rows, live_count)) != 0)
                return agg_oom(s);
    }
    for (uint32_t a = 0; a < plan->aggregate.agg_count; a++) {
        tn_vector *v = &s->out->columns[gk + a];
        const agg_state *sums = &t->states[t->sum_of[a] ? t->sum_of[a] - 1 : a];
        if (finish_column(&plan->aggregate.aggs[a], &t->states[a], batch_start, rows,
                          live_count, v))
            continue;
        for (uint32_t i = 0; i < live_count; i++)
            if ((rc = finish_value(t, &plan->aggregate.aggs[a], &t->states[a],
                                   batch_start + rows[i], v, i, sums)) != 0)
                return rc < 0 && op->ctx->err->code ? rc : agg_oom(s);
    }
    t->emit_group += n;
    s->out->row_count = live_count;
    out->batch = s->out;
    out->sel = tn_exec_identity;
    out->count = live_count;
    return 0;
}

/* Frees a table's contents and gives its bytes back to the query's budget. */
void agg_table_free(agg_exec *s)
{
    for (uint32_t a = 0; s->states && a < s->op.plan->aggregate.agg_count; a++) {
        agg_state *st = &s->states[a];
        tn_large_free(st->count, s->group_cap * sizeof *st->count);
        tn_large_free(st->isum, s->group_cap * sizeof *st->isum);
        tn_large_free(st->dsum, s->group_cap * sizeof *st->dsum);
        tn_large_free(st->val, s->group_cap * sizeof *st->val);
        tn_large_free(st->has, s->group_cap * sizeof *st->has);
        for (uint32_t p = 0; st->distinct && p < s->distinct_parts; p++)
            tn_exec_keys_free(&st->distinct[p]);
        tn_free(st->distinct);
        st->distinct = NULL;
        for (uint32_t p = 0; st->pairs && p < s->distinct_parts; p++)
            agg_pair_set_free(&st->pairs[p]);
        tn_free(st->pairs);
        st->pairs = NULL;
    }
    tn_free(s->states);
    s->states = NULL;
    tn_exec_keys_free(&s->groups);
    tn_large_free(s->ints.slots, (size_t)int_groups_memory(&s->ints));
    memset(&s->ints, 0, sizeof s->ints);
    tn_free(s->key_bytes);
    s->key_bytes = NULL;
    tn_free(s->key_args);
    s->key_args = NULL;
    tn_free(s->sum_of);
    s->sum_of = NULL;
    s->key_bytes_cap = 0;
    for (uint32_t k = 0; s->interns && k < s->op.plan->aggregate.group_count; k++) {
        tn_exec_keys_free(&s->interns[k].strings);
        tn_free(s->interns[k].map);
        tn_vector_destroy(&s->interns[k].ids);
    }
    tn_free(s->interns);
    s->interns = NULL;
    tn_free(s->id_args);
    s->id_args = NULL;
    tn_vector_destroy(&s->packed_keys);
    tn_free(s->id_groups);
    s->id_groups = NULL;
    s->id_groups_cap = 0;
    s->null_group = 0;
    tn_free(s->merged);
    s->merged = NULL;
    tn_free(s->pair_groups);
    s->pair_groups = NULL;
    s->pair_rows = s->pair_width = 0;
    s->pair_hashed = false;
    tn_exec_rows_free(&s->keys);
    if (s->op.ctx && s->table_bytes)
        tn_exec_memory_add(s->op.ctx, -s->table_bytes);
    s->table_bytes = 0;
    tn_batch_free(s->key_batch);
    s->key_batch = NULL;
    tn_batch_free(s->out);
    s->out = NULL;
    tn_schema_unref(s->key_schema);
    s->key_schema = NULL;
    tn_arena_free(&s->strings);
}

void agg_free_partials(agg_exec *s)
{
    for (int w = 0; s->partials && w < s->partial_count; w++)
        agg_table_free(&s->partials[w]);
    tn_free(s->partials);
    s->partials = NULL;
    s->partial_count = 0;
}

static void agg_close(tn_exec_op *op)
{
    agg_exec *s = (agg_exec *)op;
    agg_free_partials(s);
    for (uint32_t q = 0; s->parts && q < s->part_count; q++)
        agg_table_free(&s->parts[q]);
    tn_free(s->parts);
    s->parts = NULL;
    agg_table_free(s);
}

/* A SUM or AVG without FILTER or DISTINCT over a column of the input. */
static bool sums_column(const tn_plan_agg *agg)
{
    return (agg->kind == TN_PLAN_AGG_SUM || agg->kind == TN_PLAN_AGG_AVG) && !agg->filter &&
           !agg->distinct && agg->arg->kind == TN_PLAN_EXPR_COLUMN;
}

/* s->sum_of[a]: AVG(x) next to an earlier SUM(x) or AVG(x) (as TPC-H Q1's) reads that one's
 * sum, which the same additions in the same order would give, instead of adding every value
 * again. */
static uint32_t shared_sum(const tn_plan_op *plan, uint32_t a)
{
    const tn_plan_agg *agg = &plan->aggregate.aggs[a];
    if (agg->kind != TN_PLAN_AGG_AVG || !sums_column(agg))
        return 0;
    for (uint32_t b = 0; b < a; b++) {
        const tn_plan_agg *other = &plan->aggregate.aggs[b];
        if (sums_column(other) && other->arg->column == agg->arg->column &&
            shared_sum(plan, b) == 0)
            return b + 1;
    }
    return 0;
}

/* Sets up an empty table for plan in s (op.ctx set by the caller). */
int agg_table_init(agg_exec *s, tn_plan_op *plan)
{
    tn_arena_init(&s->strings, 0);
    s->op.plan = plan;
    s->states = tn_calloc(plan->aggregate.agg_count + 1, sizeof *s->states);
    s->key_schema = tn_schema_new();
    const bool *dict_keys = plan->aggregate.dictionary_keys;
    s->int_key = plan->aggregate.group_count == 1 &&
                 (is_int_key(plan->aggregate.groups[0]->type) || (dict_keys && dict_keys[0]));
    s->key_args = tn_calloc(plan->aggregate.group_count + 1, sizeof *s->key_args);
    s->sum_of = tn_calloc(plan->aggregate.agg_count + 1, sizeof *s->sum_of);
    for (uint32_t a = 0; s->sum_of && a < plan->aggregate.agg_count; a++)
        s->sum_of[a] = shared_sum(plan, a);
    if (!s->states || !s->key_schema || !s->key_args || !s->sum_of ||
        (!s->int_key && tn_exec_keys_init(&s->groups, 1024) != 0))
        return agg_oom(s);
    for (uint32_t k = 0; dict_keys && k < plan->aggregate.group_count; k++) {
        if (!dict_keys[k])
            continue;
        if (!s->interns) {
            s->interns = tn_calloc(plan->aggregate.group_count, sizeof *s->interns);
            s->id_args = tn_calloc(plan->aggregate.group_count, sizeof *s->id_args);
            if (!s->interns || !s->id_args)
                return agg_oom(s);
        }
        if (tn_exec_keys_init(&s->interns[k].strings, 64) != 0 ||
            tn_vector_init(&s->interns[k].ids, tn_type_make(TN_TYPE_INTEGER), TN_BATCH_ROWS) != 0)
            return agg_oom(s);
    }
    if (s->interns && plan->aggregate.group_count == 2) {
        s->packed = true;
        for (uint32_t k = 0; k < 2; k++) {
            tn_type t = plan->aggregate.groups[k]->type;
            s->packed = s->packed && (dict_keys[k] || t.id == TN_TYPE_INTEGER || t.id == TN_TYPE_DATE);
        }
        /* the integer table holds the packed keys; the general one is not used */
        if (s->packed) {
            s->int_key = true;
            tn_exec_keys_free(&s->groups);
            if (tn_vector_init(&s->packed_keys, tn_type_make(TN_TYPE_BIGINT), TN_BATCH_ROWS) != 0)
                return agg_oom(s);
        }
    }
    for (uint32_t k = 0; k < plan->aggregate.group_count; k++) {
        tn_type t = plan->aggregate.groups[k]->type;
        if (t.id == TN_TYPE_INVALID)
            t = tn_type_make(TN_TYPE_BOOLEAN);
        if (tn_schema_add(s->key_schema, plan->columns[k].name ? plan->columns[k].name : "k", t, true) != 0)
            return agg_oom(s);
    }
    s->key_batch = tn_batch_new(s->key_schema, TN_BATCH_ROWS);
    tn_exec_rows_init(&s->keys, s->key_schema);
    tn_schema *os = tn_exec_schema(plan);
    s->out = os ? tn_batch_new(os, TN_BATCH_ROWS) : NULL;
    tn_schema_unref(os);
    if (!s->key_batch || !s->out)
        return agg_oom(s);
    return 0;
}

int tn_exec_aggregate_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    agg_exec *s = tn_exec_op_alloc(ctx, plan, sizeof *s, agg_next, agg_close, out);
    if (!s)
        return TN_ENOMEM;
    s->distinct_parts = 1;
    int rc = agg_table_init(s, plan);
    if (rc)
        return rc;
    return tn_exec_build(ctx, plan->children[0], &s->op.children[0]);
}
