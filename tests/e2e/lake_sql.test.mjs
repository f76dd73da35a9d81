// SPDX-License-Identifier: Apache-2.0
//
// SQL on lake tables, end to end: every statement runs in its own `tarn sql` process in a
// project, as a user (or a script) would run them. Checked for each writing statement: the
// rows tarn reads back, one Iceberg snapshot per statement (`tarn history`), and the same rows
// read by DuckDB (the Parquet data files of the current snapshot, `tarn describe --files`) and
// by icebird (an independent Iceberg reader, through the table's metadata). Views persist in the
// catalog from one run to the next, and errors name line:column with a caret.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  PEERS_DIR, tarnMissing, runTarn, describeRun, parseJsonOutput, scratchDir, writeFile,
  duckdbMissing, duckdbConnect, sqlString,
} from './lib.mjs';

const skipTarn = tarnMissing();
const skipDuck = skipTarn || duckdbMissing();
const ICEBIRD = path.join(PEERS_DIR, 'icebird', 'src', 'index.js');
const skipAll = skipDuck || (fs.existsSync(ICEBIRD) ? false : `icebird not installed in ${PEERS_DIR}`);

function newProject(tag) {
  const dir = scratchDir(`lake-sql-${tag}`);
  const r = runTarn(['init', dir]);
  assert.equal(r.status, 0, describeRun(['init', dir], r));
  return dir;
}

/** Runs SQL in the project; asserts success; returns the run. */
function sql(dir, text, extra = []) {
  const args = ['-C', dir, 'sql', ...extra, '-c', text];
  const r = runTarn(args);
  assert.equal(r.status, 0, describeRun(args, r));
  return r;
}

/** Runs SQL that must fail with exit 1; returns stderr. */
function sqlFails(dir, text) {
  const args = ['-C', dir, 'sql', '-c', text];
  const r = runTarn(args);
  assert.equal(r.status, 1, describeRun(args, r));
  return r.stderr;
}

function sqlJson(dir, text) {
  const r = sql(dir, text, ['--format', 'json']);
  return parseJsonOutput(['sql', text], r);
}

function tarnJson(dir, args) {
  const full = ['-C', dir, ...args, '--format', 'json'];
  const r = runTarn(full);
  assert.equal(r.status, 0, describeRun(full, r));
  return parseJsonOutput(full, r);
}

const snapshots = (dir, table) => tarnJson(dir, ['history', table]);

/** Sorted plain rows: numbers as Number, everything else as its text. */
function normalise(rows, columns) {
  return rows.map((r) => Object.fromEntries(columns.map((c) => {
    let v = r[c];
    if (v === undefined || v === null) v = null;
    else if (typeof v === 'bigint' || typeof v === 'number') v = Number(v);
    else if (v instanceof Date) v = v.toISOString().replace('T', ' ').replace(/\.000Z$/, '');
    else if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) && c !== 'region') v = Number(v);
    return [c, v];
  }))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The table's rows as DuckDB reads the current snapshot's data files. */
async function duckdbRows(dir, table, columns) {
  const d = tarnJson(dir, ['describe', table, '--files']);
  if (d.data_files.length === 0) return [];
  const con = await duckdbConnect();
  const list = `[${d.data_files.map(sqlString).join(',')}]`;
  const cols = columns.map((c) => (c === 'ts' ? `CAST(ts AS VARCHAR) AS ts` : c)).join(', ');
  const reader = await con.runAndReadAll(`SELECT ${cols} FROM read_parquet(${list}, union_by_name = true)`);
  return normalise(reader.getRowObjectsJson(), columns);
}

/** The table's rows as icebird reads them through the Iceberg metadata. */
async function icebirdRows(dir, table, columns) {
  const d = tarnJson(dir, ['describe', table]);
  const metadata = JSON.parse(fs.readFileSync(d.metadata_location.replace(/^file:\/\//, ''), 'utf8'));
  const icebird = await import(pathToFileURL(ICEBIRD).href);
  const original = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    const u = String(url);
    if (!u.startsWith('file:')) return original(url, init);
    const file = u.startsWith('file://') ? u.slice(7) : u.slice(5);
    if (!fs.existsSync(file)) return new Response('not found', { status: 404 });
    const bytes = fs.readFileSync(file);
    const headers = { 'content-length': String(bytes.length) };
    if (init?.method === 'HEAD') return new Response(null, { status: 200, headers });
    return new Response(bytes, { status: 200, headers });
  };
  try {
    const rows = await icebird.icebergRead({ tableUrl: d.location, metadata });
    return normalise(rows, columns);
  } finally {
    globalThis.fetch = original;
  }
}

/** tarn's own reading of the table. */
function tarnRows(dir, table, columns) {
  const cols = columns.map((c) => (c === 'ts' ? `CAST(ts AS VARCHAR) AS ts` : c)).join(', ');
  return normalise(sqlJson(dir, `SELECT ${cols} FROM ${table}`), columns);
}

/** tarn, DuckDB and icebird all read `expected` (already normalised) from the table. */
async function assertReaders(dir, table, columns, expected) {
  const mine = tarnRows(dir, table, columns);
  assert.deepEqual(mine, expected, 'tarn');
  assert.deepEqual(await duckdbRows(dir, table, columns), expected, 'DuckDB');
  if (expected.length === 0) {
    // icebird refuses a snapshot without data files instead of returning no rows.
    await assert.rejects(icebirdRows(dir, table, columns), /No data manifest files/, 'icebird');
  } else {
    assert.deepEqual(await icebirdRows(dir, table, columns), expected, 'icebird');
  }
}

/** A CSV of n orders over three days and three regions. */
function ordersCsv(dir, n) {
  const lines = ['id,ts,region,amount'];
  for (let i = 1; i <= n; i++) {
    lines.push(`${i},2024-03-0${1 + (i % 3)} ${String(i % 24).padStart(2, '0')}:15:00,` +
      `${['north', 'south', 'east'][i % 3 === 0 ? 0 : (i * 7) % 3]},${(i * 37 % 1000) / 10}`);
  }
  return writeFile(dir, 'orders.csv', lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------

test('CREATE TABLE, INSERT ... VALUES and INSERT ... SELECT: one snapshot each, read alike by DuckDB and icebird',
  { skip: skipAll }, async () => {
    const dir = newProject('insert');
    sql(dir, 'CREATE TABLE t (id INTEGER NOT NULL, ts TIMESTAMP, region VARCHAR, amount DOUBLE)');
    assert.equal(snapshots(dir, 't').length, 0, 'an empty new table has no snapshot');
    assert.deepEqual(sqlJson(dir, 'SELECT count(*) AS n FROM t'), [{ n: 0 }]);

    sql(dir, "INSERT INTO t VALUES (1, TIMESTAMP '2024-03-01 10:00:00', 'north', 10.5), " +
      "(2, TIMESTAMP '2024-03-02 11:30:00', 'south', NULL)");
    assert.equal(snapshots(dir, 't').length, 1);
    sql(dir, "INSERT INTO t (id, region) VALUES (3, 'east')");
    assert.equal(snapshots(dir, 't').length, 2);
    const csv = ordersCsv(dir, 30);
    sql(dir, `INSERT INTO t SELECT id + 100, ts, region, amount FROM '${csv}' WHERE id <= 20`);
    const h = snapshots(dir, 't');
    assert.equal(h.length, 3);
    assert.deepEqual(h.map((s) => [s.operation, s.added_rows]), [['append', 2], ['append', 1], ['append', 20]]);

    const duck = await duckdbConnect();
    const fromCsv = (await duck.runAndReadAll(
      `SELECT id + 100 AS id, CAST(ts AS VARCHAR) AS ts, region, amount FROM read_csv(${sqlString(csv)}) WHERE id <= 20`,
    )).getRowObjectsJson();
    const columns = ['id', 'ts', 'region', 'amount'];
    const expected = normalise([
      { id: 1, ts: '2024-03-01 10:00:00', region: 'north', amount: 10.5 },
      { id: 2, ts: '2024-03-02 11:30:00', region: 'south', amount: null },
      { id: 3, ts: null, region: 'east', amount: null },
      ...fromCsv,
    ], columns);
    await assertReaders(dir, 't', columns, expected);

    // A table reads itself while it is written: the INSERT sees the snapshot it started from.
    sql(dir, 'INSERT INTO t SELECT id + 1000, ts, region, amount FROM t');
    assert.deepEqual(sqlJson(dir, 'SELECT count(*) AS n FROM t'), [{ n: 46 }]);
    assert.equal(snapshots(dir, 't').length, 4);
  });

test('CREATE TABLE ... PARTITIONED BY (day(ts), region) AS SELECT equals DuckDB on the source',
  { skip: skipAll }, async () => {
    const dir = newProject('ctas');
    const csv = ordersCsv(dir, 5000); // more than one batch of rows
    sql(dir, `CREATE TABLE daily PARTITIONED BY (day(ts), region) AS
      SELECT ts, region, id, amount FROM '${csv}' WHERE amount > 5`);
    const h = snapshots(dir, 'daily');
    assert.equal(h.length, 1, 'CREATE TABLE AS is one snapshot');
    const d = tarnJson(dir, ['describe', 'daily', '--files']);
    assert.deepEqual(d.partition_spec, [
      { source: 'ts', transform: 'day', name: 'ts_day' },
      { source: 'region', transform: 'identity', name: 'region' },
    ]);
    assert.equal(h[0].added_files, d.data_files.length);
    for (const f of d.data_files) assert.match(f, /ts_day=2024-03-0[123]\/region=(north|south|east)\//);

    const duck = await duckdbConnect();
    const want = (await duck.runAndReadAll(
      `SELECT CAST(ts AS VARCHAR) AS ts, region, id, amount FROM read_csv(${sqlString(csv)}) WHERE amount > 5`,
    )).getRowObjectsJson();
    const columns = ['ts', 'region', 'id', 'amount'];
    assert.ok(want.length > 4000);
    await assertReaders(dir, 'daily', columns, normalise(want, columns));

    // A mart over the lake table, built the same way, equals DuckDB's aggregate.
    sql(dir, `CREATE TABLE by_region AS
      SELECT CAST(ts AS DATE) AS day, region, count(*) AS orders, sum(amount) AS revenue
      FROM daily GROUP BY 1, 2`);
    const mart = sqlJson(dir, 'SELECT CAST(day AS VARCHAR) AS day, region, orders, revenue FROM by_region ORDER BY day, region');
    const martWant = (await duck.runAndReadAll(
      `SELECT CAST(CAST(ts AS DATE) AS VARCHAR) AS day, region, count(*) AS orders, sum(amount) AS revenue
       FROM read_csv(${sqlString(csv)}) WHERE amount > 5 GROUP BY ALL ORDER BY day, region`,
    )).getRowObjectsJson();
    assert.equal(mart.length, martWant.length);
    mart.forEach((row, i) => {
      assert.equal(row.day, martWant[i].day);
      assert.equal(row.region, martWant[i].region);
      assert.equal(Number(row.orders), Number(martWant[i].orders));
      assert.ok(Math.abs(row.revenue - Number(martWant[i].revenue)) < 1e-6, `${row.revenue} vs ${martWant[i].revenue}`);
    });

    // OR REPLACE swaps the table for the new rows in one more snapshot of the same table.
    sql(dir, `CREATE OR REPLACE TABLE daily AS SELECT id, region FROM '${csv}' WHERE id <= 3`);
    assert.deepEqual(sqlJson(dir, 'SELECT id, region FROM daily ORDER BY id').map((r) => r.id), [1, 2, 3]);
    assert.equal(snapshots(dir, 'daily').length, 2);
  });

test('TRUNCATE is one overwrite snapshot; DROP TABLE [IF EXISTS]; a dropped name can be reused',
  { skip: skipAll }, async () => {
    const dir = newProject('truncate');
    const csv = ordersCsv(dir, 50);
    sql(dir, `CREATE TABLE t PARTITIONED BY (region) AS SELECT * FROM '${csv}'`);
    sql(dir, 'TRUNCATE t');
    const h = snapshots(dir, 't');
    assert.equal(h.length, 2);
    assert.equal(h[1].operation, 'overwrite');
    assert.equal(h[1].removed_rows, 50);
    await assertReaders(dir, 't', ['id', 'region'], []);
    sql(dir, "INSERT INTO t (id, region) VALUES (7, 'west')");
    await assertReaders(dir, 't', ['id', 'region'], [{ id: 7, region: 'west' }]);

    sql(dir, 'DROP TABLE t');
    assert.deepEqual(tarnJson(dir, ['tables']).map((t) => t.name), []);
    let err = sqlFails(dir, 'DROP TABLE t');
    assert.match(err, /1:12: table "t" does not exist/);
    sql(dir, 'DROP TABLE IF EXISTS t');
    sql(dir, 'CREATE TABLE t (id BIGINT); INSERT INTO t VALUES (42)');
    assert.deepEqual(sqlJson(dir, 'SELECT * FROM t'), [{ id: 42 }]);
    assert.equal(snapshots(dir, 't').length, 1, 'the new table starts its own history');
    err = sqlFails(dir, 'SELECT 1;\nTRUNCATE nope');
    assert.match(err, /2:/);
  });

test('CREATE OR REPLACE TABLE is one overwrite snapshot with the new schema and partitioning; a failed one keeps the old table',
  { skip: skipAll }, async () => {
    const dir = newProject('replace');
    const csv = ordersCsv(dir, 40);
    sql(dir, `CREATE TABLE t PARTITIONED BY (region) AS SELECT * FROM '${csv}'`);
    const before = tarnJson(dir, ['describe', 't']);
    // new columns, a new type for id, another partitioning: one commit
    sql(dir, `CREATE OR REPLACE TABLE t PARTITIONED BY (bucket(4, key)) AS
              SELECT CAST(id AS VARCHAR) AS key, amount * 2 AS doubled FROM '${csv}' WHERE id <= 10`);
    const h = snapshots(dir, 't');
    assert.equal(h.length, 2, 'the history stays: the replacement is one more snapshot');
    assert.equal(h[1].operation, 'overwrite');
    assert.equal(h[1].removed_rows, 40);
    assert.equal(h[1].added_rows, 10);
    const after = tarnJson(dir, ['describe', 't']);
    assert.equal(after.location, before.location, 'the same table');
    assert.deepEqual(after.columns.map((c) => c.name), ['key', 'doubled']);
    const expected = normalise(sqlJson(dir, `SELECT CAST(id AS VARCHAR) AS key, amount * 2 AS doubled
                                             FROM '${csv}' WHERE id <= 10`), ['key', 'doubled']);
    await assertReaders(dir, 't', ['key', 'doubled'], expected);

    // a query that fails leaves the table as it was: no snapshot, same schema and rows
    const err = sqlFails(dir, 'CREATE OR REPLACE TABLE t AS SELECT 1 / 0 AS boom');
    assert.match(err, /division by zero/);
    assert.equal(snapshots(dir, 't').length, 2);
    await assertReaders(dir, 't', ['key', 'doubled'], expected);

    // the query may read the table it replaces (in the same run, which then sees the new one)
    const rows = sqlJson(dir, `CREATE OR REPLACE TABLE t AS SELECT key, doubled, doubled * 10 AS big FROM t
                               WHERE doubled > 0; SELECT key, doubled, big FROM t`);
    const kept = expected.filter((r) => r.doubled > 0);
    assert.ok(kept.length > 0);
    assert.deepEqual(normalise(rows, ['key', 'doubled', 'big']),
      kept.map((r) => ({ ...r, big: r.doubled * 10 })));
    assert.equal(snapshots(dir, 't').length, 3);

    // replaced by an empty table with declared columns
    sql(dir, 'CREATE OR REPLACE TABLE t (a INTEGER, b VARCHAR)');
    assert.equal(snapshots(dir, 't').length, 4);
    assert.deepEqual(tarnJson(dir, ['describe', 't']).columns.map((c) => c.name), ['a', 'b']);
    assert.deepEqual(sqlJson(dir, 'SELECT count(*) AS n FROM t'), [{ n: 0 }]);
  });

test('views live in the catalog: created in one run, read in the next, dropped in a third',
  { skip: skipTarn }, () => {
    const dir = newProject('views');
    const csv = ordersCsv(dir, 30);
    sql(dir, `CREATE TABLE orders AS SELECT * FROM '${csv}'`);
    sql(dir, 'CREATE VIEW big (order_id, amt) AS SELECT id, amount FROM orders WHERE amount >= 50');
    const big = sqlJson(dir, 'SELECT count(*) AS n, min(amt) AS low FROM big');
    const direct = sqlJson(dir, 'SELECT count(*) AS n, min(amount) AS low FROM orders WHERE amount >= 50');
    assert.deepEqual(big, direct);
    assert.ok(big[0].n > 0);
    assert.deepEqual(sqlJson(dir, 'DESCRIBE big').map((c) => c.column_name), ['order_id', 'amt']);
    assert.deepEqual(sqlJson(dir, 'SHOW TABLES').map((t) => `${t.name}:${t.kind}`).sort(),
      ['big:view', 'orders:table']);

    // A view sees the table as it is when the view is read, not when it was made.
    sql(dir, "INSERT INTO orders (id, amount) VALUES (999, 99.5)");
    assert.equal(sqlJson(dir, 'SELECT count(*) AS n FROM big')[0].n, big[0].n + 1);

    assert.match(sqlFails(dir, 'CREATE VIEW big AS SELECT 1 AS x'), /1:13: view "big" already exists/);
    sql(dir, 'CREATE OR REPLACE VIEW big AS SELECT id FROM orders WHERE id = 999');
    assert.deepEqual(sqlJson(dir, 'SELECT * FROM big'), [{ id: 999 }]);
    assert.match(sqlFails(dir, 'CREATE VIEW orders AS SELECT 1 AS x'), /a table named "orders" already exists/);
    assert.match(sqlFails(dir, 'CREATE TABLE big (x INTEGER)'), /a view named "big" already exists/);

    // TEMP views last for their run only.
    assert.deepEqual(sqlJson(dir, 'CREATE TEMP VIEW one AS SELECT 1 AS x; SELECT * FROM one'), [{ x: 1 }]);
    assert.match(sqlFails(dir, 'SELECT * FROM one'), /table "one" does not exist/);

    sql(dir, 'DROP VIEW big');
    assert.match(sqlFails(dir, 'SELECT * FROM big'), /1:15: table "big" does not exist/);
    assert.match(sqlFails(dir, 'DROP VIEW big'), /1:11: view "big" does not exist/);
    sql(dir, 'DROP VIEW IF EXISTS big');

    // Views in another namespace: named with it, listed with it, apart from the default's.
    sql(dir, `CREATE TABLE marts.orders AS SELECT * FROM '${csv}' WHERE id <= 5`);
    sql(dir, 'CREATE VIEW marts.small AS SELECT id FROM marts.orders WHERE id <= 2');
    sql(dir, 'CREATE VIEW small AS SELECT 42 AS id');
    assert.deepEqual(sqlJson(dir, 'SELECT id FROM marts.small ORDER BY id'), [{ id: 1 }, { id: 2 }]);
    assert.deepEqual(sqlJson(dir, 'SELECT id FROM small'), [{ id: 42 }]);
    assert.ok(sqlJson(dir, 'SHOW TABLES').some((t) => t.name === 'marts.small' && t.kind === 'view'));
    assert.deepEqual(sqlJson(dir, 'DESCRIBE marts.small').map((c) => c.column_name), ['id']);
    assert.match(sqlFails(dir, 'CREATE TABLE marts.small (x INTEGER)'), /a view named "small" already exists/);
    sql(dir, 'DROP VIEW marts.small');
    assert.match(sqlFails(dir, 'SELECT * FROM marts.small'), /does not exist/);
    assert.deepEqual(sqlJson(dir, 'SELECT id FROM small'), [{ id: 42 }], 'the default namespace keeps its own');
  });

test('errors name line:column with a caret and leave tables as they were', { skip: skipTarn }, () => {
  const dir = newProject('errors');
  sql(dir, 'CREATE TABLE t (id INTEGER NOT NULL, name VARCHAR)');
  sql(dir, "INSERT INTO t VALUES (1, 'a')");

  let err = sqlFails(dir, "SELECT 1;\nINSERT INTO missing VALUES (1)");
  assert.match(err, /^tarn: error: 2:13: table "missing" does not exist\nLINE 2: INSERT INTO missing VALUES \(1\)\n {20}\^/m);

  err = sqlFails(dir, "INSERT INTO t VALUES (2, 'b'), (NULL, 'c')");
  assert.match(err, /1:1: NULL value in column "id" violates NOT NULL/);
  assert.match(err, /\n {8}\^/);
  // A NULL far into a streamed INSERT: the data files already written are removed.
  const many = writeFile(dir, 'many.csv', 'id,name\n' +
    Array.from({ length: 5000 }, (_, i) => `${i === 4321 ? '' : i + 10},n${i}`).join('\n') + '\n');
  const dataFiles = () => fs.readdirSync(path.join(dir, 'lake', 'main', 't', 'data'), { recursive: true })
    .filter((f) => f.endsWith('.parquet')).length;
  const before = dataFiles();
  err = sqlFails(dir, `INSERT INTO t SELECT id, name FROM '${many}'`);
  assert.match(err, /NULL value in column "id" violates NOT NULL/);
  assert.equal(dataFiles(), before, 'no data file of the failed INSERT is left behind');
  err = sqlFails(dir, "INSERT INTO t VALUES (1)");
  assert.match(err, /1:1: INSERT has 1 values for 2 columns/);
  assert.equal(snapshots(dir, 't').length, 1, 'a failed INSERT commits nothing');
  assert.deepEqual(sqlJson(dir, 'SELECT * FROM t'), [{ id: 1, name: 'a' }]);

  // A CREATE TABLE AS whose query fails (while binding, or while running) makes no table.
  err = sqlFails(dir, 'CREATE TABLE u AS\n  SELECT nope FROM t');
  assert.match(err, /2:10: column "nope" does not exist/);
  err = sqlFails(dir, "CREATE TABLE u AS SELECT CAST(name AS INTEGER) AS n FROM t");
  assert.match(err, /cannot cast 'a' to INTEGER/);
  assert.deepEqual(tarnJson(dir, ['tables']).map((x) => x.name), ['main.t']);
  const left = path.join(dir, 'lake', 'main', 'u');
  const leftFiles = fs.existsSync(left)
    ? fs.readdirSync(left, { recursive: true, withFileTypes: true }).filter((f) => f.isFile()) : [];
  assert.deepEqual(leftFiles.map((f) => f.name), [], 'nor any of its files');
  // ... and OR REPLACE keeps the old table when the new query fails.
  err = sqlFails(dir, "CREATE OR REPLACE TABLE t AS SELECT 1 / 0 AS x");
  assert.match(err, /division by zero/);
  assert.deepEqual(sqlJson(dir, 'SELECT * FROM t'), [{ id: 1, name: 'a' }]);
});
