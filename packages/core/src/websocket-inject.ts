// app.injectWebSocket(): opens a WebSocket to a route in memory, through the same handler the
// transports call (hooks, validation, Depends, upgrade()), and resolves with the client side of
// an in-memory socket pair the provider creates. A refused upgrade rejects with the HTTP answer.
import { randomBytes } from "node:crypto";
import { type InjectResponse, injectRequest } from "./inject.js";
import type { RequestHandler } from "./transport.js";
import type { InjectedWebSocket, InjectWebSocketOptions } from "./websocket.js";
import { InjectedUpgrade } from "./websocket-route.js";

/** The route answered the upgrade request over HTTP instead of switching protocols. */
export class UpgradeRefusedError extends Error {
  readonly statusCode: number;
  readonly response: InjectResponse;

  constructor(response: InjectResponse) {
    super(`the WebSocket upgrade was refused with ${response.statusCode}: ${response.body}`);
    this.name = "UpgradeRefusedError";
    this.statusCode = response.statusCode;
    this.response = response;
  }
}

export function injectWebSocket(
  handler: RequestHandler,
  url: string,
  options: InjectWebSocketOptions = {},
): Promise<InjectedWebSocket> {
  const { protocols, headers, ...rest } = options;
  const handshake: Record<string, string | readonly string[]> = {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-version": "13",
    "sec-websocket-key": randomBytes(16).toString("base64"),
  };
  if (protocols !== undefined && protocols.length > 0)
    handshake["sec-websocket-protocol"] = protocols.join(", ");
  return new Promise((resolve, reject) => {
    const upgrade = new InjectedUpgrade(resolve);
    injectRequest(handler, { ...rest, url, headers: { ...handshake, ...headers } }, upgrade).then(
      (response) => reject(new UpgradeRefusedError(response)),
      reject,
    );
  });
}
