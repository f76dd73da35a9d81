#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Runs tarn's end-to-end tests (tests/e2e/*.test.mjs) with node's built-in test runner.
# Installs the peer engines (tests/peers: DuckDB for node) when they are missing, points the
# tests at the binary, the peers and the conformance corpora, and exits non-zero on failure.
#
# Environment (all optional):
#   TARN_BIN              the tarn binary        (default: build/src/cli/tarn)
#   TARN_GEN_SALES        the gen_sales binary   (default: build/bench/gen_sales; compiled from
#                                                 bench/gen_sales.c when absent)
#   TARN_PEERS_DIR        node_modules with @duckdb/node-api (default: tests/peers/node_modules)
#   TARN_CONFORMANCE_DIR  the corpora            (default: ../shared/conformance)
# Extra arguments go to `node --test` (e.g. --test-name-pattern=csv-spectrum); given test files
# (tests/e2e/x.test.mjs), only those run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

export TARN_BIN="${TARN_BIN:-$root/build/src/cli/tarn}"
export TARN_GEN_SALES="${TARN_GEN_SALES:-$root/build/bench/gen_sales}"
export TARN_PEERS_DIR="${TARN_PEERS_DIR:-$root/tests/peers/node_modules}"
export TARN_CONFORMANCE_DIR="${TARN_CONFORMANCE_DIR:-$(cd "$root/.." && pwd)/shared/conformance}"

if ! command -v node >/dev/null; then
    echo "tests/e2e/run.sh: node is required (Debian package 'nodejs')" >&2
    exit 2
fi
if [[ ! -d "$TARN_PEERS_DIR/@duckdb/node-api" ]]; then
    # package.json pins the exact DuckDB version. `npm install`, not `npm ci`: npm writes a
    # lock file without the other platforms' optional DuckDB bindings, which `npm ci` then
    # refuses as out of sync.
    npm install --prefix tests/peers --no-audit --no-fund --loglevel=error >/dev/null
fi
if [[ ! -x "$TARN_BIN" ]]; then
    # A run that could test nothing must not look green.
    echo "tests/e2e/run.sh: no tarn binary at $TARN_BIN (build it first, or set TARN_BIN)" >&2
    exit 2
fi

# Test files among the arguments run alone; otherwise the whole folder runs.
for arg in "$@"; do
    if [[ "$arg" == *.test.mjs ]]; then exec node --test "$@"; fi
done
exec node --test "$@" tests/e2e/
