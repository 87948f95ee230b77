#!/usr/bin/env bash
# Builds the libFuzzer drivers (clang 14, ASan+UBSan) of the frame parser and of the module's
# connection state machine and runs each for a bounded time over its committed corpus. Exit status
# is non-zero on any crash, leak, sanitizer report or broken invariant; the input is written to
# build-tests/fuzz/artifacts/ (commit it to the driver's corpus once fixed).
# Usage: scripts/fuzz.sh [seconds per driver]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
make -s build-tests/fuzz/parser_fuzzer build-tests/fuzz/connection_fuzzer
mkdir -p build-tests/fuzz/artifacts build-tests/fuzz/parser-new build-tests/fuzz/connection-new
# New inputs go to build-tests/ so the committed corpora only change by hand.
echo "== parser_fuzzer (${seconds}s)"
./build-tests/fuzz/parser_fuzzer build-tests/fuzz/parser-new fuzz/corpus \
  -dict=fuzz/ws.dict -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
  -artifact_prefix=build-tests/fuzz/artifacts/parser_fuzzer- -print_final_stats=1 2>&1
echo "== connection_fuzzer (${seconds}s)"
./build-tests/fuzz/connection_fuzzer build-tests/fuzz/connection-new fuzz/connection-corpus \
  -dict=fuzz/ws.dict -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
  -artifact_prefix=build-tests/fuzz/artifacts/connection_fuzzer- -print_final_stats=1 2>&1
