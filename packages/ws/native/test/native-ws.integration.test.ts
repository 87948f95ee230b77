// The C++ WebSocket module end to end: HTTP/1.1 on the native engine answers the Upgrade and hands
// the connection over, then real clients (the `ws` npm client, raw sockets for what clients never
// send) exercise echo, fragmentation, control frames, the close handshake, permessage-deflate,
// the protocol-error close codes, idle timeout, backpressure and pub/sub.
import { connect } from "node:net";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { selfSignedCert } from "../../../http1/test/fixtures/self-signed-cert.js";
import { SEND_DROPPED, SEND_OK } from "../src/index.js";
import { echo, type NativeWsServer, startNativeWsServer } from "./fixtures/native-ws-server.js";
import { closePayload, frame, RawClient, type ServerFrame } from "./fixtures/raw-client.js";

let server: NativeWsServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function open(port: number, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const client = new WebSocket(`ws://127.0.0.1:${port}/ws`, options);
  return new Promise((resolve, reject) => {
    client.once("open", () => resolve(client));
    client.once("error", reject);
  });
}

function nextMessage(client: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) =>
    client.once("message", (data, isBinary) => resolve({ data: data as Buffer, isBinary })),
  );
}

function closed(client: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    client.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

describe("native WebSocket module with the ws client", () => {
  it("echoes text and binary messages, small and large", async () => {
    server = await startNativeWsServer({}, echo);
    const client = await open(server.port);
    client.send("hello");
    expect(await nextMessage(client)).toEqual({ data: Buffer.from("hello"), isBinary: false });
    const big = Buffer.alloc(200_000, 7);
    client.send(big);
    const reply = await nextMessage(client);
    expect(reply.isBinary).toBe(true);
    expect(reply.data.equals(big)).toBe(true);
    client.close();
    await closed(client);
  });

  it("upgrades over TLS (wss://) and echoes with permessage-deflate", async () => {
    server = await startNativeWsServer({ tls: selfSignedCert(), compression: "dedicated" }, echo);
    const client = new WebSocket(`wss://127.0.0.1:${server.port}/ws`, { rejectUnauthorized: false });
    await new Promise((resolve, reject) => {
      client.once("open", resolve);
      client.once("error", reject);
    });
    expect(client.extensions).toBe("permessage-deflate");
    const text = "over TLS ".repeat(100);
    client.send(text);
    expect((await nextMessage(client)).data.toString()).toBe(text);
    client.close(1000);
    expect((await closed(client)).code).toBe(1000);
  });

  it("joins a fragmented message and answers pings in between", async () => {
    server = await startNativeWsServer({}, echo);
    const client = await open(server.port);
    const pong = new Promise<Buffer>((resolve) => client.once("pong", resolve));
    const message = nextMessage(client);
    client.send("frag", { fin: false });
    client.ping("are you there");
    client.send("mented", { fin: true });
    expect((await pong).toString()).toBe("are you there");
    expect((await message).data.toString()).toBe("fragmented");
    const ping = await server.waitFor((e) => e.kind === "ping");
    expect(ping.data.toString()).toBe("are you there");
    client.terminate();
  });

  it("pings the client from the server and reports its pong", async () => {
    server = await startNativeWsServer({});
    const client = await open(server.port);
    const opened = await server.waitFor((e) => e.kind === "open");
    server.ws.ping(opened.handle, "beat");
    const pong = await server.waitFor((e) => e.kind === "pong");
    expect(pong.data.toString()).toBe("beat");
    client.terminate();
  });

  it("runs the close handshake the client starts, with its code and reason", async () => {
    server = await startNativeWsServer({});
    const client = await open(server.port);
    const done = closed(client);
    client.close(4001, "bye now");
    expect(await done).toEqual({ code: 4001, reason: "bye now" });
    const event = await server.waitFor((e) => e.kind === "close");
    expect(event.arg).toBe(4001);
    expect(event.data.toString()).toBe("bye now");
  });

  it("runs the close handshake the server starts", async () => {
    server = await startNativeWsServer({});
    const client = await open(server.port);
    const opened = await server.waitFor((e) => e.kind === "open");
    const done = closed(client);
    server.ws.close(opened.handle, 1001, "going away");
    expect(await done).toEqual({ code: 1001, reason: "going away" });
    expect((await server.waitFor((e) => e.kind === "close")).arg).toBe(1001);
    expect(server.ws.send(opened.handle, "late", false, false)).toBe(-1);
  });

  for (const compression of ["shared", "dedicated"] as const) {
    it(`negotiates permessage-deflate (${compression}) and echoes compressed messages`, async () => {
      server = await startNativeWsServer({ compression }, echo);
      const pending = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, {
        perMessageDeflate: { threshold: 0 },
      });
      const agreed = new Promise<string>((resolve) =>
        pending.once("upgrade", (response) => resolve(String(response.headers["sec-websocket-extensions"]))),
      );
      const client = await new Promise<WebSocket>((resolve) => pending.once("open", () => resolve(pending)));
      expect(client.extensions).toBe("permessage-deflate");
      // "shared" keeps no window on either side; "dedicated" keeps both (the client did not object).
      expect(await agreed).toBe(
        compression === "shared"
          ? "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
          : "permessage-deflate",
      );
      for (let i = 0; i < 3; i++) {
        const text = `${"compressible text ".repeat(500)}${i}`;
        client.send(text);
        expect((await nextMessage(client)).data.toString()).toBe(text);
      }
      client.terminate();
    });
  }

  it("compresses replies on the wire and leaves short ones (under 64 bytes) uncompressed", async () => {
    server = await startNativeWsServer({ compression: "shared" }, echo);
    const client = await RawClient.open(server.port, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    const long = "compressible text ".repeat(500);
    client.send(frame(1, long));
    client.send(frame(1, "short"));
    await client.until(() => client.frames.length === 2);
    const [compressed, plain] = client.frames as [ServerFrame, ServerFrame];
    expect(compressed.rsv1).toBe(true);
    expect(compressed.payload.length).toBeLessThan(long.length / 10);
    expect(inflateRawSync(compressed.payload, { finishFlush: 2 /* Z_SYNC_FLUSH */ }).toString()).toBe(long);
    expect(plain).toMatchObject({ rsv1: false, payload: Buffer.from("short") });
    expect(server.ws.stats()).toMatchObject({ messagesIn: 2, messagesOut: 2, bytesIn: long.length + 5 });
    client.socket.destroy();
  });

  it("refuses an upgrade with a normal response and keeps speaking HTTP/1.1", async () => {
    server = await startNativeWsServer({});
    const socket = connect(server.port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
    });
    socket.write(
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n\r\n" +
        "GET /again HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 7\r\n\r\n",
    );
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (received.split("HTTP/1.1 426").length === 3) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    expect(received).toMatch(/sec-websocket-version: 13/i);
    socket.destroy();
  });
});

describe("native WebSocket module against bad input", () => {
  const cases: [string, Buffer[], number][] = [
    ["an unmasked client frame", [frame(1, "x", { masked: false })], 1002],
    ["a reserved opcode", [frame(3, "x")], 1002],
    ["RSV1 without a negotiated extension", [frame(1, "x", { rsv1: true })], 1002],
    ["a control frame over 125 bytes", [frame(9, Buffer.alloc(126))], 1002],
    ["a fragmented control frame", [frame(9, "x", { fin: false })], 1002],
    ["a continuation without a start", [frame(0, "x")], 1002],
    ["a new message inside a fragmented one", [frame(1, "a", { fin: false }), frame(1, "b")], 1002],
    ["a reserved close code", [frame(8, closePayload(1005))], 1002],
    ["a one-byte close payload", [frame(8, Buffer.from([3]))], 1002],
    ["invalid UTF-8 in a text message", [frame(1, Buffer.from([0xce, 0xba, 0xed, 0xa0, 0x80]))], 1007],
    [
      "invalid UTF-8 split across fragments",
      [frame(1, Buffer.from([0xf0, 0x9f]), { fin: false }), frame(0, Buffer.from([0x28, 0x8c]))],
      1007,
    ],
    [
      "invalid UTF-8 in a close reason",
      [frame(8, Buffer.concat([closePayload(1000), Buffer.from([0xff])]))],
      1007,
    ],
    ["a message over maxPayload", [frame(2, Buffer.alloc(1025))], 1009],
    [
      "fragments adding up to over maxPayload",
      [frame(2, Buffer.alloc(600), { fin: false }), frame(0, Buffer.alloc(600))],
      1009,
    ],
  ];
  for (const [name, frames, code] of cases) {
    it(`closes with ${code} on ${name}`, async () => {
      server ??= await startNativeWsServer({ maxPayload: 1024 });
      const client = await RawClient.open(server.port);
      for (const bytes of frames) client.send(bytes);
      expect((await client.closed()).code).toBe(code);
    });
  }

  it("closes with 1009 when a compressed message inflates past maxPayload", async () => {
    server = await startNativeWsServer({ maxPayload: 64 * 1024, compression: "shared" });
    const client = await RawClient.open(server.port, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    expect(client.head).toMatch(/permessage-deflate/);
    const bomb = deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
    client.send(frame(2, bomb.subarray(0, bomb.length - 4), { rsv1: true }));
    expect((await client.closed()).code).toBe(1009);
  });

  it("pings a silent peer after idleTimeout and closes it after another", async () => {
    server = await startNativeWsServer({ idleTimeoutMs: 150 });
    const client = await RawClient.open(server.port);
    const started = Date.now();
    const result = await client.closed();
    expect(client.frames.some((f) => f.opcode === 9)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(result.code).toBe(1001);
    expect((await server.waitFor((e) => e.kind === "close")).arg).toBe(1006);
  });

  it("keeps a peer that answers pings open past idleTimeout", async () => {
    server = await startNativeWsServer({ idleTimeoutMs: 150 });
    const client = await open(server.port);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(client.readyState).toBe(WebSocket.OPEN);
    client.terminate();
  });

  it("drops sends to a peer that does not read once past maxBackpressure, then drains", async () => {
    server = await startNativeWsServer({ maxBackpressure: 256 * 1024 });
    const client = await RawClient.open(server.port);
    client.socket.pause();
    const opened = await server.waitFor((e) => e.kind === "open");
    const chunk = Buffer.alloc(64 * 1024, 1);
    let result = SEND_OK;
    let sent = 0;
    while (result !== SEND_DROPPED && sent < 10_000) {
      result = server.ws.send(opened.handle, chunk, true, false);
      sent++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(result).toBe(SEND_DROPPED);
    expect(server.ws.stats().dropped).toBe(1);
    const seen = server.events.length;
    client.socket.resume();
    await server.waitFor((e) => e.kind === "drain" && (server?.events.indexOf(e) ?? -1) >= seen);
    expect(server.ws.send(opened.handle, chunk, true, false)).not.toBe(SEND_DROPPED);
    client.socket.destroy();
  });

  it("cuts a non-reading peer off past maxBackpressure when closeOnBackpressureLimit is set", async () => {
    server = await startNativeWsServer({ maxBackpressure: 128 * 1024, closeOnBackpressureLimit: true });
    const client = await RawClient.open(server.port);
    client.socket.pause();
    const opened = await server.waitFor((e) => e.kind === "open");
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (let i = 0; i < 10_000; i++) {
      if (server.ws.send(opened.handle, chunk, true, false) === SEND_DROPPED) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await server.waitFor((e) => e.kind === "close")).arg).toBe(1006);
    client.socket.destroy();
  });
});

describe("native pub/sub", () => {
  it("frames a published message once for every subscriber but the sender", async () => {
    server = await startNativeWsServer({ compression: "shared" }, (event, ws) => {
      if (event.kind === "open") ws.subscribe(event.handle, "room");
      if (event.kind === "message")
        ws.publish("room", Buffer.from(event.data), event.arg === 1, true, event.handle);
    });
    const clients = await Promise.all([
      open(server.port),
      open(server.port, { perMessageDeflate: true }),
      open(server.port, { perMessageDeflate: true }),
    ]);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (server?.ws.subscriberCount("room") === 3) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    const [sender, ...others] = clients as [WebSocket, WebSocket, WebSocket];
    const received = others.map((client) => nextMessage(client));
    let senderGotOne = false;
    sender.once("message", () => {
      senderGotOne = true;
    });
    const text = "news for everyone ".repeat(20);
    sender.send(text);
    for (const message of await Promise.all(received)) expect(message.data.toString()).toBe(text);
    expect(senderGotOne).toBe(false);
    const opened = server.events.filter((e) => e.kind === "open");
    expect(server.ws.isSubscribed(opened[0]?.handle as number, "room")).toBe(true);
    expect(server.ws.unsubscribe(opened[0]?.handle as number, "room")).toBe(true);
    expect(server.ws.subscriberCount("room")).toBe(2);
    for (const client of clients) client.terminate();
    await server.waitFor((e) => e.kind === "close" && server?.ws.subscriberCount("room") === 0);
  });
});
