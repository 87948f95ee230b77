// Picks the engine that serves HTTP/1.1 for the `native` option. Today node:http is the only
// engine wired in, so "auto" and false select it and true is refused with a clear error; the
// native C++ engine adds its branch here (through @fasterapi/native's loader) and nowhere else.
import type { Transport } from "@fasterapi/core";
import { type Http1Options, resolveHttp1Options } from "./http1-options.js";
import { NodeHttp1Transport } from "./node-http1-transport.js";

export function selectTransport(options: Http1Options = {}): Transport {
  const resolved = resolveHttp1Options(options);
  if (resolved.native === true) {
    throw new Error(
      'http1: { native: true } asks for the native HTTP/1.1 engine, which this build does not include; use "auto" or false',
    );
  }
  return new NodeHttp1Transport(resolved);
}
