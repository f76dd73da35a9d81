/* SPDX-License-Identifier: Apache-2.0
 *
 * The Parquet reader on files tarn writes with many pages and row groups: column chunks are
 * read a slice at a time, so pages smaller and larger than a slice, page headers longer than
 * the first bytes tried (long string statistics), uncompressed dictionaries (whose entries
 * must outlive the slice they came from), definition levels that are one run per page (not
 * written out) and levels with nulls, batch edges and the rows past a short last batch, with
 * one and two threads and with pruning on the page index.
 */
#include <criterion/criterion.h>

#include "formats/parquet/metadata.h"
#include "formats/parquet/parquet.h"
#include "test_parquet_util.h"
#include "formats/parquet/parquet_write.h"
#include "formats/parquet/thrift.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { COL_ID, COL_CITY, COL_TEXT, COL_LONG, COL_PRICE, COL_FLAG, COL_COUNT };

static const char *const names[COL_COUNT] = {"id", "city", "text", "long", "price", "flag"};

static tn_schema *test_schema(void)
{
    tn_schema *s = tn_schema_new();
    cr_assert_not_null(s);
    cr_assert_eq(tn_schema_add(s, "id", tn_type_make(TN_TYPE_BIGINT), true), 0);
    cr_assert_eq(tn_schema_add(s, "city", tn_type_make(TN_TYPE_VARCHAR), true), 0);
    cr_assert_eq(tn_schema_add(s, "text", tn_type_make(TN_TYPE_VARCHAR), true), 0);
    cr_assert_eq(tn_schema_add(s, "long", tn_type_make(TN_TYPE_VARCHAR), true), 0);
    cr_assert_eq(tn_schema_add(s, "price", tn_type_make(TN_TYPE_DOUBLE), true), 0);
    cr_assert_eq(tn_schema_add(s, "flag", tn_type_make(TN_TYPE_BOOLEAN), true), 0);
    return s;
}

/* Where a row is NULL: id never in the first half (whole pages without nulls), then every
 * 13th; text every 29th; long mostly; the others never. */
static bool row_null(int c, int64_t r, int64_t rows)
{
    switch (c) {
    case COL_ID:
        return r >= rows / 2 && r % 13 == 5;
    case COL_TEXT:
        return r % 29 == 7;
    case COL_LONG:
        return r % 1000 != 17;
    default:
        return false;
    }
}

/* The text of a string cell (city: 12 values, dictionary-encoded; text: unique, ~60 bytes;
 * long: 3000 bytes, so page statistics make page headers of several KiB). */
static size_t cell_text(int c, int64_t r, char *out, size_t cap)
{
    static const char *const cities[] = {"Oslo", "Lima", "Kyiv", "Bern", "Riga", "Baku",
                                         "Doha", "Rome", "Nuuk", "Suva", "Apia", "Male"};
    if (c == COL_CITY)
        return (size_t)snprintf(out, cap, "%s", cities[(r * 7) % 12]);
    if (c == COL_TEXT)
        return (size_t)snprintf(out, cap, "row %lld of the test, with text that is not short: %llx",
                                (long long)r, (unsigned long long)(r * 2654435761u));
    size_t n = 3000;
    cr_assert(cap > n);
    for (size_t i = 0; i < n; i++)
        out[i] = (char)('a' + (r + (int64_t)i) % 26);
    out[n] = '\0';
    return n;
}

static void fill_row(tn_batch *b, uint32_t i, int64_t r, int64_t rows)
{
    char text[4096];
    for (int c = 0; c < COL_COUNT; c++) {
        tn_vector *v = &b->columns[c];
        if (row_null(c, r, rows)) {
            tn_vector_append_null(v, i);
            continue;
        }
        switch (c) {
        case COL_ID:
            tn_vector_i64(v)[i] = r * 3 - 7;
            break;
        case COL_PRICE:
            tn_vector_f64(v)[i] = (double)(r % 1000) / 8.0;
            break;
        case COL_FLAG:
            tn_vector_set_bool(v, i, r % 3 == 0);
            break;
        default: {
            size_t n = cell_text(c, r, text, sizeof(text));
            cr_assert_eq(tn_vector_append_str(v, i, text, n), 0);
        }
        }
    }
}

static void write_file(const char *path, const tn_write_options *opts, int64_t rows)
{
    tn_schema *schema = test_schema();
    void *state = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_writer_open(path, schema, opts, &state, &err), 0, "%s", err.message);
    for (int64_t r = 0; r < rows;) {
        uint32_t n = rows - r < 1500 ? (uint32_t)(rows - r) : 1500;
        tn_batch *b = tn_batch_new(schema, 0);
        cr_assert_not_null(b);
        for (uint32_t i = 0; i < n; i++)
            fill_row(b, i, r + i, rows);
        b->row_count = n;
        cr_assert_eq(tn_parquet_writer_write(state, b, &err), 0, "%s", err.message);
        tn_batch_free(b);
        r += n;
    }
    cr_assert_eq(tn_parquet_writer_finish(state, &err), 0, "%s", err.message);
    tn_schema_unref(schema);
}

/* Checks row r of the file (b's row i) against the generator. */
static void check_row(const tn_batch *b, uint32_t i, int64_t r, int64_t rows)
{
    char text[4096];
    for (int c = 0; c < COL_COUNT; c++) {
        const tn_vector *v = &b->columns[c];
        bool null = row_null(c, r, rows);
        cr_assert_eq(!tn_vector_is_valid(v, i), null, "row %lld, %s: NULL-ness", (long long)r,
                     names[c]);
        if (null)
            continue;
        switch (c) {
        case COL_ID:
            cr_assert_eq(tn_vector_i64(v)[i], r * 3 - 7, "row %lld id", (long long)r);
            break;
        case COL_PRICE:
            cr_assert_eq(tn_vector_f64(v)[i], (double)(r % 1000) / 8.0, "row %lld price",
                         (long long)r);
            break;
        case COL_FLAG:
            cr_assert_eq(tn_vector_get_bool(v, i), r % 3 == 0, "row %lld flag", (long long)r);
            break;
        default: {
            size_t n = cell_text(c, r, text, sizeof(text));
            tn_str s = tn_vector_get_str(v, i);
            cr_assert(s.len == n && memcmp(s.ptr, text, n) == 0, "row %lld, %s: '%.*s'",
                      (long long)r, names[c], (int)(s.len > 80 ? 80 : s.len), s.ptr);
        }
        }
    }
}

/* Reads every row with `threads` and checks it; also that the rows past a short batch's end
 * read as zero, as a vector made by tn_vector_init would. */
static void read_and_check(const char *path, int64_t rows, int threads)
{
    tn_parquet_file *f = open_file(path);
    tn_parquet_scan_options o;
    memset(&o, 0, sizeof(o));
    o.threads = threads;
    tn_parquet_scan *s = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_scan_open(f, &o, &s, &err), 0, "%s", err.message);
    int64_t r = 0;
    for (;;) {
        tn_batch *b = NULL;
        cr_assert_eq(tn_parquet_scan_next(s, &b, &err), 0, "%s", err.message);
        if (!b)
            break;
        for (uint32_t i = 0; i < b->row_count; i++)
            check_row(b, i, r + i, rows);
        const tn_vector *id = &b->columns[COL_ID], *text = &b->columns[COL_TEXT];
        for (uint32_t i = b->row_count; i < id->capacity; i++) {
            cr_assert_eq(tn_vector_i64(id)[i], 0, "row %u past the batch's end", i);
            cr_assert_eq(text->offsets[i + 1], 0, "offset %u past the batch's end", i + 1);
        }
        r += b->row_count;
        tn_batch_free(b);
    }
    cr_assert_eq(r, rows);
    tn_parquet_scan_close(s);
    tn_parquet_file_close(f);
}

static char *temp_path(const char *tag)
{
    char *p = malloc(256);
    snprintf(p, 256, "/tmp/tarn-pqpages-%d-%s.parquet", (int)getpid(), tag);
    return p;
}

typedef struct layout {
    const char *tag;
    const char *codec;
    int64_t page_bytes;
    int64_t row_group_rows;
    bool v2;
} layout;

/* Pages of 4 KiB (many per slice) and of 512 KiB (larger than a slice), uncompressed and
 * compressed, v1 and v2, row groups that end inside batches. */
static const layout layouts[] = {
    {"small-none", "none", 4 << 10, 0, false},
    {"large-none", "none", 512 << 10, 0, true},
    {"small-zstd", "zstd", 4 << 10, 7000, false},
    {"large-zstd", "zstd", 512 << 10, 23456, true},
    {"mid-snappy", "snappy", 100 << 10, 0, false},
};

Test(parquet_read_pages, layouts_threads, .timeout = 300)
{
    const int64_t rows = 30001;
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
        const layout *l = &layouts[i];
        char *path = temp_path(l->tag);
        tn_write_options w;
        memset(&w, 0, sizeof(w));
        w.compression = l->codec;
        w.page_bytes = l->page_bytes;
        w.row_group_rows = l->row_group_rows;
        w.data_page_v2 = l->v2;
        write_file(path, &w, rows);
        read_and_check(path, rows, 1);
        read_and_check(path, rows, 2);
        unlink(path);
        free(path);
    }
}

Test(parquet_read_pages, empty_and_one_row)
{
    for (int64_t rows = 0; rows <= 1; rows++) {
        char *path = temp_path(rows ? "one" : "empty");
        tn_write_options w;
        memset(&w, 0, sizeof(w));
        write_file(path, &w, rows);
        read_and_check(path, rows, 1);
        read_and_check(path, rows, 2);
        unlink(path);
        free(path);
    }
}

/* Pages pruned on the page index are passed over without being read; the rows around them
 * still come out right. */
Test(parquet_read_pages, pruned_pages_are_skipped)
{
    const int64_t rows = 20000;
    char *path = temp_path("prune");
    tn_write_options w;
    memset(&w, 0, sizeof(w));
    w.page_bytes = 4 << 10;
    write_file(path, &w, rows);
    tn_parquet_file *f = open_file(path);
    tn_parquet_predicate p[2];
    memset(p, 0, sizeof(p));
    p[0].column = COL_ID;
    p[0].op = TN_PARQUET_OP_GE;
    p[0].value.i = 3000 * 3 - 7;
    p[1].column = COL_ID;
    p[1].op = TN_PARQUET_OP_LT;
    p[1].value.i = 3100 * 3 - 7;
    for (int threads = 1; threads <= 2; threads++) {
        tn_parquet_scan_options o;
        memset(&o, 0, sizeof(o));
        o.predicates = p;
        o.predicate_count = 2;
        o.threads = threads;
        tn_parquet_scan *s = NULL;
        tn_error err = {0};
        cr_assert_eq(tn_parquet_scan_open(f, &o, &s, &err), 0, "%s", err.message);
        bool seen[100] = {false};
        for (;;) {
            tn_batch *b = NULL;
            cr_assert_eq(tn_parquet_scan_next(s, &b, &err), 0, "%s", err.message);
            if (!b)
                break;
            for (uint32_t i = 0; i < b->row_count; i++) {
                /* The row number from the id (valid in this half of the file). */
                int64_t r = (tn_vector_i64(&b->columns[COL_ID])[i] + 7) / 3;
                check_row(b, i, r, rows);
                if (r >= 3000 && r < 3100)
                    seen[r - 3000] = true;
            }
            tn_batch_free(b);
        }
        for (int i = 0; i < 100; i++)
            cr_assert(seen[i], "row %d missing", 3000 + i);
        tn_parquet_scan_stats st;
        tn_parquet_scan_get_stats(s, &st);
        cr_assert_gt(st.pages_pruned, 0);
        cr_assert_lt(st.rows_read, rows / 2);
        tn_parquet_scan_close(s);
    }
    tn_parquet_file_close(f);
    unlink(path);
    free(path);
}

/* Rewrites a tarn file so that every data page header carries statistics of `stat_len` bytes
 * (as some writers put long string bounds there), dropping the page index. */
static void inflate_page_headers(const char *path, size_t stat_len, tn_buf *out)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp);
    fseek(fp, 0, SEEK_END);
    size_t len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *file = malloc(len);
    cr_assert_eq(fread(file, 1, len, fp), len);
    fclose(fp);
    uint32_t footer_len;
    memcpy(&footer_len, file + len - 8, 4);
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_parquet_file_metadata md;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_file_metadata_decode(file + len - 8 - footer_len, footer_len, &arena,
                                                 &md, &err),
                 0, "%s", err.message);
    char *bound = malloc(stat_len);
    memset(bound, 'q', stat_len);
    tn_buf_append(out, "PAR1", 4);
    for (uint32_t g = 0; g < md.row_group_count; g++) {
        for (uint32_t c = 0; c < md.row_groups[g].column_count; c++) {
            tn_parquet_column_chunk *cc = &md.row_groups[g].columns[c];
            tn_parquet_column_metadata *m = &cc->meta_data;
            int64_t start = m->data_page_offset;
            if (m->has_dictionary_page_offset && m->dictionary_page_offset > 0 &&
                m->dictionary_page_offset < start)
                start = m->dictionary_page_offset;
            size_t pos = (size_t)start, end = pos + (size_t)m->total_compressed_size;
            int64_t new_start = (int64_t)out->len;
            bool first_data = true;
            while (pos < end) {
                tn_parquet_page_header h;
                size_t header_len = 0;
                cr_assert_eq(tn_parquet_page_header_decode(file + pos, end - pos, &h,
                                                           &header_len, &err),
                             0, "%s", err.message);
                if (h.type == TN_PARQUET_PAGE_DICTIONARY)
                    m->dictionary_page_offset = (int64_t)out->len;
                if (h.type == TN_PARQUET_PAGE_DATA) {
                    if (first_data)
                        m->data_page_offset = (int64_t)out->len;
                    first_data = false;
                    tn_parquet_statistics *st = &h.data_page_header.statistics;
                    h.data_page_header.has_statistics = true;
                    st->has_min_value = st->has_max_value = true;
                    st->min_value = tn_str_make(bound, stat_len);
                    st->max_value = tn_str_make(bound, stat_len);
                }
                tn_thrift_writer w;
                tn_thrift_writer_init(&w, out);
                tn_parquet_page_header_write(&w, &h);
                cr_assert_eq(tn_thrift_writer_error(&w), 0);
                tn_buf_append(out, file + pos + header_len, (size_t)h.compressed_page_size);
                pos += header_len + (size_t)h.compressed_page_size;
            }
            m->total_compressed_size = (int64_t)out->len - new_start;
            cc->file_offset = new_start;
            cc->has_offset_index = cc->has_column_index = false;
        }
    }
    size_t footer_start = out->len;
    tn_thrift_writer w;
    tn_thrift_writer_init(&w, out);
    tn_parquet_file_metadata_write(&w, &md);
    cr_assert_eq(tn_thrift_writer_error(&w), 0);
    uint32_t n = (uint32_t)(out->len - footer_start);
    tn_buf_append(out, &n, 4);
    tn_buf_append(out, "PAR1", 4);
    free(bound);
    tn_arena_free(&arena);
    free(file);
}

/* Page headers longer than the bytes first tried for a header (and than a whole slice) are
 * read in full. */
Test(parquet_read_pages, long_page_headers)
{
    const int64_t rows = 9000;
    char *path = temp_path("headers");
    tn_write_options w;
    memset(&w, 0, sizeof(w));
    w.page_bytes = 16 << 10;
    write_file(path, &w, rows);
    const size_t stat_lens[] = {900, 5000, 100000};
    for (size_t i = 0; i < sizeof(stat_lens) / sizeof(stat_lens[0]); i++) {
        tn_buf bytes = TN_BUF_INIT;
        inflate_page_headers(path, stat_lens[i], &bytes);
        char *copy = temp_path("headers-copy");
        FILE *fp = fopen(copy, "wb");
        cr_assert_not_null(fp);
        cr_assert_eq(fwrite(bytes.data, 1, bytes.len, fp), bytes.len);
        fclose(fp);
        read_and_check(copy, rows, 1);
        read_and_check(copy, rows, 2);
        unlink(copy);
        free(copy);
        tn_buf_free(&bytes);
    }
    unlink(path);
    free(path);
}
