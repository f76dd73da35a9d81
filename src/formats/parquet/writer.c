/* SPDX-License-Identifier: Apache-2.0
 *
 * The Parquet writer (parquet_write.h): batches in, one Parquet file out, made visible only
 * when complete (tn_atomic_file).
 *
 * Rows are staged column by column in their physical representation (cheap copies on the
 * caller's thread) until a row group is full (row_group_bytes or row_group_rows). The full
 * row group is then flushed while the caller fills a second one: a flusher thread
 *
 *   1. encodes and compresses, one task per column on the worker pool (writer_chunk.c): cuts
 *      the rows into pages of about page_bytes, grows the chunk's dictionary, encodes
 *      definition levels and values, computes page and chunk statistics, and compresses each
 *      page as soon as it is encoded (so only compressed pages are kept);
 *   2. writes page headers and pages in column order, and the ColumnChunk metadata.
 *
 * So at most two row groups' staged values and one row group's compressed pages are in
 * memory; all of these buffers are reused from one row group to the next. The page index
 * (ColumnIndex and OffsetIndex of every chunk) is kept small — page locations and bounds —
 * and written before the footer, as PageIndex.md lays out.
 */
#include "formats/parquet/writer_int.h"

#include "formats/parquet/codec.h"

#include <sys/mman.h>

#ifndef TARN_VERSION
#define TARN_VERSION "unknown"
#endif

#define DEFAULT_ROW_GROUP_BYTES ((int64_t)128 << 20)
#define DEFAULT_PAGE_BYTES ((int64_t)1 << 20)
#define PRESIZE_MAX_ROWS ((size_t)1 << 26)

/* ------------------------------------------------------------------------------------------
 * Types
 * ---------------------------------------------------------------------------------------- */

/* Smallest byte count whose two's complement holds every DECIMAL(precision) value. */
static uint32_t decimal_flba_length(int precision)
{
    tn_i128 max = 1;
    for (int i = 0; i < precision; i++)
        max *= 10;
    max -= 1;
    uint32_t n = 1;
    while (n < 16 && max >= ((tn_i128)1 << (8 * n - 1)))
        n++;
    return n;
}

static void plan_column(column_plan *p, const tn_column *col, uint32_t position)
{
    p->name = col->name;
    p->type = col->type;
    p->nullable = col->nullable;
    p->field_id = col->field_id ? col->field_id : (int32_t)position + 1;
    switch (col->type.id) {
    case TN_TYPE_BOOLEAN: p->physical = TN_PARQUET_BOOLEAN; p->width = 1; break;
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: p->physical = TN_PARQUET_INT32; p->width = 4; break;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: p->physical = TN_PARQUET_INT64; p->width = 8; break;
    case TN_TYPE_REAL: p->physical = TN_PARQUET_FLOAT; p->width = 4; break;
    case TN_TYPE_DOUBLE: p->physical = TN_PARQUET_DOUBLE; p->width = 8; break;
    case TN_TYPE_DECIMAL:
        if (col->type.precision <= 9) {
            p->physical = TN_PARQUET_INT32;
            p->width = 4;
        } else if (col->type.precision <= 18) {
            p->physical = TN_PARQUET_INT64;
            p->width = 8;
        } else {
            p->physical = TN_PARQUET_FIXED_LEN_BYTE_ARRAY;
            p->width = decimal_flba_length(col->type.precision);
        }
        break;
    default: p->physical = TN_PARQUET_BYTE_ARRAY; p->width = 0; break;
    }
}

static void schema_element_for(const column_plan *p, tn_parquet_schema_element *e)
{
    memset(e, 0, sizeof *e);
    e->has_type = true;
    e->type = p->physical;
    e->has_repetition = true;
    e->repetition = p->nullable ? TN_PARQUET_OPTIONAL : TN_PARQUET_REQUIRED;
    e->name = tn_str_c(p->name);
    e->has_field_id = true;
    e->field_id = p->field_id;
    switch (p->type.id) {
    case TN_TYPE_DECIMAL:
        if (p->physical == TN_PARQUET_FIXED_LEN_BYTE_ARRAY) {
            e->has_type_length = true;
            e->type_length = (int32_t)p->width;
        }
        e->has_converted_type = true;
        e->converted_type = TN_PARQUET_CT_DECIMAL;
        e->has_scale = e->has_precision = true;
        e->scale = p->type.scale;
        e->precision = p->type.precision;
        e->logical.kind = TN_PARQUET_LT_DECIMAL;
        e->logical.scale = p->type.scale;
        e->logical.precision = p->type.precision;
        break;
    case TN_TYPE_DATE:
        e->has_converted_type = true;
        e->converted_type = TN_PARQUET_CT_DATE;
        e->logical.kind = TN_PARQUET_LT_DATE;
        break;
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        /* LogicalTypes.md asks for the legacy annotation on local timestamps too. */
        e->has_converted_type = true;
        e->converted_type = TN_PARQUET_CT_TIMESTAMP_MICROS;
        e->logical.kind = TN_PARQUET_LT_TIMESTAMP;
        e->logical.unit = TN_PARQUET_MICROS;
        e->logical.is_adjusted_to_utc = p->type.id == TN_TYPE_TIMESTAMPTZ;
        break;
    case TN_TYPE_VARCHAR:
        e->has_converted_type = true;
        e->converted_type = TN_PARQUET_CT_UTF8;
        e->logical.kind = TN_PARQUET_LT_STRING;
        break;
    default: break;
    }
}

/* ------------------------------------------------------------------------------------------
 * Staging
 * ---------------------------------------------------------------------------------------- */

/* Asks for transparent huge pages on the 2 MiB-aligned inside of a large buffer. Staging
 * buffers are written once per row group in sequence; with 4 KiB pages the first touch of
 * each costs a page fault, which dominates copying on virtual machines. Advice only: errors
 * are ignored, and it is a no-op where the kernel has no such thing. */
static void advise_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (len < 2 * huge)
        return;
    uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)p + len) & ~(huge - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)p;
    (void)len;
#endif
}

/* tn_buf_reserve, plus huge-page advice whenever a large buffer moved or grew. */
static int reserve_big(tn_buf *b, size_t extra)
{
    size_t cap = b->cap;
    int rc = tn_buf_reserve(b, extra);
    if (!rc && b->cap != cap)
        advise_huge(b->data, b->cap);
    return rc;
}

static int stage_reserve_offsets(column_stage *st, size_t rows)
{
    if (rows + 1 <= st->offsets_cap)
        return 0;
    size_t cap = st->offsets_cap ? st->offsets_cap : 4096;
    while (cap < rows + 1)
        cap *= 2;
    uint32_t *o = tn_realloc(st->offsets, cap * sizeof *o);
    if (!o)
        return TN_ENOMEM;
    advise_huge(o, cap * sizeof *o);
    st->offsets = o;
    st->offsets_cap = cap;
    return 0;
}

/* Appends rows [from, to) of one vector to its column's stage. */
static int stage_vector(pq_writer *w, stage_set *ss, uint32_t c, const tn_vector *v,
                        uint32_t from, uint32_t to, tn_error *err)
{
    const column_plan *p = &w->plans[c];
    column_stage *st = &ss->columns[c];
    size_t n = to - from;
    size_t base_row = ss->rows;
    int rc;

    if (v->null_count && !p->nullable) {
        for (uint32_t r = from; r < to; r++)
            if (!tn_vector_is_valid(v, r)) {
                tn_error_set(err, TN_EINVAL,
                             "column '%s' is declared NOT NULL but row %lld of the output is "
                             "NULL; declare it nullable or filter the NULLs out",
                             p->name, (long long)(w->rows_staged + (r - from)) + 1);
                tn_error_set_key(err, p->name);
                return TN_EINVAL;
            }
    }
    if (p->nullable) {
        if ((rc = reserve_big(&st->defs, n)) != 0)
            goto oom;
        uint8_t *d = (uint8_t *)st->defs.data + st->defs.len;
        if (v->null_count == 0) {
            memset(d, 1, n);
        } else {
            for (size_t i = 0; i < n; i++) {
                d[i] = tn_vector_is_valid(v, from + (uint32_t)i);
                st->nulls += !d[i];
            }
        }
        st->defs.len += n;
    }

    if (p->width == 0) {
        if ((rc = stage_reserve_offsets(st, base_row + n)) != 0)
            goto oom;
        size_t start = (size_t)v->offsets[from];
        size_t bytes = (size_t)v->offsets[to] - start;
        if ((rc = reserve_big(&st->data, bytes)) != 0)
            goto oom;
        if (bytes) /* an all-empty vector may have no data buffer at all */
            memcpy(st->data.data + st->data.len, v->data + start, bytes);
        st->data.len += bytes;
        uint32_t shift = (uint32_t)(st->data.len - bytes) - (uint32_t)start;
        if (base_row == 0)
            st->offsets[0] = 0;
        for (size_t i = 1; i <= n; i++)
            st->offsets[base_row + i] = (uint32_t)v->offsets[from + i] + shift;
        ss->bytes += bytes + 4 * n;
        return 0;
    }

    if ((rc = reserve_big(&st->values, n * p->width)) != 0)
        goto oom;
    uint8_t *dst = (uint8_t *)st->values.data + st->values.len;
    switch (v->type.id) {
    case TN_TYPE_BOOLEAN:
        for (size_t i = 0; i < n; i++)
            dst[i] = tn_vector_get_bool(v, from + (uint32_t)i);
        break;
    case TN_TYPE_DECIMAL: {
        if (tn_decimal_is_64(v->type)) {
            /* int64 values: INT64 pages take them as they are, INT32 ones narrowed */
            const int64_t *x = tn_vector_i64(v) + from;
            if (p->width == 8) {
                memcpy(dst, x, n * 8);
            } else {
                for (size_t i = 0; i < n; i++) {
                    int32_t y = (int32_t)x[i];
                    memcpy(dst + 4 * i, &y, 4);
                }
            }
            break;
        }
        const tn_i128 *x = tn_vector_i128(v) + from;
        if (p->width == 4) {
            for (size_t i = 0; i < n; i++) {
                int32_t y = (int32_t)x[i];
                memcpy(dst + 4 * i, &y, 4);
            }
        } else if (p->width == 8) {
            for (size_t i = 0; i < n; i++) {
                int64_t y = (int64_t)x[i];
                memcpy(dst + 8 * i, &y, 8);
            }
        } else {
            /* Big-endian two's complement, as FIXED_LEN_BYTE_ARRAY decimals are stored. */
            uint32_t wd = p->width;
            for (size_t i = 0; i < n; i++) {
                unsigned __int128 u = (unsigned __int128)x[i];
                for (uint32_t b = 0; b < wd; b++)
                    dst[i * wd + wd - 1 - b] = (uint8_t)(u >> (8 * b));
            }
        }
        break;
    }
    default:
        memcpy(dst, (const uint8_t *)v->values + (size_t)from * p->width, n * p->width);
        break;
    }
    st->values.len += n * p->width;
    ss->bytes += n * p->width;
    return 0;

oom:
    return tn_error_set(err, rc, "out of memory staging Parquet column '%s'", p->name);
}

/* Once the first rows of a row group show how wide its rows are, reserves every buffer for
 * the whole row group at once: no copies as they grow, and huge pages from the start. Only
 * an optimisation: when memory is short, buffers just grow as they fill. */
static void stage_presize(pq_writer *w, stage_set *ss)
{
    ss->sized = true;
    size_t per_row = ss->bytes / ss->rows + 1;
    size_t expect = w->row_group_rows ? (size_t)w->row_group_rows
                                      : (size_t)w->row_group_bytes / per_row + TN_BATCH_ROWS;
    if (expect > PRESIZE_MAX_ROWS)
        expect = PRESIZE_MAX_ROWS;
    for (uint32_t c = 0; c < w->column_count; c++) {
        column_stage *st = &ss->columns[c];
        const column_plan *p = &w->plans[c];
        if (expect <= ss->rows)
            break;
        size_t more = expect - ss->rows;
        if (p->nullable)
            (void)reserve_big(&st->defs, more);
        if (p->width) {
            (void)reserve_big(&st->values, more * p->width);
        } else {
            (void)stage_reserve_offsets(st, expect);
            size_t avg = st->data.len / ss->rows + 1;
            (void)reserve_big(&st->data, more * avg + more * avg / 8);
        }
    }
}

/* Whether rows [from, to) of the batch would take a byte-array column past the 4 GiB its
 * 32-bit offsets can address. */
static bool stage_would_overflow(const pq_writer *w, const stage_set *ss, const tn_batch *batch,
                                 uint32_t from, uint32_t to)
{
    for (uint32_t c = 0; c < w->column_count; c++) {
        if (w->plans[c].width)
            continue;
        const tn_vector *v = &batch->columns[c];
        size_t bytes = (size_t)v->offsets[to] - (size_t)v->offsets[from];
        if (ss->columns[c].data.len + bytes > UINT32_MAX)
            return true;
    }
    return false;
}

static void stage_clear(pq_writer *w, stage_set *ss)
{
    for (uint32_t c = 0; c < w->column_count; c++) {
        column_stage *st = &ss->columns[c];
        st->values.len = 0;
        st->data.len = 0;
        st->defs.len = 0;
        st->nulls = 0;
    }
    ss->rows = 0;
    ss->bytes = 0;
}

/* ------------------------------------------------------------------------------------------
 * Step 2: write a row group
 * ---------------------------------------------------------------------------------------- */

static int emit(pq_writer *w, const void *data, size_t len, tn_error *err)
{
    int rc = tn_atomic_file_write(&w->file, data, len, err);
    if (rc)
        return rc;
    w->offset += (int64_t)len;
    return 0;
}

static int write_page(pq_writer *w, page_buf *pg, bool nullable, tn_buf *hdr, int64_t *total_u,
                      int64_t *total_c, tn_error *err)
{
    int rc = pq_page_header_encode(w, pg, nullable, hdr, err);
    if (rc)
        return rc;
    rc = emit(w, hdr->data, hdr->len, err);
    if (!rc)
        rc = emit(w, pg->packed.data, pg->packed.len, err);
    *total_u += (int64_t)hdr->len + pg->uncompressed;
    *total_c += (int64_t)hdr->len + (int64_t)pg->packed.len;
    return rc;
}


/* Writes one column chunk's pages and fills its ColumnChunk and page-index inputs. */
static int write_chunk(pq_writer *w, uint32_t c, tn_parquet_column_chunk *cc, chunk_index *ci,
                       tn_buf *hdr, tn_error *err)
{
    const column_plan *p = &w->plans[c];
    chunk_work *cw = &w->work[c];
    tn_parquet_column_metadata *md = &cc->meta_data;
    int64_t total_u = 0, total_c = 0;
    int rc;

    memset(cc, 0, sizeof *cc);
    cc->has_meta_data = true;
    md->type = p->physical;
    md->codec = w->codec;
    md->num_values = (int64_t)w->flushing->rows;
    md->path_count = 1;
    md->path_in_schema = tn_arena_alloc(&w->meta, sizeof(tn_str));
    md->encodings = tn_arena_alloc(&w->meta, 3 * sizeof(int32_t));
    md->encoding_stats = tn_arena_alloc(&w->meta, 3 * sizeof(tn_parquet_page_encoding_stats));
    uint32_t data_pages = cw->page_count ? cw->page_count - 1 : 0; /* slot 0: dictionary */
    ci->pages = tn_arena_calloc(&w->meta, (data_pages ? data_pages : 1) * sizeof(page_entry));
    if (!md->path_in_schema || !md->encodings || !md->encoding_stats || !ci->pages)
        return tn_error_set(err, TN_ENOMEM, "out of memory writing Parquet metadata");
    md->path_in_schema[0] = tn_str_c(p->name);

    /* Encodings: PLAIN when any page is PLAIN (the dictionary page is), RLE for levels,
     * RLE_DICTIONARY when dictionary pages exist. */
    uint32_t ne = 0, ns = 0;
    if (cw->has_dict || cw->plain_pages)
        md->encodings[ne++] = TN_PARQUET_ENC_PLAIN;
    md->encodings[ne++] = TN_PARQUET_ENC_RLE;
    if (cw->has_dict)
        md->encodings[ne++] = TN_PARQUET_ENC_RLE_DICTIONARY;
    md->encoding_count = ne;
    int32_t data_type = w->data_page_v2 ? TN_PARQUET_PAGE_DATA_V2 : TN_PARQUET_PAGE_DATA;
    if (cw->has_dict) {
        md->encoding_stats[ns++] = (tn_parquet_page_encoding_stats){TN_PARQUET_PAGE_DICTIONARY,
                                                                    TN_PARQUET_ENC_PLAIN, 1};
        md->encoding_stats[ns++] = (tn_parquet_page_encoding_stats){
            data_type, TN_PARQUET_ENC_RLE_DICTIONARY, (int32_t)cw->dict_pages};
    }
    if (cw->plain_pages)
        md->encoding_stats[ns++] = (tn_parquet_page_encoding_stats){
            data_type, TN_PARQUET_ENC_PLAIN, (int32_t)cw->plain_pages};
    md->encoding_stats_count = ns;

    /* Bounds of every page for the column index, copied out of the staging buffers. */
    size_t bounds_len = 0;
    bool index_ok = true;
    for (uint32_t i = 1; i < cw->page_count; i++) {
        const value_stats *s = &cw->pages[i].stats;
        if (s->too_long || (!s->has_minmax && s->null_count < (int64_t)cw->pages[i].num_values))
            index_ok = false; /* too long, or only NaNs: no valid bounds for this page */
        if (s->has_minmax)
            bounds_len += s->min.len + s->max.len;
    }
    uint8_t *bounds = NULL;
    if (index_ok && bounds_len) {
        bounds = tn_arena_alloc(&w->meta, bounds_len);
        if (!bounds)
            return tn_error_set(err, TN_ENOMEM, "out of memory writing Parquet metadata");
    }
    ci->bounds = bounds;
    ci->column_index_ok = index_ok;
    ci->page_count = 0;
    size_t bpos = 0;

    for (uint32_t i = cw->has_dict ? 0 : 1; i < cw->page_count; i++) {
        page_buf *pg = &cw->pages[i];
        int64_t at = w->offset;
        if (pg->type == TN_PARQUET_PAGE_DICTIONARY) {
            md->has_dictionary_page_offset = true;
            md->dictionary_page_offset = at;
        } else if (i == 1) {
            md->data_page_offset = at;
        }
        if ((rc = write_page(w, pg, p->nullable, hdr, &total_u, &total_c, err)) != 0)
            return rc;
        if (pg->type == TN_PARQUET_PAGE_DICTIONARY)
            continue;
        page_entry *e = &ci->pages[ci->page_count++];
        e->offset = at;
        e->size = (int32_t)(w->offset - at);
        e->first_row = pg->first_row;
        e->null_count = pg->stats.null_count;
        e->null_page = pg->stats.null_count == (int64_t)pg->num_values;
        if (bounds && pg->stats.has_minmax) {
            e->min_off = (uint32_t)bpos;
            e->min_len = pg->stats.min.len;
            memcpy(bounds + bpos, pq_bound_bytes(&pg->stats.min), e->min_len);
            bpos += e->min_len;
            e->max_off = (uint32_t)bpos;
            e->max_len = pg->stats.max.len;
            memcpy(bounds + bpos, pq_bound_bytes(&pg->stats.max), e->max_len);
            bpos += e->max_len;
        }
    }
    if (data_pages == 0)
        md->data_page_offset = w->offset; /* an empty chunk: no pages at all */
    md->total_uncompressed_size = total_u;
    md->total_compressed_size = total_c;
    md->has_statistics = true;
    if ((rc = pq_chunk_statistics(w, p, &cw->stats, &md->statistics)) != 0)
        return tn_error_set(err, rc, "out of memory writing Parquet statistics");
    /* parquet.thrift: file_offset is deprecated and 0 when no ColumnMetaData is written
     * outside the footer (readers find the chunk through the page offsets above). */
    cc->file_offset = 0;
    return 0;
}

/* Forgets the row group's pages but keeps their buffers for the next one; `all` also frees
 * them (at the end of the file). */
static void release_pages(pq_writer *w, bool all)
{
    for (uint32_t c = 0; c < w->column_count; c++) {
        chunk_work *cw = &w->work[c];
        for (uint32_t i = 0; i < cw->page_cap; i++) {
            cw->pages[i].packed.len = 0;
            if (all)
                tn_buf_free(&cw->pages[i].packed);
        }
        cw->page_count = 0;
        if (all) {
            tn_free(cw->pages);
            cw->pages = NULL;
            cw->page_cap = 0;
            tn_free(cw->indices);
            cw->indices = NULL;
            cw->indices_cap = 0;
            tn_free(cw->stamp);
            cw->stamp = NULL;
            cw->stamp_cap = 0;
            tn_buf_free(&cw->body);
        }
    }
}

static int grow_row_groups(pq_writer *w, tn_error *err)
{
    if (w->row_group_count < w->row_group_cap)
        return 0;
    if (w->row_group_cap >= INT16_MAX)
        return tn_error_set(err, TN_ELIMIT,
                            "a Parquet file holds at most %d row groups; raise row_group_bytes "
                            "or row_group_rows", INT16_MAX);
    uint32_t cap = w->row_group_cap ? w->row_group_cap * 2 : 8;
    tn_parquet_row_group *rg = tn_realloc(w->row_groups, cap * sizeof *rg);
    if (!rg)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    w->row_groups = rg;
    chunk_index **ix = tn_realloc(w->indexes, cap * sizeof *ix);
    if (!ix)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    w->indexes = ix;
    w->row_group_cap = cap;
    return 0;
}

/* Encodes, compresses and writes the rows of ss as one row group, with the tasks on `pool`,
 * then empties ss. */
static int flush_row_group(pq_writer *w, stage_set *ss, tn_pool *pool, tn_error *err)
{
    if (ss->rows == 0)
        return 0;
    w->flushing = ss;
    int rc = grow_row_groups(w, err);
    if (rc)
        return rc;
    tn_buf hdr = TN_BUF_INIT;

    /* Encode and compress, one task per column; then write in order on this thread. */
    rc = tn_pool_run(pool, w->column_count, pq_encode_chunk, w);
    if (rc) {
        tn_error_set(err, rc, "could not run the Parquet encoder tasks");
        goto done;
    }
    for (uint32_t c = 0; c < w->column_count; c++) {
        if (w->work[c].rc) {
            rc = w->work[c].rc;
            *err = w->work[c].err;
            goto done;
        }
    }

    tn_parquet_row_group *rg = &w->row_groups[w->row_group_count];
    memset(rg, 0, sizeof *rg);
    rg->columns = tn_arena_calloc(&w->meta, w->column_count * sizeof *rg->columns + 1);
    chunk_index *ix = tn_arena_calloc(&w->meta, w->column_count * sizeof *ix + 1);
    if (!rg->columns || !ix) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    rg->column_count = w->column_count;
    int64_t start = w->offset, total_u = 0;
    for (uint32_t c = 0; c < w->column_count; c++) {
        if ((rc = write_chunk(w, c, &rg->columns[c], &ix[c], &hdr, err)) != 0)
            goto done;
        total_u += rg->columns[c].meta_data.total_uncompressed_size;
    }
    rg->num_rows = (int64_t)ss->rows;
    rg->total_byte_size = total_u;
    rg->has_file_offset = true;
    rg->file_offset = start;
    rg->has_total_compressed_size = true;
    rg->total_compressed_size = w->offset - start;
    rg->has_ordinal = true;
    rg->ordinal = (int16_t)w->row_group_count;
    w->indexes[w->row_group_count] = ix;
    w->row_group_count++;
    w->total_rows += (int64_t)ss->rows;
    stage_clear(w, ss);

done:
    release_pages(w, false);
    tn_buf_free(&hdr);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Page index and footer
 * ---------------------------------------------------------------------------------------- */

/* ASCENDING/DESCENDING when every non-null page's bounds move one way, else UNORDERED. */
static int32_t boundary_order(const column_plan *p, const chunk_index *ci)
{
    bool asc = true, desc = true;
    const page_entry *prev = NULL;
    for (uint32_t i = 0; i < ci->page_count; i++) {
        const page_entry *e = &ci->pages[i];
        if (e->null_page)
            continue;
        if (prev) {
            int cmin = pq_compare_values(p, ci->bounds + e->min_off, e->min_len,
                                         ci->bounds + prev->min_off, prev->min_len);
            int cmax = pq_compare_values(p, ci->bounds + e->max_off, e->max_len,
                                         ci->bounds + prev->max_off, prev->max_len);
            if (cmin < 0 || cmax < 0)
                asc = false;
            if (cmin > 0 || cmax > 0)
                desc = false;
        }
        prev = e;
    }
    if (asc)
        return TN_PARQUET_ASCENDING;
    if (desc)
        return TN_PARQUET_DESCENDING;
    return TN_PARQUET_UNORDERED;
}

static int write_column_index(pq_writer *w, const column_plan *p, const chunk_index *ci,
                              tn_parquet_column_chunk *cc, tn_buf *buf, tn_error *err)
{
    uint32_t n = ci->page_count;
    tn_parquet_column_index x;
    memset(&x, 0, sizeof x);
    x.page_count = n;
    x.null_pages = tn_malloc((n ? n : 1) * sizeof(bool));
    x.min_values = tn_malloc((n ? n : 1) * sizeof(tn_str));
    x.max_values = tn_malloc((n ? n : 1) * sizeof(tn_str));
    x.null_counts = tn_malloc((n ? n : 1) * sizeof(int64_t));
    int rc = 0;
    if (!x.null_pages || !x.min_values || !x.max_values || !x.null_counts) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory writing a Parquet column index");
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        const page_entry *e = &ci->pages[i];
        x.null_pages[i] = e->null_page;
        x.null_counts[i] = e->null_count;
        if (e->null_page) {
            x.min_values[i] = x.max_values[i] = tn_str_make("", 0);
        } else {
            x.min_values[i] = tn_str_make((const char *)ci->bounds + e->min_off, e->min_len);
            x.max_values[i] = tn_str_make((const char *)ci->bounds + e->max_off, e->max_len);
        }
    }
    x.has_null_counts = true;
    x.boundary_order = boundary_order(p, ci);
    buf->len = 0;
    tn_thrift_writer tw;
    tn_thrift_writer_init(&tw, buf);
    tn_parquet_column_index_write(&tw, &x);
    if (tn_thrift_writer_error(&tw)) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory writing a Parquet column index");
        goto done;
    }
    cc->has_column_index = true;
    cc->column_index_offset = w->offset;
    cc->column_index_length = (int32_t)buf->len;
    rc = emit(w, buf->data, buf->len, err);
done:
    tn_free(x.null_pages);
    tn_free(x.min_values);
    tn_free(x.max_values);
    tn_free(x.null_counts);
    return rc;
}

static int write_offset_index(pq_writer *w, const chunk_index *ci, tn_parquet_column_chunk *cc,
                              tn_buf *buf, tn_error *err)
{
    tn_parquet_offset_index x;
    memset(&x, 0, sizeof x);
    x.page_count = ci->page_count;
    x.page_locations = tn_malloc((ci->page_count ? ci->page_count : 1) * sizeof *x.page_locations);
    if (!x.page_locations)
        return tn_error_set(err, TN_ENOMEM, "out of memory writing a Parquet offset index");
    for (uint32_t i = 0; i < ci->page_count; i++) {
        x.page_locations[i].offset = ci->pages[i].offset;
        x.page_locations[i].compressed_page_size = ci->pages[i].size;
        x.page_locations[i].first_row_index = ci->pages[i].first_row;
    }
    buf->len = 0;
    tn_thrift_writer tw;
    tn_thrift_writer_init(&tw, buf);
    tn_parquet_offset_index_write(&tw, &x);
    tn_free(x.page_locations);
    if (tn_thrift_writer_error(&tw))
        return tn_error_set(err, TN_ENOMEM, "out of memory writing a Parquet offset index");
    cc->has_offset_index = true;
    cc->offset_index_offset = w->offset;
    cc->offset_index_length = (int32_t)buf->len;
    return emit(w, buf->data, buf->len, err);
}

static int write_footer(pq_writer *w, tn_error *err)
{
    tn_buf buf = TN_BUF_INIT;
    tn_parquet_schema_element *schema = NULL;
    uint8_t *orders = NULL;
    int rc = 0;

    /* Page index first: all column indexes, then all offset indexes (PageIndex.md). */
    for (uint32_t g = 0; g < w->row_group_count && !rc; g++)
        for (uint32_t c = 0; c < w->column_count && !rc; c++)
            if (w->indexes[g][c].column_index_ok && w->indexes[g][c].page_count)
                rc = write_column_index(w, &w->plans[c], &w->indexes[g][c],
                                        &w->row_groups[g].columns[c], &buf, err);
    for (uint32_t g = 0; g < w->row_group_count && !rc; g++)
        for (uint32_t c = 0; c < w->column_count && !rc; c++)
            if (w->indexes[g][c].page_count)
                rc = write_offset_index(w, &w->indexes[g][c], &w->row_groups[g].columns[c],
                                        &buf, err);
    if (rc)
        goto done;

    schema = tn_calloc((size_t)w->column_count + 1, sizeof *schema);
    orders = tn_malloc((size_t)w->column_count + 1);
    if (!schema || !orders) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory writing the Parquet footer");
        goto done;
    }
    schema[0].name = TN_STR_LIT("schema");
    schema[0].has_num_children = true;
    schema[0].num_children = (int32_t)w->column_count;
    for (uint32_t c = 0; c < w->column_count; c++) {
        schema_element_for(&w->plans[c], &schema[c + 1]);
        orders[c] = TN_PARQUET_ORDER_TYPE_DEFINED;
    }

    tn_parquet_file_metadata md;
    memset(&md, 0, sizeof md);
    md.version = 1;
    md.schema_count = w->column_count + 1;
    md.schema = schema;
    md.num_rows = w->total_rows;
    md.row_group_count = w->row_group_count;
    md.row_groups = w->row_groups;
    md.key_value_count = w->kv_count;
    md.key_value_metadata = w->kv;
    md.has_created_by = true;
    md.created_by = TN_STR_LIT("tarn version " TARN_VERSION);
    md.column_order_count = w->column_count;
    md.column_orders = orders;

    buf.len = 0;
    tn_thrift_writer tw;
    tn_thrift_writer_init(&tw, &buf);
    tn_parquet_file_metadata_write(&tw, &md);
    if (tn_thrift_writer_error(&tw) || buf.len > UINT32_MAX) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory writing the Parquet footer");
        goto done;
    }
    uint8_t trailer[8];
    uint32_t len = (uint32_t)buf.len;
    memcpy(trailer, &len, 4);
    memcpy(trailer + 4, "PAR1", 4);
    rc = emit(w, buf.data, buf.len, err);
    if (!rc)
        rc = emit(w, trailer, 8, err);
done:
    tn_buf_free(&buf);
    tn_free(schema);
    tn_free(orders);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------------------------- */

/* The background flusher: takes one full set at a time and writes it as a row group. */
static void *flush_thread_main(void *arg)
{
    pq_writer *w = arg;
    pthread_mutex_lock(&w->bg_lock);
    for (;;) {
        while (!w->bg_job && !w->bg_quit)
            pthread_cond_wait(&w->bg_cond, &w->bg_lock);
        if (!w->bg_job)
            break;
        stage_set *job = w->bg_job;
        pthread_mutex_unlock(&w->bg_lock);

        tn_error err = {0};
        int rc = flush_row_group(w, job, w->bg_pool, &err);

        pthread_mutex_lock(&w->bg_lock);
        if (rc && !w->bg_rc) {
            w->bg_rc = rc;
            w->bg_err = err;
        }
        w->bg_job = NULL;
        pthread_cond_broadcast(&w->bg_cond);
    }
    pthread_mutex_unlock(&w->bg_lock);
    return NULL;
}

/* Waits until no row group is being flushed; returns the first background failure. */
static int wait_flushed(pq_writer *w, tn_error *err)
{
    if (!w->bg_started)
        return 0;
    pthread_mutex_lock(&w->bg_lock);
    while (w->bg_job)
        pthread_cond_wait(&w->bg_cond, &w->bg_lock);
    int rc = w->bg_rc;
    if (rc && err)
        *err = w->bg_err;
    pthread_mutex_unlock(&w->bg_lock);
    return rc;
}

/* Lean writers: frees what a flush leaves behind for the next row group (staged values,
 * pages, dictionary, ZSTD contexts), so that an idle writer holds next to nothing; the next
 * row group grows them again. */
static void release_lean(pq_writer *w, stage_set *ss)
{
    for (uint32_t c = 0; c < w->column_count; c++) {
        column_stage *st = &ss->columns[c];
        tn_buf_free(&st->values);
        tn_buf_free(&st->data);
        tn_buf_free(&st->defs);
        tn_free(st->offsets);
        st->offsets = NULL;
        st->offsets_cap = 0;
        tn_parquet_dict_free(&w->work[c].dict);
        tn_parquet_dict_init(&w->work[c].dict, w->plans[c].width);
        tn_buf_free(&w->work[c].scratch);
    }
    release_pages(w, true);
    for (int i = 0; i < w->workers; i++) {
        ZSTD_freeCCtx(w->zstd[i]);
        w->zstd[i] = NULL;
    }
}

/* Flushes the set being filled: in the background when more than one thread may work, so
 * that the caller goes on producing rows; inline otherwise (threads = 1).
 *
 * The flusher thread never runs its tasks on the shared pool: the caller may itself be a
 * task of that pool (a parallel export), and would then wait for the flusher while holding
 * the pool the flusher waits for. A pool of its own rules that out; its threads sleep
 * whenever no row group is being flushed. */
static int flush_filled(pq_writer *w, tn_error *err)
{
    stage_set *ss = &w->sets[w->fill];
    int rc = wait_flushed(w, err);
    if (rc)
        return rc;
    if (w->lean) {
        rc = flush_row_group(w, ss, w->pool, err);
        release_lean(w, ss);
        return rc;
    }
    if (!w->pool)
        return flush_row_group(w, ss, NULL, err);
    if (!w->bg_started) {
        if (!w->bg_pool) {
            if (w->own_pool) {
                w->bg_pool = w->pool; /* already private to this writer */
            } else if (tn_pool_create(w->workers, &w->bg_pool) == 0) {
                w->own_bg_pool = true;
            } else {
                w->bg_pool = NULL;
                return flush_row_group(w, ss, w->pool, err); /* no threads: flush inline */
            }
        }
        if (pthread_create(&w->bg_thread, NULL, flush_thread_main, w) != 0)
            return flush_row_group(w, ss, w->pool, err);
        w->bg_started = true;
    }
    pthread_mutex_lock(&w->bg_lock);
    w->bg_job = ss;
    pthread_cond_broadcast(&w->bg_cond);
    pthread_mutex_unlock(&w->bg_lock);
    w->fill ^= 1; /* the other set was emptied by its flush */
    return 0;
}

static void stop_flush_thread(pq_writer *w)
{
    if (!w->bg_started)
        return;
    pthread_mutex_lock(&w->bg_lock);
    while (w->bg_job)
        pthread_cond_wait(&w->bg_cond, &w->bg_lock);
    w->bg_quit = true;
    pthread_cond_broadcast(&w->bg_cond);
    pthread_mutex_unlock(&w->bg_lock);
    pthread_join(w->bg_thread, NULL);
    w->bg_started = false;
}

static void writer_free(pq_writer *w)
{
    if (!w)
        return;
    stop_flush_thread(w);
    pthread_mutex_destroy(&w->bg_lock);
    pthread_cond_destroy(&w->bg_cond);
    if (w->file_open)
        tn_atomic_file_abort(&w->file);
    for (int k = 0; k < 2; k++) {
        column_stage *cols = w->sets[k].columns;
        for (uint32_t c = 0; cols && c < w->column_count; c++) {
            tn_buf_free(&cols[c].values);
            tn_buf_free(&cols[c].data);
            tn_buf_free(&cols[c].defs);
            tn_free(cols[c].offsets);
        }
        tn_free(cols);
    }
    if (w->work) {
        release_pages(w, true);
        for (uint32_t c = 0; c < w->column_count; c++) {
            tn_parquet_dict_free(&w->work[c].dict);
            tn_buf_free(&w->work[c].scratch);
        }
    }
    if (w->zstd) {
        for (int i = 0; i < w->workers; i++)
            ZSTD_freeCCtx(w->zstd[i]);
        tn_free(w->zstd);
    }
    if (w->own_bg_pool)
        tn_pool_destroy(w->bg_pool);
    if (w->own_pool)
        tn_pool_destroy(w->pool);
    tn_free(w->work);
    tn_free(w->plans);
    tn_free(w->row_groups);
    tn_free(w->indexes);
    tn_free(w->kv);
    tn_arena_free(&w->meta);
    tn_schema_unref(w->schema);
    tn_free(w);
}

/* Opens `path` (through a temporary file) for a Parquet file of `schema`. Reads the Parquet
 * fields of opts (NULL = defaults). Returns 0 with *state set, or TN_EINVAL (bad option),
 * TN_EUNSUPPORTED (a column type Parquet output cannot hold), TN_ENOMEM, TN_EIO. */
int tn_parquet_writer_open(const char *path, const tn_schema *schema,
                           const tn_write_options *opts, void **state, tn_error *err)
{
    static const tn_write_options defaults;
    if (!opts)
        opts = &defaults;
    *state = NULL;
    int rc;
    pq_writer *w = tn_calloc(1, sizeof *w);
    if (!w)
        return tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
    tn_arena_init(&w->meta, 0);
    pthread_mutex_init(&w->bg_lock, NULL);
    pthread_cond_init(&w->bg_cond, NULL);

    const char *codec_name = opts->compression ? opts->compression : "zstd";
    if ((rc = tn_codec_parse(codec_name, &w->codec, err)) != 0) {
        tn_error_set_key(err, "compression");
        goto fail;
    }
    if (!tn_codec_supported(w->codec) || w->codec == TN_CODEC_LZ4) {
        rc = tn_error_set(err, TN_EINVAL, "compression '%s' cannot be written; use zstd, snappy, "
                          "gzip, brotli, lz4 or none", codec_name);
        tn_error_set_key(err, "compression");
        goto fail;
    }
    w->level = opts->compression_level;
    if (w->codec == TN_CODEC_ZSTD && (w->level < ZSTD_minCLevel() || w->level > ZSTD_maxCLevel())) {
        rc = tn_error_set(err, TN_EINVAL, "compression_level %d is outside ZSTD's range %d..%d",
                          w->level, ZSTD_minCLevel(), ZSTD_maxCLevel());
        tn_error_set_key(err, "compression_level");
        goto fail;
    }
    if (opts->row_group_rows < 0 || opts->row_group_bytes < 0 || opts->page_bytes < 0) {
        rc = tn_error_set(err, TN_EINVAL, "row group and page sizes must not be negative");
        goto fail;
    }
    w->row_group_rows = opts->row_group_rows;
    w->row_group_bytes = opts->row_group_bytes ? opts->row_group_bytes : DEFAULT_ROW_GROUP_BYTES;
    w->page_bytes = opts->page_bytes ? opts->page_bytes : DEFAULT_PAGE_BYTES;
    w->data_page_v2 = opts->data_page_v2;
    w->dictionary = !opts->no_dictionary;

    w->schema = tn_schema_copy(schema);
    if (!w->schema) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
        goto fail;
    }
    w->column_count = w->schema->column_count;
    size_t nc = w->column_count ? w->column_count : 1;
    w->plans = tn_calloc(nc, sizeof *w->plans);
    w->sets[0].columns = tn_calloc(nc, sizeof(column_stage));
    w->sets[1].columns = tn_calloc(nc, sizeof(column_stage));
    w->work = tn_calloc(nc, sizeof *w->work);
    if (!w->plans || !w->sets[0].columns || !w->sets[1].columns || !w->work) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
        goto fail;
    }
    for (uint32_t c = 0; c < w->column_count; c++) {
        const tn_column *col = &w->schema->columns[c];
        if (col->type.id <= TN_TYPE_INVALID || col->type.id >= TN_TYPE_COUNT ||
            (col->type.id == TN_TYPE_DECIMAL &&
             (col->type.precision < 1 || col->type.precision > TN_DECIMAL_MAX_PRECISION))) {
            rc = tn_error_set(err, TN_EUNSUPPORTED, "column '%s' has a type Parquet output "
                              "does not support", col->name);
            tn_error_set_key(err, col->name);
            goto fail;
        }
        plan_column(&w->plans[c], col, c);
        tn_parquet_dict_init(&w->work[c].dict, w->plans[c].width);
    }

    /* Key/value metadata: pairs until a NULL key. */
    if (opts->metadata) {
        uint32_t n = 0;
        while (opts->metadata[2 * n])
            n++;
        if (n) {
            w->kv = tn_calloc(n, sizeof *w->kv);
            if (!w->kv) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
                goto fail;
            }
            for (uint32_t i = 0; i < n; i++) {
                const char *k = tn_arena_strdup(&w->meta, opts->metadata[2 * i]);
                const char *v = opts->metadata[2 * i + 1]
                                    ? tn_arena_strdup(&w->meta, opts->metadata[2 * i + 1])
                                    : NULL;
                if (!k || (opts->metadata[2 * i + 1] && !v)) {
                    rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
                    goto fail;
                }
                w->kv[i].key = tn_str_c(k);
                w->kv[i].has_value = v != NULL;
                w->kv[i].value = tn_str_c(v);
            }
            w->kv_count = n;
        }
    }

    w->lean = opts->lean;
    w->file_group = opts->file_group;
    if (opts->threads == 1) {
        w->pool = NULL;
        w->workers = 1;
    } else if (opts->threads > 1 && !w->lean) {
        if ((rc = tn_pool_create(opts->threads, &w->pool)) != 0) {
            tn_error_set(err, rc, "could not start %d writer threads", opts->threads);
            goto fail;
        }
        w->own_pool = true;
        w->workers = tn_pool_threads(w->pool);
    } else {
        w->pool = tn_pool_shared();
        w->workers = w->pool ? tn_pool_threads(w->pool) : 1;
    }
    w->zstd = tn_calloc((size_t)w->workers, sizeof *w->zstd);
    if (!w->zstd) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet writer");
        goto fail;
    }

    if ((rc = tn_atomic_file_open(&w->file, path, err)) != 0)
        goto fail;
    w->file_open = true;
    if ((rc = emit(w, "PAR1", 4, err)) != 0)
        goto fail;
    *state = w;
    return 0;

fail:
    writer_free(w);
    return rc;
}

/* Stages a batch; flushes a row group whenever one is full. The batch's columns must match
 * the schema given at open (types, count). Returns 0, TN_ETYPE, TN_EINVAL (NULL in a NOT
 * NULL column), TN_ENOMEM or TN_EIO. */
int tn_parquet_writer_write(void *state, const tn_batch *batch, tn_error *err)
{
    pq_writer *w = state;
    if (!w || !batch)
        return tn_error_set(err, TN_EINVAL, "no Parquet writer or batch");
    if (batch->schema->column_count != w->column_count)
        return tn_error_set(err, TN_ETYPE, "batch has %u columns, the Parquet file %u",
                            batch->schema->column_count, w->column_count);
    for (uint32_t c = 0; c < w->column_count; c++) {
        if (!tn_type_eq(batch->columns[c].type, w->plans[c].type)) {
            tn_error_set(err, TN_ETYPE, "column '%s' of the batch does not have the type the "
                         "Parquet file was opened with", w->plans[c].name);
            tn_error_set_key(err, w->plans[c].name);
            return TN_ETYPE;
        }
    }
    uint32_t from = 0;
    while (from < batch->row_count) {
        stage_set *ss = &w->sets[w->fill];
        uint32_t to = batch->row_count;
        if (w->row_group_rows && (int64_t)(ss->rows + (to - from)) > w->row_group_rows)
            to = from + (uint32_t)(w->row_group_rows - (int64_t)ss->rows);
        if (ss->rows && stage_would_overflow(w, ss, batch, from, to)) {
            int rc = flush_filled(w, err);
            if (rc)
                return rc;
            continue;
        }
        for (uint32_t c = 0; c < w->column_count; c++) {
            int rc = stage_vector(w, ss, c, &batch->columns[c], from, to, err);
            if (rc)
                return rc;
        }
        ss->rows += to - from;
        w->rows_staged += to - from;
        from = to;
        if (!ss->sized && !w->lean && ss->rows >= TN_BATCH_ROWS)
            stage_presize(w, ss); /* lean writers grow as they fill: many are small */
        bool full = (w->row_group_rows && (int64_t)ss->rows >= w->row_group_rows) ||
                    (int64_t)ss->bytes >= w->row_group_bytes ||
                    ss->rows >= (size_t)INT32_MAX - TN_BATCH_ROWS;
        if (full) {
            int rc = flush_filled(w, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Writes the last row group, the page index and the footer, then makes the file appear.
 * Frees the writer whatever happens. Returns 0 or the first error. */
int tn_parquet_writer_finish(void *state, tn_error *err)
{
    pq_writer *w = state;
    if (!w)
        return tn_error_set(err, TN_EINVAL, "no Parquet writer");
    int rc = wait_flushed(w, err);
    if (!rc)
        rc = flush_row_group(w, &w->sets[w->fill], w->pool, err);
    stop_flush_thread(w);
    if (!rc)
        rc = write_footer(w, err);
    if (!rc) {
        rc = tn_atomic_file_finish(&w->file, w->file_group, err);
        if (!rc)
            w->file_open = false;
    }
    writer_free(w);
    return rc;
}

/* Bytes staged for the row group being filled (their PLAIN size). */
int64_t tn_parquet_writer_buffered(void *state)
{
    pq_writer *w = state;
    return w ? (int64_t)w->sets[w->fill].bytes : 0;
}

/* Writes the rows staged so far as a row group of their own (a short one). Returns 0 or the
 * flush's error. */
int tn_parquet_writer_flush(void *state, tn_error *err)
{
    pq_writer *w = state;
    if (!w)
        return tn_error_set(err, TN_EINVAL, "no Parquet writer");
    return w->sets[w->fill].rows ? flush_filled(w, err) : 0;
}

/* Drops everything written so far (the temporary file is removed) and frees the writer. */
void tn_parquet_writer_abort(void *state) { writer_free(state); }

