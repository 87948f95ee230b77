// The shared WebSocket suite on the native path: the C++ engine's HTTP/1.1 module hands the
// upgraded connection to @fasterapi/ws-native's module. Also what only this path has: message
// Buffers over the addon's pooled memory, which must never move to another thread.
import { http1 } from "@fasterapi/http1";
import { describe, expect, it } from "vitest";
import { connectClient, defineWebSocketSuite, startApp } from "./fixtures/ws-suite.js";

const native = (options: { port: number; host: string }) => http1({ ...options, native: true });

defineWebSocketSuite("native engine", native);

describe("native message Buffers", () => {
  it("are copied, never moved, when a handler lists them in a transfer", async () => {
    const outcomes: string[] = [];
    const server = await startApp(native, {}, (app) => {
      app.websocket("/transfer", {
        message(socket, data) {
          try {
            const memory = data.buffer as ArrayBuffer;
            const copy = structuredClone(memory, { transfer: [memory] });
            outcomes.push(copy === memory ? "same" : "copied");
          } catch (error) {
            outcomes.push((error as Error).name); // newer Node refuses instead of copying
          }
          socket.send(data); // still the message: nothing was detached
        },
      });
    });
    try {
      const client = await connectClient(server.url("/transfer"));
      const reply = new Promise<Buffer>((resolve) =>
        client.once("message", (data) => resolve(data as Buffer)),
      );
      client.send(Buffer.alloc(20_000, 3));
      expect((await reply).equals(Buffer.alloc(20_000, 3))).toBe(true);
      expect(outcomes).toHaveLength(1);
      expect(["copied", "DataCloneError"]).toContain(outcomes[0]);
      client.close();
    } finally {
      await server.app.close();
    }
  });
});
