// Graceful shutdown on SIGTERM/SIGINT, as close-with-grace users expect: the first signal runs
// app.close() (transports stop accepting and drain in-flight requests up to closeGraceMs, then
// shutdown hooks close pools; in the primary of app.run() every worker does that) and exits 0; a
// second signal exits at once with 128 + its number (130 for SIGINT), and a close that overruns
// forceExitMs exits 1. The one signal policy of the framework: app.run()'s primary uses it too.
// Opt-in: a library must not own the process's signals unless asked.
import { constants } from "node:os";
import type { App } from "./app.js";
import { checkNonNegative } from "./app-options.js";
import { currentWorker } from "./worker-role.js";

export interface CloseOnSignalsOptions {
  /** Default ["SIGTERM", "SIGINT"]. */
  signals?: readonly NodeJS.Signals[];
  /** Exit after close() gave up waiting this long. Default closeGraceMs + 5000. */
  forceExitMs?: number;
  /**
   * Repeats of the first signal within this window are its echoes, not a second signal: a
   * terminal's Ctrl-C reaches every process in the group and pnpm forwards it again. Default 1000 ms.
   */
  signalEchoMs?: number;
  /**
   * Runs once app.close() resolved, before the exit: cleanup of what the process made for the app
   * outside it, e.g. stopping an embedded database. A rejection exits 1. Counted in forceExitMs.
   */
  afterClose?: () => unknown;
  /** How the process ends; default process.exit. Tests and supervisors may pass their own. */
  exit?: (code: number) => void;
}

/** The installed policy: `shutdown()` starts what a first signal starts (nothing if one did already). */
export interface SignalPolicy {
  shutdown(reason: string): void;
  remove(): void;
}

/**
 * Installs the signal handlers; returns a function that removes them again. `app` may be the
 * promise of an app still starting: a signal during the start waits for it, so nothing the start
 * made is left behind. In a worker of app.run() this does nothing: signals are the primary's.
 */
export function closeOnSignals(app: App | PromiseLike<App>, options: CloseOnSignalsOptions = {}): () => void {
  return installSignalPolicy(app, options).remove;
}

export function installSignalPolicy(
  app: App | PromiseLike<App>,
  options: CloseOnSignalsOptions,
): SignalPolicy {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  checkNonNegative("closeOnSignals forceExitMs", options.forceExitMs);
  checkNonNegative("closeOnSignals signalEchoMs", options.signalEchoMs);
  if (options.afterClose !== undefined && typeof options.afterClose !== "function")
    throw new TypeError("closeOnSignals afterClose must be a function");
  const echoMs = options.signalEchoMs ?? 1000;
  let closingSince = 0;
  let closing: App | undefined;

  const shutdown = (reason: string): void => {
    if (closingSince !== 0) return;
    closingSince = Date.now();
    Promise.resolve(app).then(
      (ready) => closeAndExit(ready, reason),
      () => exit(1), // the start failed; whoever started it reports why
    );
  };
  const closeAndExit = (ready: App, reason: string): void => {
    closing = ready;
    ready.log.info({ reason }, "shutting down: draining in-flight requests (a second signal exits at once)");
    const forceExitMs = options.forceExitMs ?? (ready.state.options.closeGraceMs ?? 10_000) + 5000;
    const force = setTimeout(() => {
      ready.log.error({ forceExitMs }, "close did not finish in time: exiting");
      exit(1);
    }, forceExitMs);
    force.unref();
    ready
      .close()
      .then(() => options.afterClose?.())
      .then(
        () => {
          clearTimeout(force);
          exit(0);
        },
        (error: unknown) => {
          clearTimeout(force);
          ready.log.error({ err: error }, "close failed");
          exit(1);
        },
      );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closingSince === 0) {
      shutdown(signal);
      return;
    }
    if (Date.now() - closingSince <= echoMs) return;
    closing?.log.warn({ signal }, "second signal: exiting now");
    exit(128 + constants.signals[signal]);
  };

  if (currentWorker() !== undefined) return { shutdown, remove: () => {} };
  for (const signal of signals) process.on(signal, onSignal);
  return {
    shutdown,
    remove() {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
