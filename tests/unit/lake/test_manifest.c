/* SPDX-License-Identifier: Apache-2.0
 *
 * Avro manifests and manifest lists: decoding files other writers produced (checked against
 * the decoded JSON beside them), corrupt input, and tarn's own encode -> decode round trip.
 */
#include "lake/lake.h"

#include <criterion/criterion.h>
#include <stdio.h>

#define ICEBIRD TARN_CONFORMANCE_DIR "/iceberg/icebird"

/* libavro (the Debian package) leaks a few bytes on some error paths of corrupt input; those
 * are the library's, not tarn's, so LeakSanitizer is told to ignore allocations made inside it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libavro.so\n"; }

static char *slurp(const char *path, size_t *len)
{
    char *data = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_file_read_all(path, &data, len, &err), 0, "%s", err.message);
    return data;
}

Test(manifest, icebird_manifest_list)
{
    size_t len;
    char *data = slurp(ICEBIRD "/snap-8656952484400131532-1-a85973e4-4009-4cba-875e-5278a2c6027d.avro", &len);
    tn_manifest_list *list = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_manifest_list_decode(data, len, "snap", &list, &err), 0, "%s", err.message);
    cr_assert_gt(list->count, 0);
    cr_assert(strstr(list->manifests[0].manifest_path, "a85973e4-4009-4cba-875e-5278a2c6027d-m0.avro"));
    tn_manifest_list_free(list);
    tn_free(data);
}

Test(manifest, icebird_manifest)
{
    size_t len;
    char *data = slurp(ICEBIRD "/a85973e4-4009-4cba-875e-5278a2c6027d-m0.avro", &len);
    size_t jlen;
    char *json = slurp(ICEBIRD "/a85973e4-4009-4cba-875e-5278a2c6027d-m0.json", &jlen);
    tn_manifest *m = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_manifest_decode(data, len, "m0", NULL, NULL, NULL, &m, &err), 0, "%s", err.message);
    cr_assert_gt(m->count, 0);
    for (uint32_t i = 0; i < m->count; i++) {
        cr_assert(strstr(json, m->entries[i].file.file_path) != NULL, "path %s in the oracle", m->entries[i].file.file_path);
        char rc[64];
        snprintf(rc, sizeof rc, "\"record_count\": %lld", (long long)m->entries[i].file.record_count);
        char rc2[64];
        snprintf(rc2, sizeof rc2, "\"record_count\":%lld", (long long)m->entries[i].file.record_count);
        cr_assert(strstr(json, rc) || strstr(json, rc2), "record count %s", rc);
    }
    tn_manifest_free(m);
    tn_free(data);
    tn_free(json);
}

Test(manifest, rust_manifest_lists)
{
    static const char *const files[] = {"manifest-list-v2-1.avro", "manifest-list-v2-2.avro"};
    for (size_t i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, TARN_CONFORMANCE_DIR "/iceberg/iceberg-rust/manifests_lists/%s", files[i]);
        size_t len;
        char *data = slurp(path, &len);
        tn_manifest_list *list = NULL;
        tn_error err = {0};
        cr_assert_eq(tn_manifest_list_decode(data, len, path, &list, &err), 0, "%s", err.message);
        tn_manifest_list_free(list);
        tn_free(data);
    }
    /* The encrypted one is not Avro: a clear error, no crash. */
    size_t len;
    char *data = slurp(TARN_CONFORMANCE_DIR "/iceberg/iceberg-rust/manifests_lists/manifest-list-v3-encrypted.avro", &len);
    tn_manifest_list *list = NULL;
    tn_error err = {0};
    cr_assert_lt(tn_manifest_list_decode(data, len, "enc.avro", &list, &err), 0);
    cr_assert_str_eq(err.file, "enc.avro");
    tn_free(data);
}

Test(manifest, corrupt_every_prefix)
{
    size_t len;
    char *data = slurp(ICEBIRD "/a85973e4-4009-4cba-875e-5278a2c6027d-m0.avro", &len);
    for (size_t n = 0; n < len; n += (n < 2000 ? 1 : 97)) {
        tn_manifest *m = NULL;
        tn_error err = {0};
        int rc = tn_manifest_decode(data, n, "cut.avro", NULL, NULL, NULL, &m, &err);
        if (rc == 0) tn_manifest_free(m);
        else cr_assert_str_eq(err.file, "cut.avro");
    }
    /* Flip bytes too. */
    for (size_t i = 0; i < len; i += 13) {
        char *copy = tn_malloc(len);
        memcpy(copy, data, len);
        copy[i] ^= 0x5a;
        tn_manifest *m = NULL;
        tn_error err = {0};
        if (tn_manifest_decode(copy, len, "flip.avro", NULL, NULL, NULL, &m, &err) == 0) tn_manifest_free(m);
        tn_free(copy);
    }
    tn_free(data);
}

Test(manifest, round_trip)
{
    tn_iceberg_field fields[3] = {
        {.id = 1, .name = "id", .required = true, .type = {.kind = TN_ICEBERG_LONG}},
        {.id = 2, .name = "day", .type = {.kind = TN_ICEBERG_DATE}},
        {.id = 3, .name = "price", .type = {.kind = TN_ICEBERG_DECIMAL, .precision = 9, .scale = 2}},
    };
    tn_iceberg_schema schema = {.schema_id = 0, .field_count = 3, .fields = fields};
    tn_iceberg_partition_field pf[2] = {
        {.source_id = 2, .field_id = 1000, .name = "day", .transform_text = "identity", .transform = {TN_TRANSFORM_IDENTITY, 0}},
        {.source_id = 3, .field_id = 1001, .name = "price_trunc", .transform_text = "truncate[100]", .transform = {TN_TRANSFORM_TRUNCATE, 100}},
    };
    tn_iceberg_partition_spec spec = {.spec_id = 0, .field_count = 2, .fields = pf};
    tn_iceberg_value part[2] = {{.kind = TN_ICEBERG_DATE}, {.kind = TN_ICEBERG_DECIMAL, .scale = 2}};
    part[0].v.i = 19783;
    part[1].v.dec = -12300;
    tn_iceberg_column_stats stats[1] = {{.field_id = 1, .column_size = -1, .value_count = 10, .null_count = 0, .nan_count = -1,
                                         .has_lower = true, .has_upper = true, .lower = {"\1\0\0\0\0\0\0\0", 8}, .upper = {"\x0a\0\0\0\0\0\0\0", 8}}};
    tn_manifest_entry e = {.status = TN_ENTRY_ADDED, .snapshot_id = 42};
    e.file = (tn_iceberg_data_file){.content = 0, .file_path = "file:///x/data/a.parquet", .file_format = "PARQUET",
                                    .partition_count = 2, .partition = part, .record_count = 10, .file_size_in_bytes = 1234,
                                    .stats_count = 1, .stats = stats};
    tn_buf out = TN_BUF_INIT;
    tn_error err = {0};
    cr_assert_eq(tn_manifest_encode(&schema, &spec, 0, &e, 1, &out, &err), 0, "%s", err.message);
    tn_manifest_file mf = {.manifest_path = "m.avro", .partition_spec_id = 0, .sequence_number = 7, .added_snapshot_id = 42};
    tn_manifest *m = NULL;
    cr_assert_eq(tn_manifest_decode(out.data, out.len, "m.avro", &mf, &spec, &schema, &m, &err), 0, "%s", err.message);
    cr_assert_eq(m->count, 1);
    const tn_manifest_entry *d = &m->entries[0];
    cr_assert_eq(d->status, TN_ENTRY_ADDED);
    cr_assert_eq(d->snapshot_id, 42);
    cr_assert_eq(d->sequence_number, 7, "inherited");
    cr_assert_str_eq(d->file.file_path, "file:///x/data/a.parquet");
    cr_assert_eq(d->file.record_count, 10);
    cr_assert_eq(d->file.partition_count, 2);
    cr_assert_eq(d->file.partition[0].v.i, 19783);
    cr_assert(d->file.partition[1].v.dec == -12300);
    cr_assert_eq(d->file.stats_count, 1);
    cr_assert_eq(d->file.stats[0].value_count, 10);
    cr_assert_eq(d->file.stats[0].upper.len, 8);
    tn_manifest_free(m);

    tn_field_summary fs[2] = {{.contains_null = false, .contains_nan = -1, .has_lower = true, .lower = {"\x47\x4d\0\0", 4}},
                              {.contains_null = true, .contains_nan = -1}};
    tn_manifest_file lf = {.manifest_path = "file:///x/m.avro", .manifest_length = (int64_t)out.len, .partition_spec_id = 0,
                           .sequence_number = 7, .min_sequence_number = 7, .added_snapshot_id = 42, .added_files_count = 1,
                           .added_rows_count = 10, .partition_count = 2, .partitions = fs};
    tn_buf lout = TN_BUF_INIT;
    cr_assert_eq(tn_manifest_list_encode(42, false, 0, 7, &lf, 1, &lout, &err), 0, "%s", err.message);
    tn_manifest_list *list = NULL;
    cr_assert_eq(tn_manifest_list_decode(lout.data, lout.len, "l.avro", &list, &err), 0, "%s", err.message);
    cr_assert_eq(list->count, 1);
    cr_assert_eq(list->manifests[0].sequence_number, 7);
    cr_assert_eq(list->manifests[0].added_rows_count, 10);
    cr_assert_eq(list->manifests[0].partition_count, 2);
    cr_assert(list->manifests[0].partitions[0].has_lower);
    cr_assert(list->manifests[0].partitions[1].contains_null);
    tn_manifest_list_free(list);
    tn_buf_free(&out);
    tn_buf_free(&lout);
}
