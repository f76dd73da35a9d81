/* SPDX-License-Identifier: Apache-2.0
 *
 * Thrift compact protocol reader and writer (see thrift.h). The reader checks every byte
 * against its end and every nesting step against TN_THRIFT_MAX_DEPTH, because its input is a
 * file footer anybody could have written.
 */
#include "formats/parquet/thrift.h"

/* ------------------------------------------------------------------------------------------
 * Reader
 * ---------------------------------------------------------------------------------------- */

void tn_thrift_reader_init(tn_thrift_reader *r, const void *data, size_t len)
{
    r->start = (const uint8_t *)data;
    r->pos = r->start;
    r->end = r->start + len;
    r->depth = 0;
    r->truncated = false;
    r->last_field_id[0] = 0;
}

static int ran_out(tn_thrift_reader *r)
{
    r->truncated = true;
    return TN_ECORRUPT;
}

/* ULEB128, at most 10 bytes, and the 10th may only carry the top bit of a 64-bit value. */
static int read_uvarint(tn_thrift_reader *r, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->pos >= r->end)
            return ran_out(r);
        uint8_t b = *r->pos++;
        if (shift == 63 && b > 1)
            return TN_ECORRUPT;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return TN_ECORRUPT;
}

static inline int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

int tn_thrift_struct_begin(tn_thrift_reader *r)
{
    if (r->depth >= TN_THRIFT_MAX_DEPTH)
        return TN_ELIMIT;
    r->depth++;
    r->last_field_id[r->depth] = 0;
    return 0;
}

void tn_thrift_struct_end(tn_thrift_reader *r)
{
    if (r->depth > 0)
        r->depth--;
}

int tn_thrift_read_field(tn_thrift_reader *r, uint8_t *type, int16_t *field_id)
{
    if (r->pos >= r->end)
        return ran_out(r);
    uint8_t b = *r->pos++;
    if (b == 0) {
        *type = TN_THRIFT_STOP;
        *field_id = 0;
        return 0;
    }
    uint8_t t = b & 0x0f;
    if (t > TN_THRIFT_UUID)
        return TN_ECORRUPT;
    int delta = b >> 4;
    int32_t id;
    if (delta) {
        id = (int32_t)r->last_field_id[r->depth] + delta;
    } else {
        int16_t explicit_id;
        int rc = tn_thrift_read_i16(r, &explicit_id);
        if (rc)
            return rc;
        id = explicit_id;
    }
    if (id > INT16_MAX || id < INT16_MIN)
        return TN_ECORRUPT;
    r->last_field_id[r->depth] = (int16_t)id;
    *type = t;
    *field_id = (int16_t)id;
    return 0;
}

int tn_thrift_read_i8(tn_thrift_reader *r, int8_t *out)
{
    if (r->pos >= r->end)
        return ran_out(r);
    *out = (int8_t)*r->pos++;
    return 0;
}

int tn_thrift_read_i16(tn_thrift_reader *r, int16_t *out)
{
    uint64_t v;
    int rc = read_uvarint(r, &v);
    if (rc)
        return rc;
    if (v > 0xffff)
        return TN_ECORRUPT;
    *out = (int16_t)unzigzag(v);
    return 0;
}

int tn_thrift_read_i32(tn_thrift_reader *r, int32_t *out)
{
    uint64_t v;
    int rc = read_uvarint(r, &v);
    if (rc)
        return rc;
    if (v > 0xffffffffu)
        return TN_ECORRUPT;
    *out = (int32_t)unzigzag(v);
    return 0;
}

int tn_thrift_read_i64(tn_thrift_reader *r, int64_t *out)
{
    uint64_t v;
    int rc = read_uvarint(r, &v);
    if (rc)
        return rc;
    *out = unzigzag(v);
    return 0;
}

int tn_thrift_read_double(tn_thrift_reader *r, double *out)
{
    if (r->end - r->pos < 8)
        return ran_out(r);
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--)
        bits = (bits << 8) | r->pos[i];
    r->pos += 8;
    memcpy(out, &bits, sizeof bits);
    return 0;
}

int tn_thrift_read_binary(tn_thrift_reader *r, tn_str *out)
{
    uint64_t len;
    int rc = read_uvarint(r, &len);
    if (rc)
        return rc;
    if (len > (uint64_t)(r->end - r->pos))
        return ran_out(r);
    out->ptr = (const char *)r->pos;
    out->len = (size_t)len;
    r->pos += len;
    return 0;
}

int tn_thrift_read_bool_element(tn_thrift_reader *r, bool *out)
{
    if (r->pos >= r->end)
        return ran_out(r);
    uint8_t b = *r->pos++;
    if (b > 2)
        return TN_ECORRUPT;
    *out = b == TN_THRIFT_BOOL_TRUE;
    return 0;
}

int tn_thrift_bool_from_type(uint8_t type, bool *out)
{
    if (type == TN_THRIFT_BOOL_TRUE) {
        *out = true;
        return 0;
    }
    if (type == TN_THRIFT_BOOL_FALSE) {
        *out = false;
        return 0;
    }
    return TN_ECORRUPT;
}

int tn_thrift_list_begin(tn_thrift_reader *r, uint8_t *elem_type, uint32_t *count)
{
    if (r->pos >= r->end)
        return ran_out(r);
    uint8_t h = *r->pos++;
    uint8_t t = h & 0x0f;
    uint64_t n = h >> 4;
    if (t == TN_THRIFT_STOP || t > TN_THRIFT_UUID)
        return TN_ECORRUPT;
    if (n == 15) {
        int rc = read_uvarint(r, &n);
        if (rc)
            return rc;
        if (n > INT32_MAX)
            return TN_ECORRUPT;
    }
    /* Every element occupies at least one byte, so more elements than bytes left is a lie
     * that would otherwise make the caller allocate for it. */
    if (n > (uint64_t)(r->end - r->pos))
        return ran_out(r);
    if (r->depth >= TN_THRIFT_MAX_DEPTH)
        return TN_ELIMIT;
    r->depth++;
    r->last_field_id[r->depth] = 0;
    *elem_type = t;
    *count = (uint32_t)n;
    return 0;
}

void tn_thrift_list_end(tn_thrift_reader *r)
{
    if (r->depth > 0)
        r->depth--;
}

/* Skips one value; `in_field` says whether it is a field value (bools carry no bytes there)
 * or a container element (bools are one byte). */
static int skip_value(tn_thrift_reader *r, uint8_t type, bool in_field)
{
    int rc = 0;
    uint64_t v;
    switch (type) {
    case TN_THRIFT_BOOL_TRUE:
    case TN_THRIFT_BOOL_FALSE:
        if (in_field)
            return 0;
        if (r->pos >= r->end)
            return ran_out(r);
        r->pos++;
        return 0;
    case TN_THRIFT_I8:
        if (r->pos >= r->end)
            return ran_out(r);
        r->pos++;
        return 0;
    case TN_THRIFT_I16:
    case TN_THRIFT_I32:
    case TN_THRIFT_I64:
        return read_uvarint(r, &v);
    case TN_THRIFT_DOUBLE:
        if (r->end - r->pos < 8)
            return ran_out(r);
        r->pos += 8;
        return 0;
    case TN_THRIFT_UUID:
        if (r->end - r->pos < 16)
            return ran_out(r);
        r->pos += 16;
        return 0;
    case TN_THRIFT_BINARY: {
        tn_str s;
        return tn_thrift_read_binary(r, &s);
    }
    case TN_THRIFT_STRUCT: {
        rc = tn_thrift_struct_begin(r);
        if (rc)
            return rc;
        for (;;) {
            uint8_t ft;
            int16_t id;
            rc = tn_thrift_read_field(r, &ft, &id);
            if (rc)
                return rc;
            if (ft == TN_THRIFT_STOP)
                break;
            rc = skip_value(r, ft, true);
            if (rc)
                return rc;
        }
        tn_thrift_struct_end(r);
        return 0;
    }
    case TN_THRIFT_LIST:
    case TN_THRIFT_SET: {
        uint8_t et;
        uint32_t n;
        rc = tn_thrift_list_begin(r, &et, &n);
        if (rc)
            return rc;
        for (uint32_t i = 0; i < n; i++) {
            rc = skip_value(r, et, false);
            if (rc)
                return rc;
        }
        tn_thrift_list_end(r);
        return 0;
    }
    case TN_THRIFT_MAP: {
        rc = read_uvarint(r, &v);
        if (rc)
            return rc;
        if (v == 0)
            return 0;
        if (v > INT32_MAX || v > (uint64_t)(r->end - r->pos) / 2)
            return ran_out(r);
        if (r->pos >= r->end)
            return ran_out(r);
        uint8_t kv = *r->pos++;
        uint8_t kt = kv >> 4, vt = kv & 0x0f;
        if (kt == 0 || kt > TN_THRIFT_UUID || vt == 0 || vt > TN_THRIFT_UUID)
            return TN_ECORRUPT;
        if (r->depth >= TN_THRIFT_MAX_DEPTH)
            return TN_ELIMIT;
        r->depth++;
        for (uint64_t i = 0; i < v; i++) {
            rc = skip_value(r, kt, false);
            if (!rc)
                rc = skip_value(r, vt, false);
            if (rc)
                return rc;
        }
        r->depth--;
        return 0;
    }
    default:
        return TN_ECORRUPT;
    }
}

int tn_thrift_skip(tn_thrift_reader *r, uint8_t type) { return skip_value(r, type, true); }

/* ------------------------------------------------------------------------------------------
 * Writer
 * ---------------------------------------------------------------------------------------- */

void tn_thrift_writer_init(tn_thrift_writer *w, tn_buf *out)
{
    w->out = out;
    w->depth = 0;
    w->error = 0;
    w->last_field_id[0] = 0;
}

static void put(tn_thrift_writer *w, const void *data, size_t len)
{
    if (w->error)
        return;
    if (tn_buf_append(w->out, data, len) != 0)
        w->error = TN_ENOMEM;
}

static void put_byte(tn_thrift_writer *w, uint8_t b) { put(w, &b, 1); }

static void put_uvarint(tn_thrift_writer *w, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    put(w, tmp, n);
}

static inline uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

void tn_thrift_struct_open(tn_thrift_writer *w)
{
    if (w->depth >= TN_THRIFT_MAX_DEPTH) {
        if (!w->error)
            w->error = TN_ELIMIT;
        return;
    }
    w->depth++;
    w->last_field_id[w->depth] = 0;
}

void tn_thrift_struct_close(tn_thrift_writer *w)
{
    put_byte(w, TN_THRIFT_STOP);
    if (w->depth > 0)
        w->depth--;
}

void tn_thrift_write_field(tn_thrift_writer *w, uint8_t type, int16_t field_id)
{
    int32_t delta = (int32_t)field_id - w->last_field_id[w->depth];
    if (delta > 0 && delta <= 15) {
        put_byte(w, (uint8_t)((delta << 4) | type));
    } else {
        put_byte(w, type);
        put_uvarint(w, zigzag(field_id));
    }
    w->last_field_id[w->depth] = field_id;
}

void tn_thrift_write_field_bool(tn_thrift_writer *w, int16_t field_id, bool value)
{
    tn_thrift_write_field(w, value ? TN_THRIFT_BOOL_TRUE : TN_THRIFT_BOOL_FALSE, field_id);
}

void tn_thrift_write_field_i8(tn_thrift_writer *w, int16_t field_id, int8_t value)
{
    tn_thrift_write_field(w, TN_THRIFT_I8, field_id);
    tn_thrift_write_i8(w, value);
}

void tn_thrift_write_field_i16(tn_thrift_writer *w, int16_t field_id, int16_t value)
{
    tn_thrift_write_field(w, TN_THRIFT_I16, field_id);
    tn_thrift_write_i16(w, value);
}

void tn_thrift_write_field_i32(tn_thrift_writer *w, int16_t field_id, int32_t value)
{
    tn_thrift_write_field(w, TN_THRIFT_I32, field_id);
    tn_thrift_write_i32(w, value);
}

void tn_thrift_write_field_i64(tn_thrift_writer *w, int16_t field_id, int64_t value)
{
    tn_thrift_write_field(w, TN_THRIFT_I64, field_id);
    tn_thrift_write_i64(w, value);
}

void tn_thrift_write_field_double(tn_thrift_writer *w, int16_t field_id, double value)
{
    tn_thrift_write_field(w, TN_THRIFT_DOUBLE, field_id);
    tn_thrift_write_double(w, value);
}

void tn_thrift_write_field_binary(tn_thrift_writer *w, int16_t field_id, const void *data,
                                  size_t len)
{
    tn_thrift_write_field(w, TN_THRIFT_BINARY, field_id);
    tn_thrift_write_binary(w, data, len);
}

void tn_thrift_write_field_struct_begin(tn_thrift_writer *w, int16_t field_id)
{
    tn_thrift_write_field(w, TN_THRIFT_STRUCT, field_id);
    tn_thrift_struct_open(w);
}

void tn_thrift_write_i8(tn_thrift_writer *w, int8_t value) { put_byte(w, (uint8_t)value); }
void tn_thrift_write_i16(tn_thrift_writer *w, int16_t value) { put_uvarint(w, zigzag(value)); }
void tn_thrift_write_i32(tn_thrift_writer *w, int32_t value) { put_uvarint(w, zigzag(value)); }
void tn_thrift_write_i64(tn_thrift_writer *w, int64_t value) { put_uvarint(w, zigzag(value)); }

void tn_thrift_write_double(tn_thrift_writer *w, double value)
{
    uint64_t bits;
    uint8_t le[8];
    memcpy(&bits, &value, sizeof bits);
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(bits >> (8 * i));
    put(w, le, 8);
}

void tn_thrift_write_binary(tn_thrift_writer *w, const void *data, size_t len)
{
    put_uvarint(w, len);
    if (len)
        put(w, data, len);
}

void tn_thrift_write_bool_element(tn_thrift_writer *w, bool value)
{
    put_byte(w, value ? TN_THRIFT_BOOL_TRUE : TN_THRIFT_BOOL_FALSE);
}

void tn_thrift_write_list_begin(tn_thrift_writer *w, uint8_t elem_type, uint32_t count)
{
    /* Bool lists are tagged 1, as the widely deployed implementations do; readers accept 1
     * and 2. */
    if (elem_type == TN_THRIFT_BOOL_FALSE)
        elem_type = TN_THRIFT_BOOL_TRUE;
    if (count < 15) {
        put_byte(w, (uint8_t)((count << 4) | elem_type));
    } else {
        put_byte(w, (uint8_t)(0xf0 | elem_type));
        put_uvarint(w, count);
    }
}
