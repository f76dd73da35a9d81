#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tarn's main job on the bundled sample data (examples/): sets up and builds, creates a project
# in a temporary folder, loads three days of sales dumps (CSV, CSV, NDJSON: a malformed row, an
# impossible date, a column that appears on day 3) into a lake table partitioned by day, shows
# what was quarantined and how the schema changed, builds a daily revenue-by-region mart with
# SQL (a join with the product list), and prints it.
#
# Environment (all optional):
#   TARN_BIN        a built tarn to use: skips installing and building
#   TARN_BUILD_DIR  where to build (default: build/)
#   TARN_DEMO_DIR   the folder for the project (default: a new temporary folder); must be empty
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [[ -t 1 ]]; then bold=$'\033[1m' dim=$'\033[2m' plain=$'\033[0m'; else bold='' dim='' plain=''; fi
heading() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# Prints a command as it would be typed (arguments quoted where the shell needs it), then runs it.
run() {
    local shown='$' arg
    for arg in "$@"; do
        if [[ "$arg" =~ ^[A-Za-z0-9_./=:,-]+$ ]]; then shown+=" $arg"
        elif [[ "$arg" != *"'"* ]]; then shown+=" '$arg'"
        else shown+=" \"$arg\""
        fi
    done
    printf '%s%s%s\n' "$dim" "$shown" "$plain"
    "$@"
}

if [[ -n "${TARN_BIN:-}" ]]; then
    tarn_bin=$TARN_BIN
else
    heading "Setting up and building tarn"
    cd "$root"
    bash scripts/install-deps.sh
    build=${TARN_BUILD_DIR:-build}
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" -j "$(nproc)" >/dev/null
    tarn_bin=$(cd "$build" && pwd)/src/cli/tarn
    echo "built $tarn_bin"
fi
# The commands below read as a user types them.
tarn() { "$tarn_bin" "$@"; }

project=${TARN_DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/tarn-demo.XXXXXX")}
mkdir -p "$project"
cd "$project"

heading "1. A project in $project, with the sample dumps in incoming/"
run tarn init .
mkdir -p incoming
cp "$root"/examples/dumps/* "$root"/examples/products.csv incoming/
ls -1 incoming

heading "2. Load three days of sales into the table 'sales', partitioned by day"
run tarn ingest incoming/sales_2024-03-01.csv --into sales --partition-by 'day(order_ts)'
run tarn ingest incoming/sales_2024-03-02.csv --into sales
run tarn ingest incoming/sales_2024-03-03.ndjson --into sales
run tarn ingest incoming/products.csv --into products

heading "3. What was quarantined instead of loaded"
run tarn quarantine sales

heading "4. How the schema changed (day 3 brought a 'coupon' column)"
run tarn describe sales

heading "5. A mart with SQL: daily revenue by region, joined with the product list"
run tarn sql -c "
CREATE TABLE sales_by_region PARTITIONED BY (day) AS
SELECT CAST(s.order_ts AS DATE)                              AS day,
       s.region,
       count(*)                                              AS orders,
       sum(s.quantity)                                       AS units,
       count(DISTINCT p.category)                            AS categories,
       CAST(sum(s.quantity * s.unit_price) AS DECIMAL(12,2)) AS revenue
FROM sales s JOIN products p ON p.product_id = s.product_id
GROUP BY 1, 2"
run tarn history sales_by_region

heading "6. The mart"
run tarn sql -c 'SELECT * FROM sales_by_region ORDER BY day, region'

heading "Done"
echo "The project is in $project: try 'cd $project && $tarn_bin sql' for a SQL shell, or"
echo "'$tarn_bin tables'. Its tables are Apache Iceberg under $project/lake."
