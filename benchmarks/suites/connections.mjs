// `pnpm bench connections`: for each server, 10,000 concurrent keep-alive connections (raw sockets
// from a client process on the load core) each get GET /ping, stay idle for BENCH_HOLD_SEC (30 s),
// get a second GET /ping, then close. Reports drops, the second pass's req/s and latency, and the
// server's RSS growth per idle connection. It does not measure sustained throughput (see http1).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startClient } from "../connections/client-process.mjs";
import { withRaisedFdLimit } from "../connections/fd-limit.mjs";
import { textTable } from "../lib/report.mjs";
import { freePort, rssKiB, startServer } from "../lib/server-process.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const nativeBuilt = existsSync(here("../../packages/http1/native/build/Release"));

function envInteger(name, fallback, min) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(process.env[name])}`);
  }
  return value;
}

const CONNECTIONS = envInteger("BENCH_CONNECTIONS", 10_000, 1);
const HOLD_SEC = envInteger("BENCH_HOLD_SEC", 30, 0);
const BATCH = envInteger("BENCH_CONNECT_BATCH", 500, 1);
// Servers read this (when they support it) to keep idle keep-alive connections past the hold;
// their defaults (5 s for node:http and FasterAPI) would otherwise close every held connection.
const KEEP_ALIVE_TIMEOUT_MS = (HOLD_SEC + 60) * 1000;
const SETTLE_MS = 1000;

const servers = [
  ...(nativeBuilt
    ? [{ name: "FasterAPI native", file: "fasterapi.mjs", env: { FASTERAPI_NATIVE: "1" } }]
    : []),
  { name: "FasterAPI JS", file: "fasterapi.mjs", env: { FASTERAPI_NATIVE: "0" } },
  { name: "Fastify", file: "fastify.mjs", env: {} },
  { name: "node:http", file: "node-http.mjs", env: {} },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One server through warm-up, opening, the idle hold, the second pass and closing. */
async function measure(server, { serverCpu, loadCpu }) {
  const port = await freePort();
  const handle = await startServer({
    command: withRaisedFdLimit(["node", here(`../servers/${server.file}`)]),
    env: { ...server.env, BENCH_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS) },
    cpu: serverCpu,
    port,
  });
  const client = startClient({ port, connections: CONNECTIONS, batch: BATCH, cpu: loadCpu });
  try {
    await client.next("warmed", 60_000);
    await sleep(SETTLE_MS);
    const rssBeforeKiB = await rssKiB(handle.pid);

    client.send("open");
    // Generous: a connection whose SYN is dropped is retried by the kernel after 1 s, 3 s, ...
    const opened = await client.next("opened", 60_000 + CONNECTIONS * 20);
    const rssOpenKiB = await rssKiB(handle.pid);
    await sleep(HOLD_SEC * 1000);
    const rssIdleKiB = await rssKiB(handle.pid);

    client.send("second");
    const second = await client.next("second", 120_000);
    client.send("close");
    const closed = await client.next("closed", 30_000);

    const held = opened.opened - second.droppedDuringHold;
    const dropped = opened.opened - second.answered;
    return {
      requestsPerSec: second.requestsPerSec,
      // JSON carries "no answers at all" as null; the report prints numbers.
      p50Ms: second.p50Ms ?? Number.NaN,
      p99Ms: second.p99Ms ?? Number.NaN,
      // Every connection that was not served twice: never opened, dropped, or answered non-200.
      errors: CONNECTIONS - second.servedTwice,
      connections: CONNECTIONS,
      holdSec: HOLD_SEC,
      opened: opened.opened,
      served: second.servedTwice,
      dropped,
      droppedDuringHold: second.droppedDuringHold,
      firstDropAfterIdleMs: second.firstDropAfterIdleMs,
      failedToOpen: opened.failedToOpen,
      connectRetries: opened.retries,
      non200: closed.non200,
      protocolErrors: closed.protocolErrors,
      openMs: opened.ms,
      rssBeforeKiB,
      rssOpenKiB,
      rssIdleKiB,
      // RSS growth at the end of the hold per held connection; meaningless once the server has
      // dropped some (their memory may or may not have been returned), so none then.
      bytesPerIdleConnection:
        second.droppedDuringHold === 0 && held > 0 ? ((rssIdleKiB - rssBeforeKiB) * 1024) / held : null,
    };
  } finally {
    await client.stop();
    await handle.stop();
  }
}

function extrasTable(byServer) {
  const kib = (v) => (v / 1024).toFixed(1);
  return textTable({
    header: [
      "server",
      "opened",
      "served x2",
      "dropped",
      "retries",
      "open s",
      "RSS before MiB",
      "RSS open MiB",
      "RSS idle MiB",
      "bytes/idle conn",
    ],
    rows: Object.entries(byServer).map(([name, r]) => [
      name,
      String(r.opened),
      String(r.served),
      String(r.dropped),
      String(r.connectRetries),
      (r.openMs / 1000).toFixed(1),
      kib(r.rssBeforeKiB),
      kib(r.rssOpenKiB),
      kib(r.rssIdleKiB),
      r.bytesPerIdleConnection === null ? "n/a" : r.bytesPerIdleConnection.toFixed(0),
    ]),
  });
}

export default {
  title: `${CONNECTIONS} idle keep-alive connections`,
  subjects: ["FasterAPI native", "FasterAPI JS"],
  async run({ serverCpu, loadCpu }) {
    const caseName = `${CONNECTIONS} conns, ${HOLD_SEC}s idle`;
    const byServer = {};
    for (const server of servers) {
      let r;
      try {
        r = await measure(server, { serverCpu, loadCpu });
      } catch (err) {
        // One broken server must not hide the others' numbers; the run still exits non-zero.
        console.error(`${server.name}: failed: ${err instanceof Error ? err.message : err}`);
        process.exitCode = 1;
        continue;
      }
      byServer[server.name] = r;
      const drops =
        r.droppedDuringHold > 0
          ? `, first drop after ${(r.firstDropAfterIdleMs / 1000).toFixed(1)} s idle ` +
            "(does the server read BENCH_KEEP_ALIVE_TIMEOUT_MS?)"
          : "";
      console.log(
        `${server.name.padEnd(18)} opened ${r.opened}  served x2 ${r.served}  dropped ${r.dropped}${drops}  ` +
          `${r.bytesPerIdleConnection === null ? "n/a" : r.bytesPerIdleConnection.toFixed(0)} B/idle conn`,
      );
    }
    console.log(
      `\nConnections held idle for ${HOLD_SEC}s (RSS of the server process; second pass = req/s column)\n`,
    );
    console.log(extrasTable(byServer));
    return { [caseName]: byServer };
  },
};
