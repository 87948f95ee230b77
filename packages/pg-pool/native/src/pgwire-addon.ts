// The shape of the compiled session-socket addon (build/Release/fasterapi_pgwire.node) and its
// loader. Types only describe the native functions; the C++ side is src/*.cc.
import { type EngineApiHandle, loadAddon, type ProtocolHandle, platformPackage } from "@fasterapi/native";

/** Events the addon sends to JavaScript, each naming the session by its engine connection id. */
export interface WireCallbacks {
  /** One socket read: `length` bytes at `offset` of the current slab (`slab` is passed when it was replaced). */
  onData(id: number, offset: number, length: number, slab: ArrayBuffer | undefined): void;
  /** The session's write queue drained below its low-water mark. */
  onDrain(id: number): void;
  /** The socket is gone; `reason` is the engine's fa_close_reason (see CLOSE_REASON_*). */
  onClosed(id: number, reason: number): void;
}

export interface WireProtocol {
  readonly protocol: ProtocolHandle;
  /** 1: keep writing; 0: queued, but wait for onDrain; -1: the session is gone. */
  write(id: number, bytes: Uint8Array): number;
  pauseReading(id: number): void;
  resumeReading(id: number): void;
  /** graceful: flush queued bytes, then FIN; otherwise reset now. */
  close(id: number, graceful: boolean): void;
}

export interface WireAddon {
  createWireProtocol(engineApi: EngineApiHandle, callbacks: WireCallbacks): WireProtocol;
}

/** fa_close_reason FA_CLOSE_REASON_ERROR (engine_abi.h; test/abi-constants.test.ts checks it): a socket or TLS error. */
export const CLOSE_REASON_ERROR = 2;

let cached: WireAddon | null | undefined;

/**
 * Loads the addon once: the local build, then the prebuilt platform package; null means "use
 * net.Socket" (@fasterapi/native logs one line saying so, and throws when FASTERAPI_NATIVE=1).
 */
export function loadWireAddon(): WireAddon | null {
  if (cached === undefined) {
    cached = loadAddon<WireAddon>({
      name: "fasterapi_pgwire",
      localBuildDir: new URL("..", import.meta.url),
      prebuiltPackage: platformPackage("@fasterapi/pg-pool-native"),
    });
  }
  return cached;
}
