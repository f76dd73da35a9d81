/* SPDX-License-Identifier: Apache-2.0
 *
 * Vectors: one column of a batch in the Arrow columnar layout (validity bitmap, fixed-width
 * values or int32 offsets plus bytes). Readers fill them row by row; writers, the engine and
 * the Arrow export read them. Also the canonical text form of a single value
 * (tn_vector_format_value), shared by the CSV writer and `tarn inspect`.
 */
#include "core/core.h"

/* Buffers are rounded up to this and aligned on it, as the Arrow format recommends, so that
 * SIMD loops may read whole cache lines and exported buffers are well aligned. */
#define VECTOR_ALIGN 64

static size_t round_up(size_t n)
{
    return (n + VECTOR_ALIGN - 1) & ~(size_t)(VECTOR_ALIGN - 1);
}

static size_t bitmap_bytes(uint32_t rows)
{
    return ((size_t)rows + 7) / 8;
}

/* An aligned block of at least `size` bytes (never size 0, so that an empty vector still has
 * real buffers), zeroed when asked. */
static void *aligned_block(size_t size, bool zeroed)
{
    size_t full = round_up(size ? size : 1);
    void *p = tn_aligned_alloc(VECTOR_ALIGN, full);
    if (p != NULL && zeroed)
        memset(p, 0, full);
    return p;
}

/* Both initialisers: validity all ones, offsets[0] = 0, BOOLEAN bits cleared (writers only
 * clear null bits and set true ones), the other values and offsets zeroed only when asked. */
static int vector_init(tn_vector *v, tn_type type, uint32_t capacity, bool zero_values)
{
    memset(v, 0, sizeof(*v));
    if (type.id == TN_TYPE_INVALID || type.id >= TN_TYPE_COUNT)
        return TN_EINVAL;
    v->type = type;
    v->capacity = capacity;
    size_t bitmap = round_up(bitmap_bytes(capacity) ? bitmap_bytes(capacity) : 1);
    v->validity = aligned_block(bitmap, false);
    if (v->validity == NULL)
        goto fail;
    memset(v->validity, 0xff, bitmap);
    if (tn_type_is_varlen(type)) {
        v->offsets = aligned_block(((size_t)capacity + 1) * sizeof(int32_t), zero_values);
        if (v->offsets == NULL)
            goto fail;
        v->offsets[0] = 0;
    } else if (type.id == TN_TYPE_BOOLEAN) {
        v->values = aligned_block(bitmap_bytes(capacity), true);
        if (v->values == NULL)
            goto fail;
    } else {
        v->values = aligned_block((size_t)capacity * tn_type_width(type), zero_values);
        if (v->values == NULL)
            goto fail;
    }
    return 0;
fail:
    tn_vector_destroy(v);
    return TN_ENOMEM;
}

/* Prepares v for `capacity` rows of `type`: validity all ones, values zeroed, offsets[0] = 0.
 * Returns 0, TN_EINVAL for an invalid type, or TN_ENOMEM (v is then zeroed and needs no
 * destroy). */
int tn_vector_init(tn_vector *v, tn_type type, uint32_t capacity)
{
    return vector_init(v, type, capacity, true);
}

/* Prepares v like tn_vector_init but leaves the values (and the offsets after offsets[0])
 * unset: for producers that write every row they hand on, so the buffers are touched once.
 * Returns 0, TN_EINVAL or TN_ENOMEM (v is then zeroed). */
int tn_vector_init_uninit(tn_vector *v, tn_type type, uint32_t capacity)
{
    return vector_init(v, type, capacity, false);
}

/* Frees the buffers and zeroes v. Accepts a zeroed or already destroyed vector. */
void tn_vector_destroy(tn_vector *v)
{
    if (v == NULL)
        return;
    tn_free(v->validity);
    tn_free(v->values);
    tn_free(v->offsets);
    tn_free(v->data);
    tn_dictionary_unref(v->dict);
    memset(v, 0, sizeof(*v));
}

/* Makes every row valid again and empties variable-length data (its buffer is kept for the
 * next batch). Fixed-width values keep stale contents, which is harmless because a row's
 * value is always written before it is read; boolean bits are cleared because writers may
 * only set the true ones. */
void tn_vector_reset(tn_vector *v)
{
    if (v->validity == NULL)
        return;
    if (v->dict != NULL) {
        /* back to an empty plain vector: the indices go with the dictionary */
        tn_dictionary_unref(v->dict);
        v->dict = NULL;
        tn_free(v->values);
        v->values = NULL;
        v->offsets = aligned_block(((size_t)v->capacity + 1) * sizeof(int32_t), false);
        if (v->offsets == NULL) {
            v->capacity = 0; /* out of memory: a vector of no rows */
            v->null_count = 0;
            return;
        }
    }
    memset(v->validity, 0xff, bitmap_bytes(v->capacity));
    v->null_count = 0;
    if (tn_type_is_varlen(v->type)) {
        v->offsets[0] = 0;
        v->data_len = 0;
    } else if (v->type.id == TN_TYPE_BOOLEAN) {
        memset(v->values, 0, bitmap_bytes(v->capacity));
    }
}

/* Grows v->data to hold at least `need` bytes, doubling so that appends are amortised O(1). */
static int grow_data(tn_vector *v, size_t need)
{
    size_t cap = v->data_cap ? v->data_cap : 256;
    while (cap < need)
        cap *= 2;
    /* The data may never pass INT32_MAX (int32 offsets); cap the buffer there too. */
    if (cap > (size_t)INT32_MAX)
        cap = (size_t)INT32_MAX;
    char *data = tn_realloc(v->data, cap);
    if (data == NULL)
        return TN_ENOMEM;
    v->data = data;
    v->data_cap = cap;
    return 0;
}

/* Appends len bytes as row `row` (rows before it must be set: offsets[row] is the start).
 * Marks the row valid. Returns 0, TN_ENOMEM, or TN_ELIMIT when the bytes would pass
 * INT32_MAX; on error the vector is unchanged. */
int tn_vector_append_str(tn_vector *v, uint32_t row, const char *ptr, size_t len)
{
    size_t start = (size_t)v->offsets[row];
    if (len > (size_t)INT32_MAX - start)
        return TN_ELIMIT;
    size_t end = start + len;
    if (end > v->data_cap) {
        int rc = grow_data(v, end);
        if (rc != 0)
            return rc;
    }
    if (len != 0)
        memcpy(v->data + start, ptr, len);
    v->offsets[row + 1] = (int32_t)end;
    v->data_len = end;
    tn_vector_set_valid(v, row);
    return 0;
}

/* Marks row `row` NULL; a VARCHAR/BLOB row also gets an empty value so offsets stay ordered. */
void tn_vector_append_null(tn_vector *v, uint32_t row)
{
    tn_vector_set_null(v, row);
    if (tn_type_is_varlen(v->type)) {
        v->offsets[row + 1] = v->offsets[row];
        v->data_len = (size_t)v->offsets[row];
    }
}

/* Copies one row between vectors of the same type (varlen rows in order). Returns 0,
 * TN_ETYPE for different types, TN_ENOMEM or TN_ELIMIT. */
int tn_vector_copy_row(tn_vector *dst, uint32_t dst_row, const tn_vector *src, uint32_t src_row)
{
    if (!tn_type_eq(dst->type, src->type))
        return TN_ETYPE;
    if (!tn_vector_is_valid(src, src_row)) {
        tn_vector_append_null(dst, dst_row);
        return 0;
    }
    switch ((tn_type_id)src->type.id) {
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: {
        tn_str s = tn_vector_get_str(src, src_row);
        return tn_vector_append_str(dst, dst_row, s.ptr, s.len);
    }
    case TN_TYPE_BOOLEAN:
        tn_vector_set_bool(dst, dst_row, tn_vector_get_bool(src, src_row));
        break;
    default: {
        size_t width = tn_type_width(src->type);
        memcpy((char *)dst->values + (size_t)dst_row * width,
               (const char *)src->values + (size_t)src_row * width, width);
        break;
    }
    }
    tn_vector_set_valid(dst, dst_row);
    return 0;
}

/* DuckDB's text form of a BLOB: printable ASCII as is, every other byte (and the backslash
 * and quotes, so the text is unambiguous) as \xHH with upper-case hex digits. */
static int append_blob_escaped(tn_buf *out, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = tn_buf_reserve(out, n * 4);
    if (rc != 0)
        return rc;
    char *w = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 32 && c <= 126 && c != '\\' && c != '\'' && c != '"') {
            *w++ = (char)c;
        } else {
            *w++ = '\\';
            *w++ = 'x';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        }
    }
    out->len = (size_t)(w - out->data);
    return 0;
}

/* Appends the text of row `row` to out: booleans true/false, integers in decimal, floating
 * point as tn_format_double/float, decimals exact with all `scale` digits, dates and
 * timestamps as tn_format_date/timestamp, VARCHAR as its bytes, BLOB escaped as \xHH.
 * Returns 0, 1 for a NULL row (nothing appended), or TN_ENOMEM. */
int tn_vector_format_value(const tn_vector *v, uint32_t row, tn_buf *out)
{
    if (!tn_vector_is_valid(v, row))
        return 1;
    char tmp[TN_FORMAT_MAX];
    size_t len;
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_BOOLEAN:
        return tn_buf_append_cstr(out, tn_vector_get_bool(v, row) ? "true" : "false");
    case TN_TYPE_INTEGER:
        len = tn_format_int64(tn_vector_i32(v)[row], tmp);
        break;
    case TN_TYPE_BIGINT:
        len = tn_format_int64(tn_vector_i64(v)[row], tmp);
        break;
    case TN_TYPE_REAL:
        len = tn_format_float(tn_vector_f32(v)[row], tmp);
        break;
    case TN_TYPE_DOUBLE:
        len = tn_format_double(tn_vector_f64(v)[row], tmp);
        break;
    case TN_TYPE_DECIMAL:
        len = tn_format_decimal(tn_vector_get_decimal(v, row), v->type.scale, tmp);
        break;
    case TN_TYPE_DATE:
        len = tn_format_date(tn_vector_i32(v)[row], tmp);
        break;
    case TN_TYPE_TIMESTAMP:
        len = tn_format_timestamp(tn_vector_i64(v)[row], false, tmp);
        break;
    case TN_TYPE_TIMESTAMPTZ:
        len = tn_format_timestamp(tn_vector_i64(v)[row], true, tmp);
        break;
    case TN_TYPE_VARCHAR: {
        tn_str s = tn_vector_get_str(v, row);
        return tn_buf_append(out, s.ptr, s.len);
    }
    case TN_TYPE_BLOB: {
        tn_str s = tn_vector_get_str(v, row);
        return append_blob_escaped(out, s.ptr, s.len);
    }
    default:
        return TN_EINVAL;
    }
    return tn_buf_append(out, tmp, len);
}
