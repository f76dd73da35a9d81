/* SPDX-License-Identifier: Apache-2.0
 *
 * Helpers shared by the SQL parser's unit tests: parse and print, check that printing is a
 * fixed point (parse -> print -> parse -> print gives the same text), check errors.
 */
#ifndef TN_TEST_SQL_TEST_H
#define TN_TEST_SQL_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "sql/parser/parser.h"

/* Prints a node into a malloc'd string (the caller frees it). */
static inline char *sql_print(const tn_sql_node *node)
{
    tn_buf buf = TN_BUF_INIT;
    cr_assert_eq(tn_sql_ast_format(node, &buf), 0);
    cr_assert_not_null(tn_buf_cstr(&buf));
    char *s = strdup(buf.data);
    tn_buf_free(&buf);
    return s;
}

/* Parses sql that must give exactly one statement, allocated in arena. */
static inline tn_sql_stmt *sql_parse_one(tn_arena *arena, const char *sql)
{
    tn_sql_stmt_list list;
    tn_error err = {0};
    int rc = tn_sql_parse(arena, sql, strlen(sql), &list, &err);
    cr_assert_eq(rc, 0, "parse failed (%s) for:\n  %s\n  %s", tn_error_name(rc), sql, err.message);
    cr_assert_eq(list.count, 1, "expected one statement in: %s", sql);
    return list.items[0];
}

/* Checks that printed text parses back to a tree printing the same text. */
static inline void sql_check_fixed_point(const char *printed, bool expression)
{
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_error err = {0};
    char *again = NULL;
    if (expression) {
        tn_sql_expr *e;
        int rc = tn_sql_parse_expr(&arena, printed, strlen(printed), &e, &err);
        cr_assert_eq(rc, 0, "printed expression does not parse back: %s\n  %s", printed,
                     err.message);
        again = sql_print(&e->node);
    } else {
        again = sql_print(&sql_parse_one(&arena, printed)->node);
    }
    cr_expect_str_eq(again, printed, "print is not a fixed point:\n  1: %s\n  2: %s", printed,
                     again);
    free(again);
    tn_arena_free(&arena);
}

/* Parses one statement, compares its printed form with `expected` (skipped when NULL) and
 * checks the fixed point. */
static inline void sql_roundtrip(const char *sql, const char *expected)
{
    tn_arena arena;
    tn_arena_init(&arena, 0);
    char *printed = sql_print(&sql_parse_one(&arena, sql)->node);
    if (expected)
        cr_expect_str_eq(printed, expected, "for: %s\n  got:      %s\n  expected: %s", sql, printed,
                         expected);
    sql_check_fixed_point(printed, false);
    free(printed);
    tn_arena_free(&arena);
}

/* The same for a lone expression (tn_sql_parse_expr). */
static inline void sql_expr_roundtrip(const char *sql, const char *expected)
{
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_error err = {0};
    tn_sql_expr *e;
    int rc = tn_sql_parse_expr(&arena, sql, strlen(sql), &e, &err);
    cr_assert_eq(rc, 0, "expression failed (%s): %s\n  %s", tn_error_name(rc), sql, err.message);
    char *printed = sql_print(&e->node);
    if (expected)
        cr_expect_str_eq(printed, expected, "for: %s\n  got:      %s\n  expected: %s", sql, printed,
                         expected);
    sql_check_fixed_point(printed, true);
    free(printed);
    tn_arena_free(&arena);
}

/* Parses sql expecting failure with `code` at line:column (0 = not checked) and a message
 * containing `fragment` (NULL = not checked). Returns the message (static storage). */
static inline const char *sql_expect_error(const char *sql, size_t len, int code, int64_t line,
                                           int64_t column, const char *fragment)
{
    static char message[1024];
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_sql_stmt_list list;
    tn_error err = {0};
    int rc = tn_sql_parse(&arena, sql, len, &list, &err);
    cr_expect_eq(rc, code, "for %s: expected %s, got %s (%s)", sql, tn_error_name(code),
                 tn_error_name(rc), err.message);
    cr_expect_eq(err.code, rc, "err.code agrees with the return value");
    if (line)
        cr_expect_eq(err.line, line, "line for %s: got %lld, want %lld (%s)", sql,
                     (long long)err.line, (long long)line, err.message);
    if (column)
        cr_expect_eq(err.column, column, "column for %s: got %lld, want %lld (%s)", sql,
                     (long long)err.column, (long long)column, err.message);
    if (fragment)
        cr_expect(strstr(err.message, fragment) != NULL, "message for %s:\n  %s\n  lacks: %s", sql,
                  err.message, fragment);
    snprintf(message, sizeof(message), "%s", err.message);
    tn_arena_free(&arena);
    return message;
}

#define SQL_EXPECT_ERROR(sql, code, line, column, fragment)                                        \
    sql_expect_error((sql), strlen(sql), (code), (line), (column), (fragment))

#endif /* TN_TEST_SQL_TEST_H */
