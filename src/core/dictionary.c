/* SPDX-License-Identifier: Apache-2.0
 *
 * Dictionaries and the dictionary form of VARCHAR/BLOB vectors. A reader that meets
 * dictionary-encoded strings (a Parquet column chunk) may hand out vectors whose values are
 * uint32 indices into one shared, reference-counted dictionary instead of the expanded bytes;
 * filters then test each distinct value once and group keys map each one once. Whoever else
 * may see such a vector flattens it (tn_vector_flatten) or copies rows out of it through the
 * dictionary, so the plain layout stays the contract everywhere else.
 */
#include "core/core.h"

/* Ids start at 1 so that 0 can mean "no dictionary" in the caches that key on them. */
static uint64_t next_id = 1;

tn_dictionary *tn_dictionary_new(tn_type type, const tn_str *values, uint32_t count)
{
    if (!tn_type_is_varlen(type) || count == UINT32_MAX)
        return NULL;
    tn_dictionary *d = tn_calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    if (tn_vector_init_uninit(&d->entries, type, count + 1) != 0) {
        tn_free(d);
        return NULL;
    }
    size_t total = 0;
    for (uint32_t i = 0; i < count; i++)
        total += values[i].len;
    if (total > (size_t)INT32_MAX)
        goto fail;
    if (total > 0) {
        d->entries.data = tn_malloc(total);
        if (d->entries.data == NULL)
            goto fail;
        d->entries.data_cap = total;
    }
    /* one pass of copies: the capacity is known, so no append grows the buffer */
    size_t pos = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (values[i].len)
            memcpy(d->entries.data + pos, values[i].ptr, values[i].len);
        pos += values[i].len;
        d->entries.offsets[i + 1] = (int32_t)pos;
    }
    d->entries.data_len = pos;
    tn_vector_append_null(&d->entries, count);
    d->count = count;
    d->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
    d->refcount = 1;
    return d;
fail:
    tn_vector_destroy(&d->entries);
    tn_free(d);
    return NULL;
}

tn_dictionary *tn_dictionary_ref(tn_dictionary *dict)
{
    if (dict != NULL)
        __atomic_add_fetch(&dict->refcount, 1, __ATOMIC_RELAXED);
    return dict;
}

void tn_dictionary_unref(tn_dictionary *dict)
{
    if (dict == NULL || __atomic_sub_fetch(&dict->refcount, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    tn_vector_destroy(&dict->entries);
    tn_free(dict);
}

int tn_vector_init_dict(tn_vector *v, tn_dictionary *dict, uint32_t capacity)
{
    memset(v, 0, sizeof(*v));
    if (dict == NULL || !tn_type_is_varlen(dict->entries.type))
        return TN_EINVAL;
    /* an INTEGER vector has the layout wanted: validity all set, 4-byte values */
    int rc = tn_vector_init_uninit(v, tn_type_make(TN_TYPE_INTEGER), capacity);
    if (rc != 0)
        return rc;
    v->type = dict->entries.type;
    v->dict = tn_dictionary_ref(dict);
    return 0;
}

int tn_vector_flatten(tn_vector *v, uint32_t rows)
{
    const tn_dictionary *d = v->dict;
    if (d == NULL)
        return 0;
    const uint32_t *idx = tn_vector_indices(v);
    const int32_t *eo = d->entries.offsets;
    size_t total = 0;
    for (uint32_t r = 0; r < rows; r++)
        if (tn_vector_is_valid(v, r))
            total += (size_t)(eo[idx[r] + 1] - eo[idx[r]]);
    if (total > (size_t)INT32_MAX)
        return TN_ELIMIT;
    /* aligned and rounded as the vectors' own buffers (vector.c) */
    int32_t *offsets = tn_aligned_alloc(64, (((size_t)v->capacity + 1) * sizeof(int32_t) + 63) &
                                                ~(size_t)63);
    char *data = tn_malloc(total ? total : 1);
    if (offsets == NULL || data == NULL) {
        tn_free(offsets);
        tn_free(data);
        return TN_ENOMEM;
    }
    size_t pos = 0;
    offsets[0] = 0;
    for (uint32_t r = 0; r < rows; r++) {
        if (tn_vector_is_valid(v, r)) {
            size_t len = (size_t)(eo[idx[r] + 1] - eo[idx[r]]);
            if (len)
                memcpy(data + pos, d->entries.data + eo[idx[r]], len);
            pos += len;
        }
        offsets[r + 1] = (int32_t)pos;
    }
    /* the rows after `rows` are empty, as tn_vector_init leaves them */
    for (uint32_t r = rows; r < v->capacity; r++)
        offsets[r + 1] = (int32_t)pos;
    tn_free(v->values);
    v->values = NULL;
    v->offsets = offsets;
    v->data = data;
    v->data_len = pos;
    v->data_cap = total ? total : 1;
    tn_dictionary_unref(v->dict);
    v->dict = NULL;
    return 0;
}
