// `pnpm bench scaling`: GET /ping and the CRUD lookup under app.run({ workers: N }) for each N in
// BENCH_WORKERS (default 1,2), server pinned to BENCH_SERVER_CPUS (default "0"), wrk to
// BENCH_LOAD_CPU. Besides req/s it reports CPU time per request (user + system of the server's
// processes, from /proc) and the spread of requests over the workers, also with few long-lived
// connections (SO_REUSEPORT balances connections, not load) and with those connections recycled
// by maxRequestsPerSocket. On a 2-core machine shared with wrk and PostgreSQL real scaling cannot
// show; on a larger one the goal is >= 0.8 * N times the 1-worker req/s up to 8 workers.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createItemsDatabase, dropDatabase } from "../lib/bench-database.mjs";
import { textTable } from "../lib/report.mjs";
import { freePort, startServer } from "../lib/server-process.mjs";
import { runWrk } from "../lib/wrk.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const DB = `bench_scaling_${process.pid}`;
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? "1,2").split(",").map(Number);
if (!WORKER_COUNTS.every((n) => Number.isInteger(n) && n >= 1)) {
  throw new Error(
    `BENCH_WORKERS must be a comma-separated list of integers >= 1, got ${process.env.BENCH_WORKERS}`,
  );
}
const SERVER_CPUS = process.env.BENCH_SERVER_CPUS ?? process.env.BENCH_SERVER_CPU ?? "0";
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const RECYCLE_AFTER = 1000;
const CLOCK_TICKS_PER_SEC = 100; // USER_HZ on Linux

const cases = [
  { name: "GET /ping c=64", path: "/ping", connections: 64 },
  { name: "GET /ping c=4", path: "/ping", connections: 4 },
  { name: "GET /ping c=4 recycled", path: "/ping", connections: 4, recycle: true },
  { name: "GET /items/:id c=64", path: "/items/1", connections: 64, script: here("../wrk/random-item.lua") },
];

/** The server's process and all its descendants (cluster workers), from /proc. */
function processTree(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    for (const task of readdirSync(`/proc/${pids[i]}/task`)) {
      const children = readFileSync(`/proc/${pids[i]}/task/${task}/children`, "utf8").trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    }
  }
  return pids;
}

/** User + system CPU seconds of the server's processes (threads included). */
function cpuSeconds(pid) {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const stat = readFileSync(`/proc/${p}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  }
  return ticks / CLOCK_TICKS_PER_SEC;
}

/** Requests served so far by each listening worker (fresh stats from every worker). */
async function workerRequests(port) {
  const response = await fetch(`http://127.0.0.1:${port}/__workers`);
  if (!response.ok) return [];
  const stats = await response.json();
  return stats.workers.filter((w) => w.stats !== null).map((w) => w.stats.requests.total);
}

const env = {};

export default {
  title: "Scaling: app.run({ workers: N })",
  subjects: WORKER_COUNTS.slice(1).map((n) => `${n} workers`),
  async setup() {
    env.BENCH_DATABASE_URL = await createItemsDatabase(DB);
  },
  async teardown() {
    await dropDatabase(DB);
  },
  async run({ loadCpu, durationSec }) {
    const results = {};
    const details = [];
    for (const c of cases) {
      results[c.name] = {};
      for (const n of WORKER_COUNTS) {
        const label = n === 1 ? "1 worker" : `${n} workers`;
        const port = await freePort();
        const handle = await startServer({
          command: ["node", here("../servers/fasterapi-workers.mjs")],
          env: {
            ...env,
            BENCH_WORKERS_N: String(n),
            BENCH_MAX_REQUESTS_PER_SOCKET: String(c.recycle ? RECYCLE_AFTER : 0),
          },
          cpu: SERVER_CPUS,
          port,
        });
        try {
          const wrk = {
            url: `http://127.0.0.1:${port}${c.path}`,
            connections: c.connections,
            script: c.script,
            cpu: loadCpu,
          };
          // Every worker must be up (the port opens with the first one).
          while ((await workerRequests(port).catch(() => [])).length < n)
            await new Promise((r) => setTimeout(r, 100));
          await runWrk({ ...wrk, durationSec: WARMUP });
          const before = await workerRequests(port);
          const cpuBefore = cpuSeconds(handle.pid);
          const result = await runWrk({ ...wrk, durationSec });
          const cpu = cpuSeconds(handle.pid) - cpuBefore;
          const after = await workerRequests(port);
          const perWorker = after.map((total, i) => total - (before[i] ?? 0));
          const served = perWorker.reduce((a, b) => a + b, 0);
          const spread = perWorker.map((r) => (served ? r / served : 0));
          results[c.name][label] = {
            ...result,
            cpuUsPerRequest: (cpu / result.requests) * 1e6,
            perWorker,
            spread,
          };
          const single = results[c.name]["1 worker"];
          details.push([
            c.name,
            label,
            result.requestsPerSec.toFixed(0),
            // The goal on a machine with a core per worker: >= 0.8.
            single ? (result.requestsPerSec / single.requestsPerSec / n).toFixed(2) : "-",
            ((cpu / result.requests) * 1e6).toFixed(1),
            spread.map((s) => `${(s * 100).toFixed(0)}%`).join(" / "),
          ]);
          console.log(
            `${c.name.padEnd(26)} ${label.padEnd(10)} ${result.requestsPerSec.toFixed(0).padStart(8)} req/s`,
          );
        } finally {
          await handle.stop();
        }
      }
    }
    console.log(
      `\nCPU time per request and spread over workers (server CPUs ${SERVER_CPUS}, load CPU ${loadCpu})\n`,
    );
    console.log(
      textTable({
        header: ["case", "workers", "req/s", "req/s ÷ (N × 1 worker)", "CPU µs/req", "requests per worker"],
        rows: details,
      }),
    );
    return results;
  },
};
