// time and timetz: microseconds since midnight (int64), timetz adding an int32 zone offset in seconds
// WEST of UTC. Decoded to PostgreSQL's text form ('13:45:00.5', '13:45:00+05:30') since JS has no
// time-of-day type; encoders take those strings.

import { formatOffset, formatTimeOfDay, parseOffset, parseTimeOfDay } from "./calendar.js";
import type { TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

function readMicros(buf: Buffer, offset: number): number {
  // At most 24h = 8.64e10 µs: exact as a double.
  return buf.readInt32BE(offset) * 4294967296 + buf.readUInt32BE(offset + 4);
}

function parseTime(value: unknown, type: string): { us: number; rest: string } {
  const parsed = typeof value === "string" ? parseTimeOfDay(value.trim()) : null;
  if (!parsed || parsed.us > 86_400_000_000)
    throw new TypeError(`invalid ${type} '${String(value)}' (expected HH:MM:SS[.ffffff])`);
  return parsed;
}

export const timeCodec: TypeCodec<string> = {
  oid: Oid.time,
  arrayOid: ArrayOid.time,
  name: "time",
  format: "binary",
  encode(value, out) {
    const { us, rest } = parseTime(value, "time");
    if (rest.trim() !== "") throw new TypeError(`invalid time '${String(value)}'`);
    out.writeBigInt64(BigInt(us));
  },
  decode: (buf, offset) => formatTimeOfDay(readMicros(buf, offset)),
};

export const timetzCodec: TypeCodec<string> = {
  oid: Oid.timetz,
  arrayOid: ArrayOid.timetz,
  name: "timetz",
  format: "binary",
  encode(value, out) {
    const { us, rest } = parseTime(value, "timetz");
    const east = parseOffset(rest);
    if (east === null)
      throw new TypeError(`invalid timetz '${String(value)}' (expected HH:MM:SS[.ffffff]+HH[:MM])`);
    out.writeBigInt64(BigInt(us));
    out.writeInt32(-east);
  },
  decode: (buf, offset) =>
    formatTimeOfDay(readMicros(buf, offset)) + formatOffset(-buf.readInt32BE(offset + 8)),
};
