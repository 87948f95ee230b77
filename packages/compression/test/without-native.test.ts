// FASTERAPI_NATIVE=0 must be set before the addon loader runs; vitest gives each test file its
// own process, so setting it here affects only this file.
import zlib from "node:zlib";
import { App } from "@fasterapi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeWith, encodeWith } from "./fixtures/independent-decoders.js";

process.env.FASTERAPI_NATIVE = "0";
const { compression } = await import("../src/index.js");
const { createCodecs } = await import("../src/codec-registry.js");

const nodeHasZstd = typeof (zlib as unknown as Record<string, unknown>).zstdCompressSync === "function";
const items = Array.from({ length: 200 }, (_, id) => ({ id, name: `item ${id}` }));

describe("with the native addon disabled (FASTERAPI_NATIVE=0)", () => {
  const app = new App({ logger: false, docs: false });
  app.register(compression());
  app.get("/items", () => items);
  app.post("/echo", (ctx) => ({ received: ctx.body }));
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  it("uses node:zlib zstd where Node has it, else no zstd at all", () => {
    expect(createCodecs({ zstd: 3, br: 4, gzip: 6 }).zstdBackend).toBe(nodeHasZstd ? "node:zlib" : "none");
  });

  it("says in app.stats() that zstd is not native", () => {
    expect(app.stats().compression).toEqual({
      codings: nodeHasZstd ? ["br", "gzip", "deflate", "zstd"] : ["br", "gzip", "deflate"],
      zstd: nodeHasZstd ? "node:zlib" : "none",
    });
  });

  it("negotiates only codings it can produce", async () => {
    const res = await app.inject({ url: "/items", headers: { "accept-encoding": "zstd, br" } });
    const expected = nodeHasZstd ? "zstd" : "br";
    expect(res.headers["content-encoding"]).toBe(expected);
    expect(JSON.parse(decodeWith(expected, res.rawBody).toString())).toEqual(items);
  });

  it("decodes zstd request bodies only when a zstd backend exists (else 415)", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json", "content-encoding": "zstd" },
      body: encodeWith("zstd", Buffer.from(JSON.stringify({ items }))),
    });
    if (nodeHasZstd) expect(res.json()).toEqual({ received: { items } });
    else expect(res.statusCode).toBe(415);
  });
});
