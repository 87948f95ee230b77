#!/usr/bin/env bash
# Runs this package's integration tests (the shared HTTP/1.1 transport suite and the defence
# tests) against the ASan+UBSan builds of the http1 addon and the engine. Build them first:
#   FASTERAPI_SANITIZE=1 pnpm --filter @fasterapi/native build:native
#   FASTERAPI_SANITIZE=1 pnpm --filter @fasterapi/http1-native build:native
# Node is not instrumented, so GCC's sanitizer runtimes are preloaded; leak detection is off
# because V8 deliberately keeps memory until exit. Any sanitizer report aborts the worker.
set -euo pipefail
pkg="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$pkg/../../.." && pwd)"
for addon in "$pkg/build-sanitize/build/Release/fasterapi_http1.node" \
  "$root/packages/native/build-sanitize/build/Release/fasterapi_engine.node"; do
  if [ ! -f "$addon" ]; then
    echo "sanitize-suite: missing $addon (build it with FASTERAPI_SANITIZE=1, see above)" >&2
    exit 1
  fi
done
cd "$root"
LD_PRELOAD="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)" \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
FASTERAPI_SANITIZE=1 FASTERAPI_NATIVE=1 \
NODE_OPTIONS="--import $root/tooling/vitest/node20-polyfills.mjs --import $pkg/scripts/drop-preload-in-workers.mjs" \
  pnpm exec vitest run --project http1/native test/http1-native.integration.test.ts "$@"
