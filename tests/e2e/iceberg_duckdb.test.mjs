// SPDX-License-Identifier: Apache-2.0
//
// Other Iceberg readers read a table tarn wrote and see the same rows: a partitioned table
// (day(day), identity(region)) with two snapshots and an added column (old rows NULL).
//
// The table comes from the unit test `lake::e2e_fixture` (tests/unit/lake/test_table.c), run
// with TARN_LAKE_E2E_DIR=<folder>; it writes expected.json beside the table.
//
// Readers:
// - DuckDB's iceberg_scan, when the iceberg extension loads (it is downloaded on first use,
//   so offline machines skip this part with the reason);
// - icebird (an independent JavaScript Iceberg reader, npm `icebird`), when installed in
//   tests/peers (`npm install --no-save icebird`); its fetch() calls for file:// locations are
//   served from the local disk.
//
// Environment: TARN_TEST_LAKE_TABLE (the unit test binary; default
// build/tests/unit/lake/test_lake_table), TARN_PEERS_DIR.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { repoRoot, scratchDir, duckdbMissing, duckdbConnect, sqlString, PEERS_DIR } from './lib.mjs';

const TEST_BIN = process.env.TARN_TEST_LAKE_TABLE || path.join(repoRoot, 'build/tests/unit/lake/test_lake_table');

function makeTable() {
  const dir = scratchDir('iceberg-e2e');
  const r = spawnSync(TEST_BIN, ['--filter', 'lake/e2e_fixture', '-j1'], {
    env: { ...process.env, TARN_LAKE_E2E_DIR: dir }, encoding: 'utf8', timeout: 120_000,
  });
  assert.equal(r.status, 0, `fixture writer failed: ${r.stdout}\n${r.stderr}`);
  return JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
}

function normalise(row) {
  const out = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'bigint') out[k] = Number(v);
    else if (v instanceof Date) out[k] = v.toISOString().slice(0, 10);
    else if (v && typeof v === 'object' && 'days' in v) out[k] = new Date(v.days * 86400000).toISOString().slice(0, 10);
    else out[k] = v === undefined ? null : v;
  }
  return out;
}

const binMissing = fs.existsSync(TEST_BIN) ? false : `unit test binary missing: ${TEST_BIN}`;

test('DuckDB iceberg_scan reads a table tarn wrote', { skip: binMissing || duckdbMissing() }, async (t) => {
  const conn = await duckdbConnect();
  try {
    await conn.run('LOAD iceberg');
  } catch (e) {
    t.skip(`DuckDB's iceberg extension is not loadable offline (${String(e.message).split('\n')[0]}); ` +
      'icebird covers the cross-reader check below');
    return;
  }
  const expected = makeTable();
  const meta = path.join(expected.table, 'metadata', expected.metadata);
  const reader = await conn.runAndReadAll(
    `SELECT id, region, CAST(day AS VARCHAR) AS day, amount, qty FROM iceberg_scan(${sqlString(meta)}) ORDER BY id`);
  const rows = reader.getRowObjects().map(normalise);
  assert.deepEqual(rows, expected.rows);
});

function loadIcebird() {
  const entry = path.join(PEERS_DIR, 'icebird', 'src', 'index.js');
  return fs.existsSync(entry) ? entry : null;
}

test('icebird reads a table tarn wrote', { skip: binMissing || (loadIcebird() ? false : 'icebird not installed in tests/peers (npm install --no-save icebird)') }, async () => {
  const expected = makeTable();
  // Serve file:// URLs (and byte ranges of them) from disk.
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init = {}) => {
    const u = String(url);
    if (!u.startsWith('file://') && !u.startsWith('/')) return realFetch(url, init);
    const file = u.startsWith('file://') ? fileURLToPath(u) : u;
    if (!fs.existsSync(file)) return new Response('not found', { status: 404 });
    const data = fs.readFileSync(file);
    if ((init.method || 'GET') === 'HEAD') {
      return new Response(null, { status: 200, headers: { 'content-length': String(data.length) } });
    }
    const range = init.headers && (init.headers.Range || init.headers.range ||
      (typeof init.headers.get === 'function' && init.headers.get('range')));
    if (range) {
      const m = /bytes=(\d+)-(\d*)/.exec(range);
      const start = Number(m[1]);
      const end = m[2] ? Number(m[2]) + 1 : data.length;
      return new Response(data.subarray(start, end), { status: 206 });
    }
    return new Response(data, { status: 200, headers: { 'content-length': String(data.length) } });
  };
  try {
    const { icebergRead } = await import(pathToFileURL(loadIcebird()).href);
    const rows = await icebergRead({ tableUrl: pathToFileURL(expected.table).href, metadataFileName: expected.metadata });
    const got = rows.map(normalise).map(r => ({ id: r.id, region: r.region, day: r.day, amount: r.amount, qty: r.qty ?? null }))
      .sort((a, b) => a.id - b.id);
    assert.deepEqual(got, expected.rows);
  } finally {
    globalThis.fetch = realFetch;
  }
});
