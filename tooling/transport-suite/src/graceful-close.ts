// What a transport's close() test needs on both sides: a request still in flight when close()
// starts, and a probe for whether the port still takes connections.
import { connect } from "node:net";
import type { App } from "@fasterapi/core";
import { deferred } from "./deferred.js";

/** GET /slow answers `{ done: true }` 300 ms after it was reached; `reached` says when. */
export function slowRoute(): { register: (app: App) => void; reached: Promise<void> } {
  const reached = deferred();
  return {
    reached: reached.promise,
    register(app) {
      app.get("/slow", async () => {
        reached.resolve();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { done: true };
      });
    },
  };
}

/** "connected", or the error code a TCP connect to `port` on loopback failed with. */
export function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
  });
}
