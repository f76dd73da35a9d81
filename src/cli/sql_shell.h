/* SPDX-License-Identifier: Apache-2.0
 *
 * The interactive SQL shell of `tarn sql` (sql_shell.c): reads statements line by line (with
 * libedit on a terminal: editing, history in ~/.tarn_history), runs each complete statement
 * through the caller's callback, and handles the meta commands (\d, \dt, \timing, \q, \?).
 * Private to src/cli.
 */
#ifndef TN_CLI_SQL_SHELL_H
#define TN_CLI_SQL_SHELL_H

#include "sql/sql.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct tn_sql_shell tn_sql_shell;

struct tn_sql_shell {
    tn_sql_engine *engine;
    /* Runs `sql` (one or more complete statements), prints results and errors, and returns 0
     * (errors are printed there and do not end the shell). */
    int (*run)(tn_sql_shell *shell, const char *sql, size_t len);
    void *ctx;       /* the callback's */
    bool timing;     /* \timing: print each statement's time after its result */
    FILE *in;        /* where lines come from */
    FILE *out;       /* where the shell's own messages go */
    bool line_edit;  /* libedit (a terminal); else plain lines with the prompts printed */
    const char *history_path; /* NULL = no history file */
};

/* Runs the shell until \q or the end of input. Returns an exit code (0, or 2 when out of
 * memory). */
int tn_sql_shell_main(tn_sql_shell *shell);

/* Whether `text` ends with a complete statement: a ';' outside quotes, quoted names and
 * comments, followed only by blanks and comments. */
bool tn_sql_shell_complete(const char *text, size_t len);

#endif /* TN_CLI_SQL_SHELL_H */
