import { Type as t } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { App, HTTPException } from "../src/index.js";

function quietApp(): App {
  return new App({ logger: false, docs: false });
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe("request hooks", () => {
  it("runs every hook in Fastify's order around the handler", async () => {
    const app = quietApp();
    const order: string[] = [];
    app.addHook("onRequest", () => {
      order.push("onRequest");
    });
    app.addHook("preParsing", (_ctx, payload) => {
      order.push("preParsing");
      return payload;
    });
    app.addHook("preValidation", () => {
      order.push("preValidation");
    });
    app.addHook("preHandler", async () => {
      order.push("preHandler");
    });
    app.addHook("preSerialization", (_ctx, value) => {
      order.push("preSerialization");
      return { ...(value as object), decorated: true };
    });
    app.addHook("onSend", (_ctx, payload) => {
      order.push("onSend");
      return payload;
    });
    app.addHook("onResponse", () => {
      order.push("onResponse");
    });
    app.post("/x", { body: t.Object({ a: t.Integer() }) }, ({ body }) => {
      order.push("handler");
      return { a: body.a };
    });
    const res = await app.inject({ method: "POST", url: "/x", body: { a: 1 } });
    expect(res.json()).toEqual({ a: 1, decorated: true });
    await waitFor(() => order.includes("onResponse"));
    expect(order).toEqual([
      "onRequest",
      "preParsing",
      "preValidation",
      "preHandler",
      "handler",
      "preSerialization",
      "onSend",
      "onResponse",
    ]);
  });

  it("lets onRequest answer early and skips the rest of the chain", async () => {
    const app = quietApp();
    const seen: string[] = [];
    app.addHook("onRequest", ({ reply, headers }) => {
      if (headers.authorization === undefined) reply.status(401).send({ detail: "login first" });
    });
    app.addHook("preHandler", () => {
      seen.push("preHandler");
    });
    app.get("/secret", () => {
      seen.push("handler");
      return "secret";
    });
    const denied = await app.inject({ url: "/secret" });
    expect(denied.statusCode).toBe(401);
    expect(denied.json()).toEqual({ detail: "login first" });
    expect(seen).toEqual([]);
    const allowed = await app.inject({ url: "/secret", headers: { authorization: "x" } });
    expect(allowed.body).toBe("secret");
    expect(seen).toEqual(["preHandler", "handler"]);
  });

  it("lets preHandler answer early without calling the handler", async () => {
    const app = quietApp();
    let handled = false;
    app.addHook("preHandler", ({ reply }) => {
      reply.status(429).header("retry-after", "5").send("slow down");
    });
    app.get("/", () => {
      handled = true;
      return "no";
    });
    const res = await app.inject({ url: "/" });
    expect(res.statusCode).toBe(429);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.body).toBe("slow down");
    expect(handled).toBe(false);
  });

  it("calls onError with the error before the error answer, then onResponse", async () => {
    const app = quietApp();
    const events: string[] = [];
    app.addHook("onError", (_ctx, error) => {
      events.push(`onError:${(error as Error).message}`);
    });
    app.addHook("onSend", (ctx) => {
      events.push(`onSend:${ctx.reply.statusCode}`);
    });
    app.addHook("onResponse", (ctx) => {
      events.push(`onResponse:${ctx.reply.statusCode}`);
    });
    app.get("/fail", () => {
      throw new HTTPException(409, "conflict");
    });
    const res = await app.inject({ url: "/fail" });
    expect(res.statusCode).toBe(409);
    await waitFor(() => events.length === 3);
    expect(events).toEqual(["onError:conflict", "onSend:409", "onResponse:409"]);
  });

  it("lets onSend replace the payload and set headers", async () => {
    const app = quietApp();
    app.addHook("onSend", (ctx, payload) => {
      ctx.reply.header("x-wrapped", "1");
      return `<${String(payload)}>`;
    });
    app.get("/", () => "inner");
    const res = await app.inject({ url: "/" });
    expect(res.body).toBe("<inner>");
    expect(res.headers["content-length"]).toBe("7");
    expect(res.headers["x-wrapped"]).toBe("1");
  });

  it("lets preParsing transform the raw body stream", async () => {
    const app = quietApp();
    app.addHook("preParsing", async function* (_ctx, payload) {
      for await (const chunk of payload) yield Buffer.from(chunk.toString().toUpperCase());
    });
    app.post("/echo", ({ body }) => body);
    const res = await app.inject({
      method: "POST",
      url: "/echo",
      body: "hello",
      headers: { "content-type": "text/plain" },
    });
    expect(res.body).toBe("HELLO");
  });

  it("runs onTimeout and answers 503 when the handler exceeds requestTimeout", async () => {
    const app = new App({ logger: false, docs: false, requestTimeout: 20 });
    const events: string[] = [];
    app.addHook("onTimeout", () => {
      events.push("onTimeout");
    });
    app.get("/slow", async () => {
      await new Promise((r) => setTimeout(r, 100));
      return "late";
    });
    const res = await app.inject({ url: "/slow" });
    expect(res.statusCode).toBe(503);
    expect(events).toEqual(["onTimeout"]);
  });

  it("runs onRequestAbort hooks when the client goes away", async () => {
    const app = quietApp();
    const events: string[] = [];
    app.addHook("onRequestAbort", (ctx) => {
      events.push(`aborted ${ctx.path}`);
    });
    let release: () => void = () => undefined;
    app.get("/long", () => new Promise<string>((r) => (release = () => r("late"))));
    await app.ready();
    let abort: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => {
      app.handler(
        {
          method: "GET",
          url: "/long",
          protocol: "test",
          remoteAddress: "127.0.0.1",
          hasBody: false,
          header: () => undefined,
          headers: () => ({}),
          body: async () => Buffer.alloc(0),
          bodyStream: async function* () {},
          onAbort: (callback) => {
            abort = callback;
          },
        },
        {
          aborted: true,
          send: () => resolve(),
          stream: () => ({ write: async () => undefined, end: () => resolve() }),
        },
      );
    });
    await new Promise((r) => setTimeout(r, 5));
    abort();
    await waitFor(() => events.length === 1);
    expect(events).toEqual(["aborted /long"]);
    release();
    await answered;
  });

  it("keeps hooks, middleware and exception handlers of a plugin to its own routes", async () => {
    class Oops extends Error {}
    const app = quietApp();
    const seen: string[] = [];
    app.register((scoped) => {
      scoped.addHook("preHandler", (ctx) => {
        seen.push(`hook ${ctx.path}`);
      });
      scoped.use(async (ctx, next) => {
        seen.push(`middleware ${ctx.path}`);
        await next();
      });
      scoped.setExceptionHandler(Oops, (_error, ctx) => ctx.reply.status(409).send("handled inside"));
      scoped.get("/inside", () => {
        throw new Oops();
      });
    });
    app.get("/outside", () => {
      throw new Oops();
    });
    const inside = await app.inject("/inside");
    expect(inside.statusCode).toBe(409);
    expect(inside.body).toBe("handled inside");
    expect((await app.inject("/outside")).statusCode).toBe(500);
    expect(seen).toEqual(["middleware /inside", "hook /inside"]);
  });

  it("runs onReady hooks and startup events in registration order at ready()", async () => {
    const app = quietApp();
    const order: string[] = [];
    app.addHook("onReady", () => {
      order.push("a");
    });
    app.onEvent("startup", async () => {
      order.push("b");
    });
    await app.ready();
    expect(order).toEqual(["a", "b"]);
  });

  it("rejects an unknown hook name", () => {
    const app = quietApp();
    expect(() => app.addHook("onWhatever" as "onRequest", () => undefined)).toThrow(/Unknown hook/);
  });
});
