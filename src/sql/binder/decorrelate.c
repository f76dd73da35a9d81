/* SPDX-License-Identifier: Apache-2.0
 *
 * Decorrelation: correlated subqueries (those with params, plan.h) of the common shapes become
 * joins at bind time, so they run once instead of once per distinct outer value:
 *
 *   WHERE [NOT] EXISTS (SELECT .. FROM x WHERE corr AND rest)
 *       -> SEMI (ANTI) JOIN (Filter rest <- x) ON corr
 *   WHERE v IN (SELECT e FROM x WHERE corr AND rest)
 *       -> SEMI JOIN (Filter rest <- x) ON corr AND v = e
 *   WHERE v NOT IN (...)
 *       -> ANTI JOIN ... ON corr AND (v = e) IS NOT FALSE    (a NULL on either side excludes)
 *   (SELECT f(agg) FROM x WHERE i1 = o1 AND ... AND rest)      (no GROUP BY, equalities only)
 *       -> LEFT JOIN (Aggregate agg GROUP BY i1.. <- Filter rest <- x) ON o1 = i1 ..,
 *          the value f(agg) over the joined row with COUNT read as COALESCE(count, 0)
 *
 * Outer references in the moved expressions are replaced by their sources (over the left
 * side) and inner columns shift past the left side's columns. Anything else keeps its
 * subquery, which the evaluator runs once per distinct tuple of param values.
 */
#include "sql/binder/binder_int.h"

static int oom(tn_binder *b)
{
    return tn_error_set(b->err, TN_ENOMEM, "out of memory");
}

static tn_plan_expr *new_expr(tn_binder *b, tn_plan_expr_kind kind, tn_type type)
{
    tn_plan_expr *e = tn_plan_expr_new(b->arena, b->plan, kind, type);
    if (!e)
        oom(b);
    return e;
}

/* ---- walking expressions and operators --------------------------------------------------- */

/* What an expression reads at its own level: nested subqueries count through their params'
 * sources and IN operand (their plans are another level). */
enum { USES_OUTER = 1, USES_COLUMN = 2, USES_CORRELATED = 4 };

static int expr_uses(const tn_plan_expr *e);

static int list_uses(tn_plan_expr *const *items, uint32_t count)
{
    int u = 0;
    for (uint32_t i = 0; i < count; i++)
        u |= expr_uses(items[i]);
    return u;
}

static int expr_uses(const tn_plan_expr *e)
{
    if (!e)
        return 0;
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST: return 0;
    case TN_PLAN_EXPR_COLUMN: return USES_COLUMN;
    case TN_PLAN_EXPR_OUTER: return USES_OUTER;
    case TN_PLAN_EXPR_CALL: return list_uses(e->call.args, e->call.arg_count);
    case TN_PLAN_EXPR_CAST: return expr_uses(e->cast.operand);
    case TN_PLAN_EXPR_CASE:
        return list_uses(e->case_expr.conditions, e->case_expr.when_count) |
               list_uses(e->case_expr.results, e->case_expr.when_count) |
               expr_uses(e->case_expr.else_result);
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE: return list_uses(e->logical.operands, e->logical.count);
    case TN_PLAN_EXPR_NOT: return expr_uses(e->unary.operand);
    case TN_PLAN_EXPR_IS_NULL: return expr_uses(e->is_null.operand);
    case TN_PLAN_EXPR_IS_BOOL: return expr_uses(e->is_bool.operand);
    case TN_PLAN_EXPR_COMPARE: return expr_uses(e->compare.left) | expr_uses(e->compare.right);
    case TN_PLAN_EXPR_IN_LIST:
        return expr_uses(e->in_list.operand) | list_uses(e->in_list.items, e->in_list.count);
    case TN_PLAN_EXPR_SUBQUERY:
    case TN_PLAN_EXPR_IN_QUERY:
    case TN_PLAN_EXPR_EXISTS: {
        int u = expr_uses(e->subquery.operand);
        for (uint32_t i = 0; i < e->subquery.param_count; i++)
            u |= expr_uses(e->subquery.params[i]->source);
        return u | (e->subquery.param_count ? USES_CORRELATED : 0);
    }
    }
    return USES_OUTER | USES_COLUMN; /* unknown: assume the worst */
}

/* Whether anything in the operator tree reads an outer value of this level. */
static bool op_uses_outer(const tn_plan_op *op)
{
    int u = 0;
    switch (op->kind) {
    case TN_PLAN_SCAN: u = list_uses(op->scan.filters, op->scan.filter_count); break;
    case TN_PLAN_FILTER: u = expr_uses(op->filter.condition); break;
    case TN_PLAN_PROJECT: u = list_uses(op->project.exprs, op->column_count); break;
    case TN_PLAN_AGGREGATE:
        u = list_uses(op->aggregate.groups, op->aggregate.group_count);
        for (uint32_t i = 0; i < op->aggregate.agg_count; i++)
            u |= expr_uses(op->aggregate.aggs[i].arg) | expr_uses(op->aggregate.aggs[i].filter);
        break;
    case TN_PLAN_JOIN:
        u = list_uses(op->join.left_keys, op->join.key_count) |
            list_uses(op->join.right_keys, op->join.key_count) | expr_uses(op->join.residual);
        break;
    case TN_PLAN_SORT:
        for (uint32_t i = 0; i < op->sort.key_count; i++)
            u |= expr_uses(op->sort.keys[i].expr);
        break;
    case TN_PLAN_VALUES:
        for (uint32_t r = 0; r < op->values.row_count; r++)
            u |= list_uses(op->values.rows[r], op->column_count);
        break;
    case TN_PLAN_CTE_REF:
        if (op->cte_ref.query && op_uses_outer(op->cte_ref.query))
            return true;
        break;
    default: break;
    }
    if (u & USES_OUTER)
        return true;
    for (uint32_t i = 0; i < op->child_count; i++)
        if (op_uses_outer(op->children[i]))
            return true;
    return false;
}

/* ---- copying expressions to the joined level --------------------------------------------- */

typedef struct copy_map {
    uint32_t shift;            /* added to every column index */
    const tn_plan_agg *counts; /* when set: column c is aggregate c, COUNTs read 0 for NULL */
    uint32_t agg_count;
} copy_map;

static int copy_expr(tn_binder *b, const tn_plan_expr *e, const copy_map *m, tn_plan_expr **out);

static int copy_list(tn_binder *b, tn_plan_expr *const *items, uint32_t count, const copy_map *m,
                     tn_plan_expr ***out)
{
    tn_plan_expr **c = tn_arena_calloc(b->arena, (count + 1) * sizeof *c);
    if (!c)
        return oom(b);
    for (uint32_t i = 0; i < count; i++) {
        int rc = copy_expr(b, items[i], m, &c[i]);
        if (rc)
            return rc;
    }
    *out = c;
    return 0;
}

/* A copy of e (fresh slots) with columns shifted and outer references replaced by copies of
 * their sources (which are over the left side, so not shifted). Nested subqueries keep their
 * plans; their params' sources move to the new level. */
static int copy_expr(tn_binder *b, const tn_plan_expr *e, const copy_map *m, tn_plan_expr **out)
{
    int rc = 0;
    if (!e) {
        *out = NULL;
        return 0;
    }
    if (e->kind == TN_PLAN_EXPR_OUTER) {
        const tn_plan_expr *src = e->outer.param->source;
        tn_plan_expr *c = new_expr(b, src->kind, src->type);
        if (!c)
            return TN_ENOMEM;
        uint32_t slot = c->slot;
        *c = *src;
        c->slot = slot;
        *out = c;
        return 0;
    }
    tn_plan_expr *c = new_expr(b, e->kind, e->type);
    if (!c)
        return TN_ENOMEM;
    uint32_t slot = c->slot;
    *c = *e;
    c->slot = slot;
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST:
    case TN_PLAN_EXPR_OUTER: break;
    case TN_PLAN_EXPR_COLUMN:
        c->column = e->column + m->shift;
        if (m->counts && e->column < m->agg_count &&
            (m->counts[e->column].kind == TN_PLAN_AGG_COUNT ||
             m->counts[e->column].kind == TN_PLAN_AGG_COUNT_STAR)) {
            /* no group joined: the aggregate over no rows, COUNT = 0 */
            tn_plan_expr *zero = new_expr(b, TN_PLAN_EXPR_CONST, c->type);
            tn_plan_expr *co = new_expr(b, TN_PLAN_EXPR_COALESCE, c->type);
            tn_plan_expr **ops = tn_arena_calloc(b->arena, 2 * sizeof *ops);
            if (!zero || !co || !ops)
                return oom(b);
            zero->value.type = c->type;
            zero->value.i64 = 0;
            ops[0] = c;
            ops[1] = zero;
            co->logical.operands = ops;
            co->logical.count = 2;
            co->pos = e->pos;
            c = co;
        }
        break;
    case TN_PLAN_EXPR_CALL:
        rc = copy_list(b, e->call.args, e->call.arg_count, m, &c->call.args);
        break;
    case TN_PLAN_EXPR_CAST: rc = copy_expr(b, e->cast.operand, m, &c->cast.operand); break;
    case TN_PLAN_EXPR_CASE:
        if ((rc = copy_list(b, e->case_expr.conditions, e->case_expr.when_count, m,
                            &c->case_expr.conditions)) == 0 &&
            (rc = copy_list(b, e->case_expr.results, e->case_expr.when_count, m,
                            &c->case_expr.results)) == 0)
            rc = copy_expr(b, e->case_expr.else_result, m, &c->case_expr.else_result);
        break;
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE:
        rc = copy_list(b, e->logical.operands, e->logical.count, m, &c->logical.operands);
        break;
    case TN_PLAN_EXPR_NOT: rc = copy_expr(b, e->unary.operand, m, &c->unary.operand); break;
    case TN_PLAN_EXPR_IS_NULL: rc = copy_expr(b, e->is_null.operand, m, &c->is_null.operand); break;
    case TN_PLAN_EXPR_IS_BOOL: rc = copy_expr(b, e->is_bool.operand, m, &c->is_bool.operand); break;
    case TN_PLAN_EXPR_COMPARE:
        if ((rc = copy_expr(b, e->compare.left, m, &c->compare.left)) == 0)
            rc = copy_expr(b, e->compare.right, m, &c->compare.right);
        break;
    case TN_PLAN_EXPR_IN_LIST:
        if ((rc = copy_expr(b, e->in_list.operand, m, &c->in_list.operand)) == 0)
            rc = copy_list(b, e->in_list.items, e->in_list.count, m, &c->in_list.items);
        break;
    case TN_PLAN_EXPR_SUBQUERY:
    case TN_PLAN_EXPR_IN_QUERY:
    case TN_PLAN_EXPR_EXISTS:
        rc = copy_expr(b, e->subquery.operand, m, &c->subquery.operand);
        /* the original expression is dropped, so its params can move with the copy */
        for (uint32_t i = 0; rc == 0 && i < e->subquery.param_count; i++)
            rc = copy_expr(b, e->subquery.params[i]->source, m, &e->subquery.params[i]->source);
        break;
    }
    *out = c;
    return rc;
}

/* ---- building operators ------------------------------------------------------------------ */

static tn_plan_expr *make_and(tn_binder *b, tn_plan_expr **conj, uint32_t n)
{
    if (n == 1)
        return conj[0];
    tn_plan_expr *e = new_expr(b, TN_PLAN_EXPR_AND, tn_type_make(TN_TYPE_BOOLEAN));
    if (!e)
        return NULL;
    e->logical.operands = conj;
    e->logical.count = n;
    return e;
}

static int add_filter(tn_binder *b, tn_plan_op **op, tn_plan_expr *cond)
{
    tn_plan_op *f = tn_plan_op_new(b->arena, TN_PLAN_FILTER, (*op)->column_count);
    if (!f)
        return oom(b);
    memcpy(f->columns, (*op)->columns, (*op)->column_count * sizeof *f->columns);
    f->children[0] = *op;
    f->child_count = 1;
    f->filter.condition = cond;
    f->estimated_rows = (*op)->estimated_rows;
    *op = f;
    return 0;
}

static tn_plan_op *make_join(tn_binder *b, tn_plan_join_type type, tn_plan_op *l, tn_plan_op *r)
{
    bool semi = type == TN_PLAN_JOIN_SEMI || type == TN_PLAN_JOIN_ANTI;
    uint32_t n = l->column_count + (semi ? 0 : r->column_count);
    tn_plan_op *j = tn_plan_op_new(b->arena, TN_PLAN_JOIN, n);
    if (!j)
        return NULL;
    j->children[0] = l;
    j->children[1] = r;
    j->child_count = 2;
    j->join.type = type;
    memcpy(j->columns, l->columns, l->column_count * sizeof *j->columns);
    if (!semi)
        memcpy(j->columns + l->column_count, r->columns, r->column_count * sizeof *j->columns);
    for (uint32_t i = semi ? n : l->column_count; i < n; i++)
        j->columns[i].nullable = true;
    j->estimated_rows = l->estimated_rows;
    return j;
}

/* The conjuncts of a condition; a condition that is not an AND is its own one conjunct,
 * kept in *single. */
static void conjuncts(tn_plan_expr *cond, tn_plan_expr ***items, uint32_t *count,
                      tn_plan_expr **single)
{
    if (cond->kind == TN_PLAN_EXPR_AND) {
        *items = cond->logical.operands;
        *count = cond->logical.count;
    } else {
        *single = cond;
        *items = single;
        *count = 1;
    }
}

/* Splits a correlated subquery's WHERE filter: the conjuncts that read outer values (corr)
 * and the rest, which stays under the join as a filter over x. */
static int split_filter(tn_binder *b, tn_plan_op *filter, tn_plan_expr ***corr,
                        uint32_t *corr_count, tn_plan_op **right)
{
    tn_plan_expr **items, *single;
    uint32_t n;
    conjuncts(filter->filter.condition, &items, &n, &single);
    tn_plan_expr **c = tn_arena_calloc(b->arena, (n + 2) * sizeof *c);
    tn_plan_expr **plain = tn_arena_calloc(b->arena, (n + 1) * sizeof *plain);
    if (!c || !plain)
        return oom(b);
    uint32_t cn = 0, pn = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (expr_uses(items[i]) & USES_OUTER)
            c[cn++] = items[i];
        else
            plain[pn++] = items[i];
    }
    *right = filter->children[0];
    if (pn) {
        tn_plan_expr *cond = make_and(b, plain, pn);
        if (!cond)
            return TN_ENOMEM;
        int rc = add_filter(b, right, cond);
        if (rc)
            return rc;
    }
    *corr = c;
    *corr_count = cn;
    return 0;
}

/* ---- [NOT] EXISTS and [NOT] IN ----------------------------------------------------------- */

/* Rewrites the WHERE conjunct `conj` into a semi or anti join over *op when it is a
 * correlated [NOT] EXISTS or [NOT] IN of the shape Project <- Filter <- x. */
static int try_semi_join(tn_binder *b, tn_plan_op **op, tn_plan_expr *conj, bool *done)
{
    *done = false;
    bool negated = false;
    tn_plan_expr *e = conj;
    while (e->kind == TN_PLAN_EXPR_NOT) {
        negated = !negated;
        e = e->unary.operand;
    }
    if ((e->kind != TN_PLAN_EXPR_EXISTS && e->kind != TN_PLAN_EXPR_IN_QUERY) ||
        e->subquery.param_count == 0)
        return 0;
    bool anti = negated != e->subquery.negated;
    bool is_in = e->kind == TN_PLAN_EXPR_IN_QUERY;
    tn_plan_op *q = e->subquery.query;
    /* ORDER BY and DISTINCT do not change which values exist */
    for (;;) {
        if (q->kind == TN_PLAN_SORT) {
            q = q->children[0];
        } else if (q->kind == TN_PLAN_AGGREGATE && q->aggregate.agg_count == 0 &&
                   q->aggregate.group_count == q->column_count &&
                   q->children[0]->kind == TN_PLAN_PROJECT &&
                   q->children[0]->column_count == q->column_count) {
            bool identity = true;
            for (uint32_t i = 0; i < q->aggregate.group_count; i++)
                identity = identity && q->aggregate.groups[i]->kind == TN_PLAN_EXPR_COLUMN &&
                           q->aggregate.groups[i]->column == i;
            if (!identity)
                return 0;
            q = q->children[0];
        } else {
            break;
        }
    }
    if (q->kind != TN_PLAN_PROJECT || q->children[0]->kind != TN_PLAN_FILTER)
        return 0;
    tn_plan_op *filter = q->children[0];
    if (op_uses_outer(filter->children[0]))
        return 0;
    tn_plan_expr *item = is_in ? q->project.exprs[0] : NULL;
    if (item && (expr_uses(item) & USES_CORRELATED))
        return 0;
    tn_plan_expr **corr;
    uint32_t cn;
    tn_plan_op *right;
    int rc = split_filter(b, filter, &corr, &cn, &right);
    if (rc)
        return rc;
    uint32_t shift = (*op)->column_count;
    copy_map m = {shift, NULL, 0};
    for (uint32_t i = 0; i < cn; i++)
        if ((rc = copy_expr(b, corr[i], &m, &corr[i])) != 0)
            return rc;
    if (is_in) {
        tn_plan_expr *inner, *cmp;
        if ((rc = copy_expr(b, item, &m, &inner)) != 0 ||
            (rc = tn_bind_cast(b, inner, e->subquery.operand->type, &inner)) != 0)
            return rc;
        if (!(cmp = new_expr(b, TN_PLAN_EXPR_COMPARE, tn_type_make(TN_TYPE_BOOLEAN))))
            return TN_ENOMEM;
        cmp->compare.op = TN_PLAN_CMP_EQ;
        cmp->compare.left = e->subquery.operand;
        cmp->compare.right = inner;
        cmp->pos = e->pos;
        if (anti) {
            /* NOT IN: a row is excluded by an equal value and by any NULL comparison */
            tn_plan_expr *not_false = new_expr(b, TN_PLAN_EXPR_IS_BOOL, cmp->type);
            if (!not_false)
                return TN_ENOMEM;
            not_false->is_bool.operand = cmp;
            not_false->is_bool.value = false;
            not_false->is_bool.negated = true;
            cmp = not_false;
        }
        corr[cn++] = cmp;
    }
    tn_plan_op *j = make_join(b, anti ? TN_PLAN_JOIN_ANTI : TN_PLAN_JOIN_SEMI, *op, right);
    if (!j)
        return oom(b);
    if (cn && !(j->join.residual = make_and(b, corr, cn)))
        return TN_ENOMEM;
    *op = j;
    *done = true;
    return 0;
}

/* ---- scalar aggregates ------------------------------------------------------------------- */

/* Rewrites one correlated scalar subquery e, of the shape Project(f) <- Aggregate (no groups)
 * <- Filter <- x with only `inner = outer` correlations, into a LEFT join over *op; e becomes
 * the value f over the joined row. */
static int try_scalar(tn_binder *b, tn_plan_op **op, tn_plan_expr *e)
{
    tn_plan_op *q = e->subquery.query;
    if (q->kind != TN_PLAN_PROJECT || q->column_count != 1)
        return 0;
    tn_plan_op *agg = q->children[0];
    if (agg->kind != TN_PLAN_AGGREGATE || agg->aggregate.group_count != 0 ||
        agg->aggregate.agg_count == 0 || agg->children[0]->kind != TN_PLAN_FILTER)
        return 0;
    tn_plan_op *filter = agg->children[0];
    if (op_uses_outer(filter->children[0]) || (expr_uses(q->project.exprs[0]) & USES_OUTER))
        return 0;
    for (uint32_t i = 0; i < agg->aggregate.agg_count; i++)
        if ((expr_uses(agg->aggregate.aggs[i].arg) | expr_uses(agg->aggregate.aggs[i].filter)) &
            USES_OUTER)
            return 0;
    /* every correlation is inner = outer */
    tn_plan_expr **items, *single;
    uint32_t n;
    conjuncts(filter->filter.condition, &items, &n, &single);
    for (uint32_t i = 0; i < n; i++) {
        const tn_plan_expr *c = items[i];
        if (!(expr_uses(c) & USES_OUTER))
            continue;
        if (c->kind != TN_PLAN_EXPR_COMPARE || c->compare.op != TN_PLAN_CMP_EQ)
            return 0;
        int l = expr_uses(c->compare.left), r = expr_uses(c->compare.right);
        bool lo = l == USES_OUTER, ro = r == USES_OUTER;
        if (!((lo && !(r & (USES_OUTER | USES_CORRELATED))) ||
              (ro && !(l & (USES_OUTER | USES_CORRELATED)))))
            return 0;
    }
    tn_plan_expr **corr;
    uint32_t cn;
    tn_plan_op *right;
    int rc = split_filter(b, filter, &corr, &cn, &right);
    if (rc)
        return rc;
    uint32_t ac = agg->aggregate.agg_count, lc = (*op)->column_count;
    tn_plan_op *grouped = tn_plan_op_new(b->arena, TN_PLAN_AGGREGATE, cn + ac);
    tn_plan_expr **groups = tn_arena_calloc(b->arena, (cn + 1) * sizeof *groups);
    tn_plan_expr **on = tn_arena_calloc(b->arena, (cn + 1) * sizeof *on);
    if (!grouped || !groups || !on)
        return oom(b);
    copy_map outer_side = {0, NULL, 0};
    for (uint32_t i = 0; i < cn; i++) {
        bool left_outer = expr_uses(corr[i]->compare.left) == USES_OUTER;
        tn_plan_expr *o = left_outer ? corr[i]->compare.left : corr[i]->compare.right;
        groups[i] = left_outer ? corr[i]->compare.right : corr[i]->compare.left;
        grouped->columns[i] = (tn_plan_column){"key", groups[i]->type, true};
        tn_plan_expr *cmp = new_expr(b, TN_PLAN_EXPR_COMPARE, tn_type_make(TN_TYPE_BOOLEAN));
        if (!cmp)
            return TN_ENOMEM;
        cmp->compare.op = TN_PLAN_CMP_EQ;
        if ((rc = copy_expr(b, o, &outer_side, &cmp->compare.left)) != 0)
            return rc;
        if (!(cmp->compare.right = tn_bind_column_ref(b, lc + i, groups[i]->type)))
            return TN_ENOMEM;
        on[i] = cmp;
    }
    for (uint32_t k = 0; k < ac; k++)
        grouped->columns[cn + k] = agg->columns[k];
    grouped->aggregate.groups = groups;
    grouped->aggregate.group_count = cn;
    grouped->aggregate.aggs = agg->aggregate.aggs;
    grouped->aggregate.agg_count = ac;
    grouped->children[0] = right;
    grouped->child_count = 1;
    tn_plan_op *j = make_join(b, TN_PLAN_JOIN_LEFT, *op, grouped);
    if (!j)
        return oom(b);
    if (cn && !(j->join.residual = make_and(b, on, cn)))
        return TN_ENOMEM;
    if (cn == 0)
        j->kind = TN_PLAN_CROSS; /* one row of aggregates: every outer row gets it */
    copy_map value_side = {lc + cn, agg->aggregate.aggs, ac};
    tn_plan_expr *value;
    if ((rc = copy_expr(b, q->project.exprs[0], &value_side, &value)) != 0)
        return rc;
    if (!tn_type_eq(value->type, e->type) && (rc = tn_bind_cast(b, value, e->type, &value)) != 0)
        return rc;
    /* e becomes the value in place: every parent that points at it now reads the join */
    uint32_t slot = e->slot;
    tn_sql_pos pos = e->pos;
    const char *name = e->name;
    *e = *value;
    e->slot = slot;
    e->pos = pos;
    e->name = name;
    *op = j;
    return 0;
}

static int decorrelate_list(tn_binder *b, tn_plan_op **op, tn_plan_expr *const *items,
                            uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        int rc = tn_bind_decorrelate_scalars(b, op, items[i]);
        if (rc)
            return rc;
    }
    return 0;
}

int tn_bind_decorrelate_scalars(tn_binder *b, tn_plan_op **op, tn_plan_expr *e)
{
    int rc = 0;
    if (!e)
        return 0;
    switch (e->kind) {
    case TN_PLAN_EXPR_CALL: rc = decorrelate_list(b, op, e->call.args, e->call.arg_count); break;
    case TN_PLAN_EXPR_CAST: rc = tn_bind_decorrelate_scalars(b, op, e->cast.operand); break;
    case TN_PLAN_EXPR_CASE:
        if ((rc = decorrelate_list(b, op, e->case_expr.conditions, e->case_expr.when_count)) == 0 &&
            (rc = decorrelate_list(b, op, e->case_expr.results, e->case_expr.when_count)) == 0)
            rc = tn_bind_decorrelate_scalars(b, op, e->case_expr.else_result);
        break;
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE:
        rc = decorrelate_list(b, op, e->logical.operands, e->logical.count);
        break;
    case TN_PLAN_EXPR_NOT: rc = tn_bind_decorrelate_scalars(b, op, e->unary.operand); break;
    case TN_PLAN_EXPR_IS_NULL: rc = tn_bind_decorrelate_scalars(b, op, e->is_null.operand); break;
    case TN_PLAN_EXPR_IS_BOOL: rc = tn_bind_decorrelate_scalars(b, op, e->is_bool.operand); break;
    case TN_PLAN_EXPR_COMPARE:
        if ((rc = tn_bind_decorrelate_scalars(b, op, e->compare.left)) == 0)
            rc = tn_bind_decorrelate_scalars(b, op, e->compare.right);
        break;
    case TN_PLAN_EXPR_IN_LIST:
        if ((rc = tn_bind_decorrelate_scalars(b, op, e->in_list.operand)) == 0)
            rc = decorrelate_list(b, op, e->in_list.items, e->in_list.count);
        break;
    case TN_PLAN_EXPR_SUBQUERY:
        if (e->subquery.param_count)
            rc = try_scalar(b, op, e);
        break;
    case TN_PLAN_EXPR_IN_QUERY: rc = tn_bind_decorrelate_scalars(b, op, e->subquery.operand); break;
    default: break;
    }
    return rc;
}

int tn_bind_where(tn_binder *b, tn_plan_op **op, tn_plan_expr *cond)
{
    tn_plan_expr **items, *single;
    uint32_t n;
    conjuncts(cond, &items, &n, &single);
    tn_plan_expr **plain = tn_arena_calloc(b->arena, (n + 1) * sizeof *plain);
    tn_plan_expr **rest = tn_arena_calloc(b->arena, (n + 1) * sizeof *rest);
    if (!plain || !rest)
        return oom(b);
    uint32_t pn = 0, rn = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (expr_uses(items[i]) & USES_CORRELATED)
            rest[rn++] = items[i];
        else
            plain[pn++] = items[i];
    }
    int rc;
    /* the plain conjuncts filter first, right over the FROM items (scans, joins) */
    if (pn) {
        tn_plan_expr *c = pn == n ? cond : make_and(b, plain, pn);
        if (!c || (rc = add_filter(b, op, c)) != 0)
            return c ? rc : TN_ENOMEM;
    }
    uint32_t left = 0;
    for (uint32_t i = 0; i < rn; i++) {
        bool done;
        if ((rc = try_semi_join(b, op, rest[i], &done)) != 0)
            return rc;
        if (done)
            continue;
        if ((rc = tn_bind_decorrelate_scalars(b, op, rest[i])) != 0)
            return rc;
        rest[left++] = rest[i];
    }
    if (left) {
        tn_plan_expr *c = make_and(b, rest, left);
        if (!c || (rc = add_filter(b, op, c)) != 0)
            return c ? rc : TN_ENOMEM;
    }
    return 0;
}
