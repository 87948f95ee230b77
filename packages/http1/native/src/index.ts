// @fasterapi/http1-native: the C++ HTTP/1.1 protocol module for the FasterAPI engine and the
// Transport that serves core over it. Users normally reach it through @fasterapi/http1's
// `http1({ native: true | "auto" })`; this entry point is for that package and for tests.
export {
  type Http1Addon,
  type Http1Protocol,
  type Http1ProtocolStats,
  loadHttp1Addon,
} from "./http1-addon.js";
export {
  type NativeHttp1Options,
  NativeHttp1Transport,
  nativeHttp1Available,
} from "./native-http1-transport.js";
