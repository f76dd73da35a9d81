/* SPDX-License-Identifier: Apache-2.0
 *
 * The JSON reader: layout detection (NDJSON, array, object, value), inference and widening,
 * flattening, arrays as text, missing keys, rejects with exact line numbers, strict mode,
 * fatal document errors, compressed input, explicit schemas, the conformance corpus read as
 * files, and parallel parsing equal to single-threaded parsing.
 */
#include <zlib.h>
#include <zstd.h>

#include "test_json_util.h"

Test(json_read, ndjson_inference_and_types)
{
    jt_result r = jt_read_str(
        "a.ndjson", "{\"id\":1,\"name\":\"Ann\",\"price\":9.5,\"ok\":true,\"day\":\"2024-01-02\","
                    "\"at\":\"2024-01-02T03:04:05\",\"tz\":\"2024-01-02T03:04:05Z\"}\n"
                    "{\"id\":2,\"name\":\"Bob\",\"price\":10,\"ok\":false,\"day\":\"2024-02-29\","
                    "\"at\":\"2024-01-03 00:00:00.5\",\"tz\":\"2024-01-02T03:04:05+02:00\"}\n");
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.rows, 2);
    cr_assert_eq(r.reject_count, 0);
    cr_assert_str_eq(jt_type(&r, "id"), "BIGINT");
    cr_assert_str_eq(jt_type(&r, "name"), "VARCHAR");
    cr_assert_str_eq(jt_type(&r, "price"), "DOUBLE");
    cr_assert_str_eq(jt_type(&r, "ok"), "BOOLEAN");
    cr_assert_str_eq(jt_type(&r, "day"), "DATE");
    cr_assert_str_eq(jt_type(&r, "at"), "TIMESTAMP");
    cr_assert_str_eq(jt_type(&r, "tz"), "TIMESTAMPTZ");
    cr_assert_str_eq(jt_cell(&r, 0, "id"), "1");
    cr_assert_str_eq(jt_cell(&r, 1, "name"), "Bob");
    cr_assert_str_eq(jt_cell(&r, 1, "price"), "10.0");
    cr_assert_str_eq(jt_cell(&r, 0, "price"), "9.5");
    cr_assert_str_eq(jt_cell(&r, 1, "ok"), "false");
    cr_assert_str_eq(jt_cell(&r, 1, "day"), "2024-02-29");
    cr_assert_str_eq(jt_cell(&r, 0, "at"), "2024-01-02 03:04:05");
    cr_assert_str_eq(jt_cell(&r, 1, "at"), "2024-01-03 00:00:00.5");
    cr_assert_str_eq(jt_cell(&r, 1, "tz"), "2024-01-02 01:04:05+00");
    cr_assert(strstr(r.describe, "\"layout\":\"ndjson\"") != NULL, "%s", r.describe);
    cr_assert(strstr(r.describe, "\"compression\":\"none\"") != NULL, "%s", r.describe);
    /* Columns in first-seen order. */
    cr_assert_str_eq(r.schema->columns[0].name, "id");
    cr_assert_str_eq(r.schema->columns[6].name, "tz");
    jt_free(&r);
}

Test(json_read, widening)
{
    jt_result r = jt_read_str(
        "w.ndjson",
        "{\"i2d\":1,\"d2s\":1.5,\"i2s\":1,\"date2ts\":\"2024-01-01\",\"date2s\":\"2024-01-01\","
        "\"b2s\":true,\"n\":null,\"arr\":[1]}\n"
        "{\"i2d\":2.5,\"d2s\":\"x\",\"i2s\":\"y\",\"date2ts\":\"2024-01-01 10:00:00\","
        "\"date2s\":\"soon\",\"b2s\":1,\"n\":null,\"arr\":7}\n"
        "{\"i2d\":12345678901234567890}\n");
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.rows, 3);
    cr_assert_eq(r.reject_count, 0, "%s", r.reject_count ? r.rejects[0].reason : "");
    cr_assert_str_eq(jt_type(&r, "i2d"), "DOUBLE");
    cr_assert_str_eq(jt_type(&r, "d2s"), "VARCHAR");
    cr_assert_str_eq(jt_type(&r, "i2s"), "VARCHAR");
    cr_assert_str_eq(jt_type(&r, "date2ts"), "TIMESTAMP");
    cr_assert_str_eq(jt_type(&r, "date2s"), "VARCHAR");
    cr_assert_str_eq(jt_type(&r, "b2s"), "VARCHAR");
    cr_assert_str_eq(jt_type(&r, "n"), "VARCHAR");
    cr_assert_str_eq(jt_type(&r, "arr"), "VARCHAR");
    cr_assert_str_eq(jt_cell(&r, 0, "i2d"), "1.0");
    cr_assert_str_eq(jt_cell(&r, 1, "i2d"), "2.5");
    cr_assert_str_eq(jt_cell(&r, 2, "i2d"), "1.2345678901234567e+19");
    cr_assert_str_eq(jt_cell(&r, 0, "d2s"), "1.5"); /* numbers keep their text */
    cr_assert_str_eq(jt_cell(&r, 1, "d2s"), "x");
    cr_assert_str_eq(jt_cell(&r, 0, "date2ts"), "2024-01-01 00:00:00");
    cr_assert_str_eq(jt_cell(&r, 0, "b2s"), "true");
    cr_assert_str_eq(jt_cell(&r, 1, "b2s"), "1");
    cr_assert_str_eq(jt_cell(&r, 0, "n"), "<null>");
    cr_assert_str_eq(jt_cell(&r, 0, "arr"), "[1]");
    cr_assert_str_eq(jt_cell(&r, 1, "arr"), "7");
    cr_assert_str_eq(jt_cell(&r, 2, "arr"), "<null>");
    jt_free(&r);
}

Test(json_read, flattening_arrays_missing_keys)
{
    jt_result r = jt_read_str("f.ndjson",
                              "{\"id\":1,\"address\":{\"city\":\"Oslo\",\"geo\":{\"lat\":59.9}},"
                              "\"tags\":[\"a\", {\"b\" : [1, 2]}, null],\"name\":\"x\"}\n"
                              "{\"name\":\"y\",\"id\":2,\"address\":null,\"extra\":{\"k\":true}}\n"
                              "{\"id\":3,\"address\":{\"city\":\"Rome\"},\"tags\":[]}\n");
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.rows, 3);
    /* Nested objects flattened in first-seen order; a key seen only as null next to an
     * object ("address": null) is the object's absence, not a column. */
    const char *names[] = {"id", "address.city", "address.geo.lat", "tags", "name", "extra.k"};
    cr_assert_eq(r.schema->column_count, 6);
    for (int i = 0; i < 6; i++) cr_assert_str_eq(r.schema->columns[i].name, names[i]);
    cr_assert_str_eq(jt_type(&r, "address.geo.lat"), "DOUBLE");
    cr_assert_str_eq(jt_type(&r, "extra.k"), "BOOLEAN");
    cr_assert_str_eq(jt_cell(&r, 0, "address.city"), "Oslo");
    cr_assert_str_eq(jt_cell(&r, 0, "address.geo.lat"), "59.9");
    cr_assert_str_eq(jt_cell(&r, 0, "tags"), "[\"a\",{\"b\":[1,2]},null]");
    cr_assert_str_eq(jt_cell(&r, 1, "address.city"), "<null>");
    cr_assert_str_eq(jt_cell(&r, 1, "tags"), "<null>");
    cr_assert_str_eq(jt_cell(&r, 1, "name"), "y");
    cr_assert_str_eq(jt_cell(&r, 1, "extra.k"), "true");
    cr_assert_str_eq(jt_cell(&r, 2, "tags"), "[]");
    cr_assert_str_eq(jt_cell(&r, 2, "name"), "<null>");
    cr_assert_str_eq(jt_cell(&r, 2, "address.geo.lat"), "<null>");
    jt_free(&r);
}

Test(json_read, duplicate_keys_last_wins)
{
    jt_result r = jt_read_str("d.ndjson", "{\"a\":\"first\",\"b\":1,\"a\":\"second\",\"b\":null}\n"
                                          "{\"a\":null,\"a\":\"x\",\"b\":2,\"b\":3}\n");
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.schema->column_count, 2);
    cr_assert_str_eq(jt_cell(&r, 0, "a"), "second");
    cr_assert_str_eq(jt_cell(&r, 0, "b"), "<null>");
    cr_assert_str_eq(jt_cell(&r, 1, "a"), "x");
    cr_assert_str_eq(jt_cell(&r, 1, "b"), "3");
    jt_free(&r);
}

Test(json_read, ndjson_rejects_with_line_numbers)
{
    /* Sample of 2 rows fixes price as BIGINT; later lines that do not fit are rejected. */
    tn_read_options opts = {0};
    opts.sample_rows = 2;
    const char *text = "{\"id\":1,\"price\":10}\n"
                       "\n"
                       "{\"id\":2,\"price\":20}\r\n"
                       "{\"id\":3,\"price\":\"abc\"}\n"
                       "not json at all\n"
                       "   \n"
                       "{\"id\":4,\"price\":1.5}\n"
                       "[1,2]\n"
                       "{\"id\":5,\"price\":50,\"unseen\":1}\n"
                       "{\"id\":6,\"price\":60} trailing\n"
                       "{\"id\":7,\"pri\xff\":1}\n"
                       "{\"id\":8,\"price\":80}";
    jt_result r = jt_read(jt_write_str("r.ndjson", text), &opts);
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.rows, 4);
    cr_assert_str_eq(jt_cell(&r, 0, "id"), "1");
    cr_assert_str_eq(jt_cell(&r, 1, "id"), "2");
    cr_assert_str_eq(jt_cell(&r, 2, "id"), "5");
    cr_assert_str_eq(jt_cell(&r, 3, "id"), "8");
    cr_assert_str_eq(jt_cell(&r, 3, "price"), "80");
    cr_assert_eq(tn_schema_find(r.schema, "unseen"), -1); /* keys not in the sample: ignored */
    cr_assert_eq(r.reject_count, 6);
    cr_assert_eq(r.rejected, 6);
    const int64_t lines[] = {4, 5, 7, 8, 10, 11};
    for (int i = 0; i < 6; i++) cr_assert_eq(r.rejects[i].line, lines[i], "reject %d", i);
    cr_assert_str_eq(r.rejects[0].reason, "'abc' is not a valid BIGINT (key price)");
    cr_assert_str_eq(r.rejects[0].column_name, "price");
    cr_assert_eq(r.rejects[0].column, 17);
    cr_assert_str_eq(r.rejects[0].raw, "{\"id\":3,\"price\":\"abc\"}");
    cr_assert(strstr(r.rejects[1].reason, "invalid JSON") != NULL, "%s", r.rejects[1].reason);
    cr_assert_eq(r.rejects[1].column, 1);
    cr_assert_str_eq(r.rejects[2].reason, "'1.5' is not a valid BIGINT (key price)");
    cr_assert_str_eq(r.rejects[3].reason, "expected a JSON object, found an array");
    cr_assert_eq(r.rejects[3].column, 0);
    cr_assert(strstr(r.rejects[4].reason, "after the JSON value") != NULL, "%s",
              r.rejects[4].reason);
    cr_assert_eq(r.rejects[4].column, 21);
    cr_assert(strstr(r.rejects[5].reason, "UTF-8") != NULL, "%s", r.rejects[5].reason);
    jt_free(&r);
}

Test(json_read, strict_mode)
{
    tn_read_options opts = {0};
    opts.strict = true;
    opts.sample_rows = 1;
    jt_result r = jt_read(
        jt_write_str("s.ndjson", "{\"a\":1}\n{\"a\":2}\n{\"a\":\"x\"}\n{\"a\":4}\n"), &opts);
    cr_assert_eq(r.rc, TN_EPARSE);
    cr_assert_eq(r.err.line, 3);
    cr_assert_eq(r.err.column, 6);
    cr_assert(strstr(r.err.message, "BIGINT") != NULL, "%s", r.err.message);
    cr_assert_str_eq(r.err.key, "a");
    jt_free(&r);
}

Test(json_read, document_layouts)
{
    jt_result r = jt_read_str(
        "arr.json", "[\n  {\"a\": 1, \"b\": \"x\"},\n  {\"a\": 2, \"c\": {\"d\": null}}\n]\n");
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert(strstr(r.describe, "\"layout\":\"array\"") != NULL, "%s", r.describe);
    cr_assert_eq(r.rows, 2);
    cr_assert_eq(r.schema->column_count, 3);
    cr_assert_str_eq(jt_cell(&r, 1, "a"), "2");
    cr_assert_str_eq(jt_cell(&r, 1, "c.d"), "<null>");
    jt_free(&r);

    r = jt_read_str("obj.json", "{\n  \"name\": \"one\",\n  \"items\": [1, 2]\n}");
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert(strstr(r.describe, "\"layout\":\"object\"") != NULL, "%s", r.describe);
    cr_assert_eq(r.rows, 1);
    cr_assert_str_eq(jt_cell(&r, 0, "items"), "[1,2]");
    jt_free(&r);

    r = jt_read_str("scalar.json", "  42  ");
    cr_assert_eq(r.rc, 0);
    cr_assert(strstr(r.describe, "\"layout\":\"value\"") != NULL, "%s", r.describe);
    cr_assert_eq(r.rows, 1);
    cr_assert_str_eq(jt_cell(&r, 0, "value"), "42");
    jt_free(&r);

    r = jt_read_str("scalars.json", "[1, \"two\",\n 3.0]");
    cr_assert_eq(r.rc, 0);
    cr_assert(strstr(r.describe, "\"layout\":\"value\"") != NULL, "%s", r.describe);
    cr_assert_eq(r.rows, 1);
    cr_assert_str_eq(jt_cell(&r, 0, "value"), "[1,\"two\",3.0]");
    jt_free(&r);

    /* Single-line array of objects: still an array document. */
    r = jt_read_str("one.json", "[{\"a\":1},{\"a\":2},{\"a\":3}]\n");
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.rows, 3);
    cr_assert(strstr(r.describe, "\"layout\":\"array\"") != NULL, "%s", r.describe);
    jt_free(&r);

    /* NDJSON of scalars: one row per line, column value. */
    r = jt_read_str("vals.ndjson", "1\n\"a\"\n[true]\n{\"k\":1}\n");
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.rows, 4);
    cr_assert_str_eq(jt_cell(&r, 2, "value"), "[true]");
    cr_assert_str_eq(jt_cell(&r, 3, "value"), "{\"k\":1}");
    jt_free(&r);

    /* Empty objects only: no keys, so values. Empty input: no rows. */
    r = jt_read_str("empty.json", "{}");
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.rows, 1);
    cr_assert_str_eq(jt_cell(&r, 0, "value"), "{}");
    jt_free(&r);
    /* No value at all: not a JSON text (an error), but a valid NDJSON file of zero lines. */
    r = jt_read_str("nothing.json", " \n\n ");
    cr_assert_eq(r.rc, TN_EPARSE);
    cr_assert(strstr(r.err.message, "no JSON value") != NULL, "%s", r.err.message);
    jt_free(&r);
    r = jt_read_str("nothing.ndjson", " \n\n ");
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.rows, 0);
    cr_assert_eq(r.schema->column_count, 1);
    jt_free(&r);
    r = jt_read_str("bom.json", "\xEF\xBB\xBF{\"a\":1}\n{\"a\":2}\n");
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.rows, 2);
    cr_assert_str_eq(r.schema->columns[0].name, "a");
    jt_free(&r);
}

Test(json_read, document_errors_are_fatal)
{
    jt_result r = jt_read_str("bad.json", "[\n  {\"a\": 1},\n  {\"a\": 2,}\n]\n");
    cr_assert_eq(r.rc, TN_EPARSE);
    cr_assert_eq(r.err.line, 3);
    cr_assert_eq(r.err.column, 11);
    cr_assert(strstr(r.err.file, "bad.json") != NULL);
    jt_free(&r);

    /* Found after the sample: the rows before were delivered, then the error. */
    tn_read_options opts = {0};
    opts.sample_rows = 1;
    r = jt_read(jt_write_str("late.json", "[{\"a\":1},\n{\"a\":2},\n{\"a\":3]\n"), &opts);
    cr_assert_eq(r.rc, TN_EPARSE);
    cr_assert_eq(r.err.line, 3);
    cr_assert_eq(r.err.column, 7);
    jt_free(&r);

    r = jt_read_str("two.json", "{\n\"a\": 1\n}\n{\n\"a\": 2\n}\n");
    cr_assert_eq(r.rc, TN_EPARSE);
    cr_assert_eq(r.err.line, 4);
    jt_free(&r);

    r = jt_read_str("trunc.json", "[{\"a\":1},\n{\"a\":2}");
    cr_assert_eq(r.rc, TN_EPARSE);
    jt_free(&r);

    /* Type problems in a document are rejected rows, not fatal. */
    r = jt_read(jt_write_str("types.json", "[{\"a\":1},\n {\"a\":\"x\"},\n 5,\n {\"a\":3}]"),
                &opts);
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.rows, 2);
    cr_assert_eq(r.reject_count, 2);
    cr_assert_eq(r.rejects[0].line, 2);
    cr_assert_eq(r.rejects[0].column, 7);
    cr_assert_str_eq(r.rejects[0].raw, "{\"a\":\"x\"}");
    cr_assert_eq(r.rejects[1].line, 3);
    cr_assert_str_eq(r.rejects[1].reason, "expected a JSON object, found a number");
    jt_free(&r);
}

Test(json_read, ndjson_detection_with_bad_first_line)
{
    jt_result r = jt_read_str("b1.json", "{\"a\": tru}\n{\"a\": true}\n{\"a\": false}\n");
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.rows, 2);
    cr_assert_eq(r.reject_count, 1);
    cr_assert_eq(r.rejects[0].line, 1);
    cr_assert_str_eq(jt_type(&r, "a"), "BOOLEAN");
    jt_free(&r);
    /* A .jsonl name forces NDJSON even for a pretty-printed first record. */
    r = jt_read_str("forced.jsonl", "{\n\"a\":1}\n{\"a\":2}\n");
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.rows, 1);
    cr_assert_eq(r.reject_count, 2);
    jt_free(&r);
}

Test(json_read, explicit_schema_and_all_varchar)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "price", tn_type_decimal(10, 2), true);
    tn_schema_add(s, "qty", tn_type_make(TN_TYPE_INTEGER), true);
    tn_schema_add(s, "when", tn_type_make(TN_TYPE_DATE), true);
    tn_read_options opts = {0};
    opts.schema = s;
    jt_result r =
        jt_read(jt_write_str("x.ndjson", "{\"price\":12.5,\"qty\":\"7\",\"when\":\"2020-05-06\"}\n"
                                         "{\"price\":\"3.25\",\"qty\":99999999999}\n"),
                &opts);
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.schema->column_count, 3);
    cr_assert_eq(r.rows, 1);
    cr_assert_str_eq(jt_cell(&r, 0, "price"), "12.50");
    cr_assert_str_eq(jt_cell(&r, 0, "qty"), "7");
    cr_assert_eq(r.reject_count, 1);
    cr_assert(strstr(r.rejects[0].reason, "INTEGER") != NULL, "%s", r.rejects[0].reason);
    jt_free(&r);
    tn_schema_unref(s);

    tn_read_options o2 = {0};
    o2.all_varchar = true;
    r = jt_read(jt_write_str("v.ndjson", "{\"a\":1,\"b\":true}\n"), &o2);
    cr_assert_str_eq(jt_type(&r, "a"), "VARCHAR");
    cr_assert_str_eq(jt_cell(&r, 0, "b"), "true");
    jt_free(&r);
}

Test(json_read, strings_unicode_and_escapes)
{
    jt_result r = jt_read_str(
        "u.ndjson", "{\"s\":\"caf\xc3\xa9 \\u00e9\\ud83d\\ude00 \\\"q\\\" \\\\ \\n\\t\"}\n"
                    "{\"s\":\"\\u0000x\"}\n"
                    "{\"s\":\"\\ud800\"}\n");
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.rows, 2);
    cr_assert_str_eq(jt_cell(&r, 0, "s"), "caf\xc3\xa9 \xc3\xa9\xf0\x9f\x98\x80 \"q\" \\ \n\t");
    cr_assert_eq(r.reject_count, 1);
    cr_assert(strstr(r.rejects[0].reason, "surrogate") != NULL, "%s", r.rejects[0].reason);
    jt_free(&r);
}

/* Reads every file of the conformance corpus as a file: y_ files give rows and no rejects;
 * nothing crashes. */
Test(json_read, conformance_as_files)
{
    size_t count;
    char **names = jt_list(JT_PARSING_DIR, &count);
    int y_ok = 0;
    for (size_t k = 0; k < count; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", JT_PARSING_DIR, names[k]);
        jt_result r = jt_read(path, NULL);
        bool clean = r.rc == 0 && r.reject_count == 0;
        if (names[k][0] == 'y') {
            cr_expect(clean, "%s: rc %d (%s), %zu rejects", names[k], r.rc, r.err.message,
                      r.reject_count);
            cr_expect_gt(r.rows, 0, "%s", names[k]);
            y_ok += clean;
        } else {
            fprintf(stderr, "json_read verdict %s: %s\n", names[k],
                    r.rc             ? "error"
                    : r.reject_count ? "rejected rows"
                                     : "accepted");
        }
        jt_free(&r);
        free(names[k]);
    }
    free(names);
    cr_assert_eq(y_ok, 95);
}

static void gzip_file(const char *path, const char *data, size_t len)
{
    gzFile g = gzopen(path, "wb");
    cr_assert_not_null(g);
    cr_assert_eq(gzwrite(g, data, (unsigned)len), (int)len);
    gzclose(g);
}

static void zstd_file(const char *path, const char *data, size_t len)
{
    size_t cap = ZSTD_compressBound(len);
    char *out = malloc(cap);
    size_t n = ZSTD_compress(out, cap, data, len, 3);
    cr_assert(!ZSTD_isError(n));
    jt_write(path, out, n);
    free(out);
}

Test(json_read, compressed_input)
{
    const char *text = "{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"y\"}\n";
    char *gz = jt_path("c.ndjson.gz");
    gzip_file(gz, text, strlen(text));
    jt_result r = jt_read(gz, NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.rows, 2);
    cr_assert_str_eq(jt_cell(&r, 1, "b"), "y");
    cr_assert(strstr(r.describe, "\"compression\":\"gzip\"") != NULL, "%s", r.describe);
    jt_free(&r);

    char *zs = jt_path("c.json.zst");
    const char *doc = "[{\"a\":1},{\"a\":2},{\"a\":3}]";
    zstd_file(zs, doc, strlen(doc));
    r = jt_read(zs, NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.rows, 3);
    cr_assert(strstr(r.describe, "\"compression\":\"zstd\"") != NULL, "%s", r.describe);
    jt_free(&r);
}

/* A multi-MiB file with bad lines sprinkled in: every thread count gives the same rows,
 * the same rejects and the same line numbers. */
static char *big_ndjson(size_t rows, size_t *len)
{
    tn_buf b = TN_BUF_INIT;
    for (size_t i = 0; i < rows; i++) {
        if (i % 9973 == 5) {
            tn_buf_printf(&b, "{\"id\":%zu,\"name\":broken\n", i);
            continue;
        }
        if (i % 7919 == 3) {
            tn_buf_append_cstr(&b, "\n");
            continue;
        }
        tn_buf_printf(&b,
                      "{\"id\":%zu,\"name\":\"name %zu "
                      "\\\"q\\\"\",\"price\":%zu.%02zu,\"day\":\"2024-%02zu-%02zu\","
                      "\"tags\":[%zu,\"t\"],\"nested\":{\"x\":%s}}%s\n",
                      i, i * 7, i % 1000, i % 100, 1 + i % 12, 1 + i % 28, i % 5,
                      i % 3 ? "true" : "false", i % 2 ? "\r" : "");
    }
    return tn_buf_detach(&b, len);
}

Test(json_read, parallel_equals_single_thread, .timeout = 120)
{
    size_t len;
    char *data = big_ndjson(150000, &len);
    cr_assert_gt(len, 8u << 20);
    char *path = jt_path("big.ndjson");
    jt_write(path, data, len);
    tn_free(data);
    tn_read_options o1 = {0};
    o1.threads = 1;
    tn_read_options o4 = {0};
    o4.threads = 4;
    o4.batch_rows = 1000;
    jt_result a = jt_read(path, &o1);
    jt_result b = jt_read(path, &o4);
    cr_assert_eq(a.rc, 0, "%s", a.err.message);
    cr_assert_eq(b.rc, 0, "%s", b.err.message);
    cr_assert_eq(a.rows, b.rows);
    cr_assert_gt(a.rows, 140000);
    cr_assert(tn_schema_eq(a.schema, b.schema));
    uint32_t nc = a.schema->column_count;
    cr_assert_eq(nc, 6);
    for (size_t r = 0; r < a.rows; r++)
        for (uint32_t c = 0; c < nc; c++) {
            const char *x = a.cells[r][c], *y = b.cells[r][c];
            cr_assert((x == NULL) == (y == NULL));
            if (x) cr_assert_str_eq(x, y);
        }
    cr_assert_eq(a.reject_count, b.reject_count);
    cr_assert_gt(a.reject_count, 10);
    for (size_t i = 0; i < a.reject_count; i++) {
        cr_assert_eq(a.rejects[i].line, b.rejects[i].line);
        cr_assert_str_eq(a.rejects[i].reason, b.rejects[i].reason);
    }
    /* Bad rows were written at i % 9973 == 5; blank lines count as lines. */
    cr_assert_eq(a.rejects[0].line, 6);
    cr_assert_eq(a.rejects[1].line, 9973 + 6);
    cr_assert_str_eq(jt_cell(&a, 0, "name"), "name 0 \"q\"");
    cr_assert_str_eq(jt_cell(&a, 1, "nested.x"), "true");
    cr_assert_str_eq(jt_type(&a, "day"), "DATE");
    jt_free(&a);
    jt_free(&b);
}

Test(json_read, through_host_reader)
{
    char *path = jt_write_str("host.json", "[{\"a\":1},{\"a\":2}]");
    tn_reader *rd = NULL;
    tn_error err = {0};
    int rc = tn_reader_open(path, NULL, &rd, &err);
    cr_assert_eq(rc, 0, "%s", err.message);
    cr_assert_eq(tn_reader_format(rd), &tn_format_json);
    tn_batch *b = NULL;
    cr_assert_eq(tn_reader_next(rd, &b, &err), 0);
    cr_assert_not_null(b);
    cr_assert_eq(b->row_count, 2);
    tn_batch_free(b);
    cr_assert_eq(tn_reader_next(rd, &b, &err), 0);
    cr_assert_null(b);
    tn_reader_close(rd);
}

Test(json_read, keys_escaped_unicode_and_whitespace)
{
    /* The same key written plainly, escaped, or with whitespace around the tokens is one
     * column; non-ASCII keys are fine. */
    jt_result r = jt_read_str(
        "k.ndjson", "{\"caf\xc3\xa9\":1,\"a\\\"b\":2,\"x\":{\"y\":3}}\n"
                    " { \"caf\\u00e9\" : 4 , \"a\\u0022b\" :5 , \"x\" : { \"y\" : 6 } } \r\n"
                    "{\"x\":{\"y\":7,\"z\":{}},\"caf\xc3\xa9\":8}\n"
                    "{\"x.y\":9}\n"
                    "{\t\"x\"\t:\t{\"y\"\t:10}}\n");
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.reject_count, 0, "%s", r.reject_count ? r.rejects[0].reason : "");
    cr_assert_eq(r.schema->column_count, 3);
    cr_assert_str_eq(r.schema->columns[0].name, "caf\xc3\xa9");
    cr_assert_str_eq(r.schema->columns[1].name, "a\"b");
    cr_assert_str_eq(r.schema->columns[2].name, "x.y");
    cr_assert_eq(r.rows, 5);
    cr_assert_str_eq(jt_cell(&r, 1, "caf\xc3\xa9"), "4");
    cr_assert_str_eq(jt_cell(&r, 1, "a\"b"), "5");
    cr_assert_str_eq(jt_cell(&r, 1, "x.y"), "6");
    cr_assert_str_eq(jt_cell(&r, 2, "x.y"), "7");
    cr_assert_str_eq(jt_cell(&r, 2, "caf\xc3\xa9"), "8");
    cr_assert_str_eq(jt_cell(&r, 3, "x.y"), "9");
    cr_assert_str_eq(jt_cell(&r, 4, "x.y"), "10");
    cr_assert_str_eq(jt_cell(&r, 4, "a\"b"), "<null>");
    jt_free(&r);
}

Test(json_read, deep_nesting_is_a_reject_not_a_crash)
{
    size_t n = 5000;
    tn_buf b = TN_BUF_INIT;
    tn_buf_append_cstr(&b, "{\"a\":1}\n");
    for (size_t i = 0; i < n; i++) tn_buf_append_cstr(&b, "{\"a\":");
    tn_buf_append_cstr(&b, "1");
    for (size_t i = 0; i < n; i++) tn_buf_putc(&b, '}');
    tn_buf_append_cstr(&b, "\n{\"a\":");
    for (size_t i = 0; i < n; i++) tn_buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++) tn_buf_putc(&b, ']');
    tn_buf_append_cstr(&b, "}\n{\"a\":2}\n");
    char *path = jt_path("deep.ndjson");
    jt_write(path, b.data, b.len);
    tn_buf_free(&b);
    jt_result r = jt_read(path, NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.rows, 2);
    cr_assert_eq(r.reject_count, 2);
    cr_assert_eq(r.rejects[0].line, 2);
    cr_assert(strstr(r.rejects[0].reason, "deeper") != NULL, "%s", r.rejects[0].reason);
    cr_assert_eq(r.rejects[1].line, 3);
    cr_assert(strstr(r.rejects[1].reason, "deeper") != NULL, "%s", r.rejects[1].reason);
    jt_free(&r);
}

typedef struct nested_ctx {
    const char *path;
    size_t rows[6];
    int rc[6];
} nested_ctx;

static void nested_read(void *ctx, size_t task_idx, int worker_idx)
{
    (void)worker_idx;
    nested_ctx *n = ctx;
    tn_read_options opts = {0};
    opts.threads = 2;
    void *state = NULL;
    tn_error err = {0};
    n->rc[task_idx] = tn_format_json.reader_open(n->path, &opts, &state, &err);
    if (n->rc[task_idx]) return;
    for (;;) {
        tn_batch *b = NULL;
        n->rc[task_idx] = tn_format_json.reader_next(state, &b, &err);
        if (n->rc[task_idx] || !b) break;
        n->rows[task_idx] += b->row_count;
        tn_batch_free(b);
    }
    tn_format_json.reader_close(state);
}

/* Readers running inside tasks of another pool (their own runs go inline) still work. */
Test(json_read, reader_inside_pool_tasks, .timeout = 120)
{
    size_t len;
    char *data = big_ndjson(30000, &len);
    char *path = jt_path("nested.ndjson");
    jt_write(path, data, len);
    tn_free(data);
    tn_pool *pool = NULL;
    cr_assert_eq(tn_pool_create(3, &pool), 0);
    nested_ctx n;
    memset(&n, 0, sizeof n);
    n.path = path;
    cr_assert_eq(tn_pool_run(pool, 6, nested_read, &n), 0);
    tn_pool_destroy(pool);
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(n.rc[i], 0);
        cr_assert_eq(n.rows[i], n.rows[0]);
    }
    cr_assert_gt(n.rows[0], 29000);
}

/* A bad line in the sample leaves no columns and no kinds behind. */
Test(json_read, bad_sample_rows_leave_no_trace)
{
    jt_result r = jt_read_str("trace.ndjson", "{\"a\":1,\"zzz\":2,\"b\":\"x\"\n"
                                              "{\"a\":2,\"c\":\"text\",\"c\":3,}\n"
                                              "{\"a\":3}\n");
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.schema->column_count, 1);
    cr_assert_str_eq(jt_type(&r, "a"), "BIGINT");
    cr_assert_eq(r.rows, 1);
    cr_assert_eq(r.reject_count, 2);
    jt_free(&r);
}

/* A compressed multi-chunk file: decompression runs while the previous chunk is parsed. */
Test(json_read, compressed_parallel_equals_plain, .timeout = 120)
{
    size_t len;
    char *data = big_ndjson(200000, &len);
    char *plain = jt_path("big2.ndjson");
    char *gz = jt_path("big2.ndjson.gz");
    char *zs = jt_path("big2.ndjson.zst");
    jt_write(plain, data, len);
    gzip_file(gz, data, len);
    zstd_file(zs, data, len);
    tn_free(data);
    tn_read_options o = {0};
    o.threads = 2;
    jt_result a = jt_read(plain, &o);
    jt_result b = jt_read(gz, &o);
    jt_result c = jt_read(zs, &o);
    cr_assert_eq(a.rc, 0);
    cr_assert_eq(b.rc, 0, "%s", b.err.message);
    cr_assert_eq(c.rc, 0, "%s", c.err.message);
    cr_assert_eq(a.rows, b.rows);
    cr_assert_eq(a.rows, c.rows);
    cr_assert_eq(a.reject_count, b.reject_count);
    cr_assert_eq(a.reject_count, c.reject_count);
    for (size_t i = 0; i < a.reject_count; i++) {
        cr_assert_eq(a.rejects[i].line, b.rejects[i].line);
        cr_assert_eq(a.rejects[i].line, c.rejects[i].line);
    }
    for (size_t r = 0; r < a.rows; r += 997)
        cr_assert_str_eq(jt_cell(&a, r, "name"), jt_cell(&b, r, "name"));
    cr_assert_str_eq(jt_cell(&a, a.rows - 1, "id"), jt_cell(&c, c.rows - 1, "id"));
    jt_free(&a);
    jt_free(&b);
    jt_free(&c);
}

/* The loader's fast paths (eight digits at a time, the timestamp minute and the date kept
 * from the previous row, the line end found by the parser) give what the plain code gives:
 * integers of every length, fractions short and long, timestamps within one minute and
 * across minutes, repeated dates, and lines that are not one object on one line. */
Test(json_read, fast_paths_match_the_plain_rules)
{
    tn_read_options opts = {0};
    opts.sample_rows = 3;
    const char *text =
        "{\"n\":7,\"d\":0.5,\"t\":\"2024-01-01 00:00:01\",\"day\":\"2024-03-01\"}\n"
        "{\"n\":12345678,\"d\":0.001,\"t\":\"2024-01-01 00:00:59\",\"day\":\"2024-03-01\"}\n"
        "{\"n\":123456789,\"d\":1.12345678,\"t\":\"2024-01-01 00:01:00\",\"day\":\"2024-02-29\"}\n"
        "{\"n\":9223372036854775807,\"d\":12345678901.25,\"t\":\"2024-01-01T00:01:02\","
        "\"day\":\"2024-02-29\"}  \t\r\n"
        "{\"n\":-9223372036854775808,\"d\":-0.0000001,\"t\":\"2024-01-01 00:01:02.5\","
        "\"day\":\"1999-12-31\"}\n"
        "{\"n\":-1234567890123,\"d\":123.456e2,\"t\":\"2024-01-01 00:01\",\"day\":\"1999-12-31\"}\n"
        "{\"n\":1,\"t\":\"2024-01-01 00:01:60\"}\n"
        "{\"n\":2,\"t\":\"2024-01-01 00:01:5x\"}\n"
        "{\"n\":3,\"day\":\"2024-02-30\"}\n"
        "{\"n\":4,\n"
        "\"d\":1}\n"
        "{\"n\":5,\"d\":[1,\n"
        "2]}\n"
        "{\"n\":9223372036854775808}\n"
        "{\"n\":00}\n"
        "{\"n\":6}";
    jt_result r = jt_read(jt_write_str("fast.ndjson", text), &opts);
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_str_eq(jt_type(&r, "n"), "BIGINT");
    cr_assert_str_eq(jt_type(&r, "d"), "DOUBLE");
    cr_assert_str_eq(jt_type(&r, "t"), "TIMESTAMP");
    cr_assert_str_eq(jt_type(&r, "day"), "DATE");
    cr_assert_eq(r.rows, 7);
    const char *n[] = {"7", "12345678", "123456789", "9223372036854775807",
                       "-9223372036854775808", "-1234567890123", "6"};
    const char *d[] = {"0.5", "0.001", "1.12345678", "12345678901.25", "-1e-07", "12345.6",
                       "<null>"};
    const char *t[] = {"2024-01-01 00:00:01",   "2024-01-01 00:00:59", "2024-01-01 00:01:00",
                       "2024-01-01 00:01:02",   "2024-01-01 00:01:02.5",
                       "2024-01-01 00:01:00",   "<null>"};
    const char *day[] = {"2024-03-01", "2024-03-01", "2024-02-29", "2024-02-29",
                         "1999-12-31", "1999-12-31", "<null>"};
    for (size_t i = 0; i < 7; i++) {
        cr_assert_str_eq(jt_cell(&r, i, "n"), n[i], "row %zu", i);
        cr_assert_str_eq(jt_cell(&r, i, "d"), d[i], "row %zu", i);
        cr_assert_str_eq(jt_cell(&r, i, "t"), t[i], "row %zu", i);
        cr_assert_str_eq(jt_cell(&r, i, "day"), day[i], "row %zu", i);
    }
    /* 60 seconds, a bad digit, 30 February, an object and an array split over two lines
     * (each half is a bad line), an integer past BIGINT, a leading zero. */
    const int64_t lines[] = {7, 8, 9, 10, 11, 12, 13, 14, 15};
    cr_assert_eq(r.reject_count, 9);
    for (int i = 0; i < 9; i++) cr_assert_eq(r.rejects[i].line, lines[i], "reject %d", i);
    cr_assert_str_eq(r.rejects[0].column_name, "t");
    cr_assert_str_eq(r.rejects[2].column_name, "day");
    cr_assert(strstr(r.rejects[3].reason, "invalid JSON") != NULL, "%s", r.rejects[3].reason);
    cr_assert_str_eq(r.rejects[3].raw, "{\"n\":4,");
    cr_assert(strstr(r.rejects[8].reason, "invalid JSON") != NULL, "%s", r.rejects[8].reason);
    jt_free(&r);
}
