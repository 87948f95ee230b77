// http3() options, checked and defaulted once when the plugin is created.
import type { PemInput } from "@fasterapi/native";

export interface Http3Options {
  /** UDP port (usually the HTTPS port of the TCP transports); default 8443, 0 picks a free one. */
  port?: number;
  /** Default "0.0.0.0". */
  host?: string;
  /** TLS 1.3 key and certificate chain (PEM). Required: QUIC has no plaintext mode. */
  tls: { key: PemInput; cert: PemInput };
  /** Concurrent request streams per connection (default 100). */
  maxStreams?: number;
  /** Flow-control windows in bytes: per stream (default 256 KiB) and per connection (default 1 MiB). */
  streamWindow?: number;
  connectionWindow?: number;
  /** Idle timeout of a connection in ms (default 30 s). */
  idleTimeoutMs?: number;
  /** Decoded request header section limit in bytes (default 16 KiB); larger requests get 431. */
  maxHeaderBytes?: number;
  /** Address validation with Retry: "always", "under-load" (the default) or "never". */
  retry?: "always" | "under-load" | "never";
  /** With retry "under-load": new clients must answer a Retry once this many connections are open (default 256). */
  retryLoadThreshold?: number;
  /** Connections at most (default 10 000); further Initials are dropped. */
  maxConnections?: number;
  /** 0-RTT (early data) is off: replayable requests are a risk this transport does not take. */
  earlyData?: false;
  /** Seconds clients may remember the Alt-Svc advertisement (default 86400). */
  altSvcMaxAge?: number;
  /** `"skip"`: without the native addon, log one line and serve nothing instead of failing listen(). */
  ifUnavailable?: "fail" | "skip";
}

export interface ResolvedHttp3Options {
  port: number;
  host: string;
  key: string;
  cert: string;
  maxStreams: number;
  streamWindow: number;
  connectionWindow: number;
  idleTimeoutMs: number;
  maxHeaderBytes: number;
  retry: 0 | 1 | 2;
  retryLoadThreshold: number;
  maxConnections: number;
  altSvcMaxAge: number;
  ifUnavailable: "fail" | "skip";
}

function integer(
  value: number | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`http3(): ${name} must be an integer between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function pemText(value: PemInput | undefined, name: string): string {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("latin1");
  throw new TypeError(`http3(): tls.${name} must be a PEM string or Buffer`);
}

const RETRY = { never: 0, "under-load": 1, always: 2 } as const;

export function resolveHttp3Options(options: Http3Options): ResolvedHttp3Options {
  if (options?.tls === undefined)
    throw new TypeError("http3(): tls: { key, cert } is required (QUIC is always TLS 1.3)");
  if (options.earlyData !== undefined && options.earlyData !== false) {
    throw new TypeError("http3(): earlyData (0-RTT) is not supported: replayed requests are unsafe");
  }
  const retry = options.retry ?? "under-load";
  if (!(retry in RETRY))
    throw new TypeError(`http3(): retry must be "always", "under-load" or "never", got ${retry}`);
  const ifUnavailable = options.ifUnavailable ?? "fail";
  if (ifUnavailable !== "fail" && ifUnavailable !== "skip") {
    throw new TypeError(`http3(): ifUnavailable must be "fail" or "skip", got ${ifUnavailable}`);
  }
  return {
    port: integer(options.port, "port", 0, 65535, 8443),
    host: options.host ?? "0.0.0.0",
    key: pemText(options.tls.key, "key"),
    cert: pemText(options.tls.cert, "cert"),
    maxStreams: integer(options.maxStreams, "maxStreams", 1, 10_000, 100),
    streamWindow: integer(options.streamWindow, "streamWindow", 1024, 2 ** 30, 256 * 1024),
    connectionWindow: integer(options.connectionWindow, "connectionWindow", 1024, 2 ** 31, 1024 * 1024),
    idleTimeoutMs: integer(options.idleTimeoutMs, "idleTimeoutMs", 1, 3_600_000, 30_000),
    maxHeaderBytes: integer(options.maxHeaderBytes, "maxHeaderBytes", 256, 1024 * 1024, 16 * 1024),
    retry: RETRY[retry],
    retryLoadThreshold: integer(options.retryLoadThreshold, "retryLoadThreshold", 0, 1_000_000, 256),
    maxConnections: integer(options.maxConnections, "maxConnections", 1, 1_000_000, 10_000),
    altSvcMaxAge: integer(options.altSvcMaxAge, "altSvcMaxAge", 0, 2 ** 31 - 1, 86_400),
    ifUnavailable,
  };
}
