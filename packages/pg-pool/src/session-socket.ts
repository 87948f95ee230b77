// The socket an authenticated session runs on, behind one interface: the C++ engine's
// (@fasterapi/pg-pool-native, adopted from the handshake's net.Socket) or the net.Socket itself,
// its JS twin. The engine is the default because it costs about a quarter less CPU per query
// and `pnpm bench pg` measures it as fast or faster on lookups; TLS sessions stay on Node's TLS socket.
import type { Socket } from "node:net";
import { nativeMode } from "@fasterapi/native";
import { adoptSessionSocket, type SessionSocketEvents } from "@fasterapi/pg-pool-native";
import type { ConnectionConfig } from "./config.js";
import type { Session } from "./handshake.js";

export type { SessionSocketEvents };

export interface SessionSocket {
  /** Queues `bytes`; false when the caller should wait for drained() before writing more. */
  write(bytes: Uint8Array): boolean;
  /** Resolves once queued bytes drained (or the socket closed). */
  drained(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Sends `last` after everything queued, then closes. */
  end(last?: Uint8Array): void;
  /** Closes now, dropping queued bytes. */
  destroy(): void;
}

/** The JS twin: the handshake's net.Socket (or TLS socket), as it is. */
class NodeSessionSocket implements SessionSocket {
  constructor(
    private readonly socket: Socket,
    events: SessionSocketEvents,
  ) {
    let failure: Error | undefined;
    socket.on("data", events.data);
    socket.on("error", (error) => {
      failure ??= error;
    });
    socket.on("close", () => events.close(failure));
    socket.resume();
  }

  write(bytes: Uint8Array): boolean {
    return this.socket.write(bytes);
  }

  drained(): Promise<void> {
    if (this.socket.destroyed || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off("drain", done);
        this.socket.off("close", done);
        resolve();
      };
      this.socket.on("drain", done);
      this.socket.on("close", done);
    });
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(last?: Uint8Array): void {
    if (last === undefined) this.socket.end();
    else this.socket.end(last);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Which socket a session runs on: the C++ engine's ("native") or the net.Socket ("js"). */
export type SessionSocketKind = "native" | "js";

export function sessionSocketKind(socket: SessionSocket): SessionSocketKind {
  return socket instanceof NodeSessionSocket ? "js" : "native";
}

/** Takes over `session`'s socket: the engine's when allowed and available, else the net.Socket. */
export function openSessionSocket(
  session: Session,
  config: ConnectionConfig,
  events: SessionSocketEvents,
): SessionSocket {
  const wanted = config.native ?? (nativeMode() === "js" ? false : undefined);
  if (wanted !== false && !session.encrypted) {
    let native: SessionSocket | null;
    try {
      native = adoptSessionSocket(session.socket, events);
    } catch (error) {
      // FASTERAPI_NATIVE=1 and an addon failed to load.
      session.socket.destroy();
      throw error;
    }
    if (native !== null) return native;
    if (wanted === true) {
      session.socket.destroy();
      throw new Error(
        "pg-pool: { native: true } needs the native addons (@fasterapi/native and @fasterapi/pg-pool-native); build them with `pnpm build:native`",
      );
    }
  }
  return new NodeSessionSocket(session.socket, events);
}
