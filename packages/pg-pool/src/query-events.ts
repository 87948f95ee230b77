// Query observation for metrics and tracing, on node:diagnostics_channel: every statement run
// through query() (pool, borrowed connection, transaction) publishes a start and an end message.
// Nothing is allocated or published while no one subscribes, so the query path costs one
// `hasSubscribers` read. Subscribers may keep per-query state keyed by the message object.
import { channel } from "node:diagnostics_channel";
import { performance } from "node:perf_hooks";
import type { ConnectionConfig } from "./config.js";

/** Published on QUERY_START_CHANNEL, then (the same object, completed) on QUERY_END_CHANNEL. */
export interface QueryEvent {
  readonly sql: string;
  readonly database: string;
  readonly host: string;
  readonly port: number;
  /** performance.now() when query() was called. */
  readonly startedAt: number;
  /** Set on end: milliseconds from query() to its result or error. */
  durationMs?: number;
  /** Set on end when the query succeeded. */
  rowCount?: number;
  /** Set on end when the query failed. */
  error?: unknown;
}

export const QUERY_START_CHANNEL = "fasterapi:pg-pool:query:start";
export const QUERY_END_CHANNEL = "fasterapi:pg-pool:query:end";

const started = channel(QUERY_START_CHANNEL);
const ended = channel(QUERY_END_CHANNEL);

/** True when a subscriber exists: only then is observeQuery worth calling. */
export function queriesObserved(): boolean {
  return started.hasSubscribers || ended.hasSubscribers;
}

/** Runs `run` between a start message (published synchronously, in the caller's async context) and an end message. */
export function observeQuery<T extends { rowCount: number }>(
  sql: string,
  config: ConnectionConfig,
  run: () => Promise<T>,
): Promise<T> {
  const event: QueryEvent = {
    sql,
    database: config.database,
    host: config.host,
    port: config.port,
    startedAt: performance.now(),
  };
  started.publish(event);
  const finish = () => {
    event.durationMs = performance.now() - event.startedAt;
    ended.publish(event);
  };
  return run().then(
    (result) => {
      event.rowCount = result.rowCount;
      finish();
      return result;
    },
    (error: unknown) => {
      event.error = error;
      finish();
      throw error;
    },
  );
}
