// `pnpm bench compression`: codec throughput and ratio (zstd 1/3 against `zstd -b1/-b3` on the same
// file, brotli 4, gzip 1/6) on 2 MiB and 20 KiB JSON, then req/s serving 20 KiB JSON compressed:
// FasterAPI (zstd, br, gzip) against Fastify + @fastify/compress (br, gzip).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const faster = () => ["node", here("../servers/fasterapi-compressed.mjs")];
const fastify = () => ["node", here("../servers/fastify-compressed.mjs")];
const accept = (enc) => here(`../wrk/accept-${enc}.lua`);

export default {
  title: "Compression",
  throughputLabel: "req/s or MB/s",
  subjects: [
    "FasterAPI zstd",
    "FasterAPI br",
    "FasterAPI gzip",
    "compression-native L1",
    "compression-native L3",
  ],
  // Codec rows compare our zstd with the CLI at the same level; serving rows compare every pair.
  comparable(caseName, subject, peer) {
    if (!caseName.startsWith("codec")) return true;
    return subject.endsWith(`L${peer.at(-1)}`) && peer.startsWith("zstd CLI");
  },
  run({ serverCpu }) {
    const cases = {};
    for (const [name, size] of [
      ["codec MB/s, 2 MiB JSON", 2 * 1024 * 1024],
      ["codec MB/s, 20 KiB JSON", 20 * 1024],
    ]) {
      const r = spawnSync(
        "taskset",
        [
          "-c",
          String(serverCpu),
          "node",
          here("../compression/codec-bench.mjs"),
          "--json",
          "--size",
          String(size),
        ],
        { encoding: "utf8" },
      );
      if (r.status !== 0) throw new Error(`codec bench failed:\n${r.stderr}`);
      const { rows } = JSON.parse(r.stdout.trim().split("\n").pop());
      cases[name] = {};
      for (const row of rows) {
        // MB/s in the throughput column; the compression ratio rides along in the JSON.
        cases[name][row.label] = {
          requestsPerSec: row.mbps,
          p50Ms: Number.NaN,
          p99Ms: Number.NaN,
          errors: 0,
          ratio: row.ratio,
        };
        console.log(
          `${name.padEnd(26)} ${row.label.padEnd(24)} ${row.mbps.toFixed(1).padStart(8)} MB/s  ratio ${row.ratio.toFixed(2)}`,
        );
      }
    }
    return cases;
  },
  servers: [
    { name: "FasterAPI zstd", command: faster, script: accept("zstd") },
    { name: "FasterAPI br", command: faster, script: accept("br") },
    { name: "FasterAPI gzip", command: faster, script: accept("gzip") },
    { name: "Fastify br", command: fastify, script: accept("br") },
    { name: "Fastify gzip", command: fastify, script: accept("gzip") },
  ],
  cases: [{ name: "serve 20 KiB JSON", path: "/data", connections: 64 }],
};
