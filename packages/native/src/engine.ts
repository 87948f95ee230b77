// Typed wrapper over the native engine: listen (with host resolution, TLS PEM and SNI
// normalisation), protocol registration, UDP endpoints, promise-based graceful close, stats.
// It carries no protocol logic: protocol addons (http1-native, ...) supply ProtocolHandles.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import {
  type EngineAddon,
  type EngineApiHandle,
  type EngineHandle,
  type EngineStats,
  loadEngineAddon,
  type NativeEngine,
  type ProtocolHandle,
  type UdpProtocolHandle,
} from "./engine-addon.js";
import { NativeAddonError } from "./load-addon.js";

export type PemInput = string | Buffer;

export interface TlsOptions {
  key: PemInput;
  /** Leaf certificate, optionally followed by its chain. */
  cert: PemInput;
  /** Per server name (exact, or "*.example.com") key and certificate, picked by SNI. */
  sni?: Record<string, { key: PemInput; cert: PemInput }>;
}

export interface EngineListenOptions {
  /** IP address or host name; default "0.0.0.0". */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** SO_REUSEPORT (default true): several engines (worker threads) may bind one port. */
  reusePort?: boolean;
  tls?: TlsOptions;
  /**
   * TLS only: the ALPN ids this listener prefers, most preferred first (e.g. ["h2", "http/1.1"]).
   * A client gets the first one it offers that has a registered protocol; a client that offers
   * only others fails the handshake (no_application_protocol, RFC 7301 3.2), one that offers none
   * gets the listener's protocol. Default: every registered protocol, in registration order (and
   * the listener's protocol for a client offering none of them).
   */
  alpn?: readonly string[];
}

function alpnList(alpn: readonly string[] | undefined, tls: boolean): string[] | null {
  if (alpn === undefined) return null;
  if (!tls) throw new TypeError("alpn is a TLS option: pass tls as well");
  if (
    !Array.isArray(alpn) ||
    alpn.some((id) => typeof id !== "string" || id.length === 0 || id.length > 255)
  ) {
    throw new TypeError("alpn must be an array of protocol ids (1-255 characters each)");
  }
  return [...alpn];
}

export interface EngineUdpBindOptions {
  /** IP address or host name; default "0.0.0.0". "::" is dual-stack unless `ipv6Only`. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** SO_REUSEPORT (default true): several engines (worker threads) may bind one port. */
  reusePort?: boolean;
  /** IPv6 hosts only: refuse IPv4 datagrams (IPV6_V6ONLY). Default false. */
  ipv6Only?: boolean;
  /**
   * Receive slot size (1..65535, default 2048): longer datagrams are dropped and counted
   * (`udpTruncated`). Each endpoint reserves 64 slots of this size.
   */
  maxDatagramSize?: number;
  /** Use UDP GSO when the kernel offers it (default true); else the engine cuts trains itself. */
  gso?: boolean;
  /** SO_RCVBUF / SO_SNDBUF in bytes (default: the system's). */
  receiveBufferSize?: number;
  sendBufferSize?: number;
}

function optionalInteger(
  value: number | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer between ${min} and ${max}, got ${value}`);
  }
  return value;
}

async function resolveHost(host: string): Promise<string> {
  return isIP(host) === 0 ? (await lookup(host)).address : host;
}

function pem(value: PemInput, what: string): Buffer {
  if (typeof value === "string") return Buffer.from(value);
  if (Buffer.isBuffer(value)) return value;
  throw new TypeError(`${what} must be a PEM string or Buffer`);
}

/** One native engine on this thread's event loop. */
export class Engine {
  readonly #native: NativeEngine;
  readonly #addon: EngineAddon;
  // Handles stay referenced from JS while the engine may use them (belt and braces: the
  // addons also reference-count the C side).
  readonly #protocols = new Set<ProtocolHandle | UdpProtocolHandle>();
  #handle: EngineHandle | undefined;

  /** Throws NativeAddonError when the engine addon is not available. */
  constructor(addon: EngineAddon | null = loadEngineAddon()) {
    if (addon === null) {
      throw new NativeAddonError(
        "the FasterAPI native engine is not available (build it with `pnpm build:native`)",
      );
    }
    this.#addon = addon;
    this.#native = new addon.Engine();
  }

  /** The function table to hand to protocol addons (`attach(api)` / `createProtocol(api)`). */
  get api(): EngineApiHandle {
    return this.#addon.engineApi();
  }

  /** This engine for protocol addons that arm timers or turn hooks outside connections. */
  get handle(): EngineHandle {
    this.#handle ??= this.#native.handle();
    return this.#handle;
  }

  /** Binds and listens; resolves to the bound port. `protocol` serves its connections. */
  async listen(options: EngineListenOptions = {}, protocol?: ProtocolHandle): Promise<number> {
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`port must be an integer between 0 and 65535, got ${port}`);
    }
    const alpn = alpnList(options.alpn, options.tls !== undefined);
    const host = await resolveHost(options.host ?? "0.0.0.0");
    const tls = options.tls
      ? {
          key: pem(options.tls.key, "tls.key"),
          cert: pem(options.tls.cert, "tls.cert"),
          sni: Object.entries(options.tls.sni ?? {}).map(([name, pair]): [string, Buffer, Buffer] => [
            name,
            pem(pair.key, `tls.sni["${name}"].key`),
            pem(pair.cert, `tls.sni["${name}"].cert`),
          ]),
          alpn,
        }
      : null;
    if (protocol !== undefined) this.#protocols.add(protocol);
    return this.#native.listen(host, port, options.reusePort ?? true, tls, protocol ?? null);
  }

  /** Makes `protocol` selectable by its name (ALPN id such as "h2") on this engine. */
  registerProtocol(protocol: ProtocolHandle): void {
    this.#native.registerProtocol(protocol);
    this.#protocols.add(protocol);
  }

  /**
   * Takes over an already connected stream socket (TCP or Unix), for clients that did their own
   * handshake in JS: the engine works on a duplicate of `fd` (the caller still closes its own) and
   * `protocol` serves it from now on. Returns the connection id the protocol sees.
   */
  adopt(fd: number, protocol: ProtocolHandle): number {
    if (!Number.isInteger(fd) || fd < 0) throw new TypeError(`fd must be a file descriptor, got ${fd}`);
    this.#protocols.add(protocol);
    return this.#native.adopt(fd, protocol);
  }

  /**
   * Binds a UDP endpoint (e.g. for QUIC) served by `protocol`; resolves to the bound port.
   * The endpoint lives until its module closes it or the engine closes.
   */
  async bindUdp(options: EngineUdpBindOptions, protocol: UdpProtocolHandle): Promise<number> {
    const bind = {
      host: await resolveHost(options.host ?? "0.0.0.0"),
      port: optionalInteger(options.port, "port", 0, 65535, 0),
      reusePort: options.reusePort ?? true,
      ipv6Only: options.ipv6Only ?? false,
      maxDatagramSize: optionalInteger(options.maxDatagramSize, "maxDatagramSize", 1, 65535, 2048),
      gso: options.gso ?? true,
      receiveBufferSize: optionalInteger(options.receiveBufferSize, "receiveBufferSize", 0, 2 ** 31 - 1, 0),
      sendBufferSize: optionalInteger(options.sendBufferSize, "sendBufferSize", 0, 2 ** 31 - 1, 0),
    };
    this.#protocols.add(protocol);
    return this.#native.bindUdp(bind, protocol);
  }

  /**
   * Stops accepting, asks every connection's protocol to finish (idle ones close at once),
   * and resets whatever is still open after `graceMs`. UDP endpoints close too (their modules
   * may finish first). The engine may listen again afterwards.
   */
  close(graceMs = 10_000): Promise<void> {
    if (!Number.isInteger(graceMs) || graceMs < 0) {
      throw new RangeError(`graceMs must be a non-negative integer, got ${graceMs}`);
    }
    return new Promise((resolve) => this.#native.close(graceMs, resolve));
  }

  stats(): EngineStats {
    return this.#native.stats();
  }
}

/** The engine API handle for protocol addons, or null when the engine addon is unavailable. */
export function engineApi(): EngineApiHandle | null {
  return loadEngineAddon()?.engineApi() ?? null;
}
