// What the native HTTP/1.1 and HTTP/2 exchanges share (@fasterapi/http2 extends it): the request
// body, started only when core asks for it, the abort callbacks, and chunk writes that wait for
// the addon to drain. Heads, framing and the calls that answer are each protocol's own.
import type { NativeBody } from "./native-body.js";

const RESOLVED = Promise.resolve();
const EMPTY = Buffer.alloc(0);

export abstract class AddonExchange {
  /** The client is gone (or the connection left this protocol): answers and writes are dropped. */
  protected gone = false;
  protected bodyState: NativeBody | undefined;
  private abortCallbacks: (() => void)[] | undefined;

  abstract readonly hasBody: boolean;
  /** This request's body reader, made on first use. */
  protected abstract newBody(): NativeBody;
  /** Hands one response chunk to the addon: 1 write more now, 0 wait for drain, -1 gone. */
  protected abstract writeChunk(chunk: Buffer): number;
  /** Resolves when the addon can take more output for this exchange (or it is gone). */
  protected abstract drained(): Promise<void>;

  body(limit: number): Promise<Buffer> {
    const body = this.requestBody();
    return body === undefined ? Promise.resolve(EMPTY) : body.whole(limit);
  }

  bodyStream(limit: number): AsyncIterable<Buffer> {
    const body = this.requestBody();
    return body === undefined ? (async function* () {})() : body.stream(limit);
  }

  onAbort(callback: () => void): void {
    if (this.gone) {
      queueMicrotask(callback);
      return;
    }
    this.abortCallbacks ??= [];
    this.abortCallbacks.push(callback);
  }

  /** The addon's body events for this request (see NativeBody.push); returns whether to keep reading. */
  bodyEvent(chunk: Buffer | undefined, events: number): boolean {
    return this.bodyState === undefined ? true : this.bodyState.push(chunk, events);
  }

  get aborted(): boolean {
    return this.gone;
  }

  write(chunk: Buffer | string): Promise<void> {
    if (this.gone) return RESOLVED;
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const r = this.writeChunk(buffer);
    if (r === 1) return RESOLVED;
    if (r === -1) {
      // Writes after the client left are dropped; the producer sees `aborted` between chunks.
      this.gone = true;
      return RESOLVED;
    }
    return this.drained();
  }

  /** The client left before this side was done: the exchange is gone and its abort callbacks run. */
  protected abandon(): void {
    this.gone = true;
    const callbacks = this.abortCallbacks;
    this.abortCallbacks = undefined;
    if (callbacks !== undefined) for (const callback of callbacks) callback();
  }

  private requestBody(): NativeBody | undefined {
    if (!this.hasBody) return undefined;
    this.bodyState ??= this.newBody();
    return this.bodyState;
  }
}
