/* SPDX-License-Identifier: Apache-2.0
 *
 * The CSV reader and writer when allocations fail: with every Nth allocation failing
 * (N = 1..200) a full read or write either succeeds or returns TN_ENOMEM; it never crashes
 * and, under ASan, never leaks.
 */
#include "formats/csv/csv_int.h"
#include "test_csv_util.h"

static const char *sample_path(void)
{
    static char path[512];
    if (path[0])
        return path;
    tn_buf b = TN_BUF_INIT;
    tn_buf_append_cstr(&b, "\xEF\xBB\xBFid,name,amount,day,flag,ts\r\n");
    for (int i = 0; i < 3000; i++) {
        if (i % 97 == 0)
            tn_buf_printf(&b, "%d,short\r\n", i);
        else if (i % 89 == 0)
            tn_buf_printf(&b, "%d,\"bad\",x,2024-01-01,true,2024-01-01 00:00:00\r\n", i);
        else
            tn_buf_printf(&b, "%d,\"name, \"\"%d\"\"\nnext\",%d.5,2024-01-%02d,%s,2024-02-03 04:05:%02d\r\n",
                          i, i, i, i % 28 + 1, i % 2 ? "true" : "false", i % 60);
    }
    tn_buf_append_cstr(&b, "9999,\"unterminated\r\n");
    snprintf(path, sizeof(path), "%s", csv_test_write("alloc.csv", b.data, b.len));
    tn_buf_free(&b);
    return path;
}

static void read_with_failures(const tn_read_options *opts)
{
    const char *path = sample_path();
    tn_read_options o = *opts;
    csv_test_result *ref = csv_test_read_opts(path, &o, false);
    cr_assert(ref->rc == 0 || (o.strict && ref->rc == TN_EPARSE), "%s", ref->err.message);
    for (uint64_t n = 1; n <= 200; n++) {
        tn_alloc_fail_every(n);
        csv_test_result *r = csv_test_read_opts(path, &o, false);
        tn_alloc_fail_every(0);
        cr_assert(r->rc == ref->rc || r->rc == TN_ENOMEM, "N=%llu: rc %d (%s)",
                  (unsigned long long)n, r->rc, r->err.message);
        if (r->rc == ref->rc) {
            cr_assert_eq(r->nrows, ref->nrows, "N=%llu", (unsigned long long)n);
            cr_assert_eq(r->rejected, ref->rejected);
        }
        csv_test_free(r);
    }
    csv_test_free(ref);
}

Test(csv_alloc, reader_default)
{
    tn_read_options o = {.threads = 1};
    read_with_failures(&o);
}

Test(csv_alloc, reader_parallel_small_blocks)
{
    tn_csv_tuning_current.block_size = 8192;
    tn_csv_tuning_current.min_segment = 1024;
    tn_read_options o = {.threads = 3};
    read_with_failures(&o);
}

Test(csv_alloc, reader_options)
{
    const char *nulls[] = {"", "NA"};
    tn_read_options o = {.threads = 2, .escape = '\\', .comment = '#', .null_strings = nulls,
                         .null_string_count = 2, .sample_rows = TN_SAMPLE_ALL};
    read_with_failures(&o);
    tn_read_options strict = {.strict = true};
    read_with_failures(&strict);
}

Test(csv_alloc, writer)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "a", tn_type_make(TN_TYPE_VARCHAR), true);
    tn_schema_add(s, "b", tn_type_make(TN_TYPE_DOUBLE), true);
    tn_batch *b = tn_batch_new(s, 100);
    for (uint32_t i = 0; i < 100; i++) {
        tn_vector_append_str(&b->columns[0], i, "x,\"y\"", 5);
        tn_vector_f64(&b->columns[1])[i] = i / 3.0;
    }
    b->row_count = 100;
    char path[512];
    snprintf(path, sizeof(path), "%s", csv_test_path("w.csv"));
    for (uint64_t n = 1; n <= 200; n++) {
        tn_alloc_fail_every(n);
        void *state = NULL;
        tn_error err = {0};
        int rc = tn_format_csv.writer_open(path, s, NULL, &state, &err);
        if (rc == 0) {
            rc = tn_format_csv.writer_write(state, b, &err);
            if (rc == 0)
                rc = tn_format_csv.writer_finish(state, &err);
            else
                tn_format_csv.writer_abort(state);
        }
        tn_alloc_fail_every(0);
        cr_assert(rc == 0 || rc == TN_ENOMEM, "N=%llu: rc %d %s", (unsigned long long)n, rc,
                  err.message);
    }
    tn_batch_free(b);
    tn_schema_unref(s);
}
