// Connection settings the way libpq resolves them: explicit options win over the connection URL,
// the URL wins over PG* environment variables, which win over built-in defaults.
// It reads no files except an sslrootcert/PGSSLROOTCERT the user names; DATABASE_URL is the app's business.
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import type { ConnectionOptions as TlsOptions } from "node:tls";

/** libpq's sslmode values that this driver implements ("allow" is not: it prefers plaintext). */
export type SslMode = "disable" | "prefer" | "require" | "verify-ca" | "verify-full";

/** TLS settings: a mode plus any `tls.connect` options (ca, cert, key, servername...). */
export interface SslOptions extends TlsOptions {
  mode?: SslMode;
}

export interface ConnectionOptions {
  /** postgres://user:password@host:port/database?sslmode=...&application_name=... */
  url?: string;
  /** A host name, an IP address, or a directory holding the server's Unix socket (starts with "/"). */
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** `false` = disable, `true` = verify-full, a mode name, or TLS options with a mode. */
  ssl?: boolean | SslMode | SslOptions;
  applicationName?: string;
  /** Time allowed for TCP connect + TLS + startup + authentication. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /**
   * Who runs an unencrypted session's socket once it is authenticated: the C++ engine
   * (@fasterapi/pg-pool-native) or a net.Socket. Default: the engine when its addons load
   * (FASTERAPI_NATIVE=0 forces net.Socket); `true` makes a missing addon an error. TLS sessions
   * always stay on Node's TLS socket.
   */
  native?: boolean;
}

/** Fully resolved settings of one connection. */
export interface ConnectionConfig {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  sslMode: SslMode;
  tls: TlsOptions;
  applicationName: string | undefined;
  connectTimeoutMs: number;
  /** undefined: the engine when available (FASTERAPI_NATIVE decides); see ConnectionOptions.native. */
  native: boolean | undefined;
}

const SSL_MODES: readonly string[] = ["disable", "prefer", "require", "verify-ca", "verify-full"];

/** Debian's and most distributions' default socket directory (libpq's compiled-in default varies). */
const DEFAULT_SOCKET_DIR = "/var/run/postgresql";

function sslModeOf(value: string, source: string): SslMode {
  if (!SSL_MODES.includes(value)) {
    throw new TypeError(`${source}: unsupported sslmode "${value}" (use one of ${SSL_MODES.join(", ")})`);
  }
  return value as SslMode;
}

function portOf(value: string | number, source: string): number {
  const port = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`${source}: invalid port "${value}"`);
  }
  return port;
}

interface UrlSettings {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  sslMode?: SslMode;
  sslRootCert?: string;
  applicationName?: string;
  connectTimeoutMs?: number;
}

/** Parses a postgres:// or postgresql:// URL; the host may also come from ?host=/socket/dir. */
export function parseConnectionUrl(url: string): UrlSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`invalid PostgreSQL connection URL: ${redact(url)}`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new TypeError(
      `connection URL must start with postgres:// or postgresql://, got ${parsed.protocol}//`,
    );
  }
  const out: UrlSettings = {};
  const host = decodeURIComponent(parsed.hostname);
  if (host) out.host = host.startsWith("[") ? host.slice(1, -1) : host;
  if (parsed.port) out.port = portOf(parsed.port, "connection URL");
  if (parsed.username) out.user = decodeURIComponent(parsed.username);
  if (parsed.password) out.password = decodeURIComponent(parsed.password);
  const database = decodeURIComponent(parsed.pathname.slice(1));
  if (database) out.database = database;
  for (const [key, value] of parsed.searchParams) {
    switch (key) {
      case "host":
        out.host = value;
        break;
      case "port":
        out.port = portOf(value, "connection URL");
        break;
      case "user":
        out.user = value;
        break;
      case "password":
        out.password = value;
        break;
      case "dbname":
        out.database = value;
        break;
      case "sslmode":
        out.sslMode = sslModeOf(value, "connection URL");
        break;
      case "sslrootcert":
        out.sslRootCert = value;
        break;
      case "application_name":
        out.applicationName = value;
        break;
      case "connect_timeout":
        out.connectTimeoutMs = Number(value) * 1000;
        break;
      default:
        throw new TypeError(`connection URL: unsupported parameter "${key}"`);
    }
  }
  return out;
}

/** The URL with its password replaced, safe for error messages and logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}

function isLoopbackOrSocket(host: string): boolean {
  return host.startsWith("/") || host === "localhost" || host === "::1" || host.startsWith("127.");
}

/**
 * Resolves options + URL + environment into one config. Default sslmode: libpq's "prefer", except for
 * loopback and Unix sockets where TLS protects nothing and costs a handshake per connection ("disable").
 */
export function resolveConfig(
  options: ConnectionOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ConnectionConfig {
  const url = options.url ? parseConnectionUrl(options.url) : {};
  const host = options.host ?? url.host ?? env.PGHOST ?? DEFAULT_SOCKET_DIR;
  const port = portOf(options.port ?? url.port ?? env.PGPORT ?? 5432, "port");
  const user = options.user ?? url.user ?? env.PGUSER ?? userInfo().username;
  const database = options.database ?? url.database ?? env.PGDATABASE ?? user;
  const password = options.password ?? url.password ?? env.PGPASSWORD;

  let tls: TlsOptions = {};
  let sslMode: SslMode | undefined;
  const ssl = options.ssl;
  if (ssl === false) sslMode = "disable";
  else if (ssl === true) sslMode = "verify-full";
  else if (typeof ssl === "string") sslMode = sslModeOf(ssl, "ssl option");
  else if (ssl) {
    const { mode, ...rest } = ssl;
    tls = rest;
    sslMode = mode ? sslModeOf(mode, "ssl.mode option") : "verify-full";
  }
  sslMode ??= url.sslMode ?? (env.PGSSLMODE ? sslModeOf(env.PGSSLMODE, "PGSSLMODE") : undefined);
  sslMode ??= isLoopbackOrSocket(host) ? "disable" : "prefer";

  const rootCert = url.sslRootCert ?? env.PGSSLROOTCERT;
  if (rootCert && tls.ca === undefined && (sslMode === "verify-ca" || sslMode === "verify-full")) {
    tls = { ...tls, ca: readFileSync(rootCert) };
  }

  return {
    host,
    port,
    user,
    password,
    database,
    sslMode,
    tls,
    applicationName: options.applicationName ?? url.applicationName ?? env.PGAPPNAME,
    connectTimeoutMs: options.connectTimeoutMs ?? url.connectTimeoutMs ?? 10_000,
    native: options.native,
  };
}
