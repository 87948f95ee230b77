// Turns a thrown error into the answer: a handler registered with setExceptionHandler for the
// error's class (or the nearest parent class), else FastAPI's defaults: HTTPException ->
// {"detail": ...} with its headers, RequestValidationError -> 422 {"detail": issues}, anything
// else -> 500 {"detail": "Internal Server Error"} with one log line and no stack in the body.
import type { AnyContext } from "./context.js";
import { HTTPException, RequestValidationError } from "./errors.js";

/** Returns the body of the answer; set the status with ctx.reply.status() (default: the error's or 500). */
export type ExceptionHandler<E = Error> = (error: E, ctx: AnyContext) => unknown;

export type ErrorClass<E = Error> = abstract new (...args: any[]) => E;

export type ExceptionHandlerMap = ReadonlyMap<ErrorClass<unknown>, ExceptionHandler<unknown>>;

/** The handler for `error`'s class, walking up its prototype chain; undefined when none applies. */
export function findExceptionHandler(
  handlers: ExceptionHandlerMap,
  error: unknown,
): ExceptionHandler<unknown> | undefined {
  if (handlers.size === 0 || error === null || typeof error !== "object") return undefined;
  for (let proto = Object.getPrototypeOf(error); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const handler = handlers.get(proto.constructor as ErrorClass<unknown>);
    if (handler !== undefined) return handler;
  }
  return undefined;
}

/** The status an error answers with before any handler changes it. */
export function statusOf(error: unknown): number {
  if (error instanceof HTTPException) return error.status;
  if (error instanceof RequestValidationError) return 422;
  return 500;
}

/** FastAPI's default answer; sets status and headers on ctx.reply and returns the body. */
export function defaultErrorAnswer(error: unknown, ctx: AnyContext): unknown {
  if (error instanceof HTTPException) {
    ctx.reply.status(error.status);
    if (error.headers !== undefined) {
      for (const [name, value] of Object.entries(error.headers)) ctx.reply.header(name, value);
    }
    return { detail: error.detail };
  }
  if (error instanceof RequestValidationError) {
    ctx.reply.status(422);
    return { detail: error.issues };
  }
  ctx.reply.status(500);
  ctx.app.log.error(
    { err: error, reqId: ctx.id, method: ctx.method, path: ctx.path },
    "unhandled error while answering a request",
  );
  return { detail: "Internal Server Error" };
}
