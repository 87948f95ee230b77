// The WebSocket provider the ws plugin registers with core: it routes each approved upgrade to
// the backend of its connection kind, turns backend events into the route's handlers (through
// SharedWebSocket), and publishes to every backend plus the cross-process adapter.
import type {
  ApprovedUpgrade,
  InjectedWebSocket,
  Logger,
  SendOptions,
  WebSocketMessage,
  WebSocketProvider,
} from "@fasterapi/core";
import type {
  BackendContext,
  BackendSocket,
  BackendStats,
  SocketEvents,
  WebSocketBackend,
} from "./backend.js";
import { addStats, emptyStats } from "./backend-stats.js";
import { BACKEND_FACTORIES } from "./backends.js";
import type { MemoryBackend } from "./memory-backend.js";
import { payloadBytes, toOutgoing } from "./outgoing-message.js";
import { SharedWebSocket } from "./server-websocket.js";
import type { ResolvedWsOptions } from "./ws-options.js";

export interface WebSocketStats extends BackendStats {
  /** Sockets opened since start. */
  opened: number;
  /** app.publish and ws.publish calls in this process. */
  published: number;
  /** Per backend kind ("node", "native", "inject"). */
  backends: Record<string, BackendStats>;
}

export class WsProvider implements WebSocketProvider {
  private readonly options: ResolvedWsOptions;
  private readonly log: Logger;
  private readonly backends = new Map<string, WebSocketBackend>();
  /** Per topic, how many backends have local subscribers (the adapter is told on 0 <-> 1). */
  private readonly topicBackends = new Map<string, number>();
  private opened = 0;
  private published = 0;
  private closing = false;

  constructor(options: ResolvedWsOptions, log: Logger) {
    this.options = options;
    this.log = log;
  }

  /** Connects the pub/sub adapter, if any: messages from other processes go to local subscribers. */
  start(): Promise<void> {
    const adapter = this.options.pubsub;
    if (adapter === undefined) return Promise.resolve();
    return adapter.start((topic, payload, isBinary) => {
      const message = { payload, isBinary, compress: true };
      for (const backend of this.backends.values()) backend.publish(topic, message, null);
    }, this.log);
  }

  accept(upgrade: ApprovedUpgrade): void {
    this.backend((upgrade.request.upgrade as { kind: string }).kind).accept(upgrade);
  }

  connectInjected(upgrade: ApprovedUpgrade): InjectedWebSocket {
    return (this.backend("inject") as MemoryBackend).connect(upgrade);
  }

  publish(topic: string, message: WebSocketMessage, options?: SendOptions): number {
    return this.fanOut(null, topic, message, options);
  }

  /** ws.publish: every subscriber but the sender. */
  publishFrom(sender: BackendSocket, topic: string, message: WebSocketMessage, options?: SendOptions): void {
    this.fanOut(sender, topic, message, options);
  }

  subscriberCount(topic: string): number {
    let count = 0;
    for (const backend of this.backends.values()) count += backend.subscriberCount(topic);
    return count;
  }

  stats(): WebSocketStats {
    const total: WebSocketStats = {
      ...emptyStats(),
      opened: this.opened,
      published: this.published,
      backends: {},
    };
    for (const [kind, backend] of this.backends) {
      const part = backend.stats();
      total.backends[kind] = part;
      addStats(total, part);
    }
    return total;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all([...this.backends.values()].map((backend) => backend.close()));
    await this.options.pubsub?.close();
  }

  private backend(kind: string): WebSocketBackend {
    let backend = this.backends.get(kind);
    if (backend !== undefined) return backend;
    const factory = BACKEND_FACTORIES[kind];
    if (factory === undefined) throw new Error(`@fasterapi/ws has no backend for "${kind}" connections`);
    const context: BackendContext = {
      options: this.options,
      events: this.events,
      topicActivity: (topic, active) => this.topicActivity(topic, active),
    };
    backend = factory(context);
    this.backends.set(kind, backend);
    return backend;
  }

  private topicActivity(topic: string, active: boolean): void {
    const count = (this.topicBackends.get(topic) ?? 0) + (active ? 1 : -1);
    if (count === 0) this.topicBackends.delete(topic);
    else this.topicBackends.set(topic, count);
    if (count === (active ? 1 : 0)) this.options.pubsub?.interest(topic, active);
  }

  private fanOut(
    sender: BackendSocket | null,
    topic: string,
    message: WebSocketMessage,
    options: SendOptions | undefined,
  ): number {
    if (typeof topic !== "string") throw new TypeError("publish(): the topic must be a string");
    const outgoing = toOutgoing(message, options);
    this.published++;
    let delivered = 0;
    for (const backend of this.backends.values()) delivered += backend.publish(topic, outgoing, sender);
    this.options.pubsub?.publish(topic, payloadBytes(outgoing), outgoing.isBinary);
    return delivered;
  }

  /** What backends report, turned into the route's handlers on the socket's SharedWebSocket. */
  private readonly events: SocketEvents = {
    open: (socket, upgrade) => {
      this.opened++;
      const handlers = upgrade.handlers;
      const ws = new SharedWebSocket(socket, upgrade.data, handlers, this, this.log);
      const open = handlers.open;
      if (open !== undefined) ws.run(() => open.call(handlers, ws));
      return ws;
    },
    message: (user, data, isBinary) => {
      const ws = user as SharedWebSocket;
      const handlers = ws.handlers;
      if (handlers.message !== undefined) ws.run(() => handlers.message?.(ws, data, isBinary));
    },
    drain: (user) => {
      const ws = user as SharedWebSocket;
      if (ws.handlers.drain !== undefined) ws.run(() => ws.handlers.drain?.(ws));
    },
    ping: (user, payload) => {
      const ws = user as SharedWebSocket;
      if (ws.handlers.ping !== undefined) ws.run(() => ws.handlers.ping?.(ws, payload));
    },
    pong: (user, payload) => {
      const ws = user as SharedWebSocket;
      if (ws.handlers.pong !== undefined) ws.run(() => ws.handlers.pong?.(ws, payload));
    },
    close: (user, code, reason) => {
      const ws = user as SharedWebSocket;
      if (ws.handlers.close !== undefined) ws.run(() => ws.handlers.close?.(ws, code, reason));
    },
  };
}
