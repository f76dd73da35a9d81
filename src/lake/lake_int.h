/* SPDX-License-Identifier: Apache-2.0
 *
 * lake: helpers shared by the files of src/lake and nowhere else. The public surface is
 * lake.h; this header holds the private structs of lakes and tables, the Avro container layer
 * (avro.c) and the small utilities (ids, paths, metadata building) several files need.
 */
#ifndef TN_LAKE_INT_H
#define TN_LAKE_INT_H

#include "lake/lake.h"

#include <avro.h>

/* ------------------------------------------------------------------------------------------
 * Lakes and tables
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_lake_rewrite {
    char *from;
    char *to;
} tn_lake_rewrite;

struct tn_lake {
    tn_store *store;     /* borrowed */
    tn_catalog *catalog; /* borrowed; NULL = path-only lake */
    char *root;          /* absolute local path of the store's root, no trailing '/' */
    uint32_t rewrite_count;
    tn_lake_rewrite *rewrites;
};

struct tn_lake_table {
    tn_lake *lake;
    char *ns;                /* NULL when loaded from a path */
    char *name;
    char *key_prefix;        /* "<ns>/<name>" in the store; NULL when loaded from a path */
    char *metadata_location; /* the metadata file this state came from */
    tn_iceberg_metadata *md;
    tn_schema *schema;       /* current schema as tarn columns (primitive top-level only) */
    /* Schema changes applied in memory only (tn_lake_table_stage_evolve), committed with the
     * next snapshot: */
    tn_lake_schema_change *staged;  /* every staged change in order; names tn_strdup'd */
    size_t staged_count;
    int32_t staged_base_schema_id;  /* the committed schema they were applied to */
    int32_t staged_base_last_column_id;
    tn_iceberg_metadata *staged_md; /* the metadata with them applied (its current schema) */
    bool staged_replace;            /* a whole new schema and spec (tn_lake_table_stage_replace) */
};

/* Replaces the table's metadata (takes ownership of md) and rebuilds its tarn schema. */
int tn_lake_table_set_metadata(tn_lake_table *table, tn_iceberg_metadata *md,
                               char *location, tn_error *err);
/* Reads a whole file named by a metadata location (after rewrites) into memory. */
/* Decodes an Iceberg `deletion-vector-v1` blob (deletion_vector.c) into its deleted row positions,
 * sorted ascending (caller frees *positions with tn_free). `cardinality` is the manifest entry's
 * record_count (-1 = unknown): the vector must hold exactly that many positions, which also
 * bounds what a hostile blob can make us allocate. TN_ECORRUPT names what is wrong. */
int tn_deletion_vector_decode(const void *blob, size_t len, const char *file, int64_t cardinality,
                              int64_t **positions, size_t *count, tn_error *err);
int tn_lake_read_location(const tn_lake *lake, const char *location, char **data, size_t *len,
                          tn_error *err);
/* The store key of a location inside the lake's store, or NULL when it is elsewhere
 * (tn_free it). */
char *tn_lake_location_key(const tn_lake *lake, const char *location);
/* "file://<root>/<key>" (tn_free it). */
char *tn_lake_key_location(const tn_lake *lake, const char *key);

/* Tarn schema of an Iceberg schema: primitive top-level fields, field ids set. */
tn_schema *tn_lake_schema_to_tn(const tn_iceberg_schema *schema);

/* Random identifiers: a v4 UUID text (37 bytes with NUL) and a positive 63-bit snapshot id. */
void tn_lake_uuid(char out[37]);
int64_t tn_lake_random_id(void);

/* What one attempt of a change does to a copy of the current metadata (md). May write files
 * (manifests, manifest lists) into the table's folder; sets *snapshot_id when it adds one.
 * Returns TN_ECONFLICT when the change cannot be re-based on this metadata. */
typedef int (*tn_lake_change_fn)(void *ctx, tn_lake_table *t, tn_iceberg_metadata *md, int attempt,
                                 int64_t *snapshot_id, tn_error *err);
/* The commit protocol: copy the current metadata, apply the change, write the new metadata
 * file, swap the catalog pointer (with the callback) in one transaction; on a lost race reload
 * and apply again, up to opts->max_retries times. */
int tn_lake_commit(tn_lake_table *t, tn_lake_change_fn change, void *ctx,
                   const tn_lake_commit_options *opts, int64_t *snapshot_id, tn_error *err);

/* Loads the manifest list of a snapshot (v1 inline manifest lists are synthesised). */
int tn_lake_snapshot_manifests(const tn_lake *lake, const tn_iceberg_metadata *md,
                               const tn_iceberg_snapshot *snap, tn_manifest_list **out,
                               tn_error *err);
/* Loads one manifest with inheritance from its list entry. */
int tn_lake_load_manifest(const tn_lake *lake, const tn_iceberg_metadata *md,
                          const tn_manifest_file *mf, tn_manifest **out, tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Metadata building (metadata.c)
 * ---------------------------------------------------------------------------------------- */

/* Arena helpers on a metadata object: grow arrays by one element (copying), duplicate strings. */
void *tn_iceberg_grow(tn_iceberg_metadata *md, void *array, uint32_t count, size_t elem_size);
char *tn_iceberg_strdup(tn_iceberg_metadata *md, const char *s);
/* Sets or replaces a property. */
int tn_iceberg_set_property(tn_iceberg_metadata *md, const char *key, const char *value);
/* Copies a schema into md's arena (deep). */
int tn_iceberg_schema_copy_into(tn_iceberg_metadata *md, const tn_iceberg_schema *src,
                                tn_iceberg_schema *dst);
/* Appends JSON of a schema / a partition spec's fields array (for manifest metadata). */
int tn_iceberg_schema_to_json_text(const tn_iceberg_schema *schema, tn_buf *out);
int tn_iceberg_spec_fields_to_json_text(const tn_iceberg_partition_spec *spec, tn_buf *out);

/* ------------------------------------------------------------------------------------------
 * Avro object container files (avro.c): our own framing (header metadata, blocks, codecs) around
 * libavro's schema parser and binary value encoder/decoder, so that the header can carry the
 * key-value metadata Iceberg requires and the schema text keeps its field-id attributes.
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_avro_reader tn_avro_reader;

/* Parses the header of an Avro container file in memory (borrowed until close). */
int tn_avro_reader_open(const void *data, size_t len, const char *file, tn_avro_reader **out,
                        tn_error *err);
/* A header metadata value ("avro.schema", "partition-spec", ...); false when absent. */
bool tn_avro_reader_meta(const tn_avro_reader *reader, const char *key, tn_str *value);
avro_schema_t tn_avro_reader_schema(const tn_avro_reader *reader);
/* Decodes the next record into *value (valid until the next call). *value = NULL at the end. */
int tn_avro_reader_next(tn_avro_reader *reader, avro_value_t **value, tn_error *err);
void tn_avro_reader_close(tn_avro_reader *reader); /* accepts NULL */

typedef struct tn_avro_writer tn_avro_writer;

/* Starts a container file with the given schema JSON (kept verbatim in the header) and
 * metadata (NULL-terminated key, value, ... list). */
int tn_avro_writer_open(const char *schema_json, const char *const *metadata,
                        tn_avro_writer **out, tn_error *err);
/* The record to fill for the next append (reset for each record). */
avro_value_t *tn_avro_writer_record(tn_avro_writer *writer);
int tn_avro_writer_append(tn_avro_writer *writer, tn_error *err);
/* Flushes the last block and appends the file's bytes to out. */
int tn_avro_writer_finish(tn_avro_writer *writer, tn_buf *out, tn_error *err);
void tn_avro_writer_free(tn_avro_writer *writer); /* accepts NULL */

/* Value navigation helpers: the named field of a record, through a ["null", T] union; false
 * when the field is absent or null. */
bool tn_avro_field(avro_value_t *record, const char *name, avro_value_t *out);
/* Sets an optional (union with null) field to null or to the non-null branch, returned in out. */
int tn_avro_set_branch(avro_value_t *field, bool null_branch, avro_value_t *out);

#endif /* TN_LAKE_INT_H */
