// The demo's settings from the environment, checked at startup: a bad value stops it with a
// message naming the variable (PORT=abc -> "Invalid settings: PORT: Expected integer ...").
// DATABASE_URL is read by main.ts itself (unset or empty: an embedded PostgreSQL).
import { Type as t } from "@sinclair/typebox";

export const DemoSettings = t.Object({
  /** PORT */
  port: t.Integer({ minimum: 0, maximum: 65535, default: 8000 }),
  /** WORKERS: above 1, app.run({ workers }) serves the demo from that many workers on one port. */
  workers: t.Integer({ minimum: 1, default: 1 }),
  /** LOG_LEVEL */
  logLevel: t.Union(
    ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((level) => t.Literal(level)),
    { default: "info" },
  ),
});
