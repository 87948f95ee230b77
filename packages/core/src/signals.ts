// Graceful shutdown on SIGTERM/SIGINT, as close-with-grace users expect: the first signal runs
// app.close() (transports stop accepting and drain in-flight requests up to closeGraceMs, then
// shutdown hooks close pools) and exits 0; a second signal exits at once with 128 + its number
// (130 for SIGINT), and a close that overruns forceExitMs exits 1. Opt-in: a library must not own
// the process's signals unless asked.
import { constants } from "node:os";
import type { App } from "./app.js";
import { checkNonNegative } from "./app-options.js";

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
  /** How the process ends; default process.exit. Tests and supervisors may pass their own. */
  exit?: (code: number) => void;
}

/** Installs the signal handlers; returns a function that removes them again. */
export function closeOnSignals(app: App, options: CloseOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  checkNonNegative("closeOnSignals forceExitMs", options.forceExitMs);
  checkNonNegative("closeOnSignals signalEchoMs", options.signalEchoMs);
  const forceExitMs = options.forceExitMs ?? (app.state.options.closeGraceMs ?? 10_000) + 5000;
  const echoMs = options.signalEchoMs ?? 1000;
  let closingSince = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closingSince !== 0) {
      if (Date.now() - closingSince <= echoMs) return;
      app.log.warn({ signal }, "second signal: exiting now");
      exit(128 + constants.signals[signal]);
      return;
    }
    closingSince = Date.now();
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
