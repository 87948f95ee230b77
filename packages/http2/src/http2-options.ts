// The options of the HTTP/2 transport and their defaults, checked once when the plugin is created
// so a bad value fails at start-up with a message naming the option. This is the only place the
// defaults live: the node:http2 path and the native module both read the resolved values. The
// protocol limits follow RFC 9113 section 6.5.2 (ranges) and err on the side of a public server.

/** TLS material for h2 over TLS (PEM strings or buffers, as node:tls takes them). */
export interface Http2TlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
}

/** The listener, the HTTP/2 SETTINGS the server advertises, its defensive bounds and the engine. */
export interface Http2Options {
  /** TCP port; 0 picks a free one (read it from `await app.listen()`). Default 8443 with tls, else 8080. */
  port?: number;
  /** Interface to bind. Default "0.0.0.0". */
  host?: string;
  /** h2 over TLS, with ALPN "h2" (and "http/1.1" when allowHTTP1). Exactly one of tls and h2c. */
  tls?: Http2TlsOptions;
  /** Cleartext HTTP/2 with prior knowledge (RFC 9113 3.3). Exactly one of tls and h2c. */
  h2c?: boolean;
  /** With tls: serve HTTP/1.1 clients (ALPN "http/1.1" or none) on the same port. Default true. */
  allowHTTP1?: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS: more open streams are refused (REFUSED_STREAM). Default 128. */
  maxConcurrentStreams?: number;
  /** SETTINGS_INITIAL_WINDOW_SIZE: per-stream receive window, bytes. Default 65535. */
  initialWindowSize?: number;
  /** Connection-level receive window, bytes (raised by WINDOW_UPDATE after the preface). Default 1 MiB. */
  connectionWindowSize?: number;
  /** SETTINGS_MAX_FRAME_SIZE: largest frame payload the server accepts, 16384..16777215. Default 16384. */
  maxFrameSize?: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE: decoded header list bound, bytes (RFC 9113 6.5.2). Default 16 KiB. */
  maxHeaderListSize?: number;
  /** SETTINGS_HEADER_TABLE_SIZE: HPACK dynamic table the client may use, bytes. Default 4096. */
  headerTableSize?: number;
  /** A connection with no open stream is closed (GOAWAY) after this long. Default 60 s. */
  idleTimeoutMs?: number;
  /** The client must acknowledge the server's SETTINGS (and PINGs) within this long. Default 10 s. */
  settingsTimeoutMs?: number;
  /** Memory one session may hold for frames and headers before it is closed, MiB. Default 10. */
  maxSessionMemoryMiB?: number;
  /** Streams a client may reset per second before the connection ends with ENHANCE_YOUR_CALM. Default 100. */
  maxResetsPerSecond?: number;
  /**
   * Which engine serves the connections: `false` node:http2, `true` the native engine (an error
   * when it is not available), `"auto"` the native engine when available. Default "auto".
   */
  native?: boolean | "auto";
}

/** Every option with its default applied. */
export interface ResolvedHttp2Options {
  port: number;
  host: string;
  tls: Http2TlsOptions | undefined;
  allowHTTP1: boolean;
  maxConcurrentStreams: number;
  initialWindowSize: number;
  connectionWindowSize: number;
  maxFrameSize: number;
  maxHeaderListSize: number;
  headerTableSize: number;
  idleTimeoutMs: number;
  settingsTimeoutMs: number;
  maxSessionMemoryMiB: number;
  maxResetsPerSecond: number;
  native: boolean | "auto";
}

/** RFC 9113 6.5.2: windows are at most 2^31-1, frame sizes 2^14..2^24-1. */
const MAX_WINDOW = 2 ** 31 - 1;
const MIN_FRAME = 16_384;
const MAX_FRAME = 2 ** 24 - 1;

function integerOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `http2: option "${name}" must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}

export function resolveHttp2Options(options: Http2Options = {}): ResolvedHttp2Options {
  const tls = options.tls;
  const h2c = options.h2c ?? false;
  if (tls !== undefined && (tls.key === undefined || tls.cert === undefined)) {
    throw new TypeError(`http2: option "tls" needs both "key" and "cert"`);
  }
  // Browsers speak HTTP/2 only over TLS, and a cleartext port cannot tell h2c from HTTP/1.1 by ALPN.
  if ((tls === undefined) === !h2c) {
    throw new TypeError(`http2: give exactly one of "tls" (h2 over TLS) or "h2c: true" (cleartext)`);
  }
  const host = options.host ?? "0.0.0.0";
  if (typeof host !== "string" || host === "") {
    throw new TypeError(`http2: option "host" must be a non-empty string`);
  }
  const allowHTTP1 = options.allowHTTP1 ?? true;
  if (typeof allowHTTP1 !== "boolean") throw new TypeError(`http2: option "allowHTTP1" must be a boolean`);
  const native = options.native ?? "auto";
  if (native !== true && native !== false && native !== "auto") {
    throw new TypeError(`http2: option "native" must be true, false or "auto", got ${String(native)}`);
  }
  const initialWindowSize = integerOption(
    "initialWindowSize",
    options.initialWindowSize,
    65_535,
    0,
    MAX_WINDOW,
  );
  return {
    port: integerOption("port", options.port, tls === undefined ? 8080 : 8443, 0, 65_535),
    host,
    tls,
    allowHTTP1: tls !== undefined && allowHTTP1,
    maxConcurrentStreams: integerOption(
      "maxConcurrentStreams",
      options.maxConcurrentStreams,
      128,
      1,
      2 ** 31 - 1,
    ),
    initialWindowSize,
    // The connection window can only grow past its initial 65535 (RFC 9113 6.9.2).
    connectionWindowSize: integerOption(
      "connectionWindowSize",
      options.connectionWindowSize,
      1024 * 1024,
      65_535,
      MAX_WINDOW,
    ),
    maxFrameSize: integerOption("maxFrameSize", options.maxFrameSize, MIN_FRAME, MIN_FRAME, MAX_FRAME),
    maxHeaderListSize: integerOption(
      "maxHeaderListSize",
      options.maxHeaderListSize,
      16 * 1024,
      1024,
      2 ** 32 - 1,
    ),
    headerTableSize: integerOption("headerTableSize", options.headerTableSize, 4096, 0, 2 ** 32 - 1),
    idleTimeoutMs: integerOption("idleTimeoutMs", options.idleTimeoutMs, 60_000, 0, 2 ** 31 - 1),
    settingsTimeoutMs: integerOption("settingsTimeoutMs", options.settingsTimeoutMs, 10_000, 1, 2 ** 31 - 1),
    maxSessionMemoryMiB: integerOption("maxSessionMemoryMiB", options.maxSessionMemoryMiB, 10, 1, 1024),
    maxResetsPerSecond: integerOption("maxResetsPerSecond", options.maxResetsPerSecond, 100, 1, 1_000_000),
    native,
  };
}
