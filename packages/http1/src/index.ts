// @fasterapi/http1: the HTTP/1.1 transport plugin for FasterAPI, on the native C++ engine when its
// addons load and on node:http otherwise (HTTPS with `tls` on both). Routing, parsing and
// serialization are @fasterapi/core's; this package only moves bytes.

// AddonExchange and NativeBody: the native exchange's shared part and body reader, for
// @fasterapi/http2's native streams.
export { AddonExchange } from "./addon-exchange.js";
export type { Http1Options, Http1TlsOptions } from "./http1-options.js";
export { http1 } from "./http1-plugin.js";
export { type BodyFlow, type BodyGoneMessages, NativeBody } from "./native-body.js";
export { NativeHttp1Transport, nativeHttp1Available } from "./native-http1-transport.js";
export { NativeUpgrade } from "./native-upgrade.js";
export { NodeHttp1Transport } from "./node-http1-transport.js";
// The node:http request/response adapters, for @fasterapi/http2's HTTP/1.1 clients on its TLS port.
export { NodeRequestView } from "./node-request-view.js";
export { type ConnectionPolicy, NodeResponseSink } from "./node-response-sink.js";
export { NodeUpgrade } from "./node-upgrade.js";
// The open sockets and byte counts of a node:http server, for @fasterapi/http2's node transport too.
export { SocketTally } from "./socket-tally.js";
