// The demo end to end: real PostgreSQL (a database made for this run), real HTTP socket.
import { PgPool } from "@fasterapi/pg-pool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = `demo_test_${process.pid}_${Date.now()}`;
let admin: PgPool;
let app: ReturnType<typeof buildApp>;
let base: string;

function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

beforeAll(async () => {
  admin = new PgPool({ url: adminUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${dbName}`);
  app = buildApp({ databaseUrl: databaseUrl(dbName), port: 0, host: "127.0.0.1", logger: false });
  const [address] = await app.listen();
  base = `http://127.0.0.1:${address!.port}`;
});

afterAll(async () => {
  await app?.close();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe("demo items service", () => {
  it("reports health with a database round trip", async () => {
    expect(await call("GET", "/health")).toMatchObject({
      status: 200,
      body: { status: "ok", database: true },
    });
  });

  it("creates, reads, updates, lists and deletes items", async () => {
    const created = await call("POST", "/items", { name: "Lamp", price: 19.5, tags: ["home"] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Lamp", price: 19.5, tags: ["home"], description: null });
    const id = created.body.id;

    expect((await call("GET", `/items/${id}`)).body).toMatchObject({ id, name: "Lamp" });

    const updated = await call("PATCH", `/items/${id}`, { price: 25, description: "brass" });
    expect(updated).toMatchObject({
      status: 200,
      body: { id, price: 25, description: "brass", name: "Lamp" },
    });

    await call("POST", "/items", { name: "Desk", price: 120, tags: ["office"] });
    await call("POST", "/items", { name: "Desk lamp", price: 30, tags: ["office", "home"] });

    const filtered = await call("GET", "/items?q=lamp&limit=1");
    expect(filtered.status).toBe(200);
    expect(filtered.body.total).toBe(2);
    expect(filtered.body.items).toHaveLength(1);
    expect(filtered.body.items[0].name).toBe("Desk lamp");

    const byTag = await call("GET", "/items?tag=office&minPrice=100");
    expect(byTag.body.items.map((i: { name: string }) => i.name)).toEqual(["Desk"]);

    expect((await call("DELETE", `/items/${id}`)).status).toBe(204);
    expect(await call("GET", `/items/${id}`)).toMatchObject({
      status: 404,
      body: { detail: "Item not found" },
    });
    expect((await call("DELETE", `/items/${id}`)).status).toBe(404);
  });

  it("answers 422 in FastAPI's shape for invalid input", async () => {
    const bad = await call("POST", "/items", { name: "", price: -1 });
    expect(bad.status).toBe(422);
    expect(bad.body.detail.map((d: { loc: unknown[] }) => d.loc)).toEqual(
      expect.arrayContaining([
        ["body", "name"],
        ["body", "price"],
      ]),
    );
    const badQuery = await call("GET", "/items?limit=1000");
    expect(badQuery.status).toBe(422);
    expect(badQuery.body.detail[0].loc).toEqual(["query", "limit"]);
    expect((await call("GET", "/items/abc")).status).toBe(422);
  });

  it("serves the OpenAPI document and the docs page", async () => {
    const doc = await call("GET", "/openapi.json");
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(["/items", "/items/{id}", "/health"]));
    const docs = await fetch(`${base}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("swagger-ui");
  });
});
