/* SPDX-License-Identifier: Apache-2.0
 *
 * The JSON writer: batches -> NDJSON (one object per row, keys in column order) or, with
 * json_array, one array document. Rows are formatted into a large buffer that is handed to
 * a tn_atomic_file, so the file appears whole on finish or not at all.
 *
 * Values: NULL -> null; numbers as numbers (doubles in the shortest text that reads back
 * exactly, NaN and infinities -> null); DECIMAL as an exact number; DATE and TIMESTAMP as
 * strings; BLOB as a string in DuckDB's \xHH text form. A dotted column name ("a.b") is
 * written as one flat key, not re-nested.
 */
#include "formats/json/json_int.h"

#include <math.h>

#define FLUSH_BYTES ((size_t)1 << 20)

typedef struct json_writer {
    tn_atomic_file file;
    bool file_open;
    tn_file_group *file_group; /* NULL: finish commits the file itself */
    tn_schema *schema;
    bool array; /* json_array: one array document */
    uint64_t rows;
    char **keys; /* per column: "\"name\":" already escaped (with a leading ',' after 0) */
    size_t *key_lens;
    tn_buf buf;
    tn_buf scratch;
} json_writer;

static void writer_free(json_writer *w)
{
    if (!w) return;
    if (w->file_open) tn_atomic_file_abort(&w->file);
    if (w->keys)
        for (uint32_t i = 0; i < w->schema->column_count; i++) tn_free(w->keys[i]);
    tn_free(w->keys);
    tn_free(w->key_lens);
    tn_schema_unref(w->schema);
    tn_buf_free(&w->buf);
    tn_buf_free(&w->scratch);
    tn_free(w);
}

/* Writes s as a JSON string at o, which has room for 6 * n + 2 bytes; returns the end.
 * Bytes that are not valid UTF-8 become U+FFFD so that the output is always valid JSON. */
static char *escape_string(char *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const char *p = s;
    const char *end = s + n;
    *o++ = '"';
    while (p < end) {
        const char *q = json_find_special(p, end);
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        if (q >= end) break;
        unsigned char c = (unsigned char)*q;
        p = q + 1;
        if (c >= 0x80) {
            size_t seq = json_utf8_seq(q, end);
            if (seq) {
                memcpy(o, q, seq);
                o += seq;
                p = q + seq;
            } else {
                memcpy(o, "\\ufffd", 6);
                o += 6;
            }
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"':
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            break;
        case '\n':
            *o++ = 'n';
            break;
        case '\r':
            *o++ = 'r';
            break;
        case '\t':
            *o++ = 't';
            break;
        case '\b':
            *o++ = 'b';
            break;
        case '\f':
            *o++ = 'f';
            break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
            break;
        }
    }
    *o++ = '"';
    return o;
}

/* Appends s as a JSON string. */
static int put_string(tn_buf *buf, const char *s, size_t n)
{
    if (n > (SIZE_MAX - 2) / 6 || tn_buf_reserve(buf, n * 6 + 2) != 0) return TN_ENOMEM;
    buf->len = (size_t)(escape_string(buf->data + buf->len, s, n) - buf->data);
    return 0;
}

/* Opens a writer (writer_open of tn_format_json). Nothing is visible at path until
 * tn_json_writer_finish. Returns 0 or a negative code with err set. */
int tn_json_writer_open(const char *path, const tn_schema *schema, const tn_write_options *opts,
                        void **state, tn_error *err)
{
    *state = NULL;
    json_writer *w = tn_calloc(1, sizeof *w);
    if (!w) return tn_error_set(err, TN_ENOMEM, "out of memory");
    int rc;
    w->array = opts && opts->json_array;
    w->file_group = opts ? opts->file_group : NULL;
    w->schema = tn_schema_copy(schema);
    if (!w->schema) goto oom;
    uint32_t n = w->schema->column_count;
    w->keys = tn_calloc(n ? n : 1, sizeof *w->keys);
    w->key_lens = tn_calloc(n ? n : 1, sizeof *w->key_lens);
    if (!w->keys || !w->key_lens) goto oom;
    for (uint32_t i = 0; i < n; i++) {
        tn_buf_clear(&w->scratch);
        if ((i > 0 && tn_buf_putc(&w->scratch, ',') != 0) ||
            put_string(&w->scratch, w->schema->columns[i].name,
                       strlen(w->schema->columns[i].name)) != 0 ||
            tn_buf_putc(&w->scratch, ':') != 0)
            goto oom;
        w->key_lens[i] = w->scratch.len;
        w->keys[i] = tn_buf_detach(&w->scratch, NULL);
        if (!w->keys[i]) goto oom;
    }
    if ((rc = tn_atomic_file_open(&w->file, path, err))) {
        writer_free(w);
        return rc;
    }
    w->file_open = true;
    if (w->array && tn_buf_putc(&w->buf, '[') != 0) goto oom;
    *state = w;
    return 0;
oom:
    writer_free(w);
    return tn_error_set(err, TN_ENOMEM, "out of memory opening %s", path);
}

/* Appends the key (with its leading ',') and value of column c in row `row`. */
static int put_member(json_writer *w, uint32_t c, const tn_vector *v, uint32_t row)
{
    tn_buf *buf = &w->buf;
    size_t key_len = w->key_lens[c];
    bool valid = tn_vector_is_valid(v, row);
    size_t room = key_len + TN_FORMAT_MAX + 4;
    tn_str str = {NULL, 0};
    if (valid && v->type.id == TN_TYPE_VARCHAR) {
        str = tn_vector_get_str(v, row);
        if (str.len > (SIZE_MAX - room) / 6) return TN_ENOMEM;
        room += str.len * 6;
    } else if (valid && v->type.id == TN_TYPE_BLOB) {
        /* The \xHH text form, then escaped as a JSON string. */
        tn_buf_clear(&w->scratch);
        int rc = tn_vector_format_value(v, row, &w->scratch);
        if (rc) return rc;
        str = tn_str_make(w->scratch.data ? w->scratch.data : "", w->scratch.len);
        if (str.len > (SIZE_MAX - room) / 6) return TN_ENOMEM;
        room += str.len * 6;
    }
    if (tn_buf_reserve(buf, room) != 0) return TN_ENOMEM;
    char *o = buf->data + buf->len;
    memcpy(o, w->keys[c], key_len);
    o += key_len;
    if (!valid) {
        memcpy(o, "null", 4);
        buf->len = (size_t)(o + 4 - buf->data);
        return 0;
    }
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_BOOLEAN:
        if (tn_vector_get_bool(v, row)) {
            memcpy(o, "true", 4);
            o += 4;
        } else {
            memcpy(o, "false", 5);
            o += 5;
        }
        break;
    case TN_TYPE_INTEGER:
        o += tn_format_int64(tn_vector_i32(v)[row], o);
        break;
    case TN_TYPE_BIGINT:
        o += tn_format_int64(tn_vector_i64(v)[row], o);
        break;
    case TN_TYPE_REAL: {
        float f = tn_vector_f32(v)[row];
        if (isfinite(f)) {
            o += tn_format_float(f, o);
        } else {
            memcpy(o, "null", 4);
            o += 4;
        }
        break;
    }
    case TN_TYPE_DOUBLE: {
        double d = tn_vector_f64(v)[row];
        if (isfinite(d)) {
            o += tn_format_double(d, o);
        } else {
            memcpy(o, "null", 4);
            o += 4;
        }
        break;
    }
    case TN_TYPE_DECIMAL:
        o += tn_format_decimal(tn_vector_get_decimal(v, row), v->type.scale, o);
        break;
    case TN_TYPE_DATE:
        *o++ = '"';
        o += tn_format_date(tn_vector_i32(v)[row], o);
        *o++ = '"';
        break;
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        *o++ = '"';
        o += tn_format_timestamp(tn_vector_i64(v)[row], v->type.id == TN_TYPE_TIMESTAMPTZ, o);
        *o++ = '"';
        break;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB:
        o = escape_string(o, str.ptr, str.len);
        break;
    default:
        memcpy(o, "null", 4);
        o += 4;
        break;
    }
    buf->len = (size_t)(o - buf->data);
    return 0;
}

static int flush(json_writer *w, tn_error *err)
{
    if (w->buf.len == 0) return 0;
    int rc = tn_atomic_file_write(&w->file, w->buf.data, w->buf.len, err);
    tn_buf_clear(&w->buf);
    return rc;
}

/* Appends the rows of batch (its schema must match the writer's column count and types).
 * Returns 0 or a negative code with err set. */
int tn_json_writer_write(void *state, const tn_batch *batch, tn_error *err)
{
    json_writer *w = state;
    uint32_t ncols = w->schema->column_count;
    if (batch->schema->column_count != ncols)
        return tn_error_set(err, TN_EINVAL, "batch has %u columns, the JSON writer expects %u",
                            batch->schema->column_count, ncols);
    for (uint32_t row = 0; row < batch->row_count; row++) {
        int rc = 0;
        if (w->array)
            rc = tn_buf_append(&w->buf, w->rows ? ",\n{" : "\n{", w->rows ? 3 : 2);
        else
            rc = tn_buf_putc(&w->buf, '{');
        for (uint32_t c = 0; c < ncols && rc == 0; c++)
            rc = put_member(w, c, &batch->columns[c], row);
        if (rc == 0) rc = w->array ? tn_buf_putc(&w->buf, '}') : tn_buf_append(&w->buf, "}\n", 2);
        if (rc) return tn_error_set(err, rc, "out of memory writing JSON");
        w->rows++;
        if (w->buf.len >= FLUSH_BYTES && (rc = flush(w, err))) return rc;
    }
    return 0;
}

/* Ends the document, flushes and commits the file; frees the writer in every case. */
int tn_json_writer_finish(void *state, tn_error *err)
{
    json_writer *w = state;
    int rc = 0;
    if (w->array && tn_buf_append(&w->buf, w->rows ? "\n]\n" : "]\n", w->rows ? 3 : 2) != 0)
        rc = tn_error_set(err, TN_ENOMEM, "out of memory writing JSON");
    if (rc == 0) rc = flush(w, err);
    if (rc == 0) {
        rc = tn_atomic_file_finish(&w->file, w->file_group, err);
        if (rc == 0) w->file_open = false; /* else writer_free removes the temporary file */
    }
    writer_free(w);
    return rc;
}

/* Drops the temporary file and frees the writer; accepts NULL. */
void tn_json_writer_abort(void *state)
{
    writer_free(state);
}
