/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for Avro container files as manifests and manifest lists: any bytes decode
 * or give an error naming the file; never a crash, a hang or an unbounded allocation.
 *
 * Seed corpus: ../shared/conformance/iceberg (every *.avro).
 */
#include <stdlib.h>

#include "lake/lake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libavro (the Debian package) leaks a few bytes on some error paths of corrupt input; those
 * are the library's, not tarn's, so LeakSanitizer is told to ignore allocations made inside it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libavro.so\n"; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tn_error err = {0};
    tn_manifest *m = NULL;
    if (tn_manifest_decode(data, size, "fuzz.avro", NULL, NULL, NULL, &m, &err) == 0) {
        /* A decoded manifest re-encodes (tarn's schema) and decodes again to as many entries. */
        tn_iceberg_field f = {.id = 1, .name = "x", .type = {.kind = TN_ICEBERG_LONG}};
        tn_iceberg_schema schema = {.field_count = 1, .fields = &f};
        tn_buf out = TN_BUF_INIT;
        for (uint32_t i = 0; i < m->count; i++) m->entries[i].file.partition_count = 0;
        if (tn_manifest_encode(&schema, NULL, m->content, m->entries, m->count, &out, &err) == 0) {
            tn_manifest *again = NULL;
            if (tn_manifest_decode(out.data, out.len, "again.avro", NULL, NULL, NULL, &again, &err) != 0 ||
                again->count != m->count)
                abort();
            tn_manifest_free(again);
        }
        tn_buf_free(&out);
        tn_manifest_free(m);
    } else if (err.code != TN_ENOMEM && strcmp(err.file, "fuzz.avro") != 0) {
        abort();
    }
    tn_manifest_list *list = NULL;
    tn_error err2 = {0};
    if (tn_manifest_list_decode(data, size, "fuzz.avro", &list, &err2) == 0) tn_manifest_list_free(list);
    return 0;
}
