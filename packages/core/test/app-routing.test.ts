import { Type as t } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { App, Controller, Depends, Get, Injectable, Post, Router } from "../src/index.js";

function quietApp(): App {
  return new App({ logger: false, docs: false });
}

describe("routing", () => {
  it("answers 404 with FastAPI's detail for an unknown path", async () => {
    const app = quietApp();
    app.get("/items", () => []);
    const res = await app.inject({ url: "/nothing-here" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ detail: "Not Found" });
  });

  it("answers 405 with an Allow header listing the path's methods", async () => {
    const app = quietApp();
    app.get("/items", () => []);
    app.post("/items", () => ({}));
    const res = await app.inject({ method: "DELETE", url: "/items" });
    expect(res.statusCode).toBe(405);
    expect(res.json()).toEqual({ detail: "Method Not Allowed" });
    expect(res.headers.allow).toBe("GET, HEAD, POST");
  });

  it("answers HEAD for a GET route with the same headers and no body", async () => {
    const app = quietApp();
    let calls = 0;
    app.get("/doc", ({ reply }) => {
      calls++;
      reply.header("x-version", "7");
      return { hello: "world" };
    });
    const get = await app.inject({ url: "/doc" });
    const head = await app.inject({ method: "HEAD", url: "/doc" });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers["content-length"]).toBe(get.headers["content-length"]);
    expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
    expect(head.headers["x-version"]).toBe("7");
    expect(calls).toBe(2);
  });

  it("prefers an explicit HEAD route over the automatic one", async () => {
    const app = quietApp();
    app.get("/r", () => "get");
    app.head("/r", ({ reply }) => {
      reply.header("x-explicit", "yes");
    });
    const res = await app.inject({ method: "HEAD", url: "/r" });
    expect(res.headers["x-explicit"]).toBe("yes");
  });

  it("passes path parameters and the wildcard remainder", async () => {
    const app = quietApp();
    app.get("/users/:userId/posts/:postId", ({ params }) => params);
    app.get("/files/*", ({ params }) => ({ rest: params["*"] }));
    expect((await app.inject({ url: "/users/5/posts/abc" })).json()).toEqual({ userId: "5", postId: "abc" });
    expect((await app.inject({ url: "/files/a/b/c.txt" })).json()).toEqual({ rest: "a/b/c.txt" });
  });

  it("coerces and validates path parameters with a schema", async () => {
    const app = quietApp();
    app.get("/items/:id", { params: t.Object({ id: t.Integer() }) }, ({ params }) => ({
      doubled: params.id * 2,
    }));
    expect((await app.inject({ url: "/items/21" })).json()).toEqual({ doubled: 42 });
    const bad = await app.inject({ url: "/items/x" });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ detail: { loc: unknown[] }[] }>().detail[0]?.loc).toEqual(["path", "id"]);
  });

  it("parses the query string lazily and coerces it with a schema", async () => {
    const app = quietApp();
    app.get("/raw", ({ query }) => query);
    app.get(
      "/typed",
      { query: t.Object({ limit: t.Integer({ default: 10 }), tag: t.Optional(t.Array(t.String())) }) },
      ({ query }) => query,
    );
    expect((await app.inject({ url: "/raw?a=1&b=x&b=y" })).json()).toEqual({ a: "1", b: ["x", "y"] });
    expect((await app.inject({ url: "/typed?tag=a" })).json()).toEqual({ limit: 10, tag: ["a"] });
    expect((await app.inject({ url: "/typed", query: { limit: 3 } })).json()).toEqual({ limit: 3 });
  });

  it("serves every method that has no route of its own through app.all", async () => {
    const app = quietApp();
    app.all("/any", ({ method }) => ({ method }));
    app.get("/any", () => ({ method: "explicit GET" }));
    expect((await app.inject({ method: "PATCH", url: "/any" })).json()).toEqual({ method: "PATCH" });
    expect((await app.inject({ method: "GET", url: "/any" })).json()).toEqual({ method: "explicit GET" });
  });

  it("rejects a duplicate route at registration", () => {
    const app = quietApp();
    app.get("/a/:id", () => 1);
    expect(() => app.get("/a/:name", () => 2)).toThrow(/already registered/);
  });

  it("mounts a Router under its prefix with its tags and dependencies", async () => {
    const app = quietApp();
    const user = Depends(() => "alice");
    const items = new Router({ prefix: "/items", tags: ["items"], deps: { user } });
    items.get("/", ({ deps }) => ({ list: true, user: deps.user }));
    items.get("/:id", ({ params, deps }) => ({ id: params.id, user: deps.user }));
    const nested = new Router({ prefix: "/v1" });
    nested.include(items);
    app.include(nested);
    expect((await app.inject({ url: "/v1/items" })).json()).toEqual({ list: true, user: "alice" });
    expect((await app.inject({ url: "/v1/items/9" })).json()).toEqual({ id: "9", user: "alice" });
    expect((await app.inject({ url: "/items/9" })).statusCode).toBe(404);
  });

  it("resolves controllers through the container with constructor injection", async () => {
    class Greeter {
      greet(name: string): string {
        return `hello ${name}`;
      }
    }
    @Controller("/users", { tags: ["users"] })
    class Users {
      constructor(private readonly greeter: Greeter) {}

      @Get("/:name")
      hello(ctx: { params: Record<string, string> }) {
        return { text: this.greeter.greet(ctx.params.name ?? "") };
      }

      @Post("/", { body: t.Object({ name: t.String() }) })
      create(ctx: { body: { name: string }; reply: { status(n: number): unknown } }) {
        ctx.reply.status(201);
        return { created: ctx.body.name };
      }
    }
    const app = quietApp();
    const greeter = new Greeter();
    greeter.greet = (name) => `hi ${name}`;
    app.provide(Greeter, { useValue: greeter });
    app.include(Users);
    expect((await app.inject({ url: "/users/bob" })).json()).toEqual({ text: "hi bob" });
    const created = await app.inject({ method: "POST", url: "/users", body: { name: "eve" } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ created: "eve" });
  });

  it("injects constructor dependencies through @Injectable services", async () => {
    class Database {
      readonly name = "main-db";
    }
    @Injectable()
    class Repository {
      constructor(readonly db: Database) {}
    }
    @Controller("/repo")
    class RepoController {
      constructor(private readonly repo: Repository) {}

      @Get("/")
      where() {
        return { db: this.repo.db.name };
      }
    }
    const app = quietApp();
    app.provide(Database, { useClass: Database });
    app.provide(Repository, { useClass: Repository });
    app.include(RepoController);
    expect((await app.inject({ url: "/repo" })).json()).toEqual({ db: "main-db" });
    expect(app.resolve(Repository)).toBe(app.resolve(Repository));
  });

  it("refuses include() of a class without @Controller", () => {
    const app = quietApp();
    class Plain {}
    expect(() => app.include(Plain)).toThrow(/@Controller/);
  });
});
