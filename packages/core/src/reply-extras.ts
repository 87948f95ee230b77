// What a reply can send besides its final answer, through the transport's optional sink methods:
// 103 Early Hints, HTTP/2 server push, and response trailers (collected here, sent when the body
// ends). A transport that lacks a method gets a debug log line instead of an error, so one
// handler works on every protocol. It does not write the final answer.
import { assertValidHeader } from "./header-validation.js";
import type { Logger } from "./logger.js";
import type { HeaderPairs, ResponseSink } from "./transport.js";

/** Header values as `reply.header` takes them. */
export type ExtraHeaderValue = string | number | readonly string[];

/** What a reply needs from its request to reach the transport (the request context). */
export interface ReplyOwner {
  readonly sink: ResponseSink;
  readonly log: Logger;
}

/**
 * Fields a trailer must not carry (RFC 9110 6.5.1): framing, routing, authentication, controls
 * and the content's own metadata are all needed before the body is read.
 */
const FORBIDDEN_TRAILERS = new Set([
  "content-length",
  "content-type",
  "content-encoding",
  "content-range",
  "transfer-encoding",
  "host",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "upgrade",
  "authorization",
  "set-cookie",
  "cache-control",
  "expect",
  "max-forwards",
  "pragma",
  "range",
]);

/** Lower-cased, validated pairs of `fields`, for a 103 or a push promise. */
export function toHeaderPairs(fields: Record<string, ExtraHeaderValue>): HeaderPairs {
  const pairs: HeaderPairs = [];
  for (const rawName in fields) {
    const name = rawName.toLowerCase();
    const value = fields[rawName] as ExtraHeaderValue;
    const text = typeof value === "number" ? String(value) : value;
    assertValidHeader(name, text);
    if (typeof text === "string") pairs.push(name, text);
    else for (const item of text) pairs.push(name, item);
  }
  return pairs;
}

/** Appends one trailer field to `trailers` (a new list when null) and returns the list. */
export function addTrailer(trailers: HeaderPairs | null, name: string, value: string | number): HeaderPairs {
  const key = name.toLowerCase();
  const text = String(value);
  assertValidHeader(key, text);
  if (FORBIDDEN_TRAILERS.has(key) || key.charCodeAt(0) === 58 /* ":" */) {
    throw new TypeError(`"${key}" may not be sent as a trailer field (RFC 9110 6.5.1)`);
  }
  const list = trailers ?? [];
  list.push(key, text);
  return list;
}

/** Sends 103 Early Hints when the transport can; says so at debug level when it cannot. */
export function sendEarlyHints(owner: ReplyOwner, fields: Record<string, ExtraHeaderValue>): void {
  const pairs = toHeaderPairs(fields);
  // RFC 8297's hints are Link fields; node's writers drop a 103 without one, so every path requires it.
  if (!pairs.some((item, i) => i % 2 === 0 && item === "link"))
    throw new TypeError("reply.earlyHints() needs a Link field");
  const sink = owner.sink;
  if (sink.earlyHints === undefined) {
    owner.log.debug("103 Early Hints skipped: the transport does not send informational answers");
    return;
  }
  if (!sink.aborted) sink.earlyHints(pairs);
}

/** Pushes `path`; false (with a debug log) where the transport or the client takes no pushes. */
export function pushResource(
  owner: ReplyOwner,
  path: string,
  fields: Record<string, ExtraHeaderValue>,
): boolean {
  if (typeof path !== "string" || path.charCodeAt(0) !== 47 /* "/" */) {
    throw new TypeError(
      `reply.push() needs an origin-form path starting with "/", got ${JSON.stringify(path)}`,
    );
  }
  const sink = owner.sink;
  const pushed = sink.push !== undefined && !sink.aborted && sink.push(path, toHeaderPairs(fields));
  if (!pushed) owner.log.debug({ path }, "server push skipped: not supported by this transport or client");
  return pushed;
}
