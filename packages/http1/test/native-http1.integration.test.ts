// The native HTTP/1.1 path (engine + C++ protocol module) through a real App: first the shared
// transport suite every HTTP/1.1 engine must pass (RFC 9112 refusals included), then the parser's
// defences seen from a raw socket (status, then a clean FIN), slow clients, deep pipelining,
// chunked uploads, 100-continue.

import { execFile } from "node:child_process";
import { connect } from "node:net";
import { promisify } from "node:util";
import { App, definePlugin } from "@fasterapi/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Http1Options, NativeHttp1Transport } from "../src/index.js";
import { rawExchange, splitResponses } from "./fixtures/raw-http.js";
import { selfSignedCert } from "./fixtures/self-signed-cert.js";
import { defineTransportSuite } from "./fixtures/transport-suite.js";

function nativePlugin(options: Http1Options) {
  return definePlugin(
    (app) => {
      app.addTransport(new NativeHttp1Transport(options));
    },
    { name: "native-http1-test", global: true },
  );
}

defineTransportSuite("native engine", (options) => nativePlugin(options));

describe("native HTTP/1.1 defences and framing", () => {
  const apps: App[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function start(options: Http1Options = {}, routes: (app: App) => void = () => {}) {
    const app = new App({ logger: false, bodyLimit: 64 * 1024 });
    apps.push(app);
    app.register(nativePlugin({ port: 0, host: "127.0.0.1", ...options }));
    app.get("/ping", () => "pong");
    app.get("/n/:n", ({ params }) => `n=${(params as { n: string }).n}`);
    app.post("/echo", ({ body }) => body);
    app.post("/raw", ({ body }) => `len=${(body as Buffer).length}`);
    routes(app);
    const [address] = await app.listen();
    if (address === undefined) throw new Error("no address");
    return address.port;
  }

  // The parser's own defences.
  const defences: [string, string, number][] = [
    [
      "Content-Length together with Transfer-Encoding",
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      400,
    ],
    [
      "conflicting duplicate Content-Length",
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
      400,
    ],
    ["obs-fold", "GET /ping HTTP/1.1\r\nHost: t\r\nX-A: a\r\n b\r\n\r\n", 400],
    ["an invalid token character in a header name", "GET /ping HTTP/1.1\r\nHost: t\r\nX[A]: b\r\n\r\n", 400],
    ["a NUL byte in a header value", "GET /ping HTTP/1.1\r\nHost: t\r\nX-A: a\0b\r\n\r\n", 400],
    ["a bare CR in a header value", "GET /ping HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n", 400],
    ["headers over 16 KiB", `GET /ping HTTP/1.1\r\nHost: t\r\nX-A: ${"b".repeat(17_000)}\r\n\r\n`, 431],
  ];
  for (const [what, bytes, status] of defences) {
    it(`answers ${status} to ${what} and closes the connection cleanly`, async () => {
      const port = await start();
      const exchange = await rawExchange(port, bytes);
      expect(exchange.text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(exchange.text.toLowerCase()).toContain("connection: close");
      expect(exchange.ending).toBe("end");
    });
  }

  it("answers earlier pipelined requests before the 400 for a bad one", async () => {
    const port = await start();
    const exchange = await rawExchange(
      port,
      "GET /n/1 HTTP/1.1\r\nHost: t\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: t\r\n\r\nGET /bad HTTP/1.1\r\nHost : t\r\n\r\n",
    );
    expect(splitResponses(exchange.text).map((r) => [r.status, r.body])).toEqual([
      [200, "n=1"],
      [200, "n=2"],
      [400, ""],
    ]);
    expect(exchange.ending).toBe("end");
  });

  it("closes a slowloris client with 408 once the header timeout passes", async () => {
    const port = await start({ headersTimeoutMs: 1000 });
    const exchange = await rawExchange(port, "GET /ping HTTP/1.1\r\nHost: t\r\n", {
      timeoutMs: 8000,
      afterConnect: (socket) => {
        // One header byte every 200 ms: never a complete head, always some progress.
        const timer = setInterval(() => {
          if (socket.destroyed) clearInterval(timer);
          else socket.write("X", () => {});
        }, 200);
        socket.on("close", () => clearInterval(timer));
      },
    });
    // Only the header timeout answers 408; the client kept sending until the server closed.
    expect(exchange.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(exchange.ending).toBe("end");
  });

  it("answers 16 pipelined requests in order", async () => {
    const port = await start();
    let bytes = "";
    for (let i = 0; i < 16; i++) bytes += `GET /n/${i} HTTP/1.1\r\nHost: t\r\n\r\n`;
    const exchange = await rawExchange(port, bytes, { until: (text) => splitResponses(text).length === 16 });
    expect(splitResponses(exchange.text).map((r) => r.body)).toEqual(
      Array.from({ length: 16 }, (_, i) => `n=${i}`),
    );
  });

  it("answers 40 pipelined requests in order, pausing reads beyond 32 in flight", async () => {
    const port = await start();
    let bytes = "";
    for (let i = 0; i < 40; i++) bytes += `GET /n/${i} HTTP/1.1\r\nHost: t\r\n\r\n`;
    const exchange = await rawExchange(port, bytes, { until: (text) => splitResponses(text).length === 40 });
    expect(splitResponses(exchange.text).map((r) => r.body)).toEqual(
      Array.from({ length: 40 }, (_, i) => `n=${i}`),
    );
  });

  it("holds a streamed answer back until the slower answer before it is sent", async () => {
    const port = await start({}, (app) => {
      app.get("/slow", async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return "slow";
      });
      app.get("/stream", () =>
        (async function* () {
          for (let i = 0; i < 3; i++) yield Buffer.from(`part${i};`);
        })(),
      );
    });
    const exchange = await rawExchange(
      port,
      "GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /stream HTTP/1.1\r\nHost: t\r\n\r\n",
      { until: (text) => text.endsWith("0\r\n\r\n") },
    );
    const second = exchange.text.indexOf("HTTP/1.1 200", 1);
    expect(exchange.text.slice(0, second)).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\nslow$/);
    const streamed = exchange.text.slice(second);
    expect(streamed.toLowerCase()).toContain("transfer-encoding: chunked");
    const body = streamed.slice(streamed.indexOf("\r\n\r\n") + 4);
    expect(body.replace(/[0-9a-f]+\r\n([^\r]*)\r\n/g, "$1")).toBe("part0;part1;part2;");
  });

  it("reads a chunked request body with extensions and trailers", async () => {
    const port = await start();
    const exchange = await rawExchange(
      port,
      "POST /raw HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
      { until: (text) => text.includes("len=") },
    );
    expect(splitResponses(exchange.text).map((r) => [r.status, r.body])).toEqual([[200, "len=11"]]);
  });

  it("answers 400 to a malformed chunked body", async () => {
    const port = await start();
    const exchange = await rawExchange(
      port,
      "POST /raw HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    );
    expect(exchange.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(exchange.ending).toBe("end");
  });

  it("sends 100 Continue only when the handler reads the body", async () => {
    const port = await start();
    const exchange = await rawExchange(
      port,
      "POST /raw HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
      {
        until: (text) => text.includes("len="),
        afterConnect: (socket) => {
          socket.once("data", (data) => {
            if (data.toString("latin1").startsWith("HTTP/1.1 100 Continue\r\n\r\n")) socket.write("abcd");
          });
        },
      },
    );
    expect(exchange.text.startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 ")).toBe(true);
    expect(exchange.text.endsWith("len=4")).toBe(true);
  });

  it("hands core lazily decoded headers: first value by name, repeats joined, set-cookie as a list", async () => {
    const port = await start({}, (app) => {
      app.get("/headers", ({ request }) => ({
        first: request.header("x-a") ?? null,
        missing: request.header("x-none") ?? null,
        all: request.headers(),
        url: request.url,
        method: request.method,
      }));
    });
    const exchange = await rawExchange(
      port,
      "GET http://t/headers?q=1 HTTP/1.1\r\nHost: t\r\nX-A: one\r\nx-a: two\r\nCookie: a=1\r\nCookie: b=2\r\n" +
        "Set-Cookie: s=1\r\nSet-Cookie: s=2\r\nX-Empty:\r\n\r\n",
      { until: (text) => splitResponses(text).length === 1 },
    );
    const [response] = splitResponses(exchange.text);
    expect(JSON.parse(response?.body ?? "null")).toEqual({
      first: "one",
      missing: null,
      all: { host: "t", "x-a": "one, two", cookie: "a=1; b=2", "set-cookie": ["s=1", "s=2"], "x-empty": "" },
      url: "/headers?q=1",
      method: "GET",
    });
  });

  it("answers each of 60 connections writing at once with its own response, bodies mixed in", async () => {
    const port = await start();
    // Requests from many connections land in one event-loop turn and reach JS as one batch; a POST
    // among them makes the batch go out at once. Every answer must reach its own connection.
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const request =
          i % 7 === 3
            ? `POST /raw HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nContent-Length: ${i}\r\n\r\n${"x".repeat(i)}`
            : `GET /n/${i} HTTP/1.1\r\nHost: t\r\n\r\n`;
        return rawExchange(port, request, { until: (text) => splitResponses(text).length === 1 });
      }),
    );
    answers.forEach((exchange, i) => {
      expect(splitResponses(exchange.text).map((r) => r.body)).toEqual([i % 7 === 3 ? `len=${i}` : `n=${i}`]);
    });
  });

  it("keeps an unanswered request's headers readable after later requests fill new request slabs", async () => {
    let releaseHeld: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      releaseHeld = resolve;
    });
    let arrived: () => void = () => {};
    const heldArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const port = await start({ maxHeaderBytes: 32 * 1024 }, (app) => {
      app.get("/held", async ({ request }) => {
        arrived();
        await gate;
        return { marker: request.header("x-marker") ?? null, all: request.headers() };
      });
    });
    const held = rawExchange(port, "GET /held HTTP/1.1\r\nHost: t\r\nX-Marker: kept-intact\r\n\r\n", {
      until: (text) => splitResponses(text).length === 1,
    });
    await heldArrived;
    // 80 heads of ~8 KiB each: 640 KiB of request bytes, more than two 256 KiB slabs.
    const filler = "f".repeat(8 * 1024);
    for (let i = 0; i < 80; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/ping`, { headers: { "x-filler": filler } });
      expect(await response.text()).toBe("pong");
    }
    releaseHeld();
    const [response] = splitResponses((await held).text);
    expect(JSON.parse(response?.body ?? "null")).toEqual({
      marker: "kept-intact",
      all: { host: "t", "x-marker": "kept-intact" },
    });
  });

  it("closes after answering a request that sent Connection: close, ignoring what follows", async () => {
    const port = await start();
    const exchange = await rawExchange(
      port,
      "GET /n/1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    expect(splitResponses(exchange.text).map((r) => [r.status, r.body, r.headers.connection])).toEqual([
      [200, "n=1", "close"],
    ]);
    expect(exchange.ending).toBe("end");
  });

  it("closes after a response whose handler set Connection: close", async () => {
    const port = await start({}, (app) => {
      app.get("/bye", ({ reply }) => {
        reply.header("connection", "close");
        return "bye";
      });
    });
    const exchange = await rawExchange(port, "GET /bye HTTP/1.1\r\nHost: t\r\n\r\n");
    expect(splitResponses(exchange.text).map((r) => [r.status, r.body, r.headers.connection])).toEqual([
      [200, "bye", "close"],
    ]);
    expect(exchange.ending).toBe("end");
  });

  it("answers 408 and closes when a request body stalls past requestTimeoutMs", async () => {
    const port = await start({ headersTimeoutMs: 1000, requestTimeoutMs: 1000 });
    const exchange = await rawExchange(
      port,
      "POST /raw HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nContent-Length: 10\r\n\r\nabc",
      { timeoutMs: 6000 },
    );
    expect(exchange.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(exchange.ending).toBe("end");
  });

  it("skips a small unread body after answering and keeps the connection", async () => {
    const port = await start();
    const exchange = await rawExchange(
      port,
      "PUT /ping HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhelloGET /ping HTTP/1.1\r\nHost: t\r\n\r\n",
      { until: (text) => text.endsWith("pong") },
    );
    expect(splitResponses(exchange.text).map((r) => [r.status, r.headers.connection])).toEqual([
      [405, "keep-alive"],
      [200, "keep-alive"],
    ]);
  });

  it("keeps a connection alive after a request whose body was read", async () => {
    const port = await start();
    const exchange = await rawExchange(
      port,
      "POST /raw HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nContent-Length: 3\r\n\r\nabcGET /ping HTTP/1.1\r\nHost: t\r\n\r\n",
      { until: (text) => text.endsWith("pong") },
    );
    expect(splitResponses(exchange.text).map((r) => [r.status, r.body])).toEqual([
      [200, "len=3"],
      [200, "pong"],
    ]);
  });

  it("refuses a response header value with a NUL instead of splitting it into another header", async () => {
    const port = await start({}, (app) => {
      app.get("/smuggle", ({ reply }) => {
        reply.header("x-a", "a\0x-evil\0yes");
        return "body";
      });
      app.get("/many", ({ reply }) => {
        reply.header("x-one", "1");
        reply.header("x-two", "");
        return "ok";
      });
    });
    // The addon throws a TypeError for the value (whatever core then makes of it): no head carries x-evil.
    const smuggled = await rawExchange(port, "GET /smuggle HTTP/1.1\r\nHost: t\r\n\r\n", {
      until: (text) => splitResponses(text).length === 1,
      timeoutMs: 1500,
    });
    expect(smuggled.text.toLowerCase()).not.toContain("x-evil");
    const many = await rawExchange(port, "GET /many HTTP/1.1\r\nHost: t\r\n\r\n", {
      until: (text) => text.endsWith("ok"),
    });
    const [response] = splitResponses(many.text);
    expect([response?.headers["x-one"], response?.headers["x-two"], response?.body]).toEqual(["1", "", "ok"]);
  });

  it("keeps a connection that answers requests back to back open past keepAliveTimeoutMs, and still closes an idle one", async () => {
    const keepAliveTimeoutMs = 1500;
    const port = await start({ keepAliveTimeoutMs });
    const request = "GET /ping HTTP/1.1\r\nHost: t\r\n\r\n";
    // Busy: one request at a time, the next sent as soon as the previous answer is complete, for
    // well over the keep-alive timeout (and its 1 s timer resolution). The idle timer must restart
    // after every answer, so the server never closes this connection.
    const busy = new Promise<{ answered: number; failures: string[]; closedByServer: boolean }>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      const failures: string[] = [];
      let answered = 0;
      let pending = "";
      let closedByServer = false;
      const stopAt = Date.now() + 4000;
      // An answer that never completes (or is not "pong") stalls the loop: fail instead of hanging.
      const watchdog = setTimeout(() => {
        failures.push(`stalled after ${answered} answers with ${JSON.stringify(pending)}`);
        finish();
      }, 6000);
      const finish = () => {
        clearTimeout(watchdog);
        socket.removeAllListeners("close");
        socket.destroy();
        resolve({ answered, failures, closedByServer });
      };
      socket.on("connect", () => socket.write(request));
      socket.on("data", (data) => {
        pending += data.toString("latin1");
        const responses = splitResponses(pending);
        if (responses.length === 0 || !pending.endsWith("pong")) return;
        for (const r of responses) {
          if (r.status !== 200 || r.body !== "pong") failures.push(`${r.status} ${r.body}`);
        }
        answered += responses.length;
        pending = "";
        if (Date.now() >= stopAt) finish();
        else socket.write(request);
      });
      socket.on("error", (error) => failures.push(error.message));
      socket.on("close", () => {
        clearTimeout(watchdog);
        closedByServer = true;
        resolve({ answered, failures, closedByServer });
      });
    });
    // Idle: one request, then silence; the server must close it once the timeout passes.
    const idleStart = Date.now();
    const idle = await rawExchange(port, request, { timeoutMs: 3500 });
    const idleClosedAfter = Date.now() - idleStart;
    const result = await busy;
    expect(result.failures).toEqual([]);
    expect(result.closedByServer).toBe(false);
    expect(result.answered).toBeGreaterThan(100);
    expect(splitResponses(idle.text).map((r) => [r.status, r.body])).toEqual([[200, "pong"]]);
    expect(idle.ending).toBe("end");
    expect(idleClosedAfter).toBeGreaterThanOrEqual(keepAliveTimeoutMs);
  });

  it("serves HTTPS through the engine's TLS to curl with ALPN http/1.1", async () => {
    const { key, cert } = selfSignedCert();
    const port = await start({ tls: { key, cert } });
    const { stdout } = await promisify(execFile)("curl", [
      "-s",
      "-i",
      "--insecure",
      "--http1.1",
      `https://127.0.0.1:${port}/n/5`,
    ]);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 /);
    expect(stdout.endsWith("\r\n\r\nn=5")).toBe(true);
  });
});
