/* SPDX-License-Identifier: Apache-2.0
 *
 * Tables end to end: create, append, read back, overwrite, time travel, schema evolution,
 * partitioned writes, concurrent writers (two processes), writers killed mid-commit, and
 * vacuum leaving exactly the referenced files.
 */
#include "lake/lake.h"

#include "formats/formats.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <dirent.h>

static char dir[256];
static tn_store *store;
static tn_catalog *catalog;
static tn_lake *lake;

static void open_lake(void)
{
    char path[512];
    tn_error err = {0};
    snprintf(path, sizeof path, "%s/lake", dir);
    cr_assert_eq(tn_store_open(path, &store, &err), 0, "%s", err.message);
    snprintf(path, sizeof path, "%s/catalog.db", dir);
    cr_assert_eq(tn_catalog_open(path, &catalog, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_open(store, catalog, &lake, &err), 0, "%s", err.message);
}

static void close_lake(void)
{
    tn_lake_close(lake);
    tn_catalog_close(catalog);
    tn_store_close(store);
    lake = NULL;
    catalog = NULL;
    store = NULL;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tarn-lake-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    open_lake();
}

static void teardown(void)
{
    close_lake();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(lake, .init = setup, .fini = teardown);

static tn_schema *sales_schema(void)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "id", tn_type_make(TN_TYPE_BIGINT), false);
    tn_schema_add(s, "region", tn_type_make(TN_TYPE_VARCHAR), true);
    tn_schema_add(s, "day", tn_type_make(TN_TYPE_DATE), true);
    tn_schema_add(s, "amount", tn_type_make(TN_TYPE_DOUBLE), true);
    return s;
}

/* Rows id = start..start+n-1; region alternates north/south; day cycles over 3 days. */
static tn_batch *sales_batch(tn_schema *s, int64_t start, uint32_t n)
{
    tn_batch *b = tn_batch_new(s, n);
    int32_t base = tn_days_from_civil(2024, 3, 1);
    for (uint32_t r = 0; r < n; r++) {
        int64_t id = start + r;
        tn_vector_i64(&b->columns[0])[r] = id;
        const char *region = id % 2 ? "north" : "south";
        tn_vector_append_str(&b->columns[1], r, region, strlen(region));
        tn_vector_i32(&b->columns[2])[r] = base + (int32_t)(id % 3);
        tn_vector_f64(&b->columns[3])[r] = (double)id * 1.5;
    }
    b->row_count = n;
    return b;
}

typedef struct totals {
    int64_t rows;
    int64_t id_sum;
    int64_t nulls_last_col;
} totals;

static totals scan_totals(tn_lake_table *t, const tn_lake_scan_options *o)
{
    totals x = {0};
    tn_lake_scan *scan = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_scan_open(t, o, &scan, &err), 0, "%s", err.message);
    const tn_schema *s = tn_lake_scan_schema(scan);
    int id_col = tn_schema_find(s, "id");
    for (;;) {
        tn_batch *b = NULL;
        cr_assert_eq(tn_lake_scan_next(scan, &b, &err), 0, "%s", err.message);
        if (!b) break;
        x.rows += b->row_count;
        for (uint32_t r = 0; r < b->row_count; r++) {
            if (id_col >= 0) {
                const tn_vector *v = &b->columns[id_col];
                x.id_sum += v->type.id == TN_TYPE_BIGINT ? tn_vector_i64(v)[r] : tn_vector_i32(v)[r];
            }
            if (!tn_vector_is_valid(&b->columns[s->column_count - 1], r)) x.nulls_last_col++;
        }
        tn_batch_free(b);
    }
    tn_lake_scan_close(scan);
    return x;
}

static void append(tn_lake_table *t, tn_schema *s, int64_t start, uint32_t n, int64_t *snap)
{
    tn_batch *b = sales_batch(s, start, n);
    tn_error err = {0};
    cr_assert_eq(tn_lake_table_append_batches(t, &b, 1, NULL, snap, &err), 0, "%s", err.message);
    tn_batch_free(b);
}

static tn_lake_table *create_sales(const char *name, bool partitioned)
{
    tn_schema *s = sales_schema();
    tn_lake_partition_def parts[2] = {{"day", "day", NULL}, {"region", "identity", NULL}};
    tn_lake_table *t = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_table_create(lake, "sales", name, s, parts, partitioned ? 2 : 0, NULL, &t, &err), 0, "%s",
                 err.message);
    tn_schema_unref(s);
    return t;
}

Test(lake, create_append_append_read)
{
    tn_lake_table *t = create_sales("orders", false);
    tn_schema *s = sales_schema();
    totals empty = scan_totals(t, NULL);
    cr_assert_eq(empty.rows, 0);
    int64_t s1 = 0, s2 = 0;
    append(t, s, 0, 100, &s1);
    append(t, s, 100, 150, &s2);
    totals all = scan_totals(t, NULL);
    cr_assert_eq(all.rows, 250);
    cr_assert_eq(all.id_sum, 249 * 250 / 2);
    /* A fresh load from the catalog sees the same. */
    tn_lake_table *again = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &again, &err), 0, "%s", err.message);
    cr_assert_eq(scan_totals(again, NULL).rows, 250);
    tn_lake_stats st;
    cr_assert_eq(tn_lake_table_stats(again, &st, &err), 0, "%s", err.message);
    cr_assert_eq(st.rows, 250);
    cr_assert_eq(st.data_files, 2);
    cr_assert_eq(st.snapshot_id, s2);
    /* Time travel. */
    tn_lake_scan_options o = {.has_snapshot_id = true, .snapshot_id = s1};
    cr_assert_eq(scan_totals(again, &o).rows, 100);
    const tn_iceberg_snapshot *first = tn_iceberg_metadata_snapshot(tn_lake_table_metadata(again), s1);
    tn_lake_scan_options o2 = {.has_as_of_ms = true, .as_of_ms = first->timestamp_ms};
    cr_assert_geq(scan_totals(again, &o2).rows, 100);
    tn_lake_scan_options o3 = {.has_snapshot_id = true, .snapshot_id = 12345};
    tn_lake_scan *bad = NULL;
    cr_assert_eq(tn_lake_scan_open(again, &o3, &bad, &err), TN_ENOENT);
    /* Metadata the spec requires. */
    const tn_iceberg_metadata *md = tn_lake_table_metadata(again);
    cr_assert_eq(md->last_sequence_number, 2);
    cr_assert_eq(md->snapshot_count, 2);
    cr_assert_eq(md->snapshot_log_count, 2);
    cr_assert_eq(md->metadata_log_count, 2);
    cr_assert(strncmp(md->location, "file:///", 8) == 0);
    cr_assert_str_eq(tn_iceberg_snapshot_summary(tn_iceberg_metadata_current_snapshot(md), "total-records"), "250");
    cr_assert(strstr(tn_lake_table_metadata_location(again), "/metadata/v3-") != NULL);
    tn_buf j = TN_BUF_INIT;
    cr_assert_eq(tn_lake_table_history_json(again, &j, &err), 0);
    cr_assert(strstr(tn_buf_cstr(&j), "\"operation\":\"append\""));
    tn_buf_clear(&j);
    cr_assert_eq(tn_lake_table_describe_json(again, &j, &err), 0);
    cr_assert(strstr(tn_buf_cstr(&j), "\"name\":\"amount\""));
    tn_buf_free(&j);
    tn_lake_table_close(again);
    tn_lake_table_close(t);
    tn_schema_unref(s);
}

Test(lake, overwrite)
{
    tn_lake_table *t = create_sales("orders", false);
    tn_schema *s = sales_schema();
    int64_t s1 = 0, s2 = 0;
    append(t, s, 0, 100, &s1);
    tn_batch *b = sales_batch(s, 1000, 10);
    tn_lake_writer *w = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_writer_open(t, NULL, &w, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_writer_write(w, b, &err), 0, "%s", err.message);
    const tn_iceberg_data_file *files = NULL;
    size_t n = 0;
    cr_assert_eq(tn_lake_writer_finish(w, &files, &n, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_table_overwrite(t, files, n, NULL, &s2, &err), 0, "%s", err.message);
    tn_lake_writer_free(w, false);
    tn_batch_free(b);
    totals x = scan_totals(t, NULL);
    cr_assert_eq(x.rows, 10);
    cr_assert_eq(x.id_sum, 10 * 1000 + 45);
    tn_lake_scan_options o = {.has_snapshot_id = true, .snapshot_id = s1};
    cr_assert_eq(scan_totals(t, &o).rows, 100);
    const tn_iceberg_snapshot *cur = tn_iceberg_metadata_current_snapshot(tn_lake_table_metadata(t));
    cr_assert_str_eq(tn_iceberg_snapshot_summary(cur, "operation"), "overwrite");
    cr_assert_str_eq(tn_iceberg_snapshot_summary(cur, "total-records"), "10");
    tn_lake_stats st;
    cr_assert_eq(tn_lake_table_stats(t, &st, &err), 0);
    cr_assert_eq(st.data_files, 1);
    tn_lake_table_close(t);
    tn_schema_unref(s);
}

Test(lake, schema_evolution)
{
    tn_lake_table *t = create_sales("orders", false);
    tn_schema *s = sales_schema();
    append(t, s, 0, 50, NULL);
    /* A batch with a new column: plan the changes, evolve, write. */
    tn_schema *s2 = sales_schema();
    tn_schema_add(s2, "qty", tn_type_make(TN_TYPE_INTEGER), true);
    tn_lake_schema_change *changes = NULL;
    size_t count = 0;
    tn_error err = {0};
    cr_assert_eq(tn_lake_schema_changes_for(t, s2, &changes, &count, &err), 0, "%s", err.message);
    cr_assert_eq(count, 1);
    cr_assert_eq(changes[0].kind, TN_LAKE_ADD_COLUMN);
    cr_assert_eq(tn_lake_table_evolve(t, changes, count, NULL, &err), 0, "%s", err.message);
    tn_free(changes);
    const tn_schema *ts = tn_lake_table_schema(t);
    cr_assert_eq(ts->column_count, 5);
    cr_assert_eq(ts->columns[4].field_id, 5);
    tn_batch *b = sales_batch(s2, 50, 20);
    for (uint32_t r = 0; r < 20; r++) tn_vector_i32(&b->columns[4])[r] = 7;
    cr_assert_eq(tn_lake_table_append_batches(t, &b, 1, NULL, NULL, &err), 0, "%s", err.message);
    tn_batch_free(b);
    totals x = scan_totals(t, NULL);
    cr_assert_eq(x.rows, 70);
    cr_assert_eq(x.nulls_last_col, 50, "old rows read the added column as NULL");
    /* Widen qty to BIGINT, rename amount, and read again. */
    tn_lake_schema_change more[2] = {{.kind = TN_LAKE_WIDEN_COLUMN, .column = "qty", .type = tn_type_make(TN_TYPE_BIGINT)},
                                     {.kind = TN_LAKE_RENAME_COLUMN, .column = "amount", .new_name = "total"}};
    cr_assert_eq(tn_lake_table_evolve(t, more, 2, NULL, &err), 0, "%s", err.message);
    ts = tn_lake_table_schema(t);
    cr_assert_eq(ts->columns[4].type.id, TN_TYPE_BIGINT);
    cr_assert_str_eq(ts->columns[3].name, "total");
    tn_lake_scan *scan = NULL;
    const char *cols[] = {"total", "qty"};
    tn_lake_scan_options o = {.columns = cols, .column_count = 2};
    cr_assert_eq(tn_lake_scan_open(t, &o, &scan, &err), 0, "%s", err.message);
    int64_t rows = 0, qty_sum = 0;
    double total = 0;
    for (;;) {
        tn_batch *bb = NULL;
        cr_assert_eq(tn_lake_scan_next(scan, &bb, &err), 0, "%s", err.message);
        if (!bb) break;
        cr_assert_eq(bb->columns[1].type.id, TN_TYPE_BIGINT);
        for (uint32_t r = 0; r < bb->row_count; r++) {
            total += tn_vector_f64(&bb->columns[0])[r];
            if (tn_vector_is_valid(&bb->columns[1], r)) qty_sum += tn_vector_i64(&bb->columns[1])[r];
        }
        rows += bb->row_count;
        tn_batch_free(bb);
    }
    tn_lake_scan_close(scan);
    cr_assert_eq(rows, 70);
    cr_assert_eq(qty_sum, 140);
    cr_assert_float_eq(total, 1.5 * (69 * 70 / 2), 1e-6);
    /* Narrowing is refused with the column named. */
    tn_lake_schema_change narrow = {.kind = TN_LAKE_WIDEN_COLUMN, .column = "qty", .type = tn_type_make(TN_TYPE_INTEGER)};
    cr_assert_eq(tn_lake_table_evolve(t, &narrow, 1, NULL, &err), TN_ETYPE);
    cr_assert_str_eq(err.key, "qty");
    const tn_iceberg_metadata *md = tn_lake_table_metadata(t);
    cr_assert_eq(md->schema_count, 3);
    cr_assert_not_null(tn_iceberg_metadata_property(md, "tarn.schema.1.changes"));
    tn_lake_table_close(t);
    tn_schema_unref(s);
    tn_schema_unref(s2);
}

Test(lake, partitioned_writes_never_mix)
{
    tn_lake_table *t = create_sales("orders", true);
    tn_schema *s = sales_schema();
    tn_batch *b = sales_batch(s, 0, 600);
    tn_lake_writer *w = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_writer_open(t, NULL, &w, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_writer_write(w, b, &err), 0, "%s", err.message);
    const tn_iceberg_data_file *files = NULL;
    size_t n = 0;
    cr_assert_eq(tn_lake_writer_finish(w, &files, &n, &err), 0, "%s", err.message);
    cr_assert_eq(n, 6, "3 days x 2 regions");
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert(strstr(files[i].file_path, "/data/day_day=2024-03-0") != NULL, "%s", files[i].file_path);
        cr_assert(strstr(files[i].file_path, "/region=") != NULL);
        /* Read the file itself: every row belongs to the file's partition. */
        const char *path = files[i].file_path + 7;
        tn_reader *r = NULL;
        cr_assert_eq(tn_reader_open(path, NULL, &r, &err), 0, "%s", err.message);
        for (;;) {
            tn_batch *fb = NULL;
            cr_assert_eq(tn_reader_next(r, &fb, &err), 0, "%s", err.message);
            if (!fb) break;
            for (uint32_t row = 0; row < fb->row_count; row++) {
                cr_assert_eq(tn_vector_i32(&fb->columns[2])[row], files[i].partition[0].v.i);
                tn_str reg = tn_vector_get_str(&fb->columns[1], row);
                cr_assert(tn_str_eq(reg, files[i].partition[1].v.bytes));
            }
            total += fb->row_count;
            tn_batch_free(fb);
        }
        tn_reader_close(r);
        cr_assert_eq(files[i].record_count, 100);
        cr_assert_gt(files[i].stats_count, 0);
    }
    cr_assert_eq(total, 600);
    cr_assert_eq(tn_lake_table_append(t, files, n, NULL, NULL, &err), 0, "%s", err.message);
    tn_lake_writer_free(w, false);
    tn_batch_free(b);
    /* Pruning: one day, one region. */
    tn_lake_predicate preds[2] = {{.column = "day", .op = TN_LAKE_EQ, .value = {.kind = TN_ICEBERG_DATE}},
                                  {.column = "region", .op = TN_LAKE_EQ, .value = {.kind = TN_ICEBERG_STRING}}};
    preds[0].value.v.i = tn_days_from_civil(2024, 3, 2);
    preds[1].value.v.bytes = TN_STR_LIT("north");
    tn_lake_scan_options o = {.predicates = preds, .predicate_count = 2};
    tn_lake_scan *scan = NULL;
    cr_assert_eq(tn_lake_scan_open(t, &o, &scan, &err), 0, "%s", err.message);
    const tn_lake_scan_stats *st = tn_lake_scan_get_stats(scan);
    cr_assert_eq(st->files_total, 6);
    cr_assert_eq(st->files_skipped, 5);
    tn_lake_scan_close(scan);
    /* Bounds pruning on a non-partition column. */
    tn_lake_predicate big = {.column = "id", .op = TN_LAKE_GT, .value = {.kind = TN_ICEBERG_LONG}};
    big.value.v.i = 10000;
    tn_lake_scan_options o2 = {.predicates = &big, .predicate_count = 1};
    cr_assert_eq(scan_totals(t, &o2).rows, 0);
    tn_lake_table_close(t);
    tn_schema_unref(s);
}

/* Per-column bounds of a data file as decoded values (for checking statistics). */
static int64_t bound_i64(const tn_iceberg_data_file *f, int32_t field_id, bool upper)
{
    for (uint32_t i = 0; i < f->stats_count; i++) {
        if (f->stats[i].field_id != field_id) continue;
        tn_str b = upper ? f->stats[i].upper : f->stats[i].lower;
        cr_assert_eq(b.len, 8);
        int64_t v;
        memcpy(&v, b.ptr, 8);
        return v;
    }
    cr_assert_fail("no statistics for field %d", (int)field_id);
    return 0;
}

Test(lake, writer_budget_splits_files_never_partitions)
{
    tn_lake_table *t = create_sales("orders", true);
    tn_schema *s = sales_schema();
    /* A budget far below the rows written: partitions are written out as they fill, so each
     * gets several files, and every file still holds one partition and true bounds. */
    tn_lake_write_options wo = {.memory_bytes = 256 << 10};
    tn_lake_writer *w = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_writer_open(t, &wo, &w, &err), 0, "%s", err.message);
    const uint32_t batch_rows = 2000, batches = 30;
    for (uint32_t i = 0; i < batches; i++) {
        tn_batch *b = sales_batch(s, (int64_t)i * batch_rows, batch_rows);
        cr_assert_eq(tn_lake_writer_write(w, b, &err), 0, "%s", err.message);
        tn_batch_free(b);
    }
    const tn_iceberg_data_file *files = NULL;
    size_t n = 0;
    cr_assert_eq(tn_lake_writer_finish(w, &files, &n, &err), 0, "%s", err.message);
    cr_assert_gt(n, 6, "a small budget gives more than one file per partition (%zu files)", n);
    int64_t total = 0, id_sum = 0;
    for (size_t i = 0; i < n; i++) {
        const char *path = files[i].file_path + 7;
        tn_reader *r = NULL;
        cr_assert_eq(tn_reader_open(path, NULL, &r, &err), 0, "%s", err.message);
        int64_t lo = INT64_MAX, hi = INT64_MIN, rows = 0;
        for (;;) {
            tn_batch *fb = NULL;
            cr_assert_eq(tn_reader_next(r, &fb, &err), 0, "%s", err.message);
            if (!fb) break;
            for (uint32_t row = 0; row < fb->row_count; row++) {
                cr_assert_eq(tn_vector_i32(&fb->columns[2])[row], files[i].partition[0].v.i);
                cr_assert(tn_str_eq(tn_vector_get_str(&fb->columns[1], row), files[i].partition[1].v.bytes));
                int64_t id = tn_vector_i64(&fb->columns[0])[row];
                lo = id < lo ? id : lo;
                hi = id > hi ? id : hi;
                id_sum += id;
            }
            rows += fb->row_count;
            tn_batch_free(fb);
        }
        tn_reader_close(r);
        cr_assert_eq(files[i].record_count, rows);
        cr_assert_eq(bound_i64(&files[i], 1, false), lo);
        cr_assert_eq(bound_i64(&files[i], 1, true), hi);
        total += rows;
    }
    int64_t all = (int64_t)batch_rows * batches;
    cr_assert_eq(total, all);
    cr_assert_eq(id_sum, all * (all - 1) / 2, "every row once");
    cr_assert_eq(tn_lake_table_append(t, files, n, NULL, NULL, &err), 0, "%s", err.message);
    tn_lake_writer_free(w, false);
    cr_assert_eq(scan_totals(t, NULL).rows, all);
    tn_lake_table_close(t);
    tn_schema_unref(s);
}

/* How many metadata versions a table has had (the log plus the current one). */
static uint32_t metadata_versions(tn_lake_table *t)
{
    return tn_lake_table_metadata(t)->metadata_log_count + 1;
}

Test(lake, staged_schema_commits_with_its_snapshot)
{
    tn_lake_table *t = create_sales("orders", false);
    tn_schema *s = sales_schema();
    append(t, s, 0, 10, NULL);
    uint32_t before = metadata_versions(t);
    tn_schema *s2 = sales_schema();
    tn_schema_add(s2, "qty", tn_type_make(TN_TYPE_INTEGER), true);
    tn_lake_schema_change add = {.kind = TN_LAKE_ADD_COLUMN, .column = "qty", .type = tn_type_make(TN_TYPE_INTEGER)};
    tn_error err = {0};
    cr_assert_eq(tn_lake_table_stage_evolve(t, &add, 1, &err), 0, "%s", err.message);
    /* Staged: the handle writes under the new schema, the catalog still has the old one. */
    cr_assert_eq(tn_lake_table_schema(t)->column_count, 5);
    tn_lake_table *other = NULL;
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &other, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_table_schema(other)->column_count, 4, "nothing is committed before the snapshot");
    tn_lake_table_close(other);
    tn_batch *b = sales_batch(s2, 10, 5);
    for (uint32_t r = 0; r < 5; r++) tn_vector_i32(&b->columns[4])[r] = 3;
    cr_assert_eq(tn_lake_table_append_batches(t, &b, 1, NULL, NULL, &err), 0, "%s", err.message);
    tn_batch_free(b);
    cr_assert_eq(metadata_versions(t), before + 1, "schema and snapshot in one metadata file");
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &other, &err), 0, "%s", err.message);
    const tn_iceberg_metadata *md = tn_lake_table_metadata(other);
    cr_assert_eq(tn_lake_table_schema(other)->column_count, 5);
    const tn_iceberg_snapshot *cur = tn_iceberg_metadata_current_snapshot(md);
    cr_assert_eq(cur->schema_id, md->current_schema_id);
    totals x = scan_totals(other, NULL);
    cr_assert_eq(x.rows, 15);
    cr_assert_eq(x.nulls_last_col, 10);
    tn_lake_table_close(other);
    tn_lake_table_close(t);
    tn_schema_unref(s);
    tn_schema_unref(s2);
}

Test(lake, staged_schema_meets_another_writers_schema)
{
    tn_lake_table *a = create_sales("orders", false);
    tn_lake_table *b = NULL, *c = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &b, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &c, &err), 0, "%s", err.message);
    tn_schema *s = sales_schema();
    tn_schema *s2 = sales_schema();
    tn_schema_add(s2, "qty", tn_type_make(TN_TYPE_INTEGER), true);
    tn_lake_schema_change qty = {.kind = TN_LAKE_ADD_COLUMN, .column = "qty", .type = tn_type_make(TN_TYPE_INTEGER)};
    tn_lake_schema_change note = {.kind = TN_LAKE_ADD_COLUMN, .column = "note", .type = tn_type_make(TN_TYPE_VARCHAR)};
    /* a and b stage the same change; c another one. a commits first. */
    cr_assert_eq(tn_lake_table_stage_evolve(a, &qty, 1, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_table_stage_evolve(b, &qty, 1, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_table_stage_evolve(c, &note, 1, &err), 0, "%s", err.message);
    tn_batch *rows = sales_batch(s2, 0, 4);
    cr_assert_eq(tn_lake_table_append_batches(a, &rows, 1, NULL, NULL, &err), 0, "%s", err.message);
    tn_batch_free(rows);
    /* b made the same change: its snapshot re-bases onto a's. */
    rows = sales_batch(s2, 4, 4);
    cr_assert_eq(tn_lake_table_append_batches(b, &rows, 1, NULL, NULL, &err), 0, "%s", err.message);
    tn_batch_free(rows);
    /* c's field id for note is now qty's: its commit is refused and leaves nothing behind. */
    rows = sales_batch(s, 8, 4);
    cr_assert_eq(tn_lake_table_append_batches(c, &rows, 1, NULL, NULL, &err), TN_ECONFLICT);
    cr_assert(strstr(err.message, "schema") != NULL, "%s", err.message);
    tn_batch_free(rows);
    tn_lake_table *check = NULL;
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &check, &err), 0, "%s", err.message);
    const tn_schema *ts = tn_lake_table_schema(check);
    cr_assert_eq(ts->column_count, 5);
    cr_assert_str_eq(ts->columns[4].name, "qty");
    cr_assert_eq(scan_totals(check, NULL).rows, 8);
    tn_lake_table_close(check);
    tn_lake_table_close(a);
    tn_lake_table_close(b);
    tn_lake_table_close(c);
    tn_schema_unref(s);
    tn_schema_unref(s2);
}

/* Writes rows id = start.. of the one-column replacement schema (id BIGINT, label VARCHAR) and
 * commits them as the overwrite that carries a staged replacement. */
static int overwrite_replaced(tn_lake_table *t, int64_t start, uint32_t n, tn_error *err)
{
    tn_lake_writer *w = NULL;
    int rc = tn_lake_writer_open(t, NULL, &w, err);
    tn_schema *s = tn_schema_copy(tn_lake_table_schema(t));
    tn_batch *b = rc == 0 ? tn_batch_new(s, n) : NULL;
    for (uint32_t r = 0; b && r < n; r++) {
        tn_vector_i64(&b->columns[0])[r] = start + r;
        tn_vector_append_str(&b->columns[1], r, "x", 1);
    }
    if (b) b->row_count = n;
    if (rc == 0) rc = tn_lake_writer_write(w, b, err);
    const tn_iceberg_data_file *files = NULL;
    size_t count = 0;
    if (rc == 0) rc = tn_lake_writer_finish(w, &files, &count, err);
    if (rc == 0) rc = tn_lake_table_overwrite(t, files, count, NULL, NULL, err);
    tn_lake_writer_free(w, rc != 0);
    tn_batch_free(b);
    tn_schema_unref(s);
    return rc;
}

static tn_schema *replacement_schema(void)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "id", tn_type_make(TN_TYPE_BIGINT), true);
    tn_schema_add(s, "label", tn_type_make(TN_TYPE_VARCHAR), true);
    return s;
}

Test(lake, replacement_commits_schema_spec_and_rows_at_once)
{
    tn_lake_table *t = create_sales("orders", true);
    tn_schema *s = sales_schema();
    append(t, s, 0, 12, NULL);
    uint32_t before = metadata_versions(t);
    int32_t old_spec = tn_lake_table_metadata(t)->default_spec_id;
    tn_schema *r = replacement_schema();
    tn_lake_partition_def by_label = {"label", "identity", NULL};
    tn_error err = {0};
    cr_assert_eq(tn_lake_table_stage_replace(t, r, &by_label, 1, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_table_stage_replace(t, r, NULL, 0, &err), TN_EUSAGE, "one replacement at a time");
    tn_lake_table *other = NULL;
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &other, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_table_schema(other)->column_count, 4, "nothing is committed before the snapshot");
    tn_lake_table_close(other);
    cr_assert_eq(overwrite_replaced(t, 100, 7, &err), 0, "%s", err.message);
    cr_assert_eq(metadata_versions(t), before + 1, "schema, spec and snapshot in one metadata file");
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &other, &err), 0, "%s", err.message);
    const tn_iceberg_metadata *md = tn_lake_table_metadata(other);
    const tn_schema *ts = tn_lake_table_schema(other);
    cr_assert_eq(ts->column_count, 2);
    cr_assert_str_eq(ts->columns[1].name, "label");
    cr_assert_neq(md->default_spec_id, old_spec);
    const tn_iceberg_partition_spec *spec = tn_iceberg_metadata_spec(md, md->default_spec_id);
    cr_assert_eq(spec->field_count, 1);
    cr_assert_str_eq(spec->fields[0].name, "label");
    cr_assert_eq(md->snapshot_count, 2, "the history stays");
    totals x = scan_totals(other, NULL);
    cr_assert_eq(x.rows, 7);
    cr_assert_eq(x.id_sum, 100 + 101 + 102 + 103 + 104 + 105 + 106);
    tn_lake_table_close(other);
    tn_lake_table_close(t);
    tn_schema_unref(s);
    tn_schema_unref(r);
}

Test(lake, replacement_meets_another_writers_commit)
{
    tn_lake_table *a = create_sales("orders", false);
    tn_lake_table *b = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &b, &err), 0, "%s", err.message);
    tn_schema *s = sales_schema();
    tn_schema *r = replacement_schema();
    cr_assert_eq(tn_lake_table_stage_replace(a, r, NULL, 0, &err), 0, "%s", err.message);
    append(b, s, 0, 5, NULL); /* another writer commits first */
    cr_assert_eq(overwrite_replaced(a, 0, 3, &err), TN_ECONFLICT);
    tn_lake_table *check = NULL;
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &check, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_table_schema(check)->column_count, 4, "the replacement left nothing behind");
    cr_assert_eq(scan_totals(check, NULL).rows, 5);
    tn_lake_table_close(check);
    tn_lake_table_close(a);
    tn_lake_table_close(b);
    tn_schema_unref(s);
    tn_schema_unref(r);
}

static void child_appends(int rounds, int64_t base)
{
    open_lake();
    tn_lake_table *t = NULL;
    tn_error err = {0};
    if (tn_lake_table_load(lake, "sales", "orders", &t, &err) < 0) _exit(2);
    tn_schema *s = sales_schema();
    for (int i = 0; i < rounds; i++) {
        tn_batch *b = sales_batch(s, base + i * 10, 10);
        tn_lake_commit_options o = {.max_retries = 100};
        if (tn_lake_table_append_batches(t, &b, 1, &o, NULL, &err) < 0) {
            fprintf(stderr, "append failed: %s\n", err.message);
            _exit(3);
        }
        tn_batch_free(b);
    }
    tn_lake_table_close(t);
    tn_schema_unref(s);
    close_lake();
    _exit(0);
}

Test(lake, concurrent_appends_lose_nothing)
{
    tn_lake_table *t = create_sales("orders", false);
    tn_lake_table_close(t);
    close_lake();
    pid_t a = fork();
    if (a == 0) child_appends(15, 0);
    pid_t b = fork();
    if (b == 0) child_appends(15, 100000);
    int sa, sb;
    waitpid(a, &sa, 0);
    waitpid(b, &sb, 0);
    cr_assert(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
    cr_assert(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
    open_lake();
    tn_error err = {0};
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &t, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_table_metadata(t)->snapshot_count, 30);
    totals x = scan_totals(t, NULL);
    cr_assert_eq(x.rows, 300);
    tn_lake_table_close(t);
}

Test(lake, killed_writer_leaves_old_or_new)
{
    tn_lake_table *t = create_sales("orders", true);
    tn_lake_table_close(t);
    close_lake();
    srand((unsigned)time(NULL));
    for (int round = 0; round < 6; round++) {
        pid_t p = fork();
        if (p == 0) child_appends(1000, round * 100000);
        usleep((useconds_t)(20000 + rand() % 150000));
        kill(p, SIGKILL);
        int st;
        waitpid(p, &st, 0);
        open_lake();
        tn_error err = {0};
        cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &t, &err), 0, "%s", err.message);
        totals x = scan_totals(t, NULL);
        cr_assert_eq(x.rows, 10 * (int64_t)tn_lake_table_metadata(t)->snapshot_count, "every snapshot whole");
        tn_lake_table_close(t);
        close_lake();
    }
    open_lake();
}

static void list_files(const char *path, char names[][512], int *count)
{
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char full[1024];
        snprintf(full, sizeof full, "%s/%s", path, de->d_name);
        struct stat st;
        stat(full, &st);
        if (S_ISDIR(st.st_mode)) list_files(full, names, count);
        else if (*count < 512 && strlen(full) < 512) memcpy(names[(*count)++], full, strlen(full) + 1);
    }
    closedir(d);
}

Test(lake, vacuum_leaves_exactly_referenced)
{
    tn_lake_table *t = create_sales("orders", false);
    tn_schema *s = sales_schema();
    for (int i = 0; i < 4; i++) append(t, s, i * 10, 10, NULL);
    /* An orphan of a killed write, old enough. */
    char orphan[600];
    snprintf(orphan, sizeof orphan, "%s/lake/sales/orders/data/dead-beef.parquet", dir);
    FILE *f = fopen(orphan, "w");
    fputs("partial", f);
    fclose(f);
    struct utimbuf old = {time(NULL) - 7200, time(NULL) - 7200};
    utime(orphan, &old);
    /* A fresh one within the grace period stays. */
    char young[600];
    snprintf(young, sizeof young, "%s/lake/sales/orders/data/in-flight.parquet", dir);
    f = fopen(young, "w");
    fputs("x", f);
    fclose(f);
    tn_error err = {0};
    tn_lake_vacuum_options vo = {.retain_ms = 0, .min_snapshots = 1};
    tn_lake_vacuum_result vr;
    cr_assert_eq(tn_lake_table_vacuum(t, &vo, &vr, &err), 0, "%s", err.message);
    cr_assert_eq(vr.snapshots_expired, 3);
    cr_assert_eq(tn_lake_table_metadata(t)->snapshot_count, 1);
    cr_assert_neq(access(orphan, F_OK), 0, "an orphan past the default grace (1h) is removed");
    cr_assert_eq(access(young, F_OK), 0, "a file younger than the grace period stays");
    cr_assert_eq(scan_totals(t, NULL).rows, 40);
    /* No grace: everything unreferenced goes. */
    vo.orphan_grace_ms = -1;
    cr_assert_eq(tn_lake_table_vacuum(t, &vo, &vr, &err), 0, "%s", err.message);
    cr_assert_gt(vr.files_removed, 0);
    cr_assert_neq(access(young, F_OK), 0);
    cr_assert_eq(scan_totals(t, NULL).rows, 40);
    /* What is left is exactly: the metadata file (+ log), the manifest list, manifests, data. */
    static char names[512][512];
    int count = 0;
    char root[600];
    snprintf(root, sizeof root, "%s/lake/sales/orders", dir);
    list_files(root, names, &count);
    const tn_iceberg_metadata *md = tn_lake_table_metadata(t);
    int data = 0, meta = 0, lists = 0, manifests = 0;
    for (int i = 0; i < count; i++) {
        if (strstr(names[i], ".parquet")) data++;
        else if (strstr(names[i], ".metadata.json")) meta++;
        else if (strstr(names[i], "/snap-")) lists++;
        else if (strstr(names[i], "-m0.avro")) manifests++;
        else cr_assert_fail("unexpected file %s", names[i]);
    }
    cr_assert_eq(data, 4);
    cr_assert_eq(lists, 1);
    cr_assert_eq(manifests, 4);
    cr_assert_eq(meta, 1 + (int)md->metadata_log_count);
    tn_lake_table_close(t);
    tn_schema_unref(s);
}

Test(lake, path_load_and_errors)
{
    tn_lake_table *t = create_sales("orders", false);
    tn_schema *s = sales_schema();
    append(t, s, 0, 5, NULL);
    char folder[600];
    snprintf(folder, sizeof folder, "%s/lake/sales/orders", dir);
    tn_lake_table *p = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_table_load_path(lake, folder, &p, &err), 0, "%s", err.message);
    cr_assert_eq(scan_totals(p, NULL).rows, 5);
    tn_lake_table_close(p);
    cr_assert_eq(tn_lake_table_load(lake, "sales", "nope", &p, &err), TN_ENOENT);
    cr_assert_eq(tn_lake_table_create(lake, "sales", "orders", s, NULL, 0, NULL, NULL, &err), TN_EEXIST);
    cr_assert_eq(tn_lake_table_drop(lake, "sales", "orders", true, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_table_load(lake, "sales", "orders", &p, &err), TN_ENOENT);
    tn_lake_table_close(t);
    tn_schema_unref(s);
}

/* With TARN_LAKE_E2E_DIR set, leaves a partitioned table with two snapshots and a schema
 * change there for the end-to-end readers (tests/e2e/iceberg_duckdb.test.mjs), plus
 * expected.json (the rows, in id order, and the metadata file name). */
Test(lake, e2e_fixture)
{
    const char *out = getenv("TARN_LAKE_E2E_DIR");
    if (!out) return;
    close_lake();
    tn_error err = {0};
    char path[600];
    snprintf(path, sizeof path, "%s/lake", out);
    cr_assert_eq(tn_store_open(path, &store, &err), 0, "%s", err.message);
    snprintf(path, sizeof path, "%s/catalog.db", out);
    cr_assert_eq(tn_catalog_open(path, &catalog, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_open(store, catalog, &lake, &err), 0, "%s", err.message);
    tn_lake_table_drop(lake, "sales", "orders", true, &err);
    tn_lake_table *t = create_sales("orders", true);
    tn_schema *s = sales_schema();
    append(t, s, 0, 30, NULL);
    tn_lake_schema_change add = {.kind = TN_LAKE_ADD_COLUMN, .column = "qty", .type = tn_type_make(TN_TYPE_INTEGER)};
    cr_assert_eq(tn_lake_table_evolve(t, &add, 1, NULL, &err), 0, "%s", err.message);
    tn_schema *s2 = sales_schema();
    tn_schema_add(s2, "qty", tn_type_make(TN_TYPE_INTEGER), true);
    tn_batch *b = sales_batch(s2, 30, 12);
    for (uint32_t r = 0; r < 12; r++) tn_vector_i32(&b->columns[4])[r] = (int32_t)r;
    cr_assert_eq(tn_lake_table_append_batches(t, &b, 1, NULL, NULL, &err), 0, "%s", err.message);
    tn_batch_free(b);
    snprintf(path, sizeof path, "%s/expected.json", out);
    FILE *f = fopen(path, "w");
    const char *loc = tn_lake_table_metadata_location(t);
    fprintf(f, "{\"table\":\"%s/lake/sales/orders\",\"metadata\":\"%s\",\"rows\":[", out, strrchr(loc, '/') + 1);
    for (int64_t id = 0; id < 42; id++) {
        char day[16];
        size_t n = tn_format_date(tn_days_from_civil(2024, 3, 1) + (int32_t)(id % 3), day);
        day[n] = 0;
        fprintf(f, "%s{\"id\":%lld,\"region\":\"%s\",\"day\":\"%s\",\"amount\":%.17g,\"qty\":", id ? "," : "",
                (long long)id, id % 2 ? "north" : "south", day, (double)id * 1.5);
        if (id < 30) fprintf(f, "null}");
        else fprintf(f, "%lld}", (long long)(id - 30));
    }
    fprintf(f, "]}\n");
    fclose(f);
    tn_lake_table_close(t);
    tn_schema_unref(s);
    tn_schema_unref(s2);
}
