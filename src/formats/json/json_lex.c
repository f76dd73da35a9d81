/* SPDX-License-Identifier: Apache-2.0
 *
 * The lexical layer of the JSON module, the parts too large to inline: escapes and their
 * decoding, number conversion, and the validating scanner that checks (and optionally
 * compacts) one whole value with an explicit nesting stack. The fast paths (string scanning,
 * number grammar) are inline in json_int.h.
 */
#include "formats/json/json_int.h"

#include <math.h>

/* '"', '\\', the controls below 0x20 and every byte >= 0x80 (validated as UTF-8). */
/* clang-format off */
#define SPECIAL_ROW16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
const uint8_t tn_json_string_special[256] = {
    SPECIAL_ROW16(1), SPECIAL_ROW16(1),               /* 0x00 - 0x1f */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0x20 - 0x2f: '"' */
    SPECIAL_ROW16(0),                                 /* 0x30 - 0x3f */
    SPECIAL_ROW16(0),                                 /* 0x40 - 0x4f */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,   /* 0x50 - 0x5f: '\\' */
    SPECIAL_ROW16(0), SPECIAL_ROW16(0),               /* 0x60 - 0x7f */
    SPECIAL_ROW16(1), SPECIAL_ROW16(1), SPECIAL_ROW16(1), SPECIAL_ROW16(1), /* 0x80 - 0xbf */
    SPECIAL_ROW16(1), SPECIAL_ROW16(1), SPECIAL_ROW16(1), SPECIAL_ROW16(1), /* 0xc0 - 0xff */
};
/* clang-format on */
#undef SPECIAL_ROW16

/* Checks one escape; see json_int.h. */
const char *tn_json_scan_escape(const char *p, const char *end, json_err *e)
{
    if (end - p < 2) return json_fail_end(e, p, "unterminated escape in a string");
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return p + 2;
    case 'u':
        break;
    default:
        return json_fail(e, p,
                         "invalid escape in a string (only \\\" \\\\ \\/ \\b \\f \\n \\r \\t "
                         "\\uXXXX exist)");
    }
    if (end - p < 6) {
        for (const char *h = p + 2; h < end; h++) {
            unsigned char c = (unsigned char)*h;
            if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')))
                return json_fail(e, p, "\\u needs 4 hex digits");
        }
        return json_fail_end(e, p, "\\u needs 4 hex digits");
    }
    int cp = json_hex4(p + 2);
    if (cp < 0) return json_fail(e, p, "\\u needs 4 hex digits");
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return json_fail(e, p, "lone low surrogate in a \\u escape (not valid Unicode)");
    if (cp < 0xD800 || cp > 0xDBFF) return p + 6;
    /* A high surrogate: the low half must follow at once. */
    if (end - p < 12) {
        if (end - p == 6 || (p[6] == '\\' && (end - p == 7 || p[7] == 'u')))
            return json_fail_end(e, p, "high surrogate without its low half");
        return json_fail(e, p, "high surrogate without its low half (not valid Unicode)");
    }
    if (p[6] != '\\' || p[7] != 'u')
        return json_fail(e, p, "high surrogate without its low half (not valid Unicode)");
    int lo = json_hex4(p + 8);
    if (lo < 0) return json_fail(e, p + 6, "\\u needs 4 hex digits");
    if (lo < 0xDC00 || lo > 0xDFFF)
        return json_fail(e, p, "high surrogate without its low half (not valid Unicode)");
    return p + 12;
}

static size_t put_utf8(char *out, uint32_t cp)
{
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

/* Decodes a validated string body; see json_int.h. */
size_t tn_json_unescape(const char *p, const char *q, char *out)
{
    char *o = out;
    while (p < q) {
        const char *bs = memchr(p, '\\', (size_t)(q - p));
        size_t run = (size_t)((bs ? bs : q) - p);
        memcpy(o, p, run);
        o += run;
        if (!bs) break;
        p = bs + 1;
        char c = *p++;
        switch (c) {
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            uint32_t cp = (uint32_t)json_hex4(p);
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo = (uint32_t)json_hex4(p + 2);
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o += put_utf8(o, cp);
            break;
        }
        default:
            *o++ = c;
            break; /* '"', '\\', '/' */
        }
    }
    return (size_t)(o - out);
}

/* 10^0 .. 10^19: every power of ten an uint64 holds. */
const uint64_t tn_json_pow10_u64[20] = {1u,
                                        10u,
                                        100u,
                                        1000u,
                                        10000u,
                                        100000u,
                                        1000000u,
                                        10000000u,
                                        100000000u,
                                        1000000000u,
                                        10000000000u,
                                        100000000000u,
                                        1000000000000u,
                                        10000000000000u,
                                        100000000000000u,
                                        1000000000000000u,
                                        10000000000000000u,
                                        100000000000000000u,
                                        1000000000000000000u,
                                        10000000000000000000u};

/* Powers of ten exactly representable as doubles. */
const double tn_json_exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Converts a scanned number; see json_int.h. */
double tn_json_num_double(const json_num *num)
{
    /* A mantissa below 2^53 and a power of ten up to 22 are both exact doubles, so one
     * multiplication or division is correctly rounded (the classic fast path). */
    if (!num->truncated && num->mantissa <= (1ull << 53) && num->exp10 >= -22 && num->exp10 <= 22) {
        double v = (double)num->mantissa;
        v = num->exp10 >= 0 ? v * tn_json_exact_pow10[num->exp10] : v / tn_json_exact_pow10[-num->exp10];
        return num->negative ? -v : v;
    }
    if (num->mantissa == 0) return num->negative ? -0.0 : 0.0;
    double v;
    if (tn_parse_double(num->text, num->len, &v)) return v;
    /* The text follows the grammar, so a refusal can only be a range problem. */
    int64_t magnitude = (int64_t)num->exp10 + 19;
    v = magnitude > 0 ? HUGE_VAL : 0.0;
    return num->negative ? -v : v;
}

static inline bool emit(tn_buf *out, bool *oom, const char *p, size_t n)
{
    if (!out) return true;
    if (tn_buf_append(out, p, n) != 0) {
        *oom = true;
        return false;
    }
    return true;
}

/* The validating scanner; see json_int.h. */
const char *tn_json_scan_value(const char *p, const char *end, int depth, tn_buf *out, bool *oom,
                               json_err *e)
{
    /* The nesting stack: '{' or '['. One byte per level keeps it on the C stack. */
    char stack[TN_JSON_MAX_DEPTH];
    int sp = 0;
    int room = TN_JSON_MAX_DEPTH - depth;
    const char *q;
    if (room < 0) room = 0;

value:
    p = json_skip_ws(p, end);
    if (p >= end) return json_fail_end(e, p, "expected a value");
    switch (*p) {
    case '{':
    case '[': {
        char open = *p;
        if (sp >= room) return json_fail(e, p, "nesting deeper than 1024 levels");
        stack[sp++] = open;
        if (!emit(out, oom, p, 1)) return json_fail(e, p, "out of memory");
        p = json_skip_ws(p + 1, end);
        if (p >= end) return json_fail_end(e, p, "unexpected end of input");
        if (*p == (open == '{' ? '}' : ']')) {
            if (!emit(out, oom, p, 1)) return json_fail(e, p, "out of memory");
            p++;
            sp--;
            goto after;
        }
        if (open == '{') goto key;
        goto value;
    }
    case '"': {
        bool escaped = false;
        q = json_scan_string(p + 1, end, &escaped, e);
        if (!q) return NULL;
        if (!emit(out, oom, p, (size_t)(q - p))) return json_fail(e, p, "out of memory");
        p = q;
        goto after;
    }
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': {
        json_num num;
        q = json_scan_number(p, end, &num, e);
        if (!q) return NULL;
        if (!emit(out, oom, p, (size_t)(q - p))) return json_fail(e, p, "out of memory");
        p = q;
        goto after;
    }
    case 't':
    case 'f':
    case 'n': {
        const char *word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
        size_t n = strlen(word);
        size_t avail = (size_t)(end - p);
        if (avail < n) {
            if (memcmp(p, word, avail) == 0) return json_fail_end(e, p, "unexpected end of input");
            return json_fail(e, p, "invalid literal (expected true, false or null)");
        }
        if (memcmp(p, word, n) != 0)
            return json_fail(e, p, "invalid literal (expected true, false or null)");
        if (!emit(out, oom, p, n)) return json_fail(e, p, "out of memory");
        p += n;
        goto after;
    }
    default:
        return json_fail(e, p,
                         "expected a value (object, array, string, number, true, false "
                         "or null)");
    }

key:
    if (*p != '"') return json_fail(e, p, "expected a string key");
    {
        bool escaped = false;
        q = json_scan_string(p + 1, end, &escaped, e);
        if (!q) return NULL;
        if (!emit(out, oom, p, (size_t)(q - p))) return json_fail(e, p, "out of memory");
        p = json_skip_ws(q, end);
        if (p >= end) return json_fail_end(e, p, "expected ':' after the key");
        if (*p != ':') return json_fail(e, p, "expected ':' after the key");
        if (!emit(out, oom, p, 1)) return json_fail(e, p, "out of memory");
        p++;
        goto value;
    }

after:
    if (sp == 0) return p;
    p = json_skip_ws(p, end);
    if (p >= end) return json_fail_end(e, p, "unexpected end of input");
    if (*p == ',') {
        if (!emit(out, oom, p, 1)) return json_fail(e, p, "out of memory");
        p = json_skip_ws(p + 1, end);
        if (p >= end) return json_fail_end(e, p, "unexpected end of input");
        if (stack[sp - 1] == '{') goto key;
        goto value;
    }
    if (*p == (stack[sp - 1] == '{' ? '}' : ']')) {
        if (!emit(out, oom, p, 1)) return json_fail(e, p, "out of memory");
        p++;
        sp--;
        goto after;
    }
    return json_fail(e, p,
                     stack[sp - 1] == '{' ? "expected ',' or '}' after an object member"
                                          : "expected ',' or ']' after an array item");
}

/* Bracket-counting end finder; see json_int.h. */
const char *tn_json_find_value_end(const char *p, const char *end)
{
    if (p >= end) return NULL;
    if (*p == '"') {
        p++;
        while (p < end) {
            if (*p == '\\') {
                if (end - p < 2) return NULL;
                p += 2;
                continue;
            }
            if (*p == '"') return p + 1;
            p++;
        }
        return NULL;
    }
    if (*p != '{' && *p != '[') {
        while (p < end && *p != ',' && *p != ']' && *p != '}' && !json_is_ws((unsigned char)*p))
            p++;
        return p < end ? p : NULL;
    }
    int64_t depth = 0;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            p++;
            while (p < end && *p != '"') {
                if (*p == '\\' && end - p < 2) return NULL;
                p += (*p == '\\') ? 2 : 1;
            }
            if (p >= end) return NULL;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) return p + 1;
        }
        p++;
    }
    return NULL;
}
