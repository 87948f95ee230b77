// What one worker reports when the primary collects stats: its app.stats(), its raw latency
// buckets (percentiles only merge from buckets) and what plugins registered with
// addWorkerCollector() (e.g. a metrics snapshot that the metrics plugin merges itself). This is the
// merge interface for per-worker figures that a plain sum would get wrong.
import type { App, AppStats } from "./app.js";

export interface WorkerReport {
  stats: AppStats;
  latencyBuckets: number[];
  /** One value per addWorkerCollector() name. */
  collected: Record<string, unknown>;
}

type Collector = () => unknown;

const collectors = new WeakMap<object, Map<string, Collector>>();

/**
 * Adds `collect()`'s result (JSON-safe, may be async) under `name` to this worker's report, read in
 * `(await app.collectStats()).workers[i].collected[name]`. Call it from a plugin (plugins load in
 * every worker). A name is taken once per app.
 */
export function addWorkerCollector(app: App, name: string, collect: Collector): void {
  if (typeof collect !== "function") throw new TypeError(`addWorkerCollector("${name}"): pass a function`);
  let named = collectors.get(app.state);
  if (named === undefined) {
    named = new Map();
    collectors.set(app.state, named);
  }
  if (named.has(name)) throw new Error(`addWorkerCollector: the name "${name}" is already taken`);
  named.set(name, collect);
}

export async function buildReport(app: App): Promise<WorkerReport> {
  const collected: Record<string, unknown> = {};
  for (const [name, collect] of collectors.get(app.state) ?? []) {
    try {
      collected[name] = await collect();
    } catch (error) {
      // One broken collector must not take the whole report down (as with stats sources).
      collected[name] = { error: (error as Error).message };
    }
  }
  // Through JSON: stats sources and collectors may return values a structured clone refuses.
  return JSON.parse(
    JSON.stringify({ stats: app.stats(), latencyBuckets: app.state.stats.latencyBuckets(), collected }),
  );
}
