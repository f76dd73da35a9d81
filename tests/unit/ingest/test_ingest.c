/* SPDX-License-Identifier: Apache-2.0
 *
 * The ingest module against a real lake in a temporary folder: table creation with a
 * partition spec, one snapshot for many inputs, the ledger (skips, force, duplicates in one
 * call), schema evolution (new column, widening), values that do not fit going to the
 * quarantine in the commit's transaction, overwrite, content hashes, and a failed input
 * leaving the table untouched.
 */
#include "ingest/ingest.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static char dir[256];
static tn_store *store;
static tn_catalog *catalog;
static tn_lake *lake;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tarn-ingest-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char path[512];
    tn_error err = {0};
    snprintf(path, sizeof path, "%s/lake", dir);
    cr_assert_eq(tn_store_open(path, &store, &err), 0, "%s", err.message);
    snprintf(path, sizeof path, "%s/catalog.db", dir);
    cr_assert_eq(tn_catalog_open(path, &catalog, &err), 0, "%s", err.message);
    cr_assert_eq(tn_lake_open(store, catalog, &lake, &err), 0, "%s", err.message);
}

static void teardown(void)
{
    tn_lake_close(lake);
    tn_catalog_close(catalog);
    tn_store_close(store);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(ingest, .init = setup, .fini = teardown);

static const char *write_input(const char *name, const char *text)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static int ingest(const char *const *paths, size_t n, const tn_ingest_options *o,
                  tn_ingest_result *r)
{
    tn_error err = {0};
    int rc = tn_ingest_files(lake, catalog, paths, n, "main", "sales", o, r, &err);
    if (rc < 0) cr_log_info("ingest: %s", err.message);
    return rc;
}

static tn_lake_stats table_stats(void)
{
    tn_error err = {0};
    tn_lake_table *t = NULL;
    cr_assert_eq(tn_lake_table_load(lake, "main", "sales", &t, &err), 0, "%s", err.message);
    tn_lake_stats st;
    cr_assert_eq(tn_lake_table_stats(t, &st, &err), 0, "%s", err.message);
    tn_lake_table_close(t);
    return st;
}

static int count_quarantine(void *ctx, const tn_quarantine_row *row)
{
    int *n = ctx;
    (*n)++;
    cr_assert_str_eq(row->table, "main.sales");
    cr_assert_gt(row->line, 0);
    cr_assert_not_null(row->reason);
    return 0;
}

Test(ingest, creates_partitioned_table_in_one_snapshot)
{
    const char *a = write_input("a.csv", "id,region,ts\n1,north,2024-03-01 10:00:00\n"
                                         "2,south,2024-03-02 11:00:00\n");
    const char *b = write_input("b.csv", "id,region,ts\n3,north,2024-03-01 12:00:00\n");
    const char *paths[] = {a, b};
    tn_ingest_options o = {.partition_by = "day(ts), region"};
    tn_ingest_result r;
    cr_assert_eq(ingest(paths, 2, &o, &r), 0);
    cr_assert(r.table_created);
    cr_assert(r.committed);
    cr_assert_eq(r.rows, 3);
    cr_assert_eq(r.inputs_loaded, 2);
    /* Two partitions: (03-01, north) holds rows 1 and 3, (03-02, south) row 2. */
    cr_assert_eq(r.data_files, 2);
    tn_ingest_result_free(&r);
    tn_lake_stats st = table_stats();
    cr_assert_eq(st.rows, 3);
    tn_error err = {0};
    tn_lake_table *t = NULL;
    cr_assert_eq(tn_lake_table_load(lake, "main", "sales", &t, &err), 0);
    cr_assert_eq(tn_lake_table_metadata(t)->snapshot_count, 1);
    tn_buf spec = TN_BUF_INIT;
    cr_assert_eq(tn_ingest_partition_format(tn_lake_table_metadata(t), &spec), 0);
    cr_assert_str_eq(tn_buf_cstr(&spec), "day(ts), region");
    tn_buf_free(&spec);
    tn_lake_table_close(t);
}

Test(ingest, ledger_skips_known_content)
{
    const char *a = write_input("a.csv", "id,v\n1,x\n2,y\n");
    const char *copy = write_input("copy.csv", "id,v\n1,x\n2,y\n");
    const char *paths[] = {a, copy};
    tn_ingest_result r;
    cr_assert_eq(ingest(paths, 2, NULL, &r), 0);
    /* Same bytes twice in one call: loaded once. */
    cr_assert_eq(r.inputs_loaded, 1);
    cr_assert_eq(r.inputs_skipped, 1);
    cr_assert_eq(r.inputs[1].status, TN_INGEST_SKIPPED);
    tn_ingest_result_free(&r);
    cr_assert_eq(ingest(paths, 1, NULL, &r), 0);
    cr_assert_not(r.committed);
    cr_assert_eq(r.inputs_skipped, 1);
    cr_assert_str_eq(r.inputs[0].skipped_reason, "already ingested");
    tn_ingest_result_free(&r);
    cr_assert_eq(table_stats().rows, 2);
    tn_ingest_options force = {.force = true};
    cr_assert_eq(ingest(paths, 1, &force, &r), 0);
    cr_assert(r.committed);
    tn_ingest_result_free(&r);
    cr_assert_eq(table_stats().rows, 4);
}

Test(ingest, evolves_schema_and_quarantines_misfits)
{
    const char *a = write_input("a.csv", "id,amount\n1,10\n2,20\n");
    const char *paths1[] = {a};
    tn_ingest_result r;
    cr_assert_eq(ingest(paths1, 1, NULL, &r), 0);
    tn_ingest_result_free(&r);
    /* id becomes BIGINT (widening), extra is new, one amount does not fit INTEGER. */
    const char *b = write_input("b.csv", "id,amount,extra\n3000000000,30,a\n4,oops,b\n5,50,c\n");
    const char *paths2[] = {b};
    cr_assert_eq(ingest(paths2, 1, NULL, &r), 0);
    cr_assert_eq(r.rows, 2);
    cr_assert_eq(r.rejected, 1);
    cr_assert_eq(r.schema_change_count, 2);
    cr_assert(strstr(r.schema_changes.data, "add extra"), "%s", r.schema_changes.data);
    cr_assert(strstr(r.schema_changes.data, "widen id to BIGINT"), "%s", r.schema_changes.data);
    tn_ingest_result_free(&r);
    cr_assert_eq(table_stats().rows, 4);
    int quarantined = 0;
    tn_error err = {0};
    cr_assert_eq(tn_catalog_quarantine_list(catalog, "main.sales", count_quarantine, &quarantined,
                                            &err), 0);
    cr_assert_eq(quarantined, 1);
    tn_lake_table *t = NULL;
    cr_assert_eq(tn_lake_table_load(lake, "main", "sales", &t, &err), 0);
    const tn_schema *s = tn_lake_table_schema(t);
    cr_assert_eq(s->column_count, 3);
    cr_assert_eq(s->columns[0].type.id, TN_TYPE_BIGINT);
    cr_assert_eq(s->columns[2].field_id, 3);
    cr_assert_eq(tn_lake_table_metadata(t)->schema_count, 2);
    tn_lake_table_close(t);
}

Test(ingest, overwrite_replaces_rows)
{
    const char *a = write_input("a.csv", "id\n1\n2\n3\n");
    const char *b = write_input("b.csv", "id\n9\n");
    const char *pa[] = {a}, *pb[] = {b};
    tn_ingest_result r;
    cr_assert_eq(ingest(pa, 1, NULL, &r), 0);
    tn_ingest_result_free(&r);
    tn_ingest_options o = {.mode = TN_INGEST_OVERWRITE};
    cr_assert_eq(ingest(pb, 1, &o, &r), 0);
    tn_ingest_result_free(&r);
    cr_assert_eq(table_stats().rows, 1);
    /* Overwrite ignores the ledger: the same content may be loaded again. */
    cr_assert_eq(ingest(pa, 1, &o, &r), 0);
    cr_assert(r.committed);
    tn_ingest_result_free(&r);
    cr_assert_eq(table_stats().rows, 3);
}

Test(ingest, failed_input_commits_nothing)
{
    const char *a = write_input("a.csv", "id\n1\n2\n");
    const char *pa[] = {a};
    tn_ingest_result r;
    cr_assert_eq(ingest(pa, 1, NULL, &r), 0);
    tn_ingest_result_free(&r);
    char missing[600];
    snprintf(missing, sizeof missing, "%s/missing.csv", dir);
    const char *b = write_input("b.csv", "id\n3\n");
    const char *paths[] = {b, missing};
    cr_assert_lt(ingest(paths, 2, NULL, &r), 0);
    tn_ingest_result_free(&r);
    cr_assert_eq(table_stats().rows, 2);
    /* b was not recorded in the ledger: loading it alone works. */
    const char *pb[] = {b};
    cr_assert_eq(ingest(pb, 1, NULL, &r), 0);
    cr_assert(r.committed);
    tn_ingest_result_free(&r);
    cr_assert_eq(table_stats().rows, 3);
}

Test(ingest, schema_change_commits_only_with_its_data)
{
    const char *a = write_input("a.csv", "id\n1\n2\n");
    const char *pa[] = {a};
    tn_ingest_result r;
    cr_assert_eq(ingest(pa, 1, NULL, &r), 0);
    tn_ingest_result_free(&r);
    tn_error err = {0};
    tn_lake_table *t = NULL;
    cr_assert_eq(tn_lake_table_load(lake, "main", "sales", &t, &err), 0);
    uint32_t versions = tn_lake_table_metadata(t)->metadata_log_count;
    tn_lake_table_close(t);
    /* b needs a new column, then the run fails on an input that is not what it claims to be
     * (found only when it is opened, after b's rows were written under the new schema):
     * nothing may be committed, not even the schema b needed. */
    const char *b = write_input("b.csv", "id,extra\n3,x\n");
    const char *bad = write_input("bad.parquet", "this is not a Parquet file\n");
    const char *failing[] = {b, bad};
    cr_assert_lt(ingest(failing, 2, NULL, &r), 0);
    tn_ingest_result_free(&r);
    cr_assert_eq(tn_lake_table_load(lake, "main", "sales", &t, &err), 0);
    cr_assert_eq(tn_lake_table_schema(t)->column_count, 1, "no schema change without its data");
    cr_assert_eq(tn_lake_table_metadata(t)->schema_count, 1);
    cr_assert_eq(tn_lake_table_metadata(t)->metadata_log_count, versions);
    tn_lake_table_close(t);
    /* Alone, b commits its schema and its rows in one metadata version. */
    const char *pb[] = {b};
    cr_assert_eq(ingest(pb, 1, NULL, &r), 0);
    cr_assert_eq(r.schema_change_count, 1);
    tn_ingest_result_free(&r);
    cr_assert_eq(tn_lake_table_load(lake, "main", "sales", &t, &err), 0);
    const tn_iceberg_metadata *md = tn_lake_table_metadata(t);
    cr_assert_eq(md->metadata_log_count, versions + 1);
    cr_assert_eq(tn_lake_table_schema(t)->column_count, 2);
    cr_assert_eq(tn_iceberg_metadata_current_snapshot(md)->schema_id, md->current_schema_id);
    tn_lake_table_close(t);
    cr_assert_eq(table_stats().rows, 3);
}

Test(ingest, small_memory_budget_keeps_every_row)
{
    char path[600];
    snprintf(path, sizeof path, "%s/spread.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("id,grp,note\n", f);
    for (int i = 0; i < 40000; i++) fprintf(f, "%d,g%d,some text for row %d\n", i, (i * 7919) % 31, i);
    fclose(f);
    const char *paths[] = {path};
    tn_ingest_options o = {.partition_by = "grp", .memory_bytes = 512 << 10};
    tn_ingest_result r;
    cr_assert_eq(ingest(paths, 1, &o, &r), 0);
    cr_assert_eq(r.rows, 40000);
    cr_assert_gt(r.data_files, 31, "rows in random partition order under a small budget: several files each");
    tn_ingest_result_free(&r);
    cr_assert_eq(table_stats().rows, 40000);
}

Test(ingest, partition_spec_must_match_existing_table)
{
    const char *a = write_input("a.csv", "id,region\n1,x\n");
    const char *pa[] = {a};
    tn_ingest_options o = {.partition_by = "region"};
    tn_ingest_result r;
    cr_assert_eq(ingest(pa, 1, &o, &r), 0);
    tn_ingest_result_free(&r);
    const char *b = write_input("b.csv", "id,region\n2,y\n");
    const char *pb[] = {b};
    cr_assert_eq(ingest(pb, 1, &o, &r), 0);
    tn_ingest_result_free(&r);
    tn_ingest_options other = {.partition_by = "bucket(4, id)"};
    const char *c = write_input("c.csv", "id,region\n3,z\n");
    const char *pc[] = {c};
    cr_assert_eq(ingest(pc, 1, &other, &r), TN_EINVAL);
    tn_ingest_result_free(&r);
}

Test(ingest, content_hash_is_stable_and_distinct)
{
    const char *a = write_input("a.csv", "same bytes\n");
    const char *b = write_input("b.csv", "same bytes\n");
    const char *c = write_input("c.csv", "same bytez\n");
    char ha[TN_INGEST_HASH_HEX], hb[TN_INGEST_HASH_HEX], hc[TN_INGEST_HASH_HEX];
    int64_t size = 0;
    tn_error err = {0};
    cr_assert_eq(tn_ingest_hash_file(a, ha, &size, &err), 0);
    cr_assert_eq(size, 11);
    cr_assert_eq(tn_ingest_hash_file(b, hb, NULL, &err), 0);
    cr_assert_eq(tn_ingest_hash_file(c, hc, NULL, &err), 0);
    cr_assert_eq(strlen(ha), 32);
    cr_assert_str_eq(ha, hb);
    cr_assert_str_neq(ha, hc);
    cr_assert_eq(tn_ingest_hash_file("/nonexistent/x", ha, NULL, &err), TN_ENOENT);
}

Test(ingest, many_rows_stream)
{
    char path[600];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("id,grp\n", f);
    for (int i = 0; i < 50000; i++) fprintf(f, "%d,g%d\n", i, i % 7);
    fclose(f);
    const char *paths[] = {path};
    tn_ingest_options o = {.partition_by = "grp"};
    tn_ingest_result r;
    cr_assert_eq(ingest(paths, 1, &o, &r), 0);
    cr_assert_eq(r.rows, 50000);
    cr_assert_eq(r.data_files, 7);
    tn_ingest_result_free(&r);
    cr_assert_eq(table_stats().rows, 50000);
}
