// @fasterapi/http1-native: the C++ HTTP/1.1 protocol module for the FasterAPI engine, and its
// loader. It holds no Transport: @fasterapi/http1's NativeHttp1Transport drives this addon, and
// users reach it through `http1()` from that package.
export {
  BODY_ABORTED,
  BODY_END,
  BODY_LIMIT,
  BODY_MALFORMED,
  FLAG_HAS_BODY,
  FLAG_PATH_NEEDS_SLASH,
  FLAG_UPGRADE,
  GROUP_HEADER_WORDS,
  READ_BODY_GONE,
  READ_BODY_TOO_LARGE,
  RECORD_FIXED_WORDS,
} from "./abi-constants.js";
export {
  type Http1Addon,
  type Http1Callbacks,
  type Http1Protocol,
  type Http1ProtocolOptions,
  type Http1ProtocolStats,
  loadHttp1Addon,
} from "./http1-addon.js";
