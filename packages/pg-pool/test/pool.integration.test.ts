import { AcquireTimeoutError, ConnectionClosedError, PgError, PgPool } from "@fasterapi/pg-pool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./fixtures/database.js";
import { eventually } from "./fixtures/eventually.js";

let db: TestDatabase;
let admin: PgPool;

beforeAll(async () => {
  db = await createTestDatabase("pool");
  admin = new PgPool({ url: db.url, max: 2, applicationName: "pgpool-test-admin" });
});

afterAll(async () => {
  await admin?.end();
  await db?.drop();
});

/** Terminates every session of `applicationName` in the test database; returns how many. */
async function terminate(applicationName: string): Promise<number> {
  const { rows } = await admin.query<{ ok: boolean }>(
    "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
    [applicationName],
  );
  return rows.length;
}

describe("cancellation", () => {
  it("cancels a running query through its AbortSignal and rejects with PgError 57014", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      const controller = new AbortController();
      const started = Date.now();
      const query = pool.query("SELECT pg_sleep(10)", [], { signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      const error = await query.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PgError);
      expect((error as PgError).code).toBe("57014");
      expect(Date.now() - started).toBeLessThan(5000);
      // The connection is healthy afterwards and the cancel did not hit the next query.
      expect(await pool.one("SELECT pg_sleep(0.3)::text AS slept, 1 AS ok")).toEqual({ slept: "", ok: 1 });
    } finally {
      await pool.end();
    }
  });

  it("rejects with the signal's reason when it is aborted before the query was sent", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      const reason = new Error("user went away");
      await expect(pool.query("SELECT 1", [], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    } finally {
      await pool.end();
    }
  });

  it("cancels a query that runs past statementTimeoutMs", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      const error = await pool
        .query("SELECT pg_sleep(10)", [], { statementTimeoutMs: 150 })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "57014" });
      expect(await pool.one("SELECT 2 AS ok", [], { statementTimeoutMs: 5000 })).toEqual({ ok: 2 });
    } finally {
      await pool.end();
    }
  });
});

describe("pool limits", () => {
  it("rejects acquire with AcquireTimeoutError when every connection stays borrowed", async () => {
    const pool = new PgPool({ url: db.url, max: 2, acquireTimeoutMs: 200 });
    try {
      const a = await pool.acquire();
      const b = await pool.acquire();
      const error = await pool.acquire().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AcquireTimeoutError);
      expect((error as Error).message).toMatch(/after 200 ms .*max 2.*2 borrowed/);
      await expect(pool.query("SELECT 1")).rejects.toBeInstanceOf(AcquireTimeoutError);
      expect(pool.stats()).toMatchObject({ total: 2, borrowed: 2, acquireTimeouts: 2 });
      a.release();
      b.release();
      expect(await pool.one("SELECT 1 AS ok")).toEqual({ ok: 1 });
    } finally {
      await pool.end();
    }
  });

  it("lets a borrower through while pipelined queries keep every connection busy", async () => {
    const pool = new PgPool({ url: db.url, max: 2, acquireTimeoutMs: 3000 });
    try {
      let stop = false;
      let done = 0;
      const load = Array.from({ length: 40 }, async () => {
        while (!stop) {
          await pool.query("SELECT pg_sleep(0.002)");
          done++;
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      const conn = await pool.acquire();
      const during = done;
      // While one connection is borrowed, the load keeps running pipelined on the other.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(done).toBeGreaterThan(during);
      expect(pool.stats()).toMatchObject({ total: 2, borrowed: 1 });
      conn.release();
      stop = true;
      await Promise.all(load);
    } finally {
      await pool.end();
    }
  });

  it("hands a released connection to the oldest waiter", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      const held = await pool.acquire();
      const waiting = pool.acquire();
      expect(pool.stats().pending).toBe(1);
      held.release();
      const next = await waiting;
      expect(next.processId).toBe(held.processId);
      next.release();
    } finally {
      await pool.end();
    }
  });

  it("releases with await using and refuses queries on a released connection", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      let leaked: { query(sql: string): Promise<unknown> } | undefined;
      {
        await using conn = await pool.acquire();
        leaked = conn;
        expect(pool.stats().borrowed).toBe(1);
      }
      expect(pool.stats().borrowed).toBe(0);
      await expect(leaked.query("SELECT 1")).rejects.toThrow(/released/);
    } finally {
      await pool.end();
    }
  });

  it("rolls back a transaction left open by a borrower before reusing the connection", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      const conn = await pool.acquire();
      await conn.query("BEGIN");
      await conn.query("CREATE TEMP TABLE forgotten (x int)");
      conn.release();
      const status = await pool.one("SELECT to_regclass('pg_temp.forgotten') IS NULL AS gone");
      expect(status).toEqual({ gone: true });
    } finally {
      await pool.end();
    }
  });

  it("end() waits for borrowed connections and then closes every connection", async () => {
    const pool = new PgPool({ url: db.url, max: 2 });
    const conn = await pool.acquire();
    let ended = false;
    const ending = pool.end().then(() => {
      ended = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended).toBe(false);
    await expect(pool.query("SELECT 1")).rejects.toThrow(/ending/);
    expect(await conn.one("SELECT 1 AS still")).toEqual({ still: 1 });
    conn.release();
    await ending;
    expect(pool.stats().total).toBe(0);
  });
});

describe("failures", () => {
  it("serves again after pg_terminate_backend of its connections; in-flight queries reject clearly", async () => {
    const pool = new PgPool({ url: db.url, max: 3, applicationName: "pgpool-test-terminate" });
    try {
      await Promise.all(Array.from({ length: 6 }, () => pool.query("SELECT pg_sleep(0.05)")));
      expect(pool.stats().total).toBe(3);
      const inFlight = pool.query("SELECT pg_sleep(5)").catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await terminate("pgpool-test-terminate")).toBe(3);
      const error = await inFlight;
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect((error as Error).message).toMatch(/terminating connection due to administrator command/);
      expect((error as Error & { cause: PgError }).cause.code).toBe("57P01");
      await eventually(() => pool.stats().total === 0);
      const rows = await Promise.all(
        Array.from({ length: 5 }, (_, i) => pool.one("SELECT $1::int AS i", [i])),
      );
      expect(rows.map((r) => r.i)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await pool.end();
    }
  });

  it("drops idle connections that die and refills to min", async () => {
    const errors: unknown[] = [];
    const pool = new PgPool({
      url: db.url,
      min: 2,
      max: 4,
      applicationName: "pgpool-test-min",
      onError: (e) => errors.push(e),
    });
    try {
      await eventually(() => pool.stats().idle === 2);
      const before = await admin.many<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pgpool-test-min'",
      );
      expect(before.length).toBe(2);
      await terminate("pgpool-test-min");
      await eventually(async () => {
        const now = await admin.many<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pgpool-test-min'",
        );
        return now.length === 2 && now.every((r) => !before.some((b) => b.pid === r.pid));
      });
      expect(pool.stats()).toMatchObject({ total: 2, idle: 2, closed: 2, created: 4 });
      expect(await pool.one("SELECT 1 AS ok")).toEqual({ ok: 1 });
    } finally {
      await pool.end();
    }
  });

  it("reports an unreachable server as a clear connect error, without crashing", async () => {
    const pool = new PgPool({ host: "127.0.0.1", port: 1, user: "nobody", acquireTimeoutMs: 1000 });
    try {
      await expect(pool.query("SELECT 1")).rejects.toThrow(
        /could not connect to PostgreSQL at 127\.0\.0\.1:1: .*ECONNREFUSED/,
      );
      expect(pool.stats()).toMatchObject({ total: 0, connectErrors: 1 });
    } finally {
      await pool.end();
    }
  });

  it("reports a missing database as the server's PgError", async () => {
    const url = new URL(db.url);
    url.pathname = "/fa_pgpool_does_not_exist";
    const pool = new PgPool({ url: url.toString() });
    try {
      await expect(pool.query("SELECT 1")).rejects.toMatchObject({ code: "3D000" });
    } finally {
      await pool.end();
    }
  });
});

describe("connection lifecycle", () => {
  it("retires connections after maxLifetimeMs and opens fresh ones", async () => {
    const pool = new PgPool({ url: db.url, max: 1, maxLifetimeMs: 200 });
    try {
      const first = await pool.one<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      await new Promise((resolve) => setTimeout(resolve, 250));
      const second = await pool.one<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      expect(second.pid).not.toBe(first.pid);
      expect(pool.stats()).toMatchObject({ created: 2, total: 1 });
    } finally {
      await pool.end();
    }
  });

  it("closes connections idle longer than idleTimeoutMs, down to min", async () => {
    const pool = new PgPool({ url: db.url, max: 3, min: 1, idleTimeoutMs: 300 });
    try {
      await Promise.all(Array.from({ length: 3 }, () => pool.query("SELECT pg_sleep(0.05)")));
      expect(pool.stats().total).toBe(3);
      await eventually(() => pool.stats().total === 1, 5000);
      expect(pool.stats().closed).toBe(2);
    } finally {
      await pool.end();
    }
  });

  it("checks a connection idle longer than healthCheckAfterIdleMs before lending it", async () => {
    const pool = new PgPool({ url: db.url, max: 1, healthCheckAfterIdleMs: 10 });
    try {
      const first = await pool.one<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = await pool.one<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      expect(second.pid).toBe(first.pid);
      await admin.query("SELECT pg_terminate_backend($1)", [first.pid]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const third = await pool.one<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      expect(third.pid).not.toBe(first.pid);
    } finally {
      await pool.end();
    }
  });

  it("decodes int8 as number when types.int8 is number", async () => {
    const pool = new PgPool({ url: db.url, max: 1, types: { int8: "number" } });
    try {
      expect(await pool.one("SELECT 5::int8 AS n")).toEqual({ n: 5 });
    } finally {
      await pool.end();
    }
  });
});

describe("bad input", () => {
  it("rejects invalid pool options and connection URLs when the pool is created", () => {
    expect(() => new PgPool({ url: db.url, max: 0 })).toThrow(/max must be at least 1/);
    expect(() => new PgPool({ url: db.url, min: -1 })).toThrow(/min must be a non-negative integer/);
    expect(() => new PgPool({ url: "mysql://root@localhost/db" })).toThrow(/postgres:\/\//);
    expect(() => new PgPool({ url: db.url, ssl: "sometimes" as never })).toThrow(/unsupported sslmode/);
  });

  it("rejects a non-string statement and non-array parameters with a TypeError", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      await expect(pool.query(42 as never)).rejects.toThrow(/sql must be a string/);
      await expect(pool.query("SELECT $1::int", 1 as never)).rejects.toThrow(/params must be an array/);
      expect(await pool.one("SELECT 1 AS ok")).toEqual({ ok: 1 });
    } finally {
      await pool.end();
    }
  });
});

describe("stats", () => {
  it("counts idle, borrowed and pending connections", async () => {
    const pool = new PgPool({ url: db.url, max: 1, acquireTimeoutMs: 2000 });
    try {
      const conn = await pool.acquire();
      const waiting = pool.acquire();
      expect(pool.stats()).toMatchObject({ total: 1, idle: 0, borrowed: 1, pending: 1, max: 1 });
      conn.release();
      (await waiting).release();
      expect(pool.stats()).toMatchObject({ total: 1, idle: 1, borrowed: 0, pending: 0 });
    } finally {
      await pool.end();
    }
  });
});
