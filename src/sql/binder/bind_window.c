/* SPDX-License-Identifier: Apache-2.0
 *
 * Window functions: f(...) OVER (PARTITION BY ... ORDER BY ... frame) in a select list,
 * ORDER BY or QUALIFY. Each call is bound against the same scope as the select list (so in a
 * grouped query its arguments may be aggregates and group keys), and registered with the
 * SELECT's window context: its arguments and keys become extra columns of a projection
 * below the WINDOW operator, and the call itself a reference to the operator's result
 * column. That column's position is known only once the SELECT's aggregates are all bound,
 * so until then the reference holds TN_BIND_WINDOW_REF + k, and tn_bind_window_patch
 * rewrites it. The same call written twice is computed once.
 */
#include "sql/binder/binder_int.h"

#include <math.h>
#include <string.h>

static int oom(tn_binder *b)
{
    return tn_error_set(b->err, TN_ENOMEM, "out of memory");
}

/* Adds an input expression of the window operator; its index in *out. */
static int add_input(tn_binder *b, tn_plan_expr *e, uint32_t *out)
{
    tn_bind_window *w = b->win;
    for (uint32_t i = 0; i < w->input_count; i++) {
        /* a plain column read twice (the same key of two windows) is one input */
        const tn_plan_expr *x = w->inputs[i];
        if (x->kind == TN_PLAN_EXPR_COLUMN && e->kind == TN_PLAN_EXPR_COLUMN &&
            x->column == e->column) {
            *out = i;
            return 0;
        }
    }
    if (w->input_count == w->input_cap) {
        uint32_t cap = w->input_cap ? w->input_cap * 2 : 8;
        tn_plan_expr **n = tn_arena_calloc(b->arena, cap * sizeof *n);
        if (!n)
            return oom(b);
        if (w->input_count)
            memcpy(n, w->inputs, w->input_count * sizeof *n);
        w->inputs = n;
        w->input_cap = cap;
    }
    w->inputs[w->input_count] = e;
    *out = w->input_count++;
    return 0;
}

static int bind_input(tn_binder *b, const tn_bind_scope *scope, const tn_sql_expr *ast,
                      tn_plan_expr **bound, uint32_t *out)
{
    tn_plan_expr *e;
    int rc = tn_bind_expr(b, scope, ast, &e);
    if (rc == 0)
        rc = add_input(b, e, out);
    if (bound)
        *bound = rc == 0 ? e : NULL;
    return rc;
}

/* A constant integer argument (offsets, bucket counts, positions): a literal, maybe negated. */
static int integer_argument(tn_binder *b, const tn_sql_expr *ast, const char *what, int64_t *out)
{
    bool negative = false;
    if (ast->kind == TN_SQL_EXPR_UNARY && ast->unary.op == TN_SQL_OP_NEGATE) {
        negative = true;
        ast = ast->unary.operand;
    }
    if (ast->kind != TN_SQL_EXPR_LITERAL || ast->literal.kind != TN_SQL_LIT_INTEGER)
        return tn_bind_error(b, TN_EINVAL, ast->node.pos, "%s must be an integer constant", what);
    *out = negative ? -ast->literal.integer : ast->literal.integer;
    return 0;
}

static int frame_bound(tn_binder *b, const tn_sql_frame_bound *in, bool rows,
                       tn_plan_frame_bound *kind, int64_t *offset)
{
    *offset = 0;
    switch (in->kind) {
    case TN_SQL_BOUND_UNBOUNDED_PRECEDING: *kind = TN_PLAN_FRAME_UNBOUNDED_PRECEDING; return 0;
    case TN_SQL_BOUND_CURRENT_ROW: *kind = TN_PLAN_FRAME_CURRENT_ROW; return 0;
    case TN_SQL_BOUND_UNBOUNDED_FOLLOWING: *kind = TN_PLAN_FRAME_UNBOUNDED_FOLLOWING; return 0;
    case TN_SQL_BOUND_PRECEDING:
    case TN_SQL_BOUND_FOLLOWING:
        break;
    }
    *kind = in->kind == TN_SQL_BOUND_PRECEDING ? TN_PLAN_FRAME_PRECEDING : TN_PLAN_FRAME_FOLLOWING;
    if (!rows)
        return 0; /* a RANGE offset: see bind_range_offsets */
    /* ROWS and GROUPS: a count */
    int rc = integer_argument(b, in->offset, "a frame offset", offset);
    if (rc == 0 && *offset < 0)
        rc = tn_bind_error(b, TN_EINVAL, in->offset->node.pos, "frame offsets must not be negative");
    return rc;
}

/* A RANGE offset as written: a number (integer, decimal or double literal) or an INTERVAL. */
static int range_literal(tn_binder *b, const tn_sql_expr *ast, tn_plan_value *out)
{
    memset(out, 0, sizeof *out);
    if (ast->kind == TN_SQL_EXPR_INTERVAL) {
        int rc = tn_bind_interval_value(b, ast, &out->interval);
        if (rc)
            return rc;
        out->type = tn_type_make(TN_PLAN_TYPE_INTERVAL);
        if (out->interval.months < 0 || out->interval.days < 0 || out->interval.micros < 0)
            return tn_bind_error(b, TN_EINVAL, ast->node.pos, "frame offsets must not be negative");
        return 0;
    }
    bool negative = false;
    while (ast->kind == TN_SQL_EXPR_UNARY &&
           (ast->unary.op == TN_SQL_OP_NEGATE || ast->unary.op == TN_SQL_OP_PLUS)) {
        negative ^= ast->unary.op == TN_SQL_OP_NEGATE;
        ast = ast->unary.operand;
    }
    const tn_sql_literal *l = &ast->literal;
    if (ast->kind != TN_SQL_EXPR_LITERAL ||
        (l->kind != TN_SQL_LIT_INTEGER && l->kind != TN_SQL_LIT_DECIMAL &&
         l->kind != TN_SQL_LIT_DOUBLE))
        return tn_bind_error(b, TN_EINVAL, ast->node.pos,
                             "a RANGE frame offset must be a constant number or INTERVAL");
    bool zero, below_zero;
    switch (l->kind) {
    case TN_SQL_LIT_INTEGER:
        out->type = tn_type_make(TN_TYPE_BIGINT);
        out->i64 = l->integer;
        zero = l->integer == 0;
        below_zero = l->integer < 0;
        break;
    case TN_SQL_LIT_DECIMAL:
        out->type = tn_type_decimal(l->precision ? l->precision : 1, l->scale);
        out->i128 = l->decimal;
        zero = l->decimal == 0;
        below_zero = l->decimal < 0;
        break;
    default:
        if (isnan(l->number))
            return tn_bind_error(b, TN_EINVAL, ast->node.pos, "a frame offset cannot be NaN");
        out->type = tn_type_make(TN_TYPE_DOUBLE);
        out->f64 = l->number;
        zero = l->number == 0;
        below_zero = l->number < 0;
        break;
    }
    if (zero)
        return 0;
    if (below_zero != negative)
        return tn_bind_error(b, TN_EINVAL, ast->node.pos, "frame offsets must not be negative");
    if (negative) {
        /* -(-n): the literal's own sign was folded in */
        if (l->kind == TN_SQL_LIT_INTEGER && l->integer == INT64_MIN)
            return tn_bind_error(b, TN_EOVERFLOW, ast->node.pos, "the frame offset is out of range");
        if (l->kind == TN_SQL_LIT_INTEGER)
            out->i64 = -out->i64;
        else if (l->kind == TN_SQL_LIT_DECIMAL)
            out->i128 = -out->i128;
        else
            out->f64 = -out->f64;
    }
    return 0;
}

/* *v times 10^digits; false when that passes 38 digits. */
static bool decimal_rescale(tn_i128 *v, int digits)
{
    const tn_i128 limit = (tn_i128)10000000000000000000u * 10000000000000000000u; /* 10^38 */
    for (int i = 0; i < digits; i++) {
        if (*v >= limit / 10 || *v <= -(limit / 10))
            return false;
        *v *= 10;
    }
    return true;
}

/* The offset v in the terms of a key of type key (as chosen by bind_range_offsets). */
static int range_offset_as(tn_binder *b, tn_plan_value *v, tn_type key, tn_sql_pos pos)
{
    switch ((tn_type_id)key.id) {
    case TN_TYPE_DATE:
        if (v->type.id == TN_TYPE_BIGINT) {
            /* DATE - integer counts days, as in DuckDB */
            if (v->i64 > INT32_MAX)
                return tn_bind_error(b, TN_EOVERFLOW, pos, "the frame offset is out of range");
            v->interval = (tn_plan_interval){0, (int32_t)v->i64, 0};
            v->type = tn_type_make(TN_PLAN_TYPE_INTERVAL);
        }
        if (v->type.id != TN_PLAN_TYPE_INTERVAL)
            return tn_bind_error(b, TN_ETYPE, pos,
                                 "a RANGE offset over a DATE key must be an INTERVAL or a "
                                 "number of days");
        return 0;
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        if (v->type.id != TN_PLAN_TYPE_INTERVAL)
            return tn_bind_error(b, TN_ETYPE, pos,
                                 "a RANGE offset over a TIMESTAMP key must be an INTERVAL");
        return 0;
    default: break;
    }
    if (v->type.id == TN_PLAN_TYPE_INTERVAL)
        return tn_bind_error(b, TN_ETYPE, pos,
                             "an INTERVAL offset needs a DATE or TIMESTAMP ORDER BY key");
    switch ((tn_type_id)key.id) {
    case TN_TYPE_INTEGER:
    case TN_TYPE_BIGINT: return 0; /* integer offsets only: see bind_range_offsets */
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE:
        if (v->type.id == TN_TYPE_BIGINT) {
            v->f64 = (double)v->i64;
        } else if (v->type.id == TN_TYPE_DECIMAL) {
            double scale = 1;
            for (int i = 0; i < v->type.scale; i++)
                scale *= 10;
            v->f64 = (double)v->i128 / scale;
        }
        v->type = tn_type_make(TN_TYPE_DOUBLE);
        return 0;
    default: break;
    }
    /* DECIMAL: the offset at the key's scale, which is at least the offset's */
    tn_i128 x = v->type.id == TN_TYPE_BIGINT ? (tn_i128)v->i64 : v->i128;
    int from = v->type.id == TN_TYPE_BIGINT ? 0 : v->type.scale;
    if (!decimal_rescale(&x, key.scale - from))
        return tn_bind_error(b, TN_EOVERFLOW, pos, "the frame offset is out of range");
    v->type = key;
    v->i128 = x;
    return 0;
}

/* RANGE frames with an offset bound: checks the ORDER BY key, chooses the type in which keys
 * and offsets meet (an integer key meeting a decimal offset is read as a DECIMAL, any number
 * meeting a double as a DOUBLE, as DuckDB's arithmetic would) and converts the offsets. */
static int bind_range_offsets(tn_binder *b, const tn_sql_window *over, tn_plan_window_func *f)
{
    tn_bind_window *w = b->win;
    if (f->order_count != 1)
        return tn_bind_error(b, TN_EINVAL, over->pos,
                             "RANGE frames with an offset need exactly one ORDER BY expression");
    const tn_sql_frame_bound *bounds[2] = {&over->frame_start,
                                           over->frame_between ? &over->frame_end : NULL};
    tn_plan_value *values[2] = {&f->start_value, &f->end_value};
    bool any_double = false;
    int scale = -1; /* the widest decimal offset's scale */
    for (int i = 0; i < 2; i++) {
        if (!bounds[i] || (bounds[i]->kind != TN_SQL_BOUND_PRECEDING &&
                           bounds[i]->kind != TN_SQL_BOUND_FOLLOWING))
            continue;
        int rc = range_literal(b, bounds[i]->offset, values[i]);
        if (rc)
            return rc;
        any_double |= values[i]->type.id == TN_TYPE_DOUBLE;
        if (values[i]->type.id == TN_TYPE_DECIMAL && values[i]->type.scale > scale)
            scale = values[i]->type.scale;
    }
    tn_plan_expr *key = w->inputs[f->order[0].column];
    tn_type kt = key->type, meet = kt;
    switch ((tn_type_id)kt.id) {
    case TN_TYPE_INTEGER:
    case TN_TYPE_BIGINT:
    case TN_TYPE_DECIMAL:
        if (any_double) {
            meet = tn_type_make(TN_TYPE_DOUBLE);
        } else if (scale > (kt.id == TN_TYPE_DECIMAL ? kt.scale : 0)) {
            int digits = kt.id == TN_TYPE_INTEGER ? 10
                         : kt.id == TN_TYPE_BIGINT ? 19
                                                   : kt.precision - kt.scale;
            if (digits + scale > TN_DECIMAL_MAX_PRECISION)
                return tn_bind_error(b, TN_EINVAL, over->pos,
                                     "the RANGE offset has more decimal places than the ORDER BY "
                                     "key can take: cast the key to DOUBLE");
            meet = tn_type_decimal(digits + scale, scale);
        }
        break;
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE:
    case TN_TYPE_DATE:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: break;
    default:
        return tn_bind_error(b, TN_ETYPE, over->pos,
                             "RANGE frames with an offset need a numeric, DATE or TIMESTAMP "
                             "ORDER BY key");
    }
    if (!tn_type_eq(meet, kt)) {
        /* the cast keeps the order and the peers of every key the offsets can meet */
        tn_plan_expr *cast;
        uint32_t idx;
        int rc = tn_bind_cast(b, key, meet, &cast);
        if (rc == 0)
            rc = add_input(b, cast, &idx);
        if (rc)
            return rc == TN_ENOMEM ? oom(b) : rc;
        f->order[0].column = idx;
    }
    for (int i = 0; i < 2; i++) {
        if (values[i]->type.id == TN_TYPE_INVALID)
            continue;
        int rc = range_offset_as(b, values[i], meet, bounds[i]->offset->node.pos);
        if (rc)
            return rc;
    }
    return 0;
}

static int bind_frame(tn_binder *b, const tn_sql_window *over, tn_plan_window_func *f)
{
    f->frame_start = TN_PLAN_FRAME_UNBOUNDED_PRECEDING;
    f->frame_end = TN_PLAN_FRAME_CURRENT_ROW;
    if (over->frame_mode == TN_SQL_FRAME_DEFAULT)
        return 0;
    f->frame_rows = over->frame_mode == TN_SQL_FRAME_ROWS;
    f->frame_groups = over->frame_mode == TN_SQL_FRAME_GROUPS;
    bool counted = f->frame_rows || f->frame_groups; /* offsets are integers */
    int rc = frame_bound(b, &over->frame_start, counted, &f->frame_start, &f->start_offset);
    if (rc == 0 && over->frame_between)
        rc = frame_bound(b, &over->frame_end, counted, &f->frame_end, &f->end_offset);
    if (rc)
        return rc;
    if (f->frame_start == TN_PLAN_FRAME_UNBOUNDED_FOLLOWING)
        return tn_bind_error(b, TN_EINVAL, over->pos,
                             "frame start cannot be UNBOUNDED FOLLOWING");
    if (f->frame_end == TN_PLAN_FRAME_UNBOUNDED_PRECEDING)
        return tn_bind_error(b, TN_EINVAL, over->pos, "frame end cannot be UNBOUNDED PRECEDING");
    if (f->frame_start > f->frame_end)
        return tn_bind_error(b, TN_EINVAL, over->pos,
                             "the frame starts after it ends: write the earlier bound first");
    bool offsets = f->frame_start == TN_PLAN_FRAME_PRECEDING ||
                   f->frame_start == TN_PLAN_FRAME_FOLLOWING ||
                   f->frame_end == TN_PLAN_FRAME_PRECEDING ||
                   f->frame_end == TN_PLAN_FRAME_FOLLOWING;
    if (!counted && offsets)
        return bind_range_offsets(b, over, f);
    return 0;
}

/* The window OVER means: a reference to a named window (OVER w, OVER (w ORDER BY ...))
 * resolved by PostgreSQL's rules. OVER w is w itself; in parentheses, w's PARTITION BY is
 * kept (and cannot be overridden), its ORDER BY taken when the reference has none (and
 * cannot be overridden), and w cannot have a frame. depth guards against cycles. */
static int resolve_window(tn_binder *b, const tn_bind_window *w, const tn_sql_window *over,
                          uint32_t depth, const tn_sql_window **out)
{
    *out = over;
    if (!over->ref_name)
        return 0;
    const tn_sql_window *def = NULL;
    for (uint32_t i = 0; i < w->named_count && !def; i++)
        if (strcmp(w->named[i]->name, over->ref_name) == 0)
            def = w->named[i];
    if (!def)
        return tn_bind_error(b, TN_EINVAL, over->pos,
                             "window \"%s\" does not exist: define it in the WINDOW clause",
                             over->ref_name);
    if (depth > w->named_count)
        return tn_bind_error(b, TN_EINVAL, over->pos,
                             "window \"%s\" is defined in terms of itself", over->ref_name);
    const tn_sql_window *base;
    int rc = resolve_window(b, w, def, depth + 1, &base);
    if (rc || over->bare_ref) {
        *out = base;
        return rc;
    }
    if (over->partition_by.count)
        return tn_bind_error(b, TN_EINVAL, over->pos,
                             "cannot override PARTITION BY clause of window \"%s\"",
                             over->ref_name);
    if (over->order_by.count && base->order_by.count)
        return tn_bind_error(b, TN_EINVAL, over->pos,
                             "cannot override ORDER BY clause of window \"%s\"", over->ref_name);
    if (base->frame_mode != TN_SQL_FRAME_DEFAULT)
        return tn_bind_error(b, TN_EINVAL, over->pos,
                             "cannot copy window \"%s\" because it has a frame clause: write "
                             "OVER %s without parentheses, or move the frame out of it",
                             over->ref_name, over->ref_name);
    tn_sql_window *merged = tn_arena_alloc(b->arena, sizeof *merged);
    if (!merged)
        return oom(b);
    *merged = *over;
    merged->ref_name = NULL;
    merged->partition_by = base->partition_by;
    if (!over->order_by.count)
        merged->order_by = base->order_by;
    *out = merged;
    return 0;
}

int tn_bind_window_clause(tn_binder *b, const tn_sql_select *sel, tn_bind_window *w)
{
    w->named = sel->windows;
    w->named_count = sel->window_count;
    for (uint32_t i = 0; i < sel->window_count; i++) {
        const tn_sql_window *def = sel->windows[i], *resolved;
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(sel->windows[j]->name, def->name) == 0)
                return tn_bind_error(b, TN_EINVAL, def->pos, "window \"%s\" is already defined",
                                     def->name);
        int rc = resolve_window(b, w, def, 0, &resolved);
        if (rc)
            return rc;
    }
    return 0;
}

typedef struct window_name {
    const char *name;
    tn_plan_window_kind kind;
    uint32_t min_args, max_args;
} window_name;

static const window_name window_names[] = {
    {"row_number", TN_PLAN_WIN_ROW_NUMBER, 0, 0},
    {"rank", TN_PLAN_WIN_RANK, 0, 0},
    {"dense_rank", TN_PLAN_WIN_DENSE_RANK, 0, 0},
    {"percent_rank", TN_PLAN_WIN_PERCENT_RANK, 0, 0},
    {"cume_dist", TN_PLAN_WIN_CUME_DIST, 0, 0},
    {"ntile", TN_PLAN_WIN_NTILE, 1, 1},
    {"lag", TN_PLAN_WIN_LAG, 1, 3},
    {"lead", TN_PLAN_WIN_LEAD, 1, 3},
    {"first_value", TN_PLAN_WIN_FIRST_VALUE, 1, 1},
    {"last_value", TN_PLAN_WIN_LAST_VALUE, 1, 1},
    {"nth_value", TN_PLAN_WIN_NTH_VALUE, 2, 2},
    {"count", TN_PLAN_WIN_COUNT, 1, 1},
    {"sum", TN_PLAN_WIN_SUM, 1, 1},
    {"avg", TN_PLAN_WIN_AVG, 1, 1},
    {"mean", TN_PLAN_WIN_AVG, 1, 1},
    {"min", TN_PLAN_WIN_MIN, 1, 1},
    {"max", TN_PLAN_WIN_MAX, 1, 1},
};

/* The result type, with the argument cast where NULL literals leave it open. */
static int result_type(tn_binder *b, tn_plan_window_func *f, tn_plan_expr **arg, tn_sql_pos pos)
{
    tn_type at = *arg ? (*arg)->type : tn_type_make(TN_TYPE_INVALID);
    int rc = 0;
    switch (f->kind) {
    case TN_PLAN_WIN_ROW_NUMBER:
    case TN_PLAN_WIN_RANK:
    case TN_PLAN_WIN_DENSE_RANK:
    case TN_PLAN_WIN_NTILE:
    case TN_PLAN_WIN_COUNT_STAR:
    case TN_PLAN_WIN_COUNT: f->type = tn_type_make(TN_TYPE_BIGINT); return 0;
    case TN_PLAN_WIN_PERCENT_RANK:
    case TN_PLAN_WIN_CUME_DIST: f->type = tn_type_make(TN_TYPE_DOUBLE); return 0;
    case TN_PLAN_WIN_SUM:
        if (at.id == TN_TYPE_INVALID)
            rc = tn_bind_cast(b, *arg, at = tn_type_make(TN_TYPE_BIGINT), arg);
        if (at.id == TN_TYPE_INTEGER || at.id == TN_TYPE_BIGINT || at.id == TN_TYPE_BOOLEAN)
            f->type = tn_type_make(TN_TYPE_BIGINT);
        else if (at.id == TN_TYPE_DECIMAL)
            f->type = tn_type_decimal(TN_DECIMAL_MAX_PRECISION, at.scale);
        else if (at.id == TN_TYPE_REAL || at.id == TN_TYPE_DOUBLE)
            f->type = tn_type_make(TN_TYPE_DOUBLE);
        else
            rc = tn_bind_error(b, TN_ETYPE, pos, "SUM needs a numeric argument");
        if (rc == 0 && at.id == TN_TYPE_BOOLEAN)
            rc = tn_bind_cast(b, *arg, tn_type_make(TN_TYPE_BIGINT), arg);
        return rc;
    case TN_PLAN_WIN_AVG:
        f->type = tn_type_make(TN_TYPE_DOUBLE);
        if (at.id == TN_TYPE_INTEGER || at.id == TN_TYPE_BIGINT || at.id == TN_TYPE_DECIMAL ||
            at.id == TN_TYPE_REAL || at.id == TN_TYPE_INVALID)
            return tn_bind_cast(b, *arg, f->type, arg);
        if (at.id != TN_TYPE_DOUBLE)
            return tn_bind_error(b, TN_ETYPE, pos, "AVG needs a numeric argument");
        return 0;
    default:
        /* the value of some row of the frame or partition: the argument's type */
        if (at.id == TN_TYPE_INVALID)
            rc = tn_bind_cast(b, *arg, at = tn_type_make(TN_TYPE_INTEGER), arg);
        f->type = at;
        return rc;
    }
}

int tn_bind_window_call(tn_binder *b, const tn_bind_scope *scope, const tn_sql_expr *ast,
                        const char *name, tn_plan_expr **out)
{
    const tn_sql_call *call = &ast->call;
    const tn_sql_window *over = call->over;
    tn_bind_window *w = b->win;
    int rc;
    if (!w)
        return tn_bind_error(b, TN_EINVAL, ast->node.pos,
                             "window functions are not allowed here: use them in the select "
                             "list, ORDER BY or QUALIFY");
    if (w->in_call)
        return tn_bind_error(b, TN_EINVAL, ast->node.pos,
                             "window function calls cannot be nested");
    if ((rc = resolve_window(b, w, over, 0, &over)) != 0)
        return rc;
    if (call->distinct || call->filter || call->order_by.count)
        return tn_bind_error(b, TN_EUNSUPPORTED, ast->node.pos,
                             "DISTINCT, FILTER and ORDER BY inside a window function call are "
                             "not supported");
    tn_buf text = TN_BUF_INIT;
    if (tn_sql_ast_format(&ast->node, &text) != 0) {
        tn_buf_free(&text);
        return oom(b);
    }
    const char *t = tn_buf_cstr(&text);
    for (uint32_t k = 0; k < w->func_count; k++)
        if (strcmp(w->funcs[k].text, t) == 0) {
            tn_buf_free(&text);
            *out = tn_bind_column_ref(b, TN_BIND_WINDOW_REF + k, w->funcs[k].type);
            return *out ? 0 : oom(b);
        }
    tn_plan_window_func f = {0};
    f.text = tn_arena_strdup(b->arena, t);
    tn_buf_free(&text);
    if (!f.text)
        return oom(b);
    f.arg = -1;
    f.default_value = -1;
    const window_name *wn = NULL;
    for (size_t i = 0; i < sizeof window_names / sizeof window_names[0] && !wn; i++)
        if (strcmp(window_names[i].name, name) == 0)
            wn = &window_names[i];
    if (!wn)
        return tn_bind_error(b, TN_EINVAL, ast->node.pos,
                             tn_bind_is_aggregate(name)
                                 ? "%s is not supported as a window function"
                                 : "%s is not a window function (OVER needs a ranking, value "
                                   "or aggregate function)",
                             name);
    f.kind = wn->kind;
    uint32_t argc = call->args.count;
    if (call->star && f.kind == TN_PLAN_WIN_COUNT) {
        f.kind = TN_PLAN_WIN_COUNT_STAR;
    } else if (argc < wn->min_args || argc > wn->max_args) {
        if (wn->min_args == wn->max_args)
            return tn_bind_error(b, TN_EINVAL, ast->node.pos, "%s takes %u argument%s", name,
                                 wn->min_args, wn->min_args == 1 ? "" : "s");
        return tn_bind_error(b, TN_EINVAL, ast->node.pos, "%s takes %u to %u arguments", name,
                             wn->min_args, wn->max_args);
    }
    w->in_call = true;
    tn_plan_expr *arg = NULL;
    uint32_t idx;
    f.param = 1;
    if (f.kind == TN_PLAN_WIN_NTILE) {
        rc = integer_argument(b, call->args.items[0], "the number of NTILE buckets", &f.param);
        if (rc == 0 && f.param <= 0)
            rc = tn_bind_error(b, TN_EINVAL, call->args.items[0]->node.pos,
                               "the number of NTILE buckets must be positive");
    } else if (argc > 0 && f.kind != TN_PLAN_WIN_COUNT_STAR) {
        rc = tn_bind_expr(b, scope, call->args.items[0], &arg);
        if (rc == 0)
            rc = result_type(b, &f, &arg, ast->node.pos);
        if (rc == 0 && (rc = add_input(b, arg, &idx)) == 0)
            f.arg = (int32_t)idx;
        if (rc == 0 && f.kind == TN_PLAN_WIN_NTH_VALUE) {
            rc = integer_argument(b, call->args.items[1], "the NTH_VALUE position", &f.param);
            if (rc == 0 && f.param <= 0)
                rc = tn_bind_error(b, TN_EINVAL, call->args.items[1]->node.pos,
                                   "the NTH_VALUE position must be positive");
        }
        if (rc == 0 && (f.kind == TN_PLAN_WIN_LAG || f.kind == TN_PLAN_WIN_LEAD) && argc > 1) {
            rc = integer_argument(b, call->args.items[1], "the LAG/LEAD offset", &f.param);
            if (rc == 0 && f.param < 0) {
                /* a negative offset looks the other way, as in PostgreSQL */
                f.kind = f.kind == TN_PLAN_WIN_LAG ? TN_PLAN_WIN_LEAD : TN_PLAN_WIN_LAG;
                f.param = -f.param;
            }
        }
        if (rc == 0 && (f.kind == TN_PLAN_WIN_LAG || f.kind == TN_PLAN_WIN_LEAD) && argc > 2) {
            tn_plan_expr *d;
            rc = tn_bind_expr(b, scope, call->args.items[2], &d);
            if (rc == 0)
                rc = tn_bind_cast(b, d, f.type, &d);
            if (rc == 0 && (rc = add_input(b, d, &idx)) == 0)
                f.default_value = (int32_t)idx;
        }
    }
    if (rc == 0 && (f.kind == TN_PLAN_WIN_COUNT_STAR || argc == 0 || f.kind == TN_PLAN_WIN_NTILE))
        rc = result_type(b, &f, &arg, ast->node.pos);
    if (rc == 0 && over->partition_by.count) {
        f.partition = tn_arena_calloc(b->arena, over->partition_by.count * sizeof *f.partition);
        if (!f.partition)
            rc = oom(b);
        for (uint32_t i = 0; rc == 0 && i < over->partition_by.count; i++)
            rc = bind_input(b, scope, over->partition_by.items[i], NULL, &f.partition[i]);
        f.partition_count = over->partition_by.count;
    }
    if (rc == 0 && over->order_by.count) {
        f.order = tn_arena_calloc(b->arena, over->order_by.count * sizeof *f.order);
        if (!f.order)
            rc = oom(b);
        for (uint32_t i = 0; rc == 0 && i < over->order_by.count; i++) {
            const tn_sql_order_item *it = &over->order_by.items[i];
            tn_plan_window_order *o = &f.order[i];
            rc = bind_input(b, scope, it->expr, NULL, &o->column);
            o->descending = it->dir == TN_SQL_SORT_DESC;
            o->nulls_first = it->nulls == TN_SQL_NULLS_DEFAULT ? o->descending
                                                               : it->nulls == TN_SQL_NULLS_FIRST;
        }
        f.order_count = over->order_by.count;
    }
    if (rc == 0)
        rc = bind_frame(b, over, &f);
    w->in_call = false;
    if (rc)
        return rc;
    if (w->func_count == w->func_cap) {
        uint32_t cap = w->func_cap ? w->func_cap * 2 : 4;
        tn_plan_window_func *n = tn_arena_calloc(b->arena, cap * sizeof *n);
        if (!n)
            return oom(b);
        if (w->func_count)
            memcpy(n, w->funcs, w->func_count * sizeof *n);
        w->funcs = n;
        w->func_cap = cap;
    }
    w->funcs[w->func_count] = f;
    *out = tn_bind_column_ref(b, TN_BIND_WINDOW_REF + w->func_count, f.type);
    w->func_count++;
    return *out ? 0 : oom(b);
}

static void patch_list(tn_plan_expr **list, uint32_t count, uint32_t base)
{
    for (uint32_t i = 0; i < count; i++)
        tn_bind_window_patch(list[i], base);
}

void tn_bind_window_patch(tn_plan_expr *e, uint32_t base)
{
    if (!e)
        return;
    switch (e->kind) {
    case TN_PLAN_EXPR_COLUMN:
        if (e->column >= TN_BIND_WINDOW_REF)
            e->column = base + (e->column - TN_BIND_WINDOW_REF);
        break;
    case TN_PLAN_EXPR_CALL: patch_list(e->call.args, e->call.arg_count, base); break;
    case TN_PLAN_EXPR_CAST: tn_bind_window_patch(e->cast.operand, base); break;
    case TN_PLAN_EXPR_CASE:
        patch_list(e->case_expr.conditions, e->case_expr.when_count, base);
        patch_list(e->case_expr.results, e->case_expr.when_count, base);
        tn_bind_window_patch(e->case_expr.else_result, base);
        break;
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE: patch_list(e->logical.operands, e->logical.count, base); break;
    case TN_PLAN_EXPR_NOT: tn_bind_window_patch(e->unary.operand, base); break;
    case TN_PLAN_EXPR_IS_NULL: tn_bind_window_patch(e->is_null.operand, base); break;
    case TN_PLAN_EXPR_IS_BOOL: tn_bind_window_patch(e->is_bool.operand, base); break;
    case TN_PLAN_EXPR_COMPARE:
        tn_bind_window_patch(e->compare.left, base);
        tn_bind_window_patch(e->compare.right, base);
        break;
    case TN_PLAN_EXPR_IN_LIST:
        tn_bind_window_patch(e->in_list.operand, base);
        patch_list(e->in_list.items, e->in_list.count, base);
        break;
    case TN_PLAN_EXPR_IN_QUERY: tn_bind_window_patch(e->subquery.operand, base); break;
    default: break;
    }
}

int tn_bind_window_op(tn_binder *b, tn_plan_op **op)
{
    tn_bind_window *w = b->win;
    tn_plan_op *in = *op;
    uint32_t width = in->column_count, inputs = w->input_count;
    /* the input: the operator's columns as they are, then the arguments and keys */
    tn_plan_op *p = tn_plan_op_new(b->arena, TN_PLAN_PROJECT, width + inputs);
    if (!p)
        return oom(b);
    p->project.exprs = tn_arena_calloc(b->arena, (width + inputs + 1) * sizeof *p->project.exprs);
    if (!p->project.exprs)
        return oom(b);
    for (uint32_t i = 0; i < width; i++) {
        if (!(p->project.exprs[i] = tn_bind_column_ref(b, i, in->columns[i].type)))
            return oom(b);
        p->columns[i] = in->columns[i];
    }
    for (uint32_t i = 0; i < inputs; i++) {
        p->project.exprs[width + i] = w->inputs[i];
        p->columns[width + i] = (tn_plan_column){"", w->inputs[i]->type, true};
    }
    p->children[0] = in;
    p->child_count = 1;
    p->estimated_rows = in->estimated_rows;
    tn_plan_op *wop = tn_plan_op_new(b->arena, TN_PLAN_WINDOW, width + inputs + w->func_count);
    if (!wop)
        return oom(b);
    memcpy(wop->columns, p->columns, (width + inputs) * sizeof *wop->columns);
    for (uint32_t k = 0; k < w->func_count; k++) {
        tn_plan_window_func *f = &w->funcs[k];
        if (f->arg >= 0)
            f->arg += (int32_t)width;
        if (f->default_value >= 0)
            f->default_value += (int32_t)width;
        for (uint32_t i = 0; i < f->partition_count; i++)
            f->partition[i] += width;
        for (uint32_t i = 0; i < f->order_count; i++)
            f->order[i].column += width;
        wop->columns[width + inputs + k] = (tn_plan_column){f->text, f->type, true};
    }
    wop->window.funcs = w->funcs;
    wop->window.func_count = w->func_count;
    wop->children[0] = p;
    wop->child_count = 1;
    wop->estimated_rows = in->estimated_rows;
    *op = wop;
    return 0;
}
