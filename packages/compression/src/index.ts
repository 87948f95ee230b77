// Public surface of @fasterapi/compression: the plugin, its options, and the pure pieces (content
// negotiation, the compressible-type test) that other plugins may want to reuse.
export { negotiateEncoding, parseAcceptEncoding } from "./accept-encoding.js";
export type { ContentCoding } from "./codec.js";
export type { ZstdBackend } from "./codec-registry.js";
export { isCompressibleType } from "./compressible-type.js";
export type { CompressionLevels, CompressionOptions, ResponseCoding } from "./compression-options.js";
export type { CompressionStats } from "./plugin.js";
export { compression } from "./plugin.js";
