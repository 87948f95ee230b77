#!/usr/bin/env bash
# Builds the libFuzzer driver of the HTTP/2 module (clang 14, ASan+UBSan) and runs it for a bounded
# time over its committed corpus. Exit status is non-zero on any crash, leak, sanitizer report or
# broken invariant; the input is written to build-tests/fuzz/artifacts/ (commit it to
# fuzz/corpus once fixed). Usage: scripts/fuzz.sh [seconds]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
make -s build-tests/fuzz/module_fuzzer
mkdir -p build-tests/fuzz/artifacts build-tests/fuzz/new
# New inputs go to build-tests/ so the committed corpus only changes by hand.
./build-tests/fuzz/module_fuzzer build-tests/fuzz/new fuzz/corpus \
  -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
  -artifact_prefix=build-tests/fuzz/artifacts/module_fuzzer- -print_final_stats=1 2>&1
