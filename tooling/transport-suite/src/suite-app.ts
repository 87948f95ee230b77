// The app every transport serves in the core behaviour suite: one route per core feature, plus
// the gates and counters through which a case sees what the server side did (how far a streamed
// download got, when a FLUSHed piece may be followed by the rest).
import { compression } from "@fasterapi/compression";
import { App, Depends, definePlugin, FLUSH, HTTPException, type Plugin } from "@fasterapi/core";
import { Type as t } from "@sinclair/typebox";

/** The first piece of /live, sent before FLUSH; the rest follows only once the client saw it. */
export const LIVE_FIRST = "first ".repeat(100);
export const LIVE_REST = "second";
/** /download: DOWNLOAD_CHUNKS chunks of 64 KiB. */
export const DOWNLOAD_CHUNK = 64 * 1024;
export const DOWNLOAD_CHUNKS = 384;
/** /limited refuses bodies past this many bytes. */
export const ROUTE_BODY_LIMIT = 1024;

export interface ServerSide {
  /** Chunks the /download generator has produced so far. */
  produced: number;
  /** /live waits on this before it sends its second piece. */
  liveGate: Promise<void>;
}

export function downloadChunk(index: number): Buffer {
  return Buffer.alloc(DOWNLOAD_CHUNK, 97 + (index % 26));
}

export function suiteApp(transport: Plugin): { app: App; side: ServerSide } {
  const side: ServerSide = { produced: 0, liveGate: Promise.resolve() };
  const app = new App({ logger: false, docs: false, closeGraceMs: 1_000 });
  app.register(transport);
  app.register(compression({ threshold: 0 }));

  app.get("/ping", () => "pong");
  app.get("/json", () => ({ hello: "world", n: 1, text: "héllo" }));
  app.get("/buffer", () => Buffer.from([1, 2, 3]));
  app.get("/created", ({ reply }) => {
    reply.status(201).header("x-made", "yes");
    return { made: true };
  });
  app.get("/protocol", ({ request }) => request.protocol);

  app.get(
    "/items/:id",
    {
      params: t.Object({ id: t.Integer() }),
      query: t.Object({ limit: t.Integer({ maximum: 10 }) }),
      headers: t.Object({ "x-tenant": t.String() }),
    },
    () => "never",
  );
  app.get(
    "/lookup/:id",
    { params: t.Object({ id: t.Integer() }), query: t.Object({ limit: t.Integer({ maximum: 10 }) }) },
    ({ params, query }) => ({ id: params.id, limit: query.limit }),
  );
  app.get("/tenant", { headers: t.Object({ "x-tenant-id": t.Integer() }) }, ({ headers }) => ({
    tenant: headers["x-tenant-id"],
  }));

  const user = Depends(() => ({ name: "ada" }));
  const scope = Depends((_ctx, u: { name: string }) => `orders:${u.name}`, { deps: [user] });
  app.post(
    "/orders",
    { body: t.Object({ qty: t.Integer({ minimum: 1 }) }), deps: { user, scope }, status: 201 },
    ({ body, deps }) => ({ qty: body.qty, by: deps.user.name, scope: deps.scope }),
  );

  app.get("/teapot", () => {
    throw new HTTPException(418, "short and stout", { "x-error": "teapot" });
  });

  // Hooks inside an encapsulated plugin: they run for its routes only.
  app.register(
    definePlugin((scoped) => {
      scoped.addHook("onRequest", (ctx) => {
        ctx.reply.header("x-on-request", ctx.request.method);
      });
      scoped.addHook("onSend", (_ctx, payload) =>
        typeof payload === "string" ? payload.toUpperCase() : payload,
      );
      // Not a compressible type: the root scope's compression onSend runs first and would hand
      // this hook a compressed Buffer for clients that accept an encoding.
      scoped.get("/hooked", ({ reply }) => {
        reply.type("application/octet-stream");
        return "quiet";
      });
    }),
  );

  app.post("/echo", ({ body }) => body);
  app.post("/limited", { bodyLimit: ROUTE_BODY_LIMIT }, ({ body }) => body);

  app.get("/live", ({ reply }) => {
    reply.type("text/plain; charset=utf-8");
    return (async function* () {
      yield LIVE_FIRST;
      yield FLUSH;
      await side.liveGate;
      yield LIVE_REST;
    })();
  });
  app.get("/compressible", () => ({
    rows: Array.from({ length: 200 }, (_, i) => ({ i, name: `row-${i}` })),
  }));
  app.get("/download", ({ reply }) => {
    reply.type("application/octet-stream");
    return (async function* () {
      for (let i = 0; i < DOWNLOAD_CHUNKS; i++) {
        side.produced = i + 1;
        yield downloadChunk(i);
      }
    })();
  });
  return { app, side };
}
