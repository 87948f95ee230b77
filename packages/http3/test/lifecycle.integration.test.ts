// Request bodies over the route's limit, and a graceful close: GOAWAY while a request is in flight
// lets it finish and then closes, over a real HTTP/3 client (gtlsclient).
import { App } from "@fasterapi/core";
import { describe, expect, it } from "vitest";
import { http3 } from "../src/index.js";
import { makeCertificate } from "./fixtures/certificate.js";
import { gtlsclient } from "./fixtures/gtlsclient.js";

const cert = makeCertificate();

async function startApp(setup: (app: App) => void) {
  const app = new App({ logger: false, docs: false });
  app.register(http3({ port: 0, host: "127.0.0.1", tls: { key: cert.key, cert: cert.cert } }));
  setup(app);
  const [address] = await app.listen();
  return { app, port: address?.port as number };
}

describe("request bodies", () => {
  it("answers 413 once a body passes the route's limit, and serves the next request", async () => {
    const { app, port } = await startApp((app) => {
      app.post("/small", { bodyLimit: 1000 }, (ctx) => ({ received: ctx.body }));
      app.get("/json", () => ({ ok: true }));
    });
    try {
      const big = JSON.stringify("x".repeat(500_000)); // more than a stream window too
      const result = await gtlsclient(port, ["/small"], { method: "POST", body: big });
      expect(result.headers).toContain(":status: 413");
      const next = await gtlsclient(port, ["/json"]);
      expect(JSON.parse(next.bodies.get("json")?.toString() ?? "null")).toEqual({ ok: true });
    } finally {
      await app.close();
    }
  });
});

describe("graceful close", () => {
  it("lets the in-flight request finish, then closes without waiting out the grace period", async () => {
    let release: () => void = () => {};
    let arrived: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const { app, port } = await startApp((app) => {
      app.get("/slow", async () => {
        arrived();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return { finished: true };
      });
    });
    const client = gtlsclient(port, ["/slow"]);
    await inFlight;
    const closeStarted = Date.now();
    const closed = app.close();
    await new Promise((r) => setTimeout(r, 100)); // GOAWAY leaves, the request is still running
    release();
    const result = await client;
    await closed;
    expect(JSON.parse(result.bodies.get("slow")?.toString() ?? "null")).toEqual({ finished: true });
    // close() did not wait out its 10 s grace period: the connection closed once the request was done.
    expect(Date.now() - closeStarted).toBeLessThan(3000);
  });
});
