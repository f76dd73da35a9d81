/* SPDX-License-Identifier: Apache-2.0
 *
 * `tarn sql`: runs SQL from -c, -f FILE or standard input through the engine (src/sql), with
 * the project's lake tables when a project is found and files only otherwise. Results print
 * as an aligned table (wide values cut with "…", the row count below), CSV, JSON (an array of
 * objects), NDJSON, or Parquet (with -o). Errors show line:column and a caret. With neither
 * -c nor -f and a terminal on standard input (or --interactive) it opens the shell
 * (sql_shell.c).
 */
#include "cli/cli.h"
#include "cli/sql_shell.h"
#include "formats/formats.h"
#include "lake/lake.h"
#include "pipeline/project.h"
#include "sql/parser/parser.h"
#include "sql/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

static const tn_cli_option sql_options[] = {
    {"command", 'c', "SQL", "run SQL given on the command line"},
    {"file", 'f', "FILE", "run the SQL in FILE"},
    {"format", 0, "FORMAT", "output: table (default), csv, json, ndjson or parquet"},
    {"output", 'o', "FILE", "write results to FILE instead of standard output"},
    {"memory-limit", 0, "SIZE", "fail a query that would materialise more than SIZE (e.g. 2GB)"},
    {"sqlite-compat", 0, NULL, "integer division and x/0 = NULL as in SQLite"},
    {"no-project", 0, NULL, "do not open a project even when one is found (files only)"},
    {"interactive", 'i', NULL, "the shell (prompt, \\d, \\timing...) even when standard input is not a terminal"},
    {NULL, 0, NULL, NULL},
};

typedef enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON, OUT_NDJSON, OUT_PARQUET } out_format;

typedef struct sql_run {
    out_format format;
    FILE *out;
    const char *out_path;
    int results_printed;
    tn_error *err;
    bool json_open;
    bool timing;      /* print each statement's time after it (the shell's \timing) */
    int64_t mark_ns;  /* when the current statement started */
} sql_run;

#define MAX_CELL 48

static bool is_numeric(tn_type t)
{
    return t.id == TN_TYPE_INTEGER || t.id == TN_TYPE_BIGINT || t.id == TN_TYPE_REAL ||
           t.id == TN_TYPE_DOUBLE || t.id == TN_TYPE_DECIMAL;
}

/* Characters (UTF-8 code points) in s. */
static size_t display_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Byte length of the first `chars` characters. */
static size_t prefix_bytes(const char *s, size_t n, size_t chars)
{
    size_t i = 0;
    while (i < n && chars) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars--;
    }
    return i;
}

static int print_table(sql_run *run, tn_sql_result *r)
{
    const tn_schema *s = tn_sql_result_schema(r);
    uint32_t nc = s->column_count;
    tn_buf cells = TN_BUF_INIT; /* NUL-separated cell texts, row-major */
    size_t *width = tn_calloc(nc + 1, sizeof *width);
    uint8_t *isnull = NULL;
    size_t rows = 0, null_cap = 0;
    int rc = 0;
    if (!width)
        return tn_error_set(run->err, TN_ENOMEM, "out of memory");
    for (uint32_t c = 0; c < nc; c++)
        width[c] = display_width(s->columns[c].name, strlen(s->columns[c].name));
    tn_buf val = TN_BUF_INIT;
    for (;;) {
        tn_batch *b;
        if ((rc = tn_sql_result_next(r, &b, run->err)) != 0 || !b)
            break;
        for (uint32_t i = 0; i < b->row_count && rc == 0; i++, rows++) {
            if (rows * nc + nc > null_cap) {
                size_t cap = null_cap ? null_cap * 2 : 1024;
                while (cap < rows * nc + nc)
                    cap *= 2;
                uint8_t *nn = tn_realloc(isnull, cap);
                if (!nn) {
                    rc = TN_ENOMEM;
                    break;
                }
                isnull = nn;
                null_cap = cap;
            }
            for (uint32_t c = 0; c < nc; c++) {
                tn_buf_clear(&val);
                int f = tn_vector_format_value(&b->columns[c], i, &val);
                isnull[rows * nc + c] = f == 1;
                const char *p = val.data ? val.data : "";
                size_t len = f == 1 ? 4 : val.len;
                if (f == 1)
                    p = "NULL";
                /* newlines and tabs would break the grid */
                size_t w = display_width(p, len);
                if (w > MAX_CELL) {
                    len = prefix_bytes(p, len, MAX_CELL - 1);
                    w = MAX_CELL;
                }
                rc = tn_buf_append(&cells, p, len);
                if (rc == 0 && w == MAX_CELL && display_width(p, len) == MAX_CELL - 1)
                    rc = tn_buf_append_cstr(&cells, "\xe2\x80\xa6");
                if (rc == 0)
                    rc = tn_buf_putc(&cells, 0);
                for (size_t k = cells.len - len - 1; rc == 0 && k < cells.len - 1; k++)
                    if (cells.data[k] == '\n' || cells.data[k] == '\t' || cells.data[k] == '\r')
                        cells.data[k] = ' ';
                if (w > width[c])
                    width[c] = w;
            }
        }
        if (rc)
            break;
    }
    tn_buf_free(&val);
    if (rc == 0) {
        FILE *o = run->out;
        for (uint32_t c = 0; c < nc; c++) {
            const char *n = s->columns[c].name;
            size_t w = display_width(n, strlen(n));
            fprintf(o, "%s %s%*s", c ? " |" : "", n, c + 1 < nc ? (int)(width[c] - w) : 0, "");
        }
        fputc('\n', o);
        for (uint32_t c = 0; c < nc; c++) {
            fputs(c ? "-+-" : "-", o);
            for (size_t k = 0; k < width[c]; k++)
                fputc('-', o);
        }
        fputs("-\n", o);
        const char *p = cells.data;
        for (size_t row = 0; row < rows; row++) {
            for (uint32_t c = 0; c < nc; c++) {
                size_t len = strlen(p);
                size_t w = display_width(p, len);
                bool right = is_numeric(s->columns[c].type) && !isnull[row * nc + c];
                fputs(c ? " | " : " ", o);
                if (right)
                    fprintf(o, "%*s%s", (int)(width[c] - w), "", p);
                else
                    fprintf(o, "%s%*s", p, c + 1 < nc ? (int)(width[c] - w) : 0, "");
                p += len + 1;
            }
            fputc('\n', o);
        }
        fprintf(o, "(%zu row%s)\n", rows, rows == 1 ? "" : "s");
    }
    tn_free(isnull);
    tn_free(width);
    tn_buf_free(&cells);
    if (rc == TN_ENOMEM && !run->err->code)
        tn_error_set(run->err, rc, "out of memory");
    return rc;
}

/* Writes one CSV field, quoted when it holds a delimiter, quote or line break. The text is not
 * NUL-terminated (see is_number_text), so it is scanned by length. */
static int csv_field(FILE *o, const char *p, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++) quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
    if (!quote)
        return fwrite(p, 1, n, o) == n ? 0 : TN_EIO;
    fputc('"', o);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            fputc('"', o);
        fputc(p[i], o);
    }
    fputc('"', o);
    return 0;
}

/* Whether a formatted value can be written as a JSON number (not "inf" or "nan"). The text is
 * not NUL-terminated: the buffer keeps bytes of longer earlier values past len. */
static bool is_number_text(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789-+.eE", p[i]) || p[i] == 0)
            return false;
    return len > 0;
}

static int print_rows(sql_run *run, tn_sql_result *r)
{
    const tn_schema *s = tn_sql_result_schema(r);
    FILE *o = run->out;
    tn_buf val = TN_BUF_INIT, line = TN_BUF_INIT;
    int rc = 0;
    bool first = true;
    if (run->format == OUT_CSV) {
        for (uint32_t c = 0; c < s->column_count; c++) {
            if (c)
                fputc(',', o);
            csv_field(o, s->columns[c].name, strlen(s->columns[c].name));
        }
        fputc('\n', o);
    }
    if (run->format == OUT_JSON)
        fputc('[', o);
    for (;;) {
        tn_batch *b;
        if ((rc = tn_sql_result_next(r, &b, run->err)) != 0 || !b)
            break;
        for (uint32_t i = 0; i < b->row_count; i++) {
            tn_buf_clear(&line);
            if (run->format != OUT_CSV)
                tn_buf_putc(&line, '{');
            for (uint32_t c = 0; c < s->column_count; c++) {
                const tn_vector *v = &b->columns[c];
                tn_buf_clear(&val);
                int f = tn_vector_format_value(v, i, &val);
                const char *p = val.data ? val.data : "";
                if (run->format == OUT_CSV) {
                    fputs(c ? "," : "", o);
                    if (f != 1)
                        csv_field(o, p, val.len);
                    continue;
                }
                if (c)
                    tn_buf_putc(&line, ',');
                tn_buf_append_json_string(&line, s->columns[c].name, strlen(s->columns[c].name));
                tn_buf_putc(&line, ':');
                if (f == 1)
                    tn_buf_append_cstr(&line, "null");
                else if (v->type.id == TN_TYPE_BOOLEAN)
                    tn_buf_append_cstr(&line, tn_vector_get_bool(v, i) ? "true" : "false");
                else if (is_numeric(v->type) && is_number_text(p, val.len))
                    tn_buf_append(&line, p, val.len);
                else
                    tn_buf_append_json_string(&line, p, val.len);
            }
            if (run->format == OUT_CSV) {
                fputc('\n', o);
                continue;
            }
            tn_buf_putc(&line, '}');
            if (run->format == OUT_JSON && !first)
                fputc(',', o);
            fwrite(line.data, 1, line.len, o);
            if (run->format == OUT_NDJSON)
                fputc('\n', o);
            first = false;
        }
    }
    if (run->format == OUT_JSON)
        fputs("]\n", o);
    tn_buf_free(&val);
    tn_buf_free(&line);
    return rc;
}

static int write_parquet(sql_run *run, tn_sql_result *r)
{
    tn_write_options wo = {0};
    wo.format = "parquet";
    tn_writer *w = NULL;
    int rc = tn_writer_open(run->out_path, tn_sql_result_schema(r), &wo, &w, run->err);
    while (rc == 0) {
        tn_batch *b;
        if ((rc = tn_sql_result_next(r, &b, run->err)) != 0 || !b)
            break;
        rc = tn_writer_write(w, b, run->err);
    }
    if (rc == 0)
        return tn_writer_finish(w, run->err);
    tn_writer_abort(w);
    return rc;
}

/* The shell's \timing: the time since the previous statement ended (or the run began). */
static void print_timing(sql_run *run)
{
    int64_t now = tn_monotonic_ns();
    if (run->timing)
        fprintf(run->out, "Time: %.3f ms\n", (double)(now - run->mark_ns) / 1e6);
    run->mark_ns = now;
}

static int on_result(void *ctx, uint32_t idx, tn_sql_result *r)
{
    sql_run *run = ctx;
    if (!tn_sql_result_has_rows(r)) {
        int64_t n = tn_sql_result_rows_changed(r);
        if (run->format == OUT_TABLE && isatty(fileno(stderr))) {
            if (n >= 0)
                fprintf(stderr, "%s: %lld row%s\n", tn_sql_result_tag(r), (long long)n, n == 1 ? "" : "s");
            else
                fprintf(stderr, "%s\n", tn_sql_result_tag(r));
        }
        print_timing(run);
        return 0;
    }
    int rc;
    if (run->format == OUT_PARQUET)
        rc = write_parquet(run, r);
    else if (run->format == OUT_TABLE)
        rc = print_table(run, r);
    else
        rc = print_rows(run, r);
    run->results_printed++;
    print_timing(run);
    return rc;
}

static int report(const tn_error *err, const char *sql, size_t len)
{
    if (err->line > 0 && sql) {
        fprintf(stderr, "tarn: error: %lld:%lld: %s\n", (long long)err->line,
                (long long)err->column, err->message);
        tn_buf caret = TN_BUF_INIT;
        if (tn_sql_error_render(sql, len, err, &caret) == 0 && caret.len)
            fprintf(stderr, "%s%s", tn_buf_cstr(&caret),
                    caret.data[caret.len - 1] == '\n' ? "" : "\n");
        tn_buf_free(&caret);
        return err->code == TN_ENOMEM || err->code == TN_EINTERNAL ? TN_EXIT_INTERNAL : TN_EXIT_USER;
    }
    return tn_cli_fail(err);
}

static int read_stream(FILE *f, char **out, size_t *len)
{
    tn_buf b = TN_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (tn_buf_append(&b, chunk, n) != 0) {
            tn_buf_free(&b);
            return TN_ENOMEM;
        }
    if (tn_buf_putc(&b, 0) != 0) {
        tn_buf_free(&b);
        return TN_ENOMEM;
    }
    *out = tn_buf_detach(&b, len);
    (*len)--;
    return 0;
}

/* The shell's callback: runs statements, prints results, reports an error and carries on. */
static int shell_run(tn_sql_shell *sh, const char *sql, size_t len)
{
    sql_run *run = sh->ctx;
    tn_error err = {0};
    run->err = &err;
    run->timing = sh->timing;
    run->mark_ns = tn_monotonic_ns();
    int rc = tn_sql_execute(sh->engine, sql, len, on_result, run, &err);
    fflush(run->out);
    if (rc)
        report(&err, sql, len);
    fflush(stderr);
    return rc == TN_ENOMEM ? rc : 0;
}

/* Where the shell keeps its history: ~/.tarn_history (none without a home folder). */
static char *history_path(void)
{
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    tn_buf path = TN_BUF_INIT;
    if (tn_buf_printf(&path, "%s/.tarn_history", home) != 0) {
        tn_buf_free(&path);
        return NULL;
    }
    return tn_buf_detach(&path, NULL);
}

static int run_sql(const tn_cli_command *cmd, tn_cli_args *args)
{
    const char *command = tn_cli_get(args, "command");
    const char *file = tn_cli_get(args, "file");
    const char *format = tn_cli_get(args, "format");
    const char *output = tn_cli_get(args, "output");
    const char *mem = tn_cli_get(args, "memory-limit");
    sql_run run = {0};
    tn_error err = {0};
    run.err = &err;
    if (command && file)
        return tn_cli_usage_error(cmd, "give -c or -f, not both");
    if (!format || strcasecmp(format, "table") == 0) run.format = OUT_TABLE;
    else if (strcasecmp(format, "csv") == 0) run.format = OUT_CSV;
    else if (strcasecmp(format, "json") == 0) run.format = OUT_JSON;
    else if (strcasecmp(format, "ndjson") == 0) run.format = OUT_NDJSON;
    else if (strcasecmp(format, "parquet") == 0) run.format = OUT_PARQUET;
    else
        return tn_cli_usage_error(cmd, "--format is table, csv, json, ndjson or parquet, not '%s'", format);
    if (run.format == OUT_PARQUET && !output)
        return tn_cli_usage_error(cmd, "--format parquet needs -o FILE");
    char *sql = NULL;
    size_t len = 0;
    bool shell = !command && !file && (tn_cli_flag(args, "interactive") || isatty(fileno(stdin)));
    if (shell) {
        sql = tn_strdup("");
    } else if (command) {
        sql = tn_strdup(command);
        len = sql ? strlen(sql) : 0;
    } else if (file) {
        if (tn_file_read_all(file, &sql, &len, &err) != 0)
            return tn_cli_fail(&err);
    } else if (read_stream(stdin, &sql, &len) != 0) {
        sql = NULL;
    }
    if (!sql) {
        tn_error_set(&err, TN_ENOMEM, "out of memory");
        return tn_cli_fail(&err);
    }
    tn_cli_lake lake = {0};
    tn_sql_engine_options eo = {0};
    if (!tn_cli_flag(args, "no-project")) {
        tn_error perr = {0};
        int prc = tn_cli_lake_open(&lake, &perr);
        if (prc == 0) {
            eo.lake = lake.lake;
            eo.catalog = lake.catalog;
            /* 'sales' means the same table here as in `tarn ingest` and `tarn describe` */
            eo.default_namespace = lake.project->default_namespace;
        } else if (tn_cli_project_dir) {
            tn_free(sql);
            return tn_cli_fail(&perr);
        }
    }
    eo.sqlite_compat = tn_cli_flag(args, "sqlite-compat");
    tn_sql_engine *engine = NULL;
    int rc = tn_sql_engine_open(&eo, &engine, &err);
    if (rc == 0 && mem)
        rc = tn_sql_engine_set(engine, "memory_limit", mem, &err);
    run.out = stdout;
    run.out_path = output;
    if (rc == 0 && output && run.format != OUT_PARQUET) {
        run.out = fopen(output, "w");
        if (!run.out)
            rc = tn_error_set(&err, TN_EIO, "cannot write %s", output);
    }
    int exit_code = TN_EXIT_OK;
    if (rc == 0 && shell) {
        tn_sql_shell sh = {0};
        sh.engine = engine;
        sh.run = shell_run;
        sh.ctx = &run;
        sh.in = stdin;
        sh.out = stdout;
        sh.line_edit = isatty(fileno(stdin)) && isatty(fileno(stdout));
        char *history = sh.line_edit ? history_path() : NULL;
        sh.history_path = history;
        exit_code = tn_sql_shell_main(&sh);
        tn_free(history);
        run.err = &err;
    } else if (rc == 0) {
        rc = tn_sql_execute(engine, sql, len, on_result, &run, &err);
    }
    if (run.out && run.out != stdout)
        fclose(run.out);
    else
        fflush(stdout);
    if (rc)
        exit_code = report(&err, sql, len);
    tn_sql_engine_close(engine);
    tn_cli_lake_close(&lake);
    tn_free(sql);
    return exit_code;
}

const tn_cli_command tn_cmd_sql = {
    "sql",
    "[-c SQL | -f FILE]",
    "run SQL over files and the project's tables",
    "Runs the statements of -c SQL, -f FILE or standard input in order and prints each result.\n"
    "Files are tables: SELECT * FROM 'dumps/*.csv', read_csv('x.csv', delim => ';'),\n"
    "read_ndjson(...), read_parquet(...). With a project (found from the current folder or -C)\n"
    "its lake tables can be queried and created; without one, CREATE TABLE makes tables that\n"
    "live for the run. With neither -c nor -f on a terminal it opens a shell: statements end\n"
    "with ';' and may span lines, history is kept in ~/.tarn_history, and \\d, \\d NAME,\n"
    "\\dt, \\timing, \\q and \\? are its commands.",
    sql_options,
    0,
    run_sql,
};
