import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { App, health, type ReadinessReport } from "@fasterapi/core";
import {
  PgPool,
  pg,
  pgReady,
  QUERY_END_CHANNEL,
  QUERY_START_CHANNEL,
  type QueryEvent,
} from "@fasterapi/pg-pool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./fixtures/database.js";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase("events");
});

afterAll(async () => {
  await db?.drop();
});

describe("query events (node:diagnostics_channel)", () => {
  it("publishes start and end for pool, connection and transaction queries, with duration, rows and errors", async () => {
    const pool = new PgPool({ url: db.url, max: 2 });
    const starts: QueryEvent[] = [];
    const ends: QueryEvent[] = [];
    const onStart = (message: unknown) => starts.push({ ...(message as QueryEvent) });
    const onEnd = (message: unknown) => ends.push(message as QueryEvent);
    subscribe(QUERY_START_CHANNEL, onStart);
    subscribe(QUERY_END_CHANNEL, onEnd);
    try {
      await pool.query("SELECT generate_series(1, 3) AS n");
      const conn = await pool.acquire();
      await conn.query("SELECT 1");
      conn.release();
      await pool.transaction(async (tx) => {
        await tx.query("SELECT $1::int AS x", [5]);
      });
      await expect(pool.query("SELECT * FROM missing_table")).rejects.toThrow(/missing_table/);
    } finally {
      unsubscribe(QUERY_START_CHANNEL, onStart);
      unsubscribe(QUERY_END_CHANNEL, onEnd);
    }
    const sqls = ends.map((e) => e.sql);
    expect(sqls).toEqual([
      "SELECT generate_series(1, 3) AS n",
      "SELECT 1",
      "SELECT $1::int AS x",
      "SELECT * FROM missing_table",
    ]);
    expect(starts.map((e) => e.sql)).toEqual(sqls);
    expect(starts[0]).toMatchObject({ database: db.name, host: "127.0.0.1", port: 5432 });
    expect(starts[0]?.durationMs).toBeUndefined();
    expect(ends[0]?.rowCount).toBe(3);
    expect(ends.every((e) => typeof e.durationMs === "number" && e.durationMs >= 0)).toBe(true);
    expect(ends[3]?.error).toBeInstanceOf(Error);
    expect((ends[3]?.error as Error | undefined)?.message).toMatch(/missing_table/);
    expect(ends[3]?.rowCount).toBeUndefined();
    // With no subscriber nothing is published.
    await pool.query("SELECT 2");
    expect(ends).toHaveLength(4);
    await pool.end();
  });

  it("pgReady makes /readyz answer 200 with a reachable server and 503 without one", async () => {
    const up = new App({ logger: false, docs: false });
    up.register(pg({ url: db.url, max: 1 }));
    up.register(health({ checks: { postgres: pgReady } }));
    expect((await up.inject("/readyz")).json()).toEqual({
      status: "ready",
      checks: { postgres: { status: "ok" } },
    });
    await up.close();

    const down = new App({ logger: false, docs: false });
    down.register(pg({ url: "postgres://postgres@127.0.0.1:1/none", max: 1, connectTimeoutMs: 500 }));
    down.register(health({ checks: { postgres: pgReady }, checkTimeoutMs: 1500 }));
    const res = await down.inject("/readyz");
    expect(res.statusCode).toBe(503);
    expect((res.json() as ReadinessReport).checks.postgres?.status).toBe("error");
    await down.close();
  });
});
