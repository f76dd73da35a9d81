/* SPDX-License-Identifier: Apache-2.0
 *
 * The parser's driver: the entry points (tn_sql_parse, tn_sql_parse_expr), the error
 * machinery and the helpers every grammar file uses (token tests, names, type names, lists,
 * nesting checks), and the caret rendering of an error line.
 *
 * Error messages. Every optional token the grammar tests for and does not find is noted
 * against the current token position ("expectations"); when no rule matches at that position
 * the message lists what was noted there: `syntax error at or near "FORM": expected ",",
 * FROM, WHERE, ...`. Tests inside expressions (operators) are not noted, so messages stay
 * about clauses.
 */
#include "sql/parser/parser_int.h"

#include <stdio.h>

/* Longest source text quoted in an "at or near" message. */
#define NEAR_MAX 40

/* ------------------------------------------------------------------------------------------
 * Errors and expectations
 * ---------------------------------------------------------------------------------------- */

/* Notes what would have been accepted at the current token. */
void tn_sql_expect_note(tn_sql_parser *p, const char *what)
{
    if (p->expect_pos != p->pos) {
        p->expect_pos = p->pos;
        p->expect_count = 0;
    }
    for (uint32_t i = 0; i < p->expect_count; i++)
        if (strcmp(p->expect[i], what) == 0) return;
    if (p->expect_count < TN_SQL_EXPECT_MAX) p->expect[p->expect_count++] = what;
}

/* Upper-case keyword names for notes, built once from the table (read-only afterwards). */
static const char *keyword_label(tn_sql_keyword kw)
{
    static const char *const labels[TN_SQL_KW_COUNT] = {
        [TN_SQL_KW_NONE] = "",
#define TN_SQL_KEYWORD(id, text, category) [TN_SQL_KW_##id] = #id,
#include "sql/parser/keywords.def"
#undef TN_SQL_KEYWORD
    };
    return (unsigned)kw < TN_SQL_KW_COUNT ? labels[kw] : "";
}

/* Consumes keyword kw when it is next; else notes it. */
bool tn_sql_accept_kw(tn_sql_parser *p, tn_sql_keyword kw, const char *label)
{
    if (tn_sql_is_kw(p, kw)) {
        tn_sql_advance(p);
        return true;
    }
    tn_sql_expect_note(p, label ? label : keyword_label(kw));
    return false;
}

static const char *op_label(tn_sql_op op)
{
    switch (op) {
    case TN_SQL_TOKOP_LPAREN:
        return "\"(\"";
    case TN_SQL_TOKOP_RPAREN:
        return "\")\"";
    case TN_SQL_TOKOP_LBRACKET:
        return "\"[\"";
    case TN_SQL_TOKOP_RBRACKET:
        return "\"]\"";
    case TN_SQL_TOKOP_COMMA:
        return "\",\"";
    case TN_SQL_TOKOP_DOT:
        return "\".\"";
    case TN_SQL_TOKOP_SEMI:
        return "\";\"";
    case TN_SQL_TOKOP_EQ:
        return "\"=\"";
    case TN_SQL_TOKOP_STAR:
        return "\"*\"";
    case TN_SQL_TOKOP_ARROW:
        return "\"=>\"";
    default:
        return "an operator";
    }
}

/* Consumes operator op when it is next; else notes it. */
bool tn_sql_accept_op(tn_sql_parser *p, tn_sql_op op)
{
    if (tn_sql_is_op(p, op)) {
        tn_sql_advance(p);
        return true;
    }
    tn_sql_expect_note(p, op_label(op));
    return false;
}

/* Consumes keyword kw or reports a syntax error. */
bool tn_sql_expect_kw(tn_sql_parser *p, tn_sql_keyword kw)
{
    if (p->code) return false;
    if (tn_sql_accept_kw(p, kw, NULL)) return true;
    tn_sql_syntax_error(p);
    return false;
}

/* Consumes operator op or reports a syntax error. */
bool tn_sql_expect_op(tn_sql_parser *p, tn_sql_op op)
{
    if (p->code) return false;
    if (tn_sql_accept_op(p, op)) return true;
    tn_sql_syntax_error(p);
    return false;
}

/* Appends the source text of token t for an "at or near" message, cut at NEAR_MAX bytes
 * on a character boundary. */
static void near_text(tn_sql_parser *p, const tn_sql_token *t, char *out, size_t out_size)
{
    size_t n = t->length;
    const char *src = p->sql + t->pos.offset;
    bool cut = false;
    if (n > NEAR_MAX) {
        n = NEAR_MAX;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--;
        cut = true;
    }
    if (n + 4 > out_size) n = out_size - 4;
    memcpy(out, src, n);
    if (cut) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

/* Reports the lexer's message carried by an ERROR token. */
static void *lex_error(tn_sql_parser *p, const tn_sql_token *t)
{
    return tn_sql_error_at(p, TN_EPARSE, t->pos, "%s", t->text);
}

/* Syntax error at the current token, listing what was expected there. */
void *tn_sql_syntax_error(tn_sql_parser *p)
{
    if (p->code) return NULL;
    tn_sql_token *t = tn_sql_peek(p);
    if (t->type == TN_SQL_TOK_ERROR) return lex_error(p, t);
    char near[NEAR_MAX + 8];
    char where[NEAR_MAX + 32];
    if (t->type == TN_SQL_TOK_EOF) {
        snprintf(where, sizeof(where), "at end of input");
    } else {
        near_text(p, t, near, sizeof(near));
        snprintf(where, sizeof(where), "at or near \"%s\"", near);
    }
    char expected[768];
    size_t n = 0;
    expected[0] = '\0';
    if (p->expect_pos == p->pos && p->expect_count > 0) {
        n += (size_t)snprintf(expected, sizeof(expected), ": expected ");
        for (uint32_t i = 0; i < p->expect_count && n < sizeof(expected); i++) {
            const char *sep = i == 0 ? "" : (i + 1 == p->expect_count ? " or " : ", ");
            n += (size_t)snprintf(expected + n, sizeof(expected) - n, "%s%s", sep, p->expect[i]);
        }
    }
    return tn_sql_error_at(p, TN_EPARSE, t->pos, "syntax error %s%s", where, expected);
}

/* Sets the error (first one wins) with the position. */
void *tn_sql_error_at(tn_sql_parser *p, int code, tn_sql_pos pos, const char *fmt, ...)
{
    if (p->code) return NULL;
    char message[sizeof(p->err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    p->code = code;
    tn_error_set_at(p->err, code, NULL, pos.line, pos.column, "%s", message);
    return NULL;
}

/* Out of memory: no position, the text is not at fault. */
void *tn_sql_oom(tn_sql_parser *p)
{
    if (p->code) return NULL;
    p->code = TN_ENOMEM;
    tn_error_set(p->err, TN_ENOMEM, "out of memory while parsing SQL");
    return NULL;
}

/* Enters one level of recursion, or fails past the limit. */
bool tn_sql_enter(tn_sql_parser *p)
{
    if (p->code) return false;
    if (p->depth >= TN_SQL_MAX_RECURSION) {
        tn_sql_error_at(p, TN_ELIMIT, tn_sql_peek(p)->pos,
                        "statement nested too deeply (parentheses, subqueries or operators "
                        "nested over %d levels)",
                        TN_SQL_MAX_DEPTH);
        return false;
    }
    p->depth++;
    return true;
}

/* Checks a finished node's height. */
bool tn_sql_check_height(tn_sql_parser *p, const tn_sql_node *node)
{
    if (node->height <= TN_SQL_MAX_DEPTH) return true;
    tn_sql_error_at(p, TN_ELIMIT, node->pos, "statement nested too deeply (more than %d levels)",
                    TN_SQL_MAX_DEPTH);
    return false;
}

/* ------------------------------------------------------------------------------------------
 * Memory and lists
 * ---------------------------------------------------------------------------------------- */

/* Zeroed memory from the statement arena. */
void *tn_sql_alloc(tn_sql_parser *p, size_t size)
{
    if (p->code) return NULL;
    void *m = tn_arena_calloc(p->arena, size);
    if (!m) return tn_sql_oom(p);
    return m;
}

/* NUL-terminated copy in the arena. */
char *tn_sql_strndup(tn_sql_parser *p, const char *s, size_t n)
{
    if (p->code) return NULL;
    char *c = tn_arena_strndup(p->arena, s, n);
    if (!c) return tn_sql_oom(p);
    return c;
}

/* Doubles an arena array when full; the old block is left to the arena (at most as much
 * again as the final array, so memory stays linear in the input). */
bool tn_sql_grow(tn_sql_parser *p, void **items, uint32_t count, uint32_t *cap, size_t size)
{
    if (p->code) return false;
    if (count < *cap) return true;
    uint32_t new_cap = *cap ? *cap * 2 : 1; /* most names and lists are short */
    void *grown = tn_arena_alloc(p->arena, (size_t)new_cap * size);
    if (!grown) {
        tn_sql_oom(p);
        return false;
    }
    if (count) memcpy(grown, *items, (size_t)count * size);
    *items = grown;
    *cap = new_cap;
    return true;
}

/* Appends an expression to a list. */
bool tn_sql_list_push(tn_sql_parser *p, tn_sql_expr_list *list, uint32_t *cap, tn_sql_expr *e)
{
    if (!tn_sql_grow(p, (void **)&list->items, list->count, cap, sizeof(*list->items)))
        return false;
    list->items[list->count++] = e;
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Names and type names
 * ---------------------------------------------------------------------------------------- */

bool tn_sql_tok_is_name(const tn_sql_token *t)
{
    return t->type == TN_SQL_TOK_IDENT || t->type == TN_SQL_TOK_QIDENT ||
           (t->type == TN_SQL_TOK_KEYWORD &&
            tn_sql_keyword_category((tn_sql_keyword)t->keyword) == TN_SQL_KWCAT_UNRESERVED);
}

bool tn_sql_tok_is_label(const tn_sql_token *t)
{
    return t->type == TN_SQL_TOK_IDENT || t->type == TN_SQL_TOK_QIDENT ||
           t->type == TN_SQL_TOK_KEYWORD;
}

/* Consumes one name (or label) token into *out. */
bool tn_sql_parse_ident(tn_sql_parser *p, bool any_word, const char *what, tn_sql_ident *out)
{
    if (p->code) return false;
    tn_sql_token *t = tn_sql_peek(p);
    if (!(any_word ? tn_sql_tok_is_label(t) : tn_sql_tok_is_name(t))) {
        tn_sql_expect_note(p, what);
        tn_sql_syntax_error(p);
        return false;
    }
    out->name = tn_sql_strndup(p, t->text, t->text_len);
    out->pos = t->pos;
    tn_sql_advance(p);
    return out->name != NULL;
}

/* name ('.' label)* */
bool tn_sql_parse_name(tn_sql_parser *p, const char *what, tn_sql_name *out)
{
    uint32_t cap = 0;
    out->parts = NULL;
    out->count = 0;
    tn_sql_ident part;
    if (!tn_sql_parse_ident(p, false, what, &part)) return false;
    for (;;) {
        if (!tn_sql_grow(p, (void **)&out->parts, out->count, &cap, sizeof(*out->parts)))
            return false;
        out->parts[out->count++] = part;
        if (!(tn_sql_is_op(p, TN_SQL_TOKOP_DOT) && tn_sql_tok_is_label(tn_sql_peek_at(p, 1))))
            return true;
        tn_sql_advance(p);
        if (!tn_sql_parse_ident(p, true, "a name", &part)) return false;
    }
}

/* '(' name, ... ')' */
bool tn_sql_parse_ident_list(tn_sql_parser *p, tn_sql_ident_list *out)
{
    uint32_t cap = 0;
    out->items = NULL;
    out->count = 0;
    if (!tn_sql_expect_op(p, TN_SQL_TOKOP_LPAREN)) return false;
    do {
        if (!tn_sql_grow(p, (void **)&out->items, out->count, &cap, sizeof(*out->items)))
            return false;
        if (!tn_sql_parse_ident(p, false, "a column name", &out->items[out->count])) return false;
        out->count++;
    } while (tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA));
    return tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN);
}

/* A word that may be part of a type name: identifiers and non-reserved keywords. */
static bool is_type_word(const tn_sql_token *t)
{
    return t->type == TN_SQL_TOK_IDENT ||
           (t->type == TN_SQL_TOK_KEYWORD &&
            tn_sql_keyword_category((tn_sql_keyword)t->keyword) != TN_SQL_KWCAT_RESERVED);
}

static bool tok_is_word(const tn_sql_token *t, const char *word)
{
    return (t->type == TN_SQL_TOK_IDENT || t->type == TN_SQL_TOK_KEYWORD) &&
           strcmp(t->text, word) == 0;
}

/* Multi-word type names; see parser_int.h. */
uint32_t tn_sql_type_words_at(tn_sql_parser *p, uint32_t k)
{
    tn_sql_token *t = tn_sql_peek_at(p, k);
    if (!is_type_word(t)) return 0;
    tn_sql_token *t1 = tn_sql_peek_at(p, k + 1);
    if (tok_is_word(t, "double") && tok_is_word(t1, "precision")) return 2;
    if ((tok_is_word(t, "character") || tok_is_word(t, "char")) && tok_is_word(t1, "varying"))
        return 2;
    if ((tok_is_word(t, "timestamp") || tok_is_word(t, "time")) &&
        (tok_is_word(t1, "with") || tok_is_word(t1, "without")) &&
        tok_is_word(tn_sql_peek_at(p, k + 2), "time") &&
        tok_is_word(tn_sql_peek_at(p, k + 3), "zone"))
        return 4;
    return 1;
}

/* Parses a type name: words [ '(' int [, int] ')' ] [ '[' ']' ]. The text keeps the source
 * spelling of each word; tn_type_parse resolves what core knows. */
bool tn_sql_parse_type_name(tn_sql_parser *p, tn_sql_type_name *out)
{
    if (p->code) return false;
    memset(out, 0, sizeof(*out));
    uint32_t words = tn_sql_type_words_at(p, 0);
    if (words == 0) {
        tn_sql_expect_note(p, "a type name");
        tn_sql_syntax_error(p);
        return false;
    }
    out->pos = tn_sql_peek(p)->pos;
    tn_buf text = TN_BUF_INIT;
    int rc = 0;
    for (uint32_t w = 0; w < words && rc == 0; w++) {
        tn_sql_token *t = tn_sql_peek(p);
        if (w > 0) rc = tn_buf_putc(&text, ' ');
        if (rc == 0) rc = tn_buf_append(&text, p->sql + t->pos.offset, t->length);
        tn_sql_advance(p);
    }
    if (rc == 0 && tn_sql_is_op(p, TN_SQL_TOKOP_LPAREN)) {
        tn_sql_advance(p);
        rc = tn_buf_putc(&text, '(');
        for (;;) {
            if (rc != 0) break;
            tn_sql_token *t = tn_sql_peek(p);
            int64_t v = 0;
            if (t->type != TN_SQL_TOK_NUMBER || !tn_parse_int64(t->text, t->text_len, &v) ||
                out->arg_count >= 2) {
                tn_sql_expect_note(p, out->arg_count >= 2 ? "\")\"" : "an integer");
                tn_sql_syntax_error(p);
                goto fail;
            }
            out->args[out->arg_count++] = v;
            rc = tn_buf_append(&text, t->text, t->text_len);
            tn_sql_advance(p);
            if (rc == 0 && tn_sql_accept_op(p, TN_SQL_TOKOP_COMMA)) {
                rc = tn_buf_putc(&text, ',');
                continue;
            }
            if (rc == 0 && !tn_sql_expect_op(p, TN_SQL_TOKOP_RPAREN)) goto fail;
            if (rc == 0) rc = tn_buf_putc(&text, ')');
            break;
        }
    }
    if (rc == 0 && tn_sql_is_op(p, TN_SQL_TOKOP_LBRACKET) &&
        tn_sql_tok_is_op(tn_sql_peek_at(p, 1), TN_SQL_TOKOP_RBRACKET)) {
        tn_sql_advance(p);
        tn_sql_advance(p);
        out->array = true;
        rc = tn_buf_append_cstr(&text, "[]");
    }
    if (rc != 0 || !tn_buf_cstr(&text)) {
        tn_sql_oom(p);
        goto fail;
    }
    out->text = tn_sql_strndup(p, text.data, text.len);
    if (!out->text) goto fail;
    if (out->array || tn_type_parse(out->text, &out->type) != 0)
        out->type = tn_type_make(TN_TYPE_INVALID);
    tn_buf_free(&text);
    return true;
fail:
    tn_buf_free(&text);
    return false;
}

/* Whether the current token starts a query. */
bool tn_sql_starts_query(tn_sql_parser *p)
{
    return tn_sql_is_kw(p, TN_SQL_KW_SELECT) || tn_sql_is_kw(p, TN_SQL_KW_VALUES) ||
           tn_sql_is_kw(p, TN_SQL_KW_WITH) || tn_sql_is_kw(p, TN_SQL_KW_FROM);
}

/* ------------------------------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------------------------- */

static int parser_init(tn_sql_parser *p, tn_arena *arena, const char *sql, size_t len,
                       tn_error *err)
{
    memset(p, 0, sizeof(*p));
    p->arena = arena;
    p->sql = sql ? sql : "";
    p->len = sql ? len : 0;
    p->err = err;
    p->expect_pos = UINT32_MAX;
    /* Positions are 32-bit; a 2 GiB statement is a mistake, not a workload. */
    if (p->len > (size_t)INT32_MAX)
        return tn_error_set(err, TN_ELIMIT, "SQL text too long (%zu bytes, at most 2 GiB)", p->len);
    int rc = tn_sql_lex(arena, p->sql, p->len, &p->toks, &p->tok_count);
    if (rc != 0) return tn_error_set(err, rc, "out of memory while parsing SQL");
    return 0;
}

/* Whether the current token ends a statement (';' or the end of the text). */
static bool at_statement_end(tn_sql_parser *p)
{
    return tn_sql_is_op(p, TN_SQL_TOKOP_SEMI) || tn_sql_peek(p)->type == TN_SQL_TOK_EOF;
}

/* Parses all statements; see parser.h. */
int tn_sql_parse(tn_arena *arena, const char *sql, size_t len, tn_sql_stmt_list *out, tn_error *err)
{
    tn_sql_parser p;
    int rc = parser_init(&p, arena, sql, len, err);
    if (rc != 0) return rc;
    tn_sql_stmt_list list = {NULL, 0};
    uint32_t cap = 0;
    for (;;) {
        while (tn_sql_is_op(&p, TN_SQL_TOKOP_SEMI)) tn_sql_advance(&p);
        if (tn_sql_peek(&p)->type == TN_SQL_TOK_EOF) break;
        tn_sql_token *first = tn_sql_peek(&p);
        p.qmark_count = 0;
        tn_sql_stmt *stmt = tn_sql_parse_statement(&p);
        if (!stmt) break;
        if (!at_statement_end(&p)) {
            tn_sql_expect_note(&p, "end of statement");
            tn_sql_syntax_error(&p);
            break;
        }
        /* The statement's text runs from its first token to the end of its last one. */
        tn_sql_token *last = &p.toks[p.pos > 0 ? p.pos - 1 : 0];
        size_t start = first->pos.offset;
        size_t end = (size_t)last->pos.offset + last->length;
        stmt->text.ptr = tn_sql_strndup(&p, p.sql + start, end > start ? end - start : 0);
        stmt->text.len = end > start ? end - start : 0;
        if (!stmt->text.ptr) break;
        if (!tn_sql_grow(&p, (void **)&list.items, list.count, &cap, sizeof(*list.items))) break;
        list.items[list.count++] = stmt;
    }
    tn_free(p.toks);
    if (p.code) return p.code;
    *out = list;
    return 0;
}

/* Parses one expression making up the whole text; see parser.h. */
int tn_sql_parse_expr(tn_arena *arena, const char *sql, size_t len, tn_sql_expr **out,
                      tn_error *err)
{
    tn_sql_parser p;
    int rc = parser_init(&p, arena, sql, len, err);
    if (rc != 0) return rc;
    tn_sql_expr *e = tn_sql_parse_a_expr(&p);
    if (e && tn_sql_peek(&p)->type != TN_SQL_TOK_EOF) {
        tn_sql_expect_note(&p, "end of expression");
        tn_sql_syntax_error(&p);
    }
    tn_free(p.toks);
    if (p.code) return p.code;
    if (!e) return tn_error_set(err, TN_EINTERNAL, "expression parser returned nothing");
    *out = e;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Rendering an error line with a caret
 * ---------------------------------------------------------------------------------------- */

/* Characters of context kept on each side of the column on a long line. */
#define RENDER_CONTEXT 60

/* Byte offset just past `chars` characters from `from` within [from, end). */
static const char *skip_chars(const char *from, const char *end, int64_t chars)
{
    const char *s = from;
    while (s < end && chars > 0) {
        s++;
        while (s < end && ((unsigned char)*s & 0xC0) == 0x80) s++;
        chars--;
    }
    return s;
}

/* Draws the error's line and a caret; see parser.h. */
int tn_sql_error_render(const char *sql, size_t len, const tn_error *err, tn_buf *out)
{
    if (!sql || !err || err->line <= 0) return 0;
    const char *s = sql, *end = sql + len;
    for (int64_t line = 1; line < err->line; line++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl) return 0;
        s = nl + 1;
    }
    const char *line_end = memchr(s, '\n', (size_t)(end - s));
    if (!line_end) line_end = end;
    if (line_end > s && line_end[-1] == '\r') line_end--;
    int64_t column = err->column > 0 ? err->column : 1;
    /* A column past the end of the line (at most one past it for an error at the end of the
     * text) is clamped so that a bogus error cannot make the caret line huge. */
    int64_t line_chars = 0;
    for (const char *c = s; c < line_end; c++) line_chars += ((unsigned char)*c & 0xC0) != 0x80;
    if (column > line_chars + 1) column = line_chars + 1;

    /* Cut a long line to a window around the column. */
    const char *from = s;
    bool cut_left = false, cut_right = false;
    if (column - 1 > RENDER_CONTEXT) {
        from = skip_chars(s, line_end, column - 1 - RENDER_CONTEXT);
        cut_left = true;
    }
    int64_t caret_chars = column - 1 - (cut_left ? column - 1 - RENDER_CONTEXT : 0);
    const char *to = skip_chars(from, line_end, caret_chars + RENDER_CONTEXT);
    if (to < line_end) cut_right = true;

    char prefix[48];
    int prefix_len = snprintf(prefix, sizeof(prefix), "LINE %lld: ", (long long)err->line);
    int rc = tn_buf_append(out, prefix, (size_t)prefix_len);
    if (rc == 0 && cut_left) rc = tn_buf_append_cstr(out, "...");
    if (rc == 0) rc = tn_buf_append(out, from, (size_t)(to - from));
    if (rc == 0 && cut_right) rc = tn_buf_append_cstr(out, "...");
    if (rc == 0) rc = tn_buf_putc(out, '\n');
    /* The caret line: spaces under the prefix, then the line's own tabs kept so the caret
     * lines up with the character in a terminal. */
    for (int i = 0; rc == 0 && i < prefix_len + (cut_left ? 3 : 0); i++) rc = tn_buf_putc(out, ' ');
    const char *c = from;
    for (int64_t i = 0; rc == 0 && i < caret_chars; i++) {
        /* Past the end of the line (an error at the end of the text) only spaces remain. */
        rc = tn_buf_putc(out, c < to && *c == '\t' ? '\t' : ' ');
        c = skip_chars(c, to, 1);
    }
    if (rc == 0) rc = tn_buf_append_cstr(out, "^\n");
    return rc;
}
