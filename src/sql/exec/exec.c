/* SPDX-License-Identifier: Apache-2.0
 *
 * The executor's frame: building the operator tree from a plan, pulling chunks with timing
 * for EXPLAIN ANALYZE, materialised row sets (used by sort, aggregate, join builds, set
 * operations and subqueries), memory accounting against the session's limit, and the
 * result schema of an operator.
 */
#include "sql/sql_int.h"

#include <stdio.h>

static int build_op(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    switch (plan->kind) {
    case TN_PLAN_SCAN: return tn_exec_scan_open(ctx, plan, out);
    case TN_PLAN_FILTER: return tn_exec_filter_open(ctx, plan, out);
    case TN_PLAN_PROJECT: return tn_exec_project_open(ctx, plan, out);
    case TN_PLAN_AGGREGATE: return tn_exec_aggregate_open(ctx, plan, out);
    case TN_PLAN_JOIN:
    case TN_PLAN_CROSS: return tn_exec_join_open(ctx, plan, out);
    case TN_PLAN_SORT: return tn_exec_sort_open(ctx, plan, out);
    case TN_PLAN_LIMIT: return tn_exec_limit_open(ctx, plan, out);
    case TN_PLAN_WINDOW: return tn_exec_window_open(ctx, plan, out);
    case TN_PLAN_SERIES: return tn_exec_series_open(ctx, plan, out);
    case TN_PLAN_SET_OP: return tn_exec_setop_open(ctx, plan, out);
    case TN_PLAN_VALUES: return tn_exec_values_open(ctx, plan, out);
    case TN_PLAN_CTE_REF: return tn_exec_build(ctx, plan->cte_ref.query, out);
    }
    return tn_error_set(ctx->err, TN_EINTERNAL, "unknown plan operator %d", plan->kind);
}

int tn_exec_build(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    int rc = build_op(ctx, plan, out);
    /* a query that is one pipeline (no breaker) runs it on every core, order kept */
    if (rc == 0 && !ctx->run && ctx->threads > 1 && ctx->plan && plan == ctx->plan->root)
        rc = tn_exec_exchange_open(ctx, *out, out);
    return rc;
}

int tn_exec_next(tn_exec_op *op, tn_exec_chunk *out)
{
    /* Every operator pulls its input through here, on every thread, so this one check stops a
     * whole plan within a batch of any operator's work. */
    if (op->ctx->engine && __atomic_load_n(&op->ctx->engine->interrupted, __ATOMIC_RELAXED))
        return tn_error_set(op->ctx->err, TN_ECANCELED,
                            "canceling statement due to user request");
    int64_t t0 = op->ctx->analyze ? tn_monotonic_ns() : 0;
    int rc = op->next(op, out);
    if (rc == 0 && out->batch)
        op->rows += out->count;
    if (op->ctx->analyze && op->ctx->run) {
        /* a worker's instance: the plan shows the sum over workers (time is CPU time) */
        if (rc == 0 && out->batch)
            __atomic_add_fetch(&op->plan->actual_rows, (int64_t)out->count, __ATOMIC_RELAXED);
        __atomic_add_fetch(&op->plan->actual_ns, tn_monotonic_ns() - t0, __ATOMIC_RELAXED);
    } else if (op->ctx->analyze) {
        op->ns += tn_monotonic_ns() - t0;
        op->plan->actual_rows = op->rows;
        /* children's time is included: the plan printer shows inclusive time */
        op->plan->actual_ns = op->ns;
    }
    return rc;
}

void tn_exec_close(tn_exec_op *op)
{
    if (!op)
        return;
    for (int i = 0; i < 2; i++)
        tn_exec_close(op->children[i]);
    if (op->close)
        op->close(op);
    tn_free(op);
}

/* Adds bytes (negative when freed) to the query-wide count kept on the main context, from
 * any worker. Past the limit the error goes to the caller's own context. */
int tn_exec_memory_add(tn_exec_ctx *ctx, int64_t bytes)
{
    tn_exec_ctx *query = ctx->main ? ctx->main : ctx;
    int64_t now = __atomic_add_fetch(&query->memory_used, bytes, __ATOMIC_RELAXED);
    if (bytes > 0 && query->memory_limit > 0 && now > query->memory_limit) {
        int64_t limit = query->memory_limit;
        if (limit >= (int64_t)1 << 30 && limit % ((int64_t)1 << 30) == 0)
            return tn_error_set(ctx->err, TN_ELIMIT,
                                "the query needs more memory than the memory limit of %lld GiB "
                                "(memory_limit): raise it with SET memory_limit = '8GB' (or "
                                "--memory-limit), or reduce the data with filters",
                                (long long)(limit >> 30));
        return tn_error_set(ctx->err, TN_ELIMIT,
                            "the query needs more memory than the memory limit of %.1f MiB "
                            "(memory_limit): raise it with SET memory_limit = '4GB' (or "
                            "--memory-limit), or reduce the data with filters",
                            (double)limit / (1 << 20));
    }
    return 0;
}

tn_schema *tn_exec_schema(const tn_plan_op *op)
{
    tn_schema *s = tn_schema_new();
    if (!s)
        return NULL;
    for (uint32_t i = 0; i < op->column_count; i++) {
        tn_type t = op->columns[i].type;
        if (t.id == TN_TYPE_INVALID)
            t = tn_type_make(TN_TYPE_BOOLEAN); /* a bare NULL column */
        char name[32];
        const char *nm = op->columns[i].name;
        if (!nm || !*nm) {
            snprintf(name, sizeof name, "col%u", i);
            nm = name;
        }
        if (tn_schema_add(s, nm, t, true) != 0) {
            tn_schema_unref(s);
            return NULL;
        }
    }
    return s;
}

int tn_exec_rows_init(tn_exec_rows *rows, tn_schema *schema)
{
    memset(rows, 0, sizeof *rows);
    rows->schema = schema ? tn_schema_ref(schema) : NULL;
    return 0;
}

static int64_t batch_bytes(const tn_batch *b)
{
    int64_t n = 0;
    for (uint32_t c = 0; c < b->schema->column_count; c++) {
        const tn_vector *v = &b->columns[c];
        size_t w = tn_type_width(v->type);
        n += (int64_t)(w ? w : 1) * b->capacity + (int64_t)v->data_cap + b->capacity / 8;
        if (tn_type_is_varlen(v->type))
            n += 4 * (int64_t)b->capacity;
    }
    return n;
}

int tn_exec_rows_append(tn_exec_ctx *ctx, tn_exec_rows *rows, const tn_exec_chunk *chunk)
{
    if (chunk->count == 0)
        return 0;
    if (!rows->schema)
        rows->schema = tn_schema_ref(chunk->batch->schema);
    if (!rows->accounted_to)
        rows->accounted_to = ctx->main ? ctx->main : ctx;
    uint32_t done = 0;
    while (done < chunk->count) {
        tn_batch *last = rows->batch_count ? rows->batches[rows->batch_count - 1] : NULL;
        if (!last || last->row_count == last->capacity) {
            if (rows->batch_count == rows->batch_cap) {
                size_t cap = rows->batch_cap ? rows->batch_cap * 2 : 16;
                tn_batch **nb = tn_realloc(rows->batches, cap * sizeof *nb);
                if (!nb)
                    return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
                rows->batches = nb;
                rows->batch_cap = cap;
            }
            last = tn_batch_new(rows->schema, TN_BATCH_ROWS);
            if (!last)
                return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
            rows->batches[rows->batch_count++] = last;
            int64_t fresh = batch_bytes(last);
            rows->bytes += fresh;
            int rc = tn_exec_memory_add(ctx, fresh);
            if (rc)
                return rc;
        }
        uint32_t take = last->capacity - last->row_count;
        if (take > chunk->count - done)
            take = chunk->count - done;
        int64_t before = batch_bytes(last);
        for (uint32_t c = 0; c < rows->schema->column_count; c++) {
            int rc = tn_exec_gather(&last->columns[c], last->row_count, &chunk->batch->columns[c],
                                    chunk->sel + done, take);
            if (rc)
                return tn_error_set(ctx->err, rc, "%s while materialising rows", tn_strerror(rc));
        }
        last->row_count += take;
        done += take;
        rows->row_count += take;
        int64_t grown = batch_bytes(last) - before;
        rows->bytes += grown;
        int rc = tn_exec_memory_add(ctx, grown);
        if (rc)
            return rc;
    }
    return 0;
}

void tn_exec_rows_rewind(tn_exec_rows *rows)
{
    if (rows->batch_count == 0)
        return;
    int64_t kept = batch_bytes(rows->batches[0]);
    for (size_t i = 1; i < rows->batch_count; i++)
        tn_batch_free(rows->batches[i]);
    if (rows->accounted_to && rows->bytes != kept)
        tn_exec_memory_add(rows->accounted_to, kept - rows->bytes);
    rows->bytes = kept;
    tn_batch_reset(rows->batches[0]);
    rows->batch_count = 1;
    rows->row_count = 0;
}

void tn_exec_rows_free(tn_exec_rows *rows)
{
    if (rows->bytes && rows->accounted_to)
        tn_exec_memory_add(rows->accounted_to, -rows->bytes);
    for (size_t i = 0; i < rows->batch_count; i++)
        tn_batch_free(rows->batches[i]);
    tn_free(rows->batches);
    tn_schema_unref(rows->schema);
    memset(rows, 0, sizeof *rows);
}

int tn_exec_drain(tn_exec_op *op, tn_exec_rows *rows)
{
    for (;;) {
        tn_exec_chunk chunk = {0};
        int rc = tn_exec_next(op, &chunk);
        if (rc)
            return rc;
        if (!chunk.batch)
            return 0;
        if (!rows->schema) {
            tn_schema *s = tn_exec_schema(op->plan);
            if (!s)
                return tn_error_set(op->ctx->err, TN_ENOMEM, "out of memory");
            rows->schema = s;
        }
        if ((rc = tn_exec_rows_append(op->ctx, rows, &chunk)) != 0)
            return rc;
    }
}

int tn_exec_value_from_vector(tn_arena *arena, const tn_vector *v, uint32_t row,
                              tn_plan_value *out)
{
    memset(out, 0, sizeof *out);
    out->type = v->type;
    if (!tn_vector_is_valid(v, row)) {
        out->is_null = true;
        return 0;
    }
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_BOOLEAN: out->b = tn_vector_get_bool(v, row); break;
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: out->i32 = tn_vector_i32(v)[row]; break;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: out->i64 = tn_vector_i64(v)[row]; break;
    case TN_TYPE_REAL: out->f32 = tn_vector_f32(v)[row]; break;
    case TN_TYPE_DOUBLE: out->f64 = tn_vector_f64(v)[row]; break;
    case TN_TYPE_DECIMAL: out->i128 = tn_vector_get_decimal(v, row); break;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: {
        tn_str s = tn_vector_get_str(v, row);
        char *p = tn_arena_alloc(arena, s.len + 1);
        if (!p)
            return TN_ENOMEM;
        memcpy(p, s.ptr, s.len);
        p[s.len] = 0;
        out->str = tn_str_make(p, s.len);
        break;
    }
    default: break;
    }
    return 0;
}

void *tn_exec_op_alloc(tn_exec_ctx *ctx, tn_plan_op *plan, size_t size,
                       int (*next)(tn_exec_op *, tn_exec_chunk *), void (*close)(tn_exec_op *),
                       tn_exec_op **out)
{
    tn_exec_op *op = tn_calloc(1, size);
    if (!op) {
        tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
        return NULL;
    }
    op->next = next;
    op->close = close;
    op->plan = plan;
    op->ctx = ctx;
    *out = op;
    return op;
}
