// SPDX-License-Identifier: Apache-2.0
//
// The TPC-H tables as Parquet: the column types of the specification (clause 1.4: identifiers
// INTEGER, money and quantities DECIMAL(15,2), dates DATE, text VARCHAR), and the conversion of
// gen_tpch's CSV files into <table>.parquet with DuckDB, which both engines then read.
//
// Used by bench/run.sh (`node bench/tpch_data.mjs DIR` converts DIR/*.csv, then removes them)
// and by tests/e2e/tpch.test.mjs (tpchToParquet with a connection of its own).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const money = 'DECIMAL(15,2)';

/** Table name -> [[column, DuckDB type], ...] in the order gen_tpch writes them. */
export const TPCH_TABLES = {
  region: [['r_regionkey', 'INTEGER'], ['r_name', 'VARCHAR'], ['r_comment', 'VARCHAR']],
  nation: [['n_nationkey', 'INTEGER'], ['n_name', 'VARCHAR'], ['n_regionkey', 'INTEGER'],
    ['n_comment', 'VARCHAR']],
  supplier: [['s_suppkey', 'INTEGER'], ['s_name', 'VARCHAR'], ['s_address', 'VARCHAR'],
    ['s_nationkey', 'INTEGER'], ['s_phone', 'VARCHAR'], ['s_acctbal', money], ['s_comment', 'VARCHAR']],
  customer: [['c_custkey', 'INTEGER'], ['c_name', 'VARCHAR'], ['c_address', 'VARCHAR'],
    ['c_nationkey', 'INTEGER'], ['c_phone', 'VARCHAR'], ['c_acctbal', money],
    ['c_mktsegment', 'VARCHAR'], ['c_comment', 'VARCHAR']],
  part: [['p_partkey', 'INTEGER'], ['p_name', 'VARCHAR'], ['p_mfgr', 'VARCHAR'], ['p_brand', 'VARCHAR'],
    ['p_type', 'VARCHAR'], ['p_size', 'INTEGER'], ['p_container', 'VARCHAR'], ['p_retailprice', money],
    ['p_comment', 'VARCHAR']],
  partsupp: [['ps_partkey', 'INTEGER'], ['ps_suppkey', 'INTEGER'], ['ps_availqty', 'INTEGER'],
    ['ps_supplycost', money], ['ps_comment', 'VARCHAR']],
  orders: [['o_orderkey', 'INTEGER'], ['o_custkey', 'INTEGER'], ['o_orderstatus', 'VARCHAR'],
    ['o_totalprice', money], ['o_orderdate', 'DATE'], ['o_orderpriority', 'VARCHAR'],
    ['o_clerk', 'VARCHAR'], ['o_shippriority', 'INTEGER'], ['o_comment', 'VARCHAR']],
  lineitem: [['l_orderkey', 'INTEGER'], ['l_partkey', 'INTEGER'], ['l_suppkey', 'INTEGER'],
    ['l_linenumber', 'INTEGER'], ['l_quantity', money], ['l_extendedprice', money],
    ['l_discount', money], ['l_tax', money], ['l_returnflag', 'VARCHAR'], ['l_linestatus', 'VARCHAR'],
    ['l_shipdate', 'DATE'], ['l_commitdate', 'DATE'], ['l_receiptdate', 'DATE'],
    ['l_shipinstruct', 'VARCHAR'], ['l_shipmode', 'VARCHAR'], ['l_comment', 'VARCHAR']],
};

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

/** The COPY statement that turns dir/<table>.csv into dir/<table>.parquet. */
export function copyStatement(dir, table) {
  const columns = TPCH_TABLES[table].map(([name, type]) => `${q(name)}: ${q(type)}`).join(', ');
  const csv = path.join(dir, `${table}.csv`);
  const parquet = path.join(dir, `${table}.parquet`);
  // The types are given, not sniffed: a sample could take a DECIMAL column for DOUBLE.
  return `COPY (SELECT * FROM read_csv(${q(csv)}, header = true, delim = ',', quote = '"', ` +
    `columns = {${columns}})) TO ${q(parquet)} (FORMAT parquet)`;
}

/** Data lines of a CSV file (its lines minus the header), counted in 1 MiB reads. */
function csvDataLines(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  let lines = 0;
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;)
      for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) lines++;
  } finally {
    fs.closeSync(fd);
  }
  return lines - 1;
}

/** Converts every dir/<table>.csv to dir/<table>.parquet over a DuckDB connection, and checks
 * that each Parquet file holds every row of its CSV file: the Parquet files are kept across
 * benchmark runs, so a table left short once would be measured by every later run. */
export async function tpchToParquet(con, dir) {
  for (const table of Object.keys(TPCH_TABLES)) {
    await con.run(copyStatement(dir, table));
    const csv = path.join(dir, `${table}.csv`);
    const parquet = path.join(dir, `${table}.parquet`);
    const reader = await con.runAndReadAll(`SELECT count(*) FROM read_parquet(${q(parquet)})`);
    const rows = Number(reader.getRows()[0][0]);
    const expected = csvDataLines(csv);
    if (rows !== expected)
      throw new Error(`${parquet} holds ${rows} rows but ${csv} has ${expected}: ` +
        'check the free disk space and run the benchmark again');
  }
}

// `node bench/tpch_data.mjs DIR`: convert, then remove the CSV files (the Parquet files are
// what the benchmark keeps).
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node bench/tpch_data.mjs DIR   (DIR holds gen_tpch\'s <table>.csv files)');
    process.exit(2);
  }
  const here = path.dirname(fileURLToPath(import.meta.url));
  const peers = process.env.TARN_PEERS_DIR || path.join(here, '..', 'tests', 'peers', 'node_modules');
  const entry = createRequire(path.join(peers, 'resolve-from-here.js')).resolve('@duckdb/node-api');
  const { DuckDBInstance } = await import(pathToFileURL(entry).href);
  const con = await (await DuckDBInstance.create(':memory:')).connect();
  await tpchToParquet(con, dir);
  for (const table of Object.keys(TPCH_TABLES)) fs.rmSync(path.join(dir, `${table}.csv`), { force: true });
}
