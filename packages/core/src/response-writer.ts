// Turns a handler's value into a payload (JSON through the route's compiled serializer, text,
// bytes or a stream) and hands it to the transport: one `send` with the content type and the
// reply's header pairs, or a `stream` that awaits each write for backpressure and skips FLUSH
// markers. No hooks run here, and no framing: Content-Length is the transport's.
import type { Context } from "./context.js";
import { FLUSH, type ResponsePayload } from "./flush.js";
import type { Reply } from "./reply.js";
import type { Serializer } from "./serializer.js";
import type { HeaderPairs } from "./transport.js";

export const JSON_TYPE = "application/json; charset=utf-8";
const TEXT_TYPE = "text/plain; charset=utf-8";
const BINARY_TYPE = "application/octet-stream";

type StreamBody = AsyncIterable<Buffer | string | typeof FLUSH>;

export function isStreamBody(value: unknown): value is StreamBody {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as Partial<StreamBody>)[Symbol.asyncIterator] === "function"
  );
}

/** Whether `value` is serialized as JSON (the values preSerialization hooks see). */
export function isJsonValue(value: unknown): boolean {
  return (
    value !== undefined && typeof value !== "string" && !(value instanceof Uint8Array) && !isStreamBody(value)
  );
}

/** The payload for `value`; sets the default content type on `reply` unless one was chosen. */
export function toPayload(value: unknown, reply: Reply, serializer: Serializer | undefined): ResponsePayload {
  if (value === undefined) return null;
  if (typeof value === "string") {
    reply.contentType ??= TEXT_TYPE;
    return value;
  }
  if (value instanceof Uint8Array) {
    reply.contentType ??= BINARY_TYPE;
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  if (isStreamBody(value)) {
    reply.contentType ??= BINARY_TYPE;
    return value;
  }
  reply.contentType ??= JSON_TYPE;
  return serializer === undefined ? JSON.stringify(value) : serializer(value);
}

/** 1xx, 204 and 304 carry no body. */
function forbidsBody(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

// Frozen: a transport that tried to add to it would throw instead of corrupting every later answer.
const NO_HEADERS = Object.freeze([]) as unknown as HeaderPairs;

/** The reply's own headers as pairs; content type and length are passed to the sink separately. */
function headerPairs(reply: Reply): HeaderPairs {
  const extra = reply.extraHeaders;
  // The usual answer has none and allocates no list.
  if (extra === null) return NO_HEADERS;
  const pairs: HeaderPairs = [];
  for (const name in extra) {
    const value = extra[name] as string | string[];
    if (typeof value === "string") pairs.push(name, value);
    else for (const item of value) pairs.push(name, item);
  }
  return pairs;
}

/**
 * Writes the response. Returns a promise only for streamed bodies (resolves once the stream ended;
 * rejects when the body's iterator throws, after ending the stream).
 */
export function writeResponse(
  ctx: Context<unknown, unknown, unknown, unknown, unknown>,
  payload: ResponsePayload,
): Promise<void> | undefined {
  const reply = ctx.reply;
  const status = reply.statusCode;
  const sink = ctx.sink;
  // Trailers follow a body, so a whole body with trailers goes out as a one-chunk stream.
  if (reply.trailerFields !== null && payload !== null && !forbidsBody(status) && ctx.method !== "HEAD") {
    if (typeof payload === "string" || Buffer.isBuffer(payload)) return pipeBody(ctx, oneChunk(payload));
  }
  if (payload === null || typeof payload === "string" || Buffer.isBuffer(payload)) {
    // HEAD passes the body too: the transport announces its length and drops the bytes.
    sink.send(status, headerPairs(reply), forbidsBody(status) ? null : payload, reply.contentType);
    return undefined;
  }
  if (forbidsBody(status) || ctx.method === "HEAD") {
    sink.send(status, headerPairs(reply), null, reply.contentType);
    closeBody(payload);
    return undefined;
  }
  return pipeBody(ctx, payload);
}

/**
 * Pulls the first chunk before the status line goes out, so a generator can still set headers and
 * an error before the first chunk still gets a proper error answer (`ctx.responded` is cleared).
 */
async function pipeBody(
  ctx: Context<unknown, unknown, unknown, unknown, unknown>,
  body: StreamBody,
): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();
  let next: IteratorResult<Buffer | string | typeof FLUSH>;
  try {
    next = await iterator.next();
  } catch (error) {
    ctx.responded = false;
    throw error;
  }
  const sink = ctx.sink;
  const reply = ctx.reply;
  const stream = sink.stream(reply.statusCode, headerPairs(reply), reply.contentType);
  try {
    for (; next.done !== true; next = await iterator.next()) {
      const chunk = next.value;
      if (chunk === FLUSH) continue;
      if (sink.aborted) {
        await iterator.return?.();
        break;
      }
      await stream.write(typeof chunk === "string" || Buffer.isBuffer(chunk) ? chunk : toBuffer(chunk));
    }
  } finally {
    const trailers = reply.trailerFields;
    if (trailers === null) stream.end();
    else stream.end(trailers);
  }
}

async function* oneChunk(body: string | Buffer): AsyncIterable<string | Buffer> {
  yield body;
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Lets a body that will not be read release what it holds (a Readable's file handle, a generator's finally). */
function closeBody(body: StreamBody): void {
  const destroy = (body as { destroy?: () => void }).destroy;
  if (typeof destroy === "function") {
    destroy.call(body);
    return;
  }
  const iterator = body[Symbol.asyncIterator]();
  void iterator.return?.()?.catch(() => undefined);
}
