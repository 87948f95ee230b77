// The FLUSH marker a streaming handler yields between chunks to mark a flush boundary: the
// compression plugin flushes its encoder there so the client sees the bytes now. Transports never
// see it; core's stream writer drops it.

/** Yield this from a streamed response body to ask encoders to flush what they hold. */
export const FLUSH: unique symbol = Symbol.for("fasterapi.flush");

/** What `onSend` hooks receive and may return; `null` is an empty body. */
export type ResponsePayload = string | Buffer | AsyncIterable<Buffer | string | typeof FLUSH> | null;
