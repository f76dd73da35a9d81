/* SPDX-License-Identifier: Apache-2.0
 *
 * Runtime filters from hash join builds (exec/join_filter.c) over Parquet files: the build
 * keys' range prunes the probe file's row groups, the bitmap drops rows in the scan, and
 * EXPLAIN ANALYZE shows both, with threads 1 and 2; outer joins keep every row.
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

/* a.parquet: ids 0..4499 in row groups of 1000 rows (sorted, so each row group has its own
 * range of ids). */
static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tarn_join_filter_%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
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
    write_file(e, "a.parquet", "SELECT * FROM t");
    tn_sql_engine_close(e);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(sql_join_filter, .init = setup, .fini = teardown);

static tn_sql_engine *open_engine(int threads)
{
    tn_sql_engine *e;
    tn_error err = {0};
    tn_sql_engine_options o = {0};
    o.threads = threads;
    cr_assert_eq(tn_sql_engine_open(&o, &e, &err), 0);
    /* every 10th id of 1200..1300: 11 keys in one row group of a.parquet */
    const char *make = "CREATE TABLE b AS SELECT CAST(id AS BIGINT) AS k FROM '{dir}/a.parquet' "
                       "WHERE id BETWEEN 1200 AND 1300 AND id % 10 = 0";
    free(run(e, make));
    return e;
}

Test(sql_join_filter, prunes_row_groups_and_drops_rows)
{
    for (int threads = 1; threads <= 2; threads++) {
        tn_sql_engine *e = open_engine(threads);
        expect(e, "SELECT count(*), sum(a.id) FROM '{dir}/a.parquet' a JOIN b ON a.id = b.k",
               "11|13750\n");
        const char *explain =
            "EXPLAIN ANALYZE SELECT count(*) FROM '{dir}/a.parquet' a JOIN b ON a.id = b.k";
        expect_plan(e, explain, "row groups 4/5", true);
        /* the Parquet scan's own page pruning and late materialisation may leave fewer of
         * the surviving row group's 1,000 rows for the join filter to see: it must drop all
         * but the 11 matches of whatever reaches it */
        expect_plan(e, explain, "join filter: dropped rows", true);
        expect_plan(e, explain, "(rows 11,", true);
        /* a semi join filters as an inner one does; an INTEGER key as itself */
        const char *semi = "SELECT count(*) FROM '{dir}/a.parquet' a WHERE EXISTS "
                           "(SELECT 1 FROM b WHERE CAST(b.k AS INTEGER) = a.id)";
        expect(e, semi, "11\n");
        char explain_semi[512];
        snprintf(explain_semi, sizeof explain_semi, "EXPLAIN ANALYZE %s", semi);
        expect_plan(e, explain_semi, "HASH JOIN SEMI", true);
        expect_plan(e, explain_semi, "row groups 4/5", true);
        expect_plan(e, explain_semi, "join filter: dropped rows", true);
        tn_sql_engine_close(e);
    }
}

Test(sql_join_filter, outer_sides_keep_their_rows)
{
    for (int threads = 1; threads <= 2; threads++) {
        tn_sql_engine *e = open_engine(threads);
        expect(e, "SELECT count(*), count(b.k) FROM '{dir}/a.parquet' a LEFT JOIN b ON a.id = b.k",
               "4500|11\n");
        expect(e, "SELECT count(*) FROM '{dir}/a.parquet' a WHERE a.id NOT IN (SELECT k FROM b)",
               "4489\n");
        expect_plan(e, "EXPLAIN ANALYZE SELECT count(*) FROM '{dir}/a.parquet' a LEFT JOIN b ON a.id = b.k",
                    "join filter", false);
        expect_plan(e, "EXPLAIN ANALYZE SELECT count(*) FROM '{dir}/a.parquet' a LEFT JOIN b ON a.id = b.k",
                    "row groups 0/5", true);
        tn_sql_engine_close(e);
    }
}

Test(sql_join_filter, empty_build_reads_no_probe_rows)
{
    tn_sql_engine *e = open_engine(2);
    free(run(e, "CREATE TABLE none AS SELECT k FROM b WHERE k < 0"));
    expect(e, "SELECT count(*) FROM '{dir}/a.parquet' a JOIN none ON a.id = none.k", "0\n");
    expect_plan(e, "EXPLAIN ANALYZE SELECT count(*) FROM '{dir}/a.parquet' a JOIN none ON a.id = none.k",
                "(files 0)", true);
    expect(e, "SELECT count(*) FROM '{dir}/a.parquet' a LEFT JOIN none ON a.id = none.k", "4500\n");
    tn_sql_engine_close(e);
}
