// CancelRequest: asks the server, over a new socket, to interrupt whatever the backend identified by
// (processId, secretKey) is executing right now. The server answers nothing and closes the socket; the
// effect shows up on the original connection as ErrorResponse 57014. It never throws: cancelling is best effort.
import { MessageWriter } from "@fasterapi/pg-codec";
import type { ConnectionConfig } from "./config.js";
import { openSocket } from "./handshake.js";

/** Sends the CancelRequest and resolves once the server has closed the cancel socket (or it failed). */
export function sendCancelRequest(
  config: ConnectionConfig,
  processId: number,
  secretKey: number,
): Promise<void> {
  return new Promise((resolve) => {
    const socket = openSocket(config);
    const timer = setTimeout(() => socket.destroy(), config.connectTimeoutMs);
    socket.on("error", () => undefined);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("connect", () => {
      socket.end(new MessageWriter({ initialSize: 16 }).cancelRequest(processId, secretKey).take());
    });
    // Drain anything unexpected so the socket can close.
    socket.resume();
  });
}
