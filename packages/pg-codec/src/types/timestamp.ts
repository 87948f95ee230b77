// timestamp and timestamptz: int64 microseconds since 2000-01-01 00:00:00 (UTC for timestamptz);
// INT64_MAX/MIN mean +/-infinity. Decoded per TypeOptions.timestamp: a Date (microseconds truncated
// toward -infinity; +/-infinity become the numbers Infinity/-Infinity), or a lossless string.
// timestamp without time zone is read and written as UTC wall-clock time, never local time.

import {
  formatDate,
  formatTimeOfDay,
  PG_EPOCH_DAYS,
  PG_EPOCH_MS,
  parseDate,
  parseOffset,
  parseTimeOfDay,
  US_PER_DAY,
} from "./calendar.js";
import type { ResolvedTypeOptions, TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const MAX_DATE_MS = 8.64e15;

/** Floor division and non-negative remainder of a bigint by a positive bigint. */
function floorDivMod(a: bigint, b: bigint): [bigint, bigint] {
  let q = a / b;
  let r = a % b;
  if (r < 0n) {
    q -= 1n;
    r += b;
  }
  return [q, r];
}

function encodeTimestamp(value: unknown, withTz: boolean): bigint {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new RangeError("timestamp expects a valid Date, got Invalid Date");
    return BigInt(ms - PG_EPOCH_MS) * 1000n;
  }
  if (value === Infinity) return INT64_MAX;
  if (value === -Infinity) return INT64_MIN;
  if (typeof value !== "string") {
    throw new TypeError(`timestamp expects a Date, an ISO-8601 string or +/-Infinity, got ${typeof value}`);
  }
  const text = value.trim();
  const lower = text.toLowerCase();
  if (lower === "infinity" || lower === "+infinity") return INT64_MAX;
  if (lower === "-infinity") return INT64_MIN;
  const date = parseDate(text);
  if (date) {
    let rest = date.rest.replace(/^[T ]/i, "");
    let us = 0;
    const time = parseTimeOfDay(rest);
    if (time) {
      us = time.us;
      rest = time.rest;
    }
    const east = rest.trim() === "" ? 0 : parseOffset(rest);
    // timestamp (without tz) drops an explicit offset, as PostgreSQL's input does.
    if (east !== null)
      return (
        BigInt(date.days - PG_EPOCH_DAYS) * BigInt(US_PER_DAY) + BigInt(us - (withTz ? east * 1_000_000 : 0))
      );
  }
  throw new TypeError(`invalid timestamp '${value}' (expected YYYY-MM-DD[ HH:MM:SS[.ffffff]][+HH:MM])`);
}

export function timestampCodec(
  options: ResolvedTypeOptions,
  withTz: boolean,
): TypeCodec<Date | number | string> {
  const asString = options.timestamp === "string";
  const suffix = withTz ? "+00" : "";
  return {
    oid: withTz ? Oid.timestamptz : Oid.timestamp,
    arrayOid: withTz ? ArrayOid.timestamptz : ArrayOid.timestamp,
    name: withTz ? "timestamptz" : "timestamp",
    format: "binary",
    encode(value, out) {
      out.writeBigInt64(encodeTimestamp(value, withTz));
    },
    decode(buf, offset) {
      const hi = buf.readInt32BE(offset);
      const lo = buf.readUInt32BE(offset + 4);
      if (hi === 0x7fffffff && lo === 0xffffffff) return asString ? "infinity" : Infinity;
      if (hi === -0x80000000 && lo === 0) return asString ? "-infinity" : -Infinity;
      let days: number;
      let tod: number;
      if (hi > -0x200000 && hi < 0x200000) {
        // |us| < 2^53: exact in doubles (about 285 years either side of 2000).
        const us = hi * 4294967296 + lo;
        if (!asString) {
          // Floor division without `%` (a slow float modulo); the product check fixes rounding up.
          let ms = Math.floor(us / 1000);
          if (ms * 1000 > us) ms--;
          return new Date(ms + PG_EPOCH_MS);
        }
        days = Math.floor(us / US_PER_DAY);
        tod = us - days * US_PER_DAY;
      } else {
        const big = buf.readBigInt64BE(offset);
        if (!asString) {
          const ms = Number(floorDivMod(big, 1000n)[0]) + PG_EPOCH_MS;
          if (Math.abs(ms) > MAX_DATE_MS)
            throw new RangeError(`timestamp ${big}us is outside JS Date's range; use timestamp: "string"`);
          return new Date(ms);
        }
        const [q, r] = floorDivMod(big, BigInt(US_PER_DAY));
        days = Number(q);
        tod = Number(r);
      }
      const date = formatDate(days + PG_EPOCH_DAYS);
      const time = formatTimeOfDay(tod);
      return date.endsWith(" BC") ? `${date.slice(0, -3)} ${time}${suffix} BC` : `${date} ${time}${suffix}`;
    },
  };
}
