/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for core/dictionary.c: dictionaries, their reference counts and the dictionary
 * form of VARCHAR/BLOB vectors (tn_vector_flatten, tn_vector_reset).
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "core/core.h"

static tn_dictionary *make_dict(tn_type_id type)
{
    static const char *const words[] = {"alpha", "", "gamma with more bytes", "\xc3\x89t\xc3\xa9"};
    tn_str values[4];
    for (int i = 0; i < 4; i++)
        values[i] = tn_str_make(words[i], strlen(words[i]));
    return tn_dictionary_new(tn_type_make(type), values, 4);
}

Test(dictionary, entries_copied_with_a_null_entry_last)
{
    char buf[8] = "abc";
    tn_str v = tn_str_make(buf, 3);
    tn_dictionary *d = tn_dictionary_new(tn_type_make(TN_TYPE_VARCHAR), &v, 1);
    cr_assert_not_null(d);
    buf[0] = 'x'; /* the dictionary holds its own copy */
    cr_assert_eq(d->count, 1);
    cr_assert_eq(d->refcount, 1);
    tn_str e = tn_vector_get_str(&d->entries, 0);
    cr_assert_eq(e.len, 3);
    cr_assert_eq(memcmp(e.ptr, "abc", 3), 0);
    cr_assert(!tn_vector_is_valid(&d->entries, 1));
    cr_assert_eq(d->entries.null_count, 1);
    tn_dictionary_unref(d);
}

Test(dictionary, ids_are_unique)
{
    tn_dictionary *a = make_dict(TN_TYPE_VARCHAR), *b = make_dict(TN_TYPE_BLOB);
    cr_assert(a && b);
    cr_assert_neq(a->id, 0);
    cr_assert_neq(a->id, b->id);
    tn_dictionary_unref(a);
    tn_dictionary_unref(b);
}

Test(dictionary, empty_and_refused)
{
    tn_dictionary *d = tn_dictionary_new(tn_type_make(TN_TYPE_VARCHAR), NULL, 0);
    cr_assert_not_null(d);
    cr_assert_eq(d->count, 0);
    cr_assert(!tn_vector_is_valid(&d->entries, 0));
    tn_dictionary_unref(d);
    cr_assert_null(tn_dictionary_new(tn_type_make(TN_TYPE_INTEGER), NULL, 0));
    tn_dictionary_unref(NULL);
    tn_vector v;
    cr_assert_eq(tn_vector_init_dict(&v, NULL, 8), TN_EINVAL);
}

Test(dictionary, vectors_hold_references)
{
    tn_dictionary *d = make_dict(TN_TYPE_VARCHAR);
    cr_assert_not_null(d);
    tn_vector a, b;
    cr_assert_eq(tn_vector_init_dict(&a, d, 16), 0);
    cr_assert_eq(tn_vector_init_dict(&b, d, 16), 0);
    cr_assert_eq(d->refcount, 3);
    cr_assert_eq(a.type.id, TN_TYPE_VARCHAR);
    cr_assert_eq(a.dict, d);
    /* the vectors keep the dictionary alive after its creator lets go */
    tn_dictionary_unref(d);
    cr_assert_eq(d->refcount, 2);
    tn_vector_destroy(&a);
    cr_assert_eq(d->refcount, 1);
    tn_str e = tn_vector_get_str(&b.dict->entries, 2);
    cr_assert_eq(e.len, strlen("gamma with more bytes"));
    tn_vector_destroy(&b); /* frees the dictionary: ASan reports a leak or a double free */
    tn_vector_destroy(&b); /* destroying twice is allowed */
}

Test(dictionary, flatten_rows_nulls_and_empty)
{
    tn_dictionary *d = make_dict(TN_TYPE_VARCHAR);
    cr_assert_not_null(d);
    tn_vector v;
    uint32_t rows = 3 * TN_BATCH_ROWS / 2; /* more rows than a batch: offsets past 2048 */
    cr_assert_eq(tn_vector_init_dict(&v, d, rows), 0);
    uint32_t *idx = tn_vector_indices(&v);
    for (uint32_t r = 0; r < rows; r++) {
        idx[r] = r % 4;
        if (r % 7 == 3) {
            idx[r] = d->count; /* NULL rows index the NULL entry */
            tn_vector_set_null(&v, r);
        }
    }
    uint32_t nulls = v.null_count;
    cr_assert_eq(tn_vector_flatten(&v, rows), 0);
    cr_assert_null(v.dict);
    cr_assert_not_null(v.offsets);
    cr_assert_eq(v.null_count, nulls);
    cr_assert_eq(d->refcount, 1);
    for (uint32_t r = 0; r < rows; r++) {
        if (r % 7 == 3) {
            cr_assert(!tn_vector_is_valid(&v, r));
            cr_assert_eq(tn_vector_get_str(&v, r).len, 0);
            continue;
        }
        tn_str want = tn_vector_get_str(&d->entries, r % 4);
        tn_str got = tn_vector_get_str(&v, r);
        cr_assert_eq(got.len, want.len, "row %u", r);
        cr_assert_eq(memcmp(got.ptr, want.ptr, got.len), 0, "row %u", r);
    }
    /* a flattened vector takes appends like any other */
    cr_assert_eq(tn_vector_append_str(&v, rows - 1, "tail", 4), 0);
    cr_assert_eq(memcmp(tn_vector_get_str(&v, rows - 1).ptr, "tail", 4), 0);
    cr_assert_eq(tn_vector_flatten(&v, rows), 0); /* plain: nothing to do */
    tn_vector_destroy(&v);
    tn_dictionary_unref(d);
}

Test(dictionary, flatten_part_then_append_plain)
{
    /* what a reader does when a column chunk falls back to PLAIN pages mid-batch */
    tn_dictionary *d = make_dict(TN_TYPE_BLOB);
    cr_assert_not_null(d);
    tn_vector v;
    cr_assert_eq(tn_vector_init_dict(&v, d, 8), 0);
    tn_dictionary_unref(d);
    uint32_t *idx = tn_vector_indices(&v);
    idx[0] = 2;
    idx[1] = 1;
    cr_assert_eq(tn_vector_flatten(&v, 2), 0);
    cr_assert_eq(v.type.id, TN_TYPE_BLOB);
    cr_assert_eq(tn_vector_append_str(&v, 2, "plain", 5), 0);
    tn_vector_append_null(&v, 3);
    cr_assert_eq(tn_vector_get_str(&v, 0).len, strlen("gamma with more bytes"));
    cr_assert_eq(tn_vector_get_str(&v, 1).len, 0);
    cr_assert(tn_vector_is_valid(&v, 1));
    cr_assert_eq(memcmp(tn_vector_get_str(&v, 2).ptr, "plain", 5), 0);
    cr_assert(!tn_vector_is_valid(&v, 3));
    tn_vector_destroy(&v);
}

Test(dictionary, flatten_zero_rows_and_reset)
{
    tn_dictionary *d = make_dict(TN_TYPE_VARCHAR);
    tn_vector v;
    cr_assert_eq(tn_vector_init_dict(&v, d, 4), 0);
    cr_assert_eq(tn_vector_flatten(&v, 0), 0);
    cr_assert_null(v.dict);
    cr_assert_eq(v.offsets[0], 0);
    tn_vector_destroy(&v);

    cr_assert_eq(tn_vector_init_dict(&v, d, 4), 0);
    tn_vector_set_null(&v, 1);
    tn_vector_reset(&v); /* back to an empty plain vector, the reference dropped */
    cr_assert_null(v.dict);
    cr_assert_eq(v.null_count, 0);
    cr_assert_eq(d->refcount, 1);
    cr_assert_eq(tn_vector_append_str(&v, 0, "x", 1), 0);
    cr_assert_eq(tn_vector_get_str(&v, 0).len, 1);
    tn_vector_destroy(&v);
    tn_dictionary_unref(d);
}

Test(dictionary, out_of_memory_leaves_the_vector_as_it_was)
{
    tn_dictionary *d = make_dict(TN_TYPE_VARCHAR);
    tn_vector v;
    cr_assert_eq(tn_vector_init_dict(&v, d, 4), 0);
    tn_vector_indices(&v)[0] = 2;
    tn_alloc_fail_every(1);
    int rc = tn_vector_flatten(&v, 1);
    tn_dictionary *failed = tn_dictionary_new(tn_type_make(TN_TYPE_VARCHAR), NULL, 0);
    tn_alloc_fail_every(0);
    cr_assert_eq(rc, TN_ENOMEM);
    cr_assert_null(failed);
    cr_assert_eq(v.dict, d);
    cr_assert_eq(tn_vector_indices(&v)[0], 2);
    cr_assert_eq(tn_vector_flatten(&v, 1), 0);
    cr_assert_eq(tn_vector_get_str(&v, 0).len, strlen("gamma with more bytes"));
    tn_vector_destroy(&v);
    tn_dictionary_unref(d);
}
