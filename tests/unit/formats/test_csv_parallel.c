/* SPDX-License-Identifier: Apache-2.0
 *
 * The parallel CSV parse against the sequential one: multi-MiB files with quoted newlines,
 * CR/CRLF line ends, rejected rows and comment/escape dialects give the same rows and the
 * same reject line numbers with 1 thread and with several. Also gzip and zstd input.
 */
#include <zlib.h>
#include <zstd.h>

#include "formats/csv/csv_int.h"
#include "test_csv_util.h"

/* Deterministic pseudo-random numbers. */
static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct gen_opts {
    const char *eol;      /* line end */
    bool comments;        /* sprinkle '#' lines */
    bool backslash;       /* escape quotes with a backslash instead of doubling */
    int bad_every;        /* a ragged or mistyped row every N rows (0 = none) */
} gen_opts;

/* A CSV of `rows` records: id, a quoted text with delimiters, quotes and line breaks, a
 * number, a date. Returns malloc'd text; *expected_lines gets the line of every 1000th
 * data row (for spot checks). */
static char *gen_csv(size_t rows, const gen_opts *g, size_t *len)
{
    tn_buf b = TN_BUF_INIT;
    rng_state = 0x9E3779B97F4A7C15ULL;
    tn_buf_printf(&b, "id,text,amount,day%s", g->eol);
    for (size_t i = 0; i < rows; i++) {
        if (g->comments && rng() % 50 == 0)
            tn_buf_printf(&b, "# note \"%zu%s", i, g->eol);
        if (g->bad_every && i % (size_t)g->bad_every == (size_t)g->bad_every - 1) {
            if (i % 2)
                tn_buf_printf(&b, "%zu,short%s", i, g->eol);
            else
                tn_buf_printf(&b, "%zu,\"x\",notanumber,2024-01-01%s", i, g->eol);
            continue;
        }
        tn_buf_printf(&b, "%zu,", i);
        switch (rng() % 5) {
        case 0:
            tn_buf_printf(&b, "plain%zu", i);
            break;
        case 1:
            tn_buf_printf(&b, "\"with, comma %zu\"", i);
            break;
        case 2:
            tn_buf_printf(&b, "\"multi%sline %zu\"", g->eol, i);
            break;
        case 3:
            if (g->backslash)
                tn_buf_printf(&b, "\"say \\\"hi\\\" %zu\"", i);
            else
                tn_buf_printf(&b, "\"say \"\"hi\"\" %zu\"", i);
            break;
        default:
            tn_buf_printf(&b, "\"\"");
            break;
        }
        tn_buf_printf(&b, ",%llu.%02llu,2024-%02llu-%02llu%s", (unsigned long long)(rng() % 100000),
                      (unsigned long long)(rng() % 100), (unsigned long long)(rng() % 12 + 1),
                      (unsigned long long)(rng() % 28 + 1), g->eol);
    }
    *len = b.len;
    char *out = malloc(b.len + 1);
    memcpy(out, b.data, b.len);
    out[b.len] = 0;
    tn_buf_free(&b);
    return out;
}

static void assert_same(const csv_test_result *a, const csv_test_result *b)
{
    cr_assert_eq(a->rc, 0, "%s", a->err.message);
    cr_assert_eq(b->rc, 0, "%s", b->err.message);
    cr_assert_eq(a->ncols, b->ncols);
    for (uint32_t c = 0; c < a->ncols; c++)
        cr_assert(tn_type_eq(a->types[c], b->types[c]));
    cr_assert_eq(a->nrows, b->nrows);
    for (size_t r = 0; r < a->nrows; r++)
        for (uint32_t c = 0; c < a->ncols; c++) {
            const char *x = a->cells[r][c], *y = b->cells[r][c];
            cr_assert((x == NULL) == (y == NULL), "row %zu col %u", r, c);
            if (x)
                cr_assert_str_eq(x, y, "row %zu col %u", r, c);
        }
    cr_assert_eq(a->nrejects, b->nrejects);
    for (size_t i = 0; i < a->nrejects; i++) {
        cr_assert_eq(a->rejects[i].line, b->rejects[i].line, "reject %zu", i);
        cr_assert_eq(a->rejects[i].column, b->rejects[i].column);
        cr_assert_str_eq(a->rejects[i].reason, b->rejects[i].reason);
        cr_assert_str_eq(a->rejects[i].raw, b->rejects[i].raw);
    }
}

/* Reads text with 1, 2, 3 and 7 threads and checks all agree; returns the 1-thread result. */
static csv_test_result *read_all_ways(const char *name, const char *text, size_t len,
                                      const tn_read_options *base)
{
    const char *p = csv_test_write(name, text, len);
    char path[512];
    snprintf(path, sizeof(path), "%s", p);
    tn_read_options o = *base;
    o.threads = 1;
    csv_test_result *one = csv_test_read(path, &o);
    const int threads[] = {2, 3, 7};
    for (int i = 0; i < 3; i++) {
        o.threads = threads[i];
        csv_test_result *many = csv_test_read(path, &o);
        assert_same(one, many);
        csv_test_free(many);
    }
    /* Small blocks and segments: records cross many block and segment boundaries. */
    tn_csv_tuning saved = tn_csv_tuning_current;
    const size_t blocks[] = {4096, 65536 + 7};
    for (int i = 0; i < 2; i++) {
        tn_csv_tuning_current.block_size = blocks[i];
        tn_csv_tuning_current.min_segment = 512;
        for (int t = 1; t <= 4; t += 3) {
            o.threads = t;
            csv_test_result *small = csv_test_read(path, &o);
            assert_same(one, small);
            csv_test_free(small);
        }
    }
    tn_csv_tuning_current = saved;
    return one;
}

/* Line of the record with id `id` in a generated file: counted by scanning the text. */
static int64_t line_of_id(const char *text, size_t len, size_t id)
{
    char needle[64];
    int n = snprintf(needle, sizeof(needle), "\n%zu,", id);
    const char *hit = memmem(text, len, needle, (size_t)n);
    cr_assert_not_null(hit);
    int64_t line = 1;
    for (const char *q = text; q <= hit; q++)
        if (*q == '\n')
            line++;
    return line;
}

Test(csv_parallel, quoted_newlines_lf, .timeout = 120)
{
    gen_opts g = {.eol = "\n", .bad_every = 997};
    size_t len;
    char *text = gen_csv(300000, &g, &len);
    cr_assert_gt(len, (size_t)8 << 20, "big enough for several segments");
    tn_read_options o = {.sample_rows = 500};
    csv_test_result *r = read_all_ways("par_lf.csv", text, len, &o);
    cr_assert_str_eq(csv_test_type(r, 0), "INTEGER");
    cr_assert_str_eq(csv_test_type(r, 2), "DOUBLE");
    cr_assert_str_eq(csv_test_type(r, 3), "DATE");
    cr_assert_eq(r->nrows + r->nrejects, 300000);
    cr_assert_gt(r->nrejects, 250);
    /* Exact line numbers: find each rejected id in the text. */
    for (size_t i = 0; i < r->nrejects; i += 37) {
        size_t id = strtoull(r->rejects[i].raw, NULL, 10);
        cr_assert_eq(r->rejects[i].line, line_of_id(text, len, id), "reject %zu (id %zu)", i, id);
    }
    csv_test_free(r);
    free(text);
}

Test(csv_parallel, quoted_newlines_crlf_and_cr, .timeout = 120)
{
    const char *eols[] = {"\r\n", "\r"};
    for (int e = 0; e < 2; e++) {
        gen_opts g = {.eol = eols[e], .bad_every = 1999};
        size_t len;
        char *text = gen_csv(200000, &g, &len);
        tn_read_options o = {0};
        csv_test_result *r = read_all_ways("par_crlf.csv", text, len, &o);
        cr_assert_eq(r->nrows + r->nrejects, 200000);
        csv_test_free(r);
        free(text);
    }
}

Test(csv_parallel, sequential_boundaries_for_comments_and_escapes, .timeout = 120)
{
    gen_opts g = {.eol = "\n", .comments = true, .backslash = true, .bad_every = 1001};
    size_t len;
    char *text = gen_csv(150000, &g, &len);
    tn_read_options o = {.comment = '#', .escape = '\\'};
    csv_test_result *r = read_all_ways("par_seq.csv", text, len, &o);
    cr_assert_eq(r->nrows + r->nrejects, 150000);
    for (size_t i = 0; i < r->nrejects; i += 23) {
        size_t id = strtoull(r->rejects[i].raw, NULL, 10);
        cr_assert_eq(r->rejects[i].line, line_of_id(text, len, id));
    }
    csv_test_free(r);
    free(text);
}

static char *gzip_bytes(const char *data, size_t len, size_t *out_len)
{
    z_stream z = {0};
    cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, len);
    char *out = malloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

Test(csv_parallel, gzip_and_zstd, .timeout = 120)
{
    gen_opts g = {.eol = "\n", .bad_every = 500};
    size_t len;
    char *text = gen_csv(120000, &g, &len);
    const char *plain_path = csv_test_write("plain.csv", text, len);
    char plain[512];
    snprintf(plain, sizeof(plain), "%s", plain_path);
    csv_test_result *ref = csv_test_read(plain, NULL);

    size_t gz_len;
    char *gz = gzip_bytes(text, len, &gz_len);
    const char *gz_path = csv_test_write("data.csv.gz", gz, gz_len);
    char gzp[512];
    snprintf(gzp, sizeof(gzp), "%s", gz_path);
    csv_test_result *r = csv_test_read(gzp, NULL);
    assert_same(ref, r);
    cr_assert(strstr(r->describe, "\"compression\":\"gzip\""), "%s", r->describe);
    csv_test_free(r);
    free(gz);

    size_t zcap = ZSTD_compressBound(len);
    char *zs = malloc(zcap);
    size_t zlen = ZSTD_compress(zs, zcap, text, len, 3);
    cr_assert(!ZSTD_isError(zlen));
    const char *zs_path = csv_test_write("data.csv.zst", zs, zlen);
    char zsp[512];
    snprintf(zsp, sizeof(zsp), "%s", zs_path);
    r = csv_test_read(zsp, NULL);
    assert_same(ref, r);
    cr_assert(strstr(r->describe, "\"compression\":\"zstd\""), "%s", r->describe);
    tn_read_options all = {.sample_rows = TN_SAMPLE_ALL};
    csv_test_result *r2 = csv_test_read(zsp, &all);
    cr_assert_eq(r2->rc, 0);
    cr_assert_eq(r2->nrows + r2->nrejects, 120000);
    csv_test_free(r2);
    csv_test_free(r);
    free(zs);

    csv_test_free(ref);
    free(text);
}

Test(csv_parallel, sample_all_reads_whole_file, .timeout = 120)
{
    /* The last row has text in the number column: only a whole-file sample sees it. */
    tn_buf b = TN_BUF_INIT;
    tn_buf_append_cstr(&b, "a,b\n");
    for (int i = 0; i < 400000; i++)
        tn_buf_printf(&b, "%d,some text to make the file longer than one block %d\n", i, i);
    tn_buf_append_cstr(&b, "oops,x\n");
    const char *path = csv_test_write("late.csv", b.data, b.len);
    char p[512];
    snprintf(p, sizeof(p), "%s", path);
    tn_read_options all = {.sample_rows = TN_SAMPLE_ALL};
    csv_test_result *r = csv_test_read(p, &all);
    cr_assert_eq(r->rc, 0);
    cr_assert_str_eq(csv_test_type(r, 0), "VARCHAR");
    cr_assert_eq(r->nrows, 400001);
    cr_assert_eq(r->nrejects, 0);
    csv_assert_cell(r, 0, 0, "0");
    csv_test_free(r);
    r = csv_test_read(p, NULL);
    cr_assert_str_eq(csv_test_type(r, 0), "INTEGER");
    cr_assert_eq(r->nrows, 400000);
    cr_assert_eq(r->nrejects, 1);
    cr_assert_eq(r->rejects[0].line, 400002);
    csv_test_free(r);
    tn_buf_free(&b);
}

/* Standard input cannot be read twice: the sample is what the first buffer holds, and the
 * parse goes on from there. */
Test(csv_parallel, standard_input, .timeout = 120)
{
    gen_opts g = {.eol = "\r\n", .bad_every = 777};
    size_t len;
    char *text = gen_csv(50000, &g, &len);
    char with_bom[8] = "\xEF\xBB\xBF";
    char *full = malloc(len + 4);
    memcpy(full, with_bom, 3);
    memcpy(full + 3, text, len);
    const char *p = csv_test_write("stdin.csv", full, len + 3);
    char path[512];
    snprintf(path, sizeof(path), "%s", p);
    csv_test_result *ref = csv_test_read(path, NULL);

    tn_csv_tuning_current.block_size = 4096;
    tn_csv_tuning_current.min_segment = 512;
    cr_assert_not_null(freopen(path, "rb", stdin));
    tn_read_options o = {.threads = 3};
    csv_test_result *r = csv_test_read("-", &o);
    assert_same(ref, r);
    cr_assert(strstr(r->describe, "\"bom\":true"));
    csv_test_free(r);
    csv_test_free(ref);
    free(full);
    free(text);
}

/* Inputs the fuzz target found; each read with the options it chose, one thread with normal
 * blocks against several threads with tiny blocks. */
Test(csv_parallel, fuzz_regressions)
{
    /* A one-column file with NUL bytes, CR line ends and invalid UTF-8 on the last line:
     * the reject must be the same (its report may come before or after the row's batch). */
    static const char body1[] = ",b\r\x01\0\0\0\0\0\0\x05" "6\r\xff\xee\xff\xff\xff\xff";
    const char *p = csv_test_write("fuzz1.csv", body1, sizeof(body1) - 1);
    char path[512];
    snprintf(path, sizeof(path), "%s", p);
    tn_read_options o = {.threads = 1, .escape = '\\', .comment = '#', .header = TN_HEADER_YES,
                         .sample_rows = 3, .batch_rows = 7};
    csv_test_result *one = csv_test_read(path, &o);
    cr_assert_eq(one->rc, 0);
    cr_assert_eq(one->nrows, 1);
    cr_assert_eq(one->nrejects, 1);
    cr_assert_eq(one->rejects[0].line, 3);
    cr_assert_str_eq(one->rejects[0].reason, "invalid UTF-8");
    tn_csv_tuning saved = tn_csv_tuning_current;
    tn_csv_tuning_current.block_size = 52;
    tn_csv_tuning_current.min_segment = 8;
    o.threads = 3;
    csv_test_result *many = csv_test_read(path, &o);
    tn_csv_tuning_current = saved;
    assert_same(one, many);
    csv_test_free(one);
    csv_test_free(many);
}
