// How a request ends when things go wrong: a thrown error runs the onError hooks, then the
// exception handler for its class or FastAPI's default answer (through onSend, like any answer);
// a requestTimeout runs onTimeout and answers 503; a client that leaves runs onRequestAbort.
// Nothing here throws: a failure while answering an error is logged and answered 500.
import type { AnyContext } from "./context.js";
import { HTTPException, reasonPhrase } from "./errors.js";
import { defaultErrorAnswer, findExceptionHandler, statusOf } from "./exception-handlers.js";
import type { ResponsePayload } from "./flush.js";
import { ON_ERROR, ON_REQUEST_ABORT, ON_SEND, ON_TIMEOUT, runHooks } from "./hook-runner.js";
import { commit } from "./reply-steps.js";
import { finishRequest, stopTimer } from "./request-finish.js";
import { JSON_TYPE, toPayload } from "./response-writer.js";
import type { CompiledRoute } from "./route-pipeline.js";
import type { Serializer } from "./serializer.js";
import { isThenable } from "./thenable.js";
import { BodyLimitError } from "./transport.js";

const INTERNAL_ERROR_BODY = JSON.stringify({ detail: reasonPhrase(500) });
const TIMEOUT_BODY = JSON.stringify({ detail: reasonPhrase(503) });

/** The lifecycle's error answer (a StepList's `recover`); never throws. */
export function recoverFromError(route: CompiledRoute, ctx: AnyContext, error: unknown): void {
  void answerError(route, ctx, error);
}

/** A body over the limit answers 413; other errors pass through. */
function asAnswerable(error: unknown): unknown {
  if (error instanceof BodyLimitError)
    return new HTTPException(413, `Request body is larger than ${error.limit} bytes`);
  return error;
}

async function answerError(route: CompiledRoute, ctx: AnyContext, thrown: unknown): Promise<void> {
  stopTimer(ctx);
  const error = asAnswerable(thrown);
  const log = route.host.log;
  const ran = runHooks(route.hooks.onError, ON_ERROR, ctx, error, log);
  if (isThenable(ran)) await ran;
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
      let payload = exceptionPayload(route, ctx, error);
      if (isThenable(payload)) payload = await payload;
      payload = runHooks(route.hooks.onSend, ON_SEND, ctx, payload, log);
      if (isThenable(payload)) payload = await payload;
      const writing = commit(route, ctx, payload as ResponsePayload);
      if (writing !== undefined) await writing;
    }
  } catch (secondError) {
    log.error(
      { err: secondError, reqId: ctx.id, method: ctx.method, path: ctx.path },
      "error while answering an error",
    );
    if (!ctx.responded) commitPlain(route, ctx, 500, INTERNAL_ERROR_BODY);
  }
  finishRequest(route, ctx);
}

/** The exception handler's answer for `error` (or FastAPI's default), as a payload or a promise of one. */
function exceptionPayload(route: CompiledRoute, ctx: AnyContext, error: unknown): unknown {
  const reply = ctx.reply;
  reply.reset();
  const handler = findExceptionHandler(route.exceptionHandlers, error);
  if (handler === undefined) return toPayload(defaultErrorAnswer(error, ctx), reply, undefined);
  reply.status(statusOf(error));
  const value = handler(error, ctx);
  return isThenable(value) ? handled(route, ctx, value) : handledPayload(route, ctx, value);
}

async function handled(
  route: CompiledRoute,
  ctx: AnyContext,
  pending: PromiseLike<unknown>,
): Promise<unknown> {
  return handledPayload(route, ctx, await pending);
}

function handledPayload(route: CompiledRoute, ctx: AnyContext, value: unknown): ResponsePayload {
  const reply = ctx.reply;
  const serializer: Serializer | undefined = route.serializers[reply.statusCode];
  return toPayload(value === reply ? reply.value : value, reply, serializer);
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

/** Step: answers 503 after the route's requestTimeout unless the response went out first. */
export function armTimeout(route: CompiledRoute, ctx: AnyContext): void {
  ctx.requestTimer = setTimeout(answerTimeout, route.requestTimeout, route, ctx);
}

async function answerTimeout(route: CompiledRoute, ctx: AnyContext): Promise<void> {
  ctx.requestTimer = undefined;
  if (ctx.responded) return;
  const ran = runHooks(route.hooks.onTimeout, ON_TIMEOUT, ctx, undefined, route.host.log);
  if (isThenable(ran)) await ran;
  if (!ctx.responded) commitPlain(route, ctx, 503, TIMEOUT_BODY);
}

/** Step: runs the onRequestAbort hooks if the client goes away before the response is complete. */
export function watchAbort(route: CompiledRoute, ctx: AnyContext): void {
  ctx.request.onAbort(
    () => void runHooks(route.hooks.onRequestAbort, ON_REQUEST_ABORT, ctx, undefined, route.host.log),
  );
}
