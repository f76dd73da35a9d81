/* SPDX-License-Identifier: Apache-2.0
 *
 * The input layer every format reads through: sequential bytes of a file or of standard
 * input, decompressed on the fly when the bytes start with a gzip or zstd magic number. The
 * name of the file is not trusted: a `.csv` that is really gzip is read correctly, and so is
 * a `.gz` that is really plain text.
 */
#include "formats/formats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_CHUNK (1u << 20)

typedef enum compression {
    COMPRESSION_NONE,
    COMPRESSION_GZIP,
    COMPRESSION_ZSTD,
} compression;

struct tn_input {
    int fd;
    bool owns_fd;
    char *path;
    int64_t file_size; /* -1 when not a regular file */
    int64_t file_offset;
    compression kind;
    /* Raw (compressed) bytes read ahead of the decompressor. */
    uint8_t *raw;
    size_t raw_len;
    size_t raw_pos;
    bool raw_eof;
    z_stream gz;
    bool gz_ready;
    bool gz_member_done; /* the current gzip member ended; another may follow */
    ZSTD_DCtx *zstd;
    bool zstd_frame_done;
};

static int fill_raw(tn_input *in, tn_error *err)
{
    if (in->raw_pos < in->raw_len || in->raw_eof) return 0;
    for (;;) {
        ssize_t got = read(in->fd, in->raw, RAW_CHUNK);
        if (got < 0) {
            if (errno == EINTR) continue;
            return tn_error_set_at(err, TN_EIO, in->path, 0, 0, "cannot read '%s': %s",
                                   in->path, strerror(errno));
        }
        in->raw_len = (size_t)got;
        in->raw_pos = 0;
        in->file_offset += got;
        if (got == 0) in->raw_eof = true;
        return 0;
    }
}

static compression sniff_compression(const uint8_t *p, size_t n)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) return COMPRESSION_GZIP;
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return COMPRESSION_ZSTD;
    return COMPRESSION_NONE;
}

/* Opens `path` ("-" = standard input) and detects compression from its first bytes.
 * Returns 0, TN_ENOENT, TN_EIO or TN_ENOMEM. */
int tn_input_open(const char *path, tn_input **out, tn_error *err)
{
    *out = NULL;
    tn_input *in = tn_calloc(1, sizeof *in);
    if (!in) return tn_error_set(err, TN_ENOMEM, "out of memory opening '%s'", path);
    in->fd = -1;
    in->file_size = -1;
    in->path = tn_strdup(path);
    in->raw = tn_malloc(RAW_CHUNK);
    if (!in->path || !in->raw) {
        tn_input_close(in);
        return tn_error_set(err, TN_ENOMEM, "out of memory opening '%s'", path);
    }
    if (strcmp(path, "-") == 0) {
        in->fd = STDIN_FILENO;
    } else {
        in->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (in->fd < 0) {
            int saved = errno;
            tn_input_close(in);
            if (saved == ENOENT)
                return tn_error_set_at(err, TN_ENOENT, path, 0, 0,
                                       "no such file: '%s' (check the path)", path);
            return tn_error_set_at(err, TN_EIO, path, 0, 0, "cannot open '%s': %s", path,
                                   strerror(saved));
        }
        in->owns_fd = true;
        struct stat st;
        if (fstat(in->fd, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                tn_input_close(in);
                return tn_error_set_at(err, TN_EINVAL, path, 0, 0,
                                       "'%s' is a folder, not a file (name the files in it, "
                                       "or use a glob such as '%s/*.csv')",
                                       path, path);
            }
            if (S_ISREG(st.st_mode)) in->file_size = (int64_t)st.st_size;
        }
    }
    int rc = fill_raw(in, err);
    if (rc < 0) {
        tn_input_close(in);
        return rc;
    }
    in->kind = sniff_compression(in->raw, in->raw_len);
    if (in->kind == COMPRESSION_GZIP) {
        /* 15 + 32: zlib detects the gzip header itself. */
        if (inflateInit2(&in->gz, 15 + 32) != Z_OK) {
            tn_input_close(in);
            return tn_error_set(err, TN_ENOMEM, "out of memory starting gzip decompression");
        }
        in->gz_ready = true;
    } else if (in->kind == COMPRESSION_ZSTD) {
        in->zstd = ZSTD_createDCtx();
        if (!in->zstd) {
            tn_input_close(in);
            return tn_error_set(err, TN_ENOMEM, "out of memory starting zstd decompression");
        }
    }
    *out = in;
    return 0;
}

static int64_t read_gzip(tn_input *in, uint8_t *buf, size_t cap, tn_error *err)
{
    size_t produced = 0;
    while (produced < cap) {
        int rc = fill_raw(in, err);
        if (rc < 0) return rc;
        if (in->raw_pos == in->raw_len) {
            if (!in->gz_member_done && (in->gz.total_in > 0 || in->gz.total_out > 0))
                return tn_error_set_at(err, TN_ECORRUPT, in->path, 0, 0,
                                       "'%s' is a truncated gzip file (the compressed stream "
                                       "ends early; recompress or re-download it)",
                                       in->path);
            break;
        }
        if (in->gz_member_done) {
            /* Concatenated gzip members form one stream (as gzip -d reads them). */
            if (inflateReset(&in->gz) != Z_OK)
                return tn_error_set(err, TN_EINTERNAL, "cannot restart gzip decompression");
            in->gz_member_done = false;
        }
        in->gz.next_in = in->raw + in->raw_pos;
        in->gz.avail_in = (uInt)(in->raw_len - in->raw_pos);
        in->gz.next_out = buf + produced;
        in->gz.avail_out = (uInt)(cap - produced > UINT32_MAX ? UINT32_MAX : cap - produced);
        uInt before_out = in->gz.avail_out;
        rc = inflate(&in->gz, Z_NO_FLUSH);
        in->raw_pos = (size_t)(in->gz.next_in - in->raw);
        produced += before_out - in->gz.avail_out;
        if (rc == Z_STREAM_END) {
            in->gz_member_done = true;
        } else if (rc == Z_MEM_ERROR) {
            return tn_error_set(err, TN_ENOMEM, "out of memory decompressing '%s'", in->path);
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return tn_error_set_at(err, TN_ECORRUPT, in->path, 0, 0,
                                   "'%s' is not valid gzip data (%s)", in->path,
                                   in->gz.msg ? in->gz.msg : "corrupt stream");
        }
    }
    return (int64_t)produced;
}

static int64_t read_zstd(tn_input *in, uint8_t *buf, size_t cap, tn_error *err)
{
    ZSTD_outBuffer output = {buf, cap, 0};
    while (output.pos < output.size) {
        int rc = fill_raw(in, err);
        if (rc < 0) return rc;
        if (in->raw_pos == in->raw_len) {
            if (!in->zstd_frame_done)
                return tn_error_set_at(err, TN_ECORRUPT, in->path, 0, 0,
                                       "'%s' is a truncated zstd file (the compressed stream "
                                       "ends early; recompress or re-download it)",
                                       in->path);
            break;
        }
        ZSTD_inBuffer input = {in->raw, in->raw_len, in->raw_pos};
        size_t ret = ZSTD_decompressStream(in->zstd, &output, &input);
        in->raw_pos = input.pos;
        if (ZSTD_isError(ret))
            return tn_error_set_at(err, TN_ECORRUPT, in->path, 0, 0,
                                   "'%s' is not valid zstd data (%s)", in->path,
                                   ZSTD_getErrorName(ret));
        in->zstd_frame_done = ret == 0;
    }
    return (int64_t)output.pos;
}

/* Reads up to cap decompressed bytes; 0 at the end of the input. */
int64_t tn_input_read(tn_input *in, void *buf, size_t cap, tn_error *err)
{
    if (cap == 0) return 0;
    switch (in->kind) {
    case COMPRESSION_GZIP:
        return read_gzip(in, buf, cap, err);
    case COMPRESSION_ZSTD:
        return read_zstd(in, buf, cap, err);
    case COMPRESSION_NONE:
        break;
    }
    /* Plain input: drain what the sniffing read left, then read straight into buf. */
    if (in->raw_pos < in->raw_len) {
        size_t n = in->raw_len - in->raw_pos;
        if (n > cap) n = cap;
        memcpy(buf, in->raw + in->raw_pos, n);
        in->raw_pos += n;
        return (int64_t)n;
    }
    if (in->raw_eof) return 0;
    size_t produced = 0;
    while (produced < cap) {
        ssize_t got = read(in->fd, (uint8_t *)buf + produced, cap - produced);
        if (got < 0) {
            if (errno == EINTR) continue;
            return tn_error_set_at(err, TN_EIO, in->path, 0, 0, "cannot read '%s': %s",
                                   in->path, strerror(errno));
        }
        if (got == 0) {
            in->raw_eof = true;
            break;
        }
        produced += (size_t)got;
        in->file_offset += got;
    }
    return (int64_t)produced;
}

/* "gzip", "zstd", or NULL for plain input. */
const char *tn_input_compression(const tn_input *in)
{
    switch (in->kind) {
    case COMPRESSION_GZIP:
        return "gzip";
    case COMPRESSION_ZSTD:
        return "zstd";
    default:
        return NULL;
    }
}

/* Size on disk, -1 for pipes and standard input. */
int64_t tn_input_file_size(const tn_input *in) { return in->file_size; }

/* On-disk bytes consumed so far; with file_size it gives progress. */
int64_t tn_input_file_offset(const tn_input *in) { return in->file_offset; }

/* The path given to tn_input_open. */
const char *tn_input_path(const tn_input *in) { return in->path; }

/* Closes the file and frees the input; accepts NULL. */
void tn_input_close(tn_input *in)
{
    if (!in) return;
    if (in->gz_ready) inflateEnd(&in->gz);
    if (in->zstd) ZSTD_freeDCtx(in->zstd);
    if (in->owns_fd && in->fd >= 0) close(in->fd);
    tn_free(in->raw);
    tn_free(in->path);
    tn_free(in);
}

/* Reads up to cap decompressed bytes from the start of path, for probing its format. */
int64_t tn_input_peek(const char *path, void *buf, size_t cap, tn_error *err)
{
    tn_input *in = NULL;
    int rc = tn_input_open(path, &in, err);
    if (rc < 0) return rc;
    size_t total = 0;
    while (total < cap) {
        int64_t got = tn_input_read(in, (uint8_t *)buf + total, cap - total, err);
        if (got < 0) {
            /* A truncated compressed file still has a readable head to probe. */
            if (total > 0) break;
            tn_input_close(in);
            return got;
        }
        if (got == 0) break;
        total += (size_t)got;
    }
    tn_input_close(in);
    return (int64_t)total;
}
