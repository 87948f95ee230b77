// app.injectWebSocket(): the in-memory client through the full upgrade pipeline, no socket.
import { App, Depends, HTTPException, Router, UpgradeRefusedError } from "@fasterapi/core";
import { Type as t } from "@sinclair/typebox";
import { afterEach, describe, expect, it } from "vitest";
import { ws } from "../src/index.js";

const apps: App[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function chatApp(): App {
  const app = new App({ logger: false, docs: false });
  apps.push(app);
  app.register(ws());
  const currentUser = Depends((ctx) => {
    const name = ctx.request.header("x-user");
    if (name === undefined) throw new HTTPException(401, "log in first");
    return { name };
  });
  app.websocket("/chat/:room", {
    params: t.Object({ room: t.String({ minLength: 3 }) }),
    deps: { user: currentUser },
    protocols: ["chat.v1"],
    upgrade: (ctx) => ({ user: ctx.deps.user.name, room: ctx.params.room }),
    open(socket) {
      socket.subscribe(socket.data.room);
      socket.send(`hello ${socket.data.user}`);
    },
    message(socket, data) {
      if (data.toString() === "quit") socket.close(4001, "bye");
      else socket.publish(socket.data.room, `${socket.data.user}: ${data.toString()}`);
    },
  });
  return app;
}

describe("app.injectWebSocket", () => {
  it("opens through Depends and upgrade(), and exchanges messages with pub/sub", async () => {
    const app = chatApp();
    const ann = await app.injectWebSocket("/chat/lobby", {
      headers: { "x-user": "ann" },
      protocols: ["chat.v1"],
    });
    const bob = await app.injectWebSocket("/chat/lobby", { headers: { "x-user": "bob" } });
    expect(ann.protocol).toBe("chat.v1");
    expect((await ann.nextMessage()).data.toString()).toBe("hello ann");
    expect((await bob.nextMessage()).data.toString()).toBe("hello bob");
    ann.send("hi all");
    expect(await bob.nextMessage()).toEqual({ data: Buffer.from("ann: hi all"), isBinary: false });
    expect(app.publish("lobby", Buffer.from([9]))).toBe(2);
    expect(await ann.nextMessage()).toEqual({ data: Buffer.from([9]), isBinary: true });
    expect(app.numSubscribers("lobby")).toBe(2);
    bob.send("quit");
    expect(await bob.closed).toEqual({ code: 4001, reason: "bye" });
    expect(app.numSubscribers("lobby")).toBe(1);
    ann.close();
    expect((await ann.closed).code).toBe(1000);
    const stats = app.stats().websocket as { opened: number; open: number; messagesIn: number };
    expect(stats).toMatchObject({ opened: 2, open: 0, messagesIn: 2 });
  });

  it("rejects with the HTTP answer when the upgrade is refused", async () => {
    const app = chatApp();
    const unauthenticated = await app.injectWebSocket("/chat/lobby").catch((error: unknown) => error);
    expect(unauthenticated).toBeInstanceOf(UpgradeRefusedError);
    expect((unauthenticated as UpgradeRefusedError).statusCode).toBe(401);
    const invalid = await app
      .injectWebSocket("/chat/no", { headers: { "x-user": "ann" } })
      .catch((error: UpgradeRefusedError) => error.response.json());
    expect(invalid).toMatchObject({ detail: [{ loc: ["path", "room"] }] });
    const wrongProtocol = await app
      .injectWebSocket("/chat/lobby", { headers: { "x-user": "ann" }, protocols: ["v0"] })
      .catch((error: UpgradeRefusedError) => error.statusCode);
    expect(wrongProtocol).toBe(400);
    const plain = await app.inject({ url: "/chat/lobby", headers: { "x-user": "ann" } });
    expect(plain.statusCode).toBe(426);
  });

  it("takes a subprotocol chooser and an origin predicate", async () => {
    const app = new App({ logger: false, docs: false });
    apps.push(app);
    app.register(ws());
    app.websocket("/pick", {
      protocols: (offered) => offered.find((protocol) => protocol.startsWith("v2.")),
      origins: (origin) => origin?.endsWith(".example") === true,
    });
    const origin = { origin: "https://app.example" };
    const client = await app.injectWebSocket("/pick", { headers: origin, protocols: ["v1.a", "v2.b"] });
    expect(client.protocol).toBe("v2.b");
    const noProtocol = await app.injectWebSocket("/pick", { headers: origin });
    expect(noProtocol.protocol).toBe("");
    const foreign = await app
      .injectWebSocket("/pick", { headers: { origin: "https://evil.test" } })
      .catch((error: UpgradeRefusedError) => error.statusCode);
    expect(foreign).toBe(403);
    const notHandedOver = await app.inject({
      url: "/pick",
      headers: { ...origin, upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13" },
    });
    // Not an upgrade the transport can hand over (app.inject has no upgrade handle): 426.
    expect(notHandedOver.statusCode).toBe(426);
    expect(notHandedOver.json()).toEqual({
      detail: "this route speaks WebSocket, but its inject transport cannot hand the connection over",
    });
  });

  it("mounts websocket routes of a Router under its prefix, with its deps", async () => {
    const app = new App({ logger: false, docs: false });
    apps.push(app);
    app.register(ws());
    const tenant = Depends((ctx) => ctx.request.header("x-tenant") ?? "public");
    const router = new Router({ prefix: "/v1", deps: { tenant } });
    router.websocket("/feed/:topic", {
      params: t.Object({ topic: t.String() }),
      upgrade: (ctx) => ({ topic: ctx.params.topic, tenant: ctx.deps.tenant as string }),
      open(socket) {
        socket.send(`${socket.data.tenant}/${socket.data.topic}`);
      },
    });
    app.include(router);
    const client = await app.injectWebSocket("/v1/feed/news", { headers: { "x-tenant": "acme" } });
    expect((await client.nextMessage()).data.toString()).toBe("acme/news");
  });

  it("says which plugin is missing when websocket routes have no provider", async () => {
    const app = new App({ logger: false });
    app.websocket("/x", {});
    await expect(app.ready()).rejects.toThrow(/app\.register\(ws\(\)\)/);
    expect(() => app.publish("t", "m")).toThrow(/WebSocket provider/);
  });

  it("checks ws() options and close codes", async () => {
    expect(() => ws({ compression: "fast" as never })).toThrow(/compression must be one of/);
    expect(() => ws({ maxPayload: 0 })).toThrow(/maxPayload/);
    const app = chatApp();
    const client = await app.injectWebSocket("/chat/lobby", { headers: { "x-user": "ann" } });
    expect(() => client.close(1005)).toThrow(/not a close code/);
    expect(() => client.close(1000, "x".repeat(124))).toThrow(/123 bytes/);
  });
});
