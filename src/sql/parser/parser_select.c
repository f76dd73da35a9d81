/* SPDX-License-Identifier: Apache-2.0
 *
 * Queries: WITH, set operations (INTERSECT binds tighter than UNION and EXCEPT; parenthesised
 * operands keep their own ORDER BY and LIMIT), SELECT blocks with their clauses, VALUES
 * lists, FROM items and joins, ORDER BY, LIMIT / OFFSET / FETCH FIRST.
 *
 *   query      := [WITH [RECURSIVE] cte, ...] set_expr [ORDER BY ...] [limits]
 *   set_expr   := intersect ((UNION | EXCEPT) [ALL | DISTINCT] intersect)*
 *   intersect  := operand (INTERSECT [ALL | DISTINCT] operand)*
 *   operand    := select | VALUES (row), ... | '(' query ')'
 *   from_item  := primary (join primary [ON expr | USING (cols)])*
 *   primary    := name [alias] | 'file' [alias] | f(args) [alias] | (query) [alias]
 *                 | '(' from_item ')' [alias]
 */
#include "sql/parser/parser_int.h"

/* ------------------------------------------------------------------------------------------
 * Nodes and heights
 * ---------------------------------------------------------------------------------------- */

static tn_sql_query *new_query(tn_sql_parser *p, tn_sql_query_kind kind, tn_sql_pos pos)
{
    tn_sql_query *q = tn_sql_alloc(p, sizeof(*q));
    if (!q) return NULL;
    q->node.type = TN_SQL_NODE_QUERY;
    q->node.height = 1;
    q->node.pos = pos;
    q->kind = kind;
    return q;
}

static tn_sql_table_ref *new_table_ref(tn_sql_parser *p, tn_sql_table_ref_kind kind, tn_sql_pos pos)
{
    tn_sql_table_ref *r = tn_sql_alloc(p, sizeof(*r));
    if (!r) return NULL;
    r->node.type = TN_SQL_NODE_TABLE_REF;
    r->node.height = 1;
    r->node.pos = pos;
    r->kind = kind;
    return r;
}

static uint32_t ref_height(const tn_sql_table_ref *r)
{
    return r ? r->node.height : 0;
}

static bool table_ref_finish(tn_sql_parser *p, tn_sql_table_ref *r)
{
    if (!r || p->code) return false;
    uint32_t m = 0;
    switch (r->kind) {
    case TN_SQL_TABLE_NAME:
    case TN_SQL_TABLE_FILE:
        break;
    case TN_SQL_TABLE_FUNCTION:
        m = tn_sql_expr_height(r->function);
        break;
    case TN_SQL_TABLE_SUBQUERY:
        m = tn_sql_query_height(r->subquery);
        break;
    case TN_SQL_TABLE_JOIN:
        m = tn_sql_max_u32(ref_height(r->join.left), ref_height(r->join.right));
        m = tn_sql_max_u32(m, tn_sql_expr_height(r->join.on));
        break;
    }
    r->node.height = m + 1;
    return tn_sql_check_height(p, &r->node);
}

/* Sets a query's height from its parts; see parser_int.h. */
bool tn_sql_query_finish(tn_sql_parser *p, tn_sql_query *q)
{
    if (!q || p->code) return false;
    uint32_t m = 0;
    if (q->with)
        for (uint32_t i = 0; i < q->with->count; i++)
            m = tn_sql_max_u32(m, tn_sql_query_height(q->with->ctes[i].query));
    switch (q->kind) {
    case TN_SQL_QUERY_SELECT: {
        const tn_sql_select *s = &q->select;
        m = tn_sql_max_u32(m, tn_sql_list_height(&s->distinct_on));
        for (uint32_t i = 0; i < s->item_count; i++)
            m = tn_sql_max_u32(m, tn_sql_expr_height(s->items[i].expr));
        for (uint32_t i = 0; i < s->from_count; i++) m = tn_sql_max_u32(m, ref_height(s->from[i]));
        m = tn_sql_max_u32(m, tn_sql_expr_height(s->where));
        m = tn_sql_max_u32(m, tn_sql_list_height(&s->group_by));
        m = tn_sql_max_u32(m, tn_sql_expr_height(s->having));
        m = tn_sql_max_u32(m, tn_sql_expr_height(s->qualify));
        for (uint32_t i = 0; i < s->window_count; i++)
            m = tn_sql_max_u32(m, tn_sql_window_height(s->windows[i]));
        break;
    }
    case TN_SQL_QUERY_VALUES:
        for (uint32_t i = 0; i < q->values.row_count; i++)
            m = tn_sql_max_u32(m, tn_sql_list_height(&q->values.rows[i]));
        break;
    case TN_SQL_QUERY_SET_OP:
        m = tn_sql_max_u32(m, tn_sql_query_height(q->set_op.left));
        m = tn_sql_max_u32(m, tn_sql_query_height(q->set_op.right));
        break;
    }
    m = tn_sql_max_u32(m, tn_sql_order_height(&q->order_by));
    m = tn_sql_max_u32(m, tn_sql_expr_height(q->limit));
    m = tn_sql_max_u32(m, tn_sql_expr_height(q->offset));
    q->node.height = m + 1;
    return tn_sql_check_height(p, &q->node);
}

/* ------------------------------------------------------------------------------------------
 * FROM
 * ---------------------------------------------------------------------------------------- */

/* Whether the current token can be a bare (AS-less) alias: a name, but not a word that
 * starts the next clause (those are all reserved or join keywords). */
static bool at_bare_alias(tn_sql_parser *p)
{
    return tn_sql_tok_is_name(tn_sql_peek(p));
}

/* [AS] name [(col, ...)] */
static bool parse_alias(tn_sql_parser *p, tn_sql_alias *alias)
{
    if (tn_sql_is_kw(p, TN_SQL_KW_AS)) {
        tn_sql_advance(p);
        if (!tn_sql_parse_ident(p, true, "an alias", &alias->name)) return false;
    } else if (at_bare_alias(p)) {
        if (!tn_sql_parse_ident(p, false, "an alias", &alias->name)) return false;
    } else {
        return true;
    }
    if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) return tn_sql_parse_ident_list(p, &alias->columns);
    return true;
}

static tn_sql_table_ref *parse_table_primary(tn_sql_parser *p);
static tn_sql_table_ref *parse_joins(tn_sql_parser *p, tn_sql_table_ref *left);

static tn_sql_table_ref *new_subquery_ref(tn_sql_parser *p, tn_sql_query *q, tn_sql_pos pos)
{
    tn_sql_table_ref *r = new_table_ref(p, TN_SQL_TABLE_SUBQUERY, pos);
    if (r) r->subquery = q;
    return r;
}

/* The alias after a complete FROM primary, then its height. A parenthesised item that
 * already has an alias cannot take a second one: that would hide the first. */
static tn_sql_table_ref *finish_primary(tn_sql_parser *p, tn_sql_table_ref *r)
{
    if (!r) return NULL;
    if (r->alias.name.name) {
        if (tn_sql_is_kw(p, TN_SQL_KW_AS) || at_bare_alias(p)) return tn_sql_syntax_error(p);
    } else if (!parse_alias(p, &r->alias)) {
        return NULL;
    }
    return table_ref_finish(p, r) ? r : NULL;
}

/* At '(' in FROM: sets exactly one of *query_out (the parentheses held a query: a subquery)
 * and *ref_out (they held a FROM item, usually a join). Nested parentheses are resolved from
 * the inside out, as in expressions, so "((SELECT 1) AS s JOIN t ON ...)" is a join whose
 * left side is a subquery. */
static bool parse_paren_from(tn_sql_parser *p, tn_sql_query **query_out, tn_sql_table_ref **ref_out)
{
    *query_out = NULL;
    *ref_out = NULL;
    if (!tn_sql_enter(p)) return false;
    tn_sql_advance(p); /* '(' */
    if (tn_sql_starts_query(p)) {
        tn_sql_query *q = tn_sql_parse_query(p);
        if (q && tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) *query_out = q;
    } else if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
        tn_sql_pos inner_pos = tn_sql_peek(p)->pos;
        tn_sql_query *q;
        tn_sql_table_ref *r;
        if (parse_paren_from(p, &q, &r)) {
            if (q && tn_sql_continues_query(p)) {
                q = tn_sql_parse_query_rest(p, q);
                if (q && tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) *query_out = q;
            } else if (q && tn_sql_is_op(p, TN_SQL_TOKOP_RPAREN)) {
                tn_sql_advance(p);
                *query_out = q;
            } else {
                if (q) r = new_subquery_ref(p, q, inner_pos);
                r = parse_joins(p, finish_primary(p, r));
                if (r && tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) *ref_out = r;
            }
        }
    } else {
        tn_sql_table_ref *r = parse_joins(p, parse_table_primary(p));
        if (r && tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) *ref_out = r;
    }
    tn_sql_leave(p);
    return *query_out != NULL || *ref_out != NULL;
}

/* One FROM item without joins. */
static tn_sql_table_ref *parse_table_primary(tn_sql_parser *p)
{
    tn_sql_token *t = tn_sql_peek(p);
    tn_sql_table_ref *r;
    if (tn_sql_tok_is_op(t, TN_SQL_TOKOP_LPAREN)) {
        tn_sql_query *q;
        if (!parse_paren_from(p, &q, &r)) return NULL;
        return finish_primary(p, q ? new_subquery_ref(p, q, t->pos) : r);
    } else if (t->type == TN_SQL_TOK_STRING) {
        r = new_table_ref(p, TN_SQL_TABLE_FILE, t->pos);
        if (r) r->path = tn_str_make(t->text, t->text_len);
        tn_sql_advance(p);
    } else if (tn_sql_tok_is_name(t)) {
        tn_sql_name name;
        if (!tn_sql_parse_name(p, "a table name", &name)) return NULL;
        if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
            r = new_table_ref(p, TN_SQL_TABLE_FUNCTION, t->pos);
            if (r && !(r->function = tn_sql_parse_call(p, name, t->pos, true))) return NULL;
        } else {
            r = new_table_ref(p, TN_SQL_TABLE_NAME, t->pos);
            if (r) r->name = name;
        }
    } else {
        tn_sql_expect_note(p, "a table name, a file name or a subquery");
        return tn_sql_syntax_error(p);
    }
    return finish_primary(p, r);
}

/* Joins onto `left`, any number, left to right. */
static tn_sql_table_ref *parse_joins(tn_sql_parser *p, tn_sql_table_ref *left)
{
    while (left) {
        tn_sql_token *t = tn_sql_peek(p);
        tn_sql_pos pos = t->pos;
        bool natural = false;
        tn_sql_join_type type;
        if (tn_sql_tok_is_kw(t, TN_SQL_KW_NATURAL)) {
            natural = true;
            tn_sql_advance(p);
            t = tn_sql_peek(p);
        }
        if (tn_sql_tok_is_kw(t, TN_SQL_KW_CROSS)) {
            tn_sql_advance(p);
            type = TN_SQL_JOIN_CROSS;
        } else if (tn_sql_tok_is_kw(t, TN_SQL_KW_INNER)) {
            tn_sql_advance(p);
            type = TN_SQL_JOIN_INNER;
        } else if (tn_sql_tok_is_kw(t, TN_SQL_KW_LEFT) || tn_sql_tok_is_kw(t, TN_SQL_KW_RIGHT) ||
                   tn_sql_tok_is_kw(t, TN_SQL_KW_FULL)) {
            type = t->keyword == TN_SQL_KW_LEFT    ? TN_SQL_JOIN_LEFT
                   : t->keyword == TN_SQL_KW_RIGHT ? TN_SQL_JOIN_RIGHT
                                                   : TN_SQL_JOIN_FULL;
            tn_sql_advance(p);
            tn_sql_accept_kw(p, TN_SQL_KW_OUTER, NULL);
        } else if (tn_sql_tok_is_kw(t, TN_SQL_KW_JOIN)) {
            type = TN_SQL_JOIN_INNER;
        } else {
            tn_sql_expect_note(p, "JOIN");
            if (natural) return tn_sql_syntax_error(p);
            break;
        }
        if (natural && type == TN_SQL_JOIN_CROSS) return tn_sql_syntax_error(p);
        if (!tn_sql_expect_kw(p, TN_SQL_KW_JOIN)) return NULL;
        tn_sql_table_ref *j = new_table_ref(p, TN_SQL_TABLE_JOIN, pos);
        if (!j) return NULL;
        j->join.type = type;
        j->join.natural = natural;
        j->join.left = left;
        if (!(j->join.right = parse_table_primary(p))) return NULL;
        if (!natural && type != TN_SQL_JOIN_CROSS) {
            if (tn_sql_accept_kw(p, TN_SQL_KW_ON, NULL)) {
                if (!(j->join.on = tn_sql_parse_a_expr(p))) return NULL;
            } else if (tn_sql_accept_kw(p, TN_SQL_KW_USING, NULL)) {
                if (!tn_sql_parse_ident_list(p, &j->join.using)) return NULL;
            } else {
                return tn_sql_syntax_error(p);
            }
        }
        left = table_ref_finish(p, j) ? j : NULL;
    }
    return left;
}

/* ------------------------------------------------------------------------------------------
 * SELECT blocks and VALUES
 * ---------------------------------------------------------------------------------------- */

static bool parse_select_item(tn_sql_parser *p, tn_sql_select_item *item)
{
    tn_sql_token *t = tn_sql_peek(p);
    memset(item, 0, sizeof(*item));
    if (tn_sql_tok_is_op(t, TN_SQL_TOKOP_STAR)) {
        item->expr = tn_sql_new_expr(p, TN_SQL_EXPR_STAR, t->pos);
        tn_sql_advance(p);
        return item->expr != NULL;
    }
    if (!(item->expr = tn_sql_parse_a_expr(p))) return false;
    if (tn_sql_is_kw(p, TN_SQL_KW_AS)) {
        tn_sql_advance(p);
        return tn_sql_parse_ident(p, true, "an alias", &item->alias);
    }
    if (at_bare_alias(p)) return tn_sql_parse_ident(p, false, "an alias", &item->alias);
    return true;
}

/* FROM's list of table references, after FROM. */
static bool parse_from_list(tn_sql_parser *p, tn_sql_select *s)
{
    uint32_t cap = 0;
    do {
        tn_sql_table_ref *r = parse_joins(p, parse_table_primary(p));
        if (!r || !tn_sql_grow(p, (void **)&s->from, s->from_count, &cap, sizeof(*s->from)))
            return false;
        s->from[s->from_count++] = r;
    } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
    return true;
}

/* [DISTINCT [ON (...)] | ALL] and the select list, after SELECT. */
static bool parse_select_list(tn_sql_parser *p, tn_sql_select *s)
{
    uint32_t cap = 0;
    if (tn_sql_is_kw(p, TN_SQL_KW_DISTINCT)) {
        tn_sql_advance(p);
        s->distinct = true;
        if (tn_sql_is_kw(p, TN_SQL_KW_ON)) {
            tn_sql_advance(p);
            if (!tn_sql_expect_op(p, TN_SQL_TOKOP_LPAREN)) return false;
            do {
                tn_sql_expr *e = tn_sql_parse_a_expr(p);
                if (!e || !tn_sql_list_push(p, &s->distinct_on, &cap, e)) return false;
            } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
            if (!tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) return false;
        }
    } else if (tn_sql_is_kw(p, TN_SQL_KW_ALL)) {
        tn_sql_advance(p);
    }
    cap = 0;
    do {
        if (!tn_sql_grow(p, (void **)&s->items, s->item_count, &cap, sizeof(*s->items)) ||
            !parse_select_item(p, &s->items[s->item_count]))
            return false;
        s->item_count++;
    } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
    return true;
}

/* WINDOW name AS (...), ... (the keyword consumed). */
static bool parse_window_clause(tn_sql_parser *p, tn_sql_select *s)
{
    uint32_t cap = 0;
    do {
        tn_sql_ident name;
        if (!tn_sql_parse_ident(p, false, "a window name", &name) ||
            !tn_sql_expect_kw(p, TN_SQL_KW_AS))
            return false;
        tn_sql_window *w = tn_sql_parse_window_spec(p);
        if (!w) return false;
        w->name = name.name;
        w->pos = name.pos;
        if (!tn_sql_grow(p, (void **)&s->windows, s->window_count, &cap, sizeof(*s->windows)))
            return false;
        s->windows[s->window_count++] = w;
    } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
    return true;
}

/* SELECT ... [FROM ...], or FROM ... [SELECT ...] (FROM first, as DuckDB allows: without a
 * SELECT list it selects *), then WHERE, GROUP BY, HAVING, WINDOW, QUALIFY. */
static tn_sql_query *parse_select(tn_sql_parser *p)
{
    tn_sql_token *first = tn_sql_peek(p);
    tn_sql_query *q = new_query(p, TN_SQL_QUERY_SELECT, first->pos);
    if (!q) return NULL;
    tn_sql_select *s = &q->select;
    uint32_t cap = 0;
    if (tn_sql_tok_is_kw(first, TN_SQL_KW_FROM)) {
        tn_sql_pos from_pos = first->pos;
        tn_sql_advance(p); /* FROM */
        if (!parse_from_list(p, s)) return NULL;
        if (tn_sql_accept_kw(p, TN_SQL_KW_SELECT, NULL)) {
            if (!parse_select_list(p, s)) return NULL;
        } else {
            if (!tn_sql_grow(p, (void **)&s->items, 0, &cap, sizeof(*s->items))) return NULL;
            memset(&s->items[0], 0, sizeof(s->items[0]));
            if (!(s->items[0].expr = tn_sql_new_expr(p, TN_SQL_EXPR_STAR, from_pos))) return NULL;
            s->item_count = 1;
        }
    } else {
        tn_sql_advance(p); /* SELECT */
        if (!parse_select_list(p, s)) return NULL;
        if (tn_sql_accept_kw(p, TN_SQL_KW_FROM, NULL) && !parse_from_list(p, s)) return NULL;
    }
    if (tn_sql_accept_kw(p, TN_SQL_KW_WHERE, NULL) && !(s->where = tn_sql_parse_a_expr(p)))
        return NULL;
    if (tn_sql_accept_kw(p, TN_SQL_KW_GROUP, "GROUP BY")) {
        if (!tn_sql_expect_kw(p, TN_SQL_KW_BY)) return NULL;
        if (tn_sql_is_kw(p, TN_SQL_KW_ALL)) {
            tn_sql_advance(p);
            s->group_by_all = true;
        } else {
            cap = 0;
            do {
                tn_sql_expr *e = tn_sql_parse_a_expr(p);
                if (!e || !tn_sql_list_push(p, &s->group_by, &cap, e)) return NULL;
            } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
        }
    }
    if (tn_sql_accept_kw(p, TN_SQL_KW_HAVING, NULL) && !(s->having = tn_sql_parse_a_expr(p)))
        return NULL;
    if (tn_sql_accept_kw(p, TN_SQL_KW_WINDOW, NULL) && !parse_window_clause(p, s))
        return NULL;
    if (tn_sql_accept_kw(p, TN_SQL_KW_QUALIFY, NULL) && !(s->qualify = tn_sql_parse_a_expr(p)))
        return NULL;
    return tn_sql_query_finish(p, q) ? q : NULL;
}

static tn_sql_query *parse_values(tn_sql_parser *p)
{
    tn_sql_query *q = new_query(p, TN_SQL_QUERY_VALUES, tn_sql_peek(p)->pos);
    if (!q) return NULL;
    tn_sql_advance(p); /* VALUES */
    uint32_t rows_cap = 0;
    do {
        if (!tn_sql_grow(p, (void **)&q->values.rows, q->values.row_count, &rows_cap,
                         sizeof(*q->values.rows)))
            return NULL;
        tn_sql_expr_list *row = &q->values.rows[q->values.row_count];
        memset(row, 0, sizeof(*row));
        if (!tn_sql_expect_op(p, TN_SQL_TOKOP_LPAREN)) return NULL;
        uint32_t cap = 0;
        do {
            tn_sql_expr *e = tn_sql_parse_a_expr(p);
            if (!e || !tn_sql_list_push(p, row, &cap, e)) return NULL;
        } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
        if (!tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) return NULL;
        q->values.row_count++;
    } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
    return tn_sql_query_finish(p, q) ? q : NULL;
}

/* ------------------------------------------------------------------------------------------
 * Set operations and whole queries
 * ---------------------------------------------------------------------------------------- */

static tn_sql_query *parse_operand(tn_sql_parser *p)
{
    if (tn_sql_is_kw(p, TN_SQL_KW_SELECT) || tn_sql_is_kw(p, TN_SQL_KW_FROM))
        return parse_select(p);
    if (tn_sql_is_kw(p, TN_SQL_KW_VALUES)) return parse_values(p);
    if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
        tn_sql_advance(p); /* tn_sql_parse_query counts the nesting */
        tn_sql_query *q = tn_sql_parse_query(p);
        if (q && !tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) q = NULL;
        return q;
    }
    tn_sql_expect_note(p, "SELECT");
    tn_sql_expect_note(p, "VALUES");
    tn_sql_expect_note(p, "FROM");
    tn_sql_expect_note(p, "\"(\"");
    return tn_sql_syntax_error(p);
}

static tn_sql_query *new_set_op(tn_sql_parser *p, tn_sql_set_op op, tn_sql_query *left,
                                tn_sql_pos pos)
{
    tn_sql_query *q = new_query(p, TN_SQL_QUERY_SET_OP, pos);
    if (!q) return NULL;
    q->set_op.op = op;
    q->set_op.left = left;
    if (tn_sql_is_kw(p, TN_SQL_KW_ALL)) {
        tn_sql_advance(p);
        q->set_op.all = true;
    } else if (tn_sql_is_kw(p, TN_SQL_KW_DISTINCT)) {
        tn_sql_advance(p);
    }
    return q;
}

/* operand (INTERSECT operand)*, starting from `first` when given. */
static tn_sql_query *parse_intersect(tn_sql_parser *p, tn_sql_query *first)
{
    tn_sql_query *left = first ? first : parse_operand(p);
    while (left) {
        tn_sql_pos pos = tn_sql_peek(p)->pos;
        if (!tn_sql_accept_kw(p, TN_SQL_KW_INTERSECT, NULL)) break;
        tn_sql_query *q = new_set_op(p, TN_SQL_SET_INTERSECT, left, pos);
        if (!q || !(q->set_op.right = parse_operand(p))) return NULL;
        left = tn_sql_query_finish(p, q) ? q : NULL;
    }
    return left;
}

static tn_sql_query *parse_set_expr(tn_sql_parser *p, tn_sql_query *first)
{
    tn_sql_query *left = parse_intersect(p, first);
    while (left) {
        tn_sql_pos pos = tn_sql_peek(p)->pos;
        tn_sql_set_op op;
        if (tn_sql_accept_kw(p, TN_SQL_KW_UNION, NULL))
            op = TN_SQL_SET_UNION;
        else if (tn_sql_accept_kw(p, TN_SQL_KW_EXCEPT, NULL))
            op = TN_SQL_SET_EXCEPT;
        else
            break;
        tn_sql_query *q = new_set_op(p, op, left, pos);
        if (!q || !(q->set_op.right = parse_intersect(p, NULL))) return NULL;
        left = tn_sql_query_finish(p, q) ? q : NULL;
    }
    return left;
}

/* WITH [RECURSIVE] name [(cols)] AS (query), ... */
static tn_sql_with *parse_with(tn_sql_parser *p)
{
    tn_sql_with *w = tn_sql_alloc(p, sizeof(*w));
    if (!w) return NULL;
    tn_sql_advance(p); /* WITH */
    if (tn_sql_is_kw(p, TN_SQL_KW_RECURSIVE)) {
        tn_sql_advance(p);
        w->recursive = true;
    }
    uint32_t cap = 0;
    do {
        if (!tn_sql_grow(p, (void **)&w->ctes, w->count, &cap, sizeof(*w->ctes))) return NULL;
        tn_sql_cte *cte = &w->ctes[w->count];
        memset(cte, 0, sizeof(*cte));
        if (!tn_sql_parse_ident(p, false, "a name", &cte->name)) return NULL;
        if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN) && !tn_sql_parse_ident_list(p, &cte->columns))
            return NULL;
        if (!tn_sql_expect_kw(p, TN_SQL_KW_AS) || !tn_sql_expect_op(p, TN_SQL_TOKOP_LPAREN) ||
            !(cte->query = tn_sql_parse_query(p)) || !tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN))
            return NULL;
        w->count++;
    } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
    return w;
}

/* A limit value: an expression, or ALL (no limit, NULL). */
static bool parse_limit(tn_sql_parser *p, tn_sql_query *q, tn_sql_pos pos)
{
    if (q->limit) {
        tn_sql_error_at(p, TN_EPARSE, pos, "syntax error: multiple LIMIT clauses are not allowed");
        return false;
    }
    if (tn_sql_is_kw(p, TN_SQL_KW_ALL)) {
        tn_sql_advance(p);
        return true;
    }
    return (q->limit = tn_sql_parse_a_expr(p)) != NULL;
}

/* [ORDER BY ...] then LIMIT / OFFSET / FETCH in any order, attached to q along with `with`.
 * A parenthesised query that already has a clause cannot take a second one. */
static tn_sql_query *parse_query_tail(tn_sql_parser *p, tn_sql_query *q, tn_sql_with *with)
{
    if (!q) return NULL;
    if (with) {
        if (q->with)
            return tn_sql_error_at(p, TN_EPARSE, q->node.pos,
                                   "syntax error: multiple WITH clauses are not allowed");
        q->with = with;
    }
    tn_sql_pos pos = tn_sql_peek(p)->pos;
    if (tn_sql_accept_kw(p, TN_SQL_KW_ORDER, "ORDER BY")) {
        if (q->order_by.count)
            return tn_sql_error_at(p, TN_EPARSE, pos,
                                   "syntax error: multiple ORDER BY clauses are not allowed");
        if (!tn_sql_expect_kw(p, TN_SQL_KW_BY) || !tn_sql_parse_order_list(p, &q->order_by))
            return NULL;
    }
    bool seen_limit = false, seen_offset = false;
    for (;;) {
        pos = tn_sql_peek(p)->pos;
        if (!seen_limit && tn_sql_accept_kw(p, TN_SQL_KW_LIMIT, NULL)) {
            seen_limit = true;
            if (!parse_limit(p, q, pos)) return NULL;
        } else if (!seen_offset && tn_sql_accept_kw(p, TN_SQL_KW_OFFSET, NULL)) {
            seen_offset = true;
            if (q->offset)
                return tn_sql_error_at(p, TN_EPARSE, pos,
                                       "syntax error: multiple OFFSET clauses are not allowed");
            if (!(q->offset = tn_sql_parse_a_expr(p))) return NULL;
            if (!tn_sql_accept_kw(p, TN_SQL_KW_ROWS, NULL))
                tn_sql_accept_kw(p, TN_SQL_KW_ROW, NULL);
        } else if (!seen_limit && tn_sql_accept_kw(p, TN_SQL_KW_FETCH, NULL)) {
            /* FETCH FIRST|NEXT [n] ROW|ROWS ONLY: n defaults to 1. */
            seen_limit = true;
            if (!tn_sql_accept_kw(p, TN_SQL_KW_FIRST, NULL) && !tn_sql_expect_kw(p, TN_SQL_KW_NEXT))
                return NULL;
            if (q->limit)
                return tn_sql_error_at(p, TN_EPARSE, pos,
                                       "syntax error: multiple LIMIT clauses are not allowed");
            if (tn_sql_is_kw(p, TN_SQL_KW_ROW) || tn_sql_is_kw(p, TN_SQL_KW_ROWS)) {
                tn_sql_expr *one = tn_sql_new_expr(p, TN_SQL_EXPR_LITERAL, tn_sql_peek(p)->pos);
                if (!one) return NULL;
                one->literal.kind = TN_SQL_LIT_INTEGER;
                one->literal.integer = 1;
                one->literal.number = 1;
                one->literal.text = TN_STR_LIT("1");
                q->limit = one;
            } else if (!(q->limit = tn_sql_parse_expr_prec(p, TN_SQL_PREC_ADD))) {
                return NULL;
            }
            if (!tn_sql_accept_kw(p, TN_SQL_KW_ROWS, NULL) && !tn_sql_expect_kw(p, TN_SQL_KW_ROW))
                return NULL;
            if (!tn_sql_expect_kw(p, TN_SQL_KW_ONLY)) return NULL;
        } else {
            break;
        }
    }
    return tn_sql_query_finish(p, q) ? q : NULL;
}

/* Whether the current token continues a query after a parenthesised operand. */
bool tn_sql_continues_query(tn_sql_parser *p)
{
    static const tn_sql_keyword continuations[] = {
        TN_SQL_KW_UNION, TN_SQL_KW_INTERSECT, TN_SQL_KW_EXCEPT, TN_SQL_KW_ORDER,
        TN_SQL_KW_LIMIT, TN_SQL_KW_OFFSET,    TN_SQL_KW_FETCH,
    };
    for (size_t i = 0; i < sizeof(continuations) / sizeof(continuations[0]); i++)
        if (tn_sql_is_kw(p, continuations[i])) return true;
    return false;
}

/* A whole query; see parser_int.h. */
tn_sql_query *tn_sql_parse_query(tn_sql_parser *p)
{
    if (!tn_sql_enter(p)) return NULL;
    tn_sql_with *with = NULL;
    tn_sql_query *q = NULL;
    if (tn_sql_is_kw(p, TN_SQL_KW_WITH) && !(with = parse_with(p))) goto out;
    q = parse_query_tail(p, parse_set_expr(p, NULL), with);
out:
    tn_sql_leave(p);
    return q;
}

/* Continues a query after a parenthesised first operand; see parser_int.h. */
tn_sql_query *tn_sql_parse_query_rest(tn_sql_parser *p, tn_sql_query *first)
{
    if (!tn_sql_enter(p)) return NULL;
    tn_sql_query *q = parse_query_tail(p, parse_set_expr(p, first), NULL);
    tn_sql_leave(p);
    return q;
}
