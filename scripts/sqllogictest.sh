#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Runs the conformance sqllogictest corpora (../shared/conformance/sqllogictest: SQLite's,
# DuckDB's and RisingLight's scripts) through tarn_sqllogictest and reports the pass rate on the
# records inside tarn's subset (subset_skips.tsv lists the others; they count as skipped).
# SQLite's scripts run with --sqlite-compat (SQLite's integer division). Each file gets a time
# limit; a file that times out counts its records as not passed.
#
#   scripts/sqllogictest.sh [BUILD_DIR] [MIN_PASS_PERCENT]
#
# Exit status: 0 when the pass rate is at least MIN_PASS_PERCENT (default 99), else 1.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
min_percent="${2:-99}"
corpus="${TARN_CONFORMANCE_DIR:-$root/../shared/conformance}/sqllogictest"
runner="$build/tests/sql/tarn_sqllogictest"
per_file_seconds="${SQLLOGICTEST_TIMEOUT:-120}"

[[ -x "$runner" ]] || { echo "sqllogictest: no runner at $runner (build first)" >&2; exit 2; }
[[ -f "$corpus/subset_skips.tsv" ]] || { echo "sqllogictest: no corpus at $corpus" >&2; exit 2; }

run=0 passed=0 failed=0 timed_out=0 files=0
while IFS= read -r file; do
    files=$((files + 1))
    flags=(--quiet --skips "$corpus/subset_skips.tsv")
    [[ "$file" == */sqlite/* ]] && flags+=(--sqlite-compat)
    line="$(timeout "$per_file_seconds" "$runner" "${flags[@]}" "$file" 2>/dev/null | tail -1)"
    status=$?
    # "<file>: N run, N passed, N failed, N skipped"
    if [[ "$line" =~ :\ ([0-9]+)\ run,\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        run=$((run + BASH_REMATCH[1]))
        passed=$((passed + BASH_REMATCH[2]))
        failed=$((failed + BASH_REMATCH[3]))
        if ((BASH_REMATCH[3] > 0)); then
            printf 'sqllogictest: %s: %s failed\n' "${file#"$corpus"/}" "${BASH_REMATCH[3]}"
        fi
    else
        timed_out=$((timed_out + 1))
        printf 'sqllogictest: %s: no result (exit %s; time limit %ss)\n' "${file#"$corpus"/}" "$status" \
            "$per_file_seconds"
    fi
done < <(find "$corpus" -name '*.test' | sort)

percent="$(awk -v p="$passed" -v r="$run" 'BEGIN { printf "%.2f", r ? 100 * p / r : 0 }')"
echo "sqllogictest: $files files, $run records in the subset run, $passed passed ($percent%)," \
     "$failed failed, $timed_out files without a result"
awk -v p="$percent" -v m="$min_percent" -v t="$timed_out" 'BEGIN { exit !(p >= m && t == 0) }'
