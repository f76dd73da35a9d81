#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs each fuzz target in BUILD_DIR for SECONDS, seeded from the conformance corpora. A crash
# fails the run and leaves the crashing input in build-fuzz/findings/.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
conformance=${TARN_CONFORMANCE_DIR:-$root/../shared/conformance}
findings=$build/findings
mkdir -p "$findings"

declare -A seeds=(
  [fuzz_csv]="$conformance/csv"
  [fuzz_json]="$conformance/json/test_parsing"
  [fuzz_parquet]="$conformance/parquet/parquet-testing/data"
  [fuzz_sql]="$root/tests/fuzz/seeds/sql"
  [fuzz_iceberg_metadata]="$conformance/iceberg/iceberg-rust/table_metadata"
  [fuzz_avro]="$conformance/iceberg/icebird"
  [fuzz_deletion_vector]="$conformance/iceberg/duckdb-iceberg/data/persistent/legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector/data"
)
status=0
for target in fuzz_csv fuzz_json fuzz_parquet fuzz_sql fuzz_iceberg_metadata fuzz_avro fuzz_deletion_vector; do
  bin=$build/tests/fuzz/$target
  [ -x "$bin" ] || { echo "fuzz: $target not built" >&2; status=1; continue; }
  corpus=$build/corpus/$target
  mkdir -p "$corpus"
  seed_dirs=()
  [ -d "${seeds[$target]}" ] && seed_dirs+=("${seeds[$target]}")
  echo "fuzz: $target for ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 \
       -max_len=262144 -timeout=10 -artifact_prefix="$findings/$target-" \
       -print_final_stats=0 "$corpus" "${seed_dirs[@]}" >"$build/$target.log" 2>&1; then
    echo "fuzz: $target FAILED (see $build/$target.log and $findings/)" >&2
    tail -40 "$build/$target.log" >&2
    status=1
  fi
done
exit $status
