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
 */
#include "sql/sql_int.h"

typedef struct join_state {
    tn_exec_op op;
    tn_exec_rows right;      /* build rows */
    tn_exec_rows right_keys; /* their keys, same batch boundaries */
    tn_schema *key_schema;
    tn_batch *key_batch;
    tn_hash *table;          /* key -> first row + 1 */
    int64_t *chain;          /* row -> next row with the same key, -1 at the end */
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
} join_state;

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

static int eval_keys(join_state *s, tn_plan_expr **exprs, const tn_exec_chunk *in)
{
    tn_batch_reset(s->key_batch);
    for (uint32_t k = 0; k < s->op.plan->join.key_count; k++) {
        tn_exec_arg a;
        int rc = tn_exec_eval_expr(&s->op.ctx->eval, exprs[k], in, &a);
        if (rc)
            return rc;
        if (tn_exec_gather(&s->key_batch->columns[k], 0, a.vec, a.sel, in->count) != 0)
            return oom(s);
    }
    s->key_batch->row_count = in->count;
    return 0;
}

static int build(join_state *s)
{
    tn_exec_ctx *ctx = s->op.ctx;
    tn_plan_op *plan = s->op.plan;
    int rc;
    for (;;) {
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
    s->right_matched = tn_calloc(n ? n : 1, 1);
    s->table = tn_hash_new(n * 2 + 16);
    if (!s->chain || !s->right_matched || !s->table)
        return oom(s);
    if ((rc = tn_exec_memory_add(ctx, (int64_t)n * 24)) != 0)
        return rc;
    if (plan->join.key_count) {
        tn_buf key = TN_BUF_INIT;
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
            void *head = NULL;
            if (tn_hash_get(s->table, key.data, key.len, &head))
                s->chain[r] = (int64_t)(uintptr_t)head - 1;
            if (tn_hash_put(s->table, key.data, key.len, (void *)(uintptr_t)(r + 1)) != 0) {
                tn_buf_free(&key);
                return oom(s);
            }
        }
        tn_buf_free(&key);
    }
    s->built = true;
    return 0;
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
            const tn_batch *b = s->right.batches[rrow[i] / TN_BATCH_ROWS];
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
    for (uint32_t k = 0; k < m; k++) {
        left_matched[lpos[keep[k]]] = 1;
        s->right_matched[rrow[keep[k]]] = 1;
    }
    tn_plan_join_type jt = plan->join.type;
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
            for (int64_t r = 0; r < s->right.row_count; r++) {
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
            void *head;
            if (!tn_hash_get(s->table, key.data, key.len, &head))
                continue;
            for (int64_t r = (int64_t)(uintptr_t)head - 1; r >= 0; r = s->chain[r]) {
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
            out->batch = b;
            out->sel = tn_exec_identity;
            out->count = b->row_count;
            return 0;
        }
        /* all queued output handed out: recycle the queue */
        tn_exec_memory_add(op->ctx, 0);
        tn_schema *ps = s->pending.schema ? tn_schema_ref(s->pending.schema) : NULL;
        tn_exec_rows_free(&s->pending);
        tn_exec_rows_init(&s->pending, ps);
        tn_schema_unref(ps);
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
    tn_batch_free(s->key_batch);
    tn_batch_free(s->pair);
    tn_schema_unref(s->key_schema);
    tn_schema_unref(s->pair_schema);
    tn_hash_free(s->table);
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
    if (rc == 0)
        rc = tn_exec_build(ctx, r, &s->op.children[1]);
    return rc;
}
