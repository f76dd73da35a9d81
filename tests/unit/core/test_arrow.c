/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for core/arrow.c: a batch exported through the Arrow C Data Interface, checked by
 * walking the structs as a consumer would, then released (ASan proves nothing leaks).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"
#include "tarn/arrow_abi.h"

static tn_type T(tn_type_id id)
{
    return tn_type_make(id);
}

/* A batch with one column of every type, 5 rows, some NULLs. */
static tn_batch *sample_batch(void)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "b", T(TN_TYPE_BOOLEAN), true);
    tn_schema_add(s, "i", T(TN_TYPE_INTEGER), false);
    tn_schema_add(s, "l", T(TN_TYPE_BIGINT), true);
    tn_schema_add(s, "f", T(TN_TYPE_REAL), true);
    tn_schema_add(s, "g", T(TN_TYPE_DOUBLE), true);
    tn_schema_add(s, "dec", tn_type_decimal(18, 2), true);
    tn_schema_add(s, "day", T(TN_TYPE_DATE), true);
    tn_schema_add(s, "ts", T(TN_TYPE_TIMESTAMP), true);
    tn_schema_add(s, "tstz", T(TN_TYPE_TIMESTAMPTZ), true);
    tn_schema_add(s, "name", T(TN_TYPE_VARCHAR), true);
    tn_schema_add(s, "raw", T(TN_TYPE_BLOB), true);
    tn_batch *b = tn_batch_new(s, 8);
    tn_schema_unref(s);
    cr_assert_not_null(b);
    for (uint32_t r = 0; r < 5; r++) {
        tn_vector_set_bool(&b->columns[0], r, r % 2 == 1);
        tn_vector_i32(&b->columns[1])[r] = (int32_t)r * 10;
        tn_vector_i64(&b->columns[2])[r] = -(int64_t)r;
        tn_vector_f32(&b->columns[3])[r] = (float)r / 2;
        tn_vector_f64(&b->columns[4])[r] = r * 1.25;
        tn_vector_set_decimal(&b->columns[5], r, (tn_i128)r * 100 + 5);
        tn_vector_i32(&b->columns[6])[r] = 19782 + (int32_t)r;
        tn_vector_i64(&b->columns[7])[r] = (int64_t)r * 1000000;
        tn_vector_i64(&b->columns[8])[r] = (int64_t)r * 2000000;
        if (r == 2) {
            tn_vector_append_null(&b->columns[9], r);
        } else {
            char text[16];
            int n = snprintf(text, sizeof(text), "name%u", r);
            tn_vector_append_str(&b->columns[9], r, text, (size_t)n);
        }
        tn_vector_append_str(&b->columns[10], r, "\x01\x02", r % 3);
    }
    tn_vector_set_null(&b->columns[0], 4);
    tn_vector_set_null(&b->columns[2], 0);
    tn_vector_set_null(&b->columns[2], 3);
    b->row_count = 5;
    return b;
}

static bool bit(const void *buf, int64_t i)
{
    return (((const uint8_t *)buf)[i >> 3] >> (i & 7)) & 1;
}

Test(arrow, export_walk_and_release)
{
    tn_batch *b = sample_batch();
    struct ArrowSchema schema;
    struct ArrowArray array;
    tn_error err = {0};
    cr_assert_eq(tn_batch_export_arrow(b, &schema, &array, &err), 0, "%s", err.message);

    cr_assert_str_eq(schema.format, "+s");
    cr_assert_eq(schema.n_children, 11);
    cr_assert_not_null(schema.release);
    static const char *const formats[] = {"b", "i", "l", "f", "g", "d:18,2", "tdD", "tsu:",
                                          "tsu:UTC", "u", "z"};
    static const char *const names[] = {"b", "i", "l", "f", "g", "dec", "day", "ts", "tstz",
                                        "name", "raw"};
    for (int i = 0; i < 11; i++) {
        struct ArrowSchema *c = schema.children[i];
        cr_assert_str_eq(c->format, formats[i]);
        cr_assert_str_eq(c->name, names[i]);
        cr_assert_eq(c->flags, i == 1 ? 0 : ARROW_FLAG_NULLABLE);
        cr_assert_eq(c->n_children, 0);
        cr_assert_null(c->dictionary);
        cr_assert_not_null(c->release);
    }

    cr_assert_eq(array.length, 5);
    cr_assert_eq(array.null_count, 0);
    cr_assert_eq(array.offset, 0);
    cr_assert_eq(array.n_buffers, 1);
    cr_assert_null(array.buffers[0]);
    cr_assert_eq(array.n_children, 11);
    cr_assert_not_null(array.release);
    static const int64_t nulls[] = {1, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0};
    for (int i = 0; i < 11; i++) {
        struct ArrowArray *c = array.children[i];
        cr_assert_eq(c->length, 5, "child %d", i);
        cr_assert_eq(c->offset, 0);
        cr_assert_eq(c->null_count, nulls[i], "child %d", i);
        cr_assert_eq(c->n_buffers, i >= 9 ? 3 : 2);
        cr_assert_eq(c->n_children, 0);
        if (nulls[i] == 0)
            cr_assert_null(c->buffers[0], "child %d", i);
        else
            cr_assert_not_null(c->buffers[0], "child %d", i);
        cr_assert_not_null(c->buffers[1]);
    }
    /* Values, read as a consumer would. */
    const struct ArrowArray *const *ch = (const struct ArrowArray *const *)array.children;
    cr_assert(!bit(ch[0]->buffers[1], 0) && bit(ch[0]->buffers[1], 1));
    cr_assert(!bit(ch[0]->buffers[0], 4) && bit(ch[0]->buffers[0], 3));
    cr_assert_eq(((const int32_t *)ch[1]->buffers[1])[4], 40);
    cr_assert(!bit(ch[2]->buffers[0], 0) && !bit(ch[2]->buffers[0], 3) && bit(ch[2]->buffers[0], 1));
    cr_assert_eq(((const int64_t *)ch[2]->buffers[1])[2], -2);
    cr_assert_eq(((const float *)ch[3]->buffers[1])[3], 1.5f);
    cr_assert_eq(((const double *)ch[4]->buffers[1])[4], 5.0);
    /* decimal128: 16 bytes little-endian two's complement per value */
    const uint8_t *dec = ch[5]->buffers[1];
    uint64_t lo, hi;
    memcpy(&lo, dec + 16 * 3, 8);
    memcpy(&hi, dec + 16 * 3 + 8, 8);
    cr_assert_eq(lo, 305);
    cr_assert_eq(hi, 0);
    cr_assert_eq(((const int32_t *)ch[6]->buffers[1])[1], 19783);
    cr_assert_eq(((const int64_t *)ch[7]->buffers[1])[2], 2000000);
    cr_assert_eq(((const int64_t *)ch[8]->buffers[1])[2], 4000000);
    const int32_t *off = ch[9]->buffers[1];
    const char *data = ch[9]->buffers[2];
    cr_assert_eq(off[0], 0);
    cr_assert_eq(off[1], 5);
    cr_assert_eq(off[2], 10);
    cr_assert_eq(off[3], 10); /* NULL row: empty */
    cr_assert_eq(off[5], 20);
    cr_assert_eq(memcmp(data, "name0name1name3name4", 20), 0);
    cr_assert(!bit(ch[9]->buffers[0], 2));
    const int32_t *boff = ch[10]->buffers[1];
    cr_assert_eq(boff[5], 0 + 1 + 2 + 0 + 1);
    cr_assert_not_null(ch[10]->buffers[2]);

    schema.release(&schema);
    cr_assert_null(schema.release);
    array.release(&array);
    cr_assert_null(array.release);
}

Test(arrow, children_can_be_moved_out)
{
    tn_batch *b = sample_batch();
    struct ArrowSchema schema;
    struct ArrowArray array;
    tn_error err = {0};
    cr_assert_eq(tn_batch_export_arrow(b, &schema, &array, &err), 0);
    /* A consumer moves child 9 out, releases the parent, then the child. */
    struct ArrowArray moved = *array.children[9];
    array.children[9]->release = NULL;
    struct ArrowSchema moved_schema = *schema.children[9];
    schema.children[9]->release = NULL;
    array.release(&array);
    schema.release(&schema);
    const int32_t *off = moved.buffers[1];
    cr_assert_eq(off[5], 20);
    cr_assert_eq(memcmp(moved.buffers[2], "name0", 5), 0);
    cr_assert_str_eq(moved_schema.name, "name");
    moved.release(&moved);
    cr_assert_null(moved.release);
    moved_schema.release(&moved_schema);
    cr_assert_null(moved_schema.release);
}

Test(arrow, empty_batch_and_empty_strings)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "v", T(TN_TYPE_VARCHAR), false);
    tn_batch *b = tn_batch_new(s, 4);
    tn_schema_unref(s);
    struct ArrowSchema schema;
    struct ArrowArray array;
    tn_error err = {0};
    cr_assert_eq(tn_batch_export_arrow(b, &schema, &array, &err), 0);
    cr_assert_eq(array.length, 0);
    cr_assert_eq(array.children[0]->length, 0);
    cr_assert_eq(((const int32_t *)array.children[0]->buffers[1])[0], 0);
    cr_assert_not_null(array.children[0]->buffers[2]);
    array.release(&array);
    schema.release(&schema);
}

Test(arrow, out_of_memory_leaves_batch_owned)
{
    /* Each allocation of the export fails in turn: the call fails cleanly, the batch is still
     * the caller's and fully usable, and the out structs are untouched. */
    int failures = 0;
    for (uint64_t n = 1; n < 100; n++) {
        tn_batch *b = sample_batch();
        struct ArrowSchema schema = {0};
        struct ArrowArray array = {0};
        tn_error err = {0};
        tn_alloc_fail_every(n);
        int rc = tn_batch_export_arrow(b, &schema, &array, &err);
        tn_alloc_fail_every(0);
        if (rc == 0) {
            array.release(&array);
            schema.release(&schema);
            break;
        }
        failures++;
        cr_assert_eq(rc, TN_ENOMEM);
        cr_assert_null(schema.release);
        cr_assert_null(array.release);
        tn_str s = tn_vector_get_str(&b->columns[9], 4);
        cr_assert(tn_str_eq(s, TN_STR_LIT("name4")));
        tn_batch_free(b);
    }
    cr_assert_gt(failures, 10);
}
