// SPDX-License-Identifier: Apache-2.0
//
// DECIMAL values of every storage width (precision <= 18 is int64 in tarn, 19..38 is 128
// bits) through files: a Parquet file DuckDB wrote (INT32, INT64 and FIXED_LEN_BYTE_ARRAY
// decimals) read by tarn with the same aggregates as DuckDB computes; tarn's own Parquet
// output read back by tarn and by DuckDB; CSV and NDJSON output read back by tarn.
//
// Environment: TARN_BIN, TARN_PEERS_DIR (DuckDB for node).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  scratchDir, duckdbMissing, duckdbConnect, sqlString, tarnMissing, runTarn, describeRun,
  parseCsv,
} from './lib.mjs';

const skip = tarnMissing() || duckdbMissing();

// precision, scale of each column; the values are a pure function of the row number, with
// NULLs every 11th row, and reach the largest magnitudes each type holds
const COLUMNS = [
  ['d1', 1, 0], ['d4', 4, 2], ['d9', 9, 3], ['d10', 10, 2], ['d15', 15, 2], ['d18', 18, 4],
  ['d19', 19, 4], ['d38', 38, 10],
];
const ROWS = 5000;

function valueSql(name, p, s) {
  const intDigits = p - s;
  // (i * 7919) mod 10^intDigits, signed, plus a fraction from i: every digit position is used
  const mod = `CAST(10 AS HUGEINT) ^ ${Math.min(intDigits, 30)}`;
  const ip = intDigits === 0 ? '0' : `((CAST(i AS HUGEINT) * 7919 * 104729) % CAST(${mod} AS HUGEINT))`;
  const frac = s === 0 ? '' : ` || '.' || lpad(CAST((i * 31) % CAST(10 ^ ${Math.min(s, 9)} AS BIGINT) AS VARCHAR), ${Math.min(s, 9)}, '0')`;
  const sign = `CASE WHEN i % 2 = 1 THEN '-' ELSE '' END`;
  return `CASE WHEN i % 11 = 0 THEN NULL ELSE CAST(${sign} || CAST(${ip} AS VARCHAR)${frac} AS DECIMAL(${p},${s})) END AS ${name}`;
}

const selectAll = `SELECT i, ${COLUMNS.map(([n, p, s]) => valueSql(n, p, s)).join(', ')} FROM range(${ROWS}) t(i)`;

// the aggregates both engines must agree on, as text
const aggregates = COLUMNS.map(([n]) =>
  `CAST(sum(${n}) AS VARCHAR), CAST(min(${n}) AS VARCHAR), CAST(max(${n}) AS VARCHAR), count(${n})`).join(', ');

function tarnCsv(sql, cwd) {
  const args = ['sql', '--no-project', '--format', 'csv', '-c', sql];
  const r = runTarn(args, { cwd, timeout: 120_000 });
  assert.equal(r.status, 0, describeRun(args, r));
  return parseCsv(r.stdout).rows.map((row) => row.map((v) => v ?? ''));
}

async function duckRows(con, sql) {
  const reader = await con.runAndReadAll(sql);
  return reader.getRowsJson().map((row) => row.map((v) => (v === null ? '' : String(v))));
}

describe('DECIMAL of every width through files', { skip }, () => {
  const dir = scratchDir('decimal');
  const duckFile = path.join(dir, 'duck.parquet');
  const tarnFile = path.join(dir, 'tarn.parquet');
  let con;

  test('DuckDB writes the decimals', async () => {
    con = await duckdbConnect();
    await con.run(`COPY (${selectAll}) TO ${sqlString(duckFile)} (FORMAT parquet, ROW_GROUP_SIZE 2000)`);
    const schema = await duckRows(con, `SELECT name, type FROM parquet_schema(${sqlString(duckFile)}) WHERE name LIKE 'd%' ORDER BY name`);
    const physical = Object.fromEntries(schema);
    assert.equal(physical.d9, 'INT32');
    assert.equal(physical.d18, 'INT64');
    assert.equal(physical.d19, 'FIXED_LEN_BYTE_ARRAY');
  });

  test('tarn reads DuckDB\'s file with DuckDB\'s sums, minimums and maximums', async () => {
    const sql = `SELECT ${aggregates} FROM ${sqlString(duckFile)}`;
    const got = tarnCsv(sql, dir);
    const want = await duckRows(con, sql);
    assert.deepEqual(got, want);
  });

  test('filters, groups and joins on the decimals agree with DuckDB', async () => {
    const f = sqlString(duckFile);
    for (const sql of [
      `SELECT count(*) FROM ${f} WHERE d18 > 0 AND d9 < 0`,
      `SELECT count(*) FROM ${f} WHERE d19 >= CAST(d18 AS DECIMAL(19,4))`,
      `SELECT CAST(sum(CAST(d15 AS DECIMAL(19,2)) * d10) AS VARCHAR), CAST(sum(d9 * d4) AS VARCHAR), CAST(sum(d15 - d18) AS VARCHAR), CAST(sum(d4 * d1) AS VARCHAR) FROM ${f}`,
      `SELECT d1, count(*), CAST(sum(d18) AS VARCHAR), CAST(max(d38) AS VARCHAR) FROM ${f} GROUP BY d1 ORDER BY d1 NULLS LAST`,
      `SELECT count(*), CAST(sum(b.d15) AS VARCHAR) FROM ${f} a JOIN ${f} b ON a.d4 = b.d4 WHERE a.i < 200`,
    ]) {
      assert.deepEqual(tarnCsv(sql, dir), await duckRows(con, sql), sql);
    }
  });

  test('tarn\'s Parquet output keeps every value, for tarn and for DuckDB', async () => {
    const args = ['sql', '--no-project', '--format', 'parquet', '-o', tarnFile, '-c',
      `SELECT * FROM ${sqlString(duckFile)}`];
    const r = runTarn(args, { cwd: dir, timeout: 120_000 });
    assert.equal(r.status, 0, describeRun(args, r));
    const all = `SELECT i, ${COLUMNS.map(([n]) => `CAST(${n} AS VARCHAR)`).join(', ')} FROM `;
    const original = tarnCsv(`${all}${sqlString(duckFile)} ORDER BY i`, dir);
    assert.equal(original.length, ROWS);
    assert.deepEqual(tarnCsv(`${all}${sqlString(tarnFile)} ORDER BY i`, dir), original);
    const duck = await duckRows(con, `${all}${sqlString(tarnFile)} ORDER BY i`);
    assert.deepEqual(duck, original);
    const types = await duckRows(con, `SELECT name, type, type_length FROM parquet_schema(${sqlString(tarnFile)}) WHERE name IN ('d9', 'd18', 'd19') ORDER BY name`);
    assert.deepEqual(types.map((t) => t.slice(0, 2)), [['d18', 'INT64'], ['d19', 'FIXED_LEN_BYTE_ARRAY'], ['d9', 'INT32']]);
  });

  for (const format of ['csv', 'ndjson']) {
    test(`${format} output reads back to the same decimals`, () => {
      const out = path.join(dir, `out.${format}`);
      const args = ['sql', '--no-project', '--format', format, '-o', out, '-c',
        `SELECT * FROM ${sqlString(duckFile)}`];
      const r = runTarn(args, { cwd: dir, timeout: 120_000 });
      assert.equal(r.status, 0, describeRun(args, r));
      // the text of each value (read as text, not inferred), cast back to its type, is the value
      const back = COLUMNS.map(([n, p, s]) => `CAST(${n} AS DECIMAL(${p},${s}))`);
      const reader = format === 'csv' ? 'read_csv' : 'read_ndjson';
      const read = tarnCsv(`SELECT ${COLUMNS.map(([n], k) => `CAST(sum(${back[k]}) AS VARCHAR)`).join(', ')} FROM ${reader}(${sqlString(out)}, all_varchar => true)`, dir);
      const orig = tarnCsv(`SELECT ${COLUMNS.map(([n]) => `CAST(sum(${n}) AS VARCHAR)`).join(', ')} FROM ${sqlString(duckFile)}`, dir);
      assert.deepEqual(read, orig);
    });
  }
});
