import { PgPool } from "@fasterapi/pg-pool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./fixtures/database.js";
import { eventually } from "./fixtures/eventually.js";

let db: TestDatabase;
let pool: PgPool;

beforeAll(async () => {
  db = await createTestDatabase("listen");
  pool = new PgPool({ url: db.url, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe("LISTEN/NOTIFY", () => {
  it("delivers notifications to every handler of a channel until it unlistens", async () => {
    const first: string[] = [];
    const second: string[] = [];
    const stopFirst = await pool.listen("events", (payload) => first.push(payload));
    const stopSecond = await pool.listen("events", (payload, info) =>
      second.push(`${info.channel}:${payload}`),
    );
    await pool.query("SELECT pg_notify('events', 'hello')");
    await eventually(() => first.length === 1 && second.length === 1);
    expect(first).toEqual(["hello"]);
    expect(second).toEqual(["events:hello"]);

    await stopFirst();
    await pool.query("SELECT pg_notify('events', 'again')");
    await eventually(() => second.length === 2);
    expect(first).toEqual(["hello"]);
    await stopSecond();
    expect(pool.stats().listener.channels).toBe(0);
  });

  it("quotes channel names, so any name works", async () => {
    const got: string[] = [];
    const stop = await pool.listen('Odd "Channel"', (payload) => got.push(payload));
    await pool.query("SELECT pg_notify($1, $2)", ['Odd "Channel"', "quoted"]);
    await eventually(() => got.length === 1);
    expect(got).toEqual(["quoted"]);
    await stop();
  });

  it("re-subscribes after the listening connection is terminated", async () => {
    const got: string[] = [];
    const stop = await pool.listen("survivor", (payload) => got.push(payload));
    const { pid } = await pool.one<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%survivor%'",
    );
    await pool.query("SELECT pg_terminate_backend($1)", [pid]);
    // Keep notifying until the reconnected listener hears one (notifications sent while it is away are lost).
    let n = 0;
    await eventually(async () => {
      await pool.query("SELECT pg_notify('survivor', $1)", [`after-${n++}`]);
      await new Promise((resolve) => setTimeout(resolve, 30));
      return got.length > 0;
    });
    expect(got[0]).toMatch(/^after-\d+$/);
    expect(pool.stats().listener.reconnects).toBeGreaterThanOrEqual(1);
    const { rows } = await pool.query(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%survivor%'",
    );
    expect(rows.length).toBe(1);
    expect(rows[0]!.pid).not.toBe(pid);
    await stop();
  });
});
