/* SPDX-License-Identifier: Apache-2.0
 *
 * The common sub-expression rule (optimizer/common_subexpressions.c) on bound plans: the
 * projection it puts below an aggregate computes the shared expression once with exactly the
 * type the expression had (DECIMAL precision and scale), every use reads that column, and the
 * plan's expression slots stay unique. Uses that only some rows reach (FILTER arguments, CASE
 * branches) are not a reason to compute a value on every row.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sql/sql_int.h"
#include "sql/parser/parser.h"

static tn_sql_engine *engine;
static tn_arena arena;

static int ignore(void *ctx, uint32_t stmt_idx, tn_sql_result *r)
{
    (void)ctx;
    (void)stmt_idx;
    (void)r;
    return 0;
}

static void setup(void)
{
    tn_error err = {0};
    tn_sql_engine_options o = {0};
    o.threads = 1;
    cr_assert_eq(tn_sql_engine_open(&o, &engine, &err), 0);
    const char *sql = "CREATE TABLE t(g INTEGER, s VARCHAR, a DECIMAL(12,2), b DECIMAL(4,3), "
                      "c DECIMAL(4,2), x DOUBLE)";
    cr_assert_eq(tn_sql_execute(engine, sql, strlen(sql), ignore, NULL, &err), 0, "%s",
                 err.message);
    tn_arena_init(&arena, 1 << 16);
}

static void teardown(void)
{
    tn_arena_free(&arena);
    tn_sql_engine_close(engine);
}

/* Binds sql; *before gets the plan before the optimizer, the result is after it. */
static tn_plan_op *plan_of(const char *sql, tn_plan *plan, tn_plan_op **bound)
{
    tn_error err = {0};
    tn_sql_stmt_list list;
    cr_assert_eq(tn_sql_parse(&arena, sql, strlen(sql), &list, &err), 0, "%s", err.message);
    cr_assert_eq(list.count, 1);
    memset(plan, 0, sizeof *plan);
    tn_plan_op *root;
    cr_assert_eq(tn_bind_query(engine, &arena, plan, list.items[0]->query, &root, &err), 0, "%s",
                 err.message);
    *bound = root;
    return root;
}

static tn_plan_op *optimize(tn_plan *plan, tn_plan_op *root)
{
    tn_error err = {0};
    cr_assert_eq(tn_optimize(engine, &arena, plan, &root, &err), 0, "%s", err.message);
    return root;
}

static tn_plan_op *find(tn_plan_op *op, tn_plan_op_kind kind)
{
    if (op->kind == kind) return op;
    for (uint32_t i = 0; i < op->child_count; i++) {
        tn_plan_op *f = find(op->children[i], kind);
        if (f) return f;
    }
    return NULL;
}

/* Marks the slots of e's nodes; fails on a slot seen twice or out of range. */
static void mark_slots(const tn_plan_expr *e, uint8_t *seen, uint32_t slot_count)
{
    if (!e) return;
    cr_assert_lt(e->slot, slot_count);
    cr_assert_eq(seen[e->slot], 0, "slot %u used twice", e->slot);
    seen[e->slot] = 1;
    switch (e->kind) {
    case TN_PLAN_EXPR_CALL:
        for (uint32_t i = 0; i < e->call.arg_count; i++)
            mark_slots(e->call.args[i], seen, slot_count);
        break;
    case TN_PLAN_EXPR_CAST:
        mark_slots(e->cast.operand, seen, slot_count);
        break;
    default:
        break;
    }
}

static void mark_op_slots(const tn_plan_op *op, uint8_t *seen, uint32_t slot_count)
{
    if (op->kind == TN_PLAN_PROJECT)
        for (uint32_t i = 0; i < op->column_count; i++)
            mark_slots(op->project.exprs[i], seen, slot_count);
    if (op->kind == TN_PLAN_AGGREGATE) {
        for (uint32_t k = 0; k < op->aggregate.group_count; k++)
            mark_slots(op->aggregate.groups[k], seen, slot_count);
        for (uint32_t a = 0; a < op->aggregate.agg_count; a++) {
            mark_slots(op->aggregate.aggs[a].arg, seen, slot_count);
            mark_slots(op->aggregate.aggs[a].filter, seen, slot_count);
        }
    }
    for (uint32_t i = 0; i < op->child_count; i++) mark_op_slots(op->children[i], seen, slot_count);
}

TestSuite(cse, .init = setup, .fini = teardown);

Test(cse, q1_shape_shares_the_decimal_product_with_its_exact_type)
{
    tn_plan plan;
    tn_plan_op *bound;
    plan_of("SELECT g, sum(a * (1 - b)), sum(a * (1 - b) * (1 + c)), avg(a * (1 - b)) FROM t "
            "GROUP BY g",
            &plan, &bound);
    tn_plan_op *agg = find(bound, TN_PLAN_AGGREGATE);
    cr_assert_not_null(agg);
    tn_type shared = agg->aggregate.aggs[0].arg->type; /* a * (1 - b) as bound */
    cr_assert_eq(shared.id, TN_TYPE_DECIMAL);
    tn_type charge = agg->aggregate.aggs[1].arg->type;
    tn_type sums[3];
    for (int i = 0; i < 3; i++) sums[i] = agg->aggregate.aggs[i].type;

    tn_plan_op *root = optimize(&plan, bound);
    agg = find(root, TN_PLAN_AGGREGATE);
    tn_plan_op *proj = agg->children[0];
    cr_assert_eq(proj->kind, TN_PLAN_PROJECT);
    /* g and c pass on, a and b are only read by the shared product */
    cr_assert_eq(proj->column_count, 3);
    uint32_t col = proj->column_count - 1;
    cr_assert(tn_type_eq(proj->columns[col].type, shared));
    cr_assert(tn_type_eq(proj->project.exprs[col]->type, shared));
    cr_assert_eq(proj->project.exprs[col]->kind, TN_PLAN_EXPR_CALL);
    /* the uses read the column: sum's and avg's whole argument, and inside the product */
    cr_assert_eq(agg->aggregate.aggs[0].arg->kind, TN_PLAN_EXPR_COLUMN);
    cr_assert_eq(agg->aggregate.aggs[0].arg->column, col);
    cr_assert_eq(agg->aggregate.aggs[2].arg->kind, TN_PLAN_EXPR_COLUMN);
    cr_assert_eq(agg->aggregate.aggs[2].arg->column, col);
    const tn_plan_expr *prod = agg->aggregate.aggs[1].arg;
    cr_assert_eq(prod->kind, TN_PLAN_EXPR_CALL);
    cr_assert(tn_type_eq(prod->type, charge));
    cr_assert_eq(prod->call.args[0]->kind, TN_PLAN_EXPR_COLUMN);
    cr_assert_eq(prod->call.args[0]->column, col);
    for (int i = 0; i < 3; i++) cr_assert(tn_type_eq(agg->aggregate.aggs[i].type, sums[i]));

    uint8_t *seen = tn_arena_calloc(&arena, plan.slot_count + 1);
    mark_op_slots(root, seen, plan.slot_count);
}

Test(cse, filtered_uses_alone_are_not_computed_on_every_row)
{
    tn_plan plan;
    tn_plan_op *bound;
    plan_of("SELECT sum(a * (1 - b)) FILTER (WHERE g = 1), max(a * (1 - b)) FILTER (WHERE g = 2) "
            "FROM t",
            &plan, &bound);
    tn_plan_op *root = optimize(&plan, bound);
    tn_plan_op *agg = find(root, TN_PLAN_AGGREGATE);
    cr_assert_neq(agg->children[0]->kind, TN_PLAN_PROJECT);
    cr_assert_eq(agg->aggregate.aggs[0].arg->kind, TN_PLAN_EXPR_CALL);
}

Test(cse, one_unfiltered_use_shares_with_the_filtered_ones)
{
    tn_plan plan;
    tn_plan_op *bound;
    plan_of("SELECT sum(a * (1 - b)) FILTER (WHERE g = 1), max(a * (1 - b)), "
            "min(a * (1 - b)) FILTER (WHERE g = 2) FROM t",
            &plan, &bound);
    tn_plan_op *root = optimize(&plan, bound);
    tn_plan_op *agg = find(root, TN_PLAN_AGGREGATE);
    cr_assert_eq(agg->children[0]->kind, TN_PLAN_PROJECT);
    for (uint32_t a = 0; a < 3; a++)
        cr_assert_eq(agg->aggregate.aggs[a].arg->kind, TN_PLAN_EXPR_COLUMN);
    cr_assert_not_null(agg->aggregate.aggs[0].filter);
}

Test(cse, a_guarded_branch_is_not_hoisted)
{
    tn_plan plan;
    tn_plan_op *bound;
    plan_of("SELECT sum(CASE WHEN b = 0 THEN 0 ELSE a / b END), "
            "max(CASE WHEN b = 0 THEN NULL ELSE a / b END) FROM t",
            &plan, &bound);
    tn_plan_op *root = optimize(&plan, bound);
    tn_plan_op *agg = find(root, TN_PLAN_AGGREGATE);
    tn_plan_op *in = agg->children[0];
    /* the guard itself may be shared (every row evaluates it); the division may not */
    if (in->kind == TN_PLAN_PROJECT)
        for (uint32_t i = 0; i < in->column_count; i++) {
            const tn_plan_expr *e = in->project.exprs[i];
            cr_assert(e->kind != TN_PLAN_EXPR_CALL || strcmp(e->call.func->name, "/") != 0);
        }
}

Test(cse, nothing_shared_leaves_the_plan_alone)
{
    tn_plan plan;
    tn_plan_op *bound;
    plan_of("SELECT g, sum(a * b), sum(a * c) FROM t GROUP BY g", &plan, &bound);
    tn_plan_op *root = optimize(&plan, bound);
    tn_plan_op *agg = find(root, TN_PLAN_AGGREGATE);
    cr_assert_eq(agg->children[0]->kind, TN_PLAN_SCAN);
}
