// A Node script run as a child process until it says it is ready (a `{"ready":` line on stdout or
// stderr), for tests that drive a real primary with its workers. Rejects with the script's output
// if it exits first; killChild() stops it.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export async function startUntilReady(script: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const started = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('{"ready":')) resolve();
    };
    started.stdout?.on("data", onData);
    started.stderr?.on("data", onData);
    started.once("exit", (code) => reject(new Error(`${script} exited (${code}) before ready:\n${output}`)));
  });
  return started;
}

/** Kills `child` (SIGKILL) unless it already exited; resolves once it has. */
export async function killChild(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}
