// The route-registering verbs (get, post, ... all) shared by App and Router, with the overloads
// that type a handler's context from its options. Where the routes go is the subclass's business.
import type { Dependency } from "./depends.js";
import type { Handler, RouteOptions, Schema } from "./route-options.js";
import type { AnyWebSocketRouteOptions, WebSocketRouteOptions } from "./websocket.js";

const WEBSOCKET_HANDLERS = ["upgrade", "open", "message", "drain", "ping", "pong", "close"] as const;

export abstract class RouteMethods {
  /** Registers one route; `method` is upper-case or "ALL". */
  protected abstract addRoute(method: string, path: string, options: RouteOptions, handler: Handler): void;

  /** Registers one WebSocket route. */
  protected abstract addWebSocketRoute(path: string, options: AnyWebSocketRouteOptions): void;

  /**
   * A WebSocket route (GET). The upgrade request runs the route's hooks, validation and Depends
   * like any route; `upgrade(ctx)` returns `ws.data` or throws HTTPException to refuse.
   */
  websocket<
    const P extends Schema | undefined = undefined,
    const Q extends Schema | undefined = undefined,
    const H extends Schema | undefined = undefined,
    const D extends Record<string, Dependency> | undefined = undefined,
    Data = undefined,
  >(path: string, options: WebSocketRouteOptions<P, Q, H, D, Data>): this {
    if (typeof path !== "string") throw new TypeError("websocket route: the path must be a string");
    if (options === null || typeof options !== "object")
      throw new TypeError(`websocket ${path}: options must be an object`);
    for (const name of WEBSOCKET_HANDLERS) {
      if (options[name] !== undefined && typeof options[name] !== "function")
        throw new TypeError(`websocket ${path}: ${name} must be a function`);
    }
    this.addWebSocketRoute(path, options as AnyWebSocketRouteOptions);
    return this;
  }

  private addVerb(method: string, path: string, a: RouteOptions | Handler, b: Handler | undefined): this {
    const [options, handler] = typeof a === "function" ? [{}, a] : [a, b];
    if (typeof path !== "string") throw new TypeError(`${method} route: the path must be a string`);
    if (typeof handler !== "function")
      throw new TypeError(`${method} ${path}: the handler must be a function`);
    if (options === null || typeof options !== "object")
      throw new TypeError(`${method} ${path}: options must be an object`);
    this.addRoute(method, path, options, handler as Handler);
    return this;
  }

  get(path: string, handler: Handler): this;
  get<const O extends RouteOptions>(path: string, options: O, handler: Handler<O>): this;
  get(path: string, a: RouteOptions | Handler, b?: Handler): this {
    return this.addVerb("GET", path, a, b);
  }

  post(path: string, handler: Handler): this;
  post<const O extends RouteOptions>(path: string, options: O, handler: Handler<O>): this;
  post(path: string, a: RouteOptions | Handler, b?: Handler): this {
    return this.addVerb("POST", path, a, b);
  }

  put(path: string, handler: Handler): this;
  put<const O extends RouteOptions>(path: string, options: O, handler: Handler<O>): this;
  put(path: string, a: RouteOptions | Handler, b?: Handler): this {
    return this.addVerb("PUT", path, a, b);
  }

  patch(path: string, handler: Handler): this;
  patch<const O extends RouteOptions>(path: string, options: O, handler: Handler<O>): this;
  patch(path: string, a: RouteOptions | Handler, b?: Handler): this {
    return this.addVerb("PATCH", path, a, b);
  }

  delete(path: string, handler: Handler): this;
  delete<const O extends RouteOptions>(path: string, options: O, handler: Handler<O>): this;
  delete(path: string, a: RouteOptions | Handler, b?: Handler): this {
    return this.addVerb("DELETE", path, a, b);
  }

  head(path: string, handler: Handler): this;
  head<const O extends RouteOptions>(path: string, options: O, handler: Handler<O>): this;
  head(path: string, a: RouteOptions | Handler, b?: Handler): this {
    return this.addVerb("HEAD", path, a, b);
  }

  options(path: string, handler: Handler): this;
  options<const O extends RouteOptions>(path: string, options: O, handler: Handler<O>): this;
  options(path: string, a: RouteOptions | Handler, b?: Handler): this {
    return this.addVerb("OPTIONS", path, a, b);
  }

  /** Every method that has no route of its own on this path. */
  all(path: string, handler: Handler): this;
  all<const O extends RouteOptions>(path: string, options: O, handler: Handler<O>): this;
  all(path: string, a: RouteOptions | Handler, b?: Handler): this {
    return this.addVerb("ALL", path, a, b);
  }
}
