// The HTTP/1.1 transport on node:http (node:https with `tls`): owns the server and its sockets,
// hands each parsed request to core as a NodeRequestView + NodeResponseSink, closes gracefully
// and counts connections, requests and bytes. A request node cannot parse, or one that breaks an
// RFC 9112 rule node lets through (request-checks.ts), is refused like the native path refuses
// it: 400, 431 for oversized headers, 408 for a slow request, 505 for another HTTP version,
// then the connection closes.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import {
  REASON_PHRASES,
  type RequestHandler,
  type Transport,
  type TransportAddress,
  type TransportStats,
} from "@fasterapi/core";
import { answerClientError } from "./client-error.js";
import { type Http1Options, type ResolvedHttp1Options, resolveHttp1Options } from "./http1-options.js";
import { NodeRequestView } from "./node-request-view.js";
import { type ConnectionPolicy, NodeResponseSink } from "./node-response-sink.js";
import { NodeUpgrade } from "./node-upgrade.js";
import { requestHeadViolation } from "./request-checks.js";
import { SocketTally } from "./socket-tally.js";

/** node checks its header/request timeouts on an interval; keep it well under the shortest timeout. */
function timeoutCheckInterval(options: ResolvedHttp1Options): number {
  const shortest =
    options.requestTimeoutMs === 0
      ? options.headersTimeoutMs
      : Math.min(options.headersTimeoutMs, options.requestTimeoutMs);
  return Math.min(30_000, Math.max(100, Math.floor(shortest / 4)));
}

/** An empty answer that closes the connection; node adds Date, as after a native parse error. */
function refuse(res: ServerResponse, status: number): void {
  res.writeHead(status, REASON_PHRASES[status], ["Content-Length", "0", "Connection", "close"]).end();
}

export class NodeHttp1Transport implements Transport, ConnectionPolicy {
  readonly name = "http1";
  readonly options: ResolvedHttp1Options;
  closing = false;
  private server: Server | undefined;
  private handler: RequestHandler | undefined;
  private readonly sockets = new SocketTally();
  /** Keyed by the request's socket (the TLS socket under HTTPS), used only with maxRequestsPerSocket. */
  private readonly requestsPerSocket = new WeakMap<Socket, number>();
  private requests = 0;
  /** Synchronous throws from core's handler, and server errors after listening (e.g. EMFILE on accept). */
  private handlerErrors = 0;
  private serverErrors = 0;
  private closed: Promise<void> | undefined;

  constructor(options: Http1Options = {}) {
    this.options = resolveHttp1Options(options);
  }

  listen(handler: RequestHandler): Promise<TransportAddress> {
    if (this.server !== undefined)
      return Promise.reject(new Error("http1: listen() was already called on this transport"));
    this.handler = handler;
    const options = this.options;
    const serverOptions: ServerOptions = {
      maxHeaderSize: options.maxHeaderBytes,
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      connectionsCheckingInterval: timeoutCheckInterval(options),
      keepAlive: true,
      noDelay: true,
      // request-checks.ts checks Host (and answers like the native path), node would only check presence.
      requireHostHeader: false,
    };
    const server =
      options.tls === undefined
        ? createHttpServer(serverOptions, this.onRequest)
        : createHttpsServer(
            { ...serverOptions, key: options.tls.key, cert: options.tls.cert },
            this.onRequest,
          );
    // With a listener here node no longer answers 100 Continue itself: the request view sends it
    // only when the body is actually read and within the limit.
    server.on("checkContinue", this.onCheckContinue);
    server.on("upgrade", this.onUpgrade);
    server.on("connection", this.onConnection);
    server.on("clientError", answerClientError);
    // node's own 417 keeps the connection; the native path closes it after refusing an expectation.
    server.on("checkExpectation", (_req: IncomingMessage, res: ServerResponse) => refuse(res, 417));
    this.server = server;
    const scheme = options.tls === undefined ? "http" : "https";
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => {
        this.server = undefined;
        reject(error);
      };
      server.once("error", onError);
      server.listen(options.port, options.host, () => {
        server.off("error", onError);
        server.on("error", () => {
          this.serverErrors++;
        });
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
      // Whatever is still open when the grace period ends is cut off.
      const grace = setTimeout(() => {
        for (const socket of this.sockets.open) socket.destroy();
      }, graceMs);
      // node's close() stops accepting and drops idle keep-alive connections; the callback runs
      // once every connection is gone. In-flight answers carry Connection: close meanwhile.
      server.close(() => {
        clearTimeout(grace);
        resolve();
      });
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
      handlerErrors: this.handlerErrors,
      serverErrors: this.serverErrors,
    };
  }

  private readonly onConnection = (socket: Socket): void => {
    this.sockets.add(socket);
  };

  /**
   * Counts requests per socket for maxRequestsPerSocket. node's own option only sends
   * `Connection: close` and leaves the socket open; ours makes the last answer close it.
   */
  private isLastOnSocket(socket: Socket): boolean {
    const served = (this.requestsPerSocket.get(socket) ?? 0) + 1;
    this.requestsPerSocket.set(socket, served);
    return served >= this.options.maxRequestsPerSocket;
  }

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatch(req, res, false);
  };

  private readonly onCheckContinue = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatch(req, res, true);
  };

  /**
   * An Upgrade request goes through core like any other, over a ServerResponse on its socket: a
   * WebSocket route that approves it takes the socket over (NodeUpgrade); any other answer is
   * written normally and ends the connection (node has already stopped parsing it).
   */
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(req.socket);
    res.once("finish", () => req.socket.destroySoon());
    this.dispatch(req, res, false, new NodeUpgrade(req, socket, head, res));
  };

  private dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    expectsContinue: boolean,
    upgrade?: NodeUpgrade,
  ): void {
    const violation = requestHeadViolation(req);
    if (violation !== 0) {
      refuse(res, violation);
      return;
    }
    this.requests++;
    const view = new NodeRequestView(req, res, expectsContinue, upgrade);
    const last = this.options.maxRequestsPerSocket > 0 && this.isLastOnSocket(req.socket);
    try {
      (this.handler as RequestHandler)(view, new NodeResponseSink(req, res, view, this, last));
    } catch {
      // Core answers its own errors; a throw reaching here is a bug, and must not take the
      // process down through node's 'request' event.
      this.handlerErrors++;
      if (!res.headersSent) refuse(res, 500);
      else res.destroy();
    }
  }
}
