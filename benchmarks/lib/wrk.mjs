// Runs wrk (pinned to the load-generator core) and parses its report into numbers.
// Latency percentiles come from wrk's own --latency distribution; nothing here times anything itself.
import { runPinned } from "./pinned-run.mjs";

/** @typedef {{ requestsPerSec: number, p50Ms: number, p99Ms: number, requests: number, errors: number }} WrkResult */

function toMs(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return Number.NaN;
  const value = Number(m[1]);
  return { us: value / 1000, ms: value, s: value * 1000, m: value * 60_000 }[m[2]];
}

/** Parses wrk's text report. Exported for the harness's own test. */
export function parseWrkOutput(out) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  const total = /(\d+) requests in/.exec(out);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (!rps || !p50 || !p99) throw new Error(`could not parse wrk output:\n${out}`);
  const errors =
    (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0) +
    (non2xx ? Number(non2xx[1]) : 0);
  return {
    requestsPerSec: Number(rps[1]),
    p50Ms: toMs(p50[1]),
    p99Ms: toMs(p99[1]),
    requests: total ? Number(total[1]) : 0,
    errors,
  };
}

/**
 * @param {{ url: string, connections: number, durationSec: number, script?: string, cpu: number, threads?: number }} opts
 * @returns {Promise<WrkResult>}
 */
export async function runWrk({ url, connections, durationSec, script, cpu, threads = 1 }) {
  const args = [
    "wrk",
    "-t",
    String(threads),
    "-c",
    String(connections),
    "-d",
    `${durationSec}s`,
    "--latency",
  ];
  if (script) args.push("-s", script);
  args.push(url);
  const { code, output } = await runPinned(cpu, args);
  if (code !== 0) throw new Error(`wrk exited ${code}:\n${output}`);
  return parseWrkOutput(output);
}
