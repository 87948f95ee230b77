// The in-memory backend behind app.injectWebSocket(): a server-side BackendSocket paired with an
// InjectedWebSocket client, no socket and no framing. Messages cross on a microtask so handlers
// run after the sender returns, like on a network; closing from either side settles both.
import type { ApprovedUpgrade, InjectedWebSocket, SendStatus, WebSocketMessage } from "@fasterapi/core";
import type {
  BackendContext,
  BackendSocket,
  BackendStats,
  OutgoingMessage,
  WebSocketBackend,
} from "./backend.js";
import { emptyStats } from "./backend-stats.js";
import { checkClose } from "./close-code.js";
import { payloadBytes, toOutgoing } from "./outgoing-message.js";
import { TopicRegistry } from "./topic-registry.js";

interface Received {
  data: Buffer;
  isBinary: boolean;
}

/** The test's end of the pair. */
class MemoryClient implements InjectedWebSocket {
  readonly protocol: string;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** @internal */ settle!: (result: { code: number; reason: string }) => void;
  private readonly queue: Received[] = [];
  private readonly waiters: { resolve(m: Received): void; reject(e: Error): void }[] = [];
  private ended = false;
  private readonly server: MemorySocket;

  constructor(server: MemorySocket, protocol: string) {
    this.server = server;
    this.protocol = protocol;
    this.closed = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  send(message: WebSocketMessage, options?: { binary?: boolean }): void {
    if (this.ended) throw new Error("send(): the WebSocket is closed");
    this.server.receive(toOutgoing(message, options));
  }

  nextMessage(): Promise<Received> {
    const next = this.queue.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.ended) return Promise.reject(new Error("the WebSocket closed before another message came"));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  close(code = 1000, reason = ""): void {
    checkClose(code, reason);
    this.server.end(code, reason);
  }

  /** @internal A message from the server. */
  deliver(message: Received): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.queue.push(message);
    else waiter.resolve(message);
  }

  /** @internal The pair is closed. */
  finish(code: number, reason: string): void {
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) {
      waiter.reject(new Error("the WebSocket closed before another message came"));
    }
    this.settle({ code, reason });
  }
}

class MemorySocket implements BackendSocket {
  readonly remoteAddress: string;
  readonly protocol: string;
  readonly extensions = "";
  readonly bufferedAmount = 0;
  isOpen = true;
  user: unknown = undefined;
  readonly client: MemoryClient;
  private readonly backend: MemoryBackend;

  constructor(backend: MemoryBackend, upgrade: ApprovedUpgrade) {
    this.backend = backend;
    this.remoteAddress = upgrade.request.remoteAddress;
    this.protocol = upgrade.protocol;
    this.client = new MemoryClient(this, upgrade.protocol);
  }

  send(message: OutgoingMessage): SendStatus {
    if (!this.isOpen) return "dropped";
    const data = payloadBytes(message);
    this.backend.counted("out", data.length);
    this.client.deliver({ data, isBinary: message.isBinary });
    return "ok";
  }

  /** A message from the client, handled after the client's send() returned. */
  receive(message: OutgoingMessage): void {
    const data = payloadBytes(message);
    queueMicrotask(() => {
      if (!this.isOpen) return;
      this.backend.counted("in", data.length);
      this.backend.context.events.message(this.user, data, message.isBinary);
    });
  }

  close(code: number, reason: string): void {
    this.end(code, reason);
  }
  terminate(): void {
    this.end(1006, "");
  }
  ping(_payload: Buffer): void {
    // The in-memory client answers nothing: there is no network to keep alive.
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

  end(code: number, reason: string): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.backend.ended(this, code, reason);
  }
}

export class MemoryBackend implements WebSocketBackend {
  readonly kind = "inject";
  readonly topics: TopicRegistry<MemorySocket>;
  readonly context: BackendContext;
  private readonly sockets = new Set<MemorySocket>();
  private readonly counters = emptyStats();

  constructor(context: BackendContext) {
    this.context = context;
    this.topics = new TopicRegistry(context.topicActivity);
  }

  accept(): void {
    throw new Error("in-memory upgrades are connected through connect(), by app.injectWebSocket()");
  }

  connect(upgrade: ApprovedUpgrade): InjectedWebSocket {
    const socket = new MemorySocket(this, upgrade);
    this.sockets.add(socket);
    socket.user = this.context.events.open(socket, upgrade);
    return socket.client;
  }

  counted(direction: "in" | "out", bytes: number): void {
    if (direction === "in") {
      this.counters.messagesIn++;
      this.counters.bytesIn += bytes;
    } else {
      this.counters.messagesOut++;
      this.counters.bytesOut += bytes;
    }
  }

  ended(socket: MemorySocket, code: number, reason: string): void {
    this.sockets.delete(socket);
    this.topics.remove(socket);
    socket.client.finish(code, reason);
    this.context.events.close(socket.user, code, Buffer.from(reason));
  }

  publish(topic: string, message: OutgoingMessage, except: BackendSocket | null): number {
    return this.topics.deliver(topic, except, (socket) => socket.send(message));
  }

  subscriberCount(topic: string): number {
    return this.topics.count(topic);
  }

  stats(): BackendStats {
    return { ...this.counters, open: this.sockets.size };
  }

  close(): Promise<void> {
    for (const socket of [...this.sockets]) socket.end(1001, "server shutting down");
    return Promise.resolve();
  }
}
