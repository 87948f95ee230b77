// Router: a group of routes under a common prefix, tags and dependencies, mounted with
// `app.include(router)` (FastAPI's APIRouter). It only records definitions; the app registers
// them in the scope that includes the router. Routers can include other routers.
import type { Dependency } from "./depends.js";
import { RouteMethods } from "./route-methods.js";
import type { Handler, RouteOptions } from "./route-options.js";
import type { AnyWebSocketRouteOptions } from "./websocket.js";

export interface RouterOptions {
  /** Prepended to every path ("/items" + "/:id"); "/" under a prefix is the prefix itself. */
  prefix?: string;
  /** Added to every route's OpenAPI tags. */
  tags?: string[];
  /** Resolved for every route (a route's own deps of the same name win). */
  deps?: Record<string, Dependency>;
}

export interface RouteDefinition {
  readonly method: string;
  readonly path: string;
  readonly options: RouteOptions;
  /** null for a WebSocket route: its options are WebSocket route options, handlers included. */
  readonly handler: Handler | null;
}

/** "/items" + "/:id" -> "/items/:id"; "/items" + "/" -> "/items". */
export function joinPath(prefix: string, path: string): string {
  if (prefix === "" || prefix === "/") return path;
  if (path === "" || path === "/") return prefix;
  return prefix + path;
}

/** Applies a group's prefix, tags and deps to one route definition. */
export function applyGroup<R extends { path: string; options: RouteOptions }>(
  group: { prefix: string; tags: readonly string[]; deps: Record<string, Dependency> },
  route: R,
): R {
  const tags = [...new Set([...group.tags, ...(route.options.tags ?? [])])];
  const hasDeps = Object.keys(group.deps).length > 0;
  const options: RouteOptions = {
    ...route.options,
    ...(tags.length > 0 ? { tags } : {}),
    ...(hasDeps ? { deps: { ...group.deps, ...route.options.deps } } : {}),
  };
  return { ...route, path: joinPath(group.prefix, route.path), options };
}

function checkPrefix(prefix: string): string {
  if (prefix !== "" && (!prefix.startsWith("/") || prefix.endsWith("/"))) {
    throw new Error(`Router prefix "${prefix}" must start with "/" and not end with "/"`);
  }
  return prefix;
}

export class Router extends RouteMethods {
  readonly prefix: string;
  readonly tags: readonly string[];
  readonly deps: Record<string, Dependency>;
  private readonly definitions: RouteDefinition[] = [];

  constructor(options: RouterOptions = {}) {
    super();
    this.prefix = checkPrefix(options.prefix ?? "");
    this.tags = options.tags ?? [];
    this.deps = options.deps ?? {};
  }

  protected addRoute(method: string, path: string, options: RouteOptions, handler: Handler): void {
    this.definitions.push({ method, path, options, handler });
  }

  protected addWebSocketRoute(path: string, options: AnyWebSocketRouteOptions): void {
    this.definitions.push({ method: "GET", path, options: options as RouteOptions, handler: null });
  }

  /** Mounts another router's routes here (its prefix under this one's when this one is included). */
  include(router: Router): this {
    for (const route of router.routes()) this.definitions.push(route);
    return this;
  }

  /** The routes with this router's prefix, tags and deps applied. */
  routes(): RouteDefinition[] {
    return this.definitions.map((route) => applyGroup(this, route));
  }
}
