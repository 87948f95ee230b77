// @fasterapi/ws: WebSocket routes (app.websocket) on every HTTP/1.1 path, uWS-style pub/sub
// (app.publish, ws.subscribe) and an optional Redis adapter for several processes.

export type {
  BackendContext,
  BackendFactory,
  BackendSocket,
  BackendStats,
  OutgoingMessage,
  SocketEvents,
  WebSocketBackend,
} from "./backend.js";
export type { PubSubAdapter } from "./pubsub-adapter.js";
export { type RedisPubSubOptions, redisPubSub } from "./redis-pubsub.js";
export { workerPubSub } from "./worker-pubsub.js";
export type { CompressionMode, WsOptions } from "./ws-options.js";
export { ws } from "./ws-plugin.js";
export type { WebSocketStats } from "./ws-provider.js";
