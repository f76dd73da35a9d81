/* SPDX-License-Identifier: Apache-2.0
 *
 * Arithmetic and math functions of the registry: + - * / // % and unary minus over INTEGER,
 * BIGINT, DOUBLE and exact DECIMAL, with overflow checks (an error, never a wrap) and division
 * by zero as an error (NULL in SQLite-compatible mode); abs, round, floor, ceil, sqrt, power.
 * Each implementation is one loop over the vector.
 */
#include "sql/func/func.h"

#include <math.h>

static int overflow(tn_func_ctx *ctx, const char *what)
{
    return tn_error_set_at(ctx->err, TN_EOVERFLOW, NULL, ctx->pos.line, ctx->pos.column,
                           "%s out of range", what);
}

static int div_zero(tn_func_ctx *ctx)
{
    return tn_error_set_at(ctx->err, TN_EINVAL, NULL, ctx->pos.line, ctx->pos.column,
                           "division by zero");
}

#define VAL(a, T, i) (((const T *)(a).vec->values)[(a).sel[i]])

/* Integer + - * with checks. The first loop only accumulates the overflow flags (dense
 * arguments without the selection's indirection); only when one is set does the second loop
 * find the row, skipping NULL rows, whose values are unspecified and may overflow. */
#define INT_BINOP(fname, T, builtin, what)                                                     \
    static int fname(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,          \
                     tn_vector *out)                                                           \
    {                                                                                          \
        T *r = (T *)out->values;                                                               \
        bool any = false;                                                                      \
        if (a[0].sel == tn_exec_identity && a[1].sel == tn_exec_identity) {                    \
            const T *x = (const T *)a[0].vec->values, *y = (const T *)a[1].vec->values;        \
            for (uint32_t i = 0; i < n; i++)                                                   \
                any |= builtin(x[i], y[i], &r[i]);                                             \
        } else {                                                                               \
            for (uint32_t i = 0; i < n; i++)                                                   \
                any |= builtin(VAL(a[0], T, i), VAL(a[1], T, i), &r[i]);                       \
        }                                                                                      \
        for (uint32_t i = 0; any && i < n; i++) {                                              \
            T z;                                                                               \
            if (builtin(VAL(a[0], T, i), VAL(a[1], T, i), &z) && tn_vector_is_valid(out, i))   \
                return overflow(ctx, what);                                                    \
        }                                                                                      \
        return 0;                                                                              \
    }

INT_BINOP(add_i32, int32_t, __builtin_add_overflow, "INTEGER")
INT_BINOP(sub_i32, int32_t, __builtin_sub_overflow, "INTEGER")
INT_BINOP(mul_i32, int32_t, __builtin_mul_overflow, "INTEGER")
INT_BINOP(add_i64, int64_t, __builtin_add_overflow, "BIGINT")
INT_BINOP(sub_i64, int64_t, __builtin_sub_overflow, "BIGINT")
INT_BINOP(mul_i64, int64_t, __builtin_mul_overflow, "BIGINT")

/* Integer division and modulo: zero divisors are an error (or NULL for SQLite), and
 * MIN / -1 overflows. */
#define INT_DIVOP(fname, T, MINV, is_mod, what)                                                \
    static int fname(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,          \
                     tn_vector *out)                                                           \
    {                                                                                          \
        T *r = (T *)out->values;                                                               \
        for (uint32_t i = 0; i < n; i++) {                                                     \
            if (!tn_vector_is_valid(out, i))                                                   \
                continue;                                                                      \
            T x = VAL(a[0], T, i), y = VAL(a[1], T, i);                                        \
            if (y == 0) {                                                                      \
                if (ctx->sqlite_compat) {                                                      \
                    tn_vector_set_null(out, i);                                                \
                    continue;                                                                  \
                }                                                                              \
                return div_zero(ctx);                                                          \
            }                                                                                  \
            if (y == -1) {                                                                     \
                if (!(is_mod) && x == (MINV))                                                  \
                    return overflow(ctx, what);                                                \
                r[i] = (is_mod) ? 0 : -x;                                                      \
                continue;                                                                      \
            }                                                                                  \
            r[i] = (is_mod) ? x % y : x / y;                                                   \
        }                                                                                      \
        return 0;                                                                              \
    }

INT_DIVOP(div_i32, int32_t, INT32_MIN, 0, "INTEGER")
INT_DIVOP(mod_i32, int32_t, INT32_MIN, 1, "INTEGER")
INT_DIVOP(div_i64, int64_t, INT64_MIN, 0, "BIGINT")
INT_DIVOP(mod_i64, int64_t, INT64_MIN, 1, "BIGINT")

#define F64_BINOP(fname, expr)                                                                 \
    static int fname(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,          \
                     tn_vector *out)                                                           \
    {                                                                                          \
        double *r = (double *)out->values;                                                     \
        const double *xv = (const double *)a[0].vec->values;                                   \
        const double *yv = (const double *)a[1].vec->values;                                   \
        if (a[0].sel == tn_exec_identity && a[1].sel == tn_exec_identity) {                    \
            for (uint32_t i = 0; i < n; i++) {                                                 \
                double x = xv[i], y = yv[i];                                                   \
                r[i] = (expr);                                                                 \
            }                                                                                  \
        } else if (a[0].sel == tn_exec_identity && a[1].sel == tn_exec_zeros) {                \
            double y = yv[0];                                                                  \
            for (uint32_t i = 0; i < n; i++) {                                                 \
                double x = xv[i];                                                              \
                r[i] = (expr);                                                                 \
            }                                                                                  \
        } else {                                                                               \
            for (uint32_t i = 0; i < n; i++) {                                                 \
                double x = VAL(a[0], double, i), y = VAL(a[1], double, i);                     \
                r[i] = (expr);                                                                 \
            }                                                                                  \
        }                                                                                      \
        return 0;                                                                              \
    }

F64_BINOP(add_f64, x + y)
F64_BINOP(sub_f64, x - y)
F64_BINOP(mul_f64, x *y)
F64_BINOP(pow_f64, pow(x, y))

static int div_f64(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    double *r = (double *)out->values;
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        double x = VAL(a[0], double, i), y = VAL(a[1], double, i);
        if (y == 0) {
            if (ctx->sqlite_compat) {
                tn_vector_set_null(out, i);
                continue;
            }
            return div_zero(ctx);
        }
        r[i] = x / y;
    }
    return 0;
}

static int mod_f64(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    double *r = (double *)out->values;
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        double x = VAL(a[0], double, i), y = VAL(a[1], double, i);
        if (y == 0) {
            if (ctx->sqlite_compat) {
                tn_vector_set_null(out, i);
                continue;
            }
            return div_zero(ctx);
        }
        r[i] = fmod(x, y);
    }
    return 0;
}

/* Integer division of two integers giving DOUBLE (PostgreSQL gives an integer; DuckDB, whose
 * results the differential test compares with, gives a DOUBLE for `/`). */
static int divd_i64(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                    tn_vector *out)
{
    double *r = (double *)out->values;
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        int64_t y = VAL(a[1], int64_t, i);
        if (y == 0) {
            if (ctx->sqlite_compat) {
                tn_vector_set_null(out, i);
                continue;
            }
            return div_zero(ctx);
        }
        r[i] = (double)VAL(a[0], int64_t, i) / (double)y;
    }
    return 0;
}

/* ---- DECIMAL ---------------------------------------------------------------------------- */

static tn_i128 pow10_values[39];

/* Filled once at load time, so worker threads only ever read it. */
__attribute__((constructor)) static void pow10_fill(void)
{
    tn_i128 v = 1;
    for (int i = 0; i <= 38; i++) {
        pow10_values[i] = v;
        if (i < 38)
            v *= 10;
    }
}

static const tn_i128 *pow10_table(void)
{
    return pow10_values;
}

/* Row i of a DECIMAL argument of either width, widened (for the exact loops). */
static inline tn_i128 dec_arg(const tn_exec_arg *a, uint32_t i)
{
    return tn_vector_get_decimal(a->vec, a->sel[i]);
}

static bool dec_fits(tn_i128 v, int precision)
{
    tn_i128 lim = pow10_table()[precision];
    return v < lim && v > -lim;
}

static bool dec_rescale(tn_i128 v, int from, int to, tn_i128 *out)
{
    if (to >= from)
        return !__builtin_mul_overflow(v, pow10_table()[to - from], out);
    tn_i128 d = pow10_table()[from - to];
    tn_i128 q = v / d, rem = v % d;
    /* round half away from zero */
    if (rem * 2 >= d)
        q++;
    else if (rem * 2 <= -d)
        q--;
    *out = q;
    return true;
}

/* The fast paths below read each argument's selected values as int64s, checking that every
 * one is within its type's precision (or, past 18 digits, within int64), and compute in the
 * same pass with no overflow check at all: the precision rules of the result type guarantee
 * the result fits (|x| < 10^p0 and |y| < 10^p1 give |x * y| < 10^(p0 + p1), and 128-bit
 * intermediates never overflow). When a value is outside (a malformed input, or a NULL row's
 * unspecified value) or the types do not allow it, the exact loops below redo the vector and
 * report any error as before. */
static inline bool fits_i64(tn_i128 v)
{
    return (tn_i128)(int64_t)v == v;
}

/* Digits an argument's values are checked against: its precision, capped at 19 (int64). */
static int narrow_digits(const tn_vector *v)
{
    return v->type.precision < 19 ? v->type.precision : 19;
}

/* A DECIMAL argument as the fast paths read it, row by row through its selection: its values
 * of either width, and the span |x| <= span they are checked against (its digits, or int64
 * past 18). A constant is read and checked once. */
typedef struct dec_reader {
    const int64_t *v64;  /* 64-bit values, or NULL */
    const tn_i128 *v128; /* else the 128-bit ones, checked to fit int64 (a 128-bit type has
                            more than 18 digits, so its span is int64's) */
    const uint32_t *sel;
    uint64_t span64;
    bool constant;
    int64_t value; /* a constant's value */
} dec_reader;

/* Sets up the reader of argument a checked against `digits` digits (19: int64); false when a
 * constant is out of its span. */
static bool dec_reader_init(dec_reader *r, const tn_exec_arg *a, int digits)
{
    *r = (dec_reader){.sel = a->sel, .constant = a->sel == tn_exec_zeros};
    if (tn_decimal_is_64(a->vec->type)) {
        r->v64 = tn_vector_i64(a->vec);
        r->span64 = digits >= 19 ? UINT64_MAX / 2 : (uint64_t)pow10_table()[digits] - 1;
    } else if (digits >= 19) {
        r->v128 = tn_vector_i128(a->vec);
    } else {
        return false;
    }
    if (!r->constant)
        return true;
    if (r->v64) {
        r->value = r->v64[0];
        return (uint64_t)r->value + r->span64 <= 2 * r->span64;
    }
    r->value = (int64_t)r->v128[0];
    return fits_i64(r->v128[0]);
}

/* The loads of one row i into the int64 `out` for the loops below: a 64-bit or 128-bit
 * column, its span checked (bad notes a value outside), or a constant. */
#define DEC_LOAD64(rd, out)                                                                    \
    int64_t out = rd.v64[rd.sel[i]];                                                           \
    bad |= (uint64_t)out + rd.span64 > 2 * rd.span64;
#define DEC_LOAD128(rd, out)                                                                   \
    tn_i128 out##_wide = rd.v128[rd.sel[i]];                                                   \
    int64_t out = (int64_t)out##_wide;                                                         \
    bad |= (tn_i128)out != out##_wide;
#define DEC_LOADK(rd, out) int64_t out = rd##_value;

#define DEC_PASS(load_x, load_y, body)                                                         \
    for (uint32_t i = 0; i < n; i++) {                                                         \
        load_x(xr, x) load_y(yr, y) body                                                       \
    }

/* One pass over rows [0, n) running body (on int64 x and y, row i) for the shapes of the two
 * readers xr and yr; bad is set when a value is outside its span. */
#define DEC_PASSES(body)                                                                       \
    do {                                                                                       \
        int64_t xr_value = xr.value, yr_value = yr.value;                                      \
        (void)xr_value;                                                                        \
        (void)yr_value;                                                                        \
        if (xr.constant) {                                                                     \
            if (yr.v64)                                                                        \
                DEC_PASS(DEC_LOADK, DEC_LOAD64, body)                                          \
            else                                                                               \
                DEC_PASS(DEC_LOADK, DEC_LOAD128, body)                                         \
        } else if (yr.constant) {                                                              \
            if (xr.v64)                                                                        \
                DEC_PASS(DEC_LOAD64, DEC_LOADK, body)                                          \
            else                                                                               \
                DEC_PASS(DEC_LOAD128, DEC_LOADK, body)                                         \
        } else if (xr.v64 && yr.v64) {                                                         \
            DEC_PASS(DEC_LOAD64, DEC_LOAD64, body)                                             \
        } else if (xr.v64) {                                                                   \
            DEC_PASS(DEC_LOAD64, DEC_LOAD128, body)                                            \
        } else if (yr.v64) {                                                                   \
            DEC_PASS(DEC_LOAD128, DEC_LOAD64, body)                                            \
        } else {                                                                               \
            DEC_PASS(DEC_LOAD128, DEC_LOAD128, body)                                           \
        }                                                                                      \
    } while (0)

static bool dec_addsub_fast(uint32_t n, const tn_exec_arg *a, tn_vector *out, bool sub)
{
    const tn_vector *xv = a[0].vec, *yv = a[1].vec;
    int s0 = xv->type.scale, s1 = yv->type.scale, rs = out->type.scale;
    int p0 = narrow_digits(xv), p1 = narrow_digits(yv);
    if (n > TN_BATCH_ROWS || rs < s0 || rs < s1 || rs - s0 > 18 || rs - s1 > 18)
        return false;
    /* digits of the result: the wider integer part, the result's scale, one carry */
    int digits = (p0 - s0 > p1 - s1 ? p0 - s0 : p1 - s1) + rs + 1;
    if (digits > out->type.precision)
        return false;
    dec_reader xr, yr;
    if (!dec_reader_init(&xr, &a[0], p0) || !dec_reader_init(&yr, &a[1], p1))
        return false;
    int64_t f0 = (int64_t)pow10_table()[rs - s0], f1 = (int64_t)pow10_table()[rs - s1] * (sub ? -1 : 1);
    bool bad = false;
    /* the result's values are int64 when its precision is at most 18; the arithmetic is
     * int64 when the result has at most 18 digits, done unsigned: a value outside its span
     * (found only after the pass) must not overflow a signed type */
    uint64_t u0 = (uint64_t)f0, u1 = (uint64_t)f1;
    if (tn_decimal_is_64(out->type)) {
        int64_t *r = tn_vector_i64(out);
        DEC_PASSES(r[i] = (int64_t)((uint64_t)x * u0 + (uint64_t)y * u1););
    } else if (digits <= 18) {
        tn_i128 *r = tn_vector_i128(out);
        DEC_PASSES(r[i] = (int64_t)((uint64_t)x * u0 + (uint64_t)y * u1););
    } else {
        tn_i128 *r = tn_vector_i128(out);
        DEC_PASSES(r[i] = (tn_i128)x * f0 + (tn_i128)y * f1;);
    }
    return !bad;
}

static int dec_addsub(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, tn_vector *out,
                      bool sub)
{
    if (dec_addsub_fast(n, a, out, sub))
        return 0;
    int s0 = a[0].vec->type.scale, s1 = a[1].vec->type.scale, rs = out->type.scale;
    int p = out->type.precision;
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        tn_i128 x, y, z;
        if (!dec_rescale(dec_arg(&a[0], i), s0, rs, &x) ||
            !dec_rescale(dec_arg(&a[1], i), s1, rs, &y))
            return overflow(ctx, "DECIMAL");
        if (sub ? __builtin_sub_overflow(x, y, &z) : __builtin_add_overflow(x, y, &z))
            return overflow(ctx, "DECIMAL");
        if (!dec_fits(z, p))
            return overflow(ctx, "DECIMAL");
        tn_vector_set_decimal(out, i, z);
    }
    return 0;
}

static int add_dec(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    return dec_addsub(ctx, n, a, out, false);
}

static int sub_dec(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    return dec_addsub(ctx, n, a, out, true);
}

/* The product with the summed scale, when the factors' digits fit the result's precision:
 * |x| < 10^p0 and |y| < 10^p1 give |x * y| < 10^(p0 + p1) (int64 when that is at most 18). */
static bool mul_dec_fast(uint32_t n, const tn_exec_arg *a, tn_vector *out)
{
    const tn_vector *xv = a[0].vec, *yv = a[1].vec;
    int p0 = narrow_digits(xv), p1 = narrow_digits(yv);
    if (n > TN_BATCH_ROWS || xv->type.scale + yv->type.scale != out->type.scale ||
        p0 + p1 > out->type.precision)
        return false;
    dec_reader xr, yr;
    if (!dec_reader_init(&xr, &a[0], p0) || !dec_reader_init(&yr, &a[1], p1))
        return false;
    bool bad = false;
    if (tn_decimal_is_64(out->type)) {
        int64_t *r = tn_vector_i64(out);
        /* unsigned: a value outside its span (found only after the pass) must not overflow */
        DEC_PASSES(r[i] = (int64_t)((uint64_t)x * (uint64_t)y););
    } else {
        tn_i128 *r = tn_vector_i128(out);
        DEC_PASSES(r[i] = (tn_i128)x * y;);
    }
    return !bad;
}

#undef DEC_PASSES
#undef DEC_PASS
#undef DEC_LOADK
#undef DEC_LOAD128
#undef DEC_LOAD64

static int mul_dec(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    if (mul_dec_fast(n, a, out))
        return 0;
    int s = a[0].vec->type.scale + a[1].vec->type.scale, rs = out->type.scale;
    int p = out->type.precision;
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        tn_i128 z;
        if (__builtin_mul_overflow(dec_arg(&a[0], i), dec_arg(&a[1], i), &z) ||
            !dec_rescale(z, s, rs, &z) || !dec_fits(z, p))
            return overflow(ctx, "DECIMAL");
        tn_vector_set_decimal(out, i, z);
    }
    return 0;
}

static int div_dec(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    int s0 = a[0].vec->type.scale, s1 = a[1].vec->type.scale, rs = out->type.scale;
    int p = out->type.precision;
    /* x/10^s0 / (y/10^s1) = (x * 10^(rs + s1 - s0 + 1) / y) / 10^(rs+1), rounded */
    int shift = rs + s1 - s0 + 1;
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        tn_i128 x = dec_arg(&a[0], i), y = dec_arg(&a[1], i), z;
        if (y == 0) {
            if (ctx->sqlite_compat) {
                tn_vector_set_null(out, i);
                continue;
            }
            return div_zero(ctx);
        }
        if (shift >= 0) {
            if (shift > 38 || __builtin_mul_overflow(x, pow10_table()[shift], &x))
                return overflow(ctx, "DECIMAL");
        } else {
            x /= pow10_table()[-shift];
        }
        z = x / y;
        z = (z >= 0 ? z + 5 : z - 5) / 10;
        if (!dec_fits(z, p))
            return overflow(ctx, "DECIMAL");
        tn_vector_set_decimal(out, i, z);
    }
    return 0;
}

static int mod_dec(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    int s0 = a[0].vec->type.scale, s1 = a[1].vec->type.scale, rs = out->type.scale;
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_vector_is_valid(out, i))
            continue;
        tn_i128 x, y;
        if (!dec_rescale(dec_arg(&a[0], i), s0, rs, &x) ||
            !dec_rescale(dec_arg(&a[1], i), s1, rs, &y))
            return overflow(ctx, "DECIMAL");
        if (y == 0) {
            if (ctx->sqlite_compat) {
                tn_vector_set_null(out, i);
                continue;
            }
            return div_zero(ctx);
        }
        tn_vector_set_decimal(out, i, x % y);
    }
    return 0;
}

/* ---- unary ------------------------------------------------------------------------------ */

static int neg_i32(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    int32_t *r = tn_vector_i32(out);
    for (uint32_t i = 0; i < n; i++) {
        int32_t x = VAL(a[0], int32_t, i);
        if (x == INT32_MIN && tn_vector_is_valid(out, i))
            return overflow(ctx, "INTEGER");
        r[i] = x == INT32_MIN ? 0 : -x;
    }
    return 0;
}

static int neg_i64(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    int64_t *r = tn_vector_i64(out);
    for (uint32_t i = 0; i < n; i++) {
        int64_t x = VAL(a[0], int64_t, i);
        if (x == INT64_MIN && tn_vector_is_valid(out, i))
            return overflow(ctx, "BIGINT");
        r[i] = x == INT64_MIN ? 0 : -x;
    }
    return 0;
}

static int neg_f64(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    double *r = tn_vector_f64(out);
    for (uint32_t i = 0; i < n; i++)
        r[i] = -VAL(a[0], double, i);
    return 0;
}

static int neg_dec(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    if (tn_decimal_is_64(out->type)) {
        /* negated as unsigned: a NULL row's unspecified value may be INT64_MIN */
        int64_t *r = tn_vector_i64(out);
        for (uint32_t i = 0; i < n; i++)
            r[i] = (int64_t)(0 - (uint64_t)VAL(a[0], int64_t, i));
        return 0;
    }
    tn_i128 *r = tn_vector_i128(out);
    for (uint32_t i = 0; i < n; i++)
        r[i] = -VAL(a[0], tn_i128, i);
    return 0;
}

static int abs_i32(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    int32_t *r = tn_vector_i32(out);
    for (uint32_t i = 0; i < n; i++) {
        int32_t x = VAL(a[0], int32_t, i);
        if (x == INT32_MIN && tn_vector_is_valid(out, i))
            return overflow(ctx, "INTEGER");
        r[i] = x < 0 && x != INT32_MIN ? -x : x;
    }
    return 0;
}

static int abs_i64(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    int64_t *r = tn_vector_i64(out);
    for (uint32_t i = 0; i < n; i++) {
        int64_t x = VAL(a[0], int64_t, i);
        if (x == INT64_MIN && tn_vector_is_valid(out, i))
            return overflow(ctx, "BIGINT");
        r[i] = x < 0 && x != INT64_MIN ? -x : x;
    }
    return 0;
}

static int abs_f64(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    double *r = tn_vector_f64(out);
    for (uint32_t i = 0; i < n; i++)
        r[i] = fabs(VAL(a[0], double, i));
    return 0;
}

static int abs_dec(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                   tn_vector *out)
{
    if (tn_decimal_is_64(out->type)) {
        int64_t *r = tn_vector_i64(out);
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = VAL(a[0], int64_t, i);
            r[i] = x < 0 ? (int64_t)(0 - (uint64_t)x) : x;
        }
        return 0;
    }
    tn_i128 *r = tn_vector_i128(out);
    for (uint32_t i = 0; i < n; i++) {
        tn_i128 x = VAL(a[0], tn_i128, i);
        r[i] = x < 0 ? -x : x;
    }
    return 0;
}

#define F64_UNARY(fname, expr)                                                                 \
    static int fname(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,          \
                     tn_vector *out)                                                           \
    {                                                                                          \
        double *r = tn_vector_f64(out);                                                        \
        for (uint32_t i = 0; i < n; i++) {                                                     \
            double x = VAL(a[0], double, i);                                                   \
            r[i] = (expr);                                                                     \
        }                                                                                      \
        return 0;                                                                              \
    }

F64_UNARY(floor_f64, floor(x))
F64_UNARY(ceil_f64, ceil(x))
F64_UNARY(round_f64, round(x))
F64_UNARY(sqrt_f64, sqrt(x))
F64_UNARY(ln_f64, log(x))
F64_UNARY(log10_f64, log10(x))
F64_UNARY(exp_f64, exp(x))
F64_UNARY(sign_f64, (double)((x > 0) - (x < 0)))

static int round2_f64(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                      tn_vector *out)
{
    double *r = tn_vector_f64(out);
    for (uint32_t i = 0; i < n; i++) {
        double m = pow(10.0, (double)VAL(a[1], int32_t, i));
        r[i] = round(VAL(a[0], double, i) * m) / m;
    }
    return 0;
}

/* The arithmetic entries, appended to the registry by registry.c. */
/* GREATEST / LEAST: arguments of one type (the binder casts them to their common type); NULLs
 * are skipped, and the result is NULL only when every argument is, as in PostgreSQL. */
static int compare_args(const tn_exec_arg *x, uint32_t i, const tn_exec_arg *y, uint32_t j)
{
    const tn_vector *a = x->vec, *b = y->vec;
    uint32_t ra = x->sel[i], rb = y->sel[j];
    if (a->type.id == TN_TYPE_DECIMAL && tn_type_width(a->type) == sizeof(tn_i128)) {
        tn_i128 p = tn_vector_i128(a)[ra], q = tn_vector_i128(b)[rb];
        return (p > q) - (p < q);
    }
    switch ((tn_type_id)a->type.id) {
    case TN_TYPE_BOOLEAN: return (int)tn_vector_get_bool(a, ra) - (int)tn_vector_get_bool(b, rb);
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: {
        int32_t p = tn_vector_i32(a)[ra], q = tn_vector_i32(b)[rb];
        return (p > q) - (p < q);
    }
    case TN_TYPE_REAL: {
        float p = tn_vector_f32(a)[ra], q = tn_vector_f32(b)[rb];
        return (p > q) - (p < q);
    }
    case TN_TYPE_DOUBLE: {
        double p = tn_vector_f64(a)[ra], q = tn_vector_f64(b)[rb];
        return (p > q) - (p < q);
    }
    case TN_TYPE_DECIMAL: /* a DECIMAL held in 64 bits */
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: {
        int64_t p = tn_vector_i64(a)[ra], q = tn_vector_i64(b)[rb];
        return (p > q) - (p < q);
    }
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: return tn_str_cmp(tn_vector_get_str(a, ra), tn_vector_get_str(b, rb));
    default: return 0;
    }
}

static int extreme(uint32_t n, const tn_exec_arg *a, uint32_t c, tn_vector *out, int want)
{
    size_t width = tn_type_width(out->type);
    for (uint32_t i = 0; i < n; i++) {
        int best = -1;
        for (uint32_t k = 0; k < c; k++)
            if (tn_vector_is_valid(a[k].vec, a[k].sel[i]) &&
                (best < 0 || compare_args(&a[k], i, &a[best], i) * want > 0))
                best = (int)k;
        if (best < 0) {
            tn_vector_append_null(out, i);
            continue;
        }
        const tn_vector *v = a[best].vec;
        uint32_t r = a[best].sel[i];
        if (tn_type_is_varlen(out->type)) {
            tn_str s = tn_vector_get_str(v, r);
            int rc = tn_vector_append_str(out, i, s.ptr, s.len);
            if (rc)
                return rc;
        } else if (out->type.id == TN_TYPE_BOOLEAN) {
            tn_vector_set_bool(out, i, tn_vector_get_bool(v, r));
        } else {
            memcpy((char *)out->values + (size_t)i * width, (const char *)v->values + (size_t)r * width,
                   width);
        }
    }
    return 0;
}

static int greatest_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                       tn_vector *out)
{
    (void)ctx;
    return extreme(n, a, c, out, 1);
}

static int least_fn(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *a, uint32_t c,
                    tn_vector *out)
{
    (void)ctx;
    return extreme(n, a, c, out, -1);
}

#define I32 TN_TYPE_INTEGER
#define I64 TN_TYPE_BIGINT
#define F64 TN_TYPE_DOUBLE
#define DEC TN_TYPE_DECIMAL
#define BIN(nm, t, rule, rt, fn) {nm, 2, 2, {t, t}, rule, rt, TN_FUNC_STRICT, fn, false}
#define UN(nm, t, rule, rt, fn) {nm, 1, 1, {t}, rule, rt, TN_FUNC_STRICT, fn, false}

const tn_func_entry tn_func_arith_entries[] = {
    BIN("+", I32, TN_FUNC_RET_FIXED, I32, add_i32),
    BIN("+", I64, TN_FUNC_RET_FIXED, I64, add_i64),
    BIN("+", DEC, TN_FUNC_RET_DEC_ADD, DEC, add_dec),
    BIN("+", F64, TN_FUNC_RET_FIXED, F64, add_f64),
    BIN("-", I32, TN_FUNC_RET_FIXED, I32, sub_i32),
    BIN("-", I64, TN_FUNC_RET_FIXED, I64, sub_i64),
    BIN("-", DEC, TN_FUNC_RET_DEC_ADD, DEC, sub_dec),
    BIN("-", F64, TN_FUNC_RET_FIXED, F64, sub_f64),
    BIN("*", I32, TN_FUNC_RET_FIXED, I32, mul_i32),
    BIN("*", I64, TN_FUNC_RET_FIXED, I64, mul_i64),
    BIN("*", DEC, TN_FUNC_RET_DEC_MUL, DEC, mul_dec),
    BIN("*", F64, TN_FUNC_RET_FIXED, F64, mul_f64),
    BIN("/", I64, TN_FUNC_RET_FIXED, F64, divd_i64),
    BIN("/", DEC, TN_FUNC_RET_DEC_DIV, DEC, div_dec),
    BIN("/", F64, TN_FUNC_RET_FIXED, F64, div_f64),
    BIN("//", I32, TN_FUNC_RET_FIXED, I32, div_i32),
    BIN("//", I64, TN_FUNC_RET_FIXED, I64, div_i64),
    BIN("%", I32, TN_FUNC_RET_FIXED, I32, mod_i32),
    BIN("%", I64, TN_FUNC_RET_FIXED, I64, mod_i64),
    BIN("%", DEC, TN_FUNC_RET_DEC_MOD, DEC, mod_dec),
    BIN("%", F64, TN_FUNC_RET_FIXED, F64, mod_f64),
    BIN("mod", I64, TN_FUNC_RET_FIXED, I64, mod_i64),
    BIN("mod", F64, TN_FUNC_RET_FIXED, F64, mod_f64),
    BIN("^", F64, TN_FUNC_RET_FIXED, F64, pow_f64),
    BIN("pow", F64, TN_FUNC_RET_FIXED, F64, pow_f64),
    BIN("power", F64, TN_FUNC_RET_FIXED, F64, pow_f64),
    UN("-", I32, TN_FUNC_RET_FIXED, I32, neg_i32),
    UN("-", I64, TN_FUNC_RET_FIXED, I64, neg_i64),
    UN("-", DEC, TN_FUNC_RET_ARG0, DEC, neg_dec),
    UN("-", F64, TN_FUNC_RET_FIXED, F64, neg_f64),
    UN("abs", I32, TN_FUNC_RET_FIXED, I32, abs_i32),
    UN("abs", I64, TN_FUNC_RET_FIXED, I64, abs_i64),
    UN("abs", DEC, TN_FUNC_RET_ARG0, DEC, abs_dec),
    UN("abs", F64, TN_FUNC_RET_FIXED, F64, abs_f64),
    UN("floor", F64, TN_FUNC_RET_FIXED, F64, floor_f64),
    UN("ceil", F64, TN_FUNC_RET_FIXED, F64, ceil_f64),
    UN("ceiling", F64, TN_FUNC_RET_FIXED, F64, ceil_f64),
    UN("round", F64, TN_FUNC_RET_FIXED, F64, round_f64),
    {"round", 2, 2, {F64, I32}, TN_FUNC_RET_FIXED, F64, TN_FUNC_STRICT, round2_f64, false},
    UN("sqrt", F64, TN_FUNC_RET_FIXED, F64, sqrt_f64),
    UN("ln", F64, TN_FUNC_RET_FIXED, F64, ln_f64),
    UN("log10", F64, TN_FUNC_RET_FIXED, F64, log10_f64),
    UN("exp", F64, TN_FUNC_RET_FIXED, F64, exp_f64),
    UN("sign", F64, TN_FUNC_RET_FIXED, F64, sign_f64),
    {"greatest", 1, 255, {TN_FUNC_ANY}, TN_FUNC_RET_ARG0, 0, TN_FUNC_SPECIAL, greatest_fn, false},
    {"least", 1, 255, {TN_FUNC_ANY}, TN_FUNC_RET_ARG0, 0, TN_FUNC_SPECIAL, least_fn, false},
    {NULL, 0, 0, {0}, 0, 0, 0, NULL, false},
};
