/* SPDX-License-Identifier: Apache-2.0
 *
 * Expressions: precedence climbing over PostgreSQL's operator table (loosest first):
 *   OR, AND, NOT, IS, comparison, BETWEEN/IN/LIKE/ILIKE, ||, + -, * / %, ^, unary + -, ::
 * and the primaries: literals, names, function calls (with DISTINCT, ORDER BY, FILTER,
 * OVER), CASE, CAST/TRY_CAST, EXISTS, subqueries, INTERVAL and typed literals, parameters,
 * and the SQL-standard call forms EXTRACT, SUBSTRING, POSITION and TRIM (normalised to plain
 * calls, see ast.h).
 *
 * A '(' in an expression may open a subquery, a parenthesised expression, or several
 * parentheses around a subquery that is then used in an expression ("((SELECT 1) + 1)") or
 * continued as a query ("((SELECT 1) UNION (SELECT 2))"); parse_parenthesized decides this
 * after reading the innermost part, without backtracking.
 */
#include "sql/parser/parser_int.h"

/* ------------------------------------------------------------------------------------------
 * Nodes and heights
 * ---------------------------------------------------------------------------------------- */

/* A new expression node of height 1 (leaf) at pos. */
tn_sql_expr *tn_sql_new_expr(tn_sql_parser *p, tn_sql_expr_kind kind, tn_sql_pos pos)
{
    tn_sql_expr *e = tn_sql_alloc(p, sizeof(*e));
    if (!e) return NULL;
    e->node.type = TN_SQL_NODE_EXPR;
    e->node.height = 1;
    e->node.pos = pos;
    e->kind = kind;
    return e;
}

uint32_t tn_sql_window_height(const tn_sql_window *w)
{
    if (!w) return 0;
    uint32_t m =
        tn_sql_max_u32(tn_sql_list_height(&w->partition_by), tn_sql_order_height(&w->order_by));
    m = tn_sql_max_u32(m, tn_sql_expr_height(w->frame_start.offset));
    return tn_sql_max_u32(m, tn_sql_expr_height(w->frame_end.offset));
}

/* Sets the height from the children (computed once, when the node is complete). */
bool tn_sql_expr_finish(tn_sql_parser *p, tn_sql_expr *e)
{
    if (!e || p->code) return false;
    uint32_t m = 0;
    switch (e->kind) {
    case TN_SQL_EXPR_LITERAL:
    case TN_SQL_EXPR_COLUMN:
    case TN_SQL_EXPR_STAR:
    case TN_SQL_EXPR_PARAM:
        break;
    case TN_SQL_EXPR_UNARY:
        m = tn_sql_expr_height(e->unary.operand);
        break;
    case TN_SQL_EXPR_BINARY:
        m = tn_sql_max_u32(tn_sql_expr_height(e->binary.left), tn_sql_expr_height(e->binary.right));
        break;
    case TN_SQL_EXPR_AND:
    case TN_SQL_EXPR_OR:
        m = tn_sql_list_height(&e->logical.operands);
        break;
    case TN_SQL_EXPR_IS:
        m = tn_sql_expr_height(e->is.operand);
        break;
    case TN_SQL_EXPR_BETWEEN:
        m = tn_sql_max_u32(tn_sql_expr_height(e->between.operand),
                           tn_sql_max_u32(tn_sql_expr_height(e->between.low),
                                          tn_sql_expr_height(e->between.high)));
        break;
    case TN_SQL_EXPR_IN_LIST:
        m = tn_sql_max_u32(tn_sql_expr_height(e->in_list.operand),
                           tn_sql_list_height(&e->in_list.list));
        break;
    case TN_SQL_EXPR_IN_QUERY:
        m = tn_sql_max_u32(tn_sql_expr_height(e->in_query.operand),
                           tn_sql_query_height(e->in_query.query));
        break;
    case TN_SQL_EXPR_LIKE:
        m = tn_sql_max_u32(tn_sql_expr_height(e->like.operand),
                           tn_sql_max_u32(tn_sql_expr_height(e->like.pattern),
                                          tn_sql_expr_height(e->like.escape)));
        break;
    case TN_SQL_EXPR_CAST:
        m = tn_sql_expr_height(e->cast.operand);
        break;
    case TN_SQL_EXPR_CASE:
        m = tn_sql_max_u32(tn_sql_expr_height(e->case_expr.operand),
                           tn_sql_expr_height(e->case_expr.else_result));
        for (uint32_t i = 0; i < e->case_expr.when_count; i++)
            m = tn_sql_max_u32(m,
                               tn_sql_max_u32(tn_sql_expr_height(e->case_expr.whens[i].condition),
                                              tn_sql_expr_height(e->case_expr.whens[i].result)));
        break;
    case TN_SQL_EXPR_FUNCTION:
        m = tn_sql_max_u32(tn_sql_list_height(&e->call.args),
                           tn_sql_order_height(&e->call.order_by));
        m = tn_sql_max_u32(
            m, tn_sql_max_u32(tn_sql_expr_height(e->call.filter), tn_sql_window_height(e->call.over)));
        break;
    case TN_SQL_EXPR_SUBQUERY:
    case TN_SQL_EXPR_EXISTS:
        m = tn_sql_query_height(e->subquery.query);
        break;
    case TN_SQL_EXPR_QUANTIFIED:
        m = tn_sql_max_u32(tn_sql_expr_height(e->quantified.operand),
                           tn_sql_query_height(e->quantified.query));
        break;
    case TN_SQL_EXPR_INTERVAL:
        m = tn_sql_expr_height(e->interval.value);
        break;
    }
    e->node.height = m + 1;
    return tn_sql_check_height(p, &e->node);
}

/* Finishes e and returns it, or NULL when it is NULL or too high. */
static tn_sql_expr *done(tn_sql_parser *p, tn_sql_expr *e)
{
    return tn_sql_expr_finish(p, e) ? e : NULL;
}

static bool parse_parenthesized(tn_sql_parser *p, tn_sql_query **query_out, tn_sql_expr **expr_out);
static tn_sql_expr *new_subquery(tn_sql_parser *p, tn_sql_expr_kind kind, tn_sql_query *q,
                                 tn_sql_pos pos);

/* ------------------------------------------------------------------------------------------
 * Literals
 * ---------------------------------------------------------------------------------------- */

/* Classifies numeric text (optionally with a leading '-') into lit: INTEGER when it fits
 * int64, DECIMAL for a plain decimal (or a bigger integer) of up to 38 digits, else DOUBLE. */
static bool make_number(tn_sql_parser *p, tn_sql_literal *lit, const char *text, size_t n,
                        tn_sql_pos pos)
{
    size_t i = (n > 0 && text[0] == '-') ? 1 : 0;
    bool dot = false, exp = false, leading = true;
    int int_digits = 0, frac_digits = 0;
    for (size_t k = i; k < n && !exp; k++) {
        char c = text[k];
        if (c == '.') {
            dot = true;
        } else if (c == 'e' || c == 'E') {
            exp = true;
        } else if (!dot) {
            if (leading && c == '0') continue;
            leading = false;
            int_digits++;
        } else {
            frac_digits++;
        }
    }
    memset(lit, 0, sizeof(*lit));
    char *copy = tn_sql_strndup(p, text, n);
    if (!copy) return false;
    lit->text = tn_str_make(copy, n);
    if (!tn_parse_double(text, n, &lit->number)) {
        tn_sql_error_at(p, TN_EPARSE, pos, "invalid number \"%s\"", copy);
        return false;
    }
    lit->kind = TN_SQL_LIT_DOUBLE;
    if (exp) return true;
    if (!dot && tn_parse_int64(text, n, &lit->integer)) {
        lit->kind = TN_SQL_LIT_INTEGER;
        return true;
    }
    int precision = int_digits + frac_digits;
    if (precision == 0) precision = 1;
    if (precision > TN_DECIMAL_MAX_PRECISION)
        return true; /* stays DOUBLE: too many digits for an exact decimal */
    tn_i128 v = 0;
    for (size_t k = i; k < n; k++)
        if (text[k] >= '0' && text[k] <= '9') v = v * 10 + (text[k] - '0');
    lit->kind = TN_SQL_LIT_DECIMAL;
    lit->decimal = i ? -v : v;
    lit->precision = (uint8_t)precision;
    lit->scale = (uint8_t)frac_digits;
    return true;
}

static bool is_number_literal(const tn_sql_expr *e)
{
    return e->kind == TN_SQL_EXPR_LITERAL &&
           (e->literal.kind == TN_SQL_LIT_INTEGER || e->literal.kind == TN_SQL_LIT_DECIMAL ||
            e->literal.kind == TN_SQL_LIT_DOUBLE);
}

/* Folds a minus sign into a numeric literal by flipping the sign of its text and
 * classifying it again (so -9223372036854775808 becomes an INTEGER). */
static tn_sql_expr *negate_literal(tn_sql_parser *p, tn_sql_expr *e, tn_sql_pos pos)
{
    tn_str t = e->literal.text;
    if (t.len > 0 && t.ptr[0] == '-') {
        if (!make_number(p, &e->literal, t.ptr + 1, t.len - 1, pos)) return NULL;
    } else {
        char *neg = tn_sql_alloc(p, t.len + 2);
        if (!neg) return NULL;
        neg[0] = '-';
        memcpy(neg + 1, t.ptr, t.len);
        if (!make_number(p, &e->literal, neg, t.len + 1, pos)) return NULL;
    }
    e->node.pos = pos;
    return e;
}

static tn_sql_expr *new_string(tn_sql_parser *p, const char *s, size_t n, tn_sql_pos pos)
{
    tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_LITERAL, pos);
    if (!e) return NULL;
    e->literal.kind = TN_SQL_LIT_STRING;
    e->literal.text = tn_str_make(s, n);
    return e;
}

static tn_sql_expr *new_integer(tn_sql_parser *p, int64_t v, const char *text, tn_sql_pos pos)
{
    tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_LITERAL, pos);
    if (!e) return NULL;
    e->literal.kind = TN_SQL_LIT_INTEGER;
    e->literal.integer = v;
    e->literal.number = (double)v;
    e->literal.text = tn_str_c(text);
    return e;
}

/* ------------------------------------------------------------------------------------------
 * Small forms: CASE, CAST, INTERVAL, typed literals
 * ---------------------------------------------------------------------------------------- */

static tn_sql_expr *parse_case(tn_sql_parser *p)
{
    tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_CASE, tn_sql_peek(p)->pos);
    if (!e) return NULL;
    tn_sql_advance(p);
    if (!tn_sql_is_kw(p, TN_SQL_KW_WHEN)) {
        tn_sql_expect_note(p, "WHEN");
        e->case_expr.operand = tn_sql_parse_a_expr(p);
        if (!e->case_expr.operand) return NULL;
    }
    uint32_t cap = 0;
    while (tn_sql_accept_kw(p, TN_SQL_KW_WHEN, NULL)) {
        if (!tn_sql_grow(p, (void **)&e->case_expr.whens, e->case_expr.when_count, &cap,
                         sizeof(*e->case_expr.whens)))
            return NULL;
        tn_sql_when *w = &e->case_expr.whens[e->case_expr.when_count];
        w->condition = tn_sql_parse_a_expr(p);
        if (!w->condition || !tn_sql_expect_kw(p, TN_SQL_KW_THEN)) return NULL;
        w->result = tn_sql_parse_a_expr(p);
        if (!w->result) return NULL;
        e->case_expr.when_count++;
    }
    if (e->case_expr.when_count == 0) return tn_sql_syntax_error(p);
    if (tn_sql_accept_kw(p, TN_SQL_KW_ELSE, NULL)) {
        e->case_expr.else_result = tn_sql_parse_a_expr(p);
        if (!e->case_expr.else_result) return NULL;
    }
    if (!tn_sql_expect_kw(p, TN_SQL_KW_END)) return NULL;
    return done(p, e);
}

/* CAST '(' expr AS type ')' and TRY_CAST. */
static tn_sql_expr *parse_cast(tn_sql_parser *p, tn_sql_cast_form form)
{
    tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_CAST, tn_sql_peek(p)->pos);
    if (!e) return NULL;
    tn_sql_advance(p);
    e->cast.form = form;
    if (!tn_sql_expect_op(p, TN_SQL_TOKOP_LPAREN)) return NULL;
    e->cast.operand = tn_sql_parse_a_expr(p);
    if (!e->cast.operand || !tn_sql_expect_kw(p, TN_SQL_KW_AS) ||
        !tn_sql_parse_type_name(p, &e->cast.type) || !tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN))
        return NULL;
    return done(p, e);
}

/* Looks up an interval unit word, singular or plural. */
static tn_sql_interval_unit interval_unit(const tn_sql_token *t)
{
    static const char *const names[TN_SQL_UNIT_COUNT] = {[TN_SQL_UNIT_NONE] = "",
#define UNIT_NAME(name, text) [TN_SQL_UNIT_##name] = text,
                                                         TN_SQL_INTERVAL_UNITS(UNIT_NAME)
#undef UNIT_NAME
    };
    if (t->type != TN_SQL_TOK_IDENT && t->type != TN_SQL_TOK_KEYWORD) return TN_SQL_UNIT_NONE;
    size_t n = t->text_len;
    if (n > 1 && t->text[n - 1] == 's') n--; /* days, hours ... */
    for (int u = 1; u < TN_SQL_UNIT_COUNT; u++)
        if (strlen(names[u]) == n && memcmp(names[u], t->text, n) == 0)
            return (tn_sql_interval_unit)u;
    return TN_SQL_UNIT_NONE;
}

/* INTERVAL 'text' [unit] | INTERVAL number unit | INTERVAL (expr) unit */
static tn_sql_expr *parse_interval(tn_sql_parser *p)
{
    tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_INTERVAL, tn_sql_peek(p)->pos);
    if (!e) return NULL;
    tn_sql_advance(p);
    tn_sql_token *t = tn_sql_peek(p);
    bool unit_required = true;
    if (t->type == TN_SQL_TOK_STRING) {
        e->interval.value = new_string(p, t->text, t->text_len, t->pos);
        unit_required = false;
        tn_sql_advance(p);
    } else if (t->type == TN_SQL_TOK_NUMBER) {
        tn_sql_expr *v = tn_sql_new_expr(p, TN_SQL_EXPR_LITERAL, t->pos);
        if (!v || !make_number(p, &v->literal, t->text, t->text_len, t->pos)) return NULL;
        e->interval.value = v;
        tn_sql_advance(p);
    } else {
        tn_sql_query *q;
        tn_sql_expr *v;
        if (!parse_parenthesized(p, &q, &v)) return NULL;
        e->interval.value = q ? new_subquery(p, TN_SQL_EXPR_SUBQUERY, q, t->pos) : v;
    }
    if (!e->interval.value) return NULL;
    e->interval.unit = interval_unit(tn_sql_peek(p));
    if (e->interval.unit != TN_SQL_UNIT_NONE) {
        tn_sql_advance(p);
    } else if (unit_required) {
        tn_sql_expect_note(p, "an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND ...)");
        return tn_sql_syntax_error(p);
    }
    return done(p, e);
}

/* type 'text': DATE '2024-01-01', TIMESTAMP WITH TIME ZONE '...'. */
static tn_sql_expr *parse_typed_literal(tn_sql_parser *p)
{
    tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_CAST, tn_sql_peek(p)->pos);
    if (!e || !tn_sql_parse_type_name(p, &e->cast.type)) return NULL;
    e->cast.form = TN_SQL_CAST_LITERAL;
    tn_sql_token *t = tn_sql_peek(p);
    e->cast.operand = new_string(p, t->text, t->text_len, t->pos);
    if (!e->cast.operand || !tn_sql_expr_finish(p, e->cast.operand)) return NULL;
    tn_sql_advance(p);
    return done(p, e);
}

/* ------------------------------------------------------------------------------------------
 * Function calls
 * ---------------------------------------------------------------------------------------- */

/* A one-part name made up by the parser (date_part for EXTRACT ...). */
static bool make_name(tn_sql_parser *p, const char *text, tn_sql_pos pos, tn_sql_name *out)
{
    out->parts = tn_sql_alloc(p, sizeof(*out->parts));
    if (!out->parts) return false;
    out->parts[0].name = text;
    out->parts[0].pos = pos;
    out->count = 1;
    return true;
}

/* Arguments after '(' up to and including ')', as a plain comma list, starting with
 * `first` when it is already parsed. */
static bool parse_rest_of_args(tn_sql_parser *p, tn_sql_expr *e, uint32_t *cap, tn_sql_expr *first)
{
    if (first && !tn_sql_list_push(p, &e->call.args, cap, first)) return false;
    if (first && !tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA))
        return tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN);
    do {
        tn_sql_expr *a = tn_sql_parse_a_expr(p);
        if (!a || !tn_sql_list_push(p, &e->call.args, cap, a)) return false;
    } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
    return tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN);
}

/* EXTRACT(field FROM x) as date_part('field', x). */
static bool parse_extract(tn_sql_parser *p, tn_sql_expr *e, uint32_t *cap)
{
    tn_sql_token *t = tn_sql_peek(p);
    if (!(tn_sql_tok_is_label(t) || t->type == TN_SQL_TOK_STRING)) {
        tn_sql_expect_note(p, "a date part (YEAR, MONTH, DAY ...)");
        tn_sql_syntax_error(p);
        return false;
    }
    /* The field is folded like an identifier, also when written as a string. */
    char *field = tn_sql_strndup(p, t->text, t->text_len);
    if (!field) return false;
    for (char *c = field; *c; c++)
        if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
    tn_sql_expr *f = new_string(p, field, t->text_len, t->pos);
    tn_sql_advance(p);
    if (!f || !tn_sql_expr_finish(p, f) || !tn_sql_list_push(p, &e->call.args, cap, f) ||
        !tn_sql_expect_kw(p, TN_SQL_KW_FROM))
        return false;
    tn_sql_expr *x = tn_sql_parse_a_expr(p);
    if (!x || !tn_sql_list_push(p, &e->call.args, cap, x)) return false;
    return make_name(p, "date_part", e->call.name.parts[0].pos, &e->call.name) &&
           tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN);
}

/* SUBSTRING(x FROM a [FOR b]) / SUBSTRING(x FOR b [FROM a]) / substring(x, a, b). */
static bool parse_substring(tn_sql_parser *p, tn_sql_expr *e, uint32_t *cap)
{
    tn_sql_expr *x = tn_sql_parse_a_expr(p);
    if (!x) return false;
    if (!tn_sql_is_kw(p, TN_SQL_KW_FROM) && !tn_sql_is_kw(p, TN_SQL_KW_FOR))
        return parse_rest_of_args(p, e, cap, x);
    tn_sql_expr *from = NULL, *len = NULL;
    tn_sql_pos pos = tn_sql_peek(p)->pos;
    if (tn_sql_accept_kw(p, TN_SQL_KW_FROM, NULL)) {
        if (!(from = tn_sql_parse_a_expr(p))) return false;
        if (tn_sql_accept_kw(p, TN_SQL_KW_FOR, NULL) && !(len = tn_sql_parse_a_expr(p)))
            return false;
    } else if (tn_sql_accept_kw(p, TN_SQL_KW_FOR, NULL)) {
        if (!(len = tn_sql_parse_a_expr(p))) return false;
        if (tn_sql_accept_kw(p, TN_SQL_KW_FROM, NULL) && !(from = tn_sql_parse_a_expr(p)))
            return false;
    }
    if (!from && !(from = done(p, new_integer(p, 1, "1", pos)))) return false;
    if (!tn_sql_list_push(p, &e->call.args, cap, x) ||
        !tn_sql_list_push(p, &e->call.args, cap, from) ||
        (len && !tn_sql_list_push(p, &e->call.args, cap, len)))
        return false;
    return tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN);
}

/* POSITION(a IN b) as position(a, b); position(a, b) as written. */
static bool parse_position(tn_sql_parser *p, tn_sql_expr *e, uint32_t *cap)
{
    /* The needle is read above IN's precedence so that IN ends it. */
    tn_sql_expr *needle = tn_sql_parse_expr_prec(p, TN_SQL_PREC_OTHER);
    if (!needle) return false;
    if (tn_sql_accept_kw(p, TN_SQL_KW_IN, NULL)) {
        tn_sql_expr *haystack = tn_sql_parse_expr_prec(p, TN_SQL_PREC_OTHER);
        return haystack && tn_sql_list_push(p, &e->call.args, cap, needle) &&
               tn_sql_list_push(p, &e->call.args, cap, haystack) &&
               tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN);
    }
    needle = tn_sql_parse_expr_rest(p, needle, TN_SQL_PREC_OR);
    return needle && parse_rest_of_args(p, e, cap, needle);
}

/* TRIM([LEADING|TRAILING|BOTH] [chars] FROM x) as ltrim/rtrim/trim(x[, chars]). */
static bool parse_trim(tn_sql_parser *p, tn_sql_expr *e, uint32_t *cap)
{
    const char *name = "trim";
    tn_sql_pos pos = e->call.name.parts[0].pos;
    if (tn_sql_accept_kw(p, TN_SQL_KW_LEADING, NULL))
        name = "ltrim";
    else if (tn_sql_accept_kw(p, TN_SQL_KW_TRAILING, NULL))
        name = "rtrim";
    else
        tn_sql_accept_kw(p, TN_SQL_KW_BOTH, NULL);
    if (!make_name(p, name, pos, &e->call.name)) return false;
    if (tn_sql_accept_kw(p, TN_SQL_KW_FROM, NULL)) {
        tn_sql_expr *x = tn_sql_parse_a_expr(p);
        return x && tn_sql_list_push(p, &e->call.args, cap, x) &&
               tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN);
    }
    tn_sql_expr *first = tn_sql_parse_a_expr(p);
    if (!first) return false;
    if (tn_sql_accept_kw(p, TN_SQL_KW_FROM, NULL)) {
        tn_sql_expr *x = tn_sql_parse_a_expr(p);
        return x && tn_sql_list_push(p, &e->call.args, cap, x) &&
               tn_sql_list_push(p, &e->call.args, cap, first) &&
               tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN);
    }
    return parse_rest_of_args(p, e, cap, first);
}

/* One frame bound: UNBOUNDED PRECEDING|FOLLOWING, CURRENT ROW, expr PRECEDING|FOLLOWING. */
static bool parse_frame_bound(tn_sql_parser *p, tn_sql_frame_bound *b)
{
    if (tn_sql_accept_kw(p, TN_SQL_KW_UNBOUNDED, NULL)) {
        if (tn_sql_accept_kw(p, TN_SQL_KW_PRECEDING, NULL)) {
            b->kind = TN_SQL_BOUND_UNBOUNDED_PRECEDING;
            return true;
        }
        if (!tn_sql_expect_kw(p, TN_SQL_KW_FOLLOWING)) return false;
        b->kind = TN_SQL_BOUND_UNBOUNDED_FOLLOWING;
        return true;
    }
    if (tn_sql_accept_kw(p, TN_SQL_KW_CURRENT, NULL)) {
        b->kind = TN_SQL_BOUND_CURRENT_ROW;
        return tn_sql_expect_kw(p, TN_SQL_KW_ROW);
    }
    /* Above AND's precedence, so BETWEEN x PRECEDING AND ... stops at the AND. */
    b->offset = tn_sql_parse_expr_prec(p, TN_SQL_PREC_OTHER);
    if (!b->offset) return false;
    if (tn_sql_accept_kw(p, TN_SQL_KW_PRECEDING, NULL)) {
        b->kind = TN_SQL_BOUND_PRECEDING;
        return true;
    }
    if (!tn_sql_expect_kw(p, TN_SQL_KW_FOLLOWING)) return false;
    b->kind = TN_SQL_BOUND_FOLLOWING;
    return true;
}

/* OVER name | OVER ( [name] [PARTITION BY ...] [ORDER BY ...] [frame] ) */
static tn_sql_window *parse_over(tn_sql_parser *p)
{
    tn_sql_token *t = tn_sql_peek(p);
    if (t->type == TN_SQL_TOK_IDENT || t->type == TN_SQL_TOK_QIDENT) {
        tn_sql_window *w = tn_sql_alloc(p, sizeof(*w));
        if (!w) return NULL;
        w->pos = t->pos;
        w->bare_ref = true;
        w->ref_name = tn_sql_strndup(p, t->text, t->text_len);
        tn_sql_advance(p);
        return w->ref_name ? w : NULL;
    }
    return tn_sql_parse_window_spec(p);
}

tn_sql_window *tn_sql_parse_window_spec(tn_sql_parser *p)
{
    tn_sql_window *w = tn_sql_alloc(p, sizeof(*w));
    if (!w) return NULL;
    w->pos = tn_sql_peek(p)->pos;
    if (!tn_sql_expect_op(p, TN_SQL_TOKOP_LPAREN)) return NULL;
    tn_sql_token *t = tn_sql_peek(p);
    if (t->type == TN_SQL_TOK_IDENT || t->type == TN_SQL_TOK_QIDENT) {
        if (!(w->ref_name = tn_sql_strndup(p, t->text, t->text_len))) return NULL;
        tn_sql_advance(p);
    }
    if (tn_sql_accept_kw(p, TN_SQL_KW_PARTITION, "PARTITION BY")) {
        if (!tn_sql_expect_kw(p, TN_SQL_KW_BY)) return NULL;
        uint32_t cap = 0;
        do {
            tn_sql_expr *e = tn_sql_parse_a_expr(p);
            if (!e || !tn_sql_list_push(p, &w->partition_by, &cap, e)) return NULL;
        } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
    }
    if (tn_sql_accept_kw(p, TN_SQL_KW_ORDER, "ORDER BY")) {
        if (!tn_sql_expect_kw(p, TN_SQL_KW_BY) || !tn_sql_parse_order_list(p, &w->order_by))
            return NULL;
    }
    if (tn_sql_accept_kw(p, TN_SQL_KW_ROWS, NULL))
        w->frame_mode = TN_SQL_FRAME_ROWS;
    else if (tn_sql_accept_kw(p, TN_SQL_KW_RANGE, NULL))
        w->frame_mode = TN_SQL_FRAME_RANGE;
    else if (tn_sql_accept_kw(p, TN_SQL_KW_GROUPS, NULL))
        w->frame_mode = TN_SQL_FRAME_GROUPS;
    if (w->frame_mode != TN_SQL_FRAME_DEFAULT) {
        if (tn_sql_accept_kw(p, TN_SQL_KW_BETWEEN, NULL)) {
            w->frame_between = true;
            if (!parse_frame_bound(p, &w->frame_start) || !tn_sql_expect_kw(p, TN_SQL_KW_AND) ||
                !parse_frame_bound(p, &w->frame_end))
                return NULL;
        } else if (!parse_frame_bound(p, &w->frame_start)) {
            return NULL;
        }
    }
    if (!tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) return NULL;
    return w;
}

/* Whether the tokens at the current position are `name =>` (or `name :=`, or in FROM
 * `name =`): a named argument. */
static bool at_named_arg(tn_sql_parser *p, bool in_from)
{
    tn_sql_token *t = tn_sql_peek(p), *next = tn_sql_peek_at(p, 1);
    if (!tn_sql_tok_is_name(t)) return false;
    return tn_sql_tok_is_op(next, TN_SQL_TOKOP_ARROW) ||
           tn_sql_tok_is_op(next, TN_SQL_TOKOP_ASSIGN) ||
           (in_from && tn_sql_tok_is_op(next, TN_SQL_TOKOP_EQ));
}

/* The call after its name; `special` allows the SQL-standard forms (the name was an
 * unquoted single word). */
static tn_sql_expr *parse_call(tn_sql_parser *p, tn_sql_name name, tn_sql_pos pos, bool in_from,
                               bool special)
{
    tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_FUNCTION, pos);
    if (!e || !tn_sql_expect_op(p, TN_SQL_TOKOP_LPAREN)) return NULL;
    e->call.name = name;
    uint32_t cap = 0;
    if (special && name.count == 1) {
        const char *n = name.parts[0].name;
        bool ok = true, handled = true;
        if (strcmp(n, "extract") == 0)
            ok = parse_extract(p, e, &cap);
        else if (strcmp(n, "substring") == 0)
            ok = parse_substring(p, e, &cap);
        else if (strcmp(n, "position") == 0)
            ok = parse_position(p, e, &cap);
        else if (strcmp(n, "trim") == 0)
            ok = parse_trim(p, e, &cap);
        else
            handled = false;
        if (handled) return ok ? done(p, e) : NULL;
    }

    if (tn_sql_accept_op(p, TN_SQL_TOKOP_RPAREN)) {
        /* f() */
    } else if (tn_sql_is_op(p, TN_SQL_TOKOP_STAR) &&
               tn_sql_tok_is_op(tn_sql_peek_at(p, 1), TN_SQL_TOKOP_RPAREN)) {
        e->call.star = true;
        tn_sql_advance(p);
        tn_sql_advance(p);
    } else {
        if (tn_sql_is_kw(p, TN_SQL_KW_DISTINCT) || tn_sql_is_kw(p, TN_SQL_KW_ALL)) {
            e->call.distinct = tn_sql_is_kw(p, TN_SQL_KW_DISTINCT);
            tn_sql_advance(p);
        }
        const char **names = NULL;
        uint32_t names_cap = 0;
        bool any_named = false;
        do {
            const char *arg_name = NULL;
            if (at_named_arg(p, in_from)) {
                tn_sql_token *t = tn_sql_peek(p);
                if (!(arg_name = tn_sql_strndup(p, t->text, t->text_len))) return NULL;
                any_named = true;
                tn_sql_advance(p);
                tn_sql_advance(p);
            }
            tn_sql_expr *a = tn_sql_parse_a_expr(p);
            if (!a) return NULL;
            if (!tn_sql_grow(p, (void **)&names, e->call.args.count, &names_cap, sizeof(*names)))
                return NULL;
            names[e->call.args.count] = arg_name;
            if (!tn_sql_list_push(p, &e->call.args, &cap, a)) return NULL;
        } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
        e->call.arg_names = any_named ? names : NULL;
        if (tn_sql_accept_kw(p, TN_SQL_KW_ORDER, "ORDER BY")) {
            if (!tn_sql_expect_kw(p, TN_SQL_KW_BY) ||
                !tn_sql_parse_order_list(p, &e->call.order_by))
                return NULL;
        }
        if (!tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) return NULL;
    }

    if (tn_sql_is_kw(p, TN_SQL_KW_FILTER) &&
        tn_sql_tok_is_op(tn_sql_peek_at(p, 1), TN_SQL_TOKOP_LPAREN)) {
        tn_sql_advance(p);
        tn_sql_advance(p);
        if (!tn_sql_expect_kw(p, TN_SQL_KW_WHERE) || !(e->call.filter = tn_sql_parse_a_expr(p)) ||
            !tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN))
            return NULL;
    }
    if (tn_sql_is_kw(p, TN_SQL_KW_OVER)) {
        tn_sql_advance(p);
        if (!(e->call.over = parse_over(p))) return NULL;
    }
    return done(p, e);
}

/* A call with an already parsed name (table functions in FROM); see parser_int.h. */
tn_sql_expr *tn_sql_parse_call(tn_sql_parser *p, tn_sql_name name, tn_sql_pos pos, bool in_from)
{
    return parse_call(p, name, pos, in_from, false);
}

/* expr [ASC|DESC] [NULLS FIRST|LAST], ... */
bool tn_sql_parse_order_list(tn_sql_parser *p, tn_sql_order_list *out)
{
    uint32_t cap = 0;
    out->items = NULL;
    out->count = 0;
    do {
        if (!tn_sql_grow(p, (void **)&out->items, out->count, &cap, sizeof(*out->items)))
            return false;
        tn_sql_order_item *item = &out->items[out->count];
        memset(item, 0, sizeof(*item));
        if (!(item->expr = tn_sql_parse_a_expr(p))) return false;
        if (tn_sql_accept_kw(p, TN_SQL_KW_ASC, NULL))
            item->dir = TN_SQL_SORT_ASC;
        else if (tn_sql_accept_kw(p, TN_SQL_KW_DESC, NULL))
            item->dir = TN_SQL_SORT_DESC;
        if (tn_sql_accept_kw(p, TN_SQL_KW_NULLS, NULL)) {
            if (tn_sql_accept_kw(p, TN_SQL_KW_FIRST, NULL))
                item->nulls = TN_SQL_NULLS_FIRST;
            else if (tn_sql_expect_kw(p, TN_SQL_KW_LAST))
                item->nulls = TN_SQL_NULLS_LAST;
            else
                return false;
        }
        out->count++;
    } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Primaries
 * ---------------------------------------------------------------------------------------- */

static tn_sql_expr *new_subquery(tn_sql_parser *p, tn_sql_expr_kind kind, tn_sql_query *q,
                                 tn_sql_pos pos)
{
    tn_sql_expr *e = tn_sql_new_expr(p, kind, pos);
    if (!e) return NULL;
    e->subquery.query = q;
    return done(p, e);
}

/* At '(': sets exactly one of *query_out (the parentheses held a query) and *expr_out. */
static bool parse_parenthesized(tn_sql_parser *p, tn_sql_query **query_out, tn_sql_expr **expr_out)
{
    *query_out = NULL;
    *expr_out = NULL;
    tn_sql_advance(p); /* '(' */
    if (tn_sql_starts_query(p)) {
        tn_sql_query *q = tn_sql_parse_query(p);
        if (q && tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) *query_out = q;
    } else if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
        /* The only recursion here that passes no other enter. */
        tn_sql_pos inner_pos = tn_sql_peek(p)->pos;
        tn_sql_query *q;
        tn_sql_expr *e;
        if (!tn_sql_enter(p)) return false;
        bool inner = parse_parenthesized(p, &q, &e);
        tn_sql_leave(p);
        if (inner) {
            if (q && tn_sql_continues_query(p)) {
                q = tn_sql_parse_query_rest(p, q);
                if (q && tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) *query_out = q;
            } else if (q && tn_sql_is_op(p, TN_SQL_TOKOP_RPAREN)) {
                tn_sql_advance(p);
                *query_out = q;
            } else {
                if (q) e = new_subquery(p, TN_SQL_EXPR_SUBQUERY, q, inner_pos);
                if (e) e = tn_sql_parse_expr_rest(p, e, TN_SQL_PREC_OR);
                if (e && tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) *expr_out = e;
            }
        }
    } else {
        tn_sql_expr *e = tn_sql_parse_a_expr(p);
        if (e && tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) *expr_out = e;
    }
    return *query_out != NULL || *expr_out != NULL;
}

/* A column reference, qualified star, or function call starting at a name token. */
static tn_sql_expr *parse_name_primary(tn_sql_parser *p)
{
    tn_sql_token *first = tn_sql_peek(p);
    tn_sql_pos pos = first->pos;
    bool special = first->type != TN_SQL_TOK_QIDENT;
    tn_sql_name name = {NULL, 0};
    uint32_t cap = 0;
    for (;;) {
        tn_sql_token *t = tn_sql_peek(p);
        if (!tn_sql_grow(p, (void **)&name.parts, name.count, &cap, sizeof(*name.parts)))
            return NULL;
        if (!(name.parts[name.count].name = tn_sql_strndup(p, t->text, t->text_len))) return NULL;
        name.parts[name.count++].pos = t->pos;
        tn_sql_advance(p);
        if (!tn_sql_is_op(p, TN_SQL_TOKOP_DOT)) break;
        tn_sql_token *after = tn_sql_peek_at(p, 1);
        if (tn_sql_tok_is_op(after, TN_SQL_TOKOP_STAR)) {
            tn_sql_advance(p);
            tn_sql_advance(p);
            tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_STAR, pos);
            if (!e) return NULL;
            e->star.qualifier = name;
            return done(p, e);
        }
        if (!tn_sql_tok_is_label(after))
            break; /* the '.' is reported by whoever looks at it next */
        tn_sql_advance(p);
        special = false;
    }
    if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) return parse_call(p, name, pos, false, special);
    tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_COLUMN, pos);
    if (!e) return NULL;
    e->column = name;
    return done(p, e);
}

static tn_sql_expr *parse_primary(tn_sql_parser *p)
{
    tn_sql_token *t = tn_sql_peek(p);
    tn_sql_token *next = tn_sql_peek_at(p, 1);
    tn_sql_expr *e;
    switch ((tn_sql_tok_type)t->type) {
    case TN_SQL_TOK_NUMBER:
        e = tn_sql_new_expr(p, TN_SQL_EXPR_LITERAL, t->pos);
        if (!e || !make_number(p, &e->literal, t->text, t->text_len, t->pos)) return NULL;
        tn_sql_advance(p);
        return done(p, e);
    case TN_SQL_TOK_STRING:
        e = new_string(p, t->text, t->text_len, t->pos);
        tn_sql_advance(p);
        return done(p, e);
    case TN_SQL_TOK_PARAM:
        e = tn_sql_new_expr(p, TN_SQL_EXPR_PARAM, t->pos);
        if (!e) return NULL;
        e->param.index = t->param;
        tn_sql_advance(p);
        return done(p, e);
    case TN_SQL_TOK_OP:
        if (t->op == TN_SQL_TOKOP_LPAREN) {
            tn_sql_query *q;
            if (!parse_parenthesized(p, &q, &e)) return NULL;
            return q ? new_subquery(p, TN_SQL_EXPR_SUBQUERY, q, t->pos) : e;
        }
        if (t->op == TN_SQL_TOKOP_QMARK) {
            if (p->qmark_count >= 65535)
                return tn_sql_error_at(p, TN_ELIMIT, t->pos, "too many ? parameters");
            e = tn_sql_new_expr(p, TN_SQL_EXPR_PARAM, t->pos);
            if (!e) return NULL;
            e->param.index = ++p->qmark_count;
            e->param.question_mark = true;
            tn_sql_advance(p);
            return done(p, e);
        }
        break;
    case TN_SQL_TOK_KEYWORD:
        switch ((tn_sql_keyword)t->keyword) {
        case TN_SQL_KW_NULL:
        case TN_SQL_KW_TRUE:
        case TN_SQL_KW_FALSE:
            e = tn_sql_new_expr(p, TN_SQL_EXPR_LITERAL, t->pos);
            if (!e) return NULL;
            e->literal.kind = t->keyword == TN_SQL_KW_NULL ? TN_SQL_LIT_NULL : TN_SQL_LIT_BOOL;
            e->literal.boolean = t->keyword == TN_SQL_KW_TRUE;
            tn_sql_advance(p);
            return done(p, e);
        case TN_SQL_KW_CASE:
            return parse_case(p);
        case TN_SQL_KW_CAST:
            return parse_cast(p, TN_SQL_CAST_FUNCTION);
        case TN_SQL_KW_EXISTS: {
            tn_sql_advance(p);
            if (!tn_sql_expect_op(p, TN_SQL_TOKOP_LPAREN)) return NULL;
            tn_sql_query *q = tn_sql_parse_query(p);
            if (!q || !tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) return NULL;
            return new_subquery(p, TN_SQL_EXPR_EXISTS, q, t->pos);
        }
        case TN_SQL_KW_CURRENT_DATE:
        case TN_SQL_KW_CURRENT_TIME:
        case TN_SQL_KW_CURRENT_TIMESTAMP:
        case TN_SQL_KW_LOCALTIME:
        case TN_SQL_KW_LOCALTIMESTAMP:
            e = tn_sql_new_expr(p, TN_SQL_EXPR_FUNCTION, t->pos);
            if (!e || !make_name(p, t->text, t->pos, &e->call.name)) return NULL;
            e->call.no_parens = true;
            tn_sql_advance(p);
            return done(p, e);
        case TN_SQL_KW_TRY_CAST:
            if (tn_sql_tok_is_op(next, TN_SQL_TOKOP_LPAREN)) return parse_cast(p, TN_SQL_CAST_TRY);
            break;
        default:
            break;
        }
        if (tn_sql_keyword_category((tn_sql_keyword)t->keyword) == TN_SQL_KWCAT_TYPE_FUNC &&
            tn_sql_tok_is_op(next, TN_SQL_TOKOP_LPAREN))
            return parse_name_primary(p); /* left(s, 2), right(s, 2) */
        if (!tn_sql_tok_is_name(t)) break;
        /* An unreserved keyword used as a name. */
        /* fallthrough */
    case TN_SQL_TOK_IDENT:
    case TN_SQL_TOK_QIDENT:
        if (t->type == TN_SQL_TOK_IDENT && strcmp(t->text, "interval") == 0 &&
            (next->type == TN_SQL_TOK_STRING || next->type == TN_SQL_TOK_NUMBER ||
             tn_sql_tok_is_op(next, TN_SQL_TOKOP_LPAREN)))
            return parse_interval(p);
        if (t->type != TN_SQL_TOK_QIDENT) {
            uint32_t words = tn_sql_type_words_at(p, 0);
            if (words > 0 && tn_sql_peek_at(p, words)->type == TN_SQL_TOK_STRING)
                return parse_typed_literal(p);
        }
        return parse_name_primary(p);
    case TN_SQL_TOK_ERROR:
    case TN_SQL_TOK_EOF:
        break;
    }
    tn_sql_expect_note(p, "an expression");
    return tn_sql_syntax_error(p);
}

/* ------------------------------------------------------------------------------------------
 * Operators
 * ---------------------------------------------------------------------------------------- */

/* Prefix operators (NOT, unary + and -) and the primary they apply to. */
static tn_sql_expr *parse_prefix(tn_sql_parser *p)
{
    tn_sql_token *t = tn_sql_peek(p);
    tn_sql_unary_op op;
    int operand_prec;
    if (tn_sql_tok_is_kw(t, TN_SQL_KW_NOT)) {
        op = TN_SQL_OP_NOT;
        operand_prec = TN_SQL_PREC_IS; /* everything that binds tighter than NOT */
    } else if (tn_sql_tok_is_op(t, TN_SQL_TOKOP_MINUS)) {
        op = TN_SQL_OP_NEGATE;
        operand_prec = TN_SQL_PREC_UNARY;
    } else if (tn_sql_tok_is_op(t, TN_SQL_TOKOP_PLUS)) {
        op = TN_SQL_OP_PLUS;
        operand_prec = TN_SQL_PREC_UNARY;
    } else {
        return parse_primary(p);
    }
    tn_sql_pos pos = t->pos;
    tn_sql_advance(p);
    tn_sql_expr *operand = tn_sql_parse_expr_prec(p, operand_prec);
    if (!operand) return NULL;
    if (op == TN_SQL_OP_NEGATE && is_number_literal(operand))
        return negate_literal(p, operand, pos);
    tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_UNARY, pos);
    if (!e) return NULL;
    e->unary.op = op;
    e->unary.operand = operand;
    return done(p, e);
}

/* The binary operator and precedence of the current token, 0 when it is not one. */
static int infix_prec(tn_sql_parser *p)
{
    tn_sql_token *t = tn_sql_peek(p);
    if (t->type == TN_SQL_TOK_KEYWORD) {
        switch ((tn_sql_keyword)t->keyword) {
        case TN_SQL_KW_OR:
            return TN_SQL_PREC_OR;
        case TN_SQL_KW_AND:
            return TN_SQL_PREC_AND;
        case TN_SQL_KW_IS:
            return TN_SQL_PREC_IS;
        case TN_SQL_KW_BETWEEN:
        case TN_SQL_KW_IN:
        case TN_SQL_KW_LIKE:
        case TN_SQL_KW_ILIKE:
            return TN_SQL_PREC_LIKE;
        case TN_SQL_KW_NOT: {
            tn_sql_token *n = tn_sql_peek_at(p, 1);
            if (tn_sql_tok_is_kw(n, TN_SQL_KW_BETWEEN) || tn_sql_tok_is_kw(n, TN_SQL_KW_IN) ||
                tn_sql_tok_is_kw(n, TN_SQL_KW_LIKE) || tn_sql_tok_is_kw(n, TN_SQL_KW_ILIKE))
                return TN_SQL_PREC_LIKE;
            return 0;
        }
        default:
            return 0;
        }
    }
    if (t->type != TN_SQL_TOK_OP) return 0;
    switch ((tn_sql_op)t->op) {
    case TN_SQL_TOKOP_EQ:
    case TN_SQL_TOKOP_NE:
    case TN_SQL_TOKOP_LT:
    case TN_SQL_TOKOP_LE:
    case TN_SQL_TOKOP_GT:
    case TN_SQL_TOKOP_GE:
        return TN_SQL_PREC_CMP;
    case TN_SQL_TOKOP_CONCAT:
        return TN_SQL_PREC_OTHER;
    case TN_SQL_TOKOP_PLUS:
    case TN_SQL_TOKOP_MINUS:
        return TN_SQL_PREC_ADD;
    case TN_SQL_TOKOP_STAR:
    case TN_SQL_TOKOP_SLASH:
    case TN_SQL_TOKOP_DSLASH:
    case TN_SQL_TOKOP_PERCENT:
        return TN_SQL_PREC_MUL;
    case TN_SQL_TOKOP_CARET:
        return TN_SQL_PREC_POW;
    case TN_SQL_TOKOP_CAST:
        return TN_SQL_PREC_POSTFIX;
    default:
        return 0;
    }
}

static tn_sql_binary_op binary_op_of(tn_sql_op op)
{
    switch (op) {
    case TN_SQL_TOKOP_PLUS:
        return TN_SQL_OP_ADD;
    case TN_SQL_TOKOP_MINUS:
        return TN_SQL_OP_SUB;
    case TN_SQL_TOKOP_STAR:
        return TN_SQL_OP_MUL;
    case TN_SQL_TOKOP_SLASH:
        return TN_SQL_OP_DIV;
    case TN_SQL_TOKOP_DSLASH:
        return TN_SQL_OP_INTDIV;
    case TN_SQL_TOKOP_PERCENT:
        return TN_SQL_OP_MOD;
    case TN_SQL_TOKOP_CARET:
        return TN_SQL_OP_POW;
    case TN_SQL_TOKOP_CONCAT:
        return TN_SQL_OP_CONCAT;
    case TN_SQL_TOKOP_EQ:
        return TN_SQL_OP_EQ;
    case TN_SQL_TOKOP_NE:
        return TN_SQL_OP_NE;
    case TN_SQL_TOKOP_LT:
        return TN_SQL_OP_LT;
    case TN_SQL_TOKOP_LE:
        return TN_SQL_OP_LE;
    case TN_SQL_TOKOP_GT:
        return TN_SQL_OP_GT;
    default:
        return TN_SQL_OP_GE;
    }
}

static tn_sql_expr *new_binary(tn_sql_parser *p, tn_sql_binary_op op, tn_sql_expr *left,
                               tn_sql_expr *right, tn_sql_pos pos)
{
    tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_BINARY, pos);
    if (!e) return NULL;
    e->binary.op = op;
    e->binary.left = left;
    e->binary.right = right;
    return done(p, e);
}

/* a AND b AND c: one flattened node. */
static tn_sql_expr *parse_logical(tn_sql_parser *p, tn_sql_expr *left, tn_sql_keyword kw, int prec)
{
    tn_sql_expr *e = tn_sql_new_expr(p, kw == TN_SQL_KW_AND ? TN_SQL_EXPR_AND : TN_SQL_EXPR_OR,
                                     tn_sql_peek(p)->pos);
    uint32_t cap = 0;
    if (!e || !tn_sql_list_push(p, &e->logical.operands, &cap, left)) return NULL;
    while (tn_sql_is_kw(p, kw)) {
        tn_sql_advance(p);
        tn_sql_expr *right = tn_sql_parse_expr_prec(p, prec + 1);
        if (!right || !tn_sql_list_push(p, &e->logical.operands, &cap, right)) return NULL;
    }
    return done(p, e);
}

/* IS [NOT] NULL|TRUE|FALSE|UNKNOWN, IS [NOT] DISTINCT FROM x */
static tn_sql_expr *parse_is(tn_sql_parser *p, tn_sql_expr *left)
{
    tn_sql_pos pos = tn_sql_peek(p)->pos;
    tn_sql_advance(p);
    bool negated = tn_sql_accept_kw(p, TN_SQL_KW_NOT, NULL);
    tn_sql_is_test test;
    if (tn_sql_accept_kw(p, TN_SQL_KW_NULL, NULL)) {
        test = TN_SQL_IS_NULL;
    } else if (tn_sql_accept_kw(p, TN_SQL_KW_TRUE, NULL)) {
        test = TN_SQL_IS_TRUE;
    } else if (tn_sql_accept_kw(p, TN_SQL_KW_FALSE, NULL)) {
        test = TN_SQL_IS_FALSE;
    } else if (tn_sql_accept_kw(p, TN_SQL_KW_UNKNOWN, NULL)) {
        test = TN_SQL_IS_UNKNOWN;
    } else if (tn_sql_accept_kw(p, TN_SQL_KW_DISTINCT, "DISTINCT FROM")) {
        if (!tn_sql_expect_kw(p, TN_SQL_KW_FROM)) return NULL;
        tn_sql_expr *right = tn_sql_parse_expr_prec(p, TN_SQL_PREC_IS + 1);
        if (!right) return NULL;
        return new_binary(p, negated ? TN_SQL_OP_IS_NOT_DISTINCT_FROM : TN_SQL_OP_IS_DISTINCT_FROM,
                          left, right, pos);
    } else {
        return tn_sql_syntax_error(p);
    }
    tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_IS, pos);
    if (!e) return NULL;
    e->is.operand = left;
    e->is.test = test;
    e->is.negated = negated;
    return done(p, e);
}

/* [NOT] BETWEEN / IN / LIKE / ILIKE */
static tn_sql_expr *parse_predicate(tn_sql_parser *p, tn_sql_expr *left)
{
    tn_sql_pos pos = tn_sql_peek(p)->pos;
    bool negated = false;
    if (tn_sql_is_kw(p, TN_SQL_KW_NOT)) {
        negated = true;
        tn_sql_advance(p);
    }
    tn_sql_token *t = tn_sql_peek(p);
    tn_sql_expr *e;
    if (tn_sql_tok_is_kw(t, TN_SQL_KW_BETWEEN)) {
        tn_sql_advance(p);
        e = tn_sql_new_expr(p, TN_SQL_EXPR_BETWEEN, pos);
        if (!e) return NULL;
        e->between.operand = left;
        e->between.negated = negated;
        /* Bounds bind tighter than BETWEEN, so "a BETWEEN b AND c AND d" ends at c. */
        if (!(e->between.low = tn_sql_parse_expr_prec(p, TN_SQL_PREC_LIKE + 1)) ||
            !tn_sql_expect_kw(p, TN_SQL_KW_AND) ||
            !(e->between.high = tn_sql_parse_expr_prec(p, TN_SQL_PREC_LIKE + 1)))
            return NULL;
        return done(p, e);
    }
    if (tn_sql_tok_is_kw(t, TN_SQL_KW_IN)) {
        tn_sql_advance(p);
        if (!tn_sql_expect_op(p, TN_SQL_TOKOP_LPAREN)) return NULL;
        if (tn_sql_starts_query(p)) {
            e = tn_sql_new_expr(p, TN_SQL_EXPR_IN_QUERY, pos);
            if (!e || !(e->in_query.query = tn_sql_parse_query(p)) ||
                !tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN))
                return NULL;
            e->in_query.operand = left;
            e->in_query.negated = negated;
            return done(p, e);
        }
        e = tn_sql_new_expr(p, TN_SQL_EXPR_IN_LIST, pos);
        if (!e) return NULL;
        e->in_list.operand = left;
        e->in_list.negated = negated;
        /* x IN () is accepted (SQLite has it; it is false, NOT IN () true). */
        uint32_t cap = 0;
        if (tn_sql_accept_op(p, TN_SQL_TOKOP_RPAREN)) return done(p, e);
        if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
            /* x IN ((SELECT ...) UNION (SELECT ...)) is a subquery; x IN ((SELECT 1), 2)
             * and x IN ((1 + 2) * 3, 4) are lists. */
            tn_sql_pos inner_pos = tn_sql_peek(p)->pos;
            tn_sql_query *q;
            tn_sql_expr *first;
            if (!parse_parenthesized(p, &q, &first)) return NULL;
            if (q && tn_sql_continues_query(p)) {
                e->kind = TN_SQL_EXPR_IN_QUERY;
                e->in_query.operand = left;
                e->in_query.negated = negated;
                if (!(e->in_query.query = tn_sql_parse_query_rest(p, q)) ||
                    !tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN))
                    return NULL;
                return done(p, e);
            }
            if (q) first = new_subquery(p, TN_SQL_EXPR_SUBQUERY, q, inner_pos);
            first = tn_sql_parse_expr_rest(p, first, TN_SQL_PREC_OR);
            if (!first || !tn_sql_list_push(p, &e->in_list.list, &cap, first)) return NULL;
            if (!tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA))
                return tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN) ? done(p, e) : NULL;
        }
        do {
            tn_sql_expr *item = tn_sql_parse_a_expr(p);
            if (!item || !tn_sql_list_push(p, &e->in_list.list, &cap, item)) return NULL;
        } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
        if (!tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) return NULL;
        return done(p, e);
    }
    /* LIKE or ILIKE: infix_prec only lets these through. */
    e = tn_sql_new_expr(p, TN_SQL_EXPR_LIKE, pos);
    if (!e) return NULL;
    e->like.operand = left;
    e->like.negated = negated;
    e->like.case_insensitive = tn_sql_tok_is_kw(t, TN_SQL_KW_ILIKE);
    tn_sql_advance(p);
    if (!(e->like.pattern = tn_sql_parse_expr_prec(p, TN_SQL_PREC_LIKE + 1))) return NULL;
    if (tn_sql_accept_kw(p, TN_SQL_KW_ESCAPE, NULL) &&
        !(e->like.escape = tn_sql_parse_expr_prec(p, TN_SQL_PREC_LIKE + 1)))
        return NULL;
    return done(p, e);
}

/* A comparison, or x op ANY|SOME|ALL (subquery). */
static tn_sql_expr *parse_comparison(tn_sql_parser *p, tn_sql_expr *left)
{
    tn_sql_token *t = tn_sql_peek(p);
    tn_sql_binary_op op = binary_op_of((tn_sql_op)t->op);
    tn_sql_pos pos = t->pos;
    tn_sql_advance(p);
    tn_sql_token *q = tn_sql_peek(p);
    if ((tn_sql_tok_is_kw(q, TN_SQL_KW_ANY) || tn_sql_tok_is_kw(q, TN_SQL_KW_SOME) ||
         tn_sql_tok_is_kw(q, TN_SQL_KW_ALL)) &&
        tn_sql_tok_is_op(tn_sql_peek_at(p, 1), TN_SQL_TOKOP_LPAREN)) {
        tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_QUANTIFIED, pos);
        if (!e) return NULL;
        e->quantified.operand = left;
        e->quantified.op = op;
        e->quantified.all = tn_sql_tok_is_kw(q, TN_SQL_KW_ALL);
        tn_sql_advance(p);
        tn_sql_advance(p);
        if (!tn_sql_starts_query(p) && !tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
            tn_sql_expect_note(p, "a subquery (ANY and ALL take a SELECT)");
            return tn_sql_syntax_error(p);
        }
        if (!(e->quantified.query = tn_sql_parse_query(p)) ||
            !tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN))
            return NULL;
        return done(p, e);
    }
    tn_sql_expr *right = tn_sql_parse_expr_prec(p, TN_SQL_PREC_CMP + 1);
    if (!right) return NULL;
    return new_binary(p, op, left, right, pos);
}

/* The operator loop of precedence climbing: applies every operator of precedence at least
 * min_prec to `left`. Left-associative; the right operand of an operator of precedence P is
 * parsed at P + 1. */
tn_sql_expr *tn_sql_parse_expr_rest(tn_sql_parser *p, tn_sql_expr *left, int min_prec)
{
    while (left && !p->code) {
        int prec = infix_prec(p);
        if (prec == 0 || prec < min_prec) break;
        tn_sql_token *t = tn_sql_peek(p);
        if (prec == TN_SQL_PREC_OR || prec == TN_SQL_PREC_AND) {
            left = parse_logical(p, left, (tn_sql_keyword)t->keyword, prec);
        } else if (prec == TN_SQL_PREC_IS) {
            left = parse_is(p, left);
        } else if (prec == TN_SQL_PREC_LIKE) {
            left = parse_predicate(p, left);
        } else if (prec == TN_SQL_PREC_CMP) {
            left = parse_comparison(p, left);
        } else if (prec == TN_SQL_PREC_POSTFIX) {
            tn_sql_expr *e = tn_sql_new_expr(p, TN_SQL_EXPR_CAST, t->pos);
            tn_sql_advance(p);
            if (!e || !tn_sql_parse_type_name(p, &e->cast.type)) return NULL;
            e->cast.form = TN_SQL_CAST_OPERATOR;
            e->cast.operand = left;
            left = done(p, e);
        } else {
            tn_sql_binary_op op = binary_op_of((tn_sql_op)t->op);
            tn_sql_pos pos = t->pos;
            tn_sql_advance(p);
            tn_sql_expr *right = tn_sql_parse_expr_prec(p, prec + 1);
            if (!right) return NULL;
            left = new_binary(p, op, left, right, pos);
        }
    }
    return p->code ? NULL : left;
}

/* An expression of operators with precedence at least min_prec. */
tn_sql_expr *tn_sql_parse_expr_prec(tn_sql_parser *p, int min_prec)
{
    if (!tn_sql_enter(p)) return NULL;
    tn_sql_expr *left = parse_prefix(p);
    if (left) left = tn_sql_parse_expr_rest(p, left, min_prec);
    tn_sql_leave(p);
    return left;
}
