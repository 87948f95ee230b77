// Core's Transport on the C++ engine: @fasterapi/native owns the sockets and TLS, the addon of
// @fasterapi/http2-native runs nghttp2, and this class routes the addon's batched events to
// per-stream exchanges and hands those to core. h2c listens with the HTTP/2 module alone; TLS
// listens with ALPN ["h2", "http/1.1"] and, with allowHTTP1, registers @fasterapi/http1's native
// HTTP/1.1 module on the same engine, so one port serves both.
import type { RequestHandler, Transport, TransportAddress, TransportStats } from "@fasterapi/core";
import { NativeHttp1Transport } from "@fasterapi/http1";
import { type Http2Protocol, loadHttp2Addon, RECORD_WORDS } from "@fasterapi/http2-native";
import { Engine, engineApi, NativeAddonError, nativeMode } from "@fasterapi/native";
import type { ResolvedHttp2Options } from "./http2-options.js";
import { type H2ExchangeOwner, NativeH2Exchange } from "./native-h2-exchange.js";

/** Whether both native addons (engine and http2) load. FASTERAPI_NATIVE=0 is read on every call. */
export function nativeHttp2Available(): boolean {
  if (nativeMode() === "js") return false;
  return loadHttp2Addon() !== null && engineApi() !== null;
}

/** Exchanges of one connection still expecting events, by stream id. */
type StreamMap = Map<number, NativeH2Exchange>;

export class NativeHttp2Transport implements Transport, H2ExchangeOwner {
  readonly name = "http2";
  readonly options: ResolvedHttp2Options;
  private readonly connections = new Map<number, StreamMap>();
  private readonly drainWaiters = new Map<NativeH2Exchange, () => void>();
  private engine: Engine | undefined;
  private native: Http2Protocol | undefined;
  private http1: NativeHttp1Transport | undefined;
  private handler: RequestHandler | undefined;
  private handlerErrors = 0;

  constructor(options: ResolvedHttp2Options) {
    this.options = options;
  }

  get protocol(): Http2Protocol {
    if (this.native === undefined) throw new Error("NativeHttp2Transport: listen() has not been called");
    return this.native;
  }

  async listen(handler: RequestHandler): Promise<TransportAddress> {
    if (this.engine !== undefined) throw new Error("NativeHttp2Transport: already listening");
    this.handler = handler;
    const o = this.options;
    const addon = loadHttp2Addon();
    const api = engineApi();
    if (addon === null || api === null) {
      throw new NativeAddonError(
        "NativeHttp2Transport: the http2 addon or the engine addon is not built (run `pnpm build:native`)",
      );
    }
    this.native = addon.createProtocol(
      api,
      {
        onRequests: (records) => this.onRequests(records),
        onBody: (handle, id, chunk, events, trailers) =>
          this.connections.get(handle)?.get(id)?.bodyEvent(chunk, events, trailers) ?? true,
        onDrain: (handle, id) => this.wake(this.connections.get(handle)?.get(id)),
        onStreamClosed: (handle, id) => this.onStreamClosed(handle, id),
      },
      {
        maxConcurrentStreams: o.maxConcurrentStreams,
        initialWindowSize: o.initialWindowSize,
        connectionWindowSize: o.connectionWindowSize,
        maxFrameSize: o.maxFrameSize,
        maxHeaderListSize: o.maxHeaderListSize,
        headerTableSize: o.headerTableSize,
        idleTimeoutMs: o.idleTimeoutMs,
        settingsTimeoutMs: o.settingsTimeoutMs,
        maxSessionMemory: o.maxSessionMemoryMiB * 1024 * 1024,
        maxResetsPerSecond: o.maxResetsPerSecond,
      },
    );
    const engine = new Engine();
    let listenWith = this.native.protocol;
    if (o.tls !== undefined && o.allowHTTP1) {
      // HTTP/1.1 is the listener's own protocol: it also serves clients that offer no ALPN.
      this.http1 = new NativeHttp1Transport({ host: o.host, tls: o.tls });
      listenWith = this.http1.attach(handler);
      engine.registerProtocol(this.native.protocol);
    }
    const port = await engine.listen(
      o.tls === undefined
        ? { host: o.host, port: o.port }
        : {
            host: o.host,
            port: o.port,
            tls: { key: o.tls.key, cert: o.tls.cert },
            alpn: o.allowHTTP1 ? ["h2", "http/1.1"] : ["h2"],
          },
      listenWith,
    );
    this.engine = engine;
    return { host: o.host, port, scheme: o.tls === undefined ? "h2c" : "https" };
  }

  async close(graceMs: number): Promise<void> {
    const engine = this.engine;
    if (engine === undefined) return;
    this.engine = undefined;
    await engine.close(graceMs);
  }

  stats(): TransportStats {
    const s = this.native?.stats();
    const h1 = this.http1?.stats();
    return {
      connections: (s?.connections ?? 0) + (h1?.connections ?? 0),
      activeConnections: (s?.activeConnections ?? 0) + (h1?.activeConnections ?? 0),
      requests: (s?.requests ?? 0) + (h1?.requests ?? 0),
      bytesIn: (s?.bytesIn ?? 0) + (h1?.bytesIn ?? 0),
      bytesOut: (s?.bytesOut ?? 0) + (h1?.bytesOut ?? 0),
      http1Requests: h1?.requests ?? 0,
      batches: s?.batches ?? 0,
      pushes: s?.pushes ?? 0,
      resetFloods: s?.resetFloods ?? 0,
      settingsTimeouts: s?.settingsTimeouts ?? 0,
      handlerErrors: this.handlerErrors,
      protocolErrors: s?.protocolErrors ?? 0,
      calmGoaways: s?.calmGoaways ?? 0,
    };
  }

  // ---- H2ExchangeOwner ----

  release(exchange: NativeH2Exchange): void {
    const streams = this.connections.get(exchange.handle);
    if (streams === undefined || streams.get(exchange.streamId) !== exchange) return;
    streams.delete(exchange.streamId);
    if (streams.size === 0) this.connections.delete(exchange.handle);
  }

  waitForDrain(exchange: NativeH2Exchange): Promise<void> {
    return new Promise((resolve) => this.drainWaiters.set(exchange, resolve));
  }

  // ---- addon events ----

  private onRequests(records: (number | string)[]): void {
    const handler = this.handler as RequestHandler;
    const exchanges: NativeH2Exchange[] = [];
    for (let at = 0; at < records.length; at += RECORD_WORDS) {
      const exchange = new NativeH2Exchange(this, records, at);
      let streams = this.connections.get(exchange.handle);
      if (streams === undefined) {
        streams = new Map();
        this.connections.set(exchange.handle, streams);
      }
      streams.set(exchange.streamId, exchange);
      exchanges.push(exchange);
    }
    for (const exchange of exchanges) {
      try {
        handler(exchange, exchange);
      } catch {
        // One stream's failure is that stream's: a 500 if nothing was sent yet.
        this.handlerErrors++;
        if (!exchange.aborted) exchange.send(500, [], null);
      }
    }
  }

  private wake(exchange: NativeH2Exchange | undefined): void {
    if (exchange === undefined) return;
    const resolve = this.drainWaiters.get(exchange);
    this.drainWaiters.delete(exchange);
    resolve?.();
  }

  private onStreamClosed(handle: number, id: number): void {
    const exchange = this.connections.get(handle)?.get(id);
    if (exchange === undefined) return;
    this.release(exchange);
    exchange.streamClosed();
    this.wake(exchange);
  }
}
