// Codecs backed by node:zlib: gzip, deflate (zlib format) and brotli, plus zstd when the running
// Node has it (22.15+). Buffered bodies above SYNC_ENCODE_LIMIT are compressed on the thread pool.
import { promisify } from "node:util";
import zlib from "node:zlib";
import { type Codec, type ContentCoding, SYNC_ENCODE_LIMIT } from "./codec.js";
import { type ZlibStream, ZlibStreamAdapter } from "./zlib-stream-adapter.js";

type SyncFn = (input: Buffer, options: object) => Buffer;
type AsyncFn = (input: Buffer, options: object) => Promise<Buffer>;

function makeCodec(
  coding: ContentCoding,
  encodeOptions: object,
  fns: {
    sync: SyncFn;
    async: AsyncFn;
    encoder: (options: object) => ZlibStream;
    decoder: () => ZlibStream;
    flushKind: number;
    sizeHint?: (input: Buffer) => object;
  },
): Codec {
  return {
    coding,
    encode(input) {
      const options = fns.sizeHint ? fns.sizeHint(input) : encodeOptions;
      return input.length <= SYNC_ENCODE_LIMIT ? fns.sync(input, options) : fns.async(input, options);
    },
    createEncoder: () => new ZlibStreamAdapter(fns.encoder(encodeOptions), fns.flushKind),
    createDecoder: () => new ZlibStreamAdapter(fns.decoder(), fns.flushKind),
  };
}

/** The two zlib-family formats HTTP names: gzip, and "deflate", which means a zlib (RFC 1950) stream, not raw deflate. */
const ZLIB_FORMATS = {
  gzip: { sync: zlib.gzipSync, async: zlib.gzip, encoder: zlib.createGzip, decoder: zlib.createGunzip },
  deflate: {
    sync: zlib.deflateSync,
    async: zlib.deflate,
    encoder: zlib.createDeflate,
    decoder: zlib.createInflate,
  },
} as const;

function zlibFormatCodec(coding: keyof typeof ZLIB_FORMATS, level: number): Codec {
  const format = ZLIB_FORMATS[coding];
  return makeCodec(
    coding,
    { level },
    {
      sync: format.sync,
      async: promisify(format.async) as AsyncFn,
      encoder: (o) => format.encoder(o) as ZlibStream,
      decoder: () => format.decoder() as ZlibStream,
      flushKind: zlib.constants.Z_SYNC_FLUSH,
    },
  );
}

/** gzip at zlib `level` (0-9). */
export function gzipCodec(level: number): Codec {
  return zlibFormatCodec("gzip", level);
}

/** "deflate" at zlib `level` (0-9). */
export function deflateCodec(level: number): Codec {
  return zlibFormatCodec("deflate", level);
}

/** Brotli at `quality` (0-11), text mode; buffered bodies pass their size as a hint. */
export function brotliCodec(quality: number): Codec {
  const params = {
    [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
  };
  return makeCodec(
    "br",
    { params },
    {
      sync: zlib.brotliCompressSync,
      async: promisify(zlib.brotliCompress) as AsyncFn,
      encoder: (o) => zlib.createBrotliCompress(o) as ZlibStream,
      decoder: () => zlib.createBrotliDecompress() as ZlibStream,
      flushKind: zlib.constants.BROTLI_OPERATION_FLUSH,
      sizeHint: (input) => ({ params: { ...params, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: input.length } }),
    },
  );
}

/** node:zlib's zstd API (Node 22.15+); @types/node 20 does not describe it. */
interface NodeZstd {
  zstdCompressSync: SyncFn;
  zstdCompress: (input: Buffer, options: object, cb: (e: Error | null, out: Buffer) => void) => void;
  createZstdCompress(options: object): ZlibStream;
  createZstdDecompress(options: object): ZlibStream;
  constants: Record<string, number>;
}

/** zstd through node:zlib, or null on a Node without it. */
export function nodeZstdCodec(level: number): Codec | null {
  const z = zlib as unknown as Partial<NodeZstd>;
  if (typeof z.zstdCompressSync !== "function" || !z.zstdCompress || !z.createZstdCompress) return null;
  const api = z as NodeZstd;
  const c = api.constants;
  const encodeOptions = { params: { [c.ZSTD_c_compressionLevel!]: level } };
  // RFC 9659: an 8 MiB window is all a decoder has to accept; refusing more bounds its memory.
  const decodeOptions = { params: { [c.ZSTD_d_windowLogMax!]: 23 } };
  return makeCodec("zstd", encodeOptions, {
    sync: api.zstdCompressSync,
    async: promisify(api.zstdCompress) as AsyncFn,
    encoder: (o) => api.createZstdCompress(o),
    decoder: () => api.createZstdDecompress(decodeOptions),
    flushKind: c.ZSTD_e_flush!,
  });
}
