import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { App, Depends, HTTPException, withTeardown } from "../src/index.js";

function quietApp(): App {
  return new App({ logger: false, docs: false });
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe("Depends", () => {
  it("resolves a dependency once per request, shared by sub-dependencies", async () => {
    const app = quietApp();
    let calls = 0;
    const counter = Depends(() => ++calls);
    const doubled = Depends((_ctx, n: number) => n * 2, { deps: [counter] });
    app.get("/", { deps: { counter, doubled } }, ({ deps }) => deps);
    expect((await app.inject({ url: "/" })).json()).toEqual({ counter: 1, doubled: 2 });
    expect((await app.inject({ url: "/" })).json()).toEqual({ counter: 2, doubled: 4 });
    expect(calls).toBe(2);
  });

  it("shares one result per request between separate Depends() of the same function", async () => {
    const app = quietApp();
    let calls = 0;
    const getUser = () => ({ n: ++calls });
    const audit = Depends((_ctx, user: { n: number }) => `audit ${user.n}`, { deps: [Depends(getUser)] });
    app.get("/", { deps: { user: Depends(getUser), audit } }, ({ deps }) => deps);
    expect((await app.inject({ url: "/" })).json()).toEqual({ user: { n: 1 }, audit: "audit 1" });
  });

  it("resolves again at every use with cache: false", async () => {
    const app = quietApp();
    let calls = 0;
    const fresh = Depends(() => ++calls, { cache: false });
    const sum = Depends((_ctx, a: number, b: number) => a + b, { deps: [fresh, fresh] });
    app.get("/", { deps: { sum } }, ({ deps }) => deps);
    expect((await app.inject({ url: "/" })).json()).toEqual({ sum: 3 });
  });

  it("passes the request context and awaits async dependencies", async () => {
    const app = quietApp();
    const token = Depends(async (ctx) => {
      const header = ctx.request.header("authorization");
      if (header === undefined)
        throw new HTTPException(401, "Not authenticated", { "www-authenticate": "Bearer" });
      return header.replace("Bearer ", "");
    });
    const user = Depends(async (_ctx, t: string) => ({ name: `user-${t}` }), { deps: [token] });
    app.get("/me", { deps: { user } }, ({ deps }) => deps.user);
    expect((await app.inject({ url: "/me", headers: { authorization: "Bearer 7" } })).json()).toEqual({
      name: "user-7",
    });
    const denied = await app.inject({ url: "/me" });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers["www-authenticate"]).toBe("Bearer");
  });

  it("resolves container tokens, request-scoped ones once per request", async () => {
    const app = quietApp();
    let built = 0;
    class RequestClock {
      readonly id = ++built;
    }
    app.provide(RequestClock, { useClass: RequestClock }, { scope: "request" });
    app.provide("config", { useFactory: () => ({ name: "cfg" }) });
    const viaDep = Depends((_ctx, clock: RequestClock) => clock.id, { deps: [Depends(RequestClock)] });
    app.get(
      "/",
      { deps: { clock: Depends(RequestClock), viaDep, config: Depends("config") } },
      ({ deps }) => ({
        clock: deps.clock.id,
        viaDep: deps.viaDep,
        config: deps.config,
      }),
    );
    expect((await app.inject({ url: "/" })).json()).toEqual({ clock: 1, viaDep: 1, config: { name: "cfg" } });
    expect((await app.inject({ url: "/" })).json()).toEqual({ clock: 2, viaDep: 2, config: { name: "cfg" } });
    expect(() => app.resolve(RequestClock)).toThrow(/request-scoped/);
  });

  it("runs the code after yield once the response was sent", async () => {
    const app = quietApp();
    const events: string[] = [];
    const conn = Depends(async function* () {
      events.push("acquire");
      try {
        yield { query: () => "row" };
      } finally {
        events.push("release");
      }
    });
    app.get("/", { deps: { conn } }, ({ deps }) => {
      events.push("handler");
      return deps.conn.query();
    });
    const res = await app.inject({ url: "/" });
    expect(res.body).toBe("row");
    await waitFor(() => events.includes("release"));
    expect(events).toEqual(["acquire", "handler", "release"]);
  });

  it("runs generator teardown also when the handler throws", async () => {
    const app = quietApp();
    const events: string[] = [];
    const resource = Depends(function* () {
      events.push("open");
      yield "r";
      events.push("close");
    });
    app.get("/", { deps: { resource } }, () => {
      throw new HTTPException(400, "bad");
    });
    const res = await app.inject({ url: "/" });
    expect(res.statusCode).toBe(400);
    await waitFor(() => events.includes("close"));
    expect(events).toEqual(["open", "close"]);
  });

  it("runs withTeardown disposers after the response, last acquired first", async () => {
    const app = quietApp();
    const events: string[] = [];
    const a = Depends(() => withTeardown("a", () => events.push("dispose a")));
    const b = Depends(
      async (_ctx, av: string) => withTeardown(`${av}b`, async () => events.push("dispose b")),
      { deps: [a] },
    );
    app.get("/", { deps: { b } }, ({ deps }) => {
      events.push(`handler ${deps.b}`);
      return deps.b;
    });
    await app.inject({ url: "/" });
    await waitFor(() => events.length === 3);
    expect(events).toEqual(["handler ab", "dispose b", "dispose a"]);
  });

  it("logs a failing teardown without touching the response or the other teardowns", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const app = new App({ logger: pino({ level: "info" }, stream), logRequests: false, docs: false });
    const events: string[] = [];
    const first = Depends(() => withTeardown(1, () => events.push("first disposed")));
    const second = Depends(() =>
      withTeardown(2, () => {
        throw new Error("dispose failed");
      }),
    );
    app.get("/", { deps: { first, second } }, ({ deps }) => deps.first + deps.second);
    const res = await app.inject({ url: "/" });
    expect(res.body).toBe("3");
    await waitFor(() => events.length === 1 && lines.length === 1);
    expect(events).toEqual(["first disposed"]);
    expect(JSON.parse(lines[0] as string).msg).toBe("dependency teardown failed");
  });

  it("builds request-scoped factories of a plugin once per request, from the plugin's container", async () => {
    const app = quietApp();
    let built = 0;
    app.register((scoped) => {
      scoped.provide("prefix", { useValue: "tx" });
      scoped.provide(
        "tx",
        { useFactory: (resolve) => `${resolve<string>("prefix")}-${++built}` },
        { scope: "request" },
      );
      scoped.get("/tx", { deps: { a: Depends("tx"), b: Depends("tx") } }, ({ deps }) => deps);
    });
    expect((await app.inject({ url: "/tx" })).json()).toEqual({ a: "tx-1", b: "tx-1" });
    expect((await app.inject({ url: "/tx" })).json()).toEqual({ a: "tx-2", b: "tx-2" });
  });

  it("uses overrideDependency replacements, for functions and tokens", async () => {
    const app = quietApp();
    const realUser = Depends(() => "real");
    app.provide("mailer", { useValue: "smtp" });
    app.get("/", { deps: { user: realUser, mailer: Depends("mailer") } }, ({ deps }) => deps);
    expect((await app.inject({ url: "/" })).json()).toEqual({ user: "real", mailer: "smtp" });
    app.overrideDependency(realUser, () => "fake");
    app.overrideDependency(
      "mailer",
      Depends(() => "memory"),
    );
    expect((await app.inject({ url: "/" })).json()).toEqual({ user: "fake", mailer: "memory" });
    app.clearDependencyOverrides();
    expect((await app.inject({ url: "/" })).json()).toEqual({ user: "real", mailer: "smtp" });
  });

  it("fails ready() naming the cycle", async () => {
    const app = quietApp();
    const a: ReturnType<typeof Depends> = Depends(function a(_ctx, _b: unknown) {}, { deps: () => [b] });
    const b: ReturnType<typeof Depends> = Depends(function b(_ctx, _a: unknown) {}, { deps: () => [a] });
    app.get("/", { deps: { a } }, () => "never");
    await expect(app.ready()).rejects.toThrow("dependency cycle: a -> b -> a");
  });

  it("fails ready() when a route depends on a token nothing provides in its scope", async () => {
    const app = quietApp();
    app.register((scoped) => {
      scoped.provide("inner-db", { useValue: 1 });
    });
    app.get("/", { deps: { db: Depends("inner-db") } }, () => "never");
    await expect(app.ready()).rejects.toThrow("Route GET /: Depends(inner-db): nothing provides this token");
  });

  it("answers 500 when a dependency throws an unexpected error", async () => {
    const app = quietApp();
    const broken = Depends(() => {
      throw new Error("db down");
    });
    app.get("/", { deps: { broken } }, () => "never");
    const res = await app.inject({ url: "/" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ detail: "Internal Server Error" });
  });
});
