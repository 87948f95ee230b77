// The query surface shared by the pool, a borrowed connection and a transaction: `query` is each
// one's own; `one`, `maybeOne` and `many` are derived from it here once. No I/O happens in this file.
import type { FieldDescription } from "@fasterapi/pg-codec";
import { NoRowsError, TooManyRowsError } from "./errors.js";

export type Row = Record<string, unknown>;

export interface QueryOptions {
  /** "object" (default): one object per row keyed by column name; "array": values in column order. */
  rowMode?: "object" | "array";
  /**
   * Cancels the query: if it already reached the server, a CancelRequest is sent and the query rejects
   * with the server's PgError 57014; if it had not been sent yet, it rejects with `signal.reason`.
   */
  signal?: AbortSignal;
  /**
   * Client-side statement timeout: after this many ms a CancelRequest is sent (same path as `signal`),
   * so the query rejects with PgError 57014. Needs no SET, works inside transactions and pipelines.
   */
  statementTimeoutMs?: number;
}

export interface QueryResult<R = Row> {
  rows: R[];
  /** Rows returned or affected as the server's command tag reports it (rows.length when it does not). */
  rowCount: number;
  /** The command tag's verb, e.g. "SELECT", "INSERT", "CREATE TABLE". */
  command: string;
  fields: FieldDescription[];
}

export abstract class Queryable {
  abstract query<R = Row>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>>;

  /** Exactly one row, else NoRowsError / TooManyRowsError. */
  async one<R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<R> {
    const row = await this.maybeOne<R>(sql, params, options);
    if (row === null) throw new NoRowsError(sql);
    return row;
  }

  /** The row, or null when there is none; TooManyRowsError when there are several. */
  async maybeOne<R = Row>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<R | null> {
    const { rows } = await this.query<R>(sql, params, options);
    if (rows.length > 1) throw new TooManyRowsError(sql, rows.length);
    return rows[0] ?? null;
  }

  /** All rows. */
  async many<R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]> {
    return (await this.query<R>(sql, params, options)).rows;
  }
}
