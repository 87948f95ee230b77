// Core's Transport on the C++ engine: @fasterapi/native owns the sockets, the http1 addon parses
// and frames, and this class routes the addon's batched events to per-request exchanges and
// hands those to core. It is not the node:http path (that is @fasterapi/http1) and has no TLS
// options of its own beyond passing key/cert to the engine.
import type { RequestHandler, Transport, TransportAddress, TransportStats } from "@fasterapi/core";
import { Engine, engineApi, NativeAddonError, nativeMode } from "@fasterapi/native";
import { type Http1Protocol, loadHttp1Addon } from "./http1-addon.js";
import { type ExchangeOwner, NativeExchange } from "./native-exchange.js";
import { nextRecord } from "./request-record.js";

export interface NativeHttp1Options {
  /** TCP port; 0 picks a free one. Default 8000. */
  port?: number;
  /** Interface to bind. Default "0.0.0.0". */
  host?: string;
  /** Largest request line plus headers, in bytes (431 beyond). Default 16 KiB. */
  maxHeaderBytes?: number;
  /** Time allowed for a request head to arrive (408, then close). Default 60 s. */
  headersTimeoutMs?: number;
  /** Time allowed for a request body, from the first read to its end (408, then close); 0 disables. Default 300 s. */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. Default 5 s. */
  keepAliveTimeoutMs?: number;
  /** Requests served on one connection before it is closed; 0 means no limit. Default 0. */
  maxRequestsPerSocket?: number;
  /** Serve HTTPS (TLS terminated by the engine). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** Per connection, from its first request to onClosed: exchanges still expecting events, and writers waiting for drain. */
interface ConnectionEntry {
  exchanges: Map<number, NativeExchange>;
  drainWaiters: (() => void)[];
}

/**
 * Whether both native addons (engine and http1) load, i.e. whether listen() can work.
 * FASTERAPI_NATIVE=0 is read on every call (the addons themselves load once).
 */
export function nativeHttp1Available(): boolean {
  if (nativeMode() === "js") return false;
  return loadHttp1Addon() !== null && engineApi() !== null;
}

export class NativeHttp1Transport implements Transport, ExchangeOwner {
  readonly name = "http1";
  private readonly options: NativeHttp1Options;
  private readonly connections = new Map<number, ConnectionEntry>();
  private engine: Engine | undefined;
  private native: Http1Protocol | undefined;
  private handler: RequestHandler | undefined;

  constructor(options: NativeHttp1Options = {}) {
    this.options = options;
  }

  get protocol(): Http1Protocol {
    if (this.native === undefined) throw new Error("NativeHttp1Transport: listen() has not been called");
    return this.native;
  }

  async listen(handler: RequestHandler): Promise<TransportAddress> {
    if (this.engine !== undefined) throw new Error("NativeHttp1Transport: already listening");
    this.handler = handler;
    const o = this.options;
    const addon = loadHttp1Addon();
    const api = engineApi();
    if (addon === null || api === null) {
      throw new NativeAddonError(
        "NativeHttp1Transport: the http1 addon or the engine addon is not built (run `pnpm build:native`)",
      );
    }
    this.native = addon.createProtocol(
      api,
      {
        onRequests: (handle, batch, metaWords) => this.onRequests(handle, batch, metaWords),
        onBody: (handle, seq, chunk, events) => this.onBody(handle, seq, chunk, events),
        onDrain: (handle) => this.onDrain(handle),
        onClosed: (handle) => this.onClosed(handle),
      },
      {
        maxHeaderBytes: o.maxHeaderBytes,
        headersTimeoutMs: o.headersTimeoutMs,
        keepAliveTimeoutMs: o.keepAliveTimeoutMs,
        maxRequestsPerSocket: o.maxRequestsPerSocket,
        requestTimeoutMs: o.requestTimeoutMs,
      },
    );
    const engine = new Engine();
    const host = o.host ?? "0.0.0.0";
    const port = await engine.listen({ host, port: o.port ?? 8000, tls: o.tls }, this.native.protocol);
    this.engine = engine;
    return { host, port, scheme: o.tls === undefined ? "http" : "https" };
  }

  async close(graceMs: number): Promise<void> {
    const engine = this.engine;
    if (engine === undefined) return;
    this.engine = undefined;
    await engine.close(graceMs);
  }

  stats(): TransportStats {
    const s = this.native?.stats();
    return {
      connections: s?.connections ?? 0,
      activeConnections: s?.activeConnections ?? 0,
      requests: s?.requests ?? 0,
      bytesIn: s?.bytesIn ?? 0,
      bytesOut: s?.bytesOut ?? 0,
      parseErrors: s?.parseErrors ?? 0,
    };
  }

  // ---- ExchangeOwner ----

  release(exchange: NativeExchange): void {
    // The entry itself lives until onClosed, so a keep-alive connection reuses it.
    this.connections.get(exchange.handle)?.exchanges.delete(exchange.seq);
  }

  waitForDrain(handle: number): Promise<void> {
    const entry = this.entry(handle);
    return new Promise((resolve) => entry.drainWaiters.push(resolve));
  }

  // ---- addon events ----

  private entry(handle: number): ConnectionEntry {
    let entry = this.connections.get(handle);
    if (entry === undefined) {
      entry = { exchanges: new Map(), drainWaiters: [] };
      this.connections.set(handle, entry);
    }
    return entry;
  }

  private onRequests(handle: number, batch: ArrayBuffer, metaWords: number): void {
    const handler = this.handler as RequestHandler;
    const meta = new Uint32Array(batch, 0, metaWords);
    const bytes = Buffer.from(batch, metaWords * 4);
    const entry = this.entry(handle);
    // All exchanges are registered before any handler runs: a synchronous answer to the first
    // must not find its pipelined successors missing.
    const exchanges: NativeExchange[] = [];
    for (let at = 0; at < meta.length; at = nextRecord(meta, at)) {
      const exchange = new NativeExchange(this, handle, bytes, meta, at);
      entry.exchanges.set(exchange.seq, exchange);
      exchanges.push(exchange);
    }
    for (const exchange of exchanges) handler(exchange, exchange);
  }

  private onBody(handle: number, seq: number, chunk: Buffer | undefined, events: number): boolean {
    const exchange = this.connections.get(handle)?.exchanges.get(seq);
    return exchange === undefined ? true : exchange.bodyEvent(chunk, events);
  }

  private onDrain(handle: number): void {
    const entry = this.connections.get(handle);
    if (entry === undefined) return;
    const waiters = entry.drainWaiters.splice(0);
    for (const resolve of waiters) resolve();
  }

  private onClosed(handle: number): void {
    const entry = this.connections.get(handle);
    if (entry === undefined) return;
    this.connections.delete(handle);
    for (const exchange of entry.exchanges.values()) exchange.connectionClosed();
    for (const resolve of entry.drainWaiters) resolve();
  }
}
