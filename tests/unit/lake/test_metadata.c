/* SPDX-License-Identifier: Apache-2.0
 *
 * Table metadata JSON: iceberg-rust's accept/reject cases, lenient v1 rules, errors that name
 * the file, and the round trip model -> JSON -> model.
 */
#include "lake/lake.h"

#include <criterion/criterion.h>
#include <stdio.h>

#define RUST_DIR TARN_CONFORMANCE_DIR "/iceberg/iceberg-rust"

static int parse_file(const char *path, tn_iceberg_metadata **md, tn_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = tn_file_read_all(path, &data, &len, err);
    if (rc < 0) return rc;
    rc = tn_iceberg_metadata_parse(data, len, path, md, err);
    tn_free(data);
    return rc;
}

Test(metadata, rust_cases_accept)
{
    static const char *const ok[] = {"TableMetadataV1Valid", "TableMetadataV1Compat", "TableMetadataV2Valid",
                                     "TableMetadataV2ValidMinimal", "TableMetadataV3ValidMinimal",
                                     "TableMetadataV3ValidEncryption", "TableMetadataV1SchemasWithoutCurrentId",
                                     "TableMetadataV1PartitionSpecsWithoutDefaultId"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, RUST_DIR "/table_metadata/%s.json", ok[i]);
        tn_error err = {0};
        tn_iceberg_metadata *md = NULL;
        cr_assert_eq(parse_file(path, &md, &err), 0, "%s: %s", ok[i], err.message);
        cr_assert_not_null(tn_iceberg_metadata_current_schema(md));
        if (strcmp(ok[i], "TableMetadataV1PartitionSpecsWithoutDefaultId") == 0) cr_assert_eq(md->default_spec_id, 2);
        tn_iceberg_metadata_free(md);
    }
    static const char *const ex[] = {"example_table_metadata_v2", "example_table_metadata_v2_deep_history",
                                     "example_table_metadata_v2_partition_evolution", "example_empty_table_metadata_v2"};
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, RUST_DIR "/%s.json", ex[i]);
        tn_error err = {0};
        tn_iceberg_metadata *md = NULL;
        cr_assert_eq(parse_file(path, &md, &err), 0, "%s: %s", ex[i], err.message);
        tn_iceberg_metadata_free(md);
    }
}

Test(metadata, rust_cases_reject)
{
    static const char *const bad[] = {"TableMetadataUnsupportedVersion", "TableMetadataV1NoValidSchema",
                                      "TableMetadataV2CurrentSchemaNotFound", "TableMetadataV2MissingLastPartitionId",
                                      "TableMetadataV2MissingPartitionSpecs", "TableMetadataV2MissingSchemas",
                                      "TableMetadataV2MissingSortOrder"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, RUST_DIR "/table_metadata/%s.json", bad[i]);
        tn_error err = {0};
        tn_iceberg_metadata *md = NULL;
        int rc = parse_file(path, &md, &err);
        cr_assert_lt(rc, 0, "%s should be rejected", bad[i]);
        cr_assert_null(md);
        cr_assert(strstr(err.file, bad[i]) != NULL, "error names the file: %s", err.file);
    }
}

Test(metadata, rejects_garbage)
{
    tn_error err = {0};
    tn_iceberg_metadata *md = NULL;
    cr_assert_eq(tn_iceberg_metadata_parse("{\"a\":", 5, "x.json", &md, &err), TN_EPARSE);
    cr_assert_str_eq(err.file, "x.json");
    cr_assert_eq(tn_iceberg_metadata_parse("[1,2]", 5, "x.json", &md, &err), TN_EFORMAT);
    const char *nd = TARN_CONFORMANCE_DIR "/iceberg/duckdb-iceberg/data/persistent/bad_data/bad_iceberg_metadata.json";
    cr_assert_lt(parse_file(nd, &md, &err), 0);
}

Test(metadata, round_trip)
{
    tn_error err = {0};
    tn_iceberg_metadata *md = NULL;
    cr_assert_eq(parse_file(RUST_DIR "/table_metadata/TableMetadataV2Valid.json", &md, &err), 0, "%s", err.message);
    tn_buf a = TN_BUF_INIT, b = TN_BUF_INIT;
    cr_assert_eq(tn_iceberg_metadata_to_json(md, &a, &err), 0);
    tn_iceberg_metadata *md2 = NULL;
    cr_assert_eq(tn_iceberg_metadata_parse(a.data, a.len, "round", &md2, &err), 0, "%s", err.message);
    cr_assert_eq(tn_iceberg_metadata_to_json(md2, &b, &err), 0);
    cr_assert_eq(a.len, b.len);
    cr_assert_eq(memcmp(a.data, b.data, a.len), 0);
    cr_assert_str_eq(md2->table_uuid, md->table_uuid);
    cr_assert_eq(md2->last_sequence_number, md->last_sequence_number);
    cr_assert_eq(md2->snapshot_count, md->snapshot_count);
    cr_assert_eq(md2->schema_count, md->schema_count);
    cr_assert_eq(md2->current_snapshot_id, md->current_snapshot_id);
    const tn_iceberg_snapshot *s = tn_iceberg_metadata_current_snapshot(md2);
    cr_assert_not_null(s);
    cr_assert_eq(tn_iceberg_metadata_snapshot_at(md2, s->timestamp_ms), s);
    tn_buf_free(&a);
    tn_buf_free(&b);
    tn_iceberg_metadata_free(md);
    tn_iceberg_metadata_free(md2);
}
