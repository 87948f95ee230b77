// The HTTP/2 transport on node:http2: h2c with prior knowledge, or h2 over TLS where ALPN may also
// pick HTTP/1.1 (allowHTTP1), whose requests reach the same handler through @fasterapi/http1's
// node:http adapters. Streams use node's core API (no compat objects). It closes gracefully with
// GOAWAY, counts client and server resets per session (rapid reset / MadeYouReset), times out
// unacknowledged SETTINGS, and reports connections, requests and bytes.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  constants,
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
  type Settings,
} from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import type { RequestHandler, Transport, TransportAddress, TransportStats } from "@fasterapi/core";
import { NodeRequestView, NodeResponseSink, SocketTally } from "@fasterapi/http1";
import type { ResolvedHttp2Options } from "./http2-options.js";
import { H2RequestView } from "./node-h2-request-view.js";
import { H2ResponseSink, type PushTarget } from "./node-h2-response-sink.js";
import { ResetBudget } from "./reset-budget.js";

/** The SETTINGS the server advertises, from the resolved options. */
function serverSettings(options: ResolvedHttp2Options): Settings {
  return {
    maxConcurrentStreams: options.maxConcurrentStreams,
    initialWindowSize: options.initialWindowSize,
    maxFrameSize: options.maxFrameSize,
    maxHeaderListSize: options.maxHeaderListSize,
    headerTableSize: options.headerTableSize,
    // A server never receives pushes (RFC 9113 8.4).
    enablePush: false,
  };
}

/**
 * GOAWAY with `code`, then the connection is cut. Not synchronously: node announces new streams on
 * a later tick, and a stream destroyed before its 'stream' event has no error listener yet, so its
 * error would reach the process. After GOAWAY nghttp2 opens no further streams.
 */
function endSession(session: ServerHttp2Session, code: number): void {
  if (session.destroyed) return;
  session.goaway(code);
  setImmediate(() => session.destroy());
}

export class NodeHttp2Transport implements Transport, PushTarget {
  readonly name = "http2";
  readonly options: ResolvedHttp2Options;
  /** Read by the HTTP/1.1 sinks: once set, their answers close the connection. */
  closing = false;
  private server: Http2Server | Http2SecureServer | undefined;
  private handler: RequestHandler | undefined;
  private readonly sessions = new Set<ServerHttp2Session>();
  private readonly sockets = new SocketTally();
  /** HTTP/1.1 requests in flight per socket, so close() can drop idle HTTP/1.1 keep-alive sockets. */
  private readonly http1InFlight = new Map<Socket, number>();
  private requests = 0;
  private http1Requests = 0;
  private pushes = 0;
  private resetFloods = 0;
  private settingsTimeouts = 0;
  private handlerErrors = 0;
  private closed: Promise<void> | undefined;

  constructor(options: ResolvedHttp2Options) {
    this.options = options;
  }

  listen(handler: RequestHandler): Promise<TransportAddress> {
    if (this.server !== undefined) return Promise.reject(new Error("http2: listen() was already called"));
    this.handler = handler;
    const options = this.options;
    const common = {
      settings: serverSettings(options),
      maxSessionMemory: options.maxSessionMemoryMiB,
      maxHeaderListPairs: options.maxHeaderFields,
    };
    const server =
      options.tls === undefined
        ? createServer(common)
        : createSecureServer({
            ...common,
            key: options.tls.key,
            cert: options.tls.cert,
            allowHTTP1: options.allowHTTP1,
          });
    if (options.allowHTTP1) {
      // A 'request' listener makes node add its compat 'stream' listener for h2 too; h2 streams
      // stay on the core API below, so that one is removed again. HTTP/1.1 arrives as 'request'.
      server.on("request", this.onHttp1Request);
      server.removeAllListeners("stream");
      // With this listener node leaves 100 Continue to the request view (sent when the body is read).
      server.on("checkContinue", this.onHttp1Continue);
    }
    server.on("stream", this.onStream);
    server.on("session", this.onSession);
    server.on("connection", this.onConnection);
    this.server = server;
    const scheme = options.tls === undefined ? "h2c" : "https";
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => {
        this.server = undefined;
        reject(error);
      };
      server.once("error", onError);
      server.listen(options.port, options.host, () => {
        server.off("error", onError);
        server.on("error", () => undefined);
        const address = server.address() as AddressInfo;
        resolve({ host: address.address, port: address.port, scheme });
      });
    });
  }

  close(graceMs: number): Promise<void> {
    if (this.closed !== undefined) return this.closed;
    const server = this.server;
    if (server === undefined) return Promise.resolve();
    this.closing = true;
    this.closed = new Promise((resolve) => {
      const grace = setTimeout(() => {
        for (const session of this.sessions) session.destroy();
        for (const socket of this.sockets.open) socket.destroy();
      }, graceMs);
      server.close(() => {
        clearTimeout(grace);
        resolve();
      });
      // GOAWAY with the last stream id: in-flight streams finish, newer ones are refused, and
      // node closes each session once its streams are done.
      for (const session of this.sessions) session.close();
      for (const [socket, inFlight] of this.http1InFlight) if (inFlight === 0) socket.destroy();
    });
    return this.closed;
  }

  stats(): TransportStats {
    const { bytesIn, bytesOut } = this.sockets.bytes();
    return {
      connections: this.sockets.accepted,
      activeConnections: this.sockets.open.size,
      requests: this.requests,
      bytesIn,
      bytesOut,
      sessions: this.sessions.size,
      http1Requests: this.http1Requests,
      pushes: this.pushes,
      resetFloods: this.resetFloods,
      settingsTimeouts: this.settingsTimeouts,
      handlerErrors: this.handlerErrors,
    };
  }

  servePush(pushed: ServerHttp2Stream, headers: Record<string, string | string[]>): void {
    this.pushes++;
    this.dispatch(pushed, headers, true);
  }

  private readonly onConnection = (socket: Socket): void => {
    this.sockets.add(socket);
    socket.once("close", () => this.http1InFlight.delete(socket));
  };

  private readonly onSession = (session: ServerHttp2Session): void => {
    const options = this.options;
    this.sessions.add(session);
    session.once("close", () => this.sessions.delete(session));
    session.on("error", () => undefined);
    if (this.closing) {
      session.close();
      return;
    }
    if (options.connectionWindowSize > 65_535) session.setLocalWindowSize(options.connectionWindowSize);
    // The client must acknowledge our SETTINGS in time (RFC 9113 6.5.3): else SETTINGS_TIMEOUT.
    const settingsTimer = setTimeout(() => {
      this.settingsTimeouts++;
      endSession(session, constants.NGHTTP2_SETTINGS_TIMEOUT);
    }, options.settingsTimeoutMs);
    session.once("localSettings", () => clearTimeout(settingsTimer));
    session.once("close", () => clearTimeout(settingsTimer));
    if (options.idleTimeoutMs > 0) {
      // No frame either way for idleTimeoutMs: GOAWAY, and if a stream is still stuck (e.g. the
      // client holds its window at zero) after another idle period, the connection is cut.
      session.setTimeout(options.idleTimeoutMs, () => {
        session.close();
        setTimeout(() => session.destroy(), options.idleTimeoutMs).unref();
      });
    }
    const budget = new ResetBudget(options.maxResetsPerSecond);
    session.on("stream", (stream: ServerHttp2Stream) => {
      stream.once("close", () => {
        // A stream that ends in RST_STREAM, sent by the client (rapid reset) or by node answering an
        // invalid frame (MadeYouReset), costs the session; too many per second end it.
        if (stream.rstCode === constants.NGHTTP2_NO_ERROR || !budget.spend()) return;
        this.resetFloods++;
        endSession(session, constants.NGHTTP2_ENHANCE_YOUR_CALM);
      });
    });
  };

  private readonly onStream = (
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    flags: number,
  ): void => {
    this.dispatch(
      stream,
      headers as Record<string, string | string[]>,
      (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0,
    );
  };

  private dispatch(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, endStream: boolean): void {
    this.requests++;
    // Errors on one stream (a reset, a write after close) are that stream's, never the process's.
    stream.on("error", () => undefined);
    const view = new H2RequestView(stream, headers, endStream);
    try {
      (this.handler as RequestHandler)(view, new H2ResponseSink(stream, view.method, this));
    } catch {
      this.handlerErrors++;
      if (!stream.headersSent && !stream.destroyed) stream.respond({ ":status": 500 }, { endStream: true });
      else stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    }
  }

  private readonly onHttp1Request = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatchHttp1(req, res, false);
  };

  private readonly onHttp1Continue = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatchHttp1(req, res, true);
  };

  private dispatchHttp1(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    this.requests++;
    this.http1Requests++;
    const socket = req.socket;
    this.http1InFlight.set(socket, (this.http1InFlight.get(socket) ?? 0) + 1);
    res.once("close", () => {
      const left = (this.http1InFlight.get(socket) ?? 1) - 1;
      this.http1InFlight.set(socket, left);
      if (left === 0 && this.closing) socket.destroy();
    });
    const view = new NodeRequestView(req, res, expectsContinue);
    try {
      (this.handler as RequestHandler)(view, new NodeResponseSink(req, res, view, this, false));
    } catch {
      this.handlerErrors++;
      if (!res.headersSent) res.writeHead(500, ["content-length", "0", "connection", "close"]).end();
      else res.destroy();
    }
  }
}
