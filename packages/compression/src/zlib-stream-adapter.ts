// Drives one node:zlib stream (gzip, deflate, brotli, or Node 22's zstd) as a ChunkEncoder or
// ChunkDecoder: write, flush and end each resolve with the bytes the stream produced meanwhile.
// As ws does for permessage-deflate, output is collected from "data" events and handed over when
// the write/flush callback fires; a decoder over its budget is destroyed on the spot.
import type { Transform } from "node:stream";
import type { ChunkDecoder, ChunkEncoder } from "./codec.js";

/** A node:zlib stream: a Transform with zlib's flush(kind, callback). */
export type ZlibStream = Transform & { flush(kind: number, callback: () => void): void };

type Settle = (error?: Error | null) => void;

export class ZlibStreamAdapter implements ChunkEncoder, ChunkDecoder {
  private readonly stream: ZlibStream;
  private readonly flushKind: number;
  private output: Buffer[] = [];
  private outputBytes = 0;
  private budget = Number.POSITIVE_INFINITY;
  private failure: Error | null = null;
  private pending: Settle | null = null;

  constructor(stream: ZlibStream, flushKind: number) {
    this.stream = stream;
    this.flushKind = flushKind;
    stream.on("data", (chunk: Buffer) => {
      this.output.push(chunk);
      this.outputBytes += chunk.length;
      if (this.outputBytes > this.budget) {
        // Over the limit: stop inflating now instead of finishing the chunk (decompression bombs).
        this.stream.destroy();
        this.pending?.();
      }
    });
    stream.on("error", (error: Error) => {
      this.failure = error;
      this.pending?.(error);
    });
  }

  write(chunk: Buffer, budget = Number.POSITIVE_INFINITY): Promise<Buffer> {
    return this.run(budget, (done) => this.stream.write(chunk, (error) => done(error)));
  }

  flush(): Promise<Buffer> {
    return this.run(Number.POSITIVE_INFINITY, (done) => this.stream.flush(this.flushKind, () => done()));
  }

  end(budget = Number.POSITIVE_INFINITY): Promise<Buffer> {
    return this.run(budget, (done) => {
      this.stream.once("end", () => done());
      this.stream.end();
    });
  }

  destroy(): void {
    this.stream.destroy();
  }

  /** Starts one operation and resolves with the output collected until it completes. */
  private run(budget: number, start: (done: Settle) => void): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    this.budget = budget;
    return new Promise<Buffer>((resolve, reject) => {
      const settle: Settle = (error) => {
        if (this.pending !== settle) return;
        this.pending = null;
        const failure = error ?? this.failure;
        if (failure && this.outputBytes <= this.budget) reject(failure);
        else resolve(this.take());
      };
      this.pending = settle;
      start(settle);
    });
  }

  private take(): Buffer {
    const out = this.output.length === 1 ? this.output[0]! : Buffer.concat(this.output, this.outputBytes);
    this.output = [];
    this.outputBytes = 0;
    return out;
  }
}
