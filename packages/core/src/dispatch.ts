// The request handler transports call: finds the route (or the 404/405/503 answer), creates the
// request context, and starts the route's compiled lifecycle. Besides the context it allocates only the
// path and query slices (and the router's params object for parameterised routes).
import { performance } from "node:perf_hooks";
import type { AppState, RouteRecord } from "./app-state.js";
import { Context } from "./context.js";
import { unavailableRoute } from "./route-compiler.js";
import { type CompiledRoute, runRoute } from "./route-pipeline.js";
import type { RouteMatch } from "./router.js";
import type { RequestView, ResponseSink } from "./transport.js";

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** The request handler: route lookup, context, then the route's compiled lifecycle. */
export function dispatch(state: AppState, request: RequestView, sink: ResponseSink): void {
  const startedAt = performance.now();
  state.stats.inFlight++;
  const url = request.url;
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  let route: CompiledRoute;
  let params = NO_PARAMS;
  let owner = state.root;
  let allowed: string[] | null = null;
  let routePath: string | null = null;
  if (state.closing || !state.compiled) {
    route = state.unavailable ?? unavailableRoute(state);
  } else {
    const found = state.router.find(request.method, path);
    if (found === null) {
      route = state.notFound as CompiledRoute;
    } else if ((found as RouteMatch<RouteRecord>).value === undefined) {
      route = state.methodNotAllowed as CompiledRoute;
      allowed = (found as { allowed: string[] }).allowed;
    } else {
      const record = (found as RouteMatch<RouteRecord>).value;
      route = record.compiled as CompiledRoute;
      params = (found as RouteMatch<RouteRecord>).params;
      owner = record.scope.owner;
      routePath = record.path;
    }
  }
  const ctx = new Context(
    owner,
    route,
    request,
    sink,
    path,
    q === -1 ? "" : url.slice(q + 1),
    params,
    startedAt,
    ++state.sequence,
  );
  if (allowed !== null) ctx.allowed = allowed;
  ctx.routePath = routePath;
  runRoute(route, ctx);
}
