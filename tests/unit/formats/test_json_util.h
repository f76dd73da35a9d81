/* SPDX-License-Identifier: Apache-2.0
 *
 * Helpers shared by the JSON format tests: temporary files, and reading a whole file through
 * the JSON plugin into a grid of text cells plus the list of rejects, so that tests can
 * compare values as text.
 */
#ifndef TEST_JSON_UTIL_H
#define TEST_JSON_UTIL_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/formats.h"
#include "formats/json/json.h"

#define JT_UNUSED __attribute__((unused))

typedef struct jt_reject {
    int64_t line;
    int64_t column;
    char *column_name;
    char *reason;
    char *raw;
} jt_reject;

typedef struct jt_result {
    int rc;
    tn_error err;
    tn_schema *schema;
    size_t rows;
    size_t cap;
    char ***cells; /* cells[row][col], NULL for SQL NULL */
    jt_reject *rejects;
    size_t reject_count;
    int64_t rejected; /* the reader's own count */
    char describe[256];
    size_t batches;
} jt_result;

static JT_UNUSED char jt_dir[256];

/* A fresh temporary folder for this test process. */
static JT_UNUSED const char *jt_tmpdir(void)
{
    if (!jt_dir[0]) {
        snprintf(jt_dir, sizeof jt_dir, "/tmp/tarn-json-test-XXXXXX");
        cr_assert_not_null(mkdtemp(jt_dir));
    }
    return jt_dir;
}

static JT_UNUSED char *jt_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", jt_tmpdir(), name);
    return p;
}

static JT_UNUSED void jt_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    if (len) cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static JT_UNUSED char *jt_write_str(const char *name, const char *text)
{
    char *p = jt_path(name);
    jt_write(p, text, strlen(text));
    return p;
}

static JT_UNUSED void jt_on_reject(void *ctx, const tn_reject *rj)
{
    jt_result *res = ctx;
    res->rejects = realloc(res->rejects, sizeof *res->rejects * (res->reject_count + 1));
    jt_reject *r = &res->rejects[res->reject_count++];
    r->line = rj->line;
    r->column = rj->column;
    r->column_name = rj->column_name ? strdup(rj->column_name) : NULL;
    r->reason = strdup(rj->reason);
    r->raw = strndup(rj->raw.ptr ? rj->raw.ptr : "", rj->raw.len);
}

static JT_UNUSED void jt_free(jt_result *res)
{
    for (size_t r = 0; r < res->rows; r++) {
        for (uint32_t c = 0; res->schema && c < res->schema->column_count; c++)
            free(res->cells[r][c]);
        free(res->cells[r]);
    }
    free(res->cells);
    for (size_t i = 0; i < res->reject_count; i++) {
        free(res->rejects[i].column_name);
        free(res->rejects[i].reason);
        free(res->rejects[i].raw);
    }
    free(res->rejects);
    tn_schema_unref(res->schema);
    memset(res, 0, sizeof *res);
}

/* Reads path with the JSON plugin directly. opts may be NULL. */
static JT_UNUSED jt_result jt_read(const char *path, const tn_read_options *opts_in)
{
    jt_result res;
    memset(&res, 0, sizeof res);
    tn_read_options opts;
    memset(&opts, 0, sizeof opts);
    if (opts_in) opts = *opts_in;
    opts.on_reject = jt_on_reject;
    opts.reject_ctx = &res;
    void *state = NULL;
    res.rc = tn_format_json.reader_open(path, &opts, &state, &res.err);
    if (res.rc) return res;
    res.schema = tn_schema_ref((tn_schema *)tn_format_json.reader_schema(state));
    tn_buf d = TN_BUF_INIT;
    tn_format_json.reader_describe(state, &d);
    snprintf(res.describe, sizeof res.describe, "%s", tn_buf_cstr(&d));
    tn_buf_free(&d);
    uint32_t ncols = res.schema->column_count;
    for (;;) {
        tn_batch *b = NULL;
        res.rc = tn_format_json.reader_next(state, &b, &res.err);
        if (res.rc || !b) break;
        res.batches++;
        cr_assert(tn_schema_eq(b->schema, res.schema));
        for (uint32_t r = 0; r < b->row_count; r++) {
            if (res.rows == res.cap) {
                res.cap = res.cap ? res.cap * 2 : 64;
                res.cells = realloc(res.cells, sizeof *res.cells * res.cap);
            }
            char **row = calloc(ncols ? ncols : 1, sizeof *row);
            for (uint32_t c = 0; c < ncols; c++) {
                const tn_vector *v = &b->columns[c];
                if (!tn_vector_is_valid(v, r)) continue;
                tn_buf t = TN_BUF_INIT;
                cr_assert_eq(tn_vector_format_value(v, r, &t), 0);
                row[c] = strdup(tn_buf_cstr(&t));
                tn_buf_free(&t);
            }
            res.cells[res.rows++] = row;
        }
        tn_batch_free(b);
    }
    res.rejected = tn_format_json.reader_rejected(state);
    tn_format_json.reader_close(state);
    return res;
}

static JT_UNUSED jt_result jt_read_str(const char *name, const char *text)
{
    return jt_read(jt_write_str(name, text), NULL);
}

/* The cell text of row/column name; "<null>" for NULL, "<nocol>" for an unknown column. */
static JT_UNUSED const char *jt_cell(const jt_result *res, size_t row, const char *col)
{
    int c = tn_schema_find(res->schema, col);
    if (c < 0) return "<nocol>";
    cr_assert_lt(row, res->rows);
    return res->cells[row][c] ? res->cells[row][c] : "<null>";
}

static JT_UNUSED const char *jt_type(const jt_result *res, const char *col)
{
    static char out[8][64];
    static int next;
    char *o = out[next++ % 8];
    int c = tn_schema_find(res->schema, col);
    if (c < 0) return "<nocol>";
    return tn_type_format(res->schema->columns[c].type, o, 64);
}

/* Reads a file of the conformance corpus into memory. */
static JT_UNUSED char *jt_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
    data[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return data;
}

static JT_UNUSED int jt_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted file names of a folder (free each and the array). */
static JT_UNUSED char **jt_list(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        names = realloc(names, sizeof *names * (n + 1));
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (n > 1) qsort(names, n, sizeof *names, jt_name_cmp);
    *count = n;
    return names;
}

#define JT_PARSING_DIR   TARN_CONFORMANCE_DIR "/json/test_parsing"
#define JT_TRANSFORM_DIR TARN_CONFORMANCE_DIR "/json/test_transform"

#endif /* TEST_JSON_UTIL_H */
