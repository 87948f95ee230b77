import { describe, expect, it } from "vitest";
import { App } from "../src/index.js";

describe("request context", () => {
  it("exposes method, url, path, headers, request and a per-request state", async () => {
    const app = new App({ logger: false, docs: false });
    app.addHook("onRequest", (ctx) => {
      ctx.state.startedBy = "hook";
    });
    app.post("/p/:id", (ctx) => ({
      method: ctx.method,
      url: ctx.url,
      path: ctx.path,
      agent: ctx.headers["user-agent"],
      viaRequest: ctx.request.header("user-agent"),
      state: ctx.state,
      body: ctx.body,
    }));
    const res = await app.inject({
      method: "POST",
      url: "/p/1?q=2",
      headers: { "User-Agent": "tester" },
      body: { a: 1 },
    });
    expect(res.json()).toEqual({
      method: "POST",
      url: "/p/1?q=2",
      path: "/p/1",
      agent: "tester",
      viaRequest: "tester",
      state: { startedBy: "hook" },
      body: { a: 1 },
    });
  });

  it("numbers requests when the client sends no x-request-id", async () => {
    const app = new App({ logger: false, docs: false });
    app.get("/", (ctx) => ctx.id);
    const first = await app.inject({ url: "/" });
    const second = await app.inject({ url: "/" });
    expect(Number(second.body)).toBe(Number(first.body) + 1);
    expect((await app.inject({ url: "/", headers: { "x-request-id": "given" } })).body).toBe("given");
  });

  it("initialises request decorations per request", async () => {
    const app = new App({ logger: false, docs: false });
    app.decorateRequest("visits", () => [] as string[]);
    app.addHook("preHandler", (ctx) => {
      (ctx as unknown as { visits: string[] }).visits.push("preHandler");
    });
    app.get("/", (ctx) => (ctx as unknown as { visits: string[] }).visits);
    expect((await app.inject({ url: "/" })).json()).toEqual(["preHandler"]);
    expect((await app.inject({ url: "/" })).json()).toEqual(["preHandler"]);
  });

  it("initialises request decorations on body-reading routes too, and answers 500 when an init throws", async () => {
    const app = new App({ logger: false, docs: false });
    app.decorateRequest("tenant", () => "acme");
    app.post("/p", (ctx) => ({ tenant: (ctx as unknown as { tenant: string }).tenant, body: ctx.body }));
    app.delete("/d", (ctx) => (ctx as unknown as { tenant: string }).tenant);
    app.register((scoped) => {
      scoped.decorateRequest("broken", () => {
        throw new Error("init failed");
      });
      scoped.get("/broken", () => "never");
    });
    expect((await app.inject({ method: "POST", url: "/p", body: { a: 1 } })).json()).toEqual({
      tenant: "acme",
      body: { a: 1 },
    });
    expect((await app.inject({ method: "DELETE", url: "/d" })).body).toBe("acme");
    expect((await app.inject({ url: "/broken" })).statusCode).toBe(500);
  });

  it("gives each plugin's routes the plugin's app as ctx.app", async () => {
    const app = new App({ logger: false, docs: false });
    app.register((scoped) => {
      scoped.decorate("label", "plugin");
      scoped.get("/in", (ctx) => (ctx.app as unknown as { label: string }).label);
    });
    app.get("/out", (ctx) => String(ctx.app === app));
    expect((await app.inject("/in")).body).toBe("plugin");
    expect((await app.inject("/out")).body).toBe("true");
  });
});
