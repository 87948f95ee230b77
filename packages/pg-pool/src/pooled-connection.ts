// What `pool.acquire()` returns: exclusive use of one connection until `release()` (or `await using`).
// Queries on it still pipeline; transactions and COPY run on this same session. Using it after release
// is an error rather than a silent query on someone else's connection.
import type { Connection } from "./connection.js";
import { Copyable } from "./copyable.js";
import type { AuthMethod } from "./handshake.js";
import { borrowedLease, type Lease } from "./lease.js";
import { type QueryOptions, type QueryResult, type Row } from "./queryable.js";
import { runTransaction, type Transaction, type TransactionOptions, withRetries } from "./transaction.js";

export class PooledConnection extends Copyable implements AsyncDisposable {
  private released = false;

  constructor(
    private readonly connection: Connection,
    private readonly giveBack: () => void,
  ) {
    super();
  }

  /** Backend process id of the session (pg_backend_pid()). */
  get processId(): number {
    return this.connection.processId;
  }

  /** Server parameters reported at startup and since (server_version, TimeZone, ...). */
  get parameters(): ReadonlyMap<string, string> {
    return this.connection.parameters;
  }

  /** Whether the session runs over TLS. */
  get encrypted(): boolean {
    return this.connection.encrypted;
  }

  /** How the server authenticated this session ("trust" when it asked for no password). */
  get authMethod(): AuthMethod {
    return this.connection.authMethod;
  }

  query<R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    if (this.released) return Promise.reject(new Error("connection was released; acquire a new one"));
    return this.connection.query<R>(sql, params, options);
  }

  /** A transaction on this connection (retried like pool.transaction). */
  transaction<T>(fn: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return withRetries(() => runTransaction(this.live(), fn, options), options.retries ?? 3);
  }

  protected copySession(): () => Promise<Lease> {
    return borrowedLease(this.live());
  }

  /** Gives the connection back to the pool; calling it again does nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.giveBack();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }

  private live(): Connection {
    if (this.released) throw new Error("connection was released; acquire a new one");
    return this.connection;
  }
}
