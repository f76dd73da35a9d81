/* SPDX-License-Identifier: Apache-2.0
 *
 * Casts between logical types, a vector at a time. Used by the engine (CAST, implicit
 * widening), by schema evolution when old files are read into a new schema, and by readers
 * that are told a column's type.
 *
 * Rules:
 * - numeric <-> numeric with range checks; REAL/DOUBLE to an integer rounds ties to even (as
 *   PostgreSQL and DuckDB); DECIMAL, and REAL/DOUBLE to DECIMAL, round half away from zero
 *   when they lose fraction digits (DOUBLE -> DECIMAL rounds the shortest decimal text of the
 *   double, so 1.005 -> DECIMAL(4,2) is 1.01, as it prints);
 * - BOOLEAN <-> numeric: true = 1, false = 0, any non-zero value is true;
 * - anything -> VARCHAR: the text of tn_vector_format_value (BLOB as \xHH escapes);
 * - VARCHAR -> anything: surrounding ASCII whitespace ignored, then the tn_parse_* rules, plus:
 *   "1"/"0" are booleans here (not in type inference), integers accept a plain decimal
 *   fraction which is rounded, decimals accept exponents and round, DATE accepts a timestamp
 *   (its day is kept), BLOB reads \xHH escapes;
 * - DATE <-> TIMESTAMP <-> TIMESTAMPTZ: midnight / the day; TIMESTAMP and TIMESTAMPTZ share
 *   the same UTC wall clock (tarn has no session time zone).
 * A value that does not convert is an error naming the value and its 1-based row, or NULL
 * with try_cast. A pair of types that never converts (DATE -> INTEGER) is always TN_ETYPE.
 */
#include "core/core.h"
#include "core/core_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef enum cast_status {
    CAST_OK = 0,
    CAST_INVALID, /* the value is not a valid literal of the target type */
    CAST_RANGE,   /* the value is out of the target's range */
} cast_status;

/* 10^k for k in [0, 38]. */
static tn_i128 pow10_i128(int k)
{
    static const uint64_t small[20] = {1ULL,
                                       10ULL,
                                       100ULL,
                                       1000ULL,
                                       10000ULL,
                                       100000ULL,
                                       1000000ULL,
                                       10000000ULL,
                                       100000000ULL,
                                       1000000000ULL,
                                       10000000000ULL,
                                       100000000000ULL,
                                       1000000000000ULL,
                                       10000000000000ULL,
                                       100000000000000ULL,
                                       1000000000000000ULL,
                                       10000000000000000ULL,
                                       100000000000000000ULL,
                                       1000000000000000000ULL,
                                       10000000000000000000ULL};
    if (k < 20)
        return (tn_i128)small[k];
    return (tn_i128)small[k - 19] * (tn_i128)small[19];
}

static inline tn_i128 abs_i128(tn_i128 v)
{
    return v < 0 ? -v : v;
}

/* Moves an unscaled value from scale `from` to scale `to`, rounding half away from zero when
 * digits are dropped, and checks it fits `precision` digits. */
static cast_status rescale(tn_i128 v, int from, int to, int precision, tn_i128 *out)
{
    tn_i128 limit = pow10_i128(precision);
    if (to >= from) {
        tn_i128 f = pow10_i128(to - from);
        /* |v| * f < 10^precision, checked without overflowing. */
        if (abs_i128(v) > (limit - 1) / f)
            return CAST_RANGE;
        *out = v * f;
        return CAST_OK;
    }
    tn_i128 f = pow10_i128(from - to);
    tn_i128 q = v / f, r = v % f;
    if (abs_i128(r) * 2 >= f)
        q += v < 0 ? -1 : 1;
    if (abs_i128(q) >= limit)
        return CAST_RANGE;
    *out = q;
    return CAST_OK;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static tn_str trim(tn_str s)
{
    while (s.len > 0 && is_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && is_space(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

/* Decimal text ([sign] digits [. digits] [e [sign] digits]) to an unscaled value of `scale`,
 * rounded half away from zero, within `precision` digits. */
static cast_status text_to_decimal(const char *p, size_t n, int precision, int scale,
                                   tn_i128 *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (p[i] == '-' || p[i] == '+')) {
        neg = p[i] == '-';
        i++;
    }
    /* Keep the first 40 significant digits: enough for 38 plus the rounding digit; any digit
     * further is past the rounding position unless the value overflows anyway. */
    char digits[40];
    int nd = 0;        /* significant digits seen (leading zeros skipped) */
    int point = 0;     /* decimal exponent of the digit run: value = 0.d1d2... * 10^point */
    bool any = false;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
        any = true;
        if (nd == 0 && p[i] == '0')
            continue;
        if (nd < (int)sizeof(digits))
            digits[nd] = p[i];
        nd++;
        point++;
    }
    if (i < n && p[i] == '.') {
        i++;
        for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
            any = true;
            if (nd == 0 && p[i] == '0') {
                point--;
                continue;
            }
            if (nd < (int)sizeof(digits))
                digits[nd] = p[i];
            nd++;
        }
    }
    if (!any)
        return CAST_INVALID;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (p[i] == '-' || p[i] == '+')) {
            eneg = p[i] == '-';
            i++;
        }
        if (i == n)
            return CAST_INVALID;
        long e = 0;
        for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
            if (e < 100000)
                e = e * 10 + (p[i] - '0');
        point += (int)(eneg ? -e : e);
    }
    if (i != n)
        return CAST_INVALID;
    if (nd == 0) {
        *out = 0;
        return CAST_OK;
    }
    /* Digits that land before the point after scaling. */
    long keep = (long)point + scale;
    if (keep > precision)
        return CAST_RANGE;
    int stored = nd < (int)sizeof(digits) ? nd : (int)sizeof(digits);
    tn_i128 acc = 0;
    for (long k = 0; k < keep; k++)
        acc = acc * 10 + (k < stored ? digits[k] - '0' : 0);
    if (keep >= 0 && keep < stored && digits[keep] >= '5')
        acc++;
    if (acc >= pow10_i128(precision))
        return CAST_RANGE;
    *out = neg ? -acc : acc;
    return CAST_OK;
}

/* Decimal (unscaled, scale) to the nearest double, correctly rounded. */
static double decimal_to_double(tn_i128 v, int scale)
{
    tn_i128 a = abs_i128(v);
    if (a <= ((tn_i128)1 << 53) && scale <= 22) {
        /* Both operands exact: one correctly rounded division. */
        static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        return (double)v / p10[scale];
    }
    char text[TN_FORMAT_MAX];
    tn_format_decimal(v, scale, text);
    return tn__strtod_c(text, NULL);
}

/* A double rounded to the nearest integer, ties to even (PostgreSQL's float-to-integer cast, and
 * DuckDB's), within [lo, hi]. */
static cast_status double_to_int(double d, int64_t lo, int64_t hi, int64_t *out)
{
    if (isnan(d))
        return CAST_RANGE;
    double r = nearbyint(d);
    /* (double)hi may round up to 2^63; compare strictly against that bound then. */
    if (!(r >= (double)lo) || (hi == INT64_MAX ? r >= 0x1p63 : r > (double)hi))
        return CAST_RANGE;
    *out = (int64_t)r;
    return CAST_OK;
}

/* Reads \xHH escapes (the BLOB text form); other bytes are taken as they are. */
static cast_status unescape_blob(tn_str s, tn_vector *dst, uint32_t row, int *rc)
{
    /* Decoding never grows the text, so decode in place after appending it raw. */
    *rc = tn_vector_append_str(dst, row, s.ptr, s.len);
    if (*rc != 0)
        return CAST_OK;
    char *w = dst->data + dst->offsets[row];
    const char *r = w, *end = w + s.len;
    char *out = w;
    while (r < end) {
        if (*r != '\\') {
            *out++ = *r++;
            continue;
        }
        if (end - r < 4 || r[1] != 'x')
            goto invalid;
        int v = 0;
        for (int k = 2; k < 4; k++) {
            char c = r[k];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0)
                goto invalid;
            v = v * 16 + d;
        }
        *out++ = (char)v;
        r += 4;
    }
    dst->offsets[row + 1] = (int32_t)(out - dst->data);
    dst->data_len = (size_t)dst->offsets[row + 1];
    return CAST_OK;
invalid:
    /* Undo the append: the row becomes NULL or the cast fails. */
    dst->offsets[row + 1] = dst->offsets[row];
    dst->data_len = (size_t)dst->offsets[row];
    return CAST_INVALID;
}

/* Source value as an integer for the integer-like source types. */
static int64_t get_int(const tn_vector *src, uint32_t row)
{
    switch ((tn_type_id)src->type.id) {
    case TN_TYPE_BOOLEAN:
        return tn_vector_get_bool(src, row);
    case TN_TYPE_INTEGER:
        return tn_vector_i32(src)[row];
    default:
        return tn_vector_i64(src)[row];
    }
}

static bool is_intlike(tn_type_id id)
{
    return id == TN_TYPE_BOOLEAN || id == TN_TYPE_INTEGER || id == TN_TYPE_BIGINT;
}

static bool is_numeric(tn_type_id id)
{
    return is_intlike(id) || id == TN_TYPE_REAL || id == TN_TYPE_DOUBLE || id == TN_TYPE_DECIMAL;
}

/* Whether a value of `from` can ever become a `to` (otherwise the cast is a type error). */
static bool castable(tn_type_id from, tn_type_id to)
{
    if (from == to || to == TN_TYPE_VARCHAR || from == TN_TYPE_VARCHAR)
        return true;
    if (from == TN_TYPE_BLOB || to == TN_TYPE_BLOB)
        return false;
    bool from_time = from == TN_TYPE_DATE || from == TN_TYPE_TIMESTAMP || from == TN_TYPE_TIMESTAMPTZ;
    bool to_time = to == TN_TYPE_DATE || to == TN_TYPE_TIMESTAMP || to == TN_TYPE_TIMESTAMPTZ;
    if (from_time || to_time)
        return from_time && to_time;
    return is_numeric(from) && is_numeric(to);
}

#define MICROS_PER_DAY INT64_C(86400000000)

/* Integer result (BOOLEAN, INTEGER, BIGINT targets) of a non-NULL source value. */
static cast_status to_int(const tn_vector *src, uint32_t row, int64_t lo, int64_t hi,
                          int64_t *out)
{
    switch ((tn_type_id)src->type.id) {
    case TN_TYPE_BOOLEAN:
    case TN_TYPE_INTEGER:
    case TN_TYPE_BIGINT: {
        int64_t v = get_int(src, row);
        if (v < lo || v > hi)
            return CAST_RANGE;
        *out = v;
        return CAST_OK;
    }
    case TN_TYPE_REAL:
        return double_to_int(tn_vector_f32(src)[row], lo, hi, out);
    case TN_TYPE_DOUBLE:
        return double_to_int(tn_vector_f64(src)[row], lo, hi, out);
    case TN_TYPE_DECIMAL: {
        tn_i128 q;
        if (rescale(tn_vector_get_decimal(src, row), src->type.scale, 0, TN_DECIMAL_MAX_PRECISION, &q) !=
                CAST_OK ||
            q < lo || q > hi)
            return CAST_RANGE;
        *out = (int64_t)q;
        return CAST_OK;
    }
    case TN_TYPE_VARCHAR: {
        tn_str s = trim(tn_vector_get_str(src, row));
        int64_t v;
        if (tn_parse_int64(s.ptr, s.len, &v)) {
            if (v < lo || v > hi)
                return CAST_RANGE;
            *out = v;
            return CAST_OK;
        }
        /* "12.5" rounds like a DECIMAL would; exponents are not integer literals. */
        int id, fd;
        if (!tn_decimal_shape(s.ptr, s.len, &id, &fd))
            return CAST_INVALID;
        if (id > 19)
            return CAST_RANGE;
        tn_i128 q;
        if (text_to_decimal(s.ptr, s.len, TN_DECIMAL_MAX_PRECISION, 0, &q) != CAST_OK ||
            q < lo || q > hi)
            return CAST_RANGE;
        *out = (int64_t)q;
        return CAST_OK;
    }
    default:
        return CAST_INVALID;
    }
}

static cast_status to_double(const tn_vector *src, uint32_t row, double *out)
{
    switch ((tn_type_id)src->type.id) {
    case TN_TYPE_BOOLEAN:
    case TN_TYPE_INTEGER:
    case TN_TYPE_BIGINT:
        *out = (double)get_int(src, row);
        return CAST_OK;
    case TN_TYPE_REAL:
        *out = tn_vector_f32(src)[row];
        return CAST_OK;
    case TN_TYPE_DOUBLE:
        *out = tn_vector_f64(src)[row];
        return CAST_OK;
    case TN_TYPE_DECIMAL:
        *out = decimal_to_double(tn_vector_get_decimal(src, row), src->type.scale);
        return CAST_OK;
    case TN_TYPE_VARCHAR: {
        tn_str s = trim(tn_vector_get_str(src, row));
        return tn_parse_double(s.ptr, s.len, out) ? CAST_OK : CAST_INVALID;
    }
    default:
        return CAST_INVALID;
    }
}

/* Validated decimal text [p, p+n) to the nearest float, rounded once (going through double
 * would round twice). Texts too long for the stack copy, which no real data has, do go
 * through double. */
static float text_to_float(const char *p, size_t n, double as_double)
{
    char copy[128];
    if (n >= sizeof(copy))
        return (float)as_double;
    memcpy(copy, p, n);
    copy[n] = '\0';
    return tn__strtof_c(copy, NULL);
}

static cast_status to_float(const tn_vector *src, uint32_t row, float *out)
{
    switch ((tn_type_id)src->type.id) {
    case TN_TYPE_BOOLEAN:
    case TN_TYPE_INTEGER:
    case TN_TYPE_BIGINT:
        *out = (float)get_int(src, row);
        return CAST_OK;
    case TN_TYPE_DECIMAL: {
        char text[TN_FORMAT_MAX];
        size_t n = tn_format_decimal(tn_vector_get_decimal(src, row), src->type.scale, text);
        *out = text_to_float(text, n, tn__strtod_c(text, NULL));
        return CAST_OK;
    }
    case TN_TYPE_VARCHAR: {
        tn_str s = trim(tn_vector_get_str(src, row));
        double d;
        if (!tn_parse_double(s.ptr, s.len, &d))
            return CAST_INVALID;
        float f = isfinite(d) ? text_to_float(s.ptr, s.len, d) : (float)d;
        if (isinf(f) && !isinf(d))
            return CAST_RANGE;
        *out = f;
        return CAST_OK;
    }
    default: {
        double d;
        cast_status st = to_double(src, row, &d);
        if (st != CAST_OK)
            return st;
        float f = (float)d;
        if (isinf(f) && !isinf(d))
            return CAST_RANGE;
        *out = f;
        return CAST_OK;
    }
    }
}

static cast_status to_decimal(const tn_vector *src, uint32_t row, tn_type to, tn_i128 *out)
{
    char text[TN_FORMAT_MAX];
    size_t n;
    switch ((tn_type_id)src->type.id) {
    case TN_TYPE_BOOLEAN:
    case TN_TYPE_INTEGER:
    case TN_TYPE_BIGINT:
        return rescale(get_int(src, row), 0, to.scale, to.precision, out);
    case TN_TYPE_DECIMAL:
        return rescale(tn_vector_get_decimal(src, row), src->type.scale, to.scale, to.precision, out);
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE: {
        double d = src->type.id == TN_TYPE_REAL ? tn_vector_f32(src)[row] : tn_vector_f64(src)[row];
        if (!isfinite(d))
            return CAST_RANGE;
        n = src->type.id == TN_TYPE_REAL ? tn_format_float((float)d, text)
                                         : tn_format_double(d, text);
        return text_to_decimal(text, n, to.precision, to.scale, out);
    }
    case TN_TYPE_VARCHAR: {
        tn_str s = trim(tn_vector_get_str(src, row));
        return text_to_decimal(s.ptr, s.len, to.precision, to.scale, out);
    }
    default:
        return CAST_INVALID;
    }
}

/* Microseconds (TIMESTAMP, TIMESTAMPTZ targets). */
static cast_status to_timestamp(const tn_vector *src, uint32_t row, int64_t *out)
{
    switch ((tn_type_id)src->type.id) {
    case TN_TYPE_DATE: {
        int64_t days = tn_vector_i32(src)[row];
        if (days > INT64_MAX / MICROS_PER_DAY || days < INT64_MIN / MICROS_PER_DAY)
            return CAST_RANGE;
        *out = days * MICROS_PER_DAY;
        return CAST_OK;
    }
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        *out = tn_vector_i64(src)[row];
        return CAST_OK;
    case TN_TYPE_VARCHAR: {
        tn_str s = trim(tn_vector_get_str(src, row));
        return tn_parse_timestamp(s.ptr, s.len, out, NULL) ? CAST_OK : CAST_INVALID;
    }
    default:
        return CAST_INVALID;
    }
}

static int32_t floor_days(int64_t micros)
{
    int64_t d = micros / MICROS_PER_DAY;
    if (micros % MICROS_PER_DAY < 0)
        d--;
    return (int32_t)d;
}

static cast_status to_date(const tn_vector *src, uint32_t row, int32_t *out)
{
    switch ((tn_type_id)src->type.id) {
    case TN_TYPE_DATE:
        *out = tn_vector_i32(src)[row];
        return CAST_OK;
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        *out = floor_days(tn_vector_i64(src)[row]);
        return CAST_OK;
    case TN_TYPE_VARCHAR: {
        tn_str s = trim(tn_vector_get_str(src, row));
        int64_t micros;
        if (tn_parse_date(s.ptr, s.len, out))
            return CAST_OK;
        if (tn_parse_timestamp(s.ptr, s.len, &micros, NULL)) {
            *out = floor_days(micros);
            return CAST_OK;
        }
        return CAST_INVALID;
    }
    default:
        return CAST_INVALID;
    }
}

static cast_status to_bool(const tn_vector *src, uint32_t row, bool *out)
{
    switch ((tn_type_id)src->type.id) {
    case TN_TYPE_BOOLEAN:
    case TN_TYPE_INTEGER:
    case TN_TYPE_BIGINT:
        *out = get_int(src, row) != 0;
        return CAST_OK;
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE: {
        double d;
        to_double(src, row, &d);
        if (isnan(d))
            return CAST_INVALID;
        *out = d != 0;
        return CAST_OK;
    }
    case TN_TYPE_DECIMAL:
        *out = tn_vector_get_decimal(src, row) != 0;
        return CAST_OK;
    case TN_TYPE_VARCHAR: {
        tn_str s = trim(tn_vector_get_str(src, row));
        if (s.len == 1 && (s.ptr[0] == '1' || s.ptr[0] == '0')) {
            *out = s.ptr[0] == '1';
            return CAST_OK;
        }
        return tn_parse_bool(s.ptr, s.len, out) ? CAST_OK : CAST_INVALID;
    }
    default:
        return CAST_INVALID;
    }
}

/* Converts one non-NULL row into dst. Returns a cast_status, or through *rc a TN_E* code
 * (out of memory, string limit) that fails the cast even with try_cast. */
static cast_status cast_row(const tn_vector *src, uint32_t row, tn_vector *dst, int *rc)
{
    cast_status st;
    *rc = 0;
    switch ((tn_type_id)dst->type.id) {
    case TN_TYPE_BOOLEAN: {
        bool b;
        st = to_bool(src, row, &b);
        if (st == CAST_OK)
            tn_vector_set_bool(dst, row, b);
        return st;
    }
    case TN_TYPE_INTEGER: {
        int64_t v;
        st = to_int(src, row, INT32_MIN, INT32_MAX, &v);
        if (st == CAST_OK)
            tn_vector_i32(dst)[row] = (int32_t)v;
        return st;
    }
    case TN_TYPE_BIGINT: {
        int64_t v;
        st = to_int(src, row, INT64_MIN, INT64_MAX, &v);
        if (st == CAST_OK)
            tn_vector_i64(dst)[row] = v;
        return st;
    }
    case TN_TYPE_REAL:
        return to_float(src, row, &tn_vector_f32(dst)[row]);
    case TN_TYPE_DOUBLE:
        return to_double(src, row, &tn_vector_f64(dst)[row]);
    case TN_TYPE_DECIMAL: {
        tn_i128 v;
        st = to_decimal(src, row, dst->type, &v);
        if (st == CAST_OK)
            tn_vector_set_decimal(dst, row, v);
        return st;
    }
    case TN_TYPE_DATE:
        return to_date(src, row, &tn_vector_i32(dst)[row]);
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        return to_timestamp(src, row, &tn_vector_i64(dst)[row]);
    case TN_TYPE_VARCHAR: {
        if (src->type.id == TN_TYPE_VARCHAR) {
            tn_str s = tn_vector_get_str(src, row);
            *rc = tn_vector_append_str(dst, row, s.ptr, s.len);
            return CAST_OK;
        }
        /* Everything else, BLOB included, takes its display text (BLOB as \xHH escapes, so
         * the result is valid UTF-8 and casts back to the same bytes). */
        tn_buf text = TN_BUF_INIT;
        int f = tn_vector_format_value(src, row, &text);
        if (f < 0) {
            tn_buf_free(&text);
            *rc = f;
            return CAST_OK;
        }
        *rc = tn_vector_append_str(dst, row, text.data ? text.data : "", text.len);
        tn_buf_free(&text);
        return CAST_OK;
    }
    case TN_TYPE_BLOB: {
        tn_str s = tn_vector_get_str(src, row);
        if (src->type.id == TN_TYPE_BLOB) {
            *rc = tn_vector_append_str(dst, row, s.ptr, s.len);
            return CAST_OK;
        }
        return unescape_blob(s, dst, row, rc);
    }
    default:
        return CAST_INVALID;
    }
}

/* "cannot cast 'value' to TYPE[: value out of range] (row N)" into err. */
static int cast_error(tn_error *err, int code, const tn_vector *src, uint32_t row, tn_type to)
{
    char type_name[32];
    tn_type_format(to, type_name, sizeof(type_name));
    tn_buf text = TN_BUF_INIT;
    const char *value = "?";
    int value_len = 1;
    if (tn_vector_format_value(src, row, &text) == 0) {
        value = text.data ? text.data : "";
        /* Long values are cut: the message must stay one readable line. */
        value_len = text.len > 80 ? 80 : (int)text.len;
    }
    tn_error_set(err, code, "cannot cast '%.*s%s' to %s%s (row %lu)", value_len, value,
                 text.len > 80 ? "..." : "", type_name,
                 code == TN_EOVERFLOW ? ": value out of range" : "", (unsigned long)row + 1);
    tn_buf_free(&text);
    return code;
}

/* Casts rows [0, rows) of src into dst, which this call initialises with type `to` and
 * capacity `rows`. NULL stays NULL. A value that does not convert is NULL with try_cast,
 * otherwise TN_ETYPE (not a valid literal) or TN_EOVERFLOW (out of range) with the value and
 * the 1-based row in err. A pair of types that cannot convert at all is TN_ETYPE; TN_ENOMEM
 * and TN_ELIMIT fail the cast as usual. On error dst is left destroyed (zeroed). */
int tn_vector_cast(const tn_vector *src, uint32_t rows, tn_type to, bool try_cast,
                   tn_vector *dst, tn_error *err)
{
    char from_name[32], to_name[32];
    if (!castable((tn_type_id)src->type.id, (tn_type_id)to.id) || to.id == TN_TYPE_INVALID ||
        to.id >= TN_TYPE_COUNT) {
        memset(dst, 0, sizeof(*dst));
        return tn_error_set(err, TN_ETYPE, "cannot cast %s to %s",
                            tn_type_format(src->type, from_name, sizeof(from_name)),
                            tn_type_format(to, to_name, sizeof(to_name)));
    }
    int rc = tn_vector_init(dst, to, rows);
    if (rc != 0)
        return tn_error_set(err, rc, "out of memory casting %u rows", rows);
    for (uint32_t row = 0; row < rows; row++) {
        if (!tn_vector_is_valid(src, row)) {
            tn_vector_append_null(dst, row);
            continue;
        }
        cast_status st = cast_row(src, row, dst, &rc);
        if (rc != 0) {
            tn_error_set(err, rc, "cannot cast row %lu to %s: %s", (unsigned long)row + 1,
                         tn_type_format(to, to_name, sizeof(to_name)), tn_strerror(rc));
            goto fail;
        }
        if (st == CAST_OK)
            continue;
        if (try_cast) {
            tn_vector_append_null(dst, row);
            continue;
        }
        rc = cast_error(err, st == CAST_RANGE ? TN_EOVERFLOW : TN_ETYPE, src, row, to);
        goto fail;
    }
    return 0;
fail:
    tn_vector_destroy(dst);
    return rc;
}
