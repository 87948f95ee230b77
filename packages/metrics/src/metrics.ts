// One app's Prometheus registry and its metrics. Gauges that mirror app.stats() are filled from
// one stats snapshot taken per scrape, so a scrape calls app.stats() once however many gauges read
// it. `snapshot()` is the per-worker half of aggregation (see merge.ts); `text()` the exposition.
import type { AppStats } from "@fasterapi/core";
import { Histogram, type MetricObjectWithValues, type MetricValue, Registry } from "prom-client";

/** What one worker contributes to an aggregated scrape: prom-client's JSON form of its registry. */
export type MetricSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** Request durations from tens of microseconds (a cached GET) to seconds. */
export const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export class Metrics {
  readonly registry: Registry;
  /** `http_request_duration_seconds{method, route, status_code}`. */
  readonly requestDuration: Histogram<"method" | "route" | "status_code">;
  /** `fasterapi_pg_query_duration_seconds{operation, outcome}`. */
  readonly queryDuration: Histogram<"operation" | "outcome">;
  /** The stats of the scrape in progress, read by the stats gauges' collect(). */
  current: AppStats | null = null;

  constructor(
    private readonly readStats: () => AppStats,
    registry: Registry = new Registry(),
  ) {
    this.registry = registry;
    this.requestDuration = new Histogram({
      name: "http_request_duration_seconds",
      help: "Time from the request's arrival to its response, by route template and status.",
      labelNames: ["method", "route", "status_code"] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    this.queryDuration = new Histogram({
      name: "fasterapi_pg_query_duration_seconds",
      help: "PostgreSQL query durations, by the statement's first keyword and outcome (ok, error).",
      labelNames: ["operation", "outcome"] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  }

  private refresh(): void {
    this.current = this.readStats();
  }

  /** This process's metrics as prom-client JSON, for merging with other workers' (mergeMetrics). */
  async snapshot(): Promise<MetricSnapshot> {
    this.refresh();
    return (await this.registry.getMetricsAsJSON()) as MetricSnapshot;
  }

  /** This process's metrics in the Prometheus text format. */
  async text(): Promise<string> {
    this.refresh();
    return this.registry.metrics();
  }
}
