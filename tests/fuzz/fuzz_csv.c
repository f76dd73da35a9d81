/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the CSV reader: reads the input fully from memory with the default
 * options, and with a dialect/option combination chosen by the first byte (explicit
 * delimiters, backslash escapes, comments, NULL strings, strict mode, all-VARCHAR, small
 * batches). The variant is read twice, with one thread and ordinary blocks and with several
 * threads and blocks of a few dozen bytes; both must give exactly the same rows, values,
 * rejects and line numbers. The bit-mask tokenizer is also compared record by record, field by
 * field, with the general one. Any bytes must give batches and rejects or a clean error, never a
 * crash, a leak, invalid UTF-8 in a VARCHAR, or a result that depends on the threads.
 */
#include <stdint.h>
#include <stdlib.h>

#include "formats/csv/csv_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a read produced, folded into numbers that must match between two reads. */
typedef struct digest {
    int rc;
    uint64_t rows;
    uint64_t rejects;
    uint64_t hash;        /* schema and values, in order */
    uint64_t reject_hash; /* rejects, in order (their timing relative to batches may vary) */
} digest;

static void mix(digest *d, const void *p, size_t n)
{
    d->hash = tn_hash_bytes(p, n, d->hash);
}

static void on_reject(void *ctx, const tn_reject *rej)
{
    digest *d = ctx;
    d->rejects++;
    uint64_t h = d->reject_hash;
    h = tn_hash_bytes(&rej->line, sizeof(rej->line), h);
    h = tn_hash_bytes(&rej->column, sizeof(rej->column), h);
    h = tn_hash_bytes(rej->reason, strlen(rej->reason), h);
    h = tn_hash_bytes(rej->raw.ptr, rej->raw.len, h);
    if (rej->column_name)
        h = tn_hash_bytes(rej->column_name, strlen(rej->column_name), h);
    d->reject_hash = h;
}

static digest read_all(const uint8_t *data, size_t size, const tn_read_options *opts)
{
    digest d = {0};
    void *state = NULL;
    tn_error err = {0};
    tn_read_options o = *opts;
    o.on_reject = on_reject;
    o.reject_ctx = &d;
    d.rc = tn_csv_reader_open_memory("fuzz.csv", data, size, &o, &state, &err);
    if (d.rc != 0)
        return d;
    const tn_schema *schema = tn_csv_reader_schema(state);
    for (uint32_t c = 0; c < schema->column_count; c++) {
        mix(&d, schema->columns[c].name, strlen(schema->columns[c].name));
        mix(&d, &schema->columns[c].type, sizeof(schema->columns[c].type));
    }
    tn_buf text = TN_BUF_INIT;
    tn_csv_reader_describe(state, &text);
    for (;;) {
        tn_batch *b = NULL;
        d.rc = tn_csv_reader_next(state, &b, &err);
        if (d.rc != 0) {
            mix(&d, &err.line, sizeof(err.line));
            mix(&d, &err.column, sizeof(err.column));
            break;
        }
        if (!b)
            break;
        if (b->row_count == 0 || b->row_count > b->capacity)
            abort();
        d.rows += b->row_count;
        for (uint32_t r = 0; r < b->row_count; r++)
            for (uint32_t c = 0; c < schema->column_count; c++) {
                const tn_vector *v = &b->columns[c];
                tn_buf_clear(&text);
                int null = tn_vector_format_value(v, r, &text);
                if (null < 0)
                    continue; /* out of memory formatting: not the reader's doing */
                mix(&d, &null, sizeof(null));
                mix(&d, text.data ? text.data : "", text.len);
                if (v->type.id == TN_TYPE_VARCHAR && tn_vector_is_valid(v, r)) {
                    tn_str s = tn_vector_get_str(v, r);
                    if (!tn_utf8_valid(s.ptr, s.len))
                        abort(); /* VARCHAR values are valid UTF-8 */
                }
            }
        tn_batch_free(b);
    }
    tn_buf_free(&text);
    tn_csv_reader_close(state);
    return d;
}

/* The bit-mask tokenizer must find exactly the records of the general one. */
static void compare_tokenizers(const uint8_t *data, size_t size, char delim, bool blank_is_record)
{
    char *buf = malloc(size + TN_CSV_PAD);
    if (!buf)
        return;
    memcpy(buf, data, size);
    memset(buf + size, 0, TN_CSV_PAD);
    tn_csv_dialect d = {.delimiter = delim, .quote = '"', .escape = '"',
                        .blank_is_record = blank_is_record};
    tn_csv_fast fx;
    tn_csv_scanner sc;
    tn_csv_record a = {0}, b = {0};
    tn_csv_fast_init(&fx, &d, buf, buf + size);
    tn_csv_scanner_init(&sc, &d, buf + size);
    const char *p = buf;
    for (;;) {
        int sa = tn_csv_fast_next(&fx, &d, &a);
        int sb = tn_csv_next_record(&sc, &d, p, true, &b);
        if (sa < 0 || sb < 0)
            break;
        if (sa != sb || a.lead_lines != b.lead_lines || a.lines != b.lines)
            abort();
        if (sa == TN_CSV_END)
            break;
        if (a.start != b.start || a.end != b.end || a.next != b.next ||
            a.field_count != b.field_count)
            abort();
        for (uint32_t i = 0; i < a.field_count; i++)
            if (a.fields[i].ptr != b.fields[i].ptr || a.fields[i].len != b.fields[i].len ||
                a.fields[i].flags != b.fields[i].flags)
                abort();
        if (sa == TN_CSV_UNTERMINATED)
            break;
        p = b.next;
    }
    tn_csv_record_free(&a);
    tn_csv_record_free(&b);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    compare_tokenizers(data, size, ',', false);
    compare_tokenizers(data, size, ';', true);

    /* Blocks far smaller than the 16 MiB default keep each run fast; inputs larger than a
     * block still cross block boundaries. */
    tn_csv_tuning_current.block_size = 4096;
    tn_csv_tuning_current.min_segment = 8;
    static const tn_read_options defaults = {.threads = 1};
    read_all(data, size, &defaults);
    if (size == 0)
        return 0;

    /* The first byte picks a variant; the rest is the file. */
    uint8_t pick = data[0];
    const uint8_t *body = data + 1;
    size_t body_size = size - 1;
    static const char *const nulls[] = {"", "NA", "null"};
    static const char delimiters[] = {0, ',', ';', '\t', '|', ' '};
    tn_read_options o = {.threads = 1};
    o.delimiter = delimiters[(pick >> 2) % 6];
    if (pick & 0x20)
        o.escape = '\\';
    if (pick & 0x40)
        o.comment = '#';
    if (pick & 0x80) {
        o.null_strings = nulls;
        o.null_string_count = 3;
        o.strict = (pick & 0x10) != 0;
    }
    o.all_varchar = (pick & 0x11) == 0x11;
    o.header = (tn_header_mode)(pick % 3);
    o.sample_rows = (pick & 8) ? TN_SAMPLE_ALL : 1 + pick % 5;
    o.batch_rows = 1 + pick % 7;
    digest one = read_all(body, body_size, &o);

    o.threads = 2 + (pick & 3);
    tn_csv_tuning_current.block_size = 16 + pick % 61;
    digest many = read_all(body, body_size, &o);
    if (one.rc != TN_ENOMEM && many.rc != TN_ENOMEM &&
        (one.rc != many.rc || one.rows != many.rows || one.rejects != many.rejects ||
         one.hash != many.hash || one.reject_hash != many.reject_hash))
        abort(); /* the result depends on threads or block size */
    return 0;
}
