/* SPDX-License-Identifier: Apache-2.0
 *
 * COUNT(*) of Parquet files without a filter is answered from the footers' row-group row
 * counts (optimizer/footer_count.c): the plan becomes a one-row VALUES and the answer is the
 * scan's. Over one file of several row groups, a glob, an empty file, with threads 1 and 2;
 * a WHERE, another aggregate, a GROUP BY or a CSV file keep the scan.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/formats.h"
#include "formats/parquet/parquet_write.h"
#include "sql/sql.h"

static char dir[256];

/* The last result's rows as "a|b" lines joined by '\n', into out. */
typedef struct text_result {
    tn_buf text;
    tn_error *err;
} text_result;

static int collect(void *ctx, uint32_t stmt_idx, tn_sql_result *r)
{
    (void)stmt_idx;
    text_result *res = ctx;
    if (!tn_sql_result_has_rows(r))
        return 0;
    tn_buf_clear(&res->text);
    for (;;) {
        tn_batch *b;
        int rc = tn_sql_result_next(r, &b, res->err);
        if (rc)
            return rc;
        if (!b)
            return 0;
        for (uint32_t i = 0; i < b->row_count; i++) {
            for (uint32_t c = 0; c < b->schema->column_count; c++) {
                const tn_vector *v = &b->columns[c];
                if (c)
                    tn_buf_putc(&res->text, '|');
                if (v->type.id == TN_TYPE_BIGINT)
                    tn_buf_printf(&res->text, "%lld", (long long)tn_vector_i64(v)[i]);
                else if (v->type.id == TN_TYPE_VARCHAR) {
                    tn_str s = tn_vector_get_str(v, i);
                    tn_buf_append(&res->text, s.ptr, s.len);
                }
            }
            tn_buf_putc(&res->text, '\n');
        }
    }
}

/* Runs sql (with {dir} replaced by the test folder) and returns its last result's text. */
static char *run(tn_sql_engine *e, const char *tmpl)
{
    char sql[1024];
    size_t n = 0;
    for (const char *p = tmpl; *p && n + 1 < sizeof sql;) {
        if (strncmp(p, "{dir}", 5) == 0) {
            n += (size_t)snprintf(sql + n, sizeof sql - n, "%s", dir);
            p += 5;
        } else {
            sql[n++] = *p++;
        }
    }
    sql[n] = 0;
    tn_error err = {0};
    text_result res = {TN_BUF_INIT, &err};
    int rc = tn_sql_execute(e, sql, strlen(sql), collect, &res, &err);
    cr_assert_eq(rc, 0, "%s: %s", sql, err.message);
    const char *text = tn_buf_cstr(&res.text);
    char *out = strdup(text ? text : "");
    tn_buf_free(&res.text);
    return out;
}

static void expect(tn_sql_engine *e, const char *sql, const char *want)
{
    char *got = run(e, sql);
    cr_expect_str_eq(got, want, "%s\n  got: [%s]\n  want: [%s]", sql, got, want);
    free(got);
}

static void expect_plan(tn_sql_engine *e, const char *sql, const char *contains, bool yes)
{
    char *got = run(e, sql);
    cr_expect_eq(strstr(got, contains) != NULL, yes, "%s\n%s", sql, got);
    free(got);
}

typedef struct parquet_copy {
    const char *path;
    void *writer;
} parquet_copy;

/* Writes a query's result into a Parquet file in row groups of 1000 rows. */
static int write_parquet(void *ctx, uint32_t stmt_idx, tn_sql_result *r)
{
    (void)stmt_idx;
    parquet_copy *pc = ctx;
    tn_write_options o = {0};
    o.format = "parquet";
    o.row_group_rows = 1000;
    o.threads = 1;
    tn_error err = {0};
    if (tn_parquet_writer_open(pc->path, tn_sql_result_schema(r), &o, &pc->writer, &err) != 0)
        return -1;
    for (;;) {
        tn_batch *b;
        if (tn_sql_result_next(r, &b, &err) != 0)
            return -1;
        if (!b)
            return 0;
        if (tn_parquet_writer_write(pc->writer, b, &err) != 0)
            return -1;
    }
}

static void write_file(tn_sql_engine *e, const char *name, const char *sql)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    parquet_copy pc = {path, NULL};
    tn_error err = {0};
    cr_assert_eq(tn_sql_execute(e, sql, strlen(sql), write_parquet, &pc, &err), 0, "%s",
                 err.message);
    cr_assert_eq(tn_parquet_writer_finish(pc.writer, &err), 0, "%s", err.message);
}

/* a.parquet: 4500 rows (id, name) in 5 row groups; b.parquet: 1200 rows, other columns; empty.parquet:
 * no rows; c.csv: 3 rows. */
static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tarn_footer_count_%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/pq", dir);
    cr_assert_eq(system(cmd), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/src.csv", dir);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs("id,name\n", fp);
    for (int i = 0; i < 4500; i++)
        fprintf(fp, "%d,n%d\n", i, i);
    fclose(fp);
    tn_sql_engine *e;
    tn_error err = {0};
    cr_assert_eq(tn_sql_engine_open(NULL, &e, &err), 0);
    char make[600];
    snprintf(make, sizeof make, "CREATE TABLE t AS SELECT * FROM '%s'", path);
    cr_assert_eq(tn_sql_execute(e, make, strlen(make), NULL, NULL, &err), 0, "%s", err.message);
    write_file(e, "pq/a.parquet", "SELECT * FROM t");
    write_file(e, "pq/b.parquet", "SELECT id * 2 AS other FROM t WHERE id < 1200");
    write_file(e, "pq/empty.parquet", "SELECT * FROM t WHERE id < 0");
    tn_sql_engine_close(e);
    snprintf(path, sizeof path, "%s/c.csv", dir);
    fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs("id\n1\n2\n3\n", fp);
    fclose(fp);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(sql_footer_count, .init = setup, .fini = teardown);

Test(sql_footer_count, counts_from_footers)
{
    for (int threads = 1; threads <= 2; threads++) {
        tn_sql_engine *e;
        tn_error err = {0};
        tn_sql_engine_options o = {0};
        o.threads = threads;
        cr_assert_eq(tn_sql_engine_open(&o, &e, &err), 0);
        expect(e, "SELECT count(*) FROM '{dir}/pq/a.parquet'", "4500\n");
        expect(e, "SELECT count(*) AS n, count(*) + 1 FROM read_parquet('{dir}/pq/a.parquet')",
               "4500|4501\n");
        expect(e, "SELECT count(*) FROM '{dir}/pq/*.parquet'", "5700\n");
        expect(e, "SELECT count(*) FROM '{dir}/pq/empty.parquet'", "0\n");
        expect(e, "SELECT count(*) FROM (SELECT count(*) FROM '{dir}/pq/a.parquet') AS s", "1\n");
        expect(e, "SELECT (SELECT count(*) FROM '{dir}/pq/b.parquet') * 2", "2400\n");
        expect(e, "SELECT count(*) FROM '{dir}/pq/a.parquet' HAVING count(*) > 5000", "");
        expect_plan(e, "EXPLAIN SELECT count(*) FROM '{dir}/pq/*.parquet'", "VALUES 1 rows", true);
        expect_plan(e, "EXPLAIN SELECT count(*) FROM '{dir}/pq/*.parquet'", "SCAN", false);
        tn_sql_engine_close(e);
    }
}

Test(sql_footer_count, other_shapes_scan)
{
    tn_sql_engine *e;
    tn_error err = {0};
    cr_assert_eq(tn_sql_engine_open(NULL, &e, &err), 0);
    /* a filter, another aggregate, a group, a FILTER clause, a CSV file */
    expect(e, "SELECT count(*) FROM '{dir}/pq/a.parquet' WHERE id >= 4000", "500\n");
    expect_plan(e, "EXPLAIN SELECT count(*) FROM '{dir}/pq/a.parquet' WHERE id >= 4000", "SCAN",
                true);
    expect(e, "SELECT count(*), count(name) FROM '{dir}/pq/a.parquet'", "4500|4500\n");
    expect(e, "SELECT count(*) FILTER (WHERE id < 10) FROM '{dir}/pq/a.parquet'", "10\n");
    expect(e, "SELECT count(*) FROM '{dir}/pq/empty.parquet' GROUP BY name", "");
    expect(e, "SELECT count(*) FROM '{dir}/c.csv'", "3\n");
    expect_plan(e, "EXPLAIN SELECT count(*) FROM '{dir}/c.csv'", "SCAN", true);
    expect_plan(e, "EXPLAIN SELECT count(*) FROM '{dir}/pq/a.parquet' GROUP BY name", "SCAN",
                true);
    tn_sql_engine_close(e);
}
