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

#include "sql_files_test.h"

static void write_file(tn_sql_engine *e, const char *name, const char *sql)
{
    write_parquet_file(e, name, sql, 1000);
}

/* a.parquet: 4500 rows (id, name) in 5 row groups; b.parquet: 1200 rows, other columns; empty.parquet:
 * no rows; c.csv: 3 rows. */
static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tarn_footer_count_%d", (int)getpid());
    tn_sql_engine *e = engine_with_table("pq", 4500);
    write_file(e, "pq/a.parquet", "SELECT * FROM t");
    write_file(e, "pq/b.parquet", "SELECT id * 2 AS other FROM t WHERE id < 1200");
    write_file(e, "pq/empty.parquet", "SELECT * FROM t WHERE id < 0");
    tn_sql_engine_close(e);
    char path[512];
    snprintf(path, sizeof path, "%s/c.csv", dir);
    FILE *fp = fopen(path, "w");
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
