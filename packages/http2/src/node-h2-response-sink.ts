// Core's ResponseSink over one node:http2 server stream: a whole answer as one HEADERS (+ DATA with
// END_STREAM), or a stream whose write() waits for 'drain' (the peer's flow-control window and the
// socket both push back through it), ended by trailing HEADERS when the reply has trailers. It also
// sends 103 Early Hints and server pushes. It adds framing only: content-length, END_STREAM.
import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { HeaderPairs, ResponseSink, ResponseStream } from "@fasterapi/core";

const RESOLVED = Promise.resolve();

/** What a sink needs from its transport: the way to serve a pushed request, and whether it closes. */
export interface PushTarget {
  /** Serves a promised GET on `pushed` through the app, as if the client had sent it. */
  servePush(pushed: ServerHttp2Stream, headers: Record<string, string | string[]>): void;
}

/**
 * RFC 9113 8.2.2: connection-specific fields are malformed in HTTP/2 (node throws on them), so a
 * handler's `connection: close` or `keep-alive` is dropped rather than failing the answer.
 */
const CONNECTION_FIELDS = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
]);

/** 1xx, 204 and 304 never carry content, so they get no content-length either. */
function statusHasBody(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

/** Header pairs as the object node:http2 takes; a repeated name becomes an array. */
export function headerObject(pairs: HeaderPairs, into: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = pairs[i] as string;
    if (CONNECTION_FIELDS.has(name)) continue;
    const value = pairs[i + 1] as string;
    const previous = into[name];
    if (previous === undefined) into[name] = value;
    else into[name] = Array.isArray(previous) ? [...previous, value] : [String(previous), value];
  }
  return into;
}

export class H2ResponseSink implements ResponseSink, ResponseStream {
  private readonly h2: ServerHttp2Stream;
  private readonly isHead: boolean;
  private readonly target: PushTarget;
  private trailers: HeaderPairs | undefined;

  constructor(stream: ServerHttp2Stream, method: string, target: PushTarget) {
    this.h2 = stream;
    this.isHead = method === "HEAD";
    this.target = target;
  }

  get aborted(): boolean {
    const stream = this.h2;
    return stream.destroyed && !stream.writableFinished;
  }

  send(status: number, headers: HeaderPairs, body: Buffer | string | null, contentType?: string): void {
    const stream = this.h2;
    if (stream.destroyed) return;
    const head = this.head(status, headers, contentType);
    if (statusHasBody(status) && head["content-length"] === undefined && (body !== null || !this.isHead)) {
      head["content-length"] =
        body === null ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.length;
    }
    // HEAD announces the length of GET's body and sends none (RFC 9110 9.3.2).
    if (body === null || this.isHead || !statusHasBody(status)) {
      stream.respond(head, { endStream: true });
      return;
    }
    stream.respond(head);
    stream.end(body);
  }

  stream(status: number, headers: HeaderPairs, contentType?: string): ResponseStream {
    const stream = this.h2;
    if (stream.destroyed) return this;
    // The trailers are known only when the body ends; node then asks for them ('wantTrailers').
    stream.respond(this.head(status, headers, contentType), { waitForTrailers: true });
    stream.once("wantTrailers", () => {
      const trailers = this.trailers;
      // No trailers: node ends the stream with an empty DATA frame carrying END_STREAM.
      stream.sendTrailers(trailers === undefined ? {} : headerObject(trailers));
    });
    return this;
  }

  write(chunk: Buffer | string): Promise<void> {
    const stream = this.h2;
    // Writes after a reset are dropped; the producer sees `aborted` between chunks.
    if (stream.destroyed) return RESOLVED;
    if (stream.write(chunk)) return RESOLVED;
    return new Promise((resolve) => {
      const onDone = () => {
        stream.off("drain", onDone);
        stream.off("close", onDone);
        resolve();
      };
      stream.on("drain", onDone);
      stream.on("close", onDone);
    });
  }

  end(trailers?: HeaderPairs): void {
    this.trailers = trailers;
    if (!this.h2.destroyed) this.h2.end();
  }

  earlyHints(headers: HeaderPairs): void {
    const stream = this.h2;
    if (!stream.destroyed && !stream.headersSent)
      stream.additionalHeaders(headerObject(headers, { ":status": 103 }));
  }

  push(path: string, headers: HeaderPairs): boolean {
    const stream = this.h2;
    // pushAllowed is false once the client sent SETTINGS_ENABLE_PUSH 0, and on a pushed stream.
    if (stream.destroyed || !stream.pushAllowed || stream.session?.closed !== false) return false;
    const request = headerObject(headers, { ":method": "GET", ":path": path });
    stream.pushStream(request, (error, pushed, pushedHeaders) => {
      // The session went away, or the client's concurrency limit was reached: the push is dropped.
      if (error !== null) return;
      pushed.on("error", () => undefined);
      this.target.servePush(pushed, pushedHeaders as Record<string, string | string[]>);
    });
    return true;
  }

  private head(status: number, headers: HeaderPairs, contentType: string | undefined): OutgoingHttpHeaders {
    const head: OutgoingHttpHeaders = { [constants.HTTP2_HEADER_STATUS]: status };
    if (contentType !== undefined) head["content-type"] = contentType;
    return headerObject(headers, head);
  }
}
