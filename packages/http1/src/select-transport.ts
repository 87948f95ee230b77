// Picks the engine that serves HTTP/1.1: the C++ engine (NativeHttp1Transport over the
// @fasterapi/http1-native addon on @fasterapi/native) when its addons load, node:http otherwise. `native: false` or
// FASTERAPI_NATIVE=0 force node:http; `native: true` or FASTERAPI_NATIVE=1 make a missing addon
// an error (the loader logs one line when it falls back). Native is the default because
// `pnpm bench http1` measures it faster than node:http on every case (see BENCHMARKS.md).
import type { Transport } from "@fasterapi/core";
import { type Http1Options, resolveHttp1Options } from "./http1-options.js";
import { NativeHttp1Transport, nativeHttp1Available } from "./native-http1-transport.js";
import { NodeHttp1Transport } from "./node-http1-transport.js";

export function selectTransport(options: Http1Options = {}): Transport {
  const resolved = resolveHttp1Options(options);
  if (resolved.native === false) return new NodeHttp1Transport(resolved);
  if (nativeHttp1Available()) return new NativeHttp1Transport(resolved);
  if (resolved.native === true) {
    throw new Error(
      "http1: { native: true } needs the native HTTP/1.1 addons (@fasterapi/native and @fasterapi/http1-native); build them with `pnpm build:native`",
    );
  }
  return new NodeHttp1Transport(resolved);
}
