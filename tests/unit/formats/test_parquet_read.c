/* SPDX-License-Identifier: Apache-2.0
 *
 * The Parquet reader (formats/parquet/parquet.h) on files of the public conformance corpus:
 * schema mapping, values, projection, batch sizes, threads, pruning on statistics and on the
 * page index, nested columns as JSON, the format plugin, and clean errors for corrupt,
 * truncated, encrypted and non-Parquet input, also when allocations fail.
 */
#include <criterion/criterion.h>

#include "formats/formats.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/parquet.h"
#include "formats/parquet/parquet_write.h"
#include "test_parquet_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* All rows of a scan as text: values separated by '|', NULL as "NULL", rows by '\n'. */
static char *scan_text(tn_parquet_file *f, const tn_parquet_scan_options *opts,
                       tn_parquet_scan_stats *stats, uint32_t *batches)
{
    tn_parquet_scan *s = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_scan_open(f, opts, &s, &err), 0, "%s", err.message);
    tn_buf out = TN_BUF_INIT;
    uint32_t n = 0;
    for (;;) {
        tn_batch *b = NULL;
        int rc = tn_parquet_scan_next(s, &b, &err);
        cr_assert_eq(rc, 0, "%s", err.message);
        if (!b)
            break;
        n++;
        for (uint32_t r = 0; r < b->row_count; r++) {
            for (uint32_t c = 0; c < b->schema->column_count; c++) {
                if (c)
                    tn_buf_putc(&out, '|');
                if (tn_vector_is_valid(&b->columns[c], r))
                    tn_vector_format_value(&b->columns[c], r, &out);
                else
                    tn_buf_append_cstr(&out, "NULL");
            }
            tn_buf_putc(&out, '\n');
        }
        tn_batch_free(b);
    }
    if (stats)
        tn_parquet_scan_get_stats(s, stats);
    if (batches)
        *batches = n;
    tn_parquet_scan_close(s);
    tn_buf_cstr(&out);
    return tn_buf_detach(&out, NULL);
}

static char *read_all(const char *path)
{
    tn_parquet_file *f = open_file(path);
    char *t = scan_text(f, NULL, NULL, NULL);
    tn_parquet_file_close(f);
    return t;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static int open_error(const char *path, tn_error *err)
{
    tn_parquet_source src;
    tn_parquet_file *f = NULL;
    int rc = tn_parquet_source_open_file(path, &src, err);
    if (rc == 0)
        rc = tn_parquet_file_open(&src, &f, err);
    if (rc != 0)
        return rc;
    tn_parquet_scan *s = NULL;
    rc = tn_parquet_scan_open(f, NULL, &s, err);
    while (rc == 0) {
        tn_batch *b = NULL;
        rc = tn_parquet_scan_next(s, &b, err);
        if (!b)
            break;
        tn_batch_free(b);
    }
    tn_parquet_scan_close(s);
    tn_parquet_file_close(f);
    return rc;
}

Test(parquet_read, alltypes_plain_schema_and_values)
{
    tn_parquet_file *f = open_file(DATA "alltypes_plain.parquet");
    const tn_schema *s = tn_parquet_file_schema(f);
    cr_assert_eq(s->column_count, 11);
    static const char *const names[] = {"id", "bool_col", "tinyint_col", "smallint_col",
                                        "int_col", "bigint_col", "float_col", "double_col",
                                        "date_string_col", "string_col", "timestamp_col"};
    static const tn_type_id types[] = {TN_TYPE_INTEGER, TN_TYPE_BOOLEAN, TN_TYPE_INTEGER,
                                       TN_TYPE_INTEGER, TN_TYPE_INTEGER, TN_TYPE_BIGINT,
                                       TN_TYPE_REAL,    TN_TYPE_DOUBLE,  TN_TYPE_BLOB,
                                       TN_TYPE_BLOB,    TN_TYPE_TIMESTAMP};
    for (uint32_t i = 0; i < 11; i++) {
        cr_assert_str_eq(s->columns[i].name, names[i]);
        cr_assert_eq(s->columns[i].type.id, types[i], "column %s", names[i]);
    }
    cr_assert_eq(tn_parquet_file_num_rows(f), 8);
    char *t = scan_text(f, NULL, NULL, NULL);
    cr_assert_eq(count_lines(t), 8);
    cr_assert(strncmp(t, "4|true|0|0|0|0|0", 16) == 0, "%s", t);
    cr_assert(strstr(t, "2009-03-01 00:01:00") != NULL, "%s", t);
    free(t);
    tn_buf d = TN_BUF_INIT;
    cr_assert_eq(tn_parquet_file_describe(f, &d), 0);
    const char *j = tn_buf_cstr(&d);
    cr_assert(strstr(j, "\"created_by\":\"impala version 1.3.0-INTERNAL") != NULL, "%s", j);
    cr_assert(strstr(j, "\"physical_type\":\"INT96\"") != NULL);
    cr_assert(strstr(j, "\"encodings\":[") != NULL);
    tn_buf_free(&d);
    tn_parquet_file_close(f);
}

Test(parquet_read, type_mapping)
{
    tn_parquet_file *f = open_file(EXTRA "signs.parquet");
    const tn_schema *s = tn_parquet_file_schema(f);
    cr_assert_eq(s->columns[0].type.id, TN_TYPE_INTEGER); /* uint8 */
    cr_assert_eq(s->columns[2].type.id, TN_TYPE_BIGINT);  /* uint32 */
    cr_assert_eq(s->columns[3].type.id, TN_TYPE_DECIMAL); /* uint64 */
    cr_assert_eq(s->columns[3].type.precision, 20);
    char *t = scan_text(f, NULL, NULL, NULL);
    cr_assert(strstr(t, "128|32768|2147483648|9223372036854775808|0|0|0|0") != NULL, "%s", t);
    free(t);
    tn_parquet_file_close(f);

    t = read_all(DATA "int96_from_spark.parquet");
    cr_assert(strstr(t, "2024-01-01 20:34:56.123456") != NULL, "%s", t);
    cr_assert(strstr(t, "NULL") != NULL);
    free(t);
    t = read_all(DATA "fixed_length_decimal.parquet");
    cr_assert(strncmp(t, "1.00\n2.00\n", 10) == 0, "%s", t);
    free(t);
    t = read_all(DATA "byte_array_decimal.parquet");
    cr_assert(strncmp(t, "1.00\n", 5) == 0, "%s", t);
    free(t);
    t = read_all(EXTRA "uuid.parquet");
    cr_assert(strncmp(t, "550e8400-e29b-41d4-a716-446655440000\n", 37) == 0, "%s", t);
    free(t);
    f = open_file(DATA "float16_nonzeros_and_nans.parquet");
    cr_assert_eq(tn_parquet_file_schema(f)->columns[0].type.id, TN_TYPE_REAL);
    tn_parquet_file_close(f);
    f = open_file(DATA "nested_structs.rust.parquet");
    cr_assert(tn_schema_find(tn_parquet_file_schema(f), "ul_observation_date.max") >= 0);
    tn_parquet_file_close(f);
}

Test(parquet_read, nested_as_json)
{
    char *t = read_all(DATA "list_columns.parquet");
    cr_assert_str_eq(t, "[1,2,3]|[\"abc\",\"efg\",\"hij\"]\n"
                        "[null,1]|NULL\n"
                        "[4]|[\"efg\",null,\"hij\",\"xyz\"]\n");
    free(t);
    t = read_all(DATA "nested_maps.snappy.parquet");
    const char *want = "{\"a\":{\"1\":true,\"2\":false}}|1|1.0\n{\"b\":{\"1\":true}}|1|1.0\n";
    cr_assert(strncmp(t, want, strlen(want)) == 0, "%s", t);
    cr_assert(strstr(t, "{\"d\":{}}|1|1.0\n") != NULL, "%s", t);
    free(t);
    t = read_all(DATA "old_list_structure.parquet");
    cr_assert_str_eq(t, "[[1,2],[3,4]]\n");
    free(t);
    t = read_all(DATA "null_list.parquet");
    cr_assert_str_eq(t, "[]\n");
    free(t);
}

Test(parquet_read, projection_batches_threads)
{
    tn_parquet_file *f = open_file(DATA "alltypes_tiny_pages.parquet");
    uint32_t cols[] = {9, 0};
    tn_parquet_scan_options o;
    memset(&o, 0, sizeof(o));
    o.columns = cols;
    o.column_count = 2;
    o.batch_rows = 100;
    o.threads = 1;
    uint32_t batches = 0;
    char *one = scan_text(f, &o, NULL, &batches);
    cr_assert_eq(batches, 73);
    cr_assert_eq(count_lines(one), 7300);
    /* string_col is the last digit of id in this file. */
    for (const char *line = one; *line; line = strchr(line, '\n') + 1) {
        int digit = 0, id = 0;
        cr_assert_eq(sscanf(line, "%d|%d", &digit, &id), 2);
        cr_assert_eq(digit, id % 10, "%.20s", line);
    }
    o.threads = 4;
    o.batch_rows = 0;
    char *four = scan_text(f, &o, NULL, &batches);
    cr_assert_str_eq(one, four);
    cr_assert_eq(batches, (7300 + TN_BATCH_ROWS - 1) / TN_BATCH_ROWS);
    free(one);
    free(four);
    /* An empty projection still counts rows. */
    o.column_count = 0;
    tn_parquet_scan_stats st;
    char *none = scan_text(f, &o, &st, NULL);
    cr_assert_eq(count_lines(none), 7300);
    cr_assert_eq(st.rows_read, 7300);
    free(none);
    /* A column index out of range. */
    uint32_t bad = 99;
    o.columns = &bad;
    o.column_count = 1;
    tn_parquet_scan *s = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_scan_open(f, &o, &s, &err), TN_EINVAL);
    tn_parquet_file_close(f);
}

Test(parquet_read, prune_pages_with_page_index)
{
    tn_parquet_file *f = open_file(DATA "alltypes_tiny_pages.parquet");
    tn_parquet_predicate p[2];
    memset(p, 0, sizeof(p));
    p[0].column = 0; /* id */
    p[0].op = TN_PARQUET_OP_GE;
    p[0].value.i = 1000;
    p[1].column = 0;
    p[1].op = TN_PARQUET_OP_LE;
    p[1].value.i = 1100;
    uint32_t cols[] = {0, 9, 4};
    tn_parquet_scan_options o;
    memset(&o, 0, sizeof(o));
    o.columns = cols;
    o.column_count = 3;
    o.predicates = p;
    o.predicate_count = 2;
    tn_parquet_scan_stats st;
    char *t = scan_text(f, &o, &st, NULL);
    size_t rows = count_lines(t);
    cr_assert_eq(st.rows_total, 7300);
    cr_assert_gt(st.rows_pruned, 6000, "pruned %lld", (long long)st.rows_pruned);
    cr_assert_gt(st.pages_pruned, 0);
    /* The scan also filters the rows of the pages it reads: only the matching ones come. */
    cr_assert_leq((int64_t)rows, st.rows_total - st.rows_pruned);
    cr_assert_eq(rows, 101);
    cr_assert_eq((int64_t)rows, st.rows_read);
    /* Every row that matches is there, with its other columns aligned (the first row has
     * no newline before it). */
    for (int id = 1000; id <= 1100; id++) {
        char line[64];
        snprintf(line, sizeof(line), "\n%d|%d|%d\n", id, id % 10, id % 10);
        bool first = strncmp(t, line + 1, strlen(line + 1)) == 0;
        cr_assert(first || strstr(t, line) != NULL, "id %d missing", id);
    }
    free(t);
    /* Equality on a value no page holds prunes everything. */
    p[0].op = TN_PARQUET_OP_EQ;
    p[0].value.i = 100000;
    o.predicate_count = 1;
    t = scan_text(f, &o, &st, NULL);
    cr_assert_str_eq(t, "");
    cr_assert_eq(st.row_groups_pruned, 1);
    free(t);
    /* IS NULL on a column without nulls. */
    p[0].op = TN_PARQUET_OP_IS_NULL;
    t = scan_text(f, &o, &st, NULL);
    cr_assert_str_eq(t, "");
    free(t);
    p[0].op = TN_PARQUET_OP_IS_NOT_NULL;
    t = scan_text(f, &o, &st, NULL);
    cr_assert_eq(count_lines(t), 7300);
    cr_assert_eq(st.rows_pruned, 0);
    free(t);
    tn_parquet_file_close(f);
}

Test(parquet_read, prune_row_groups)
{
    tn_parquet_file *f = open_file(EXTRA "rowgroups.parquet");
    tn_parquet_predicate p;
    memset(&p, 0, sizeof(p));
    p.column = 0;
    p.op = TN_PARQUET_OP_GT;
    p.value.i = 10;
    tn_parquet_scan_options o;
    memset(&o, 0, sizeof(o));
    o.predicates = &p;
    o.predicate_count = 1;
    tn_parquet_scan_stats st;
    char *t = scan_text(f, &o, &st, NULL);
    cr_assert_str_eq(t, "11\n12\n13\n14\n15\n");
    cr_assert_eq(st.row_groups, 2);
    cr_assert_eq(st.row_groups_pruned, 1);
    cr_assert_eq(st.rows_pruned, 10);
    free(t);
    p.op = TN_PARQUET_OP_LT;
    p.value.i = 1;
    t = scan_text(f, &o, &st, NULL);
    cr_assert_str_eq(t, "");
    cr_assert_eq(st.row_groups_pruned, 2);
    free(t);
    tn_parquet_file_close(f);
    /* Strings: binary_truncated_min_max has truncated min/max statistics. */
    f = open_file(DATA "alltypes_plain.parquet");
    tn_parquet_file_close(f);
}

Test(parquet_read, memory_source_and_plugin)
{
    char *data = NULL;
    size_t len = 0;
    tn_error err = {0};
    cr_assert_eq(tn_file_read_all(DATA "alltypes_dictionary.parquet", &data, &len, &err), 0);
    tn_parquet_source src;
    cr_assert_eq(tn_parquet_source_memory(data, len, "mem.parquet", &src, &err), 0);
    tn_parquet_file *f = NULL;
    cr_assert_eq(tn_parquet_file_open(&src, &f, &err), 0, "%s", err.message);
    char *t = scan_text(f, NULL, NULL, NULL);
    cr_assert_eq(count_lines(t), 2);
    free(t);
    tn_parquet_file_close(f);
    tn_free(data);

    /* Through the format plugin. */
    const tn_format *fmt = &tn_format_parquet;
    cr_assert_eq(fmt->probe("PAR1xxxx", 8), 100);
    cr_assert_eq(fmt->probe("a,b,c\n", 6), 0);
    tn_read_options ro;
    memset(&ro, 0, sizeof(ro));
    void *state = NULL;
    cr_assert_eq(fmt->reader_open(DATA "alltypes_plain.parquet", &ro, &state, &err), 0);
    cr_assert_eq(fmt->reader_schema(state)->column_count, 11);
    tn_batch *b = NULL;
    cr_assert_eq(fmt->reader_next(state, &b, &err), 0);
    cr_assert_eq(b->row_count, 8);
    tn_batch_free(b);
    cr_assert_eq(fmt->reader_next(state, &b, &err), 0);
    cr_assert_null(b);
    tn_buf d = TN_BUF_INIT;
    cr_assert_eq(fmt->reader_describe(state, &d), 0);
    cr_assert(strstr(tn_buf_cstr(&d), "\"row_groups\":[{\"rows\":8") != NULL, "%s", d.data);
    tn_buf_free(&d);
    fmt->reader_close(state);
}

Test(parquet_read, errors_are_clean)
{
    tn_error err = {0};
    cr_assert_eq(open_error(DATA "README.md", &err), TN_EFORMAT);
    cr_assert(strstr(err.file, "README.md") != NULL);
    cr_assert(strstr(err.message, "not a Parquet file") != NULL, "%s", err.message);
    cr_assert_eq(open_error(DATA "uniform_encryption.parquet.encrypted", &err), TN_EFORMAT);
    cr_assert_str_eq(err.message, "encrypted Parquet files are not supported");
    cr_assert_eq(open_error(DATA "encrypt_columns_plaintext_footer.parquet.encrypted", &err),
                 TN_EFORMAT);
    cr_assert(strstr(err.message, "encrypted Parquet files are not supported") != NULL, "%s",
              err.message);
    cr_assert_eq(open_error(DATA "does-not-exist.parquet", &err), TN_ENOENT);

    static const char *const bad[] = {
        "ARROW-GH-41317.parquet", "ARROW-GH-41321.parquet",
        "ARROW-GH-45185.parquet", "ARROW-GH-47662.parquet",
        "ARROW-RS-GH-6229-DICTHEADER.parquet", "ARROW-RS-GH-6229-LEVELS.parquet",
        "PARQUET-1481.parquet"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[1024];
        snprintf(path, sizeof(path), BAD "%s", bad[i]);
        tn_error_clear(&err);
        int rc = open_error(path, &err);
        cr_assert_neq(rc, 0, "%s was read", bad[i]);
        cr_assert(strstr(err.file, bad[i]) != NULL, "%s: error names '%s'", bad[i], err.file);
        cr_assert(err.message[0] != '\0');
    }
    /* ARROW-GH-43605 (RLE with bit width 0) is accepted, as hyparquet does. */
    cr_assert_eq(open_error(BAD "ARROW-GH-43605.parquet", &err), 0, "%s", err.message);
    cr_assert_neq(open_error(DATA "nation.dict-malformed.parquet", &err), 0);
}

/* Every prefix and a set of bit flips of a small file: errors, never crashes (ASan checks
 * the reads). */
Test(parquet_read, truncated_and_flipped)
{
    static const char *const files[] = {"alltypes_plain.snappy.parquet", "list_columns.parquet",
                                        "delta_byte_array.parquet",
                                        "datapage_v2.snappy.parquet"};
    for (size_t fi = 0; fi < sizeof(files) / sizeof(files[0]); fi++) {
        char path[1024];
        snprintf(path, sizeof(path), DATA "%s", files[fi]);
        char *data = NULL;
        size_t len = 0;
        tn_error err = {0};
        cr_assert_eq(tn_file_read_all(path, &data, &len, &err), 0);
        uint8_t *copy = malloc(len);
        size_t step = len > 3000 ? len / 300 : 1;
        for (size_t cut = 0; cut < len; cut += step) {
            memcpy(copy, data, len);
            for (int mode = 0; mode < 2; mode++) {
                size_t n = mode == 0 ? cut : len;
                if (mode == 1)
                    copy[cut] ^= (uint8_t)(0x11u << (cut % 4));
                tn_parquet_source src;
                cr_assert_eq(tn_parquet_source_memory(copy, n, files[fi], &src, &err), 0);
                tn_parquet_file *f = NULL;
                if (tn_parquet_file_open(&src, &f, &err) != 0)
                    continue;
                tn_parquet_scan *s = NULL;
                if (tn_parquet_scan_open(f, NULL, &s, &err) == 0) {
                    for (;;) {
                        tn_batch *b = NULL;
                        if (tn_parquet_scan_next(s, &b, &err) != 0 || !b)
                            break;
                        tn_batch_free(b);
                    }
                }
                tn_parquet_scan_close(s);
                tn_parquet_file_close(f);
            }
        }
        free(copy);
        tn_free(data);
    }
}

/* Out of memory at every allocation along a whole read: TN_ENOMEM (or success), no crash
 * and, under ASan, no leak. */
Test(parquet_read, allocation_failures)
{
    for (uint64_t n = 1; n < 400; n += (n < 100 ? 1 : 7)) {
        tn_alloc_fail_every(n);
        tn_error err = {0};
        int rc = open_error(DATA "nested_maps.snappy.parquet", &err);
        tn_alloc_fail_every(0);
        cr_assert(rc == 0 || rc == TN_ENOMEM, "fail every %llu: %d %s", (unsigned long long)n,
                  rc, err.message);
    }
}

/* Rewrites the footer of a corpus file with `edit` applied, into a new buffer. */
static char *with_footer_edit(const char *path, void (*edit)(tn_parquet_file_metadata *),
                              size_t *out_len)
{
    char *data = NULL;
    size_t len = 0;
    tn_error err = {0};
    cr_assert_eq(tn_file_read_all(path, &data, &len, &err), 0);
    uint32_t footer_len;
    memcpy(&footer_len, data + len - 8, 4);
    const char *footer = data + len - 8 - footer_len;
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_parquet_file_metadata md;
    cr_assert_eq(tn_parquet_file_metadata_decode(footer, footer_len, &arena, &md, &err), 0);
    edit(&md);
    tn_buf out = TN_BUF_INIT;
    tn_buf_append(&out, data, (size_t)(footer - data));
    size_t start = out.len;
    tn_thrift_writer w;
    tn_thrift_writer_init(&w, &out);
    tn_parquet_file_metadata_write(&w, &md);
    cr_assert_eq(tn_thrift_writer_error(&w), 0);
    uint32_t n = (uint32_t)(out.len - start);
    tn_buf_append(&out, &n, 4);
    tn_buf_append(&out, "PAR1", 4);
    tn_arena_free(&arena);
    tn_free(data);
    return tn_buf_detach(&out, out_len);
}

static int read_buffer(const char *data, size_t len, tn_error *err)
{
    tn_parquet_source src;
    tn_parquet_file *f = NULL;
    int rc = tn_parquet_source_memory(data, len, "edited.parquet", &src, err);
    if (rc == 0)
        rc = tn_parquet_file_open(&src, &f, err);
    tn_parquet_scan *s = NULL;
    if (rc == 0)
        rc = tn_parquet_scan_open(f, NULL, &s, err);
    while (rc == 0) {
        tn_batch *b = NULL;
        rc = tn_parquet_scan_next(s, &b, err);
        if (!b)
            break;
        tn_batch_free(b);
    }
    tn_parquet_scan_close(s);
    tn_parquet_file_close(f);
    return rc;
}

static void claim_many_rows(tn_parquet_file_metadata *md)
{
    md->num_rows = (int64_t)1 << 40;
    md->row_groups[0].num_rows = (int64_t)1 << 40;
}

static void claim_fewer_rows(tn_parquet_file_metadata *md)
{
    md->row_groups[0].num_rows -= 1;
}

static void wrong_chunk_offset(tn_parquet_file_metadata *md)
{
    md->row_groups[0].columns[0].meta_data.data_page_offset = (int64_t)1 << 50;
    md->row_groups[0].columns[0].meta_data.dictionary_page_offset = (int64_t)1 << 50;
}

/* A footer that lies about row counts or offsets: a clean error naming the problem, quickly
 * and without allocating for the claimed rows. */
Test(parquet_read, lying_footer)
{
    size_t len;
    tn_error err = {0};
    char *data = with_footer_edit(DATA "alltypes_plain.parquet", claim_many_rows, &len);
    int rc = read_buffer(data, len, &err);
    cr_assert_eq(rc, TN_ECORRUPT, "%d %s", rc, err.message);
    cr_assert(strstr(err.message, "ends after 8 rows") != NULL, "%s", err.message);
    tn_free(data);
    data = with_footer_edit(DATA "alltypes_plain.parquet", claim_fewer_rows, &len);
    cr_assert_eq(read_buffer(data, len, &err), TN_ECORRUPT);
    cr_assert(strstr(err.message, "more values than the row group") != NULL, "%s", err.message);
    tn_free(data);
    data = with_footer_edit(DATA "alltypes_plain.parquet", wrong_chunk_offset, &len);
    rc = read_buffer(data, len, &err);
    cr_assert_eq(rc, TN_ECORRUPT, "%d %s", rc, err.message);
    cr_assert(strstr(err.message, "outside the data") != NULL, "%s", err.message);
    cr_assert_str_eq(err.key, "id");
    tn_free(data);
}

static void chunk_count_mismatch(tn_parquet_file_metadata *md)
{
    md->row_groups[0].column_count -= 1;
}

static int open_buffer_schema(const char *data, size_t len, tn_parquet_file **f, tn_error *err)
{
    tn_parquet_source src;
    int rc = tn_parquet_source_memory(data, len, "edited.parquet", &src, err);
    return rc ? rc : tn_parquet_file_open_schema(&src, f, err);
}

/* Opening for the schema only reads the footer up to the schema and num_rows: the same
 * columns and row count as a full open; a row group the full open refuses is not looked at
 * (reading the data later still refuses it). */
Test(parquet_read, open_schema_only)
{
    tn_parquet_file *full = open_file(DATA "alltypes_plain.parquet");
    char *data = NULL;
    size_t len = 0;
    tn_error err = {0};
    cr_assert_eq(tn_file_read_all(DATA "alltypes_plain.parquet", &data, &len, &err), 0);
    tn_parquet_file *head = NULL;
    cr_assert_eq(open_buffer_schema(data, len, &head, &err), 0, "%s", err.message);
    const tn_schema *a = tn_parquet_file_schema(full), *b = tn_parquet_file_schema(head);
    cr_assert_eq(a->column_count, b->column_count);
    for (uint32_t c = 0; c < a->column_count; c++) {
        cr_assert_str_eq(a->columns[c].name, b->columns[c].name);
        cr_assert(tn_type_eq(a->columns[c].type, b->columns[c].type));
    }
    cr_assert_eq(tn_parquet_file_num_rows(head), 8);
    cr_assert_eq(tn_parquet_file_num_rows(full), 8);
    cr_assert_eq(tn_parquet_file_row_group_count(head), 0);
    tn_parquet_file_close(head);
    tn_parquet_file_close(full);
    tn_free(data);

    data = with_footer_edit(DATA "alltypes_plain.parquet", chunk_count_mismatch, &len);
    head = NULL;
    cr_assert_eq(open_buffer_schema(data, len, &head, &err), 0, "%s", err.message);
    cr_assert_eq(tn_parquet_file_num_rows(head), 8);
    tn_parquet_file_close(head);
    cr_assert_eq(read_buffer(data, len, &err), TN_ECORRUPT);
    tn_free(data);
}

/* Writes `columns` INTEGER columns with long names, `rows` rows of them in row groups of
 * `group_rows`, to a new file in a temporary folder; returns its path. */
static char *write_wide_file(uint32_t columns, int64_t rows, int64_t group_rows)
{
    char dir[] = "/tmp/tarn-pq-schema-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *path = tn_malloc(strlen(dir) + 16);
    cr_assert_not_null(path);
    sprintf(path, "%s/t.parquet", dir);
    tn_schema *s = tn_schema_new();
    for (uint32_t c = 0; c < columns; c++) {
        char name[64];
        snprintf(name, sizeof name, "a_column_with_a_rather_long_name_%05u", c);
        cr_assert_eq(tn_schema_add(s, name, tn_type_make(TN_TYPE_INTEGER), true), 0);
    }
    tn_write_options w;
    memset(&w, 0, sizeof w);
    w.row_group_rows = group_rows;
    void *state = NULL;
    tn_error err = {0};
    cr_assert_eq(tn_parquet_writer_open(path, s, &w, &state, &err), 0, "%s", err.message);
    for (int64_t r = 0; r < rows;) {
        uint32_t n = rows - r < 1000 ? (uint32_t)(rows - r) : 1000;
        tn_batch *b = tn_batch_new(s, n);
        cr_assert_not_null(b);
        for (uint32_t c = 0; c < columns; c++)
            for (uint32_t i = 0; i < n; i++)
                tn_vector_i32(&b->columns[c])[i] = (int32_t)(r + i);
        b->row_count = n;
        cr_assert_eq(tn_parquet_writer_write(state, b, &err), 0, "%s", err.message);
        tn_batch_free(b);
        r += n;
    }
    cr_assert_eq(tn_parquet_writer_finish(state, &err), 0, "%s", err.message);
    tn_schema_unref(s);
    return path;
}

static void remove_file_and_folder(char *path)
{
    remove(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    tn_free(path);
}

/* Opening for the schema reads only the start of a footer; footers larger than that read
 * whether the schema fits in it (many row groups) or not (many long column names), and the
 * schema and row count agree with a full open's, as does the footer count. */
Test(parquet_read, open_schema_past_the_footer_start)
{
    struct { uint32_t columns; int64_t rows, group_rows; } shapes[] = {
        {1, 3000, 10},   /* 300 row groups: a footer of tens of KiB, a schema of a few bytes */
        {1500, 3, 1000}, /* a schema of ~60 KiB */
        {3, 5, 1000},    /* a footer smaller than the start read */
    };
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
        char *path = write_wide_file(shapes[k].columns, shapes[k].rows, shapes[k].group_rows);
        tn_parquet_file *full = open_file(path);
        tn_parquet_source src;
        tn_error err = {0};
        tn_parquet_file *head = NULL;
        cr_assert_eq(tn_parquet_source_open_file(path, &src, &err), 0, "%s", err.message);
        cr_assert_eq(tn_parquet_file_open_schema(&src, &head, &err), 0, "%s", err.message);
        const tn_schema *a = tn_parquet_file_schema(full), *b = tn_parquet_file_schema(head);
        cr_assert_eq(b->column_count, shapes[k].columns);
        cr_assert_eq(a->column_count, b->column_count);
        for (uint32_t c = 0; c < a->column_count; c++)
            cr_assert_str_eq(a->columns[c].name, b->columns[c].name);
        cr_assert_eq(tn_parquet_file_num_rows(head), shapes[k].rows);
        cr_assert_eq(tn_parquet_file_num_rows(full), shapes[k].rows);
        int64_t counted = -1;
        cr_assert_eq(tn_parquet_file_count_rows(path, &counted, &err), 0, "%s", err.message);
        cr_assert_eq(counted, shapes[k].rows);
        tn_parquet_file_close(head);
        tn_parquet_file_close(full);
        remove_file_and_folder(path);
    }
}

/* String predicates on statistics and the page index (hyparquet's page_index.parquet: two
 * row groups of sorted "word-NNNNNN" with a column index). */
Test(parquet_read, prune_strings)
{
    tn_parquet_file *f = open_file(EXTRA "page_index.parquet");
    int word = tn_schema_find(tn_parquet_file_schema(f), "word");
    int id = tn_schema_find(tn_parquet_file_schema(f), "id");
    cr_assert(word >= 0 && id >= 0);
    tn_parquet_predicate p;
    memset(&p, 0, sizeof(p));
    p.column = (uint32_t)word;
    p.op = TN_PARQUET_OP_EQ;
    p.value.s = tn_str_c("word-002345");
    uint32_t cols[2] = {(uint32_t)id, (uint32_t)word};
    tn_parquet_scan_options o;
    memset(&o, 0, sizeof(o));
    o.columns = cols;
    o.column_count = 2;
    o.predicates = &p;
    o.predicate_count = 1;
    tn_parquet_scan_stats st;
    char *t = scan_text(f, &o, &st, NULL);
    cr_assert(strstr(t, "2345|word-002345\n") != NULL, "%s", t);
    cr_assert_eq(st.row_groups_pruned, 1);
    cr_assert_gt(st.rows_pruned, 1500);
    cr_assert_eq((int64_t)count_lines(t), st.rows_read);
    free(t);
    p.op = TN_PARQUET_OP_LT;
    p.value.s = tn_str_c("word-000010");
    t = scan_text(f, &o, &st, NULL);
    for (int i = 0; i < 10; i++) {
        char line[64];
        snprintf(line, sizeof(line), "%d|word-%06d\n", i, i);
        cr_assert(strstr(t, line) != NULL, "%s missing", line);
    }
    cr_assert_eq(st.row_groups_pruned, 1);
    free(t);
    tn_parquet_file_close(f);
}
