/* SPDX-License-Identifier: Apache-2.0
 *
 * csv_infer.c: type inference for CSV columns. Every non-NULL value of the sample votes by
 * striking out the candidate types it does not convert to; the column gets the narrowest
 * candidate left (BOOLEAN, INTEGER, BIGINT, DOUBLE, DATE, TIMESTAMP/TIMESTAMPTZ), else
 * VARCHAR. NULLs do not vote; a column with nothing but NULLs is VARCHAR. Integers never
 * vote BOOLEAN (a 0/1 column stays INTEGER), and numbers with a point or exponent are
 * DOUBLE, never DECIMAL, as DuckDB infers them. The tests are the core tn_parse_* functions, the same ones the reader converts
 * with, so a value that voted for a type always parses as that type.
 */
#include "formats/csv/csv_int.h"

/* Starts a column with every candidate type alive and nothing seen. */
void tn_csv_vote_init(tn_csv_vote *vote)
{
    vote->alive = TN_CSV_CAND_ALL;
    vote->seen = false;
    vote->zone = false;
}

/* Cheap shape checks first so that text columns drop out without trying every parser. */
void tn_csv_vote_value(tn_csv_vote *vote, const char *p, size_t n)
{
    tn_str v = tn_csv_trim(p, n);
    if (v.len == 0)
        return;
    vote->seen = true;
    uint8_t alive = vote->alive;
    if (alive == 0)
        return;
    if (alive & TN_CSV_CAND_BOOLEAN) {
        /* Only true/false/t/f vote BOOLEAN: single letters like y/n are too often codes in
         * a text column. The reader still accepts everything tn_parse_bool does. */
        bool b;
        char c0 = (char)(v.ptr[0] | 0x20);
        if ((c0 != 't' && c0 != 'f') || !tn_parse_bool(v.ptr, v.len, &b))
            alive &= (uint8_t)~TN_CSV_CAND_BOOLEAN;
    }
    if (alive & (TN_CSV_CAND_INTEGER | TN_CSV_CAND_BIGINT | TN_CSV_CAND_DOUBLE)) {
        /* A leading zero before another digit ("08123", "-007") marks a code such as a zip
         * code or an account number: reading it as a number would drop the zero. */
        size_t at = (v.ptr[0] == '-' || v.ptr[0] == '+') ? 1 : 0;
        if (at + 1 < v.len && v.ptr[at] == '0' && v.ptr[at + 1] >= '0' && v.ptr[at + 1] <= '9')
            alive &= (uint8_t) ~(TN_CSV_CAND_INTEGER | TN_CSV_CAND_BIGINT | TN_CSV_CAND_DOUBLE);
    }
    if (alive & (TN_CSV_CAND_INTEGER | TN_CSV_CAND_BIGINT)) {
        int64_t i;
        if (!tn_parse_int64(v.ptr, v.len, &i))
            alive &= (uint8_t) ~(TN_CSV_CAND_INTEGER | TN_CSV_CAND_BIGINT);
        else if (i < INT32_MIN || i > INT32_MAX)
            alive &= (uint8_t)~TN_CSV_CAND_INTEGER;
    }
    if (alive & TN_CSV_CAND_DOUBLE) {
        double d;
        if (!tn_parse_double(v.ptr, v.len, &d))
            alive &= (uint8_t)~TN_CSV_CAND_DOUBLE;
    }
    if (alive & (TN_CSV_CAND_DATE | TN_CSV_CAND_TIMESTAMP)) {
        int32_t days;
        int64_t micros;
        bool zone = false;
        if (!(alive & TN_CSV_CAND_DATE) || !tn_parse_date(v.ptr, v.len, &days))
            alive &= (uint8_t)~TN_CSV_CAND_DATE;
        if (!tn_parse_timestamp(v.ptr, v.len, &micros, &zone))
            alive &= (uint8_t)~TN_CSV_CAND_TIMESTAMP;
        else if (zone)
            vote->zone = true;
    }
    vote->alive = alive;
}

/* The narrowest surviving type (order in the file comment); VARCHAR when no value voted. */
tn_type tn_csv_vote_result(const tn_csv_vote *vote)
{
    uint8_t a = vote->alive;
    if (!vote->seen || a == 0)
        return tn_type_make(TN_TYPE_VARCHAR);
    if (a & TN_CSV_CAND_BOOLEAN)
        return tn_type_make(TN_TYPE_BOOLEAN);
    if (a & TN_CSV_CAND_INTEGER)
        return tn_type_make(TN_TYPE_INTEGER);
    if (a & TN_CSV_CAND_BIGINT)
        return tn_type_make(TN_TYPE_BIGINT);
    if (a & TN_CSV_CAND_DOUBLE)
        return tn_type_make(TN_TYPE_DOUBLE);
    if (a & TN_CSV_CAND_DATE)
        return tn_type_make(TN_TYPE_DATE);
    if (a & TN_CSV_CAND_TIMESTAMP)
        return tn_type_make(vote->zone ? TN_TYPE_TIMESTAMPTZ : TN_TYPE_TIMESTAMP);
    return tn_type_make(TN_TYPE_VARCHAR);
}

/* Whether text (spaces around it ignored) converts to t; VARCHAR/BLOB always fit. */
bool tn_csv_value_fits(tn_type t, const char *p, size_t n)
{
    if (tn_type_is_varlen(t))
        return true;
    tn_str v = tn_csv_trim(p, n);
    union {
        bool b;
        int32_t i32;
        int64_t i64;
        double d;
        tn_i128 dec;
    } out;
    bool zone;
    switch ((tn_type_id)t.id) {
    case TN_TYPE_BOOLEAN:
        return tn_parse_bool(v.ptr, v.len, &out.b);
    case TN_TYPE_INTEGER:
        return tn_parse_int32(v.ptr, v.len, &out.i32);
    case TN_TYPE_BIGINT:
        return tn_parse_int64(v.ptr, v.len, &out.i64);
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE:
        return tn_parse_double(v.ptr, v.len, &out.d);
    case TN_TYPE_DECIMAL:
        return tn_parse_decimal(v.ptr, v.len, t.precision, t.scale, &out.dec);
    case TN_TYPE_DATE:
        return tn_parse_date(v.ptr, v.len, &out.i32);
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        return tn_parse_timestamp(v.ptr, v.len, &out.i64, &zone);
    default:
        return false;
    }
}
