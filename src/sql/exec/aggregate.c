/* SPDX-License-Identifier: Apache-2.0
 *
 * Hash aggregation: GROUP BY keys (any expressions) and the aggregates COUNT(*), COUNT, SUM,
 * AVG, MIN, MAX, each optionally DISTINCT and with FILTER (WHERE ...). Per input chunk: the
 * keys are evaluated and serialised, each row is mapped to a group id through a hash table,
 * then each aggregate updates its state arrays in one loop per vector (the switch on kind
 * and type is outside the loop). SUM of integers accumulates in 128 bits and is checked
 * against BIGINT at the end. Without GROUP BY an empty input still gives one row.
 *
 * When the input is a parallel pipeline every worker aggregates its morsels into a partial
 * table of its own; the largest partial becomes the result and the others are merged into it
 * group by group (counts and sums added, MIN/MAX compared). A DISTINCT set holds (value,
 * group) pairs split into one partition per worker by the value's hash, so the same pair
 * lands in the same partition on every worker whatever its group id there. The sets are then
 * merged partition by partition on the pool, each task deduplicating its partition of every
 * worker (freeing them as it goes) and counting the pairs new to it per group: no thread
 * ever holds a full set, and a value seen by two workers counts once.
 */
#include "sql/sql_int.h"

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
} agg_state;

typedef struct agg_exec agg_exec;
struct agg_exec {
    tn_exec_op op;
    tn_exec_keys groups;   /* serialised key -> group id */
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
};

/* A DISTINCT pair is stored as the value's key without its tag byte (NULLs never get there)
 * followed by the 4-byte group id. Its partition and its hash derive from the value's hash,
 * so a pair can be moved to another group id without hashing the value again. */
static uint32_t distinct_part(uint64_t value_hash, uint32_t parts)
{
    return (uint32_t)(((value_hash >> 32) * parts) >> 32);
}

static uint64_t distinct_hash(uint64_t value_hash, uint32_t grp)
{
    return value_hash ^ ((uint64_t)grp + 1) * 0x9e3779b97f4a7c15ULL;
}

static int oom(agg_exec *s)
{
    return tn_error_set(s->op.ctx->err, TN_ENOMEM, "out of memory");
}

static int grow_states(agg_exec *s, size_t need)
{
    if (need <= s->group_cap)
        return 0;
    size_t cap = s->group_cap ? s->group_cap * 2 : 1024;
    while (cap < need)
        cap *= 2;
    tn_plan_op *plan = s->op.plan;
    for (uint32_t a = 0; a < plan->aggregate.agg_count; a++) {
        agg_state *st = &s->states[a];
#define GROW(field)                                                                            \
    do {                                                                                       \
        void *p = tn_realloc(st->field, cap * sizeof *st->field);                              \
        if (!p)                                                                                \
            return oom(s);                                                                     \
        memset((char *)p + s->group_cap * sizeof *st->field, 0,                                \
               (cap - s->group_cap) * sizeof *st->field);                                      \
        st->field = p;                                                                         \
    } while (0)
        GROW(count);
        GROW(isum);
        GROW(dsum);
        GROW(val);
        GROW(has);
#undef GROW
    }
    int64_t bytes = (int64_t)(cap - s->group_cap) * (int64_t)plan->aggregate.agg_count * 64;
    s->table_bytes += bytes;
    s->group_cap = cap;
    return tn_exec_memory_add(s->op.ctx, bytes);
}

static bool is_int(tn_type t)
{
    return t.id == TN_TYPE_INTEGER || t.id == TN_TYPE_BIGINT || t.id == TN_TYPE_BOOLEAN;
}

/* Updates one aggregate for rows rows[0..n) (positions in the chunk), groups g[]. */
static int update_agg(agg_exec *s, const tn_plan_agg *agg, agg_state *st, const tn_exec_arg *a,
                      const uint32_t *rows, uint32_t n, const uint32_t *g)
{
    if (agg->kind == TN_PLAN_AGG_COUNT_STAR) {
        for (uint32_t k = 0; k < n; k++)
            st->count[g[rows[k]]]++;
        return 0;
    }
    const tn_vector *v = a->vec;
    tn_type t = v->type;
    switch (agg->kind) {
    case TN_PLAN_AGG_COUNT:
        for (uint32_t k = 0; k < n; k++)
            st->count[g[rows[k]]] += tn_vector_is_valid(v, a->sel[rows[k]]);
        return 0;
    case TN_PLAN_AGG_SUM:
    case TN_PLAN_AGG_AVG:
        for (uint32_t k = 0; k < n; k++) {
            uint32_t r = a->sel[rows[k]], grp = g[rows[k]];
            if (!tn_vector_is_valid(v, r))
                continue;
            st->count[grp]++;
            st->has[grp] = 1;
            switch ((tn_type_id)t.id) {
            case TN_TYPE_INTEGER: st->isum[grp] += tn_vector_i32(v)[r]; break;
            case TN_TYPE_BIGINT: st->isum[grp] += tn_vector_i64(v)[r]; break;
            case TN_TYPE_DECIMAL:
                if (__builtin_add_overflow(st->isum[grp], tn_vector_i128(v)[r], &st->isum[grp]))
                    return tn_error_set(s->op.ctx->err, TN_EOVERFLOW, "SUM out of range");
                break;
            case TN_TYPE_REAL: st->dsum[grp] += tn_vector_f32(v)[r]; break;
            case TN_TYPE_DOUBLE: st->dsum[grp] += tn_vector_f64(v)[r]; break;
            default: break;
            }
        }
        return 0;
    case TN_PLAN_AGG_MIN:
    case TN_PLAN_AGG_MAX: {
        bool is_min = agg->kind == TN_PLAN_AGG_MIN;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t r = a->sel[rows[k]], grp = g[rows[k]];
            if (!tn_vector_is_valid(v, r))
                continue;
            agg_value *cur = &st->val[grp];
            bool better = !st->has[grp];
            int c = 0;
            switch ((tn_type_id)t.id) {
            case TN_TYPE_BOOLEAN: {
                bool x = tn_vector_get_bool(v, r);
                c = (int)x - (int)cur->b;
                if (better || (is_min ? c < 0 : c > 0))
                    cur->b = x;
                break;
            }
            case TN_TYPE_INTEGER:
            case TN_TYPE_DATE: {
                int64_t x = tn_vector_i32(v)[r];
                if (better || (is_min ? x < cur->i : x > cur->i))
                    cur->i = x;
                break;
            }
            case TN_TYPE_BIGINT:
            case TN_TYPE_TIMESTAMP:
            case TN_TYPE_TIMESTAMPTZ: {
                int64_t x = tn_vector_i64(v)[r];
                if (better || (is_min ? x < cur->i : x > cur->i))
                    cur->i = x;
                break;
            }
            case TN_TYPE_REAL:
            case TN_TYPE_DOUBLE: {
                double x = t.id == TN_TYPE_REAL ? tn_vector_f32(v)[r] : tn_vector_f64(v)[r];
                if (better || (is_min ? x < cur->d : x > cur->d))
                    cur->d = x;
                break;
            }
            case TN_TYPE_DECIMAL: {
                tn_i128 x = tn_vector_i128(v)[r];
                if (better || (is_min ? x < cur->dec : x > cur->dec))
                    cur->dec = x;
                break;
            }
            case TN_TYPE_VARCHAR:
            case TN_TYPE_BLOB: {
                tn_str x = tn_vector_get_str(v, r);
                c = better ? 0 : tn_str_cmp(x, cur->s);
                if (better || (is_min ? c < 0 : c > 0)) {
                    char *p = tn_arena_alloc(&s->strings, x.len + 1);
                    if (!p)
                        return oom(s);
                    memcpy(p, x.ptr, x.len);
                    cur->s = tn_str_make(p, x.len);
                }
                break;
            }
            default: break;
            }
            st->has[grp] = 1;
        }
        return 0;
    }
    default:
        return 0;
    }
}

/* Accounts what the hash tables grew by since the last call. */
static int account_keys(agg_exec *s)
{
    int64_t total = tn_exec_keys_memory(&s->groups);
    for (uint32_t a = 0; a < s->op.plan->aggregate.agg_count; a++)
        for (uint32_t p = 0; s->states[a].distinct && p < s->distinct_parts; p++)
            total += tn_exec_keys_memory(&s->states[a].distinct[p]);
    int64_t delta = total - s->keys_bytes;
    if (delta == 0)
        return 0;
    s->keys_bytes = total;
    s->table_bytes += delta;
    return tn_exec_memory_add(s->op.ctx, delta);
}

static int distinct_init(agg_exec *s, agg_state *st)
{
    st->distinct = tn_calloc(s->distinct_parts, sizeof *st->distinct);
    if (!st->distinct)
        return oom(s);
    for (uint32_t p = 0; p < s->distinct_parts; p++)
        if (tn_exec_keys_init(&st->distinct[p], 1024 / s->distinct_parts) != 0)
            return oom(s);
    return 0;
}

static int consume(agg_exec *s, const tn_exec_chunk *in)
{
    tn_plan_op *plan = s->op.plan;
    tn_exec_ctx *ctx = s->op.ctx;
    uint32_t n = in->count;
    uint32_t g[TN_BATCH_ROWS];
    int rc;
    /* 1. group ids */
    if (plan->aggregate.group_count == 0) {
        if (s->group_count == 0) {
            if ((rc = grow_states(s, 1)) != 0)
                return rc;
            s->group_count = 1;
        }
        memset(g, 0, n * sizeof *g);
    } else {
        tn_batch_reset(s->key_batch);
        for (uint32_t k = 0; k < plan->aggregate.group_count; k++) {
            tn_exec_arg a;
            if ((rc = tn_exec_eval_expr(&ctx->eval, plan->aggregate.groups[k], in, &a)) != 0)
                return rc;
            if ((rc = tn_exec_gather(&s->key_batch->columns[k], 0, a.vec, a.sel, n)) != 0)
                return oom(s);
        }
        s->key_batch->row_count = n;
        tn_buf key = TN_BUF_INIT;
        uint32_t fresh[TN_BATCH_ROWS], nf = 0;
        for (uint32_t i = 0; i < n; i++) {
            tn_buf_clear(&key);
            for (uint32_t k = 0; k < plan->aggregate.group_count; k++)
                if (tn_exec_key_append(&key, &s->key_batch->columns[k], i) != 0) {
                    tn_buf_free(&key);
                    return oom(s);
                }
            if (s->group_count >= UINT32_MAX - 1) {
                tn_buf_free(&key);
                return tn_error_set(ctx->err, TN_ELIMIT, "more than %u groups", UINT32_MAX - 1);
            }
            rc = tn_exec_keys_upsert(&s->groups, key.data, key.len, (uint32_t)s->group_count, &g[i]);
            if (rc == 1) {
                if ((rc = grow_states(s, s->group_count + 1)) != 0) {
                    tn_buf_free(&key);
                    return rc;
                }
                s->group_count++;
                fresh[nf++] = i;
            } else if (rc < 0) {
                tn_buf_free(&key);
                return oom(s);
            }
        }
        tn_buf_free(&key);
        if (nf) {
            tn_exec_chunk kc = {s->key_batch, fresh, nf};
            if ((rc = tn_exec_rows_append(ctx, &s->keys, &kc)) != 0)
                return rc;
        }
    }
    /* 2. aggregates */
    uint32_t all[TN_BATCH_ROWS];
    for (uint32_t i = 0; i < n; i++)
        all[i] = i;
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
        uint32_t uniq[TN_BATCH_ROWS];
        if (agg->distinct && agg->arg) {
            if (!st->distinct && (rc = distinct_init(s, st)) != 0)
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
                    return oom(s);
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
                    return oom(s);
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
    return account_keys(s);
}

static int finish_value(agg_exec *s, const tn_plan_agg *agg, agg_state *st, size_t grp,
                        tn_vector *out, uint32_t row)
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
            sum = (double)st->isum[grp] / scale;
        } else if (is_int(at)) {
            sum = (double)st->isum[grp];
        } else {
            sum = st->dsum[grp];
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
        case TN_TYPE_DECIMAL: tn_vector_i128(out)[row] = v->dec; break;
        case TN_TYPE_VARCHAR:
        case TN_TYPE_BLOB: return tn_vector_append_str(out, row, v->s.ptr, v->s.len);
        default: break;
        }
        return 0;
    }
    }
    return 0;
}

/* ---- parallel input: partial tables and their merge ------------------------------------ */

static int table_init(agg_exec *s, tn_plan_op *plan);
static void table_free(agg_exec *s);
static void free_partials(agg_exec *s);

/* A worker's chunk goes to its partial table, created on its first chunk. */
static int partial_sink(void *arg, tn_exec_ctx *wctx, const tn_exec_chunk *chunk)
{
    agg_exec *s = arg;
    agg_exec *p = &s->partials[wctx->worker_idx];
    if (!p->op.ctx) {
        p->op.ctx = wctx;
        p->distinct_parts = (uint32_t)s->partial_count;
        int rc = table_init(p, s->op.plan);
        if (rc)
            return rc;
    }
    return consume(p, chunk);
}

/* Orders two MIN/MAX values of type t. */
static int value_cmp(tn_type t, const agg_value *a, const agg_value *b)
{
    switch ((tn_type_id)t.id) {
    case TN_TYPE_BOOLEAN: return (int)a->b - (int)b->b;
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE: return a->d < b->d ? -1 : a->d > b->d;
    case TN_TYPE_DECIMAL: return a->dec < b->dec ? -1 : a->dec > b->dec;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: return tn_str_cmp(a->s, b->s);
    default: return a->i < b->i ? -1 : a->i > b->i;
    }
}

/* What one partition of the DISTINCT merge adds to the groups of one aggregate. */
typedef struct distinct_totals {
    int64_t *count;
    tn_i128 *isum; /* SUM/AVG only, as the next two */
    double *dsum;
    uint8_t *has;
    int64_t bytes; /* accounted for these arrays */
} distinct_totals;

/* Adds a DISTINCT value new to the merged set (key bytes as tn_exec_key_append wrote them,
 * after the tag byte) to SUM/AVG of group g. TN_EOVERFLOW when a decimal sum overflows. */
static int add_distinct_value(const tn_plan_agg *agg, distinct_totals *st, size_t g,
                              const char *v)
{
    st->has[g] = 1;
    switch ((tn_type_id)agg->arg->type.id) {
    case TN_TYPE_INTEGER: {
        int32_t x;
        memcpy(&x, v, sizeof x);
        st->isum[g] += x;
        break;
    }
    case TN_TYPE_BIGINT: {
        int64_t x;
        memcpy(&x, v, sizeof x);
        st->isum[g] += x;
        break;
    }
    case TN_TYPE_DECIMAL: {
        tn_i128 x;
        memcpy(&x, v, sizeof x);
        if (__builtin_add_overflow(st->isum[g], x, &st->isum[g]))
            return TN_EOVERFLOW;
        break;
    }
    case TN_TYPE_REAL: {
        float x;
        memcpy(&x, v, sizeof x);
        st->dsum[g] += x;
        break;
    }
    case TN_TYPE_DOUBLE: {
        double x;
        memcpy(&x, v, sizeof x);
        st->dsum[g] += x;
        break;
    }
    default: break;
    }
    return 0;
}

/* Whether agg is a COUNT/SUM/AVG(DISTINCT), whose merge goes through its DISTINCT sets. */
static bool is_distinct_sum(const tn_plan_agg *agg)
{
    return agg->distinct && agg->arg &&
           (agg->kind == TN_PLAN_AGG_COUNT || agg->kind == TN_PLAN_AGG_SUM ||
            agg->kind == TN_PLAN_AGG_AVG);
}

/* Merges the groups and all but the DISTINCT sums of partial table p into s (both over the
 * same plan). Sets *map_out to p's group ids -> s's (caller frees; NULL when p has none). */
static int merge_partial(agg_exec *s, agg_exec *p, uint32_t **map_out)
{
    tn_plan_op *plan = s->op.plan;
    tn_exec_ctx *ctx = s->op.ctx;
    uint32_t gk = plan->aggregate.group_count;
    size_t n = p->group_count;
    int rc = 0;
    *map_out = NULL;
    if (n == 0)
        return 0;
    uint32_t *map = tn_malloc(n * sizeof *map);
    if (!map)
        return oom(s);
    tn_buf key = TN_BUF_INIT;
    if (gk == 0) {
        if (s->group_count == 0) {
            if ((rc = grow_states(s, 1)) != 0)
                goto done;
            s->group_count = 1;
        }
        map[0] = 0;
    } else {
        for (size_t b = 0; b < p->keys.batch_count; b++) {
            tn_batch *kb = p->keys.batches[b];
            uint32_t fresh[TN_BATCH_ROWS], nf = 0;
            for (uint32_t i = 0; i < kb->row_count; i++) {
                size_t g = b * TN_BATCH_ROWS + i;
                tn_buf_clear(&key);
                for (uint32_t k = 0; k < gk; k++)
                    if (tn_exec_key_append(&key, &kb->columns[k], i) != 0) {
                        rc = oom(s);
                        goto done;
                    }
                if (s->group_count >= UINT32_MAX - 1) {
                    rc = tn_error_set(ctx->err, TN_ELIMIT, "more than %u groups", UINT32_MAX - 1);
                    goto done;
                }
                rc = tn_exec_keys_upsert(&s->groups, key.data, key.len, (uint32_t)s->group_count,
                                         &map[g]);
                if (rc < 0) {
                    rc = oom(s);
                    goto done;
                }
                if (rc == 1) {
                    if ((rc = grow_states(s, s->group_count + 1)) != 0)
                        goto done;
                    s->group_count++;
                    fresh[nf++] = i;
                }
                rc = 0;
            }
            if (nf) {
                tn_exec_chunk kc = {kb, fresh, nf};
                if ((rc = tn_exec_rows_append(ctx, &s->keys, &kc)) != 0)
                    goto done;
            }
        }
    }
    for (uint32_t a = 0; a < plan->aggregate.agg_count; a++) {
        const tn_plan_agg *agg = &plan->aggregate.aggs[a];
        agg_state *st = &s->states[a], *ps = &p->states[a];
        bool is_min = agg->kind == TN_PLAN_AGG_MIN;
        if (is_distinct_sum(agg))
            continue; /* merged partition by partition afterwards */
        for (size_t g = 0; g < n; g++) {
            size_t m = map[g];
            switch (agg->kind) {
            case TN_PLAN_AGG_COUNT_STAR:
            case TN_PLAN_AGG_COUNT: st->count[m] += ps->count[g]; break;
            case TN_PLAN_AGG_SUM:
            case TN_PLAN_AGG_AVG:
                st->count[m] += ps->count[g];
                st->has[m] |= ps->has[g];
                st->dsum[m] += ps->dsum[g];
                if (__builtin_add_overflow(st->isum[m], ps->isum[g], &st->isum[m])) {
                    rc = tn_error_set(ctx->err, TN_EOVERFLOW, "SUM out of range");
                    goto done;
                }
                break;
            case TN_PLAN_AGG_MIN:
            case TN_PLAN_AGG_MAX: {
                if (!ps->has[g])
                    break;
                int c = st->has[m] ? value_cmp(agg->arg->type, &ps->val[g], &st->val[m]) : 0;
                if (st->has[m] && !(is_min ? c < 0 : c > 0))
                    break;
                st->val[m] = ps->val[g];
                st->has[m] = 1;
                if (agg->arg->type.id == TN_TYPE_VARCHAR || agg->arg->type.id == TN_TYPE_BLOB) {
                    tn_str x = ps->val[g].s;
                    char *copy = tn_arena_alloc(&s->strings, x.len + 1);
                    if (!copy) {
                        rc = oom(s);
                        goto done;
                    }
                    memcpy(copy, x.ptr, x.len);
                    st->val[m].s = tn_str_make(copy, x.len);
                }
                break;
            }
            }
        }
    }
done:
    tn_buf_free(&key);
    if (rc)
        tn_free(map);
    else
        *map_out = map;
    return rc ? rc : account_keys(s);
}

/* The merge of one aggregate's DISTINCT sets, one pool task per partition. */
typedef struct distinct_merge {
    agg_exec *s;
    uint32_t agg_idx;
    agg_exec **sources;       /* tables whose sets are merged (and freed) */
    uint32_t **maps;          /* per source: its group ids -> s's; NULL = the same */
    int source_count;
    distinct_totals *totals;  /* per partition */
    tn_error *errs;           /* per partition */
} distinct_merge;

/* Merges partition `part` of every source's set into one set, counting the pairs new to it
 * per group of s into totals[part]. Each source partition is freed once read, so the memory
 * moves from the partials to the merged sets instead of doubling. */
static void merge_distinct_part(void *arg, size_t part, int pool_worker)
{
    (void)pool_worker;
    distinct_merge *m = arg;
    agg_exec *s = m->s;
    const tn_plan_agg *agg = &s->op.plan->aggregate.aggs[m->agg_idx];
    bool sums = agg->kind != TN_PLAN_AGG_COUNT;
    distinct_totals *t = &m->totals[part];
    tn_exec_ctx ctx = *s->op.ctx; /* own error slot: tasks run concurrently */
    ctx.err = &m->errs[part];
    ctx.main = s->op.ctx->main ? s->op.ctx->main : s->op.ctx;
    tn_exec_keys set = {0};
    tn_buf key = TN_BUF_INIT;
    int64_t set_bytes = 0;
    size_t groups = s->group_count ? s->group_count : 1, hint = 0;
    int rc = 0;
    for (int w = 0; w < m->source_count; w++) {
        const agg_state *ps = &m->sources[w]->states[m->agg_idx];
        if (ps->distinct && ps->distinct[part].count > hint)
            hint = ps->distinct[part].count;
    }
    t->bytes = (int64_t)groups * (sums ? 33 : 8);
    if ((rc = tn_exec_memory_add(&ctx, t->bytes)) != 0)
        goto done;
    t->count = tn_calloc(groups, sizeof *t->count);
    if (sums) {
        t->isum = tn_calloc(groups, sizeof *t->isum);
        t->dsum = tn_calloc(groups, sizeof *t->dsum);
        t->has = tn_calloc(groups, sizeof *t->has);
    }
    if (!t->count || (sums && (!t->isum || !t->dsum || !t->has)) ||
        tn_exec_keys_init(&set, hint) != 0) {
        rc = tn_error_set(ctx.err, TN_ENOMEM, "out of memory");
        goto done;
    }
    for (int w = 0; w < m->source_count && rc == 0; w++) {
        agg_state *ps = &m->sources[w]->states[m->agg_idx];
        if (!ps->distinct)
            continue;
        tn_exec_keys *from = &ps->distinct[part];
        const uint32_t *map = m->maps[w];
        size_t pos = 0;
        tn_str k;
        uint32_t unused;
        while (tn_exec_keys_next(from, &pos, &k, &unused)) {
            size_t vlen = k.len - sizeof(uint32_t);
            uint32_t g;
            memcpy(&g, k.ptr + vlen, sizeof g);
            if (map)
                g = map[g];
            tn_buf_clear(&key);
            if (tn_buf_append(&key, k.ptr, vlen) != 0 || tn_buf_append(&key, &g, sizeof g) != 0) {
                rc = tn_error_set(ctx.err, TN_ENOMEM, "out of memory");
                break;
            }
            uint64_t vh = tn_exec_keys_hash(k.ptr, vlen);
            int added = tn_exec_keys_upsert_hashed(&set, key.data, key.len, distinct_hash(vh, g),
                                                   0, &unused);
            if (added < 0) {
                rc = tn_error_set(ctx.err, TN_ENOMEM, "out of memory");
                break;
            }
            if (!added)
                continue;
            t->count[g]++;
            if (sums && add_distinct_value(agg, t, g, k.ptr) != 0) {
                rc = tn_error_set(ctx.err, TN_EOVERFLOW, "SUM out of range");
                break;
            }
        }
        /* its bytes go back to the budget when the source's table is next accounted */
        tn_exec_keys_free(from);
        int64_t delta = tn_exec_keys_memory(&set) - set_bytes;
        set_bytes += delta;
        if (rc == 0)
            rc = tn_exec_memory_add(&ctx, delta);
    }
done:
    tn_buf_free(&key);
    tn_exec_keys_free(&set);
    tn_exec_memory_add(&ctx, -set_bytes);
    if (rc && !ctx.err->code)
        tn_error_set(ctx.err, rc, "%s", tn_strerror(rc));
}

/* Merges the DISTINCT sets of every COUNT/SUM/AVG(DISTINCT) of `sources` (s among them, all
 * partitioned alike in `parts`) into s's states, which are recomputed from the sets. */
static int merge_distinct(agg_exec *s, agg_exec **sources, uint32_t **maps, int source_count,
                          uint32_t parts)
{
    tn_plan_op *plan = s->op.plan;
    int rc = 0;
    distinct_totals *totals = tn_calloc(parts, sizeof *totals);
    tn_error *errs = tn_calloc(parts, sizeof *errs);
    if (!totals || !errs) {
        rc = oom(s);
        goto done;
    }
    for (uint32_t a = 0; a < plan->aggregate.agg_count && rc == 0; a++) {
        const tn_plan_agg *agg = &plan->aggregate.aggs[a];
        if (!is_distinct_sum(agg))
            continue;
        agg_state *st = &s->states[a];
        size_t groups = s->group_count;
        memset(st->count, 0, groups * sizeof *st->count);
        memset(st->isum, 0, groups * sizeof *st->isum);
        memset(st->dsum, 0, groups * sizeof *st->dsum);
        memset(st->has, 0, groups * sizeof *st->has);
        memset(totals, 0, parts * sizeof *totals);
        memset(errs, 0, parts * sizeof *errs);
        distinct_merge m = {s, a, sources, maps, source_count, totals, errs};
        if ((rc = tn_pool_run(tn_pool_shared(), parts, merge_distinct_part, &m)) != 0)
            rc = tn_error_set(s->op.ctx->err, rc, "could not start the query's workers");
        for (uint32_t p = 0; p < parts && rc == 0; p++)
            if (errs[p].code) {
                *s->op.ctx->err = errs[p];
                rc = errs[p].code;
            }
        for (uint32_t p = 0; p < parts; p++) {
            distinct_totals *t = &totals[p];
            for (size_t g = 0; rc == 0 && t->count && g < groups; g++) {
                st->count[g] += t->count[g];
                if (!t->has)
                    continue;
                st->has[g] |= t->has[g];
                st->dsum[g] += t->dsum[g];
                if (__builtin_add_overflow(st->isum[g], t->isum[g], &st->isum[g]))
                    rc = tn_error_set(s->op.ctx->err, TN_EOVERFLOW, "SUM out of range");
            }
            tn_free(t->count);
            tn_free(t->isum);
            tn_free(t->dsum);
            tn_free(t->has);
            tn_exec_memory_add(s->op.ctx, -t->bytes);
        }
    }
done:
    tn_free(totals);
    tn_free(errs);
    for (int w = 0; w < source_count; w++) {
        int arc = account_keys(sources[w]); /* gives the merged partitions' bytes back */
        rc = rc ? rc : arc;
    }
    return rc;
}

/* Aggregates the input on `workers` workers, then merges their tables into s: the largest
 * becomes s's own (its group ids stay), the others are merged into it. */
static int consume_parallel(agg_exec *s, int workers)
{
    s->partials = tn_calloc((size_t)workers, sizeof *s->partials);
    if (!s->partials)
        return oom(s);
    s->partial_count = workers;
    int rc = tn_exec_parallel_run(s->op.ctx, s->op.children[0], workers, partial_sink, s);
    /* the workers' contexts are gone: merging and freeing run on this one */
    for (int w = 0; w < workers; w++)
        if (s->partials[w].op.ctx)
            s->partials[w].op.ctx = s->op.ctx;
    if (rc)
        return rc;
    int largest = -1;
    for (int w = 0; w < workers; w++) {
        agg_exec *p = &s->partials[w];
        if (!p->op.ctx)
            continue;
        if (largest < 0 || p->group_count > s->partials[largest].group_count)
            largest = w;
    }
    if (largest >= 0) {
        agg_exec *p = &s->partials[largest];
        tn_exec_op op = s->op;
        agg_exec *partials = s->partials;
        int partial_count = s->partial_count;
        table_free(s);
        *s = *p;
        s->op = op;
        s->partials = partials;
        s->partial_count = partial_count;
        memset(p, 0, sizeof *p); /* its contents now belong to s */
    }
    agg_exec **sources = tn_calloc((size_t)workers + 1, sizeof *sources);
    uint32_t **maps = tn_calloc((size_t)workers + 1, sizeof *maps);
    int source_count = 0;
    if (!sources || !maps)
        rc = oom(s);
    if (rc == 0)
        sources[source_count++] = s; /* its own group ids: no map */
    for (int w = 0; w < workers && rc == 0; w++)
        if (s->partials[w].op.ctx) {
            sources[source_count] = &s->partials[w];
            rc = merge_partial(s, &s->partials[w], &maps[source_count]);
            source_count++;
        }
    bool distinct = false;
    for (uint32_t a = 0; a < s->op.plan->aggregate.agg_count; a++)
        distinct = distinct || is_distinct_sum(&s->op.plan->aggregate.aggs[a]);
    if (rc == 0 && distinct)
        rc = merge_distinct(s, sources, maps, source_count, (uint32_t)workers);
    for (int w = 0; maps && w < source_count; w++)
        tn_free(maps[w]);
    tn_free(maps);
    tn_free(sources);
    free_partials(s);
    return rc;
}

static int agg_next(tn_exec_op *op, tn_exec_chunk *out)
{
    agg_exec *s = (agg_exec *)op;
    tn_plan_op *plan = op->plan;
    int rc;
    int workers = s->done ? 1 : tn_exec_parallel_workers(op->ctx, op->children[0]);
    if (workers > 1) {
        if ((rc = consume_parallel(s, workers)) != 0)
            return rc;
        if (plan->aggregate.group_count == 0 && s->group_count == 0) {
            if ((rc = grow_states(s, 1)) != 0)
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
            if ((rc = consume(s, &in)) != 0)
                return rc;
        }
        if (plan->aggregate.group_count == 0 && s->group_count == 0) {
            if ((rc = grow_states(s, 1)) != 0)
                return rc;
            s->group_count = 1;
        }
        s->done = true;
    }
    if (s->emit_group >= s->group_count) {
        out->batch = NULL;
        out->count = 0;
        return 0;
    }
    tn_batch_reset(s->out);
    uint32_t n = (uint32_t)(s->group_count - s->emit_group);
    if (n > TN_BATCH_ROWS)
        n = TN_BATCH_ROWS;
    uint32_t gk = plan->aggregate.group_count;
    if (gk) {
        /* group keys were appended in group order, TN_BATCH_ROWS per batch */
        size_t bi = s->emit_group / TN_BATCH_ROWS;
        tn_batch *kb = s->keys.batches[bi];
        uint32_t off = (uint32_t)(s->emit_group % TN_BATCH_ROWS);
        for (uint32_t k = 0; k < gk; k++)
            if ((rc = tn_exec_gather(&s->out->columns[k], 0, &kb->columns[k], tn_exec_identity + off, n)) != 0)
                return oom(s);
    }
    for (uint32_t a = 0; a < plan->aggregate.agg_count; a++) {
        tn_vector *v = &s->out->columns[gk + a];
        for (uint32_t i = 0; i < n; i++)
            if ((rc = finish_value(s, &plan->aggregate.aggs[a], &s->states[a], s->emit_group + i, v, i)) != 0)
                return rc < 0 && op->ctx->err->code ? rc : oom(s);
    }
    s->emit_group += n;
    s->out->row_count = n;
    out->batch = s->out;
    out->sel = tn_exec_identity;
    out->count = n;
    return 0;
}

/* Frees a table's contents and gives its bytes back to the query's budget. */
static void table_free(agg_exec *s)
{
    for (uint32_t a = 0; s->states && a < s->op.plan->aggregate.agg_count; a++) {
        agg_state *st = &s->states[a];
        tn_free(st->count);
        tn_free(st->isum);
        tn_free(st->dsum);
        tn_free(st->val);
        tn_free(st->has);
        for (uint32_t p = 0; st->distinct && p < s->distinct_parts; p++)
            tn_exec_keys_free(&st->distinct[p]);
        tn_free(st->distinct);
        st->distinct = NULL;
    }
    tn_free(s->states);
    s->states = NULL;
    tn_exec_keys_free(&s->groups);
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

static void free_partials(agg_exec *s)
{
    for (int w = 0; s->partials && w < s->partial_count; w++)
        table_free(&s->partials[w]);
    tn_free(s->partials);
    s->partials = NULL;
    s->partial_count = 0;
}

static void agg_close(tn_exec_op *op)
{
    agg_exec *s = (agg_exec *)op;
    free_partials(s);
    table_free(s);
}

/* Sets up an empty table for plan in s (op.ctx set by the caller). */
static int table_init(agg_exec *s, tn_plan_op *plan)
{
    tn_arena_init(&s->strings, 0);
    s->op.plan = plan;
    s->states = tn_calloc(plan->aggregate.agg_count + 1, sizeof *s->states);
    s->key_schema = tn_schema_new();
    if (!s->states || tn_exec_keys_init(&s->groups, 1024) != 0 || !s->key_schema)
        return oom(s);
    for (uint32_t k = 0; k < plan->aggregate.group_count; k++) {
        tn_type t = plan->aggregate.groups[k]->type;
        if (t.id == TN_TYPE_INVALID)
            t = tn_type_make(TN_TYPE_BOOLEAN);
        if (tn_schema_add(s->key_schema, plan->columns[k].name ? plan->columns[k].name : "k", t, true) != 0)
            return oom(s);
    }
    s->key_batch = tn_batch_new(s->key_schema, TN_BATCH_ROWS);
    tn_exec_rows_init(&s->keys, s->key_schema);
    tn_schema *os = tn_exec_schema(plan);
    s->out = os ? tn_batch_new(os, TN_BATCH_ROWS) : NULL;
    tn_schema_unref(os);
    if (!s->key_batch || !s->out)
        return oom(s);
    return 0;
}

int tn_exec_aggregate_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    agg_exec *s = tn_calloc(1, sizeof *s);
    if (!s)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    s->op.next = agg_next;
    s->op.close = agg_close;
    s->op.plan = plan;
    s->op.ctx = ctx;
    s->distinct_parts = 1;
    *out = &s->op;
    int rc = table_init(s, plan);
    if (rc)
        return rc;
    return tn_exec_build(ctx, plan->children[0], &s->op.children[0]);
}
