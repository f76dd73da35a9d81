/* SPDX-License-Identifier: Apache-2.0
 *
 * The SQL parser: text in, syntax tree (ast.h) out. The first stage of the SQL engine; it
 * knows nothing about catalogs or types beyond their names.
 *
 * The dialect is PostgreSQL/DuckDB-flavoured: see README.md in this folder for the grammar
 * covered. Any bytes are accepted as input: the answer is a tree or an error, never a crash.
 * Memory use is bounded by a constant times the input size; nesting deeper than
 * TN_SQL_MAX_DEPTH is an error rather than a stack overflow.
 */
#ifndef TN_SQL_PARSER_H
#define TN_SQL_PARSER_H

#include "sql/parser/ast.h"

/* The statements of one SQL text, in order. Empty statements (";;") are skipped. */
typedef struct tn_sql_stmt_list {
    tn_sql_stmt **items;
    uint32_t count;
} tn_sql_stmt_list;

/* Parses `len` bytes of SQL holding zero or more statements separated by ';' (a final ';' is
 * optional). The tree is allocated from `arena` (the caller frees it with the arena; on error
 * the arena may hold partial garbage, freed the same way). `out` is set only on success.
 *
 * Returns 0, or on error sets `err` and returns:
 *   TN_EPARSE  a syntax error: err->line and err->column (1-based, in characters) point at
 *              the offending token, and the message names it and what was expected, e.g.
 *              `syntax error at or near "FORM": expected ",", FROM, WHERE, ... or end of
 *              statement`. tn_sql_error_render() draws the line with a caret.
 *   TN_ELIMIT  nesting deeper than TN_SQL_MAX_DEPTH, or a text over 2 GiB (line/column set).
 *   TN_ENOMEM  out of memory. */
int tn_sql_parse(tn_arena *arena, const char *sql, size_t len, tn_sql_stmt_list *out,
                 tn_error *err);

/* Parses one scalar expression (a check, a partition transform, a row filter) that must make
 * up the whole text. Same allocation and error rules as tn_sql_parse. */
int tn_sql_parse_expr(tn_arena *arena, const char *sql, size_t len, tn_sql_expr **out,
                      tn_error *err);

/* Appends the line of `sql` that err->line names, and a caret under err->column, the way
 * PostgreSQL shows a syntax error:
 *     LINE 1: SELECT * FORM t
 *                      ^
 * Long lines are cut around the column with "..." at the cut ends. Appends nothing when the
 * error has no line or the line is not in the text. Returns 0 or TN_ENOMEM. */
int tn_sql_error_render(const char *sql, size_t len, const tn_error *err, tn_buf *out);

#endif /* TN_SQL_PARSER_H */
