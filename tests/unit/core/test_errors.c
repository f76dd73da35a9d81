/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for core errors, strings (including the UTF-8 validator) and growable buffers.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"

/* ---- errors ---------------------------------------------------------------------------- */

Test(errors, strerror_and_names)
{
    cr_assert_str_eq(tn_strerror(TN_ENOMEM), "out of memory");
    cr_assert_str_eq(tn_strerror(TN_EINTERNAL), "internal error");
    cr_assert_str_eq(tn_strerror(TN_EPARSE), "parse error");
    cr_assert_str_eq(tn_strerror(-9999), "unknown error");
    cr_assert_str_eq(tn_strerror(5), "unknown error");
    cr_assert_str_eq(tn_error_name(0), "OK");
    cr_assert_str_eq(tn_error_name(TN_ENOMEM), "ENOMEM");
    cr_assert_str_eq(tn_error_name(TN_ECONFLICT), "ECONFLICT");
    cr_assert_str_eq(tn_error_name(TN_EINTERNAL), "EINTERNAL");
    /* every code is negative, distinct and named */
    int codes[] = {
#define CODE(name, msg) TN_##name,
        TN_ERRNO_MAP(CODE)
#undef CODE
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        cr_assert_lt(codes[i], 0);
        cr_assert_str_neq(tn_strerror(codes[i]), "unknown error");
        for (size_t j = 0; j < i; j++)
            cr_assert_neq(codes[i], codes[j]);
    }
}

Test(errors, set_and_format)
{
    tn_error err = {0};
    cr_assert_eq(tn_error_set(&err, TN_EPARSE, "bad value '%s'", "x"), TN_EPARSE);
    cr_assert_eq(err.code, TN_EPARSE);
    cr_assert_str_eq(err.message, "bad value 'x'");
    char out[256];
    cr_assert_str_eq(tn_error_format(&err, out, sizeof out), "bad value 'x'");

    cr_assert_eq(tn_error_set_at(&err, TN_EPARSE, "data.csv", 12, 3, "unterminated quote"),
                 TN_EPARSE);
    tn_error_set_key(&err, "price");
    cr_assert_str_eq(err.key, "price");
    cr_assert_str_eq(tn_error_format(&err, out, sizeof out), "data.csv:12:3: unterminated quote");
    tn_error_set_at(&err, TN_EIO, "data.csv", 12, 0, "x");
    cr_assert_str_eq(tn_error_format(&err, out, sizeof out), "data.csv:12: x");
    cr_assert_str_eq(err.key, "", "set clears the key");
    tn_error_set_at(&err, TN_EIO, "data.csv", 0, 0, "x");
    cr_assert_str_eq(tn_error_format(&err, out, sizeof out), "data.csv: x");
    tn_error_set_at(&err, TN_EIO, NULL, 7, 2, "x");
    cr_assert_str_eq(tn_error_format(&err, out, sizeof out), "line 7:2: x");

    /* a later set clears the location */
    tn_error_set(&err, TN_EINVAL, "plain");
    cr_assert_str_eq(err.file, "");
    cr_assert_eq(err.line, 0);
    cr_assert_str_eq(tn_error_format(&err, out, sizeof out), "plain");

    /* small output buffers truncate */
    char tiny[4];
    cr_assert_str_eq(tn_error_format(&err, tiny, sizeof tiny), "pla");

    tn_error_clear(&err);
    cr_assert_eq(err.code, 0);
    cr_assert_str_eq(err.message, "");
}

Test(errors, null_error_is_allowed)
{
    cr_assert_eq(tn_error_set(NULL, TN_EIO, "ignored %d", 1), TN_EIO);
    cr_assert_eq(tn_error_set_at(NULL, TN_EIO, "f", 1, 1, "ignored"), TN_EIO);
    tn_error_set_key(NULL, "k");
    tn_error_clear(NULL);
}

Test(errors, long_messages_truncate)
{
    tn_error err = {0};
    char big[5000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tn_error_set_at(&err, TN_EIO, big, 1, 1, "%s", big);
    cr_assert_eq(strlen(err.message), sizeof err.message - 1);
    cr_assert_eq(strlen(err.file), sizeof err.file - 1);
    tn_error_set_key(&err, big);
    cr_assert_eq(strlen(err.key), sizeof err.key - 1);
    char out[1024];
    tn_error_format(&err, out, sizeof out);
    cr_assert_eq(strlen(out), sizeof out - 1);
    cr_assert_eq(strncmp(out, big, 511), 0, "the file comes first");
}

/* ---- strings --------------------------------------------------------------------------- */

Test(str, helpers)
{
    cr_assert(tn_str_eq(TN_STR_LIT("abc"), tn_str_c("abc")));
    cr_assert(!tn_str_eq(TN_STR_LIT("abc"), tn_str_c("abd")));
    cr_assert(tn_str_eq(tn_str_c(NULL), TN_STR_LIT("")));
    cr_assert(tn_str_eq_nocase(TN_STR_LIT("HeLLo"), TN_STR_LIT("hello")));
    cr_assert(!tn_str_eq_nocase(TN_STR_LIT("hello"), TN_STR_LIT("hell")));
    cr_assert(!tn_str_eq_nocase(TN_STR_LIT("h\xc3\xa9"), TN_STR_LIT("H\xc3\x89")),
              "only ASCII folds");
    cr_assert_lt(tn_str_cmp(TN_STR_LIT("ab"), TN_STR_LIT("abc")), 0);
    cr_assert_gt(tn_str_cmp(TN_STR_LIT("abd"), TN_STR_LIT("abc")), 0);
    cr_assert_gt(tn_str_cmp(TN_STR_LIT("\xff"), TN_STR_LIT("a")), 0, "bytes are unsigned");
    cr_assert_eq(tn_str_cmp(TN_STR_LIT(""), TN_STR_LIT("")), 0);
    tn_str t = tn_str_trim(TN_STR_LIT(" \t\r\n x y \n"));
    cr_assert(tn_str_eq(t, TN_STR_LIT("x y")));
    cr_assert_eq(tn_str_trim(TN_STR_LIT("   ")).len, 0);
    cr_assert(tn_str_has_suffix_nocase("data.CSV", ".csv"));
    cr_assert(tn_str_has_suffix_nocase("a.csv.gz", ".CSV.GZ"));
    cr_assert(!tn_str_has_suffix_nocase("csv", ".csv"));
    cr_assert(tn_str_has_suffix_nocase("x", ""));
}

typedef struct utf8_case {
    const char *bytes;
    size_t len;
    size_t invalid_at; /* == len when valid */
} utf8_case;

#define VALID(s) {s, sizeof(s) - 1, sizeof(s) - 1}
#define INVALID(s, at) {s, sizeof(s) - 1, at}

static const utf8_case utf8_cases[] = {
    VALID(""),
    VALID("plain ascii"),
    VALID("\x00\x7f"),
    VALID("\xc2\x80"),                 /* U+0080 */
    VALID("caf\xc3\xa9"),              /* é */
    VALID("\xdf\xbf"),                 /* U+07FF */
    VALID("\xe0\xa0\x80"),             /* U+0800 */
    VALID("\xe2\x82\xac"),             /* € */
    VALID("\xed\x9f\xbf"),             /* U+D7FF, last before the surrogates */
    VALID("\xee\x80\x80"),             /* U+E000, first after */
    VALID("\xef\xbf\xbf"),             /* U+FFFF */
    VALID("\xf0\x90\x80\x80"),         /* U+10000 */
    VALID("\xf0\x9f\x98\x80"),         /* emoji */
    VALID("\xf4\x8f\xbf\xbf"),         /* U+10FFFF */
    VALID("a\xc3\xa9" "bcdefghijklmnopqrstuvwxyz\xe2\x82\xac"),
    INVALID("\x80", 0),                /* lone continuation */
    INVALID("\xbf", 0),
    INVALID("\xc0\x80", 0),            /* overlong NUL */
    INVALID("\xc1\xbf", 0),            /* overlong */
    INVALID("\xe0\x80\x80", 0),        /* overlong 3-byte */
    INVALID("\xe0\x9f\xbf", 0),        /* overlong U+07FF */
    INVALID("\xf0\x80\x80\x80", 0),    /* overlong 4-byte */
    INVALID("\xf0\x8f\xbf\xbf", 0),    /* overlong U+FFFF */
    INVALID("\xed\xa0\x80", 0),        /* U+D800 surrogate */
    INVALID("\xed\xbf\xbf", 0),        /* U+DFFF surrogate */
    INVALID("\xed\xa0\x80\xed\xb0\x80", 0), /* CESU-8 surrogate pair */
    INVALID("\xf4\x90\x80\x80", 0),    /* U+110000 */
    INVALID("\xf5\x80\x80\x80", 0),
    INVALID("\xf8\x88\x80\x80\x80", 0),
    INVALID("\xfe", 0),
    INVALID("\xff", 0),
    INVALID("\xc3", 0),                /* truncated */
    INVALID("\xe2\x82", 0),
    INVALID("\xf0\x90\x80", 0),
    INVALID("abc\xc3", 3),
    INVALID("\xc3\x41", 0),            /* bad continuation */
    INVALID("\xe2\x28\xa1", 0),
    INVALID("\xf0\x90\x28\xbc", 0),
    INVALID("\xc3\xa9\xc3\xa9\x80", 4),
    INVALID("0123456789abcdef0123456789abcdef\xff", 32),
    INVALID("0123456789abcdef01234567\xc3\xa9" "89abcdef\xed\xa0\x80xyz", 34),
};

Test(str, utf8_table)
{
    for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
        const utf8_case *c = &utf8_cases[i];
        size_t at = tn_utf8_invalid_offset(c->bytes, c->len);
        cr_assert_eq(at, c->invalid_at, "case %zu: offset %zu, expected %zu", i, at,
                     c->invalid_at);
        cr_assert_eq(tn_utf8_valid(c->bytes, c->len), c->invalid_at == c->len, "case %zu", i);
    }
}

Test(str, utf8_offset_at_every_position)
{
    /* The invalid byte at each position of a long ASCII run exercises the 16- and 8-byte paths
     * and the byte tail at every alignment. */
    char s[80];
    for (size_t n = 1; n <= sizeof s; n++) {
        for (size_t at = 0; at < n; at++) {
            memset(s, 'a', n);
            s[at] = (char)0x80;
            cr_assert_eq(tn_utf8_invalid_offset(s, n), at, "n=%zu at=%zu", n, at);
        }
        memset(s, 'a', n);
        cr_assert(tn_utf8_valid(s, n));
    }
}

/* A slow reference: decode each code point and check its range. */
static size_t reference_invalid_offset(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += len;
    }
    return n;
}

Test(str, utf8_matches_reference_on_random_input)
{
    static const unsigned char alphabet[] = {'a',  'z',  0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f,
                                             0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1,
                                             0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4,
                                             0xf5, 0xff};
    unsigned char s[48];
    uint64_t state = 12345;
    for (int iter = 0; iter < 200000; iter++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t n = (size_t)(state >> 58) % sizeof s;
        for (size_t k = 0; k < n; k++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            /* mostly ASCII so that valid prefixes are long enough to matter */
            unsigned r = (unsigned)(state >> 40);
            s[k] = (r & 3) ? (unsigned char)('a' + (r >> 8) % 26)
                           : alphabet[(r >> 8) % sizeof alphabet];
        }
        size_t want = reference_invalid_offset(s, n);
        cr_assert_eq(tn_utf8_invalid_offset((const char *)s, n), want, "iteration %d", iter);
    }
}

/* ---- buffers --------------------------------------------------------------------------- */

Test(buf, append_and_grow)
{
    tn_buf b = TN_BUF_INIT;
    cr_assert_str_eq(tn_buf_cstr(&b), "");
    for (int i = 0; i < 10000; i++) {
        cr_assert_eq(tn_buf_putc(&b, (char)('a' + i % 26)), 0);
        cr_assert_gt(b.cap, b.len, "room for the NUL is kept");
    }
    cr_assert_eq(b.len, 10000);
    cr_assert_eq(tn_buf_append(&b, "XYZ", 3), 0);
    cr_assert_eq(tn_buf_append_cstr(&b, "!"), 0);
    cr_assert_eq(tn_buf_append(&b, NULL, 0), 0);
    const char *s = tn_buf_cstr(&b);
    cr_assert_eq(strlen(s), 10004);
    cr_assert_eq(memcmp(s + 10000, "XYZ!", 5), 0);
    cr_assert_eq(s[25], 'z');
    tn_buf_clear(&b);
    cr_assert_str_eq(tn_buf_cstr(&b), "");
    tn_buf_free(&b);
    cr_assert_null(b.data);
    cr_assert_eq(b.len, 0);
    tn_buf_free(&b);
}

Test(buf, printf)
{
    tn_buf b = TN_BUF_INIT;
    cr_assert_eq(tn_buf_printf(&b, "%d-%s", 42, "x"), 0);
    cr_assert_str_eq(tn_buf_cstr(&b), "42-x");
    char big[3000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cr_assert_eq(tn_buf_printf(&b, "[%s]", big), 0);
    cr_assert_eq(b.len, 4 + 2 + 2999);
    cr_assert_eq(b.data[5], 'q');
    cr_assert_eq(b.data[b.len - 1], ']');
    cr_assert_eq(tn_buf_printf(&b, "%s", ""), 0);
    cr_assert_eq(b.len, 4 + 2 + 2999);
    tn_buf_free(&b);
}

Test(buf, detach)
{
    tn_buf b = TN_BUF_INIT;
    size_t len = 99;
    char *empty = tn_buf_detach(&b, &len);
    cr_assert_not_null(empty);
    cr_assert_eq(len, 0);
    cr_assert_str_eq(empty, "");
    tn_free(empty);
    tn_buf_append_cstr(&b, "hello");
    char *s = tn_buf_detach(&b, &len);
    cr_assert_str_eq(s, "hello");
    cr_assert_eq(len, 5);
    cr_assert_null(b.data);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(b.cap, 0);
    tn_free(s);
}

static void check_json(const char *in, size_t n, const char *want)
{
    tn_buf b = TN_BUF_INIT;
    tn_buf_append_cstr(&b, "=");
    cr_assert_eq(tn_buf_append_json_string(&b, in, n), 0);
    cr_assert_eq(b.len, strlen(want) + 1);
    cr_assert_str_eq(tn_buf_cstr(&b) + 1, want);
    tn_buf_free(&b);
}

Test(buf, json_string)
{
    check_json("", 0, "\"\"");
    check_json("plain", 5, "\"plain\"");
    check_json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    check_json("\n\t\r\b\f", 5, "\"\\n\\t\\r\\b\\f\"");
    check_json("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"");
    check_json("x\0y", 3, "\"x\\u0000y\"");
    check_json("/", 1, "\"/\"");
    check_json("caf\xc3\xa9 \xff", 7, "\"caf\xc3\xa9 \xff\"");
    /* a long run with one escape in the middle */
    char in[1000];
    memset(in, 'k', sizeof in);
    in[500] = '"';
    tn_buf b = TN_BUF_INIT;
    cr_assert_eq(tn_buf_append_json_string(&b, in, sizeof in), 0);
    cr_assert_eq(b.len, sizeof in + 3);
    cr_assert_eq(b.data[501], '\\');
    cr_assert_eq(b.data[502], '"');
    tn_buf_free(&b);
}

Test(buf, out_of_memory_leaves_buffer_usable)
{
    tn_buf b = TN_BUF_INIT;
    tn_buf_append_cstr(&b, "keep");
    char big[500];
    memset(big, '\n', sizeof big);
    tn_alloc_fail_every(1);
    cr_assert_eq(tn_buf_append_json_string(&b, big, sizeof big), TN_ENOMEM);
    cr_assert_eq(tn_buf_printf(&b, "%0500d", 1), TN_ENOMEM);
    tn_alloc_fail_every(0);
    cr_assert_str_eq(tn_buf_cstr(&b), "keep");
    tn_buf_free(&b);
}
