#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite, from a fresh Debian 12 machine: installs what it needs, builds, then runs
# the unit tests (tarn's own sqllogictest files among them), the conformance sqllogictest corpora
# (pass rate reported), the end-to-end tests against real peers, the unit tests again under
# ASan+UBSan, and every fuzz target for a bounded time. Ends with one line "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-30}
passed=0
failed=0
failures=()

step() { printf '\n== %s\n' "$*"; }
count_ctest() { # adds ctest's own counts from its log
  local log=$1 line total bad
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); failures+=("$2: ctest ran nothing"); return; fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
  passed=$((passed + total - bad)); failed=$((failed + bad))
  ((bad == 0)) || failures+=("$2: $bad failed (see above)")
}

step "dependencies"
bash scripts/install-deps.sh || { echo "installing dependencies failed"; exit 1; }

step "build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build -j "$jobs" \
  || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

step "unit tests"
ctest --test-dir build --output-on-failure -j "$jobs" 2>&1 | tee build/ctest.log
count_ctest build/ctest.log "unit tests"

step "conformance sqllogictest (pass rate on the subset; at least 99%)"
if bash scripts/sqllogictest.sh build 99; then passed=$((passed + 1))
else failed=$((failed + 1)); failures+=("conformance sqllogictest below 99% or a file without a result"); fi

step "end-to-end tests"
if bash tests/e2e/run.sh 2>&1 | tee build/e2e.log; then :; fi
e2e_pass=$(grep -E "^# pass [0-9]+" build/e2e.log | tail -1 | awk '{print $3}')
e2e_fail=$(grep -E "^# fail [0-9]+" build/e2e.log | tail -1 | awk '{print $3}')
if [ -z "$e2e_pass" ]; then failed=$((failed + 1)); failures+=("end-to-end tests did not run")
else passed=$((passed + e2e_pass)); failed=$((failed + ${e2e_fail:-0}))
  [ "${e2e_fail:-0}" = 0 ] || failures+=("end-to-end: $e2e_fail failed"); fi

step "unit tests under ASan+UBSan"
if cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTARN_SANITIZE=ON >/dev/null &&
   cmake --build build-asan -j "$jobs" >/dev/null; then
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" 2>&1 | tee build/ctest-asan.log
  count_ctest build/ctest-asan.log "ASan unit tests"
else failed=$((failed + 1)); failures+=("ASan build failed"); fi

step "fuzz targets (${fuzz_seconds}s each)"
if CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DTARN_FUZZ=ON -DTARN_TESTS=OFF >/dev/null &&
   cmake --build build-fuzz -j "$jobs" >/dev/null; then
  if bash scripts/fuzz.sh build-fuzz "$fuzz_seconds"; then passed=$((passed + 1))
  else failed=$((failed + 1)); failures+=("fuzzing found a problem"); fi
else failed=$((failed + 1)); failures+=("fuzz build failed"); fi

step "summary"
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "suite: $passed passed, $failed failed"
[ "$failed" = 0 ]
