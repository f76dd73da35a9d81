/* SPDX-License-Identifier: Apache-2.0
 *
 * The store host: picks an implementation by the location's scheme and checks every key before
 * an implementation sees it, so that no key can name a file outside the store's root.
 */
#include "storage/storage.h"

#include <stdio.h>

struct tn_store {
    const tn_store_ops *ops;
    void *state;
    char *location;
};

static const tn_store_ops *const implementations[] = {&tn_store_local, NULL};

/* Relative, '/'-separated, no empty, "." or ".." segment. */
bool tn_store_key_valid(const char *key)
{
    if (!key || !*key || key[0] == '/') return false;
    const char *segment = key;
    for (const char *p = key;; p++) {
        if (*p == '/' || *p == '\0') {
            size_t n = (size_t)(p - segment);
            if (n == 0 || (n == 1 && segment[0] == '.') ||
                (n == 2 && segment[0] == '.' && segment[1] == '.'))
                return false;
            if (*p == '\0') return true;
            segment = p + 1;
        }
    }
}

static int bad_key(const char *key, tn_error *err)
{
    return tn_error_set(err, TN_EINVAL, "invalid object key '%s' (keys are relative paths "
                                        "without '.' or '..' segments)", key ? key : "");
}

/* Opens the store for location (a local path, file://path; other schemes as they arrive). */
int tn_store_open(const char *location, tn_store **out, tn_error *err)
{
    *out = NULL;
    const tn_store_ops *ops = NULL;
    const char *colon = strstr(location, "://");
    if (!colon) {
        ops = &tn_store_local;
    } else {
        size_t n = (size_t)(colon - location);
        for (size_t i = 0; implementations[i] && !ops; i++)
            if (strlen(implementations[i]->scheme) == n &&
                memcmp(implementations[i]->scheme, location, n) == 0)
                ops = implementations[i];
        if (!ops)
            return tn_error_set(err, TN_EINVAL, "unsupported storage location '%s' (use a "
                                                "folder path)", location);
    }
    tn_store *store = tn_calloc(1, sizeof *store);
    if (!store) return tn_error_set(err, TN_ENOMEM, "out of memory");
    store->ops = ops;
    store->location = tn_strdup(location);
    if (!store->location) {
        tn_free(store);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    int rc = ops->open(location, &store->state, err);
    if (rc < 0) {
        tn_free(store->location);
        tn_free(store);
        return rc;
    }
    *out = store;
    return 0;
}

/* Closes the store; accepts NULL. */
void tn_store_close(tn_store *store)
{
    if (!store) return;
    store->ops->close(store->state);
    tn_free(store->location);
    tn_free(store);
}

/* The location the store was opened with. */
const char *tn_store_location(const tn_store *store) { return store->location; }

/* Writes a whole object atomically. */
int tn_store_put(tn_store *store, const char *key, const void *data, size_t len, tn_error *err)
{
    if (!tn_store_key_valid(key)) return bad_key(key, err);
    return store->ops->put(store->state, key, data, len, err);
}

/* Moves a complete local file into the store. */
int tn_store_put_file(tn_store *store, const char *key, const char *local_path, tn_error *err)
{
    if (!tn_store_key_valid(key)) return bad_key(key, err);
    return store->ops->put_file(store->state, key, local_path, err);
}

/* Reads a byte range of an object. */
int tn_store_read(tn_store *store, const char *key, uint64_t offset, void *buf, size_t len,
                  size_t *got, tn_error *err)
{
    if (!tn_store_key_valid(key)) return bad_key(key, err);
    return store->ops->read(store->state, key, offset, buf, len, got, err);
}

/* Reads a whole object into a NUL-terminated tn_malloc'd buffer. */
int tn_store_read_all(tn_store *store, const char *key, char **data, size_t *len,
                      tn_error *err)
{
    *data = NULL;
    *len = 0;
    tn_store_entry entry;
    int rc = tn_store_stat(store, key, &entry, err);
    if (rc < 0) return rc;
    if (entry.size > (uint64_t)SIZE_MAX - 1)
        return tn_error_set(err, TN_ELIMIT, "object '%s' is too large to read whole", key);
    char *buf = tn_malloc((size_t)entry.size + 1);
    if (!buf) return tn_error_set(err, TN_ENOMEM, "out of memory reading '%s'", key);
    size_t got = 0;
    rc = store->ops->read(store->state, key, 0, buf, (size_t)entry.size, &got, err);
    if (rc < 0) {
        tn_free(buf);
        return rc;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}

/* Size and time of an object; TN_ENOENT when absent. */
int tn_store_stat(tn_store *store, const char *key, tn_store_entry *entry, tn_error *err)
{
    if (!tn_store_key_valid(key)) return bad_key(key, err);
    return store->ops->stat(store->state, key, entry, err);
}

/* Lists objects under a prefix, in key order. */
int tn_store_list(tn_store *store, const char *prefix, tn_store_list_fn fn, void *ctx,
                  tn_error *err)
{
    return store->ops->list(store->state, prefix ? prefix : "", fn, ctx, err);
}

/* Removes an object (absent objects are fine). */
int tn_store_remove(tn_store *store, const char *key, tn_error *err)
{
    if (!tn_store_key_valid(key)) return bad_key(key, err);
    return store->ops->remove(store->state, key, err);
}

/* A local path for key when the store is local; NULL otherwise. */
char *tn_store_local_path(tn_store *store, const char *key)
{
    if (!store->ops->local_path || !tn_store_key_valid(key)) return NULL;
    return store->ops->local_path(store->state, key);
}
