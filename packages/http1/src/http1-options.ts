// The options of the HTTP/1.1 transport and their defaults, checked once when the plugin is created
// so a bad value fails at start-up with a message naming the option. This is the only place the
// defaults live: both engines read the resolved values, and the native one passes every limit and
// timeout to the addon. It does not start anything.

/** TLS material for HTTPS (PEM strings or buffers, as node:tls takes them). */
export interface Http1TlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
}

/** The listener options (port, host, limits, timeouts, TLS) plus the choice of engine. */
export interface Http1Options {
  /** TCP port; 0 picks a free one (read it from `await app.listen()`). Default 8000. */
  port?: number;
  /** Interface to bind. Default "0.0.0.0". */
  host?: string;
  /** Largest request line plus headers, in bytes; beyond it the client gets 431. Default 16 KiB. */
  maxHeaderBytes?: number;
  /** Time allowed to receive the request line and headers (408 after). Default 60 s. */
  headersTimeoutMs?: number;
  /** Time allowed to receive the whole request, body included (408 after); 0 disables. Default 300 s. */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. Default 5 s. */
  keepAliveTimeoutMs?: number;
  /** Requests served on one connection before it is closed; 0 means no limit. Default 0. */
  maxRequestsPerSocket?: number;
  /** Serve HTTPS with this key and certificate (PEM strings or buffers) instead of plain HTTP. */
  tls?: Http1TlsOptions;
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
  /** Native engine only: a longer request line gets 414 (node:http bounds it by maxHeaderBytes). */
  maxRequestLine: number;
  /** Native engine only: more header fields get 431 (node:http drops those beyond 2000). */
  maxHeaders: number;
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
  const maxHeaderBytes = integerOption("maxHeaderBytes", options.maxHeaderBytes, 16 * 1024, 1);
  return {
    port,
    host,
    maxHeaderBytes,
    // The request line is part of the head, so it can never be longer than the head limit.
    maxRequestLine: Math.min(8 * 1024, maxHeaderBytes),
    maxHeaders: 100,
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: integerOption("keepAliveTimeoutMs", options.keepAliveTimeoutMs, 5_000, 0),
    maxRequestsPerSocket: integerOption("maxRequestsPerSocket", options.maxRequestsPerSocket, 0, 0),
    tls,
    native,
  };
}
