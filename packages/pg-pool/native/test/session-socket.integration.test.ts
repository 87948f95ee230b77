// NativeSessionSocket against a real TCP peer (node:net): the engine takes over a connected
// client socket and carries bytes both ways, with backpressure, pause/resume and each way of
// closing. pg-pool's own suite runs PostgreSQL sessions over it.
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { adoptSessionSocket, nativeSessionSocketsAvailable } from "../src/index.js";

interface Peer {
  server: Server;
  /** The server side of the connection. */
  remote: Socket;
  client: Socket;
}

const servers: Server[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function peer(onConnection?: (remote: Socket) => void): Promise<Peer> {
  const server = createServer();
  servers.push(server);
  const accepted = new Promise<Socket>((resolve) =>
    server.once("connection", (remote) => {
      remote.on("error", () => {}); // resets are what some tests do; the ones that care listen too
      onConnection?.(remote);
      resolve(remote);
    }),
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const client = connect({ host: "127.0.0.1", port });
  await once(client, "connect");
  return { server, remote: await accepted, client };
}

function adopt(client: Socket) {
  const received: Buffer[] = [];
  let dataSeen: () => void = () => {};
  let closedWith: (error: Error | undefined) => void = () => {};
  const closed = new Promise<Error | undefined>((resolve) => {
    closedWith = resolve;
  });
  const socket = adoptSessionSocket(client, {
    data: (chunk) => {
      received.push(Buffer.from(chunk));
      dataSeen();
    },
    close: (error) => closedWith(error),
  });
  if (socket === null) throw new Error("the session-socket addons did not load");
  return {
    socket,
    closed,
    text: () => Buffer.concat(received).toString(),
    /** Resolves once at least `n` bytes arrived. */
    async bytes(n: number) {
      while (Buffer.concat(received).length < n) await new Promise<void>((resolve) => (dataSeen = resolve));
    },
  };
}

describe("NativeSessionSocket", () => {
  it("is available once the addons are built", () => {
    expect(nativeSessionSocketsAvailable()).toBe(true);
  });

  it("carries bytes both ways and leaves Node's socket destroyed", async () => {
    const { remote, client } = await peer((r) => r.pipe(r));
    const session = adopt(client);
    expect(client.destroyed).toBe(true);
    expect(session.socket.write(Buffer.from("hello, "))).toBe(true);
    session.socket.write(Buffer.from("engine"));
    await session.bytes(13);
    expect(session.text()).toBe("hello, engine");
    remote.end();
    expect(await session.closed).toBeUndefined();
  });

  it("delivers first what Node had already read but not handed out", async () => {
    const { client } = await peer((r) => r.write("early bytes"));
    await once(client, "readable");
    const session = adopt(client);
    await session.bytes(11);
    expect(session.text()).toBe("early bytes");
    session.socket.destroy();
    await session.closed;
  });

  it("reports backpressure and resolves drained() once the peer reads again", async () => {
    const { remote, client } = await peer((r) => r.pause());
    const session = adopt(client);
    // Small writes: each leaves at once until the kernel's buffers are full, then the queue grows.
    const chunk = Buffer.alloc(16 * 1024, 7);
    let written = 0;
    while (session.socket.write(chunk)) {
      written += chunk.length;
      expect(written).toBeLessThan(64 * 1024 * 1024);
    }
    written += chunk.length;
    let drained = false;
    const draining = session.socket.drained().then(() => {
      drained = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(drained).toBe(false);
    let got = 0;
    remote.on("data", (data: Buffer) => {
      got += data.length;
    });
    remote.resume();
    await draining;
    while (got < written) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(got).toBe(written);
    session.socket.destroy();
    await session.closed;
  });

  it("stops delivering while paused and catches up on resume", async () => {
    const { remote, client } = await peer();
    const session = adopt(client);
    session.socket.pause();
    remote.write("while paused");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(session.text()).toBe("");
    session.socket.resume();
    await session.bytes(12);
    expect(session.text()).toBe("while paused");
    session.socket.destroy();
    await session.closed;
  });

  it("end(last) sends the last bytes after the queued ones, then FIN", async () => {
    const { remote, client } = await peer();
    const session = adopt(client);
    const chunks: Buffer[] = [];
    remote.on("data", (data: Buffer) => chunks.push(data));
    const ended = once(remote, "end");
    session.socket.write(Buffer.from("queued "));
    session.socket.end(Buffer.from("last"));
    await ended;
    expect(Buffer.concat(chunks).toString()).toBe("queued last");
    remote.end();
    expect(await session.closed).toBeUndefined();
  });

  it("destroy() resets the connection: the peer sees ECONNRESET", async () => {
    const { remote, client } = await peer();
    const session = adopt(client);
    const failed = once(remote, "error");
    session.socket.destroy();
    const [error] = await failed;
    expect((error as NodeJS.ErrnoException).code).toBe("ECONNRESET");
    expect(await session.closed).toBeUndefined();
    expect(session.socket.write(Buffer.from("late"))).toBe(true);
  });
});
