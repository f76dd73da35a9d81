/* SPDX-License-Identifier: Apache-2.0
 *
 * Late materialisation in the Parquet scan: with predicates the scan decodes the filtered
 * columns first and the others only at the rows left, and returns only those rows. Every
 * case is checked against a full scan filtered here: the same rows, the same values. Files:
 * the conformance corpus (PLAIN, dictionary, RLE booleans, the DELTA encodings,
 * BYTE_STREAM_SPLIT, data pages v1 and v2, NULLs, nested columns) and files tarn writes with
 * small pages, where whole pages hold no selected row.
 */
#include <criterion/criterion.h>

#include "formats/parquet/parquet.h"
#include "test_parquet_util.h"
#include "formats/parquet/parquet_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>


/* Every row of the file (all columns) as text, one string per row. */
typedef struct table {
    uint32_t columns;
    size_t rows;
    char **text;         /* rows * columns cells, NULL for a NULL value */
    tn_batch **batches;  /* kept for typed access */
    uint32_t batch_count;
    size_t *batch_first; /* first row of each batch */
} table;

static char *cell(const tn_vector *v, uint32_t row)
{
    if (!tn_vector_is_valid(v, row))
        return NULL;
    tn_buf b = TN_BUF_INIT;
    cr_assert_eq(tn_vector_format_value(v, row, &b), 0);
    cr_assert_eq(tn_buf_putc(&b, '\0'), 0);
    return b.data;
}

static void read_table(tn_parquet_file *f, const tn_parquet_scan_options *o, table *t,
                       tn_parquet_scan_stats *stats)
{
    memset(t, 0, sizeof(*t));
    tn_parquet_scan *s = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_scan_open(f, o, &s, &err), 0, "%s", err.message);
    t->columns = tn_parquet_scan_schema(s)->column_count;
    size_t cap = 0;
    for (;;) {
        tn_batch *b = NULL;
        cr_assert_eq(tn_parquet_scan_next(s, &b, &err), 0, "%s", err.message);
        if (!b)
            break;
        cr_assert_gt(b->row_count, 0, "empty batches are not handed out");
        if (t->rows + b->row_count > cap) {
            cap = (t->rows + b->row_count) * 2;
            t->text = realloc(t->text, cap * t->columns * sizeof(char *));
        }
        for (uint32_t i = 0; i < b->row_count; i++)
            for (uint32_t c = 0; c < t->columns; c++)
                t->text[(t->rows + i) * t->columns + c] = cell(&b->columns[c], i);
        t->batches = realloc(t->batches, (t->batch_count + 1) * sizeof(tn_batch *));
        t->batch_first = realloc(t->batch_first, (t->batch_count + 1) * sizeof(size_t));
        t->batches[t->batch_count] = b;
        t->batch_first[t->batch_count++] = t->rows;
        t->rows += b->row_count;
    }
    if (stats)
        tn_parquet_scan_get_stats(s, stats);
    tn_parquet_scan_close(s);
}

static void free_table(table *t)
{
    for (size_t i = 0; i < t->rows * t->columns; i++)
        tn_free(t->text[i]);
    for (uint32_t b = 0; b < t->batch_count; b++)
        tn_batch_free(t->batches[b]);
    free(t->text);
    free(t->batches);
    free(t->batch_first);
}

/* Row r's vector and row in it. */
static const tn_vector *at(const table *t, size_t r, uint32_t c, uint32_t *row)
{
    uint32_t b = t->batch_count - 1;
    while (t->batch_first[b] > r)
        b--;
    *row = (uint32_t)(r - t->batch_first[b]);
    return &t->batches[b]->columns[c];
}

/* SQL's answer to `value op constant` for row r (false for NULL, as WHERE treats it). */
static bool matches(const table *t, size_t r, const tn_parquet_predicate *p)
{
    uint32_t row;
    const tn_vector *v = at(t, r, p->column, &row);
    bool valid = tn_vector_is_valid(v, row);
    if (p->op == TN_PARQUET_OP_IS_NULL)
        return !valid;
    if (p->op == TN_PARQUET_OP_IS_NOT_NULL)
        return valid;
    if (!valid)
        return false;
    int c;
    switch (v->type.id) {
    case TN_TYPE_BOOLEAN: {
        int64_t x = tn_vector_get_bool(v, row);
        c = (x > p->value.i) - (x < p->value.i);
        break;
    }
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: {
        int64_t x = tn_vector_i32(v)[row];
        c = (x > p->value.i) - (x < p->value.i);
        break;
    }
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: {
        int64_t x = tn_vector_i64(v)[row];
        c = (x > p->value.i) - (x < p->value.i);
        break;
    }
    case TN_TYPE_DECIMAL: {
        tn_i128 x = tn_type_width(v->type) == 8 ? (tn_i128)tn_vector_i64(v)[row]
                                                : tn_vector_i128(v)[row];
        c = (x > p->value.dec) - (x < p->value.dec);
        break;
    }
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: {
        int k = tn_str_cmp(tn_vector_get_str(v, row), p->value.s);
        c = (k > 0) - (k < 0);
        break;
    }
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE: {
        double x = v->type.id == TN_TYPE_REAL ? tn_vector_f32(v)[row] : tn_vector_f64(v)[row];
        c = (x > p->value.d) - (x < p->value.d);
        break;
    }
    default:
        return true;
    }
    switch (p->op) {
    case TN_PARQUET_OP_EQ: return c == 0;
    case TN_PARQUET_OP_LT: return c < 0;
    case TN_PARQUET_OP_LE: return c <= 0;
    case TN_PARQUET_OP_GT: return c > 0;
    case TN_PARQUET_OP_GE: return c >= 0;
    default: return true;
    }
}

/* A constant for column c: its value at row r of the full table (false when NULL or of a
 * type the scan does not filter). */
static bool constant_at(const table *t, size_t r, uint32_t c, tn_parquet_value *out)
{
    uint32_t row;
    const tn_vector *v = at(t, r, c, &row);
    memset(out, 0, sizeof(*out));
    if (!tn_vector_is_valid(v, row))
        return false;
    switch (v->type.id) {
    case TN_TYPE_BOOLEAN: out->i = tn_vector_get_bool(v, row); return true;
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: out->i = tn_vector_i32(v)[row]; return true;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: out->i = tn_vector_i64(v)[row]; return true;
    case TN_TYPE_DECIMAL:
        out->dec = tn_type_width(v->type) == 8 ? (tn_i128)tn_vector_i64(v)[row]
                                               : tn_vector_i128(v)[row];
        return true;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: out->s = tn_vector_get_str(v, row); return true;
    default: return false;
    }
}

/* Scans f with predicates p (all columns projected) and checks the rows against the full
 * table filtered here. Predicates on columns the scan cannot filter (floats, nested
 * columns) leave their rows to the caller: then the scan's rows must include the matching
 * ones in order. */
static void check_filtered(tn_parquet_file *f, const table *full, const tn_parquet_predicate *p,
                           uint32_t np, int threads, uint32_t batch_rows, const char *what)
{
    tn_parquet_scan_options o;
    memset(&o, 0, sizeof(o));
    o.predicates = p;
    o.predicate_count = np;
    o.threads = threads;
    o.batch_rows = batch_rows;
    table got;
    read_table(f, &o, &got, NULL);
    cr_assert_eq(got.columns, full->columns);
    size_t g = 0;
    for (size_t r = 0; r < full->rows; r++) {
        bool want = true;
        for (uint32_t i = 0; i < np; i++)
            want = want && matches(full, r, &p[i]);
        /* Row groups and pages pruned on statistics cannot hold a matching row; other rows
         * the scan may leave in only where it does not filter. */
        bool same = g < got.rows;
        for (uint32_t c = 0; same && c < full->columns; c++) {
            const char *a = full->text[r * full->columns + c];
            const char *b = got.text[g * got.columns + c];
            same = (!a && !b) || (a && b && strcmp(a, b) == 0);
        }
        if (want)
            cr_assert(same, "%s: matching row %zu missing or different (threads %d, column "
                      "%u op %d, %u predicates)", what, r, threads, p[0].column, p[0].op, np);
        if (same)
            g++;
    }
    cr_assert_eq(g, got.rows, "%s: %zu rows returned that do not match (threads %d)", what,
                 got.rows - g, threads);
    free_table(&got);
}

/* Whether column c is one the scan filters itself. */
static bool filterable(const tn_vector *v)
{
    switch (v->type.id) {
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE:
        return false;
    default:
        return true;
    }
}

/* Predicates made from the file's own values on every column: comparisons around a value a
 * third of the way in, NULL tests, and two columns at once. */
static void check_file(const char *path)
{
    tn_parquet_file *f = open_file(path);
    table full;
    read_table(f, NULL, &full, NULL);
    const size_t probes[] = {full.rows / 3, full.rows ? full.rows - 1 : 0};
    static const int ops[] = {TN_PARQUET_OP_EQ, TN_PARQUET_OP_LT, TN_PARQUET_OP_LE,
                              TN_PARQUET_OP_GT, TN_PARQUET_OP_GE};
    for (uint32_t c = 0; c < full.columns && full.rows > 0; c++) {
        uint32_t row;
        if (!filterable(at(&full, 0, c, &row)))
            continue;
        for (int threads = 1; threads <= 2; threads++) {
            tn_parquet_predicate p[2];
            memset(p, 0, sizeof(p));
            p[0].column = c;
            p[0].op = TN_PARQUET_OP_IS_NULL;
            check_filtered(f, &full, p, 1, threads, 0, path);
            p[0].op = TN_PARQUET_OP_IS_NOT_NULL;
            check_filtered(f, &full, p, 1, threads, 100, path);
            for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
                if (!constant_at(&full, probes[k], c, &p[0].value))
                    continue;
                /* Every operator on one thread; two threads read the same pages. */
                for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]) && threads == 1; i++) {
                    p[0].op = ops[i];
                    check_filtered(f, &full, p, 1, threads, 0, path);
                }
                /* A range on one column, then a second column on what is left. */
                p[0].op = TN_PARQUET_OP_GE;
                uint32_t d = (c + 1) % full.columns;
                p[1].column = d;
                p[1].op = TN_PARQUET_OP_IS_NOT_NULL;
                check_filtered(f, &full, p, 2, threads, 0, path);
                if (constant_at(&full, full.rows / 4, d, &p[1].value)) {
                    p[1].op = TN_PARQUET_OP_LE;
                    check_filtered(f, &full, p, 2, threads, 7, path);
                }
            }
        }
    }
    free_table(&full);
    tn_parquet_file_close(f);
}

Test(parquet_read_filter, plain_and_dictionary)
{
    check_file(DATA "alltypes_plain.parquet");
    check_file(DATA "alltypes_plain.snappy.parquet");
    check_file(DATA "alltypes_dictionary.parquet");
    check_file(DATA "rle-dict-snappy-checksum.parquet");
}

Test(parquet_read_filter, rle_booleans_and_v2_pages)
{
    check_file(DATA "rle_boolean_encoding.parquet");
    check_file(DATA "datapage_v2.snappy.parquet");
    check_file(DATA "datapage_v2_empty_datapage.snappy.parquet");
}

Test(parquet_read_filter, delta_encodings)
{
    check_file(DATA "delta_binary_packed.parquet");
    check_file(DATA "delta_length_byte_array.parquet");
    check_file(DATA "delta_byte_array.parquet");
    check_file(DATA "delta_encoding_optional_column.parquet");
    check_file(DATA "delta_encoding_required_column.parquet");
}

Test(parquet_read_filter, byte_stream_split)
{
    check_file(DATA "byte_stream_split_extended.gzip.parquet");
    check_file(EXTRA "byte_stream_split_v2.parquet");
}

Test(parquet_read_filter, nulls_and_nested)
{
    /* Nested columns turn late materialisation off: their rows stay as they were. */
    check_file(DATA "nulls.snappy.parquet");
}

/* ------------------------------------------------------------------------------------------
 * Files tarn writes: many small pages, NULLs, dictionary and PLAIN columns
 * ---------------------------------------------------------------------------------------- */

/* 0 or 100 alternately, except 50 in blocks of 700 rows: pages of `grp` keep both bounds
 * (the page index prunes nothing), while `grp = 50` leaves whole pages of the other columns
 * without a selected row. */
static int32_t grp_of(int64_t r)
{
    if ((r / 700) % 9 == 4)
        return 50;
    return r % 2 ? 0 : 100;
}

static void write_tarn_file(const char *path, int64_t rows, bool v2, bool no_dict)
{
    tn_schema *s = tn_schema_new();
    cr_assert_eq(tn_schema_add(s, "id", tn_type_make(TN_TYPE_BIGINT), false), 0);
    cr_assert_eq(tn_schema_add(s, "grp", tn_type_make(TN_TYPE_INTEGER), true), 0);
    cr_assert_eq(tn_schema_add(s, "name", tn_type_make(TN_TYPE_VARCHAR), true), 0);
    cr_assert_eq(tn_schema_add(s, "amount", tn_type_decimal(12, 2), true), 0);
    cr_assert_eq(tn_schema_add(s, "flag", tn_type_make(TN_TYPE_BOOLEAN), true), 0);
    cr_assert_eq(tn_schema_add(s, "day", tn_type_make(TN_TYPE_DATE), false), 0);
    cr_assert_eq(tn_schema_add(s, "score", tn_type_make(TN_TYPE_DOUBLE), true), 0);
    tn_write_options w;
    memset(&w, 0, sizeof(w));
    w.compression = "snappy";
    w.page_bytes = 2 << 10;
    w.row_group_rows = 9000;
    w.data_page_v2 = v2;
    w.no_dictionary = no_dict;
    void *state = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_writer_open(path, s, &w, &state, &err), 0, "%s", err.message);
    for (int64_t r = 0; r < rows;) {
        uint32_t n = rows - r < 2048 ? (uint32_t)(rows - r) : 2048;
        tn_batch *b = tn_batch_new(s, 0);
        cr_assert_not_null(b);
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = r + i;
            tn_vector_i64(&b->columns[0])[i] = x;
            tn_vector_i32(&b->columns[1])[i] = grp_of(x);
            if (x % 11 == 3)
                tn_vector_set_null(&b->columns[1], i);
            char name[32];
            int len = snprintf(name, sizeof(name), "n%03d", (int)(x * 7 % 300));
            if (x % 13 == 5)
                tn_vector_append_null(&b->columns[2], i);
            else
                cr_assert_eq(tn_vector_append_str(&b->columns[2], i, name, (size_t)len), 0);
            tn_vector_set_decimal(&b->columns[3], i, (tn_i128)((x * 37) % 10000) - 5000);
            if (x % 17 == 0)
                tn_vector_set_null(&b->columns[3], i);
            tn_vector_set_bool(&b->columns[4], i, x % 3 == 0);
            if (x % 19 == 0)
                tn_vector_set_null(&b->columns[4], i);
            tn_vector_i32(&b->columns[5])[i] = (int32_t)(9000 + x % 400);
            tn_vector_f64(&b->columns[6])[i] = (double)x / 4.0;
            if (x % 23 == 0)
                tn_vector_set_null(&b->columns[6], i);
        }
        b->row_count = n;
        cr_assert_eq(tn_parquet_writer_write(state, b, &err), 0, "%s", err.message);
        tn_batch_free(b);
        r += n;
    }
    cr_assert_eq(tn_parquet_writer_finish(state, &err), 0, "%s", err.message);
    tn_schema_unref(s);
}

static char *temp_path(const char *tag)
{
    char *p = malloc(256);
    snprintf(p, 256, "/tmp/tarn-pqfilter-%d-%s.parquet", (int)getpid(), tag);
    return p;
}

/* Pages with no selected row, pages with all rows selected and pages with some, over row
 * groups that end inside batches, in every page and dictionary layout. */
Test(parquet_read_filter, tarn_files_pages)
{
    const int64_t rows = 25001;
    for (int layout = 0; layout < 3; layout++) {
        char *path = temp_path(layout == 0 ? "v1" : layout == 1 ? "v2" : "plain");
        write_tarn_file(path, rows, layout == 1, layout == 2);
        tn_parquet_file *f = open_file(path);
        table full;
        read_table(f, NULL, &full, NULL);
        cr_assert_eq(full.rows, (size_t)rows);
        for (int threads = 1; threads <= 2; threads++) {
            tn_parquet_predicate p[3];
            memset(p, 0, sizeof(p));
            /* Some pages wholly filtered out, the rows of the others in runs. */
            p[0].column = 1;
            p[0].op = TN_PARQUET_OP_EQ;
            p[0].value.i = 50;
            check_filtered(f, &full, p, 1, threads, 0, path);
            /* No row at all, and every row. */
            p[0].value.i = 51;
            check_filtered(f, &full, p, 1, threads, 0, path);
            p[0].column = 5;
            p[0].op = TN_PARQUET_OP_GE;
            p[0].value.i = 0;
            check_filtered(f, &full, p, 1, threads, 0, path);
            /* Three columns in turn: a scattered few rows. */
            p[0].column = 1;
            p[0].op = TN_PARQUET_OP_EQ;
            p[0].value.i = 50;
            p[1].column = 2;
            p[1].op = TN_PARQUET_OP_LT;
            p[1].value.s = tn_str_make("n100", 4);
            p[2].column = 3;
            p[2].op = TN_PARQUET_OP_GT;
            p[2].value.dec = 0;
            check_filtered(f, &full, p, 3, threads, 0, path);
            /* Booleans and NULL tests; a float predicate is left to the caller. */
            p[0].column = 4;
            p[0].op = TN_PARQUET_OP_EQ;
            p[0].value.i = 1;
            p[1].column = 6;
            p[1].op = TN_PARQUET_OP_GT;
            p[1].value.d = 1000.0;
            p[2].column = 3;
            p[2].op = TN_PARQUET_OP_IS_NULL;
            check_filtered(f, &full, p, 3, threads, 0, path);
            /* A range on the dates with odd batch sizes. */
            p[0].column = 5;
            p[0].op = TN_PARQUET_OP_GE;
            p[0].value.i = 9100;
            p[1].column = 5;
            p[1].op = TN_PARQUET_OP_LT;
            p[1].value.i = 9105;
            check_filtered(f, &full, p, 2, threads, 333, path);
        }
        free_table(&full);
        tn_parquet_file_close(f);
        unlink(path);
        free(path);
    }
}

/* Only the columns a filter reads, and a projection that leaves the filter column out (it
 * then only prunes). */
Test(parquet_read_filter, projections)
{
    char *path = temp_path("proj");
    write_tarn_file(path, 12000, false, false);
    tn_parquet_file *f = open_file(path);
    tn_parquet_predicate p;
    memset(&p, 0, sizeof(p));
    p.column = 1;
    p.op = TN_PARQUET_OP_EQ;
    p.value.i = 50;
    const uint32_t only_grp[] = {1}, no_grp[] = {0, 2};
    tn_parquet_scan_options o;
    memset(&o, 0, sizeof(o));
    o.predicates = &p;
    o.predicate_count = 1;
    o.threads = 1;
    o.columns = only_grp;
    o.column_count = 1;
    table t;
    tn_parquet_scan_stats st;
    read_table(f, &o, &t, &st);
    size_t want = 0;
    for (int64_t r = 0; r < 12000; r++)
        want += grp_of(r) == 50 && r % 11 != 3;
    cr_assert_eq(t.rows, want);
    cr_assert_eq(st.rows_read, (int64_t)want);
    for (size_t r = 0; r < t.rows; r++)
        cr_assert_str_eq(t.text[r], "50");
    free_table(&t);
    o.columns = no_grp;
    o.column_count = 2;
    read_table(f, &o, &t, NULL);
    cr_assert_eq(t.rows, 12000u);
    free_table(&t);
    tn_parquet_file_close(f);
    unlink(path);
    free(path);
}

/* A row test as a join filter is one: keeps the rows whose grp is 50, a vector at a time. */
typedef struct grp_test {
    int calls;   /* atomic */
    int64_t rows; /* atomic: rows tested */
} grp_test;

static uint32_t keep_grp_50(void *ctx, const tn_vector *v, const uint32_t *in, uint32_t n,
                            uint32_t *out)
{
    grp_test *t = ctx;
    __atomic_add_fetch(&t->calls, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&t->rows, n, __ATOMIC_RELAXED);
    const int32_t *a = tn_vector_i32(v);
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        out[m] = in[i];
        m += tn_vector_is_valid(v, in[i]) && a[in[i]] == 50;
    }
    return m;
}

/* Row tests narrow the rows before the other columns are decoded: the test runs once per
 * batch, and the rows and values are those of the full scan filtered here; alone, after a predicate on another column, and (not applied)
 * on a column the projection leaves out. */
Test(parquet_read_filter, row_tests)
{
    const int64_t rows = 25001;
    char *path = temp_path("rowtest");
    write_tarn_file(path, rows, false, false);
    tn_parquet_file *f = open_file(path);
    table full;
    read_table(f, NULL, &full, NULL);
    for (int threads = 1; threads <= 2; threads++) {
        for (int with_pred = 0; with_pred <= 1; with_pred++) {
            grp_test gt = {0};
            tn_parquet_row_test rt = {.column = 1, .test = keep_grp_50, .ctx = &gt};
            tn_parquet_predicate p;
            memset(&p, 0, sizeof(p));
            p.column = 5;
            p.op = TN_PARQUET_OP_GE;
            p.value.i = 9200;
            tn_parquet_scan_options o;
            memset(&o, 0, sizeof(o));
            o.threads = threads;
            o.row_tests = &rt;
            o.row_test_count = 1;
            o.predicates = &p;
            o.predicate_count = (uint32_t)with_pred;
            table t;
            tn_parquet_scan_stats st;
            read_table(f, &o, &t, &st);
            cr_assert_eq(st.rows_read, (int64_t)t.rows);
            size_t want = 0;
            for (size_t r = 0; r < full.rows; r++) {
                const char *g = full.text[r * full.columns + 1];
                bool keep = g && strcmp(g, "50") == 0;
                if (with_pred)
                    keep = keep && 9000 + (int64_t)r % 400 >= 9200;
                if (!keep)
                    continue;
                for (uint32_t c = 0; c < full.columns; c++) {
                    const char *a = full.text[r * full.columns + c];
                    const char *b = t.text[want * t.columns + c];
                    cr_assert((a == NULL) == (b == NULL), "row %zu column %u", r, c);
                    if (a)
                        cr_assert_str_eq(a, b, "row %zu column %u", r, c);
                }
                want++;
            }
            cr_assert_eq(t.rows, want);
            cr_assert_gt(want, 0u);
            /* once per batch of the column, never per value */
            cr_assert_leq(gt.calls, (rows + 2047) / 2048 + 13);
            cr_assert_leq(gt.rows, rows);
            free_table(&t);
        }
        /* the tested column left out of the projection: not applied, every row comes out */
        grp_test gt = {0};
        tn_parquet_row_test rt = {.column = 1, .test = keep_grp_50, .ctx = &gt};
        const uint32_t cols[] = {0, 2};
        tn_parquet_scan_options o;
        memset(&o, 0, sizeof(o));
        o.threads = threads;
        o.columns = cols;
        o.column_count = 2;
        o.row_tests = &rt;
        o.row_test_count = 1;
        tn_parquet_scan *s = NULL;
        tn_error err = {0};
        cr_assert_eq(tn_parquet_scan_open(f, &o, &s, &err), 0, "%s", err.message);
        cr_assert(!tn_parquet_scan_row_test_applied(s, 0));
        tn_parquet_scan_close(s);
        table t;
        read_table(f, &o, &t, NULL);
        cr_assert_eq(t.rows, (size_t)rows);
        cr_assert_eq(gt.calls, 0);
        free_table(&t);
    }
    free_table(&full);
    tn_parquet_file_close(f);
    unlink(path);
    free(path);
}
