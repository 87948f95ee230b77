// Python's h2 (Debian python3-h2, run by /usr/bin/python3) as an independent HTTP/2 peer of both
// paths, over raw h2c: GET, POST past the server's windows, 100 concurrent streams, trailers both
// ways, a 1 KiB stream window acknowledged frame by frame, and protocol errors it provokes on
// purpose (frames on half-closed and closed streams, PING ACK and PING on a stream, bad
// WINDOW_UPDATEs). The script (fixtures/python-h2-peer.py) reports what it saw; this file holds
// the expectations: the RFC's on the native path, node's recorded departures on node:http2 (the
// same ones conformance-cases.ts records).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { App } from "@fasterapi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http2 } from "../src/index.js";

const execFileAsync = promisify(execFile);
const script = fileURLToPath(new URL("./fixtures/python-h2-peer.py", import.meta.url));
const big = Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => i % 256));

type Observed = Record<string, Record<string, unknown>>;

/** What node:http2 answers where the RFC names another code (see conformance-cases.ts). */
const nodeDepartures: Record<string, Record<string, unknown>> = {
  // node ends the session on an unsolicited PING ACK, and answers errors with INTERNAL_ERROR.
  ping_ack: { completed: false, goaway: "INTERNAL_ERROR" },
  ping_on_stream: { goaway: "INTERNAL_ERROR" },
  window_update_zero: { goaway: "INTERNAL_ERROR" },
  window_overflow: { goaway: "INTERNAL_ERROR" },
  // RFC 9113 5.1 lets a receiver treat frames on a closed stream as a connection error; node
  // ignores them.
  data_on_closed_stream: { rst: null, goaway: null },
};

for (const path of [
  { name: "native", native: true },
  { name: "node:http2", native: false },
]) {
  describe(`Python h2 as the peer: ${path.name}`, () => {
    let app: App;
    let seen: Observed;
    const expected = (scenario: string, rfc: Record<string, unknown>) =>
      (!path.native && nodeDepartures[scenario]) || rfc;

    beforeAll(async () => {
      // node:http2 keeps a session it ended with GOAWAY(STREAM_CLOSED) while a handler is pending
      // (it stops reading, so it never sees the client's FIN): close() would wait its whole grace.
      app = new App({ logger: false, closeGraceMs: path.native ? 10_000 : 500 });
      app.register(http2({ port: 0, host: "127.0.0.1", h2c: true, native: path.native }));
      app.get("/hello", () => "hello");
      app.post("/echo", ({ body }) => body);
      app.get("/n/:i", ({ params }) => `n=${(params as { i: string }).i}`);
      app.post("/upload", ({ body, request }) => ({
        size: (body as Buffer).length,
        trailers: request.trailers?.(),
      }));
      app.get("/trailers", ({ reply }) => {
        reply.trailer("server-timing", "db;dur=1");
        return { ok: true };
      });
      app.get("/big", () => big);
      app.get("/slow", async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return "slow";
      });
      const [address] = await app.listen();
      if (address === undefined) throw new Error("no address");
      // One run of every scenario (about a second): each `it` below checks one of them.
      const { stdout } = await execFileAsync("/usr/bin/python3", [script, String(address.port)], {
        timeout: 60_000,
      });
      seen = JSON.parse(stdout) as Observed;
    }, 70_000);

    afterAll(async () => {
      await app?.close();
    });

    it("GET", () => {
      expect(seen.get).toEqual({
        completed: true,
        status: 200,
        body: "hello",
        trailers: {},
        contentType: "text/plain; charset=utf-8",
        reset: null,
      });
    });

    it("POST with a 200 kB body, sent as the server's WINDOW_UPDATEs allow, echoed back", () => {
      expect(seen.post).toEqual({ completed: true, status: 200, length: 200_000, same: true });
    });

    it("100 concurrent streams on one connection", () => {
      expect(seen.many_streams).toEqual({ completed: true, count: 100, allMatch: true });
    });

    it("request trailers reach the handler; response trailers reach h2", () => {
      expect(seen.trailers).toMatchObject({
        completed: true,
        upload: { size: 10, trailers: { "x-digest": "abc" } },
        download: { status: 200, body: '{"ok":true}', trailers: { "server-timing": "db;dur=1" } },
      });
    });

    it("a 1 KiB stream window: 256 KiB arrive in 1 KiB DATA frames, each after a WINDOW_UPDATE", () => {
      expect(seen.small_windows).toMatchObject({
        completed: true,
        status: 200,
        length: 256 * 1024,
        same: true,
        maxFrame: 1024,
      });
      expect(seen.small_windows?.frames).toBeGreaterThanOrEqual(256);
    });

    it("DATA after END_STREAM while the answer is pending: STREAM_CLOSED", () => {
      const { rst, goaway } = seen.data_after_end_stream ?? {};
      // RFC 9113 5.1 half-closed (remote): a stream error, which may be raised to the connection.
      expect(rst === "STREAM_CLOSED" || goaway === "STREAM_CLOSED").toBe(true);
    });

    it("ignores DATA on a stream whose exchange is over", () => {
      // RFC 9113 5.1: treating it as STREAM_CLOSED is a MAY. The native path ignores it too, since
      // its nghttp2 keeps no closed streams (they filled long-lived sessions' memory bound).
      expect(seen.data_on_closed_stream).toEqual({ rst: null, goaway: null });
    });

    it("an unsolicited PING ACK is not answered, a PING is, and requests still work", () => {
      expect(seen.ping_ack).toMatchObject(
        expected("ping_ack", {
          completed: true,
          acks: ["pingpong"],
          pingsFromServer: 0,
          status: 200,
          goaway: null,
        }),
      );
    });

    it("PING on a stream: GOAWAY(PROTOCOL_ERROR)", () => {
      expect(seen.ping_on_stream).toEqual(expected("ping_on_stream", { goaway: "PROTOCOL_ERROR" }));
    });

    it("WINDOW_UPDATE of 0 on the connection: GOAWAY(PROTOCOL_ERROR)", () => {
      expect(seen.window_update_zero).toEqual(expected("window_update_zero", { goaway: "PROTOCOL_ERROR" }));
    });

    it("a connection window past 2^31-1: GOAWAY(FLOW_CONTROL_ERROR)", () => {
      expect(seen.window_overflow).toEqual(expected("window_overflow", { goaway: "FLOW_CONTROL_ERROR" }));
    });
  });
}
