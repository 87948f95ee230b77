// What hostile or broken peers send over UDP: garbage, truncated and oversized Initials, unknown
// versions, a flood of Initials from many source ports, a client that stops reading mid-download.
// Nothing crashes, state stays bounded, and a real client (gtlsclient) is still served afterwards.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { App } from "@fasterapi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http3 } from "../src/index.js";
import { makeCertificate } from "./fixtures/certificate.js";
import { gtlsclient } from "./fixtures/gtlsclient.js";

const cert = makeCertificate();

interface Http3Stats {
  connections: number;
  activeConnections: number;
  versionNegotiations: number;
  retries: number;
  statelessResets: number;
  droppedDatagrams: number;
}

/** A long-header Initial with a random (undecryptable) payload, padded to `size` bytes. */
function fakeInitial(size = 1200, version = 1): Buffer {
  const dcid = randomBytes(8);
  const scid = randomBytes(8);
  const head = Buffer.concat([
    Buffer.from([0xc3]),
    Buffer.from([version >>> 24, (version >>> 16) & 255, (version >>> 8) & 255, version & 255]),
    Buffer.from([dcid.length]),
    dcid,
    Buffer.from([scid.length]),
    scid,
    Buffer.from([0]), // token length
  ]);
  const rest = size - head.length - 2;
  return Buffer.concat([head, Buffer.from([0x40 | (rest >> 8), rest & 255]), randomBytes(rest)]);
}

function udpClient(): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.bind(0, "127.0.0.1", () => resolve(socket));
  });
}

/** Sends `packet` and resolves with the first reply, or undefined after `ms`. */
async function exchange(port: number, packet: Buffer, ms = 500): Promise<Buffer | undefined> {
  const socket = await udpClient();
  try {
    return await new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      socket.once("message", (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      socket.send(packet, port, "127.0.0.1");
    });
  } finally {
    socket.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !condition(); await sleep(10)) {
    if (Date.now() > end) throw new Error(`not reached within ${ms} ms`);
  }
}

async function startApp(
  retry: "always" | "under-load" | "never",
  more: { idleTimeoutMs?: number; retryLoadThreshold?: number; maxStreams?: number } = {},
  routes: (app: App) => void = () => {},
) {
  const app = new App({ logger: false, docs: false });
  const tls = { key: cert.key, cert: cert.cert };
  app.register(http3({ port: 0, host: "127.0.0.1", tls, retry, ...more }));
  app.get("/json", () => ({ ok: true }));
  routes(app);
  const [address] = await app.listen();
  const stats = () => app.stats().transports.http3 as unknown as Http3Stats;
  return { app, port: address?.port as number, stats };
}

async function stillServes(port: number): Promise<void> {
  const result = await gtlsclient(port, ["/json"]);
  expect(JSON.parse(result.bodies.get("json")?.toString() ?? "null")).toEqual({ ok: true });
}

describe("hostile datagrams", () => {
  let server: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    server = await startApp("under-load");
  });
  afterAll(async () => {
    await server?.app.close();
  });

  it("answers an unknown version with Version Negotiation listing QUIC v1", async () => {
    const reply = await exchange(server.port, fakeInitial(1200, 0x1a2a3a4a));
    expect(reply).toBeDefined();
    const vn = reply as Buffer;
    expect(vn[0]! & 0x80).toBe(0x80); // long header
    expect(vn.readUInt32BE(1)).toBe(0); // version 0: Version Negotiation
    const dcidLen = vn[5]!;
    const scidLen = vn[6 + dcidLen]!;
    const versions = vn.subarray(7 + dcidLen + scidLen);
    expect([...Array(versions.length / 4).keys()].map((i) => versions.readUInt32BE(i * 4))).toContain(1);
    expect(server.stats().versionNegotiations).toBe(1);
  });

  it("drops garbage, truncated and too-short Initials without answering", async () => {
    const before = server.stats().droppedDatagrams;
    const junk = [
      Buffer.from([0]),
      randomBytes(3),
      Buffer.concat([Buffer.from([0xc3, 0, 0, 0, 1, 30]), randomBytes(20)]), // DCID length past the end
      fakeInitial(1200).subarray(0, 60), // truncated
      fakeInitial(600), // an Initial below 1200 bytes
    ];
    for (const packet of junk) expect(await exchange(server.port, packet, 200)).toBeUndefined();
    expect(server.stats().droppedDatagrams).toBeGreaterThanOrEqual(before + junk.length);
    await stillServes(server.port);
  });

  it("answers a short-header packet for an unknown connection with a shorter stateless reset", async () => {
    const packet = Buffer.concat([Buffer.from([0x40]), randomBytes(18), randomBytes(60)]);
    const reply = await exchange(server.port, packet);
    expect(reply).toBeDefined();
    expect((reply as Buffer).length).toBeLessThan(packet.length);
    expect((reply as Buffer)[0]! & 0xc0).toBe(0x40); // looks like a short-header packet
    expect(server.stats().statelessResets).toBeGreaterThan(0);
  });

  it("keeps no state for a flood of undecryptable Initials from many source ports, and keeps serving", async () => {
    const sockets = await Promise.all(Array.from({ length: 40 }, udpClient));
    let replies = 0;
    for (const socket of sockets) socket.on("message", () => replies++);
    // The earlier tests' gtlsclient connections drain first (3 PTOs after their CONNECTION_CLOSE).
    for (let i = 0; i < 100 && server.stats().activeConnections > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(server.stats().activeConnections).toBe(0);
    let peak = 0;
    for (let round = 0; round < 10; round++) {
      for (const socket of sockets) socket.send(fakeInitial(), server.port, "127.0.0.1");
      await new Promise((r) => setTimeout(r, 20));
      peak = Math.max(peak, server.stats().activeConnections);
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const socket of sockets) socket.close();
    // Each Initial fails Initial-key decryption, so its connection is dropped with nothing sent.
    expect(peak).toBe(0);
    expect(replies).toBe(0);
    expect(server.stats().activeConnections).toBe(0);
    await stillServes(server.port);
  });
});

describe('retry: "always"', () => {
  it("makes every client prove its address with a Retry token, and gtlsclient follows it", async () => {
    const server = await startApp("always");
    try {
      const reply = await exchange(server.port, fakeInitial());
      expect(((reply as Buffer)[0]! & 0xf0) === 0xf0).toBe(true);
      await stillServes(server.port);
      expect(server.stats().retries).toBe(2);
      expect(server.stats().connections).toBe(1);
    } finally {
      await server.app.close();
    }
  });
});

describe("a client that stops reading mid-download", () => {
  it("pauses the streamed response, asks new clients for Retry while loaded, and frees the stream at idle timeout", async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    let produced = 0;
    let finished = false;
    const server = await startApp("under-load", { idleTimeoutMs: 4000, retryLoadThreshold: 1 }, (app) =>
      app.get("/endless", (ctx) => {
        ctx.reply.type("application/octet-stream");
        return (async function* () {
          try {
            for (let i = 0; i < 4096; i++, produced++) yield chunk; // 256 MiB unless backpressure holds it
          } finally {
            finished = true;
          }
        })();
      }),
    );
    const url = `https://127.0.0.1:${server.port}/endless`;
    const args = ["--no-quic-dump", "--no-http-dump", "--exit-on-all-streams-close", "127.0.0.1"];
    const reader = spawn("gtlsclient", [...args, String(server.port), url], { stdio: "ignore" });
    try {
      await until(() => produced >= 8, 5000);
      reader.kill("SIGSTOP"); // no more ACKs, no more flow-control credit
      await sleep(500);
      const plateau = produced;
      await sleep(500);
      expect(produced).toBe(plateau);
      expect(plateau * chunk.length).toBeLessThan(32 * 1024 * 1024);
      expect(finished).toBe(false);
      // One connection is open, the threshold is 1: an unknown address must prove itself first.
      const reply = await exchange(server.port, fakeInitial());
      expect(((reply as Buffer)[0]! & 0xf0) === 0xf0).toBe(true);
      await stillServes(server.port);
    } finally {
      reader.kill("SIGKILL");
    }
    try {
      // The silent peer's connection ends at its idle timeout; the handler's generator is closed.
      await until(() => finished && server.stats().activeConnections === 0, 8000);
      expect(produced).toBeLessThan(4096);
    } finally {
      await server.app.close();
    }
  });
});

describe("stream limit", () => {
  it("never has more requests of one connection in progress than maxStreams, and serves them all", async () => {
    let running = 0;
    let peak = 0;
    const server = await startApp("never", { maxStreams: 3 }, (app) =>
      app.get("/slow", async () => {
        peak = Math.max(peak, ++running);
        await sleep(30);
        running--;
        return { ok: true };
      }),
    );
    try {
      const paths = Array.from({ length: 12 }, (_, i) => `/slow?i=${i}`);
      const result = await gtlsclient(server.port, paths);
      expect(result.headers.filter((h) => h === ":status: 200")).toHaveLength(12);
      expect(peak).toBe(3);
    } finally {
      await server.app.close();
    }
  });
});
