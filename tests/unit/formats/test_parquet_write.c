/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the Parquet writer (formats/parquet/writer.c, encode.c).
 *
 * Files are written for every type x codec x nullability x encoding (dictionary/PLAIN) x data
 * page version and checked three ways:
 *   - structure, with tarn's own metadata decoder: magic, footer, schema annotations, every
 *     page header walked and decompressed, definition levels counted against the statistics,
 *     offset and column indexes against the pages actually written;
 *   - values, read back through the Parquet format plugin when its reader is available;
 *   - by DuckDB, in tests/e2e/parquet_duckdb.test.mjs: it runs the `corpus` test below with
 *     TARN_PARQUET_CORPUS=<folder>, which keeps the files and a manifest.json describing them.
 *
 * The data are a pure function of the row number (row_value below); the e2e script computes
 * the same function, so change both together.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/formats.h"
#include "formats/parquet/codec.h"
#include "formats/parquet/decode.h"
#include "formats/parquet/encode.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/parquet_write.h"

/* ---- the corpus data ------------------------------------------------------------------------ */

enum {
    COL_B, COL_I, COL_L, COL_F, COL_D, COL_D4, COL_D15, COL_D20, COL_D38, COL_DT, COL_TS, COL_TZ,
    COL_V, COL_BL, COL_U, COL_S, COL_COUNT
};

static const char *const col_names[COL_COUNT] = {"b",   "i",  "l",  "f",  "d",  "d4",
                                                 "d15", "d20", "d38", "dt", "ts", "tz",
                                                 "v",   "bl", "u",  "s"};

static tn_type col_type(int c)
{
    switch (c) {
    case COL_B: return tn_type_make(TN_TYPE_BOOLEAN);
    case COL_I: return tn_type_make(TN_TYPE_INTEGER);
    case COL_L: case COL_U: return tn_type_make(TN_TYPE_BIGINT);
    case COL_F: return tn_type_make(TN_TYPE_REAL);
    case COL_D: return tn_type_make(TN_TYPE_DOUBLE);
    case COL_D4: return tn_type_decimal(4, 2);
    case COL_D15: return tn_type_decimal(15, 3);
    case COL_D20: return tn_type_decimal(20, 2);
    case COL_D38: return tn_type_decimal(38, 10);
    case COL_DT: return tn_type_make(TN_TYPE_DATE);
    case COL_TS: return tn_type_make(TN_TYPE_TIMESTAMP);
    case COL_TZ: return tn_type_make(TN_TYPE_TIMESTAMPTZ);
    case COL_V: case COL_S: return tn_type_make(TN_TYPE_VARCHAR);
    default: return tn_type_make(TN_TYPE_BLOB);
    }
}

static tn_i128 pow10_i128(int n)
{
    tn_i128 v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

static bool row_is_null(int64_t r, bool nullable) { return nullable && r % 7 == 3; }

/* Row r of column c into row `row` of v (VARCHAR/BLOB rows must come in order). */
static void row_value(int c, int64_t r, bool nullable, tn_vector *v, uint32_t row)
{
    if (row_is_null(r, nullable)) {
        tn_vector_append_null(v, row);
        return;
    }
    int64_t k = r % 1000;
    char buf[64];
    switch (c) {
    case COL_B: tn_vector_set_bool(v, row, r % 3 == 0); break;
    case COL_I:
        tn_vector_i32(v)[row] = k == 1 ? INT32_MIN : k == 2 ? INT32_MAX : (int32_t)(r * 13 - 100000);
        break;
    case COL_L:
        tn_vector_i64(v)[row] = k == 1 ? INT64_MIN : k == 2 ? INT64_MAX : r * 1000000007LL;
        break;
    case COL_F:
        tn_vector_f32(v)[row] = k == 5 ? NAN : r == 6 ? INFINITY : r == 7 ? -INFINITY
                              : k == 8 ? -0.0f : (float)r * 0.5f - 3.0f;
        break;
    case COL_D:
        tn_vector_f64(v)[row] = k == 5 ? NAN : r == 6 ? INFINITY : r == 7 ? -INFINITY
                              : k == 8 ? -0.0 : (double)(r % 100) * 0.25 - 7.0;
        break;
    case COL_D4: tn_vector_set_decimal(v, row, (r % 19999) - 9999); break;
    case COL_D15: tn_vector_set_decimal(v, row, (tn_i128)r * 12345678901LL - 5); break;
    case COL_D20:
        tn_vector_set_decimal(v, row, k == 1 ? -(pow10_i128(20) - 1) : k == 2 ? pow10_i128(20) - 1
                               : (tn_i128)r * 1000003 * (r % 2 ? -1 : 1));
        break;
    case COL_D38:
        tn_vector_set_decimal(v, row, k == 1 ? -(pow10_i128(38) - 1) : k == 2 ? pow10_i128(38) - 1
                               : (tn_i128)r * pow10_i128(18) * (r % 2 ? -1 : 1));
        break;
    case COL_DT:
        tn_vector_i32(v)[row] = k == 1 ? -25000 : k == 2 ? 2932896 : (int32_t)(18000 + r % 1000);
        break;
    case COL_TS: tn_vector_i64(v)[row] = 1700000000000000LL + r * 1000001LL; break;
    case COL_TZ: tn_vector_i64(v)[row] = 1700000000000000LL - r * 3LL; break;
    case COL_V:
        if (k == 9) {
            tn_vector_append_str(v, row, "", 0);
        } else if (k == 10) {
            static const char s[] = "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93";
            tn_vector_append_str(v, row, s, sizeof s - 1);
        } else if (r % 5000 == 11) {
            char big[5000];
            memset(big, 'x', sizeof big);
            tn_vector_append_str(v, row, big, sizeof big);
        } else {
            int n = snprintf(buf, sizeof buf, "val-%d", (int)(r % 50));
            tn_vector_append_str(v, row, buf, (size_t)n);
        }
        break;
    case COL_BL:
        if (k == 9) {
            tn_vector_append_str(v, row, "", 0);
        } else {
            int n = snprintf(buf, sizeof buf, "b\x01\xff%lld", (long long)r);
            tn_vector_append_str(v, row, buf, (size_t)n);
        }
        break;
    case COL_U: tn_vector_i64(v)[row] = r / 2; break;
    case COL_S: {
        int n = snprintf(buf, sizeof buf, "id-%lld", (long long)(r / 2));
        tn_vector_append_str(v, row, buf, (size_t)n);
        break;
    }
    }
}

static tn_schema *corpus_schema(bool nullable)
{
    tn_schema *s = tn_schema_new();
    cr_assert_not_null(s);
    for (int c = 0; c < COL_COUNT; c++)
        cr_assert_eq(tn_schema_add(s, col_names[c], col_type(c), nullable), 0);
    /* Explicit field ids on a few columns; the rest get their 1-based position. */
    s->columns[COL_V].field_id = 1000;
    s->columns[COL_S].field_id = 77;
    return s;
}

static int32_t expected_field_id(int c)
{
    return c == COL_V ? 1000 : c == COL_S ? 77 : c + 1;
}

typedef struct corpus_file {
    const char *name;
    tn_write_options opts;
    int64_t rows;
    bool nullable;
} corpus_file;

/* Writes rows [0, rows) in batches of uneven sizes (so batch and page edges differ). */
static int write_corpus_file(const char *path, const corpus_file *cf, tn_error *err)
{
    tn_schema *schema = corpus_schema(cf->nullable);
    void *state = NULL;
    int rc = tn_parquet_writer_open(path, schema, &cf->opts, &state, err);
    if (rc) {
        tn_schema_unref(schema);
        return rc;
    }
    int64_t r = 0;
    uint32_t sizes[] = {2048, 1, 777, 2048, 100, 1500};
    int turn = 0;
    while (r < cf->rows && !rc) {
        uint32_t n = sizes[turn++ % 6];
        if ((int64_t)n > cf->rows - r)
            n = (uint32_t)(cf->rows - r);
        tn_batch *b = tn_batch_new(schema, 0);
        cr_assert_not_null(b);
        for (uint32_t i = 0; i < n; i++)
            for (int c = 0; c < COL_COUNT; c++)
                row_value(c, r + i, cf->nullable, &b->columns[c], i);
        b->row_count = n;
        rc = tn_parquet_writer_write(state, b, err);
        tn_batch_free(b);
        r += n;
    }
    if (rc)
        tn_parquet_writer_abort(state);
    else
        rc = tn_parquet_writer_finish(state, err);
    tn_schema_unref(schema);
    return rc;
}

/* ---- structural checks with tarn's own decoders ------------------------------------------ */

static int32_t expected_physical(int c)
{
    switch (c) {
    case COL_B: return TN_PARQUET_BOOLEAN;
    case COL_I: case COL_D4: case COL_DT: return TN_PARQUET_INT32;
    case COL_L: case COL_D15: case COL_TS: case COL_TZ: case COL_U: return TN_PARQUET_INT64;
    case COL_F: return TN_PARQUET_FLOAT;
    case COL_D: return TN_PARQUET_DOUBLE;
    case COL_D20: case COL_D38: return TN_PARQUET_FIXED_LEN_BYTE_ARRAY;
    default: return TN_PARQUET_BYTE_ARRAY;
    }
}

typedef struct check_result {
    int64_t rows;
    uint32_t row_groups;
    uint32_t dict_chunks;  /* chunks with a dictionary page */
    uint32_t plain_pages;  /* PLAIN data pages */
    uint32_t dict_pages;   /* RLE_DICTIONARY data pages */
    uint32_t column_indexes;
    int64_t nulls;
} check_result;

static void check_schema(const tn_parquet_file_metadata *md, int column_count, bool nullable)
{
    cr_assert_eq(md->schema_count, (uint32_t)column_count + 1);
    cr_assert(tn_str_eq(md->schema[0].name, TN_STR_LIT("schema")));
    cr_assert_eq(md->schema[0].num_children, column_count);
    for (int c = 0; c < column_count; c++) {
        const tn_parquet_schema_element *e = &md->schema[c + 1];
        cr_assert(tn_str_eq(e->name, tn_str_c(col_names[c])));
        cr_assert_eq(e->type, expected_physical(c), "column %s", col_names[c]);
        cr_assert_eq(e->repetition, nullable ? TN_PARQUET_OPTIONAL : TN_PARQUET_REQUIRED);
        cr_assert(e->has_field_id);
        cr_assert_eq(e->field_id, expected_field_id(c));
        tn_type t = col_type(c);
        switch (t.id) {
        case TN_TYPE_DECIMAL:
            cr_assert_eq(e->logical.kind, TN_PARQUET_LT_DECIMAL);
            cr_assert_eq(e->logical.precision, t.precision);
            cr_assert_eq(e->logical.scale, t.scale);
            cr_assert_eq(e->converted_type, TN_PARQUET_CT_DECIMAL);
            cr_assert_eq(e->precision, t.precision);
            cr_assert_eq(e->scale, t.scale);
            if (e->type == TN_PARQUET_FIXED_LEN_BYTE_ARRAY)
                cr_assert_eq(e->type_length, t.precision == 20 ? 9 : 16);
            break;
        case TN_TYPE_DATE: cr_assert_eq(e->logical.kind, TN_PARQUET_LT_DATE); break;
        case TN_TYPE_TIMESTAMP:
        case TN_TYPE_TIMESTAMPTZ:
            cr_assert_eq(e->logical.kind, TN_PARQUET_LT_TIMESTAMP);
            cr_assert_eq(e->logical.unit, TN_PARQUET_MICROS);
            cr_assert_eq(e->logical.is_adjusted_to_utc, t.id == TN_TYPE_TIMESTAMPTZ);
            cr_assert_eq(e->converted_type, TN_PARQUET_CT_TIMESTAMP_MICROS);
            break;
        case TN_TYPE_VARCHAR:
            cr_assert_eq(e->logical.kind, TN_PARQUET_LT_STRING);
            cr_assert_eq(e->converted_type, TN_PARQUET_CT_UTF8);
            break;
        default: cr_assert_eq(e->logical.kind, TN_PARQUET_LT_NONE); break;
        }
    }
}

/* Walks one column chunk's pages and indexes. */
static void check_chunk(const uint8_t *file, size_t file_len, const tn_parquet_column_chunk *cc,
                        int64_t rg_rows, bool nullable, check_result *res)
{
    const tn_parquet_column_metadata *m = &cc->meta_data;
    cr_assert_eq(m->num_values, rg_rows);
    int64_t pos = m->has_dictionary_page_offset ? m->dictionary_page_offset : m->data_page_offset;
    int64_t end = pos + m->total_compressed_size;
    cr_assert_leq(end, (int64_t)file_len);
    int64_t values = 0, nulls = 0, total_u = 0;
    uint32_t data_pages = 0;
    int64_t offsets[4096];
    int64_t first_rows[4096];
    bool first = true;
    while (pos < end) {
        tn_parquet_page_header h;
        size_t hl = 0;
        tn_error err = {0};
        cr_assert_eq(tn_parquet_page_header_decode(file + pos, (size_t)(end - pos), &h, &hl, &err),
                     0, "%s", err.message);
        const uint8_t *body = file + pos + hl;
        cr_assert_leq(pos + (int64_t)hl + h.compressed_page_size, end);
        total_u += (int64_t)hl + h.uncompressed_page_size;
        uint8_t *raw = tn_malloc((size_t)h.uncompressed_page_size + 1);
        size_t levels_len = 0;
        if (h.type == TN_PARQUET_PAGE_DATA_V2) {
            levels_len = (size_t)h.data_page_header_v2.definition_levels_byte_length;
            memcpy(raw, body, levels_len);
        }
        bool compressed = !(h.type == TN_PARQUET_PAGE_DATA_V2 && !h.data_page_header_v2.is_compressed);
        if (compressed)
            cr_assert_eq(tn_codec_decompress(m->codec, body + levels_len,
                                             (size_t)h.compressed_page_size - levels_len,
                                             raw + levels_len,
                                             (size_t)h.uncompressed_page_size - levels_len, &err),
                         0, "%s", err.message);
        else
            memcpy(raw, body, (size_t)h.compressed_page_size);
        if (h.type == TN_PARQUET_PAGE_DICTIONARY) {
            cr_assert(first, "the dictionary page comes first");
            cr_assert(m->has_dictionary_page_offset);
            cr_assert_eq(m->dictionary_page_offset, pos);
            cr_assert(h.has_dictionary_page_header);
            cr_assert_eq(h.dictionary_page_header.encoding, TN_PARQUET_ENC_PLAIN);
            res->dict_chunks++;
        } else {
            cr_assert(h.type == TN_PARQUET_PAGE_DATA || h.type == TN_PARQUET_PAGE_DATA_V2);
            if (data_pages == 0)
                cr_assert_eq(m->data_page_offset, pos);
            int32_t n = h.type == TN_PARQUET_PAGE_DATA ? h.data_page_header.num_values
                                                       : h.data_page_header_v2.num_values;
            int32_t enc = h.type == TN_PARQUET_PAGE_DATA ? h.data_page_header.encoding
                                                         : h.data_page_header_v2.encoding;
            if (enc == TN_PARQUET_ENC_PLAIN)
                res->plain_pages++;
            else {
                cr_assert_eq(enc, TN_PARQUET_ENC_RLE_DICTIONARY);
                res->dict_pages++;
            }
            /* Count nulls from the definition levels. */
            int64_t page_nulls = 0;
            if (nullable) {
                const uint8_t *lv = raw;
                size_t lv_len = levels_len;
                if (h.type == TN_PARQUET_PAGE_DATA) {
                    uint32_t l32;
                    memcpy(&l32, raw, 4);
                    lv = raw + 4;
                    lv_len = l32;
                }
                tn_parquet_rle rle;
                tn_parquet_rle_init(&rle, lv, lv_len, 1);
                uint8_t *levels = tn_malloc((size_t)n + 1);
                cr_assert_eq(tn_parquet_rle_get_u8(&rle, levels, (size_t)n, &err), 0, "%s",
                             err.message);
                for (int32_t i = 0; i < n; i++)
                    page_nulls += levels[i] == 0;
                tn_free(levels);
            }
            if (h.type == TN_PARQUET_PAGE_DATA_V2) {
                cr_assert_eq(h.data_page_header_v2.num_nulls, page_nulls);
                cr_assert_eq(h.data_page_header_v2.num_rows, n);
            }
            cr_assert_lt(data_pages, 4096);
            offsets[data_pages] = pos;
            first_rows[data_pages] = values;
            data_pages++;
            values += n;
            nulls += page_nulls;
        }
        tn_free(raw);
        pos += (int64_t)hl + h.compressed_page_size;
        first = false;
    }
    cr_assert_eq(pos, end, "pages fill exactly total_compressed_size");
    cr_assert_eq(values, rg_rows);
    cr_assert_eq(total_u, m->total_uncompressed_size);
    cr_assert(m->has_statistics);
    cr_assert(m->statistics.has_null_count);
    cr_assert_eq(m->statistics.null_count, nulls);
    res->nulls += nulls;

    /* Offset index: one location per data page, exactly where the pages are. */
    if (data_pages) {
        cr_assert(cc->has_offset_index);
        tn_arena arena;
        tn_arena_init(&arena, 0);
        tn_parquet_offset_index oi;
        tn_error err = {0};
        cr_assert_leq(cc->offset_index_offset + cc->offset_index_length, (int64_t)file_len);
        cr_assert_eq(tn_parquet_offset_index_decode(file + cc->offset_index_offset,
                                                    (size_t)cc->offset_index_length, &arena, &oi,
                                                    &err),
                     0, "%s", err.message);
        cr_assert_eq(oi.page_count, data_pages);
        for (uint32_t i = 0; i < data_pages; i++) {
            cr_assert_eq(oi.page_locations[i].offset, offsets[i]);
            cr_assert_eq(oi.page_locations[i].first_row_index, first_rows[i]);
            int64_t next = i + 1 < data_pages ? offsets[i + 1] : end;
            cr_assert_eq(oi.page_locations[i].compressed_page_size, next - offsets[i]);
        }
        if (cc->has_column_index) {
            tn_parquet_column_index ci;
            cr_assert_eq(tn_parquet_column_index_decode(file + cc->column_index_offset,
                                                        (size_t)cc->column_index_length, &arena,
                                                        &ci, &err),
                         0, "%s", err.message);
            cr_assert_eq(ci.page_count, data_pages);
            cr_assert(ci.has_null_counts);
            int64_t sum = 0;
            for (uint32_t i = 0; i < data_pages; i++) {
                sum += ci.null_counts[i];
                if (ci.null_pages[i])
                    cr_assert_eq(ci.min_values[i].len, 0, "null pages have empty bounds");
            }
            cr_assert_eq(sum, nulls);
            res->column_indexes++;
        }
        tn_arena_free(&arena);
    }
}

static check_result check_file(const char *path, int column_count, bool nullable)
{
    check_result res = {0};
    char *data = NULL;
    size_t len = 0;
    tn_error err = {0};
    cr_assert_eq(tn_file_read_all(path, &data, &len, &err), 0, "%s", err.message);
    cr_assert_geq(len, 12u);
    cr_assert_arr_eq(data, "PAR1", 4);
    cr_assert_arr_eq(data + len - 4, "PAR1", 4);
    uint32_t footer_len;
    memcpy(&footer_len, data + len - 8, 4);
    cr_assert_leq((size_t)footer_len + 12, len);
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_parquet_file_metadata md;
    cr_assert_eq(tn_parquet_file_metadata_decode(data + len - 8 - footer_len, footer_len, &arena,
                                                 &md, &err),
                 0, "%s", err.message);
    cr_assert(md.has_created_by);
    cr_assert(tn_str_eq(md.created_by, TN_STR_LIT("tarn version " TARN_VERSION)));
    cr_assert_eq(md.column_order_count, (uint32_t)column_count);
    check_schema(&md, column_count, nullable);
    int64_t rows = 0, pos = 4;
    for (uint32_t g = 0; g < md.row_group_count; g++) {
        const tn_parquet_row_group *rg = &md.row_groups[g];
        cr_assert_eq(rg->ordinal, (int16_t)g);
        cr_assert_eq(rg->file_offset, pos, "row groups follow each other");
        int64_t sum = 0;
        for (uint32_t c = 0; c < rg->column_count; c++) {
            const tn_parquet_column_chunk *cc = &rg->columns[c];
            cr_assert_eq(cc->meta_data.type, expected_physical((int)c));
            cr_assert_eq(cc->meta_data.path_count, 1);
            cr_assert(tn_str_eq(cc->meta_data.path_in_schema[0], tn_str_c(col_names[c])));
            check_chunk((const uint8_t *)data, len, cc, rg->num_rows, nullable, &res);
            sum += cc->meta_data.total_compressed_size;
        }
        cr_assert_eq(rg->total_compressed_size, sum);
        pos += sum;
        rows += rg->num_rows;
    }
    cr_assert_eq(rows, md.num_rows);
    res.rows = rows;
    res.row_groups = md.row_group_count;
    tn_arena_free(&arena);
    tn_free(data);
    return res;
}

/* ---- reading back through the plugin (when the reader exists) ---------------------------- */

static bool values_equal(const tn_vector *a, uint32_t ra, const tn_vector *b, uint32_t rb)
{
    bool va = tn_vector_is_valid(a, ra), vb = tn_vector_is_valid(b, rb);
    if (va != vb)
        return false;
    if (!va)
        return true;
    switch (a->type.id) {
    case TN_TYPE_BOOLEAN: return tn_vector_get_bool(a, ra) == tn_vector_get_bool(b, rb);
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: return tn_vector_i32(a)[ra] == tn_vector_i32(b)[rb];
    case TN_TYPE_REAL: return memcmp(&tn_vector_f32(a)[ra], &tn_vector_f32(b)[rb], 4) == 0 ||
                              (isnan(tn_vector_f32(a)[ra]) && isnan(tn_vector_f32(b)[rb]));
    case TN_TYPE_DOUBLE: return memcmp(&tn_vector_f64(a)[ra], &tn_vector_f64(b)[rb], 8) == 0 ||
                                (isnan(tn_vector_f64(a)[ra]) && isnan(tn_vector_f64(b)[rb]));
    case TN_TYPE_DECIMAL: return tn_vector_get_decimal(a, ra) == tn_vector_get_decimal(b, rb);
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: return tn_str_eq(tn_vector_get_str(a, ra), tn_vector_get_str(b, rb));
    default: return tn_vector_i64(a)[ra] == tn_vector_i64(b)[rb];
    }
}

/* Reads the file back and compares every value; false when no reader is available yet. */
static bool read_back(const char *path, const corpus_file *cf)
{
    tn_read_options ro = {0};
    void *state = NULL;
    tn_error err = {0};
    int rc = tn_format_parquet.reader_open(path, &ro, &state, &err);
    if (rc == TN_EUNSUPPORTED)
        return false;
    cr_assert_eq(rc, 0, "%s", err.message);
    const tn_schema *s = tn_format_parquet.reader_schema(state);
    cr_assert_eq(s->column_count, (uint32_t)COL_COUNT);
    tn_schema *expect_schema = corpus_schema(cf->nullable);
    for (int c = 0; c < COL_COUNT; c++) {
        cr_assert_str_eq(s->columns[c].name, col_names[c]);
        cr_assert(tn_type_eq(s->columns[c].type, col_type(c)), "column %s", col_names[c]);
    }
    int64_t r = 0;
    tn_batch *expect = tn_batch_new(expect_schema, 0);
    for (;;) {
        tn_batch *b = NULL;
        cr_assert_eq(tn_format_parquet.reader_next(state, &b, &err), 0, "%s", err.message);
        if (!b)
            break;
        tn_batch_reset(expect);
        for (uint32_t i = 0; i < b->row_count; i++)
            for (int c = 0; c < COL_COUNT; c++)
                row_value(c, r + i, cf->nullable, &expect->columns[c], i);
        for (uint32_t i = 0; i < b->row_count; i++)
            for (int c = 0; c < COL_COUNT; c++)
                cr_assert(values_equal(&b->columns[c], i, &expect->columns[c], i),
                          "%s: row %lld column %s differs", path, (long long)(r + i),
                          col_names[c]);
        r += b->row_count;
        tn_batch_free(b);
    }
    cr_assert_eq(r, cf->rows);
    tn_batch_free(expect);
    tn_schema_unref(expect_schema);
    tn_format_parquet.reader_close(state);
    return true;
}

/* ---- the corpus ---------------------------------------------------------------------------- */

static const char *const codecs[] = {"zstd", "snappy", "gzip", "lz4", "none", "brotli"};

/* A folder for output: TARN_PARQUET_CORPUS when set (kept), else a fresh temporary one. */
static char *output_dir(bool *keep)
{
    const char *env = getenv("TARN_PARQUET_CORPUS");
    if (env && *env) {
        mkdir(env, 0755);
        *keep = true;
        return tn_strdup(env);
    }
    *keep = false;
    char tmpl[] = "/tmp/tarn-pqw-XXXXXX";
    char *d = mkdtemp(tmpl);
    cr_assert_not_null(d);
    return tn_strdup(d);
}

Test(parquet_write, corpus, .timeout = 600)
{
    bool keep;
    char *dir = output_dir(&keep);
    corpus_file files[64];
    char names[64][64];
    size_t n = 0;
    for (size_t k = 0; k < sizeof codecs / sizeof *codecs; k++)
        for (int v2 = 0; v2 <= 1; v2++)
            for (int dict = 0; dict <= 1; dict++)
                for (int nullable = 0; nullable <= 1; nullable++) {
                    snprintf(names[n], sizeof names[n], "m_%s_v%d_%s_%s", codecs[k], v2 + 1,
                             dict ? "dict" : "plain", nullable ? "null" : "req");
                    corpus_file *f = &files[n];
                    memset(f, 0, sizeof *f);
                    f->name = names[n];
                    f->opts.compression = codecs[k];
                    f->opts.data_page_v2 = v2;
                    f->opts.no_dictionary = !dict;
                    f->opts.row_group_rows = 8192;
                    f->opts.page_bytes = 16384;
                    f->rows = 20000;
                    f->nullable = nullable;
                    n++;
                }
    /* Defaults; a dictionary that falls back to PLAIN mid-chunk; empty; one row; tiny pages
     * and row groups by bytes. */
    files[n++] = (corpus_file){"defaults", {0}, 50000, true};
    files[n++] = (corpus_file){"fallback", {.threads = 2}, 200000, true};
    files[n++] = (corpus_file){"empty", {0}, 0, true};
    files[n++] = (corpus_file){"one_row", {.compression = "snappy"}, 1, false};
    files[n++] = (corpus_file){"tiny", {.page_bytes = 100, .row_group_bytes = 100000,
                                        .compression_level = 19, .threads = 1},
                               3000, true};

    tn_buf manifest = TN_BUF_INIT;
    tn_buf_append_cstr(&manifest, "[\n");
    bool reader_available = true;
    for (size_t i = 0; i < n; i++) {
        const corpus_file *cf = &files[i];
        char path[512];
        snprintf(path, sizeof path, "%s/%s.parquet", dir, cf->name);
        tn_error err = {0};
        cr_assert_eq(write_corpus_file(path, cf, &err), 0, "%s: %s", cf->name, err.message);
        check_result res = check_file(path, COL_COUNT, cf->nullable);
        cr_assert_eq(res.rows, cf->rows);
        if (cf->opts.row_group_rows)
            cr_assert_eq(res.row_groups, (uint32_t)((cf->rows + 8191) / 8192));
        if (cf->opts.no_dictionary) {
            cr_assert_eq(res.dict_pages, 0);
            cr_assert_eq(res.dict_chunks, 0);
        } else if (cf->rows > 1000) {
            cr_assert_gt(res.dict_pages, 0, "%s: some pages use the dictionary", cf->name);
        }
        if (strcmp(cf->name, "fallback") == 0) {
            /* u and s have 100000 distinct values: the dictionary stops at 65536 entries. */
            cr_assert_gt(res.dict_pages, 0);
            cr_assert_gt(res.plain_pages, 0);
        }
        if (cf->rows > 0)
            cr_assert_gt(res.column_indexes, 0);
        if (reader_available)
            reader_available = read_back(path, cf);
        tn_buf_printf(&manifest,
                      "%s{\"file\": \"%s.parquet\", \"rows\": %lld, \"nullable\": %s, "
                      "\"codec\": \"%s\", \"page_v2\": %s, \"dictionary\": %s, "
                      "\"row_group_rows\": %lld}\n",
                      i ? "," : " ", cf->name, (long long)cf->rows,
                      cf->nullable ? "true" : "false",
                      cf->opts.compression ? cf->opts.compression : "zstd",
                      cf->opts.data_page_v2 ? "true" : "false",
                      cf->opts.no_dictionary ? "false" : "true",
                      (long long)cf->opts.row_group_rows);
        if (!keep)
            unlink(path);
    }
    tn_buf_append_cstr(&manifest, "]\n");
    if (!reader_available)
        cr_log_warn("the Parquet reader is not available yet: values were not read back");
    if (keep) {
        char path[512];
        snprintf(path, sizeof path, "%s/manifest.json", dir);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fwrite(manifest.data, 1, manifest.len, f);
        fclose(f);
    } else {
        rmdir(dir);
    }
    tn_buf_free(&manifest);
    tn_free(dir);
}

/* ---- behaviour ------------------------------------------------------------------------------ */

static tn_schema *two_columns(bool nullable)
{
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "id", tn_type_make(TN_TYPE_BIGINT), false);
    tn_schema_add(s, "name", tn_type_make(TN_TYPE_VARCHAR), nullable);
    return s;
}

static tn_batch *two_column_batch(tn_schema *s, uint32_t rows, bool with_null)
{
    tn_batch *b = tn_batch_new(s, 0);
    for (uint32_t i = 0; i < rows; i++) {
        tn_vector_i64(&b->columns[0])[i] = i;
        if (with_null && i == 5)
            tn_vector_append_null(&b->columns[1], i);
        else
            tn_vector_append_str(&b->columns[1], i, "abc", 3);
    }
    b->row_count = rows;
    return b;
}

Test(parquet_write, file_appears_only_at_finish)
{
    char dir[] = "/tmp/tarn-pqw-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[600];
    snprintf(path, sizeof path, "%s/out.parquet", dir);
    tn_schema *s = two_columns(true);
    void *st;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_writer_open(path, s, NULL, &st, &err), 0, "%s", err.message);
    tn_batch *b = two_column_batch(s, 100, true);
    cr_assert_eq(tn_parquet_writer_write(st, b, &err), 0);
    cr_assert_neq(access(path, F_OK), 0, "nothing at the path before finish");
    cr_assert_eq(tn_parquet_writer_finish(st, &err), 0, "%s", err.message);
    cr_assert_eq(access(path, F_OK), 0);
    unlink(path);

    /* Abort leaves nothing behind, not even the temporary file. */
    cr_assert_eq(tn_parquet_writer_open(path, s, NULL, &st, &err), 0);
    cr_assert_eq(tn_parquet_writer_write(st, b, &err), 0);
    tn_parquet_writer_abort(st);
    cr_assert_neq(access(path, F_OK), 0);
    cr_assert_eq(rmdir(dir), 0, "the folder is empty again");
    tn_batch_free(b);
    tn_schema_unref(s);
}

Test(parquet_write, null_in_required_column_is_an_error)
{
    char path[] = "/tmp/tarn-pqw-null-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    tn_schema *s = two_columns(false);
    void *st;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_writer_open(path, s, NULL, &st, &err), 0);
    tn_batch *b = two_column_batch(s, 10, true);
    cr_assert_eq(tn_parquet_writer_write(st, b, &err), TN_EINVAL);
    cr_assert_str_eq(err.key, "name");
    cr_assert(strstr(err.message, "NOT NULL"), "%s", err.message);
    tn_parquet_writer_abort(st);
    tn_batch_free(b);
    tn_schema_unref(s);
    unlink(path);
}

Test(parquet_write, bad_options_and_batches)
{
    tn_schema *s = two_columns(true);
    void *st;
    tn_error err = {0};
    tn_write_options o = {.compression = "lzo"};
    cr_assert_neq(tn_parquet_writer_open("/tmp/never.parquet", s, &o, &st, &err), 0);
    cr_assert_str_eq(err.key, "compression");
    o = (tn_write_options){.compression = "zstd", .compression_level = 99};
    cr_assert_eq(tn_parquet_writer_open("/tmp/never.parquet", s, &o, &st, &err), TN_EINVAL);
    o = (tn_write_options){.page_bytes = -1};
    cr_assert_eq(tn_parquet_writer_open("/tmp/never.parquet", s, &o, &st, &err), TN_EINVAL);
    cr_assert_neq(tn_parquet_writer_open("/nonexistent-folder/x.parquet", s, NULL, &st, &err), 0);
    cr_assert_neq(access("/tmp/never.parquet", F_OK), 0);

    /* A batch of another shape. */
    char path[] = "/tmp/tarn-pqw-shape-XXXXXX";
    close(mkstemp(path));
    cr_assert_eq(tn_parquet_writer_open(path, s, NULL, &st, &err), 0);
    tn_schema *other = tn_schema_new();
    tn_schema_add(other, "id", tn_type_make(TN_TYPE_INTEGER), false);
    tn_schema_add(other, "name", tn_type_make(TN_TYPE_VARCHAR), true);
    tn_batch *b = tn_batch_new(other, 0);
    b->row_count = 1;
    cr_assert_eq(tn_parquet_writer_write(st, b, &err), TN_ETYPE);
    cr_assert_str_eq(err.key, "id");
    tn_parquet_writer_abort(st);
    tn_batch_free(b);
    tn_schema_unref(other);
    tn_schema_unref(s);
    unlink(path);
}

Test(parquet_write, allocation_failures_are_errors)
{
    tn_schema *s = two_columns(true);
    tn_batch *b = two_column_batch(s, 2000, true);
    for (uint64_t every = 1; every <= 60; every += 3) {
        char path[] = "/tmp/tarn-pqw-oom-XXXXXX";
        close(mkstemp(path));
        void *st = NULL;
        tn_error err = {0};
        tn_write_options o = {.threads = 1};
        tn_alloc_fail_every(every);
        int rc = tn_parquet_writer_open(path, s, &o, &st, &err);
        for (int i = 0; i < 3 && rc == 0; i++)
            rc = tn_parquet_writer_write(st, b, &err);
        if (rc == 0)
            rc = tn_parquet_writer_finish(st, &err);
        else if (st)
            tn_parquet_writer_abort(st);
        tn_alloc_fail_every(0);
        cr_assert(rc == 0 || rc == TN_ENOMEM || rc == TN_EIO, "every %llu: rc %d %s",
                  (unsigned long long)every, rc, err.message);
        unlink(path);
    }
    tn_batch_free(b);
    tn_schema_unref(s);
}

/* Writers used from inside tasks of the shared pool (a parallel export) must not deadlock
 * when they flush row groups in the background. */
typedef struct nested_ctx {
    char dir[64];
    int failures;
} nested_ctx;

static void nested_write_task(void *vctx, size_t i, int worker)
{
    nested_ctx *ctx = vctx;
    char path[128];
    snprintf(path, sizeof path, "%s/part-%zu.parquet", ctx->dir, i);
    tn_schema *s = two_columns(true);
    tn_write_options o = {.row_group_rows = 500};
    void *st;
    tn_error err = {0};
    int rc = tn_parquet_writer_open(path, s, &o, &st, &err);
    tn_batch *b = two_column_batch(s, 2000, true);
    for (int k = 0; k < 5 && !rc; k++)
        rc = tn_parquet_writer_write(st, b, &err);
    rc = rc ? rc : tn_parquet_writer_finish(st, &err);
    if (rc)
        __atomic_add_fetch(&ctx->failures, 1, __ATOMIC_RELAXED);
    tn_batch_free(b);
    tn_schema_unref(s);
    (void)worker;
}

Test(parquet_write, writers_inside_pool_tasks)
{
    nested_ctx ctx = {{0}, 0};
    strcpy(ctx.dir, "/tmp/tarn-pqw-nested-XXXXXX");
    cr_assert_not_null(mkdtemp(ctx.dir));
    cr_assert_eq(tn_pool_run(tn_pool_shared(), 4, nested_write_task, &ctx), 0);
    cr_assert_eq(ctx.failures, 0);
    for (int i = 0; i < 4; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/part-%d.parquet", ctx.dir, i);
        tn_error err = {0};
        char *data;
        size_t len;
        cr_assert_eq(tn_file_read_all(path, &data, &len, &err), 0);
        uint32_t fl;
        memcpy(&fl, data + len - 8, 4);
        tn_arena arena;
        tn_arena_init(&arena, 0);
        tn_parquet_file_metadata md;
        cr_assert_eq(tn_parquet_file_metadata_decode(data + len - 8 - fl, fl, &arena, &md, &err),
                     0);
        cr_assert_eq(md.num_rows, 10000);
        cr_assert_eq(md.row_group_count, 20);
        tn_arena_free(&arena);
        tn_free(data);
        unlink(path);
    }
    rmdir(ctx.dir);
}

/* All-NaN and all-NULL columns: no bounds anywhere, and no column index for the NaN chunk
 * (parquet.thrift: bounds must not be NaN). */
Test(parquet_write, nan_and_null_columns)
{
    char path[] = "/tmp/tarn-pqw-nan-XXXXXX";
    close(mkstemp(path));
    tn_schema *s = tn_schema_new();
    tn_schema_add(s, "f", tn_type_make(TN_TYPE_REAL), true);
    tn_schema_add(s, "n", tn_type_make(TN_TYPE_DOUBLE), true);
    void *st;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_writer_open(path, s, NULL, &st, &err), 0);
    tn_batch *b = tn_batch_new(s, 0);
    for (uint32_t i = 0; i < 100; i++) {
        tn_vector_f32(&b->columns[0])[i] = NAN;
        tn_vector_set_null(&b->columns[1], i);
    }
    b->row_count = 100;
    cr_assert_eq(tn_parquet_writer_write(st, b, &err), 0);
    cr_assert_eq(tn_parquet_writer_finish(st, &err), 0, "%s", err.message);
    char *data;
    size_t len;
    cr_assert_eq(tn_file_read_all(path, &data, &len, &err), 0);
    uint32_t fl;
    memcpy(&fl, data + len - 8, 4);
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_parquet_file_metadata md;
    cr_assert_eq(tn_parquet_file_metadata_decode(data + len - 8 - fl, fl, &arena, &md, &err), 0);
    const tn_parquet_column_chunk *f = &md.row_groups[0].columns[0];
    const tn_parquet_column_chunk *nn = &md.row_groups[0].columns[1];
    cr_assert_not(f->meta_data.statistics.has_min_value);
    cr_assert(f->meta_data.statistics.has_nan_count);
    cr_assert_eq(f->meta_data.statistics.nan_count, 100);
    cr_assert_not(f->has_column_index);
    cr_assert(f->has_offset_index);
    cr_assert_not(nn->meta_data.statistics.has_min_value);
    cr_assert_eq(nn->meta_data.statistics.null_count, 100);
    cr_assert(nn->has_column_index, "an all-null page is a valid null page");
    tn_arena_free(&arena);
    tn_free(data);
    tn_batch_free(b);
    tn_schema_unref(s);
    unlink(path);
}

/* ---- encoders ------------------------------------------------------------------------------ */

Test(parquet_encode, rle_round_trip)
{
    uint32_t vals[5000];
    uint64_t x = 12345;
    for (int pattern = 0; pattern < 6; pattern++) {
        for (int width = 0; width <= 32; width += (pattern == 5 ? 1 : 4)) {
            uint32_t mask = width == 32 ? UINT32_MAX : ((1u << width) - 1);
            size_t n = 1 + (size_t)(x % 5000);
            for (size_t i = 0; i < n; i++) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                uint32_t r = (uint32_t)(x >> 32);
                switch (pattern) {
                case 0: vals[i] = r & mask; break;                        /* random */
                case 1: vals[i] = (uint32_t)(i / 37) & mask; break;       /* long runs */
                case 2: vals[i] = (i % 11 < 9 ? 1u : 0u) & mask; break;   /* short runs */
                case 3: vals[i] = mask; break;                            /* constant */
                case 4: vals[i] = (uint32_t)(i % 8 == 0 ? r : 0) & mask; break;
                default: vals[i] = (uint32_t)((i / 9) % 2 ? r : 5) & mask; break;
                }
            }
            uint8_t *buf = tn_malloc(tn_parquet_rle_bound(n, width));
            size_t len = tn_parquet_rle_encode_u32(vals, n, width, buf);
            cr_assert_leq(len, tn_parquet_rle_bound(n, width));
            tn_parquet_rle d;
            tn_parquet_rle_init(&d, buf, len, width);
            uint32_t *out = tn_malloc(n * sizeof *out);
            tn_error err = {0};
            cr_assert_eq(tn_parquet_rle_get_u32(&d, out, n, &err), 0, "%s", err.message);
            cr_assert_arr_eq(out, vals, n * sizeof *out, "pattern %d width %d n %zu", pattern,
                             width, n);
            if (width <= 8) {
                uint8_t *bytes = tn_malloc(n);
                for (size_t i = 0; i < n; i++)
                    bytes[i] = (uint8_t)vals[i];
                size_t len8 = tn_parquet_rle_encode_u8(bytes, n, width, buf);
                cr_assert_eq(len8, len, "the byte encoder gives the same stream");
                tn_free(bytes);
            }
            tn_free(out);
            tn_free(buf);
        }
    }
    cr_assert_eq(tn_parquet_bit_width(0), 0);
    cr_assert_eq(tn_parquet_bit_width(1), 1);
    cr_assert_eq(tn_parquet_bit_width(255), 8);
    cr_assert_eq(tn_parquet_bit_width(256), 9);
    cr_assert_eq(tn_parquet_bit_width(UINT32_MAX), 32);
}

Test(parquet_encode, rle_known_bytes)
{
    /* Eight 1s then 0,1,1: an RLE run (header 8<<1 = 0x10, value 0x01) and a padded
     * bit-packed group (header 1<<1|1 = 0x03, bits 110 = 0x06). */
    uint8_t levels[11] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1};
    uint8_t out[32];
    size_t n = tn_parquet_rle_encode_u8(levels, 11, 1, out);
    const uint8_t want[] = {0x10, 0x01, 0x03, 0x06};
    cr_assert_eq(n, sizeof want);
    cr_assert_arr_eq(out, want, sizeof want);
    /* The spec's example: 0..7 with width 3 packs into 88 C6 FA. */
    uint32_t v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    n = tn_parquet_rle_encode_u32(v, 8, 3, out);
    const uint8_t want2[] = {0x03, 0x88, 0xC6, 0xFA};
    cr_assert_eq(n, sizeof want2);
    cr_assert_arr_eq(out, want2, sizeof want2);
}

Test(parquet_encode, plain_bools)
{
    uint8_t v[10] = {1, 0, 1, 1, 0, 0, 0, 1, 1, 0};
    uint8_t defs[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    uint8_t out[2] = {0xff, 0xff};
    cr_assert_eq(tn_parquet_plain_bools(v, NULL, 10, out), 2);
    cr_assert_eq(out[0], 0x8D);
    cr_assert_eq(out[1], 0x01);
    cr_assert_eq(tn_parquet_plain_bools(v, defs, 10, out), 2);
    cr_assert_eq(out[1], 0x01);
}

Test(parquet_encode, dictionary)
{
    tn_parquet_dict d;
    tn_parquet_dict_init(&d, 8);
    int64_t vals[10000];
    uint8_t defs[10000];
    for (int i = 0; i < 10000; i++) {
        vals[i] = (i * 7919) % 3000;
        defs[i] = i % 5 != 0;
    }
    uint32_t idx[10000];
    size_t done;
    cr_assert_eq(tn_parquet_dict_add_fixed(&d, vals, defs, 10000, idx, 100000, 1 << 20, &done), 0);
    cr_assert_eq(done, 10000);
    size_t k = 0;
    for (int i = 0; i < 10000; i++) {
        if (!defs[i])
            continue;
        int64_t e;
        memcpy(&e, tn_parquet_dict_fixed(&d, idx[k]), 8);
        cr_assert_eq(e, vals[i]);
        k++;
    }
    cr_assert_leq(d.count, 3000u);
    cr_assert_eq(d.plain.len, (size_t)d.count * 8);
    /* Limits stop before the row that would pass them. */
    tn_parquet_dict_clear(&d);
    cr_assert_eq(tn_parquet_dict_add_fixed(&d, vals, NULL, 10000, idx, 100, 1 << 20, &done), 0);
    cr_assert_eq(d.count, 100);
    cr_assert_lt(done, 10000);
    tn_parquet_dict_truncate(&d, 40);
    cr_assert_eq(d.count, 40);
    cr_assert_eq(d.plain.len, 320);
    tn_parquet_dict_free(&d);

    tn_parquet_dict_init(&d, 0);
    const char data[] = "applebananaapplecherry";
    uint32_t offs[] = {0, 5, 11, 16, 22, 22};
    uint32_t bidx[5];
    cr_assert_eq(tn_parquet_dict_add_bytes(&d, data, offs, NULL, 5, bidx, 100, 1 << 20, &done), 0);
    cr_assert_eq(done, 5);
    cr_assert_eq(d.count, 4);
    cr_assert_eq(bidx[0], 0);
    cr_assert_eq(bidx[2], 0);
    cr_assert_eq(bidx[3], 2);
    cr_assert_eq(bidx[4], 3);
    cr_assert(tn_str_eq(tn_parquet_dict_bytes(&d, 1), TN_STR_LIT("banana")));
    cr_assert_eq(tn_parquet_dict_bytes(&d, 3).len, 0);
    cr_assert_eq(d.plain.len, 4 * 4 + 5 + 6 + 6);
    /* A byte limit stops it too. */
    tn_parquet_dict_clear(&d);
    cr_assert_eq(tn_parquet_dict_add_bytes(&d, data, offs, NULL, 5, bidx, 100, 15, &done), 0);
    cr_assert_eq(d.count, 1);
    cr_assert_eq(done, 1);
    tn_parquet_dict_free(&d);
}
