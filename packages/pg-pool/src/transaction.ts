// Transactions on one borrowed connection: BEGIN (awaited before any statement of the body is sent),
// the body, COMMIT, or ROLLBACK on error; retries of serialization failures (40001) and deadlocks (40P01)
// with jittered, bounded backoff; nested savepoints. It does not pick connections: the caller lends one.
import { PgError } from "@fasterapi/pg-codec";
import type { Connection } from "./connection.js";
import { Copyable } from "./copyable.js";
import { borrowedLease, type Lease } from "./lease.js";
import { type QueryOptions, type QueryResult, type Row } from "./queryable.js";

export type IsolationLevel = "serializable" | "repeatable read" | "read committed" | "read uncommitted";

export interface TransactionOptions {
  isolation?: IsolationLevel;
  readOnly?: boolean;
  /** Only meaningful with serializable + readOnly. */
  deferrable?: boolean;
  /**
   * How many times to run the whole body again after a serialization failure or deadlock. Default 3.
   * The body must therefore be safe to repeat (its database work is rolled back; other side effects are not).
   */
  retries?: number;
}

const ISOLATION_LEVELS: readonly string[] = [
  "serializable",
  "repeatable read",
  "read committed",
  "read uncommitted",
];
const RETRYABLE = new Set(["40001", "40P01"]);
const BACKOFF_BASE_MS = 10;
const BACKOFF_MAX_MS = 1000;

export function beginStatement(options: TransactionOptions): string {
  let sql = "BEGIN";
  if (options.isolation) {
    if (!ISOLATION_LEVELS.includes(options.isolation)) {
      throw new TypeError(
        `unknown isolation level "${options.isolation}" (use ${ISOLATION_LEVELS.join(", ")})`,
      );
    }
    sql += ` ISOLATION LEVEL ${options.isolation.toUpperCase()}`;
  }
  if (options.readOnly !== undefined) sql += options.readOnly ? " READ ONLY" : " READ WRITE";
  if (options.deferrable !== undefined) sql += options.deferrable ? " DEFERRABLE" : " NOT DEFERRABLE";
  return sql;
}

/** True for errors after which running the whole transaction again can succeed. */
export function isRetryable(error: unknown): boolean {
  const candidate = error instanceof PgError ? error : (error as { cause?: unknown } | null)?.cause;
  return candidate instanceof PgError && RETRYABLE.has(candidate.code);
}

/** Full-jitter exponential backoff: uniform in [0, min(max, base * 2^attempt)). */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or `retries` are used up. */
export async function withRetries<T>(attempt: () => Promise<T>, retries: number): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= retries || !isRetryable(error)) throw error;
      await backoff(tries);
    }
  }
}

/** The handle a transaction body receives: queries run inside the transaction, in order. */
export class Transaction extends Copyable {
  private active = true;
  private savepoints = 0;

  constructor(private readonly connection: Connection) {
    super();
  }

  query<R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    if (!this.active) {
      return Promise.reject(
        new Error("this transaction has finished; run queries inside the transaction callback"),
      );
    }
    return this.connection.query<R>(sql, params, options);
  }

  /** COPY inside the transaction: rolled back with it, and COPY TO sees its uncommitted rows. */
  protected copySession(): () => Promise<Lease> {
    return borrowedLease(this.live());
  }

  /** Runs `fn` inside SAVEPOINT ... RELEASE; on error rolls back to the savepoint and rethrows. */
  async savepoint<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const connection = this.live();
    const name = `fasterapi_sp_${++this.savepoints}`;
    await connection.command(`SAVEPOINT ${name}`);
    let result: T;
    try {
      result = await fn(this);
    } catch (error) {
      await connection.command(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
      throw error;
    }
    await connection.command(`RELEASE SAVEPOINT ${name}`);
    return result;
  }

  private live(): Connection {
    if (!this.active) throw finishedError();
    return this.connection;
  }

  /** Called when the transaction ended, so a leaked handle cannot run statements on a reused connection. */
  finish(): void {
    this.active = false;
  }
}

function finishedError(): Error {
  return new Error("this transaction has finished; run queries inside the transaction callback");
}

/** One attempt: BEGIN, body, COMMIT (or ROLLBACK and rethrow). */
export async function runTransaction<T>(
  connection: Connection,
  fn: (tx: Transaction) => Promise<T>,
  options: TransactionOptions,
): Promise<T> {
  if (connection.transactionStatus !== "I") {
    throw new Error(
      "cannot BEGIN: the connection is already in a transaction block (use tx.savepoint to nest)",
    );
  }
  await connection.command(beginStatement(options));
  const tx = new Transaction(connection);
  try {
    const result = await fn(tx);
    // COMMIT of a failed transaction "succeeds" with tag ROLLBACK: the body swallowed an error.
    const tag = await connection.command("COMMIT");
    if (tag === "ROLLBACK") {
      throw new Error(
        "transaction was rolled back: a statement in it failed and the error was caught inside the callback",
      );
    }
    return result;
  } catch (error) {
    // Also when COMMIT itself failed: ROLLBACK outside a transaction only draws a warning.
    if (!connection.closed) await connection.command("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    tx.finish();
  }
}
