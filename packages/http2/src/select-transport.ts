// Picks the engine that serves HTTP/2, under the same rules as @fasterapi/http1: the native module
// (NativeHttp2Transport over @fasterapi/http2-native on @fasterapi/native) when its addons load,
// node:http2 (NodeHttp2Transport) otherwise. `native: false` or FASTERAPI_NATIVE=0 force
// node:http2; `native: true` or FASTERAPI_NATIVE=1 make a missing addon an error.
import type { Transport } from "@fasterapi/core";
import type { ResolvedHttp2Options } from "./http2-options.js";
import { NativeHttp2Transport, nativeHttp2Available } from "./native-http2-transport.js";
import { NodeHttp2Transport } from "./node-http2-transport.js";

export function selectTransport(options: ResolvedHttp2Options): Transport {
  if (options.native === false) return new NodeHttp2Transport(options);
  if (nativeHttp2Available()) return new NativeHttp2Transport(options);
  if (options.native === true) {
    throw new Error(
      "http2: { native: true } needs the native HTTP/2 addons (@fasterapi/native and @fasterapi/http2-native); build them with `pnpm build:native`",
    );
  }
  return new NodeHttp2Transport(options);
}
