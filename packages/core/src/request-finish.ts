// The end of a request's lifecycle, after its response went to the transport: the timeout timer is
// stopped, dependency teardowns and onResponse hooks run (their failures are only logged), and the
// request stops counting as in flight. A request without either finishes synchronously.
import type { AnyContext } from "./context.js";
import { runTeardowns } from "./depends.js";
import { ON_RESPONSE, runHooks } from "./hook-runner.js";
import type { CompiledRoute } from "./route-pipeline.js";
import { isThenable } from "./thenable.js";

/** Stops the requestTimeout timer, if the route armed one. */
export function stopTimer(ctx: AnyContext): void {
  if (ctx.requestTimer === undefined) return;
  clearTimeout(ctx.requestTimer);
  ctx.requestTimer = undefined;
}

/** The lifecycle's last act, once the answer is committed (or the error answer is). */
export function finishRequest(route: CompiledRoute, ctx: AnyContext): void {
  stopTimer(ctx);
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
  const ran = runHooks(route.hooks.onResponse, ON_RESPONSE, ctx, undefined, log);
  if (isThenable(ran)) await ran;
  route.host.requestFinished(ctx);
}
