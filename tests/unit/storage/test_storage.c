/* SPDX-License-Identifier: Apache-2.0
 *
 * The local object store: atomic puts, byte-range reads, listings by prefix in key order,
 * removal, and keys that would escape the root refused.
 */
#include "storage/storage.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];
static tn_store *store;

static void setup(void)
{
    snprintf(root, sizeof root, "/tmp/tarn-store-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    tn_error err = {0};
    char location[300];
    snprintf(location, sizeof location, "%s/lake", root);
    cr_assert_eq(tn_store_open(location, &store, &err), 0, "%s", err.message);
}

static void teardown(void)
{
    tn_store_close(store);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(storage, .init = setup, .fini = teardown);

Test(storage, put_then_read_whole_and_ranges)
{
    tn_error err = {0};
    const char *text = "hello, lake";
    cr_assert_eq(tn_store_put(store, "a/b/c.txt", text, strlen(text), &err), 0, "%s", err.message);
    char *data = NULL;
    size_t len = 0;
    cr_assert_eq(tn_store_read_all(store, "a/b/c.txt", &data, &len, &err), 0);
    cr_assert_eq(len, strlen(text));
    cr_assert_str_eq(data, text);
    tn_free(data);
    char part[8] = {0};
    size_t got = 0;
    cr_assert_eq(tn_store_read(store, "a/b/c.txt", 7, part, 7, &got, &err), 0);
    cr_assert_eq(got, 4, "a read past the end returns what exists");
    cr_assert_eq(memcmp(part, "lake", 4), 0);
}

Test(storage, put_replaces_and_leaves_no_temporary_files)
{
    tn_error err = {0};
    cr_assert_eq(tn_store_put(store, "x.bin", "one", 3, &err), 0);
    cr_assert_eq(tn_store_put(store, "x.bin", "second", 6, &err), 0);
    tn_store_entry entry;
    cr_assert_eq(tn_store_stat(store, "x.bin", &entry, &err), 0);
    cr_assert_eq(entry.size, 6);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test -z \"$(find '%s/lake' -name '*.tmp-*')\"", root);
    cr_assert_eq(system(cmd), 0, "no temporary file may remain after a put");
}

static int collect(void *ctx, const tn_store_entry *entry)
{
    tn_buf *keys = ctx;
    tn_buf_printf(keys, "%s;", entry->key);
    return 0;
}

Test(storage, list_by_prefix_in_key_order_skipping_abandoned_writes)
{
    tn_error err = {0};
    const char *keys[] = {"t/data/2.parquet", "t/data/1.parquet", "t/metadata/v1.json", "u/x"};
    for (size_t i = 0; i < 4; i++) cr_assert_eq(tn_store_put(store, keys[i], "x", 1, &err), 0);
    /* A write killed half-way leaves a temporary file; listings must not show it. */
    char path[400];
    snprintf(path, sizeof path, "%s/lake/t/data/3.parquet.tmp-1-1", root);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fclose(f);
    tn_buf listed = TN_BUF_INIT;
    cr_assert_eq(tn_store_list(store, "t/", collect, &listed, &err), 0);
    cr_assert_str_eq(tn_buf_cstr(&listed), "t/data/1.parquet;t/data/2.parquet;t/metadata/v1.json;");
    tn_buf_clear(&listed);
    cr_assert_eq(tn_store_list(store, "t/data/1", collect, &listed, &err), 0);
    cr_assert_str_eq(tn_buf_cstr(&listed), "t/data/1.parquet;");
    tn_buf_free(&listed);
}

Test(storage, remove_and_missing_objects)
{
    tn_error err = {0};
    cr_assert_eq(tn_store_put(store, "gone.txt", "x", 1, &err), 0);
    cr_assert_eq(tn_store_remove(store, "gone.txt", &err), 0);
    cr_assert_eq(tn_store_remove(store, "gone.txt", &err), 0, "removing twice is fine");
    tn_store_entry entry;
    cr_assert_eq(tn_store_stat(store, "gone.txt", &entry, &err), TN_ENOENT);
}

Test(storage, keys_cannot_escape_the_root)
{
    tn_error err = {0};
    const char *bad[] = {"../x", "/etc/passwd", "a/../../x", "a//b", "", "a/./b", "a/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_not(tn_store_key_valid(bad[i]), "'%s' must be refused", bad[i]);
        cr_assert_eq(tn_store_put(store, bad[i], "x", 1, &err), TN_EINVAL);
    }
    cr_assert(tn_store_key_valid("ns/table/data/day=2024-01-01/f.parquet"));
}

Test(storage, put_file_moves_a_local_file_in)
{
    tn_error err = {0};
    char local[400];
    snprintf(local, sizeof local, "%s/staged.parquet", root);
    FILE *f = fopen(local, "w");
    cr_assert_not_null(f);
    fputs("PAR1", f);
    fclose(f);
    cr_assert_eq(tn_store_put_file(store, "t/data/f.parquet", local, &err), 0, "%s", err.message);
    cr_assert_neq(access(local, F_OK), 0, "the staged file is moved, not copied");
    tn_store_entry entry;
    cr_assert_eq(tn_store_stat(store, "t/data/f.parquet", &entry, &err), 0);
    cr_assert_eq(entry.size, 4);
    char *path = tn_store_local_path(store, "t/data/f.parquet");
    cr_assert_not_null(path);
    cr_assert_eq(access(path, R_OK), 0);
    tn_free(path);
}
