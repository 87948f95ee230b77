import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../src/index.js";
import { CLOSE_REASON, loadEchoFixture } from "./fixtures/echo-protocol.js";
import { collect, connectPlain, waitFor } from "./fixtures/line-client.js";

const echo = loadEchoFixture();
const engines: Engine[] = [];

function newEngine(): Engine {
  const engine = new Engine();
  engines.push(engine);
  return engine;
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close(0)));
});

describe("Engine (plain TCP)", () => {
  it("listens on an ephemeral port and stops listening on close", async () => {
    const engine = newEngine();
    const port = await engine.listen({ host: "127.0.0.1", port: 0 });
    expect(port).toBeGreaterThan(0);
    expect(engine.stats().listeners).toBe(1);
    await engine.close(100);
    expect(engine.stats().listeners).toBe(0);
    await expect(connectPlain(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("closes connections at once when no protocol serves the listener", async () => {
    const engine = newEngine();
    const port = await engine.listen({ host: "127.0.0.1", port: 0 });
    const result = await collect(await connectPlain(port));
    expect(result).toEqual({ received: "", closedBy: "end" });
    expect(engine.stats().connections).toBe(1);
  });

  it("hands bytes to the protocol, keeps what it did not consume, and writes its answers", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "line" });
    const port = await engine.listen({ host: "127.0.0.1", port: 0 }, proto);
    const socket = await connectPlain(port);
    const done = collect(socket);
    socket.write("hel");
    await new Promise((r) => setTimeout(r, 20));
    socket.write("lo\nwor");
    await new Promise((r) => setTimeout(r, 20));
    socket.write("ld\nquit\n");
    const result = await done;
    expect(result).toEqual({ received: "hello\nworld\n", closedBy: "end" });
    await waitFor(() => echo.protocolStats(proto).closed === 1);
    const stats = echo.protocolStats(proto);
    expect(stats.lastReason).toBe(CLOSE_REASON.local);
    expect(stats.lastPeer).toBe("127.0.0.1");
    expect(engine.stats()).toMatchObject({ connections: 1, active: 0, bytesIn: 17, bytesOut: 12 });
  });

  it("answers pipelined lines sent in one segment in order", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "line" });
    const port = await engine.listen({ host: "127.0.0.1", port: 0 }, proto);
    const socket = await connectPlain(port);
    const done = collect(socket);
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join("");
    socket.end(lines);
    const result = await done;
    expect(result.received).toBe(lines);
    await waitFor(() => echo.protocolStats(proto).closed === 1);
    expect(echo.protocolStats(proto).lastReason).toBe(CLOSE_REASON.peer);
  });

  it("hands a connection over from inside on_data without losing pipelined bytes", async () => {
    const engine = newEngine();
    const line = echo.createProtocol(engine.api, { name: "line" });
    const upper = echo.createProtocol(engine.api, { name: "upper", upper: true });
    engine.registerProtocol(upper);
    const port = await engine.listen({ host: "127.0.0.1", port: 0 }, line);
    const socket = await connectPlain(port);
    const done = collect(socket);
    socket.write("before\nswitch\nafter\nquit\n");
    expect((await done).received).toBe("before\nhandoff from line\nAFTER\n");
    await waitFor(() => echo.protocolStats(upper).closed === 1);
    expect(echo.protocolStats(line)).toMatchObject({ opened: 1, closed: 0, handovers: 1 });
    expect(echo.protocolStats(upper)).toMatchObject({ opened: 1, closed: 1, lastHandoff: "from line" });
  });

  it("applies backpressure: pauses reading while the peer is slow and resumes on drain", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "line" });
    const port = await engine.listen({ host: "127.0.0.1", port: 0 }, proto);
    const socket = await connectPlain(port);
    const line = `${"x".repeat(1023)}\n`;
    const total = 8 * 1024 * 1024;
    socket.pause(); // let the server's output pile up first
    let sent = 0;
    const sendMore = () => {
      while (sent < total && socket.write(line)) sent += line.length;
      if (sent < total)
        socket.once("drain", () => {
          sent += line.length;
          sendMore();
        });
    };
    sendMore();
    await waitFor(() => echo.protocolStats(proto).pauses > 0);
    let received = 0;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received === total) socket.end("quit\n");
    });
    socket.resume();
    await collect(socket);
    expect(received).toBe(total);
    const stats = echo.protocolStats(proto);
    expect(stats.drains).toBeGreaterThan(0);
    expect(engine.stats().bytesOut).toBe(total);
  });

  it("lends bytes without copying (write_ref) across many small and large writes", async () => {
    const engine = newEngine();
    const upper = echo.createProtocol(engine.api, { name: "upper", upper: true });
    const port = await engine.listen({ host: "127.0.0.1", port: 0 }, upper);
    const socket = await connectPlain(port);
    const done = collect(socket);
    const lines = Array.from({ length: 3000 }, (_, i) => `ref ${i} ${"q".repeat(i % 700)}\n`);
    socket.end(lines.join(""));
    expect((await done).received).toBe(lines.join("").toUpperCase());
  });

  it("keeps serving while many peers reset mid-stream", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "line" });
    const port = await engine.listen({ host: "127.0.0.1", port: 0 }, proto);
    const chunk = `${"r".repeat(8191)}\n`.repeat(32);
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const socket = await connectPlain(port);
        socket.on("error", () => {});
        socket.write(chunk.slice(0, 1000 + i * 5000));
        await new Promise((r) => setTimeout(r, i % 4));
        socket.resetAndDestroy();
      }),
    );
    await waitFor(() => engine.stats().active === 0);
    expect(echo.protocolStats(proto).closed).toBe(40);
    const socket = await connectPlain(port);
    const done = collect(socket);
    socket.end("alive\n");
    expect((await done).received).toBe("alive\n");
  });

  it("fires a module's per-connection timer (idle timeout)", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "line", idleMs: 500 });
    const port = await engine.listen({ host: "127.0.0.1", port: 0 }, proto);
    const started = Date.now();
    const result = await collect(await connectPlain(port));
    expect(result).toEqual({ received: "timeout\n", closedBy: "end" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(echo.protocolStats(proto).timeouts).toBe(1);
  });

  it("closes gracefully: stops accepting, lets the protocol say goodbye, then resolves", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "line" });
    const port = await engine.listen({ host: "127.0.0.1", port: 0 }, proto);
    const sockets = await Promise.all([connectPlain(port), connectPlain(port)]);
    const results = sockets.map(collect);
    await waitFor(() => engine.stats().active === 2);
    await engine.close(5000);
    expect(await Promise.all(results)).toEqual([
      { received: "bye\n", closedBy: "end" },
      { received: "bye\n", closedBy: "end" },
    ]);
    expect(echo.protocolStats(proto)).toMatchObject({ shutdowns: 2, closed: 2 });
    expect(engine.stats().active).toBe(0);
  });

  it("resets connections that are still open when the grace period ends", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "line" });
    const port = await engine.listen({ host: "127.0.0.1", port: 0 }, proto);
    const socket = await connectPlain(port);
    socket.pause(); // never read: the goodbye cannot be flushed
    const done = collect(socket);
    const line = `${"y".repeat(4095)}\n`;
    for (let i = 0; i < 2048; i++) socket.write(line);
    await waitFor(() => echo.protocolStats(proto).pauses > 0);
    await engine.close(200);
    expect(echo.protocolStats(proto).lastReason).toBe(CLOSE_REASON.shutdown);
    expect(engine.stats().active).toBe(0);
    socket.resume();
    // The goodbye sat behind megabytes the peer never read: it was dropped, not flushed.
    const result = await done;
    expect(result.received.length).toBeLessThan(2048 * 4096);
    expect(result.received.endsWith("bye\n")).toBe(false);
  });

  it("can listen again after close", async () => {
    const engine = newEngine();
    await engine.listen({ host: "127.0.0.1", port: 0 });
    await engine.close(0);
    const port = await engine.listen({ host: "127.0.0.1", port: 0 });
    expect(port).toBeGreaterThan(0);
    expect(engine.stats().listeners).toBe(1);
  });

  it("serves IPv6 and reports the IPv6 peer address to the protocol", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "line" });
    const port = await engine.listen({ host: "::1", port: 0 }, proto);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, "::1", () => resolve(s));
      s.once("error", reject);
    });
    const done = collect(socket);
    socket.end("six\n");
    expect((await done).received).toBe("six\n");
    expect(echo.protocolStats(proto).lastPeer).toBe("::1");
  });

  it("resolves host names before binding", async () => {
    const engine = newEngine();
    const port = await engine.listen({ host: "localhost", port: 0 });
    expect(port).toBeGreaterThan(0);
  });
});

describe("Engine.adopt", () => {
  // A client socket connected by node:net (the one to adopt) and its peer on a node:net server.
  async function connectedPair() {
    const server: Server = createServer();
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
    const client = connect({ host: "127.0.0.1", port: (server.address() as { port: number }).port });
    await new Promise((resolve) => client.once("connect", resolve));
    const peer = await accepted;
    return { server, client, peer, fd: (client as unknown as { _handle: { fd: number } })._handle.fd };
  }

  it("serves a socket connected elsewhere with a protocol, while Node's own descriptor closes", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "line" });
    const { server, client, peer, fd } = await connectedPair();
    const id = engine.adopt(fd, proto);
    expect(id).toBeGreaterThan(0);
    client.destroy();
    const done = collect(peer);
    peer.write("adopted\nquit\n");
    expect(await done).toEqual({ received: "adopted\n", closedBy: "end" });
    expect(engine.stats()).toMatchObject({ connections: 1 });
    server.close();
  });

  it("adopts through the C ABI (engine_adopt) as a module would, and refuses a closed descriptor", async () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "line" });
    const { server, client, peer, fd } = await connectedPair();
    expect(echo.adopt(engine.api, engine.handle, fd, proto)).toBeGreaterThan(0);
    expect(echo.adopt(engine.api, engine.handle, 987654, proto)).toBe(0);
    client.destroy();
    const done = collect(peer);
    peer.write("through the abi\nquit\n");
    expect(await done).toEqual({ received: "through the abi\n", closedBy: "end" });
    server.close();
  });

  it("refuses a descriptor that is not open", () => {
    const engine = newEngine();
    const proto = echo.createProtocol(engine.api, { name: "line" });
    expect(() => engine.adopt(987654, proto)).toThrow(/cannot duplicate socket descriptor/);
    expect(() => engine.adopt(-1, proto)).toThrow(TypeError);
  });
});

describe("Engine errors", () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it("reports EADDRINUSE when the port is taken by a socket without SO_REUSEPORT", async () => {
    server = createServer();
    await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const engine = newEngine();
    await expect(engine.listen({ host: "127.0.0.1", port })).rejects.toThrow(/EADDRINUSE/);
  });

  it("rejects an invalid port and a non-protocol handle with clear errors", async () => {
    const engine = newEngine();
    await expect(engine.listen({ port: 70000 })).rejects.toThrow(RangeError);
    await expect(
      engine.listen({ host: "127.0.0.1" }, {} as unknown as Parameters<Engine["listen"]>[1]),
    ).rejects.toMatchObject({ code: "ERR_FASTERAPI_PROTOCOL" });
    expect(() => engine.registerProtocol({} as never)).toThrow(/protocol module handle/);
  });

  it("refuses a protocol handle of another kind of external", async () => {
    const engine = newEngine();
    expect(() => engine.registerProtocol(engine.api as never)).toThrow(/protocol module handle/);
  });
});
