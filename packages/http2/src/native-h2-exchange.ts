// One HTTP/2 stream on the native engine: core's RequestView over the fields the addon decoded
// (pseudo-headers give method and url, ":authority" shows as "host" as RFC 9113 8.3.1 maps it),
// its ResponseSink and, for streamed answers, the ResponseStream. Each answer is one call into
// the addon, which frames it (HEADERS, DATA, END_STREAM, content-length, trailing HEADERS).
import type { HeaderPairs, RequestView, ResponseSink, ResponseStream } from "@fasterapi/core";
import { AddonExchange, type BodyGoneMessages, NativeBody } from "@fasterapi/http1";
import type { Http2Protocol } from "@fasterapi/http2-native";

// The addon returns flow-control credit (WINDOW_UPDATE) only for body bytes this side took, so
// a paused body (see NativeBody) slows the client down instead of buffering its upload.
const BODY_GONE: BodyGoneMessages = {
  beforeBody: "the client reset the stream before sending the body",
  midBody: "the client reset the stream before the request body was complete",
};
const NO_FIELDS: Record<string, string | string[]> = Object.freeze({}) as Record<string, string | string[]>;

/** What an exchange needs from its transport (see native-http2-transport.ts). */
export interface H2ExchangeOwner {
  readonly protocol: Http2Protocol;
  /** The exchange no longer needs events (answered, or the stream closed). */
  release(exchange: NativeH2Exchange): void;
  /** Resolves when the stream may write again (or is gone). */
  waitForDrain(exchange: NativeH2Exchange): Promise<void>;
}

/** Repeated fields joined per RFC 9110 5.3; cookie with "; " (RFC 9113 8.2.3), set-cookie kept as a list. */
export function fieldRecord(fields: string[], from: number, to: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = from; i < to; i += 2) {
    const name = fields[i] as string;
    if (name.charCodeAt(0) === 58 /* ":" */) continue;
    const value = fields[i + 1] as string;
    const seen = out[name];
    if (seen === undefined) out[name] = name === "set-cookie" ? [value] : value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = `${seen}${name === "cookie" ? "; " : ", "}${value}`;
  }
  return out;
}

export class NativeH2Exchange extends AddonExchange implements RequestView, ResponseSink, ResponseStream {
  readonly handle: number;
  readonly streamId: number;
  readonly hasBody: boolean;
  readonly protocol = "h2";
  readonly method: string;
  readonly url: string;
  private readonly owner: H2ExchangeOwner;
  // This request's fields as the addon joined them ("name\0value\0..."), split on first use.
  private readonly joined: string;
  private fields: string[] | undefined;
  private headersCache: Record<string, string | string[]> | undefined;
  private trailerFields: Record<string, string | string[]> = NO_FIELDS;
  /** The answer is complete on this side (sent, or ended): a close then is no abort. */
  private finished = false;

  constructor(owner: H2ExchangeOwner, records: (number | string)[], at: number) {
    super();
    this.owner = owner;
    this.handle = records[at] as number;
    this.streamId = records[at + 1] as number;
    this.hasBody = records[at + 2] === 1;
    this.method = records[at + 3] as string;
    this.url = records[at + 4] as string;
    this.joined = records[at + 5] as string;
  }

  private fieldList(): string[] {
    this.fields ??= this.joined.split("\0");
    return this.fields;
  }

  // ---- RequestView ----

  get remoteAddress(): string {
    return this.owner.protocol.remoteAddress(this.handle);
  }

  header(name: string): string | undefined {
    const fields = this.fieldList();
    let host: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const field = fields[i] as string;
      if (field === name) return fields[i + 1] as string;
      if (field === ":authority") host = fields[i + 1] as string;
    }
    return name === "host" ? host : undefined;
  }

  headers(): Record<string, string | string[]> {
    if (this.headersCache === undefined) {
      const fields = this.fieldList();
      const out = fieldRecord(fields, 0, fields.length);
      const authority = this.header(":authority");
      if (authority !== undefined && out.host === undefined) out.host = authority;
      this.headersCache = out;
    }
    return this.headersCache;
  }

  trailers(): Record<string, string | string[]> {
    return this.trailerFields;
  }

  /** The addon's body events for this stream, with the request's trailers at its end. */
  override bodyEvent(chunk: Buffer | undefined, events: number, trailers?: string[]): boolean {
    if (trailers !== undefined) this.trailerFields = fieldRecord(trailers, 0, trailers.length);
    return super.bodyEvent(chunk, events);
  }

  /** The stream closed (reset, or the connection went) before this side was done with it. */
  streamClosed(): void {
    this.bodyState?.abort();
    if (this.gone || this.finished) return;
    this.abandon();
  }

  protected newBody(): NativeBody {
    return new NativeBody(this.owner.protocol, this.handle, this.streamId, BODY_GONE);
  }

  // ---- ResponseSink / ResponseStream ----

  send(status: number, headers: HeaderPairs, body: Buffer | string | null, contentType?: string): void {
    const protocol = this.owner.protocol;
    const sent =
      headers.length === 0
        ? protocol.send(this.handle, this.streamId, status, body, contentType)
        : protocol.send(this.handle, this.streamId, status, body, contentType, headers);
    if (!sent) this.gone = true;
    this.finish();
  }

  stream(status: number, headers: HeaderPairs, contentType?: string): ResponseStream {
    const protocol = this.owner.protocol;
    const started =
      headers.length === 0
        ? protocol.writeHead(this.handle, this.streamId, status, contentType)
        : protocol.writeHead(this.handle, this.streamId, status, contentType, headers);
    if (!started) this.gone = true;
    return this;
  }

  earlyHints(headers: HeaderPairs): void {
    this.owner.protocol.earlyHints(this.handle, this.streamId, headers);
  }

  push(path: string, headers: HeaderPairs): boolean {
    return !this.gone && this.owner.protocol.push(this.handle, this.streamId, path, headers);
  }

  protected writeChunk(chunk: Buffer): number {
    return this.owner.protocol.write(this.handle, this.streamId, chunk);
  }

  protected drained(): Promise<void> {
    return this.owner.waitForDrain(this);
  }

  end(trailers?: HeaderPairs): void {
    this.owner.protocol.end(this.handle, this.streamId, trailers);
    this.finish();
  }

  private finish(): void {
    this.finished = true;
    this.owner.release(this);
  }
}
