// @WebSocketRoute on a @Controller class: the route's upgrade is the decorated method and its
// handlers run with `this` = the controller, resolved through the container with its injected
// services; the same as app.websocket for validation, Depends, refusals and the group's prefix.
// Through a real socket on the JS and the native HTTP/1.1 path, and through app.injectWebSocket.
import {
  App,
  Controller,
  Depends,
  HTTPException,
  type ServerWebSocket,
  UpgradeRefusedError,
  WebSocketRoute,
} from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { Type as t } from "@sinclair/typebox";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ws } from "../src/index.js";

class Greeter {
  greet(name: string, room: string): string {
    return `hello ${name} in ${room}`;
  }
}

const currentUser = Depends((ctx) => {
  const name = ctx.request.header("x-user");
  if (name === undefined) throw new HTTPException(401, "log in first");
  return name;
});

interface Member {
  user: string;
  room: string;
}

/** What close() saw, in order. */
const closes: string[] = [];

@Controller("/rooms", { deps: { user: currentUser } })
class RoomsController {
  constructor(private readonly greeter: Greeter) {}

  @WebSocketRoute("/:room", {
    params: t.Object({ room: t.String({ minLength: 3 }) }),
    open(this: RoomsController, socket: ServerWebSocket<Member>) {
      socket.send(this.greeter.greet(socket.data.user, socket.data.room));
    },
    message(this: RoomsController, socket: ServerWebSocket<Member>, data: Buffer) {
      socket.send(`${socket.data.user}@${socket.data.room}: ${data.toString()}`);
    },
    close(this: RoomsController, socket: ServerWebSocket<Member>, code: number) {
      closes.push(`${this.greeter.greet(socket.data.user, socket.data.room)}:${code}`);
    },
  })
  join(ctx: { params: { room: string }; deps: { user: string } }): Member {
    if (ctx.params.room === "vault") throw new HTTPException(403, "not for you");
    return { user: ctx.deps.user, room: ctx.params.room };
  }
}

const apps: App[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function roomsApp(): App {
  const app = new App({ logger: false, docs: false });
  apps.push(app);
  app.register(ws());
  app.provide(Greeter, { useClass: Greeter });
  app.include(RoomsController);
  return app;
}

function nextText(client: WebSocket): Promise<string> {
  return new Promise((resolve) => client.once("message", (data) => resolve(String(data))));
}

describe("@WebSocketRoute on a controller", () => {
  for (const native of [false, true]) {
    it(`serves upgrade, open, message and close through the controller on a real socket (${native ? "native" : "JS"} path)`, async () => {
      const app = roomsApp();
      app.register(http1({ port: 0, host: "127.0.0.1", native }));
      const { port } = (await app.listen())[0] as { port: number };
      const client = new WebSocket(`ws://127.0.0.1:${port}/rooms/lobby`, { headers: { "x-user": "ann" } });
      expect(await nextText(client)).toBe("hello ann in lobby");
      client.send("hi");
      expect(await nextText(client)).toBe("ann@lobby: hi");
      const closed = new Promise((resolve) => client.once("close", resolve));
      client.close(1000);
      await closed;
      await expect.poll(() => closes.at(-1)).toBe("hello ann in lobby:1000");
      // Refusals answer over HTTP like app.websocket's: the group's Depends (401), the method (403), validation (422).
      const statuses = await Promise.all(
        [
          ["/rooms/lobby", {}],
          ["/rooms/vault", { "x-user": "ann" }],
          ["/rooms/ab", { "x-user": "ann" }],
        ].map(
          ([path, headers]) =>
            new Promise<number>((resolve) => {
              const refused = new WebSocket(`ws://127.0.0.1:${port}${path}`, {
                headers: headers as Record<string, string>,
              });
              refused.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
              refused.once("error", () => {});
            }),
        ),
      );
      expect(statuses).toEqual([401, 403, 422]);
    });
  }

  it("works with app.injectWebSocket, and refuses like app.websocket", async () => {
    const app = roomsApp();
    const client = await app.injectWebSocket("/rooms/garden", { headers: { "x-user": "bob" } });
    expect((await client.nextMessage()).data.toString()).toBe("hello bob in garden");
    client.send("ping?");
    expect((await client.nextMessage()).data.toString()).toBe("bob@garden: ping?");
    client.close(4000, "done");
    expect(await client.closed).toEqual({ code: 4000, reason: "done" });
    const refused = await app
      .injectWebSocket("/rooms/vault", { headers: { "x-user": "bob" } })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(UpgradeRefusedError);
    expect((refused as UpgradeRefusedError).response.statusCode).toBe(403);
  });

  it("refuses options.upgrade: the decorated method is the upgrade", () => {
    expect(() =>
      WebSocketRoute("/x", { upgrade: () => ({}) } as never)(RoomsController.prototype, "join", {}),
    ).toThrow('@WebSocketRoute("/x"): the decorated method is upgrade(); drop options.upgrade');
  });
});
