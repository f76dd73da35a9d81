/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for Iceberg v3 deletion-vector blobs: any bytes decode to sorted positions or
 * give an error naming what is wrong; never a crash, a hang or an unbounded allocation.
 *
 * Seed corpus: the bare deletion-vector blob of ../shared/conformance/iceberg/duckdb-iceberg.
 */
#include "lake/lake_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tn_error err = {0};
    int64_t *positions = NULL;
    size_t count = 0;
    /* Unknown cardinality: the decoder's own cap is what bounds memory. */
    if (tn_deletion_vector_decode(data, size, "fuzz.puffin", -1, &positions, &count, &err) == 0) {
        for (size_t i = 1; i < count; i++)
            if (positions[i - 1] > positions[i]) __builtin_trap();
        tn_free(positions);
    } else if (!err.message[0]) {
        __builtin_trap();
    }
    return 0;
}
