import { describe, expect, it } from "vitest";
import { App, type RequestHandler, type Transport } from "../src/index.js";

describe("listen and close", () => {
  it("lets an in-flight request complete before close() resolves, then runs shutdown hooks in reverse", async () => {
    const app = new App({ logger: false, docs: false, closeGraceMs: 2000 });
    const events: string[] = [];
    app.onEvent("shutdown", () => {
      events.push("shutdown 1");
    });
    app.addHook("onClose", async () => {
      events.push("onClose 2");
    });
    app.get("/work", async () => {
      await new Promise((r) => setTimeout(r, 50));
      events.push("request done");
      return "finished";
    });
    const pending = app.inject({ url: "/work" });
    await new Promise((r) => setTimeout(r, 5));
    await app.close();
    events.push("closed");
    const res = await pending;
    expect(res.body).toBe("finished");
    expect(events).toEqual(["request done", "onClose 2", "shutdown 1", "closed"]);
  });

  it("answers 503 to requests that arrive while closing", async () => {
    const app = new App({ logger: false, docs: false });
    app.get("/", () => "ok");
    await app.ready();
    await app.close();
    expect((await app.inject({ url: "/" })).statusCode).toBe(503);
  });

  it("stops waiting after closeGraceMs", async () => {
    const app = new App({ logger: false, docs: false, closeGraceMs: 30 });
    app.get("/forever", () => new Promise(() => undefined));
    void app.inject({ url: "/forever" });
    await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(app.stats().inFlight).toBe(1);
  });

  it("starts every transport with the request handler and closes them with the grace period", async () => {
    const app = new App({ logger: false, docs: false, closeGraceMs: 1234 });
    const calls: string[] = [];
    let handler: RequestHandler | undefined;
    const transport = (name: string, port: number): Transport => ({
      name,
      async listen(h) {
        handler = h;
        calls.push(`listen ${name}`);
        return { host: "127.0.0.1", port, scheme: "http" };
      },
      async close(graceMs) {
        calls.push(`close ${name} ${graceMs}`);
      },
      stats: () => ({ connections: 0, activeConnections: 0, requests: 0, bytesIn: 0, bytesOut: 0 }),
    });
    app.register((scoped) => {
      scoped.addTransport(transport("a", 1));
    });
    app.addTransport(transport("b", 2));
    app.addHook("onListen", () => {
      calls.push("onListen");
    });
    const addresses = await app.listen();
    expect(addresses.map((a) => a.port).sort()).toEqual([1, 2]);
    expect(calls).toEqual(["listen b", "listen a", "onListen"]);
    expect(handler).toBe(app.handler);
    await app.close();
    expect(calls.slice(3).sort()).toEqual(["close a 1234", "close b 1234"]);
  });

  it("refuses listen() without a transport", async () => {
    const app = new App({ logger: false, docs: false });
    await expect(app.listen()).rejects.toThrow(/no transport registered/);
  });
});
