// The shape of the compiled HTTP/2 addon (build/Release/fasterapi_http2.node) and its loader.
// Types only describe the native functions; the protocol logic lives in C++ (src/*.cc).
import { type EngineApiHandle, loadAddon, type ProtocolHandle, platformPackage } from "@fasterapi/native";

/** Events the addon sends to JavaScript. */
export interface Http2Callbacks {
  /**
   * Every stream whose request headers completed during one event-loop turn, from every
   * connection, as one flat array of RECORD_WORDS entries per stream: handle, streamId, hasBody
   * (0/1), :method, :path, and all fields (pseudo-headers first, lower-case names, latin1) as one
   * "name\0value\0..." string.
   */
  onRequests(records: (number | string)[]): void;
  /**
   * Body bytes of a stream (or undefined), BODY_* event flags and, with BODY_END, the request's
   * trailer fields as [name, value, ...] when it had any. Returns whether to keep reading.
   */
  onBody(
    handle: number,
    streamId: number,
    chunk: Buffer | undefined,
    events: number,
    trailers?: string[],
  ): boolean;
  /** A streamed answer that was told to wait may write again. */
  onDrain(handle: number, streamId: number): void;
  /** A stream JS knows ended before its answer (or its body) completed: reset, or the connection closed. */
  onStreamClosed(handle: number, streamId: number): void;
}

/** Settings and bounds of one protocol instance; @fasterapi/http2 resolves and passes every one. */
export interface Http2ProtocolOptions {
  maxConcurrentStreams: number;
  initialWindowSize: number;
  connectionWindowSize: number;
  maxFrameSize: number;
  maxHeaderListSize: number;
  headerTableSize: number;
  idleTimeoutMs: number;
  settingsTimeoutMs: number;
  /** Bytes nghttp2 may hold for one connection (frames, HPACK tables, streams). */
  maxSessionMemory: number;
  maxResetsPerSecond: number;
}

export interface Http2ProtocolStats {
  connections: number;
  activeConnections: number;
  requests: number;
  /** Crossings into JS with requests: one per loop turn that completed any (see onRequests). */
  batches: number;
  bytesIn: number;
  bytesOut: number;
  protocolErrors: number;
  /** Connections the defences ended with GOAWAY ENHANCE_YOUR_CALM. */
  calmGoaways: number;
  /** Connections ended for too many resets, the client's (rapid reset) or the server's (MadeYouReset). */
  resetFloods: number;
  /** Connections ended because the client did not acknowledge SETTINGS in time. */
  settingsTimeouts: number;
  pushes: number;
}

/** One protocol module instance: the external the engine takes, and the functions JS answers with. */
export interface Http2Protocol {
  readonly protocol: ProtocolHandle;
  /** The whole answer (HEADERS, DATA with END_STREAM); the module adds content-length. False: the stream is gone. */
  send(
    handle: number,
    streamId: number,
    status: number,
    body: Buffer | string | null,
    contentType?: string,
    headers?: string[],
  ): boolean;
  /** Starts a streamed answer; write() and end() follow. */
  writeHead(
    handle: number,
    streamId: number,
    status: number,
    contentType?: string,
    headers?: string[],
  ): boolean;
  /** A 103 Early Hints HEADERS frame ahead of the answer. */
  earlyHints(handle: number, streamId: number, headers: string[]): boolean;
  /** Server push: promises GET `path` on the stream; the pushed request arrives through onRequests. */
  push(handle: number, streamId: number, path: string, headers: string[]): boolean;
  /** 1: write more now; 0: wait for onDrain; -1: the stream is gone. */
  write(handle: number, streamId: number, chunk: Buffer): number;
  /** Ends a streamed answer, with trailing HEADERS when `trailers` has fields. */
  end(handle: number, streamId: number, trailers?: string[]): boolean;
  /** A READ_BODY_* result: the body starts flowing to onBody, content-length is over `limit`, or gone. */
  readBody(handle: number, streamId: number, limit: number): number;
  resumeBody(handle: number, streamId: number): void;
  remoteAddress(handle: number): string;
  stats(): Http2ProtocolStats;
}

export interface Http2Addon {
  createProtocol(
    engineApi: EngineApiHandle,
    callbacks: Http2Callbacks,
    options: Http2ProtocolOptions,
  ): Http2Protocol;
  /**
   * The address nghttp2_session_mem_recv resolved to when the addon loaded: inside the node
   * executable (whose copy is process.versions.nghttp2), since the addon links no libnghttp2.
   */
  nghttp2Address(): number;
}

let cached: Http2Addon | null | undefined;

/**
 * Loads the addon once: the local build (build/Release, or build-sanitize/ when
 * FASTERAPI_SANITIZE=1), then the prebuilt platform package; null means "use the JS path".
 */
export function loadHttp2Addon(): Http2Addon | null {
  if (cached === undefined) {
    cached = loadAddon<Http2Addon>({
      name: "fasterapi_http2",
      localBuildDir: new URL("..", import.meta.url),
      prebuiltPackage: platformPackage("@fasterapi/http2-native"),
    });
  }
  return cached;
}
