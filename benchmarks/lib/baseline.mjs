// Before/after in one run: with BENCH_BASELINE=<path of another built checkout of this repository>,
// a suite also measures that checkout's FasterAPI servers as peers, named "<name> (baseline)", so the
// ratio table shows this tree against the baseline under the same machine conditions.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const root = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined;
if (root !== undefined && !existsSync(join(root, "benchmarks", "servers"))) {
  throw new Error(`BENCH_BASELINE=${root} is not a checkout of this repository`);
}

/** Baseline copies of `servers` (entries of a suite's server list), or none without BENCH_BASELINE. */
export function baselineServers(servers) {
  if (root === undefined) return [];
  return servers.map((server) => ({
    ...server,
    name: `${server.name} (baseline)`,
    command: (port) => {
      const [program, script, ...rest] = server.command(port);
      return [program, join(root, "benchmarks", "servers", script.split("/").pop()), ...rest];
    },
  }));
}

/** The baseline checkout's copy of a workspace package entry point, e.g. "pg-pool". */
export function baselinePackage(name) {
  return root === undefined ? undefined : join(root, "packages", name, "dist", "index.js");
}

/** The short commit id of the BENCH_BASELINE checkout, or undefined without one. */
export function baselineCommit() {
  if (root === undefined) return undefined;
  return execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
}
