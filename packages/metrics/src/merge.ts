// Aggregation over workers. Each worker answers with `app.resolve(Metrics).snapshot()`; one place
// merges the snapshots into one exposition with prom-client's AggregatorRegistry (counters and
// histograms summed, gauges summed: in-flight requests and open connections add up across workers).
// With node:cluster, prom-client's own AggregatorRegistry.clusterMetrics() does the asking; with
// worker_threads the caller moves snapshots by postMessage (they are plain JSON).
import { AggregatorRegistry } from "prom-client";
import type { MetricSnapshot } from "./metrics.js";

/** The Prometheus text of the merged snapshots. */
export function mergeMetrics(snapshots: readonly MetricSnapshot[]): Promise<string> {
  return AggregatorRegistry.aggregate(snapshots as MetricSnapshot[]).metrics();
}
