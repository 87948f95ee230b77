// `app.run({ workers })`: one entry point for the primary and its workers. The primary (the
// process the user started) spawns workers that re-run the same module; in a worker the same
// `app.run()` call serves the app instead. User code after `await app.run()` therefore runs in the
// primary and in every worker: check `result.worker` to tell them apart.
import type { App, AppStats } from "./app.js";
import type { ClusterStats } from "./cluster-stats.js";
import { type RunOptions, resolveRunOptions } from "./run-options.js";
import { Supervisor } from "./supervisor.js";
import type { TransportAddress } from "./transport.js";
import { currentWorker, type WorkerInfo } from "./worker-role.js";
import { serveAsWorker } from "./worker-runtime.js";

/** What `app.run()` resolves with, in the primary and in each worker. */
export interface RunningApp {
  /** This worker, or undefined in the primary. */
  readonly worker: WorkerInfo | undefined;
  /** Where the app listens (the same for every worker). */
  readonly addresses: TransportAddress[];
  /** In the primary: the merged stats of the last collection; in a worker: this worker's own. */
  stats(): AppStats;
  /** Fresh stats of every worker, merged, with one row per worker (from the primary or any worker). */
  collectStats(): Promise<ClusterStats>;
  /** Drains every worker (each runs app.close()) and stops them; the primary's signal handlers do the same. */
  close(): Promise<void>;
}

export async function runApp(app: App, options: RunOptions = {}): Promise<RunningApp> {
  const worker = currentWorker();
  if (worker !== undefined) {
    const runtime = await serveAsWorker(app, worker);
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
    close: () => supervisor.close(),
  };
}

/** First SIGTERM/SIGINT: drain all workers, then exit 0 (1 if draining failed); a second one exits at once. */
function handleSignals(app: App, supervisor: Supervisor): void {
  let draining = false;
  const drain = (signal: NodeJS.Signals) => {
    if (draining) {
      app.log.warn({ signal }, "second signal: exiting without waiting for the workers");
      process.exit(1);
    }
    draining = true;
    app.log.info({ signal }, "draining workers");
    supervisor.close().then(
      () => process.exit(0),
      (error: Error) => {
        app.log.error({ err: error }, "draining workers failed");
        process.exit(1);
      },
    );
  };
  supervisor.onShutdownRequest = () => drain("SIGTERM");
  process.on("SIGTERM", drain);
  process.on("SIGINT", drain);
}
