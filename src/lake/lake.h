/* SPDX-License-Identifier: Apache-2.0
 *
 * lake: Apache Iceberg v2 tables on an object store, with their current-metadata pointer in the
 * catalog. This header is the module's whole public surface:
 *
 *   - the Iceberg table model (schemas with field ids, partition specs, sort orders, snapshots,
 *     refs, logs) as plain structs, parsed from and serialised to metadata JSON;
 *   - manifests and manifest lists (data files, delete files, statistics) read from and written
 *     to Avro with the spec's schemas and field ids;
 *   - partition transforms (identity, bucket[N], truncate[W], year, month, day, hour, void);
 *   - tables: create, load (from the catalog, or straight from a metadata file or table folder),
 *     append, overwrite, schema evolution, drop, stats, describe, history;
 *   - a table writer that turns batches into partitioned Parquet data files with statistics;
 *   - a scan that plans the files of any snapshot (partition and column-bound pruning), reads
 *     them mapped by field id onto the current schema and applies position and equality deletes;
 *   - maintenance: expire snapshots and remove files nothing references (vacuum).
 *
 * The commit protocol: data files, manifests, the manifest list and the new metadata file are
 * all written first (each atomically); the commit is the catalog's compare-and-swap of the
 * table's metadata pointer, inside a catalog transaction in which the caller's callback may add
 * its own records (ledger, quarantine, operation log). On a lost race the operation is re-based
 * on the new current metadata and retried. A process killed at any moment leaves the table at
 * the old or the new snapshot; what it wrote before dying is an orphan that vacuum removes.
 *
 * Uses core, formats, storage and catalog.
 */
#ifndef TN_LAKE_H
#define TN_LAKE_H

#include "catalog/catalog.h"
#include "core/core.h"
#include "storage/storage.h"

/* ==========================================================================================
 * The Iceberg model
 *
 * Every struct below is owned by the tn_iceberg_metadata (or manifest) it came from and lives
 * in that object's arena: strings and arrays are freed together with it.
 * ======================================================================================== */

/* Iceberg types. Nested kinds (struct, list, map) are kept in the model so foreign tables load,
 * but only primitive top-level columns are read into batches. */
typedef enum tn_iceberg_kind {
    TN_ICEBERG_UNKNOWN_TYPE = 0, /* "unknown", or a type this code does not know */
    TN_ICEBERG_BOOLEAN,
    TN_ICEBERG_INT,
    TN_ICEBERG_LONG,
    TN_ICEBERG_FLOAT,
    TN_ICEBERG_DOUBLE,
    TN_ICEBERG_DECIMAL,        /* precision, scale */
    TN_ICEBERG_DATE,
    TN_ICEBERG_TIME,           /* microseconds since midnight */
    TN_ICEBERG_TIMESTAMP,      /* microseconds, no zone */
    TN_ICEBERG_TIMESTAMPTZ,    /* microseconds, UTC */
    TN_ICEBERG_TIMESTAMP_NS,   /* v3 */
    TN_ICEBERG_TIMESTAMPTZ_NS, /* v3 */
    TN_ICEBERG_STRING,
    TN_ICEBERG_UUID,
    TN_ICEBERG_FIXED,          /* length */
    TN_ICEBERG_BINARY,
    TN_ICEBERG_STRUCT,         /* children */
    TN_ICEBERG_LIST,           /* children[0] is the element */
    TN_ICEBERG_MAP,            /* children[0] key, children[1] value */
    TN_ICEBERG_VARIANT,        /* v3; not readable */
} tn_iceberg_kind;

typedef struct tn_iceberg_field tn_iceberg_field;

typedef struct tn_iceberg_type {
    uint8_t kind;              /* tn_iceberg_kind */
    uint8_t precision;         /* DECIMAL */
    uint8_t scale;             /* DECIMAL */
    int32_t length;            /* FIXED */
    uint32_t child_count;      /* STRUCT fields; 1 for LIST; 2 for MAP */
    tn_iceberg_field *children;
} tn_iceberg_type;

/* One field of a schema (or of a nested struct, or a list element / map key / map value). */
struct tn_iceberg_field {
    int32_t id;            /* field id, unique in the table's history */
    char *name;            /* "element", "key", "value" for list and map children */
    bool required;
    tn_iceberg_type type;
    char *doc;             /* NULL when absent */
    char *initial_default; /* JSON text of the value old files read as, NULL when absent */
    char *write_default;   /* JSON text, NULL when absent */
};

typedef struct tn_iceberg_schema {
    int32_t schema_id;
    uint32_t field_count;
    tn_iceberg_field *fields;
    uint32_t identifier_count;
    int32_t *identifier_field_ids;
} tn_iceberg_schema;

/* Partition transforms. */
typedef enum tn_transform_kind {
    TN_TRANSFORM_UNKNOWN = 0, /* ignored for pruning, still compared for equality */
    TN_TRANSFORM_IDENTITY,
    TN_TRANSFORM_BUCKET,   /* param = N */
    TN_TRANSFORM_TRUNCATE, /* param = W */
    TN_TRANSFORM_YEAR,
    TN_TRANSFORM_MONTH,
    TN_TRANSFORM_DAY,
    TN_TRANSFORM_HOUR,
    TN_TRANSFORM_VOID,
} tn_transform_kind;

typedef struct tn_transform {
    uint8_t kind;  /* tn_transform_kind */
    int32_t param; /* bucket count or truncate width */
} tn_transform;

typedef struct tn_iceberg_partition_field {
    int32_t source_id;      /* field id of the source column */
    int32_t field_id;       /* partition field id (>= 1000) */
    char *name;             /* "order_ts_day" */
    char *transform_text;   /* as written: "bucket[16]" */
    tn_transform transform; /* parsed */
} tn_iceberg_partition_field;

typedef struct tn_iceberg_partition_spec {
    int32_t spec_id;
    uint32_t field_count; /* 0 = unpartitioned */
    tn_iceberg_partition_field *fields;
} tn_iceberg_partition_spec;

typedef struct tn_iceberg_sort_field {
    int32_t source_id;
    char *transform_text;
    bool descending;
    bool nulls_first;
} tn_iceberg_sort_field;

typedef struct tn_iceberg_sort_order {
    int32_t order_id; /* 0 = unsorted */
    uint32_t field_count;
    tn_iceberg_sort_field *fields;
} tn_iceberg_sort_order;

/* A string-to-string map (properties, snapshot summaries), in insertion order. */
typedef struct tn_iceberg_kv {
    char *key;
    char *value;
} tn_iceberg_kv;

typedef struct tn_iceberg_snapshot {
    int64_t snapshot_id;
    bool has_parent;
    int64_t parent_snapshot_id;
    int64_t sequence_number;
    int64_t timestamp_ms;
    char *manifest_list;    /* location; NULL for v1 snapshots that list manifests inline */
    uint32_t manifest_count; /* v1 "manifests" list, when manifest_list is NULL */
    char **manifests;
    bool has_schema_id;
    int32_t schema_id;
    uint32_t summary_count; /* summary[0] is "operation" when present */
    tn_iceberg_kv *summary;
} tn_iceberg_snapshot;

typedef struct tn_iceberg_ref {
    char *name;      /* "main" */
    int64_t snapshot_id;
    bool is_tag;     /* "tag", else "branch" */
    int32_t min_snapshots_to_keep; /* 0 = unset */
    int64_t max_snapshot_age_ms;   /* 0 = unset */
    int64_t max_ref_age_ms;        /* 0 = unset */
} tn_iceberg_ref;

typedef struct tn_iceberg_snapshot_log_entry {
    int64_t timestamp_ms;
    int64_t snapshot_id;
} tn_iceberg_snapshot_log_entry;

typedef struct tn_iceberg_metadata_log_entry {
    int64_t timestamp_ms;
    char *metadata_file;
} tn_iceberg_metadata_log_entry;

/* A table metadata file. Created by tn_iceberg_metadata_parse or by the table operations. */
typedef struct tn_iceberg_metadata {
    tn_arena arena;       /* owns every string and array below */
    int format_version;   /* 1, 2 or 3 (3 is read only) */
    char table_uuid[40];
    char *location;       /* table base location, no trailing '/' */
    int64_t last_sequence_number;
    int64_t last_updated_ms;
    int32_t last_column_id;
    uint32_t schema_count;
    tn_iceberg_schema *schemas;
    int32_t current_schema_id;
    uint32_t spec_count;
    tn_iceberg_partition_spec *specs;
    int32_t default_spec_id;
    int32_t last_partition_id;
    uint32_t property_count;
    tn_iceberg_kv *properties;
    bool has_current_snapshot;
    int64_t current_snapshot_id;
    uint32_t snapshot_count;
    tn_iceberg_snapshot *snapshots; /* in the order written (oldest first, by convention) */
    uint32_t snapshot_log_count;
    tn_iceberg_snapshot_log_entry *snapshot_log;
    uint32_t metadata_log_count;
    tn_iceberg_metadata_log_entry *metadata_log;
    uint32_t sort_order_count;
    tn_iceberg_sort_order *sort_orders;
    int32_t default_sort_order_id;
    uint32_t ref_count;
    tn_iceberg_ref *refs;
    int64_t next_row_id; /* v3 */
    char *name_mapping;  /* property schema.name-mapping.default, when set (points into properties) */
} tn_iceberg_metadata;

/* ------------------------------------------------------------------------------------------
 * Metadata JSON (metadata.c)
 * ---------------------------------------------------------------------------------------- */

/* Largest metadata JSON accepted (a hostile file cannot make the parser allocate without limit). */
#define TN_ICEBERG_METADATA_MAX_BYTES ((size_t)256 << 20)

/* Parses table metadata JSON (v1, v2, v3). `file` names the source in error messages. Rejects
 * what the spec requires (unsupported format version, missing schemas / specs / sort orders /
 * last-partition-id in v2, a current schema id that does not exist, ...) with TN_EFORMAT, and
 * bytes that are not JSON with TN_EPARSE; err names the file and the key at fault. On success
 * *out is a new metadata object (free with tn_iceberg_metadata_free). */
int tn_iceberg_metadata_parse(const char *json, size_t len, const char *file,
                              tn_iceberg_metadata **out, tn_error *err);
/* Appends the metadata as format-version 2 JSON (pretty-printed) to out. */
int tn_iceberg_metadata_to_json(const tn_iceberg_metadata *md, tn_buf *out, tn_error *err);
void tn_iceberg_metadata_free(tn_iceberg_metadata *md); /* accepts NULL */
/* Deep copy (a new arena). NULL when out of memory. */
tn_iceberg_metadata *tn_iceberg_metadata_copy(const tn_iceberg_metadata *md);

/* Lookups; NULL when absent. */
const tn_iceberg_schema *tn_iceberg_metadata_schema(const tn_iceberg_metadata *md, int32_t schema_id);
const tn_iceberg_schema *tn_iceberg_metadata_current_schema(const tn_iceberg_metadata *md);
const tn_iceberg_partition_spec *tn_iceberg_metadata_spec(const tn_iceberg_metadata *md, int32_t spec_id);
const tn_iceberg_snapshot *tn_iceberg_metadata_snapshot(const tn_iceberg_metadata *md, int64_t snapshot_id);
/* The snapshot of the `main` branch (or current-snapshot-id); NULL for an empty table. */
const tn_iceberg_snapshot *tn_iceberg_metadata_current_snapshot(const tn_iceberg_metadata *md);
/* The snapshot that was current at timestamp_ms (from the snapshot log, falling back to the
 * snapshots' own timestamps); NULL when the table had no snapshot then. */
const tn_iceberg_snapshot *tn_iceberg_metadata_snapshot_at(const tn_iceberg_metadata *md, int64_t timestamp_ms);
const char *tn_iceberg_metadata_property(const tn_iceberg_metadata *md, const char *key);
const char *tn_iceberg_snapshot_summary(const tn_iceberg_snapshot *snap, const char *key);
/* The field with this id anywhere in the schema (nested too); NULL when absent. */
const tn_iceberg_field *tn_iceberg_schema_field(const tn_iceberg_schema *schema, int32_t field_id);
/* Top-level field by name (exact, then ASCII case-insensitive when unique); NULL when absent. */
const tn_iceberg_field *tn_iceberg_schema_field_by_name(const tn_iceberg_schema *schema, const char *name);

/* Type text as the spec writes it ("decimal(9,2)", "fixed[16]", "struct"...) into out. */
const char *tn_iceberg_type_format(const tn_iceberg_type *type, char *out, size_t out_size);
/* tarn's type for an Iceberg primitive: false when it has none (nested, variant, unknown).
 * time and uuid -> VARCHAR text (as the Parquet reader yields them), fixed -> BLOB,
 * *_ns -> TIMESTAMP[TZ] (micros). */
bool tn_iceberg_type_to_tn(const tn_iceberg_type *type, tn_type *out);
/* The Iceberg type for a tarn type (always exists). */
tn_iceberg_type tn_iceberg_type_from_tn(tn_type type);

/* ------------------------------------------------------------------------------------------
 * Values: partition tuples, bounds, equality keys (transform.c)
 * ---------------------------------------------------------------------------------------- */

/* One primitive value, typed by the Iceberg type it belongs to. */
typedef struct tn_iceberg_value {
    uint8_t kind;   /* tn_iceberg_kind of the value; TN_ICEBERG_UNKNOWN_TYPE = unknown */
    bool is_null;
    uint8_t scale;  /* DECIMAL */
    union {
        bool b;
        int64_t i;  /* INT, LONG, DATE, TIME, TIMESTAMP*, (year/month/day/hour results) */
        float f;
        double d;
        tn_i128 dec;
        tn_str bytes; /* STRING, BINARY, FIXED, UUID (16 big-endian bytes) */
    } v;
} tn_iceberg_value;

/* Parses "bucket[16]", "truncate[4]", "identity", "day"... Unknown names give
 * TN_TRANSFORM_UNKNOWN (never an error: readers must tolerate them). */
tn_transform tn_transform_parse(const char *text);
/* "bucket[16]" ... into out. */
const char *tn_transform_format(tn_transform t, char *out, size_t out_size);
/* The result type of a transform over source type `source`. */
tn_iceberg_type tn_transform_result_type(tn_transform t, const tn_iceberg_type *source);
/* Whether the transform accepts the source type. */
bool tn_transform_applies(tn_transform t, const tn_iceberg_type *source);
/* Applies a transform. Byte results (truncate of string/binary) point into the input. Returns
 * 0 or TN_ETYPE when the transform does not apply to the value's kind. */
int tn_transform_apply(tn_transform t, const tn_iceberg_value *in, tn_iceberg_value *out);
/* Murmur3 x86 32-bit, seed 0, over bytes (the spec's hashBytes). */
int32_t tn_murmur3_32(const void *data, size_t len);
/* The spec's 32-bit hash of a value (Appendix B): int/long/date/time/timestamp by their long
 * value, decimal by its minimal big-endian bytes, strings/binary by their bytes. */
int32_t tn_iceberg_value_hash(const tn_iceberg_value *value);
/* Hive-style path segment text of a partition value ("2024-03-01", "null", URL-escaped
 * strings) for the transform's result, appended to out. */
int tn_iceberg_value_to_path(const tn_iceberg_value *value, tn_transform t, tn_buf *out);
/* Single-value binary serialisation (Appendix D) appended to out. */
int tn_iceberg_value_to_bytes(const tn_iceberg_value *value, tn_buf *out);
/* Decodes Appendix D bytes of the given type. Byte kinds point into data. TN_ECORRUPT when the
 * length is wrong for the type. */
int tn_iceberg_value_from_bytes(const tn_iceberg_type *type, const void *data, size_t len,
                                tn_iceberg_value *out);
/* Orders two non-null values of the same kind (-1, 0, 1); strings and binary bytewise. */
int tn_iceberg_value_cmp(const tn_iceberg_value *a, const tn_iceberg_value *b);
/* Whether two values are equal for partition matching (floats by bit pattern, NULL == NULL). */
bool tn_iceberg_value_eq(const tn_iceberg_value *a, const tn_iceberg_value *b);
/* Reads row `row` of vector v (whose tarn type maps to `kind`) as a value. Byte kinds point
 * into the vector. */
void tn_iceberg_value_from_vector(const tn_vector *v, uint32_t row, uint8_t kind,
                                  tn_iceberg_value *out);

/* ==========================================================================================
 * Manifests (manifest.c) and Avro container files (avro.c)
 * ======================================================================================== */

typedef enum tn_content {
    TN_CONTENT_DATA = 0,
    TN_CONTENT_POSITION_DELETES = 1,
    TN_CONTENT_EQUALITY_DELETES = 2,
} tn_content;

typedef enum tn_entry_status {
    TN_ENTRY_EXISTING = 0,
    TN_ENTRY_ADDED = 1,
    TN_ENTRY_DELETED = 2,
} tn_entry_status;

/* Per-column metrics of a data file, keyed by field id. -1 = not recorded. */
typedef struct tn_iceberg_column_stats {
    int32_t field_id;
    int64_t column_size;
    int64_t value_count;
    int64_t null_count;
    int64_t nan_count;
    bool has_lower, has_upper;
    tn_str lower;           /* Appendix D bytes */
    tn_str upper;
} tn_iceberg_column_stats;

/* A data or delete file as a manifest records it. */
typedef struct tn_iceberg_data_file {
    uint8_t content;        /* tn_content */
    char *file_path;        /* absolute location */
    char *file_format;      /* "PARQUET" (as written), "AVRO", "ORC", "PUFFIN" */
    int32_t spec_id;        /* the spec of the manifest it is in */
    uint32_t partition_count;
    tn_iceberg_value *partition; /* one value per spec field, in spec order */
    int64_t record_count;
    int64_t file_size_in_bytes;
    uint32_t stats_count;
    tn_iceberg_column_stats *stats;
    uint32_t split_offset_count;
    int64_t *split_offsets;
    uint32_t equality_id_count;
    int32_t *equality_ids;
    bool has_sort_order_id;
    int32_t sort_order_id;
    char *referenced_data_file; /* NULL when absent */
    bool has_content_offset;    /* deletion vectors (v3) */
    int64_t content_offset;
    int64_t content_size_in_bytes;
} tn_iceberg_data_file;

/* One manifest entry with its sequence numbers already inherited when read. */
typedef struct tn_manifest_entry {
    uint8_t status; /* tn_entry_status */
    int64_t snapshot_id;
    int64_t sequence_number;      /* data sequence number */
    int64_t file_sequence_number;
    bool explicit_sequence;       /* written explicitly (else inherited / to inherit) */
    tn_iceberg_data_file file;
} tn_manifest_entry;

/* Summary of one partition field over a manifest's files. */
typedef struct tn_field_summary {
    bool contains_null;
    int8_t contains_nan; /* -1 unknown, 0, 1 */
    bool has_lower, has_upper;
    tn_str lower;        /* Appendix D bytes */
    tn_str upper;
} tn_field_summary;

/* One entry of a manifest list. */
typedef struct tn_manifest_file {
    char *manifest_path;
    int64_t manifest_length;
    int32_t partition_spec_id;
    uint8_t content; /* 0 data, 1 deletes */
    int64_t sequence_number;
    int64_t min_sequence_number;
    int64_t added_snapshot_id;
    int32_t added_files_count, existing_files_count, deleted_files_count; /* -1 unknown */
    int64_t added_rows_count, existing_rows_count, deleted_rows_count;    /* -1 unknown */
    uint32_t partition_count;
    tn_field_summary *partitions;
    bool has_first_row_id;
    int64_t first_row_id;
} tn_manifest_file;

/* A decoded manifest list. */
typedef struct tn_manifest_list {
    tn_arena arena;
    uint32_t count;
    tn_manifest_file *manifests;
} tn_manifest_list;

/* A decoded manifest. */
typedef struct tn_manifest {
    tn_arena arena;
    int32_t spec_id;
    uint8_t content;
    uint32_t count;
    tn_manifest_entry *entries;
} tn_manifest;

/* Decodes a manifest list (Avro) held in memory. `file` names it in errors. v1 lists get
 * sequence numbers 0 and content data. */
int tn_manifest_list_decode(const void *data, size_t len, const char *file,
                            tn_manifest_list **out, tn_error *err);
void tn_manifest_list_free(tn_manifest_list *list); /* accepts NULL */
/* Decodes a manifest (Avro) held in memory. `mf` (may be NULL) supplies the sequence numbers,
 * snapshot id, spec id and content to inherit; `spec` (may be NULL) the partition types
 * (otherwise taken from the Avro schema). */
int tn_manifest_decode(const void *data, size_t len, const char *file,
                       const tn_manifest_file *mf, const tn_iceberg_partition_spec *spec,
                       const tn_iceberg_schema *schema, tn_manifest **out, tn_error *err);
void tn_manifest_free(tn_manifest *manifest); /* accepts NULL */

/* Encodes a v2 manifest of the given entries (all of spec `spec`, of one content kind) as an
 * Avro container file with the spec's schema, field ids and key-value metadata. */
int tn_manifest_encode(const tn_iceberg_schema *schema, const tn_iceberg_partition_spec *spec,
                       uint8_t content, const tn_manifest_entry *entries, size_t count,
                       tn_buf *out, tn_error *err);
/* Encodes a v2 manifest list. */
int tn_manifest_list_encode(int64_t snapshot_id, bool has_parent, int64_t parent_snapshot_id,
                            int64_t sequence_number, const tn_manifest_file *manifests,
                            size_t count, tn_buf *out, tn_error *err);

/* ==========================================================================================
 * Lakes and tables (table.c)
 * ======================================================================================== */

typedef struct tn_lake tn_lake;
typedef struct tn_lake_table tn_lake_table;

/* Opens a lake over a store (table files) and a catalog (table pointers). Both are borrowed
 * and must outlive the lake. catalog may be NULL: then only tn_lake_table_load_path works. */
int tn_lake_open(tn_store *store, tn_catalog *catalog, tn_lake **out, tn_error *err);
void tn_lake_close(tn_lake *lake); /* accepts NULL; tables opened from it must be closed first */

/* Adds a path rewrite: locations starting with `from` (e.g. "s3://warehouse/") are read from
 * `to` + the rest (e.g. "/work/fixtures/warehouse/"). Longest prefix wins. Relative locations
 * (no scheme, not starting with '/') are also matched against `from`. */
int tn_lake_add_path_rewrite(tn_lake *lake, const char *from, const char *to, tn_error *err);
/* The local file a location refers to after rewrites and "file:" stripping (tn_free it).
 * TN_EUNSUPPORTED for a scheme with no local mapping. */
int tn_lake_resolve_path(const tn_lake *lake, const char *location, char **path, tn_error *err);

/* One partition field of a new table, by source column name. */
typedef struct tn_lake_partition_def {
    const char *column;    /* source column name */
    const char *transform; /* "identity", "day", "bucket[16]", ... */
    const char *name;      /* NULL = "<column>" for identity, "<column>_<transform>" else */
} tn_lake_partition_def;

/* Creates a table <ns>.<name> at <store>/<ns>/<name> with a format-version 2 metadata file
 * v1-<uuid>.metadata.json and registers it in the catalog. Field ids are assigned 1..n in
 * column order (the schema's own field ids are ignored). properties is NULL or a
 * NULL-terminated key, value, key, value... list. TN_EEXIST when the table exists. On success
 * *out is the loaded table (may be NULL when not wanted). */
int tn_lake_table_create(tn_lake *lake, const char *ns, const char *name, const tn_schema *schema,
                         const tn_lake_partition_def *partition, size_t partition_count,
                         const char *const *properties, tn_lake_table **out, tn_error *err);
/* Loads <ns>.<name> through the catalog. TN_ENOENT when it does not exist. */
int tn_lake_table_load(tn_lake *lake, const char *ns, const char *name, tn_lake_table **out,
                       tn_error *err);
/* Loads a table without a catalog: `path` is a metadata JSON file, or a table folder (whose
 * metadata/version-hint.text names the version, else the highest vN / NNNNN- prefix in
 * metadata/). The table is read only. */
int tn_lake_table_load_path(tn_lake *lake, const char *path, tn_lake_table **out, tn_error *err);
/* Re-reads the current metadata from the catalog (no-op for path-loaded tables). */
int tn_lake_table_refresh(tn_lake_table *table, tn_error *err);
void tn_lake_table_close(tn_lake_table *table); /* accepts NULL */

const tn_iceberg_metadata *tn_lake_table_metadata(const tn_lake_table *table);
const char *tn_lake_table_metadata_location(const tn_lake_table *table);
const char *tn_lake_table_namespace(const tn_lake_table *table); /* NULL when path-loaded */
const char *tn_lake_table_name(const tn_lake_table *table);      /* folder name when path-loaded */
/* The current schema as a tarn schema (columns carry field ids; nested columns left out).
 * Valid until the table is refreshed, committed to or closed. */
const tn_schema *tn_lake_table_schema(const tn_lake_table *table);

/* Removes the table from the catalog. With purge, also every object under its folder;
 * otherwise the files stay (a later vacuum of the folder, or a re-create, deals with them). */
int tn_lake_table_drop(tn_lake *lake, const char *ns, const char *name, bool purge, tn_error *err);
/* Tables in the catalog (ns NULL = all namespaces). */
int tn_lake_table_list(tn_lake *lake, const char *ns, tn_catalog_table_fn fn, void *ctx,
                       tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Commits
 * ---------------------------------------------------------------------------------------- */

/* Runs inside the catalog transaction of a commit, after the pointer swap and before the
 * catalog commit: records written here become visible with the snapshot, or not at all.
 * Return 0, or a negative code to abandon the commit. On a conflict the transaction is rolled
 * back and the callback runs again for the retry. */
typedef int (*tn_lake_commit_fn)(void *ctx, tn_catalog *catalog, int64_t snapshot_id,
                                 tn_error *err);

typedef struct tn_lake_commit_options {
    tn_lake_commit_fn in_transaction; /* NULL = none */
    void *ctx;
    int max_retries;                  /* 0 = 10 */
    const char *const *summary;       /* extra snapshot summary pairs, NULL-terminated k,v,... */
} tn_lake_commit_options;

/* Appends data files (written by tn_lake_writer) as one new snapshot. Files are recorded as
 * given (paths absolute). Re-bases on the current metadata when another writer committed
 * first. *snapshot_id (may be NULL) gets the new snapshot's id. count 0 is allowed (an empty
 * snapshot is still committed, as other engines do). */
int tn_lake_table_append(tn_lake_table *table, const tn_iceberg_data_file *files, size_t count,
                         const tn_lake_commit_options *opts, int64_t *snapshot_id,
                         tn_error *err);
/* Replaces all the table's data: one snapshot (operation "overwrite") that deletes every live
 * data and delete file and adds `files`. TN_ECONFLICT (no retry) when another writer added a
 * snapshot after this table's metadata was loaded. */
int tn_lake_table_overwrite(tn_lake_table *table, const tn_iceberg_data_file *files,
                            size_t count, const tn_lake_commit_options *opts,
                            int64_t *snapshot_id, tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Schema evolution
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_lake_change_kind {
    TN_LAKE_ADD_COLUMN = 1,   /* column, type; new field id, nullable */
    TN_LAKE_WIDEN_COLUMN,     /* column, type: int->long, float->double, decimal(p,s)->(p',s) */
    TN_LAKE_RENAME_COLUMN,    /* column, new_name */
    TN_LAKE_DROP_COLUMN,      /* column (its id is never reused) */
    TN_LAKE_MAKE_OPTIONAL,    /* column: required -> optional */
} tn_lake_change_kind;

typedef struct tn_lake_schema_change {
    int kind;             /* tn_lake_change_kind */
    const char *column;
    const char *new_name; /* RENAME */
    tn_type type;         /* ADD, WIDEN */
} tn_lake_schema_change;

/* Commits a new schema version (schema id = max + 1) with the changes applied, and records in
 * the new metadata's properties ("tarn.schema.<id>.changes") what changed. TN_ETYPE for a
 * narrowing or unsupported type change, TN_EEXIST for a name clash, TN_ENOENT for an unknown
 * column. Retries on conflict. */
int tn_lake_table_evolve(tn_lake_table *table, const tn_lake_schema_change *changes,
                         size_t count, const tn_lake_commit_options *opts, tn_error *err);
/* Applies schema changes to the table in memory only, as tn_lake_table_evolve would commit
 * them: writers opened afterwards write under the new schema, and the next append or
 * overwrite commits the schema and the snapshot in ONE metadata file, so no schema change is
 * ever visible without the data that needed it. Several calls accumulate. When another
 * writer commits first, the commit re-applies the changes on its metadata; if that writer
 * changed the schema differently, so that the staged field ids no longer hold, the commit
 * fails with TN_ECONFLICT and nothing is committed. Same errors as tn_lake_table_evolve
 * otherwise. */
int tn_lake_table_stage_evolve(tn_lake_table *table, const tn_lake_schema_change *changes,
                               size_t count, tn_error *err);
/* Stages replacing the table's schema and partitioning with new ones (CREATE OR REPLACE
 * TABLE): writers opened afterwards write under them, and the next tn_lake_table_overwrite
 * commits the new schema (fresh field ids), the new default spec and the snapshot that holds
 * only the new files in ONE metadata file: readers see the old table or the new one, never
 * neither. The history stays. When another writer committed first, the commit fails with
 * TN_ECONFLICT and nothing is committed. TN_EUSAGE when changes are already staged; the
 * errors of tn_lake_table_create for the schema and partitioning otherwise. */
int tn_lake_table_stage_replace(tn_lake_table *table, const tn_schema *schema,
                                const tn_lake_partition_def *partition, size_t partition_count,
                                tn_error *err);
/* The changes that let batches of `incoming` be written to the table: new columns (by name,
 * case-insensitive) become ADD_COLUMN, wider types WIDEN_COLUMN. Columns of the table missing
 * from incoming are fine (written as NULL). TN_ETYPE (key = column) when a type cannot be
 * widened. *changes is tn_malloc'd (names point into incoming); *count may be 0. */
int tn_lake_schema_changes_for(const tn_lake_table *table, const tn_schema *incoming,
                               tn_lake_schema_change **changes, size_t *count, tn_error *err);

/* ==========================================================================================
 * Writing data files (write.c)
 * ======================================================================================== */

typedef struct tn_lake_writer tn_lake_writer;

typedef struct tn_lake_write_options {
    int64_t target_file_rows;  /* 0 = no limit; else a partition's rows are written out as a
                                  file when they reach it */
    const char *compression;   /* Parquet codec; NULL = zstd */
    int64_t memory_bytes;      /* budget for buffered rows over all partitions; 0 = 128 MiB.
                                  Passing it writes the fullest partitions out as files. */
} tn_lake_write_options;

/* Prepares to write data files for the table's current schema and default partition spec. */
int tn_lake_writer_open(tn_lake_table *table, const tn_lake_write_options *opts,
                        tn_lake_writer **out, tn_error *err);
/* Writes a batch. Its columns are matched to the table's by name (case-insensitive); table
 * columns missing from the batch are written as NULL; an extra batch column or a type that is
 * not the column's (or narrower) is TN_ETYPE (evolve the schema first). Rows are split by
 * partition value: a data file never mixes partitions. The rows are buffered; past the memory
 * budget, files are written by a background thread while the caller goes on (its errors are
 * returned by a later write or by finish). */
int tn_lake_writer_write(tn_lake_writer *writer, const tn_batch *batch, tn_error *err);
/* Writes every partition's buffered rows and returns the descriptions of all files written
 * (path, partition, record count, size, per-column counts and bounds): *files is owned by the
 * writer (valid until tn_lake_writer_free). Nothing is committed; pass them to
 * tn_lake_table_append. */
int tn_lake_writer_finish(tn_lake_writer *writer, const tn_iceberg_data_file **files,
                          size_t *count, tn_error *err);
/* Rows written so far. */
int64_t tn_lake_writer_rows(const tn_lake_writer *writer);
/* Frees the writer. With remove_files, deletes the data files it wrote (use after a failed
 * commit). Accepts NULL. */
void tn_lake_writer_free(tn_lake_writer *writer, bool remove_files);

/* Convenience: writes the batches and appends them as one snapshot. */
int tn_lake_table_append_batches(tn_lake_table *table, tn_batch *const *batches, size_t count,
                                 const tn_lake_commit_options *opts, int64_t *snapshot_id,
                                 tn_error *err);

/* ==========================================================================================
 * Scans (scan.c)
 * ======================================================================================== */

typedef enum tn_lake_op {
    TN_LAKE_EQ = 1,
    TN_LAKE_NE,
    TN_LAKE_LT,
    TN_LAKE_LE,
    TN_LAKE_GT,
    TN_LAKE_GE,
    TN_LAKE_IS_NULL,
    TN_LAKE_IS_NOT_NULL,
} tn_lake_op;

/* A predicate used ONLY to skip files (partition values, partition summaries, column bounds
 * and null counts); rows of the files that are read are not filtered: apply the predicate
 * again on the batches. The value's kind must match the column's Iceberg type family
 * (integers as LONG, floats as DOUBLE, strings as STRING...). */
typedef struct tn_lake_predicate {
    const char *column;
    int op;                 /* tn_lake_op */
    tn_iceberg_value value; /* unused for IS [NOT] NULL */
} tn_lake_predicate;

typedef struct tn_lake_scan_options {
    bool has_snapshot_id;     /* time travel by id */
    int64_t snapshot_id;
    bool has_as_of_ms;        /* time travel by time */
    int64_t as_of_ms;
    const char *const *columns; /* projection by name (current schema); NULL = all */
    size_t column_count;
    const tn_lake_predicate *predicates; /* ANDed; also handed to the Parquet reader of each
                                            data file (row groups and pages skipped). Byte
                                            values must stay valid until the scan is closed */
    size_t predicate_count;
    uint32_t batch_rows;      /* 0 = TN_BATCH_ROWS */
} tn_lake_scan_options;

/* What planning found. */
typedef struct tn_lake_scan_stats {
    int64_t manifests_total, manifests_skipped;
    int64_t files_total, files_skipped;      /* data files */
    int64_t delete_files;                    /* delete files that apply to planned files */
    int64_t rows_deleted;                    /* rows dropped by deletes so far */
    int64_t row_groups, row_groups_pruned;   /* of the data files opened so far */
    int64_t pages_pruned;                    /* data pages skipped on the page index */
    int64_t rows_total, rows_pruned;         /* rows of the files opened, rows never decoded */
} tn_lake_scan_stats;

typedef struct tn_lake_scan tn_lake_scan;

/* Plans a scan of a snapshot (current when no time travel is asked). The output schema is the
 * table's current schema (or the snapshot's schema when time travelling: columns as they were
 * named then), projected. An empty table scans zero rows. TN_ENOENT for an unknown snapshot id
 * or a time before the first snapshot. */
int tn_lake_scan_open(tn_lake_table *table, const tn_lake_scan_options *opts,
                      tn_lake_scan **out, tn_error *err);
const tn_schema *tn_lake_scan_schema(const tn_lake_scan *scan);
/* The next batch (caller frees), or *out = NULL at the end. Columns added after a file was
 * written read as their initial default or NULL; renamed columns are found by field id; rows
 * deleted by position or equality deletes are left out. */
int tn_lake_scan_next(tn_lake_scan *scan, tn_batch **out, tn_error *err);
const tn_lake_scan_stats *tn_lake_scan_get_stats(const tn_lake_scan *scan);
/* For EXPLAIN, before reading: opens the footer of every planned data file and adds to the
 * stats the row groups (and their rows) the predicates skip there. Pages are only counted
 * when read. Call it on a scan that has not been read; 0 or an error opening a file. */
int tn_lake_scan_plan_row_groups(tn_lake_scan *scan, tn_error *err);
void tn_lake_scan_close(tn_lake_scan *scan); /* accepts NULL */

/* The planned data files as independent units, for readers that split a scan across threads.
 * A file scan reads data file file_idx (0 <= file_idx < tn_lake_scan_file_count, in the order
 * tn_lake_scan_next reads them) with everything the scan applies: its position deletes,
 * deletion vectors and equality deletes, the mapping of its columns to the output schema
 * (field ids, defaults, promotions) and the predicates for its row groups. Its batches
 * concatenated over all files are tn_lake_scan_next's. Files of one scan may be opened and
 * read on several threads at once (a file scan by one thread at a time); the scan must outlive
 * them and must not be read with tn_lake_scan_next meanwhile. Each file scan reads on its own
 * thread only. Stats (rows deleted, row groups and pages pruned) add up into the scan's. */
typedef struct tn_lake_file_scan tn_lake_file_scan;
size_t tn_lake_scan_file_count(const tn_lake_scan *scan);
/* TN_EINVAL for a file_idx out of range; errors opening the file. */
int tn_lake_scan_open_file(tn_lake_scan *scan, size_t file_idx, tn_lake_file_scan **out,
                           tn_error *err);
/* The next batch of the file (caller frees), or *out = NULL at its end. */
int tn_lake_file_scan_next(tn_lake_file_scan *file_scan, tn_batch **out, tn_error *err);
void tn_lake_file_scan_close(tn_lake_file_scan *file_scan); /* accepts NULL */

/* ------------------------------------------------------------------------------------------
 * Inspection
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_lake_stats {
    int64_t snapshot_id;   /* 0 for an empty table */
    int64_t rows;          /* live rows, deleted rows excluded */
    int64_t data_files;
    int64_t delete_files;
    int64_t bytes;         /* data + delete file bytes */
} tn_lake_stats;

/* Stats of the current snapshot. rows is exact: when delete files exist the table is scanned. */
int tn_lake_table_stats(tn_lake_table *table, tn_lake_stats *out, tn_error *err);
/* Appends a JSON object describing the table: location, format version, current schema
 * (columns with field ids, types, required), every schema version with its changes, partition
 * specs, sort orders, properties, current snapshot. */
int tn_lake_table_describe_json(const tn_lake_table *table, tn_buf *out, tn_error *err);
/* Appends a JSON array of the snapshots, oldest first: id, parent, sequence number, timestamp,
 * operation, summary, whether it is current. */
int tn_lake_table_history_json(const tn_lake_table *table, tn_buf *out, tn_error *err);

/* ==========================================================================================
 * Maintenance (maintenance.c)
 * ======================================================================================== */

typedef struct tn_lake_vacuum_options {
    int64_t retain_ms;       /* expire snapshots older than now - retain_ms; <0 = expire none */
    int min_snapshots;       /* keep at least this many of the newest snapshots; 0 = 1 */
    int64_t orphan_grace_ms; /* unreferenced files younger than this are kept (writes in
                                flight); 0 = 1 hour, <0 = no grace */
    bool dry_run;            /* count, remove nothing, commit nothing */
} tn_lake_vacuum_options;

typedef struct tn_lake_vacuum_result {
    int64_t snapshots_expired;
    int64_t files_removed; /* data, delete, manifest, manifest list, metadata and orphans */
    int64_t bytes_removed;
} tn_lake_vacuum_result;

/* Expires snapshots (committing new metadata without them), then removes every object under
 * the table's data/ and metadata/ folders that no remaining snapshot or metadata file (the
 * current one and those in its metadata log) references and that is older than the grace
 * period. Only for tables in the catalog. */
int tn_lake_table_vacuum(tn_lake_table *table, const tn_lake_vacuum_options *opts,
                         tn_lake_vacuum_result *result, tn_error *err);

#endif /* TN_LAKE_H */
