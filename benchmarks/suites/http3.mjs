// `pnpm bench http3`: FasterAPI's HTTP/3 (measured with benchmarks/h3load, our ngtcp2 + nghttp3
// load generator: Debian's h2load has no HTTP/3) against the same app's HTTP/1.1 over TLS on the
// native engine (wrk), on /ping and a 1 MiB download; server on the server CPU, load on the load
// CPU. The target peer is HTTP/2 over TLS: add it here once @fasterapi/http2 is merged.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSelfSignedCert } from "../../tooling/test-support/self-signed-cert.mjs";
import { runPinned } from "../lib/pinned-run.mjs";
import { freePort, startServer } from "../lib/server-process.mjs";
import { runWrk } from "../lib/wrk.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const H3 = "FasterAPI h3";
const TLS1 = "FasterAPI http/1.1 TLS";

/** Runs h3load pinned to `cpu`; resolves with its JSON line. */
async function runH3load({ port, path, connections, streams, durationSec, warmupSec, cpu }) {
  const args = [here("../h3load/build/h3load"), "--port", String(port), "--path", path];
  args.push("--connections", String(connections), "--streams", String(streams));
  args.push("--duration", String(durationSec), "--warmup", String(warmupSec));
  const { code, output } = await runPinned(cpu, args);
  if (code !== 0) throw new Error(`h3load exited ${code}:\n${output}`);
  return JSON.parse(output.trim().split("\n").at(-1));
}

const cases = [
  { name: "ping", path: "/ping", h3: { connections: 8, streams: 16 }, wrkConnections: 64 },
  { name: "1 MiB download", path: "/1mb", h3: { connections: 4, streams: 4 }, wrkConnections: 16 },
];

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
        const h3 = await runH3load({ port, path: c.path, ...c.h3, durationSec, warmupSec: 3, cpu: loadCpu });
        const common = {
          url: `https://127.0.0.1:${port}${c.path}`,
          connections: c.wrkConnections,
          cpu: loadCpu,
        };
        await runWrk({ ...common, durationSec: 3 });
        const tls1 = await runWrk({ ...common, durationSec });
        results[c.name] = { [H3]: h3, [TLS1]: tls1 };
        for (const [name, r] of Object.entries(results[c.name])) {
          console.log(
            `${c.name.padEnd(16)} ${name.padEnd(24)} ${r.requestsPerSec.toFixed(0).padStart(8)} req/s  p99 ${r.p99Ms.toFixed(2)} ms`,
          );
        }
      }
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return results;
  },
};
