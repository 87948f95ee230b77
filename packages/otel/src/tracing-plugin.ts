// `app.register(tracing())`: one SERVER span per request, named "<METHOD> <route template>", child
// of the caller's span when the request carries W3C `traceparent` (through the globally registered
// propagator), with HTTP semantic-convention attributes; the handler, its dependencies and its
// PostgreSQL queries run inside the span's context. Built on @opentelemetry/api only: without a
// registered SDK every call is a no-op. It exports nothing itself: the SDK's exporters do.
import { type AnyContext, definePlugin, type Plugin } from "@fasterapi/core";
import {
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { traceQueries } from "./query-spans.js";

export interface TracingOptions {
  /** Tracer to use. Default: trace.getTracer("@fasterapi/otel") from the global provider. */
  tracer?: Tracer;
  /** Child spans for @fasterapi/pg-pool queries. Default true. */
  queries?: boolean;
}

/** Reads propagation headers (traceparent, tracestate, baggage) from the lazy request view. */
const requestHeaders: TextMapGetter<AnyContext> = {
  get: (ctx, key) => ctx.request.header(key),
  keys: (ctx) => Object.keys(ctx.request.headers()),
};

export function tracing(options: TracingOptions = {}): Plugin<undefined> {
  return definePlugin(
    (app) => {
      const tracer = options.tracer ?? trace.getTracer("@fasterapi/otel");
      const spans = new WeakMap<AnyContext, Span>();
      // onRequest, so requests answered by a hook (load shedding, auth) get a span too.
      app.addHook("onRequest", (ctx) => {
        const parent = propagation.extract(context.active(), ctx, requestHeaders);
        const route = ctx.routePath;
        const span = tracer.startSpan(
          route === null ? ctx.method : `${ctx.method} ${route}`,
          {
            kind: SpanKind.SERVER,
            attributes: {
              "http.request.method": ctx.method,
              "url.path": ctx.path,
              "network.protocol.name": "http",
              "network.protocol.version": ctx.request.protocol.replace(/^http\//, ""),
              "client.address": ctx.request.remoteAddress,
              ...(route === null ? {} : { "http.route": route }),
            },
          },
          parent,
        );
        spans.set(ctx, span);
      });
      // Middleware wraps parsing, dependencies, the handler and serialization: their async work
      // (queries included) sees the span as the active one.
      app.use((ctx, next) => {
        const span = spans.get(ctx);
        return span === undefined ? next() : context.with(trace.setSpan(context.active(), span), next);
      });
      const errors = new WeakMap<AnyContext, unknown>();
      app.addHook("onError", (ctx, error) => {
        errors.set(ctx, error);
      });
      app.addHook("onResponse", (ctx) => {
        const span = spans.get(ctx);
        if (span === undefined) return;
        const status = ctx.reply.statusCode;
        span.setAttribute("http.response.status_code", status);
        // Server spans: a 4xx answer is the client's problem; only 5xx marks the span failed and
        // records the error that caused it.
        if (status >= 500) {
          const error = errors.get(ctx);
          if (error !== undefined)
            span.recordException(error instanceof Error ? error : new Error(String(error)));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      });
      if (options.queries !== false) {
        let stop: (() => void) | null = null;
        app.addHook("onReady", () => {
          stop = traceQueries(tracer);
        });
        app.addHook("onClose", () => stop?.());
      }
    },
    { name: "@fasterapi/otel", global: true },
  );
}
