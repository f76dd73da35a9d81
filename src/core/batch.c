/* SPDX-License-Identifier: Apache-2.0
 *
 * Batches: a schema plus one vector per column, at most `capacity` rows. The unit of work
 * that readers produce, operators transform and writers consume.
 */
#include "core/core.h"

/* Allocates a batch with one vector per schema column, each for `capacity` rows (0 means
 * TN_BATCH_ROWS). Takes a reference on schema. Returns NULL when out of memory. */
tn_batch *tn_batch_new(tn_schema *schema, uint32_t capacity)
{
    if (schema == NULL)
        return NULL;
    if (capacity == 0)
        capacity = TN_BATCH_ROWS;
    tn_batch *batch = tn_calloc(1, sizeof(*batch));
    if (batch == NULL)
        return NULL;
    batch->schema = tn_schema_ref(schema);
    batch->capacity = capacity;
    /* calloc so that tn_batch_free can destroy every vector even after a partial init. */
    batch->columns = tn_calloc(schema->column_count ? schema->column_count : 1,
                               sizeof(tn_vector));
    if (batch->columns == NULL)
        goto fail;
    for (uint32_t i = 0; i < schema->column_count; i++)
        if (tn_vector_init(&batch->columns[i], schema->columns[i].type, capacity) != 0)
            goto fail;
    return batch;
fail:
    tn_batch_free(batch);
    return NULL;
}

/* Frees the vectors and drops the schema reference. Accepts NULL. */
void tn_batch_free(tn_batch *batch)
{
    if (batch == NULL)
        return;
    if (batch->columns != NULL)
        for (uint32_t i = 0; i < batch->schema->column_count; i++)
            tn_vector_destroy(&batch->columns[i]);
    tn_free(batch->columns);
    tn_schema_unref(batch->schema);
    tn_free(batch);
}

/* Empties the batch for reuse: row_count 0, every vector reset, buffers kept. */
void tn_batch_reset(tn_batch *batch)
{
    batch->row_count = 0;
    for (uint32_t i = 0; i < batch->schema->column_count; i++)
        tn_vector_reset(&batch->columns[i]);
}
