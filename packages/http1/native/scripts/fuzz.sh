#!/usr/bin/env bash
# Builds the libFuzzer drivers (clang 14, ASan+UBSan) and runs each for a bounded time over its
# committed corpus: parser_fuzzer (the request parser and chunked decoder) and module_fuzzer
# (the connection state machine behind a fake engine). Exit status is non-zero on any crash,
# leak, sanitizer report or broken invariant; the input is written to build-tests/fuzz/artifacts/
# (commit it to the driver's corpus once fixed).
# Usage: scripts/fuzz.sh [seconds per driver]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
make -s build-tests/fuzz/parser_fuzzer build-tests/fuzz/module_fuzzer
mkdir -p build-tests/fuzz/artifacts build-tests/fuzz/parser-new build-tests/fuzz/module-new
# New inputs go to build-tests/ so the committed corpora only change by hand.
run() {
  local driver="$1" found="$2" corpus="$3"
  echo "== $driver (${seconds}s)"
  "./build-tests/fuzz/$driver" "$found" "$corpus" \
    -dict=fuzz/http1.dict -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
    -artifact_prefix="build-tests/fuzz/artifacts/$driver-" -print_final_stats=1 2>&1
}
run parser_fuzzer build-tests/fuzz/parser-new fuzz/corpus
run module_fuzzer build-tests/fuzz/module-new fuzz/module-corpus
