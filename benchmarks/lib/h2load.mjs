// Runs h2load (pinned to the load-generator core) for a fixed time and reads its report: requests
// per second from h2load's own summary, p50/p99 from its per-request log (--log-file), so no
// latency is timed here. Exported parser for the harness's own checks.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPinned } from "./pinned-run.mjs";

/** Parses h2load's text summary. */
export function parseH2loadOutput(out) {
  const rps = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out);
  const counts =
    /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
  if (!rps || !counts) throw new Error(`could not parse h2load output:\n${out}`);
  return {
    requestsPerSec: Number(rps[1]),
    requests: Number(counts[2]),
    errors: Number(counts[4]) + Number(counts[5]),
  };
}

/** p50 and p99 in ms from h2load's log: one line per request, "start-µs\tstatus\tlatency-µs". */
export function percentilesFromLog(text) {
  const latencies = text
    .split("\n")
    .filter(Boolean)
    .map((line) => Number(line.split("\t")[2]))
    .sort((a, b) => a - b);
  const at = (q) =>
    latencies.length === 0
      ? Number.NaN
      : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] / 1000;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

/**
 * @param {{ url: string, connections: number, streams: number, durationSec: number, warmupSec?: number, cpu: number }} opts
 */
export async function runH2load({ url, connections, streams, durationSec, warmupSec = 0, cpu }) {
  const dir = mkdtempSync(join(tmpdir(), "fasterapi-h2load-"));
  const log = join(dir, "requests.log");
  const args = ["h2load", "-t", "1", "-c", String(connections), "-m", String(streams)];
  args.push("-D", String(durationSec), "--log-file", log);
  if (warmupSec > 0) args.push("--warm-up-time", String(warmupSec));
  args.push(url);
  try {
    // h2load can wait forever on connections that never finished their handshake: bound the run.
    const { output, timedOut } = await runPinned(cpu, args, {
      timeoutMs: (durationSec + warmupSec + 30) * 1000,
    });
    if (timedOut) throw new Error("h2load did not finish (some connections never closed) and was stopped");
    const summary = parseH2loadOutput(output);
    // No request completed in the measured time: a ratio against it would mean nothing.
    if (summary.requests === 0) throw new Error("no request completed during the measurement");
    return { ...summary, ...percentilesFromLog(readFileSync(log, "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
