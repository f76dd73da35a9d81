/* SPDX-License-Identifier: Apache-2.0
 *
 * storage: object stores behind one interface. The lake addresses everything (data files,
 * manifests, metadata) by a key relative to the store's root; a store is a local folder today
 * and an S3-compatible bucket when configured. Every write is atomic: an object is either
 * absent or complete, whatever happens to the process.
 *
 * The one header other modules include from storage. Uses core.
 */
#ifndef TN_STORAGE_H
#define TN_STORAGE_H

#include "core/core.h"

typedef struct tn_store tn_store;

/* One entry of a listing. */
typedef struct tn_store_entry {
    const char *key;    /* relative to the store's root, '/'-separated */
    uint64_t size;
    int64_t modified_us; /* last modification, microseconds since the epoch */
} tn_store_entry;

/* Called once per object; return non-zero to stop the listing (that value is returned). */
typedef int (*tn_store_list_fn)(void *ctx, const tn_store_entry *entry);

#define TN_STORE_ABI_VERSION 1

/* A store implementation. Fields are only ever appended. */
typedef struct tn_store_ops {
    int abi_version;
    const char *scheme; /* "file", "s3" */
    int (*open)(const char *location, void **state, tn_error *err);
    /* Writes the whole object atomically (replacing any previous one). */
    int (*put)(void *state, const char *key, const void *data, size_t len, tn_error *err);
    /* Moves a complete local file into the store under key (rename or upload + delete). */
    int (*put_file)(void *state, const char *key, const char *local_path, tn_error *err);
    /* Reads len bytes at offset; *got < len only at the end of the object. */
    int (*read)(void *state, const char *key, uint64_t offset, void *buf, size_t len,
                size_t *got, tn_error *err);
    int (*stat)(void *state, const char *key, tn_store_entry *entry, tn_error *err);
    int (*list)(void *state, const char *prefix, tn_store_list_fn fn, void *ctx, tn_error *err);
    int (*remove)(void *state, const char *key, tn_error *err);
    /* A local path for key when the store is a local folder (NULL otherwise); tn_free it. */
    char *(*local_path)(void *state, const char *key);
    void (*close)(void *state);
} tn_store_ops;

extern const tn_store_ops tn_store_local;

/* Opens the store for a location: a path (or file://path) is a local folder, created when
 * missing. Returns 0, TN_EINVAL for an unknown scheme, or an I/O error. */
int tn_store_open(const char *location, tn_store **out, tn_error *err);
void tn_store_close(tn_store *store); /* accepts NULL */
const char *tn_store_location(const tn_store *store);

int tn_store_put(tn_store *store, const char *key, const void *data, size_t len, tn_error *err);
int tn_store_put_file(tn_store *store, const char *key, const char *local_path, tn_error *err);
int tn_store_read(tn_store *store, const char *key, uint64_t offset, void *buf, size_t len,
                  size_t *got, tn_error *err);
/* Reads a whole object into a tn_malloc'd, NUL-terminated buffer. */
int tn_store_read_all(tn_store *store, const char *key, char **data, size_t *len,
                      tn_error *err);
/* TN_ENOENT when the object does not exist. */
int tn_store_stat(tn_store *store, const char *key, tn_store_entry *entry, tn_error *err);
/* Lists objects whose key starts with prefix, in key order. */
int tn_store_list(tn_store *store, const char *prefix, tn_store_list_fn fn, void *ctx,
                  tn_error *err);
/* Removing an object that does not exist is not an error. */
int tn_store_remove(tn_store *store, const char *key, tn_error *err);
/* A local path for key, or NULL when the store is not local (or out of memory). */
char *tn_store_local_path(tn_store *store, const char *key);

/* Checks that a key is relative, '/'-separated and free of "." and ".." segments, so that no
 * key can escape the store's root. */
bool tn_store_key_valid(const char *key);

#endif /* TN_STORAGE_H */
