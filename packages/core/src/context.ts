// The per-request context handed to hooks, middleware, dependencies and the handler. Fields that
// cost something (query, headers, state, child logger, request id) are produced on first access,
// so a route that never reads them never pays for them. It does not run anything itself.
import type { App } from "./app.js";
import type { Token } from "./container.js";
import type { Disposable } from "./depends.js";
import type { Logger } from "./logger.js";
import { parseQueryString } from "./query-string.js";
import { Reply } from "./reply.js";
import type { CompiledRoute } from "./route-pipeline.js";
import type { RequestView, ResponseSink } from "./transport.js";

/** Names a request decoration may not take: the context's own fields and accessors. */
const CONTEXT_FIELDS = new Set([
  "params",
  "body",
  "deps",
  "request",
  "reply",
  "method",
  "url",
  "path",
  "app",
  "query",
  "headers",
  "state",
  "id",
  "log",
  "route",
  "sink",
  "startedAt",
  "sequence",
  "queryString",
  "parsedQuery",
  "parsedHeaders",
  "userState",
  "childLog",
  "teardowns",
  "requestScoped",
  "allowed",
  "responded",
  "requestTimer",
  "constructor",
]);

export function isContextField(name: string): boolean {
  return CONTEXT_FIELDS.has(name);
}

/** A context of any route, as hooks, middleware and dependencies see it. */
export type AnyContext = Context<any, any, any, any, any>;

export class Context<
  P = Record<string, string>,
  Q = Record<string, string | string[]>,
  H = Record<string, string | string[]>,
  B = unknown,
  D = Record<string, unknown>,
> {
  /** Path parameters (validated and coerced when the route has a params schema). */
  params: P;
  /** Parsed request body (validated when the route has a body schema). */
  body: B;
  /** Resolved dependencies of the route, by name. */
  deps: D;
  readonly request: RequestView;
  readonly reply: Reply;
  /** Upper-case request method. */
  readonly method: string;
  /** Request target as sent, with the query string. */
  readonly url: string;
  /** Path without the query string. */
  readonly path: string;
  /** The app (or plugin scope) the route belongs to; its decorations are visible here. */
  readonly app: App;

  /** @internal */ route: CompiledRoute;
  /** @internal */ sink: ResponseSink;
  /** @internal */ startedAt: number;
  /** @internal */ sequence: number;
  /** @internal */ queryString: string;
  /** @internal */ parsedQuery: Q | undefined;
  /** @internal */ parsedHeaders: H | undefined;
  /** @internal */ userState: Record<string, unknown> | undefined;
  /** @internal */ childLog: Logger | undefined;
  /** @internal */ teardowns: Disposable[] | null;
  /** @internal */ requestScoped: Map<Token, unknown> | null;
  /** @internal Methods for the 405 answer. */ allowed: string[] | null;
  /** @internal Set once the response went to the transport. */ responded: boolean;
  /** @internal The requestTimeout timer while it runs. */ requestTimer:
    | ReturnType<typeof setTimeout>
    | undefined;

  constructor(
    app: App,
    route: CompiledRoute,
    request: RequestView,
    sink: ResponseSink,
    path: string,
    queryString: string,
    params: P,
    startedAt: number,
    sequence: number,
  ) {
    this.params = params;
    this.body = undefined as B;
    this.deps = undefined as D;
    this.request = request;
    this.reply = new Reply(route.status, this);
    this.method = request.method;
    this.url = request.url;
    this.path = path;
    this.app = app;
    this.route = route;
    this.sink = sink;
    this.startedAt = startedAt;
    this.sequence = sequence;
    this.queryString = queryString;
    this.parsedQuery = undefined;
    this.parsedHeaders = undefined;
    this.userState = undefined;
    this.childLog = undefined;
    this.teardowns = null;
    this.requestScoped = null;
    this.allowed = null;
    this.responded = false;
    this.requestTimer = undefined;
  }

  /** Query parameters (validated and coerced when the route has a query schema). */
  get query(): Q {
    if (this.parsedQuery === undefined) this.parsedQuery = parseQueryString(this.queryString) as Q;
    return this.parsedQuery;
  }
  set query(value: Q) {
    this.parsedQuery = value;
  }

  /** Request headers, lower-case names (validated when the route has a headers schema). */
  get headers(): H {
    if (this.parsedHeaders === undefined) this.parsedHeaders = this.request.headers() as H;
    return this.parsedHeaders;
  }
  set headers(value: H) {
    this.parsedHeaders = value;
  }

  /** Free space for hooks and middleware to pass data along the request. */
  get state(): Record<string, unknown> {
    if (this.userState === undefined) this.userState = {};
    return this.userState;
  }

  /** The x-request-id header when the client sent one, else a per-app sequence number. */
  get id(): string {
    return this.request.header("x-request-id") ?? String(this.sequence);
  }

  /** The app logger bound to this request's id. */
  get log(): Logger {
    if (this.childLog === undefined) this.childLog = this.app.log.child({ reqId: this.id });
    return this.childLog;
  }
}
