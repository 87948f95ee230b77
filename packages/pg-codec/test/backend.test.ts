// BackendParser on hand-built byte arrays: every message type, framing across arbitrary splits and
// many messages per chunk, and rejection of malformed input.

import { describe, expect, it } from "vitest";
import { type BackendMessage, BackendParser, ProtocolError } from "../src/index.js";

/** Frames a backend message: type byte, int32 length (self-inclusive), body. */
function frame(type: string, ...parts: (Buffer | string | number[])[]): Buffer {
  const body = Buffer.concat(
    parts.map((p) => (typeof p === "string" ? Buffer.from(`${p}\0`) : Buffer.from(p))),
  );
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

/** DataRow views differ in buffer and offset after reassembly; compare their bytes instead. */
function normalize(messages: BackendMessage[]): unknown[] {
  return messages.map((m) =>
    m.type === "DataRow" ? { type: m.type, body: m.buffer.subarray(m.offset, m.offset + m.length) } : m,
  );
}

function parseAll(...chunks: Buffer[]): BackendMessage[] {
  const p = new BackendParser();
  const out: BackendMessage[] = [];
  for (const c of chunks) {
    p.push(c);
    for (const m of p) out.push(m);
  }
  return out;
}

const dataRow = frame("D", int16(2), int32(3), Buffer.from("abc"), int32(-1));

const samples: [string, Buffer, unknown][] = [
  ["AuthenticationOk", frame("R", int32(0)), { type: "AuthenticationOk" }],
  ["AuthenticationCleartextPassword", frame("R", int32(3)), { type: "AuthenticationCleartextPassword" }],
  [
    "AuthenticationMD5Password",
    frame("R", int32(5), [1, 2, 3, 4]),
    { type: "AuthenticationMD5Password", salt: Buffer.from([1, 2, 3, 4]) },
  ],
  [
    "AuthenticationSASL",
    frame("R", int32(10), "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", [0]),
    { type: "AuthenticationSASL", mechanisms: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"] },
  ],
  [
    "AuthenticationSASLContinue",
    frame("R", int32(11), Buffer.from("r=abc,s=c2FsdA==,i=4096")),
    { type: "AuthenticationSASLContinue", data: Buffer.from("r=abc,s=c2FsdA==,i=4096") },
  ],
  [
    "AuthenticationSASLFinal",
    frame("R", int32(12), Buffer.from("v=xyz")),
    { type: "AuthenticationSASLFinal", data: Buffer.from("v=xyz") },
  ],
  ["AuthenticationUnsupported (GSS)", frame("R", int32(7)), { type: "AuthenticationUnsupported", method: 7 }],
  [
    "ParameterStatus",
    frame("S", "TimeZone", "UTC"),
    { type: "ParameterStatus", name: "TimeZone", value: "UTC" },
  ],
  ["BackendKeyData", frame("K", int32(1234), int32(-5)), { type: "BackendKeyData", pid: 1234, secret: -5 }],
  ["ReadyForQuery", frame("Z", [0x54]), { type: "ReadyForQuery", status: "T" }],
  [
    "RowDescription",
    frame("T", int16(1), "id", int32(16384), int16(1), int32(23), int16(4), int32(-1), int16(1)),
    {
      type: "RowDescription",
      fields: [
        { name: "id", tableOid: 16384, columnAttr: 1, typeOid: 23, typeSize: 4, typeMod: -1, format: 1 },
      ],
    },
  ],
  [
    "CommandComplete INSERT",
    frame("C", "INSERT 0 7"),
    { type: "CommandComplete", tag: "INSERT 0 7", command: "INSERT", rowCount: 7 },
  ],
  [
    "CommandComplete SELECT 0",
    frame("C", "SELECT 0"),
    { type: "CommandComplete", tag: "SELECT 0", command: "SELECT", rowCount: 0 },
  ],
  [
    "CommandComplete CREATE TABLE (no count)",
    frame("C", "CREATE TABLE"),
    { type: "CommandComplete", tag: "CREATE TABLE", command: "CREATE TABLE", rowCount: null },
  ],
  [
    "CommandComplete BEGIN",
    frame("C", "BEGIN"),
    { type: "CommandComplete", tag: "BEGIN", command: "BEGIN", rowCount: null },
  ],
  ["EmptyQueryResponse", frame("I"), { type: "EmptyQueryResponse" }],
  ["ParseComplete", frame("1"), { type: "ParseComplete" }],
  ["BindComplete", frame("2"), { type: "BindComplete" }],
  ["CloseComplete", frame("3"), { type: "CloseComplete" }],
  ["NoData", frame("n"), { type: "NoData" }],
  [
    "ParameterDescription",
    frame("t", int16(2), int32(23), int32(25)),
    { type: "ParameterDescription", oids: [23, 25] },
  ],
  ["PortalSuspended", frame("s"), { type: "PortalSuspended" }],
  [
    "CopyInResponse",
    frame("G", [1], int16(2), int16(1), int16(1)),
    { type: "CopyInResponse", format: 1, columnFormats: [1, 1] },
  ],
  [
    "CopyOutResponse",
    frame("H", [0], int16(1), int16(0)),
    { type: "CopyOutResponse", format: 0, columnFormats: [0] },
  ],
  ["CopyBothResponse", frame("W", [0], int16(0)), { type: "CopyBothResponse", format: 0, columnFormats: [] }],
  ["CopyData", frame("d", Buffer.from("1\tx\n")), { type: "CopyData", data: Buffer.from("1\tx\n") }],
  ["CopyDone", frame("c"), { type: "CopyDone" }],
  [
    "NotificationResponse",
    frame("A", int32(42), "chan", "héllo"),
    { type: "NotificationResponse", pid: 42, channel: "chan", payload: "héllo" },
  ],
  [
    "NegotiateProtocolVersion",
    frame("v", int32(0x30000), int32(1), "_pq_.x"),
    { type: "NegotiateProtocolVersion", minorVersion: 0, unrecognizedOptions: ["_pq_.x"] },
  ],
];

describe("BackendParser message types", () => {
  for (const [name, bytes, expected] of samples) {
    it(`parses ${name}`, () => {
      expect(parseAll(bytes)).toEqual([expected]);
    });
  }

  it("parses DataRow as offsets into the receive buffer without copying", () => {
    const [m] = parseAll(dataRow);
    if (m?.type !== "DataRow") throw new Error("expected DataRow");
    expect(m.offset).toBe(5);
    expect(m.length).toBe(2 + 4 + 3 + 4);
    expect(m.buffer.readInt16BE(m.offset)).toBe(2);
    expect(m.buffer).toBe(dataRow);
  });

  it("parses every ErrorResponse / NoticeResponse field", () => {
    const fields: [string, string][] = [
      ["S", "ERROR"],
      ["V", "ERROR"],
      ["C", "23505"],
      ["M", "duplicate key"],
      ["D", "Key (id)=(1) already exists."],
      ["H", "a hint"],
      ["P", "15"],
      ["p", "3"],
      ["q", "SELECT 1"],
      ["W", "PL/pgSQL function f()"],
      ["s", "public"],
      ["t", "items"],
      ["c", "id"],
      ["d", "int4"],
      ["n", "items_pkey"],
      ["F", "nbtinsert.c"],
      ["L", "664"],
      ["R", "_bt_check_unique"],
      ["X", "unknown field codes are ignored"],
    ];
    const body = fields.map(([k, v]) => `${k}${v}`);
    const expected = {
      severity: "ERROR",
      severityNonLocalized: "ERROR",
      code: "23505",
      message: "duplicate key",
      detail: "Key (id)=(1) already exists.",
      hint: "a hint",
      position: 15,
      internalPosition: 3,
      internalQuery: "SELECT 1",
      where: "PL/pgSQL function f()",
      schema: "public",
      table: "items",
      column: "id",
      dataType: "int4",
      constraint: "items_pkey",
      file: "nbtinsert.c",
      line: 664,
      routine: "_bt_check_unique",
    };
    expect(parseAll(frame("E", ...body, [0]))).toEqual([{ type: "ErrorResponse", fields: expected }]);
    expect(parseAll(frame("N", ...body, [0]))).toEqual([{ type: "NoticeResponse", fields: expected }]);
  });
});

describe("BackendParser framing", () => {
  const stream = Buffer.concat([...samples.map(([, b]) => b), dataRow, frame("Z", [0x49])]);
  const expectedTypes = [
    ...samples.map(([, , e]) => (e as { type: string }).type),
    "DataRow",
    "ReadyForQuery",
  ];

  it("parses many messages from one chunk", () => {
    expect(parseAll(stream).map((m) => m.type)).toEqual(expectedTypes);
  });

  it("reassembles messages split at every possible byte boundary", () => {
    const whole = normalize(parseAll(stream));
    for (let cut = 1; cut < stream.length; cut++) {
      const got = parseAll(stream.subarray(0, cut), stream.subarray(cut));
      expect(normalize(got)).toEqual(whole);
    }
  });

  it("reassembles a stream fed one byte at a time", () => {
    const chunks = Array.from(stream, (byte) => Buffer.from([byte]));
    expect(normalize(parseAll(...chunks))).toEqual(normalize(parseAll(stream)));
  });

  it("keeps earlier DataRow views valid while later chunks arrive", () => {
    const big = frame("D", int16(1), int32(100_000), Buffer.alloc(100_000, 7));
    const p = new BackendParser();
    p.push(Buffer.concat([dataRow, big.subarray(0, 10)]));
    const first = p.next();
    expect(p.next()).toBeNull();
    for (let i = 10; i < big.length; i += 4096) p.push(big.subarray(i, i + 4096));
    const second = p.next();
    if (first?.type !== "DataRow" || second?.type !== "DataRow") throw new Error("expected rows");
    expect(first.buffer.toString("latin1", first.offset + 6, first.offset + 9)).toBe("abc");
    expect(second.buffer.readInt32BE(second.offset + 2)).toBe(100_000);
    expect(second.buffer[second.offset + 6 + 99_999]).toBe(7);
    expect(p.buffered).toBe(0);
  });

  it("returns null until a message is complete", () => {
    const p = new BackendParser();
    p.push(dataRow.subarray(0, 4));
    expect(p.next()).toBeNull();
    p.push(dataRow.subarray(4, 8));
    expect(p.next()).toBeNull();
    expect(p.buffered).toBe(8);
    p.push(dataRow.subarray(8));
    expect(p.next()?.type).toBe("DataRow");
    expect(p.next()).toBeNull();
  });
});

describe("BackendParser rejects malformed input", () => {
  it("throws ProtocolError on a length below 4", () => {
    const p = new BackendParser();
    p.push(Buffer.from([0x5a, 0, 0, 0, 3, 0x49]));
    expect(() => p.next()).toThrow(ProtocolError);
  });

  it("throws ProtocolError on a length above maxMessageSize instead of buffering it", () => {
    const p = new BackendParser({ maxMessageSize: 1000 });
    p.push(frame("D", Buffer.alloc(500)));
    expect(p.next()?.type).toBe("DataRow");
    p.push(Buffer.from([0x44, 0x7f, 0xff, 0xff, 0xff]));
    expect(() => p.next()).toThrow(/exceeds maxMessageSize 1000/);
  });

  it("throws ProtocolError on an unknown message type", () => {
    const p = new BackendParser();
    p.push(frame("?", [1]));
    expect(() => p.next()).toThrow(/unknown backend message type 0x3f/);
  });

  it("throws ProtocolError on a truncated body and an unterminated string", () => {
    const p = new BackendParser();
    p.push(frame("K", int32(1)));
    expect(() => p.next()).toThrow(/truncated BackendKeyData/);
    p.push(frame("S", Buffer.from("no terminator")));
    expect(() => p.next()).toThrow(/unterminated string/);
  });

  it("throws ProtocolError on an invalid ReadyForQuery status", () => {
    const p = new BackendParser();
    p.push(frame("Z", [0x58]));
    expect(() => p.next()).toThrow(/ReadyForQuery status/);
  });
});

describe("BackendParser under corrupted input", () => {
  it("either parses or throws ProtocolError for thousands of mutated streams", () => {
    const stream = Buffer.concat([...samples.map(([, b]) => b), dataRow]);
    // Deterministic xorshift so a failure reproduces.
    let seed = 0x9e3779b9;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    for (let round = 0; round < 5000; round++) {
      const mutated = Buffer.from(stream);
      for (let k = 0, flips = 1 + rand(4); k < flips; k++) mutated[rand(mutated.length)] = rand(256);
      const p = new BackendParser();
      p.push(mutated);
      try {
        while (p.next() !== null);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw new Error(`round ${round}: ${String(err)}`);
      }
    }
  });
});
