import { App, Depends, HTTPException } from "@fasterapi/core";
import { PgPool, pg, pgConnection } from "@fasterapi/pg-pool";
import { Type as t } from "@sinclair/typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./fixtures/database.js";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase("plugin");
  const setup = new PgPool({ url: db.url, max: 1 });
  await setup.query("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)");
  await setup.query("INSERT INTO items VALUES (1, 'first')");
  await setup.end();
});

afterAll(async () => {
  await db?.drop();
});

async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function buildApp(): App {
  const app = new App({ title: "pg plugin test", version: "1.0.0", logger: false });
  app.register(pg({ url: db.url, max: 2 }));
  const Item = t.Object({ id: t.Integer(), name: t.String() });
  app.get(
    "/items/:id",
    { params: t.Object({ id: t.Integer() }), response: { 200: Item }, deps: { db: Depends(PgPool) } },
    async ({ params, deps }) => {
      const row = await deps.db.maybeOne("SELECT id, name FROM items WHERE id = $1", [params.id]);
      if (!row) throw new HTTPException(404, "Item not found");
      return row;
    },
  );
  app.get("/session", { deps: { conn: Depends(pgConnection) } }, async ({ deps }) => {
    const first = await deps.conn.one<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const second = await deps.conn.one<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    return { same: first.pid === second.pid, borrowed: app.resolve(PgPool).stats().borrowed };
  });
  app.get("/session-fails", { deps: { conn: Depends(pgConnection) } }, async ({ deps }) => {
    await deps.conn.query("SELECT 1");
    throw new Error("handler failed while holding a connection");
  });
  return app;
}

describe("pg plugin", () => {
  it("provides the pool to Depends(PgPool) and answers from PostgreSQL", async () => {
    const app = buildApp();
    try {
      const found = await app.inject({ method: "GET", url: "/items/1" });
      expect(found.statusCode).toBe(200);
      expect(found.json()).toEqual({ id: 1, name: "first" });
      const missing = await app.inject({ method: "GET", url: "/items/2" });
      expect(missing.statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it("lends one connection per request with Depends(pgConnection) and releases it after the response", async () => {
    const app = buildApp();
    try {
      const res = await app.inject({ method: "GET", url: "/session" });
      expect(res.json()).toEqual({ same: true, borrowed: 1 });
      const pool = app.resolve(PgPool);
      await eventually(() => pool.stats().borrowed === 0);
    } finally {
      await app.close();
    }
  });

  it("releases the request's connection when the handler throws", async () => {
    const app = buildApp();
    try {
      const res = await app.inject({ method: "GET", url: "/session-fails" });
      expect(res.statusCode).toBe(500);
      const pool = app.resolve(PgPool);
      await eventually(() => pool.stats().borrowed === 0);
      expect(await pool.one("SELECT 1 AS ok")).toEqual({ ok: 1 });
    } finally {
      await app.close();
    }
  });

  it("reports pool stats in app.stats() and ends the pool on app.close()", async () => {
    const app = buildApp();
    await app.inject({ method: "GET", url: "/items/1" });
    const stats = app.stats() as unknown as { pool: { total: number; max: number } };
    expect(stats.pool).toMatchObject({ total: 1, max: 2 });
    const pool = app.resolve(PgPool);
    await app.close();
    expect(pool.stats().total).toBe(0);
    await expect(pool.query("SELECT 1")).rejects.toThrow(/ending/);
  });
});
