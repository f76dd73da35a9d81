/* SPDX-License-Identifier: Apache-2.0
 *
 * Text <-> values: the one answer to "what parses as an INTEGER, a DOUBLE, a DATE" shared by
 * the CSV and JSON readers, casts and the writers. The parsers run once per field of every
 * file tarn reads, so they never allocate (one rare fallback excepted, see tn_parse_double),
 * never need a NUL and accept exactly the whole input: no surrounding whitespace.
 *
 * Conventions:
 * - Booleans: true/false/t/f/yes/no/y/n, case-insensitive. "1" and "0" are NOT booleans, so
 *   that type inference keeps a 0/1 column as integers.
 * - Doubles: shortest text that reads back to the same bits, in the style of DuckDB (and
 *   Python's repr): "1.0", "0.1", "123456.0", "1e-05", "1.5e+16", "inf", "-inf", "nan".
 * - Timestamps: "YYYY-MM-DD HH:MM:SS" plus ".ffffff" with trailing zeros removed when the
 *   fraction is not zero ("…:05.5"); TIMESTAMPTZ adds "+00" (the value is UTC). Parsing
 *   keeps at most 6 fractional digits: more are truncated, not rounded.
 * - Years 0001-9999 parse; the calendar is proleptic Gregorian.
 */
#include "core/core.h"
#include "core/core_int.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static inline bool is_digit(char c)
{
    return (unsigned)(c - '0') < 10;
}

static inline char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* Case-insensitive match of [p, p+n) against a lower-case literal. */
static bool eq_nocase(const char *p, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n; i++)
        if (lit[i] == '\0' || lower(p[i]) != lit[i])
            return false;
    return lit[i] == '\0';
}

/* ------------------------------------------------------------------------------------------
 * Booleans and integers
 * ---------------------------------------------------------------------------------------- */

/* true/false/t/f/yes/no/y/n (ASCII case-insensitive). Deliberately not 1/0: see the file
 * comment. Returns false (out untouched) for anything else. */
bool tn_parse_bool(const char *p, size_t n, bool *out)
{
    if (n == 0 || n > 5)
        return false;
    switch (lower(p[0])) {
    case 't':
        if (n == 1 || eq_nocase(p, n, "true")) {
            *out = true;
            return true;
        }
        return false;
    case 'y':
        if (n == 1 || eq_nocase(p, n, "yes")) {
            *out = true;
            return true;
        }
        return false;
    case 'f':
        if (n == 1 || eq_nocase(p, n, "false")) {
            *out = false;
            return true;
        }
        return false;
    case 'n':
        if (n == 1 || eq_nocase(p, n, "no")) {
            *out = false;
            return true;
        }
        return false;
    default:
        return false;
    }
}

/* Optional '+' or '-', then one or more ASCII digits, nothing else. False on overflow of
 * int64 (INT64_MIN itself parses). */
bool tn_parse_int64(const char *p, size_t n, int64_t *out)
{
    if (n == 0)
        return false;
    size_t i = 0;
    bool neg = false;
    if (p[0] == '-' || p[0] == '+') {
        neg = p[0] == '-';
        i = 1;
        if (n == 1)
            return false;
    }
    uint64_t acc = 0;
    /* 18 digits can never overflow uint64, so check only from then on. */
    size_t fast_end = n - i > 18 ? i + 18 : n;
    for (; i < fast_end; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (d > 9)
            return false;
        acc = acc * 10 + d;
    }
    for (; i < n; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (d > 9)
            return false;
        if (acc > (UINT64_MAX - d) / 10)
            return false;
        acc = acc * 10 + d;
    }
    if (neg) {
        if (acc > (uint64_t)INT64_MAX + 1)
            return false;
        *out = (int64_t)(0 - acc); /* two's complement wrap is the intent for INT64_MIN */
    } else {
        if (acc > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)acc;
    }
    return true;
}

/* As tn_parse_int64, false outside int32. */
bool tn_parse_int32(const char *p, size_t n, int32_t *out)
{
    int64_t v;
    if (!tn_parse_int64(p, n, &v) || v < INT32_MIN || v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Doubles
 * ---------------------------------------------------------------------------------------- */

/* Powers of ten that a double holds exactly (10^22 is the last one below 2^53 * 2^22). */
static const double exact_pow10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* The exact fast path is only valid when arithmetic is done in double precision, not in
 * x87 extended precision (double rounding). */
#if defined(FLT_EVAL_METHOD) && (FLT_EVAL_METHOD == 0 || FLT_EVAL_METHOD == 1)
#define TN_EXACT_DOUBLE_ARITH 1
#else
#define TN_EXACT_DOUBLE_ARITH 0
#endif

/* The "C" locale, created once: the slow paths below must read '.' as the decimal point even
 * if the program called setlocale() (a REPL may, for its line editor). */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* strtod in the "C" locale (plain strtod if that locale could not be created). */
double tn__strtod_c(const char *s, char **end)
{
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale ? strtod_l(s, end, c_locale) : strtod(s, end);
}

/* strtof in the "C" locale. */
float tn__strtof_c(const char *s, char **end)
{
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale ? strtof_l(s, end, c_locale) : strtof(s, end);
}

/* Rare path: hand a NUL-terminated copy to strtod, which rounds correctly. The syntax has
 * been validated already, so strtod consumes it all. */
static bool parse_double_slow(const char *p, size_t n, double *out)
{
    char stack[256];
    char *copy = stack;
    if (n >= sizeof(stack)) {
        /* Only absurdly long literals (hundreds of digits) get here. */
        copy = tn_malloc(n + 1);
        if (copy == NULL)
            return false;
    }
    memcpy(copy, p, n);
    copy[n] = '\0';
    errno = 0;
    char *end;
    double v = tn__strtod_c(copy, &end);
    bool ok = end == copy + n;
    if (copy != stack)
        tn_free(copy);
    /* Overflow to infinity is not a value; underflow to zero or a subnormal is. */
    if (!ok || isinf(v))
        return false;
    *out = v;
    return true;
}

/* [sign] (digits [. digits] | . digits) [(e|E) [sign] digits], or [sign] inf / infinity /
 * nan, case-insensitive. Correctly rounded. False for anything else and for finite literals
 * that overflow a double. */
bool tn_parse_double(const char *p, size_t n, double *out)
{
    if (n == 0)
        return false;
    size_t i = 0;
    bool neg = false;
    if (p[0] == '-' || p[0] == '+') {
        neg = p[0] == '-';
        i = 1;
    }
    if (i < n && !is_digit(p[i]) && p[i] != '.') {
        const char *w = p + i;
        size_t wn = n - i;
        if (eq_nocase(w, wn, "inf") || eq_nocase(w, wn, "infinity")) {
            *out = neg ? -INFINITY : INFINITY;
            return true;
        }
        if (eq_nocase(w, wn, "nan")) {
            *out = NAN;
            return true;
        }
        return false;
    }

    uint64_t mant = 0;   /* first 19 significant digits */
    int sig = 0;         /* significant digits kept in mant */
    int exp10 = 0;       /* decimal exponent adjustment from the point and dropped digits */
    bool inexact = false; /* a non-zero digit was dropped past the 19th */
    bool any_digit = false;

    /* Leading zeros are not significant. */
    while (i < n && p[i] == '0') {
        i++;
        any_digit = true;
    }
    for (; i < n && is_digit(p[i]); i++) {
        any_digit = true;
        if (sig < 19) {
            mant = mant * 10 + (uint64_t)(p[i] - '0');
            sig++;
        } else {
            exp10++;
            if (p[i] != '0')
                inexact = true;
        }
    }
    if (i < n && p[i] == '.') {
        i++;
        if (sig == 0) {
            /* 0.000123: zeros after the point move the exponent, nothing else. */
            while (i < n && p[i] == '0') {
                i++;
                exp10--;
                any_digit = true;
            }
        }
        for (; i < n && is_digit(p[i]); i++) {
            any_digit = true;
            if (sig < 19) {
                mant = mant * 10 + (uint64_t)(p[i] - '0');
                sig++;
                exp10--;
            } else if (p[i] != '0') {
                inexact = true;
            }
        }
    }
    if (!any_digit)
        return false;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (p[i] == '-' || p[i] == '+')) {
            eneg = p[i] == '-';
            i++;
        }
        if (i == n)
            return false;
        int e = 0;
        for (; i < n && is_digit(p[i]); i++)
            if (e < 100000) /* far past any double; clamp so the sum cannot overflow */
                e = e * 10 + (p[i] - '0');
        exp10 += eneg ? -e : e;
    }
    if (i != n)
        return false;

    if (mant == 0 && !inexact) {
        *out = neg ? -0.0 : 0.0;
        return true;
    }
    /* Classic exact path: both the mantissa (< 2^53) and 10^|e| (|e| <= 22) are exact
     * doubles, so one IEEE multiply or divide gives the correctly rounded result. */
    if (TN_EXACT_DOUBLE_ARITH && !inexact && mant <= (UINT64_C(1) << 53) && exp10 >= -22 &&
        exp10 <= 22) {
        double v = (double)mant;
        v = exp10 < 0 ? v / exact_pow10[-exp10] : v * exact_pow10[exp10];
        *out = neg ? -v : v;
        return true;
    }
    return parse_double_slow(p, n, out);
}

/* ------------------------------------------------------------------------------------------
 * Decimals
 * ---------------------------------------------------------------------------------------- */

/* Scans [sign] digits [. digits] (at least one digit). Reports the positions of the integer
 * and fraction digit runs. */
static bool scan_plain_decimal(const char *p, size_t n, bool *neg, size_t *int_start,
                               size_t *int_end, size_t *frac_start, size_t *frac_end)
{
    size_t i = 0;
    *neg = false;
    if (n > 0 && (p[0] == '-' || p[0] == '+')) {
        *neg = p[0] == '-';
        i = 1;
    }
    *int_start = i;
    while (i < n && is_digit(p[i]))
        i++;
    *int_end = i;
    *frac_start = *frac_end = i;
    if (i < n && p[i] == '.') {
        i++;
        *frac_start = i;
        while (i < n && is_digit(p[i]))
            i++;
        *frac_end = i;
    }
    return i == n && (*int_end > *int_start || *frac_end > *frac_start);
}

/* Plain decimal text ([sign] digits [. digits]) to an unscaled value with `scale` fraction
 * digits. False when non-zero digits go past `scale`, when the integer part needs more than
 * precision - scale digits, or for anything that is not plain decimal text. */
bool tn_parse_decimal(const char *p, size_t n, int precision, int scale, tn_i128 *out)
{
    bool neg;
    size_t is, ie, fs, fe;
    if (precision < 1 || precision > TN_DECIMAL_MAX_PRECISION || scale < 0 ||
        scale > precision || !scan_plain_decimal(p, n, &neg, &is, &ie, &fs, &fe))
        return false;
    while (is < ie && p[is] == '0')
        is++;
    if ((int)(ie - is) > precision - scale)
        return false;
    /* Fraction digits past the scale must all be zero: the value has to be exact. */
    size_t frac_len = fe - fs;
    if (frac_len > (size_t)scale) {
        for (size_t k = fs + (size_t)scale; k < fe; k++)
            if (p[k] != '0')
                return false;
        frac_len = (size_t)scale;
    }
    unsigned __int128 acc = 0; /* at most 38 digits: never overflows */
    for (size_t k = is; k < ie; k++)
        acc = acc * 10 + (unsigned)(p[k] - '0');
    for (size_t k = 0; k < frac_len; k++)
        acc = acc * 10 + (unsigned)(p[fs + k] - '0');
    for (size_t k = frac_len; k < (size_t)scale; k++)
        acc *= 10;
    *out = neg ? -(tn_i128)acc : (tn_i128)acc;
    return true;
}

/* Digits before the point (leading zeros not counted, so "0.5" gives 0) and after it
 * (trailing zeros counted: "12.50" gives 2, 2) of [sign] digits [. digits]. False when the
 * text is not such a literal (exponents, inf, letters...). */
bool tn_decimal_shape(const char *p, size_t n, int *int_digits, int *frac_digits)
{
    bool neg;
    size_t is, ie, fs, fe;
    if (!scan_plain_decimal(p, n, &neg, &is, &ie, &fs, &fe))
        return false;
    while (is < ie && p[is] == '0')
        is++;
    *int_digits = (int)(ie - is);
    *frac_digits = (int)(fe - fs);
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Calendar
 * ---------------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date. Works in 400-year eras (146097 days),
 * with years starting on March 1 so that the leap day falls at the end of a year. */
int32_t tn_days_from_civil(int64_t year, unsigned month, unsigned day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                     /* [0, 399] */
    int64_t mp = month > 2 ? (int64_t)month - 3 : (int64_t)month + 9; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)day - 1;              /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;              /* [0, 146096] */
    return (int32_t)(era * 146097 + doe - 719468); /* 719468: 0000-03-01 to 1970-01-01 */
}

/* Inverse of tn_days_from_civil. */
void tn_civil_from_days(int32_t days, int64_t *year, unsigned *month, unsigned *day)
{
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                         /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;    /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                       /* [0, 11] */
    *day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

static bool is_leap(unsigned year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned days_in_month(unsigned year, unsigned month)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : dim[month - 1];
}

/* Two ASCII digits at p, or -1. */
static inline int two_digits(const char *p)
{
    unsigned a = (unsigned)(p[0] - '0'), b = (unsigned)(p[1] - '0');
    return (a > 9 || b > 9) ? -1 : (int)(a * 10 + b);
}

/* YYYY-MM-DD at p (10 bytes available) into days; validates the calendar. */
static bool parse_date10(const char *p, int32_t *days)
{
    int y1 = two_digits(p), y2 = two_digits(p + 2);
    int m = two_digits(p + 5), d = two_digits(p + 8);
    if (y1 < 0 || y2 < 0 || m < 0 || d < 0 || p[4] != '-' || p[7] != '-')
        return false;
    unsigned year = (unsigned)(y1 * 100 + y2);
    if (year == 0 || m < 1 || m > 12 || d < 1 || (unsigned)d > days_in_month(year, (unsigned)m))
        return false;
    *days = tn_days_from_civil(year, (unsigned)m, (unsigned)d);
    return true;
}

/* Exactly YYYY-MM-DD, years 0001-9999, a real calendar day. */
bool tn_parse_date(const char *p, size_t n, int32_t *days)
{
    return n == 10 && parse_date10(p, days);
}

#define MICROS_PER_SECOND INT64_C(1000000)
#define MICROS_PER_DAY (INT64_C(86400) * MICROS_PER_SECOND)

/* YYYY-MM-DD[(T|t| )HH:MM[:SS[.f{1,9}]]][Z|z|±HH|±HH:MM|±HHMM]. Fraction digits past the
 * sixth are truncated. With a zone the value is converted to UTC and *has_zone is set. */
bool tn_parse_timestamp(const char *p, size_t n, int64_t *micros, bool *has_zone)
{
    int32_t days;
    if (n < 10 || !parse_date10(p, &days))
        return false;
    int64_t t = (int64_t)days * MICROS_PER_DAY;
    bool zone = false;
    size_t i = 10;
    if (i < n) {
        if (n < 16 || (p[10] != 'T' && p[10] != 't' && p[10] != ' ') || p[13] != ':')
            return false;
        int hh = two_digits(p + 11), mm = two_digits(p + 14);
        if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
            return false;
        int64_t secs = hh * 3600 + mm * 60;
        int64_t frac = 0;
        i = 16;
        if (i < n && p[i] == ':') {
            if (n < 19)
                return false;
            int ss = two_digits(p + 17);
            if (ss < 0 || ss > 59)
                return false;
            secs += ss;
            i = 19;
            if (i < n && p[i] == '.') {
                i++;
                size_t start = i;
                int kept = 0;
                for (; i < n && is_digit(p[i]); i++)
                    if (kept < 6) {
                        frac = frac * 10 + (p[i] - '0');
                        kept++;
                    }
                size_t count = i - start;
                if (count == 0 || count > 9)
                    return false;
                for (; kept < 6; kept++)
                    frac *= 10;
            }
        }
        t += secs * MICROS_PER_SECOND + frac;
        if (i < n) {
            char c = p[i];
            if ((c == 'Z' || c == 'z') && i + 1 == n) {
                zone = true;
            } else if (c == '+' || c == '-') {
                size_t rest = n - i - 1;
                const char *z = p + i + 1;
                int oh, om = 0;
                if (rest == 2) {
                    oh = two_digits(z);
                } else if (rest == 4) {
                    oh = two_digits(z);
                    om = two_digits(z + 2);
                } else if (rest == 5 && z[2] == ':') {
                    oh = two_digits(z);
                    om = two_digits(z + 3);
                } else {
                    return false;
                }
                if (oh < 0 || oh > 23 || om < 0 || om > 59)
                    return false;
                int64_t offset = ((int64_t)oh * 3600 + om * 60) * MICROS_PER_SECOND;
                /* Local time = UTC + offset, so UTC = local - offset. */
                t -= c == '+' ? offset : -offset;
                zone = true;
            } else {
                return false;
            }
        }
    }
    *micros = t;
    if (has_zone != NULL)
        *has_zone = zone;
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Formatting
 * ---------------------------------------------------------------------------------------- */

/* "00" "01" ... "99": two digits per division halves the dependent chain of divisions. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

/* Writes the decimal digits of v (no sign) at out; returns their count. */
static size_t format_u64(uint64_t v, char *out)
{
    char tmp[20];
    size_t pos = sizeof(tmp);
    while (v >= 100) {
        unsigned pair = (unsigned)(v % 100);
        v /= 100;
        pos -= 2;
        memcpy(tmp + pos, digit_pairs + 2 * pair, 2);
    }
    if (v >= 10) {
        pos -= 2;
        memcpy(tmp + pos, digit_pairs + 2 * v, 2);
    } else {
        tmp[--pos] = (char)('0' + v);
    }
    size_t n = sizeof(tmp) - pos;
    memcpy(out, tmp + pos, n);
    return n;
}

/* Decimal text of v, NUL-terminated; returns the length. */
size_t tn_format_int64(int64_t v, char *out)
{
    size_t n = 0;
    uint64_t mag = (uint64_t)v;
    if (v < 0) {
        out[n++] = '-';
        mag = 0 - mag;
    }
    n += format_u64(mag, out + n);
    out[n] = '\0';
    return n;
}

/* Lays out significant digits (no leading or trailing zeros) with decimal exponent `exp`
 * (value = d.ddd * 10^exp) the way Python's repr and DuckDB do: plain notation with at least
 * one fractional digit when -4 <= exp < 16, else d.ddde±XX. */
static size_t layout_digits(bool neg, const char *digits, int ndig, int exp, char *out)
{
    size_t n = 0;
    if (neg)
        out[n++] = '-';
    if (exp < -4 || exp >= 16) {
        out[n++] = digits[0];
        if (ndig > 1) {
            out[n++] = '.';
            memcpy(out + n, digits + 1, (size_t)ndig - 1);
            n += (size_t)ndig - 1;
        }
        out[n++] = 'e';
        out[n++] = exp < 0 ? '-' : '+';
        int e = exp < 0 ? -exp : exp;
        if (e >= 100)
            out[n++] = (char)('0' + e / 100);
        out[n++] = (char)('0' + e / 10 % 10);
        out[n++] = (char)('0' + e % 10);
    } else if (exp < 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int k = -1; k > exp; k--)
            out[n++] = '0';
        memcpy(out + n, digits, (size_t)ndig);
        n += (size_t)ndig;
    } else {
        int int_len = exp + 1;
        for (int k = 0; k < int_len; k++)
            out[n++] = k < ndig ? digits[k] : '0';
        out[n++] = '.';
        if (ndig > int_len) {
            memcpy(out + n, digits + int_len, (size_t)(ndig - int_len));
            n += (size_t)(ndig - int_len);
        } else {
            out[n++] = '0';
        }
    }
    out[n] = '\0';
    return n;
}

/* Extracts significant digits and exponent from printf's %.*e text ("-1.2300e+05"), with
 * trailing zeros removed. Returns the digit count. Anything but digits before the 'e' is
 * skipped, so a locale's decimal comma does no harm. */
static int digits_from_e(const char *text, char *digits, int *exp)
{
    const char *s = text;
    int nd = 0;
    for (; *s != 'e'; s++)
        if (is_digit(*s))
            digits[nd++] = *s;
    *exp = atoi(s + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    return nd;
}

/* 10^k as uint64 for k in [0, 19]. */
static const uint64_t pow10_u64[20] = {
    1ULL,
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
    10000000000000000000ULL,
};

/* Shortest digits of a double in [1e-3, 2^53) by exact integer arithmetic (no printf, no
 * strtod). a = m2 / 2^s exactly; with k chosen so that X = a * 10^k lies in [10^16, 10^17),
 * N = m2 * 10^k fits in 128 bits and X = N / 2^s. The p-digit rounding of X (p = 15, 16,
 * 17) reads back to a exactly when it lies within half a gap of a, which is tested exactly
 * in the 2^s-scaled domain. By DBL_DIG, if a decimal of <= 15 digits reads back, it is the
 * 15-digit rounding with zeros trimmed. Returns the digit count (0 = not handled) and the
 * decimal exponent of the first digit. */
static int shortest_digits_exact(double a, char *digits, int *exp_out)
{
    uint64_t bits;
    memcpy(&bits, &a, sizeof(bits));
    int biased = (int)(bits >> 52);
    if (biased == 0)
        return 0; /* subnormal */
    uint64_t m2 = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
    int s = 1075 - biased; /* a = m2 / 2^s */
    if (s < 0 || s > 64)
        return 0;
    int k = 16 - (int)floor(log10(a));
    unsigned __int128 n;
    uint64_t x;
    /* log10 may be off by one near powers of ten: settle k exactly. */
    for (int tries = 0;; tries++) {
        if (k < 0 || k > 19 || tries > 2)
            return 0;
        n = (unsigned __int128)m2 * pow10_u64[k];
        unsigned __int128 xi = n >> s;
        if (xi < pow10_u64[16]) {
            k++;
        } else if (xi >= pow10_u64[17]) {
            k--;
        } else {
            x = (uint64_t)xi;
            break;
        }
    }
    unsigned __int128 rem = n - ((unsigned __int128)x << s);
    unsigned __int128 one = (unsigned __int128)1 << s; /* 1 in the scaled domain */
    unsigned __int128 gap = pow10_u64[k];                /* 2^s * ulp(a) * 10^k / 2^s */
    bool lower_half_gap = m2 == (UINT64_C(1) << 52) && biased > 1;
    bool even = (m2 & 1) == 0;
    for (int p = 15; p <= 17; p++) {
        uint64_t q = pow10_u64[17 - p];
        uint64_t d = x / q, r = x % q;
        /* Round half up on the exact value (r + rem / 2^s) / q. */
        if (2 * ((unsigned __int128)r * one + rem) >= (unsigned __int128)q * one)
            d++;
        unsigned __int128 c = ((unsigned __int128)d * q) << s; /* candidate, scaled */
        bool above = c >= n;
        unsigned __int128 diff = above ? c - n : n - c;
        unsigned __int128 twice = 2 * diff;
        if (!above && lower_half_gap)
            twice *= 2;
        if (twice < gap || (twice == gap && even)) {
            int e = 16 - k;
            if (d == pow10_u64[p]) { /* rounded up to 10^p */
                d /= 10;
                e++;
            }
            /* Drop trailing zeros before printing: short values carry many. */
            if (d % 100000000 == 0)
                d /= 100000000;
            if (d % 10000 == 0)
                d /= 10000;
            if (d % 100 == 0)
                d /= 100;
            if (d % 10 == 0)
                d /= 10;
            int nd = (int)format_u64(d, digits);
            *exp_out = e;
            return nd;
        }
    }
    return 0;
}

static size_t format_special(double v, char *out)
{
    const char *s = isnan(v) ? "nan" : v < 0 ? "-inf" : "inf";
    size_t n = strlen(s);
    memcpy(out, s, n + 1);
    return n;
}

/* Shortest text that reads back (tn_parse_double, strtod) to exactly v; see the file comment
 * for the layout. Values in [1e-3, 2^53) and short decimals avoid printf and strtod. */
size_t tn_format_double(double v, char *out)
{
    if (!isfinite(v))
        return format_special(v, out);
    bool neg = signbit(v);
    double a = fabs(v);
    if (a == 0)
        return layout_digits(neg, "0", 1, 0, out);

    char digits[32];
    int nd, exp;
    if (a >= 1e-3 && a < 0x1p53) {
        nd = shortest_digits_exact(a, digits, &exp);
        if (nd > 0)
            return layout_digits(neg, digits, nd, exp, out);
    }
    /* Fast path: the fewest decimals k such that a = m / 10^k with an integer m < 2^50. The
     * division by an exact power of ten is correctly rounded, as in tn_parse_double's fast
     * path, so the text read back gives exactly a; the smallest k is the shortest text. */
    if (TN_EXACT_DOUBLE_ARITH && a < 0x1p50 && a >= 1e-7) {
        for (int k = 0; k <= 22; k++) {
            double scaled = a * exact_pow10[k];
            if (scaled >= 0x1p50)
                break;
            double m = nearbyint(scaled);
            if (m != 0 && m / exact_pow10[k] == a) {
                uint64_t mi = (uint64_t)m;
                nd = (int)format_u64(mi, digits);
                exp = nd - 1 - k;
                while (nd > 1 && digits[nd - 1] == '0')
                    nd--;
                return layout_digits(neg, digits, nd, exp, out);
            }
        }
    }
    /* General path. A decimal of <= 15 digits (DBL_DIG) reads back from its 15-digit
     * rounding, so the answer is the 15-digit rounding if it reads back, else the 16-digit
     * one if it does, else the 17-digit one (which always does). Subnormals have fewer bits
     * of precision, so the DBL_DIG argument fails for them: try every length from 1. */
    char text[40];
    if (a < DBL_MIN) {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(text, sizeof(text), "%.*e", prec - 1, a);
            if (prec == 17 || tn__strtod_c(text, NULL) == a)
                break;
        }
        nd = digits_from_e(text, digits, &exp);
        return layout_digits(neg, digits, nd, exp, out);
    }
    /* One printf gives the 17 correctly rounded digits; the 15- and 16-digit roundings are
     * derived from them, except when the dropped digits are exactly "5" or "50": the exact
     * value may then lie on either side of the midpoint, and printf is asked directly. */
    snprintf(text, sizeof(text), "%.16e", a);
    char d17[17];
    int e17;
    int n17 = digits_from_e(text, d17, &e17);
    for (int k = n17; k < 17; k++)
        d17[k] = '0'; /* digits_from_e trimmed trailing zeros */
    for (int prec = 15; prec <= 16; prec++) {
        char cand[20];
        int ce = e17;
        const char *tail = d17 + prec;
        bool midpoint = tail[0] == '5' && (prec == 16 || tail[1] == '0');
        if (midpoint) {
            snprintf(text, sizeof(text), "%.*e", prec - 1, a);
            nd = digits_from_e(text, cand, &ce);
            for (int k = nd; k < prec; k++)
                cand[k] = '0';
        } else {
            memcpy(cand, d17, (size_t)prec);
            if (tail[0] >= '5') {
                int k = prec - 1;
                while (k >= 0 && cand[k] == '9')
                    cand[k--] = '0';
                if (k >= 0) {
                    cand[k]++;
                } else { /* 999...9 rounded up to 1000...0 */
                    cand[0] = '1';
                    ce++;
                }
            }
        }
        /* Does the candidate read back? tn_parse_double's exact path answers most. */
        int tn = 0;
        text[tn++] = cand[0];
        text[tn++] = '.';
        memcpy(text + tn, cand + 1, (size_t)prec - 1);
        tn += prec - 1;
        tn += snprintf(text + tn, sizeof(text) - (size_t)tn, "e%d", ce);
        double back;
        if (tn_parse_double(text, (size_t)tn, &back) && back == a) {
            nd = prec;
            while (nd > 1 && cand[nd - 1] == '0')
                nd--;
            memcpy(digits, cand, (size_t)nd);
            return layout_digits(neg, digits, nd, ce, out);
        }
    }
    nd = n17;
    return layout_digits(neg, d17, nd, e17, out);
}

/* As tn_format_double for a float: the shortest text that reads back to the same float
 * (6 to 9 significant digits). */
size_t tn_format_float(float v, char *out)
{
    if (!isfinite(v))
        return format_special(v, out);
    bool neg = signbit(v);
    float a = fabsf(v);
    if (a == 0)
        return layout_digits(neg, "0", 1, 0, out);
    char text[40], digits[32];
    /* FLT_DIG is 6; subnormals have fewer bits and may need fewer digits. */
    for (int prec = a < FLT_MIN ? 1 : 6; prec <= 9; prec++) {
        snprintf(text, sizeof(text), "%.*e", prec - 1, (double)a);
        if (prec == 9 || tn__strtof_c(text, NULL) == a)
            break;
    }
    int exp;
    int nd = digits_from_e(text, digits, &exp);
    return layout_digits(neg, digits, nd, exp, out);
}

/* Exact text of an unscaled decimal: "-12.50" for (-1250, 2); all `scale` digits shown,
 * "0.05" keeps its leading zero. */
size_t tn_format_decimal(tn_i128 v, int scale, char *out)
{
    char tmp[48];
    size_t nd = 0;
    unsigned __int128 mag = (unsigned __int128)v;
    bool neg = v < 0;
    if (neg)
        mag = 0 - mag;
    do {
        tmp[nd++] = (char)('0' + (int)(mag % 10));
        mag /= 10;
    } while (mag != 0);
    if (scale < 0)
        scale = 0;
    /* At least one digit before the point. */
    while (nd < (size_t)scale + 1)
        tmp[nd++] = '0';
    size_t n = 0;
    if (neg)
        out[n++] = '-';
    for (size_t k = nd; k-- > 0;) {
        out[n++] = tmp[k];
        if (k == (size_t)scale && scale > 0)
            out[n++] = '.';
    }
    out[n] = '\0';
    return n;
}

static size_t put2(char *out, unsigned v)
{
    out[0] = (char)('0' + v / 10);
    out[1] = (char)('0' + v % 10);
    return 2;
}

/* YYYY-MM-DD at out (no NUL); years outside 0-9999 get more digits or a '-' sign. */
static size_t format_date_raw(int32_t days, char *out)
{
    int64_t year;
    unsigned month, day;
    tn_civil_from_days(days, &year, &month, &day);
    size_t n = 0;
    uint64_t y = (uint64_t)year;
    if (year < 0) {
        out[n++] = '-';
        y = 0 - y;
    }
    char ybuf[24];
    size_t yn = format_u64(y, ybuf);
    for (size_t k = yn; k < 4; k++)
        out[n++] = '0';
    memcpy(out + n, ybuf, yn);
    n += yn;
    out[n++] = '-';
    n += put2(out + n, month);
    out[n++] = '-';
    n += put2(out + n, day);
    return n;
}

/* YYYY-MM-DD, NUL-terminated; returns the length. */
size_t tn_format_date(int32_t days, char *out)
{
    size_t n = format_date_raw(days, out);
    out[n] = '\0';
    return n;
}

/* "YYYY-MM-DD HH:MM:SS", then ".f" (up to 6 digits, trailing zeros removed) when the
 * fraction is not zero, then "+00" when with_zone. NUL-terminated; returns the length. */
size_t tn_format_timestamp(int64_t micros, bool with_zone, char *out)
{
    /* Floor division so that instants before 1970 land on the right day. */
    int64_t days = micros / MICROS_PER_DAY;
    int64_t rem = micros % MICROS_PER_DAY;
    if (rem < 0) {
        rem += MICROS_PER_DAY;
        days--;
    }
    size_t n = format_date_raw((int32_t)days, out);
    int64_t secs = rem / MICROS_PER_SECOND;
    int64_t frac = rem % MICROS_PER_SECOND;
    out[n++] = ' ';
    n += put2(out + n, (unsigned)(secs / 3600));
    out[n++] = ':';
    n += put2(out + n, (unsigned)(secs / 60 % 60));
    out[n++] = ':';
    n += put2(out + n, (unsigned)(secs % 60));
    if (frac != 0) {
        out[n++] = '.';
        char f[6];
        for (int k = 5; k >= 0; k--) {
            f[k] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int len = 6;
        while (f[len - 1] == '0')
            len--;
        memcpy(out + n, f, (size_t)len);
        n += (size_t)len;
    }
    if (with_zone) {
        memcpy(out + n, "+00", 3);
        n += 3;
    }
    out[n] = '\0';
    return n;
}
