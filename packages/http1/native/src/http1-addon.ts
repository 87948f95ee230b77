// The shape of the compiled HTTP/1.1 addon (build/Release/fasterapi_http1.node) and its loader.
// Types only describe the native functions; the protocol logic lives in C++ (src/*.cc).
import { type EngineApiHandle, loadAddon, type ProtocolHandle, platformPackage } from "@fasterapi/native";

/** Events the addon sends to JavaScript (one call per batch, body read or drain). */
export interface Http1Callbacks {
  /**
   * The requests parsed during one event-loop turn, from every connection: `metaWords` uint32
   * starting at word `metaAt` of the current request slab, as groups (GROUP_HEADER_WORDS: handleLo,
   * handleHi, count, then `count` records of RECORD_FIXED_WORDS words plus 4 per header: seq,
   * flags (FLAG_*), clLo, clHi, methodOff, methodLen, pathOff, pathLen, nHeaders, then nameOff,
   * nameLen, valueOff, valueLen per header) whose spans point at head bytes in the same slab.
   * `slab` is passed when a new slab replaces the current one (this batch is in it). Slabs are
   * append-only: what a batch wrote there never changes.
   */
  onRequests(metaAt: number, metaWords: number, slab: ArrayBuffer | undefined): void;
  /**
   * Body bytes of request `seq` (or undefined) and BODY_* event flags; returns whether to keep
   * reading. With the BODY_END of a chunked body that had trailer fields, `trailers` is its
   * trailer section as received and validated: one "name: value\r\n" line per field.
   */
  onBody(handle: number, seq: number, chunk: Buffer | undefined, events: number, trailers?: string): boolean;
  /** The connection's write queue drained below its low-water mark. */
  onDrain(handle: number): void;
  /** A connection that carried at least one request closed (aborting whatever was still owed). */
  onClosed(handle: number): void;
}

/** Limits and timeouts of one protocol instance; @fasterapi/http1 resolves and passes every one. */
export interface Http1ProtocolOptions {
  maxHeaderBytes: number;
  maxRequestLine: number;
  maxHeaders: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxRequestsPerSocket: number;
  requestTimeoutMs: number;
}

export interface Http1ProtocolStats {
  connections: number;
  activeConnections: number;
  requests: number;
  bytesIn: number;
  bytesOut: number;
  parseErrors: number;
}

/** One protocol module instance: the external the engine takes, and the functions JS answers with. */
export interface Http1Protocol {
  readonly protocol: ProtocolHandle;
  /**
   * The whole answer: status line, `contentType` (if any), `headers` (if any: flat pairs) and the
   * body, which the module frames (Content-Length from the body; none for HEAD's bytes or a status
   * without content). `joined` (optional) is `headers.join("\0")`: one string conversion instead of
   * two per element. Returns false when the client is gone.
   */
  send(
    handle: number,
    seq: number,
    status: number,
    body: Buffer | string | null,
    contentType?: string,
    headers?: string[],
    joined?: string,
  ): boolean;
  /** Starts a chunked answer (send()'s head arguments); write() and end() follow. */
  writeHead(
    handle: number,
    seq: number,
    status: number,
    contentType?: string,
    headers?: string[],
    joined?: string,
  ): boolean;
  /** A 103 Early Hints head (send()'s header arguments) ahead of the answer; false once it started. */
  earlyHints(handle: number, seq: number, headers: string[], joined?: string): boolean;
  /** 1: write more now; 0: wait for onDrain; -1: the connection is gone. */
  write(handle: number, seq: number, chunk: Buffer): number;
  /**
   * Ends a streamed answer; a chunked one carries `trailers` ([name, value, ...], `joined` as in
   * send()) in its last chunk. Throws a TypeError for a bad or forbidden (RFC 9110 6.5.1) trailer.
   */
  end(handle: number, seq: number, trailers?: string[], joined?: string): boolean;
  /** A READ_BODY_* result: the body starts flowing to onBody, Content-Length is over `limit`, or gone. */
  readBody(handle: number, seq: number, limit: number): number;
  resumeBody(handle: number): void;
  /**
   * Answers Upgrade request `seq` (FLAG_UPGRADE) with a 101 head (`Upgrade: upgradeToken`,
   * `Connection: Upgrade`, then `headers`: flat pairs) and hands the connection, with the bytes
   * behind the request, to `protocol` (another module, e.g. @fasterapi/ws-native) with `handoff`.
   * Until then the module parses nothing behind the request; any other answer resumes HTTP/1.1.
   * False when `seq` is not an Upgrade request awaiting its answer or the client is gone.
   */
  upgrade(
    handle: number,
    seq: number,
    protocol: ProtocolHandle,
    handoff: Buffer,
    upgradeToken: string,
    headers?: string[],
  ): boolean;
  remoteAddress(handle: number): string;
  stats(): Http1ProtocolStats;
}

export interface Http1Addon {
  createProtocol(
    engineApi: EngineApiHandle,
    callbacks: Http1Callbacks,
    options: Http1ProtocolOptions,
  ): Http1Protocol;
}

let cached: Http1Addon | null | undefined;

/**
 * Loads the addon once: the local build (build/Release, or build-sanitize/ when
 * FASTERAPI_SANITIZE=1), then the prebuilt platform package; null means "use the JS path"
 * (@fasterapi/native logs one line saying so, and throws instead when FASTERAPI_NATIVE=1).
 */
export function loadHttp1Addon(): Http1Addon | null {
  if (cached === undefined) {
    cached = loadAddon<Http1Addon>({
      name: "fasterapi_http1",
      localBuildDir: new URL("..", import.meta.url),
      prebuiltPackage: platformPackage("@fasterapi/http1-native"),
    });
  }
  return cached;
}
