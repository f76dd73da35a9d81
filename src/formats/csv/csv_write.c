/* SPDX-License-Identifier: Apache-2.0
 *
 * csv_write.c: the CSV writer. RFC 4180 output with "\n" line ends: a header row, values in
 * the canonical text of tn_vector_format_value, and quotes only where a reader needs them (a
 * delimiter, quote, CR or LF inside, a leading or trailing space, an empty string, so that
 * it differs from NULL, or a string equal to the NULL text). Rows are formatted into one
 * large buffer that goes to a tn_atomic_file, so the file appears only when finish succeeds.
 */
#include "formats/csv/csv_int.h"

/* Bytes collected before a write to the file. */
#define WRITE_CHUNK ((size_t)1 << 20)

typedef struct csv_writer {
    tn_atomic_file file;
    bool file_open;
    tn_file_group *file_group; /* NULL: finish commits the file itself */
    char delimiter;
    const char *null_text; /* owned copy, or NULL: NULL is the empty field */
    size_t null_len;
    uint32_t column_count;
    tn_buf out;
    tn_buf tmp;            /* a value being moved into quotes */
    uint8_t special[256];  /* bytes that force quoting */
} csv_writer;

static void writer_free(csv_writer *w)
{
    if (!w)
        return;
    tn_free((void *)w->null_text);
    tn_buf_free(&w->out);
    tn_buf_free(&w->tmp);
    tn_free(w);
}

static bool needs_quotes(const csv_writer *w, const char *p, size_t n)
{
    if (n == 0)
        return true;
    if (p[0] == ' ' || p[n - 1] == ' ' || p[0] == '\t' || p[n - 1] == '\t')
        return true;
    if (w->null_text && n == w->null_len && memcmp(p, w->null_text, n) == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (w->special[(uint8_t)p[i]])
            return true;
    return false;
}

/* Appends p as a quoted field, doubling the quotes inside. */
static int append_quoted(tn_buf *out, const char *p, size_t n)
{
    if (tn_buf_reserve(out, n * 2 + 2))
        return TN_ENOMEM;
    char *o = out->data + out->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            *o++ = '"';
        *o++ = p[i];
    }
    *o++ = '"';
    out->len = (size_t)(o - out->data);
    return 0;
}

static int append_field(csv_writer *w, const char *p, size_t n)
{
    if (needs_quotes(w, p, n))
        return append_quoted(&w->out, p, n);
    return tn_buf_append(&w->out, p, n);
}

static int flush_out(csv_writer *w, tn_error *err)
{
    if (w->out.len == 0)
        return 0;
    int rc = tn_atomic_file_write(&w->file, w->out.data, w->out.len, err);
    tn_buf_clear(&w->out);
    return rc;
}

/* writer_open callback: opens a temporary file beside path and writes the header.
 * Returns 0 or a TN_E* code with err set. */
int tn_csv_writer_open(const char *path, const tn_schema *schema, const tn_write_options *opts,
                       void **state, tn_error *err)
{
    static const tn_write_options defaults = {0};
    if (!opts)
        opts = &defaults;
    *state = NULL;
    csv_writer *w = tn_calloc(1, sizeof(*w));
    if (!w)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    int rc;
    w->delimiter = opts->delimiter ? opts->delimiter
                   : tn_str_has_suffix_nocase(path, ".tsv") ? '\t'
                                                             : ',';
    if (w->delimiter == '"' || w->delimiter == '\n' || w->delimiter == '\r') {
        rc = tn_error_set(err, TN_EINVAL, "the delimiter cannot be a quote or a line break");
        goto fail;
    }
    if (opts->null_string) {
        w->null_text = tn_strdup(opts->null_string);
        if (!w->null_text) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            goto fail;
        }
        w->null_len = strlen(w->null_text);
    }
    w->special[(uint8_t)w->delimiter] = 1;
    w->special['"'] = 1;
    w->special['\n'] = 1;
    w->special['\r'] = 1;
    w->column_count = schema->column_count;
    if (tn_buf_reserve(&w->out, WRITE_CHUNK + 4096)) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = tn_atomic_file_open(&w->file, path, err)) != 0)
        goto fail;
    w->file_open = true;
    w->file_group = opts->file_group;
    if (!opts->no_header && schema->column_count > 0) {
        for (uint32_t c = 0; c < schema->column_count; c++) {
            const char *name = schema->columns[c].name;
            if ((c > 0 && tn_buf_putc(&w->out, w->delimiter)) ||
                append_field(w, name, strlen(name)) != 0) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                goto fail;
            }
        }
        if (tn_buf_putc(&w->out, '\n')) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            goto fail;
        }
    }
    *state = w;
    return 0;
fail:
    if (w->file_open)
        tn_atomic_file_abort(&w->file);
    writer_free(w);
    return rc;
}

/* Appends one non-NULL value of v. */
static int append_value(csv_writer *w, const tn_vector *v, uint32_t row)
{
    if (v->type.id == TN_TYPE_VARCHAR) {
        tn_str s = tn_vector_get_str(v, row);
        return append_field(w, s.ptr, s.len);
    }
    size_t start = w->out.len;
    int rc = tn_vector_format_value(v, row, &w->out);
    if (rc < 0)
        return rc;
    /* Canonical text of other types rarely needs quotes (only with an unusual delimiter). */
    size_t n = w->out.len - start;
    if (!needs_quotes(w, w->out.data + start, n))
        return 0;
    tn_buf_clear(&w->tmp);
    if (tn_buf_append(&w->tmp, w->out.data + start, n))
        return TN_ENOMEM;
    w->out.len = start;
    return append_quoted(&w->out, w->tmp.data, n);
}

/* writer_write callback: formats the batch's rows. Returns 0 or a TN_E* code. */
int tn_csv_writer_write(void *state, const tn_batch *batch, tn_error *err)
{
    csv_writer *w = state;
    uint32_t ncols = w->column_count;
    if (batch->schema->column_count != ncols)
        return tn_error_set(err, TN_EINVAL, "the batch has %u columns, the file %u",
                            batch->schema->column_count, ncols);
    if (ncols == 0)
        return 0;
    for (uint32_t row = 0; row < batch->row_count; row++) {
        for (uint32_t c = 0; c < ncols; c++) {
            const tn_vector *v = &batch->columns[c];
            if (c > 0 && tn_buf_putc(&w->out, w->delimiter))
                return tn_error_set(err, TN_ENOMEM, "out of memory");
            int rc;
            if (!tn_vector_is_valid(v, row))
                rc = w->null_text ? tn_buf_append(&w->out, w->null_text, w->null_len) : 0;
            else
                rc = append_value(w, v, row);
            if (rc < 0)
                return tn_error_set(err, rc, "could not format a value of column %s",
                                    batch->schema->columns[c].name);
        }
        if (tn_buf_putc(&w->out, '\n'))
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        if (w->out.len >= WRITE_CHUNK) {
            int rc = flush_out(w, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* writer_finish callback: flushes and commits (the file appears); frees the writer. */
int tn_csv_writer_finish(void *state, tn_error *err)
{
    csv_writer *w = state;
    int rc = flush_out(w, err);
    if (!rc)
        rc = tn_atomic_file_finish(&w->file, w->file_group, err);
    if (rc)
        tn_atomic_file_abort(&w->file);
    writer_free(w);
    return rc;
}

/* writer_abort callback: removes the temporary file and frees the writer; accepts NULL. */
void tn_csv_writer_abort(void *state)
{
    csv_writer *w = state;
    if (!w)
        return;
    if (w->file_open)
        tn_atomic_file_abort(&w->file);
    writer_free(w);
}
