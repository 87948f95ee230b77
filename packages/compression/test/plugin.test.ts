import { Readable } from "node:stream";
import { App, FLUSH } from "@fasterapi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compression } from "../src/index.js";
import { decodeWith, encodeWith, zstdCliCompress } from "./fixtures/independent-decoders.js";

const items = Array.from({ length: 200 }, (_, id) => ({ id, name: `item ${id}`, tags: ["alpha", "beta"] }));
const itemsJson = JSON.stringify(items);

function buildApp(options: Parameters<typeof compression>[0] = {}) {
  const app = new App({ logger: false, docs: false });
  app.register(compression(options));
  let handled = 0;
  app.get("/items", () => {
    handled++;
    return items;
  });
  app.get("/small", () => ({ ok: true }));
  app.get("/png", (ctx) => {
    ctx.reply.type("image/png");
    return Buffer.alloc(4096, 7);
  });
  app.get("/no-transform", (ctx) => {
    ctx.reply.header("cache-control", "public, no-transform");
    return items;
  });
  app.get("/pre-encoded", (ctx) => {
    ctx.reply.header("content-encoding", "gzip").type("application/json");
    return encodeWith("gzip", Buffer.from(itemsJson));
  });
  app.get("/vary-origin", (ctx) => {
    ctx.reply.header("vary", "Origin").header("etag", '"v1"');
    return items;
  });
  app.get("/stream", (ctx) => {
    ctx.reply.type("text/plain; charset=utf-8");
    return (async function* () {
      yield "first line\n";
      yield FLUSH;
      yield Buffer.from("second line\n".repeat(100));
    })();
  });
  app.get("/readable", (ctx) => {
    ctx.reply.type("application/x-ndjson");
    return Readable.from(items.map((item) => Buffer.from(`${JSON.stringify(item)}\n`)));
  });
  app.post("/echo", (ctx) => ({ received: ctx.body }));
  return { app, handledCount: () => handled };
}

describe("compression plugin through app.inject", () => {
  const { app, handledCount } = buildApp();
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  it.each(["zstd", "br", "gzip"])(
    "encodes JSON as %s when that is the only coding offered",
    async (coding) => {
      const res = await app.inject({ url: "/items", headers: { "accept-encoding": coding } });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-encoding"]).toBe(coding);
      expect(res.headers.vary).toBe("Accept-Encoding");
      expect(res.headers["content-type"]).toContain("application/json");
      expect(Number(res.headers["content-length"])).toBe(res.rawBody.length);
      expect(JSON.parse(decodeWith(coding, res.rawBody).toString())).toEqual(items);
    },
  );

  it("says in app.stats() which codings it serves and that zstd runs on the native binding", () => {
    expect(app.stats().compression).toEqual({ codings: ["br", "gzip", "deflate", "zstd"], zstd: "native" });
  });

  it("prefers zstd, then br, then gzip when the client accepts all equally", async () => {
    const all = await app.inject({
      url: "/items",
      headers: { "accept-encoding": "gzip, deflate, br, zstd" },
    });
    expect(all.headers["content-encoding"]).toBe("zstd");
    const noZstd = await app.inject({ url: "/items", headers: { "accept-encoding": "gzip, br" } });
    expect(noZstd.headers["content-encoding"]).toBe("br");
  });

  it("follows the client's q-values", async () => {
    const res = await app.inject({
      url: "/items",
      headers: { "accept-encoding": "zstd;q=0.1, br;q=0.5, gzip;q=0.9" },
    });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(decodeWith("gzip", res.rawBody).toString())).toEqual(items);
  });

  it("sends identity with Vary when the client sends no Accept-Encoding", async () => {
    const res = await app.inject({ url: "/items" });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.headers.vary).toBe("Accept-Encoding");
    expect(res.json()).toEqual(items);
  });

  it("leaves bodies under the threshold alone", async () => {
    const res = await app.inject({ url: "/small", headers: { "accept-encoding": "gzip, br, zstd" } });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
    expect(res.json()).toEqual({ ok: true });
  });

  it("encodes a small body anyway when the client refuses identity", async () => {
    const res = await app.inject({ url: "/small", headers: { "accept-encoding": "gzip, identity;q=0" } });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(decodeWith("gzip", res.rawBody).toString())).toEqual({ ok: true });
  });

  it("answers 406 without running the handler when nothing acceptable remains", async () => {
    const before = handledCount();
    for (const accept of ["*;q=0", "identity;q=0", "compress, identity;q=0"]) {
      const res = await app.inject({ url: "/items", headers: { "accept-encoding": accept } });
      expect(res.statusCode, accept).toBe(406);
      expect(res.headers["content-encoding"]).toBeUndefined();
      expect(res.json<{ detail: string }>().detail).toMatch(/acceptable/);
    }
    expect(handledCount()).toBe(before);
  });

  it("does not compress incompressible content types", async () => {
    const res = await app.inject({ url: "/png", headers: { "accept-encoding": "gzip, br, zstd" } });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.rawBody.equals(Buffer.alloc(4096, 7))).toBe(true);
  });

  it("honours Cache-Control: no-transform", async () => {
    const res = await app.inject({ url: "/no-transform", headers: { "accept-encoding": "gzip, br, zstd" } });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.json()).toEqual(items);
  });

  it("passes already-encoded responses through untouched", async () => {
    const res = await app.inject({ url: "/pre-encoded", headers: { "accept-encoding": "zstd, br" } });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(decodeWith("gzip", res.rawBody).toString())).toEqual(items);
  });

  it("appends Accept-Encoding to an existing Vary and weakens a strong ETag", async () => {
    const res = await app.inject({ url: "/vary-origin", headers: { "accept-encoding": "br" } });
    expect(res.headers.vary).toBe("Origin, Accept-Encoding");
    expect(res.headers.etag).toBe('W/"v1"');
  });

  it("encodes a streamed body into one decodable stream across FLUSH markers", async () => {
    for (const coding of ["zstd", "br", "gzip"]) {
      const res = await app.inject({ url: "/stream", headers: { "accept-encoding": coding } });
      expect(res.headers["content-encoding"]).toBe(coding);
      expect(decodeWith(coding, res.rawBody).toString()).toBe(`first line\n${"second line\n".repeat(100)}`);
    }
  });

  it.each(["zstd", "br", "gzip", "deflate"])(
    "decodes a %s request body before parsing it",
    async (coding) => {
      const body = Buffer.from(JSON.stringify({ items }));
      const res = await app.inject({
        method: "POST",
        url: "/echo",
        headers: { "content-type": "application/json", "content-encoding": coding },
        body: encodeWith(coding, body),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ received: { items } });
    },
  );

  it("decodes stacked codings in reverse order and accepts x-gzip", async () => {
    const body = Buffer.from(JSON.stringify({ stacked: true }));
    const stacked = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json", "content-encoding": "gzip, br" },
      body: encodeWith("br", encodeWith("gzip", body)),
    });
    expect(stacked.json()).toEqual({ received: { stacked: true } });
    const xgzip = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json", "content-encoding": "x-gzip" },
      body: encodeWith("gzip", body),
    });
    expect(xgzip.json()).toEqual({ received: { stacked: true } });
  });

  it("answers 415 with the accepted codings for an unknown Content-Encoding", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json", "content-encoding": "compress" },
      body: Buffer.from("{}"),
    });
    expect(res.statusCode).toBe(415);
    expect(res.headers["accept-encoding"]).toBe("br, gzip, deflate, zstd");
  });

  it("answers 400 for a corrupt encoded body", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: Buffer.from("not gzip at all"),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ detail: string }>().detail).toMatch(/not valid gzip/);
  });
});

describe("decompression-bomb limit", () => {
  const { app } = buildApp({ maxDecodedBodySize: 64 * 1024 });
  beforeAll(() => app.ready());
  afterAll(() => app.close());
  // 8 MiB of JSON whitespace: tiny on the wire, far over the 64 KiB decoded limit.
  const bomb = Buffer.concat([Buffer.from('{"a":1'), Buffer.alloc(8 * 1024 * 1024, " "), Buffer.from("}")]);

  it.each(["zstd", "br", "gzip", "deflate"])(
    "answers 413 for a %s body that decodes past maxDecodedBodySize",
    async (coding) => {
      const encoded = coding === "zstd" ? zstdCliCompress(bomb, 19) : encodeWith(coding, bomb);
      expect(encoded.length).toBeLessThan(64 * 1024);
      const res = await app.inject({
        method: "POST",
        url: "/echo",
        headers: { "content-type": "application/json", "content-encoding": coding },
        body: encoded,
      });
      expect(res.statusCode).toBe(413);
      expect(res.json<{ detail: string }>().detail).toMatch(/65536 bytes/);
    },
  );

  it("accepts an encoded body under the limit", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: encodeWith("gzip", Buffer.from(JSON.stringify({ small: "x".repeat(1000) }))),
    });
    expect(res.statusCode).toBe(200);
  });
});

describe("options", () => {
  it("offers only the configured encodings, in the configured order", async () => {
    const { app } = buildApp({ encodings: ["gzip", "br"], threshold: 0 });
    await app.ready();
    const res = await app.inject({ url: "/small", headers: { "accept-encoding": "zstd, br, gzip" } });
    expect(res.headers["content-encoding"]).toBe("gzip");
    const none = await app.inject({ url: "/small", headers: { "accept-encoding": "zstd" } });
    expect(none.headers["content-encoding"]).toBeUndefined();
    await app.close();
  });

  it("uses a custom filter instead of the built-in content types", async () => {
    const { app } = buildApp({ filter: (type) => type === "image/png" });
    await app.ready();
    const png = await app.inject({ url: "/png", headers: { "accept-encoding": "gzip" } });
    expect(png.headers["content-encoding"]).toBe("gzip");
    const json = await app.inject({ url: "/items", headers: { "accept-encoding": "gzip" } });
    expect(json.headers["content-encoding"]).toBeUndefined();
    await app.close();
  });

  it("rejects bad options when the plugin is created", () => {
    expect(() => compression({ encodings: ["lz4" as "gzip"] })).toThrow(/unknown encoding "lz4"/);
    expect(() => compression({ level: { zstd: 22 } })).toThrow(/level.zstd must be an integer from 1 to 19/);
    expect(() => compression({ level: { br: 12 } })).toThrow(/level.br/);
    expect(() => compression({ threshold: -1 })).toThrow(/threshold/);
    expect(() => compression({ maxDecodedBodySize: 1.5 })).toThrow(/maxDecodedBodySize/);
  });
});
