/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule: a lake scan's pushed filters as the lake's pruning predicates. The simple conjuncts
 * (`column op constant` either way round, IS [NOT] NULL, BETWEEN as its two comparisons, an
 * IN list of constants as the range from its smallest to its largest item, and
 * CAST(timestamp AS DATE) compared with a date as a range of the timestamp) become
 * tn_lake_predicate entries by column name. tn_lake_scan skips manifests on their partition
 * summaries, data files on partition values (through the spec's transforms) and column bounds,
 * and hands the predicates to the Parquet reader of each file to skip row groups and pages.
 * Pruning never filters rows: the scan still applies every pushed filter to what it reads.
 */
#include "sql/optimizer/optimizer_int.h"
#include "lake/lake.h"

typedef struct preds {
    tn_lake_predicate *items;
    uint32_t count, cap;
} preds;

/* The Iceberg literal of a constant, in the family of the column's type. */
static bool to_literal(const tn_plan_value *v, tn_iceberg_value *out)
{
    memset(out, 0, sizeof *out);
    if (v->is_null) return false;
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_BOOLEAN:
        out->kind = TN_ICEBERG_BOOLEAN;
        out->v.b = v->b;
        return true;
    case TN_TYPE_INTEGER:
        out->kind = TN_ICEBERG_LONG;
        out->v.i = v->i32;
        return true;
    case TN_TYPE_BIGINT:
        out->kind = TN_ICEBERG_LONG;
        out->v.i = v->i64;
        return true;
    case TN_TYPE_DATE:
        out->kind = TN_ICEBERG_DATE;
        out->v.i = v->i32;
        return true;
    case TN_TYPE_TIMESTAMP:
        out->kind = TN_ICEBERG_TIMESTAMP;
        out->v.i = v->i64;
        return true;
    case TN_TYPE_TIMESTAMPTZ:
        out->kind = TN_ICEBERG_TIMESTAMPTZ;
        out->v.i = v->i64;
        return true;
    case TN_TYPE_REAL:
        out->kind = TN_ICEBERG_DOUBLE;
        out->v.d = v->f32;
        return true;
    case TN_TYPE_DOUBLE:
        out->kind = TN_ICEBERG_DOUBLE;
        out->v.d = v->f64;
        return true;
    case TN_TYPE_DECIMAL:
        out->kind = TN_ICEBERG_DECIMAL;
        out->scale = v->type.scale;
        out->v.dec = v->i128;
        return true;
    case TN_TYPE_VARCHAR:
        out->kind = TN_ICEBERG_STRING;
        out->v.bytes = v->str;
        return true;
    case TN_TYPE_BLOB:
        out->kind = TN_ICEBERG_BINARY;
        out->v.bytes = v->str;
        return true;
    default:
        return false;
    }
}

static int add(tn_arena *arena, preds *p, const char *column, int op, const tn_iceberg_value *lit)
{
    if (p->count == p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 8;
        tn_lake_predicate *n = tn_arena_alloc(arena, cap * sizeof *n);
        if (!n) return TN_ENOMEM;
        if (p->count) memcpy(n, p->items, p->count * sizeof *n);
        p->items = n;
        p->cap = cap;
    }
    tn_lake_predicate *d = &p->items[p->count++];
    memset(d, 0, sizeof *d);
    d->column = column;
    d->op = op;
    if (lit) d->value = *lit;
    return 0;
}

static const char *column_name(const tn_plan_op *scan, const tn_plan_expr *col)
{
    if (col->kind != TN_PLAN_EXPR_COLUMN || col->column >= scan->column_count) return NULL;
    return scan->scan.source_columns[scan->scan.projection[col->column]].name;
}

/* A column of the scan compared with a constant of the column's own type. */
static bool column_vs_const(const tn_plan_op *scan, const tn_plan_expr *col,
                            const tn_plan_expr *val, const char **name, tn_iceberg_value *lit)
{
    *name = column_name(scan, col);
    if (!*name || val->kind != TN_PLAN_EXPR_CONST || !tn_type_eq(col->type, val->type))
        return false;
    return to_literal(&val->value, lit);
}

#define US_PER_DAY 86400000000LL

/* CAST(timestamp_column AS DATE) op DATE 'd' as a range of the timestamp column: the day
 * partitions and bounds of the column then prune. Only TIMESTAMP (no zone): the day of a
 * TIMESTAMPTZ depends on the session's zone. */
static int date_of_timestamp(tn_arena *arena, const tn_plan_op *scan, const tn_plan_expr *f,
                             preds *p)
{
    const tn_plan_expr *cast = f->compare.left, *val = f->compare.right;
    tn_plan_cmp cmp = f->compare.op;
    if (cast->kind != TN_PLAN_EXPR_CAST) {
        cast = f->compare.right;
        val = f->compare.left;
        cmp = cmp == TN_PLAN_CMP_LT   ? TN_PLAN_CMP_GT
              : cmp == TN_PLAN_CMP_GT ? TN_PLAN_CMP_LT
              : cmp == TN_PLAN_CMP_LE ? TN_PLAN_CMP_GE
              : cmp == TN_PLAN_CMP_GE ? TN_PLAN_CMP_LE
                                      : cmp;
    }
    if (cast->kind != TN_PLAN_EXPR_CAST || cast->type.id != TN_TYPE_DATE ||
        cast->cast.operand->type.id != TN_TYPE_TIMESTAMP || val->kind != TN_PLAN_EXPR_CONST ||
        val->value.is_null || val->type.id != TN_TYPE_DATE)
        return 0;
    const char *name = column_name(scan, cast->cast.operand);
    if (!name) return 0;
    int64_t day = val->value.i32;
    tn_iceberg_value lo = {.kind = TN_ICEBERG_TIMESTAMP}, hi = lo;
    lo.v.i = day * US_PER_DAY;       /* the day's first microsecond */
    hi.v.i = (day + 1) * US_PER_DAY; /* the next day's first */
    int rc = 0;
    switch (cmp) {
    case TN_PLAN_CMP_EQ:
        if ((rc = add(arena, p, name, TN_LAKE_GE, &lo)) == 0)
            rc = add(arena, p, name, TN_LAKE_LT, &hi);
        break;
    case TN_PLAN_CMP_LT:
        rc = add(arena, p, name, TN_LAKE_LT, &lo);
        break;
    case TN_PLAN_CMP_LE:
        rc = add(arena, p, name, TN_LAKE_LT, &hi);
        break;
    case TN_PLAN_CMP_GT:
        rc = add(arena, p, name, TN_LAKE_GE, &hi);
        break;
    case TN_PLAN_CMP_GE:
        rc = add(arena, p, name, TN_LAKE_GE, &lo);
        break;
    default:
        break;
    }
    return rc;
}

static int convert(tn_arena *arena, const tn_plan_op *scan, const tn_plan_expr *f, preds *p)
{
    const char *name;
    tn_iceberg_value lit;
    int rc;
    switch (f->kind) {
    case TN_PLAN_EXPR_AND:
        for (uint32_t i = 0; i < f->logical.count; i++)
            if ((rc = convert(arena, scan, f->logical.operands[i], p)) != 0) return rc;
        return 0;
    case TN_PLAN_EXPR_IS_NULL:
        if (!(name = column_name(scan, f->is_null.operand))) return 0;
        return add(arena, p, name, f->is_null.negated ? TN_LAKE_IS_NOT_NULL : TN_LAKE_IS_NULL,
                   NULL);
    case TN_PLAN_EXPR_COMPARE: {
        tn_plan_cmp cmp = f->compare.op;
        bool mirrored = false;
        if (!column_vs_const(scan, f->compare.left, f->compare.right, &name, &lit)) {
            if (!column_vs_const(scan, f->compare.right, f->compare.left, &name, &lit))
                return date_of_timestamp(arena, scan, f, p);
            mirrored = true;
        }
        int op;
        switch (cmp) {
        case TN_PLAN_CMP_EQ:
            op = TN_LAKE_EQ;
            break;
        case TN_PLAN_CMP_NE:
            op = TN_LAKE_NE;
            break;
        case TN_PLAN_CMP_LT:
            op = mirrored ? TN_LAKE_GT : TN_LAKE_LT;
            break;
        case TN_PLAN_CMP_LE:
            op = mirrored ? TN_LAKE_GE : TN_LAKE_LE;
            break;
        case TN_PLAN_CMP_GT:
            op = mirrored ? TN_LAKE_LT : TN_LAKE_GT;
            break;
        case TN_PLAN_CMP_GE:
            op = mirrored ? TN_LAKE_LE : TN_LAKE_GE;
            break;
        default:
            return 0;
        }
        return add(arena, p, name, op, &lit);
    }
    case TN_PLAN_EXPR_IN_LIST: {
        if (f->in_list.negated || f->in_list.count == 0) return 0;
        const tn_plan_expr *lo = NULL, *hi = NULL;
        for (uint32_t i = 0; i < f->in_list.count; i++) {
            const tn_plan_expr *it = f->in_list.items[i];
            if (it->kind != TN_PLAN_EXPR_CONST || it->value.is_null ||
                !tn_type_eq(it->type, f->in_list.operand->type))
                return 0; /* a NULL item never matches, but keep the rule simple */
            tn_iceberg_value a, b;
            if (!to_literal(&it->value, &a)) return 0;
            if (!lo) {
                lo = hi = it;
                continue;
            }
            to_literal(&lo->value, &b);
            if (tn_iceberg_value_cmp(&a, &b) < 0) lo = it;
            to_literal(&hi->value, &b);
            if (tn_iceberg_value_cmp(&a, &b) > 0) hi = it;
        }
        if (!column_vs_const(scan, f->in_list.operand, lo, &name, &lit)) return 0;
        if ((rc = add(arena, p, name, lo == hi ? TN_LAKE_EQ : TN_LAKE_GE, &lit)) != 0 || lo == hi)
            return rc;
        column_vs_const(scan, f->in_list.operand, hi, &name, &lit);
        return add(arena, p, name, TN_LAKE_LE, &lit);
    }
    default:
        return 0;
    }
}

static int visit(tn_arena *arena, tn_plan_op *op);

static int visit_subplan(void *ctx, tn_plan_op **root)
{
    return visit(ctx, *root);
}

static int visit(tn_arena *arena, tn_plan_op *op)
{
    int rc;
    if (op->kind == TN_PLAN_SCAN && op->scan.source == TN_PLAN_SOURCE_LAKE) {
        preds p = {0};
        for (uint32_t i = 0; i < op->scan.filter_count; i++)
            if ((rc = convert(arena, op, op->scan.filters[i], &p)) != 0) return rc;
        op->scan.lake_predicates = p.items;
        op->scan.lake_predicate_count = p.count;
    }
    for (uint32_t i = 0; i < op->child_count; i++)
        if ((rc = visit(arena, op->children[i])) != 0) return rc;
    if (op->kind == TN_PLAN_CTE_REF && op->cte_ref.query &&
        (rc = visit(arena, op->cte_ref.query)) != 0)
        return rc;
    return tn_opt_for_each_subplan(op, visit_subplan, arena);
}

int tn_opt_lake_predicates(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err)
{
    (void)plan;
    int rc = visit(arena, *root);
    if (rc) return tn_error_set(err, rc, "out of memory");
    return 0;
}
