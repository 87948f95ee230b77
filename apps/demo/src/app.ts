// Builds the demo application: HTTP/1.1 transport, PostgreSQL pool, compression, health
// (/healthz, /readyz), Prometheus metrics (/metrics), request ids, routes, and migrations at
// startup. main.ts decides where PostgreSQL comes from.

import { compression } from "@fasterapi/compression";
import { App, health, type LoggerSetting, requestId } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { metrics } from "@fasterapi/metrics";
import { PgPool, pg, pgReady } from "@fasterapi/pg-pool";
import { itemsRouter } from "./items-router.js";
import { migrate } from "./migrations.js";
import { serviceRouter } from "./service-router.js";

export interface DemoOptions {
  databaseUrl: string;
  port: number;
  host?: string;
  logger?: LoggerSetting;
}

export function buildApp({ databaseUrl, port, host = "0.0.0.0", logger = true }: DemoOptions): App {
  const app = new App({
    title: "FasterAPI demo: items",
    version: "1.0.0",
    description: "A FastAPI-style CRUD service on PostgreSQL.",
    logger,
  });
  app.register(http1({ port, host }));
  app.register(pg({ url: databaseUrl, max: 10 }));
  app.register(compression());
  // metrics first: its hooks then see every answer, also those later plugins' hooks give early.
  app.register(metrics());
  app.register(requestId());
  app.register(health({ checks: { postgres: pgReady } }));
  app.onEvent("startup", async () => {
    const ran = await migrate(app.resolve(PgPool));
    if (ran.length) app.log.info({ migrations: ran }, "applied migrations");
  });
  app.include(serviceRouter());
  app.include(itemsRouter());
  return app;
}
