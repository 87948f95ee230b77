// Starts one benchmark server as a child process pinned to the server core and waits until
// its port accepts connections; stops it afterwards. Servers take their port from PORT.
import { spawn } from "node:child_process";
import { portAccepts } from "../../tooling/test-support/loopback-port.mjs";

export { freePort } from "../../tooling/test-support/loopback-port.mjs";

/**
 * @param {{ command: string[], env?: Record<string,string>, cpu: number, port: number, cwd?: string }} spec
 */
export async function startServer({ command, env = {}, cpu, port, cwd }) {
  const child = spawn("taskset", ["-c", String(cpu), ...command], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${command.join(" ")} exited early:\n${stderr}`);
    if (await portAccepts(port)) {
      return {
        pid: child.pid,
        stop: () =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 3000).unref();
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`${command.join(" ")} did not open port ${port}:\n${stderr}`);
}

/** Resident memory of a process in KiB, from /proc. */
export async function rssKiB(pid) {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
}
