// Closes a connection whose client may still be sending a request body we refused (413), the way
// nginx's lingering_close does: send FIN after the response, keep reading and discarding for a
// bounded time, then close. Closing at once with unread bytes makes the kernel send RST, and a
// client that gets RST may lose the response it had not read yet. It does not decide when to close.
import type { Socket } from "node:net";

/** Upper bound on how long a refused client may keep the connection busy after the response. */
const LINGER_MS = 5_000;

/**
 * Replaces node's close-after-response (`socket.destroySoon`, called by node:http when a
 * `Connection: close` response finished) on this one socket with a lingering close.
 */
export function lingerOnClose(socket: Socket): void {
  socket.destroySoon = function lingeringClose(this: Socket): void {
    this.end();
    // The client's FIN means it has stopped sending: nothing is left to discard.
    this.once("end", () => this.destroy());
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    this.once("close", () => clearTimeout(timer));
    this.resume();
  };
}
