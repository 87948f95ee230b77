#!/usr/bin/env bash
# Builds the libFuzzer driver of the datagram entry point (clang 14, ASan+UBSan) and runs it for a
# bounded time over its committed corpus (real gtlsclient Initials, unknown versions, truncated
# and short-header packets). Exit status is non-zero on any crash, leak or sanitizer report; the
# input is written to build-tests/fuzz/artifacts/ (commit it to fuzz/corpus once fixed).
# Usage: scripts/fuzz.sh [seconds]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
make -s build-tests/fuzz/datagram_fuzzer
mkdir -p build-tests/fuzz/artifacts build-tests/fuzz/new
echo "== datagram_fuzzer (${seconds}s)"
./build-tests/fuzz/datagram_fuzzer build-tests/fuzz/new fuzz/corpus \
  -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
  -artifact_prefix=build-tests/fuzz/artifacts/datagram_fuzzer- -print_final_stats=1 2>&1
