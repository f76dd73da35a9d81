/* SPDX-License-Identifier: Apache-2.0
 *
 * csv_source.c: buffered sequential input for the CSV reader. Holds one growable buffer over
 * a tn_input (so .gz and .zst are transparent), keeps TN_CSV_PAD readable bytes after the
 * data for the tokenizer, skips a UTF-8 byte order mark, and carries the unconsumed tail (a
 * partial record) to the front on each refill. A second buffer lets the next block be read
 * (and decompressed) on one thread while the others parse the current one.
 */
#include "formats/csv/csv_int.h"

/* Reads into buf[*len, cap) until it is full or the input ends, then zeroes the padding
 * (which keeps the scanner's look-ahead deterministic). */
static int read_into(tn_csv_source *src, char *buf, size_t *len, size_t cap, bool *eof,
                     tn_error *err)
{
    if (!src->in) {
        size_t n = src->mem_len - src->mem_pos;
        if (n > cap - *len)
            n = cap - *len;
        if (n)
            memcpy(buf + *len, src->mem + src->mem_pos, n);
        src->mem_pos += n;
        *len += n;
        *eof = src->mem_pos == src->mem_len;
    }
    while (!*eof && *len < cap) {
        int64_t n = tn_input_read(src->in, buf + *len, cap - *len, err);
        if (n < 0)
            return (int)n;
        if (n == 0)
            *eof = true;
        *len += (size_t)n;
    }
    memset(buf + *len, 0, TN_CSV_PAD);
    return 0;
}

static int read_more(tn_csv_source *src, tn_error *err)
{
    return read_into(src, src->buf, &src->len, src->cap, &src->eof, err);
}

/* Allocates the buffer and reads the first block. */
static int first_fill(tn_csv_source *src, size_t cap, tn_error *err)
{
    src->buf = tn_malloc(cap + TN_CSV_PAD);
    if (!src->buf)
        return tn_error_set(err, TN_ENOMEM, "out of memory allocating a %zu-byte read buffer",
                            cap);
    src->cap = cap;
    int rc = read_more(src, err);
    if (rc)
        return rc;
    if (src->len >= 3 && memcmp(src->buf, "\xEF\xBB\xBF", 3) == 0) {
        src->bom = true;
        src->start = 3;
    }
    return 0;
}

/* Opens path through tn_input and reads the first block. Returns 0 or a TN_E* code. */
int tn_csv_source_open(tn_csv_source *src, const char *path, size_t cap, tn_error *err)
{
    memset(src, 0, sizeof(*src));
    int rc = tn_input_open(path, &src->in, err);
    if (rc)
        return rc;
    return first_fill(src, cap, err);
}

/* Opens bytes in memory (borrowed) and "reads" the first block. */
int tn_csv_source_open_memory(tn_csv_source *src, const void *data, size_t len, size_t cap,
                              tn_error *err)
{
    memset(src, 0, sizeof(*src));
    src->mem = data;
    src->mem_len = len;
    return first_fill(src, cap, err);
}

/* Moves start back to the first data byte if it is still buffered; false otherwise. */
bool tn_csv_source_restart(tn_csv_source *src)
{
    size_t data = src->bom ? 3 : 0;
    if (src->dropped > data)
        return false;
    src->start = data - (size_t)src->dropped;
    return true;
}

/* Reopens the input from its start (BOM skipped). Returns 0 or a TN_E* code. */
int tn_csv_source_rewind(tn_csv_source *src, const char *path, tn_error *err)
{
    size_t cap = src->cap;
    if (src->in) {
        tn_csv_source_close(src);
        return tn_csv_source_open(src, path, cap, err);
    }
    const char *mem = src->mem;
    size_t mem_len = src->mem_len;
    tn_csv_source_close(src);
    return tn_csv_source_open_memory(src, mem, mem_len, cap, err);
}

/* Doubles the buffer, up to TN_CSV_MAX_RECORD plus a block (TN_ELIMIT beyond). */
int tn_csv_source_grow(tn_csv_source *src, tn_error *err)
{
    if (src->cap >= TN_CSV_MAX_RECORD + TN_CSV_BLOCK_SIZE)
        return tn_error_set(err, TN_ELIMIT,
                            "a record is longer than %zu MiB (is a quote left unclosed?); "
                            "check the quoting of the file",
                            TN_CSV_MAX_RECORD >> 20);
    size_t cap = src->cap * 2 > src->cap + TN_CSV_PAD ? src->cap * 2 : src->cap + TN_CSV_PAD;
    if (cap > TN_CSV_MAX_RECORD + TN_CSV_BLOCK_SIZE)
        cap = TN_CSV_MAX_RECORD + TN_CSV_BLOCK_SIZE;
    char *buf = tn_realloc(src->buf, cap + TN_CSV_PAD);
    if (!buf)
        return tn_error_set(err, TN_ENOMEM, "out of memory growing the read buffer to %zu MiB",
                            cap >> 20);
    src->buf = buf;
    src->cap = cap;
    return 0;
}

/* Compacts the unconsumed bytes to the front and reads until full (see csv_int.h). */
int tn_csv_source_fill(tn_csv_source *src, tn_error *err)
{
    if (src->ahead_rc) {
        /* A read ahead failed: report it now that the data before it is used up. */
        if (err)
            *err = src->ahead_err;
        return src->ahead_rc;
    }
    if (src->fresh) {
        /* A read ahead already filled the buffer. */
        src->fresh = false;
        return 0;
    }
    if (src->eof)
        return 0;
    if (src->start > 0) {
        size_t keep = src->len - src->start;
        memmove(src->buf, src->buf + src->start, keep);
        src->len = keep;
        src->dropped += src->start;
        src->start = 0;
    } else if (src->len == src->cap) {
        int rc = tn_csv_source_grow(src, err);
        if (rc)
            return rc;
    }
    return read_more(src, err);
}

/* More input after an incomplete record: compacts, or grows when nothing was consumed. */
int tn_csv_source_read_further(tn_csv_source *src, tn_error *err)
{
    if (src->start == 0) {
        int rc = tn_csv_source_grow(src, err);
        if (rc)
            return rc;
    }
    return tn_csv_source_fill(src, err);
}

/* Starts a read ahead (see csv_int.h); false when there is none to do. */
bool tn_csv_source_ahead_begin(tn_csv_source *src, size_t consumed)
{
    if (src->eof || src->ahead_rc)
        return false;
    if (src->spare_cap < src->cap) {
        tn_free(src->spare);
        src->spare = tn_malloc(src->cap + TN_CSV_PAD);
        src->spare_cap = src->spare ? src->cap : 0;
        if (!src->spare)
            return false; /* the next fill reads as usual */
    }
    size_t from = src->start + consumed;
    src->spare_from = from;
    src->spare_len = src->len - from;
    memcpy(src->spare, src->buf + from, src->spare_len);
    src->spare_eof = false;
    return true;
}

/* Fills the spare buffer; errors are kept for the next fill. */
void tn_csv_source_ahead_read(tn_csv_source *src)
{
    tn_error err = {0};
    int rc = read_into(src, src->spare, &src->spare_len, src->cap, &src->spare_eof, &err);
    if (rc) {
        src->ahead_rc = rc;
        src->ahead_err = err;
    }
}

/* Makes the spare buffer, now holding the next data, the current one. */
void tn_csv_source_ahead_end(tn_csv_source *src)
{
    char *old = src->buf;
    size_t old_cap = src->cap;
    src->buf = src->spare;
    src->spare = old;
    src->spare_cap = old_cap;
    src->dropped += src->spare_from;
    src->start = 0;
    src->len = src->spare_len;
    src->eof = src->spare_eof;
    src->fresh = true;
}

/* Closes the input and frees the buffers; accepts a zeroed source. */
void tn_csv_source_close(tn_csv_source *src)
{
    if (!src)
        return;
    tn_input_close(src->in);
    tn_free(src->buf);
    tn_free(src->spare);
    memset(src, 0, sizeof(*src));
}
