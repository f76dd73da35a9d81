/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for JSON: the document parser and the validating scanner on the raw bytes
 * (they must agree, and an accepted document must survive a write/parse round trip), then
 * the JSON reader on the same bytes as a file, with default options and with a tiny sample
 * and tiny batches so that post-sample rejects and batch boundaries are exercised.
 *
 * The row parser is also run in memory on each line (infer, then load into a batch, and load
 * again through tn_json_row_parse_line, which must agree line by line and cell by cell), which
 * is much faster than going through a file; TARN_FUZZ_JSON_NO_FILE=1 skips the file reader
 * for long runs of that fast part.
 *
 * Seed corpus: ../shared/conformance/json/test_parsing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "formats/formats.h"
#include "formats/json/json.h"
#include "formats/json/json_int.h" /* the row parser, fuzzed in memory as well */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_parser(const char *text, size_t size)
{
    tn_json_doc *doc = NULL;
    tn_error err = {0};
    int rc = tn_json_parse(text, size, &doc, &err);
    tn_error verr = {0};
    int vrc = tn_json_validate(text, size, &verr);
    if ((rc == 0) != (vrc == 0) && rc != TN_ENOMEM) abort();
    if (rc == 0) {
        tn_buf out = TN_BUF_INIT;
        if (tn_json_write(tn_json_root(doc), &out) == 0) {
            tn_json_doc *again = NULL;
            if (tn_json_parse(out.data, out.len, &again, &err) != 0) abort();
            tn_json_free(again);
        }
        tn_buf_free(&out);
    }
    tn_json_free(doc);
}

static void ignore_reject(void *ctx, const tn_reject *rj)
{
    (void)ctx;
    /* Touch every field the callback may read. */
    if (rj->raw.len > 4096 || !rj->reason || !rj->file) abort();
}

static void read_file(const char *path, int64_t sample_rows, uint32_t batch_rows, int threads)
{
    tn_read_options opts = {0};
    opts.sample_rows = sample_rows;
    opts.batch_rows = batch_rows;
    opts.threads = threads;
    opts.on_reject = ignore_reject;
    void *state = NULL;
    tn_error err = {0};
    if (tn_format_json.reader_open(path, &opts, &state, &err) != 0) return;
    tn_buf describe = TN_BUF_INIT;
    tn_format_json.reader_describe(state, &describe);
    tn_buf_free(&describe);
    const tn_schema *schema = tn_format_json.reader_schema(state);
    for (;;) {
        tn_batch *b = NULL;
        if (tn_format_json.reader_next(state, &b, &err) != 0 || !b) break;
        if (b->schema->column_count != schema->column_count) abort();
        for (uint32_t c = 0; c < b->schema->column_count; c++) {
            const tn_vector *v = &b->columns[c];
            if (v->type.id == TN_TYPE_VARCHAR && b->row_count > 0 &&
                !tn_utf8_valid(v->data, (size_t)v->offsets[b->row_count]))
                abort(); /* VARCHAR out of the reader is always UTF-8 */
        }
        tn_batch_free(b);
    }
    tn_format_json.reader_close(state);
}

/* Infers columns over the lines, then loads every line into one batch. */
static void check_rows(const char *text, size_t size)
{
    json_cols cols;
    if (tn_json_cols_init(&cols) != 0) return;
    json_row infer;
    tn_json_row_init(&infer, &cols, JSON_ROW_INFER, true);
    size_t lines = 0;
    for (const char *p = text, *end = text + size; p < end; lines++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        tn_json_row_parse(&infer, p, le);
        p = nl ? nl + 1 : end;
    }
    tn_json_row_free(&infer);
    tn_schema *schema = tn_schema_new();
    for (uint32_t i = 0; schema && i < cols.count; i++) {
        cols.cols[i].type = tn_json_kinds_type(cols.cols[i].kinds);
        if (tn_schema_add(schema, cols.cols[i].name, cols.cols[i].type, true) != 0) break;
    }
    tn_batch *batch = schema && schema->column_count == cols.count
                          ? tn_batch_new(schema, (uint32_t)(lines ? lines : 1))
                          : NULL;
    /* The same lines through tn_json_row_parse_line (which finds the line ends itself) must
     * give the same verdicts and the same rows. */
    tn_batch *by_line = batch ? tn_batch_new(schema, batch->capacity) : NULL;
    if (batch && by_line) {
        json_row load, load_line;
        tn_json_row_init(&load, &cols, JSON_ROW_LOAD, true);
        tn_json_row_init(&load_line, &cols, JSON_ROW_LOAD, true);
        load.batch = batch;
        load_line.batch = by_line;
        for (const char *p = text, *end = text + size; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            json_row_status st = tn_json_row_parse(&load, p, le);
            const char *found = NULL;
            json_row_status st_line = tn_json_row_parse_line(&load_line, p, end, &found);
            if (st != st_line || found != le) abort();
            p = nl ? nl + 1 : end;
        }
        tn_json_row_free(&load);
        tn_json_row_free(&load_line);
        for (uint32_t c = 0; c < batch->schema->column_count; c++) {
            const tn_vector *v = &batch->columns[c];
            if (tn_type_is_varlen(v->type) && v->offsets[batch->row_count] != (int32_t)v->data_len)
                abort(); /* a rolled-back row left bytes behind */
        }
        if (batch->row_count != by_line->row_count) abort();
        tn_buf a = TN_BUF_INIT, b = TN_BUF_INIT;
        for (uint32_t r = 0; r < batch->row_count; r++) {
            for (uint32_t c = 0; c < batch->schema->column_count; c++) {
                const tn_vector *va = &batch->columns[c], *vb = &by_line->columns[c];
                if (tn_vector_is_valid(va, r) != tn_vector_is_valid(vb, r)) abort();
                if (!tn_vector_is_valid(va, r)) continue;
                tn_buf_clear(&a);
                tn_buf_clear(&b);
                if (tn_vector_format_value(va, r, &a) < 0 || tn_vector_format_value(vb, r, &b) < 0)
                    continue;
                if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)) abort();
            }
        }
        tn_buf_free(&a);
        tn_buf_free(&b);
    }
    tn_batch_free(by_line);
    tn_batch_free(batch);
    tn_schema_unref(schema);
    tn_json_cols_free(&cols);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int no_file = -1;
    if (no_file < 0) {
        const char *env = getenv("TARN_FUZZ_JSON_NO_FILE");
        no_file = env && *env == '1';
    }
    check_parser((const char *)data, size);
    check_rows((const char *)data, size);
    if (no_file) return 0;
    int fd = memfd_create("fuzz_json", 0);
    if (fd < 0) return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    read_file(path, 0, 0, 1);
    read_file(path, 2, 3, 0);
    close(fd);
    return 0;
}
