// Compresses a streamed response chunk by chunk, lazily: each pull on the result pulls the source
// once, so the handler is paused by the client's backpressure. At every flush marker (and after
// every chunk when asked, as SSE needs) the encoder is flushed so the client can decode so far.
import type { ChunkEncoder } from "./codec.js";

/** What a streaming handler may yield: bytes, text, or the flush marker. */
export type StreamItem = Buffer | Uint8Array | string | symbol;

export interface EncodeStreamOptions {
  /** The value that marks a flush boundary (core's FLUSH). */
  flushMarker: symbol;
  /** Flush after every chunk (text/event-stream: an event must never sit in the encoder). */
  flushEveryChunk: boolean;
}

function toBuffer(item: Buffer | Uint8Array | string): Buffer {
  if (typeof item === "string") return Buffer.from(item);
  return Buffer.isBuffer(item) ? item : Buffer.from(item.buffer, item.byteOffset, item.byteLength);
}

function join(a: Buffer, b: Buffer): Buffer {
  if (a.length === 0) return b;
  return b.length === 0 ? a : Buffer.concat([a, b]);
}

/**
 * Yields the compressed form of `source`; ends (or on early return, releases) the encoder. The
 * encoder is created on the first pull, so a body that is never read (HEAD) never holds one.
 */
export async function* encodeStream(
  source: AsyncIterable<StreamItem>,
  createEncoder: () => ChunkEncoder,
  options: EncodeStreamOptions,
): AsyncGenerator<Buffer> {
  const encoder = createEncoder();
  let finished = false;
  try {
    for await (const item of source) {
      let out: Buffer;
      if (item === options.flushMarker) {
        out = await encoder.flush();
      } else if (typeof item === "symbol") {
        throw new TypeError(`a streamed response yielded an unknown symbol: ${String(item)}`);
      } else {
        out = await encoder.write(toBuffer(item));
        if (options.flushEveryChunk) out = join(out, await encoder.flush());
      }
      if (out.length > 0) yield out;
    }
    const last = await encoder.end();
    finished = true;
    if (last.length > 0) yield last;
  } finally {
    if (!finished) encoder.destroy();
  }
}
