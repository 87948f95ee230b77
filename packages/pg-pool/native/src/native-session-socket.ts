// PostgreSQL session sockets served by the C++ engine. pg-pool connects, negotiates and
// authenticates with a net.Socket, then hands the connected descriptor to the engine
// (adoptSessionSocket). From then on each read reaches JS as a view of an append-only slab in
// one call, and writes go straight into the engine's corked queue: no stream machinery, no
// ArrayBuffer per read, one crossing per read.
import type { Socket } from "node:net";
import { Engine, loadEngineAddon } from "@fasterapi/native";
import { CLOSE_REASON_ERROR, loadWireAddon, type WireAddon, type WireProtocol } from "./pgwire-addon.js";

/** What a session socket reports: every read in order, then one close. */
export interface SessionSocketEvents {
  data(chunk: Buffer): void;
  /** `error` is set when the socket failed (reset, write error), unset when either side closed it. */
  close(error: Error | undefined): void;
}

/** One engine and one protocol module per thread, shared by every adopted session. */
class WireHost {
  readonly sessions = new Map<number, NativeSessionSocket>();
  readonly wire: WireProtocol;
  private slab = new ArrayBuffer(0);

  constructor(
    readonly engine: Engine,
    addon: WireAddon,
  ) {
    this.wire = addon.createWireProtocol(engine.api, {
      onData: (id, offset, length, slab) => {
        if (slab !== undefined) this.slab = slab;
        this.sessions.get(id)?.events.data(Buffer.from(this.slab, offset, length));
      },
      onDrain: (id) => this.sessions.get(id)?.drainedNow(),
      onClosed: (id, reason) => {
        const session = this.sessions.get(id);
        this.sessions.delete(id);
        session?.closedNow(
          reason === CLOSE_REASON_ERROR
            ? new Error("the connection failed (reset or socket error)")
            : undefined,
        );
      },
    });
  }
}

let host: WireHost | null | undefined;

/** This thread's host, or null when an addon is missing (each loader throws instead under FASTERAPI_NATIVE=1). */
function wireHost(): WireHost | null {
  if (host === undefined) {
    const addon = loadWireAddon();
    const engineAddon = addon === null ? null : loadEngineAddon();
    host = addon !== null && engineAddon !== null ? new WireHost(new Engine(engineAddon), addon) : null;
  }
  return host;
}

/** Whether session sockets can be handed to the engine on this thread (both addons load). */
export function nativeSessionSocketsAvailable(): boolean {
  return wireHost() !== null;
}

/** A session socket owned by the engine, with the calls pg-pool's connection makes on a net.Socket. */
export class NativeSessionSocket {
  private needsDrain = false;
  private closed = false;
  private drainWaiters: Array<() => void> = [];

  constructor(
    private readonly host: WireHost,
    private readonly id: number,
    readonly events: SessionSocketEvents,
  ) {}

  /** Queues `bytes`; false when the queue is over its high-water mark (wait for drained()). */
  write(bytes: Uint8Array): boolean {
    const status = this.host.wire.write(this.id, bytes);
    if (status === 0) this.needsDrain = true;
    return status !== 0;
  }

  /** Resolves once the write queue drained below its low-water mark, or the socket closed. */
  drained(): Promise<void> {
    if (this.closed || !this.needsDrain) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  pause(): void {
    this.host.wire.pauseReading(this.id);
  }

  resume(): void {
    this.host.wire.resumeReading(this.id);
  }

  /** Sends `last` (if any) after everything queued, then closes the socket (FIN). */
  end(last?: Uint8Array): void {
    if (last !== undefined) this.write(last);
    this.host.wire.close(this.id, true);
  }

  /** Closes the socket at once (RST), dropping queued bytes. */
  destroy(): void {
    this.host.wire.close(this.id, false);
  }

  /** @internal the engine's write queue drained. */
  drainedNow(): void {
    this.needsDrain = false;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** @internal the engine closed the socket. */
  closedNow(error: Error | undefined): void {
    this.closed = true;
    this.drainedNow();
    this.events.close(error);
  }
}

interface NodeStreamHandle {
  fd?: number;
  readStop?(): number;
  readStart?(): number;
}

/**
 * Hands a connected, idle, unencrypted net.Socket (TCP or Unix) to the engine and destroys it;
 * `events` get everything read from then on (bytes Node had already read but not delivered
 * come first). Returns null, leaving the socket as it was, when the addons are unavailable or
 * the socket has no descriptor of its own (TLS).
 */
export function adoptSessionSocket(socket: Socket, events: SessionSocketEvents): NativeSessionSocket | null {
  const wireHostNow = wireHost();
  const handle = (socket as unknown as { _handle?: NodeStreamHandle })._handle;
  const fd = handle?.fd;
  if (wireHostNow === null || handle === undefined || typeof fd !== "number" || fd < 0) return null;
  handle.readStop?.();
  const unread = socket.read() as Buffer | null;
  let id: number;
  try {
    id = wireHostNow.engine.adopt(fd, wireHostNow.wire.protocol);
  } catch {
    if (unread !== null) socket.unshift(unread);
    handle.readStart?.();
    return null;
  }
  const session = new NativeSessionSocket(wireHostNow, id, events);
  wireHostNow.sessions.set(id, session);
  // The engine has its own duplicate of the descriptor: closing Node's ends nothing on the wire.
  socket.destroy();
  if (unread !== null) queueMicrotask(() => events.data(unread));
  return session;
}
