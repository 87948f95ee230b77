#!/usr/bin/env node
// Measures that SIGTERM under load loses no accepted request: starts a server command, drives it
// with wrk, sends SIGTERM part-way through, and counts both sides. The client side is wrk's
// completed responses and socket errors; the server side is what the server reports when it exits.
// A request is lost when the server read it but never answered it, or answered it but the client
// never got the answer: so `answered === completed` and `read === answered` must both hold.
//
// Server contract (any process tree, one worker or many):
//   - print one JSON line {"port": <number>} on stdout once it accepts connections;
//   - on exit print one JSON line {"exit": <code>, "read": <requests parsed>, "answered": <responses sent>}.
// See packages/http1/test/fixtures/shutdown-server.mjs.
//
// CLI: node tooling/scripts/sigterm-under-load.mjs [--connections 32] [--seconds 3] [--signal-after 1000] -- node server.mjs
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** Parses wrk's summary: completed responses, non-2xx/3xx answers and socket errors. */
export function parseWrk(output) {
  const completed = /(\d+) requests in /.exec(output);
  if (completed === null) throw new Error(`unexpected wrk output:\n${output}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  return {
    completed: Number(completed[1]),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    errors: {
      connect: Number(errors?.[1] ?? 0),
      read: Number(errors?.[2] ?? 0),
      write: Number(errors?.[3] ?? 0),
      timeout: Number(errors?.[4] ?? 0),
    },
  };
}

function collect(child) {
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, output }));
  });
}

/**
 * Runs one measurement; resolves with { client, server, lost, exitCode }. `path` is the URL path wrk
 * requests. Bounded: the server must exit within `seconds` + `exitTimeoutMs`.
 */
export async function measureSigtermUnderLoad({
  command,
  args = [],
  env = process.env,
  connections = 32,
  threads = 2,
  seconds = 3,
  signalAfterMs = 1000,
  path = "/",
  exitTimeoutMs = 15_000,
}) {
  const server = spawn(command, args, { env, stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: server.stdout });
  const exited = new Promise((resolve) => server.on("exit", (code, signal) => resolve({ code, signal })));
  let report = null;
  const port = await new Promise((resolve, reject) => {
    server.on("error", reject);
    exited.then(() => reject(new Error('the server exited before it printed {"port"}')));
    lines.on("line", (line) => {
      if (!line.startsWith("{")) return;
      const message = JSON.parse(line);
      if (typeof message.port === "number") resolve(message.port);
      if (typeof message.exit === "number") report = message;
    });
  });
  const wrk = spawn(
    "wrk",
    [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--latency", `http://127.0.0.1:${port}${path}`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const wrkDone = collect(wrk);
  const signalTimer = setTimeout(() => server.kill("SIGTERM"), signalAfterMs);
  const killTimer = setTimeout(() => server.kill("SIGKILL"), seconds * 1000 + exitTimeoutMs);
  const [{ output }, { code, signal }] = await Promise.all([wrkDone, exited]);
  clearTimeout(signalTimer);
  clearTimeout(killTimer);
  if (report === null)
    throw new Error(`the server exited (code ${code}, signal ${signal}) without its report line`);
  const client = parseWrk(output);
  const lost = Math.max(0, report.read - report.answered) + Math.abs(report.answered - client.completed);
  return { client, server: report, lost, exitCode: code };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const split = argv.indexOf("--");
  if (split === -1 || split === argv.length - 1) {
    console.error(
      "usage: sigterm-under-load.mjs [--connections N] [--seconds S] [--signal-after MS] -- <server command...>",
    );
    process.exit(2);
  }
  const flags = argv.slice(0, split);
  const flag = (name, fallback) => {
    const i = flags.indexOf(name);
    return i === -1 ? fallback : Number(flags[i + 1]);
  };
  const [command, ...args] = argv.slice(split + 1);
  const result = await measureSigtermUnderLoad({
    command,
    args,
    connections: flag("--connections", 32),
    seconds: flag("--seconds", 3),
    signalAfterMs: flag("--signal-after", 1000),
  });
  console.log(JSON.stringify(result, null, 2));
  process.exit(result.lost === 0 && result.exitCode === 0 ? 0 : 1);
}
