// Core's features seen through one transport and a real client of its protocol: call
// defineCoreBehaviourSuite from a transport's *.integration.test.ts. Every case sends real
// requests over real sockets; inject() appears only to be compared with them. Cases a client
// cannot drive (see ClientCapabilities) are not defined for it rather than skipped.
import { brotliDecompressSync, constants, gunzipSync } from "node:zlib";
import type { App, Plugin } from "@fasterapi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deferred } from "./deferred.js";
import {
  DOWNLOAD_CHUNK,
  DOWNLOAD_CHUNKS,
  downloadChunk,
  LIVE_FIRST,
  LIVE_REST,
  ROUTE_BODY_LIMIT,
  type ServerSide,
  suiteApp,
} from "./suite-app.js";
import type { SuiteClient, SuiteResponse } from "./suite-client.js";

export interface TransportUnderTest {
  /** The transport plugin listening on `options` (add TLS, h2c ... in the factory). */
  makePlugin(options: { port: number; host: string }): Plugin;
  client: SuiteClient;
  /** What ctx.request.protocol reports on this transport ("http/1.1", "h2", "h3"). */
  protocol: string;
  /** Its key in app.stats().transports. */
  statsKey: string;
  /**
   * HTTP/1.1 closes the connection after refusing a body (the unread rest would be taken for the
   * next request); multiplexed protocols refuse the stream and keep the connection.
   */
  closesAfterRefusedBody: boolean;
}

const JSON_TYPE = /^application\/json/;
/** Answers of every kind: text, JSON, bytes, a set status and header, coerced params, errors. */
const PARITY_PATHS = ["/ping", "/json", "/buffer", "/created", "/lookup/7?limit=3", "/teapot", "/nowhere"];

function json(response: SuiteResponse): unknown {
  return JSON.parse(response.body.toString("utf8"));
}

export function defineCoreBehaviourSuite(name: string, transport: TransportUnderTest): void {
  describe(`core behaviour over ${name}`, () => {
    const { client } = transport;
    const { requestHeaders, contentCoding, pauseReading } = client.capabilities;
    /** Content-Type for JSON bodies, from the clients that can send one (core parses JSON by default). */
    const jsonHeaders: Record<string, string> = requestHeaders ? { "content-type": "application/json" } : {};
    let app: App;
    let side: ServerSide;
    let port: number;

    beforeAll(async () => {
      ({ app, side } = suiteApp(transport.makePlugin({ port: 0, host: "127.0.0.1" })));
      const [address] = await app.listen();
      if (address === undefined) throw new Error("the transport listened on no address");
      port = address.port;
    });
    afterAll(async () => {
      await app?.close();
    });

    it("answers a GET with JSON and its content-type", async () => {
      const res = await client.request(port, { path: "/json" });
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(json(res)).toEqual({ hello: "world", n: 1, text: "héllo" });
    });

    it("answers 422 in FastAPI's shape to a bad path and query and a missing header", async () => {
      const res = await client.request(port, { path: "/items/abc?limit=50" });
      expect(res.status).toBe(422);
      expect(res.headers["content-type"]).toMatch(JSON_TYPE);
      const { detail } = json(res) as { detail: { loc: unknown[]; msg: unknown; type: unknown }[] };
      expect(detail.map((d) => d.loc)).toEqual([
        ["path", "id"],
        ["query", "limit"],
        ["header", "x-tenant"],
      ]);
      for (const issue of detail) {
        expect(typeof issue.msg).toBe("string");
        expect(typeof issue.type).toBe("string");
      }
    });

    it("coerces valid path and query values to their schema types", async () => {
      const res = await client.request(port, { path: "/lookup/7?limit=3" });
      expect([res.status, json(res)]).toEqual([200, { id: 7, limit: 3 }]);
    });

    if (requestHeaders) {
      it("validates and coerces a request header", async () => {
        const good = await client.request(port, { path: "/tenant", headers: { "x-tenant-id": "42" } });
        expect([good.status, json(good)]).toEqual([200, { tenant: 42 }]);
        const bad = await client.request(port, { path: "/tenant", headers: { "x-tenant-id": "abc" } });
        expect(bad.status).toBe(422);
        expect((json(bad) as { detail: { loc: unknown }[] }).detail[0]?.loc).toEqual([
          "header",
          "x-tenant-id",
        ]);
      });
    }

    it("validates a JSON body and resolves Depends with a sub-dependency", async () => {
      const bad = await client.request(port, {
        method: "POST",
        path: "/orders",
        headers: jsonHeaders,
        body: JSON.stringify({ qty: "many" }),
      });
      expect(bad.status).toBe(422);
      expect((json(bad) as { detail: { loc: unknown }[] }).detail[0]?.loc).toEqual(["body", "qty"]);
      const good = await client.request(port, {
        method: "POST",
        path: "/orders",
        headers: jsonHeaders,
        body: JSON.stringify({ qty: 2 }),
      });
      expect([good.status, json(good)]).toEqual([201, { qty: 2, by: "ada", scope: "orders:ada" }]);
    });

    it("answers an HTTPException with its status, detail and headers", async () => {
      const res = await client.request(port, { path: "/teapot" });
      expect(res.status).toBe(418);
      expect(res.headers["x-error"]).toBe("teapot");
      expect(json(res)).toEqual({ detail: "short and stout" });
    });

    it("answers 404 to an unknown route", async () => {
      const res = await client.request(port, { path: "/nowhere" });
      expect([res.status, json(res)]).toEqual([404, { detail: "Not Found" }]);
    });

    it("runs a plugin's onRequest and onSend hooks on its routes only", async () => {
      const hooked = await client.request(port, { path: "/hooked" });
      expect([hooked.status, hooked.headers["x-on-request"], hooked.body.toString()]).toEqual([
        200,
        "GET",
        "QUIET",
      ]);
      const outside = await client.request(port, { path: "/ping" });
      expect([outside.headers["x-on-request"], outside.body.toString()]).toEqual([undefined, "pong"]);
    });

    it("answers HEAD with the headers of GET and no body", async () => {
      const get = await client.request(port, { path: "/json" });
      const head = await client.request(port, { method: "HEAD", path: "/json" });
      expect(head.status).toBe(200);
      expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
      expect(head.headers["content-encoding"]).toBe(get.headers["content-encoding"]);
      expect(head.headers["content-length"]).toBeDefined();
      expect(head.headers["content-length"]).toBe(get.headers["content-length"]);
      expect(head.body.length).toBe(0);
    });

    it("echoes a 200 KB JSON request body", async () => {
      const payload = { text: "héllo wörld ".repeat(16_000), list: Array.from({ length: 100 }, (_, i) => i) };
      const res = await client.request(port, {
        method: "POST",
        path: "/echo",
        headers: jsonHeaders,
        body: JSON.stringify(payload),
      });
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toMatch(JSON_TYPE);
      expect(json(res)).toEqual(payload);
    });

    const tooBig = JSON.stringify({ data: "x".repeat(4 * ROUTE_BODY_LIMIT) });
    const small = JSON.stringify({ data: "fits" });
    if (transport.closesAfterRefusedBody) {
      it("answers 413 past a route's bodyLimit, closes that connection and serves a new one", async () => {
        const refused = await client.request(port, {
          method: "POST",
          path: "/limited",
          headers: jsonHeaders,
          body: tooBig,
        });
        expect([refused.status, refused.headers.connection]).toEqual([413, "close"]);
        const next = await client.request(port, {
          method: "POST",
          path: "/limited",
          headers: jsonHeaders,
          body: small,
        });
        expect([next.status, json(next)]).toEqual([200, { data: "fits" }]);
      });
    } else {
      it("answers 413 past a route's bodyLimit and serves the next request on the same connection", async () => {
        const before = app.stats().transports[transport.statsKey];
        const [refused, next] = await client.onOneConnection(port, [
          { method: "POST", path: "/limited", headers: jsonHeaders, body: tooBig },
          { method: "POST", path: "/echo", headers: jsonHeaders, body: tooBig },
        ]);
        expect(refused?.status).toBe(413);
        expect(json(refused as SuiteResponse)).toEqual({ detail: expect.any(String) });
        expect([next?.status, json(next as SuiteResponse)]).toEqual([200, JSON.parse(tooBig)]);
        const after = app.stats().transports[transport.statsKey];
        expect((after?.connections ?? 0) - (before?.connections ?? 0)).toBe(1);
      });
    }

    if (contentCoding === "chosen") {
      it("compresses by Accept-Encoding (gzip, br) and the decoded body is the JSON", async () => {
        const plain = await client.request(port, { path: "/compressible" });
        expect(plain.headers["content-encoding"]).toBeUndefined();
        const gzip = await client.request(port, {
          path: "/compressible",
          headers: { "accept-encoding": "gzip" },
        });
        expect(gzip.headers["content-encoding"]).toBe("gzip");
        expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
        const br = await client.request(port, {
          path: "/compressible",
          headers: { "accept-encoding": "br;q=1, gzip;q=0.5" },
        });
        expect(br.headers["content-encoding"]).toBe("br");
        expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
        expect(br.body.length).toBeLessThan(plain.body.length / 2);
      });
    }

    /** GET /live; its second piece is produced only once `decode(bytes so far)` is the first piece. */
    async function streamLive(headers: Record<string, string>, decode: (received: Buffer) => string) {
      const firstSeen = deferred();
      side.liveGate = firstSeen.promise;
      const received: Buffer[] = [];
      return client.request(
        port,
        { path: "/live", headers },
        {
          onData: (chunk) => {
            received.push(chunk);
            if (decode(Buffer.concat(received)) === LIVE_FIRST) firstSeen.resolve();
          },
        },
      );
    }
    const utf8 = (bytes: Buffer) => bytes.toString("utf8");

    if (contentCoding !== "own") {
      it("streams a response in pieces: the part before FLUSH arrives before the rest is produced", async () => {
        const res = await streamLive({}, utf8);
        expect([res.status, res.headers["content-encoding"]]).toEqual([200, undefined]);
        expect(utf8(res.body)).toBe(LIVE_FIRST + LIVE_REST);
      });
    }

    if (contentCoding === "chosen") {
      it("flushes the gzip encoder at FLUSH: the first piece decodes before the rest is produced", async () => {
        // A sync-flushed deflate stream decodes up to the flush point without its end.
        const res = await streamLive({ "accept-encoding": "gzip" }, (received) =>
          utf8(gunzipSync(received, { finishFlush: constants.Z_SYNC_FLUSH })),
        );
        expect(res.headers["content-encoding"]).toBe("gzip");
        expect(utf8(gunzipSync(res.body))).toBe(LIVE_FIRST + LIVE_REST);
      });
    }

    if (contentCoding === "own") {
      it("compresses for the client's Accept-Encoding, and the client decodes the JSON", async () => {
        const res = await client.request(port, { path: "/compressible" });
        const plain = await app.inject({ url: "/compressible" });
        expect(["zstd", "br", "gzip"]).toContain(res.headers["content-encoding"]);
        expect(res.body.equals(plain.rawBody)).toBe(true);
      });

      it("flushes the negotiated encoder at FLUSH: the first piece arrives before the rest is produced", async () => {
        const res = await streamLive({}, utf8);
        expect(["zstd", "br", "gzip"]).toContain(res.headers["content-encoding"]);
        expect(utf8(res.body)).toBe(LIVE_FIRST + LIVE_REST);
      });
    }

    if (pauseReading) {
      it("holds a large streamed download's producer while the client does not read", async () => {
        let producedWhilePaused = -1;
        const res = await client.request(
          port,
          { path: "/download" },
          {
            pause: {
              ms: 400,
              beforeResume: () => {
                producedWhilePaused = side.produced;
              },
            },
          },
        );
        expect(res.status).toBe(200);
        // 24 MiB were to be produced, more than loopback's socket buffers hold: backpressure held
        // the generator well below that.
        expect(producedWhilePaused).toBeGreaterThan(0);
        expect(producedWhilePaused).toBeLessThan(DOWNLOAD_CHUNKS / 2);
        expect(res.body.length).toBe(DOWNLOAD_CHUNKS * DOWNLOAD_CHUNK);
        expect(res.body.subarray(-DOWNLOAD_CHUNK).equals(downloadChunk(DOWNLOAD_CHUNKS - 1))).toBe(true);
      });
    }

    it("gives inject() and a real request the same status, body and content-type", async () => {
      for (const path of PARITY_PATHS) {
        const injected = await app.inject({ method: "GET", url: path });
        const real = await client.request(port, { path });
        expect({
          path,
          status: real.status,
          type: real.headers["content-type"],
          body: real.body.toString("base64"),
        }).toEqual({
          path,
          status: injected.statusCode,
          type: injected.headers["content-type"],
          body: injected.rawBody.toString("base64"),
        });
      }
    });

    it(`reports ctx.request.protocol "${transport.protocol}"`, async () => {
      const res = await client.request(port, { path: "/protocol" });
      expect(res.body.toString()).toBe(transport.protocol);
    });

    it("counts one connection and its requests in app.stats()", async () => {
      const before = app.stats().transports[transport.statsKey];
      const answers = await client.onOneConnection(port, [{ path: "/ping" }, { path: "/json" }]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const after = app.stats().transports[transport.statsKey];
      expect({
        connections: (after?.connections ?? 0) - (before?.connections ?? 0),
        requests: (after?.requests ?? 0) - (before?.requests ?? 0),
      }).toEqual({ connections: 1, requests: 2 });
      expect((after?.bytesOut ?? 0) - (before?.bytesOut ?? 0)).toBeGreaterThan(
        answers.reduce((sum, a) => sum + a.body.length, 0),
      );
    });
  });
}
