// The compiled row decoder on hand-built DataRow bytes: object and array modes, NULLs, per-column
// formats, unknown types, batch decoding, and awkward field names.

import { describe, expect, it } from "vitest";
import {
  BackendParser,
  BufferWriter,
  compileRowDecoder,
  type FieldDescription,
  Oid,
  TypeRegistry,
} from "../src/index.js";

const registry = new TypeRegistry();

function field(name: string, typeOid: number, format = 1): FieldDescription {
  return { name, tableOid: 0, columnAttr: 0, typeOid, typeSize: -1, typeMod: -1, format };
}

/** Builds a framed DataRow from already-encoded column values (null = SQL NULL). */
function dataRow(values: (Buffer | null)[]): Buffer {
  const w = new BufferWriter(16);
  w.writeInt8(0x44);
  const at = w.reserveLength();
  w.writeInt16(values.length);
  for (const v of values) {
    if (v === null) w.writeInt32(-1);
    else {
      w.writeInt32(v.length);
      w.writeBytes(v);
    }
  }
  w.patchMessageLength(at);
  return w.take();
}

function enc(oid: number, value: unknown): Buffer {
  const w = new BufferWriter(8);
  registry.get(oid)!.encode(value, w);
  return w.take();
}

const fields = [
  field("id", Oid.int4),
  field("name", Oid.text),
  field("big", Oid.int8),
  field("at", Oid.timestamptz),
  field("ok", Oid.bool),
];
const row = dataRow([
  enc(Oid.int4, 7),
  enc(Oid.text, "zoë"),
  enc(Oid.int8, 5n),
  enc(Oid.timestamptz, new Date(0)),
  null,
]);

describe("compileRowDecoder", () => {
  it("builds objects keyed by field name", () => {
    const d = compileRowDecoder(fields, registry);
    expect(d.decodeRow(row, 5)).toEqual({ id: 7, name: "zoë", big: 5n, at: new Date(0), ok: null });
  });

  it("builds arrays in array mode", () => {
    const d = compileRowDecoder(fields, registry, { rowMode: "array" });
    expect(d.rowMode).toBe("array");
    expect(d.decodeRow(row, 5)).toEqual([7, "zoë", 5n, new Date(0), null]);
  });

  it("decodes text-format columns of known types to typed values, unknown ones as strings or bytes", () => {
    const d = compileRowDecoder(
      [
        field("n", Oid.int4, 0),
        field("b", Oid.bool, 0),
        field("i", Oid.interval, 0),
        field("p", 600, 0),
        field("x", 600, 1),
      ],
      registry,
    );
    const r = dataRow([
      Buffer.from("42"),
      Buffer.from("t"),
      Buffer.from("1 day"),
      Buffer.from("(1,2)"),
      Buffer.from([1, 2]),
    ]);
    expect(d.decodeRow(r, 5)).toEqual({ n: 42, b: true, i: "1 day", p: "(1,2)", x: Buffer.from([1, 2]) });
  });

  it("reports unreadable text-format values as ProtocolError", () => {
    const d = compileRowDecoder([field("n", Oid.int4, 0)], registry);
    expect(() => d.decodeRow(dataRow([Buffer.from("forty")]), 5)).toThrow(
      /cannot read text-format int4 'forty'/,
    );
  });

  it("lets explicit formats override the RowDescription's", () => {
    const d = compileRowDecoder([field("n", Oid.int4, 0)], registry, { formats: [1] });
    expect(d.decodeRow(dataRow([enc(Oid.int4, -3)]), 5)).toEqual({ n: -3 });
  });

  it("decodes a batch of rows from one buffer by offsets", () => {
    const d = compileRowDecoder(fields, registry, { rowMode: "array" });
    const two = Buffer.concat([row, row]);
    const p = new BackendParser();
    p.push(two);
    const offsets = [...p].map((m) => (m.type === "DataRow" ? m.offset : -1));
    const out: unknown[] = [];
    d.decodeRows(two, offsets, 2, out);
    expect(out).toEqual([d.decodeRow(row, 5), d.decodeRow(row, 5)]);
  });

  it("quotes any field name and keeps __proto__ an own property", () => {
    const names = ['we"ird\\name', "__proto__", "a b", "1"];
    const d = compileRowDecoder(
      names.map((n) => field(n, Oid.int4)),
      registry,
    );
    const r = d.decodeRow(
      dataRow([enc(Oid.int4, 1), enc(Oid.int4, 2), enc(Oid.int4, 3), enc(Oid.int4, 4)]),
      5,
    ) as Record<string, number>;
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.entries(r).sort()).toEqual(
      [
        ['we"ird\\name', 1],
        ["__proto__", 2],
        ["a b", 3],
        ["1", 4],
      ].sort(),
    );
  });

  it("throws when a DataRow's column count disagrees with the description", () => {
    const d = compileRowDecoder(fields, registry);
    expect(() => d.decodeRow(dataRow([null]), 5)).toThrow(/DataRow has 1 columns, RowDescription 5/);
  });

  it("uses the registry's codecs, so a replaced codec takes effect", () => {
    const reg = new TypeRegistry();
    reg.register({
      oid: Oid.int4,
      name: "int4",
      format: "binary",
      encode: () => {},
      decode: (b, o) => `#${b.readInt32BE(o)}`,
    });
    const d = compileRowDecoder([field("n", Oid.int4)], reg);
    expect(d.decodeRow(dataRow([enc(Oid.int4, 9)]), 5)).toEqual({ n: "#9" });
  });
});
