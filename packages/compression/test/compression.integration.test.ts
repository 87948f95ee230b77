import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { App, FLUSH } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HeadlessChromium, launchChromium } from "../../../tooling/test-support/chromium.js";
import { type CompressionOptions, compression } from "../src/index.js";
import { createGate, type Gate } from "./fixtures/gate.js";
import { decodePartial, decodeWith, encodeWith } from "./fixtures/independent-decoders.js";
import { openRawStream } from "./fixtures/raw-http-client.js";

const run = promisify(execFile);
const items = Array.from({ length: 500 }, (_, id) => ({ id, name: `item ${id}`, price: id * 1.5 }));

/** A server on an ephemeral port whose streaming routes wait on gates the test opens. */
async function startServer(options: CompressionOptions = { maxDecodedBodySize: 256 * 1024 }) {
  const gates = new Map<string, Gate>();
  /** Opened by a streaming handler's `finally`: the stream was closed, not left hanging. */
  const closed = new Map<string, Gate>();
  const acceptEncodings: string[] = [];
  const app = new App({ logger: false, docs: false });
  app.register(http1({ port: 0, host: "127.0.0.1" }));
  app.register(compression(options));
  app.get("/page", (ctx) => {
    ctx.reply.type("text/html; charset=utf-8");
    return "<!doctype html><title>compression test</title>";
  });
  app.get("/items", (ctx) => {
    acceptEncodings.push(ctx.request.header("accept-encoding") ?? "");
    return items;
  });
  app.post("/echo", (ctx) => ({ received: ctx.body }));
  app.get("/flushed/:gate", (ctx) => {
    const gate = gates.get(ctx.params.gate ?? "")!;
    ctx.reply.type("text/plain; charset=utf-8");
    return (async function* () {
      yield "event one\n";
      yield FLUSH;
      await gate.promise;
      yield "event two\n";
    })();
  });
  app.get("/events/:gate", (ctx) => {
    const gate = gates.get(ctx.params.gate ?? "")!;
    ctx.reply.type("text/event-stream");
    return (async function* () {
      yield "data: one\n\n";
      await gate.promise;
      yield "data: two\n\n";
    })();
  });
  app.get("/abortable/:gate", (ctx) => {
    const gate = gates.get(ctx.params.gate ?? "")!;
    const done = closed.get(ctx.params.gate ?? "")!;
    ctx.reply.type("text/event-stream");
    return (async function* () {
      try {
        yield "data: one\n\n";
        await gate.promise;
        for (let i = 0; i < 1000; i++) yield `data: ${i}\n\n`;
      } finally {
        done.open();
      }
    })();
  });
  const [address] = await app.listen();
  let next = 0;
  return {
    app,
    port: address!.port,
    base: `http://127.0.0.1:${address!.port}`,
    acceptEncodings,
    gate(): { id: string; gate: Gate; closed: Gate } {
      const id = String(next++);
      const gate = createGate();
      gates.set(id, gate);
      closed.set(id, createGate());
      return { id, gate, closed: closed.get(id)! };
    },
  };
}

describe("compression over real sockets (http1)", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.app.close());

  it.each(["zstd", "br", "gzip"])("curl --compressed decodes a %s response", async (coding) => {
    const dir = mkdtempSync(join(tmpdir(), "fasterapi-curl-"));
    try {
      const headerFile = join(dir, "headers");
      const { stdout } = await run(
        "curl",
        ["-sS", "--compressed", "-H", `Accept-Encoding: ${coding}`, "-D", headerFile, `${server.base}/items`],
        { maxBuffer: 16 * 1024 * 1024 },
      );
      expect(readFileSync(headerFile, "utf8").toLowerCase()).toContain(`content-encoding: ${coding}`);
      expect(JSON.parse(stdout)).toEqual(items);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("curl's raw zstd bytes decode with the zstd CLI", async () => {
    const { stdout } = await run("curl", ["-sS", "-H", "Accept-Encoding: zstd", `${server.base}/items`], {
      encoding: "buffer",
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(JSON.parse(decodeWith("zstd", stdout).toString())).toEqual(items);
  });

  it.each(["zstd", "br", "gzip"])(
    "a %s stream is decodable up to a FLUSH before the handler yields the next chunk",
    async (coding) => {
      const { id, gate } = server.gate();
      const stream = openRawStream(server.port, `/flushed/${id}`, { "Accept-Encoding": coding });
      expect((await stream.headers)["content-encoding"]).toBe(coding);
      await stream.waitFor((body) => decodePartial(coding, body).toString() === "event one\n");
      gate.open();
      const body = await stream.done;
      expect(decodeWith(coding, body).toString()).toBe("event one\nevent two\n");
    },
    15_000,
  );

  it.each(["zstd", "br", "gzip"])(
    "%s-encoded server-sent events reach the client one by one without FLUSH markers",
    async (coding) => {
      const { id, gate } = server.gate();
      const stream = openRawStream(server.port, `/events/${id}`, { "Accept-Encoding": coding });
      const headers = await stream.headers;
      expect(headers["content-encoding"]).toBe(coding);
      expect(headers.vary).toBe("Accept-Encoding");
      await stream.waitFor((body) => decodePartial(coding, body).toString() === "data: one\n\n");
      gate.open();
      expect(decodeWith(coding, await stream.done).toString()).toBe("data: one\n\ndata: two\n\n");
    },
    15_000,
  );

  it.each(["zstd", "br", "gzip"])(
    "closes the handler's %s stream when the client goes away mid-response",
    async (coding) => {
      const { id, gate, closed } = server.gate();
      const stream = openRawStream(server.port, `/abortable/${id}`, { "Accept-Encoding": coding });
      await stream.waitFor((body) => decodePartial(coding, body).toString() === "data: one\n\n");
      stream.destroy();
      gate.open();
      await closed.promise;
      // The encoder went back to its pool clean: the next stream on this server still decodes.
      const next = server.gate();
      next.gate.open();
      const again = openRawStream(server.port, `/events/${next.id}`, { "Accept-Encoding": coding });
      expect(decodeWith(coding, await again.done).toString()).toBe("data: one\n\ndata: two\n\n");
    },
    15_000,
  );

  it.each(["zstd", "br", "gzip", "deflate"])("answers 413 to a %s bomb sent by curl", async (coding) => {
    const dir = mkdtempSync(join(tmpdir(), "fasterapi-curl-"));
    try {
      const file = join(dir, "bomb");
      const json = Buffer.concat([Buffer.from("[0"), Buffer.alloc(16 * 1024 * 1024, " "), Buffer.from("]")]);
      writeFileSync(file, encodeWith(coding, json));
      const { stdout } = await run("curl", [
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-H",
        "Content-Type: application/json",
        "-H",
        `Content-Encoding: ${coding}`,
        "--data-binary",
        `@${file}`,
        `${server.base}/echo`,
      ]);
      expect(stdout).toBe("413");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(["zstd", "br", "gzip", "deflate"])("decodes a %s request body sent by curl", async (coding) => {
    const dir = mkdtempSync(join(tmpdir(), "fasterapi-curl-"));
    try {
      const file = join(dir, "body");
      writeFileSync(file, encodeWith(coding, Buffer.from(JSON.stringify({ items }))));
      const { stdout } = await run(
        "curl",
        [
          "-sS",
          "-H",
          "Content-Type: application/json",
          "-H",
          `Content-Encoding: ${coding}`,
          "--data-binary",
          `@${file}`,
          `${server.base}/echo`,
        ],
        { maxBuffer: 16 * 1024 * 1024 },
      );
      expect(JSON.parse(stdout)).toEqual({ received: { items } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("headless Chromium decodes our responses", () => {
  let zstdFirst: Awaited<ReturnType<typeof startServer>>;
  let brOnly: Awaited<ReturnType<typeof startServer>>;
  let browser: HeadlessChromium<BrowserContext>;

  beforeAll(async () => {
    zstdFirst = await startServer();
    brOnly = await startServer({ encodings: ["br"] });
    browser = await launchChromium(chromium);
  });
  afterAll(async () => {
    await browser?.close();
    await zstdFirst?.app.close();
    await brOnly?.app.close();
  });

  async function fetchItems(base: string): Promise<{ encoding: string | null; text: string }> {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${base}/page`);
      return await page.evaluate(async () => {
        const res = await fetch("/items");
        return { encoding: res.headers.get("content-encoding"), text: await res.text() };
      });
    } finally {
      await page.close();
    }
  }

  it.each([
    ["zstd", () => zstdFirst],
    ["br", () => brOnly],
  ] as const)("fetch() in Chromium reads a %s-encoded JSON response", async (coding, server) => {
    const result = await fetchItems(server().base);
    expect(server().acceptEncodings.at(-1)).toContain(coding);
    expect(result.encoding).toBe(coding);
    expect(JSON.parse(result.text)).toEqual(items);
  });
});
