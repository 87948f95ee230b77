// Which socket a session runs on once authenticated: the C++ engine's (adopted from the
// handshake's net.Socket) or the net.Socket itself. Observed from outside: Node's own TCP or
// pipe handles are what `process.getActiveResourcesInfo()` lists, and an adopted session leaves
// none behind. The rest of this package's suite runs under both (see vitest.config.mjs).
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { PgPool } from "@fasterapi/pg-pool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./fixtures/database.js";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase("session_socket");
});

afterAll(async () => {
  await db?.drop();
});

function nodeHandles(kind: "TCPSocketWrap" | "PipeWrap"): number {
  return process.getActiveResourcesInfo().filter((name) => name === kind).length;
}

/** Opens `connections` sessions at once and returns how many Node handles of `kind` they added. */
async function handlesAdded(
  options: ConstructorParameters<typeof PgPool>[0],
  kind: "TCPSocketWrap" | "PipeWrap",
  connections = 3,
): Promise<number> {
  const before = nodeHandles(kind);
  const pool = new PgPool({ ...options, max: connections });
  try {
    const held = await Promise.all(Array.from({ length: connections }, () => pool.acquire()));
    const pids = await Promise.all(held.map((c) => c.one<{ pid: number }>("SELECT pg_backend_pid() AS pid")));
    expect(new Set(pids.map((r) => r.pid)).size).toBe(connections);
    for (const c of held) c.release();
    return nodeHandles(kind) - before;
  } finally {
    await pool.end();
  }
}

describe("session sockets", () => {
  it("hands authenticated TCP sessions to the engine, leaving no Node socket behind", async () => {
    expect(await handlesAdded({ url: db.url, native: true }, "TCPSocketWrap")).toBe(0);
  });

  it("keeps them on net.Socket with native: false", async () => {
    expect(await handlesAdded({ url: db.url, native: false }, "TCPSocketWrap")).toBe(3);
  });

  it("follows FASTERAPI_NATIVE=0 when the option is not set", async () => {
    const saved = process.env.FASTERAPI_NATIVE;
    process.env.FASTERAPI_NATIVE = "0";
    try {
      expect(await handlesAdded({ url: db.url }, "TCPSocketWrap")).toBe(3);
    } finally {
      if (saved === undefined) delete process.env.FASTERAPI_NATIVE;
      else process.env.FASTERAPI_NATIVE = saved;
    }
  });

  it("counts open sessions by socket in stats().sessionSockets", async () => {
    for (const native of [true, false]) {
      const pool = new PgPool({ url: db.url, max: 2, native });
      try {
        const held = await Promise.all([pool.acquire(), pool.acquire()]);
        for (const c of held) c.release();
        expect(pool.stats().sessionSockets).toEqual(native ? { native: 2, js: 0 } : { native: 0, js: 2 });
      } finally {
        await pool.end();
      }
      expect(pool.stats().sessionSockets).toEqual({ native: 0, js: 0 });
    }
  });

  it("adopts Unix-socket sessions too", async () => {
    const url = new URL(db.url);
    const options = {
      host: "/var/run/postgresql",
      port: Number(url.port || 5432),
      user: url.username,
      database: db.name,
    };
    expect(await handlesAdded({ ...options, native: true }, "PipeWrap")).toBe(0);
    expect(await handlesAdded({ ...options, native: false }, "PipeWrap")).toBe(3);
  });

  it("carries results far larger than one read or slab, and closes cleanly on pool.end()", async () => {
    const pool = new PgPool({ url: db.url, max: 1, native: true });
    try {
      const { rows } = await pool.query<{ n: number; s: string }>(
        "SELECT n, repeat(chr(65 + n % 26), 1000) AS s FROM generate_series(1, 3000) AS n",
      );
      expect(rows).toHaveLength(3000);
      for (const row of rows) expect(row.s).toBe(String.fromCharCode(65 + (row.n % 26)).repeat(1000));
      const blob = await pool.one<{ b: Buffer }>("SELECT decode(repeat('ab', 3000000), 'hex') AS b");
      expect(blob.b.length).toBe(3_000_000);
      expect(blob.b.every((byte) => byte === 0xab)).toBe(true);
    } finally {
      await pool.end();
    }
    expect(pool.stats().total).toBe(0);
  });

  it("runs one pool per worker thread, each on its thread's engine, and tears down with the thread", async () => {
    const workers = [true, false].map(
      (end, i) =>
        new Worker(new URL("./fixtures/pool-worker.mjs", import.meta.url), {
          workerData: { url: db.url, end, applicationName: `fa_worker_${i}` },
        }),
    );
    const exits = Promise.all(workers.map((worker) => once(worker, "exit")));
    const results = await Promise.all(workers.map((worker) => once(worker, "message")));
    for (const [result] of results) expect(result).toEqual({ sum: 380, pids: expect.any(Number) });
    const codes = await exits;
    expect(codes.map(([code]) => code)).toEqual([0, 0]);
    // The thread that exited without pool.end() had its sessions closed by the engine's teardown.
    const admin = new PgPool({ url: db.url, max: 1 });
    try {
      for (let attempt = 0; ; attempt++) {
        const { n } = await admin.one<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'fa_worker_%'",
        );
        if (n === 0) break;
        expect(attempt).toBeLessThan(50);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await admin.end();
    }
  });
});
