#!/usr/bin/env bash
# Runs vitest against the ASan+UBSan builds of FasterAPI addons (build-sanitize/, built with
# FASTERAPI_SANITIZE=1 fasterapi-build-native; sanitize-build.mjs does that for tests).
# Usage: sanitized-vitest.sh <addon.node>... -- <vitest run arguments>
# Every addon listed must exist. Node is not instrumented, so GCC's sanitizer runtimes are
# preloaded; leak detection is off because V8 deliberately keeps memory until exit. Any
# sanitizer report aborts the worker.
set -euo pipefail
scripts="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$scripts/../../.." && pwd)"
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  if [ ! -f "$1" ]; then
    echo "sanitized-vitest: missing $1 (build it with FASTERAPI_SANITIZE=1 fasterapi-build-native)" >&2
    exit 1
  fi
  shift
done
[ "$#" -gt 0 ] && shift
cd "$root"
LD_PRELOAD="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)" \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
FASTERAPI_SANITIZE=1 FASTERAPI_NATIVE=1 \
NODE_OPTIONS="--import $root/tooling/vitest/node20-polyfills.mjs --import $scripts/drop-preload-in-workers.mjs" \
  pnpm exec vitest run "$@"
