/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the SQL parser (sql/parser). Any bytes must give a tree or an error,
 * never a crash, a leak or undefined behaviour. On success it also checks the printer's
 * contract: printing a statement, parsing the text again and printing that gives the same
 * text. On error it renders the caret line, which must cope with any position.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sql/parser/parser.h"

/* Prints stmt, parses the text back and aborts unless it prints the same. */
static void check_fixed_point(const tn_sql_stmt *stmt)
{
    tn_buf first = TN_BUF_INIT, second = TN_BUF_INIT;
    tn_arena arena;
    tn_arena_init(&arena, 0);
    if (tn_sql_ast_format(&stmt->node, &first) != 0 || !tn_buf_cstr(&first))
        goto out; /* out of memory is allowed */
    tn_sql_stmt_list again;
    tn_error err = {0};
    int rc = tn_sql_parse(&arena, first.data, first.len, &again, &err);
    if (rc == TN_ENOMEM) goto out;
    if (rc != 0 || again.count != 1) {
        fprintf(stderr, "printed statement does not parse back (%s): %s\n  text: %s\n",
                tn_error_name(rc), err.message, first.data);
        abort();
    }
    if (tn_sql_ast_format(&again.items[0]->node, &second) != 0 || !tn_buf_cstr(&second)) goto out;
    if (strcmp(first.data, second.data) != 0) {
        fprintf(stderr, "print is not a fixed point:\n  1: %s\n  2: %s\n", first.data, second.data);
        abort();
    }
out:
    tn_buf_free(&first);
    tn_buf_free(&second);
    tn_arena_free(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_sql_stmt_list list;
    tn_error err = {0};
    const char *sql = (const char *)data;
    int rc = tn_sql_parse(&arena, sql, size, &list, &err);
    if (rc == 0) {
        for (uint32_t i = 0; i < list.count; i++) check_fixed_point(list.items[i]);
    } else {
        if (rc != TN_EPARSE && rc != TN_ELIMIT && rc != TN_ENOMEM) {
            fprintf(stderr, "unexpected error code %s: %s\n", tn_error_name(rc), err.message);
            abort();
        }
        tn_buf caret = TN_BUF_INIT;
        tn_sql_error_render(sql, size, &err, &caret);
        tn_buf_free(&caret);
    }
    tn_arena_free(&arena);

    /* The same bytes as a lone expression. */
    tn_arena_init(&arena, 0);
    tn_sql_expr *expr;
    if (tn_sql_parse_expr(&arena, sql, size, &expr, &err) == 0) {
        tn_buf text = TN_BUF_INIT;
        tn_sql_ast_format(&expr->node, &text);
        tn_buf_free(&text);
    }
    tn_arena_free(&arena);
    return 0;
}
