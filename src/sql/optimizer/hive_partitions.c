/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule: hive partition pruning. A file scan's pushed filters that read only hive partition
 * keys (binder/hive.c) are evaluated once per path, over a batch that holds each path's key
 * values; paths where one of them is not TRUE are dropped before any file is opened, and
 * counted in the scan's files_skipped for EXPLAIN. Runs after push_filters (so a WHERE has
 * reached the scan) and before footer_count. A filter that holds a subquery, an outer
 * reference or a volatile call, or whose evaluation fails, prunes nothing; the scan still
 * applies every filter to the rows it reads.
 */
#include "sql/optimizer/optimizer_int.h"

typedef struct pruner {
    tn_sql_engine *engine;
    tn_arena *arena;
    tn_plan *plan;
    tn_exec_ctx ctx;
    tn_error scratch; /* evaluation errors only mean "do not prune" */
    bool ready;
} pruner;

static int key_of_column(const tn_plan_op *scan, uint32_t c)
{
    for (uint32_t k = 0; k < scan->scan.partition_key_count; k++)
        if (scan->scan.partition_columns[k] == scan->scan.projection[c])
            return (int)k;
    return -1;
}

/* Whether e reads only partition key columns of scan and can be evaluated per path. */
static bool on_keys_only(const tn_plan_op *scan, const tn_plan_expr *e)
{
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST:
        return true;
    case TN_PLAN_EXPR_COLUMN:
        return e->column < scan->column_count && key_of_column(scan, e->column) >= 0;
    case TN_PLAN_EXPR_CALL:
        if (e->call.func->volatile_result)
            return false;
        for (uint32_t i = 0; i < e->call.arg_count; i++)
            if (!on_keys_only(scan, e->call.args[i]))
                return false;
        return true;
    case TN_PLAN_EXPR_CAST:
        return on_keys_only(scan, e->cast.operand);
    case TN_PLAN_EXPR_CASE:
        for (uint32_t i = 0; i < e->case_expr.when_count; i++)
            if (!on_keys_only(scan, e->case_expr.conditions[i]) ||
                !on_keys_only(scan, e->case_expr.results[i]))
                return false;
        return !e->case_expr.else_result || on_keys_only(scan, e->case_expr.else_result);
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE:
        for (uint32_t i = 0; i < e->logical.count; i++)
            if (!on_keys_only(scan, e->logical.operands[i]))
                return false;
        return true;
    case TN_PLAN_EXPR_NOT:
        return on_keys_only(scan, e->unary.operand);
    case TN_PLAN_EXPR_IS_NULL:
        return on_keys_only(scan, e->is_null.operand);
    case TN_PLAN_EXPR_IS_BOOL:
        return on_keys_only(scan, e->is_bool.operand);
    case TN_PLAN_EXPR_COMPARE:
        return on_keys_only(scan, e->compare.left) && on_keys_only(scan, e->compare.right);
    case TN_PLAN_EXPR_IN_LIST:
        for (uint32_t i = 0; i < e->in_list.count; i++)
            if (!on_keys_only(scan, e->in_list.items[i]))
                return false;
        return on_keys_only(scan, e->in_list.operand);
    default:
        return false; /* subqueries and outer references */
    }
}

/* The filters over paths [first, first + n): keep[i] cleared where one is not TRUE.
 * Returns 0 (also when evaluation failed: nothing is pruned then) or TN_ENOMEM. */
static int evaluate_paths(pruner *p, tn_plan_op *scan, tn_plan_expr **filters, uint32_t nf,
                          uint32_t first, uint32_t n, bool *keep)
{
    tn_schema *schema = tn_exec_schema(scan);
    tn_batch *batch = schema ? tn_batch_new(schema, TN_BATCH_ROWS) : NULL;
    tn_schema_unref(schema);
    if (!batch)
        return TN_ENOMEM;
    int rc = 0;
    bool failed = false;
    uint32_t keys = scan->scan.partition_key_count;
    for (uint32_t c = 0; c < scan->column_count && !failed && rc == 0; c++) {
        int key = key_of_column(scan, c);
        if (key < 0)
            continue; /* never read: the filters are over keys only */
        tn_vector text;
        if (tn_vector_init(&text, tn_type_make(TN_TYPE_VARCHAR), TN_BATCH_ROWS) != 0) {
            rc = TN_ENOMEM;
            break;
        }
        for (uint32_t i = 0; i < n && rc == 0; i++) {
            const char *v = scan->scan.partition_values[(size_t)(first + i) * keys + (uint32_t)key];
            if (!v)
                tn_vector_append_null(&text, i);
            else
                rc = tn_vector_append_str(&text, i, v, strlen(v));
        }
        tn_vector *col = &batch->columns[c];
        if (rc == 0 && tn_type_eq(col->type, text.type)) {
            tn_vector_destroy(col);
            *col = text;
            continue;
        }
        tn_vector cast;
        memset(&p->scratch, 0, sizeof p->scratch);
        if (rc == 0 && tn_vector_cast(&text, n, col->type, false, &cast, &p->scratch) == 0) {
            tn_vector_destroy(col);
            *col = cast;
        } else if (rc == 0) {
            failed = true;
        }
        tn_vector_destroy(&text);
    }
    batch->row_count = n;
    uint32_t *sel = tn_malloc(TN_BATCH_ROWS * sizeof *sel);
    if (rc == 0 && !sel)
        rc = TN_ENOMEM;
    uint32_t count = n;
    tn_exec_chunk cur = {batch, tn_exec_identity, n};
    for (uint32_t f = 0; f < nf && count > 0 && rc == 0 && !failed; f++) {
        cur.count = count;
        memset(&p->scratch, 0, sizeof p->scratch);
        if (tn_exec_eval_filter(&p->ctx.eval, filters[f], &cur, sel, &count) != 0)
            failed = true;
        cur.sel = sel;
    }
    if (rc == 0 && !failed) {
        for (uint32_t i = 0; i < n; i++)
            keep[i] = false;
        for (uint32_t i = 0; i < count; i++)
            keep[sel[i]] = true;
    }
    tn_free(sel);
    tn_batch_free(batch);
    return rc;
}

static int prune_scan(pruner *p, tn_plan_op *scan)
{
    tn_plan_expr **filters = tn_arena_alloc(p->arena, (scan->scan.filter_count + 1) * sizeof *filters);
    if (!filters)
        return TN_ENOMEM;
    uint32_t nf = 0;
    for (uint32_t f = 0; f < scan->scan.filter_count; f++)
        if (on_keys_only(scan, scan->scan.filters[f]))
            filters[nf++] = scan->scan.filters[f];
    if (nf == 0)
        return 0;
    if (!p->ready) {
        memset(&p->ctx, 0, sizeof p->ctx);
        p->ctx.engine = p->engine;
        p->ctx.arena = p->arena;
        p->ctx.plan = p->plan;
        p->ctx.err = &p->scratch;
        p->ctx.now_us = p->plan->now_us;
        p->ctx.sqlite_compat = p->engine ? p->engine->options.sqlite_compat : false;
        if (tn_exec_eval_init(&p->ctx.eval, &p->ctx) != 0)
            return TN_ENOMEM;
        p->ready = true;
    }
    uint32_t paths = scan->scan.path_count, keys = scan->scan.partition_key_count;
    bool *keep = tn_arena_alloc(p->arena, (paths + 1) * sizeof *keep);
    if (!keep)
        return TN_ENOMEM;
    for (uint32_t i = 0; i < paths; i++)
        keep[i] = true;
    for (uint32_t first = 0; first < paths; first += TN_BATCH_ROWS) {
        uint32_t n = paths - first < TN_BATCH_ROWS ? paths - first : TN_BATCH_ROWS;
        int rc = evaluate_paths(p, scan, filters, nf, first, n, keep + first);
        if (rc)
            return rc;
    }
    /* the kept paths and their values move down in place, in order */
    uint32_t kept = 0;
    for (uint32_t i = 0; i < paths; i++) {
        if (!keep[i])
            continue;
        scan->scan.paths[kept] = scan->scan.paths[i];
        memmove(&scan->scan.partition_values[(size_t)kept * keys],
                &scan->scan.partition_values[(size_t)i * keys], keys * sizeof(const char *));
        kept++;
    }
    scan->scan.stats.files_skipped += paths - kept;
    scan->scan.path_count = kept;
    if (scan->estimated_rows > 0 && paths)
        scan->estimated_rows = scan->estimated_rows * kept / paths;
    return 0;
}

static int prune(pruner *p, tn_plan_op *op);

static int prune_subplan(void *ctx, tn_plan_op **root)
{
    return prune(ctx, *root);
}

static int prune(pruner *p, tn_plan_op *op)
{
    int rc;
    for (uint32_t i = 0; i < op->child_count; i++)
        if ((rc = prune(p, op->children[i])) != 0)
            return rc;
    if (op->kind == TN_PLAN_CTE_REF && op->cte_ref.query && (rc = prune(p, op->cte_ref.query)) != 0)
        return rc;
    if ((rc = tn_opt_for_each_subplan(op, prune_subplan, p)) != 0)
        return rc;
    if (op->kind == TN_PLAN_SCAN && op->scan.source == TN_PLAN_SOURCE_FILES &&
        op->scan.partition_key_count && op->scan.filter_count)
        return prune_scan(p, op);
    return 0;
}

int tn_opt_hive_partitions(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan,
                           tn_plan_op **root, tn_error *err)
{
    pruner p;
    memset(&p, 0, sizeof p);
    p.engine = engine;
    p.arena = arena;
    p.plan = plan;
    int rc = prune(&p, *root);
    if (p.ready)
        tn_exec_eval_free(&p.ctx.eval);
    if (rc)
        return tn_error_set(err, rc, "out of memory while pruning hive partitions");
    return 0;
}
