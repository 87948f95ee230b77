// The messages between the primary of `app.run({ workers })` and its workers, over a worker
// thread's port or a cluster process's IPC channel. Every message is wrapped as `{ fasterapi: ... }`
// so an application's own process.send traffic is left alone.
import type { TransportAddress } from "./transport.js";
import type { WorkerReport } from "./worker-report.js";

export type PrimaryMessage =
  | { type: "collect"; id: number }
  | { type: "close" }
  | { type: "deliver"; topic: string; data: unknown }
  | { type: "cluster-stats"; id: number; stats: unknown };

export type WorkerMessage =
  | { type: "listening"; addresses: TransportAddress[] }
  | { type: "needs-processes"; transports: string[] }
  | { type: "failed"; message: string }
  | { type: "report"; id: number; report: WorkerReport }
  | { type: "final-report"; report: WorkerReport }
  | { type: "publish"; topic: string; data: unknown }
  | { type: "collect-cluster"; id: number }
  | { type: "shutdown" };

export interface Envelope<M> {
  fasterapi: M;
}

export function wrap<M>(message: M): Envelope<M> {
  return { fasterapi: message };
}

/** The message inside an envelope, or undefined for anything else on the channel. */
export function unwrap<M>(value: unknown): M | undefined {
  if (value === null || typeof value !== "object" || !("fasterapi" in value)) return undefined;
  return (value as Envelope<M>).fasterapi;
}
