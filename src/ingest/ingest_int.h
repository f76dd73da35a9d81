/* SPDX-License-Identifier: Apache-2.0
 *
 * ingest: helpers shared by the files of src/ingest and nowhere else. The public surface is
 * ingest.h.
 */
#ifndef TN_INGEST_INT_H
#define TN_INGEST_INT_H

#include "ingest/ingest.h"

#include <stdio.h>

/* Rejected rows waiting for the commit. They are spooled to an anonymous temporary file
 * instead of memory, so an input whose every row is bad still loads in bounded memory; the
 * commit callback replays them into the catalog (possibly more than once, on retries). */
typedef struct tn_reject_spool {
    FILE *file;    /* NULL until the first reject */
    int64_t count; /* records spooled */
    int failed;    /* sticky: a negative code when spooling failed (reported at commit) */
} tn_reject_spool;

/* One spooled row as handed back by tn_reject_spool_replay (pointers valid during the call). */
typedef struct tn_spooled_reject {
    uint32_t input_idx;
    int64_t line;
    int64_t column;
    const char *column_name; /* NULL when unknown */
    const char *reason;
    tn_str raw;
} tn_spooled_reject;

typedef int (*tn_spooled_reject_fn)(void *ctx, const tn_spooled_reject *reject, tn_error *err);

/* Adds a record. Failures are sticky in spool->failed (callbacks cannot return errors). */
void tn_reject_spool_add(tn_reject_spool *spool, const tn_spooled_reject *reject);
/* Position to come back to when an input is read again (tn_reject_spool_truncate). */
int64_t tn_reject_spool_mark(const tn_reject_spool *spool, int64_t *count);
void tn_reject_spool_truncate(tn_reject_spool *spool, int64_t mark, int64_t count);
/* Calls fn for every record, oldest first. */
int tn_reject_spool_replay(tn_reject_spool *spool, tn_spooled_reject_fn fn, void *ctx,
                           tn_error *err);
void tn_reject_spool_close(tn_reject_spool *spool);

/* ------------------------------------------------------------------------------------------
 * Sources: what the crawler hands the ingest machinery beyond a path
 * ---------------------------------------------------------------------------------------- */

/* A column whose value is the same for every row of an input (a Hive-style key=value folder,
 * a yyyy/mm/dd date folder). A column of that name in the file itself wins. */
typedef struct tn_ingest_constant {
    const char *column;
    const char *value; /* text, parsed as `type` */
    tn_type type;
} tn_ingest_constant;

typedef struct tn_ingest_source {
    const char *path;
    const tn_ingest_constant *constants;
    size_t constant_count;
    bool in_place; /* a Parquet file whose columns fit the table is referenced, not copied */
} tn_ingest_source;

/* tn_ingest_files over sources. With name_mapping, a table it creates gets Iceberg's
 * schema.name-mapping.default property (needed by readers of files without field ids, such as
 * Parquet files referenced in place). */
int tn_ingest_sources(tn_lake *lake, tn_catalog *catalog, const tn_ingest_source *sources,
                      size_t count, const char *ns, const char *name,
                      const tn_ingest_options *opts, bool name_mapping,
                      tn_ingest_result *result, tn_error *err);

#endif /* TN_INGEST_INT_H */
