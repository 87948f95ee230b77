// Runs a list of lifecycle steps compiled for one route (route-pipeline.ts). Each step receives
// what the step before it produced. The runner stays synchronous while steps return plain values
// and awaits only a thenable, so a route whose steps are all synchronous runs without a promise.
// It knows no step by name: what a request goes through is decided when the route is compiled.
import type { AnyContext } from "./context.js";
import type { CompiledRoute } from "./route-pipeline.js";
import { isThenable } from "./thenable.js";

/** One step of the lifecycle; returns the next step's input, or a thenable of it. */
export type Step = (route: CompiledRoute, ctx: AnyContext, input: unknown) => unknown;

export interface StepList {
  readonly steps: readonly Step[];
  /** Where the list goes on when a step before this index answered through ctx.reply.send(). */
  readonly answeredAt: number;
  /** Takes the error a step threw (the request's error answer); null lets it propagate to the caller. */
  readonly recover: ((route: CompiledRoute, ctx: AnyContext, error: unknown) => void) | null;
  /** Runs once the steps are done (or skipped because the response already went out). */
  readonly complete: ((route: CompiledRoute, ctx: AnyContext) => void) | null;
}

/** The step after `at`: none once the response went out (a timeout answered), the answer point after an early answer. */
function nextStep(list: StepList, ctx: AnyContext, at: number): number {
  if (ctx.responded) return list.steps.length;
  return at < list.answeredAt && ctx.reply.answered ? list.answeredAt : at + 1;
}

/**
 * Runs the steps of `list` from index `at`. Returns undefined when they all ran synchronously, else
 * a promise of the rest; without `recover` it throws (or rejects with) a step's error.
 */
export function runSteps(
  route: CompiledRoute,
  list: StepList,
  ctx: AnyContext,
  at: number,
  input: unknown,
): Promise<void> | undefined {
  const steps = list.steps;
  let value = input;
  try {
    for (let i = at; i < steps.length; i = nextStep(list, ctx, i)) {
      value = (steps[i] as Step)(route, ctx, value);
      if (isThenable(value)) return resumeSteps(route, list, ctx, i, value);
    }
  } catch (error) {
    if (list.recover === null) throw error;
    list.recover(route, ctx, error);
    return undefined;
  }
  list.complete?.(route, ctx);
  return undefined;
}

/** Waits for the step at `at`, then runs the rest synchronously again until the next thenable. */
async function resumeSteps(
  route: CompiledRoute,
  list: StepList,
  ctx: AnyContext,
  at: number,
  pending: PromiseLike<unknown>,
): Promise<void> {
  let value: unknown;
  try {
    value = await pending;
  } catch (error) {
    if (list.recover === null) throw error;
    list.recover(route, ctx, error);
    return;
  }
  const rest = runSteps(route, list, ctx, nextStep(list, ctx, at), value);
  if (rest !== undefined) await rest;
}
