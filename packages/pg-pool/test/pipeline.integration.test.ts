import { Socket } from "node:net";
import { PgError, PgPool } from "@fasterapi/pg-pool";
import { NativeSessionSocket } from "@fasterapi/pg-pool-native";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./fixtures/database.js";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase("pipeline");
});

afterAll(async () => {
  await db?.drop();
});

describe("pipelining", () => {
  it("runs many concurrent queries on one connection and resolves them in order", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      const order: number[] = [];
      const queries = Array.from({ length: 300 }, (_, i) =>
        pool
          .one<{ i: number; pid: number }>("SELECT $1::int AS i, pg_backend_pid() AS pid", [i])
          .then((row) => {
            order.push(row.i);
            return row;
          }),
      );
      const rows = await Promise.all(queries);
      expect(rows.map((r) => r.i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(order).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(new Set(rows.map((r) => r.pid)).size).toBe(1);
      expect(pool.stats().total).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it("sends all queries issued in one event-loop turn in a single write", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    const serverPort = Number(new URL(db.url).port || 5432);
    try {
      await pool.query("SELECT $1::int AS i", [0]);
      // The session runs on the engine's socket or, with FASTERAPI_NATIVE=0, on a net.Socket:
      // count writes on both (a net.Socket only toward the server).
      let writes = 0;
      const restore = [NativeSessionSocket.prototype, Socket.prototype].map((socketClass) => {
        const original = socketClass.write;
        socketClass.write = function (this: unknown, ...args: unknown[]) {
          if (!(this instanceof Socket) || this.remotePort === serverPort) writes++;
          return (original as (...a: unknown[]) => boolean).apply(this, args);
        } as typeof original;
        return () => {
          socketClass.write = original;
        };
      });
      let rows: { i: number }[];
      try {
        rows = await Promise.all(
          Array.from({ length: 50 }, (_, i) => pool.one<{ i: number }>("SELECT $1::int AS i", [i])),
        );
      } finally {
        for (const undo of restore) undo();
      }
      expect(rows.map((r) => r.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(writes).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it("isolates a failing query: the queries pipelined around it succeed", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      const results = await Promise.allSettled([
        pool.one("SELECT 1 AS a"),
        pool.one("SELECT 1 / $1::int AS boom", [0]),
        pool.one("SELECT 3 AS c"),
        pool.one("SELECT * FROM no_such_table"),
        pool.one("SELECT 5 AS e"),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        "fulfilled",
        "rejected",
        "fulfilled",
        "rejected",
        "fulfilled",
      ]);
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: "22012" });
      expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ code: "42P01" });
      expect((results[4] as PromiseFulfilledResult<unknown>).value).toEqual({ e: 5 });
    } finally {
      await pool.end();
    }
  });

  it("spreads concurrent queries over connections up to max", async () => {
    const pool = new PgPool({ url: db.url, max: 3 });
    try {
      const rows = await Promise.all(
        Array.from({ length: 30 }, () =>
          pool.one<{ pid: number }>("SELECT pg_backend_pid() AS pid, pg_sleep(0.02)"),
        ),
      );
      expect(new Set(rows.map((r) => r.pid)).size).toBe(3);
      expect(pool.stats().total).toBe(3);
    } finally {
      await pool.end();
    }
  });
});

describe("prepared statement cache", () => {
  it("keeps at most statementCacheSize statements per connection, evicting the least recently used", async () => {
    const pool = new PgPool({ url: db.url, max: 1, statementCacheSize: 3 });
    try {
      await using conn = await pool.acquire();
      for (let i = 0; i < 10; i++) await conn.query(`SELECT ${i} AS n`);
      const { rows } = await conn.query<{ statement: string }>(
        "SELECT statement FROM pg_prepared_statements",
      );
      expect(rows.length).toBeLessThanOrEqual(3);
      expect(rows.map((r) => r.statement)).toContain("SELECT 9 AS n");
      expect(rows.map((r) => r.statement)).not.toContain("SELECT 0 AS n");
      // An evicted statement is prepared again transparently.
      expect(await conn.one("SELECT 0 AS n")).toEqual({ n: 0 });
    } finally {
      await pool.end();
    }
  });

  it("never evicts a statement that pipelined queries are still using", async () => {
    const pool = new PgPool({ url: db.url, max: 1, statementCacheSize: 2 });
    try {
      const rows = await Promise.all(
        Array.from({ length: 40 }, (_, i) => pool.one<{ n: number }>(`SELECT $1::int + ${i % 20} AS n`, [i])),
      );
      expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 40 }, (_, i) => i + (i % 20)));
      const { rows: prepared } = await pool.query("SELECT name FROM pg_prepared_statements");
      expect(prepared.length).toBeLessThanOrEqual(3);
    } finally {
      await pool.end();
    }
  });

  it("reuses one server-side statement for repeated SQL", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      await using conn = await pool.acquire();
      for (let i = 0; i < 5; i++) await conn.query("SELECT $1::int AS n", [i]);
      const { rows } = await conn.query<{ n: string }>(
        "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = 'SELECT $1::int AS n'",
      );
      expect(rows[0]!.n).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it("re-prepares transparently after ALTER TABLE changes the result type", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      await pool.query("CREATE TABLE altered (id int, name text)");
      await pool.query("INSERT INTO altered VALUES (1, 'a')");
      expect(await pool.one("SELECT * FROM altered")).toEqual({ id: 1, name: "a" });
      await pool.query("ALTER TABLE altered ADD COLUMN extra int DEFAULT 7");
      expect(await pool.one("SELECT * FROM altered")).toEqual({ id: 1, name: "a", extra: 7 });
      await pool.query("ALTER TABLE altered ALTER COLUMN id TYPE text");
      expect(await pool.one("SELECT * FROM altered")).toEqual({ id: "1", name: "a", extra: 7 });
    } finally {
      await pool.end();
    }
  });

  it("re-prepares after the server forgot the statement (DEALLOCATE ALL)", async () => {
    const pool = new PgPool({ url: db.url, max: 1 });
    try {
      expect(await pool.one("SELECT 11 AS n")).toEqual({ n: 11 });
      await pool.query("DEALLOCATE ALL");
      expect(await pool.one("SELECT 11 AS n")).toEqual({ n: 11 });
    } finally {
      await pool.end();
    }
  });

  it("works without named statements when statementCacheSize is 0", async () => {
    const pool = new PgPool({ url: db.url, max: 1, statementCacheSize: 0 });
    try {
      const rows = await Promise.all(
        Array.from({ length: 20 }, (_, i) => pool.one("SELECT $1::int * 2 AS n", [i])),
      );
      expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
      const { rows: prepared } = await pool.query("SELECT name FROM pg_prepared_statements");
      expect(prepared).toEqual([]);
      const error = await pool.query("SELECT nope").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PgError);
    } finally {
      await pool.end();
    }
  });
});
