// The request side of the RFC 6455 opening handshake, checked by a websocket route before its
// upgrade() runs: a real Upgrade request (426 otherwise), version 13, a 16-byte key, the Origin
// policy (403) and the subprotocol choice. Errors are HTTPExceptions, answered like any route's.
import { HTTPException } from "./errors.js";
import type { RequestView } from "./transport.js";
import type { OriginCheck, ProtocolSelection } from "./websocket.js";

const KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

/** Whether a comma-separated header value lists `token` (case-insensitive). */
function listsToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  for (const item of value.split(",")) if (item.trim().toLowerCase() === token) return true;
  return false;
}

/** Throws unless `request` is a WebSocket opening handshake its transport can hand over. */
export function checkHandshake(request: RequestView): void {
  const upgradeRequested =
    listsToken(request.header("upgrade"), "websocket") && listsToken(request.header("connection"), "upgrade");
  if (!upgradeRequested || request.upgrade === undefined) {
    const detail = upgradeRequested
      ? `this route speaks WebSocket, but its ${request.protocol} transport cannot hand the connection over`
      : "this route speaks WebSocket: send an Upgrade: websocket request";
    throw new HTTPException(426, detail, { upgrade: "websocket", connection: "Upgrade" });
  }
  // RFC 6455 section 11.3: Sec-WebSocket-Key and -Version appear once. Repeats are joined with ", "
  // in headers() on every transport, while header() may give only the first one.
  const fields = request.headers();
  for (const name of ["sec-websocket-key", "sec-websocket-version"]) {
    const value = fields[name];
    if (Array.isArray(value) || value?.includes(",")) {
      throw new HTTPException(400, `${name} must appear once`);
    }
  }
  if (request.header("sec-websocket-version") !== "13") {
    throw new HTTPException(426, "unsupported Sec-WebSocket-Version (this server speaks 13)", {
      "sec-websocket-version": "13",
    });
  }
  const key = request.header("sec-websocket-key");
  if (key === undefined || !KEY_PATTERN.test(key.trim())) {
    throw new HTTPException(400, "Sec-WebSocket-Key must be 16 bytes in base64");
  }
}

export function checkOrigin(origins: OriginCheck | undefined, origin: string | undefined): void {
  if (origins === undefined) return;
  const allowed =
    typeof origins === "function" ? origins(origin) : origin !== undefined && origins.includes(origin);
  if (!allowed) throw new HTTPException(403, `origin ${origin ?? "(none)"} is not allowed`);
}

/** The subprotocol to answer with ("" for none); a client that offers only unsupported ones gets 400. */
export function selectProtocol(selection: ProtocolSelection | undefined, header: string | undefined): string {
  if (header === undefined || selection === undefined) return "";
  const offered = header
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (offered.length === 0) return "";
  const chosen =
    typeof selection === "function"
      ? selection(offered)
      : selection.find((protocol) => offered.includes(protocol));
  if (chosen === undefined || !offered.includes(chosen)) {
    throw new HTTPException(400, `none of the offered subprotocols (${offered.join(", ")}) is supported`);
  }
  return chosen;
}
