// `compression(options)`: the global plugin that wires the codecs into core's hooks: onRequest
// (406), preParsing (request bodies) and onSend (responses). It uses only core's public plugin
// API, so it works the same over every transport; it knows nothing about sockets.
import { definePlugin } from "@fasterapi/core";
import type { ContentCoding } from "./codec.js";
import { createCodecs, type ZstdBackend } from "./codec-registry.js";
import { type CompressionOptions, resolveOptions } from "./compression-options.js";
import { requestDecodingHook } from "./request-decoding.js";
import { responseEncodingHooks } from "./response-encoding.js";

/** What `app.stats().compression` reports. */
export interface CompressionStats {
  /** Content codings with a codec: zstd, br and gzip encode responses; all of them decode request bodies. */
  readonly codings: readonly ContentCoding[];
  /** "native": @fasterapi/compression-native's libzstd binding; "node:zlib"; or "none" (zstd off). */
  readonly zstd: ZstdBackend;
}

/**
 * Response compression (zstd > br > gzip by Accept-Encoding) and request body decoding.
 * Options are checked here, so a bad option fails at registration, not on the first request.
 */
export function compression(options: CompressionOptions = {}) {
  const resolved = resolveOptions(options);
  return definePlugin(
    async (app) => {
      const { codecs, zstdBackend } = createCodecs(resolved.level);
      if (zstdBackend !== "native") {
        app.log.info(
          zstdBackend === "node:zlib"
            ? "compression: native zstd addon not in use, using node:zlib zstd"
            : "compression: native zstd addon not in use and node:zlib has no zstd; zstd disabled",
        );
      }
      // app.stats().compression: which codings are offered and whether zstd runs on the addon.
      const stats: CompressionStats = { codings: [...codecs.keys()], zstd: zstdBackend };
      app.addStatsSource("compression", () => stats);
      const response = responseEncodingHooks(codecs, resolved);
      app.addHook("onRequest", response.onRequest);
      app.addHook("preParsing", requestDecodingHook(codecs, resolved.maxDecodedBodySize));
      app.addHook("onSend", response.onSend);
    },
    { name: "@fasterapi/compression", global: true },
  );
}
