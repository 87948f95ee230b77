// Core's Transport on the C++ engine: @fasterapi/native owns the sockets, the addon of
// @fasterapi/http1-native parses and frames, and this class routes the addon's batched events to
// per-request exchanges and hands those to core. It is not the node:http path
// (node-http1-transport.ts) and has no TLS options of its own beyond passing key/cert to the engine.
import type { PortSharingTransport, RequestHandler, TransportAddress, TransportStats } from "@fasterapi/core";
import { GROUP_HEADER_WORDS, type Http1Protocol, loadHttp1Addon } from "@fasterapi/http1-native";
import { Engine, engineApi, NativeAddonError, nativeMode, type ProtocolHandle } from "@fasterapi/native";
import { type Http1Options, type ResolvedHttp1Options, resolveHttp1Options } from "./http1-options.js";
import { type ExchangeOwner, NativeExchange } from "./native-exchange.js";
import { nextRecord } from "./request-record.js";

/**
 * Slots for a connection's unanswered exchanges, indexed by `seq & SLOT_MASK`. The addon parses no
 * further while 32 requests are owed (kMaxPipeline), and an exchange is only unanswered while its
 * request is owed, so the unanswered seqs of a connection are fewer than 32 apart.
 */
const SLOT_COUNT = 32;
const SLOT_MASK = SLOT_COUNT - 1;

/** Per connection, from its first request to onClosed: exchanges still expecting events, and writers waiting for drain. */
interface ConnectionEntry {
  exchanges: (NativeExchange | undefined)[];
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

export class NativeHttp1Transport implements PortSharingTransport, ExchangeOwner {
  readonly name = "http1";
  /** The engine binds with SO_REUSEPORT, so app.run({ workers }) can use worker threads. */
  readonly sharesPortAcrossThreads = true;
  readonly options: ResolvedHttp1Options;
  private readonly connections = new Map<number, ConnectionEntry>();
  private engine: Engine | undefined;
  private native: Http1Protocol | undefined;
  private handler: RequestHandler | undefined;
  // Views of the addon's current request slab (see Http1Callbacks.onRequests).
  private slabMeta = new Uint32Array(0);
  private slabBytes = Buffer.alloc(0);

  constructor(options: Http1Options = {}) {
    this.options = resolveHttp1Options(options);
  }

  get protocol(): Http1Protocol {
    if (this.native === undefined) throw new Error("NativeHttp1Transport: listen() has not been called");
    return this.native;
  }

  async listen(handler: RequestHandler): Promise<TransportAddress> {
    if (this.engine !== undefined) throw new Error("NativeHttp1Transport: already listening");
    const protocol = this.attach(handler);
    const engine = new Engine();
    const o = this.options;
    const port = await engine.listen({ host: o.host, port: o.port, tls: o.tls }, protocol);
    this.engine = engine;
    return { host: o.host, port, scheme: o.tls === undefined ? "http" : "https" };
  }

  /**
   * Creates the HTTP/1.1 module for `handler` without listening, for another transport's engine
   * to register (HTTP/2 over TLS serves ALPN "http/1.1" with it on the same port). Once only.
   */
  attach(handler: RequestHandler): ProtocolHandle {
    if (this.native !== undefined) throw new Error("NativeHttp1Transport: already attached");
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
        onRequests: (metaAt, metaWords, slab) => this.onRequests(metaAt, metaWords, slab),
        onBody: (handle, seq, chunk, events, trailers) => this.onBody(handle, seq, chunk, events, trailers),
        onDrain: (handle) => this.onDrain(handle),
        onClosed: (handle) => this.onClosed(handle),
      },
      {
        maxHeaderBytes: o.maxHeaderBytes,
        maxRequestLine: o.maxRequestLine,
        maxHeaders: o.maxHeaders,
        headersTimeoutMs: o.headersTimeoutMs,
        keepAliveTimeoutMs: o.keepAliveTimeoutMs,
        maxRequestsPerSocket: o.maxRequestsPerSocket,
        requestTimeoutMs: o.requestTimeoutMs,
      },
    );
    return this.native.protocol;
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
    const exchanges = this.connections.get(exchange.handle)?.exchanges;
    if (exchanges !== undefined && exchanges[exchange.seq & SLOT_MASK] === exchange) {
      exchanges[exchange.seq & SLOT_MASK] = undefined;
    }
  }

  waitForDrain(handle: number): Promise<void> {
    const entry = this.entry(handle);
    return new Promise((resolve) => entry.drainWaiters.push(resolve));
  }

  handedOver(handle: number): void {
    const entry = this.connections.get(handle);
    if (entry === undefined) return;
    this.connections.delete(handle);
    for (const resolve of entry.drainWaiters) resolve();
  }

  // ---- addon events ----

  private entry(handle: number): ConnectionEntry {
    let entry = this.connections.get(handle);
    if (entry === undefined) {
      entry = {
        exchanges: new Array<NativeExchange | undefined>(SLOT_COUNT).fill(undefined),
        drainWaiters: [],
      };
      this.connections.set(handle, entry);
    }
    return entry;
  }

  private onRequests(metaAt: number, metaWords: number, slab: ArrayBuffer | undefined): void {
    if (slab !== undefined) this.replaceSlab(slab);
    const handler = this.handler as RequestHandler;
    const meta = this.slabMeta;
    const bytes = this.slabBytes;
    const end = metaAt + metaWords;
    for (let at = metaAt; at < end; ) {
      const handle = (meta[at + 1] as number) * 0x1_0000_0000 + (meta[at] as number);
      const count = meta[at + 2] as number;
      const exchanges = this.entry(handle).exchanges;
      const first = at + GROUP_HEADER_WORDS;
      // A connection's exchanges are all registered before any of its handlers runs: a
      // synchronous answer to the first must not find its pipelined successors missing.
      at = first;
      for (let i = 0; i < count; i++, at = nextRecord(meta, at)) {
        const exchange = new NativeExchange(this, handle, bytes, meta, at);
        exchanges[exchange.seq & SLOT_MASK] = exchange;
      }
      for (let i = 0, p = first; i < count; i++, p = nextRecord(meta, p)) {
        const seq = meta[p] as number;
        const exchange = exchanges[seq & SLOT_MASK];
        if (exchange !== undefined && exchange.seq === seq) handler(exchange, exchange);
      }
    }
  }

  // Requests still unanswered copy themselves out of the old slab, so a long-running handler does
  // not keep a whole slab alive; answered ones keep their views until collected.
  private replaceSlab(slab: ArrayBuffer): void {
    const old = this.slabBytes;
    for (const entry of this.connections.values()) {
      for (const exchange of entry.exchanges) if (exchange?.usesSlab(old)) exchange.detach();
    }
    this.slabMeta = new Uint32Array(slab);
    this.slabBytes = Buffer.from(slab);
  }

  private onBody(
    handle: number,
    seq: number,
    chunk: Buffer | undefined,
    events: number,
    trailers: string | undefined,
  ): boolean {
    const exchange = this.connections.get(handle)?.exchanges[seq & SLOT_MASK];
    if (exchange?.seq !== seq) return true;
    return exchange.bodyEvent(chunk, events, trailers);
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
    for (const exchange of entry.exchanges) exchange?.connectionClosed();
    for (const resolve of entry.drainWaiters) resolve();
  }
}
