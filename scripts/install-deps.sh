#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package tarn's build, tests and benchmarks need. Idempotent: packages
# already present are left alone, and apt is not touched at all when nothing is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  clang llvm libclang-rt-14-dev          # fuzzing (libFuzzer) and sanitizers
  libcriterion-dev                       # unit tests
  zlib1g-dev libzstd-dev libsnappy-dev liblz4-dev libbrotli-dev   # compression codecs
  libsqlite3-dev sqlite3                 # the catalog
  libjansson-dev libavro-dev             # Iceberg metadata JSON and Avro manifests
  libfyaml-dev                           # project settings (tarn.yaml)
  libpcre2-dev                           # SQL regular expressions (regexp_matches/replace)
  libedit-dev                            # line editing and history in the `tarn sql` shell
  liblzma-dev libmd-dev libncurses-dev   # what the static libavro/libbsd/libedit archives use
  time valgrind zstd gzip                # benchmarks, profiling, test inputs
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js runs the test peers (DuckDB); a machine may already have it from another source.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
