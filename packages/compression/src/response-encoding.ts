// The response side of the plugin: an onRequest hook that answers 406 when the client accepts
// nothing we can send, and an onSend hook that encodes buffered bodies in one call and streams
// chunk by chunk (flushing at FLUSH, and after every event for text/event-stream).
import { type Context, FLUSH, HTTPException, type OnSendHook, type RequestHook } from "@fasterapi/core";
import { mayRefuseIdentity, negotiateEncoding } from "./accept-encoding.js";
import type { Codec, ContentCoding } from "./codec.js";
import type { ResolvedCompressionOptions, ResponseCoding } from "./compression-options.js";
import { encodeStream } from "./encode-stream.js";
import { decideEncoding } from "./encoding-decision.js";

/** The hooks serve every route, whatever its parameter and body types. */
type AnyContext = Context<any, any, any, any, any>;

const EVENT_STREAM = /^\s*text\/event-stream\s*(?:;|$)/i;

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Adds Accept-Encoding to Vary unless it (or "*") is already there. */
function addVary(ctx: AnyContext): void {
  const current = headerText(ctx.reply.getHeader("vary"));
  if (current === undefined || current.trim() === "") {
    ctx.reply.header("vary", "Accept-Encoding");
    return;
  }
  const names = current.split(",").map((name) => name.trim().toLowerCase());
  if (names.includes("*") || names.includes("accept-encoding")) return;
  ctx.reply.header("vary", `${current}, Accept-Encoding`);
}

/** A strong ETag names the identity bytes; the encoded ones only match it weakly (as nginx does). */
function weakenEtag(ctx: AnyContext): void {
  const etag = headerText(ctx.reply.getHeader("etag"));
  if (etag?.startsWith('"')) ctx.reply.header("etag", `W/${etag}`);
}

export interface ResponseEncodingHooks {
  onRequest: RequestHook;
  onSend: OnSendHook;
}

export function responseEncodingHooks(
  codecs: ReadonlyMap<ContentCoding, Codec>,
  options: ResolvedCompressionOptions,
): ResponseEncodingHooks {
  const available: ResponseCoding[] = options.encodings.filter((coding) => codecs.has(coding));
  const policy = { available, threshold: options.threshold, filter: options.filter };

  return {
    onRequest(ctx) {
      const accept = ctx.request.header("accept-encoding");
      if (!mayRefuseIdentity(accept)) return;
      if (negotiateEncoding(accept, available) === null) {
        throw new HTTPException(
          406,
          `None of the acceptable encodings is available (have: ${available.join(", ") || "identity"})`,
        );
      }
    },

    onSend(ctx, payload) {
      if (payload === null) return undefined;
      const reply = ctx.reply;
      const buffered = typeof payload === "string" || Buffer.isBuffer(payload);
      const size = !buffered
        ? undefined
        : typeof payload === "string"
          ? Buffer.byteLength(payload)
          : payload.length;
      const contentType = headerText(reply.getHeader("content-type"));
      const decision = decideEncoding(
        {
          acceptEncoding: ctx.request.header("accept-encoding"),
          status: reply.statusCode,
          contentType,
          contentEncoding: headerText(reply.getHeader("content-encoding")),
          cacheControl: headerText(reply.getHeader("cache-control")),
          size,
        },
        policy,
      );
      if (decision.action === "skip") {
        if (decision.vary) addVary(ctx);
        return undefined;
      }
      addVary(ctx);
      weakenEtag(ctx);
      reply.header("content-encoding", decision.coding);
      reply.removeHeader("content-length");
      const codec = codecs.get(decision.coding)!;
      if (typeof payload === "string") return codec.encode(Buffer.from(payload));
      if (Buffer.isBuffer(payload)) return codec.encode(payload);
      return encodeStream(payload, () => codec.createEncoder(), {
        flushMarker: FLUSH,
        flushEveryChunk: contentType !== undefined && EVENT_STREAM.test(contentType),
      });
    },
  };
}
