// `app.run({ workers })`: one entry point for the primary and its workers. The primary (the
// process the user started) spawns workers that re-run the same module; in a worker the same
// `app.run()` call serves the app instead. User code after `await app.run()` therefore runs in the
// primary and in every worker: check `result.worker` to tell them apart.
import { constants } from "node:os";
import { threadId } from "node:worker_threads";
import type { App, AppStats } from "./app.js";
import { type ClusterStats, mergeReports } from "./cluster-stats.js";
import { type RunOptions, resolveRunOptions } from "./run-options.js";
import { Supervisor } from "./supervisor.js";
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

/** Repeats of the first signal within this window are its echoes, not a second signal. */
const ECHO_MS = 1000;

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
 * First SIGTERM/SIGINT: drain all workers (app.close()), then exit 0 (1 if draining failed). Repeats
 * within ECHO_MS are the same signal forwarded again (a terminal's Ctrl-C reaches the whole process
 * group, pnpm forwards it once more); a later second signal exits at once with 128 + its number.
 * The same rules as core's closeOnSignals for a single process.
 */
function handleSignals(app: App, supervisor: Supervisor): void {
  let closingSince = 0;
  const drain = () => {
    closingSince = Date.now();
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        app.log.error({ err: error }, "draining workers failed");
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (closingSince !== 0) {
      if (Date.now() - closingSince <= ECHO_MS) return;
      app.log.warn({ signal }, "second signal: exiting without waiting for the workers");
      process.exit(128 + constants.signals[signal]);
    }
    app.log.info({ signal }, "draining workers (a second signal exits at once)");
    drain();
  };
  supervisor.onShutdownRequest = () => {
    if (closingSince === 0) drain();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
