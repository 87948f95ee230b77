// redisPubSub(): the cross-process adapter on Redis PUBLISH/SUBSCRIBE through ioredis (which
// reconnects and re-subscribes by itself). One connection publishes, one subscribes, only to the
// topics this process has subscribers for. Messages are origin-framed (origin-message.ts), so the
// process that published a message (which delivered it locally already) skips its own echo.
import type { Logger } from "@fasterapi/core";
import { Redis, type RedisOptions } from "ioredis";
import { decodeOriginMessage, encodeOriginMessage, newOrigin } from "./origin-message.js";
import type { PubSubAdapter } from "./pubsub-adapter.js";

export interface RedisPubSubOptions {
  /** redis://[user:password@]host:port[/db]; default redis://127.0.0.1:6379. */
  url?: string;
  /** Channel name prefix, so several apps can share one Redis. Default "fasterapi:ws:". */
  prefix?: string;
  /** Extra ioredis options (TLS, retryStrategy, ...). */
  redis?: RedisOptions;
}

class RedisPubSub implements PubSubAdapter {
  private readonly url: string;
  private readonly prefix: string;
  private readonly redisOptions: RedisOptions;
  private readonly origin = newOrigin();
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;
  private log: Logger | undefined;

  constructor(options: RedisPubSubOptions) {
    this.url = options.url ?? "redis://127.0.0.1:6379";
    this.prefix = options.prefix ?? "fasterapi:ws:";
    this.redisOptions = options.redis ?? {};
  }

  async start(
    deliver: (topic: string, payload: Buffer, isBinary: boolean) => void,
    log: Logger,
  ): Promise<void> {
    this.log = log;
    const connect = () => new Redis(this.url, { lazyConnect: true, ...this.redisOptions });
    const publisher = connect();
    const subscriber = connect();
    for (const client of [publisher, subscriber]) {
      client.on("error", (error: Error) => log.warn({ err: error }, "ws pub/sub: Redis connection error"));
    }
    subscriber.on("messageBuffer", (channel: Buffer, message: Buffer) => {
      const decoded = decodeOriginMessage(this.origin, message);
      if (decoded === undefined) return;
      deliver(channel.toString("utf8").slice(this.prefix.length), decoded.payload, decoded.isBinary);
    });
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
    } catch (error) {
      publisher.disconnect();
      subscriber.disconnect();
      throw new Error(`ws pub/sub: cannot connect to Redis at ${this.url}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.publisher = publisher;
    this.subscriber = subscriber;
  }

  publish(topic: string, payload: Buffer, isBinary: boolean): void {
    this.publisher
      ?.publish(this.prefix + topic, encodeOriginMessage(this.origin, payload, isBinary))
      .catch((error: Error) => this.log?.warn({ err: error, topic }, "ws pub/sub: PUBLISH failed"));
  }

  interest(topic: string, active: boolean): void {
    const subscriber = this.subscriber;
    if (subscriber === undefined) return;
    const channel = this.prefix + topic;
    const done = active ? subscriber.subscribe(channel) : subscriber.unsubscribe(channel);
    done.catch((error: Error) => this.log?.warn({ err: error, topic }, "ws pub/sub: (UN)SUBSCRIBE failed"));
  }

  async close(): Promise<void> {
    await Promise.all([this.publisher?.quit(), this.subscriber?.quit()]);
    this.publisher = undefined;
    this.subscriber = undefined;
  }
}

/** A pub/sub adapter on Redis: app.publish and ws.publish reach the subscribers of every process. */
export function redisPubSub(options: RedisPubSubOptions = {}): PubSubAdapter {
  return new RedisPubSub(options);
}
