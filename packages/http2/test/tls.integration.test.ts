// h2 over TLS on the node:http2 path: ALPN picks h2 or http/1.1 on one port (allowHTTP1), and real
// clients see it: Node's http2 and https clients, curl --http2 / --http1.1 (with 103 Early Hints on
// both), and headless Chromium, whose page reports nextHopProtocol "h2". Both paths: node:http2
// and the native module (with @fasterapi/http1's native module for ALPN http/1.1).
import { execFile } from "node:child_process";
import { Agent, request as httpsRequest } from "node:https";
import { connect as tlsConnect } from "node:tls";
import { promisify } from "node:util";
import { App } from "@fasterapi/core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../../tooling/test-support/chromium.js";
import { selfSignedCert } from "../../http1/test/fixtures/self-signed-cert.js";
import { http2 } from "../src/index.js";
import { h2Request, openSession } from "./fixtures/h2-client.js";

const execFileAsync = promisify(execFile);

async function startTls(native: boolean, allowHTTP1 = true) {
  const { key, cert } = selfSignedCert();
  const app = new App({ logger: false });
  app.register(http2({ port: 0, host: "127.0.0.1", tls: { key, cert }, allowHTTP1, native }));
  app.get("/protocol", ({ request }) => ({ protocol: request.protocol }));
  app.get("/hints", ({ reply }) => {
    reply.earlyHints({ link: "</app.css>; rel=preload; as=style" });
    return "hinted";
  });
  app.post("/echo", ({ body }) => body);
  app.get("/page", ({ reply }) => {
    reply.type("text/html");
    return "<!doctype html><title>h2</title>";
  });
  const [address] = await app.listen();
  if (address === undefined) throw new Error("no address");
  return { app, port: address.port, scheme: address.scheme };
}

function alpnOf(port: number, protocols: string[]): Promise<string | false> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { port, host: "127.0.0.1", ALPNProtocols: protocols, rejectUnauthorized: false },
      () => {
        const chosen = socket.alpnProtocol ?? false;
        socket.destroy();
        resolve(chosen);
      },
    );
    socket.on("error", reject);
  });
}

for (const [path, native] of [
  ["node:http2", false],
  ["native", true],
] as const) {
  describe(`h2 over TLS with HTTP/1.1 on the same port (${path})`, () => {
    let server: Awaited<ReturnType<typeof startTls>>;

    beforeAll(async () => {
      server = await startTls(native);
    });
    afterAll(() => server.app.close());

    it("listens as https and negotiates h2 first, http/1.1 when the client offers only that", async () => {
      expect(server.scheme).toBe("https");
      expect(await alpnOf(server.port, ["h2", "http/1.1"])).toBe("h2");
      expect(await alpnOf(server.port, ["http/1.1"])).toBe("http/1.1");
    });

    it("serves Node's http2 client over TLS as h2", async () => {
      const session = await openSession(server.port, { tls: true });
      try {
        const res = await h2Request(session, { ":path": "/protocol" });
        expect(JSON.parse(res.body.toString())).toEqual({ protocol: "h2" });
      } finally {
        session.close();
      }
    });

    it("serves Node's https (HTTP/1.1) client on the same port, with a body", async () => {
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: "127.0.0.1",
            port: server.port,
            method: "POST",
            path: "/echo",
            headers: { "content-type": "application/json" },
            rejectUnauthorized: false,
            agent: false,
          },
          (r) => {
            let body = "";
            r.on("data", (c: Buffer) => {
              body += c;
            });
            r.on("end", () => resolve({ status: r.statusCode as number, body }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ a: 1 }));
      });
      expect(res).toEqual({ status: 200, body: '{"a":1}' });
    });

    it("serves curl --http2 as h2 and curl --http1.1 as HTTP/1.1, each with 103 Early Hints", async () => {
      const url = `https://localhost:${server.port}/hints`;
      const h2 = await execFileAsync("curl", ["-s", "-i", "--insecure", "--http2", url]);
      expect(h2.stdout).toMatch(/^HTTP\/2 103\s+link: <\/app\.css>; rel=preload; as=style/);
      expect(h2.stdout).toContain("HTTP/2 200");
      const h1 = await execFileAsync("curl", ["-s", "-i", "--insecure", "--http1.1", url]);
      expect(h1.stdout).toMatch(/^HTTP\/1\.1 103 Early Hints\r\nLink: <\/app\.css>; rel=preload; as=style/);
      expect(h1.stdout).toContain("HTTP/1.1 200 OK");
      expect(h1.stdout.endsWith("hinted")).toBe(true);
    });

    it('is reached by headless Chromium over h2 (nextHopProtocol "h2")', async () => {
      const browser = await launchChromium(chromium, { ignoreHTTPSErrors: true });
      try {
        const page = await browser.context.newPage();
        await page.goto(`https://localhost:${server.port}/page`);
        const seen = await page.evaluate(async () => {
          const res = await fetch("/protocol");
          // Node's types know no navigation entries; in the page this is a PerformanceNavigationTiming.
          const [navigation] = performance.getEntries() as unknown as { nextHopProtocol: string }[];
          return { nextHopProtocol: navigation?.nextHopProtocol, body: await res.json() };
        });
        expect(seen).toEqual({ nextHopProtocol: "h2", body: { protocol: "h2" } });
      } finally {
        await browser.close();
      }
    });
  });

  describe(`graceful close on the shared TLS port (${path})`, () => {
    it("closes idle HTTP/1.1 keep-alive connections and h2 sessions (GOAWAY) on close()", async () => {
      const server = await startTls(native);
      const agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
      const session = await openSession(server.port, { tls: true });
      try {
        await new Promise<void>((resolve, reject) => {
          const req = httpsRequest(
            { host: "127.0.0.1", port: server.port, path: "/protocol", agent },
            (r) => {
              r.resume();
              r.on("end", () => resolve());
            },
          );
          req.on("error", reject);
          req.end();
        });
        await h2Request(session, { ":path": "/protocol" });
        const [http1Socket] = Object.values(agent.freeSockets).flat();
        const http1Closed = new Promise<void>((resolve) => http1Socket?.once("close", () => resolve()));
        const goaway = new Promise<void>((resolve) => session.once("goaway", () => resolve()));
        await server.app.close();
        await Promise.all([http1Closed, goaway]);
      } finally {
        agent.destroy();
        session.destroy();
      }
    });
  });

  describe(`h2 over TLS without HTTP/1.1 (${path})`, () => {
    it("offers only h2 when allowHTTP1 is false", async () => {
      const server = await startTls(native, false);
      try {
        expect(await alpnOf(server.port, ["h2", "http/1.1"])).toBe("h2");
        // node:http2 answers a client without h2 by closing the connection.
        await expect(alpnOf(server.port, ["http/1.1"])).rejects.toThrow();
      } finally {
        await server.app.close();
      }
    });
  });
}
