/* SPDX-License-Identifier: Apache-2.0
 *
 * Date and time functions of the registry: date_part (EXTRACT), date_trunc, interval
 * arithmetic (the binder turns `x + INTERVAL '...'` into __add_interval(x, months, days,
 * micros)), DATE +/- INTEGER, DATE - DATE, strftime/strptime, now() and current_date.
 * Timestamps are microseconds since the epoch; dates days since the epoch; all calendar math
 * is proleptic Gregorian through core's civil-day helpers.
 */
#include "sql/func/func.h"

#include <stdio.h>

#define VAL(a, T, i) (((const T *)(a).vec->values)[(a).sel[i]])
#define STR(a, i) tn_vector_get_str((a).vec, (a).sel[i])
#define US_PER_DAY INT64_C(86400000000)

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

typedef struct civil {
    int64_t year;
    unsigned month, day;
    int64_t hour, minute, second, micro;
    int32_t days;
} civil;

static civil split_ts(int64_t ts)
{
    civil c;
    int64_t days = floor_div(ts, US_PER_DAY);
    int64_t rem = ts - days * US_PER_DAY;
    c.days = (int32_t)days;
    tn_civil_from_days((int32_t)days, &c.year, &c.month, &c.day);
    c.hour = rem / INT64_C(3600000000);
    c.minute = rem / 60000000 % 60;
    c.second = rem / 1000000 % 60;
    c.micro = rem % 1000000;
    return c;
}

bool tn_func_add_interval(int64_t ts, int32_t months, int32_t days, int64_t micros, int64_t *out)
{
    int64_t v = ts;
    if (months) {
        civil c = split_ts(ts);
        int64_t m = c.year * 12 + (int64_t)(c.month - 1) + months;
        int64_t y = floor_div(m, 12);
        unsigned mo = (unsigned)(m - y * 12) + 1;
        static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        unsigned last = mdays[mo - 1];
        if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
            last = 29;
        unsigned d = c.day > last ? last : c.day;
        int64_t tod = ts - (int64_t)c.days * US_PER_DAY;
        /* microseconds span about 292,000 years: farther years overflow, and would not fit
         * tn_days_from_civil's int32 days */
        if (y < -300000 || y > 300000 ||
            __builtin_mul_overflow((int64_t)tn_days_from_civil(y, mo, d), US_PER_DAY, &v) ||
            __builtin_add_overflow(v, tod, &v))
            return false;
    }
    if (__builtin_add_overflow(v, (int64_t)days * US_PER_DAY, &v) ||
        __builtin_add_overflow(v, micros, &v))
        return false;
    *out = v;
    return true;
}

typedef struct unit_def {
    const char *name;
    int32_t months, days;
    int64_t micros;
} unit_def;

static const unit_def units[] = {
    {"year", 12, 0, 0},          {"years", 12, 0, 0},        {"y", 12, 0, 0},
    {"month", 1, 0, 0},          {"months", 1, 0, 0},        {"mon", 1, 0, 0},
    {"mons", 1, 0, 0},           {"week", 0, 7, 0},          {"weeks", 0, 7, 0},
    {"day", 0, 1, 0},            {"days", 0, 1, 0},          {"d", 0, 1, 0},
    {"hour", 0, 0, 3600000000},  {"hours", 0, 0, 3600000000}, {"h", 0, 0, 3600000000},
    {"minute", 0, 0, 60000000},  {"minutes", 0, 0, 60000000}, {"min", 0, 0, 60000000},
    {"mins", 0, 0, 60000000},    {"second", 0, 0, 1000000},  {"seconds", 0, 0, 1000000},
    {"sec", 0, 0, 1000000},      {"secs", 0, 0, 1000000},    {"s", 0, 0, 1000000},
    {"millisecond", 0, 0, 1000}, {"milliseconds", 0, 0, 1000}, {"ms", 0, 0, 1000},
    {"microsecond", 0, 0, 1},    {"microseconds", 0, 0, 1},  {"us", 0, 0, 1},
    {"quarter", 3, 0, 0},        {"quarters", 3, 0, 0},
};

bool tn_func_parse_interval(tn_str text, int32_t *months, int32_t *days, int64_t *micros)
{
    *months = 0;
    *days = 0;
    *micros = 0;
    size_t i = 0;
    bool any = false;
    while (i < text.len) {
        while (i < text.len && (text.ptr[i] == ' ' || text.ptr[i] == ','))
            i++;
        if (i >= text.len)
            break;
        size_t b = i;
        if (text.ptr[i] == '-' || text.ptr[i] == '+')
            i++;
        while (i < text.len && ((text.ptr[i] >= '0' && text.ptr[i] <= '9') || text.ptr[i] == '.'))
            i++;
        double num;
        if (i == b || !tn_parse_double(text.ptr + b, i - b, &num))
            return false;
        while (i < text.len && text.ptr[i] == ' ')
            i++;
        b = i;
        while (i < text.len && text.ptr[i] != ' ' && text.ptr[i] != ',')
            i++;
        tn_str unit = tn_str_make(text.ptr + b, i - b);
        const unit_def *u = NULL;
        for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
            if (tn_str_eq_nocase(unit, tn_str_c(units[k].name)))
                u = &units[k];
        if (!u)
            return false;
        *months += (int32_t)(num * u->months);
        *days += (int32_t)(num * u->days);
        *micros += (int64_t)(num * (double)u->micros);
        any = true;
    }
    return any;
}

static int add_interval_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                           tn_vector *out)
{
    int64_t *r = tn_vector_i64(out);
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        if (!tn_func_add_interval(VAL(a[0], int64_t, i), (int32_t)VAL(a[1], int64_t, i),
                                  (int32_t)VAL(a[2], int64_t, i), VAL(a[3], int64_t, i), &r[i]))
            return tn_error_set_at(ctx->err, TN_EOVERFLOW, NULL, ctx->pos.line, ctx->pos.column,
                                   "timestamp out of range");
    }
    return 0;
}

static int date_add_days(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                         tn_vector *out)
{
    int32_t *r = tn_vector_i32(out);
    for (uint32_t i = 0; i < n; i++)
        if (__builtin_add_overflow(VAL(a[0], int32_t, i), VAL(a[1], int32_t, i), &r[i]) &&
            tn_vector_is_valid(out, i))
            return tn_error_set_at(ctx->err, TN_EOVERFLOW, NULL, ctx->pos.line, ctx->pos.column,
                                   "date out of range");
    return 0;
}

static int date_sub_days(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                         tn_vector *out)
{
    int32_t *r = tn_vector_i32(out);
    for (uint32_t i = 0; i < n; i++)
        if (__builtin_sub_overflow(VAL(a[0], int32_t, i), VAL(a[1], int32_t, i), &r[i]) &&
            tn_vector_is_valid(out, i))
            return tn_error_set_at(ctx->err, TN_EOVERFLOW, NULL, ctx->pos.line, ctx->pos.column,
                                   "date out of range");
    return 0;
}

static int date_diff_days(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                          tn_vector *out)
{
    int64_t *r = tn_vector_i64(out);
    for (uint32_t i = 0; i < n; i++)
        r[i] = (int64_t)VAL(a[0], int32_t, i) - VAL(a[1], int32_t, i);
    return 0;
}

typedef enum part_id {
    P_YEAR, P_QUARTER, P_MONTH, P_WEEK, P_DAY, P_HOUR, P_MINUTE, P_SECOND, P_MILLISECOND,
    P_MICROSECOND, P_DOW, P_DOY, P_EPOCH, P_ISODOW, P_DECADE, P_CENTURY, P_BAD
} part_id;

static part_id parse_part(tn_str s)
{
    static const struct {
        const char *name;
        part_id id;
    } names[] = {
        {"year", P_YEAR},     {"years", P_YEAR},       {"quarter", P_QUARTER},
        {"month", P_MONTH},   {"months", P_MONTH},     {"week", P_WEEK},
        {"day", P_DAY},       {"days", P_DAY},         {"hour", P_HOUR},
        {"hours", P_HOUR},    {"minute", P_MINUTE},    {"minutes", P_MINUTE},
        {"second", P_SECOND}, {"seconds", P_SECOND},   {"millisecond", P_MILLISECOND},
        {"milliseconds", P_MILLISECOND}, {"microsecond", P_MICROSECOND},
        {"microseconds", P_MICROSECOND}, {"dow", P_DOW}, {"dayofweek", P_DOW},
        {"doy", P_DOY},       {"dayofyear", P_DOY},    {"epoch", P_EPOCH},
        {"isodow", P_ISODOW}, {"decade", P_DECADE},    {"century", P_CENTURY},
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (tn_str_eq_nocase(s, tn_str_c(names[k].name)))
            return names[k].id;
    return P_BAD;
}

static int bad_part(tn_func_ctx *ctx, tn_str s)
{
    return tn_error_set_at(ctx->err, TN_EINVAL, NULL, ctx->pos.line, ctx->pos.column,
                           "unknown date part \"%.*s\": use year, quarter, month, week, day, "
                           "hour, minute, second, millisecond, microsecond, dow, doy or epoch",
                           (int)s.len, s.ptr);
}

static int iso_week(civil c)
{
    int dow = (int)(((int64_t)c.days % 7 + 7 + 3) % 7); /* 0 = Monday */
    int32_t thursday = c.days - dow + 3;
    int64_t ty;
    unsigned tm, td;
    tn_civil_from_days(thursday, &ty, &tm, &td);
    int32_t jan1 = tn_days_from_civil(ty, 1, 1);
    return (thursday - jan1) / 7 + 1;
}

static int date_part_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                        tn_vector *out)
{
    int64_t *r = tn_vector_i64(out);
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        tn_str ps = STR(a[0], i);
        part_id p = parse_part(ps);
        int64_t ts = VAL(a[1], int64_t, i);
        civil cv = split_ts(ts);
        switch (p) {
        case P_YEAR: r[i] = cv.year; break;
        case P_QUARTER: r[i] = (cv.month - 1) / 3 + 1; break;
        case P_MONTH: r[i] = cv.month; break;
        case P_WEEK: r[i] = iso_week(cv); break;
        case P_DAY: r[i] = cv.day; break;
        case P_HOUR: r[i] = cv.hour; break;
        case P_MINUTE: r[i] = cv.minute; break;
        case P_SECOND: r[i] = cv.second; break;
        case P_MILLISECOND: r[i] = cv.second * 1000 + cv.micro / 1000; break;
        case P_MICROSECOND: r[i] = cv.second * 1000000 + cv.micro; break;
        case P_DOW: r[i] = ((int64_t)cv.days % 7 + 7 + 4) % 7; break;
        case P_ISODOW: r[i] = ((int64_t)cv.days % 7 + 7 + 3) % 7 + 1; break;
        case P_DOY: r[i] = cv.days - tn_days_from_civil(cv.year, 1, 1) + 1; break;
        case P_EPOCH: r[i] = floor_div(ts, 1000000); break;
        case P_DECADE: r[i] = floor_div(cv.year, 10); break;
        case P_CENTURY: r[i] = cv.year > 0 ? (cv.year + 99) / 100 : -((99 - cv.year) / 100); break;
        default: return bad_part(ctx, ps);
        }
    }
    return 0;
}

static bool trunc_ts(part_id p, int64_t ts, int64_t *out)
{
    civil c = split_ts(ts);
    int64_t day0 = (int64_t)c.days * US_PER_DAY;
    switch (p) {
    case P_YEAR: *out = (int64_t)tn_days_from_civil(c.year, 1, 1) * US_PER_DAY; return true;
    case P_QUARTER:
        *out = (int64_t)tn_days_from_civil(c.year, (c.month - 1) / 3 * 3 + 1, 1) * US_PER_DAY;
        return true;
    case P_MONTH: *out = (int64_t)tn_days_from_civil(c.year, c.month, 1) * US_PER_DAY; return true;
    case P_WEEK: {
        int dow = (int)(((int64_t)c.days % 7 + 7 + 3) % 7);
        *out = (int64_t)(c.days - dow) * US_PER_DAY;
        return true;
    }
    case P_DAY: *out = day0; return true;
    case P_HOUR: *out = day0 + c.hour * INT64_C(3600000000); return true;
    case P_MINUTE: *out = ts - floor_div(ts, 60000000) * 60000000 == 0 ? ts : floor_div(ts, 60000000) * 60000000; return true;
    case P_SECOND: *out = floor_div(ts, 1000000) * 1000000; return true;
    case P_MILLISECOND: *out = floor_div(ts, 1000) * 1000; return true;
    case P_MICROSECOND: *out = ts; return true;
    case P_DECADE: *out = (int64_t)tn_days_from_civil(floor_div(c.year, 10) * 10, 1, 1) * US_PER_DAY; return true;
    case P_CENTURY: *out = (int64_t)tn_days_from_civil(floor_div(c.year - 1, 100) * 100 + 1, 1, 1) * US_PER_DAY; return true;
    default: return false;
    }
}

static int date_trunc_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                         tn_vector *out)
{
    int64_t *r = tn_vector_i64(out);
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        tn_str ps = STR(a[0], i);
        if (!trunc_ts(parse_part(ps), VAL(a[1], int64_t, i), &r[i]))
            return bad_part(ctx, ps);
    }
    return 0;
}

/* strftime with the C/DuckDB specifiers tarn supports: %Y %m %d %H %M %S %f %y %j %b %B %a
 * %A %p %I %e %%. */
static int format_ts(tn_buf *buf, int64_t ts, tn_str fmt)
{
    static const char *mon[] = {"January", "February", "March", "April", "May", "June", "July",
                                "August", "September", "October", "November", "December"};
    static const char *wday[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
                                 "Friday", "Saturday"};
    civil c = split_ts(ts);
    int dow = (int)(((int64_t)c.days % 7 + 7 + 4) % 7);
    int rc = 0;
    for (size_t k = 0; k < fmt.len && rc == 0; k++) {
        if (fmt.ptr[k] != '%' || k + 1 == fmt.len) {
            rc = tn_buf_putc(buf, fmt.ptr[k]);
            continue;
        }
        char f = fmt.ptr[++k];
        switch (f) {
        case 'Y': rc = tn_buf_printf(buf, "%04lld", (long long)c.year); break;
        case 'y': rc = tn_buf_printf(buf, "%02lld", (long long)(c.year % 100)); break;
        case 'm': rc = tn_buf_printf(buf, "%02u", c.month); break;
        case 'd': rc = tn_buf_printf(buf, "%02u", c.day); break;
        case 'e': rc = tn_buf_printf(buf, "%u", c.day); break;
        case 'H': rc = tn_buf_printf(buf, "%02lld", (long long)c.hour); break;
        case 'I': rc = tn_buf_printf(buf, "%02lld", (long long)((c.hour + 11) % 12 + 1)); break;
        case 'p': rc = tn_buf_append_cstr(buf, c.hour < 12 ? "AM" : "PM"); break;
        case 'M': rc = tn_buf_printf(buf, "%02lld", (long long)c.minute); break;
        case 'S': rc = tn_buf_printf(buf, "%02lld", (long long)c.second); break;
        case 'f': rc = tn_buf_printf(buf, "%06lld", (long long)c.micro); break;
        case 'j':
            rc = tn_buf_printf(buf, "%03d", (int)(c.days - tn_days_from_civil(c.year, 1, 1) + 1));
            break;
        case 'b': rc = tn_buf_append(buf, mon[c.month - 1], 3); break;
        case 'B': rc = tn_buf_append_cstr(buf, mon[c.month - 1]); break;
        case 'a': rc = tn_buf_append(buf, wday[dow], 3); break;
        case 'A': rc = tn_buf_append_cstr(buf, wday[dow]); break;
        case '%': rc = tn_buf_putc(buf, '%'); break;
        default: rc = tn_buf_putc(buf, '%') || tn_buf_putc(buf, f); break;
        }
    }
    return rc;
}

static int strftime_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                       tn_vector *out)
{
    tn_buf buf = TN_BUF_INIT;
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        if (!tn_vector_is_valid(out, i)) {
            tn_vector_append_null(out, i);
            continue;
        }
        tn_buf_clear(&buf);
        rc = format_ts(&buf, VAL(a[0], int64_t, i), STR(a[1], i));
        if (rc == 0)
            rc = tn_vector_append_str(out, i, buf.data ? buf.data : "", buf.len);
    }
    tn_buf_free(&buf);
    return rc;
}

static bool take_num(tn_str s, size_t *pos, int maxd, int64_t *v)
{
    size_t b = *pos;
    bool neg = false;
    if (*pos < s.len && (s.ptr[*pos] == '-' || s.ptr[*pos] == '+')) {
        neg = s.ptr[*pos] == '-';
        (*pos)++;
    }
    int64_t x = 0;
    int d = 0;
    while (*pos < s.len && d < maxd && s.ptr[*pos] >= '0' && s.ptr[*pos] <= '9') {
        x = x * 10 + (s.ptr[*pos] - '0');
        (*pos)++;
        d++;
    }
    if (d == 0) {
        *pos = b;
        return false;
    }
    *v = neg ? -x : x;
    return true;
}

static bool parse_ts(tn_str s, tn_str fmt, int64_t *out)
{
    int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, micro = 0;
    bool pm = false, has_p = false;
    size_t p = 0;
    for (size_t k = 0; k < fmt.len; k++) {
        if (fmt.ptr[k] != '%' || k + 1 == fmt.len) {
            if (p >= s.len || s.ptr[p] != fmt.ptr[k])
                return false;
            p++;
            continue;
        }
        char f = fmt.ptr[++k];
        int64_t v = 0;
        switch (f) {
        case 'Y': if (!take_num(s, &p, 6, &year)) return false; break;
        case 'y': if (!take_num(s, &p, 2, &v)) return false; year = v < 69 ? 2000 + v : 1900 + v; break;
        case 'm': if (!take_num(s, &p, 2, &month)) return false; break;
        case 'd': case 'e': if (!take_num(s, &p, 2, &day)) return false; break;
        case 'H': case 'I': if (!take_num(s, &p, 2, &hour)) return false; break;
        case 'M': if (!take_num(s, &p, 2, &minute)) return false; break;
        case 'S': if (!take_num(s, &p, 2, &second)) return false; break;
        case 'f': {
            size_t b = p;
            if (!take_num(s, &p, 6, &micro)) return false;
            for (size_t d = p - b; d < 6; d++) micro *= 10;
            break;
        }
        case 'p':
            if (p + 2 > s.len) return false;
            has_p = true;
            pm = s.ptr[p] == 'P' || s.ptr[p] == 'p';
            p += 2;
            break;
        case '%': if (p >= s.len || s.ptr[p] != '%') return false; p++; break;
        default: return false;
        }
    }
    if (p != s.len || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 60)
        return false;
    if (has_p)
        hour = hour % 12 + (pm ? 12 : 0);
    *out = (int64_t)tn_days_from_civil(year, (unsigned)month, (unsigned)day) * US_PER_DAY +
           hour * INT64_C(3600000000) + minute * 60000000 + second * 1000000 + micro;
    return true;
}

static int strptime_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                       tn_vector *out)
{
    int64_t *r = tn_vector_i64(out);
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        tn_str s = STR(a[0], i), f = STR(a[1], i);
        if (!parse_ts(s, f, &r[i]))
            return tn_error_set_at(ctx->err, TN_EINVAL, NULL, ctx->pos.line, ctx->pos.column,
                                   "could not parse \"%.*s\" with format \"%.*s\"", (int)s.len,
                                   s.ptr, (int)f.len, f.ptr);
    }
    return 0;
}

static int now_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c, tn_vector *out)
{
    for (uint32_t i = 0; i < n; i++)
        tn_vector_i64(out)[i] = ctx->now_us;
    return 0;
}

static int current_date_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                           tn_vector *out)
{
    for (uint32_t i = 0; i < n; i++)
        tn_vector_i32(out)[i] = (int32_t)floor_div(ctx->now_us, US_PER_DAY);
    return 0;
}

#define V TN_TYPE_VARCHAR
#define I32 TN_TYPE_INTEGER
#define I64 TN_TYPE_BIGINT
#define DT TN_TYPE_DATE
#define TS TN_TYPE_TIMESTAMP
#define TZ TN_TYPE_TIMESTAMPTZ

const tn_func_entry tn_func_datetime_entries[] = {
    {"__add_interval", 4, 4, {TS, I64, I64, I64}, TN_FUNC_RET_FIXED, TS, TN_FUNC_STRICT, add_interval_fn, false},
    {"__add_interval", 4, 4, {TZ, I64, I64, I64}, TN_FUNC_RET_FIXED, TZ, TN_FUNC_STRICT, add_interval_fn, false},
    {"+", 2, 2, {DT, I32}, TN_FUNC_RET_FIXED, DT, TN_FUNC_STRICT, date_add_days, false},
    {"-", 2, 2, {DT, I32}, TN_FUNC_RET_FIXED, DT, TN_FUNC_STRICT, date_sub_days, false},
    {"-", 2, 2, {DT, DT}, TN_FUNC_RET_FIXED, I64, TN_FUNC_STRICT, date_diff_days, false},
    {"date_part", 2, 2, {V, TS}, TN_FUNC_RET_FIXED, I64, TN_FUNC_STRICT, date_part_fn, false},
    {"date_part", 2, 2, {V, TZ}, TN_FUNC_RET_FIXED, I64, TN_FUNC_STRICT, date_part_fn, false},
    {"datepart", 2, 2, {V, TS}, TN_FUNC_RET_FIXED, I64, TN_FUNC_STRICT, date_part_fn, false},
    {"date_trunc", 2, 2, {V, TS}, TN_FUNC_RET_FIXED, TS, TN_FUNC_STRICT, date_trunc_fn, false},
    {"date_trunc", 2, 2, {V, TZ}, TN_FUNC_RET_FIXED, TZ, TN_FUNC_STRICT, date_trunc_fn, false},
    {"strftime", 2, 2, {TS, V}, TN_FUNC_RET_FIXED, V, TN_FUNC_STRICT, strftime_fn, false},
    {"strptime", 2, 2, {V, V}, TN_FUNC_RET_FIXED, TS, TN_FUNC_STRICT, strptime_fn, false},
    {"now", 0, 0, {0}, TN_FUNC_RET_FIXED, TZ, TN_FUNC_STRICT, now_fn, true},
    {"current_timestamp", 0, 0, {0}, TN_FUNC_RET_FIXED, TZ, TN_FUNC_STRICT, now_fn, true},
    {"current_date", 0, 0, {0}, TN_FUNC_RET_FIXED, DT, TN_FUNC_STRICT, current_date_fn, true},
    {"today", 0, 0, {0}, TN_FUNC_RET_FIXED, DT, TN_FUNC_STRICT, current_date_fn, true},
    {NULL, 0, 0, {0}, 0, 0, 0, NULL, false},
};
