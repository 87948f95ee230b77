// Type codecs on byte arrays: known binary layouts (from PostgreSQL's send/recv functions), edge
// values, rejection of bad input, arrays, user-registered codecs and text conversion.

import { describe, expect, it } from "vitest";
import { ArrayOid, BufferWriter, Oid, type TypeCodec, TypeRegistry, toPgText } from "../src/index.js";

const registry = new TypeRegistry();

function codec(oid: number, reg = registry): TypeCodec {
  const c = reg.get(oid);
  if (!c) throw new Error(`no codec ${oid}`);
  return c;
}

function encode(oid: number, value: unknown, reg = registry): Buffer {
  const w = new BufferWriter(8);
  codec(oid, reg).encode(value, w);
  return w.take();
}

function decode(oid: number, bytes: Buffer | number[], reg = registry): unknown {
  // Decode from a non-zero offset inside a larger buffer, as rows are decoded in place.
  const b = Buffer.concat([Buffer.from([0xee, 0xee]), Buffer.from(bytes), Buffer.from([0xee])]);
  return codec(oid, reg).decode(b, 2, b.length - 3);
}

function roundTrip(oid: number, value: unknown, reg = registry): unknown {
  return decode(oid, encode(oid, value, reg), reg);
}

describe("numeric", () => {
  it("encodes base-10000 digits aligned on the decimal point", () => {
    // 12345.678: ndigits 3, weight 1, sign +, dscale 3, digits 1 2345 6780
    expect(encode(Oid.numeric, "12345.678").toString("hex")).toBe(
      "0003" + "0001" + "0000" + "0003" + "0001" + "0929" + "1a7c",
    );
    expect(encode(Oid.numeric, "-0.0001").toString("hex")).toBe("0001" + "ffff" + "4000" + "0004" + "0001");
    expect(encode(Oid.numeric, "0.00").toString("hex")).toBe("0000" + "0000" + "0000" + "0002");
    expect(encode(Oid.numeric, "NaN").toString("hex")).toBe("00000000c0000000");
  });

  it("decodes exactly, padding to dscale", () => {
    expect(decode(Oid.numeric, Buffer.from("000300010000000300010929 1a7c".replace(" ", ""), "hex"))).toBe(
      "12345.678",
    );
    expect(decode(Oid.numeric, Buffer.from("0001fffe0000000a0005", "hex"))).toBe("0.0000000500");
    expect(decode(Oid.numeric, Buffer.from("0000000000000000", "hex"))).toBe("0");
    expect(decode(Oid.numeric, Buffer.from("00000000d0000000", "hex"))).toBe("Infinity");
    expect(decode(Oid.numeric, Buffer.from("00000000f0000000", "hex"))).toBe("-Infinity");
  });

  it("round-trips exponent notation, numbers and bigints", () => {
    expect(roundTrip(Oid.numeric, "1.5E-7")).toBe("0.00000015");
    expect(roundTrip(Oid.numeric, "-2e3")).toBe("-2000");
    expect(roundTrip(Oid.numeric, 1e21)).toBe("1000000000000000000000");
    expect(roundTrip(Oid.numeric, -(2n ** 70n))).toBe("-1180591620717411303424");
    expect(roundTrip(Oid.numeric, "-0")).toBe("0");
    expect(roundTrip(Oid.numeric, ".5")).toBe("0.5");
  });

  it("rejects text that is not a number", () => {
    expect(() => encode(Oid.numeric, "12abc")).toThrow(/invalid numeric '12abc'/);
    expect(() => encode(Oid.numeric, ".")).toThrow(TypeError);
    expect(() => encode(Oid.numeric, {})).toThrow(TypeError);
  });
});

describe("integers and floats", () => {
  it("accepts integer strings and bigints, rejects junk", () => {
    expect(roundTrip(Oid.int8, "-9223372036854775808")).toBe(-(2n ** 63n));
    expect(roundTrip(Oid.int2, 123n)).toBe(123);
    expect(() => encode(Oid.int8, 2n ** 63n)).toThrow(RangeError);
    expect(() => encode(Oid.int4, "12.5")).toThrow(TypeError);
    expect(() => encode(Oid.int4, Number.NaN)).toThrow(RangeError);
  });

  it("decodes int8 as number or string by option", () => {
    const bytes = encode(Oid.int8, 2n ** 53n - 1n);
    expect(decode(Oid.int8, bytes, new TypeRegistry({ int8: "number" }))).toBe(2 ** 53 - 1);
    expect(decode(Oid.int8, bytes, new TypeRegistry({ int8: "string" }))).toBe("9007199254740991");
    expect(decode(Oid.int8, encode(Oid.int8, -5n), new TypeRegistry({ int8: "number" }))).toBe(-5);
  });

  it("decodes float4 to the shortest round-tripping decimal", () => {
    expect(roundTrip(Oid.float4, 0.1)).toBe(0.1);
    expect(roundTrip(Oid.float4, 16777217)).toBe(16777216);
    expect(roundTrip(Oid.float4, "-Infinity")).toBe(-Infinity);
    expect(roundTrip(Oid.float8, "NaN")).toBeNaN();
    expect(() => encode(Oid.float8, "one")).toThrow(TypeError);
  });
});

describe("uuid, bool, bytea, json", () => {
  it("formats uuid bytes and rejects malformed uuids", () => {
    const bytes = Buffer.from("a0eebc999c0b4ef8bb6d6bb9bd380a11", "hex");
    expect(decode(Oid.uuid, bytes)).toBe("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    expect(encode(Oid.uuid, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")).toEqual(bytes);
    expect(() => encode(Oid.uuid, "a0eebc99")).toThrow(/invalid uuid/);
  });

  it("requires booleans and byte arrays", () => {
    expect(() => encode(Oid.bool, 1)).toThrow(TypeError);
    expect(() => encode(Oid.bytea, "abc")).toThrow(TypeError);
  });

  it("copies bytea out of the source buffer", () => {
    const src = Buffer.from([1, 2, 3]);
    const value = codec(Oid.bytea).decode(src, 0, 3) as Buffer;
    src[0] = 9;
    expect([...value]).toEqual([1, 2, 3]);
  });

  it("writes jsonb with version byte 1 and refuses other versions", () => {
    expect(encode(Oid.jsonb, { a: "é" })).toEqual(
      Buffer.concat([Buffer.from([1]), Buffer.from('{"a":"é"}')]),
    );
    expect(() => decode(Oid.jsonb, [2, 0x7b, 0x7d])).toThrow(/jsonb binary version 2/);
    expect(() => encode(Oid.json, undefined)).toThrow(/cannot encode undefined as JSON/);
  });
});

describe("dates and times", () => {
  it("encodes dates as days since 2000-01-01 with infinity sentinels", () => {
    expect(encode(Oid.date, "2000-01-02").readInt32BE(0)).toBe(1);
    expect(encode(Oid.date, "1999-12-31").readInt32BE(0)).toBe(-1);
    expect(encode(Oid.date, "infinity").readInt32BE(0)).toBe(0x7fffffff);
    expect(encode(Oid.date, -Infinity).readInt32BE(0)).toBe(-0x80000000);
    expect(decode(Oid.date, encode(Oid.date, "0001-01-01 BC"))).toBe("0001-01-01 BC");
    expect(() => encode(Oid.date, "2024-13-01")).toThrow(/invalid date/);
    expect(() => encode(Oid.date, "2023-02-29")).toThrow(/invalid date/);
    expect(decode(Oid.date, encode(Oid.date, "2024-02-29"))).toBe("2024-02-29");
  });

  it("decodes timestamps far outside ±285 years exactly in string mode", () => {
    const reg = new TypeRegistry({ timestamp: "string" });
    for (const v of ["0001-01-01 00:00:00.000001", "9999-12-31 23:59:59.999999", "1000-06-15 12:00:00 BC"]) {
      expect(roundTrip(Oid.timestamp, v, reg)).toBe(v);
    }
    expect(roundTrip(Oid.timestamptz, "2024-01-01T00:00:00-05:30", reg)).toBe("2024-01-01 05:30:00+00");
    expect(roundTrip(Oid.timestamp, "2024-01-01 23:59:59.9999995", reg)).toBe("2024-01-02 00:00:00");
    expect(roundTrip(Oid.time, "10:00:00.1234564", reg)).toBe("10:00:00.123456");
  });

  it("refuses Dates outside JS range in Date mode with a clear error", () => {
    const bytes = encode(Oid.timestamptz, "200000-01-01 00:00:00+00");
    expect(() => decode(Oid.timestamptz, bytes)).not.toThrow();
    const tooFar = encode(Oid.timestamptz, "290000-01-01 00:00:00+00");
    expect(() => decode(Oid.timestamptz, tooFar)).toThrow(/outside JS Date's range/);
  });

  it("rejects unusable timestamp and time inputs", () => {
    expect(() => encode(Oid.timestamptz, new Date(Number.NaN))).toThrow(/Invalid Date/);
    expect(() => encode(Oid.timestamptz, "yesterday")).toThrow(/invalid timestamp/);
    expect(() => encode(Oid.time, "25:00")).toThrow(/invalid time/);
    expect(() => encode(Oid.timetz, "10:00")).toThrow(/invalid timetz/);
  });

  it("stores timetz zones as seconds west of UTC", () => {
    const b = encode(Oid.timetz, "10:00:00+02");
    expect(b.readBigInt64BE(0)).toBe(36_000_000_000n);
    expect(b.readInt32BE(8)).toBe(-7200);
  });

  it("encodes intervals as microseconds, days, months", () => {
    const b = encode(Oid.interval, { months: 3, days: -2, microseconds: 1 });
    expect(b.toString("hex")).toBe("0000000000000001" + "fffffffe" + "00000003");
    expect(roundTrip(Oid.interval, { months: 0, days: 1, microseconds: 2n })).toEqual({
      months: 0,
      days: 1,
      microseconds: 2,
    });
    expect(() => encode(Oid.interval, { days: 1.5 })).toThrow(/interval.days must be an integer/);
  });
});

describe("inet and cidr", () => {
  const cases: [number[], string][] = [
    [[2, 32, 0, 4, 127, 0, 0, 1], "127.0.0.1"],
    [[2, 8, 0, 4, 10, 1, 2, 3], "10.1.2.3/8"],
    [[3, 128, 0, 16, ...Array(15).fill(0), 1], "::1"],
    [[3, 128, 0, 16, ...Array(16).fill(0)], "::"],
    [[3, 64, 0, 16, 0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1], "2001:db8::1/64"],
    [[3, 128, 0, 16, 0, 1, ...Array(14).fill(0)], "1::"],
    [[3, 128, 0, 16, ...Array(10).fill(0), 0xff, 0xff, 1, 2, 3, 4], "::ffff:1.2.3.4"],
    [[3, 128, 0, 16, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 4], "1:0:2::3:0:4"],
  ];

  it("formats addresses like PostgreSQL and round-trips them", () => {
    for (const [bytes, text] of cases) {
      expect(decode(Oid.inet, bytes)).toBe(text);
      expect([...encode(Oid.inet, text)]).toEqual(bytes);
    }
  });

  it("always shows the prefix for cidr and rejects host bits", () => {
    expect(decode(Oid.cidr, [2, 32, 1, 4, 10, 0, 0, 1])).toBe("10.0.0.1/32");
    expect(() => encode(Oid.cidr, "10.0.0.1/8")).toThrow(/bits set right of the mask/);
    expect(() => encode(Oid.inet, "10.0.0.256")).toThrow(/invalid inet address/);
    expect(() => encode(Oid.inet, "10.0.0.1/33")).toThrow(/invalid prefix/);
  });
});

describe("arrays", () => {
  it("decodes the binary layout of a 2-D array with NULLs", () => {
    // '{{1,NULL},{3,4}}'::int4[]: ndim 2, has-nulls 1, elem 23, dims (2,1),(2,1), then elements.
    const hexBytes =
      "00000002" +
      "00000001" +
      "00000017" +
      "00000002" +
      "00000001" +
      "00000002" +
      "00000001" +
      "00000004" +
      "00000001" +
      "ffffffff" +
      "00000004" +
      "00000003" +
      "00000004" +
      "00000004";
    const bytes = Buffer.from(hexBytes, "hex");
    expect(decode(ArrayOid.int4, bytes)).toEqual([
      [1, null],
      [3, 4],
    ]);
    expect(
      encode(ArrayOid.int4, [
        [1, null],
        [3, 4],
      ]),
    ).toEqual(bytes);
  });

  it("encodes an empty array with zero dimensions", () => {
    expect(encode(ArrayOid.text, []).toString("hex")).toBe("00000000" + "00000000" + "00000019");
    expect(roundTrip(ArrayOid.text, [[], []])).toEqual([]);
  });

  it("rejects non-arrays and ragged arrays", () => {
    expect(() => encode(ArrayOid.int4, 5)).toThrow(/_int4 expects an array/);
    expect(() => encode(ArrayOid.int4, [[1], 2])).toThrow(/matching dimensions/);
    expect(() => encode(ArrayOid.int4, [1, [2]])).toThrow(/matching dimensions/);
  });

  it("uses array literals for text-format element types", () => {
    const reg = new TypeRegistry();
    reg.registerEnum("mood", 90001, 90002);
    expect(reg.formatOf(90002)).toBe(0);
    expect(encode(90002, ["a b", null, 'q"uote'], reg).toString()).toBe('{"a b",NULL,"q\\"uote"}');
    expect(decode(90002, Buffer.from('{"a b",NULL,plain,"q\\"uote"}'), reg)).toEqual([
      "a b",
      null,
      "plain",
      'q"uote',
    ]);
    expect(decode(90002, Buffer.from("{{a,b},{c,d}}"), reg)).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(() => decode(90002, Buffer.from("{a,b"), reg)).toThrow(/malformed array literal/);
  });
});

describe("TypeRegistry", () => {
  it("registers a custom binary codec with its array type and reports formats", () => {
    const reg = new TypeRegistry();
    const point: TypeCodec<{ x: number; y: number }> = {
      oid: 600,
      arrayOid: 1017,
      name: "point",
      format: "binary",
      encode(v, out) {
        out.writeFloat64(v.x);
        out.writeFloat64(v.y);
      },
      decode: (buf, o) => ({ x: buf.readDoubleBE(o), y: buf.readDoubleBE(o + 8) }),
    };
    expect(reg.formatOf(600)).toBe(0);
    reg.register(point);
    expect(reg.formatOf(600)).toBe(1);
    expect(reg.getByName("point")).toBe(point);
    expect(roundTrip(1017, [{ x: 1, y: 2 }, null], reg)).toEqual([{ x: 1, y: 2 }, null]);
    const fields = [600, 25, 123456].map((typeOid) => ({
      name: "c",
      tableOid: 0,
      columnAttr: 0,
      typeOid,
      typeSize: -1,
      typeMod: -1,
      format: 0,
    }));
    expect(reg.resultFormats(fields)).toEqual([1, 1, 0]);
  });

  it("rejects an invalid oid", () => {
    expect(() => new TypeRegistry().registerEnum("x", 0)).toThrow(/invalid oid/);
  });
});

describe("toPgText", () => {
  it("renders JS values as PostgreSQL text input", () => {
    expect(toPgText(true)).toBe("true");
    expect(toPgText(12n)).toBe("12");
    expect(toPgText(new Date("2024-01-02T03:04:05.678Z"))).toBe("2024-01-02T03:04:05.678Z");
    expect(toPgText(Buffer.from([0xde, 0xad]))).toBe("\\xdead");
    expect(
      toPgText([
        [1, null],
        ['a"b', "c\\d"],
      ]),
    ).toBe('{{"1",NULL},{"a\\"b","c\\\\d"}}');
    expect(toPgText({ a: [1] })).toBe('{"a":[1]}');
    expect(() => toPgText(Symbol("s"))).toThrow(TypeError);
  });
});
