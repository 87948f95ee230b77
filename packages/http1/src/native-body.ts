// A request body arriving from a protocol addon in chunks: collected whole for body(), or handed
// out as an async iterable for bodyStream() with backpressure (while more than BODY_HIGH_WATER
// bytes wait here the addon is told to pause: HTTP/1.1 stops reading the socket, HTTP/2 stops
// returning window credit). Shared by @fasterapi/http2, whose addon uses the same BODY_* and
// READ_BODY_* values. It does not parse or decode content.
import { BodyLimitError } from "@fasterapi/core";
import {
  BODY_ABORTED,
  BODY_END,
  BODY_LIMIT,
  BODY_MALFORMED,
  READ_BODY_GONE,
  READ_BODY_TOO_LARGE,
} from "@fasterapi/http1-native";

/** Bytes queued in JS before the addon is asked to pause. */
const BODY_HIGH_WATER = 256 * 1024;

/** The addon calls a body makes for request `id` (an HTTP/1.1 seq, an HTTP/2 stream id) of connection `handle`. */
export interface BodyFlow {
  /** A READ_BODY_* result: the body starts flowing to onBody, it is over `limit`, or the request is gone. */
  readBody(handle: number, id: number, limit: number): number;
  /** This side caught up after push() returned false. */
  resumeBody(handle: number, id: number): void;
}

/** How a protocol words a client that left before its body was complete (the body's error). */
export interface BodyGoneMessages {
  /** The request was already gone when the body was first asked for. */
  readonly beforeBody: string;
  /** The connection (or stream) ended mid-body. */
  readonly midBody: string;
}

export class NativeBody {
  private readonly flow: BodyFlow;
  private readonly handle: number;
  private readonly id: number;
  private readonly messages: BodyGoneMessages;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private failure: Error | undefined;
  private paused = false;
  private limit = 0;
  private started = false;
  private wake: (() => void) | undefined;
  private wholePromise: Promise<Buffer> | undefined;

  constructor(flow: BodyFlow, handle: number, id: number, messages: BodyGoneMessages) {
    this.flow = flow;
    this.handle = handle;
    this.id = id;
    this.messages = messages;
  }

  /** Starts the flow (once); fails the body if the request is already over `limit` or gone. */
  private start(limit: number): void {
    if (this.started) return;
    this.started = true;
    this.limit = limit;
    const r = this.flow.readBody(this.handle, this.id, limit);
    if (r === READ_BODY_TOO_LARGE) this.failure = new BodyLimitError(limit);
    else if (r === READ_BODY_GONE) this.failure = new Error(this.messages.beforeBody);
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
    if (events & BODY_ABORTED) this.abort();
    this.notify();
    this.paused = this.queued > BODY_HIGH_WATER;
    return !this.paused;
  }

  /** The connection (or stream) closed: nothing more will come. */
  abort(): void {
    if (!this.ended) this.failure ??= new Error(this.messages.midBody);
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
          this.flow.resumeBody(this.handle, this.id);
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
