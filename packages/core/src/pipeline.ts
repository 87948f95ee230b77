// The compiled request pipeline of one route, built once at ready(): onRequest -> middleware onion
// [preParsing -> body -> preValidation -> validation -> Depends -> preHandler -> handler] ->
// preSerialization -> serialize -> onSend -> transport -> teardowns and onResponse. Routes without
// hooks, middleware or dependencies take a fast path: synchronous end to end when there is no body
// to read and the handler is synchronous, one await for the body otherwise.
import type { BodyParsers } from "./body-parser.js";
import type { AnyContext } from "./context.js";
import { type DependencyPlan, resolveDependencies, runTeardowns } from "./depends.js";
import { HTTPException, RequestValidationError, reasonPhrase, type ValidationIssue } from "./errors.js";
import {
  defaultErrorAnswer,
  type ExceptionHandlerMap,
  findExceptionHandler,
  statusOf,
} from "./exception-handlers.js";
import type { ResponsePayload } from "./flush.js";
import { countRequestHooks, type RequestHook, type RequestHookLists } from "./hooks.js";
import type { Logger } from "./logger.js";
import { composeMiddleware, type Middleware } from "./middleware.js";
import { isJsonValue, JSON_TYPE, toPayload, writeResponse } from "./response-writer.js";
import type { Schema } from "./route-options.js";
import type { RequestDecoration } from "./scope.js";
import { compileSerializer, type Serializer } from "./serializer.js";
import type { SharedSchemas } from "./shared-schemas.js";
import { isThenable } from "./thenable.js";
import { BodyLimitError } from "./transport.js";
import { compileValidator, type Validator } from "./validation.js";

export type RouteHandler = (ctx: AnyContext) => unknown;

/** What the app provides to every pipeline. */
export interface PipelineHost {
  readonly log: Logger;
  /** The response went to the transport (or the stream ended): record stats and the log line. */
  responseWritten(ctx: AnyContext): void;
  /** Teardowns and onResponse hooks are done: the request no longer counts as in flight. */
  requestFinished(ctx: AnyContext): void;
}

/** When a route reads the request body. */
export enum BodyMode {
  Never = 0,
  Always = 1,
  /** Only when the request announces one (content-length or transfer-encoding). */
  WhenPresent = 2,
}

/** Everything a route's pipeline is compiled from; gathered by the app from the route's scopes. */
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

export interface CompiledRoute {
  readonly host: PipelineHost;
  readonly handler: RouteHandler;
  readonly hooks: RequestHookLists;
  readonly onion: ((ctx: AnyContext) => Promise<void>) | null;
  readonly validates: boolean;
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
  /** Runs one request; never throws. */
  readonly run: (ctx: AnyContext) => void;
}

export function compileRoute(spec: RouteSpec, host: PipelineHost): CompiledRoute {
  const { schemas, sharedSchemas: shared } = spec;
  const serializers = Object.create(null) as Record<number, Serializer>;
  for (const [status, schema] of Object.entries(schemas.response ?? {})) {
    const code = Number(status);
    if (!Number.isInteger(code) || code < 100 || code > 599) {
      throw new Error(`response schema key "${status}" is not a status code (100-599)`);
    }
    serializers[code] = compileSerializer(schema, shared);
  }
  const validateParams =
    schemas.params === undefined ? null : compileValidator(schemas.params, "path", shared);
  const validateQuery = schemas.query === undefined ? null : compileValidator(schemas.query, "query", shared);
  const validateHeaders =
    schemas.headers === undefined ? null : compileValidator(schemas.headers, "header", shared);
  const validateBody = schemas.body === undefined ? null : compileValidator(schemas.body, "body", shared);
  // Without hooks, middleware, dependencies or a timeout, a route skips the general pipeline: no
  // body means fully synchronous; a body costs one await for reading it.
  const simple =
    countRequestHooks(spec.hooks) === 0 &&
    spec.middleware.length === 0 &&
    spec.plan === null &&
    spec.requestTimeout === 0;
  const route: { -readonly [K in keyof CompiledRoute]: CompiledRoute[K] } = {
    host,
    handler: spec.handler,
    hooks: spec.hooks,
    onion: null,
    validates:
      validateParams !== null || validateQuery !== null || validateHeaders !== null || validateBody !== null,
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
    serializers,
    exceptionHandlers: spec.exceptionHandlers,
    requestTimeout: spec.requestTimeout,
    decorations: spec.decorations,
    run: !simple
      ? (ctx) => void runFull(route, ctx)
      : spec.bodyMode === BodyMode.Never
        ? (ctx) => runFast(route, ctx)
        : (ctx) => void runWithBody(route, ctx),
  };
  if (spec.middleware.length > 0)
    route.onion = composeMiddleware(spec.middleware, (ctx) => processRequest(route, ctx));
  return route;
}

// ---- fast paths: no hooks, middleware or dependencies -------------------------------------------

/** Sets the request decorations declared in the route's scopes (each init may throw). */
function decorate(route: CompiledRoute, ctx: AnyContext): void {
  const decorations = route.decorations;
  for (let i = 0; i < decorations.length; i++) {
    const decoration = decorations[i] as RequestDecoration;
    (ctx as unknown as Record<string, unknown>)[decoration.name] = decoration.init();
  }
}

async function runWithBody(route: CompiledRoute, ctx: AnyContext): Promise<void> {
  try {
    if (route.decorations.length !== 0) decorate(route, ctx);
    if (route.bodyMode === BodyMode.Always || announcesBody(ctx)) {
      const request = ctx.request;
      let parsed = route.parsers.parse(request.header("content-type"), await request.body(route.bodyLimit));
      if (isThenable(parsed)) parsed = await parsed;
      ctx.body = parsed;
    }
  } catch (error) {
    await answerError(route, ctx, bodyError(error));
    return;
  }
  runFast(route, ctx);
}

function runFast(route: CompiledRoute, ctx: AnyContext): void {
  let result: unknown;
  try {
    if (route.decorations.length !== 0 && route.bodyMode === BodyMode.Never) decorate(route, ctx);
    if (route.validates) validateInputs(route, ctx);
    result = route.handler(ctx);
  } catch (error) {
    void answerError(route, ctx, error);
    return;
  }
  if (isThenable(result)) {
    void awaitHandler(route, ctx, result);
    return;
  }
  completeFast(route, ctx, result);
}

async function awaitHandler(
  route: CompiledRoute,
  ctx: AnyContext,
  pending: PromiseLike<unknown>,
): Promise<void> {
  let result: unknown;
  try {
    result = await pending;
  } catch (error) {
    await answerError(route, ctx, error);
    return;
  }
  completeFast(route, ctx, result);
}

function completeFast(route: CompiledRoute, ctx: AnyContext, result: unknown): void {
  let writing: Promise<void> | undefined;
  try {
    const reply = ctx.reply;
    const value = result === reply || (result === undefined && reply.answered) ? reply.value : result;
    writing = commit(route, ctx, toPayload(value, reply, route.serializers[reply.statusCode]));
  } catch (error) {
    void answerError(route, ctx, error);
    return;
  }
  if (writing === undefined) settle(route, ctx);
  else void finishStream(route, ctx, writing);
}

async function finishStream(route: CompiledRoute, ctx: AnyContext, writing: Promise<void>): Promise<void> {
  try {
    await writing;
  } catch (error) {
    await answerError(route, ctx, error);
    return;
  }
  settle(route, ctx);
}

// ---- full path ---------------------------------------------------------------------------------

async function runFull(route: CompiledRoute, ctx: AnyContext): Promise<void> {
  const hooks = route.hooks;
  if (hooks.onRequestAbort.length > 0) ctx.request.onAbort(() => void runAbortHooks(route, ctx));
  const timer =
    route.requestTimeout > 0 ? setTimeout(answerTimeout, route.requestTimeout, route, ctx) : undefined;
  try {
    if (route.decorations.length !== 0) decorate(route, ctx);
    if (hooks.onRequest.length > 0) await runRequestHooks(hooks.onRequest, ctx);
    if (!ctx.reply.answered) {
      if (route.onion !== null) await route.onion(ctx);
      else await processRequest(route, ctx);
    }
    if (!ctx.responded) await sendValue(route, ctx, ctx.reply.value);
  } catch (error) {
    clearTimeout(timer);
    await answerError(route, ctx, error);
    return;
  }
  clearTimeout(timer);
  settle(route, ctx);
}

/** Runs hooks in order until one answers through ctx.reply.send(). */
async function runRequestHooks(hooks: readonly RequestHook[], ctx: AnyContext): Promise<void> {
  for (const hook of hooks) {
    const result = hook(ctx);
    if (isThenable(result)) await result;
    if (ctx.reply.answered) return;
  }
}

/** The part the middleware onion wraps: from body parsing to the handler's value on ctx.reply. */
async function processRequest(route: CompiledRoute, ctx: AnyContext): Promise<void> {
  const hooks = route.hooks;
  if (route.bodyMode !== BodyMode.Never && (route.bodyMode === BodyMode.Always || announcesBody(ctx))) {
    await readBody(route, ctx);
  }
  if (hooks.preValidation.length > 0) {
    await runRequestHooks(hooks.preValidation, ctx);
    if (ctx.reply.answered) return;
  }
  if (route.validates) validateInputs(route, ctx);
  if (route.plan !== null) {
    const pending = resolveDependencies(route.plan, ctx);
    if (pending !== undefined) await pending;
  }
  if (hooks.preHandler.length > 0) {
    await runRequestHooks(hooks.preHandler, ctx);
    if (ctx.reply.answered) return;
  }
  let result = route.handler(ctx);
  if (isThenable(result)) result = await result;
  const reply = ctx.reply;
  if (result === reply || (result === undefined && reply.answered)) {
    reply.answered = true;
    return;
  }
  reply.send(result);
}

function announcesBody(ctx: AnyContext): boolean {
  const request = ctx.request;
  const length = request.header("content-length");
  return (length !== undefined && length !== "0") || request.header("transfer-encoding") !== undefined;
}

async function readBody(route: CompiledRoute, ctx: AnyContext): Promise<void> {
  const request = ctx.request;
  let raw: Buffer;
  try {
    const preParsing = route.hooks.preParsing;
    if (preParsing.length === 0) {
      raw = await request.body(route.bodyLimit);
    } else {
      let payload = request.bodyStream(route.bodyLimit);
      for (const hook of preParsing) {
        let replaced = hook(ctx, payload);
        if (isThenable(replaced)) replaced = await replaced;
        if (replaced !== undefined && replaced !== null) payload = replaced as AsyncIterable<Buffer>;
      }
      raw = await collect(payload, route.bodyLimit);
    }
  } catch (error) {
    throw bodyError(error);
  }
  let parsed = route.parsers.parse(request.header("content-type"), raw);
  if (isThenable(parsed)) parsed = await parsed;
  ctx.body = parsed;
}

/** A body over the limit answers 413; other read errors pass through. */
function bodyError(error: unknown): unknown {
  if (error instanceof BodyLimitError)
    return new HTTPException(413, `Request body is larger than ${error.limit} bytes`);
  return error;
}

/** Gathers a (possibly transformed, e.g. decompressed) body, applying the limit to what comes out. */
async function collect(payload: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    size += chunk.length;
    if (size > limit) throw new BodyLimitError(limit);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

/** Validates every declared location and throws one error carrying all issues (FastAPI reports them all). */
function validateInputs(route: CompiledRoute, ctx: AnyContext): void {
  let issues: ValidationIssue[] | null = null;
  if (route.validateParams !== null) {
    const result = route.validateParams(route.copyParams ? { ...ctx.params } : ctx.params);
    if (result.ok) ctx.params = result.value;
    else issues = result.issues;
  }
  if (route.validateQuery !== null) {
    const result = route.validateQuery(ctx.query);
    if (result.ok) ctx.query = result.value;
    else issues = issues === null ? result.issues : issues.concat(result.issues);
  }
  if (route.validateHeaders !== null) {
    const result = route.validateHeaders(ctx.headers);
    if (result.ok) ctx.headers = result.value;
    else issues = issues === null ? result.issues : issues.concat(result.issues);
  }
  if (route.validateBody !== null) {
    const result = route.validateBody(ctx.body);
    if (result.ok) ctx.body = result.value;
    else issues = issues === null ? result.issues : issues.concat(result.issues);
  }
  if (issues !== null) throw new RequestValidationError(issues);
}

/** preSerialization -> serialize -> onSend -> transport, for a successful answer. */
async function sendValue(route: CompiledRoute, ctx: AnyContext, initial: unknown): Promise<void> {
  const hooks = route.hooks;
  let value = initial;
  if (hooks.preSerialization.length > 0 && isJsonValue(value)) {
    for (const hook of hooks.preSerialization) {
      let replaced = hook(ctx, value);
      if (isThenable(replaced)) replaced = await replaced;
      if (replaced !== undefined) value = replaced;
    }
  }
  const reply = ctx.reply;
  const payload = await runOnSend(route, ctx, toPayload(value, reply, route.serializers[reply.statusCode]));
  const writing = commit(route, ctx, payload);
  if (writing !== undefined) await writing;
}

async function runOnSend(
  route: CompiledRoute,
  ctx: AnyContext,
  initial: ResponsePayload,
): Promise<ResponsePayload> {
  let payload = initial;
  for (const hook of route.hooks.onSend) {
    let replaced = hook(ctx, payload);
    if (isThenable(replaced)) replaced = await replaced;
    if (replaced !== undefined) payload = replaced;
  }
  return payload;
}

/** Hands the payload to the transport once per request; later attempts (after a timeout) are ignored. */
function commit(route: CompiledRoute, ctx: AnyContext, payload: ResponsePayload): Promise<void> | undefined {
  if (ctx.responded) return undefined;
  ctx.responded = true;
  const writing = writeResponse(ctx, payload);
  if (writing === undefined) {
    route.host.responseWritten(ctx);
    return undefined;
  }
  // Recorded only when the stream actually started; a failure before its first chunk is answered anew.
  return writing.then(
    () => route.host.responseWritten(ctx),
    (error: unknown) => {
      if (ctx.responded) route.host.responseWritten(ctx);
      throw error;
    },
  );
}

// ---- errors, timeouts, aborts ------------------------------------------------------------------

const INTERNAL_ERROR_BODY = JSON.stringify({ detail: reasonPhrase(500) });
const TIMEOUT_BODY = JSON.stringify({ detail: reasonPhrase(503) });

/** onError hooks, then the exception handler or FastAPI's default answer; never throws. */
async function answerError(route: CompiledRoute, ctx: AnyContext, error: unknown): Promise<void> {
  const log = route.host.log;
  for (const hook of route.hooks.onError) {
    try {
      const result = hook(ctx, error);
      if (isThenable(result)) await result;
    } catch (hookError) {
      log.error({ err: hookError, reqId: ctx.id }, "onError hook failed");
    }
  }
  try {
    if (ctx.sink.aborted && !ctx.responded) {
      // The client left (typically mid-body): nobody reads the answer and it is not a server fault.
      log.debug({ err: error, reqId: ctx.id, method: ctx.method, path: ctx.path }, "client went away");
      commitPlain(route, ctx, 500, INTERNAL_ERROR_BODY);
    } else if (ctx.responded) {
      // The status line is gone (a stream failed mid-way, or a timeout answered): only log.
      log.error(
        { err: error, reqId: ctx.id, method: ctx.method, path: ctx.path },
        "error after the response started",
      );
    } else {
      const reply = ctx.reply;
      reply.reset();
      const handler = findExceptionHandler(route.exceptionHandlers, error);
      let value: unknown;
      let serializer: Serializer | undefined;
      if (handler === undefined) {
        value = defaultErrorAnswer(error, ctx);
      } else {
        reply.status(statusOf(error));
        value = handler(error, ctx);
        if (isThenable(value)) value = await value;
        if (value === reply) value = reply.value;
        serializer = route.serializers[reply.statusCode];
      }
      const payload = await runOnSend(route, ctx, toPayload(value, reply, serializer));
      const writing = commit(route, ctx, payload);
      if (writing !== undefined) await writing;
    }
  } catch (secondError) {
    log.error(
      { err: secondError, reqId: ctx.id, method: ctx.method, path: ctx.path },
      "error while answering an error",
    );
    if (!ctx.responded) commitPlain(route, ctx, 500, INTERNAL_ERROR_BODY);
  }
  settle(route, ctx);
}

/** A last-resort JSON answer; a transport that throws here is only logged. */
function commitPlain(route: CompiledRoute, ctx: AnyContext, status: number, body: string): void {
  ctx.reply.reset();
  ctx.reply.status(status).type(JSON_TYPE);
  try {
    commit(route, ctx, body);
  } catch (error) {
    route.host.log.error({ err: error, reqId: ctx.id }, "the transport failed to send a response");
  }
}

async function answerTimeout(route: CompiledRoute, ctx: AnyContext): Promise<void> {
  if (ctx.responded) return;
  for (const hook of route.hooks.onTimeout) {
    try {
      const result = hook(ctx);
      if (isThenable(result)) await result;
    } catch (error) {
      route.host.log.error({ err: error, reqId: ctx.id }, "onTimeout hook failed");
    }
  }
  if (!ctx.responded) commitPlain(route, ctx, 503, TIMEOUT_BODY);
}

async function runAbortHooks(route: CompiledRoute, ctx: AnyContext): Promise<void> {
  for (const hook of route.hooks.onRequestAbort) {
    try {
      const result = hook(ctx);
      if (isThenable(result)) await result;
    } catch (error) {
      route.host.log.error({ err: error, reqId: ctx.id }, "onRequestAbort hook failed");
    }
  }
}

// ---- after the response ------------------------------------------------------------------------

function settle(route: CompiledRoute, ctx: AnyContext): void {
  if (ctx.teardowns === null && route.hooks.onResponse.length === 0) {
    route.host.requestFinished(ctx);
    return;
  }
  void afterResponse(route, ctx);
}

async function afterResponse(route: CompiledRoute, ctx: AnyContext): Promise<void> {
  const log = route.host.log;
  if (ctx.teardowns !== null) {
    await runTeardowns(ctx.teardowns, (error) =>
      log.error({ err: error, reqId: ctx.id }, "dependency teardown failed"),
    );
  }
  for (const hook of route.hooks.onResponse) {
    try {
      const result = hook(ctx);
      if (isThenable(result)) await result;
    } catch (error) {
      log.error({ err: error, reqId: ctx.id }, "onResponse hook failed");
    }
  }
  route.host.requestFinished(ctx);
}
