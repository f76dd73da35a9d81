// SPDX-License-Identifier: Apache-2.0
//
// End-to-end tests of SQL over a lake table partitioned by day: filters on the partition
// source column, ranges, IN lists, IS NULL and column bounds prune manifests and data files
// (EXPLAIN shows how many), EXPLAIN ANALYZE adds rows per operator and the row groups read,
// and every answer equals DuckDB's over the same input CSV.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tarnMissing, runTarn, describeRun, parseJsonOutput, scratchDir, writeFile, duckdbMissing,
  duckdbConnect, sqlString,
} from './lib.mjs';

const skipTarn = tarnMissing();
const skipDuck = skipTarn || duckdbMissing();

const ROWS = 6000;
const MINUTES_APART = 7; // 6000 rows * 7 minutes = 29.2 days: 30 day partitions

/** Rows id 0..ROWS-1, one every MINUTES_APART minutes from 2024-03-01, ids rising with time. */
function salesCsv() {
  const lines = ['id,order_ts,region,amount'];
  const start = Date.UTC(2024, 2, 1);
  for (let i = 0; i < ROWS; i++) {
    const ts = new Date(start + i * MINUTES_APART * 60_000).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`${i},${ts},${['north', 'south', 'east'][i % 3]},${(i % 1000) / 10}`);
  }
  return lines.join('\n') + '\n';
}

function tarnOk(dir, args) {
  const full = ['-C', dir, ...args];
  const r = runTarn(full);
  assert.equal(r.status, 0, describeRun(full, r));
  return r;
}

function sqlJson(dir, sql) {
  const args = ['-C', dir, 'sql', '--format', 'json', '-c', sql];
  const r = runTarn(args);
  assert.equal(r.status, 0, describeRun(args, r));
  return parseJsonOutput(args, r);
}

/** The plan lines of EXPLAIN [ANALYZE] sql. */
function explain(dir, sql, analyze = false) {
  const rows = sqlJson(dir, `EXPLAIN ${analyze ? 'ANALYZE ' : ''}${sql}`);
  return rows.map((r) => r.plan);
}

/** {manifests, manifestsSkipped, files, filesSkipped, ...} of the scan line of a plan. */
function pruned(lines) {
  const scan = lines.find((l) => /^\s*SCAN sales/.test(l));
  assert.ok(scan, `no scan of sales in ${JSON.stringify(lines)}`);
  const m = scan.match(/pruned: manifests (\d+)\/(\d+), files (\d+)\/(\d+), row groups (\d+)\/(\d+)(?:, pages (\d+), rows (\d+)\/(\d+))?\)/);
  assert.ok(m, `no pruning counts in ${scan}`);
  const n = (i) => (m[i] === undefined ? undefined : Number(m[i]));
  return {
    line: scan, manifestsSkipped: n(1), manifests: n(2), filesSkipped: n(3), files: n(4),
    rowGroupsPruned: n(5), rowGroups: n(6), rowsScanned: Number(scan.match(/\(rows (\d+),/)?.[1]),
  };
}

let project = null;
let csvPath = null;

function setup() {
  if (project) return project;
  const dir = scratchDir('lake-sql-pruning');
  let r = runTarn(['init', dir]);
  assert.equal(r.status, 0, describeRun(['init', dir], r));
  csvPath = writeFile(dir, 'sales.csv', salesCsv());
  tarnOk(dir, ['ingest', csvPath, '--into', 'sales', '--partition-by', 'day(order_ts)']);
  project = dir;
  return dir;
}

async function duck(sql) {
  const con = await duckdbConnect();
  const src = `(SELECT id::INTEGER AS id, order_ts::TIMESTAMP AS order_ts, region, amount::DOUBLE AS amount ` +
    `FROM read_csv(${sqlString(csvPath)}, header = true, all_varchar = true))`;
  const reader = await con.runAndReadAll(sql.replaceAll('sales', src));
  return reader.getRowObjectsJson();
}

/** A number rounded to 3 decimals: sums of doubles differ in the last bits with the order in
 * which parallel workers add them. */
const round3 = (v) => Math.round(Number(v) * 1000) / 1000;

/** Same answer from tarn over the lake table and DuckDB over the CSV (numbers as numbers). */
async function sameAsDuck(dir, sql) {
  const ours = sqlJson(dir, sql);
  const theirs = await duck(sql);
  const norm = (rows) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) =>
    [k, v === null ? null : round3(v)])));
  assert.deepEqual(norm(ours), norm(theirs), sql);
  return ours;
}

const days = 30;

test('a day range on the partition source column reads only those days', { skip: skipDuck }, async () => {
  const dir = setup();
  const sql = "SELECT count(*) AS n, sum(amount) AS s FROM sales " +
    "WHERE order_ts >= TIMESTAMP '2024-03-10' AND order_ts < TIMESTAMP '2024-03-12'";
  const rows = await sameAsDuck(dir, sql);
  assert.ok(rows[0].n > 0);
  const p = pruned(explain(dir, sql));
  assert.equal(p.files, days, p.line);
  assert.equal(p.files - p.filesSkipped, 2, p.line); // the files of March 10 and 11
  assert.equal(p.manifests, 1, p.line);
  assert.ok(p.rowGroups >= 2, p.line); // the row groups of the two files read, from their footers
  const a = pruned(explain(dir, sql, true));
  assert.equal(a.files - a.filesSkipped, 2, a.line);
  assert.equal(a.rowsScanned, rows[0].n, a.line);
  assert.ok(a.rowGroups >= 2, a.line);
});

test('constants folded into the filter still prune (arithmetic, casts)', { skip: skipDuck }, async () => {
  const dir = setup();
  const sql = "SELECT count(*) AS n FROM sales " +
    "WHERE order_ts >= CAST('2024-03-' || '20' AS TIMESTAMP) AND order_ts < TIMESTAMP '2024-03-20' + INTERVAL '1 day'";
  await sameAsDuck(dir, sql);
  const p = pruned(explain(dir, sql));
  assert.equal(p.files - p.filesSkipped, 1, p.line);
});

test('CAST(timestamp AS DATE) compared with a date prunes as a range of the timestamp', { skip: skipDuck }, async () => {
  const dir = setup();
  for (const [cond, days] of [["CAST(order_ts AS DATE) = DATE '2024-03-11'", 1],
    ["CAST(order_ts AS DATE) >= DATE '2024-03-28'", 3], ["DATE '2024-03-02' > CAST(order_ts AS DATE)", 1]]) {
    const sql = `SELECT count(*) AS n, sum(amount) AS s FROM sales WHERE ${cond}`;
    await sameAsDuck(dir, sql);
    const p = pruned(explain(dir, sql));
    assert.equal(p.files - p.filesSkipped, days, p.line);
  }
});

test('an IN list on the partition source column reads the days it names', { skip: skipDuck }, async () => {
  const dir = setup();
  const sql = "SELECT count(*) AS n FROM sales " +
    "WHERE order_ts IN (TIMESTAMP '2024-03-03 00:07:00', TIMESTAMP '2024-03-05 01:10:00')";
  await sameAsDuck(dir, sql);
  const p = pruned(explain(dir, sql));
  // the IN list prunes as the range between its items: March 3, 4 and 5
  assert.equal(p.files - p.filesSkipped, 3, p.line);
});

test('column bounds prune files on other columns; IS NULL on a column without NULLs reads none', { skip: skipDuck }, async () => {
  const dir = setup();
  let sql = 'SELECT count(*) AS n, sum(amount) AS s FROM sales WHERE id BETWEEN 1000 AND 1010';
  await sameAsDuck(dir, sql);
  let p = pruned(explain(dir, sql));
  assert.equal(p.files - p.filesSkipped, 1, p.line);
  sql = 'SELECT count(*) AS n FROM sales WHERE region IS NULL';
  await sameAsDuck(dir, sql);
  p = pruned(explain(dir, sql));
  assert.equal(p.filesSkipped, p.files, p.line);
});

test('no filter: nothing pruned, same answer', { skip: skipDuck }, async () => {
  const dir = setup();
  const sql = 'SELECT region, count(*) AS n, sum(amount) AS s FROM sales GROUP BY region ORDER BY region';
  const ours = sqlJson(dir, sql);
  const theirs = await duck(sql);
  assert.deepEqual(ours.map((r) => [r.region, Number(r.n), round3(r.s)]),
    theirs.map((r) => [r.region, Number(r.n), round3(r.s)]));
  const p = pruned(explain(dir, sql));
  assert.equal(p.filesSkipped, 0, p.line);
  assert.equal(p.files, days, p.line);
});

test('EXPLAIN ANALYZE gives rows and time for every operator', { skip: skipTarn }, () => {
  const dir = setup();
  const lines = explain(dir, "SELECT region, count(*) FROM sales WHERE order_ts < TIMESTAMP '2024-03-02' GROUP BY region", true);
  const ops = lines.filter((l) => !/^total:/.test(l));
  assert.ok(ops.length >= 3, JSON.stringify(lines));
  for (const l of ops) assert.match(l, /\(rows \d+, \d+\.\d{3} ms\)$/, l);
  assert.match(lines.at(-1), /^total: 3 rows in/);
});
