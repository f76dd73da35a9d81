/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for core/schema.c, core/vector.c and core/batch.c.
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

Test(schema, add_find_copy_eq)
{
    tn_schema *s = tn_schema_new();
    cr_assert_not_null(s);
    cr_assert_eq(s->refcount, 1);
    for (int i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof(name), "c%d", i);
        cr_assert_eq(tn_schema_add(s, name, T(TN_TYPE_INTEGER), i % 2 == 0), 0);
    }
    cr_assert_eq(s->column_count, 20);
    cr_assert_eq(tn_schema_find(s, "c0"), 0);
    cr_assert_eq(tn_schema_find(s, "c19"), 19);
    cr_assert_eq(tn_schema_find(s, "C19"), -1);
    cr_assert_eq(tn_schema_find(s, "nope"), -1);
    s->columns[3].field_id = 42;

    tn_schema *c = tn_schema_copy(s);
    cr_assert_not_null(c);
    cr_assert_neq(c->columns, s->columns);
    cr_assert_neq(c->columns[0].name, s->columns[0].name);
    cr_assert_eq(c->columns[3].field_id, 42);
    cr_assert(tn_schema_eq(s, c));
    c->columns[1].nullable = !c->columns[1].nullable;
    cr_assert(!tn_schema_eq(s, c));
    c->columns[1].nullable = !c->columns[1].nullable;
    c->columns[2].type = T(TN_TYPE_BIGINT);
    cr_assert(!tn_schema_eq(s, c));
    c->columns[2].type = T(TN_TYPE_INTEGER);
    cr_assert_eq(tn_schema_add(c, "extra", T(TN_TYPE_DATE), true), 0);
    cr_assert(!tn_schema_eq(s, c));
    cr_assert(tn_schema_eq(NULL, NULL));
    cr_assert(!tn_schema_eq(s, NULL));
    cr_assert_eq(tn_schema_add(c, NULL, T(TN_TYPE_DATE), true), TN_EINVAL);

    cr_assert_eq(tn_schema_ref(s), s);
    cr_assert_eq(s->refcount, 2);
    tn_schema_unref(s);
    cr_assert_eq(s->refcount, 1);
    tn_schema_unref(s);
    tn_schema_unref(c);
    tn_schema_unref(NULL);
}

Test(schema, decimal_types_compared)
{
    tn_schema *a = tn_schema_new(), *b = tn_schema_new();
    tn_schema_add(a, "x", tn_type_decimal(10, 2), true);
    tn_schema_add(b, "x", tn_type_decimal(10, 3), true);
    cr_assert(!tn_schema_eq(a, b));
    tn_schema_unref(a);
    tn_schema_unref(b);
}

Test(vector, init_layout)
{
    for (int id = TN_TYPE_BOOLEAN; id < TN_TYPE_COUNT; id++) {
        tn_type t = id == TN_TYPE_DECIMAL ? tn_type_decimal(18, 2) : T((tn_type_id)id);
        tn_vector v;
        cr_assert_eq(tn_vector_init(&v, t, 100), 0);
        cr_assert_eq(v.capacity, 100);
        cr_assert_eq(v.null_count, 0);
        cr_assert_eq((uintptr_t)v.validity % 64, 0);
        for (uint32_t r = 0; r < 100; r++)
            cr_assert(tn_vector_is_valid(&v, r));
        if (tn_type_is_varlen(t)) {
            cr_assert_not_null(v.offsets);
            cr_assert_eq(v.offsets[0], 0);
            cr_assert_null(v.values);
        } else {
            cr_assert_not_null(v.values);
            cr_assert_eq((uintptr_t)v.values % 64, 0);
            size_t bytes = tn_type_width(t) ? 100 * tn_type_width(t) : 13;
            for (size_t k = 0; k < bytes; k++)
                cr_assert_eq(((unsigned char *)v.values)[k], 0);
        }
        tn_vector_destroy(&v);
        cr_assert_null(v.validity);
        tn_vector_destroy(&v); /* twice is fine */
    }
    tn_vector v;
    cr_assert_eq(tn_vector_init(&v, T(TN_TYPE_INVALID), 10), TN_EINVAL);
    cr_assert_eq(tn_vector_init(&v, T(TN_TYPE_INTEGER), 0), 0);
    tn_vector_destroy(&v);
    tn_vector zero = {0};
    tn_vector_destroy(&zero);
}

Test(vector, nulls_and_count)
{
    tn_vector v;
    tn_vector_init(&v, T(TN_TYPE_BIGINT), 16);
    tn_vector_set_null(&v, 3);
    tn_vector_set_null(&v, 3);
    tn_vector_append_null(&v, 15);
    cr_assert_eq(v.null_count, 2);
    cr_assert(!tn_vector_is_valid(&v, 3));
    cr_assert(!tn_vector_is_valid(&v, 15));
    tn_vector_set_valid(&v, 3);
    cr_assert_eq(v.null_count, 1);
    tn_vector_reset(&v);
    cr_assert_eq(v.null_count, 0);
    cr_assert(tn_vector_is_valid(&v, 15));
    tn_vector_destroy(&v);
}

Test(vector, append_strings_grow)
{
    tn_vector v;
    cr_assert_eq(tn_vector_init(&v, T(TN_TYPE_VARCHAR), 5000), 0);
    char text[64];
    size_t total = 0;
    for (uint32_t r = 0; r < 5000; r++) {
        if (r % 7 == 3) {
            tn_vector_append_null(&v, r);
            continue;
        }
        int n = snprintf(text, sizeof(text), "row-%u-%s", r, r % 2 ? "odd" : "even");
        cr_assert_eq(tn_vector_append_str(&v, r, text, (size_t)n), 0);
        total += (size_t)n;
    }
    cr_assert_eq(v.data_len, total);
    cr_assert_geq(v.data_cap, total);
    cr_assert_eq(v.offsets[5000], (int32_t)total);
    for (uint32_t r = 0; r < 5000; r++) {
        tn_str s = tn_vector_get_str(&v, r);
        if (r % 7 == 3) {
            cr_assert(!tn_vector_is_valid(&v, r));
            cr_assert_eq(s.len, 0);
            continue;
        }
        int n = snprintf(text, sizeof(text), "row-%u-%s", r, r % 2 ? "odd" : "even");
        cr_assert(tn_str_eq(s, tn_str_make(text, (size_t)n)), "row %u", r);
    }
    cr_assert_eq(v.null_count, 714); /* rows 3, 10, ..., 4994 */
    /* Reset keeps the buffer and starts over. */
    char *data = v.data;
    tn_vector_reset(&v);
    cr_assert_eq(v.data_len, 0);
    cr_assert_eq(v.data, data);
    cr_assert_eq(tn_vector_append_str(&v, 0, "", 0), 0);
    cr_assert_eq(tn_vector_append_str(&v, 1, "x", 1), 0);
    cr_assert_eq(tn_vector_get_str(&v, 0).len, 0);
    cr_assert_eq(tn_vector_get_str(&v, 1).ptr[0], 'x');
    tn_vector_destroy(&v);
}

Test(vector, append_str_limit)
{
    tn_vector v;
    tn_vector_init(&v, T(TN_TYPE_BLOB), 4);
    /* Pretend 2 GiB are already there; the check comes before any allocation. */
    v.offsets[0] = INT32_MAX - 5;
    cr_assert_eq(tn_vector_append_str(&v, 0, "0123456789", 10), TN_ELIMIT);
    cr_assert_eq(v.offsets[1], 0); /* unchanged */
    cr_assert_eq(tn_vector_append_str(&v, 0, "0123456789", (size_t)1 << 40), TN_ELIMIT);
    v.offsets[0] = 0;
    tn_vector_destroy(&v);
}

Test(vector, copy_row)
{
    tn_vector a, b;
    tn_vector_init(&a, T(TN_TYPE_VARCHAR), 3);
    tn_vector_init(&b, T(TN_TYPE_VARCHAR), 3);
    tn_vector_append_str(&a, 0, "hello", 5);
    tn_vector_append_null(&a, 1);
    tn_vector_append_str(&a, 2, "world", 5);
    cr_assert_eq(tn_vector_copy_row(&b, 0, &a, 2), 0);
    cr_assert_eq(tn_vector_copy_row(&b, 1, &a, 1), 0);
    cr_assert_eq(tn_vector_copy_row(&b, 2, &a, 0), 0);
    cr_assert(tn_str_eq(tn_vector_get_str(&b, 0), TN_STR_LIT("world")));
    cr_assert(!tn_vector_is_valid(&b, 1));
    cr_assert(tn_str_eq(tn_vector_get_str(&b, 2), TN_STR_LIT("hello")));
    cr_assert_eq(b.null_count, 1);

    tn_vector i, d, bo, bo2;
    tn_vector_init(&i, T(TN_TYPE_INTEGER), 2);
    cr_assert_eq(tn_vector_copy_row(&i, 0, &a, 0), TN_ETYPE);
    tn_vector_init(&d, tn_type_decimal(20, 2), 2);
    tn_vector dd;
    tn_vector_init(&dd, tn_type_decimal(20, 2), 2);
    tn_vector_set_decimal(&d, 1, (tn_i128)123456789 * 1000000000000LL);
    cr_assert_eq(tn_vector_copy_row(&dd, 0, &d, 1), 0);
    cr_assert(tn_vector_get_decimal(&dd, 0) == tn_vector_get_decimal(&d, 1));
    tn_vector_set_null(&dd, 1);
    cr_assert_eq(tn_vector_copy_row(&dd, 1, &d, 0), 0);
    cr_assert(tn_vector_is_valid(&dd, 1)); /* copying a valid row revalidates */
    tn_vector_init(&bo, T(TN_TYPE_BOOLEAN), 10);
    tn_vector_init(&bo2, T(TN_TYPE_BOOLEAN), 10);
    tn_vector_set_bool(&bo, 9, true);
    cr_assert_eq(tn_vector_copy_row(&bo2, 0, &bo, 9), 0);
    cr_assert(tn_vector_get_bool(&bo2, 0));
    tn_vector_set_bool(&bo2, 1, true);
    cr_assert_eq(tn_vector_copy_row(&bo2, 1, &bo, 8), 0);
    cr_assert(!tn_vector_get_bool(&bo2, 1));
    tn_vector *all[] = {&a, &b, &i, &d, &dd, &bo, &bo2};
    for (size_t k = 0; k < 7; k++)
        tn_vector_destroy(all[k]);
}

static const char *formatted(const tn_vector *v, uint32_t row, tn_buf *buf)
{
    tn_buf_clear(buf);
    int rc = tn_vector_format_value(v, row, buf);
    if (rc == 1)
        return "<null>";
    cr_assert_eq(rc, 0);
    return tn_buf_cstr(buf);
}

Test(vector, format_value)
{
    tn_buf buf = TN_BUF_INIT;
    tn_vector v;

    tn_vector_init(&v, T(TN_TYPE_BOOLEAN), 3);
    tn_vector_set_bool(&v, 0, true);
    tn_vector_set_null(&v, 2);
    cr_assert_str_eq(formatted(&v, 0, &buf), "true");
    cr_assert_str_eq(formatted(&v, 1, &buf), "false");
    cr_assert_str_eq(formatted(&v, 2, &buf), "<null>");
    cr_assert_eq(buf.len, 0);
    tn_vector_destroy(&v);

    tn_vector_init(&v, T(TN_TYPE_INTEGER), 2);
    tn_vector_i32(&v)[0] = INT32_MIN;
    cr_assert_str_eq(formatted(&v, 0, &buf), "-2147483648");
    tn_vector_destroy(&v);

    tn_vector_init(&v, T(TN_TYPE_BIGINT), 2);
    tn_vector_i64(&v)[1] = INT64_MAX;
    cr_assert_str_eq(formatted(&v, 1, &buf), "9223372036854775807");
    tn_vector_destroy(&v);

    tn_vector_init(&v, T(TN_TYPE_REAL), 1);
    tn_vector_f32(&v)[0] = 0.1f;
    cr_assert_str_eq(formatted(&v, 0, &buf), "0.1");
    tn_vector_destroy(&v);

    tn_vector_init(&v, T(TN_TYPE_DOUBLE), 3);
    tn_vector_f64(&v)[0] = 1.0;
    tn_vector_f64(&v)[1] = 0.1 + 0.2;
    tn_vector_f64(&v)[2] = -INFINITY;
    cr_assert_str_eq(formatted(&v, 0, &buf), "1.0");
    cr_assert_str_eq(formatted(&v, 1, &buf), "0.30000000000000004");
    cr_assert_str_eq(formatted(&v, 2, &buf), "-inf");
    tn_vector_destroy(&v);

    tn_vector_init(&v, tn_type_decimal(18, 2), 2);
    tn_vector_set_decimal(&v, 0, -1250);
    tn_vector_set_decimal(&v, 1, 7);
    cr_assert_str_eq(formatted(&v, 0, &buf), "-12.50");
    cr_assert_str_eq(formatted(&v, 1, &buf), "0.07");
    tn_vector_destroy(&v);

    tn_vector_init(&v, T(TN_TYPE_DATE), 1);
    tn_vector_i32(&v)[0] = 19782;
    cr_assert_str_eq(formatted(&v, 0, &buf), "2024-02-29");
    tn_vector_destroy(&v);

    tn_vector_init(&v, T(TN_TYPE_TIMESTAMP), 1);
    tn_vector_i64(&v)[0] = INT64_C(1704164645500000); /* 2024-01-02 03:04:05.5 */
    cr_assert_str_eq(formatted(&v, 0, &buf), "2024-01-02 03:04:05.5");
    tn_vector_destroy(&v);
    tn_vector_init(&v, T(TN_TYPE_TIMESTAMPTZ), 1);
    tn_vector_i64(&v)[0] = INT64_C(1704164645000000);
    cr_assert_str_eq(formatted(&v, 0, &buf), "2024-01-02 03:04:05+00");
    tn_vector_destroy(&v);

    tn_vector_init(&v, T(TN_TYPE_VARCHAR), 2);
    tn_vector_append_str(&v, 0, "héllo, \"world\"", strlen("héllo, \"world\""));
    tn_vector_append_null(&v, 1);
    cr_assert_str_eq(formatted(&v, 0, &buf), "héllo, \"world\"");
    cr_assert_str_eq(formatted(&v, 1, &buf), "<null>");
    tn_vector_destroy(&v);

    tn_vector_init(&v, T(TN_TYPE_BLOB), 1);
    tn_vector_append_str(&v, 0, "a\x00\xAB\\'\"~\x7f z", 10);
    cr_assert_str_eq(formatted(&v, 0, &buf), "a\\x00\\xAB\\x5C\\x27\\x22~\\x7F z");
    tn_vector_destroy(&v);
    tn_buf_free(&buf);
}

Test(vector, init_uninit_layout)
{
    for (int id = TN_TYPE_BOOLEAN; id < TN_TYPE_COUNT; id++) {
        tn_type t = id == TN_TYPE_DECIMAL ? tn_type_decimal(18, 2) : T((tn_type_id)id);
        for (uint32_t cap = 0; cap <= 2049; cap += 2049) {
            tn_vector v;
            cr_assert_eq(tn_vector_init_uninit(&v, t, cap), 0);
            cr_assert_eq(v.capacity, cap);
            cr_assert_eq(v.null_count, 0);
            cr_assert_not_null(v.validity);
            cr_assert_eq((uintptr_t)v.validity % 64, 0);
            for (uint32_t r = 0; r < cap; r++)
                cr_assert(tn_vector_is_valid(&v, r));
            if (tn_type_is_varlen(t)) {
                cr_assert_eq(v.offsets[0], 0);
                cr_assert_null(v.values);
                /* Rows are appended as in a vector from tn_vector_init. */
                for (uint32_t r = 0; r < cap; r++) {
                    if (r % 5 == 1)
                        tn_vector_append_null(&v, r);
                    else
                        cr_assert_eq(tn_vector_append_str(&v, r, "ab", r % 3), 0);
                }
                for (uint32_t r = 0; r < cap; r++)
                    cr_assert_eq(tn_vector_get_str(&v, r).len, r % 5 == 1 ? 0 : r % 3);
            } else {
                cr_assert_not_null(v.values);
                cr_assert_eq((uintptr_t)v.values % 64, 0);
                if (id == TN_TYPE_BOOLEAN) {
                    /* Writers only set the true bits, so these start clear. */
                    for (uint32_t r = 0; r < cap; r++)
                        cr_assert(!tn_vector_get_bool(&v, r));
                } else {
                    /* Every byte is writable. */
                    memset(v.values, 0x5a, (size_t)cap * tn_type_width(t));
                }
            }
            if (cap) {
                uint32_t nulls = 0;
                for (uint32_t r = 0; tn_type_is_varlen(t) && r < cap; r++)
                    nulls += r % 5 == 1 || r == cap - 1;
                tn_vector_set_null(&v, cap - 1);
                cr_assert_eq(v.null_count, tn_type_is_varlen(t) ? nulls : 1);
            }
            tn_vector_destroy(&v);
            cr_assert_null(v.validity);
        }
    }
    tn_vector v;
    cr_assert_eq(tn_vector_init_uninit(&v, T(TN_TYPE_INVALID), 10), TN_EINVAL);
    cr_assert_null(v.validity);
    /* Each allocation fails in turn: ENOMEM and a zeroed vector (no leak under ASan). */
    for (uint64_t n = 1; n <= 3; n++) {
        tn_alloc_fail_every(n);
        int rc = tn_vector_init_uninit(&v, T(TN_TYPE_BIGINT), 64);
        tn_alloc_fail_every(0);
        if (n <= 2) {
            cr_assert_eq(rc, TN_ENOMEM, "n=%llu", (unsigned long long)n);
            cr_assert_null(v.validity);
            cr_assert_null(v.values);
        } else {
            cr_assert_eq(rc, 0);
            tn_vector_destroy(&v);
        }
    }
}

Test(vector, init_out_of_memory)
{
    /* Each of init's two allocations fails in turn: ENOMEM and a zeroed vector (no leak under
     * ASan); the third try has no failing allocation and succeeds. */
    for (uint64_t n = 1; n <= 3; n++) {
        tn_vector v;
        tn_alloc_fail_every(n);
        int rc = tn_vector_init(&v, T(TN_TYPE_VARCHAR), 64);
        tn_alloc_fail_every(0);
        if (n <= 2) {
            cr_assert_eq(rc, TN_ENOMEM, "n=%llu", (unsigned long long)n);
            cr_assert_null(v.validity);
            cr_assert_null(v.offsets);
        } else {
            cr_assert_eq(rc, 0);
            tn_vector_destroy(&v);
        }
    }
    tn_vector v;
    tn_vector_init(&v, T(TN_TYPE_VARCHAR), 4);
    tn_alloc_fail_every(1);
    cr_assert_eq(tn_vector_append_str(&v, 0, "abc", 3), TN_ENOMEM);
    tn_alloc_fail_every(0);
    cr_assert_eq(v.offsets[1], 0);
    cr_assert_eq(tn_vector_append_str(&v, 0, "abc", 3), 0);
    tn_vector_destroy(&v);
}

Test(batch, new_reset_free)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "id", T(TN_TYPE_BIGINT), false);
    tn_schema_add(s, "name", T(TN_TYPE_VARCHAR), true);
    tn_schema_add(s, "flag", T(TN_TYPE_BOOLEAN), true);
    tn_batch *b = tn_batch_new(s, 0);
    cr_assert_not_null(b);
    cr_assert_eq(s->refcount, 2);
    cr_assert_eq(b->capacity, TN_BATCH_ROWS);
    cr_assert_eq(b->row_count, 0);
    cr_assert_eq(b->columns[0].capacity, TN_BATCH_ROWS);
    cr_assert_eq(b->columns[1].type.id, TN_TYPE_VARCHAR);
    for (uint32_t r = 0; r < 10; r++) {
        tn_vector_i64(&b->columns[0])[r] = r;
        if (r == 4)
            tn_vector_append_null(&b->columns[1], r);
        else
            tn_vector_append_str(&b->columns[1], r, "abc", 3);
        tn_vector_set_bool(&b->columns[2], r, r % 2);
    }
    b->row_count = 10;
    tn_batch_reset(b);
    cr_assert_eq(b->row_count, 0);
    cr_assert_eq(b->columns[1].null_count, 0);
    cr_assert_eq(b->columns[1].data_len, 0);
    cr_assert(!tn_vector_get_bool(&b->columns[2], 1));
    tn_batch_free(b);
    cr_assert_eq(s->refcount, 1);

    b = tn_batch_new(s, 7);
    cr_assert_eq(b->capacity, 7);
    tn_batch_free(b);
    tn_batch_free(NULL);

    tn_schema *empty = tn_schema_new();
    b = tn_batch_new(empty, 1);
    cr_assert_not_null(b);
    tn_batch_free(b);
    tn_schema_unref(empty);
    tn_schema_unref(s);
}

Test(batch, out_of_memory_no_leak)
{
    tn_schema *s = tn_schema_new();
    for (int i = 0; i < 4; i++)
        tn_schema_add(s, i % 2 ? "v" : "i", T(i % 2 ? TN_TYPE_VARCHAR : TN_TYPE_INTEGER), true);
    int failures = 0;
    for (uint64_t n = 2; n <= 12; n++) {
        tn_alloc_fail_every(n);
        tn_batch *b = tn_batch_new(s, 100);
        tn_alloc_fail_every(0);
        if (b == NULL)
            failures++;
        else
            tn_batch_free(b);
    }
    cr_assert_gt(failures, 0);
    cr_assert_eq(s->refcount, 1);
    tn_schema_unref(s);
}
