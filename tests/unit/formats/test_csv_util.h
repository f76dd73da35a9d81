/* SPDX-License-Identifier: Apache-2.0
 *
 * Helpers shared by the CSV unit tests: write a file into a private temporary folder, read it
 * fully through the CSV plugin, and keep what came out (names, types, values as text,
 * rejects) in plain malloc'd memory so tests can compare it after the reader is closed.
 */
#ifndef TEST_CSV_UTIL_H
#define TEST_CSV_UTIL_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/formats.h"

typedef struct csv_test_reject {
    int64_t line;
    int64_t column;
    char *column_name;
    char *reason;
    char *raw;
} csv_test_reject;

typedef struct csv_test_result {
    int rc;               /* of open, or of the first failing next */
    tn_error err;
    uint32_t ncols;
    char **names;
    tn_type *types;
    size_t nrows;
    char ***cells;        /* cells[row][col]: text, or NULL for a NULL value */
    size_t nrejects;
    csv_test_reject *rejects;
    int64_t rejected;     /* reader_rejected */
    char *describe;
    size_t batches;
} csv_test_result;

static char csv_test_dir[256];

/* Removes the temporary folder and the files in it (at exit of the test's process). */
static void csv_test_cleanup(void)
{
    DIR *dir = opendir(csv_test_dir);
    if (!dir)
        return;
    struct dirent *de;
    char path[600];
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", csv_test_dir, de->d_name);
        unlink(path);
    }
    closedir(dir);
    rmdir(csv_test_dir);
}

/* A path inside this process's temporary folder (removed when the process exits). */
static inline const char *csv_test_path(const char *name)
{
    static char path[512];
    if (!csv_test_dir[0]) {
        snprintf(csv_test_dir, sizeof(csv_test_dir), "/tmp/tarn_csv_test_XXXXXX");
        cr_assert_not_null(mkdtemp(csv_test_dir));
        atexit(csv_test_cleanup);
    }
    snprintf(path, sizeof(path), "%s/%s", csv_test_dir, name);
    return path;
}

static inline const char *csv_test_write(const char *name, const void *data, size_t len)
{
    const char *path = csv_test_path(name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    if (len)
        cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

static void csv_test_on_reject(void *ctx, const tn_reject *rej)
{
    csv_test_result *res = ctx;
    res->rejects = realloc(res->rejects, (res->nrejects + 1) * sizeof(*res->rejects));
    csv_test_reject *r = &res->rejects[res->nrejects++];
    r->line = rej->line;
    r->column = rej->column;
    r->column_name = rej->column_name ? strdup(rej->column_name) : NULL;
    r->reason = strdup(rej->reason);
    r->raw = strndup(rej->raw.ptr, rej->raw.len);
}

/* Reads path through the CSV plugin with opts (NULL = defaults; its on_reject is replaced).
 * When keep_values is false only counts are kept (for allocation-failure runs). */
static inline csv_test_result *csv_test_read_opts(const char *path, const tn_read_options *opts,
                                                  bool keep_values)
{
    csv_test_result *res = calloc(1, sizeof(*res));
    tn_read_options o = {0};
    if (opts)
        o = *opts;
    o.on_reject = csv_test_on_reject;
    o.reject_ctx = res;
    void *state = NULL;
    res->rc = tn_format_csv.reader_open(path, &o, &state, &res->err);
    if (res->rc)
        return res;
    const tn_schema *schema = tn_format_csv.reader_schema(state);
    res->ncols = schema->column_count;
    res->names = calloc(res->ncols + 1, sizeof(char *));
    res->types = calloc(res->ncols + 1, sizeof(tn_type));
    for (uint32_t c = 0; c < res->ncols; c++) {
        res->names[c] = strdup(schema->columns[c].name);
        res->types[c] = schema->columns[c].type;
    }
    tn_buf desc = TN_BUF_INIT;
    if (tn_format_csv.reader_describe(state, &desc) == 0 && tn_buf_cstr(&desc))
        res->describe = strdup(tn_buf_cstr(&desc));
    tn_buf_free(&desc);
    size_t cap = 0;
    tn_buf text = TN_BUF_INIT;
    for (;;) {
        tn_batch *b = NULL;
        int rc = tn_format_csv.reader_next(state, &b, &res->err);
        if (rc) {
            res->rc = rc;
            break;
        }
        if (!b)
            break;
        res->batches++;
        cr_assert_leq(b->row_count, b->capacity);
        cr_assert_gt(b->row_count, 0, "no empty batches");
        for (uint32_t row = 0; row < b->row_count; row++) {
            if (keep_values) {
                if (res->nrows == cap) {
                    cap = cap ? cap * 2 : 64;
                    res->cells = realloc(res->cells, cap * sizeof(char **));
                }
                char **cells = calloc(res->ncols + 1, sizeof(char *));
                for (uint32_t c = 0; c < res->ncols; c++) {
                    tn_buf_clear(&text);
                    int frc = tn_vector_format_value(&b->columns[c], row, &text);
                    cr_assert_geq(frc, 0);
                    if (frc == 0)
                        cells[c] = strndup(text.data ? text.data : "", text.len);
                }
                res->cells[res->nrows] = cells;
            }
            res->nrows++;
        }
        tn_batch_free(b);
    }
    tn_buf_free(&text);
    res->rejected = tn_format_csv.reader_rejected(state);
    tn_format_csv.reader_close(state);
    return res;
}

static inline csv_test_result *csv_test_read(const char *path, const tn_read_options *opts)
{
    return csv_test_read_opts(path, opts, true);
}

/* Writes text to a file named name and reads it. */
static inline csv_test_result *csv_test_read_text(const char *name, const char *text,
                                                  const tn_read_options *opts)
{
    const char *path = csv_test_write(name, text, strlen(text));
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", path);
    return csv_test_read(copy, opts);
}

static inline void csv_test_free(csv_test_result *res)
{
    if (!res)
        return;
    for (uint32_t c = 0; c < res->ncols; c++)
        free(res->names[c]);
    free(res->names);
    free(res->types);
    if (res->cells) {
        for (size_t r = 0; r < res->nrows; r++) {
            for (uint32_t c = 0; c < res->ncols; c++)
                free(res->cells[r][c]);
            free(res->cells[r]);
        }
        free(res->cells);
    }
    for (size_t i = 0; i < res->nrejects; i++) {
        free(res->rejects[i].column_name);
        free(res->rejects[i].reason);
        free(res->rejects[i].raw);
    }
    free(res->rejects);
    free(res->describe);
    free(res);
}

/* The type of column c as text ("INTEGER"). */
static inline const char *csv_test_type(const csv_test_result *res, uint32_t c)
{
    static char buf[64];
    return tn_type_format(res->types[c], buf, sizeof(buf));
}

/* Asserts the value at (row, col); expected NULL means a NULL value. */
#define csv_assert_cell(res, row, col, expected)                                               \
    do {                                                                                       \
        const char *got_ = (res)->cells[row][col];                                             \
        const char *exp_ = (expected);                                                         \
        if (exp_ == NULL)                                                                      \
            cr_assert_null(got_, "row %d col %d: expected NULL, got '%s'", (int)(row),         \
                           (int)(col), got_ ? got_ : "");                                      \
        else {                                                                                 \
            cr_assert_not_null(got_, "row %d col %d: expected '%s', got NULL", (int)(row),     \
                               (int)(col), exp_);                                              \
            cr_assert_str_eq(got_, exp_, "row %d col %d", (int)(row), (int)(col));             \
        }                                                                                      \
    } while (0)

#endif /* TEST_CSV_UTIL_H */
