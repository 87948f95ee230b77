// Runs a load generator pinned to one CPU (taskset) and collects what it prints, stdout and
// stderr together, for the parsers in wrk.mjs, h2load.mjs and suites/http3.mjs. With `timeoutMs`
// a run that hangs is killed and reported as such instead of stalling the benchmark.

import { spawn } from "node:child_process";

/**
 * @param {number} cpu
 * @param {string[]} command the program and its arguments
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<{ code: number | null, output: string, timedOut: boolean }>}
 */
export function runPinned(cpu, command, { timeoutMs } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn("taskset", ["-c", String(cpu), ...command], { stdio: ["ignore", "pipe", "pipe"] });
    let timedOut = false;
    const limit =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, timeoutMs);
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(limit);
      resolve({ code, output, timedOut });
    });
  });
}
