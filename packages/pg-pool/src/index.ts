// @fasterapi/pg-pool: a pipelining, binary-protocol PostgreSQL client and pool on @fasterapi/pg-codec,
// with transactions, COPY streams, LISTEN/NOTIFY and a FasterAPI plugin. The embedded server for
// development lives in the "@fasterapi/pg-pool/embedded" subpath so applications do not load it.
export {
  type ConnectionOptions,
  parseConnectionUrl,
  resolveConfig,
  type SslMode,
  type SslOptions,
} from "./config.js";
export { CopyFromStream, type CopyRowsOptions, CopyToStream } from "./copy.js";
export {
  AcquireTimeoutError,
  ConnectionClosedError,
  NoRowsError,
  PgError,
  TooManyRowsError,
} from "./errors.js";
export type { AuthMethod } from "./handshake.js";
export type { NotificationHandler } from "./listener.js";
export { type PgPluginOptions, pg, pgConnection, pgReady } from "./plugin.js";
export { PgPool, type PoolOptions, type PoolStats } from "./pool.js";
export { PooledConnection } from "./pooled-connection.js";
export { QUERY_END_CHANNEL, QUERY_START_CHANNEL, type QueryEvent } from "./query-events.js";
export type { QueryOptions, QueryResult, Row } from "./queryable.js";
export type { SessionSocketKind } from "./session-socket.js";
export { type IsolationLevel, Transaction, type TransactionOptions } from "./transaction.js";
