// SPDX-License-Identifier: Apache-2.0
//
// Differential test of the SQL engine: the same queries on tarn (`tarn sql -c ... --format
// json`) and on DuckDB give the same results.
//
// The data: two small tables with NULLs, empty strings, negative and extreme numbers, exact
// decimals, dates and timestamps at boundaries and unicode text, written by DuckDB as Parquet,
// CSV, NDJSON and a folder of CSV parts. Both engines read the same files: a query names them
// with placeholders ({p} = people.parquet, {o} = orders.parquet, {pc} = people.csv, {oc} =
// orders.csv, {oj} = orders.ndjson, {parts} = a glob), which become quoted paths.
//
// Comparison: rows in order when the query ends with an ORDER BY (every such ORDER BY here is
// total), as multisets otherwise. Values are normalised: NULL, booleans, integers exactly (as
// big integers), other numbers with a relative tolerance of 1e-9, text byte for byte. A query
// marked `error` must fail on both engines.
//
// Where DuckDB differs from PostgreSQL by design, tarn follows PostgreSQL: those queries are in
// POSTGRES_SEMANTICS with the reason, and tarn's answer is checked against the PostgreSQL one.
// One deliberate exception: `/` of two integers is a DOUBLE in tarn as in DuckDB (`//` is
// integer division; see func_arith.c), so `SELECT id, age / 2` is compared with DuckDB.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import {
  tarnMissing, runTarn, describeRun, scratchDir, parseJsonExact, JsonNumber, duckdbMissing,
  duckdbConnect, sqlString,
} from './lib.mjs';

const skip = tarnMissing() || duckdbMissing();
const dir = scratchDir('sql');

// ---------------------------------------------------------------------------------------------
// Data

const PEOPLE = `
SELECT * FROM (VALUES
  (1,  'Ada',      36,   'Paris',  3.25,   1234.50,        DATE '1990-01-01', TIMESTAMP '2024-01-01 00:00:00',        10,                    true),
  (2,  'Bob',      NULL, 'paris',  -1.5,   -123.45,        DATE '1969-12-31', TIMESTAMP '1970-01-01 00:00:00',        -10,                   false),
  (3,  '',         0,    'Berlin', 0.0,    0.00,           DATE '2000-02-29', TIMESTAMP '2000-02-29 23:59:59.999999', 9223372036854775807,   NULL),
  (4,  NULL,       -5,   NULL,     NULL,   NULL,           NULL,              NULL,                                   NULL,                  true),
  (5,  'Zoë',      42,   'Berlin', 1e10,   9999999999.99,  DATE '9999-12-31', TIMESTAMP '2023-12-31 23:59:59',        -9223372036854775808,  false),
  (6,  '日本語',    42,   '',       2.5,    0.01,           DATE '1970-01-01', TIMESTAMP '2024-02-29 12:30:00',        0,                     true),
  (7,  '  pad  ',  2147483647, 'Oslo', 100.125, -0.01,     DATE '2024-02-29', TIMESTAMP '2024-03-01 00:00:00.5',      1000000000000000,      true),
  (8,  'O''Brien', 17,   'Oslo',   -0.25,  500.00,         DATE '1900-01-01', TIMESTAMP '1999-12-31 23:59:59',        7,                     NULL),
  (9,  'a%b_c',    17,   'Paris',  7.0,    77.70,          DATE '2024-12-31', TIMESTAMP '2024-12-31 23:59:59.123456', 7,                     false),
  (10, 'ada',      NULL, 'Rome',   NULL,   10.10,          DATE '2023-01-15', TIMESTAMP '2023-01-15 08:00:00',        -1,                    true)
) t(id, name, age, city, score, balance, born, seen, big, flag)`;

const PEOPLE_TYPED = `SELECT id::INTEGER AS id, name::VARCHAR AS name, age::INTEGER AS age, city::VARCHAR AS city,
  score::DOUBLE AS score, balance::DECIMAL(12,2) AS balance, born::DATE AS born, seen::TIMESTAMP AS seen,
  big::BIGINT AS big, flag::BOOLEAN AS flag FROM (${PEOPLE})`;

const ORDERS = `
SELECT * FROM (VALUES
  (100, 1,    19.99,  2,    'shipped',   DATE '2024-01-05'),
  (101, 1,    5.00,   1,    'pending',   DATE '2024-01-06'),
  (102, 2,    120.50, 10,   'shipped',   DATE '2024-02-29'),
  (103, 3,    0.00,   0,    'cancelled', DATE '2023-12-31'),
  (104, NULL, 42.42,  3,    'shipped',   NULL),
  (105, 5,    -10.00, -1,   'refund',    DATE '2024-03-01'),
  (106, 99,   7.77,   7,    NULL,        DATE '2024-01-05'),
  (107, 6,    1000.00, NULL, 'shipped',  DATE '2024-06-30'),
  (108, 6,    33.33,  3,    'pending',   DATE '2024-07-01'),
  (109, 9,    NULL,   5,    'shipped',   DATE '2024-12-31'),
  (110, 1,    19.99,  2,    'shipped',   DATE '2024-01-05')
) t(oid, pid, amount, qty, status, odate)`;

const ORDERS_TYPED = `SELECT oid::INTEGER AS oid, pid::INTEGER AS pid, amount::DECIMAL(10,2) AS amount,
  qty::INTEGER AS qty, status::VARCHAR AS status, odate::DATE AS odate FROM (${ORDERS})`;

const files = {
  p: path.join(dir, 'people.parquet'),
  o: path.join(dir, 'orders.parquet'),
  pc: path.join(dir, 'people.csv'),
  oc: path.join(dir, 'orders.csv'),
  oj: path.join(dir, 'orders.ndjson'),
  parts: path.join(dir, 'parts', 'orders_*.csv'),
};

async function writeData(db) {
  await db.run(`CREATE TABLE people AS ${PEOPLE_TYPED}`);
  await db.run(`CREATE TABLE orders AS ${ORDERS_TYPED}`);
  await db.run(`COPY people TO ${sqlString(files.p)} (FORMAT parquet)`);
  await db.run(`COPY orders TO ${sqlString(files.o)} (FORMAT parquet)`);
  await db.run(`COPY (SELECT id, name, age, city, balance, born FROM people) TO ${sqlString(files.pc)} (HEADER, DELIMITER ',')`);
  await db.run(`COPY orders TO ${sqlString(files.oc)} (HEADER, DELIMITER ',')`);
  await db.run(`COPY orders TO ${sqlString(files.oj)} (FORMAT json)`);
  fs.mkdirSync(path.join(dir, 'parts'), { recursive: true });
  await db.run(`COPY (SELECT * FROM orders WHERE oid < 105) TO ${sqlString(path.join(dir, 'parts', 'orders_1.csv'))} (HEADER)`);
  await db.run(`COPY (SELECT * FROM orders WHERE oid >= 105) TO ${sqlString(path.join(dir, 'parts', 'orders_2.csv'))} (HEADER)`);
}

// ---------------------------------------------------------------------------------------------
// Queries. A string is a query; {sql, error: true} must fail on both sides.

const Q = [
  // --- SELECT, DISTINCT, aliases, literals
  'SELECT * FROM {p}',
  'SELECT id, name AS who, age AS years FROM {p}',
  'SELECT DISTINCT city FROM {p}',
  'SELECT DISTINCT age, flag FROM {p}',
  'SELECT p.id, p.name FROM {p} AS p WHERE p.id < 4',
  'SELECT id + 1 AS next, -age AS neg FROM {p}',
  "SELECT 1 AS one, 'two' AS two, NULL IS NULL AS n, 2.50 AS dec",
  'SELECT count(*) FROM {p}',
  'SELECT * FROM {o} ORDER BY oid',
  'SELECT DISTINCT pid FROM {o} ORDER BY pid NULLS FIRST',
  // --- file sources
  'SELECT id, name, age FROM {pc} WHERE id <> 3',
  'SELECT count(*) AS n, sum(amount) AS s FROM {oc}',
  'SELECT oid, status FROM {oj} ORDER BY oid',
  'SELECT count(*) AS n, min(oid) AS lo, max(oid) AS hi FROM {parts}',
  'SELECT * FROM read_parquet({p}) WHERE id = 3',
  'SELECT oid, amount FROM read_csv({oc}, header = true) ORDER BY oid',
  "SELECT oid, status FROM read_csv({oc}, header = true, all_varchar = true) WHERE status = 'shipped'",
  'SELECT status, count(*) FROM read_ndjson({oj}) GROUP BY status',
  'SELECT sum(qty) FROM read_csv({parts}, header = true)',
  'SELECT p.name, o.amount FROM {pc} p JOIN {oj} o ON o.pid = p.id WHERE p.id <> 3',
  'SELECT city, count(*) FROM {pc} WHERE id <> 6 GROUP BY city',
  'SELECT born FROM {pc} WHERE born > DATE \'2000-01-01\'',
  // --- WHERE forms
  'SELECT id FROM {p} WHERE age > 10 AND city = \'Paris\'',
  'SELECT id FROM {p} WHERE age > 40 OR city = \'Oslo\'',
  'SELECT id FROM {p} WHERE NOT (age > 10)',
  'SELECT id FROM {p} WHERE NOT flag',
  'SELECT id FROM {p} WHERE age IS NULL',
  'SELECT id FROM {p} WHERE name IS NOT NULL AND city IS NOT NULL',
  'SELECT id FROM {p} WHERE age IN (17, 42, NULL)',
  'SELECT id FROM {p} WHERE age NOT IN (17, 42)',
  'SELECT id FROM {p} WHERE age NOT IN (17, NULL)',
  'SELECT id FROM {p} WHERE city IN (\'Paris\', \'Rome\')',
  'SELECT id FROM {p} WHERE age BETWEEN 0 AND 40',
  'SELECT id FROM {p} WHERE age NOT BETWEEN 0 AND 40',
  'SELECT id FROM {p} WHERE born BETWEEN DATE \'1970-01-01\' AND DATE \'2000-12-31\'',
  "SELECT id FROM {p} WHERE name LIKE 'A%'",
  "SELECT id FROM {p} WHERE name LIKE '%a'",
  "SELECT id FROM {p} WHERE name LIKE '_o%'",
  "SELECT id FROM {p} WHERE name ILIKE 'ada'",
  "SELECT id FROM {p} WHERE name NOT LIKE '%a%'",
  "SELECT id FROM {p} WHERE name LIKE 'a!%b!_c' ESCAPE '!'",
  "SELECT id FROM {p} WHERE name LIKE 'a#%%' ESCAPE '#'",
  "SELECT id FROM {p} WHERE name ILIKE '%Ë' ",
  "SELECT id FROM {p} WHERE name = ''",
  'SELECT id FROM {p} WHERE flag IS TRUE',
  'SELECT id FROM {p} WHERE flag IS NOT FALSE',
  'SELECT id FROM {p} WHERE flag IS UNKNOWN',
  'SELECT id FROM {p} WHERE age IS DISTINCT FROM 42',
  'SELECT id FROM {p} WHERE age IS NOT DISTINCT FROM NULL',
  'SELECT id FROM {p} WHERE score > 0 AND score < 1e11',
  'SELECT id FROM {p} WHERE balance >= 0.01',
  'SELECT id FROM {p} WHERE big > 0',
  'SELECT id FROM {p} WHERE big = 9223372036854775807',
  'SELECT id FROM {p} WHERE seen >= TIMESTAMP \'2024-01-01 00:00:00\'',
  // --- three-valued logic
  'SELECT id, age > 20 AND flag AS a, age > 20 OR flag AS o, NOT (age > 20) AS n FROM {p}',
  'SELECT id, NULL AND false AS x, NULL OR true AS y, NULL AND true AS z FROM {p} WHERE id = 1',
  'SELECT id FROM {p} WHERE (age > 20) IS NULL',
  'SELECT count(*) FROM {p} WHERE NOT (age = 42 OR flag)',
  // --- joins
  'SELECT p.id, o.oid FROM {p} p JOIN {o} o ON o.pid = p.id',
  'SELECT p.id, o.oid FROM {p} p INNER JOIN {o} o ON o.pid = p.id AND o.amount > 10',
  'SELECT p.id, o.oid FROM {p} p LEFT JOIN {o} o ON o.pid = p.id',
  'SELECT p.id, o.oid FROM {p} p LEFT OUTER JOIN {o} o ON o.pid = p.id AND o.status = \'shipped\'',
  'SELECT p.id, o.oid FROM {p} p RIGHT JOIN {o} o ON o.pid = p.id',
  'SELECT p.id, o.oid FROM {p} p FULL OUTER JOIN {o} o ON o.pid = p.id',
  'SELECT p.id, o.oid FROM {p} p CROSS JOIN {o} o WHERE p.id < 3 AND o.oid < 102',
  'SELECT p.id, o.oid FROM {p} p, {o} o WHERE p.id = o.pid AND o.qty > 2',
  'SELECT a.id, b.id AS id2 FROM {p} a JOIN {p} b ON a.age = b.age AND a.id < b.id',
  'SELECT a.id, b.id AS id2 FROM {p} a JOIN {p} b ON a.city = b.city AND a.id <> b.id',
  'SELECT * FROM (SELECT id AS pid, name FROM {p}) x JOIN {o} USING (pid)',
  'SELECT pid, name, oid FROM (SELECT id AS pid, name FROM {p}) x LEFT JOIN {o} USING (pid)',
  'SELECT * FROM (SELECT id AS pid, city FROM {p}) x NATURAL JOIN (SELECT pid, oid FROM {o}) y',
  'SELECT p.name, o.oid, q.oid AS oid2 FROM {p} p JOIN {o} o ON o.pid = p.id JOIN {o} q ON q.pid = p.id AND q.oid > o.oid',
  'SELECT p.id, o.oid, c.n FROM {p} p LEFT JOIN {o} o ON o.pid = p.id LEFT JOIN (SELECT city, count(*) n FROM {p} GROUP BY city) c ON c.city = p.city',
  'SELECT a.id, b.oid, c.id AS id2 FROM {p} a JOIN {o} b ON b.pid = a.id JOIN {p} c ON c.age = a.age',
  'SELECT p.id FROM {p} p LEFT JOIN {o} o ON o.pid = p.id WHERE o.oid IS NULL',
  'SELECT p.id, count(o.oid) AS n FROM {p} p LEFT JOIN {o} o ON o.pid = p.id GROUP BY p.id',
  'SELECT p.city, sum(o.amount) AS s FROM {p} p JOIN {o} o ON p.id = o.pid GROUP BY p.city',
  'SELECT a.id, b.id AS id2 FROM {p} a FULL JOIN {p} b ON a.age - 25 = b.age',
  // --- set operations
  'SELECT city FROM {p} UNION SELECT status FROM {o}',
  'SELECT city FROM {p} UNION ALL SELECT status FROM {o}',
  'SELECT age FROM {p} INTERSECT SELECT qty FROM {o}',
  'SELECT age FROM {p} EXCEPT SELECT qty FROM {o}',
  'SELECT pid FROM {o} INTERSECT ALL SELECT pid FROM {o} WHERE amount > 10',
  'SELECT pid FROM {o} EXCEPT ALL SELECT id FROM {p}',
  'SELECT id FROM {p} WHERE id < 3 UNION SELECT oid FROM {o} WHERE oid < 102 ORDER BY 1',
  '(SELECT id FROM {p} ORDER BY id LIMIT 2) UNION ALL (SELECT oid FROM {o} ORDER BY oid DESC LIMIT 2)',
  'SELECT 1 AS x UNION SELECT 2 UNION SELECT 1',
  'SELECT name FROM {p} EXCEPT SELECT name FROM {p} WHERE age > 20',
  // --- GROUP BY, HAVING, aggregates
  'SELECT city, count(*) FROM {p} GROUP BY city',
  'SELECT city, count(age) AS n, count(DISTINCT age) AS nd, sum(age) AS s, min(age) AS lo, max(age) AS hi FROM {p} GROUP BY city',
  'SELECT age % 2 AS parity, count(*) FROM {p} GROUP BY age % 2',
  'SELECT city, flag, count(*) FROM {p} GROUP BY 1, 2',
  'SELECT upper(city) AS c, count(*) FROM {p} GROUP BY upper(city)',
  'SELECT city, count(*) FROM {p} GROUP BY city HAVING count(*) > 1',
  'SELECT city FROM {p} GROUP BY city HAVING max(age) > 40 OR min(age) < 0',
  'SELECT status, sum(amount) AS s, avg(amount) AS a, min(amount) AS lo, max(amount) AS hi FROM {o} GROUP BY status',
  'SELECT status, sum(qty) FILTER (WHERE qty > 2) AS big, count(*) FILTER (WHERE amount > 20) AS n FROM {o} GROUP BY status',
  'SELECT count(*) FILTER (WHERE flag) AS a, count(DISTINCT city) FILTER (WHERE age > 0) AS b FROM {p}',
  'SELECT avg(age) AS a, avg(score) AS b, avg(balance) AS c FROM {p}',
  'SELECT sum(big) FROM {p} WHERE big BETWEEN -100 AND 100',
  'SELECT sum(balance) AS s, min(balance) AS lo, max(balance) AS hi FROM {p}',
  'SELECT min(name) AS a, max(name) AS b, min(born) AS c, max(born) AS d, min(seen) AS e, max(seen) AS f FROM {p}',
  'SELECT count(*) AS a, count(name) AS b, count(DISTINCT name) AS c, count(DISTINCT lower(name)) AS d FROM {p}',
  'SELECT sum(age) AS s, count(*) AS n FROM {p} WHERE age > 1000000000000',
  'SELECT max(age) FROM {p} WHERE false',
  'SELECT pid, count(*) c FROM {o} GROUP BY pid HAVING count(*) >= 2 ORDER BY pid',
  'SELECT extract(year FROM odate) y, sum(qty) FROM {o} GROUP BY 1',
  'SELECT flag, avg(score) FILTER (WHERE score > 0) FROM {p} GROUP BY flag',
  'SELECT count(DISTINCT pid) AS a, count(DISTINCT status) AS b FROM {o}',
  'SELECT city, sum(CASE WHEN flag THEN 1 ELSE 0 END) FROM {p} GROUP BY city',
  // --- ORDER BY, LIMIT, OFFSET
  'SELECT id, age FROM {p} ORDER BY age ASC NULLS FIRST, id',
  'SELECT id, age FROM {p} ORDER BY age DESC NULLS LAST, id',
  'SELECT id, age FROM {p} ORDER BY age NULLS LAST, id DESC',
  'SELECT id, name FROM {p} ORDER BY name NULLS FIRST, id',
  'SELECT id, score FROM {p} ORDER BY score DESC NULLS FIRST, id',
  'SELECT id, born FROM {p} ORDER BY born ASC NULLS LAST, id',
  'SELECT id FROM {p} ORDER BY id LIMIT 3',
  'SELECT id FROM {p} ORDER BY id LIMIT 3 OFFSET 2',
  'SELECT id FROM {p} ORDER BY id DESC OFFSET 8',
  'SELECT id FROM {p} ORDER BY id LIMIT 0',
  'SELECT id, city FROM {p} ORDER BY city NULLS LAST, 1 DESC',
  'SELECT city, count(*) AS n FROM {p} GROUP BY city ORDER BY n DESC, city NULLS FIRST',
  'SELECT id, age * 2 AS a2 FROM {p} WHERE age < 1000 OR age IS NULL ORDER BY a2 NULLS FIRST, id',
  'SELECT id FROM {p} ORDER BY big NULLS FIRST, id',
  'SELECT oid FROM {o} ORDER BY amount DESC NULLS LAST, oid LIMIT 4',
  // --- CTEs and derived tables
  'WITH a AS (SELECT * FROM {p} WHERE age > 10) SELECT id FROM a',
  'WITH a AS (SELECT pid, sum(amount) s FROM {o} GROUP BY pid), b AS (SELECT * FROM a WHERE s > 20) SELECT pid, s FROM b',
  'WITH a(x, y) AS (SELECT id, age FROM {p}) SELECT x FROM a WHERE y IS NULL',
  'WITH a AS (SELECT id FROM {p}) SELECT count(*) FROM a a1 JOIN a a2 ON a1.id < a2.id',
  'SELECT t.c, t.n FROM (SELECT city c, count(*) n FROM {p} GROUP BY city) t WHERE t.n > 1',
  'SELECT max(s) FROM (SELECT pid, sum(qty) s FROM {o} GROUP BY pid) x',
  // --- uncorrelated subqueries
  'SELECT id FROM {p} WHERE age = (SELECT max(age) FROM {p} WHERE age < 100)',
  'SELECT id, (SELECT count(*) FROM {o}) AS n FROM {p}',
  'SELECT id FROM {p} WHERE id IN (SELECT pid FROM {o})',
  'SELECT id FROM {p} WHERE id NOT IN (SELECT pid FROM {o})',
  'SELECT id FROM {p} WHERE id NOT IN (SELECT pid FROM {o} WHERE pid IS NOT NULL)',
  'SELECT id FROM {p} WHERE EXISTS (SELECT 1 FROM {o} WHERE amount > 500)',
  'SELECT id FROM {p} WHERE NOT EXISTS (SELECT 1 FROM {o} WHERE amount > 5000)',
  'SELECT (SELECT name FROM {p} WHERE id = 5)',
  'SELECT id, age IN (SELECT qty FROM {o}) FROM {p}',
  // --- correlated subqueries
  'SELECT id FROM {p} p WHERE EXISTS (SELECT 1 FROM {o} o WHERE o.pid = p.id)',
  'SELECT id FROM {p} p WHERE NOT EXISTS (SELECT 1 FROM {o} o WHERE o.pid = p.id)',
  'SELECT id FROM {p} p WHERE EXISTS (SELECT 1 FROM {o} o WHERE o.pid = p.id AND o.amount > 100)',
  'SELECT id FROM {p} p WHERE EXISTS (SELECT 1 FROM {o} o WHERE o.qty > p.age)',
  'SELECT id FROM {p} p WHERE NOT EXISTS (SELECT 1 FROM {o} o WHERE o.qty >= p.age AND o.pid = p.id)',
  'SELECT id FROM {p} p WHERE age IN (SELECT qty FROM {o} o WHERE o.pid <> p.id)',
  'SELECT id FROM {p} p WHERE age NOT IN (SELECT qty FROM {o} o WHERE o.pid = p.id)',
  'SELECT id FROM {p} p WHERE age NOT IN (SELECT qty FROM {o} o WHERE o.pid = p.id OR o.pid IS NULL)',
  'SELECT id, 2 IN (SELECT qty FROM {o} o WHERE o.pid = p.id) AS has2 FROM {p} p',
  'SELECT id, (SELECT count(*) FROM {o} o WHERE o.pid = p.id) AS n FROM {p} p',
  'SELECT id, (SELECT sum(amount) FROM {o} o WHERE o.pid = p.id) AS s FROM {p} p',
  'SELECT id, (SELECT count(qty) + 10 FROM {o} o WHERE o.pid = p.id AND o.status = \'shipped\') AS n FROM {p} p',
  'SELECT id, (SELECT max(oid) FROM {o} o WHERE o.qty < p.age) AS m FROM {p} p',
  'SELECT id, (SELECT oid FROM {o} o WHERE o.pid = p.id AND o.status = \'pending\') AS m FROM {p} p',
  'SELECT id FROM {p} p WHERE (SELECT count(*) FROM {o} o WHERE o.pid = p.id) = 0',
  'SELECT id FROM {p} p WHERE (SELECT sum(qty) FROM {o} o WHERE o.pid = p.id) > 2',
  'SELECT oid FROM {o} o WHERE amount > (SELECT avg(amount) FROM {o} o2 WHERE o2.status = o.status)',
  'SELECT oid FROM {o} o WHERE amount = (SELECT max(amount) FROM {o} o2 WHERE o2.pid = o.pid)',
  'SELECT p.id, o.oid FROM {p} p JOIN {o} o ON o.pid = p.id WHERE o.amount = (SELECT min(amount) FROM {o} o3 WHERE o3.pid = p.id)',
  'SELECT id FROM {p} p WHERE EXISTS (SELECT 1 FROM {o} o WHERE o.pid = p.id AND EXISTS (SELECT 1 FROM {p} q WHERE q.age = o.qty + p.age - p.age))',
  'SELECT id FROM {p} p WHERE id IN (SELECT pid FROM {o} o WHERE o.qty IN (SELECT qty FROM {o} o2 WHERE o2.pid = p.id AND o2.oid <> o.oid))',
  'SELECT id, (SELECT count(*) FROM {o} o WHERE o.pid IN (SELECT q.id FROM {p} q WHERE q.city = p.city)) AS n FROM {p} p',
  'SELECT city, (SELECT count(*) FROM {p} q WHERE q.city = p.city) AS n FROM {p} p GROUP BY city',
  'SELECT city, count(*) FROM {p} p GROUP BY city HAVING EXISTS (SELECT 1 FROM {o} o JOIN {p} q ON q.id = o.pid WHERE q.city = p.city)',
  'SELECT id, CASE WHEN EXISTS (SELECT 1 FROM {o} o WHERE o.pid = p.id) THEN \'buyer\' ELSE \'none\' END FROM {p} p',
  'SELECT id, COALESCE((SELECT max(amount) FROM {o} o WHERE o.pid = p.id), 0) FROM {p} p',
  'SELECT id FROM {p} p WHERE EXISTS (SELECT 1 FROM {o} o WHERE o.pid = p.id GROUP BY o.pid HAVING count(*) > 1)',
  'SELECT id FROM {p} p WHERE 1 < (SELECT count(DISTINCT status) FROM {o} o WHERE o.pid = p.id)',
  'SELECT id FROM {p} p WHERE age IN (SELECT DISTINCT qty * 6 FROM {o} o WHERE o.pid = p.id)',
  'SELECT id, (SELECT min(q.id) FROM {p} q WHERE q.age = p.age AND q.id <> p.id) AS twin FROM {p} p',
  'SELECT o.oid FROM {o} o WHERE NOT EXISTS (SELECT 1 FROM {p} p WHERE p.id = o.pid)',
  'SELECT id FROM {p} p WHERE EXISTS (SELECT 1 FROM {o} o WHERE o.pid = p.id) AND age > 0',
  'SELECT id FROM {p} p WHERE EXISTS (SELECT 1 FROM {o} o WHERE o.pid = p.id) OR age IS NULL',
  'SELECT id FROM {p} p WHERE EXISTS (SELECT 1 FROM {o} o WHERE o.pid = p.id ORDER BY oid LIMIT 1)',
  'SELECT city, sum((SELECT count(*) FROM {o} o WHERE o.pid = p.id)) AS n, count(*) FILTER (WHERE (SELECT sum(qty) FROM {o} o WHERE o.pid = p.id) > 2) AS f FROM {p} p GROUP BY city',
  'SELECT id, (SELECT count(*) FROM {o} o WHERE o.pid = p.id AND o.odate > p.born) AS n FROM {p} p WHERE (SELECT max(qty) FROM {o} o WHERE o.pid = p.id) IS NOT NULL',
  // --- arithmetic, overflow, DECIMAL
  'SELECT id, age + 1 AS a, age - 1 AS b, age * 2 AS c, age % 5 AS d FROM {p} WHERE age < 1000',
  'SELECT id, balance + 1 AS a, balance * 2 AS b, balance - 0.01 AS c, balance * balance AS d FROM {p} WHERE balance < 10000',
  'SELECT 0.1 + 0.2 AS s, 1.10 * 3 AS m, 10.00 - 0.001 AS d',
  'SELECT id, score * 2 AS a, score / 4 AS b, score + age AS c FROM {p}',
  'SELECT amount * qty AS a, amount + qty AS b FROM {o}',
  'SELECT sum(amount * qty) FROM {o}',
  'SELECT id, abs(age) AS a, abs(balance) AS b, abs(score) AS c FROM {p}',
  'SELECT id, round(score, 1) AS r, floor(score) AS f, ceil(score) AS c FROM {p} WHERE score IS NOT NULL AND abs(score) < 1000',
  'SELECT 7 % 3 AS a, -7 % 3 AS b, 7 % -3 AS c',
  'SELECT 9223372036854775806 + 1',
  'SELECT 2147483646 + 1',
  { sql: 'SELECT age + 1 FROM {p} WHERE id = 7', error: true },
  { sql: 'SELECT big + 1 FROM {p} WHERE id = 3', error: true },
  { sql: 'SELECT big - 1 FROM {p} WHERE id = 5', error: true },
  { sql: 'SELECT big * 2 FROM {p} WHERE id = 3', error: true },
  { sql: 'SELECT 9223372036854775807 + 1', error: true },
  { sql: 'SELECT 2147483647 * 2', error: true },
  'SELECT sum(big) FROM {p}',
  { sql: "SELECT CAST('abc' AS INTEGER)", error: true },
  { sql: 'SELECT CAST(3000000000 AS INTEGER)', error: true },
  { sql: "SELECT DATE '2024-02-30'", error: true },
  // --- CASE, COALESCE, NULLIF, CAST, ::
  "SELECT id, CASE WHEN age > 30 THEN 'old' WHEN age > 10 THEN 'mid' ELSE 'young' END FROM {p}",
  "SELECT id, CASE city WHEN 'Paris' THEN 1 WHEN 'Oslo' THEN 2 END FROM {p}",
  'SELECT id, CASE WHEN age IS NULL THEN -1 ELSE age END FROM {p}',
  'SELECT id, COALESCE(name, city, \'?\') AS a, COALESCE(age, 0) AS b FROM {p}',
  'SELECT id, NULLIF(age, 42) AS a, NULLIF(city, \'\') AS b FROM {p}',
  'SELECT id, CAST(age AS VARCHAR) AS a, CAST(balance AS DOUBLE) AS b, age::BIGINT AS c FROM {p}',
  "SELECT '42'::INTEGER + 1 AS a, CAST('2024-02-29' AS DATE) AS b, '1.5'::DOUBLE * 2 AS c, CAST('12.345' AS DECIMAL(10,3)) AS d",
  'SELECT id, CAST(score AS INTEGER) AS i FROM {p} WHERE abs(score) < 1000 AND id <> 6',
  'SELECT id, CAST(balance AS DECIMAL(14,1)) AS b FROM {p}',
  'SELECT id, flag::VARCHAR AS a, CAST(flag AS INTEGER) AS b FROM {p}',
  'SELECT id, born::TIMESTAMP AS a, seen::DATE AS b FROM {p}',
  'SELECT CAST(\'true\' AS BOOLEAN) AS a, CAST(1 AS BOOLEAN) AS b, CAST(0 AS BOOLEAN) AS c',
  'SELECT id, TRY_CAST(name AS INTEGER) AS n FROM {p}',
  'SELECT id, CASE WHEN age = 0 THEN NULL ELSE 100 / age END FROM {p} WHERE age < 1000',
  // --- strings
  'SELECT id, trim(name) AS a, ltrim(name) AS b, rtrim(name) AS c FROM {p}',
  "SELECT id, trim(name, ' a') AS a, upper(name) AS b, lower(name) AS c FROM {p}",
  'SELECT id, length(name) AS a, length(city) AS b FROM {p}',
  'SELECT id, substring(name, 2) AS a, substring(name, 2, 3) AS b, substring(name FROM 1 FOR 2) AS c FROM {p}',
  "SELECT id, concat(name, '-', city) AS a, name || '/' || city AS b FROM {p}",
  "SELECT id, concat(name, NULL, age) FROM {p}",
  "SELECT id, replace(name, 'a', 'A') AS a, replace(city, 'is', '') AS b FROM {p}",
  "SELECT split_part('a,b,,c', ',', 2) AS a, split_part('a,b,,c', ',', 3) AS b, split_part('a,b', ',', 5) AS c",
  "SELECT id, split_part(name, ' ', 3) FROM {p}",
  "SELECT id, starts_with(name, 'A') AS a, starts_with(city, '') AS b FROM {p}",
  "SELECT id, regexp_matches(name, '^[A-Z][a-z]+$') FROM {p}",
  "SELECT id, regexp_matches(city, 'is') FROM {p}",
  "SELECT id, regexp_replace(name, '[aeiou]', '*') FROM {p}",
  "SELECT id, regexp_replace(name, '[aeiou]', '*', 'g') FROM {p}",
  "SELECT id, regexp_replace(city, '^(.)(.*)$', '\\2\\1') FROM {p}",
  "SELECT upper('Straße') = 'STRASSE' OR true AS a, lower('ÀÉÎ') AS b, length('日本語') AS c, substring('日本語', 2, 1) AS d",
  "SELECT id, name || id AS a, id || '' AS b FROM {p}",
  "SELECT id, left(name, 2) AS a, right(name, 2) AS b FROM {p}",
  "SELECT id, reverse(name) AS a, repeat(city, 2) AS b FROM {p}",
  "SELECT id, position('a' IN name) AS a, strpos(name, 'b') AS b FROM {p}",
  "SELECT id, lpad(city, 7, '.') AS a, rpad(city, 7, '.') AS b FROM {p}",
  "SELECT id FROM {p} WHERE lower(name) = 'ada'",
  "SELECT id, contains(name, 'a') FROM {p}",
  // --- dates and times
  "SELECT id, date_trunc('month', born) AS a, date_trunc('year', born) AS b FROM {p}",
  "SELECT id, date_trunc('hour', seen) AS a, date_trunc('day', seen) AS b FROM {p}",
  "SELECT id, extract(year FROM born) AS a, extract(month FROM born) AS b, extract(day FROM born) AS c FROM {p}",
  "SELECT id, extract(hour FROM seen) AS a, extract(minute FROM seen) AS b, date_part('dow', seen) AS c FROM {p}",
  "SELECT id, date_part('year', seen) AS a, date_part('doy', born) AS b, date_part('quarter', born) AS c FROM {p}",
  "SELECT id, born + INTERVAL 1 DAY AS a, born - INTERVAL '1 month' AS b FROM {p} WHERE born < DATE '9000-01-01'",
  "SELECT id, seen + INTERVAL 90 MINUTE AS a, seen - INTERVAL '1 year' AS b FROM {p}",
  "SELECT DATE '2024-01-31' + INTERVAL 1 MONTH AS a, DATE '2024-02-29' + INTERVAL 1 YEAR AS b",
  "SELECT TIMESTAMP '2024-12-31 23:59:59' + INTERVAL 1 SECOND",
  "SELECT id, strftime(seen, '%Y/%m/%d %H:%M') AS a, strftime(born, '%d.%m.%Y') AS b FROM {p}",
  "SELECT strptime('2024-02-29 10:11:12', '%Y-%m-%d %H:%M:%S') AS a, strptime('31/12/1999', '%d/%m/%Y') AS b",
  "SELECT id FROM {p} WHERE extract(year FROM born) < 1970",
  "SELECT odate, count(*) FROM {o} GROUP BY odate",
  "SELECT date_trunc('month', odate) m, sum(amount) FROM {o} GROUP BY 1",
  "SELECT id, born < DATE '2000-01-01' AS a, seen > born AS b FROM {p}",
  "SELECT CAST(TIMESTAMP '2024-02-29 12:00:00' AS DATE) AS a, CAST(DATE '2024-02-29' AS TIMESTAMP) AS b",
  "SELECT id, born::VARCHAR AS a, seen::VARCHAR AS b FROM {p}",
  { sql: "SELECT strptime('2024-13-01', '%Y-%m-%d')", error: true },
  // --- window functions (NULLS written out: DuckDB puts NULLs last for DESC too)
  'SELECT id, row_number() OVER (ORDER BY id) AS rn FROM {p}',
  'SELECT id, city, row_number() OVER (PARTITION BY city ORDER BY id) AS rn FROM {p} ORDER BY id',
  'SELECT id, age, rank() OVER (ORDER BY age NULLS LAST) AS r, dense_rank() OVER (ORDER BY age NULLS LAST) AS d FROM {p} ORDER BY id',
  'SELECT id, age, percent_rank() OVER (ORDER BY age NULLS FIRST) AS pr, cume_dist() OVER (ORDER BY age NULLS FIRST) AS cd FROM {p} ORDER BY id',
  'SELECT id, ntile(3) OVER (ORDER BY id) AS t, ntile(4) OVER (PARTITION BY flag ORDER BY id) AS t4 FROM {p} ORDER BY id',
  'SELECT id, age, lag(age) OVER (ORDER BY id) AS prev, lead(age, 2) OVER (ORDER BY id) AS next2, lag(name, 1, \'none\') OVER (ORDER BY id) AS pn FROM {p} ORDER BY id',
  'SELECT oid, pid, lead(amount) OVER (PARTITION BY pid ORDER BY oid) AS nxt FROM {o} ORDER BY oid',
  'SELECT id, first_value(name) OVER (PARTITION BY city ORDER BY id) AS f, last_value(name) OVER (PARTITION BY city ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS l FROM {p} ORDER BY id',
  'SELECT id, nth_value(id, 2) OVER (ORDER BY id) AS second FROM {p} ORDER BY id',
  'SELECT id, city, count(*) OVER (PARTITION BY city) AS n, count(age) OVER (PARTITION BY city) AS na FROM {p} ORDER BY id',
  'SELECT oid, sum(amount) OVER (ORDER BY oid) AS running, sum(qty) OVER () AS total FROM {o} ORDER BY oid',
  'SELECT oid, pid, sum(amount) OVER (PARTITION BY pid ORDER BY oid ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s2 FROM {o} ORDER BY oid',
  'SELECT id, avg(score) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS ma FROM {p} ORDER BY id',
  'SELECT id, min(age) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) AS lo, max(name) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING) AS hi FROM {p} ORDER BY id',
  'SELECT oid, odate, sum(qty) OVER (ORDER BY odate NULLS FIRST) AS by_day FROM {o} ORDER BY oid',
  'SELECT city, count(*) AS n, sum(count(*)) OVER () AS total, rank() OVER (ORDER BY count(*) DESC, city NULLS FIRST) AS r FROM {p} GROUP BY city ORDER BY city NULLS FIRST',
  'SELECT id, row_number() OVER (PARTITION BY city ORDER BY id DESC) AS rn FROM {p} QUALIFY rn = 1 ORDER BY id',
  'SELECT pid, oid FROM {o} QUALIFY row_number() OVER (PARTITION BY pid ORDER BY amount DESC NULLS LAST, oid) = 1 ORDER BY oid',
  'SELECT id, sum(big) OVER (ORDER BY id) AS s FROM {p} WHERE id <> 5 AND id <> 3 ORDER BY id',
  { sql: 'SELECT id FROM {p} WHERE row_number() OVER (ORDER BY id) > 2', error: true },
  // RANGE frames with offsets: rolling sums by date, DESC, NULL keys, DECIMAL, DOUBLE, TIMESTAMP
  'SELECT oid, pid, odate, sum(amount) OVER (PARTITION BY pid ORDER BY odate RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW) AS s7, count(*) OVER (ORDER BY odate RANGE BETWEEN INTERVAL 1 MONTH PRECEDING AND INTERVAL 1 MONTH FOLLOWING) AS m FROM {o} ORDER BY oid',
  'SELECT oid, sum(qty) OVER (ORDER BY odate DESC NULLS LAST RANGE BETWEEN INTERVAL 2 DAYS PRECEDING AND CURRENT ROW) AS s, count(*) OVER (ORDER BY odate NULLS FIRST RANGE BETWEEN 3 PRECEDING AND 1 PRECEDING) AS before FROM {o} ORDER BY oid',
  'SELECT oid, count(*) OVER (ORDER BY amount NULLS FIRST RANGE BETWEEN 20 PRECEDING AND 0.5 FOLLOWING) AS c, min(amount) OVER (ORDER BY amount RANGE BETWEEN 1.5 FOLLOWING AND 100 FOLLOWING) AS nxt, sum(qty) OVER (ORDER BY amount DESC NULLS LAST RANGE BETWEEN UNBOUNDED PRECEDING AND 10 FOLLOWING) AS tail FROM {o} ORDER BY oid',
  'SELECT id, sum(id) OVER (ORDER BY CAST(age AS BIGINT) RANGE BETWEEN 10 PRECEDING AND 5 FOLLOWING) AS a, count(*) OVER (ORDER BY balance DESC NULLS FIRST RANGE BETWEEN 100 PRECEDING AND 0.01 FOLLOWING) AS c, avg(score) OVER (ORDER BY score DESC NULLS LAST RANGE BETWEEN 2.5 PRECEDING AND 1 PRECEDING) AS b FROM {p} ORDER BY id',
  // GROUPS frames: offsets count peer groups
  'SELECT oid, count(*) OVER (ORDER BY odate NULLS FIRST GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS c, sum(amount) OVER (PARTITION BY pid ORDER BY qty DESC NULLS LAST GROUPS BETWEEN 2 PRECEDING AND 1 PRECEDING) AS s, min(oid) OVER (ORDER BY status NULLS LAST GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS m FROM {o} ORDER BY oid',
  // named windows (WINDOW after HAVING; OVER w and OVER (w ...) refinements)
  'SELECT oid, pid, sum(amount) OVER w AS running, count(*) OVER (w ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS last2, row_number() OVER (p ORDER BY oid DESC) AS down, avg(qty) OVER p AS mean FROM {o} WINDOW p AS (PARTITION BY pid), w AS (PARTITION BY pid ORDER BY oid) ORDER BY oid',
  'SELECT id, rank() OVER w AS r, sum(id) OVER (w RANGE BETWEEN INTERVAL 1 YEAR PRECEDING AND CURRENT ROW) AS s FROM {p} WINDOW w AS (ORDER BY born NULLS FIRST) QUALIFY r <= 8 ORDER BY id',
  'SELECT city, count(*) AS n, rank() OVER w AS r FROM {p} GROUP BY city HAVING count(*) >= 1 WINDOW w AS (ORDER BY count(*) DESC, city NULLS FIRST) ORDER BY city NULLS FIRST',
  { sql: 'SELECT id, sum(id) OVER v FROM {p} WINDOW w AS (ORDER BY id)', error: true },
  { sql: 'SELECT id, sum(id) OVER (w ORDER BY age) FROM {p} WINDOW w AS (ORDER BY id)', error: true },
  'SELECT id, count(*) OVER (ORDER BY seen RANGE BETWEEN INTERVAL 1 YEAR PRECEDING AND INTERVAL 12 HOURS FOLLOWING) AS c, max(id) OVER (PARTITION BY flag ORDER BY seen DESC RANGE BETWEEN CURRENT ROW AND INTERVAL 3 MONTHS FOLLOWING) AS m FROM {p} ORDER BY id',
  // --- greatest and least (NULLs skipped, as in PostgreSQL and DuckDB)
  'SELECT id, greatest(age, id * 5) AS g, least(score, balance, 0) AS l, greatest(name, city) AS t FROM {p}',
  'SELECT oid, least(odate, DATE \'2024-03-01\') AS d, greatest(qty, pid, NULL) AS m FROM {o}',
  // --- range and generate_series
  'SELECT * FROM range(5)',
  'SELECT * FROM generate_series(2, 11, 3)',
  'SELECT r.range AS n, p.name FROM range(1, 4) r JOIN {p} p ON p.id = r.range ORDER BY n',
  "SELECT * FROM generate_series(TIMESTAMP '2024-01-31 10:00:00', TIMESTAMP '2024-05-01 00:00:00', INTERVAL 1 MONTH)",
  "SELECT count(*) FROM range(DATE '2024-01-01', DATE '2024-12-31', INTERVAL 1 DAY)",
  // --- division by zero (PostgreSQL: an error; see POSTGRES_SEMANTICS)
  { sql: 'SELECT 1 / 0', error: 'pg' },
  { sql: 'SELECT age / 0 FROM {p} WHERE id = 1', error: 'pg' },
  { sql: 'SELECT 1 % 0', error: 'pg' },
  { sql: 'SELECT balance / 0 FROM {p} WHERE id = 1', error: 'pg' },
  'SELECT id, age / 2 AS half FROM {p} WHERE age < 1000 ORDER BY id',
  { sql: 'SELECT id, score / 0 FROM {p} WHERE id = 1', error: 'pg' },
  "SELECT id, name IS NULL AS n, name = '' AS e FROM {pc} WHERE id IN (3, 4) ORDER BY id",
  "SELECT upper('straße') AS s",
  'SELECT CAST(2.5::DOUBLE AS INTEGER) AS a, CAST(-2.5::DOUBLE AS INTEGER) AS b, CAST(3.5::DOUBLE AS INTEGER) AS c',
];

// DuckDB behaviour that differs from PostgreSQL by design. tarn follows PostgreSQL; these
// queries are run on tarn only and checked against the PostgreSQL answer.
const POSTGRES_SEMANTICS = {
  'SELECT 1 / 0': { expect: 'error', reason: 'division by zero: NULL in DuckDB, an error in PostgreSQL' },
  'SELECT age / 0 FROM {p} WHERE id = 1': { expect: 'error', reason: 'division by zero: NULL in DuckDB, an error in PostgreSQL' },
  'SELECT 1 % 0': { expect: 'error', reason: 'modulo by zero: NULL in DuckDB, an error in PostgreSQL' },
  'SELECT balance / 0 FROM {p} WHERE id = 1': { expect: 'error', reason: 'DECIMAL division by zero: NULL in DuckDB, an error in PostgreSQL' },
  'SELECT id, score / 0 FROM {p} WHERE id = 1': { expect: 'error', reason: 'DOUBLE division by zero: NULL in DuckDB, an error in PostgreSQL' },
  "SELECT id, name IS NULL AS n, name = '' AS e FROM {pc} WHERE id IN (3, 4) ORDER BY id": {
    expect: [[3, false, true], [4, true, null]],
    reason: 'CSV: a quoted empty field ("") is an empty string and an unquoted one NULL in PostgreSQL\'s COPY; DuckDB reads both as NULL',
  },
  "SELECT upper('straße') AS s": {
    expect: [['STRAßE']],
    reason: 'PostgreSQL maps case one character to one (ß has no one-character upper case); DuckDB gives ẞ (U+1E9E)',
  },
};

// ---------------------------------------------------------------------------------------------
// Running and comparing

function bind(sql) {
  return sql.replace(/\{(\w+)\}/g, (m, k) => {
    if (!(k in files)) throw new Error(`unknown placeholder ${m}`);
    return sqlString(files[k]);
  });
}

/** A value in a comparable form: {n: text} for numbers, {s} for text, null, or a boolean. */
function norm(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (v instanceof JsonNumber) return { n: v.text };
  if (typeof v === 'number' || typeof v === 'bigint') return { n: String(v) };
  if (typeof v === 'string') {
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v)) return { n: v };
    return { s: v };
  }
  return { s: JSON.stringify(v) };
}

function isInteger(t) {
  return /^-?\d+$/.test(t);
}

function sameValue(a, b) {
  if (a === null || b === null || typeof a === 'boolean' || typeof b === 'boolean') return a === b;
  if ('n' in a && 'n' in b) {
    if (isInteger(a.n) && isInteger(b.n)) return BigInt(a.n) === BigInt(b.n);
    const x = Number(a.n), y = Number(b.n);
    return x === y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
  }
  // a number printed as text on one side (e.g. '1e10' vs 10000000000)
  return ('s' in a ? a.s : a.n) === ('s' in b ? b.s : b.n);
}

function sameRow(a, b) {
  return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
}

/** A sort key for multiset comparison: numbers by value, so 1.50 and 1.5 meet. */
function rowKey(r) {
  return JSON.stringify(r.map((v) => {
    if (v === null || typeof v === 'boolean') return v;
    if ('n' in v) {
      const big = isInteger(v.n) && (BigInt(v.n) > 2n ** 53n || BigInt(v.n) < -(2n ** 53n));
      return big ? `i${BigInt(v.n)}` : `d${Number(v.n).toPrecision(12)}`;
    }
    return `s${v.s}`;
  }));
}

function ordered(sql) {
  // a top-level ORDER BY: after the last closing parenthesis
  const tail = sql.slice(sql.lastIndexOf(')') + 1);
  return /\border\s+by\b/i.test(tail);
}

// tarn's results computed ahead in batches (one process per BATCH queries, `-f` script with
// one JSON array per statement per line); a batch where a statement failed is left to the
// per-query runs.
const BATCH = 25;
const batched = new Map();

function runBatches() {
  const texts = Q.filter((q) => typeof q === 'string');
  for (let i = 0; i < texts.length; i += BATCH) {
    const chunk = texts.slice(i, i + BATCH);
    const script = path.join(dir, `batch_${i}.sql`);
    fs.writeFileSync(script, chunk.map((t) => bind(t) + ';\n').join(''));
    const args = ['sql', '--no-project', '--format', 'json', '-f', script];
    const r = runTarn(args, { timeout: 60_000 });
    assert.ok(!r.crashed && !r.timedOut, describeRun(args, r));
    const lines = r.stdout.split('\n').filter((l) => l.length);
    if (r.status !== 0 || lines.length !== chunk.length) continue;
    chunk.forEach((t, k) => batched.set(t, { rows: parseJsonExact(lines[k]).map((o) => Object.values(o).map(norm)) }));
  }
}

function runOnTarn(sql) {
  const args = ['sql', '--no-project', '--format', 'json', '-c', sql];
  const r = runTarn(args, { timeout: 30_000 });
  assert.ok(!r.crashed && !r.timedOut, describeRun(args, r));
  if (r.status !== 0) return { error: r.stderr.trim() };
  const rows = parseJsonExact(r.stdout.trim() || '[]');
  return { rows: rows.map((o) => Object.values(o).map(norm)) };
}

async function runOnDuckdb(db, sql) {
  try {
    const reader = await db.runAndReadAll(sql);
    return { rows: reader.getRowsJson().map((r) => r.map(norm)) };
  } catch (e) {
    return { error: e.message };
  }
}

function show(rows) {
  return rows.slice(0, 20).map((r) => JSON.stringify(r)).join('\n');
}

describe('SQL: tarn and DuckDB agree', { skip }, () => {
  let db;
  before(async () => {
    db = await duckdbConnect();
    await writeData(db);
    runBatches();
  });

  test('at least 200 queries, each a distinct text', () => {
    const texts = Q.map((q) => (typeof q === 'string' ? q : q.sql));
    assert.ok(texts.length >= 200, `${texts.length} queries`);
    assert.equal(new Set(texts).size, texts.length, 'a query is listed twice');
  });

  Q.forEach((q, i) => {
    const text = typeof q === 'string' ? q : q.sql;
    test(`q${i + 1}: ${text}`, { todo: POSTGRES_SEMANTICS[text]?.todo }, async () => {
      const sql = bind(text);
      const mine = batched.get(text) ?? runOnTarn(sql);
      const pg = POSTGRES_SEMANTICS[text];
      if (pg) {
        if (pg.expect === 'error') {
          assert.ok(mine.error, `tarn should fail as PostgreSQL does; got ${show(mine.rows || [])}`);
          return;
        }
        assert.ok(!mine.error, `tarn failed: ${mine.error}`);
        const want = pg.expect.map((r) => r.map(norm));
        assert.equal(mine.rows.length, want.length, `PostgreSQL gives ${want.length} rows\ntarn:\n${show(mine.rows)}`);
        mine.rows.forEach((r, k) => assert.ok(sameRow(r, want[k]),
          `row ${k}: tarn ${JSON.stringify(r)}, PostgreSQL ${JSON.stringify(want[k])}`));
        return;
      }
      const theirs = await runOnDuckdb(db, sql);
      if (q.error) {
        assert.ok(mine.error && theirs.error,
          `both should fail: tarn ${mine.error ?? 'succeeded'}; DuckDB ${theirs.error ?? 'succeeded'}`);
        return;
      }
      assert.ok(!theirs.error, `DuckDB failed: ${theirs.error}`);
      assert.ok(!mine.error, `tarn failed: ${mine.error}`);
      let a = mine.rows, b = theirs.rows;
      if (a.length && b.length)
        assert.equal(a[0].length, b[0].length,
          'column counts differ (tarn prints JSON objects: give repeated output names an alias)');
      assert.equal(a.length, b.length, `row counts differ\ntarn:\n${show(a)}\nduckdb:\n${show(b)}`);
      if (!ordered(text)) {
        a = [...a].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : rowKey(x) > rowKey(y) ? 1 : 0));
        b = [...b].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : rowKey(x) > rowKey(y) ? 1 : 0));
      }
      for (let r = 0; r < a.length; r++)
        assert.ok(sameRow(a[r], b[r]),
          `row ${r} differs: tarn ${JSON.stringify(a[r])} duckdb ${JSON.stringify(b[r])}\ntarn:\n${show(a)}\nduckdb:\n${show(b)}`);
    });
  });
});
