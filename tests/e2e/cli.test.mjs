// SPDX-License-Identifier: Apache-2.0
//
// End-to-end tests of the `tarn` command line: inspect, convert, help, version and exit codes,
// run as a user would run them, on small files made here and on the public conformance corpora
// (JSONTestSuite, csv-spectrum). Each case names the behaviour it pins down, so a failure reads
// as a sentence about tarn.
//
// Environment: TARN_BIN (the binary), TARN_CONFORMANCE_DIR (../shared/conformance),
// TARN_PEERS_DIR (node_modules holding @duckdb/node-api, used to read Parquet output back).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';

import {
  CONFORMANCE_DIR, tarnMissing, runTarn, describeRun, parseJsonOutput, scratchDir,
  writeFile, findZstd, readNdjson, readCsvRecords, plain, duckdbMissing, duckdbConnect, sqlString,
} from './lib.mjs';

const skipAll = tarnMissing();
const dir = scratchDir('cli');

// Type names tarn may print (DESIGN.md).
const TYPE_NAME = /^(BOOLEAN|INTEGER|BIGINT|REAL|DOUBLE|DECIMAL\(\d+,\d+\)|DATE|TIMESTAMP|TIMESTAMPTZ|VARCHAR|BLOB)$/;
const INTEGER_TYPE = /^(INTEGER|BIGINT)$/;
const FRACTIONAL_TYPE = /^(DOUBLE|REAL|DECIMAL\(\d+,\d+\))$/;

/** Runs tarn and checks it neither crashed nor hung; returns the result. */
function tarn(args, opts) {
  const r = runTarn(args, opts);
  assert.ok(!r.timedOut, `hung: ${describeRun(args, r)}`);
  assert.ok(!r.crashed, `crashed: ${describeRun(args, r)}`);
  return r;
}

/** Runs tarn expecting exit 0; returns the result. */
function tarnOk(args, opts) {
  const r = tarn(args, opts);
  assert.equal(r.status, 0, describeRun(args, r));
  return r;
}

/** Runs tarn expecting a user error: exit 1 and one "tarn: error: ..." message on stderr. */
function tarnUserError(args, opts) {
  const r = tarn(args, opts);
  assert.equal(r.status, 1, describeRun(args, r));
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('tarn: error: '));
  assert.equal(errors.length, 1, `want exactly one "tarn: error: " line; ${describeRun(args, r)}`);
  return { ...r, message: errors[0] };
}

/** `tarn inspect ... --format json` of one file: the parsed object. */
function inspectJson(file, extra = []) {
  const args = ['inspect', file, '--format', 'json', ...extra];
  const r = tarnOk(args);
  const obj = parseJsonOutput(args, r);
  assert.ok(obj && typeof obj === 'object' && !Array.isArray(obj),
    `one file gives one JSON object; ${describeRun(args, r)}`);
  return obj;
}

let outputSeq = 0;

/**
 * Converts inputs to a CSV file and reads it back as records of strings (null for NULL), for
 * tests of features that do not depend on the output format. Returns {records, run}.
 */
function convertToRecords(inputs, extra = []) {
  const out = path.join(dir, `records_${++outputSeq}.csv`);
  const run = tarnOk(['convert', ...inputs, out, ...extra]);
  return { records: readCsvRecords(out), run };
}

function columnTypes(info) {
  return Object.fromEntries(info.columns.map((c) => [c.name, c.type]));
}

// A small file with one column of each common type.
const TYPED_CSV = [
  'id,name,price,day,ts,flag,note',
  '1,alpha,1.5,2024-01-02,2024-01-02 03:04:05,true,x',
  '2,"beta, gamma",2.25,2024-02-03,2024-02-03 04:05:06,false,',
  '3,"say ""hi""",-3.75,2024-03-04,2024-03-04 05:06:07.5,true,z',
  '',
].join('\n');

/** n rows of "id,amount" with integer amounts. */
function intRows(n, start = 1) {
  const rows = [];
  for (let i = start; i < start + n; i++) rows.push(`${i},${i * 10}`);
  return rows;
}

// ---------------------------------------------------------------------------------------------

describe('global options and exit codes', { skip: skipAll }, () => {
  test('--version prints "tarn X.Y.Z" and exits 0', () => {
    const r = tarnOk(['--version']);
    assert.match(r.stdout, /^tarn \d+\.\d+\.\d+/);
  });

  test('--help lists the inspect and convert commands and exits 0', () => {
    const r = tarnOk(['--help']);
    assert.match(r.stdout, /\binspect\b/);
    assert.match(r.stdout, /\bconvert\b/);
  });

  test('inspect --help documents every inspect option', () => {
    const r = tarnOk(['inspect', '--help']);
    for (const opt of ['--sample', '--strict', '--delimiter', '--header', '--no-header', '--null',
      '--format', '--threads']) assert.ok(r.stdout.includes(opt), `inspect --help lacks ${opt}`);
  });

  test('convert --help documents every convert option', () => {
    const r = tarnOk(['convert', '--help']);
    for (const opt of ['--to', '--compression', '--level', '--row-group-size', '--all-varchar'])
      assert.ok(r.stdout.includes(opt), `convert --help lacks ${opt}`);
  });

  test('an unknown command exits 1 with one error line', () => {
    const r = tarnUserError(['frobnicate']);
    assert.match(r.message, /frobnicate/);
  });

  test('an unknown option exits 1 with an error naming it', () => {
    const f = writeFile(dir, 'opt.csv', 'a\n1\n');
    const r = tarnUserError(['inspect', '--bogus-option', f]);
    assert.match(r.message, /--bogus-option/);
  });

  test('an option missing its value exits 1', () => {
    const f = writeFile(dir, 'optval.csv', 'a\n1\n');
    tarnUserError(['inspect', f, '--format']);
  });

  test('a missing file exits 1 with a message naming the file', () => {
    const missing = path.join(dir, 'does-not-exist.csv');
    const r = tarnUserError(['inspect', missing]);
    assert.ok(r.message.includes('does-not-exist.csv'), r.message);
  });

  test('convert of a missing input exits 1 and writes no output', () => {
    const out = path.join(dir, 'never.ndjson');
    const r = tarnUserError(['convert', path.join(dir, 'nope.csv'), out]);
    assert.ok(r.message.includes('nope.csv'), r.message);
    assert.ok(!fs.existsSync(out), 'no output file after a failed conversion');
  });

  test('inspect without a file exits 1', () => {
    tarnUserError(['inspect']);
  });

  test('--format with an unknown value exits 1', () => {
    const f = writeFile(dir, 'fmt.csv', 'a\n1\n');
    tarnUserError(['inspect', f, '--format', 'xml']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('inspect', { skip: skipAll }, () => {
  const typed = writeFile(dir, 'typed.csv', TYPED_CSV);

  test('table output names the format, the columns, their types and the row count', () => {
    const r = tarnOk(['inspect', typed]);
    assert.match(r.stdout, /csv/i);
    for (const name of ['id', 'name', 'price', 'day', 'ts', 'flag', 'note'])
      assert.ok(r.stdout.includes(name), `table output lacks column ${name}`);
    assert.match(r.stdout, /\bDATE\b/);
    assert.match(r.stdout, /\bTIMESTAMP\b/);
    assert.match(r.stdout, /\b3\b/);
  });

  test('--format table is the default', () => {
    const a = tarnOk(['inspect', typed]);
    const b = tarnOk(['inspect', typed, '--format', 'table']);
    assert.equal(b.stdout, a.stdout);
  });

  test('--format json gives one object with format, columns, rows, rejected, problems, dialect, sample', () => {
    const info = inspectJson(typed);
    assert.equal(info.format, 'csv');
    assert.ok(Array.isArray(info.columns));
    for (const c of info.columns) {
      assert.equal(typeof c.name, 'string');
      assert.match(c.type, TYPE_NAME, `type name ${c.type} is not one of tarn's`);
      assert.equal(typeof c.nullable, 'boolean');
    }
    assert.equal(info.rows, 3);
    assert.equal(info.rejected, 0);
    assert.deepEqual(info.problems, []);
    assert.ok(info.dialect && typeof info.dialect === 'object', 'dialect is an object');
    assert.ok(Array.isArray(info.sample) && info.sample.length >= 3, 'sample holds the rows');
  });

  test('infers INTEGER/BIGINT, VARCHAR, DOUBLE, DATE, TIMESTAMP and BOOLEAN', () => {
    const types = columnTypes(inspectJson(typed));
    assert.deepEqual(Object.keys(types), ['id', 'name', 'price', 'day', 'ts', 'flag', 'note']);
    assert.match(types.id, INTEGER_TYPE);
    assert.equal(types.name, 'VARCHAR');
    assert.match(types.price, FRACTIONAL_TYPE);
    assert.equal(types.day, 'DATE');
    assert.equal(types.ts, 'TIMESTAMP');
    assert.equal(types.flag, 'BOOLEAN');
    assert.equal(types.note, 'VARCHAR');
  });

  test('an empty field makes the column nullable and reads as NULL', () => {
    const info = inspectJson(typed);
    const note = info.columns.find((c) => c.name === 'note');
    assert.equal(note.nullable, true);
    assert.equal(info.sample[1].note, null);
  });

  test('the sample shows quoted values unquoted and unescaped', () => {
    const info = inspectJson(typed);
    assert.equal(info.sample[1].name, 'beta, gamma');
    assert.equal(info.sample[2].name, 'say "hi"');
    assert.equal(Number(info.sample[0].id), 1);
  });

  test('the dialect names the delimiter', () => {
    const info = inspectJson(typed);
    assert.equal(info.dialect.delimiter, ',', JSON.stringify(info.dialect));
  });

  test('several files give a JSON array with one object per file', () => {
    const a = writeFile(dir, 'multi_a.csv', 'x,y\n1,2\n3,4\n');
    const b = writeFile(dir, 'multi_b.csv', 'p;q;r\n1;2;3\n');
    const args = ['inspect', a, b, '--format', 'json'];
    const out = parseJsonOutput(args, tarnOk(args));
    assert.ok(Array.isArray(out), 'an array for several files');
    assert.equal(out.length, 2);
    assert.equal(out[0].rows, 2);
    assert.deepEqual(out[1].columns.map((c) => c.name), ['p', 'q', 'r']);
  });

  test('a folder given with a trailing slash names its files with one slash', () => {
    const folder = path.join(dir, 'slash_folder');
    fs.mkdirSync(folder, { recursive: true });
    writeFile(folder, 'a.csv', 'x\n1\n');
    writeFile(folder, 'b.csv', 'x\n2\n');
    for (const given of [folder, `${folder}/`, `${folder}//`]) {
      const args = ['inspect', given, '--format', 'json'];
      const out = parseJsonOutput(args, tarnOk(args));
      assert.deepEqual(out.map((o) => o.file), [path.join(folder, 'a.csv'), path.join(folder, 'b.csv')],
        `paths from '${given}'`);
    }
  });

  test('counts every row of a file larger than the inference sample', () => {
    const rows = intRows(50_000);
    const f = writeFile(dir, 'big.csv', ['id,amount', ...rows, ''].join('\n'));
    const info = inspectJson(f);
    assert.equal(info.rows, 50_000);
    assert.equal(info.rejected, 0);
  });

  test('a value that does not fit the inferred type is a rejected row with file, line, column, reason', () => {
    // 100 integer rows (lines 2-101) fix the type in a 50-row sample; line 102 holds text.
    const lines = ['id,amount', ...intRows(100), '101,abc', ...intRows(5, 102), ''];
    const f = writeFile(dir, 'reject_type.csv', lines.join('\n'));
    const info = inspectJson(f, ['--sample', '50']);
    assert.match(columnTypes(info).amount, INTEGER_TYPE);
    assert.equal(info.rejected, 1);
    assert.equal(info.rows, 105, 'rows counts the rows that parsed');
    assert.equal(info.problems.length, 1);
    const p = info.problems[0];
    assert.ok(String(p.file).endsWith('reject_type.csv'), `problem.file = ${p.file}`);
    assert.equal(p.line, 102);
    assert.ok(p.column === 'amount' || p.column === 2, `problem.column = ${JSON.stringify(p.column)}`);
    assert.ok(typeof p.reason === 'string' && p.reason.length > 0, 'a reason is given');
  });

  test('a row with too many fields is rejected with its line', () => {
    const lines = ['id,amount', ...intRows(10), '11,110,extra', ...intRows(3, 12), ''];
    const f = writeFile(dir, 'reject_wide.csv', lines.join('\n'));
    const info = inspectJson(f);
    assert.equal(info.rejected, 1);
    assert.equal(info.rows, 13);
    assert.equal(info.problems[0]?.line, 12, JSON.stringify(info.problems));
  });

  test('a row with too few fields is rejected with its line', () => {
    const lines = ['id,amount,label', '1,10,a', '2,20,b', '3', '4,40,d', ''];
    const f = writeFile(dir, 'reject_narrow.csv', lines.join('\n'));
    const info = inspectJson(f);
    assert.equal(info.rejected, 1);
    assert.equal(info.rows, 3);
    assert.equal(info.problems[0]?.line, 4, JSON.stringify(info.problems));
  });

  test('at most 10 problems are listed while all rejected rows are counted', () => {
    const lines = ['id,amount', ...intRows(100)];
    for (let i = 0; i < 25; i++) lines.push(`${200 + i},bad${i}`);
    lines.push('');
    const f = writeFile(dir, 'reject_many.csv', lines.join('\n'));
    const info = inspectJson(f, ['--sample', '50']);
    assert.equal(info.rejected, 25);
    assert.equal(info.problems.length, 10);
    assert.equal(info.problems[0].line, 102);
  });

  test('problems are shown in the table output with file:line', () => {
    const lines = ['id,amount', ...intRows(100), '101,abc', ''];
    const f = writeFile(dir, 'reject_table.csv', lines.join('\n'));
    const r = tarnOk(['inspect', f, '--sample', '50']);
    assert.match(r.stdout, /reject_table\.csv:102/);
  });

  test('--strict exits 1 with a message naming file:line of the first bad row', () => {
    const lines = ['id,amount', ...intRows(100), '101,abc', ''];
    const f = writeFile(dir, 'strict.csv', lines.join('\n'));
    const r = tarnUserError(['inspect', f, '--strict', '--sample', '50']);
    assert.match(r.message, /strict\.csv:102\b/);
  });

  test('--strict on a clean file exits 0', () => {
    const info = inspectJson(typed, ['--strict']);
    assert.equal(info.rejected, 0);
  });

  test('--sample all infers from every row, so a late text value makes the column VARCHAR', () => {
    const lines = ['id,amount', ...intRows(30_000), '30001,abc', ''];
    const f = writeFile(dir, 'sample_all.csv', lines.join('\n'));
    const dflt = inspectJson(f);
    assert.match(columnTypes(dflt).amount, INTEGER_TYPE, 'default sample sees only integers');
    assert.equal(dflt.rejected, 1);
    const all = inspectJson(f, ['--sample', 'all']);
    assert.equal(columnTypes(all).amount, 'VARCHAR');
    assert.equal(all.rejected, 0);
    assert.equal(all.rows, 30_001);
  });

  test('--sample N with a small N still reads every row', () => {
    const f = writeFile(dir, 'sample_small.csv', ['id,amount', ...intRows(1000), ''].join('\n'));
    const info = inspectJson(f, ['--sample', '10']);
    assert.equal(info.rows, 1000);
  });

  test('--delimiter reads a file with the given delimiter', () => {
    const f = writeFile(dir, 'semi.txt', 'a;b;c\n1;2;3\n4;5;6\n');
    const info = inspectJson(f, ['--delimiter', ';']);
    assert.deepEqual(info.columns.map((c) => c.name), ['a', 'b', 'c']);
    assert.equal(info.rows, 2);
  });

  test('--delimiter overrides detection (a comma file read with | is one column)', () => {
    const f = writeFile(dir, 'forced.csv', 'a,b\n1,2\n');
    const info = inspectJson(f, ['--delimiter', '|']);
    assert.equal(info.columns.length, 1);
  });

  test('delimiters ; tab and | are detected', () => {
    for (const [name, d] of [['semi', ';'], ['tab', '\t'], ['pipe', '|']]) {
      const f = writeFile(dir, `detect_${name}.csv`, `a${d}b${d}c\n1${d}x${d}2.5\n3${d}y${d}4.5\n`);
      const info = inspectJson(f);
      assert.deepEqual(info.columns.map((c) => c.name), ['a', 'b', 'c'], `delimiter ${JSON.stringify(d)}`);
    }
  });

  test('--no-header reads the first row as data', () => {
    const f = writeFile(dir, 'noheader.csv', 'x,y\n1,2\n3,4\n');
    const info = inspectJson(f, ['--no-header']);
    assert.equal(info.rows, 3);
    assert.equal(info.columns.length, 2);
    assert.ok(!info.columns.some((c) => c.name === 'x'), 'no column is named after a data value');
  });

  test('--header takes the first row as names even when every value is text', () => {
    const f = writeFile(dir, 'header.csv', 'alpha,beta\ngamma,delta\nepsilon,zeta\n');
    const info = inspectJson(f, ['--header']);
    assert.deepEqual(info.columns.map((c) => c.name), ['alpha', 'beta']);
    assert.equal(info.rows, 2);
  });

  test('a headerless numeric file is detected as headerless', () => {
    const f = writeFile(dir, 'headerless.csv', '1,2.5\n3,4.5\n5,6.5\n');
    const info = inspectJson(f);
    assert.equal(info.rows, 3);
  });

  test('--null STR reads STR as NULL and keeps the column numeric', () => {
    const f = writeFile(dir, 'nullstr.csv', 'id,amount\n1,10\n2,NA\n3,30\n');
    const info = inspectJson(f, ['--null', 'NA']);
    const amount = info.columns.find((c) => c.name === 'amount');
    assert.match(amount.type, INTEGER_TYPE);
    assert.equal(amount.nullable, true);
    assert.equal(info.rejected, 0);
    assert.equal(info.sample[1].amount, null);
  });

  test('--null is repeatable', () => {
    const f = writeFile(dir, 'nullstr2.csv', 'id,amount\n1,10\n2,NA\n3,-\n4,40\n');
    const info = inspectJson(f, ['--null', 'NA', '--null', '-']);
    assert.match(columnTypes(info).amount, INTEGER_TYPE);
    assert.equal(info.sample[1].amount, null);
    assert.equal(info.sample[2].amount, null);
  });

  test('--threads 1 and --threads 2 give the same answer', () => {
    const rows = [];
    for (let i = 1; i <= 60_000; i++) rows.push(`${i},item ${i % 97},${(i % 1000) / 4}`);
    const f = writeFile(dir, 'threads.csv', ['id,label,value', ...rows, ''].join('\n'));
    const one = inspectJson(f, ['--threads', '1']);
    const two = inspectJson(f, ['--threads', '2']);
    assert.equal(one.rows, 60_000);
    assert.equal(two.rows, one.rows);
    assert.deepEqual(two.columns, one.columns);
  });

  test('a UTF-8 BOM is not part of the first column name', () => {
    const f = writeFile(dir, 'bom.csv', '\ufeffname,n\nä,1\n');
    const info = inspectJson(f);
    assert.equal(info.columns[0].name, 'name');
  });

  test('CRLF line ends are not part of the values', () => {
    const f = writeFile(dir, 'crlf.csv', 'a,b\r\n1,x\r\n2,y\r\n');
    const info = inspectJson(f);
    assert.equal(info.rows, 2);
    assert.equal(info.sample[0].b, 'x');
    assert.match(columnTypes(info).a, INTEGER_TYPE);
  });

  test('NDJSON: format, columns, rows and a rejected malformed line', () => {
    const f = writeFile(dir, 'events.ndjson', [
      '{"id":1,"name":"a","score":1.5,"ok":true}',
      '{"id":2,"name":"b","score":2.5,"ok":false}',
      '{"id":3,"name":',
      '{"id":4,"name":"d","score":null,"ok":true}',
      '',
    ].join('\n'));
    const info = inspectJson(f);
    assert.match(info.format, /^(ndjson|json)$/);
    const types = columnTypes(info);
    assert.match(types.id, INTEGER_TYPE);
    assert.equal(types.name, 'VARCHAR');
    assert.match(types.score, FRACTIONAL_TYPE);
    assert.equal(types.ok, 'BOOLEAN');
    assert.equal(info.rows, 3);
    assert.equal(info.rejected, 1);
    assert.equal(info.problems[0]?.line, 3, JSON.stringify(info.problems));
  });

  test('NDJSON: keys missing from some records are NULL there', () => {
    const f = writeFile(dir, 'sparse.ndjson', '{"a":1}\n{"a":2,"b":"x"}\n{"b":"y"}\n');
    const info = inspectJson(f);
    assert.deepEqual(info.columns.map((c) => c.name).sort(), ['a', 'b']);
    assert.equal(info.rows, 3);
  });

  test('gzip input (.csv.gz) is decompressed transparently', () => {
    const plainFile = writeFile(dir, 'gz_src.csv', TYPED_CSV);
    const gz = writeFile(dir, 'typed.csv.gz', zlib.gzipSync(fs.readFileSync(plainFile)));
    const a = inspectJson(plainFile);
    const b = inspectJson(gz);
    assert.equal(b.rows, a.rows);
    assert.deepEqual(b.columns, a.columns);
  });

  test('gzip NDJSON input (.ndjson.gz) is decompressed transparently', () => {
    const gz = writeFile(dir, 'e.ndjson.gz', zlib.gzipSync('{"a":1}\n{"a":2}\n'));
    const info = inspectJson(gz);
    assert.equal(info.rows, 2);
  });

  const zstd = findZstd();
  test('zstd input (.csv.zst) is decompressed transparently',
    { skip: zstd ? false : 'the zstd command is not installed, so no .zst file can be made' }, () => {
      const src = writeFile(dir, 'zst_src.csv', TYPED_CSV);
      const zst = path.join(dir, 'typed.csv.zst');
      execFileSync(zstd, ['-q', '-f', src, '-o', zst]);
      const a = inspectJson(src);
      const b = inspectJson(zst);
      assert.equal(b.rows, a.rows);
      assert.deepEqual(b.columns, a.columns);
    });

  test('an empty file does not crash', () => {
    const f = writeFile(dir, 'empty.csv', '');
    const r = tarn(['inspect', f, '--format', 'json']);
    assert.ok(r.status === 0 || r.status === 1, describeRun(['inspect', f], r));
  });
});

// ---------------------------------------------------------------------------------------------

describe('convert', { skip: skipAll }, () => {
  const typed = writeFile(dir, 'conv_typed.csv', TYPED_CSV);

  test('CSV -> NDJSON writes one record per row with typed values', () => {
    const out = path.join(dir, 'conv1.ndjson');
    tarnOk(['convert', typed, out]);
    const recs = plain(readNdjson(out));
    assert.equal(recs.length, 3);
    assert.deepEqual(Object.keys(recs[0]), ['id', 'name', 'price', 'day', 'ts', 'flag', 'note']);
    assert.equal(Number(recs[0].id), 1);
    assert.equal(recs[1].name, 'beta, gamma');
    assert.equal(recs[2].name, 'say "hi"');
    assert.equal(Number(recs[2].price), -3.75);
    assert.equal(recs[0].day, '2024-01-02');
    assert.match(recs[2].ts, /^2024-03-04[ T]05:06:07\.5/);
    assert.equal(recs[1].flag, false);
    assert.equal(recs[1].note, null);
  });

  test('NDJSON numbers are JSON numbers, not strings', () => {
    const out = path.join(dir, 'conv_num.ndjson');
    tarnOk(['convert', typed, out]);
    const first = JSON.parse(fs.readFileSync(out, 'utf8').split('\n')[0]);
    assert.equal(typeof first.id, 'number');
    assert.equal(typeof first.price, 'number');
  });

  test('CSV -> CSV keeps every value (quoting what needs quotes)', () => {
    const { records } = convertToRecords([typed]);
    assert.equal(records.length, 3);
    assert.deepEqual(Object.keys(records[0]), ['id', 'name', 'price', 'day', 'ts', 'flag', 'note']);
    assert.equal(records[1].name, 'beta, gamma');
    assert.equal(records[2].name, 'say "hi"');
    assert.equal(Number(records[2].price), -3.75);
    assert.equal(records[0].day, '2024-01-02');
    assert.match(records[2].ts, /^2024-03-04[ T]05:06:07\.5$/);
    assert.equal(records[1].note, null, 'NULL is written as an empty field');
    // And tarn reads its own output back to the same records.
    const again = convertToRecords([path.join(dir, `records_${outputSeq}.csv`)]).records;
    assert.deepEqual(again, records);
  });

  test('NDJSON -> CSV -> NDJSON round-trips', () => {
    const src = writeFile(dir, 'rt.ndjson', [
      '{"id":1,"s":"a,b","q":"say \\"x\\"","n":null}',
      '{"id":2,"s":"line\\nbreak","q":"ü","n":3}',
      '',
    ].join('\n'));
    const mid = path.join(dir, 'rt.csv');
    const back = path.join(dir, 'rt_back.ndjson');
    tarnOk(['convert', src, mid]);
    tarnOk(['convert', mid, back]);
    const recs = plain(readNdjson(back));
    assert.equal(recs.length, 2);
    assert.equal(recs[0].s, 'a,b');
    assert.equal(recs[0].q, 'say "x"');
    assert.equal(recs[1].s, 'line\nbreak');
    assert.equal(recs[1].q, 'ü');
    assert.equal(recs[0].n, null);
  });

  test('--to chooses the output format regardless of the extension', () => {
    const out = path.join(dir, 'conv3.out');
    tarnOk(['convert', typed, out, '--to', 'ndjson']);
    assert.equal(readNdjson(out).length, 3);
  });

  test('--to json writes JSON records', () => {
    const out = path.join(dir, 'conv_json.out');
    tarnOk(['convert', typed, out, '--to', 'json']);
    const text = fs.readFileSync(out, 'utf8').trim();
    // Either NDJSON or one array document; both must hold the 3 records.
    const recs = text.startsWith('[') ? JSON.parse(text) : text.split('\n').map((l) => JSON.parse(l));
    assert.equal(recs.length, 3);
  });

  test('an output extension tarn cannot write, without --to, exits 1', () => {
    tarnUserError(['convert', typed, path.join(dir, 'out.unknownext')]);
  });

  test('--to with an unknown format exits 1', () => {
    tarnUserError(['convert', typed, path.join(dir, 'x.out'), '--to', 'xlsx']);
  });

  test('rejected rows are reported on stderr with file:line and the good rows are written', () => {
    const lines = ['id,amount', ...intRows(100), '101,abc', ...intRows(4, 102), ''];
    const f = writeFile(dir, 'conv_reject.csv', lines.join('\n'));
    const { records: recs, run: r } = convertToRecords([f], ['--sample', '50']);
    assert.match(r.stderr, /conv_reject\.csv:102\b/);
    assert.equal(recs.length, 104);
    assert.ok(!recs.some((x) => Number(x.id) === 101), 'the rejected row is not written');
  });

  test('--strict stops the conversion with exit 1 naming file:line', () => {
    const lines = ['id,amount', ...intRows(100), '101,abc', ''];
    const f = writeFile(dir, 'conv_strict.csv', lines.join('\n'));
    const r = tarnUserError(['convert', f, path.join(dir, 'conv_strict_out.csv'), '--strict', '--sample', '50']);
    assert.match(r.message, /conv_strict\.csv:102\b/);
  });

  test('several inputs with the same schema are concatenated in order', () => {
    const a = writeFile(dir, 'cat_a.csv', 'id,name\n1,a\n2,b\n');
    const b = writeFile(dir, 'cat_b.csv', 'id,name\n3,c\n');
    const c = writeFile(dir, 'cat_c.ndjson', '{"id":4,"name":"d"}\n');
    const { records: recs } = convertToRecords([a, b, c]);
    assert.deepEqual(recs.map((x) => Number(x.id)), [1, 2, 3, 4]);
    assert.deepEqual(recs.map((x) => x.name), ['a', 'b', 'c', 'd']);
  });

  test('a gzip input converts like the plain file', () => {
    const gz = writeFile(dir, 'conv.csv.gz', zlib.gzipSync(TYPED_CSV));
    assert.deepEqual(convertToRecords([gz]).records, convertToRecords([typed]).records);
  });

  test('--all-varchar writes every value as text', () => {
    // NDJSON shows the difference: text is quoted, numbers are not.
    const out = path.join(dir, 'allvarchar.ndjson');
    tarnOk(['convert', typed, out, '--all-varchar']);
    const recs = plain(readNdjson(out));
    assert.equal(recs[0].id, '1');
    assert.equal(recs[0].price, '1.5');
    assert.equal(recs[0].flag, 'true');
    assert.equal(typeof JSON.parse(fs.readFileSync(out, 'utf8').split('\n')[0]).id, 'string');
  });

  test('the output may not be one of the inputs', () => {
    const f = writeFile(dir, 'self.ndjson', '{"a":1}\n');
    tarnUserError(['convert', f, f]);
    assert.equal(fs.readFileSync(f, 'utf8'), '{"a":1}\n', 'the input is left intact');
  });
});

// ---------------------------------------------------------------------------------------------
// Parquet: written by tarn, read back by tarn and by DuckDB.

describe('convert to and from Parquet', { skip: skipAll }, () => {
  const noDuck = duckdbMissing();
  const src = writeFile(dir, 'pq_src.csv', [
    'id,name,price,day,ts,flag,note',
    ...Array.from({ length: 5000 }, (_, k) => {
      const i = k + 1;
      const note = i % 7 === 0 ? '' : `n${i % 13}`;
      return `${i},"item, ${i % 50}",${(i % 400) / 4},2024-01-${String(1 + (i % 28)).padStart(2, '0')},` +
        `2024-02-01 ${String(i % 24).padStart(2, '0')}:00:${String(i % 60).padStart(2, '0')},${i % 2 === 0},${note}`;
    }),
    '',
  ].join('\n'));

  for (const codec of ['zstd', 'snappy', 'gzip', 'lz4', 'none']) {
    test(`--compression ${codec}: tarn reads back the same rows`, () => {
      const pq = path.join(dir, `pq_${codec}.parquet`);
      tarnOk(['convert', src, pq, '--compression', codec]);
      assert.equal(fs.readFileSync(pq).subarray(0, 4).toString(), 'PAR1');
      const info = inspectJson(pq);
      assert.equal(info.format, 'parquet');
      assert.equal(info.rows, 5000);
      assert.deepEqual(convertToRecords([pq]).records, convertToRecords([src]).records);
    });

    test(`--compression ${codec}: DuckDB reads the same values`, { skip: noDuck }, async () => {
      const pq = path.join(dir, `pq_duck_${codec}.parquet`);
      tarnOk(['convert', src, pq, '--compression', codec]);
      const con = await duckdbConnect();
      const r = await con.runAndReadAll(
        `SELECT count(*) AS n, sum(id) AS s, count(note) AS notes, min(day) AS d0, max(ts) AS t1,
                sum(price) AS p, count(*) FILTER (WHERE flag) AS trues
         FROM read_parquet(${sqlString(pq)})`);
      const row = r.getRowObjectsJson()[0];
      assert.equal(Number(row.n), 5000);
      assert.equal(Number(row.s), 5000 * 5001 / 2);
      assert.equal(Number(row.notes), 5000 - Math.floor(5000 / 7));
      assert.equal(row.d0, '2024-01-01');
      assert.equal(row.t1, '2024-02-01 23:00:59');
      assert.equal(Number(row.trues), 2500);
    });
  }

  test('--level is accepted with zstd', () => {
    const pq = path.join(dir, 'pq_level.parquet');
    tarnOk(['convert', src, pq, '--compression', 'zstd', '--level', '9']);
    assert.equal(inspectJson(pq).rows, 5000);
  });

  test('--row-group-size splits the file into row groups', { skip: noDuck }, async () => {
    const pq = path.join(dir, 'pq_groups.parquet');
    tarnOk(['convert', src, pq, '--row-group-size', '1000']);
    const con = await duckdbConnect();
    const r = await con.runAndReadAll(
      `SELECT count(DISTINCT row_group_id) AS g FROM parquet_metadata(${sqlString(pq)})`);
    assert.equal(Number(r.getRowObjectsJson()[0].g), 5);
  });

  test('an unknown codec exits 1', () => {
    tarnUserError(['convert', src, path.join(dir, 'bad.parquet'), '--compression', 'brotli9']);
  });

  test('a Parquet file DuckDB wrote is read with the same values', { skip: noDuck }, async () => {
    const pq = path.join(dir, 'duck_written.parquet');
    const con = await duckdbConnect();
    await con.run(`COPY (SELECT * FROM read_csv(${sqlString(src)})) TO ${sqlString(pq)} (FORMAT parquet)`);
    const info = inspectJson(pq);
    assert.equal(info.rows, 5000);
    assert.deepEqual(convertToRecords([pq]).records, convertToRecords([src]).records);
  });
});

// ---------------------------------------------------------------------------------------------
// JSONTestSuite: y_ accepted, n_ rejected, i_ either; never a crash or a hang.

describe('JSONTestSuite (conformance/json/test_parsing)', { skip: skipAll }, () => {
  const suite = path.join(CONFORMANCE_DIR, 'json/test_parsing');
  const files = fs.existsSync(suite) ? fs.readdirSync(suite).filter((f) => f.endsWith('.json')).sort() : [];
  test('the corpus is present', () => assert.ok(files.length > 300, `no JSONTestSuite files in ${suite}`));

  for (const name of files) {
    const kind = name[0];
    test(name, () => {
      const args = ['inspect', path.join(suite, name), '--format', 'json'];
      const r = runTarn(args, { timeout: 10_000 });
      assert.ok(!r.timedOut, `hang (over 10 s): ${describeRun(args, r)}`);
      assert.ok(!r.crashed, `crash: ${describeRun(args, r)}`);
      if (kind === 'y') {
        assert.equal(r.status, 0, `valid JSON must be accepted; ${describeRun(args, r)}`);
        const info = parseJsonOutput(args, r);
        assert.equal(info.rejected, 0, `valid JSON must not be rejected: ${JSON.stringify(info.problems)}`);
      } else if (kind === 'n') {
        if (r.status === 0) {
          const info = parseJsonOutput(args, r);
          assert.ok(info.rejected > 0, `invalid JSON was accepted: rows=${info.rows} rejected=0`);
        } else {
          assert.equal(r.status, 1, `invalid JSON is a user error (exit 1); ${describeRun(args, r)}`);
          assert.match(r.stderr, /tarn: error: /, 'exit 1 comes with a message');
        }
      } else {
        assert.ok(r.status === 0 || r.status === 1, describeRun(args, r));
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// csv-spectrum: every CSV, read as text, gives the records of its JSON twin.

describe('csv-spectrum (conformance/csv/csv-spectrum)', { skip: skipAll }, () => {
  const base = path.join(CONFORMANCE_DIR, 'csv/csv-spectrum');
  const csvs = fs.existsSync(path.join(base, 'csvs'))
    ? fs.readdirSync(path.join(base, 'csvs')).filter((f) => f.endsWith('.csv')).sort() : [];
  test('the corpus is present', () => assert.ok(csvs.length >= 10, `no csv-spectrum files in ${base}`));

  for (const name of csvs) {
    test(name, () => {
      const stem = name.slice(0, -4);
      const expected = JSON.parse(fs.readFileSync(path.join(base, 'json', `${stem}.json`), 'utf8'));
      const out = path.join(dir, `spectrum_${stem}.ndjson`);
      // The corpus defines the first row as the header; with every column text, a sniffer could
      // not tell, so say it.
      tarnOk(['convert', path.join(base, 'csvs', name), out, '--all-varchar', '--header']);
      const got = plain(readNdjson(out));
      assert.equal(got.length, expected.length, 'record count');
      for (let i = 0; i < expected.length; i++) {
        assert.deepEqual(Object.keys(got[i]), Object.keys(expected[i]), `record ${i + 1} keys`);
        assert.deepEqual(got[i], expected[i], `record ${i + 1}`);
      }
    });
  }
});
