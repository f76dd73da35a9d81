/* SPDX-License-Identifier: Apache-2.0
 *
 * Statements other than the query itself: CREATE TABLE (with columns, or AS query; with
 * PARTITIONED BY), CREATE VIEW, CREATE INDEX, INSERT, DROP, TRUNCATE, EXPLAIN [ANALYZE], and
 * the shell's SET, SHOW TABLES, SHOW name and DESCRIBE name.
 */
#include "sql/parser/parser_int.h"

static tn_sql_stmt *new_stmt(tn_sql_parser *p, tn_sql_stmt_kind kind, tn_sql_pos pos)
{
    tn_sql_stmt *s = tn_sql_alloc(p, sizeof(*s));
    if (!s) return NULL;
    s->node.type = TN_SQL_NODE_STMT;
    s->node.height = 1;
    s->node.pos = pos;
    s->kind = kind;
    return s;
}

/* Sets the statement's height from its children and checks the limit. */
static tn_sql_stmt *stmt_finish(tn_sql_parser *p, tn_sql_stmt *s)
{
    if (!s || p->code) return NULL;
    uint32_t m = 0;
    switch (s->kind) {
    case TN_SQL_STMT_QUERY:
        m = tn_sql_query_height(s->query);
        break;
    case TN_SQL_STMT_CREATE_TABLE:
        for (uint32_t i = 0; i < s->create_table.column_count; i++)
            m = tn_sql_max_u32(m, tn_sql_expr_height(s->create_table.columns[i].default_value));
        m = tn_sql_max_u32(m, tn_sql_list_height(&s->create_table.partition_by));
        m = tn_sql_max_u32(m, tn_sql_query_height(s->create_table.as_query));
        break;
    case TN_SQL_STMT_CREATE_VIEW:
        m = tn_sql_query_height(s->create_view.query);
        break;
    case TN_SQL_STMT_CREATE_INDEX:
        m = tn_sql_order_height(&s->create_index.columns);
        break;
    case TN_SQL_STMT_INSERT:
        m = tn_sql_query_height(s->insert.query);
        break;
    case TN_SQL_STMT_EXPLAIN:
        m = s->explain.stmt ? s->explain.stmt->node.height : 0;
        break;
    case TN_SQL_STMT_DESCRIBE:
        m = tn_sql_query_height(s->describe.query);
        break;
    case TN_SQL_STMT_COPY:
        m = tn_sql_query_height(s->copy.query);
        for (uint32_t i = 0; i < s->copy.option_count; i++)
            m = tn_sql_max_u32(m, tn_sql_expr_height(s->copy.option_values[i]));
        break;
    case TN_SQL_STMT_SET:
        m = tn_sql_expr_height(s->set.value);
        break;
    default:
        break;
    }
    s->node.height = m + 1;
    return tn_sql_check_height(p, &s->node) ? s : NULL;
}

/* IF NOT EXISTS, after IF was seen. */
static bool parse_if_not_exists(tn_sql_parser *p, bool *out)
{
    if (!tn_sql_is_kw(p, TN_SQL_KW_IF)) return true;
    tn_sql_advance(p);
    *out = true;
    return tn_sql_expect_kw(p, TN_SQL_KW_NOT) && tn_sql_expect_kw(p, TN_SQL_KW_EXISTS);
}

/* One column definition: name type [NOT NULL | NULL | PRIMARY KEY | UNIQUE | DEFAULT e]... */
static bool parse_column_def(tn_sql_parser *p, tn_sql_column_def *col)
{
    memset(col, 0, sizeof(*col));
    if (!tn_sql_parse_ident(p, false, "a column name", &col->name) ||
        !tn_sql_parse_type_name(p, &col->type))
        return false;
    for (;;) {
        if (tn_sql_accept_kw(p, TN_SQL_KW_NOT, "NOT NULL")) {
            if (!tn_sql_expect_kw(p, TN_SQL_KW_NULL)) return false;
            col->not_null = true;
        } else if (tn_sql_accept_kw(p, TN_SQL_KW_NULL, NULL)) {
            /* explicitly nullable: the default */
        } else if (tn_sql_accept_kw(p, TN_SQL_KW_PRIMARY, "PRIMARY KEY")) {
            if (!tn_sql_expect_kw(p, TN_SQL_KW_KEY)) return false;
            col->primary_key = true;
        } else if (tn_sql_accept_kw(p, TN_SQL_KW_UNIQUE, NULL)) {
            col->unique = true;
        } else if (tn_sql_accept_kw(p, TN_SQL_KW_DEFAULT, NULL)) {
            if (!(col->default_value = tn_sql_parse_a_expr(p))) return false;
        } else {
            return true;
        }
    }
}

/* PARTITIONED BY (expr, ...), also spelled PARTITION BY. */
static bool parse_partitioned_by(tn_sql_parser *p, tn_sql_expr_list *out)
{
    if (!tn_sql_accept_kw(p, TN_SQL_KW_PARTITIONED, "PARTITIONED BY") &&
        !tn_sql_accept_kw(p, TN_SQL_KW_PARTITION, "PARTITIONED BY"))
        return true;
    if (!tn_sql_expect_kw(p, TN_SQL_KW_BY) || !tn_sql_expect_op(p, TN_SQL_TOKOP_LPAREN))
        return false;
    uint32_t cap = 0;
    do {
        tn_sql_expr *e = tn_sql_parse_a_expr(p);
        if (!e || !tn_sql_list_push(p, out, &cap, e)) return false;
    } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
    return tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN);
}

/* CREATE [OR REPLACE] [TEMP] TABLE [IF NOT EXISTS] name
 *   ( column | PRIMARY KEY (cols), ... ) [PARTITIONED BY (...)]
 *   | [PARTITIONED BY (...)] AS query */
static tn_sql_stmt *parse_create_table(tn_sql_parser *p, tn_sql_stmt *s)
{
    s->kind = TN_SQL_STMT_CREATE_TABLE;
    if (!parse_if_not_exists(p, &s->create_table.if_not_exists) ||
        !tn_sql_parse_name(p, "a table name", &s->create_table.name))
        return NULL;
    if (tn_sql_accept_op(p, TN_SQL_TOKOP_LPAREN)) {
        uint32_t cap = 0;
        do {
            if (tn_sql_is_kw(p, TN_SQL_KW_PRIMARY)) {
                tn_sql_pos pos = tn_sql_peek(p)->pos;
                tn_sql_advance(p);
                if (s->create_table.primary_key.count)
                    return tn_sql_error_at(p, TN_EPARSE, pos,
                                           "multiple primary keys for table are not allowed");
                if (!tn_sql_expect_kw(p, TN_SQL_KW_KEY) ||
                    !tn_sql_parse_ident_list(p, &s->create_table.primary_key))
                    return NULL;
                continue;
            }
            if (!tn_sql_grow(p, (void **)&s->create_table.columns, s->create_table.column_count,
                             &cap, sizeof(*s->create_table.columns)) ||
                !parse_column_def(p, &s->create_table.columns[s->create_table.column_count]))
                return NULL;
            s->create_table.column_count++;
        } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
        if (!tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) return NULL;
        if (s->create_table.column_count == 0) {
            tn_sql_expect_note(p, "a column definition");
            return tn_sql_syntax_error(p);
        }
        if (!parse_partitioned_by(p, &s->create_table.partition_by)) return NULL;
        return s;
    }
    if (!parse_partitioned_by(p, &s->create_table.partition_by)) return NULL;
    if (!tn_sql_accept_kw(p, TN_SQL_KW_AS, NULL)) return tn_sql_syntax_error(p);
    if (!(s->create_table.as_query = tn_sql_parse_query(p))) return NULL;
    return s;
}

/* CREATE [OR REPLACE] [TEMP] VIEW [IF NOT EXISTS] name [(cols)] AS query */
static tn_sql_stmt *parse_create_view(tn_sql_parser *p, tn_sql_stmt *s)
{
    s->kind = TN_SQL_STMT_CREATE_VIEW;
    if (!parse_if_not_exists(p, &s->create_view.if_not_exists) ||
        !tn_sql_parse_name(p, "a view name", &s->create_view.name))
        return NULL;
    if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
        if (!tn_sql_parse_ident_list(p, &s->create_view.columns)) return NULL;
    } else {
        tn_sql_expect_note(p, "\"(\"");
    }
    if (!tn_sql_expect_kw(p, TN_SQL_KW_AS)) return NULL;
    uint32_t first = p->pos;
    if (!(s->create_view.query = tn_sql_parse_query(p))) return NULL;
    /* The query's own text, stored with the view. */
    const tn_sql_token *a = &p->toks[first], *b = &p->toks[p->pos - 1];
    size_t start = a->pos.offset, end = (size_t)b->pos.offset + b->length;
    s->create_view.query_text.ptr = tn_sql_strndup(p, p->sql + start, end - start);
    s->create_view.query_text.len = end - start;
    return s->create_view.query_text.ptr ? s : NULL;
}

/* CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON table (expr [ASC|DESC], ...) */
static tn_sql_stmt *parse_create_index(tn_sql_parser *p, tn_sql_stmt *s, bool unique)
{
    s->kind = TN_SQL_STMT_CREATE_INDEX;
    s->create_index.unique = unique;
    if (!parse_if_not_exists(p, &s->create_index.if_not_exists)) return NULL;
    if (!tn_sql_is_kw(p, TN_SQL_KW_ON) &&
        !tn_sql_parse_ident(p, false, "an index name", &s->create_index.name))
        return NULL;
    if (!tn_sql_expect_kw(p, TN_SQL_KW_ON) ||
        !tn_sql_parse_name(p, "a table name", &s->create_index.table) ||
        !tn_sql_expect_op(p, TN_SQL_TOKOP_LPAREN) ||
        !tn_sql_parse_order_list(p, &s->create_index.columns) ||
        !tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN))
        return NULL;
    return s;
}

static tn_sql_stmt *parse_create(tn_sql_parser *p, tn_sql_stmt *s)
{
    tn_sql_advance(p); /* CREATE */
    bool or_replace = false, temporary = false;
    if (tn_sql_accept_kw(p, TN_SQL_KW_OR, "OR REPLACE")) {
        if (!tn_sql_expect_kw(p, TN_SQL_KW_REPLACE)) return NULL;
        or_replace = true;
    }
    if (tn_sql_accept_kw(p, TN_SQL_KW_TEMP, NULL) || tn_sql_accept_kw(p, TN_SQL_KW_TEMPORARY, NULL))
        temporary = true;
    if (tn_sql_accept_kw(p, TN_SQL_KW_TABLE, NULL)) {
        s->create_table.or_replace = or_replace;
        s->create_table.temporary = temporary;
        return parse_create_table(p, s);
    }
    if (tn_sql_accept_kw(p, TN_SQL_KW_VIEW, NULL)) {
        s->create_view.or_replace = or_replace;
        s->create_view.temporary = temporary;
        return parse_create_view(p, s);
    }
    if (!or_replace && !temporary) {
        bool unique = tn_sql_accept_kw(p, TN_SQL_KW_UNIQUE, NULL);
        if (tn_sql_accept_kw(p, TN_SQL_KW_INDEX, NULL)) return parse_create_index(p, s, unique);
    }
    return tn_sql_syntax_error(p);
}

/* INSERT INTO name [(cols)] query */
static tn_sql_stmt *parse_insert(tn_sql_parser *p, tn_sql_stmt *s)
{
    s->kind = TN_SQL_STMT_INSERT;
    tn_sql_advance(p); /* INSERT */
    if (!tn_sql_expect_kw(p, TN_SQL_KW_INTO) ||
        !tn_sql_parse_name(p, "a table name", &s->insert.table))
        return NULL;
    /* '(' opens the column list unless a query starts inside it: INSERT INTO t (SELECT ...). */
    if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
        tn_sql_token *next = tn_sql_peek_at(p, 1);
        bool query =
            tn_sql_tok_is_kw(next, TN_SQL_KW_SELECT) || tn_sql_tok_is_kw(next, TN_SQL_KW_VALUES) ||
            tn_sql_tok_is_kw(next, TN_SQL_KW_WITH) || tn_sql_tok_is_kw(next, TN_SQL_KW_FROM) ||
            tn_sql_tok_is_op(next, TN_SQL_TOKOP_LPAREN);
        if (!query && !tn_sql_parse_ident_list(p, &s->insert.columns)) return NULL;
    }
    if (!(s->insert.query = tn_sql_parse_query(p))) return NULL;
    return s;
}

/* DROP TABLE|VIEW|INDEX [IF EXISTS] name */
static tn_sql_stmt *parse_drop(tn_sql_parser *p, tn_sql_stmt *s)
{
    s->kind = TN_SQL_STMT_DROP;
    tn_sql_advance(p); /* DROP */
    if (tn_sql_accept_kw(p, TN_SQL_KW_TABLE, NULL))
        s->drop.object = TN_SQL_OBJECT_TABLE;
    else if (tn_sql_accept_kw(p, TN_SQL_KW_VIEW, NULL))
        s->drop.object = TN_SQL_OBJECT_VIEW;
    else if (tn_sql_accept_kw(p, TN_SQL_KW_INDEX, NULL))
        s->drop.object = TN_SQL_OBJECT_INDEX;
    else
        return tn_sql_syntax_error(p);
    if (tn_sql_accept_kw(p, TN_SQL_KW_IF, "IF EXISTS")) {
        if (!tn_sql_expect_kw(p, TN_SQL_KW_EXISTS)) return NULL;
        s->drop.if_exists = true;
    }
    return tn_sql_parse_name(p, "a name", &s->drop.name) ? s : NULL;
}

/* SET name (= | TO) value | DEFAULT */
static tn_sql_stmt *parse_set(tn_sql_parser *p, tn_sql_stmt *s)
{
    s->kind = TN_SQL_STMT_SET;
    tn_sql_advance(p); /* SET */
    if (!tn_sql_parse_name(p, "a setting name", &s->set.name)) return NULL;
    if (!tn_sql_accept_op(p, TN_SQL_TOKOP_EQ) && !tn_sql_expect_kw(p, TN_SQL_KW_TO)) return NULL;
    if (tn_sql_accept_kw(p, TN_SQL_KW_DEFAULT, NULL)) return s;
    return (s->set.value = tn_sql_parse_a_expr(p)) ? s : NULL;
}

/* COPY (query) TO 'file' | COPY name [(cols)] TO|FROM 'file', then [WITH] (option [value], ...)
 * as PostgreSQL and DuckDB write them: COPY t TO 'x.parquet' (FORMAT parquet). */
static tn_sql_stmt *parse_copy(tn_sql_parser *p, tn_sql_stmt *s)
{
    s->kind = TN_SQL_STMT_COPY;
    tn_sql_advance(p); /* COPY */
    if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
        tn_sql_advance(p);
        if (!(s->copy.query = tn_sql_parse_query(p)) || !tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN))
            return NULL;
    } else {
        if (!tn_sql_parse_name(p, "a table name or a parenthesised query", &s->copy.table))
            return NULL;
        if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN) &&
            !tn_sql_parse_ident_list(p, &s->copy.columns))
            return NULL;
    }
    if (tn_sql_accept_kw(p, TN_SQL_KW_FROM, NULL)) {
        s->copy.from = true;
    } else if (!tn_sql_expect_kw(p, TN_SQL_KW_TO)) {
        return NULL;
    }
    tn_sql_token *t = tn_sql_peek(p);
    if (t->type != TN_SQL_TOK_STRING) {
        tn_sql_expect_note(p, "a file name in quotes");
        return tn_sql_syntax_error(p);
    }
    s->copy.path = t->text;
    s->copy.path_pos = t->pos;
    tn_sql_advance(p);
    if (s->copy.from && s->copy.query) {
        return tn_sql_error_at(p, TN_EPARSE, s->node.pos,
                               "COPY FROM needs a table name, not a query");
    }
    tn_sql_accept_kw(p, TN_SQL_KW_WITH, NULL);
    if (!tn_sql_accept_op(p, TN_SQL_TOKOP_LPAREN))
        return s;
    uint32_t cap = 0;
    do {
        tn_sql_ident name;
        if (!tn_sql_parse_ident(p, true, "an option name", &name))
            return NULL;
        if (strcmp(name.name, "partition_by") == 0) {
            /* PARTITION_BY (a, b) or PARTITION_BY a: column names, not a value */
            if (tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
                if (!tn_sql_parse_ident_list(p, &s->copy.partition_by))
                    return NULL;
            } else {
                tn_sql_ident col;
                if (!tn_sql_parse_ident(p, true, "a column name", &col))
                    return NULL;
                s->copy.partition_by.items = tn_arena_alloc(p->arena, sizeof col);
                if (!s->copy.partition_by.items)
                    return tn_sql_oom(p);
                s->copy.partition_by.items[0] = col;
                s->copy.partition_by.count = 1;
            }
            continue;
        }
        tn_sql_expr *value = NULL;
        if (!tn_sql_is_op(p, TN_SQL_TOKOP_COMMA) && !tn_sql_is_op(p, TN_SQL_TOKOP_RPAREN) &&
            !(value = tn_sql_parse_a_expr(p)))
            return NULL;
        uint32_t n = s->copy.option_count;
        uint32_t ncap = cap;
        if (!tn_sql_grow(p, (void **)&s->copy.option_names, n, &ncap, sizeof(char *)) ||
            !tn_sql_grow(p, (void **)&s->copy.option_values, n, &cap, sizeof(tn_sql_expr *)))
            return NULL;
        s->copy.option_names[n] = name.name;
        s->copy.option_values[n] = value;
        s->copy.option_count = n + 1;
    } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
    return tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN) ? s : NULL;
}

/* The statement kinds a statement can start with, for the message when none matches. */
static void note_statement_starts(tn_sql_parser *p)
{
    static const char *const starts[] = {"SELECT", "WITH", "VALUES",   "CREATE",
                                         "INSERT", "DROP", "TRUNCATE", "EXPLAIN",
                                         "SET",    "SHOW", "DESCRIBE", "COPY",
                                         "FROM"};
    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
        tn_sql_expect_note(p, starts[i]);
}

/* One statement at the current token (not its ';'); see parser_int.h. */
tn_sql_stmt *tn_sql_parse_statement(tn_sql_parser *p)
{
    if (!tn_sql_enter(p)) return NULL;
    tn_sql_token *t = tn_sql_peek(p);
    tn_sql_stmt *s = new_stmt(p, TN_SQL_STMT_QUERY, t->pos);
    tn_sql_stmt *r = NULL;
    if (!s) goto out;
    if (tn_sql_starts_query(p) || tn_sql_tok_is_op(t, TN_SQL_TOKOP_LPAREN)) {
        s->query = tn_sql_parse_query(p);
        r = s->query ? s : NULL;
    } else if (t->type == TN_SQL_TOK_KEYWORD) {
        switch ((tn_sql_keyword)t->keyword) {
        case TN_SQL_KW_CREATE:
            r = parse_create(p, s);
            break;
        case TN_SQL_KW_INSERT:
            r = parse_insert(p, s);
            break;
        case TN_SQL_KW_DROP:
            r = parse_drop(p, s);
            break;
        case TN_SQL_KW_COPY:
            r = parse_copy(p, s);
            break;
        case TN_SQL_KW_TRUNCATE:
            s->kind = TN_SQL_STMT_TRUNCATE;
            tn_sql_advance(p);
            tn_sql_accept_kw(p, TN_SQL_KW_TABLE, NULL);
            r = tn_sql_parse_name(p, "a table name", &s->truncate.table) ? s : NULL;
            break;
        case TN_SQL_KW_EXPLAIN:
            s->kind = TN_SQL_STMT_EXPLAIN;
            tn_sql_advance(p);
            s->explain.analyze = tn_sql_accept_kw(p, TN_SQL_KW_ANALYZE, NULL);
            r = (s->explain.stmt = tn_sql_parse_statement(p)) ? s : NULL;
            break;
        case TN_SQL_KW_SET:
            r = parse_set(p, s);
            break;
        case TN_SQL_KW_SHOW:
            tn_sql_advance(p);
            if (tn_sql_is_kw(p, TN_SQL_KW_TABLES)) {
                tn_sql_advance(p);
                s->kind = TN_SQL_STMT_SHOW_TABLES;
                r = s;
            } else {
                s->kind = TN_SQL_STMT_SHOW;
                r = tn_sql_parse_name(p, "TABLES or a setting name", &s->show.name) ? s : NULL;
            }
            break;
        case TN_SQL_KW_DESCRIBE:
            s->kind = TN_SQL_STMT_DESCRIBE;
            tn_sql_advance(p);
            if (tn_sql_starts_query(p) || tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
                r = (s->describe.query = tn_sql_parse_query(p)) ? s : NULL;
            } else if (tn_sql_peek(p)->type == TN_SQL_TOK_STRING) {
                s->describe.path = tn_sql_peek(p)->text;
                s->describe.path_pos = tn_sql_peek(p)->pos;
                tn_sql_advance(p);
                r = s;
            } else {
                tn_sql_expect_note(p, "a query");
                tn_sql_expect_note(p, "a file name");
                r = tn_sql_parse_name(p, "a table name", &s->describe.table) ? s : NULL;
            }
            break;
        default:
            break;
        }
    }
    if (!r && !p->code) {
        note_statement_starts(p);
        tn_sql_syntax_error(p);
    }
    r = stmt_finish(p, r);
out:
    tn_sql_leave(p);
    return r;
}
