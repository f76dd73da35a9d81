/* SPDX-License-Identifier: Apache-2.0
 *
 * Avro object container files for manifests and manifest lists. libavro (avro-c) parses the
 * schemas and encodes/decodes each record; this file does the container around them: the
 * header (magic, key-value metadata, sync marker), blocks and their codecs (null, deflate,
 * snappy, zstandard). Doing the framing here is what lets tarn write the key-value metadata
 * Iceberg requires (libavro's file writer only writes avro.schema and avro.codec) and keep the
 * writer schema text verbatim with its field-id attributes.
 *
 * Every size read from a file is checked against the bytes that remain, decompressed blocks
 * are capped, and libavro's allocations go through tn_malloc with a per-thread ceiling, so a
 * corrupt file gives TN_ECORRUPT naming it, not a crash or a runaway allocation.
 */
#include "lake/lake_int.h"

#include <pthread.h>
#include <snappy-c.h>
#include <stdio.h>
#include <sys/random.h>
#include <zlib.h>
#include <zstd.h>

#define AVRO_MAX_BLOCK ((size_t)64 << 20)     /* decompressed bytes of one block */
#define AVRO_MAX_ALLOC ((size_t)64 << 20)     /* largest single libavro allocation */
#define AVRO_BLOCK_TARGET ((size_t)256 << 10) /* flush a block past this many bytes */
#define AVRO_MAX_META 4096                    /* header metadata entries */

/* ------------------------------------------------------------------------------------------
 * libavro allocation through tn_malloc, refusing absurd sizes (a string length read from a
 * corrupt file must not become a 2^60-byte allocation).
 * ---------------------------------------------------------------------------------------- */

static void *avro_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        tn_free(ptr);
        return NULL;
    }
    if (nsize > AVRO_MAX_ALLOC) return NULL;
    return tn_realloc(ptr, nsize);
}

static pthread_once_t avro_once = PTHREAD_ONCE_INIT;
static void avro_init(void) { avro_set_allocator(avro_alloc, NULL); }

/* ------------------------------------------------------------------------------------------
 * Varints (zig-zag longs)
 * ---------------------------------------------------------------------------------------- */

static bool read_long(const uint8_t *data, size_t len, size_t *pos, int64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*pos >= len) return false;
        uint8_t b = data[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
            return true;
        }
    }
    return false;
}

static int put_long(tn_buf *out, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    uint8_t b[10];
    int n = 0;
    while (z >= 0x80) {
        b[n++] = (uint8_t)(z | 0x80);
        z >>= 7;
    }
    b[n++] = (uint8_t)z;
    return tn_buf_append(out, b, (size_t)n);
}

static int put_bytes(tn_buf *out, const void *p, size_t n)
{
    int rc = put_long(out, (int64_t)n);
    return rc < 0 ? rc : tn_buf_append(out, p, n);
}

/* ------------------------------------------------------------------------------------------
 * Reader
 * ---------------------------------------------------------------------------------------- */

typedef enum codec { CODEC_NULL, CODEC_DEFLATE, CODEC_SNAPPY, CODEC_ZSTD } codec;

typedef struct meta_entry {
    tn_str key;
    tn_str value;
} meta_entry;

struct tn_avro_reader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    char *file;
    uint32_t meta_count;
    meta_entry *meta;
    uint8_t sync[16];
    codec codec;
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t value;
    bool has_value;
    avro_reader_t mem;
    uint8_t *block;       /* decompressed block (or NULL when the codec is null) */
    size_t block_cap;
    int64_t block_left;   /* records left in the current block */
};

static int corrupt(tn_avro_reader *r, tn_error *err, const char *what)
{
    return tn_error_set_at(err, TN_ECORRUPT, r->file, 0, 0,
                           "corrupt Avro file: %s (at byte %zu)", what, r->pos);
}

/* Parses an Avro container header held in memory. */
int tn_avro_reader_open(const void *data, size_t len, const char *file, tn_avro_reader **out,
                        tn_error *err)
{
    pthread_once(&avro_once, avro_init);
    *out = NULL;
    tn_avro_reader *r = tn_calloc(1, sizeof *r);
    if (!r) return tn_error_set(err, TN_ENOMEM, "out of memory");
    r->data = data;
    r->len = len;
    r->file = tn_strdup(file ? file : "(avro)");
    int rc = 0;
    if (!r->file) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto fail;
    }
    if (len < 4 || memcmp(data, "Obj\x01", 4) != 0) {
        rc = tn_error_set_at(err, TN_EFORMAT, r->file, 0, 0,
                             "not an Avro container file (missing the 'Obj\\x01' magic)");
        goto fail;
    }
    r->pos = 4;
    for (;;) {
        int64_t count;
        if (!read_long(r->data, len, &r->pos, &count)) {
            rc = corrupt(r, err, "truncated header");
            goto fail;
        }
        if (count == 0) break;
        if (count < 0) {
            int64_t size;
            if (count == INT64_MIN || !read_long(r->data, len, &r->pos, &size)) {
                rc = corrupt(r, err, "bad header block");
                goto fail;
            }
            count = -count;
        }
        if (count > AVRO_MAX_META || r->meta_count + (uint64_t)count > AVRO_MAX_META) {
            rc = corrupt(r, err, "too many header entries");
            goto fail;
        }
        meta_entry *m = tn_realloc(r->meta, (r->meta_count + (size_t)count) * sizeof *m);
        if (!m) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            goto fail;
        }
        r->meta = m;
        for (int64_t i = 0; i < count; i++) {
            tn_str parts[2];
            for (int j = 0; j < 2; j++) {
                int64_t n;
                if (!read_long(r->data, len, &r->pos, &n) || n < 0 || (uint64_t)n > len - r->pos) {
                    rc = corrupt(r, err, "bad header entry");
                    goto fail;
                }
                parts[j] = tn_str_make((const char *)r->data + r->pos, (size_t)n);
                r->pos += (size_t)n;
            }
            r->meta[r->meta_count].key = parts[0];
            r->meta[r->meta_count].value = parts[1];
            r->meta_count++;
        }
    }
    if (len - r->pos < 16) {
        rc = corrupt(r, err, "missing sync marker");
        goto fail;
    }
    memcpy(r->sync, r->data + r->pos, 16);
    r->pos += 16;

    tn_str codec_name = TN_STR_LIT("null"), schema_text;
    tn_avro_reader_meta(r, "avro.codec", &codec_name);
    if (tn_str_eq(codec_name, TN_STR_LIT("null"))) r->codec = CODEC_NULL;
    else if (tn_str_eq(codec_name, TN_STR_LIT("deflate"))) r->codec = CODEC_DEFLATE;
    else if (tn_str_eq(codec_name, TN_STR_LIT("snappy"))) r->codec = CODEC_SNAPPY;
    else if (tn_str_eq(codec_name, TN_STR_LIT("zstandard"))) r->codec = CODEC_ZSTD;
    else {
        rc = tn_error_set_at(err, TN_EUNSUPPORTED, r->file, 0, 0, "Avro codec '%.*s' is not supported",
                             (int)(codec_name.len > 64 ? 64 : codec_name.len), codec_name.ptr);
        goto fail;
    }
    if (!tn_avro_reader_meta(r, "avro.schema", &schema_text) || schema_text.len == 0) {
        rc = tn_error_set_at(err, TN_ECORRUPT, r->file, 0, 0, "corrupt Avro file: the header has no schema");
        goto fail;
    }
    if (avro_schema_from_json_length(schema_text.ptr, schema_text.len, &r->schema) != 0) {
        r->schema = NULL;
        rc = tn_error_set_at(err, TN_ECORRUPT, r->file, 0, 0, "corrupt Avro file: bad schema: %s",
                             avro_strerror());
        goto fail;
    }
    r->iface = avro_generic_class_from_schema(r->schema);
    if (!r->iface || avro_generic_value_new(r->iface, &r->value) != 0) {
        rc = tn_error_set_at(err, TN_ECORRUPT, r->file, 0, 0, "Avro schema not usable: %s", avro_strerror());
        goto fail;
    }
    r->has_value = true;
    r->mem = avro_reader_memory("", 0);
    if (!r->mem) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto fail;
    }
    *out = r;
    return 0;
fail:
    tn_avro_reader_close(r);
    return rc;
}

/* A header metadata value. */
bool tn_avro_reader_meta(const tn_avro_reader *reader, const char *key, tn_str *value)
{
    tn_str k = tn_str_c(key);
    for (uint32_t i = 0; i < reader->meta_count; i++)
        if (tn_str_eq(reader->meta[i].key, k)) {
            *value = reader->meta[i].value;
            return true;
        }
    return false;
}

/* The writer schema. */
avro_schema_t tn_avro_reader_schema(const tn_avro_reader *reader) { return reader->schema; }

static int grow_block(tn_avro_reader *r, size_t need)
{
    if (need <= r->block_cap) return 0;
    size_t cap = r->block_cap ? r->block_cap : 65536;
    while (cap < need) cap *= 2;
    uint8_t *b = tn_realloc(r->block, cap);
    if (!b) return TN_ENOMEM;
    r->block = b;
    r->block_cap = cap;
    return 0;
}

/* Decompresses [src, src+n) into r->block; *out_len gets the size. */
static int decompress(tn_avro_reader *r, const uint8_t *src, size_t n, size_t *out_len, tn_error *err)
{
    switch (r->codec) {
    case CODEC_DEFLATE: {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (inflateInit2(&zs, -15) != Z_OK) return tn_error_set(err, TN_ENOMEM, "out of memory");
        zs.next_in = (Bytef *)src;
        zs.avail_in = (uInt)n;
        size_t produced = 0;
        int zrc = Z_OK;
        while (zrc != Z_STREAM_END) {
            if (produced == r->block_cap) {
                if (r->block_cap >= AVRO_MAX_BLOCK) {
                    inflateEnd(&zs);
                    return corrupt(r, err, "a block inflates past the size limit");
                }
                if (grow_block(r, r->block_cap ? r->block_cap * 2 : 65536) < 0) {
                    inflateEnd(&zs);
                    return tn_error_set(err, TN_ENOMEM, "out of memory");
                }
            }
            zs.next_out = r->block + produced;
            zs.avail_out = (uInt)(r->block_cap - produced);
            zrc = inflate(&zs, Z_NO_FLUSH);
            produced = r->block_cap - zs.avail_out;
            if (zrc == Z_STREAM_END) break;
            if (zrc != Z_OK || (zs.avail_in == 0 && zs.avail_out != 0)) {
                inflateEnd(&zs);
                return corrupt(r, err, "bad deflate data");
            }
        }
        inflateEnd(&zs);
        *out_len = produced;
        return 0;
    }
    case CODEC_SNAPPY: {
        /* Snappy blocks end with a 4-byte CRC32 of the uncompressed bytes. */
        if (n < 4) return corrupt(r, err, "short snappy block");
        size_t ulen = 0;
        if (snappy_uncompressed_length((const char *)src, n - 4, &ulen) != SNAPPY_OK || ulen > AVRO_MAX_BLOCK)
            return corrupt(r, err, "bad snappy block");
        if (grow_block(r, ulen + 1) < 0) return tn_error_set(err, TN_ENOMEM, "out of memory");
        if (snappy_uncompress((const char *)src, n - 4, (char *)r->block, &ulen) != SNAPPY_OK)
            return corrupt(r, err, "bad snappy block");
        *out_len = ulen;
        return 0;
    }
    case CODEC_ZSTD: {
        unsigned long long ulen = ZSTD_getFrameContentSize(src, n);
        if (ulen == ZSTD_CONTENTSIZE_ERROR) return corrupt(r, err, "bad zstandard block");
        if (ulen == ZSTD_CONTENTSIZE_UNKNOWN) ulen = AVRO_MAX_BLOCK;
        if (ulen > AVRO_MAX_BLOCK) return corrupt(r, err, "a block decompresses past the size limit");
        if (grow_block(r, (size_t)ulen + 1) < 0) return tn_error_set(err, TN_ENOMEM, "out of memory");
        size_t got = ZSTD_decompress(r->block, (size_t)ulen + 1, src, n);
        if (ZSTD_isError(got)) return corrupt(r, err, "bad zstandard block");
        *out_len = got;
        return 0;
    }
    default: return TN_EINTERNAL;
    }
}

/* Decodes the next record. */
int tn_avro_reader_next(tn_avro_reader *r, avro_value_t **value, tn_error *err)
{
    *value = NULL;
    while (r->block_left == 0) {
        if (r->pos > 0 && r->pos == r->len) return 0;
        int64_t count, size;
        if (!read_long(r->data, r->len, &r->pos, &count) || !read_long(r->data, r->len, &r->pos, &size))
            return corrupt(r, err, "truncated block header");
        if (count < 0 || size < 0 || (uint64_t)size > r->len - r->pos || r->len - r->pos - (size_t)size < 16)
            return corrupt(r, err, "block size runs past the end of the file");
        const uint8_t *src = r->data + r->pos;
        r->pos += (size_t)size;
        if (memcmp(r->data + r->pos, r->sync, 16) != 0) return corrupt(r, err, "sync marker mismatch");
        r->pos += 16;
        size_t block_len = (size_t)size;
        const uint8_t *block = src;
        if (r->codec != CODEC_NULL) {
            int rc = decompress(r, src, (size_t)size, &block_len, err);
            if (rc < 0) return rc;
            block = r->block;
        }
        /* Every record takes at least one byte in the schemas this module reads. */
        if ((uint64_t)count > block_len) return corrupt(r, err, "more records than bytes in a block");
        avro_reader_memory_set_source(r->mem, (const char *)block, (int64_t)block_len);
        r->block_left = count;
    }
    avro_value_reset(&r->value);
    if (avro_value_read(r->mem, &r->value) != 0)
        return corrupt(r, err, "a record does not match the schema");
    r->block_left--;
    *value = &r->value;
    return 0;
}

/* Closes a reader. */
void tn_avro_reader_close(tn_avro_reader *r)
{
    if (!r) return;
    if (r->mem) avro_reader_free(r->mem);
    if (r->has_value) avro_value_decref(&r->value);
    if (r->iface) avro_value_iface_decref(r->iface);
    if (r->schema) avro_schema_decref(r->schema);
    tn_free(r->block);
    tn_free(r->meta);
    tn_free(r->file);
    tn_free(r);
}

/* ------------------------------------------------------------------------------------------
 * Writer
 * ---------------------------------------------------------------------------------------- */

struct tn_avro_writer {
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t record;
    bool has_record;
    avro_writer_t mem;
    char *scratch;
    size_t scratch_cap;
    tn_buf block;        /* uncompressed records of the current block */
    int64_t block_count;
    tn_buf out;          /* the file so far */
    uint8_t sync[16];
};

/* Starts a container file. */
int tn_avro_writer_open(const char *schema_json, const char *const *metadata,
                        tn_avro_writer **out, tn_error *err)
{
    pthread_once(&avro_once, avro_init);
    *out = NULL;
    tn_avro_writer *w = tn_calloc(1, sizeof *w);
    if (!w) return tn_error_set(err, TN_ENOMEM, "out of memory");
    int rc = 0;
    if (avro_schema_from_json_length(schema_json, strlen(schema_json), &w->schema) != 0) {
        w->schema = NULL;
        rc = tn_error_set(err, TN_EINTERNAL, "Avro schema rejected: %s", avro_strerror());
        goto fail;
    }
    w->iface = avro_generic_class_from_schema(w->schema);
    if (!w->iface || avro_generic_value_new(w->iface, &w->record) != 0) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto fail;
    }
    w->has_record = true;
    w->mem = avro_writer_memory("", 0);
    if (!w->mem) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto fail;
    }
    if (getrandom(w->sync, sizeof w->sync, 0) != (ssize_t)sizeof w->sync) {
        for (int i = 0; i < 16; i++) w->sync[i] = (uint8_t)(tn_hash_u64((uint64_t)tn_now_us() + (uint64_t)i));
    }
    size_t meta_count = 2;
    for (size_t i = 0; metadata && metadata[i] && metadata[i + 1]; i += 2) meta_count++;
    rc = tn_buf_append(&w->out, "Obj\x01", 4);
    if (rc == 0) rc = put_long(&w->out, (int64_t)meta_count);
    if (rc == 0) rc = put_bytes(&w->out, "avro.schema", 11);
    if (rc == 0) rc = put_bytes(&w->out, schema_json, strlen(schema_json));
    if (rc == 0) rc = put_bytes(&w->out, "avro.codec", 10);
    if (rc == 0) rc = put_bytes(&w->out, "deflate", 7);
    for (size_t i = 0; rc == 0 && metadata && metadata[i] && metadata[i + 1]; i += 2) {
        rc = put_bytes(&w->out, metadata[i], strlen(metadata[i]));
        if (rc == 0) rc = put_bytes(&w->out, metadata[i + 1], strlen(metadata[i + 1]));
    }
    if (rc == 0) rc = put_long(&w->out, 0);
    if (rc == 0) rc = tn_buf_append(&w->out, w->sync, 16);
    if (rc < 0) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto fail;
    }
    *out = w;
    return 0;
fail:
    tn_avro_writer_free(w);
    return rc;
}

/* The record to fill next (reset). */
avro_value_t *tn_avro_writer_record(tn_avro_writer *w)
{
    avro_value_reset(&w->record);
    return &w->record;
}

static int flush_block(tn_avro_writer *w, tn_error *err)
{
    if (w->block_count == 0) return 0;
    uLong bound = compressBound((uLong)w->block.len) + 64;
    uint8_t *z = tn_malloc(bound);
    if (!z) return tn_error_set(err, TN_ENOMEM, "out of memory");
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        tn_free(z);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    zs.next_in = (Bytef *)w->block.data;
    zs.avail_in = (uInt)w->block.len;
    zs.next_out = z;
    zs.avail_out = (uInt)bound;
    int zrc = deflate(&zs, Z_FINISH);
    size_t zlen = bound - zs.avail_out;
    deflateEnd(&zs);
    int rc = zrc == Z_STREAM_END ? 0 : TN_EINTERNAL;
    if (rc == 0) rc = put_long(&w->out, w->block_count);
    if (rc == 0) rc = put_long(&w->out, (int64_t)zlen);
    if (rc == 0) rc = tn_buf_append(&w->out, z, zlen);
    if (rc == 0) rc = tn_buf_append(&w->out, w->sync, 16);
    tn_free(z);
    if (rc < 0) return tn_error_set(err, rc, "cannot compress an Avro block");
    tn_buf_clear(&w->block);
    w->block_count = 0;
    return 0;
}

/* Encodes the filled record. */
int tn_avro_writer_append(tn_avro_writer *w, tn_error *err)
{
    size_t size = 0;
    if (avro_value_sizeof(&w->record, &size) != 0)
        return tn_error_set(err, TN_EINTERNAL, "Avro record incomplete: %s", avro_strerror());
    if (size > w->scratch_cap) {
        char *s = tn_realloc(w->scratch, size);
        if (!s) return tn_error_set(err, TN_ENOMEM, "out of memory");
        w->scratch = s;
        w->scratch_cap = size;
    }
    avro_writer_memory_set_dest(w->mem, w->scratch, (int64_t)size);
    if (avro_value_write(w->mem, &w->record) != 0)
        return tn_error_set(err, TN_EINTERNAL, "Avro encoding failed: %s", avro_strerror());
    if (tn_buf_append(&w->block, w->scratch, size) < 0) return tn_error_set(err, TN_ENOMEM, "out of memory");
    w->block_count++;
    if (w->block.len >= AVRO_BLOCK_TARGET) return flush_block(w, err);
    return 0;
}

/* Flushes and appends the file's bytes to out. */
int tn_avro_writer_finish(tn_avro_writer *w, tn_buf *out, tn_error *err)
{
    int rc = flush_block(w, err);
    if (rc < 0) return rc;
    if (tn_buf_append(out, w->out.data, w->out.len) < 0) return tn_error_set(err, TN_ENOMEM, "out of memory");
    return 0;
}

/* Frees a writer. */
void tn_avro_writer_free(tn_avro_writer *w)
{
    if (!w) return;
    if (w->mem) avro_writer_free(w->mem);
    if (w->has_record) avro_value_decref(&w->record);
    if (w->iface) avro_value_iface_decref(w->iface);
    if (w->schema) avro_schema_decref(w->schema);
    tn_free(w->scratch);
    tn_buf_free(&w->block);
    tn_buf_free(&w->out);
    tn_free(w);
}

/* ------------------------------------------------------------------------------------------
 * Value helpers
 * ---------------------------------------------------------------------------------------- */

/* The named field of a record, through an optional union; false when absent or null. */
bool tn_avro_field(avro_value_t *record, const char *name, avro_value_t *out)
{
    avro_value_t child;
    if (avro_value_get_type(record) != AVRO_RECORD) return false;
    if (avro_value_get_by_name(record, name, &child, NULL) != 0) return false;
    if (avro_value_get_type(&child) == AVRO_UNION) {
        avro_value_t branch;
        if (avro_value_get_current_branch(&child, &branch) != 0) return false;
        child = branch;
    }
    if (avro_value_get_type(&child) == AVRO_NULL) return false;
    *out = child;
    return true;
}

/* Chooses the null branch (0) or the value branch (1) of a ["null", T] field. */
int tn_avro_set_branch(avro_value_t *field, bool null_branch, avro_value_t *out)
{
    avro_value_t branch;
    if (avro_value_get_type(field) != AVRO_UNION) {
        if (out) *out = *field;
        return null_branch ? TN_EINTERNAL : 0;
    }
    if (avro_value_set_branch(field, null_branch ? 0 : 1, &branch) != 0) return TN_EINTERNAL;
    if (null_branch) return avro_value_set_null(&branch) == 0 ? 0 : TN_EINTERNAL;
    if (out) *out = branch;
    return 0;
}
