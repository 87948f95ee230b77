// Core's ResponseSink over a node:http ServerResponse: a whole response in one writeHead + end
// (node corks them into one write), or a chunked stream whose write() waits for 'drain'. It adds
// only framing (Content-Length, Connection: keep-alive or close); it does not serialize, compress
// or pick headers, which is core's work. Status lines carry RFC 9110's reason phrases (core's
// table, not node's STATUS_CODES) and framing header names are cased like the native path's, so
// both paths put the same status line and header names on the wire.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type HeaderPairs, REASON_PHRASES, type ResponseSink, type ResponseStream } from "@fasterapi/core";
import { lingerOnClose } from "./lingering-close.js";
import type { NodeRequestView } from "./node-request-view.js";

const RESOLVED = Promise.resolve();

/** What the sink needs to know about its transport. */
export interface ConnectionPolicy {
  /** True once the transport is shutting down: responses then close their connection. */
  readonly closing: boolean;
}

function hasHeader(headers: HeaderPairs, name: string): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return true;
  return false;
}

function pairTuples(pairs: HeaderPairs): [string, string][] {
  const tuples: [string, string][] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) tuples.push([pairs[i] as string, pairs[i + 1] as string]);
  return tuples;
}

/** 1xx, 204 and 304 never carry a body, so they get no Content-Length either (RFC 9110 8.6). */
function statusHasBody(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

/** One object per request: the sink, and for a streamed answer its stream as well. */
export class NodeResponseSink implements ResponseSink, ResponseStream {
  private readonly req: IncomingMessage;
  private readonly res: ServerResponse;
  private readonly view: NodeRequestView;
  private readonly policy: ConnectionPolicy;
  /** This answer is the last the connection may carry (maxRequestsPerSocket). */
  private readonly lastOnConnection: boolean;
  /** The client had gone when the response was ended (node then reports it finished). */
  private endedAfterAbort = false;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    view: NodeRequestView,
    policy: ConnectionPolicy,
    lastOnConnection: boolean,
  ) {
    this.req = req;
    this.res = res;
    this.view = view;
    this.policy = policy;
    this.lastOnConnection = lastOnConnection;
  }

  get aborted(): boolean {
    const res = this.res;
    return this.endedAfterAbort || (res.destroyed && !res.writableFinished);
  }

  send(status: number, headers: HeaderPairs, body: Buffer | string | null, contentType?: string): void {
    let length = -1;
    if (
      statusHasBody(status) &&
      (body !== null || this.req.method !== "HEAD") &&
      !hasHeader(headers, "content-length")
    ) {
      length = body === null ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.length;
    }
    const res = this.res;
    if (res.destroyed) this.endedAfterAbort = true;
    res.writeHead(status, REASON_PHRASES[status] ?? "", this.head(headers, contentType, length));
    // node drops the bytes of a HEAD answer itself (it knows the method); its length is sent above.
    if (body === null) res.end();
    else res.end(body);
  }

  stream(status: number, headers: HeaderPairs, contentType?: string): ResponseStream {
    // HTTP/1.0 has no chunked coding: the stream ends when the connection closes.
    const closeDelimited = this.req.httpVersionMinor === 0;
    this.res.writeHead(
      status,
      REASON_PHRASES[status] ?? "",
      this.head(headers, contentType, -1, closeDelimited),
    );
    return this;
  }

  write(chunk: Buffer | string): Promise<void> {
    const res = this.res;
    // Once the client is gone writes are dropped and the sink reports `aborted`, which the
    // producer checks between chunks; a promise left pending here would hang it instead.
    if (res.destroyed) return RESOLVED;
    if (res.write(chunk)) return RESOLVED;
    // The socket buffer is full: the caller waits until node flushed it, or the client left.
    return new Promise((resolve) => {
      const onDone = () => {
        res.off("drain", onDone);
        res.off("close", onDone);
        resolve();
      };
      res.on("drain", onDone);
      res.on("close", onDone);
    });
  }

  end(trailers?: HeaderPairs): void {
    const res = this.res;
    if (res.destroyed) this.endedAfterAbort = true;
    // Sent in the last chunk of the chunked body.
    if (trailers !== undefined) res.addTrailers(pairTuples(trailers));
    res.end();
  }

  earlyHints(headers: HeaderPairs): void {
    // node writes the 103 head itself: Link first (joined), then the other fields.
    const hints: Record<string, string[]> = {};
    for (const [name, value] of pairTuples(headers)) {
      const values = hints[name];
      if (values === undefined) hints[name] = [value];
      else values.push(value);
    }
    this.res.writeEarlyHints(hints);
  }

  /**
   * The header list for writeHead: the content type, the reply's headers, and the framing headers
   * the native path writes, with its casing: `Content-Length` (when `length` >= 0) and always
   * `Connection`, so node adds no `Keep-Alive: timeout` line of its own. The connection closes when
   * the rest of the request body is unread, the connection reached its request limit, the server is
   * closing or node would not keep it (HTTP/1.0). One new array; core's list is never modified.
   */
  private head(
    headers: HeaderPairs,
    contentType: string | undefined,
    length: number,
    mustClose = false,
  ): HeaderPairs {
    const pairs: HeaderPairs = contentType === undefined ? [] : ["content-type", contentType];
    const view = this.view;
    view.discardUnreadBody();
    let close = mustClose || this.lastOnConnection || this.policy.closing || !this.res.shouldKeepAlive;
    if (view.bodyLimitExceeded) {
      lingerOnClose(this.req.socket);
      close = true;
    }
    let connectionAt = -1;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string;
      const value = headers[i + 1] as string;
      if (name === "content-length") {
        pairs.push("Content-Length", value);
      } else if (name === "connection") {
        connectionAt = pairs.length + 1;
        pairs.push("Connection", value);
      } else {
        pairs.push(name, value);
      }
    }
    if (length >= 0) pairs.push("Content-Length", String(length));
    // A caller's own Connection header stays, unless this answer must close (as on the native path).
    if (connectionAt === -1) pairs.push("Connection", close ? "close" : "keep-alive");
    else if (close) pairs[connectionAt] = "close";
    return pairs;
  }
}
