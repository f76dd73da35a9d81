/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule: COUNT(*) from Parquet footers. An aggregate without groups whose aggregates are all
 * plain COUNT(*) (no FILTER), directly over a scan of Parquet files with no pushed filter,
 * counts rows the footers already state: each file's row groups carry their row counts. The
 * aggregate and its scan become a one-row VALUES of that count, and no column chunk is read.
 *
 * Runs after push_filters, so a WHERE clause has reached the scan (or stays as a FILTER
 * between the two) and keeps the rule away. Files that are not Parquet (CSV, JSON), lake
 * tables (their delete files drop rows) and in-memory tables are left to the scan, and so is
 * a file whose footer cannot be read: the scan then reports the error when the query runs.
 */
#include "sql/optimizer/optimizer_int.h"
#include "formats/formats.h"
#include "formats/parquet/parquet.h"

/* The rows of every file of a Parquet files scan, from their footers; false when a file is
 * not Parquet or its footer cannot be read. */
static bool footer_rows(const tn_plan_op *scan, int64_t *rows)
{
    int64_t total = 0;
    for (uint32_t i = 0; i < scan->scan.path_count; i++) {
        const tn_format *fmt = NULL;
        tn_error err = {0};
        if (tn_format_detect(scan->scan.paths[i], scan->scan.format, &fmt, &err) != 0 ||
            fmt != &tn_format_parquet)
            return false;
        /* the binder read the first file's footer for its schema, and its rows with it */
        int64_t n = scan->scan.counted_rows;
        if (scan->scan.paths[i] != scan->scan.counted_path &&
            tn_parquet_file_count_rows(scan->scan.paths[i], &n, &err) != 0)
            return false;
        if (__builtin_add_overflow(total, n, &total))
            return false;
    }
    *rows = total;
    return true;
}

static bool counts_only(const tn_plan_op *op)
{
    if (op->kind != TN_PLAN_AGGREGATE || op->aggregate.group_count != 0 ||
        op->aggregate.agg_count == 0 || op->child_count != 1)
        return false;
    for (uint32_t a = 0; a < op->aggregate.agg_count; a++)
        if (op->aggregate.aggs[a].kind != TN_PLAN_AGG_COUNT_STAR || op->aggregate.aggs[a].filter)
            return false;
    const tn_plan_op *scan = op->children[0];
    return scan->kind == TN_PLAN_SCAN && scan->scan.source == TN_PLAN_SOURCE_FILES &&
           scan->scan.filter_count == 0;
}

/* A count-only aggregate over a file scan at *slot becomes VALUES of the footers' count. */
static int rewrite(void *ctx, tn_plan_op **slot)
{
    tn_opt_rule_args *a = ctx;
    tn_arena *arena = a->arena;
    tn_plan *plan = a->plan;
    tn_plan_op *op = *slot;
    int64_t rows;
    if (!counts_only(op) || !footer_rows(op->children[0], &rows)) return 0;

    tn_plan_op *values = tn_plan_op_new(arena, TN_PLAN_VALUES, op->column_count);
    tn_plan_expr ***row_list = tn_arena_calloc(arena, sizeof *row_list);
    tn_plan_expr **row = tn_arena_calloc(arena, op->column_count * sizeof *row);
    if (!values || !row_list || !row) return TN_ENOMEM;
    for (uint32_t c = 0; c < op->column_count; c++) {
        values->columns[c] = op->columns[c];
        row[c] = tn_plan_expr_new(arena, plan, TN_PLAN_EXPR_CONST, op->aggregate.aggs[c].type);
        if (!row[c]) return TN_ENOMEM;
        memset(&row[c]->value, 0, sizeof row[c]->value);
        row[c]->value.type = row[c]->type;
        row[c]->value.i64 = rows;
    }
    row_list[0] = row;
    values->values.rows = row_list;
    values->values.row_count = 1;
    values->estimated_rows = 1;
    *slot = values;
    return 0;
}

int tn_opt_footer_count(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err)
{
    tn_opt_rule_args args = {arena, plan};
    int rc = tn_opt_rewrite_bottom_up(root, rewrite, &args);
    if (rc) return tn_error_set(err, rc, "out of memory while counting rows from footers");
    return 0;
}
