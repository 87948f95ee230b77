import { randomBytes } from "node:crypto";
import { App, Depends, HTTPException } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { PG_QUERY_END_CHANNEL, PG_QUERY_START_CHANNEL, tracing } from "@fasterapi/otel";
import { PgPool, pg, QUERY_END_CHANNEL, QUERY_START_CHANNEL } from "@fasterapi/pg-pool";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { Type as t } from "@sinclair/typebox";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const database = `fa_otel_${randomBytes(4).toString("hex")}`;
const url = Object.assign(new URL(SERVER_URL), { pathname: `/${database}` }).toString();
const exporter = new InMemorySpanExporter();
let app: App;
let base: string;

beforeAll(async () => {
  // What an application does once at startup when it wants traces (NodeSDK does the same).
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const admin = new PgPool({ url: SERVER_URL, max: 1 });
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  app = new App({ logger: false, docs: false });
  app.register(http1({ port: 0, host: "127.0.0.1" }));
  app.register(pg({ url, max: 2 }));
  app.register(tracing());
  const db = Depends(PgPool);
  app.get("/items/:id", { params: t.Object({ id: t.Integer() }), deps: { db } }, async ({ params, deps }) => {
    if (params.id === 0) throw new HTTPException(404, "Item not found");
    await new Promise((resolve) => setTimeout(resolve, 1)); // the span must survive async hops
    trace.getActiveSpan()?.setAttribute("app.item", params.id);
    return deps.db.one("SELECT $1::int AS id", [params.id]);
  });
  app.get("/fail", async ({ app }) => app.resolve(PgPool).query("SELECT * FROM no_such_table"));
  const [address] = await app.listen();
  base = `http://127.0.0.1:${address?.port}`;
});

afterAll(async () => {
  await app?.close();
  const admin = new PgPool({ url: SERVER_URL, max: 1 });
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});

beforeEach(() => exporter.reset());

async function spansAfter(request: () => Promise<Response>, count: number): Promise<ReadableSpan[]> {
  await request();
  const deadline = Date.now() + 2000;
  while (exporter.getFinishedSpans().length < count && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 5));
  return exporter.getFinishedSpans();
}

describe("tracing plugin", () => {
  it("continues the caller's W3C trace with a server span named by the route and a child span per query", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpan = "00f067aa0ba902b7";
    const spans = await spansAfter(
      () => fetch(`${base}/items/7`, { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } }),
      2,
    );
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    const query = spans.find((s) => s.kind === SpanKind.CLIENT);
    expect(server?.name).toBe("GET /items/:id");
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(server?.parentSpanContext?.spanId).toBe(callerSpan);
    expect(server?.attributes).toMatchObject({
      "http.request.method": "GET",
      "http.route": "/items/:id",
      "url.path": "/items/7",
      "http.response.status_code": 200,
      "client.address": "127.0.0.1",
      "app.item": 7,
    });
    expect(query?.name).toBe(`SELECT ${database}`);
    expect(query?.spanContext().traceId).toBe(traceId);
    expect(query?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(query?.attributes).toMatchObject({
      "db.system.name": "postgresql",
      "db.namespace": database,
      "db.query.text": "SELECT $1::int AS id",
      "db.response.returned_rows": 1,
    });
  });

  it("starts a new trace without traceparent; 4xx leaves the span unset, 5xx and query errors mark it failed", async () => {
    const notFound = await spansAfter(() => fetch(`${base}/items/0`), 1);
    expect(notFound).toHaveLength(1);
    expect(notFound[0]?.parentSpanContext).toBeUndefined();
    expect(notFound[0]?.status.code).toBe(SpanStatusCode.UNSET);
    expect(notFound[0]?.attributes["http.response.status_code"]).toBe(404);
    expect(notFound[0]?.events).toHaveLength(0);
    exporter.reset();
    const failed = await spansAfter(() => fetch(`${base}/fail`), 2);
    const server = failed.find((s) => s.kind === SpanKind.SERVER);
    const query = failed.find((s) => s.kind === SpanKind.CLIENT);
    expect(server?.status.code).toBe(SpanStatusCode.ERROR);
    expect(server?.events.map((e) => e.name)).toContain("exception");
    expect(query?.status).toMatchObject({ code: SpanStatusCode.ERROR });
    expect(query?.status.message).toMatch(/no_such_table/);
    expect(query?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
  });

  it("names unmatched requests by method only", async () => {
    const spans = await spansAfter(() => fetch(`${base}/nowhere`), 1);
    expect(spans[0]?.name).toBe("GET");
    expect(spans[0]?.attributes["http.route"]).toBeUndefined();
  });

  it("subscribes to the channels pg-pool publishes on", () => {
    expect([PG_QUERY_START_CHANNEL, PG_QUERY_END_CHANNEL]).toEqual([QUERY_START_CHANNEL, QUERY_END_CHANNEL]);
  });
});
