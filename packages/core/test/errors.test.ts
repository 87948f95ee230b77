import { Writable } from "node:stream";
import { Type as t } from "@sinclair/typebox";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { App, Depends, HTTPException, RequestValidationError } from "../src/index.js";

function quietApp(options: ConstructorParameters<typeof App>[0] = {}): App {
  return new App({ logger: false, docs: false, ...options });
}

describe("error answers", () => {
  it("uses RFC 9110's reason phrases for HTTPException details, not node's older ones", async () => {
    const app = quietApp();
    app.get("/e/:status", { params: t.Object({ status: t.Integer() }) }, ({ params }) => {
      throw new HTTPException(params.status);
    });
    const details: Record<number, string> = {};
    for (const status of [413, 422, 418, 599]) {
      details[status] = (await app.inject({ method: "GET", url: `/e/${status}` })).json<{
        detail: string;
      }>().detail;
    }
    expect(details).toEqual({
      413: "Content Too Large",
      422: "Unprocessable Content",
      418: "Unknown Status",
      599: "Unknown Status",
    });
  });

  it("answers a body with a numeric string for a number field in lax mode, and names a bad one", async () => {
    const app = quietApp();
    app.post("/items", { body: t.Object({ price: t.Number() }) }, ({ body }) => ({ price: body.price }));
    const coerced = await app.inject({ method: "POST", url: "/items", body: { price: "12" } });
    expect([coerced.statusCode, coerced.json()]).toEqual([200, { price: 12 }]);
    const wrong = await app.inject({ method: "POST", url: "/items", body: { price: "abc" } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toEqual({
      detail: [
        {
          type: "float_parsing",
          loc: ["body", "price"],
          msg: "Input should be a valid number, unable to parse string as a number",
          input: "abc",
        },
      ],
    });
  });

  it("answers 413 when the body exceeds bodyLimit", async () => {
    const app = quietApp({ bodyLimit: 16 });
    app.post("/upload", ({ body }) => body);
    app.post("/bigger", { bodyLimit: 1024 }, ({ body }) => body);
    const tooBig = await app.inject({ method: "POST", url: "/upload", body: { text: "x".repeat(100) } });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json<{ detail: string }>().detail).toMatch(/larger than 16 bytes/);
    const perRoute = await app.inject({ method: "POST", url: "/bigger", body: { text: "x".repeat(100) } });
    expect(perRoute.statusCode).toBe(200);
  });

  it("answers 415 for a content type nobody parses, and accepts one after addContentTypeParser", async () => {
    const app = quietApp();
    app.addContentTypeParser("application/x-csv", (raw) => raw.toString().split(","));
    app.post("/data", ({ body }) => ({ body }));
    const unsupported = await app.inject({
      method: "POST",
      url: "/data",
      body: "<a/>",
      headers: { "content-type": "application/xml" },
    });
    expect(unsupported.statusCode).toBe(415);
    const csv = await app.inject({
      method: "POST",
      url: "/data",
      body: "a,b",
      headers: { "content-type": "application/x-csv" },
    });
    expect(csv.json()).toEqual({ body: ["a", "b"] });
  });

  it("answers 400 for malformed JSON", async () => {
    const app = quietApp();
    app.post("/json", ({ body }) => body);
    const res = await app.inject({
      method: "POST",
      url: "/json",
      body: '{"a":',
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ detail: { type: string }[] }>().detail[0]?.type).toBe("json_invalid");
  });

  it("answers 422 with every issue from params, query, headers and body at once", async () => {
    const app = quietApp();
    app.post(
      "/items/:id",
      {
        params: t.Object({ id: t.Integer() }),
        query: t.Object({ limit: t.Integer({ maximum: 10 }) }),
        headers: t.Object({ "x-tenant": t.String() }),
        body: t.Object({ name: t.String(), price: t.Number() }),
      },
      () => "never",
    );
    const res = await app.inject({ method: "POST", url: "/items/abc?limit=50", body: { name: 5 } });
    expect(res.statusCode).toBe(422);
    const locs = res
      .json<{ detail: { loc: unknown[]; msg: string; type: string }[] }>()
      .detail.map((d) => d.loc);
    expect(locs).toEqual([
      ["path", "id"],
      ["query", "limit"],
      ["header", "x-tenant"],
      ["body", "price"],
      ["body", "name"],
    ]);
  });

  it("answers 422 'Field required' when a required body is missing", async () => {
    const app = quietApp();
    app.post("/x", { body: t.Object({ a: t.String() }) }, () => "never");
    const res = await app.inject({ method: "POST", url: "/x" });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      detail: [{ loc: ["body"], msg: "Field required", type: "missing", input: null }],
    });
  });

  it("sends HTTPException detail and headers", async () => {
    const app = quietApp();
    app.get("/missing", () => {
      throw new HTTPException(404, "Item not found", { "x-error": "item" });
    });
    app.get("/structured", () => {
      throw new HTTPException(409, { reason: "duplicate", id: 3 });
    });
    const missing = await app.inject({ url: "/missing" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: "Item not found" });
    expect(missing.headers["x-error"]).toBe("item");
    expect((await app.inject({ url: "/structured" })).json()).toEqual({
      detail: { reason: "duplicate", id: 3 },
    });
  });

  it("uses a custom exception handler, found through the error's class chain", async () => {
    class DomainError extends Error {}
    class OutOfStock extends DomainError {}
    const app = quietApp();
    app.setExceptionHandler(DomainError, (error, ctx) => {
      ctx.reply.status(418);
      return { problem: error.constructor.name };
    });
    app.setExceptionHandler(RequestValidationError, (error) => ({ count: error.issues.length }));
    app.get("/stock", () => {
      throw new OutOfStock("none left");
    });
    app.get("/n/:n", { params: t.Object({ n: t.Integer() }) }, () => "ok");
    const res = await app.inject({ url: "/stock" });
    expect(res.statusCode).toBe(418);
    expect(res.json()).toEqual({ problem: "OutOfStock" });
    const invalid = await app.inject({ url: "/n/x" });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json()).toEqual({ count: 1 });
  });

  it("answers 500 without the stack and logs exactly one line", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const app = new App({ logger: pino({ level: "info" }, stream), logRequests: false, docs: false });
    app.get("/boom", () => {
      throw new Error("database password is hunter2");
    });
    const res = await app.inject({ url: "/boom" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ detail: "Internal Server Error" });
    expect(res.body).not.toContain("hunter2");
    expect(res.body).not.toContain("at ");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string);
    expect(line.level).toBe(50);
    expect(line.err.message).toBe("database password is hunter2");
    expect(line.path).toBe("/boom");
  });

  it("does not log an error when the client went away before the answer", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const app = new App({ logger: pino({ level: "info" }, stream), logRequests: false, docs: false });
    app.post("/upload", ({ body }) => body);
    await app.ready();
    const status = await new Promise<number>((resolve) => {
      app.handler(
        {
          method: "POST",
          url: "/upload",
          protocol: "test",
          remoteAddress: "127.0.0.1",
          hasBody: true,
          header: () => undefined,
          headers: () => ({}),
          body: async () => {
            throw new Error("the client closed the connection before the request body was complete");
          },
          bodyStream: async function* () {},
          onAbort: () => undefined,
        },
        {
          aborted: true,
          send: (code) => resolve(code),
          stream: () => ({ write: async () => undefined, end: () => undefined }),
        },
      );
    });
    expect(status).toBe(500);
    expect(lines).toEqual([]);
  });

  it("answers 500 when an exception handler itself throws", async () => {
    const app = quietApp();
    app.setExceptionHandler(Error, () => {
      throw new Error("handler broke");
    });
    app.get("/", () => {
      throw new Error("first");
    });
    const res = await app.inject({ url: "/" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ detail: "Internal Server Error" });
  });

  it("rejects invalid options and dependencies with a clear error", () => {
    expect(() => new App({ bodyLimit: -1 })).toThrow("bodyLimit must be a non-negative number, got -1");
    expect(() => new App({ closeGraceMs: Number.NaN })).toThrow(/closeGraceMs/);
    const app = quietApp();
    expect(() => app.post("/x", { bodyLimit: -5 }, () => 1)).toThrow("Route POST /x: bodyLimit");
    expect(() => Depends(42 as unknown as string)).toThrow(/Depends\(\) needs a function/);
    expect(() => app.get("no-slash", () => 1)).toThrow(/must start with "\/"/);
    expect(() => app.get("/h", undefined as unknown as () => 1)).toThrow(/handler must be a function/);
  });

  it("answers 500 when the value does not match the response schema", async () => {
    const app = quietApp();
    app.get("/", { response: { 200: t.Object({ id: t.Integer() }) } }, () => ({ name: "no id" }));
    expect((await app.inject({ url: "/" })).statusCode).toBe(500);
  });
});
