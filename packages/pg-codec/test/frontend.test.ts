// MessageWriter output checked byte for byte against the protocol 3.0 message formats, plus batching
// (several messages, one take) and Bind parameter format selection.

import { describe, expect, it } from "vitest";
import { MessageWriter, Oid } from "../src/index.js";

function hex(b: Buffer): string {
  return b.toString("hex");
}

function str(s: string): string {
  return Buffer.from(`${s}\0`).toString("hex");
}

describe("MessageWriter", () => {
  it("encodes StartupMessage with protocol 3.0 and a self-inclusive length", () => {
    const b = new MessageWriter().startup({ user: "bob", database: "db" }).take();
    expect(b.readInt32BE(0)).toBe(b.length);
    expect(b.readInt32BE(4)).toBe(196608);
    expect(b.subarray(8).toString("latin1")).toBe("user\0bob\0database\0db\0\0");
  });

  it("encodes SSLRequest and CancelRequest", () => {
    expect(hex(new MessageWriter().sslRequest().take())).toBe("0000000804d2162f");
    expect(hex(new MessageWriter().cancelRequest(7, -1).take())).toBe("0000001004d2162e00000007ffffffff");
  });

  it("encodes password and SASL messages", () => {
    expect(hex(new MessageWriter().password("pw").take())).toBe(`7000000007${str("pw")}`);
    expect(hex(new MessageWriter().saslInitialResponse("SCRAM-SHA-256", "n,,n=,r=x").take())).toBe(
      `700000001f${str("SCRAM-SHA-256")}00000009${Buffer.from("n,,n=,r=x").toString("hex")}`,
    );
    expect(hex(new MessageWriter().saslResponse("c=biws").take())).toBe(
      `700000000a${Buffer.from("c=biws").toString("hex")}`,
    );
  });

  it("encodes Query, Parse, Describe, Execute, Close, Sync, Flush, Terminate", () => {
    expect(hex(new MessageWriter().query("SELECT 1").take())).toBe(`510000000d${str("SELECT 1")}`);
    expect(hex(new MessageWriter().parse("s1", "SELECT $1", [23]).take())).toBe(
      `5000000017${str("s1")}${str("SELECT $1")}000100000017`,
    );
    expect(hex(new MessageWriter().describe("S", "s1").take())).toBe(`4400000008${"53"}${str("s1")}`);
    expect(hex(new MessageWriter().execute("", 5).take())).toBe("450000000900" + "00000005");
    expect(hex(new MessageWriter().close("P", "p").take())).toBe(`4300000007${"50"}${str("p")}`);
    expect(hex(new MessageWriter().sync().take())).toBe("5300000004");
    expect(hex(new MessageWriter().flush().take())).toBe("4800000004");
    expect(hex(new MessageWriter().terminate().take())).toBe("5800000004");
  });

  it("encodes COPY messages", () => {
    expect(hex(new MessageWriter().copyData(Buffer.from([1, 2])).take())).toBe("64000000060102");
    expect(hex(new MessageWriter().copyDone().take())).toBe("6300000004");
    expect(hex(new MessageWriter().copyFail("no").take())).toBe(`6600000007${str("no")}`);
  });

  it("batches several messages into one buffer and rewinds on take", () => {
    const w = new MessageWriter();
    w.parse("", "SELECT 1").bind("", "").execute("").sync();
    const first = w.take();
    expect(first[0]).toBe(0x50);
    expect(first.subarray(-5).toString("hex")).toBe("5300000004");
    expect(w.length).toBe(0);
    expect(hex(w.sync().take())).toBe("5300000004");
  });

  it("never rewrites a batch it handed out, small or large", () => {
    const w = new MessageWriter({ initialSize: 64 });
    const small = w.query("SELECT 1").take();
    const large = w.copyData(Buffer.alloc(200_000, 1)).take();
    const copyOfSmall = Buffer.from(small);
    w.copyData(Buffer.alloc(200_000, 2)).take();
    w.query("SELECT 2").take();
    expect(small).toEqual(copyOfSmall);
    expect(large.length).toBe(5 + 200_000);
    expect(large.subarray(5).every((b) => b === 1)).toBe(true);
  });

  it("grows its buffer past the initial size", () => {
    const sql = `SELECT '${"x".repeat(100_000)}'`;
    const b = new MessageWriter({ initialSize: 64 }).query(sql).take();
    expect(b.readInt32BE(1)).toBe(4 + sql.length + 1);
  });

  it("binds values in binary when the OID has a codec, as text for strings, NULL for null", () => {
    const b = new MessageWriter()
      .bind("p", "s", [5, "7", null, Buffer.from([9])], [Oid.int4, Oid.int4, Oid.int4, Oid.bytea], [1, 0])
      .take();
    const expected =
      "42" +
      "00000030" +
      str("p") +
      str("s") +
      "0004" + // four parameter format codes
      "0001" +
      "0000" +
      "0000" +
      "0001" +
      "0004" + // four values
      "00000004" +
      "00000005" +
      "00000001" +
      "37" +
      "ffffffff" +
      "00000001" +
      "09" +
      "0002" + // two result format codes
      "0001" +
      "0000";
    expect(hex(b)).toBe(expected);
  });

  it("refuses NUL characters in SQL and names without writing anything", () => {
    const w = new MessageWriter();
    expect(() => w.query("SELECT 1\0; DROP TABLE x")).toThrow(/NUL character/);
    expect(() => w.parse("s\0", "SELECT 1")).toThrow(/NUL character/);
    expect(() => w.bind("", "s\0")).toThrow(/NUL character/);
    expect(() => w.startup({ user: "a\0b" })).toThrow(/NUL character/);
    expect(w.length).toBe(0);
  });

  it("writes parameter counts above 32767 as unsigned 16-bit", () => {
    const values = new Array(40_000).fill(null);
    const b = new MessageWriter().parse("", "SELECT 1", new Array(40_000).fill(0)).take();
    expect(b.readUInt16BE(b.length - 2 - 4 * 40_000)).toBe(40_000);
    const bind = new MessageWriter().bind("", "", values).take();
    expect(bind.readUInt16BE(7)).toBe(40_000);
    expect(() => new MessageWriter().bind("", "", new Array(65_536).fill(null))).toThrow(/at most 65535/);
  });

  it("binds values without a known OID as PostgreSQL text", () => {
    const b = new MessageWriter().bind("", "", [true, [1, null], { a: 1 }], [], 1).take();
    const text = b.toString("latin1");
    expect(text).toContain("true");
    expect(text).toContain('{"1",NULL}');
    expect(text).toContain('{"a":1}');
    // One result format code (binary) for all columns.
    expect(b.subarray(-4).toString("hex")).toBe("00010001");
  });

  it("drops a half-written Bind when a value cannot be encoded, keeping earlier messages", () => {
    const w = new MessageWriter();
    w.parse("", "SELECT $1::int4");
    const before = w.length;
    expect(() => w.bind("", "", [2 ** 40], [Oid.int4])).toThrow(/parameter \$1: .*out of range for int4/);
    expect(w.length).toBe(before);
  });
});
