// @fasterapi/http3: HTTP/3 (QUIC) transport for FasterAPI on the native engine's UDP endpoints.
export type { Http3Options } from "./http3-options.js";
export { http3 } from "./http3-plugin.js";
export { Http3Transport, http3Available } from "./http3-transport.js";
