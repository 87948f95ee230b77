// int2, int4, int8 and oid: fixed-width big-endian integers. Encoders take numbers, bigints or decimal
// strings and reject non-integers and out-of-range values with a RangeError instead of wrapping.
// int8 decodes to bigint, number (exact or RangeError) or string, per TypeOptions.int8.

import { INLINE_DECODE, type ResolvedTypeOptions, type TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

const INTEGER_STRING = /^\s*[+-]?\d+\s*$/;

/** Converts an integer-like JS value to a bigint, checking it lies in [min, max]. */
function toBigIntInRange(value: unknown, min: bigint, max: bigint, type: string): bigint {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new RangeError(`${type} expects an integer, got ${value}`);
    v = BigInt(value);
  } else if (typeof value === "string" && INTEGER_STRING.test(value)) v = BigInt(value.trim());
  else
    throw new TypeError(`${type} expects an integer (number, bigint or decimal string), got ${typeof value}`);
  if (v < min || v > max) throw new RangeError(`${String(value)} is out of range for ${type}`);
  return v;
}

/** Fast path for small integers given as numbers; falls back to the general conversion. */
function toSmallInt(value: unknown, min: number, max: number, type: string): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  return Number(toBigIntInRange(value, BigInt(min), BigInt(max), type));
}

export const int2Codec = {
  oid: Oid.int2,
  arrayOid: ArrayOid.int2,
  name: "int2",
  format: "binary",
  encode(value, out) {
    out.writeInt16(toSmallInt(value, -32768, 32767, "int2"));
  },
  decode: (buf, offset) => buf.readInt16BE(offset),
  [INLINE_DECODE]: "buf.readInt16BE(p)",
} as TypeCodec<number>;

export const int4Codec = {
  oid: Oid.int4,
  arrayOid: ArrayOid.int4,
  name: "int4",
  format: "binary",
  encode(value, out) {
    out.writeInt32(toSmallInt(value, -2147483648, 2147483647, "int4"));
  },
  decode: (buf, offset) => buf.readInt32BE(offset),
  [INLINE_DECODE]: "buf.readInt32BE(p)",
} as TypeCodec<number>;

export const oidCodec = {
  oid: Oid.oid,
  arrayOid: ArrayOid.oid,
  name: "oid",
  format: "binary",
  encode(value, out) {
    out.writeUInt32(toSmallInt(value, 0, 4294967295, "oid"));
  },
  decode: (buf, offset) => buf.readUInt32BE(offset),
  [INLINE_DECODE]: "buf.readUInt32BE(p)",
} as TypeCodec<number>;

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

function decodeInt8Number(buf: Buffer, offset: number): number {
  const v = buf.readInt32BE(offset) * 4294967296 + buf.readUInt32BE(offset + 4);
  if (!Number.isSafeInteger(v)) {
    throw new RangeError(
      `int8 value ${buf.readBigInt64BE(offset)} is not exact as a number; use int8: "bigint" or "string"`,
    );
  }
  return v;
}

export function int8Codec(options: ResolvedTypeOptions): TypeCodec<bigint | number | string> {
  const encode: TypeCodec["encode"] = (value, out) => {
    out.writeBigInt64(toBigIntInRange(value, INT8_MIN, INT8_MAX, "int8"));
  };
  const base = { oid: Oid.int8, arrayOid: ArrayOid.int8, name: "int8", format: "binary" as const, encode };
  switch (options.int8) {
    case "number":
      return { ...base, decode: decodeInt8Number } as TypeCodec<number>;
    case "string":
      return { ...base, decode: (buf, offset) => buf.readBigInt64BE(offset).toString() } as TypeCodec<string>;
    default:
      return {
        ...base,
        decode: (buf, offset) => buf.readBigInt64BE(offset),
        [INLINE_DECODE]: "buf.readBigInt64BE(p)",
      } as TypeCodec<bigint>;
  }
}
