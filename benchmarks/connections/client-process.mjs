// Starts client.mjs pinned to the load core with a raised open-files limit and speaks its line
// protocol: commands go to its stdin, one JSON event per line comes back on its stdout. Every
// wait has a deadline, so a stuck client fails the suite instead of hanging it.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { withRaisedFdLimit } from "./fd-limit.mjs";

const clientFile = fileURLToPath(new URL("./client.mjs", import.meta.url));

/** @param {{ port: number, connections: number, batch: number, cpu: number }} spec */
export function startClient({ port, connections, batch, cpu }) {
  const command = withRaisedFdLimit(["node", clientFile, String(port), String(connections), String(batch)]);
  const child = spawn("taskset", ["-c", String(cpu), ...command], { stdio: ["pipe", "pipe", "pipe"] });
  const events = [];
  let notify = () => {};
  let stderr = "";
  let pending = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text) => {
    pending += text;
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      events.push(JSON.parse(pending.slice(0, newline)));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
    notify();
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  exited.then(() => notify());
  // A dead client must not take the suite with it through EPIPE on our next command.
  child.stdin.on("error", () => {});

  return {
    /** Waits for the client's next event, which must be `name`; returns its fields. */
    async next(name, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (events.length === 0) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(
            `connections client exited (${child.exitCode ?? child.signalCode}) before "${name}":\n${stderr}`,
          );
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`connections client sent no "${name}" within ${timeoutMs} ms`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          notify = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const event = events.shift();
      if (event.event === "error") throw new Error(`connections client failed: ${event.message}`);
      if (event.event !== name)
        throw new Error(`connections client sent "${event.event}", expected "${name}"`);
      return event;
    },
    send(command) {
      child.stdin.write(`${command}\n`);
    },
    /** Ends the client: closing stdin makes it exit; SIGKILL if it has not after a few seconds. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
