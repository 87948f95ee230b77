// The lifecycle steps from "a request arrived" to "the handler's value is on ctx.reply": request
// decorations, the hooks before the handler, the middleware onion, body reading and parsing,
// validation, dependencies and the handler itself. Each is a plain function of (route, ctx, input);
// route-pipeline.ts picks the ones a route needs. Nothing here writes to the transport.

import { BodyMode } from "./body-mode.js";
import type { AnyContext } from "./context.js";
import { type DependencyPlan, resolveDependencies } from "./depends.js";
import { RequestValidationError, type ValidationIssue } from "./errors.js";
import { BEFORE_HANDLER, PRE_PARSING, runHooks } from "./hook-runner.js";
import type { CompiledRoute } from "./route-pipeline.js";
import type { RequestDecoration } from "./scope.js";
import { isThenable } from "./thenable.js";
import { BodyLimitError } from "./transport.js";

/** Sets the request decorations declared in the route's scopes (each init may throw). */
export function decorate(route: CompiledRoute, ctx: AnyContext): void {
  const decorations = route.decorations;
  for (let i = 0; i < decorations.length; i++) {
    const decoration = decorations[i] as RequestDecoration;
    (ctx as unknown as Record<string, unknown>)[decoration.name] = decoration.init();
  }
}

export function onRequestHooks(route: CompiledRoute, ctx: AnyContext): unknown {
  return runHooks(route.hooks.onRequest, BEFORE_HANDLER, ctx, undefined, route.host.log);
}

export function preValidationHooks(route: CompiledRoute, ctx: AnyContext): unknown {
  return runHooks(route.hooks.preValidation, BEFORE_HANDLER, ctx, undefined, route.host.log);
}

export function preHandlerHooks(route: CompiledRoute, ctx: AnyContext): unknown {
  return runHooks(route.hooks.preHandler, BEFORE_HANDLER, ctx, undefined, route.host.log);
}

/** The middleware onion around the steps from body reading to the handler (see route-pipeline.ts). */
export function runOnion(route: CompiledRoute, ctx: AnyContext): Promise<void> {
  return (route.onion as (ctx: AnyContext) => Promise<void>)(ctx);
}

/** Whether this request's body is read: always for body methods, else when the transport says one follows. */
function readsBody(route: CompiledRoute, ctx: AnyContext): boolean {
  return route.bodyMode === BodyMode.Always || ctx.request.hasBody;
}

/** The raw body (a promise), or undefined when there is none to read. */
export function readBody(route: CompiledRoute, ctx: AnyContext): Promise<Buffer> | undefined {
  return readsBody(route, ctx) ? ctx.request.body(route.bodyLimit) : undefined;
}

/** readBody() through the preParsing hooks, which may replace the stream (e.g. to decompress it). */
export async function readTransformedBody(
  route: CompiledRoute,
  ctx: AnyContext,
): Promise<Buffer | undefined> {
  if (!readsBody(route, ctx)) return undefined;
  const stream = ctx.request.bodyStream(route.bodyLimit);
  let payload = runHooks(route.hooks.preParsing, PRE_PARSING, ctx, stream, route.host.log);
  if (isThenable(payload)) payload = await payload;
  return collect(payload as AsyncIterable<Buffer>, route.bodyLimit);
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

/** Parses the raw body by content type into ctx.body; undefined input means no body was read. */
export function parseBody(route: CompiledRoute, ctx: AnyContext, raw: unknown): Promise<void> | undefined {
  if (raw === undefined) return undefined;
  const parsed = route.parsers.parse(ctx.request.header("content-type"), raw as Buffer);
  if (isThenable(parsed)) return assignBody(ctx, parsed);
  ctx.body = parsed;
  return undefined;
}

async function assignBody(ctx: AnyContext, parsed: PromiseLike<unknown>): Promise<void> {
  ctx.body = await parsed;
}

/** Validates every declared location and throws one error carrying all issues (FastAPI reports them all). */
export function validateInputs(route: CompiledRoute, ctx: AnyContext): void {
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

export function resolveDeps(route: CompiledRoute, ctx: AnyContext): Promise<void> | undefined {
  return resolveDependencies(route.plan as DependencyPlan, ctx);
}

export function callHandler(route: CompiledRoute, ctx: AnyContext): unknown {
  return route.handler(ctx);
}

/**
 * The handler's value becomes the answer, unless it returned ctx.reply, or nothing after answering
 * through ctx.reply.send(); also where an answer from a hook before the handler lands.
 */
export function adoptResult(_route: CompiledRoute, ctx: AnyContext, result: unknown): void {
  const reply = ctx.reply;
  if (result === reply || (result === undefined && reply.answered)) reply.answered = true;
  else reply.send(result);
}
