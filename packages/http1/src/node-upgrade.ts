// The connection of a node:http 'upgrade' request, as the JS HTTP/1.1 transport hands it to core:
// core runs the request through its route (hooks, validation, Depends); a WebSocket provider that
// approves it takes over `socket` (with `head`, the bytes already read past the request head).
// Until then a ServerResponse is assigned to the socket, so a refusal is answered like any request.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { UpgradeHandle } from "@fasterapi/core";

export class NodeUpgrade implements UpgradeHandle {
  readonly kind = "node";
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  private readonly res: ServerResponse;

  constructor(req: IncomingMessage, socket: Duplex, head: Buffer, res: ServerResponse) {
    this.req = req;
    this.socket = socket;
    this.head = head;
    this.res = res;
  }

  /** Detaches the HTTP response from the socket: from here on its bytes are the new protocol's. */
  takeOver(): Duplex {
    this.res.detachSocket(this.req.socket);
    return this.socket;
  }
}
