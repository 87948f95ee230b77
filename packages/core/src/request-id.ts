// Request ids for correlating logs across services: the incoming x-request-id when it is a sane
// token (a proxy or the client set it), else a fresh UUID; ctx.id, ctx.log and the request log line
// use it, and the response carries it back in the same header. Without this plugin ctx.id falls
// back to the header or a per-app sequence number and nothing is added to responses.
import { randomUUID } from "node:crypto";
import { definePlugin, type Plugin } from "./plugin.js";

export interface RequestIdOptions {
  /** Header read from the request and set on the response. Default "x-request-id". */
  header?: string;
  /** Use the incoming header's value when valid. Default true; false behind untrusted clients. */
  trustIncoming?: boolean;
  /** Makes a new id. Default crypto.randomUUID. */
  generate?: () => string;
}

/** Visible ASCII only, bounded: an id goes into logs and a response header as is. */
const SAFE_ID = /^[\x21-\x7e]{1,128}$/;

export function requestId(options: RequestIdOptions = {}): Plugin<undefined> {
  const header = (options.header ?? "x-request-id").toLowerCase();
  const trustIncoming = options.trustIncoming !== false;
  const generate = options.generate ?? randomUUID;
  if (typeof generate !== "function") throw new TypeError("requestId({ generate }) must be a function");
  return definePlugin(
    (app) => {
      app.addHook("onRequest", (ctx) => {
        const incoming = trustIncoming ? ctx.request.header(header) : undefined;
        ctx.id = incoming !== undefined && SAFE_ID.test(incoming) ? incoming : generate();
      });
      // onSend, not onRequest: error answers start from a fresh reply and would drop the header.
      app.addHook("onSend", (ctx) => {
        ctx.reply.header(header, ctx.id);
      });
    },
    { name: "@fasterapi/core/request-id", global: true },
  );
}
