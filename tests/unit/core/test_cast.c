/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for core/cast.c: every supported pair of types, rounding, range errors that name
 * the row and the value, and try_cast turning failures into NULL.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>

#include "core/core.h"

static tn_type T(tn_type_id id)
{
    return tn_type_make(id);
}

/* A VARCHAR vector of the given texts (NULL entries are NULL rows). */
static void make_text(tn_vector *v, const char *const *texts, uint32_t n)
{
    cr_assert_eq(tn_vector_init(v, T(TN_TYPE_VARCHAR), n), 0);
    for (uint32_t i = 0; i < n; i++) {
        if (texts[i] == NULL)
            tn_vector_append_null(v, i);
        else
            cr_assert_eq(tn_vector_append_str(v, i, texts[i], strlen(texts[i])), 0);
    }
}

/* Casts texts to `to`, then back to VARCHAR, and compares with expected texts (NULL = NULL). */
static void check_via_text(const char *const *in, const char *const *expect, uint32_t n,
                           tn_type to, bool try_cast)
{
    tn_vector src, mid, back;
    tn_error err = {0};
    make_text(&src, in, n);
    int rc = tn_vector_cast(&src, n, to, try_cast, &mid, &err);
    cr_assert_eq(rc, 0, "%s", err.message);
    rc = tn_vector_cast(&mid, n, T(TN_TYPE_VARCHAR), false, &back, &err);
    cr_assert_eq(rc, 0, "%s", err.message);
    for (uint32_t i = 0; i < n; i++) {
        if (expect[i] == NULL) {
            cr_assert(!tn_vector_is_valid(&back, i), "row %u ('%s') should be NULL", i,
                      in[i] ? in[i] : "NULL");
            continue;
        }
        cr_assert(tn_vector_is_valid(&back, i), "row %u ('%s') is NULL", i, in[i]);
        tn_str s = tn_vector_get_str(&back, i);
        cr_assert(tn_str_eq(s, tn_str_c(expect[i])), "row %u: '%s' -> '%.*s', expected '%s'", i,
                  in[i], (int)s.len, s.ptr, expect[i]);
    }
    tn_vector_destroy(&src);
    tn_vector_destroy(&mid);
    tn_vector_destroy(&back);
}

#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* Casting texts[bad_row] must fail with code and this message. */
static void check_error(const char *const *in, uint32_t n, tn_type to, int code,
                        const char *message)
{
    tn_vector src, dst;
    tn_error err = {0};
    make_text(&src, in, n);
    int rc = tn_vector_cast(&src, n, to, false, &dst, &err);
    cr_assert_eq(rc, code, "got %d: %s", rc, err.message);
    cr_assert_eq(err.code, code);
    cr_assert_str_eq(err.message, message);
    cr_assert_null(dst.validity); /* destroyed on error */
    tn_vector_destroy(&src);
}

Test(cast, text_to_integer)
{
    const char *in[] = {"1", " -42 ", "2147483647", "-2147483648", "12.5", "-12.5", "12.4",
                        "0.5", NULL, "abc", "2147483648", "1e3", ""};
    const char *out[] = {"1",   "-42", "2147483647", "-2147483648", "13", "-13", "12",
                         "1",   NULL,  NULL,         NULL,          NULL, NULL};
    check_via_text(in, out, N(in), T(TN_TYPE_INTEGER), true);
}

Test(cast, text_to_bigint)
{
    const char *in[] = {"9223372036854775807", "-9223372036854775808", "9223372036854775808",
                        "9223372036854775807.4", "9223372036854775807.5", "007"};
    const char *out[] = {"9223372036854775807", "-9223372036854775808", NULL,
                         "9223372036854775807", NULL, "7"};
    check_via_text(in, out, N(in), T(TN_TYPE_BIGINT), true);
}

Test(cast, errors_name_row_and_value)
{
    const char *in[] = {"1", "2", NULL, "abc"};
    check_error(in, N(in), T(TN_TYPE_INTEGER), TN_ETYPE, "cannot cast 'abc' to INTEGER (row 4)");
    const char *in2[] = {"1", "3000000000"};
    check_error(in2, N(in2), T(TN_TYPE_INTEGER), TN_EOVERFLOW,
                "cannot cast '3000000000' to INTEGER: value out of range (row 2)");
    const char *in3[] = {"2024-02-30"};
    check_error(in3, 1, T(TN_TYPE_DATE), TN_ETYPE, "cannot cast '2024-02-30' to DATE (row 1)");
    const char *in4[] = {"123.456"};
    check_error(in4, 1, tn_type_decimal(4, 2), TN_EOVERFLOW,
                "cannot cast '123.456' to DECIMAL(4,2): value out of range (row 1)");
    /* Long values are cut in the message. */
    char longtext[200];
    memset(longtext, 'x', sizeof(longtext) - 1);
    longtext[199] = '\0';
    const char *in5[] = {longtext};
    char expect[300];
    snprintf(expect, sizeof(expect), "cannot cast '%.80s...' to DOUBLE (row 1)", longtext);
    check_error(in5, 1, T(TN_TYPE_DOUBLE), TN_ETYPE, expect);
}

Test(cast, numeric_range_errors)
{
    tn_vector src, dst;
    tn_error err = {0};
    tn_vector_init(&src, T(TN_TYPE_BIGINT), 3);
    tn_vector_i64(&src)[0] = 5;
    tn_vector_i64(&src)[1] = -2147483649LL;
    tn_vector_i64(&src)[2] = 7;
    cr_assert_eq(tn_vector_cast(&src, 3, T(TN_TYPE_INTEGER), false, &dst, &err), TN_EOVERFLOW);
    cr_assert_str_eq(err.message,
                     "cannot cast '-2147483649' to INTEGER: value out of range (row 2)");
    cr_assert_eq(tn_vector_cast(&src, 3, T(TN_TYPE_INTEGER), true, &dst, &err), 0);
    cr_assert_eq(tn_vector_i32(&dst)[0], 5);
    cr_assert(!tn_vector_is_valid(&dst, 1));
    cr_assert_eq(tn_vector_i32(&dst)[2], 7);
    cr_assert_eq(dst.null_count, 1);
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);

    tn_vector_init(&src, T(TN_TYPE_DOUBLE), 8);
    double vals[] = {2.5, -2.5, 1e19, NAN, 9223372036854774784.0, -9223372036854775808.0,
                     INFINITY, 0.49999999999999994};
    memcpy(src.values, vals, sizeof(vals));
    cr_assert_eq(tn_vector_cast(&src, 8, T(TN_TYPE_BIGINT), true, &dst, &err), 0);
    cr_assert_eq(tn_vector_i64(&dst)[0], 2); /* ties to even, as PostgreSQL and DuckDB */
    cr_assert_eq(tn_vector_i64(&dst)[1], -2);
    cr_assert(!tn_vector_is_valid(&dst, 2));
    cr_assert(!tn_vector_is_valid(&dst, 3));
    cr_assert_eq(tn_vector_i64(&dst)[4], 9223372036854774784LL);
    cr_assert_eq(tn_vector_i64(&dst)[5], INT64_MIN);
    cr_assert(!tn_vector_is_valid(&dst, 6));
    cr_assert_eq(tn_vector_i64(&dst)[7], 0);
    tn_vector_destroy(&dst);
    cr_assert_eq(tn_vector_cast(&src, 8, T(TN_TYPE_BIGINT), false, &dst, &err), TN_EOVERFLOW);
    cr_assert_str_eq(err.message, "cannot cast '1e+19' to BIGINT: value out of range (row 3)");
    tn_vector_destroy(&src);

    tn_vector_init(&src, T(TN_TYPE_DOUBLE), 2);
    tn_vector_f64(&src)[0] = 1e300;
    tn_vector_f64(&src)[1] = 3.4028234663852886e38;
    cr_assert_eq(tn_vector_cast(&src, 2, T(TN_TYPE_REAL), true, &dst, &err), 0);
    cr_assert(!tn_vector_is_valid(&dst, 0));
    cr_assert_eq(tn_vector_f32(&dst)[1], 3.4028234663852886e38f);
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);
}

Test(cast, decimal_exactness_and_rounding)
{
    const char *in[] = {"12.345", "12.344", "-12.345", "-12.344", "0.005", "-0.005",
                        "99999.994", "99999.995", "1e2", "1.5E-2", "  7 ", "abc", "", "-0"};
    const char *out[] = {"12.35", "12.34",     "-12.35", "-12.34", "0.01", "-0.01", "99999.99",
                         NULL,    "100.00",    "0.02",   "7.00",   NULL,   NULL,    "0.00"};
    check_via_text(in, out, N(in), tn_type_decimal(7, 2), true);

    /* DOUBLE -> DECIMAL rounds the printed value: 1.005 is 1.00499999... in binary. */
    tn_vector src, dst, txt;
    tn_error err = {0};
    tn_vector_init(&src, T(TN_TYPE_DOUBLE), 5);
    double vals[] = {1.005, -2.675, 0.1 + 0.2, 1e-20, 123456789.987654321};
    memcpy(src.values, vals, sizeof(vals));
    cr_assert_eq(tn_vector_cast(&src, 5, tn_type_decimal(18, 2), false, &dst, &err), 0, "%s",
                 err.message);
    cr_assert(tn_vector_get_decimal(&dst, 0) == 101);
    cr_assert(tn_vector_get_decimal(&dst, 1) == -268);
    cr_assert(tn_vector_get_decimal(&dst, 2) == 30);
    cr_assert(tn_vector_get_decimal(&dst, 3) == 0);
    cr_assert(tn_vector_get_decimal(&dst, 4) == 12345678999);
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);

    /* DECIMAL -> DECIMAL rescale both ways; DECIMAL -> DOUBLE correctly rounded. */
    tn_vector_init(&src, tn_type_decimal(38, 10), 3);
    tn_i128 big = 1;
    for (int i = 0; i < 37; i++)
        big *= 10;
    tn_vector_set_decimal(&src, 0, -123456789012345); /* -12345.6789012345 */
    tn_vector_set_decimal(&src, 1, big);              /* 10^27 */
    tn_vector_set_decimal(&src, 2, 5);                /* 0.0000000005 */
    cr_assert_eq(tn_vector_cast(&src, 3, tn_type_decimal(20, 4), true, &dst, &err), 0);
    cr_assert(tn_vector_get_decimal(&dst, 0) == -123456789);
    cr_assert(!tn_vector_is_valid(&dst, 1));
    cr_assert(tn_vector_get_decimal(&dst, 2) == 0);
    cr_assert_eq(tn_vector_cast(&dst, 3, T(TN_TYPE_VARCHAR), false, &txt, &err), 0);
    cr_assert(tn_str_eq(tn_vector_get_str(&txt, 0), TN_STR_LIT("-12345.6789")));
    cr_assert(tn_str_eq(tn_vector_get_str(&txt, 2), TN_STR_LIT("0.0000")));
    tn_vector_destroy(&txt);
    tn_vector_destroy(&dst);
    cr_assert_eq(tn_vector_cast(&src, 3, tn_type_decimal(10, 9), true, &dst, &err), 0);
    cr_assert(!tn_vector_is_valid(&dst, 0));
    cr_assert(tn_vector_get_decimal(&dst, 2) == 1); /* 0.0000000005 rounds away from zero */
    tn_vector_destroy(&dst);
    cr_assert_eq(tn_vector_cast(&src, 3, T(TN_TYPE_DOUBLE), false, &dst, &err), 0);
    cr_assert_eq(tn_vector_f64(&dst)[0], -12345.6789012345);
    cr_assert_eq(tn_vector_f64(&dst)[1], 1e27);
    cr_assert_eq(tn_vector_f64(&dst)[2], 5e-10);
    tn_vector_destroy(&dst);
    cr_assert_eq(tn_vector_cast(&src, 3, T(TN_TYPE_BIGINT), true, &dst, &err), 0);
    cr_assert_eq(tn_vector_i64(&dst)[0], -12346);
    cr_assert(!tn_vector_is_valid(&dst, 1));
    cr_assert_eq(tn_vector_i64(&dst)[2], 0);
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);

    /* Integers into decimals check the precision. */
    tn_vector_init(&src, T(TN_TYPE_INTEGER), 2);
    tn_vector_i32(&src)[0] = 999;
    tn_vector_i32(&src)[1] = 1000;
    cr_assert_eq(tn_vector_cast(&src, 2, tn_type_decimal(5, 2), false, &dst, &err), TN_EOVERFLOW);
    cr_assert_str_eq(err.message, "cannot cast '1000' to DECIMAL(5,2): value out of range (row 2)");
    cr_assert_eq(tn_vector_cast(&src, 2, tn_type_decimal(6, 2), false, &dst, &err), 0);
    cr_assert(tn_vector_get_decimal(&dst, 1) == 100000);
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);
}

Test(cast, text_to_double_and_real)
{
    const char *in[] = {"1", "0.1", "-1.5e3", "inf", "nan", " 2.5 ", "1e400", "x", "1e39"};
    const char *dbl[] = {"1.0", "0.1", "-1500.0", "inf", "nan", "2.5", NULL, NULL, "1e+39"};
    check_via_text(in, dbl, N(in), T(TN_TYPE_DOUBLE), true);
    const char *flt[] = {"1.0", "0.1", "-1500.0", "inf", "nan", "2.5", NULL, NULL, NULL};
    check_via_text(in, flt, N(in), T(TN_TYPE_REAL), true);
}

Test(cast, real_is_rounded_once)
{
    /* 1.00000005960464477539062 is exactly halfway between two floats, 1.000000059604644775390625
     * + tiny is just above: parsing straight to float rounds up, via double it would tie. */
    const char *in[] = {"1.000000059604644775390625000001"};
    tn_vector src, dst;
    tn_error err = {0};
    make_text(&src, in, 1);
    cr_assert_eq(tn_vector_cast(&src, 1, T(TN_TYPE_REAL), false, &dst, &err), 0);
    cr_assert_eq(tn_vector_f32(&dst)[0], strtof(in[0], NULL));
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);
}

Test(cast, booleans)
{
    const char *in[] = {"true", "F", "yes", "n", "1", "0", "2", "maybe", NULL};
    const char *out[] = {"true", "false", "true", "false", "true", "false", NULL, NULL, NULL};
    check_via_text(in, out, N(in), T(TN_TYPE_BOOLEAN), true);

    tn_vector src, dst;
    tn_error err = {0};
    tn_vector_init(&src, T(TN_TYPE_BOOLEAN), 2);
    tn_vector_set_bool(&src, 0, true);
    cr_assert_eq(tn_vector_cast(&src, 2, T(TN_TYPE_INTEGER), false, &dst, &err), 0);
    cr_assert_eq(tn_vector_i32(&dst)[0], 1);
    cr_assert_eq(tn_vector_i32(&dst)[1], 0);
    tn_vector_destroy(&dst);
    cr_assert_eq(tn_vector_cast(&src, 2, T(TN_TYPE_DOUBLE), false, &dst, &err), 0);
    cr_assert_eq(tn_vector_f64(&dst)[0], 1.0);
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);

    tn_vector_init(&src, T(TN_TYPE_BIGINT), 3);
    tn_vector_i64(&src)[0] = -5;
    tn_vector_i64(&src)[2] = 1;
    cr_assert_eq(tn_vector_cast(&src, 3, T(TN_TYPE_BOOLEAN), false, &dst, &err), 0);
    cr_assert(tn_vector_get_bool(&dst, 0));
    cr_assert(!tn_vector_get_bool(&dst, 1));
    cr_assert(tn_vector_get_bool(&dst, 2));
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);
}

Test(cast, dates_and_timestamps)
{
    const char *in[] = {"2024-02-29", "2024-02-29 13:14:15", "2024-02-29T23:59:59.999999-01:00",
                        "1969-12-31 23:00", "0001-01-01", "9999-12-31", "2023-02-29", NULL};
    const char *date[] = {"2024-02-29", "2024-02-29", "2024-03-01", "1969-12-31",
                          "0001-01-01", "9999-12-31", NULL,         NULL};
    check_via_text(in, date, N(in), T(TN_TYPE_DATE), true);
    const char *ts[] = {"2024-02-29 00:00:00",
                        "2024-02-29 13:14:15",
                        "2024-03-01 00:59:59.999999",
                        "1969-12-31 23:00:00",
                        "0001-01-01 00:00:00",
                        "9999-12-31 00:00:00",
                        NULL,
                        NULL};
    check_via_text(in, ts, N(in), T(TN_TYPE_TIMESTAMP), true);
    const char *tz[] = {"2024-02-29 00:00:00+00",
                        "2024-02-29 13:14:15+00",
                        "2024-03-01 00:59:59.999999+00",
                        "1969-12-31 23:00:00+00",
                        "0001-01-01 00:00:00+00",
                        "9999-12-31 00:00:00+00",
                        NULL,
                        NULL};
    check_via_text(in, tz, N(in), T(TN_TYPE_TIMESTAMPTZ), true);

    /* DATE -> TIMESTAMP is midnight; TIMESTAMP -> DATE floors (also before 1970). */
    tn_vector src, dst, back;
    tn_error err = {0};
    tn_vector_init(&src, T(TN_TYPE_DATE), 2);
    tn_vector_i32(&src)[0] = -1;
    tn_vector_i32(&src)[1] = 19782;
    cr_assert_eq(tn_vector_cast(&src, 2, T(TN_TYPE_TIMESTAMPTZ), false, &dst, &err), 0);
    cr_assert_eq(tn_vector_i64(&dst)[0], -INT64_C(86400000000));
    tn_vector_i64(&dst)[0] += 1; /* 1969-12-31 00:00:00.000001 */
    cr_assert_eq(tn_vector_cast(&dst, 2, T(TN_TYPE_DATE), false, &back, &err), 0);
    cr_assert_eq(tn_vector_i32(&back)[0], -1);
    cr_assert_eq(tn_vector_i32(&back)[1], 19782);
    tn_vector_destroy(&back);
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);
}

Test(cast, blob_text_round_trip)
{
    tn_vector src, txt, back;
    tn_error err = {0};
    tn_vector_init(&src, T(TN_TYPE_BLOB), 3);
    tn_vector_append_str(&src, 0, "\x00\xff\\A", 4);
    tn_vector_append_null(&src, 1);
    tn_vector_append_str(&src, 2, "", 0);
    cr_assert_eq(tn_vector_cast(&src, 3, T(TN_TYPE_VARCHAR), false, &txt, &err), 0);
    cr_assert(tn_str_eq(tn_vector_get_str(&txt, 0), TN_STR_LIT("\\x00\\xFF\\x5CA")));
    cr_assert(!tn_vector_is_valid(&txt, 1));
    cr_assert_eq(tn_vector_cast(&txt, 3, T(TN_TYPE_BLOB), false, &back, &err), 0);
    cr_assert(tn_str_eq(tn_vector_get_str(&back, 0), tn_str_make("\x00\xff\\A", 4)));
    cr_assert_eq(tn_vector_get_str(&back, 2).len, 0);
    cr_assert(tn_vector_is_valid(&back, 2));
    tn_vector_destroy(&back);
    tn_vector_destroy(&txt);
    tn_vector_destroy(&src);

    const char *bad[] = {"ok", "\\x4", "\\q", "\\xZZ", "tail\\x41"};
    const char *out[] = {"ok", NULL, NULL, NULL, "tailA"};
    check_via_text(bad, out, N(bad), T(TN_TYPE_BLOB), true);
    check_error(bad, N(bad), T(TN_TYPE_BLOB), TN_ETYPE, "cannot cast '\\x4' to BLOB (row 2)");
}

Test(cast, everything_to_varchar)
{
    tn_error err = {0};
    tn_vector src, dst;
    tn_vector_init(&src, T(TN_TYPE_REAL), 2);
    tn_vector_f32(&src)[0] = 0.1f;
    tn_vector_set_null(&src, 1);
    cr_assert_eq(tn_vector_cast(&src, 2, T(TN_TYPE_VARCHAR), false, &dst, &err), 0);
    cr_assert(tn_str_eq(tn_vector_get_str(&dst, 0), TN_STR_LIT("0.1")));
    cr_assert(!tn_vector_is_valid(&dst, 1));
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);
}

Test(cast, impossible_pairs_are_type_errors)
{
    tn_vector src, dst;
    tn_error err = {0};
    tn_vector_init(&src, T(TN_TYPE_DATE), 1);
    cr_assert_eq(tn_vector_cast(&src, 1, T(TN_TYPE_INTEGER), true, &dst, &err), TN_ETYPE);
    cr_assert_str_eq(err.message, "cannot cast DATE to INTEGER");
    cr_assert_eq(tn_vector_cast(&src, 1, T(TN_TYPE_BLOB), true, &dst, &err), TN_ETYPE);
    tn_vector_destroy(&src);
    tn_vector_init(&src, T(TN_TYPE_DOUBLE), 1);
    cr_assert_eq(tn_vector_cast(&src, 1, T(TN_TYPE_TIMESTAMP), true, &dst, &err), TN_ETYPE);
    cr_assert_eq(tn_vector_cast(&src, 1, T(TN_TYPE_INVALID), true, &dst, &err), TN_ETYPE);
    tn_vector_destroy(&src);
}

Test(cast, numeric_widening_is_exact)
{
    tn_vector src, dst;
    tn_error err = {0};
    tn_vector_init(&src, T(TN_TYPE_INTEGER), 3);
    tn_vector_i32(&src)[0] = INT32_MIN;
    tn_vector_i32(&src)[1] = INT32_MAX;
    tn_vector_set_null(&src, 2);
    cr_assert_eq(tn_vector_cast(&src, 3, T(TN_TYPE_BIGINT), false, &dst, &err), 0);
    cr_assert_eq(tn_vector_i64(&dst)[0], INT32_MIN);
    cr_assert_eq(tn_vector_i64(&dst)[1], INT32_MAX);
    cr_assert(!tn_vector_is_valid(&dst, 2));
    tn_vector_destroy(&dst);
    cr_assert_eq(tn_vector_cast(&src, 3, T(TN_TYPE_DOUBLE), false, &dst, &err), 0);
    cr_assert_eq(tn_vector_f64(&dst)[0], -2147483648.0);
    tn_vector_destroy(&dst);
    cr_assert_eq(tn_vector_cast(&src, 3, tn_type_decimal(10, 0), false, &dst, &err), 0);
    cr_assert(tn_vector_get_decimal(&dst, 0) == INT32_MIN);
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);
    tn_vector_init(&src, T(TN_TYPE_REAL), 1);
    tn_vector_f32(&src)[0] = 0.1f;
    cr_assert_eq(tn_vector_cast(&src, 1, T(TN_TYPE_DOUBLE), false, &dst, &err), 0);
    cr_assert_eq(tn_vector_f64(&dst)[0], (double)0.1f);
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);
}

Test(cast, zero_rows)
{
    tn_vector src, dst;
    tn_error err = {0};
    tn_vector_init(&src, T(TN_TYPE_VARCHAR), 0);
    cr_assert_eq(tn_vector_cast(&src, 0, T(TN_TYPE_INTEGER), false, &dst, &err), 0);
    cr_assert_eq(dst.capacity, 0);
    tn_vector_destroy(&dst);
    tn_vector_destroy(&src);
}

/* DECIMAL(p <= 18) is int64, wider precisions 128 bits: the helpers read and write either,
 * and casts across the boundary keep values exact both ways or name the row that overflows. */
Test(cast, decimal_widths_cross_the_18_digit_boundary)
{
    cr_assert(tn_decimal_is_64(tn_type_decimal(1, 0)));
    cr_assert(tn_decimal_is_64(tn_type_decimal(18, 18)));
    cr_assert(!tn_decimal_is_64(tn_type_decimal(19, 0)));
    cr_assert(!tn_decimal_is_64(tn_type_decimal(38, 2)));

    tn_vector narrow, wide, back;
    tn_error err = {0};
    tn_vector_init(&narrow, tn_type_decimal(18, 2), 4);
    tn_i128 max18 = 999999999999999999; /* 10^18 - 1 */
    tn_vector_set_decimal(&narrow, 0, max18);
    tn_vector_set_decimal(&narrow, 1, -max18);
    tn_vector_set_decimal(&narrow, 2, 5);
    tn_vector_set_null(&narrow, 3);
    cr_assert_eq(tn_vector_i64(&narrow)[0], INT64_C(999999999999999999));
    cr_assert(tn_vector_get_decimal(&narrow, 1) == -max18);

    /* up: the same unscaled values at 16 bytes, NULL kept */
    cr_assert_eq(tn_vector_cast(&narrow, 4, tn_type_decimal(19, 2), false, &wide, &err), 0, "%s",
                 err.message);
    cr_assert(tn_vector_i128(&wide)[0] == max18);
    cr_assert(tn_vector_i128(&wide)[1] == -max18);
    cr_assert(tn_vector_i128(&wide)[2] == 5);
    cr_assert(!tn_vector_is_valid(&wide, 3));
    /* and down again */
    cr_assert_eq(tn_vector_cast(&wide, 4, tn_type_decimal(18, 2), false, &back, &err), 0);
    for (uint32_t r = 0; r < 3; r++)
        cr_assert(tn_vector_get_decimal(&back, r) == tn_vector_get_decimal(&narrow, r));
    cr_assert(!tn_vector_is_valid(&back, 3));
    tn_vector_destroy(&back);

    /* down with rounding: 9999999999999999.99 -> 10000000000000000.0 fits DECIMAL(18,1) */
    cr_assert_eq(tn_vector_cast(&wide, 4, tn_type_decimal(18, 1), false, &back, &err), 0);
    cr_assert_eq(tn_vector_i64(&back)[0], INT64_C(100000000000000000));
    cr_assert_eq(tn_vector_i64(&back)[2], 1); /* 0.05 rounds away from zero */
    tn_vector_destroy(&back);

    /* a 128-bit value past 18 digits does not fit: an error naming the row, or NULL */
    tn_vector_set_decimal(&wide, 2, max18 * 10);
    cr_assert_eq(tn_vector_cast(&wide, 4, tn_type_decimal(18, 2), false, &back, &err),
                 TN_EOVERFLOW);
    cr_assert_str_eq(err.message, "cannot cast '99999999999999999.90' to DECIMAL(18,2): value "
                                  "out of range (row 3)");
    cr_assert_eq(tn_vector_cast(&wide, 4, tn_type_decimal(18, 2), true, &back, &err), 0);
    cr_assert(tn_vector_get_decimal(&back, 0) == max18);
    cr_assert(!tn_vector_is_valid(&back, 2));
    tn_vector_destroy(&back);

    /* text of both widths */
    cr_assert_eq(tn_vector_cast(&narrow, 4, T(TN_TYPE_VARCHAR), false, &back, &err), 0);
    cr_assert(tn_str_eq(tn_vector_get_str(&back, 1), TN_STR_LIT("-9999999999999999.99")));
    tn_vector_destroy(&back);
    tn_vector_destroy(&wide);
    tn_vector_destroy(&narrow);
}
