/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the SQL parser's failures: messages and positions for typical mistakes,
 * the PostgreSQL-style caret rendering, the nesting limits (and that any tree within them
 * prints to text that parses back), running out of memory at every allocation, and random
 * input that must never crash.
 */
#include <pthread.h>

#include "sql_test.h"

/* ------------------------------------------------------------------------------------------
 * Messages and positions
 * ---------------------------------------------------------------------------------------- */

Test(sql_errors, the_classic_typo)
{
    const char *sql = "SELECT * FORM t";
    const char *msg = SQL_EXPECT_ERROR(sql, TN_EPARSE, 1, 10, NULL);
    cr_expect_str_eq(msg, "syntax error at or near \"FORM\": expected \",\", FROM, WHERE, "
                          "GROUP BY, HAVING, WINDOW, QUALIFY, INTERSECT, UNION, EXCEPT, ORDER BY, "
                          "LIMIT, OFFSET, FETCH or end of statement");
}

Test(sql_errors, typical_mistakes)
{
    static const struct {
        const char *sql;
        int64_t line, column;
        const char *fragment;
    } cases[] = {
        {"SELEC 1", 1, 1, "at or near \"SELEC\": expected SELECT, WITH, VALUES, CREATE"},
        {"SELECT 1 +", 1, 11, "syntax error at end of input: expected an expression"},
        {"SELECT (1", 1, 10, "at end of input: expected \")\""},
        {"SELECT a FROM t WHERE", 1, 22, "at end of input: expected an expression"},
        {"SELECT a, FROM t", 1, 11, "at or near \"FROM\": expected an expression"},
        {"SELECT a FROM t GROUP a", 1, 23, "expected BY"},
        {"SELECT a FROM t ORDER a", 1, 23, "expected BY"},
        {"SELECT a FROM t WHERE x = = 1", 1, 27, "at or near \"=\": expected an expression"},
        {"SELECT a FROM t JOIN u", 1, 23, "at end of input: expected ON or USING"},
        {"SELECT a FROM t NATURAL u", 1, 25, "at or near \"u\": expected JOIN"},
        {"SELECT a FROM", 1, 14, "expected a table name, a file name or a subquery"},
        {"SELECT CAST(a AS) FROM t", 1, 17, "expected a type name"},
        {"SELECT CAST(a, int)", 1, 14, "expected AS"},
        {"SELECT CASE END", 1, 13, "expected WHEN or an expression"},
        {"SELECT CASE WHEN a THEN 1", 1, 26, "expected WHEN, ELSE or END"},
        {"SELECT x IS 5", 1, 13, "expected NOT, NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM"},
        {"SELECT x BETWEEN 1", 1, 19, "expected AND"},
        {"SELECT x IN 1", 1, 13, "expected \"(\""},
        {"SELECT 1 2", 1, 10, "at or near \"2\""},
        {"SELECT 1 UNION", 1, 15, "expected SELECT, VALUES, FROM or \"(\""},
        {"SELECT 1 ORDER BY 1 UNION SELECT 2", 1, 21, "at or near \"UNION\""},
        {"(SELECT 1 LIMIT 1) LIMIT 2", 1, 20, "multiple LIMIT clauses"},
        {"(SELECT 1 ORDER BY 1) ORDER BY 1", 1, 23, "multiple ORDER BY clauses"},
        {"WITH a AS (SELECT 1) (WITH b AS (SELECT 2) SELECT 3)", 1, 44, "multiple WITH clauses"},
        {"SELECT 1 LIMIT 1 LIMIT 2", 1, 18, "at or near \"LIMIT\""},
        {"SELECT f(a,)", 1, 12, "expected an expression"},
        {"SELECT count(*) FILTER (x > 1)", 1, 25, "expected WHERE"},
        {"SELECT sum(x) OVER (ROWS 1)", 1, 27, "expected PRECEDING or FOLLOWING"},
        {"SELECT INTERVAL 3", 1, 18, "expected an interval unit"},
        {"SELECT EXTRACT(FROM d)", 1, 21, "expected FROM"},
        {"SELECT x::", 1, 11, "expected a type name"},
        {"SELECT x::decimal(1,2,3)", 1, 23, "expected \")\""},
        {"SELECT t.", 1, 9, "at or near \".\""},
        {"SELECT * FROM t AS", 1, 19, "expected an alias"},
        {"SELECT * FROM (a JOIN b ON x) AS j AS k", 1, 36, "at or near \"AS\""},
        {"INSERT t VALUES (1)", 1, 8, "expected INTO"},
        {"INSERT INTO t (a, b VALUES (1)", 1, 21, "expected \",\" or \")\""},
        {"INSERT INTO t", 1, 14, "expected SELECT, VALUES, FROM or \"(\""},
        {"CREATE TABLE t (a)", 1, 18, "expected a type name"},
        {"CREATE TABLE t ()", 1, 17, "expected a column name"},
        {"CREATE TABLE t (a int,)", 1, 23, "expected a column name"},
        {"CREATE TABLE t", 1, 15, "expected \"(\", PARTITIONED BY or AS"},
        {"CREATE TABLE t (a int, PRIMARY KEY (a), PRIMARY KEY (a))", 1, 41,
         "multiple primary keys"},
        {"CREATE t", 1, 8, "expected OR REPLACE, TEMP, TEMPORARY, TABLE, VIEW, UNIQUE or INDEX"},
        {"CREATE VIEW v SELECT 1", 1, 15, "expected \"(\" or AS"},
        {"DROP t", 1, 6, "expected TABLE, VIEW or INDEX"},
        {"DROP TABLE IF t", 1, 15, "expected EXISTS"},
        {"SET x 5", 1, 7, "expected \"=\" or TO"},
        {"SHOW", 1, 5, "expected TABLES or a setting name"},
        {"EXPLAIN", 1, 8, "expected ANALYZE, SELECT"},
        {"SELECT 1; SELEC 2", 1, 11, "at or near \"SELEC\""},
        {"SELECT 'abc", 1, 8, "unterminated quoted string"},
        {"SELECT \"abc", 1, 8, "unterminated quoted identifier"},
        {"SELECT 1 /* open", 1, 10, "unterminated /* comment"},
        {"SELECT \"\" FROM t", 1, 8, "zero-length quoted identifier"},
        {"SELECT $0", 1, 8, "parameter numbers run from $1"},
        {"SELECT 1 & 2", 1, 10, "at or near \"&\""},
        {"SELECT ARRAY[1]", 1, 13, "at or near \"[\""},
        {"select *\nfrom t\nwhere x = = 1", 3, 11, "at or near \"=\""},
        {"SELECT 'é', * FORM t", 1, 15, "at or near \"FORM\""},
        {"SELECT a FROM t WHERE b = 'x' AND c = E'\\uZZZZ'", 1, 41, "\\u needs 4 hex"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        SQL_EXPECT_ERROR(cases[i].sql, TN_EPARSE, cases[i].line, cases[i].column,
                         cases[i].fragment);
}

Test(sql_errors, near_text_is_cut)
{
    /* The long word is an alias; the next one is the error. */
    const char *sql2 = "SELECT 1 aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeee "
                       "ffffffffffgggggggggghhhhhhhhhhiiiiiiiiiijjjjjjjjjj";
    const char *msg = SQL_EXPECT_ERROR(sql2, TN_EPARSE, 1, 61, NULL);
    cr_expect(strstr(msg, "\"ffffffffffgggggggggghhhhhhhhhhiiiiiiiiii...\"") != NULL, "%s", msg);
}

Test(sql_errors, expression_entry_point)
{
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_error err = {0};
    tn_sql_expr *e;
    cr_expect_eq(tn_sql_parse_expr(&arena, "a + b c", 7, &e, &err), TN_EPARSE);
    cr_expect(strstr(err.message, "expected end of expression") != NULL, "%s", err.message);
    cr_expect_eq(err.column, 7);
    cr_expect_eq(tn_sql_parse_expr(&arena, "", 0, &e, &err), TN_EPARSE);
    cr_expect(strstr(err.message, "at end of input: expected an expression") != NULL);
    cr_expect_eq(tn_sql_parse_expr(&arena, "x > 1; y", 8, &e, &err), TN_EPARSE);
    cr_expect_eq(tn_sql_parse_expr(&arena, "day(ts)", 7, &e, &err), 0);
    cr_expect_eq(e->kind, TN_SQL_EXPR_FUNCTION);
    tn_arena_free(&arena);
}

/* ------------------------------------------------------------------------------------------
 * Caret rendering
 * ---------------------------------------------------------------------------------------- */

static char *render(const char *sql)
{
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_sql_stmt_list list;
    tn_error err = {0};
    cr_assert_neq(tn_sql_parse(&arena, sql, strlen(sql), &list, &err), 0, "%s must fail", sql);
    tn_buf out = TN_BUF_INIT;
    cr_assert_eq(tn_sql_error_render(sql, strlen(sql), &err, &out), 0);
    char *s = strdup(tn_buf_cstr(&out));
    tn_buf_free(&out);
    tn_arena_free(&arena);
    return s;
}

Test(sql_errors, caret_rendering)
{
    char *r = render("SELECT * FORM t");
    cr_expect_str_eq(r, "LINE 1: SELECT * FORM t\n"
                        "                 ^\n");
    free(r);

    r = render("SELECT a\nFROM t\nWHERE x = = 1\nORDER BY a");
    cr_expect_str_eq(r, "LINE 3: WHERE x = = 1\n"
                        "                  ^\n");
    free(r);

    /* At the end of the text the caret sits one past the last character. */
    r = render("SELECT 1 +");
    cr_expect_str_eq(r, "LINE 1: SELECT 1 +\n"
                        "                  ^\n");
    free(r);

    /* Columns count characters, and tabs are kept so the caret lines up. */
    r = render("SELECT\t'\xc3\xa9\xc3\xa9', * FORM t");
    cr_expect_str_eq(r, "LINE 1: SELECT\t'\xc3\xa9\xc3\xa9', * FORM t\n"
                        "              \t        ^\n");
    free(r);

    /* CRLF line ends are not shown. */
    r = render("SELECT *\r\nFORM t");
    cr_expect_str_eq(r, "LINE 2: FORM t\n"
                        "        ^\n");
    free(r);

    /* A long line is cut around the column. */
    char sql[600];
    int n = snprintf(sql, sizeof(sql), "SELECT ");
    for (int i = 0; i < 60; i++) n += snprintf(sql + n, sizeof(sql) - (size_t)n, "c%02d, ", i);
    snprintf(sql + n, sizeof(sql) - (size_t)n,
             "FROM t WHERE = 1 AND more, more, more, more, "
             "more, more, more, more, more, more, more");
    r = render(sql);
    cr_expect(strncmp(r, "LINE 1: ...", 11) == 0, "%s", r);
    char *nl = strchr(r, '\n');
    cr_assert_not_null(nl);
    cr_expect(strncmp(nl - 3, "...", 3) == 0, "cut on the right too: %s", r);
    cr_expect_leq(nl - r, 8 + 3 + 60 + 60 + 3 + 1);
    /* The caret points at the error: FROM after the trailing comma. */
    const char *caret = strchr(nl + 1, '^');
    cr_assert_not_null(caret);
    cr_expect_eq(r[caret - (nl + 1)], 'F', "%s", r);
    free(r);

    /* Nothing to draw without a line; a bogus column is clamped. */
    tn_buf out = TN_BUF_INIT;
    tn_error err = {0};
    cr_expect_eq(tn_sql_error_render("x", 1, &err, &out), 0);
    cr_expect_eq(out.len, 0);
    err.line = 5;
    cr_expect_eq(tn_sql_error_render("x", 1, &err, &out), 0);
    cr_expect_eq(out.len, 0);
    err.line = 1;
    err.column = 1000000000;
    cr_expect_eq(tn_sql_error_render("abc", 3, &err, &out), 0);
    cr_expect_str_eq(tn_buf_cstr(&out), "LINE 1: abc\n           ^\n");
    tn_buf_free(&out);
}

/* ------------------------------------------------------------------------------------------
 * Nesting limits
 * ---------------------------------------------------------------------------------------- */

/* Builds prefix + repeat * n + middle + suffix_repeat * n + suffix in a malloc'd string. */
static char *build(const char *prefix, const char *repeat, int n, const char *middle,
                   const char *close, const char *suffix)
{
    size_t len = strlen(prefix) + strlen(middle) + strlen(suffix) +
                 (size_t)n * (strlen(repeat) + strlen(close)) + 1;
    char *s = malloc(len);
    char *p = s;
    p += sprintf(p, "%s", prefix);
    for (int i = 0; i < n; i++) p += sprintf(p, "%s", repeat);
    p += sprintf(p, "%s", middle);
    for (int i = 0; i < n; i++) p += sprintf(p, "%s", close);
    sprintf(p, "%s", suffix);
    return s;
}

/* Parses sql, which must succeed, and checks the printed fixed point (which needs the
 * printed, fully parenthesised text to fit the parser's recursion budget). */
static void expect_ok_and_fixed(char *sql)
{
    sql_roundtrip(sql, NULL);
    free(sql);
}

static void expect_too_deep(char *sql)
{
    SQL_EXPECT_ERROR(sql, TN_ELIMIT, 0, 0, "nested too deeply");
    free(sql);
}

Test(sql_limits, parentheses)
{
    expect_ok_and_fixed(build("SELECT ", "(", 900, "1", ")", ""));
    expect_too_deep(build("SELECT ", "(", 100000, "1", ")", ""));
    expect_too_deep(build("SELECT ", "(", 100000, "", "", ""));
    expect_too_deep(build("SELECT * FROM ", "(", 100000, "t", ")", ""));
    expect_too_deep(build("", "(", 100000, "SELECT 1", ")", ""));
    expect_too_deep(build("SELECT ", "f(", 100000, "1", ")", ""));
    expect_too_deep(build("SELECT ", "CASE WHEN ", 100000, "1", " THEN 1 END", ""));
}

Test(sql_limits, operators)
{
    /* Long chains of AND/OR are flattened: no depth at all. */
    expect_ok_and_fixed(build("SELECT 1 WHERE a", " OR a", 50000, "", "", ""));
    expect_ok_and_fixed(build("SELECT 1 WHERE a", " AND a", 50000, "", "", ""));
    /* Other left-deep chains grow the tree; within the limit they print and parse back. */
    expect_ok_and_fixed(build("SELECT 1", " + 1", 990, "", "", ""));
    expect_too_deep(build("SELECT 1", " + 1", 1000, "", "", ""));
    expect_too_deep(build("SELECT 1", " || 1", 100000, "", "", ""));
    expect_ok_and_fixed(build("SELECT ", "NOT ", 990, "TRUE", "", ""));
    expect_too_deep(build("SELECT ", "NOT ", 100000, "TRUE", "", ""));
    expect_ok_and_fixed(build("SELECT ", "- ", 990, "x", "", ""));
    expect_too_deep(build("SELECT ", "- ", 100000, "x", "", ""));
    expect_ok_and_fixed(build("SELECT x", "::int", 990, "", "", ""));
    expect_too_deep(build("SELECT x", "::int", 100000, "", "", ""));
    expect_ok_and_fixed(build("SELECT x", " IS NULL", 990, "", "", ""));
    /* Right-nested operators through parentheses. */
    expect_ok_and_fixed(build("SELECT ", "1 + (", 990, "1", ")", ""));
    expect_too_deep(build("SELECT ", "1 + (", 1500, "1", ")", ""));
}

Test(sql_limits, queries)
{
    expect_ok_and_fixed(build("SELECT 1", " UNION SELECT 1", 990, "", "", ""));
    expect_too_deep(build("SELECT 1", " UNION SELECT 1", 5000, "", "", ""));
    expect_ok_and_fixed(build("SELECT ", "(SELECT ", 490, "1", ")", ""));
    expect_too_deep(build("SELECT ", "(SELECT ", 5000, "1", ")", ""));
    expect_ok_and_fixed(build("SELECT * FROM t", " JOIN t ON TRUE", 990, "", "", ""));
    expect_too_deep(build("SELECT * FROM t", " JOIN t ON TRUE", 5000, "", "", ""));
    expect_ok_and_fixed(build("SELECT * FROM ", "t JOIN (", 990, "t", ") ON TRUE", ""));
    expect_ok_and_fixed(build("SELECT * FROM ", "(SELECT * FROM ", 490, "t", ")", ""));
    expect_ok_and_fixed(build("", "EXPLAIN ", 990, "SELECT 1", "", ""));
    expect_too_deep(build("", "EXPLAIN ", 5000, "SELECT 1", "", ""));
    expect_ok_and_fixed(
        build("SELECT 1 WHERE x IN ", "(SELECT 1 WHERE x IN ", 300, "(1)", ")", ""));
}

/* Every recursive shape, nested far past the limit, parsed on a thread with a small fixed
 * stack: the limit must stop each one before the stack runs out. An optimised build gets
 * 2 MiB (the parser needs under 1 MiB); sanitizer and -O0 builds have much larger frames. */
#if defined(__SANITIZE_ADDRESS__) || !defined(__OPTIMIZE__)
#define SHAPE_STACK (64u << 20)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHAPE_STACK (64u << 20)
#endif
#endif
#ifndef SHAPE_STACK
#define SHAPE_STACK (2u << 20)
#endif

static const struct {
    const char *prefix, *repeat, *middle, *close;
} shapes[] = {
    {"SELECT ", "(", "1", ")"},
    {"SELECT ", "f(", "1", ")"},
    {"SELECT ", "CASE WHEN ", "1", " THEN 1 END"},
    {"SELECT ", "(SELECT ", "1", ")"},
    {"SELECT * FROM ", "(SELECT * FROM ", "t", ")"},
    {"SELECT * FROM ", "(", "t", ")"},
    {"SELECT ", "1 + (", "1", ")"},
    {"SELECT ", "NOT ", "x", ""},
    {"SELECT ", "- ", "x", ""},
    {"SELECT 1 WHERE x IN ", "(SELECT 1 WHERE x IN ", "(1)", ")"},
    {"", "EXPLAIN ", "SELECT 1", ""},
    {"SELECT ", "CAST(", "1", " AS int)"},
    {"SELECT ", "INTERVAL (", "1", ") DAY"},
    {"SELECT ", "f() OVER (ORDER BY ", "1", ")"},
    {"SELECT ", "EXISTS (SELECT ", "1", ")"},
    {"", "WITH a AS (", "SELECT 1", ") SELECT 1"},
    {"SELECT * FROM ", "t JOIN (", "t", ") ON TRUE"},
    {"", "(", "SELECT 1", ")"},
    {"SELECT ", "x BETWEEN (", "1", ") AND 2"},
    {"SELECT ", "SUBSTRING(", "x", " FROM 1)"},
    {"SELECT ", "TRIM(BOTH FROM ", "x", ")"},
    {"SELECT ", "POSITION((", "x", ") IN y)"},
    {"SELECT 1 WHERE x IN ", "((", "1", "))"},
    {"SELECT ", "sum(x) FILTER (WHERE ", "1", ")"},
    {"SELECT ", "x = ANY (SELECT ", "1", ")"},
    {"SELECT ", "'a' LIKE (", "'a'", ")"},
    {"SELECT * FROM ", "read_csv(", "1", ")"},
    {"", "CREATE TABLE t AS ", "SELECT 1", ""},
    {"SELECT ", "(VALUES (", "1", "))"},
};

static void *parse_shapes(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        char *sql =
            build(shapes[i].prefix, shapes[i].repeat, 20000, shapes[i].middle, shapes[i].close, "");
        tn_arena arena;
        tn_arena_init(&arena, 0);
        tn_sql_stmt_list list;
        tn_error err = {0};
        int rc = tn_sql_parse(&arena, sql, strlen(sql), &list, &err);
        cr_expect(rc == TN_ELIMIT || rc == TN_EPARSE, "shape %zu (%s...): %s", i, shapes[i].repeat,
                  tn_error_name(rc));
        tn_arena_free(&arena);
        free(sql);
    }
    return NULL;
}

Test(sql_limits, stack_bound)
{
    pthread_attr_t attr;
    pthread_t thread;
    cr_assert_eq(pthread_attr_init(&attr), 0);
    cr_assert_eq(pthread_attr_setstacksize(&attr, SHAPE_STACK), 0);
    cr_assert_eq(pthread_create(&thread, &attr, parse_shapes, NULL), 0);
    cr_assert_eq(pthread_join(thread, NULL), 0);
    pthread_attr_destroy(&attr);
}

Test(sql_limits, wide_is_fine)
{
    /* Width costs memory linear in the input, never depth. */
    char *sql = build("SELECT x IN (1", ", 1", 100000, ")", "", "");
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_sql_stmt *s = sql_parse_one(&arena, sql);
    cr_expect_eq(s->query->select.items[0].expr->in_list.list.count, 100001);
    cr_expect_eq(s->node.height, 4);
    tn_arena_free(&arena);
    free(sql);
    expect_ok_and_fixed(build("VALUES (1)", ", (1)", 20000, "", "", ""));
    expect_ok_and_fixed(build("SELECT 1", ", 1", 20000, "", "", ""));
    expect_ok_and_fixed(build("SELECT 1 FROM t", ", t", 20000, "", "", ""));
    expect_ok_and_fixed(build("SELECT f(1", ", 1", 20000, ")", "", ""));
    expect_ok_and_fixed(
        build("SELECT CASE WHEN 1 THEN 1", " WHEN 1 THEN 1", 20000, " END", "", ""));
    /* Many statements. */
    char *many = build("", "SELECT 1;", 20000, "", "", "");
    tn_arena_init(&arena, 0);
    tn_sql_stmt_list list;
    tn_error err = {0};
    cr_expect_eq(tn_sql_parse(&arena, many, strlen(many), &list, &err), 0);
    cr_expect_eq(list.count, 20000);
    tn_arena_free(&arena);
    free(many);
}

Test(sql_limits, memory_is_linear)
{
    /* The arena holds at most a constant times the input size. */
    static const char *const inputs[] = {
        "SELECT a, b, c FROM t WHERE x = 1 AND y IN (1, 2, 3) ORDER BY a;",
        "INSERT INTO t VALUES (1, 'abc', 2.5, NULL), (2, 'def', 3.5, TRUE);",
        "SELECT (((((((((((1)))))))))));",
        "SELECT f(g(h(i(j(k(l(m(n(o(1))))))))));",
        "SELECT - - - - - - - - - - - - - - - - - - - - 1;",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        char *sql = build("", inputs[i], 2000, "", "", "");
        size_t len = strlen(sql);
        tn_arena arena;
        tn_arena_init(&arena, 0);
        tn_sql_stmt_list list;
        tn_error err = {0};
        cr_assert_eq(tn_sql_parse(&arena, sql, len, &list, &err), 0, "%s", err.message);
        cr_expect_leq(arena.bytes_used, 256 * len, "%zu bytes of tree for %zu of text",
                      arena.bytes_used, len);
        tn_arena_free(&arena);
        free(sql);
    }
}

/* ------------------------------------------------------------------------------------------
 * Out of memory at every allocation
 * ---------------------------------------------------------------------------------------- */

Test(sql_errors, out_of_memory_everywhere)
{
    const char *sql =
        "WITH a AS (SELECT 1 AS x) SELECT DISTINCT x, count(*) FILTER (WHERE x > 0), "
        "sum(y) OVER (PARTITION BY z ORDER BY w ROWS 1 PRECEDING), CAST(x AS DECIMAL(10,2)), "
        "EXTRACT(year FROM d), 'str', E'\\n' FROM a JOIN b USING (x), read_csv('f', h => 1) "
        "WHERE x IN (1, 2) AND y LIKE 'a%' GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 3; "
        "CREATE TABLE t (a INT NOT NULL, b VARCHAR(3)) PARTITIONED BY (day(a)); "
        "INSERT INTO t VALUES (1, 'a'); SELECT * FORM t";
    int failures = 0;
    for (uint64_t n = 1; n < 400; n++) {
        tn_alloc_fail_every(n);
        tn_arena arena;
        tn_arena_init(&arena, 4096); /* small chunks: many allocations */
        tn_sql_stmt_list list;
        tn_error err = {0};
        int rc = tn_sql_parse(&arena, sql, strlen(sql), &list, &err);
        tn_alloc_fail_every(0);
        cr_assert(rc == TN_ENOMEM || rc == TN_EPARSE, "n=%llu: %s (%s)", (unsigned long long)n,
                  tn_error_name(rc), err.message);
        if (rc == TN_ENOMEM) {
            failures++;
            cr_expect_str_eq(err.message, "out of memory while parsing SQL");
        } else {
            cr_expect(strstr(err.message, "FORM") != NULL, "%s", err.message);
        }
        tn_buf out = TN_BUF_INIT;
        tn_sql_error_render(sql, strlen(sql), &err, &out);
        tn_buf_free(&out);
        tn_arena_free(&arena);
    }
    cr_expect_gt(failures, 0);
}

Test(sql_errors, printer_out_of_memory)
{
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_sql_stmt *s = sql_parse_one(&arena, "SELECT a + 1, 'x' FROM t WHERE b LIKE 'c%'");
    for (uint64_t n = 1; n < 20; n++) {
        tn_buf out = TN_BUF_INIT;
        tn_alloc_fail_every(n);
        int rc = tn_sql_ast_format(&s->node, &out);
        tn_alloc_fail_every(0);
        cr_expect(rc == 0 || rc == TN_ENOMEM);
        tn_buf_free(&out);
    }
    tn_arena_free(&arena);
}

/* ------------------------------------------------------------------------------------------
 * Random input
 * ---------------------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* Checks the contract on any outcome: success prints to a fixed point, failure has a code
 * the parser documents and a position that renders. */
static void check_any(const char *sql, size_t len)
{
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_sql_stmt_list list;
    tn_error err = {0};
    int rc = tn_sql_parse(&arena, sql, len, &list, &err);
    if (rc == 0) {
        for (uint32_t i = 0; i < list.count; i++) {
            char *printed = sql_print(&list.items[i]->node);
            sql_check_fixed_point(printed, false);
            free(printed);
        }
    } else {
        cr_assert(rc == TN_EPARSE || rc == TN_ELIMIT, "%s", tn_error_name(rc));
        cr_assert_gt(err.line, 0);
        cr_assert_gt(err.column, 0);
        tn_buf out = TN_BUF_INIT;
        cr_assert_eq(tn_sql_error_render(sql, len, &err, &out), 0);
        tn_buf_free(&out);
    }
    tn_arena_free(&arena);
}

Test(sql_errors, random_token_soup)
{
    static const char *const words[] = {
        "SELECT", "FROM",     "WHERE",  "GROUP",  "BY",     "ORDER",    "(",      ")",       ",",
        "a",      "t.b",      "1",      "'s'",    "+",      "*",        "=",      "AND",     "OR",
        "NOT",    "IN",       "IS",     "NULL",   "CASE",   "WHEN",     "THEN",   "END",     "JOIN",
        "ON",     "UNION",    "ALL",    "AS",     "LIMIT",  "::int",    "CAST",   "BETWEEN", "LIKE",
        "count",  "*",        "OVER",   "VALUES", "WITH",   "INTERVAL", "DATE",   "-",       ";",
        "EXISTS", "DISTINCT", "INSERT", "INTO",   "CREATE", "TABLE",    "int",    "||",      "?",
        "$1",     "E'x'",     "\"q\"",  "LEFT",   "USING",  "HAVING",   "FILTER", "EXTRACT", "TRIM",
    };
    size_t nwords = sizeof(words) / sizeof(words[0]);
    char sql[512];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 0;
        int count = 1 + (int)(rng() % 24);
        for (int k = 0; k < count && n + 32 < sizeof(sql); k++)
            n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s ", words[rng() % nwords]);
        check_any(sql, n);
    }
}

Test(sql_errors, random_bytes)
{
    unsigned char buf[64];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = rng() % sizeof(buf);
        for (size_t i = 0; i < n; i++) {
            /* Mostly printable, with some control and high bytes. */
            uint32_t r = rng();
            buf[i] = (unsigned char)((r % 8 == 0) ? (r >> 8) : 32 + (r >> 8) % 95);
        }
        check_any((const char *)buf, n);
    }
}
