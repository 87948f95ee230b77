// Hook names, their signatures and the per-scope lists that hold them, with Fastify's names and
// order. Request hooks are collected per route (root scope first) when the route is compiled;
// application hooks (onReady, onListen, onClose) are app-wide. hook-runner.ts runs a request hook list.
import type { AnyContext } from "./context.js";
import type { ResponsePayload } from "./flush.js";

type MaybePromise<T> = T | Promise<T>;

export type RequestHook = (ctx: AnyContext) => MaybePromise<void>;
/** "Keep the value": `void` lets a hook with no return statement type-check. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing must be accepted
type Unchanged = undefined | void;

export type PreParsingHook = (
  ctx: AnyContext,
  payload: AsyncIterable<Buffer>,
) => MaybePromise<AsyncIterable<Buffer> | Unchanged>;
export type PreSerializationHook = (ctx: AnyContext, value: unknown) => MaybePromise<unknown>;
export type OnSendHook = (
  ctx: AnyContext,
  payload: ResponsePayload,
) => MaybePromise<ResponsePayload | Unchanged>;
export type OnErrorHook = (ctx: AnyContext, error: unknown) => MaybePromise<void>;
export type AppHook = () => MaybePromise<void>;

export interface RequestHookMap {
  onRequest: RequestHook;
  preParsing: PreParsingHook;
  preValidation: RequestHook;
  preHandler: RequestHook;
  preSerialization: PreSerializationHook;
  onSend: OnSendHook;
  onResponse: RequestHook;
  onError: OnErrorHook;
  /** The handler did not finish within `requestTimeout`; a 503 is sent after these run. */
  onTimeout: RequestHook;
  /** The client went away before the response was complete. */
  onRequestAbort: RequestHook;
}

export interface AppHookMap {
  onReady: AppHook;
  onListen: AppHook;
  onClose: AppHook;
}

export type HookName = keyof RequestHookMap | keyof AppHookMap;
export type HookFunction<N extends HookName> = N extends keyof RequestHookMap
  ? RequestHookMap[N]
  : N extends keyof AppHookMap
    ? AppHookMap[N]
    : never;

export type RequestHookLists = { [N in keyof RequestHookMap]: RequestHookMap[N][] };

const REQUEST_HOOKS: readonly (keyof RequestHookMap)[] = [
  "onRequest",
  "preParsing",
  "preValidation",
  "preHandler",
  "preSerialization",
  "onSend",
  "onResponse",
  "onError",
  "onTimeout",
  "onRequestAbort",
];

export function isRequestHook(name: string): name is keyof RequestHookMap {
  return (REQUEST_HOOKS as readonly string[]).includes(name);
}

export function emptyRequestHooks(): RequestHookLists {
  return {
    onRequest: [],
    preParsing: [],
    preValidation: [],
    preHandler: [],
    preSerialization: [],
    onSend: [],
    onResponse: [],
    onError: [],
    onTimeout: [],
    onRequestAbort: [],
  };
}

/** The hooks a route runs: those of every scope from the root down to the route's own. */
export function concatRequestHooks(chain: readonly RequestHookLists[]): RequestHookLists {
  const merged = emptyRequestHooks();
  for (const name of REQUEST_HOOKS) {
    const target = merged[name] as unknown[];
    for (const lists of chain) target.push(...lists[name]);
  }
  return merged;
}
