// `pnpm bench pg`: @fasterapi/pg-pool against node-postgres (named prepared statements) and
// postgres.js, with `pgbench -S -M prepared` as the floor for the lookup round trip. Each client
// runs in its own process pinned to the client core; numbers are ops/s and latency.
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createItemsDatabase, dropDatabase } from "../lib/bench-database.mjs";
import { CLIENTS } from "../pg/clients.mjs";

const DB = `bench_pg_${process.pid}`;
/** Interleaved rounds per case; each participant's median round is reported. */
const ROUNDS = 5;
const workload = fileURLToPath(new URL("../pg/workload.mjs", import.meta.url));
const CASES = [
  "sequential lookup",
  "64 concurrent lookups",
  "decode 10k rows x 4 cols",
  "COPY in 200k rows",
  "acquire+release",
];

function pgbench(url, clients, durationSec, cpu) {
  const u = new URL(url);
  const out = execFileSync(
    "taskset",
    [
      "-c",
      String(cpu),
      "pgbench",
      "-n",
      "-S",
      "-M",
      "prepared",
      "-c",
      String(clients),
      "-j",
      "1",
      "-T",
      String(durationSec),
      "-h",
      u.hostname,
      "-p",
      u.port || "5432",
      "-U",
      u.username || "postgres",
      u.pathname.slice(1),
    ],
    { encoding: "utf8" },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
  const latency = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
  return { requestsPerSec: tps, p50Ms: latency, p99Ms: Number.NaN, errors: 0 };
}

export default {
  title: "PostgreSQL client",
  throughputLabel: "ops/s",
  subjects: ["FasterAPI pg-pool"],
  async run({ loadCpu, durationSec }) {
    const url = await createItemsDatabase(DB);
    const u = new URL(url);
    execFileSync(
      "pgbench",
      ["-i", "-q", "-s", "1", "-h", u.hostname, "-p", u.port || "5432", "-U", u.username || "postgres", DB],
      {
        stdio: "ignore",
      },
    );
    const admin = (await import("pg")).default;
    const c = new admin.Client({ connectionString: url });
    await c.connect();
    await c.query("CREATE UNLOGGED TABLE copy_target (id integer, name text, price float8)");
    await c.end();
    const cases = {};
    const clientRun = (client, caseName, seconds) => {
      const r = spawnSync(
        "taskset",
        ["-c", String(loadCpu), "node", workload, client, caseName, url, String(seconds)],
        {
          encoding: "utf8",
        },
      );
      if (r.status !== 0) throw new Error(`${client} / ${caseName} failed:\n${r.stderr}`);
      return JSON.parse(r.stdout.trim().split("\n").pop());
    };
    const pgbenchClients = { "sequential lookup": 1, "64 concurrent lookups": 64 };
    try {
      for (const caseName of CASES) {
        // Every participant of a case runs ROUNDS times, interleaved, and reports its median round:
        // this VM's loopback latency drifts by tens of percent within minutes, and a single run
        // per client would compare different moments rather than different clients.
        const runners = {};
        for (const client of Object.keys(CLIENTS)) {
          if (caseName.startsWith("COPY") && client === "pg") continue;
          runners[client] = (seconds) => clientRun(client, caseName, seconds);
        }
        const floorClients = pgbenchClients[caseName];
        if (floorClients !== undefined)
          runners["pgbench -S -M prepared"] = (seconds) => pgbench(url, floorClients, seconds, loadCpu);
        const rounds = caseName.startsWith("COPY") ? 1 : ROUNDS;
        const seconds = Math.max(1, Math.round(durationSec / rounds));
        const results = Object.fromEntries(Object.keys(runners).map((name) => [name, []]));
        // The order rotates every round: whoever runs right after pgbench (or after another client)
        // meets a server and a core in a different state, and no participant should always be that one.
        const order = Object.entries(runners);
        for (let round = 0; round < rounds; round++) {
          for (let i = 0; i < order.length; i++) {
            const [name, runner] = order[(i + round) % order.length];
            results[name].push(runner(seconds));
          }
        }
        cases[caseName] = {};
        for (const [name, list] of Object.entries(results)) {
          list.sort((a, b) => a.requestsPerSec - b.requestsPerSec);
          cases[caseName][name] = list[Math.floor(list.length / 2)];
          console.log(
            `${caseName.padEnd(26)} ${name.padEnd(24)} ${cases[caseName][name].requestsPerSec.toFixed(0).padStart(9)} ops/s (median of ${list.length})`,
          );
        }
      }
    } finally {
      await dropDatabase(DB);
    }
    return cases;
  },
};
