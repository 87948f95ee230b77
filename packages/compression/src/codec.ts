// The shape every content coding implements, so response encoding and request decoding are
// written once: a one-shot encoder for buffered bodies and incremental encoder/decoder objects
// for streams. Implementations live in zlib-codec.ts and zstd-codec.ts; no HTTP logic here.

/**
 * Buffered bodies up to this size are compressed on the calling thread: a thread-pool hop costs
 * more than the work. Larger ones go to the thread pool so the event loop keeps serving.
 */
export const SYNC_ENCODE_LIMIT = 64 * 1024;

/** Content codings this package implements ("deflate" is the zlib format, RFC 9110 s. 8.4.1.2). */
export type ContentCoding = "zstd" | "br" | "gzip" | "deflate";

/** Incremental compressor for one response; results are the bytes produced by that call. */
export interface ChunkEncoder {
  /** Feeds input; may return nothing yet because the encoder buffers internally. */
  write(chunk: Buffer): Promise<Buffer>;
  /** Returns everything needed for a decoder to reproduce all input written so far. */
  flush(): Promise<Buffer>;
  /** Finishes the stream and returns its last bytes; the encoder is released afterwards. */
  end(): Promise<Buffer>;
  /** Releases the encoder without finishing (the client went away). Safe to call twice. */
  destroy(): void;
}

/** Incremental decompressor for one request body. */
export interface ChunkDecoder {
  /**
   * Decodes a chunk, producing at most `budget + 1` bytes: a longer result means the decoded
   * body is over the caller's limit, and decoding stopped as soon as that was known.
   */
  write(chunk: Buffer, budget: number): Promise<Buffer>;
  /** Checks the input ended at a complete stream; rejects on truncated input. */
  end(budget: number): Promise<Buffer>;
  destroy(): void;
}

/** One content coding with its settings (level, quality) already applied. */
export interface Codec {
  readonly coding: ContentCoding;
  /** Compresses a whole buffered body in one call. */
  encode(input: Buffer): Promise<Buffer> | Buffer;
  createEncoder(): ChunkEncoder;
  createDecoder(): ChunkDecoder;
}
