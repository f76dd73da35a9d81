// SPDX-License-Identifier: Apache-2.0
//
// End-to-end tests of the lake commands: `tarn ingest`, `crawl`, `tables`, `describe`,
// `history`, `quarantine` and `vacuum` against a real project in a scratch folder. Data is
// read back by DuckDB (read_parquet over the table's current data files, from
// `tarn describe --files`) and by an independent Iceberg reader (icebird, from npm), and the
// commit protocol is tested by killing `tarn ingest` with SIGKILL at random moments and by
// two processes ingesting into one table at once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  TARN_BIN, PEERS_DIR, tarnMissing, runTarn, describeRun, parseJsonOutput, scratchDir, writeFile,
  duckdbMissing, duckdbConnect, sqlString,
} from './lib.mjs';

const skipTarn = tarnMissing();
const skipDuck = skipTarn || duckdbMissing();

/** A fresh project; returns its folder. */
function newProject(tag) {
  const dir = scratchDir(`lake-${tag}`);
  const r = runTarn(['init', dir]);
  assert.equal(r.status, 0, describeRun(['init', dir], r));
  return dir;
}

/** Runs tarn in project dir and asserts success; returns the run. */
function tarnOk(dir, args, opts = {}) {
  const full = ['-C', dir, ...args];
  const r = runTarn(full, opts);
  assert.equal(r.status, 0, describeRun(full, r));
  return r;
}

function tarnJson(dir, args) {
  const full = ['-C', dir, ...args, '--format', 'json'];
  const r = tarnOk(dir, [...args, '--format', 'json']);
  return parseJsonOutput(full, r);
}

/** CSV text of rows id = start..start+n-1 with a day, a group, an amount and a name. */
function salesCsv(start, n, { header = true } = {}) {
  const lines = header ? ['id,order_ts,region,amount,name'] : [];
  for (let i = start; i < start + n; i++) {
    const day = 1 + (i % 5);
    lines.push(`${i},2024-03-0${day} ${String(i % 24).padStart(2, '0')}:00:00,${['north', 'south', 'east'][i % 3]},` +
      `${(i % 1000) / 10},name ${i}`);
  }
  return lines.join('\n') + '\n';
}

async function duckRows(dir, table, sql) {
  const d = tarnJson(dir, ['describe', table, '--files']);
  const con = await duckdbConnect();
  if (d.data_files.length === 0) return { describe: d, rows: [] };
  const list = `[${d.data_files.map(sqlString).join(',')}]`;
  const reader = await con.runAndReadAll(sql.replaceAll('$FILES', `read_parquet(${list}, union_by_name = true)`));
  return { describe: d, rows: reader.getRowObjectsJson() };
}

// ---------------------------------------------------------------------------------------------

test('lake commands need a project and say how to make one', { skip: skipTarn }, () => {
  const dir = scratchDir('noproject');
  for (const args of [['tables'], ['describe', 'x'], ['history', 'x'], ['quarantine', 'x'], ['vacuum'],
    ['ingest', 'a.csv', '--into', 'x'], ['crawl', '.']]) {
    const r = runTarn(args, { cwd: dir });
    assert.equal(r.status, 1, describeRun(args, r));
    assert.match(r.stderr, /tarn init/, describeRun(args, r));
  }
});

test('ingest creates a partitioned table in one snapshot; tables, describe, history keys', { skip: skipDuck }, async () => {
  const dir = newProject('basic');
  const a = writeFile(dir, 'a.csv', salesCsv(1, 100));
  const b = writeFile(dir, 'b.csv', salesCsv(101, 50));
  fs.mkdirSync(path.join(dir, 'more'));
  writeFile(path.join(dir, 'more'), 'c.csv', salesCsv(151, 25));
  const r = tarnOk(dir, ['ingest', a, b, path.join(dir, 'more'), '--into', 'shop.sales',
    '--partition-by', 'day(order_ts), region']);
  assert.match(r.stdout, /Ingested 3 inputs into shop\.sales \(new table\): 175 rows added/);

  const tables = tarnJson(dir, ['tables']);
  assert.equal(tables.length, 1);
  assert.deepEqual(Object.keys(tables[0]), ['name', 'rows', 'files', 'bytes']);
  assert.equal(tables[0].name, 'shop.sales');
  assert.equal(tables[0].rows, 175);
  assert.ok(tables[0].files >= 15, `one file per day x region: ${tables[0].files}`);
  assert.ok(tables[0].bytes > 0);

  const d = tarnJson(dir, ['describe', 'shop.sales']);
  assert.deepEqual(Object.keys(d), ['name', 'location', 'metadata_location', 'snapshot_id', 'rows', 'files',
    'bytes', 'columns', 'partition_spec', 'schema_versions']);
  assert.equal(d.rows, 175);
  assert.equal(d.files, tables[0].files);
  assert.deepEqual(d.columns.map((c) => Object.keys(c)), d.columns.map(() => ['id', 'name', 'type', 'nullable']));
  assert.deepEqual(d.columns.map((c) => c.name), ['id', 'order_ts', 'region', 'amount', 'name']);
  assert.deepEqual(d.columns.map((c) => c.id), [1, 2, 3, 4, 5]);
  assert.equal(d.columns[1].type, 'TIMESTAMP');
  assert.deepEqual(d.partition_spec, [
    { source: 'order_ts', transform: 'day', name: 'order_ts_day' },
    { source: 'region', transform: 'identity', name: 'region' },
  ]);
  assert.equal(d.schema_versions.length, 1);
  assert.deepEqual(Object.keys(d.schema_versions[0]), ['schema_id', 'columns', 'change']);

  const h = tarnJson(dir, ['history', 'shop.sales']);
  assert.equal(h.length, 1, 'all inputs of one command are one snapshot');
  assert.deepEqual(Object.keys(h[0]), ['snapshot_id', 'timestamp', 'operation', 'added_rows', 'added_files',
    'removed_rows', 'removed_files']);
  assert.equal(h[0].operation, 'append');
  assert.equal(h[0].added_rows, 175);
  assert.equal(h[0].added_files, d.files);
  assert.equal(String(h[0].snapshot_id), String(d.snapshot_id));
  assert.match(h[0].timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  // The rows read back by DuckDB are the input's rows.
  const { rows } = await duckRows(dir, 'shop.sales',
    'SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS ids, sum(id)::BIGINT AS s FROM $FILES');
  assert.deepEqual(rows[0], { n: 175, ids: 175, s: String((175 * 176) / 2) });

  // Text output for people.
  const text = tarnOk(dir, ['describe', 'shop.sales']).stdout;
  assert.match(text, /partition\s+day\(order_ts\), region/);
  assert.match(tarnOk(dir, ['tables']).stdout, /shop\.sales\s+175/);
  assert.match(tarnOk(dir, ['history', 'shop.sales']).stdout, /append\s+175/);
});

test('ingest is idempotent by content; --force loads again; overwrite replaces', { skip: skipTarn }, () => {
  const dir = newProject('idem');
  const a = writeFile(dir, 'a.csv', salesCsv(1, 10));
  tarnOk(dir, ['ingest', a, '--into', 't']);
  // Same bytes under another name are the same content.
  const copy = writeFile(dir, 'copy.csv', salesCsv(1, 10));
  const again = tarnOk(dir, ['ingest', a, copy, '--into', 't']);
  assert.match(again.stdout, /Nothing to ingest/);
  assert.match(again.stdout, /skipped: .*a\.csv \(already ingested\)/);
  assert.equal(tarnJson(dir, ['describe', 't']).rows, 10);
  assert.equal(tarnJson(dir, ['history', 't']).length, 1);

  const b = writeFile(dir, 'b.csv', salesCsv(11, 5));
  const mixed = tarnOk(dir, ['ingest', a, b, '--into', 't']);
  assert.match(mixed.stdout, /Ingested 1 input into main\.t: 5 rows added/);
  assert.equal(tarnJson(dir, ['describe', 't']).rows, 15);

  tarnOk(dir, ['ingest', a, '--into', 't', '--force']);
  assert.equal(tarnJson(dir, ['describe', 't']).rows, 25);

  tarnOk(dir, ['ingest', b, '--into', 't', '--mode', 'overwrite']);
  assert.equal(tarnJson(dir, ['describe', 't']).rows, 5);
  const h = tarnJson(dir, ['history', 't']);
  assert.equal(h.at(-1).operation, 'overwrite');
  assert.equal(h.at(-1).removed_rows, 25);
  assert.equal(h.at(-1).added_rows, 5);
});

test('schema evolution: a new column and a widening make a new schema version', { skip: skipDuck }, async () => {
  const dir = newProject('evolve');
  const a = writeFile(dir, 'a.csv', 'id,qty\n1,10\n2,20\n');
  tarnOk(dir, ['ingest', a, '--into', 'ev']);
  let d = tarnJson(dir, ['describe', 'ev']);
  assert.deepEqual(d.columns.map((c) => [c.name, c.type]), [['id', 'INTEGER'], ['qty', 'INTEGER']]);
  const b = writeFile(dir, 'b.csv', 'id,qty,note\n3,3000000000,hello\n4,40,world\n');
  const r = tarnOk(dir, ['ingest', b, '--into', 'ev']);
  assert.match(r.stdout, /schema: +widen qty to BIGINT; add note VARCHAR/);
  d = tarnJson(dir, ['describe', 'ev']);
  assert.deepEqual(d.columns.map((c) => [c.id, c.name, c.type]),
    [[1, 'id', 'INTEGER'], [2, 'qty', 'BIGINT'], [3, 'note', 'VARCHAR']]);
  assert.equal(d.schema_versions.length, 2);
  assert.equal(d.schema_versions[0].change, 'created');
  assert.deepEqual(d.schema_versions[1].columns, ['id', 'qty', 'note']);
  assert.match(d.schema_versions[1].change, /add note/);
  assert.match(d.schema_versions[1].change, /widen qty/);
  assert.equal(d.rows, 4);
  // Old rows read the new column as NULL.
  const { rows } = await duckRows(dir, 'ev', 'SELECT id::INT AS id, qty::BIGINT AS qty, note FROM $FILES ORDER BY id');
  assert.deepEqual(rows, [
    { id: 1, qty: '10', note: null }, { id: 2, qty: '20', note: null },
    { id: 3, qty: '3000000000', note: 'hello' }, { id: 4, qty: '40', note: 'world' },
  ]);
});

test('rejected rows go to the quarantine with input, line, column, reason and raw text', { skip: skipTarn }, () => {
  const dir = newProject('quarantine');
  const a = writeFile(dir, 'a.csv', 'id,amount,day\n1,10,2024-01-01\n2,20,2024-01-02\n');
  tarnOk(dir, ['ingest', a, '--into', 'q']);
  const b = writeFile(dir, 'b.csv',
    'id,amount,day\n3,30,2024-01-03\n4,lots,2024-01-04\n5,50,2024-13-45\n6,60,2024-01-06,extra\n7,70,2024-01-07\n');
  const r = tarnOk(dir, ['ingest', b, '--into', 'q']);
  assert.match(r.stdout, /2 rows added/);
  assert.match(r.stdout, /rejected: 3 rows quarantined; see them with: tarn quarantine main\.q/);
  assert.equal(tarnJson(dir, ['describe', 'q']).rows, 4);
  const q = tarnJson(dir, ['quarantine', 'q']);
  assert.equal(q.length, 3);
  for (const row of q) {
    assert.deepEqual(Object.keys(row), ['table', 'input', 'line', 'column', 'column_name', 'reason', 'raw',
      'run_id', 'created']);
    assert.equal(row.table, 'main.q');
    assert.equal(row.input, fs.realpathSync(b));
  }
  const byLine = Object.fromEntries(q.map((row) => [row.line, row]));
  assert.equal(byLine[3].column_name, 'amount');
  assert.match(byLine[3].reason, /lots/);
  assert.equal(byLine[3].raw, '4,lots,2024-01-04');
  assert.equal(byLine[4].column_name, 'day');
  assert.match(byLine[5].raw, /extra/);
  const text = tarnOk(dir, ['quarantine', 'q']).stdout;
  assert.match(text, /b\.csv\s+3\s+2 \(amount\)/);
  // A clean table has an empty quarantine.
  assert.deepEqual(tarnJson(dir, ['quarantine', 'q']).filter((x) => x.input.endsWith('a.csv')), []);
});

test('ingest errors: unknown table for describe, bad partition spec, bad mode', { skip: skipTarn }, () => {
  const dir = newProject('errors');
  const a = writeFile(dir, 'a.csv', 'id,ts\n1,2024-01-01 00:00:00\n');
  let r = runTarn(['-C', dir, 'describe', 'nope']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no table 'main\.nope'/);
  r = runTarn(['-C', dir, 'ingest', a, '--into', 't', '--partition-by', 'weekly(ts)']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown partition transform 'weekly'/);
  r = runTarn(['-C', dir, 'ingest', a, '--into', 't', '--partition-by', 'day(missing)']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /missing/);
  r = runTarn(['-C', dir, 'ingest', a, '--into', 't', '--mode', 'upsert']);
  assert.equal(r.status, 1);
  r = runTarn(['-C', dir, 'ingest', a]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--into/);
  tarnOk(dir, ['ingest', a, '--into', 't', '--partition-by', 'day(ts)']);
  const b = writeFile(dir, 'b.csv', 'id,ts\n2,2024-01-02 00:00:00\n');
  r = runTarn(['-C', dir, 'ingest', b, '--into', 't', '--partition-by', 'bucket(4, id)']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /partitioned by 'day\(ts\)'/);
});

test('ingest reads NDJSON and Parquet inputs', { skip: skipTarn }, () => {
  const dir = newProject('formats');
  const nd = writeFile(dir, 'a.ndjson', '{"id":1,"v":"x"}\n{"id":2,"v":"y"}\n');
  tarnOk(dir, ['ingest', nd, '--into', 'f']);
  const pq = path.join(dir, 'b.parquet');
  const csv = writeFile(dir, 'b.csv', 'id,v\n3,z\n');
  tarnOk(dir, ['convert', csv, pq]);
  tarnOk(dir, ['ingest', pq, '--into', 'f', '--format', 'parquet']);
  assert.equal(tarnJson(dir, ['describe', 'f']).rows, 3);
});

test('vacuum expires snapshots and leaves exactly the referenced files', { skip: skipTarn }, () => {
  const dir = newProject('vacuum');
  for (let i = 0; i < 3; i++) tarnOk(dir, ['ingest', writeFile(dir, `v${i}.csv`, salesCsv(i * 10, 10)), '--into', 'v']);
  // An orphan: a data file nothing references (as a killed write leaves).
  const dataDir = path.join(dir, 'lake', 'main', 'v', 'data');
  fs.writeFileSync(path.join(dataDir, 'orphan.parquet'), 'not really parquet');
  const dry = tarnJson(dir, ['vacuum', 'v', '--retention', '0s', '--grace', '0s', '--dry-run']);
  assert.equal(dry[0].name, 'main.v');
  assert.ok(dry[0].files_removed >= 1);
  assert.ok(fs.existsSync(path.join(dataDir, 'orphan.parquet')), 'dry run removes nothing');
  tarnOk(dir, ['vacuum', 'v', '--retention', '0s', '--grace', '0s']);
  assert.ok(!fs.existsSync(path.join(dataDir, 'orphan.parquet')));
  assert.equal(tarnJson(dir, ['history', 'v']).length, 1);
  const d = tarnJson(dir, ['describe', 'v', '--files']);
  assert.equal(d.rows, 30);
  assert.deepEqual(listFiles(dataDir).sort(), d.data_files.map((f) => path.resolve(f)).sort());
  // Vacuum with nothing to do is fine, and all tables is the default.
  assert.match(tarnOk(dir, ['vacuum']).stdout, /main\.v: expired 0 snapshots/);
});

function listFiles(root) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The commit protocol under kills and races.

function spawnTarn(args) {
  const child = spawn(TARN_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return { child, done };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('crash test: SIGKILL at random moments never loses or doubles a committed input', { skip: skipDuck, timeout: 600_000 }, async () => {
  const dir = newProject('crash');
  const ROWS = 20_000;
  const FILES = 24;
  const inputs = [];
  for (let i = 0; i < FILES; i++) inputs.push(writeFile(dir, `part${i}.csv`, salesCsv(i * ROWS, ROWS)));
  // How long one ingest takes, to spread the kills over its whole life.
  const t0 = Date.now();
  tarnOk(dir, ['ingest', inputs[0], '--into', 'crash', '--partition-by', 'day(order_ts)']);
  // Then from the runs that finished, spawn to exit (not to the pipes' close, which comes
  // later): on a loaded machine (fsync waits) one run's time says little, and kills that come
  // after the exit would leave the test without kills.
  const finished = [Math.max(Date.now() - t0, 20)];
  const median = () => [...finished].sort((a, b) => a - b)[finished.length >> 1];
  let killed = 0;
  let seed = 12345;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  let runs = 0;
  for (let i = 1; killed < 24 && runs < 120; i++, runs++) {
    // Two inputs per run, so a kill can also fall between them.
    const args = ['-C', dir, 'ingest', inputs[i % FILES], inputs[(i * 7 + 3) % FILES], '--into', 'crash'];
    const started = Date.now();
    const { child, done } = spawnTarn(args);
    let exitedAt = 0;
    child.once('exit', () => { exitedAt = Date.now(); });
    await sleep(Math.floor(random() * median()));
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      killed++;
    }
    const r = await done;
    if (r.status === 0) finished.push(Math.max((exitedAt || Date.now()) - started, 5));
    assert.ok(r.signal === 'SIGKILL' || r.status === 0, `run ${i}: ${r.status} ${r.signal} ${r.stderr}`);
    // After every kill the table is consistent: its rows are whole inputs.
    const d = tarnJson(dir, ['describe', 'crash']);
    assert.equal(d.rows % ROWS, 0, `after run ${i} the table holds ${d.rows} rows: a partial input`);
  }
  assert.ok(killed >= 20, `only ${killed} runs were killed`);
  // Running every input again loads exactly the ones whose commit never happened.
  tarnOk(dir, ['ingest', ...inputs, '--into', 'crash']);
  const { describe, rows } = await duckRows(dir, 'crash',
    'SELECT count(*)::BIGINT AS n, count(DISTINCT id)::BIGINT AS ids, min(id)::BIGINT AS lo, max(id)::BIGINT AS hi FROM $FILES');
  assert.equal(describe.rows, FILES * ROWS, 'none lost, none doubled');
  assert.deepEqual(rows[0], { n: String(FILES * ROWS), ids: String(FILES * ROWS), lo: '0', hi: String(FILES * ROWS - 1) });
  // Vacuum removes every orphan the kills left: what stays is exactly what the table references.
  tarnOk(dir, ['vacuum', 'crash', '--retention', '0s', '--grace', '0s']);
  const after = tarnJson(dir, ['describe', 'crash', '--files']);
  const dataDir = path.join(dir, 'lake', 'main', 'crash', 'data');
  assert.deepEqual(listFiles(dataDir).sort(), after.data_files.map((f) => path.resolve(f)).sort());
  const metaDir = path.join(dir, 'lake', 'main', 'crash', 'metadata');
  assert.ok(!listFiles(metaDir).some((f) => /\.tmp|~$/.test(f)), 'no temporary files remain');
  assert.equal(after.rows, FILES * ROWS);
});

test('crash test: a schema change is never committed without the rows that needed it', { skip: skipTarn, timeout: 600_000 }, async () => {
  const dir = newProject('crash-schema');
  tarnOk(dir, ['ingest', writeFile(dir, 'seed.csv', salesCsv(0, 100)), '--into', 'evolve', '--partition-by', 'day(order_ts)']);
  // Each input adds a column of its own, so each run changes the schema, then writes rows.
  const ROWS = 200_000;
  const inputs = [];
  for (let i = 0; i < 3; i++) {
    const body = salesCsv(1000 + i * ROWS, ROWS, { header: false }).trimEnd().split('\n').map((l) => `${l},${i}`);
    inputs.push(writeFile(dir, `extra${i}.csv`, `id,order_ts,region,amount,name,extra_${i}\n${body.join('\n')}\n`));
  }
  const check = (when) => {
    // Every column the schema has came with its input's rows.
    const d = tarnJson(dir, ['describe', 'evolve']);
    const extras = d.columns.map((c) => c.name).filter((n) => n.startsWith('extra_'));
    assert.equal(d.rows, 100 + extras.length * ROWS,
      `${when}: columns ${extras.join(',')} but ${d.rows} rows: a schema change without its data`);
    assert.equal(d.schema_versions.length, 1 + extras.length);
    return extras.length;
  };
  for (let i = 0; i < inputs.length; i++) {
    const { child, done } = spawnTarn(['-C', dir, 'ingest', inputs[i], '--into', 'evolve']);
    // The moment the new column shows in the catalog, the process is killed: the rows that
    // needed it must be there already.
    while (child.exitCode === null && child.signalCode === null) {
      const d = parseJsonOutput(['describe'], runTarn(['-C', dir, 'describe', 'evolve', '--format', 'json']));
      if (d.columns.some((c) => c.name === `extra_${i}`)) break;
      await sleep(5);
    }
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
    const r = await done;
    assert.ok(r.signal === 'SIGKILL' || r.status === 0, `run ${i}: ${r.status} ${r.signal} ${r.stderr}`);
    check(`after run ${i}`);
  }
  // Loading every input again completes the table.
  tarnOk(dir, ['ingest', ...inputs, '--into', 'evolve']);
  assert.equal(check('at the end'), inputs.length);
  assert.equal(tarnJson(dir, ['describe', 'evolve']).rows, 100 + inputs.length * ROWS);
});

test('ingest draws progress on a terminal and nothing otherwise', { skip: skipTarn || (fs.existsSync('/usr/bin/script') ? false : 'no script(1)') }, () => {
  const dir = newProject('progress');
  const big = writeFile(dir, 'big.csv', salesCsv(0, 2_000_000));
  // Not a terminal: stderr stays empty.
  const quiet = tarnOk(dir, ['ingest', big, '--into', 'quiet']);
  assert.equal(quiet.stderr, '');
  // A terminal (script(1) gives the command a pseudo-terminal): the progress line is drawn
  // and cleared, then the summary is printed.
  const cmd = [TARN_BIN, '-C', dir, 'ingest', big, '--into', 'loud'].map((a) => `'${a}'`).join(' ');
  // The first line comes after half a second by default; a fast machine ingests the file
  // sooner than that, so the test asks for it at once.
  const env = { ...process.env, TARN_PROGRESS_AFTER_MS: '0' };
  delete env.TARN_NO_PROGRESS;
  const r = spawnSync('/usr/bin/script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env, timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /(big\.csv|writing data files) +(\d+% +)?[\d,]+ rows/, 'a progress line');
  assert.match(r.stdout, /\r\x1b\[K(\r|Ingested)/, 'the line is cleared');
  assert.match(r.stdout, /2,000,000 rows added/);
});

test('two processes ingesting into one table at once lose nothing', { skip: skipTarn, timeout: 300_000 }, async () => {
  const dir = newProject('race');
  tarnOk(dir, ['ingest', writeFile(dir, 'seed.csv', salesCsv(0, 10)), '--into', 'race']);
  let expected = 10;
  for (let round = 0; round < 5; round++) {
    const a = writeFile(dir, `a${round}.csv`, salesCsv(1000 + round * 2000, 500 + round));
    const b = writeFile(dir, `b${round}.csv`, salesCsv(2000 + round * 2000, 700 + round));
    expected += 500 + round + 700 + round;
    const runs = [spawnTarn(['-C', dir, 'ingest', a, '--into', 'race']), spawnTarn(['-C', dir, 'ingest', b, '--into', 'race'])];
    const results = await Promise.all(runs.map((x) => x.done));
    for (const r of results) assert.equal(r.status, 0, r.stderr);
  }
  assert.equal(tarnJson(dir, ['describe', 'race']).rows, expected);
  assert.equal(tarnJson(dir, ['history', 'race']).length, 11);
  // The same new file from two processes at once is loaded once.
  const same = writeFile(dir, 'same.csv', salesCsv(90_000, 300));
  const results = await Promise.all([0, 1].map(() => spawnTarn(['-C', dir, 'ingest', same, '--into', 'race']).done));
  assert.ok(results.some((r) => r.status === 0), results.map((r) => r.stderr).join());
  assert.equal(tarnJson(dir, ['describe', 'race']).rows, expected + 300);
});

// ---------------------------------------------------------------------------------------------
// An independent Iceberg reader.

// icebird is an ES module only (no require entry), so it is found by its path.
const ICEBIRD = path.join(PEERS_DIR, 'icebird', 'src', 'index.js');

function icebirdMissing() {
  return fs.existsSync(ICEBIRD) ? false
    : `icebird not installed in ${PEERS_DIR} (run: npm install --prefix tests/peers)`;
}

/** Lets icebird (which fetches URLs) read file:// locations from disk. */
function serveFileUrls() {
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
  return () => { globalThis.fetch = original; };
}

test('icebird reads a tarn-written table and returns the same rows', { skip: skipTarn || icebirdMissing() }, async () => {
  const dir = newProject('icebird');
  tarnOk(dir, ['ingest', writeFile(dir, 'a.csv', salesCsv(1, 40)), '--into', 'ice', '--partition-by', 'region']);
  tarnOk(dir, ['ingest', writeFile(dir, 'b.csv', 'id,order_ts,region,amount,name,extra\n41,2024-03-01 00:00:00,west,1.5,n41,yes\n'),
    '--into', 'ice']);
  const d = tarnJson(dir, ['describe', 'ice']);
  const metadata = JSON.parse(fs.readFileSync(d.metadata_location.replace(/^file:\/\//, ''), 'utf8'));
  const icebird = await import(pathToFileURL(ICEBIRD).href);
  const restore = serveFileUrls();
  let rows;
  try {
    rows = await icebird.icebergRead({ tableUrl: d.location, metadata });
  } finally {
    restore();
  }
  assert.equal(rows.length, 41);
  const ids = rows.map((r) => Number(r.id)).sort((x, y) => x - y);
  assert.deepEqual(ids, Array.from({ length: 41 }, (_, i) => i + 1));
  const byId = Object.fromEntries(rows.map((r) => [Number(r.id), r]));
  for (let i = 1; i <= 40; i++) assert.equal(byId[i].region, ['north', 'south', 'east'][i % 3]);
  assert.equal(byId[7].name, 'name 7');
  assert.equal(byId[41].extra, 'yes');
  assert.ok(byId[1].extra == null, 'a column added later reads as null in old files');
});

// ---------------------------------------------------------------------------------------------
// Crawl.

test('crawl registers folders as tables, with Hive and date partitions, and reports changes', { skip: skipDuck }, async () => {
  const dir = newProject('crawl');
  const src = path.join(dir, 'dump');
  const mk = (rel, text) => { fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true }); fs.writeFileSync(path.join(src, rel), text); };
  mk('orders/region=north/a.csv', 'id,amount\n1,10\n2,20\n');
  mk('orders/region=south/b.csv', 'id,amount\n3,30\n');
  mk('events/2024/03/01/e.ndjson', '{"id":1,"kind":"click"}\n');
  mk('events/2024/03/02/e.ndjson', '{"id":2,"kind":"view"}\n');
  const pq = path.join(dir, 'p.csv');
  fs.writeFileSync(pq, 'id,name\n1,a\n2,b\n3,c\n');
  fs.mkdirSync(path.join(src, 'products'), { recursive: true });
  tarnOk(dir, ['convert', pq, path.join(src, 'products', 'p.parquet')]);

  const r = tarnOk(dir, ['crawl', src, '--namespace', 'raw']);
  assert.match(r.stdout, /raw\.orders: created/);
  assert.match(r.stdout, /raw\.events: created/);
  assert.match(r.stdout, /raw\.products: created/);
  const tables = Object.fromEntries(tarnJson(dir, ['tables']).map((t) => [t.name, t]));
  assert.equal(tables['raw.orders'].rows, 3);
  assert.equal(tables['raw.events'].rows, 2);
  assert.equal(tables['raw.products'].rows, 3);
  const orders = tarnJson(dir, ['describe', 'raw.orders']);
  assert.ok(orders.columns.some((c) => c.name === 'region'), 'the partition folder is a column');
  const events = tarnJson(dir, ['describe', 'raw.events']);
  assert.ok(events.columns.some((c) => c.name === 'date'), 'yyyy/mm/dd folders are a date column');
  // Parquet is referenced in place: no copy.
  const products = tarnJson(dir, ['describe', 'raw.products', '--files']);
  assert.deepEqual(products.data_files, [path.join(src, 'products', 'p.parquet')]);
  const { rows } = await duckRows(dir, 'raw.orders', 'SELECT region, sum(amount)::INT AS s FROM $FILES GROUP BY region ORDER BY region');
  assert.deepEqual(rows, [{ region: 'north', s: 30 }, { region: 'south', s: 30 }]);

  // Crawling again: nothing changes; then new files and a new column are picked up.
  const again = tarnOk(dir, ['crawl', src, '--namespace', 'raw']);
  assert.match(again.stdout, /raw\.orders: unchanged/);
  mk('orders/region=east/c.csv', 'id,amount,coupon\n4,40,X1\n');
  const third = tarnOk(dir, ['crawl', src, '--namespace', 'raw']);
  assert.match(third.stdout, /raw\.orders: added 1 file, 1 rows/);
  assert.match(third.stdout, /add coupon/);
  assert.equal(tarnJson(dir, ['describe', 'raw.orders']).rows, 4);
  assert.equal(tarnJson(dir, ['describe', 'raw.orders']).schema_versions.length, 2);
});
