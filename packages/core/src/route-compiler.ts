// Turns route records into compiled pipelines at ready(): gathers each route's hooks, middleware,
// exception handlers and request decorations from its scope chain, resolves controller instances,
// flattens dependency graphs (with overrides), and builds the 404/405/503 fallbacks the same way.
import { performance } from "node:perf_hooks";
import type { AppState, RouteRecord } from "./app-state.js";
import { BodyMode } from "./body-mode.js";
import type { Token } from "./container.js";
import type { Context } from "./context.js";
import { compileDependencyPlan, type Dependency } from "./depends.js";
import { HTTPException } from "./errors.js";
import type { ErrorClass, ExceptionHandler } from "./exception-handlers.js";
import { concatRequestHooks } from "./hooks.js";
import type { RouteOptions } from "./route-options.js";
import {
  type CompiledRoute,
  compileRoute,
  type PipelineHost,
  type RouteHandler,
  type RouteSpec,
} from "./route-pipeline.js";
import type { Scope } from "./scope.js";
import type { AnyWebSocketRouteOptions } from "./websocket.js";
import { controllerWebSocketOptions } from "./websocket-controller.js";
import { websocketHandler } from "./websocket-route.js";

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);
const NO_BODY_METHODS = new Set(["GET", "HEAD"]);

function notFoundHandler(): never {
  throw new HTTPException(404);
}

function methodNotAllowedHandler(ctx: Context): never {
  throw new HTTPException(405, undefined, { allow: (ctx.allowed ?? []).join(", ") });
}

function unavailableHandler(): never {
  throw new HTTPException(503);
}

/** Compiles (or recompiles, after overrideDependency) every route and the fallback answers. */
export function compileRoutes(state: AppState): void {
  const host = pipelineHost(state);
  const controllers = new Map<unknown, object>();
  for (const record of state.routes) {
    try {
      record.compiled = compileRoute(
        routeSpec(state, record, record.scope, resolveHandler(state, record, controllers)),
        host,
      );
    } catch (error) {
      throw new Error(`Route ${record.method} ${record.path}: ${(error as Error).message}`, { cause: error });
    }
  }
  state.notFound = compileFallback(state, notFoundHandler);
  state.methodNotAllowed = compileFallback(state, methodNotAllowedHandler as RouteHandler);
  state.unavailable = compileFallback(state, unavailableHandler);
}

/** An answer outside any route (404, 405, 503): runs the root scope's hooks and middleware. */
function compileFallback(state: AppState, handler: RouteHandler): CompiledRoute {
  return compileRoute(
    routeSpec(state, { method: "GET", path: "/", options: {} }, state.root.scope, handler),
    pipelineHost(state),
  );
}

/** The 503 answer for a request that arrives before ready() finished (a transport started by hand). */
export function unavailableRoute(state: AppState): CompiledRoute {
  state.unavailable ??= compileFallback(state, unavailableHandler);
  return state.unavailable;
}

function resolveHandler(state: AppState, record: RouteRecord, instances: Map<unknown, object>): RouteHandler {
  if (record.handler !== null) return record.handler;
  const { cls, key, websocket } = record.controller as NonNullable<RouteRecord["controller"]>;
  let instance = instances.get(cls);
  if (instance === undefined) {
    instance = record.scope.container.resolve(cls as unknown as Token<object>);
    instances.set(cls, instance);
  }
  const method = (instance as Record<string | symbol, unknown>)[key];
  if (typeof method !== "function") throw new Error(`controller method ${String(key)} is not a function`);
  const target = instance;
  record.handler = websocket
    ? websocketHandler(
        state,
        controllerWebSocketOptions(
          record.options as AnyWebSocketRouteOptions,
          target,
          method as (ctx: unknown) => unknown,
        ),
      )
    : (ctx) => (method as RouteHandler).call(target, ctx);
  return record.handler;
}

function bodyModeOf(method: string, options: RouteOptions): BodyMode {
  if (options.body !== undefined || BODY_METHODS.has(method)) return BodyMode.Always;
  if (NO_BODY_METHODS.has(method)) return BodyMode.Never;
  return BodyMode.WhenPresent;
}

function routeSpec(
  state: AppState,
  route: { method: string; path: string; options: RouteOptions },
  scope: Scope,
  handler: RouteHandler,
): RouteSpec {
  const chain = scope.chain();
  const exceptionHandlers = new Map<ErrorClass<unknown>, ExceptionHandler<unknown>>();
  for (const s of chain) for (const [cls, fn] of s.exceptionHandlers) exceptionHandlers.set(cls, fn);
  const deps = route.options.deps;
  const substitute = (d: Dependency) => state.overrides.get(d) ?? state.overrides.get(d.source) ?? d;
  const options = route.options;
  return {
    path: route.path,
    handler,
    hooks: concatRequestHooks(chain.map((s) => s.hooks)),
    middleware: chain.flatMap((s) => s.middleware),
    exceptionHandlers,
    schemas: options,
    status: options.status ?? 200,
    bodyMode: bodyModeOf(route.method, options),
    bodyLimit: options.bodyLimit ?? state.options.bodyLimit ?? 1_048_576,
    parsers: state.parsers,
    sharedSchemas: state.sharedSchemas,
    plan:
      deps === undefined || Object.keys(deps).length === 0
        ? null
        : compileDependencyPlan(deps, substitute, scope.container),
    requestTimeout: state.options.requestTimeout ?? 0,
    decorations: chain.flatMap((s) => s.requestDecorations),
  };
}

function pipelineHost(state: AppState): PipelineHost {
  return {
    log: state.log,
    responseWritten(ctx) {
      const milliseconds = performance.now() - ctx.startedAt;
      state.stats.record(ctx.reply.statusCode, milliseconds);
      if (state.logRequests) {
        state.log.info(
          {
            reqId: ctx.id,
            method: ctx.method,
            path: ctx.path,
            status: ctx.reply.statusCode,
            durationMs: milliseconds,
          },
          "request completed",
        );
      }
    },
    requestFinished() {
      state.stats.inFlight--;
      if (state.drained !== null && state.stats.inFlight === 0) state.drained();
    },
  };
}
