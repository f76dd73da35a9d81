/* SPDX-License-Identifier: Apache-2.0
 *
 * The exchange: a query that is one pipeline (no aggregate, sort or join build above the
 * scan) runs on several workers and must hand out its rows in the serial executor's order,
 * stop with a worker's error, and close cleanly when the consumer stops reading early (the
 * workers then wait on a full queue).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql.h"

/* The rows of a result as one text of "value\n" lines; reading stops after `max_batches`
 * batches when it is not 0. */
typedef struct collected {
    tn_buf text;
    uint32_t batches;
    uint32_t max_batches;
    tn_error *err;
} collected;

static int collect(void *ctx, uint32_t stmt_idx, tn_sql_result *r)
{
    (void)stmt_idx;
    collected *c = ctx;
    if (!tn_sql_result_has_rows(r))
        return 0;
    for (;;) {
        if (c->max_batches && c->batches == c->max_batches)
            return 0; /* stop early: the session closes the result */
        tn_batch *b;
        int rc = tn_sql_result_next(r, &b, c->err);
        if (rc)
            return rc;
        if (!b)
            return 0;
        c->batches++;
        for (uint32_t i = 0; i < b->row_count; i++) {
            for (uint32_t col = 0; col < b->schema->column_count; col++) {
                if (col)
                    tn_buf_putc(&c->text, '|');
                if (tn_vector_format_value(&b->columns[col], i, &c->text) == 1)
                    tn_buf_append_cstr(&c->text, "NULL");
            }
            tn_buf_putc(&c->text, '\n');
        }
    }
}

static tn_sql_engine *engine(int threads)
{
    tn_sql_engine *e;
    tn_error err = {0};
    tn_sql_engine_options o = {0};
    o.threads = threads;
    cr_assert_eq(tn_sql_engine_open(&o, &e, &err), 0, "%s", err.message);
    return e;
}

/* Runs sql (the last statement's rows are kept in c). */
static int run(tn_sql_engine *e, const char *sql, collected *c, uint32_t max_batches,
               tn_error *err)
{
    memset(c, 0, sizeof *c);
    memset(err, 0, sizeof *err);
    c->max_batches = max_batches;
    c->err = err;
    return tn_sql_execute(e, sql, strlen(sql), collect, c, err);
}

/* 100000 rows in memory batches (the morsels), with NULLs and text. */
static const char *setup_sql =
    "CREATE TABLE d AS SELECT * FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) "
    "AS v(x);"
    "CREATE TABLE n AS SELECT a.x * 10000 + b.x * 1000 + c.x * 100 + e.x * 10 + f.x AS i, "
    "CASE WHEN a.x = 3 THEN NULL ELSE 'r' || CAST(f.x AS VARCHAR) END AS s "
    "FROM d a, d b, d c, d e, d f;";

static void setup_tables(tn_sql_engine *e)
{
    collected c;
    tn_error err;
    int rc = run(e, setup_sql, &c, 0, &err);
    cr_assert_eq(rc, 0, "%s", err.message);
    tn_buf_free(&c.text);
}

TestSuite(sql_exchange, .timeout = 120);

Test(sql_exchange, rows_come_out_in_the_serial_order)
{
    const char *queries[] = {
        "SELECT i, s FROM n WHERE i % 7 = 3 AND s <> 'r5'",
        "SELECT i * 2, upper(s) FROM n",
        "SELECT i FROM n WHERE i < 0",
        "SELECT s, i FROM n WHERE s LIKE '%7%' OR i > 99990",
    };
    tn_sql_engine *serial = engine(1), *parallel = engine(4);
    setup_tables(serial);
    setup_tables(parallel);
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        collected a, b;
        tn_error err;
        cr_assert_eq(run(serial, queries[q], &a, 0, &err), 0, "%s", err.message);
        cr_assert_eq(run(parallel, queries[q], &b, 0, &err), 0, "%s", err.message);
        cr_assert_eq(a.text.len, b.text.len, "%s", queries[q]);
        cr_assert(a.text.len == 0 || memcmp(a.text.data, b.text.data, a.text.len) == 0, "%s",
                  queries[q]);
        tn_buf_free(&a.text);
        tn_buf_free(&b.text);
    }
    /* a table made from a parallel pipeline keeps the order too */
    collected a, b;
    tn_error err;
    cr_assert_eq(run(parallel, "CREATE TABLE m AS SELECT i FROM n WHERE i % 3 = 0; "
                               "SELECT i FROM m LIMIT 5 OFFSET 20000", &a, 0, &err), 0, "%s",
                 err.message);
    cr_assert_str_eq(tn_buf_cstr(&a.text), "60000\n60003\n60006\n60009\n60012\n");
    tn_buf_free(&a.text);
    (void)b;
    tn_sql_engine_close(serial);
    tn_sql_engine_close(parallel);
}

Test(sql_exchange, a_worker_error_ends_the_query)
{
    tn_sql_engine *e = engine(4);
    setup_tables(e);
    collected c;
    tn_error err;
    int rc = run(e, "SELECT i, 100 // (i - 77777) FROM n", &c, 0, &err);
    tn_buf_free(&c.text);
    cr_assert_neq(rc, 0, "division by zero in a worker must fail the query");
    cr_assert(strstr(err.message, "division by zero") != NULL, "message: %s", err.message);
    /* the engine is usable afterwards */
    cr_assert_eq(run(e, "SELECT count(*) FROM n", &c, 0, &err), 0, "%s", err.message);
    cr_assert_str_eq(tn_buf_cstr(&c.text), "100000\n");
    tn_buf_free(&c.text);
    tn_sql_engine_close(e);
}

Test(sql_exchange, stopping_early_closes_the_workers)
{
    tn_sql_engine *e = engine(4);
    setup_tables(e);
    for (uint32_t stop = 1; stop <= 3; stop++) {
        collected c;
        tn_error err;
        int rc = run(e, "SELECT i, s FROM n WHERE i % 2 = 0", &c, stop, &err);
        cr_assert_eq(rc, 0, "%s", err.message);
        cr_assert_eq(c.batches, stop);
        cr_assert(strncmp(tn_buf_cstr(&c.text), "0|r0\n2|r2\n", 10) == 0);
        tn_buf_free(&c.text);
    }
    tn_sql_engine_close(e);
}
