import { randomBytes } from "node:crypto";
import { App, Depends, HTTPException } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { Metrics, mergeMetrics, metrics, PG_QUERY_END_CHANNEL } from "@fasterapi/metrics";
import { PgPool, pg, QUERY_END_CHANNEL } from "@fasterapi/pg-pool";
import { Type as t } from "@sinclair/typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExposition } from "./fixtures/exposition.js";

const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const database = `fa_metrics_${randomBytes(4).toString("hex")}`;
const url = Object.assign(new URL(SERVER_URL), { pathname: `/${database}` }).toString();

beforeAll(async () => {
  const admin = new PgPool({ url: SERVER_URL, max: 1 });
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
});

afterAll(async () => {
  const admin = new PgPool({ url: SERVER_URL, max: 1 });
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});

function buildApp(): App {
  const app = new App({ logger: false });
  app.register(http1({ port: 0, host: "127.0.0.1" }));
  app.register(pg({ url, max: 3 }));
  app.register(metrics());
  const db = Depends(PgPool);
  app.get("/items/:id", { params: t.Object({ id: t.Integer() }), deps: { db } }, async ({ params, deps }) => {
    if (params.id === 0) throw new HTTPException(404, "Item not found");
    return deps.db.one("SELECT $1::int AS id", [params.id]);
  });
  app.get("/broken", async ({ app }) => app.resolve(PgPool).query("SELECT * FROM no_such_table"));
  return app;
}

describe("metrics plugin", () => {
  it("exposes request durations by route template and status, in-flight, connections, pool and query metrics", async () => {
    const app = buildApp();
    const [address] = await app.listen();
    const base = `http://127.0.0.1:${address?.port}`;
    try {
      for (const id of [1, 2, 3]) expect((await fetch(`${base}/items/${id}`)).status).toBe(200);
      expect((await fetch(`${base}/items/0`)).status).toBe(404);
      expect((await fetch(`${base}/broken`)).status).toBe(500);
      expect((await fetch(`${base}/nowhere`)).status).toBe(404);
      const res = await fetch(`${base}/metrics`);
      expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const scrape = parseExposition(await res.text());
      expect(scrape.types.get("http_request_duration_seconds")).toBe("histogram");
      const route = { method: "GET", route: "/items/:id" };
      expect(scrape.value("http_request_duration_seconds_count", { ...route, status_code: "200" })).toBe(3);
      expect(scrape.value("http_request_duration_seconds_count", { ...route, status_code: "404" })).toBe(1);
      expect(
        scrape.value("http_request_duration_seconds_bucket", { ...route, status_code: "200", le: "+Inf" }),
      ).toBe(3);
      expect(
        scrape.value("http_request_duration_seconds_sum", { ...route, status_code: "200" }),
      ).toBeGreaterThan(0);
      expect(
        scrape.value("http_request_duration_seconds_count", { route: "/broken", status_code: "500" }),
      ).toBe(1);
      expect(
        scrape.value("http_request_duration_seconds_count", { route: "unmatched", status_code: "404" }),
      ).toBe(1);
      // The scrape itself is in flight while it is rendered.
      expect(scrape.value("http_requests_in_flight")).toBe(1);
      expect(
        scrape.value("fasterapi_transport_open_connections", { transport: "http1" }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        scrape.value("fasterapi_transport_connections_accepted", { transport: "http1" }),
      ).toBeGreaterThanOrEqual(1);
      expect(scrape.value("fasterapi_pool_total")).toBeGreaterThanOrEqual(1);
      expect(scrape.value("fasterapi_pool_max")).toBe(3);
      expect(scrape.value("fasterapi_pool_pending")).toBe(0);
      expect(scrape.types.get("fasterapi_pool_idle")).toBe("gauge");
      expect(
        scrape.value("fasterapi_pg_query_duration_seconds_count", { operation: "SELECT", outcome: "ok" }),
      ).toBe(3);
      expect(
        scrape.value("fasterapi_pg_query_duration_seconds_count", { operation: "SELECT", outcome: "error" }),
      ).toBe(1);
      expect(scrape.value("process_resident_memory_bytes")).toBeGreaterThan(0);
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).not.toContain("/metrics");
    } finally {
      await app.close();
    }
  });

  it("merges the snapshots of several workers into one exposition, summing their counts", async () => {
    const workers = [buildApp(), buildApp()];
    await Promise.all(workers.map((w) => w.ready()));
    await workers[0]?.inject("/items/1");
    await workers[1]?.inject("/items/2");
    await workers[1]?.inject("/items/3");
    const aggregated = new App({ logger: false, docs: false });
    aggregated.register(
      metrics({
        processMetrics: false,
        aggregate: () => Promise.all(workers.map((w) => w.resolve(Metrics).snapshot())),
      }),
    );
    const scrape = parseExposition((await aggregated.inject("/metrics")).body);
    const labels = { method: "GET", route: "/items/:id", status_code: "200" };
    expect(scrape.value("http_request_duration_seconds_count", labels)).toBe(3);
    expect(scrape.value("fasterapi_pool_max")).toBe(6);
    const direct = parseExposition(await mergeMetrics([await workers[1]!.resolve(Metrics).snapshot()]));
    expect(direct.value("http_request_duration_seconds_count", labels)).toBe(2);
    await Promise.all([...workers, aggregated].map((w) => w.close()));
  });

  it("listens on the channel pg-pool publishes query ends on", () => {
    expect(PG_QUERY_END_CHANNEL).toBe(QUERY_END_CHANNEL);
  });
});
