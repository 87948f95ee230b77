// SCRAM-SHA-256 against the RFC 7677 section 3 example exchange, its failure modes, SASLprep, and the
// MD5 password hash against a vector computed independently (Python hashlib).

import { describe, expect, it } from "vitest";
import { md5Password, ScramError, ScramSha256Client, saslprep } from "../src/index.js";

describe("ScramSha256Client", () => {
  const serverFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

  function rfcClient(): ScramSha256Client {
    return new ScramSha256Client("pencil", { username: "user", nonce: "rOprNGfwEbeRWgbNEkqO" });
  }

  it("produces the RFC 7677 client-first and client-final messages", () => {
    const client = rfcClient();
    expect(client.clientFirstMessage()).toBe("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    expect(client.clientFinalMessage(Buffer.from(serverFirst))).toBe(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    );
  });

  it("accepts the RFC 7677 server signature", () => {
    const client = rfcClient();
    client.clientFinalMessage(serverFirst);
    expect(() => client.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")).not.toThrow();
  });

  it("rejects a wrong server signature", () => {
    const client = rfcClient();
    client.clientFinalMessage(serverFirst);
    expect(() => client.verifyServerFinal("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")).toThrow(
      ScramError,
    );
    expect(() => client.verifyServerFinal("e=invalid-proof")).toThrow(/server error: invalid-proof/);
  });

  it("rejects a server-final before client-final", () => {
    expect(() => rfcClient().verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")).toThrow(
      /before client-final/,
    );
  });

  it("rejects a server nonce that does not extend the client nonce", () => {
    expect(() => rfcClient().clientFinalMessage("r=someoneElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")).toThrow(
      /nonce/,
    );
  });

  it("rejects malformed server-first messages", () => {
    expect(() => rfcClient().clientFinalMessage("garbage")).toThrow(ScramError);
    expect(() => rfcClient().clientFinalMessage("r=rOprNGfwEbeRWgbNEkqOx,s=AA==,i=0")).toThrow(/iteration/);
  });

  it("uses a fresh random nonce and the empty user name by default", () => {
    const a = new ScramSha256Client("pw").clientFirstMessage();
    const b = new ScramSha256Client("pw").clientFirstMessage();
    expect(a).toMatch(/^n,,n=,r=[A-Za-z0-9+/=]{24}$/);
    expect(a).not.toBe(b);
  });
});

describe("saslprep", () => {
  it("leaves ASCII unchanged, maps non-ASCII spaces, drops soft hyphens and applies NFKC", () => {
    expect(saslprep("pencil")).toBe("pencil");
    expect(saslprep("a\u00A0b")).toBe("a b");
    expect(saslprep("I\u00ADX")).toBe("IX");
    expect(saslprep("\u2168")).toBe("IX");
    expect(saslprep("ﬁ")).toBe("fi");
  });

  it("falls back to the raw password when a prohibited character remains", () => {
    expect(saslprep("a\u0007b")).toBe("a\u0007b");
  });
});

describe("md5Password", () => {
  it("hashes md5(md5(password + user) + salt) with the md5 prefix", () => {
    // python3 -c "import hashlib;i=hashlib.md5(b'secretalice').hexdigest();print('md5'+hashlib.md5(i.encode()+bytes([1,2,3,4])).hexdigest())"
    expect(md5Password("alice", "secret", Buffer.from([1, 2, 3, 4]))).toBe(
      "md598a0412b9c31436fc53776e863350083",
    );
  });

  it("rejects a salt that is not 4 bytes", () => {
    expect(() => md5Password("a", "b", Buffer.from([1]))).toThrow(RangeError);
  });
});
