/* SPDX-License-Identifier: Apache-2.0
 *
 * The reject spool: rejected rows of an ingest, kept in an anonymous temporary file until the
 * commit writes them to the catalog's quarantine in the same transaction as the snapshot.
 * Records are a fixed header followed by the column name, reason and raw bytes.
 */
#include "ingest/ingest_int.h"

#include <unistd.h>

#define NO_NAME UINT32_MAX
#define MAX_FIELD_BYTES ((uint32_t)1 << 20) /* a corrupt spool cannot make replay allocate more */

typedef struct record_header {
    int64_t line;
    int64_t column;
    uint32_t input_idx;
    uint32_t name_len; /* NO_NAME for none */
    uint32_t reason_len;
    uint32_t raw_len;
} record_header;

/* Adds a record to the spool. */
void tn_reject_spool_add(tn_reject_spool *spool, const tn_spooled_reject *reject)
{
    if (spool->failed) return;
    if (!spool->file) {
        spool->file = tmpfile();
        if (!spool->file) {
            spool->failed = TN_EIO;
            return;
        }
    }
    const char *reason = reject->reason ? reject->reason : "";
    record_header h = {
        .line = reject->line,
        .column = reject->column,
        .input_idx = reject->input_idx,
        .name_len = reject->column_name ? (uint32_t)strnlen(reject->column_name, 4096) : NO_NAME,
        .reason_len = (uint32_t)strnlen(reason, 4096),
        .raw_len = reject->raw.len > MAX_FIELD_BYTES ? MAX_FIELD_BYTES : (uint32_t)reject->raw.len,
    };
    bool ok = fwrite(&h, sizeof h, 1, spool->file) == 1;
    if (ok && h.name_len != NO_NAME && h.name_len)
        ok = fwrite(reject->column_name, h.name_len, 1, spool->file) == 1;
    if (ok && h.reason_len) ok = fwrite(reason, h.reason_len, 1, spool->file) == 1;
    if (ok && h.raw_len) ok = fwrite(reject->raw.ptr, h.raw_len, 1, spool->file) == 1;
    if (!ok) {
        spool->failed = TN_EIO;
        return;
    }
    spool->count++;
}

/* The current end of the spool. */
int64_t tn_reject_spool_mark(const tn_reject_spool *spool, int64_t *count)
{
    *count = spool->count;
    if (!spool->file) return 0;
    long at = ftell(spool->file);
    return at < 0 ? 0 : (int64_t)at;
}

/* Forgets every record after mark. */
void tn_reject_spool_truncate(tn_reject_spool *spool, int64_t mark, int64_t count)
{
    spool->count = count;
    if (!spool->file) return;
    fflush(spool->file);
    if (ftruncate(fileno(spool->file), (off_t)mark) < 0 || fseek(spool->file, (long)mark, SEEK_SET) < 0)
        spool->failed = TN_EIO;
}

static int read_field(FILE *f, tn_buf *buf, uint32_t len)
{
    tn_buf_clear(buf);
    if (len == 0 || len == NO_NAME) return tn_buf_cstr(buf) ? 0 : TN_ENOMEM;
    if (len > MAX_FIELD_BYTES || tn_buf_reserve(buf, len) < 0) return TN_ENOMEM;
    if (fread(buf->data, len, 1, f) != 1) return TN_EIO;
    buf->len = len;
    buf->data[len] = '\0';
    return 0;
}

/* Replays every record in order. */
int tn_reject_spool_replay(tn_reject_spool *spool, tn_spooled_reject_fn fn, void *ctx,
                           tn_error *err)
{
    if (spool->failed)
        return tn_error_set(err, spool->failed, "could not keep the rejected rows in a temporary "
                                                "file (is the temporary folder full?)");
    if (!spool->file || spool->count == 0) return 0;
    if (fflush(spool->file) != 0 || fseek(spool->file, 0, SEEK_SET) != 0)
        return tn_error_set(err, TN_EIO, "cannot read back the rejected rows");
    tn_buf name = TN_BUF_INIT, reason = TN_BUF_INIT, raw = TN_BUF_INIT;
    int rc = 0;
    for (int64_t i = 0; i < spool->count && rc == 0; i++) {
        record_header h;
        if (fread(&h, sizeof h, 1, spool->file) != 1) {
            rc = tn_error_set(err, TN_EIO, "cannot read back the rejected rows");
            break;
        }
        rc = read_field(spool->file, &name, h.name_len);
        if (rc == 0) rc = read_field(spool->file, &reason, h.reason_len);
        if (rc == 0) rc = read_field(spool->file, &raw, h.raw_len);
        if (rc < 0) {
            rc = tn_error_set(err, rc, "cannot read back the rejected rows");
            break;
        }
        tn_spooled_reject r = {
            .input_idx = h.input_idx,
            .line = h.line,
            .column = h.column,
            .column_name = h.name_len == NO_NAME ? NULL : name.data,
            .reason = reason.data,
            .raw = tn_str_make(raw.data, raw.len),
        };
        rc = fn(ctx, &r, err);
    }
    tn_buf_free(&name);
    tn_buf_free(&reason);
    tn_buf_free(&raw);
    /* Further records go after the ones replayed. */
    if (fseek(spool->file, 0, SEEK_END) != 0 && rc == 0)
        rc = tn_error_set(err, TN_EIO, "cannot reposition the rejected-row spool");
    return rc;
}

/* Closes (and so deletes) the spool. */
void tn_reject_spool_close(tn_reject_spool *spool)
{
    if (spool->file) fclose(spool->file);
    spool->file = NULL;
    spool->count = 0;
}
