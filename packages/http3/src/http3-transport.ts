// Core's Transport on QUIC: @fasterapi/native owns the UDP socket and timers, the addon of
// @fasterapi/http3-native speaks QUIC + HTTP/3, and this class turns the addon's batched events
// into per-stream exchanges for core's handler.
import type { RequestHandler, Transport, TransportAddress, TransportStats } from "@fasterapi/core";
import {
  EVENT_BODY,
  EVENT_CLOSED,
  EVENT_DRAIN,
  EVENT_REQUEST,
  type Http3Server,
  loadHttp3Addon,
} from "@fasterapi/http3-native";
import { Engine, engineApi, NativeAddonError } from "@fasterapi/native";
import { type ExchangeOwner, Http3Exchange } from "./http3-exchange.js";
import type { ResolvedHttp3Options } from "./http3-options.js";

const UNAVAILABLE =
  "http3(): HTTP/3 needs the native addon @fasterapi/http3-native (ngtcp2, nghttp3 and GnuTLS at run time); " +
  "it did not load. Node has no QUIC of its own, so there is no JS fallback.";

/** Whether listen() can work: the engine and the HTTP/3 addon both load. */
export function http3Available(): boolean {
  return loadHttp3Addon() !== null && engineApi() !== null;
}

export class Http3Transport implements Transport, ExchangeOwner {
  readonly name = "http3";
  #server: Http3Server | undefined;
  #engine: Engine | undefined;
  #handler: RequestHandler | undefined;
  // Keyed by conn * 2^32 + stream index (stream ids are below 2^62; client bidi ids are 4n).
  readonly #exchanges = new Map<number, Http3Exchange>();
  readonly #drainWaiters = new Map<Http3Exchange, () => void>();

  constructor(readonly options: ResolvedHttp3Options) {}

  get server(): Http3Server {
    if (this.#server === undefined) throw new Error("Http3Transport: listen() has not been called");
    return this.#server;
  }

  /** The bound UDP port, once listening. */
  port: number | undefined;

  async listen(handler: RequestHandler): Promise<TransportAddress> {
    const o = this.options;
    const addon = loadHttp3Addon();
    const api = engineApi();
    if (addon === null || api === null) {
      if (o.ifUnavailable === "skip") {
        console.warn(`${UNAVAILABLE} Skipping HTTP/3 (ifUnavailable: "skip").`);
        return { host: o.host, port: 0, scheme: "h3" };
      }
      throw new NativeAddonError(UNAVAILABLE);
    }
    this.#handler = handler;
    this.#server = addon.createServer(
      api,
      { onEvents: (words, values) => this.#onEvents(words, values) },
      {
        maxStreams: o.maxStreams,
        streamWindow: o.streamWindow,
        connectionWindow: o.connectionWindow,
        idleTimeoutMs: o.idleTimeoutMs,
        maxHeaderBytes: o.maxHeaderBytes,
        retry: o.retry,
        retryLoadThreshold: o.retryLoadThreshold,
        maxConnections: o.maxConnections,
        qpackTableCapacity: 4096,
        qpackBlockedStreams: 16,
      },
      o.key,
      o.cert,
    );
    const engine = new Engine();
    this.port = await engine.bindUdp(
      { host: o.host, port: o.port, maxDatagramSize: 1500 },
      this.#server.protocol,
    );
    this.#engine = engine;
    return { host: o.host, port: this.port, scheme: "h3" };
  }

  async close(graceMs: number): Promise<void> {
    const engine = this.#engine;
    if (engine === undefined) return;
    this.#engine = undefined;
    await engine.close(graceMs);
  }

  stats(): TransportStats {
    const s = this.#server?.stats();
    return {
      connections: s?.connections ?? 0,
      activeConnections: s?.activeConnections ?? 0,
      requests: s?.requests ?? 0,
      bytesIn: s?.bytesIn ?? 0,
      bytesOut: s?.bytesOut ?? 0,
      versionNegotiations: s?.versionNegotiations ?? 0,
      retries: s?.retries ?? 0,
      statelessResets: s?.statelessResets ?? 0,
      droppedDatagrams: s?.droppedDatagrams ?? 0,
      handshakeFailures: s?.handshakeFailures ?? 0,
    };
  }

  // ---- ExchangeOwner ----

  waitForDrain(exchange: Http3Exchange): Promise<void> {
    return new Promise((resolve) => this.#drainWaiters.set(exchange, resolve));
  }

  release(exchange: Http3Exchange): void {
    this.#exchanges.delete(key(exchange.conn, exchange.streamId));
    this.#wakeWriter(exchange);
  }

  // ---- addon events ----

  #onEvents(words: Float64Array, values: unknown[]): void {
    const handler = this.#handler as RequestHandler;
    let next = 0;
    for (let i = 0; i < words.length; i += 3) {
      const word = words[i] as number;
      const kind = word >> 1;
      const flag = (word & 1) === 1;
      const conn = words[i + 1] as number;
      const stream = words[i + 2] as number;
      if (kind === EVENT_REQUEST) {
        const head = values[next++] as string;
        const afterMethod = head.indexOf("\0");
        const afterPath = head.indexOf("\0", afterMethod + 1);
        const exchange = new Http3Exchange(
          this,
          conn,
          stream,
          head.slice(0, afterMethod),
          head.slice(afterMethod + 1, afterPath),
          head.slice(afterPath + 1),
          flag,
        );
        this.#exchanges.set(key(conn, stream), exchange);
        handler(exchange, exchange);
        continue;
      }
      const chunk = kind === EVENT_BODY ? (values[next++] as Buffer | undefined) : undefined;
      const exchange = this.#exchanges.get(key(conn, stream));
      if (exchange === undefined) continue;
      if (kind === EVENT_BODY) exchange.bodyChunk(chunk, flag);
      else if (kind === EVENT_DRAIN) this.#wakeWriter(exchange);
      else if (kind === EVENT_CLOSED) exchange.closed(flag);
    }
  }

  #wakeWriter(exchange: Http3Exchange): void {
    const resolve = this.#drainWaiters.get(exchange);
    if (resolve === undefined) return;
    this.#drainWaiters.delete(exchange);
    resolve();
  }
}

function key(conn: number, stream: number): number {
  return conn * 2 ** 32 + stream / 4;
}
