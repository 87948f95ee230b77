// Turns a raw request body into a value by its Content-Type: JSON, url-encoded forms, text and
// octet-stream built in, more through `BodyParsers.add` (app.addContentTypeParser). It does not
// read the body from the transport or enforce the size limit; the pipeline does.
import { HTTPException } from "./errors.js";
import { parseQueryString } from "./query-string.js";

/** Parses one body; may return a Promise. `contentType` is the full header value (with parameters). */
export type ContentTypeParser = (raw: Buffer, contentType: string) => unknown;

/** "Application/JSON; charset=utf-8" -> "application/json". */
export function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(";");
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

export function parseJsonBody(raw: Buffer): unknown {
  const text = raw.toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    // FastAPI's shape for a JSON decode error (with the character position when known),
    // answered with 400 as our contract says.
    const message = (error as Error).message;
    const position = jsonErrorPosition(message, text.length);
    const loc = position === undefined ? ["body"] : ["body", position];
    throw new HTTPException(400, [
      { type: "json_invalid", loc, msg: "JSON decode error", ctx: { error: message } },
    ]);
  }
}

/** V8 names the position in some messages only; the end of input is the text's length. */
function jsonErrorPosition(message: string, length: number): number | undefined {
  const match = /position (\d+)/.exec(message);
  if (match !== null) return Number(match[1]);
  return message.includes("end of JSON input") ? length : undefined;
}

function isJson(media: string): boolean {
  return media === "application/json" || media.endsWith("+json");
}

/** Text charsets Node decodes natively, by their IANA names and common aliases. */
const CHARSETS: Readonly<Record<string, BufferEncoding>> = {
  "utf-8": "utf8",
  utf8: "utf8",
  "us-ascii": "latin1", // ASCII is a subset of Latin-1; "ascii" in Node strips the high bit instead
  ascii: "latin1",
  "iso-8859-1": "latin1",
  latin1: "latin1",
  "utf-16le": "utf16le",
};

/** The body's text encoding from the `charset` parameter (UTF-8 when absent); 415 for one we cannot decode. */
function textEncoding(contentType: string): BufferEncoding {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  if (match === null) return "utf8";
  const name = (match[1] as string).toLowerCase();
  if (!Object.hasOwn(CHARSETS, name)) throw new HTTPException(415, `Unsupported charset "${match[1]}"`);
  return CHARSETS[name] as BufferEncoding;
}

function parseBuiltIn(media: string, raw: Buffer, contentType: string): unknown {
  // JSON is UTF-8 by definition (RFC 8259), whatever the header claims.
  if (isJson(media)) return parseJsonBody(raw);
  if (media === "application/x-www-form-urlencoded")
    return parseQueryString(raw.toString(textEncoding(contentType)));
  if (media.startsWith("text/")) return raw.toString(textEncoding(contentType));
  if (media === "application/octet-stream") return raw;
  throw new HTTPException(415, `Unsupported media type "${contentType}"`);
}

/** The content-type parsers of one app: custom ones (exact type, then `type/*`) before the built-ins. */
export class BodyParsers {
  private readonly custom = new Map<string, ContentTypeParser>();

  /** Registers `parser` for a media type ("application/xml") or a family ("image/*"); replaces built-ins. */
  add(contentType: string, parser: ContentTypeParser): void {
    const media = mediaType(contentType);
    if (!/^[a-z0-9!#$&^_.+-]+\/(\*|[a-z0-9!#$&^_.+-]+)$/.test(media)) {
      throw new Error(`Invalid content type "${contentType}" for a body parser`);
    }
    if (this.custom.has(media)) throw new Error(`A body parser for "${media}" is already registered`);
    this.custom.set(media, parser);
  }

  has(contentType: string): boolean {
    return this.custom.has(mediaType(contentType));
  }

  /**
   * Parses `raw`. An empty body is `undefined` (the body schema then reports it missing); a body
   * without Content-Type is read as JSON, as FastAPI does. Throws HTTPException 400 for malformed
   * JSON and 415 for a type nobody parses. The result may be a Promise when a custom parser is async.
   */
  parse(contentType: string | undefined, raw: Buffer): unknown {
    if (raw.length === 0) return undefined;
    if (contentType === undefined || contentType === "") return parseJsonBody(raw);
    const media = mediaType(contentType);
    if (this.custom.size > 0) {
      const parser = this.custom.get(media) ?? this.custom.get(`${media.slice(0, media.indexOf("/"))}/*`);
      if (parser !== undefined) return parser(raw, contentType);
    }
    return parseBuiltIn(media, raw, contentType);
  }
}

const builtInOnly = new BodyParsers();

/** Parses with the built-in parsers only (see `BodyParsers.parse`). */
export function parseBody(contentType: string | undefined, raw: Buffer): unknown {
  return builtInOnly.parse(contentType, raw);
}
