// Picks the engine that serves HTTP/2. Today that is node:http2 (NodeHttp2Transport); the native
// module (@fasterapi/http2-native on the engine) plugs in here once it lands, under the same rules
// as @fasterapi/http1: `native: false` or FASTERAPI_NATIVE=0 force node:http2, `native: true` or
// FASTERAPI_NATIVE=1 make a missing addon an error, "auto" takes the addon when it loads.
import type { Transport } from "@fasterapi/core";
import type { ResolvedHttp2Options } from "./http2-options.js";
import { NodeHttp2Transport } from "./node-http2-transport.js";

export function selectTransport(options: ResolvedHttp2Options): Transport {
  const forced =
    options.native === true || (options.native === "auto" && process.env.FASTERAPI_NATIVE === "1");
  if (forced) {
    throw new Error(
      "http2: the native HTTP/2 engine (@fasterapi/http2-native) is not available in this build; use { native: false } or leave FASTERAPI_NATIVE unset",
    );
  }
  return new NodeHttp2Transport(options);
}
