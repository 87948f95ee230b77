// The options of the HTTP/1.1 transport and their defaults, checked once when the plugin is created
// so a bad value fails at start-up with a message naming the option. It does not start anything;
// the transports read the resolved values.

import type { NativeHttp1Options } from "@fasterapi/http1-native";

/** TLS material for HTTPS (PEM strings or buffers, as node:tls takes them). */
export type Http1TlsOptions = NonNullable<NativeHttp1Options["tls"]>;

/** The listener options (port, host, limits, timeouts, TLS) plus the choice of engine. */
export interface Http1Options extends NativeHttp1Options {
  /**
   * Which engine serves the connections: `false` the node:http path, `true` the native C++ engine
   * (an error when it is not available), `"auto"` the native engine when available. Default "auto".
   */
  native?: boolean | "auto";
}

/** Every option with its default applied. */
export interface ResolvedHttp1Options {
  port: number;
  host: string;
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxRequestsPerSocket: number;
  tls: Http1TlsOptions | undefined;
  native: boolean | "auto";
}

function integerOption(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`http1: option "${name}" must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export function resolveHttp1Options(options: Http1Options = {}): ResolvedHttp1Options {
  const port = integerOption("port", options.port, 8000, 0);
  if (port > 65535) throw new TypeError(`http1: option "port" must be <= 65535, got ${port}`);
  const host = options.host ?? "0.0.0.0";
  if (typeof host !== "string" || host === "") {
    throw new TypeError(`http1: option "host" must be a non-empty string`);
  }
  const headersTimeoutMs = integerOption("headersTimeoutMs", options.headersTimeoutMs, 60_000, 1);
  const requestTimeoutMs = integerOption("requestTimeoutMs", options.requestTimeoutMs, 300_000, 0);
  // node:http refuses a headers timeout longer than a non-zero request timeout; say it in our terms.
  if (requestTimeoutMs !== 0 && headersTimeoutMs > requestTimeoutMs) {
    throw new RangeError(
      `http1: "headersTimeoutMs" (${headersTimeoutMs}) must not exceed "requestTimeoutMs" (${requestTimeoutMs})`,
    );
  }
  const tls = options.tls;
  if (tls !== undefined && (tls.key === undefined || tls.cert === undefined)) {
    throw new TypeError(`http1: option "tls" needs both "key" and "cert"`);
  }
  const native = options.native ?? "auto";
  if (native !== true && native !== false && native !== "auto") {
    throw new TypeError(`http1: option "native" must be true, false or "auto", got ${String(native)}`);
  }
  return {
    port,
    host,
    maxHeaderBytes: integerOption("maxHeaderBytes", options.maxHeaderBytes, 16 * 1024, 1),
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: integerOption("keepAliveTimeoutMs", options.keepAliveTimeoutMs, 5_000, 0),
    maxRequestsPerSocket: integerOption("maxRequestsPerSocket", options.maxRequestsPerSocket, 0, 0),
    tls,
    native,
  };
}
