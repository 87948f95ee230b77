// The contract of a cross-process pub/sub adapter (redisPubSub is one): a message published in
// any process reaches the subscribers of every process. The plugin delivers locally itself and
// tells the adapter which topics this process has subscribers for.
import type { Logger } from "@fasterapi/core";

export interface PubSubAdapter {
  /** Connects; `deliver` receives messages published by other processes; trouble goes to `log`. */
  start(deliver: (topic: string, payload: Buffer, isBinary: boolean) => void, log: Logger): Promise<void>;
  /** Sends a message published in this process to the other processes. */
  publish(topic: string, payload: Buffer, isBinary: boolean): void;
  /** This process gained its first subscriber of `topic` (true) or lost its last (false). */
  interest(topic: string, active: boolean): void;
  close(): Promise<void>;
}
