// Builds the codecs the plugin uses from the resolved levels and picks the zstd backend:
// our native libzstd binding when built, else node:zlib's zstd (Node 22.15+), else none, in
// which case zstd is neither offered for responses nor accepted in request bodies.
import { loadZstdBinding } from "@fasterapi/compression-native";
import type { Codec, ContentCoding } from "./codec.js";
import type { CompressionLevels } from "./compression-options.js";
import { brotliCodec, deflateCodec, gzipCodec, nodeZstdCodec } from "./zlib-codec.js";
import { nativeZstdCodec } from "./zstd-codec.js";

export type ZstdBackend = "native" | "node:zlib" | "none";

export interface CodecRegistry {
  codecs: Map<ContentCoding, Codec>;
  zstdBackend: ZstdBackend;
}

export function createCodecs(level: Required<CompressionLevels>): CodecRegistry {
  const codecs = new Map<ContentCoding, Codec>([
    ["br", brotliCodec(level.br)],
    ["gzip", gzipCodec(level.gzip)],
    ["deflate", deflateCodec(level.gzip)],
  ]);
  let zstdBackend: ZstdBackend = "none";
  const binding = loadZstdBinding();
  const zstd = binding ? nativeZstdCodec(binding, level.zstd) : nodeZstdCodec(level.zstd);
  if (zstd) {
    codecs.set("zstd", zstd);
    zstdBackend = binding ? "native" : "node:zlib";
  }
  return { codecs, zstdBackend };
}
