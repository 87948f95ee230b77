// Decodes a request body stream with a content coding under a hard cap on the decoded size:
// decoding stops the moment the cap is crossed (decompression bombs cost at most the cap), and
// corrupt or truncated input becomes MalformedEncodingError. Errors of the source pass through.
import type { ChunkDecoder } from "./codec.js";

/** The decoded body would be larger than `limit` bytes. */
export class DecodedBodyTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`decoded request body exceeds the limit of ${limit} bytes`);
    this.name = "DecodedBodyTooLargeError";
    this.limit = limit;
  }
}

/** The body is not valid data in its declared coding; the message is the decoder's own. */
export class MalformedEncodingError extends Error {
  readonly coding: string;
  constructor(coding: string, cause: unknown) {
    super(`request body is not valid ${coding}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "MalformedEncodingError";
    this.coding = coding;
  }
}

async function decoded(coding: string, step: Promise<Buffer>): Promise<Buffer> {
  try {
    return await step;
  } catch (error) {
    throw new MalformedEncodingError(coding, error);
  }
}

/** Yields the decoded bytes of `source`, at most `limit` of them in total; the decoder is made on first pull. */
export async function* decodeStream(
  source: AsyncIterable<Buffer>,
  createDecoder: () => ChunkDecoder,
  coding: string,
  limit: number,
): AsyncGenerator<Buffer> {
  const decoder = createDecoder();
  let total = 0;
  let finished = false;
  try {
    for await (const chunk of source) {
      const out = await decoded(coding, decoder.write(chunk, limit - total));
      total += out.length;
      if (total > limit) throw new DecodedBodyTooLargeError(limit);
      if (out.length > 0) yield out;
    }
    const last = await decoded(coding, decoder.end(limit - total));
    finished = true;
    total += last.length;
    if (total > limit) throw new DecodedBodyTooLargeError(limit);
    if (last.length > 0) yield last;
  } finally {
    if (!finished) decoder.destroy();
  }
}
