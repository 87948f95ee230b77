import { execFileSync, spawnSync } from "node:child_process";
import { createSocket, type Socket as DgramSocket } from "node:dgram";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../src/index.js";
import { CLOSE_REASON } from "./fixtures/echo-protocol.js";
import { waitFor } from "./fixtures/line-client.js";
import { loadUdpEchoFixture, UDP_SEND } from "./fixtures/udp-echo.js";

const udp = loadUdpEchoFixture();
const engines: Engine[] = [];
const sockets: DgramSocket[] = [];

function newEngine(): Engine {
  const engine = new Engine();
  engines.push(engine);
  return engine;
}

async function client(type: "udp4" | "udp6", host: string): Promise<DgramSocket> {
  const socket = createSocket(type);
  sockets.push(socket);
  socket.bind(0, host);
  await once(socket, "listening");
  return socket;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(engines.splice(0).map((e) => e.close(0)));
});

/** Datagram i: its index (big-endian) then 60 bytes that depend on it. */
/** The first CPU this process may run on (`Cpus_allowed_list`, e.g. "0-1" or "2,5"). */
function firstAllowedCpu(): string {
  const status = readFileSync("/proc/self/status", "utf8");
  return /^Cpus_allowed_list:\s*(\d+)/m.exec(status)?.[1] ?? "0";
}

function payload(i: number): Buffer {
  const out = Buffer.alloc(64);
  out.writeUInt32BE(i, 0);
  for (let j = 4; j < out.length; j++) out[j] = (i * 7 + j) & 0xff;
  return out;
}

/**
 * Sends `count` datagrams to host:port keeping at most `window` unanswered, and resolves with
 * how many echoes arrived per index once every one did (rejects if some never do).
 */
function echoMany(socket: DgramSocket, host: string, port: number, count: number, window: number) {
  return new Promise<number[]>((resolve, reject) => {
    const seen = new Array<number>(count).fill(0);
    let next = 0;
    let answered = 0;
    const sendOne = () => {
      const i = next++;
      socket.send(payload(i), port, host);
    };
    const timer = setTimeout(() => reject(new Error(`only ${answered} of ${count} echoes arrived`)), 30_000);
    const onMessage = (message: Buffer) => {
      const i = message.readUInt32BE(0);
      if (message.equals(payload(i))) seen[i] = (seen[i] ?? 0) + 1;
      answered++;
      if (answered === count) {
        clearTimeout(timer);
        socket.off("message", onMessage);
        resolve(seen);
      } else if (next < count) {
        sendOne();
      }
    };
    socket.on("message", onMessage);
    for (let k = 0; k < window && next < count; k++) sendOne();
  });
}

describe("UDP endpoints", () => {
  it("echoes 10,000 datagrams in batches with none lost and every payload intact", async () => {
    const engine = newEngine();
    const proto = udp.createProtocol(engine.api, {});
    const port = await engine.bindUdp({ host: "127.0.0.1", port: 0 }, proto);
    expect(port).toBeGreaterThan(0);
    const socket = await client("udp4", "127.0.0.1");
    const seen = await echoMany(socket, "127.0.0.1", port, 10_000, 256);
    expect(seen.every((n) => n === 1)).toBe(true);
    const stats = udp.stats(proto);
    expect(stats.datagrams).toBe(10_000);
    // A window of 256 sent at once reaches the module as batches, not one call per datagram.
    expect(stats.maxBatch).toBeGreaterThan(1);
    expect(stats.maxBatch).toBeLessThanOrEqual(64); // one recvmmsg batch per call
    expect(stats.batches).toBeLessThan(10_000);
    expect(engine.stats()).toMatchObject({
      udpEndpoints: 1,
      udpDatagramsIn: 10_000,
      udpDatagramsOut: 10_000,
      udpBytesIn: 640_000,
      udpBytesOut: 640_000,
      udpTruncated: 0,
      udpSendErrors: 0,
      udpSendDropped: 0,
    });
  });

  it("serves IPv6 and reports the peer and the local address of each datagram", async () => {
    const engine = newEngine();
    const proto = udp.createProtocol(engine.api, {});
    const port = await engine.bindUdp({ host: "::1", port: 0 }, proto);
    const socket = await client("udp6", "::1");
    const seen = await echoMany(socket, "::1", port, 2000, 128);
    expect(seen.every((n) => n === 1)).toBe(true);
    const stats = udp.stats(proto);
    expect(stats.bound).toEqual({ address: "::1", port });
    expect(stats.lastLocal).toEqual({ address: "::1", port });
    expect(stats.lastPeer).toEqual({ address: "::1", port: socket.address().port });
  });

  it("tells a wildcard-bound endpoint which address a datagram was sent to, and answers from it", async () => {
    const engine = newEngine();
    const proto = udp.createProtocol(engine.api, {});
    const port = await engine.bindUdp({ host: "0.0.0.0", port: 0 }, proto);
    const socket = await client("udp4", "127.0.0.1");
    expect(await echoMany(socket, "127.0.0.2", port, 10, 10)).toEqual(new Array(10).fill(1));
    const stats = udp.stats(proto);
    expect(stats.bound).toEqual({ address: "0.0.0.0", port });
    expect(stats.lastLocal).toEqual({ address: "127.0.0.2", port });
  });

  it("receives IPv4 on a dual-stack endpoint as mapped addresses and answers over IPv4", async () => {
    const engine = newEngine();
    const proto = udp.createProtocol(engine.api, {});
    const port = await engine.bindUdp({ host: "::", port: 0 }, proto);
    const four = await client("udp4", "127.0.0.1");
    expect(await echoMany(four, "127.0.0.1", port, 100, 50)).toEqual(new Array(100).fill(1));
    expect(udp.stats(proto).lastLocal).toEqual({ address: "::ffff:127.0.0.1", port });
    expect(udp.stats(proto).lastPeer).toEqual({ address: "::ffff:127.0.0.1", port: four.address().port });
    const six = await client("udp6", "::1");
    expect(await echoMany(six, "::1", port, 100, 50)).toEqual(new Array(100).fill(1));

    const only = udp.createProtocol(engine.api, {});
    const port6 = await engine.bindUdp({ host: "::", port: 0, ipv6Only: true }, only);
    const probe = await client("udp4", "127.0.0.1");
    probe.send(payload(1), port6, "127.0.0.1"); // nobody listens on IPv4 there: never delivered
    const still = await client("udp6", "::1");
    expect(await echoMany(still, "::1", port6, 5, 5)).toEqual(new Array(5).fill(1));
    expect(udp.stats(only).datagrams).toBe(5);
  });

  it("drops and counts datagrams longer than the receive slot, and keeps delivering the next ones", async () => {
    const engine = newEngine();
    const proto = udp.createProtocol(engine.api, {});
    const port = await engine.bindUdp({ host: "127.0.0.1", maxDatagramSize: 512 }, proto);
    const socket = await client("udp4", "127.0.0.1");
    socket.send(Buffer.alloc(513, 1), port, "127.0.0.1");
    socket.send(Buffer.alloc(2000, 2), port, "127.0.0.1");
    await waitFor(() => engine.stats().udpTruncated === 2);
    expect(await echoMany(socket, "127.0.0.1", port, 50, 10)).toEqual(new Array(50).fill(1));
    expect(udp.stats(proto).datagrams).toBe(50);
    expect(engine.stats()).toMatchObject({ udpTruncated: 2, udpDatagramsIn: 50 });
  });

  it("refuses oversize datagrams and GSO trains (TOO_LARGE) and unset peers (INVALID), sending nothing of them", async () => {
    const engine = newEngine();
    const proto = udp.createProtocol(engine.api, { echo: false });
    await engine.bindUdp({ host: "127.0.0.1" }, proto);
    const receiver = await client("udp4", "127.0.0.1");
    const target = { host: "127.0.0.1", port: receiver.address().port };
    const sizes: number[] = [];
    receiver.on("message", (m: Buffer) => sizes.push(m.length));
    expect(udp.send(proto, { ...target, size: 65_508 })).toBe(UDP_SEND.tooLarge);
    expect(udp.send(proto, { ...target, size: 100, count: 3 })).toBe(UDP_SEND.ok);
    // One oversize message refuses the whole batch.
    expect(udp.send(proto, { ...target, size: 65_508, count: 2 })).toBe(UDP_SEND.tooLarge);
    expect(udp.send(proto, { ...target, size: 6_500, segmentSize: 100 })).toBe(UDP_SEND.tooLarge); // 65 segments
    expect(udp.send(proto, { host: "", port: 0, size: 10 })).toBe(UDP_SEND.invalid);
    expect(engine.stats().udpDatagramsOut).toBe(3);
    expect(udp.send(proto, { ...target, size: 65_507 })).toBe(UDP_SEND.ok);
    await waitFor(() => sizes.length === 4);
    expect(sizes).toEqual([100, 100, 100, 65_507]);

    const six = udp.createProtocol(engine.api, { echo: false });
    await engine.bindUdp({ host: "::1" }, six);
    const receiver6 = await client("udp6", "::1");
    const target6 = { host: "::1", port: receiver6.address().port };
    expect(udp.send(six, { ...target6, size: 65_528 })).toBe(UDP_SEND.tooLarge);
    const largest6 = once(receiver6, "message");
    expect(udp.send(six, { ...target6, size: 65_527 })).toBe(UDP_SEND.ok);
    expect(((await largest6)[0] as Buffer).length).toBe(65_527);
  });

  for (const gso of [true, false]) {
    it(`cuts a train into equal datagrams (segmentSize) ${gso ? "with UDP GSO" : "without GSO, in the engine"}`, async () => {
      const engine = newEngine();
      const proto = udp.createProtocol(engine.api, { echo: false });
      await engine.bindUdp({ host: "127.0.0.1", gso }, proto);
      expect(udp.stats(proto).maxSegments).toBe(gso ? 64 : 1);
      const receiver = await client("udp4", "127.0.0.1");
      const parts: Buffer[] = [];
      receiver.on("message", (m: Buffer) => parts.push(m));
      const target = { host: "127.0.0.1", port: receiver.address().port };
      expect(udp.send(proto, { ...target, size: 10_500, count: 2, segmentSize: 1000 })).toBe(UDP_SEND.ok);
      await waitFor(() => parts.length === 22);
      expect(parts.map((p) => p.length)).toEqual([
        ...new Array(10).fill(1000),
        500,
        ...new Array(10).fill(1000),
        500,
      ]);
      const expected = Buffer.alloc(21_000);
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 10_500; j++) expected[i * 10_500 + j] = (i + j) & 0xff;
        expected.writeUInt32BE(i, i * 10_500);
      }
      expect(Buffer.concat(parts).equals(expected)).toBe(true);
      expect(engine.stats().udpDatagramsOut).toBe(22);
    });
  }

  it("carries ECN codepoints both ways (IPv4 TOS and IPv6 traffic class)", async () => {
    const engine = newEngine();
    for (const host of ["127.0.0.1", "::1"]) {
      const sender = udp.createProtocol(engine.api, { echo: false });
      const receiver = udp.createProtocol(engine.api, { echo: false });
      await engine.bindUdp({ host }, sender);
      const port = await engine.bindUdp({ host }, receiver);
      for (const ecn of [2, 1, 3]) {
        expect(udp.send(sender, { host, port, size: 20, ecn })).toBe(UDP_SEND.ok);
        await waitFor(() => udp.stats(receiver).lastEcn === ecn);
      }
    }
  });

  it("lets two engines bind one port with reusePort and spreads peers over both", async () => {
    const a = newEngine();
    const b = newEngine();
    const protoA = udp.createProtocol(a.api, {});
    const protoB = udp.createProtocol(b.api, {});
    const port = await a.bindUdp({ host: "127.0.0.1" }, protoA);
    expect(await b.bindUdp({ host: "127.0.0.1", port }, protoB)).toBe(port);
    const peers = await Promise.all(Array.from({ length: 32 }, () => client("udp4", "127.0.0.1")));
    const echoes = await Promise.all(peers.map((peer) => echoMany(peer, "127.0.0.1", port, 1, 1)));
    expect(echoes.flat()).toEqual(new Array(32).fill(1));
    expect(udp.stats(protoA).datagrams + udp.stats(protoB).datagrams).toBe(32);
    expect(udp.stats(protoA).datagrams).toBeGreaterThan(0);
    expect(udp.stats(protoB).datagrams).toBeGreaterThan(0);
    const c = newEngine();
    await expect(
      c.bindUdp({ host: "127.0.0.1", port, reusePort: false }, udp.createProtocol(c.api, {})),
    ).rejects.toMatchObject({ code: "ERR_FASTERAPI_BIND_UDP", message: expect.stringMatching(/EADDRINUSE/) });
  });

  it("closes endpoints with the engine: at once, after a module's goodbye, or when the grace period ends", async () => {
    const engine = newEngine();
    const plain = udp.createProtocol(engine.api, {});
    const polite = udp.createProtocol(engine.api, { shutdown: "goodbye" });
    const port = await engine.bindUdp({ host: "127.0.0.1" }, plain);
    const politePort = await engine.bindUdp({ host: "127.0.0.1" }, polite);
    const socket = await client("udp4", "127.0.0.1");
    await echoMany(socket, "127.0.0.1", politePort, 1, 1);
    const bye = once(socket, "message");
    expect(engine.stats().udpEndpoints).toBe(2);
    await engine.close(5000);
    expect(((await bye)[0] as Buffer).toString()).toBe("bye");
    expect(udp.stats(plain)).toMatchObject({ closed: 1, lastReason: CLOSE_REASON.local, shutdowns: 0 });
    expect(udp.stats(polite)).toMatchObject({ closed: 1, lastReason: CLOSE_REASON.local, shutdowns: 1 });
    expect(engine.stats().udpEndpoints).toBe(0);
    // The sockets are really gone: the ports bind again without SO_REUSEPORT.
    const again = udp.createProtocol(engine.api, {});
    expect(await engine.bindUdp({ host: "127.0.0.1", port, reusePort: false }, again)).toBe(port);

    const lingering = udp.createProtocol(engine.api, { shutdown: "linger" });
    await engine.bindUdp({ host: "127.0.0.1" }, lingering);
    const started = Date.now();
    await engine.close(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(udp.stats(lingering)).toMatchObject({
      shutdowns: 1,
      closed: 1,
      lastReason: CLOSE_REASON.shutdown,
    });
  });

  it("lets the module close its endpoint; sends after that report FA_UDP_SEND_CLOSED", async () => {
    const engine = newEngine();
    const proto = udp.createProtocol(engine.api, {});
    const port = await engine.bindUdp({ host: "127.0.0.1", reusePort: false }, proto);
    udp.close(proto);
    expect(udp.send(proto, { host: "127.0.0.1", port, size: 1 })).toBe(UDP_SEND.closed);
    await waitFor(() => udp.stats(proto).closed === 1);
    expect(udp.stats(proto).lastReason).toBe(CLOSE_REASON.local);
    expect(engine.stats().udpEndpoints).toBe(0);
    const again = udp.createProtocol(engine.api, {});
    expect(await engine.bindUdp({ host: "127.0.0.1", port, reusePort: false }, again)).toBe(port);
  });

  it("closes its endpoints when a worker thread is terminated", async () => {
    const worker = new Worker(new URL("./fixtures/udp-worker.mjs", import.meta.url), {
      workerData: { port: 0 },
    });
    const [{ port }] = (await once(worker, "message")) as [{ port: number }];
    const socket = await client("udp4", "127.0.0.1");
    expect(await echoMany(socket, "127.0.0.1", port, 20, 20)).toEqual(new Array(20).fill(1));
    await worker.terminate();
    const engine = newEngine();
    const proto = udp.createProtocol(engine.api, {});
    expect(await engine.bindUdp({ host: "127.0.0.1", port, reusePort: false }, proto)).toBe(port);
  });

  it("rejects bad options and handles that are not UDP modules with clear errors", async () => {
    const engine = newEngine();
    const proto = udp.createProtocol(engine.api, {});
    await expect(engine.bindUdp({ port: 70_000 }, proto)).rejects.toThrow(RangeError);
    await expect(engine.bindUdp({ maxDatagramSize: 0 }, proto)).rejects.toThrow(/maxDatagramSize/);
    await expect(engine.bindUdp({ host: "127.0.0.1" }, {} as never)).rejects.toMatchObject({
      code: "ERR_FASTERAPI_PROTOCOL",
    });
    await expect(engine.bindUdp({ host: "127.0.0.1" }, engine.api as never)).rejects.toThrow(
      /UDP protocol module/,
    );
    await expect(engine.bindUdp({ host: "192.0.2.1" }, proto)).rejects.toThrow(/EADDRNOTAVAIL/);
    expect(engine.stats().udpEndpoints).toBe(0);
  });
});

describe("UDP backpressure", () => {
  it("queues what a full socket refuses, flushes it in order, then calls on_writable; past the queue limit the tail is dropped and counted", () => {
    // A private network namespace with a slow loopback (tbf) makes the kernel hold packets, so
    // the engine's socket really fills up (EAGAIN), which plain loopback never does. The child
    // runs on one CPU: loopback hands packets to a per-CPU backlog, so a sender that migrates
    // between CPUs while the qdisc drains can see the kernel reorder them (seen once in CI).
    const script = fileURLToPath(new URL("./fixtures/udp-backpressure.mjs", import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "" };
    if (process.env.FASTERAPI_SANITIZE === "1") {
      const runtime = (lib: string) =>
        execFileSync("g++", [`-print-file-name=${lib}`], { encoding: "utf8" }).trim();
      env.LD_PRELOAD = `${runtime("libasan.so")}:${runtime("libubsan.so")}`;
    }
    const run = spawnSync(
      "unshare",
      [
        "-rn",
        "sh",
        "-c",
        'ip link set lo up && tc qdisc add dev lo root tbf rate 40mbit burst 32kb limit 16mb && exec taskset -c "$0" "$1" "$2"',
        firstAllowedCpu(),
        process.execPath,
        script,
      ],
      { encoding: "utf8", env, timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const { fits, overflows, closed } = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}");

    // 900 datagrams: more than the socket buffer holds, less than the queue limit: all arrive, in order.
    expect(fits.code).toBe(UDP_SEND.queued);
    expect(fits.queuedBytes).toBeGreaterThan(0);
    expect(fits.writable).toBe(1);
    expect(fits.arrived).toEqual(Array.from({ length: 900 }, (_, i) => i));
    expect(fits.stats).toMatchObject({ udpDatagramsOut: 900, udpSendDropped: 0, udpSendErrors: 0 });

    // 3000 datagrams (3 MB): the 1 MiB queue fills; the tail beyond it is dropped and counted,
    // everything before it arrives in order.
    expect(overflows.code).toBe(UDP_SEND.dropped);
    expect(overflows.writable).toBe(2);
    const dropped = overflows.stats.udpSendDropped;
    expect(dropped).toBeGreaterThan(0);
    expect(overflows.arrived).toEqual(Array.from({ length: 3000 - dropped }, (_, i) => i));
    expect(overflows.stats.udpDatagramsOut).toBe(900 + 3000 - dropped);

    // Engine close with 1000 datagrams mostly queued: every one was sent or counted as dropped.
    expect(closed.code).toBe(UDP_SEND.queued);
    const sent = closed.after.udpDatagramsOut - closed.before.udpDatagramsOut;
    const droppedAtClose = closed.after.udpSendDropped - closed.before.udpSendDropped;
    expect(droppedAtClose).toBeGreaterThan(0);
    expect(sent + droppedAtClose).toBe(1000);
    expect(closed.arrived).toBe(sent);
    expect(closed.after.udpEndpoints).toBe(0);
  }, 90_000);
});
