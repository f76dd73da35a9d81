/* SPDX-License-Identifier: Apache-2.0
 *
 * Binding expressions: names to column indexes, literals to typed constants, operators and
 * function calls to registry entries (the cheapest implicit casts win), comparisons and CASE
 * to a common type, aggregates (in a grouped query) to references to the aggregate's output.
 */
#include "sql/binder/binder_int.h"

#include <stdio.h>
#include <strings.h>

int tn_bind_error(tn_binder *b, int code, tn_sql_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tn_error_vset(b->err, code, fmt, ap);
    va_end(ap);
    b->err->line = pos.line;
    b->err->column = pos.column;
    return code;
}

static tn_plan_expr *new_expr(tn_binder *b, tn_plan_expr_kind kind, tn_type type)
{
    tn_plan_expr *e = tn_plan_expr_new(b->arena, b->plan, kind, type);
    if (!e)
        tn_error_set(b->err, TN_ENOMEM, "out of memory");
    return e;
}

tn_plan_expr *tn_bind_column_ref(tn_binder *b, uint32_t index, tn_type type)
{
    tn_plan_expr *e = new_expr(b, TN_PLAN_EXPR_COLUMN, type);
    if (e)
        e->column = index;
    return e;
}

static bool is_string_literal(const tn_plan_expr *e)
{
    return e->kind == TN_PLAN_EXPR_CONST && e->type.id == TN_TYPE_VARCHAR;
}

static int numeric_rank(tn_type t)
{
    switch ((tn_type_id)t.id) {
    case TN_TYPE_INTEGER: return 1;
    case TN_TYPE_BIGINT: return 2;
    case TN_TYPE_DECIMAL: return 3;
    case TN_TYPE_REAL: return 4;
    case TN_TYPE_DOUBLE: return 5;
    default: return 0;
    }
}

static tn_type as_decimal(tn_type t)
{
    if (t.id == TN_TYPE_INTEGER)
        return tn_type_decimal(10, 0);
    if (t.id == TN_TYPE_BIGINT)
        return tn_type_decimal(19, 0);
    return t;
}

bool tn_bind_common_of_types(tn_type a, tn_type b, bool a_lit, bool b_lit, tn_type *out)
{
    if (a.id == TN_TYPE_INVALID) {
        *out = b;
        return true;
    }
    if (b.id == TN_TYPE_INVALID || tn_type_eq(a, b)) {
        *out = a;
        return true;
    }
    int ra = numeric_rank(a), rb = numeric_rank(b);
    if (ra && rb) {
        int r = ra > rb ? ra : rb;
        if (r == 3) {
            tn_type da = as_decimal(a), db = as_decimal(b);
            int s = da.scale > db.scale ? da.scale : db.scale;
            int ia = da.precision - da.scale, ib = db.precision - db.scale;
            int p = (ia > ib ? ia : ib) + s;
            *out = tn_type_decimal(p > 38 ? 38 : p, s);
        } else if (r == 4) {
            *out = tn_type_make(TN_TYPE_DOUBLE);
        } else {
            *out = ra > rb ? a : b;
        }
        return true;
    }
    if (a.id == TN_TYPE_VARCHAR && a_lit) {
        *out = b;
        return true;
    }
    if (b.id == TN_TYPE_VARCHAR && b_lit) {
        *out = a;
        return true;
    }
    bool ta = a.id == TN_TYPE_DATE || a.id == TN_TYPE_TIMESTAMP || a.id == TN_TYPE_TIMESTAMPTZ;
    bool tb = b.id == TN_TYPE_DATE || b.id == TN_TYPE_TIMESTAMP || b.id == TN_TYPE_TIMESTAMPTZ;
    if (ta && tb) {
        *out = tn_type_make(a.id == TN_TYPE_TIMESTAMPTZ || b.id == TN_TYPE_TIMESTAMPTZ
                                ? TN_TYPE_TIMESTAMPTZ
                                : TN_TYPE_TIMESTAMP);
        return true;
    }
    if (a.id == TN_TYPE_VARCHAR || b.id == TN_TYPE_VARCHAR) {
        /* a text column against another type: compare as the other type, as DuckDB does */
        *out = a.id == TN_TYPE_VARCHAR ? b : a;
        if (out->id == TN_TYPE_BLOB || out->id == TN_TYPE_BOOLEAN)
            *out = tn_type_make(TN_TYPE_VARCHAR);
        return true;
    }
    return false;
}

bool tn_bind_common_type(const tn_plan_expr *a, const tn_plan_expr *b, tn_type *out)
{
    return tn_bind_common_of_types(a->type, b->type, is_string_literal(a), is_string_literal(b),
                                   out);
}

int tn_bind_cast(tn_binder *b, tn_plan_expr *e, tn_type t, tn_plan_expr **out)
{
    if (tn_type_eq(e->type, t)) {
        *out = e;
        return 0;
    }
    tn_plan_expr *c = new_expr(b, TN_PLAN_EXPR_CAST, t);
    if (!c)
        return TN_ENOMEM;
    c->cast.operand = e;
    c->pos = e->pos;
    *out = c;
    return 0;
}

/* Cost of an implicit cast from `from` to param code `to`; -1 when not allowed. */
static int cast_cost(const tn_plan_expr *arg, uint8_t to)
{
    tn_type from = arg->type;
    if (to == TN_FUNC_ANY || from.id == to)
        return 0;
    if (from.id == TN_TYPE_INVALID)
        return 1;
    if (is_string_literal(arg))
        return 5;
    int rf = numeric_rank(from);
    int rt = numeric_rank(tn_type_make((tn_type_id)to));
    if (rf && rt && rt > rf)
        return rt - rf;
    if (from.id == TN_TYPE_DATE && to == TN_TYPE_TIMESTAMP)
        return 1;
    if (from.id == TN_TYPE_DATE && to == TN_TYPE_TIMESTAMPTZ)
        return 2;
    if (from.id == TN_TYPE_TIMESTAMP && to == TN_TYPE_TIMESTAMPTZ)
        return 1;
    if (to == TN_TYPE_VARCHAR && from.id != TN_TYPE_BLOB)
        return 10;
    return -1;
}

/* The parameter code for argument i (variadic entries repeat their last parameter). */
static uint8_t e_param(const tn_func_entry *e, uint32_t i)
{
    if (e->max_args == 255 && i >= e->min_args)
        i = e->min_args ? e->min_args - 1u : 0;
    return e->params[i < TN_FUNC_MAX_PARAMS ? i : TN_FUNC_MAX_PARAMS - 1];
}

static int resolve_call(tn_binder *b, const char *name, tn_plan_expr **args, uint32_t n,
                        tn_sql_pos pos, tn_plan_expr **out)
{
    const tn_func_entry *best = NULL;
    int best_cost = INT32_MAX;
    bool name_found = false;
    for (const tn_func_entry *e = tn_func_registry(); e->name; e++) {
        if (strcmp(e->name, name) != 0)
            continue;
        name_found = true;
        if (n < e->min_args || (e->max_args != 255 && n > e->max_args))
            continue;
        int cost = 0;
        for (uint32_t i = 0; i < n && cost >= 0; i++) {
            int c = cast_cost(args[i], e_param(e, i));
            cost = c < 0 ? -1 : cost + c;
        }
        if (cost >= 0 && cost < best_cost) {
            best = e;
            best_cost = cost;
        }
    }
    if (!best) {
        if (!name_found)
            return tn_bind_error(b, TN_EINVAL, pos, "function %s does not exist", name);
        char types[256] = "";
        for (uint32_t i = 0; i < n; i++) {
            char t[32];
            tn_type_format(args[i]->type.id ? args[i]->type : tn_type_make(TN_TYPE_VARCHAR), t, sizeof t);
            if (args[i]->type.id == TN_TYPE_INVALID)
                snprintf(t, sizeof t, "NULL");
            strncat(types, i ? ", " : "", sizeof types - strlen(types) - 1);
            strncat(types, t, sizeof types - strlen(types) - 1);
        }
        return tn_bind_error(b, TN_ETYPE, pos, "no function matches %s(%s): add explicit casts",
                             name, types);
    }
    tn_type at[64];
    for (uint32_t i = 0; i < n && i < 64; i++) {
        uint8_t p = e_param(best, i);
        tn_type t = args[i]->type;
        if (p != TN_FUNC_ANY) {
            if (p == TN_TYPE_DECIMAL)
                t = args[i]->type.id == TN_TYPE_DECIMAL ? args[i]->type : as_decimal(args[i]->type);
            else
                t = tn_type_make((tn_type_id)p);
            if (t.id == TN_TYPE_DECIMAL && t.precision == 0)
                t = tn_type_decimal(18, 3);
        }
        int rc = tn_bind_cast(b, args[i], t, &args[i]);
        if (rc)
            return rc;
        at[i] = t;
    }
    tn_plan_expr *call = new_expr(b, TN_PLAN_EXPR_CALL, tn_func_return_type(best, at, n));
    if (!call)
        return TN_ENOMEM;
    call->call.func = best;
    call->call.args = args;
    call->call.arg_count = n;
    call->pos = pos;
    *out = call;
    return 0;
}

static const char *const aggregate_names[] = {"count", "sum", "avg", "min", "max", "mean", NULL};

bool tn_bind_is_aggregate(const char *name)
{
    for (int i = 0; aggregate_names[i]; i++)
        if (strcmp(name, aggregate_names[i]) == 0)
            return true;
    return false;
}

static int make_const(tn_binder *b, const tn_sql_expr *ast, tn_plan_expr **out)
{
    const tn_sql_literal *l = &ast->literal;
    tn_plan_expr *e = NULL;
    switch (l->kind) {
    case TN_SQL_LIT_NULL:
        e = new_expr(b, TN_PLAN_EXPR_CONST, tn_type_make(TN_TYPE_INVALID));
        if (e)
            e->value.is_null = true;
        break;
    case TN_SQL_LIT_BOOL:
        e = new_expr(b, TN_PLAN_EXPR_CONST, tn_type_make(TN_TYPE_BOOLEAN));
        if (e)
            e->value.b = l->boolean;
        break;
    case TN_SQL_LIT_INTEGER:
        if (l->integer >= INT32_MIN && l->integer <= INT32_MAX) {
            e = new_expr(b, TN_PLAN_EXPR_CONST, tn_type_make(TN_TYPE_INTEGER));
            if (e)
                e->value.i32 = (int32_t)l->integer;
        } else {
            e = new_expr(b, TN_PLAN_EXPR_CONST, tn_type_make(TN_TYPE_BIGINT));
            if (e)
                e->value.i64 = l->integer;
        }
        break;
    case TN_SQL_LIT_DECIMAL: {
        int p = l->precision < l->scale ? l->scale : l->precision;
        e = new_expr(b, TN_PLAN_EXPR_CONST, tn_type_decimal(p ? p : 1, l->scale));
        if (e)
            e->value.i128 = l->decimal;
        break;
    }
    case TN_SQL_LIT_DOUBLE:
        e = new_expr(b, TN_PLAN_EXPR_CONST, tn_type_make(TN_TYPE_DOUBLE));
        if (e)
            e->value.f64 = l->number;
        break;
    case TN_SQL_LIT_STRING:
        e = new_expr(b, TN_PLAN_EXPR_CONST, tn_type_make(TN_TYPE_VARCHAR));
        if (e)
            e->value.str = l->text;
        break;
    }
    if (!e)
        return TN_ENOMEM;
    e->value.type = e->type;
    e->pos = ast->node.pos;
    *out = e;
    return 0;
}

/* Whether a scope has the column named by ast (qualified or not). */
static bool scope_has(const tn_bind_scope *scope, const tn_sql_expr *ast)
{
    const tn_sql_name *n = &ast->column;
    const char *col = n->parts[n->count - 1].name;
    const char *tab = n->count >= 2 ? n->parts[n->count - 2].name : NULL;
    for (uint32_t i = 0; scope && i < scope->count; i++) {
        const tn_bind_col *c = &scope->cols[i];
        if (strcasecmp(c->name, col) != 0)
            continue;
        if (tab && (!c->table || strcmp(c->table, tab) != 0))
            continue;
        return true;
    }
    return false;
}

/* A column that is not in the subquery's own scope but in an enclosing query's: the
 * subquery gets a param whose source is bound in the enclosing query (itself an outer
 * reference when the column is further out), and the reference reads the param. Returns 0
 * with *out set, 1 when no enclosing query has the column, or an error. */
static int bind_outer_column(tn_binder *b, const tn_sql_expr *ast, tn_plan_expr **out)
{
    tn_bind_outer *o = b->outer;
    if (!o)
        return 1;
    bool here = scope_has(o->scope, ast);
    bool further = false;
    for (tn_bind_outer *p = o->parent; p && !here && !further; p = p->parent)
        further = scope_has(p->scope, ast);
    if (!here && !further)
        return 1;
    tn_bind_agg *saved_agg = b->agg;
    b->outer = o->parent;
    /* a value from further out is a constant to the enclosing query, grouped or not */
    b->agg = here ? o->agg : NULL;
    tn_plan_expr *src;
    int rc = tn_bind_expr(b, o->scope, ast, &src);
    b->outer = o;
    b->agg = saved_agg;
    if (rc)
        return rc;
    tn_plan_param *param = NULL;
    for (uint32_t i = 0; i < o->param_count && !param; i++) {
        const tn_plan_expr *ps = o->params[i]->source;
        if (ps->kind == src->kind && tn_type_eq(ps->type, src->type) &&
            ((ps->kind == TN_PLAN_EXPR_COLUMN && ps->column == src->column) ||
             (ps->kind == TN_PLAN_EXPR_OUTER && ps->outer.param == src->outer.param)))
            param = o->params[i];
    }
    if (!param) {
        if (o->param_count == o->param_cap) {
            uint32_t cap = o->param_cap ? o->param_cap * 2 : 4;
            tn_plan_param **np = tn_arena_calloc(b->arena, cap * sizeof *np);
            if (!np)
                return tn_error_set(b->err, TN_ENOMEM, "out of memory");
            if (o->param_count)
                memcpy(np, o->params, o->param_count * sizeof *np);
            o->params = np;
            o->param_cap = cap;
        }
        param = tn_arena_calloc(b->arena, sizeof *param);
        if (!param)
            return tn_error_set(b->err, TN_ENOMEM, "out of memory");
        param->source = src;
        param->slot = b->plan->slot_count++;
        o->params[o->param_count++] = param;
    }
    tn_plan_expr *e = new_expr(b, TN_PLAN_EXPR_OUTER, src->type);
    if (!e)
        return TN_ENOMEM;
    e->outer.param = param;
    e->pos = ast->node.pos;
    e->name = ast->column.parts[ast->column.count - 1].name;
    *out = e;
    return 0;
}

static int bind_column(tn_binder *b, const tn_bind_scope *scope, const tn_sql_expr *ast,
                       tn_plan_expr **out)
{
    const tn_sql_name *n = &ast->column;
    const char *col = n->parts[n->count - 1].name;
    const char *tab = n->count >= 2 ? n->parts[n->count - 2].name : NULL;
    int found = -1;
    for (uint32_t i = 0; scope && i < scope->count; i++) {
        const tn_bind_col *c = &scope->cols[i];
        if (strcmp(c->name, col) != 0 && strcasecmp(c->name, col) != 0)
            continue;
        if (tab && (!c->table || strcmp(c->table, tab) != 0))
            continue;
        if (found >= 0 && scope->cols[found].index != c->index) {
            if (c->hidden)
                continue;
            if (scope->cols[found].hidden) {
                found = (int)i;
                continue;
            }
            return tn_bind_error(b, TN_EINVAL, ast->node.pos,
                                 "column reference \"%s\" is ambiguous: qualify it with a table name",
                                 col);
        }
        if (found < 0)
            found = (int)i;
    }
    if (found < 0) {
        int rc = bind_outer_column(b, ast, out);
        if (rc <= 0)
            return rc;
        if (tab)
            return tn_bind_error(b, TN_EINVAL, ast->node.pos, "column \"%s.%s\" does not exist",
                                 tab, col);
        return tn_bind_error(b, TN_EINVAL, ast->node.pos, "column \"%s\" does not exist", col);
    }
    *out = tn_bind_column_ref(b, scope->cols[found].index, scope->cols[found].type);
    if (!*out)
        return TN_ENOMEM;
    (*out)->pos = ast->node.pos;
    (*out)->name = scope->cols[found].name;
    return 0;
}

int tn_bind_type_name(const tn_sql_type_name *tn, tn_type *out, tn_error *err)
{
    if (tn->array)
        return tn_error_set_at(err, TN_EUNSUPPORTED, NULL, tn->pos.line, tn->pos.column,
                               "array types are not supported yet");
    if (tn->type.id != TN_TYPE_INVALID) {
        *out = tn->type;
        if (out->id == TN_TYPE_DECIMAL && out->precision == 0)
            *out = tn_type_decimal(18, 3);
        return 0;
    }
    static const struct {
        const char *name;
        tn_type_id id;
    } extra[] = {{"smallint", TN_TYPE_INTEGER}, {"tinyint", TN_TYPE_INTEGER},
                 {"int2", TN_TYPE_INTEGER},     {"hugeint", TN_TYPE_BIGINT},
                 {"uuid", TN_TYPE_VARCHAR},     {"json", TN_TYPE_VARCHAR},
                 {"char", TN_TYPE_VARCHAR},     {"character", TN_TYPE_VARCHAR},
                 {"signed", TN_TYPE_BIGINT},    {"unsigned", TN_TYPE_BIGINT}};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        size_t l = strlen(extra[i].name);
        if (strncasecmp(tn->text, extra[i].name, l) == 0 &&
            (tn->text[l] == 0 || tn->text[l] == '(' || tn->text[l] == ' ')) {
            *out = tn_type_make(extra[i].id);
            return 0;
        }
    }
    return tn_error_set_at(err, TN_EUNSUPPORTED, NULL, tn->pos.line, tn->pos.column,
                           "type %s is not supported", tn->text);
}

int tn_bind_condition(tn_binder *b, const tn_bind_scope *scope, const tn_sql_expr *ast,
                      tn_plan_expr **out)
{
    int rc = tn_bind_expr(b, scope, ast, out);
    if (rc)
        return rc;
    if ((*out)->type.id == TN_TYPE_INVALID || (*out)->type.id == TN_TYPE_BOOLEAN)
        return tn_bind_cast(b, *out, tn_type_make(TN_TYPE_BOOLEAN), out);
    if (numeric_rank((*out)->type) && b->engine->options.sqlite_compat) {
        /* SQLite treats a number as a truth value: x <> 0 */
        tn_plan_expr *zero = new_expr(b, TN_PLAN_EXPR_CONST, tn_type_make(TN_TYPE_INTEGER));
        tn_plan_expr *cmp = new_expr(b, TN_PLAN_EXPR_COMPARE, tn_type_make(TN_TYPE_BOOLEAN));
        if (!zero || !cmp)
            return TN_ENOMEM;
        zero->value.type = zero->type;
        tn_type ct;
        tn_bind_common_type(*out, zero, &ct);
        cmp->compare.op = TN_PLAN_CMP_NE;
        if ((rc = tn_bind_cast(b, *out, ct, &cmp->compare.left)) != 0 ||
            (rc = tn_bind_cast(b, zero, ct, &cmp->compare.right)) != 0)
            return rc;
        *out = cmp;
        return 0;
    }
    return tn_bind_error(b, TN_ETYPE, ast->node.pos, "argument of a condition must be BOOLEAN");
}

static int make_compare(tn_binder *b, tn_plan_cmp op, tn_plan_expr *l, tn_plan_expr *r,
                        tn_sql_pos pos, tn_plan_expr **out)
{
    tn_type t;
    if (!tn_bind_common_type(l, r, &t)) {
        char a[32], c[32];
        tn_type_format(l->type, a, sizeof a);
        tn_type_format(r->type, c, sizeof c);
        return tn_bind_error(b, TN_ETYPE, pos, "cannot compare %s with %s: add a cast", a, c);
    }
    if (t.id == TN_TYPE_INVALID)
        t = tn_type_make(TN_TYPE_BOOLEAN);
    tn_plan_expr *e = new_expr(b, TN_PLAN_EXPR_COMPARE, tn_type_make(TN_TYPE_BOOLEAN));
    if (!e)
        return TN_ENOMEM;
    e->pos = pos;
    e->compare.op = op;
    int rc = tn_bind_cast(b, l, t, &e->compare.left);
    if (rc == 0)
        rc = tn_bind_cast(b, r, t, &e->compare.right);
    *out = e;
    return rc;
}

static int make_not(tn_binder *b, tn_plan_expr *x, tn_plan_expr **out)
{
    tn_plan_expr *e = new_expr(b, TN_PLAN_EXPR_NOT, tn_type_make(TN_TYPE_BOOLEAN));
    if (!e)
        return TN_ENOMEM;
    e->unary.operand = x;
    e->pos = x->pos;
    *out = e;
    return 0;
}

static int bind_list(tn_binder *b, const tn_bind_scope *scope, const tn_sql_expr_list *l,
                     tn_plan_expr ***out)
{
    tn_plan_expr **items = tn_arena_calloc(b->arena, (l->count + 1) * sizeof *items);
    if (!items)
        return tn_error_set(b->err, TN_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < l->count; i++) {
        int rc = tn_bind_expr(b, scope, l->items[i], &items[i]);
        if (rc)
            return rc;
    }
    *out = items;
    return 0;
}

/* Binds a subquery of an expression over `scope`: names it does not have itself resolve in
 * the enclosing queries and become its params (a correlated subquery). */
static int bind_subquery(tn_binder *b, const tn_bind_scope *scope, const tn_sql_query *q,
                         tn_sql_pos pos, tn_plan_op **out, tn_bind_outer *outer)
{
    tn_bind_agg *saved = b->agg;
    memset(outer, 0, sizeof *outer);
    outer->scope = scope;
    outer->agg = b->agg;
    outer->parent = b->outer;
    b->outer = outer;
    b->agg = NULL;
    int rc = tn_bind_query_op(b, q, out);
    b->outer = outer->parent;
    b->agg = saved;
    if (rc && b->err->line == 0) {
        b->err->line = pos.line;
        b->err->column = pos.column;
    }
    return rc;
}

int tn_bind_interval_value(tn_binder *b, const tn_sql_expr *ast, tn_plan_interval *iv)
{
    const tn_sql_expr *v = ast->interval.value;
    int32_t months = 0, days = 0;
    int64_t micros = 0;
    if (v->kind != TN_SQL_EXPR_LITERAL)
        return tn_bind_error(b, TN_EUNSUPPORTED, ast->node.pos,
                             "INTERVAL needs a constant value");
    if (ast->interval.unit == TN_SQL_UNIT_NONE) {
        if (v->literal.kind != TN_SQL_LIT_STRING ||
            !tn_func_parse_interval(v->literal.text, &months, &days, &micros))
            return tn_bind_error(b, TN_EINVAL, ast->node.pos,
                                 "invalid interval: write e.g. INTERVAL '1 day' or INTERVAL 3 HOUR");
    } else {
        double num = v->literal.kind == TN_SQL_LIT_STRING ? 0 : v->literal.number;
        if (v->literal.kind == TN_SQL_LIT_STRING &&
            !tn_parse_double(v->literal.text.ptr, v->literal.text.len, &num))
            return tn_bind_error(b, TN_EINVAL, ast->node.pos, "invalid interval value");
        char text[96];
        snprintf(text, sizeof text, "%.17g %s", num, tn_sql_interval_unit_name(ast->interval.unit));
        if (!tn_func_parse_interval(tn_str_c(text), &months, &days, &micros))
            return tn_bind_error(b, TN_EINVAL, ast->node.pos, "invalid interval");
    }
    iv->months = months;
    iv->days = days;
    iv->micros = micros;
    return 0;
}

static tn_plan_expr *bigint_const(tn_binder *b, int64_t v)
{
    tn_plan_expr *e = new_expr(b, TN_PLAN_EXPR_CONST, tn_type_make(TN_TYPE_BIGINT));
    if (e) {
        e->value.type = e->type;
        e->value.i64 = v;
    }
    return e;
}

/* x +/- INTERVAL: __add_interval(x::TIMESTAMP, months, days, micros). */
static int bind_interval_arith(tn_binder *b, tn_plan_expr *x, const tn_sql_expr *iv_ast,
                               bool subtract, tn_sql_pos pos, tn_plan_expr **out)
{
    tn_plan_interval iv = {0, 0, 0};
    int rc = tn_bind_interval_value(b, iv_ast, &iv);
    if (rc)
        return rc;
    int s = subtract ? -1 : 1;
    tn_plan_expr **args = tn_arena_calloc(b->arena, 4 * sizeof *args);
    if (!args)
        return TN_ENOMEM;
    args[0] = x;
    args[1] = bigint_const(b, s * (int64_t)iv.months);
    args[2] = bigint_const(b, s * (int64_t)iv.days);
    args[3] = bigint_const(b, s * iv.micros);
    if (!args[1] || !args[2] || !args[3])
        return TN_ENOMEM;
    if (x->type.id != TN_TYPE_TIMESTAMPTZ &&
        (rc = tn_bind_cast(b, x, tn_type_make(TN_TYPE_TIMESTAMP), &args[0])) != 0)
        return rc;
    return resolve_call(b, "__add_interval", args, 4, pos, out);
}

/* In a grouped query: a group expression or an aggregate becomes a reference to the
 * aggregate operator's output. Returns 1 when ast was handled that way. */
static int bind_agg_ref(tn_binder *b, const tn_sql_expr *ast, tn_plan_expr **out)
{
    tn_bind_agg *agg = b->agg;
    tn_buf text = TN_BUF_INIT;
    if (tn_sql_ast_format(&ast->node, &text) != 0)
        return tn_error_set(b->err, TN_ENOMEM, "out of memory");
    const char *t = tn_buf_cstr(&text);
    for (uint32_t g = 0; g < agg->group_count; g++) {
        if (strcmp(agg->group_text[g], t) == 0) {
            tn_buf_free(&text);
            *out = tn_bind_column_ref(b, g, agg->groups[g]->type);
            return *out ? 1 : TN_ENOMEM;
        }
    }
    if (ast->kind == TN_SQL_EXPR_COLUMN && scope_has(agg->input, ast)) {
        /* t.k where the group key is written k (or the reverse): the same input column */
        tn_plan_expr *col;
        b->agg = NULL;
        int rc = bind_column(b, agg->input, ast, &col);
        b->agg = agg;
        if (rc) {
            tn_buf_free(&text);
            return rc;
        }
        for (uint32_t g = 0; g < agg->group_count; g++) {
            if (agg->groups[g]->kind == TN_PLAN_EXPR_COLUMN && agg->groups[g]->column == col->column) {
                tn_buf_free(&text);
                *out = tn_bind_column_ref(b, g, agg->groups[g]->type);
                return *out ? 1 : TN_ENOMEM;
            }
        }
    }
    if (ast->kind != TN_SQL_EXPR_FUNCTION || ast->call.over ||
        !tn_bind_is_aggregate(ast->call.name.parts[ast->call.name.count - 1].name)) {
        tn_buf_free(&text);
        return 0;
    }
    /* the same aggregate written twice is computed once */
    for (uint32_t a = 0; a < agg->agg_count; a++) {
        if (strcmp(agg->agg_text[a], t) == 0) {
            tn_buf_free(&text);
            *out = tn_bind_column_ref(b, agg->group_count + a, agg->aggs[a].type);
            return *out ? 1 : TN_ENOMEM;
        }
    }
    const char *name = ast->call.name.parts[ast->call.name.count - 1].name;
    tn_plan_agg pa = {0};
    pa.distinct = ast->call.distinct;
    tn_bind_agg *saved = b->agg;
    tn_bind_window *saved_win = b->win;
    b->agg = NULL; /* arguments are bound below the aggregate (and below any window) */
    b->win = NULL;
    int rc = 0;
    if (ast->call.star || (strcmp(name, "count") == 0 && ast->call.args.count == 0)) {
        pa.kind = TN_PLAN_AGG_COUNT_STAR;
        pa.type = tn_type_make(TN_TYPE_BIGINT);
    } else if (ast->call.args.count != 1) {
        rc = tn_bind_error(b, TN_EINVAL, ast->node.pos, "%s takes one argument", name);
    } else {
        rc = tn_bind_expr(b, saved->input, ast->call.args.items[0], &pa.arg);
        if (rc == 0) {
            tn_type at = pa.arg->type;
            if (strcmp(name, "count") == 0) {
                pa.kind = TN_PLAN_AGG_COUNT;
                pa.type = tn_type_make(TN_TYPE_BIGINT);
            } else if (strcmp(name, "sum") == 0) {
                pa.kind = TN_PLAN_AGG_SUM;
                if (at.id == TN_TYPE_INVALID)
                    rc = tn_bind_cast(b, pa.arg, at = tn_type_make(TN_TYPE_BIGINT), &pa.arg);
                if (at.id == TN_TYPE_INTEGER || at.id == TN_TYPE_BIGINT || at.id == TN_TYPE_BOOLEAN)
                    pa.type = tn_type_make(TN_TYPE_BIGINT);
                else if (at.id == TN_TYPE_DECIMAL)
                    pa.type = tn_type_decimal(38, at.scale);
                else if (at.id == TN_TYPE_REAL || at.id == TN_TYPE_DOUBLE)
                    pa.type = tn_type_make(TN_TYPE_DOUBLE);
                else if (at.id == TN_TYPE_VARCHAR && b->engine->options.sqlite_compat)
                    rc = tn_bind_cast(b, pa.arg, pa.type = tn_type_make(TN_TYPE_DOUBLE), &pa.arg);
                else
                    rc = tn_bind_error(b, TN_ETYPE, ast->node.pos, "SUM needs a numeric argument");
            } else if (strcmp(name, "avg") == 0 || strcmp(name, "mean") == 0) {
                pa.kind = TN_PLAN_AGG_AVG;
                pa.type = tn_type_make(TN_TYPE_DOUBLE);
                if (at.id == TN_TYPE_INVALID)
                    rc = tn_bind_cast(b, pa.arg, tn_type_make(TN_TYPE_DOUBLE), &pa.arg);
                else if (!numeric_rank(at))
                    rc = tn_bind_error(b, TN_ETYPE, ast->node.pos, "AVG needs a numeric argument");
            } else {
                pa.kind = strcmp(name, "min") == 0 ? TN_PLAN_AGG_MIN : TN_PLAN_AGG_MAX;
                if (at.id == TN_TYPE_INVALID)
                    rc = tn_bind_cast(b, pa.arg, at = tn_type_make(TN_TYPE_INTEGER), &pa.arg);
                pa.type = at;
            }
        }
    }
    if (rc == 0 && ast->call.filter)
        rc = tn_bind_condition(b, saved->input, ast->call.filter, &pa.filter);
    b->agg = saved;
    b->win = saved_win;
    if (rc) {
        tn_buf_free(&text);
        return rc;
    }
    if (agg->agg_count == agg->agg_cap) {
        uint32_t cap = agg->agg_cap ? agg->agg_cap * 2 : 8;
        tn_plan_agg *na = tn_arena_calloc(b->arena, cap * sizeof *na);
        const char **nt = tn_arena_calloc(b->arena, cap * sizeof *nt);
        if (!na || !nt) {
            tn_buf_free(&text);
            return tn_error_set(b->err, TN_ENOMEM, "out of memory");
        }
        if (agg->agg_count) {
            memcpy(na, agg->aggs, agg->agg_count * sizeof *na);
            memcpy(nt, agg->agg_text, agg->agg_count * sizeof *nt);
        }
        agg->aggs = na;
        agg->agg_text = nt;
        agg->agg_cap = cap;
    }
    agg->agg_text[agg->agg_count] = tn_arena_strdup(b->arena, t);
    tn_buf_free(&text);
    agg->aggs[agg->agg_count] = pa;
    *out = tn_bind_column_ref(b, agg->group_count + agg->agg_count, pa.type);
    agg->agg_count++;
    return *out ? 1 : TN_ENOMEM;
}

static int bind_function(tn_binder *b, const tn_bind_scope *scope, const tn_sql_expr *ast,
                         tn_plan_expr **out)
{
    const tn_sql_call *call = &ast->call;
    const char *name = call->name.parts[call->name.count - 1].name;
    char lower[128];
    size_t nl = strlen(name);
    if (nl >= sizeof lower)
        nl = sizeof lower - 1;
    for (size_t i = 0; i < nl; i++)
        lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
    lower[nl] = 0;
    if (call->over)
        return tn_bind_window_call(b, scope, ast, lower, out);
    if (tn_bind_is_aggregate(lower))
        return tn_bind_error(b, TN_EINVAL, ast->node.pos,
                             "aggregate function %s is not allowed here", lower);
    tn_plan_expr **args;
    int rc = bind_list(b, scope, &call->args, &args);
    if (rc)
        return rc;
    uint32_t n = call->args.count;
    if ((strcmp(lower, "greatest") == 0 || strcmp(lower, "least") == 0) && n > 0) {
        /* one type for all arguments, as COALESCE finds it */
        tn_type t = args[0]->type;
        for (uint32_t i = 1; i < n; i++) {
            tn_type nt;
            if (!tn_bind_common_of_types(t, args[i]->type, false, is_string_literal(args[i]), &nt))
                return tn_bind_error(b, TN_ETYPE, ast->node.pos,
                                     "%s arguments have incompatible types", lower);
            t = nt;
        }
        if (t.id == TN_TYPE_INVALID)
            t = tn_type_make(TN_TYPE_INTEGER);
        for (uint32_t i = 0; i < n; i++)
            if ((rc = tn_bind_cast(b, args[i], t, &args[i])) != 0)
                return rc;
    }
    if (strcmp(lower, "coalesce") == 0 || strcmp(lower, "ifnull") == 0) {
        if (n == 0)
            return tn_bind_error(b, TN_EINVAL, ast->node.pos, "COALESCE needs arguments");
        tn_type t = args[0]->type;
        for (uint32_t i = 1; i < n; i++) {
            tn_type nt;
            if (!tn_bind_common_of_types(t, args[i]->type, false, is_string_literal(args[i]), &nt))
                return tn_bind_error(b, TN_ETYPE, ast->node.pos,
                                     "COALESCE arguments have incompatible types");
            t = nt;
        }
        tn_plan_expr *e = new_expr(b, TN_PLAN_EXPR_COALESCE, t);
        if (!e)
            return TN_ENOMEM;
        for (uint32_t i = 0; i < n; i++)
            if ((rc = tn_bind_cast(b, args[i], t, &args[i])) != 0)
                return rc;
        e->logical.operands = args;
        e->logical.count = n;
        e->pos = ast->node.pos;
        *out = e;
        return 0;
    }
    if (strcmp(lower, "nullif") == 0) {
        if (n != 2)
            return tn_bind_error(b, TN_EINVAL, ast->node.pos, "NULLIF takes two arguments");
        /* CASE WHEN a = b THEN NULL ELSE a END */
        tn_plan_expr *cmp;
        if ((rc = make_compare(b, TN_PLAN_CMP_EQ, args[0], args[1], ast->node.pos, &cmp)) != 0)
            return rc;
        tn_plan_expr *e = new_expr(b, TN_PLAN_EXPR_CASE, args[0]->type);
        tn_plan_expr *null = new_expr(b, TN_PLAN_EXPR_CONST, args[0]->type);
        tn_plan_expr **conds = tn_arena_calloc(b->arena, sizeof *conds);
        tn_plan_expr **res = tn_arena_calloc(b->arena, sizeof *res);
        if (!e || !null || !conds || !res)
            return TN_ENOMEM;
        null->value.type = args[0]->type;
        null->value.is_null = true;
        conds[0] = cmp;
        res[0] = null;
        e->case_expr.conditions = conds;
        e->case_expr.results = res;
        e->case_expr.when_count = 1;
        e->case_expr.else_result = args[0];
        *out = e;
        return 0;
    }
    if ((strcmp(lower, "date_part") == 0 || strcmp(lower, "date_trunc") == 0) && n == 2 &&
        args[1]->type.id == TN_TYPE_DATE) {
        /* date_trunc of a DATE is a TIMESTAMP, as in PostgreSQL and DuckDB */
        if ((rc = tn_bind_cast(b, args[1], tn_type_make(TN_TYPE_TIMESTAMP), &args[1])) != 0)
            return rc;
    }
    if (strcmp(lower, "strftime") == 0 && n == 2 && args[0]->type.id == TN_TYPE_DATE)
        if ((rc = tn_bind_cast(b, args[0], tn_type_make(TN_TYPE_TIMESTAMP), &args[0])) != 0)
            return rc;
    if (strcmp(lower, "round") == 0 && n >= 1 && args[0]->type.id == TN_TYPE_DECIMAL) {
        /* exact rounding of a DECIMAL is left for later: round in DOUBLE */
        if ((rc = tn_bind_cast(b, args[0], tn_type_make(TN_TYPE_DOUBLE), &args[0])) != 0)
            return rc;
    }
    return resolve_call(b, lower, args, n, ast->node.pos, out);
}

static const char *binary_func_name(tn_sql_binary_op op)
{
    switch (op) {
    case TN_SQL_OP_ADD: return "+";
    case TN_SQL_OP_SUB: return "-";
    case TN_SQL_OP_MUL: return "*";
    case TN_SQL_OP_DIV: return "/";
    case TN_SQL_OP_INTDIV: return "//";
    case TN_SQL_OP_MOD: return "%";
    case TN_SQL_OP_POW: return "^";
    case TN_SQL_OP_CONCAT: return "||";
    default: return NULL;
    }
}

static bool is_integer_type(tn_type t)
{
    return t.id == TN_TYPE_INTEGER || t.id == TN_TYPE_BIGINT;
}

int tn_bind_expr(tn_binder *b, const tn_bind_scope *scope, const tn_sql_expr *ast,
                 tn_plan_expr **out)
{
    int rc;
    tn_plan_expr *e, *l, *r;
    if (b->agg && ast->kind != TN_SQL_EXPR_LITERAL) {
        rc = bind_agg_ref(b, ast, out);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            (*out)->pos = ast->node.pos;
            return 0;
        }
        if (ast->kind == TN_SQL_EXPR_COLUMN && !scope_has(b->agg->input, ast) &&
            (rc = bind_outer_column(b, ast, out)) <= 0)
            return rc;
        if (ast->kind == TN_SQL_EXPR_COLUMN) {
            const tn_sql_name *n = &ast->column;
            return tn_bind_error(b, TN_EINVAL, ast->node.pos,
                                 "column \"%s\" must appear in the GROUP BY clause or be used in "
                                 "an aggregate function",
                                 n->parts[n->count - 1].name);
        }
    }
    switch (ast->kind) {
    case TN_SQL_EXPR_LITERAL:
        return make_const(b, ast, out);
    case TN_SQL_EXPR_COLUMN:
        return bind_column(b, scope, ast, out);
    case TN_SQL_EXPR_STAR:
        return tn_bind_error(b, TN_EINVAL, ast->node.pos, "* is not allowed here");
    case TN_SQL_EXPR_PARAM:
        return tn_bind_error(b, TN_EUNSUPPORTED, ast->node.pos, "parameters are not supported");
    case TN_SQL_EXPR_UNARY:
        if ((rc = tn_bind_expr(b, scope, ast->unary.operand, &l)) != 0)
            return rc;
        if (ast->unary.op == TN_SQL_OP_PLUS) {
            *out = l;
            return 0;
        }
        if (ast->unary.op == TN_SQL_OP_NOT) {
            if ((rc = tn_bind_cast(b, l, tn_type_make(TN_TYPE_BOOLEAN), &l)) != 0)
                return rc;
            return make_not(b, l, out);
        }
        {
            tn_plan_expr **args = tn_arena_calloc(b->arena, sizeof *args);
            if (!args)
                return TN_ENOMEM;
            args[0] = l;
            return resolve_call(b, "-", args, 1, ast->node.pos, out);
        }
    case TN_SQL_EXPR_BINARY: {
        tn_sql_binary_op op = ast->binary.op;
        if ((rc = tn_bind_expr(b, scope, ast->binary.left, &l)) != 0)
            return rc;
        if ((op == TN_SQL_OP_ADD || op == TN_SQL_OP_SUB) &&
            ast->binary.right->kind == TN_SQL_EXPR_INTERVAL)
            return bind_interval_arith(b, l, ast->binary.right, op == TN_SQL_OP_SUB,
                                       ast->node.pos, out);
        if (op == TN_SQL_OP_ADD && ast->binary.left->kind == TN_SQL_EXPR_INTERVAL) {
            if ((rc = tn_bind_expr(b, scope, ast->binary.right, &r)) != 0)
                return rc;
            return bind_interval_arith(b, r, ast->binary.left, false, ast->node.pos, out);
        }
        if ((rc = tn_bind_expr(b, scope, ast->binary.right, &r)) != 0)
            return rc;
        const char *fname = binary_func_name(op);
        if (fname) {
            if (op == TN_SQL_OP_DIV && b->engine->options.sqlite_compat &&
                (is_integer_type(l->type) || l->type.id == TN_TYPE_INVALID) &&
                (is_integer_type(r->type) || r->type.id == TN_TYPE_INVALID))
                fname = "//";
            if (op == TN_SQL_OP_CONCAT) {
                if (l->type.id != TN_TYPE_VARCHAR && (rc = tn_bind_cast(b, l, tn_type_make(TN_TYPE_VARCHAR), &l)) != 0)
                    return rc;
                if (r->type.id != TN_TYPE_VARCHAR && (rc = tn_bind_cast(b, r, tn_type_make(TN_TYPE_VARCHAR), &r)) != 0)
                    return rc;
            }
            /* numeric operands meet at their common type, so DECIMAL + INTEGER is exact */
            tn_type ct;
            if (op != TN_SQL_OP_CONCAT && numeric_rank(l->type) && numeric_rank(r->type) &&
                (numeric_rank(l->type) == 3 || numeric_rank(r->type) == 3) &&
                tn_bind_common_type(l, r, &ct) && ct.id == TN_TYPE_DECIMAL) {
                if ((rc = tn_bind_cast(b, l, as_decimal(l->type), &l)) != 0 ||
                    (rc = tn_bind_cast(b, r, as_decimal(r->type), &r)) != 0)
                    return rc;
            } else if (op != TN_SQL_OP_CONCAT && numeric_rank(l->type) && numeric_rank(r->type) &&
                       tn_bind_common_type(l, r, &ct)) {
                if ((rc = tn_bind_cast(b, l, ct, &l)) != 0 || (rc = tn_bind_cast(b, r, ct, &r)) != 0)
                    return rc;
            } else if (l->type.id == TN_TYPE_INVALID && numeric_rank(r->type)) {
                if ((rc = tn_bind_cast(b, l, r->type, &l)) != 0)
                    return rc;
            } else if (r->type.id == TN_TYPE_INVALID && numeric_rank(l->type)) {
                if ((rc = tn_bind_cast(b, r, l->type, &r)) != 0)
                    return rc;
            } else if (l->type.id == TN_TYPE_INVALID && r->type.id == TN_TYPE_INVALID) {
                tn_type it = tn_type_make(TN_TYPE_INTEGER);
                if ((rc = tn_bind_cast(b, l, it, &l)) != 0 || (rc = tn_bind_cast(b, r, it, &r)) != 0)
                    return rc;
            }
            tn_plan_expr **args = tn_arena_calloc(b->arena, 2 * sizeof *args);
            if (!args)
                return TN_ENOMEM;
            args[0] = l;
            args[1] = r;
            return resolve_call(b, fname, args, 2, ast->node.pos, out);
        }
        tn_plan_cmp cmp;
        switch (op) {
        case TN_SQL_OP_EQ: cmp = TN_PLAN_CMP_EQ; break;
        case TN_SQL_OP_NE: cmp = TN_PLAN_CMP_NE; break;
        case TN_SQL_OP_LT: cmp = TN_PLAN_CMP_LT; break;
        case TN_SQL_OP_LE: cmp = TN_PLAN_CMP_LE; break;
        case TN_SQL_OP_GT: cmp = TN_PLAN_CMP_GT; break;
        case TN_SQL_OP_GE: cmp = TN_PLAN_CMP_GE; break;
        case TN_SQL_OP_IS_DISTINCT_FROM: cmp = TN_PLAN_CMP_DISTINCT; break;
        default: cmp = TN_PLAN_CMP_NOT_DISTINCT; break;
        }
        return make_compare(b, cmp, l, r, ast->node.pos, out);
    }
    case TN_SQL_EXPR_AND:
    case TN_SQL_EXPR_OR: {
        e = new_expr(b, ast->kind == TN_SQL_EXPR_AND ? TN_PLAN_EXPR_AND : TN_PLAN_EXPR_OR,
                     tn_type_make(TN_TYPE_BOOLEAN));
        tn_plan_expr **ops = tn_arena_calloc(b->arena, ast->logical.operands.count * sizeof *ops);
        if (!e || !ops)
            return TN_ENOMEM;
        for (uint32_t i = 0; i < ast->logical.operands.count; i++)
            if ((rc = tn_bind_condition(b, scope, ast->logical.operands.items[i], &ops[i])) != 0)
                return rc;
        e->logical.operands = ops;
        e->logical.count = ast->logical.operands.count;
        e->pos = ast->node.pos;
        *out = e;
        return 0;
    }
    case TN_SQL_EXPR_IS:
        if ((rc = tn_bind_expr(b, scope, ast->is.operand, &l)) != 0)
            return rc;
        if (ast->is.test == TN_SQL_IS_NULL || ast->is.test == TN_SQL_IS_UNKNOWN) {
            e = new_expr(b, TN_PLAN_EXPR_IS_NULL, tn_type_make(TN_TYPE_BOOLEAN));
            if (!e)
                return TN_ENOMEM;
            e->is_null.operand = l;
            e->is_null.negated = ast->is.negated;
        } else {
            if ((rc = tn_bind_cast(b, l, tn_type_make(TN_TYPE_BOOLEAN), &l)) != 0)
                return rc;
            e = new_expr(b, TN_PLAN_EXPR_IS_BOOL, tn_type_make(TN_TYPE_BOOLEAN));
            if (!e)
                return TN_ENOMEM;
            e->is_bool.operand = l;
            e->is_bool.value = ast->is.test == TN_SQL_IS_TRUE;
            e->is_bool.negated = ast->is.negated;
        }
        e->pos = ast->node.pos;
        *out = e;
        return 0;
    case TN_SQL_EXPR_BETWEEN: {
        tn_plan_expr *lo, *hi, *c1, *c2;
        if ((rc = tn_bind_expr(b, scope, ast->between.operand, &l)) != 0 ||
            (rc = tn_bind_expr(b, scope, ast->between.low, &lo)) != 0 ||
            (rc = tn_bind_expr(b, scope, ast->between.high, &hi)) != 0)
            return rc;
        if ((rc = make_compare(b, TN_PLAN_CMP_GE, l, lo, ast->node.pos, &c1)) != 0 ||
            (rc = make_compare(b, TN_PLAN_CMP_LE, l, hi, ast->node.pos, &c2)) != 0)
            return rc;
        e = new_expr(b, TN_PLAN_EXPR_AND, tn_type_make(TN_TYPE_BOOLEAN));
        tn_plan_expr **ops = tn_arena_calloc(b->arena, 2 * sizeof *ops);
        if (!e || !ops)
            return TN_ENOMEM;
        ops[0] = c1;
        ops[1] = c2;
        e->logical.operands = ops;
        e->logical.count = 2;
        e->pos = ast->node.pos;
        if (ast->between.negated)
            return make_not(b, e, out);
        *out = e;
        return 0;
    }
    case TN_SQL_EXPR_IN_LIST: {
        tn_plan_expr **items;
        if ((rc = tn_bind_expr(b, scope, ast->in_list.operand, &l)) != 0 ||
            (rc = bind_list(b, scope, &ast->in_list.list, &items)) != 0)
            return rc;
        tn_type t = l->type;
        bool lit = is_string_literal(l);
        for (uint32_t i = 0; i < ast->in_list.list.count; i++) {
            tn_type nt;
            if (!tn_bind_common_of_types(t, items[i]->type, lit, is_string_literal(items[i]), &nt))
                return tn_bind_error(b, TN_ETYPE, ast->node.pos,
                                     "IN list items do not match the value's type");
            t = nt;
            lit = lit && is_string_literal(items[i]);
        }
        if (t.id == TN_TYPE_INVALID)
            t = tn_type_make(TN_TYPE_INTEGER);
        e = new_expr(b, TN_PLAN_EXPR_IN_LIST, tn_type_make(TN_TYPE_BOOLEAN));
        if (!e)
            return TN_ENOMEM;
        if ((rc = tn_bind_cast(b, l, t, &e->in_list.operand)) != 0)
            return rc;
        for (uint32_t i = 0; i < ast->in_list.list.count; i++)
            if ((rc = tn_bind_cast(b, items[i], t, &items[i])) != 0)
                return rc;
        e->in_list.items = items;
        e->in_list.count = ast->in_list.list.count;
        e->in_list.negated = ast->in_list.negated;
        e->pos = ast->node.pos;
        *out = e;
        return 0;
    }
    case TN_SQL_EXPR_IN_QUERY:
    case TN_SQL_EXPR_SUBQUERY:
    case TN_SQL_EXPR_EXISTS: {
        tn_plan_op *q;
        tn_bind_outer outer;
        const tn_sql_query *qa = ast->kind == TN_SQL_EXPR_IN_QUERY ? ast->in_query.query
                                                                   : ast->subquery.query;
        if ((rc = bind_subquery(b, scope, qa, ast->node.pos, &q, &outer)) != 0)
            return rc;
        if (ast->kind != TN_SQL_EXPR_EXISTS && q->column_count != 1)
            return tn_bind_error(b, TN_EINVAL, ast->node.pos,
                                 "subquery must return exactly one column");
        tn_plan_expr_kind k = ast->kind == TN_SQL_EXPR_IN_QUERY ? TN_PLAN_EXPR_IN_QUERY
                              : ast->kind == TN_SQL_EXPR_EXISTS ? TN_PLAN_EXPR_EXISTS
                                                                : TN_PLAN_EXPR_SUBQUERY;
        e = new_expr(b, k, k == TN_PLAN_EXPR_SUBQUERY ? q->columns[0].type
                                                      : tn_type_make(TN_TYPE_BOOLEAN));
        if (!e)
            return TN_ENOMEM;
        e->subquery.query = q;
        e->subquery.params = outer.params;
        e->subquery.param_count = outer.param_count;
        e->pos = ast->node.pos;
        if (k == TN_PLAN_EXPR_IN_QUERY) {
            if ((rc = tn_bind_expr(b, scope, ast->in_query.operand, &l)) != 0)
                return rc;
            tn_type t = q->columns[0].type;
            if (t.id == TN_TYPE_INVALID)
                t = l->type;
            if ((rc = tn_bind_cast(b, l, t, &e->subquery.operand)) != 0)
                return rc;
            if (!tn_type_eq(q->columns[0].type, t))
                q->columns[0].type = t; /* an untyped NULL column: read as the operand's type */
            e->subquery.negated = ast->in_query.negated;
        }
        *out = e;
        return 0;
    }
    case TN_SQL_EXPR_LIKE: {
        tn_plan_expr **args = tn_arena_calloc(b->arena, 3 * sizeof *args);
        if (!args)
            return TN_ENOMEM;
        uint32_t n = ast->like.escape ? 3 : 2;
        if ((rc = tn_bind_expr(b, scope, ast->like.operand, &args[0])) != 0 ||
            (rc = tn_bind_expr(b, scope, ast->like.pattern, &args[1])) != 0)
            return rc;
        if (ast->like.escape && (rc = tn_bind_expr(b, scope, ast->like.escape, &args[2])) != 0)
            return rc;
        for (uint32_t i = 0; i < n; i++)
            if (args[i]->type.id != TN_TYPE_VARCHAR &&
                (rc = tn_bind_cast(b, args[i], tn_type_make(TN_TYPE_VARCHAR), &args[i])) != 0)
                return rc;
        if ((rc = resolve_call(b, ast->like.case_insensitive ? "ilike" : "like", args, n,
                               ast->node.pos, &e)) != 0)
            return rc;
        if (ast->like.negated)
            return make_not(b, e, out);
        *out = e;
        return 0;
    }
    case TN_SQL_EXPR_CAST: {
        tn_type t;
        if ((rc = tn_bind_type_name(&ast->cast.type, &t, b->err)) != 0)
            return rc;
        if ((rc = tn_bind_expr(b, scope, ast->cast.operand, &l)) != 0)
            return rc;
        e = new_expr(b, TN_PLAN_EXPR_CAST, t);
        if (!e)
            return TN_ENOMEM;
        e->cast.operand = l;
        e->cast.try_cast = ast->cast.form == TN_SQL_CAST_TRY;
        e->pos = ast->node.pos;
        *out = e;
        return 0;
    }
    case TN_SQL_EXPR_CASE: {
        uint32_t n = ast->case_expr.when_count;
        tn_plan_expr **conds = tn_arena_calloc(b->arena, n * sizeof *conds);
        tn_plan_expr **res = tn_arena_calloc(b->arena, n * sizeof *res);
        tn_plan_expr *operand = NULL, *els = NULL;
        if (!conds || !res)
            return TN_ENOMEM;
        if (ast->case_expr.operand &&
            (rc = tn_bind_expr(b, scope, ast->case_expr.operand, &operand)) != 0)
            return rc;
        tn_type t = tn_type_make(TN_TYPE_INVALID);
        bool lit = true;
        for (uint32_t i = 0; i < n; i++) {
            const tn_sql_when *w = &ast->case_expr.whens[i];
            if (operand) {
                tn_plan_expr *v;
                if ((rc = tn_bind_expr(b, scope, w->condition, &v)) != 0 ||
                    (rc = make_compare(b, TN_PLAN_CMP_EQ, operand, v, w->condition->node.pos, &conds[i])) != 0)
                    return rc;
            } else if ((rc = tn_bind_condition(b, scope, w->condition, &conds[i])) != 0) {
                return rc;
            }
            if ((rc = tn_bind_expr(b, scope, w->result, &res[i])) != 0)
                return rc;
            tn_type nt;
            if (!tn_bind_common_of_types(t, res[i]->type, lit, is_string_literal(res[i]), &nt))
                return tn_bind_error(b, TN_ETYPE, w->result->node.pos,
                                     "CASE results have incompatible types");
            t = nt;
            lit = lit && is_string_literal(res[i]);
        }
        if (ast->case_expr.else_result) {
            if ((rc = tn_bind_expr(b, scope, ast->case_expr.else_result, &els)) != 0)
                return rc;
            tn_type nt;
            if (!tn_bind_common_of_types(t, els->type, lit, is_string_literal(els), &nt))
                return tn_bind_error(b, TN_ETYPE, ast->case_expr.else_result->node.pos,
                                     "CASE results have incompatible types");
            t = nt;
        }
        for (uint32_t i = 0; i < n; i++)
            if ((rc = tn_bind_cast(b, res[i], t, &res[i])) != 0)
                return rc;
        if (els && (rc = tn_bind_cast(b, els, t, &els)) != 0)
            return rc;
        e = new_expr(b, TN_PLAN_EXPR_CASE, t);
        if (!e)
            return TN_ENOMEM;
        e->case_expr.conditions = conds;
        e->case_expr.results = res;
        e->case_expr.when_count = n;
        e->case_expr.else_result = els;
        e->pos = ast->node.pos;
        *out = e;
        return 0;
    }
    case TN_SQL_EXPR_FUNCTION:
        return bind_function(b, scope, ast, out);
    case TN_SQL_EXPR_QUANTIFIED:
        return tn_bind_error(b, TN_EUNSUPPORTED, ast->node.pos, "ANY/ALL subqueries are not supported yet");
    case TN_SQL_EXPR_INTERVAL:
        return tn_bind_error(b, TN_EUNSUPPORTED, ast->node.pos,
                             "an INTERVAL can only be added to or subtracted from a date or timestamp");
    }
    return tn_bind_error(b, TN_EINTERNAL, ast->node.pos, "unknown expression");
}
