// What a route is declared with: its schemas (TypeBox or plain JSON Schema), dependencies,
// OpenAPI metadata and limits, and the handler type derived from them so `ctx.params`,
// `ctx.body` and `ctx.deps` are typed. Declarations only; route-pipeline.ts compiles them.
import type { Static, TSchema } from "@sinclair/typebox";
import type { Context } from "./context.js";
import type { Dependency, DependencyValue } from "./depends.js";

/** A TypeBox schema or a plain JSON Schema object. */
export type Schema = TSchema | Record<string, unknown>;

export interface RouteOptions {
  /** Path parameters; strings are coerced to the schema's types. */
  params?: Schema;
  /** Query parameters; strings are coerced to the schema's types. */
  query?: Schema;
  /** Request headers by lower-case name; strings are coerced. */
  headers?: Schema;
  /** JSON (or other parsed) request body. */
  body?: Schema;
  /** Response schema per status: compiled into the serializer; undeclared fields are dropped. */
  response?: Record<number, Schema>;
  /** Dependencies resolved before the handler, available as `ctx.deps.<name>`. */
  deps?: Record<string, Dependency>;
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  deprecated?: boolean;
  security?: Record<string, string[]>[];
  /** Status of a successful answer unless the handler sets one (FastAPI's status_code). Default 200. */
  status?: number;
  /** Raw body limit in bytes for this route (default: the app's bodyLimit). */
  bodyLimit?: number;
  /** false leaves the route out of the OpenAPI document. Default true. */
  includeInSchema?: boolean;
}

// Tuple-wrapped so an optional (possibly undefined) schema is not distributed into a union.
type StaticOr<S, Fallback> = [S] extends [TSchema] ? Static<S> : Fallback;

type DepsOf<D> = [D] extends [Record<string, Dependency>]
  ? { [K in keyof D]: DependencyValue<D[K]> }
  : Record<string, unknown>;

/** The context type a handler with options `O` receives. */
export type RouteContext<O extends RouteOptions = RouteOptions> = Context<
  StaticOr<O["params"], Record<string, string>>,
  StaticOr<O["query"], Record<string, string | string[]>>,
  StaticOr<O["headers"], Record<string, string | string[]>>,
  StaticOr<O["body"], unknown>,
  DepsOf<O["deps"]>
>;

/**
 * A route handler. The return value becomes the response: objects/arrays as JSON, strings as
 * text, Buffers as octet-stream, Readable / AsyncIterable streamed, undefined an empty body.
 */
export type Handler<O extends RouteOptions = RouteOptions> = (ctx: RouteContext<O>) => unknown;

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
