/* SPDX-License-Identifier: Apache-2.0
 *
 * Out-of-memory behaviour of the JSON reader and writer: with every Nth allocation failing
 * (N = 1..200), opening, reading and writing either succeed or fail with TN_ENOMEM, never
 * crash, and free everything (the ASan build checks for leaks).
 */
#include "test_json_util.h"

static const char *ndjson_text =
    "{\"id\":1,\"name\":\"a\\u00e9\",\"p\":1.5,\"d\":\"2024-01-01\",\"n\":{\"x\":[1,{\"y\":2}]}}\n"
    "{\"id\":2,\"name\":\"b\",\"p\":2,\"d\":\"2024-01-02\",\"n\":{\"x\":null},\"z\":true}\n"
    "bad line\n"
    "{\"id\":\"x\",\"name\":\"c\"}\n"
    "{\"id\":4,\"name\":\"long name long name long name long name\",\"n\":{\"x\":[]}}\n";

static const char *doc_text = "[{\"a\":1,\"b\":{\"c\":\"x\"}},\n{\"a\":2,\"b\":{\"c\":\"y\"}},\n"
                              "{\"a\":\"bad\"},\n{\"a\":4,\"d\":[1,2,3]}]";

static void count_reject(void *ctx, const tn_reject *rj)
{
    (void)rj;
    (*(int *)ctx)++;
}

/* Reads everything; returns the first error code (0 when the whole file was read). */
static int read_all(const char *path, int threads)
{
    int rejects = 0;
    tn_read_options opts = {0};
    opts.threads = threads;
    opts.batch_rows = 2;
    opts.on_reject = count_reject;
    opts.reject_ctx = &rejects;
    void *state = NULL;
    tn_error err = {0};
    int rc = tn_format_json.reader_open(path, &opts, &state, &err);
    if (rc) return rc;
    for (;;) {
        tn_batch *b = NULL;
        rc = tn_format_json.reader_next(state, &b, &err);
        if (rc || !b) break;
        tn_batch_free(b);
    }
    tn_format_json.reader_close(state);
    return rc;
}

static int write_some(const char *path, bool array)
{
    tn_schema *s = tn_schema_new();
    if (!s) return TN_ENOMEM;
    int rc = tn_schema_add(s, "i", tn_type_make(TN_TYPE_BIGINT), true);
    if (!rc) rc = tn_schema_add(s, "s", tn_type_make(TN_TYPE_VARCHAR), true);
    tn_batch *b = rc ? NULL : tn_batch_new(s, 4);
    tn_schema_unref(s);
    if (!b) return TN_ENOMEM;
    for (uint32_t r = 0; r < 4 && rc == 0; r++) {
        tn_vector_i64(&b->columns[0])[r] = r;
        rc = tn_vector_append_str(&b->columns[1], r, "text \"q\"", 8);
    }
    b->row_count = 4;
    tn_write_options opts = {0};
    opts.json_array = array;
    void *w = NULL;
    tn_error err = {0};
    if (!rc) rc = tn_format_json.writer_open(path, b->schema, &opts, &w, &err);
    if (!rc) {
        rc = tn_format_json.writer_write(w, b, &err);
        if (rc)
            tn_format_json.writer_abort(w);
        else
            rc = tn_format_json.writer_finish(w, &err);
    }
    tn_batch_free(b);
    return rc;
}

Test(json_alloc, fail_every_nth, .timeout = 300)
{
    char *nd = jt_write_str("alloc.ndjson", ndjson_text);
    char *doc = jt_write_str("alloc.json", doc_text);
    char *out = jt_path("alloc-out.ndjson");
    cr_assert_eq(read_all(nd, 1), 0);
    cr_assert_eq(read_all(doc, 1), 0);
    cr_assert_eq(write_some(out, false), 0);
    int failures = 0;
    for (uint64_t n = 1; n <= 200; n++) {
        int rcs[5];
        tn_alloc_fail_every(n);
        rcs[0] = read_all(nd, 1);
        rcs[1] = read_all(nd, 2);
        rcs[2] = read_all(doc, 1);
        rcs[3] = write_some(out, false);
        rcs[4] = write_some(out, true);
        tn_alloc_fail_every(0);
        for (int k = 0; k < 5; k++) {
            /* Starting a pool thread may fail with something else than ENOMEM. */
            cr_assert(rcs[k] == 0 || rcs[k] == TN_ENOMEM || (k == 1 && rcs[k] < 0),
                      "n=%llu case %d rc=%d", (unsigned long long)n, k, rcs[k]);
            failures += rcs[k] != 0;
        }
    }
    cr_assert_gt(failures, 0);
    /* Still works after all that. */
    cr_assert_eq(read_all(nd, 2), 0);
}

Test(json_alloc, parser_and_validate)
{
    for (uint64_t n = 1; n <= 200; n++) {
        tn_alloc_fail_every(n);
        tn_json_doc *d = NULL;
        tn_error err = {0};
        int rc = tn_json_parse(doc_text, strlen(doc_text), &d, &err);
        int vrc = tn_json_validate(doc_text, strlen(doc_text), &err);
        tn_alloc_fail_every(0);
        cr_assert(rc == 0 || rc == TN_ENOMEM);
        cr_assert_eq(vrc, 0);
        tn_json_free(d);
    }
}
