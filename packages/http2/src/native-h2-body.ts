// A request body arriving from the HTTP/2 addon in chunks: collected whole for body(), or handed
// out as an async iterable for bodyStream(). The addon returns flow-control credit (WINDOW_UPDATE)
// only for bytes this side took: while more than BODY_HIGH_WATER bytes wait here it tells the
// addon to pause, so a slow handler slows the client down instead of buffering its upload.
import { BodyLimitError } from "@fasterapi/core";
import {
  BODY_ABORTED,
  BODY_END,
  BODY_LIMIT,
  type Http2Protocol,
  READ_BODY_GONE,
  READ_BODY_TOO_LARGE,
} from "@fasterapi/http2-native";

/** Bytes queued in JS before the addon is asked to stop returning window credit. */
const BODY_HIGH_WATER = 256 * 1024;

export class NativeH2Body {
  private readonly protocol: Http2Protocol;
  private readonly handle: number;
  private readonly streamId: number;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private failure: Error | undefined;
  private paused = false;
  private limit = 0;
  private started = false;
  private wake: (() => void) | undefined;
  private wholePromise: Promise<Buffer> | undefined;

  constructor(protocol: Http2Protocol, handle: number, streamId: number) {
    this.protocol = protocol;
    this.handle = handle;
    this.streamId = streamId;
  }

  private start(limit: number): void {
    if (this.started) return;
    this.started = true;
    this.limit = limit;
    const r = this.protocol.readBody(this.handle, this.streamId, limit);
    if (r === READ_BODY_TOO_LARGE) this.failure = new BodyLimitError(limit);
    else if (r === READ_BODY_GONE)
      this.failure ??= new Error("the client reset the stream before sending the body");
  }

  /** One onBody event; returns whether the addon may keep returning window credit. */
  push(chunk: Buffer | undefined, events: number): boolean {
    if (chunk !== undefined) {
      this.queue.push(chunk);
      this.queued += chunk.length;
    }
    if (events & BODY_END) this.ended = true;
    if (events & BODY_LIMIT) this.failure = new BodyLimitError(this.limit);
    if (events & BODY_ABORTED) this.abort();
    this.notify();
    this.paused = this.queued > BODY_HIGH_WATER;
    return !this.paused;
  }

  /** The stream ended before its body did. */
  abort(): void {
    if (!this.ended)
      this.failure ??= new Error("the client reset the stream before the request body was complete");
    this.notify();
  }

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
          this.protocol.resumeBody(this.handle, this.streamId);
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
