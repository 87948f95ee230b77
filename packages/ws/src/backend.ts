// The seam between @fasterapi/ws and the code that speaks RFC 6455 on one kind of connection:
// node:http sockets (the `ws` library, node-backend.ts), the C++ engine (ws-native), in-memory
// pairs (memory-backend.ts). A backend completes approved upgrades, frames messages, keeps topic
// subscriptions (so a native backend fans out without a crossing per subscriber) and counts.
// Everything above it (ServerWebSocket, app.publish, the Redis adapter, handlers) is shared.
import type { ApprovedUpgrade, SendStatus } from "@fasterapi/core";
import type { ResolvedWsOptions } from "./ws-options.js";

/** A message ready to frame: text is already UTF-8 bytes or a string, binary is bytes. */
export interface OutgoingMessage {
  readonly payload: Buffer | string;
  readonly isBinary: boolean;
  readonly compress: boolean;
}

/** One open connection, as a backend exposes it to the shared ServerWebSocket. */
export interface BackendSocket {
  readonly remoteAddress: string;
  readonly protocol: string;
  readonly extensions: string;
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
  send(message: OutgoingMessage): SendStatus;
  close(code: number, reason: string): void;
  terminate(): void;
  ping(payload: Buffer): void;
  subscribe(topic: string): boolean;
  unsubscribe(topic: string): boolean;
  isSubscribed(topic: string): boolean;
  topics(): string[];
}

/** What a backend reports for each connection; `user` is the object the shared layer attached at open. */
export interface SocketEvents {
  /** The handshake completed; returns the shared layer's object for this socket. */
  open(socket: BackendSocket, upgrade: ApprovedUpgrade): unknown;
  message(user: unknown, data: Buffer, isBinary: boolean): void;
  drain(user: unknown): void;
  ping(user: unknown, payload: Buffer): void;
  pong(user: unknown, payload: Buffer): void;
  /** The connection ended (closing handshake done, terminated, idle, or lost); sent once per open. */
  close(user: unknown, code: number, reason: Buffer): void;
}

export interface BackendStats {
  open: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Sends refused because the socket was over maxBackpressure. */
  dropped: number;
}

export interface WebSocketBackend {
  /** The UpgradeHandle kind this backend takes over ("node", "native", "inject"). */
  readonly kind: string;
  /** Completes the handshake of an approved upgrade whose handle is of this backend's kind. */
  accept(upgrade: ApprovedUpgrade): void;
  /** Sends to this backend's subscribers of `topic` except `except`; returns how many got it. */
  publish(topic: string, message: OutgoingMessage, except: BackendSocket | null): number;
  subscriberCount(topic: string): number;
  stats(): BackendStats;
  /** Closes every socket with 1001 and resolves once they are gone (or terminated after a grace). */
  close(): Promise<void>;
}

/** How the plugin creates a backend: options, the shared event sink, and a callback when a topic gains or loses its last local subscriber. */
export interface BackendContext {
  readonly options: ResolvedWsOptions;
  readonly events: SocketEvents;
  /** Called when a topic of this process goes from 0 to 1 subscribers (true) or back to 0 (false). */
  topicActivity(topic: string, active: boolean): void;
}

export type BackendFactory = (context: BackendContext) => WebSocketBackend;
