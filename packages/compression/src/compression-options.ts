// The plugin's options, their defaults and their validation. Defaults favour throughput on
// dynamic API responses (see README for the measured trade-offs); everything stays settable.
// Invalid options fail at registration with a message naming the option, never at request time.
import type { ContentCoding } from "./codec.js";
import { isCompressibleType } from "./compressible-type.js";

/** Codings offered for responses, in the server's order of preference. */
export type ResponseCoding = Exclude<ContentCoding, "deflate">;

export interface CompressionLevels {
  /** zstd level 1-19 (20+ need windows HTTP decoders may refuse). Default 3, zstd's own default. */
  zstd?: number;
  /** Brotli quality 0-11. Default 4: the knee of its speed/size curve for on-the-fly use. */
  br?: number;
  /** gzip level 0-9. Default 6, zlib's default (what Express and @fastify/compress use). */
  gzip?: number;
}

export interface CompressionOptions {
  /** Response codings to offer, most preferred first. Default ["zstd", "br", "gzip"]. */
  encodings?: ResponseCoding[];
  /** Buffered bodies smaller than this many bytes go out uncompressed. Default 1024. */
  threshold?: number;
  level?: CompressionLevels;
  /** Whether a response with this Content-Type may be compressed. Default: text, JSON, JS, XML, SVG... */
  filter?: (contentType: string | undefined) => boolean;
  /** Largest decoded request body accepted, in bytes; 413 beyond. Default 1 MiB (core's bodyLimit). */
  maxDecodedBodySize?: number;
}

export interface ResolvedCompressionOptions {
  encodings: ResponseCoding[];
  threshold: number;
  level: Required<CompressionLevels>;
  filter: (contentType: string | undefined) => boolean;
  maxDecodedBodySize: number;
}

const RESPONSE_CODINGS: readonly ResponseCoding[] = ["zstd", "br", "gzip"];
const LEVEL_RANGES: Record<ResponseCoding, [number, number]> = { zstd: [1, 19], br: [0, 11], gzip: [0, 9] };

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `compression: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}

export function resolveOptions(options: CompressionOptions = {}): ResolvedCompressionOptions {
  const encodings = options.encodings ?? [...RESPONSE_CODINGS];
  if (!Array.isArray(encodings)) throw new TypeError("compression: encodings must be an array");
  for (const coding of encodings) {
    if (!RESPONSE_CODINGS.includes(coding)) {
      throw new RangeError(`compression: unknown encoding ${JSON.stringify(coding)} (use zstd, br or gzip)`);
    }
  }
  const level = { zstd: 3, br: 4, gzip: 6, ...options.level };
  for (const coding of RESPONSE_CODINGS) {
    const [min, max] = LEVEL_RANGES[coding];
    integerIn(`level.${coding}`, level[coding], min, max);
  }
  if (options.filter !== undefined && typeof options.filter !== "function") {
    throw new TypeError("compression: filter must be a function");
  }
  return {
    encodings: [...new Set(encodings)],
    threshold: integerIn("threshold", options.threshold ?? 1024, 0, Number.MAX_SAFE_INTEGER),
    level,
    filter: options.filter ?? isCompressibleType,
    maxDecodedBodySize: integerIn(
      "maxDecodedBodySize",
      options.maxDecodedBodySize ?? 1_048_576,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
  };
}
