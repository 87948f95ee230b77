// @fasterapi/http1: the HTTP/1.1 transport plugin for FasterAPI (node:http, HTTPS with `tls`).
// Routing, parsing and serialization are @fasterapi/core's; this package only moves bytes.

export type { Http1Options, Http1TlsOptions } from "./http1-options.js";
export { http1 } from "./http1-plugin.js";
export { NodeHttp1Transport } from "./node-http1-transport.js";
