// The lifecycle steps from the value on ctx.reply to the transport: preSerialization hooks,
// serialization by the status's compiled schema, onSend hooks and the one commit to the sink.
// Error answers reuse the onSend-and-commit part (error-answers.ts). Framing is the transport's.
import type { AnyContext } from "./context.js";
import type { ResponsePayload } from "./flush.js";
import { ON_SEND, PRE_SERIALIZATION, runHooks } from "./hook-runner.js";
import { isJsonValue, toPayload, writeResponse } from "./response-writer.js";
import type { CompiledRoute } from "./route-pipeline.js";
import { isThenable } from "./thenable.js";

/** preSerialization hooks see (and may replace) values that will be serialized as JSON. */
export function preSerialize(route: CompiledRoute, ctx: AnyContext): Promise<void> | undefined {
  const reply = ctx.reply;
  if (!isJsonValue(reply.value)) return undefined;
  const value = runHooks(route.hooks.preSerialization, PRE_SERIALIZATION, ctx, reply.value, route.host.log);
  if (isThenable(value)) return keepValue(ctx, value);
  reply.value = value;
  return undefined;
}

async function keepValue(ctx: AnyContext, pending: PromiseLike<unknown>): Promise<void> {
  ctx.reply.value = await pending;
}

export function serialize(route: CompiledRoute, ctx: AnyContext): ResponsePayload {
  const reply = ctx.reply;
  return toPayload(reply.value, reply, route.serializers[reply.statusCode]);
}

/** onSend hooks may replace the payload (compression does); returns it or a promise of it. */
export function onSendHooks(route: CompiledRoute, ctx: AnyContext, payload: unknown): unknown {
  return runHooks(route.hooks.onSend, ON_SEND, ctx, payload, route.host.log);
}

export function commitPayload(
  route: CompiledRoute,
  ctx: AnyContext,
  payload: unknown,
): Promise<void> | undefined {
  return commit(route, ctx, payload as ResponsePayload);
}

/** Hands the payload to the transport once per request; later attempts (after a timeout) are ignored. */
export function commit(
  route: CompiledRoute,
  ctx: AnyContext,
  payload: ResponsePayload,
): Promise<void> | undefined {
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
