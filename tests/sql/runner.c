/* SPDX-License-Identifier: Apache-2.0
 *
 * tarn_sqllogictest: runs sqllogictest files (the format in
 * ../shared/conformance/sqllogictest/MANIFEST.md) against a fresh in-memory engine per file.
 *
 *   tarn_sqllogictest [--sqlite-compat] [--threads N] [--skips FILE.tsv] [--quiet] FILE.test...
 *
 * --threads sets the engine's `threads` (default 0 = every core; 1 = the serial executor).
 * Records: statement ok|error (an error statement may give, after `----`, text its message
 * must contain), query <types> [nosort|rowsort|valuesort] [label] with `----`
 * results, hash-threshold N, halt, skipif/onlyif conditions (the engine name is "tarn").
 * Results render as sqllogictest does (I integer, R %.3f, T text with (empty) and @ for
 * control bytes); more values than the threshold compare as "N values hashing to MD5".
 * Exit status 0 when every record run passed. With --skips, records listed there (file path
 * suffix, line) count as skipped instead of run: the conformance subset's out-of-subset list.
 * `__TEST_DIR__` in a record (its SQL and its expected results) stands for a fresh folder of
 * the file's own (removed afterwards), for statements that write files, as in DuckDB's test
 * files.
 */
#include "sql/sql.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int engine_threads; /* --threads */

/* ---- MD5 (RFC 1321), for hashed results ------------------------------------------------- */

typedef struct md5_ctx {
    uint32_t a, b, c, d;
    uint64_t len;
    unsigned char buf[64];
    size_t fill;
} md5_ctx;

static uint32_t rol(uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }

static void md5_block(md5_ctx *m, const unsigned char *p)
{
    static const uint32_t k[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391};
    static const int r[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[i * 4] | (uint32_t)p[i * 4 + 1] << 8 | (uint32_t)p[i * 4 + 2] << 16 |
               (uint32_t)p[i * 4 + 3] << 24;
    uint32_t a = m->a, b = m->b, c = m->c, d = m->d;
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) { f = (b & c) | (~b & d); g = i; }
        else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
        else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
        else { f = c ^ (b | ~d); g = (7 * i) % 16; }
        uint32_t t = d;
        d = c;
        c = b;
        b = b + rol(a + f + k[i] + w[g], r[i]);
        a = t;
    }
    m->a += a; m->b += b; m->c += c; m->d += d;
}

static void md5_init(md5_ctx *m)
{
    memset(m, 0, sizeof *m);
    m->a = 0x67452301; m->b = 0xefcdab89; m->c = 0x98badcfe; m->d = 0x10325476;
}

static void md5_update(md5_ctx *m, const void *data, size_t n)
{
    const unsigned char *p = data;
    m->len += n;
    while (n--) {
        m->buf[m->fill++] = *p++;
        if (m->fill == 64) {
            md5_block(m, m->buf);
            m->fill = 0;
        }
    }
}

static void md5_hex(md5_ctx *m, char out[33])
{
    uint64_t bits = m->len * 8;
    unsigned char pad = 0x80, zero = 0;
    md5_update(m, &pad, 1);
    while (m->fill != 56)
        md5_update(m, &zero, 1);
    unsigned char lb[8];
    for (int i = 0; i < 8; i++)
        lb[i] = (unsigned char)(bits >> (8 * i));
    md5_update(m, lb, 8);
    uint32_t v[4] = {m->a, m->b, m->c, m->d};
    for (int i = 0; i < 16; i++)
        sprintf(out + 2 * i, "%02x", (v[i / 4] >> (8 * (i % 4))) & 0xff);
}

/* ---- rendering ---------------------------------------------------------------------------- */

typedef struct strvec {
    char **items;
    size_t count, cap;
} strvec;

static void sv_push(strvec *v, char *s)
{
    if (v->count == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 64;
        v->items = realloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->count++] = s;
}

static void sv_free(strvec *v)
{
    for (size_t i = 0; i < v->count; i++)
        free(v->items[i]);
    free(v->items);
    memset(v, 0, sizeof *v);
}

static char *render(const tn_vector *v, uint32_t row, char type)
{
    char buf[128];
    if (!tn_vector_is_valid(v, row))
        return strdup("NULL");
    tn_buf text = TN_BUF_INIT;
    tn_vector_format_value(v, row, &text);
    const char *t = tn_buf_cstr(&text); /* NUL-terminated: strtod and strtoll read it */
    char *out;
    if (type == 'I') {
        long long x = 0;
        if (v->type.id == TN_TYPE_BOOLEAN)
            x = tn_vector_get_bool(v, row);
        else if (v->type.id == TN_TYPE_VARCHAR)
            x = strtoll(t, NULL, 10);
        else
            x = (long long)strtod(t, NULL);
        if (v->type.id == TN_TYPE_BIGINT)
            x = tn_vector_i64(v)[row];
        snprintf(buf, sizeof buf, "%lld", x);
        out = strdup(buf);
    } else if (type == 'R') {
        double d = v->type.id == TN_TYPE_BOOLEAN ? tn_vector_get_bool(v, row) : strtod(t, NULL);
        snprintf(buf, sizeof buf, "%.3f", d);
        out = strdup(buf);
    } else {
        if (text.len == 0) {
            out = strdup("(empty)");
        } else {
            out = strndup(t, text.len);
            for (char *p = out; *p; p++)
                if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
                    *p = '@';
        }
    }
    tn_buf_free(&text);
    return out;
}

/* ---- the runner -------------------------------------------------------------------------- */

typedef struct stats {
    long run, passed, failed, skipped;
} stats;

typedef struct query_ctx {
    const char *types;
    strvec *values;
    int column_mismatch;
    tn_error *err; /* receives the error of a result that fails while being read */
} query_ctx;

static int collect(void *ctx, uint32_t idx, tn_sql_result *r)
{
    query_ctx *q = ctx;
    if (!tn_sql_result_has_rows(r))
        return 0;
    q->values->count = 0;
    const tn_schema *s = tn_sql_result_schema(r);
    size_t nt = strlen(q->types);
    if (s->column_count != nt)
        q->column_mismatch = 1;
    tn_error err = {0};
    for (;;) {
        tn_batch *b;
        if (tn_sql_result_next(r, &b, &err) != 0) {
            if (q->err)
                *q->err = err;
            return -1;
        }
        if (!b)
            break;
        for (uint32_t i = 0; i < b->row_count; i++)
            for (uint32_t c = 0; c < s->column_count; c++)
                sv_push(q->values, render(&b->columns[c], i, c < nt ? q->types[c] : 'T'));
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t g_width;
static int cmp_row(const void *a, const void *b)
{
    char *const *x = a, *const *y = b;
    for (size_t i = 0; i < g_width; i++) {
        int c = strcmp(x[i], y[i]);
        if (c)
            return c;
    }
    return 0;
}

typedef struct skip_list {
    char **files;
    long *lines;
    size_t count, cap;
} skip_list;

static bool skipped(const skip_list *sk, const char *path, long line)
{
    for (size_t i = 0; i < sk->count; i++) {
        size_t fl = strlen(sk->files[i]), pl = strlen(path);
        if (sk->lines[i] == line && pl >= fl && strcmp(path + pl - fl, sk->files[i]) == 0)
            return true;
    }
    return false;
}

static void load_skips(const char *path, skip_list *sk)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = 0;
        char *end;
        long ln = strtol(tab + 1, &end, 10);
        /* only records outside the subset: index no-ops and DROP TABLE run */
        char *tier = strchr(end + 1, '\t');
        if (ln <= 0 || !tier || strncmp(tier + 1, "out", 3) != 0)
            continue;
        if (sk->count == sk->cap) {
            sk->cap = sk->cap ? sk->cap * 2 : 1024;
            sk->files = realloc(sk->files, sk->cap * sizeof *sk->files);
            sk->lines = realloc(sk->lines, sk->cap * sizeof *sk->lines);
        }
        sk->files[sk->count] = strdup(line);
        sk->lines[sk->count++] = ln;
    }
    fclose(f);
}

/* Appends a record line with __TEST_DIR__ replaced by the file's folder (made on first use). */
static void append_line(tn_buf *sql, const char *line, char *test_dir, size_t test_dir_size)
{
    static const char marker[] = "__TEST_DIR__";
    for (const char *hit; (hit = strstr(line, marker)) != NULL; line = hit + sizeof marker - 1) {
        if (!test_dir[0]) {
            snprintf(test_dir, test_dir_size, "/tmp/tarn-sqllogictest-XXXXXX");
            if (!mkdtemp(test_dir))
                snprintf(test_dir, test_dir_size, "/tmp");
        }
        tn_buf_append(sql, line, (size_t)(hit - line));
        tn_buf_append_cstr(sql, test_dir);
    }
    tn_buf_append_cstr(sql, line);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int run_file(const char *path, bool sqlite_compat, const skip_list *sk, bool quiet,
                    stats *st)
{
    char test_dir[64] = "";
    char *data;
    size_t len;
    tn_error err = {0};
    if (tn_file_read_all(path, &data, &len, &err) != 0) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
    }
    tn_sql_engine_options eo = {0};
    eo.sqlite_compat = sqlite_compat;
    eo.threads = engine_threads;
    tn_sql_engine *engine;
    if (tn_sql_engine_open(&eo, &engine, &err) != 0)
        return 1;
    /* split into lines (comments removed, \r stripped) */
    strvec lines = {0};
    long *line_no = NULL;
    size_t ln_cap = 0;
    long n = 0;
    for (char *p = data; p < data + len;) {
        char *e = memchr(p, '\n', (size_t)(data + len - p));
        size_t l = e ? (size_t)(e - p) : (size_t)(data + len - p);
        n++;
        if (l && p[l - 1] == '\r')
            l--;
        if (!(l && p[0] == '#')) {
            if (lines.count == ln_cap) {
                ln_cap = ln_cap ? ln_cap * 2 : 1024;
                line_no = realloc(line_no, ln_cap * sizeof *line_no);
            }
            line_no[lines.count] = n;
            sv_push(&lines, strndup(p, l));
        }
        p = e ? e + 1 : data + len;
    }
    long threshold = 8; /* kept for the format; results compare by hash only when given as one */
    size_t i = 0;
    strvec values = {0}, expected = {0};
    while (i < lines.count) {
        /* skip blank lines */
        while (i < lines.count && strspn(lines.items[i], " \t") == strlen(lines.items[i]))
            i++;
        if (i >= lines.count)
            break;
        size_t start = i;
        while (i < lines.count && strspn(lines.items[i], " \t") != strlen(lines.items[i]))
            i++;
        size_t end = i, k = start;
        bool skip = false;
        for (; k < end; k++) {
            char *l = lines.items[k];
            if (strncmp(l, "skipif ", 7) == 0) {
                if (strcasecmp(l + 7, "tarn") == 0)
                    skip = true;
            } else if (strncmp(l, "onlyif ", 7) == 0) {
                if (strcasecmp(l + 7, "tarn") != 0)
                    skip = true;
            } else {
                break;
            }
        }
        if (k >= end)
            continue;
        char *head = lines.items[k];
        long rec_line = line_no[k];
        if (strncmp(head, "halt", 4) == 0) {
            if (skip)
                continue;
            break;
        }
        if (strncmp(head, "hash-threshold", 14) == 0) {
            threshold = strtol(head + 14, NULL, 10);
            continue;
        }
        bool is_stmt = strncmp(head, "statement", 9) == 0;
        bool is_query = strncmp(head, "query", 5) == 0;
        if (!is_stmt && !is_query)
            continue;
        if (skip || skipped(sk, path, line_no[start])) {
            st->skipped++;
            continue;
        }
        /* SQL lines up to ---- */
        tn_buf sql = TN_BUF_INIT;
        size_t q = k + 1;
        for (; q < end && strcmp(lines.items[q], "----") != 0; q++) {
            if (sql.len)
                tn_buf_putc(&sql, '\n');
            append_line(&sql, lines.items[q], test_dir, sizeof test_dir);
        }
        st->run++;
        bool ok;
        tn_error qerr = {0};
        if (is_stmt) {
            bool want_error = strstr(head, "error") != NULL;
            strvec sink = {0};
            query_ctx sc = {"", &sink, 0, &qerr};
            /* a statement that returns rows is run to the end: errors may come late */
            int rc = tn_sql_execute(engine, tn_buf_cstr(&sql), sql.len, collect, &sc, &qerr);
            sv_free(&sink);
            ok = (rc != 0) == want_error;
            for (size_t x = q + 1; ok && want_error && x < end; x++) {
                if (lines.items[x][0] && !strstr(qerr.message, lines.items[x])) {
                    ok = false;
                    if (!quiet)
                        fprintf(stderr, "%s:%ld: error message \"%s\" lacks \"%s\"\n", path,
                                rec_line, qerr.message, lines.items[x]);
                }
            }
            if (!ok && !quiet && (rc != 0) != want_error)
                fprintf(stderr, "%s:%ld: statement %s: %s\n  %s\n", path, rec_line,
                        want_error ? "should have failed" : "failed", qerr.message,
                        tn_buf_cstr(&sql));
        } else {
            char types[256] = "", mode[32] = "nosort", label[64] = ""; /* 64-way joins: 64 types */
            sscanf(head, "query %255s %31s %63s", types, mode, label);
            query_ctx qc = {types, &values, 0, &qerr};
            sv_free(&values);
            int rc = tn_sql_execute(engine, tn_buf_cstr(&sql), sql.len, collect, &qc, &qerr);
            sv_free(&expected);
            for (size_t x = q + 1; x < end; x++) {
                tn_buf line = TN_BUF_INIT;
                append_line(&line, lines.items[x], test_dir, sizeof test_dir);
                sv_push(&expected, strdup(tn_buf_cstr(&line)));
                tn_buf_free(&line);
            }
            if (rc != 0) {
                ok = false;
                if (!quiet)
                    fprintf(stderr, "%s:%ld: query failed: %s\n  %s\n", path, rec_line,
                            qerr.message, tn_buf_cstr(&sql));
            } else {
                size_t width = strlen(types);
                if (strcmp(mode, "rowsort") == 0 && width && values.count && values.count % width == 0) {
                    size_t rows = values.count / width;
                    char ***rowp = malloc((rows + 1) * sizeof *rowp);
                    char **flat = malloc((values.count + 1) * sizeof *flat);
                    g_width = width;
                    /* sort row blocks by copying into a row-major array of pointers */
                    char **tmp = malloc((values.count + 1) * sizeof *tmp);
                    memcpy(tmp, values.items, values.count * sizeof *tmp);
                    qsort(tmp, rows, width * sizeof *tmp, cmp_row);
                    memcpy(values.items, tmp, values.count * sizeof *tmp);
                    free(tmp);
                    free(rowp);
                    free(flat);
                } else if (strcmp(mode, "valuesort") == 0) {
                    qsort(values.items, values.count, sizeof *values.items, cmp_str);
                }
                bool hashed = expected.count == 1 && strstr(expected.items[0], "values hashing to");
                if (hashed) {
                    md5_ctx m;
                    md5_init(&m);
                    for (size_t x = 0; x < values.count; x++) {
                        md5_update(&m, values.items[x], strlen(values.items[x]));
                        md5_update(&m, "\n", 1);
                    }
                    char hex[33], got[128];
                    md5_hex(&m, hex);
                    snprintf(got, sizeof got, "%zu values hashing to %s", values.count, hex);
                    ok = expected.count == 1 && strcmp(expected.items[0], got) == 0;
                    if (!ok && expected.count != 1 && (long)values.count <= threshold)
                        ok = false;
                } else {
                    /* expected may also list values one per row with spaces between */
                    strvec exp_split = {0};
                    for (size_t x = 0; x < expected.count; x++) {
                        char *s2 = strdup(expected.items[x]);
                        if (strlen(types) > 1 && strpbrk(s2, "\t ") && expected.count != values.count) {
                            for (char *tok = strtok(s2, "\t "); tok; tok = strtok(NULL, "\t "))
                                sv_push(&exp_split, strdup(tok));
                            free(s2);
                        } else {
                            sv_push(&exp_split, s2);
                        }
                    }
                    ok = exp_split.count == values.count;
                    for (size_t x = 0; ok && x < values.count; x++)
                        ok = strcmp(exp_split.items[x], values.items[x]) == 0;
                    sv_free(&exp_split);
                }
                if (qc.column_mismatch)
                    ok = false;
                if (!ok && !quiet) {
                    fprintf(stderr, "%s:%ld: wrong result for\n  %s\n  got:", path, rec_line,
                            tn_buf_cstr(&sql));
                    for (size_t x = 0; x < values.count && x < 20; x++)
                        fprintf(stderr, " %s", values.items[x]);
                    fprintf(stderr, "\n  expected:");
                    for (size_t x = 0; x < expected.count && x < 20; x++)
                        fprintf(stderr, " %s", expected.items[x]);
                    fprintf(stderr, "\n");
                }
            }
        }
        if (ok)
            st->passed++;
        else
            st->failed++;
        tn_buf_free(&sql);
    }
    (void)threshold;
    sv_free(&values);
    sv_free(&expected);
    sv_free(&lines);
    free(line_no);
    tn_free(data);
    tn_sql_engine_close(engine);
    if (test_dir[0] && strcmp(test_dir, "/tmp") != 0)
        nftw(test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

int main(int argc, char **argv)
{
    /* the allocator as the tarn program sets it up: with glibc's defaults the heap grew and
     * shrank around every statement (14,000 brk calls in 1,100 statements of select5) */
    tn_alloc_configure_program();
    bool sqlite_compat = false, quiet = false;
    skip_list sk = {0};
    stats total = {0};
    int files = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sqlite-compat") == 0) {
            sqlite_compat = true;
            continue;
        }
        if (strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
            continue;
        }
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            engine_threads = atoi(argv[++i]);
            continue;
        }
        if (strcmp(argv[i], "--skips") == 0 && i + 1 < argc) {
            load_skips(argv[++i], &sk);
            continue;
        }
        stats st = {0};
        run_file(argv[i], sqlite_compat, &sk, quiet, &st);
        printf("%s: %ld run, %ld passed, %ld failed, %ld skipped\n", argv[i], st.run, st.passed,
               st.failed, st.skipped);
        total.run += st.run;
        total.passed += st.passed;
        total.failed += st.failed;
        total.skipped += st.skipped;
        files++;
    }
    if (files > 1)
        printf("total: %d files, %ld run, %ld passed (%.1f%%), %ld failed, %ld skipped\n", files,
               total.run, total.passed, total.run ? 100.0 * (double)total.passed / (double)total.run : 0.0,
               total.failed, total.skipped);
    return total.failed ? 1 : 0;
}
