// 103 Early Hints and response/request trailers on the node:http path, seen by curl and raw sockets.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { App } from "@fasterapi/core";
import { afterEach, describe, expect, it } from "vitest";
import { http1 } from "../src/index.js";
import { rawExchange } from "./fixtures/raw-http.js";

const execFileAsync = promisify(execFile);

describe("HTTP/1.1 early hints and trailers: node:http", () => {
  const apps: App[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function start(routes: (app: App) => void) {
    const app = new App({ logger: false });
    apps.push(app);
    app.register(http1({ port: 0, host: "127.0.0.1", native: false }));
    routes(app);
    const [address] = await app.listen();
    return address?.port ?? 0;
  }

  it("sends 103 Early Hints with Link before the final answer", async () => {
    const port = await start((app) =>
      app.get("/page", ({ reply }) => {
        reply.earlyHints({ link: "</app.css>; rel=preload; as=style" });
        return "page";
      }),
    );
    const { stdout } = await execFileAsync("curl", ["-s", "-i", `http://127.0.0.1:${port}/page`]);
    expect(stdout).toMatch(
      /^HTTP\/1\.1 103 Early Hints\r\nLink: <\/app\.css>; rel=preload; as=style\r\n\r\nHTTP\/1\.1 200 OK/,
    );
    expect(stdout.endsWith("page")).toBe(true);
  });

  it("sends trailers in the last chunk of a chunked answer", async () => {
    const port = await start((app) =>
      app.get("/t", ({ reply }) => {
        reply.trailer("x-checksum", "abc");
        return "body";
      }),
    );
    const exchange = await rawExchange(port, "GET /t HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    expect(exchange.text.toLowerCase()).toContain("transfer-encoding: chunked");
    expect(exchange.text).toMatch(/\r\n0\r\nx-checksum: abc\r\n\r\n$/);
  });

  it("reads request trailers after a chunked body", async () => {
    const port = await start((app) =>
      app.post("/upload", ({ body, request }) => ({
        size: (body as Buffer).length,
        trailers: request.trailers?.(),
      })),
    );
    const exchange = await rawExchange(
      port,
      "POST /upload HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "3\r\nabc\r\n0\r\nX-Digest: d1\r\n\r\n",
    );
    expect(exchange.text.endsWith('{"size":3,"trailers":{"x-digest":"d1"}}')).toBe(true);
  });
});
