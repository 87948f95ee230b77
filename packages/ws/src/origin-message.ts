// How a pub/sub adapter frames a message for the other processes: the origin adapter's random id,
// one flag byte (1 = binary), then the payload. The origin lets the publishing process, which
// delivered locally already, skip its own message when the transport echoes it back.
import { randomBytes } from "node:crypto";

const ORIGIN_BYTES = 8;
const HEADER_BYTES = ORIGIN_BYTES + 1;

export interface OriginMessage {
  payload: Buffer;
  isBinary: boolean;
}

/** A fresh origin id, one per adapter. */
export function newOrigin(): Buffer {
  return randomBytes(ORIGIN_BYTES);
}

export function encodeOriginMessage(origin: Buffer, payload: Buffer, isBinary: boolean): Buffer {
  const message = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  origin.copy(message);
  message[ORIGIN_BYTES] = isBinary ? 1 : 0;
  payload.copy(message, HEADER_BYTES);
  return message;
}

/** The message, or undefined when it is too short or `origin` sent it. */
export function decodeOriginMessage(origin: Buffer, message: Buffer): OriginMessage | undefined {
  if (message.length < HEADER_BYTES || message.subarray(0, ORIGIN_BYTES).equals(origin)) return undefined;
  return { payload: message.subarray(HEADER_BYTES), isBinary: message[ORIGIN_BYTES] === 1 };
}
