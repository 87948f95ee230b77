// One PostgreSQL session with pipelining: every query is its own Bind/Execute/Sync group (after a
// one-time Parse/Describe per statement), all groups queued in one event-loop turn leave in one socket
// write, and answers are matched to requests in order. It never emits 'error' events and knows no pool.
import {
  type BackendMessage,
  type BackendParser,
  type ErrorFields,
  MessageWriter,
  type NotificationResponse,
  PgError,
  type TypeRegistry,
} from "@fasterapi/pg-codec";
import { sendCancelRequest } from "./cancel.js";
import type { ConnectionConfig } from "./config.js";
import { ConnectionClosedError } from "./errors.js";
import { type AuthMethod, describeTarget, openSession, type Session } from "./handshake.js";
import { observeQuery, queriesObserved } from "./query-events.js";
import type { QueryOptions, QueryResult, Row } from "./queryable.js";
import {
  CommandRequest,
  DiscardRequest,
  ExecuteRequest,
  type PendingRequest,
  PrepareRequest,
} from "./requests.js";
import {
  openSessionSocket,
  type SessionSocket,
  type SessionSocketKind,
  sessionSocketKind,
} from "./session-socket.js";
import { PreparedStatement, StatementCache, statementName } from "./statement-cache.js";

export interface ConnectionSettings {
  registry: TypeRegistry;
  /** Prepared statements kept per connection; 0 = unnamed statements only (parsed on every execution). */
  statementCacheSize: number;
}

export type TransactionStatus = "I" | "T" | "E";

function isFatal(fields: ErrorFields): boolean {
  const severity = fields.severityNonLocalized ?? fields.severity;
  return severity === "FATAL" || severity === "PANIC";
}

/** Errors after which re-preparing the statement once can succeed. */
function isStaleStatement(error: unknown): boolean {
  return error instanceof PgError && (error.code === "0A000" || error.code === "26000");
}

export class Connection {
  readonly processId: number;
  readonly secretKey: number;
  /** Server parameters reported by ParameterStatus (server_version, TimeZone, ...). */
  readonly parameters: Map<string, string>;
  readonly encrypted: boolean;
  readonly authMethod: AuthMethod;
  readonly createdAt = Date.now();
  /** From the last ReadyForQuery: I = idle, T = in a transaction block, E = in a failed one. */
  transactionStatus: TransactionStatus = "I";
  /** Called whenever the connection has nothing in flight any more. */
  onIdle: (() => void) | undefined;
  /** Called once when the connection is gone, whatever the reason. */
  onClose: ((error: ConnectionClosedError) => void) | undefined;
  onNotification: ((notification: NotificationResponse) => void) | undefined;

  private readonly socket: SessionSocket;
  private readonly parser: BackendParser;
  private readonly writer: MessageWriter;
  private readonly registry: TypeRegistry;
  private readonly statements: StatementCache;
  private readonly queue: PendingRequest[] = [];
  private flushScheduled = false;
  private pendingCancels = 0;
  /** query() calls between entry and settling: they count as busy before their first message is queued. */
  private activeQueries = 0;
  private closing = false;
  private fatal: PgError | undefined;
  private socketError: Error | undefined;
  private closedWith: ConnectionClosedError | undefined;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  static async connect(config: ConnectionConfig, settings: ConnectionSettings): Promise<Connection> {
    const session = await openSession(config);
    // The socket's events start flowing on a later turn: the constructor wires them up first.
    let connection: Connection | undefined;
    const socket = openSessionSocket(session, config, {
      data: (chunk) => connection?.receive(chunk),
      close: (error) => connection?.socketGone(error),
    });
    connection = new Connection(config, settings, session, socket);
    return connection;
  }

  /** Whether this session runs on the C++ engine's socket or on its net.Socket. */
  get socketKind(): SessionSocketKind {
    return sessionSocketKind(this.socket);
  }

  private constructor(
    private readonly config: ConnectionConfig,
    settings: ConnectionSettings,
    session: Session,
    socket: SessionSocket,
  ) {
    this.socket = socket;
    this.parser = session.parser;
    this.processId = session.processId;
    this.secretKey = session.secretKey;
    this.parameters = session.parameters;
    this.encrypted = session.encrypted;
    this.authMethod = session.authMethod;
    this.registry = settings.registry;
    this.writer = new MessageWriter({ registry: settings.registry });
    this.statements = new StatementCache(settings.statementCacheSize);
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  private receive(chunk: Buffer): void {
    const parser = this.parser;
    parser.push(chunk);
    try {
      for (let message = parser.next(); message !== null; message = parser.next()) this.dispatch(message);
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    this.queue[0]?.endOfChunk?.();
  }

  private socketGone(error: Error | undefined): void {
    this.socketError ??= error;
    this.finish();
  }

  /** The codecs this connection encodes parameters and decodes rows with. */
  get typeRegistry(): TypeRegistry {
    return this.registry;
  }

  /** Queries and commands sent or about to be sent, not yet answered. */
  get inFlight(): number {
    return Math.max(this.queue.length, this.activeQueries);
  }

  /** Something is in flight, or a CancelRequest sent for this session has not been acknowledged yet. */
  get busy(): boolean {
    return this.queue.length > 0 || this.activeQueries > 0 || this.pendingCancels > 0;
  }

  get closed(): boolean {
    return this.closedWith !== undefined || this.closing;
  }

  /** Runs one statement through the extended protocol, preparing (and caching) it first if needed. */
  query<R = Row>(
    sql: string,
    params: readonly unknown[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult<R>> {
    if (queriesObserved()) return observeQuery(sql, this.config, () => this.run<R>(sql, params, options));
    return this.run<R>(sql, params, options);
  }

  private run<R>(sql: string, params: readonly unknown[], options: QueryOptions): Promise<QueryResult<R>> {
    // Fast path for a statement this session prepared already, without cancellation: the request is
    // queued now, with no async layers between the caller and its answer.
    const statement =
      this.statements.capacity > 0 && !options.signal && !options.statementTimeoutMs && Array.isArray(params)
        ? this.statements.get(sql)
        : undefined;
    if (statement === undefined || !statement.described) return this.prepareAndRun<R>(sql, params, options);
    // Counted until settled, so the pool does not lend this connection out before a re-prepare.
    this.activeQueries++;
    statement.pins++;
    let request: ExecuteRequest<R>;
    try {
      request = this.send<R>(statement, params, options);
    } catch (error) {
      statement.pins--;
      this.settled();
      return Promise.reject(error);
    }
    return request.promise.then(
      (result) => {
        statement.pins--;
        this.settled();
        return result;
      },
      (error: unknown) => {
        statement.pins--;
        const retry = this.mayPrepareAgain(statement, error)
          ? this.prepareAgainAndRun<R>(sql, statement, params, options)
          : Promise.reject(error);
        return retry.finally(() => this.settled());
      },
    );
  }

  private async prepareAndRun<R>(
    sql: string,
    params: readonly unknown[],
    options: QueryOptions,
  ): Promise<QueryResult<R>> {
    if (typeof sql !== "string") throw new TypeError("query: sql must be a string");
    if (!Array.isArray(params)) throw new TypeError("query: params must be an array");
    // Counted from the first moment, so the pool does not lend this connection out while we prepare.
    this.activeQueries++;
    try {
      const statement = await this.prepared(sql);
      try {
        return await this.execute<R>(statement, params, options);
      } catch (error) {
        if (!this.mayPrepareAgain(statement, error)) throw error;
        return await this.prepareAgainAndRun<R>(sql, statement, params, options);
      } finally {
        statement.pins--;
      }
    } finally {
      this.settled();
    }
  }

  /**
   * After ALTER TABLE the server refuses the cached plan (0A000), after DISCARD it forgot the name
   * (26000): prepare again once. Not inside a transaction block: the failure aborted it already.
   */
  private mayPrepareAgain(statement: PreparedStatement, error: unknown): boolean {
    return statement.name !== "" && isStaleStatement(error) && this.transactionStatus === "I";
  }

  private async prepareAgainAndRun<R>(
    sql: string,
    stale: PreparedStatement,
    params: readonly unknown[],
    options: QueryOptions,
  ): Promise<QueryResult<R>> {
    const fresh = await this.prepared(sql, stale);
    try {
      return await this.execute<R>(fresh, params, options);
    } finally {
      fresh.pins--;
    }
  }

  /** A query() call settled. */
  private settled(): void {
    this.activeQueries--;
    if (!this.busy) this.onIdle?.();
  }

  /** Sends a simple Query (no parameters, results ignored) and resolves with the last command tag. */
  command(sql: string): Promise<string> {
    const request = new CommandRequest();
    this.enqueue(request, (w) => w.query(sql));
    return request.promise;
  }

  /**
   * Queues `request` with the messages `write` produces; they go out with the batch of this event-loop
   * turn. If `write` throws half-way, what it queued is closed with a Sync and its answer discarded.
   */
  enqueue(request: PendingRequest, write: (writer: MessageWriter) => void): void {
    if (this.closedWith || this.closing) {
      request.fail(
        this.closedWith ??
          new ConnectionClosedError(`connection to ${describeTarget(this.config)} is closing`),
      );
      return;
    }
    const before = this.writer.length;
    try {
      write(this.writer);
    } catch (error) {
      if (this.writer.length !== before) {
        this.writer.sync();
        this.queue.push(new DiscardRequest());
        this.scheduleFlush();
      }
      throw error;
    }
    this.queue.push(request);
    this.scheduleFlush();
  }

  /** Writes `write`'s messages now (after anything batched); false when the socket asks to wait for 'drain'. */
  writeNow(write: (writer: MessageWriter) => void): boolean {
    write(this.writer);
    const bytes = this.writer.take();
    if (this.closedWith) return true;
    return this.socket.write(bytes);
  }

  /** Resolves when the socket's write buffer drained (or the connection closed). */
  drained(): Promise<void> {
    if (this.closedWith) return Promise.resolve();
    return this.socket.drained();
  }

  /** Stops/restarts reading from the server (backpressure for COPY TO). */
  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  /**
   * Asks the server to cancel `request`: right away if the server is executing it, else as soon as the
   * requests before it are answered. Does nothing once it was answered.
   */
  cancel(request: PendingRequest): void {
    const index = this.queue.indexOf(request);
    if (index < 0 || this.closedWith) return;
    if (index === 0) this.sendCancel();
    else request.cancelWhenHead = true;
  }

  /** Sends Terminate and waits for the server to close the socket. */
  close(): Promise<void> {
    if (!this.closedWith && !this.closing) {
      this.closing = true;
      this.flush();
      this.socket.end(new MessageWriter({ registry: this.registry, initialSize: 8 }).terminate().take());
      setTimeout(() => this.socket.destroy(), 2000).unref();
    }
    return this.closedPromise;
  }

  /** Drops the socket at once; everything in flight rejects with ConnectionClosedError. */
  destroy(error?: Error): void {
    if (error) this.socketError ??= error;
    this.socket.destroy();
  }

  /** The statement for `sql`, described and pinned (the caller unpins it); `stale` is replaced, not reused. */
  private async prepared(sql: string, stale?: PreparedStatement): Promise<PreparedStatement> {
    if (this.statements.capacity === 0) {
      const statement = new PreparedStatement("", sql);
      statement.pins = 1;
      await this.describe(statement, [], false);
      return statement;
    }
    const cached = this.statements.get(sql);
    if (cached && cached !== stale) {
      cached.pins++;
      if (!cached.described) {
        try {
          await cached.ready;
        } catch (error) {
          cached.pins--;
          throw error;
        }
      }
      return cached;
    }
    if (cached) this.statements.remove(cached);
    const statement = new PreparedStatement(statementName(sql), sql);
    statement.pins = 1;
    const evicted = this.statements.add(statement);
    statement.ready = this.describe(statement, evicted, stale !== undefined);
    statement.ready.catch(() => this.statements.remove(statement));
    try {
      await statement.ready;
    } catch (error) {
      statement.pins--;
      throw error;
    }
    return statement;
  }

  /** Parse + Describe(statement) + Sync, closing evicted statements (and a stale one of the same name) first. */
  private async describe(
    statement: PreparedStatement,
    evicted: readonly PreparedStatement[],
    reprepare: boolean,
  ): Promise<void> {
    const request = new PrepareRequest();
    this.enqueue(request, (w) => {
      for (const old of evicted) w.close("S", old.name);
      if (reprepare) w.close("S", statement.name);
      w.parse(statement.name, statement.sql).describe("S", statement.name).sync();
    });
    const { paramOids, fields } = await request.promise;
    statement.describe(paramOids, fields, this.registry);
  }

  private async execute<R>(
    statement: PreparedStatement,
    params: readonly unknown[],
    options: QueryOptions,
  ): Promise<QueryResult<R>> {
    const { signal, statementTimeoutMs } = options;
    signal?.throwIfAborted();
    const request = this.send<R>(statement, params, options);
    if (!signal && !statementTimeoutMs) return request.promise;
    const cancel = () => this.cancel(request);
    signal?.addEventListener("abort", cancel, { once: true });
    const timer = statementTimeoutMs ? setTimeout(cancel, statementTimeoutMs) : undefined;
    try {
      return await request.promise;
    } finally {
      signal?.removeEventListener("abort", cancel);
      clearTimeout(timer);
    }
  }

  /** Queues [Parse +] Bind + Execute + Sync for a described statement. */
  private send<R>(
    statement: PreparedStatement,
    params: readonly unknown[],
    options: QueryOptions,
  ): ExecuteRequest<R> {
    if (params.length !== statement.paramOids.length) {
      throw new TypeError(
        `query expects ${statement.paramOids.length} parameter(s), got ${params.length}: ${statement.sql.slice(0, 80)}`,
      );
    }
    const request = new ExecuteRequest<R>(
      statement.decoder(options.rowMode ?? "object", this.registry),
      statement.fields,
    );
    this.enqueue(request, (w) => {
      // Unnamed statements are parsed again in the same group: another query may have replaced "" meanwhile.
      if (statement.name === "") w.parse("", statement.sql, statement.paramOids);
      w.bind("", statement.name, params, statement.paramOids, statement.resultFormats).execute("").sync();
    });
    return request;
  }

  private sendCancel(): void {
    this.pendingCancels++;
    void sendCancelRequest(this.config, this.processId, this.secretKey).then(() => {
      this.pendingCancels--;
      if (!this.busy) this.onIdle?.();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // A connection with nothing else in flight sends at the end of this microtask run (one query
    // at a time: lowest round trip); a busy one batches everything queued this turn into one write.
    if (this.queue.length <= 1) queueMicrotask(this.flush);
    else setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.writer.length === 0) return;
    const bytes = this.writer.take();
    if (!this.closedWith) this.socket.write(bytes);
  };

  private dispatch(message: BackendMessage): void {
    switch (message.type) {
      case "ReadyForQuery": {
        this.transactionStatus = message.status;
        this.queue.shift()?.handle(message);
        const next = this.queue[0];
        if (next?.cancelWhenHead) {
          next.cancelWhenHead = false;
          this.sendCancel();
        }
        if (!this.busy) this.onIdle?.();
        return;
      }
      case "NotificationResponse":
        this.onNotification?.(message);
        return;
      case "ParameterStatus":
        this.parameters.set(message.name, message.value);
        return;
      case "NoticeResponse":
        return;
      case "ErrorResponse":
        // FATAL: the server is about to close the session (pg_terminate_backend, shutdown, timeouts).
        if (isFatal(message.fields)) {
          this.fatal = new PgError(message.fields);
          return;
        }
        break;
      default:
        break;
    }
    this.queue[0]?.handle(message);
  }

  private finish(): void {
    if (this.closedWith) return;
    const target = describeTarget(this.config);
    let reason: string;
    if (this.fatal) reason = `${this.fatal.message} (SQLSTATE ${this.fatal.code}) [${target}]`;
    else if (this.socketError) reason = `${this.socketError.message} [${target}]`;
    else if (this.closing) reason = `closed by the client [${target}]`;
    else reason = `server closed the connection unexpectedly [${target}]`;
    const error = new ConnectionClosedError(reason, { cause: this.fatal ?? this.socketError });
    this.closedWith = error;
    for (const request of this.queue.splice(0)) request.fail(error);
    this.statements.clear();
    this.resolveClosed();
    this.onClose?.(error);
  }
}
