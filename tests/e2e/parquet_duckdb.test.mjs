// SPDX-License-Identifier: Apache-2.0
//
// DuckDB reads every file tarn's Parquet writer produces and must see exactly the values
// tarn wrote, with the right types, field ids and statistics.
//
// The files come from the unit test `parquet_write::corpus` (tests/unit/formats/
// test_parquet_write.c), run with TARN_PARQUET_CORPUS=<folder> so that it keeps them and
// writes manifest.json: every type x codec x nullability x encoding (dictionary/PLAIN) x data
// page v1/v2, plus defaults, dictionary fallback, empty, one-row and tiny-page files. The
// values are a pure function of the row number; expectedRow() below is that function and must
// match row_value() in the C test.
//
// The last test goes the other way: `tarn inspect` of a file DuckDB wrote shows its row
// groups as a table that agrees with DuckDB's parquet_metadata().
//
// Environment: TARN_BIN (for that test), TARN_TEST_PARQUET_WRITE (the unit test binary; default
// build/tests/unit/formats/test_parquet_write), or TARN_PARQUET_CORPUS (a folder already
// holding the corpus: the binary is then not run), TARN_PEERS_DIR (DuckDB for node).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  repoRoot, scratchDir, duckdbMissing, duckdbConnect, sqlString, tarnMissing, runTarn, describeRun,
} from './lib.mjs';

const TEST_BIN = process.env.TARN_TEST_PARQUET_WRITE ||
  path.join(repoRoot, 'build/tests/unit/formats/test_parquet_write');

const COLUMNS = ['b', 'i', 'l', 'f', 'd', 'd4', 'd15', 'd20', 'd38', 'dt', 'ts', 'tz', 'v', 'bl',
  'u', 's'];

// What parquet_schema() must say for each column: physical type, converted type, logical type
// (a substring of DuckDB's rendering), type_length, precision/scale, field id.
const SCHEMA = {
  b: { type: 'BOOLEAN', duck: 'BOOLEAN' },
  i: { type: 'INT32', duck: 'INTEGER' },
  l: { type: 'INT64', duck: 'BIGINT' },
  f: { type: 'FLOAT', duck: 'FLOAT' },
  d: { type: 'DOUBLE', duck: 'DOUBLE' },
  d4: { type: 'INT32', conv: 'DECIMAL', logical: 'DecimalType(scale=2, precision=4)', p: 4, s: 2, duck: 'DECIMAL(4,2)' },
  d15: { type: 'INT64', conv: 'DECIMAL', logical: 'DecimalType(scale=3, precision=15)', p: 15, s: 3, duck: 'DECIMAL(15,3)' },
  d20: { type: 'FIXED_LEN_BYTE_ARRAY', len: 9, conv: 'DECIMAL', logical: 'DecimalType(scale=2, precision=20)', p: 20, s: 2, duck: 'DECIMAL(20,2)' },
  d38: { type: 'FIXED_LEN_BYTE_ARRAY', len: 16, conv: 'DECIMAL', logical: 'DecimalType(scale=10, precision=38)', p: 38, s: 10, duck: 'DECIMAL(38,10)' },
  dt: { type: 'INT32', conv: 'DATE', logical: 'DateType', duck: 'DATE' },
  ts: { type: 'INT64', conv: 'TIMESTAMP_MICROS', logical: 'isAdjustedToUTC=0', duck: 'TIMESTAMP' },
  tz: { type: 'INT64', conv: 'TIMESTAMP_MICROS', logical: 'isAdjustedToUTC=1', duck: 'TIMESTAMP WITH TIME ZONE' },
  v: { type: 'BYTE_ARRAY', conv: 'UTF8', logical: 'StringType', duck: 'VARCHAR' },
  bl: { type: 'BYTE_ARRAY', duck: 'BLOB' },
  u: { type: 'INT64', duck: 'BIGINT' },
  s: { type: 'BYTE_ARRAY', conv: 'UTF8', logical: 'StringType', duck: 'VARCHAR' },
};

const CODEC_NAMES = { zstd: 'ZSTD', snappy: 'SNAPPY', gzip: 'GZIP', lz4: 'LZ4_RAW', none: 'UNCOMPRESSED', brotli: 'BROTLI' };

const fieldId = (i) => (COLUMNS[i] === 'v' ? 1000 : COLUMNS[i] === 's' ? 77 : i + 1);

const I32_MIN = -2147483648, I32_MAX = 2147483647;
const I64_MIN = -(2n ** 63n), I64_MAX = 2n ** 63n - 1n;
const utf8 = (s) => Buffer.from(s, 'utf8');

/** Row r as the C test writes it (null = SQL NULL); mirrors row_value() in the C test. */
function expectedRow(r, nullable) {
  if (nullable && r % 7 === 3) return COLUMNS.map(() => null);
  const k = r % 1000;
  const R = BigInt(r);
  const sign = r % 2 ? -1n : 1n;
  let v;
  if (k === 9) v = '';
  else if (k === 10) v = 'héllo wörld ✓';
  else if (r % 5000 === 11) v = 'x'.repeat(5000);
  else v = `val-${r % 50}`;
  return [
    r % 3 === 0,
    k === 1 ? I32_MIN : k === 2 ? I32_MAX : r * 13 - 100000,
    k === 1 ? I64_MIN : k === 2 ? I64_MAX : R * 1000000007n,
    k === 5 ? NaN : r === 6 ? Infinity : r === 7 ? -Infinity : k === 8 ? -0 : Math.fround(r * 0.5 - 3),
    k === 5 ? NaN : r === 6 ? Infinity : r === 7 ? -Infinity : k === 8 ? -0 : (r % 100) * 0.25 - 7,
    BigInt((r % 19999) - 9999),
    R * 12345678901n - 5n,
    k === 1 ? -(10n ** 20n - 1n) : k === 2 ? 10n ** 20n - 1n : R * 1000003n * sign,
    k === 1 ? -(10n ** 38n - 1n) : k === 2 ? 10n ** 38n - 1n : R * 10n ** 18n * sign,
    k === 1 ? -25000 : k === 2 ? 2932896 : 18000 + (r % 1000),
    1700000000000000n + R * 1000001n,
    1700000000000000n - R * 3n,
    v,
    k === 9 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x62, 0x01, 0xff]), utf8(String(r))]),
    BigInt(Math.floor(r / 2)),
    `id-${Math.floor(r / 2)}`,
  ];
}

/** DuckDB's value as something comparable with expectedRow's. */
function plainValue(x) {
  if (x === null || typeof x !== 'object') return x;
  if ('bytes' in x) return Buffer.from(x.bytes);
  if ('micros' in x) return x.micros;
  if ('days' in x) return x.days;
  if ('scale' in x && 'value' in x) return x.value;
  return x;
}

function sameValue(got, want) {
  if (want === null) return got === null;
  if (Buffer.isBuffer(want)) return Buffer.isBuffer(got) && want.equals(got);
  if (typeof want === 'number') return Object.is(got, want) || (got === want);
  return got === want;
}

function corpusDir() {
  if (process.env.TARN_PARQUET_CORPUS) return { dir: process.env.TARN_PARQUET_CORPUS };
  if (!fs.existsSync(TEST_BIN)) {
    return { skip: `unit test binary not found at ${TEST_BIN} (build test_parquet_write, or set TARN_TEST_PARQUET_WRITE / TARN_PARQUET_CORPUS)` };
  }
  const dir = scratchDir('pqcorpus');
  const r = spawnSync(TEST_BIN, ['--filter', 'parquet_write/corpus', '--jobs', '1'], {
    env: { ...process.env, TARN_PARQUET_CORPUS: dir },
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (r.status !== 0) throw new Error(`writing the corpus failed: ${r.stderr}\n${r.stdout}`);
  return { dir };
}

const missing = duckdbMissing();
const corpus = missing ? { skip: missing } : corpusDir();
const manifest = corpus.dir ? JSON.parse(fs.readFileSync(path.join(corpus.dir, 'manifest.json'), 'utf8')) : [];
const con = corpus.dir ? await duckdbConnect() : null;

async function rows(sql) {
  const reader = await con.runAndReadAll(sql);
  return reader.getRowObjects();
}

test('the corpus exists and lists every variant', { skip: corpus.skip }, () => {
  // 6 codecs x 2 page versions x 2 encodings x 2 nullabilities, plus the special files.
  assert.ok(manifest.length >= 48 + 5, `manifest has ${manifest.length} files`);
});

for (const entry of manifest) {
  const file = path.join(corpus.dir, entry.file);
  const q = sqlString(file);

  test(`${entry.file}: DuckDB reads every value exactly`, { skip: corpus.skip }, async () => {
    const reader = await con.runAndReadAll(
      `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${q}, file_row_number = true) ORDER BY file_row_number`);
    assert.deepEqual(reader.columnNames(), COLUMNS);
    assert.deepEqual(reader.columnTypes().map(String), COLUMNS.map((c) => SCHEMA[c].duck));
    const got = reader.getRows();
    assert.equal(got.length, entry.rows);
    for (let r = 0; r < got.length; r++) {
      const want = expectedRow(r, entry.nullable);
      for (let c = 0; c < COLUMNS.length; c++) {
        const g = plainValue(got[r][c]);
        if (!sameValue(g, want[c])) {
          assert.fail(`row ${r} column ${COLUMNS[c]}: DuckDB read ${String(g)}, tarn wrote ${String(want[c])}`);
        }
      }
    }
  });

  test(`${entry.file}: parquet_schema() has the types and field ids`, { skip: corpus.skip }, async () => {
    const schema = await rows(`SELECT * FROM parquet_schema(${q})`);
    assert.equal(schema.length, COLUMNS.length + 1);
    assert.equal(schema[0].name, 'schema');
    assert.equal(Number(schema[0].num_children), COLUMNS.length);
    COLUMNS.forEach((name, i) => {
      const e = schema[i + 1];
      const want = SCHEMA[name];
      assert.equal(e.name, name);
      assert.equal(e.type, want.type, name);
      assert.equal(e.repetition_type, entry.nullable ? 'OPTIONAL' : 'REQUIRED', name);
      assert.equal(Number(e.field_id), fieldId(i), name);
      assert.equal(e.converted_type, want.conv ?? null, name);
      if (want.logical) assert.ok(String(e.logical_type).includes(want.logical), `${name}: ${e.logical_type}`);
      else assert.equal(e.logical_type, null, name);
      if (want.len) assert.equal(Number(e.type_length), want.len, name);
      if (want.p) {
        assert.equal(Number(e.precision), want.p, name);
        assert.equal(Number(e.scale), want.s, name);
      }
    });
    const meta = await rows(`SELECT created_by, num_rows FROM parquet_file_metadata(${q})`);
    assert.match(meta[0].created_by, /^tarn version \S+$/);
    assert.equal(Number(meta[0].num_rows), entry.rows);
  });

  test(`${entry.file}: parquet_metadata() statistics match the data`, { skip: corpus.skip }, async () => {
    const meta = await rows(
      `SELECT row_group_id, row_group_num_rows, path_in_schema, type, compression, encodings,
              stats_min_value, stats_max_value, stats_null_count
       FROM parquet_metadata(${q}) ORDER BY row_group_id, column_id`);
    assert.equal(meta.length % COLUMNS.length, 0);
    const groups = meta.length / COLUMNS.length;
    if (entry.row_group_rows) assert.equal(groups, Math.ceil(entry.rows / entry.row_group_rows));
    let start = 0;
    for (let g = 0; g < groups; g++) {
      const n = Number(meta[g * COLUMNS.length].row_group_num_rows);
      // What DuckDB itself computes over the same rows, rendered the way parquet_metadata
      // renders statistics. NaN is left out of float bounds, as the format requires.
      const exprs = COLUMNS.map((c) => {
        const filter = c === 'f' || c === 'd' ? ` FILTER (WHERE NOT isnan(${c}))` : '';
        const len = c === 'v' || c === 's' ? `max(strlen(${c}))` : c === 'bl' ? `max(octet_length(${c}))` : '0';
        return `min(${c})${filter}::VARCHAR AS "min_${c}", max(${c})${filter}::VARCHAR AS "max_${c}", ` +
          `count(*) - count(${c}) AS "nulls_${c}", ${len} AS "len_${c}"`;
      });
      const want = (await rows(
        `SELECT ${exprs.join(', ')} FROM read_parquet(${q}, file_row_number = true)
         WHERE file_row_number >= ${start} AND file_row_number < ${start + n}`))[0];
      COLUMNS.forEach((c, i) => {
        const m = meta[g * COLUMNS.length + i];
        assert.equal(m.path_in_schema, c);
        assert.equal(m.compression, CODEC_NAMES[entry.codec], c);
        assert.equal(Number(m.stats_null_count), Number(want[`nulls_${c}`]), `${c} null count, group ${g}`);
        const tooLong = (c === 'v' || c === 'bl' || c === 's') && Number(want[`len_${c}`]) > 4096;
        // DuckDB shows no float bounds when one is infinite (it distrusts them), so the
        // groups holding +-inf can only be checked for that.
        const infinite = (c === 'f' || c === 'd') && /inf/.test(`${want[`min_${c}`]} ${want[`max_${c}`]}`);
        if (infinite) {
          assert.ok(m.stats_min_value === null || m.stats_max_value === null, `${c} bounds, group ${g}`);
        } else if (tooLong || want[`min_${c}`] === null) {
          // no bounds: all NULL (or all NaN), or a value too long to store as a bound
          assert.equal(m.stats_min_value, null, `${c} min, group ${g}`);
          assert.equal(m.stats_max_value, null, `${c} max, group ${g}`);
        } else {
          assert.equal(m.stats_min_value, want[`min_${c}`], `${c} min, group ${g}`);
          assert.equal(m.stats_max_value, want[`max_${c}`], `${c} max, group ${g}`);
        }
        const enc = String(m.encodings);
        if (!entry.dictionary) assert.ok(!enc.includes('DICTIONARY'), `${c}: ${enc}`);
      });
      start += n;
    }
    assert.equal(start, entry.rows);
  });
}

test('dictionary fallback: the chunk starts dictionary-encoded and ends PLAIN', { skip: corpus.skip }, async () => {
  const f = sqlString(path.join(corpus.dir, 'fallback.parquet'));
  const m = await rows(`SELECT encodings FROM parquet_metadata(${f}) WHERE path_in_schema = 's'`);
  assert.ok(m.length > 0);
  assert.ok(String(m[0].encodings).includes('RLE_DICTIONARY'), String(m[0].encodings));
  assert.ok(String(m[0].encodings).includes('PLAIN'), String(m[0].encodings));
});

test('DuckDB filters through the statistics and the page index', { skip: corpus.skip }, async () => {
  const f = sqlString(path.join(corpus.dir, 'm_zstd_v1_dict_null.parquet'));
  const r = await rows(`SELECT count(*) AS n FROM read_parquet(${f}) WHERE l BETWEEN 5000000035 AND 9000000063`);
  // rows 5..9 minus the NULL row 3-of-7 pattern (none of 5..9 has r % 7 = 3 except... none)
  const want = [5, 6, 7, 8, 9].filter((x) => x % 7 !== 3).length;
  assert.equal(Number(r[0].n), want);
  const s = await rows(`SELECT count(*) AS n FROM read_parquet(${f}) WHERE v = 'val-7'`);
  let count = 0;
  for (let x = 0; x < 20000; x++) {
    const row = expectedRow(x, true);
    if (row[12] === 'val-7') count++;
  }
  assert.equal(Number(s[0].n), count);
});

// ---------------------------------------------------------------------------------------------
// `tarn inspect FILE` (table output) shows a Parquet file's row groups as an aligned table.

const ROW_GROUP_FIELDS = ['group', 'rows', 'bytes', 'column', 'type', 'codec', 'encodings',
  'compressed', 'uncompressed', 'nulls', 'min', 'max'];
const RIGHT_ALIGNED = new Set(['group', 'rows', 'bytes', 'compressed', 'uncompressed', 'nulls']);

test('tarn inspect shows the row groups as an aligned table that matches parquet_metadata()',
  { skip: missing || tarnMissing() }, async () => {
    const file = path.join(scratchDir('pqinspect'), 'groups.parquet');
    const duck = await duckdbConnect();
    await duck.run(`COPY (SELECT i AS id, CASE WHEN i % 10 = 3 THEN NULL ELSE 'name-' || (i % 7) END AS name,
                            (i * 0.5)::DOUBLE AS price FROM range(3000) t(i))
                    TO ${sqlString(file)} (FORMAT parquet, ROW_GROUP_SIZE 1000, KV_METADATA {owner: 'team-data'})`);
    const meta = (await duck.runAndReadAll(
      `SELECT row_group_id, row_group_num_rows, path_in_schema, type, compression, stats_null_count,
              stats_min_value, stats_max_value
       FROM parquet_metadata(${sqlString(file)}) ORDER BY row_group_id, column_id`)).getRowObjectsJson();
    assert.ok(meta.length >= 6, `DuckDB wrote ${meta.length} column chunks`);

    const args = ['inspect', file];
    const r = runTarn(args);
    assert.equal(r.status, 0, describeRun(args, r));
    assert.ok(!r.stdout.includes('{"rows"'), 'row groups are not shown as raw JSON');
    const lines = r.stdout.split('\n');
    for (const l of lines) assert.ok(!/ $/.test(l), `trailing blank in ${JSON.stringify(l)}`);
    const at = lines.findIndex((l) => l.startsWith('  row groups ('));
    const groups = new Set(meta.map((m) => m.row_group_id)).size;
    assert.equal(lines[at], `  row groups (${groups}):`);

    // Every field has a header, in order; a cell lies under its header: left-aligned cells
    // start where the header starts, right-aligned ones end where the field ends.
    const header = lines[at + 1];
    const starts = ROW_GROUP_FIELDS.map((f) => header.search(new RegExp(`(?<=^|  )${f}(?=  |$)`)));
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i] > starts[i - 1], header);
    const cellsOf = (line) => Object.fromEntries(ROW_GROUP_FIELDS.map((f, i) => {
      const end = i + 1 < starts.length ? starts[i + 1] - 2 : line.length;
      const text = line.slice(starts[i], end);
      if (text.trim() && RIGHT_ALIGNED.has(f)) assert.notEqual(text.at(-1), ' ', `${f} right-aligned in ${line}`);
      if (text.trim() && !RIGHT_ALIGNED.has(f)) assert.notEqual(text[0], ' ', `${f} left-aligned in ${line}`);
      return [f, text.trim()];
    }));

    const rowsText = (n) => Number(n).toLocaleString('en-US');
    meta.forEach((m, k) => {
      const cell = cellsOf(lines[at + 2 + k]);
      const first = k === 0 || meta[k - 1].row_group_id !== m.row_group_id;
      assert.equal(cell.group, first ? String(m.row_group_id) : '');
      assert.equal(cell.rows, first ? rowsText(m.row_group_num_rows) : '');
      if (first) assert.match(cell.bytes, /^\d+(\.\d)? (B|KiB|MiB)$/);
      assert.equal(cell.column, m.path_in_schema);
      assert.equal(cell.type, m.type);
      assert.equal(cell.codec, m.compression);
      assert.ok(cell.encodings.length > 0);
      assert.match(cell.compressed, /^\d+(\.\d)? (B|KiB|MiB)$/);
      assert.match(cell.uncompressed, /^\d+(\.\d)? (B|KiB|MiB)$/);
      assert.equal(cell.nulls, rowsText(m.stats_null_count));
      if (m.path_in_schema === 'name') {
        assert.equal(cell.min, m.stats_min_value);
        assert.equal(cell.max, m.stats_max_value);
      } else {
        assert.equal(Number(cell.min), Number(m.stats_min_value));
        assert.equal(Number(cell.max), Number(m.stats_max_value));
      }
    });
    assert.equal(lines[at + 2 + meta.length], '', 'the table ends after the last column chunk');
    const kv = lines.indexOf('  metadata:');
    assert.ok(kv > at, 'key/value metadata is listed');
    assert.match(lines.slice(kv + 1).find((l) => l.trim().startsWith('owner')), /^  owner +team-data$/);
  });
