/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for core/textconv.c: the text <-> value rules shared by every reader and writer.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"

static uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return u;
}

/* xorshift64*: deterministic random numbers for the round-trip tests. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

Test(textconv, parse_bool)
{
    static const struct {
        const char *text;
        bool ok, value;
    } cases[] = {
        {"true", true, true},   {"TRUE", true, true},   {"True", true, true},
        {"t", true, true},      {"T", true, true},      {"yes", true, true},
        {"YES", true, true},    {"y", true, true},      {"false", true, false},
        {"FALSE", true, false}, {"f", true, false},     {"no", true, false},
        {"No", true, false},    {"n", true, false},     {"1", false, false},
        {"0", false, false},    {"", false, false},     {"tru", false, false},
        {"truee", false, false}, {" true", false, false}, {"yess", false, false},
        {"on", false, false},   {"off", false, false},  {"nope", false, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool v = !cases[i].value;
        bool ok = tn_parse_bool(cases[i].text, strlen(cases[i].text), &v);
        cr_assert_eq(ok, cases[i].ok, "'%s'", cases[i].text);
        if (ok)
            cr_assert_eq(v, cases[i].value, "'%s'", cases[i].text);
    }
}

Test(textconv, parse_bool_needs_no_nul)
{
    bool v = false;
    cr_assert(tn_parse_bool("trueX", 4, &v));
    cr_assert(v);
    cr_assert(tn_parse_bool("no!", 2, &v));
    cr_assert(!v);
}

Test(textconv, parse_int64)
{
    static const struct {
        const char *text;
        bool ok;
        int64_t value;
    } cases[] = {
        {"0", true, 0},
        {"-0", true, 0},
        {"+7", true, 7},
        {"42", true, 42},
        {"-42", true, -42},
        {"000000000000000000000000123", true, 123},
        {"9223372036854775807", true, INT64_MAX},
        {"-9223372036854775808", true, INT64_MIN},
        {"+9223372036854775807", true, INT64_MAX},
        {"9223372036854775808", false, 0},
        {"-9223372036854775809", false, 0},
        {"18446744073709551615", false, 0},
        {"18446744073709551616", false, 0},
        {"99999999999999999999999", false, 0},
        {"", false, 0},
        {"-", false, 0},
        {"+", false, 0},
        {" 1", false, 0},
        {"1 ", false, 0},
        {"1.0", false, 0},
        {"1e3", false, 0},
        {"0x10", false, 0},
        {"--1", false, 0},
        {"12a", false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = 0;
        bool ok = tn_parse_int64(cases[i].text, strlen(cases[i].text), &v);
        cr_assert_eq(ok, cases[i].ok, "'%s'", cases[i].text);
        if (ok)
            cr_assert_eq(v, cases[i].value, "'%s' gave %lld", cases[i].text, (long long)v);
    }
}

Test(textconv, parse_int32)
{
    int32_t v;
    cr_assert(tn_parse_int32("2147483647", 10, &v));
    cr_assert_eq(v, INT32_MAX);
    cr_assert(tn_parse_int32("-2147483648", 11, &v));
    cr_assert_eq(v, INT32_MIN);
    cr_assert(!tn_parse_int32("2147483648", 10, &v));
    cr_assert(!tn_parse_int32("-2147483649", 11, &v));
    cr_assert(!tn_parse_int32("9223372036854775808", 19, &v));
}

/* Valid double literals: tn_parse_double must give exactly strtod's bits. */
static const char *const double_valid[] = {
    "0", "-0", "+0", "0.0", "1", "-1", "0.1", "0.2", "0.3", "1.5", "-2.25", ".5", "5.", "-.5",
    "1e10", "1E10", "1e+10", "1e-10", "1.5e-3", "123456789", "3.14159265358979323846264338327950288",
    "9007199254740992", "9007199254740993", "9007199254740995", "18014398509481985",
    "123456789012345678901234567890", "1e22", "1e23", "8.589973e9", "1e-22", "1e-23",
    "1.7976931348623157e308", "1.7976931348623158e308", "2.2250738585072014e-308",
    "2.2250738585072011e-308", "4.9406564584124654e-324", "5e-324", "2e-324", "1e-400",
    "0.000000000000000000000000000000001", "100000000000000000000000",
    "1000000000000000000000000000000000000000", "0.1000000000000000055511151231257827",
    "0.30000000000000004", "7.2057594037927933e16", "4503599627370496.5",
    "4503599627370497.5", "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203124",
    "1.00000000000000011102230246251565404236316680908203126", "12345678901234567890e-10",
    "0000000000000000000000000000001.5", "1.000000000000000000000000000000000000000000001",
    "2.5e-5", "6.02214076e23", "-1.602176634e-19", "1e0", "1e-0", "1e+0", "0e999999999",
};

Test(textconv, parse_double_matches_strtod)
{
    for (size_t i = 0; i < sizeof(double_valid) / sizeof(double_valid[0]); i++) {
        const char *s = double_valid[i];
        double v = -12345;
        cr_assert(tn_parse_double(s, strlen(s), &v), "'%s' rejected", s);
        double ref = strtod(s, NULL);
        cr_assert_eq(bits_of(v), bits_of(ref), "'%s': %.17g vs strtod %.17g", s, v, ref);
    }
}

Test(textconv, parse_double_special_and_invalid)
{
    double v;
    cr_assert(tn_parse_double("inf", 3, &v) && isinf(v) && v > 0);
    cr_assert(tn_parse_double("-Infinity", 9, &v) && isinf(v) && v < 0);
    cr_assert(tn_parse_double("+INF", 4, &v) && isinf(v) && v > 0);
    cr_assert(tn_parse_double("NaN", 3, &v) && isnan(v));
    cr_assert(tn_parse_double("-nan", 4, &v) && isnan(v));
    static const char *const invalid[] = {
        "", ".", "-", "+", "e5", "1e", "1e+", "1e-", "--1", "1.2.3", "1e5.5", " 1", "1 ",
        "0x1p3", "0x10", "in", "infx", "infinit", "nanx", "1,5", "1e400", "-1e400", "1..2",
        "1e5e5", "abc", "1_000", ".e1", "+-1",
    };
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
        cr_assert(!tn_parse_double(invalid[i], strlen(invalid[i]), &v), "'%s' accepted",
                  invalid[i]);
}

Test(textconv, parse_double_no_nul_needed)
{
    double v;
    /* The slow path copies: the byte after the field must not be read as a digit. */
    const char *s = "0.30000000000000004441";
    cr_assert(tn_parse_double(s, 19, &v));
    cr_assert_eq(bits_of(v), bits_of(strtod("0.30000000000000004", NULL)));
    cr_assert(tn_parse_double("12345", 3, &v));
    cr_assert_eq(v, 123.0);
}

Test(textconv, parse_double_long_input)
{
    /* Longer than the stack copy: the slow path allocates. */
    char buf[700];
    buf[0] = '0';
    buf[1] = '.';
    for (int i = 2; i < 699; i++)
        buf[i] = (char)('0' + i % 10);
    buf[699] = '\0';
    double v;
    cr_assert(tn_parse_double(buf, 699, &v));
    cr_assert_eq(bits_of(v), bits_of(strtod(buf, NULL)));
}

Test(textconv, parse_double_random_decimal_strings)
{
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        uint64_t r = rng();
        int digits = 1 + (int)(r % 20);
        int n = 0;
        if (rng() & 1)
            buf[n++] = '-';
        int point = (int)(rng() % (uint64_t)(digits + 1));
        for (int d = 0; d < digits; d++) {
            if (d == point && d > 0)
                buf[n++] = '.';
            buf[n++] = (char)('0' + rng() % 10);
        }
        if (rng() % 3 == 0)
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, "e%d", (int)(rng() % 80) - 40);
        buf[n] = '\0';
        double v;
        cr_assert(tn_parse_double(buf, (size_t)n, &v), "'%s' rejected", buf);
        cr_assert_eq(bits_of(v), bits_of(strtod(buf, NULL)), "'%s'", buf);
    }
}

Test(textconv, format_double_table)
{
    static const struct {
        double value;
        const char *text;
    } cases[] = {
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {1.0, "1.0"},
        {-1.0, "-1.0"},
        {0.1, "0.1"},
        {0.3, "0.3"},
        {0.1 + 0.2, "0.30000000000000004"},
        {100.0, "100.0"},
        {123.456, "123.456"},
        {-2.5, "-2.5"},
        {1.0 / 3.0, "0.3333333333333333"},
        {2.0 / 3.0, "0.6666666666666666"},
        {1e15, "1000000000000000.0"},
        {9007199254740992.0, "9007199254740992.0"},
        {1e16, "1e+16"},
        {1.5e16, "1.5e+16"},
        {1e22, "1e+22"},
        {1e100, "1e+100"},
        {1e-4, "0.0001"},
        {1.5e-4, "0.00015"},
        {1e-5, "1e-05"},
        {2.5e-7, "2.5e-07"},
        {1e-300, "1e-300"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {5e-324, "5e-324"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {123456789.125, "123456789.125"},
        {3.141592653589793, "3.141592653589793"},
        {INFINITY, "inf"},
        {-INFINITY, "-inf"},
        {NAN, "nan"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[TN_FORMAT_MAX];
        size_t n = tn_format_double(cases[i].value, out);
        cr_assert_str_eq(out, cases[i].text, "%.17g", cases[i].value);
        cr_assert_eq(n, strlen(cases[i].text));
    }
}

/* Whether no shorter significant-digit string (printf %.{k}e) reads back to v. */
static int shortest_digits(double v)
{
    char text[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(text, sizeof(text), "%.*e", prec - 1, v);
        if (strtod(text, NULL) == v)
            return prec;
    }
    return 17;
}

static int significant_digits(const char *s)
{
    int n = 0, pending_zeros = 0;
    bool started = false;
    for (; *s && *s != 'e'; s++) {
        if (*s < '0' || *s > '9')
            continue;
        if (*s == '0') {
            if (started)
                pending_zeros++;
            continue;
        }
        started = true;
        n += pending_zeros + 1;
        pending_zeros = 0;
    }
    return n ? n : 1;
}

Test(textconv, format_double_random_round_trip)
{
    for (int i = 0; i < 10000; i++) {
        uint64_t b = rng();
        double v;
        memcpy(&v, &b, sizeof(v));
        if (!isfinite(v))
            continue;
        char out[TN_FORMAT_MAX];
        size_t n = tn_format_double(v, out);
        double back;
        cr_assert(tn_parse_double(out, n, &back), "'%s'", out);
        cr_assert_eq(bits_of(back), bits_of(v), "'%s' for %a", out, v);
        cr_assert_eq(bits_of(strtod(out, NULL)), bits_of(v), "'%s'", out);
        cr_assert_eq(significant_digits(out), shortest_digits(v), "'%s' not shortest", out);
    }
}

Test(textconv, format_double_round_trip_short_decimals)
{
    /* The values real data holds: few digits, where the fast path answers. */
    for (int i = 0; i < 100000; i++) {
        int64_t m = (int64_t)(rng() % 100000000) - 50000000;
        int k = (int)(rng() % 10);
        double v = (double)m / pow(10, k);
        char out[TN_FORMAT_MAX];
        size_t n = tn_format_double(v, out);
        double back;
        cr_assert(tn_parse_double(out, n, &back));
        cr_assert_eq(bits_of(back), bits_of(v), "'%s' for %.17g", out, v);
        cr_assert_eq(significant_digits(out), shortest_digits(v), "'%s' not shortest", out);
    }
}

Test(textconv, format_double_moderate_range_and_boundaries)
{
    /* [1e-3, 2^53) has its own exact integer path: random values across it, powers of two
     * (asymmetric gaps) and the neighbours of powers of ten (carries to a new digit). */
    for (int i = 0; i < 30000; i++) {
        double v;
        switch (i % 4) {
        case 0:
            v = pow(10, -3 + (double)(rng() % 18950) / 1000.0);
            break;
        case 1:
            v = ldexp(1.0, (int)(rng() % 62) - 9);
            break;
        case 2:
            v = nextafter(pow(10, (int)(rng() % 19) - 2), (rng() & 1) ? 0 : 1e300);
            break;
        default:
            v = (double)(rng() >> 11) / (double)(UINT64_C(1) << (rng() % 60));
            break;
        }
        if (v < 1e-3 || v >= 0x1p53)
            continue;
        char out[TN_FORMAT_MAX];
        size_t n = tn_format_double(v, out);
        double back;
        cr_assert(tn_parse_double(out, n, &back), "'%s'", out);
        cr_assert_eq(bits_of(back), bits_of(v), "'%s' for %a", out, v);
        cr_assert_eq(significant_digits(out), shortest_digits(v), "'%s' not shortest", out);
    }
}

Test(textconv, format_float)
{
    static const struct {
        float value;
        const char *text;
    } cases[] = {
        {1.5f, "1.5"},       {0.1f, "0.1"},          {1.0f, "1.0"},
        {-0.0f, "-0.0"},     {16777216.0f, "16777216.0"}, {3.4028235e38f, "3.4028235e+38"},
        {1e-5f, "1e-05"},    {0.333333343f, "0.33333334"}, {INFINITY, "inf"},
        {1e-45f, "1e-45"},   {FLT_MIN, "1.1754944e-38"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[TN_FORMAT_MAX];
        tn_format_float(cases[i].value, out);
        cr_assert_str_eq(out, cases[i].text);
    }
    for (int i = 0; i < 10000; i++) {
        uint32_t b = (uint32_t)rng();
        float f;
        memcpy(&f, &b, sizeof(f));
        if (!isfinite(f))
            continue;
        char out[TN_FORMAT_MAX];
        tn_format_float(f, out);
        float back = strtof(out, NULL);
        cr_assert_eq(memcmp(&back, &f, sizeof(f)), 0, "'%s'", out);
    }
}

Test(textconv, format_int64)
{
    char out[TN_FORMAT_MAX];
    cr_assert_eq(tn_format_int64(0, out), 1);
    cr_assert_str_eq(out, "0");
    tn_format_int64(-42, out);
    cr_assert_str_eq(out, "-42");
    tn_format_int64(INT64_MAX, out);
    cr_assert_str_eq(out, "9223372036854775807");
    cr_assert_eq(tn_format_int64(INT64_MIN, out), 20);
    cr_assert_str_eq(out, "-9223372036854775808");
}

Test(textconv, parse_decimal)
{
    static const struct {
        const char *text;
        int precision, scale;
        bool ok;
        int64_t value;
    } cases[] = {
        {"12.50", 4, 2, true, 1250},
        {"-12.5", 4, 2, true, -1250},
        {"+12", 4, 2, true, 1200},
        {"12.500", 4, 2, true, 1250},
        {"12.505", 4, 2, false, 0},
        {"123.4", 4, 2, false, 0},
        {"99.99", 4, 2, true, 9999},
        {"0.01", 2, 2, true, 1},
        {"0000.01", 2, 2, true, 1},
        {".5", 2, 1, true, 5},
        {"5.", 2, 1, true, 50},
        {"-0", 3, 1, true, 0},
        {"7", 1, 0, true, 7},
        {"7.0", 1, 0, true, 7},
        {"7.1", 1, 0, false, 0},
        {"", 4, 2, false, 0},
        {".", 4, 2, false, 0},
        {"-", 4, 2, false, 0},
        {"1e2", 4, 0, false, 0},
        {"1,5", 4, 1, false, 0},
        {" 1", 4, 0, false, 0},
        {"nan", 4, 0, false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tn_i128 v = 12345;
        bool ok = tn_parse_decimal(cases[i].text, strlen(cases[i].text), cases[i].precision,
                                   cases[i].scale, &v);
        cr_assert_eq(ok, cases[i].ok, "'%s'", cases[i].text);
        if (ok)
            cr_assert(v == cases[i].value, "'%s' gave %lld", cases[i].text, (long long)v);
    }
}

Test(textconv, parse_decimal_38_digits)
{
    const char *max = "99999999999999999999999999999999999999";
    tn_i128 v, expect = 0;
    for (int i = 0; i < 38; i++)
        expect = expect * 10 + 9;
    cr_assert(tn_parse_decimal(max, 38, 38, 0, &v));
    cr_assert(v == expect);
    cr_assert(tn_parse_decimal("-9999999999999999999999999999.9999999999", 40, 38, 10, &v));
    cr_assert(v == -expect);
    cr_assert(!tn_parse_decimal("100000000000000000000000000000000000000", 39, 38, 0, &v));
    char out[TN_FORMAT_MAX];
    tn_format_decimal(-expect, 10, out);
    cr_assert_str_eq(out, "-9999999999999999999999999999.9999999999");
}

Test(textconv, decimal_shape)
{
    static const struct {
        const char *text;
        bool ok;
        int int_digits, frac_digits;
    } cases[] = {
        {"12.50", true, 2, 2}, {"0.5", true, 0, 1},  {"-007.25", true, 1, 2},
        {"12", true, 2, 0},    {".5", true, 0, 1},   {"5.", true, 1, 0},
        {"+1.000", true, 1, 3}, {"abc", false, 0, 0}, {"1e5", false, 0, 0},
        {".", false, 0, 0},    {"", false, 0, 0},    {"1.2.3", false, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int a = -1, b = -1;
        bool ok = tn_decimal_shape(cases[i].text, strlen(cases[i].text), &a, &b);
        cr_assert_eq(ok, cases[i].ok, "'%s'", cases[i].text);
        if (ok) {
            cr_assert_eq(a, cases[i].int_digits, "'%s'", cases[i].text);
            cr_assert_eq(b, cases[i].frac_digits, "'%s'", cases[i].text);
        }
    }
}

Test(textconv, format_decimal)
{
    char out[TN_FORMAT_MAX];
    tn_format_decimal(1250, 2, out);
    cr_assert_str_eq(out, "12.50");
    tn_format_decimal(-5, 2, out);
    cr_assert_str_eq(out, "-0.05");
    tn_format_decimal(0, 3, out);
    cr_assert_str_eq(out, "0.000");
    tn_format_decimal(123, 0, out);
    cr_assert_str_eq(out, "123");
    tn_format_decimal(-7, 0, out);
    cr_assert_str_eq(out, "-7");
    cr_assert_eq(tn_format_decimal(100, 2, out), 4);
    cr_assert_str_eq(out, "1.00");
}

Test(textconv, parse_date)
{
    static const struct {
        const char *text;
        bool ok;
        int32_t days;
    } cases[] = {
        {"1970-01-01", true, 0},
        {"1970-01-02", true, 1},
        {"1969-12-31", true, -1},
        {"2000-01-01", true, 10957},
        {"2024-02-29", true, 19782},
        {"2000-02-29", true, 11016},
        {"0001-01-01", true, -719162},
        {"9999-12-31", true, 2932896},
        {"2023-02-29", false, 0},
        {"1900-02-29", false, 0},
        {"2100-02-29", false, 0},
        {"0000-01-01", false, 0},
        {"2024-13-01", false, 0},
        {"2024-00-10", false, 0},
        {"2024-04-31", false, 0},
        {"2024-01-32", false, 0},
        {"2024-01-00", false, 0},
        {"2024-1-01", false, 0},
        {"2024/01/01", false, 0},
        {"2024-01-01 ", false, 0},
        {"20240101", false, 0},
        {"", false, 0},
        {"abcd-ef-gh", false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int32_t d = 777;
        bool ok = tn_parse_date(cases[i].text, strlen(cases[i].text), &d);
        cr_assert_eq(ok, cases[i].ok, "'%s'", cases[i].text);
        if (ok)
            cr_assert_eq(d, cases[i].days, "'%s' gave %d", cases[i].text, d);
    }
}

Test(textconv, calendar_round_trip_all_days)
{
    /* Every day of years 0001-9999: civil -> days -> civil -> text -> days. */
    int64_t prev_year = 1;
    unsigned prev_month = 1, prev_day = 0;
    for (int32_t d = -719162; d <= 2932896; d++) {
        int64_t y;
        unsigned m, day;
        tn_civil_from_days(d, &y, &m, &day);
        cr_assert_eq(tn_days_from_civil(y, m, day), d);
        /* Consecutive days advance the calendar by one. */
        bool next = (y == prev_year && m == prev_month && day == prev_day + 1) ||
                    (y == prev_year && m == prev_month + 1 && day == 1) ||
                    (y == prev_year + 1 && m == 1 && day == 1 && prev_month == 12);
        cr_assert(next, "day %d: %lld-%u-%u", d, (long long)y, m, day);
        prev_year = y;
        prev_month = m;
        prev_day = day;
        if (d % 97 == 0) {
            char out[TN_FORMAT_MAX];
            size_t n = tn_format_date(d, out);
            int32_t back;
            cr_assert(tn_parse_date(out, n, &back), "'%s'", out);
            cr_assert_eq(back, d);
        }
    }
    cr_assert_eq(prev_year, 9999);
}

Test(textconv, format_date)
{
    char out[TN_FORMAT_MAX];
    cr_assert_eq(tn_format_date(0, out), 10);
    cr_assert_str_eq(out, "1970-01-01");
    tn_format_date(19782, out);
    cr_assert_str_eq(out, "2024-02-29");
    tn_format_date(-719162, out);
    cr_assert_str_eq(out, "0001-01-01");
    tn_format_date(2932896, out);
    cr_assert_str_eq(out, "9999-12-31");
}

#define US INT64_C(1000000)
#define DAY_US (INT64_C(86400) * US)

Test(textconv, parse_timestamp)
{
    int64_t base = 19724 * DAY_US; /* 2024-01-02 */
    int64_t t345 = base + (3 * 3600 + 4 * 60 + 5) * US;
    const struct {
        const char *text;
        bool ok, zone;
        int64_t micros;
    } cases[] = {
        {"2024-01-02", true, false, base},
        {"2024-01-02 03:04:05", true, false, t345},
        {"2024-01-02T03:04:05", true, false, t345},
        {"2024-01-02t03:04:05", true, false, t345},
        {"2024-01-02 03:04", true, false, t345 - 5 * US},
        {"2024-01-02 03:04:05.5", true, false, t345 + 500000},
        {"2024-01-02 03:04:05.000001", true, false, t345 + 1},
        {"2024-01-02 03:04:05.123456", true, false, t345 + 123456},
        {"2024-01-02 03:04:05.1234569", true, false, t345 + 123456},
        {"2024-01-02 03:04:05.123456789", true, false, t345 + 123456},
        {"2024-01-02 03:04:05Z", true, true, t345},
        {"2024-01-02T03:04:05.5z", true, true, t345 + 500000},
        {"2024-01-02 03:04:05+01:00", true, true, t345 - 3600 * US},
        {"2024-01-02 03:04:05+01", true, true, t345 - 3600 * US},
        {"2024-01-02 03:04:05-0530", true, true, t345 + (5 * 3600 + 30 * 60) * US},
        {"2024-01-02 03:04:05-05:30", true, true, t345 + (5 * 3600 + 30 * 60) * US},
        {"2024-01-02 03:04+02:00", true, true, t345 - 5 * US - 7200 * US},
        {"2024-01-02 00:00:00+05", true, true, base - 5 * 3600 * US},
        {"1969-12-31 23:59:59.999999", true, false, -1},
        {"1970-01-01 00:00:00", true, false, 0},
        {"9999-12-31 23:59:59.999999", true, false, 2932897 * DAY_US - 1},
        {"0001-01-01 00:00:00", true, false, -719162 * DAY_US},
        {"2024-02-29 12:00:00", true, false, 19782 * DAY_US + 12 * 3600 * US},
        {"2023-02-29 12:00:00", false, false, 0},
        {"2024-01-02 24:00:00", false, false, 0},
        {"2024-01-02 23:60:00", false, false, 0},
        {"2024-01-02 23:59:60", false, false, 0},
        {"2024-01-02 03:04:05.", false, false, 0},
        {"2024-01-02 03:04:05.1234567890", false, false, 0},
        {"2024-01-02 03:04:5", false, false, 0},
        {"2024-01-02 3:04:05", false, false, 0},
        {"2024-01-02X03:04:05", false, false, 0},
        {"2024-01-02 03:04:05+1", false, false, 0},
        {"2024-01-02 03:04:05+01:0", false, false, 0},
        {"2024-01-02 03:04:05 +01:00", false, false, 0},
        {"2024-01-02 03:04:05+24:00", false, false, 0},
        {"2024-01-02 03:04:05ZZ", false, false, 0},
        {"2024-01-02 ", false, false, 0},
        {"2024-01-02 03", false, false, 0},
        {"2024-01-02 03:04:", false, false, 0},
        {"2024-01-02Z", false, false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = 99;
        bool zone = !cases[i].zone;
        bool ok = tn_parse_timestamp(cases[i].text, strlen(cases[i].text), &v, &zone);
        cr_assert_eq(ok, cases[i].ok, "'%s'", cases[i].text);
        if (ok) {
            cr_assert_eq(v, cases[i].micros, "'%s' gave %lld", cases[i].text, (long long)v);
            cr_assert_eq(zone, cases[i].zone, "'%s'", cases[i].text);
        }
    }
}

Test(textconv, format_timestamp)
{
    char out[TN_FORMAT_MAX];
    int64_t t345 = 19724 * DAY_US + (3 * 3600 + 4 * 60 + 5) * US;
    cr_assert_eq(tn_format_timestamp(0, false, out), 19);
    cr_assert_str_eq(out, "1970-01-01 00:00:00");
    tn_format_timestamp(t345, false, out);
    cr_assert_str_eq(out, "2024-01-02 03:04:05");
    tn_format_timestamp(t345 + 500000, false, out);
    cr_assert_str_eq(out, "2024-01-02 03:04:05.5");
    tn_format_timestamp(t345 + 120, false, out);
    cr_assert_str_eq(out, "2024-01-02 03:04:05.00012");
    tn_format_timestamp(t345 + 123456, true, out);
    cr_assert_str_eq(out, "2024-01-02 03:04:05.123456+00");
    tn_format_timestamp(t345, true, out);
    cr_assert_str_eq(out, "2024-01-02 03:04:05+00");
    tn_format_timestamp(-1, false, out);
    cr_assert_str_eq(out, "1969-12-31 23:59:59.999999");
    tn_format_timestamp(2932897 * DAY_US - 1, false, out);
    cr_assert_str_eq(out, "9999-12-31 23:59:59.999999");
    tn_format_timestamp(-719162 * DAY_US, false, out);
    cr_assert_str_eq(out, "0001-01-01 00:00:00");
}

Test(textconv, timestamp_round_trip_random)
{
    int64_t lo = -719162 * DAY_US, hi = 2932897 * DAY_US;
    for (int i = 0; i < 100000; i++) {
        int64_t t = lo + (int64_t)(rng() % (uint64_t)(hi - lo));
        if (i % 3 == 0)
            t -= t % US; /* whole seconds too */
        char out[TN_FORMAT_MAX];
        size_t n = tn_format_timestamp(t, i & 1, out);
        int64_t back;
        bool zone;
        cr_assert(tn_parse_timestamp(out, n, &back, &zone), "'%s'", out);
        cr_assert_eq(back, t, "'%s'", out);
        cr_assert_eq(zone, (bool)(i & 1));
    }
}
