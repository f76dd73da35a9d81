/* SPDX-License-Identifier: Apache-2.0
 *
 * The hash aggregate over a parallel input (see aggregate.c for the whole operator): every
 * worker aggregates its morsels into a partial table of its own; with many groups (and no
 * DISTINCT sums) the partials of one plain integer key are probe-merged (each table's keys
 * looked up in the tables before it, no new table built), the others merged in parallel by
 * hash partitions of their keys, each partition into a result table of its own; else the
 * largest partial becomes the result and the others are merged into it group by group. DISTINCT sets are merged partition by
 * partition on the pool, a value seen by two workers counting once.
 */
#include "sql/exec/aggregate_int.h"

/* ---- parallel input: partial tables and their merge ------------------------------------ */


/* A worker's chunk goes to its partial table, created on its first chunk. */
static int partial_sink(void *arg, tn_exec_ctx *wctx, const tn_exec_chunk *chunk)
{
    agg_exec *s = arg;
    agg_exec *p = &s->partials[wctx->worker_idx];
    if (!p->op.ctx) {
        p->op.ctx = wctx;
        p->distinct_parts = (uint32_t)s->partial_count;
        int rc = agg_table_init(p, s->op.plan);
        if (rc)
            return rc;
    }
    return agg_consume(p, chunk);
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
        if (tn_decimal_is_64(agg->arg->type)) {
            int64_t y;
            memcpy(&y, v, sizeof y);
            x = y;
        } else {
            memcpy(&x, v, sizeof x);
        }
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

/* Merges the states of p's groups from[i] (i when from is NULL) into s's groups to[i], for
 * i < n, for every aggregate but the DISTINCT sums (merged through their sets). An overflow
 * is reported in ctx (a task's own, when tasks merge into s at once). */
static int merge_states(agg_exec *s, agg_exec *p, const uint32_t *from, const uint32_t *to,
                        size_t n, tn_exec_ctx *ctx)
{
    tn_plan_op *plan = s->op.plan;
    int rc = 0;
    for (uint32_t a = 0; a < plan->aggregate.agg_count; a++) {
        const tn_plan_agg *agg = &plan->aggregate.aggs[a];
        agg_state *st = &s->states[a], *ps = &p->states[a];
        bool is_min = agg->kind == TN_PLAN_AGG_MIN;
        if (is_distinct_sum(agg))
            continue; /* merged partition by partition afterwards */
        for (size_t i = 0; i < n; i++) {
            size_t g = from ? from[i] : i, m = to[i];
            switch (agg->kind) {
            case TN_PLAN_AGG_COUNT_STAR:
            case TN_PLAN_AGG_COUNT: st->count[m] += ps->count[g]; break;
            case TN_PLAN_AGG_SUM:
            case TN_PLAN_AGG_AVG:
                if (st->count)
                    st->count[m] += ps->count[g];
                if (st->has)
                    st->has[m] |= ps->has[g];
                if (st->dsum)
                    st->dsum[m] += ps->dsum[g];
                if (st->isum && __builtin_add_overflow(st->isum[m], ps->isum[g], &st->isum[m])) {
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
                        rc = agg_oom(s);
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
    return rc;
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
        return agg_oom(s);
    if (gk == 0) {
        if (s->group_count == 0) {
            if ((rc = agg_grow_states(s, 1)) != 0)
                goto done;
            s->group_count = 1;
        }
        map[0] = 0;
    } else {
        for (size_t b = 0; b < p->keys.batch_count; b++) {
            tn_batch *kb = p->keys.batches[b];
            uint32_t fresh[TN_BATCH_ROWS], nf = 0;
            for (uint32_t k = 0; k < gk; k++)
                s->key_args[k] = (tn_exec_arg){&kb->columns[k], tn_exec_identity};
            if ((rc = agg_assign_groups(s, s->key_args, kb->row_count, map + b * TN_BATCH_ROWS, fresh,
                                    &nf)) != 0 ||
                (rc = agg_grow_states(s, s->group_count)) != 0)
                goto done;
            if (nf) {
                tn_exec_chunk kc = {kb, fresh, nf};
                if ((rc = tn_exec_rows_append(ctx, &s->keys, &kc)) != 0)
                    goto done;
            }
        }
    }
    rc = merge_states(s, p, NULL, map, n, ctx);
done:
    if (rc)
        tn_free(map);
    else
        *map_out = map;
    return rc ? rc : agg_account_keys(s);
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

/* merge_distinct_part for compact pair sets: the other sources' pairs of partition `part`
 * are added to s's own (each source's freed once read), then the merged set is counted per
 * group into t and freed. No second copy of the pairs is ever made. */
static int merge_pairs_part(distinct_merge *m, size_t part, tn_exec_ctx *ctx, distinct_totals *t)
{
    agg_exec *s = m->s;
    const tn_plan_agg *agg = &s->op.plan->aggregate.aggs[m->agg_idx];
    pair_set *base = &s->states[m->agg_idx].pairs[part];
    int64_t base_bytes = agg_pair_set_memory(base), grown = 0;
    int rc = 0;
    for (int w = 0; w < m->source_count && rc == 0; w++) {
        agg_state *ps = &m->sources[w]->states[m->agg_idx];
        if (m->sources[w] == s || !ps->pairs)
            continue;
        pair_set *from = &ps->pairs[part];
        const uint32_t *map = m->maps[w];
        for (size_t i = 0; from->slots && i <= from->mask; i++) {
            const pair_slot *o = &from->slots[i];
            if (!o->group)
                continue;
            if ((base->count + 1) * 4 > (base->mask + 1) * 3 || !base->slots) {
                if (agg_pair_set_reserve(base, 1) != 0) {
                    rc = tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
                    break;
                }
            }
            uint64_t value = pair_value(o);
            uint32_t g = map ? map[o->group - 1] : o->group - 1;
            pair_set_add(base, value, g, distinct_hash(tn_hash_u64(value), g));
        }
        /* its bytes go back to the budget when the source's table is next accounted */
        agg_pair_set_free(from);
        int64_t delta = agg_pair_set_memory(base) - base_bytes - grown;
        grown += delta;
        if (rc == 0)
            rc = tn_exec_memory_add(ctx, delta);
    }
    bool sums = agg->kind != TN_PLAN_AGG_COUNT;
    for (size_t i = 0; rc == 0 && base->slots && i <= base->mask; i++) {
        const pair_slot *o = &base->slots[i];
        if (!o->group)
            continue;
        uint64_t value = pair_value(o);
        t->count[o->group - 1]++;
        if (sums && add_distinct_value(agg, t, o->group - 1, (const char *)&value) != 0)
            rc = tn_error_set(ctx->err, TN_EOVERFLOW, "SUM out of range");
    }
    /* s's part of the bytes goes back when s is next accounted */
    agg_pair_set_free(base);
    tn_exec_memory_add(ctx, -grown);
    return rc;
}

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
    if (!t->count || (sums && (!t->isum || !t->dsum || !t->has))) {
        rc = tn_error_set(ctx.err, TN_ENOMEM, "out of memory");
        goto done;
    }
    if (s->states[m->agg_idx].pairs) {
        rc = merge_pairs_part(m, part, &ctx, t);
        goto done;
    }
    if (tn_exec_keys_init(&set, hint) != 0) {
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
        rc = agg_oom(s);
        goto done;
    }
    for (uint32_t a = 0; a < plan->aggregate.agg_count && rc == 0; a++) {
        const tn_plan_agg *agg = &plan->aggregate.aggs[a];
        if (!is_distinct_sum(agg))
            continue;
        agg_state *st = &s->states[a];
        size_t groups = s->group_count;
        if (st->count)
            memset(st->count, 0, groups * sizeof *st->count);
        if (st->isum)
            memset(st->isum, 0, groups * sizeof *st->isum);
        if (st->dsum)
            memset(st->dsum, 0, groups * sizeof *st->dsum);
        if (st->has)
            memset(st->has, 0, groups * sizeof *st->has);
        memset(totals, 0, parts * sizeof *totals);
        memset(errs, 0, parts * sizeof *errs);
        /* compact sets are merged into s's own: s needs them even when it saw no rows */
        bool compact = false;
        for (int w = 0; w < source_count; w++)
            compact = compact || sources[w]->states[a].pairs;
        if (compact && !st->pairs && (rc = agg_distinct_init(s, st, agg->arg->type)) != 0)
            break;
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
                if (st->count)
                    st->count[g] += t->count[g];
                if (!t->has)
                    continue;
                if (st->has)
                    st->has[g] |= t->has[g];
                if (st->dsum)
                    st->dsum[g] += t->dsum[g];
                if (st->isum && __builtin_add_overflow(st->isum[g], t->isum[g], &st->isum[g]))
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
        int arc = agg_account_keys(sources[w]); /* gives the merged partitions' bytes back */
        rc = rc ? rc : arc;
    }
    return rc;
}

/* ---- parallel input with many groups: a partitioned merge ----------------------------- */

/* Partitions of the partitioned merge, and the groups (summed over the partial tables) from
 * which it is used: below that the merge into the largest partial is cheap, and the
 * partitions' fixed costs would dominate. */
#define MERGE_PARTS 16
#define MERGE_PARTS_MIN_GROUPS 16384

/* The partition of a group key's hash: its high bits, as the tables' slots use the low. */
static inline uint8_t merge_part(uint64_t hash)
{
    return (uint8_t)(((hash >> 32) * MERGE_PARTS) >> 32);
}

/* The partitioned merge of the partial tables: every partial's groups are split by the
 * hash of their key (one task per partial), then partition q of every partial is merged into
 * table q (one task per partition), sized beforehand for the groups it can receive. */
typedef struct part_merge {
    agg_exec *s;
    agg_exec **sources;       /* the partial tables that saw rows */
    int source_count;
    uint32_t **order;         /* per source: its group ids by partition, ascending in each */
    size_t (*starts)[MERGE_PARTS + 1]; /* per source: where each partition's ids start */
    tn_exec_ctx *ctxs;        /* per task: tasks run concurrently, each with its error slot */
    tn_error *errs;
} part_merge;

static tn_exec_ctx *task_ctx(part_merge *m, size_t task)
{
    tn_exec_ctx *ctx = &m->ctxs[task];
    *ctx = *m->s->op.ctx;
    ctx->err = &m->errs[task];
    ctx->main = m->s->op.ctx->main ? m->s->op.ctx->main : m->s->op.ctx;
    return ctx;
}

/* Task w: the group ids of source w listed partition by partition. Its hash table is freed
 * then, as the merge needs only its keys and states. */
static void split_partial(void *arg, size_t w, int pool_worker)
{
    (void)pool_worker;
    part_merge *m = arg;
    agg_exec *p = m->sources[w];
    p->op.ctx = task_ctx(m, w);
    uint32_t gk = p->op.plan->aggregate.group_count;
    size_t groups = p->group_count;
    uint8_t *part = tn_malloc(groups ? groups : 1);
    uint32_t *order = tn_malloc((groups ? groups : 1) * sizeof *order);
    int rc = part && order ? 0 : agg_oom(p);
    m->order[w] = order;
    size_t *starts = m->starts[w];
    for (size_t b = 0; rc == 0 && b < p->keys.batch_count; b++) {
        tn_batch *kb = p->keys.batches[b];
        uint32_t n = kb->row_count;
        uint8_t *out = part + b * TN_BATCH_ROWS;
        if (p->int_key && !p->interns) {
            /* as assign_int_groups hashes them; NULL goes to partition 0 */
            const tn_vector *v = &kb->columns[0];
            bool narrow = tn_type_width(v->type) == 4;
            for (uint32_t i = 0; i < n; i++) {
                int64_t x = narrow ? tn_vector_i32(v)[i] : tn_vector_i64(v)[i];
                out[i] = tn_vector_is_valid(v, i) ? merge_part(tn_hash_u64((uint64_t)x)) : 0;
            }
        } else {
            /* the keys' own bytes, interned ones too: ids differ between the partials */
            uint32_t off[TN_BATCH_ROWS + 1];
            for (uint32_t k = 0; k < gk; k++)
                p->key_args[k] = (tn_exec_arg){&kb->columns[k], tn_exec_identity};
            if ((rc = agg_serialize_keys(p, p->key_args, n, off)) != 0)
                break;
            for (uint32_t i = 0; i < n; i++)
                out[i] = merge_part(group_hash(p->key_bytes + off[i], off[i + 1] - off[i]));
        }
        for (uint32_t i = 0; i < n; i++)
            starts[out[i] + 1]++;
    }
    if (rc == 0) {
        size_t next[MERGE_PARTS];
        for (uint32_t q = 0; q < MERGE_PARTS; q++) {
            starts[q + 1] += starts[q];
            next[q] = starts[q];
        }
        for (size_t g = 0; g < groups; g++)
            order[next[part[g]]++] = (uint32_t)g;
    }
    tn_free(part);
    tn_exec_keys_free(&p->groups);
    tn_large_free(p->ints.slots, p->ints.slots ? (p->ints.mask + 1) * sizeof *p->ints.slots : 0);
    memset(&p->ints, 0, sizeof p->ints);
    tn_free(p->key_bytes);
    p->key_bytes = NULL;
    p->key_bytes_cap = 0;
    int arc = agg_account_keys(p);
    rc = rc ? rc : arc;
    if (rc && !p->op.ctx->err->code)
        tn_error_set(p->op.ctx->err, rc, "%s", tn_strerror(rc));
}

/* Task q: partition q of every source merged into table s->parts[q]. */
static void merge_part_task(void *arg, size_t q, int pool_worker)
{
    (void)pool_worker;
    part_merge *m = arg;
    agg_exec *s = m->s;
    agg_exec *t = &s->parts[q];
    tn_exec_ctx *ctx = task_ctx(m, q);
    t->op.ctx = ctx;
    t->distinct_parts = 1;
    uint32_t gk = s->op.plan->aggregate.group_count;
    int rc = agg_table_init(t, s->op.plan);
    /* the partials' groups of this partition bound its groups: room for them all (and one
     * chunk more, which the lookups reserve) means no table grows */
    size_t bound = 0;
    for (int w = 0; w < m->source_count; w++)
        bound += m->starts[w][q + 1] - m->starts[w][q];
    if (rc == 0 && t->int_key && agg_int_groups_reserve(&t->ints, bound + TN_BATCH_ROWS) != 0)
        rc = agg_oom(t);
    if (rc == 0 && !t->int_key && tn_exec_keys_reserve(&t->groups, bound + TN_BATCH_ROWS) != 0)
        rc = agg_oom(t);
    if (rc == 0 && (rc = agg_grow_states(t, bound)) == 0)
        rc = agg_account_keys(t);
    for (int w = 0; rc == 0 && w < m->source_count; w++) {
        agg_exec *p = m->sources[w];
        const uint32_t *ids = m->order[w] + m->starts[w][q];
        size_t count = m->starts[w][q + 1] - m->starts[w][q];
        /* the ids ascend: a run of them shares one batch of p's keys */
        for (size_t i = 0; rc == 0 && i < count;) {
            size_t b = ids[i] / TN_BATCH_ROWS;
            tn_batch *kb = p->keys.batches[b];
            uint32_t sel[TN_BATCH_ROWS], from[TN_BATCH_ROWS], map[TN_BATCH_ROWS];
            uint32_t fresh[TN_BATCH_ROWS], c = 0, nf = 0;
            for (; i < count && ids[i] / TN_BATCH_ROWS == b; i++) {
                from[c] = ids[i];
                sel[c++] = ids[i] % TN_BATCH_ROWS;
            }
            for (uint32_t k = 0; k < gk; k++)
                t->key_args[k] = (tn_exec_arg){&kb->columns[k], sel};
            if ((rc = agg_assign_groups(t, t->key_args, c, map, fresh, &nf)) != 0 ||
                (rc = agg_grow_states(t, t->group_count)) != 0)
                break;
            if (nf) {
                for (uint32_t j = 0; j < nf; j++)
                    fresh[j] = sel[fresh[j]];
                tn_exec_chunk kc = {kb, fresh, nf};
                if ((rc = tn_exec_rows_append(ctx, &t->keys, &kc)) != 0)
                    break;
            }
            rc = merge_states(t, p, from, map, c, ctx);
        }
    }
    if (rc == 0)
        rc = agg_account_keys(t);
    if (rc && !ctx->err->code)
        tn_error_set(ctx->err, rc, "%s", tn_strerror(rc));
}

/* Merges the partial tables `sources` into MERGE_PARTS tables of s (s->parts), which the
 * output then reads in turn; s's own table stays empty. */
static int merge_partitioned(agg_exec *s, agg_exec **sources, int source_count)
{
    part_merge m = {s, sources, source_count, NULL, NULL, NULL, NULL};
    size_t tasks = (size_t)source_count > MERGE_PARTS ? (size_t)source_count : MERGE_PARTS;
    int rc = 0;
    m.order = tn_calloc((size_t)source_count, sizeof *m.order);
    m.starts = tn_calloc((size_t)source_count, sizeof *m.starts);
    m.ctxs = tn_calloc(tasks, sizeof *m.ctxs);
    m.errs = tn_calloc(tasks, sizeof *m.errs);
    s->parts = tn_calloc(MERGE_PARTS, sizeof *s->parts);
    if (!m.order || !m.starts || !m.ctxs || !m.errs || !s->parts) {
        rc = agg_oom(s);
        goto done;
    }
    s->part_count = MERGE_PARTS;
    tn_task_fn passes[2] = {split_partial, merge_part_task};
    size_t counts[2] = {(size_t)source_count, MERGE_PARTS};
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        if ((rc = tn_pool_run(tn_pool_shared(), counts[pass], passes[pass], &m)) != 0)
            rc = tn_error_set(s->op.ctx->err, rc, "could not start the query's workers");
        /* the tasks' contexts are gone: what they touched now runs on s's */
        for (int w = 0; w < source_count; w++)
            sources[w]->op.ctx = s->op.ctx;
        for (uint32_t q = 0; q < s->part_count; q++)
            if (s->parts[q].op.ctx)
                s->parts[q].op.ctx = s->op.ctx;
        for (size_t i = 0; i < counts[pass] && rc == 0; i++)
            if (m.errs[i].code) {
                *s->op.ctx->err = m.errs[i];
                rc = m.errs[i].code;
            }
        memset(m.errs, 0, tasks * sizeof *m.errs);
    }
done:
    for (int w = 0; m.order && w < source_count; w++)
        tn_free(m.order[w]);
    tn_free(m.order);
    tn_free(m.starts);
    tn_free(m.ctxs);
    tn_free(m.errs);
    return rc;
}

/* ---- parallel input with one integer key: a probe merge ------------------------------- */

/* Sources up to which the probe merge is used: source w's keys are looked up in the w tables
 * before it, so the lookups grow with the square of the sources. */
#define PROBE_MERGE_MAX_SOURCES 4
/* Groups of the probed source per task (a whole number of key batches). */
#define PROBE_TASK_GROUPS (16 * TN_BATCH_ROWS)

/* The probe merge of the partial tables of one integer key: the groups of each source whose
 * key an earlier source has are merged into that source's group and marked (agg_exec.merged);
 * the others stay where they are. The output then reads the sources in turn, skipping the
 * marked groups. No table is built: the memory of the merge is one byte per group, where a
 * merge into new tables would hold every group twice. Files sorted or clustered by the key
 * (TPC-H's lineitem by l_orderkey) give the workers nearly disjoint keys, so that almost no
 * group is merged at all. */
typedef struct probe_merge {
    agg_exec **sources;
    int probed;        /* the source whose groups are looked up, in sources[0..probed) */
    tn_exec_ctx *main; /* the operator's context */
    tn_exec_ctx *ctxs; /* per task: tasks run concurrently, each with its error slot */
    tn_error *errs;
} probe_merge;

/* The group id + 1 of key x (the NULL key when !valid) in t; 0 when t has no such group. */
static uint32_t int_groups_find(const int_groups *t, int64_t x, bool valid)
{
    if (!valid)
        return t->null_id;
    if (!t->slots)
        return 0;
    size_t j = (size_t)tn_hash_u64((uint64_t)x) & t->mask;
    for (;;) {
        const int_slot *slot = &t->slots[j];
        if (!slot->id || slot->value == x)
            return slot->id;
        j = (j + 1) & t->mask;
    }
}

/* Task: groups [task * PROBE_TASK_GROUPS, +PROBE_TASK_GROUPS) of the probed source. A key is
 * merged into the first earlier source that has it: a later one's group of that key was
 * merged into it itself. Distinct keys find distinct groups, so tasks never write the same
 * state. */
static void probe_task(void *arg, size_t task, int pool_worker)
{
    (void)pool_worker;
    probe_merge *m = arg;
    agg_exec *p = m->sources[m->probed];
    tn_exec_ctx *ctx = &m->ctxs[task];
    *ctx = *m->main;
    ctx->err = &m->errs[task];
    ctx->main = m->main->main ? m->main->main : m->main;
    size_t end = (task + 1) * PROBE_TASK_GROUPS;
    if (end > p->group_count)
        end = p->group_count;
    int rc = 0;
    for (size_t first = task * PROBE_TASK_GROUPS; rc == 0 && first < end; first += TN_BATCH_ROWS) {
        const tn_vector *v = &p->keys.batches[first / TN_BATCH_ROWS]->columns[0];
        uint32_t n = end - first < TN_BATCH_ROWS ? (uint32_t)(end - first) : TN_BATCH_ROWS;
        int64_t vals[TN_BATCH_ROWS];
        uint32_t rest[TN_BATCH_ROWS], from[TN_BATCH_ROWS], to[TN_BATCH_ROWS], rest_count = 0;
        bool narrow = tn_type_width(v->type) == 4;
        const int_groups *t0 = &m->sources[0]->ints;
        for (uint32_t i = 0; i < n; i++) {
            vals[i] = narrow ? tn_vector_i32(v)[i] : tn_vector_i64(v)[i];
            if (t0->slots)
                __builtin_prefetch(&t0->slots[(size_t)tn_hash_u64((uint64_t)vals[i]) & t0->mask]);
            rest[rest_count++] = i;
        }
        for (int w = 0; rc == 0 && w < m->probed && rest_count; w++) {
            agg_exec *target = m->sources[w];
            uint32_t c = 0, left = 0;
            for (uint32_t k = 0; k < rest_count; k++) {
                uint32_t i = rest[k];
                uint32_t id = int_groups_find(&target->ints, vals[i], tn_vector_is_valid(v, i));
                if (id) {
                    from[c] = (uint32_t)first + i;
                    to[c++] = id - 1;
                    p->merged[first + i] = 1;
                } else {
                    rest[left++] = i;
                }
            }
            rest_count = left;
            if (c)
                rc = merge_states(target, p, from, to, c, ctx);
        }
    }
    if (rc && !ctx->err->code)
        tn_error_set(ctx->err, rc, "%s", tn_strerror(rc));
}

/* Whether the plan has a MIN/MAX of strings: merging it copies strings into the target's
 * arena, which concurrent tasks must not share. */
static bool has_string_min_max(const tn_plan_op *plan)
{
    for (uint32_t a = 0; a < plan->aggregate.agg_count; a++) {
        const tn_plan_agg *agg = &plan->aggregate.aggs[a];
        if ((agg->kind == TN_PLAN_AGG_MIN || agg->kind == TN_PLAN_AGG_MAX) && agg->arg &&
            (agg->arg->type.id == TN_TYPE_VARCHAR || agg->arg->type.id == TN_TYPE_BLOB))
            return true;
    }
    return false;
}

/* Probe-merges `sources` (partial tables of one integer key, not interned) and hands them to
 * s as its parts, which the output reads in turn. The largest source goes first: it takes the
 * others' shared groups. */
static int merge_probed(agg_exec *s, agg_exec **sources, int source_count)
{
    for (int i = 1; i < source_count; i++)
        for (int j = i; j > 0 && sources[j]->group_count > sources[j - 1]->group_count; j--) {
            agg_exec *x = sources[j];
            sources[j] = sources[j - 1];
            sources[j - 1] = x;
        }
    size_t most = 0;
    for (int w = 1; w < source_count; w++)
        if (sources[w]->group_count > most)
            most = sources[w]->group_count;
    size_t tasks = (most + PROBE_TASK_GROUPS - 1) / PROBE_TASK_GROUPS;
    probe_merge m = {sources, 0, s->op.ctx, NULL, NULL};
    bool serial = has_string_min_max(s->op.plan);
    int rc = 0;
    m.ctxs = tn_calloc(tasks ? tasks : 1, sizeof *m.ctxs);
    m.errs = tn_calloc(tasks ? tasks : 1, sizeof *m.errs);
    if (!m.ctxs || !m.errs) {
        rc = agg_oom(s);
        goto done;
    }
    for (int w = 1; w < source_count && rc == 0; w++) {
        agg_exec *p = sources[w];
        size_t groups = p->group_count;
        p->merged = tn_calloc(groups ? groups : 1, 1);
        if (!p->merged) {
            rc = agg_oom(s);
            break;
        }
        p->table_bytes += (int64_t)groups;
        if ((rc = tn_exec_memory_add(s->op.ctx, (int64_t)groups)) != 0)
            break;
        m.probed = w;
        size_t count = (groups + PROBE_TASK_GROUPS - 1) / PROBE_TASK_GROUPS;
        if (serial) {
            for (size_t t = 0; t < count; t++)
                probe_task(&m, t, 0);
        } else if ((rc = tn_pool_run(tn_pool_shared(), count, probe_task, &m)) != 0) {
            rc = tn_error_set(s->op.ctx->err, rc, "could not start the query's workers");
        }
        for (size_t t = 0; t < count && rc == 0; t++)
            if (m.errs[t].code) {
                *s->op.ctx->err = m.errs[t];
                rc = m.errs[t].code;
            }
    }
    if (rc)
        goto done;
    /* the output needs only the keys and states: the hash tables go now */
    for (int w = 0; w < source_count; w++) {
        int_groups *t = &sources[w]->ints;
        tn_large_free(t->slots, t->slots ? (t->mask + 1) * sizeof *t->slots : 0);
        memset(t, 0, sizeof *t);
        if ((rc = agg_account_keys(sources[w])) != 0)
            goto done;
    }
    s->parts = s->partials;
    s->part_count = (uint32_t)s->partial_count;
    s->partials = NULL;
    s->partial_count = 0;
done:
    tn_free(m.ctxs);
    tn_free(m.errs);
    return rc;
}

/* Aggregates the input on `workers` workers, then merges their tables: with many groups
 * partition by partition into s->parts (merge_partitioned), else into s, the largest becoming
 * s's own (its group ids stay) and the others merged into it. */
int agg_consume_parallel(agg_exec *s, int workers)
{
    s->partials = tn_calloc((size_t)workers, sizeof *s->partials);
    if (!s->partials)
        return agg_oom(s);
    s->partial_count = workers;
    int rc = tn_exec_parallel_run(s->op.ctx, s->op.children[0], workers, partial_sink, s);
    /* the workers' contexts are gone: merging and freeing run on this one */
    for (int w = 0; w < workers; w++)
        if (s->partials[w].op.ctx)
            s->partials[w].op.ctx = s->op.ctx;
    if (rc)
        return rc;
    /* many groups: merged partition by partition in parallel (DISTINCT sums keep the merge
     * below, whose sets are partitioned by value rather than by group) */
    size_t total = 0;
    int source_count = 0;
    bool distinct = false;
    for (uint32_t a = 0; a < s->op.plan->aggregate.agg_count; a++)
        distinct = distinct || is_distinct_sum(&s->op.plan->aggregate.aggs[a]);
    for (int w = 0; w < workers; w++)
        if (s->partials[w].op.ctx) {
            total += s->partials[w].group_count;
            source_count++;
        }
    agg_exec **sources = tn_calloc((size_t)workers + 1, sizeof *sources);
    if (!sources)
        return agg_oom(s);
    if (s->op.plan->aggregate.group_count > 0 && !distinct && source_count > 1 &&
        total >= MERGE_PARTS_MIN_GROUPS) {
        source_count = 0;
        bool probe = true;
        for (int w = 0; w < workers; w++)
            if (s->partials[w].op.ctx) {
                agg_exec *p = &s->partials[w];
                sources[source_count++] = p;
                probe = probe && p->int_key && !p->interns;
            }
        if (probe && source_count <= PROBE_MERGE_MAX_SOURCES)
            rc = merge_probed(s, sources, source_count);
        else
            rc = merge_partitioned(s, sources, source_count);
        tn_free(sources);
        agg_free_partials(s);
        return rc;
    }
    source_count = 0;
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
        agg_table_free(s);
        *s = *p;
        s->op = op;
        s->partials = partials;
        s->partial_count = partial_count;
        memset(p, 0, sizeof *p); /* its contents now belong to s */
    }
    uint32_t **maps = tn_calloc((size_t)workers + 1, sizeof *maps);
    if (!maps)
        rc = agg_oom(s);
    if (rc == 0)
        sources[source_count++] = s; /* its own group ids: no map */
    for (int w = 0; w < workers && rc == 0; w++)
        if (s->partials[w].op.ctx) {
            sources[source_count] = &s->partials[w];
            rc = merge_partial(s, &s->partials[w], &maps[source_count]);
            source_count++;
            /* without DISTINCT sets to merge, nothing of the partial is read again */
            if (!distinct)
                agg_table_free(&s->partials[w]);
        }
    if (rc == 0 && distinct)
        rc = merge_distinct(s, sources, maps, source_count, (uint32_t)workers);
    for (int w = 0; maps && w < source_count; w++)
        tn_free(maps[w]);
    tn_free(maps);
    tn_free(sources);
    agg_free_partials(s);
    return rc;
}
