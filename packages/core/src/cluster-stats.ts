// app.stats() across workers: the primary asks every worker for its report and merges them into
// one AppStats (counters summed, latency percentiles read from the summed histogram buckets,
// per-transport and plugin figures summed field by field) plus one row per worker with its own
// figures. Non-numeric fields keep the first worker's value; the rows have every worker's.
import type { AppStats } from "./app.js";
import { LatencyHistogram } from "./stats.js";
import type { WorkerReport } from "./worker-report.js";

/** One worker in `app.stats().workers`. */
export interface WorkerStatsRow {
  id: number;
  kind: "thread" | "process";
  /** Process id (the primary's for threads). */
  pid: number;
  /** Worker thread id; 0 for processes. */
  threadId: number;
  /** How many times this slot's worker was replaced after it died. */
  restarts: number;
  /** This worker's own app.stats(), null while it is (re)starting or did not answer. */
  stats: AppStats | null;
  /** What plugins added with addWorkerCollector(), by name (empty when `stats` is null). */
  collected: Record<string, unknown>;
}

/** `app.stats()` of an app running workers, in the primary or from `collectStats()` in a worker. */
export interface ClusterStats extends AppStats {
  workers: WorkerStatsRow[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Numbers added, records merged key by key, anything else: the first defined value. */
function sumFields(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (typeof a === "number" && typeof b === "number") return a + b;
  if (isRecord(a) && isRecord(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = sumFields(a[key], value);
    return out;
  }
  return a;
}

/** One AppStats for the whole app from the workers' reports (an all-zero one when there are none). */
export function mergeReports(reports: readonly WorkerReport[]): AppStats {
  const latency = new LatencyHistogram();
  let merged: Record<string, unknown> = {};
  for (const report of reports) {
    latency.addBuckets(report.latencyBuckets);
    merged = sumFields(merged, report.stats) as Record<string, unknown>;
  }
  const stats = merged as Partial<AppStats>;
  return {
    ...merged,
    requests: stats.requests ?? { total: 0, "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 },
    inFlight: stats.inFlight ?? 0,
    latencyMs: { p50: latency.percentile(0.5), p99: latency.percentile(0.99) },
    transports: stats.transports ?? {},
  };
}
