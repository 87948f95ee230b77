// The cross-worker message bus: `publish(topic, data)` reaches every subscriber of `topic` in this
// thread at once and, under `app.run({ workers })`, in the primary and every other worker (relayed
// by the primary, so no Redis is needed). In a single-process app it is a local pub/sub.
// WebSocket `app.publish` is built on it; it does not know about sockets or rooms.

/** What travels on the bus: text, or bytes (delivered as a Buffer in every worker). */
export type BusData = string | Uint8Array;

export type BusSubscriber = (data: string | Buffer, topic: string) => void;

export class WorkerBus {
  private readonly topics = new Map<string, Set<BusSubscriber>>();
  private uplink: ((topic: string, data: BusData) => void) | null = null;

  /** Delivers `data` to the subscribers of `topic` here and in every other worker. */
  publish(topic: string, data: BusData): void {
    if (typeof topic !== "string" || topic === "")
      throw new TypeError("publish(): topic must be a non-empty string");
    if (typeof data !== "string" && !(data instanceof Uint8Array)) {
      throw new TypeError("publish(): data must be a string, a Buffer or a Uint8Array");
    }
    this.deliver(topic, data);
    this.uplink?.(topic, data);
  }

  /** Calls `subscriber` for every message on `topic`; returns the function that unsubscribes. */
  subscribe(topic: string, subscriber: BusSubscriber): () => void {
    if (typeof subscriber !== "function") throw new TypeError("subscribe(): subscriber must be a function");
    let set = this.topics.get(topic);
    if (set === undefined) {
      set = new Set();
      this.topics.set(topic, set);
    }
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (set.size === 0 && this.topics.get(topic) === set) this.topics.delete(topic);
    };
  }

  /** Number of local subscribers of `topic`. */
  subscribers(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }

  /** @internal Hands messages to the other workers (set by the primary or a worker's run()). */
  connect(uplink: ((topic: string, data: BusData) => void) | null): void {
    this.uplink = uplink;
  }

  /** @internal Delivers a message that arrived from another worker (or was published here). */
  deliver(topic: string, data: unknown): void {
    const set = this.topics.get(topic);
    if (set === undefined) return;
    // Structured clone turns a Buffer into a plain Uint8Array; give subscribers a Buffer view back.
    const payload =
      typeof data === "string"
        ? data
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(
              (data as Uint8Array).buffer,
              (data as Uint8Array).byteOffset,
              (data as Uint8Array).byteLength,
            );
    for (const subscriber of set) {
      try {
        subscriber(payload, topic);
      } catch (error) {
        // One failing subscriber must not keep the message from the others, nor kill the worker.
        process.emitWarning(`worker bus: a subscriber of "${topic}" threw: ${(error as Error).message}`);
      }
    }
  }
}

const bus = new WorkerBus();

/** This thread's bus (one per thread or process, shared by every App in it). */
export function workerBus(): WorkerBus {
  return bus;
}
