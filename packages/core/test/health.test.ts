import { describe, expect, it } from "vitest";
import { App, health, type OpenApiDocument, type ReadinessReport } from "../src/index.js";

describe("health plugin", () => {
  it("answers liveness and readiness with every check's result, and keeps both out of OpenAPI", async () => {
    const app = new App({ logger: false });
    app.register(health({ checks: { postgres: () => undefined, cache: async () => "PONG" } }));
    expect((await app.inject("/healthz")).json()).toEqual({ status: "ok" });
    const ready = await app.inject("/readyz");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: "ready",
      checks: { postgres: { status: "ok" }, cache: { status: "ok" } },
    });
    const paths = Object.keys(((await app.inject("/openapi.json")).json() as OpenApiDocument).paths);
    expect(paths).not.toContain("/healthz");
    expect(paths).not.toContain("/readyz");
  });

  it("answers 503 naming the failing check, also for a check that never settles", async () => {
    const app = new App({ logger: false, docs: false });
    app.register(
      health({
        checkTimeoutMs: 30,
        checks: {
          postgres: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")),
          hung: () => new Promise(() => undefined),
          fine: () => true,
        },
      }),
    );
    const res = await app.inject("/readyz");
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: "unavailable",
      checks: {
        postgres: { status: "error", error: "connect ECONNREFUSED 127.0.0.1:1" },
        hung: { status: "error", error: "no answer within 30 ms" },
        fine: { status: "ok" },
      },
    });
  });

  it("serves configured paths and can list them in OpenAPI", async () => {
    const app = new App({ logger: false });
    app.register(health({ livenessPath: "/live", readinessPath: "/ready", includeInSchema: true }));
    expect((await app.inject("/live")).statusCode).toBe(200);
    expect((await app.inject("/ready")).statusCode).toBe(200);
    expect((await app.inject("/healthz")).statusCode).toBe(404);
    const paths = Object.keys(((await app.inject("/openapi.json")).json() as OpenApiDocument).paths);
    expect(paths).toEqual(expect.arrayContaining(["/live", "/ready"]));
  });

  it("answers readiness 503 while close() drains in-flight requests", async () => {
    const app = new App({ logger: false, docs: false, closeGraceMs: 2000 });
    app.register(health());
    let finish: () => void = () => undefined;
    app.get("/slow", () => new Promise<string>((resolve) => (finish = () => resolve("done"))));
    const slow = app.inject("/slow");
    await new Promise((r) => setTimeout(r, 5));
    const closed = app.close();
    expect((await app.inject("/readyz")).statusCode).toBe(503);
    finish();
    expect((await slow).body).toBe("done");
    await closed;
  });

  it("sheds load with 503 and Retry-After above a memory threshold, but keeps liveness up", async () => {
    const app = new App({ logger: false, docs: false });
    app.register(health({ pressure: { maxHeapUsedBytes: 1, retryAfterSeconds: 7 } }));
    app.get("/work", () => "done");
    const shed = await app.inject("/work");
    expect(shed.statusCode).toBe(503);
    expect(shed.headers["retry-after"]).toBe("7");
    expect((await app.inject("/healthz")).statusCode).toBe(200);
    expect((await app.inject("/metrics")).statusCode).toBe(404); // exempt: routed, not shed
    const ready = await app.inject("/readyz");
    expect(ready.statusCode).toBe(503);
    expect((ready.json() as ReadinessReport).pressure).toMatch(/^heap used \d+ bytes > 1$/);
    await app.close();
  });

  it("sheds load after the event loop was blocked, and recovers once it is not", async () => {
    const app = new App({ logger: false, docs: false });
    app.register(health({ pressure: { maxEventLoopDelayMs: 150, sampleIntervalMs: 100 } }));
    app.get("/work", () => "done");
    expect((await app.inject("/work")).statusCode).toBe(200);
    const until = Date.now() + 600;
    while (Date.now() < until); // a blocking handler's worth of synchronous work
    await new Promise((r) => setTimeout(r, 20));
    expect((await app.inject("/work")).statusCode).toBe(503);
    let status = 503;
    for (let tries = 0; tries < 60 && status === 503; tries++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await app.inject("/work")).statusCode;
    }
    expect(status).toBe(200);
    await app.close();
  });

  it("rejects a check that is not a function", () => {
    expect(() => health({ checks: { db: "SELECT 1" as never } })).toThrow(
      'health check "db" must be a function',
    );
  });
});
