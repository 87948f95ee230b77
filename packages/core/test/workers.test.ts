// The pieces of app.run({ workers }) that need no second thread: option validation, the restart
// backoff, the bus inside one thread and the merge of worker stats. The workers themselves are
// tested end to end in @fasterapi/http1 (test/workers.integration.test.ts).
import { threadId } from "node:worker_threads";
import { App, addWorkerCollector, workerBus } from "@fasterapi/core";
import { describe, expect, it } from "vitest";
import { mergeReports } from "../src/cluster-stats.js";
import { RestartBackoff } from "../src/restart-backoff.js";
import { resolveRunOptions } from "../src/run-options.js";
import { LatencyHistogram } from "../src/stats.js";

describe("app.run() options", () => {
  it.each([
    [{ workers: 0 }, /"workers" must be an integer >= 1, got 0/],
    [{ workers: 1.5 }, /"workers" must be an integer >= 1/],
    [{ workers: "many" as unknown as number }, /"workers" must be an integer >= 1, got many/],
    [{ mode: "fibers" as "auto" }, /"mode" must be "auto", "threads" or "processes", got fibers/],
    [{ restart: { initialDelayMs: -1 } }, /"restart.initialDelayMs" must be an integer >= 1/],
    [{ statsIntervalMs: 0 }, /"statsIntervalMs" must be an integer >= 1/],
  ])("rejects %j before starting anything", async (options, message) => {
    await expect(new App().run(options)).rejects.toThrow(message);
  });

  it("fails the start clearly when the module never calls app.run(), and refuses a second run()", async () => {
    const app = new App({ logger: false });
    // A real worker thread running a module that builds nothing and ends.
    const module = new URL("data:text/javascript,");
    await expect(app.run({ workers: 1, module, signals: false })).rejects.toThrow(
      "worker 0 exited before listening (exit code 0)",
    );
    await expect(app.run({ workers: 1 })).rejects.toThrow(/already called/);
  });

  it('"auto" runs one worker per core and defaults the module to the main one', () => {
    const resolved = resolveRunOptions({ workers: "auto" });
    expect(resolved.workers).toBeGreaterThanOrEqual(1);
    expect(resolved.module.protocol).toBe("file:");
    expect(resolveRunOptions({ workers: 3, module: "/srv/app.js" }).module.href).toBe("file:///srv/app.js");
  });
});

describe("RestartBackoff", () => {
  it("doubles up to the bound while a worker keeps dying young, and resets after a long life", () => {
    const backoff = new RestartBackoff({ initialDelayMs: 100, maxDelayMs: 500, resetAfterMs: 1000 });
    expect([10, 10, 10, 10, 10].map((uptime) => backoff.next(uptime))).toEqual([100, 200, 400, 500, 500]);
    expect(backoff.next(5000)).toBe(100);
    expect(backoff.consecutiveFailures).toBe(1);
  });
});

describe("workerBus() in one thread", () => {
  it("delivers to the topic's subscribers (bytes as Buffer) until they unsubscribe", () => {
    const got: unknown[] = [];
    const off = workerBus().subscribe("t1", (data, topic) => got.push([topic, data]));
    workerBus().publish("t1", "a");
    workerBus().publish("t1", new Uint8Array([7, 8]));
    workerBus().publish("other", "not for t1");
    expect(workerBus().subscribers("t1")).toBe(1);
    off();
    workerBus().publish("t1", "after");
    expect(got).toEqual([
      ["t1", "a"],
      ["t1", Buffer.from([7, 8])],
    ]);
    expect(Buffer.isBuffer((got[1] as unknown[])[1])).toBe(true);
    expect(workerBus().subscribers("t1")).toBe(0);
  });

  it("rejects a bad topic or payload with a clear error", () => {
    expect(() => workerBus().publish("", "x")).toThrow(/topic must be a non-empty string/);
    expect(() => workerBus().publish("t", { a: 1 } as unknown as string)).toThrow(
      /must be a string, a Buffer/,
    );
  });
});

describe("mergeReports", () => {
  it("sums counters and transport fields and reads percentiles from the summed histogram", () => {
    const fast = new LatencyHistogram();
    const slow = new LatencyHistogram();
    for (let i = 0; i < 99; i++) fast.record(1);
    slow.record(100);
    const stats = (total: number, requests: number, pool: object) => ({
      requests: { total, "1xx": 0, "2xx": total, "3xx": 0, "4xx": 0, "5xx": 0 },
      inFlight: 1,
      latencyMs: { p50: 0, p99: 0 },
      transports: { http1: { connections: 1, activeConnections: 1, requests, bytesIn: 10, bytesOut: 20 } },
      pool,
    });
    const merged = mergeReports([
      { stats: stats(99, 99, { max: 3, name: "a" }), latencyBuckets: fast.buckets(), collected: {} },
      { stats: stats(1, 1, { max: 2, name: "b" }), latencyBuckets: slow.buckets(), collected: {} },
    ]);
    expect(merged.requests.total).toBe(100);
    expect(merged.inFlight).toBe(2);
    expect(merged.transports.http1).toEqual({
      connections: 2,
      activeConnections: 2,
      requests: 100,
      bytesIn: 20,
      bytesOut: 40,
    });
    expect(merged.pool).toEqual({ max: 5, name: "a" });
    expect(merged.latencyMs.p50).toBeCloseTo(1, 0);
    expect(merged.latencyMs.p99).toBeCloseTo(1, 0);
    expect(mergeReports([]).requests.total).toBe(0);
  });
});

describe("app.collectStats() in a single process", () => {
  it("answers with itself as the only row, with what the collectors (sync or async) returned", async () => {
    const app = new App({ logger: false });
    app.get("/", () => "ok");
    addWorkerCollector(app, "snapshot", async () => [{ name: "m", value: 1 }]);
    addWorkerCollector(app, "broken", () => {
      throw new Error("no snapshot");
    });
    expect(() => addWorkerCollector(app, "snapshot", () => 1)).toThrow(/"snapshot" is already taken/);
    await app.inject("/");
    const stats = await app.collectStats();
    expect(stats.requests.total).toBe(1);
    expect(stats.workers).toEqual([
      {
        id: 0,
        kind: "process",
        pid: process.pid,
        threadId,
        restarts: 0,
        stats: app.stats(),
        collected: { snapshot: [{ name: "m", value: 1 }], broken: { error: "no snapshot" } },
      },
    ]);
  });
});
