// The native path's request batching: streams whose headers complete in one read reach the app in
// one crossing into JS (the addon's turn hook), however many there are, from a real socket.
import { App } from "@fasterapi/core";
import { afterEach, describe, expect, it } from "vitest";
import { http2 } from "../src/index.js";
import { FrameType, getRequest, RawH2Connection } from "./fixtures/raw-h2.js";

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe("native HTTP/2 request batches", () => {
  it("hands 20 streams sent in one write to JavaScript in one crossing and answers each", async () => {
    const app = new App({ logger: false });
    apps.push(app);
    app.register(http2({ port: 0, host: "127.0.0.1", h2c: true, native: true }));
    app.get("/ping", () => "pong");
    const [address] = await app.listen();
    const raw = await RawH2Connection.open(address?.port ?? 0);
    try {
      const before = app.stats().transports.http2?.batches ?? 0;
      const ids = Array.from({ length: 20 }, (_, i) => 2 * i + 1);
      raw.send(...ids.map((id) => getRequest(id)));
      for (const id of ids) {
        await raw.waitFor((f) => f.type === FrameType.DATA && f.stream === id);
      }
      const stats = app.stats().transports.http2;
      expect(stats?.requests).toBe(20);
      expect((stats?.batches ?? 0) - before).toBe(1);
    } finally {
      raw.close();
    }
  });
});
