// Runs one list of request hooks in order, the same way for every hook kind: synchronously while
// each hook returns a plain value, from the first thenable on in one async continuation. A policy
// says what a hook's return value means and what its error does. When a list runs is the
// lifecycle steps' business, not this module's.
import type { AnyContext } from "./context.js";
import type { Logger } from "./logger.js";
import { isThenable } from "./thenable.js";

/**
 * A hook as the runner calls it: the context, then the value its kind hands along (if any). `any`
 * because each kind types that parameter its own way, and parameters are checked contravariantly.
 */
export type AnyHook = (ctx: AnyContext, value: any) => unknown;

export interface HookPolicy {
  /** The hook kind, for the log line of an isolated failure. */
  readonly name: string;
  /** A return value other than undefined replaces the value handed to the next hook (and returned). */
  readonly chains: boolean;
  /** Stop once a hook answered through ctx.reply.send() (the hooks before the handler). */
  readonly stopsWhenAnswered: boolean;
  /** A failing hook is logged and the next one runs (hooks after the fact); else its error propagates. */
  readonly isolated: boolean;
}

function policy(name: string, chains: boolean, stopsWhenAnswered: boolean, isolated: boolean): HookPolicy {
  return { name, chains, stopsWhenAnswered, isolated };
}

/** onRequest, preValidation, preHandler: may answer early; an error answers the request. */
export const BEFORE_HANDLER = policy("request", false, true, false);
export const PRE_PARSING = policy("preParsing", true, false, false);
export const PRE_SERIALIZATION = policy("preSerialization", true, false, false);
export const ON_SEND = policy("onSend", true, false, false);
export const ON_ERROR = policy("onError", false, false, true);
export const ON_TIMEOUT = policy("onTimeout", false, false, true);
export const ON_REQUEST_ABORT = policy("onRequestAbort", false, false, true);
export const ON_RESPONSE = policy("onResponse", false, false, true);

/**
 * Runs `hooks` (from index `at`) on `value`; returns the final value (the initial one unless the
 * policy chains), or a promise of it once a hook returned a thenable. Throws (or rejects) with a
 * hook's error unless the policy isolates failures.
 */
export function runHooks(
  hooks: readonly AnyHook[],
  rule: HookPolicy,
  ctx: AnyContext,
  value: unknown,
  log: Logger,
  at = 0,
): unknown {
  let current = value;
  for (let i = at; i < hooks.length; i++) {
    let result: unknown;
    try {
      result = (hooks[i] as AnyHook)(ctx, current);
    } catch (error) {
      if (!rule.isolated) throw error;
      logFailure(rule, ctx, error, log);
      continue;
    }
    if (isThenable(result)) return resumeAfter(hooks, rule, ctx, current, log, i, result);
    if (rule.chains && result !== undefined) current = result;
    if (rule.stopsWhenAnswered && ctx.reply.answered) break;
  }
  return current;
}

/** Waits for the hook at `at`, then runs the rest (synchronously again until the next thenable). */
async function resumeAfter(
  hooks: readonly AnyHook[],
  rule: HookPolicy,
  ctx: AnyContext,
  value: unknown,
  log: Logger,
  at: number,
  pending: PromiseLike<unknown>,
): Promise<unknown> {
  let result: unknown;
  try {
    result = await pending;
  } catch (error) {
    if (!rule.isolated) throw error;
    logFailure(rule, ctx, error, log);
  }
  const current = rule.chains && result !== undefined ? result : value;
  if (rule.stopsWhenAnswered && ctx.reply.answered) return current;
  return runHooks(hooks, rule, ctx, current, log, at + 1);
}

function logFailure(rule: HookPolicy, ctx: AnyContext, error: unknown, log: Logger): void {
  log.error({ err: error, reqId: ctx.id }, `${rule.name} hook failed`);
}
