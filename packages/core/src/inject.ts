// app.inject(): a request answered entirely in memory through the same handler the transports
// call (no socket): an in-memory RequestView and ResponseSink pair. For tests and for tools. Like
// a transport it adds Content-Type and Content-Length and drops a HEAD answer's body; it does not
// emulate connection-level behaviour (keep-alive, chunk framing, 100-continue).
import {
  BodyLimitError,
  type HeaderPairs,
  type RequestHandler,
  type RequestView,
  type ResponseSink,
  type ResponseStream,
} from "./transport.js";

export interface InjectOptions {
  method?: string;
  /** Path with an optional query string. */
  url: string;
  /** Appended to the URL's query string. */
  query?: Record<string, string | number | boolean | readonly (string | number | boolean)[]>;
  headers?: Record<string, string | readonly string[]>;
  /** Objects are sent as JSON (content-type application/json unless set). */
  body?: unknown;
  remoteAddress?: string;
}

export interface InjectResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: string;
  rawBody: Buffer;
  /** Trailer fields sent after the body (`reply.trailer`); empty when there were none. */
  trailers: Record<string, string | string[]>;
  json<T = unknown>(): T;
}

function encodeBody(body: unknown, headers: Record<string, string | string[]>): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === "string") return Buffer.from(body);
  headers["content-type"] ??= "application/json";
  return Buffer.from(JSON.stringify(body));
}

function withQuery(url: string, query: InjectOptions["query"]): string {
  if (query === undefined) return url;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  if (text === "") return url;
  return `${url}${url.includes("?") ? "&" : "?"}${text}`;
}

class InjectedRequest implements RequestView {
  readonly method: string;
  readonly url: string;
  readonly protocol = "inject";
  readonly remoteAddress: string;
  readonly hasBody: boolean;
  private readonly headerMap: Record<string, string | string[]>;
  private readonly payload: Buffer;

  constructor(options: InjectOptions) {
    this.method = (options.method ?? "GET").toUpperCase();
    this.url = withQuery(options.url, options.query);
    this.remoteAddress = options.remoteAddress ?? "127.0.0.1";
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      headers[name.toLowerCase()] = typeof value === "string" ? value : [...value];
    }
    this.payload = encodeBody(options.body, headers);
    this.hasBody = this.payload.length > 0;
    if (this.payload.length > 0) headers["content-length"] ??= String(this.payload.length);
    this.headerMap = headers;
  }

  header(name: string): string | undefined {
    const value = this.headerMap[name];
    return Array.isArray(value) ? value[0] : value;
  }

  headers(): Record<string, string | string[]> {
    const copy: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(this.headerMap)) {
      copy[name] = Array.isArray(value) && name !== "set-cookie" ? value.join(", ") : value;
    }
    return copy;
  }

  body(limit: number): Promise<Buffer> {
    if (this.payload.length > limit) return Promise.reject(new BodyLimitError(limit));
    return Promise.resolve(this.payload);
  }

  async *bodyStream(limit: number): AsyncIterable<Buffer> {
    if (this.payload.length > limit) throw new BodyLimitError(limit);
    if (this.payload.length > 0) yield this.payload;
  }

  onAbort(_callback: () => void): void {
    // An injected request has no client that could go away.
  }
}

function headerRecord(pairs: HeaderPairs): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = pairs[i] as string;
    const value = pairs[i + 1] as string;
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return headers;
}

/** What a transport adds to the reply's headers: the named content type, and the length it frames. */
function responseHeaders(
  pairs: HeaderPairs,
  contentType: string | undefined,
  contentLength: number | undefined,
): Record<string, string | string[]> {
  const headers = headerRecord(pairs);
  if (contentType !== undefined) headers["content-type"] = contentType;
  if (contentLength !== undefined) headers["content-length"] ??= String(contentLength);
  return headers;
}

/** 1xx, 204 and 304 carry no content and no Content-Length. */
function statusHasBody(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

function makeResponse(
  statusCode: number,
  headers: Record<string, string | string[]>,
  rawBody: Buffer,
  trailers: HeaderPairs = [],
): InjectResponse {
  const body = rawBody.toString("utf8");
  return {
    statusCode,
    headers,
    body,
    rawBody,
    trailers: headerRecord(trailers),
    json<T>() {
      return JSON.parse(body) as T;
    },
  };
}

/** Sends one in-memory request through `handler` and resolves with the complete response. */
export function injectRequest(handler: RequestHandler, options: InjectOptions): Promise<InjectResponse> {
  return new Promise((resolve, reject) => {
    const request = new InjectedRequest(options);
    let answered = false;
    const once = () => {
      if (answered) throw new Error("the pipeline answered one request twice");
      answered = true;
    };
    const sink: ResponseSink = {
      aborted: false,
      send(status, headers, body, contentType) {
        once();
        const raw = body === null ? Buffer.alloc(0) : typeof body === "string" ? Buffer.from(body) : body;
        // As on the wire: HEAD announces the length GET would have (none for a body-less stream answer).
        const head = request.method === "HEAD";
        const framed = statusHasBody(status) && (body !== null || !head) ? raw.length : undefined;
        const all = responseHeaders(headers, contentType, framed);
        resolve(makeResponse(status, all, head ? Buffer.alloc(0) : raw));
      },
      stream(status, headers, contentType): ResponseStream {
        once();
        const chunks: Buffer[] = [];
        return {
          write(chunk) {
            chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
            return Promise.resolve();
          },
          end(trailers) {
            const all = responseHeaders(headers, contentType, undefined);
            resolve(makeResponse(status, all, Buffer.concat(chunks), trailers));
          },
        };
      },
    };
    try {
      handler(request, sink);
    } catch (error) {
      reject(error);
    }
  });
}
