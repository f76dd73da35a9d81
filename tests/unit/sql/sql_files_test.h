/* SPDX-License-Identifier: Apache-2.0
 *
 * Helpers shared by the SQL unit tests that run queries over files in a folder of their own:
 * `dir` is that folder ({dir} in a query stands for it), query results as "a|b" text lines,
 * and Parquet files written from a query's result in row groups of a given size.
 */
#ifndef TN_TEST_SQL_FILES_TEST_H
#define TN_TEST_SQL_FILES_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"
#include "formats/parquet/parquet_write.h"
#include "sql/sql.h"

static char dir[256];

/* The last result's rows as "a|b" lines (BIGINT and VARCHAR columns). */
typedef struct text_result {
    tn_buf text;
    tn_error *err;
} text_result;

static inline int collect_text(void *ctx, uint32_t stmt_idx, tn_sql_result *r)
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
static inline char *run_text(tn_sql_engine *e, const char *tmpl)
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
    int rc = tn_sql_execute(e, sql, strlen(sql), collect_text, &res, &err);
    cr_assert_eq(rc, 0, "%s: %s", sql, err.message);
    const char *text = tn_buf_cstr(&res.text);
    char *out = strdup(text ? text : "");
    tn_buf_free(&res.text);
    return out;
}

static inline void expect(tn_sql_engine *e, const char *sql, const char *want)
{
    char *got = run_text(e, sql);
    cr_expect_str_eq(got, want, "%s\n  got: [%s]\n  want: [%s]", sql, got, want);
    free(got);
}

static inline void expect_plan(tn_sql_engine *e, const char *sql, const char *contains, bool yes)
{
    char *got = run_text(e, sql);
    cr_expect_eq(strstr(got, contains) != NULL, yes, "%s\n%s", sql, got);
    free(got);
}

/* A query's result into a Parquet file, row_group_rows rows per row group. */
typedef struct parquet_copy {
    const char *path;
    int64_t row_group_rows;
    void *writer;
} parquet_copy;

static inline int write_parquet(void *ctx, uint32_t stmt_idx, tn_sql_result *r)
{
    (void)stmt_idx;
    parquet_copy *pc = ctx;
    tn_write_options o = {0};
    o.format = "parquet";
    o.row_group_rows = pc->row_group_rows;
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

/* Writes sql's result as dir/name. */
static inline void write_parquet_file(tn_sql_engine *e, const char *name, const char *sql,
                                      int64_t row_group_rows)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    parquet_copy pc = {path, row_group_rows, NULL};
    tn_error err = {0};
    cr_assert_eq(tn_sql_execute(e, sql, strlen(sql), write_parquet, &pc, &err), 0, "%s",
                 err.message);
    cr_assert_eq(tn_parquet_writer_finish(pc.writer, &err), 0, "%s", err.message);
}

/* Makes the folder dir/sub (dir set by the caller) and an engine with a table t(id, name) of
 * `rows` rows (id 0.., name 'n<id>'), read from dir/src.csv. */
static inline tn_sql_engine *engine_with_table(const char *sub, int rows)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/%s", dir, sub);
    cr_assert_eq(system(cmd), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/src.csv", dir);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs("id,name\n", fp);
    for (int i = 0; i < rows; i++)
        fprintf(fp, "%d,n%d\n", i, i);
    fclose(fp);
    tn_sql_engine *e;
    tn_error err = {0};
    cr_assert_eq(tn_sql_engine_open(NULL, &e, &err), 0);
    char make[600];
    snprintf(make, sizeof make, "CREATE TABLE t AS SELECT * FROM '%s'", path);
    cr_assert_eq(tn_sql_execute(e, make, strlen(make), NULL, NULL, &err), 0, "%s", err.message);
    return e;
}

#endif /* TN_TEST_SQL_FILES_TEST_H */
