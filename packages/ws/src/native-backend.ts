// The native backend: WebSocket connections the C++ engine serves end to end. The native HTTP/1.1
// transport hands core an Upgrade request (NativeUpgrade); once the route approved it, this writes
// the 101's headers (accept key, permessage-deflate, subprotocol, reply headers) and hands the
// connection to @fasterapi/ws-native's module, which parses, frames, keeps topics and fans out in
// C++. JavaScript hears of each loop turn's events in one onEvents call and maps them to the
// shared layer here.

import { markAsUntransferable } from "node:worker_threads";
import type { ApprovedUpgrade, SendStatus } from "@fasterapi/core";
import type { NativeUpgrade } from "@fasterapi/http1";
import { engineApi, NativeAddonError } from "@fasterapi/native";
import {
  acceptKey,
  EVENT_CLOSE,
  EVENT_DRAIN,
  EVENT_MESSAGE,
  EVENT_OPEN,
  EVENT_PING,
  EVENT_PONG,
  EVENT_WORDS,
  handoffBlob,
  loadWsAddon,
  negotiateDeflate,
  SEND_BACKPRESSURE,
  SEND_OK,
  type WsProtocol,
} from "@fasterapi/ws-native";
import type {
  BackendContext,
  BackendSocket,
  BackendStats,
  OutgoingMessage,
  WebSocketBackend,
} from "./backend.js";
import { NativeSocket } from "./native-socket.js";

/** How long close() waits for closing handshakes before it cuts the remaining sockets off. */
const CLOSE_GRACE_MS = 2000;
/**
 * The open event follows a hand-over within the same loop turn; a client that vanishes in between
 * never gets one, so pending upgrades older than this are forgotten.
 */
const PENDING_OPEN_MS = 60_000;

/** An upgrade handed to the module whose open event has not come yet. */
interface PendingOpen {
  upgrade: ApprovedUpgrade;
  extensions: string;
  since: number;
}

export class NativeBackend implements WebSocketBackend {
  readonly kind = "native";
  /** The module's operations (NativeSocket calls them with its handle). */
  readonly native: WsProtocol;
  private readonly context: BackendContext;
  private readonly sockets = new Map<number, NativeSocket>();
  private readonly pending = new Map<number, PendingOpen>();
  private nextToken = 0;
  private onEmpty: (() => void) | null = null;

  constructor(context: BackendContext) {
    this.context = context;
    const addon = loadWsAddon();
    const api = engineApi();
    if (addon === null || api === null) {
      throw new NativeAddonError(
        "@fasterapi/ws: the native HTTP/1.1 transport upgraded a connection but @fasterapi/ws-native is not built (run `pnpm build:native`)",
      );
    }
    const o = context.options;
    this.native = addon.createProtocol(
      api,
      { onEvents: (meta, bytes) => this.onEvents(meta, bytes) },
      {
        maxPayload: o.maxPayload,
        idleTimeoutMs: o.idleTimeoutMs,
        maxBackpressure: o.maxBackpressure,
        closeOnBackpressureLimit: o.closeOnBackpressureLimit,
        dedicatedCompressor: o.compression === "dedicated",
      },
    );
  }

  accept(upgrade: ApprovedUpgrade): void {
    const request = upgrade.request;
    const handle = request.upgrade as NativeUpgrade;
    const deflate = negotiateDeflate(
      request.header("sec-websocket-extensions"),
      this.context.options.compression,
    );
    const headers = ["Sec-WebSocket-Accept", acceptKey(request.header("sec-websocket-key") ?? "")];
    if (deflate !== undefined) headers.push("Sec-WebSocket-Extensions", deflate.response);
    if (upgrade.protocol !== "") headers.push("Sec-WebSocket-Protocol", upgrade.protocol);
    headers.push(...upgrade.headers);
    this.nextToken = (this.nextToken + 1) >>> 0;
    const token = this.nextToken;
    if (!handle.handOver(this.native.protocol, handoffBlob(token, deflate), "websocket", headers)) {
      // Earlier pipelined requests are still unanswered (or the client left): the 101 cannot go first.
      upgrade.sink.send(503, ["connection", "close"], "the connection cannot be upgraded now", "text/plain");
      return;
    }
    const now = Date.now();
    this.forgetStale(now);
    this.pending.set(token, { upgrade, extensions: deflate?.response ?? "", since: now });
  }

  /** Drops pending upgrades whose client went away before the module opened them (oldest first). */
  private forgetStale(now: number): void {
    for (const [token, pending] of this.pending) {
      if (now - pending.since < PENDING_OPEN_MS) return;
      this.pending.delete(token);
    }
  }

  send(socket: NativeSocket, message: OutgoingMessage): SendStatus {
    const result = this.native.send(socket.handle, message.payload, message.isBinary, message.compress);
    if (result === SEND_OK) return "ok";
    return result === SEND_BACKPRESSURE ? "backpressure" : "dropped";
  }

  publish(topic: string, message: OutgoingMessage, except: BackendSocket | null): number {
    const exceptHandle = except instanceof NativeSocket ? except.handle : -1;
    return this.native.publish(topic, message.payload, message.isBinary, message.compress, exceptHandle);
  }

  subscriberCount(topic: string): number {
    return this.native.subscriberCount(topic);
  }

  /** A topic gained its first or lost its last subscriber of this backend: the adapter hears of it. */
  topicActivity(topic: string, active: boolean): void {
    this.context.topicActivity(topic, active);
  }

  stats(): BackendStats {
    return this.native.stats();
  }

  close(): Promise<void> {
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const cutOff = setTimeout(() => {
        for (const socket of this.sockets.values()) socket.terminate();
      }, CLOSE_GRACE_MS);
      this.onEmpty = () => {
        clearTimeout(cutOff);
        this.onEmpty = null;
        resolve();
      };
      for (const socket of this.sockets.values()) socket.close(1001, "server shutting down");
    });
  }

  private onEvents(meta: ArrayBuffer, bytes: Buffer): void {
    // The block's memory returns to the addon's pool when this ArrayBuffer is collected, so it
    // must not move to another thread: a transfer list naming it copies it instead.
    markAsUntransferable(bytes.buffer);
    const words = new Uint32Array(meta);
    const events = this.context.events;
    for (let at = 0; at < words.length; at += EVENT_WORDS) {
      const kind = words[at] as number;
      const handle = (words[at + 2] as number) * 0x1_0000_0000 + (words[at + 1] as number);
      const arg = words[at + 3] as number;
      const off = words[at + 4] as number;
      const data = bytes.subarray(off, off + (words[at + 5] as number));
      if (kind === EVENT_OPEN) {
        this.opened(handle, arg, data.toString("latin1"));
        continue;
      }
      const socket = this.sockets.get(handle);
      if (socket === undefined) continue;
      if (kind === EVENT_MESSAGE) events.message(socket.user, data, arg === 1);
      else if (kind === EVENT_PING) events.ping(socket.user, data);
      else if (kind === EVENT_PONG) events.pong(socket.user, data);
      else if (kind === EVENT_DRAIN) events.drain(socket.user);
      else if (kind === EVENT_CLOSE) this.closed(socket, arg, data);
    }
  }

  private opened(handle: number, token: number, remoteAddress: string): void {
    const pending = this.pending.get(token);
    if (pending === undefined) {
      this.native.terminate(handle);
      return;
    }
    this.pending.delete(token);
    const socket = new NativeSocket(
      this,
      handle,
      remoteAddress,
      pending.upgrade.protocol,
      pending.extensions,
    );
    this.sockets.set(handle, socket);
    socket.user = this.context.events.open(socket, pending.upgrade);
  }

  private closed(socket: NativeSocket, code: number, reason: Buffer): void {
    this.sockets.delete(socket.handle);
    socket.gone();
    this.context.events.close(socket.user, code, reason);
    if (this.sockets.size === 0 && this.onEmpty !== null) this.onEmpty();
  }
}
