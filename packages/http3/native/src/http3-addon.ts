// The shape of the compiled HTTP/3 addon (build/Release/fasterapi_http3.node) and its loader.
// Types only describe the native functions; the protocol logic lives in C++ (src/*.cc).
import { type EngineApiHandle, loadAddon, platformPackage, type UdpProtocolHandle } from "@fasterapi/native";

/** Event kinds in `Http3Callbacks.onEvents` (EventKind in h3_server.h). */
export const EVENT_REQUEST = 0;
export const EVENT_BODY = 1;
export const EVENT_DRAIN = 2;
export const EVENT_CLOSED = 3;

export interface Http3Callbacks {
  /**
   * Everything one datagram batch (or timer, or end of turn) produced. `words` holds three
   * numbers per event: `kind * 2 + flag`, conn, stream. `values` holds, in order, what the
   * events of two kinds carry:
   * - EVENT_REQUEST: its head as one latin1 string, "method\0path\0headers", the headers as
   *   "name\0value\0..." (host from :authority); flag = a body follows.
   * - EVENT_BODY: the chunk (a Buffer, or undefined); flag = the body ended.
   * - EVENT_DRAIN: nothing; a streamed response may write again.
   * - EVENT_CLOSED: nothing; the stream is gone; flag = its response had not completed.
   */
  onEvents(words: Float64Array, values: unknown[]): void;
}

/** Limits of one server; @fasterapi/http3 resolves and passes every one. */
export interface Http3ServerOptions {
  maxStreams: number;
  streamWindow: number;
  connectionWindow: number;
  idleTimeoutMs: number;
  maxHeaderBytes: number;
  /** 0 never, 1 under load (more than retryLoadThreshold connections), 2 always. */
  retry: 0 | 1 | 2;
  retryLoadThreshold: number;
  maxConnections: number;
  qpackTableCapacity: number;
  qpackBlockedStreams: number;
}

export interface Http3ServerStats {
  connections: number;
  activeConnections: number;
  requests: number;
  bytesIn: number;
  bytesOut: number;
  versionNegotiations: number;
  retries: number;
  statelessResets: number;
  droppedDatagrams: number;
  handshakeFailures: number;
}

/** One server: the UDP protocol the engine binds, and the functions JS answers with. */
export interface Http3Server {
  readonly protocol: UdpProtocolHandle;
  /**
   * The response head (and, unless `streamed`, the whole body; the module frames content-length).
   * `headers` is "name\0value\0...". `head`: a HEAD request (no body bytes leave). False when gone.
   */
  respond(
    conn: number,
    stream: number,
    status: number,
    body: Buffer | string | null,
    contentType: string,
    headers: string,
    streamed: boolean,
    head: boolean,
  ): boolean;
  /** 1: write more now; 0: wait for EVENT_DRAIN; -1: the stream is gone. */
  write(conn: number, stream: number, chunk: Buffer): number;
  end(conn: number, stream: number): boolean;
  /** JS took `bytes` of the request body: the peer may send that many more. */
  consume(conn: number, stream: number, bytes: number): void;
  stopReading(conn: number, stream: number): void;
  reset(conn: number, stream: number): void;
  remoteAddress(conn: number): string;
  stats(): Http3ServerStats;
}

export interface Http3Addon {
  createServer(
    engineApi: EngineApiHandle,
    callbacks: Http3Callbacks,
    options: Http3ServerOptions,
    key: string,
    cert: string,
  ): Http3Server;
}

let cached: Http3Addon | null | undefined;

/**
 * Loads the addon once: the local build (build/Release, or build-sanitize/ when
 * FASTERAPI_SANITIZE=1), then the prebuilt platform package; null when neither loads (HTTP/3 has
 * no JS twin: @fasterapi/http3 then fails at listen() with a message saying so).
 */
export function loadHttp3Addon(): Http3Addon | null {
  if (cached === undefined) {
    cached = loadAddon<Http3Addon>({
      name: "fasterapi_http3",
      localBuildDir: new URL("..", import.meta.url),
      prebuiltPackage: platformPackage("@fasterapi/http3-native"),
    });
  }
  return cached;
}
