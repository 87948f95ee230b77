// ws() options, their defaults in one place, and the checks that turn bad values into clear
// errors when ws() is called (not at the first connection).
import { currentWorker } from "@fasterapi/core";
import type { PubSubAdapter } from "./pubsub-adapter.js";
import { workerPubSub } from "./worker-pubsub.js";

/**
 * permessage-deflate: "disabled"; "shared" compresses without context takeover (no per-socket
 * window kept between messages: small memory per socket); "dedicated" keeps a window per socket.
 */
export type CompressionMode = "disabled" | "shared" | "dedicated";

export interface WsOptions {
  /** Largest message accepted, in bytes, after decompression; larger ones close with 1009. Default 16 MiB. */
  maxPayload?: number;
  /** Seconds without a frame from the peer before it is pinged, then closed if still silent. 0 disables. Default 120. */
  idleTimeout?: number;
  /** Default "disabled". */
  compression?: CompressionMode;
  /** Bytes a socket may have queued; a send beyond it answers "dropped". Default 1 MiB. */
  maxBackpressure?: number;
  /** Cut the connection off (no closing handshake: the peer is not reading) instead of dropping, once a send is over maxBackpressure. Default false. */
  closeOnBackpressureLimit?: boolean;
  /** Deliver app.publish / ws.publish to other processes (see redisPubSub). Default inside `app.run({ workers })` workers: workerPubSub(), every worker of this app. */
  pubsub?: PubSubAdapter;
}

export interface ResolvedWsOptions {
  readonly maxPayload: number;
  readonly idleTimeoutMs: number;
  readonly compression: CompressionMode;
  readonly maxBackpressure: number;
  readonly closeOnBackpressureLimit: boolean;
  readonly pubsub: PubSubAdapter | undefined;
}

const COMPRESSION_MODES: readonly CompressionMode[] = ["disabled", "shared", "dedicated"];

function checkCount(name: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new RangeError(`ws(): ${name} must be a number >= ${min}, got ${String(value)}`);
  }
}

export function resolveWsOptions(options: WsOptions = {}): ResolvedWsOptions {
  if (options === null || typeof options !== "object") throw new TypeError("ws(): options must be an object");
  checkCount("maxPayload", options.maxPayload, 1);
  checkCount("idleTimeout", options.idleTimeout, 0);
  checkCount("maxBackpressure", options.maxBackpressure, 0);
  const compression = options.compression ?? "disabled";
  if (!COMPRESSION_MODES.includes(compression)) {
    throw new RangeError(
      `ws(): compression must be one of ${COMPRESSION_MODES.join(", ")}, got ${String(compression)}`,
    );
  }
  return {
    maxPayload: options.maxPayload ?? 16 * 1024 * 1024,
    idleTimeoutMs: (options.idleTimeout ?? 120) * 1000,
    compression,
    maxBackpressure: options.maxBackpressure ?? 1024 * 1024,
    closeOnBackpressureLimit: options.closeOnBackpressureLimit === true,
    // Inside app.run() workers, publish reaches every worker by default; a given adapter (Redis, across machines) wins.
    pubsub: options.pubsub ?? (currentWorker() === undefined ? undefined : workerPubSub()),
  };
}
