// SPDX-License-Identifier: Apache-2.0
//
// Parquet conformance: every valid file of the public corpus (../shared/conformance/parquet)
// is read through tarn's reader (the parquet_dump test helper prints its rows as NDJSON) and
// compared with the expected rows the corpus ships (`*_expect.csv`, hyparquet's `.json`), and,
// for files without those, with what DuckDB reads. Corrupt and encrypted files must fail with
// a clear message, never crash.
//
//   node --test tests/e2e/parquet_conformance.test.mjs
//
// Environment: TARN_PARQUET_DUMP (the helper; default <build>/tests/unit/formats/parquet_dump
// with <build> = TARN_BUILD_DIR, else the build holding TARN_BIN, else build/), TARN_PEERS_DIR
// (node_modules holding @duckdb/node-api; default tests/peers/node_modules),
// TARN_CONFORMANCE_DIR.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
// The build folder: TARN_BUILD_DIR, else the one holding TARN_BIN (<build>/src/cli/tarn).
const buildDir = process.env.TARN_BUILD_DIR ||
  (process.env.TARN_BIN ? path.resolve(path.dirname(process.env.TARN_BIN), '..', '..') : path.join(root, 'build'));
const dump = process.env.TARN_PARQUET_DUMP || path.join(buildDir, 'tests/unit/formats/parquet_dump');
const peers = process.env.TARN_PEERS_DIR || path.join(root, 'tests/peers/node_modules');
const corpus = path.join(
  process.env.TARN_CONFORMANCE_DIR || path.resolve(root, '..', 'shared', 'conformance'),
  'parquet');

// Files tarn cannot read yet, with the reason. Keep this short.
const KNOWN_UNREADABLE = {
  'parquet-testing/data/large_string_map.brotli.parquet':
    'one page decompresses to more than the 1 GiB page limit (a limits stress test)',
};

// Files whose expected rows are given here, from the corpus' own description (`*.md`),
// because no other oracle reads them right: DuckDB wraps Spark's out-of-range INT96 days
// differently from the values int96_from_spark.md lists, and refuses a MAP without values.
const EXPECTED = {
  // int96_from_spark.md: 1704141296123456, 1704070800000000, 253402225200000000,
  // 1735599600000000, null, 9089380393200000000 microseconds.
  'parquet-testing/data/int96_from_spark.parquet': [
    ['2024-01-01 20:34:56.123456'], ['2024-01-01 01:00:00'], ['9999-12-31 03:00:00'],
    ['2024-12-30 23:00:00'], [null], ['290000-12-30 23:00:00'],
  ],
  // map_no_value.md: keys 1..9 in rows of three, no values, and the same numbers as lists.
  'parquet-testing/data/map_no_value.parquet': [1, 4, 7].map((k) => {
    const m = { [k]: null, [k + 1]: null, [k + 2]: null };
    return [m, m, [k, k + 1, k + 2]];
  }),
};

// Files DuckDB cannot read (codec LZ4) compared with the same data written otherwise.
const SAME_DATA_AS = {
  'parquet-testing/data/hadoop_lz4_compressed_larger.parquet': 'parquet-testing/data/lz4_raw_compressed_larger.parquet',
  'parquet-testing/data/non_hadoop_lz4_compressed.parquet': 'parquet-testing/data/lz4_raw_compressed.parquet',
};

// hyparquet shows an empty repeated field (which has no null state) as null; DuckDB and tarn
// show []: for these files DuckDB is the oracle.
const PREFER_DUCKDB = new Set([
  'hyparquet-extra/adam_genotypes.parquet',
  'hyparquet-extra/duckdb2557.parquet',
]);

// Valid-looking files that must be rejected with an error.
const MUST_FAIL = new Set([
  'parquet-testing/data/nation.dict-malformed.parquet',
]);

// ---------------------------------------------------------------------------------------
// Lossless JSON: numbers keep their text so 64-bit integers and decimals compare exactly.
// ---------------------------------------------------------------------------------------

class Num {
  constructor(text) { this.text = text; }
}

function parseJson(text) {
  let i = 0;
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
        const k = value();
        ws();
        if (text[i++] !== ':') throw new Error(`bad JSON at ${i}`);
        obj[k] = value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] !== '}') throw new Error(`bad JSON at ${i}`);
        return obj;
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
        if (text[i++] !== ']') throw new Error(`bad JSON at ${i}`);
        return arr;
      }
    }
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const s = JSON.parse(text.slice(i, j + 1));
      i = j + 1;
      return s;
    }
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    const m = /^-?(?:\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) throw new Error(`bad JSON at ${i}: ${text.slice(i, i + 20)}`);
    i += m[0].length;
    return new Num(m[0]);
  };
  const v = value();
  return v;
}

// ---------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------

const TS = /^([+-]?\d{4,6})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?(?:Z|[+-]\d\d(?::?\d\d)?)?$/;

function canonTimestamp(s) {
  const m = TS.exec(s);
  if (!m) return null;
  const frac = (m[7] || '').padEnd(9, '0');
  const year = String(Number(m[1]));
  return { base: `${year}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6] || '00'}`, frac, digits: (m[7] || '').length };
}

function unescapeBlob(s) {
  if (!s.includes('\\x')) return s;
  const bytes = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === '\\' && s[i + 1] === 'x' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 2, i + 4))) {
      bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 4;
    } else {
      const cp = s.codePointAt(i);
      for (const b of Buffer.from(String.fromCodePoint(cp))) bytes.push(b);
      i += cp > 0xffff ? 2 : 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function isNullish(v) {
  if (v === null || v === undefined) return true;
  if (v instanceof Num) return false;
  if (typeof v === 'string') return v === 'NaN';
  if (typeof v === 'number') return Number.isNaN(v);
  if (Array.isArray(v)) return false;
  if (typeof v === 'object') return Object.values(v).every(isNullish);
  return false;
}

function toNumber(v) {
  if (v instanceof Num) return Number(v.text);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v)) return Number(v);
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return undefined;
}

function intText(v) {
  const t = v instanceof Num ? v.text : typeof v === 'string' ? v : typeof v === 'bigint' ? String(v) : null;
  return t !== null && /^-?\d+$/.test(t) ? BigInt(t) : null;
}

// Maps arrive as arrays of {key, value} from DuckDB and as objects elsewhere.
function asMap(v) {
  if (!Array.isArray(v) || v.length === 0) return null;
  if (!v.every((e) => e && typeof e === 'object' && !Array.isArray(e) && !(e instanceof Num) &&
      Object.keys(e).length === 2 && 'key' in e && 'value' in e)) return null;
  const o = {};
  for (const e of v) o[keyText(e.key)] = e.value;
  return o;
}

function keyText(k) {
  if (k instanceof Num) return k.text;
  if (typeof k === 'string') return k;
  return JSON.stringify(k);
}

function same(a, b, where) {
  if (isNullish(a) && isNullish(b)) return null;
  if (a === null || a === undefined || b === null || b === undefined)
    return `${where}: ${show(a)} != ${show(b)}`;
  const ia = intText(a), ib = intText(b);
  if (ia !== null && ib !== null) {
    if (ia === ib) return null;
    // hyparquet writes INT64 as a JSON number: allow its double rounding.
    if (Number(ia) === Number(ib)) return null;
    return `${where}: ${ia} != ${ib}`;
  }
  const na = toNumber(a), nb = toNumber(b);
  if (na !== undefined && nb !== undefined) {
    if (na === nb) return null;
    const tol = 1e-6 * Math.max(Math.abs(na), Math.abs(nb));
    return Math.abs(na - nb) <= tol ? null : `${where}: ${na} != ${nb}`;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const ba = typeof a === 'boolean' ? a : a === 'true' ? true : a === 'false' ? false : a;
    const bb = typeof b === 'boolean' ? b : b === 'true' ? true : b === 'false' ? false : b;
    return ba === bb ? null : `${where}: ${show(a)} != ${show(b)}`;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    if (a === b) return null;
    const ta = canonTimestamp(a), tb = canonTimestamp(b);
    if (ta && tb) {
      const d = Math.min(Math.max(ta.digits, 3), Math.max(tb.digits, 3), 6);
      if (ta.base === tb.base && ta.frac.slice(0, d) === tb.frac.slice(0, d)) return null;
      return `${where}: ${a} != ${b}`;
    }
    if (unescapeBlob(a) === unescapeBlob(b)) return null;
    return `${where}: ${show(a)} != ${show(b)}`;
  }
  // hyparquet shows unannotated fixed-length bytes as an array of byte values.
  if (typeof a === 'string' && Array.isArray(b)) return same(b, a, where);
  if (Array.isArray(a) && typeof b === 'string' && a.every((x) => intText(x) !== null)) {
    const bytes = Buffer.from(unescapeBlob(b), 'utf8');
    const want = a.map((x) => Number(intText(x)));
    return bytes.length === want.length && want.every((x, i) => bytes[i] === x)
      ? null : `${where}: ${show(a)} != ${show(b)}`;
  }
  const emptyA = (Array.isArray(a) && a.length === 0) || (a && typeof a === 'object' && !(a instanceof Num) && !Array.isArray(a) && Object.keys(a).length === 0);
  const emptyB = (Array.isArray(b) && b.length === 0) || (b && typeof b === 'object' && !(b instanceof Num) && !Array.isArray(b) && Object.keys(b).length === 0);
  if (emptyA && emptyB) return null;
  const ma = asMap(a) || a, mb = asMap(b) || b;
  if (Array.isArray(ma) && Array.isArray(mb)) {
    if (ma.length !== mb.length) return `${where}: ${ma.length} elements != ${mb.length}`;
    for (let i = 0; i < ma.length; i++) {
      const d = same(ma[i], mb[i], `${where}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (typeof ma === 'object' && typeof mb === 'object' && !Array.isArray(ma) && !Array.isArray(mb)) {
    const keys = new Set([...Object.keys(ma), ...Object.keys(mb)]);
    for (const k of keys) {
      const d = same(ma[k], mb[k], `${where}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return `${where}: ${show(a)} != ${show(b)}`;
}

function show(v) {
  return JSON.stringify(v, (k, x) => (x instanceof Num ? x.text : typeof x === 'bigint' ? String(x) : x));
}

// ---------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------

// Sanitizer reports must not pass for the ordinary error exit (1).
const childEnv = {
  ...process.env,
  ASAN_OPTIONS: `exitcode=86:${process.env.ASAN_OPTIONS || ''}`,
  UBSAN_OPTIONS: `halt_on_error=1:exitcode=87:${process.env.UBSAN_OPTIONS || ''}`,
};

function readTarn(file) {
  const r = spawnSync(dump, [file], { maxBuffer: 1 << 30, encoding: 'utf8', env: childEnv, timeout: 300000 });
  if (r.error) throw new Error(`parquet_dump did not finish on ${file}: ${r.error.message}`);
  if (r.signal) throw new Error(`parquet_dump crashed with ${r.signal} on ${file}`);
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`parquet_dump failed (exit ${r.status}) on ${file}: ${r.stderr.slice(0, 2000)}`);
  if (r.status !== 0) return { error: r.stderr.trim() };
  const lines = r.stdout.split('\n').filter((l) => l.length);
  const header = JSON.parse(lines[0]).columns;
  const rows = lines.slice(1).map(parseJson);
  return { header, rows };
}

// Regroups flattened "a.b" columns into objects, the way other readers show structs.
function regroup(header, rows) {
  const tops = [];
  const index = new Map();
  header.forEach((c, i) => {
    const parts = c.name.split('.');
    if (!index.has(parts[0])) {
      index.set(parts[0], tops.length);
      tops.push({ name: parts[0], cols: [] });
    }
    tops[index.get(parts[0])].cols.push({ i, parts });
  });
  return rows.map((row) => tops.map((t) => {
    if (t.cols.length === 1 && t.cols[0].parts.length === 1) return row[t.cols[0].i];
    const obj = {};
    for (const c of t.cols) {
      let o = obj;
      for (let k = 1; k < c.parts.length - 1; k++) o = o[c.parts[k]] ??= {};
      o[c.parts[c.parts.length - 1]] = row[c.i];
    }
    return obj;
  }));
}

function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false, wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') { quoted = true; wasQuoted = true; }
    else if (c === ',') { row.push(wasQuoted || field.length ? field : null); field = ''; wasQuoted = false; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(wasQuoted || field.length ? field : null);
      rows.push(row);
      row = []; field = ''; wasQuoted = false;
    } else field += c;
  }
  if (field.length || row.length) { row.push(wasQuoted || field.length ? field : null); rows.push(row); }
  return rows;
}

let duck = null;
async function readDuckDb(file) {
  if (!duck) {
    const mod = await import(path.join(peers, '@duckdb/node-api/lib/index.js'));
    const inst = await mod.DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    duck = await inst.connect();
  }
  const r = await duck.runAndReadAll(`SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
  // getRowsJson gives JSON-safe values (64-bit integers and decimals as strings).
  return r.getRowsJson();
}

function compareRows(name, ours, expected) {
  assert.equal(ours.length, expected.length, `${name}: ${ours.length} rows, expected ${expected.length}`);
  for (let r = 0; r < ours.length; r++) {
    const d = same(ours[r], expected[r], `row ${r}`);
    if (d) assert.fail(`${name}: ${d}`);
  }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

const features = readFileSync(path.join(corpus, 'features.tsv'), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('path\t'))
  .map((l) => l.split('\t')[0]);

const haveDump = existsSync(dump);
const havePeers = existsSync(path.join(peers, '@duckdb/node-api'));

for (const rel of features) {
  const file = path.join(corpus, rel);
  const base = path.basename(rel).replace(/\.parquet(\.encrypted)?$/, '');
  const bad = rel.includes('/bad_data/') || rel.endsWith('.encrypted') || MUST_FAIL.has(rel);
  test(rel, { skip: !haveDump && `no parquet_dump at ${dump}` }, async (t) => {
    const ours = readTarn(file);
    if (bad) {
      // ARROW-GH-43605 (RLE bit width 0) may be accepted by a lenient reader.
      if (!ours.error && rel.endsWith('ARROW-GH-43605.parquet')) return;
      assert.ok(ours.error, `${rel}: expected an error`);
      assert.ok(ours.error.includes(path.basename(rel)), `error names the file: ${ours.error}`);
      if (rel.endsWith('.encrypted'))
        assert.match(ours.error, /encrypted Parquet files are not supported/);
      return;
    }
    if (KNOWN_UNREADABLE[rel]) {
      assert.ok(ours.error, `${rel} is listed as unreadable but was read: update the list`);
      t.diagnostic(`known unreadable: ${KNOWN_UNREADABLE[rel]}`);
      return;
    }
    assert.ok(!ours.error, `${rel}: ${ours.error}`);
    const dir = path.dirname(file);
    const csv = path.join(dir, `${base}_expect.csv`);
    const hyp = [path.join(corpus, 'expected-hyparquet', `${base}.json`), path.join(dir, `${base}.json`)]
      .find((p) => rel.endsWith('.parquet') && !PREFER_DUCKDB.has(rel) && existsSync(p));
    if (EXPECTED[rel]) {
      compareRows(rel, regroup(ours.header, ours.rows), EXPECTED[rel]);
    } else if (existsSync(csv)) {
      const rows = parseCsv(readFileSync(csv, 'utf8')).slice(1);
      compareRows(rel, ours.rows, rows);
    } else if (hyp) {
      const expected = parseJson(readFileSync(hyp, 'utf8'));
      compareRows(rel, regroup(ours.header, ours.rows), expected);
    } else if (havePeers) {
      const expected = await readDuckDb(SAME_DATA_AS[rel] ? path.join(corpus, SAME_DATA_AS[rel]) : file);
      compareRows(rel, regroup(ours.header, ours.rows), expected);
    } else {
      t.skip(`no DuckDB in ${peers}`);
    }
  });
}

// Files DuckDB writes with every codec, page version and the types tarn maps (unsigned
// integers, decimals up to 38 digits, every timestamp unit, TIME, nested lists, structs and
// maps), read back by both.
const DUCKDB_WRITES = [
  ['plain', 'COMPRESSION uncompressed'],
  ['snappy', 'COMPRESSION snappy'],
  ['zstd_v2', 'COMPRESSION zstd, PARQUET_VERSION v2'],
  ['gzip_small_groups', 'COMPRESSION gzip, ROW_GROUP_SIZE 1000'],
  ['lz4_raw', 'COMPRESSION lz4'],
  ['brotli', 'COMPRESSION brotli'],
];

const DUCKDB_TABLE = `SELECT i::INTEGER AS i, (i * 1000000007)::BIGINT AS b,
  (i % 127)::TINYINT AS t8, (i % 255)::UTINYINT AS u8, (i * 40000)::UINTEGER AS u32,
  (i * 1e15)::UBIGINT AS u64, (i / 7)::DOUBLE AS d, (i / 3)::FLOAT AS f,
  (i * 1.25)::DECIMAL(9,2) AS dec9, (i * 1.25)::DECIMAL(18,3) AS dec18,
  (i * 123456789.25)::DECIMAL(38,4) AS dec38, ('2024-01-01'::DATE + i::INTEGER) AS dt,
  ('2024-01-01 10:00:00'::TIMESTAMP + INTERVAL (i) SECOND) AS ts,
  ('2024-01-01 10:00:00'::TIMESTAMP_NS + INTERVAL (i) MILLISECOND) AS tsns,
  ('2024-01-01 10:00:00'::TIMESTAMP_MS + INTERVAL (i) SECOND) AS tsms,
  ('2024-01-01 10:00:00+00'::TIMESTAMPTZ + INTERVAL (i) MINUTE) AS tstz,
  ('10:11:12'::TIME + INTERVAL (i) SECOND) AS tm,
  CASE WHEN i % 5 = 0 THEN NULL ELSE 'str' || i END AS s, ('blob' || i)::BLOB AS bl,
  [i, i + 1, NULL] AS lst, {'a': i, 'b': 'x' || i, 'c': {'d': [i]}} AS st,
  MAP {'k' || i: i, 'z': NULL} AS mp, CASE WHEN i % 3 = 0 THEN NULL ELSE [[i], []] END AS ll,
  (i % 2 = 0) AS bo, CASE WHEN i % 7 = 0 THEN NULL ELSE i % 10 END AS small
FROM range(0, 5000) t(i)`;

for (const [name, options] of DUCKDB_WRITES) {
  test(`duckdb-written ${name}`, { skip: (!haveDump || !havePeers) && 'needs parquet_dump and DuckDB' }, async () => {
    await readDuckDb(path.join(corpus, 'parquet-testing/data/alltypes_plain.parquet'));
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    const file = path.join(dir, `${name}.parquet`);
    try {
      await duck.run(`COPY (${DUCKDB_TABLE}) TO '${file}' (FORMAT parquet, ${options})`);
      const ours = readTarn(file);
      assert.ok(!ours.error, ours.error);
      compareRows(name, regroup(ours.header, ours.rows), await readDuckDb(file));
    } finally {
      execFileSync('rm', ['-rf', dir]);
    }
  });
}

test('parquet_dump exists', () => {
  assert.ok(haveDump, `build the parquet_dump helper first (${dump})`);
});

// A crash anywhere in a truncated or bit-flipped good file is a bug; errors are fine.
test('truncated and bit-flipped files never crash', { skip: !haveDump }, () => {
  const os = execFileSync('mktemp', ['-d']).toString().trim();
  const good = features.filter((r) => r.includes('/data/') && r.endsWith('.parquet') && !KNOWN_UNREADABLE[r]);
  let runs = 0;
  for (const rel of good.slice(0, 40)) {
    const bytes = readFileSync(path.join(corpus, rel));
    const variants = [bytes.subarray(0, bytes.length >> 1), bytes.subarray(0, bytes.length - 9)];
    for (let k = 0; k < 6; k++) {
      const b = Buffer.from(bytes);
      const pos = (k * 7919 + 13) % b.length;
      b[pos] ^= 1 << (k % 8);
      variants.push(b);
    }
    variants.forEach((v, i) => {
      const f = path.join(os, `${path.basename(rel)}.${i}`);
      execFileSync('sh', ['-c', `cat > '${f}'`], { input: v });
      const r = spawnSync(dump, [f], { maxBuffer: 1 << 30, timeout: 60000, env: childEnv });
      assert.ok(!r.signal, `${rel} variant ${i}: crashed with ${r.signal}`);
      assert.ok(r.status === 0 || r.status === 1,
        `${rel} variant ${i}: exit ${r.status} ${String(r.stderr).slice(0, 2000)}`);
      runs++;
    });
  }
  execFileSync('rm', ['-rf', os]);
  assert.ok(runs > 0);
});
