// The shape of the compiled HTTP/1.1 addon (build/Release/fasterapi_http1.node) and its loader.
// Types only describe the native functions; the protocol logic lives in C++ (src/*.cc).
import { type EngineApiHandle, loadAddon, type ProtocolHandle, platformPackage } from "@fasterapi/native";

/** Events the addon sends to JavaScript (one call per batch, body read or drain). */
export interface Http1Callbacks {
  /**
   * The requests parsed during one event-loop turn, from every connection: `metaWords` uint32
   * starting at word `metaAt` of the current request slab, as groups (handleLo, handleHi, count,
   * then `count` records; see request-record.ts) whose spans point at head bytes in the same slab.
   * `slab` is passed when a new slab replaces the current one (this batch is in it). Slabs are
   * append-only: what a batch wrote there never changes.
   */
  onRequests(metaAt: number, metaWords: number, slab: ArrayBuffer | undefined): void;
  /** Body bytes of request `seq` (or undefined) and BodyEvent flags; returns whether to keep reading. */
  onBody(handle: number, seq: number, chunk: Buffer | undefined, events: number): boolean;
  /** The connection's write queue drained below its low-water mark. */
  onDrain(handle: number): void;
  /** A connection that carried at least one request closed (aborting whatever was still owed). */
  onClosed(handle: number): void;
}

/** Every option, resolved (the addon has no defaults of its own: a missing one is a TypeError). */
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
  /** `joined` (optional) is `headers.join("\0")`: one string conversion instead of two per element. */
  send(
    handle: number,
    seq: number,
    status: number,
    headers: string[],
    body: Buffer | string | null,
    joined?: string,
  ): boolean;
  /** send() for headers that are exactly [content-type, contentType, content-length, contentLength]. */
  sendTyped(
    handle: number,
    seq: number,
    status: number,
    contentType: string,
    contentLength: string,
    body: Buffer | string | null,
  ): boolean;
  writeHead(handle: number, seq: number, status: number, headers: string[], joined?: string): boolean;
  /** 1: write more now; 0: wait for onDrain; -1: the connection is gone. */
  write(handle: number, seq: number, chunk: Buffer): number;
  end(handle: number, seq: number): boolean;
  /** 0: the body starts flowing to onBody; 1: Content-Length is over `limit`; -1: gone. */
  readBody(handle: number, seq: number, limit: number): number;
  resumeBody(handle: number): void;
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

/** BodyEvent flags (mirror of http1_module.h). */
export const BODY_END = 1;
export const BODY_LIMIT = 2;
export const BODY_MALFORMED = 4;
export const BODY_ABORTED = 8;

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
