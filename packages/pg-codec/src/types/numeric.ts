// numeric: arbitrary precision decimal, kept exact as a string ('123.4500', 'NaN', 'Infinity',
// '-Infinity'). Binary form: int16 ndigits, int16 weight, uint16 sign, int16 dscale, then base-10000
// digits. Encoders take strings (incl. exponent notation), numbers and bigints; no arithmetic here.

import type { BufferWriter } from "../buffer-writer.js";
import { ProtocolError } from "../errors.js";
import type { TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

const POSITIVE = 0x0000;
const NEGATIVE = 0x4000;
const NAN = 0xc000;
const PINF = 0xd000;
const NINF = 0xf000;
const DSCALE_MAX = 0x3fff;

const SPECIAL: Record<string, number> = {
  nan: NAN,
  infinity: PINF,
  "+infinity": PINF,
  inf: PINF,
  "-infinity": NINF,
  "-inf": NINF,
};

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function decodeNumeric(buf: Buffer, offset: number): string {
  const ndigits = buf.readInt16BE(offset);
  const weight = buf.readInt16BE(offset + 2);
  const sign = buf.readUInt16BE(offset + 4);
  const dscale = buf.readInt16BE(offset + 6);
  if (sign === NAN) return "NaN";
  if (sign === PINF) return "Infinity";
  if (sign === NINF) return "-Infinity";
  if (sign !== POSITIVE && sign !== NEGATIVE)
    throw new ProtocolError(`invalid numeric sign 0x${sign.toString(16)}`);
  const d = (i: number): number => (i >= 0 && i < ndigits ? buf.readInt16BE(offset + 8 + 2 * i) : 0);

  let int = "";
  if (weight < 0) int = "0";
  else {
    int = String(d(0));
    for (let i = 1; i <= weight; i++) int += String(d(i)).padStart(4, "0");
  }
  let out = sign === NEGATIVE ? `-${int}` : int;
  if (dscale > 0) {
    let frac = "";
    for (let i = weight + 1; frac.length < dscale; i++) frac += String(d(i)).padStart(4, "0");
    out += `.${frac.slice(0, dscale)}`;
  }
  return out;
}

/** Canonical decimal text of a JS value, or the special values. */
function toDecimalText(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  throw new TypeError(`numeric expects a string, number or bigint, got ${typeof value}`);
}

function encodeNumeric(value: unknown, out: BufferWriter): void {
  const text = toDecimalText(value);
  const special = SPECIAL[text.toLowerCase()];
  if (special !== undefined) {
    writeHeader(out, 0, 0, special, 0);
    return;
  }
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw new TypeError(`invalid numeric '${text}'`);
  let intDigits = m[2]!;
  let fracDigits = m[3] ?? "";
  // Apply the exponent by moving the decimal point.
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 1_000_000)
    throw new RangeError(`numeric exponent out of range in '${text}'`);
  if (exp > 0) {
    const moved = fracDigits.padEnd(exp, "0");
    intDigits += moved.slice(0, exp);
    fracDigits = moved.slice(exp);
  } else if (exp < 0) {
    const padded = intDigits.padStart(-exp, "0");
    fracDigits = padded.slice(padded.length + exp) + fracDigits;
    intDigits = padded.slice(0, padded.length + exp);
  }
  const dscale = fracDigits.length;
  if (dscale > DSCALE_MAX) throw new RangeError(`numeric scale ${dscale} exceeds ${DSCALE_MAX}`);

  // Group into base-10000 digits aligned on the decimal point.
  intDigits = intDigits.replace(/^0+/, "");
  const intPadded = intDigits.padStart(Math.ceil(intDigits.length / 4) * 4, "0");
  const fracPadded = fracDigits.padEnd(Math.ceil(fracDigits.length / 4) * 4, "0");
  const groups: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) groups.push(Number(intPadded.slice(i, i + 4)));
  for (let i = 0; i < fracPadded.length; i += 4) groups.push(Number(fracPadded.slice(i, i + 4)));
  let weight = intPadded.length / 4 - 1;
  let first = 0;
  while (first < groups.length && groups[first] === 0) {
    first++;
    weight--;
  }
  let last = groups.length;
  while (last > first && groups[last - 1] === 0) last--;
  const negative = m[1] === "-" && last > first;
  if (last === first) weight = 0;
  if (weight > 32767 || weight < -32768) throw new RangeError(`numeric value '${text}' is out of range`);
  writeHeader(out, last - first, weight, negative ? NEGATIVE : POSITIVE, dscale);
  for (let i = first; i < last; i++) out.writeInt16(groups[i]!);
}

function writeHeader(out: BufferWriter, ndigits: number, weight: number, sign: number, dscale: number): void {
  out.writeInt16(ndigits);
  out.writeInt16(weight);
  out.writeUInt16(sign);
  out.writeInt16(dscale);
}

export const numericCodec: TypeCodec<string> = {
  oid: Oid.numeric,
  arrayOid: ArrayOid.numeric,
  name: "numeric",
  format: "binary",
  encode: encodeNumeric,
  decode: decodeNumeric,
};
