// float4 and float8: IEEE 754 big-endian. float4 decodes to the shortest decimal that round-trips
// through single precision (1.1, not 1.100000023841858), matching PostgreSQL's text output.
// Encoders take numbers, bigints or numeric strings (including 'NaN', 'Infinity', '-Infinity').

import { INLINE_DECODE, type TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

const FLOAT_STRING = /^\s*[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|infinity|inf|nan)\s*$/i;

function toFloat(value: unknown, type: string): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && FLOAT_STRING.test(value)) {
    const s = value.trim().toLowerCase();
    if (s.endsWith("nan")) return Number.NaN;
    if (s.endsWith("inf") || s.endsWith("infinity")) return s.startsWith("-") ? -Infinity : Infinity;
    return Number(s);
  }
  throw new TypeError(
    `${type} expects a number, got ${typeof value === "string" ? `'${value}'` : typeof value}`,
  );
}

function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  for (let precision = 6; precision < 9; precision++) {
    const candidate = Number(v.toPrecision(precision));
    if (Math.fround(candidate) === v) return candidate;
  }
  return Number(v.toPrecision(9));
}

export const float4Codec = {
  oid: Oid.float4,
  arrayOid: ArrayOid.float4,
  name: "float4",
  format: "binary",
  encode(value, out) {
    out.writeFloat32(toFloat(value, "float4"));
  },
  decode: (buf, offset) => shortestFloat32(buf.readFloatBE(offset)),
} as TypeCodec<number>;

export const float8Codec = {
  oid: Oid.float8,
  arrayOid: ArrayOid.float8,
  name: "float8",
  format: "binary",
  encode(value, out) {
    out.writeFloat64(toFloat(value, "float8"));
  },
  decode: (buf, offset) => buf.readDoubleBE(offset),
  [INLINE_DECODE]: "buf.readDoubleBE(p)",
} as TypeCodec<number>;
