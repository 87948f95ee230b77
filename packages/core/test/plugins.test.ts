import { describe, expect, it } from "vitest";
import { App, Depends, definePlugin } from "../src/index.js";

function quietApp(): App {
  return new App({ logger: false, docs: false });
}

describe("plugins", () => {
  it("keeps decorations, hooks, routes' hooks and providers of an encapsulated plugin inside it", async () => {
    const app = quietApp();
    const hookCalls: string[] = [];
    const inner = definePlugin(
      (scoped) => {
        scoped.decorate("secret", 42);
        scoped.provide("greeting", { useValue: "from plugin" });
        scoped.addHook("onRequest", (ctx) => {
          hookCalls.push(ctx.path);
        });
        scoped.get("/inside", ({ app: owner }) => ({
          secret: (owner as unknown as { secret: number }).secret,
          greeting: owner.resolve<string>("greeting"),
        }));
      },
      { name: "inner" },
    );
    app.register(inner);
    app.get("/outside", ({ app: owner }) => ({ hasSecret: "secret" in owner }));
    const insideRes = await app.inject({ url: "/inside" });
    expect(insideRes.json()).toEqual({ secret: 42, greeting: "from plugin" });
    expect((await app.inject({ url: "/outside" })).json()).toEqual({ hasSecret: false });
    expect(hookCalls).toEqual(["/inside"]);
    expect("secret" in app).toBe(false);
    expect(() => app.resolve("greeting")).toThrow(/Cannot resolve greeting/);
  });

  it("applies a global plugin's registrations to the app that registered it", async () => {
    const app = quietApp();
    const hookCalls: string[] = [];
    app.register(
      definePlugin(
        (target) => {
          target.decorate("shared", "yes");
          target.provide("config", { useValue: { port: 1 } });
          target.addHook("onRequest", (ctx) => {
            hookCalls.push(ctx.path);
          });
        },
        { name: "globalish", global: true },
      ),
    );
    app.get("/root", () => "ok");
    await app.inject({ url: "/root" });
    expect(hookCalls).toEqual(["/root"]);
    expect((app as unknown as { shared: string }).shared).toBe("yes");
    expect(app.resolve("config")).toEqual({ port: 1 });
  });

  it("lets a child scope see its parent's decorations, hooks and providers", async () => {
    const app = quietApp();
    app.decorate("version", "1.2.3");
    app.provide("db", { useValue: "the-db" });
    const seen: string[] = [];
    app.addHook("onRequest", () => {
      seen.push("parent hook");
    });
    app.register((child) => {
      child.addHook("onRequest", () => {
        seen.push("child hook");
      });
      child.get("/c", { deps: { db: Depends("db") } }, ({ app: owner, deps }) => ({
        version: (owner as unknown as { version: string }).version,
        db: deps.db,
      }));
    });
    expect((await app.inject({ url: "/c" })).json()).toEqual({ version: "1.2.3", db: "the-db" });
    expect(seen).toEqual(["parent hook", "child hook"]);
  });

  it("keeps request decorations inside the plugin that declared them", async () => {
    const app = quietApp();
    app.register((child) => {
      child.decorateRequest("user", () => ({ name: "anon" }));
      child.get("/in", (ctx) => ({ user: (ctx as unknown as { user: unknown }).user }));
    });
    app.get("/out", (ctx) => ({ has: "user" in ctx }));
    expect((await app.inject({ url: "/in" })).json()).toEqual({ user: { name: "anon" } });
    expect((await app.inject({ url: "/out" })).json()).toEqual({ has: false });
  });

  it("fails ready() with a clear error when a dependency plugin is missing", async () => {
    const app = quietApp();
    app.register(definePlugin(() => undefined, { name: "needs-db", dependencies: ["db"] }));
    await expect(app.ready()).rejects.toThrow(
      'plugin "needs-db" needs plugin "db", which is not registered before it',
    );
  });

  it("accepts a dependency registered earlier", async () => {
    const app = quietApp();
    app.register(definePlugin(() => undefined, { name: "db" }));
    app.register(definePlugin(() => undefined, { name: "repo", dependencies: ["db"] }));
    await expect(app.ready()).resolves.toBeUndefined();
  });

  it("runs async plugin init in registration order, nested plugins after their parent", async () => {
    const app = quietApp();
    const order: string[] = [];
    const slow = definePlugin<{ label: string }>(async (scoped, options) => {
      await new Promise((r) => setTimeout(r, 20));
      order.push(options.label);
      scoped.register(async () => {
        order.push(`${options.label}/nested`);
      });
    });
    app.register(slow, { label: "first" });
    app.register(async () => {
      order.push("second");
    });
    await app.ready();
    expect(order).toEqual(["first", "first/nested", "second"]);
  });

  it("reports the failing plugin by name", async () => {
    const app = quietApp();
    app.register(
      definePlugin(
        async () => {
          throw new Error("no connection");
        },
        { name: "pg" },
      ),
    );
    await expect(app.ready()).rejects.toThrow('plugin "pg" failed to start: no connection');
  });

  it("refuses to decorate the same name twice", () => {
    const app = quietApp();
    app.decorate("thing", 1);
    expect(() => app.decorate("thing", 2)).toThrow(/already taken/);
    expect(() => app.decorate("get", 2)).toThrow(/already taken/);
    app.decorateRequest("user", () => null);
    expect(() => app.decorateRequest("user", () => null)).toThrow(/already taken/);
    expect(() => app.decorateRequest("params", () => null)).toThrow(/already taken/);
  });

  it("refuses routes registered after ready()", async () => {
    const app = quietApp();
    await app.ready();
    expect(() => app.get("/late", () => 1)).toThrow(/before app.ready/);
  });
});
