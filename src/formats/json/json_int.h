/* SPDX-License-Identifier: Apache-2.0
 *
 * Private header of the JSON module: the lexical layer shared by the document parser
 * (json_parse.c), the validating scanner (json_lex.c) and the row parser that writes straight
 * into vectors (json_row.c), plus the structures the reader (json_read.c) and the row parser
 * share. Not for other modules: they include json/json.h.
 *
 * Everything here works on a byte range [p, end) and never reads past `end`. Strings are
 * checked for strict UTF-8 and for RFC 8259 escapes in one pass; numbers follow the RFC 8259
 * grammar exactly.
 */
#ifndef TN_JSON_INT_H
#define TN_JSON_INT_H

#include "formats/formats.h"
#include "formats/json/json.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------------------------------
 * Syntax errors found by the lexer: where and what. `incomplete` tells that the input ended
 * before the value did (used to tell a multi-line document from a bad NDJSON line).
 * ---------------------------------------------------------------------------------------- */

typedef struct json_err {
    const char *pos; /* byte at fault */
    const char *msg; /* static text, one clause ("expected ':' after the key") */
    bool incomplete; /* the input ended inside the value */
} json_err;

static inline const char *json_fail(json_err *e, const char *pos, const char *msg)
{
    e->pos = pos;
    e->msg = msg;
    e->incomplete = false;
    return NULL;
}

static inline const char *json_fail_end(json_err *e, const char *pos, const char *msg)
{
    e->pos = pos;
    e->msg = msg;
    e->incomplete = true;
    return NULL;
}

/* ------------------------------------------------------------------------------------------
 * Whitespace: exactly the four characters RFC 8259 allows.
 * ---------------------------------------------------------------------------------------- */

static inline bool json_is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Hot helpers are forced inline: the compiler otherwise keeps out-of-line clones of them on
 * the per-value path. */
#define JSON_INLINE static inline __attribute__((always_inline))

JSON_INLINE const char *json_skip_ws(const char *p, const char *end)
{
    /* Every whitespace byte is <= ' ', so one compare rejects the common case (a token). */
    while (p < end && (unsigned char)*p <= ' ' && json_is_ws((unsigned char)*p)) p++;
    return p;
}

/* ------------------------------------------------------------------------------------------
 * UTF-8: length of the well-formed sequence starting at p (first byte >= 0x80), or 0 when it
 * is not well-formed (overlong forms, surrogates, code points past U+10FFFF, truncation,
 * stray continuation bytes).
 * ---------------------------------------------------------------------------------------- */

static inline size_t json_utf8_seq(const char *p, const char *end)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t avail = (size_t)(end - p);
    unsigned c = u[0];
    if (c < 0xC2) return 0; /* continuation byte, or C0/C1 (overlong 2-byte) */
    if (c < 0xE0) return (avail >= 2 && (u[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c < 0xF0) {
        if (avail < 3 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && u[1] < 0xA0) return 0;  /* overlong */
        if (c == 0xED && u[1] >= 0xA0) return 0; /* UTF-16 surrogates */
        return 3;
    }
    if (c < 0xF5) {
        if (avail < 4 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80 || (u[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && u[1] < 0x90) return 0;  /* overlong */
        if (c == 0xF4 && u[1] >= 0x90) return 0; /* past U+10FFFF */
        return 4;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Strings
 * ---------------------------------------------------------------------------------------- */

/* Bytes that end a fast run inside a string: '"', '\\', controls below 0x20, non-ASCII. */
extern const uint8_t tn_json_string_special[256];

/* First byte in [p, end) that is special inside a string, or end. */
JSON_INLINE const char *json_find_special(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* Signed compare: bytes >= 0x80 are negative, so "< 0x20" catches them and the
         * control characters in one instruction. */
        __m128i m =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                         _mm_cmplt_epi8(v, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask) return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    while (p < end && !tn_json_string_special[(unsigned char)*p]) p++;
    return p;
}

/* Value of 4 hex digits at p, or -1. The caller checked that 4 bytes are there. */
static inline int json_hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)p[i];
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Checks the escape at p (p[0] == '\\'); returns the byte after it or NULL. A high surrogate
 * must be followed at once by an escaped low surrogate; lone surrogates are errors (the
 * result could not be valid UTF-8). */
const char *tn_json_scan_escape(const char *p, const char *end, json_err *e);

/* Scans a string whose opening quote is just before p. Returns the byte after the closing
 * quote, or NULL with *e set. Sets *escaped when the body holds backslash escapes (it then
 * needs tn_json_unescape). */
JSON_INLINE const char *json_scan_string(const char *p, const char *end, bool *escaped, json_err *e)
{
    for (;;) {
        p = json_find_special(p, end);
        if (p >= end) return json_fail_end(e, p, "unterminated string");
        unsigned char c = (unsigned char)*p;
        if (c == '"') return p + 1;
        if (c == '\\') {
            *escaped = true;
            p = tn_json_scan_escape(p, end, e);
            if (!p) return NULL;
            continue;
        }
        if (c < 0x20) {
            return json_fail(e, p, "raw control character in a string (escape it as \\u00XX)");
        }
        size_t n = json_utf8_seq(p, end);
        if (n == 0) {
            /* A multi-byte sequence cut by the end of the buffer may be complete later. */
            if ((size_t)(end - p) < 4 && c >= 0xC2 && c < 0xF5)
                return json_fail_end(e, p, "invalid UTF-8 in a string");
            return json_fail(e, p, "invalid UTF-8 in a string");
        }
        p += n;
    }
}

/* Decodes the validated string body [p, q) (no quotes) into out, which has room for q - p
 * bytes (decoding never grows a string). Returns the decoded length. */
size_t tn_json_unescape(const char *p, const char *q, char *out);

/* ------------------------------------------------------------------------------------------
 * Numbers: the RFC 8259 grammar; the value is kept as decimal mantissa and exponent so that
 * integers need no second pass and most doubles convert exactly without strtod.
 * ---------------------------------------------------------------------------------------- */

typedef struct json_num {
    const char *text; /* the literal */
    size_t len;
    uint64_t mantissa; /* first significant digits (at most 19) */
    int32_t exp10;     /* value = mantissa * 10^exp10 when !truncated */
    bool negative;
    bool is_int;    /* no fraction, no exponent */
    bool truncated; /* more than 19 significant digits */
} json_num;

/* Eight bytes at p as one little-endian word (the caller checked that they are there). */
JSON_INLINE uint64_t json_load8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* How many of the 8 bytes of `word` (a json_load8) are digits before the first other byte.
 * A byte is a digit exactly when both its high nibble and that of byte + 6 are 3. A byte
 * above 0xF9 carries into the next one's test, which is after the first non-digit anyway. */
JSON_INLINE unsigned json_digit_run8(uint64_t word)
{
    uint64_t t = (word & UINT64_C(0xF0F0F0F0F0F0F0F0)) |
                 (((word + UINT64_C(0x0606060606060606)) & UINT64_C(0xF0F0F0F0F0F0F0F0)) >> 4);
    t ^= UINT64_C(0x3333333333333333);
    return t ? (unsigned)__builtin_ctzll(t) >> 3 : 8;
}

/* The value of the first k (1..8) bytes of `word`, all digits: the bytes after them are
 * shifted out, zeros come in as leading digits, then pairs, quads and the eight are combined
 * with three multiplications. */
JSON_INLINE uint64_t json_digits_value8(uint64_t word, unsigned k)
{
    uint64_t v = (word - UINT64_C(0x3030303030303030)) << (8 * (8 - k));
    v = v * 10 + (v >> 8);
    v = (((v & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32))) +
         (((v >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32)))) >>
        32;
    return v & 0xFFFFFFFFu;
}

extern const uint64_t tn_json_pow10_u64[20]; /* 10^0 .. 10^19 */

/* Scans a number starting at p (p[0] is '-' or a digit). Returns the byte after it or NULL. */
JSON_INLINE const char *json_scan_number(const char *p, const char *end, json_num *num, json_err *e)
{
    const char *start = p;
    uint64_t m = 0;
    int digits = 0; /* significant digits accumulated in m */
    int32_t exp10 = 0;
    bool truncated = false;
    num->negative = false;
    num->is_int = true;
    if (*p == '-') {
        num->negative = true;
        p++;
        if (p >= end) return json_fail_end(e, p, "a number needs digits after '-'");
    }
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        /* Up to eight digits at once; a longer run goes on in the loop below. */
        if (end - p >= 8) {
            uint64_t word = json_load8(p);
            unsigned k = json_digit_run8(word);
            m = json_digits_value8(word, k);
            digits = (int)k;
            p += k;
        }
        while (p < end && (unsigned)(*p - '0') <= 9) {
            if (digits < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                digits++;
            } else {
                truncated = true;
                if (exp10 < 1000000000) exp10++; /* a billion digits is out of range anyway */
            }
            p++;
        }
    } else {
        return json_fail(e, p, "a number needs digits");
    }
    if (p < end && *p == '.') {
        p++;
        num->is_int = false;
        if (p >= end) return json_fail_end(e, p, "a number needs digits after '.'");
        if ((unsigned)(*p - '0') > 9) return json_fail(e, p, "a number needs digits after '.'");
        /* A short fraction that keeps the mantissa within 19 digits in one step; leading
         * zeros then need no special case (0 * 10^k + digits). */
        if (end - p >= 8 && digits <= 11) {
            uint64_t word = json_load8(p);
            unsigned k = json_digit_run8(word);
            if (k < 8) {
                m = m * tn_json_pow10_u64[k] + json_digits_value8(word, k);
                digits += (int)k;
                exp10 -= (int32_t)k;
                p += k;
            }
        }
        while (p < end && (unsigned)(*p - '0') <= 9) {
            unsigned d = (unsigned)(*p - '0');
            if (m == 0 && d == 0) {
                if (exp10 > -1000000000) exp10--; /* leading zeros are not significant */
            } else if (digits < 19) {
                m = m * 10 + d;
                digits++;
                exp10--;
            } else if (d != 0) {
                truncated = true;
            }
            p++;
        }
    }
    if (p < end && (*p | 0x20) == 'e') {
        p++;
        num->is_int = false;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p >= end) return json_fail_end(e, p, "a number needs digits in its exponent");
        if ((unsigned)(*p - '0') > 9)
            return json_fail(e, p, "a number needs digits in its exponent");
        int32_t ex = 0;
        while (p < end && (unsigned)(*p - '0') <= 9) {
            if (ex < 100000000) ex = ex * 10 + (*p - '0');
            p++;
        }
        int64_t e64 = eneg ? (int64_t)exp10 - ex : (int64_t)exp10 + ex;
        exp10 = e64 > 2000000000 ? 2000000000 : e64 < -2000000000 ? -2000000000 : (int32_t)e64;
    }
    num->text = start;
    num->len = (size_t)(p - start);
    num->mantissa = m;
    num->exp10 = exp10;
    num->truncated = truncated;
    return p;
}

/* The integer value of an integer literal, when it fits in int64. */
static inline bool json_num_int64(const json_num *num, int64_t *out)
{
    if (!num->is_int || num->truncated) return false;
    if (num->negative) {
        if (num->mantissa > (uint64_t)INT64_MAX + 1) return false;
        *out = (int64_t)(0 - num->mantissa);
        return true;
    }
    if (num->mantissa > (uint64_t)INT64_MAX) return false;
    *out = (int64_t)num->mantissa;
    return true;
}

/* The number as a double, correctly rounded; overflow gives +-infinity, underflow +-0. */
double tn_json_num_double(const json_num *num);

extern const double tn_json_exact_pow10[23]; /* 1e0 .. 1e22, all exact doubles */

/* tn_json_num_double with its common case inline: a mantissa up to 2^53 and a power of ten
 * up to 22 are both exact, so one multiplication or division rounds correctly. */
JSON_INLINE double json_num_double(const json_num *num)
{
    if (!num->truncated && num->mantissa <= (UINT64_C(1) << 53) && num->exp10 >= -22 &&
        num->exp10 <= 22) {
        double v = (double)num->mantissa;
        v = num->exp10 >= 0 ? v * tn_json_exact_pow10[num->exp10]
                            : v / tn_json_exact_pow10[-num->exp10];
        return num->negative ? -v : v;
    }
    return tn_json_num_double(num);
}

/* ------------------------------------------------------------------------------------------
 * The validating scanner: checks one complete value starting at p (leading whitespace
 * allowed) and returns the byte after it, or NULL with *e set. Nesting is tracked on an
 * explicit stack, so deep input is an error (past TN_JSON_MAX_DEPTH - depth), never a stack
 * overflow. When `out` is not NULL the value is appended to it in compact form (no
 * whitespace; strings and numbers copied as written). *oom is set when appending failed.
 * ---------------------------------------------------------------------------------------- */

const char *tn_json_scan_value(const char *p, const char *end, int depth, tn_buf *out, bool *oom,
                               json_err *e);

/* Finds the end of the value starting at p (p at its first byte) by bracket counting only,
 * without validating it: the document reader uses it to know when a whole array element is
 * in memory. Returns NULL when the value does not end before `end`. */
const char *tn_json_find_value_end(const char *p, const char *end);

/* ------------------------------------------------------------------------------------------
 * Columns discovered in (or given to) a reader: the flattened key path, its inferred kinds
 * and final type, looked up by name through a hash table.
 * ---------------------------------------------------------------------------------------- */

/* Kinds of values seen for a column during sampling (bits). */
enum {
    JSON_KIND_NULL = 1u << 0,
    JSON_KIND_BOOL = 1u << 1,
    JSON_KIND_INT = 1u << 2,    /* integer literal within int64 */
    JSON_KIND_DOUBLE = 1u << 3, /* fraction, exponent, or an integer past int64 */
    JSON_KIND_DATE = 1u << 4,   /* string that is a DATE */
    JSON_KIND_TS = 1u << 5,     /* string that is a TIMESTAMP without zone */
    JSON_KIND_TSTZ = 1u << 6,   /* string that is a timestamp with a zone */
    JSON_KIND_STRING = 1u << 7, /* any other string */
    JSON_KIND_ARRAY = 1u << 8,
};

#define JSON_MAX_COLUMNS 4096

typedef struct json_col {
    char *name;      /* flattened key path, NUL-terminated (may hold a NUL of its own) */
    size_t name_len; /* bytes of the key path */
    uint32_t kinds;  /* JSON_KIND_* seen during sampling */
    bool plain;      /* name is printable ASCII without '"' or '\\': matched in place */
    tn_type type;    /* final type */
} json_col;

typedef struct json_cols {
    json_col *cols;
    uint32_t count;
    uint32_t cap;
    tn_hash *index;    /* key path -> (column index + 1) */
    bool warned_limit; /* logged that JSON_MAX_COLUMNS was reached */
} json_cols;

int tn_json_cols_init(json_cols *cols);
void tn_json_cols_free(json_cols *cols);
/* Appends a column (name copied). Returns its index or a negative code. */
int tn_json_cols_add(json_cols *cols, const char *name, size_t len);
/* Removes the columns from index `keep` on (a sampled row that turned out bad). */
void tn_json_cols_truncate(json_cols *cols, uint32_t keep);
/* The type a set of kinds widens to (VARCHAR when nothing but nulls was seen). */
tn_type tn_json_kinds_type(uint32_t kinds);

/* ------------------------------------------------------------------------------------------
 * The row parser: one JSON value (an NDJSON line, an array element or a whole document)
 * into one row. In INFER mode it records kinds and discovers columns; in LOAD mode it writes
 * straight into the vectors of `batch` with no per-value allocation.
 * ---------------------------------------------------------------------------------------- */

typedef enum json_row_mode {
    JSON_ROW_INFER = 0,
    JSON_ROW_LOAD = 1,
} json_row_mode;

typedef enum json_row_status {
    JSON_ROW_OK = 0,
    JSON_ROW_BLANK,      /* only whitespace */
    JSON_ROW_SYNTAX,     /* not valid JSON: syn holds where and why */
    JSON_ROW_TYPE,       /* a value does not fit its column: reason/reason_pos/reason_col */
    JSON_ROW_NOT_OBJECT, /* valid JSON, but records were expected */
    JSON_ROW_FATAL,      /* out of memory or a vector limit: fatal_code */
} json_row_status;

typedef struct json_obs {
    uint32_t col;
    uint32_t kind;
} json_obs;

typedef struct json_row {
    json_cols *cols; /* shared; read-only in LOAD mode */
    json_row_mode mode;
    bool records;    /* rows are objects (else the whole value goes to column 0) */
    tn_batch *batch; /* LOAD: the batch rows are appended to */
    uint64_t row_id; /* increases for every attempt; stamps columns set in a row */
    uint64_t *stamp; /* per column: row_id of the last row that set it */
    uint32_t stamp_cap;
    uint32_t set_count; /* distinct columns set in this row */
    uint32_t guess;     /* column expected for the next key */
    uint32_t cols_at_start;
    tn_buf scratch;                   /* unescaped strings */
    tn_buf key;                       /* unescaped keys */
    tn_buf path;                      /* flattened key prefix while inside nested objects */
    tn_buf text;                      /* compact JSON text of arrays and values */
    size_t prefix[TN_JSON_MAX_DEPTH]; /* per open object: its key-path prefix length */
    json_obs *obs;                    /* INFER: kinds seen in this row, merged when it is good */
    uint32_t obs_count;
    uint32_t obs_cap;
    unsigned top_kind; /* INFER: the first byte of the row's value */
    size_t *text_hint; /* LOAD: per column, the text bytes of the last full batch */
    uint32_t text_hint_count;
    bool one_line;     /* tn_json_row_parse_line: parsing up to the end of the segment */
    bool crossed_line; /* ... and whitespace inside the row held a newline */
    /* LOAD: the last timestamp minute and date parsed (see json_row.c) */
    uint64_t minute_text[2]; /* "YYYY-MM-DD HH:MM" */
    int64_t minute_micros;
    bool minute_known;
    bool day_known;
    uint64_t day_text[2]; /* "YYYY-MM-DD" (8 + 2 bytes) */
    int32_t day_number;
    /* results */
    json_err syn;
    const char *reason_pos;
    int reason_col;
    char reason[256];
    int fatal_code;
    /* Workers' json_rows sit side by side in one array: keep a cache line between them so
     * neighbours never share one (false sharing). */
    char cache_line_gap[64];
} json_row;

int tn_json_row_init(json_row *row, json_cols *cols, json_row_mode mode, bool records);
void tn_json_row_free(json_row *row);
/* Parses the value in [p, end) (surrounding whitespace allowed, nothing else) as one row.
 * LOAD mode appends to row->batch (which must have room) on JSON_ROW_OK and leaves it
 * unchanged otherwise. */
json_row_status tn_json_row_parse(json_row *row, const char *p, const char *end);

/* Parses the NDJSON line that starts at p and ends at the first '\n' in [p, end) (or at
 * end) as tn_json_row_parse would, and sets *line_end to that '\n' (or end). */
json_row_status tn_json_row_parse_line(json_row *r, const char *p, const char *end,
                                       const char **line_end);

/* Formats `s` for a reject reason: quoted, cut to a readable length. */
void tn_json_quote_for_message(const char *s, size_t n, char *out, size_t out_size);

/* ------------------------------------------------------------------------------------------
 * The plugin's callbacks (json_read.c, json_write.c), assembled in json_format.c.
 * ---------------------------------------------------------------------------------------- */

int tn_json_reader_open(const char *path, const tn_read_options *opts, void **state, tn_error *err);
const tn_schema *tn_json_reader_schema(void *state);
int tn_json_reader_next(void *state, tn_batch **out, tn_error *err);
int tn_json_reader_describe(void *state, tn_buf *json);
int64_t tn_json_reader_rejected(void *state);
void tn_json_reader_close(void *state);

int tn_json_writer_open(const char *path, const tn_schema *schema, const tn_write_options *opts,
                        void **state, tn_error *err);
int tn_json_writer_write(void *state, const tn_batch *batch, tn_error *err);
int tn_json_writer_finish(void *state, tn_error *err);
void tn_json_writer_abort(void *state);

#endif /* TN_JSON_INT_H */
