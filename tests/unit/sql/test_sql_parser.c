/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the SQL parser: hundreds of expressions and statements printed back
 * (fully parenthesised, so precedence shows) with the print -> parse -> print fixed point
 * checked for each, and the tree's fields for every node kind: literals and their types,
 * names and folding, positions, parameters, casts and type names, calls, windows, joins,
 * set operations, clauses, and every statement kind.
 */
#include "sql_test.h"

struct sql_case {
    const char *sql;
    const char *printed;
};

/* Expressions (tn_sql_parse_expr) and what they print as. */
static const struct sql_case expr_cases[] = {
    {"a OR b AND c", "(a OR (b AND c))"},
    {"a AND b OR c", "((a AND b) OR c)"},
    {"a OR b OR c", "(a OR b OR c)"},
    {"(a OR b) OR c", "((a OR b) OR c)"},
    {"a AND b AND c AND d", "(a AND b AND c AND d)"},
    {"NOT a = b", "(NOT (a = b))"},
    {"NOT a AND b", "((NOT a) AND b)"},
    {"NOT NOT a", "(NOT (NOT a))"},
    {"NOT a IS NULL", "(NOT (a IS NULL))"},
    {"-x::int", "(- (x::int))"},
    {"-5::int", "(- (5::int))"},
    {"-5", "(-5)"},
    {"- -5", "5"},
    {"-(5)", "(-5)"},
    {"- x", "(- x)"},
    {"+x", "(+ x)"},
    {"- a * b", "((- a) * b)"},
    {"-2 ^ 2", "((-2) ^ 2)"},
    {"- a ^ 2", "((- a) ^ 2)"},
    {"a BETWEEN b AND c AND d", "((a BETWEEN b AND c) AND d)"},
    {"a NOT BETWEEN 1 + 1 AND 2 * 3", "(a NOT BETWEEN (1 + 1) AND (2 * 3))"},
    {"a BETWEEN b AND c OR d", "((a BETWEEN b AND c) OR d)"},
    {"1 + 2 * 3", "(1 + (2 * 3))"},
    {"1 - 2 - 3", "((1 - 2) - 3)"},
    {"1 * 2 + 3", "((1 * 2) + 3)"},
    {"2 ^ 3 * 4", "((2 ^ 3) * 4)"},
    {"2 ^ 3 ^ 4", "((2 ^ 3) ^ 4)"},
    {"7 // 2 % 3 / 4", "(((7 // 2) % 3) / 4)"},
    {"a || b + c", "(a || (b + c))"},
    {"a || b || c", "((a || b) || c)"},
    {"a = b || c", "(a = (b || c))"},
    {"a < b = c", "((a < b) = c)"},
    {"a = b IS NULL", "((a = b) IS NULL)"},
    {"a IS NULL = b", "((a IS NULL) = b)"},
    {"a IS NOT NULL", "(a IS NOT NULL)"},
    {"a IS TRUE AND b IS NOT FALSE", "((a IS TRUE) AND (b IS NOT FALSE))"},
    {"a IS UNKNOWN OR b IS NOT UNKNOWN", "((a IS UNKNOWN) OR (b IS NOT UNKNOWN))"},
    {"a IS DISTINCT FROM b", "(a IS DISTINCT FROM b)"},
    {"a IS NOT DISTINCT FROM b + 1", "(a IS NOT DISTINCT FROM (b + 1))"},
    {"a = 1 AND b LIKE 'x%' OR c IN (1, 2)", "(((a = 1) AND (b LIKE 'x%')) OR (c IN (1, 2)))"},
    {"a LIKE b || c", "(a LIKE (b || c))"},
    {"a NOT LIKE 'x!%' ESCAPE '!'", "(a NOT LIKE 'x!%' ESCAPE '!')"},
    {"a ILIKE 'A%'", "(a ILIKE 'A%')"},
    {"a NOT ILIKE '%b'", "(a NOT ILIKE '%b')"},
    {"a LIKE 'x' = TRUE", "((a LIKE 'x') = TRUE)"},
    {"a = b BETWEEN c AND d", "(a = (b BETWEEN c AND d))"},
    {"x = NOT y", "(x = (NOT y))"},
    {"x = NOT y AND z", "((x = (NOT y)) AND z)"},
    {"x IN (1)", "(x IN (1))"},
    {"x NOT IN (1, 2, 3)", "(x NOT IN (1, 2, 3))"},
    {"x IN ()", "(x IN ())"},
    {"x NOT IN ()", "(x NOT IN ())"},
    {"x IN (SELECT y FROM t)", "(x IN (SELECT y FROM t))"},
    {"x NOT IN (SELECT y FROM t WHERE z)", "(x NOT IN (SELECT y FROM t WHERE z))"},
    {"x IN ((SELECT 1), 2)", "(x IN ((SELECT 1), 2))"},
    {"x IN ((SELECT 1) UNION (SELECT 2))", "(x IN ((SELECT 1) UNION (SELECT 2)))"},
    {"x = ANY (SELECT y FROM t)", "(x = ANY (SELECT y FROM t))"},
    {"x <> SOME (SELECT y FROM t)", "(x <> ANY (SELECT y FROM t))"},
    {"x >= ALL (SELECT y FROM t)", "(x >= ALL (SELECT y FROM t))"},
    {"x::int::text", "((x::int)::text)"},
    {"(x + 1)::int", "((x + 1)::int)"},
    {"CAST(x AS int) + 1", "(CAST(x AS int) + 1)"},
    {"CAST(x AS DECIMAL(10, 2))", "CAST(x AS DECIMAL(10,2))"},
    {"CAST(x AS decimal)", "CAST(x AS decimal)"},
    {"CAST(x AS VARCHAR(20))", "CAST(x AS VARCHAR(20))"},
    {"CAST(x AS double precision)", "CAST(x AS double precision)"},
    {"CAST(x AS TIMESTAMP WITH TIME ZONE)", "CAST(x AS TIMESTAMP WITH TIME ZONE)"},
    {"CAST(x AS timestamp without time zone)", "CAST(x AS timestamp without time zone)"},
    {"CAST(x AS character varying(10))", "CAST(x AS character varying(10))"},
    {"CAST(x AS SMALLINT)", "CAST(x AS SMALLINT)"},
    {"CAST(x AS INTEGER[])", "CAST(x AS INTEGER[])"},
    {"TRY_CAST(x AS BIGINT)", "TRY_CAST(x AS BIGINT)"},
    {"x::DATE", "(x::DATE)"},
    {"x::timestamptz", "(x::timestamptz)"},
    {"DATE '2024-01-01'", "DATE '2024-01-01'"},
    {"TIMESTAMP '2024-01-01 10:00:00'", "TIMESTAMP '2024-01-01 10:00:00'"},
    {"TIMESTAMPTZ '2024-01-01 10:00:00+02'", "TIMESTAMPTZ '2024-01-01 10:00:00+02'"},
    {"TIMESTAMP WITH TIME ZONE '2024-01-01 10:00:00+02'",
     "TIMESTAMP WITH TIME ZONE '2024-01-01 10:00:00+02'"},
    {"time '10:00'", "time '10:00'"},
    {"INTERVAL '1 day'", "INTERVAL '1 day'"},
    {"INTERVAL 3 DAY", "INTERVAL 3 DAY"},
    {"INTERVAL '2' HOUR", "INTERVAL '2' HOUR"},
    {"INTERVAL (n + 1) MINUTES", "INTERVAL (n + 1) MINUTE"},
    {"INTERVAL 1.5 seconds", "INTERVAL 1.5 SECOND"},
    {"INTERVAL '1' year + INTERVAL 2 months", "(INTERVAL '1' YEAR + INTERVAL 2 MONTH)"},
    {"DATE '1998-12-01' - INTERVAL '90' DAY", "(DATE '1998-12-01' - INTERVAL '90' DAY)"},
    {"interval", "interval"},
    {"interval + 1", "(interval + 1)"},
    {"a.b", "a.b"},
    {"a.b.c", "a.b.c"},
    {"s.t.a.b", "s.t.a.b"},
    {"\"A\".b", "\"A\".b"},
    {"\"a b\".\"c\"\"d\"", "\"a b\".\"c\"\"d\""},
    {"\"select\"", "\"select\""},
    {"t.*", "t.*"},
    {"count(*)", "count(*)"},
    {"count(DISTINCT x)", "count(DISTINCT x)"},
    {"count(ALL x)", "count(x)"},
    {"f()", "f()"},
    {"s.f(1, 2)", "s.f(1, 2)"},
    {"\"F\"(x)", "\"F\"(x)"},
    {"sum(x) FILTER (WHERE x > 0)", "sum(x) FILTER (WHERE (x > 0))"},
    {"count(*) FILTER (WHERE x)", "count(*) FILTER (WHERE x)"},
    {"string_agg(s, ',' ORDER BY s DESC NULLS LAST, t)",
     "string_agg(s, ',' ORDER BY s DESC NULLS LAST, t)"},
    {"row_number() OVER ()", "row_number() OVER ()"},
    {"rank() OVER (PARTITION BY a, b ORDER BY c)", "rank() OVER (PARTITION BY a, b ORDER BY c)"},
    {"sum(x) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
     "sum(x) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"},
    {"sum(x) OVER (ORDER BY d ROWS UNBOUNDED PRECEDING)",
     "sum(x) OVER (ORDER BY d ROWS UNBOUNDED PRECEDING)"},
    {"sum(x) OVER (ORDER BY d RANGE BETWEEN INTERVAL '1 day' PRECEDING AND 2 FOLLOWING)",
     "sum(x) OVER (ORDER BY d RANGE BETWEEN INTERVAL '1 day' PRECEDING AND 2 FOLLOWING)"},
    {"sum(x) OVER (ORDER BY d GROUPS BETWEEN 1 PRECEDING AND UNBOUNDED FOLLOWING)",
     "sum(x) OVER (ORDER BY d GROUPS BETWEEN 1 PRECEDING AND UNBOUNDED FOLLOWING)"},
    {"sum(x) OVER (ROWS BETWEEN 2 + 1 PRECEDING AND CURRENT ROW)",
     "sum(x) OVER (ROWS BETWEEN (2 + 1) PRECEDING AND CURRENT ROW)"},
    {"avg(x) OVER w", "avg(x) OVER w"},
    {"avg(x) OVER (w)", "avg(x) OVER (w)"}, /* unlike OVER w, cannot copy a frame */
    {"lag(x, 1) OVER (w ORDER BY y)", "lag(x, 1) OVER (w ORDER BY y)"},
    {"sum(x) FILTER (WHERE y) OVER (PARTITION BY z)",
     "sum(x) FILTER (WHERE y) OVER (PARTITION BY z)"},
    {"f(a => 1, b := 2, 3)", "f(a => 1, b => 2, 3)"},
    {"EXTRACT(year FROM d)", "date_part('year', d)"},
    {"EXTRACT(EPOCH FROM ts)", "date_part('epoch', ts)"},
    {"extract('month' FROM d)", "date_part('month', d)"},
    {"SUBSTRING(s FROM 2 FOR 3)", "substring(s, 2, 3)"},
    {"SUBSTRING(s FROM 2)", "substring(s, 2)"},
    {"SUBSTRING(s FOR 2)", "substring(s, 1, 2)"},
    {"substring(s, 1, 2)", "substring(s, 1, 2)"},
    {"POSITION('a' IN s)", "position('a', s)"},
    {"position('a' IN s || 'b')", "position('a', (s || 'b'))"},
    {"position(a, b)", "position(a, b)"},
    {"TRIM(s)", "trim(s)"},
    {"TRIM(BOTH FROM s)", "trim(s)"},
    {"TRIM(BOTH 'x' FROM s)", "trim(s, 'x')"},
    {"TRIM(LEADING 'x' FROM s)", "ltrim(s, 'x')"},
    {"TRIM(TRAILING FROM s)", "rtrim(s)"},
    {"trim(s, 'x')", "trim(s, 'x')"},
    {"left(s, 2)", "left(s, 2)"},
    {"right(s, 2)", "right(s, 2)"},
    {"replace(s, 'a', 'b')", "replace(s, 'a', 'b')"},
    {"\"extract\"(a, b)", "\"extract\"(a, b)"},
    {"\"substring\"(DISTINCT s)", "\"substring\"(DISTINCT s)"},
    {"\"trim\"()", "\"trim\"()"},
    {"CASE WHEN a THEN 1 END", "CASE WHEN a THEN 1 END"},
    {"CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END", "CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"},
    {"CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END",
     "CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END"},
    {"CASE WHEN a > 0 THEN CASE WHEN b THEN 1 END END",
     "CASE WHEN (a > 0) THEN CASE WHEN b THEN 1 END END"},
    {"EXISTS (SELECT 1)", "EXISTS (SELECT 1)"},
    {"NOT EXISTS (SELECT * FROM t WHERE t.a = u.a)",
     "(NOT EXISTS (SELECT * FROM t WHERE (t.a = u.a)))"},
    {"(SELECT max(x) FROM t)", "(SELECT max(x) FROM t)"},
    {"(SELECT 1) + 1", "((SELECT 1) + 1)"},
    {"((SELECT 1)) + 1", "((SELECT 1) + 1)"},
    {"((SELECT 1) + 1) * 2", "(((SELECT 1) + 1) * 2)"},
    {"((1))", "1"},
    {"(((a)))", "a"},
    {"$1 + $2", "($1 + $2)"},
    {"? + ? * ?", "(? + (? * ?))"},
    {"current_date", "current_date"},
    {"CURRENT_TIMESTAMP", "current_timestamp"},
    {"localtimestamp", "localtimestamp"},
    {"TRUE AND FALSE OR NULL", "((TRUE AND FALSE) OR NULL)"},
    {"9223372036854775807", "9223372036854775807"},
    {"-9223372036854775808", "(-9223372036854775808)"},
    {"9223372036854775808", "9223372036854775808"},
    {"99999999999999999999999999999999999999", "99999999999999999999999999999999999999"},
    {"999999999999999999999999999999999999999", "999999999999999999999999999999999999999"},
    {"1.50", "1.50"},
    {"-1.50", "(-1.50)"},
    {"0.5", "0.5"},
    {".5", ".5"},
    {"5.", "5."},
    {"00.10", "00.10"},
    {"1e10", "1e10"},
    {"-2.5E-3", "(-2.5E-3)"},
    {"1.5e300", "1.5e300"},
    {"'it''s'", "'it''s'"},
    {"E'tab\\there'", "'tab\there'"},
    {"e'\\x41'", "'A'"},
    {"'multi\nline'", "'multi\nline'"},
    {"''", "''"},
    {"x IN ((SELECT 1) UNION (SELECT 2))", "(x IN ((SELECT 1) UNION (SELECT 2)))"},
    {"x IN ((SELECT 1) UNION (SELECT 2) ORDER BY 1)",
     "(x IN ((SELECT 1) UNION (SELECT 2) ORDER BY 1))"},
    {"x NOT IN ((SELECT 1) + 1, 2)", "(x NOT IN (((SELECT 1) + 1), 2))"},
    {"x IN ((SELECT 1))", "(x IN ((SELECT 1)))"},
    {"x IN ((1 + 2) * 3, 4)", "(x IN (((1 + 2) * 3), 4))"},
    {"INTERVAL (n + 1) MINUTES", "INTERVAL (n + 1) MINUTE"},
    {"INTERVAL (-5) DAY", "INTERVAL (-5) DAY"},
    {"INTERVAL (x) DAY", "INTERVAL (x) DAY"},
    {"INTERVAL (SELECT 1) DAY", "INTERVAL (SELECT 1) DAY"},
    {"INTERVAL (x::int) DAY", "INTERVAL (x::int) DAY"},
};

static const struct sql_case stmt_cases[] = {
    {"SELECT 1", "SELECT 1"},
    {"select 1 as one, 'a' AS \"Two\"", "SELECT 1 AS one, 'a' AS \"Two\""},
    {"SELECT a b, c AS d, e \"F\" FROM t", "SELECT a AS b, c AS d, e AS \"F\" FROM t"},
    {"SELECT * FROM t", "SELECT * FROM t"},
    {"SELECT *, t.*, s.t.* FROM s.t", "SELECT *, t.*, s.t.* FROM s.t"},
    {"SELECT DISTINCT a FROM t", "SELECT DISTINCT a FROM t"},
    {"SELECT ALL a FROM t", "SELECT a FROM t"},
    {"SELECT DISTINCT ON (a, b) a, b, c FROM t ORDER BY a, b, c DESC",
     "SELECT DISTINCT ON (a, b) a, b, c FROM t ORDER BY a, b, c DESC"},
    {"SELECT a FROM t WHERE a > 1", "SELECT a FROM t WHERE (a > 1)"},
    {"SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 1",
     "SELECT a, count(*) FROM t GROUP BY a HAVING (count(*) > 1)"},
    {"SELECT a FROM t GROUP BY 1, 2", "SELECT a FROM t GROUP BY 1, 2"},
    {"SELECT a, sum(b) FROM t GROUP BY ALL", "SELECT a, sum(b) FROM t GROUP BY ALL"},
    {"SELECT a FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1",
     "SELECT a FROM t QUALIFY (row_number() OVER (PARTITION BY a ORDER BY b) = 1)"},
    {"SELECT a, sum(b) OVER w, rank() OVER (v ORDER BY b) FROM t GROUP BY a HAVING a > 0 "
     "WINDOW w AS (PARTITION BY a), v AS (w) QUALIFY 1",
     "SELECT a, sum(b) OVER w, rank() OVER (v ORDER BY b) FROM t GROUP BY a HAVING (a > 0) "
     "WINDOW w AS (PARTITION BY a), v AS (w) QUALIFY 1"},
    {"SELECT a FROM t ORDER BY a", "SELECT a FROM t ORDER BY a"},
    {"SELECT a FROM t ORDER BY a ASC, b DESC, c NULLS FIRST, d DESC NULLS LAST",
     "SELECT a FROM t ORDER BY a ASC, b DESC, c NULLS FIRST, d DESC NULLS LAST"},
    {"SELECT a FROM t LIMIT 10", "SELECT a FROM t LIMIT 10"},
    {"SELECT a FROM t LIMIT 10 OFFSET 5", "SELECT a FROM t LIMIT 10 OFFSET 5"},
    {"SELECT a FROM t OFFSET 5 LIMIT 10", "SELECT a FROM t LIMIT 10 OFFSET 5"},
    {"SELECT a FROM t OFFSET 5", "SELECT a FROM t OFFSET 5"},
    {"SELECT a FROM t OFFSET 5 ROWS", "SELECT a FROM t OFFSET 5"},
    {"SELECT a FROM t LIMIT ALL", "SELECT a FROM t"},
    {"SELECT a FROM t FETCH FIRST 3 ROWS ONLY", "SELECT a FROM t LIMIT 3"},
    {"SELECT a FROM t FETCH NEXT ROW ONLY", "SELECT a FROM t LIMIT 1"},
    {"SELECT a FROM t ORDER BY a OFFSET 2 ROWS FETCH FIRST 1 ROW ONLY",
     "SELECT a FROM t ORDER BY a LIMIT 1 OFFSET 2"},
    {"SELECT a FROM t LIMIT $1 OFFSET $2", "SELECT a FROM t LIMIT $1 OFFSET $2"},
    {"SELECT date, value, year, name, type, count, first, last, key, filter, range, rows FROM t",
     "SELECT date, value, year, name, type, count, first, last, key, filter, range, rows FROM t"},
    {"SELECT t.date, count(value) AS count FROM events AS t",
     "SELECT t.date, count(value) AS count FROM events AS t"},
    {"SELECT 1 AS from, 2 AS select", "SELECT 1 AS \"from\", 2 AS \"select\""},
    {"SELECT * FROM \"Mixed Case\" AS \"M\"", "SELECT * FROM \"Mixed Case\" AS \"M\""},
    {"SELECT * FROM \"we \"\"quote\"\"\"", "SELECT * FROM \"we \"\"quote\"\"\""},
    {"SELECT * FROM a.b.c", "SELECT * FROM a.b.c"},
    {"SELECT * FROM 'dumps/*.csv'", "SELECT * FROM 'dumps/*.csv'"},
    {"SELECT * FROM 'data.parquet' AS p(x, y)", "SELECT * FROM 'data.parquet' AS p(x, y)"},
    {"SELECT * FROM read_csv('x.csv')", "SELECT * FROM read_csv('x.csv')"},
    {"SELECT * FROM read_csv('x.csv', delim => ';', header = true)",
     "SELECT * FROM read_csv('x.csv', delim => ';', header => TRUE)"},
    {"SELECT * FROM read_csv('x.csv', delim := ';') r",
     "SELECT * FROM read_csv('x.csv', delim => ';') AS r"},
    {"SELECT * FROM range(10) AS r(i)", "SELECT * FROM range(10) AS r(i)"},
    {"SELECT * FROM generate_series(1, 10, 2) g", "SELECT * FROM generate_series(1, 10, 2) AS g"},
    {"SELECT * FROM (SELECT 1 AS a) AS s", "SELECT * FROM (SELECT 1 AS a) AS s"},
    {"SELECT * FROM (SELECT 1 AS a) s(b)", "SELECT * FROM (SELECT 1 AS a) AS s(b)"},
    {"SELECT * FROM (SELECT 1)", "SELECT * FROM (SELECT 1)"},
    {"SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)",
     "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)"},
    {"SELECT * FROM ((SELECT 1) UNION (SELECT 2)) AS u",
     "SELECT * FROM ((SELECT 1) UNION (SELECT 2)) AS u"},
    {"SELECT * FROM ((SELECT 1)) AS u", "SELECT * FROM (SELECT 1) AS u"},
    {"SELECT * FROM t1, t2, t3", "SELECT * FROM t1, t2, t3"},
    {"SELECT * FROM t1 JOIN t2 ON t1.id = t2.id", "SELECT * FROM t1 JOIN t2 ON (t1.id = t2.id)"},
    {"SELECT * FROM t1 INNER JOIN t2 ON t1.id = t2.id",
     "SELECT * FROM t1 JOIN t2 ON (t1.id = t2.id)"},
    {"SELECT * FROM t1 LEFT JOIN t2 ON TRUE", "SELECT * FROM t1 LEFT JOIN t2 ON TRUE"},
    {"SELECT * FROM t1 LEFT OUTER JOIN t2 USING (id)", "SELECT * FROM t1 LEFT JOIN t2 USING (id)"},
    {"SELECT * FROM t1 RIGHT JOIN t2 USING (a, b)", "SELECT * FROM t1 RIGHT JOIN t2 USING (a, b)"},
    {"SELECT * FROM t1 RIGHT OUTER JOIN t2 ON x", "SELECT * FROM t1 RIGHT JOIN t2 ON x"},
    {"SELECT * FROM t1 FULL JOIN t2 ON x", "SELECT * FROM t1 FULL JOIN t2 ON x"},
    {"SELECT * FROM t1 FULL OUTER JOIN t2 ON x", "SELECT * FROM t1 FULL JOIN t2 ON x"},
    {"SELECT * FROM t1 CROSS JOIN t2", "SELECT * FROM t1 CROSS JOIN t2"},
    {"SELECT * FROM t1 NATURAL JOIN t2", "SELECT * FROM t1 NATURAL JOIN t2"},
    {"SELECT * FROM t1 NATURAL LEFT JOIN t2", "SELECT * FROM t1 NATURAL LEFT JOIN t2"},
    {"SELECT * FROM t1 a JOIN t2 b ON a.x = b.x JOIN t3 c ON b.y = c.y LEFT JOIN t4 d ON c.z = d.z",
     "SELECT * FROM t1 AS a JOIN t2 AS b ON (a.x = b.x) JOIN t3 AS c ON (b.y = c.y) LEFT JOIN t4 "
     "AS d ON (c.z = d.z)"},
    {"SELECT * FROM t1 JOIN (t2 JOIN t3 ON t2.a = t3.a) ON t1.a = t2.a",
     "SELECT * FROM t1 JOIN (t2 JOIN t3 ON (t2.a = t3.a)) ON (t1.a = t2.a)"},
    {"SELECT * FROM (t1 JOIN t2 ON x) AS j", "SELECT * FROM (t1 JOIN t2 ON x) AS j"},
    {"SELECT * FROM (t1 JOIN t2 ON x) JOIN t3 ON y", "SELECT * FROM t1 JOIN t2 ON x JOIN t3 ON y"},
    {"SELECT * FROM ((SELECT 1 AS a) AS s JOIN t ON s.a = t.a)",
     "SELECT * FROM (SELECT 1 AS a) AS s JOIN t ON (s.a = t.a)"},
    {"SELECT * FROM (t)", "SELECT * FROM t"},
    {"SELECT * FROM t1, t2 JOIN t3 ON x, t4", "SELECT * FROM t1, t2 JOIN t3 ON x, t4"},
    {"SELECT * FROM t1 JOIN t2 ON x = (SELECT 1) JOIN t3 USING (c)",
     "SELECT * FROM t1 JOIN t2 ON (x = (SELECT 1)) JOIN t3 USING (c)"},
    {"SELECT x FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a)",
     "SELECT x FROM t WHERE EXISTS (SELECT 1 FROM u WHERE (u.a = t.a))"},
    {"SELECT (SELECT max(b) FROM u) AS m FROM t", "SELECT (SELECT max(b) FROM u) AS m FROM t"},
    {"SELECT 1 UNION SELECT 2", "(SELECT 1) UNION (SELECT 2)"},
    {"SELECT 1 UNION ALL SELECT 2", "(SELECT 1) UNION ALL (SELECT 2)"},
    {"SELECT 1 UNION DISTINCT SELECT 2", "(SELECT 1) UNION (SELECT 2)"},
    {"SELECT 1 INTERSECT SELECT 2", "(SELECT 1) INTERSECT (SELECT 2)"},
    {"SELECT 1 INTERSECT ALL SELECT 2", "(SELECT 1) INTERSECT ALL (SELECT 2)"},
    {"SELECT 1 EXCEPT SELECT 2", "(SELECT 1) EXCEPT (SELECT 2)"},
    {"SELECT 1 EXCEPT ALL SELECT 2", "(SELECT 1) EXCEPT ALL (SELECT 2)"},
    {"SELECT 1 UNION SELECT 2 UNION SELECT 3", "((SELECT 1) UNION (SELECT 2)) UNION (SELECT 3)"},
    {"SELECT 1 UNION SELECT 2 INTERSECT SELECT 3",
     "(SELECT 1) UNION ((SELECT 2) INTERSECT (SELECT 3))"},
    {"SELECT 1 INTERSECT SELECT 2 UNION SELECT 3",
     "((SELECT 1) INTERSECT (SELECT 2)) UNION (SELECT 3)"},
    {"SELECT 1 EXCEPT SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4",
     "((SELECT 1) EXCEPT ((SELECT 2) INTERSECT (SELECT 3))) EXCEPT (SELECT 4)"},
    {"(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3",
     "((SELECT 1) UNION (SELECT 2)) INTERSECT (SELECT 3)"},
    {"SELECT 1 UNION (SELECT 2 ORDER BY 1 LIMIT 1) ORDER BY 1 DESC LIMIT 5",
     "(SELECT 1) UNION (SELECT 2 ORDER BY 1 LIMIT 1) ORDER BY 1 DESC LIMIT 5"},
    {"(SELECT 1)", "SELECT 1"},
    {"((SELECT 1))", "SELECT 1"},
    {"(SELECT 1) ORDER BY 1", "SELECT 1 ORDER BY 1"},
    {"(SELECT a FROM t ORDER BY a) LIMIT 1", "SELECT a FROM t ORDER BY a LIMIT 1"},
    {"SELECT 1 UNION SELECT 2 LIMIT 1 OFFSET 1", "(SELECT 1) UNION (SELECT 2) LIMIT 1 OFFSET 1"},
    {"VALUES (1)", "VALUES (1)"},
    {"VALUES (1, 2), (3, 4)", "VALUES (1, 2), (3, 4)"},
    {"VALUES (1, 'a') UNION ALL VALUES (2, 'b')", "(VALUES (1, 'a')) UNION ALL (VALUES (2, 'b'))"},
    {"VALUES (1), (2) ORDER BY 1 LIMIT 1", "VALUES (1), (2) ORDER BY 1 LIMIT 1"},
    {"WITH a AS (SELECT 1) SELECT * FROM a", "WITH a AS (SELECT 1) SELECT * FROM a"},
    {"WITH a (x, y) AS (SELECT 1, 2), b AS (SELECT * FROM a) SELECT * FROM b",
     "WITH a(x, y) AS (SELECT 1, 2), b AS (SELECT * FROM a) SELECT * FROM b"},
    {"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r",
     "WITH RECURSIVE r(n) AS ((SELECT 1) UNION ALL (SELECT (n + 1) FROM r WHERE (n < 10))) SELECT "
     "* FROM r"},
    {"WITH a AS (SELECT 1) SELECT 1 UNION SELECT 2",
     "WITH a AS (SELECT 1) (SELECT 1) UNION (SELECT 2)"},
    {"WITH a AS (SELECT 1) (SELECT * FROM a) ORDER BY 1",
     "WITH a AS (SELECT 1) SELECT * FROM a ORDER BY 1"},
    {"SELECT * FROM (WITH a AS (SELECT 1) SELECT * FROM a) AS w",
     "SELECT * FROM (WITH a AS (SELECT 1) SELECT * FROM a) AS w"},
    {"SELECT $1, ?, ?, $1", "SELECT $1, ?, ?, $1"},
    {"SELECT -9223372036854775808, 9223372036854775808",
     "SELECT (-9223372036854775808), 9223372036854775808"},
    {"CREATE TABLE t (a INTEGER)", "CREATE TABLE t (a INTEGER)"},
    {"CREATE TABLE IF NOT EXISTS s.t (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(20), price "
     "DECIMAL(10, 2) DEFAULT 0 NOT NULL, created TIMESTAMP WITH TIME ZONE, note TEXT NULL UNIQUE)",
     "CREATE TABLE IF NOT EXISTS s.t (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(20), price "
     "DECIMAL(10,2) NOT NULL DEFAULT 0, created TIMESTAMP WITH TIME ZONE, note TEXT UNIQUE)"},
    {"CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b))",
     "CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b))"},
    {"CREATE TABLE t (ts TIMESTAMP, id BIGINT, s VARCHAR) PARTITIONED BY (day(ts), bucket(16, id), "
     "truncate(4, s), s)",
     "CREATE TABLE t (ts TIMESTAMP, id BIGINT, s VARCHAR) PARTITIONED BY (day(ts), bucket(16, id), "
     "truncate(4, s), s)"},
    {"CREATE TABLE t (ts TIMESTAMP) PARTITION BY (year(ts))",
     "CREATE TABLE t (ts TIMESTAMP) PARTITIONED BY (year(ts))"},
    {"CREATE TABLE \"Quoted\" (\"Col\" int, \"date\" date, value double)",
     "CREATE TABLE \"Quoted\" (\"Col\" int, date date, value double)"},
    {"CREATE TABLE t (a SMALLINT, b TINYINT, c HUGEINT, d UUID, e BLOB, f BOOLEAN, g REAL, h "
     "FLOAT, i DOUBLE PRECISION)",
     "CREATE TABLE t (a SMALLINT, b TINYINT, c HUGEINT, d UUID, e BLOB, f BOOLEAN, g REAL, h "
     "FLOAT, i DOUBLE PRECISION)"},
    {"CREATE OR REPLACE TABLE t AS SELECT 1 AS a", "CREATE OR REPLACE TABLE t AS SELECT 1 AS a"},
    {"CREATE TABLE t PARTITIONED BY (month(ts)) AS SELECT * FROM 'dumps/*.csv'",
     "CREATE TABLE t PARTITIONED BY (month(ts)) AS SELECT * FROM 'dumps/*.csv'"},
    {"CREATE TEMP TABLE t AS VALUES (1)", "CREATE TEMPORARY TABLE t AS VALUES (1)"},
    {"CREATE TEMPORARY TABLE t (a int)", "CREATE TEMPORARY TABLE t (a int)"},
    {"CREATE TABLE t AS WITH a AS (SELECT 1) SELECT * FROM a",
     "CREATE TABLE t AS WITH a AS (SELECT 1) SELECT * FROM a"},
    {"INSERT INTO t VALUES (1, 2)", "INSERT INTO t VALUES (1, 2)"},
    {"INSERT INTO t (a, b) VALUES (1, 2), (3, 4)", "INSERT INTO t (a, b) VALUES (1, 2), (3, 4)"},
    {"INSERT INTO s.t SELECT * FROM u", "INSERT INTO s.t SELECT * FROM u"},
    {"INSERT INTO t (a) SELECT x FROM u WHERE y", "INSERT INTO t (a) SELECT x FROM u WHERE y"},
    {"INSERT INTO t (SELECT 1)", "INSERT INTO t SELECT 1"},
    {"INSERT INTO t (a) (SELECT 1)", "INSERT INTO t (a) SELECT 1"},
    {"INSERT INTO t WITH a AS (SELECT 1) SELECT * FROM a",
     "INSERT INTO t WITH a AS (SELECT 1) SELECT * FROM a"},
    {"INSERT INTO t SELECT 1 UNION SELECT 2", "INSERT INTO t (SELECT 1) UNION (SELECT 2)"},
    {"INSERT INTO t VALUES (DEFAULT_VALUE(), 'x''y', NULL, -1.5, DATE '2024-01-01')",
     "INSERT INTO t VALUES (default_value(), 'x''y', NULL, (-1.5), DATE '2024-01-01')"},
    {"DROP TABLE t", "DROP TABLE t"},
    {"DROP TABLE IF EXISTS s.t", "DROP TABLE IF EXISTS s.t"},
    {"DROP VIEW v", "DROP VIEW v"},
    {"DROP VIEW IF EXISTS v", "DROP VIEW IF EXISTS v"},
    {"DROP INDEX i", "DROP INDEX i"},
    {"TRUNCATE t", "TRUNCATE TABLE t"},
    {"TRUNCATE TABLE s.t", "TRUNCATE TABLE s.t"},
    {"CREATE VIEW v AS SELECT 1", "CREATE VIEW v AS SELECT 1"},
    {"CREATE OR REPLACE VIEW v (a, b) AS SELECT 1, 2",
     "CREATE OR REPLACE VIEW v (a, b) AS SELECT 1, 2"},
    {"CREATE VIEW IF NOT EXISTS s.v AS WITH a AS (SELECT 1) SELECT * FROM a",
     "CREATE VIEW IF NOT EXISTS s.v AS WITH a AS (SELECT 1) SELECT * FROM a"},
    {"CREATE TEMP VIEW v AS SELECT 1", "CREATE TEMPORARY VIEW v AS SELECT 1"},
    {"CREATE INDEX i ON t (a)", "CREATE INDEX i ON t (a)"},
    {"CREATE UNIQUE INDEX i ON t (a, b DESC)", "CREATE UNIQUE INDEX i ON t (a, b DESC)"},
    {"CREATE INDEX ON t (lower(a))", "CREATE INDEX ON t (lower(a))"},
    {"CREATE INDEX IF NOT EXISTS i ON s.t (a)", "CREATE INDEX IF NOT EXISTS i ON s.t (a)"},
    {"EXPLAIN SELECT 1", "EXPLAIN SELECT 1"},
    {"EXPLAIN ANALYZE SELECT * FROM t WHERE a = 1",
     "EXPLAIN ANALYZE SELECT * FROM t WHERE (a = 1)"},
    {"EXPLAIN INSERT INTO t VALUES (1)", "EXPLAIN INSERT INTO t VALUES (1)"},
    {"EXPLAIN EXPLAIN SELECT 1", "EXPLAIN EXPLAIN SELECT 1"},
    {"SET threads = 4", "SET threads = 4"},
    {"SET threads TO 4", "SET threads = 4"},
    {"SET search_path = 'main'", "SET search_path = 'main'"},
    {"SET s.x TO DEFAULT", "SET s.x TO DEFAULT"},
    {"SET enable_progress_bar = false", "SET enable_progress_bar = FALSE"},
    {"SET memory_limit = '4GB'", "SET memory_limit = '4GB'"},
    {"SET timezone TO utc", "SET timezone = utc"},
    {"SHOW TABLES", "SHOW TABLES"},
    {"SHOW threads", "SHOW threads"},
    {"SHOW s.x", "SHOW s.x"},
    {"DESCRIBE t", "DESCRIBE t"},
    {"DESCRIBE s.t", "DESCRIBE s.t"},
};

Test(sql_parser, expressions_print_and_fixed_point)
{
    for (size_t i = 0; i < sizeof(expr_cases) / sizeof(expr_cases[0]); i++)
        sql_expr_roundtrip(expr_cases[i].sql, expr_cases[i].printed);
}

Test(sql_parser, statements_print_and_fixed_point)
{
    for (size_t i = 0; i < sizeof(stmt_cases) / sizeof(stmt_cases[0]); i++)
        sql_roundtrip(stmt_cases[i].sql, stmt_cases[i].printed);
}

Test(sql_parser, expressions_inside_statements)
{
    /* Every expression case also works as a select item. */
    for (size_t i = 0; i < sizeof(expr_cases) / sizeof(expr_cases[0]); i++) {
        char sql[1024], want[1024];
        snprintf(sql, sizeof(sql), "SELECT %s FROM t", expr_cases[i].sql);
        snprintf(want, sizeof(want), "SELECT %s FROM t", expr_cases[i].printed);
        /* t.* is only a star in the select list, where it prints the same. */
        sql_roundtrip(sql, want);
    }
}

/* ------------------------------------------------------------------------------------------
 * The tree's fields
 * ---------------------------------------------------------------------------------------- */

/* A parsed expression that lives until the test's end (the arena is a static leak-free
 * fixture: each test runs in its own process). */
static tn_arena test_arena;
static void arena_setup(void)
{
    tn_arena_init(&test_arena, 0);
}
static void arena_teardown(void)
{
    tn_arena_free(&test_arena);
}

static tn_sql_expr *expr_of(const char *sql)
{
    tn_error err = {0};
    tn_sql_expr *e = NULL;
    int rc = tn_sql_parse_expr(&test_arena, sql, strlen(sql), &e, &err);
    cr_assert_eq(rc, 0, "%s: %s", sql, err.message);
    return e;
}

static tn_sql_stmt *stmt_of(const char *sql)
{
    return sql_parse_one(&test_arena, sql);
}

static tn_sql_select *select_of(const char *sql)
{
    tn_sql_stmt *s = stmt_of(sql);
    cr_assert_eq(s->kind, TN_SQL_STMT_QUERY);
    cr_assert_eq(s->query->kind, TN_SQL_QUERY_SELECT);
    return &s->query->select;
}

TestSuite(sql_tree, .init = arena_setup, .fini = arena_teardown);

Test(sql_tree, literals)
{
    tn_sql_expr *e = expr_of("42");
    cr_assert_eq(e->kind, TN_SQL_EXPR_LITERAL);
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_INTEGER);
    cr_expect_eq(e->literal.integer, 42);
    cr_expect_eq(e->node.type, TN_SQL_NODE_EXPR);
    cr_expect_eq(e->node.height, 1);

    e = expr_of("-9223372036854775808");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_INTEGER, "the folded minus keeps INT64_MIN exact");
    cr_expect_eq(e->literal.integer, INT64_MIN);

    e = expr_of("9223372036854775808");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_DECIMAL, "past int64: an exact decimal");
    cr_expect_eq(e->literal.precision, 19);
    cr_expect_eq(e->literal.scale, 0);
    cr_expect(e->literal.decimal == (tn_i128)INT64_MAX + 1);

    e = expr_of("- 9223372036854775809");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_DECIMAL);
    cr_expect(e->literal.decimal == -((tn_i128)INT64_MAX + 2));

    e = expr_of("99999999999999999999999999999999999999");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_DECIMAL);
    cr_expect_eq(e->literal.precision, 38);

    e = expr_of("999999999999999999999999999999999999999");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_DOUBLE, "39 digits do not fit DECIMAL(38)");
    cr_expect_float_eq(e->literal.number, 1e39, 1e25);

    e = expr_of("1.50");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_DECIMAL);
    cr_expect_eq(e->literal.precision, 3);
    cr_expect_eq(e->literal.scale, 2);
    cr_expect(e->literal.decimal == 150);
    cr_expect_str_eq(e->literal.text.ptr, "1.50");

    e = expr_of("-0.05");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_DECIMAL);
    cr_expect_eq(e->literal.precision, 2);
    cr_expect_eq(e->literal.scale, 2);
    cr_expect(e->literal.decimal == -5);
    cr_expect_float_eq(e->literal.number, -0.05, 1e-12);

    e = expr_of(".5");
    cr_expect_eq(e->literal.precision, 1);
    cr_expect_eq(e->literal.scale, 1);

    e = expr_of("2.5E-3");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_DOUBLE);
    cr_expect_float_eq(e->literal.number, 0.0025, 1e-15);

    e = expr_of("- - 7");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_INTEGER);
    cr_expect_eq(e->literal.integer, 7);

    e = expr_of("'a''b'");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_STRING);
    cr_expect_eq(e->literal.text.len, 3);
    cr_expect_eq(memcmp(e->literal.text.ptr, "a'b", 3), 0);

    e = expr_of("TRUE");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_BOOL);
    cr_expect(e->literal.boolean);
    e = expr_of("false");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_BOOL);
    cr_expect_not(e->literal.boolean);
    e = expr_of("NULL");
    cr_expect_eq(e->literal.kind, TN_SQL_LIT_NULL);
}

Test(sql_tree, names_and_folding)
{
    tn_sql_select *s =
        select_of("SELECT MyCol, \"MyCol\", T.\"X y\", s.T.c FROM MySchema.\"MyTable\" AS Alias");
    cr_assert_eq(s->item_count, 4);
    tn_sql_expr *c0 = s->items[0].expr;
    cr_assert_eq(c0->kind, TN_SQL_EXPR_COLUMN);
    cr_expect_eq(c0->column.count, 1);
    cr_expect_str_eq(c0->column.parts[0].name, "mycol");
    cr_expect_str_eq(s->items[1].expr->column.parts[0].name, "MyCol");
    cr_expect_eq(s->items[2].expr->column.count, 2);
    cr_expect_str_eq(s->items[2].expr->column.parts[0].name, "t");
    cr_expect_str_eq(s->items[2].expr->column.parts[1].name, "X y");
    cr_expect_eq(s->items[3].expr->column.count, 3);
    cr_assert_eq(s->from_count, 1);
    tn_sql_table_ref *r = s->from[0];
    cr_assert_eq(r->kind, TN_SQL_TABLE_NAME);
    cr_expect_eq(r->name.count, 2);
    cr_expect_str_eq(r->name.parts[0].name, "myschema");
    cr_expect_str_eq(r->name.parts[1].name, "MyTable");
    cr_expect_str_eq(r->alias.name.name, "alias");
    cr_expect_eq(r->node.type, TN_SQL_NODE_TABLE_REF);
}

Test(sql_tree, positions)
{
    tn_sql_stmt *st = stmt_of("\n  SELECT a +\n    b AS \"x\"\n  FROM t1 JOIN t2 ON TRUE");
    cr_expect_eq(st->node.pos.line, 2);
    cr_expect_eq(st->node.pos.column, 3);
    cr_expect_eq(st->node.pos.offset, 3);
    tn_sql_select *s = &st->query->select;
    tn_sql_expr *plus = s->items[0].expr;
    cr_assert_eq(plus->kind, TN_SQL_EXPR_BINARY);
    cr_expect_eq(plus->node.pos.line, 2, "an operator node sits at its operator");
    cr_expect_eq(plus->node.pos.column, 12);
    cr_expect_eq(plus->binary.left->node.pos.column, 10);
    cr_expect_eq(plus->binary.right->node.pos.line, 3);
    cr_expect_eq(plus->binary.right->node.pos.column, 5);
    cr_expect_eq(s->items[0].alias.pos.line, 3);
    cr_expect_eq(s->items[0].alias.pos.column, 10);
    tn_sql_table_ref *j = s->from[0];
    cr_assert_eq(j->kind, TN_SQL_TABLE_JOIN);
    cr_expect_eq(j->node.pos.line, 4);
    cr_expect_eq(j->node.pos.column, 11, "a join sits at its JOIN keyword");
    cr_expect_eq(j->join.left->node.pos.column, 8);
    cr_expect_eq(j->join.right->node.pos.column, 16);
    cr_expect_eq(j->join.right->name.parts[0].pos.column, 16);
    /* The statement's text is kept, without the surrounding space. */
    cr_expect_eq(st->text.len, strlen("SELECT a +\n    b AS \"x\"\n  FROM t1 JOIN t2 ON TRUE"));
}

Test(sql_tree, precedence_shapes)
{
    tn_sql_expr *e = expr_of("a OR b AND c OR d");
    cr_assert_eq(e->kind, TN_SQL_EXPR_OR);
    cr_assert_eq(e->logical.operands.count, 3, "OR chains are flattened");
    cr_expect_eq(e->logical.operands.items[1]->kind, TN_SQL_EXPR_AND);
    cr_expect_eq(e->node.height, 3);

    e = expr_of("NOT a = b");
    cr_assert_eq(e->kind, TN_SQL_EXPR_UNARY);
    cr_expect_eq(e->unary.op, TN_SQL_OP_NOT);
    cr_expect_eq(e->unary.operand->kind, TN_SQL_EXPR_BINARY);
    cr_expect_eq(e->unary.operand->binary.op, TN_SQL_OP_EQ);

    e = expr_of("-x::int");
    cr_assert_eq(e->kind, TN_SQL_EXPR_UNARY);
    cr_expect_eq(e->unary.op, TN_SQL_OP_NEGATE);
    cr_expect_eq(e->unary.operand->kind, TN_SQL_EXPR_CAST);

    e = expr_of("a BETWEEN b AND c AND d");
    cr_assert_eq(e->kind, TN_SQL_EXPR_AND);
    cr_expect_eq(e->logical.operands.items[0]->kind, TN_SQL_EXPR_BETWEEN);

    e = expr_of("x NOT BETWEEN 1 AND 2");
    cr_assert_eq(e->kind, TN_SQL_EXPR_BETWEEN);
    cr_expect(e->between.negated);

    e = expr_of("a IS NOT DISTINCT FROM b");
    cr_assert_eq(e->kind, TN_SQL_EXPR_BINARY);
    cr_expect_eq(e->binary.op, TN_SQL_OP_IS_NOT_DISTINCT_FROM);

    e = expr_of("a IS NOT NULL");
    cr_assert_eq(e->kind, TN_SQL_EXPR_IS);
    cr_expect_eq(e->is.test, TN_SQL_IS_NULL);
    cr_expect(e->is.negated);

    e = expr_of("s NOT ILIKE 'a%' ESCAPE '#'");
    cr_assert_eq(e->kind, TN_SQL_EXPR_LIKE);
    cr_expect(e->like.negated);
    cr_expect(e->like.case_insensitive);
    cr_expect_not_null(e->like.escape);

    e = expr_of("x NOT IN (1, 2)");
    cr_assert_eq(e->kind, TN_SQL_EXPR_IN_LIST);
    cr_expect(e->in_list.negated);
    cr_expect_eq(e->in_list.list.count, 2);

    e = expr_of("x IN (SELECT 1)");
    cr_assert_eq(e->kind, TN_SQL_EXPR_IN_QUERY);
    cr_expect_eq(e->node.height, 3, "IN -> query -> literal: heights add up");

    e = expr_of("x < ALL (SELECT 1)");
    cr_assert_eq(e->kind, TN_SQL_EXPR_QUANTIFIED);
    cr_expect(e->quantified.all);
    cr_expect_eq(e->quantified.op, TN_SQL_OP_LT);

    e = expr_of("7 // 2");
    cr_expect_eq(e->binary.op, TN_SQL_OP_INTDIV);
    e = expr_of("a || b");
    cr_expect_eq(e->binary.op, TN_SQL_OP_CONCAT);
    cr_expect_str_eq(tn_sql_binary_op_name(TN_SQL_OP_CONCAT), "||");
    cr_expect_str_eq(tn_sql_binary_op_name(TN_SQL_OP_IS_DISTINCT_FROM), "IS DISTINCT FROM");
}

Test(sql_tree, parameters)
{
    tn_sql_select *s = select_of("SELECT ?, $7, ?");
    cr_expect_eq(s->items[0].expr->kind, TN_SQL_EXPR_PARAM);
    cr_expect_eq(s->items[0].expr->param.index, 1);
    cr_expect(s->items[0].expr->param.question_mark);
    cr_expect_eq(s->items[1].expr->param.index, 7);
    cr_expect_not(s->items[1].expr->param.question_mark);
    cr_expect_eq(s->items[2].expr->param.index, 2);

    /* ? numbering starts again in each statement. */
    tn_sql_stmt_list list;
    tn_error err = {0};
    const char *sql = "SELECT ?; SELECT ?, ?";
    cr_assert_eq(tn_sql_parse(&test_arena, sql, strlen(sql), &list, &err), 0);
    cr_assert_eq(list.count, 2);
    cr_expect_eq(list.items[1]->query->select.items[0].expr->param.index, 1);
    cr_expect_eq(list.items[1]->query->select.items[1].expr->param.index, 2);
}

Test(sql_tree, casts_and_type_names)
{
    tn_sql_expr *e = expr_of("CAST(x AS DECIMAL(10, 2))");
    cr_assert_eq(e->kind, TN_SQL_EXPR_CAST);
    cr_expect_eq(e->cast.form, TN_SQL_CAST_FUNCTION);
    cr_expect_eq(e->cast.type.type.id, TN_TYPE_DECIMAL);
    cr_expect_eq(e->cast.type.type.precision, 10);
    cr_expect_eq(e->cast.type.type.scale, 2);
    cr_expect_eq(e->cast.type.arg_count, 2);
    cr_expect_eq(e->cast.type.args[0], 10);
    cr_expect_eq(e->cast.type.args[1], 2);
    cr_expect_str_eq(e->cast.type.text, "DECIMAL(10,2)");

    static const struct {
        const char *sql;
        tn_type_id id;
        const char *text;
    } types[] = {
        {"x::int", TN_TYPE_INTEGER, "int"},
        {"x::BIGINT", TN_TYPE_BIGINT, "BIGINT"},
        {"x::double precision", TN_TYPE_DOUBLE, "double precision"},
        {"x::DOUBLE", TN_TYPE_DOUBLE, "DOUBLE"},
        {"x::real", TN_TYPE_REAL, "real"},
        {"x::VARCHAR(20)", TN_TYPE_VARCHAR, "VARCHAR(20)"},
        {"x::character varying(5)", TN_TYPE_VARCHAR, "character varying(5)"},
        {"x::text", TN_TYPE_VARCHAR, "text"},
        {"x::boolean", TN_TYPE_BOOLEAN, "boolean"},
        {"x::date", TN_TYPE_DATE, "date"},
        {"x::timestamp", TN_TYPE_TIMESTAMP, "timestamp"},
        {"x::TIMESTAMP WITH TIME ZONE", TN_TYPE_TIMESTAMPTZ, "TIMESTAMP WITH TIME ZONE"},
        {"x::timestamp without time zone", TN_TYPE_TIMESTAMP, "timestamp without time zone"},
        {"x::timestamptz", TN_TYPE_TIMESTAMPTZ, "timestamptz"},
        {"x::blob", TN_TYPE_BLOB, "blob"},
        {"x::numeric", TN_TYPE_DECIMAL, "numeric"},
        {"x::SMALLINT", TN_TYPE_INVALID, "SMALLINT"},
        {"x::interval", TN_TYPE_INVALID, "interval"},
        {"x::INTEGER[]", TN_TYPE_INVALID, "INTEGER[]"},
        {"x::DECIMAL(50, 2)", TN_TYPE_INVALID, "DECIMAL(50,2)"},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        e = expr_of(types[i].sql);
        cr_assert_eq(e->kind, TN_SQL_EXPR_CAST, "%s", types[i].sql);
        cr_expect_eq(e->cast.form, TN_SQL_CAST_OPERATOR);
        cr_expect_eq(e->cast.type.type.id, types[i].id, "%s: type id %d", types[i].sql,
                     e->cast.type.type.id);
        cr_expect_str_eq(e->cast.type.text, types[i].text);
    }
    e = expr_of("x::INTEGER[]");
    cr_expect(e->cast.type.array);

    e = expr_of("TRY_CAST(x AS INT)");
    cr_expect_eq(e->cast.form, TN_SQL_CAST_TRY);
    e = expr_of("DATE '2024-01-31'");
    cr_assert_eq(e->kind, TN_SQL_EXPR_CAST);
    cr_expect_eq(e->cast.form, TN_SQL_CAST_LITERAL);
    cr_expect_eq(e->cast.type.type.id, TN_TYPE_DATE);
    cr_expect_eq(e->cast.operand->literal.kind, TN_SQL_LIT_STRING);
    e = expr_of("TIMESTAMP WITH TIME ZONE '2024-01-31 00:00+01'");
    cr_expect_eq(e->cast.type.type.id, TN_TYPE_TIMESTAMPTZ);
    e = expr_of("TIMESTAMPTZ '2024-01-31 00:00+01'");
    cr_expect_eq(e->cast.type.type.id, TN_TYPE_TIMESTAMPTZ);
}

Test(sql_tree, calls_and_windows)
{
    tn_sql_expr *e = expr_of("count(*)");
    cr_assert_eq(e->kind, TN_SQL_EXPR_FUNCTION);
    cr_expect(e->call.star);
    cr_expect_eq(e->call.args.count, 0);

    e = expr_of("COUNT(DISTINCT x) FILTER (WHERE x > 0)");
    cr_expect_str_eq(e->call.name.parts[0].name, "count");
    cr_expect(e->call.distinct);
    cr_expect_eq(e->call.args.count, 1);
    cr_expect_not_null(e->call.filter);
    cr_expect_null(e->call.arg_names);

    e = expr_of("string_agg(s, ',' ORDER BY t DESC)");
    cr_expect_eq(e->call.order_by.count, 1);
    cr_expect_eq(e->call.order_by.items[0].dir, TN_SQL_SORT_DESC);

    e = expr_of("sum(x) OVER (PARTITION BY a, b ORDER BY c NULLS FIRST "
                "ROWS BETWEEN 3 PRECEDING AND UNBOUNDED FOLLOWING)");
    tn_sql_window *w = e->call.over;
    cr_assert_not_null(w);
    cr_expect_null(w->ref_name);
    cr_expect_eq(w->partition_by.count, 2);
    cr_expect_eq(w->order_by.count, 1);
    cr_expect_eq(w->order_by.items[0].nulls, TN_SQL_NULLS_FIRST);
    cr_expect_eq(w->frame_mode, TN_SQL_FRAME_ROWS);
    cr_expect(w->frame_between);
    cr_expect_eq(w->frame_start.kind, TN_SQL_BOUND_PRECEDING);
    cr_expect_eq(w->frame_start.offset->literal.integer, 3);
    cr_expect_eq(w->frame_end.kind, TN_SQL_BOUND_UNBOUNDED_FOLLOWING);

    e = expr_of("rank() OVER w");
    cr_expect_str_eq(e->call.over->ref_name, "w");
    cr_expect(e->call.over->bare_ref);
    cr_expect_eq(e->call.over->frame_mode, TN_SQL_FRAME_DEFAULT);

    e = expr_of("rank() OVER (w ORDER BY x)");
    cr_expect_str_eq(e->call.over->ref_name, "w");
    cr_expect(!e->call.over->bare_ref);
    cr_expect_eq(e->call.over->order_by.count, 1);

    e = expr_of("f(a => 1, 2, \"B\" := 3)");
    cr_assert_not_null(e->call.arg_names);
    cr_expect_str_eq(e->call.arg_names[0], "a");
    cr_expect_null(e->call.arg_names[1]);
    cr_expect_str_eq(e->call.arg_names[2], "B");

    e = expr_of("pg_catalog.lower(x)");
    cr_expect_eq(e->call.name.count, 2);

    e = expr_of("current_date");
    cr_expect(e->call.no_parens);
    cr_expect_str_eq(e->call.name.parts[0].name, "current_date");

    /* The SQL-standard forms are plain calls. */
    e = expr_of("EXTRACT(YEAR FROM d)");
    cr_expect_str_eq(e->call.name.parts[0].name, "date_part");
    cr_assert_eq(e->call.args.count, 2);
    cr_expect_str_eq(e->call.args.items[0]->literal.text.ptr, "year");
    e = expr_of("SUBSTRING(s FOR 3)");
    cr_expect_str_eq(e->call.name.parts[0].name, "substring");
    cr_assert_eq(e->call.args.count, 3);
    cr_expect_eq(e->call.args.items[1]->literal.integer, 1);
    e = expr_of("POSITION('x' IN s)");
    cr_expect_str_eq(e->call.name.parts[0].name, "position");
    cr_expect_eq(e->call.args.items[0]->kind, TN_SQL_EXPR_LITERAL);
    e = expr_of("TRIM(TRAILING 'x' FROM s)");
    cr_expect_str_eq(e->call.name.parts[0].name, "rtrim");
    cr_expect_eq(e->call.args.items[0]->kind, TN_SQL_EXPR_COLUMN);
    e = expr_of("left(s, 1)");
    cr_expect_str_eq(e->call.name.parts[0].name, "left");
}

Test(sql_tree, case_interval_subqueries)
{
    tn_sql_expr *e = expr_of("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END");
    cr_assert_eq(e->kind, TN_SQL_EXPR_CASE);
    cr_expect_not_null(e->case_expr.operand);
    cr_expect_eq(e->case_expr.when_count, 2);
    cr_expect_null(e->case_expr.else_result);
    e = expr_of("CASE WHEN a THEN 1 ELSE 2 END");
    cr_expect_null(e->case_expr.operand);
    cr_expect_not_null(e->case_expr.else_result);

    e = expr_of("INTERVAL '1 day'");
    cr_assert_eq(e->kind, TN_SQL_EXPR_INTERVAL);
    cr_expect_eq(e->interval.unit, TN_SQL_UNIT_NONE);
    cr_expect_eq(e->interval.value->literal.kind, TN_SQL_LIT_STRING);
    e = expr_of("INTERVAL 3 DAYS");
    cr_expect_eq(e->interval.unit, TN_SQL_UNIT_DAY);
    cr_expect_eq(e->interval.value->literal.integer, 3);
    e = expr_of("INTERVAL '2' hour");
    cr_expect_eq(e->interval.unit, TN_SQL_UNIT_HOUR);
    cr_expect_str_eq(tn_sql_interval_unit_name(TN_SQL_UNIT_HOUR), "hour");

    e = expr_of("EXISTS (SELECT 1)");
    cr_expect_eq(e->kind, TN_SQL_EXPR_EXISTS);
    e = expr_of("(SELECT 1)");
    cr_expect_eq(e->kind, TN_SQL_EXPR_SUBQUERY);
    cr_expect_eq(e->subquery.query->kind, TN_SQL_QUERY_SELECT);
}

Test(sql_tree, from_items_and_joins)
{
    tn_sql_select *s =
        select_of("SELECT * FROM a LEFT JOIN b USING (k, l) NATURAL FULL JOIN c CROSS JOIN d, "
                  "read_csv('x.csv', header = true, delim => ';') AS r(x, y), 'dumps/*.csv' f, "
                  "(SELECT 1) q");
    cr_assert_eq(s->from_count, 4);
    tn_sql_table_ref *cross = s->from[0];
    cr_assert_eq(cross->kind, TN_SQL_TABLE_JOIN);
    cr_expect_eq(cross->join.type, TN_SQL_JOIN_CROSS);
    tn_sql_table_ref *full = cross->join.left;
    cr_expect_eq(full->join.type, TN_SQL_JOIN_FULL);
    cr_expect(full->join.natural);
    tn_sql_table_ref *left = full->join.left;
    cr_expect_eq(left->join.type, TN_SQL_JOIN_LEFT);
    cr_expect_eq(left->join.using.count, 2);
    cr_expect_str_eq(left->join.using.items[1].name, "l");
    cr_expect_null(left->join.on);

    tn_sql_table_ref *fn = s->from[1];
    cr_assert_eq(fn->kind, TN_SQL_TABLE_FUNCTION);
    cr_expect_str_eq(fn->function->call.name.parts[0].name, "read_csv");
    cr_assert_not_null(fn->function->call.arg_names);
    cr_expect_null(fn->function->call.arg_names[0]);
    cr_expect_str_eq(fn->function->call.arg_names[1], "header");
    cr_expect_str_eq(fn->function->call.arg_names[2], "delim");
    cr_expect_eq(fn->alias.columns.count, 2);

    tn_sql_table_ref *file = s->from[2];
    cr_assert_eq(file->kind, TN_SQL_TABLE_FILE);
    cr_expect_eq(file->path.len, strlen("dumps/*.csv"));
    cr_expect_str_eq(file->alias.name.name, "f");

    cr_expect_eq(s->from[3]->kind, TN_SQL_TABLE_SUBQUERY);
    cr_expect_str_eq(s->from[3]->alias.name.name, "q");
}

Test(sql_tree, set_operations)
{
    tn_sql_stmt *st = stmt_of("SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3 ORDER BY 1 LIMIT 4");
    tn_sql_query *q = st->query;
    cr_assert_eq(q->kind, TN_SQL_QUERY_SET_OP);
    cr_expect_eq(q->set_op.op, TN_SQL_SET_UNION);
    cr_expect(q->set_op.all);
    cr_expect_eq(q->set_op.left->kind, TN_SQL_QUERY_SELECT);
    cr_assert_eq(q->set_op.right->kind, TN_SQL_QUERY_SET_OP, "INTERSECT binds tighter");
    cr_expect_eq(q->set_op.right->set_op.op, TN_SQL_SET_INTERSECT);
    cr_expect_not(q->set_op.right->set_op.all);
    cr_expect_eq(q->order_by.count, 1, "ORDER BY applies to the whole set operation");
    cr_expect_not_null(q->limit);
    cr_expect_eq(q->set_op.right->order_by.count, 0);

    st = stmt_of("(SELECT 1 LIMIT 1) EXCEPT (SELECT 2 ORDER BY 1)");
    q = st->query;
    cr_expect_eq(q->set_op.op, TN_SQL_SET_EXCEPT);
    cr_expect_not_null(q->set_op.left->limit, "a parenthesised operand keeps its LIMIT");
    cr_expect_eq(q->set_op.right->order_by.count, 1);
    cr_expect_null(q->limit);

    st = stmt_of("VALUES (1, 2), (3, 4)");
    cr_assert_eq(st->query->kind, TN_SQL_QUERY_VALUES);
    cr_expect_eq(st->query->values.row_count, 2);
    cr_expect_eq(st->query->values.rows[1].count, 2);
}

Test(sql_tree, select_clauses)
{
    tn_sql_stmt *st = stmt_of(
        "WITH RECURSIVE r(n) AS (SELECT 1), s AS (SELECT 2) "
        "SELECT DISTINCT a AS x, b y, * FROM t WHERE a > 0 GROUP BY ALL HAVING count(*) > 1 "
        "QUALIFY rank() OVER (ORDER BY a) = 1 ORDER BY 1 DESC NULLS LAST LIMIT 5 OFFSET 10");
    tn_sql_query *q = st->query;
    cr_assert_not_null(q->with);
    cr_expect(q->with->recursive);
    cr_expect_eq(q->with->count, 2);
    cr_expect_str_eq(q->with->ctes[0].name.name, "r");
    cr_expect_eq(q->with->ctes[0].columns.count, 1);
    tn_sql_select *s = &q->select;
    cr_expect(s->distinct);
    cr_expect_eq(s->item_count, 3);
    cr_expect_str_eq(s->items[0].alias.name, "x");
    cr_expect_str_eq(s->items[1].alias.name, "y");
    cr_expect_eq(s->items[2].expr->kind, TN_SQL_EXPR_STAR);
    cr_expect_eq(s->items[2].expr->star.qualifier.count, 0);
    cr_expect_null(s->items[2].alias.name);
    cr_expect_not_null(s->where);
    cr_expect(s->group_by_all);
    cr_expect_eq(s->group_by.count, 0);
    cr_expect_not_null(s->having);
    cr_expect_not_null(s->qualify);
    cr_expect_eq(q->order_by.items[0].dir, TN_SQL_SORT_DESC);
    cr_expect_eq(q->order_by.items[0].nulls, TN_SQL_NULLS_LAST);
    cr_expect_eq(q->limit->literal.integer, 5);
    cr_expect_eq(q->offset->literal.integer, 10);

    s = select_of("SELECT a FROM t GROUP BY 1, b + 1");
    cr_expect_eq(s->group_by.count, 2);
    cr_expect_eq(s->group_by.items[0]->literal.integer, 1);
    s = select_of("SELECT DISTINCT ON (a) a, b FROM t");
    cr_expect(s->distinct);
    cr_expect_eq(s->distinct_on.count, 1);
    s = select_of("SELECT t.* FROM t");
    cr_expect_eq(s->items[0].expr->kind, TN_SQL_EXPR_STAR);
    cr_expect_str_eq(s->items[0].expr->star.qualifier.parts[0].name, "t");
    s = select_of("SELECT 1");
    cr_expect_eq(s->from_count, 0);

    st = stmt_of("SELECT 1 FETCH FIRST 7 ROWS ONLY");
    cr_expect_eq(st->query->limit->literal.integer, 7);
}

Test(sql_tree, create_table)
{
    tn_sql_stmt *st = stmt_of(
        "CREATE TABLE IF NOT EXISTS s.t (id BIGINT NOT NULL PRIMARY KEY, amount DECIMAL(18,2) "
        "DEFAULT 0, note VARCHAR UNIQUE, ts TIMESTAMPTZ) PARTITIONED BY (day(ts), bucket(8, id))");
    cr_assert_eq(st->kind, TN_SQL_STMT_CREATE_TABLE);
    cr_expect_str_eq(tn_sql_stmt_kind_name(st->kind), "CREATE TABLE");
    cr_expect(st->create_table.if_not_exists);
    cr_expect_not(st->create_table.or_replace);
    cr_expect_eq(st->create_table.name.count, 2);
    cr_assert_eq(st->create_table.column_count, 4);
    tn_sql_column_def *c = st->create_table.columns;
    cr_expect_str_eq(c[0].name.name, "id");
    cr_expect_eq(c[0].type.type.id, TN_TYPE_BIGINT);
    cr_expect(c[0].not_null);
    cr_expect(c[0].primary_key);
    cr_expect_eq(c[1].type.type.id, TN_TYPE_DECIMAL);
    cr_expect_eq(c[1].type.type.precision, 18);
    cr_expect_not_null(c[1].default_value);
    cr_expect_not(c[1].not_null);
    cr_expect(c[2].unique);
    cr_expect_eq(c[3].type.type.id, TN_TYPE_TIMESTAMPTZ);
    cr_expect_eq(st->create_table.partition_by.count, 2);
    cr_expect_str_eq(st->create_table.partition_by.items[0]->call.name.parts[0].name, "day");
    cr_expect_null(st->create_table.as_query);

    st = stmt_of("CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b))");
    cr_expect_eq(st->create_table.primary_key.count, 2);

    st = stmt_of("CREATE OR REPLACE TABLE t PARTITIONED BY (month(d)) AS SELECT * FROM 'x.csv'");
    cr_expect(st->create_table.or_replace);
    cr_expect_eq(st->create_table.column_count, 0);
    cr_expect_eq(st->create_table.partition_by.count, 1);
    cr_assert_not_null(st->create_table.as_query);
    cr_expect_eq(st->create_table.as_query->select.from[0]->kind, TN_SQL_TABLE_FILE);
}

Test(sql_tree, other_statements)
{
    tn_sql_stmt *st = stmt_of("INSERT INTO s.t (a, b) VALUES (1, 2), (3, 4)");
    cr_assert_eq(st->kind, TN_SQL_STMT_INSERT);
    cr_expect_eq(st->insert.table.count, 2);
    cr_expect_eq(st->insert.columns.count, 2);
    cr_expect_eq(st->insert.query->kind, TN_SQL_QUERY_VALUES);
    st = stmt_of("INSERT INTO t SELECT * FROM u");
    cr_expect_eq(st->insert.columns.count, 0);
    cr_expect_eq(st->insert.query->kind, TN_SQL_QUERY_SELECT);

    st = stmt_of("DROP TABLE IF EXISTS t");
    cr_assert_eq(st->kind, TN_SQL_STMT_DROP);
    cr_expect_eq(st->drop.object, TN_SQL_OBJECT_TABLE);
    cr_expect(st->drop.if_exists);
    st = stmt_of("DROP VIEW v");
    cr_expect_eq(st->drop.object, TN_SQL_OBJECT_VIEW);
    cr_expect_not(st->drop.if_exists);

    st = stmt_of("TRUNCATE TABLE t");
    cr_expect_eq(st->kind, TN_SQL_STMT_TRUNCATE);
    cr_expect_str_eq(st->truncate.table.parts[0].name, "t");

    st = stmt_of("CREATE OR REPLACE VIEW v (a) AS  SELECT x FROM t  ");
    cr_assert_eq(st->kind, TN_SQL_STMT_CREATE_VIEW);
    cr_expect(st->create_view.or_replace);
    cr_expect_eq(st->create_view.columns.count, 1);
    cr_expect_eq(st->create_view.query_text.len, strlen("SELECT x FROM t"));
    cr_expect_eq(memcmp(st->create_view.query_text.ptr, "SELECT x FROM t", 15), 0);

    st = stmt_of("CREATE UNIQUE INDEX idx ON t (a, b DESC)");
    cr_assert_eq(st->kind, TN_SQL_STMT_CREATE_INDEX);
    cr_expect(st->create_index.unique);
    cr_expect_str_eq(st->create_index.name.name, "idx");
    cr_expect_eq(st->create_index.columns.count, 2);

    st = stmt_of("EXPLAIN ANALYZE SELECT 1");
    cr_assert_eq(st->kind, TN_SQL_STMT_EXPLAIN);
    cr_expect(st->explain.analyze);
    cr_expect_eq(st->explain.stmt->kind, TN_SQL_STMT_QUERY);
    cr_expect_eq(st->node.height, st->explain.stmt->node.height + 1);

    st = stmt_of("SET threads TO 8");
    cr_assert_eq(st->kind, TN_SQL_STMT_SET);
    cr_expect_str_eq(st->set.name.parts[0].name, "threads");
    cr_expect_eq(st->set.value->literal.integer, 8);
    st = stmt_of("SET x = DEFAULT");
    cr_expect_null(st->set.value);
    st = stmt_of("SET search_path = main");
    cr_expect_eq(st->set.value->kind, TN_SQL_EXPR_COLUMN, "a bare word is a COLUMN");

    st = stmt_of("SHOW TABLES");
    cr_expect_eq(st->kind, TN_SQL_STMT_SHOW_TABLES);
    st = stmt_of("show Threads");
    cr_assert_eq(st->kind, TN_SQL_STMT_SHOW);
    cr_expect_str_eq(st->show.name.parts[0].name, "threads");
    st = stmt_of("DESCRIBE s.t");
    cr_assert_eq(st->kind, TN_SQL_STMT_DESCRIBE);
    cr_expect_eq(st->describe.table.count, 2);
}

Test(sql_tree, statement_lists)
{
    tn_sql_stmt_list list;
    tn_error err = {0};
    const char *sql = " ;; SELECT 1 ; -- note\n INSERT INTO t VALUES (1);\n/* c */ SHOW TABLES";
    cr_assert_eq(tn_sql_parse(&test_arena, sql, strlen(sql), &list, &err), 0, "%s", err.message);
    cr_assert_eq(list.count, 3);
    cr_expect_eq(list.items[0]->kind, TN_SQL_STMT_QUERY);
    cr_expect_eq(list.items[1]->kind, TN_SQL_STMT_INSERT);
    cr_expect_eq(list.items[2]->kind, TN_SQL_STMT_SHOW_TABLES);
    cr_expect_eq(list.items[0]->text.len, 8);
    cr_expect_eq(memcmp(list.items[0]->text.ptr, "SELECT 1", 8), 0);
    cr_expect_eq(memcmp(list.items[1]->text.ptr, "INSERT INTO t VALUES (1)", 24), 0);
    cr_expect_eq(list.items[2]->node.pos.line, 3);

    static const char *const empty[] = {"", "   ", ";", " ; ; ", "-- only a comment", "/* */"};
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
        cr_assert_eq(tn_sql_parse(&test_arena, empty[i], strlen(empty[i]), &list, &err), 0);
        cr_expect_eq(list.count, 0, "no statements in \"%s\"", empty[i]);
    }
    cr_assert_eq(tn_sql_parse(&test_arena, NULL, 0, &list, &err), 0, "NULL text is empty");
    cr_expect_eq(list.count, 0);

    /* The text need not be NUL-terminated: only len bytes are read. */
    char buf[] = {'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', '+'};
    cr_assert_eq(tn_sql_parse(&test_arena, buf, 8, &list, &err), 0);
    cr_expect_eq(list.count, 1);
}

Test(sql_tree, kind_names)
{
    static const struct {
        tn_sql_stmt_kind kind;
        const char *name;
    } names[] = {
        {TN_SQL_STMT_QUERY, "SELECT"},
        {TN_SQL_STMT_CREATE_TABLE, "CREATE TABLE"},
        {TN_SQL_STMT_CREATE_VIEW, "CREATE VIEW"},
        {TN_SQL_STMT_CREATE_INDEX, "CREATE INDEX"},
        {TN_SQL_STMT_INSERT, "INSERT"},
        {TN_SQL_STMT_DROP, "DROP"},
        {TN_SQL_STMT_TRUNCATE, "TRUNCATE"},
        {TN_SQL_STMT_EXPLAIN, "EXPLAIN"},
        {TN_SQL_STMT_SET, "SET"},
        {TN_SQL_STMT_SHOW_TABLES, "SHOW TABLES"},
        {TN_SQL_STMT_SHOW, "SHOW"},
        {TN_SQL_STMT_DESCRIBE, "DESCRIBE"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        cr_expect_str_eq(tn_sql_stmt_kind_name(names[i].kind), names[i].name);
    cr_expect_str_eq(tn_sql_stmt_kind_name(TN_SQL_STMT_KIND_COUNT), "UNKNOWN");
    cr_expect_str_eq(tn_sql_binary_op_name(TN_SQL_OP_BINARY_COUNT), "?");
}

Test(sql_tree, format_any_node)
{
    tn_sql_select *s = select_of("SELECT a + 1 FROM t AS x JOIN u ON TRUE");
    char *text = sql_print(&s->items[0].expr->node);
    cr_expect_str_eq(text, "(a + 1)");
    free(text);
    text = sql_print(&s->from[0]->node);
    cr_expect_str_eq(text, "t AS x JOIN u ON TRUE");
    free(text);
    tn_buf buf = TN_BUF_INIT;
    cr_expect_eq(tn_sql_ast_format(NULL, &buf), 0);
    cr_expect_eq(buf.len, 0);
}
