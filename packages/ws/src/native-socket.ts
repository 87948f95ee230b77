// One connection of the native backend, as the shared ServerWebSocket sees it: every operation is
// one call into @fasterapi/ws-native's module with the socket's handle. Subscriptions live in C++;
// the topic names are mirrored here for topics() and for telling the pub/sub adapter when this
// backend's last subscriber of a topic goes away.
import type { SendStatus } from "@fasterapi/core";
import type { BackendSocket, OutgoingMessage } from "./backend.js";
import type { NativeBackend } from "./native-backend.js";

export class NativeSocket implements BackendSocket {
  readonly handle: number;
  readonly remoteAddress: string;
  readonly protocol: string;
  readonly extensions: string;
  /** The shared layer's object for this socket. */
  user: unknown = undefined;
  private readonly backend: NativeBackend;
  private readonly subscribed = new Set<string>();
  private open = true;

  constructor(
    backend: NativeBackend,
    handle: number,
    remoteAddress: string,
    protocol: string,
    extensions: string,
  ) {
    this.backend = backend;
    this.handle = handle;
    this.remoteAddress = remoteAddress;
    this.protocol = protocol;
    this.extensions = extensions;
  }

  get bufferedAmount(): number {
    return this.backend.native.bufferedAmount(this.handle);
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(message: OutgoingMessage): SendStatus {
    return this.backend.send(this, message);
  }

  close(code: number, reason: string): void {
    this.open = false;
    this.backend.native.close(this.handle, code, reason);
  }

  terminate(): void {
    this.open = false;
    this.backend.native.terminate(this.handle);
  }

  ping(payload: Buffer): void {
    this.backend.native.ping(this.handle, payload);
  }

  subscribe(topic: string): boolean {
    if (typeof topic !== "string") throw new TypeError("subscribe(): the topic must be a string");
    if (!this.open || !this.backend.native.subscribe(this.handle, topic)) return false;
    this.subscribed.add(topic);
    if (this.backend.native.subscriberCount(topic) === 1) this.backend.topicActivity(topic, true);
    return true;
  }

  unsubscribe(topic: string): boolean {
    if (!this.subscribed.delete(topic)) return false;
    this.backend.native.unsubscribe(this.handle, topic);
    if (this.backend.native.subscriberCount(topic) === 0) this.backend.topicActivity(topic, false);
    return true;
  }

  isSubscribed(topic: string): boolean {
    return this.subscribed.has(topic);
  }

  topics(): string[] {
    return [...this.subscribed];
  }

  /** The module closed the connection (and dropped its subscriptions). */
  gone(): void {
    this.open = false;
    for (const topic of this.subscribed) {
      if (this.backend.native.subscriberCount(topic) === 0) this.backend.topicActivity(topic, false);
    }
    this.subscribed.clear();
  }
}
