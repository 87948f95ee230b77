// The socket a websocket route's handlers receive, the same on every backend: it carries the
// route's handlers and `data`, forwards I/O to its BackendSocket and publishing to the hub (so
// ws.publish reaches every backend and, with an adapter, every process). Handler errors are
// logged and close the socket with 1011 instead of escaping into the event loop.
import type {
  Logger,
  SendOptions,
  SendStatus,
  ServerWebSocket,
  WebSocketHandlers,
  WebSocketMessage,
} from "@fasterapi/core";
import type { BackendSocket } from "./backend.js";
import { checkClose } from "./close-code.js";
import { payloadBytes, toOutgoing } from "./outgoing-message.js";

/** Where ws.publish goes: every backend and the pub/sub adapter. */
export interface PublishHub {
  publishFrom(sender: BackendSocket, topic: string, message: WebSocketMessage, options?: SendOptions): void;
}

const EMPTY = Buffer.alloc(0);

export class SharedWebSocket<Data = unknown> implements ServerWebSocket<Data> {
  readonly data: Data;
  /** @internal */ readonly socket: BackendSocket;
  /** @internal */ readonly handlers: WebSocketHandlers<Data>;
  private readonly hub: PublishHub;
  private readonly log: Logger;

  constructor(
    socket: BackendSocket,
    data: Data,
    handlers: WebSocketHandlers<Data>,
    hub: PublishHub,
    log: Logger,
  ) {
    this.socket = socket;
    this.data = data;
    this.handlers = handlers;
    this.hub = hub;
    this.log = log;
  }

  get protocol(): string {
    return this.socket.protocol;
  }
  get extensions(): string {
    return this.socket.extensions;
  }
  get remoteAddress(): string {
    return this.socket.remoteAddress;
  }
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }
  get isOpen(): boolean {
    return this.socket.isOpen;
  }
  get topics(): readonly string[] {
    return this.socket.topics();
  }

  send(message: WebSocketMessage, options?: SendOptions): SendStatus {
    return this.socket.send(toOutgoing(message, options));
  }

  close(code = 1000, reason = ""): void {
    checkClose(code, reason);
    this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }

  ping(payload?: WebSocketMessage): void {
    const buffer = payload === undefined ? EMPTY : payloadBytes(toOutgoing(payload, undefined));
    if (buffer.length > 125) throw new RangeError("ping(): a control frame payload must fit in 125 bytes");
    this.socket.ping(buffer);
  }

  subscribe(topic: string): boolean {
    return this.socket.subscribe(topic);
  }
  unsubscribe(topic: string): boolean {
    return this.socket.unsubscribe(topic);
  }
  isSubscribed(topic: string): boolean {
    return this.socket.isSubscribed(topic);
  }

  publish(topic: string, message: WebSocketMessage, options?: SendOptions): void {
    this.hub.publishFrom(this.socket, topic, message, options);
  }

  /** @internal Runs a handler; a throw or rejection is logged and closes the socket with 1011. */
  run(outcome: () => unknown): void {
    try {
      const result = outcome();
      if (result instanceof Promise) result.catch((error: unknown) => this.fail(error));
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    this.log.error({ err: error }, "a WebSocket handler failed; closing the socket with 1011");
    if (this.socket.isOpen) this.socket.close(1011, "internal error");
  }
}
