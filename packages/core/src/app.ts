// The App: where routes, hooks, middleware, plugins, providers and transports are registered, and
// the request handler transports call. A plugin sees an App bound to its own scope (a child
// object sharing the app-wide state). ready() loads plugins and compiles one pipeline per route;
// listen()/close() run the transports. Starting and stopping live in lifecycle.ts, request
// handling in dispatch.ts and route-pipeline.ts.
import { type AppOptions, checkNonNegative, checkOptions } from "./app-options.js";
import type { AppState, PendingPlugin, RouteRecord } from "./app-state.js";
import { BodyParsers, type ContentTypeParser } from "./body-parser.js";
import type { ClusterStats } from "./cluster-stats.js";
import type { ProvideOptions, Provider, Token } from "./container.js";
import { isContextField } from "./context.js";
import { controllerOf } from "./controller.js";
import { Dependency, Depends } from "./depends.js";
import { dispatch } from "./dispatch.js";
import type { ErrorClass, ExceptionHandler } from "./exception-handlers.js";
import {
  type AppHook,
  type HookFunction,
  type HookName,
  isRequestHook,
  type RequestHookMap,
} from "./hooks.js";
import { type InjectOptions, type InjectResponse, injectRequest } from "./inject.js";
import { boot, shutdown } from "./lifecycle.js";
import { createLogger, type Logger } from "./logger.js";
import type { Middleware } from "./middleware.js";
import { asPlugin, type Plugin, type PluginFunction } from "./plugin.js";
import { compileRoutes } from "./route-compiler.js";
import { RouteMethods } from "./route-methods.js";
import type { Handler, RouteOptions } from "./route-options.js";
import type { RouteHandler } from "./route-pipeline.js";
import { ANY_METHOD, RadixRouter } from "./router.js";
import { applyGroup, Router } from "./router-group.js";
import { collectStats, type RunningApp, runApp } from "./run.js";
import type { RunOptions } from "./run-options.js";
import { Scope } from "./scope.js";
import { SharedSchemas } from "./shared-schemas.js";
import { type CoreStats, RequestStats } from "./stats.js";
import type { RequestHandler, Transport, TransportAddress, TransportStats } from "./transport.js";
import type {
  AnyWebSocketRouteOptions,
  InjectedWebSocket,
  InjectWebSocketOptions,
  SendOptions,
  WebSocketMessage,
  WebSocketProvider,
} from "./websocket.js";
import { injectWebSocket } from "./websocket-inject.js";
import { missingProviderError, websocketHandler } from "./websocket-route.js";

export type { AppOptions };

export interface AppStats extends CoreStats {
  transports: Record<string, TransportStats>;
  [source: string]: unknown;
}

const STATS_KEYS = new Set(["requests", "inFlight", "latencyMs", "transports", "workers"]);

export class App extends RouteMethods {
  /** @internal */ declare state: AppState;
  /** @internal */ declare scope: Scope;
  /** @internal Plugins registered on this object, loaded at ready(). */ declare pending: PendingPlugin[];

  constructor(options: AppOptions = {}) {
    super();
    checkOptions(options);
    const state: AppState = {
      options,
      log: createLogger(options.logger),
      router: new RadixRouter<RouteRecord>(),
      routes: [],
      parsers: new BodyParsers(),
      sharedSchemas: new SharedSchemas(),
      stats: new RequestStats(),
      transports: [],
      statsSources: new Map(),
      overrides: new Map(),
      readyHooks: [],
      listenHooks: [],
      closeHooks: [],
      root: this,
      handler: (request, sink) => dispatch(state, request, sink),
      sequence: 0,
      logRequests: false,
      readyPromise: null,
      compiled: false,
      listening: false,
      closing: false,
      closePromise: null,
      drained: null,
      notFound: null,
      methodNotAllowed: null,
      unavailable: null,
      supervisor: null,
      websocketProvider: null,
      websocketRoutes: 0,
    };
    this.state = state;
    this.scope = new Scope(null, this);
    this.pending = [];
  }

  /** The pino logger. */
  get log(): Logger {
    return this.state.log;
  }

  /** The function transports call for every request (valid once ready() resolved). */
  get handler(): RequestHandler {
    return this.state.handler;
  }

  // ---- registration ------------------------------------------------------------------------

  private assertNotReady(what: string): void {
    if (this.state.compiled) throw new Error(`${what} must happen before app.ready() / listen() / inject()`);
  }

  protected addRoute(method: string, path: string, options: RouteOptions, handler: Handler): void {
    this.addRecord(method, path, options, handler as RouteHandler, null);
  }

  private addRecord(
    method: string,
    path: string,
    options: RouteOptions,
    handler: RouteHandler | null,
    controller: RouteRecord["controller"],
  ): void {
    this.assertNotReady(`Adding route ${method} ${path}`);
    checkNonNegative(`Route ${method} ${path}: bodyLimit`, options.bodyLimit);
    if (
      options.status !== undefined &&
      !(Number.isInteger(options.status) && options.status >= 100 && options.status <= 599)
    ) {
      throw new RangeError(
        `Route ${method} ${path}: status must be an integer from 100 to 599, got ${String(options.status)}`,
      );
    }
    const record: RouteRecord = {
      method,
      path,
      options,
      handler,
      controller,
      scope: this.scope,
      compiled: null,
    };
    this.state.router.add(method === "ALL" ? ANY_METHOD : method, path, record);
    this.state.routes.push(record);
  }

  /** @internal A WebSocket route: a GET route whose handler hands approved upgrades to the provider. */
  protected addWebSocketRoute(path: string, options: AnyWebSocketRouteOptions): void {
    this.addRecord("GET", path, options as RouteOptions, websocketHandler(this.state, options), null);
    this.state.websocketRoutes++;
  }

  /** For WebSocket plugins: the provider that takes over approved upgrades and serves app.publish. */
  setWebSocketProvider(provider: WebSocketProvider): this {
    if (this.state.websocketProvider !== null) throw new Error("a WebSocket provider is already registered");
    this.state.websocketProvider = provider;
    return this;
  }

  /** Sends to every WebSocket subscribed to `topic` (every process, with a pub/sub adapter); returns local deliveries. */
  publish(topic: string, message: WebSocketMessage, options?: SendOptions): number {
    const provider = this.state.websocketProvider;
    if (provider === null) throw missingProviderError();
    return provider.publish(topic, message, options);
  }

  /** WebSockets of this process subscribed to `topic`. */
  numSubscribers(topic: string): number {
    return this.state.websocketProvider?.subscriberCount(topic) ?? 0;
  }

  /** Opens a WebSocket to a route in memory (no socket); rejects with UpgradeRefusedError when refused. */
  async injectWebSocket(url: string, options?: InjectWebSocketOptions): Promise<InjectedWebSocket> {
    await this.ready();
    return injectWebSocket(this.state.handler, url, options);
  }

  /** Mounts a Router, or a @Controller class resolved through the container at ready(). */
  include(target: Router | (new (...args: never[]) => object)): this {
    if (target instanceof Router) {
      for (const route of target.routes()) {
        if (route.handler === null)
          this.addWebSocketRoute(route.path, route.options as AnyWebSocketRouteOptions);
        else this.addRecord(route.method, route.path, route.options, route.handler as RouteHandler, null);
      }
      return this;
    }
    const controller = controllerOf(target);
    if (controller === undefined) {
      throw new TypeError("include() expects a Router or a class decorated with @Controller()");
    }
    const group = {
      prefix: controller.meta.prefix,
      tags: controller.meta.options.tags ?? [],
      deps: controller.meta.options.deps ?? {},
    };
    for (const route of controller.routes) {
      const applied = applyGroup(group, route);
      this.addRecord(route.method, applied.path, applied.options, null, {
        cls: target,
        key: route.key,
        websocket: route.websocket,
      });
      if (route.websocket) this.state.websocketRoutes++;
    }
    return this;
  }

  /**
   * Registers a plugin; it runs (in registration order) at ready(). `options` is required when the
   * plugin's options type does not accept undefined.
   */
  register<O>(
    plugin: Plugin<O> | PluginFunction<O>,
    ...[options]: undefined extends O ? [options?: O] : [options: O]
  ): this {
    this.assertNotReady("register()");
    this.pending.push({ plugin: asPlugin(plugin) as Plugin<unknown>, options });
    return this;
  }

  addHook<N extends HookName>(name: N, hook: HookFunction<N>): this {
    if (typeof hook !== "function") throw new TypeError(`addHook("${name}"): the hook must be a function`);
    if (isRequestHook(name)) {
      this.assertNotReady(`addHook("${name}")`);
      (this.scope.hooks[name] as RequestHookMap[typeof name][]).push(hook as RequestHookMap[typeof name]);
    } else if (name === "onReady") {
      this.state.readyHooks.push(hook as AppHook);
    } else if (name === "onListen") {
      this.state.listenHooks.push(hook as AppHook);
    } else if (name === "onClose") {
      this.state.closeHooks.push(hook as AppHook);
    } else {
      throw new Error(`Unknown hook "${String(name)}"`);
    }
    return this;
  }

  /** FastAPI's lifespan events: startup runs at ready(), shutdown at close() (reverse order). */
  onEvent(event: "startup" | "shutdown", fn: AppHook): this {
    if (event === "startup") return this.addHook("onReady", fn);
    if (event === "shutdown") return this.addHook("onClose", fn);
    throw new Error(`Unknown event "${String(event)}" (expected "startup" or "shutdown")`);
  }

  /** Onion middleware around body parsing, validation, dependencies, the handler and serialization. */
  use(middleware: Middleware): this {
    if (typeof middleware !== "function") throw new TypeError("use() expects a function (ctx, next) => ...");
    this.assertNotReady("use()");
    this.scope.middleware.push(middleware);
    return this;
  }

  /** Adds `name` to this app object (and its plugin scopes); an existing name is an error. */
  decorate(name: string, value: unknown): this {
    const owner = this.scope.owner;
    if (name in owner) throw new Error(`Cannot decorate the app with "${name}": the name is already taken`);
    Object.defineProperty(owner, name, { value, writable: true, enumerable: true, configurable: false });
    return this;
  }

  /** Adds `name` to every request context of this scope, initialised by `init()` per request. */
  decorateRequest(name: string, init: () => unknown): this {
    if (typeof init !== "function")
      throw new TypeError(`decorateRequest("${name}"): pass a function returning the initial value`);
    if (isContextField(name) || this.scope.hasRequestDecoration(name)) {
      throw new Error(`Cannot decorate the request with "${name}": the name is already taken`);
    }
    this.assertNotReady("decorateRequest()");
    this.scope.requestDecorations.push({ name, init });
    return this;
  }

  setExceptionHandler<E>(errorClass: ErrorClass<E>, handler: ExceptionHandler<E>): this {
    if (typeof errorClass !== "function") throw new TypeError("setExceptionHandler() expects an error class");
    this.scope.exceptionHandlers.set(errorClass as ErrorClass<unknown>, handler as ExceptionHandler<unknown>);
    return this;
  }

  /** Registers a body parser for a media type ("application/xml") or family ("text/*"), app-wide. */
  addContentTypeParser(contentType: string, parser: ContentTypeParser): this {
    this.state.parsers.add(contentType, parser);
    return this;
  }

  /**
   * Registers a named model (a schema with an `$id`) that route schemas reference with `$ref` /
   * `Type.Ref`; it becomes a `components.schemas` entry of the OpenAPI document.
   */
  addSchema(schema: object): this {
    this.assertNotReady("addSchema()");
    this.state.sharedSchemas.add(schema);
    return this;
  }

  provide<T>(token: Token<T>, provider: Provider<T>, options?: ProvideOptions): this {
    this.scope.container.provide(token, provider, options);
    return this;
  }

  /** Resolves a token from this scope's container (outside any request). */
  resolve<T>(token: Token<T>): T {
    return this.scope.container.resolve(token);
  }

  /** Replaces a dependency (by Depends object, token or function) everywhere; for tests. */
  overrideDependency(
    original: Dependency | Token | ((...args: never[]) => unknown),
    replacement: Dependency | ((...args: never[]) => unknown),
  ): this {
    const substitute =
      replacement instanceof Dependency ? replacement : Depends(replacement as () => unknown);
    this.state.overrides.set(original, substitute);
    if (this.state.compiled) compileRoutes(this.state);
    return this;
  }

  clearDependencyOverrides(): this {
    this.state.overrides.clear();
    if (this.state.compiled) compileRoutes(this.state);
    return this;
  }

  addTransport(transport: Transport): this {
    if (this.state.listening) throw new Error(`addTransport(${transport.name}) after listen()`);
    this.state.transports.push(transport);
    return this;
  }

  addStatsSource(name: string, source: () => unknown): this {
    if (STATS_KEYS.has(name) || this.state.statsSources.has(name)) {
      throw new Error(`Stats source name "${name}" is already taken`);
    }
    this.state.statsSources.set(name, source);
    return this;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Loads plugins, compiles every route's pipeline, then runs startup/onReady hooks. Idempotent. */
  ready(): Promise<void> {
    const state = this.state;
    state.readyPromise ??= boot(state);
    return state.readyPromise;
  }

  /** Starts every registered transport; resolves with their addresses. */
  async listen(): Promise<TransportAddress[]> {
    const state = this.state;
    await this.ready();
    if (state.transports.length === 0) {
      throw new Error(
        "listen(): no transport registered; register one, e.g. app.register(http1({ port: 8000 }))",
      );
    }
    if (state.listening) throw new Error("listen() was already called");
    state.listening = true;
    const addresses: TransportAddress[] = [];
    for (const transport of state.transports) addresses.push(await transport.listen(state.handler));
    for (const hook of state.listenHooks) await hook();
    state.log.info({ addresses: addresses.map((a) => `${a.scheme}://${a.host}:${a.port}`) }, "listening");
    return addresses;
  }

  /**
   * Stops accepting, lets in-flight requests finish (up to closeGraceMs), then shutdown/onClose hooks
   * in reverse order. In the primary of app.run({ workers }) it does that in every worker.
   */
  close(): Promise<void> {
    const state = this.state;
    // The primary of app.run() serves nothing itself: closing it drains the workers.
    state.closePromise ??= state.supervisor !== null ? state.supervisor.close() : shutdown(state);
    return state.closePromise;
  }

  /**
   * Serves the app with `workers` workers, one per core for "auto": worker threads with their own
   * engine on SO_REUSEPORT ports, or cluster processes on the node:http path. Each worker re-runs
   * the main module (or `module`), which builds its own App and reaches this call again; dead workers
   * are replaced with backoff; SIGTERM/SIGINT drain them all. See RunOptions.
   */
  run(options?: RunOptions): Promise<RunningApp> {
    return runApp(this, options);
  }

  /** Answers one request in memory through the full pipeline (no socket). */
  async inject(options: InjectOptions | string): Promise<InjectResponse> {
    await this.ready();
    return injectRequest(this.state.handler, typeof options === "string" ? { url: options } : options);
  }

  /** Requests, latency, transports and sources; in the primary of app.run(), a ClusterStats merged over the workers. */
  stats(): AppStats {
    const state = this.state;
    if (state.supervisor !== null) return state.supervisor.stats();
    const transports: Record<string, TransportStats> = {};
    state.transports.forEach((transport, index) => {
      const key = transport.name in transports ? `${transport.name}#${index}` : transport.name;
      transports[key] = transport.stats();
    });
    const result: AppStats = { ...state.stats.snapshot(), transports };
    for (const [name, source] of state.statsSources) {
      try {
        result[name] = source();
      } catch (error) {
        // One broken source must not take the whole stats endpoint down.
        result[name] = { error: (error as Error).message };
      }
    }
    return result;
  }

  /**
   * Every worker's fresh stats under app.run(), merged, plus one row per worker with its own stats and
   * what plugins added with addWorkerCollector(); in the primary or any worker. A single process
   * answers with itself as the only row.
   */
  collectStats(): Promise<ClusterStats> {
    return collectStats(this);
  }

  // ---- internals used by lifecycle.ts ---------------------------------------------------------

  /** @internal An App object for a plugin: its own scope unless the plugin is global. */
  scopeFor(global: boolean): App {
    const child = Object.create(this) as App;
    child.pending = [];
    child.scope = global ? this.scope : new Scope(this.scope, child);
    return child;
  }
}
