// The options of `app.run()` and their validation: a bad value is a clear error before any
// worker starts. Defaults live here.
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import type { RestartOptions } from "./restart-backoff.js";

export interface RunOptions {
  /** How many workers: a number >= 1, or "auto" for one per core (os.availableParallelism()). Default "auto". */
  workers?: number | "auto";
  /**
   * Worker threads (each with its own native engine, transports bound with SO_REUSEPORT) or cluster
   * processes (the node:http path, which cannot share a port between threads on Node 20). "auto"
   * starts threads and switches to processes when a transport cannot share its port. Default "auto".
   */
  mode?: "auto" | "threads" | "processes";
  /** The module that builds the app and calls app.run(); each worker runs it. Default: the main module. */
  module?: string | URL;
  /** Backoff for replacing workers that die. */
  restart?: RestartOptions;
  /** How often the primary refreshes the merged app.stats(). Default 1000 ms. */
  statsIntervalMs?: number;
  /** A worker that is not listening after this long fails the start. Default 30 s. */
  startTimeoutMs?: number;
  /**
   * SIGTERM/SIGINT in the primary drain every worker, then exit 0; a second signal exits at once
   * (closeOnSignals' policy). Default true; pass false to call closeOnSignals(app, { afterClose })
   * yourself, e.g. to stop what the primary started for its workers.
   */
  signals?: boolean;
}

export interface ResolvedRunOptions {
  workers: number;
  mode: "auto" | "threads" | "processes";
  module: URL;
  restart: RestartOptions;
  statsIntervalMs: number;
  startTimeoutMs: number;
  signals: boolean;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`app.run(): "${name}" must be an integer >= 1, got ${String(value)}`);
  }
  return value;
}

function moduleUrl(module: string | URL | undefined): URL {
  const target = module ?? process.argv[1];
  if (target === undefined || target === "") {
    throw new TypeError(
      "app.run(): cannot tell which module builds the app (no main module); pass { module: import.meta.url }",
    );
  }
  if (target instanceof URL) return target;
  return target.startsWith("file:") ? new URL(target) : pathToFileURL(target);
}

export function resolveRunOptions(options: RunOptions = {}): ResolvedRunOptions {
  if (options === null || typeof options !== "object")
    throw new TypeError("app.run(options): options must be an object");
  const workers =
    options.workers === undefined || options.workers === "auto"
      ? availableParallelism()
      : positiveInteger("workers", options.workers, 1);
  const mode = options.mode ?? "auto";
  if (mode !== "auto" && mode !== "threads" && mode !== "processes") {
    throw new TypeError(`app.run(): "mode" must be "auto", "threads" or "processes", got ${String(mode)}`);
  }
  for (const key of ["initialDelayMs", "maxDelayMs", "resetAfterMs"] as const) {
    positiveInteger(`restart.${key}`, options.restart?.[key], 1);
  }
  return {
    workers,
    mode,
    module: moduleUrl(options.module),
    restart: options.restart ?? {},
    statsIntervalMs: positiveInteger("statsIntervalMs", options.statsIntervalMs, 1000),
    startTimeoutMs: positiveInteger("startTimeoutMs", options.startTimeoutMs, 30_000),
    signals: options.signals ?? true,
  };
}
