/* SPDX-License-Identifier: Apache-2.0
 *
 * A scan's data files read one by one (tn_lake_scan_open_file), two threads at once, give
 * exactly the rows of tn_lake_scan_next, in the same order once the files are put back in
 * their order: each file with its own position deletes, deletion vectors and equality deletes
 * (applied once), columns added after it was written, and the pushed predicates. Tables come
 * from other engines (../shared/conformance/iceberg).
 */
#include "lake/lake.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>

#define ICEBIRD TARN_CONFORMANCE_DIR "/iceberg/icebird"
#define DUCK TARN_CONFORMANCE_DIR "/iceberg/duckdb-iceberg"

static tn_lake *fixture_lake(void)
{
    tn_lake *lake = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_open(NULL, NULL, &lake, &err), 0);
    tn_lake_add_path_rewrite(lake, "s3://hyperparam-iceberg/", ICEBIRD "/hyperparam-iceberg/", &err);
    tn_lake_add_path_rewrite(lake, "s3a://hyperparam-iceberg/", ICEBIRD "/hyperparam-iceberg/", &err);
    tn_lake_add_path_rewrite(lake, "data/persistent/", DUCK "/data/persistent/", &err);
    tn_lake_add_path_rewrite(lake, "file://data/persistent/", DUCK "/data/persistent/", &err);
    tn_lake_add_path_rewrite(lake, "lineitem_iceberg/", DUCK "/data/persistent/iceberg/lineitem_iceberg/", &err);
    tn_lake_add_path_rewrite(lake, "./lineitem_iceberg/", DUCK "/data/persistent/iceberg/lineitem_iceberg/", &err);
    return lake;
}

static tn_lake_table *load(tn_lake *lake, const char *path)
{
    tn_lake_table *t = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_table_load_path(lake, path, &t, &err), 0, "%s: %s", path, err.message);
    return t;
}

/* One line per row, values separated by '|', so two reads compare as strings. */
static void append_rows(tn_buf *out, const tn_batch *b)
{
    for (uint32_t r = 0; r < b->row_count; r++) {
        for (uint32_t c = 0; c < b->schema->column_count; c++) {
            int rc = tn_vector_format_value(&b->columns[c], r, out);
            cr_assert_geq(rc, 0);
            if (rc == 1) cr_assert_eq(tn_buf_append_cstr(out, "<null>"), 0);
            cr_assert_eq(tn_buf_putc(out, c + 1 < b->schema->column_count ? '|' : '\n'), 0);
        }
    }
}

typedef struct read_result {
    tn_buf rows;
    size_t files;
    int64_t rows_deleted;
    int64_t delete_files;
} read_result;

/* Reads the scan through tn_lake_scan_next. rc < 0 when the table cannot be read. */
static int read_serial(tn_lake_table *t, const tn_lake_scan_options *o, read_result *out, tn_error *err)
{
    memset(out, 0, sizeof *out);
    tn_lake_scan *scan = NULL;
    int rc = tn_lake_scan_open(t, o, &scan, err);
    while (rc == 0) {
        tn_batch *b = NULL;
        if ((rc = tn_lake_scan_next(scan, &b, err)) < 0 || !b) break;
        append_rows(&out->rows, b);
        tn_batch_free(b);
    }
    if (scan) {
        out->files = tn_lake_scan_file_count(scan);
        out->rows_deleted = tn_lake_scan_get_stats(scan)->rows_deleted;
        out->delete_files = tn_lake_scan_get_stats(scan)->delete_files;
    }
    tn_lake_scan_close(scan);
    return rc;
}

typedef struct file_reader {
    tn_lake_scan *scan;
    size_t first, step; /* reads files first, first + step, ... */
    tn_buf *per_file;   /* rows of each file */
    int rc;
    tn_error err;
} file_reader;

static void *read_files(void *arg)
{
    file_reader *fr = arg;
    for (size_t k = fr->first; k < tn_lake_scan_file_count(fr->scan) && fr->rc == 0; k += fr->step) {
        tn_lake_file_scan *f = NULL;
        if ((fr->rc = tn_lake_scan_open_file(fr->scan, k, &f, &fr->err)) < 0) break;
        for (;;) {
            tn_batch *b = NULL;
            if ((fr->rc = tn_lake_file_scan_next(f, &b, &fr->err)) < 0 || !b) break;
            append_rows(&fr->per_file[k], b);
            tn_batch_free(b);
        }
        tn_lake_file_scan_close(f);
    }
    return NULL;
}

/* Reads the scan file by file on two threads (alternate files), then joins the files' rows
 * in file order. */
static void read_per_file(tn_lake_table *t, const tn_lake_scan_options *o, read_result *out)
{
    memset(out, 0, sizeof *out);
    tn_error err = {0};
    tn_lake_scan *scan = NULL;
    cr_assert_eq(tn_lake_scan_open(t, o, &scan, &err), 0, "%s", err.message);
    size_t n = tn_lake_scan_file_count(scan);
    tn_buf *per_file = calloc(n + 1, sizeof *per_file);
    cr_assert(per_file);
    file_reader fr[2];
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        fr[i] = (file_reader){.scan = scan, .first = (size_t)i, .step = 2, .per_file = per_file};
        cr_assert_eq(pthread_create(&th[i], NULL, read_files, &fr[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(fr[i].rc, 0, "%s", fr[i].err.message);
    }
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(tn_buf_append(&out->rows, per_file[k].data, per_file[k].len), 0);
        tn_buf_free(&per_file[k]);
    }
    free(per_file);
    out->files = n;
    out->rows_deleted = tn_lake_scan_get_stats(scan)->rows_deleted;
    out->delete_files = tn_lake_scan_get_stats(scan)->delete_files;
    tn_lake_scan_close(scan);
}

static size_t line_count(const tn_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++) n += b->data[i] == '\n';
    return n;
}

/* Both reads of the table; returns the serial one's facts for the caller's checks. */
static read_result same_rows(tn_lake_table *t, const tn_lake_scan_options *o)
{
    read_result serial, split;
    tn_error err = {0};
    cr_assert_eq(read_serial(t, o, &serial, &err), 0, "%s", err.message);
    read_per_file(t, o, &split);
    cr_assert_eq(split.files, serial.files);
    cr_assert_eq(split.rows.len, serial.rows.len, "%zu rows per file, %zu serial", line_count(&split.rows),
                 line_count(&serial.rows));
    cr_assert(split.rows.len == 0 || memcmp(split.rows.data, serial.rows.data, serial.rows.len) == 0,
              "per-file rows differ from the serial scan's");
    /* deletes applied once: as many rows dropped either way */
    cr_assert_eq(split.rows_deleted, serial.rows_deleted);
    tn_buf_free(&split.rows);
    return serial;
}

/* Java bunnies, current snapshot: data files of several commits, a column added after the
 * first ones (__happy__, read as NULL there), position deletes, then an equality delete. */
Test(file_scan, deletes_and_added_column)
{
    tn_lake *lake = fixture_lake();
    tn_lake_table *t = load(lake, ICEBIRD "/hyperparam-iceberg/java/bunnies");
    read_result r = same_rows(t, NULL);
    cr_assert_geq(r.files, 2);
    cr_assert_geq(r.delete_files, 2);
    cr_assert_gt(r.rows_deleted, 0);
    cr_assert_eq(line_count(&r.rows), 15);
    tn_buf_free(&r.rows);
    tn_lake_table_close(t);
    tn_lake_close(lake);
}

/* Equality deletes scoped to their partition, and a v3 deletion vector. */
Test(file_scan, equality_deletes_and_deletion_vector)
{
    tn_lake *lake = fixture_lake();
    const char *paths[] = {
        DUCK "/data/persistent/equality_deletes/warehouse/mydb/mytable",
        DUCK "/data/persistent/equality_delete_cross_partition/warehouse/ns/t",
        DUCK "/data/persistent/legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector",
    };
    const size_t rows[] = {2, 3, 2};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        tn_lake_table *t = load(lake, paths[i]);
        read_result r = same_rows(t, NULL);
        cr_assert_gt(r.rows_deleted, 0, "%s", paths[i]);
        cr_assert_eq(line_count(&r.rows), rows[i], "%s", paths[i]);
        tn_buf_free(&r.rows);
        tn_lake_table_close(t);
    }
    tn_lake_close(lake);
}

/* Pushed predicates skip row groups and pages inside each file the same way. */
Test(file_scan, predicates)
{
    tn_lake *lake = fixture_lake();
    tn_lake_table *t = load(lake, DUCK "/data/persistent/iceberg/lineitem_iceberg");
    tn_lake_predicate p = {.column = "l_orderkey", .op = TN_LAKE_LT,
                           .value = {.kind = TN_ICEBERG_LONG, .v.i = 20000}};
    tn_lake_scan_options o = {.predicates = &p, .predicate_count = 1};
    read_result r = same_rows(t, &o);
    cr_assert_gt(line_count(&r.rows), 0);
    tn_buf_free(&r.rows);
    tn_lake_table_close(t);
    tn_lake_close(lake);
}

/* Every fixture table tarn reads serially reads the same per file. */
static void each_table(const char *root, int depth)
{
    if (depth > 6) return;
    char meta[1100];
    struct stat st;
    snprintf(meta, sizeof meta, "%s/metadata", root);
    if (stat(meta, &st) == 0 && S_ISDIR(st.st_mode)) {
        tn_lake *lake = fixture_lake();
        tn_lake_table *t = NULL;
        tn_error err = {0};
        read_result r = {0};
        if (tn_lake_table_load_path(lake, root, &t, &err) == 0 && read_serial(t, NULL, &r, &err) == 0) {
            tn_buf_free(&r.rows);
            r = same_rows(t, NULL);
            tn_buf_free(&r.rows);
        } else {
            tn_buf_free(&r.rows);
        }
        tn_lake_table_close(t);
        tn_lake_close(lake);
        return;
    }
    DIR *d = opendir(root);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char sub[1100];
        if (snprintf(sub, sizeof sub, "%s/%s", root, de->d_name) >= 1024) continue;
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) each_table(sub, depth + 1);
    }
    closedir(d);
}

Test(file_scan, every_fixture_table) { each_table(TARN_CONFORMANCE_DIR "/iceberg", 0); }

Test(file_scan, index_out_of_range)
{
    tn_lake *lake = fixture_lake();
    tn_lake_table *t = load(lake, ICEBIRD "/hyperparam-iceberg/java/bunnies");
    tn_lake_scan *scan = NULL;
    tn_lake_file_scan *f = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_scan_open(t, NULL, &scan, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_scan_open_file(scan, tn_lake_scan_file_count(scan), &f, &err), TN_EINVAL);
    cr_assert_null(f);
    tn_lake_scan_close(scan);
    tn_lake_table_close(t);
    tn_lake_close(lake);
}
