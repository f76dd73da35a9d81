/* SPDX-License-Identifier: Apache-2.0
 *
 * Partition transforms and single values. Implements the spec's transforms (identity,
 * bucket[N] with Murmur3 x86 32-bit over the spec's byte representations, truncate[W], year,
 * month, day, hour, void), the single-value binary serialisation of Appendix D used for bounds
 * and partition summaries, Hive-style partition path text, and value comparison for pruning.
 */
#include "lake/lake_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------------------------------------
 * Murmur3 x86 32-bit, seed 0 (Appendix B)
 * ---------------------------------------------------------------------------------------- */

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

/* The spec's hashBytes: Murmur3 x86 32-bit with seed 0, blocks read little-endian. */
int32_t tn_murmur3_32(const void *data, size_t len)
{
    const uint8_t *p = data;
    const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    uint32_t h = 0;
    size_t blocks = len / 4;
    for (size_t i = 0; i < blocks; i++) {
        uint32_t k = (uint32_t)p[i * 4] | (uint32_t)p[i * 4 + 1] << 8 |
                     (uint32_t)p[i * 4 + 2] << 16 | (uint32_t)p[i * 4 + 3] << 24;
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5 + 0xe6546b64u;
    }
    const uint8_t *tail = p + blocks * 4;
    uint32_t k = 0;
    switch (len & 3) {
    case 3: k ^= (uint32_t)tail[2] << 16; /* fall through */
    case 2: k ^= (uint32_t)tail[1] << 8;  /* fall through */
    case 1:
        k ^= tail[0];
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return (int32_t)h;
}

static int32_t hash_long(int64_t v)
{
    uint8_t b[8];
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(u >> (8 * i));
    return tn_murmur3_32(b, 8);
}

/* Minimal two's-complement big-endian bytes of an unscaled decimal (at least one byte). */
static size_t decimal_min_bytes(tn_i128 v, uint8_t out[16])
{
    uint8_t full[16];
    unsigned __int128 u = (unsigned __int128)v;
    for (int i = 15; i >= 0; i--) {
        full[i] = (uint8_t)u;
        u >>= 8;
    }
    int start = 0;
    /* Drop leading bytes that only repeat the sign. */
    while (start < 15) {
        uint8_t b = full[start], next = full[start + 1];
        if ((b == 0x00 && !(next & 0x80)) || (b == 0xff && (next & 0x80)))
            start++;
        else
            break;
    }
    size_t n = (size_t)(16 - start);
    memcpy(out, full + start, n);
    return n;
}

/* Appendix B hash of a value; 0 for NULL (callers never bucket NULL). */
int32_t tn_iceberg_value_hash(const tn_iceberg_value *value)
{
    switch (value->kind) {
    case TN_ICEBERG_BOOLEAN: return hash_long(value->v.b ? 1 : 0);
    case TN_ICEBERG_INT:
    case TN_ICEBERG_LONG:
    case TN_ICEBERG_DATE:
    case TN_ICEBERG_TIME:
    case TN_ICEBERG_TIMESTAMP:
    case TN_ICEBERG_TIMESTAMPTZ: return hash_long(value->v.i);
    case TN_ICEBERG_TIMESTAMP_NS:
    case TN_ICEBERG_TIMESTAMPTZ_NS: {
        /* Hash as microseconds so promoting precision keeps buckets. */
        int64_t us = value->v.i / 1000 - ((value->v.i % 1000) < 0 ? 1 : 0);
        return hash_long(us);
    }
    case TN_ICEBERG_FLOAT:
    case TN_ICEBERG_DOUBLE: {
        double d = value->kind == TN_ICEBERG_FLOAT ? (double)value->v.f : value->v.d;
        uint64_t bits;
        if (isnan(d))
            bits = 0x7ff8000000000000ULL;
        else {
            if (d == 0.0) d = 0.0; /* -0.0 hashes as 0.0 */
            memcpy(&bits, &d, 8);
        }
        return hash_long((int64_t)bits);
    }
    case TN_ICEBERG_DECIMAL: {
        uint8_t b[16];
        size_t n = decimal_min_bytes(value->v.dec, b);
        return tn_murmur3_32(b, n);
    }
    case TN_ICEBERG_STRING:
    case TN_ICEBERG_UUID:
    case TN_ICEBERG_FIXED:
    case TN_ICEBERG_BINARY: return tn_murmur3_32(value->v.bytes.ptr, value->v.bytes.len);
    default: return 0;
    }
}

/* ------------------------------------------------------------------------------------------
 * Transforms
 * ---------------------------------------------------------------------------------------- */

static bool parse_param(const char *text, const char *name, int32_t *param)
{
    size_t n = strlen(name);
    if (strncmp(text, name, n) != 0 || text[n] != '[') return false;
    char *end = NULL;
    long v = strtol(text + n + 1, &end, 10);
    if (!end || *end != ']' || end[1] != '\0' || v <= 0 || v > INT32_MAX) return false;
    *param = (int32_t)v;
    return true;
}

/* Parses a transform's text; unknown ones are TN_TRANSFORM_UNKNOWN. */
tn_transform tn_transform_parse(const char *text)
{
    tn_transform t = {TN_TRANSFORM_UNKNOWN, 0};
    if (!text) return t;
    if (strcmp(text, "identity") == 0) t.kind = TN_TRANSFORM_IDENTITY;
    else if (strcmp(text, "year") == 0) t.kind = TN_TRANSFORM_YEAR;
    else if (strcmp(text, "month") == 0) t.kind = TN_TRANSFORM_MONTH;
    else if (strcmp(text, "day") == 0) t.kind = TN_TRANSFORM_DAY;
    else if (strcmp(text, "hour") == 0) t.kind = TN_TRANSFORM_HOUR;
    else if (strcmp(text, "void") == 0) t.kind = TN_TRANSFORM_VOID;
    else if (parse_param(text, "bucket", &t.param)) t.kind = TN_TRANSFORM_BUCKET;
    else if (parse_param(text, "truncate", &t.param)) t.kind = TN_TRANSFORM_TRUNCATE;
    return t;
}

/* Text of a transform into out. */
const char *tn_transform_format(tn_transform t, char *out, size_t out_size)
{
    switch (t.kind) {
    case TN_TRANSFORM_IDENTITY: snprintf(out, out_size, "identity"); break;
    case TN_TRANSFORM_YEAR: snprintf(out, out_size, "year"); break;
    case TN_TRANSFORM_MONTH: snprintf(out, out_size, "month"); break;
    case TN_TRANSFORM_DAY: snprintf(out, out_size, "day"); break;
    case TN_TRANSFORM_HOUR: snprintf(out, out_size, "hour"); break;
    case TN_TRANSFORM_VOID: snprintf(out, out_size, "void"); break;
    case TN_TRANSFORM_BUCKET: snprintf(out, out_size, "bucket[%d]", (int)t.param); break;
    case TN_TRANSFORM_TRUNCATE: snprintf(out, out_size, "truncate[%d]", (int)t.param); break;
    default: snprintf(out, out_size, "unknown"); break;
    }
    return out;
}

static bool is_temporal(uint8_t k)
{
    return k == TN_ICEBERG_DATE || k == TN_ICEBERG_TIMESTAMP || k == TN_ICEBERG_TIMESTAMPTZ ||
           k == TN_ICEBERG_TIMESTAMP_NS || k == TN_ICEBERG_TIMESTAMPTZ_NS;
}

static bool is_primitive(uint8_t k)
{
    return k != TN_ICEBERG_UNKNOWN_TYPE && k != TN_ICEBERG_STRUCT && k != TN_ICEBERG_LIST &&
           k != TN_ICEBERG_MAP && k != TN_ICEBERG_VARIANT;
}

/* Whether the transform accepts the source type. */
bool tn_transform_applies(tn_transform t, const tn_iceberg_type *source)
{
    uint8_t k = source->kind;
    switch (t.kind) {
    case TN_TRANSFORM_IDENTITY: return is_primitive(k);
    case TN_TRANSFORM_VOID: return true;
    case TN_TRANSFORM_BUCKET:
        return k == TN_ICEBERG_INT || k == TN_ICEBERG_LONG || k == TN_ICEBERG_DECIMAL ||
               k == TN_ICEBERG_DATE || k == TN_ICEBERG_TIME || k == TN_ICEBERG_TIMESTAMP ||
               k == TN_ICEBERG_TIMESTAMPTZ || k == TN_ICEBERG_TIMESTAMP_NS ||
               k == TN_ICEBERG_TIMESTAMPTZ_NS || k == TN_ICEBERG_STRING ||
               k == TN_ICEBERG_UUID || k == TN_ICEBERG_FIXED || k == TN_ICEBERG_BINARY;
    case TN_TRANSFORM_TRUNCATE:
        return k == TN_ICEBERG_INT || k == TN_ICEBERG_LONG || k == TN_ICEBERG_DECIMAL ||
               k == TN_ICEBERG_STRING || k == TN_ICEBERG_BINARY;
    case TN_TRANSFORM_YEAR:
    case TN_TRANSFORM_MONTH:
    case TN_TRANSFORM_DAY: return is_temporal(k);
    case TN_TRANSFORM_HOUR: return is_temporal(k) && k != TN_ICEBERG_DATE;
    default: return false;
    }
}

/* Result type of a transform. */
tn_iceberg_type tn_transform_result_type(tn_transform t, const tn_iceberg_type *source)
{
    tn_iceberg_type r = {0};
    switch (t.kind) {
    case TN_TRANSFORM_IDENTITY:
    case TN_TRANSFORM_TRUNCATE:
    case TN_TRANSFORM_VOID:
    case TN_TRANSFORM_UNKNOWN: r = *source; break;
    case TN_TRANSFORM_DAY: r.kind = TN_ICEBERG_DATE; break;
    default: r.kind = TN_ICEBERG_INT; break;
    }
    return r;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

/* Days since the epoch of a temporal value. */
static int64_t value_days(const tn_iceberg_value *in)
{
    switch (in->kind) {
    case TN_ICEBERG_DATE: return in->v.i;
    case TN_ICEBERG_TIMESTAMP_NS:
    case TN_ICEBERG_TIMESTAMPTZ_NS: return floor_div(in->v.i, INT64_C(86400000000000));
    default: return floor_div(in->v.i, INT64_C(86400000000));
    }
}

/* Applies a transform to one value. */
int tn_transform_apply(tn_transform t, const tn_iceberg_value *in, tn_iceberg_value *out)
{
    tn_iceberg_type src = {.kind = in->kind, .scale = in->scale};
    if (t.kind != TN_TRANSFORM_UNKNOWN && !tn_transform_applies(t, &src)) return TN_ETYPE;
    memset(out, 0, sizeof *out);
    tn_iceberg_type rt = tn_transform_result_type(t, &src);
    out->kind = rt.kind;
    out->scale = in->scale;
    if (in->is_null || t.kind == TN_TRANSFORM_VOID) {
        out->is_null = true;
        return 0;
    }
    switch (t.kind) {
    case TN_TRANSFORM_IDENTITY:
    case TN_TRANSFORM_UNKNOWN: *out = *in; return 0;
    case TN_TRANSFORM_BUCKET:
        out->v.i = (int64_t)(((uint32_t)tn_iceberg_value_hash(in) & 0x7fffffffu) % (uint32_t)t.param);
        return 0;
    case TN_TRANSFORM_TRUNCATE:
        *out = *in;
        if (in->kind == TN_ICEBERG_INT || in->kind == TN_ICEBERG_LONG) {
            int64_t w = t.param;
            out->v.i = in->v.i - (((in->v.i % w) + w) % w);
        } else if (in->kind == TN_ICEBERG_DECIMAL) {
            tn_i128 w = t.param;
            out->v.dec = in->v.dec - (((in->v.dec % w) + w) % w);
        } else if (in->kind == TN_ICEBERG_STRING) {
            /* L code points: count UTF-8 lead bytes. */
            const unsigned char *p = (const unsigned char *)in->v.bytes.ptr;
            size_t i = 0, points = 0;
            while (i < in->v.bytes.len) {
                if ((p[i] & 0xc0) != 0x80) {
                    if (points == (size_t)t.param) break;
                    points++;
                }
                i++;
            }
            out->v.bytes.len = i;
        } else if (in->v.bytes.len > (size_t)t.param) {
            out->v.bytes.len = (size_t)t.param;
        }
        return 0;
    case TN_TRANSFORM_YEAR:
    case TN_TRANSFORM_MONTH:
    case TN_TRANSFORM_DAY: {
        int64_t days = value_days(in);
        if (t.kind == TN_TRANSFORM_DAY) {
            out->v.i = days;
            return 0;
        }
        if (days < INT32_MIN || days > INT32_MAX) return TN_EOVERFLOW;
        int64_t y;
        unsigned m, d;
        tn_civil_from_days((int32_t)days, &y, &m, &d);
        out->v.i = t.kind == TN_TRANSFORM_YEAR ? y - 1970 : (y - 1970) * 12 + (int64_t)m - 1;
        return 0;
    }
    case TN_TRANSFORM_HOUR:
        if (in->kind == TN_ICEBERG_TIMESTAMP_NS || in->kind == TN_ICEBERG_TIMESTAMPTZ_NS)
            out->v.i = floor_div(in->v.i, INT64_C(3600000000000));
        else
            out->v.i = floor_div(in->v.i, INT64_C(3600000000));
        return 0;
    default: return TN_ETYPE;
    }
}

/* ------------------------------------------------------------------------------------------
 * Text for partition paths
 * ---------------------------------------------------------------------------------------- */

static int append_escaped(tn_buf *out, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        int rc;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '*')
            rc = tn_buf_putc(out, (char)c);
        else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = tn_buf_append(out, esc, 3);
        }
        if (rc < 0) return rc;
    }
    return 0;
}

/* Hive-style text of a partition value (the transform decides how dates and hours read). */
int tn_iceberg_value_to_path(const tn_iceberg_value *value, tn_transform t, tn_buf *out)
{
    char tmp[TN_FORMAT_MAX * 2];
    if (value->is_null) return tn_buf_append_cstr(out, "null");
    switch (t.kind) {
    case TN_TRANSFORM_YEAR:
        return tn_buf_printf(out, "%04lld", (long long)(value->v.i + 1970));
    case TN_TRANSFORM_MONTH: {
        int64_t y = floor_div(value->v.i, 12) + 1970;
        int64_t m = value->v.i - floor_div(value->v.i, 12) * 12 + 1;
        return tn_buf_printf(out, "%04lld-%02lld", (long long)y, (long long)m);
    }
    case TN_TRANSFORM_HOUR: {
        int64_t days = floor_div(value->v.i, 24);
        int64_t h = value->v.i - days * 24;
        if (days < INT32_MIN || days > INT32_MAX) return tn_buf_printf(out, "%lld", (long long)value->v.i);
        size_t n = tn_format_date((int32_t)days, tmp);
        tmp[n] = 0;
        return tn_buf_printf(out, "%s-%02lld", tmp, (long long)h);
    }
    default: break;
    }
    switch (value->kind) {
    case TN_ICEBERG_BOOLEAN: return tn_buf_append_cstr(out, value->v.b ? "true" : "false");
    case TN_ICEBERG_INT:
    case TN_ICEBERG_LONG:
    case TN_ICEBERG_TIME: return tn_buf_printf(out, "%lld", (long long)value->v.i);
    case TN_ICEBERG_DATE: {
        if (value->v.i < INT32_MIN || value->v.i > INT32_MAX) return tn_buf_printf(out, "%lld", (long long)value->v.i);
        size_t n = tn_format_date((int32_t)value->v.i, tmp);
        return tn_buf_append(out, tmp, n);
    }
    case TN_ICEBERG_TIMESTAMP:
    case TN_ICEBERG_TIMESTAMPTZ: {
        size_t n = tn_format_timestamp(value->v.i, false, tmp);
        for (size_t i = 0; i < n; i++)
            if (tmp[i] == ' ') tmp[i] = 'T';
        return append_escaped(out, tmp, n);
    }
    case TN_ICEBERG_FLOAT: {
        size_t n = tn_format_float(value->v.f, tmp);
        return append_escaped(out, tmp, n);
    }
    case TN_ICEBERG_DOUBLE: {
        size_t n = tn_format_double(value->v.d, tmp);
        return append_escaped(out, tmp, n);
    }
    case TN_ICEBERG_DECIMAL: {
        size_t n = tn_format_decimal(value->v.dec, value->scale, tmp);
        return append_escaped(out, tmp, n);
    }
    case TN_ICEBERG_STRING: return append_escaped(out, value->v.bytes.ptr, value->v.bytes.len);
    default: {
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < value->v.bytes.len; i++) {
            unsigned char c = (unsigned char)value->v.bytes.ptr[i];
            char h[2] = {hex[c >> 4], hex[c & 15]};
            int rc = tn_buf_append(out, h, 2);
            if (rc < 0) return rc;
        }
        return 0;
    }
    }
}

/* ------------------------------------------------------------------------------------------
 * Appendix D binary serialisation
 * ---------------------------------------------------------------------------------------- */

static int put_le(tn_buf *out, uint64_t v, int n)
{
    uint8_t b[8];
    for (int i = 0; i < n; i++) b[i] = (uint8_t)(v >> (8 * i));
    return tn_buf_append(out, b, (size_t)n);
}

/* Appends a value's single-value binary form. */
int tn_iceberg_value_to_bytes(const tn_iceberg_value *value, tn_buf *out)
{
    switch (value->kind) {
    case TN_ICEBERG_BOOLEAN: return tn_buf_putc(out, value->v.b ? 1 : 0);
    case TN_ICEBERG_INT:
    case TN_ICEBERG_DATE: return put_le(out, (uint64_t)value->v.i, 4);
    case TN_ICEBERG_LONG:
    case TN_ICEBERG_TIME:
    case TN_ICEBERG_TIMESTAMP:
    case TN_ICEBERG_TIMESTAMPTZ:
    case TN_ICEBERG_TIMESTAMP_NS:
    case TN_ICEBERG_TIMESTAMPTZ_NS: return put_le(out, (uint64_t)value->v.i, 8);
    case TN_ICEBERG_FLOAT: {
        uint32_t bits;
        memcpy(&bits, &value->v.f, 4);
        return put_le(out, bits, 4);
    }
    case TN_ICEBERG_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &value->v.d, 8);
        return put_le(out, bits, 8);
    }
    case TN_ICEBERG_DECIMAL: {
        uint8_t b[16];
        size_t n = decimal_min_bytes(value->v.dec, b);
        return tn_buf_append(out, b, n);
    }
    default: return tn_buf_append(out, value->v.bytes.ptr, value->v.bytes.len);
    }
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Decodes Appendix D bytes of a type. */
int tn_iceberg_value_from_bytes(const tn_iceberg_type *type, const void *data, size_t len,
                                tn_iceberg_value *out)
{
    const uint8_t *p = data;
    memset(out, 0, sizeof *out);
    out->kind = type->kind;
    out->scale = type->scale;
    switch (type->kind) {
    case TN_ICEBERG_BOOLEAN:
        if (len != 1) return TN_ECORRUPT;
        out->v.b = p[0] != 0;
        return 0;
    case TN_ICEBERG_INT:
    case TN_ICEBERG_DATE:
        /* A promoted column keeps old 4-byte bounds; accept 8 too. */
        if (len == 4) out->v.i = (int32_t)(uint32_t)get_le(p, 4);
        else if (len == 8) out->v.i = (int64_t)get_le(p, 8);
        else return TN_ECORRUPT;
        return 0;
    case TN_ICEBERG_LONG:
    case TN_ICEBERG_TIME:
    case TN_ICEBERG_TIMESTAMP:
    case TN_ICEBERG_TIMESTAMPTZ:
    case TN_ICEBERG_TIMESTAMP_NS:
    case TN_ICEBERG_TIMESTAMPTZ_NS:
        if (len == 8) out->v.i = (int64_t)get_le(p, 8);
        else if (len == 4) out->v.i = (int32_t)(uint32_t)get_le(p, 4); /* int promoted to long */
        else return TN_ECORRUPT;
        return 0;
    case TN_ICEBERG_FLOAT: {
        if (len != 4) return TN_ECORRUPT;
        uint32_t bits = (uint32_t)get_le(p, 4);
        memcpy(&out->v.f, &bits, 4);
        return 0;
    }
    case TN_ICEBERG_DOUBLE: {
        if (len == 4) { /* float promoted to double */
            uint32_t bits = (uint32_t)get_le(p, 4);
            float f;
            memcpy(&f, &bits, 4);
            out->v.d = f;
            return 0;
        }
        if (len != 8) return TN_ECORRUPT;
        uint64_t bits = get_le(p, 8);
        memcpy(&out->v.d, &bits, 8);
        return 0;
    }
    case TN_ICEBERG_DECIMAL: {
        if (len == 0 || len > 16) return TN_ECORRUPT;
        unsigned __int128 u = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
        for (size_t i = 0; i < len; i++) u = (u << 8) | p[i];
        out->v.dec = (tn_i128)u;
        return 0;
    }
    case TN_ICEBERG_UUID:
        if (len != 16) return TN_ECORRUPT;
        out->v.bytes = tn_str_make((const char *)p, len);
        return 0;
    case TN_ICEBERG_STRING:
    case TN_ICEBERG_FIXED:
    case TN_ICEBERG_BINARY:
        out->v.bytes = tn_str_make((const char *)p, len);
        return 0;
    default: return TN_EUNSUPPORTED;
    }
}

/* Orders two non-null values of one kind. */
int tn_iceberg_value_cmp(const tn_iceberg_value *a, const tn_iceberg_value *b)
{
    switch (a->kind) {
    case TN_ICEBERG_BOOLEAN: return (int)a->v.b - (int)b->v.b;
    case TN_ICEBERG_FLOAT: return a->v.f < b->v.f ? -1 : a->v.f > b->v.f ? 1 : 0;
    case TN_ICEBERG_DOUBLE: return a->v.d < b->v.d ? -1 : a->v.d > b->v.d ? 1 : 0;
    case TN_ICEBERG_DECIMAL: {
        /* Align scales (bounds and literals may disagree). */
        tn_i128 x = a->v.dec, y = b->v.dec;
        for (int s = a->scale; s < b->scale; s++) x *= 10;
        for (int s = b->scale; s < a->scale; s++) y *= 10;
        return x < y ? -1 : x > y ? 1 : 0;
    }
    case TN_ICEBERG_STRING:
    case TN_ICEBERG_UUID:
    case TN_ICEBERG_FIXED:
    case TN_ICEBERG_BINARY: return tn_str_cmp(a->v.bytes, b->v.bytes);
    default: return a->v.i < b->v.i ? -1 : a->v.i > b->v.i ? 1 : 0;
    }
}

/* Equality for partition matching. */
bool tn_iceberg_value_eq(const tn_iceberg_value *a, const tn_iceberg_value *b)
{
    if (a->is_null || b->is_null) return a->is_null && b->is_null;
    if (a->kind == TN_ICEBERG_FLOAT && b->kind == TN_ICEBERG_FLOAT) {
        uint32_t x, y;
        memcpy(&x, &a->v.f, 4);
        memcpy(&y, &b->v.f, 4);
        return x == y || (isnan(a->v.f) && isnan(b->v.f));
    }
    if (a->kind == TN_ICEBERG_DOUBLE && b->kind == TN_ICEBERG_DOUBLE) {
        uint64_t x, y;
        memcpy(&x, &a->v.d, 8);
        memcpy(&y, &b->v.d, 8);
        return x == y || (isnan(a->v.d) && isnan(b->v.d));
    }
    return tn_iceberg_value_cmp(a, b) == 0;
}

/* Reads one row of a vector as a value of the given Iceberg kind. */
void tn_iceberg_value_from_vector(const tn_vector *v, uint32_t row, uint8_t kind,
                                  tn_iceberg_value *out)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->scale = v->type.scale;
    if (!tn_vector_is_valid(v, row)) {
        out->is_null = true;
        return;
    }
    switch (v->type.id) {
    case TN_TYPE_BOOLEAN: out->v.b = tn_vector_get_bool(v, row); break;
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: out->v.i = tn_vector_i32(v)[row]; break;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        out->v.i = tn_vector_i64(v)[row];
        /* tarn keeps microseconds: nanosecond kinds are read as such. */
        if (kind == TN_ICEBERG_TIMESTAMP_NS || kind == TN_ICEBERG_TIMESTAMPTZ_NS)
            out->kind = kind == TN_ICEBERG_TIMESTAMP_NS ? TN_ICEBERG_TIMESTAMP : TN_ICEBERG_TIMESTAMPTZ;
        break;
    case TN_TYPE_REAL:
        if (kind == TN_ICEBERG_DOUBLE) out->v.d = tn_vector_f32(v)[row];
        else out->v.f = tn_vector_f32(v)[row];
        break;
    case TN_TYPE_DOUBLE: out->v.d = tn_vector_f64(v)[row]; break;
    case TN_TYPE_DECIMAL: out->v.dec = tn_vector_get_decimal(v, row); break;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: out->v.bytes = tn_vector_get_str(v, row); break;
    default: out->is_null = true; break;
    }
}
