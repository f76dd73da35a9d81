/* SPDX-License-Identifier: Apache-2.0
 *
 * Helpers over the bound plan: allocation of expressions (with their scratch slot) and
 * operators in the statement arena, and the text rendering EXPLAIN prints.
 */
#include "sql/plan.h"
#include "sql/func/func.h"

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

bool tn_plan_expr_is_constant(const tn_plan_expr *e)
{
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST: return true;
    case TN_PLAN_EXPR_COLUMN:
    case TN_PLAN_EXPR_SUBQUERY:
    case TN_PLAN_EXPR_IN_QUERY:
    case TN_PLAN_EXPR_EXISTS: return false;
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
    case TN_PLAN_EXPR_IN_QUERY: return tn_buf_append_cstr(out, "IN (subquery)");
    case TN_PLAN_EXPR_EXISTS: return tn_buf_append_cstr(out, "EXISTS (subquery)");
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
    }
    return "?";
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
        if (analyze) {
            const tn_plan_scan_stats *s = &op->scan.stats;
            rc |= tn_buf_printf(out, " (files %lld", (long long)s->files);
            if (s->row_groups)
                rc |= tn_buf_printf(out, ", row groups pruned %lld/%lld, pages pruned %lld",
                                    (long long)s->row_groups_pruned, (long long)s->row_groups,
                                    (long long)s->pages_pruned);
            if (s->files_skipped)
                rc |= tn_buf_printf(out, ", files skipped %lld", (long long)s->files_skipped);
            rc |= tn_buf_putc(out, ')');
        }
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
