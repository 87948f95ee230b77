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
import { AddonExchange } from "./addon-exchange.js";
import { type BodyGoneMessages, NativeBody } from "./native-body.js";
import { NativeUpgrade, type UpgradeTarget } from "./native-upgrade.js";
import { detachRecord, findHeader, readHeaders, readMethod, readTrailerSection } from "./request-record.js";

const NO_TRAILERS: Record<string, string | string[]> = Object.freeze({}) as Record<string, string | string[]>;

const BODY_GONE: BodyGoneMessages = {
  beforeBody: "the client closed the connection before sending the body",
  midBody: "the client closed the connection mid-body",
};

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

export class NativeExchange
  extends AddonExchange
  implements RequestView, ResponseSink, ResponseStream, UpgradeTarget
{
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
  private upgradeHandle: NativeUpgrade | undefined;
  private trailerFields = NO_TRAILERS;

  constructor(owner: ExchangeOwner, handle: number, bytes: Buffer, meta: Uint32Array, at: number) {
    super();
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

  /** The chunked body's trailer fields, once it has been read to its end. */
  trailers(): Record<string, string | string[]> {
    return this.trailerFields;
  }

  /** The addon's body events, with the trailer section (if any) at a chunked body's end. */
  override bodyEvent(chunk: Buffer | undefined, events: number, trailers?: string): boolean {
    if (trailers !== undefined) this.trailerFields = readTrailerSection(trailers);
    return super.bodyEvent(chunk, events);
  }

  /** The connection closed before the response was complete. */
  connectionClosed(): void {
    if (this.gone) return;
    this.bodyState?.abort();
    this.abandon();
  }

  protected newBody(): NativeBody {
    return new NativeBody(this.owner.protocol, this.handle, this.seq, BODY_GONE);
  }

  // ---- ResponseSink / ResponseStream ----

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

  protected writeChunk(chunk: Buffer): number {
    return this.owner.protocol.write(this.handle, this.seq, chunk);
  }

  protected drained(): Promise<void> {
    return this.owner.waitForDrain(this.handle);
  }

  end(trailers?: HeaderPairs): void {
    const protocol = this.owner.protocol;
    if (trailers === undefined || trailers.length === 0) protocol.end(this.handle, this.seq);
    else protocol.end(this.handle, this.seq, trailers, trailers.join("\0"));
    this.finish();
  }

  private finish(): void {
    this.owner.release(this);
  }
}
