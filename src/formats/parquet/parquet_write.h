/* SPDX-License-Identifier: Apache-2.0
 *
 * The Parquet writer's entry points, as the format plugin (parquet_format.c) calls them.
 * Signatures match the writer callbacks of tn_format (formats.h).
 */
#ifndef TN_PARQUET_WRITE_H
#define TN_PARQUET_WRITE_H

#include "formats/formats.h"

int tn_parquet_writer_open(const char *path, const tn_schema *schema,
                           const tn_write_options *opts, void **state, tn_error *err);
int tn_parquet_writer_write(void *state, const tn_batch *batch, tn_error *err);
int tn_parquet_writer_finish(void *state, tn_error *err);
void tn_parquet_writer_abort(void *state);
/* Bytes staged for the row group being filled, and writing them out now as a (short) row
 * group: for callers that keep many writers within a memory budget. */
int64_t tn_parquet_writer_buffered(void *state);
int tn_parquet_writer_flush(void *state, tn_error *err);

#endif /* TN_PARQUET_WRITE_H */
