/* SPDX-License-Identifier: Apache-2.0
 *
 * String functions of the registry: || and concat, lower/upper (with the simple case mapping
 * of Latin, Greek and Cyrillic letters), length, substring, left/right, trim family, lpad/rpad,
 * replace, reverse, repeat, split_part, starts_with/ends_with/contains, position/strpos,
 * LIKE/ILIKE with escapes, and the PCRE2
 * regular expressions (regexp_matches, regexp_replace; the compiled pattern is cached per call
 * site when the pattern is the same as the previous row's). Lengths and positions count
 * characters (UTF-8 code points), as PostgreSQL does.
 */
#include "sql/func/func.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define STR(a, i) tn_vector_get_str((a).vec, (a).sel[i])

static int append(tn_vector *out, uint32_t row, const char *p, size_t n)
{
    return tn_vector_append_str(out, row, p, n);
}

/* Byte offset of character `chars` in s (clamped to the end). */
static size_t utf8_advance(tn_str s, int64_t chars)
{
    size_t i = 0;
    while (i < s.len && chars > 0) {
        i++;
        while (i < s.len && ((unsigned char)s.ptr[i] & 0xC0) == 0x80)
            i++;
        chars--;
    }
    return i;
}

static int64_t utf8_length(tn_str s)
{
    int64_t n = 0;
    for (size_t i = 0; i < s.len; i++)
        n += ((unsigned char)s.ptr[i] & 0xC0) != 0x80;
    return n;
}

static int concat_op(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                     tn_vector *out)
{
    tn_buf buf = TN_BUF_INIT;
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        tn_str x = STR(a[0], i), y = STR(a[1], i);
        tn_buf_clear(&buf);
        rc = tn_buf_append(&buf, x.ptr, x.len);
        if (rc == 0)
            rc = tn_buf_append(&buf, y.ptr, y.len);
        if (rc == 0)
            rc = append(out, i, buf.data ? buf.data : "", buf.len);
    }
    tn_buf_free(&buf);
    return rc;
}

/* concat(...) skips NULL arguments and is never NULL. */
static int concat_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                     tn_vector *out)
{
    tn_buf buf = TN_BUF_INIT;
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        tn_buf_clear(&buf);
        for (uint32_t k = 0; k < c && rc == 0; k++) {
            if (!tn_vector_is_valid(a[k].vec, a[k].sel[i]))
                continue;
            tn_str s = STR(a[k], i);
            rc = tn_buf_append(&buf, s.ptr, s.len);
        }
        if (rc == 0)
            rc = append(out, i, buf.data ? buf.data : "", buf.len);
    }
    tn_buf_free(&buf);
    return rc;
}

/* The simple one-to-one case mapping of a code point where it keeps its UTF-8 length:
 * ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic (what PostgreSQL's upper/lower do per
 * character in a UTF-8 database). Characters without such a mapping (ß, ſ, ı) stay. */
static uint32_t case_map_cp(uint32_t c, bool upper)
{
    if (upper) {
        if (c >= 'a' && c <= 'z')
            return c - 32;
        if (c < 0x80)
            return c;
        if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
            return c - 0x20;
        if (c == 0xFF)
            return 0x178;
        if ((c > 0x100 && c <= 0x137) || (c > 0x14A && c <= 0x177))
            return c & 1 ? c - 1 : c;
        if ((c >= 0x13A && c <= 0x148) || (c >= 0x17A && c <= 0x17E))
            return c & 1 ? c : c - 1;
        if (c >= 0x3B1 && c <= 0x3CB)
            return c == 0x3C2 ? 0x3A3 : c - 0x20;
        if (c == 0x3AC)
            return 0x386;
        if (c >= 0x3AD && c <= 0x3AF)
            return c - 0x25;
        if (c == 0x3CC)
            return 0x38C;
        if (c == 0x3CD || c == 0x3CE)
            return c - 0x3F;
        if (c >= 0x430 && c <= 0x44F)
            return c - 0x20;
        if (c >= 0x450 && c <= 0x45F)
            return c - 0x50;
        if (c > 0x460 && c <= 0x481)
            return c & 1 ? c - 1 : c;
        return c;
    }
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c < 0x80)
        return c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 0x20;
    if (c == 0x178)
        return 0xFF;
    if ((c >= 0x100 && c < 0x137) || (c >= 0x14A && c < 0x177))
        return c & 1 ? c : c + 1;
    if ((c >= 0x139 && c < 0x148) || (c >= 0x179 && c < 0x17E))
        return c & 1 ? c + 1 : c;
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
        return c + 0x20;
    if (c == 0x386)
        return 0x3AC;
    if (c >= 0x388 && c <= 0x38A)
        return c + 0x25;
    if (c == 0x38C)
        return 0x3CC;
    if (c == 0x38E || c == 0x38F)
        return c + 0x3F;
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if (c >= 0x460 && c < 0x481)
        return c & 1 ? c : c + 1;
    return c;
}

/* Maps the case of UTF-8 text in place (the mapping keeps every character's length). */
static void case_map_utf8(char *text, size_t len, bool upper)
{
    unsigned char *p = (unsigned char *)text;
    for (size_t k = 0; k < len; k++) {
        if (p[k] < 0x80) {
            p[k] = (unsigned char)case_map_cp(p[k], upper);
        } else if ((p[k] & 0xE0) == 0xC0 && k + 1 < len && (p[k + 1] & 0xC0) == 0x80) {
            uint32_t c = ((uint32_t)(p[k] & 0x1F) << 6) | (p[k + 1] & 0x3F);
            uint32_t m = case_map_cp(c, upper);
            if (m >= 0x80 && m < 0x800) {
                p[k] = (unsigned char)(0xC0 | (m >> 6));
                p[k + 1] = (unsigned char)(0x80 | (m & 0x3F));
            }
            k++;
        }
    }
}

static int case_map(uint32_t n, const tn_exec_arg *a, tn_vector *out, bool upper)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        tn_str s = STR(a[0], i);
        int rc = append(out, i, s.ptr, s.len);
        if (rc)
            return rc;
        case_map_utf8(out->data + out->offsets[i], s.len, upper);
    }
    return 0;
}

static int lower_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                    tn_vector *out)
{
    return case_map(n, a, out, false);
}

static int upper_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                    tn_vector *out)
{
    return case_map(n, a, out, true);
}

static int length_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                     tn_vector *out)
{
    int64_t *r = tn_vector_i64(out);
    for (uint32_t i = 0; i < n; i++)
        r[i] = tn_vector_is_valid(out, i) ? utf8_length(STR(a[0], i)) : 0;
    return 0;
}

/* substring(s, start[, count]) with PostgreSQL's rules: positions before 1 eat into count. */
static int substring_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                        tn_vector *out)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        tn_str s = STR(a[0], i);
        int64_t start = ((const int64_t *)a[1].vec->values)[a[1].sel[i]];
        int64_t end = INT64_MAX;
        if (c > 2) {
            int64_t count = ((const int64_t *)a[2].vec->values)[a[2].sel[i]];
            if (count < 0)
                return tn_error_set_at(ctx->err, TN_EINVAL, NULL, ctx->pos.line,
                                       ctx->pos.column, "negative substring length not allowed");
            end = start > INT64_MAX - count ? INT64_MAX : start + count;
        }
        if (start < 1)
            start = 1;
        size_t b0 = 0, b1 = 0;
        if (end > start) {
            b0 = utf8_advance(s, start - 1);
            tn_str rest = tn_str_make(s.ptr + b0, s.len - b0);
            b1 = b0 + (end == INT64_MAX ? rest.len : utf8_advance(rest, end - start));
        }
        int rc = append(out, i, s.ptr + b0, b1 - b0);
        if (rc)
            return rc;
    }
    return 0;
}

static bool in_set(tn_str set, char ch)
{
    return memchr(set.ptr, ch, set.len) != NULL;
}

static int trim_impl(uint32_t n, const tn_exec_arg *a, uint32_t c, tn_vector *out, bool left,
                     bool right)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        tn_str s = STR(a[0], i);
        tn_str set = c > 1 ? STR(a[1], i) : TN_STR_LIT(" ");
        size_t b = 0, e = s.len;
        while (left && b < e && in_set(set, s.ptr[b]))
            b++;
        while (right && e > b && in_set(set, s.ptr[e - 1]))
            e--;
        int rc = append(out, i, s.ptr + b, e - b);
        if (rc)
            return rc;
    }
    return 0;
}

static int trim_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    return trim_impl(n, a, c, out, true, true);
}
static int ltrim_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                    tn_vector *out)
{
    return trim_impl(n, a, c, out, true, false);
}
static int rtrim_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                    tn_vector *out)
{
    return trim_impl(n, a, c, out, false, true);
}

static int replace_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                      tn_vector *out)
{
    tn_buf buf = TN_BUF_INIT;
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        tn_str s = STR(a[0], i), from = STR(a[1], i), to = STR(a[2], i);
        if (from.len == 0) {
            rc = append(out, i, s.ptr, s.len);
            continue;
        }
        tn_buf_clear(&buf);
        size_t k = 0;
        while (k < s.len && rc == 0) {
            if (k + from.len <= s.len && memcmp(s.ptr + k, from.ptr, from.len) == 0) {
                rc = tn_buf_append(&buf, to.ptr, to.len);
                k += from.len;
            } else {
                rc = tn_buf_putc(&buf, s.ptr[k++]);
            }
        }
        if (rc == 0)
            rc = append(out, i, buf.data ? buf.data : "", buf.len);
    }
    tn_buf_free(&buf);
    return rc;
}

static int split_part_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                         tn_vector *out)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        tn_str s = STR(a[0], i), d = STR(a[1], i);
        int64_t idx = ((const int64_t *)a[2].vec->values)[a[2].sel[i]];
        const char *res = "";
        size_t res_len = 0;
        if (idx >= 1) {
            if (d.len == 0) {
                if (idx == 1) {
                    res = s.ptr;
                    res_len = s.len;
                }
            } else {
                size_t start = 0;
                int64_t part = 1;
                for (size_t k = 0; k <= s.len; k++) {
                    bool at_delim = k + d.len <= s.len && memcmp(s.ptr + k, d.ptr, d.len) == 0;
                    if (at_delim || k == s.len) {
                        if (part == idx) {
                            res = s.ptr + start;
                            res_len = k - start;
                            break;
                        }
                        part++;
                        if (at_delim) {
                            k += d.len - 1;
                            start = k + 1;
                        }
                    }
                }
            }
        }
        int rc = append(out, i, res, res_len);
        if (rc)
            return rc;
    }
    return 0;
}

static int starts_with_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                          tn_vector *out)
{
    for (uint32_t i = 0; i < n; i++) {
        tn_str s = STR(a[0], i), p = STR(a[1], i);
        tn_vector_set_bool(out, i, p.len <= s.len && memcmp(s.ptr, p.ptr, p.len) == 0);
    }
    return 0;
}

static int position_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                       tn_vector *out)
{
    int64_t *r = tn_vector_i64(out);
    for (uint32_t i = 0; i < n; i++) {
        tn_str needle = STR(a[0], i), hay = STR(a[1], i);
        r[i] = 0;
        if (!tn_vector_is_valid(out, i))
            continue;
        for (size_t k = 0; k + needle.len <= hay.len; k++) {
            if (memcmp(hay.ptr + k, needle.ptr, needle.len) == 0) {
                r[i] = utf8_length(tn_str_make(hay.ptr, k)) + 1;
                break;
            }
        }
    }
    return 0;
}

/* strpos(s, sub) and instr: position with the arguments the other way round. */
static int strpos_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                     tn_vector *out)
{
    tn_exec_arg swapped[2] = {a[1], a[0]};
    return position_fn(ctx, n, swapped, c, out);
}

static int contains_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                       tn_vector *out)
{
    for (uint32_t i = 0; i < n; i++) {
        tn_str s = STR(a[0], i), p = STR(a[1], i);
        bool found = p.len == 0;
        for (size_t k = 0; !found && k + p.len <= s.len; k++)
            found = memcmp(s.ptr + k, p.ptr, p.len) == 0;
        tn_vector_set_bool(out, i, found);
    }
    return 0;
}

static int ends_with_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                        tn_vector *out)
{
    for (uint32_t i = 0; i < n; i++) {
        tn_str s = STR(a[0], i), p = STR(a[1], i);
        tn_vector_set_bool(out, i,
                           p.len <= s.len && memcmp(s.ptr + s.len - p.len, p.ptr, p.len) == 0);
    }
    return 0;
}

/* left(s, n) / right(s, n): the first / last n characters; a negative n drops |n| characters
 * from the other end, as in PostgreSQL. */
static int left_right(uint32_t n, const tn_exec_arg *a, tn_vector *out, bool left)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        tn_str s = STR(a[0], i);
        int64_t len = utf8_length(s), k = tn_vector_i64(a[1].vec)[a[1].sel[i]];
        int64_t keep = k >= 0 ? (k < len ? k : len) : (len + k > 0 ? len + k : 0);
        size_t from = left ? 0 : utf8_advance(s, len - keep);
        size_t to = left ? utf8_advance(s, keep) : s.len;
        int rc = append(out, i, s.ptr + from, to - from);
        if (rc)
            return rc;
    }
    return 0;
}

static int left_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    return left_right(n, a, out, true);
}

static int right_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                    tn_vector *out)
{
    return left_right(n, a, out, false);
}

/* reverse(s) by characters. */
static int reverse_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                      tn_vector *out)
{
    tn_buf buf = TN_BUF_INIT;
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        tn_str s = STR(a[0], i);
        tn_buf_clear(&buf);
        size_t end = s.len;
        while (end > 0 && rc == 0) {
            size_t start = end - 1;
            while (start > 0 && ((unsigned char)s.ptr[start] & 0xC0) == 0x80)
                start--;
            rc = tn_buf_append(&buf, s.ptr + start, end - start);
            end = start;
        }
        if (rc == 0)
            rc = append(out, i, buf.data ? buf.data : "", buf.len);
    }
    tn_buf_free(&buf);
    return rc;
}

/* repeat(s, n): s n times; n <= 0 gives ''. */
static int repeat_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                     tn_vector *out)
{
    tn_buf buf = TN_BUF_INIT;
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        tn_str s = STR(a[0], i);
        int64_t times = tn_vector_i64(a[1].vec)[a[1].sel[i]];
        if (times > 0 && s.len && (uint64_t)times > ((uint64_t)1 << 30) / s.len) {
            tn_buf_free(&buf);
            return tn_error_set_at(ctx->err, TN_ELIMIT, NULL, ctx->pos.line, ctx->pos.column,
                                   "repeat: the result would pass 1 GiB");
        }
        tn_buf_clear(&buf);
        for (int64_t k = 0; k < times && rc == 0; k++)
            rc = tn_buf_append(&buf, s.ptr, s.len);
        if (rc == 0)
            rc = append(out, i, buf.data ? buf.data : "", buf.len);
    }
    tn_buf_free(&buf);
    return rc;
}

/* lpad/rpad(s, length[, fill]): s cut or filled (with fill repeated, default ' ') to length
 * characters, as in PostgreSQL. */
static int pad(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c, tn_vector *out,
               bool left)
{
    tn_buf buf = TN_BUF_INIT;
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        tn_str s = STR(a[0], i);
        tn_str fill = c > 2 ? STR(a[2], i) : tn_str_make(" ", 1);
        int64_t want = tn_vector_i64(a[1].vec)[a[1].sel[i]], len = utf8_length(s);
        if (want < 0)
            want = 0;
        if (want > (1 << 28)) {
            tn_buf_free(&buf);
            return tn_error_set_at(ctx->err, TN_ELIMIT, NULL, ctx->pos.line, ctx->pos.column,
                                   "pad: the requested length is too large");
        }
        tn_buf_clear(&buf);
        if (want <= len || fill.len == 0) {
            size_t cut = utf8_advance(s, want < len ? want : len);
            rc = append(out, i, s.ptr, cut);
            continue;
        }
        int64_t missing = want - len, fill_chars = utf8_length(fill);
        if (!left)
            rc = tn_buf_append(&buf, s.ptr, s.len);
        for (int64_t k = 0; k < missing && rc == 0; k += fill_chars) {
            int64_t take = missing - k < fill_chars ? missing - k : fill_chars;
            rc = tn_buf_append(&buf, fill.ptr, utf8_advance(fill, take));
        }
        if (left && rc == 0)
            rc = tn_buf_append(&buf, s.ptr, s.len);
        if (rc == 0)
            rc = append(out, i, buf.data ? buf.data : "", buf.len);
    }
    tn_buf_free(&buf);
    return rc;
}

static int lpad_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    return pad(ctx, n, a, c, out, true);
}

static int rpad_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    return pad(ctx, n, a, c, out, false);
}

/* ---- LIKE ------------------------------------------------------------------------------- */

static int fold(int ch, bool nocase)
{
    return nocase && ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

/* Iterative matcher with one backtrack point for the last %, linear for typical patterns.
 * `_` matches one character (a UTF-8 sequence). Returns 1 on match, 0 on no match, -1 when
 * the pattern ends with the escape character. */
int tn_func_like_match(tn_str text, tn_str pat, int escape, bool nocase)
{
    size_t t = 0, p = 0, star_p = SIZE_MAX, star_t = 0;
    while (t < text.len) {
        if (p < pat.len) {
            int pc = (unsigned char)pat.ptr[p];
            if (pc == '%' && pc != escape) {
                star_p = ++p;
                star_t = t;
                continue;
            }
            if (pc == '_' && pc != escape) {
                p++;
                t++;
                while (t < text.len && ((unsigned char)text.ptr[t] & 0xC0) == 0x80)
                    t++;
                continue;
            }
            size_t plen = 1;
            if (pc == escape) {
                if (p + 1 >= pat.len)
                    return -1;
                pc = (unsigned char)pat.ptr[p + 1];
                plen = 2;
            }
            if (fold(pc, nocase) == fold((unsigned char)text.ptr[t], nocase)) {
                p += plen;
                t++;
                continue;
            }
        }
        if (star_p == SIZE_MAX)
            return 0;
        p = star_p;
        t = ++star_t;
    }
    while (p < pat.len && pat.ptr[p] == '%' && escape != '%')
        p++;
    return p == pat.len;
}

/* The shape of a LIKE pattern without '_' and without the escape character, decided once per
 * pattern: its '%' wildcards split it into literal segments, matched with memcmp and memmem
 * (the same bytes the general matcher would compare, since '%' then is the only wildcard). */
typedef enum like_shape {
    LIKE_GENERAL,  /* '_' or the escape character: tn_func_like_match */
    LIKE_EQUAL,    /* no '%': the text is the pattern */
    LIKE_PREFIX,   /* 'abc%' */
    LIKE_SUFFIX,   /* '%abc' */
    LIKE_CONTAINS, /* '%abc%' */
    LIKE_SEGMENTS, /* 'a%b%c' and every other mix: anchored ends, segments in order between */
} like_shape;

typedef struct like_cache {
    char *pattern;     /* the pattern as written (case folded for ILIKE) */
    size_t pattern_len;
    int escape;
    bool nocase;
    bool ascii;        /* ILIKE: the pattern is ASCII, so the text needs only ASCII folding */
    like_shape shape;
    tn_str *segments;  /* literal runs between '%'s (LIKE_SEGMENTS), into pattern */
    size_t segment_count;
    bool anchor_start; /* the pattern does not start with '%' */
    bool anchor_end;   /* the pattern does not end with '%' */
    tn_buf folded;     /* ILIKE: the current row's text, case folded */
    const char *key_ptr; /* the pattern bytes last seen in this vector, for a pointer check */
} like_cache;

static void like_cache_free(void *data)
{
    like_cache *lc = data;
    if (!lc)
        return;
    tn_free(lc->pattern);
    tn_free(lc->segments);
    tn_buf_free(&lc->folded);
    tn_free(lc);
}

/* Splits the (folded) pattern into its '%'-separated segments and picks the shape. */
static int like_plan(like_cache *lc)
{
    const char *p = lc->pattern;
    size_t n = lc->pattern_len;
    lc->shape = LIKE_GENERAL;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '_' || (unsigned char)p[i] == lc->escape)
            return 0;
    lc->anchor_start = n == 0 || p[0] != '%';
    lc->anchor_end = n == 0 || p[n - 1] != '%';
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && p[i] == '%')
            i++;
        if (i == n)
            break;
        count++;
        while (i < n && p[i] != '%')
            i++;
    }
    lc->segments = tn_calloc(count ? count : 1, sizeof *lc->segments);
    if (!lc->segments)
        return TN_ENOMEM;
    for (size_t i = 0; i < n;) {
        while (i < n && p[i] == '%')
            i++;
        if (i == n)
            break;
        size_t start = i;
        while (i < n && p[i] != '%')
            i++;
        lc->segments[lc->segment_count++] = tn_str_make(p + start, i - start);
    }
    bool has_wildcard = memchr(p, '%', n) != NULL;
    if (!has_wildcard)
        lc->shape = LIKE_EQUAL;
    else if (count == 1 && lc->anchor_start && !lc->anchor_end &&
             lc->segments[0].len + 1 == n)
        lc->shape = LIKE_PREFIX;
    else if (count == 1 && !lc->anchor_start && lc->anchor_end && lc->segments[0].len + 1 == n)
        lc->shape = LIKE_SUFFIX;
    else if (count == 1 && !lc->anchor_start && !lc->anchor_end &&
             lc->segments[0].len + 2 == n)
        lc->shape = LIKE_CONTAINS;
    else
        lc->shape = LIKE_SEGMENTS;
    return 0;
}

/* The cached plan for this pattern, escape and case mode, made afresh when they change. */
static int like_get(tn_func_ctx *ctx, tn_str pat, int esc, bool nocase, like_cache **out)
{
    like_cache *lc = ctx->cache->data;
    if (lc && lc->key_ptr == pat.ptr && lc->pattern_len == pat.len && lc->escape == esc &&
        lc->nocase == nocase) {
        *out = lc;
        return 0;
    }
    bool same = false;
    if (lc && lc->escape == esc && lc->nocase == nocase && lc->pattern_len == pat.len) {
        if (!nocase) {
            same = memcmp(lc->pattern, pat.ptr, pat.len) == 0;
        } else {
            /* the stored pattern is folded: compare with a folded copy */
            tn_buf_clear(&lc->folded);
            if (tn_buf_append(&lc->folded, pat.ptr, pat.len) != 0)
                return TN_ENOMEM;
            if (pat.len)
                case_map_utf8(lc->folded.data, pat.len, false);
            same = pat.len == 0 || memcmp(lc->pattern, lc->folded.data, pat.len) == 0;
        }
    }
    if (same) {
        lc->key_ptr = pat.ptr;
        *out = lc;
        return 0;
    }
    tn_func_cache_clear(ctx->cache);
    lc = tn_calloc(1, sizeof *lc);
    if (!lc)
        return TN_ENOMEM;
    lc->pattern = tn_malloc(pat.len + 1);
    if (!lc->pattern) {
        like_cache_free(lc);
        return TN_ENOMEM;
    }
    memcpy(lc->pattern, pat.ptr, pat.len);
    lc->pattern_len = pat.len;
    lc->escape = esc;
    lc->nocase = nocase;
    lc->ascii = true;
    for (size_t i = 0; i < pat.len; i++)
        if ((unsigned char)pat.ptr[i] >= 0x80)
            lc->ascii = false;
    if (nocase)
        case_map_utf8(lc->pattern, pat.len, false);
    if (like_plan(lc) != 0) {
        like_cache_free(lc);
        return TN_ENOMEM;
    }
    lc->key_ptr = pat.ptr;
    ctx->cache->data = lc;
    ctx->cache->free_fn = like_cache_free;
    *out = lc;
    return 0;
}

/* The first occurrence of s in [t, t + len), or NULL. Short texts are scanned with memchr on
 * the segment's first byte and memcmp, which costs less than memmem's set-up; the product
 * bounds the quadratic worst case, past it memmem's linear search takes over. */
static const char *find_segment(const char *t, size_t len, tn_str s)
{
    if (s.len > len)
        return NULL;
    if ((uint64_t)len * s.len > 65536)
        return memmem(t, len, s.ptr, s.len);
    const char *last = t + (len - s.len);
    while (t <= last) {
        const char *hit = memchr(t, s.ptr[0], (size_t)(last - t) + 1);
        if (!hit)
            return NULL;
        if (memcmp(hit + 1, s.ptr + 1, s.len - 1) == 0)
            return hit;
        t = hit + 1;
    }
    return NULL;
}

/* The first occurrence of s (at least one byte) in [t, t + len), or NULL, for long texts: 16
 * positions at a time are kept only where both the first and the last byte of s match (two
 * compares and an AND), and only those are compared in full. */
static const char *find_bytes(const char *t, size_t len, tn_str s)
{
    if (s.len > len)
        return NULL;
    if (s.len == 1)
        return memchr(t, s.ptr[0], len);
#if defined(__SSE2__)
    const __m128i first = _mm_set1_epi8(s.ptr[0]), last = _mm_set1_epi8(s.ptr[s.len - 1]);
    size_t i = 0;
    for (; i + 16 + s.len - 1 <= len; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(t + i + s.len - 1));
        unsigned mask = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));
        while (mask) {
            unsigned bit = (unsigned)__builtin_ctz(mask);
            if (memcmp(t + i + bit + 1, s.ptr + 1, s.len - 2) == 0)
                return t + i + bit;
            mask &= mask - 1;
        }
    }
    return find_segment(t + i, len - i, s);
#else
    return memmem(t, len, s.ptr, s.len);
#endif
}

/* LIKE '%literal%' over rows of a text vector given in increasing order (sel): the rows'
 * bytes are contiguous, so the literal is searched for once over all of them and each hit is
 * mapped back to its row through the offsets; a hit that spans two rows is no match and the
 * search resumes at the start of the later row. Sets bit i of out for each matching row i. */
static void like_contains_rows(const tn_vector *v, const uint32_t *sel, uint32_t n, tn_str s,
                               tn_vector *out)
{
    const int32_t *off = v->offsets;
    const char *data = v->data;
    if (n == 0 || !data)
        return;
    size_t pos = (size_t)off[sel[0]], end = (size_t)off[sel[n - 1] + 1];
    uint32_t i = 0;
    while (i < n && pos < end) {
        const char *hit = find_bytes(data + pos, end - pos, s);
        if (!hit)
            break;
        size_t at = (size_t)(hit - data), hit_end = at + s.len;
        while (i < n && (size_t)off[sel[i] + 1] < hit_end)
            i++;
        if (i == n)
            break;
        size_t row_start = (size_t)off[sel[i]];
        if (at >= row_start) {
            tn_vector_set_bool(out, i, true);
            i++;
            pos = i < n ? (size_t)off[sel[i]] : end;
        } else {
            pos = row_start;
        }
    }
}

/* Whether sel lists rows in strictly increasing order (a filter's or the identity). */
static bool sel_increasing(const uint32_t *sel, uint32_t n)
{
    if (sel == tn_exec_identity)
        return true;
    if (sel == tn_exec_zeros)
        return n <= 1;
    uint32_t bad = 0;
    for (uint32_t i = 1; i < n; i++)
        bad |= sel[i] <= sel[i - 1];
    return bad == 0;
}

/* Whether the text matches a pattern of '%'-separated segments: the first and last segments
 * anchored when the pattern does not start or end with '%', the others found left to right
 * (the leftmost occurrence of each leaves the most room for the rest). */
static bool like_segments(const like_cache *lc, tn_str text)
{
    const char *t = text.ptr;
    size_t len = text.len;
    size_t first = 0, last = lc->segment_count;
    if (lc->anchor_start && last > 0) {
        tn_str s = lc->segments[0];
        if (s.len > len || memcmp(t, s.ptr, s.len) != 0)
            return false;
        t += s.len;
        len -= s.len;
        first = 1;
    }
    if (lc->anchor_end && last > first) {
        tn_str s = lc->segments[last - 1];
        if (s.len > len || memcmp(t + len - s.len, s.ptr, s.len) != 0)
            return false;
        len -= s.len;
        last--;
    }
    for (size_t k = first; k < last; k++) {
        tn_str s = lc->segments[k];
        const char *hit = find_segment(t, len, s);
        if (!hit)
            return false;
        len -= (size_t)(hit - t) + s.len;
        t = hit + s.len;
    }
    return true;
}

static bool like_fast(const like_cache *lc, tn_str text)
{
    tn_str s = lc->segment_count ? lc->segments[0] : tn_str_make("", 0);
    switch (lc->shape) {
    case LIKE_EQUAL:
        return text.len == lc->pattern_len &&
               (text.len == 0 || memcmp(text.ptr, lc->pattern, text.len) == 0);
    case LIKE_PREFIX:
        return text.len >= s.len && memcmp(text.ptr, s.ptr, s.len) == 0;
    case LIKE_SUFFIX:
        return text.len >= s.len && memcmp(text.ptr + text.len - s.len, s.ptr, s.len) == 0;
    case LIKE_CONTAINS:
        return find_segment(text.ptr, text.len, s) != NULL;
    default:
        return like_segments(lc, text);
    }
}

/* The text as the pattern sees it under ILIKE: case folded into lc->folded. An ASCII pattern
 * can only match ASCII bytes literally, and the case mapping never turns a non-ASCII letter
 * into ASCII or changes byte lengths, so ASCII folding alone gives the same answer. */
static int like_fold_text(like_cache *lc, tn_str *text)
{
    tn_buf_clear(&lc->folded);
    if (tn_buf_append(&lc->folded, text->ptr, text->len) != 0)
        return TN_ENOMEM;
    char *d = lc->folded.data;
    if (lc->ascii) {
        for (size_t i = 0; i < text->len; i++)
            d[i] = (char)(d[i] >= 'A' && d[i] <= 'Z' ? d[i] + 32 : d[i]);
    } else {
        case_map_utf8(d, text->len, false);
    }
    *text = tn_str_make(d ? d : "", text->len);
    return 0;
}

static int like_impl(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                     tn_vector *out, bool nocase)
{
    like_cache *lc = ctx->cache->data;
    if (lc)
        lc->key_ptr = NULL; /* pattern bytes of an earlier vector may have been reused */
    if (!nocase && c == 2 && n > 0 && a[1].sel == tn_exec_zeros &&
        tn_vector_is_valid(a[1].vec, 0)) {
        /* one pattern for the whole vector: '%literal%' is one search over all the rows */
        int rc = like_get(ctx, STR(a[1], 0), '\\', false, &lc);
        if (rc)
            return rc;
        if (lc->shape == LIKE_CONTAINS && sel_increasing(a[0].sel, n)) {
            like_contains_rows(a[0].vec, a[0].sel, n, lc->segments[0], out);
            return 0;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        int esc = -1;
        if (c > 2) {
            tn_str e = STR(a[2], i);
            if (e.len > 1)
                return tn_error_set_at(ctx->err, TN_EINVAL, NULL, ctx->pos.line, ctx->pos.column,
                                       "invalid escape string: it must be empty or one character");
            esc = e.len ? (unsigned char)e.ptr[0] : -1;
        } else {
            esc = '\\';
        }
        if (nocase && esc >= 'A' && esc <= 'Z')
            esc += 32;
        int rc = like_get(ctx, STR(a[1], i), esc, nocase, &lc);
        if (rc)
            return rc;
        tn_str text = STR(a[0], i);
        if (nocase && (rc = like_fold_text(lc, &text)) != 0)
            return rc;
        if (lc->shape != LIKE_GENERAL) {
            tn_vector_set_bool(out, i, like_fast(lc, text));
            continue;
        }
        int m = tn_func_like_match(text, tn_str_make(lc->pattern, lc->pattern_len), esc, false);
        if (m < 0)
            return tn_error_set_at(ctx->err, TN_EINVAL, NULL, ctx->pos.line, ctx->pos.column,
                                   "LIKE pattern must not end with the escape character");
        tn_vector_set_bool(out, i, m == 1);
    }
    return 0;
}

static int like_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    return like_impl(ctx, n, a, c, out, false);
}

static int ilike_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                    tn_vector *out)
{
    return like_impl(ctx, n, a, c, out, true);
}

/* ---- regular expressions ---------------------------------------------------------------- */

typedef struct regex_cache {
    pcre2_code *code;
    pcre2_match_data *match;
    char *pattern;
    size_t pattern_len;
} regex_cache;

static void regex_cache_free(void *data)
{
    regex_cache *rc = data;
    if (!rc)
        return;
    pcre2_match_data_free(rc->match);
    pcre2_code_free(rc->code);
    tn_free(rc->pattern);
    tn_free(rc);
}

static int regex_get(tn_func_ctx *ctx, tn_str pattern, regex_cache **out)
{
    regex_cache *rc = ctx->cache->data;
    if (rc && rc->pattern_len == pattern.len && memcmp(rc->pattern, pattern.ptr, pattern.len) == 0) {
        *out = rc;
        return 0;
    }
    tn_func_cache_clear(ctx->cache);
    rc = tn_calloc(1, sizeof *rc);
    if (!rc)
        return TN_ENOMEM;
    int errcode;
    PCRE2_SIZE erroff;
    rc->code = pcre2_compile((PCRE2_SPTR)pattern.ptr, pattern.len, PCRE2_UTF, &errcode, &erroff,
                             NULL);
    if (!rc->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        regex_cache_free(rc);
        return tn_error_set_at(ctx->err, TN_EINVAL, NULL, ctx->pos.line, ctx->pos.column,
                               "invalid regular expression at offset %zu: %s", (size_t)erroff,
                               (const char *)msg);
    }
    rc->match = pcre2_match_data_create_from_pattern(rc->code, NULL);
    rc->pattern = tn_malloc(pattern.len + 1);
    if (!rc->match || !rc->pattern) {
        regex_cache_free(rc);
        return TN_ENOMEM;
    }
    memcpy(rc->pattern, pattern.ptr, pattern.len);
    rc->pattern_len = pattern.len;
    ctx->cache->data = rc;
    ctx->cache->free_fn = regex_cache_free;
    *out = rc;
    return 0;
}

static int regexp_matches_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                             tn_vector *out)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        regex_cache *re;
        int rc = regex_get(ctx, STR(a[1], i), &re);
        if (rc)
            return rc;
        tn_str s = STR(a[0], i);
        int m = pcre2_match(re->code, (PCRE2_SPTR)s.ptr, s.len, 0, 0, re->match, NULL);
        tn_vector_set_bool(out, i, m >= 0);
    }
    return 0;
}

static int regexp_replace_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                             tn_vector *out)
{
    char stack[1024];
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        regex_cache *re;
        int rc = regex_get(ctx, STR(a[1], i), &re);
        if (rc)
            return rc;
        tn_str s = STR(a[0], i), rep = STR(a[2], i);
        uint32_t opts = PCRE2_SUBSTITUTE_OVERFLOW_LENGTH;
        if (c > 3) {
            tn_str flags = STR(a[3], i);
            if (memchr(flags.ptr, 'g', flags.len))
                opts |= PCRE2_SUBSTITUTE_GLOBAL;
        }
        /* PostgreSQL writes back-references as \1; PCRE2 wants $1. */
        tn_buf r = TN_BUF_INIT;
        for (size_t k = 0; k < rep.len; k++) {
            if (rep.ptr[k] == '\\' && k + 1 < rep.len && rep.ptr[k + 1] >= '0' && rep.ptr[k + 1] <= '9') {
                tn_buf_putc(&r, '$');
                tn_buf_putc(&r, rep.ptr[++k]);
            } else if (rep.ptr[k] == '$') {
                tn_buf_append(&r, "$$", 2);
            } else {
                tn_buf_putc(&r, rep.ptr[k]);
            }
        }
        PCRE2_SIZE len = sizeof stack;
        char *buf = stack;
        int m = pcre2_substitute(re->code, (PCRE2_SPTR)s.ptr, s.len, 0, opts, re->match, NULL,
                                 (PCRE2_SPTR)(r.data ? r.data : ""), r.len, (PCRE2_UCHAR *)buf,
                                 &len);
        if (m == PCRE2_ERROR_NOMEMORY) {
            buf = tn_malloc(len + 1);
            if (!buf) {
                tn_buf_free(&r);
                return TN_ENOMEM;
            }
            m = pcre2_substitute(re->code, (PCRE2_SPTR)s.ptr, s.len, 0, opts, re->match, NULL,
                                 (PCRE2_SPTR)(r.data ? r.data : ""), r.len, (PCRE2_UCHAR *)buf,
                                 &len);
        }
        tn_buf_free(&r);
        if (m < 0) {
            if (buf != stack)
                tn_free(buf);
            return tn_error_set_at(ctx->err, TN_EINVAL, NULL, ctx->pos.line, ctx->pos.column,
                                   "regexp_replace failed (code %d)", m);
        }
        rc = append(out, i, buf, len);
        if (buf != stack)
            tn_free(buf);
        if (rc)
            return rc;
    }
    return 0;
}

#define V TN_TYPE_VARCHAR
#define B TN_TYPE_BOOLEAN
#define I64 TN_TYPE_BIGINT

const tn_func_entry tn_func_string_entries[] = {
    {"||", 2, 2, {V, V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, concat_op, false},
    {"concat", 1, 255, {V}, TN_FUNC_RET_FIXED, V, TN_FUNC_SPECIAL, concat_fn, false},
    {"lower", 1, 1, {V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, lower_fn, false},
    {"upper", 1, 1, {V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, upper_fn, false},
    {"lcase", 1, 1, {V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, lower_fn, false},
    {"ucase", 1, 1, {V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, upper_fn, false},
    {"length", 1, 1, {V}, TN_FUNC_RET_FIXED, I64, TN_FUNC_STRICT, length_fn, false},
    {"char_length", 1, 1, {V}, TN_FUNC_RET_FIXED, I64, TN_FUNC_STRICT, length_fn, false},
    {"character_length", 1, 1, {V}, TN_FUNC_RET_FIXED, I64, TN_FUNC_STRICT, length_fn, false},
    {"substring", 2, 3, {V, I64, I64}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, substring_fn, false},
    {"substr", 2, 3, {V, I64, I64}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, substring_fn, false},
    {"trim", 1, 2, {V, V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, trim_fn, false},
    {"ltrim", 1, 2, {V, V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, ltrim_fn, false},
    {"rtrim", 1, 2, {V, V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, rtrim_fn, false},
    {"replace", 3, 3, {V, V, V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, replace_fn, false},
    {"split_part", 3, 3, {V, V, I64}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, split_part_fn, false},
    {"starts_with", 2, 2, {V, V}, TN_FUNC_RET_FIXED, B, TN_FUNC_STRICT, starts_with_fn, false},
    {"position", 2, 2, {V, V}, TN_FUNC_RET_FIXED, I64, TN_FUNC_STRICT, position_fn, false},
    {"strpos", 2, 2, {V, V}, TN_FUNC_RET_FIXED, I64, TN_FUNC_STRICT, strpos_fn, false},
    {"instr", 2, 2, {V, V}, TN_FUNC_RET_FIXED, I64, TN_FUNC_STRICT, strpos_fn, false},
    {"contains", 2, 2, {V, V}, TN_FUNC_RET_FIXED, B, TN_FUNC_STRICT, contains_fn, false},
    {"ends_with", 2, 2, {V, V}, TN_FUNC_RET_FIXED, B, TN_FUNC_STRICT, ends_with_fn, false},
    {"left", 2, 2, {V, I64}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, left_fn, false},
    {"right", 2, 2, {V, I64}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, right_fn, false},
    {"reverse", 1, 1, {V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, reverse_fn, false},
    {"repeat", 2, 2, {V, I64}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, repeat_fn, false},
    {"lpad", 2, 3, {V, I64, V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, lpad_fn, false},
    {"rpad", 2, 3, {V, I64, V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, rpad_fn, false},
    {"like", 2, 3, {V, V, V}, TN_FUNC_RET_FIXED, B, TN_FUNC_STRICT, like_fn, false},
    {"ilike", 2, 3, {V, V, V}, TN_FUNC_RET_FIXED, B, TN_FUNC_STRICT, ilike_fn, false},
    {"regexp_matches", 2, 2, {V, V}, TN_FUNC_RET_FIXED, B, TN_FUNC_STRICT, regexp_matches_fn, false},
    {"regexp_replace", 3, 4, {V, V, V, V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, regexp_replace_fn, false},
    {NULL, 0, 0, {0}, 0, 0, 0, NULL, false},
};
