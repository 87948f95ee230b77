// The WebSocket contract between core and a WebSocket provider (@fasterapi/ws): what a route
// declares (app.websocket), the socket its handlers receive, and the approved upgrade core hands
// to the provider once the route's pipeline (hooks, validation, Depends, upgrade()) said yes.
// Core frames nothing: the provider owns the handshake response and the protocol.

import type { Dependency } from "./depends.js";
import type { InjectOptions } from "./inject.js";
import type { RouteContext, RouteOptions, Schema } from "./route-options.js";
import type { HeaderPairs, RequestView, ResponseSink } from "./transport.js";

/** What `send` did: queued with nothing pending, queued behind unsent bytes, or not sent (over maxBackpressure). */
export type SendStatus = "ok" | "backpressure" | "dropped";

export interface SendOptions {
  /** Binary frame; default: binary for Buffers/typed arrays, text for strings. */
  binary?: boolean;
  /** Compress with permessage-deflate when negotiated (default true). */
  compress?: boolean;
}

export type WebSocketMessage = string | Buffer | ArrayBuffer | ArrayBufferView;

/** The socket a websocket route's handlers receive; `data` is what the route's upgrade() returned. */
export interface ServerWebSocket<Data = unknown> {
  readonly data: Data;
  /** The subprotocol chosen at the handshake, "" when none. */
  readonly protocol: string;
  /** The negotiated extensions, as sent in Sec-WebSocket-Extensions ("" when none). */
  readonly extensions: string;
  readonly remoteAddress: string;
  /** Bytes queued for this socket and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** false once the socket is closing or closed. */
  readonly isOpen: boolean;
  send(message: WebSocketMessage, options?: SendOptions): SendStatus;
  /** Starts the closing handshake (code 1000 unless given). */
  close(code?: number, reason?: string): void;
  /** Drops the connection without a closing handshake. */
  terminate(): void;
  ping(payload?: WebSocketMessage): void;
  subscribe(topic: string): boolean;
  unsubscribe(topic: string): boolean;
  isSubscribed(topic: string): boolean;
  readonly topics: readonly string[];
  /** Sends to every subscriber of `topic` except this socket (in every process with a pub/sub adapter). */
  publish(topic: string, message: WebSocketMessage, options?: SendOptions): void;
}

/** The handlers of a websocket route; every one is optional. */
export interface WebSocketHandlers<Data = unknown> {
  open?(ws: ServerWebSocket<Data>): unknown;
  message?(ws: ServerWebSocket<Data>, data: Buffer, isBinary: boolean): unknown;
  /** The socket's buffer went back under the limit after a send that answered "backpressure". */
  drain?(ws: ServerWebSocket<Data>): unknown;
  ping?(ws: ServerWebSocket<Data>, payload: Buffer): unknown;
  pong?(ws: ServerWebSocket<Data>, payload: Buffer): unknown;
  close?(ws: ServerWebSocket<Data>, code: number, reason: Buffer): unknown;
}

/** Which Origin values may open a socket: a list (exact match) or a predicate. */
export type OriginCheck = readonly string[] | ((origin: string | undefined) => boolean);

/** The subprotocols the route speaks, in preference order, or a chooser over the client's offer. */
export type ProtocolSelection = readonly string[] | ((offered: readonly string[]) => string | undefined);

/** The request-side options a websocket route shares with other routes (no body, no response schemas). */
export type WebSocketRequestOptions = Pick<
  RouteOptions,
  "tags" | "summary" | "description" | "operationId" | "deprecated" | "security" | "includeInSchema"
>;

type Deps = Record<string, Dependency>;

/**
 * app.websocket options. Each schema is its own type parameter so TypeScript infers them before it
 * types `upgrade(ctx)`, whose value types `ws.data` in the handlers.
 */
export interface WebSocketRouteOptions<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  H extends Schema | undefined = undefined,
  D extends Deps | undefined = undefined,
  Data = undefined,
> extends WebSocketRequestOptions,
    WebSocketHandlers<Data> {
  params?: P;
  query?: Q;
  headers?: H;
  deps?: D;
  /** Decides the upgrade after validation and Depends: the value becomes `ws.data`; throw HTTPException to refuse. */
  upgrade?(ctx: RouteContext<{ params: P; query: Q; headers: H; deps: D }>): Data | Promise<Data>;
  /** Subprotocols (Sec-WebSocket-Protocol); a client offering only others is refused with 400. */
  protocols?: ProtocolSelection;
  /** Origins allowed to connect; others are refused with 403. Default: any. */
  origins?: OriginCheck;
}

/** Route options of any websocket route, as core stores them. */
export type AnyWebSocketRouteOptions = WebSocketRouteOptions<
  Schema | undefined,
  Schema | undefined,
  Schema | undefined,
  Deps | undefined,
  unknown
>;

/** An upgrade the route's pipeline approved, as core hands it to the WebSocket provider. */
export interface ApprovedUpgrade {
  readonly request: RequestView;
  /** Where a provider answers when it must still refuse (e.g. an extension offer it cannot parse). */
  readonly sink: ResponseSink;
  readonly handlers: WebSocketHandlers<unknown>;
  readonly data: unknown;
  /** The chosen subprotocol, "" for none. */
  readonly protocol: string;
  /** Headers hooks or upgrade() set on ctx.reply (set-cookie, ...), for the 101 response. */
  readonly headers: HeaderPairs;
}

/** An in-memory client socket returned by app.injectWebSocket(). */
export interface InjectedWebSocket {
  readonly protocol: string;
  send(message: WebSocketMessage, options?: { binary?: boolean }): void;
  /** The next message the server sent; rejects if the socket closes first. */
  nextMessage(): Promise<{ data: Buffer; isBinary: boolean }>;
  close(code?: number, reason?: string): void;
  /** Settles with the close code and reason once the socket is closed (by either side). */
  readonly closed: Promise<{ code: number; reason: string }>;
}

export interface InjectWebSocketOptions extends Omit<InjectOptions, "url" | "method" | "body"> {
  /** Offered subprotocols (Sec-WebSocket-Protocol). */
  protocols?: readonly string[];
}

/** What a WebSocket provider (the ws plugin) implements; registered with app.setWebSocketProvider. */
export interface WebSocketProvider {
  /** Completes the handshake of an approved upgrade; from here on the connection is the provider's. */
  accept(upgrade: ApprovedUpgrade): void;
  /** Sends to every subscriber of `topic` (in every process with a pub/sub adapter); returns local deliveries. */
  publish(topic: string, message: WebSocketMessage, options?: SendOptions): number;
  /** Sockets of this process subscribed to `topic`. */
  subscriberCount(topic: string): number;
  /** Pairs an in-memory client with an approved upgrade whose request came from app.injectWebSocket. */
  connectInjected(upgrade: ApprovedUpgrade): InjectedWebSocket;
  /** Closes every socket with 1001 (going away); called when the app closes, while transports drain. */
  close(): Promise<void>;
}
