/* SPDX-License-Identifier: Apache-2.0
 *
 * Content hashes for the ledger: two independent 64-bit lanes of tn_hash_bytes chained over
 * fixed 1 MiB chunks of the file as stored, then the length. The chunk size is fixed (reads
 * are looped until a chunk is full) so the same bytes always give the same hash, whatever
 * the kernel's read sizes; memory stays at one chunk whatever the file's size.
 */
#include "ingest/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define CHUNK_BYTES ((size_t)1 << 20)
#define SEED_A 0x243f6a8885a308d3ULL /* two unrelated seeds: the lanes must not correlate */
#define SEED_B 0x13198a2e03707344ULL

/* Reads until buf is full or the file ends. Returns bytes read or -1 with errno. */
static ssize_t read_full(int fd, char *buf, size_t cap)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Hashes a file's bytes into 32 hex digits. */
int tn_ingest_hash_file(const char *path, char out[TN_INGEST_HASH_HEX], int64_t *size,
                        tn_error *err)
{
    out[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tn_error_set_at(err, errno == ENOENT ? TN_ENOENT : TN_EIO, path, 0, 0,
                               "cannot open '%s': %s", path, strerror(errno));
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    char *buf = tn_malloc(CHUNK_BYTES);
    if (!buf) {
        close(fd);
        return tn_error_set(err, TN_ENOMEM, "out of memory hashing '%s'", path);
    }
    uint64_t a = SEED_A, b = SEED_B;
    uint64_t total = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = read_full(fd, buf, CHUNK_BYTES);
        if (n < 0) {
            rc = tn_error_set_at(err, TN_EIO, path, 0, 0, "cannot read '%s': %s", path,
                                 strerror(errno));
            break;
        }
        if (n == 0) break;
        a = tn_hash_bytes(buf, (size_t)n, a);
        b = tn_hash_bytes(buf, (size_t)n, b ^ a);
        total += (uint64_t)n;
        if ((size_t)n < CHUNK_BYTES) break;
    }
    tn_free(buf);
    close(fd);
    if (rc < 0) return rc;
    a = tn_hash_u64(a ^ total);
    b = tn_hash_u64(b + total * 0x9e3779b97f4a7c15ULL);
    snprintf(out, TN_INGEST_HASH_HEX, "%016llx%016llx", (unsigned long long)a,
             (unsigned long long)b);
    if (size) *size = (int64_t)total;
    return 0;
}
