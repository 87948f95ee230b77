// PgPool: up to `max` connections to one server. `pool.query` pipelines onto a connection nobody has
// borrowed (an idle one first, else a new one while below max, else the least loaded); `acquire()` and
// transactions get a connection to themselves, drained of pipelined work for them if need be. Dead
// connections are dropped and replaced; nothing here emits 'error' events. One pool per process or
// worker thread ("per-core shard"; see README).
import { type TypeOptions, TypeRegistry } from "@fasterapi/pg-codec";
import { type ConnectionConfig, type ConnectionOptions, resolveConfig } from "./config.js";
import { Connection } from "./connection.js";
import { Copyable } from "./copyable.js";
import { AcquireTimeoutError } from "./errors.js";
import type { Lease } from "./lease.js";
import { type NotificationHandler, NotificationListener } from "./listener.js";
import { PooledConnection } from "./pooled-connection.js";
import type { QueryOptions, QueryResult, Row } from "./queryable.js";
import type { SessionSocketKind } from "./session-socket.js";
import { runTransaction, type Transaction, type TransactionOptions, withRetries } from "./transaction.js";

export interface PoolOptions extends ConnectionOptions {
  /** Most connections open at once (the LISTEN connection is extra). Default 10. */
  max?: number;
  /** Connections kept open even when idle. Default 0. */
  min?: number;
  /** How long acquire() (and a query needing a connection) waits before AcquireTimeoutError. Default 5000. */
  acquireTimeoutMs?: number;
  /** Idle connections above `min` close after this long. Default 30 000; 0 = never. */
  idleTimeoutMs?: number;
  /** Connections are replaced after this long (minus up to 10 % jitter, so they do not expire together). Default 3 600 000; 0 = never. */
  maxLifetimeMs?: number;
  /** A connection idle for longer than this is checked with an empty query before it is handed out. Default 10 000. */
  healthCheckAfterIdleMs?: number;
  /** Prepared statements cached per connection. Default 256; 0 disables named statements. */
  statementCacheSize?: number;
  /** How int8, date and timestamp results are represented (see @fasterapi/pg-codec). */
  types?: TypeOptions;
  /** Background failures (reconnects, LISTEN handlers that throw, idle health checks). Default: ignored. */
  onError?: (error: unknown) => void;
}

export interface PoolStats {
  /** Open connections plus those being opened. */
  total: number;
  /** Connections with nothing in flight and not borrowed. */
  idle: number;
  /** Connections lent out by acquire() / transaction() / COPY. */
  borrowed: number;
  /** Callers waiting for a connection. */
  pending: number;
  /** Connections being opened. */
  connecting: number;
  /** Requests in flight on all connections (pipelined queries included). */
  inFlight: number;
  max: number;
  min: number;
  /** Counters since the pool was created. */
  created: number;
  closed: number;
  connectErrors: number;
  acquireTimeouts: number;
  listener: { connected: boolean; channels: number; reconnects: number };
  /** Open connections by session socket: the C++ engine's ("native") or net.Socket ("js"). */
  sessionSockets: Record<SessionSocketKind, number>;
}

interface Slot {
  connection: Connection;
  /** Lent out exclusively (acquire, transaction, COPY, cancellable query). */
  borrowed: boolean;
  /** Shared queries granted this slot that have not reached connection.query() yet: they count as busy. */
  reserved: number;
  /** Kept free of new pipelined queries so it drains for a caller waiting for a whole connection. */
  draining: boolean;
  idleSince: number;
  expiresAt: number;
}

interface Waiter {
  /** true: a pipelined query (any non-borrowed connection will do); false: wants a connection to itself. */
  shared: boolean;
  settled: boolean;
  grant(slot: Slot): void;
  fail(error: Error): void;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < 0)
    throw new TypeError(`PgPool: ${name} must be a non-negative integer`);
  return result;
}

export class PgPool extends Copyable {
  readonly config: ConnectionConfig;
  private readonly max: number;
  private readonly min: number;
  private readonly acquireTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly maxLifetimeMs: number;
  private readonly healthCheckAfterIdleMs: number;
  private readonly statementCacheSize: number;
  private readonly registry: TypeRegistry;
  private readonly onError: (error: unknown) => void;
  private readonly slots = new Set<Slot>();
  private readonly waiters: Waiter[] = [];
  private readonly listener: NotificationListener;
  private readonly sweepTimer: NodeJS.Timeout;
  private connecting = 0;
  /** Connections retired and still saying goodbye; end() waits for them. */
  private readonly closing = new Set<Promise<void>>();
  private ending = false;
  private endPromise: Promise<void> | undefined;
  private resolveEnded: (() => void) | undefined;
  private counters = { created: 0, closed: 0, connectErrors: 0, acquireTimeouts: 0 };

  constructor(options: PoolOptions = {}) {
    super();
    this.config = resolveConfig(options);
    this.max = positiveInteger(options.max, 10, "max");
    if (this.max < 1) throw new TypeError("PgPool: max must be at least 1");
    this.min = Math.min(positiveInteger(options.min, 0, "min"), this.max);
    this.acquireTimeoutMs = positiveInteger(options.acquireTimeoutMs, 5000, "acquireTimeoutMs");
    this.idleTimeoutMs = positiveInteger(options.idleTimeoutMs, 30_000, "idleTimeoutMs");
    this.maxLifetimeMs = positiveInteger(options.maxLifetimeMs, 3_600_000, "maxLifetimeMs");
    this.healthCheckAfterIdleMs = positiveInteger(
      options.healthCheckAfterIdleMs,
      10_000,
      "healthCheckAfterIdleMs",
    );
    this.statementCacheSize = positiveInteger(options.statementCacheSize, 256, "statementCacheSize");
    this.registry = new TypeRegistry(options.types);
    this.onError = options.onError ?? (() => undefined);
    this.listener = new NotificationListener(() => this.connect(), this.onError);
    const sweepEvery = Math.min(Math.max(this.idleTimeoutMs / 2, 1000), 30_000);
    this.sweepTimer = setInterval(() => this.sweep(), sweepEvery);
    this.sweepTimer.unref();
    this.fillToMin();
  }

  /** Runs one statement; concurrent calls pipeline on shared connections. */
  query<R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    // A CancelRequest interrupts whatever the session runs, so a cancellable query gets a session to itself.
    if (options?.signal || options?.statementTimeoutMs) return this.queryAlone<R>(sql, params, options);
    let ready: Slot | undefined;
    try {
      ready = this.pickShared();
    } catch (error) {
      return Promise.reject(error);
    }
    // No async layer on the usual path: the connection's promise is the caller's.
    if (ready) return ready.connection.query<R>(sql, params, options);
    return this.queryWhenShared<R>(sql, params, options);
  }

  private async queryAlone<R>(sql: string, params: readonly unknown[] | undefined, options: QueryOptions) {
    const slot = await this.takeSlot(options.signal);
    try {
      return await slot.connection.query<R>(sql, params, options);
    } finally {
      this.giveBack(slot);
    }
  }

  private async queryWhenShared<R>(
    sql: string,
    params: readonly unknown[] | undefined,
    options: QueryOptions | undefined,
  ): Promise<QueryResult<R>> {
    const slot = await this.waitShared();
    // The reservation kept the slot from being lent out until this query counts as in flight on it.
    slot.reserved--;
    const result = slot.connection.query<R>(sql, params, options);
    // Pipelined queries that queued while connections were opening can follow this one now, in order.
    if (this.waiters.length > 0) this.dispatch();
    return result;
  }

  /** Exclusive use of one connection until `release()`; also `await using conn = await pool.acquire()`. */
  acquire(options: { signal?: AbortSignal } = {}): Promise<PooledConnection> {
    // Fast path with no extra awaits: an idle connection recent enough to skip its health check.
    if (!this.ending && !options.signal?.aborted) {
      const slot = this.findIdle();
      if (slot && Date.now() - slot.idleSince <= this.healthCheckAfterIdleMs) {
        slot.borrowed = true;
        return Promise.resolve(this.lend(slot));
      }
    }
    return this.takeSlot(options.signal).then((slot) => this.lend(slot));
  }

  private lend(slot: Slot): PooledConnection {
    return new PooledConnection(slot.connection, () => this.giveBack(slot));
  }

  /** Runs `fn` in a transaction on one connection; retries serialization failures and deadlocks. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return withRetries(async () => {
      const slot = await this.takeSlot();
      try {
        return await runTransaction(slot.connection, fn, options);
      } finally {
        this.giveBack(slot);
      }
    }, options.retries ?? 3);
  }

  protected copySession(): () => Promise<Lease> {
    return () => this.lease();
  }

  /** LISTENs on `channel` (dedicated connection, re-subscribed after reconnects); resolves with an unlisten function. */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    if (this.ending) return Promise.reject(new Error("pool is ending; cannot LISTEN"));
    return this.listener.listen(channel, handler);
  }

  stats(): PoolStats {
    let idle = 0;
    let borrowed = 0;
    let inFlight = 0;
    const sessionSockets: Record<SessionSocketKind, number> = { native: 0, js: 0 };
    for (const slot of this.slots) {
      if (slot.borrowed) borrowed++;
      else if (this.isFree(slot)) idle++;
      inFlight += slot.connection.inFlight;
      sessionSockets[slot.connection.socketKind]++;
    }
    return {
      total: this.slots.size + this.connecting,
      idle,
      borrowed,
      pending: this.waiters.length,
      connecting: this.connecting,
      inFlight,
      max: this.max,
      min: this.min,
      ...this.counters,
      listener: {
        connected: this.listener.connected,
        channels: this.listener.channelCount,
        reconnects: this.listener.reconnects,
      },
      sessionSockets,
    };
  }

  /** Stops handing out connections, waits for borrowed ones to come back and in-flight queries to finish, closes all. */
  end(): Promise<void> {
    if (this.endPromise) return this.endPromise;
    this.ending = true;
    clearInterval(this.sweepTimer);
    for (const waiter of this.waiters.splice(0)) waiter.fail(new Error("pool is ending"));
    this.endPromise = new Promise<void>((resolve) => {
      this.resolveEnded = resolve;
    }).then(() => Promise.all([...this.closing, this.listener.close()]).then(() => undefined));
    for (const slot of this.slots) this.settle(slot);
    this.checkEnded();
    return this.endPromise;
  }

  private assertOpen(): void {
    if (this.ending) throw new Error("pool is ending; no new queries are accepted");
  }

  private connect(): Promise<Connection> {
    return Connection.connect(this.config, {
      registry: this.registry,
      statementCacheSize: this.statementCacheSize,
    });
  }

  private async lease(): Promise<Lease> {
    const slot = await this.takeSlot();
    return { connection: slot.connection, release: () => this.giveBack(slot) };
  }

  private isExpired(slot: Slot, now: number): boolean {
    return now >= slot.expiresAt;
  }

  /** Nothing in flight, nothing reserved, not lent out: can be borrowed or closed. */
  private isFree(slot: Slot): boolean {
    return !slot.borrowed && slot.reserved === 0 && !slot.connection.busy && !slot.connection.closed;
  }

  private load(slot: Slot): number {
    return slot.connection.inFlight + slot.reserved;
  }

  /**
   * A connection a pipelined query can use right now: a free one (unless it idled long enough to need a
   * health check first), else, once no new connection may be opened, the least loaded shared one.
   */
  private pickShared(): Slot | undefined {
    this.assertOpen();
    const now = Date.now();
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.borrowed || slot.draining || slot.connection.closed || this.isExpired(slot, now)) continue;
      if (this.isFree(slot)) {
        if (now - slot.idleSince <= this.healthCheckAfterIdleMs) return slot;
        continue;
      }
      if (!best || this.load(slot) < this.load(best)) best = slot;
    }
    return this.slots.size + this.connecting >= this.max ? best : undefined;
  }

  /** A free connection; free ones past their lifetime are retired on the way, making room for new ones. */
  private findIdle(): Slot | undefined {
    const now = Date.now();
    for (const slot of this.slots) {
      if (!this.isFree(slot)) continue;
      if (!this.isExpired(slot, now)) return slot;
      this.retire(slot);
    }
    return undefined;
  }

  /** Takes a connection out of the pool at once (its capacity is free again) and closes it gracefully. */
  private retire(slot: Slot): void {
    const closed = slot.connection.close();
    this.closing.add(closed);
    void closed.then(() => this.closing.delete(closed));
    this.removeSlot(slot);
  }

  /** Borrows a connection: an idle one (health-checked if idle long), a new one below max, or waits. */
  private async takeSlot(signal?: AbortSignal): Promise<Slot> {
    this.assertOpen();
    signal?.throwIfAborted();
    for (let slot = this.findIdle(); slot; slot = this.findIdle()) {
      slot.borrowed = true;
      if (await this.healthy(slot)) return slot;
    }
    if (this.slots.size + this.connecting < this.max) {
      const slot = await this.open();
      slot.reserved--;
      slot.borrowed = true;
      return slot;
    }
    return this.wait(false, signal);
  }

  /** A slot for a pipelined query that found none ready: a new connection below max, a long-idle one after its health check, or a wait. Returned reserved. */
  private async waitShared(): Promise<Slot> {
    for (let slot = this.findIdle(); slot; slot = this.findIdle()) {
      slot.borrowed = true;
      const ok = await this.healthy(slot);
      slot.borrowed = false;
      if (ok) {
        slot.reserved++;
        return slot;
      }
    }
    if (this.slots.size + this.connecting < this.max) return this.open();
    return this.wait(true);
  }

  /** Empty query on a connection idle for longer than healthCheckAfterIdleMs; drops it if that fails. */
  private async healthy(slot: Slot): Promise<boolean> {
    if (Date.now() - slot.idleSince <= this.healthCheckAfterIdleMs) return true;
    try {
      await slot.connection.command("");
      slot.idleSince = Date.now();
      return true;
    } catch (error) {
      this.onError(error);
      slot.connection.destroy();
      this.removeSlot(slot);
      return false;
    }
  }

  /** Opens a connection; the slot comes back reserved for the caller (who converts or drops the reservation). */
  private async open(): Promise<Slot> {
    this.connecting++;
    let connection: Connection;
    try {
      connection = await this.connect();
    } catch (error) {
      this.counters.connectErrors++;
      this.connecting--;
      // The capacity this attempt held is free again: let waiters try (each gets its own error if the server is down).
      this.dispatch();
      throw error;
    }
    this.connecting--;
    this.counters.created++;
    const now = Date.now();
    const lifetime =
      this.maxLifetimeMs === 0 ? Number.POSITIVE_INFINITY : this.maxLifetimeMs * (1 - Math.random() * 0.1);
    const slot: Slot = {
      connection,
      borrowed: false,
      reserved: 1,
      draining: false,
      idleSince: now,
      expiresAt: now + lifetime,
    };
    this.slots.add(slot);
    connection.onIdle = () => this.settle(slot);
    connection.onClose = () => this.removeSlot(slot);
    if (this.ending) {
      this.retire(slot);
      throw new Error("pool is ending");
    }
    return slot;
  }

  private wait(shared: boolean, signal?: AbortSignal): Promise<Slot> {
    return new Promise<Slot>((resolve, reject) => {
      const finish = () => {
        waiter.settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
      };
      const waiter: Waiter = {
        shared,
        settled: false,
        grant: (slot) => {
          finish();
          resolve(slot);
        },
        fail: (error) => {
          finish();
          reject(error);
        },
      };
      const onAbort = () => waiter.fail(signal!.reason as Error);
      const timer = setTimeout(() => {
        this.counters.acquireTimeouts++;
        waiter.fail(new AcquireTimeoutError(this.acquireTimeoutMs, this.stats()));
      }, this.acquireTimeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
      if (!shared) this.drainOne();
    });
  }

  /** Serves waiters in order where possible: pipelined queries onto shared connections, borrowers onto free ones. */
  private dispatch(): void {
    if (this.ending) return;
    let blockedBorrower = false;
    for (const waiter of [...this.waiters]) {
      if (waiter.settled) continue;
      if (waiter.shared) {
        const slot = this.pickShared();
        if (slot) {
          slot.reserved++;
          waiter.grant(slot);
          continue;
        }
      } else {
        const slot = this.findIdle();
        if (slot) {
          slot.borrowed = true;
          slot.draining = false;
          waiter.grant(slot);
          continue;
        }
        blockedBorrower = true;
      }
      if (this.slots.size + this.connecting >= this.max) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      this.open().then(
        (slot) => {
          if (waiter.settled) {
            slot.reserved--;
            return this.settle(slot);
          }
          if (!waiter.shared) {
            slot.reserved--;
            slot.borrowed = true;
          }
          waiter.grant(slot);
        },
        (error) => {
          if (!waiter.settled) waiter.fail(error);
        },
      );
    }
    if (blockedBorrower) this.drainOne();
  }

  /** Stops pipelining onto the least loaded shared connection so a waiting borrower gets it once it drains. */
  private drainOne(): void {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.draining) return;
      if (slot.borrowed || slot.connection.closed) continue;
      if (!best || this.load(slot) < this.load(best)) best = slot;
    }
    if (best) best.draining = true;
  }

  private giveBack(slot: Slot): void {
    slot.borrowed = false;
    this.settle(slot);
  }

  /** Decides what happens to a connection that may have become free: roll back, retire, or reuse. */
  private settle(slot: Slot): void {
    const connection = slot.connection;
    if (!this.isFree(slot)) return;
    if (connection.transactionStatus !== "I") {
      // Returned inside a transaction (a borrower forgot COMMIT/ROLLBACK): clean it before anyone reuses it.
      slot.borrowed = true;
      connection.command("ROLLBACK").then(
        () => this.giveBack(slot),
        () => connection.destroy(),
      );
      return;
    }
    if (this.ending || this.isExpired(slot, Date.now())) {
      this.retire(slot);
      return;
    }
    slot.draining = false;
    slot.idleSince = Date.now();
    this.dispatch();
  }

  private removeSlot(slot: Slot): void {
    if (!this.slots.delete(slot)) return;
    this.counters.closed++;
    this.dispatch();
    this.fillToMin();
    this.checkEnded();
  }

  private fillToMin(): void {
    if (this.ending) return;
    while (this.slots.size + this.connecting < this.min) {
      this.open().then(
        (slot) => {
          slot.reserved--;
          this.settle(slot);
        },
        (error) => this.onError(error),
      );
    }
  }

  /** Periodic: closes connections idle past idleTimeoutMs (above min) or past their lifetime; refills to min. */
  private sweep(): void {
    const now = Date.now();
    let open = this.slots.size;
    for (const slot of this.slots) {
      if (!this.isFree(slot)) continue;
      const idleTooLong =
        this.idleTimeoutMs > 0 && now - slot.idleSince > this.idleTimeoutMs && open > this.min;
      if (idleTooLong || this.isExpired(slot, now)) {
        open--;
        this.retire(slot);
      }
    }
    this.fillToMin();
  }

  private checkEnded(): void {
    if (this.ending && this.slots.size === 0 && this.connecting === 0) this.resolveEnded?.();
  }
}
