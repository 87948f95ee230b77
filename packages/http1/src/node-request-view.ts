// Core's RequestView over a node:http IncomingMessage. Everything is read lazily from the message
// node already parsed: no header copy, no body read until core asks. It enforces the body limit
// (declared Content-Length first, then bytes as they arrive) but does not answer the request: it
// records the overflow so the response sink closes the connection after core's 413.
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyLimitError, type RequestView } from "@fasterapi/core";

const EMPTY_BODY = Buffer.alloc(0);

/** "http://host:8080/a?b" -> "/a?b"; origin-form and "*" are returned unchanged. */
function originForm(target: string): string {
  if (target.charCodeAt(0) === 47 /* "/" */ || target === "*") return target;
  const scheme = target.indexOf("://");
  if (scheme === -1) return target;
  const pathStart = target.indexOf("/", scheme + 3);
  const queryStart = target.indexOf("?", scheme + 3);
  if (pathStart !== -1 && (queryStart === -1 || pathStart < queryStart)) return target.slice(pathStart);
  return queryStart === -1 ? "/" : `/${target.slice(queryStart)}`;
}

/**
 * Settles when `req` has more to read or reached its end ('readable' covers both), and fails
 * when the connection closed first (node emits 'close', not always 'error', for a client gone mid-body).
 */
function nextChunkReady(req: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      req.off("close", onClose);
      resolve();
    };
    const onClose = () => {
      req.off("readable", onReadable);
      if (req.complete) resolve();
      else reject(new Error("the client closed the connection before the request body was complete"));
    };
    req.once("readable", onReadable);
    req.once("close", onClose);
  });
}

export class NodeRequestView implements RequestView {
  readonly method: string;
  readonly url: string;
  readonly protocol: string;
  /** Set once the body crossed the limit: the rest of it is unread, so the connection must close. */
  bodyLimitExceeded = false;
  /** Set once reading started: node then leaves any unread rest of the body to us. */
  private bodyReadStarted = false;
  /** Set when the answer went out before the body was read to its end (see discardUnreadBody). */
  private bodyDiscarded = false;
  private readonly req: IncomingMessage;
  private readonly res: ServerResponse;
  /** The client sent `Expect: 100-continue` and no 100 has gone out yet. */
  private continuePending: boolean;

  constructor(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) {
    this.req = req;
    this.res = res;
    this.method = req.method as string;
    this.url = originForm(req.url as string);
    this.protocol = req.httpVersionMinor === 0 ? "http/1.0" : "http/1.1";
    this.continuePending = expectsContinue;
  }

  get remoteAddress(): string {
    return this.req.socket.remoteAddress ?? "";
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return typeof value === "string" || value === undefined ? value : value[0];
  }

  headers(): Record<string, string | string[]> {
    // node already joins repeated headers per RFC 9110 and keeps set-cookie as an array.
    return this.req.headers as Record<string, string | string[]>;
  }

  async body(limit: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.bodyStream(limit)) chunks.push(chunk);
    if (chunks.length === 1) return chunks[0] as Buffer;
    return chunks.length === 0 ? EMPTY_BODY : Buffer.concat(chunks);
  }

  async *bodyStream(limit: number): AsyncIterable<Buffer> {
    if (!this.hasBody) return;
    const declared = this.req.headers["content-length"];
    if (declared !== undefined && Number(declared) > limit) throw this.overLimit(limit);
    if (this.continuePending) {
      this.continuePending = false;
      this.res.writeContinue();
    }
    // Paused-mode reads: when the consumer stops pulling, node stops reading the socket.
    this.bodyReadStarted = true;
    const req = this.req;
    let received = 0;
    for (;;) {
      this.assertNotDiscarded();
      let chunk: Buffer | null = req.read();
      while (chunk !== null) {
        received += chunk.length;
        if (received > limit) throw this.overLimit(limit);
        yield chunk;
        this.assertNotDiscarded();
        chunk = req.read();
      }
      // `complete` with nothing buffered: the parser has the whole body, no need to wait for 'end'.
      if (req.readableEnded || (req.complete && req.readableLength === 0)) return;
      await nextChunkReady(req);
    }
  }

  trailers(): Record<string, string | string[]> {
    return this.req.trailers as Record<string, string>;
  }

  onAbort(callback: () => void): void {
    const res = this.res;
    res.once("close", () => {
      if (!res.writableFinished) callback();
    });
  }

  /**
   * Called by the sink as the answer goes out. A body read only in part would stall the
   * connection (node stops dumping a body once someone read from it), so the rest is discarded.
   */
  discardUnreadBody(): void {
    const req = this.req;
    if (!this.bodyReadStarted || req.readableEnded || (req.complete && req.readableLength === 0)) return;
    this.bodyDiscarded = true;
    // A reader still waiting for a chunk holds a 'readable' listener, which keeps the stream
    // paused; it resumes the stream itself when it wakes (assertNotDiscarded).
    if (req.listenerCount("readable") === 0) req.resume();
  }

  /** A reader still pulling after the answer went out is stopped, and the rest is discarded. */
  private assertNotDiscarded(): void {
    if (!this.bodyDiscarded) return;
    this.req.resume();
    throw new Error("the response was sent before the request body was read");
  }

  /** Node's parser saw Content-Length or Transfer-Encoding: without either a request has no body. */
  get hasBody(): boolean {
    const headers = this.req.headers;
    const length = headers["content-length"];
    if (length !== undefined) return length !== "0";
    return headers["transfer-encoding"] !== undefined;
  }

  private overLimit(limit: number): BodyLimitError {
    this.bodyLimitExceeded = true;
    return new BodyLimitError(limit);
  }
}
