// Onion middleware (`app.use(async (ctx, next) => { ...; await next(); ... })`), Koa style. The
// onion wraps body parsing, validation, dependencies and the handler; onRequest hooks run before
// it, serialization, onSend and the transport write after it. It does not catch errors: they
// propagate outwards through each middleware's `await next()` to the pipeline.
import type { AnyContext } from "./context.js";

export type Next = () => Promise<void>;
export type Middleware = (ctx: AnyContext, next: Next) => unknown;

/** Composes `middleware` around `inner` into one function; composed once per route at ready(). */
export function composeMiddleware(
  middleware: readonly Middleware[],
  inner: (ctx: AnyContext) => unknown,
): (ctx: AnyContext) => Promise<void> {
  return (ctx) => {
    let last = -1;
    const dispatch = async (index: number): Promise<void> => {
      if (index <= last) throw new Error("next() called more than once in one middleware");
      last = index;
      if (index === middleware.length) {
        await inner(ctx);
        return;
      }
      await (middleware[index] as Middleware)(ctx, () => dispatch(index + 1));
    };
    return dispatch(0);
  };
}
