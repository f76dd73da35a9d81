// SPDX-License-Identifier: Apache-2.0
//
// The benchmark's TPC-H generator (bench/gen_tpch) at scale factor 0.01: the row counts follow
// the specification's ratios, keys are unique and refer to rows that exist, the value rules hold
// (dates, discounts, flags), the output is deterministic, and tarn agrees with DuckDB on TPC-H
// Q1 and Q6 (bench/queries/) over the Parquet files that DuckDB converts the CSV files into.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
  repoRoot, GEN_SALES, tarnMissing, runTarn, describeRun, scratchDir, parseCsv, duckdbMissing,
  duckdbConnect,
} from './lib.mjs';
import { tpchToParquet } from '../../bench/tpch_data.mjs';

const skip = tarnMissing() || duckdbMissing();
const dir = scratchDir('tpch');
const queries = path.join(repoRoot, 'bench/queries');

/** gen_tpch: TARN_GEN_TPCH, else beside gen_sales in the build folder, else compiled here. */
function genTpch() {
  const built = process.env.TARN_GEN_TPCH || path.join(path.dirname(GEN_SALES), 'gen_tpch');
  if (fs.existsSync(built)) return built;
  const out = path.join(dir, 'gen_tpch');
  execFileSync(process.env.CC || 'cc', ['-std=gnu11', '-O2', '-o', out,
    path.join(repoRoot, 'bench/gen_tpch.c')], { stdio: 'pipe' });
  return out;
}

/** Equal as the benchmark counts it: numbers to 1e-9 relative, anything else as text. */
function sameValue(a, b) {
  if (a == null || b == null) return a == null && b == null;
  const x = Number(a);
  const y = Number(b);
  if (String(a) !== '' && String(b) !== '' && Number.isFinite(x) && Number.isFinite(y))
    return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  return String(a) === String(b);
}

describe('TPC-H generator (SF 0.01)', { skip }, () => {
  const data = path.join(dir, 'sf0.01');
  let gen;
  let con;
  const one = async (sql) => (await con.runAndReadAll(sql)).getRowsJson()[0];

  before(async () => {
    gen = genTpch();
    fs.mkdirSync(data);
    execFileSync(gen, ['--sf', '0.01', '--dir', data], { stdio: 'pipe' });
    con = await duckdbConnect();
    await tpchToParquet(con, data);
    for (const t of ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'])
      await con.run(`CREATE VIEW ${t} AS SELECT * FROM read_parquet('${path.join(data, `${t}.parquet`)}')`);
  });

  test('row counts follow the specification (SF x 10k suppliers, 150k customers, ...)', async () => {
    const want = { region: 5, nation: 25, supplier: 100, customer: 1500, part: 2000, partsupp: 8000, orders: 15000 };
    for (const [table, rows] of Object.entries(want))
      assert.equal(Number((await one(`SELECT count(*) FROM ${table}`))[0]), rows, table);
    // 1..7 lines per order, uniformly: about 4 per order (6,001,215 at SF 1 in dbgen's data).
    const lines = Number((await one('SELECT count(*) FROM lineitem'))[0]);
    assert.ok(lines > 3.9 * 15000 && lines < 4.1 * 15000, `lineitem has ${lines} rows`);
  });

  test('keys are unique and references resolve', async () => {
    const unique = {
      region: 'r_regionkey', nation: 'n_nationkey', supplier: 's_suppkey', customer: 'c_custkey',
      part: 'p_partkey', partsupp: 'ps_partkey, ps_suppkey', orders: 'o_orderkey',
      lineitem: 'l_orderkey, l_linenumber',
    };
    for (const [table, key] of Object.entries(unique)) {
      const [rows, keys] = await one(`SELECT count(*), count(DISTINCT (${key})) FROM ${table}`);
      assert.equal(keys, rows, `${table} key (${key}) is not unique`);
    }
    const [orphans] = await one(`SELECT
        (SELECT count(*) FROM lineitem WHERE l_orderkey NOT IN (SELECT o_orderkey FROM orders))
      + (SELECT count(*) FROM lineitem l WHERE NOT EXISTS (SELECT 1 FROM partsupp
           WHERE ps_partkey = l.l_partkey AND ps_suppkey = l.l_suppkey))
      + (SELECT count(*) FROM orders WHERE o_custkey NOT IN (SELECT c_custkey FROM customer))
      + (SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM lineitem WHERE l_orderkey = o.o_orderkey))`);
    assert.equal(Number(orphans), 0, 'lines without an order or a part supplier, orders without lines or customer');
    // Sparse order keys: the first 8 of every 32; customers with custkey % 3 = 0 never order.
    const [badKeys, thirdCustomers] = await one(`SELECT count(*) FILTER (WHERE (o_orderkey - 1) % 32 >= 8),
        count(*) FILTER (WHERE o_custkey % 3 = 0) FROM orders`);
    assert.equal(Number(badKeys), 0, 'order keys outside the first 8 of each 32');
    assert.equal(Number(thirdCustomers), 0, 'orders of customers whose key is divisible by 3');
  });

  test('values follow the specification\'s rules', async () => {
    const broken = await one(`SELECT
        count(*) FILTER (WHERE l_shipdate - o_orderdate NOT BETWEEN 1 AND 121),
        count(*) FILTER (WHERE l_receiptdate - l_shipdate NOT BETWEEN 1 AND 30),
        count(*) FILTER (WHERE l_commitdate - o_orderdate NOT BETWEEN 30 AND 90),
        count(*) FILTER (WHERE o_orderdate NOT BETWEEN DATE '1992-01-01' AND DATE '1998-12-31' - 151),
        count(*) FILTER (WHERE l_discount NOT BETWEEN 0 AND 0.10 OR l_tax NOT BETWEEN 0 AND 0.08
                         OR l_quantity NOT BETWEEN 1 AND 50),
        count(*) FILTER (WHERE l_linestatus <> CASE WHEN l_shipdate > DATE '1995-06-17' THEN 'O' ELSE 'F' END),
        count(*) FILTER (WHERE l_returnflag <> 'N' AND l_receiptdate > DATE '1995-06-17'
                         OR l_returnflag = 'N' AND l_receiptdate <= DATE '1995-06-17'),
        count(*) FILTER (WHERE l_extendedprice <> l_quantity * p_retailprice)
      FROM lineitem JOIN orders ON l_orderkey = o_orderkey JOIN part ON l_partkey = p_partkey`);
    assert.deepEqual(broken.map(Number), [0, 0, 0, 0, 0, 0, 0, 0],
      'violations: shipdate, receiptdate, commitdate, orderdate, discount/tax/quantity, linestatus, returnflag, extendedprice');
    // o_totalprice is the sum of its lines' charges; o_orderstatus is F, O or P from l_linestatus.
    const [price, status] = await one(`SELECT
        count(*) FILTER (WHERE abs(o_totalprice - charge) > 0.01 * lines),
        count(*) FILTER (WHERE o_orderstatus <> CASE WHEN open = lines THEN 'O' WHEN open = 0 THEN 'F' ELSE 'P' END)
      FROM orders JOIN (SELECT l_orderkey, count(*) AS lines, count(*) FILTER (WHERE l_linestatus = 'O') AS open,
                          sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)) AS charge
                        FROM lineitem GROUP BY l_orderkey) ON o_orderkey = l_orderkey`);
    assert.equal(Number(price), 0, 'orders whose total price is not the sum of their lines');
    assert.equal(Number(status), 0, 'orders whose status does not follow their lines');
    // Q9 looks for '%green%' among five of 92 colours: about 5% of the parts.
    const [green] = await one(`SELECT avg(CASE WHEN p_name LIKE '%green%' THEN 1 ELSE 0 END) FROM part`);
    assert.ok(green > 0.03 && green < 0.08, `${green} of the parts are green`);
  });

  test('the output is deterministic, table by table', () => {
    const alone = execFileSync(gen, ['--sf', '0.01', '--table', 'lineitem'], { maxBuffer: 64 << 20 });
    assert.ok(alone.equals(fs.readFileSync(path.join(data, 'lineitem.csv'))),
      'lineitem written alone differs from lineitem written with the other tables');
  });

  for (const query of ['tpch_q01', 'tpch_q06']) {
    test(`tarn and DuckDB agree on ${query}`, async () => {
      const file = path.join(queries, `${query}.sql`);
      const args = ['sql', '--no-project', '-f', file, '--format', 'csv'];
      const r = runTarn(args, { cwd: data });
      assert.equal(r.status, 0, describeRun(args, r));
      const got = parseCsv(r.stdout);
      const prev = process.cwd();
      process.chdir(data); // the query names its files relative to the data folder
      let want;
      try {
        want = (await con.runAndReadAll(fs.readFileSync(file, 'utf8'))).getRowsJson();
      } finally {
        process.chdir(prev);
      }
      assert.ok(want.length > 0, 'DuckDB found no rows: the data does not exercise the query');
      assert.equal(got.rows.length, want.length, `rows: ${r.stdout}`);
      for (let i = 0; i < want.length; i++) {
        assert.equal(got.rows[i].length, want[i].length, `columns of row ${i + 1}`);
        for (let c = 0; c < want[i].length; c++)
          assert.ok(sameValue(got.rows[i][c], want[i][c]),
            `row ${i + 1}, ${got.header[c]}: tarn ${got.rows[i][c]}, DuckDB ${want[i][c]}`);
      }
    });
  }
});
