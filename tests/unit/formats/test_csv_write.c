/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the CSV writer: quoting rules, NULL versus empty string, delimiters, the
 * atomic appearance of the file, and round trips through the reader.
 */
#include <sys/stat.h>

#include "test_csv_util.h"

static char *slurp_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* A batch of a VARCHAR column and an INTEGER column from parallel arrays (NULL = NULL). */
static tn_batch *text_batch(tn_schema *schema, const char **texts, const int *ints,
                            const bool *int_null, uint32_t rows)
{
    tn_batch *b = tn_batch_new(schema, rows);
    cr_assert_not_null(b);
    for (uint32_t i = 0; i < rows; i++) {
        if (texts[i])
            cr_assert_eq(tn_vector_append_str(&b->columns[0], i, texts[i], strlen(texts[i])), 0);
        else
            tn_vector_append_null(&b->columns[0], i);
        if (int_null[i])
            tn_vector_set_null(&b->columns[1], i);
        else
            tn_vector_i32(&b->columns[1])[i] = ints[i];
    }
    b->row_count = rows;
    return b;
}

static int write_batch(const char *path, tn_schema *schema, const tn_batch *b,
                       const tn_write_options *opts)
{
    void *state;
    tn_error err = {0};
    int rc = tn_format_csv.writer_open(path, schema, opts, &state, &err);
    if (rc)
        return rc;
    rc = tn_format_csv.writer_write(state, b, &err);
    if (rc) {
        tn_format_csv.writer_abort(state);
        return rc;
    }
    return tn_format_csv.writer_finish(state, &err);
}

Test(csv_write, quoting_rules)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "text", tn_type_make(TN_TYPE_VARCHAR), true);
    tn_schema_add(s, "n, m", tn_type_make(TN_TYPE_INTEGER), true);
    const char *texts[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", " lead",
                           "trail ", "", NULL};
    int ints[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    bool nulls[] = {false, false, false, false, false, false, false, true, false};
    tn_batch *b = text_batch(s, texts, ints, nulls, 9);
    const char *path = csv_test_path("q.csv");
    char p[512];
    snprintf(p, sizeof(p), "%s", path);
    cr_assert_eq(write_batch(p, s, b, NULL), 0);
    char *got = slurp_text(p);
    cr_assert_str_eq(got, "text,\"n, m\"\n"
                          "plain,1\n"
                          "\"a,b\",2\n"
                          "\"say \"\"hi\"\"\",3\n"
                          "\"two\nlines\",4\n"
                          "\"cr\rhere\",5\n"
                          "\" lead\",6\n"
                          "\"trail \",7\n"
                          "\"\",\n"
                          ",9\n");
    free(got);
    tn_batch_free(b);
    tn_schema_unref(s);
}

Test(csv_write, options)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "text", tn_type_make(TN_TYPE_VARCHAR), true);
    tn_schema_add(s, "n", tn_type_make(TN_TYPE_INTEGER), true);
    const char *texts[] = {"a\tb", "NA", NULL};
    int ints[] = {1, 2, 3};
    bool nulls[] = {false, true, false};
    tn_batch *b = text_batch(s, texts, ints, nulls, 3);

    const char *path = csv_test_path("o.tsv");
    char p[512];
    snprintf(p, sizeof(p), "%s", path);
    tn_write_options o = {.no_header = true, .null_string = "NA"};
    cr_assert_eq(write_batch(p, s, b, &o), 0);
    char *got = slurp_text(p);
    cr_assert_str_eq(got, "\"a\tb\"\t1\n\"NA\"\tNA\nNA\t3\n");
    free(got);

    tn_write_options semi = {.delimiter = ';'};
    cr_assert_eq(write_batch(p, s, b, &semi), 0);
    got = slurp_text(p);
    cr_assert_str_eq(got, "text;n\na\tb;1\nNA;\n;3\n");
    free(got);
    tn_batch_free(b);
    tn_schema_unref(s);
}

Test(csv_write, file_appears_only_on_finish)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "a", tn_type_make(TN_TYPE_INTEGER), true);
    const char *path = csv_test_path("atomic.csv");
    char p[512];
    snprintf(p, sizeof(p), "%s", path);
    void *state;
    tn_error err = {0};
    cr_assert_eq(tn_format_csv.writer_open(p, s, NULL, &state, &err), 0);
    struct stat st;
    cr_assert_neq(stat(p, &st), 0, "not visible before finish");
    tn_format_csv.writer_abort(state);
    cr_assert_neq(stat(p, &st), 0, "not visible after abort");
    cr_assert_eq(tn_format_csv.writer_open(p, s, NULL, &state, &err), 0);
    cr_assert_eq(tn_format_csv.writer_finish(state, &err), 0);
    cr_assert_eq(stat(p, &st), 0);
    tn_schema_unref(s);
}

/* Writes every type, reads it back with the written types, compares the text forms. */
Test(csv_write, round_trip_all_types)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "b", tn_type_make(TN_TYPE_BOOLEAN), true);
    tn_schema_add(s, "i", tn_type_make(TN_TYPE_INTEGER), true);
    tn_schema_add(s, "l", tn_type_make(TN_TYPE_BIGINT), true);
    tn_schema_add(s, "d", tn_type_make(TN_TYPE_DOUBLE), true);
    tn_schema_add(s, "m", tn_type_decimal(12, 3), true);
    tn_schema_add(s, "day", tn_type_make(TN_TYPE_DATE), true);
    tn_schema_add(s, "ts", tn_type_make(TN_TYPE_TIMESTAMP), true);
    tn_schema_add(s, "tz", tn_type_make(TN_TYPE_TIMESTAMPTZ), true);
    tn_schema_add(s, "s", tn_type_make(TN_TYPE_VARCHAR), true);
    const uint32_t rows = 5000;
    tn_batch *b = tn_batch_new(s, rows);
    const char *texts[] = {"", "x,y", "q\"q", "line\r\nbreak", " sp ", "ünïcødé", "#hash", "NULL"};
    for (uint32_t i = 0; i < rows; i++) {
        bool null_row = i % 11 == 5;
        for (uint32_t c = 0; c < 9; c++)
            if (null_row || (i + c) % 17 == 0)
                tn_vector_append_null(&b->columns[c], i);
        if (!tn_vector_is_valid(&b->columns[0], i))
            ; /* stays NULL */
        else
            tn_vector_set_bool(&b->columns[0], i, i % 3 == 0);
        tn_vector_i32(&b->columns[1])[i] = (int32_t)(i * 7919) - 1000000;
        tn_vector_i64(&b->columns[2])[i] = (int64_t)i * 123456789012LL - 5;
        tn_vector_f64(&b->columns[3])[i] = i * 0.1 - 3.3e-7;
        tn_vector_set_decimal(&b->columns[4], i, (tn_i128)i * 1001 - 7);
        tn_vector_i32(&b->columns[5])[i] = (int32_t)i - 2000;
        tn_vector_i64(&b->columns[6])[i] = (int64_t)i * 86400123456LL;
        tn_vector_i64(&b->columns[7])[i] = (int64_t)i * 3600000001LL;
        if (tn_vector_is_valid(&b->columns[8], i)) {
            const char *t = texts[i % 8];
            tn_vector_append_str(&b->columns[8], i, t, strlen(t));
        }
    }
    b->row_count = rows;
    const char *path = csv_test_path("rt.csv");
    char p[512];
    snprintf(p, sizeof(p), "%s", path);
    cr_assert_eq(write_batch(p, s, b, NULL), 0);

    tn_read_options o = {.schema = s};
    csv_test_result *r = csv_test_read(p, &o);
    cr_assert_eq(r->rc, 0, "%s", r->err.message);
    cr_assert_eq(r->nrejects, 0, "%s", r->nrejects ? r->rejects[0].reason : "");
    cr_assert_eq(r->nrows, rows);
    tn_buf text = TN_BUF_INIT;
    for (uint32_t i = 0; i < rows; i++)
        for (uint32_t c = 0; c < 9; c++) {
            tn_buf_clear(&text);
            int frc = tn_vector_format_value(&b->columns[c], i, &text);
            if (frc == 1)
                csv_assert_cell(r, i, c, NULL);
            else
                csv_assert_cell(r, i, c, tn_buf_cstr(&text));
        }
    tn_buf_free(&text);
    csv_test_free(r);

    /* Inferred types read the same values too. */
    r = csv_test_read(p, NULL);
    cr_assert_eq(r->nrows, rows);
    cr_assert_str_eq(csv_test_type(r, 0), "BOOLEAN");
    cr_assert_str_eq(csv_test_type(r, 2), "BIGINT");
    cr_assert_str_eq(csv_test_type(r, 5), "DATE");
    cr_assert_str_eq(csv_test_type(r, 7), "TIMESTAMPTZ");
    cr_assert_str_eq(csv_test_type(r, 8), "VARCHAR");
    csv_assert_cell(r, 0, 8, "");
    csv_assert_cell(r, 3, 8, "line\r\nbreak");
    csv_assert_cell(r, 5, 8, NULL);
    csv_test_free(r);
    tn_batch_free(b);
    tn_schema_unref(s);
}

Test(csv_write, round_trip_single_column_nulls)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "v", tn_type_make(TN_TYPE_VARCHAR), true);
    tn_batch *b = tn_batch_new(s, 4);
    tn_vector_append_str(&b->columns[0], 0, "a", 1);
    tn_vector_append_null(&b->columns[0], 1);
    tn_vector_append_str(&b->columns[0], 2, "", 0);
    tn_vector_append_str(&b->columns[0], 3, "b", 1);
    b->row_count = 4;
    const char *path = csv_test_path("one.csv");
    char p[512];
    snprintf(p, sizeof(p), "%s", path);
    cr_assert_eq(write_batch(p, s, b, NULL), 0);
    csv_test_result *r = csv_test_read(p, NULL);
    cr_assert_eq(r->nrows, 4);
    csv_assert_cell(r, 0, 0, "a");
    csv_assert_cell(r, 1, 0, NULL);
    csv_assert_cell(r, 2, 0, "");
    csv_assert_cell(r, 3, 0, "b");
    csv_test_free(r);
    tn_batch_free(b);
    tn_schema_unref(s);
}
