// The node:http transport driven directly with a hand-written RequestHandler (no core pipeline):
// the seam's promises (lazy view, body limit, backpressure, abort, stats, TLS) on real sockets.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BodyLimitError, type RequestHandler, type RequestView, type ResponseSink } from "@fasterapi/core";
import { afterEach, describe, expect, it } from "vitest";
import { NodeHttp1Transport } from "../src/node-http1-transport.js";
import { rawExchange, splitResponses } from "./fixtures/raw-http.js";
import { selfSignedCert } from "./fixtures/self-signed-cert.js";

const transports: NodeHttp1Transport[] = [];

async function serve(handler: RequestHandler, options = {}) {
  const transport = new NodeHttp1Transport({ port: 0, host: "127.0.0.1", ...options });
  transports.push(transport);
  const address = await transport.listen(handler);
  return { transport, port: address.port, address };
}

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close(0)));
});

function get(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = httpRequest({ port, host: "127.0.0.1", path, headers, agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode as number, body, headers: res.headers }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

describe("NodeHttp1Transport", () => {
  it("exposes method, origin-form url, protocol, headers and peer address lazily", async () => {
    let seen: Record<string, unknown> = {};
    const { port } = await serve((view: RequestView, sink: ResponseSink) => {
      seen = {
        method: view.method,
        url: view.url,
        protocol: view.protocol,
        remote: view.remoteAddress,
        agent: view.header("x-agent"),
        cookies: view.headers()["set-cookie"],
      };
      sink.send(200, ["content-type", "text/plain"], "ok");
    });
    const exchange = await rawExchange(
      port,
      "GET http://example.test:9/a/b?c=1 HTTP/1.1\r\nHost: example.test\r\nX-Agent: t\r\n" +
        "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n",
      { until: (text) => text.endsWith("ok") },
    );
    expect(splitResponses(exchange.text)[0]?.body).toBe("ok");
    expect(seen).toEqual({
      method: "GET",
      url: "/a/b?c=1",
      protocol: "http/1.1",
      remote: "127.0.0.1",
      agent: "t",
      cookies: ["a=1", "b=2"],
    });
  });

  it("sets content-length on send and keeps the connection alive", async () => {
    const { port } = await serve((_view, sink) => sink.send(201, ["content-type", "text/plain"], "héllo"));
    const exchange = await rawExchange(
      port,
      "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
      { until: (text) => splitResponses(text).length === 2 },
    );
    const responses = splitResponses(exchange.text);
    expect(responses.map((r) => r.status)).toEqual([201, 201]);
    expect(responses[0]?.headers["content-length"]).toBe("6");
    expect(responses[0]?.headers.connection).toBe("keep-alive");
  });

  it("rejects body() with BodyLimitError from the declared Content-Length without sending 100 Continue", async () => {
    let error: unknown;
    const { port } = await serve(async (view, sink) => {
      try {
        await view.body(10);
      } catch (e) {
        error = e;
      }
      sink.send(413, [], "too large");
    });
    const exchange = await rawExchange(
      port,
      "POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n",
      { until: (text) => text.includes("too large") },
    );
    expect(error).toBeInstanceOf(BodyLimitError);
    expect(exchange.text).not.toContain("100 Continue");
    expect(exchange.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(exchange.text.toLowerCase()).toContain("connection: close");
  });

  it("answers 413 and closes with FIN, not RST, while a client busy uploading is not reading yet", async () => {
    const { port } = await serve((view, sink) => {
      view.body(1024).catch(() => sink.send(413, ["content-type", "text/plain"], "too large"));
    });
    const body = Buffer.alloc(32 * 1024 * 1024, 97);
    const exchange = await rawExchange(
      port,
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`,
      {
        readDelayMs: 300,
        afterConnect: (socket) => {
          socket.write(body, () => socket.end());
        },
      },
    );
    expect(exchange.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(exchange.text).toMatch(/too large$/);
    expect(exchange.ending).toBe("end");
  });

  it("sends 100 Continue when the body is read within the limit", async () => {
    // The client leaves once it saw the 100, so the body read fails; only the 100 matters here.
    const { port } = await serve((view, sink) => {
      view.body(100).then(
        (body) => sink.send(200, [], body),
        () => {},
      );
    });
    const exchange = await rawExchange(
      port,
      "POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
      {
        until: (text) => text.includes("100 Continue"),
      },
    );
    expect(exchange.text).toMatch(/^HTTP\/1\.1 100 Continue/);
  });

  it("rejects a chunked body once the bytes received cross the limit", async () => {
    let error: unknown;
    const { port } = await serve(async (view, sink) => {
      const received: number[] = [];
      try {
        for await (const chunk of view.bodyStream(8)) received.push(chunk.length);
      } catch (e) {
        error = e;
      }
      sink.send(413, [], `got ${received.join(",")}`);
    });
    const exchange = await rawExchange(
      port,
      "POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n5\r\nfghij\r\n",
      { until: (text) => /got [\d,]*$/.test(text) },
    );
    expect(error).toBeInstanceOf(BodyLimitError);
    expect(exchange.text).toMatch(/got 5$/);
  });

  it("discards the unread rest of a partly read body so the next request on the connection is served", async () => {
    const { port } = await serve(async (view, sink) => {
      if (view.method === "POST") {
        for await (const chunk of view.bodyStream(1 << 30)) {
          sink.send(200, [], `first chunk ${chunk.length}`);
          break;
        }
      } else {
        sink.send(200, [], "next");
      }
    });
    const piece = `8000\r\n${"x".repeat(0x8000)}\r\n`;
    const exchange = await rawExchange(
      port,
      `POST /part HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${piece}`,
      {
        afterConnect: (socket) =>
          setTimeout(
            () => socket.write(`${piece.repeat(64)}0\r\n\r\nGET /n HTTP/1.1\r\nHost: x\r\n\r\n`),
            50,
          ),
        until: (text) => text.endsWith("next"),
      },
    );
    expect(splitResponses(exchange.text).map((r) => r.body)).toEqual([
      expect.stringMatching(/^first chunk /),
      "next",
    ]);
  });

  it("rejects body() when the client leaves before the body is complete", async () => {
    const outcome = new Promise<unknown>((resolve) => {
      void serve((view) => {
        view.body(1000).then(resolve, resolve);
      }).then(({ port }) =>
        rawExchange(port, "POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789", {
          timeoutMs: 100,
        }),
      );
    });
    const error = await outcome;
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(BodyLimitError);
    expect((error as Error).message).toMatch(/closed the connection/);
  });

  it("stops a body reader still waiting when the answer goes out first, and serves the next request", async () => {
    let readerOutcome: unknown;
    const { port } = await serve((view, sink) => {
      if (view.method === "GET") return sink.send(200, [], "next");
      view.body(1 << 20).then(
        () => {
          readerOutcome = "resolved";
        },
        (error: Error) => {
          readerOutcome = error.message;
        },
      );
      // Answers while the reader is still waiting for the rest of the body.
      setTimeout(() => sink.send(503, [], "busy"), 20);
    });
    const exchange = await rawExchange(
      port,
      "POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n0123456789",
      {
        afterConnect: (socket) =>
          setTimeout(() => socket.write("abcdefghijGET /n HTTP/1.1\r\nHost: x\r\n\r\n"), 100),
        until: (text) => text.endsWith("next"),
      },
    );
    expect(splitResponses(exchange.text).map((r) => [r.status, r.body])).toEqual([
      [503, "busy"],
      [200, "next"],
    ]);
    expect(readerOutcome).toMatch(/response was sent before the request body was read/);
  });

  it("makes stream writes wait while a slow client does not read", async () => {
    let pendingWrites = 0;
    let resolvedWrites = 0;
    let resolvedWhenBlocked: number | undefined;
    let releaseClient: () => void = () => {};
    const clientReady = new Promise<void>((resolve) => {
      releaseClient = resolve;
    });
    let streamDone: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      streamDone = resolve;
    });
    const chunk = Buffer.alloc(64 * 1024, 120);
    const { port } = await serve(async (_view, sink) => {
      const stream = sink.stream(200, ["content-type", "application/octet-stream"]);
      for (let i = 0; i < 200; i++) {
        pendingWrites++;
        const write = stream.write(chunk);
        // Once a write waits, stop: a server that buffered everything would never get here.
        const settled = await Promise.race([write.then(() => true), sleep(200).then(() => false)]);
        if (!settled) {
          resolvedWhenBlocked ??= resolvedWrites;
          releaseClient();
          await write;
        }
        resolvedWrites++;
      }
      stream.end();
      streamDone();
    });
    const socketReceived = new Promise<number>((resolve, reject) => {
      const req = httpRequest({ port, host: "127.0.0.1", path: "/big", agent: false }, (res) => {
        res.pause();
        void clientReady.then(() => {
          let total = 0;
          res.on("data", (c: Buffer) => {
            total += c.length;
          });
          res.on("end", () => resolve(total));
          res.resume();
        });
      });
      req.on("error", reject);
      req.end();
    });
    expect(await socketReceived).toBe(200 * chunk.length);
    await finished;
    expect(pendingWrites).toBe(200);
    // A write waited for the client with far less than the 12.5 MiB written so far.
    expect(resolvedWhenBlocked).toBeDefined();
    expect(resolvedWhenBlocked).toBeLessThan(100);
  });

  it("settles a waiting stream write when the client leaves mid-stream, and reports aborted", async () => {
    const outcome = new Promise<{ writes: number; aborted: boolean }>((resolve) => {
      void serve(async (_view, sink) => {
        const stream = sink.stream(200, []);
        const chunk = Buffer.alloc(64 * 1024);
        let writes = 0;
        while (!sink.aborted) {
          await stream.write(chunk);
          writes++;
        }
        stream.end();
        resolve({ writes, aborted: sink.aborted });
      }).then(({ port }) =>
        // Reads the first bytes, then hangs up while the server is blocked on backpressure.
        rawExchange(port, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n", { readDelayMs: 5_000, timeoutMs: 300 }),
      );
    });
    const { writes, aborted } = await outcome;
    expect(aborted).toBe(true);
    expect(writes).toBeGreaterThan(0);
  });

  it("calls onAbort when the client leaves before the response, marks the sink aborted and drops a late answer", async () => {
    let sinkRef: ResponseSink | undefined;
    const aborted = new Promise<void>((resolve) => {
      void serve((view, sink) => {
        sinkRef = sink;
        view.onAbort(resolve);
      }).then(({ port }) => rawExchange(port, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", { timeoutMs: 100 }));
    });
    await aborted;
    expect(sinkRef?.aborted).toBe(true);
    // A late answer to a client that left is dropped quietly and the sink stays aborted.
    sinkRef?.send(200, ["content-type", "text/plain"], "late");
    expect(sinkRef?.aborted).toBe(true);
  });

  it("counts connections, requests and bytes in stats", async () => {
    const { port, transport } = await serve((_view, sink) => sink.send(200, [], "0123456789"));
    await get(port, "/a");
    await get(port, "/b");
    const stats = transport.stats();
    expect(stats.connections).toBe(2);
    expect(stats.requests).toBe(2);
    expect(stats.bytesIn).toBeGreaterThan(2 * "GET /a HTTP/1.1\r\n".length);
    expect(stats.bytesOut).toBeGreaterThan(2 * 10);
  });

  it("serves HTTPS when given a key and certificate", async () => {
    const { key, cert } = selfSignedCert();
    const { port, address } = await serve((view, sink) => sink.send(200, [], view.protocol), {
      tls: { key, cert },
    });
    expect(address.scheme).toBe("https");
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(
        { port, host: "127.0.0.1", path: "/", ca: cert, servername: "localhost" },
        (res) => {
          let text = "";
          res.on("data", (c) => {
            text += c;
          });
          res.on("end", () => resolve(text));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(body).toBe("http/1.1");
  });

  it("rejects listen() with EADDRINUSE when the port is taken, and can still close", async () => {
    const { port } = await serve((_view, sink) => sink.send(200, [], "first"));
    const second = new NodeHttp1Transport({ port, host: "127.0.0.1" });
    await expect(second.listen(() => {})).rejects.toMatchObject({ code: "EADDRINUSE" });
    await second.close(0);
    expect((await get(port, "/")).body).toBe("first");
  });

  it("rejects invalid options with the option's name", () => {
    expect(() => new NodeHttp1Transport({ port: 70000 })).toThrow(/"port"/);
    expect(() => new NodeHttp1Transport({ headersTimeoutMs: 10, requestTimeoutMs: 5 })).toThrow(
      /headersTimeoutMs/,
    );
  });
});

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
