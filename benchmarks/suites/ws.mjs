// `pnpm bench ws`: WebSocket echo (16 connections x 64 messages in flight; 32 B and 16 KiB; with
// and without permessage-deflate), fan-out (1 publisher -> 1,000 subscribers, delivered messages
// per second) and 10,000 idle WebSocket connections (server RSS growth per connection), for
// FasterAPI native (when ws-native is built), FasterAPI on the JS path (ws with bufferutil, which
// @fasterapi/ws installs) and the ws library's server, as `npm i ws` installs it (masking in JS)
// and with bufferutil.
// Echo and fan-out load comes from ../ws/wsload (C++, built on first use), which writes pre-built
// frames and only counts answers; its CPU use is printed per measurement: well under 100% of its
// core means it was not the bottleneck. The idle connections are opened by ../ws/idle-client.mjs.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { withRaisedFdLimit } from "../connections/fd-limit.mjs";
import { textTable } from "../lib/report.mjs";
import { freePort, rssKiB, startServer } from "../lib/server-process.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const nativeBuilt = existsSync(here("../../packages/ws/native/build/Release"));
const IDLE_CONNECTIONS = Number(process.env.BENCH_WS_IDLE_CONNECTIONS ?? 10_000);
const SUBSCRIBERS = Number(process.env.BENCH_WS_SUBSCRIBERS ?? 1000);

const servers = [
  ...(nativeBuilt
    ? [{ name: "FasterAPI native", file: "ws-fasterapi.mjs", env: { FASTERAPI_NATIVE: "1" } }]
    : []),
  { name: "FasterAPI JS", file: "ws-fasterapi.mjs", env: { FASTERAPI_NATIVE: "0" } },
  // This workspace has bufferutil (for FasterAPI JS), so plain ws is told to leave it out.
  { name: "ws", file: "ws-library.mjs", env: { WS_NO_BUFFER_UTIL: "1" } },
  { name: "ws + bufferutil", file: "ws-library.mjs", env: {} },
];

const echoCases = [
  { name: "echo 32 B", size: 32, compress: false },
  { name: "echo 16 KiB", size: 16 * 1024, compress: false },
  { name: "echo 32 B deflate", size: 32, compress: true },
  { name: "echo 16 KiB deflate", size: 16 * 1024, compress: true },
];

/** Runs `command` on the load core; resolves with its last JSON line. */
function loadProcess(command, cpu, onLine = () => {}) {
  const child = spawn("taskset", ["-c", String(cpu), ...withRaisedFdLimit(command)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let last;
  let pending = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text) => {
    pending += text;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
      last = JSON.parse(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      onLine(last, child);
    }
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) =>
      code === 0 ? resolve(last) : reject(new Error(`${command[0]} exited with ${code}`)),
    );
  });
}

/** wsload <mode> with `options` as --name value flags (true: a bare flag). */
function wsload(mode, port, options, cpu) {
  const args = [here("../ws/build/wsload"), mode, "--port", String(port)];
  for (const [name, value] of Object.entries(options)) {
    if (value === true) args.push(`--${name}`);
    else if (value !== false) args.push(`--${name}`, String(value));
  }
  return loadProcess(args, cpu);
}

async function withServer(server, env, cpu, fn) {
  const port = await freePort();
  const handle = await startServer({
    command: withRaisedFdLimit(["node", here(`../servers/${server.file}`)]),
    env: { ...server.env, ...env },
    cpu,
    port,
  });
  try {
    return await fn(port, handle);
  } finally {
    await handle.stop();
  }
}

const asRow = (r) => ({
  requestsPerSec: r.messagesPerSec,
  p50Ms: Number.NaN,
  p99Ms: Number.NaN,
  errors: 0,
  ...r,
});

export default {
  title: "WebSocket",
  throughputLabel: "msg/s",
  subjects: ["FasterAPI native", "FasterAPI JS"],
  async run({ serverCpu, loadCpu, durationSec, addTable }) {
    execFileSync("make", ["-s", "-C", here("../ws")], { stdio: "inherit" });
    const cases = {};
    const timing = { duration: durationSec, warmup: Math.min(3, durationSec) };
    for (const c of echoCases) {
      cases[c.name] = {};
      for (const server of servers) {
        const env = { WS_COMPRESSION: c.compress ? "shared" : "disabled" };
        const r = await withServer(server, env, serverCpu, (port) =>
          wsload(
            "echo",
            port,
            { ...timing, connections: 16, inflight: 64, size: c.size, compress: c.compress },
            loadCpu,
          ),
        );
        cases[c.name][server.name] = asRow(r);
        console.log(
          `${c.name.padEnd(22)} ${server.name.padEnd(18)} ${r.messagesPerSec.toFixed(0).padStart(9)} msg/s  client CPU ${r.clientCpuPercent.toFixed(0)}%`,
        );
      }
    }
    const fanoutName = `fan-out 1 -> ${SUBSCRIBERS}`;
    cases[fanoutName] = {};
    for (const server of servers) {
      const r = await withServer(server, {}, serverCpu, (port) =>
        wsload("fanout", port, { ...timing, subscribers: SUBSCRIBERS, size: 32, window: 16 }, loadCpu),
      );
      cases[fanoutName][server.name] = asRow(r);
      console.log(
        `${fanoutName.padEnd(22)} ${server.name.padEnd(18)} ${r.messagesPerSec.toFixed(0).padStart(9)} delivered/s  client CPU ${r.clientCpuPercent.toFixed(0)}%`,
      );
    }
    const idleRows = [];
    for (const server of servers) {
      await withServer(server, {}, serverCpu, async (port, handle) => {
        const before = await rssKiB(handle.pid);
        let opened;
        let rssOpen;
        const done = loadProcess(
          ["node", here("../ws/idle-client.mjs"), String(port), String(IDLE_CONNECTIONS), "500"],
          loadCpu,
          (line, child) => {
            if (line.opened === undefined) return;
            opened = line;
            setTimeout(async () => {
              rssOpen = await rssKiB(handle.pid);
              child.stdin.write("close\n");
            }, 1000);
          },
        );
        const { alive } = await done;
        const perConnection = ((rssOpen - before) * 1024) / opened.opened;
        idleRows.push([
          server.name,
          String(opened.opened),
          String(opened.failed),
          String(alive),
          (before / 1024).toFixed(1),
          (rssOpen / 1024).toFixed(1),
          perConnection.toFixed(0),
        ]);
      });
    }
    const idle = {
      title: `${IDLE_CONNECTIONS} idle WebSocket connections (server RSS)`,
      header: ["server", "opened", "failed", "alive", "RSS before MiB", "RSS open MiB", "bytes/conn"],
      rows: idleRows,
    };
    console.log(`\n${idle.title}\n`);
    console.log(textTable(idle));
    addTable(idle);
    return cases;
  },
};
