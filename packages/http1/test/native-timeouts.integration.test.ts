// The HTTP/1.1 timeouts run on the engine's millisecond module timers: an idle keep-alive
// connection closes soon after keepAliveTimeoutMs, and a partial head gets its 408 soon after
// headersTimeoutMs (not on a one-second tick), on a real socket through a real App.
import { connect, type Socket } from "node:net";
import { App, definePlugin } from "@fasterapi/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Http1Options, NativeHttp1Transport } from "../src/index.js";

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(options: Http1Options): Promise<number> {
  const app = new App({ logger: false });
  apps.push(app);
  app.register(
    definePlugin(
      (a) => a.addTransport(new NativeHttp1Transport({ port: 0, host: "127.0.0.1", ...options })),
      {
        name: "native-http1",
        global: true,
      },
    ),
  );
  app.get("/ping", () => "pong");
  const [address] = await app.listen();
  if (address === undefined) throw new Error("no address");
  return address.port;
}

/** Sends `bytes`, then resolves with everything received and the ms from sending to the server's FIN. */
function timedExchange(port: number, bytes: string): Promise<{ received: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, "127.0.0.1", () => {
      const sent = performance.now();
      socket.write(bytes);
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.on("end", () => {
        resolve({
          received: Buffer.concat(chunks).toString("latin1"),
          closedAfterMs: performance.now() - sent,
        });
        socket.end();
      });
    });
    socket.on("error", reject);
  });
}

describe("native HTTP/1.1 timeouts on millisecond timers", () => {
  it("closes an idle keep-alive connection soon after keepAliveTimeoutMs", async () => {
    const port = await start({ keepAliveTimeoutMs: 150 });
    const { received, closedAfterMs } = await timedExchange(port, "GET /ping HTTP/1.1\r\nHost: t\r\n\r\n");
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\npong$/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(140);
    expect(closedAfterMs).toBeLessThan(600);
  });

  it("answers 408 to a partial head soon after headersTimeoutMs", async () => {
    const port = await start({ headersTimeoutMs: 200 });
    const { received, closedAfterMs } = await timedExchange(port, "GET /ping HTTP/1.1\r\nHost: t\r\n");
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(190);
    expect(closedAfterMs).toBeLessThan(700);
  });
});
