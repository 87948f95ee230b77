// `pnpm bench http2`: FasterAPI over HTTP/2 (native module when built, node:http2 path) against
// node:http2, Fastify with http2: true and nginx (one worker), with h2load: h2c and TLS, -c16 -m32
// and -c64 -m100, on /ping and a 20 KiB JSON document, and -c4 -m4 on a 1 MiB download (the
// figure HTTP/3 is compared with). Measures itself (h2load, not wrk). The Node peers do the same
// work: each serialises the same objects per request (node:http2 with JSON.stringify) and sends
// the same 1 MiB Buffer; nginx serves files.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runH2load } from "../lib/h2load.mjs";
import { makeJson } from "../lib/json-payload.mjs";
import { nginxHttp2Command } from "../lib/nginx.mjs";
import { freePort, startServer } from "../lib/server-process.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const node = (file) => () => ["node", here(`../servers/${file}`)];
// At least a second: TLS handshakes of 64 connections must finish before h2load starts counting.
const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP ?? 3));

const nativeBuilt = existsSync(here("../../packages/http2/native/build/Release"));
const subjects = [
  ...(nativeBuilt
    ? [{ name: "FasterAPI native", command: node("fasterapi-http2.mjs"), env: { FASTERAPI_NATIVE: "1" } }]
    : []),
  { name: "FasterAPI JS", command: node("fasterapi-http2.mjs"), env: { FASTERAPI_NATIVE: "0" } },
];

const loads = [
  { name: "-c16 -m32", connections: 16, streams: 32 },
  { name: "-c64 -m100", connections: 64, streams: 100 },
];
const paths = [
  { name: "ping", path: "/ping", loads },
  { name: "json 20KiB", path: "/json", loads },
  // 16 MiB in flight per round, like http3's download case.
  { name: "1MiB download", path: "/1mb", loads: [{ name: "-c4 -m4", connections: 4, streams: 4 }] },
];

let dir;
let files;

export default {
  title: "HTTP/2",
  subjects: subjects.map((s) => s.name),
  setup() {
    dir = mkdtempSync(join(tmpdir(), "fasterapi-bench-h2-"));
    files = {
      key: join(dir, "key.pem"),
      cert: join(dir, "cert.pem"),
      json: join(dir, "doc.json"),
      download: join(dir, "1mb.bin"),
    };
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1"].concat([
        "-keyout",
        files.key,
        "-out",
        files.cert,
      ]),
      { stdio: "ignore" },
    );
    writeFileSync(files.json, makeJson(20 * 1024));
    writeFileSync(files.download, Buffer.alloc(1024 * 1024, 0x61));
    // nginx's worker runs as an unprivileged user and must read the document.
    chmodSync(dir, 0o755);
    chmodSync(files.json, 0o644);
    chmodSync(files.download, 0o644);
  },
  teardown() {
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
  async run({ serverCpu, loadCpu, durationSec }) {
    const cases = {};
    for (const tls of [false, true]) {
      const tlsEnv = tls ? { BENCH_TLS_KEY: files.key, BENCH_TLS_CERT: files.cert } : {};
      const servers = [
        ...subjects.map((s) => ({ ...s, env: { ...s.env, ...tlsEnv } })),
        { name: "node:http2", command: node("node-http2.mjs"), env: tlsEnv },
        { name: "Fastify", command: node("fastify-http2.mjs"), env: tlsEnv },
        {
          name: "nginx",
          command: (port) =>
            nginxHttp2Command(port, {
              jsonFile: files.json,
              downloadFile: files.download,
              tls: tls ? files : undefined,
            }),
        },
      ];
      for (const { name: pathName, path, loads: pathLoads } of paths) {
        for (const load of pathLoads) {
          const caseName = `${tls ? "TLS" : "h2c"} ${pathName} ${load.name}`;
          cases[caseName] = {};
          for (const server of servers) {
            const port = await freePort();
            const handle = await startServer({
              command: server.command(port),
              env: server.env,
              cpu: serverCpu,
              port,
            });
            try {
              const url = `${tls ? "https" : "http"}://127.0.0.1:${port}${path}`;
              const result = await runH2load({ url, ...load, durationSec, warmupSec: WARMUP, cpu: loadCpu });
              cases[caseName][server.name] = result;
              console.log(
                `${caseName.padEnd(28)} ${server.name.padEnd(18)} ${result.requestsPerSec.toFixed(0).padStart(8)} req/s  p99 ${result.p99Ms.toFixed(2)} ms  errors ${result.errors}`,
              );
            } catch (error) {
              // A measurement h2load could not finish is left out of the table, and said so.
              console.error(
                `${caseName.padEnd(28)} ${server.name.padEnd(18)} no result: ${error.message.split("\n")[0]}`,
              );
            } finally {
              await handle.stop();
            }
          }
        }
      }
    }
    return cases;
  },
};
