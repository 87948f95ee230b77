// The demo end to end: real PostgreSQL (a database made for this run), real HTTP socket.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
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
  it("serves liveness, readiness with PostgreSQL, and Prometheus metrics, with request ids", async () => {
    expect(await call("GET", "/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
    const ready = await call("GET", "/readyz");
    expect(ready).toMatchObject({
      status: 200,
      body: { status: "ready", checks: { postgres: { status: "ok" } } },
    });
    expect(ready.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    await call("GET", "/items/999999");
    const res = await fetch(`${base}/metrics`, { headers: { "x-request-id": "scrape-1" } });
    expect(res.headers.get("x-request-id")).toBe("scrape-1");
    const text = await res.text();
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/items\/:id",status_code="404"\} 1$/m,
    );
    expect(text).toMatch(/^fasterapi_pool_total \d+$/m);
  });

  it("refuses to start with an invalid setting, naming the variable", async () => {
    const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [main],
        { env: { ...process.env, PORT: "eighty" } },
        (error, _stdout, stderr) =>
          resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stderr }),
      );
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Invalid settings: PORT: Expected integer (got "eighty")');
  });

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
