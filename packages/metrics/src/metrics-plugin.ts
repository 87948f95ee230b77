// `app.register(metrics())`: Prometheus text at /metrics (left out of the OpenAPI document), a
// request duration histogram by route template and status, gauges from app.stats() and PostgreSQL
// query durations. The Metrics object is provided in the container (`app.resolve(Metrics)`) for
// custom metrics and for worker aggregation. Under app.run({ workers }) each worker reports its
// snapshot with its stats (addWorkerCollector) and /metrics in any worker serves the merge of all
// of them; `aggregate` replaces that source for other multi-process setups.
import {
  type AnyContext,
  type App,
  addWorkerCollector,
  type ClusterStats,
  currentWorker,
  definePlugin,
  type Plugin,
} from "@fasterapi/core";
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
   * Returns every worker's snapshot (this one's included) for one scrape, so any worker answers
   * /metrics for all of them. Under app.run({ workers }) that is the default (the snapshots come
   * with app.collectStats()); set it for workers started some other way.
   */
  aggregate?: () => Promise<MetricSnapshot[]>;
}

const UNMATCHED = "unmatched";
/** The addWorkerCollector() name of a worker's snapshot in `collectStats().workers[i].collected`. */
const WORKER_COLLECTOR = "metrics";
const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

export function metrics(options: MetricsOptions = {}): Plugin<undefined> {
  const path = options.path ?? "/metrics";
  if (options.aggregate !== undefined && typeof options.aggregate !== "function")
    throw new TypeError("metrics({ aggregate }) must be a function returning the workers' snapshots");
  return definePlugin(
    (app) => {
      const handle = new Metrics(() => app.stats(), options.registry);
      if (options.processMetrics !== false) collectDefaultMetrics({ register: handle.registry });
      app.provide(Metrics, { useValue: handle });
      addWorkerCollector(app, WORKER_COLLECTOR, () => handle.snapshot());
      const scrape = chooseScrape(app, handle, options.aggregate);
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
        const body = await scrape();
        ctx.reply.type(PROMETHEUS_TEXT);
        return body;
      });
    },
    { name: "@fasterapi/metrics", global: true },
  );
}

/** What one scrape renders: the given aggregate, every app.run() worker's snapshot, or this app's metrics. */
function chooseScrape(
  app: App,
  handle: Metrics,
  aggregate: MetricsOptions["aggregate"],
): () => Promise<string> {
  if (aggregate !== undefined) return async () => mergeMetrics(await aggregate());
  if (currentWorker() === undefined) return () => handle.text();
  return async () => mergeMetrics(workerSnapshots(await app.collectStats()));
}

/** The snapshots in a cluster collection; a worker that did not answer in time has none and is left out. */
function workerSnapshots(stats: ClusterStats): MetricSnapshot[] {
  return stats.workers
    .map((row) => row.collected[WORKER_COLLECTOR])
    .filter((snapshot): snapshot is MetricSnapshot => Array.isArray(snapshot));
}
