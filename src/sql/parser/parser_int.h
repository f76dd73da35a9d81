/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to sql/parser: tokens and the lexer, the parser's state and the helpers the
 * parser_*.c files share (token tests, expectation tracking for error messages, list
 * building, nesting checks). Nothing outside this folder includes it.
 */
#ifndef TN_SQL_PARSER_INT_H
#define TN_SQL_PARSER_INT_H

#include "sql/parser/parser.h"

/* ------------------------------------------------------------------------------------------
 * Keywords (keywords.def)
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_sql_keyword {
    TN_SQL_KW_NONE = 0,
#define TN_SQL_KEYWORD(id, text, category) TN_SQL_KW_##id,
#include "sql/parser/keywords.def"
#undef TN_SQL_KEYWORD
    TN_SQL_KW_COUNT
} tn_sql_keyword;

typedef enum tn_sql_kw_category {
    TN_SQL_KWCAT_RESERVED,
    TN_SQL_KWCAT_TYPE_FUNC,
    TN_SQL_KWCAT_UNRESERVED,
} tn_sql_kw_category;

/* The keyword whose text is the n bytes at s, compared case-insensitively; TN_SQL_KW_NONE
 * when the word is not a keyword. */
tn_sql_keyword tn_sql_keyword_lookup(const char *s, size_t n);
/* Lower-case text of a keyword ("select"). */
const char *tn_sql_keyword_text(tn_sql_keyword kw);
tn_sql_kw_category tn_sql_keyword_category(tn_sql_keyword kw);

/* ------------------------------------------------------------------------------------------
 * Tokens and the lexer (lexer.c)
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_sql_tok_type {
    TN_SQL_TOK_EOF,
    TN_SQL_TOK_IDENT,   /* unquoted word; text folded to lower case */
    TN_SQL_TOK_QIDENT,  /* "quoted identifier"; text without quotes, "" resolved */
    TN_SQL_TOK_KEYWORD, /* a keywords.def word; text is its lower-case spelling */
    TN_SQL_TOK_STRING,  /* 'string' or E'string'; text is the value */
    TN_SQL_TOK_NUMBER,  /* 42, 1.5, .5, 1e10; text is the source bytes */
    TN_SQL_TOK_PARAM,   /* $n; param holds n */
    TN_SQL_TOK_OP,      /* punctuation and operators; op says which */
    TN_SQL_TOK_ERROR,   /* a lexical error; text is the message. Always the last token. */
} tn_sql_tok_type;

typedef enum tn_sql_op {
    TN_SQL_TOKOP_NONE = 0,
    TN_SQL_TOKOP_LPAREN,   /* ( */
    TN_SQL_TOKOP_RPAREN,   /* ) */
    TN_SQL_TOKOP_LBRACKET, /* [ */
    TN_SQL_TOKOP_RBRACKET, /* ] */
    TN_SQL_TOKOP_COMMA,    /* , */
    TN_SQL_TOKOP_DOT,      /* . */
    TN_SQL_TOKOP_SEMI,     /* ; */
    TN_SQL_TOKOP_PLUS,     /* + */
    TN_SQL_TOKOP_MINUS,    /* - */
    TN_SQL_TOKOP_STAR,     /* * */
    TN_SQL_TOKOP_SLASH,    /* / */
    TN_SQL_TOKOP_DSLASH,   /* // (integer division) */
    TN_SQL_TOKOP_PERCENT,  /* % */
    TN_SQL_TOKOP_CARET,    /* ^ */
    TN_SQL_TOKOP_EQ,       /* = or == */
    TN_SQL_TOKOP_NE,       /* <> or != */
    TN_SQL_TOKOP_LT,       /* < */
    TN_SQL_TOKOP_LE,       /* <= */
    TN_SQL_TOKOP_GT,       /* > */
    TN_SQL_TOKOP_GE,       /* >= */
    TN_SQL_TOKOP_CONCAT,   /* || */
    TN_SQL_TOKOP_CAST,     /* :: */
    TN_SQL_TOKOP_ARROW,    /* => */
    TN_SQL_TOKOP_ASSIGN,   /* := */
    TN_SQL_TOKOP_QMARK,    /* ? (a positional parameter) */
    TN_SQL_TOKOP_OTHER,    /* any other punctuation the grammar does not use */
} tn_sql_op;

typedef struct tn_sql_token {
    uint8_t type;     /* tn_sql_tok_type */
    uint8_t op;       /* tn_sql_op, for TN_SQL_TOK_OP */
    uint16_t keyword; /* tn_sql_keyword, for TN_SQL_TOK_KEYWORD */
    uint32_t text_len;
    const char *text; /* see tn_sql_tok_type; NUL-terminated except for NUMBER */
    tn_sql_pos pos;   /* where the token starts */
    uint32_t length;  /* bytes of source text */
    uint32_t param;   /* PARAM: the number after $ */
} tn_sql_token;

/* Splits sql into tokens, ending with an EOF token, or with an ERROR token at the first
 * lexical problem (unterminated string or comment, invalid UTF-8, a stray byte). Token texts
 * are allocated from arena; the token array is tn_malloc'd for the caller to tn_free.
 * Returns 0 or TN_ENOMEM. */
int tn_sql_lex(tn_arena *arena, const char *sql, size_t len, tn_sql_token **tokens_out,
               uint32_t *count_out);

/* ------------------------------------------------------------------------------------------
 * Parser state and shared helpers (parser.c)
 * ---------------------------------------------------------------------------------------- */

#define TN_SQL_EXPECT_MAX 24

/* Parser recursion budget, counted by tn_sql_enter. Every cycle of recursive calls passes
 * through an enter: expressions (tn_sql_parse_expr_prec), queries, statements, FROM
 * parentheses, and parentheses directly inside parentheses. Trees are limited to
 * TN_SQL_MAX_DEPTH levels; printing one parenthesises every operator, and reading that text
 * back costs at most two enters per tree level, so the budget lets any tree the parser
 * accepts be printed and parsed again. Stack use is about 400 bytes per enter in an -O2
 * build (several times that under sanitizers), under 1 MiB in all. */
#define TN_SQL_MAX_RECURSION (2 * TN_SQL_MAX_DEPTH + 64)

typedef struct tn_sql_parser {
    tn_arena *arena;
    const char *sql;
    size_t len;
    tn_sql_token *toks;
    uint32_t tok_count;
    uint32_t pos; /* index of the current token */
    tn_error *err;
    int code;             /* 0, or the error already reported: every function then unwinds */
    uint32_t depth;       /* current recursion depth (stack guard) */
    uint32_t qmark_count; /* ? parameters numbered so far in this statement */
    /* What the parser looked for at token expect_pos and did not find, for messages. */
    uint32_t expect_pos;
    uint32_t expect_count;
    const char *expect[TN_SQL_EXPECT_MAX];
} tn_sql_parser;

/* Operator precedence, loosest first (PostgreSQL's order). */
enum {
    TN_SQL_PREC_OR = 1,
    TN_SQL_PREC_AND,
    TN_SQL_PREC_NOT,
    TN_SQL_PREC_IS,      /* IS NULL, IS DISTINCT FROM */
    TN_SQL_PREC_CMP,     /* = <> < <= > >= */
    TN_SQL_PREC_LIKE,    /* BETWEEN IN LIKE ILIKE */
    TN_SQL_PREC_OTHER,   /* || */
    TN_SQL_PREC_ADD,     /* + - */
    TN_SQL_PREC_MUL,     /* * / // % */
    TN_SQL_PREC_POW,     /* ^ */
    TN_SQL_PREC_UNARY,   /* unary + - */
    TN_SQL_PREC_POSTFIX, /* :: */
};

static inline tn_sql_token *tn_sql_peek(tn_sql_parser *p)
{
    return &p->toks[p->pos];
}
/* The token k places ahead; the last token (EOF or ERROR) when past the end. */
static inline tn_sql_token *tn_sql_peek_at(tn_sql_parser *p, uint32_t k)
{
    uint32_t i = p->pos + k;
    return &p->toks[i < p->tok_count ? i : p->tok_count - 1];
}
static inline void tn_sql_advance(tn_sql_parser *p)
{
    if (p->pos + 1 < p->tok_count) p->pos++;
}
static inline bool tn_sql_tok_is_kw(const tn_sql_token *t, tn_sql_keyword kw)
{
    return t->type == TN_SQL_TOK_KEYWORD && t->keyword == kw;
}
static inline bool tn_sql_tok_is_op(const tn_sql_token *t, tn_sql_op op)
{
    return t->type == TN_SQL_TOK_OP && t->op == op;
}
static inline bool tn_sql_is_kw(tn_sql_parser *p, tn_sql_keyword kw)
{
    return tn_sql_tok_is_kw(tn_sql_peek(p), kw);
}
static inline bool tn_sql_is_op(tn_sql_parser *p, tn_sql_op op)
{
    return tn_sql_tok_is_op(tn_sql_peek(p), op);
}

/* Records that `what` would have been accepted at the current token (for the message of a
 * syntax error raised there). */
void tn_sql_expect_note(tn_sql_parser *p, const char *what);
/* Consumes the keyword if it is next and returns true; otherwise notes it (as `label`, or
 * the keyword in upper case when label is NULL) and returns false. */
bool tn_sql_accept_kw(tn_sql_parser *p, tn_sql_keyword kw, const char *label);
bool tn_sql_accept_op(tn_sql_parser *p, tn_sql_op op);
/* As accept, but a missing token is a syntax error. Returns false when an error is set. */
bool tn_sql_expect_kw(tn_sql_parser *p, tn_sql_keyword kw);
bool tn_sql_expect_op(tn_sql_parser *p, tn_sql_op op);

/* Reports a syntax error at the current token: "syntax error at or near "X": expected ..."
 * with what was noted there. Returns NULL for convenience. */
void *tn_sql_syntax_error(tn_sql_parser *p);
/* Reports an error with a message of its own at a position. Returns NULL. */
void *tn_sql_error_at(tn_sql_parser *p, int code, tn_sql_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void *tn_sql_oom(tn_sql_parser *p);

/* Recursion guard: false (and an error set) past TN_SQL_MAX_RECURSION. Each successful enter
 * is paired with a leave. */
bool tn_sql_enter(tn_sql_parser *p);
static inline void tn_sql_leave(tn_sql_parser *p)
{
    p->depth--;
}
/* Checks a finished node's height against TN_SQL_MAX_DEPTH; false (and an error) when over. */
bool tn_sql_check_height(tn_sql_parser *p, const tn_sql_node *node);

/* Zeroed arena memory, or NULL with the out-of-memory error set. */
void *tn_sql_alloc(tn_sql_parser *p, size_t size);
char *tn_sql_strndup(tn_sql_parser *p, const char *s, size_t n);
/* Makes room for one more element in an arena array of `count` elements of `size` bytes
 * whose capacity is *cap (doubling). Returns false when out of memory. */
bool tn_sql_grow(tn_sql_parser *p, void **items, uint32_t count, uint32_t *cap, size_t size);

/* Appends to an expression list (its capacity tracked by *cap). */
bool tn_sql_list_push(tn_sql_parser *p, tn_sql_expr_list *list, uint32_t *cap, tn_sql_expr *e);

/* Names. A "name token" is an identifier, a quoted identifier or an unreserved keyword; a
 * "label token" (after AS, after a dot) is any word, reserved keywords included. */
bool tn_sql_tok_is_name(const tn_sql_token *t);
bool tn_sql_tok_is_label(const tn_sql_token *t);
/* Consumes a name token (label token when any_word) into *out; a syntax error (expected
 * `what`) when there is none. */
bool tn_sql_parse_ident(tn_sql_parser *p, bool any_word, const char *what, tn_sql_ident *out);
/* A dotted name: name ( '.' label )*. */
bool tn_sql_parse_name(tn_sql_parser *p, const char *what, tn_sql_name *out);
/* '(' name, ... ')' */
bool tn_sql_parse_ident_list(tn_sql_parser *p, tn_sql_ident_list *out);
/* A type name at the current token (CAST, ::, column definitions). */
bool tn_sql_parse_type_name(tn_sql_parser *p, tn_sql_type_name *out);
/* How many tokens from the current one (at offset k) a type name without arguments spans:
 * 1, or 2-4 for DOUBLE PRECISION, CHARACTER VARYING, TIMESTAMP WITH[OUT] TIME ZONE; 0 when
 * the token is not a word. */
uint32_t tn_sql_type_words_at(tn_sql_parser *p, uint32_t k);

/* Whether the current token starts a query (SELECT, VALUES, WITH). */
bool tn_sql_starts_query(tn_sql_parser *p);

/* Heights of optional children and lists (0 when absent or empty). */
static inline uint32_t tn_sql_max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}
static inline uint32_t tn_sql_expr_height(const tn_sql_expr *e)
{
    return e ? e->node.height : 0;
}
static inline uint32_t tn_sql_query_height(const tn_sql_query *q)
{
    return q ? q->node.height : 0;
}
static inline uint32_t tn_sql_list_height(const tn_sql_expr_list *l)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < l->count; i++) m = tn_sql_max_u32(m, tn_sql_expr_height(l->items[i]));
    return m;
}
static inline uint32_t tn_sql_order_height(const tn_sql_order_list *l)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < l->count; i++)
        m = tn_sql_max_u32(m, tn_sql_expr_height(l->items[i].expr));
    return m;
}

/* ------------------------------------------------------------------------------------------
 * The grammar, by file
 * ---------------------------------------------------------------------------------------- */

/* parser_expr.c */
tn_sql_expr *tn_sql_parse_expr_prec(tn_sql_parser *p, int min_prec);
static inline tn_sql_expr *tn_sql_parse_a_expr(tn_sql_parser *p)
{
    return tn_sql_parse_expr_prec(p, TN_SQL_PREC_OR);
}
/* Continues an expression whose first operand is already parsed (a parenthesised
 * subquery followed by an operator). */
tn_sql_expr *tn_sql_parse_expr_rest(tn_sql_parser *p, tn_sql_expr *left, int min_prec);
/* name '(' args ')' [FILTER ...] [OVER ...] with the name already parsed and '(' next.
 * in_from allows name = value named arguments (table functions). */
tn_sql_expr *tn_sql_parse_call(tn_sql_parser *p, tn_sql_name name, tn_sql_pos pos, bool in_from);
/* expr [ASC|DESC] [NULLS FIRST|LAST], ... */
bool tn_sql_parse_order_list(tn_sql_parser *p, tn_sql_order_list *out);
/* A window specification: ( [name] [PARTITION BY ...] [ORDER BY ...] [frame] ). */
tn_sql_window *tn_sql_parse_window_spec(tn_sql_parser *p);
/* The height of a window specification's expressions. */
uint32_t tn_sql_window_height(const tn_sql_window *w);
/* Sets node.height of an expression from its children and checks the limit. */
bool tn_sql_expr_finish(tn_sql_parser *p, tn_sql_expr *e);
tn_sql_expr *tn_sql_new_expr(tn_sql_parser *p, tn_sql_expr_kind kind, tn_sql_pos pos);

/* parser_select.c */
/* A whole query: [WITH ...] set operations [ORDER BY] [LIMIT/OFFSET/FETCH]. */
tn_sql_query *tn_sql_parse_query(tn_sql_parser *p);
/* Continues a query whose first operand (a parenthesised query) is parsed: set operations,
 * ORDER BY, LIMIT. */
tn_sql_query *tn_sql_parse_query_rest(tn_sql_parser *p, tn_sql_query *first);
/* Whether the current token can continue a query after a parenthesised operand. */
bool tn_sql_continues_query(tn_sql_parser *p);
bool tn_sql_query_finish(tn_sql_parser *p, tn_sql_query *q);

/* parser_stmt.c */
tn_sql_stmt *tn_sql_parse_statement(tn_sql_parser *p);

#endif /* TN_SQL_PARSER_INT_H */
