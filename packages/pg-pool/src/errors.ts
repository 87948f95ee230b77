// The errors this package throws, beside the server's own PgError (re-exported from pg-codec).
// Each says what happened and what the caller can do; none of them is thrown for a server error.
export { PgError } from "@fasterapi/pg-codec";

/** `one()` found no row. */
export class NoRowsError extends Error {
  override readonly name = "NoRowsError";
  constructor(readonly sql: string) {
    super(`expected one row, the query returned none: ${abbreviate(sql)}`);
  }
}

/** `one()` or `maybeOne()` found more than one row. */
export class TooManyRowsError extends Error {
  override readonly name = "TooManyRowsError";
  constructor(
    readonly sql: string,
    readonly rowCount: number,
  ) {
    super(`expected at most one row, the query returned ${rowCount}: ${abbreviate(sql)}`);
  }
}

/** No connection became available within `acquireTimeoutMs`. */
export class AcquireTimeoutError extends Error {
  override readonly name = "AcquireTimeoutError";
  constructor(
    readonly timeoutMs: number,
    readonly stats: { total: number; borrowed: number; pending: number; max: number },
  ) {
    super(
      `no PostgreSQL connection available after ${timeoutMs} ms ` +
        `(max ${stats.max}, ${stats.total} open, ${stats.borrowed} borrowed, ${stats.pending} waiting); ` +
        "raise max or acquireTimeoutMs, or release connections sooner",
    );
  }
}

/**
 * The connection closed (server restart, pg_terminate_backend, network loss, pool.end()) while the
 * operation was waiting for its answer; `cause` holds the server's FATAL error or the socket error.
 */
export class ConnectionClosedError extends Error {
  override readonly name = "ConnectionClosedError";
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`PostgreSQL connection closed: ${reason}`, options);
  }
}

function abbreviate(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
