// SPDX-License-Identifier: Apache-2.0
//
// Shared helpers of the end-to-end tests: where the `tarn` binary, the peers and the
// conformance corpora are (all overridable by environment), running tarn as a child process
// with a timeout, scratch folders, reading tarn's NDJSON output without losing integer
// precision, and opening DuckDB as the reference reader.
//
// Not a test file itself (the runner only picks up *.test.mjs).

import { spawnSync, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

export const TARN_BIN = process.env.TARN_BIN || path.join(repoRoot, 'build/src/cli/tarn');
export const PEERS_DIR =
  process.env.TARN_PEERS_DIR || path.join(repoRoot, 'tests/peers/node_modules');
export const CONFORMANCE_DIR =
  process.env.TARN_CONFORMANCE_DIR || path.resolve(repoRoot, '..', 'shared', 'conformance');
export const GEN_SALES = process.env.TARN_GEN_SALES || path.join(repoRoot, 'build/bench/gen_sales');

/** Why tests that need the binary cannot run, or false when they can (node:test reads null as "skip"). */
export function tarnMissing() {
  try {
    fs.accessSync(TARN_BIN, fs.constants.X_OK);
    return false;
  } catch {
    return `tarn binary not found at ${TARN_BIN} (build it, or set TARN_BIN)`;
  }
}

/**
 * Runs tarn with args and returns {status, signal, stdout, stderr, timedOut, crashed}.
 * `crashed` is true when the process died of a signal or exited with a code >= 128 (a shell's
 * way of reporting one): that is never an acceptable answer to any input.
 */
export function runTarn(args, { timeout = 60_000, cwd, input, env } = {}) {
  const r = spawnSync(TARN_BIN, args, {
    cwd,
    input,
    env: env ? { ...process.env, ...env } : process.env,
    timeout,
    killSignal: 'SIGKILL',
    maxBuffer: 512 * 1024 * 1024,
    encoding: 'buffer',
  });
  const timedOut = r.error?.code === 'ETIMEDOUT';
  if (r.error && !timedOut) throw r.error;
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    timedOut,
    crashed: !timedOut && (r.signal != null || (r.status != null && r.status >= 128)),
  };
}

/** One line describing a run, for assertion messages. */
export function describeRun(args, r) {
  const why = r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  const err = r.stderr.length > 600 ? r.stderr.slice(0, 600) + '…' : r.stderr;
  return `tarn ${args.join(' ')} -> ${why}; stderr: ${JSON.stringify(err)}`;
}

/** Parses stdout of `--format json`; throws with the run's description when it is not JSON. */
export function parseJsonOutput(args, r) {
  try {
    return JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`stdout is not JSON (${e.message}); ${describeRun(args, r)}; stdout: ` +
      JSON.stringify(r.stdout.slice(0, 400)));
  }
}

/** A fresh scratch folder, removed when the process exits. */
export function scratchDir(tag) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tarn-e2e-${tag}-`));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes text (or bytes) to dir/name and returns the path. */
export function writeFile(dir, name, content) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

/** The path of the `zstd` command, or null. */
export function findZstd() {
  for (const d of (process.env.PATH || '').split(path.delimiter)) {
    const p = path.join(d, 'zstd');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch { /* keep looking */ }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// JSON that keeps number literals. JSON.parse turns 9007199254740993 into ...992; a test that
// compares integers must see exactly what tarn wrote, so numbers come back as JsonNumber.

export class JsonNumber {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

/** Parses one JSON text; numbers become JsonNumber. Throws SyntaxError on bad input. */
export function parseJsonExact(text) {
  let i = 0;
  const fail = (what) => { throw new SyntaxError(`${what} at offset ${i} of ${JSON.stringify(text.slice(0, 200))}`); };
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = {};
      ws();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        ws();
        if (text[i++] !== ':') fail('expected ":"');
        obj[key] = value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const arr = [];
      ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('unexpected character');
    i += m[0].length;
    return new JsonNumber(m[0]);
  };
  const string = () => {
    // Let JSON.parse decode the escapes of one string literal.
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

/** Reads an NDJSON file into an array of records (numbers as JsonNumber). */
export function readNdjson(file) {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, n) => {
    try {
      return parseJsonExact(line.endsWith('\r') ? line.slice(0, -1) : line);
    } catch (e) {
      throw new Error(`${file}:${n + 1}: not a JSON record: ${e.message}`);
    }
  });
}

/** JSON.parse-compatible plain value: JsonNumber -> its text. */
export function plain(v) {
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

// ---------------------------------------------------------------------------------------------
// DuckDB, the reference reader.

let duckdbModule;

/** Why DuckDB cannot be used, or false when it can. */
export function duckdbMissing() {
  try {
    resolveDuckdb();
    return false;
  } catch {
    return `DuckDB peer not installed in ${PEERS_DIR} (run: npm install --prefix tests/peers)`;
  }
}

function resolveDuckdb() {
  // Resolve from inside PEERS_DIR so that the tests need no node_modules of their own.
  const req = createRequire(path.join(PEERS_DIR, 'resolve-from-here.js'));
  return req.resolve('@duckdb/node-api');
}

/** A new in-memory DuckDB connection. */
export async function duckdbConnect() {
  if (!duckdbModule) duckdbModule = await import(pathToFileURL(resolveDuckdb()).href);
  // Tests run offline: DuckDB must never try to download an extension on first use.
  const instance = await duckdbModule.DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  return instance.connect();
}

/** SQL string literal. */
export function sqlString(s) {
  return `'${String(s).replaceAll("'", "''")}'`;
}

// ---------------------------------------------------------------------------------------------
// gen_sales: the benchmark's deterministic generator, reused to make test data.

let genSalesPath;

/** Path of a gen_sales binary: TARN_GEN_SALES if built, else compiled from bench/gen_sales.c. */
export function genSales() {
  if (genSalesPath) return genSalesPath;
  try {
    fs.accessSync(GEN_SALES, fs.constants.X_OK);
    genSalesPath = GEN_SALES;
    return genSalesPath;
  } catch { /* build it ourselves */ }
  const out = path.join(scratchDir('gen'), 'gen_sales');
  const src = path.join(repoRoot, 'bench/gen_sales.c');
  let lastError;
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    try {
      execFileSync(cc, ['-std=gnu11', '-O2', '-o', out, src], { stdio: 'pipe' });
      genSalesPath = out;
      return genSalesPath;
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`gen_sales not found at ${GEN_SALES} and could not be compiled: ${lastError?.message}`);
}

/** Runs gen_sales with args (e.g. ['--rows', '10000', '--format', 'csv', '-o', file]). */
export function runGenSales(args) {
  execFileSync(genSales(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

// ---------------------------------------------------------------------------------------------
// CSV as tarn writes it (RFC 4180, header row, ',' delimiter): a second way to read tarn's
// output back, for tests of features that do not depend on the output format.

/**
 * Parses RFC 4180 CSV text into {header, rows}: rows are arrays of strings, with null for an
 * unquoted empty field (how tarn writes NULL); a quoted empty field ("") stays ''.
 */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return { header: [], rows: [] };
  for (;;) {
    // One field.
    let value;
    if (text[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= n) throw new SyntaxError('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') { s += '"'; i += 2; continue; }
          i++;
          break;
        }
        s += text[i++];
      }
      value = s;
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      value = j === i ? null : text.slice(i, j);
      i = j;
    }
    row.push(value);
    if (i < n && text[i] === ',') { i++; continue; }
    if (i < n && text[i] === '\r') i++;
    if (i < n && text[i] === '\n') i++;
    rows.push(row);
    row = [];
    if (i >= n) break;
  }
  const header = rows.shift() || [];
  return { header, rows };
}

/** Reads a CSV file with a header into records keyed by column name. */
export function readCsvRecords(file) {
  const { header, rows } = parseCsv(fs.readFileSync(file, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k] ?? null])));
}
