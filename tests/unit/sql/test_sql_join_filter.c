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

#include "sql_files_test.h"

static void write_file(tn_sql_engine *e, const char *name, const char *sql)
{
    write_parquet_file(e, name, sql, 1000);
}

/* a.parquet: ids 0..4499 in row groups of 1000 rows (sorted, so each row group has its own
 * range of ids). */
static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tarn_join_filter_%d", (int)getpid());
    tn_sql_engine *e = engine_with_table(".", 4500);
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
    free(run_text(e, make));
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
    free(run_text(e, "CREATE TABLE none AS SELECT k FROM b WHERE k < 0"));
    expect(e, "SELECT count(*) FROM '{dir}/a.parquet' a JOIN none ON a.id = none.k", "0\n");
    expect_plan(e, "EXPLAIN ANALYZE SELECT count(*) FROM '{dir}/a.parquet' a JOIN none ON a.id = none.k",
                "(files 0)", true);
    expect(e, "SELECT count(*) FROM '{dir}/a.parquet' a LEFT JOIN none ON a.id = none.k", "4500\n");
    tn_sql_engine_close(e);
}

/* The Parquet scan tests the filter as it decodes the key, before the other columns: keys
 * spread over the whole range (no row group pruned), NULL probe keys, a build key whose
 * probe row has a NULL key; the scan's output is exactly the rows the filter kept
 * (tested - dropped), across row groups and chunks, with threads 1 and 2. */
Test(sql_join_filter, scan_tests_the_key_before_other_columns)
{
    tn_sql_engine *w = engine_with_table(".", 4500);
    write_file(w, "n.parquet",
               "SELECT CASE WHEN id % 7 = 0 THEN NULL ELSE id END AS id, name FROM t");
    tn_sql_engine_close(w);
    for (int threads = 1; threads <= 2; threads++) {
        tn_sql_engine *e = open_engine(threads);
        free(run_text(e, "CREATE TABLE s AS SELECT CAST(id AS BIGINT) AS k FROM '{dir}/a.parquet' "
                         "WHERE id IN (5, 14, 2500, 4495)"));
        /* 14 has a NULL probe key: three matches */
        const char *q = "SELECT count(*), sum(n.id), max(n.name) FROM '{dir}/n.parquet' n "
                        "JOIN s ON n.id = s.k";
        expect(e, q, "3|7000|n5\n");
        char explain[512];
        snprintf(explain, sizeof explain, "EXPLAIN ANALYZE %s", q);
        char *plan = run_text(e, explain);
        const char *at = strstr(plan, "n.parquet [id, name]");
        cr_assert_not_null(at, "%s", plan);
        cr_assert_not_null(strstr(at, "row groups 0/5"), "%s", plan);
        at = strstr(at, "join filter: dropped rows ");
        cr_assert_not_null(at, "%s", plan);
        long long dropped = 0, tested = 0, out = -1;
        cr_assert_eq(sscanf(at, "join filter: dropped rows %lld/%lld)  (rows %lld", &dropped,
                            &tested, &out), 3, "%s", plan);
        cr_assert_gt(dropped, 0, "%s", plan);
        cr_assert_eq(tested - dropped, out, "%s", plan);
        /* the three matches and the bitmap's few false positives */
        cr_assert(out >= 3 && out * 16 < tested, "%s", plan);
        free(plan);
        /* two filters on the key, and a predicate of the scan's own: still counted once */
        const char *two = "EXPLAIN ANALYZE SELECT count(*), max(n.name) FROM '{dir}/n.parquet' n "
                          "JOIN s ON n.id = s.k JOIN (SELECT k + 0 AS k FROM s WHERE k > 5) s2 "
                          "ON n.id = s2.k WHERE n.name <> 'n1'";
        plan = run_text(e, two);
        at = strstr(plan, "n.parquet [id, name]");
        cr_assert_not_null(at, "%s", plan);
        at = strstr(at, "join filter: dropped rows ");
        cr_assert_not_null(at, "%s", plan);
        cr_assert_eq(sscanf(at, "join filter: dropped rows %lld/%lld)  (rows %lld", &dropped,
                            &tested, &out), 3, "%s", plan);
        cr_assert_eq(tested - dropped, out, "%s", plan);
        free(plan);
        expect(e, "SELECT count(*), max(n.name) FROM '{dir}/n.parquet' n JOIN s ON n.id = s.k "
                  "JOIN (SELECT k + 0 AS k FROM s WHERE k > 5) s2 ON n.id = s2.k "
                  "WHERE n.name <> 'n1'", "2|n4495\n");
        /* the same keys through a LEFT JOIN: every probe row stays */
        expect(e, "SELECT count(*), count(s.k) FROM '{dir}/n.parquet' n LEFT JOIN s ON n.id = s.k",
               "4500|3\n");
        tn_sql_engine_close(e);
    }
}
