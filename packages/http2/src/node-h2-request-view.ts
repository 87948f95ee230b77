// Core's RequestView over one node:http2 server stream: method and path from the pseudo-headers,
// headers materialised on first use (":authority" shows as "host", as RFC 9113 8.3.1 maps it), and
// the body read in paused mode so node withholds WINDOW_UPDATE while core is not reading: HTTP/2
// flow control follows the handler's pace. It does not answer the request.
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { BodyLimitError, type RequestView } from "@fasterapi/core";

const EMPTY_BODY = Buffer.alloc(0);
const NO_TRAILERS: Record<string, string | string[]> = Object.freeze({}) as Record<string, string | string[]>;

/**
 * Settles when the stream has more to read or emitted 'end' (which follows the read() that found
 * the end); fails when it closed (reset) before its end.
 */
function nextChunkReady(stream: ServerHttp2Stream): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      stream.off("readable", onReady);
      stream.off("end", onReady);
      stream.off("close", onClose);
    };
    const onReady = () => {
      done();
      resolve();
    };
    const onClose = () => {
      done();
      if (stream.readableEnded) resolve();
      else reject(new Error("the client reset the stream before the request body was complete"));
    };
    stream.once("readable", onReady);
    stream.once("end", onReady);
    stream.once("close", onClose);
  });
}

export class H2RequestView implements RequestView {
  readonly method: string;
  readonly url: string;
  readonly hasBody: boolean;
  readonly protocol = "h2";
  private readonly stream: ServerHttp2Stream;
  private readonly raw: IncomingHttpHeaders;
  private materialised: Record<string, string | string[]> | undefined;
  private received: Record<string, string | string[]> = NO_TRAILERS;
  /** The client sent `expect: 100-continue` and no 100 has gone out yet. */
  private continuePending: boolean;

  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, endStream: boolean) {
    this.stream = stream;
    this.raw = headers;
    this.method = headers[":method"] as string;
    // node refuses a request without :path (except CONNECT, whose target is :authority).
    this.url = (headers[":path"] as string | undefined) ?? "/";
    this.hasBody = !endStream;
    this.continuePending = !endStream && headers.expect === "100-continue";
    if (!endStream) {
      stream.once("trailers", (trailers: IncomingHttpHeaders) => {
        this.received = trailers as Record<string, string | string[]>;
      });
    }
  }

  get remoteAddress(): string {
    return this.stream.session?.socket?.remoteAddress ?? "";
  }

  header(name: string): string | undefined {
    const value = name === "host" ? (this.raw[":authority"] ?? this.raw.host) : this.raw[name];
    return typeof value === "string" || value === undefined ? value : value[0];
  }

  headers(): Record<string, string | string[]> {
    if (this.materialised !== undefined) return this.materialised;
    const out: Record<string, string | string[]> = {};
    const raw = this.raw;
    for (const name in raw) {
      // Pseudo-headers are the request line's, already in method and url.
      if (name.charCodeAt(0) === 58 /* ":" */) continue;
      out[name] = raw[name] as string | string[];
    }
    const authority = raw[":authority"];
    if (authority !== undefined && out.host === undefined) out.host = authority;
    this.materialised = out;
    return out;
  }

  trailers(): Record<string, string | string[]> {
    return this.received;
  }

  async body(limit: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.bodyStream(limit)) chunks.push(chunk);
    if (chunks.length === 1) return chunks[0] as Buffer;
    return chunks.length === 0 ? EMPTY_BODY : Buffer.concat(chunks);
  }

  async *bodyStream(limit: number): AsyncIterable<Buffer> {
    if (!this.hasBody) return;
    const declared = this.raw["content-length"];
    if (declared !== undefined && Number(declared) > limit) throw this.overLimit(limit);
    if (this.continuePending) {
      this.continuePending = false;
      this.stream.additionalHeaders({ ":status": 100 });
    }
    const stream = this.stream;
    let received = 0;
    for (;;) {
      let chunk: Buffer | null = stream.read();
      while (chunk !== null) {
        received += chunk.length;
        if (received > limit) throw this.overLimit(limit);
        yield chunk;
        chunk = stream.read();
      }
      if (stream.readableEnded) return;
      await nextChunkReady(stream);
    }
  }

  onAbort(callback: () => void): void {
    const stream = this.stream;
    stream.once("close", () => {
      if (stream.rstCode !== constants.NGHTTP2_NO_ERROR || !stream.writableFinished) callback();
    });
  }

  /**
   * The rest of the body will not be read: RST_STREAM(NO_ERROR) after the answer tells the client
   * to stop sending (RFC 9113 8.1), and stops the stream's window from holding connection credit.
   */
  private overLimit(limit: number): BodyLimitError {
    this.stream.once("finish", () => this.stream.close(constants.NGHTTP2_NO_ERROR));
    return new BodyLimitError(limit);
  }
}
