// A route's request lifecycle, compiled once at ready(). The lifecycle is one ordered list of
// steps: [onRequestAbort watch, timeout, decorations, onRequest] -> middleware onion around
// [body read + parse, preValidation, validation, Depends, preHandler, handler] -> [preSerialization,
// serialize, onSend, commit] -> teardowns and onResponse. A route keeps only the steps it needs, so
// a GET route without hooks runs [handler, result, serialize, commit], synchronously when its
// handler is. Running the list is step-runner.ts; the steps live in request-steps.ts,
// reply-steps.ts and error-answers.ts.
import { BodyMode } from "./body-mode.js";
import type { BodyParsers } from "./body-parser.js";
import type { AnyContext } from "./context.js";
import type { DependencyPlan } from "./depends.js";
import { armTimeout, recoverFromError, watchAbort } from "./error-answers.js";
import type { ExceptionHandlerMap } from "./exception-handlers.js";
import type { RequestHookLists } from "./hooks.js";
import type { Logger } from "./logger.js";
import { composeMiddleware, type Middleware } from "./middleware.js";
import { commitPayload, onSendHooks, preSerialize, serialize } from "./reply-steps.js";
import { finishRequest } from "./request-finish.js";
import {
  adoptResult,
  callHandler,
  decorate,
  onRequestHooks,
  parseBody,
  preHandlerHooks,
  preValidationHooks,
  readBody,
  readTransformedBody,
  resolveDeps,
  runOnion,
  validateInputs,
} from "./request-steps.js";
import type { Schema } from "./route-options.js";
import type { RequestDecoration } from "./scope.js";
import { compileSerializer, type Serializer } from "./serializer.js";
import type { SharedSchemas } from "./shared-schemas.js";
import { runSteps, type Step, type StepList } from "./step-runner.js";
import { compileValidator, type ValidationLocation, type Validator } from "./validation.js";

export type RouteHandler = (ctx: AnyContext) => unknown;

/** What the app provides to every route. */
export interface PipelineHost {
  readonly log: Logger;
  /** The response went to the transport (or the stream ended): record stats and the log line. */
  responseWritten(ctx: AnyContext): void;
  /** Teardowns and onResponse hooks are done: the request no longer counts as in flight. */
  requestFinished(ctx: AnyContext): void;
}

/** Everything a route's lifecycle is compiled from; gathered by the app from the route's scopes. */
export interface RouteSpec {
  readonly path: string;
  readonly handler: RouteHandler;
  readonly hooks: RequestHookLists;
  readonly middleware: readonly Middleware[];
  readonly exceptionHandlers: ExceptionHandlerMap;
  readonly schemas: {
    params?: Schema;
    query?: Schema;
    headers?: Schema;
    body?: Schema;
    response?: Record<number, Schema>;
  };
  readonly status: number;
  readonly bodyMode: BodyMode;
  readonly bodyLimit: number;
  readonly parsers: BodyParsers;
  readonly sharedSchemas: SharedSchemas;
  readonly plan: DependencyPlan | null;
  readonly requestTimeout: number;
  readonly decorations: readonly RequestDecoration[];
}

/** A compiled route: its lifecycle and what its steps read. */
export interface CompiledRoute {
  readonly host: PipelineHost;
  readonly lifecycle: StepList;
  readonly handler: RouteHandler;
  readonly hooks: RequestHookLists;
  /** The middleware composed around the handling steps; null without middleware. */
  readonly onion: ((ctx: AnyContext) => Promise<void>) | null;
  readonly copyParams: boolean;
  /** Initial status of ctx.reply. */
  readonly status: number;
  readonly validateParams: Validator | null;
  readonly validateQuery: Validator | null;
  readonly validateHeaders: Validator | null;
  readonly validateBody: Validator | null;
  readonly bodyMode: BodyMode;
  readonly bodyLimit: number;
  readonly parsers: BodyParsers;
  readonly plan: DependencyPlan | null;
  /** Response serializers by status; a null-prototype object so lookups never hit Object.prototype. */
  readonly serializers: Record<number, Serializer>;
  readonly exceptionHandlers: ExceptionHandlerMap;
  readonly requestTimeout: number;
  readonly decorations: readonly RequestDecoration[];
}

/** Runs one request through its route's lifecycle; never throws. */
export function runRoute(route: CompiledRoute, ctx: AnyContext): void {
  runSteps(route, route.lifecycle, ctx, 0, undefined);
}

function compileSerializers(spec: RouteSpec): Record<number, Serializer> {
  const serializers = Object.create(null) as Record<number, Serializer>;
  for (const [status, schema] of Object.entries(spec.schemas.response ?? {})) {
    const code = Number(status);
    if (!Number.isInteger(code) || code < 100 || code > 599) {
      throw new Error(`response schema key "${status}" is not a status code (100-599)`);
    }
    serializers[code] = compileSerializer(schema, spec.sharedSchemas);
  }
  return serializers;
}

/** Up to the onion: what runs for every request of the route before its handling. */
function openingSteps(spec: RouteSpec): Step[] {
  const steps: Step[] = [];
  if (spec.hooks.onRequestAbort.length > 0) steps.push(watchAbort);
  if (spec.requestTimeout > 0) steps.push(armTimeout);
  if (spec.decorations.length > 0) steps.push(decorate);
  if (spec.hooks.onRequest.length > 0) steps.push(onRequestHooks);
  return steps;
}

/** What the middleware wraps: body, validation, dependencies, handler; ends with adoptResult. */
function handlingSteps(spec: RouteSpec, validates: boolean): Step[] {
  const hooks = spec.hooks;
  const steps: Step[] = [];
  if (spec.bodyMode !== BodyMode.Never) {
    steps.push(hooks.preParsing.length > 0 ? readTransformedBody : readBody, parseBody);
  }
  if (hooks.preValidation.length > 0) steps.push(preValidationHooks);
  if (validates) steps.push(validateInputs);
  if (spec.plan !== null) steps.push(resolveDeps);
  if (hooks.preHandler.length > 0) steps.push(preHandlerHooks);
  steps.push(callHandler, adoptResult);
  return steps;
}

function replySteps(spec: RouteSpec): Step[] {
  const steps: Step[] = [];
  if (spec.hooks.preSerialization.length > 0) steps.push(preSerialize);
  steps.push(serialize);
  if (spec.hooks.onSend.length > 0) steps.push(onSendHooks);
  steps.push(commitPayload);
  return steps;
}

export function compileRoute(spec: RouteSpec, host: PipelineHost): CompiledRoute {
  const { schemas, sharedSchemas: shared } = spec;
  const validator = (schema: Schema | undefined, location: ValidationLocation) =>
    schema === undefined ? null : compileValidator(schema, location, shared);
  const validateParams = validator(schemas.params, "path");
  const validateQuery = validator(schemas.query, "query");
  const validateHeaders = validator(schemas.headers, "header");
  const validateBody = validator(schemas.body, "body");
  const validates =
    validateParams !== null || validateQuery !== null || validateHeaders !== null || validateBody !== null;
  const opening = openingSteps(spec);
  const handling = handlingSteps(spec, validates);
  const replying = replySteps(spec);
  const withMiddleware = spec.middleware.length > 0;
  const outer = withMiddleware ? [...opening, runOnion] : [...opening, ...handling];
  // An early answer continues at adoptResult (the last handling step); with middleware, the outer
  // list continues at the reply steps and the onion's own list at its adoptResult.
  const lifecycle: StepList = {
    steps: [...outer, ...replying],
    answeredAt: withMiddleware ? outer.length : outer.length - 1,
    recover: recoverFromError,
    complete: finishRequest,
  };
  const inner: StepList = { steps: handling, answeredAt: handling.length - 1, recover: null, complete: null };
  const onion = withMiddleware
    ? composeMiddleware(spec.middleware, (ctx) => runSteps(route, inner, ctx, 0, undefined))
    : null;
  const route: CompiledRoute = {
    host,
    lifecycle,
    handler: spec.handler,
    hooks: spec.hooks,
    onion,
    // Static routes share one frozen params object; coercion and defaults need a copy.
    copyParams: !spec.path.includes(":") && !spec.path.includes("*"),
    status: spec.status,
    validateParams,
    validateQuery,
    validateHeaders,
    validateBody,
    bodyMode: spec.bodyMode,
    bodyLimit: spec.bodyLimit,
    parsers: spec.parsers,
    plan: spec.plan,
    serializers: compileSerializers(spec),
    exceptionHandlers: spec.exceptionHandlers,
    requestTimeout: spec.requestTimeout,
    decorations: spec.decorations,
  };
  return route;
}
