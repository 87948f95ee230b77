// The client side of the core behaviour suite: what a case asks of a real HTTP client, whatever
// protocol it speaks. Each transport's tests implement it with a client nobody here wrote
// (node:http, node:http2, gtlsclient) and say in `capabilities` what that client cannot do.

export interface SuiteRequest {
  /** Default "GET". */
  method?: string;
  /** Path and query, e.g. "/items/7?limit=3". */
  path: string;
  /** Only sent by clients with `capabilities.requestHeaders`. */
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface SuiteResponse {
  status: number;
  /** Lower-case names, repeated values joined with ", "; no pseudo-headers. */
  headers: Record<string, string>;
  /** The body as it came off the wire: still content-encoded unless the client decodes ("own"). */
  body: Buffer;
}

/** How a client reads one response body. */
export interface ReadControl {
  /** Called with body bytes as they arrive, before the response is complete. */
  onData?: (chunk: Buffer) => void;
  /**
   * Stop reading for `ms` once the response head arrived, call `beforeResume`, then read on
   * (needs `pauseReading`).
   */
  pause?: { ms: number; beforeResume: () => void };
}

export interface ClientCapabilities {
  /** Sends request headers of the test's choosing (Content-Type, custom ones). */
  requestHeaders: boolean;
  /**
   * Response content codings: "chosen": the test's Accept-Encoding is sent and bodies stay encoded
   * (plain HTTP clients); "own": the client sends its own Accept-Encoding and decodes (browsers);
   * "none": no Accept-Encoding at all.
   */
  contentCoding: "chosen" | "own" | "none";
  /** Can stop reading a response, so that flow control and backpressure reach the server. */
  pauseReading: boolean;
  /**
   * `onOneConnection` sends its requests one after another; false: all at once as concurrent
   * streams, and they must then share method and body.
   */
  sequential: boolean;
}

export interface SuiteClient {
  readonly capabilities: ClientCapabilities;
  /** One request on a connection of its own. */
  request(port: number, request: SuiteRequest, control?: ReadControl): Promise<SuiteResponse>;
  /** Several requests on one connection, answers in request order. */
  onOneConnection(port: number, requests: SuiteRequest[]): Promise<SuiteResponse[]>;
}
