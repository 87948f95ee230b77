// Loads the libzstd N-API addon (fasterapi_zstd.node) through @fasterapi/native's loadAddon, like
// every native package: the local build, then the prebuilt platform package, else null (one log
// line) so the caller falls back; FASTERAPI_NATIVE=1 turns a missing addon into an error. It does
// no HTTP work and picks no defaults.
import { loadAddon, platformPackage } from "@fasterapi/native";

/** Streaming zstd encoder over one reused ZSTD_CCtx. */
export interface ZstdCompressor {
  /** mode 0 = take input, 1 = also flush a complete block, 2 = also end the frame. Returns new output. */
  push(input: Uint8Array, mode: 0 | 1 | 2): Buffer;
  /**
   * One frame like `compress`, computed on the libuv thread pool with this compressor's context.
   * Do not use the compressor again until the promise settles.
   */
  compressAsync(input: Uint8Array): Promise<Buffer>;
  /** Drops any half-written frame so the context can start a new one. */
  reset(): void;
}

/** Streaming zstd decoder (window limited to 8 MiB as RFC 9659 allows). */
export interface ZstdDecompressor {
  /** Decodes `input`, stopping once more than `budget` bytes came out (so the result may be budget + 1 long). */
  push(input: Uint8Array, budget: number): Buffer;
  /** True when the input so far ended exactly at the end of a frame. */
  readonly complete: boolean;
  reset(): void;
}

export interface ZstdBinding {
  /** One frame with the content size recorded; the context for `level` (1-19) is reused across calls. */
  compress(input: Uint8Array, level: number): Buffer;
  Compressor: new (level: number) => ZstdCompressor;
  Decompressor: new () => ZstdDecompressor;
  /** The libzstd version the addon runs against, e.g. "1.5.4". */
  zstdVersion: string;
}

let cached: ZstdBinding | null | undefined;

/** The addon, or null when it is missing or FASTERAPI_NATIVE=0. Loads once per thread. */
export function loadZstdBinding(): ZstdBinding | null {
  if (cached === undefined) {
    cached = loadAddon<ZstdBinding>({
      name: "fasterapi_zstd",
      localBuildDir: new URL("..", import.meta.url),
      prebuiltPackage: () => platformPackage("@fasterapi/compression-native"),
    });
  }
  return cached;
}
