// The JS backend: WebSocket connections on node:http sockets, spoken by the `ws` library in
// noServer mode. The HTTP/1.1 JS transport hands core an 'upgrade' request (NodeUpgrade); once the
// route approved it, this completes the handshake with the route's subprotocol and reply headers,
// then maps ws events to the shared layer. It adds what ws lacks: maxBackpressure, drain, the idle
// timeout (ping once, then close) and topics.

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { ApprovedUpgrade, SendStatus } from "@fasterapi/core";
import type { NodeUpgrade } from "@fasterapi/http1";
import { type PerMessageDeflateOptions, WebSocket, WebSocketServer } from "ws";
import type {
  BackendContext,
  BackendSocket,
  BackendStats,
  OutgoingMessage,
  WebSocketBackend,
} from "./backend.js";
import { emptyStats } from "./backend-stats.js";
import { payloadLength } from "./outgoing-message.js";
import { TopicRegistry } from "./topic-registry.js";
import type { CompressionMode } from "./ws-options.js";

/** How long close() waits for closing handshakes before it cuts the remaining sockets off. */
const CLOSE_GRACE_MS = 2000;

function deflateOptions(mode: CompressionMode): PerMessageDeflateOptions | false {
  if (mode === "disabled") return false;
  // "shared": no context kept between messages on either side, so no window per socket.
  return mode === "shared" ? { serverNoContextTakeover: true, clientNoContextTakeover: true } : {};
}

function uncork(socket: Duplex): void {
  socket.uncork();
}

class NodeSocket implements BackendSocket {
  readonly remoteAddress: string;
  /** The shared layer's object for this socket. */
  user: unknown = undefined;
  /** A frame arrived since the idle sweep last looked. */
  active = true;
  /** The idle sweep pinged this silent socket and waits for any frame. */
  pinged = false;
  /** A send answered "backpressure": the next drain of the socket is reported. */
  needsDrain = false;
  private readonly backend: NodeBackend;
  readonly ws: WebSocket;
  readonly raw: Duplex;

  constructor(backend: NodeBackend, ws: WebSocket, raw: Duplex, remoteAddress: string) {
    this.backend = backend;
    this.ws = ws;
    this.raw = raw;
    this.remoteAddress = remoteAddress;
  }

  get protocol(): string {
    return this.ws.protocol;
  }
  get extensions(): string {
    return this.ws.extensions;
  }
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(message: OutgoingMessage): SendStatus {
    return this.backend.send(this, message);
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
  terminate(): void {
    this.ws.terminate();
  }
  ping(payload: Buffer): void {
    if (this.isOpen) this.ws.ping(payload);
  }
  subscribe(topic: string): boolean {
    return this.backend.topics.subscribe(this, topic);
  }
  unsubscribe(topic: string): boolean {
    return this.backend.topics.unsubscribe(this, topic);
  }
  isSubscribed(topic: string): boolean {
    return this.backend.topics.isSubscribed(this, topic);
  }
  topics(): string[] {
    return this.backend.topics.topicsOf(this);
  }
}

export class NodeBackend implements WebSocketBackend {
  readonly kind = "node";
  readonly topics: TopicRegistry<NodeSocket>;
  private readonly context: BackendContext;
  private readonly server: WebSocketServer;
  private readonly sockets = new Set<NodeSocket>();
  /** Upgrades between handleUpgrade and its callback, for the subprotocol and the 101's headers. */
  private readonly pending = new WeakMap<IncomingMessage, ApprovedUpgrade>();
  private readonly counters = emptyStats();
  private readonly sweep: ReturnType<typeof setInterval> | undefined;

  constructor(context: BackendContext) {
    this.context = context;
    this.topics = new TopicRegistry(context.topicActivity);
    const options = context.options;
    this.server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayload,
      perMessageDeflate: deflateOptions(options.compression),
      // Core chose the subprotocol (or refused) before approving; ws only writes it.
      handleProtocols: (_offered, req) => this.pending.get(req)?.protocol || false,
    });
    this.server.on("headers", (headers, req) => {
      const extra = this.pending.get(req)?.headers ?? [];
      for (let i = 0; i + 1 < extra.length; i += 2) headers.push(`${extra[i]}: ${extra[i + 1]}`);
    });
    const idle = options.idleTimeoutMs;
    if (idle > 0) {
      this.sweep = setInterval(() => this.sweepIdle(), Math.max(50, idle / 2));
      this.sweep.unref();
    }
  }

  accept(upgrade: ApprovedUpgrade): void {
    const handle = upgrade.request.upgrade as NodeUpgrade;
    const socket = handle.takeOver();
    this.pending.set(handle.req, upgrade);
    this.server.handleUpgrade(handle.req, socket, handle.head, (ws) => {
      this.pending.delete(handle.req);
      this.opened(ws, socket, upgrade);
    });
  }

  send(socket: NodeSocket, message: OutgoingMessage): SendStatus {
    const ws = socket.ws;
    if (ws.readyState !== WebSocket.OPEN) return "dropped";
    const options = this.context.options;
    if (ws.bufferedAmount > options.maxBackpressure) {
      this.counters.dropped++;
      // A peer that stopped reading would never see a close frame queued behind the backlog.
      if (options.closeOnBackpressureLimit) ws.terminate();
      return "dropped";
    }
    // Small messages sent to a socket in one tick (the answers to one read, a burst of publishes)
    // leave in one writev instead of a syscall each. A message as large as the socket's buffer
    // fills it alone: holding it back would only cost the cork and its tick.
    const raw = socket.raw;
    const length = payloadLength(message);
    if (raw.writableCorked === 0 && length < raw.writableHighWaterMark) {
      raw.cork();
      process.nextTick(uncork, raw);
    }
    ws.send(message.payload, { binary: message.isBinary, compress: message.compress });
    // What counts against maxBackpressure is what the kernel did not take, not what the cork held back.
    if (raw.writableCorked !== 0 && raw.writableLength >= raw.writableHighWaterMark) raw.uncork();
    this.counters.messagesOut++;
    this.counters.bytesOut += length;
    // Like write() returning false: queued past the socket's high-water mark, wait for drain.
    if (!raw.writableNeedDrain) return "ok";
    socket.needsDrain = true;
    return "backpressure";
  }

  publish(topic: string, message: OutgoingMessage, except: BackendSocket | null): number {
    return this.topics.deliver(topic, except, (socket) => this.send(socket, message));
  }

  subscriberCount(topic: string): number {
    return this.topics.count(topic);
  }

  stats(): BackendStats {
    return { ...this.counters, open: this.sockets.size };
  }

  close(): Promise<void> {
    if (this.sweep !== undefined) clearInterval(this.sweep);
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const cutOff = setTimeout(() => {
        for (const socket of this.sockets) socket.terminate();
      }, CLOSE_GRACE_MS);
      this.onEmpty = () => {
        clearTimeout(cutOff);
        resolve();
      };
      for (const socket of this.sockets) socket.close(1001, "server shutting down");
    });
  }

  private onEmpty: (() => void) | null = null;

  private opened(ws: WebSocket, raw: Duplex, upgrade: ApprovedUpgrade): void {
    const events = this.context.events;
    const counters = this.counters;
    const socket = new NodeSocket(this, ws, raw, upgrade.request.remoteAddress);
    this.sockets.add(socket);
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      socket.active = true;
      counters.messagesIn++;
      counters.bytesIn += data.length;
      events.message(socket.user, data, isBinary);
    });
    ws.on("ping", (payload: Buffer) => {
      socket.active = true;
      events.ping(socket.user, payload);
    });
    ws.on("pong", (payload: Buffer) => {
      socket.active = true;
      events.pong(socket.user, payload);
    });
    // ws answers protocol errors itself (1002, 1007, 1009 ...) and then closes; the error is the peer's.
    ws.on("error", () => {});
    ws.on("close", (code: number, reason: Buffer) => {
      this.sockets.delete(socket);
      this.topics.remove(socket);
      events.close(socket.user, code, reason);
      if (this.sockets.size === 0 && this.onEmpty !== null) this.onEmpty();
    });
    raw.on("drain", () => {
      if (!socket.needsDrain || ws.bufferedAmount > this.context.options.maxBackpressure) return;
      socket.needsDrain = false;
      events.drain(socket.user);
    });
    socket.user = events.open(socket, upgrade);
  }

  /** A socket silent for a whole sweep period is pinged; silent for another one, it is closed. */
  private sweepIdle(): void {
    for (const socket of this.sockets) {
      if (socket.active) {
        socket.active = false;
        socket.pinged = false;
      } else if (!socket.pinged) {
        socket.pinged = true;
        socket.ping(Buffer.alloc(0));
      } else if (socket.isOpen) {
        socket.close(1001, "idle timeout");
      } else {
        socket.terminate();
      }
    }
  }
}
