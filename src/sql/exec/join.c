/* SPDX-License-Identifier: Apache-2.0
 *
 * Joins: a hash join (INNER, LEFT, RIGHT, FULL, SEMI, ANTI) on equality keys with an optional
 * residual condition, and the cross product / nested-loop join when there are no keys.
 *
 * The right child is the build side: its rows and evaluated keys are materialised and
 * chained by serialised key in a hash table (rows whose key has a NULL never match). Each
 * left chunk is probed: candidate pairs are formed in blocks of TN_BATCH_ROWS, assembled into
 * a pair batch (left ++ right columns), the residual filters them, and matches are recorded
 * per left row (for LEFT/FULL/SEMI/ANTI) and per right row (for RIGHT/FULL). Output rows are
 * queued and handed out batch by batch.
 *
 * In a parallel pipeline the main thread's join builds the table once (tn_exec_join_prepare)
 * and every worker's join probes it read-only: a worker's join has no right child and points
 * `build` at the main one. RIGHT and FULL joins, which mark build rows, stay serial.
 */
#include "sql/sql_int.h"

#include <stdlib.h>

typedef struct join_state join_state;
struct join_state {
    tn_exec_op op;
    join_state *build;       /* the join whose build side is probed: itself, or the main
                                thread's for a worker */
    tn_exec_rows right;      /* build rows */
    tn_exec_rows right_keys; /* their keys, same batch boundaries */
    tn_schema *key_schema;
    tn_batch *key_batch;
    tn_exec_keys table;      /* key -> key id */
    int64_t *heads;          /* key id -> last build row with that key */
    int64_t *chain;          /* row -> previous row with the same key, -1 at the end */
    uint8_t *right_matched;
    bool built;
    bool left_done;
    bool right_emitted;
    tn_schema *pair_schema;
    tn_batch *pair;          /* candidate pairs */
    tn_exec_rows pending;    /* output waiting to be handed out */
    size_t pending_idx;
    uint32_t right_cols;
    uint32_t left_cols;
    int64_t table_bytes;     /* accounted for the hash table and chains */
};

static int oom(join_state *s)
{
    return tn_error_set(s->op.ctx->err, TN_ENOMEM, "out of memory");
}

static bool has_null_key(const tn_batch *keys, uint32_t row)
{
    for (uint32_t k = 0; k < keys->schema->column_count; k++)
        if (!tn_vector_is_valid(&keys->columns[k], row))
            return true;
    return false;
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

static int eval_keys(join_state *s, tn_plan_expr **exprs, const tn_exec_chunk *in)
{
    return eval_keys_into(s->op.ctx, s->op.plan, s->key_batch, exprs, in);
}

/* ---- a build side gathered by several workers ---------------------------------------- */

/* Rows of one morsel, in one worker's part. */
typedef struct build_segment {
    int64_t seq;
    int part;
    int64_t first;
    int64_t count;
} build_segment;

/* What one worker gathered of the build side. */
typedef struct build_part {
    tn_exec_ctx *ctx;
    tn_exec_rows rows;
    tn_exec_rows keys;
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
    build_segment *last = p->segment_count ? &p->segments[p->segment_count - 1] : NULL;
    if (last && last->seq == wctx->morsel_seq) {
        last->count += chunk->count;
    } else {
        if (p->segment_count == p->segment_cap) {
            size_t cap = p->segment_cap ? p->segment_cap * 2 : 64;
            build_segment *n = tn_realloc(p->segments, cap * sizeof *n);
            if (!n)
                return tn_error_set(wctx->err, TN_ENOMEM, "out of memory");
            p->segments = n;
            p->segment_cap = cap;
        }
        p->segments[p->segment_count++] =
            (build_segment){wctx->morsel_seq, wctx->worker_idx, p->rows.row_count, chunk->count};
    }
    if ((rc = tn_exec_rows_append(wctx, &p->rows, chunk)) != 0)
        return rc;
    if (plan->join.key_count) {
        if ((rc = eval_keys_into(wctx, plan, p->key_batch, plan->join.right_keys, chunk)) != 0)
            return rc;
        tn_exec_chunk kc = {p->key_batch, tn_exec_identity, chunk->count};
        if ((rc = tn_exec_rows_append(wctx, &p->keys, &kc)) != 0)
            return rc;
    }
    return 0;
}

static int segment_cmp(const void *a, const void *b)
{
    const build_segment *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Copies rows [first, first + count) of `from` to the end of `to`. */
static int copy_range(tn_exec_ctx *ctx, tn_exec_rows *to, const tn_exec_rows *from,
                      int64_t first, int64_t count)
{
    while (count > 0) {
        tn_batch *b = from->batches[first / TN_BATCH_ROWS];
        uint32_t off = (uint32_t)(first % TN_BATCH_ROWS);
        uint32_t n = b->row_count - off;
        if ((int64_t)n > count)
            n = (uint32_t)count;
        tn_exec_chunk c = {b, tn_exec_identity + off, n};
        int rc = tn_exec_rows_append(ctx, to, &c);
        if (rc)
            return rc;
        first += n;
        count -= n;
    }
    return 0;
}

/* Gathers the build side on `workers` workers, then lays the rows out in morsel order (the
 * order a serial scan reads them), so matches come out as they would on one thread. */
static int gather_parallel(join_state *s, int workers)
{
    tn_exec_ctx *ctx = s->op.ctx;
    build_run br = {s, tn_calloc((size_t)workers, sizeof(build_part))};
    if (!br.parts)
        return oom(s);
    build_segment *all = NULL;
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
                all[k++] = br.parts[w].segments[i];
        qsort(all, total, sizeof *all, segment_cmp);
        for (size_t i = 0; rc == 0 && i < total; i++) {
            build_part *p = &br.parts[all[i].part];
            rc = copy_range(ctx, &s->right, &p->rows, all[i].first, all[i].count);
            if (rc == 0 && s->op.plan->join.key_count)
                rc = copy_range(ctx, &s->right_keys, &p->keys, all[i].first, all[i].count);
        }
    }
    tn_free(all);
    for (int w = 0; w < workers; w++) {
        build_part *p = &br.parts[w];
        tn_exec_rows_free(&p->rows);
        tn_exec_rows_free(&p->keys);
        tn_batch_free(p->key_batch);
        tn_free(p->segments);
    }
    tn_free(br.parts);
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
        if (plan->join.key_count) {
            if ((rc = eval_keys(s, plan->join.right_keys, &in)) != 0)
                return rc;
            tn_exec_chunk kc = {s->key_batch, tn_exec_identity, in.count};
            if ((rc = tn_exec_rows_append(ctx, &s->right_keys, &kc)) != 0)
                return rc;
        }
    }
    size_t n = (size_t)s->right.row_count;
    s->chain = tn_malloc((n ? n : 1) * sizeof *s->chain);
    s->heads = tn_malloc((n ? n : 1) * sizeof *s->heads);
    s->right_matched = tn_calloc(n ? n : 1, 1);
    if (!s->chain || !s->heads || !s->right_matched || tn_exec_keys_init(&s->table, n) != 0)
        return oom(s);
    s->table_bytes = (int64_t)n * 17 + tn_exec_keys_memory(&s->table);
    if ((rc = tn_exec_memory_add(ctx, s->table_bytes)) != 0)
        return rc;
    if (plan->join.key_count) {
        tn_buf key = TN_BUF_INIT;
        uint32_t key_count = 0;
        for (size_t r = 0; r < n; r++) {
            const tn_batch *kb = s->right_keys.batches[r / TN_BATCH_ROWS];
            uint32_t row = (uint32_t)(r % TN_BATCH_ROWS);
            s->chain[r] = -1;
            if (has_null_key(kb, row))
                continue;
            tn_buf_clear(&key);
            for (uint32_t k = 0; k < plan->join.key_count; k++)
                if (tn_exec_key_append(&key, &kb->columns[k], row) != 0) {
                    tn_buf_free(&key);
                    return oom(s);
                }
            uint32_t id;
            int added = tn_exec_keys_upsert(&s->table, key.data, key.len, key_count, &id);
            if (added < 0) {
                tn_buf_free(&key);
                return oom(s);
            }
            if (added)
                key_count++;
            else
                s->chain[r] = s->heads[id];
            s->heads[id] = (int64_t)r;
        }
        tn_buf_free(&key);
        /* the table was sized for every row: only long keys can have grown it */
        int64_t grown = (int64_t)n * 17 + tn_exec_keys_memory(&s->table) - s->table_bytes;
        s->table_bytes += grown;
        if ((rc = tn_exec_memory_add(ctx, grown)) != 0)
            return rc;
    }
    s->built = true;
    return 0;
}

int tn_exec_join_prepare(tn_exec_op *op)
{
    join_state *s = (join_state *)op;
    return s->built ? 0 : build(s);
}

/* Fills the pair batch with left rows lsel[] and right rows rrow[] (-1 = NULLs). */
static int fill_pairs(join_state *s, const tn_exec_chunk *left, const uint32_t *lpos,
                      const int64_t *rrow, uint32_t n, bool left_nulls)
{
    tn_batch_reset(s->pair);
    for (uint32_t c = 0; c < s->left_cols; c++) {
        tn_vector *dst = &s->pair->columns[c];
        if (left_nulls) {
            for (uint32_t i = 0; i < n; i++)
                tn_vector_append_null(dst, i);
            continue;
        }
        uint32_t sel[TN_BATCH_ROWS];
        for (uint32_t i = 0; i < n; i++)
            sel[i] = left->sel[lpos[i]];
        if (tn_exec_gather(dst, 0, &left->batch->columns[c], sel, n) != 0)
            return oom(s);
    }
    for (uint32_t c = 0; c < s->right_cols; c++) {
        tn_vector *dst = &s->pair->columns[s->left_cols + c];
        for (uint32_t i = 0; i < n; i++) {
            if (rrow[i] < 0) {
                tn_vector_append_null(dst, i);
                continue;
            }
            const tn_batch *b = s->build->right.batches[rrow[i] / TN_BATCH_ROWS];
            if (tn_vector_copy_row(dst, i, &b->columns[c], (uint32_t)(rrow[i] % TN_BATCH_ROWS)) != 0)
                return oom(s);
        }
    }
    s->pair->row_count = n;
    return 0;
}

/* Runs the residual over the pair block, records matches and queues the output. */
static int flush_pairs(join_state *s, const tn_exec_chunk *left, const uint32_t *lpos,
                       const int64_t *rrow, uint32_t n, uint8_t *left_matched)
{
    tn_plan_op *plan = s->op.plan;
    tn_exec_ctx *ctx = s->op.ctx;
    int rc;
    if (n == 0)
        return 0;
    if ((rc = fill_pairs(s, left, lpos, rrow, n, false)) != 0)
        return rc;
    uint32_t keep[TN_BATCH_ROWS], m = n;
    tn_exec_chunk pc = {s->pair, tn_exec_identity, n};
    if (plan->join.residual) {
        if ((rc = tn_exec_eval_filter(&ctx->eval, plan->join.residual, &pc, keep, &m)) != 0)
            return rc;
    } else {
        memcpy(keep, tn_exec_identity, n * sizeof *keep);
    }
    tn_plan_join_type jt = plan->join.type;
    bool mark_right = plan->kind == TN_PLAN_JOIN &&
                      (jt == TN_PLAN_JOIN_RIGHT || jt == TN_PLAN_JOIN_FULL);
    for (uint32_t k = 0; k < m; k++)
        left_matched[lpos[keep[k]]] = 1;
    if (mark_right) /* serial only: workers never mark the shared build side */
        for (uint32_t k = 0; k < m; k++)
            s->right_matched[rrow[keep[k]]] = 1;
    if (plan->kind == TN_PLAN_CROSS || jt == TN_PLAN_JOIN_INNER || jt == TN_PLAN_JOIN_LEFT ||
        jt == TN_PLAN_JOIN_RIGHT || jt == TN_PLAN_JOIN_FULL) {
        tn_exec_chunk kc = {s->pair, keep, m};
        return tn_exec_rows_append(ctx, &s->pending, &kc);
    }
    return 0;
}

static int probe(join_state *s, const tn_exec_chunk *in)
{
    tn_plan_op *plan = s->op.plan;
    tn_exec_ctx *ctx = s->op.ctx;
    int rc;
    uint8_t left_matched[TN_BATCH_ROWS];
    memset(left_matched, 0, in->count);
    uint32_t lpos[TN_BATCH_ROWS];
    int64_t rrow[TN_BATCH_ROWS];
    uint32_t n = 0;
    if (plan->kind == TN_PLAN_CROSS || plan->join.key_count == 0) {
        for (uint32_t i = 0; i < in->count; i++) {
            for (int64_t r = 0; r < s->build->right.row_count; r++) {
                lpos[n] = i;
                rrow[n++] = r;
                if (n == TN_BATCH_ROWS) {
                    if ((rc = flush_pairs(s, in, lpos, rrow, n, left_matched)) != 0)
                        return rc;
                    n = 0;
                }
            }
        }
    } else {
        if ((rc = eval_keys(s, plan->join.left_keys, in)) != 0)
            return rc;
        tn_buf key = TN_BUF_INIT;
        for (uint32_t i = 0; i < in->count; i++) {
            if (has_null_key(s->key_batch, i))
                continue;
            tn_buf_clear(&key);
            for (uint32_t k = 0; k < plan->join.key_count; k++)
                if (tn_exec_key_append(&key, &s->key_batch->columns[k], i) != 0) {
                    tn_buf_free(&key);
                    return oom(s);
                }
            uint32_t id;
            if (!tn_exec_keys_find(&s->build->table, key.data, key.len, &id))
                continue;
            for (int64_t r = s->build->heads[id]; r >= 0; r = s->build->chain[r]) {
                lpos[n] = i;
                rrow[n++] = r;
                if (n == TN_BATCH_ROWS) {
                    if ((rc = flush_pairs(s, in, lpos, rrow, n, left_matched)) != 0) {
                        tn_buf_free(&key);
                        return rc;
                    }
                    n = 0;
                }
            }
        }
        tn_buf_free(&key);
    }
    if ((rc = flush_pairs(s, in, lpos, rrow, n, left_matched)) != 0)
        return rc;
    tn_plan_join_type jt = plan->join.type;
    if (plan->kind == TN_PLAN_CROSS)
        return 0;
    if (jt == TN_PLAN_JOIN_LEFT || jt == TN_PLAN_JOIN_FULL) {
        n = 0;
        for (uint32_t i = 0; i < in->count; i++) {
            if (left_matched[i])
                continue;
            lpos[n] = i;
            rrow[n++] = -1;
        }
        if (n) {
            if ((rc = fill_pairs(s, in, lpos, rrow, n, false)) != 0)
                return rc;
            tn_exec_chunk kc = {s->pair, tn_exec_identity, n};
            if ((rc = tn_exec_rows_append(ctx, &s->pending, &kc)) != 0)
                return rc;
        }
    } else if (jt == TN_PLAN_JOIN_SEMI || jt == TN_PLAN_JOIN_ANTI) {
        uint32_t sel[TN_BATCH_ROWS], m = 0;
        for (uint32_t i = 0; i < in->count; i++)
            if (left_matched[i] == (jt == TN_PLAN_JOIN_SEMI))
                sel[m++] = in->sel[i];
        tn_exec_chunk kc = {in->batch, sel, m};
        if ((rc = tn_exec_rows_append(ctx, &s->pending, &kc)) != 0)
            return rc;
    }
    return 0;
}

static int emit_unmatched_right(join_state *s)
{
    uint32_t lpos[TN_BATCH_ROWS];
    int64_t rrow[TN_BATCH_ROWS];
    uint32_t n = 0;
    int rc;
    for (int64_t r = 0; r <= s->right.row_count; r++) {
        if (r < s->right.row_count && !s->right_matched[r]) {
            lpos[n] = 0;
            rrow[n++] = r;
        }
        if (n == TN_BATCH_ROWS || (r == s->right.row_count && n)) {
            if ((rc = fill_pairs(s, NULL, lpos, rrow, n, true)) != 0)
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
    for (;;) {
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
        tn_exec_chunk in = {0};
        if ((rc = tn_exec_next(op->children[0], &in)) != 0)
            return rc;
        if (!in.batch) {
            s->left_done = true;
            continue;
        }
        if ((rc = probe(s, &in)) != 0)
            return rc;
    }
}

static void join_close(tn_exec_op *op)
{
    join_state *s = (join_state *)op;
    tn_exec_rows_free(&s->right);
    tn_exec_rows_free(&s->right_keys);
    tn_exec_rows_free(&s->pending);
    if (s->table_bytes)
        tn_exec_memory_add(op->ctx, -s->table_bytes);
    tn_batch_free(s->key_batch);
    tn_batch_free(s->pair);
    tn_schema_unref(s->key_schema);
    tn_schema_unref(s->pair_schema);
    tn_exec_keys_free(&s->table);
    tn_free(s->heads);
    tn_free(s->chain);
    tn_free(s->right_matched);
}

int tn_exec_join_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    join_state *s = tn_calloc(1, sizeof *s);
    if (!s)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    s->op.next = join_next;
    s->op.close = join_close;
    s->op.plan = plan;
    s->op.ctx = ctx;
    *out = &s->op;
    s->build = s;
    join_state *shared = tn_exec_run_shared(ctx->run, plan);
    if (shared) {
        s->build = shared;
        s->built = true;
    }
    tn_plan_op *l = plan->children[0], *r = plan->children[1];
    s->left_cols = l->column_count;
    s->right_cols = r->column_count;
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
    for (uint32_t k = 0; plan->kind == TN_PLAN_JOIN && k < plan->join.key_count; k++) {
        tn_type t = plan->join.left_keys[k]->type;
        if (t.id == TN_TYPE_INVALID)
            t = tn_type_make(TN_TYPE_BOOLEAN);
        if (tn_schema_add(s->key_schema, "k", t, true) != 0)
            return oom(s);
    }
    s->pair = tn_batch_new(s->pair_schema, TN_BATCH_ROWS);
    s->key_batch = tn_batch_new(s->key_schema, TN_BATCH_ROWS);
    if (!s->pair || !s->key_batch)
        return oom(s);
    tn_exec_rows_init(&s->right_keys, s->key_schema);
    bool semi = plan->kind == TN_PLAN_JOIN &&
                (plan->join.type == TN_PLAN_JOIN_SEMI || plan->join.type == TN_PLAN_JOIN_ANTI);
    if (semi) {
        tn_exec_rows_init(&s->pending, NULL);
    } else {
        tn_exec_rows_init(&s->pending, s->pair_schema);
    }
    int rc = tn_exec_build(ctx, l, &s->op.children[0]);
    if (rc == 0 && !shared)
        rc = tn_exec_build(ctx, r, &s->op.children[1]);
    return rc;
}
