import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { App } from "../src/index.js";

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, lines: () => chunks.map((c) => JSON.parse(c)) };
}

describe("logging", () => {
  it("is silent by default under the test runner", () => {
    expect(new App().log.isLevelEnabled("error")).toBe(false);
  });

  it("logs one line per response with request id, method, path, status and duration", async () => {
    const { stream, lines } = capture();
    const app = new App({ logger: pino({ level: "info" }, stream), docs: false });
    app.get("/items/:id", () => ({ ok: true }));
    await app.inject({ url: "/items/3?x=1", headers: { "x-request-id": "abc-1" } });
    await app.inject({ url: "/missing" });
    const logged = lines();
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ reqId: "abc-1", method: "GET", path: "/items/3", status: 200 });
    expect(typeof logged[0]?.durationMs).toBe("number");
    expect(logged[1]).toMatchObject({ method: "GET", path: "/missing", status: 404 });
  });

  it("binds ctx.log to the request id", async () => {
    const { stream, lines } = capture();
    const app = new App({ logger: pino({ level: "info" }, stream), logRequests: false, docs: false });
    app.get("/", (ctx) => {
      ctx.log.warn("inside handler");
      return ctx.id;
    });
    const res = await app.inject({ url: "/" });
    expect(lines()).toEqual([expect.objectContaining({ level: 40, reqId: res.body, msg: "inside handler" })]);
  });

  it("redacts authorization, cookie and set-cookie headers in logged objects", async () => {
    const written: string[] = [];
    const app = new App({
      docs: false,
      logRequests: false,
      logger: {
        level: "info",
        hooks: {
          streamWrite: (line) => {
            written.push(line);
            return "";
          },
        },
      },
    });
    app.get("/", (ctx) => {
      ctx.log.info({ headers: ctx.headers, res: { headers: { "set-cookie": ["sid=1"] } } }, "headers");
      return "ok";
    });
    await app.inject({
      url: "/",
      headers: { authorization: "Bearer secret", cookie: "sid=2", accept: "*/*" },
    });
    const line = JSON.parse(written[0] as string);
    expect(line.headers).toMatchObject({ authorization: "[Redacted]", cookie: "[Redacted]", accept: "*/*" });
    expect(line.res.headers["set-cookie"]).toBe("[Redacted]");
    expect(written[0]).not.toContain("secret");
  });
});
