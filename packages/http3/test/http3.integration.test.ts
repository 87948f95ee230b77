// HTTP/3 end to end through a real App: Debian's gtlsclient and headless Chromium forced onto
// QUIC, plus the HTTP/1.1 transport of the same app advertising h3 with Alt-Svc.
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { App } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HeadlessChromium, launchChromium } from "../../../tooling/test-support/chromium.js";
import { http3 } from "../src/index.js";
import { makeCertificate } from "./fixtures/certificate.js";
import { gtlsclient } from "./fixtures/gtlsclient.js";

const BIG = 10 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** The 10 MB download: byte i is (i * 7 + (i >> 16)) & 255, streamed in 64 KiB chunks. */
function bigChunk(index: number): Buffer {
  const out = Buffer.allocUnsafe(CHUNK);
  for (let j = 0; j < CHUNK; j++) {
    const i = index * CHUNK + j;
    out[j] = (i * 7 + (i >> 16)) & 255;
  }
  return out;
}

const bigSha = (() => {
  const hash = createHash("sha256");
  for (let k = 0; k < BIG / CHUNK; k++) hash.update(bigChunk(k));
  return hash.digest("hex");
})();

const cert = makeCertificate();
let app: App;
let h3Port: number;
let h1Port: number;

beforeAll(async () => {
  app = new App({ logger: false, docs: false });
  app.register(http3({ port: 0, host: "127.0.0.1", tls: { key: cert.key, cert: cert.cert } }));
  app.register(http1({ port: 0, host: "127.0.0.1" }));
  app.get("/", (ctx) => {
    ctx.reply.type("text/html; charset=utf-8");
    return "<!doctype html><title>h3</title>";
  });
  app.get("/json", (ctx) => ({ hello: "h3", protocol: ctx.request.protocol }));
  app.post("/echo", async (ctx) => {
    const body = await ctx.request.body(16 * 1024 * 1024);
    return { length: body.length, sha256: createHash("sha256").update(body).digest("hex") };
  });
  app.get("/big", (ctx) => {
    ctx.reply.type("application/octet-stream");
    return (async function* () {
      for (let k = 0; k < BIG / CHUNK; k++) yield bigChunk(k);
    })();
  });
  const addresses = await app.listen();
  h3Port = addresses.find((a) => a.scheme === "h3")?.port as number;
  h1Port = addresses.find((a) => a.scheme === "http")?.port as number;
});

afterAll(async () => {
  await app?.close();
});

describe("gtlsclient (Debian's ngtcp2 + nghttp3 client)", () => {
  it("GETs JSON over HTTP/3", async () => {
    const result = await gtlsclient(h3Port, ["/json"]);
    expect(JSON.parse(result.bodies.get("json")?.toString() ?? "null")).toEqual({
      hello: "h3",
      protocol: "h3",
    });
    expect(result.headers).toContain(":status: 200");
    expect(result.headers).toContain("content-type: application/json; charset=utf-8");
  });

  it("POSTs a body and gets its length and hash back", async () => {
    const body = Buffer.from(JSON.stringify({ data: "abcdefghij".repeat(30_000) })); // core's default body is JSON
    const result = await gtlsclient(h3Port, ["/echo"], { method: "POST", body });
    expect(JSON.parse(result.bodies.get("echo")?.toString() ?? "null")).toEqual({
      length: body.length,
      sha256: createHash("sha256").update(body).digest("hex"),
    });
  });

  it("streams a 10 MB download with backpressure", async () => {
    const result = await gtlsclient(h3Port, ["/big"]);
    const body = result.bodies.get("big") as Buffer;
    expect(body.length).toBe(BIG);
    expect(createHash("sha256").update(body).digest("hex")).toBe(bigSha);
  });

  it("answers unknown routes with 404 and several streams on one connection", async () => {
    const result = await gtlsclient(h3Port, ["/json", "/missing", "/json"]);
    expect(result.headers.filter((h) => h === ":status: 200")).toHaveLength(2);
    expect(result.headers).toContain(":status: 404");
  });
});

describe("Alt-Svc", () => {
  it("the HTTP/1.1 transport of the same app advertises h3 on the UDP port", async () => {
    const altSvc = await new Promise<string | undefined>((resolve, reject) => {
      httpRequest({ host: "127.0.0.1", port: h1Port, path: "/json" }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.headers["alt-svc"] as string | undefined));
      })
        .on("error", reject)
        .end();
    });
    expect(altSvc).toBe(`h3=":${h3Port}"; ma=86400`);
  });

  it("HTTP/3 responses carry no Alt-Svc", async () => {
    const result = await gtlsclient(h3Port, ["/json"]);
    expect(result.headers.some((h) => h.startsWith("alt-svc"))).toBe(false);
  });
});

describe("headless Chromium forced onto QUIC", () => {
  let browser: HeadlessChromium<BrowserContext>;

  beforeAll(async () => {
    browser = await launchChromium(chromium, {
      args: [
        "--enable-quic",
        `--origin-to-force-quic-on=127.0.0.1:${h3Port}`,
        `--ignore-certificate-errors-spki-list=${cert.spki}`,
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("loads the page over h3 and fetches JSON, a POST, 10 MB and 100 parallel requests", async () => {
    const page = await browser.context.newPage();
    await page.goto(`https://127.0.0.1:${h3Port}/`);
    const result = await page.evaluate(async (big) => {
      // Browser globals (this runs in the page): the navigation entry says which protocol carried it.
      const timing = performance as unknown as {
        getEntriesByType(type: string): { nextHopProtocol: string }[];
      };
      const nav = timing.getEntriesByType("navigation")[0] as { nextHopProtocol: string };
      const json = await (await fetch("/json")).json();
      const posted = (await (
        await fetch("/echo", { method: "POST", body: JSON.stringify("x".repeat(99_998)) })
      ).json()) as { length: number };
      const download = await (await fetch("/big")).arrayBuffer();
      const digest = await crypto.subtle.digest("SHA-256", download);
      const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
      const parallel = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => (await fetch(`/json?i=${i}`)).status),
      );
      return { protocol: nav.nextHopProtocol, json, posted, size: download.byteLength, hex, parallel, big };
    }, BIG);
    expect(result.protocol).toBe("h3");
    expect(result.json).toEqual({ hello: "h3", protocol: "h3" });
    expect(result.posted.length).toBe(100_000);
    expect(result.size).toBe(BIG);
    expect(result.hex).toBe(bigSha);
    expect(result.parallel).toEqual(Array.from({ length: 100 }, () => 200));
    await page.close();
  });
});
