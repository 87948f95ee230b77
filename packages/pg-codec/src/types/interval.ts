// interval: int64 microseconds, int32 days, int32 months (PostgreSQL keeps the three apart because a
// day is not always 24h and a month not a fixed number of days). Decoded to an Interval object; the
// time part is exact up to 2^53 µs (about 285 years), beyond which decoding throws a RangeError.

import type { TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

export interface Interval {
  months: number;
  days: number;
  microseconds: number;
}

function field(value: Record<string, unknown>, key: string): number {
  const v = value[key] ?? 0;
  if (typeof v !== "number" || !Number.isInteger(v))
    throw new TypeError(`interval.${key} must be an integer, got ${String(v)}`);
  return v;
}

export const intervalCodec: TypeCodec<Interval> = {
  oid: Oid.interval,
  arrayOid: ArrayOid.interval,
  name: "interval",
  format: "binary",
  encode(value, out) {
    if (typeof value !== "object" || value === null) {
      throw new TypeError(`interval expects { months, days, microseconds }, got ${typeof value}`);
    }
    const v = value as unknown as Record<string, unknown>;
    const us = v.microseconds ?? 0;
    if (typeof us === "bigint") out.writeBigInt64(us);
    else {
      if (typeof us !== "number" || !Number.isSafeInteger(us))
        throw new TypeError(`interval.microseconds must be an integer, got ${String(us)}`);
      out.writeBigInt64(BigInt(us));
    }
    out.writeInt32(field(v, "days"));
    out.writeInt32(field(v, "months"));
  },
  decode(buf, offset) {
    const microseconds = buf.readInt32BE(offset) * 4294967296 + buf.readUInt32BE(offset + 4);
    if (!Number.isSafeInteger(microseconds)) {
      throw new RangeError(`interval time part ${buf.readBigInt64BE(offset)}us exceeds 2^53 microseconds`);
    }
    return { months: buf.readInt32BE(offset + 12), days: buf.readInt32BE(offset + 8), microseconds };
  },
};
