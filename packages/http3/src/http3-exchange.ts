// One HTTP/3 request stream as core sees it: the RequestView over the addon's request event and
// the ResponseSink that answers through the addon. Body chunks queue here until core reads them;
// each chunk read gives its bytes back to the peer's flow-control window (consume), so an unread
// body stops at one stream window.
import {
  BodyLimitError,
  type HeaderPairs,
  type RequestView,
  type ResponseSink,
  type ResponseStream,
} from "@fasterapi/core";
import type { Http3Server } from "@fasterapi/http3-native";

export interface ExchangeOwner {
  readonly server: Http3Server;
  waitForDrain(exchange: Http3Exchange): Promise<void>;
  release(exchange: Http3Exchange): void;
}

const EMPTY = Buffer.alloc(0);

export class Http3Exchange implements RequestView, ResponseSink {
  readonly protocol = "h3";
  aborted = false;
  #headers: Record<string, string | string[]> | undefined;
  #chunks: Buffer[] = [];
  #ended: boolean;
  #wake: (() => void) | undefined;
  #abortCallbacks: (() => void)[] = [];
  #answered = false;
  #body: Promise<Buffer> | undefined;

  constructor(
    private readonly owner: ExchangeOwner,
    readonly conn: number,
    readonly streamId: number,
    readonly method: string,
    readonly url: string,
    private readonly rawHeaders: string,
    readonly hasBody: boolean,
  ) {
    this.#ended = !hasBody;
  }

  get remoteAddress(): string {
    return this.owner.server.remoteAddress(this.conn);
  }

  header(name: string): string | undefined {
    const value = this.headers()[name];
    return Array.isArray(value) ? value[0] : value;
  }

  headers(): Record<string, string | string[]> {
    if (this.#headers !== undefined) return this.#headers;
    const out: Record<string, string | string[]> = {};
    const parts = this.rawHeaders.split("\0");
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const name = parts[i] as string;
      const value = parts[i + 1] as string;
      const existing = out[name];
      if (existing === undefined) out[name] = name === "set-cookie" ? [value] : value;
      else if (Array.isArray(existing)) existing.push(value);
      else out[name] = name === "cookie" ? `${existing}; ${value}` : `${existing}, ${value}`;
    }
    this.#headers = out;
    return out;
  }

  /** The whole body; asking again returns the same promise (the bytes flow only once). */
  body(limit: number): Promise<Buffer> {
    this.#body ??= this.#collect(limit);
    return this.#body;
  }

  async #collect(limit: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.bodyStream(limit)) parts.push(chunk);
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  async *bodyStream(limit: number): AsyncIterable<Buffer> {
    let received = 0;
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk !== undefined) {
        received += chunk.length;
        if (received > limit) {
          this.#chunks = [];
          this.owner.server.stopReading(this.conn, this.streamId);
          throw new BodyLimitError(limit);
        }
        this.owner.server.consume(this.conn, this.streamId, chunk.length);
        yield chunk;
        continue;
      }
      if (this.#ended || this.aborted) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  onAbort(callback: () => void): void {
    this.#abortCallbacks.push(callback);
  }

  send(status: number, headers: HeaderPairs, body: Buffer | string | null, contentType?: string): void {
    if (this.#answered) return;
    this.#answered = true;
    this.owner.server.respond(
      this.conn,
      this.streamId,
      status,
      body ?? EMPTY,
      contentType ?? "",
      joined(headers),
      false,
      this.method === "HEAD",
    );
  }

  stream(status: number, headers: HeaderPairs, contentType?: string): ResponseStream {
    this.#answered = true;
    const server = this.owner.server;
    server.respond(
      this.conn,
      this.streamId,
      status,
      null,
      contentType ?? "",
      joined(headers),
      true,
      this.method === "HEAD",
    );
    return {
      write: async (chunk: Buffer | string): Promise<void> => {
        const r = server.write(
          this.conn,
          this.streamId,
          typeof chunk === "string" ? Buffer.from(chunk) : chunk,
        );
        if (r === 0) await this.owner.waitForDrain(this);
      },
      end: (): void => {
        server.end(this.conn, this.streamId);
      },
    };
  }

  // ---- addon events ----

  bodyChunk(chunk: Buffer | undefined, fin: boolean): void {
    if (chunk !== undefined) this.#chunks.push(chunk);
    if (fin) this.#ended = true;
    this.#wakeReader();
  }

  closed(aborted: boolean): void {
    this.#ended = true;
    if (aborted && !this.aborted) {
      this.aborted = true;
      for (const callback of this.#abortCallbacks.splice(0)) callback();
    }
    this.#wakeReader();
    this.owner.release(this);
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function joined(headers: HeaderPairs): string {
  return headers.length === 0 ? "" : `${headers.join("\0")}\0`;
}
