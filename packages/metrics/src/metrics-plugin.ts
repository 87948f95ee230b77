// `app.register(metrics())`: Prometheus text at /metrics (left out of the OpenAPI document), a
// request duration histogram by route template and status, gauges from app.stats() and PostgreSQL
// query durations. The Metrics object is provided in the container (`app.resolve(Metrics)`) for
// custom metrics and for worker aggregation; with `aggregate`, /metrics serves the merge of every
// worker's snapshot instead of this process's alone.
import { type AnyContext, definePlugin, type Plugin } from "@fasterapi/core";
import { collectDefaultMetrics, type Registry } from "prom-client";
import { mergeMetrics } from "./merge.js";
import { type MetricSnapshot, Metrics } from "./metrics.js";
import { recordQueryDurations } from "./query-durations.js";
import { registerStatsGauges } from "./stats-gauges.js";

export interface MetricsOptions {
  /** Route of the exposition. Default "/metrics". */
  path?: string;
  /** Registry to fill (e.g. with your own metrics already in it). Default: a new one per app. */
  registry?: Registry;
  /** Node's process metrics (CPU, heap, event loop lag, GC) from prom-client. Default true. */
  processMetrics?: boolean;
  /**
   * Returns every worker's snapshot (this one's included) for one scrape; set by a multi-worker
   * runner so any worker answers /metrics for all of them.
   */
  aggregate?: () => Promise<MetricSnapshot[]>;
}

const UNMATCHED = "unmatched";
const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

export function metrics(options: MetricsOptions = {}): Plugin<undefined> {
  const path = options.path ?? "/metrics";
  const aggregate = options.aggregate;
  if (aggregate !== undefined && typeof aggregate !== "function")
    throw new TypeError("metrics({ aggregate }) must be a function returning the workers' snapshots");
  return definePlugin(
    (app) => {
      const handle = new Metrics(() => app.stats(), options.registry);
      if (options.processMetrics !== false) collectDefaultMetrics({ register: handle.registry });
      app.provide(Metrics, { useValue: handle });
      const started = new WeakMap<AnyContext, number>();
      app.addHook("onRequest", (ctx) => {
        started.set(ctx, performance.now());
      });
      app.addHook("onResponse", (ctx) => {
        const start = started.get(ctx);
        if (start === undefined) return;
        handle.requestDuration.observe(
          {
            method: ctx.method,
            route: ctx.routePath ?? UNMATCHED,
            status_code: String(ctx.reply.statusCode),
          },
          (performance.now() - start) / 1000,
        );
      });
      let stopQueries: (() => void) | null = null;
      app.addHook("onReady", () => {
        // After every plugin is loaded, so their stats sources exist.
        registerStatsGauges(handle, app.stats());
        stopQueries = recordQueryDurations(handle);
      });
      app.addHook("onClose", () => stopQueries?.());
      app.get(path, { includeInSchema: false }, async (ctx) => {
        const body = aggregate === undefined ? await handle.text() : await mergeMetrics(await aggregate());
        ctx.reply.type(PROMETHEUS_TEXT);
        return body;
      });
    },
    { name: "@fasterapi/metrics", global: true },
  );
}
