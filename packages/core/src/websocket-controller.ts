// A @WebSocketRoute's route options once its controller instance exists: the decorated method as
// upgrade(ctx) and every handler bound to the instance, so they reach its injected services.
import type { AnyWebSocketRouteOptions } from "./websocket.js";

const HANDLERS = ["open", "message", "drain", "ping", "pong", "close"] as const;

export function controllerWebSocketOptions(
  options: AnyWebSocketRouteOptions,
  instance: object,
  upgrade: (ctx: unknown) => unknown,
): AnyWebSocketRouteOptions {
  const bound: AnyWebSocketRouteOptions = { ...options, upgrade: (ctx) => upgrade.call(instance, ctx) };
  for (const name of HANDLERS) {
    const handler = options[name] as ((...args: unknown[]) => unknown) | undefined;
    if (handler !== undefined) (bound as Record<string, unknown>)[name] = handler.bind(instance);
  }
  return bound;
}
