/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for Iceberg table metadata JSON: any bytes either parse into a model that
 * serialises and parses again to the same text, or give an error with the file named.
 *
 * Seed corpus: ../shared/conformance/iceberg (every *.metadata.json and iceberg-rust's cases).
 */
#include <stdlib.h>

#include "lake/lake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tn_iceberg_metadata *md = NULL;
    tn_error err = {0};
    int rc = tn_iceberg_metadata_parse((const char *)data, size, "fuzz.json", &md, &err);
    if (rc < 0) {
        if (md || (rc != TN_ENOMEM && strcmp(err.file, "fuzz.json") != 0)) abort();
        return 0;
    }
    tn_buf a = TN_BUF_INIT, b = TN_BUF_INIT;
    if (tn_iceberg_metadata_to_json(md, &a, &err) == 0) {
        tn_iceberg_metadata *again = NULL;
        if (tn_iceberg_metadata_parse(a.data, a.len, "again.json", &again, &err) == 0) {
            if (tn_iceberg_metadata_to_json(again, &b, &err) == 0 && (a.len != b.len || memcmp(a.data, b.data, a.len)))
                abort();
            tn_iceberg_metadata_free(again);
        }
    }
    (void)tn_iceberg_metadata_current_snapshot(md);
    (void)tn_iceberg_metadata_snapshot_at(md, 0);
    tn_buf_free(&a);
    tn_buf_free(&b);
    tn_iceberg_metadata_free(md);
    return 0;
}
