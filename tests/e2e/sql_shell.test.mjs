// SPDX-License-Identifier: Apache-2.0
//
// The `tarn sql` shell. On a pseudo-terminal (util-linux `script` gives it one) it shows a
// prompt, edits lines with libedit and keeps a history in ~/.tarn_history; with
// --interactive the same shell reads standard input without prompts, which tests the meta
// commands and the statement splitting without a terminal. Without a terminal and without
// --interactive, standard input is one script, as before.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TARN_BIN, tarnMissing, runTarn, describeRun, scratchDir, writeFile } from './lib.mjs';

const skipTarn = tarnMissing();

function scriptMissing() {
  const r = spawnSync('script', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /util-linux/.test(r.stdout) ? false : 'util-linux script(1) is not installed';
}

/** A project with one lake table `orders` (3 rows) and one view `big`. */
function project() {
  const dir = scratchDir('shell');
  assert.equal(runTarn(['init', dir]).status, 0);
  const csv = writeFile(dir, 'orders.csv', 'id,region,amount\n1,north,10\n2,south,70\n3,north,90\n');
  const sql = `CREATE TABLE orders AS SELECT * FROM '${csv}'; ` +
    'CREATE VIEW big AS SELECT id, amount FROM orders WHERE amount > 50';
  const r = runTarn(['-C', dir, 'sql', '-c', sql]);
  assert.equal(r.status, 0, describeRun(['sql', '-c', sql], r));
  return dir;
}

test('--interactive: meta commands, statements over several lines, errors do not end it',
  { skip: skipTarn }, () => {
    const dir = project();
    const input = [
      '\\dt',
      '\\d',
      '\\d orders',
      'SELECT region,',
      '       count(*) AS n',
      "FROM orders GROUP BY region ORDER BY region;",
      'SELECT nope FROM orders;',
      "SELECT ';' AS semi, 'a''b' AS quoted; -- a comment after the end",
      '\\timing',
      'SELECT count(*) AS big_rows FROM big;',
      '\\timing off',
      '\\nonsense',
      '\\?',
      '\\q',
      'SELECT 12345 AS after_quit;',
    ].join('\n') + '\n';
    const r = runTarn(['-C', dir, 'sql', '--interactive'], { input: Buffer.from(input) });
    assert.equal(r.status, 0, describeRun(['sql', '--interactive'], r));
    const out = r.stdout;
    // \dt lists tables only; \d lists tables and views.
    const lists = out.split(/^name +kind$/m).slice(1);
    assert.equal(lists.length, 2, out);
    assert.match(lists[0], /^orders +table$/m);
    assert.doesNotMatch(lists[0], /big/);
    assert.match(lists[1], /^big +view$/m);
    assert.match(lists[1], /^orders +table$/m);
    // \d NAME describes.
    assert.match(out, /column_name \| column_type \| null/);
    assert.match(out, /^ id +\| INTEGER +\| YES$/m);
    assert.match(out, /^ region +\| VARCHAR +\| YES$/m);
    // The three-line statement ran once.
    assert.match(out, / north +\| +2\n south +\| +1\n\(2 rows\)/);
    // The error is reported with its position and the next statements still run.
    assert.match(r.stderr, /tarn: error: 1:8: column "nope" does not exist/);
    assert.match(out, / ; +\| a'b/);
    assert.match(out, /Timing is on\.\n big_rows\n-+\n +2\n\(1 row\)\nTime: \d+\.\d{3} ms\n/);
    assert.match(out, /Timing is off\./);
    assert.equal((out.match(/^Time: /gm) || []).length, 1, 'only the statement run with timing on is timed');
    assert.match(r.stderr, /unknown command \\nonsense/);
    assert.match(out, /\\dt +list tables only/);
    assert.doesNotMatch(out, /12345/, '\\q ends the shell');
  });

test('--interactive: a last statement without ";" still runs; blank lines and ";" alone do nothing',
  { skip: skipTarn }, () => {
    const r = runTarn(['sql', '--no-project', '--interactive'], { input: Buffer.from('\n;\n  \nSELECT 7 AS seven') });
    assert.equal(r.status, 0, describeRun(['sql', '--interactive'], r));
    assert.equal(r.stdout, ' seven\n-------\n     7\n(1 row)\n');
    assert.equal(r.stderr, '');
  });

test('without a terminal and without --interactive, standard input is one script',
  { skip: skipTarn }, () => {
    const r = runTarn(['sql', '--no-project'], { input: Buffer.from('SELECT 1 AS a;\nSELECT nope;\nSELECT 2 AS b;\n') });
    assert.equal(r.status, 1);
    assert.match(r.stdout, / a\n/);
    assert.doesNotMatch(r.stdout, / b\n/, 'a script stops at its first error');
  });

test('on a terminal: prompt, line editing, \\d and \\timing, history saved to ~/.tarn_history',
  { skip: skipTarn || scriptMissing() }, () => {
    const dir = project();
    const home = scratchDir('shell-home');
    const input = [
      'SELECT count(*)',
      '  AS total FROM orders;',
      '\\dt',
      '\\timing',
      'SELECT max(amount) AS top FROM big;',
      '\\q',
    ].join('\n') + '\n';
    const command = `exec '${TARN_BIN}' -C '${dir}' sql`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], {
      input, encoding: 'utf8', timeout: 30_000,
      env: { ...process.env, HOME: home, TERM: 'dumb', SHELL: '/bin/sh' },
    });
    assert.equal(r.status, 0, `script exited ${r.status}: ${r.stdout}\n${r.stderr}`);
    const out = r.stdout.replaceAll('\r', '');
    assert.match(out, /\\\? for help, \\q to quit/);
    assert.match(out, /tarn> /);
    assert.match(out, / total\n-+\n +3\n\(1 row\)/);
    assert.match(out, /^orders +table$/m);
    assert.match(out, /Timing is on\./);
    assert.match(out, / top\n-+\n +90\n\(1 row\)\nTime: \d+\.\d{3} ms/);
    const history = fs.readFileSync(path.join(home, '.tarn_history'), 'utf8');
    // libedit's history file escapes blanks as \040; one entry per statement.
    const entries = history.split('\n').filter((l) => l && !l.startsWith('_HiStOrY_'))
      .map((l) => l.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))));
    assert.ok(entries.includes('SELECT count(*)   AS total FROM orders;'), JSON.stringify(entries));
    assert.ok(entries.includes('SELECT max(amount) AS top FROM big;'), JSON.stringify(entries));
    assert.ok(entries.includes('\\dt'), JSON.stringify(entries));
  });

/**
 * tarn's shell on a pseudo-terminal (script(1)), typed into piece by piece as a person would:
 * waitFor(text) waits until the output holds text (the shell must be at its prompt for each
 * piece); finish() quits with \q, asserts exit 0 and returns the whole output. Killed after
 * 20 s whatever happens.
 */
function terminalShell(tag) {
  const home = scratchDir(tag);
  // `exec`: the terminal's SIGINT goes to its whole foreground process group, so a shell left
  // waiting between script and tarn (dash does not exec a lone command) would die of it.
  const child = spawn('script', ['-qec', `exec '${TARN_BIN}' sql --no-project`, '/dev/null'], {
    env: { ...process.env, HOME: home, TERM: 'dumb', SHELL: '/bin/sh' },
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const waitFor = async (text) => {
    for (let i = 0; i < 300 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
  };
  const finish = async () => {
    child.stdin.write('\\q\n');
    const status = await exited;
    clearTimeout(killer);
    assert.equal(status, 0, out);
    return out;
  };
  return { child, waitFor, finish };
}

test('on a terminal: Ctrl-C drops the statement being typed and the shell goes on',
  { skip: skipTarn || scriptMissing() }, async () => {
    const { child, waitFor, finish } = terminalShell('shell-ctrl-c');
    await waitFor('tarn> ');
    child.stdin.write('SELECT 111 AS dropped\n');
    await waitFor('  ... ');
    child.stdin.write('\x03');
    await waitFor('^C');
    child.stdin.write('SELECT 222 AS kept;\n');
    await waitFor('(1 row)');
    const out = await finish();
    assert.match(out, / kept\r?\n-+\r?\n +222/);
    assert.doesNotMatch(out, /^ +111\r?$/m, 'the dropped statement never ran');
  });

test('on a terminal: Ctrl-C cancels the running statement and the shell goes on',
  { skip: skipTarn || scriptMissing() }, async () => {
    const { child, waitFor, finish } = terminalShell('shell-cancel');
    await waitFor('tarn> ');
    // A count over a cross join of 10^9 rows: minutes of work, so only a cancel ends it soon.
    child.stdin.write('WITH t(x) AS (SELECT * FROM (VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10)) v(x)), ' +
      'u AS (SELECT a.x FROM t a, t b, t c, t d) SELECT count(*) AS slow FROM u p, u q, t r;\n');
    await new Promise((r) => setTimeout(r, 500));
    const sent = Date.now();
    child.stdin.write('\x03');
    await waitFor('canceling statement');
    const took = Date.now() - sent;
    child.stdin.write('SELECT 333 AS after;\n');
    await waitFor('(1 row)');
    const out = await finish();
    assert.match(out, /error: canceling statement due to user request/);
    assert.ok(took < 10_000, `the statement stopped ${took} ms after Ctrl-C`);
    assert.doesNotMatch(out, / slow\r?\n/, 'the cancelled statement printed no result');
    assert.match(out, / after\r?\n-+\r?\n +333/);
  });
