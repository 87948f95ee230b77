// FasterAPI integration: `app.register(pg({ url }))` creates one PgPool when the app gets ready, provides
// it as the container token PgPool (`Depends(PgPool)`), reports pool.stats() under app.stats().pool
// and ends the pool on app.close(). `Depends(pgConnection)` lends one connection per request.
// Under app.run({ workers }) each worker gets its shard: `max` (default 10) split across the workers.
import { type App, definePlugin, type Plugin, workerShare } from "@fasterapi/core";
import { PgPool, type PoolOptions } from "./pool.js";
import type { PooledConnection } from "./pooled-connection.js";

/** The pool options; `url` is typically process.env.DATABASE_URL. `max` is for the whole app, split across workers. */
export type PgPluginOptions = PoolOptions;

const DEFAULT_MAX = 10;

export function pg(options: PgPluginOptions = {}): Plugin<undefined> {
  return definePlugin(
    (app) => {
      const max = options.max ?? DEFAULT_MAX;
      // A bad max is left for PgPool to reject with its own message.
      const shard = Number.isInteger(max) && max >= 1 ? workerShare(max) : max;
      const pool = new PgPool({ ...options, max: shard });
      app.provide(PgPool, { useValue: pool });
      app.addStatsSource("pool", () => pool.stats());
      app.addHook("onClose", () => pool.end());
    },
    { name: "@fasterapi/pg-pool", global: true },
  );
}

/** Readiness check for core's health plugin: the pool answers `SELECT 1` (`health({ checks: { postgres: pgReady } })`). */
export async function pgReady(app: App): Promise<void> {
  await app.resolve(PgPool).query("SELECT 1");
}

/**
 * Request-scoped dependency: one connection borrowed for the request (e.g. several statements that must
 * see the same session), released after the response was sent, also when the handler throws.
 */
export async function* pgConnection(ctx: {
  readonly app: App;
}): AsyncGenerator<PooledConnection, void, unknown> {
  const connection = await ctx.app.resolve(PgPool).acquire();
  try {
    yield connection;
  } finally {
    connection.release();
  }
}
