// The native path's session memory bound (maxSessionMemoryMiB): nghttp2 allocates through a
// counting allocator, and a client that makes one session hold more (here: thousands of open
// streams) loses its connection while another connection is still served. Streams that finished
// hold nothing: a long-lived connection is not worn down by the requests it has served.
import { App } from "@fasterapi/core";
import { afterEach, describe, expect, it } from "vitest";
import { http2 } from "../src/index.js";
import { h2Get, h2Request, openSession } from "./fixtures/h2-client.js";
import { FrameType, getRequest, RawH2Connection } from "./fixtures/raw-h2.js";

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe("native HTTP/2 session memory bound", () => {
  it("ends a session that would hold more than maxSessionMemoryMiB, and keeps serving others", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = new App({ logger: false, closeGraceMs: 0 });
    apps.push(app);
    app.register(
      http2({
        port: 0,
        host: "127.0.0.1",
        h2c: true,
        native: true,
        maxSessionMemoryMiB: 1,
        maxConcurrentStreams: 100_000,
      }),
    );
    app.get("/ping", () => "pong");
    app.get("/hold", async () => {
      await held;
      return "held";
    });
    const [address] = await app.listen();
    const port = address?.port ?? 0;
    const raw = await RawH2Connection.open(port);
    try {
      const frames: Buffer[] = [];
      for (let id = 1; id < 2 * 20_000; id += 2) frames.push(getRequest(id, "/hold"));
      raw.send(...frames);
      await raw.closed(10_000);
      expect(raw.frames.some((f) => f.type === FrameType.DATA)).toBe(false);
      const fresh = await h2Get(port, "/ping");
      expect(fresh.body.toString()).toBe("pong");
    } finally {
      release();
      raw.close();
    }
  });

  it("serves a long-lived connection far more requests than closed streams would fit in the bound", async () => {
    const app = new App({ logger: false, closeGraceMs: 0 });
    apps.push(app);
    // At 1 MiB, nghttp2's kept closed streams filled the bound after about 4,200 requests and the
    // connection stalled without a GOAWAY (10 MiB: about 42,000).
    app.register(http2({ port: 0, host: "127.0.0.1", h2c: true, native: true, maxSessionMemoryMiB: 1 }));
    app.get("/ping", () => "pong");
    const [address] = await app.listen();
    const session = await openSession(address?.port ?? 0);
    try {
      let served = 0;
      const worker = async () => {
        while (served < 12_000) {
          served++;
          const answer = await h2Request(session, { ":path": "/ping" });
          expect(answer.body.toString()).toBe("pong");
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      expect(served).toBeGreaterThanOrEqual(12_000);
    } finally {
      session.close();
    }
  }, 20_000);
});
