// Depends(): FastAPI's dependency injection for route handlers. A dependency is a container token
// or a function of (ctx, ...sub-dependencies); the graph of a route is checked (cycles) and
// flattened into a plan once at ready(), then run per request with per-request caching and
// teardown (returned disposer or generator). It does not own the container; container.ts does.

import { type Container, type Token, tokenName } from "./container.js";
import type { AnyContext } from "./context.js";
import { isThenable } from "./thenable.js";

/** A value returned with a disposer that runs after the response was sent. */
export class Teardown<T> {
  readonly value: T;
  readonly dispose: () => unknown;
  constructor(value: T, dispose: () => unknown) {
    this.value = value;
    this.dispose = dispose;
  }
}

/** Returns `value` to the handler and runs `dispose` after the response (also when the handler throws). */
export function withTeardown<T>(value: T, dispose: () => unknown): Teardown<T> {
  return new Teardown(value, dispose);
}

/** What a dependency function's return value provides to its dependants. */
export type DependencyResult<R> =
  R extends AsyncGenerator<infer Y, unknown, unknown>
    ? Y
    : R extends Generator<infer Y, unknown, unknown>
      ? Y
      : Awaited<R> extends Teardown<infer V>
        ? V
        : Awaited<R>;

/** The resolved values of a list of dependencies, in order. */
export type DependencyValues<D extends readonly Dependency[]> = {
  [K in keyof D]: D[K] extends Dependency<infer V> ? V : never;
};

/** The value a dependency resolves to. */
export type DependencyValue<D> = D extends Dependency<infer V> ? V : never;

type DependencyFunction = (ctx: AnyContext, ...args: any[]) => unknown;

export interface DependsOptions<D extends readonly Dependency[]> {
  /** Sub-dependencies, passed after ctx. A function defers the list (mutually referring modules). */
  deps?: D | (() => readonly Dependency[]);
  /** false: resolve anew at every use instead of once per request. Default true. */
  cache?: boolean;
  /** Name shown in errors; default the function's or token's name. */
  name?: string;
}

export class Dependency<T = unknown> {
  /** The container token or the function. */
  readonly source: Token | DependencyFunction;
  readonly isToken: boolean;
  readonly cache: boolean;
  readonly name: string;
  private readonly subDependencies: readonly Dependency[] | (() => readonly Dependency[]);
  /** Never set: carries the value type for inference. */
  declare readonly __value?: T;

  constructor(
    source: Token | DependencyFunction,
    isToken: boolean,
    options: DependsOptions<readonly Dependency[]>,
  ) {
    this.source = source;
    this.isToken = isToken;
    this.cache = options.cache ?? true;
    this.name = options.name ?? tokenName(source);
    this.subDependencies = options.deps ?? [];
  }

  get deps(): readonly Dependency[] {
    const list = typeof this.subDependencies === "function" ? this.subDependencies() : this.subDependencies;
    for (const d of list) {
      if (!(d instanceof Dependency))
        throw new Error(`Dependency ${this.name} lists something that is not Depends(...)`);
    }
    return list;
  }
}

function isClass(value: unknown): boolean {
  return typeof value === "function" && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

// The function overload comes first: TypeScript fixes an arrow's unannotated parameter types at
// the first overload it tries, so a token overload first would leave `ctx` implicitly `any`.
/** A function of the request context and its resolved sub-dependencies. */
export function Depends<const D extends readonly Dependency[], R>(
  fn: (ctx: AnyContext, ...args: DependencyValues<D>) => R,
  options?: DependsOptions<D>,
): Dependency<DependencyResult<R>>;
/** A container token: resolved through the app's DI container (request-scoped ones once per request). */
export function Depends<T>(token: Token<T>): Dependency<T>;
export function Depends(
  source: Token | DependencyFunction,
  options: DependsOptions<readonly Dependency[]> = {},
) {
  const token = typeof source === "string" || typeof source === "symbol" || isClass(source);
  if (!token && typeof source !== "function") {
    throw new TypeError("Depends() needs a function, a class or a string/symbol container token");
  }
  if (token && options.deps !== undefined) {
    throw new Error(
      `Depends(${tokenName(source)}): a container token takes no deps; the container injects them`,
    );
  }
  return new Dependency(source, token, options);
}

enum NodeKind {
  Function = 0,
  Generator = 1,
  Token = 2,
}

interface PlanNode {
  readonly kind: NodeKind;
  readonly source: Token | DependencyFunction;
  /** Slots of the resolved sub-dependencies, in argument order. */
  readonly args: readonly number[];
}

/** A route's dependency graph flattened in resolution order; built at ready(). */
export interface DependencyPlan {
  readonly nodes: readonly PlanNode[];
  /** Route-level names and the slot holding each value. */
  readonly names: readonly string[];
  readonly slots: readonly number[];
  readonly container: Container;
}

function isGeneratorFunction(fn: unknown): boolean {
  const tag = Object.prototype.toString.call(fn);
  return tag === "[object AsyncGeneratorFunction]" || tag === "[object GeneratorFunction]";
}

/**
 * Flattens `roots` into a plan. `substitute` applies overrideDependency. Throws
 * `dependency cycle: a -> b -> a` when the graph has a cycle.
 */
export function compileDependencyPlan(
  roots: Readonly<Record<string, Dependency>>,
  substitute: (d: Dependency) => Dependency,
  container: Container,
): DependencyPlan {
  const nodes: PlanNode[] = [];
  // Keyed by the function or token, as FastAPI caches by the callable: two Depends(getUser) in
  // different places still run getUser once per request.
  const cachedSlots = new Map<unknown, number>();
  const path: Dependency[] = [];

  const visit = (original: Dependency): number => {
    const dep = substitute(original);
    if (dep.cache) {
      const known = cachedSlots.get(dep.source);
      if (known !== undefined) return known;
    }
    const cycleStart = path.indexOf(dep);
    if (cycleStart !== -1) {
      const names = [...path.slice(cycleStart), dep].map((d) => d.name);
      throw new Error(`dependency cycle: ${names.join(" -> ")}`);
    }
    if (dep.isToken && !container.provides(dep.source as Token)) {
      throw new Error(
        `Depends(${dep.name}): nothing provides this token in the route's scope (app.provide() it)`,
      );
    }
    path.push(dep);
    const args = dep.isToken ? [] : dep.deps.map(visit);
    path.pop();
    const kind = dep.isToken
      ? NodeKind.Token
      : isGeneratorFunction(dep.source)
        ? NodeKind.Generator
        : NodeKind.Function;
    nodes.push({ kind, source: dep.source, args });
    const slot = nodes.length - 1;
    if (dep.cache) cachedSlots.set(dep.source, slot);
    return slot;
  };

  const names = Object.keys(roots);
  const slots = names.map((name) => visit(roots[name] as Dependency));
  return { nodes, names, slots, container };
}

/** Something to release after the response: a withTeardown value or a suspended generator dependency. */
export type Disposable = Teardown<unknown> | AsyncGenerator | Generator;

/** Resolves the plan into `ctx.deps`. Synchronous (returns undefined) while every dependency is. */
export function resolveDependencies(plan: DependencyPlan, ctx: AnyContext): Promise<void> | undefined {
  const values = new Array<unknown>(plan.nodes.length);
  return resolveFrom(plan, ctx, values, 0);
}

function resolveFrom(
  plan: DependencyPlan,
  ctx: AnyContext,
  values: unknown[],
  start: number,
): Promise<void> | undefined {
  const nodes = plan.nodes;
  for (let i = start; i < nodes.length; i++) {
    const node = nodes[i] as PlanNode;
    if (node.kind === NodeKind.Token) {
      values[i] = plan.container.resolveInRequest(node.source as Token, ctx);
      continue;
    }
    const args = node.args;
    const fn = node.source as DependencyFunction;
    let result: unknown;
    if (args.length === 0) result = fn(ctx);
    else if (args.length === 1) result = fn(ctx, values[args[0] as number]);
    else result = fn(ctx, ...args.map((slot) => values[slot]));
    if (node.kind === NodeKind.Generator)
      return finishGenerator(plan, ctx, values, i, result as AsyncGenerator);
    if (isThenable(result)) return finishAsync(plan, ctx, values, i, result);
    values[i] = unwrap(ctx, result);
  }
  publish(plan, ctx, values);
  return undefined;
}

async function finishAsync(
  plan: DependencyPlan,
  ctx: AnyContext,
  values: unknown[],
  index: number,
  pending: PromiseLike<unknown>,
): Promise<void> {
  values[index] = unwrap(ctx, await pending);
  await resolveFrom(plan, ctx, values, index + 1);
}

async function finishGenerator(
  plan: DependencyPlan,
  ctx: AnyContext,
  values: unknown[],
  index: number,
  generator: AsyncGenerator | Generator,
): Promise<void> {
  const first = await generator.next();
  if (first.done === true) throw new Error("A generator dependency must yield its value once");
  // Registered before anything else can fail, so the code after `yield` always runs.
  addTeardown(ctx, generator);
  values[index] = first.value;
  await resolveFrom(plan, ctx, values, index + 1);
}

function unwrap(ctx: AnyContext, result: unknown): unknown {
  if (result instanceof Teardown) {
    addTeardown(ctx, result);
    return result.value;
  }
  return result;
}

function addTeardown(ctx: AnyContext, item: Disposable): void {
  if (ctx.teardowns === null) ctx.teardowns = [item];
  else ctx.teardowns.push(item);
}

function publish(plan: DependencyPlan, ctx: AnyContext, values: unknown[]): void {
  const deps: Record<string, unknown> = {};
  const names = plan.names;
  for (let i = 0; i < names.length; i++) deps[names[i] as string] = values[plan.slots[i] as number];
  ctx.deps = deps;
}

/** Runs the teardowns of a request, last acquired first. Errors go to `onError`, not the client. */
export async function runTeardowns(list: Disposable[], onError: (error: unknown) => void): Promise<void> {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i] as Disposable;
    try {
      if (item instanceof Teardown) await item.dispose();
      else await item.next();
    } catch (error) {
      onError(error);
    }
  }
}
