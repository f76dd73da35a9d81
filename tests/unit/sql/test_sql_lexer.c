/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the SQL lexer (sql/parser/lexer.c): the keyword table, token kinds and
 * texts, strings and their escapes, numbers, comments, parameters, positions in lines and
 * UTF-8 columns, and lexical errors.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "sql/parser/parser_int.h"

typedef struct lexed {
    tn_arena arena;
    tn_sql_token *toks;
    uint32_t count;
} lexed;

static lexed *lex(const char *sql, size_t len)
{
    lexed *l = calloc(1, sizeof(*l));
    tn_arena_init(&l->arena, 0);
    cr_assert_eq(tn_sql_lex(&l->arena, sql, len, &l->toks, &l->count), 0);
    cr_assert_gt(l->count, 0);
    tn_sql_tok_type last = (tn_sql_tok_type)l->toks[l->count - 1].type;
    cr_assert(last == TN_SQL_TOK_EOF || last == TN_SQL_TOK_ERROR, "ends with EOF or ERROR");
    return l;
}

static lexed *lex_str(const char *sql)
{
    return lex(sql, strlen(sql));
}

static void lexed_free(lexed *l)
{
    tn_free(l->toks);
    tn_arena_free(&l->arena);
    free(l);
}

/* The last token must be an ERROR whose message contains fragment, at line:column. */
static void expect_lex_error(const char *sql, size_t len, const char *fragment, uint32_t line,
                             uint32_t column)
{
    lexed *l = lex(sql, len);
    tn_sql_token *t = &l->toks[l->count - 1];
    cr_expect_eq(t->type, TN_SQL_TOK_ERROR, "lexing %s should fail", sql);
    if (t->type == TN_SQL_TOK_ERROR) {
        cr_expect(strstr(t->text, fragment) != NULL, "message %s lacks %s", t->text, fragment);
        cr_expect_eq(t->pos.line, line, "line of %s", t->text);
        cr_expect_eq(t->pos.column, column, "column of %s: %u", t->text, t->pos.column);
    }
    lexed_free(l);
}

Test(sql_lexer, keyword_table_sorted_and_found)
{
    for (int kw = 1; kw < TN_SQL_KW_COUNT; kw++) {
        const char *text = tn_sql_keyword_text((tn_sql_keyword)kw);
        if (kw > 1)
            cr_expect_lt(strcmp(tn_sql_keyword_text((tn_sql_keyword)(kw - 1)), text), 0,
                         "keywords.def must stay sorted: %s before %s",
                         tn_sql_keyword_text((tn_sql_keyword)(kw - 1)), text);
        char upper[32];
        size_t n = strlen(text);
        cr_assert_lt(n, sizeof(upper));
        for (size_t i = 0; i <= n; i++)
            upper[i] = (char)((text[i] >= 'a' && text[i] <= 'z') ? text[i] - 32 : text[i]);
        cr_expect_eq((int)tn_sql_keyword_lookup(text, n), kw, "lookup %s", text);
        cr_expect_eq((int)tn_sql_keyword_lookup(upper, n), kw, "lookup %s", upper);
    }
    cr_expect_eq(tn_sql_keyword_lookup("selec", 5), TN_SQL_KW_NONE);
    cr_expect_eq(tn_sql_keyword_lookup("selects", 7), TN_SQL_KW_NONE);
    cr_expect_eq(tn_sql_keyword_lookup("date", 4), TN_SQL_KW_NONE, "type names are not keywords");
    cr_expect_eq(tn_sql_keyword_lookup("", 0), TN_SQL_KW_NONE);
    cr_expect_eq(tn_sql_keyword_category(TN_SQL_KW_SELECT), TN_SQL_KWCAT_RESERVED);
    cr_expect_eq(tn_sql_keyword_category(TN_SQL_KW_LEFT), TN_SQL_KWCAT_TYPE_FUNC);
    cr_expect_eq(tn_sql_keyword_category(TN_SQL_KW_FIRST), TN_SQL_KWCAT_UNRESERVED);
}

Test(sql_lexer, token_kinds)
{
    lexed *l = lex_str("SELECT a, \"B c\" FROM t1 WHERE x >= 1.5 AND y <> 'q' -- c\n;");
    static const struct {
        tn_sql_tok_type type;
        const char *text;
    } want[] = {
        {TN_SQL_TOK_KEYWORD, "select"},
        {TN_SQL_TOK_IDENT, "a"},
        {TN_SQL_TOK_OP, ""},
        {TN_SQL_TOK_QIDENT, "B c"},
        {TN_SQL_TOK_KEYWORD, "from"},
        {TN_SQL_TOK_IDENT, "t1"},
        {TN_SQL_TOK_KEYWORD, "where"},
        {TN_SQL_TOK_IDENT, "x"},
        {TN_SQL_TOK_OP, ""},
        {TN_SQL_TOK_NUMBER, "1.5"},
        {TN_SQL_TOK_KEYWORD, "and"},
        {TN_SQL_TOK_IDENT, "y"},
        {TN_SQL_TOK_OP, ""},
        {TN_SQL_TOK_STRING, "q"},
        {TN_SQL_TOK_OP, ""},
        {TN_SQL_TOK_EOF, ""},
    };
    cr_assert_eq(l->count, sizeof(want) / sizeof(want[0]));
    for (uint32_t i = 0; i < l->count; i++) {
        cr_expect_eq(l->toks[i].type, want[i].type, "token %u", i);
        cr_expect_eq(strncmp(l->toks[i].text, want[i].text, l->toks[i].text_len), 0,
                     "token %u text", i);
    }
    cr_expect_eq(l->toks[8].op, TN_SQL_TOKOP_GE);
    cr_expect_eq(l->toks[12].op, TN_SQL_TOKOP_NE);
    cr_expect_eq(l->toks[14].op, TN_SQL_TOKOP_SEMI);
    cr_expect_eq(l->toks[14].pos.line, 2);
    lexed_free(l);
}

Test(sql_lexer, operators)
{
    lexed *l = lex_str("( ) [ ] , . ; + - * / // % ^ = == <> != < <= > >= || :: => := ? & |");
    static const tn_sql_op want[] = {
        TN_SQL_TOKOP_LPAREN,  TN_SQL_TOKOP_RPAREN, TN_SQL_TOKOP_LBRACKET, TN_SQL_TOKOP_RBRACKET,
        TN_SQL_TOKOP_COMMA,   TN_SQL_TOKOP_DOT,    TN_SQL_TOKOP_SEMI,     TN_SQL_TOKOP_PLUS,
        TN_SQL_TOKOP_MINUS,   TN_SQL_TOKOP_STAR,   TN_SQL_TOKOP_SLASH,    TN_SQL_TOKOP_DSLASH,
        TN_SQL_TOKOP_PERCENT, TN_SQL_TOKOP_CARET,  TN_SQL_TOKOP_EQ,       TN_SQL_TOKOP_EQ,
        TN_SQL_TOKOP_NE,      TN_SQL_TOKOP_NE,     TN_SQL_TOKOP_LT,       TN_SQL_TOKOP_LE,
        TN_SQL_TOKOP_GT,      TN_SQL_TOKOP_GE,     TN_SQL_TOKOP_CONCAT,   TN_SQL_TOKOP_CAST,
        TN_SQL_TOKOP_ARROW,   TN_SQL_TOKOP_ASSIGN, TN_SQL_TOKOP_QMARK,    TN_SQL_TOKOP_OTHER,
        TN_SQL_TOKOP_OTHER,
    };
    size_t n = sizeof(want) / sizeof(want[0]);
    cr_assert_eq(l->count, n + 1);
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(l->toks[i].type, TN_SQL_TOK_OP, "token %zu", i);
        cr_expect_eq(l->toks[i].op, want[i], "token %zu op %d", i, l->toks[i].op);
    }
    lexed_free(l);
}

Test(sql_lexer, identifiers_fold_and_quote)
{
    lexed *l = lex_str("MiXeD \"MiXeD\" \"a\"\"b\" _x1$ caf\xc3\xa9 \"\xc3\xa9t\xc3\xa9\"");
    cr_expect_str_eq(l->toks[0].text, "mixed");
    cr_expect_eq(l->toks[1].type, TN_SQL_TOK_QIDENT);
    cr_expect_str_eq(l->toks[1].text, "MiXeD");
    cr_expect_str_eq(l->toks[2].text, "a\"b");
    cr_expect_str_eq(l->toks[3].text, "_x1$");
    cr_expect_str_eq(l->toks[4].text, "caf\xc3\xa9", "non-ASCII letters are kept");
    cr_expect_str_eq(l->toks[5].text, "\xc3\xa9t\xc3\xa9");
    lexed_free(l);
}

Test(sql_lexer, strings_and_escapes)
{
    lexed *l = lex_str("'a''b' 'back\\slash' E'\\n\\t\\r\\b\\f' e'\\x41\\101\\u00e9\\U0001F600' "
                       "E'it\\'s' E'\\q' ''");
    cr_expect_str_eq(l->toks[0].text, "a'b");
    cr_expect_str_eq(l->toks[1].text, "back\\slash", "standard strings keep backslashes");
    cr_expect_str_eq(l->toks[2].text, "\n\t\r\b\f");
    cr_expect_str_eq(l->toks[3].text, "AA\xc3\xa9\xf0\x9f\x98\x80");
    cr_expect_str_eq(l->toks[4].text, "it's");
    cr_expect_str_eq(l->toks[5].text, "q");
    cr_expect_eq(l->toks[6].type, TN_SQL_TOK_STRING);
    cr_expect_eq(l->toks[6].text_len, 0);
    lexed_free(l);

    /* A string may hold a NUL byte (its length says where it ends). */
    lexed *n = lex("'a\0b'", 5);
    cr_expect_eq(n->toks[0].type, TN_SQL_TOK_STRING);
    cr_expect_eq(n->toks[0].text_len, 3);
    cr_expect_eq(memcmp(n->toks[0].text, "a\0b", 3), 0);
    lexed_free(n);
}

Test(sql_lexer, numbers)
{
    lexed *l = lex_str("42 1.5 .5 5. 1e10 2.5E-3 1e 7..8 123abc");
    const char *want[] = {"42", "1.5", ".5", "5.", "1e10", "2.5E-3", "1"};
    for (int i = 0; i < 7; i++) {
        cr_expect_eq(l->toks[i].type, TN_SQL_TOK_NUMBER, "token %d", i);
        cr_expect_eq(l->toks[i].text_len, strlen(want[i]), "token %d", i);
        cr_expect_eq(strncmp(l->toks[i].text, want[i], l->toks[i].text_len), 0, "token %d", i);
    }
    cr_expect_eq(l->toks[7].type, TN_SQL_TOK_IDENT, "1e without digits: the e is a word");
    cr_expect_eq(l->toks[8].type, TN_SQL_TOK_NUMBER, "7 then ..");
    cr_expect_eq(l->toks[8].text_len, 1);
    cr_expect_eq(l->toks[9].op, TN_SQL_TOKOP_DOT);
    lexed_free(l);
}

Test(sql_lexer, comments_and_parameters)
{
    lexed *l = lex_str("/* a /* b */ $1 -- to the end\n $12 ? /**/?");
    cr_expect_eq(l->toks[0].type, TN_SQL_TOK_PARAM);
    cr_expect_eq(l->toks[0].param, 1);
    cr_expect_eq(l->toks[1].param, 12);
    cr_expect_eq(l->toks[2].op, TN_SQL_TOKOP_QMARK);
    cr_expect_eq(l->toks[3].op, TN_SQL_TOKOP_QMARK);
    cr_expect_eq(l->toks[4].type, TN_SQL_TOK_EOF);
    lexed_free(l);
}

Test(sql_lexer, positions)
{
    /* Columns count characters: é is two bytes but one column; a tab is one column. */
    lexed *l = lex_str("SELECT\n  '\xc3\xa9', x\r\n\tFROM t");
    cr_expect_eq(l->toks[0].pos.line, 1);
    cr_expect_eq(l->toks[0].pos.column, 1);
    cr_expect_eq(l->toks[1].pos.line, 2);
    cr_expect_eq(l->toks[1].pos.column, 3);
    cr_expect_eq(l->toks[1].pos.offset, 9);
    cr_expect_eq(l->toks[2].pos.column, 6, "after a two-byte character");
    cr_expect_eq(l->toks[3].pos.column, 8);
    cr_expect_eq(l->toks[4].pos.line, 3);
    cr_expect_eq(l->toks[4].pos.column, 2);
    cr_expect_eq(l->toks[5].pos.column, 7);
    cr_expect_eq(l->toks[6].type, TN_SQL_TOK_EOF);
    cr_expect_eq(l->toks[6].pos.column, 8);
    lexed_free(l);
}

Test(sql_lexer, errors)
{
    expect_lex_error("SELECT 'abc", 11, "unterminated quoted string", 1, 8);
    expect_lex_error("SELECT \"abc", 11, "unterminated quoted identifier", 1, 8);
    expect_lex_error("SELECT \"\"", 9, "zero-length quoted identifier", 1, 8);
    expect_lex_error("SELECT 1 /* never", 17, "unterminated /* comment", 1, 10);
    expect_lex_error("SELECT\n  \x01", 10, "unexpected control character", 2, 3);
    expect_lex_error("SELECT \0", 8, "unexpected control character", 1, 8);
    expect_lex_error("SELECT 'a\xff'", 11, "invalid UTF-8", 1, 10);
    expect_lex_error("SELECT x\xc3", 9, "invalid UTF-8", 1, 9);
    expect_lex_error("-- \xff\nSELECT", 10, "invalid UTF-8", 1, 4);
    expect_lex_error("SELECT $0", 9, "parameter numbers", 1, 8);
    expect_lex_error("SELECT $70000", 13, "parameter numbers", 1, 8);
    expect_lex_error("SELECT $1a", 10, "trailing characters", 1, 8);
    expect_lex_error("SELECT E'\\u12'", 14, "\\u needs 4 hex digits", 1, 10);
    expect_lex_error("SELECT E'\\uD800'", 16, "invalid Unicode escape value", 1, 10);
    expect_lex_error("SELECT E'\\U00110000'", 20, "invalid Unicode escape value", 1, 10);
    expect_lex_error("SELECT E'\\xff'", 14, "not UTF-8", 1, 8);
    expect_lex_error("SELECT E'abc\\'", 14, "unterminated quoted string", 1, 8);
    expect_lex_error("SELECT \"a\0b\"", 12, "NUL byte", 1, 10);
}

Test(sql_lexer, any_bytes)
{
    /* Every single byte and every pair of bytes lexes to tokens or an error, never more
     * tokens than bytes plus the end. */
    unsigned char buf[2];
    for (int a = 0; a < 256; a++) {
        for (int b = 0; b < 256; b++) {
            buf[0] = (unsigned char)a;
            buf[1] = (unsigned char)b;
            lexed *l = lex((const char *)buf, 2);
            cr_assert_leq(l->count, 3);
            lexed_free(l);
        }
    }
}
