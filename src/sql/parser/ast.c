/* SPDX-License-Identifier: Apache-2.0
 *
 * Printing a syntax tree back as SQL, and the names of node kinds. The output is fully
 * parenthesised, so it shows how the parser grouped an expression ("a OR b AND c" prints as
 * "(a OR (b AND c))"), and parsing it again gives a tree that prints the same text: tests
 * rely on that fixed point and EXPLAIN shows this text.
 *
 * Names are quoted only when they would not read back as the same name: anything but
 * [a-z_][a-z0-9_$]*, and reserved or function-only keywords. A few function names that the
 * parser treats specially (EXTRACT, SUBSTRING ...) are quoted when the call could not be
 * read back through the special form.
 */
#include "sql/parser/parser_int.h"

#include <stdio.h>

typedef struct printer {
    tn_buf *out;
    int rc; /* first error (out of memory); later writes are skipped */
} printer;

static void put(printer *w, const char *s)
{
    if (w->rc == 0) w->rc = tn_buf_append_cstr(w->out, s);
}

static void putn(printer *w, const char *s, size_t n)
{
    if (w->rc == 0) w->rc = tn_buf_append(w->out, s, n);
}

static void print_expr(printer *w, const tn_sql_expr *e);
static void print_query(printer *w, const tn_sql_query *q);
static void print_table_ref(printer *w, const tn_sql_table_ref *r, bool nested);
static void print_stmt(printer *w, const tn_sql_stmt *s);

/* ------------------------------------------------------------------------------------------
 * Names and literals
 * ---------------------------------------------------------------------------------------- */

static bool is_plain_name(const char *name)
{
    const unsigned char *s = (const unsigned char *)name;
    if (!((*s >= 'a' && *s <= 'z') || *s == '_')) return false;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '$'))
            return false;
    tn_sql_keyword kw = tn_sql_keyword_lookup(name, strlen(name));
    return kw == TN_SQL_KW_NONE || tn_sql_keyword_category(kw) == TN_SQL_KWCAT_UNRESERVED;
}

/* A keyword that may stand as a function name (LEFT, RIGHT ...). */
static bool is_function_keyword(const char *name)
{
    tn_sql_keyword kw = tn_sql_keyword_lookup(name, strlen(name));
    return kw != TN_SQL_KW_NONE && tn_sql_keyword_category(kw) == TN_SQL_KWCAT_TYPE_FUNC &&
           strcmp(name, tn_sql_keyword_text(kw)) == 0;
}

static void print_quoted_ident(printer *w, const char *name)
{
    put(w, "\"");
    for (const char *s = name; *s; s++) {
        if (*s == '"') put(w, "\"");
        putn(w, s, 1);
    }
    put(w, "\"");
}

static void print_ident(printer *w, const char *name)
{
    if (name && is_plain_name(name))
        put(w, name);
    else
        print_quoted_ident(w, name ? name : "");
}

static void print_name(printer *w, const tn_sql_name *n)
{
    for (uint32_t i = 0; i < n->count; i++) {
        if (i > 0) put(w, ".");
        print_ident(w, n->parts[i].name);
    }
}

static void print_ident_list(printer *w, const tn_sql_ident_list *l)
{
    put(w, "(");
    for (uint32_t i = 0; i < l->count; i++) {
        if (i > 0) put(w, ", ");
        print_ident(w, l->items[i].name);
    }
    put(w, ")");
}

static void print_string(printer *w, tn_str s)
{
    put(w, "'");
    size_t run = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '\'') {
            putn(w, s.ptr + run, i + 1 - run);
            put(w, "'");
            run = i + 1;
        }
    }
    putn(w, s.ptr + run, s.len - run);
    put(w, "'");
}

static void print_literal(printer *w, const tn_sql_literal *lit)
{
    switch (lit->kind) {
    case TN_SQL_LIT_NULL:
        put(w, "NULL");
        break;
    case TN_SQL_LIT_BOOL:
        put(w, lit->boolean ? "TRUE" : "FALSE");
        break;
    case TN_SQL_LIT_STRING:
        print_string(w, lit->text);
        break;
    default:
        /* A negative number in parentheses, so "(-5)::INTEGER" casts -5, not 5. */
        if (lit->text.len > 0 && lit->text.ptr[0] == '-') {
            put(w, "(");
            putn(w, lit->text.ptr, lit->text.len);
            put(w, ")");
        } else {
            putn(w, lit->text.ptr, lit->text.len);
        }
        break;
    }
}

/* ------------------------------------------------------------------------------------------
 * Expressions
 * ---------------------------------------------------------------------------------------- */

static void print_list(printer *w, const tn_sql_expr_list *l)
{
    for (uint32_t i = 0; i < l->count; i++) {
        if (i > 0) put(w, ", ");
        print_expr(w, l->items[i]);
    }
}

static void print_order_list(printer *w, const tn_sql_order_list *l)
{
    for (uint32_t i = 0; i < l->count; i++) {
        const tn_sql_order_item *item = &l->items[i];
        if (i > 0) put(w, ", ");
        print_expr(w, item->expr);
        if (item->dir == TN_SQL_SORT_ASC)
            put(w, " ASC");
        else if (item->dir == TN_SQL_SORT_DESC)
            put(w, " DESC");
        if (item->nulls == TN_SQL_NULLS_FIRST)
            put(w, " NULLS FIRST");
        else if (item->nulls == TN_SQL_NULLS_LAST)
            put(w, " NULLS LAST");
    }
}

static void print_bound(printer *w, const tn_sql_frame_bound *b)
{
    switch (b->kind) {
    case TN_SQL_BOUND_UNBOUNDED_PRECEDING:
        put(w, "UNBOUNDED PRECEDING");
        break;
    case TN_SQL_BOUND_PRECEDING:
        print_expr(w, b->offset);
        put(w, " PRECEDING");
        break;
    case TN_SQL_BOUND_CURRENT_ROW:
        put(w, "CURRENT ROW");
        break;
    case TN_SQL_BOUND_FOLLOWING:
        print_expr(w, b->offset);
        put(w, " FOLLOWING");
        break;
    case TN_SQL_BOUND_UNBOUNDED_FOLLOWING:
        put(w, "UNBOUNDED FOLLOWING");
        break;
    }
}

static void print_window(printer *w, const tn_sql_window *win)
{
    if (win->bare_ref) {
        print_ident(w, win->ref_name);
        return;
    }
    const char *sep = "";
    put(w, "(");
    if (win->ref_name) {
        print_ident(w, win->ref_name);
        sep = " ";
    }
    if (win->partition_by.count) {
        put(w, sep);
        put(w, "PARTITION BY ");
        print_list(w, &win->partition_by);
        sep = " ";
    }
    if (win->order_by.count) {
        put(w, sep);
        put(w, "ORDER BY ");
        print_order_list(w, &win->order_by);
        sep = " ";
    }
    if (win->frame_mode != TN_SQL_FRAME_DEFAULT) {
        put(w, sep);
        put(w, win->frame_mode == TN_SQL_FRAME_ROWS    ? "ROWS "
               : win->frame_mode == TN_SQL_FRAME_RANGE ? "RANGE "
                                                       : "GROUPS ");
        if (win->frame_between) {
            put(w, "BETWEEN ");
            print_bound(w, &win->frame_start);
            put(w, " AND ");
            print_bound(w, &win->frame_end);
        } else {
            print_bound(w, &win->frame_start);
        }
    }
    put(w, ")");
}

/* Whether a call's name must be quoted so that it is not read back through one of the
 * parser's special call forms. */
static bool call_name_needs_quotes(const tn_sql_call *c)
{
    if (c->name.count != 1) return false;
    const char *n = c->name.parts[0].name;
    if (strcmp(n, "extract") == 0 || strcmp(n, "interval") == 0 || strcmp(n, "try_cast") == 0)
        return true;
    if (strcmp(n, "substring") != 0 && strcmp(n, "position") != 0 && strcmp(n, "trim") != 0)
        return false;
    /* The special forms read back a plain list of one or more positional arguments. */
    return c->args.count == 0 || c->distinct || c->star || c->arg_names || c->order_by.count ||
           c->filter || c->over;
}

static void print_call(printer *w, const tn_sql_call *c)
{
    if (c->no_parens) {
        put(w, c->name.parts[0].name); /* the keyword itself, unquoted: current_date ... */
        return;
    }
    const char *first = c->name.parts[0].name;
    if (call_name_needs_quotes(c))
        print_quoted_ident(w, first);
    else if (c->name.count == 1 && is_function_keyword(first))
        put(w, first); /* left(s, 2): a function-only keyword reads back before '(' */
    else
        print_name(w, &c->name);
    put(w, "(");
    if (c->star) {
        put(w, "*");
    } else {
        if (c->distinct) put(w, "DISTINCT ");
        for (uint32_t i = 0; i < c->args.count; i++) {
            if (i > 0) put(w, ", ");
            if (c->arg_names && c->arg_names[i]) {
                print_ident(w, c->arg_names[i]);
                put(w, " => ");
            }
            print_expr(w, c->args.items[i]);
        }
        if (c->order_by.count) {
            put(w, " ORDER BY ");
            print_order_list(w, &c->order_by);
        }
    }
    put(w, ")");
    if (c->filter) {
        put(w, " FILTER (WHERE ");
        print_expr(w, c->filter);
        put(w, ")");
    }
    if (c->over) {
        put(w, " OVER ");
        print_window(w, c->over);
    }
}

static void print_interval(printer *w, const tn_sql_expr *e)
{
    const tn_sql_expr *v = e->interval.value;
    put(w, "INTERVAL ");
    /* INTERVAL takes a string, a number, or an expression in parentheses; operators print
     * their own parentheses, which serve. */
    bool bare;
    switch (v->kind) {
    case TN_SQL_EXPR_LITERAL:
        bare = v->literal.kind != TN_SQL_LIT_NULL && v->literal.kind != TN_SQL_LIT_BOOL;
        break;
    case TN_SQL_EXPR_UNARY:
    case TN_SQL_EXPR_BINARY:
    case TN_SQL_EXPR_AND:
    case TN_SQL_EXPR_OR:
    case TN_SQL_EXPR_IS:
    case TN_SQL_EXPR_BETWEEN:
    case TN_SQL_EXPR_IN_LIST:
    case TN_SQL_EXPR_IN_QUERY:
    case TN_SQL_EXPR_LIKE:
    case TN_SQL_EXPR_QUANTIFIED:
    case TN_SQL_EXPR_SUBQUERY:
        bare = true;
        break;
    case TN_SQL_EXPR_CAST:
        bare = v->cast.form == TN_SQL_CAST_OPERATOR;
        break;
    default:
        bare = false;
        break;
    }
    if (!bare) put(w, "(");
    print_expr(w, v);
    if (!bare) put(w, ")");
    if (e->interval.unit != TN_SQL_UNIT_NONE) {
        char upper[16];
        const char *name = tn_sql_interval_unit_name(e->interval.unit);
        size_t n = 0;
        for (; name[n] && n + 1 < sizeof(upper); n++) upper[n] = (char)(name[n] - 32);
        upper[n] = '\0';
        put(w, " ");
        put(w, upper);
    }
}

static void print_expr(printer *w, const tn_sql_expr *e)
{
    if (!e) {
        put(w, "NULL");
        return;
    }
    switch (e->kind) {
    case TN_SQL_EXPR_LITERAL:
        print_literal(w, &e->literal);
        break;
    case TN_SQL_EXPR_COLUMN:
        print_name(w, &e->column);
        break;
    case TN_SQL_EXPR_STAR:
        if (e->star.qualifier.count) {
            print_name(w, &e->star.qualifier);
            put(w, ".");
        }
        put(w, "*");
        break;
    case TN_SQL_EXPR_PARAM:
        if (e->param.question_mark) {
            put(w, "?");
        } else {
            char buf[16];
            snprintf(buf, sizeof(buf), "$%u", (unsigned)e->param.index);
            put(w, buf);
        }
        break;
    case TN_SQL_EXPR_UNARY:
        put(w, e->unary.op == TN_SQL_OP_NOT      ? "(NOT "
               : e->unary.op == TN_SQL_OP_NEGATE ? "(- "
                                                 : "(+ ");
        print_expr(w, e->unary.operand);
        put(w, ")");
        break;
    case TN_SQL_EXPR_BINARY:
        put(w, "(");
        print_expr(w, e->binary.left);
        put(w, " ");
        put(w, tn_sql_binary_op_name(e->binary.op));
        put(w, " ");
        print_expr(w, e->binary.right);
        put(w, ")");
        break;
    case TN_SQL_EXPR_AND:
    case TN_SQL_EXPR_OR:
        put(w, "(");
        for (uint32_t i = 0; i < e->logical.operands.count; i++) {
            if (i > 0) put(w, e->kind == TN_SQL_EXPR_AND ? " AND " : " OR ");
            print_expr(w, e->logical.operands.items[i]);
        }
        put(w, ")");
        break;
    case TN_SQL_EXPR_IS: {
        static const char *const tests[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
        put(w, "(");
        print_expr(w, e->is.operand);
        put(w, e->is.negated ? " IS NOT " : " IS ");
        put(w, tests[e->is.test]);
        put(w, ")");
        break;
    }
    case TN_SQL_EXPR_BETWEEN:
        put(w, "(");
        print_expr(w, e->between.operand);
        put(w, e->between.negated ? " NOT BETWEEN " : " BETWEEN ");
        print_expr(w, e->between.low);
        put(w, " AND ");
        print_expr(w, e->between.high);
        put(w, ")");
        break;
    case TN_SQL_EXPR_IN_LIST:
        put(w, "(");
        print_expr(w, e->in_list.operand);
        put(w, e->in_list.negated ? " NOT IN (" : " IN (");
        print_list(w, &e->in_list.list);
        put(w, "))");
        break;
    case TN_SQL_EXPR_IN_QUERY:
        put(w, "(");
        print_expr(w, e->in_query.operand);
        put(w, e->in_query.negated ? " NOT IN (" : " IN (");
        print_query(w, e->in_query.query);
        put(w, "))");
        break;
    case TN_SQL_EXPR_LIKE:
        put(w, "(");
        print_expr(w, e->like.operand);
        put(w, e->like.negated ? " NOT" : "");
        put(w, e->like.case_insensitive ? " ILIKE " : " LIKE ");
        print_expr(w, e->like.pattern);
        if (e->like.escape) {
            put(w, " ESCAPE ");
            print_expr(w, e->like.escape);
        }
        put(w, ")");
        break;
    case TN_SQL_EXPR_CAST:
        switch (e->cast.form) {
        case TN_SQL_CAST_FUNCTION:
        case TN_SQL_CAST_TRY:
            put(w, e->cast.form == TN_SQL_CAST_TRY ? "TRY_CAST(" : "CAST(");
            print_expr(w, e->cast.operand);
            put(w, " AS ");
            put(w, e->cast.type.text);
            put(w, ")");
            break;
        case TN_SQL_CAST_OPERATOR:
            put(w, "(");
            print_expr(w, e->cast.operand);
            put(w, "::");
            put(w, e->cast.type.text);
            put(w, ")");
            break;
        case TN_SQL_CAST_LITERAL:
            put(w, e->cast.type.text);
            put(w, " ");
            print_expr(w, e->cast.operand);
            break;
        }
        break;
    case TN_SQL_EXPR_CASE:
        put(w, "CASE");
        if (e->case_expr.operand) {
            put(w, " ");
            print_expr(w, e->case_expr.operand);
        }
        for (uint32_t i = 0; i < e->case_expr.when_count; i++) {
            put(w, " WHEN ");
            print_expr(w, e->case_expr.whens[i].condition);
            put(w, " THEN ");
            print_expr(w, e->case_expr.whens[i].result);
        }
        if (e->case_expr.else_result) {
            put(w, " ELSE ");
            print_expr(w, e->case_expr.else_result);
        }
        put(w, " END");
        break;
    case TN_SQL_EXPR_FUNCTION:
        print_call(w, &e->call);
        break;
    case TN_SQL_EXPR_SUBQUERY:
        put(w, "(");
        print_query(w, e->subquery.query);
        put(w, ")");
        break;
    case TN_SQL_EXPR_EXISTS:
        put(w, "EXISTS (");
        print_query(w, e->subquery.query);
        put(w, ")");
        break;
    case TN_SQL_EXPR_QUANTIFIED:
        put(w, "(");
        print_expr(w, e->quantified.operand);
        put(w, " ");
        put(w, tn_sql_binary_op_name(e->quantified.op));
        put(w, e->quantified.all ? " ALL (" : " ANY (");
        print_query(w, e->quantified.query);
        put(w, "))");
        break;
    case TN_SQL_EXPR_INTERVAL:
        print_interval(w, e);
        break;
    }
}

/* ------------------------------------------------------------------------------------------
 * FROM items and queries
 * ---------------------------------------------------------------------------------------- */

static void print_alias(printer *w, const tn_sql_alias *a)
{
    if (!a->name.name) return;
    put(w, " AS ");
    print_ident(w, a->name.name);
    if (a->columns.count) print_ident_list(w, &a->columns);
}

/* nested: the join is the right side of another join, so it needs parentheses. A join with
 * an alias always has them. A chain of joins prints left-deep without any. */
static void print_table_ref(printer *w, const tn_sql_table_ref *r, bool nested)
{
    switch (r->kind) {
    case TN_SQL_TABLE_NAME:
        print_name(w, &r->name);
        break;
    case TN_SQL_TABLE_FILE:
        print_string(w, r->path);
        break;
    case TN_SQL_TABLE_FUNCTION:
        print_expr(w, r->function);
        break;
    case TN_SQL_TABLE_SUBQUERY:
        put(w, "(");
        print_query(w, r->subquery);
        put(w, ")");
        break;
    case TN_SQL_TABLE_JOIN: {
        static const char *const joins[] = {[TN_SQL_JOIN_INNER] = " JOIN ",
                                            [TN_SQL_JOIN_LEFT] = " LEFT JOIN ",
                                            [TN_SQL_JOIN_RIGHT] = " RIGHT JOIN ",
                                            [TN_SQL_JOIN_FULL] = " FULL JOIN ",
                                            [TN_SQL_JOIN_CROSS] = " CROSS JOIN "};
        bool parens = nested || r->alias.name.name;
        if (parens) put(w, "(");
        print_table_ref(w, r->join.left, false);
        if (r->join.natural) put(w, " NATURAL");
        put(w, joins[r->join.type]);
        print_table_ref(w, r->join.right, true);
        if (r->join.on) {
            put(w, " ON ");
            print_expr(w, r->join.on);
        } else if (r->join.using.count) {
            put(w, " USING ");
            print_ident_list(w, &r->join.using);
        }
        if (parens) put(w, ")");
        break;
    }
    }
    print_alias(w, &r->alias);
}

static void print_select(printer *w, const tn_sql_select *s)
{
    put(w, s->distinct ? "SELECT DISTINCT " : "SELECT ");
    if (s->distinct_on.count) {
        put(w, "ON (");
        print_list(w, &s->distinct_on);
        put(w, ") ");
    }
    for (uint32_t i = 0; i < s->item_count; i++) {
        if (i > 0) put(w, ", ");
        print_expr(w, s->items[i].expr);
        if (s->items[i].alias.name) {
            put(w, " AS ");
            print_ident(w, s->items[i].alias.name);
        }
    }
    for (uint32_t i = 0; i < s->from_count; i++) {
        put(w, i == 0 ? " FROM " : ", ");
        print_table_ref(w, s->from[i], false);
    }
    if (s->where) {
        put(w, " WHERE ");
        print_expr(w, s->where);
    }
    if (s->group_by_all) {
        put(w, " GROUP BY ALL");
    } else if (s->group_by.count) {
        put(w, " GROUP BY ");
        print_list(w, &s->group_by);
    }
    if (s->having) {
        put(w, " HAVING ");
        print_expr(w, s->having);
    }
    for (uint32_t i = 0; i < s->window_count; i++) {
        put(w, i == 0 ? " WINDOW " : ", ");
        print_ident(w, s->windows[i]->name);
        put(w, " AS ");
        print_window(w, s->windows[i]);
    }
    if (s->qualify) {
        put(w, " QUALIFY ");
        print_expr(w, s->qualify);
    }
}

static void print_query(printer *w, const tn_sql_query *q)
{
    if (q->with) {
        put(w, q->with->recursive ? "WITH RECURSIVE " : "WITH ");
        for (uint32_t i = 0; i < q->with->count; i++) {
            const tn_sql_cte *cte = &q->with->ctes[i];
            if (i > 0) put(w, ", ");
            print_ident(w, cte->name.name);
            if (cte->columns.count) print_ident_list(w, &cte->columns);
            put(w, " AS (");
            print_query(w, cte->query);
            put(w, ")");
        }
        put(w, " ");
    }
    switch (q->kind) {
    case TN_SQL_QUERY_SELECT:
        print_select(w, &q->select);
        break;
    case TN_SQL_QUERY_VALUES:
        put(w, "VALUES ");
        for (uint32_t i = 0; i < q->values.row_count; i++) {
            put(w, i == 0 ? "(" : ", (");
            print_list(w, &q->values.rows[i]);
            put(w, ")");
        }
        break;
    case TN_SQL_QUERY_SET_OP: {
        static const char *const ops[] = {[TN_SQL_SET_UNION] = ") UNION ",
                                          [TN_SQL_SET_INTERSECT] = ") INTERSECT ",
                                          [TN_SQL_SET_EXCEPT] = ") EXCEPT "};
        put(w, "(");
        print_query(w, q->set_op.left);
        put(w, ops[q->set_op.op]);
        put(w, q->set_op.all ? "ALL (" : "(");
        print_query(w, q->set_op.right);
        put(w, ")");
        break;
    }
    }
    if (q->order_by.count) {
        put(w, " ORDER BY ");
        print_order_list(w, &q->order_by);
    }
    if (q->limit) {
        put(w, " LIMIT ");
        print_expr(w, q->limit);
    }
    if (q->offset) {
        put(w, " OFFSET ");
        print_expr(w, q->offset);
    }
}

/* ------------------------------------------------------------------------------------------
 * Statements
 * ---------------------------------------------------------------------------------------- */

static void print_create_table(printer *w, const tn_sql_stmt *s)
{
    put(w, "CREATE ");
    if (s->create_table.or_replace) put(w, "OR REPLACE ");
    if (s->create_table.temporary) put(w, "TEMPORARY ");
    put(w, "TABLE ");
    if (s->create_table.if_not_exists) put(w, "IF NOT EXISTS ");
    print_name(w, &s->create_table.name);
    if (s->create_table.column_count) {
        put(w, " (");
        for (uint32_t i = 0; i < s->create_table.column_count; i++) {
            const tn_sql_column_def *c = &s->create_table.columns[i];
            if (i > 0) put(w, ", ");
            print_ident(w, c->name.name);
            put(w, " ");
            put(w, c->type.text);
            if (c->not_null) put(w, " NOT NULL");
            if (c->primary_key) put(w, " PRIMARY KEY");
            if (c->unique) put(w, " UNIQUE");
            if (c->default_value) {
                put(w, " DEFAULT ");
                print_expr(w, c->default_value);
            }
        }
        if (s->create_table.primary_key.count) {
            put(w, ", PRIMARY KEY ");
            print_ident_list(w, &s->create_table.primary_key);
        }
        put(w, ")");
    }
    if (s->create_table.partition_by.count) {
        put(w, " PARTITIONED BY (");
        print_list(w, &s->create_table.partition_by);
        put(w, ")");
    }
    if (s->create_table.as_query) {
        put(w, " AS ");
        print_query(w, s->create_table.as_query);
    }
}

static void print_stmt(printer *w, const tn_sql_stmt *s)
{
    static const char *const objects[] = {[TN_SQL_OBJECT_TABLE] = "TABLE ",
                                          [TN_SQL_OBJECT_VIEW] = "VIEW ",
                                          [TN_SQL_OBJECT_INDEX] = "INDEX "};
    switch (s->kind) {
    case TN_SQL_STMT_QUERY:
        print_query(w, s->query);
        break;
    case TN_SQL_STMT_CREATE_TABLE:
        print_create_table(w, s);
        break;
    case TN_SQL_STMT_CREATE_VIEW:
        put(w, "CREATE ");
        if (s->create_view.or_replace) put(w, "OR REPLACE ");
        if (s->create_view.temporary) put(w, "TEMPORARY ");
        put(w, "VIEW ");
        if (s->create_view.if_not_exists) put(w, "IF NOT EXISTS ");
        print_name(w, &s->create_view.name);
        if (s->create_view.columns.count) {
            put(w, " ");
            print_ident_list(w, &s->create_view.columns);
        }
        put(w, " AS ");
        print_query(w, s->create_view.query);
        break;
    case TN_SQL_STMT_CREATE_INDEX:
        put(w, s->create_index.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
        if (s->create_index.if_not_exists) put(w, "IF NOT EXISTS ");
        if (s->create_index.name.name) {
            print_ident(w, s->create_index.name.name);
            put(w, " ");
        }
        put(w, "ON ");
        print_name(w, &s->create_index.table);
        put(w, " (");
        print_order_list(w, &s->create_index.columns);
        put(w, ")");
        break;
    case TN_SQL_STMT_INSERT:
        put(w, "INSERT INTO ");
        print_name(w, &s->insert.table);
        if (s->insert.columns.count) {
            put(w, " ");
            print_ident_list(w, &s->insert.columns);
        }
        put(w, " ");
        print_query(w, s->insert.query);
        break;
    case TN_SQL_STMT_DROP:
        put(w, "DROP ");
        put(w, objects[s->drop.object]);
        if (s->drop.if_exists) put(w, "IF EXISTS ");
        print_name(w, &s->drop.name);
        break;
    case TN_SQL_STMT_TRUNCATE:
        put(w, "TRUNCATE TABLE ");
        print_name(w, &s->truncate.table);
        break;
    case TN_SQL_STMT_EXPLAIN:
        put(w, s->explain.analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ");
        print_stmt(w, s->explain.stmt);
        break;
    case TN_SQL_STMT_SET:
        put(w, "SET ");
        print_name(w, &s->set.name);
        if (s->set.value) {
            put(w, " = ");
            print_expr(w, s->set.value);
        } else {
            put(w, " TO DEFAULT");
        }
        break;
    case TN_SQL_STMT_SHOW_TABLES:
        put(w, "SHOW TABLES");
        break;
    case TN_SQL_STMT_SHOW:
        put(w, "SHOW ");
        print_name(w, &s->show.name);
        break;
    case TN_SQL_STMT_DESCRIBE:
        put(w, "DESCRIBE ");
        if (s->describe.query)
            print_query(w, s->describe.query);
        else if (s->describe.path)
            print_string(w, tn_str_make(s->describe.path, strlen(s->describe.path)));
        else
            print_name(w, &s->describe.table);
        break;
    case TN_SQL_STMT_COPY:
        put(w, "COPY ");
        if (s->copy.query) {
            put(w, "(");
            print_query(w, s->copy.query);
            put(w, ")");
        } else {
            print_name(w, &s->copy.table);
            if (s->copy.columns.count) {
                put(w, " ");
                print_ident_list(w, &s->copy.columns);
            }
        }
        put(w, s->copy.from ? " FROM " : " TO ");
        print_string(w, tn_str_make(s->copy.path, strlen(s->copy.path)));
        for (uint32_t i = 0; i < s->copy.option_count; i++) {
            put(w, i ? ", " : " (");
            put(w, s->copy.option_names[i]);
            if (s->copy.option_values[i]) {
                put(w, " ");
                print_expr(w, s->copy.option_values[i]);
            }
        }
        if (s->copy.partition_by.count) {
            put(w, s->copy.option_count ? ", PARTITION_BY " : " (PARTITION_BY ");
            print_ident_list(w, &s->copy.partition_by);
        }
        if (s->copy.option_count || s->copy.partition_by.count)
            put(w, ")");
        break;
    case TN_SQL_STMT_KIND_COUNT:
        break;
    }
}

/* ------------------------------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------------------------- */

/* Prints any node as SQL; see ast.h. */
int tn_sql_ast_format(const tn_sql_node *node, tn_buf *out)
{
    printer w = {out, 0};
    if (!node) return 0;
    switch (node->type) {
    case TN_SQL_NODE_EXPR:
        print_expr(&w, (const tn_sql_expr *)node);
        break;
    case TN_SQL_NODE_TABLE_REF:
        print_table_ref(&w, (const tn_sql_table_ref *)node, false);
        break;
    case TN_SQL_NODE_QUERY:
        print_query(&w, (const tn_sql_query *)node);
        break;
    case TN_SQL_NODE_STMT:
        print_stmt(&w, (const tn_sql_stmt *)node);
        break;
    }
    return w.rc;
}

/* Command names of statement kinds. */
const char *tn_sql_stmt_kind_name(tn_sql_stmt_kind kind)
{
    static const char *const names[TN_SQL_STMT_KIND_COUNT] = {
        [TN_SQL_STMT_QUERY] = "SELECT",
        [TN_SQL_STMT_CREATE_TABLE] = "CREATE TABLE",
        [TN_SQL_STMT_CREATE_VIEW] = "CREATE VIEW",
        [TN_SQL_STMT_CREATE_INDEX] = "CREATE INDEX",
        [TN_SQL_STMT_INSERT] = "INSERT",
        [TN_SQL_STMT_DROP] = "DROP",
        [TN_SQL_STMT_TRUNCATE] = "TRUNCATE",
        [TN_SQL_STMT_EXPLAIN] = "EXPLAIN",
        [TN_SQL_STMT_SET] = "SET",
        [TN_SQL_STMT_SHOW_TABLES] = "SHOW TABLES",
        [TN_SQL_STMT_SHOW] = "SHOW",
        [TN_SQL_STMT_DESCRIBE] = "DESCRIBE",
        [TN_SQL_STMT_COPY] = "COPY",
    };
    return (unsigned)kind < TN_SQL_STMT_KIND_COUNT ? names[kind] : "UNKNOWN";
}

/* Text of a binary operator. */
const char *tn_sql_binary_op_name(tn_sql_binary_op op)
{
    static const char *const names[TN_SQL_OP_BINARY_COUNT] = {
#define OP_TEXT(name, text) [TN_SQL_OP_##name] = text,
        TN_SQL_BINARY_OPS(OP_TEXT)
#undef OP_TEXT
    };
    return (unsigned)op < TN_SQL_OP_BINARY_COUNT ? names[op] : "?";
}

/* Lower-case name of an interval unit. */
const char *tn_sql_interval_unit_name(tn_sql_interval_unit unit)
{
    static const char *const names[TN_SQL_UNIT_COUNT] = {[TN_SQL_UNIT_NONE] = "",
#define UNIT_TEXT(name, text) [TN_SQL_UNIT_##name] = text,
                                                         TN_SQL_INTERVAL_UNITS(UNIT_TEXT)
#undef UNIT_TEXT
    };
    return (unsigned)unit < TN_SQL_UNIT_COUNT ? names[unit] : "";
}
