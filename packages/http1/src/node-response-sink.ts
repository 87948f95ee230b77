// Core's ResponseSink over a node:http ServerResponse: a whole response in one writeHead + end
// (node corks them into one write), or a chunked stream whose write() waits for 'drain'. It adds
// only framing (Content-Length, Connection: close when the connection must end); it does not
// serialize, compress or pick headers, which is core's work.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HeaderPairs, ResponseSink, ResponseStream } from "@fasterapi/core";
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

  send(status: number, headers: HeaderPairs, body: Buffer | string | null): void {
    let framed = headers;
    if (
      statusHasBody(status) &&
      (body !== null || this.req.method !== "HEAD") &&
      !hasHeader(headers, "content-length")
    ) {
      const length = body === null ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.length;
      framed = headers.concat("content-length", String(length));
    }
    const res = this.res;
    if (res.destroyed) this.endedAfterAbort = true;
    res.writeHead(status, this.closeIfNeeded(framed));
    if (body === null) res.end();
    else res.end(body);
  }

  stream(status: number, headers: HeaderPairs): ResponseStream {
    this.res.writeHead(status, this.closeIfNeeded(headers));
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

  end(): void {
    const res = this.res;
    if (res.destroyed) this.endedAfterAbort = true;
    res.end();
  }

  /**
   * Adds `Connection: close` when the rest of the request body is unread, the connection reached
   * its request limit or the server is closing; node then closes the socket after this answer.
   */
  private closeIfNeeded(headers: HeaderPairs): HeaderPairs {
    const view = this.view;
    view.discardUnreadBody();
    if (view.bodyLimitExceeded) {
      lingerOnClose(this.req.socket);
      return headers.concat("connection", "close");
    }
    return this.lastOnConnection || this.policy.closing ? headers.concat("connection", "close") : headers;
  }
}
