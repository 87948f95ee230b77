// Telling a promise from a plain value, so synchronous hooks, dependencies and handlers are
// never awaited (an `await` on a non-promise still costs a microtask turn).

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function"
  );
}
