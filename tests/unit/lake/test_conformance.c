/* SPDX-License-Identifier: Apache-2.0
 *
 * Reading Iceberg tables other engines wrote (../shared/conformance/iceberg, see its
 * MANIFEST.md): Java, Spark, Athena and PyIceberg tables with position and equality deletes,
 * schema evolution, time travel and identity partitions on every type. Expected rows come
 * from the MANIFEST (icebird's and duckdb-iceberg's own tests); every other table must read
 * exactly its snapshot's total-records when it has no deletes, or fail with a clear error.
 */
#include "lake/lake.h"

#include <criterion/criterion.h>
#include <dirent.h>
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

typedef struct result {
    int64_t rows;
    tn_batch *first; /* the first non-empty batch */
    const tn_schema *schema;
} result;

static int scan_all(tn_lake_table *t, const tn_lake_scan_options *o, result *r, tn_error *err)
{
    memset(r, 0, sizeof *r);
    tn_lake_scan *scan = NULL;
    int rc = tn_lake_scan_open(t, o, &scan, err);
    if (rc < 0) return rc;
    for (;;) {
        tn_batch *b = NULL;
        rc = tn_lake_scan_next(scan, &b, err);
        if (rc < 0 || !b) break;
        r->rows += b->row_count;
        if (!r->first) r->first = b;
        else tn_batch_free(b);
    }
    tn_lake_scan_close(scan);
    return rc;
}

static tn_lake_table *load(tn_lake *lake, const char *path)
{
    tn_lake_table *t = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_lake_table_load_path(lake, path, &t, &err), 0, "%s: %s", path, err.message);
    return t;
}

static int col(const tn_batch *b, const char *name)
{
    int i = tn_schema_find(b->schema, name);
    cr_assert_geq(i, 0, "column %s", name);
    return i;
}

static int64_t int_at(const tn_batch *b, const char *name, uint32_t row)
{
    const tn_vector *v = &b->columns[col(b, name)];
    return v->type.id == TN_TYPE_BIGINT ? tn_vector_i64(v)[row] : tn_vector_i32(v)[row];
}

Test(conformance, java_bunnies)
{
    tn_lake *lake = fixture_lake();
    tn_error err = {0};
    result r;
    tn_lake_table *t = load(lake, ICEBIRD "/hyperparam-iceberg/java/bunnies/metadata/v2.metadata.json");
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 21);
    tn_str breed = tn_vector_get_str(&r.first->columns[0], 0);
    cr_assert(tn_str_eq(breed, TN_STR_LIT("Holland Lop")), "%.*s", (int)breed.len, breed.ptr);
    tn_batch_free(r.first);
    tn_lake_table_close(t);

    t = load(lake, ICEBIRD "/hyperparam-iceberg/java/bunnies/metadata/v3.metadata.json");
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 21);
    int h = col(r.first, "__happy__");
    cr_assert_eq(r.first->columns[h].null_count, r.first->row_count);
    tn_batch_free(r.first);
    tn_lake_table_close(t);

    /* v4: position deletes plus an updated row. */
    t = load(lake, ICEBIRD "/hyperparam-iceberg/java/bunnies/metadata/v4.metadata.json");
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 15);
    tn_batch_free(r.first);
    tn_lake_table_close(t);

    /* v5 (current): equality delete and re-insert. Gather all rows to find New Zealand. */
    t = load(lake, ICEBIRD "/hyperparam-iceberg/java/bunnies");
    tn_lake_scan *scan = NULL;
    cr_assert_eq(tn_lake_scan_open(t, NULL, &scan, &err), 0, "%s", err.message);
    int64_t rows = 0, nz = 0;
    for (;;) {
        tn_batch *b = NULL;
        cr_assert_eq(tn_lake_scan_next(scan, &b, &err), 0, "%s", err.message);
        if (!b) break;
        int origin = -1;
        for (uint32_t c = 0; c < b->schema->column_count; c++)
            if (strstr(b->schema->columns[c].name, "rigin")) origin = (int)c;
        cr_assert_geq(origin, 0);
        for (uint32_t i = 0; i < b->row_count; i++) {
            tn_str o = tn_vector_get_str(&b->columns[origin], i);
            if (tn_str_eq(o, TN_STR_LIT("New Zealand"))) {
                nz++;
                int hp = col(b, "__happy__");
                cr_assert(tn_vector_is_valid(&b->columns[hp], i) && tn_vector_get_bool(&b->columns[hp], i));
            }
        }
        rows += b->row_count;
        tn_batch_free(b);
    }
    tn_lake_scan_close(scan);
    cr_assert_eq(rows, 15);
    cr_assert_eq(nz, 1);
    tn_lake_table_close(t);
    tn_lake_close(lake);
}

Test(conformance, spark_bunnies)
{
    tn_lake *lake = fixture_lake();
    tn_error err = {0};
    result r;
    tn_lake_table *t = load(lake, ICEBIRD "/hyperparam-iceberg/spark/bunnies/metadata/v1.metadata.json");
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 21);
    tn_batch_free(r.first);
    tn_lake_table_close(t);
    t = load(lake, ICEBIRD "/hyperparam-iceberg/spark/bunnies/metadata/v3.metadata.json");
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 20);
    tn_str breed = tn_vector_get_str(&r.first->columns[0], 0);
    cr_assert(tn_str_eq(breed, TN_STR_LIT("Netherland Dwarf")), "%.*s", (int)breed.len, breed.ptr);
    tn_batch_free(r.first);
    tn_lake_table_close(t);
    t = load(lake, ICEBIRD "/hyperparam-iceberg/spark/bunnies");
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 20);
    cr_assert_eq(int_at(r.first, "breed_name_length", 0), 16);
    tn_batch_free(r.first);
    tn_lake_scan_options o = {.has_snapshot_id = true, .snapshot_id = 7505300640432048841LL};
    cr_assert_eq(scan_all(t, &o, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 21);
    tn_batch_free(r.first);
    tn_lake_table_close(t);
    tn_lake_close(lake);
}

Test(conformance, spark_rename_column_and_athena)
{
    tn_lake *lake = fixture_lake();
    tn_error err = {0};
    result r;
    tn_lake_table *t = load(lake, ICEBIRD "/hyperparam-iceberg/spark/rename_column");
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 4);
    cr_assert_geq(tn_schema_find(r.first->schema, "event_date"), 0);
    tn_batch_free(r.first);
    tn_lake_table_close(t);
    /* v1 is the empty table as created; v2 has the rows under the old column name. */
    t = load(lake, ICEBIRD "/hyperparam-iceberg/spark/rename_column/metadata/v1.metadata.json");
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 0);
    tn_lake_table_close(t);
    t = load(lake, ICEBIRD "/hyperparam-iceberg/spark/rename_column/metadata/v2.metadata.json");
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 4);
    cr_assert_geq(tn_schema_find(r.first->schema, "date"), 0);
    tn_batch_free(r.first);
    tn_lake_table_close(t);
    t = load(lake, ICEBIRD "/hyperparam-iceberg/athena/example");
    cr_assert(strstr(tn_lake_table_metadata_location(t), "00001-aaf0d033") != NULL, "%s", tn_lake_table_metadata_location(t));
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 2);
    tn_batch_free(r.first);
    tn_lake_table_close(t);
    tn_lake_close(lake);
}

Test(conformance, duckdb_equality_deletes_and_lineitem)
{
    tn_lake *lake = fixture_lake();
    tn_error err = {0};
    result r;
    tn_lake_table *t = load(lake, DUCK "/data/persistent/equality_deletes/warehouse/mydb/mytable");
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 2);
    tn_batch_free(r.first);
    tn_lake_table_close(t);
    t = load(lake, DUCK "/data/persistent/iceberg/lineitem_iceberg");
    cr_assert_eq(scan_all(t, NULL, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 51793);
    tn_batch_free(r.first);
    const tn_iceberg_metadata *md = tn_lake_table_metadata(t);
    const tn_iceberg_snapshot *first = &md->snapshots[0];
    tn_lake_scan_options o = {.has_snapshot_id = true, .snapshot_id = first->snapshot_id};
    cr_assert_eq(scan_all(t, &o, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.rows, 60175);
    tn_batch_free(r.first);
    tn_lake_table_close(t);
    tn_lake_close(lake);
}

/* Every table folder (a folder holding a metadata folder) under root. */
static void find_tables(const char *root, char tables[][1024], int *count, int depth)
{
    if (depth > 6) return;
    DIR *d = opendir(root);
    if (!d) return;
    struct dirent *de;
    char meta[1100];
    snprintf(meta, sizeof meta, "%s/metadata", root);
    struct stat st;
    if (stat(meta, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (*count < 128) snprintf(tables[(*count)++], 1024, "%s", root);
        closedir(d);
        return;
    }
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char sub[1100];
        if (snprintf(sub, sizeof sub, "%s/%s", root, de->d_name) >= 1024) continue;
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) find_tables(sub, tables, count, depth + 1);
    }
    closedir(d);
}

Test(conformance, every_table)
{
    static char tables[128][1024];
    int count = 0;
    find_tables(DUCK "/data/persistent", tables, &count, 0);
    find_tables(ICEBIRD "/hyperparam-iceberg", tables, &count, 0);
    cr_assert_gt(count, 30);
    tn_lake *lake = fixture_lake();
    int matched = 0, failed_clearly = 0, mismatched = 0;
    for (int i = 0; i < count; i++) {
        tn_error err = {0};
        tn_lake_table *t = NULL;
        const char *name = tables[i] + strlen(TARN_CONFORMANCE_DIR) + 9;
        if (tn_lake_table_load_path(lake, tables[i], &t, &err) < 0) {
            cr_assert_neq(err.message[0], '\0');
            printf("conformance: %-70s load error: %s\n", name, err.message);
            failed_clearly++;
            continue;
        }
        const tn_iceberg_snapshot *s = tn_iceberg_metadata_current_snapshot(tn_lake_table_metadata(t));
        const char *total = s ? tn_iceberg_snapshot_summary(s, "total-records") : "0";
        const char *deletes = s ? tn_iceberg_snapshot_summary(s, "total-delete-files") : NULL;
        result r;
        int rc = scan_all(t, NULL, &r, &err);
        tn_batch_free(r.first);
        if (rc < 0) {
            cr_assert_neq(err.message[0], '\0');
            printf("conformance: %-70s read error: %s\n", name, err.message);
            failed_clearly++;
        } else {
            bool has_deletes = deletes && strcmp(deletes, "0") != 0;
            bool ok = !total || has_deletes || r.rows == strtoll(total, NULL, 10);
            printf("conformance: %-70s rows %lld (total-records %s%s) %s\n", name, (long long)r.rows,
                   total ? total : "?", has_deletes ? ", with deletes" : "", ok ? "ok" : "MISMATCH");
            if (ok) matched++;
            else mismatched++;
        }
        tn_lake_table_close(t);
    }
    printf("conformance: %d tables: %d read, %d failed with an error, %d mismatched\n", count, matched, failed_clearly,
           mismatched);
    cr_assert_eq(mismatched, 0);
    tn_lake_close(lake);
}

/* The integer values of `column` over every row of the current snapshot, sorted. */
static size_t scan_ints(tn_lake_table *t, const char *column, int64_t *out, size_t cap)
{
    tn_error err = {0};
    tn_lake_scan *scan = NULL;
    cr_assert_eq(tn_lake_scan_open(t, NULL, &scan, &err), 0, "%s", err.message);
    size_t n = 0;
    for (;;) {
        tn_batch *b = NULL;
        cr_assert_eq(tn_lake_scan_next(scan, &b, &err), 0, "%s", err.message);
        if (!b) break;
        for (uint32_t r = 0; r < b->row_count; r++) {
            cr_assert_lt(n, cap);
            out[n++] = int_at(b, column, r);
        }
        tn_batch_free(b);
    }
    tn_lake_scan_close(scan);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
            int64_t x = out[j];
            out[j] = out[j - 1];
            out[j - 1] = x;
        }
    return n;
}

/* Expected rows from the fixture's own test script (equality_delete_cross_partition.test): the
 * delete on key=100 lives in partition part=0 only. The snapshot id is above INT64_MAX. */
Test(conformance, equality_delete_scoped_to_its_partition)
{
    tn_lake *lake = fixture_lake();
    tn_lake_table *t = load(lake, DUCK "/data/persistent/equality_delete_cross_partition/warehouse/ns/t");
    int64_t keys[8], parts[8];
    cr_assert_eq(scan_ints(t, "key", keys, 8), 3);
    cr_assert_eq(keys[0], 100);
    cr_assert_eq(keys[1], 888);
    cr_assert_eq(keys[2], 999);
    cr_assert_eq(scan_ints(t, "part", parts, 8), 3);
    cr_assert_eq(parts[0], 0);
    cr_assert_eq(parts[1], 1);
    cr_assert_eq(parts[2], 1);
    tn_lake_table_close(t);
    tn_lake_close(lake);
}

/* A v3 deletion vector stored as a bare blob (legacy_bare_deletion_vector.test: ids 1 and 3). */
Test(conformance, deletion_vector)
{
    tn_lake *lake = fixture_lake();
    tn_lake_table *t = load(lake, DUCK "/data/persistent/legacy_bare_deletion_vector/warehouse/default/"
                                      "legacy_bare_deletion_vector");
    int64_t ids[8];
    cr_assert_eq(scan_ints(t, "id", ids, 8), 2);
    cr_assert_eq(ids[0], 1);
    cr_assert_eq(ids[1], 3);
    tn_lake_table_close(t);
    tn_lake_close(lake);
}
