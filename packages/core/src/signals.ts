// Graceful shutdown on SIGTERM/SIGINT, as close-with-grace users expect: the first signal runs
// app.close() (transports stop accepting and drain in-flight requests up to closeGraceMs, then
// shutdown hooks close pools) and exits 0; a second signal, or a close that overruns forceExitMs,
// exits 1 at once. Opt-in: a library must not own the process's signals unless asked.
import type { App } from "./app.js";
import { checkNonNegative } from "./app-options.js";

export interface CloseOnSignalsOptions {
  /** Default ["SIGTERM", "SIGINT"]. */
  signals?: readonly NodeJS.Signals[];
  /** Exit after close() gave up waiting this long. Default closeGraceMs + 5000. */
  forceExitMs?: number;
  /** How the process ends; default process.exit. Tests and supervisors may pass their own. */
  exit?: (code: number) => void;
}

/** Installs the signal handlers; returns a function that removes them again. */
export function closeOnSignals(app: App, options: CloseOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  checkNonNegative("closeOnSignals forceExitMs", options.forceExitMs);
  const forceExitMs = options.forceExitMs ?? (app.state.options.closeGraceMs ?? 10_000) + 5000;
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      app.log.warn({ signal }, "second signal: exiting now");
      exit(1);
      return;
    }
    closing = true;
    app.log.info({ signal }, "closing: draining in-flight requests (a second signal exits at once)");
    const force = setTimeout(() => {
      app.log.error({ forceExitMs }, "close did not finish in time: exiting");
      exit(1);
    }, forceExitMs);
    force.unref();
    app.close().then(
      () => {
        clearTimeout(force);
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(force);
        app.log.error({ err: error }, "close failed");
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
