// Runs one compiled example as its own Node process, the way a user would run the file, under
// one rule: an example either ends by itself (exit code 0), or it serves HTTP on
// process.env.PORT, in which case it must answer GET /openapi.json with 200 and then stop on
// SIGTERM. Either within the time bound. The runner provides PORT (a free port, never the
// 8000 the READMEs fall back to) and DATABASE_URL; it checks nothing else of the output.
import { spawn } from "node:child_process";
import { request } from "node:http";
import { createServer } from "node:net";

export interface RunOptions {
  readonly cwd: string;
  /** Extra environment, e.g. DATABASE_URL. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface RunOutcome {
  /** "exited" (ended by itself) or "served" (answered /openapi.json, stopped on SIGTERM). */
  readonly how: "exited" | "served";
  readonly output: string;
}

const OUTPUT_LIMIT = 16_384;
const STOP_GRACE_MS = 5_000;

/** A port that was free a moment ago (the example binds it shortly after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** Status of GET /openapi.json on the port, or null while nothing answers. */
function probe(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/openapi.json", timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
    req.end();
  });
}

/** Status of the first answer to GET /openapi.json before `deadline`, or null. */
async function firstAnswer(port: number, deadline: number, stop: AbortSignal): Promise<number | null> {
  while (!stop.aborted && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const status = await probe(port);
    if (status !== null) return status;
  }
  return null;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs `file`; resolves with how it passed, rejects with the reason and its output. */
export async function runExample(file: string, options: RunOptions): Promise<RunOutcome> {
  const port = await freePort();
  const child = spawn(process.execPath, [file], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      ...(process.env.FASTERAPI_NATIVE === undefined
        ? {}
        : { FASTERAPI_NATIVE: process.env.FASTERAPI_NATIVE }),
      PORT: String(port),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer): void => {
    if (output.length < OUTPUT_LIMIT) output += chunk.toString("utf8");
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  // "close", not "exit": it comes after the last output chunk was read.
  const exited = new Promise<Exit>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const fail = (reason: string): Error => new Error(`${reason}\n--- output ---\n${output.trimEnd()}`);

  const stopProbing = new AbortController();
  const first = await Promise.race([
    exited.then((exit) => ({ exit })),
    firstAnswer(port, Date.now() + options.timeoutMs, stopProbing.signal).then((served) => ({ served })),
  ]);
  stopProbing.abort();
  if ("exit" in first) {
    const { code, signal } = first.exit;
    if (code === 0) return { how: "exited", output };
    throw fail(`exited with ${signal ?? `code ${code}`}`);
  }
  const { served } = first;
  if (served === null) {
    child.kill("SIGKILL");
    await exited;
    throw fail(
      `neither ended nor answered GET /openapi.json on PORT ${port} within ${options.timeoutMs} ms ` +
        "(an example that serves must listen on process.env.PORT)",
    );
  }
  child.kill("SIGTERM");
  const stopped = await Promise.race([exited, new Promise<null>((r) => setTimeout(r, STOP_GRACE_MS, null))]);
  if (stopped === null) {
    child.kill("SIGKILL");
    await exited;
    throw fail(`served, but did not stop within ${STOP_GRACE_MS} ms of SIGTERM`);
  }
  if (served !== 200) throw fail(`GET /openapi.json answered ${served}, expected 200`);
  return { how: "served", output };
}
