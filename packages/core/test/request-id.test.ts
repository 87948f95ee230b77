import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { App, HTTPException, requestId } from "../src/index.js";

describe("requestId plugin", () => {
  it("keeps a valid incoming x-request-id, returns it, and binds it to ctx.log and the request log line", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()));
        callback();
      },
    });
    const app = new App({ logger: pino({ level: "info" }, stream), docs: false });
    app.register(requestId());
    app.get("/", (ctx) => {
      ctx.log.info("in handler");
      return { id: ctx.id };
    });
    const res = await app.inject({ url: "/", headers: { "x-request-id": "upstream-42" } });
    expect(res.headers["x-request-id"]).toBe("upstream-42");
    expect(res.json()).toEqual({ id: "upstream-42" });
    expect(lines.map((l) => l.reqId)).toEqual(["upstream-42", "upstream-42"]);
  });

  it("generates a UUID when the header is missing or unsafe, also on error answers", async () => {
    const app = new App({ logger: false, docs: false });
    app.register(requestId());
    app.get("/fail", () => {
      throw new HTTPException(409);
    });
    const missing = await app.inject("/fail");
    expect(missing.statusCode).toBe(409);
    expect(missing.headers["x-request-id"]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    const unsafe = await app.inject({ url: "/nowhere", headers: { "x-request-id": "a b\tc" } });
    expect(unsafe.statusCode).toBe(404);
    expect(unsafe.headers["x-request-id"]).not.toBe("a b\tc");
    expect(unsafe.headers["x-request-id"]).toHaveLength(36);
  });

  it("uses a custom header and generator, and ignores the incoming value when not trusted", async () => {
    let n = 0;
    const app = new App({ logger: false, docs: false });
    app.register(requestId({ header: "X-Trace-Id", trustIncoming: false, generate: () => `id-${++n}` }));
    app.get("/", (ctx) => ctx.id);
    const res = await app.inject({ url: "/", headers: { "x-trace-id": "forged" } });
    expect(res.headers["x-trace-id"]).toBe("id-1");
    expect(res.body).toBe("id-1");
  });
});
