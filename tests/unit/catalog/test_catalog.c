/* SPDX-License-Identifier: Apache-2.0
 *
 * The SQLite catalog: migrations, table pointers with compare-and-swap, transactions, the
 * ledger, the quarantine, the operation log and views; and two processes racing on one pointer.
 */
#include "catalog/catalog.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];
static char path[300];
static tn_catalog *catalog;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tarn-catalog-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/catalog.db", dir);
    tn_error err = {0};
    cr_assert_eq(tn_catalog_open(path, &catalog, &err), 0, "%s", err.message);
}

static void teardown(void)
{
    tn_catalog_close(catalog);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(catalog, .init = setup, .fini = teardown);

Test(catalog, create_get_swap_drop)
{
    tn_error err = {0};
    char *location = NULL;
    cr_assert_eq(tn_catalog_table_get(catalog, "main", "sales", &location, &err), TN_ENOENT);
    cr_assert_eq(tn_catalog_table_create(catalog, "main", "sales", "m/v1.json", &err), 0);
    cr_assert_eq(tn_catalog_table_create(catalog, "main", "sales", "m/v1.json", &err), TN_EEXIST);
    cr_assert_eq(tn_catalog_table_swap(catalog, "main", "sales", "m/v1.json", "m/v2.json", &err), 0);
    /* A writer that read v1 and commits late loses: the pointer is at v2 now. */
    cr_assert_eq(tn_catalog_table_swap(catalog, "main", "sales", "m/v1.json", "m/v3.json", &err),
                 TN_ECONFLICT);
    cr_assert_eq(tn_catalog_table_get(catalog, "main", "sales", &location, &err), 0);
    cr_assert_str_eq(location, "m/v2.json");
    tn_free(location);
    cr_assert_eq(tn_catalog_table_drop(catalog, "main", "sales", &err), 0);
    cr_assert_eq(tn_catalog_table_drop(catalog, "main", "sales", &err), TN_ENOENT);
}

static int count_tables(void *ctx, const tn_catalog_table *t)
{
    tn_buf *names = ctx;
    tn_buf_printf(names, "%s.%s;", t->namespace_name, t->name);
    return 0;
}

Test(catalog, list_is_ordered_and_filtered)
{
    tn_error err = {0};
    cr_assert_eq(tn_catalog_table_create(catalog, "raw", "b", "x", &err), 0);
    cr_assert_eq(tn_catalog_table_create(catalog, "mart", "z", "x", &err), 0);
    cr_assert_eq(tn_catalog_table_create(catalog, "raw", "a", "x", &err), 0);
    tn_buf names = TN_BUF_INIT;
    cr_assert_eq(tn_catalog_table_list(catalog, NULL, count_tables, &names, &err), 0);
    cr_assert_str_eq(tn_buf_cstr(&names), "mart.z;raw.a;raw.b;");
    tn_buf_clear(&names);
    cr_assert_eq(tn_catalog_table_list(catalog, "raw", count_tables, &names, &err), 0);
    cr_assert_str_eq(tn_buf_cstr(&names), "raw.a;raw.b;");
    tn_buf_free(&names);
}

Test(catalog, rollback_discards_everything_in_the_transaction)
{
    tn_error err = {0};
    cr_assert_eq(tn_catalog_table_create(catalog, "main", "t", "v1", &err), 0);
    cr_assert_eq(tn_catalog_begin(catalog, &err), 0);
    cr_assert_eq(tn_catalog_table_swap(catalog, "main", "t", "v1", "v2", &err), 0);
    cr_assert_eq(tn_catalog_ledger_add(catalog, "main.t", "in.csv", "h1", 10, 1, &err), 0);
    tn_catalog_rollback(catalog);
    char *location = NULL;
    cr_assert_eq(tn_catalog_table_get(catalog, "main", "t", &location, &err), 0);
    cr_assert_str_eq(location, "v1");
    tn_free(location);
    bool found = true;
    cr_assert_eq(tn_catalog_ledger_find(catalog, "main.t", "h1", &found, &err), 0);
    cr_assert_not(found);
}

static int collect_quarantine(void *ctx, const tn_quarantine_row *row)
{
    tn_buf *out = ctx;
    tn_buf_printf(out, "%s:%lld:%lld:%s:%s:%.*s;", row->input, (long long)row->line,
                  (long long)row->column, row->column_name ? row->column_name : "-", row->reason,
                  (int)row->raw.len, row->raw.ptr);
    return 0;
}

Test(catalog, ledger_and_quarantine_survive_reopening)
{
    tn_error err = {0};
    cr_assert_eq(tn_catalog_ledger_add(catalog, "main.t", "a.csv", "abc", 5, 42, &err), 0);
    tn_quarantine_row row = {.table = "main.t", .input = "a.csv", .line = 7, .column = 3,
                             .column_name = "qty", .reason = "'x' is not a valid INTEGER",
                             .raw = TN_STR_LIT("1,2,x"), .run_id = 1};
    cr_assert_eq(tn_catalog_quarantine_add(catalog, &row, &err), 0);
    tn_catalog_close(catalog);
    cr_assert_eq(tn_catalog_open(path, &catalog, &err), 0, "reopening migrates nothing twice");
    bool found = false;
    cr_assert_eq(tn_catalog_ledger_find(catalog, "main.t", "abc", &found, &err), 0);
    cr_assert(found);
    cr_assert_eq(tn_catalog_ledger_find(catalog, "other.t", "abc", &found, &err), 0);
    cr_assert_not(found, "the ledger is per table");
    tn_buf out = TN_BUF_INIT;
    cr_assert_eq(tn_catalog_quarantine_list(catalog, "main.t", collect_quarantine, &out, &err), 0);
    cr_assert_str_eq(tn_buf_cstr(&out), "a.csv:7:3:qty:'x' is not a valid INTEGER:1,2,x;");
    tn_buf_free(&out);
}

static int collect_ops(void *ctx, const tn_operation *op)
{
    tn_buf *out = ctx;
    tn_buf_printf(out, "%s:%s:%s:%lld;", op->operation, op->table ? op->table : "-", op->status,
                  (long long)op->rows);
    return 0;
}

Test(catalog, operation_log)
{
    tn_error err = {0};
    int64_t id = 0;
    cr_assert_eq(tn_catalog_operation_start(catalog, "ingest", "main.t", &id, &err), 0);
    cr_assert_gt(id, 0);
    cr_assert_eq(tn_catalog_operation_finish(catalog, id, "ok", 100, "{}", &err), 0);
    tn_buf out = TN_BUF_INIT;
    cr_assert_eq(tn_catalog_operation_list(catalog, NULL, collect_ops, &out, &err), 0);
    cr_assert_str_eq(tn_buf_cstr(&out), "ingest:main.t:ok:100;");
    tn_buf_free(&out);
}

Test(catalog, a_newer_catalog_is_refused)
{
    tn_catalog_close(catalog);
    catalog = NULL;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "command -v sqlite3 >/dev/null || exit 77; sqlite3 '%s' 'PRAGMA user_version=999'", path);
    int status = system(cmd);
    if (WEXITSTATUS(status) == 77) cr_skip_test("the sqlite3 shell is not installed");
    tn_error err = {0};
    cr_assert_eq(tn_catalog_open(path, &catalog, &err), TN_EUNSUPPORTED);
    cr_assert(strstr(err.message, "upgrade tarn"), "%s", err.message);
}

/* Two processes each perform N read-swap cycles on one pointer, retrying on conflict; in the end
 * the pointer has advanced exactly 2N times: no update was lost. */
Test(catalog, concurrent_swaps_lose_nothing)
{
    tn_error err = {0};
    cr_assert_eq(tn_catalog_table_create(catalog, "main", "c", "0", &err), 0);
    const int rounds = 50;
    pid_t children[2];
    for (int k = 0; k < 2; k++) {
        children[k] = fork();
        cr_assert_geq(children[k], 0);
        if (children[k] == 0) {
            tn_catalog *mine = NULL;
            if (tn_catalog_open(path, &mine, &err) < 0) _exit(3);
            for (int i = 0; i < rounds;) {
                char *current = NULL;
                if (tn_catalog_table_get(mine, "main", "c", &current, &err) < 0) _exit(4);
                char next[32];
                snprintf(next, sizeof next, "%d", atoi(current) + 1);
                int rc = tn_catalog_table_swap(mine, "main", "c", current, next, &err);
                tn_free(current);
                if (rc == 0) i++;
                else if (rc != TN_ECONFLICT) _exit(5);
            }
            tn_catalog_close(mine);
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status = 0;
        waitpid(children[k], &status, 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d failed (%d)", k, status);
    }
    char *location = NULL;
    cr_assert_eq(tn_catalog_table_get(catalog, "main", "c", &location, &err), 0);
    cr_assert_eq(atoi(location), 2 * rounds);
    tn_free(location);
}

static int collect_views(void *ctx, const tn_catalog_view *v)
{
    tn_buf *out = ctx;
    tn_buf_printf(out, "%s.%s=%s [%s];", v->namespace_name, v->name, v->query, v->column_names);
    return 0;
}

Test(catalog, views_put_replace_list_drop_and_survive_reopening)
{
    tn_error err = {0};
    tn_catalog_view big = {"main", "big", "SELECT id FROM t WHERE x > 1", ""};
    tn_catalog_view named = {"main", "named", "SELECT 1, 2", "a\nb"};
    tn_catalog_view other = {"raw", "v", "SELECT 3", ""};
    cr_assert_eq(tn_catalog_view_put(catalog, &big, &err), 0, "%s", err.message);
    cr_assert_eq(tn_catalog_view_put(catalog, &named, &err), 0, "%s", err.message);
    cr_assert_eq(tn_catalog_view_put(catalog, &other, &err), 0, "%s", err.message);
    big.query = "SELECT id FROM t";
    cr_assert_eq(tn_catalog_view_put(catalog, &big, &err), 0, "a put replaces: %s", err.message);

    tn_catalog_close(catalog);
    cr_assert_eq(tn_catalog_open(path, &catalog, &err), 0, "%s", err.message);
    tn_buf list = TN_BUF_INIT;
    cr_assert_eq(tn_catalog_view_list(catalog, "main", collect_views, &list, &err), 0);
    cr_assert_str_eq(tn_buf_cstr(&list), "main.big=SELECT id FROM t [];main.named=SELECT 1, 2 [a\nb];");
    tn_buf_clear(&list);
    cr_assert_eq(tn_catalog_view_list(catalog, NULL, collect_views, &list, &err), 0);
    cr_assert(strstr(tn_buf_cstr(&list), "raw.v=SELECT 3") != NULL);

    cr_assert_eq(tn_catalog_view_drop(catalog, "main", "big", &err), 0);
    cr_assert_eq(tn_catalog_view_drop(catalog, "main", "big", &err), TN_ENOENT);
    tn_buf_clear(&list);
    cr_assert_eq(tn_catalog_view_list(catalog, "main", collect_views, &list, &err), 0);
    cr_assert_str_eq(tn_buf_cstr(&list), "main.named=SELECT 1, 2 [a\nb];");
    tn_buf_free(&list);
}
