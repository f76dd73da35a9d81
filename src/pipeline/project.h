/* SPDX-License-Identifier: Apache-2.0
 *
 * Projects: a folder with a `tarn.yaml` (settings), `.tarn/` (the catalog and local state),
 * `lake/` (table data when the lake is local) and folders for sources, models, checks and
 * pipelines. `tarn init` creates one; every other command finds it by walking up from the
 * current folder, or takes `-C DIR`.
 *
 * The settings are a table (name, type, default, documentation): the parser rejects unknown
 * keys with their line and column, and `tarn init` writes every key with its documentation.
 */
#ifndef TN_PROJECT_H
#define TN_PROJECT_H

#include "core/core.h"

#define TN_PROJECT_FILE "tarn.yaml"

typedef struct tn_project {
    char *root;               /* absolute folder holding tarn.yaml */
    char *config_path;        /* absolute path of tarn.yaml */
    char *name;               /* project name */
    char *lake_location;      /* absolute folder (or URL) of the lake */
    char *catalog_location;   /* absolute path of the SQLite catalog */
    char *default_namespace;  /* namespace of tables named without one */
    char *compression;        /* Parquet codec for table data */
    int64_t compression_level;
    int64_t sample_rows;      /* type inference sample for ingest */
    int64_t snapshot_retention_seconds; /* what `tarn vacuum` keeps */
    int64_t orphan_grace_seconds;       /* how old an unreferenced file must be to be removed */
} tn_project;

/* Creates a project in dir (created when missing). Fails with TN_EEXIST when dir already holds
 * a tarn.yaml. name NULL = the folder's name. */
int tn_project_init(const char *dir, const char *name, tn_project **out, tn_error *err);

/* Opens the project: in `dir` when given (it must hold tarn.yaml), else the nearest folder
 * holding tarn.yaml from the current folder upwards. TN_ENOENT (with advice) when none. */
int tn_project_open(const char *dir, tn_project **out, tn_error *err);

void tn_project_free(tn_project *project); /* accepts NULL */

/* Parses a duration such as "90s", "15m", "12h", "7d", "2w" (a bare number is seconds). */
bool tn_parse_duration(const char *text, int64_t *seconds);

#endif /* TN_PROJECT_H */
