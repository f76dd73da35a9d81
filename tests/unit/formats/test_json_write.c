/* SPDX-License-Identifier: Apache-2.0
 *
 * The JSON writer: NDJSON and array output, value formatting (NULL, NaN, dates, decimals,
 * blobs, escapes), atomic appearance of the file, and round trips through the reader.
 */
#include <math.h>

#include "test_json_util.h"

static char *slurp_text(const char *path)
{
    size_t len;
    return jt_slurp(path, &len);
}

static tn_batch *sample_batch(void)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "id", tn_type_make(TN_TYPE_BIGINT), true);
    tn_schema_add(s, "name", tn_type_make(TN_TYPE_VARCHAR), true);
    tn_schema_add(s, "score", tn_type_make(TN_TYPE_DOUBLE), true);
    tn_schema_add(s, "ok", tn_type_make(TN_TYPE_BOOLEAN), true);
    tn_schema_add(s, "day", tn_type_make(TN_TYPE_DATE), true);
    tn_schema_add(s, "at", tn_type_make(TN_TYPE_TIMESTAMP), true);
    tn_schema_add(s, "amount", tn_type_decimal(12, 2), true);
    tn_schema_add(s, "a.b", tn_type_make(TN_TYPE_INTEGER), true);
    tn_batch *b = tn_batch_new(s, 8);
    tn_schema_unref(s);
    const char *names[] = {"plain", "quote \" backslash \\ slash /", "ctl \x01\x1f tab\t nl\n cr\r",
                           "unicode caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8"};
    const double scores[] = {1.5, 0.1, 1e300, -2.5e-10};
    for (uint32_t r = 0; r < 4; r++) {
        tn_vector_i64(&b->columns[0])[r] = (int64_t)r * 1000000000000LL - 3;
        tn_vector_append_str(&b->columns[1], r, names[r], strlen(names[r]));
        tn_vector_f64(&b->columns[2])[r] = scores[r];
        tn_vector_set_bool(&b->columns[3], r, r % 2);
        tn_vector_i32(&b->columns[4])[r] = 19000 + (int32_t)r;
        tn_vector_i64(&b->columns[5])[r] = 1700000000123456LL + r;
        tn_vector_set_decimal(&b->columns[6], r, (tn_i128)(-12345 + (int)r * 1000));
        tn_vector_i32(&b->columns[7])[r] = -(int32_t)r;
    }
    /* Row 4: every value NULL; row 5: NaN and infinity. */
    for (uint32_t c = 0; c < 8; c++) tn_vector_append_null(&b->columns[c], 4);
    tn_vector_i64(&b->columns[0])[5] = 5;
    tn_vector_append_str(&b->columns[1], 5, "", 0);
    tn_vector_f64(&b->columns[2])[5] = NAN;
    for (uint32_t c = 3; c < 8; c++) tn_vector_append_null(&b->columns[c], 5);
    b->row_count = 6;
    return b;
}

static int write_batch(const char *path, const tn_batch *b, bool array, tn_error *err)
{
    tn_write_options opts = {0};
    opts.json_array = array;
    void *w = NULL;
    int rc = tn_format_json.writer_open(path, b->schema, &opts, &w, err);
    if (rc) return rc;
    rc = tn_format_json.writer_write(w, b, err);
    if (rc) {
        tn_format_json.writer_abort(w);
        return rc;
    }
    return tn_format_json.writer_finish(w, err);
}

Test(json_write, ndjson_values)
{
    tn_batch *b = sample_batch();
    char *path = jt_path("out.ndjson");
    tn_error err = {0};
    cr_assert_eq(write_batch(path, b, false, &err), 0, "%s", err.message);
    char *text = slurp_text(path);
    char *line2 = strchr(text, '\n') + 1;
    cr_assert(strncmp(text,
                      "{\"id\":-3,\"name\":\"plain\",\"score\":1.5,\"ok\":false,"
                      "\"day\":\"2022-01-08\",\"at\":\"2023-11-14 22:13:20.123456\","
                      "\"amount\":-123.45,\"a.b\":0}\n",
                      strlen("{\"id\":-3,\"name\":\"plain\",\"score\":1.5,\"ok\":false,"
                             "\"day\":\"2022-01-08\",\"at\":\"2023-11-14 22:13:20.123456\","
                             "\"amount\":-123.45,\"a.b\":0}\n")) == 0,
              "%s", text);
    const char *expect2 = "{\"id\":999999999997,\"name\":\"quote \\\" backslash \\\\ slash /\"";
    cr_assert(strncmp(line2, expect2, strlen(expect2)) == 0, "%s", line2);
    cr_assert(strstr(text, "\"ctl \\u0001\\u001f tab\\t nl\\n cr\\r\"") != NULL, "%s", text);
    cr_assert(strstr(text, "{\"id\":null,\"name\":null,\"score\":null,\"ok\":null,\"day\":null,"
                           "\"at\":null,\"amount\":null,\"a.b\":null}\n") != NULL,
              "%s", text);
    cr_assert(strstr(text, "{\"id\":5,\"name\":\"\",\"score\":null,") != NULL, "%s", text);
    /* Every line is valid JSON on its own. */
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        cr_assert_not_null(nl);
        cr_assert_eq(tn_json_validate(p, (size_t)(nl - p), &err), 0, "%s", err.message);
        p = nl + 1;
    }
    free(text);
    tn_batch_free(b);
}

Test(json_write, round_trip)
{
    tn_batch *b = sample_batch();
    char *path = jt_path("rt.ndjson");
    tn_error err = {0};
    cr_assert_eq(write_batch(path, b, false, &err), 0, "%s", err.message);
    /* Read back with the writer's schema: every value comes back equal. */
    tn_read_options opts = {0};
    opts.schema = b->schema;
    jt_result r = jt_read(path, &opts);
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_eq(r.reject_count, 0, "%s", r.reject_count ? r.rejects[0].reason : "");
    cr_assert_eq(r.rows, 6);
    for (uint32_t row = 0; row < 6; row++) {
        for (uint32_t c = 0; c < b->schema->column_count; c++) {
            const tn_vector *v = &b->columns[c];
            bool nan = v->type.id == TN_TYPE_DOUBLE && tn_vector_is_valid(v, row) &&
                       isnan(tn_vector_f64(v)[row]);
            if (!tn_vector_is_valid(v, row) || nan) {
                cr_assert_null(r.cells[row][c], "row %u col %u", row, c);
                continue;
            }
            tn_buf t = TN_BUF_INIT;
            tn_vector_format_value(v, row, &t);
            cr_assert_not_null(r.cells[row][c], "row %u col %u", row, c);
            cr_assert_str_eq(r.cells[row][c], tn_buf_cstr(&t), "row %u col %u", row, c);
            tn_buf_free(&t);
        }
    }
    jt_free(&r);
    /* Inferred back without a schema: the strings and numbers are equal too. */
    r = jt_read(path, NULL);
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(jt_type(&r, "id"), "BIGINT");
    cr_assert_str_eq(jt_type(&r, "day"), "DATE");
    cr_assert_str_eq(jt_type(&r, "at"), "TIMESTAMP");
    cr_assert_str_eq(jt_type(&r, "score"), "DOUBLE");
    cr_assert_str_eq(jt_cell(&r, 2, "name"), "ctl \x01\x1f tab\t nl\n cr\r");
    cr_assert_str_eq(jt_cell(&r, 3, "name"), "unicode caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8");
    cr_assert_str_eq(jt_cell(&r, 1, "name"), "quote \" backslash \\ slash /");
    jt_free(&r);
    tn_batch_free(b);
}

Test(json_write, array_document)
{
    tn_batch *b = sample_batch();
    char *path = jt_path("arr.json");
    tn_error err = {0};
    cr_assert_eq(write_batch(path, b, true, &err), 0, "%s", err.message);
    size_t len;
    char *text = jt_slurp(path, &len);
    cr_assert_eq(text[0], '[');
    cr_assert_eq(tn_json_validate(text, len, &err), 0, "%s", err.message);
    tn_json_doc *doc = NULL;
    cr_assert_eq(tn_json_parse(text, len, &doc, &err), 0);
    cr_assert_eq(tn_json_count(tn_json_root(doc)), 6);
    cr_assert_str_eq(tn_json_cstr(tn_json_get(tn_json_at(tn_json_root(doc), 0), "name")), "plain");
    tn_json_free(doc);
    free(text);
    jt_result r = jt_read(path, NULL);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.rows, 6);
    cr_assert(strstr(r.describe, "\"layout\":\"array\"") != NULL);
    jt_free(&r);

    /* No rows: an empty array. */
    tn_batch_reset(b);
    b->row_count = 0;
    cr_assert_eq(write_batch(path, b, true, &err), 0);
    text = jt_slurp(path, &len);
    cr_assert_str_eq(text, "[]\n");
    free(text);
    tn_batch_free(b);
}

Test(json_write, abort_leaves_nothing)
{
    tn_batch *b = sample_batch();
    char *path = jt_path("aborted.ndjson");
    tn_error err = {0};
    void *w = NULL;
    cr_assert_eq(tn_format_json.writer_open(path, b->schema, NULL, &w, &err), 0);
    cr_assert_eq(tn_format_json.writer_write(w, b, &err), 0);
    cr_assert_eq(access(path, F_OK), -1);
    tn_format_json.writer_abort(w);
    cr_assert_eq(access(path, F_OK), -1);
    /* Nothing else is left in the folder either (no temporary file). */
    size_t count;
    char **names = jt_list(jt_tmpdir(), &count);
    for (size_t i = 0; i < count; i++) {
        cr_assert(strstr(names[i], "aborted") == NULL, "%s left behind", names[i]);
        free(names[i]);
    }
    free(names);
    tn_batch_free(b);
}

Test(json_write, blob_and_invalid_utf8)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "bin", tn_type_make(TN_TYPE_BLOB), true);
    tn_schema_add(s, "txt", tn_type_make(TN_TYPE_VARCHAR), true);
    tn_batch *b = tn_batch_new(s, 2);
    tn_schema_unref(s);
    tn_vector_append_str(&b->columns[0], 0, "a\x00\xff\"", 4);
    tn_vector_append_str(&b->columns[1], 0, "bad \xff\xfe end", 10);
    b->row_count = 1;
    char *path = jt_path("blob.ndjson");
    tn_error err = {0};
    cr_assert_eq(write_batch(path, b, false, &err), 0);
    size_t len;
    char *text = jt_slurp(path, &len);
    cr_assert_eq(tn_json_validate(text, len, &err), 0, "%s: %s", text, err.message);
    cr_assert(strstr(text, "\"bin\":\"a\\\\x00\\\\xFF\\\\x22\"") != NULL, "%s", text);
    cr_assert(strstr(text, "\"txt\":\"bad \\ufffd\\ufffd end\"") != NULL, "%s", text);
    free(text);
    tn_batch_free(b);
}

Test(json_write, many_rows_large_buffer)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "i", tn_type_make(TN_TYPE_BIGINT), true);
    tn_schema_add(s, "s", tn_type_make(TN_TYPE_VARCHAR), true);
    tn_batch *b = tn_batch_new(s, 2048);
    tn_schema_unref(s);
    char *path = jt_path("many.ndjson");
    tn_error err = {0};
    void *w = NULL;
    cr_assert_eq(tn_format_json.writer_open(path, b->schema, NULL, &w, &err), 0);
    char text[64];
    for (int k = 0; k < 100; k++) {
        tn_batch_reset(b);
        for (uint32_t r = 0; r < 2048; r++) {
            tn_vector_i64(&b->columns[0])[r] = k * 2048 + (int64_t)r;
            int n = snprintf(text, sizeof text, "row %d", k * 2048 + (int)r);
            tn_vector_append_str(&b->columns[1], r, text, (size_t)n);
        }
        b->row_count = 2048;
        cr_assert_eq(tn_format_json.writer_write(w, b, &err), 0);
    }
    cr_assert_eq(tn_format_json.writer_finish(w, &err), 0, "%s", err.message);
    jt_result r = jt_read(path, NULL);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.rows, 204800);
    cr_assert_str_eq(jt_cell(&r, 204799, "s"), "row 204799");
    cr_assert_str_eq(jt_cell(&r, 123456, "i"), "123456");
    jt_free(&r);
    tn_batch_free(b);
}
