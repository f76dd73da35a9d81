/* SPDX-License-Identifier: Apache-2.0
 *
 * Helpers shared by the Parquet reader tests: where the conformance corpus lies and how a test
 * opens a file it expects to be readable.
 */
#ifndef TEST_PARQUET_UTIL_H
#define TEST_PARQUET_UTIL_H

#include <criterion/criterion.h>

#include "formats/parquet/parquet.h"

#define CORPUS TARN_CONFORMANCE_DIR "/parquet/"
#define DATA CORPUS "parquet-testing/data/"
#define EXTRA CORPUS "hyparquet-extra/"
#define BAD CORPUS "parquet-testing/bad_data/"

/* Opens the Parquet file at path; the test fails with the reader's message when it cannot. */
static inline tn_parquet_file *open_file(const char *path)
{
    tn_parquet_source src;
    tn_error err = {0};
    tn_parquet_file *f = NULL;
    int rc = tn_parquet_source_open_file(path, &src, &err);
    if (rc == 0)
        rc = tn_parquet_file_open(&src, &f, &err);
    cr_assert_eq(rc, 0, "%s: %s", path, err.message);
    return f;
}

#endif
