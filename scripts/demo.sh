#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tarn's main job on the bundled sample data (examples/): sets up and builds, then inspects the
# day-by-day sales dumps (CSV and NDJSON, with the problems real dumps have), converts them all
# into one Parquet file, and reads that back.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
tarn=$root/build/src/cli/tarn
work=$(mktemp -d "${TMPDIR:-/tmp}/tarn-demo.XXXXXX")

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say "tarn inspect examples/dumps/sales_2024-03-02.csv   # a malformed row and a bad date"
"$tarn" inspect examples/dumps/sales_2024-03-02.csv --rows 3

say "tarn inspect examples/dumps/sales_2024-03-03.ndjson   # a new column, a broken line"
"$tarn" inspect examples/dumps/sales_2024-03-03.ndjson --rows 3

say "tarn convert examples/dumps/ $work/sales.parquet   # all days, one schema"
"$tarn" convert examples/dumps/ "$work/sales.parquet"

say "tarn inspect $work/sales.parquet"
"$tarn" inspect "$work/sales.parquet" --rows 5

say "tarn convert examples/products.csv $work/products.ndjson && head -3 $work/products.ndjson"
"$tarn" convert examples/products.csv "$work/products.ndjson"
head -3 "$work/products.ndjson"

printf '\nOutputs are in %s\n' "$work"
