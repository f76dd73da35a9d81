/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule: constant folding. Every sub-expression that reads no column and no subquery is
 * evaluated once, here, by the executor's own evaluator (so folding and running agree to the
 * bit), and replaced by its value: arithmetic, casts, function calls on constants, IN lists
 * and comparisons of constants. now()/current_timestamp/current_date/today are constants of
 * the statement: the plan records the statement's time, which the executor uses as well.
 *
 * Logic simplifies by three-valued rules even when only some operands are constant:
 * FALSE AND x = FALSE, TRUE AND x = x, TRUE OR x = TRUE, FALSE OR x = x (NULL operands stay);
 * CASE drops WHEN branches whose condition is FALSE or NULL and stops at the first TRUE one;
 * COALESCE drops leading NULLs and stops at a non-NULL constant.
 *
 * A DATE compared with a constant TIMESTAMP becomes the equivalent comparison with a DATE
 * (date_compare), so no cast runs per row and the scan can prune on it.
 *
 * Errors: an expression whose evaluation fails (1/0, a bad cast) is left as it is, so the
 * error is raised at run time if, and only if, the row reaches it — a guarded branch
 * (CASE WHEN x = 0 THEN 0 ELSE 1 / 0 END) or a short-circuited conjunct never raises one.
 *
 * Operators: a filter whose condition folds to TRUE disappears; one that folds to FALSE or
 * NULL becomes an empty VALUES with the same columns (its input is never read).
 */
#include "sql/optimizer/optimizer_int.h"

typedef struct folder {
    tn_sql_engine *engine;
    tn_arena *arena;
    tn_plan *plan;
    tn_exec_ctx ctx;
    tn_error scratch; /* errors of folding attempts: they only mean "do not fold" */
    bool ready;
    tn_batch empty; /* one row, no columns: the input constants are evaluated over */
} folder;

/* Functions whose value is fixed for the whole statement although marked volatile. */
static bool statement_constant(const tn_func_entry *f)
{
    static const char *const names[] = {"now", "current_timestamp", "current_date", "today"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(f->name, names[i]) == 0) return true;
    return false;
}

static bool is_const(const tn_plan_expr *e)
{
    return e->kind == TN_PLAN_EXPR_CONST;
}

static bool const_true(const tn_plan_expr *e)
{
    return is_const(e) && !e->value.is_null && e->value.type.id == TN_TYPE_BOOLEAN && e->value.b;
}

static bool const_false(const tn_plan_expr *e)
{
    return is_const(e) && !e->value.is_null && e->value.type.id == TN_TYPE_BOOLEAN && !e->value.b;
}

static bool const_null(const tn_plan_expr *e)
{
    return is_const(e) && (e->value.is_null || e->value.type.id == TN_TYPE_INVALID);
}

/* Types the evaluator can hold in a vector. */
static bool vector_type(tn_type t)
{
    return t.id != TN_TYPE_INVALID && t.id != TN_PLAN_TYPE_INTERVAL;
}

static void make_const(tn_plan_expr *e, const tn_plan_value *v)
{
    e->kind = TN_PLAN_EXPR_CONST;
    e->value = *v;
}

static void make_bool(tn_plan_expr *e, bool b)
{
    tn_plan_value v;
    memset(&v, 0, sizeof v);
    v.type = tn_type_make(TN_TYPE_BOOLEAN);
    v.b = b;
    make_const(e, &v);
}

static void make_null(tn_plan_expr *e)
{
    tn_plan_value v;
    memset(&v, 0, sizeof v);
    v.type = e->type;
    v.is_null = true;
    make_const(e, &v);
}

/* Evaluates a node whose operands are all constants; replaces it by the value. Leaves it
 * alone when evaluation fails (the error belongs to run time) or the type has no vector. */
static int evaluate(folder *f, tn_plan_expr *e)
{
    if (!vector_type(e->type) || e->slot >= f->plan->slot_count) return 0;
    if (!f->ready) {
        memset(&f->ctx, 0, sizeof f->ctx);
        f->ctx.engine = f->engine;
        f->ctx.arena = f->arena;
        f->ctx.plan = f->plan;
        f->ctx.err = &f->scratch;
        f->ctx.now_us = f->plan->now_us;
        f->ctx.sqlite_compat = f->engine ? f->engine->options.sqlite_compat : false;
        if (tn_exec_eval_init(&f->ctx.eval, &f->ctx) != 0) return TN_ENOMEM;
        if (tn_exec_const_input_init(&f->empty) != 0) return TN_ENOMEM;
        f->ready = true;
    }
    tn_exec_arg a;
    memset(&f->scratch, 0, sizeof f->scratch);
    if (tn_exec_eval_const(&f->ctx.eval, &f->empty, e, &a) != 0) {
        memset(&f->scratch, 0, sizeof f->scratch);
        return 0;
    }
    if (!tn_type_eq(a.vec->type, e->type)) return 0;
    tn_plan_value v;
    if (tn_exec_value_from_vector(f->arena, a.vec, a.sel[0], &v) != 0) return TN_ENOMEM;
    v.type = e->type;
    make_const(e, &v);
    /* the node keeps its slot as a constant: an operator above evaluating it initialises the
     * slot afresh, so release what the evaluation left there */
    tn_vector_destroy(&f->ctx.eval.slots[e->slot]);
    tn_vector_destroy(&f->ctx.eval.aux[e->slot]);
    f->ctx.eval.ready[e->slot] = 0;
    return 0;
}

#define MICROS_PER_DAY INT64_C(86400000000)

/* A DATE compared with a constant TIMESTAMP(TZ) is bound as CAST(d AS TIMESTAMP) op t: a cast
 * per row, and a filter the scan cannot prune row groups with. The cast is d's midnight
 * (tarn has no session time zone), so with t = day0 + rem (0 <= rem < one day) the
 * comparison is one on d against day0:
 *   rem = 0:  d op day0 for every op
 *   rem > 0:  d < t and d <= t are d <= day0; d > t and d >= t are d > day0;
 *             d IS DISTINCT FROM t is TRUE, IS NOT DISTINCT FROM is FALSE;
 *             = and <> stay as they are (FALSE/TRUE, but NULL for a NULL d).
 * The one difference: a date past year 294276, whose cast fails, now compares. */
static int date_compare(folder *f, tn_plan_expr *e)
{
    static const tn_plan_cmp mirrored[] = {
        [TN_PLAN_CMP_EQ] = TN_PLAN_CMP_EQ, [TN_PLAN_CMP_NE] = TN_PLAN_CMP_NE,
        [TN_PLAN_CMP_LT] = TN_PLAN_CMP_GT, [TN_PLAN_CMP_LE] = TN_PLAN_CMP_GE,
        [TN_PLAN_CMP_GT] = TN_PLAN_CMP_LT, [TN_PLAN_CMP_GE] = TN_PLAN_CMP_LE,
        [TN_PLAN_CMP_DISTINCT] = TN_PLAN_CMP_DISTINCT,
        [TN_PLAN_CMP_NOT_DISTINCT] = TN_PLAN_CMP_NOT_DISTINCT};
    tn_plan_expr *cast = e->compare.left, *value = e->compare.right;
    tn_plan_cmp op = e->compare.op;
    if (cast->kind != TN_PLAN_EXPR_CAST) {
        cast = e->compare.right;
        value = e->compare.left;
        op = mirrored[op];
    }
    if (cast->kind != TN_PLAN_EXPR_CAST || cast->cast.try_cast || !is_const(value) ||
        value->value.is_null ||
        (cast->type.id != TN_TYPE_TIMESTAMP && cast->type.id != TN_TYPE_TIMESTAMPTZ) ||
        value->value.type.id != cast->type.id || cast->cast.operand->type.id != TN_TYPE_DATE)
        return 0;
    int64_t t = value->value.i64, day0 = t / MICROS_PER_DAY;
    if (t % MICROS_PER_DAY < 0) day0--;
    bool midnight = t == day0 * MICROS_PER_DAY;
    if (!midnight) {
        switch (op) {
        case TN_PLAN_CMP_LT: op = TN_PLAN_CMP_LE; break;
        case TN_PLAN_CMP_GE: op = TN_PLAN_CMP_GT; break;
        case TN_PLAN_CMP_LE:
        case TN_PLAN_CMP_GT: break;
        case TN_PLAN_CMP_DISTINCT: make_bool(e, true); return 0;
        case TN_PLAN_CMP_NOT_DISTINCT: make_bool(e, false); return 0;
        default: return 0;
        }
    }
    tn_plan_expr *day = tn_plan_expr_new(f->arena, f->plan, TN_PLAN_EXPR_CONST,
                                         tn_type_make(TN_TYPE_DATE));
    if (!day) return TN_ENOMEM;
    day->pos = value->pos;
    memset(&day->value, 0, sizeof day->value);
    day->value.type = day->type;
    day->value.i32 = (int32_t)day0;
    e->compare.op = op;
    e->compare.left = cast->cast.operand;
    e->compare.right = day;
    return 0;
}

static int fold(folder *f, tn_plan_expr **slot);

static int fold_list(folder *f, tn_plan_expr **list, uint32_t count, bool *all_const)
{
    *all_const = true;
    for (uint32_t i = 0; i < count; i++) {
        int rc = fold(f, &list[i]);
        if (rc) return rc;
        *all_const &= is_const(list[i]);
    }
    return 0;
}

/* Replaces *slot by one of its operands, which inherits the select item's name. */
static void replace(tn_plan_expr **slot, tn_plan_expr *by)
{
    if (!by->name) by->name = (*slot)->name;
    *slot = by;
}

static int fold_logical(folder *f, tn_plan_expr **slot)
{
    tn_plan_expr *e = *slot;
    bool is_and = e->kind == TN_PLAN_EXPR_AND, all_const;
    int rc = fold_list(f, e->logical.operands, e->logical.count, &all_const);
    if (rc) return rc;
    uint32_t kept = 0;
    bool null_kept = false;
    for (uint32_t i = 0; i < e->logical.count; i++) {
        tn_plan_expr *o = e->logical.operands[i];
        if (is_and ? const_false(o) : const_true(o)) {
            make_bool(e, !is_and);
            return 0;
        }
        if (is_and ? const_true(o) : const_false(o)) continue;
        if (const_null(o)) {
            if (null_kept) continue;
            null_kept = true;
        }
        e->logical.operands[kept++] = o;
    }
    e->logical.count = kept;
    if (kept == 0) {
        make_bool(e, is_and);
        return 0;
    }
    if (kept == 1 && e->logical.operands[0]->type.id == TN_TYPE_BOOLEAN) {
        replace(slot, e->logical.operands[0]);
        return 0;
    }
    if (kept == 1 && const_null(e->logical.operands[0])) {
        make_null(e);
        return 0;
    }
    return 0;
}

static int fold_case(folder *f, tn_plan_expr **slot)
{
    tn_plan_expr *e = *slot;
    bool all_const;
    int rc;
    uint32_t kept = 0;
    for (uint32_t w = 0; w < e->case_expr.when_count; w++) {
        if ((rc = fold(f, &e->case_expr.conditions[w])) != 0) return rc;
        tn_plan_expr *c = e->case_expr.conditions[w];
        if (const_false(c) || const_null(c))
            continue; /* never taken: its result is never evaluated */
        if (const_true(c)) {
            /* always taken when reached: it is the ELSE of what remains */
            e->case_expr.else_result = e->case_expr.results[w];
            break;
        }
        e->case_expr.conditions[kept] = c;
        e->case_expr.results[kept++] = e->case_expr.results[w];
    }
    e->case_expr.when_count = kept;
    if ((rc = fold_list(f, e->case_expr.results, kept, &all_const)) != 0) return rc;
    if (e->case_expr.else_result && (rc = fold(f, &e->case_expr.else_result)) != 0) return rc;
    if (kept == 0) {
        if (!e->case_expr.else_result)
            make_null(e);
        else if (tn_type_eq(e->case_expr.else_result->type, e->type))
            replace(slot, e->case_expr.else_result);
        return 0;
    }
    return 0;
}

static int fold_coalesce(folder *f, tn_plan_expr **slot)
{
    tn_plan_expr *e = *slot;
    bool all_const;
    int rc = fold_list(f, e->logical.operands, e->logical.count, &all_const);
    if (rc) return rc;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < e->logical.count; i++) {
        tn_plan_expr *o = e->logical.operands[i];
        if (const_null(o)) continue;
        e->logical.operands[kept++] = o;
        if (is_const(o)) break; /* never NULL: later operands are never reached */
    }
    e->logical.count = kept;
    if (kept == 0)
        make_null(e);
    else if (kept == 1 && tn_type_eq(e->logical.operands[0]->type, e->type))
        replace(slot, e->logical.operands[0]);
    return 0;
}

static int fold(folder *f, tn_plan_expr **slot)
{
    tn_plan_expr *e = *slot;
    bool all_const = true, c2;
    int rc = 0;
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST:
    case TN_PLAN_EXPR_COLUMN:
        return 0;
    case TN_PLAN_EXPR_CALL:
        if ((rc = fold_list(f, e->call.args, e->call.arg_count, &all_const)) != 0) return rc;
        if (e->call.func->volatile_result && !statement_constant(e->call.func)) return 0;
        for (uint32_t i = 0; i < e->call.arg_count; i++)
            all_const &= vector_type(e->call.args[i]->type) || const_null(e->call.args[i]);
        break;
    case TN_PLAN_EXPR_CAST:
        if ((rc = fold(f, &e->cast.operand)) != 0) return rc;
        all_const = is_const(e->cast.operand) && e->cast.operand->type.id != TN_PLAN_TYPE_INTERVAL;
        break;
    case TN_PLAN_EXPR_CASE:
        return fold_case(f, slot);
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
        return fold_logical(f, slot);
    case TN_PLAN_EXPR_COALESCE:
        return fold_coalesce(f, slot);
    case TN_PLAN_EXPR_NOT:
        if ((rc = fold(f, &e->unary.operand)) != 0) return rc;
        all_const = is_const(e->unary.operand);
        break;
    case TN_PLAN_EXPR_IS_NULL:
        if ((rc = fold(f, &e->is_null.operand)) != 0) return rc;
        all_const = is_const(e->is_null.operand);
        break;
    case TN_PLAN_EXPR_IS_BOOL:
        if ((rc = fold(f, &e->is_bool.operand)) != 0) return rc;
        all_const = is_const(e->is_bool.operand);
        break;
    case TN_PLAN_EXPR_COMPARE:
        if ((rc = fold(f, &e->compare.left)) != 0 || (rc = fold(f, &e->compare.right)) != 0)
            return rc;
        all_const = is_const(e->compare.left) && is_const(e->compare.right);
        if (!all_const) return date_compare(f, e);
        break;
    case TN_PLAN_EXPR_IN_LIST:
        if ((rc = fold(f, &e->in_list.operand)) != 0 ||
            (rc = fold_list(f, e->in_list.items, e->in_list.count, &c2)) != 0)
            return rc;
        all_const = is_const(e->in_list.operand) && c2;
        break;
    case TN_PLAN_EXPR_IN_QUERY:
        return e->subquery.operand ? fold(f, &e->subquery.operand) : 0;
    default:
        return 0; /* subqueries: their plans are folded on their own */
    }
    if (!all_const) return 0;
    return evaluate(f, e);
}

static int fold_op(folder *f, tn_plan_op **slot);

static int fold_subplan(void *ctx, tn_plan_op **root)
{
    return fold_op(ctx, root);
}

static int fold_op(folder *f, tn_plan_op **slot)
{
    tn_plan_op *op = *slot;
    int rc = 0;
    bool all_const;
    for (uint32_t i = 0; i < op->child_count; i++)
        if ((rc = fold_op(f, &op->children[i])) != 0) return rc;
    switch (op->kind) {
    case TN_PLAN_SCAN:
        rc = fold_list(f, op->scan.filters, op->scan.filter_count, &all_const);
        break;
    case TN_PLAN_FILTER:
        if ((rc = fold(f, &op->filter.condition)) != 0) return rc;
        if (const_true(op->filter.condition)) {
            *slot = op->children[0];
            return 0;
        }
        if (const_false(op->filter.condition) || const_null(op->filter.condition)) {
            /* nothing passes: an empty VALUES of the same columns, the input never runs */
            op->kind = TN_PLAN_VALUES;
            op->child_count = 0;
            op->children[0] = NULL;
            memset(&op->values, 0, sizeof op->values);
            op->estimated_rows = 0;
            return 0;
        }
        break;
    case TN_PLAN_PROJECT:
        rc = fold_list(f, op->project.exprs, op->column_count, &all_const);
        break;
    case TN_PLAN_AGGREGATE:
        rc = fold_list(f, op->aggregate.groups, op->aggregate.group_count, &all_const);
        for (uint32_t i = 0; i < op->aggregate.agg_count && rc == 0; i++) {
            if (op->aggregate.aggs[i].arg) rc = fold(f, &op->aggregate.aggs[i].arg);
            if (rc == 0 && op->aggregate.aggs[i].filter)
                rc = fold(f, &op->aggregate.aggs[i].filter);
        }
        break;
    case TN_PLAN_JOIN:
        if ((rc = fold_list(f, op->join.left_keys, op->join.key_count, &all_const)) != 0 ||
            (rc = fold_list(f, op->join.right_keys, op->join.key_count, &all_const)) != 0)
            return rc;
        if (op->join.residual && (rc = fold(f, &op->join.residual)) != 0) return rc;
        if (op->join.residual && const_true(op->join.residual)) op->join.residual = NULL;
        break;
    case TN_PLAN_SORT:
        for (uint32_t i = 0; i < op->sort.key_count && rc == 0; i++)
            rc = fold(f, &op->sort.keys[i].expr);
        break;
    case TN_PLAN_VALUES:
        for (uint32_t r = 0; r < op->values.row_count && rc == 0; r++)
            rc = fold_list(f, op->values.rows[r], op->column_count, &all_const);
        break;
    case TN_PLAN_CTE_REF:
        if (op->cte_ref.query) rc = fold_op(f, &op->cte_ref.query);
        break;
    default:
        break;
    }
    if (rc) return rc;
    return tn_opt_for_each_subplan(op, fold_subplan, f);
}

int tn_opt_fold_constants(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan, tn_plan_op **root,
                          tn_error *err)
{
    folder f;
    memset(&f, 0, sizeof f);
    f.engine = engine;
    f.arena = arena;
    f.plan = plan;
    if (plan->now_us == 0) plan->now_us = tn_now_us();
    int rc = fold_op(&f, root);
    if (f.ready) {
        tn_exec_eval_free(&f.ctx.eval);
        tn_exec_const_input_free(&f.empty);
    }
    if (rc) return tn_error_set(err, rc, "out of memory while folding constants");
    return 0;
}
