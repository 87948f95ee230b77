// Health endpoints for orchestrators and load balancers: liveness (/healthz: the process answers)
// and readiness (/readyz: every registered check passes, e.g. PostgreSQL reachable, and the process
// is not overloaded). While the app drains on close() every request, /readyz included, is answered
// 503 by core, so balancers stop routing here. Optional load shedding answers 503 + Retry-After to
// all other routes under pressure. The routes stay out of the OpenAPI document unless asked.
import type { App } from "./app.js";
import { checkNonNegative } from "./app-options.js";
import type { AnyContext } from "./context.js";
import { HTTPException } from "./errors.js";
import { definePlugin, type Plugin } from "./plugin.js";
import { PressureMonitor, type PressureOptions } from "./pressure.js";

/** A readiness check: resolves (any value) when the dependency is usable, throws or rejects when not. */
export type ReadinessCheck = (app: App) => unknown;

export interface HealthOptions {
  /** Liveness route. Default "/healthz". */
  livenessPath?: string;
  /** Readiness route. Default "/readyz". */
  readinessPath?: string;
  /** Readiness checks by name, run in parallel on every readiness request. */
  checks?: Record<string, ReadinessCheck>;
  /** A check that has not settled after this long counts as failed. Default 2000 ms. */
  checkTimeoutMs?: number;
  /** List the health routes in the OpenAPI document. Default false. */
  includeInSchema?: boolean;
  /** Load shedding thresholds; unset: no shedding. */
  pressure?: PressureOptions;
}

export interface CheckResult {
  status: "ok" | "error";
  error?: string;
}

export interface ReadinessReport {
  status: "ready" | "unavailable";
  checks: Record<string, CheckResult>;
  pressure?: string;
}

async function runCheck(app: App, check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => check(app)), timeout]);
    return { status: "ok" };
  } catch (error) {
    return { status: "error", error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export function health(options: HealthOptions = {}): Plugin<undefined> {
  const livenessPath = options.livenessPath ?? "/healthz";
  const readinessPath = options.readinessPath ?? "/readyz";
  const checks = Object.entries(options.checks ?? {});
  const timeoutMs = options.checkTimeoutMs ?? 2000;
  checkNonNegative("health checkTimeoutMs", options.checkTimeoutMs);
  for (const [name, check] of checks) {
    if (typeof check !== "function") throw new TypeError(`health check "${name}" must be a function`);
  }
  const pressure = options.pressure === undefined ? null : new PressureMonitor(options.pressure);
  const includeInSchema = options.includeInSchema === true;
  return definePlugin(
    (app) => {
      app.get(livenessPath, { includeInSchema, summary: "Liveness" }, () => ({ status: "ok" }));
      app.get(readinessPath, { includeInSchema, summary: "Readiness" }, async (ctx: AnyContext) => {
        const results = await Promise.all(checks.map(([, check]) => runCheck(app, check, timeoutMs)));
        const report: ReadinessReport = {
          status: "ready",
          checks: Object.fromEntries(checks.map(([name], i) => [name, results[i] as CheckResult])),
        };
        if (pressure?.reason != null) report.pressure = pressure.reason;
        if (results.some((r) => r.status === "error") || report.pressure !== undefined) {
          report.status = "unavailable";
          ctx.reply.status(503);
        }
        return report;
      });
      if (pressure === null) return;
      const monitor = pressure;
      const exempt = new Set([
        livenessPath,
        readinessPath,
        ...(options.pressure?.exemptPaths ?? ["/metrics"]),
      ]);
      app.addHook("onReady", () => monitor.start());
      app.addHook("onClose", () => monitor.stop());
      app.addHook("onRequest", (ctx) => {
        if (monitor.reason === null || exempt.has(ctx.path)) return;
        throw new HTTPException(503, undefined, { "retry-after": String(monitor.retryAfterSeconds) });
      });
    },
    { name: "@fasterapi/core/health", global: true },
  );
}
