/* SPDX-License-Identifier: Apache-2.0
 *
 * Helpers over the bound plan: allocation of expressions (with their scratch slot) and
 * operators in the statement arena, and the text rendering EXPLAIN prints.
 */
#include "sql/plan.h"
#include "sql/func/func.h"
#include "lake/lake.h"
#include "formats/formats.h"
#include "formats/parquet/parquet.h"

#include <stdio.h>

tn_plan_expr *tn_plan_expr_new(tn_arena *arena, tn_plan *plan, tn_plan_expr_kind kind,
                               tn_type type)
{
    tn_plan_expr *e = tn_arena_calloc(arena, sizeof *e);
    if (!e)
        return NULL;
    e->kind = kind;
    e->type = type;
    e->slot = plan->slot_count++;
    return e;
}

tn_plan_op *tn_plan_op_new(tn_arena *arena, tn_plan_op_kind kind, uint32_t column_count)
{
    tn_plan_op *op = tn_arena_calloc(arena, sizeof *op);
    if (!op)
        return NULL;
    op->columns = tn_arena_calloc(arena, (column_count + 1) * sizeof *op->columns);
    if (!op->columns)
        return NULL;
    op->kind = kind;
    op->column_count = column_count;
    op->estimated_rows = -1;
    return op;
}

static int expr_subqueries(tn_plan_expr *e, tn_plan_subquery_fn fn, void *ctx);

static int list_subqueries(tn_plan_expr **list, uint32_t count, tn_plan_subquery_fn fn, void *ctx)
{
    int rc = 0;
    for (uint32_t i = 0; i < count && rc == 0; i++)
        if (list[i]) rc = expr_subqueries(list[i], fn, ctx);
    return rc;
}

static int expr_subqueries(tn_plan_expr *e, tn_plan_subquery_fn fn, void *ctx)
{
    int rc;
    switch (e->kind) {
    case TN_PLAN_EXPR_CALL:
        return list_subqueries(e->call.args, e->call.arg_count, fn, ctx);
    case TN_PLAN_EXPR_CAST:
        return expr_subqueries(e->cast.operand, fn, ctx);
    case TN_PLAN_EXPR_CASE:
        if ((rc = list_subqueries(e->case_expr.conditions, e->case_expr.when_count, fn, ctx)) != 0 ||
            (rc = list_subqueries(e->case_expr.results, e->case_expr.when_count, fn, ctx)) != 0)
            return rc;
        return e->case_expr.else_result ? expr_subqueries(e->case_expr.else_result, fn, ctx) : 0;
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE:
        return list_subqueries(e->logical.operands, e->logical.count, fn, ctx);
    case TN_PLAN_EXPR_NOT:
        return expr_subqueries(e->unary.operand, fn, ctx);
    case TN_PLAN_EXPR_IS_NULL:
        return expr_subqueries(e->is_null.operand, fn, ctx);
    case TN_PLAN_EXPR_IS_BOOL:
        return expr_subqueries(e->is_bool.operand, fn, ctx);
    case TN_PLAN_EXPR_COMPARE:
        if ((rc = expr_subqueries(e->compare.left, fn, ctx)) != 0) return rc;
        return expr_subqueries(e->compare.right, fn, ctx);
    case TN_PLAN_EXPR_IN_LIST:
        if ((rc = expr_subqueries(e->in_list.operand, fn, ctx)) != 0) return rc;
        return list_subqueries(e->in_list.items, e->in_list.count, fn, ctx);
    case TN_PLAN_EXPR_SUBQUERY:
    case TN_PLAN_EXPR_IN_QUERY:
    case TN_PLAN_EXPR_EXISTS:
        if (e->kind == TN_PLAN_EXPR_IN_QUERY && e->subquery.operand &&
            (rc = expr_subqueries(e->subquery.operand, fn, ctx)) != 0)
            return rc;
        return fn(ctx, e);
    default:
        return 0;
    }
}

int tn_plan_for_each_subquery(tn_plan_op *op, tn_plan_subquery_fn fn, void *ctx)
{
    int rc = 0;
    switch (op->kind) {
    case TN_PLAN_SCAN:
        return list_subqueries(op->scan.filters, op->scan.filter_count, fn, ctx);
    case TN_PLAN_FILTER:
        return op->filter.condition ? expr_subqueries(op->filter.condition, fn, ctx) : 0;
    case TN_PLAN_PROJECT:
        return list_subqueries(op->project.exprs, op->column_count, fn, ctx);
    case TN_PLAN_AGGREGATE:
        rc = list_subqueries(op->aggregate.groups, op->aggregate.group_count, fn, ctx);
        for (uint32_t i = 0; i < op->aggregate.agg_count && rc == 0; i++) {
            if (op->aggregate.aggs[i].arg) rc = expr_subqueries(op->aggregate.aggs[i].arg, fn, ctx);
            if (rc == 0 && op->aggregate.aggs[i].filter)
                rc = expr_subqueries(op->aggregate.aggs[i].filter, fn, ctx);
        }
        return rc;
    case TN_PLAN_JOIN:
        if ((rc = list_subqueries(op->join.left_keys, op->join.key_count, fn, ctx)) != 0 ||
            (rc = list_subqueries(op->join.right_keys, op->join.key_count, fn, ctx)) != 0)
            return rc;
        return op->join.residual ? expr_subqueries(op->join.residual, fn, ctx) : 0;
    case TN_PLAN_SORT:
        for (uint32_t i = 0; i < op->sort.key_count && rc == 0; i++)
            rc = expr_subqueries(op->sort.keys[i].expr, fn, ctx);
        return rc;
    case TN_PLAN_VALUES:
        for (uint32_t r = 0; r < op->values.row_count && rc == 0; r++)
            rc = list_subqueries(op->values.rows[r], op->column_count, fn, ctx);
        return rc;
    default:
        return 0;
    }
}

bool tn_plan_expr_is_constant(const tn_plan_expr *e)
{
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST: return true;
    case TN_PLAN_EXPR_COLUMN:
    case TN_PLAN_EXPR_SUBQUERY:
    case TN_PLAN_EXPR_IN_QUERY:
    case TN_PLAN_EXPR_EXISTS:
    case TN_PLAN_EXPR_OUTER: return false;
    case TN_PLAN_EXPR_CALL:
        if (e->call.func->volatile_result)
            return false;
        for (uint32_t i = 0; i < e->call.arg_count; i++)
            if (!tn_plan_expr_is_constant(e->call.args[i]))
                return false;
        return true;
    case TN_PLAN_EXPR_CAST: return tn_plan_expr_is_constant(e->cast.operand);
    case TN_PLAN_EXPR_NOT: return tn_plan_expr_is_constant(e->unary.operand);
    case TN_PLAN_EXPR_IS_NULL: return tn_plan_expr_is_constant(e->is_null.operand);
    case TN_PLAN_EXPR_IS_BOOL: return tn_plan_expr_is_constant(e->is_bool.operand);
    case TN_PLAN_EXPR_COMPARE:
        return tn_plan_expr_is_constant(e->compare.left) && tn_plan_expr_is_constant(e->compare.right);
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE:
        for (uint32_t i = 0; i < e->logical.count; i++)
            if (!tn_plan_expr_is_constant(e->logical.operands[i]))
                return false;
        return true;
    default: return false;
    }
}

static const char *cmp_text(tn_plan_cmp op)
{
    static const char *t[] = {"=", "<>", "<", "<=", ">", ">=", "IS DISTINCT FROM", "IS NOT DISTINCT FROM"};
    return t[op];
}

int tn_plan_expr_format(const tn_plan_expr *e, const tn_plan_op *input, tn_buf *out)
{
    int rc = 0;
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST: {
        const tn_plan_value *v = &e->value;
        char num[TN_FORMAT_MAX];
        if (v->is_null || v->type.id == TN_TYPE_INVALID)
            return tn_buf_append_cstr(out, "NULL");
        switch ((tn_type_id)v->type.id) {
        case TN_TYPE_BOOLEAN: return tn_buf_append_cstr(out, v->b ? "true" : "false");
        case TN_TYPE_INTEGER: return tn_buf_printf(out, "%d", v->i32);
        case TN_TYPE_BIGINT: return tn_buf_printf(out, "%lld", (long long)v->i64);
        case TN_TYPE_DOUBLE: tn_format_double(v->f64, num); return tn_buf_append_cstr(out, num);
        case TN_TYPE_DECIMAL:
            tn_format_decimal(v->i128, v->type.scale, num);
            return tn_buf_append_cstr(out, num);
        case TN_TYPE_DATE: tn_format_date(v->i32, num); return tn_buf_printf(out, "DATE '%s'", num);
        case TN_TYPE_TIMESTAMP:
        case TN_TYPE_TIMESTAMPTZ:
            tn_format_timestamp(v->i64, v->type.id == TN_TYPE_TIMESTAMPTZ, num);
            return tn_buf_printf(out, "TIMESTAMP%s '%s'", v->type.id == TN_TYPE_TIMESTAMPTZ ? "TZ" : "", num);
        case TN_TYPE_REAL: tn_format_double(v->f32, num); return tn_buf_append_cstr(out, num);
        case TN_TYPE_VARCHAR:
            return tn_buf_printf(out, "'%.*s'", (int)v->str.len, v->str.ptr);
        default: return tn_buf_append_cstr(out, "<const>");
        }
    }
    case TN_PLAN_EXPR_COLUMN:
        if (input && e->column < input->column_count && input->columns[e->column].name &&
            input->columns[e->column].name[0])
            return tn_buf_append_cstr(out, input->columns[e->column].name);
        return tn_buf_printf(out, "#%u", e->column);
    case TN_PLAN_EXPR_CALL: {
        const char *n = e->call.func->name;
        bool op = !((n[0] >= 'a' && n[0] <= 'z') || n[0] == '_');
        if (op && e->call.arg_count == 2) {
            rc |= tn_buf_putc(out, '(');
            rc |= tn_plan_expr_format(e->call.args[0], input, out);
            rc |= tn_buf_printf(out, " %s ", n);
            rc |= tn_plan_expr_format(e->call.args[1], input, out);
            return rc | tn_buf_putc(out, ')');
        }
        rc |= tn_buf_printf(out, "%s(", n);
        for (uint32_t i = 0; i < e->call.arg_count; i++) {
            if (i)
                rc |= tn_buf_append_cstr(out, ", ");
            rc |= tn_plan_expr_format(e->call.args[i], input, out);
        }
        return rc | tn_buf_putc(out, ')');
    }
    case TN_PLAN_EXPR_CAST: {
        char t[48];
        rc |= tn_buf_append_cstr(out, e->cast.try_cast ? "TRY_CAST(" : "CAST(");
        rc |= tn_plan_expr_format(e->cast.operand, input, out);
        return rc | tn_buf_printf(out, " AS %s)", tn_type_format(e->type, t, sizeof t));
    }
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE:
        if (e->kind == TN_PLAN_EXPR_COALESCE)
            rc |= tn_buf_append_cstr(out, "COALESCE");
        rc |= tn_buf_putc(out, '(');
        for (uint32_t i = 0; i < e->logical.count; i++) {
            if (i)
                rc |= tn_buf_append_cstr(out, e->kind == TN_PLAN_EXPR_AND ? " AND "
                                              : e->kind == TN_PLAN_EXPR_OR ? " OR " : ", ");
            rc |= tn_plan_expr_format(e->logical.operands[i], input, out);
        }
        return rc | tn_buf_putc(out, ')');
    case TN_PLAN_EXPR_NOT:
        rc |= tn_buf_append_cstr(out, "NOT ");
        return rc | tn_plan_expr_format(e->unary.operand, input, out);
    case TN_PLAN_EXPR_IS_NULL:
        rc |= tn_plan_expr_format(e->is_null.operand, input, out);
        return rc | tn_buf_append_cstr(out, e->is_null.negated ? " IS NOT NULL" : " IS NULL");
    case TN_PLAN_EXPR_IS_BOOL:
        rc |= tn_plan_expr_format(e->is_bool.operand, input, out);
        return rc | tn_buf_printf(out, " IS %s%s", e->is_bool.negated ? "NOT " : "",
                                  e->is_bool.value ? "TRUE" : "FALSE");
    case TN_PLAN_EXPR_COMPARE:
        rc |= tn_plan_expr_format(e->compare.left, input, out);
        rc |= tn_buf_printf(out, " %s ", cmp_text(e->compare.op));
        return rc | tn_plan_expr_format(e->compare.right, input, out);
    case TN_PLAN_EXPR_IN_LIST:
        rc |= tn_plan_expr_format(e->in_list.operand, input, out);
        rc |= tn_buf_append_cstr(out, e->in_list.negated ? " NOT IN (" : " IN (");
        for (uint32_t i = 0; i < e->in_list.count; i++) {
            if (i)
                rc |= tn_buf_append_cstr(out, ", ");
            rc |= tn_plan_expr_format(e->in_list.items[i], input, out);
        }
        return rc | tn_buf_putc(out, ')');
    case TN_PLAN_EXPR_CASE:
        return tn_buf_append_cstr(out, "CASE ... END");
    case TN_PLAN_EXPR_SUBQUERY: return tn_buf_append_cstr(out, "(subquery)");
    case TN_PLAN_EXPR_IN_QUERY:
        if (e->subquery.operand)
            rc |= tn_plan_expr_format(e->subquery.operand, input, out);
        return rc | tn_buf_append_cstr(out, e->subquery.negated ? " NOT IN (subquery)" : " IN (subquery)");
    case TN_PLAN_EXPR_EXISTS: return tn_buf_append_cstr(out, "EXISTS (subquery)");
    case TN_PLAN_EXPR_OUTER:
        return tn_buf_printf(out, "outer.%s", e->name ? e->name : "?");
    }
    return 0;
}

static const char *op_name(const tn_plan_op *op)
{
    static const char *join_names[] = {"HASH JOIN INNER", "HASH JOIN LEFT", "HASH JOIN RIGHT",
                                       "HASH JOIN FULL", "HASH JOIN SEMI", "HASH JOIN ANTI"};
    switch (op->kind) {
    case TN_PLAN_SCAN: return "SCAN";
    case TN_PLAN_FILTER: return "FILTER";
    case TN_PLAN_PROJECT: return "PROJECT";
    case TN_PLAN_AGGREGATE: return "HASH AGGREGATE";
    case TN_PLAN_JOIN: return op->join.key_count ? join_names[op->join.type] : "NESTED LOOP JOIN";
    case TN_PLAN_CROSS: return "CROSS PRODUCT";
    case TN_PLAN_SORT: return "SORT";
    case TN_PLAN_LIMIT: return "LIMIT";
    case TN_PLAN_SET_OP:
        return op->set_op.op == TN_PLAN_SET_UNION       ? (op->set_op.all ? "UNION ALL" : "UNION")
               : op->set_op.op == TN_PLAN_SET_INTERSECT ? (op->set_op.all ? "INTERSECT ALL" : "INTERSECT")
                                                        : (op->set_op.all ? "EXCEPT ALL" : "EXCEPT");
    case TN_PLAN_VALUES: return "VALUES";
    case TN_PLAN_CTE_REF: return "CTE";
    case TN_PLAN_WINDOW: return "WINDOW";
    case TN_PLAN_SERIES: return op->series.inclusive ? "GENERATE_SERIES" : "RANGE";
    }
    return "?";
}

/* A pushed filter `column op constant` (either way round) or `column IS [NOT] NULL` as a
 * predicate over the columns of a Parquet file (matched by name and type), as the scan
 * operator makes them. */
static bool parquet_predicate(const tn_plan_op *op, const tn_plan_expr *f, const tn_schema *fs,
                              tn_parquet_predicate *out)
{
    const tn_plan_expr *col = NULL, *val = NULL;
    int pop = -1;
    memset(out, 0, sizeof *out);
    if (f->kind == TN_PLAN_EXPR_IS_NULL) {
        col = f->is_null.operand;
        pop = f->is_null.negated ? TN_PARQUET_OP_IS_NOT_NULL : TN_PARQUET_OP_IS_NULL;
    } else if (f->kind == TN_PLAN_EXPR_COMPARE) {
        bool mirror = f->compare.left->kind != TN_PLAN_EXPR_COLUMN;
        col = mirror ? f->compare.right : f->compare.left;
        val = mirror ? f->compare.left : f->compare.right;
        static const int ops[] = {[TN_PLAN_CMP_EQ] = TN_PARQUET_OP_EQ, [TN_PLAN_CMP_NE] = -1,
                                  [TN_PLAN_CMP_LT] = TN_PARQUET_OP_LT, [TN_PLAN_CMP_LE] = TN_PARQUET_OP_LE,
                                  [TN_PLAN_CMP_GT] = TN_PARQUET_OP_GT, [TN_PLAN_CMP_GE] = TN_PARQUET_OP_GE,
                                  [TN_PLAN_CMP_DISTINCT] = -1, [TN_PLAN_CMP_NOT_DISTINCT] = -1};
        static const int mirrored[] = {[TN_PARQUET_OP_EQ] = TN_PARQUET_OP_EQ,
                                       [TN_PARQUET_OP_LT] = TN_PARQUET_OP_GT, [TN_PARQUET_OP_LE] = TN_PARQUET_OP_GE,
                                       [TN_PARQUET_OP_GT] = TN_PARQUET_OP_LT, [TN_PARQUET_OP_GE] = TN_PARQUET_OP_LE};
        pop = ops[f->compare.op];
        if (pop >= 0 && mirror)
            pop = mirrored[pop];
        if (val->kind != TN_PLAN_EXPR_CONST || val->value.is_null || !tn_type_eq(val->type, col->type))
            return false;
    }
    if (pop < 0 || !col || col->kind != TN_PLAN_EXPR_COLUMN || col->column >= op->column_count)
        return false;
    const tn_plan_column *sc = &op->scan.source_columns[op->scan.projection[col->column]];
    int idx = tn_schema_find(fs, sc->name);
    if (idx < 0 || !tn_type_eq(fs->columns[idx].type, sc->type))
        return false;
    out->column = (uint32_t)idx;
    out->op = pop;
    if (!val)
        return true;
    const tn_plan_value *v = &val->value;
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_BOOLEAN: out->value.i = v->b; return true;
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: out->value.i = v->i32; return true;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: out->value.i = v->i64; return true;
    case TN_TYPE_REAL: out->value.d = v->f32; return true;
    case TN_TYPE_DOUBLE: out->value.d = v->f64; return true;
    case TN_TYPE_DECIMAL: out->value.dec = v->i128; return true;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: out->value.s = v->str; return true;
    default: return false;
    }
}

/* Hive partition pruning (optimizer/hive_partitions.c), done at plan time: "files k/n",
 * then `more` (a separator) when something follows. */
static int format_hive_pruning(const tn_plan_op *op, const char *more, tn_buf *out)
{
    if (!op->scan.partition_key_count)
        return 0;
    int64_t skipped = op->scan.stats.files_skipped;
    return tn_buf_printf(out, "files %lld/%lld%s", (long long)skipped,
                         (long long)(skipped + op->scan.path_count), more);
}

/* Plain EXPLAIN of Parquet files: their footers say which row groups the pushed filters
 * skip (pages are only known when read). Other formats and unreadable files show nothing. */
static int format_file_pruning(const tn_plan_op *op, tn_buf *out)
{
    int64_t groups = 0, pruned = 0;
    for (uint32_t i = 0; i < op->scan.path_count; i++) {
        const tn_format *fmt = NULL;
        tn_error err = {0};
        if (tn_format_detect(op->scan.paths[i], op->scan.format, &fmt, &err) != 0 ||
            fmt != &tn_format_parquet)
            return 0;
        tn_parquet_source src;
        tn_parquet_file *pf = NULL;
        if (tn_parquet_source_open_file(op->scan.paths[i], &src, &err) != 0)
            return 0;
        if (tn_parquet_file_open(&src, &pf, &err) != 0)
            return 0;
        const tn_schema *fs = tn_parquet_file_schema(pf);
        tn_parquet_predicate preds[64];
        uint32_t np = 0, first = 0;
        for (uint32_t f = 0; f < op->scan.filter_count && np < 64; f++)
            if (parquet_predicate(op, op->scan.filters[f], fs, &preds[np]))
                np++;
        tn_parquet_scan_options so = {0};
        so.columns = &first;
        so.column_count = fs->column_count ? 1 : 0;
        so.predicates = preds;
        so.predicate_count = np;
        so.threads = 1;
        tn_parquet_scan *scan = NULL;
        if (tn_parquet_scan_open(pf, &so, &scan, &err) == 0) {
            tn_parquet_scan_stats st;
            tn_parquet_scan_get_stats(scan, &st);
            groups += st.row_groups;
            pruned += st.row_groups_pruned;
        }
        tn_parquet_scan_close(scan);
        tn_parquet_file_close(pf);
    }
    int rc = tn_buf_printf(out, " (files %u, pruned: ", op->scan.path_count);
    rc |= format_hive_pruning(op, ", ", out);
    return rc | tn_buf_printf(out, "row groups %lld/%lld)", (long long)pruned, (long long)groups);
}

/* What a scan prunes. A lake scan is planned here for plain EXPLAIN (manifests and data
 * files, which needs only the manifests); row groups and pages are known once files are
 * opened, so EXPLAIN ANALYZE shows them. */
/* EXPLAIN ANALYZE: the rows runtime filters from joins above tested and dropped. */
static int format_join_filter(const tn_plan_scan_stats *s, tn_buf *out)
{
    if (!s->join_filter_rows)
        return 0;
    return tn_buf_printf(out, ", join filter: dropped rows %lld/%lld",
                         (long long)s->join_filter_dropped, (long long)s->join_filter_rows);
}

static int format_pruning(const tn_plan_op *op, bool analyze, tn_buf *out)
{
    tn_plan_scan_stats s = op->scan.stats;
    int rc = 0;
    if (op->scan.source == TN_PLAN_SOURCE_LAKE) {
        if (!analyze) {
            tn_lake_scan_options o = {0};
            const char *first = op->scan.source_column_count ? op->scan.source_columns[0].name : NULL;
            o.columns = &first;
            o.column_count = first ? 1 : 0;
            o.predicates = op->scan.lake_predicates;
            o.predicate_count = op->scan.lake_predicate_count;
            tn_lake_scan *scan = NULL;
            tn_error err = {0};
            if (tn_lake_scan_open(op->scan.lake_table, &o, &scan, &err) != 0)
                return 0; /* the statement itself reports what is wrong */
            tn_lake_scan_plan_row_groups(scan, &err);
            const tn_lake_scan_stats *st = tn_lake_scan_get_stats(scan);
            s.manifests = st->manifests_total;
            s.manifests_skipped = st->manifests_skipped;
            s.files = st->files_total;
            s.files_skipped = st->files_skipped;
            s.row_groups = st->row_groups;
            s.row_groups_pruned = st->row_groups_pruned;
            s.rows_total = st->rows_total;
            s.rows_pruned = st->rows_pruned;
            tn_lake_scan_close(scan);
        }
        rc |= tn_buf_printf(out, " (pruned: manifests %lld/%lld, files %lld/%lld, row groups %lld/%lld",
                            (long long)s.manifests_skipped, (long long)s.manifests,
                            (long long)s.files_skipped, (long long)s.files,
                            (long long)s.row_groups_pruned, (long long)s.row_groups);
        if (analyze) {
            rc |= tn_buf_printf(out, ", pages %lld, rows %lld/%lld", (long long)s.pages_pruned,
                                (long long)s.rows_pruned, (long long)s.rows_total);
            rc |= format_join_filter(&s, out);
        }
        return rc | tn_buf_putc(out, ')');
    }
    if (op->scan.source != TN_PLAN_SOURCE_FILES) {
        if (!analyze || !s.join_filter_rows)
            return 0;
        rc |= tn_buf_append_cstr(out, " (memory");
        rc |= format_join_filter(&s, out);
        return rc | tn_buf_putc(out, ')');
    }
    if (!analyze) {
        /* other formats show only the partition pruning, when there is any */
        size_t before = out->len;
        rc = format_file_pruning(op, out);
        if (rc == 0 && out->len == before && op->scan.partition_key_count) {
            rc |= tn_buf_printf(out, " (files %u, pruned: ", op->scan.path_count);
            rc |= format_hive_pruning(op, ")", out);
        }
        return rc;
    }
    rc |= tn_buf_printf(out, " (files %lld", (long long)s.files);
    if (s.row_groups || op->scan.partition_key_count)
        rc |= tn_buf_append_cstr(out, ", pruned: ");
    rc |= format_hive_pruning(op, s.row_groups ? ", " : "", out);
    if (s.row_groups)
        rc |= tn_buf_printf(out, "row groups %lld/%lld, pages %lld, rows %lld",
                            (long long)s.row_groups_pruned, (long long)s.row_groups,
                            (long long)s.pages_pruned, (long long)s.rows_pruned);
    rc |= format_join_filter(&s, out);
    return rc | tn_buf_putc(out, ')');
}

static int format_op(const tn_plan_op *op, bool analyze, int depth, tn_buf *out)
{
    int rc = tn_buf_printf(out, "%*s%s", depth * 2, "", op_name(op));
    const tn_plan_op *in = op->child_count ? op->children[0] : NULL;
    switch (op->kind) {
    case TN_PLAN_SCAN:
        rc |= tn_buf_printf(out, " %s", op->scan.label ? op->scan.label : "");
        rc |= tn_buf_append_cstr(out, " [");
        for (uint32_t i = 0; i < op->column_count; i++)
            rc |= tn_buf_printf(out, "%s%s", i ? ", " : "", op->columns[i].name);
        rc |= tn_buf_putc(out, ']');
        for (uint32_t f = 0; f < op->scan.filter_count; f++) {
            rc |= tn_buf_append_cstr(out, f ? " AND " : " filters: ");
            rc |= tn_plan_expr_format(op->scan.filters[f], op, out);
        }
        rc |= format_pruning(op, analyze, out);
        break;
    case TN_PLAN_FILTER:
        rc |= tn_buf_putc(out, ' ');
        rc |= tn_plan_expr_format(op->filter.condition, in, out);
        break;
    case TN_PLAN_PROJECT:
        rc |= tn_buf_putc(out, ' ');
        for (uint32_t i = 0; i < op->column_count; i++) {
            if (i)
                rc |= tn_buf_append_cstr(out, ", ");
            rc |= tn_plan_expr_format(op->project.exprs[i], in, out);
        }
        break;
    case TN_PLAN_AGGREGATE:
        rc |= tn_buf_printf(out, " groups %u, aggregates %u", op->aggregate.group_count,
                            op->aggregate.agg_count);
        break;
    case TN_PLAN_SERIES:
        rc |= tn_buf_putc(out, ' ');
        rc |= tn_plan_expr_format(op->series.start, NULL, out);
        rc |= tn_buf_append_cstr(out, op->series.inclusive ? " to " : " until ");
        rc |= tn_plan_expr_format(op->series.stop, NULL, out);
        break;
    case TN_PLAN_WINDOW:
        for (uint32_t k = 0; k < op->window.func_count; k++)
            rc |= tn_buf_printf(out, "%s%s", k ? ", " : " ", op->window.funcs[k].text);
        break;
    case TN_PLAN_JOIN:
        for (uint32_t k = 0; k < op->join.key_count; k++) {
            rc |= tn_buf_append_cstr(out, k ? " AND " : " ON ");
            rc |= tn_plan_expr_format(op->join.left_keys[k], op->children[0], out);
            rc |= tn_buf_append_cstr(out, " = ");
            rc |= tn_plan_expr_format(op->join.right_keys[k], op->children[1], out);
        }
        if (op->join.residual) {
            rc |= tn_buf_append_cstr(out, " residual ");
            rc |= tn_plan_expr_format(op->join.residual, op, out);
        }
        break;
    case TN_PLAN_LIMIT:
        rc |= tn_buf_printf(out, " %lld offset %lld", (long long)op->limit.limit, (long long)op->limit.offset);
        break;
    case TN_PLAN_VALUES:
        rc |= tn_buf_printf(out, " %u rows", op->values.row_count);
        break;
    default: break;
    }
    if (!analyze && op->estimated_rows >= 0)
        rc |= tn_buf_printf(out, "  (~%.0f rows)", op->estimated_rows);
    if (analyze)
        rc |= tn_buf_printf(out, "  (rows %lld, %.3f ms)", (long long)op->actual_rows,
                            (double)op->actual_ns / 1e6);
    rc |= tn_buf_putc(out, '\n');
    for (uint32_t i = 0; i < op->child_count; i++)
        rc |= format_op(op->children[i], analyze, depth + 1, out);
    return rc ? TN_ENOMEM : 0;
}

int tn_plan_format(const tn_plan_op *op, bool analyze, tn_buf *out)
{
    return format_op(op, analyze, 0, out);
}
