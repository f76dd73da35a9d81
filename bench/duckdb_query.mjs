// SPDX-License-Identifier: Apache-2.0
//
// Runs one SQL statement in a fresh in-memory DuckDB and prints, as one JSON line, how long
// the statement took inside this process: {"times":[s, ...], "best":s, "columns":[...],
// "rows":[...]} (rows as DuckDB's JSON: BIGINT and DECIMAL as text, DATE as 'YYYY-MM-DD').
//
// The benchmark (bench/bench.mjs) starts this script in its own process for every case, so
// that DuckDB's memory is measured alone. Usage:
//   node duckdb_query.mjs [--warm] [--runs N] SQL
// --warm runs the statement once, untimed, before the N timed runs (default 1 run).
// The DuckDB package is resolved from TARN_PEERS_DIR (default tests/peers/node_modules).

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const peers = process.env.TARN_PEERS_DIR || path.join(here, '..', 'tests', 'peers', 'node_modules');

let warm = false;
let runs = 1;
let sql;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--warm') warm = true;
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else sql = args[i];
}
if (!sql || !(runs >= 1)) {
  console.error('usage: node duckdb_query.mjs [--warm] [--runs N] SQL');
  process.exit(2);
}

const entry = createRequire(path.join(peers, 'resolve-from-here.js')).resolve('@duckdb/node-api');
const { DuckDBInstance } = await import(pathToFileURL(entry).href);
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();

// The result is read in full, as tarn's side prints its full answer (at most a few hundred rows).
async function once() {
  const start = process.hrtime.bigint();
  const reader = await con.runAndReadAll(sql);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, columns: reader.columnNames(), rows: reader.getRowsJson() };
}

if (warm) await once();
const times = [];
let last;
for (let i = 0; i < runs; i++) {
  last = await once();
  times.push(last.seconds);
}
process.stdout.write(JSON.stringify({ times, best: Math.min(...times), columns: last.columns, rows: last.rows }) + '\n');
