/* SPDX-License-Identifier: Apache-2.0
 *
 * The JSON document parser (json.h): the JSONTestSuite corpus (every y_ accepted, every n_
 * rejected, i_ verdicts printed), the documented choices for test_transform, accessors,
 * errors with line and column, the depth limit and the compact writer.
 */
#include <math.h>

#include "test_json_util.h"

static bool parse_ok(const char *data, size_t len)
{
    tn_error err = {0};
    tn_json_doc *doc = NULL;
    int rc = tn_json_parse(data, len, &doc, &err);
    tn_error verr = {0};
    int vrc = tn_json_validate(data, len, &verr);
    /* The tree parser and the validating scanner must agree on every input. */
    cr_assert_eq(rc == 0, vrc == 0, "parse %d (%s) vs validate %d (%s)", rc, err.message, vrc,
                 verr.message);
    if (rc == 0) {
        cr_assert_not_null(doc);
        /* The compact form of an accepted document parses again to the same text. */
        tn_buf out = TN_BUF_INIT;
        cr_assert_eq(tn_json_write(tn_json_root(doc), &out), 0);
        tn_json_doc *again = NULL;
        cr_assert_eq(tn_json_parse(out.data, out.len, &again, &err), 0, "%s: %s", out.data,
                     err.message);
        tn_buf out2 = TN_BUF_INIT;
        cr_assert_eq(tn_json_write(tn_json_root(again), &out2), 0);
        cr_assert_eq(out.len, out2.len);
        cr_assert(memcmp(out.data, out2.data, out.len) == 0);
        tn_buf_free(&out);
        tn_buf_free(&out2);
        tn_json_free(again);
    } else {
        cr_assert_null(doc);
        cr_assert_eq(rc, TN_EPARSE);
        cr_assert_gt(err.line, 0);
        cr_assert_gt(err.column, 0);
    }
    tn_json_free(doc);
    return rc == 0;
}

Test(json_parse, conformance_y_n_i)
{
    size_t count;
    char **names = jt_list(JT_PARSING_DIR, &count);
    cr_assert_gt(count, 300);
    int y = 0, n = 0, i_acc = 0, i_rej = 0;
    for (size_t k = 0; k < count; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", JT_PARSING_DIR, names[k]);
        size_t len;
        char *data = jt_slurp(path, &len);
        bool ok = parse_ok(data, len);
        if (names[k][0] == 'y') {
            cr_expect(ok, "%s must be accepted", names[k]);
            y++;
        } else if (names[k][0] == 'n') {
            cr_expect(!ok, "%s must be rejected", names[k]);
            n++;
        } else {
            fprintf(stderr, "json_parse verdict %s: %s\n", names[k], ok ? "accepted" : "rejected");
            if (ok)
                i_acc++;
            else
                i_rej++;
        }
        free(data);
        free(names[k]);
    }
    free(names);
    fprintf(stderr, "json_parse: %d y accepted, %d n rejected, i: %d accepted, %d rejected\n", y, n,
            i_acc, i_rej);
    cr_assert_eq(y, 95);
    cr_assert_eq(n, 188);
}

static tn_json_doc *parse_file(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", JT_TRANSFORM_DIR, name);
    size_t len;
    char *data = jt_slurp(path, &len);
    tn_json_doc *doc = NULL;
    tn_error err = {0};
    int rc = tn_json_parse(data, len, &doc, &err);
    free(data);
    return rc == 0 ? doc : NULL;
}

Test(json_parse, transform_numbers)
{
    tn_json_doc *doc;
    int64_t i;
    double d;

    doc = parse_file("number_-9223372036854775808.json");
    cr_assert(tn_json_int64(tn_json_at(tn_json_root(doc), 0), &i));
    cr_assert_eq(i, INT64_MIN);
    tn_json_free(doc);

    doc = parse_file("number_9223372036854775807.json");
    cr_assert(tn_json_int64(tn_json_at(tn_json_root(doc), 0), &i));
    cr_assert_eq(i, INT64_MAX);
    tn_json_free(doc);

    /* Past int64: still a number (a double), not an int64; the text is kept exactly. */
    const char *big[] = {"number_-9223372036854775809.json", "number_9223372036854775808.json",
                         "number_10000000000000000999.json"};
    const double big_values[] = {-9223372036854775809.0, 9223372036854775808.0,
                                 10000000000000000999.0};
    for (int k = 0; k < 3; k++) {
        doc = parse_file(big[k]);
        const tn_json *v = tn_json_at(tn_json_root(doc), 0);
        cr_assert_not_null(v);
        cr_assert(v->is_integer);
        cr_assert(!tn_json_int64(v, &i));
        cr_assert(tn_json_double(v, &d));
        cr_assert_eq(d, big_values[k]);
        tn_buf out = TN_BUF_INIT;
        tn_json_write(tn_json_root(doc), &out);
        char expect[64];
        snprintf(expect, sizeof expect, "[%.*s]", (int)(strlen(big[k]) - 12), big[k] + 7);
        cr_assert_str_eq(tn_buf_cstr(&out), expect);
        tn_buf_free(&out);
        tn_json_free(doc);
    }

    doc = parse_file("number_1.0.json");
    cr_assert(!tn_json_int64(tn_json_at(tn_json_root(doc), 0), &i));
    cr_assert(tn_json_double(tn_json_at(tn_json_root(doc), 0), &d));
    cr_assert_eq(d, 1.0);
    tn_json_free(doc);

    doc = parse_file("number_1.000000000000000005.json");
    cr_assert(tn_json_double(tn_json_at(tn_json_root(doc), 0), &d));
    cr_assert_eq(d, 1.0);
    tn_json_free(doc);

    doc = parse_file("number_1e-999.json");
    cr_assert(tn_json_double(tn_json_at(tn_json_root(doc), 0), &d));
    cr_assert_eq(d, 0.0);
    tn_json_free(doc);

    doc = parse_file("number_1e6.json");
    cr_assert(tn_json_double(tn_json_at(tn_json_root(doc), 0), &d));
    cr_assert_eq(d, 1e6);
    cr_assert(!tn_json_int64(tn_json_at(tn_json_root(doc), 0), &i));
    tn_json_free(doc);

    doc = parse_file("number_1000000000000000.json");
    cr_assert(tn_json_int64(tn_json_at(tn_json_root(doc), 0), &i));
    cr_assert_eq(i, 1000000000000000);
    tn_json_free(doc);

    /* Overflow of a double is accepted as infinity (the i_ huge exponent files). */
    tn_error err = {0};
    cr_assert_eq(tn_json_parse("[1e999,-1e999]", 14, &doc, &err), 0);
    cr_assert(tn_json_double(tn_json_at(tn_json_root(doc), 0), &d));
    cr_assert(isinf(d) && d > 0);
    cr_assert(tn_json_double(tn_json_at(tn_json_root(doc), 1), &d));
    cr_assert(isinf(d) && d < 0);
    tn_json_free(doc);
}

Test(json_parse, transform_keys_and_strings)
{
    tn_json_doc *doc;
    int64_t i;

    /* Duplicate keys: all kept in document order, lookups see the last. */
    doc = parse_file("object_same_key_different_values.json");
    cr_assert_eq(tn_json_count(tn_json_root(doc)), 2);
    cr_assert(tn_json_int64(tn_json_get(tn_json_root(doc), "a"), &i));
    cr_assert_eq(i, 2);
    tn_json_free(doc);

    doc = parse_file("object_same_key_unclear_values.json");
    double d = 1;
    cr_assert(tn_json_double(tn_json_get(tn_json_root(doc), "a"), &d));
    cr_assert(d == 0 && signbit(d));
    tn_json_free(doc);

    /* No Unicode normalisation: NFC and NFD keys are different keys. */
    doc = parse_file("object_key_nfc_nfd.json");
    cr_assert_str_eq(tn_json_cstr(tn_json_get(tn_json_root(doc), "\xc3\xa9")), "NFC");
    cr_assert_str_eq(tn_json_cstr(tn_json_get(tn_json_root(doc), "e\xcc\x81")), "NFD");
    tn_json_free(doc);

    /* An escaped NUL stays in the string; the length says where it ends. */
    doc = parse_file("string_with_escaped_NULL.json");
    tn_str s;
    cr_assert(tn_json_string(tn_json_at(tn_json_root(doc), 0), &s));
    cr_assert_eq(s.len, 3);
    cr_assert(memcmp(s.ptr, "A\0B", 3) == 0);
    tn_json_free(doc);

    /* Invalid code points, raw (surrogates encoded in UTF-8) or escaped (lone surrogates),
     * are rejected. */
    const char *bad[] = {
        "string_1_escaped_invalid_codepoint.json",  "string_1_invalid_codepoint.json",
        "string_2_escaped_invalid_codepoints.json", "string_2_invalid_codepoints.json",
        "string_3_escaped_invalid_codepoints.json", "string_3_invalid_codepoints.json"};
    for (int k = 0; k < 6; k++) cr_assert_null(parse_file(bad[k]), "%s", bad[k]);
}

Test(json_parse, accessors)
{
    const char *text = "{\"name\": \"tarn\", \"version\": 2, \"ratio\": 0.5, \"ok\": true,\n"
                       " \"none\": null, \"list\": [1, \"two\", [3]], \"nested\": {\"k\": \"v\"}}";
    tn_json_doc *doc = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_json_parse(text, strlen(text), &doc, &err), 0, "%s", err.message);
    const tn_json *root = tn_json_root(doc);
    cr_assert_eq(tn_json_type_of(root), TN_JSON_OBJECT);
    cr_assert_eq(tn_json_count(root), 7);
    cr_assert_str_eq(tn_json_cstr(tn_json_get(root, "name")), "tarn");
    int64_t i;
    cr_assert(tn_json_int64(tn_json_get(root, "version"), &i));
    cr_assert_eq(i, 2);
    double d;
    cr_assert(tn_json_double(tn_json_get(root, "ratio"), &d));
    cr_assert_eq(d, 0.5);
    bool b = false;
    cr_assert(tn_json_bool(tn_json_get(root, "ok"), &b));
    cr_assert(b);
    cr_assert(tn_json_is_null(tn_json_get(root, "none")));
    cr_assert(!tn_json_is_null(tn_json_get(root, "missing")));
    cr_assert_null(tn_json_get(root, "missing"));
    const tn_json *list = tn_json_get(root, "list");
    cr_assert_eq(tn_json_count(list), 3);
    cr_assert_str_eq(tn_json_cstr(tn_json_at(list, 1)), "two");
    cr_assert_null(tn_json_at(list, 3));
    cr_assert_str_eq(tn_json_cstr(tn_json_get(tn_json_get(root, "nested"), "k")), "v");
    /* Chained lookups through missing or mistyped values give NULL, not a crash. */
    cr_assert_null(tn_json_get(tn_json_get(root, "missing"), "k"));
    cr_assert_null(tn_json_get(tn_json_get(root, "name"), "k"));
    cr_assert(!tn_json_int64(tn_json_get(root, "name"), &i));
    tn_str key;
    const tn_json *v = tn_json_member_at(root, 1, &key);
    cr_assert_not_null(v);
    cr_assert_eq(key.len, 7);
    cr_assert(memcmp(key.ptr, "version", 7) == 0);
    tn_buf out = TN_BUF_INIT;
    cr_assert_eq(tn_json_write(root, &out), 0);
    cr_assert_str_eq(tn_buf_cstr(&out),
                     "{\"name\":\"tarn\",\"version\":2,\"ratio\":0.5,\"ok\":true,\"none\":null,"
                     "\"list\":[1,\"two\",[3]],\"nested\":{\"k\":\"v\"}}");
    tn_buf_free(&out);
    tn_json_free(doc);
    tn_json_free(NULL);
}

Test(json_parse, errors_have_line_and_column)
{
    const char *text = "{\n  \"a\": 1,\n  \"b\": tru\n}";
    tn_json_doc *doc = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_json_parse(text, strlen(text), &doc, &err), TN_EPARSE);
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.column, 8);
    cr_assert(strstr(err.message, "literal") != NULL, "%s", err.message);

    tn_error_clear(&err);
    cr_assert_eq(tn_json_validate("[1,]", 4, &err), TN_EPARSE);
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.column, 4);

    cr_assert_eq(tn_json_parse("", 0, &doc, &err), TN_EPARSE);
    cr_assert_eq(tn_json_parse("  ", 2, &doc, &err), TN_EPARSE);
    cr_assert_eq(tn_json_parse("{\"a\":1}x", 8, &doc, &err), TN_EPARSE);
    cr_assert(strstr(err.message, "after") != NULL, "%s", err.message);
    /* A byte order mark is not JSON text (RFC 8259 section 8.1). */
    cr_assert_eq(tn_json_parse("\xEF\xBB\xBF{}", 5, &doc, &err), TN_EPARSE);
}

Test(json_parse, depth_limit)
{
    size_t n = 200000;
    char *deep = malloc(n * 2);
    for (size_t k = 0; k < n; k++) {
        deep[k] = '[';
        deep[n * 2 - 1 - k] = ']';
    }
    tn_json_doc *doc = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_json_parse(deep, n * 2, &doc, &err), TN_EPARSE);
    cr_assert(strstr(err.message, "deeper") != NULL, "%s", err.message);
    cr_assert_eq(tn_json_validate(deep, n * 2, &err), TN_EPARSE);
    /* Exactly the limit is fine. */
    size_t m = TN_JSON_MAX_DEPTH;
    cr_assert_eq(tn_json_parse(deep + (n - m), m * 2, &doc, &err), 0, "%s", err.message);
    tn_json_free(doc);
    cr_assert_eq(tn_json_validate(deep + (n - m), m * 2, &err), 0);
    cr_assert_eq(tn_json_parse(deep + (n - m - 1), (m + 1) * 2, &doc, &err), TN_EPARSE);
    free(deep);
}

Test(json_parse, strings_and_escapes)
{
    const char *text =
        "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\\ud83d\\ude00\", \"\xc3\xa9\"]";
    tn_json_doc *doc = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_json_parse(text, strlen(text), &doc, &err), 0, "%s", err.message);
    tn_str s;
    cr_assert(tn_json_string(tn_json_at(tn_json_root(doc), 0), &s));
    cr_assert_eq(s.len, 8);
    cr_assert(memcmp(s.ptr, "\"\\/\b\f\n\r\t", 8) == 0);
    cr_assert_str_eq(tn_json_cstr(tn_json_at(tn_json_root(doc), 1)),
                     "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    tn_buf out = TN_BUF_INIT;
    tn_json_write(tn_json_root(doc), &out);
    tn_json_doc *again = NULL;
    cr_assert_eq(tn_json_parse(out.data, out.len, &again, &err), 0);
    cr_assert_str_eq(tn_json_cstr(tn_json_at(tn_json_root(again), 1)),
                     tn_json_cstr(tn_json_at(tn_json_root(doc), 1)));
    tn_buf_free(&out);
    tn_json_free(again);
    tn_json_free(doc);
    const char *bad[] = {"[\"\\x\"]",
                         "[\"\\u12\"]",
                         "[\"\\ud800\"]",
                         "[\"\\udc00\"]",
                         "[\"\\ud800\\u0041\"]",
                         "[\"a\tb\"]",
                         "[\"\xff\"]",
                         "[\"\xc0\xaf\"]",
                         "[\"\xed\xa0\x80\"]",
                         "[\"\xf4\x90\x80\x80\"]",
                         "[\"abc"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
        cr_assert_eq(tn_json_parse(bad[k], strlen(bad[k]), &doc, &err), TN_EPARSE, "%s", bad[k]);
}

Test(json_parse, fail_every_nth_allocation)
{
    const char *text = "{\"a\": [1, 2, {\"b\": \"x\\u00e9\"}], \"c\": {\"d\": [true, null, 1.5e3]},"
                       " \"e\": \"long string long string long string\"}";
    for (uint64_t n = 1; n <= 60; n++) {
        tn_alloc_fail_every(n);
        tn_json_doc *doc = NULL;
        tn_error err = {0};
        int rc = tn_json_parse(text, strlen(text), &doc, &err);
        tn_alloc_fail_every(0);
        cr_assert(rc == 0 || rc == TN_ENOMEM, "n=%llu rc=%d", (unsigned long long)n, rc);
        if (rc == 0) {
            tn_buf out = TN_BUF_INIT;
            cr_assert_eq(tn_json_write(tn_json_root(doc), &out), 0);
            tn_buf_free(&out);
        }
        tn_json_free(doc);
    }
}

Test(json_parse, extreme_numbers)
{
    tn_buf b = TN_BUF_INIT;
    tn_buf_append_cstr(&b,
                       "[1e2147483648, -1e-99999999999999999999, 1E+0000000000000000000001, 0.");
    for (int i = 0; i < 5000; i++) tn_buf_putc(&b, '0');
    tn_buf_append_cstr(&b, "1, ");
    for (int i = 0; i < 400; i++) tn_buf_putc(&b, '9');
    tn_buf_append_cstr(&b, ", 123456789012345678901234567890e-10, 0.1e1, -0.0]");
    tn_json_doc *doc = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_json_parse(b.data, b.len, &doc, &err), 0, "%s", err.message);
    const tn_json *root = tn_json_root(doc);
    double d;
    cr_assert(tn_json_double(tn_json_at(root, 0), &d));
    cr_assert(isinf(d) && d > 0);
    cr_assert(tn_json_double(tn_json_at(root, 1), &d));
    cr_assert(d == 0 && signbit(d));
    cr_assert(tn_json_double(tn_json_at(root, 2), &d));
    cr_assert_eq(d, 10.0);
    cr_assert(tn_json_double(tn_json_at(root, 3), &d));
    cr_assert_eq(d, 0.0);
    cr_assert(tn_json_double(tn_json_at(root, 4), &d));
    cr_assert(isinf(d));
    cr_assert(tn_json_double(tn_json_at(root, 5), &d));
    cr_assert_eq(d, 12345678901234567890.1234567890);
    cr_assert(tn_json_double(tn_json_at(root, 6), &d));
    cr_assert_eq(d, 1.0);
    int64_t i;
    cr_assert(!tn_json_int64(tn_json_at(root, 4), &i));
    tn_json_free(doc);
    tn_buf_free(&b);
}
