/* SPDX-License-Identifier: Apache-2.0
 *
 * Joins: a hash join (INNER, LEFT, RIGHT, FULL, SEMI, ANTI) on equality keys with an optional
 * residual condition, and the cross product / nested-loop join when there are no keys.
 *
 * The right child is the build side. Its rows are materialised in batches of TN_BATCH_ROWS
 * (row id = batch * TN_BATCH_ROWS + row; gathered by several workers, each morsel's rows
 * start a batch, so a batch may be short) and indexed by a table of buckets laid out in one
 * array (counting sort): bucket b's rows are entries[offsets[b] .. offsets[b + 1]), those of
 * one key in decreasing row order. Rows whose key has a NULL are not entered: they never
 * match. Three kinds of table:
 * - packed: every key is an integer type (INTEGER, BIGINT, DATE, TIMESTAMP[TZ]) and the build
 *   keys' ranges multiply into 64 bits. A key tuple packs into one integer, (key - min) per
 *   column times the product of the later columns' ranges; a probe value outside a column's
 *   range cannot match and is dropped before any lookup. When the packed range is small
 *   against the row count, the packed key is the bucket itself ("direct": one bucket per key,
 *   no key comparison); otherwise a multiplicative hash picks the bucket and entry_keys holds
 *   each entry's packed key to compare.
 * - serial: other keys, serialised (tn_exec_key_append) into a tn_exec_keys table whose id
 *   is the bucket; every entry of a bucket matches.
 * - all: no keys; every build row is a candidate for every probe row.
 *
 * Probing computes the buckets of a whole left chunk at once (one tight loop per key column,
 * then one loop of independent bucket loads, so cache misses overlap), then walks the ranges.
 * An INNER join streams its output: a block of up to TN_BATCH_ROWS matching pairs becomes an
 * output batch, left columns gathered through the pair positions and right columns gathered
 * column by column from the build rows. When the build keys are unique (each left row has at
 * most one match) the output batch borrows the left chunk's vectors and writes the right
 * columns at the left rows' own positions, so the left side is not copied at all. Outer, semi
 * and anti joins record matches per left row (and per right row for RIGHT/FULL) and queue
 * their output per left chunk.
 *
 * Once built, an INNER, RIGHT or SEMI join hands its integer keys' ranges and bitmaps to the
 * scans producing the probe keys (join_filter.c), and does not read its probe side at all
 * when no build row has a key.
 *
 * In a parallel pipeline the main thread's join builds the table once (tn_exec_join_prepare)
 * and every worker's join probes it read-only: a worker's join has no right child and points
 * `build` at the main one. RIGHT and FULL joins, which mark build rows, stay serial.
 */
#include "sql/sql_int.h"

#include <stdlib.h>

#define ROW_SHIFT 11 /* log2(TN_BATCH_ROWS): a row id's batch */
#define ROW_MASK  (TN_BATCH_ROWS - 1)
#define DIRECT_SLACK 4   /* a packed range up to this many times the rows is indexed directly */
#define UNIQUE_CHECK_MAX 64 /* longer buckets are not checked for duplicate keys */
#define HASH_MULTIPLIER 0x9e3779b97f4a7c15ULL
#define PREFETCH_AHEAD 16   /* left rows between a prefetch and its use */
#define PREFETCH_MIN_ENTRIES (1u << 16) /* smaller tables stay in the caches */

_Static_assert(TN_BATCH_ROWS == 1 << ROW_SHIFT, "row ids split at TN_BATCH_ROWS");

typedef enum table_kind {
    TABLE_ALL,    /* no keys (or no build row with a key): every entry is a candidate */
    TABLE_PACKED, /* integer keys packed into 64 bits */
    TABLE_SERIAL, /* serialised keys */
} table_kind;

/* The build side's index, shared read-only by the probing workers. */
typedef struct join_table {
    table_kind kind;
    bool direct;             /* packed: the packed key is the bucket */
    bool unique;             /* no two entries share a key */
    uint32_t shift;          /* packed, hashed: 64 - log2(bucket_count) */
    uint64_t bucket_count;   /* buckets; bucket_count is also the empty bucket */
    uint32_t *offsets;       /* bucket_count + 2 bounds */
    uint32_t *entries;       /* build row ids, by bucket */
    uint64_t *entry_keys;    /* packed, hashed: each entry's packed key */
    uint32_t entry_count;
    int64_t *key_min;        /* packed: per key column */
    int64_t *key_max;
    uint64_t *key_stride;
    tn_exec_keys serial;     /* serial: key -> bucket */
    const tn_vector **cols;  /* build column c of batch b at [c * batch_count + b] */
    bool *col_nulls;         /* build column c has NULLs */
    uint32_t *col_max_len;   /* build column c's longest value (variable-length columns) */
    size_t batch_count;
    int64_t bytes;           /* accounted for the index */
} join_table;

typedef struct join_state join_state;
struct join_state {
    tn_exec_op op;
    join_state *build;       /* the join whose build side is probed: itself, or the main
                                thread's for a worker */
    tn_exec_rows right;      /* build rows */
    tn_exec_rows right_keys; /* their keys when a key is not a plain column (build only) */
    tn_schema *key_schema;
    tn_batch *key_batch;
    join_table table;
    uint8_t *right_matched;  /* RIGHT/FULL: per build row id */
    bool built;
    bool keys_are_columns;   /* every right key is a column reference */
    bool left_done;
    bool right_emitted;
    uint32_t right_cols;
    uint32_t left_cols;
    /* the left chunk being probed */
    tn_exec_chunk in;
    bool have_in;
    uint32_t in_pos;         /* next left row (position in in.sel) */
    uint32_t entry_pos;      /* next entry of in_pos's range */
    uint32_t range_start[TN_BATCH_ROWS];
    uint32_t range_end[TN_BATCH_ROWS];
    uint64_t probe_keys[TN_BATCH_ROWS];
    uint8_t probe_ok[TN_BATCH_ROWS];
    uint32_t lpos[TN_BATCH_ROWS];
    uint32_t rrow[TN_BATCH_ROWS];
    uint32_t out_sel[TN_BATCH_ROWS];
    uint32_t keep[TN_BATCH_ROWS];
    uint8_t left_matched[TN_BATCH_ROWS];
    bool chunk_fresh;        /* nothing of the chunk handed out yet */
    tn_exec_arg *key_args;   /* serial: the left keys of the chunk */
    tn_buf key;              /* serial: a probe row's key */
    /* output */
    tn_schema *pair_schema;
    tn_batch *pair;          /* pairs gathered into rows of their own */
    tn_batch shell;          /* unique keys: left vectors borrowed, right ones in shell_right */
    tn_vector *shell_right;  /* the right columns of the shell, owned */
    tn_exec_rows pending;    /* outer/semi/anti output waiting to be handed out */
    size_t pending_idx;
    tn_exec_join_filter *filters; /* build: per key, linked into a probe-side scan or not */
};

static int oom(join_state *s)
{
    return tn_error_set(s->op.ctx->err, TN_ENOMEM, "out of memory");
}

/* Equality keys of a join; a cross product has none. */
static uint32_t key_count(const tn_plan_op *plan)
{
    return plan->kind == TN_PLAN_JOIN ? plan->join.key_count : 0;
}

/* Evaluates key expressions over a chunk into kb (dense) with ctx's evaluator. */
static int eval_keys_into(tn_exec_ctx *ctx, const tn_plan_op *plan, tn_batch *kb,
                          tn_plan_expr **exprs, const tn_exec_chunk *in)
{
    tn_batch_reset(kb);
    for (uint32_t k = 0; k < plan->join.key_count; k++) {
        tn_exec_arg a;
        int rc = tn_exec_eval_expr(&ctx->eval, exprs[k], in, &a);
        if (rc)
            return rc;
        if (tn_exec_gather(&kb->columns[k], 0, a.vec, a.sel, in->count) != 0)
            return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    }
    kb->row_count = in->count;
    return 0;
}

/* ---- a build side gathered by several workers ---------------------------------------- */

/* The rows of one morsel, gathered by one worker in batches of their own. */
typedef struct build_segment {
    int64_t seq;
    tn_exec_rows rows;
    tn_exec_rows keys; /* when a key is not a plain column */
} build_segment;

/* What one worker gathered of the build side. */
typedef struct build_part {
    tn_exec_ctx *ctx;
    tn_batch *key_batch;
    build_segment *segments;
    size_t segment_count, segment_cap;
} build_part;

typedef struct build_run {
    join_state *join;
    build_part *parts;
} build_run;

static int build_sink(void *arg, tn_exec_ctx *wctx, const tn_exec_chunk *chunk)
{
    build_run *br = arg;
    join_state *s = br->join;
    build_part *p = &br->parts[wctx->worker_idx];
    const tn_plan_op *plan = s->op.plan;
    int rc;
    if (!p->ctx) {
        p->ctx = wctx;
        p->key_batch = tn_batch_new(s->key_schema, TN_BATCH_ROWS);
        if (!p->key_batch)
            return tn_error_set(wctx->err, TN_ENOMEM, "out of memory");
    }
    build_segment *seg = p->segment_count ? &p->segments[p->segment_count - 1] : NULL;
    if (!seg || seg->seq != wctx->morsel_seq) {
        if (p->segment_count == p->segment_cap) {
            size_t cap = p->segment_cap ? p->segment_cap * 2 : 64;
            build_segment *n = tn_realloc(p->segments, cap * sizeof *n);
            if (!n)
                return tn_error_set(wctx->err, TN_ENOMEM, "out of memory");
            p->segments = n;
            p->segment_cap = cap;
        }
        seg = &p->segments[p->segment_count++];
        memset(seg, 0, sizeof *seg);
        seg->seq = wctx->morsel_seq;
        tn_exec_rows_init(&seg->rows, NULL);
        tn_exec_rows_init(&seg->keys, s->key_schema);
    }
    if ((rc = tn_exec_rows_append(wctx, &seg->rows, chunk)) != 0)
        return rc;
    if (key_count(plan) && !s->keys_are_columns) {
        if ((rc = eval_keys_into(wctx, plan, p->key_batch, plan->join.right_keys, chunk)) != 0)
            return rc;
        tn_exec_chunk kc = {p->key_batch, tn_exec_identity, chunk->count};
        if ((rc = tn_exec_rows_append(wctx, &seg->keys, &kc)) != 0)
            return rc;
    }
    return 0;
}

static int segment_cmp(const void *a, const void *b)
{
    const build_segment *x = *(build_segment *const *)a, *y = *(build_segment *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Moves the batches of `from` to the end of `to`, with their accounted bytes (no copy). */
static int move_batches(tn_exec_ctx *ctx, tn_exec_rows *to, tn_exec_rows *from)
{
    if (from->batch_count == 0)
        return 0;
    if (to->batch_count + from->batch_count > to->batch_cap) {
        size_t cap = to->batch_cap ? to->batch_cap : 16;
        while (cap < to->batch_count + from->batch_count)
            cap *= 2;
        tn_batch **nb = tn_realloc(to->batches, cap * sizeof *nb);
        if (!nb)
            return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
        to->batches = nb;
        to->batch_cap = cap;
    }
    if (!to->schema)
        to->schema = tn_schema_ref(from->schema);
    if (!to->accounted_to)
        to->accounted_to = ctx->main ? ctx->main : ctx;
    memcpy(to->batches + to->batch_count, from->batches, from->batch_count * sizeof *to->batches);
    to->batch_count += from->batch_count;
    to->row_count += from->row_count;
    to->bytes += from->bytes;
    from->batch_count = 0;
    from->row_count = 0;
    from->bytes = 0;
    return 0;
}

/* Gathers the build side on `workers` workers, then lays the morsels' batches out in morsel
 * order (the order a serial scan reads them), so matches come out as they would on one
 * thread. A morsel's last batch may be short: row ids then skip the rest of it. */
static int gather_parallel(join_state *s, int workers)
{
    tn_exec_ctx *ctx = s->op.ctx;
    build_run br = {s, tn_calloc((size_t)workers, sizeof(build_part))};
    if (!br.parts)
        return oom(s);
    build_segment **all = NULL;
    int rc = tn_exec_parallel_run(ctx, s->op.children[1], workers, build_sink, &br);
    size_t total = 0;
    for (int w = 0; rc == 0 && w < workers; w++)
        total += br.parts[w].segment_count;
    if (rc == 0 && !(all = tn_malloc((total ? total : 1) * sizeof *all)))
        rc = oom(s);
    if (rc == 0) {
        size_t k = 0;
        for (int w = 0; w < workers; w++)
            for (size_t i = 0; i < br.parts[w].segment_count; i++)
                all[k++] = &br.parts[w].segments[i];
        qsort(all, total, sizeof *all, segment_cmp);
        for (size_t i = 0; rc == 0 && i < total; i++) {
            rc = move_batches(ctx, &s->right, &all[i]->rows);
            if (rc == 0)
                rc = move_batches(ctx, &s->right_keys, &all[i]->keys);
        }
    }
    tn_free(all);
    for (int w = 0; w < workers; w++) {
        build_part *p = &br.parts[w];
        for (size_t i = 0; i < p->segment_count; i++) {
            tn_exec_rows_free(&p->segments[i].rows);
            tn_exec_rows_free(&p->segments[i].keys);
        }
        tn_batch_free(p->key_batch);
        tn_free(p->segments);
    }
    tn_free(br.parts);
    return rc;
}

/* ---- the build side's index ------------------------------------------------------------ */

static bool packable_type(tn_type t)
{
    switch ((tn_type_id)t.id) {
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE:
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: return true;
    case TN_TYPE_DECIMAL: return tn_decimal_is_64(t); /* int64 unscaled values */
    default: return false;
    }
}

static inline int64_t int_value(const tn_vector *v, bool wide, uint32_t row)
{
    return wide ? tn_vector_i64(v)[row] : (int64_t)tn_vector_i32(v)[row];
}

/* Key column k of build batch b. */
static const tn_vector *build_key(const join_state *s, size_t b, uint32_t k)
{
    const tn_plan_expr *e = s->op.plan->join.right_keys[k];
    if (s->keys_are_columns)
        return &s->right.batches[b]->columns[e->column];
    return &s->right_keys.batches[b]->columns[k];
}

/* Whether build row `row` of batch b has a NULL key. */
static bool build_key_null(const join_state *s, size_t b, uint32_t row)
{
    for (uint32_t k = 0; k < s->op.plan->join.key_count; k++) {
        const tn_vector *v = build_key(s, b, k);
        if (v->null_count && !tn_vector_is_valid(v, row))
            return true;
    }
    return false;
}

static inline uint64_t packed_bucket(const join_table *t, uint64_t packed)
{
    return t->direct ? packed : (packed * HASH_MULTIPLIER) >> t->shift;
}

/* The packed keys of the rows of build batch b, column by column (rows with a NULL key get
 * a meaningless value: they are not entered). */
static void build_packed(const join_state *s, size_t b, uint64_t *packed)
{
    const join_table *t = &s->table;
    uint32_t rows = s->right.batches[b]->row_count;
    for (uint32_t k = 0; k < s->op.plan->join.key_count; k++) {
        const tn_vector *v = build_key(s, b, k);
        uint64_t lo = (uint64_t)t->key_min[k], stride = t->key_stride[k];
        /* the first column sets, the others add */
        uint64_t keep = k ? ~(uint64_t)0 : 0;
        if (tn_type_width(v->type) == 8) {
            const int64_t *x = tn_vector_i64(v);
            for (uint32_t r = 0; r < rows; r++)
                packed[r] = (packed[r] & keep) + ((uint64_t)x[r] - lo) * stride;
        } else {
            const int32_t *x = tn_vector_i32(v);
            for (uint32_t r = 0; r < rows; r++)
                packed[r] = (packed[r] & keep) + ((uint64_t)(int64_t)x[r] - lo) * stride;
        }
    }
}

/* Decides whether the keys pack, from their ranges over the build rows. Sets kind, the
 * ranges and strides, direct and the bucket count; `valid` = rows without a NULL key. */
static int plan_packed(join_state *s, uint64_t valid, bool *packed)
{
    join_table *t = &s->table;
    uint32_t keys = s->op.plan->join.key_count;
    *packed = false;
    for (uint32_t k = 0; k < keys; k++)
        if (!packable_type(s->op.plan->join.right_keys[k]->type) ||
            !packable_type(s->op.plan->join.left_keys[k]->type) ||
            tn_type_width(s->op.plan->join.right_keys[k]->type) !=
                tn_type_width(s->op.plan->join.left_keys[k]->type))
            return 0;
    t->key_min = tn_malloc(keys * sizeof *t->key_min);
    t->key_max = tn_malloc(keys * sizeof *t->key_max);
    t->key_stride = tn_malloc(keys * sizeof *t->key_stride);
    if (!t->key_min || !t->key_max || !t->key_stride)
        return oom(s);
    for (uint32_t k = 0; k < keys; k++) {
        t->key_min[k] = INT64_MAX;
        t->key_max[k] = INT64_MIN;
    }
    for (size_t b = 0; b < s->right.batch_count; b++) {
        uint32_t rows = s->right.batches[b]->row_count;
        for (uint32_t k = 0; k < keys; k++) {
            const tn_vector *v = build_key(s, b, k);
            bool wide = tn_type_width(v->type) == 8;
            int64_t lo = t->key_min[k], hi = t->key_max[k];
            if (v->null_count) {
                for (uint32_t r = 0; r < rows; r++) {
                    if (build_key_null(s, b, r))
                        continue;
                    int64_t x = int_value(v, wide, r);
                    lo = x < lo ? x : lo;
                    hi = x > hi ? x : hi;
                }
            } else if (wide) {
                const int64_t *x = tn_vector_i64(v);
                for (uint32_t r = 0; r < rows; r++) {
                    lo = x[r] < lo ? x[r] : lo;
                    hi = x[r] > hi ? x[r] : hi;
                }
            } else {
                const int32_t *x = tn_vector_i32(v);
                for (uint32_t r = 0; r < rows; r++) {
                    lo = x[r] < lo ? x[r] : lo;
                    hi = x[r] > hi ? x[r] : hi;
                }
            }
            t->key_min[k] = lo;
            t->key_max[k] = hi;
        }
    }
    /* strides: the last column varies fastest */
    uint64_t range = 1;
    for (uint32_t k = keys; k-- > 0;) {
        uint64_t span = (uint64_t)t->key_max[k] - (uint64_t)t->key_min[k] + 1;
        t->key_stride[k] = range;
        if (keys == 1) {
            range = span; /* 0 when the span is all of int64: then hashed */
            break;
        }
        if (span == 0 || __builtin_mul_overflow(range, span, &range))
            return 0;
    }
    *packed = true;
    t->kind = TABLE_PACKED;
    if (range != 0 && range <= valid * DIRECT_SLACK + 1024 && range < (uint64_t)1 << 31) {
        t->direct = true;
        t->bucket_count = range;
        return 0;
    }
    uint64_t buckets = 16;
    uint32_t bits = 4;
    while (buckets < valid) {
        buckets *= 2;
        bits++;
    }
    t->bucket_count = buckets;
    t->shift = 64 - bits;
    return 0;
}

/* Counts the rows of each bucket, turns the counts into end bounds and places each keyed
 * row by decrementing its bucket's bound, so offsets end up as start bounds and a bucket's
 * entries in decreasing row order (the order a chain of most recent first gave).
 * row_bucket[id] is a row id's bucket, UINT32_MAX for rows not entered. */
static int place_rows(join_state *s, uint32_t *row_bucket)
{
    join_table *t = &s->table;
    size_t nb = (size_t)t->bucket_count;
    t->offsets = tn_calloc(nb + 2, sizeof *t->offsets);
    if (!t->offsets)
        return oom(s);
    size_t ids = s->right.batch_count * TN_BATCH_ROWS;
    uint32_t total = 0;
    for (size_t r = 0; r < ids; r++)
        if (row_bucket[r] != UINT32_MAX) {
            t->offsets[row_bucket[r]]++;
            total++;
        }
    t->unique = true;
    uint32_t sum = 0;
    for (size_t b = 0; b < nb; b++) {
        if (t->offsets[b] > 1 && t->kind != TABLE_PACKED)
            t->unique = false;
        if (t->offsets[b] > 1 && t->direct)
            t->unique = false;
        sum += t->offsets[b];
        t->offsets[b] = sum;
    }
    t->offsets[nb] = sum;
    t->offsets[nb + 1] = sum;
    t->entry_count = total;
    t->entries = tn_malloc((total ? total : 1) * sizeof *t->entries);
    if (!t->entries)
        return oom(s);
    if (t->kind == TABLE_PACKED && !t->direct) {
        t->entry_keys = tn_malloc((total ? total : 1) * sizeof *t->entry_keys);
        if (!t->entry_keys)
            return oom(s);
    }
    uint64_t packed[TN_BATCH_ROWS];
    for (size_t b = 0; b < s->right.batch_count; b++) {
        const uint32_t *bucket = row_bucket + b * TN_BATCH_ROWS;
        uint32_t rows = s->right.batches[b]->row_count;
        if (t->entry_keys)
            build_packed(s, b, packed);
        for (uint32_t r = 0; r < rows; r++) {
            if (bucket[r] == UINT32_MAX)
                continue;
            uint32_t pos = --t->offsets[bucket[r]];
            t->entries[pos] = (uint32_t)(b * TN_BATCH_ROWS + r);
            if (t->entry_keys)
                t->entry_keys[pos] = packed[r];
        }
    }
    if (t->entry_keys) {
        /* hashed buckets hold different keys: unique when no bucket repeats one */
        for (size_t b = 0; b < nb && t->unique; b++) {
            uint32_t lo = t->offsets[b], hi = t->offsets[b + 1];
            if (hi - lo > UNIQUE_CHECK_MAX) {
                t->unique = false;
                break;
            }
            for (uint32_t i = lo; i < hi && t->unique; i++)
                for (uint32_t j = i + 1; j < hi; j++)
                    if (t->entry_keys[i] == t->entry_keys[j]) {
                        t->unique = false;
                        break;
                    }
        }
    }
    return 0;
}

/* Indexes the build rows by key. */
static int index_rows(join_state *s)
{
    join_table *t = &s->table;
    const tn_plan_op *plan = s->op.plan;
    size_t batches = s->right.batch_count;
    size_t ids = batches * TN_BATCH_ROWS;
    int rc = 0;
    if ((uint64_t)ids >= (uint64_t)1 << 31)
        return tn_error_set(s->op.ctx->err, TN_ELIMIT,
                            "the build side of a join has more than 4 billion rows: put the "
                            "smaller input on the right or filter it");
    uint32_t *row_bucket = NULL;
    if (key_count(plan) == 0) {
        t->kind = TABLE_ALL;
        t->unique = false;
        t->entry_count = (uint32_t)s->right.row_count;
        t->entries = tn_malloc((t->entry_count ? t->entry_count : 1) * sizeof *t->entries);
        if (!t->entries)
            return oom(s);
        uint32_t k = 0;
        for (size_t b = 0; b < batches; b++)
            for (uint32_t r = 0; r < s->right.batches[b]->row_count; r++)
                t->entries[k++] = (uint32_t)(b * TN_BATCH_ROWS + r);
        return 0;
    }
    row_bucket = tn_malloc((ids ? ids : 1) * sizeof *row_bucket);
    if (!row_bucket)
        return oom(s);
    uint64_t valid = 0;
    for (size_t b = 0; b < batches; b++) {
        uint32_t rows = s->right.batches[b]->row_count;
        uint32_t *bucket = row_bucket + b * TN_BATCH_ROWS;
        memset(bucket, 0, rows * sizeof *bucket);
        memset(bucket + rows, 0xff, (TN_BATCH_ROWS - rows) * sizeof *bucket);
        for (uint32_t k = 0; k < plan->join.key_count; k++) {
            const tn_vector *v = build_key(s, b, k);
            if (v->null_count)
                for (uint32_t r = 0; r < rows; r++)
                    if (!tn_vector_is_valid(v, r))
                        bucket[r] = UINT32_MAX;
        }
        for (uint32_t r = 0; r < rows; r++)
            valid += bucket[r] != UINT32_MAX;
    }
    bool packed = false;
    if (valid && (rc = plan_packed(s, valid, &packed)) != 0)
        goto done;
    if (!valid) {
        t->kind = TABLE_ALL; /* no candidate at all */
        t->entry_count = 0;
        t->entries = tn_malloc(sizeof *t->entries);
        rc = t->entries ? 0 : oom(s);
        goto done;
    }
    if (packed) {
        uint64_t keys[TN_BATCH_ROWS];
        for (size_t b = 0; b < batches; b++) {
            uint32_t rows = s->right.batches[b]->row_count;
            uint32_t *bucket = row_bucket + b * TN_BATCH_ROWS;
            build_packed(s, b, keys);
            for (uint32_t r = 0; r < rows; r++)
                if (bucket[r] != UINT32_MAX)
                    bucket[r] = (uint32_t)packed_bucket(t, keys[r]);
        }
    } else {
        t->kind = TABLE_SERIAL;
        if (tn_exec_keys_init(&t->serial, (size_t)valid) != 0) {
            rc = oom(s);
            goto done;
        }
        uint32_t key_count = 0;
        tn_buf key = TN_BUF_INIT;
        for (size_t b = 0; b < batches && rc == 0; b++) {
            uint32_t rows = s->right.batches[b]->row_count;
            for (uint32_t r = 0; r < rows && rc == 0; r++) {
                if (row_bucket[b * TN_BATCH_ROWS + r] == UINT32_MAX)
                    continue;
                tn_buf_clear(&key);
                for (uint32_t k = 0; k < plan->join.key_count && rc == 0; k++)
                    if (tn_exec_key_append(&key, build_key(s, b, k), r) != 0)
                        rc = oom(s);
                uint32_t id = 0;
                int added = rc ? 0 : tn_exec_keys_upsert(&t->serial, key.data, key.len, key_count, &id);
                if (added < 0)
                    rc = oom(s);
                key_count += added == 1;
                row_bucket[b * TN_BATCH_ROWS + r] = id;
            }
        }
        tn_buf_free(&key);
        t->bucket_count = key_count;
        if (rc)
            goto done;
    }
    rc = place_rows(s, row_bucket);
done:
    tn_free(row_bucket);
    return rc;
}

/* Column access for the gathers, and the index's memory in the query's budget. */
static int finish_table(join_state *s)
{
    join_table *t = &s->table;
    size_t batches = s->right.batch_count;
    t->batch_count = batches;
    t->cols = tn_malloc((s->right_cols * batches + 1) * sizeof *t->cols);
    t->col_nulls = tn_calloc(s->right_cols + 1, sizeof *t->col_nulls);
    t->col_max_len = tn_calloc(s->right_cols + 1, sizeof *t->col_max_len);
    if (!t->cols || !t->col_nulls || !t->col_max_len)
        return oom(s);
    for (uint32_t c = 0; c < s->right_cols; c++)
        for (size_t b = 0; b < batches; b++) {
            const tn_vector *v = &s->right.batches[b]->columns[c];
            t->cols[c * batches + b] = v;
            t->col_nulls[c] |= v->null_count != 0;
            if (tn_type_is_varlen(v->type))
                for (uint32_t r = 0; r < s->right.batches[b]->row_count; r++) {
                    uint32_t len = (uint32_t)(v->offsets[r + 1] - v->offsets[r]);
                    t->col_max_len[c] = len > t->col_max_len[c] ? len : t->col_max_len[c];
                }
        }
    int64_t bytes = (int64_t)t->entry_count * (int64_t)(sizeof *t->entries +
                                                       (t->entry_keys ? sizeof *t->entry_keys : 0));
    if (t->offsets)
        bytes += (int64_t)(t->bucket_count + 2) * (int64_t)sizeof *t->offsets;
    bytes += tn_exec_keys_memory(&t->serial);
    bytes += (int64_t)(s->right_cols * batches) * (int64_t)sizeof *t->cols;
    t->bytes = bytes;
    return tn_exec_memory_add(s->op.ctx, bytes);
}

/* Whether every left row without a match is dropped: only then may a filter made of the
 * build keys drop probe rows early. */
static bool drops_unmatched_left(const tn_plan_op *plan)
{
    if (plan->kind == TN_PLAN_CROSS)
        return true;
    tn_plan_join_type jt = plan->join.type;
    return jt == TN_PLAN_JOIN_INNER || jt == TN_PLAN_JOIN_RIGHT || jt == TN_PLAN_JOIN_SEMI;
}

/* Hands each integer key's build range (and bitmap) to the scan that produces the probe
 * side's key column, when there is one. Before the probe side is pulled, and while the
 * build keys are still there. */
static int publish_filters(join_state *s)
{
    const join_table *t = &s->table;
    tn_plan_op *plan = s->op.plan;
    if (plan->kind != TN_PLAN_JOIN || !drops_unmatched_left(plan) || !t->key_min ||
        t->entry_count == 0)
        return 0;
    uint32_t keys = plan->join.key_count;
    size_t batches = s->right.batch_count;
    const tn_vector **vecs = tn_malloc((batches + 1) * sizeof *vecs);
    uint32_t *rows = tn_malloc((batches + 1) * sizeof *rows);
    s->filters = tn_calloc(keys, sizeof *s->filters);
    int rc = 0;
    if (!vecs || !rows || !s->filters) {
        rc = oom(s);
        goto done;
    }
    for (uint32_t k = 0; k < keys && rc == 0; k++) {
        const tn_plan_expr *lk = plan->join.left_keys[k];
        /* an INTEGER column widened to BIGINT keeps its values: it is filtered as it is */
        if (lk->kind == TN_PLAN_EXPR_CAST && lk->type.id == TN_TYPE_BIGINT &&
            lk->cast.operand->kind == TN_PLAN_EXPR_COLUMN &&
            lk->cast.operand->type.id == TN_TYPE_INTEGER)
            lk = lk->cast.operand;
        if (lk->kind != TN_PLAN_EXPR_COLUMN)
            continue;
        uint32_t column = lk->column;
        tn_plan_op *scan = tn_exec_join_filter_target(plan->children[0], &column);
        if (!scan || !tn_type_eq(scan->columns[column].type, lk->type))
            continue;
        tn_exec_join_filter *f = &s->filters[k];
        f->join = plan;
        f->column = column;
        f->min = t->key_min[k];
        f->span = (uint64_t)t->key_max[k] - (uint64_t)t->key_min[k];
        for (size_t b = 0; b < batches; b++) {
            vecs[b] = build_key(s, b, k);
            rows[b] = s->right.batches[b]->row_count;
        }
        rc = tn_exec_join_filter_fill(s->op.ctx, f, vecs, rows, batches, t->entry_count);
        if (rc == 0 && !tn_exec_join_filter_link(f, scan))
            tn_exec_join_filter_release(s->op.ctx, f); /* frees the bitmap: f stays unlinked */
    }
done:
    tn_free(vecs);
    tn_free(rows);
    return rc;
}

static int build(join_state *s)
{
    tn_exec_ctx *ctx = s->op.ctx;
    tn_plan_op *plan = s->op.plan;
    int rc;
    int workers = tn_exec_parallel_workers(ctx, s->op.children[1]);
    if (workers > 1 && (rc = gather_parallel(s, workers)) != 0)
        return rc;
    while (workers == 1) {
        tn_exec_chunk in = {0};
        if ((rc = tn_exec_next(s->op.children[1], &in)) != 0)
            return rc;
        if (!in.batch)
            break;
        if ((rc = tn_exec_rows_append(ctx, &s->right, &in)) != 0)
            return rc;
        if (key_count(plan) && !s->keys_are_columns) {
            if ((rc = eval_keys_into(ctx, plan, s->key_batch, plan->join.right_keys, &in)) != 0)
                return rc;
            tn_exec_chunk kc = {s->key_batch, tn_exec_identity, in.count};
            if ((rc = tn_exec_rows_append(ctx, &s->right_keys, &kc)) != 0)
                return rc;
        }
    }
    if ((rc = index_rows(s)) != 0)
        return rc;
    if ((rc = publish_filters(s)) != 0)
        return rc;
    tn_exec_rows_free(&s->right_keys); /* the index has what it needed of them */
    if ((rc = finish_table(s)) != 0)
        return rc;
    bool mark_right = plan->kind == TN_PLAN_JOIN &&
                      (plan->join.type == TN_PLAN_JOIN_RIGHT || plan->join.type == TN_PLAN_JOIN_FULL);
    if (mark_right) {
        size_t ids = s->right.batch_count * TN_BATCH_ROWS;
        s->right_matched = tn_calloc(ids ? ids : 1, 1);
        if (!s->right_matched)
            return oom(s);
    }
    s->built = true;
    return 0;
}

int tn_exec_join_prepare(tn_exec_op *op)
{
    join_state *s = (join_state *)op;
    return s->built ? 0 : build(s);
}

/* ---- probing ------------------------------------------------------------------------- */

/* Packs the left keys of the chunk's rows into probe_keys; probe_ok[i] = 0 for a NULL or a
 * value outside the build keys' range (it cannot match). */
static int pack_probe_keys(join_state *s, const tn_exec_chunk *in)
{
    const join_table *t = &s->build->table;
    const tn_plan_op *plan = s->op.plan;
    uint32_t n = in->count;
    uint64_t *keys = s->probe_keys;
    uint8_t *ok = s->probe_ok;
    for (uint32_t k = 0; k < plan->join.key_count; k++) {
        tn_exec_arg a;
        int rc = tn_exec_eval_expr(&s->op.ctx->eval, plan->join.left_keys[k], in, &a);
        if (rc)
            return rc;
        const uint32_t *sel = a.sel;
        uint64_t lo = (uint64_t)t->key_min[k], span = (uint64_t)t->key_max[k] - lo;
        uint64_t stride = t->key_stride[k];
        /* the first column sets, the others add */
        uint64_t keep = k ? ~(uint64_t)0 : 0;
        uint8_t first = k == 0;
        if (tn_type_width(a.vec->type) == 8) {
            const int64_t *x = tn_vector_i64(a.vec);
            for (uint32_t i = 0; i < n; i++) {
                uint64_t d = (uint64_t)x[sel[i]] - lo;
                ok[i] = (uint8_t)((ok[i] | first) & (d <= span));
                keys[i] = (keys[i] & keep) + d * stride;
            }
        } else {
            const int32_t *x = tn_vector_i32(a.vec);
            for (uint32_t i = 0; i < n; i++) {
                uint64_t d = (uint64_t)(int64_t)x[sel[i]] - lo;
                ok[i] = (uint8_t)((ok[i] | first) & (d <= span));
                keys[i] = (keys[i] & keep) + d * stride;
            }
        }
        if (a.vec->null_count)
            for (uint32_t i = 0; i < n; i++)
                ok[i] &= tn_vector_is_valid(a.vec, sel[i]);
    }
    return 0;
}

/* Finds the entry range of every left row of the chunk and puts the cursor on its first. */
static int start_chunk(join_state *s, const tn_exec_chunk *in)
{
    const join_table *t = &s->build->table;
    const tn_plan_op *plan = s->op.plan;
    uint32_t n = in->count;
    int rc;
    s->in = *in;
    s->have_in = true;
    s->chunk_fresh = true;
    s->in_pos = 0;
    switch (t->kind) {
    case TABLE_ALL:
        for (uint32_t i = 0; i < n; i++) {
            s->range_start[i] = 0;
            s->range_end[i] = t->entry_count;
        }
        break;
    case TABLE_PACKED: {
        if ((rc = pack_probe_keys(s, in)) != 0)
            return rc;
        /* the bucket past the last is empty: rows that cannot match go there */
        uint64_t none = t->bucket_count;
        uint64_t *keys = s->probe_keys;
        const uint32_t *offsets = t->offsets;
        if (t->direct) {
            for (uint32_t i = 0; i < n; i++) {
                uint64_t b = s->probe_ok[i] ? keys[i] : none;
                s->range_start[i] = offsets[b];
                s->range_end[i] = offsets[b + 1];
            }
        } else {
            uint32_t shift = t->shift;
            for (uint32_t i = 0; i < n; i++) {
                uint64_t b = s->probe_ok[i] ? (keys[i] * HASH_MULTIPLIER) >> shift : none;
                s->range_start[i] = offsets[b];
                s->range_end[i] = offsets[b + 1];
            }
        }
        break;
    }
    case TABLE_SERIAL: {
        tn_exec_arg *args = s->key_args;
        for (uint32_t k = 0; k < plan->join.key_count; k++)
            if ((rc = tn_exec_eval_expr(&s->op.ctx->eval, plan->join.left_keys[k], in, &args[k])) != 0)
                return rc;
        for (uint32_t i = 0; i < n; i++) {
            s->range_start[i] = s->range_end[i] = 0;
            bool null_key = false;
            for (uint32_t k = 0; k < plan->join.key_count; k++)
                null_key |= !tn_vector_is_valid(args[k].vec, args[k].sel[i]);
            if (null_key)
                continue;
            tn_buf_clear(&s->key);
            for (uint32_t k = 0; k < plan->join.key_count; k++)
                if (tn_exec_key_append(&s->key, args[k].vec, args[k].sel[i]) != 0)
                    return oom(s);
            uint32_t id;
            if (tn_exec_keys_find(&t->serial, s->key.data, s->key.len, &id)) {
                s->range_start[i] = t->offsets[id];
                s->range_end[i] = t->offsets[id + 1];
            }
        }
        break;
    }
    }
    s->entry_pos = n ? s->range_start[0] : 0;
    return 0;
}

/* Collects up to TN_BATCH_ROWS candidate pairs (left position, build row) from the cursor
 * on. Returns how many; 0 when the chunk is done. */
static uint32_t next_candidates(join_state *s)
{
    const join_table *t = &s->build->table;
    const uint32_t *entries = t->entries;
    const uint64_t *ekeys = t->entry_keys;
    uint32_t n = 0, i = s->in_pos, p = s->entry_pos, count = s->in.count;
    uint32_t *lpos = s->lpos, *rrow = s->rrow;
    while (i < count) {
        uint32_t end = s->range_end[i];
        if (ekeys) {
            uint64_t key = s->probe_keys[i];
            for (; p < end && n < TN_BATCH_ROWS; p++)
                if (ekeys[p] == key) {
                    lpos[n] = i;
                    rrow[n++] = entries[p];
                }
        } else {
            for (; p < end && n < TN_BATCH_ROWS; p++) {
                lpos[n] = i;
                rrow[n++] = entries[p];
            }
        }
        if (p < end)
            break; /* the block is full */
        if (++i < count)
            p = s->range_start[i];
    }
    s->in_pos = i;
    s->entry_pos = p;
    return n;
}

/* Gathers build column c of rows[0..n) into dst rows dpos[0..n) (increasing). */
static int gather_build(const join_table *t, uint32_t c, tn_vector *dst, const uint32_t *dpos,
                        const uint32_t *rows, uint32_t n)
{
    const tn_vector *const *src = t->cols + (size_t)c * t->batch_count;
    switch ((tn_type_id)dst->type.id) {
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: {
        /* room for every value first (plus a word of slack for short copies), then one
         * copy per value without further checks; short values are counted at the column's
         * longest, long ones exactly */
        size_t need = dst->data_len + 16;
        if ((size_t)t->col_max_len[c] * n <= (size_t)1 << 20) {
            need += (size_t)t->col_max_len[c] * n;
        } else {
            for (uint32_t j = 0; j < n; j++) {
                const tn_vector *v = src[rows[j] >> ROW_SHIFT];
                uint32_t row = rows[j] & ROW_MASK;
                need += (size_t)(v->offsets[row + 1] - v->offsets[row]);
            }
        }
        if (need > (size_t)INT32_MAX)
            return TN_ELIMIT;
        if (need > dst->data_cap) {
            size_t cap = dst->data_cap ? dst->data_cap : 256;
            while (cap < need)
                cap *= 2;
            char *data = tn_realloc(dst->data, cap);
            if (!data)
                return TN_ENOMEM;
            dst->data = data;
            dst->data_cap = cap;
        }
        uint32_t filled = 0; /* rows of dst whose end offset is set */
        int32_t *offsets = dst->offsets;
        int32_t end = offsets[0];
        for (uint32_t j = 0; j < n; j++) {
            const tn_vector *v = src[rows[j] >> ROW_SHIFT];
            uint32_t row = rows[j] & ROW_MASK, at = dpos[j];
            for (; filled < at; filled++) /* rows not selected: empty */
                offsets[filled + 1] = end;
            filled = at + 1;
            int32_t start = v->offsets[row], len = v->offsets[row + 1] - start;
            if (len > 0) {
                const char *from = v->data + start;
                if (len <= 16 && (size_t)start + 16 <= v->data_cap)
                    memcpy(dst->data + end, from, 16); /* fixed size: no call; the slack
                                                          holds the excess */
                else
                    memcpy(dst->data + end, from, (size_t)len);
                end += len;
            }
            offsets[at + 1] = end;
        }
        dst->data_len = (size_t)end;
        break;
    }
    case TN_TYPE_BOOLEAN:
        for (uint32_t j = 0; j < n; j++)
            tn_vector_set_bool(dst, dpos[j], tn_vector_get_bool(src[rows[j] >> ROW_SHIFT],
                                                              rows[j] & ROW_MASK));
        break;
    default:
        switch (tn_type_width(dst->type)) {
        case 4: {
            uint32_t *d = dst->values;
            for (uint32_t j = 0; j < n; j++)
                d[dpos[j]] = ((const uint32_t *)src[rows[j] >> ROW_SHIFT]->values)[rows[j] & ROW_MASK];
            break;
        }
        case 8: {
            uint64_t *d = dst->values;
            for (uint32_t j = 0; j < n; j++)
                d[dpos[j]] = ((const uint64_t *)src[rows[j] >> ROW_SHIFT]->values)[rows[j] & ROW_MASK];
            break;
        }
        case 16: {
            tn_i128 *d = dst->values;
            for (uint32_t j = 0; j < n; j++)
                d[dpos[j]] = ((const tn_i128 *)src[rows[j] >> ROW_SHIFT]->values)[rows[j] & ROW_MASK];
            break;
        }
        default: {
            size_t w = tn_type_width(dst->type);
            for (uint32_t j = 0; j < n; j++)
                memcpy((char *)dst->values + (size_t)dpos[j] * w,
                       (const char *)src[rows[j] >> ROW_SHIFT]->values + (size_t)(rows[j] & ROW_MASK) * w, w);
            break;
        }
        }
        break;
    }
    if (t->col_nulls[c])
        for (uint32_t j = 0; j < n; j++)
            if (!tn_vector_is_valid(src[rows[j] >> ROW_SHIFT], rows[j] & ROW_MASK))
                tn_vector_set_null(dst, dpos[j]);
    return 0;
}

/* Fills the pair batch with left rows lpos[] of `left` (or NULLs without one) and build rows
 * rrow[] (or NULLs without them). */
static int fill_pairs(join_state *s, const tn_exec_chunk *left, const uint32_t *lpos,
                      const uint32_t *rrow, uint32_t n)
{
    tn_batch_reset(s->pair);
    uint32_t sel[TN_BATCH_ROWS];
    for (uint32_t i = 0; left && i < n; i++)
        sel[i] = left->sel[lpos[i]];
    for (uint32_t c = 0; c < s->left_cols; c++) {
        tn_vector *dst = &s->pair->columns[c];
        if (!left) {
            for (uint32_t i = 0; i < n; i++)
                tn_vector_append_null(dst, i);
        } else if (tn_exec_gather(dst, 0, &left->batch->columns[c], sel, n) != 0) {
            return oom(s);
        }
    }
    for (uint32_t c = 0; c < s->right_cols; c++) {
        tn_vector *dst = &s->pair->columns[s->left_cols + c];
        if (!rrow) {
            for (uint32_t i = 0; i < n; i++)
                tn_vector_append_null(dst, i);
        } else if (gather_build(&s->build->table, c, dst, tn_exec_identity, rrow, n) != 0) {
            return oom(s);
        }
    }
    s->pair->row_count = n;
    return 0;
}

/* Whether a chunk can be answered with the shell batch: unique build keys (one match at
 * most per left row), rows that fit the shell's vectors and, for variable-length right
 * columns that must be written in order, an increasing selection. */
static bool shell_fits(const join_state *s, const tn_exec_chunk *in)
{
    if (!s->build->table.unique || s->op.plan->kind != TN_PLAN_JOIN ||
        in->batch->row_count > TN_BATCH_ROWS)
        return false;
    for (uint32_t i = 1; i < in->count; i++)
        if (in->sel[i] <= in->sel[i - 1])
            return false;
    return true;
}

/* INNER join, unique keys: the output borrows the left chunk's vectors and writes the
 * matched build rows at the left rows' positions. Consumes the whole chunk. */
static int emit_shell(join_state *s, tn_exec_chunk *out)
{
    const join_table *t = &s->build->table;
    const uint64_t *ekeys = t->entry_keys;
    const tn_exec_chunk *in = &s->in;
    uint32_t m = 0;
    /* a table that stays in the caches needs no prefetching */
    uint32_t prefetch_until = t->entry_count > PREFETCH_MIN_ENTRIES ? in->count : 0;
    for (uint32_t i = 0; i < in->count; i++) {
        uint32_t p = s->range_start[i], end = s->range_end[i];
        if (i + PREFETCH_AHEAD < prefetch_until) {
            /* the entries of a later row: their loads overlap this row's work */
            uint32_t ahead = s->range_start[i + PREFETCH_AHEAD];
            __builtin_prefetch(&t->entries[ahead]);
            if (ekeys)
                __builtin_prefetch(&ekeys[ahead]);
        }
        if (ekeys) {
            uint64_t key = s->probe_keys[i];
            while (p < end && ekeys[p] != key)
                p++;
        }
        if (p < end) {
            s->out_sel[m] = in->sel[i];
            s->rrow[m++] = t->entries[p];
        }
    }
    s->have_in = false;
    if (m == 0) {
        out->count = 0;
        return 0;
    }
    for (uint32_t c = 0; c < s->left_cols; c++)
        s->shell.columns[c] = in->batch->columns[c];
    for (uint32_t c = 0; c < s->right_cols; c++) {
        tn_vector *v = &s->shell_right[c];
        tn_vector_reset(v);
        if (gather_build(t, c, v, s->out_sel, s->rrow, m) != 0)
            return oom(s);
        s->shell.columns[s->left_cols + c] = *v;
    }
    s->shell.row_count = in->batch->row_count;
    out->batch = &s->shell;
    out->sel = s->out_sel;
    out->count = m;
    const tn_plan_expr *residual = s->op.plan->join.residual;
    if (residual) {
        uint32_t kept = 0;
        int rc = tn_exec_eval_filter(&s->op.ctx->eval, residual, out, s->keep, &kept);
        if (rc)
            return rc;
        out->sel = s->keep;
        out->count = kept;
    }
    return 0;
}

/* INNER join and cross product: the next output block of the current chunk (count 0 when
 * the chunk is done or its block matched nothing). */
static int emit_inner(join_state *s, tn_exec_chunk *out)
{
    if (s->chunk_fresh && shell_fits(s, &s->in))
        return emit_shell(s, out);
    s->chunk_fresh = false;
    uint32_t n = next_candidates(s);
    out->count = 0;
    if (n == 0) {
        s->have_in = false;
        return 0;
    }
    int rc = fill_pairs(s, &s->in, s->lpos, s->rrow, n);
    if (rc)
        return rc;
    out->batch = s->pair;
    out->sel = tn_exec_identity;
    out->count = n;
    const tn_plan_expr *residual = s->op.plan->kind == TN_PLAN_JOIN ? s->op.plan->join.residual : NULL;
    if (residual) {
        uint32_t kept = 0;
        tn_exec_chunk pc = {s->pair, tn_exec_identity, n};
        if ((rc = tn_exec_eval_filter(&s->op.ctx->eval, residual, &pc, s->keep, &kept)) != 0)
            return rc;
        out->sel = s->keep;
        out->count = kept;
    }
    return 0;
}

/* Outer, semi and anti joins: probes the whole chunk, recording matches, and queues the
 * output rows (semi and anti hand out the chunk's own rows through `out`). */
static int probe_marking(join_state *s, tn_exec_chunk *out)
{
    tn_plan_op *plan = s->op.plan;
    tn_exec_ctx *ctx = s->op.ctx;
    tn_plan_join_type jt = plan->join.type;
    const tn_exec_chunk *in = &s->in;
    uint8_t *left_matched = s->left_matched;
    bool mark_right = jt == TN_PLAN_JOIN_RIGHT || jt == TN_PLAN_JOIN_FULL;
    bool queue_pairs = jt != TN_PLAN_JOIN_SEMI && jt != TN_PLAN_JOIN_ANTI;
    int rc;
    memset(left_matched, 0, in->count);
    out->count = 0;
    uint32_t n;
    while ((n = next_candidates(s)) > 0) {
        const uint32_t *keep = tn_exec_identity;
        uint32_t m = n;
        if (plan->join.residual || queue_pairs) {
            if ((rc = fill_pairs(s, in, s->lpos, s->rrow, n)) != 0)
                return rc;
            if (plan->join.residual) {
                tn_exec_chunk pc = {s->pair, tn_exec_identity, n};
                if ((rc = tn_exec_eval_filter(&ctx->eval, plan->join.residual, &pc, s->keep, &m)) != 0)
                    return rc;
                keep = s->keep;
            }
        }
        for (uint32_t k = 0; k < m; k++)
            left_matched[s->lpos[keep[k]]] = 1;
        if (mark_right) /* serial only: workers never mark the shared build side */
            for (uint32_t k = 0; k < m; k++)
                s->build->right_matched[s->rrow[keep[k]]] = 1;
        if (queue_pairs) {
            tn_exec_chunk kc = {s->pair, keep, m};
            if ((rc = tn_exec_rows_append(ctx, &s->pending, &kc)) != 0)
                return rc;
        }
    }
    s->have_in = false;
    if (jt == TN_PLAN_JOIN_LEFT || jt == TN_PLAN_JOIN_FULL) {
        n = 0;
        for (uint32_t i = 0; i < in->count; i++)
            if (!left_matched[i])
                s->lpos[n++] = i;
        if (n) {
            if ((rc = fill_pairs(s, in, s->lpos, NULL, n)) != 0)
                return rc;
            tn_exec_chunk kc = {s->pair, tn_exec_identity, n};
            if ((rc = tn_exec_rows_append(ctx, &s->pending, &kc)) != 0)
                return rc;
        }
    } else if (jt == TN_PLAN_JOIN_SEMI || jt == TN_PLAN_JOIN_ANTI) {
        uint32_t m = 0;
        uint8_t want = jt == TN_PLAN_JOIN_SEMI;
        for (uint32_t i = 0; i < in->count; i++) {
            s->out_sel[m] = in->sel[i];
            m += left_matched[i] == want;
        }
        out->batch = in->batch;
        out->sel = s->out_sel;
        out->count = m;
    }
    return 0;
}

static int emit_unmatched_right(join_state *s)
{
    uint32_t n = 0;
    int rc;
    size_t ids = s->right.batch_count * TN_BATCH_ROWS;
    for (size_t r = 0; r <= ids; r++) {
        if (r < ids && !s->right_matched[r] &&
            (r & ROW_MASK) < s->right.batches[r >> ROW_SHIFT]->row_count)
            s->rrow[n++] = (uint32_t)r;
        if (n == TN_BATCH_ROWS || (r == ids && n)) {
            if ((rc = fill_pairs(s, NULL, NULL, s->rrow, n)) != 0)
                return rc;
            tn_exec_chunk kc = {s->pair, tn_exec_identity, n};
            if ((rc = tn_exec_rows_append(s->op.ctx, &s->pending, &kc)) != 0)
                return rc;
            n = 0;
        }
    }
    return 0;
}

static int join_next(tn_exec_op *op, tn_exec_chunk *out)
{
    join_state *s = (join_state *)op;
    int rc;
    if (!s->built && (rc = build(s)) != 0)
        return rc;
    bool inner = op->plan->kind == TN_PLAN_CROSS || op->plan->join.type == TN_PLAN_JOIN_INNER;
    for (;;) {
        if (s->have_in && inner) {
            if ((rc = emit_inner(s, out)) != 0)
                return rc;
            if (out->count)
                return 0;
            continue;
        }
        if (s->pending_idx < s->pending.batch_count) {
            tn_batch *b = s->pending.batches[s->pending_idx++];
            if (b->row_count == 0) /* the kept batch of a rewound queue */
                continue;
            out->batch = b;
            out->sel = tn_exec_identity;
            out->count = b->row_count;
            return 0;
        }
        /* all queued output handed out: refill the queue's first batch */
        tn_exec_rows_rewind(&s->pending);
        s->pending_idx = 0;
        if (s->left_done) {
            tn_plan_join_type jt = op->plan->join.type;
            if (!s->right_emitted && op->plan->kind == TN_PLAN_JOIN &&
                (jt == TN_PLAN_JOIN_RIGHT || jt == TN_PLAN_JOIN_FULL)) {
                s->right_emitted = true;
                if ((rc = emit_unmatched_right(s)) != 0)
                    return rc;
                continue;
            }
            out->batch = NULL;
            out->count = 0;
            return 0;
        }
        if (s->build->table.entry_count == 0 && drops_unmatched_left(op->plan)) {
            /* no build row can match: the probe side need not be read */
            s->left_done = true;
            continue;
        }
        tn_exec_chunk in = {0};
        if ((rc = tn_exec_next(op->children[0], &in)) != 0)
            return rc;
        if (!in.batch) {
            s->left_done = true;
            continue;
        }
        if (in.count == 0)
            continue;
        if ((rc = start_chunk(s, &in)) != 0)
            return rc;
        if (!inner) {
            if ((rc = probe_marking(s, out)) != 0)
                return rc;
            if (out->count)
                return 0;
        }
    }
}

static void table_free(tn_exec_ctx *ctx, join_table *t)
{
    if (t->bytes)
        tn_exec_memory_add(ctx, -t->bytes);
    tn_free(t->offsets);
    tn_free(t->entries);
    tn_free(t->entry_keys);
    tn_free(t->key_min);
    tn_free(t->key_max);
    tn_free(t->key_stride);
    tn_exec_keys_free(&t->serial);
    tn_free(t->cols);
    tn_free(t->col_nulls);
    tn_free(t->col_max_len);
    memset(t, 0, sizeof *t);
}

static void join_close(tn_exec_op *op)
{
    join_state *s = (join_state *)op;
    tn_exec_rows_free(&s->right);
    tn_exec_rows_free(&s->right_keys);
    tn_exec_rows_free(&s->pending);
    for (uint32_t k = 0; s->filters && k < key_count(op->plan); k++)
        tn_exec_join_filter_release(op->ctx, &s->filters[k]);
    tn_free(s->filters);
    table_free(op->ctx, &s->table);
    tn_batch_free(s->key_batch);
    tn_batch_free(s->pair);
    for (uint32_t c = 0; s->shell_right && c < s->right_cols; c++)
        tn_vector_destroy(&s->shell_right[c]);
    tn_free(s->shell_right);
    tn_free(s->key_args);
    tn_free(s->shell.columns);
    tn_schema_unref(s->shell.schema);
    tn_buf_free(&s->key);
    tn_schema_unref(s->key_schema);
    tn_schema_unref(s->pair_schema);
    tn_free(s->right_matched);
}

int tn_exec_join_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    join_state *s = tn_exec_op_alloc(ctx, plan, sizeof *s, join_next, join_close, out);
    if (!s)
        return TN_ENOMEM;
    s->build = s;
    join_state *shared = tn_exec_run_shared(ctx->run, plan);
    if (shared) {
        s->build = shared;
        s->built = true;
    }
    tn_plan_op *l = plan->children[0], *r = plan->children[1];
    s->left_cols = l->column_count;
    s->right_cols = r->column_count;
    s->key = (tn_buf)TN_BUF_INIT;
    /* the pair batch has both sides' columns, whatever the output keeps */
    s->pair_schema = tn_schema_new();
    s->key_schema = tn_schema_new();
    if (!s->pair_schema || !s->key_schema)
        return oom(s);
    for (int side = 0; side < 2; side++) {
        tn_plan_op *c = plan->children[side];
        for (uint32_t i = 0; i < c->column_count; i++) {
            tn_type t = c->columns[i].type;
            if (t.id == TN_TYPE_INVALID)
                t = tn_type_make(TN_TYPE_BOOLEAN);
            if (tn_schema_add(s->pair_schema, c->columns[i].name ? c->columns[i].name : "c", t, true) != 0)
                return oom(s);
        }
    }
    s->keys_are_columns = true;
    for (uint32_t k = 0; plan->kind == TN_PLAN_JOIN && k < plan->join.key_count; k++) {
        tn_type t = plan->join.left_keys[k]->type;
        if (t.id == TN_TYPE_INVALID)
            t = tn_type_make(TN_TYPE_BOOLEAN);
        if (tn_schema_add(s->key_schema, "k", t, true) != 0)
            return oom(s);
        const tn_plan_expr *rk = plan->join.right_keys[k];
        /* a column whose stored type is the key's type can be read in place */
        s->keys_are_columns &= rk->kind == TN_PLAN_EXPR_COLUMN && rk->type.id != TN_TYPE_INVALID &&
                               tn_type_eq(rk->type, r->columns[rk->column].type);
    }
    s->pair = tn_batch_new(s->pair_schema, TN_BATCH_ROWS);
    s->key_batch = tn_batch_new(s->key_schema, TN_BATCH_ROWS);
    s->shell_right = tn_calloc(s->right_cols + 1, sizeof *s->shell_right);
    s->key_args = tn_calloc(key_count(plan) + 1, sizeof *s->key_args);
    s->shell.columns = tn_calloc(s->left_cols + s->right_cols + 1, sizeof *s->shell.columns);
    if (!s->pair || !s->key_batch || !s->shell_right || !s->shell.columns || !s->key_args)
        return oom(s);
    s->shell.schema = tn_schema_ref(s->pair_schema);
    s->shell.capacity = TN_BATCH_ROWS;
    for (uint32_t c = 0; c < s->right_cols; c++)
        if (tn_vector_init(&s->shell_right[c], s->pair_schema->columns[s->left_cols + c].type,
                           TN_BATCH_ROWS) != 0)
            return oom(s);
    tn_exec_rows_init(&s->right_keys, s->key_schema);
    bool semi = plan->kind == TN_PLAN_JOIN &&
                (plan->join.type == TN_PLAN_JOIN_SEMI || plan->join.type == TN_PLAN_JOIN_ANTI);
    tn_exec_rows_init(&s->pending, semi ? NULL : s->pair_schema);
    int rc = tn_exec_build(ctx, l, &s->op.children[0]);
    if (rc == 0 && !shared)
        rc = tn_exec_build(ctx, r, &s->op.children[1]);
    return rc;
}
