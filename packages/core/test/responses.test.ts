import { Readable } from "node:stream";
import { Type as t } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { App, FLUSH } from "../src/index.js";

function quietApp(): App {
  return new App({ logger: false, docs: false });
}

describe("responses", () => {
  it("drops fields the response schema does not declare", async () => {
    const app = quietApp();
    const User = t.Object({ id: t.Integer(), name: t.String() });
    app.get("/user", { response: { 200: User } }, () => ({ id: 1, name: "ann", password: "secret" }));
    const res = await app.inject({ url: "/user" });
    expect(res.json()).toEqual({ id: 1, name: "ann" });
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
  });

  it("picks the response schema for the status the handler set", async () => {
    const app = quietApp();
    app.post(
      "/things",
      { response: { 201: t.Object({ id: t.Integer() }), 200: t.Object({ other: t.String() }) } },
      ({ reply }) => {
        reply.status(201);
        return { id: 4, internal: true };
      },
    );
    const res = await app.inject({ method: "POST", url: "/things" });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id: 4 });
  });

  it("answers with the route's default status and its response schema", async () => {
    const app = quietApp();
    app.post("/items", { status: 201, response: { 201: t.Object({ id: t.Integer() }) } }, () => ({
      id: 9,
      secret: 1,
    }));
    app.post("/fails", { status: 201 }, () => {
      throw new Error("x");
    });
    const created = await app.inject({ method: "POST", url: "/items" });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ id: 9 });
    expect((await app.inject({ method: "POST", url: "/fails" })).statusCode).toBe(500);
    expect(() => quietApp().get("/bad", { status: 42 }, () => 1)).toThrow(/status must be an integer/);
  });

  it("sends strings as text/plain and Buffers as octet-stream with content-length", async () => {
    const app = quietApp();
    app.get("/text", () => "héllo");
    app.get("/bytes", () => Buffer.from([1, 2, 3]));
    const text = await app.inject({ url: "/text" });
    expect(text.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(text.headers["content-length"]).toBe("6");
    expect(text.body).toBe("héllo");
    const bytes = await app.inject({ url: "/bytes" });
    expect(bytes.headers["content-type"]).toBe("application/octet-stream");
    expect([...bytes.rawBody]).toEqual([1, 2, 3]);
  });

  it("answers an empty body for undefined and honours reply.status(204)", async () => {
    const app = quietApp();
    app.get("/empty", () => undefined);
    app.delete("/gone", ({ reply }) => {
      reply.status(204);
    });
    const empty = await app.inject({ url: "/empty" });
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toBe("");
    expect(empty.headers["content-length"]).toBe("0");
    const gone = await app.inject({ method: "DELETE", url: "/gone" });
    expect(gone.statusCode).toBe(204);
    expect(gone.headers["content-length"]).toBeUndefined();
  });

  it("streams an async iterable and skips FLUSH markers", async () => {
    const app = quietApp();
    app.get("/events", async function* ({ reply }) {
      reply.type("text/event-stream");
      yield "data: 1\n\n";
      yield FLUSH;
      yield Buffer.from("data: 2\n\n");
    });
    const res = await app.inject({ url: "/events" });
    expect(res.headers["content-type"]).toBe("text/event-stream");
    expect(res.headers["content-length"]).toBeUndefined();
    expect(res.body).toBe("data: 1\n\ndata: 2\n\n");
  });

  it("answers 500 when a streamed body fails before its first chunk", async () => {
    const app = quietApp();
    app.get("/broken", async function* () {
      throw new Error("no data source");
      // biome-ignore lint/correctness/noUnreachable: the generator must be one to be streamed
      yield "never";
    });
    const res = await app.inject({ url: "/broken" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ detail: "Internal Server Error" });
  });

  it("answers HEAD for a streamed GET route with headers only, without pulling the body", async () => {
    const app = quietApp();
    let pulled = false;
    app.get("/feed", async function* () {
      pulled = true;
      yield "data";
    });
    const res = await app.inject({ method: "HEAD", url: "/feed" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/octet-stream");
    expect(res.body).toBe("");
    expect(pulled).toBe(false);
  });

  it("streams a Readable", async () => {
    const app = quietApp();
    app.get("/file", () => Readable.from([Buffer.from("chunk-a,"), Buffer.from("chunk-b")]));
    expect((await app.inject({ url: "/file" })).body).toBe("chunk-a,chunk-b");
  });

  it("waits for each stream write to resolve before pulling the next chunk (backpressure)", async () => {
    const app = quietApp();
    const pulled: number[] = [];
    app.get("/slow-consumer", async function* () {
      for (let i = 0; i < 3; i++) {
        pulled.push(i);
        yield `${i}`;
      }
    });
    await app.ready();
    const writes: string[] = [];
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      app.handler(
        {
          method: "GET",
          url: "/slow-consumer",
          protocol: "test",
          remoteAddress: "127.0.0.1",
          hasBody: false,
          header: () => undefined,
          headers: () => ({}),
          body: async () => Buffer.alloc(0),
          bodyStream: async function* () {},
          onAbort: () => undefined,
        },
        {
          aborted: false,
          send: () => undefined,
          stream: () => ({
            write(chunk) {
              writes.push(String(chunk));
              return new Promise<void>((r) => {
                release = r;
              });
            },
            end: () => resolve(),
          }),
        },
      );
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(writes).toEqual(["0"]);
    expect(pulled).toEqual([0]);
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(writes).toEqual(["0", "1"]);
    release();
    await new Promise((r) => setTimeout(r, 10));
    release();
    await done;
    expect(writes).toEqual(["0", "1", "2"]);
  });

  it("sets status, headers, cookies and content type through ctx.reply", async () => {
    const app = quietApp();
    app.get("/r", ({ reply }) => {
      reply
        .status(202)
        .header("x-a", "1")
        .header("set-cookie", "a=1")
        .header("set-cookie", "b=2")
        .type("application/vnd.x+json");
      expect(reply.getHeader("X-A")).toBe("1");
      expect(reply.hasHeader("x-missing")).toBe(false);
      reply.header("x-remove", "me").removeHeader("x-remove");
      return { ok: true };
    });
    const res = await app.inject({ url: "/r" });
    expect(res.statusCode).toBe(202);
    expect(res.headers["x-a"]).toBe("1");
    expect(res.headers["x-remove"]).toBeUndefined();
    expect(res.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(res.headers["content-type"]).toBe("application/vnd.x+json");
    expect(res.json()).toEqual({ ok: true });
  });

  it("keeps a content-length the handler set for an explicit HEAD route", async () => {
    const app = quietApp();
    app.head("/file", ({ reply }) => {
      reply.type("application/pdf").header("content-length", 12345);
    });
    const res = await app.inject({ method: "HEAD", url: "/file" });
    expect(res.headers["content-length"]).toBe("12345");
    expect(res.body).toBe("");
  });

  it("redirects with reply.redirect", async () => {
    const app = quietApp();
    app.get("/old", ({ reply }) => reply.redirect("/new", 301));
    const res = await app.inject({ url: "/old" });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe("/new");
    expect(res.body).toBe("");
  });

  it("serializes the value of reply.send() returned from a handler", async () => {
    const app = quietApp();
    app.get("/s", async ({ reply }) => reply.status(201).send({ sent: true }));
    const res = await app.inject({ url: "/s" });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ sent: true });
  });
});

describe("response header checks", () => {
  it("answers 500 when a handler sets a header value containing CR, LF or NUL (no header splitting)", async () => {
    const app = new App({ logger: false });
    app.get("/split", ({ reply }) => {
      reply.header("x-note", "a\r\nx-evil: yes");
      return "never";
    });
    app.get("/nul", ({ reply }) => {
      reply.header("x-note", "a\0b");
      return "never";
    });
    app.get("/ok", ({ reply }) => {
      reply.header("x-note", "tab\tand text");
      return "fine";
    });
    for (const url of ["/split", "/nul"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode).toBe(500);
      expect(res.headers["x-evil"]).toBeUndefined();
      expect(res.json()).toEqual({ detail: "Internal Server Error" });
    }
    const ok = await app.inject({ method: "GET", url: "/ok" });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers["x-note"]).toBe("tab\tand text");
  });

  it("answers 500 when a handler sets a header whose name is not a token", async () => {
    const app = new App({ logger: false });
    app.get("/bad-name", ({ reply }) => {
      reply.header("x bad", "1");
      return "never";
    });
    expect((await app.inject({ method: "GET", url: "/bad-name" })).statusCode).toBe(500);
  });
});
