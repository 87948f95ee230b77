// `pnpm bench http3`: one FasterAPI process serving HTTP/3 and HTTP/2 over TLS (native module) on
// the same port number; HTTP/3 measured with benchmarks/h3load (our ngtcp2 + nghttp3 load
// generator: Debian's h2load has no HTTP/3), HTTP/2 with h2load, at the same connections x
// streams, on /ping and a 1 MiB download; server on the server CPU, load on the load CPU, the two
// protocols interleaved round by round. Each result carries the CPU use of the server process over
// the measured period (near 100%: the server is the limit, not the load generator), its CPU time
// per request (the protocols' cost, steady even on a shared machine) and h3load's own CPU use.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSelfSignedCert } from "../../tooling/test-support/self-signed-cert.mjs";
import { runH2load } from "../lib/h2load.mjs";
import { runPinned } from "../lib/pinned-run.mjs";
import { freePort, startServer } from "../lib/server-process.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const H3 = "FasterAPI h3";
const H2 = "FasterAPI h2 TLS";
const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP ?? 3));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const CLOCK_TICKS = 100; // USER_HZ of /proc/<pid>/stat on Linux

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Runs `load`, sampling the server's CPU over the measured period (after the warm-up). */
async function withServerCpu(pid, durationSec, load) {
  let from;
  let to;
  const start = setTimeout(() => {
    from = cpuSeconds(pid);
  }, WARMUP * 1000);
  const stop = setTimeout(
    () => {
      to = cpuSeconds(pid);
    },
    (WARMUP + durationSec) * 1000,
  );
  try {
    const result = await load();
    const used = from !== undefined && to !== undefined ? to - from : Number.NaN;
    // CPU per request compares the protocols' cost even when other processes share the core.
    return {
      ...result,
      serverCpuPercent: (used / durationSec) * 100,
      serverCpuUsPerRequest: (used * 1e6) / result.requests,
    };
  } finally {
    clearTimeout(start);
    clearTimeout(stop);
  }
}

/** Runs h3load pinned to `cpu`; resolves with its JSON line. */
async function runH3load({ port, path, connections, streams, durationSec, cpu }) {
  const args = [here("../h3load/build/h3load"), "--port", String(port), "--path", path];
  args.push("--connections", String(connections), "--streams", String(streams));
  args.push("--duration", String(durationSec), "--warmup", String(WARMUP));
  const { code, output } = await runPinned(cpu, args);
  if (code !== 0) throw new Error(`h3load exited ${code}:\n${output}`);
  return JSON.parse(output.trim().split("\n").at(-1));
}

// The same requests in flight for both protocols: connections x streams per connection.
const cases = [
  { name: "ping -c8 -m16", path: "/ping", connections: 8, streams: 16 },
  { name: "ping -c32 -m16", path: "/ping", connections: 32, streams: 16 },
  { name: "1 MiB download -c4 -m4", path: "/1mb", connections: 4, streams: 4 },
];

/** The run with the most requests per second. */
const best = (runs) => runs.reduce((a, b) => (b.requestsPerSec > a.requestsPerSec ? b : a));

export default {
  title: "HTTP/3",
  subjects: [H3],
  async run({ serverCpu, loadCpu, durationSec }) {
    execFileSync("make", ["-s", "-C", here("../h3load")], { stdio: "inherit" });
    const dir = mkdtempSync(join(tmpdir(), "fasterapi-bench-h3-"));
    const { keyPath: key, certPath: cert } = writeSelfSignedCert(dir, {
      commonName: "127.0.0.1",
      altNames: "IP:127.0.0.1",
      days: 2,
    });
    const port = await freePort();
    const server = await startServer({
      command: ["node", here("../servers/fasterapi-h3.mjs")],
      env: { FASTERAPI_NATIVE: "1", BENCH_TLS_KEY: key, BENCH_TLS_CERT: cert },
      cpu: serverCpu,
      port,
    });
    const results = {};
    try {
      for (const c of cases) {
        const runs = { [H3]: [], [H2]: [] };
        for (let round = 0; round < ROUNDS; round++) {
          const load = { connections: c.connections, streams: c.streams, durationSec, cpu: loadCpu };
          runs[H3].push(
            await withServerCpu(server.pid, durationSec, () => runH3load({ port, path: c.path, ...load })),
          );
          const url = `https://127.0.0.1:${port}${c.path}`;
          runs[H2].push(
            await withServerCpu(server.pid, durationSec, () =>
              runH2load({ url, ...load, warmupSec: WARMUP }),
            ),
          );
        }
        results[c.name] = { [H3]: best(runs[H3]), [H2]: best(runs[H2]) };
        for (const [name, r] of Object.entries(results[c.name])) {
          const load = r.cpuPercent === undefined ? "" : `  h3load CPU ${r.cpuPercent.toFixed(0)}%`;
          console.log(
            `${c.name.padEnd(24)} ${name.padEnd(18)} ${r.requestsPerSec.toFixed(0).padStart(8)} req/s  p99 ${r.p99Ms.toFixed(2)} ms  server CPU ${r.serverCpuPercent.toFixed(0)}%, ${r.serverCpuUsPerRequest.toFixed(1)} µs/req${load}`,
          );
        }
        const [h3, h2] = [results[c.name][H3], results[c.name][H2]];
        const cost = h2.serverCpuUsPerRequest / h3.serverCpuUsPerRequest;
        console.log(
          `${c.name.padEnd(24)} h3 / h2 TLS: ${(h3.requestsPerSec / h2.requestsPerSec).toFixed(2)}x req/s, ${cost.toFixed(2)}x requests per server CPU second`,
        );
      }
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return results;
  },
};
