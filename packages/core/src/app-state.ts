// What every App object of one application shares (the root and each plugin's scoped App): the
// router and route records, transports, stats, lifecycle flags and app-wide hooks. Plain data;
// the App class and lifecycle.ts act on it.
import type { App } from "./app.js";
import type { AppOptions } from "./app-options.js";
import type { BodyParsers } from "./body-parser.js";
import type { Dependency } from "./depends.js";
import type { AppHook } from "./hooks.js";
import type { Logger } from "./logger.js";
import type { Plugin } from "./plugin.js";
import type { RouteOptions } from "./route-options.js";
import type { CompiledRoute, RouteHandler } from "./route-pipeline.js";
import type { RadixRouter } from "./router.js";
import type { Scope } from "./scope.js";
import type { SharedSchemas } from "./shared-schemas.js";
import type { RequestStats } from "./stats.js";
import type { Supervisor } from "./supervisor.js";
import type { RequestHandler, Transport } from "./transport.js";
import type { WebSocketProvider } from "./websocket.js";

/** One registered route; its pipeline is compiled at ready(). */
export interface RouteRecord {
  readonly method: string;
  readonly path: string;
  readonly options: RouteOptions;
  /** Null for controller routes until ready() resolves the instance. */
  handler: RouteHandler | null;
  readonly controller: {
    cls: new (...args: never[]) => object;
    key: string | symbol;
    websocket: boolean;
  } | null;
  readonly scope: Scope;
  compiled: CompiledRoute | null;
}

export interface PendingPlugin {
  plugin: Plugin<unknown>;
  options: unknown;
}

/** What every App object of one application shares (the root and its plugin scopes). */
export interface AppState {
  readonly options: AppOptions;
  readonly log: Logger;
  readonly router: RadixRouter<RouteRecord>;
  readonly routes: RouteRecord[];
  readonly parsers: BodyParsers;
  readonly sharedSchemas: SharedSchemas;
  readonly stats: RequestStats;
  readonly transports: Transport[];
  readonly statsSources: Map<string, () => unknown>;
  readonly overrides: Map<unknown, Dependency>;
  readonly readyHooks: AppHook[];
  readonly listenHooks: AppHook[];
  readonly closeHooks: AppHook[];
  readonly root: App;
  handler: RequestHandler;
  sequence: number;
  logRequests: boolean;
  readyPromise: Promise<void> | null;
  compiled: boolean;
  listening: boolean;
  closing: boolean;
  closePromise: Promise<void> | null;
  drained: (() => void) | null;
  notFound: CompiledRoute | null;
  methodNotAllowed: CompiledRoute | null;
  unavailable: CompiledRoute | null;
  /** Set in the primary of app.run({ workers }): app.stats() then reports the workers' merged figures. */
  supervisor: Supervisor | null;
  /** Registered by a WebSocket plugin (@fasterapi/ws); app.websocket() routes need one. */
  websocketProvider: WebSocketProvider | null;
  websocketRoutes: number;
}
