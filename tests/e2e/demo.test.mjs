// SPDX-License-Identifier: Apache-2.0
//
// The demo (scripts/demo.sh) run against the built binary (TARN_BIN: no install, no build),
// then its project checked: the three rows the sample dumps hold that cannot be loaded are in
// the quarantine with their file, line and reason; the table has two schema versions, the
// second adding `coupon`; and the sales_by_region mart equals the one DuckDB computes from the
// sample files on its own (reading the CSV and NDJSON dumps and skipping the rows it cannot
// parse).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  TARN_BIN, repoRoot, tarnMissing, runTarn, describeRun, parseJsonOutput, scratchDir,
  duckdbMissing, duckdbConnect, sqlString,
} from './lib.mjs';

const examples = path.join(repoRoot, 'examples');
const dumps = path.join(examples, 'dumps');

let demoRun;

/** Runs the demo once for the whole file (the tests only read its project). */
function runDemo() {
  demoRun ??= runDemoOnce();
  return demoRun;
}

function runDemoOnce() {
  const project = path.join(scratchDir('demo'), 'project');
  const r = spawnSync('bash', [path.join(repoRoot, 'scripts/demo.sh')], {
    env: { ...process.env, TARN_BIN, TARN_DEMO_DIR: project },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `demo.sh failed (${r.status}): ${r.stderr}\n${r.stdout.slice(-2000)}`);
  return { project, stdout: r.stdout, stderr: r.stderr };
}

function tarnJson(project, args) {
  const r = runTarn(['-C', project, ...args]);
  assert.equal(r.status, 0, describeRun(args, r));
  return parseJsonOutput(args, r);
}

/** The mart as DuckDB computes it from the sample files, rows ordered by day and region. */
async function expectedMart() {
  const conn = await duckdbConnect();
  const csvColumns = `{'order_id': 'BIGINT', 'order_ts': 'TIMESTAMP', 'customer_id': 'BIGINT',
    'product_id': 'BIGINT', 'quantity': 'BIGINT', 'unit_price': 'DOUBLE', 'region': 'VARCHAR',
    'channel': 'VARCHAR'}`;
  await conn.run(`CREATE TABLE sales AS
    SELECT order_id, order_ts, product_id, quantity, unit_price, region
    FROM read_csv([${sqlString(path.join(dumps, 'sales_2024-03-01.csv'))},
                   ${sqlString(path.join(dumps, 'sales_2024-03-02.csv'))}],
                  header = true, columns = ${csvColumns}, ignore_errors = true)
    UNION ALL
    SELECT order_id, CAST(order_ts AS TIMESTAMP), product_id, quantity, unit_price, region
    FROM read_json(${sqlString(path.join(dumps, 'sales_2024-03-03.ndjson'))},
                   format = 'newline_delimited', ignore_errors = true)
    WHERE order_id IS NOT NULL`);
  const count = Number((await conn.runAndReadAll('SELECT count(*) AS n FROM sales')).getRowObjects()[0].n);
  const rows = (await conn.runAndReadAll(`
    SELECT CAST(CAST(s.order_ts AS DATE) AS VARCHAR) AS day, s.region,
           count(*) AS orders, sum(s.quantity) AS units,
           count(DISTINCT p.category) AS categories,
           sum(s.quantity * s.unit_price) AS revenue
    FROM sales s JOIN read_csv(${sqlString(path.join(examples, 'products.csv'))}) p
      ON p.product_id = s.product_id
    GROUP BY ALL ORDER BY day, region`)).getRowObjects();
  return {
    count,
    rows: rows.map((r) => ({
      day: r.day, region: r.region, orders: Number(r.orders), units: Number(r.units),
      categories: Number(r.categories), revenue: Number(r.revenue),
    })),
  };
}

test('demo: runs to the end with a heading per step', { skip: tarnMissing() }, () => {
  const { stdout, stderr } = runDemo();
  for (const h of ['== 1. A project', '== 2. Load', '== 3. What was quarantined',
    '== 4. How the schema changed', '== 5. A mart with SQL', '== 6. The mart', '== Done']) {
    assert.ok(stdout.includes(h), `heading "${h}" missing from:\n${stdout}`);
  }
  assert.doesNotMatch(stdout, /\x1b\[/, 'no terminal escapes when stdout is not a terminal');
  assert.equal(stderr, '', 'nothing on stderr');
  assert.match(stdout, /\(24 rows\)/);
});

test('demo: the quarantine holds the malformed row, the bad date and the broken JSON line',
  { skip: tarnMissing() }, () => {
    const { project } = runDemo();
    const rows = tarnJson(project, ['quarantine', 'sales', '--format', 'json']);
    const got = rows.map((r) => ({ input: path.basename(r.input), line: r.line, column_name: r.column_name }))
      .sort((a, b) => a.input.localeCompare(b.input) || a.line - b.line);
    assert.deepEqual(got, [
      { input: 'sales_2024-03-02.csv', line: 13, column_name: null },      // 9 fields
      { input: 'sales_2024-03-02.csv', line: 29, column_name: 'order_ts' }, // 2024-02-30
      { input: 'sales_2024-03-03.ndjson', line: 20, column_name: null },   // cut-off line
    ]);
    assert.match(rows.find((r) => r.line === 29).reason, /2024-02-30/);
    const tables = tarnJson(project, ['tables', '--format', 'json']);
    const sales = tables.find((t) => t.name === 'main.sales' || t.name === 'sales');
    assert.ok(sales, `no sales table in ${JSON.stringify(tables)}`);
    assert.equal(Number(sales.rows), 40 + 40 + 40 - 3);
  });

test('demo: day 3 adds the coupon column as a second schema version', { skip: tarnMissing() }, () => {
  const { project } = runDemo();
  const d = tarnJson(project, ['describe', 'sales', '--format', 'json']);
  assert.equal(d.schema_versions.length, 2, JSON.stringify(d.schema_versions));
  assert.ok(!d.schema_versions[0].columns.includes('coupon'));
  assert.ok(d.schema_versions[1].columns.includes('coupon'));
  assert.match(d.schema_versions[1].change, /add coupon/);
  const coupons = tarnJson(project, ['sql', '--format', 'json', '-c',
    'SELECT count(coupon) AS with_coupon, count(*) FILTER (WHERE coupon IS NULL) AS without FROM sales']);
  // Days 1 and 2 have no coupon column: their 78 rows read it as NULL.
  assert.ok(Number(coupons[0].without) >= 78, JSON.stringify(coupons));
  assert.ok(Number(coupons[0].with_coupon) > 0, JSON.stringify(coupons));
});

test('demo: the sales_by_region mart equals DuckDB over the sample files',
  { skip: tarnMissing() || duckdbMissing() }, async () => {
    const { project, stdout } = runDemo();
    const expected = await expectedMart();
    assert.equal(expected.count, 117, 'DuckDB skips the same three rows');
    const got = tarnJson(project, ['sql', '--format', 'json', '-c',
      'SELECT CAST(day AS VARCHAR) AS day, region, orders, units, categories, revenue ' +
      'FROM sales_by_region ORDER BY day, region']);
    assert.equal(got.length, expected.rows.length);
    got.forEach((row, i) => {
      const want = expected.rows[i];
      const where = `row ${i} (${want.day} ${want.region})`;
      assert.deepEqual(
        { day: row.day, region: row.region, orders: Number(row.orders), units: Number(row.units), categories: Number(row.categories) },
        { day: want.day, region: want.region, orders: want.orders, units: want.units, categories: want.categories }, where);
      assert.ok(Math.abs(Number(row.revenue) - want.revenue) < 0.005,
        `${where}: revenue ${row.revenue}, DuckDB ${want.revenue}`);
      // The table the demo printed shows the same revenue with two decimals.
      assert.ok(stdout.includes(want.revenue.toFixed(2)), `${where}: ${want.revenue.toFixed(2)} not printed`);
    });
    const history = tarnJson(project, ['history', 'sales_by_region', '--format', 'json']);
    assert.equal(history.length, 1, 'CREATE TABLE AS is one snapshot');
  });
