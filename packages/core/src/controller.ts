// Class controllers: `@Controller(prefix, { tags, deps })` on a class and `@Get(path, options)`
// (Post, Put, Patch, Delete, Head, Options) or `@WebSocketRoute(path, options)` on its methods.
// `app.include(Class)` resolves the instance through the DI container (constructor injection) at
// ready(). Legacy decorators only.
import { Injectable } from "./container.js";
import type { Dependency } from "./depends.js";
import type { RouteOptions } from "./route-options.js";
import type { AnyWebSocketRouteOptions } from "./websocket.js";

/**
 * `@WebSocketRoute` options: app.websocket's, without `upgrade`: the decorated method is the
 * route's upgrade(ctx). Handlers (open, message, ...) are called with `this` = the controller.
 */
export type ControllerWebSocketOptions = Omit<AnyWebSocketRouteOptions, "upgrade">;

export interface ControllerOptions {
  tags?: string[];
  deps?: Record<string, Dependency>;
}

export interface ControllerRoute {
  readonly method: string;
  readonly path: string;
  readonly options: RouteOptions;
  readonly key: string | symbol;
  /** A @WebSocketRoute: `options` are ControllerWebSocketOptions. */
  readonly websocket: boolean;
}

export interface ControllerMeta {
  readonly prefix: string;
  readonly options: ControllerOptions;
}

const CONTROLLER = Symbol("fasterapi.controller");
const ROUTES = Symbol("fasterapi.controllerRoutes");

export type ControllerClass = new (...args: any[]) => object;

interface Annotated {
  [CONTROLLER]?: ControllerMeta;
  [ROUTES]?: ControllerRoute[];
}

const LEGACY_ONLY =
  "FasterAPI controllers use TypeScript's legacy decorators: set experimentalDecorators and emitDecoratorMetadata in tsconfig.json";

/** Standard (TC39) decorators pass a context object where legacy ones pass nothing or a key. */
function assertLegacyCall(decorator: string, second: unknown): void {
  if (typeof second === "object" && second !== null) throw new TypeError(`${decorator}: ${LEGACY_ONLY}`);
}

export function Controller(prefix = "", options: ControllerOptions = {}): ClassDecorator {
  return (target, ...rest: unknown[]) => {
    assertLegacyCall(`@Controller(${JSON.stringify(prefix)})`, rest[0]);
    // tsyringe reads the constructor's parameter types (emitDecoratorMetadata) for injection.
    Injectable()(target);
    Object.defineProperty(target, CONTROLLER, { value: { prefix, options }, enumerable: false });
  };
}

function addRoute(target: object, route: ControllerRoute): void {
  const ctor = (target as { constructor: Annotated }).constructor;
  if (!Object.hasOwn(ctor, ROUTES)) {
    Object.defineProperty(ctor, ROUTES, { value: [...(ctor[ROUTES] ?? [])], enumerable: false });
  }
  (ctor[ROUTES] as ControllerRoute[]).push(route);
}

function routeDecorator(method: string) {
  return (path = "", options: RouteOptions = {}): MethodDecorator =>
    (target, key) => {
      assertLegacyCall(`@${method[0]}${method.slice(1).toLowerCase()}(${JSON.stringify(path)})`, key);
      addRoute(target, { method, path, options, key, websocket: false });
    };
}

export const Get = routeDecorator("GET");
export const Post = routeDecorator("POST");
export const Put = routeDecorator("PUT");
export const Patch = routeDecorator("PATCH");
export const Delete = routeDecorator("DELETE");
export const Head = routeDecorator("HEAD");
export const Options = routeDecorator("OPTIONS");

/**
 * A WebSocket route on a controller method, like app.websocket(path, options): the method runs as
 * its upgrade(ctx) (after hooks, validation and Depends; the return value becomes ws.data, an
 * HTTPException refuses), and the handlers in `options` run with `this` = the controller instance.
 */
export function WebSocketRoute(path = "", options: ControllerWebSocketOptions = {}): MethodDecorator {
  return (target, key) => {
    assertLegacyCall(`@WebSocketRoute(${JSON.stringify(path)})`, key);
    if ((options as AnyWebSocketRouteOptions).upgrade !== undefined) {
      throw new TypeError(
        `@WebSocketRoute(${JSON.stringify(path)}): the decorated method is upgrade(); drop options.upgrade`,
      );
    }
    addRoute(target, { method: "GET", path, options: options as RouteOptions, key, websocket: true });
  };
}

/** The controller metadata of `cls`, or undefined when it is not decorated with @Controller. */
export function controllerOf(
  cls: unknown,
): { meta: ControllerMeta; routes: readonly ControllerRoute[] } | undefined {
  if (typeof cls !== "function") return undefined;
  const annotated = cls as Annotated;
  const meta = annotated[CONTROLLER];
  if (meta === undefined) return undefined;
  return { meta, routes: annotated[ROUTES] ?? [] };
}
