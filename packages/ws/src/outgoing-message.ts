// Turns what users pass to send/publish (string, Buffer, ArrayBuffer, typed array) into one
// OutgoingMessage: strings are text frames, bytes binary frames, unless `binary` says otherwise.
import type { SendOptions, WebSocketMessage } from "@fasterapi/core";
import type { OutgoingMessage } from "./backend.js";

function bytesOf(message: WebSocketMessage): Buffer {
  if (Buffer.isBuffer(message)) return message;
  if (message instanceof ArrayBuffer) return Buffer.from(message);
  if (ArrayBuffer.isView(message)) return Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  throw new TypeError("a WebSocket message must be a string, a Buffer, an ArrayBuffer or a typed array");
}

export function toOutgoing(message: WebSocketMessage, options: SendOptions | undefined): OutgoingMessage {
  const isText = typeof message === "string";
  return {
    payload: isText ? message : bytesOf(message),
    isBinary: options?.binary ?? !isText,
    compress: options?.compress ?? true,
  };
}

/** The payload as bytes (for the pub/sub adapter and byte counts). */
export function payloadBytes(message: OutgoingMessage): Buffer {
  return typeof message.payload === "string" ? Buffer.from(message.payload) : message.payload;
}

export function payloadLength(message: OutgoingMessage): number {
  return typeof message.payload === "string" ? Buffer.byteLength(message.payload) : message.payload.length;
}
