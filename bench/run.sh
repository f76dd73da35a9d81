#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tarn's benchmark: builds tarn, generates the sales data and the TPC-H tables (cached in
# bench/out/), installs the DuckDB peer when missing, and runs bench/bench.mjs, which times tarn
# and DuckDB on the same files in one run and prints the table. See bench/README.md for how to
# read it.
#
# Environment (all optional):
#   BENCH_ROWS        row counts to run, space-separated (default "1000000 10000000")
#   BENCH_RUNS        timed runs per side, best is kept (default 3)
#   BENCH_TPCH_SF     scale factor of the TPC-H cases (default 1; 0 skips them)
#   BENCH_SQL_TIMEOUT seconds after which a tarn SQL run is killed (default 300)
#   BENCH_BUILD_DIR   CMake build folder (default build)
#   TARN_BIN          a tarn binary to measure instead of building one (the generators are
#                     still built)
#   TARN_PEERS_DIR    node_modules holding @duckdb/node-api (default tests/peers/node_modules)
# Arguments go to bench.mjs: `--case REGEX` runs only the matching cases (e.g. --case "parse ndjson").
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${BENCH_BUILD_DIR:-build}"
rows="${BENCH_ROWS:-1000000 10000000}"
tpch_sf="${BENCH_TPCH_SF:-1}"
out="bench/out"
export BENCH_BUILD_DIR="$build"
export TARN_PEERS_DIR="${TARN_PEERS_DIR:-$root/tests/peers/node_modules}"

say() { printf 'bench: %s\n' "$*" >&2; }

# 1. Build. A failed tarn build does not stop the run: the table then says "not available"
# for tarn, and DuckDB's numbers are still worth having.
# With TARN_BIN set, that binary is measured and only the generators are built.
target=()
[[ -n "${TARN_BIN:-}" ]] && target=(--target gen_sales gen_tpch timed_run)
say "building ($build, RelWithDebInfo${TARN_BIN:+, generators only: TARN_BIN=$TARN_BIN})"
if ! { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
       cmake --build "$build" -j "$(nproc)" "${target[@]}" >/dev/null; }; then
    say "warning: the build failed; continuing with whatever was built"
fi
gen="$build/bench/gen_sales"
if [[ ! -x "$gen" ]]; then
    # gen_sales uses libc only, so it can be built even when the rest of the tree does not.
    mkdir -p "$out"
    gen="$out/gen_sales"
    cc -std=gnu11 -O2 -o "$gen" bench/gen_sales.c
fi
gen_tpch="$build/bench/gen_tpch"
if [[ ! -x "$gen_tpch" ]]; then
    mkdir -p "$out"
    gen_tpch="$out/gen_tpch"
    cc -std=gnu11 -O2 -o "$gen_tpch" bench/gen_tpch.c
fi
runner="$build/bench/timed_run"
if [[ ! -x "$runner" ]]; then
    mkdir -p "$out"
    runner="$out/timed_run"
    cc -std=gnu11 -O2 -o "$runner" bench/timed_run.c
fi
[[ "$runner" = /* ]] || runner="$PWD/$runner"
export BENCH_RUNNER="$runner"

# 2. Data, regenerated only when missing or when gen_sales' output changed: the stamp holds the
# hash of a 100k-row sample of both formats, so edits that do not change the data keep the cache.
mkdir -p "$out"
stamp="$out/.gen_sales.sha256"
hash="$({ "$gen" --rows 100000 --format csv; "$gen" --rows 100000 --format ndjson; } |
        sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$hash" ]]; then
    rm -f "$out"/sales_*.csv "$out"/sales_*.ndjson "$out"/sales_*.duckdb.parquet "$out"/products.*
    echo "$hash" >"$stamp"
fi
label() {
    local n=$1
    if ((n % 1000000 == 0)); then echo "$((n / 1000000))M"
    elif ((n % 1000 == 0)); then echo "$((n / 1000))k"
    else echo "$n"; fi
}
for n in $rows; do
    l="$(label "$n")"
    for fmt in csv ndjson; do
        f="$out/sales_$l.$fmt"
        if [[ ! -s "$f" ]]; then
            say "generating $f"
            "$gen" --rows "$n" --format "$fmt" -o "$f.tmp"
            mv "$f.tmp" "$f"
        fi
    done
done

# 1,000 small CSV files for the ingest-vs-convert case (distinct seeds: distinct content).
small="$out/small_1000"
if [[ ! -s "$small/part_0999.csv" ]]; then
    say "generating $small"
    mkdir -p "$small.tmp"
    for i in $(seq 0 999); do
        "$gen" --rows 1000 --seed $((i + 1)) --format csv -o "$small.tmp/$(printf 'part_%04d.csv' "$i")"
    done
    rm -rf "$small"
    mv "$small.tmp" "$small"
fi

# 3. The DuckDB peer.
if [[ ! -d "$TARN_PEERS_DIR/@duckdb/node-api" ]]; then
    say "installing the DuckDB peer (tests/peers)"
    npm install --prefix tests/peers --no-audit --no-fund --loglevel=error >/dev/null
fi
if [[ ! -x /usr/bin/time ]]; then
    say "warning: /usr/bin/time is missing (apt-get install time): no memory numbers"
fi

duckdb() { node bench/duckdb_query.mjs "$1" >/dev/null; }

# 4. Parquet inputs of the SQL cases, written by DuckDB. The sales fact's Parquet file is also
# what the "csv->parquet" case writes, but a run with --case may skip that case.
if [[ ! -s "$out/products.duckdb.parquet" ]]; then
    say "generating $out/products.duckdb.parquet"
    "$gen" --products --format csv -o "$out/products.csv"
    duckdb "COPY (SELECT * FROM read_csv('$out/products.csv')) TO '$out/products.duckdb.parquet' (FORMAT parquet)"
fi
for n in $rows; do
    l="$(label "$n")"
    if [[ ! -s "$out/sales_$l.duckdb.parquet" ]]; then
        say "writing $out/sales_$l.duckdb.parquet"
        duckdb "COPY (SELECT * FROM read_csv('$out/sales_$l.csv')) TO '$out/sales_$l.duckdb.parquet' (FORMAT parquet, COMPRESSION zstd)"
    fi
done

# The TPC-H tables in bench/out/tpch_sf<SF>/, regenerated only when gen_tpch's output or the
# Parquet schema (bench/tpch_data.mjs) changed: the stamp hashes the SF 0.01 tables and the schema.
if [[ "$tpch_sf" != 0 ]]; then
    stamp="$out/.gen_tpch.sha256"
    hash="$({ for t in region nation supplier customer part partsupp orders lineitem; do
                  "$gen_tpch" --sf 0.01 --table "$t"; done; cat bench/tpch_data.mjs; } |
            sha256sum | cut -d' ' -f1)"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$hash" ]]; then
        rm -rf "$out"/tpch_sf*
        echo "$hash" >"$stamp"
    fi
    dir="$out/tpch_sf$tpch_sf"
    if [[ ! -s "$dir/lineitem.parquet" ]]; then
        say "generating $dir (TPC-H tables at scale factor $tpch_sf, then Parquet)"
        rm -rf "$dir.tmp"
        mkdir -p "$dir.tmp"
        "$gen_tpch" --sf "$tpch_sf" --dir "$dir.tmp"
        node bench/tpch_data.mjs "$dir.tmp"
        rm -rf "$dir"
        mv "$dir.tmp" "$dir"
    fi
fi

# 5. The run.
exec node bench/bench.mjs --rows "$rows" --tpch-sf "$tpch_sf" "$@"
