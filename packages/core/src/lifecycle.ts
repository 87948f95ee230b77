// Starting and stopping an app: ready() loads plugins in registration order (each in its scope,
// dependencies checked), mounts the docs routes, compiles the routes and runs startup hooks;
// close() stops the transports, drains in-flight requests up to closeGraceMs, then runs shutdown hooks.
import type { App } from "./app.js";
import type { AppState } from "./app-state.js";
import { type DocsOptions, mountDocs } from "./docs-routes.js";
import { buildOpenApiDocument, type RouteDescription } from "./openapi.js";
import { pluginLabel } from "./plugin.js";
import { compileRoutes } from "./route-compiler.js";
import type { RouteOptions } from "./route-options.js";
import { missingProviderError } from "./websocket-route.js";

async function loadPlugins(app: App): Promise<void> {
  for (const { plugin, options } of app.pending) {
    const label = pluginLabel(plugin);
    for (const dependency of plugin.meta.dependencies ?? []) {
      if (!app.scope.hasPlugin(dependency)) {
        throw new Error(
          `${label} needs plugin "${dependency}", which is not registered before it in this scope or above`,
        );
      }
    }
    if (plugin.meta.name !== undefined) app.scope.pluginNames.add(plugin.meta.name);
    const target = app.scopeFor(plugin.meta.global === true);
    try {
      await plugin.init(target, options);
    } catch (error) {
      throw new Error(`${label} failed to start: ${(error as Error).message}`, { cause: error });
    }
    await loadPlugins(target);
  }
  app.pending = [];
}

/** The response schemas, plus the route's default status (any JSON) when it has no schema of its own. */
function documentedResponses(options: RouteOptions): RouteOptions["response"] {
  const status = options.status;
  if (status === undefined || options.response?.[status] !== undefined) return options.response;
  return { ...options.response, [status]: {} };
}

function describeRoutes(state: AppState): RouteDescription[] {
  return state.routes
    .filter((r) => r.options.includeInSchema !== false)
    .map((r) => {
      const o = r.options;
      return {
        method: r.method === "ALL" ? "*" : r.method,
        path: r.path,
        schemas: {
          params: o.params,
          query: o.query,
          headers: o.headers,
          body: o.body,
          response: documentedResponses(o),
        },
        tags: o.tags,
        summary: o.summary,
        description: o.description,
        operationId: o.operationId,
        deprecated: o.deprecated,
        security: o.security,
      };
    });
}

export async function boot(state: AppState): Promise<void> {
  const root = state.root;
  await loadPlugins(root);
  if (state.websocketRoutes > 0 && state.websocketProvider === null) throw missingProviderError();
  const { docs = true, title = "FasterAPI", version = "0.1.0", description } = state.options;
  if (docs !== false) {
    const docsOptions: DocsOptions = docs === true ? {} : docs;
    const buildDocument = () =>
      buildOpenApiDocument(
        { title, version, ...(description === undefined ? {} : { description }) },
        describeRoutes(state),
        {
          ...state.options.openapiComponents,
          schemas: { ...state.sharedSchemas.toRecord(), ...state.options.openapiComponents?.schemas },
        },
      );
    try {
      mountDocs(root, { title, ...docsOptions }, buildDocument);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}: the OpenAPI/docs routes need that path; pass docs: false or docs: { openapiUrl, docsUrl }`,
        { cause: error },
      );
    }
  }
  compileRoutes(state);
  state.compiled = true;
  state.logRequests = state.options.logRequests !== false && state.log.isLevelEnabled("info");
  for (const hook of state.readyHooks) await hook();
}

export async function shutdown(state: AppState): Promise<void> {
  state.closing = true;
  const grace = state.options.closeGraceMs ?? 10_000;
  const deadline = Date.now() + grace;
  // Open WebSockets would hold their transports' close until the grace period ends: say goodbye (1001) first.
  const sockets = state.websocketProvider
    ?.close()
    .catch((error: unknown) => state.log.error({ err: error }, "closing the WebSockets failed"));
  if (state.listening) {
    const results = await Promise.allSettled(state.transports.map((t) => t.close(grace)));
    for (const result of results) {
      if (result.status === "rejected")
        state.log.error({ err: result.reason }, "a transport failed to close");
    }
  }
  if (sockets !== undefined) await sockets;
  if (state.stats.inFlight > 0) {
    const remaining = Math.max(0, deadline - Date.now());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        state.log.warn(
          { inFlight: state.stats.inFlight },
          "close: grace period over with requests still in flight",
        );
        resolve();
      }, remaining);
      state.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    state.drained = null;
  }
  for (const hook of [...state.closeHooks].reverse()) {
    try {
      await hook();
    } catch (error) {
      state.log.error({ err: error }, "onClose/shutdown hook failed");
    }
  }
}
