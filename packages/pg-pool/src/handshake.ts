// Opening one PostgreSQL session: TCP or Unix socket, optional TLS upgrade after SSLRequest (sslmode),
// StartupMessage and authentication (cleartext, MD5, SCRAM-SHA-256 with server signature check), until
// the first ReadyForQuery. It hands the open socket and parser to Connection; it runs no queries.
import { isIP, connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import {
  type BackendMessage,
  BackendParser,
  MessageWriter,
  md5Password,
  PgError,
  SCRAM_SHA_256,
  ScramSha256Client,
} from "@fasterapi/pg-codec";
import type { ConnectionConfig } from "./config.js";

/** How the server had us authenticate: "trust" means it asked for nothing. */
export type AuthMethod = "trust" | "cleartext" | "md5" | "scram-sha-256";

export interface Session {
  socket: Socket;
  parser: BackendParser;
  processId: number;
  secretKey: number;
  parameters: Map<string, string>;
  /** Whether the session runs over TLS. */
  encrypted: boolean;
  authMethod: AuthMethod;
}

/** "host:port" or the socket path, for error messages. */
export function describeTarget(config: ConnectionConfig): string {
  return config.host.startsWith("/") ? socketPath(config) : `${config.host}:${config.port}`;
}

export function socketPath(config: ConnectionConfig): string {
  return `${config.host}/.s.PGSQL.${config.port}`;
}

/** Opens a raw socket to the server (TCP, or the Unix socket when host is a directory). */
export function openSocket(config: ConnectionConfig): Socket {
  const socket = config.host.startsWith("/")
    ? netConnect({ path: socketPath(config) })
    : netConnect({ host: config.host, port: config.port, noDelay: true, keepAlive: true });
  return socket;
}

/** Resolves with the next chunk the socket receives; rejects if it errors or closes first. */
function nextChunk(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      cleanup();
      socket.pause();
      resolve(chunk);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error("server closed the connection during startup"));
    };
    socket.on("data", onData);
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.resume();
  });
}

function waitConnected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve();
    });
    socket.once("error", reject);
  });
}

/** SSLRequest, then either a TLS socket over the same connection or (sslmode=prefer, answer 'N') the plain one. */
async function negotiateTls(socket: Socket, config: ConnectionConfig): Promise<Socket> {
  socket.write(new MessageWriter().sslRequest().take());
  const answer = await nextChunk(socket);
  if (answer.length !== 1) {
    // Bytes after the answer would be unencrypted data injected before the handshake (CVE-2021-23222).
    throw new Error("server sent unexpected data after the SSLRequest answer");
  }
  if (answer[0] === 0x4e /* N */) {
    if (config.sslMode === "prefer") return socket;
    throw new Error(
      `server at ${describeTarget(config)} does not support TLS, but sslmode is ${config.sslMode}`,
    );
  }
  if (answer[0] !== 0x53 /* S */) throw new Error("server answered the SSLRequest with an unexpected byte");
  const verify = config.sslMode === "verify-ca" || config.sslMode === "verify-full";
  const tlsSocket = tlsConnect({
    ...config.tls,
    socket,
    host: config.host,
    ...(isIP(config.host) ? {} : { servername: config.tls.servername ?? config.host }),
    rejectUnauthorized: verify,
    ...(config.sslMode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    tlsSocket.once("secureConnect", () => {
      tlsSocket.off("error", reject);
      resolve();
    });
    tlsSocket.once("error", reject);
  });
  return tlsSocket;
}

/**
 * Reads framed messages during startup. Each call returns the next message, reading more bytes as needed;
 * after startup the socket is handed over with the parser, which may not hold unread bytes by then
 * (the server sends nothing after ReadyForQuery until asked).
 */
class StartupReader {
  constructor(
    private readonly socket: Socket,
    readonly parser: BackendParser,
  ) {}

  async next(): Promise<BackendMessage> {
    for (;;) {
      const message = this.parser.next();
      if (message) return message;
      this.parser.push(await nextChunk(this.socket));
    }
  }
}

function startupParams(config: ConnectionConfig): Record<string, string> {
  const params: Record<string, string> = {
    user: config.user,
    database: config.database,
    client_encoding: "UTF8",
  };
  if (config.applicationName) params.application_name = config.applicationName;
  return params;
}

function requirePassword(config: ConnectionConfig, method: string): string {
  if (config.password === undefined) {
    throw new Error(
      `server requested ${method} authentication for user "${config.user}" but no password was given`,
    );
  }
  return config.password;
}

async function authenticateAndWait(reader: StartupReader, socket: Socket, config: ConnectionConfig) {
  const writer = new MessageWriter();
  const send = () => socket.write(writer.take());
  writer.startup(startupParams(config));
  send();
  let scram: ScramSha256Client | undefined;
  let scramVerified = false;
  const parameters = new Map<string, string>();
  let processId = 0;
  let secretKey = 0;
  let authMethod: AuthMethod = "trust";
  for (;;) {
    const message = await reader.next();
    switch (message.type) {
      case "AuthenticationCleartextPassword":
        authMethod = "cleartext";
        writer.password(requirePassword(config, "cleartext password"));
        send();
        break;
      case "AuthenticationMD5Password":
        authMethod = "md5";
        writer.password(md5Password(config.user, requirePassword(config, "MD5"), message.salt));
        send();
        break;
      case "AuthenticationSASL":
        if (!message.mechanisms.includes(SCRAM_SHA_256)) {
          throw new Error(
            `server offers SASL mechanisms ${message.mechanisms.join(", ")}; only SCRAM-SHA-256 is supported`,
          );
        }
        authMethod = "scram-sha-256";
        scram = new ScramSha256Client(requirePassword(config, "SCRAM-SHA-256"));
        writer.saslInitialResponse(SCRAM_SHA_256, scram.clientFirstMessage());
        send();
        break;
      case "AuthenticationSASLContinue":
        if (!scram) throw new Error("server sent SASLContinue without a SASL exchange");
        writer.saslResponse(scram.clientFinalMessage(message.data));
        send();
        break;
      case "AuthenticationSASLFinal":
        if (!scram) throw new Error("server sent SASLFinal without a SASL exchange");
        scram.verifyServerFinal(message.data);
        scramVerified = true;
        break;
      case "AuthenticationOk":
        // A server that skips SCRAM's final step has not proven it knows the password.
        if (scram && !scramVerified)
          throw new Error("server ended SCRAM authentication without proving its identity");
        break;
      case "AuthenticationUnsupported":
        throw new Error(
          `server requested authentication method ${message.method}, which this client does not support`,
        );
      case "ParameterStatus":
        parameters.set(message.name, message.value);
        break;
      case "BackendKeyData":
        processId = message.pid;
        secretKey = message.secret;
        break;
      case "ErrorResponse":
        throw new PgError(message.fields);
      case "ReadyForQuery":
        return { parameters, processId, secretKey, authMethod };
      default:
        // NoticeResponse, NegotiateProtocolVersion: nothing to act on during startup.
        break;
    }
  }
}

/** Connects, upgrades to TLS per sslmode, authenticates, and resolves once the server is ready for queries. */
export async function openSession(config: ConnectionConfig): Promise<Session> {
  let socket = openSocket(config);
  // Errors after a step's own listener is gone must not become unhandled 'error' events.
  const swallow = () => undefined;
  socket.on("error", swallow);
  const timer = setTimeout(() => {
    socket.destroy(
      new Error(`timed out after ${config.connectTimeoutMs} ms connecting to ${describeTarget(config)}`),
    );
  }, config.connectTimeoutMs);
  try {
    await waitConnected(socket);
    let encrypted = false;
    if (config.sslMode !== "disable" && !config.host.startsWith("/")) {
      const upgraded = await negotiateTls(socket, config);
      encrypted = upgraded !== socket;
      if (encrypted) upgraded.on("error", swallow);
      socket = upgraded;
    }
    const parser = new BackendParser();
    const reader = new StartupReader(socket, parser);
    const { parameters, processId, secretKey, authMethod } = await authenticateAndWait(
      reader,
      socket,
      config,
    );
    socket.off("error", swallow);
    return { socket, parser, processId, secretKey, parameters, encrypted, authMethod };
  } catch (error) {
    socket.destroy();
    if (error instanceof PgError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`could not connect to PostgreSQL at ${describeTarget(config)}: ${reason}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}
