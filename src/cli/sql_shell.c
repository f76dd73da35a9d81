/* SPDX-License-Identifier: Apache-2.0
 *
 * The interactive shell of `tarn sql`: a prompt, line editing and history through libedit
 * (saved to ~/.tarn_history), statements that span lines until a ';' ends them, and meta
 * commands that begin with a backslash:
 *
 *   \d        tables and views          \dt      tables only
 *   \d NAME   columns of NAME           \timing  time each statement (toggles)
 *   \?        this list                 \q       quit
 *
 * Statements run through the caller's callback (cmd_sql.c prints results and errors); an error
 * is printed and the shell goes on. Ctrl-C at the prompt drops the statement being typed; while
 * a statement runs it cancels that statement (and the rest of its line). Without a terminal
 * the same loop reads plain lines and prints no prompt, which is how the tests drive it
 * (`tarn sql --interactive < script`).
 */
#include "cli/sql_shell.h"
#include "cli/cli.h"

#include <ctype.h>
#include <editline/readline.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROMPT "tarn> "
#define PROMPT_MORE "  ... "
#define HISTORY_MAX 1000

static const char help_text[] =
    "Statements end with ';' and may span lines.\n"
    "  \\d         list tables and views\n"
    "  \\d NAME    describe a table or view (its columns and types)\n"
    "  \\dt        list tables only\n"
    "  \\timing    print each statement's time (toggles; \\timing on|off)\n"
    "  \\?         this help\n"
    "  \\q         quit (or Ctrl-D)\n";

/* Whether `text` ends with a complete statement (see sql_shell.h). */
bool tn_sql_shell_complete(const char *text, size_t len)
{
    bool ended = false; /* the last significant character was a top-level ';' */
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\'' || c == '"') {
            /* a doubled quote inside is the quote itself: the loop sees it as close + open */
            size_t j = i + 1;
            while (j < len && text[j] != c)
                j++;
            if (j >= len)
                return false; /* an open literal or quoted name continues on the next line */
            i = j;
            ended = false;
        } else if (c == '-' && i + 1 < len && text[i + 1] == '-') {
            while (i < len && text[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < len && !(text[j] == '*' && text[j + 1] == '/'))
                j++;
            if (j + 1 >= len)
                return false;
            i = j + 1;
        } else if (c == ';') {
            ended = true;
        } else if (!isspace((unsigned char)c)) {
            ended = false;
        }
    }
    return ended;
}

/* Whether text holds only blanks, ';' and comments (nothing to run). */
static bool is_blank(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '-' && i + 1 < len && text[i + 1] == '-') {
            while (i < len && text[i] != '\n')
                i++;
        } else if (!isspace((unsigned char)text[i]) && text[i] != ';') {
            return false;
        }
    }
    return true;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* The engine of the statement being run, for Ctrl-C to interrupt. */
static tn_sql_engine *running_engine;

static void on_interrupt_statement(int sig)
{
    (void)sig;
    tn_sql_engine_interrupt(running_engine);
}

/* Runs one or more complete statements. On a terminal Ctrl-C meanwhile cancels the running
 * statement (its error is printed like any other) and the shell goes on, as psql does. */
static int run_statements(tn_sql_shell *sh, const char *sql, size_t len)
{
    if (!sh->line_edit)
        return sh->run(sh, sql, len);
    struct sigaction sa = {0}, old;
    sa.sa_handler = on_interrupt_statement;
    sa.sa_flags = SA_RESTART; /* output being written goes on; the engine stops at a batch */
    sigemptyset(&sa.sa_mask);
    running_engine = sh->engine;
    sigaction(SIGINT, &sa, &old);
    int rc = sh->run(sh, sql, len);
    sigaction(SIGINT, &old, NULL);
    running_engine = NULL;
    return rc;
}

/* Reads one line (without its newline; malloc'd, caller frees); NULL at the end of input or
 * when Ctrl-C was pressed (*cancelled set). */
static char *read_line(tn_sql_shell *sh, bool continuation, bool *cancelled)
{
    *cancelled = false;
    if (sh->line_edit) {
        /* Only while reading: without SA_RESTART the read returns and readline gives NULL. */
        struct sigaction sa = {0}, old;
        sa.sa_handler = on_interrupt;
        sigemptyset(&sa.sa_mask);
        interrupted = 0;
        sigaction(SIGINT, &sa, &old);
        char *line = readline(continuation ? PROMPT_MORE : PROMPT);
        sigaction(SIGINT, &old, NULL);
        if (interrupted) {
            free(line);
            *cancelled = true;
            return NULL;
        }
        return line;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, sh->in);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    return line;
}

typedef struct relation_list {
    tn_cli_grid grid;
    bool tables_only; /* \dt: leave views out */
} relation_list;

static int collect_relations(void *ctx, uint32_t stmt_idx, tn_sql_result *r)
{
    relation_list *rl = ctx;
    tn_error err = {0};
    tn_buf name = TN_BUF_INIT, kind = TN_BUF_INIT;
    int rc = 0;
    for (;;) {
        tn_batch *b;
        if ((rc = tn_sql_result_next(r, &b, &err)) != 0 || !b)
            break;
        for (uint32_t i = 0; i < b->row_count && rc == 0; i++) {
            tn_buf_clear(&name);
            tn_buf_clear(&kind);
            tn_vector_format_value(&b->columns[0], i, &name);
            tn_vector_format_value(&b->columns[1], i, &kind);
            const char *k = tn_buf_cstr(&kind);
            if (rl->tables_only && strstr(k, "table") == NULL)
                continue;
            const char *row[] = {tn_buf_cstr(&name), k};
            rc = tn_cli_grid_add(&rl->grid, row);
        }
    }
    tn_buf_free(&name);
    tn_buf_free(&kind);
    return rc;
}

/* \d and \dt: the SHOW TABLES rows, as a list. */
static int list_relations(tn_sql_shell *sh, bool tables_only)
{
    static const char *const header[] = {"name", "kind"};
    relation_list rl = {0};
    rl.tables_only = tables_only;
    if (tn_cli_grid_init(&rl.grid, 2, header) != 0)
        return TN_ENOMEM;
    tn_error err = {0};
    static const char show[] = "SHOW TABLES";
    int rc = tn_sql_execute(sh->engine, show, sizeof show - 1, collect_relations, &rl, &err);
    if (rc == 0 && rl.grid.rows == 1)
        fprintf(sh->out, tables_only ? "No tables.\n" : "No tables or views.\n");
    else if (rc == 0)
        tn_cli_grid_print(&rl.grid, sh->out, NULL);
    else
        fprintf(stderr, "tarn: error: %s\n", err.message);
    tn_cli_grid_free(&rl.grid);
    fflush(sh->out);
    return rc == TN_ENOMEM ? rc : 0;
}

/* Runs a meta command (line starts with '\'). Sets *quit for \q. */
static int meta_command(tn_sql_shell *sh, const char *line, bool *quit)
{
    const char *p = line + 1;
    size_t word = strcspn(p, " \t");
    const char *arg = p + word;
    while (*arg == ' ' || *arg == '\t')
        arg++;
    size_t arg_len = strlen(arg);
    while (arg_len && (isspace((unsigned char)arg[arg_len - 1]) || arg[arg_len - 1] == ';'))
        arg_len--;
    if (word == 1 && *p == 'q') {
        *quit = true;
        return 0;
    }
    if (word == 1 && *p == '?') {
        fputs(help_text, sh->out);
        return 0;
    }
    if (word == 6 && strncmp(p, "timing", 6) == 0) {
        if (arg_len == 2 && strncasecmp(arg, "on", 2) == 0)
            sh->timing = true;
        else if (arg_len == 3 && strncasecmp(arg, "off", 3) == 0)
            sh->timing = false;
        else
            sh->timing = !sh->timing;
        fprintf(sh->out, "Timing is %s.\n", sh->timing ? "on" : "off");
        return 0;
    }
    if (word == 2 && strncmp(p, "dt", 2) == 0)
        return list_relations(sh, true);
    if (word == 1 && *p == 'd' && arg_len == 0)
        return list_relations(sh, false);
    if (word == 1 && *p == 'd') {
        tn_buf sql = TN_BUF_INIT;
        int rc = tn_buf_printf(&sql, "DESCRIBE %.*s", (int)arg_len, arg);
        if (rc == 0)
            rc = sh->run(sh, sql.data, sql.len);
        tn_buf_free(&sql);
        return rc;
    }
    fprintf(stderr, "tarn: error: unknown command \\%.*s: \\? lists the commands\n", (int)word, p);
    return 0;
}

/* Adds a statement to the history (one entry, line breaks as spaces) and saves the file. */
static void remember(tn_sql_shell *sh, const char *text, size_t len)
{
    if (!sh->line_edit)
        return;
    char *entry = tn_strndup(text, len);
    if (!entry)
        return;
    for (char *c = entry; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    add_history(entry);
    tn_free(entry);
    if (sh->history_path)
        write_history(sh->history_path);
}

/* Runs the shell (see sql_shell.h). */
int tn_sql_shell_main(tn_sql_shell *sh)
{
    tn_buf stmt = TN_BUF_INIT;
    int rc = 0;
    bool quit = false;
    if (sh->line_edit) {
        rl_readline_name = "tarn";
        using_history();
        stifle_history(HISTORY_MAX);
        if (sh->history_path)
            read_history(sh->history_path);
        fprintf(sh->out, "tarn %s: SQL over files and the project's tables. \\? for help, \\q to "
                         "quit.\n", TARN_VERSION);
    }
    while (!quit && rc == 0) {
        bool cancelled;
        char *line = read_line(sh, stmt.len > 0, &cancelled);
        if (cancelled) {
            fputs("^C\n", sh->out);
            tn_buf_clear(&stmt);
            continue;
        }
        if (!line)
            break;
        const char *start = line;
        while (isspace((unsigned char)*start))
            start++;
        if (stmt.len == 0 && *start == '\\') {
            remember(sh, start, strlen(start));
            rc = meta_command(sh, start, &quit);
            free(line);
            continue;
        }
        if ((stmt.len && tn_buf_putc(&stmt, '\n') != 0) || tn_buf_append_cstr(&stmt, line) != 0)
            rc = TN_ENOMEM;
        free(line);
        if (rc == 0 && tn_sql_shell_complete(stmt.data, stmt.len)) {
            if (!is_blank(stmt.data, stmt.len)) {
                remember(sh, stmt.data, stmt.len);
                rc = run_statements(sh, stmt.data, stmt.len);
            }
            tn_buf_clear(&stmt);
        }
    }
    /* input that ends without ';' still runs, as a script's last statement does */
    if (rc == 0 && !quit && stmt.len && !is_blank(stmt.data, stmt.len))
        rc = run_statements(sh, stmt.data, stmt.len);
    if (sh->line_edit && !quit)
        fputc('\n', sh->out);
    tn_buf_free(&stmt);
    return rc == TN_ENOMEM ? TN_EXIT_INTERNAL : TN_EXIT_OK;
}
