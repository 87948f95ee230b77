// workerPubSub(): the cross-worker adapter on core's worker bus, so under `app.run({ workers })`
// app.publish and ws.publish reach the subscribers of every worker without Redis. The ws plugin
// uses it by default inside workers. A message carries its origin adapter's id and a binary flag:
// the bus also delivers to the publishing thread, which delivered locally already and skips it.
import { randomBytes } from "node:crypto";
import { type WorkerBus, workerBus } from "@fasterapi/core";
import type { PubSubAdapter } from "./pubsub-adapter.js";

const ORIGIN_BYTES = 8;
/** Origin id, then one flag byte (1 = binary), then the payload. */
const HEADER_BYTES = ORIGIN_BYTES + 1;
/** Bus topics of WebSocket pub/sub, apart from what apps publish on the bus themselves. */
const BUS_PREFIX = "fasterapi:ws:";

type Deliver = (topic: string, payload: Buffer, isBinary: boolean) => void;

class WorkerPubSub implements PubSubAdapter {
  private readonly bus: WorkerBus;
  private readonly origin = randomBytes(ORIGIN_BYTES);
  /** Per topic with local subscribers, the function that leaves its bus topic. */
  private readonly subscriptions = new Map<string, () => void>();
  private deliver: Deliver | undefined;

  constructor(bus: WorkerBus) {
    this.bus = bus;
  }

  start(deliver: Deliver): Promise<void> {
    this.deliver = deliver;
    return Promise.resolve();
  }

  publish(topic: string, payload: Buffer, isBinary: boolean): void {
    const message = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
    this.origin.copy(message);
    message[ORIGIN_BYTES] = isBinary ? 1 : 0;
    payload.copy(message, HEADER_BYTES);
    this.bus.publish(BUS_PREFIX + topic, message);
  }

  interest(topic: string, active: boolean): void {
    if (!active) {
      this.subscriptions.get(topic)?.();
      this.subscriptions.delete(topic);
      return;
    }
    if (this.subscriptions.has(topic)) return;
    const leave = this.bus.subscribe(BUS_PREFIX + topic, (data) => {
      if (typeof data === "string" || data.length < HEADER_BYTES) return;
      if (data.subarray(0, ORIGIN_BYTES).equals(this.origin)) return;
      this.deliver?.(topic, data.subarray(HEADER_BYTES), data[ORIGIN_BYTES] === 1);
    });
    this.subscriptions.set(topic, leave);
  }

  close(): Promise<void> {
    for (const leave of this.subscriptions.values()) leave();
    this.subscriptions.clear();
    this.deliver = undefined;
    return Promise.resolve();
  }
}

/** A pub/sub adapter on the worker bus: app.publish and ws.publish reach the subscribers of every `app.run()` worker. */
export function workerPubSub(): PubSubAdapter {
  return new WorkerPubSub(workerBus());
}
