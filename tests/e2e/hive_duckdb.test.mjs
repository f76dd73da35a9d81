// SPDX-License-Identifier: Apache-2.0
//
// Hive-partitioned files between tarn and DuckDB: COPY ... PARTITION_BY in tarn writes the
// same folders and files as DuckDB's, DuckDB reads tarn's output back with the same rows, and
// tarn reads DuckDB's output (hive partitioning detected from the paths) with the same rows
// and types. Both engines compute the source rows from the same SQL, so nothing is hard-coded.
//
// Environment: TARN_BIN, TARN_PEERS_DIR (DuckDB for node).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  scratchDir, duckdbMissing, duckdbConnect, sqlString, tarnMissing, runTarn, describeRun,
  parseJsonOutput,
} from './lib.mjs';

const skip = tarnMissing() || duckdbMissing();

// 5000 rows (several batches), 7 x 4 x 2 partitions: integers, strings that need escaping
// (space, '/', '='), NULLs, dates.
const SOURCE = `SELECT i, i % 7 AS k,
  CASE WHEN i % 5 = 0 THEN NULL ELSE 'a b/c=' || (i % 3) END AS s,
  DATE '2024-01-01' + CAST(i % 2 AS INTEGER) AS d, 'v' || i AS v
  FROM range(5000) t(i)`;

// Every column as text, in one order, so the engines' renderings can be compared.
const AS_TEXT = `SELECT CAST(i AS VARCHAR) AS i, CAST(k AS VARCHAR) AS k, s,
  CAST(d AS VARCHAR) AS d, v`;

function tarnRows(sql) {
  const args = ['sql', '--no-project', '--format', 'json', '-c', sql];
  const r = runTarn(args, { timeout: 300_000 });
  assert.equal(r.status, 0, describeRun(args, r));
  return parseJsonOutput(args, r).map((o) => Object.values(o).map((v) => (v == null ? null : String(v))));
}

function tarnRun(sql) {
  const args = ['sql', '--no-project', '-c', sql];
  const r = runTarn(args, { timeout: 300_000 });
  assert.equal(r.status, 0, describeRun(args, r));
}

async function duckRows(db, sql) {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowsJson().map((r) => r.map((v) => (v == null ? null : String(v))));
}

/** The files under dir, relative, sorted. */
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

for (const format of ['parquet', 'csv']) {
  test(`tarn's PARTITION_BY (${format}) is DuckDB's layout, and DuckDB reads it back`, { skip }, async () => {
    const dir = scratchDir(`hive-${format}`);
    const ours = path.join(dir, 'tarn');
    const theirs = path.join(dir, 'duckdb');
    const copy = (to) => `COPY (${SOURCE}) TO ${sqlString(to)} (FORMAT ${format}, PARTITION_BY (k, s, d))`;
    tarnRun(copy(ours));
    const db = await duckdbConnect();
    await db.run(copy(theirs));
    assert.deepEqual(listFiles(ours), listFiles(theirs));

    const glob = (root) => sqlString(`${root}/**/*.${format}`);
    const reader = format === 'parquet' ? 'read_parquet' : 'read_csv';
    const expected = await duckRows(db, `${AS_TEXT} FROM (${SOURCE}) ORDER BY i`);
    const duckReadsOurs = await duckRows(db,
      `${AS_TEXT} FROM ${reader}(${glob(ours)}, hive_partitioning = true) ORDER BY i`);
    assert.deepEqual(duckReadsOurs, expected);
    const weReadOurs = tarnRows(`${AS_TEXT} FROM ${reader}(${glob(ours)}) ORDER BY i`);
    assert.deepEqual(weReadOurs, expected);
  });
}

test("tarn reads DuckDB's partitioned files: rows, types and pruning", { skip }, async () => {
  const dir = scratchDir('hive-read');
  const theirs = path.join(dir, 'duckdb');
  const db = await duckdbConnect();
  await db.run(`COPY (${SOURCE}) TO ${sqlString(theirs)} (FORMAT parquet, PARTITION_BY (d, k, s))`);
  const glob = sqlString(`${theirs}/*/*/*/*.parquet`);
  for (const where of ['', 'WHERE k = 3', "WHERE s = 'a b/c=1' AND d = DATE '2024-01-02'",
    'WHERE s IS NULL AND k IN (1, 5)']) {
    const sql = `${AS_TEXT} FROM ${glob} ${where} ORDER BY i`;
    assert.deepEqual(tarnRows(sql), await duckRows(db, sql), sql);
  }
  const describe = `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${glob})`;
  const theirTypes = await duckRows(db, describe);
  const ourTypes = tarnRows(`DESCRIBE SELECT * FROM ${glob}`).map((r) => r.slice(0, 2));
  assert.deepEqual(ourTypes, theirTypes);

  const plan = tarnRows(`EXPLAIN SELECT i FROM ${glob} WHERE k = 3`).map((r) => r[0]).join('\n');
  assert.match(plan, /pruned: files 48\/56/, plan);
});

// More partitions than tarn keeps writers open (100) and more waiting rows than it holds
// (524,288): the least recently used files close and their partitions go on in data_1, ...
// DuckDB reads every row back; the files are named as DuckDB names them, numbered from 0
// without gaps in each folder, and no temporary file is left.
test('many partitions: files rotate as DuckDB names them, DuckDB reads every row', { skip }, async () => {
  const dir = scratchDir('hive-many');
  const ours = path.join(dir, 'tarn');
  const source = `SELECT i, CASE WHEN i % 301 = 0 THEN NULL ELSE i % 300 END AS k, 'v' || i AS v
    FROM range(1000000) t(i)`;
  tarnRun(`COPY (${source}) TO ${sqlString(ours)} (FORMAT parquet, PARTITION_BY (k))`);
  const files = listFiles(ours);
  const byFolder = new Map();
  for (const f of files) {
    const m = /^(k=(?:\d+|__HIVE_DEFAULT_PARTITION__))\/data_(\d+)\.parquet$/.exec(f);
    assert.ok(m, `unexpected file ${f}`);
    if (!byFolder.has(m[1])) byFolder.set(m[1], []);
    byFolder.get(m[1]).push(Number(m[2]));
  }
  assert.equal(byFolder.size, 301);
  for (const [folder, numbers] of byFolder) {
    numbers.sort((a, b) => a - b);
    assert.deepEqual(numbers, numbers.map((_, i) => i), folder);
  }
  assert.ok(files.length > byFolder.size, 'some partitions were written in more than one file');

  const db = await duckdbConnect();
  const check = `SELECT count(*), sum(i), count(*) FILTER (WHERE k IS NULL), count(DISTINCT k),
    count(*) FILTER (WHERE v <> 'v' || i OR k IS DISTINCT FROM
      (CASE WHEN i % 301 = 0 THEN NULL ELSE i % 300 END))`;
  const theirs = await duckRows(db, `${check} FROM read_parquet(${sqlString(`${ours}/*/*.parquet`)}, hive_partitioning = true)`);
  const expected = await duckRows(db, `${check} FROM (${source})`);
  assert.deepEqual(theirs, expected);
});

test('a failed partitioned COPY leaves no file behind', { skip }, async () => {
  const dir = scratchDir('hive-fail');
  const ours = path.join(dir, 'tarn');
  // fails after writers were opened, closed and reopened (past 524,288 waiting rows)
  const sql = `COPY (SELECT i % 300 AS k, CAST(CASE WHEN i < 900000 THEN CAST(i AS VARCHAR)
    ELSE 'oops' END AS BIGINT) AS v FROM range(1000000) t(i))
    TO ${sqlString(ours)} (FORMAT parquet, PARTITION_BY (k))`;
  const args = ['sql', '--no-project', '-c', sql];
  const r = runTarn(args, { timeout: 300_000 });
  assert.notEqual(r.status, 0, describeRun(args, r));
  assert.deepEqual(fs.existsSync(ours) ? listFiles(ours) : [], []);
});

// FILENAME_PATTERN and WRITE_PARTITION_COLUMNS name and fill the files as DuckDB does.
for (const option of ["FILENAME_PATTERN 'file_{i}'", "FILENAME_PATTERN 'rows'",
  "FILENAME_PATTERN 'a{i}b{i}'", 'WRITE_PARTITION_COLUMNS true']) {
  test(`tarn's PARTITION_BY with ${option} is DuckDB's`, { skip }, async () => {
    const dir = scratchDir('hive-option');
    const ours = path.join(dir, 'tarn');
    const theirs = path.join(dir, 'duckdb');
    const copy = (to) => `COPY (${SOURCE}) TO ${sqlString(to)} (FORMAT parquet, PARTITION_BY (k, s), ${option})`;
    tarnRun(copy(ours));
    const db = await duckdbConnect();
    await db.run(copy(theirs));
    assert.deepEqual(listFiles(ours), listFiles(theirs));
    const columns = (root) => duckRows(db, `SELECT column_name, column_type FROM (DESCRIBE SELECT *
      FROM read_parquet(${sqlString(`${root}/**/*.parquet`)}, hive_partitioning = false))`);
    assert.deepEqual(await columns(ours), await columns(theirs));
    const rows = (root) => duckRows(db, `${AS_TEXT} FROM read_parquet(${sqlString(`${root}/**/*.parquet`)},
      hive_partitioning = true) ORDER BY i`);
    assert.deepEqual(await rows(ours), await rows(theirs));
  });
}

test("tarn's FILENAME_PATTERN '{uuid}' names each file with a new version 4 UUID", { skip }, async () => {
  const dir = scratchDir('hive-uuid');
  const ours = path.join(dir, 'tarn');
  tarnRun(`COPY (${SOURCE}) TO ${sqlString(ours)} (FORMAT parquet, PARTITION_BY (k), FILENAME_PATTERN 'p_{uuid}')`);
  const files = listFiles(ours);
  assert.equal(files.length, 7);
  const uuids = new Set();
  for (const f of files) {
    const m = /^k=\d\/p_([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.parquet$/.exec(f);
    assert.ok(m, f);
    uuids.add(m[1]);
  }
  assert.equal(uuids.size, files.length);
});
