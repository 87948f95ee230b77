// COPY binary writer and reader on byte arrays: the exact header/tuple/trailer layout, round trips
// through arbitrary chunking, and rejection of malformed streams and rows.

import { describe, expect, it } from "vitest";
import { CopyBinaryReader, CopyBinaryWriter, Oid, ProtocolError, TypeRegistry } from "../src/index.js";

const registry = new TypeRegistry();

describe("CopyBinaryWriter", () => {
  it("writes the signature header, tuples and the -1 trailer", () => {
    const w = new CopyBinaryWriter([Oid.int4, Oid.text], registry);
    const bytes = w.header().row([1, null]).trailer().take();
    expect(bytes.toString("hex")).toBe(
      "5047434f50590aff0d0a00" +
        "00000000" +
        "00000000" +
        "0002" +
        "00000004" +
        "00000001" +
        "ffffffff" +
        "ffff",
    );
  });

  it("rejects rows of the wrong width and values the codec cannot encode, writing nothing", () => {
    const w = new CopyBinaryWriter([Oid.int4, Oid.text], registry);
    w.header();
    const before = w.length;
    expect(() => w.row([1])).toThrow(/expected 2/);
    expect(() => w.row(["x", "y"])).toThrow(TypeError);
    expect(w.length).toBe(before);
  });

  it("refuses a column type without a codec", () => {
    expect(() => new CopyBinaryWriter([600], registry)).toThrow(/no codec for type oid 600/);
  });
});

describe("CopyBinaryReader", () => {
  const oids = [Oid.int8, Oid.text, Oid.bytea];
  const rows = [
    [1n, "a", Buffer.from([1])],
    [2n, null, Buffer.alloc(70_000, 3)],
    [-3n, "ünïcode", null],
  ];
  const stream = new CopyBinaryWriter(oids, registry)
    .header()
    .row(rows[0]!)
    .row(rows[1]!)
    .row(rows[2]!)
    .trailer()
    .take();

  function readAll(chunks: Buffer[]): { rows: unknown[][]; done: boolean } {
    const r = new CopyBinaryReader(oids, registry);
    const out: unknown[][] = [];
    for (const c of chunks) {
      r.push(c);
      for (let row = r.next(); row !== null; row = r.next()) out.push(row);
    }
    return { rows: out, done: r.done };
  }

  it("reads rows back from one chunk", () => {
    expect(readAll([stream])).toEqual({ rows, done: true });
  });

  it("reads rows back across chunks of every small size", () => {
    for (const size of [1, 2, 3, 7, 19, 4096]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      expect(readAll(chunks)).toEqual({ rows, done: true });
    }
  });

  it("rejects a bad signature, a wrong field count and data after the trailer", () => {
    const bad = Buffer.from(stream);
    bad[0] = 0x51;
    expect(() => readAll([bad])).toThrow(/bad signature/);
    const narrow = new CopyBinaryWriter([Oid.int8], registry).header().row([1n]).take();
    expect(() => readAll([narrow])).toThrow(ProtocolError);
    const r = new CopyBinaryReader(oids, registry);
    r.push(stream);
    while (r.next() !== null);
    expect(r.done).toBe(true);
    expect(() => r.push(Buffer.from([0]))).toThrow(/after the trailer/);
  });
});
