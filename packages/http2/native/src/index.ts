// @fasterapi/http2-native: the C++ HTTP/2 protocol module (nghttp2) for the FasterAPI engine.
// @fasterapi/http2 turns it into a Transport; use that package, not this one, in applications.
export * from "./abi-constants.js";
export type {
  Http2Addon,
  Http2Callbacks,
  Http2Protocol,
  Http2ProtocolOptions,
  Http2ProtocolStats,
} from "./http2-addon.js";
export { loadHttp2Addon } from "./http2-addon.js";
