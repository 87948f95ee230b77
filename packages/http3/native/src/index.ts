// @fasterapi/http3-native: the C++ HTTP/3 protocol module (QUIC on ngtcp2, HTTP/3 on nghttp3,
// TLS 1.3 on GnuTLS) for the FasterAPI engine's UDP endpoints, and its loader. It holds no
// Transport: @fasterapi/http3's Http3Transport drives this addon.
export {
  EVENT_BODY,
  EVENT_CLOSED,
  EVENT_DRAIN,
  EVENT_REQUEST,
  type Http3Addon,
  type Http3Callbacks,
  type Http3Server,
  type Http3ServerOptions,
  type Http3ServerStats,
  loadHttp3Addon,
} from "./http3-addon.js";
