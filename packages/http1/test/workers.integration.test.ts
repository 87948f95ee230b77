// app.run({ workers }) end to end: a child process runs test/fixtures/workers-app.mjs as the
// primary, its workers re-run the module, and real HTTP clients talk to them. Worker threads are
// the native path (SO_REUSEPORT), cluster processes the node:http path.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PgPool } from "@fasterapi/pg-pool";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import {
  freePort,
  getJson,
  startWorkersApp,
  stopWorkersApp,
  type WorkersProcess,
} from "./fixtures/workers-process.js";

let app: WorkersProcess | undefined;
afterEach(async () => {
  await stopWorkersApp(app);
  app = undefined;
});

interface Row {
  id: number;
  kind: string;
  restarts: number;
  pid: number;
  collected: Record<string, unknown>;
  stats: { requests: { total: number }; bus: { received: number; messages: string[] } } | null;
}
interface Merged {
  requests: { total: number };
  transports: { http1: { requests: number } };
  workers: Row[];
}

/** Fresh connections until every worker id in `ids` has answered; returns who answered how often. */
async function reachWorkers(port: number, ids: number[]): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  for (let i = 0; i < 200 && !ids.every((id) => seen.has(id)); i++) {
    const { body } = await getJson(port, "/whoami");
    seen.set(body.worker as number, (seen.get(body.worker as number) ?? 0) + 1);
  }
  return seen;
}

/** Finds a connection that lands on worker `id` and asks that worker to exit with code 3. */
async function crashWorker(port: number, id: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      if ((await getJson(port, "/whoami", agent)).body.worker === id)
        return (await getJson(port, "/crash", agent)).body.crashing === id;
    } finally {
      agent.destroy();
    }
  }
  return false;
}

async function clusterStats(port: number): Promise<Merged> {
  return (await getJson(port, "/cluster-stats")).body as unknown as Merged;
}

const modes = [
  { name: "worker threads on the native transport", env: { NATIVE: "1" }, kind: "thread" },
  { name: "cluster processes on the node:http path", env: { NATIVE: "0" }, kind: "process" },
] as const;

describe.each(modes)("app.run({ workers: 2 }) with $name", ({ env, kind }) => {
  it("serves from both workers on one port, merges their stats and relays the bus to every worker", async () => {
    app = await startWorkersApp({ ...env, WORKERS: "2" });
    const seen = await reachWorkers(app.port, [0, 1]);
    expect([...seen.keys()].sort()).toEqual([0, 1]);
    expect((await getJson(app.port, "/whoami")).body.kind).toBe(kind);

    const published = await getJson(app.port, "/publish?text=hello");
    expect(published.body.published).toBe("hello");
    let stats = await clusterStats(app.port);
    for (let i = 0; i < 50 && !stats.workers.every((w) => w.stats?.bus.received === 2); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stats = await clusterStats(app.port);
    }
    for (const row of stats.workers) {
      expect(row.kind).toBe(kind);
      expect(row.collected.identity).toEqual({ worker: row.id, pid: row.pid });
      expect(row.stats?.bus.messages).toEqual(["hello", "bytes:010203"]);
    }
    const rowTotal = stats.workers.reduce((sum, w) => sum + (w.stats?.requests.total ?? 0), 0);
    expect(stats.requests.total).toBe(rowTotal);
    expect(stats.requests.total).toBeGreaterThanOrEqual([...seen.values()].reduce((a, b) => a + b, 0) + 2);
    expect(stats.transports.http1.requests).toBeGreaterThanOrEqual(stats.requests.total);
  });

  it("SIGTERM drains the requests in flight on every worker, then the primary exits 0", async () => {
    app = await startWorkersApp({ ...env, WORKERS: "2", SLOW_MS: "800" });
    await reachWorkers(app.port, [0, 1]);
    const slow = Array.from({ length: 6 }, () => getJson(app!.port, "/slow"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    app.child.kill("SIGTERM");
    const answers = await Promise.all(slow);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.worker)).size).toBeGreaterThan(0);
    expect(await app.exited).toBe(0);
    await expect(getJson(app.port, "/whoami")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("SIGTERM under load loses no request a worker had read: every one is answered and the answer arrives", async () => {
    app = await startWorkersApp({ ...env, WORKERS: "2" });
    let completed = 0;
    const clients = Array.from({ length: 16 }, async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (;;) {
          await getJson(app!.port, "/whoami", agent);
          completed++;
        }
      } catch (error) {
        // The client's next request after the drain began: refused, or the idle connection closed unread.
        return (error as NodeJS.ErrnoException).code;
      } finally {
        agent.destroy();
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    app.child.kill("SIGTERM");
    const endings = await Promise.all(clients);
    expect(await app.exited).toBe(0);
    const final = await app.waitForLine((l) => "exit" in l);
    expect(completed).toBeGreaterThan(100);
    expect(final.answered).toBe(final.read);
    expect(final.answered).toBe(completed);
    for (const code of endings) expect(["ECONNREFUSED", "ECONNRESET"]).toContain(code);
  });
});

describe("app.run() supervision", () => {
  it("replaces a crashed worker with backoff while the other worker's connections keep serving", async () => {
    app = await startWorkersApp({ NATIVE: "1", WORKERS: "2" });
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await getJson(app.port, "/whoami", keepAlive);
      const survivor = first.body.worker as number;
      const victim = 1 - survivor;
      for (let crash = 1; crash <= 2; crash++) {
        expect(await crashWorker(app.port, victim)).toBe(true);
        const died = await app.waitForLine(
          (l) =>
            l.msg === "worker died; restarting it" && l.worker === victim && l.consecutiveFailures === crash,
        );
        // Doubling from initialDelayMs (50 ms in the fixture).
        expect(died.restartInMs).toBe(50 * 2 ** (crash - 1));
        expect(died.reason).toBe("exit code 3");
        await app.waitForLine(
          (l) => l.msg === "worker replaced" && l.worker === victim && l.restarts === crash,
        );
        // The survivor's kept-alive connection was not disturbed.
        const again = await getJson(app.port, "/whoami", keepAlive);
        expect(again.body.worker).toBe(survivor);
        expect(again.localPort).toBe(first.localPort);
      }
      const stats = await clusterStats(app.port);
      expect(stats.workers.find((w) => w.id === victim)?.restarts).toBe(2);
      expect(stats.workers.find((w) => w.id === survivor)?.restarts).toBe(0);
      expect((await reachWorkers(app.port, [0, 1])).size).toBe(2);
    } finally {
      keepAlive.destroy();
    }
  });

  it("keeps retrying a replacement that cannot start, with the delay doubling each time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fa-workers-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const failures = join(dir, "start-failures");
    app = await startWorkersApp({ NATIVE: "1", WORKERS: "2", START_FAILURES_FILE: failures });
    writeFileSync(failures, "2");
    expect(await crashWorker(app.port, 0)).toBe(true);
    const deaths: Record<string, unknown>[] = [];
    for (let failure = 1; failure <= 3; failure++) {
      deaths.push(
        await app.waitForLine(
          (l) =>
            l.msg === "worker died; restarting it" && l.worker === 0 && l.consecutiveFailures === failure,
        ),
      );
    }
    expect(deaths.map((d) => d.restartInMs)).toEqual([50, 100, 200]);
    expect(deaths.map((d) => d.reason)).toEqual([
      "exit code 3",
      "uncaught Error: refusing to start (test)",
      "uncaught Error: refusing to start (test)",
    ]);
    await app.waitForLine((l) => l.msg === "worker replaced" && l.worker === 0 && l.restarts === 3);
    expect((await reachWorkers(app.port, [0, 1])).size).toBe(2);
  });

  it("a second signal exits at once without waiting for the drain", async () => {
    app = await startWorkersApp({ NATIVE: "1", WORKERS: "2", SLOW_MS: "20000" });
    const slow = getJson(app.port, "/slow").catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    app.child.kill("SIGTERM");
    await app.waitForLine(
      (l) => l.msg === "shutting down: draining in-flight requests (a second signal exits at once)",
    );
    // An echo of the first signal (a terminal's Ctrl-C reaches the whole group) is not a second one.
    app.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(app.child.exitCode).toBe(null);
    app.child.kill("SIGINT");
    expect(await app.exited).toBe(130);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await slow).toBeInstanceOf(Error);
  });

  it("fails the start with the worker's error when a worker cannot listen", async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      await expect(startWorkersApp({ NATIVE: "1", WORKERS: "2" }, port)).rejects.toThrow(
        /worker 0 failed to start: .*EADDRINUSE/,
      );
    } finally {
      blocker.close();
    }
  });

  it('refuses threads for the node:http path when mode is "threads"', async () => {
    await expect(startWorkersApp({ NATIVE: "0", WORKERS: "2", RUN_MODE: "threads" })).rejects.toThrow(
      /cannot share a port between worker threads/,
    );
  });
});

describe("app.run() with pg({ max })", () => {
  const server = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `fa_workers_${process.pid}`;

  it("gives each worker its shard of max, so the app never holds more than max connections", async () => {
    const admin = new PgPool({ url: server, max: 1 });
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(server);
      url.pathname = `/${name}`;
      app = await startWorkersApp({ NATIVE: "1", WORKERS: "2", PG_URL: url.toString(), PG_MAX: "5" });
      // Enough concurrent queries on fresh connections to exhaust both workers' pools.
      const load = Array.from({ length: 40 }, () => getJson(app!.port, "/pg-sleep"));
      let peak = 0;
      for (let i = 0; i < 8; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const row = await admin.one<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1",
          [name],
        );
        peak = Math.max(peak, row.n);
      }
      const answers = await Promise.all(load);
      expect(new Set(answers.map((a) => a.body.worker))).toEqual(new Set([0, 1]));
      expect(peak).toBeGreaterThan(2);
      expect(peak).toBeLessThanOrEqual(5);
      const stats = await clusterStats(app.port);
      const shards = stats.workers.map((w) => (w.stats as unknown as { pool: { max: number } }).pool.max);
      expect(shards).toEqual([3, 2]);
      expect((stats as unknown as { pool: { max: number } }).pool.max).toBe(5);
    } finally {
      await stopWorkersApp(app);
      app = undefined;
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
