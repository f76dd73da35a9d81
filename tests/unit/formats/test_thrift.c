/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the Thrift compact protocol (formats/parquet/thrift.c) and the Parquet
 * metadata structs built on it (metadata.c): round trips of every struct, and hostile input
 * (garbage, truncation, deep nesting, lying list lengths) that must give an error, never a
 * crash or an unbounded allocation.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "formats/parquet/metadata.h"
#include "formats/parquet/thrift.h"

/* ---- primitives ------------------------------------------------------------------------ */

Test(thrift, integers_round_trip)
{
    static const int64_t values[] = {0, 1, -1, 63, -64, 64, 127, 128, -129, 32767, -32768,
                                     INT32_MAX, INT32_MIN, (int64_t)INT32_MAX + 1, INT64_MAX,
                                     INT64_MIN};
    tn_buf buf = TN_BUF_INIT;
    tn_thrift_writer w;
    tn_thrift_writer_init(&w, &buf);
    size_t n = sizeof values / sizeof *values;
    for (size_t i = 0; i < n; i++)
        tn_thrift_write_i64(&w, values[i]);
    for (size_t i = 0; i < n; i++)
        if (values[i] >= INT32_MIN && values[i] <= INT32_MAX)
            tn_thrift_write_i32(&w, (int32_t)values[i]);
    tn_thrift_write_i16(&w, INT16_MIN);
    tn_thrift_write_i16(&w, INT16_MAX);
    tn_thrift_write_i8(&w, -5);
    tn_thrift_write_double(&w, -1.5e300);
    tn_thrift_write_double(&w, NAN);
    cr_assert_eq(tn_thrift_writer_error(&w), 0);

    tn_thrift_reader r;
    tn_thrift_reader_init(&r, buf.data, buf.len);
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        cr_assert_eq(tn_thrift_read_i64(&r, &v), 0);
        cr_assert_eq(v, values[i]);
    }
    for (size_t i = 0; i < n; i++) {
        if (values[i] < INT32_MIN || values[i] > INT32_MAX)
            continue;
        int32_t v;
        cr_assert_eq(tn_thrift_read_i32(&r, &v), 0);
        cr_assert_eq(v, values[i]);
    }
    int16_t s;
    cr_assert_eq(tn_thrift_read_i16(&r, &s), 0);
    cr_assert_eq(s, INT16_MIN);
    cr_assert_eq(tn_thrift_read_i16(&r, &s), 0);
    cr_assert_eq(s, INT16_MAX);
    int8_t b;
    cr_assert_eq(tn_thrift_read_i8(&r, &b), 0);
    cr_assert_eq(b, -5);
    double d;
    cr_assert_eq(tn_thrift_read_double(&r, &d), 0);
    cr_assert_eq(d, -1.5e300);
    cr_assert_eq(tn_thrift_read_double(&r, &d), 0);
    cr_assert(isnan(d));
    cr_assert_eq(tn_thrift_reader_offset(&r), buf.len);
    cr_assert_neq(tn_thrift_read_i8(&r, &b), 0, "reading past the end fails");
    cr_assert(r.truncated);
    tn_buf_free(&buf);
}

Test(thrift, known_encoding)
{
    /* From the compact protocol spec: 50399 as a varint is DF 89 03; zigzag(-1) = 1. */
    tn_buf buf = TN_BUF_INIT;
    tn_thrift_writer w;
    tn_thrift_writer_init(&w, &buf);
    tn_thrift_write_binary(&w, NULL, 0);
    tn_thrift_struct_open(&w);
    tn_thrift_write_field_i32(&w, 1, -1);  /* short form: delta 1, type 5 */
    tn_thrift_write_field_i32(&w, 20, 0);  /* delta 19: long form */
    tn_thrift_write_field_bool(&w, 21, true);
    tn_thrift_struct_close(&w);
    const uint8_t want[] = {0x00, 0x15, 0x01, 0x05, 0x28, 0x00, 0x11, 0x00};
    cr_assert_eq(buf.len, sizeof want);
    cr_assert_arr_eq(buf.data, want, sizeof want);

    uint8_t v[3] = {0xDF, 0x89, 0x03};
    tn_thrift_reader r;
    tn_thrift_reader_init(&r, v, 3);
    int64_t x;
    cr_assert_eq(tn_thrift_read_i64(&r, &x), 0);
    /* 50399 is odd: zigzag decodes it to -(50399+1)/2 */
    cr_assert_eq(x, -25200);
    tn_buf_free(&buf);
}

Test(thrift, fields_lists_and_skip)
{
    tn_buf buf = TN_BUF_INIT;
    tn_thrift_writer w;
    tn_thrift_writer_init(&w, &buf);
    tn_thrift_struct_open(&w);
    tn_thrift_write_field_i32(&w, 3, 42);
    tn_thrift_write_field_binary(&w, 2, "abc", 3); /* decreasing id: long form */
    tn_thrift_write_field_bool(&w, 100, false);
    tn_thrift_write_field(&w, TN_THRIFT_LIST, 101);
    tn_thrift_write_list_begin(&w, TN_THRIFT_I64, 20); /* long list header */
    for (int i = 0; i < 20; i++)
        tn_thrift_write_i64(&w, i * 1000);
    tn_thrift_write_field(&w, TN_THRIFT_LIST, 102);
    tn_thrift_write_list_begin(&w, TN_THRIFT_BOOL_TRUE, 3);
    tn_thrift_write_bool_element(&w, true);
    tn_thrift_write_bool_element(&w, false);
    tn_thrift_write_bool_element(&w, true);
    tn_thrift_write_field_struct_begin(&w, -7); /* negative ids are legal */
    tn_thrift_write_field_double(&w, 1, 2.5);
    tn_thrift_write_field_i16(&w, 2, -3);
    tn_thrift_write_field_i8(&w, 3, 9);
    tn_thrift_struct_close(&w);
    tn_thrift_write_field_i64(&w, 200, -77);
    tn_thrift_struct_close(&w);
    /* A map and a set and a uuid, hand-written (the writer has no map API). */
    const uint8_t extra[] = {0x02, 0x88, 0x02, 'k', '1', 0x00, 0x02, 'k', '2', 0x00, /* map */
                             0x25, 0x02, 0x04};                                   /* set */
    tn_buf_append(&buf, extra, sizeof extra);
    for (int i = 0; i < 16; i++)
        tn_buf_putc(&buf, (char)i);
    tn_buf_putc(&buf, 0);
    cr_assert_eq(tn_thrift_writer_error(&w), 0);

    /* Read the first struct field by field. */
    tn_thrift_reader r;
    tn_thrift_reader_init(&r, buf.data, buf.len);
    cr_assert_eq(tn_thrift_struct_begin(&r), 0);
    uint8_t t;
    int16_t id;
    cr_assert_eq(tn_thrift_read_field(&r, &t, &id), 0);
    cr_assert_eq(t, TN_THRIFT_I32);
    cr_assert_eq(id, 3);
    int32_t i32;
    cr_assert_eq(tn_thrift_read_i32(&r, &i32), 0);
    cr_assert_eq(i32, 42);
    cr_assert_eq(tn_thrift_read_field(&r, &t, &id), 0);
    cr_assert_eq(id, 2);
    tn_str s;
    cr_assert_eq(tn_thrift_read_binary(&r, &s), 0);
    cr_assert(tn_str_eq(s, TN_STR_LIT("abc")));
    cr_assert_eq(tn_thrift_read_field(&r, &t, &id), 0);
    cr_assert_eq(id, 100);
    bool bv = true;
    cr_assert_eq(tn_thrift_bool_from_type(t, &bv), 0);
    cr_assert_not(bv);
    cr_assert_eq(tn_thrift_read_field(&r, &t, &id), 0);
    cr_assert_eq(id, 101);
    uint8_t et;
    uint32_t count;
    cr_assert_eq(tn_thrift_list_begin(&r, &et, &count), 0);
    cr_assert_eq(et, TN_THRIFT_I64);
    cr_assert_eq(count, 20);
    for (int i = 0; i < 20; i++) {
        int64_t v;
        cr_assert_eq(tn_thrift_read_i64(&r, &v), 0);
        cr_assert_eq(v, i * 1000);
    }
    tn_thrift_list_end(&r);
    cr_assert_eq(tn_thrift_read_field(&r, &t, &id), 0);
    cr_assert_eq(id, 102);
    cr_assert_eq(tn_thrift_list_begin(&r, &et, &count), 0);
    cr_assert_eq(count, 3);
    bool b0, b1, b2;
    cr_assert_eq(tn_thrift_read_bool_element(&r, &b0), 0);
    cr_assert_eq(tn_thrift_read_bool_element(&r, &b1), 0);
    cr_assert_eq(tn_thrift_read_bool_element(&r, &b2), 0);
    cr_assert(b0 && !b1 && b2);
    tn_thrift_list_end(&r);
    cr_assert_eq(tn_thrift_read_field(&r, &t, &id), 0);
    cr_assert_eq(t, TN_THRIFT_STRUCT);
    cr_assert_eq(id, -7);
    cr_assert_eq(tn_thrift_skip(&r, t), 0, "skips a nested struct");
    cr_assert_eq(tn_thrift_read_field(&r, &t, &id), 0);
    cr_assert_eq(id, 200, "field ids continue after a skipped struct");
    int64_t i64;
    cr_assert_eq(tn_thrift_read_i64(&r, &i64), 0);
    cr_assert_eq(i64, -77);
    cr_assert_eq(tn_thrift_read_field(&r, &t, &id), 0);
    cr_assert_eq(t, TN_THRIFT_STOP);
    tn_thrift_struct_end(&r);
    cr_assert_eq(tn_thrift_skip(&r, TN_THRIFT_MAP), 0);
    cr_assert_eq(tn_thrift_skip(&r, TN_THRIFT_SET), 0);
    cr_assert_eq(tn_thrift_skip(&r, TN_THRIFT_UUID), 0);
    cr_assert_eq(tn_thrift_skip(&r, TN_THRIFT_MAP), 0, "empty map");
    cr_assert_eq(tn_thrift_reader_offset(&r), buf.len);

    /* And the same bytes skipped as one struct. */
    tn_thrift_reader_init(&r, buf.data, buf.len);
    cr_assert_eq(tn_thrift_skip(&r, TN_THRIFT_STRUCT), 0);
    tn_buf_free(&buf);
}

Test(thrift, depth_limit)
{
    /* 100 nested structs, each the field 1 of its parent. */
    uint8_t bytes[300];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        bytes[n++] = 0x1C;
    for (int i = 0; i < 101; i++)
        bytes[n++] = 0x00;
    tn_thrift_reader r;
    tn_thrift_reader_init(&r, bytes, n);
    cr_assert_eq(tn_thrift_skip(&r, TN_THRIFT_STRUCT), TN_ELIMIT);

    /* Nested lists count too. */
    n = 0;
    for (int i = 0; i < 100; i++)
        bytes[n++] = 0x19; /* list of 1 list */
    bytes[n++] = 0x05;      /* empty list of i32 */
    tn_thrift_reader_init(&r, bytes, n);
    cr_assert_eq(tn_thrift_skip(&r, TN_THRIFT_LIST), TN_ELIMIT);

    /* Within the limit it works. */
    n = 0;
    for (int i = 0; i < TN_THRIFT_MAX_DEPTH - 1; i++)
        bytes[n++] = 0x1C;
    for (int i = 0; i < TN_THRIFT_MAX_DEPTH; i++)
        bytes[n++] = 0x00;
    tn_thrift_reader_init(&r, bytes, n);
    cr_assert_eq(tn_thrift_skip(&r, TN_THRIFT_STRUCT), 0);
}

Test(thrift, length_limits)
{
    tn_thrift_reader r;
    /* A list claiming 2^31-1 elements with three bytes left. */
    const uint8_t big_list[] = {0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 1, 2, 3};
    tn_thrift_reader_init(&r, big_list, sizeof big_list);
    uint8_t et;
    uint32_t count;
    cr_assert_neq(tn_thrift_list_begin(&r, &et, &count), 0);
    /* A binary longer than the input. */
    const uint8_t big_bin[] = {0x80, 0x80, 0x04, 'a'};
    tn_thrift_reader_init(&r, big_bin, sizeof big_bin);
    tn_str s;
    cr_assert_neq(tn_thrift_read_binary(&r, &s), 0);
    /* An overlong varint. */
    const uint8_t long_varint[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
    tn_thrift_reader_init(&r, long_varint, sizeof long_varint);
    int64_t v;
    cr_assert_neq(tn_thrift_read_i64(&r, &v), 0);
    /* An i32 field holding a value that needs 64 bits. */
    const uint8_t wide[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x7F};
    tn_thrift_reader_init(&r, wide, sizeof wide);
    int32_t v32;
    cr_assert_neq(tn_thrift_read_i32(&r, &v32), 0);
    /* A map claiming more pairs than bytes. */
    const uint8_t big_map[] = {0xFF, 0x0F, 0x55, 1, 2};
    tn_thrift_reader_init(&r, big_map, sizeof big_map);
    cr_assert_neq(tn_thrift_skip(&r, TN_THRIFT_MAP), 0);
    /* Unknown type codes. */
    const uint8_t bad_type[] = {0x1E, 0x00};
    tn_thrift_reader_init(&r, bad_type, sizeof bad_type);
    cr_assert_neq(tn_thrift_skip(&r, TN_THRIFT_STRUCT), 0);
}

/* ---- metadata round trips ---------------------------------------------------------------- */

static tn_str S(const char *s) { return tn_str_c(s); }

static void assert_str(tn_str a, tn_str b) { cr_assert(tn_str_eq(a, b), "%.*s != %.*s", (int)a.len, a.ptr, (int)b.len, b.ptr); }

static void full_stats(tn_parquet_statistics *s)
{
    memset(s, 0, sizeof *s);
    s->has_max = s->has_min = true;
    s->max = S("zz");
    s->min = S("");
    s->has_null_count = true;
    s->null_count = 12;
    s->has_distinct_count = true;
    s->distinct_count = 5;
    s->has_max_value = s->has_min_value = true;
    s->max_value = S("max\xff");
    s->min_value = S("\x00min");
    s->has_is_max_value_exact = s->has_is_min_value_exact = true;
    s->is_max_value_exact = true;
    s->is_min_value_exact = false;
    s->has_nan_count = true;
    s->nan_count = 3;
}

static void assert_stats_eq(const tn_parquet_statistics *a, const tn_parquet_statistics *b)
{
    cr_assert_eq(a->has_max, b->has_max);
    cr_assert_eq(a->has_min, b->has_min);
    if (a->has_max)
        assert_str(a->max, b->max);
    if (a->has_min)
        assert_str(a->min, b->min);
    cr_assert_eq(a->has_null_count, b->has_null_count);
    cr_assert_eq(a->null_count, b->null_count);
    cr_assert_eq(a->has_distinct_count, b->has_distinct_count);
    cr_assert_eq(a->distinct_count, b->distinct_count);
    cr_assert_eq(a->has_max_value, b->has_max_value);
    cr_assert_eq(a->has_min_value, b->has_min_value);
    if (a->has_max_value)
        assert_str(a->max_value, b->max_value);
    if (a->has_min_value)
        assert_str(a->min_value, b->min_value);
    cr_assert_eq(a->has_is_max_value_exact, b->has_is_max_value_exact);
    cr_assert_eq(a->is_max_value_exact, b->is_max_value_exact);
    cr_assert_eq(a->has_is_min_value_exact, b->has_is_min_value_exact);
    cr_assert_eq(a->is_min_value_exact, b->is_min_value_exact);
    cr_assert_eq(a->has_nan_count, b->has_nan_count);
    cr_assert_eq(a->nan_count, b->nan_count);
}

Test(metadata, statistics_round_trip)
{
    tn_parquet_statistics in, out;
    full_stats(&in);
    tn_buf buf = TN_BUF_INIT;
    tn_thrift_writer w;
    tn_thrift_writer_init(&w, &buf);
    tn_parquet_statistics_write(&w, &in);
    cr_assert_eq(tn_thrift_writer_error(&w), 0);
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_parquet_decoder d;
    tn_error err = {0};
    tn_parquet_decoder_init(&d, buf.data, buf.len, &arena, &err);
    cr_assert_eq(tn_parquet_statistics_read(&d, &out), 0, "%s", err.message);
    assert_stats_eq(&in, &out);

    /* An empty Statistics struct has nothing set. */
    memset(&in, 0, sizeof in);
    buf.len = 0;
    tn_thrift_writer_init(&w, &buf);
    tn_parquet_statistics_write(&w, &in);
    tn_parquet_decoder_init(&d, buf.data, buf.len, &arena, &err);
    cr_assert_eq(tn_parquet_statistics_read(&d, &out), 0);
    assert_stats_eq(&in, &out);
    tn_arena_free(&arena);
    tn_buf_free(&buf);
}

Test(metadata, logical_types_round_trip)
{
    tn_parquet_logical_type cases[24];
    size_t n = 0;
    static const uint8_t simple[] = {TN_PARQUET_LT_STRING, TN_PARQUET_LT_MAP,     TN_PARQUET_LT_LIST,
                                     TN_PARQUET_LT_ENUM,   TN_PARQUET_LT_DATE,    TN_PARQUET_LT_UNKNOWN,
                                     TN_PARQUET_LT_JSON,   TN_PARQUET_LT_BSON,    TN_PARQUET_LT_UUID,
                                     TN_PARQUET_LT_FLOAT16, TN_PARQUET_LT_FILE};
    for (size_t i = 0; i < sizeof simple; i++) {
        memset(&cases[n], 0, sizeof cases[n]);
        cases[n++].kind = simple[i];
    }
    memset(&cases[n], 0, sizeof cases[n]);
    cases[n].kind = TN_PARQUET_LT_DECIMAL;
    cases[n].scale = 3;
    cases[n++].precision = 27;
    for (int unit = 1; unit <= 3; unit++) {
        for (int utc = 0; utc <= 1; utc++) {
            memset(&cases[n], 0, sizeof cases[n]);
            cases[n].kind = unit == 2 && utc ? TN_PARQUET_LT_TIME : TN_PARQUET_LT_TIMESTAMP;
            cases[n].unit = (uint8_t)unit;
            cases[n++].is_adjusted_to_utc = utc;
        }
    }
    memset(&cases[n], 0, sizeof cases[n]);
    cases[n].kind = TN_PARQUET_LT_INTEGER;
    cases[n].bit_width = 16;
    cases[n++].is_signed = false;
    memset(&cases[n], 0, sizeof cases[n]);
    cases[n].kind = TN_PARQUET_LT_GEOGRAPHY;
    cases[n].has_crs = true;
    cases[n].crs = S("OGC:CRS84");
    cases[n].has_algorithm = true;
    cases[n++].algorithm = 2;
    memset(&cases[n], 0, sizeof cases[n]);
    cases[n].kind = TN_PARQUET_LT_GEOMETRY;
    n++;
    memset(&cases[n], 0, sizeof cases[n]);
    cases[n].kind = TN_PARQUET_LT_VARIANT;
    cases[n].has_specification_version = true;
    cases[n++].specification_version = 1;

    tn_arena arena;
    tn_arena_init(&arena, 0);
    for (size_t i = 0; i < n; i++) {
        tn_buf buf = TN_BUF_INIT;
        tn_thrift_writer w;
        tn_thrift_writer_init(&w, &buf);
        tn_parquet_logical_type_write(&w, &cases[i]);
        cr_assert_eq(tn_thrift_writer_error(&w), 0);
        tn_parquet_decoder d;
        tn_error err = {0};
        tn_parquet_logical_type out;
        tn_parquet_decoder_init(&d, buf.data, buf.len, &arena, &err);
        cr_assert_eq(tn_parquet_logical_type_read(&d, &out), 0, "%s", err.message);
        cr_assert_eq(out.kind, cases[i].kind, "case %zu", i);
        cr_assert_eq(out.unit, cases[i].unit);
        cr_assert_eq(out.is_adjusted_to_utc, cases[i].is_adjusted_to_utc);
        cr_assert_eq(out.scale, cases[i].scale);
        cr_assert_eq(out.precision, cases[i].precision);
        cr_assert_eq(out.bit_width, cases[i].bit_width);
        cr_assert_eq(out.is_signed, cases[i].is_signed);
        cr_assert_eq(out.has_crs, cases[i].has_crs);
        if (out.has_crs)
            assert_str(out.crs, cases[i].crs);
        cr_assert_eq(out.has_algorithm, cases[i].has_algorithm);
        cr_assert_eq(out.algorithm, cases[i].algorithm);
        cr_assert_eq(out.has_specification_version, cases[i].has_specification_version);
        cr_assert_eq(out.specification_version, cases[i].specification_version);
        cr_assert_eq(tn_thrift_reader_offset(&d.reader), buf.len);
        tn_buf_free(&buf);
    }
    /* An unknown union member (id 30) reads as OTHER. */
    const uint8_t unknown[] = {0x0C, 0x3C, 0x00, 0x00};
    tn_parquet_decoder d;
    tn_parquet_logical_type out;
    tn_parquet_decoder_init(&d, unknown, sizeof unknown, &arena, NULL);
    cr_assert_eq(tn_parquet_logical_type_read(&d, &out), 0);
    cr_assert_eq(out.kind, TN_PARQUET_LT_OTHER);
    tn_arena_free(&arena);
}

/* A footer with every field set, three columns, two row groups. */
static void build_footer(tn_parquet_file_metadata *md, tn_parquet_schema_element *schema,
                         tn_parquet_row_group *groups, tn_parquet_column_chunk *chunks,
                         tn_parquet_key_value *kv, int32_t *encodings, tn_str *paths,
                         tn_parquet_page_encoding_stats *pes, int64_t *hist, uint8_t *orders)
{
    memset(md, 0, sizeof *md);
    memset(schema, 0, 4 * sizeof *schema);
    schema[0].name = S("schema");
    schema[0].has_num_children = true;
    schema[0].num_children = 3;
    const char *names[] = {"a", "b", "c"};
    for (int i = 1; i <= 3; i++) {
        tn_parquet_schema_element *e = &schema[i];
        e->name = S(names[i - 1]);
        e->has_type = true;
        e->type = i == 3 ? TN_PARQUET_FIXED_LEN_BYTE_ARRAY : TN_PARQUET_INT64;
        e->has_repetition = true;
        e->repetition = i == 1 ? TN_PARQUET_REQUIRED : TN_PARQUET_OPTIONAL;
        e->has_field_id = true;
        e->field_id = 100 + i;
    }
    schema[2].has_converted_type = true;
    schema[2].converted_type = TN_PARQUET_CT_TIMESTAMP_MICROS;
    schema[2].logical.kind = TN_PARQUET_LT_TIMESTAMP;
    schema[2].logical.unit = TN_PARQUET_MICROS;
    schema[3].has_type_length = true;
    schema[3].type_length = 9;
    schema[3].has_scale = schema[3].has_precision = true;
    schema[3].scale = 2;
    schema[3].precision = 20;
    schema[3].has_converted_type = true;
    schema[3].converted_type = TN_PARQUET_CT_DECIMAL;
    schema[3].logical.kind = TN_PARQUET_LT_DECIMAL;
    schema[3].logical.scale = 2;
    schema[3].logical.precision = 20;

    kv[0] = (tn_parquet_key_value){S("k"), true, S("v")};
    kv[1] = (tn_parquet_key_value){S("novalue"), false, {NULL, 0}};
    encodings[0] = TN_PARQUET_ENC_PLAIN;
    encodings[1] = TN_PARQUET_ENC_RLE;
    encodings[2] = TN_PARQUET_ENC_RLE_DICTIONARY;
    pes[0] = (tn_parquet_page_encoding_stats){TN_PARQUET_PAGE_DICTIONARY, 0, 1};
    pes[1] = (tn_parquet_page_encoding_stats){TN_PARQUET_PAGE_DATA, 8, 7};
    hist[0] = 5;
    hist[1] = 6;
    for (int g = 0; g < 2; g++) {
        tn_parquet_row_group *rg = &groups[g];
        memset(rg, 0, sizeof *rg);
        rg->column_count = 3;
        rg->columns = &chunks[g * 3];
        rg->total_byte_size = 1000 + g;
        rg->num_rows = 10 + g;
        rg->has_file_offset = true;
        rg->file_offset = 4 + g;
        rg->has_total_compressed_size = true;
        rg->total_compressed_size = 500 + g;
        rg->has_ordinal = true;
        rg->ordinal = (int16_t)g;
        for (int c = 0; c < 3; c++) {
            tn_parquet_column_chunk *cc = &chunks[g * 3 + c];
            memset(cc, 0, sizeof *cc);
            paths[c] = S(names[c]);
            cc->file_offset = 4;
            cc->has_meta_data = true;
            tn_parquet_column_metadata *m = &cc->meta_data;
            m->type = schema[c + 1].type;
            m->encoding_count = 3;
            m->encodings = encodings;
            m->path_count = 1;
            m->path_in_schema = &paths[c];
            m->codec = TN_PARQUET_CODEC_ZSTD;
            m->num_values = 10 + g;
            m->total_uncompressed_size = 300;
            m->total_compressed_size = 200;
            m->key_value_count = 2;
            m->key_value_metadata = kv;
            m->data_page_offset = 1234567890123LL;
            m->has_index_page_offset = c == 0;
            m->index_page_offset = 7;
            m->has_dictionary_page_offset = true;
            m->dictionary_page_offset = 4;
            m->has_statistics = true;
            full_stats(&m->statistics);
            m->encoding_stats_count = 2;
            m->encoding_stats = pes;
            m->has_bloom_filter_offset = m->has_bloom_filter_length = true;
            m->bloom_filter_offset = 99;
            m->bloom_filter_length = 32;
            m->has_size_statistics = true;
            m->size_statistics.has_unencoded_byte_array_data_bytes = true;
            m->size_statistics.unencoded_byte_array_data_bytes = 77;
            m->size_statistics.definition_level_histogram_count = 2;
            m->size_statistics.definition_level_histogram = hist;
            cc->has_offset_index = cc->has_column_index = true;
            cc->offset_index_offset = 1000;
            cc->offset_index_length = 20;
            cc->column_index_offset = 2000;
            cc->column_index_length = 30;
        }
    }
    for (int c = 0; c < 3; c++)
        orders[c] = TN_PARQUET_ORDER_TYPE_DEFINED;
    md->version = 1;
    md->schema_count = 4;
    md->schema = schema;
    md->num_rows = 21;
    md->row_group_count = 2;
    md->row_groups = groups;
    md->key_value_count = 2;
    md->key_value_metadata = kv;
    md->has_created_by = true;
    md->created_by = S("tarn version test");
    md->column_order_count = 3;
    md->column_orders = orders;
}

static void encode_footer(tn_buf *buf)
{
    tn_parquet_file_metadata md;
    tn_parquet_schema_element schema[4];
    tn_parquet_row_group groups[2];
    tn_parquet_column_chunk chunks[6];
    tn_parquet_key_value kv[2];
    int32_t encodings[3];
    tn_str paths[3];
    tn_parquet_page_encoding_stats pes[2];
    int64_t hist[2];
    uint8_t orders[3];
    build_footer(&md, schema, groups, chunks, kv, encodings, paths, pes, hist, orders);
    tn_thrift_writer w;
    tn_thrift_writer_init(&w, buf);
    tn_parquet_file_metadata_write(&w, &md);
    cr_assert_eq(tn_thrift_writer_error(&w), 0);
}

Test(metadata, file_metadata_round_trip)
{
    tn_parquet_file_metadata md;
    tn_parquet_schema_element schema[4];
    tn_parquet_row_group groups[2];
    tn_parquet_column_chunk chunks[6];
    tn_parquet_key_value kv[2];
    int32_t encodings[3];
    tn_str paths[3];
    tn_parquet_page_encoding_stats pes[2];
    int64_t hist[2];
    uint8_t orders[3];
    build_footer(&md, schema, groups, chunks, kv, encodings, paths, pes, hist, orders);
    tn_buf buf = TN_BUF_INIT;
    encode_footer(&buf);

    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_parquet_file_metadata out;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_file_metadata_decode(buf.data, buf.len, &arena, &out, &err), 0, "%s",
                 err.message);
    cr_assert_eq(out.version, 1);
    cr_assert_eq(out.schema_count, 4);
    for (int i = 0; i < 4; i++) {
        const tn_parquet_schema_element *a = &schema[i], *b = &out.schema[i];
        assert_str(a->name, b->name);
        cr_assert_eq(a->has_type, b->has_type);
        cr_assert_eq(a->type, b->type);
        cr_assert_eq(a->has_type_length, b->has_type_length);
        cr_assert_eq(a->type_length, b->type_length);
        cr_assert_eq(a->has_repetition, b->has_repetition);
        cr_assert_eq(a->repetition, b->repetition);
        cr_assert_eq(a->has_num_children, b->has_num_children);
        cr_assert_eq(a->num_children, b->num_children);
        cr_assert_eq(a->has_converted_type, b->has_converted_type);
        cr_assert_eq(a->converted_type, b->converted_type);
        cr_assert_eq(a->has_scale, b->has_scale);
        cr_assert_eq(a->scale, b->scale);
        cr_assert_eq(a->has_precision, b->has_precision);
        cr_assert_eq(a->precision, b->precision);
        cr_assert_eq(a->has_field_id, b->has_field_id);
        cr_assert_eq(a->field_id, b->field_id);
        cr_assert_eq(a->logical.kind, b->logical.kind);
        cr_assert_eq(a->logical.unit, b->logical.unit);
        cr_assert_eq(a->logical.scale, b->logical.scale);
        cr_assert_eq(a->logical.precision, b->logical.precision);
    }
    cr_assert_eq(out.num_rows, 21);
    cr_assert_eq(out.row_group_count, 2);
    for (int g = 0; g < 2; g++) {
        const tn_parquet_row_group *a = &groups[g], *b = &out.row_groups[g];
        cr_assert_eq(b->column_count, 3);
        cr_assert_eq(a->total_byte_size, b->total_byte_size);
        cr_assert_eq(a->num_rows, b->num_rows);
        cr_assert(b->has_file_offset && b->has_total_compressed_size && b->has_ordinal);
        cr_assert_eq(a->file_offset, b->file_offset);
        cr_assert_eq(a->total_compressed_size, b->total_compressed_size);
        cr_assert_eq(a->ordinal, b->ordinal);
        for (int c = 0; c < 3; c++) {
            const tn_parquet_column_chunk *x = &a->columns[c], *y = &b->columns[c];
            cr_assert_eq(x->file_offset, y->file_offset);
            cr_assert(y->has_meta_data);
            cr_assert_eq(x->has_offset_index, y->has_offset_index);
            cr_assert_eq(x->offset_index_offset, y->offset_index_offset);
            cr_assert_eq(x->offset_index_length, y->offset_index_length);
            cr_assert_eq(x->column_index_offset, y->column_index_offset);
            cr_assert_eq(x->column_index_length, y->column_index_length);
            const tn_parquet_column_metadata *m = &x->meta_data, *n = &y->meta_data;
            cr_assert_eq(m->type, n->type);
            cr_assert_eq(n->encoding_count, 3);
            cr_assert_arr_eq(m->encodings, n->encodings, 3 * sizeof(int32_t));
            cr_assert_eq(n->path_count, 1);
            assert_str(m->path_in_schema[0], n->path_in_schema[0]);
            cr_assert_eq(m->codec, n->codec);
            cr_assert_eq(m->num_values, n->num_values);
            cr_assert_eq(m->total_uncompressed_size, n->total_uncompressed_size);
            cr_assert_eq(m->total_compressed_size, n->total_compressed_size);
            cr_assert_eq(n->key_value_count, 2);
            assert_str(n->key_value_metadata[0].value, S("v"));
            cr_assert_not(n->key_value_metadata[1].has_value);
            cr_assert_eq(m->data_page_offset, n->data_page_offset);
            cr_assert_eq(m->has_index_page_offset, n->has_index_page_offset);
            cr_assert_eq(m->dictionary_page_offset, n->dictionary_page_offset);
            cr_assert(n->has_statistics);
            assert_stats_eq(&m->statistics, &n->statistics);
            cr_assert_eq(n->encoding_stats_count, 2);
            cr_assert_eq(n->encoding_stats[1].count, 7);
            cr_assert_eq(n->encoding_stats[1].encoding, 8);
            cr_assert_eq(n->bloom_filter_offset, 99);
            cr_assert_eq(n->bloom_filter_length, 32);
            cr_assert(n->has_size_statistics);
            cr_assert_eq(n->size_statistics.unencoded_byte_array_data_bytes, 77);
            cr_assert_eq(n->size_statistics.definition_level_histogram_count, 2);
            cr_assert_eq(n->size_statistics.definition_level_histogram[1], 6);
        }
    }
    cr_assert_eq(out.key_value_count, 2);
    assert_str(out.key_value_metadata[0].key, S("k"));
    cr_assert(out.has_created_by);
    assert_str(out.created_by, S("tarn version test"));
    cr_assert_eq(out.column_order_count, 3);
    cr_assert_eq(out.column_orders[2], TN_PARQUET_ORDER_TYPE_DEFINED);
    cr_assert_not(out.encrypted);

    /* Encoding what was decoded gives the same bytes. */
    tn_buf again = TN_BUF_INIT;
    tn_thrift_writer w;
    tn_thrift_writer_init(&w, &again);
    tn_parquet_file_metadata_write(&w, &out);
    cr_assert_eq(again.len, buf.len);
    cr_assert_arr_eq(again.data, buf.data, buf.len);
    tn_buf_free(&again);
    tn_buf_free(&buf);
    tn_arena_free(&arena);
}

Test(metadata, page_headers_round_trip)
{
    tn_parquet_page_header hs[4];
    memset(hs, 0, sizeof hs);
    hs[0].type = TN_PARQUET_PAGE_DATA;
    hs[0].uncompressed_page_size = 1000;
    hs[0].compressed_page_size = 400;
    hs[0].has_crc = true;
    hs[0].crc = -12345;
    hs[0].has_data_page_header = true;
    hs[0].data_page_header = (tn_parquet_data_page_header){77, 8, 3, 3, true, {0}};
    full_stats(&hs[0].data_page_header.statistics);
    hs[1].type = TN_PARQUET_PAGE_DICTIONARY;
    hs[1].uncompressed_page_size = 50;
    hs[1].compressed_page_size = 50;
    hs[1].has_dictionary_page_header = true;
    hs[1].dictionary_page_header = (tn_parquet_dictionary_page_header){5, 0, true, true};
    hs[2].type = TN_PARQUET_PAGE_DATA_V2;
    hs[2].uncompressed_page_size = 300;
    hs[2].compressed_page_size = 200;
    hs[2].has_data_page_header_v2 = true;
    hs[2].data_page_header_v2 = (tn_parquet_data_page_header_v2){10, 2, 10, 0, 3, 0, false,
                                                                 false, {0}};
    hs[3].type = TN_PARQUET_PAGE_INDEX;
    hs[3].has_index_page_header = true;
    for (int i = 0; i < 4; i++) {
        tn_buf buf = TN_BUF_INIT;
        tn_thrift_writer w;
        tn_thrift_writer_init(&w, &buf);
        tn_parquet_page_header_write(&w, &hs[i]);
        tn_buf_append(&buf, "trailing page bytes", 19);
        tn_parquet_page_header out;
        size_t len = 0;
        tn_error err = {0};
        cr_assert_eq(tn_parquet_page_header_decode(buf.data, buf.len, &out, &len, &err), 0, "%s",
                     err.message);
        cr_assert_eq(len, buf.len - 19);
        cr_assert_eq(out.type, hs[i].type);
        cr_assert_eq(out.uncompressed_page_size, hs[i].uncompressed_page_size);
        cr_assert_eq(out.compressed_page_size, hs[i].compressed_page_size);
        cr_assert_eq(out.has_crc, hs[i].has_crc);
        cr_assert_eq(out.crc, hs[i].crc);
        cr_assert_eq(out.has_data_page_header, hs[i].has_data_page_header);
        cr_assert_eq(out.has_dictionary_page_header, hs[i].has_dictionary_page_header);
        cr_assert_eq(out.has_data_page_header_v2, hs[i].has_data_page_header_v2);
        cr_assert_eq(out.has_index_page_header, hs[i].has_index_page_header);
        if (out.has_data_page_header) {
            cr_assert_eq(out.data_page_header.num_values, 77);
            cr_assert_eq(out.data_page_header.encoding, 8);
            cr_assert(out.data_page_header.has_statistics);
            assert_stats_eq(&out.data_page_header.statistics, &hs[i].data_page_header.statistics);
        }
        if (out.has_dictionary_page_header) {
            cr_assert_eq(out.dictionary_page_header.num_values, 5);
            cr_assert(out.dictionary_page_header.has_is_sorted);
            cr_assert(out.dictionary_page_header.is_sorted);
        }
        if (out.has_data_page_header_v2) {
            const tn_parquet_data_page_header_v2 *v = &out.data_page_header_v2;
            cr_assert_eq(v->num_values, 10);
            cr_assert_eq(v->num_nulls, 2);
            cr_assert_eq(v->num_rows, 10);
            cr_assert_eq(v->definition_levels_byte_length, 3);
            cr_assert_not(v->is_compressed);
        }
        /* Every proper prefix is "need more bytes", never a crash. */
        for (size_t cut = 0; cut < len; cut++) {
            tn_error e2 = {0};
            size_t l2;
            int rc = tn_parquet_page_header_decode(buf.data, cut, &out, &l2, &e2);
            cr_assert_eq(rc, TN_ELIMIT, "cut %zu of %zu gave %d", cut, len, rc);
        }
        tn_buf_free(&buf);
    }
}

Test(metadata, page_header_validation)
{
    tn_parquet_page_header h;
    memset(&h, 0, sizeof h);
    h.type = TN_PARQUET_PAGE_DATA_V2;
    h.uncompressed_page_size = 10;
    h.compressed_page_size = 10;
    h.has_data_page_header_v2 = true;
    h.data_page_header_v2 = (tn_parquet_data_page_header_v2){10, 2, 10, 0, 30, 0, true, false, {0}};
    tn_buf buf = TN_BUF_INIT;
    tn_thrift_writer w;
    tn_thrift_writer_init(&w, &buf);
    tn_parquet_page_header_write(&w, &h);
    tn_parquet_page_header out;
    size_t len;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_page_header_decode(buf.data, buf.len, &out, &len, &err), TN_ECORRUPT,
                 "levels longer than the page");
    buf.len = 0;
    h.data_page_header_v2.definition_levels_byte_length = 3;
    h.compressed_page_size = -1;
    tn_thrift_writer_init(&w, &buf);
    tn_parquet_page_header_write(&w, &h);
    cr_assert_eq(tn_parquet_page_header_decode(buf.data, buf.len, &out, &len, &err), TN_ECORRUPT,
                 "negative size");
    /* Missing required fields: a bare struct. */
    const uint8_t bare[] = {0x00};
    cr_assert_eq(tn_parquet_page_header_decode(bare, 1, &out, &len, &err), TN_ECORRUPT);
    tn_buf_free(&buf);
}

Test(metadata, page_index_round_trip)
{
    bool null_pages[3] = {false, true, false};
    tn_str mins[3] = {S("a"), S(""), S("m")};
    tn_str maxs[3] = {S("k"), S(""), S("z")};
    int64_t nulls[3] = {0, 10, 2};
    int64_t nans[3] = {0, 0, 1};
    int64_t hist[6] = {1, 2, 3, 4, 5, 6};
    tn_parquet_column_index ci = {3, null_pages, mins, maxs, TN_PARQUET_ASCENDING, true, nulls,
                                  0, NULL, 6, hist, true, nans};
    tn_buf buf = TN_BUF_INIT;
    tn_thrift_writer w;
    tn_thrift_writer_init(&w, &buf);
    tn_parquet_column_index_write(&w, &ci);
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_parquet_column_index out;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_column_index_decode(buf.data, buf.len, &arena, &out, &err), 0, "%s",
                 err.message);
    cr_assert_eq(out.page_count, 3);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(out.null_pages[i], null_pages[i]);
        assert_str(out.min_values[i], mins[i]);
        assert_str(out.max_values[i], maxs[i]);
        cr_assert_eq(out.null_counts[i], nulls[i]);
        cr_assert_eq(out.nan_counts[i], nans[i]);
    }
    cr_assert_eq(out.boundary_order, TN_PARQUET_ASCENDING);
    cr_assert_eq(out.definition_level_histogram_count, 6);
    cr_assert_eq(out.definition_level_histograms[5], 6);

    tn_parquet_page_location locs[3] = {{4, 100, 0}, {104, 50, 10}, {154, 70, 25}};
    int64_t unenc[3] = {7, 8, 9};
    tn_parquet_offset_index oi = {3, locs, 3, unenc};
    buf.len = 0;
    tn_thrift_writer_init(&w, &buf);
    tn_parquet_offset_index_write(&w, &oi);
    tn_parquet_offset_index oout;
    cr_assert_eq(tn_parquet_offset_index_decode(buf.data, buf.len, &arena, &oout, &err), 0, "%s",
                 err.message);
    cr_assert_eq(oout.page_count, 3);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(oout.page_locations[i].offset, locs[i].offset);
        cr_assert_eq(oout.page_locations[i].compressed_page_size, locs[i].compressed_page_size);
        cr_assert_eq(oout.page_locations[i].first_row_index, locs[i].first_row_index);
    }
    cr_assert_eq(oout.unencoded_byte_array_data_bytes_count, 3);

    /* Rows that do not increase are corrupt. */
    locs[2].first_row_index = 10;
    buf.len = 0;
    tn_thrift_writer_init(&w, &buf);
    tn_parquet_offset_index_write(&w, &oi);
    cr_assert_eq(tn_parquet_offset_index_decode(buf.data, buf.len, &arena, &oout, &err),
                 TN_ECORRUPT);
    /* Lists of different lengths are corrupt. */
    ci.page_count = 3;
    buf.len = 0;
    tn_thrift_writer_init(&w, &buf);
    tn_thrift_struct_open(&w);
    tn_thrift_write_field(&w, TN_THRIFT_LIST, 1);
    tn_thrift_write_list_begin(&w, TN_THRIFT_BOOL_TRUE, 1);
    tn_thrift_write_bool_element(&w, false);
    tn_thrift_write_field(&w, TN_THRIFT_LIST, 2);
    tn_thrift_write_list_begin(&w, TN_THRIFT_BINARY, 0);
    tn_thrift_write_field(&w, TN_THRIFT_LIST, 3);
    tn_thrift_write_list_begin(&w, TN_THRIFT_BINARY, 0);
    tn_thrift_write_field_i32(&w, 4, 0);
    tn_thrift_struct_close(&w);
    cr_assert_eq(tn_parquet_column_index_decode(buf.data, buf.len, &arena, &out, &err),
                 TN_ECORRUPT);
    tn_buf_free(&buf);
    tn_arena_free(&arena);
}

/* ---- hostile footers ----------------------------------------------------------------------- */

Test(metadata, truncated_footer_is_an_error)
{
    tn_buf buf = TN_BUF_INIT;
    encode_footer(&buf);
    for (size_t cut = 0; cut < buf.len; cut++) {
        tn_arena arena;
        tn_arena_init(&arena, 0);
        tn_parquet_file_metadata out;
        tn_error err = {0};
        int rc = tn_parquet_file_metadata_decode(buf.data, cut, &arena, &out, &err);
        cr_assert_neq(rc, 0, "prefix of %zu bytes decoded", cut);
        cr_assert_neq(err.message[0], '\0');
        tn_arena_free(&arena);
    }
    tn_buf_free(&buf);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

Test(metadata, garbage_and_mutations_never_crash)
{
    tn_buf good = TN_BUF_INIT;
    encode_footer(&good);
    char *bytes = tn_malloc(good.len);
    for (int iter = 0; iter < 20000; iter++) {
        size_t len;
        if (iter % 2) {
            /* random bytes */
            len = rng() % 200;
            for (size_t i = 0; i < len; i++)
                bytes[i] = (char)rng();
        } else {
            /* a valid footer with a few bytes flipped */
            len = good.len;
            memcpy(bytes, good.data, len);
            int flips = 1 + (int)(rng() % 4);
            for (int f = 0; f < flips; f++)
                bytes[rng() % len] = (char)rng();
        }
        tn_arena arena;
        tn_arena_init(&arena, 0);
        tn_parquet_file_metadata out;
        tn_error err = {0};
        (void)tn_parquet_file_metadata_decode(bytes, len, &arena, &out, &err);
        tn_parquet_page_header ph;
        size_t hl;
        (void)tn_parquet_page_header_decode(bytes, len, &ph, &hl, &err);
        tn_parquet_column_index ci;
        (void)tn_parquet_column_index_decode(bytes, len, &arena, &ci, &err);
        tn_parquet_offset_index oi;
        (void)tn_parquet_offset_index_decode(bytes, len, &arena, &oi, &err);
        tn_arena_free(&arena);
    }
    tn_free(bytes);
    tn_buf_free(&good);
}

Test(metadata, allocation_budget)
{
    /* FileMetaData whose schema list claims 4 million empty structs, each one stop byte: the
     * bytes are there, but the structs would take ~100x more memory than the input. */
    size_t n = 4u << 20;
    uint8_t *bytes = tn_malloc(n + 16);
    size_t o = 0;
    bytes[o++] = 0x15; /* field 1 i32 */
    bytes[o++] = 0x02;
    bytes[o++] = 0x19; /* field 2 list */
    bytes[o++] = 0xFC; /* long list of structs */
    size_t count = n - 16;
    size_t c = count;
    while (c >= 0x80) {
        bytes[o++] = (uint8_t)(c | 0x80);
        c >>= 7;
    }
    bytes[o++] = (uint8_t)c;
    memset(bytes + o, 0, count);
    o += count;
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_parquet_file_metadata out;
    tn_error err = {0};
    int rc = tn_parquet_file_metadata_decode(bytes, o, &arena, &out, &err);
    cr_assert_eq(rc, TN_ELIMIT, "got %d: %s", rc, err.message);
    cr_assert_lt(arena.bytes_used, (size_t)64 << 20);
    tn_arena_free(&arena);
    tn_free(bytes);
}

Test(metadata, schema_tree_checks)
{
    tn_parquet_file_metadata md;
    tn_parquet_schema_element schema[4];
    tn_parquet_row_group groups[2];
    tn_parquet_column_chunk chunks[6];
    tn_parquet_key_value kv[2];
    int32_t encodings[3];
    tn_str paths[3];
    tn_parquet_page_encoding_stats pes[2];
    int64_t hist[2];
    uint8_t orders[3];
    struct {
        int32_t root_children;
        bool leaf_without_type;
    } cases[] = {{4, false}, {2, false}, {3, true}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        build_footer(&md, schema, groups, chunks, kv, encodings, paths, pes, hist, orders);
        schema[0].num_children = cases[k].root_children;
        if (cases[k].leaf_without_type)
            schema[2].has_type = false;
        tn_buf buf = TN_BUF_INIT;
        tn_thrift_writer w;
        tn_thrift_writer_init(&w, &buf);
        tn_parquet_file_metadata_write(&w, &md);
        tn_arena arena;
        tn_arena_init(&arena, 0);
        tn_parquet_file_metadata out;
        tn_error err = {0};
        cr_assert_eq(tn_parquet_file_metadata_decode(buf.data, buf.len, &arena, &out, &err),
                     TN_ECORRUPT, "case %zu", k);
        tn_arena_free(&arena);
        tn_buf_free(&buf);
    }
}

Test(metadata, allocation_failures)
{
    tn_buf buf = TN_BUF_INIT;
    encode_footer(&buf);
    for (uint64_t every = 1; every < 12; every++) {
        tn_arena arena;
        tn_arena_init(&arena, 256);
        tn_parquet_file_metadata out;
        tn_error err = {0};
        tn_alloc_fail_every(every);
        int rc = tn_parquet_file_metadata_decode(buf.data, buf.len, &arena, &out, &err);
        tn_alloc_fail_every(0);
        cr_assert(rc == 0 || rc == TN_ENOMEM, "rc %d", rc);
        tn_arena_free(&arena);
    }
    tn_buf_free(&buf);
}

Test(metadata, names)
{
    cr_assert_str_eq(tn_parquet_type_name(TN_PARQUET_FIXED_LEN_BYTE_ARRAY), "FIXED_LEN_BYTE_ARRAY");
    cr_assert_str_eq(tn_parquet_type_name(99), "?");
    cr_assert_str_eq(tn_parquet_encoding_name(TN_PARQUET_ENC_RLE_DICTIONARY), "RLE_DICTIONARY");
    cr_assert_str_eq(tn_parquet_codec_name(TN_PARQUET_CODEC_LZ4_RAW), "LZ4_RAW");
    cr_assert_str_eq(tn_parquet_codec_name(-1), "?");
}
