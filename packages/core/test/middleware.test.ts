import { describe, expect, it } from "vitest";
import { App } from "../src/index.js";

function quietApp(): App {
  return new App({ logger: false, docs: false });
}

describe("middleware", () => {
  it("runs as an onion: in registration order before next(), reverse order after", async () => {
    const app = quietApp();
    const order: string[] = [];
    app.use(async (_ctx, next) => {
      order.push("outer in");
      await next();
      order.push("outer out");
    });
    app.use(async (_ctx, next) => {
      order.push("inner in");
      await next();
      order.push("inner out");
    });
    app.addHook("onRequest", () => {
      order.push("onRequest");
    });
    app.addHook("onSend", () => {
      order.push("onSend");
    });
    app.get("/", () => {
      order.push("handler");
      return "ok";
    });
    await app.inject({ url: "/" });
    expect(order).toEqual([
      "onRequest",
      "outer in",
      "inner in",
      "handler",
      "inner out",
      "outer out",
      "onSend",
    ]);
  });

  it("can change the status and headers after next()", async () => {
    const app = quietApp();
    app.use(async (ctx, next) => {
      const started = Date.now();
      await next();
      ctx.reply.header("x-took", String(Date.now() - started));
      if (ctx.reply.statusCode === 200) ctx.reply.status(203);
    });
    app.get("/", () => ({ ok: true }));
    const res = await app.inject({ url: "/" });
    expect(res.statusCode).toBe(203);
    expect(res.headers["x-took"]).toMatch(/^\d+$/);
  });

  it("answers without calling the handler when it does not call next()", async () => {
    const app = quietApp();
    let handled = false;
    app.use((ctx) => {
      ctx.reply.status(418).send({ detail: "teapot" });
    });
    app.get("/", () => {
      handled = true;
    });
    const res = await app.inject({ url: "/" });
    expect(res.statusCode).toBe(418);
    expect(res.json()).toEqual({ detail: "teapot" });
    expect(handled).toBe(false);
  });

  it("sees handler errors through await next() and can recover from them", async () => {
    const app = quietApp();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        ctx.reply.status(299).send({ caught: (error as Error).message });
      }
    });
    app.get("/", () => {
      throw new Error("inner failure");
    });
    const res = await app.inject({ url: "/" });
    expect(res.statusCode).toBe(299);
    expect(res.json()).toEqual({ caught: "inner failure" });
  });

  it("rejects calling next() twice", async () => {
    const app = quietApp();
    app.use(async (_ctx, next) => {
      await next();
      await next();
    });
    app.get("/", () => "x");
    const res = await app.inject({ url: "/" });
    expect(res.statusCode).toBe(500);
  });
});
