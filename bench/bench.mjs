// SPDX-License-Identifier: Apache-2.0
//
// tarn vs DuckDB on the same files, in one run, on one machine: the benchmark table.
//
// bench/run.sh builds tarn, generates the data and installs DuckDB, then runs this script.
// Every case is one row of CASES below: a tarn command line, a DuckDB statement doing the same
// work, a check that tarn's answer is right, and a target for the time ratio tarn/DuckDB.
//
// Timing. tarn: wall time of the whole process, start to exit, as a user sees it, taken by
// timed_run (bench/timed_run.c: posix_spawn, wait4; node's own ~5 ms to start any child is not
// tarn's and is not counted). DuckDB: the
// time of the statement inside its process (start-up and loading the library are not
// counted, which favours DuckDB). Both sides run once untimed to warm the file cache, then
// BENCH_RUNS times (3 by default) back to back: DuckDB's statement in its process, tarn's
// process from one timed_run (cases that must clean up between runs are started one at a
// time); the best is reported. tarn's standard output goes to a file while it is timed.
// Memory. tarn: peak RSS of the process (timed_run, from wait4). DuckDB: peak RSS of a separate node
// process running just the statement once, minus the peak RSS of node running an empty
// script (the node runtime is not DuckDB's cost; the DuckDB library is).
//
// SQL cases: each file in bench/queries/ is run verbatim by both engines, from a folder holding
// the Parquet files it names: tarn as `tarn sql -f FILE --format csv` (the whole process),
// DuckDB in-process. tarn's answer must equal DuckDB's (numbers to 1e-9 relative), or the case
// is WRONG.
//
// Usage: node bench/bench.mjs --rows "1000000 10000000" [--tpch-sf 1] [--case REGEX]
// (run.sh passes BENCH_ROWS and BENCH_TPCH_SF)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const outDir = path.join(here, 'out');
const TARN = path.resolve(process.env.TARN_BIN || path.join(root, process.env.BENCH_BUILD_DIR || 'build', 'src/cli/tarn'));
// run.sh builds timed_run with the generators and passes its path.
const RUNNER = path.resolve(process.env.BENCH_RUNNER || path.join(root, process.env.BENCH_BUILD_DIR || 'build', 'bench/timed_run'));
const RUNS = Number(process.env.BENCH_RUNS || 3);
// A SQL case whose tarn run takes longer than this is killed and reported as not available
// (an engine without join reordering can take hours over a cross product).
const SQL_TIMEOUT = Number(process.env.BENCH_SQL_TIMEOUT || 300);

let rowCounts = [1_000_000, 10_000_000];
// --case REGEX runs only the cases whose name matches (cases a matched one `needs` must exist).
let caseFilter = null;
// --tpch-sf SF: the scale factor of the TPC-H cases (their data is bench/out/tpch_sf<SF>/); 0 skips them.
let tpchSf = '1';
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--rows') rowCounts = process.argv[++i].split(/[\s,]+/).filter(Boolean).map(Number);
  else if (process.argv[i] === '--case') caseFilter = new RegExp(process.argv[++i]);
  else if (process.argv[i] === '--tpch-sf') tpchSf = process.argv[++i];
}

const label = (n) => (n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n % 1000 === 0 ? `${n / 1000}k` : String(n));
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
const mib = (bytes) => bytes / (1024 * 1024);

/** Checks on tarn's `inspect --format json` answer: every row read, none rejected. */
function expectInspect(rows) {
  return (stdout) => {
    let info;
    try {
      info = JSON.parse(stdout);
    } catch {
      return 'inspect printed no JSON';
    }
    if (info.rows !== rows) return `inspect counted ${info.rows} rows, want ${rows}`;
    if (info.rejected) return `inspect rejected ${info.rejected} rows`;
    return null;
  };
}

/** Checks that `file` is a Parquet file. */
function expectParquet(file) {
  return () => {
    if (!fs.existsSync(file)) return `no ${path.basename(file)} written`;
    const fd = fs.openSync(file, 'r');
    const magic = Buffer.alloc(4);
    fs.readSync(fd, magic, 0, 4, 0);
    fs.closeSync(fd);
    return magic.toString() === 'PAR1' ? null : `${path.basename(file)} is not Parquet`;
  };
}

// ---------------------------------------------------------------------------------------------
// The cases. To add one: push an object with
//   name     shown in the table
//   tarn     argv for tarn
//   duckdb   one SQL statement doing the same work
//   check    (stdout) => null if tarn's answer is right, else why not
//   target   the time ratio tarn/DuckDB to reach (PASS when ratio <= target)
//   needs    files that must exist before the case can run (optional)
//   outputs  {tarn, duckdb} files written, whose sizes are reported (optional)
//
// The DuckDB statements for reading aggregate every column (count(*) plus max() of each
// column via COLUMNS(*)). count(*) alone lets DuckDB skip building the columns, and
// CREATE TABLE AS would add the cost of DuckDB's own storage; max() forces every field to be
// parsed and converted while adding almost nothing (measured: the same time as count(col) of
// every column, see README.md).

/** Checks the summary of `tarn ingest`: every row added, none rejected. */
function expectIngest(rows) {
  return (stdout) => {
    const m = /: ([\d,]+) rows added/.exec(stdout);
    if (!m) return `ingest printed no summary: ${stdout.slice(0, 200)}`;
    const added = Number(m[1].replaceAll(',', ''));
    if (added !== rows) return `ingest added ${added} rows, want ${rows}`;
    if (/rejected/.test(stdout)) return 'ingest rejected rows';
    return null;
  };
}

// The lake cases run in a project of their own, made afresh before every tarn run.
const lakeProject = path.join(outDir, 'lake_project');
const duckPartDir = path.join(outDir, 'duckdb_partitioned');
// 1,000 small CSV files (bench/run.sh makes them): ingest (with the catalog's work: hashes,
// ledger, one commit) against convert of the same files, to price the catalog.
const smallDir = path.join(outDir, 'small_1000');
const smallProject = path.join(outDir, 'small_project');
const smallPq = path.join(outDir, 'small_1000.tarn.parquet');
let smallFilesCasesAdded = 0;

function newProject(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  const r = spawnSync(TARN, ['init', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tarn init ${dir}: ${r.stderr}`);
}

function smallFileCases() {
  const files = fs.readdirSync(smallDir).filter((f) => f.endsWith('.csv')).length;
  return [
    {
      name: `convert ${files} small files`,
      tarn: ['convert', smallDir, smallPq, '--compression', 'zstd'],
      duckdb: `COPY (SELECT * FROM read_csv(${q(path.join(smallDir, '*.csv'))})) TO ${q(path.join(outDir, 'small_1000.duckdb.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
      check: expectParquet(smallPq),
      clean: [smallPq],
      target: 1.0,
    },
    {
      name: `ingest ${files} small files`,
      setup: () => newProject(smallProject),
      tarn: ['-C', smallProject, 'ingest', smallDir, '--into', 'small'],
      duckdb: `COPY (SELECT * FROM read_csv(${q(path.join(smallDir, '*.csv'))})) TO ${q(path.join(outDir, 'small_1000.duckdb.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
      check: (stdout) => (/rows added/.test(stdout) ? null : `ingest printed no summary: ${stdout.slice(0, 200)}`),
      // Compared with the convert case above (see the note under the table): <= 1.2.
      versus: `convert ${files} small files`,
      versusTarget: 1.2,
      target: 1.0,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// SQL cases. The query files name their inputs by bare file names ('lineitem.parquet'), and both
// engines run from the folder that holds them, so one file serves every scale.

const queriesDir = path.join(here, 'queries');
const salesQueries = ['sales_count', 'sales_scan', 'sales_daily_revenue', 'sales_top_products',
  'sales_like', 'sales_distinct_customers', 'sales_brand_category'];
const tpchQueries = ['tpch_q01', 'tpch_q03', 'tpch_q05', 'tpch_q06', 'tpch_q09', 'tpch_q18'];
const productsPq = path.join(outDir, 'products.duckdb.parquet');

/** RFC 4180 CSV with a header line, as `tarn sql --format csv` prints it: {header, rows}. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let i = 0;
  while (i < text.length) {
    let value;
    if (text[i] === '"') {
      let j = ++i;
      value = '';
      for (;;) {
        j = text.indexOf('"', i);
        if (j < 0) throw new Error('unterminated quoted field');
        value += text.slice(i, j);
        if (text[j + 1] === '"') { value += '"'; i = j + 2; continue; }
        i = j + 1;
        break;
      }
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      value = j === i ? null : text.slice(i, j); // an unquoted empty field is NULL
      i = j;
    }
    row.push(value);
    if (text[i] === ',') { i++; continue; }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    rows.push(row);
    row = [];
  }
  return { header: rows.shift() || [], rows };
}

/** Equal as the benchmark counts it: numbers to 1e-9 relative (sums of doubles depend on the
 * order of addition, which differs between engines), everything else as text. */
function sameValue(a, b) {
  if (a == null || b == null) return a == null && b == null;
  const x = Number(a);
  const y = Number(b);
  if (String(a).trim() !== '' && String(b).trim() !== '' && Number.isFinite(x) && Number.isFinite(y))
    return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  return String(a) === String(b);
}

/** Compares tarn's CSV answer with DuckDB's rows; null when equal, else the first difference. */
function compareWithDuckdb(stdout, duck) {
  if (!duck?.rows) return 'no DuckDB answer to compare with';
  let got;
  try {
    got = parseCsv(stdout);
  } catch (e) {
    return `tarn printed no CSV: ${e.message}`;
  }
  if (got.header.length !== duck.columns.length)
    return `tarn printed ${got.header.length} columns, DuckDB ${duck.columns.length}`;
  if (got.rows.length !== duck.rows.length) return `tarn printed ${got.rows.length} rows, DuckDB ${duck.rows.length}`;
  for (let r = 0; r < got.rows.length; r++) {
    for (let c = 0; c < got.header.length; c++) {
      const a = got.rows[r][c] ?? null;
      const b = duck.rows[r][c];
      if (!sameValue(a, b)) return `row ${r + 1}, ${duck.columns[c]}: tarn ${a}, DuckDB ${b}`;
    }
  }
  return null;
}

/** A case running bench/queries/<stem>.sql in dir with both engines. */
function sqlCase(name, stem, dir, needs, prepare) {
  const file = path.join(queriesDir, `${stem}.sql`);
  return {
    name,
    cwd: dir,
    prepare,
    needs,
    tarn: ['sql', '--no-project', '-f', file, '--format', 'csv'],
    duckdb: fs.readFileSync(file, 'utf8'),
    check: compareWithDuckdb,
    timeout: SQL_TIMEOUT,
    target: 1.0,
  };
}

/** The sales queries over sales_<L>.duckdb.parquet, named sales.parquet in a folder of links. */
function salesSqlCases(L, duckPq) {
  const dir = path.join(outDir, `sql_sales_${L}`);
  const link = () => {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, target] of [['sales.parquet', duckPq], ['products.parquet', productsPq]]) {
      fs.rmSync(path.join(dir, name), { force: true });
      fs.symlinkSync(target, path.join(dir, name));
    }
  };
  return salesQueries.map((stem) => sqlCase(`sql ${stem.replace('sales_', '')} ${L}`, stem, dir,
    [duckPq, productsPq], link));
}

/** TPC-H Q1, Q3, Q5, Q6, Q9 and Q18 over bench/out/tpch_sf<SF>/ (run.sh writes it). */
function tpchCases() {
  if (!Number(tpchSf)) return [];
  const dir = path.join(outDir, `tpch_sf${tpchSf}`);
  const needs = ['lineitem', 'orders', 'customer', 'part', 'partsupp', 'supplier', 'nation', 'region']
    .map((t) => path.join(dir, `${t}.parquet`));
  return tpchQueries.map((stem) => sqlCase(`${stem.replace('_q', ' q')} sf${tpchSf}`, stem, dir, needs));
}

function casesFor(rows) {
  const L = label(rows);
  const csv = path.join(outDir, `sales_${L}.csv`);
  const ndjson = path.join(outDir, `sales_${L}.ndjson`);
  const tarnPq = path.join(outDir, `sales_${L}.tarn.parquet`);
  const duckPq = path.join(outDir, `sales_${L}.duckdb.parquet`);
  const tarnJsonPq = path.join(outDir, `sales_${L}.ndjson.tarn.parquet`);
  const duckJsonPq = path.join(outDir, `sales_${L}.ndjson.duckdb.parquet`);
  return [
    {
      name: `parse csv ${L}`,
      tarn: ['inspect', csv, '--format', 'json'],
      duckdb: `SELECT count(*), max(COLUMNS(*)) FROM read_csv(${q(csv)})`,
      check: expectInspect(rows),
      target: 0.6,
    },
    {
      name: `parse ndjson ${L}`,
      tarn: ['inspect', ndjson, '--format', 'json'],
      duckdb: `SELECT count(*), max(COLUMNS(*)) FROM read_json(${q(ndjson)}, format='newline_delimited')`,
      check: expectInspect(rows),
      target: 0.6,
    },
    {
      name: `csv->parquet zstd ${L}`,
      tarn: ['convert', csv, tarnPq, '--compression', 'zstd'],
      duckdb: `COPY (SELECT * FROM read_csv(${q(csv)})) TO ${q(duckPq)} (FORMAT parquet, COMPRESSION zstd)`,
      check: expectParquet(tarnPq),
      outputs: { tarn: tarnPq, duckdb: duckPq },
      clean: [tarnPq],
      target: 0.7,
    },
    {
      name: `ndjson->parquet zstd ${L}`,
      tarn: ['convert', ndjson, tarnJsonPq, '--compression', 'zstd'],
      duckdb: `COPY (SELECT * FROM read_json(${q(ndjson)}, format='newline_delimited')) TO ${q(duckJsonPq)} (FORMAT parquet, COMPRESSION zstd)`,
      check: expectParquet(tarnJsonPq),
      outputs: { tarn: tarnJsonPq, duckdb: duckJsonPq },
      clean: [tarnJsonPq],
      target: 0.7,
    },
    {
      name: `decode parquet(duckdb) ${L}`,
      needs: [duckPq],
      tarn: ['inspect', duckPq, '--format', 'json'],
      duckdb: `SELECT count(*), max(COLUMNS(*)) FROM read_parquet(${q(duckPq)})`,
      check: expectInspect(rows),
      target: 1.0,
    },
    {
      // One snapshot of a table partitioned by day, from a new project each run. DuckDB writes
      // the same Hive-partitioned Parquet files (its day column computed) without a catalog.
      name: `ingest csv by day ${L}`,
      setup: () => newProject(lakeProject),
      tarn: ['-C', lakeProject, 'ingest', csv, '--into', 'sales', '--partition-by', 'day(order_ts)'],
      duckdb: `COPY (SELECT *, CAST(order_ts AS DATE) AS day FROM read_csv(${q(csv)})) TO ${q(duckPartDir)} ` +
        '(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day), OVERWRITE_OR_IGNORE)',
      check: expectIngest(rows),
      target: 0.8,
    },
    ...(smallFilesCasesAdded++ === 0 && fs.existsSync(smallDir) ? smallFileCases() : []),
    {
      name: `decode parquet(tarn) ${L}`,
      needs: [tarnPq],
      tarn: ['inspect', tarnPq, '--format', 'json'],
      duckdb: `SELECT count(*), max(COLUMNS(*)) FROM read_parquet(${q(tarnPq)})`,
      check: expectInspect(rows),
      target: 1.0,
    },
    ...salesSqlCases(L, duckPq),
  ];
}

// ---------------------------------------------------------------------------------------------

/**
 * Runs argv under timed_run, in cwd when given; returns {seconds, rssKiB, status, stdout,
 * stderr, timedOut}. With timeout (seconds) timed_run kills the command when the time is up
 * and reports status 137.
 */
function timed(argv, { cwd, timeout, runs } = {}) {
  const resultFile = path.join(os.tmpdir(), `tarn-bench-run-${process.pid}`);
  fs.rmSync(resultFile, { force: true });
  const cmd = [RUNNER, ...(timeout ? ['--timeout', String(timeout)] : []),
    ...(runs > 1 ? ['--runs', String(runs)] : []), '-o', resultFile, '--', ...argv];
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
  let result = null;
  try {
    result = fs.readFileSync(resultFile, 'utf8').trim().split(/\s+/).map(Number);
  } catch { /* the command never started */ }
  fs.rmSync(resultFile, { force: true });
  if (r.error || !result) {
    const why = r.error ? r.error.message : firstLine(r.stderr) || `${RUNNER} wrote no result`;
    return { seconds: NaN, rssKiB: null, status: -1, stdout: '', stderr: why };
  }
  const [seconds, rssKiB, status] = result;
  const timedOut = Boolean(timeout) && status === 137;
  return { seconds, rssKiB, status, stdout: r.stdout, stderr: r.stderr, timedOut };
}

function firstLine(s) {
  return (s || '').split('\n').find((l) => l.trim()) || '';
}

/** Why a tarn run failed, in one line. */
function tarnFailure(r, c) {
  if (r.timedOut) return `tarn did not finish within ${c.timeout} s (killed)`;
  // tarn's SQL errors are several lines (message, the line of SQL, a caret): keep the first.
  return `tarn exit ${r.status}: ${firstLine(r.stderr)}`;
}

function runTarnCase(c, duck) {
  if (!fs.existsSync(TARN)) return { error: `no tarn binary at ${TARN}` };
  const opts = { cwd: c.cwd, timeout: c.timeout };
  for (const f of c.clean || []) fs.rmSync(f, { force: true });
  c.setup?.();
  const warm = timed([TARN, ...c.tarn], opts);
  if (warm.status !== 0) return { error: tarnFailure(warm, c) };
  const wrong = c.check(warm.stdout, duck);
  // A wrong answer is not timed: its time would mean nothing.
  if (wrong) return { wrong, seconds: null, rssMiB: null };
  // A case that leaves nothing to clean up runs its timed runs back to back in one timed_run,
  // as DuckDB's statement runs back to back in its process; the others one at a time.
  if (!c.clean && !c.setup) {
    const r = timed([TARN, ...c.tarn], { ...opts, runs: RUNS });
    if (r.status !== 0) return { error: tarnFailure(r, c) };
    return { seconds: r.seconds, rssMiB: (r.rssKiB ?? 0) / 1024, wrong };
  }
  let best = Infinity;
  let rss = 0;
  for (let i = 0; i < RUNS; i++) {
    for (const f of c.clean || []) fs.rmSync(f, { force: true });
    c.setup?.();
    const r = timed([TARN, ...c.tarn], opts);
    if (r.status !== 0) return { error: tarnFailure(r, c) };
    best = Math.min(best, r.seconds);
    if (r.rssKiB != null) rss = Math.max(rss, r.rssKiB);
  }
  return { seconds: best, rssMiB: rss / 1024, wrong };
}

const QUERY = path.join(here, 'duckdb_query.mjs');

function runDuckdbCase(c, nodeBaselineKiB) {
  const t = spawnSync(process.execPath, [QUERY, '--warm', '--runs', String(RUNS), c.duckdb],
    { cwd: c.cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (t.status !== 0) return { error: `duckdb: ${firstLine(t.stderr)}` };
  const { best, columns, rows } = JSON.parse(t.stdout);
  let rssMiB = null;
  const m = timed([process.execPath, QUERY, '--runs', '1', c.duckdb], { cwd: c.cwd });
  if (m.status === 0 && m.rssKiB != null) rssMiB = Math.max(0, m.rssKiB - nodeBaselineKiB) / 1024;
  return { seconds: best, rssMiB, columns, rows };
}

function pad(s, n, right = false) {
  s = String(s);
  return right ? s.padStart(n) : s.padEnd(n);
}

function fmt(x, digits) {
  return x == null || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

function main() {
  if (!fs.existsSync(RUNNER)) {
    console.error(`bench: no ${RUNNER} (bench/timed_run.c; bench/run.sh builds it)`);
    process.exit(1);
  }
  const baseline = timed([process.execPath, '-e', '']).rssKiB ?? 0;
  const duckVersion = (() => {
    const r = spawnSync(process.execPath, [QUERY, 'SELECT version()'], { encoding: 'utf8' });
    try {
      return JSON.parse(r.stdout).rows[0][0];
    } catch {
      return 'unavailable';
    }
  })();
  const tarnVersion = fs.existsSync(TARN) ? firstLine(spawnSync(TARN, ['--version'], { encoding: 'utf8' }).stdout) : 'not built';
  const cpu = os.cpus();
  console.log(`tarn benchmark: ${tarnVersion} vs DuckDB ${duckVersion}`);
  console.log(`machine: ${cpu.length} x ${cpu[0]?.model?.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`);
  console.log(`timing: best of ${RUNS} after one warm-up run; tarn = whole process wall time (spawn to exit), DuckDB = statement time in-process`);
  console.log(`memory: peak RSS; DuckDB's is a node process running the statement minus node's own baseline (${fmt(baseline / 1024, 1)} MiB, empty script)`);
  console.log('');

  const header = [pad('case', 30), pad('tarn s', 8, true), pad('duckdb s', 9, true), pad('ratio', 7, true),
    pad('tarn MiB', 9, true), pad('duckdb MiB', 11, true), pad('target', 7, true), '  result'].join(' ');
  console.log(header);
  console.log('-'.repeat(header.length));
  const notes = [];
  const results = [];
  const cases = [...rowCounts.map((rows) => casesFor(rows).map((c) => ({ rows, c }))).flat(),
    ...tpchCases().map((c) => ({ rows: null, c }))];
  for (const { rows, c } of cases) {
    if (caseFilter && !caseFilter.test(c.name)) continue;
    const missing = (c.needs || []).filter((f) => !fs.existsSync(f));
    let t;
    let d;
    if (missing.length) {
      t = { error: `needs ${missing.map((f) => path.basename(f)).join(', ')} (an earlier case or run.sh did not write it)` };
      d = { error: 'skipped' };
    } else {
      c.prepare?.();
      d = runDuckdbCase(c, baseline);
      t = runTarnCase(c, d);
    }
    const ratio = t.seconds != null && d.seconds ? t.seconds / d.seconds : null;
    let result;
    if (t.error) result = 'not available';
    else if (t.wrong) result = 'WRONG';
    else if (ratio == null) result = 'n/a';
    else result = ratio <= c.target ? 'PASS' : 'MISS';
    console.log([pad(c.name, 30), pad(fmt(t.seconds, 3), 8, true), pad(fmt(d.seconds, 3), 9, true),
      pad(fmt(ratio, 2), 7, true), pad(fmt(t.rssMiB, 1), 9, true), pad(fmt(d.rssMiB, 1), 11, true),
      pad(`<=${c.target.toFixed(2)}`, 7, true), `  ${result}`].join(' '));
    if (t.error) notes.push(`${c.name}: ${t.error}`);
    if (t.wrong) notes.push(`${c.name}: tarn's answer is wrong: ${t.wrong}`);
    if (d.error && d.error !== 'skipped') notes.push(`${c.name}: ${d.error}`);
    if (c.outputs) {
      const size = (f) => (fs.existsSync(f) ? `${fmt(mib(fs.statSync(f).size), 1)} MiB` : 'none');
      notes.push(`${c.name}: output size tarn ${size(c.outputs.tarn)}, duckdb ${size(c.outputs.duckdb)}`);
    }
    const { rows: _duckRows, ...duckSummary } = d;
    results.push({ case: c.name, rows, tarn: t, duckdb: duckSummary, ratio, target: c.target, result,
      versus: c.versus, versusTarget: c.versusTarget });
  }
  // Cases measured against another tarn case (the catalog's cost over plain conversion).
  for (const r of results) {
    const c = r.versus && results.find((x) => x.case === r.versus);
    if (!c || r.tarn.seconds == null || c.tarn.seconds == null) continue;
    const ratio = r.tarn.seconds / c.tarn.seconds;
    notes.push(`${r.case} vs ${r.versus}: ${fmt(ratio, 2)}x (target <= ${r.versusTarget.toFixed(2)}) ` +
      `${ratio <= r.versusTarget ? 'PASS' : 'MISS'}`);
  }
  if (notes.length) {
    console.log('');
    for (const n of notes) console.log(`  ${n}`);
  }
  fs.writeFileSync(path.join(outDir, 'last_results.json'),
    JSON.stringify({ date: new Date().toISOString(), tarn: tarnVersion, duckdb: duckVersion, results }, null, 2) + '\n');
}

main();
