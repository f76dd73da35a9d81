#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tarn's benchmark: builds tarn, generates the sales data (cached in bench/out/), installs the
# DuckDB peer when missing, and runs bench/bench.mjs, which times tarn and DuckDB on the same
# files in one run and prints the table. See bench/README.md for how to read it.
#
# Environment (all optional):
#   BENCH_ROWS        row counts to run, space-separated (default "1000000 10000000")
#   BENCH_RUNS        timed runs per side, best is kept (default 3)
#   BENCH_BUILD_DIR   CMake build folder (default build)
#   TARN_BIN          a tarn binary to measure instead of building one (gen_sales is still built)
#   TARN_PEERS_DIR    node_modules holding @duckdb/node-api (default tests/peers/node_modules)
# Arguments go to bench.mjs: `--case REGEX` runs only the matching cases (e.g. --case "parse ndjson").
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${BENCH_BUILD_DIR:-build}"
rows="${BENCH_ROWS:-1000000 10000000}"
out="bench/out"
export BENCH_BUILD_DIR="$build"
export TARN_PEERS_DIR="${TARN_PEERS_DIR:-$root/tests/peers/node_modules}"

say() { printf 'bench: %s\n' "$*" >&2; }

# 1. Build. A failed tarn build does not stop the run: the table then says "not available"
# for tarn, and DuckDB's numbers are still worth having.
# With TARN_BIN set, that binary is measured and only gen_sales is built.
target=()
[[ -n "${TARN_BIN:-}" ]] && target=(--target gen_sales)
say "building ($build, RelWithDebInfo${TARN_BIN:+, gen_sales only: TARN_BIN=$TARN_BIN})"
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

# 2. Data, regenerated only when missing or when gen_sales' output changed: the stamp holds the
# hash of a 100k-row sample of both formats, so edits that do not change the data keep the cache.
mkdir -p "$out"
stamp="$out/.gen_sales.sha256"
hash="$({ "$gen" --rows 100000 --format csv; "$gen" --rows 100000 --format ndjson; } |
        sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$hash" ]]; then
    rm -f "$out"/sales_*.csv "$out"/sales_*.ndjson
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

# 4. The run.
exec node bench/bench.mjs --rows "$rows" "$@"
