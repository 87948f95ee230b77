// The response under construction for one request (`ctx.reply`): status, headers, content type,
// and an early answer set by `send()` from a hook. It writes nothing itself; the pipeline turns it
// into the transport's send/stream call once the handler and hooks are done.
import { assertValidHeader } from "./header-validation.js";
import {
  addTrailer,
  type ExtraHeaderValue,
  pushResource,
  type ReplyOwner,
  sendEarlyHints,
} from "./reply-extras.js";
import type { HeaderPairs } from "./transport.js";

export type HeaderValue = string | number | readonly string[];

export class Reply {
  statusCode: number;
  /** @internal */ contentType: string | undefined;
  /** @internal */ extraHeaders: Record<string, string | string[]> | null;
  /** @internal */ answered: boolean;
  /** @internal */ value: unknown;
  /** @internal Trailer fields for the end of the body, in the order they were set. */ trailerFields: HeaderPairs | null;
  /** @internal The request this reply answers (absent on a detached Reply). */ owner: ReplyOwner | undefined;

  constructor(statusCode = 200, owner?: ReplyOwner) {
    this.statusCode = statusCode;
    this.owner = owner;
    this.trailerFields = null;
    this.contentType = undefined;
    this.extraHeaders = null;
    this.answered = false;
    this.value = undefined;
  }

  status(code: number): this {
    if (!Number.isInteger(code) || code < 100 || code > 599) {
      throw new RangeError(`Invalid status code ${String(code)}: expected an integer from 100 to 599`);
    }
    this.statusCode = code;
    return this;
  }

  /** Sets a header (lower-cased). set-cookie accumulates; other names replace. */
  header(name: string, value: HeaderValue): this {
    const key = name.toLowerCase();
    const text = typeof value === "number" ? String(value) : value;
    assertValidHeader(key, text);
    if (key === "content-type") {
      this.contentType = String(text);
      return this;
    }
    if (this.extraHeaders === null) this.extraHeaders = {};
    const headers = this.extraHeaders;
    if (key === "set-cookie") {
      const existing = headers[key];
      const added = typeof text === "string" ? [text] : [...text];
      headers[key] = existing === undefined ? added : [...(existing as string[]), ...added];
    } else {
      headers[key] = typeof text === "string" ? text : [...text];
    }
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    const key = name.toLowerCase();
    if (key === "content-type") return this.contentType;
    return this.extraHeaders?.[key];
  }

  hasHeader(name: string): boolean {
    return this.getHeader(name) !== undefined;
  }

  removeHeader(name: string): this {
    const key = name.toLowerCase();
    if (key === "content-type") this.contentType = undefined;
    else if (this.extraHeaders !== null) delete this.extraHeaders[key];
    return this;
  }

  /** Sets the content type; the body is still produced from the returned value. */
  type(contentType: string): this {
    this.contentType = contentType;
    return this;
  }

  /** A copy of the headers set so far (content-length is added when the response is written). */
  headers(): Record<string, string | string[]> {
    const copy: Record<string, string | string[]> = { ...this.extraHeaders };
    if (this.contentType !== undefined) copy["content-type"] = this.contentType;
    return copy;
  }

  /**
   * Sends 103 Early Hints now (RFC 8297), e.g. `{ link: "</app.css>; rel=preload; as=style" }`,
   * ahead of the final answer. Skipped, with a debug log, where the transport sends no 1xx.
   */
  earlyHints(fields: Record<string, ExtraHeaderValue>): this {
    if (this.owner !== undefined) sendEarlyHints(this.owner, fields);
    return this;
  }

  /**
   * HTTP/2 server push: promises a GET of `path` (with these request headers) that the app's own
   * route for it answers. Returns false, with a debug log, where the transport or the client takes
   * no pushes (HTTP/1.1, a client that disabled push). Browsers ignore pushes.
   */
  push(path: string, fields: Record<string, ExtraHeaderValue> = {}): boolean {
    return this.owner !== undefined && pushResource(this.owner, path, fields);
  }

  /**
   * Adds a trailer field sent after the body (chunked HTTP/1.1, HTTP/2 trailing HEADERS). A
   * streamed body may add trailers until it ends, e.g. a checksum of what it produced.
   */
  trailer(name: string, value: string | number): this {
    this.trailerFields = addTrailer(this.trailerFields, name, value);
    return this;
  }

  /** Answers with a redirect and an empty body. */
  redirect(url: string, code = 302): this {
    this.status(code);
    this.header("location", url);
    return this.send(undefined);
  }

  /**
   * Answers with `value` (serialized like a handler's return value). From a hook, the rest of the
   * chain up to the handler is skipped; from a handler, return `ctx.reply` or nothing.
   */
  send(value?: unknown): this {
    this.answered = true;
    this.value = value;
    return this;
  }

  /** @internal Back to a fresh state before an error answer replaces whatever was set (status 200). */
  reset(): void {
    this.statusCode = 200;
    this.contentType = undefined;
    this.extraHeaders = null;
    this.answered = false;
    this.value = undefined;
    this.trailerFields = null;
  }
}
