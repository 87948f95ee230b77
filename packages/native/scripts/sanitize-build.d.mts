// Types of sanitize-build.mjs for the sanitizer tests that import it (test files are type-checked).

/** The engine package's directory (its own addon is one that tests usually need too). */
export declare const engineDir: string;

/** Path of `addon` (e.g. "fasterapi_engine") built with sanitizers in package `dir`; builds it if stale. */
export declare function buildSanitized(dir: string, addon: string): string;

/** Runs `vitest run ...vitestArgs` with the sanitizer runtimes preloaded; returns status and output. */
export declare function runSanitizedVitest(
  addons: readonly string[],
  vitestArgs: readonly string[],
): { status: number | null; output: string };
