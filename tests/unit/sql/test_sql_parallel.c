/* SPDX-License-Identifier: Apache-2.0
 *
 * Parallel execution: the same queries with `SET threads = 1` (the serial executor) and with
 * several workers must give the same rows, over every kind of morsel (Parquet row groups,
 * the files of a CSV glob, batches of an in-memory table, data files of a lake table). ORDER BY output must match row
 * for row, ties included; without ORDER BY the rows are compared sorted. Also: an error in
 * a worker ends the query with that error, and the memory limit stops a big aggregation with
 * a message naming the setting.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "lake/lake.h"
#include "sql/sql.h"
#include "storage/storage.h"

#include "sql_files_test.h"

#define ROWS 60000
#define FILES 3

/* A result rendered as text lines, one per row. */
typedef struct text_rows {
    char **lines;
    size_t count, cap;
    tn_error *err; /* where a failing result's error goes */
} text_rows;

static void render_value(const tn_vector *v, uint32_t row, tn_buf *out)
{
    if (!tn_vector_is_valid(v, row)) {
        tn_buf_append_cstr(out, "NULL");
        return;
    }
    char tmp[64];
    switch (v->type.id) {
    case TN_TYPE_BOOLEAN: tn_buf_append_cstr(out, tn_vector_get_bool(v, row) ? "t" : "f"); return;
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: snprintf(tmp, sizeof tmp, "%d", tn_vector_i32(v)[row]); break;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: snprintf(tmp, sizeof tmp, "%lld", (long long)tn_vector_i64(v)[row]); break;
    case TN_TYPE_REAL: snprintf(tmp, sizeof tmp, "%.6g", tn_vector_f32(v)[row]); break;
    /* sums of doubles may differ in the last bits with the order of addition */
    case TN_TYPE_DOUBLE: snprintf(tmp, sizeof tmp, "%.9g", tn_vector_f64(v)[row]); break;
    case TN_TYPE_DECIMAL: snprintf(tmp, sizeof tmp, "%lld", (long long)tn_vector_get_decimal(v, row)); break;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: {
        tn_str s = tn_vector_get_str(v, row);
        tn_buf_append(out, s.ptr, s.len);
        return;
    }
    default: snprintf(tmp, sizeof tmp, "?"); break;
    }
    tn_buf_append_cstr(out, tmp);
}

static int collect(void *ctx, uint32_t stmt_idx, tn_sql_result *r)
{
    (void)stmt_idx;
    text_rows *rows = ctx;
    if (!tn_sql_result_has_rows(r))
        return 0;
    for (;;) {
        tn_batch *b;
        int rc = tn_sql_result_next(r, &b, rows->err);
        if (rc)
            return rc;
        if (!b)
            return 0;
        for (uint32_t i = 0; i < b->row_count; i++) {
            tn_buf line = TN_BUF_INIT;
            for (uint32_t c = 0; c < b->schema->column_count; c++) {
                if (c)
                    tn_buf_putc(&line, '|');
                render_value(&b->columns[c], i, &line);
            }
            if (rows->count == rows->cap) {
                rows->cap = rows->cap ? rows->cap * 2 : 64;
                rows->lines = realloc(rows->lines, rows->cap * sizeof *rows->lines);
            }
            rows->lines[rows->count++] = strdup(tn_buf_cstr(&line));
            tn_buf_free(&line);
        }
    }
}

static void rows_free(text_rows *rows)
{
    for (size_t i = 0; i < rows->count; i++)
        free(rows->lines[i]);
    free(rows->lines);
    memset(rows, 0, sizeof *rows);
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs sql on an engine and returns its rows (the script's last result). */
static int run(tn_sql_engine *e, const char *sql, text_rows *out, tn_error *err)
{
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    out->err = err;
    return tn_sql_execute(e, sql, strlen(sql), collect, out, err);
}

static void exec_ok(tn_sql_engine *e, const char *sql)
{
    text_rows rows;
    tn_error err;
    int rc = run(e, sql, &rows, &err);
    cr_assert_eq(rc, 0, "%s: %s", sql, err.message);
    rows_free(&rows);
}

/* The CSV files (data in a glob) and a Parquet copy of many row groups. */
static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tarn_par_%d", (int)getpid());
    char path[512];
    snprintf(path, sizeof path, "mkdir -p %s", dir);
    cr_assert_eq(system(path), 0);
    for (int f = 0; f < FILES; f++) {
        snprintf(path, sizeof path, "%s/part%d.csv", dir, f);
        FILE *fp = fopen(path, "w");
        cr_assert_not_null(fp);
        fprintf(fp, "id,grp,name,val,price\n");
        for (int i = f * (ROWS / FILES); i < (f + 1) * (ROWS / FILES); i++) {
            /* val has many ties for the ORDER BY checks; some NULLs */
            if (i % 101 == 0)
                fprintf(fp, "%d,%d,n%d,,%d.%02d\n", i, i % 97, i % 13, i % 50, i % 100);
            else
                fprintf(fp, "%d,%d,n%d,%d,%d.%02d\n", i, i % 97, i % 13, (i * 7) % 1000, i % 50,
                        i % 100);
        }
        fclose(fp);
    }
    tn_sql_engine *e;
    tn_error err = {0};
    cr_assert_eq(tn_sql_engine_open(NULL, &e, &err), 0);
    char sql[600];
    snprintf(sql, sizeof sql, "SELECT * FROM '%s/*.csv' ORDER BY id", dir);
    snprintf(path, sizeof path, "%s/data.parquet", dir);
    parquet_copy pc = {path, 4096, NULL};
    cr_assert_eq(tn_sql_execute(e, sql, strlen(sql), write_parquet, &pc, &err), 0, "%s",
                 err.message);
    cr_assert_eq(tn_parquet_writer_finish(pc.writer, &err), 0, "%s", err.message);
    tn_sql_engine_close(e);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* Replaces every {src} in a template with a source. */
static void fill(char *out, size_t cap, const char *tmpl, const char *src)
{
    size_t n = 0;
    for (const char *p = tmpl; *p && n + 1 < cap;) {
        if (strncmp(p, "{src}", 5) == 0) {
            n += (size_t)snprintf(out + n, cap - n, "%s", src);
            p += 5;
        } else {
            out[n++] = *p++;
        }
    }
    out[n < cap ? n : cap - 1] = 0;
}

static const char *const queries[] = {
    /* aggregates, grouped and not, with DISTINCT and FILTER */
    "SELECT count(*), sum(val), min(val), max(val), avg(val), min(name), max(name), "
    "count(val), count(DISTINCT val), sum(DISTINCT val), avg(DISTINCT grp), sum(price) FROM {src}",
    "SELECT grp, count(*), sum(val), min(name), max(price), count(DISTINCT name), "
    "count(*) FILTER (WHERE val > 500), sum(DISTINCT val) FROM {src} GROUP BY grp ORDER BY grp",
    "SELECT name, val % 10 AS d, count(*) FROM {src} WHERE val IS NOT NULL GROUP BY 1, 2",
    "SELECT count(*) FROM {src} WHERE name LIKE 'n1%' AND val BETWEEN 100 AND 700",
    /* ORDER BY with ties: the order of equal keys must be the serial one */
    "SELECT id, val FROM {src} ORDER BY val DESC NULLS FIRST LIMIT 300",
    "SELECT id, grp, name FROM {src} WHERE grp < 5 ORDER BY grp, name",
    "SELECT grp, sum(val) AS s FROM {src} GROUP BY grp ORDER BY s DESC, grp LIMIT 10",
    /* DISTINCT sets partitioned per worker: many groups (a NULL group among them), many
     * distinct values, NULL values skipped, strings too long to sit in a hash slot */
    "SELECT id % 1000 AS g, count(DISTINCT val), count(DISTINCT id % 7919), "
    "sum(DISTINCT id % 311), avg(DISTINCT val), count(val) FROM {src} GROUP BY 1",
    "SELECT val % 50 AS g, count(DISTINCT id), count(DISTINCT 'a-long-customer-name-' || id), "
    "count(DISTINCT val), sum(DISTINCT price) FROM {src} GROUP BY 1",
    "SELECT count(DISTINCT id), count(DISTINCT name || val), sum(DISTINCT id), "
    "count(DISTINCT CASE WHEN id % 3 = 0 THEN NULL ELSE id % 20000 END) FROM {src}",
    /* many groups (as many as rows, or keys met by two workers): the partial tables are
     * merged partition by partition; NULL keys, long string keys, HAVING */
    "SELECT id, count(*), sum(val), avg(val), min(name), max(price), min(val), "
    "count(val) FILTER (WHERE grp > 10) FROM {src} GROUP BY id HAVING count(*) > 0",
    "SELECT CASE WHEN id % 11 = 0 THEN NULL ELSE id % 30000 END AS k, count(*), sum(val), "
    "avg(val), min(name), max(name), max(val), sum(price) FROM {src} GROUP BY 1",
    "SELECT 'a-long-group-key-' || (id % 25000) AS k, name, count(*), sum(val), min(price) "
    "FROM {src} GROUP BY 1, 2 HAVING count(val) > 0",
    /* joins probed by every worker */
    "SELECT a.grp, count(*), sum(b.m) FROM {src} a JOIN (SELECT grp, max(val) AS m FROM {src} "
    "GROUP BY grp) b ON a.grp = b.grp GROUP BY a.grp ORDER BY a.grp",
    "SELECT count(*), count(b.g) FROM {src} a LEFT JOIN (SELECT grp AS g FROM {src} WHERE id < "
    "40 GROUP BY grp) b ON a.grp = b.g",
    "SELECT a.id FROM {src} a JOIN (SELECT DISTINCT grp FROM {src} WHERE grp > 90) b ON "
    "a.grp = b.grp ORDER BY a.id",
    /* a build side gathered by the workers: matches of one key keep the serial order */
    "SELECT a.id, b.id, b.name FROM (SELECT id FROM {src} WHERE id < 30) a LEFT JOIN {src} b "
    "ON a.id = b.grp ORDER BY a.id",
    "SELECT count(*), sum(b.id) FROM {src} a JOIN {src} b ON a.grp = b.id WHERE b.name = 'n3'",
    /* serial sections inside: a subquery, a RIGHT join */
    "SELECT count(*) FROM {src} WHERE val > (SELECT avg(val) FROM {src})",
    "SELECT count(*), count(a.grp) FROM (SELECT grp FROM {src} WHERE id < 100) a RIGHT JOIN "
    "(SELECT grp FROM {src} WHERE id < 1000) b ON a.grp = b.grp",
};

/* Compares the queries over src on one thread and on `threads`; with a lake (and its catalog)
 * the engines are in that project, whose tables then exist already. */
static void compare_sources_in(const char *src, int threads, tn_lake *lake, tn_catalog *catalog)
{
    tn_sql_engine *serial, *parallel;
    tn_error err = {0};
    tn_sql_engine_options o = {0};
    o.lake = lake;
    o.catalog = catalog;
    o.threads = 1;
    cr_assert_eq(tn_sql_engine_open(&o, &serial, &err), 0);
    o.threads = threads;
    cr_assert_eq(tn_sql_engine_open(&o, &parallel, &err), 0);
    if (!lake) {
        char table_sql[600];
        snprintf(table_sql, sizeof table_sql, "CREATE TABLE mem AS SELECT * FROM '%s/*.csv'", dir);
        exec_ok(serial, table_sql);
        exec_ok(parallel, table_sql);
    }
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        char sql[2048];
        fill(sql, sizeof sql, queries[q], src);
        text_rows a, b;
        tn_error ea, eb;
        int ra = run(serial, sql, &a, &ea);
        int rb = run(parallel, sql, &b, &eb);
        cr_assert_eq(ra, 0, "%s: %s", sql, ea.message);
        cr_assert_eq(rb, 0, "%s: %s", sql, eb.message);
        cr_assert_eq(a.count, b.count, "%s: %zu rows serially, %zu in parallel", sql, a.count,
                     b.count);
        cr_assert_gt(a.count, 0, "%s: no rows", sql);
        if (!strstr(sql, "ORDER BY a.id") && !strstr(queries[q], "LIMIT") &&
            !strstr(queries[q], "ORDER BY")) {
            qsort(a.lines, a.count, sizeof *a.lines, cmp_line);
            qsort(b.lines, b.count, sizeof *b.lines, cmp_line);
        }
        for (size_t i = 0; i < a.count; i++)
            cr_assert_str_eq(a.lines[i], b.lines[i], "%s: row %zu differs", sql, i);
        rows_free(&a);
        rows_free(&b);
    }
    tn_sql_engine_close(serial);
    tn_sql_engine_close(parallel);
}

static void compare_sources(const char *src, int threads)
{
    compare_sources_in(src, threads, NULL, NULL);
}

TestSuite(sql_parallel, .init = setup, .fini = teardown, .timeout = 120);

Test(sql_parallel, parquet_row_groups_as_morsels)
{
    char src[400];
    snprintf(src, sizeof src, "'%s/data.parquet'", dir);
    compare_sources(src, 2);
    compare_sources(src, 5);
}

Test(sql_parallel, csv_files_as_morsels)
{
    char src[400];
    snprintf(src, sizeof src, "'%s/*.csv'", dir);
    compare_sources(src, 3);
}

Test(sql_parallel, memory_batches_as_morsels)
{
    compare_sources("mem", 4);
}

/* A lake table of three data files (one per statement, each its own snapshot). */
Test(sql_parallel, lake_files_as_morsels)
{
    char path[512];
    tn_error err = {0};
    tn_store *store = NULL;
    tn_catalog *catalog = NULL;
    tn_lake *lake = NULL;
    snprintf(path, sizeof path, "%s/lake", dir);
    cr_assert_eq(tn_store_open(path, &store, &err), 0, "%s", err.message);
    snprintf(path, sizeof path, "%s/catalog.db", dir);
    cr_assert_eq(tn_catalog_open(path, &catalog, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_open(store, catalog, &lake, &err), 0, "%s", err.message);
    tn_sql_engine *e;
    tn_sql_engine_options o = {.lake = lake, .catalog = catalog};
    cr_assert_eq(tn_sql_engine_open(&o, &e, &err), 0);
    for (int f = 0; f < FILES; f++) {
        char sql[600];
        snprintf(sql, sizeof sql, f ? "INSERT INTO lt SELECT * FROM '%s/part%d.csv'"
                                    : "CREATE TABLE lt AS SELECT * FROM '%s/part%d.csv'", dir, f);
        exec_ok(e, sql);
    }
    tn_sql_engine_close(e);
    tn_lake_table *t = NULL;
    cr_assert_eq(tn_lake_table_load(lake, "default", "lt", &t, &err), 0, "%s", err.message);
    tn_lake_scan *scan = NULL;
    cr_assert_eq(tn_lake_scan_open(t, NULL, &scan, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_scan_file_count(scan), FILES);
    tn_lake_scan_close(scan);
    tn_lake_table_close(t);
    compare_sources_in("lt", 2, lake, catalog);
    compare_sources_in("lt", 3, lake, catalog);
    tn_lake_close(lake);
    tn_catalog_close(catalog);
    tn_store_close(store);
}

Test(sql_parallel, worker_error_stops_the_query)
{
    tn_sql_engine *e;
    tn_error err = {0};
    tn_sql_engine_options o = {0};
    o.threads = 4;
    cr_assert_eq(tn_sql_engine_open(&o, &e, &err), 0);
    char sql[600];
    snprintf(sql, sizeof sql, "SELECT grp, sum(100 / (val - 693)) FROM '%s/data.parquet' GROUP BY grp",
             dir);
    text_rows rows;
    int rc = run(e, sql, &rows, &err);
    rows_free(&rows);
    cr_assert_neq(rc, 0, "division by zero in a worker must fail the query");
    cr_assert(strstr(err.message, "division by zero") != NULL, "message: %s", err.message);
    /* the engine is usable afterwards */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM '%s/data.parquet'", dir);
    cr_assert_eq(run(e, sql, &rows, &err), 0, "%s", err.message);
    cr_assert_eq(rows.count, 1);
    cr_assert_str_eq(rows.lines[0], "60000");
    rows_free(&rows);
    tn_sql_engine_close(e);
}

Test(sql_parallel, memory_limit_stops_a_big_aggregation)
{
    for (int threads = 1; threads <= 2; threads++) {
        tn_sql_engine *e;
        tn_error err = {0};
        tn_sql_engine_options o = {0};
        o.threads = threads;
        cr_assert_eq(tn_sql_engine_open(&o, &e, &err), 0);
        exec_ok(e, "SET memory_limit = '2MB'");
        char sql[600];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM (SELECT id, name, count(*) FROM '%s/data.parquet' "
                 "GROUP BY id, name) AS g", dir);
        text_rows rows;
        int rc = run(e, sql, &rows, &err);
        rows_free(&rows);
        cr_assert_eq(rc, TN_ELIMIT, "threads %d: rc %d (%s)", threads, rc, err.message);
        cr_assert(strstr(err.message, "memory limit of 2.0 MiB") != NULL, "%s", err.message);
        cr_assert(strstr(err.message, "SET memory_limit") != NULL, "%s", err.message);
        /* the same query fits in a larger limit */
        exec_ok(e, "SET memory_limit = '1GB'");
        cr_assert_eq(run(e, sql, &rows, &err), 0, "%s", err.message);
        cr_assert_str_eq(rows.lines[0], "60000");
        rows_free(&rows);
        tn_sql_engine_close(e);
    }
}

Test(sql_parallel, memory_limit_stops_a_big_count_distinct)
{
    for (int threads = 1; threads <= 4; threads += 3) {
        tn_sql_engine *e;
        tn_error err = {0};
        tn_sql_engine_options o = {0};
        o.threads = threads;
        cr_assert_eq(tn_sql_engine_open(&o, &e, &err), 0);
        /* 60000 (id, grp) pairs take about 1.5 MiB in the compact DISTINCT sets */
        exec_ok(e, "SET memory_limit = '1MB'");
        char sql[600];
        snprintf(sql, sizeof sql,
                 "SELECT count(*), sum(n) FROM (SELECT grp, count(DISTINCT id) AS n FROM "
                 "'%s/data.parquet' GROUP BY grp) AS g", dir);
        text_rows rows;
        int rc = run(e, sql, &rows, &err);
        rows_free(&rows);
        cr_assert_eq(rc, TN_ELIMIT, "threads %d: rc %d (%s)", threads, rc, err.message);
        cr_assert(strstr(err.message, "memory limit of 1.0 MiB") != NULL, "%s", err.message);
        /* the same query fits in a larger limit, and counts every id once */
        exec_ok(e, "SET memory_limit = '1GB'");
        cr_assert_eq(run(e, sql, &rows, &err), 0, "%s", err.message);
        cr_assert_str_eq(rows.lines[0], "97|60000");
        rows_free(&rows);
        tn_sql_engine_close(e);
    }
}
