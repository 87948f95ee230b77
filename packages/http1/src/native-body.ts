// A request body arriving from the addon in chunks: collected whole for body(), or handed out
// as an async iterable for bodyStream() with backpressure (the addon stops reading while more
// than BODY_HIGH_WATER bytes wait here). It does not parse or decode content.
import { BodyLimitError } from "@fasterapi/core";
import {
  BODY_ABORTED,
  BODY_END,
  BODY_LIMIT,
  BODY_MALFORMED,
  type Http1Protocol,
  READ_BODY_GONE,
  READ_BODY_TOO_LARGE,
} from "@fasterapi/http1-native";

/** Bytes queued in JS before the addon is asked to pause reading. */
const BODY_HIGH_WATER = 256 * 1024;

export class NativeBody {
  private readonly protocol: Http1Protocol;
  private readonly handle: number;
  private readonly seq: number;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private failure: Error | undefined;
  private paused = false;
  private limit = 0;
  private started = false;
  private wake: (() => void) | undefined;
  private wholePromise: Promise<Buffer> | undefined;

  constructor(protocol: Http1Protocol, handle: number, seq: number) {
    this.protocol = protocol;
    this.handle = handle;
    this.seq = seq;
  }

  /** Starts the flow (once); false if the request is already known to be over `limit`. */
  private start(limit: number): void {
    if (this.started) return;
    this.started = true;
    this.limit = limit;
    const r = this.protocol.readBody(this.handle, this.seq, limit);
    if (r === READ_BODY_TOO_LARGE) this.failure = new BodyLimitError(limit);
    else if (r === READ_BODY_GONE)
      this.failure = new Error("the client closed the connection before sending the body");
  }

  /** Called by the transport for each onBody event; returns whether the addon may keep reading. */
  push(chunk: Buffer | undefined, events: number): boolean {
    if (chunk !== undefined) {
      this.queue.push(chunk);
      this.queued += chunk.length;
    }
    if (events & BODY_END) this.ended = true;
    if (events & BODY_LIMIT) this.failure = new BodyLimitError(this.limit);
    if (events & BODY_MALFORMED) this.failure = new Error("malformed chunked request body");
    if (events & BODY_ABORTED) this.failure ??= new Error("the client closed the connection mid-body");
    this.notify();
    this.paused = this.queued > BODY_HIGH_WATER;
    return !this.paused;
  }

  /** The connection closed: nothing more will come. */
  abort(): void {
    if (!this.ended) this.failure ??= new Error("the client closed the connection mid-body");
    this.notify();
  }

  /** The whole body; asking again returns the same promise (the bytes flow only once). */
  whole(limit: number): Promise<Buffer> {
    this.wholePromise ??= this.collect(limit);
    return this.wholePromise;
  }

  private async collect(limit: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.stream(limit)) {
      chunks.push(chunk);
      size += chunk.length;
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  }

  async *stream(limit: number): AsyncGenerator<Buffer> {
    this.start(limit);
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk !== undefined) {
        this.queued -= chunk.length;
        if (this.paused && this.queued <= BODY_HIGH_WATER / 2) {
          this.paused = false;
          this.protocol.resumeBody(this.handle);
        }
        yield chunk;
        continue;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
