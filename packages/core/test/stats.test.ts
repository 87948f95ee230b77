import { describe, expect, it } from "vitest";
import { App, type Transport } from "../src/index.js";

describe("stats", () => {
  it("counts requests by status class and reports latency percentiles", async () => {
    const app = new App({ logger: false, docs: false });
    app.get("/ok", () => "ok");
    app.get("/slow", async () => {
      await new Promise((r) => setTimeout(r, 80));
      return "slow";
    });
    app.get("/fail", () => {
      throw new Error("x");
    });
    for (let i = 0; i < 8; i++) await app.inject({ url: "/ok" });
    await app.inject({ url: "/slow" });
    await app.inject({ url: "/missing" });
    await app.inject({ url: "/fail" });
    const stats = app.stats();
    expect(stats.requests).toEqual({ total: 11, "1xx": 0, "2xx": 9, "3xx": 0, "4xx": 1, "5xx": 1 });
    expect(stats.inFlight).toBe(0);
    expect(stats.latencyMs.p50).toBeLessThan(50);
    expect(stats.latencyMs.p99).toBeGreaterThanOrEqual(70);
  });

  it("counts a request in flight until it is answered", async () => {
    const app = new App({ logger: false, docs: false });
    let release: () => void = () => undefined;
    app.get("/wait", () => new Promise<string>((r) => (release = () => r("done"))));
    const pending = app.inject({ url: "/wait" });
    await new Promise((r) => setTimeout(r, 10));
    expect(app.stats().inFlight).toBe(1);
    release();
    await pending;
    expect(app.stats().inFlight).toBe(0);
  });

  it("includes every transport's stats and extra sources", async () => {
    const app = new App({ logger: false, docs: false });
    const transport: Transport = {
      name: "memory",
      listen: async () => ({ host: "127.0.0.1", port: 1, scheme: "http" }),
      close: async () => undefined,
      stats: () => ({ connections: 3, activeConnections: 1, requests: 9, bytesIn: 10, bytesOut: 20 }),
    };
    app.addTransport(transport);
    app.addStatsSource("pool", () => ({ idle: 2 }));
    const stats = app.stats();
    expect(stats.transports).toEqual({
      memory: { connections: 3, activeConnections: 1, requests: 9, bytesIn: 10, bytesOut: 20 },
    });
    expect(stats.pool).toEqual({ idle: 2 });
    expect(() => app.addStatsSource("pool", () => 1)).toThrow(/already taken/);
  });
});
