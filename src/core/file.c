/* SPDX-License-Identifier: Apache-2.0
 *
 * Whole-file reads and atomic file writes. An atomic file is written under a temporary name
 * in the destination folder (`<path>.tmp-<pid>-<counter>`), then fsynced, renamed over the
 * final name and the folder fsynced, so that readers see either the old file or the complete
 * new one, and a crash leaves at most a temporary file, never a half-written one. Writing to
 * "-" goes to standard output instead, where commit only flushes.
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define WRITE_BUFFER_SIZE (1024 * 1024)

static _Atomic uint64_t temp_counter; /* distinguishes temporary files of one process */

/* What the user can do about an errno, or "" when there is nothing obvious. */
static const char *errno_hint(int e, bool writing)
{
    switch (e) {
    case EACCES:
    case EPERM:
        return writing ? ": check that the folder is writable" : ": check the file's permissions";
    case ENOENT:
        return writing ? ": create the folder first" : ": check the path";
    case ENOSPC:
    case EDQUOT:
        return ": free some disk space";
    case EROFS:
        return ": write to a writable location";
    case EISDIR:
        return ": give a file, not a folder";
    case ENOTDIR:
        return ": a part of the path is not a folder";
    case EMFILE:
    case ENFILE:
        return ": too many open files, raise the limit (ulimit -n)";
    default:
        return "";
    }
}

/* Maps an errno to a tarn code: missing files and memory keep their meaning, the rest is I/O. */
static int errno_code(int e)
{
    switch (e) {
    case ENOENT:
        return TN_ENOENT;
    case ENOMEM:
        return TN_ENOMEM;
    case EEXIST:
        return TN_EEXIST;
    default:
        return TN_EIO;
    }
}

/* Sets err to "<what> '<path>': <errno text><hint>" and returns the matching code. */
static int errno_error(tn_error *err, int e, const char *what, const char *path, bool writing)
{
    return tn_error_set(err, errno_code(e), "%s '%s': %s%s", what, path, strerror(e),
                        errno_hint(e, writing));
}

/* Writes all of [p, p+n) to fd, retrying on EINTR and short writes. 0 or an errno. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static const char *display_path(const tn_atomic_file *file)
{
    return file->path ? file->path : "standard output";
}

/* Writes out the buffered bytes. */
static int flush_buffer(tn_atomic_file *file, tn_error *err)
{
    if (file->buffered == 0)
        return 0;
    int e = write_all(file->fd, file->buffer, file->buffered);
    if (e)
        return errno_error(err, e, "cannot write", display_path(file), true);
    file->bytes_written += file->buffered;
    file->buffered = 0;
    return 0;
}

/* Frees the names and buffer and marks the file closed (abort is then a no-op). */
static void release(tn_atomic_file *file)
{
    tn_free(file->path);
    tn_free(file->temp_path);
    tn_free(file->buffer);
    file->path = NULL;
    file->temp_path = NULL;
    file->buffer = NULL;
    file->buffered = 0;
    file->fd = -1;
}

/* Opens a temporary file beside path for writing ("-" = standard output). Returns 0,
 * TN_ENOMEM, TN_ENOENT (missing folder) or TN_EIO, with the message naming the path. On
 * failure nothing is left on disk and abort is a no-op. */
int tn_atomic_file_open(tn_atomic_file *file, const char *path, tn_error *err)
{
    memset(file, 0, sizeof *file);
    file->fd = -1;
    file->buffer = tn_malloc(WRITE_BUFFER_SIZE);
    if (!file->buffer)
        return tn_error_set(err, TN_ENOMEM, "out of memory opening '%s'", path);
    if (strcmp(path, "-") == 0) {
        /* Anything printed with stdio so far must come out before our bytes. */
        fflush(stdout);
        file->fd = STDOUT_FILENO;
        return 0;
    }
    file->path = tn_strdup(path);
    size_t temp_len = strlen(path) + 64;
    file->temp_path = tn_malloc(temp_len);
    if (!file->path || !file->temp_path) {
        release(file);
        return tn_error_set(err, TN_ENOMEM, "out of memory opening '%s'", path);
    }
    uint64_t n = atomic_fetch_add(&temp_counter, 1);
    snprintf(file->temp_path, temp_len, "%s.tmp-%ld-%llu", path, (long)getpid(),
             (unsigned long long)n);
    int fd;
    do {
        fd = open(file->temp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno;
        int rc = errno_error(err, e, "cannot create a file beside", path, true);
        release(file);
        return rc;
    }
    file->fd = fd;
    return 0;
}

/* Appends len bytes (buffered). Returns 0 or TN_EIO (e.g. disk full), naming the path. */
int tn_atomic_file_write(tn_atomic_file *file, const void *data, size_t len, tn_error *err)
{
    if (!file->buffer)
        return tn_error_set(err, TN_EINVAL, "write to a file that is not open");
    const char *p = data;
    if (file->buffered + len <= WRITE_BUFFER_SIZE) {
        memcpy(file->buffer + file->buffered, p, len);
        file->buffered += len;
        return 0;
    }
    int rc = flush_buffer(file, err);
    if (rc)
        return rc;
    if (len >= WRITE_BUFFER_SIZE) {
        /* Large writes skip the copy. */
        int e = write_all(file->fd, p, len);
        if (e)
            return errno_error(err, e, "cannot write", display_path(file), true);
        file->bytes_written += len;
        return 0;
    }
    memcpy(file->buffer, p, len);
    file->buffered = len;
    return 0;
}

/* fsyncs the folder holding path so that the rename itself survives a crash. */
static int sync_folder(const char *path, tn_error *err)
{
    const char *slash = strrchr(path, '/');
    char *folder;
    if (!slash)
        folder = tn_strdup(".");
    else if (slash == path)
        folder = tn_strdup("/");
    else
        folder = tn_strndup(path, (size_t)(slash - path));
    if (!folder)
        return tn_error_set(err, TN_ENOMEM, "out of memory committing '%s'", path);
    int fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0) {
        rc = errno_error(err, errno, "cannot open the folder", folder, false);
    } else {
        /* Some file systems cannot fsync folders (EINVAL); they need no such sync. */
        if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
            rc = errno_error(err, errno, "cannot sync the folder", folder, true);
        close(fd);
    }
    tn_free(folder);
    return rc;
}

/* The first step of committing a file: its buffer written out. Standard output is then done
 * (*done set, the file released); a failure removes the temporary file. */
static int commit_start(tn_atomic_file *file, bool *done, tn_error *err)
{
    *done = true;
    if (!file->buffer)
        return tn_error_set(err, TN_EINVAL, "commit of a file that is not open");
    int rc = flush_buffer(file, err);
    if (!file->path) { /* standard output */
        release(file);
        return rc;
    }
    if (rc) {
        tn_atomic_file_abort(file);
        return rc;
    }
    *done = false;
    return 0;
}

/* Flushes, fsyncs, renames the temporary file over the path, fsyncs the folder and closes.
 * For standard output only flushes. Returns 0 or TN_EIO naming the path; on failure the
 * temporary file is removed. Either way the file is closed afterwards (abort is a no-op). */
int tn_atomic_file_commit(tn_atomic_file *file, tn_error *err)
{
    bool done;
    int rc = commit_start(file, &done, err);
    if (done)
        return rc;
    if (fsync(file->fd) != 0) {
        rc = errno_error(err, errno, "cannot sync", file->path, true);
        goto fail;
    }
    int fd = file->fd;
    file->fd = -1;
    if (close(fd) != 0 && errno != EINTR) {
        /* Some network file systems report write errors only on close. */
        rc = errno_error(err, errno, "cannot write", file->path, true);
        goto fail;
    }
    if (rename(file->temp_path, file->path) != 0) {
        rc = errno_error(err, errno, "cannot rename the temporary file to", file->path, true);
        goto fail;
    }
    rc = sync_folder(file->path, err);
    /* The file is in place even if the folder sync failed; only report it. */
    release(file);
    return rc;

fail:
    tn_atomic_file_abort(file);
    return rc;
}

/* Closes and removes the temporary file. Accepts a file that was committed, aborted, failed
 * to open, or zero-initialised. For standard output it only drops unflushed bytes. */
void tn_atomic_file_abort(tn_atomic_file *file)
{
    if (!file->buffer)
        return;
    if (file->path) {
        if (file->fd >= 0)
            close(file->fd);
        if (file->temp_path)
            unlink(file->temp_path);
    }
    release(file);
}

/* ------------------------------------------------------------------------------------------
 * File groups: many files made durable and visible together. Syncing each file and its folder
 * costs two journal commits per file (seconds for thousands of small files); a group instead
 * syncs each file system once before the renames (syncfs) and once after them.
 * ---------------------------------------------------------------------------------------- */

typedef struct group_file {
    char *temp_path; /* closed, unsynced */
    char *path;
} group_file;

struct tn_file_group {
    group_file *files;
    size_t file_count, file_cap;
    int *fs_fds;     /* one open file per file system the files are on, for syncfs */
    dev_t *fs_devs;
    size_t fs_count, fs_cap;
};

int tn_file_group_new(tn_file_group **out, tn_error *err)
{
    *out = tn_calloc(1, sizeof **out);
    return *out ? 0 : tn_error_set(err, TN_ENOMEM, "out of memory");
}

/* Keeps fd open when it is the group's first file on its file system (syncfs needs a file of
 * each); returns whether it did. */
static int keep_fs_fd(tn_file_group *g, int fd, bool *kept)
{
    *kept = false;
    struct stat st;
    if (fstat(fd, &st) != 0)
        return errno;
    for (size_t i = 0; i < g->fs_count; i++)
        if (g->fs_devs[i] == st.st_dev)
            return 0;
    if (g->fs_count == g->fs_cap) {
        size_t cap = g->fs_cap ? g->fs_cap * 2 : 2;
        int *fds = tn_realloc(g->fs_fds, cap * sizeof *fds);
        if (fds)
            g->fs_fds = fds;
        dev_t *devs = tn_realloc(g->fs_devs, cap * sizeof *devs);
        if (devs)
            g->fs_devs = devs;
        if (!fds || !devs)
            return ENOMEM;
        g->fs_cap = cap;
    }
    g->fs_fds[g->fs_count] = fd;
    g->fs_devs[g->fs_count++] = st.st_dev;
    *kept = true;
    return 0;
}

int tn_file_group_add(tn_file_group *g, tn_atomic_file *file, tn_error *err)
{
    bool done;
    int rc = commit_start(file, &done, err);
    if (done)
        return rc;
    if (g->file_count == g->file_cap) {
        size_t cap = g->file_cap ? g->file_cap * 2 : 16;
        group_file *files = tn_realloc(g->files, cap * sizeof *files);
        if (!files) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory committing '%s'", file->path);
            goto fail;
        }
        g->files = files;
        g->file_cap = cap;
    }
    bool kept = false;
    int e = keep_fs_fd(g, file->fd, &kept);
    if (e) {
        rc = errno_error(err, e, "cannot write", file->path, true);
        goto fail;
    }
    int fd = file->fd;
    file->fd = -1;
    if (!kept && close(fd) != 0 && errno != EINTR) {
        rc = errno_error(err, errno, "cannot write", file->path, true);
        goto fail;
    }
    g->files[g->file_count++] = (group_file){file->temp_path, file->path};
    file->temp_path = NULL;
    file->path = NULL;
    release(file);
    return 0;

fail:
    tn_atomic_file_abort(file);
    return rc;
}

/* Makes every write to the group's files (or their renames) durable: one syncfs per file
 * system; where there is no syncfs, an fsync of every file (before the renames, `temp`) or
 * of every folder (after them). */
static int group_sync(tn_file_group *g, bool temp, tn_error *err)
{
    bool each = false;
    for (size_t i = 0; i < g->fs_count && !each; i++) {
#ifdef __linux__
        if (syncfs(g->fs_fds[i]) == 0)
            continue;
        if (errno != ENOSYS)
            return errno_error(err, errno, "cannot sync", g->files[0].path, true);
#endif
        each = true;
    }
    for (size_t i = 0; each && i < g->file_count; i++) {
        if (!temp) {
            /* consecutive files mostly share a folder: sync it once */
            const char *slash = strrchr(g->files[i].path, '/');
            size_t n = slash ? (size_t)(slash - g->files[i].path) : 0;
            if (i > 0 && strncmp(g->files[i - 1].path, g->files[i].path, n) == 0 &&
                g->files[i - 1].path[n] == '/' && !strchr(g->files[i - 1].path + n + 1, '/'))
                continue;
            int rc = sync_folder(g->files[i].path, err);
            if (rc)
                return rc;
            continue;
        }
        int fd = open(g->files[i].temp_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0) {
            int rc = errno_error(err, errno, "cannot sync", g->files[i].path, true);
            if (fd >= 0)
                close(fd);
            return rc;
        }
        close(fd);
    }
    return 0;
}

/* Closes the files kept open for syncfs. */
static int group_close_fs(tn_file_group *g, tn_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < g->fs_count; i++)
        if (close(g->fs_fds[i]) != 0 && errno != EINTR && rc == 0)
            rc = errno_error(err, errno, "cannot write", g->files[0].path, true);
    g->fs_count = 0;
    return rc;
}

/* Removes the temporary files of files [from, file_count) and forgets every file. */
static void group_drop(tn_file_group *g, size_t from)
{
    for (size_t i = 0; i < g->file_count; i++) {
        if (i >= from)
            unlink(g->files[i].temp_path);
        tn_free(g->files[i].temp_path);
        tn_free(g->files[i].path);
    }
    g->file_count = 0;
}

int tn_file_group_commit(tn_file_group *g, tn_error *err)
{
    if (g->file_count == 0)
        return group_close_fs(g, err);
    size_t renamed = 0;
    int rc = group_sync(g, true, err);
    while (rc == 0 && renamed < g->file_count) {
        if (rename(g->files[renamed].temp_path, g->files[renamed].path) != 0)
            rc = errno_error(err, errno, "cannot rename the temporary file to",
                             g->files[renamed].path, true);
        else
            renamed++;
    }
    if (rc == 0) {
        /* the files are in place even if these fail; it is only reported */
        rc = group_sync(g, false, err);
        if (rc == 0)
            rc = group_close_fs(g, err);
        renamed = g->file_count;
    }
    (void)group_close_fs(g, NULL);
    group_drop(g, renamed);
    return rc;
}

void tn_file_group_free(tn_file_group *g)
{
    if (!g)
        return;
    (void)group_close_fs(g, NULL);
    group_drop(g, 0);
    tn_free(g->files);
    tn_free(g->fs_fds);
    tn_free(g->fs_devs);
    tn_free(g);
}

int tn_atomic_file_finish(tn_atomic_file *file, tn_file_group *group, tn_error *err)
{
    return group ? tn_file_group_add(group, file, err) : tn_atomic_file_commit(file, err);
}

/* Opens path read-only (retrying on EINTR) and stats it: 0, or an error naming the path with
 * nothing left open. */
static int open_for_reading(const char *path, int *fd_out, struct stat *st, tn_error *err)
{
    int fd;
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return errno_error(err, errno, "cannot open", path, false);
    if (fstat(fd, st) != 0) {
        int rc = errno_error(err, errno, "cannot read", path, false);
        close(fd);
        return rc;
    }
    *fd_out = fd;
    return 0;
}

/* Reads the whole file at path into a tn_malloc'd, NUL-terminated buffer (*data, free with
 * tn_free) and its length (*len, may be NULL). Returns 0, TN_ENOENT, TN_ENOMEM or TN_EIO,
 * with the message naming the path. */
int tn_file_read_all(const char *path, char **data, size_t *len, tn_error *err)
{
    *data = NULL;
    if (len)
        *len = 0;
    int fd;
    struct stat st;
    int rc = open_for_reading(path, &fd, &st, err);
    if (rc)
        return rc;
    char *buf = NULL;
    if (S_ISDIR(st.st_mode)) {
        rc = tn_error_set(err, TN_EINVAL, "cannot read '%s': it is a folder, not a file", path);
        goto fail;
    }
    /* The size is a hint: files in /proc report 0 and files may grow while being read. */
    size_t cap = (S_ISREG(st.st_mode) && st.st_size > 0) ? (size_t)st.st_size + 1 : 4096;
    size_t used = 0;
    buf = tn_malloc(cap);
    if (!buf)
        goto oom;
    for (;;) {
        if (cap - used < 2) {
            if (cap > SIZE_MAX / 2)
                goto oom;
            char *bigger = tn_realloc(buf, cap * 2);
            if (!bigger)
                goto oom;
            buf = bigger;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + used, cap - used - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = errno_error(err, errno, "cannot read", path, false);
            goto fail;
        }
        if (r == 0)
            break;
        used += (size_t)r;
    }
    close(fd);
    buf[used] = '\0';
    *data = buf;
    if (len)
        *len = used;
    return 0;

oom:
    rc = tn_error_set(err, TN_ENOMEM, "out of memory reading '%s'", path);
fail:
    close(fd);
    tn_free(buf);
    return rc;
}

/* Reads `len` bytes at `offset` of the file at path into a tn_malloc'd buffer (*data, free with
 * tn_free). A range past the end of the file is TN_ECORRUPT (the caller's offsets came from
 * metadata that does not match the file); else 0, TN_ENOENT, TN_ENOMEM or TN_EIO. */
int tn_file_read_range(const char *path, uint64_t offset, size_t len, char **data, tn_error *err)
{
    *data = NULL;
    int fd;
    struct stat st;
    int rc = open_for_reading(path, &fd, &st, err);
    if (rc)
        return rc;
    char *buf = NULL;
    /* Checked before allocating: the range may come from hostile metadata. */
    if (!S_ISREG(st.st_mode) || offset > (uint64_t)st.st_size || len > (uint64_t)st.st_size - offset) {
        rc = tn_error_set(err, TN_ECORRUPT, "cannot read %zu bytes at offset %llu of '%s': the file has %lld",
                          len, (unsigned long long)offset, path, (long long)st.st_size);
        goto done;
    }
    buf = tn_malloc(len ? len : 1);
    if (!buf) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory reading '%s'", path);
        goto done;
    }
    for (size_t got = 0; got < len;) {
        ssize_t r = pread(fd, buf + got, len - got, (off_t)(offset + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = r < 0 ? errno_error(err, errno, "cannot read", path, false)
                       : tn_error_set(err, TN_EIO, "cannot read '%s': it ended early", path);
            goto done;
        }
        got += (size_t)r;
    }
    *data = buf;
    buf = NULL;
done:
    close(fd);
    tn_free(buf);
    return rc;
}
