// Type-level checks of the forms users write without annotations. Test files are type-checked by
// `pnpm test` (tsconfig.test.json), so a broken inference fails there: the plain lines must
// compile and every `@ts-expect-error` line must stay an error. Each case also runs, so the
// inferred types are checked against the values the app really produces.
import { Type as t } from "@sinclair/typebox";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type AnyContext,
  App,
  type Dependency,
  Depends,
  definePlugin,
  Router,
  type Transport,
  type TransportAddress,
} from "../src/index.js";

function quietApp(): App {
  return new App({ logger: false, docs: false });
}

class Clock {
  now(): number {
    return 42;
  }
}

function fixedPortTransport(port: number): Transport {
  return {
    name: "fixed",
    listen: async () => ({ host: "127.0.0.1", port, scheme: "http" }),
    close: async () => undefined,
    stats: () => ({ connections: 0, activeConnections: 0, requests: 0, bytesIn: 0, bytesOut: 0 }),
  };
}

describe("type inference", () => {
  it("types the context of an unannotated dependency function, sync and async", async () => {
    const app = quietApp();
    const agent = Depends((ctx) => ctx.request.header("user-agent") ?? "none");
    const user = Depends(async (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<AnyContext>();
      return { name: ctx.request.header("authorization") ?? "anon" };
    });
    expectTypeOf(agent).toEqualTypeOf<Dependency<string>>();
    expectTypeOf(user).toEqualTypeOf<Dependency<{ name: string }>>();
    app.get("/", { deps: { agent, user } }, ({ deps }) => {
      expectTypeOf(deps.agent).toEqualTypeOf<string>();
      expectTypeOf(deps.user).toEqualTypeOf<{ name: string }>();
      return deps;
    });
    const res = await app.inject({ url: "/", headers: { "user-agent": "probe", authorization: "ann" } });
    expect(res.json()).toEqual({ agent: "probe", user: { name: "ann" } });
  });

  it("types sub-dependency arguments from deps: [...], tokens and generators", async () => {
    const app = quietApp();
    const count = Depends(() => 2);
    const clock = Depends(Clock);
    const label = Depends((_ctx, n, c) => `${n} at ${c.now()}`, { deps: [count, clock] });
    const session = Depends(
      async function* (_ctx, text) {
        yield { text, open: true };
      },
      { deps: [label] },
    );
    // @ts-expect-error count resolves to a number, so a string parameter does not fit
    Depends((_ctx, n: string) => n, { deps: [count] });
    // @ts-expect-error neither a function nor a container token
    expect(() => Depends(42)).toThrow(TypeError);
    expectTypeOf(clock).toEqualTypeOf<Dependency<Clock>>();
    expectTypeOf(label).toEqualTypeOf<Dependency<string>>();
    expectTypeOf(session).toEqualTypeOf<Dependency<{ text: string; open: boolean }>>();
    app.get("/", { deps: { session } }, ({ deps }) => deps.session);
    expect((await app.inject({ url: "/" })).json()).toEqual({ text: "2 at 42", open: true });
  });

  it("types a destructuring handler from the route's schemas", async () => {
    const app = quietApp();
    app.post(
      "/items/:id",
      {
        params: t.Object({ id: t.Integer() }),
        query: t.Object({ verbose: t.Optional(t.Boolean()) }),
        body: t.Object({ name: t.String() }),
      },
      ({ params, query, body }) => {
        expectTypeOf(params.id).toEqualTypeOf<number>();
        expectTypeOf(query.verbose).toEqualTypeOf<boolean | undefined>();
        expectTypeOf(body.name).toEqualTypeOf<string>();
        return { id: params.id + 1, name: body.name, verbose: query.verbose ?? false };
      },
    );
    const res = await app.inject({ method: "POST", url: "/items/1?verbose=true", body: { name: "n" } });
    expect(res.json()).toEqual({ id: 2, name: "n", verbose: true });
  });

  it("types unannotated hooks, middleware, exception handlers and router dependencies", async () => {
    class Gone extends Error {
      readonly since = 2020;
    }
    const app = quietApp();
    app.use(async (ctx, next) => {
      ctx.state.seen = ctx.method;
      await next();
    });
    app.addHook("onSend", async (ctx, payload) => {
      ctx.reply.header("x-seen", String(ctx.state.seen));
      return payload;
    });
    app.setExceptionHandler(Gone, (error, ctx) => {
      expectTypeOf(error).toEqualTypeOf<Gone>();
      ctx.reply.status(410);
      return { since: error.since };
    });
    const caller = Depends((ctx) => ctx.request.header("x-caller") ?? "anonymous");
    const router = new Router({ prefix: "/old", deps: { caller } });
    router.get("/:id", { params: t.Object({ id: t.Integer() }) }, ({ params }) => {
      throw new Gone(`item ${params.id} is gone`);
    });
    app.include(router);
    const res = await app.inject({ url: "/old/7" });
    expect([res.statusCode, res.json(), res.headers["x-seen"]]).toEqual([410, { since: 2020 }, "GET"]);
  });

  it("accepts a plugin that returns the app from a chained call, and types register()'s options", async () => {
    const app = quietApp();
    app.register(definePlugin((a) => a.addTransport(fixedPortTransport(1)), { name: "fixed", global: true }));
    const greeting = definePlugin(async (scope, options: { greeting: string }) => {
      const text = options.greeting.toUpperCase();
      scope.get("/hello", () => text);
    });
    app.register(greeting, { greeting: "hi" });
    const addresses: TransportAddress[] = await app.listen();
    expect(addresses).toEqual([{ host: "127.0.0.1", port: 1, scheme: "http" }]);
    expect((await app.inject({ url: "/hello" })).body).toBe("HI");
    await app.close();

    // What the compile errors prevent: the plugin runs without its options.
    const wrong = quietApp();
    // @ts-expect-error the plugin needs its options
    wrong.register(greeting);
    // @ts-expect-error greeting is a string
    wrong.register(greeting, { greeting: 1 });
    await expect(wrong.ready()).rejects.toThrow("Cannot read properties of undefined");
  });
});
