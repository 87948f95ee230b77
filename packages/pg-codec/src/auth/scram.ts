// SCRAM-SHA-256 client (RFC 5802 / RFC 7677) as PostgreSQL speaks it: produces client-first and
// client-final messages and verifies the server's signature in server-final, so a server that does
// not know the password cannot impersonate one. No channel binding (gs2 header "n,,"); no socket.

import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { saslprep } from "./saslprep.js";

export const SCRAM_SHA_256 = "SCRAM-SHA-256";

/** The SCRAM exchange failed: malformed server message, nonce mismatch, server error, or bad signature. */
export class ScramError extends Error {
  override readonly name = "ScramError";
}

export interface ScramOptions {
  /** Sent in client-first; PostgreSQL ignores it and uses the startup user, so it defaults to "". */
  username?: string;
  /** Client nonce; random 18 bytes (base64) by default. Fixed only for test vectors. */
  nonce?: string;
}

const GS2_HEADER = "n,,";

export class ScramSha256Client {
  readonly mechanism = SCRAM_SHA_256;
  private readonly password: string;
  private readonly clientFirstBare: string;
  private readonly clientNonce: string;
  private expectedServerSignature: Buffer | null = null;

  constructor(password: string, options: ScramOptions = {}) {
    this.password = password;
    this.clientNonce = options.nonce ?? randomBytes(18).toString("base64");
    if (this.clientNonce.includes(",")) throw new ScramError("client nonce must not contain ','");
    this.clientFirstBare = `n=${escapeName(options.username ?? "")},r=${this.clientNonce}`;
  }

  /** The SASLInitialResponse payload. */
  clientFirstMessage(): string {
    return GS2_HEADER + this.clientFirstBare;
  }

  /** Given the server-first message (AuthenticationSASLContinue data), returns the SASLResponse payload. */
  clientFinalMessage(serverFirst: string | Uint8Array): string {
    const serverFirstMessage =
      typeof serverFirst === "string" ? serverFirst : Buffer.from(serverFirst).toString("utf8");
    const attrs = parseAttributes(serverFirstMessage);
    const nonce = attrs.get("r");
    const salt = attrs.get("s");
    const iterations = Number(attrs.get("i"));
    if (attrs.has("e")) throw new ScramError(`server error: ${attrs.get("e")}`);
    if (nonce === undefined || salt === undefined || attrs.get("i") === undefined) {
      throw new ScramError("server-first message lacks r, s or i");
    }
    if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
      throw new ScramError("server nonce does not extend the client nonce");
    }
    if (!Number.isInteger(iterations) || iterations < 1)
      throw new ScramError(`invalid iteration count ${attrs.get("i")}`);

    const saltedPassword = pbkdf2Sync(
      saslprep(this.password),
      Buffer.from(salt, "base64"),
      iterations,
      32,
      "sha256",
    );
    const clientKey = hmac(saltedPassword, "Client Key");
    const storedKey = createHash("sha256").update(clientKey).digest();
    const withoutProof = `c=${Buffer.from(GS2_HEADER).toString("base64")},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirstMessage},${withoutProof}`;
    const clientSignature = hmac(storedKey, authMessage);
    const proof = Buffer.allocUnsafe(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!;
    this.expectedServerSignature = hmac(hmac(saltedPassword, "Server Key"), authMessage);
    return `${withoutProof},p=${proof.toString("base64")}`;
  }

  /** Checks server-final (AuthenticationSASLFinal data); throws ScramError unless the server proved it knows the password. */
  verifyServerFinal(serverFinal: string | Uint8Array): void {
    if (this.expectedServerSignature === null)
      throw new ScramError("server-final received before client-final was sent");
    const text = typeof serverFinal === "string" ? serverFinal : Buffer.from(serverFinal).toString("utf8");
    const attrs = parseAttributes(text);
    if (attrs.has("e")) throw new ScramError(`server error: ${attrs.get("e")}`);
    const v = attrs.get("v");
    if (v === undefined) throw new ScramError("server-final message lacks a signature");
    const got = Buffer.from(v, "base64");
    if (
      got.length !== this.expectedServerSignature.length ||
      !timingSafeEqual(got, this.expectedServerSignature)
    ) {
      throw new ScramError("server signature does not match: the server does not know the password");
    }
  }
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** RFC 5802 saslname: ',' and '=' are escaped as =2C and =3D. */
function escapeName(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

/** Parses "k=v,k=v" (values may contain '='). */
function parseAttributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    if (part.length < 2 || part[1] !== "=") throw new ScramError(`malformed SCRAM attribute '${part}'`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}
