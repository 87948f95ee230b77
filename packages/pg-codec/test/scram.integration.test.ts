// Checks ScramSha256Client against SCRAM verifiers computed by PostgreSQL itself (pg_authid of a
// temporary role), including SASLprep of non-ASCII passwords. The server here uses trust auth, so the
// server side of the exchange is played by the test from the stored StoredKey/ServerKey.

import { createHash, createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScramError, ScramSha256Client } from "../src/index.js";
import { PgSession } from "./fixtures/pg-session.js";

let db: PgSession;
const role = `pgcodec_scram_${process.pid}_${Date.now()}`;

beforeAll(async () => {
  db = await PgSession.connect();
  await db.simple(`SET password_encryption = 'scram-sha-256'; CREATE ROLE ${role} LOGIN`);
});

afterAll(async () => {
  await db.simple(`DROP ROLE IF EXISTS ${role}`);
  await db.close();
});

async function verifierFor(
  password: string,
): Promise<{ iterations: string; salt: string; storedKey: Buffer; serverKey: Buffer }> {
  // ALTER ROLE does not take parameters; quote the literal (the passwords below contain no quotes).
  await db.simple(`ALTER ROLE ${role} PASSWORD '${password}'`);
  const { rows } = await db.query("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [role]);
  const verifier = (rows[0] as { rolpassword: string }).rolpassword;
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) throw new Error(`unexpected verifier ${verifier}`);
  return {
    iterations: m[1]!,
    salt: m[2]!,
    storedKey: Buffer.from(m[3]!, "base64"),
    serverKey: Buffer.from(m[4]!, "base64"),
  };
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/** Runs the exchange with the server side computed from PostgreSQL's stored keys. */
function exchange(
  clientPassword: string,
  v: Awaited<ReturnType<typeof verifierFor>>,
): { proofValid: boolean; client: ScramSha256Client; serverSignature: string } {
  const client = new ScramSha256Client(clientPassword);
  const clientFirstBare = client.clientFirstMessage().slice(3);
  const clientNonce = /r=([^,]+)/.exec(clientFirstBare)![1]!;
  const serverFirst = `r=${clientNonce}srvNonce123,s=${v.salt},i=${v.iterations}`;
  const clientFinal = client.clientFinalMessage(serverFirst);
  const at = clientFinal.indexOf(",p=");
  const proof = Buffer.from(clientFinal.slice(at + 3), "base64");
  const authMessage = `${clientFirstBare},${serverFirst},${clientFinal.slice(0, at)}`;
  const signature = hmac(v.storedKey, authMessage);
  const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!));
  const proofValid = createHash("sha256").update(clientKey).digest().equals(v.storedKey);
  return { proofValid, client, serverSignature: hmac(v.serverKey, authMessage).toString("base64") };
}

describe("ScramSha256Client against PostgreSQL-computed verifiers", () => {
  for (const password of ["pencil", "pässwörd ✓ 日本", "\u2168 roman nine", "soft\u00ADhyphen"]) {
    it(`proves knowledge of ${JSON.stringify(password)} and accepts the server's signature`, async () => {
      const v = await verifierFor(password);
      const { proofValid, client, serverSignature } = exchange(password, v);
      expect(proofValid).toBe(true);
      expect(() => client.verifyServerFinal(`v=${serverSignature}`)).not.toThrow();
    });
  }

  it("produces a proof the server would reject for a wrong password", async () => {
    const v = await verifierFor("right password");
    const { proofValid, client } = exchange("wrong password", v);
    expect(proofValid).toBe(false);
    // A server that does not know the password cannot produce a signature the client accepts.
    expect(() => client.verifyServerFinal(`v=${hmac(Buffer.from("guess"), "x").toString("base64")}`)).toThrow(
      ScramError,
    );
  });
});
