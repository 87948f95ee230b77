// Client spans for PostgreSQL queries from @fasterapi/pg-pool's diagnostics channels. The start
// message is published synchronously inside query(), so context.active() there is the caller's:
// a query run by a handler becomes a child of that request's server span. Channels are subscribed by
// name so this package does not load pg-pool (a test checks the names against pg-pool's constants).
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { context, type Span, SpanKind, SpanStatusCode, type Tracer } from "@opentelemetry/api";

export const PG_QUERY_START_CHANNEL = "fasterapi:pg-pool:query:start";
export const PG_QUERY_END_CHANNEL = "fasterapi:pg-pool:query:end";

interface QueryEvent {
  sql: string;
  database: string;
  host: string;
  port: number;
  rowCount?: number;
  error?: unknown;
}

/** The statement's first keyword ("SELECT"), the span name semantic conventions ask for. */
function operationOf(sql: string): string {
  return /^\s*([a-zA-Z]+)/.exec(sql)?.[1]?.toUpperCase() ?? "QUERY";
}

/** Starts tracing queries with `tracer`; returns the function that stops it. */
export function traceQueries(tracer: Tracer): () => void {
  const spans = new WeakMap<object, Span>();
  const onStart = (message: unknown) => {
    const event = message as QueryEvent;
    const operation = operationOf(event.sql);
    const span = tracer.startSpan(
      `${operation} ${event.database}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "db.system.name": "postgresql",
          "db.namespace": event.database,
          "db.operation.name": operation,
          "db.query.text": event.sql,
          "server.address": event.host,
          "server.port": event.port,
        },
      },
      context.active(),
    );
    spans.set(event, span);
  };
  const onEnd = (message: unknown) => {
    const event = message as QueryEvent;
    const span = spans.get(event);
    if (span === undefined) return;
    spans.delete(event);
    if (event.error === undefined) {
      if (event.rowCount !== undefined) span.setAttribute("db.response.returned_rows", event.rowCount);
    } else {
      const error = event.error instanceof Error ? event.error : new Error(String(event.error));
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    span.end();
  };
  subscribe(PG_QUERY_START_CHANNEL, onStart);
  subscribe(PG_QUERY_END_CHANNEL, onEnd);
  return () => {
    unsubscribe(PG_QUERY_START_CHANNEL, onStart);
    unsubscribe(PG_QUERY_END_CHANNEL, onEnd);
  };
}
