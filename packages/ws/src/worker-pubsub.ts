// workerPubSub(): the cross-worker adapter on core's worker bus, so under `app.run({ workers })`
// app.publish and ws.publish reach the subscribers of every worker without Redis. The ws plugin
// uses it by default inside workers. Messages are origin-framed (origin-message.ts): the bus also
// delivers to the publishing thread, which delivered locally already and skips it.
import { type WorkerBus, workerBus } from "@fasterapi/core";
import { decodeOriginMessage, encodeOriginMessage, newOrigin } from "./origin-message.js";
import type { PubSubAdapter } from "./pubsub-adapter.js";

/** Bus topics of WebSocket pub/sub, apart from what apps publish on the bus themselves. */
const BUS_PREFIX = "fasterapi:ws:";

type Deliver = (topic: string, payload: Buffer, isBinary: boolean) => void;

class WorkerPubSub implements PubSubAdapter {
  private readonly bus: WorkerBus;
  private readonly origin = newOrigin();
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
    this.bus.publish(BUS_PREFIX + topic, encodeOriginMessage(this.origin, payload, isBinary));
  }

  interest(topic: string, active: boolean): void {
    if (!active) {
      this.subscriptions.get(topic)?.();
      this.subscriptions.delete(topic);
      return;
    }
    if (this.subscriptions.has(topic)) return;
    const leave = this.bus.subscribe(BUS_PREFIX + topic, (data) => {
      const decoded = typeof data === "string" ? undefined : decodeOriginMessage(this.origin, data);
      if (decoded !== undefined) this.deliver?.(topic, decoded.payload, decoded.isBinary);
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
