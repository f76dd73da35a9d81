/* SPDX-License-Identifier: Apache-2.0
 *
 * The CSV reader against the public conformance corpora in ../shared/conformance/csv:
 * csv-spectrum (every file against its JSON), Commons CSV's RFC 4180 control file, and a
 * selection of DuckDB's data/csv files with the results DuckDB's own tests expect. Where
 * tarn deliberately reads differently, the test says so.
 */
#include <dirent.h>

#include "test_csv_util.h"

#define CSV_DIR TARN_CONFORMANCE_DIR "/csv"

/* ---- a minimal JSON reader for csv-spectrum's expected files ------------------------------ */

typedef struct json_row {
    size_t count;
    char *keys[32];
    char *values[32];
} json_row;

static void skip_ws(const char **p)
{
    while (**p == ' ' || **p == '\n' || **p == '\r' || **p == '\t')
        (*p)++;
}

static void put_utf8(tn_buf *b, unsigned cp)
{
    if (cp < 0x80) {
        tn_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        tn_buf_putc(b, (char)(0xC0 | (cp >> 6)));
        tn_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        tn_buf_putc(b, (char)(0xE0 | (cp >> 12)));
        tn_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        tn_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        tn_buf_putc(b, (char)(0xF0 | (cp >> 18)));
        tn_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        tn_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        tn_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

static char *json_string(const char **p)
{
    cr_assert_eq(**p, '"');
    (*p)++;
    tn_buf b = TN_BUF_INIT;
    while (**p && **p != '"') {
        char c = *(*p)++;
        if (c != '\\') {
            tn_buf_putc(&b, c);
            continue;
        }
        c = *(*p)++;
        switch (c) {
        case 'n': tn_buf_putc(&b, '\n'); break;
        case 'r': tn_buf_putc(&b, '\r'); break;
        case 't': tn_buf_putc(&b, '\t'); break;
        case 'b': tn_buf_putc(&b, '\b'); break;
        case 'f': tn_buf_putc(&b, '\f'); break;
        case 'u': {
            unsigned cp = (unsigned)strtoul((char[]){(*p)[0], (*p)[1], (*p)[2], (*p)[3], 0}, NULL, 16);
            *p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && (*p)[0] == '\\' && (*p)[1] == 'u') {
                unsigned lo = (unsigned)strtoul((char[]){(*p)[2], (*p)[3], (*p)[4], (*p)[5], 0}, NULL, 16);
                *p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            put_utf8(&b, cp);
            break;
        }
        default: tn_buf_putc(&b, c); break;
        }
    }
    (*p)++;
    char *s = strdup(tn_buf_cstr(&b));
    tn_buf_free(&b);
    return s;
}

/* Parses an array of flat objects of strings. Returns the row count. */
static size_t json_rows(const char *text, json_row *rows, size_t max)
{
    const char *p = text;
    size_t n = 0;
    skip_ws(&p);
    cr_assert_eq(*p, '[');
    p++;
    for (;;) {
        skip_ws(&p);
        if (*p == ']')
            break;
        if (*p == ',') {
            p++;
            continue;
        }
        cr_assert_eq(*p, '{');
        p++;
        cr_assert_lt(n, max);
        json_row *row = &rows[n++];
        row->count = 0;
        for (;;) {
            skip_ws(&p);
            if (*p == '}') {
                p++;
                break;
            }
            if (*p == ',') {
                p++;
                continue;
            }
            char *key = json_string(&p);
            skip_ws(&p);
            cr_assert_eq(*p, ':');
            p++;
            skip_ws(&p);
            row->keys[row->count] = key;
            row->values[row->count] = json_string(&p);
            row->count++;
        }
    }
    return n;
}

static char *slurp(const char *path, size_t *len)
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
    if (len)
        *len = (size_t)n;
    return buf;
}

/* ---- csv-spectrum --------------------------------------------------------------------------- */

Test(csv_conformance, csv_spectrum)
{
    DIR *dir = opendir(CSV_DIR "/csv-spectrum/csvs");
    cr_assert_not_null(dir);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(dir)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 4, ".csv") != 0)
            continue;
        char csv_path[512], json_path[512];
        snprintf(csv_path, sizeof(csv_path), CSV_DIR "/csv-spectrum/csvs/%s", de->d_name);
        snprintf(json_path, sizeof(json_path), CSV_DIR "/csv-spectrum/json/%.*s.json",
                 (int)(n - 4), de->d_name);
        char *json = slurp(json_path, NULL);
        json_row rows[16];
        size_t nrows = json_rows(json, rows, 16);
        free(json);

        tn_read_options o = {.all_varchar = true};
        csv_test_result *r = csv_test_read(csv_path, &o);
        cr_assert_eq(r->rc, 0, "%s: %s", de->d_name, r->err.message);
        cr_assert_eq(r->nrejects, 0, "%s", de->d_name);
        cr_assert_eq(r->nrows, nrows, "%s: %zu rows, expected %zu", de->d_name, r->nrows, nrows);
        for (size_t i = 0; i < nrows; i++) {
            cr_assert_eq(r->ncols, rows[i].count, "%s", de->d_name);
            for (uint32_t c = 0; c < r->ncols; c++) {
                cr_assert_str_eq(r->names[c], rows[i].keys[c], "%s", de->d_name);
                /* csv-spectrum has no NULLs: its empty values are all quoted. */
                const char *got = r->cells[i][c];
                cr_assert_not_null(got, "%s row %zu col %u is NULL", de->d_name, i, c);
                cr_assert_str_eq(got, rows[i].values[c], "%s row %zu col %u", de->d_name, i, c);
            }
        }
        for (size_t i = 0; i < nrows; i++)
            for (size_t k = 0; k < rows[i].count; k++) {
                free(rows[i].keys[k]);
                free(rows[i].values[k]);
            }
        csv_test_free(r);
        files++;
    }
    closedir(dir);
    cr_assert_eq(files, 11);
}

/* ---- Commons CSV ---------------------------------------------------------------------------- */

/* test_rfc4180.txt reads test.csv as RFC 4180 records. tarn's choices differ in three
 * documented ways: '#' lines are one-field records and so rejected rows of a 4-column file
 * (read with comment = '#' they are skipped), blank lines are skipped instead of being
 * empty records, unquoted empty fields are NULL, and a quote after leading spaces still
 * opens quoting (every quote toggles, as in DuckDB's relaxed reading). */
Test(csv_conformance, commons_csv_rfc4180)
{
    tn_read_options o = {.all_varchar = true, .header = TN_HEADER_YES};
    csv_test_result *r = csv_test_read(CSV_DIR "/commons-csv/test.csv", &o);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->ncols, 4);
    cr_assert_str_eq(r->names[0], "A");
    cr_assert_str_eq(r->names[3], "D");
    cr_assert_eq(r->nrows, 5);
    const char *row0[] = {"a", "b", "c", "d"};
    const char *row1[] = {" e ", "f ", " g", "h "};
    for (int c = 0; c < 4; c++) {
        csv_assert_cell(r, 0, c, row0[c]);
        csv_assert_cell(r, 1, c, row1[c]);
        csv_assert_cell(r, 3, c, NULL);
        csv_assert_cell(r, 4, c, "");
    }
    csv_assert_cell(r, 2, 0, " i ");
    csv_assert_cell(r, 2, 1, "  j  ");
    const int64_t lines[] = {2, 4, 6, 8, 10, 12, 16};
    cr_assert_eq(r->nrejects, 7);
    for (int i = 0; i < 7; i++) {
        cr_assert_eq(r->rejects[i].line, lines[i]);
        cr_assert_str_eq(r->rejects[i].reason, "expected 4 fields, found 1");
    }
    cr_assert_str_eq(r->rejects[0].raw, "# plain values");
    csv_test_free(r);

    o.comment = '#';
    r = csv_test_read(CSV_DIR "/commons-csv/test.csv", &o);
    cr_assert_eq(r->nrows, 5);
    cr_assert_eq(r->nrejects, 0);
    csv_test_free(r);
}

Test(csv_conformance, commons_csv_bom)
{
    csv_test_result *r = csv_test_read(CSV_DIR "/commons-csv/bom.csv", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_str_eq(r->names[0], "Date");
    cr_assert_str_eq(r->names[1], "Open");
    cr_assert(strstr(r->describe, "\"bom\":true"));
    csv_test_free(r);
}

/* ---- DuckDB data/csv -------------------------------------------------------------------------- */

#define DUCK CSV_DIR "/duckdb/data/csv/"

Test(csv_conformance, duckdb_line_endings)
{
    tn_read_options no = {.header = TN_HEADER_NO};
    csv_test_result *r = csv_test_read(DUCK "one_n_two.csv", &no);
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 0, 0, "one");
    csv_assert_cell(r, 1, 0, "two");
    csv_test_free(r);

    r = csv_test_read(DUCK "one_r_two.csv", &no);
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 1, 0, "two");
    csv_test_free(r);

    /* "one\r\r\n": a lone CR line end, then an empty CRLF line (a NULL in a 1-column file). */
    r = csv_test_read(DUCK "one_r_n_two.csv", &no);
    cr_assert_eq(r->nrows, 5);
    csv_assert_cell(r, 0, 0, "one");
    csv_assert_cell(r, 1, 0, NULL);
    csv_assert_cell(r, 4, 0, "three");
    csv_test_free(r);

    r = csv_test_read(DUCK "mixed_new_line.csv", NULL);
    cr_assert_eq(r->nrows, 3);
    cr_assert_eq(r->ncols, 3);
    csv_assert_cell(r, 2, 2, "9");
    cr_assert(strstr(r->describe, "\"line_ending\":\"mixed\""));
    csv_test_free(r);

    r = csv_test_read(DUCK "test/mixed_line_endings.csv", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrejects, 0);
    csv_test_free(r);

    r = csv_test_read(DUCK "test/no_newline.csv", NULL);
    cr_assert_eq(r->nrejects, 0);
    cr_assert_gt(r->nrows, 7);
    csv_assert_cell(r, 0, 2, " test");
    csv_test_free(r);

    /* 1, then empty CRLF lines: NULLs of a one-column file. */
    r = csv_test_read(DUCK "test/windows_newline_empty.csv", &no);
    cr_assert_eq(r->rc, 0);
    csv_assert_cell(r, 0, 0, "1");
    csv_assert_cell(r, 1, 0, NULL);
    csv_test_free(r);

    /* 20000 lines: "1" and then empty lines, each a NULL (DuckDB loads 20000 rows). */
    r = csv_test_read(DUCK "test/many_empty_lines.csv", &no);
    cr_assert_eq(r->nrows, 20000);
    csv_assert_cell(r, 0, 0, "1");
    csv_test_free(r);
}

Test(csv_conformance, duckdb_quoted_newlines)
{
    csv_test_result *r = csv_test_read(DUCK "quoted_newline.csv", NULL);
    cr_assert_eq(r->nrows, 1);
    cr_assert_str_eq(r->names[0], "col1");
    csv_assert_cell(r, 0, 0, "cell with\nnewline");
    csv_test_free(r);

    tn_read_options no = {.header = TN_HEADER_NO};
    r = csv_test_read(DUCK "test/quoted_newline.csv", &no);
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 0, 0, "hello\nworld");
    csv_assert_cell(r, 1, 0, "what,\n brings, you here\n , today");
    csv_assert_cell(r, 1, 1, "6");
    csv_test_free(r);
}

Test(csv_conformance, duckdb_bom)
{
    csv_test_result *r = csv_test_read(DUCK "auto/utf8bom.csv", NULL);
    cr_assert_eq(r->ncols, 2);
    cr_assert_str_eq(r->names[0], "id");
    cr_assert_str_eq(r->names[1], "name");
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 0, 1, "Mark");
    csv_assert_cell(r, 1, 0, "2");
    csv_test_free(r);

    r = csv_test_read(DUCK "people.csv", NULL);
    cr_assert_str_eq(r->names[0], "Person");
    csv_test_free(r);
}

Test(csv_conformance, duckdb_empty_and_header_only)
{
    csv_test_result *r = csv_test_read(DUCK "empty.csv", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 0);
    csv_test_free(r);

    r = csv_test_read(DUCK "header_only.csv", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->ncols, 1);
    cr_assert_str_eq(r->names[0], "abs_file_name");
    cr_assert_eq(r->nrows, 0);
    csv_test_free(r);
}

Test(csv_conformance, duckdb_sniffing)
{
    const char *files[] = {"auto/tab.csv", "auto/semicolon_delim.csv", "auto/pipe_delim.csv",
                           "auto/semicolon_quote.csv", "auto/pipe_delim_quote.csv",
                           "auto/rfc_conform.csv", "auto/rfc_conform_quote.csv",
                           "auto/quote_escape.csv"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), DUCK "%s", files[i]);
        csv_test_result *r = csv_test_read(path, NULL);
        cr_assert_eq(r->rc, 0, "%s", files[i]);
        cr_assert_eq(r->ncols, 3, "%s", files[i]);
        cr_assert_eq(r->nrows, 3, "%s", files[i]);
        cr_assert_str_eq(csv_test_type(r, 0), "INTEGER", "%s", files[i]);
        csv_assert_cell(r, 2, 0, "567");
        cr_assert_eq(r->nrejects, 0, "%s", files[i]);
        csv_test_free(r);
    }
    csv_test_result *r = csv_test_read(DUCK "auto/semicolon_quote.csv", NULL);
    csv_assert_cell(r, 2, 2, "te;xt3");
    csv_test_free(r);
    r = csv_test_read(DUCK "auto/pipe_delim_quote.csv", NULL);
    csv_assert_cell(r, 1, 2, "text2|");
    csv_test_free(r);
    r = csv_test_read(DUCK "auto/rfc_conform_quote.csv", NULL);
    csv_assert_cell(r, 1, 2, "trailing_space, ");
    csv_assert_cell(r, 2, 2, "no\"space");
    csv_test_free(r);
    r = csv_test_read(DUCK "auto/quote_escape.csv", NULL);
    csv_assert_cell(r, 1, 2, "text\"2\"text");
    csv_test_free(r);
    r = csv_test_read(DUCK "auto/backslash_escape.csv", NULL);
    cr_assert_eq(r->nrows, 3);
    csv_assert_cell(r, 1, 2, "text\"2\"");
    csv_test_free(r);
}

Test(csv_conformance, duckdb_header_completion)
{
    csv_test_result *r = csv_test_read(DUCK "auto/missing_header_col.csv", NULL);
    cr_assert_str_eq(r->names[0], "a");
    cr_assert_str_eq(r->names[1], "column1");
    cr_assert_str_eq(r->names[2], "c");
    cr_assert_eq(r->nrows, 2);
    csv_test_free(r);

    r = csv_test_read(DUCK "auto/duplicate_header_col.csv", NULL);
    cr_assert_str_eq(r->names[2], "a_1");
    csv_test_free(r);

    r = csv_test_read(DUCK "auto/empty_header.csv", NULL);
    cr_assert_str_eq(r->names[0], "column0");
    cr_assert_str_eq(r->names[2], "column2");
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 0, 0, "123");
    csv_test_free(r);

    r = csv_test_read(DUCK "auto/unnamed_columns.csv", NULL);
    cr_assert_eq(r->ncols, 13);
    cr_assert_str_eq(r->names[0], "column00");
    cr_assert_str_eq(r->names[12], "column12");
    cr_assert_eq(r->nrows, 2);
    csv_assert_cell(r, 0, 12, "value1");
    csv_assert_cell(r, 0, 3, NULL);
    csv_test_free(r);

    /* Header of 4 names, rows of 5 fields: DuckDB names the fifth column4. */
    r = csv_test_read(DUCK "locations_row_trailing_comma.csv", NULL);
    cr_assert_eq(r->ncols, 5);
    cr_assert_str_eq(r->names[0], "id");
    cr_assert_str_eq(r->names[4], "column4");
    cr_assert_eq(r->nrows, 1);
    csv_assert_cell(r, 0, 4, "value");
    csv_test_free(r);

    /* Header with a trailing comma, the row without: the empty last name is dropped. */
    r = csv_test_read(DUCK "locations_header_trailing_comma.csv", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_str_eq(r->names[0], "id");
    csv_test_free(r);
}

Test(csv_conformance, duckdb_ragged_rows)
{
    csv_test_result *r = csv_test_read(DUCK "test/error_too_little.csv", NULL);
    cr_assert_eq(r->nrows, 5);
    cr_assert_eq(r->nrejects, 1);
    cr_assert_eq(r->rejects[0].line, 7);
    cr_assert_str_eq(r->rejects[0].reason, "expected 2 fields, found 1");
    csv_test_free(r);

    r = csv_test_read(DUCK "test/error_too_many.csv", NULL);
    cr_assert_eq(r->nrows, 5);
    cr_assert_eq(r->nrejects, 1);
    cr_assert_eq(r->rejects[0].line, 6);
    cr_assert_str_eq(r->rejects[0].reason, "expected 2 fields, found 3");
    csv_test_free(r);

    /* DuckDB's first error in this file is at line 7. */
    r = csv_test_read(DUCK "missing_column.csv", NULL);
    cr_assert_geq(r->nrejects, 1);
    cr_assert_eq(r->rejects[0].line, 7);
    cr_assert_str_eq(r->rejects[0].raw, "65");
    for (size_t i = 1; i < r->nrejects; i++)
        cr_assert_gt(r->rejects[i].line, r->rejects[i - 1].line);
    csv_test_free(r);

    tn_read_options strict = {.strict = true};
    r = csv_test_read(DUCK "missing_column.csv", &strict);
    cr_assert_eq(r->rc, TN_EPARSE);
    cr_assert_eq(r->err.line, 7);
    csv_test_free(r);
}

Test(csv_conformance, duckdb_unterminated)
{
    tn_read_options no = {.header = TN_HEADER_NO};
    csv_test_result *r = csv_test_read(DUCK "test/unterminated.csv", &no);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrows, 0);
    cr_assert_eq(r->nrejects, 1);
    cr_assert_eq(r->rejects[0].line, 1);
    cr_assert(strstr(r->rejects[0].reason, "unterminated quote"));
    csv_test_free(r);
}

Test(csv_conformance, duckdb_null_strings)
{
    const char *nulls[] = {"", "none", "null"};
    tn_read_options o = {.null_strings = nulls, .null_string_count = 3, .all_varchar = true};
    csv_test_result *r = csv_test_read(DUCK "null/multiple_nulls.csv", &o);
    cr_assert_eq(r->nrows, 3);
    csv_assert_cell(r, 0, 2, "1.73");
    csv_assert_cell(r, 1, 1, NULL);
    csv_assert_cell(r, 1, 2, NULL);
    csv_assert_cell(r, 2, 2, NULL);
    csv_test_free(r);

    /* Quoted values are never NULL for text: DuckDB's allow_quoted_nulls = false. */
    r = csv_test_read(DUCK "null/multiple_quoted_nulls.csv", &o);
    cr_assert_eq(r->nrows, 3);
    csv_assert_cell(r, 1, 1, "null");
    csv_assert_cell(r, 1, 2, "");
    csv_assert_cell(r, 2, 2, "none");
    csv_test_free(r);
}

Test(csv_conformance, duckdb_invalid_utf8)
{
    tn_read_options no = {.header = TN_HEADER_NO, .delimiter = '|'};
    csv_test_result *r = csv_test_read(DUCK "test/invalid_utf.csv", &no);
    cr_assert_eq(r->rc, 0);
    cr_assert_geq(r->nrejects, 1);
    cr_assert_str_eq(r->rejects[0].reason, "invalid UTF-8");
    cr_assert_eq(r->rejects[0].line, 1);
    csv_test_free(r);

    r = csv_test_read(DUCK "real/greek_utf8.csv", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrejects, 0, "valid multi-byte text is accepted");
    cr_assert_gt(r->nrows, 5);
    csv_test_free(r);
}

Test(csv_conformance, duckdb_real_files)
{
    csv_test_result *r = csv_test_read(DUCK "real/lineitem_sample.csv", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrejects, 0);
    cr_assert_eq(r->ncols, 16);
    cr_assert_eq(r->nrows, 10);
    cr_assert_str_eq(csv_test_type(r, 0), "INTEGER");
    cr_assert_str_eq(csv_test_type(r, 5), "DOUBLE");
    cr_assert_str_eq(csv_test_type(r, 10), "DATE");
    csv_test_free(r);

    r = csv_test_read(DUCK "test/long_escaped_value.csv", NULL);
    cr_assert_eq(r->rc, 0);
    cr_assert_eq(r->nrejects, 0);
    csv_test_free(r);
}

/* Every file of the DuckDB selection reads without error (bad rows are rejects, never
 * failures), with one thread and with several. */
Test(csv_conformance, duckdb_all_files_read)
{
    const char *files[] = {
        "quoted_newline.csv", "test/quoted_newline.csv", "csv_quoted_newline_odd.csv",
        "all_quotes.csv", "auto/varchar_multi_line.csv", "test/new_line_string.csv",
        "test/new_line_string_rn.csv", "test/new_line_string_rn_exc.csv", "auto/rfc_conform.csv",
        "escape.csv", "bad_escape.csv", "big_escape.csv", "multi_quote.csv", "no_quote.csv",
        "double_quoted_header.csv", "headers/escaped_quote.csv", "headers/unescaped_quote.csv",
        "unescaped_quotes/end_quote.csv", "unescaped_quotes/end_quote_2.csv",
        "unescaped_quotes/end_quote_3.csv", "unescaped_quotes/end_quote_mixed.csv",
        "unescaped_quotes/some_escaped_some_not.csv", "unescaped_quotes/unescaped_quote.csv",
        "unescaped_quotes/unescaped_quote_new_line.csv",
        "unescaped_quotes/unescaped_quote_new_line_rn.csv", "test/unterminated.csv",
        "test/multi_column_string.csv", "test/multi_column_string_rn.csv",
        "auto/multi_column_string_r.csv", "auto/multi_column_string_r_n.csv", "blank_line.csv",
        "empty_first_line.csv", "header_only_2.csv", "nullpadding.csv", "nullpadding_header.csv",
        "evil_nullpadding.csv", "evil_nullpadding_2.csv", "extra_delimiters.csv",
        "inconsistent_cells.csv", "inconsistencies/inconsistent_columns_3.csv",
        "inconsistencies/inconsistent_columns_6.csv", "inconsistencies/line_with_spaces.csv",
        "test/error_too_little_single.csv", "test/too_many_values.csv", "invalid_utf8.csv",
        "test/invalid_utf_quoted.csv", "test/invalid_utf_header.csv", "encodings/latin1.csv",
        "encodings/utf16.csv", "nullbyte.csv", "nullbyte_header.csv", "null_terminator.csv",
        "nullterm.csv", "test/test_null_csv.csv", "null_string.csv", "auto/single_value.csv",
        "auto/test_single_column.csv", "auto/test_single_column_rn.csv", "single_quote.csv",
        "header_left_space.csv", "empty_space_start_value.csv", "auto/semicolon_escape.csv",
        "test/empty.csv"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), DUCK "%s", files[i]);
        tn_read_options one = {.threads = 1};
        csv_test_result *a = csv_test_read(path, &one);
        cr_assert_eq(a->rc, 0, "%s: %s", files[i], a->err.message);
        tn_read_options many = {.threads = 4};
        csv_test_result *b = csv_test_read(path, &many);
        cr_assert_eq(b->rc, 0, "%s", files[i]);
        cr_assert_eq(a->nrows, b->nrows, "%s", files[i]);
        cr_assert_eq(a->nrejects, b->nrejects, "%s", files[i]);
        csv_test_free(a);
        csv_test_free(b);
    }
}
