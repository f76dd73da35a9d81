/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the CSV reader: dialect sniffing, header detection, column names, type
 * inference, NULL handling, rejected rows and strict mode; and for the internal pieces that
 * must agree exactly (the bit-mask tokenizer with the general one, the fast conversions with
 * the core tn_parse_* functions).
 */
#include <dirent.h>

#include "formats/csv/csv_int.h"
#include "test_csv_util.h"

/* ---- basics ----------------------------------------------------------------------------- */

Test(csv, basic_header_and_types)
{
    csv_test_result *r = csv_test_read_text(
        "basic.csv", "id,name,price,day\n1,\"Alice, A\",1.5,2024-01-02\n2,Bob,2.25,2024-02-03\n",
        NULL);
    cr_assert_eq(r->rc, 0, "%s", r->err.message);
    cr_assert_eq(r->ncols, 4);
    cr_assert_str_eq(r->names[0], "id");
    cr_assert_str_eq(r->names[3], "day");
    cr_assert_str_eq(csv_test_type(r, 0), "INTEGER");
    cr_assert_str_eq(csv_test_type(r, 1), "VARCHAR");
    cr_assert_str_eq(csv_test_type(r, 2), "DOUBLE");
    cr_assert_str_eq(csv_test_type(r, 3), "DATE");
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 0, 1, "Alice, A");
    csv_assert_cell(r, 1, 2, "2.25");
    csv_assert_cell(r, 1, 3, "2024-02-03");
    cr_assert_eq(r->nrejects, 0);
    csv_test_free(r);
}

Test(csv, describe_json)
{
    csv_test_result *r = csv_test_read_text("desc.csv", "\xEF\xBB\xBF" "a;b\r\n1;2\r\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_str_eq(r->describe,
                     "{\"delimiter\":\";\",\"quote\":\"\\\"\",\"escape\":\"\\\"\",\"header\":true,"
                     "\"line_ending\":\"crlf\",\"bom\":true,\"compression\":null,"
                     "\"comment\":null}");
    cr_assert_str_eq(r->names[0], "a", "the BOM is not part of the first name");
    csv_test_free(r);
}

Test(csv, empty_file)
{
    csv_test_result *r = csv_test_read_text("empty.csv", "", NULL);
    cr_assert_eq(r->rc, 0, "%s", r->err.message);
    cr_assert_eq(r->ncols, 1);
    cr_assert_str_eq(r->names[0], "column0");
    cr_assert_eq(r->nrows, 0);
    csv_test_free(r);
    r = csv_test_read_text("blank.csv", "\n\n\r\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 0);
    csv_test_free(r);
}

Test(csv, header_only)
{
    csv_test_result *r = csv_test_read_text("ho.csv", "a,b,c\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->ncols, 3);
    cr_assert_str_eq(r->names[2], "c");
    cr_assert_eq(r->nrows, 0);
    csv_test_free(r);
}

Test(csv, missing_file)
{
    csv_test_result *r = csv_test_read("/nonexistent/nothing.csv", NULL);
    cr_assert_neq(r->rc, 0);
    csv_test_free(r);
}

/* ---- dialect ----------------------------------------------------------------------------- */

Test(csv, sniff_delimiters)
{
    const char *texts[] = {"a\tb\tc\n1\t2\t3\n4\t5\t6\n", "a;b;c\n1;2;3\n4;5;6\n",
                           "a|b|c\n1|2|3\n4|5|6\n", "a,b,c\n1,2,3\n4,5,6\n"};
    const char delims[] = {'\t', ';', '|', ','};
    for (int i = 0; i < 4; i++) {
        csv_test_result *r = csv_test_read_text("sniff.csv", texts[i], NULL);
        cr_assert_eq(r->rc, 0);
        cr_assert_eq(r->ncols, 3, "case %d", i);
        cr_assert_eq(r->nrows, 2);
        csv_assert_cell(r, 1, 2, "6");
        char want[32];
        snprintf(want, sizeof(want), "{\"delimiter\":\"%s\"", delims[i] == '\t' ? "\\t" : (char[]){delims[i], 0});
        cr_assert(strncmp(r->describe, want, strlen(want)) == 0, "%s", r->describe);
        csv_test_free(r);
    }
}

Test(csv, sniff_prefers_consistent_delimiter)
{
    /* Commas inside the text but a consistent semicolon layout. */
    csv_test_result *r = csv_test_read_text(
        "semi.csv", "name;note\nann;a, b, c\nbob;d\ncid;e, f\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->ncols, 2);
    csv_assert_cell(r, 0, 1, "a, b, c");
    csv_test_free(r);
}

Test(csv, single_column)
{
    csv_test_result *r = csv_test_read_text("one.csv", "value\n10\n20\n\n30\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->ncols, 1);
    cr_assert_str_eq(r->names[0], "value");
    cr_assert_str_eq(csv_test_type(r, 0), "INTEGER");
    /* In a one-column file an empty line is a NULL value (as DuckDB reads it). */
    cr_assert_eq(r->nrows, 4);
    csv_assert_cell(r, 2, 0, NULL);
    csv_assert_cell(r, 3, 0, "30");
    csv_test_free(r);
}

Test(csv, explicit_delimiter_and_quote)
{
    tn_read_options o = {.delimiter = '|', .quote = '\''};
    csv_test_result *r = csv_test_read_text("q.csv", "a|b\n'x|y'|'it''s'\n", &o);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 1);
    csv_assert_cell(r, 0, 0, "x|y");
    csv_assert_cell(r, 0, 1, "it's");
    csv_test_free(r);
}

Test(csv, backslash_escape)
{
    tn_read_options o = {.escape = '\\'};
    csv_test_result *r =
        csv_test_read_text("esc.csv", "a,b\n1,\"say \\\"hi\\\"\"\n2,\"back\\\\slash\"\n3,\"c:\\dir\"\n", &o);
    cr_assert_eq(r->rc, 0, "%s", r->err.message);
    cr_assert_eq(r->nrows, 3);
    csv_assert_cell(r, 0, 1, "say \"hi\"");
    csv_assert_cell(r, 1, 1, "back\\slash");
    csv_assert_cell(r, 2, 1, "c:\\dir");
    csv_test_free(r);
}

Test(csv, sniffs_backslash_escape)
{
    csv_test_result *r = csv_test_read_text(
        "besc.csv", "123|TEST7|text1\n345|TEST7|\"text\\\"2\\\"\"\n\"567\"|TEST7|text3\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->ncols, 3);
    cr_assert_eq(r->nrows, 3);
    cr_assert_str_eq(csv_test_type(r, 0), "INTEGER");
    csv_assert_cell(r, 1, 2, "text\"2\"");
    csv_assert_cell(r, 2, 0, "567");
    cr_assert(strstr(r->describe, "\"escape\":\"\\\\\""), "%s", r->describe);
    csv_test_free(r);
}

Test(csv, comments)
{
    tn_read_options o = {.comment = '#'};
    csv_test_result *r = csv_test_read_text(
        "c.csv", "# header comment\na,b\n1,2\n# middle \"quote\n3,4\n#end", &o);
    cr_assert_eq(r->rc, 0, "%s", r->err.message);
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 1, 0, "3");
    cr_assert_eq(r->nrejects, 0);
    csv_test_free(r);
}

Test(csv, line_endings)
{
    const char *texts[] = {"a,b\n1,2\n3,4\n", "a,b\r\n1,2\r\n3,4\r\n", "a,b\r1,2\r3,4\r",
                           "a,b\n1,2\r\n3,4\r", "a,b\n1,2\n3,4"};
    for (int i = 0; i < 5; i++) {
        csv_test_result *r = csv_test_read_text("le.csv", texts[i], NULL);
        cr_assert_eq(r->rc, 0);
        cr_assert_eq(r->nrows, 2, "case %d", i);
        csv_assert_cell(r, 1, 1, "4");
        csv_test_free(r);
    }
}

Test(csv, quoted_newlines_and_quotes)
{
    csv_test_result *r = csv_test_read_text(
        "qn.csv", "a,b\n\"line1\nline2\",\"he said \"\"hi\"\"\"\n\"x\r\ny\",z\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 0, 0, "line1\nline2");
    csv_assert_cell(r, 0, 1, "he said \"hi\"");
    csv_assert_cell(r, 1, 0, "x\r\ny");
    csv_test_free(r);
}

Test(csv, stray_quotes_toggle)
{
    /* DuckDB's relaxed reading: every quote toggles quoting. */
    tn_read_options o = {.delimiter = ';', .header = TN_HEADER_NO};
    csv_test_result *r =
        csv_test_read_text("stray.csv", "1;\"pedro \"pdet\" holanda\"\n3;\"pedro \"pdet\" ho;landa\"\n", &o);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 0, 1, "pedro pdet holanda");
    csv_assert_cell(r, 1, 1, "pedro pdet ho;landa");
    csv_test_free(r);
}

Test(csv, trailing_delimiter_dropped)
{
    csv_test_result *r = csv_test_read_text("td.csv", "a,b,\n1,2,\n3,4,\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->ncols, 2);
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 1, 1, "4");
    cr_assert_eq(r->nrejects, 0);
    csv_test_free(r);
}

/* ---- header and names -------------------------------------------------------------------- */

Test(csv, header_detection)
{
    csv_test_result *r = csv_test_read_text("nh.csv", "1,2,x\n3,4,y\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 2, "numbers in the first row: no header");
    cr_assert_str_eq(r->names[0], "column0");
    cr_assert_str_eq(r->names[2], "column2");
    cr_assert_str_eq(csv_test_type(r, 0), "INTEGER");
    cr_assert(strstr(r->describe, "\"header\":false"));
    csv_test_free(r);

    r = csv_test_read_text("vh.csv", "Alice,StreetA\nBob,StreetB\n", NULL);
    cr_assert_eq(r->nrows, 1, "all text: the first row is taken as a header (as DuckDB)");
    cr_assert_str_eq(r->names[0], "Alice");
    csv_test_free(r);

    tn_read_options no = {.header = TN_HEADER_NO};
    r = csv_test_read_text("vh2.csv", "Alice,StreetA\nBob,StreetB\n", &no);
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 0, 0, "Alice");
    csv_test_free(r);

    tn_read_options yes = {.header = TN_HEADER_YES};
    r = csv_test_read_text("yh.csv", "1,2\n3,4\n", &yes);
    cr_assert_eq(r->nrows, 1);
    cr_assert_str_eq(r->names[0], "1");
    csv_test_free(r);

    r = csv_test_read_text("sv.csv", "Test\n", NULL);
    cr_assert_eq(r->nrows, 0, "a lone text value is a header");
    cr_assert_str_eq(r->names[0], "Test");
    csv_test_free(r);

    r = csv_test_read_text("sn.csv", "1\n", NULL);
    cr_assert_eq(r->nrows, 1, "a lone number is data");
    csv_test_free(r);

    r = csv_test_read_text("eh.csv", ",,\n123,TEST3,text1\n345,TEST3,text2\n", NULL);
    cr_assert_eq(r->nrows, 2, "an all-empty first row is a header");
    cr_assert_str_eq(r->names[0], "column0");
    cr_assert_str_eq(r->names[1], "column1");
    csv_test_free(r);
}

Test(csv, names_dedup_and_trim)
{
    csv_test_result *r =
        csv_test_read_text("dn.csv", " a ,b,a,,A,a_1\n1,2,3,4,5,6\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->ncols, 6);
    cr_assert_str_eq(r->names[0], "a");
    cr_assert_str_eq(r->names[1], "b");
    cr_assert_str_eq(r->names[2], "a_1");
    cr_assert_str_eq(r->names[3], "column3");
    cr_assert_str_eq(r->names[4], "A_2");
    cr_assert_str_eq(r->names[5], "a_1_1");
    csv_test_free(r);
}

Test(csv, generated_names_are_padded)
{
    csv_test_result *r = csv_test_read_text("pad.csv", "1,2,3,4,5,6,7,8,9,10,11\n", NULL);
    cr_assert_eq(r->ncols, 11);
    cr_assert_str_eq(r->names[0], "column00");
    cr_assert_str_eq(r->names[10], "column10");
    csv_test_free(r);
}

/* ---- inference ---------------------------------------------------------------------------- */

Test(csv, inference_types)
{
    csv_test_result *r = csv_test_read_text(
        "inf.csv",
        "b,i,big,d,dt,ts,tz,s,nul,mixed,sp\n"
        "true,1,3000000000,1.5,2024-01-01,2024-01-01 10:00:00,2024-01-01T10:00:00Z,x,,1, 7 \n"
        "FALSE,-2,1,2,2024-02-29,2024-01-02,2024-01-01 10:00:00+02:00,12,,2.5,8\n"
        "t,,5,1e3,,2024-01-03T04:05:06.123456,,,,3,\n",
        NULL);
    cr_assert_eq(r->rc, 0, "%s", r->err.message);
    const char *want[] = {"BOOLEAN", "INTEGER", "BIGINT",      "DOUBLE",  "DATE",   "TIMESTAMP",
                          "TIMESTAMPTZ", "VARCHAR", "VARCHAR", "DOUBLE", "INTEGER"};
    for (uint32_t c = 0; c < 11; c++)
        cr_assert_str_eq(csv_test_type(r, c), want[c], "column %s", r->names[c]);
    csv_assert_cell(r, 1, 0, "false");
    csv_assert_cell(r, 2, 1, NULL);
    csv_assert_cell(r, 0, 2, "3000000000");
    csv_assert_cell(r, 2, 3, "1000.0");
    csv_assert_cell(r, 1, 5, "2024-01-02 00:00:00");
    csv_assert_cell(r, 2, 5, "2024-01-03 04:05:06.123456");
    csv_assert_cell(r, 1, 6, "2024-01-01 08:00:00+00");
    csv_assert_cell(r, 0, 10, "7");
    csv_assert_cell(r, 2, 10, NULL);
    csv_assert_cell(r, 0, 8, NULL);
    csv_test_free(r);
}

Test(csv, inference_numbers_are_not_booleans)
{
    csv_test_result *r = csv_test_read_text("zo.csv", "flag\n0\n1\n1\n", NULL);
    cr_assert_str_eq(csv_test_type(r, 0), "INTEGER");
    csv_test_free(r);
}

Test(csv, leading_zeros_stay_text)
{
    csv_test_result *r = csv_test_read_text("zip.csv", "zip,n,x\n08123,0,0.5\n10001,10,-0.25\n", NULL);
    cr_assert_str_eq(csv_test_type(r, 0), "VARCHAR");
    cr_assert_str_eq(csv_test_type(r, 1), "INTEGER");
    cr_assert_str_eq(csv_test_type(r, 2), "DOUBLE");
    csv_assert_cell(r, 0, 0, "08123");
    csv_test_free(r);
}

Test(csv, quoted_numbers_vote)
{
    csv_test_result *r = csv_test_read_text("qnum.csv", "a,b\n\"1\",\"x\"\n\"2\",y\n", NULL);
    cr_assert_str_eq(csv_test_type(r, 0), "INTEGER");
    csv_assert_cell(r, 1, 0, "2");
    csv_test_free(r);
}

Test(csv, all_varchar)
{
    tn_read_options o = {.all_varchar = true};
    csv_test_result *r = csv_test_read_text("av.csv", "a,b\n1,2024-01-01\n,x\n", &o);
    cr_assert_str_eq(csv_test_type(r, 0), "VARCHAR");
    cr_assert_str_eq(csv_test_type(r, 1), "VARCHAR");
    csv_assert_cell(r, 0, 0, "1");
    csv_assert_cell(r, 1, 0, NULL);
    csv_test_free(r);
}

Test(csv, schema_by_name_and_position)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "price", tn_type_decimal(10, 2), true);
    tn_read_options o = {.schema = s};
    csv_test_result *r = csv_test_read_text("sch.csv", "id,price\n1,1.5\n2,2.25\n", &o);
    cr_assert_eq(r->rc, 0, "%s", r->err.message);
    cr_assert_str_eq(csv_test_type(r, 0), "INTEGER", "unlisted columns are inferred");
    cr_assert_str_eq(csv_test_type(r, 1), "DECIMAL(10,2)");
    csv_assert_cell(r, 0, 1, "1.50");
    csv_test_free(r);
    tn_schema_unref(s);

    s = tn_schema_new();
    tn_schema_add(s, "x", tn_type_make(TN_TYPE_BIGINT), true);
    tn_schema_add(s, "y", tn_type_make(TN_TYPE_VARCHAR), true);
    o.schema = s;
    r = csv_test_read_text("sch2.csv", "1,2\n3,4\n", &o);
    cr_assert_eq(r->rc, 0);
    cr_assert_str_eq(r->names[0], "x");
    cr_assert_str_eq(csv_test_type(r, 0), "BIGINT");
    cr_assert_str_eq(csv_test_type(r, 1), "VARCHAR");
    cr_assert_eq(r->nrows, 2);
    csv_test_free(r);

    r = csv_test_read_text("sch3.csv", "1,2,3\n4,5,6\n", &o);
    cr_assert_eq(r->rc, TN_EINVAL);
    cr_assert(strstr(r->err.message, "2 columns"), "%s", r->err.message);
    csv_test_free(r);
    tn_schema_unref(s);
}

/* ---- NULLs --------------------------------------------------------------------------------- */

Test(csv, nulls_default)
{
    csv_test_result *r = csv_test_read_text("n.csv", "a,b,c\nx,,\"\"\n", NULL);
    cr_assert_eq(r->nrows, 1);
    csv_assert_cell(r, 0, 1, NULL);
    csv_assert_cell(r, 0, 2, "");
    csv_test_free(r);
}

Test(csv, null_strings)
{
    const char *nulls[] = {"", "none", "null"};
    tn_read_options o = {.null_strings = nulls, .null_string_count = 3};
    csv_test_result *r = csv_test_read_text(
        "ns.csv", "name,age,height\nPedro,31,1.73\nMark,null,\nThijs,26,none\n\"none\",none,\n", &o);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 4);
    cr_assert_str_eq(csv_test_type(r, 1), "INTEGER");
    cr_assert_str_eq(csv_test_type(r, 2), "DOUBLE");
    csv_assert_cell(r, 1, 1, NULL);
    csv_assert_cell(r, 1, 2, NULL);
    csv_assert_cell(r, 2, 2, NULL);
    csv_assert_cell(r, 3, 0, "none"); /* quoted: a string, not NULL */
    csv_test_free(r);

    const char *na[] = {"NA"};
    tn_read_options o2 = {.null_strings = na, .null_string_count = 1};
    r = csv_test_read_text("na.csv", "a,b\nx,NA\n,1\n", &o2);
    csv_assert_cell(r, 0, 1, NULL);
    csv_assert_cell(r, 1, 0, ""); /* without "" among the null strings: text */
    csv_test_free(r);
}

/* ---- rejects ------------------------------------------------------------------------------- */

Test(csv, rejects_field_count_with_lines)
{
    csv_test_result *r = csv_test_read_text(
        "rj.csv", "a,b,c\n1,2,3\n\"multi\nline\",5,6\n7,8\n9,10,11,12\n\n13,14,15\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 3);
    cr_assert_eq(r->nrejects, 2);
    cr_assert_eq(r->rejected, 2);
    cr_assert_eq(r->rejects[0].line, 5);
    cr_assert_eq(r->rejects[0].column, 0);
    cr_assert_str_eq(r->rejects[0].reason, "expected 3 fields, found 2");
    cr_assert_str_eq(r->rejects[0].raw, "7,8");
    cr_assert_eq(r->rejects[1].line, 6);
    cr_assert_str_eq(r->rejects[1].reason, "expected 3 fields, found 4");
    csv_assert_cell(r, 2, 0, "13");
    csv_test_free(r);
}

/* Timestamps that share a minute with the row before reuse its parsed prefix: values within a
 * minute, across minutes and days, with 'T' or a fraction, and bad seconds after a good row
 * of the same minute all read as when parsed alone. */
Test(csv, timestamps_sharing_a_minute)
{
    tn_read_options o = {.sample_rows = 2};
    csv_test_result *r = csv_test_read_text(
        "tsm.csv",
        "id,at\n1,2024-01-01 00:00:01\n2,2024-01-01 00:00:59\n3,2024-01-01 00:01:00\n"
        "4,2024-01-01T00:01:07\n5,2024-01-01 00:01:07.25\n6,2023-12-31 23:59:59\n"
        "7,2024-01-01 00:01:60\n8,2024-01-01 00:01:0x\n9,2024-02-30 00:01:00\n"
        "10,2024-02-29 00:01:09\n",
        &o);
    cr_assert_eq(r->rc, 0, "%s", r->err.message);
    cr_assert_str_eq(csv_test_type(r, 1), "TIMESTAMP");
    cr_assert_eq(r->nrows, 7);
    const char *want[] = {"2024-01-01 00:00:01", "2024-01-01 00:00:59", "2024-01-01 00:01:00",
                          "2024-01-01 00:01:07", "2024-01-01 00:01:07.25",
                          "2023-12-31 23:59:59", "2024-02-29 00:01:09"};
    for (size_t i = 0; i < 7; i++) csv_assert_cell(r, i, 1, want[i]);
    cr_assert_eq(r->nrejects, 3);
    cr_assert_eq(r->rejects[0].line, 8);
    cr_assert_eq(r->rejects[1].line, 9);
    cr_assert_eq(r->rejects[2].line, 10);
    csv_test_free(r);
}

Test(csv, rejects_bad_value_after_sample)
{
    tn_read_options o = {.sample_rows = 2};
    csv_test_result *r = csv_test_read_text(
        "bv.csv", "id,day\n1,2024-01-01\n2,2024-01-02\n3,2024-13-45\nx,2024-01-04\n5,2024-01-05\n",
        &o);
    cr_assert_eq(r->rc, 0);
    cr_assert_str_eq(csv_test_type(r, 1), "DATE");
    cr_assert_eq(r->nrows, 3);
    cr_assert_eq(r->nrejects, 2);
    cr_assert_eq(r->rejects[0].line, 4);
    cr_assert_eq(r->rejects[0].column, 2);
    cr_assert_str_eq(r->rejects[0].column_name, "day");
    cr_assert_str_eq(r->rejects[0].reason, "'2024-13-45' is not a valid DATE");
    cr_assert_str_eq(r->rejects[0].raw, "3,2024-13-45");
    cr_assert_eq(r->rejects[1].line, 5);
    cr_assert_eq(r->rejects[1].column, 1);
    cr_assert_str_eq(r->rejects[1].reason, "'x' is not a valid INTEGER");
    csv_assert_cell(r, 2, 0, "5");

    tn_read_options all = {.sample_rows = TN_SAMPLE_ALL};
    csv_test_result *r2 = csv_test_read_text(
        "bv2.csv", "id,day\n1,2024-01-01\n2,2024-01-02\n3,2024-13-45\nx,2024-01-04\n", &all);
    cr_assert_str_eq(csv_test_type(r2, 0), "VARCHAR");
    cr_assert_str_eq(csv_test_type(r2, 1), "VARCHAR");
    cr_assert_eq(r2->nrows, 4);
    csv_test_free(r2);
    csv_test_free(r);
}

Test(csv, rejects_invalid_utf8)
{
    csv_test_result *r =
        csv_test_read_text("u8.csv", "a,b\n1,ok\n2,bad\xff\xfe\n3,\xc3\xa9t\xc3\xa9\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 2);
    cr_assert_eq(r->nrejects, 1);
    cr_assert_eq(r->rejects[0].line, 3);
    cr_assert_eq(r->rejects[0].column, 2);
    cr_assert_str_eq(r->rejects[0].reason, "invalid UTF-8");
    csv_assert_cell(r, 1, 1, "\xc3\xa9t\xc3\xa9");
    csv_test_free(r);
}

Test(csv, rejects_unterminated_quote)
{
    csv_test_result *r = csv_test_read_text("ut.csv", "a,b\n1,2\n3,\"open\n4,5\n", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 1);
    cr_assert_eq(r->nrejects, 1);
    cr_assert_eq(r->rejects[0].line, 3);
    cr_assert(strstr(r->rejects[0].reason, "unterminated quote"));
    cr_assert_str_eq(r->rejects[0].raw, "3,\"open\n4,5\n");
    csv_test_free(r);
}

Test(csv, raw_text_is_capped)
{
    char *text = malloc(20000);
    strcpy(text, "a,b\n1,2\n");
    size_t n = strlen(text);
    memset(text + n, 'x', 10000);
    n += 10000;
    strcpy(text + n, ",1,2\n3,4\n");
    csv_test_result *r = csv_test_read_text("cap.csv", text, NULL);
    cr_assert_eq(r->nrejects, 1);
    cr_assert_eq(strlen(r->rejects[0].raw), 4096);
    csv_test_free(r);
    free(text);
}

Test(csv, strict_mode_error)
{
    tn_read_options o = {.strict = true, .sample_rows = 1};
    csv_test_result *r =
        csv_test_read_text("st.csv", "id,amount\n1,10\n2,20\n3,abc\n4,40\n", &o);
    cr_assert_eq(r->rc, TN_EPARSE);
    cr_assert_eq(r->nrows, 2, "rows before the problem are delivered");
    cr_assert_eq(r->err.line, 4);
    cr_assert_eq(r->err.column, 2);
    cr_assert_str_eq(r->err.key, "amount");
    cr_assert(strstr(r->err.file, "st.csv"));
    cr_assert(strstr(r->err.message, "'abc' is not a valid INTEGER"), "%s", r->err.message);
    cr_assert(strstr(r->err.message, "--schema"), "%s", r->err.message);
    cr_assert_eq(r->nrejects, 0, "strict mode reports an error, not rejects");
    csv_test_free(r);

    r = csv_test_read_text("st2.csv", "a,b\n1,2\n3\n", &o);
    cr_assert_eq(r->rc, TN_EPARSE);
    cr_assert_eq(r->err.line, 3);
    cr_assert(strstr(r->err.message, "expected 2 fields, found 1"), "%s", r->err.message);
    csv_test_free(r);
}

Test(csv, batch_rows_option)
{
    tn_buf text = TN_BUF_INIT;
    tn_buf_append_cstr(&text, "n\n");
    for (int i = 0; i < 1000; i++)
        tn_buf_printf(&text, "%d\n", i);
    tn_read_options o = {.batch_rows = 100};
    csv_test_result *r = csv_test_read_text("br.csv", tn_buf_cstr(&text), &o);
    cr_assert_eq(r->nrows, 1000);
    cr_assert_eq(r->batches, 10);
    csv_assert_cell(r, 999, 0, "999");
    csv_test_free(r);
    tn_buf_free(&text);
}

Test(csv, record_longer_than_a_block)
{
    /* One 20 MiB field: the buffer grows past the block size. */
    size_t big = (size_t)20 << 20;
    char *text = malloc(big + 64);
    strcpy(text, "a,b\n1,\"");
    size_t n = strlen(text);
    memset(text + n, 'y', big);
    n += big;
    strcpy(text + n, "\"\n2,z\n");
    csv_test_result *r = csv_test_read_text("long.csv", text, NULL);
    cr_assert_eq(r->rc, 0, "%s", r->err.message);
    cr_assert_eq(r->nrows, 2);
    cr_assert_eq(strlen(r->cells[0][1]), big);
    csv_assert_cell(r, 1, 1, "z");
    csv_test_free(r);
    free(text);
}

Test(csv, nul_bytes_are_data)
{
    const char text[] = "a,b\nx\0y,1\n";
    const char *path = csv_test_write("nul.csv", text, sizeof(text) - 1);
    csv_test_result *r = csv_test_read(path, NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 1);
    csv_test_free(r);
}

/* ---- internal agreements ------------------------------------------------------------------ */

/* Tokenizes text with both tokenizers and asserts identical records. */
static void compare_tokenizers(const char *text, size_t len, char delim, bool blank_is_record)
{
    char *buf = malloc(len + TN_CSV_PAD);
    memcpy(buf, text, len);
    memset(buf + len, 0, TN_CSV_PAD);
    tn_csv_dialect d = {.delimiter = delim, .quote = '"', .escape = '"',
                        .blank_is_record = blank_is_record};
    tn_csv_fast fx;
    tn_csv_scanner sc;
    tn_csv_record a = {0}, b = {0};
    tn_csv_fast_init(&fx, &d, buf, buf + len);
    tn_csv_scanner_init(&sc, &d, buf + len);
    const char *p = buf;
    for (int n = 0;; n++) {
        int sa = tn_csv_fast_next(&fx, &d, &a);
        int sb = tn_csv_next_record(&sc, &d, p, true, &b);
        cr_assert_eq(sa, sb, "record %d", n);
        cr_assert_eq(a.lead_lines, b.lead_lines, "record %d", n);
        cr_assert_eq(a.lines, b.lines, "record %d", n);
        if (sa == TN_CSV_END)
            break;
        cr_assert(a.start == b.start && a.end == b.end && a.next == b.next, "record %d", n);
        cr_assert_eq(a.field_count, b.field_count, "record %d", n);
        for (uint32_t i = 0; i < a.field_count; i++) {
            cr_assert(a.fields[i].ptr == b.fields[i].ptr, "record %d field %u", n, i);
            cr_assert_eq(a.fields[i].len, b.fields[i].len, "record %d field %u", n, i);
            cr_assert_eq(a.fields[i].flags, b.fields[i].flags, "record %d field %u", n, i);
        }
        if (sa == TN_CSV_UNTERMINATED)
            break;
        p = b.next;
    }
    tn_csv_record_free(&a);
    tn_csv_record_free(&b);
    free(buf);
}

Test(csv_internal, fast_tokenizer_matches_general)
{
    const char *cases[] = {
        "", "\n", "\r\n\r\n", "a", "a\n", "a,b\r\nc,d", "a,b\rc,d\r", "\"a,b\",c\n",
        "\"multi\nline\",x\r\n\"cr\rin\",y\n", "\"q\"\"q\",\"\"\n", "ab\"c\"d,e\n", "\"open,\nnever",
        " \"x\" ,\"y\" z\n", "\n\n\na,b\n\n", "\r\r\n\r", "a,b,\n,,\n", "\"\"\"\"\n\"\r\n\"\n",
        "x\r", "x\r\r\n\n\r", "\"a\"\"\nb\",c"};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        compare_tokenizers(cases[i], strlen(cases[i]), ',', false);
        compare_tokenizers(cases[i], strlen(cases[i]), ',', true);
        compare_tokenizers(cases[i], strlen(cases[i]), '\t', false);
    }
    /* Long lines so that records and quotes cross the 64-byte chunks at every offset. */
    uint64_t x = 12345;
    for (int round = 0; round < 200; round++) {
        char text[700];
        size_t n = 0;
        while (n < sizeof(text)) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            const char alphabet[] = "ab,\",\n\r x\"";
            text[n++] = alphabet[(x >> 33) % (sizeof(alphabet) - 1)];
        }
        compare_tokenizers(text, n, ',', round & 1);
    }
    /* Every conformance file. */
    const char *dirs[] = {TARN_CONFORMANCE_DIR "/csv/csv-spectrum/csvs",
                          TARN_CONFORMANCE_DIR "/csv/commons-csv",
                          TARN_CONFORMANCE_DIR "/csv/duckdb/data/csv",
                          TARN_CONFORMANCE_DIR "/csv/duckdb/data/csv/test",
                          TARN_CONFORMANCE_DIR "/csv/duckdb/data/csv/auto"};
    int files = 0;
    for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
        DIR *dir = opendir(dirs[k]);
        cr_assert_not_null(dir, "%s", dirs[k]);
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            if (de->d_name[0] == '.' || !strstr(de->d_name, ".csv"))
                continue;
            char path[1024];
            snprintf(path, sizeof(path), "%s/%s", dirs[k], de->d_name);
            FILE *f = fopen(path, "rb");
            if (!f)
                continue;
            static char data[1 << 20];
            size_t n = fread(data, 1, sizeof(data), f);
            fclose(f);
            compare_tokenizers(data, n, ',', false);
            compare_tokenizers(data, n, '|', true);
            files++;
        }
        closedir(dir);
    }
    cr_assert_gt(files, 60);
}

Test(csv_internal, fast_conversions_match_core)
{
    const char *ints[] = {"0", "-0", "7", "-7", "123456789012345678", "-123456789012345678",
                          "1234567890123456789", "9223372036854775807", "9223372036854775808",
                          "-9223372036854775808", "+5", "", "-", "12a", "2147483647",
                          "2147483648", "-2147483648", "-2147483649", "00012", " 1", "1.0"};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        const char *p = ints[i];
        size_t n = strlen(p);
        int64_t a = 0, b = 0;
        bool oa = tn_csv_parse_int64(p, n, &a), ob = tn_parse_int64(p, n, &b);
        cr_assert_eq(oa, ob, "%s", p);
        if (oa)
            cr_assert_eq(a, b, "%s", p);
        int32_t c = 0, e = 0;
        oa = tn_csv_parse_int32(p, n, &c);
        ob = tn_parse_int32(p, n, &e);
        cr_assert_eq(oa, ob, "%s", p);
        if (oa)
            cr_assert_eq(c, e, "%s", p);
    }
    const char *doubles[] = {"0", "-0", "0.0", "-0.0", "1.5", "183.89", "0.05", "00.50", "1.",
                             ".5", "-.5", "123456789012345", "1234567890123456", "0.1",
                             "0.30000000000000004", "99999.99", "1e3", "1.5E-3", "nan", "inf",
                             "-", "", "1..2", "1.2.3", "12a", "9007199254740993",
                             "123456789.012345", "3.141592653589793"};
    for (size_t i = 0; i < sizeof(doubles) / sizeof(doubles[0]); i++) {
        const char *p = doubles[i];
        size_t n = strlen(p);
        double a = 0, b = 0;
        bool oa = tn_csv_parse_double(p, n, &a), ob = tn_parse_double(p, n, &b);
        cr_assert_eq(oa, ob, "%s", p);
        if (oa)
            cr_assert(memcmp(&a, &b, sizeof(a)) == 0 || (a != a && b != b), "%s", p);
    }
    /* Random short decimals: bit-identical results. */
    uint64_t x = 99;
    for (int i = 0; i < 200000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        char buf[40];
        int digits = (int)((x >> 20) % 15) + 1, frac = (int)((x >> 40) % (unsigned)(digits + 1));
        int n = 0;
        if (x & 1)
            buf[n++] = '-';
        for (int k = 0; k < digits; k++) {
            if (k == digits - frac && frac > 0) {
                if (k == 0)
                    buf[n++] = '0';
                buf[n++] = '.';
            }
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            buf[n++] = (char)('0' + (x >> 59) % 10);
        }
        double a = 0, b = 0;
        bool oa = tn_csv_parse_double(buf, (size_t)n, &a), ob = tn_parse_double(buf, (size_t)n, &b);
        cr_assert_eq(oa, ob, "%.*s", n, buf);
        if (oa)
            cr_assert(memcmp(&a, &b, sizeof(a)) == 0, "%.*s", n, buf);
    }
    const char *stamps[] = {"2024-01-02 03:04:05", "2024-01-02T03:04:05", "2024-01-02t03:04:05",
                            "2024-02-29 23:59:59", "2023-02-29 00:00:00", "2024-13-01 00:00:00",
                            "2024-00-01 00:00:00", "2024-04-31 00:00:00", "0000-01-01 00:00:00",
                            "0001-01-01 00:00:00", "9999-12-31 23:59:59", "2024-01-02 24:00:00",
                            "2024-01-02 23:60:00", "2024-01-02 23:00:60", "2024-01-02 03:04",
                            "2024-01-02", "2024-01-02 03:04:05.5", "2024-01-02 03:04:05Z",
                            "2024-01-02 03:04:05+02", "2024-01-02x03:04:05", "2024-0a-02 03:04:05",
                            "1900-02-29 00:00:00", "2000-02-29 00:00:00"};
    for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
        const char *p = stamps[i];
        size_t n = strlen(p);
        int64_t a = 0, b = 0;
        bool zone;
        bool oa = tn_csv_parse_timestamp(p, n, &a), ob = tn_parse_timestamp(p, n, &b, &zone);
        cr_assert_eq(oa, ob, "%s", p);
        if (oa)
            cr_assert_eq(a, b, "%s", p);
    }
}

Test(csv_internal, utf8_validation_matches_core)
{
    const char *texts[] = {"", "plain ascii", "caf\xc3\xa9", "\xff", "a\xc3", "\xe2\x82\xac!",
                           "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "ok \xf0\x9f\x98\x80 ok",
                           "0123456789abcdef0123456789abcdef\xc3\xa9", "0123456789abcdef\xc3"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        cr_assert_eq(tn_csv_utf8_valid(texts[i], strlen(texts[i])),
                     tn_utf8_valid(texts[i], strlen(texts[i])), "case %zu", i);
    char big[4096];
    uint64_t x = 7;
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(round % 200) + 1;
        for (size_t k = 0; k < n; k++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            uint8_t c = (uint8_t)(x >> 56);
            big[k] = (char)((x >> 8) % 4 ? (c & 0x7f) : c);
        }
        cr_assert_eq(tn_csv_utf8_valid(big, n), tn_utf8_valid(big, n), "round %d", round);
    }
}
