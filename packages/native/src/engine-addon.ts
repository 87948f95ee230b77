// The shape of the engine addon (fasterapi_engine.node) as JS sees it, and the one place that
// loads it. Protocol addons never import this: they receive `engineApi()` through JS.
import { loadAddon, platformPackage } from "./load-addon.js";

declare const engineApiBrand: unique symbol;
declare const protocolBrand: unique symbol;
declare const engineHandleBrand: unique symbol;
declare const udpProtocolBrand: unique symbol;

/** The engine's C function table (`const fa_engine_api*`) as a type-tagged external. */
export type EngineApiHandle = { readonly [engineApiBrand]: true };
/** A protocol module (`fa_protocol*`) created by a protocol addon, as a type-tagged external. */
export type ProtocolHandle = { readonly [protocolBrand]: true };
/** One engine (`fa_engine*`) as a type-tagged external, for modules that arm timers or turn hooks. */
export type EngineHandle = { readonly [engineHandleBrand]: true };
/** A UDP module (`fa_udp_protocol*`, e.g. HTTP/3) created by a UDP addon, as a type-tagged external. */
export type UdpProtocolHandle = { readonly [udpProtocolBrand]: true };

/** Every field of `Engine.bindUdp`'s options, checked and defaulted by the wrapper. */
export interface NativeUdpBindOptions {
  host: string;
  port: number;
  reusePort: boolean;
  ipv6Only: boolean;
  maxDatagramSize: number;
  gso: boolean;
  /** SO_RCVBUF / SO_SNDBUF in bytes; 0 keeps the system default. */
  receiveBufferSize: number;
  sendBufferSize: number;
}

export interface NativeTlsOptions {
  key: Buffer;
  cert: Buffer;
  sni: Array<[name: string, key: Buffer, cert: Buffer]>;
  /** ALPN ids in server preference order; null: registration order. */
  alpn: string[] | null;
}

export interface EngineStats {
  /** Connections accepted (or adopted) since the engine was created. */
  connections: number;
  /** Connections open right now. */
  active: number;
  /** Bytes read from sockets (TLS: ciphertext). */
  bytesIn: number;
  /** Bytes written to sockets (TLS: ciphertext). */
  bytesOut: number;
  tlsHandshakes: number;
  tlsErrors: number;
  /** Listening sockets. */
  listeners: number;
  /** Bound UDP endpoints. */
  udpEndpoints: number;
  /** Datagrams handed to UDP modules, and their payload bytes. */
  udpDatagramsIn: number;
  udpBytesIn: number;
  /** Datagrams handed to the kernel (a GSO train counts as its datagrams), and their bytes. */
  udpDatagramsOut: number;
  udpBytesOut: number;
  /** Received datagrams longer than `maxDatagramSize`: dropped, never delivered. */
  udpTruncated: number;
  /** Datagrams the kernel refused to send (e.g. no route): skipped. */
  udpSendErrors: number;
  /** Datagrams dropped because the send queue was full, or still queued when an endpoint closed. */
  udpSendDropped: number;
}

export interface NativeEngine {
  listen(
    host: string,
    port: number,
    reusePort: boolean,
    tls: NativeTlsOptions | null,
    protocol: ProtocolHandle | null,
  ): number;
  registerProtocol(protocol: ProtocolHandle): void;
  /** Serves a duplicate of the connected socket `fd` with `protocol`; returns the connection id. */
  adopt(fd: number, protocol: ProtocolHandle): number;
  /** Binds a UDP endpoint served by `protocol`; returns the bound port. */
  bindUdp(options: NativeUdpBindOptions, protocol: UdpProtocolHandle): number;
  close(graceMs: number, done: () => void): void;
  stats(): EngineStats;
  handle(): EngineHandle;
}

export interface EngineAddon {
  Engine: new () => NativeEngine;
  engineApi(): EngineApiHandle;
  abiVersion: number;
}

let cached: EngineAddon | null | undefined;

/** The engine addon, or null when the JS path is in use (see loadAddon). Loaded once. */
export function loadEngineAddon(): EngineAddon | null {
  if (cached === undefined) {
    cached = loadAddon<EngineAddon>({
      name: "fasterapi_engine",
      localBuildDir: new URL("..", import.meta.url),
      prebuiltPackage: () => platformPackage("@fasterapi/native"),
    });
  }
  return cached;
}
