/* SPDX-License-Identifier: Apache-2.0
 *
 * The SQL lexer: bytes to tokens. It runs over the whole text before parsing starts, so the
 * parser can look ahead as far as it needs (a parenthesised FROM item is a subquery or a
 * join depending on what follows the parentheses). Lexical errors do not stop it with a code:
 * they become a final ERROR token, which the parser reports when it reaches it, so the first
 * error in the text is the one reported.
 *
 * Rules (PostgreSQL's, with standard_conforming_strings on):
 * - whitespace, `-- comment` to the end of the line, `/ * comment * /` (not nested);
 * - words: [A-Za-z_ or any byte >= 0x80][A-Za-z0-9_$ or >= 0x80]*, folded to lower case
 *   (ASCII only), keywords looked up in keywords.def;
 * - "quoted identifiers" with "" for a quote; 'strings' with '' for a quote and no other
 *   escapes; E'strings' with backslash escapes (\n \t \r \b \f \\ \' \ooo \xhh \uXXXX
 *   \UXXXXXXXX, any other \c is c);
 * - numbers: digits [. digits] [e [+-] digits], or . digits [...];
 * - $n parameters and ? placeholders; operators (the longest of <> != <= >= == || :: => :=
 *   //).
 * The text must be valid UTF-8 (checked once up front); positions count columns in code
 * points.
 */
#include "sql/parser/parser_int.h"

/* ------------------------------------------------------------------------------------------
 * Keywords
 * ---------------------------------------------------------------------------------------- */

static const struct keyword_entry {
    const char *text;
    uint8_t category; /* tn_sql_kw_category */
} keyword_table[TN_SQL_KW_COUNT] = {
    [TN_SQL_KW_NONE] = {"", TN_SQL_KWCAT_UNRESERVED},
#define TN_SQL_KEYWORD(id, txt, cat) [TN_SQL_KW_##id] = {txt, TN_SQL_KWCAT_##cat},
#include "sql/parser/keywords.def"
#undef TN_SQL_KEYWORD
};

/* The longest keyword, so longer words skip the search. */
#define KEYWORD_MAX_LEN 17

/* Binary search over keyword_table[1..]: the .def file is sorted by text. */
tn_sql_keyword tn_sql_keyword_lookup(const char *s, size_t n)
{
    if (n == 0 || n > KEYWORD_MAX_LEN) return TN_SQL_KW_NONE;
    char lower[KEYWORD_MAX_LEN + 1];
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    lower[n] = '\0';
    size_t lo = 1, hi = TN_SQL_KW_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(lower, keyword_table[mid].text);
        if (cmp == 0) return (tn_sql_keyword)mid;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return TN_SQL_KW_NONE;
}

/* Lower-case spelling of a keyword; "" for TN_SQL_KW_NONE or a value out of range. */
const char *tn_sql_keyword_text(tn_sql_keyword kw)
{
    return (unsigned)kw < TN_SQL_KW_COUNT ? keyword_table[kw].text : "";
}

/* Category of a keyword (UNRESERVED for TN_SQL_KW_NONE). */
tn_sql_kw_category tn_sql_keyword_category(tn_sql_keyword kw)
{
    return (unsigned)kw < TN_SQL_KW_COUNT ? (tn_sql_kw_category)keyword_table[kw].category
                                          : TN_SQL_KWCAT_UNRESERVED;
}

/* ------------------------------------------------------------------------------------------
 * Lexer state
 * ---------------------------------------------------------------------------------------- */

typedef struct lexer {
    tn_arena *arena;
    const char *sql;
    size_t len;
    size_t bad_utf8; /* offset of the first invalid UTF-8 byte, or len */
    /* Position tracking: line and column of offset `track_off`, advanced monotonically. */
    size_t track_off;
    uint32_t line;
    uint32_t column;
    tn_sql_token *toks;
    uint32_t count;
    uint32_t cap;
} lexer;

static inline bool is_word_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
static inline bool is_word_char(unsigned char c)
{
    return is_word_start(c) || (c >= '0' && c <= '9') || c == '$';
}
static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}
static inline bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static inline int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Line and column of byte offset `off` (>= every offset asked before): each byte is looked
 * at once over the whole run, so this stays linear. Columns count UTF-8 lead bytes. */
static tn_sql_pos position_of(lexer *lx, size_t off)
{
    const unsigned char *s = (const unsigned char *)lx->sql;
    for (size_t i = lx->track_off; i < off; i++) {
        if (s[i] == '\n') {
            lx->line++;
            lx->column = 1;
        } else if ((s[i] & 0xC0) != 0x80) {
            lx->column++;
        }
    }
    lx->track_off = off;
    tn_sql_pos pos = {(uint32_t)off, lx->line, lx->column};
    return pos;
}

static tn_sql_token *push_token(lexer *lx, tn_sql_tok_type type, size_t start, size_t end)
{
    if (lx->count == lx->cap) {
        uint32_t cap = lx->cap ? lx->cap * 2 : 64;
        tn_sql_token *grown = tn_realloc(lx->toks, (size_t)cap * sizeof(*grown));
        if (!grown) return NULL;
        lx->toks = grown;
        lx->cap = cap;
    }
    tn_sql_token *t = &lx->toks[lx->count++];
    memset(t, 0, sizeof(*t));
    t->type = (uint8_t)type;
    t->pos = position_of(lx, start);
    t->length = (uint32_t)(end - start);
    return t;
}

/* Ends the token list with an ERROR token carrying `message` at `off`. Returns 0 or
 * TN_ENOMEM. */
static int push_error(lexer *lx, size_t off, const char *message)
{
    tn_sql_token *t = push_token(lx, TN_SQL_TOK_ERROR, off, off < lx->len ? off + 1 : off);
    if (!t) return TN_ENOMEM;
    t->text = message;
    t->text_len = (uint32_t)strlen(message);
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Token scanners. Each returns the end offset of the token, or (size_t)-1 with an ERROR
 * token pushed (or out of memory: lx->count unchanged and the caller checks).
 * ---------------------------------------------------------------------------------------- */

#define LEX_FAIL ((size_t)-1)

/* Appends the UTF-8 form of code point cp to out; returns the bytes written (0 when cp is
 * not a Unicode scalar value). */
static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Offset of the closing quote of a literal opened at q (doubled quotes and, with escapes,
 * backslash pairs do not close it), or len when it is not closed. */
static size_t closing_quote(const lexer *lx, size_t q, char quote, bool escapes)
{
    const char *s = lx->sql;
    size_t i = q + 1;
    while (i < lx->len) {
        if (s[i] == quote) {
            if (i + 1 < lx->len && s[i + 1] == quote) {
                i += 2;
                continue;
            }
            return i;
        }
        i += (escapes && s[i] == '\\') ? 2 : 1;
    }
    return lx->len;
}

/* A quoted string starting at `start` (the opening quote at q). escapes: E'...' rules. */
static size_t scan_string(lexer *lx, size_t start, size_t q, bool escapes, int *rc)
{
    const char *s = lx->sql;
    /* The value is never longer than the source between the quotes; sizing it by the
     * literal (not the rest of the text) keeps memory linear in the input. */
    size_t close = closing_quote(lx, q, '\'', escapes);
    char *value = tn_arena_alloc(lx->arena, close - q + 1);
    if (!value) {
        *rc = TN_ENOMEM;
        return LEX_FAIL;
    }
    size_t n = 0;
    size_t i = q + 1;
    for (;;) {
        if (i >= lx->len) {
            if (lx->bad_utf8 < lx->len)
                *rc = push_error(lx, lx->bad_utf8, "invalid UTF-8 byte sequence");
            else
                *rc = push_error(lx, start, "unterminated quoted string");
            return LEX_FAIL;
        }
        char c = s[i];
        if (c == '\'') {
            if (i + 1 < lx->len && s[i + 1] == '\'') {
                value[n++] = '\'';
                i += 2;
                continue;
            }
            i++;
            break;
        }
        if (c != '\\' || !escapes) {
            value[n++] = c;
            i++;
            continue;
        }
        /* A backslash escape. */
        if (i + 1 >= lx->len) {
            i++;
            continue; /* reported as unterminated above */
        }
        unsigned char e = (unsigned char)s[i + 1];
        i += 2;
        switch (e) {
        case 'b':
            value[n++] = '\b';
            break;
        case 'f':
            value[n++] = '\f';
            break;
        case 'n':
            value[n++] = '\n';
            break;
        case 'r':
            value[n++] = '\r';
            break;
        case 't':
            value[n++] = '\t';
            break;
        case 'x': {
            int h1 = i < lx->len ? hex_value((unsigned char)s[i]) : -1;
            if (h1 < 0) {
                value[n++] = 'x'; /* \x without digits is a plain x, as PostgreSQL does */
                break;
            }
            int v = h1;
            i++;
            int h2 = i < lx->len ? hex_value((unsigned char)s[i]) : -1;
            if (h2 >= 0) {
                v = v * 16 + h2;
                i++;
            }
            value[n++] = (char)v;
            break;
        }
        case 'u':
        case 'U': {
            int digits = e == 'u' ? 4 : 8;
            uint32_t cp = 0;
            for (int k = 0; k < digits; k++) {
                int h = i + (size_t)k < lx->len ? hex_value((unsigned char)s[i + (size_t)k]) : -1;
                if (h < 0) {
                    *rc = push_error(lx, i - 2,
                                     e == 'u' ? "invalid Unicode escape: \\u needs 4 hex digits"
                                              : "invalid Unicode escape: \\U needs 8 hex digits");
                    return LEX_FAIL;
                }
                cp = cp * 16 + (uint32_t)h;
            }
            /* The 4 or 8 escape digits always outnumber the bytes written (at most 4). */
            size_t w = put_utf8(value + n, cp);
            if (w == 0) {
                *rc = push_error(lx, i - 2, "invalid Unicode escape value");
                return LEX_FAIL;
            }
            n += w;
            i += (size_t)digits;
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                int v = e - '0';
                for (int k = 0; k < 2 && i < lx->len && s[i] >= '0' && s[i] <= '7'; k++, i++)
                    v = v * 8 + (s[i] - '0');
                value[n++] = (char)(v & 0xFF);
            } else {
                value[n++] = (char)e; /* \\ \' and any other character stand for themselves */
            }
            break;
        }
    }
    if (i > lx->bad_utf8) {
        *rc = push_error(lx, lx->bad_utf8, "invalid UTF-8 byte sequence");
        return LEX_FAIL;
    }
    if (escapes && !tn_utf8_valid(value, n)) {
        *rc = push_error(lx, start, "invalid byte sequence in escape string (not UTF-8)");
        return LEX_FAIL;
    }
    value[n] = '\0';
    tn_sql_token *t = push_token(lx, TN_SQL_TOK_STRING, start, i);
    if (!t) {
        *rc = TN_ENOMEM;
        return LEX_FAIL;
    }
    t->text = value;
    t->text_len = (uint32_t)n;
    return i;
}

static size_t scan_quoted_ident(lexer *lx, size_t start, int *rc)
{
    const char *s = lx->sql;
    char *value = tn_arena_alloc(lx->arena, closing_quote(lx, start, '"', false) - start + 1);
    if (!value) {
        *rc = TN_ENOMEM;
        return LEX_FAIL;
    }
    size_t n = 0, i = start + 1;
    for (;;) {
        if (i >= lx->len) {
            if (lx->bad_utf8 < lx->len)
                *rc = push_error(lx, lx->bad_utf8, "invalid UTF-8 byte sequence");
            else
                *rc = push_error(lx, start, "unterminated quoted identifier");
            return LEX_FAIL;
        }
        if (s[i] == '"') {
            if (i + 1 < lx->len && s[i + 1] == '"') {
                value[n++] = '"';
                i += 2;
                continue;
            }
            i++;
            break;
        }
        if (s[i] == '\0') {
            *rc = push_error(lx, i, "a quoted identifier cannot contain a NUL byte");
            return LEX_FAIL;
        }
        value[n++] = s[i++];
    }
    if (i > lx->bad_utf8) {
        *rc = push_error(lx, lx->bad_utf8, "invalid UTF-8 byte sequence");
        return LEX_FAIL;
    }
    if (n == 0) {
        *rc = push_error(lx, start, "zero-length quoted identifier");
        return LEX_FAIL;
    }
    value[n] = '\0';
    tn_sql_token *t = push_token(lx, TN_SQL_TOK_QIDENT, start, i);
    if (!t) {
        *rc = TN_ENOMEM;
        return LEX_FAIL;
    }
    t->text = value;
    t->text_len = (uint32_t)n;
    return i;
}

static size_t scan_word(lexer *lx, size_t start, int *rc)
{
    const char *s = lx->sql;
    size_t i = start;
    while (i < lx->len && is_word_char((unsigned char)s[i])) i++;
    if (i > lx->bad_utf8) {
        *rc = push_error(lx, lx->bad_utf8, "invalid UTF-8 byte sequence");
        return LEX_FAIL;
    }
    size_t n = i - start;
    tn_sql_keyword kw = tn_sql_keyword_lookup(s + start, n);
    tn_sql_token *t = push_token(lx, kw ? TN_SQL_TOK_KEYWORD : TN_SQL_TOK_IDENT, start, i);
    if (!t) {
        *rc = TN_ENOMEM;
        return LEX_FAIL;
    }
    if (kw) {
        t->keyword = (uint16_t)kw;
        t->text = keyword_table[kw].text;
        t->text_len = (uint32_t)strlen(t->text);
        return i;
    }
    char *folded = tn_arena_alloc(lx->arena, n + 1);
    if (!folded) {
        *rc = TN_ENOMEM;
        return LEX_FAIL;
    }
    for (size_t k = 0; k < n; k++) {
        char c = s[start + k];
        folded[k] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    folded[n] = '\0';
    t->text = folded;
    t->text_len = (uint32_t)n;
    return i;
}

static size_t scan_number(lexer *lx, size_t start, int *rc)
{
    const char *s = lx->sql;
    size_t i = start;
    while (i < lx->len && is_digit((unsigned char)s[i])) i++;
    if (i < lx->len && s[i] == '.' && !(i + 1 < lx->len && s[i + 1] == '.')) {
        i++;
        while (i < lx->len && is_digit((unsigned char)s[i])) i++;
    }
    if (i < lx->len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < lx->len && (s[j] == '+' || s[j] == '-')) j++;
        if (j < lx->len && is_digit((unsigned char)s[j])) {
            while (j < lx->len && is_digit((unsigned char)s[j])) j++;
            i = j;
        }
    }
    tn_sql_token *t = push_token(lx, TN_SQL_TOK_NUMBER, start, i);
    if (!t) {
        *rc = TN_ENOMEM;
        return LEX_FAIL;
    }
    t->text = s + start;
    t->text_len = (uint32_t)(i - start);
    return i;
}

static size_t scan_param(lexer *lx, size_t start, int *rc)
{
    const char *s = lx->sql;
    size_t i = start + 1;
    uint32_t v = 0;
    bool too_big = false;
    while (i < lx->len && is_digit((unsigned char)s[i])) {
        v = v * 10 + (uint32_t)(s[i] - '0');
        if (v > 65535) too_big = true, v = 65535;
        i++;
    }
    if (i < lx->len && is_word_char((unsigned char)s[i])) {
        *rc = push_error(lx, start, "trailing characters after a $n parameter");
        return LEX_FAIL;
    }
    if (too_big || v == 0) {
        *rc = push_error(lx, start, "parameter numbers run from $1 to $65535");
        return LEX_FAIL;
    }
    tn_sql_token *t = push_token(lx, TN_SQL_TOK_PARAM, start, i);
    if (!t) {
        *rc = TN_ENOMEM;
        return LEX_FAIL;
    }
    t->param = v;
    t->text = "";
    return i;
}

static size_t push_op(lexer *lx, size_t start, size_t n, tn_sql_op op, int *rc)
{
    tn_sql_token *t = push_token(lx, TN_SQL_TOK_OP, start, start + n);
    if (!t) {
        *rc = TN_ENOMEM;
        return LEX_FAIL;
    }
    t->op = (uint8_t)op;
    t->text = "";
    return start + n;
}

/* Splits the text into tokens; see parser_int.h. */
int tn_sql_lex(tn_arena *arena, const char *sql, size_t len, tn_sql_token **tokens_out,
               uint32_t *count_out)
{
    lexer lx = {0};
    lx.arena = arena;
    lx.sql = sql;
    lx.len = len;
    lx.bad_utf8 = tn_utf8_invalid_offset(sql, len);
    lx.line = 1;
    lx.column = 1;
    int rc = 0;
    size_t i = 0;
    const unsigned char *s = (const unsigned char *)sql;

    while (rc == 0) {
        while (i < len && is_space(s[i])) i++;
        if (i >= len) {
            if (!push_token(&lx, TN_SQL_TOK_EOF, len, len))
                rc = TN_ENOMEM;
            else
                lx.toks[lx.count - 1].text = "";
            break;
        }
        unsigned char c = s[i];
        unsigned char next = i + 1 < len ? s[i + 1] : 0;
        size_t end = LEX_FAIL;

        if (c == '-' && next == '-') {
            while (i < len && s[i] != '\n') i++;
            if (i > lx.bad_utf8) {
                rc = push_error(&lx, lx.bad_utf8, "invalid UTF-8 byte sequence");
                break;
            }
            continue;
        }
        if (c == '/' && next == '*') {
            size_t j = i + 2;
            while (j + 1 < len && !(s[j] == '*' && s[j + 1] == '/')) j++;
            if (j + 1 >= len) {
                rc = push_error(&lx, lx.bad_utf8 < len ? lx.bad_utf8 : i,
                                lx.bad_utf8 < len ? "invalid UTF-8 byte sequence"
                                                  : "unterminated /* comment");
                break;
            }
            if (j + 2 > lx.bad_utf8) {
                rc = push_error(&lx, lx.bad_utf8, "invalid UTF-8 byte sequence");
                break;
            }
            i = j + 2;
            continue;
        }

        if ((c == 'e' || c == 'E') && next == '\'') {
            end = scan_string(&lx, i, i + 1, true, &rc);
        } else if (is_word_start(c)) {
            end = scan_word(&lx, i, &rc);
        } else if (is_digit(c) || (c == '.' && is_digit(next))) {
            end = scan_number(&lx, i, &rc);
        } else if (c == '\'') {
            end = scan_string(&lx, i, i, false, &rc);
        } else if (c == '"') {
            end = scan_quoted_ident(&lx, i, &rc);
        } else if (c == '$' && is_digit(next)) {
            end = scan_param(&lx, i, &rc);
        } else {
            switch (c) {
            case '(':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_LPAREN, &rc);
                break;
            case ')':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_RPAREN, &rc);
                break;
            case '[':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_LBRACKET, &rc);
                break;
            case ']':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_RBRACKET, &rc);
                break;
            case ',':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_COMMA, &rc);
                break;
            case '.':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_DOT, &rc);
                break;
            case ';':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_SEMI, &rc);
                break;
            case '+':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_PLUS, &rc);
                break;
            case '-':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_MINUS, &rc);
                break;
            case '*':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_STAR, &rc);
                break;
            case '/':
                end = next == '/' ? push_op(&lx, i, 2, TN_SQL_TOKOP_DSLASH, &rc)
                                  : push_op(&lx, i, 1, TN_SQL_TOKOP_SLASH, &rc);
                break;
            case '%':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_PERCENT, &rc);
                break;
            case '^':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_CARET, &rc);
                break;
            case '?':
                end = push_op(&lx, i, 1, TN_SQL_TOKOP_QMARK, &rc);
                break;
            case '=':
                if (next == '=')
                    end = push_op(&lx, i, 2, TN_SQL_TOKOP_EQ, &rc);
                else if (next == '>')
                    end = push_op(&lx, i, 2, TN_SQL_TOKOP_ARROW, &rc);
                else
                    end = push_op(&lx, i, 1, TN_SQL_TOKOP_EQ, &rc);
                break;
            case '<':
                if (next == '=')
                    end = push_op(&lx, i, 2, TN_SQL_TOKOP_LE, &rc);
                else if (next == '>')
                    end = push_op(&lx, i, 2, TN_SQL_TOKOP_NE, &rc);
                else
                    end = push_op(&lx, i, 1, TN_SQL_TOKOP_LT, &rc);
                break;
            case '>':
                end = next == '=' ? push_op(&lx, i, 2, TN_SQL_TOKOP_GE, &rc)
                                  : push_op(&lx, i, 1, TN_SQL_TOKOP_GT, &rc);
                break;
            case '!':
                end = next == '=' ? push_op(&lx, i, 2, TN_SQL_TOKOP_NE, &rc)
                                  : push_op(&lx, i, 1, TN_SQL_TOKOP_OTHER, &rc);
                break;
            case '|':
                end = next == '|' ? push_op(&lx, i, 2, TN_SQL_TOKOP_CONCAT, &rc)
                                  : push_op(&lx, i, 1, TN_SQL_TOKOP_OTHER, &rc);
                break;
            case ':':
                if (next == ':')
                    end = push_op(&lx, i, 2, TN_SQL_TOKOP_CAST, &rc);
                else if (next == '=')
                    end = push_op(&lx, i, 2, TN_SQL_TOKOP_ASSIGN, &rc);
                else
                    end = push_op(&lx, i, 1, TN_SQL_TOKOP_OTHER, &rc);
                break;
            default:
                if (c > 0x20 && c < 0x7F) {
                    /* Punctuation the grammar has no use for (& | ~ # @ ` \ { }): a token
                     * of its own, so the error names it. */
                    end = push_op(&lx, i, 1, TN_SQL_TOKOP_OTHER, &rc);
                } else {
                    rc = push_error(&lx, i, "unexpected control character");
                    end = LEX_FAIL;
                }
                break;
            }
        }
        if (end == LEX_FAIL) break; /* an ERROR token ends the list (or rc says out of memory) */
        i = end;
    }
    if (rc != 0) {
        tn_free(lx.toks);
        return rc;
    }
    *tokens_out = lx.toks;
    *count_out = lx.count;
    return 0;
}
