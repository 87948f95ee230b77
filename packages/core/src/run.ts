// `app.run({ workers })`: one entry point for the primary and its workers. The primary (the
// process the user started) spawns workers that re-run the same module; in a worker the same
// `app.run()` call serves the app instead. User code after `await app.run()` therefore runs in the
// primary and in every worker: check `result.worker` to tell them apart.
import { threadId } from "node:worker_threads";
import type { App, AppStats } from "./app.js";
import { type ClusterStats, mergeReports } from "./cluster-stats.js";
import { type RunOptions, resolveRunOptions } from "./run-options.js";
import { installSignalPolicy } from "./signals.js";
import { CLOSE_MARGIN_MS, Supervisor } from "./supervisor.js";
import type { TransportAddress } from "./transport.js";
import { buildReport } from "./worker-report.js";
import { currentWorker, type WorkerInfo } from "./worker-role.js";
import { serveAsWorker, type WorkerRuntime } from "./worker-runtime.js";

/** What `app.run()` resolves with, in the primary and in each worker. */
export interface RunningApp {
  /** This worker, or undefined in the primary. */
  readonly worker: WorkerInfo | undefined;
  /** Where the app listens (the same for every worker). */
  readonly addresses: TransportAddress[];
  /** In the primary: the merged stats of the last collection; in a worker: this worker's own. */
  stats(): AppStats;
  /** Fresh stats of every worker, merged, with one row per worker (from the primary or any worker); as app.collectStats(). */
  collectStats(): Promise<ClusterStats>;
  /** Drains every worker (each runs app.close()) and stops them; the primary's signal handlers do the same. */
  close(): Promise<void>;
}

const workerRuntimes = new WeakMap<object, WorkerRuntime>();

/**
 * app.collectStats(): every worker's fresh figures merged, with one row per worker, from the primary
 * or inside any worker; a single process reports itself as the only row.
 */
export async function collectStats(app: App): Promise<ClusterStats> {
  const state = app.state;
  if (state.supervisor !== null) return state.supervisor.collect();
  const runtime = workerRuntimes.get(state);
  if (runtime !== undefined) return runtime.collectStats();
  const report = await buildReport(app);
  const row = { id: 0, kind: "process" as const, pid: process.pid, threadId, restarts: 0 };
  return {
    ...mergeReports([report]),
    workers: [{ ...row, stats: report.stats, collected: report.collected }],
  };
}

export async function runApp(app: App, options: RunOptions = {}): Promise<RunningApp> {
  const worker = currentWorker();
  if (worker !== undefined) {
    const runtime = await serveAsWorker(app, worker);
    workerRuntimes.set(app.state, runtime);
    return {
      worker,
      addresses: runtime.addresses,
      stats: () => app.stats(),
      collectStats: () => runtime.collectStats(),
      async close() {
        runtime.requestShutdown();
      },
    };
  }
  if (app.state.supervisor !== null) throw new Error("app.run() was already called");
  const resolved = resolveRunOptions(options);
  const supervisor = new Supervisor(app, resolved);
  app.state.supervisor = supervisor;
  const addresses = await supervisor.start();
  if (resolved.signals) handleSignals(app, supervisor);
  return {
    worker: undefined,
    addresses,
    stats: () => supervisor.stats(),
    collectStats: () => supervisor.collect(),
    close: () => app.close(),
  };
}

/**
 * The primary's signals follow closeOnSignals: the first drains every worker (app.close()) and exits
 * 0, a second exits at once. A worker's RunningApp.close() asks for the same drain. The deadline
 * leaves the supervisor its own margin to kill workers that outlast closeGraceMs.
 */
function handleSignals(app: App, supervisor: Supervisor): void {
  const forceExitMs = (app.state.options.closeGraceMs ?? 10_000) + 2 * CLOSE_MARGIN_MS;
  const policy = installSignalPolicy(app, { forceExitMs });
  supervisor.onShutdownRequest = () => policy.shutdown("a worker asked to shut down");
}
