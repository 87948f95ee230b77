// The server side of the native opening handshake: the Sec-WebSocket-Accept value, the
// permessage-deflate negotiation (RFC 7692 section 7) and the hand-off blob that tells the C++
// module what was agreed. The route checks (method, version, key format, origin, subprotocol)
// happen before, in core; this only turns an approved request into the 101's headers.
import { createHash } from "node:crypto";
import {
  HANDOFF_CLIENT_NO_CONTEXT_TAKEOVER,
  HANDOFF_DEFLATE,
  HANDOFF_SERVER_NO_CONTEXT_TAKEOVER,
  HANDOFF_SIZE,
  HANDOFF_VERSION,
} from "./abi-constants.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** "shared": no server window kept between messages and the client told to keep none (small memory per socket); "dedicated": windows kept where the client allows. */
export type DeflateMode = "disabled" | "shared" | "dedicated";

export interface DeflateAgreement {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** The window the server compresses with (15 unless the client asked for less). */
  serverMaxWindowBits: number;
  /** The Sec-WebSocket-Extensions value of the 101. */
  response: string;
}

export function acceptKey(key: string): string {
  return createHash("sha1")
    .update(key.trim() + GUID)
    .digest("base64");
}

function windowBits(value: string | undefined): number | undefined {
  if (value === undefined || !/^(?:[89]|1[0-5])$/.test(value)) return undefined;
  return Number(value);
}

/** One offer's parameters, or undefined when the offer must be declined (unknown, repeated or bad parameter). */
function readOffer(params: string[]): Map<string, string | undefined> | undefined {
  const seen = new Map<string, string | undefined>();
  for (const param of params) {
    const eq = param.indexOf("=");
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    const value =
      eq < 0
        ? undefined
        : param
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, "$1");
    if (seen.has(name)) return undefined;
    seen.set(name, value);
  }
  for (const [name, value] of seen) {
    if (name === "server_no_context_takeover" || name === "client_no_context_takeover") {
      if (value !== undefined) return undefined;
    } else if (name === "server_max_window_bits") {
      if (windowBits(value) === undefined) return undefined;
    } else if (name === "client_max_window_bits") {
      if (value !== undefined && windowBits(value) === undefined) return undefined;
    } else {
      return undefined;
    }
  }
  return seen;
}

/** Accepts the first permessage-deflate offer of `header` this server can honour, or none. */
export function negotiateDeflate(
  header: string | undefined,
  mode: DeflateMode,
): DeflateAgreement | undefined {
  if (header === undefined || mode === "disabled") return undefined;
  for (const offer of header.split(",")) {
    const [name, ...params] = offer.split(";");
    if (name?.trim().toLowerCase() !== "permessage-deflate") continue;
    const seen = readOffer(params);
    if (seen === undefined) continue;
    // A server may add both no_context_takeover parameters unasked (RFC 7692 7.1.1.1, 7.1.1.2).
    const serverNoContextTakeover = mode === "shared" || seen.has("server_no_context_takeover");
    const clientNoContextTakeover = mode === "shared" || seen.has("client_no_context_takeover");
    const serverMaxWindowBits = windowBits(seen.get("server_max_window_bits")) ?? 15;
    let response = "permessage-deflate";
    if (serverNoContextTakeover) response += "; server_no_context_takeover";
    if (clientNoContextTakeover) response += "; client_no_context_takeover";
    if (seen.has("server_max_window_bits")) response += `; server_max_window_bits=${serverMaxWindowBits}`;
    return { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, response };
  }
  return undefined;
}

/** The blob @fasterapi/ws-native's module reads at the hand-over (src/handoff.h). */
export function handoffBlob(token: number, deflate: DeflateAgreement | undefined): Buffer {
  const blob = Buffer.alloc(HANDOFF_SIZE);
  blob[0] = HANDOFF_VERSION;
  blob.writeUInt32LE(token >>> 0, 1);
  if (deflate !== undefined) {
    blob[5] =
      HANDOFF_DEFLATE |
      (deflate.serverNoContextTakeover ? HANDOFF_SERVER_NO_CONTEXT_TAKEOVER : 0) |
      (deflate.clientNoContextTakeover ? HANDOFF_CLIENT_NO_CONTEXT_TAKEOVER : 0);
    blob[6] = deflate.serverMaxWindowBits;
  }
  return blob;
}
