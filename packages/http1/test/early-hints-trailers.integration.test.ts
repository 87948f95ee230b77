// 103 Early Hints and response/request trailers on both HTTP/1.1 paths (node:http and the native
// engine), seen by curl and raw sockets: the same bytes on the wire from each.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { App } from "@fasterapi/core";
import { afterEach, describe, expect, it } from "vitest";
import { http1 } from "../src/index.js";
import { rawExchange } from "./fixtures/raw-http.js";

const execFileAsync = promisify(execFile);

/** The bytes after the response head (the chunked body with its last chunk). */
function afterHead(text: string): string {
  return text.slice(text.indexOf("\r\n\r\n") + 4);
}

for (const native of [false, true]) {
  describe(`HTTP/1.1 early hints and trailers: ${native ? "native engine" : "node:http"}`, () => {
    const apps: App[] = [];
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
    });

    async function start(routes: (app: App) => void) {
      const app = new App({ logger: false });
      apps.push(app);
      app.register(http1({ port: 0, host: "127.0.0.1", native }));
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
          reply.trailer("X-Count", 2);
          return "body";
        }),
      );
      const exchange = await rawExchange(port, "GET /t HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
      expect(exchange.text.toLowerCase()).toContain("transfer-encoding: chunked");
      expect(afterHead(exchange.text)).toBe("4\r\nbody\r\n0\r\nx-checksum: abc\r\nx-count: 2\r\n\r\n");
    });

    it("ends a streamed body with the trailers it added while streaming, as curl --raw shows", async () => {
      const port = await start((app) =>
        app.get("/stream", ({ reply }) => {
          async function* parts() {
            yield "ab";
            yield "cde";
            reply.trailer("x-sum", "5");
          }
          return parts();
        }),
      );
      const { stdout } = await execFileAsync("curl", ["-s", "--raw", `http://127.0.0.1:${port}/stream`]);
      expect(stdout).toBe("2\r\nab\r\n3\r\ncde\r\n0\r\nx-sum: 5\r\n\r\n");
      // The connection stays usable: a second answer follows on the same socket.
      const twice = "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n";
      const exchange = await rawExchange(port, `${twice}${twice}`, {
        until: (text) => text.split("x-sum: 5\r\n\r\n").length === 3,
      });
      expect(exchange.text.split("HTTP/1.1 200 OK").length).toBe(3);
    });

    it("drops trailers for an HTTP/1.0 client, whose body the close delimits", async () => {
      const port = await start((app) =>
        app.get("/t", ({ reply }) => {
          reply.trailer("x-checksum", "abc");
          return "body";
        }),
      );
      const exchange = await rawExchange(port, "GET /t HTTP/1.0\r\nHost: t\r\n\r\n");
      expect(exchange.ending).toBe("end");
      expect(exchange.text.toLowerCase()).not.toContain("transfer-encoding");
      expect(afterHead(exchange.text)).toBe("body");
    });

    it("reads request trailers after a chunked body: lower-case names, repeats joined, OWS trimmed", async () => {
      const port = await start((app) =>
        app.post("/upload", async ({ body, request }) => ({
          size: (body as Buffer).length,
          trailers: request.trailers?.(),
        })),
      );
      const head =
        "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
      const body = "3\r\nabc\r\n0\r\nX-Digest: d1\r\nx-tag:a\r\nX-Tag: \t b \r\n\r\n";
      // Pipelined behind a second request in the same packet, and split mid-trailer in another run.
      const next = "GET /missing HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
      const expected = '{"size":3,"trailers":{"x-digest":"d1","x-tag":"a, b"}}';
      const pipelined = await rawExchange(port, `${head}${body}${next}`);
      expect(pipelined.text).toContain(expected);
      expect(pipelined.text).toContain("HTTP/1.1 404 Not Found");
      const cut = body.indexOf("x-tag") + 2;
      const split = await rawExchange(port, `${head}${body.slice(0, cut)}`, {
        until: (text) => text.includes("}}"),
        afterConnect: (socket) => setTimeout(() => socket.write(body.slice(cut)), 50),
      });
      expect(split.text).toContain(expected);
    });

    it("has no request trailers for a body without them", async () => {
      const port = await start((app) =>
        app.post("/upload", async ({ body, request }) => ({
          size: (body as Buffer).length,
          trailers: request.trailers?.(),
        })),
      );
      const exchange = await rawExchange(
        port,
        "POST /upload HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
      );
      expect(exchange.text.endsWith('{"size":2,"trailers":{}}')).toBe(true);
    });

    it("answers 500 for a trailer with a bad name, a bad value or a forbidden field", async () => {
      const port = await start((app) =>
        app.get("/bad/:kind", ({ reply, params }) => {
          const kind = (params as { kind: string }).kind;
          if (kind === "name") reply.trailer("bad name", "x");
          else if (kind === "value") reply.trailer("x-ok", "a\r\nx-injected: 1");
          else reply.trailer("content-length", "1");
          return "never";
        }),
      );
      for (const kind of ["name", "value", "forbidden"]) {
        const exchange = await rawExchange(
          port,
          `GET /bad/${kind} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`,
        );
        expect(exchange.text.startsWith("HTTP/1.1 500 Internal Server Error\r\n")).toBe(true);
        expect(exchange.text).not.toContain("x-injected");
        expect(exchange.text).not.toContain("never");
      }
    });
  });
}
