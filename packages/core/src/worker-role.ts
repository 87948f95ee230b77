// Which role this thread or process plays under `app.run({ workers })`: the primary (or a plain
// single process) sees undefined; a worker sees its index and the worker count, read from the
// worker thread's workerData or the cluster process's environment. Plugins read it to take their
// share of a per-app budget (pg's pool `max` is split across workers).
import cluster from "node:cluster";
import { isMainThread, workerData } from "node:worker_threads";

/** A worker of `app.run({ workers })`. */
export interface WorkerInfo {
  /** 0 .. count - 1; a restarted worker keeps the index of the one it replaces. */
  readonly id: number;
  /** How many workers the app runs. */
  readonly count: number;
  /** Worker threads (native transports, SO_REUSEPORT) or cluster processes (the node:http path). */
  readonly kind: "thread" | "process";
}

/** The workerData key / environment variables the primary sets for its workers. */
export const WORKER_DATA_KEY = "fasterapiWorker";
export const WORKER_ID_ENV = "FASTERAPI_WORKER_ID";
export const WORKER_COUNT_ENV = "FASTERAPI_WORKER_COUNT";

function detect(): WorkerInfo | undefined {
  if (!isMainThread) {
    const data = (workerData as Record<string, unknown> | null)?.[WORKER_DATA_KEY] as
      | { id: number; count: number }
      | undefined;
    return data === undefined ? undefined : { id: data.id, count: data.count, kind: "thread" };
  }
  const id = process.env[WORKER_ID_ENV];
  const count = process.env[WORKER_COUNT_ENV];
  if (cluster.isWorker && id !== undefined && count !== undefined) {
    return { id: Number(id), count: Number(count), kind: "process" };
  }
  return undefined;
}

const role = detect();

/** This thread's worker, or undefined in the primary and in a single-process app. */
export function currentWorker(): WorkerInfo | undefined {
  return role;
}

/** `total` split over the workers: this worker's share, at least `min` (the first `total % count` workers get one more). */
export function workerShare(total: number, min = 1): number {
  if (role === undefined) return total;
  const base = Math.floor(total / role.count);
  const extra = role.id < total % role.count ? 1 : 0;
  return Math.max(min, base + extra);
}
