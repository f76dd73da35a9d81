/* SPDX-License-Identifier: Apache-2.0
 *
 * Partition transforms and single values against the Iceberg spec's own test vectors
 * (Appendix B hashes, truncate examples, Appendix D bytes).
 */
#include "lake/lake.h"

#include <criterion/criterion.h>

static tn_iceberg_value lng(uint8_t kind, int64_t v)
{
    tn_iceberg_value x = {.kind = kind};
    x.v.i = v;
    return x;
}

static tn_iceberg_value bytes(uint8_t kind, const char *p, size_t n)
{
    tn_iceberg_value x = {.kind = kind};
    x.v.bytes = tn_str_make(p, n);
    return x;
}

Test(transform, spec_hash_vectors)
{
    tn_iceberg_value v = lng(TN_ICEBERG_INT, 34);
    cr_assert_eq(tn_iceberg_value_hash(&v), 2017239379);
    v = lng(TN_ICEBERG_LONG, 34);
    cr_assert_eq(tn_iceberg_value_hash(&v), 2017239379);
    tn_iceberg_value d = {.kind = TN_ICEBERG_DECIMAL, .scale = 2};
    d.v.dec = 1420;
    cr_assert_eq(tn_iceberg_value_hash(&d), -500754589);
    v = lng(TN_ICEBERG_DATE, tn_days_from_civil(2017, 11, 16));
    cr_assert_eq(tn_iceberg_value_hash(&v), -653330422);
    v = lng(TN_ICEBERG_TIME, (22 * 3600 + 31 * 60 + 8) * INT64_C(1000000));
    cr_assert_eq(tn_iceberg_value_hash(&v), -662762989);
    int64_t ts = (int64_t)tn_days_from_civil(2017, 11, 16) * 86400000000LL + (22 * 3600 + 31 * 60 + 8) * INT64_C(1000000);
    v = lng(TN_ICEBERG_TIMESTAMP, ts);
    cr_assert_eq(tn_iceberg_value_hash(&v), -2047944441);
    v = lng(TN_ICEBERG_TIMESTAMPTZ, ts + 1);
    cr_assert_eq(tn_iceberg_value_hash(&v), -1207196810);
    v = lng(TN_ICEBERG_TIMESTAMP_NS, ts * 1000 + 1001);
    cr_assert_eq(tn_iceberg_value_hash(&v), -1207196810);
    v = bytes(TN_ICEBERG_STRING, "iceberg", 7);
    cr_assert_eq(tn_iceberg_value_hash(&v), 1210000089);
    static const char uuid[16] = {(char)0xF7, (char)0x9C, 0x3E, 0x09, 0x67, 0x7C, 0x4B, (char)0xBD,
                                  (char)0xA4, 0x79, 0x3F, 0x34, (char)0x9C, (char)0xB7, (char)0x85, (char)0xE7};
    v = bytes(TN_ICEBERG_UUID, uuid, 16);
    cr_assert_eq(tn_iceberg_value_hash(&v), 1488055340);
    v = bytes(TN_ICEBERG_BINARY, "\x00\x01\x02\x03", 4);
    cr_assert_eq(tn_iceberg_value_hash(&v), -188683207);
    v = bytes(TN_ICEBERG_FIXED, "\x00\x01\x02\x03", 4);
    cr_assert_eq(tn_iceberg_value_hash(&v), -188683207);
    tn_iceberg_value b = {.kind = TN_ICEBERG_BOOLEAN};
    b.v.b = true;
    cr_assert_eq(tn_iceberg_value_hash(&b), 1392991556);
    tn_iceberg_value f = {.kind = TN_ICEBERG_FLOAT};
    f.v.f = 1.0f;
    cr_assert_eq(tn_iceberg_value_hash(&f), -142385009);
    f.v.f = -0.0f;
    cr_assert_eq(tn_iceberg_value_hash(&f), 1669671676);
    tn_iceberg_value dd = {.kind = TN_ICEBERG_DOUBLE};
    dd.v.d = 1.0;
    cr_assert_eq(tn_iceberg_value_hash(&dd), -142385009);
}

Test(transform, bucket_and_truncate)
{
    tn_transform b16 = tn_transform_parse("bucket[16]");
    cr_assert_eq(b16.kind, TN_TRANSFORM_BUCKET);
    cr_assert_eq(b16.param, 16);
    tn_iceberg_value in = lng(TN_ICEBERG_INT, 34), out;
    cr_assert_eq(tn_transform_apply(b16, &in, &out), 0);
    cr_assert_eq(out.v.i, (2017239379 & 0x7fffffff) % 16);
    cr_assert_eq(out.kind, TN_ICEBERG_INT);

    tn_transform t10 = tn_transform_parse("truncate[10]");
    in = lng(TN_ICEBERG_INT, 1);
    tn_transform_apply(t10, &in, &out);
    cr_assert_eq(out.v.i, 0);
    in = lng(TN_ICEBERG_LONG, -1);
    tn_transform_apply(t10, &in, &out);
    cr_assert_eq(out.v.i, -10);
    tn_iceberg_value d = {.kind = TN_ICEBERG_DECIMAL, .scale = 2};
    d.v.dec = 1065;
    tn_transform t50 = tn_transform_parse("truncate[50]");
    tn_transform_apply(t50, &d, &out);
    cr_assert(out.v.dec == 1050);
    tn_transform t3 = tn_transform_parse("truncate[3]");
    in = bytes(TN_ICEBERG_STRING, "iceberg", 7);
    tn_transform_apply(t3, &in, &out);
    cr_assert_eq(out.v.bytes.len, 3);
    /* Code points, not bytes. */
    in = bytes(TN_ICEBERG_STRING, "\xc3\xa9t\xc3\xa9s", 7);
    tn_transform_apply(t3, &in, &out);
    cr_assert_eq(out.v.bytes.len, 5);
    in = bytes(TN_ICEBERG_BINARY, "\x01\x02\x03\x04\x05", 5);
    tn_transform_apply(t3, &in, &out);
    cr_assert_eq(out.v.bytes.len, 3);
    cr_assert_eq(tn_transform_parse("bucket[0]").kind, TN_TRANSFORM_UNKNOWN);
    cr_assert_eq(tn_transform_parse("zorder").kind, TN_TRANSFORM_UNKNOWN);
}

Test(transform, temporal)
{
    int32_t day = tn_days_from_civil(2024, 3, 1);
    tn_iceberg_value in = lng(TN_ICEBERG_DATE, day), out;
    tn_transform_apply(tn_transform_parse("year"), &in, &out);
    cr_assert_eq(out.v.i, 54);
    tn_transform_apply(tn_transform_parse("month"), &in, &out);
    cr_assert_eq(out.v.i, 54 * 12 + 2);
    tn_transform_apply(tn_transform_parse("day"), &in, &out);
    cr_assert_eq(out.v.i, day);
    cr_assert_eq(out.kind, TN_ICEBERG_DATE);
    in = lng(TN_ICEBERG_TIMESTAMP, -1); /* 1969-12-31 23:59:59.999999 */
    tn_transform_apply(tn_transform_parse("hour"), &in, &out);
    cr_assert_eq(out.v.i, -1);
    tn_transform_apply(tn_transform_parse("day"), &in, &out);
    cr_assert_eq(out.v.i, -1);
    tn_transform_apply(tn_transform_parse("year"), &in, &out);
    cr_assert_eq(out.v.i, -1);
    in.is_null = true;
    tn_transform_apply(tn_transform_parse("day"), &in, &out);
    cr_assert(out.is_null);
    tn_buf b = TN_BUF_INIT;
    tn_iceberg_value dv = lng(TN_ICEBERG_DATE, day);
    tn_iceberg_value_to_path(&dv, tn_transform_parse("day"), &b);
    cr_assert_str_eq(tn_buf_cstr(&b), "2024-03-01");
    tn_buf_clear(&b);
    tn_iceberg_value hv = lng(TN_ICEBERG_INT, (int64_t)day * 24 + 5);
    tn_iceberg_value_to_path(&hv, tn_transform_parse("hour"), &b);
    cr_assert_str_eq(tn_buf_cstr(&b), "2024-03-01-05");
    tn_buf_free(&b);
}

Test(transform, single_value_bytes)
{
    tn_buf b = TN_BUF_INIT;
    tn_iceberg_value v = lng(TN_ICEBERG_INT, 34);
    tn_iceberg_value_to_bytes(&v, &b);
    cr_assert_eq(b.len, 4);
    cr_assert_eq(memcmp(b.data, "\x22\0\0\0", 4), 0);
    tn_buf_clear(&b);
    tn_iceberg_value d = {.kind = TN_ICEBERG_DECIMAL, .scale = 2};
    d.v.dec = -1;
    tn_iceberg_value_to_bytes(&d, &b);
    cr_assert_eq(b.len, 1);
    cr_assert_eq((unsigned char)b.data[0], 0xff);
    tn_buf_clear(&b);
    d.v.dec = 128;
    tn_iceberg_value_to_bytes(&d, &b);
    cr_assert_eq(b.len, 2);
    tn_iceberg_type dt = {.kind = TN_ICEBERG_DECIMAL, .precision = 9, .scale = 2};
    tn_iceberg_value back;
    cr_assert_eq(tn_iceberg_value_from_bytes(&dt, b.data, b.len, &back), 0);
    cr_assert(back.v.dec == 128);
    tn_iceberg_type lt = {.kind = TN_ICEBERG_LONG};
    cr_assert_eq(tn_iceberg_value_from_bytes(&lt, "abc", 3, &back), TN_ECORRUPT);
    tn_buf_free(&b);
}
