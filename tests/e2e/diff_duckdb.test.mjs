// SPDX-License-Identifier: Apache-2.0
//
// Differential test: tarn and DuckDB read the same files and must agree on the column names,
// compatible column types, the row count and every value.
//
// tarn's side: `tarn inspect FILE --format json` (names, types, rows, rejected) and
// `tarn convert FILE out.ndjson` (the values). DuckDB's side: DESCRIBE and SELECT * over
// read_csv / read_json(format='newline_delimited') of the same file, with DuckDB's own dialect
// and type detection. Values are compared normalised: numbers numerically (integers exactly, as
// big integers), timestamps as text 'YYYY-MM-DD HH:MM:SS[.f]', booleans as true/false, NULL
// as NULL, text byte for byte.
//
// The files: a 10,000-row sales fact from bench/gen_sales (CSV and NDJSON), every csv-spectrum
// CSV, and the DuckDB corpus CSVs listed in DUCKDB_CSVS (the ones whose dialect is clean and
// unambiguous). Deliberate differences between the two engines are listed, with their reason,
// in TYPE_ALLOWLIST and CASE_ALLOWLIST below; anything else that differs is a failure.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import {
  CONFORMANCE_DIR, tarnMissing, runTarn, describeRun, parseJsonOutput, scratchDir, readNdjson,
  readCsvRecords, JsonNumber, duckdbMissing, duckdbConnect, sqlString, runGenSales,
} from './lib.mjs';

const skip = tarnMissing() || duckdbMissing();
const dir = scratchDir('diff');

// DuckDB corpus files (under conformance/csv/duckdb/data/csv/) with one clean reading: a single
// delimiter, RFC 4180 quoting (or none), consistent row widths, no encoding tricks. Files that
// test malformed input, ragged rows, odd line ends or sniffer ties are left out on purpose:
// there the engines may legitimately differ, and cli.test.mjs covers the behaviour.
const DUCKDB_CSVS = [
  'auto/pipe_delim.csv',              // '|' delimiter, no header
  'auto/pipe_delim_quote.csv',        // quoted field holding the delimiter
  'auto/rfc_conform.csv',             // trailing space kept in an unquoted field
  'auto/rfc_conform_quote.csv',       // "" escape and ", " inside quotes
  'auto/semicolon_delim.csv',         // ';' delimiter
  'auto/semicolon_quote.csv',         // quoted number, quoted ';'
  'auto/semicolon_escape.csv',        // "" escape with ';'
  'auto/tab.csv',                     // tab delimiter
  'auto/quote_escape.csv',            // "" escapes, quoted integer
  'auto/utf8bom.csv',                 // BOM + CRLF, with header
  'auto/multi_column_string_r_n.csv', // CRLF, quoted strings
  'double_quoted_header.csv',         // "" escape in a header name, no final newline
  'headers/escaped_quote.csv',        // a ' inside an unquoted header name
  'people.csv',                       // BOM, header, plain text
  'quoted_newline.csv',               // newline inside a quoted field
  'test/quoted_newline.csv',          // several quoted newlines, no header
  'real/lineitem_sample.csv',         // TPC-H rows: '|', integers, decimals, dates
  'real/greek_utf8.csv',              // multi-byte UTF-8 values
  'test/multi_column_string.csv',     // '|' with quoted strings
  'test/multi_column_string_rn.csv',  // the same with CRLF
  'test/new_line_string.csv',         // long quoted value with many newlines
  'test/new_line_string_rn.csv',      // the same with CRLF
  'test/no_newline.csv',              // 1024 rows, no newline after the last
  'null/multiple_nulls.csv',          // empty fields and the texts 'null'/'none' (not NULL)
  'null_string.csv',                  // quoted "null" is text
];

// Type pairs that differ on purpose. Each entry: tarn's type class, DuckDB's type class, why.
const TYPE_ALLOWLIST = [
  {
    tarn: 'varchar', duckdb: 'time',
    reason: "tarn has no TIME type (DESIGN.md's type list); DuckDB sniffs HH:MM:SS as TIME",
  },
];

// Per-case differences that are deliberate. `names: 'positional'` means generated column
// names of a headerless file are each engine's own choice (DuckDB: column0, column1, ...), so
// columns are matched by position there.
const CASE_ALLOWLIST = {
  headerless: { names: 'positional', reason: 'names of a headerless file are generated; compare by position' },
};

/** The comparable family of a type name from either engine. */
function typeClass(name) {
  const t = String(name).toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) return 'integer';
  if (/^(FLOAT|REAL|DOUBLE)$/.test(t)) return 'float';
  if (t.startsWith('DECIMAL')) return 'decimal';
  if (t === 'DATE') return 'date';
  if (/^TIMESTAMP(_S|_MS|_NS)?$/.test(t)) return 'timestamp';
  if (t === 'TIMESTAMPTZ' || t === 'TIMESTAMP WITH TIME ZONE') return 'timestamptz';
  if (t === 'VARCHAR') return 'varchar';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'BLOB') return 'blob';
  if (t === 'TIME') return 'time';
  return t.toLowerCase();
}

function typesCompatible(tarnType, duckType) {
  const a = typeClass(tarnType);
  const b = typeClass(duckType);
  if (a === b) return { ok: true };
  const allowed = TYPE_ALLOWLIST.find((e) => e.tarn === a && e.duckdb === b);
  return allowed ? { ok: true, allowed } : { ok: false };
}

/** 'YYYY-MM-DD HH:MM:SS[.f]': a T separator, a UTC suffix and trailing fraction zeros removed. */
function normTimestamp(s) {
  let t = String(s).replace('T', ' ').replace(/(Z|[+-]00(:?00)?)$/, '');
  if (t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '');
  return t;
}

/** A value reduced to a comparable string (or null) for the type class `cls`. */
function norm(v, cls) {
  if (v === null || v === undefined) return null;
  if (v instanceof JsonNumber) v = v.text;
  switch (cls) {
    case 'integer': {
      const s = String(v).trim();
      return /^[+-]?\d+$/.test(s) ? BigInt(s).toString() : `text:${s}`;
    }
    case 'float':
    case 'decimal': {
      const n = Number(v);
      if (Number.isNaN(n)) return /^nan$/i.test(String(v)) ? 'NaN' : `text:${v}`;
      return n === 0 ? '0' : String(n);
    }
    case 'boolean':
      if (v === true || /^(true|t)$/i.test(String(v))) return 'true';
      if (v === false || /^(false|f)$/i.test(String(v))) return 'false';
      return `text:${v}`;
    case 'timestamp':
    case 'timestamptz':
      return normTimestamp(v);
    default:
      return String(v);
  }
}

/**
 * Compares what tarn and DuckDB read from `file` (reader: 'csv' or 'json'); returns a list of
 * differences (empty when they agree) and notes on allowlisted ones.
 */
async function compare(con, file, reader, tag) {
  const problems = [];
  const notes = [];
  const src = sqlString(file);
  const scan = reader === 'csv' ? `read_csv(${src})` : `read_json(${src}, format='newline_delimited')`;

  // DuckDB's reading.
  const described = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${scan}`)).getRowObjectsJson();
  const duckNames = described.map((r) => r.column_name);
  const duckTypes = described.map((r) => r.column_type);
  const duckCols = (await con.runAndReadAll(`SELECT * FROM ${scan}`)).getColumnsJson();
  const duckRows = duckCols.length ? duckCols[0].length : 0;
  let headerless = false;
  if (reader === 'csv') {
    const sniff = (await con.runAndReadAll(`SELECT HasHeader FROM sniff_csv(${src})`)).getRowObjectsJson()[0];
    headerless = sniff.HasHeader === false;
  }

  // tarn's reading.
  const inspectArgs = ['inspect', file, '--format', 'json'];
  const ri = runTarn(inspectArgs, { timeout: 120_000 });
  if (ri.status !== 0 || ri.crashed || ri.timedOut) return { problems: [`inspect failed: ${describeRun(inspectArgs, ri)}`], notes };
  const info = parseJsonOutput(inspectArgs, ri);
  // Values come from NDJSON output (typed, NULL distinct from ''). While tarn says its JSON
  // writer is not available, its CSV output (NULL = unquoted empty field) stands in.
  let records;
  const out = path.join(dir, `${tag}.ndjson`);
  const convertArgs = ['convert', file, out];
  const rc = runTarn(convertArgs, { timeout: 120_000 });
  if (rc.status === 1 && /not available/.test(rc.stderr)) {
    const csvOut = path.join(dir, `${tag}.csv`);
    const csvArgs = ['convert', file, csvOut];
    const rv = runTarn(csvArgs, { timeout: 120_000 });
    if (rv.status !== 0 || rv.crashed || rv.timedOut) return { problems: [`convert failed: ${describeRun(csvArgs, rv)}`], notes };
    notes.push(`values read through CSV output: ${rc.stderr.trim()}`);
    records = readCsvRecords(csvOut);
  } else if (rc.status !== 0 || rc.crashed || rc.timedOut) {
    return { problems: [`convert failed: ${describeRun(convertArgs, rc)}`], notes };
  } else {
    records = readNdjson(out);
  }

  const tarnNames = info.columns.map((c) => c.name);
  const tarnTypes = info.columns.map((c) => c.type);

  // Shape.
  if (info.rejected !== 0) problems.push(`tarn rejected ${info.rejected} rows DuckDB read: ${JSON.stringify(info.problems.slice(0, 3))}`);
  if (info.rows !== duckRows) problems.push(`row count: tarn inspect ${info.rows}, DuckDB ${duckRows}`);
  if (records.length !== duckRows) problems.push(`row count: tarn convert ${records.length}, DuckDB ${duckRows}`);
  if (tarnNames.length !== duckNames.length) {
    problems.push(`column count: tarn ${tarnNames.length} [${tarnNames}], DuckDB ${duckNames.length} [${duckNames}]`);
    return { problems, notes };
  }
  if (headerless) {
    notes.push(`names compared by position (${CASE_ALLOWLIST.headerless.reason})`);
  } else if (JSON.stringify(tarnNames) !== JSON.stringify(duckNames)) {
    problems.push(`column names: tarn ${JSON.stringify(tarnNames)}, DuckDB ${JSON.stringify(duckNames)}`);
  }

  // Types.
  for (let c = 0; c < duckNames.length; c++) {
    const verdict = typesCompatible(tarnTypes[c], duckTypes[c]);
    if (!verdict.ok) problems.push(`type of ${duckNames[c]}: tarn ${tarnTypes[c]}, DuckDB ${duckTypes[c]}`);
    else if (verdict.allowed) notes.push(`type of ${duckNames[c]}: tarn ${tarnTypes[c]}, DuckDB ${duckTypes[c]} (allowed: ${verdict.allowed.reason})`);
  }

  // Values, column by column. The NDJSON record keys are tarn's column names.
  const rows = Math.min(records.length, duckRows);
  let shown = 0;
  let mismatches = 0;
  for (let c = 0; c < duckNames.length; c++) {
    const cls = typeClass(duckTypes[c]);
    const key = tarnNames[c];
    for (let r = 0; r < rows; r++) {
      const rec = records[r];
      if (!(key in rec)) {
        problems.push(`record ${r + 1} of tarn's output has no key ${JSON.stringify(key)}`);
        break;
      }
      const a = norm(rec[key], cls);
      const b = norm(duckCols[c][r], cls);
      if (a !== b) {
        mismatches++;
        if (shown++ < 10) problems.push(`row ${r + 1} column ${duckNames[c]} (${duckTypes[c]}): tarn ${JSON.stringify(a)}, DuckDB ${JSON.stringify(b)}`);
      }
    }
  }
  if (mismatches > shown) problems.push(`... ${mismatches - shown} more value differences`);
  return { problems, notes };
}

function report(result) {
  for (const n of result.notes) console.log(`  note: ${n}`);
  assert.ok(result.problems.length === 0, `tarn and DuckDB differ:\n  ${result.problems.join('\n  ')}`);
}

describe('tarn reads what DuckDB reads', { skip }, () => {
  let con;
  const cases = [];

  before(async () => {
    con = await duckdbConnect();
  });

  // The generated sales fact, as CSV and as NDJSON.
  for (const format of ['csv', 'ndjson']) {
    test(`sales 10k rows (${format}, gen_sales)`, async () => {
      const file = path.join(dir, `sales_10k.${format}`);
      runGenSales(['--rows', '10000', '--format', format, '-o', file]);
      report(await compare(con, file, format === 'csv' ? 'csv' : 'json', `sales_${format}`));
    });
  }

  test('products dimension (csv, gen_sales)', async () => {
    const file = path.join(dir, 'products.csv');
    runGenSales(['--products', '--format', 'csv', '-o', file]);
    report(await compare(con, file, 'csv', 'products_csv'));
  });

  // The other direction: DuckDB reads the Parquet file tarn wrote and must find what it finds
  // in the CSV tarn read (same names, same values; integer widths may differ).
  for (const codec of ['zstd', 'snappy', 'none']) {
    test(`DuckDB reads tarn's Parquet (${codec}) as it reads the source CSV`, async () => {
      const csv = path.join(dir, 'sales_pq_src.csv');
      if (!fs.existsSync(csv)) runGenSales(['--rows', '10000', '--format', 'csv', '-o', csv]);
      const pq = path.join(dir, `sales_${codec}.parquet`);
      const args = ['convert', csv, pq, '--compression', codec];
      const r = runTarn(args, { timeout: 120_000 });
      assert.equal(r.status, 0, describeRun(args, r));
      const a = `read_parquet(${sqlString(pq)})`;
      const b = `read_csv(${sqlString(csv)})`;
      const names = async (scan) => (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${scan}`)).getRowObjectsJson();
      const [pqCols, csvCols] = [await names(a), await names(b)];
      assert.deepEqual(pqCols.map((c) => c.column_name), csvCols.map((c) => c.column_name));
      for (let c = 0; c < csvCols.length; c++) {
        const verdict = typesCompatible(pqCols[c].column_type, csvCols[c].column_type);
        assert.ok(verdict.ok, `type of ${csvCols[c].column_name}: Parquet ${pqCols[c].column_type}, CSV ${csvCols[c].column_type}`);
      }
      const diff = await con.runAndReadAll(
        `SELECT (SELECT count(*) FROM ${a}) AS n,
                (SELECT count(*) FROM (SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})) AS only_pq,
                (SELECT count(*) FROM (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a})) AS only_csv`);
      const row = diff.getRowObjectsJson()[0];
      assert.equal(Number(row.n), 10000, 'rows in the Parquet file');
      assert.equal(Number(row.only_pq) + Number(row.only_csv), 0,
        `rows differ: ${row.only_pq} only in Parquet, ${row.only_csv} only in the CSV`);
    });
  }

  const spectrum = path.join(CONFORMANCE_DIR, 'csv/csv-spectrum/csvs');
  if (fs.existsSync(spectrum)) {
    for (const name of fs.readdirSync(spectrum).filter((f) => f.endsWith('.csv')).sort())
      cases.push({ label: `csv-spectrum/${name}`, file: path.join(spectrum, name) });
  }
  const duckBase = path.join(CONFORMANCE_DIR, 'csv/duckdb/data/csv');
  for (const rel of DUCKDB_CSVS) cases.push({ label: `duckdb/${rel}`, file: path.join(duckBase, rel) });

  for (const [i, c] of cases.entries()) {
    test(c.label, async () => {
      assert.ok(fs.existsSync(c.file), `conformance file missing: ${c.file}`);
      report(await compare(con, c.file, 'csv', `case${i}`));
    });
  }
});
