// PostgreSQL query durations from @fasterapi/pg-pool's diagnostics channel. The channel is
// subscribed by name so this package does not load pg-pool; the name is pg-pool's
// QUERY_END_CHANNEL (a test checks they agree). A channel is per thread, so this counts every pool
// of the worker it runs in; two apps in one thread would both count each other's queries.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Metrics } from "./metrics.js";

export const PG_QUERY_END_CHANNEL = "fasterapi:pg-pool:query:end";

interface QueryEnd {
  sql: string;
  durationMs: number;
  error?: unknown;
}

/** "select * from t" -> "SELECT"; bounded label values (statement keywords), never the SQL text. */
export function operationOf(sql: string): string {
  const match = /^\s*([a-zA-Z]+)/.exec(sql);
  return match === null ? "OTHER" : (match[1] as string).toUpperCase();
}

/** Starts recording; returns the function that stops it. */
export function recordQueryDurations(metrics: Metrics): () => void {
  const onEnd = (message: unknown) => {
    const event = message as QueryEnd;
    metrics.queryDuration.observe(
      { operation: operationOf(event.sql), outcome: event.error === undefined ? "ok" : "error" },
      event.durationMs / 1000,
    );
  };
  subscribe(PG_QUERY_END_CHANNEL, onEnd);
  return () => unsubscribe(PG_QUERY_END_CHANNEL, onEnd);
}
