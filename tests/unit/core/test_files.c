/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for atomic file writes and whole-file reads.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"

static char test_dir[256];

static void make_dir(void)
{
    snprintf(test_dir, sizeof test_dir, "/tmp/tarn-test-files-XXXXXX");
    cr_assert_not_null(mkdtemp(test_dir));
}

static void remove_dir(void)
{
    DIR *d = opendir(test_dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", test_dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(test_dir);
}

/* Number of entries in the test folder, and the name of the last one into name. */
static int dir_entries(char *name, size_t name_size)
{
    DIR *d = opendir(test_dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (name)
            snprintf(name, name_size, "%s", e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

TestSuite(files, .init = make_dir, .fini = remove_dir);

Test(files, commit_makes_file_appear_complete)
{
    char path[512];
    snprintf(path, sizeof path, "%s/out.csv", test_dir);
    tn_atomic_file f;
    tn_error err = {0};
    cr_assert_eq(tn_atomic_file_open(&f, path, &err), 0, "%s", err.message);
    cr_assert_eq(tn_atomic_file_write(&f, "a,b\n", 4, &err), 0);
    cr_assert_eq(tn_atomic_file_write(&f, "1,2\n", 4, &err), 0);

    cr_assert_eq(access(path, F_OK), -1, "nothing at the path before commit");
    char name[256];
    cr_assert_eq(dir_entries(name, sizeof name), 1);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "out.csv.tmp-%ld-", (long)getpid());
    cr_assert_eq(strncmp(name, prefix, strlen(prefix)), 0, "temporary name %s", name);

    cr_assert_eq(tn_atomic_file_commit(&f, &err), 0, "%s", err.message);
    cr_assert_eq(dir_entries(name, sizeof name), 1);
    cr_assert_str_eq(name, "out.csv", "no temporary file left");

    char *data = NULL;
    size_t len = 0;
    cr_assert_eq(tn_file_read_all(path, &data, &len, &err), 0, "%s", err.message);
    cr_assert_eq(len, 8);
    cr_assert_str_eq(data, "a,b\n1,2\n");
    tn_free(data);

    /* abort after commit is a no-op */
    tn_atomic_file_abort(&f);
    cr_assert_eq(access(path, F_OK), 0);
}

Test(files, commit_replaces_existing_file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/x.txt", test_dir);
    FILE *fp = fopen(path, "w");
    fputs("old contents", fp);
    fclose(fp);
    tn_atomic_file f;
    tn_error err = {0};
    cr_assert_eq(tn_atomic_file_open(&f, path, &err), 0);
    cr_assert_eq(tn_atomic_file_write(&f, "new", 3, &err), 0);
    char *data = NULL;
    tn_file_read_all(path, &data, NULL, &err);
    cr_assert_str_eq(data, "old contents", "old file intact until commit");
    tn_free(data);
    cr_assert_eq(tn_atomic_file_commit(&f, &err), 0);
    tn_file_read_all(path, &data, NULL, &err);
    cr_assert_str_eq(data, "new");
    tn_free(data);
}

Test(files, abort_leaves_nothing)
{
    char path[512];
    snprintf(path, sizeof path, "%s/gone.parquet", test_dir);
    tn_atomic_file f;
    tn_error err = {0};
    cr_assert_eq(tn_atomic_file_open(&f, path, &err), 0);
    char block[4096];
    memset(block, 'z', sizeof block);
    for (int i = 0; i < 600; i++) /* more than the write buffer, so bytes reach the disk */
        cr_assert_eq(tn_atomic_file_write(&f, block, sizeof block, &err), 0);
    cr_assert_eq(dir_entries(NULL, 0), 1);
    tn_atomic_file_abort(&f);
    cr_assert_eq(dir_entries(NULL, 0), 0, "temporary file removed");
    tn_atomic_file_abort(&f); /* twice is fine */
    cr_assert_eq(tn_atomic_file_commit(&f, &err), TN_EINVAL);

    tn_atomic_file zeroed = {0};
    tn_atomic_file_abort(&zeroed);
}

Test(files, large_and_mixed_writes)
{
    char path[512];
    snprintf(path, sizeof path, "%s/big.bin", test_dir);
    size_t total = 5 * 1024 * 1024 + 123;
    unsigned char *want = malloc(total);
    for (size_t i = 0; i < total; i++)
        want[i] = (unsigned char)(i * 31 + (i >> 11));
    tn_atomic_file f;
    tn_error err = {0};
    cr_assert_eq(tn_atomic_file_open(&f, path, &err), 0);
    size_t off = 0, step = 1;
    while (off < total) {
        size_t n = step < total - off ? step : total - off;
        cr_assert_eq(tn_atomic_file_write(&f, want + off, n, &err), 0);
        off += n;
        step = step * 3 + 7; /* small writes, then ones larger than the buffer */
        if (step > 3 * 1024 * 1024)
            step = 1;
    }
    cr_assert_eq(tn_atomic_file_commit(&f, &err), 0);
    char *data = NULL;
    size_t len = 0;
    cr_assert_eq(tn_file_read_all(path, &data, &len, &err), 0);
    cr_assert_eq(len, total);
    cr_assert_eq(memcmp(data, want, total), 0);
    cr_assert_eq(data[len], '\0');
    tn_free(data);
    free(want);
}

Test(files, errors_name_the_path)
{
    char path[512];
    snprintf(path, sizeof path, "%s/no/such/folder/out.csv", test_dir);
    tn_atomic_file f;
    tn_error err = {0};
    cr_assert_eq(tn_atomic_file_open(&f, path, &err), TN_ENOENT);
    cr_assert_not_null(strstr(err.message, path), "%s", err.message);
    cr_assert_not_null(strstr(err.message, "create the folder"), "%s", err.message);
    tn_atomic_file_abort(&f);

    char *data = (char *)1;
    cr_assert_eq(tn_file_read_all(path, &data, NULL, &err), TN_ENOENT);
    cr_assert_null(data);
    cr_assert_not_null(strstr(err.message, path));
    cr_assert_not_null(strstr(err.message, strerror(ENOENT)), "%s", err.message);

    cr_assert_eq(tn_file_read_all(test_dir, &data, NULL, &err), TN_EINVAL);
    cr_assert_not_null(strstr(err.message, "folder"), "%s", err.message);
}

Test(files, permission_denied_says_what_to_do)
{
    if (geteuid() == 0)
        cr_skip_test("root ignores folder permissions");
    chmod(test_dir, 0500);
    char path[512];
    snprintf(path, sizeof path, "%s/out.csv", test_dir);
    tn_atomic_file f;
    tn_error err = {0};
    int rc = tn_atomic_file_open(&f, path, &err);
    chmod(test_dir, 0700);
    cr_assert_eq(rc, TN_EIO);
    cr_assert_not_null(strstr(err.message, "check that the folder is writable"), "%s",
                       err.message);
}

Test(files, read_all_small_and_special_files)
{
    char path[512];
    snprintf(path, sizeof path, "%s/empty", test_dir);
    FILE *fp = fopen(path, "w");
    fclose(fp);
    char *data = NULL;
    size_t len = 99;
    tn_error err = {0};
    cr_assert_eq(tn_file_read_all(path, &data, &len, &err), 0);
    cr_assert_eq(len, 0);
    cr_assert_str_eq(data, "");
    tn_free(data);
    /* /proc files report size 0 but have contents */
    cr_assert_eq(tn_file_read_all("/proc/self/status", &data, &len, &err), 0, "%s", err.message);
    cr_assert_gt(len, 0);
    cr_assert_not_null(strstr(data, "Name:"));
    cr_assert_eq(strlen(data), len);
    tn_free(data);
}

Test(files, out_of_memory_is_an_error)
{
    char path[512];
    snprintf(path, sizeof path, "%s/o.txt", test_dir);
    tn_atomic_file f;
    tn_error err = {0};
    tn_alloc_fail_every(1);
    cr_assert_eq(tn_atomic_file_open(&f, path, &err), TN_ENOMEM);
    char *data = NULL;
    cr_assert_eq(tn_file_read_all("/proc/self/status", &data, NULL, &err), TN_ENOMEM);
    tn_alloc_fail_every(0);
    cr_assert_eq(dir_entries(NULL, 0), 0);
    tn_atomic_file_abort(&f);
}

Test(files_stdout, dash_writes_to_standard_output, .init = cr_redirect_stdout)
{
    tn_atomic_file f;
    tn_error err = {0};
    printf("before ");
    cr_assert_eq(tn_atomic_file_open(&f, "-", &err), 0);
    cr_assert_null(f.path);
    cr_assert_eq(tn_atomic_file_write(&f, "hello ", 6, &err), 0);
    cr_assert_eq(tn_atomic_file_write(&f, "world\n", 6, &err), 0);
    cr_assert_eq(tn_atomic_file_commit(&f, &err), 0);
    fflush(stdout);
    cr_assert_stdout_eq_str("before hello world\n");
}

Test(files, read_range_reads_only_the_range_and_checks_it)
{
    char path[512];
    snprintf(path, sizeof path, "%s/r.bin", test_dir);
    FILE *fp = fopen(path, "w");
    fputs("0123456789", fp);
    fclose(fp);
    tn_error err = {0};
    char *data = NULL;
    cr_assert_eq(tn_file_read_range(path, 3, 4, &data, &err), 0, "%s", err.message);
    cr_assert_eq(memcmp(data, "3456", 4), 0);
    tn_free(data);
    cr_assert_eq(tn_file_read_range(path, 10, 0, &data, &err), 0, "an empty range at the end");
    tn_free(data);
    /* Past the end, and a length that would wrap: errors before any allocation of that size. */
    cr_assert_eq(tn_file_read_range(path, 8, 3, &data, &err), TN_ECORRUPT);
    cr_assert_null(data);
    cr_assert(strstr(err.message, "r.bin") != NULL, "%s", err.message);
    cr_assert_eq(tn_file_read_range(path, 2, SIZE_MAX, &data, &err), TN_ECORRUPT);
    cr_assert_eq(tn_file_read_range(path, UINT64_MAX, 1, &data, &err), TN_ECORRUPT);
    snprintf(path, sizeof path, "%s/missing.bin", test_dir);
    cr_assert_eq(tn_file_read_range(path, 0, 1, &data, &err), TN_ENOENT);
}

/* Writes `text` into an atomic file at test_dir/name and hands it to the group. */
static void add_to_group(tn_file_group *g, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", test_dir, name);
    tn_atomic_file f;
    tn_error err = {0};
    cr_assert_eq(tn_atomic_file_open(&f, path, &err), 0, "%s", err.message);
    cr_assert_eq(tn_atomic_file_write(&f, text, strlen(text), &err), 0);
    cr_assert_eq(tn_file_group_add(g, &f, &err), 0, "%s", err.message);
    tn_atomic_file_abort(&f); /* closed by the add: a no-op */
}

static void assert_file_holds(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", test_dir, name);
    char *data = NULL;
    size_t len = 0;
    tn_error err = {0};
    cr_assert_eq(tn_file_read_all(path, &data, &len, &err), 0, "%s", err.message);
    cr_assert_eq(len, strlen(text));
    cr_assert_eq(memcmp(data, text, len), 0);
    tn_free(data);
}

Test(files, group_commit_makes_all_files_appear_together)
{
    char sub[512];
    snprintf(sub, sizeof sub, "%s/k=1", test_dir);
    cr_assert_eq(mkdir(sub, 0777), 0);
    tn_file_group *g = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_file_group_new(&g, &err), 0);
    cr_assert_eq(tn_file_group_commit(g, &err), 0, "an empty group commits");

    add_to_group(g, "a.csv", "a\n1\n");
    add_to_group(g, "b.csv", "b\n2\n");
    add_to_group(g, "k=1/c.csv", "c\n3\n");
    cr_assert_eq(dir_entries(NULL, 0), 3, "two temporary files and the folder");
    const char *names[] = {"a.csv", "b.csv", "k=1/c.csv"};
    for (int i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", test_dir, names[i]);
        cr_assert_eq(access(path, F_OK), -1, "%s is not there before the commit", names[i]);
    }

    cr_assert_eq(tn_file_group_commit(g, &err), 0, "%s", err.message);
    assert_file_holds("a.csv", "a\n1\n");
    assert_file_holds("b.csv", "b\n2\n");
    assert_file_holds("k=1/c.csv", "c\n3\n");
    cr_assert_eq(dir_entries(NULL, 0), 3, "no temporary file left");

    /* the group goes on after a commit; files not committed are removed with it */
    add_to_group(g, "d.csv", "d\n");
    cr_assert_eq(dir_entries(NULL, 0), 4);
    tn_file_group_free(g);
    cr_assert_eq(dir_entries(NULL, 0), 3, "the uncommitted file's temporary file is removed");
    tn_file_group_free(NULL);

    snprintf(sub, sizeof sub, "%s/k=1/c.csv", test_dir);
    unlink(sub);
    snprintf(sub, sizeof sub, "%s/k=1", test_dir);
    rmdir(sub);
}

Test(files, group_commit_failure_removes_what_was_not_renamed)
{
    /* a non-empty folder where the second file goes: its rename fails */
    char blocker[512], inside[512];
    snprintf(blocker, sizeof blocker, "%s/b.csv", test_dir);
    snprintf(inside, sizeof inside, "%s/b.csv/x", test_dir);
    cr_assert_eq(mkdir(blocker, 0777), 0);
    FILE *fp = fopen(inside, "w");
    cr_assert_not_null(fp);
    fclose(fp);

    tn_file_group *g = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_file_group_new(&g, &err), 0);
    add_to_group(g, "a.csv", "a\n");
    add_to_group(g, "b.csv", "b\n");
    add_to_group(g, "c.csv", "c\n");
    cr_assert_eq(dir_entries(NULL, 0), 4);
    int rc = tn_file_group_commit(g, &err);
    cr_assert_neq(rc, 0);
    cr_assert(strstr(err.message, "b.csv") != NULL, "%s", err.message);
    char name[512];
    snprintf(name, sizeof name, "%s/c.csv", test_dir);
    cr_assert_eq(access(name, F_OK), -1, "files after the failure are not renamed");
    cr_assert_eq(dir_entries(NULL, 0), 2, "a.csv and the folder; no temporary file left");
    assert_file_holds("a.csv", "a\n");
    tn_file_group_free(g);
    cr_assert_eq(dir_entries(NULL, 0), 2);

    unlink(inside);
    rmdir(blocker);
}

Test(files, finish_commits_alone_or_into_a_group)
{
    char path[512];
    snprintf(path, sizeof path, "%s/alone.csv", test_dir);
    tn_atomic_file f;
    tn_error err = {0};
    cr_assert_eq(tn_atomic_file_open(&f, path, &err), 0);
    cr_assert_eq(tn_atomic_file_write(&f, "x\n", 2, &err), 0);
    cr_assert_eq(tn_atomic_file_finish(&f, NULL, &err), 0, "%s", err.message);
    assert_file_holds("alone.csv", "x\n");

    tn_file_group *g = NULL;
    cr_assert_eq(tn_file_group_new(&g, &err), 0);
    snprintf(path, sizeof path, "%s/grouped.csv", test_dir);
    cr_assert_eq(tn_atomic_file_open(&f, path, &err), 0);
    cr_assert_eq(tn_atomic_file_write(&f, "y\n", 2, &err), 0);
    cr_assert_eq(tn_atomic_file_finish(&f, g, &err), 0, "%s", err.message);
    cr_assert_eq(access(path, F_OK), -1);
    cr_assert_eq(tn_file_group_commit(g, &err), 0, "%s", err.message);
    assert_file_holds("grouped.csv", "y\n");
    tn_file_group_free(g);
}
