// The options `new App(options)` takes, and their validation (a bad value is a clear startup
// error, not a misbehaving server). Defaults are applied where each option is used.
import type { DocsOptions } from "./docs-routes.js";
import type { LoggerSetting } from "./logger.js";
import type { OpenApiComponents } from "./openapi.js";

export interface AppOptions {
  /** OpenAPI info. */
  title?: string;
  version?: string;
  description?: string;
  /** false: silent; true: info level; pino options; or a pino logger. Default: silent under tests, else info. */
  logger?: LoggerSetting;
  /** Log one line per response (id, method, path, status, duration) when the logger is enabled. Default true. */
  logRequests?: boolean;
  /** Raw request body limit in bytes (413 beyond). Default 1 MiB. */
  bodyLimit?: number;
  /** How long close() waits for in-flight requests. Default 10 s. */
  closeGraceMs?: number;
  /** Answer 503 (after onTimeout hooks) when a request takes longer than this many ms. Default 0: no limit. */
  requestTimeout?: number;
  /** Serve /openapi.json and /docs. Default true. */
  docs?: boolean | DocsOptions;
  /** Extra OpenAPI components (securitySchemes, shared schemas). */
  openapiComponents?: OpenApiComponents;
}

/** Throws a RangeError naming `name` unless `value` is undefined or a finite number >= 0. */
export function checkNonNegative(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`${name} must be a non-negative number, got ${String(value)}`);
  }
}

export function checkOptions(options: AppOptions): void {
  if (options === null || typeof options !== "object")
    throw new TypeError("new App(options): options must be an object");
  checkNonNegative("bodyLimit", options.bodyLimit);
  checkNonNegative("closeGraceMs", options.closeGraceMs);
  checkNonNegative("requestTimeout", options.requestTimeout);
}
