// zstd through @fasterapi/compression-native (our N-API binding to the system libzstd). Contexts
// are pooled per codec and reused across responses and requests, because creating a ZSTD_CCtx
// costs more than compressing a small body. Without the addon, codec-registry.ts uses node:zlib.
import type { ZstdBinding, ZstdCompressor, ZstdDecompressor } from "@fasterapi/compression-native";
import { type ChunkDecoder, type ChunkEncoder, type Codec, SYNC_ENCODE_LIMIT } from "./codec.js";

const EMPTY = Buffer.alloc(0);
/** Contexts kept for reuse per codec; more than this many concurrent streams allocate fresh ones. */
const POOL_SIZE = 64;

class NativeZstdEncoder implements ChunkEncoder {
  private ctx: ZstdCompressor | null;
  private readonly pool: ZstdCompressor[];

  constructor(ctx: ZstdCompressor, pool: ZstdCompressor[]) {
    this.ctx = ctx;
    this.pool = pool;
  }

  write(chunk: Buffer): Promise<Buffer> {
    return this.push(chunk, 0);
  }

  flush(): Promise<Buffer> {
    return this.push(EMPTY, 1);
  }

  async end(): Promise<Buffer> {
    const out = await this.push(EMPTY, 2);
    this.destroy();
    return out;
  }

  destroy(): void {
    if (!this.ctx) return;
    this.ctx.reset();
    if (this.pool.length < POOL_SIZE) this.pool.push(this.ctx);
    this.ctx = null;
  }

  private async push(chunk: Buffer, mode: 0 | 1 | 2): Promise<Buffer> {
    if (!this.ctx) throw new Error("zstd encoder already finished");
    return this.ctx.push(chunk, mode);
  }
}

class NativeZstdDecoder implements ChunkDecoder {
  private ctx: ZstdDecompressor | null;
  private readonly pool: ZstdDecompressor[];

  constructor(ctx: ZstdDecompressor, pool: ZstdDecompressor[]) {
    this.ctx = ctx;
    this.pool = pool;
  }

  async write(chunk: Buffer, budget: number): Promise<Buffer> {
    if (!this.ctx) throw new Error("zstd decoder already finished");
    return this.ctx.push(chunk, Math.min(budget, Number.MAX_SAFE_INTEGER));
  }

  async end(): Promise<Buffer> {
    const complete = this.ctx?.complete ?? false;
    this.destroy();
    if (!complete) throw new Error("unexpected end of file");
    return EMPTY;
  }

  destroy(): void {
    if (!this.ctx) return;
    this.ctx.reset();
    if (this.pool.length < POOL_SIZE) this.pool.push(this.ctx);
    this.ctx = null;
  }
}

/** zstd at `level` (1-19) on the native addon. */
export function nativeZstdCodec(binding: ZstdBinding, level: number): Codec {
  const compressors: ZstdCompressor[] = [];
  const decompressors: ZstdDecompressor[] = [];
  /** A large body on the thread pool, with a pooled context that nobody else touches meanwhile. */
  async function encodeOffThread(input: Buffer): Promise<Buffer> {
    const ctx = compressors.pop() ?? new binding.Compressor(level);
    try {
      return await ctx.compressAsync(input);
    } finally {
      if (compressors.length < POOL_SIZE) compressors.push(ctx);
    }
  }
  return {
    coding: "zstd",
    encode: (input) =>
      input.length <= SYNC_ENCODE_LIMIT ? binding.compress(input, level) : encodeOffThread(input),
    createEncoder: () =>
      new NativeZstdEncoder(compressors.pop() ?? new binding.Compressor(level), compressors),
    createDecoder: () =>
      new NativeZstdDecoder(decompressors.pop() ?? new binding.Decompressor(), decompressors),
  };
}
