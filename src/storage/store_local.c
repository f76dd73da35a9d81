/* SPDX-License-Identifier: Apache-2.0
 *
 * The local-folder object store. Keys map to files under the root folder. Writes go to a
 * temporary file in the target's folder, are fsync'd, renamed into place, and the folder is
 * fsync'd, so that after a crash an object is either absent or complete.
 */
#include "storage/storage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct local_store {
    char *root; /* absolute or as given, without a trailing slash */
} local_store;

static char *join(const local_store *s, const char *key)
{
    tn_buf path = TN_BUF_INIT;
    if (tn_buf_printf(&path, "%s/%s", s->root, key) < 0) {
        tn_buf_free(&path);
        return NULL;
    }
    return tn_buf_detach(&path, NULL);
}

/* mkdir -p of the folder that holds `path`. */
static int make_parents(const char *path, tn_error *err)
{
    char *copy = tn_strdup(path);
    if (!copy) return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(copy, 0777) < 0 && errno != EEXIST) {
            int rc = tn_error_set(err, TN_EIO, "cannot create folder '%s': %s", copy,
                                  strerror(errno));
            tn_free(copy);
            return rc;
        }
        *p = '/';
    }
    tn_free(copy);
    return 0;
}

static int fsync_parent(const char *path)
{
    char *copy = tn_strdup(path);
    if (!copy) return TN_ENOMEM;
    char *slash = strrchr(copy, '/');
    if (slash) *slash = '\0';
    int fd = open(slash ? copy : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    tn_free(copy);
    if (fd < 0) return TN_EIO;
    int rc = fsync(fd) == 0 ? 0 : TN_EIO;
    close(fd);
    return rc;
}

static int local_open(const char *location, void **state, tn_error *err)
{
    const char *path = location;
    if (strncmp(path, "file://", 7) == 0) path += 7;
    local_store *s = tn_calloc(1, sizeof *s);
    if (!s) return tn_error_set(err, TN_ENOMEM, "out of memory");
    s->root = tn_strdup(*path ? path : ".");
    if (!s->root) {
        tn_free(s);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    size_t n = strlen(s->root);
    while (n > 1 && s->root[n - 1] == '/') s->root[--n] = '\0';
    char *marker = join(s, "x");
    int rc = marker ? make_parents(marker, err) : tn_error_set(err, TN_ENOMEM, "out of memory");
    tn_free(marker);
    if (rc < 0) {
        tn_free(s->root);
        tn_free(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t put = write(fd, data, len);
        if (put < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        data += put;
        len -= (size_t)put;
    }
    return 0;
}

static int local_put(void *state, const char *key, const void *data, size_t len, tn_error *err)
{
    local_store *s = state;
    static int counter;
    char *path = join(s, key);
    tn_buf temp = TN_BUF_INIT;
    int rc = 0;
    if (!path || tn_buf_printf(&temp, "%s.tmp-%d-%d", path, (int)getpid(),
                               __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED)) < 0) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    rc = make_parents(path, err);
    if (rc < 0) goto done;
    int fd = open(temp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        rc = tn_error_set(err, TN_EIO, "cannot write '%s': %s (check that the folder is "
                                       "writable)", path, strerror(errno));
        goto done;
    }
    if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        rc = tn_error_set(err, TN_EIO, "cannot write '%s': %s", path, strerror(errno));
        close(fd);
        unlink(temp.data);
        goto done;
    }
    close(fd);
    if (rename(temp.data, path) < 0) {
        rc = tn_error_set(err, TN_EIO, "cannot rename into '%s': %s", path, strerror(errno));
        unlink(temp.data);
        goto done;
    }
    if (fsync_parent(path) < 0)
        rc = tn_error_set(err, TN_EIO, "cannot sync the folder of '%s'", path);
done:
    tn_free(path);
    tn_buf_free(&temp);
    return rc;
}

static int local_put_file(void *state, const char *key, const char *local_path, tn_error *err)
{
    local_store *s = state;
    char *path = join(s, key);
    if (!path) return tn_error_set(err, TN_ENOMEM, "out of memory");
    int rc = make_parents(path, err);
    if (rc == 0 && rename(local_path, path) < 0) {
        if (errno == EXDEV) {
            /* Another file system: copy through memory-sized chunks with an atomic put. */
            char *data = NULL;
            size_t len = 0;
            rc = tn_file_read_all(local_path, &data, &len, err);
            if (rc == 0) rc = local_put(state, key, data, len, err);
            if (rc == 0) unlink(local_path);
            tn_free(data);
        } else {
            rc = tn_error_set(err, TN_EIO, "cannot move '%s' to '%s': %s", local_path, path,
                              strerror(errno));
        }
    } else if (rc == 0 && fsync_parent(path) < 0) {
        rc = tn_error_set(err, TN_EIO, "cannot sync the folder of '%s'", path);
    }
    tn_free(path);
    return rc;
}

static int local_read(void *state, const char *key, uint64_t offset, void *buf, size_t len,
                      size_t *got, tn_error *err)
{
    local_store *s = state;
    *got = 0;
    char *path = join(s, key);
    if (!path) return tn_error_set(err, TN_ENOMEM, "out of memory");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int rc = tn_error_set_at(err, errno == ENOENT ? TN_ENOENT : TN_EIO, path, 0, 0,
                                 "cannot read '%s': %s", path, strerror(errno));
        tn_free(path);
        return rc;
    }
    size_t total = 0;
    while (total < len) {
        ssize_t n = pread(fd, (char *)buf + total, len - total, (off_t)(offset + total));
        if (n < 0) {
            if (errno == EINTR) continue;
            int rc = tn_error_set_at(err, TN_EIO, path, 0, 0, "cannot read '%s': %s", path,
                                     strerror(errno));
            close(fd);
            tn_free(path);
            return rc;
        }
        if (n == 0) break;
        total += (size_t)n;
    }
    close(fd);
    tn_free(path);
    *got = total;
    return 0;
}

static int local_stat(void *state, const char *key, tn_store_entry *entry, tn_error *err)
{
    local_store *s = state;
    char *path = join(s, key);
    if (!path) return tn_error_set(err, TN_ENOMEM, "out of memory");
    struct stat st;
    int rc = 0;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        rc = tn_error_set_at(err, TN_ENOENT, path, 0, 0, "no such object '%s'", key);
    else {
        entry->key = key;
        entry->size = (uint64_t)st.st_size;
        entry->modified_us = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
    }
    tn_free(path);
    return rc;
}

typedef struct listing {
    char **keys;
    size_t count;
    size_t cap;
} listing;

static int listing_push(listing *l, const char *key)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **grown = tn_realloc(l->keys, cap * sizeof *grown);
        if (!grown) return TN_ENOMEM;
        l->keys = grown;
        l->cap = cap;
    }
    l->keys[l->count] = tn_strdup(key);
    if (!l->keys[l->count]) return TN_ENOMEM;
    l->count++;
    return 0;
}

/* Collects keys under root/dir (dir relative, "" for the root), recursively. */
static int walk(const char *root, const char *dir, listing *out)
{
    tn_buf path = TN_BUF_INIT;
    if (tn_buf_printf(&path, "%s%s%s", root, *dir ? "/" : "", dir) < 0) return TN_ENOMEM;
    DIR *d = opendir(path.data);
    tn_buf_free(&path);
    if (!d) return errno == ENOENT || errno == ENOTDIR ? 0 : TN_EIO;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (strstr(e->d_name, ".tmp-")) continue; /* a write in progress or abandoned */
        tn_buf key = TN_BUF_INIT;
        if (tn_buf_printf(&key, "%s%s%s", dir, *dir ? "/" : "", e->d_name) < 0) {
            rc = TN_ENOMEM;
            break;
        }
        tn_buf full = TN_BUF_INIT;
        struct stat st;
        if (tn_buf_printf(&full, "%s/%s", root, key.data) < 0)
            rc = TN_ENOMEM;
        else if (stat(full.data, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                rc = walk(root, key.data, out);
            else if (S_ISREG(st.st_mode))
                rc = listing_push(out, key.data);
        }
        tn_buf_free(&full);
        tn_buf_free(&key);
    }
    closedir(d);
    return rc;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int local_list(void *state, const char *prefix, tn_store_list_fn fn, void *ctx,
                      tn_error *err)
{
    local_store *s = state;
    /* Walk only the deepest folder the prefix names. */
    char *dir = tn_strdup(prefix ? prefix : "");
    if (!dir) return tn_error_set(err, TN_ENOMEM, "out of memory");
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        dir[0] = '\0';
    listing l = {0};
    int rc = walk(s->root, dir, &l);
    tn_free(dir);
    if (rc < 0) {
        rc = tn_error_set(err, rc, "cannot list '%s/%s'", s->root, prefix ? prefix : "");
        goto done;
    }
    qsort(l.keys, l.count, sizeof *l.keys, compare_keys);
    size_t prefix_len = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; i < l.count && rc == 0; i++) {
        if (prefix_len && strncmp(l.keys[i], prefix, prefix_len) != 0) continue;
        tn_store_entry entry;
        if (local_stat(state, l.keys[i], &entry, NULL) < 0) continue; /* removed meanwhile */
        rc = fn(ctx, &entry);
    }
done:
    for (size_t i = 0; i < l.count; i++) tn_free(l.keys[i]);
    tn_free(l.keys);
    return rc;
}

static int local_remove(void *state, const char *key, tn_error *err)
{
    local_store *s = state;
    char *path = join(s, key);
    if (!path) return tn_error_set(err, TN_ENOMEM, "out of memory");
    int rc = 0;
    if (unlink(path) < 0 && errno != ENOENT)
        rc = tn_error_set(err, TN_EIO, "cannot remove '%s': %s", path, strerror(errno));
    tn_free(path);
    return rc;
}

static char *local_local_path(void *state, const char *key) { return join(state, key); }

static void local_close(void *state)
{
    local_store *s = state;
    if (!s) return;
    tn_free(s->root);
    tn_free(s);
}

const tn_store_ops tn_store_local = {
    .abi_version = TN_STORE_ABI_VERSION,
    .scheme = "file",
    .open = local_open,
    .put = local_put,
    .put_file = local_put_file,
    .read = local_read,
    .stat = local_stat,
    .list = local_list,
    .remove = local_remove,
    .local_path = local_local_path,
    .close = local_close,
};
