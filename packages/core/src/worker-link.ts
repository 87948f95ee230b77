// The two ends of the primary <-> worker channel, for worker threads (MessagePort) and cluster
// processes (IPC with advanced serialization, so bytes stay bytes). The primary holds a WorkerLink
// per worker; a worker holds one ParentLink. Nothing here knows what the messages mean.
import cluster, { type Worker as ClusterWorker } from "node:cluster";
import { parentPort, Worker } from "node:worker_threads";
import { type PrimaryMessage, unwrap, type WorkerMessage, wrap } from "./worker-messages.js";
import { WORKER_COUNT_ENV, WORKER_DATA_KEY, WORKER_ID_ENV, type WorkerInfo } from "./worker-role.js";

/** The primary's handle on one worker thread or process. */
export interface WorkerLink {
  readonly pid: number;
  readonly threadId: number;
  send(message: PrimaryMessage): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  /** Called once when the worker is gone; `reason` says how (exit code, signal or uncaught error). */
  onExit(listener: (reason: string) => void): void;
  /** Stops the worker now, without letting it drain. */
  kill(): void;
}

export function spawnThread(module: URL, info: Omit<WorkerInfo, "kind">): WorkerLink {
  const worker = new Worker(module, {
    workerData: { [WORKER_DATA_KEY]: { id: info.id, count: info.count } },
    execArgv: process.execArgv,
  });
  let error: Error | undefined;
  worker.on("error", (e) => {
    error = e;
  });
  return {
    pid: process.pid,
    threadId: worker.threadId,
    send: (message) => worker.postMessage(wrap(message)),
    onMessage(listener) {
      worker.on("message", (value) => {
        const message = unwrap<WorkerMessage>(value);
        if (message !== undefined) listener(message);
      });
    },
    onExit(listener) {
      worker.once("exit", (code) =>
        listener(error === undefined ? `exit code ${code}` : `uncaught ${error.name}: ${error.message}`),
      );
    },
    kill: () => void worker.terminate(),
  };
}

export function spawnProcess(modulePath: string, info: Omit<WorkerInfo, "kind">): WorkerLink {
  cluster.setupPrimary({ exec: modulePath, serialization: "advanced" });
  const worker: ClusterWorker = cluster.fork({
    [WORKER_ID_ENV]: String(info.id),
    [WORKER_COUNT_ENV]: String(info.count),
  });
  return {
    pid: worker.process.pid ?? 0,
    threadId: 0,
    send(message) {
      if (worker.isConnected()) worker.send(wrap(message));
    },
    onMessage(listener) {
      worker.on("message", (value) => {
        const message = unwrap<WorkerMessage>(value);
        if (message !== undefined) listener(message);
      });
    },
    onExit(listener) {
      worker.once("exit", (code, signal) => listener(signal ? `signal ${signal}` : `exit code ${code}`));
    },
    kill: () => void worker.process.kill("SIGKILL"),
  };
}

/** A worker's end of the channel to its primary. */
export interface ParentLink {
  /** Sends `message`; `sent` runs once it has left this worker (before exiting, wait for it). */
  send(message: WorkerMessage, sent?: () => void): void;
  onMessage(listener: (message: PrimaryMessage) => void): void;
}

export function parentLink(kind: WorkerInfo["kind"]): ParentLink {
  const accept = (listener: (message: PrimaryMessage) => void) => (value: unknown) => {
    const message = unwrap<PrimaryMessage>(value);
    if (message !== undefined) listener(message);
  };
  if (kind === "thread") {
    const port = parentPort;
    if (port === null) throw new Error("parentLink: not in a worker thread");
    return {
      send(message, sent) {
        port.postMessage(wrap(message));
        if (sent !== undefined) setImmediate(sent);
      },
      onMessage: (listener) => void port.on("message", accept(listener)),
    };
  }
  return {
    send(message, sent) {
      if (process.connected && process.send !== undefined) process.send(wrap(message), undefined, {}, sent);
      else sent?.();
    },
    onMessage: (listener) => void process.on("message", accept(listener)),
  };
}
