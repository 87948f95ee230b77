// The sockets a node:http or node:http2 server has open, and what stats() reports about them:
// connections accepted, open now, and bytes in and out (the totals of closed sockets plus the
// open ones' live counters). @fasterapi/http2's node transport uses it too.
import type { Socket } from "node:net";

export class SocketTally {
  readonly open = new Set<Socket>();
  accepted = 0;
  private closedBytesIn = 0;
  private closedBytesOut = 0;

  /** Counts a new connection's socket until it closes. */
  add(socket: Socket): void {
    this.accepted++;
    this.open.add(socket);
    socket.once("close", () => {
      this.open.delete(socket);
      this.closedBytesIn += socket.bytesRead;
      this.closedBytesOut += socket.bytesWritten;
    });
  }

  bytes(): { bytesIn: number; bytesOut: number } {
    let bytesIn = this.closedBytesIn;
    let bytesOut = this.closedBytesOut;
    for (const socket of this.open) {
      bytesIn += socket.bytesRead;
      bytesOut += socket.bytesWritten;
    }
    return { bytesIn, bytesOut };
  }
}
