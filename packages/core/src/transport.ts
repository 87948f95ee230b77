// The one seam between core and the transports (node:http, the C++ engine, HTTP/2, HTTP/3).
// A transport owns sockets and framing; core owns everything between "a request arrived" and
// "these bytes answer it". The shapes are chosen so a native transport crosses N-API once in
// (a RequestView over its parsed request) and once out (ResponseSink.send with status, headers, body).
// Framing is the transport's alone: it tells core whether a body follows (RequestView.hasBody) and
// writes Content-Length itself; core names the content type and never relies on a header's position.

/**
 * Response header list: flat pairs keep the crossing to native code to one array. Order carries no
 * meaning; framing headers (content-length, transfer-encoding, connection) are the transport's.
 * Read-only for transports: core passes one shared empty list when a reply has no headers of its own.
 */
export type HeaderPairs = string[]; // [name0, value0, name1, value1, ...], names lower-case

/** A parsed request, materialised lazily: headers and body are produced only when asked for. */
export interface RequestView {
  /** Upper-case method, e.g. "GET". */
  readonly method: string;
  /** Request target as sent (origin-form path plus `?query`; absolute-form reduced to path). */
  readonly url: string;
  /** "http/1.1", "h2", "h3" ... */
  readonly protocol: string;
  /** Peer address, as text. */
  readonly remoteAddress: string;
  /**
   * Whether request content follows the head, as the framing says (HTTP/1.1 Content-Length > 0 or
   * Transfer-Encoding, HTTP/2 no END_STREAM on HEADERS, HTTP/3 no FIN). Core reads bodies only then
   * for methods where a body is optional.
   */
  readonly hasBody: boolean;
  /** First value of a header, by lower-case name. */
  header(name: string): string | undefined;
  /** All headers, lower-case names; repeated headers joined per RFC 9110 (set-cookie kept as array). */
  headers(): Record<string, string | string[]>;
  /**
   * The whole body. Rejects with `BodyLimitError` (from this module) once more than `limit`
   * bytes arrive, and the transport stops reading. Resolves to an empty buffer when there is none.
   */
  body(limit: number): Promise<Buffer>;
  /** The body as a stream of chunks, with the same limit behaviour as `body`. */
  bodyStream(limit: number): AsyncIterable<Buffer>;
  /** Registers a callback for a client that goes away before the response is complete. */
  onAbort(callback: () => void): void;
  /**
   * Trailer fields that followed the body (HTTP/1.1 chunked trailers, HTTP/2 trailing HEADERS),
   * lower-case names; empty until the body has been read to its end. Optional for transports.
   */
  trailers?(): Record<string, string | string[]>;
}

/** A streamed response in progress. */
export interface ResponseStream {
  /** Queues a chunk; the promise resolves once the transport can take more (backpressure). */
  write(chunk: Buffer | string): Promise<void>;
  /**
   * Ends the response (zero-length chunk for HTTP/1.1 chunked encoding), with trailer fields when
   * `trailers` is given and the protocol carries them (HTTP/1.1 chunked, HTTP/2 trailing HEADERS).
   */
  end(trailers?: HeaderPairs): void;
}

/** Where core writes the answer. Exactly one of `send` or `stream` is called per request. */
export interface ResponseSink {
  /**
   * Status line, headers and the whole body in one call (one crossing for native transports).
   * `contentType` is the Content-Type, when there is one. The transport frames the answer: it
   * derives Content-Length from `body`, sends none for a status without content (1xx, 204, 304),
   * and for HEAD announces the length of the `body` core passes without sending its bytes (with a
   * null body, the `content-length` the handler put in `headers`, if any).
   */
  send(status: number, headers: HeaderPairs, body: Buffer | string | null, contentType?: string): void;
  /** Starts a streamed response; the transport picks framing (chunked for HTTP/1.1). */
  stream(status: number, headers: HeaderPairs, contentType?: string): ResponseStream;
  /** Informational 100-continue etc. are the transport's business; this says whether the client left. */
  readonly aborted: boolean;
  /**
   * Sends a 103 Early Hints answer (RFC 8297) with `headers` ahead of the final one. Optional:
   * core skips it, with a debug log, on a transport without it.
   */
  earlyHints?(headers: HeaderPairs): void;
  /**
   * Server push (RFC 9113 8.4): promises a GET of `path` (request headers `headers`) and serves it
   * through the app's handler on the pushed stream. Returns false when the protocol or the client
   * does not take pushes (HTTP/1.1, SETTINGS_ENABLE_PUSH 0, a closing connection). Optional.
   */
  push?(path: string, headers: HeaderPairs): boolean;
}

/** Core's entry point that transports call once per request. */
export type RequestHandler = (request: RequestView, response: ResponseSink) => void;

export interface TransportStats {
  connections: number;
  activeConnections: number;
  requests: number;
  bytesIn: number;
  bytesOut: number;
  [extra: string]: number;
}

export interface TransportAddress {
  host: string;
  port: number;
  /** "http", "https", "h2c" ... */
  scheme: string;
}

/** A transport, registered by its plugin through `app.addTransport`. */
export interface Transport {
  /** Short name shown in stats and logs, e.g. "http1". */
  readonly name: string;
  /** Starts accepting; every parsed request goes to `handler`. */
  listen(handler: RequestHandler): Promise<TransportAddress>;
  /** Stops accepting new connections, lets in-flight requests finish up to `graceMs`, then closes. */
  close(graceMs: number): Promise<void>;
  stats(): TransportStats;
}

/** Raised by `RequestView.body`/`bodyStream` when the body is larger than the limit asked for. */
export class BodyLimitError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`request body exceeds the limit of ${limit} bytes`);
    this.name = "BodyLimitError";
    this.limit = limit;
  }
}
