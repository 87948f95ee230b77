// One request/response pair on a native HTTP/1.1 connection: core's RequestView (lazy fields read
// from the addon's span table), its ResponseSink and, for streamed answers, the ResponseStream.
// Each answer is one call into the addon; ordering, framing and keep-alive are the addon's job.
import type { HeaderPairs, RequestView, ResponseSink, ResponseStream } from "@fasterapi/core";
import {
  FLAG_HAS_BODY,
  FLAG_PATH_NEEDS_SLASH,
  FLAG_UPGRADE,
  type Http1Protocol,
} from "@fasterapi/http1-native";
import type { ProtocolHandle } from "@fasterapi/native";
import { NativeBody } from "./native-body.js";
import { NativeUpgrade, type UpgradeTarget } from "./native-upgrade.js";
import { detachRecord, findHeader, readHeaders, readMethod } from "./request-record.js";

const RESOLVED = Promise.resolve();
const EMPTY = Buffer.alloc(0);

/** What an exchange needs from its connection (see native-http1-transport.ts). */
export interface ExchangeOwner {
  readonly protocol: Http1Protocol;
  /** The exchange no longer needs events (answered, or the connection closed). */
  release(exchange: NativeExchange): void;
  /** Resolves when the connection can take more output (or is gone). */
  waitForDrain(handle: number): Promise<void>;
  /** The connection left HTTP/1.1 (an approved Upgrade): the addon sends no more events for it. */
  handedOver(handle: number): void;
}

export class NativeExchange implements RequestView, ResponseSink, ResponseStream, UpgradeTarget {
  readonly handle: number;
  readonly seq: number;
  readonly protocol = "http/1.1";
  private readonly owner: ExchangeOwner;
  // The request's span table record (at word `at` of `meta`) and the head bytes it points into:
  // the shared slab until detach() copies them out.
  private bytes: Buffer;
  private meta: Uint32Array;
  private at: number;
  private methodCache: string | undefined;
  private urlCache: string | undefined;
  private headersCache: Record<string, string | string[]> | undefined;
  private bodyState: NativeBody | undefined;
  private abortCallbacks: (() => void)[] | undefined;
  private upgradeHandle: NativeUpgrade | undefined;
  private gone = false;

  constructor(owner: ExchangeOwner, handle: number, bytes: Buffer, meta: Uint32Array, at: number) {
    this.owner = owner;
    this.handle = handle;
    this.bytes = bytes;
    this.meta = meta;
    this.at = at;
    this.seq = meta[at] as number;
  }

  /** Whether this request still reads from `slab` (the bytes view of a request slab). */
  usesSlab(slab: Buffer): boolean {
    return this.bytes === slab;
  }

  /** Copies the request's record and head bytes out of the slab, so the slab can be collected. */
  detach(): void {
    const record = detachRecord(this.bytes, this.meta, this.at);
    this.bytes = record.bytes;
    this.meta = record.meta;
    this.at = 0;
  }

  // ---- RequestView ----

  get method(): string {
    this.methodCache ??= readMethod(
      this.bytes,
      this.meta[this.at + 4] as number,
      this.meta[this.at + 5] as number,
    );
    return this.methodCache;
  }

  get url(): string {
    if (this.urlCache === undefined) {
      const off = this.meta[this.at + 6] as number;
      const path = this.bytes.toString("latin1", off, off + (this.meta[this.at + 7] as number));
      this.urlCache = (this.meta[this.at + 1] as number) & FLAG_PATH_NEEDS_SLASH ? `/${path}` : path;
    }
    return this.urlCache;
  }

  /** The parser saw Content-Length > 0 or chunked Transfer-Encoding. */
  get hasBody(): boolean {
    return ((this.meta[this.at + 1] as number) & FLAG_HAS_BODY) !== 0;
  }

  /** Set for an Upgrade request the addon holds the connection for (FLAG_UPGRADE). */
  get upgrade(): NativeUpgrade | undefined {
    if (((this.meta[this.at + 1] as number) & FLAG_UPGRADE) === 0) return undefined;
    this.upgradeHandle ??= new NativeUpgrade(this);
    return this.upgradeHandle;
  }

  upgradeTo(protocol: ProtocolHandle, handoff: Buffer, upgradeToken: string, headers: string[]): boolean {
    if (this.gone) return false;
    const done = this.owner.protocol.upgrade(this.handle, this.seq, protocol, handoff, upgradeToken, headers);
    if (!done) return false;
    this.gone = true;
    this.finish();
    this.owner.handedOver(this.handle);
    return true;
  }

  get remoteAddress(): string {
    return this.owner.protocol.remoteAddress(this.handle);
  }

  header(name: string): string | undefined {
    // Scans the spans (no record built): the first value, as the contract asks, even for repeats.
    return findHeader(this.bytes, this.meta, this.at, name);
  }

  headers(): Record<string, string | string[]> {
    this.headersCache ??= readHeaders(this.bytes, this.meta, this.at);
    return this.headersCache;
  }

  body(limit: number): Promise<Buffer> {
    const body = this.requestBody();
    return body === undefined ? Promise.resolve(EMPTY) : body.whole(limit);
  }

  bodyStream(limit: number): AsyncIterable<Buffer> {
    const body = this.requestBody();
    return body === undefined ? (async function* () {})() : body.stream(limit);
  }

  onAbort(callback: () => void): void {
    if (this.gone) {
      queueMicrotask(callback);
      return;
    }
    this.abortCallbacks ??= [];
    this.abortCallbacks.push(callback);
  }

  /** The addon's body events for this request (see NativeBody.push). */
  bodyEvent(chunk: Buffer | undefined, events: number): boolean {
    return this.bodyState === undefined ? true : this.bodyState.push(chunk, events);
  }

  /** The connection closed before the response was complete. */
  connectionClosed(): void {
    if (this.gone) return;
    this.gone = true;
    this.bodyState?.abort();
    const callbacks = this.abortCallbacks;
    this.abortCallbacks = undefined;
    if (callbacks !== undefined) for (const callback of callbacks) callback();
  }

  private requestBody(): NativeBody | undefined {
    if (!this.hasBody) return undefined;
    this.bodyState ??= new NativeBody(this.owner.protocol, this.handle, this.seq);
    return this.bodyState;
  }

  // ---- ResponseSink / ResponseStream ----

  get aborted(): boolean {
    return this.gone;
  }

  send(status: number, headers: HeaderPairs, body: Buffer | string | null, contentType?: string): void {
    // The addon frames the body itself (Content-Length, HEAD, statuses without content); the
    // usual answer has no other headers, and passing none saves the addon looking at a list.
    const protocol = this.owner.protocol;
    const sent =
      headers.length === 0
        ? protocol.send(this.handle, this.seq, status, body, contentType)
        : protocol.send(this.handle, this.seq, status, body, contentType, headers, headers.join("\0"));
    if (!sent) this.gone = true;
    this.finish();
  }

  stream(status: number, headers: HeaderPairs, contentType?: string): ResponseStream {
    const protocol = this.owner.protocol;
    const started =
      headers.length === 0
        ? protocol.writeHead(this.handle, this.seq, status, contentType)
        : protocol.writeHead(this.handle, this.seq, status, contentType, headers, headers.join("\0"));
    if (!started) this.gone = true;
    return this;
  }

  earlyHints(headers: HeaderPairs): void {
    // "Link" as node's writeEarlyHints spells it, so both HTTP/1.1 paths send the same bytes.
    const named = headers.map((text, i) => (i % 2 === 0 && text === "link" ? "Link" : text));
    this.owner.protocol.earlyHints(this.handle, this.seq, named, named.join("\0"));
  }

  write(chunk: Buffer | string): Promise<void> {
    if (this.gone) return RESOLVED;
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const r = this.owner.protocol.write(this.handle, this.seq, buffer);
    if (r === 1) return RESOLVED;
    if (r === -1) {
      // Writes after the client left are dropped; the producer sees `aborted` between chunks.
      this.gone = true;
      return RESOLVED;
    }
    return this.owner.waitForDrain(this.handle);
  }

  end(): void {
    this.owner.protocol.end(this.handle, this.seq);
    this.finish();
  }

  private finish(): void {
    this.owner.release(this);
  }
}
