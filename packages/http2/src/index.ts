// @fasterapi/http2: the HTTP/2 transport plugin for FasterAPI: h2 over TLS (ALPN h2, and
// http/1.1 on the same port) or h2c with prior knowledge. Routing, validation and serialization
// are @fasterapi/core's; this package moves frames.

export type { Http2Options, Http2TlsOptions, ResolvedHttp2Options } from "./http2-options.js";
export { resolveHttp2Options } from "./http2-options.js";
export { http2 } from "./http2-plugin.js";
export { NodeHttp2Transport } from "./node-http2-transport.js";
