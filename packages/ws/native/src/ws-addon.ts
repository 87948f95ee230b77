// The shape of the compiled WebSocket addon (build/Release/fasterapi_ws.node) and its loader.
// Types only describe the native functions; the protocol logic lives in C++ (src/*.cc).
import { type EngineApiHandle, loadAddon, type ProtocolHandle, platformPackage } from "@fasterapi/native";

export interface WsCallbacks {
  /**
   * The events of one event-loop turn, from every socket: `meta` holds EVENT_WORDS uint32 per
   * event (kind, handleLo, handleHi, arg, bytesOff, bytesLen) whose bytes are in `bytes`.
   */
  onEvents(meta: ArrayBuffer, bytes: Buffer): void;
}

export interface WsProtocolOptions {
  /** Largest message in bytes, after inflation (at most 2^31 - 1); larger ones close with 1009. */
  maxPayload: number;
  /** Silence before an automatic ping, then as long again before closing; 0 disables. */
  idleTimeoutMs: number;
  /** Bytes a socket may have queued before sends answer SEND_DROPPED. */
  maxBackpressure: number;
  /** Terminate the socket instead of dropping, past maxBackpressure. */
  closeOnBackpressureLimit: boolean;
  /** A deflater per socket keeping its window (when the peer allows), else one shared without. */
  dedicatedCompressor: boolean;
}

export interface WsProtocolStats {
  open: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  dropped: number;
}

/** One protocol module instance: the external HTTP/1.1 hands connections to, and the socket operations. */
export interface WsProtocol {
  readonly protocol: ProtocolHandle;
  /** A SEND_* result. */
  send(handle: number, payload: Buffer | string, binary: boolean, compress: boolean): number;
  ping(handle: number, payload: Buffer | string): void;
  /** Starts the closing handshake with a code an endpoint may send and a reason of at most 123 bytes. */
  close(handle: number, code: number, reason: Buffer | string): void;
  terminate(handle: number): void;
  subscribe(handle: number, topic: string): boolean;
  unsubscribe(handle: number, topic: string): boolean;
  isSubscribed(handle: number, topic: string): boolean;
  /** Frames the message once for every subscriber of `topic` but `exceptHandle` (-1: none); returns deliveries. */
  publish(
    topic: string,
    payload: Buffer | string,
    binary: boolean,
    compress: boolean,
    exceptHandle: number,
  ): number;
  subscriberCount(topic: string): number;
  bufferedAmount(handle: number): number;
  stats(): WsProtocolStats;
}

export interface WsAddon {
  createProtocol(engineApi: EngineApiHandle, callbacks: WsCallbacks, options: WsProtocolOptions): WsProtocol;
}

let cached: WsAddon | null | undefined;

/**
 * Loads the addon once: the local build (build/Release, or build-sanitize/ when
 * FASTERAPI_SANITIZE=1), then the prebuilt platform package; null means "use the JS path".
 */
export function loadWsAddon(): WsAddon | null {
  if (cached === undefined) {
    cached = loadAddon<WsAddon>({
      name: "fasterapi_ws",
      localBuildDir: new URL("..", import.meta.url),
      prebuiltPackage: platformPackage("@fasterapi/ws-native"),
    });
  }
  return cached;
}
