// date: int32 days since 2000-01-01; INT32_MAX/MIN mean +/-infinity. Decodes to 'YYYY-MM-DD'
// (' BC' suffix, 'infinity'/'-infinity') or, with TypeOptions.date = "date", to a Date at UTC
// midnight (Infinity/-Infinity numbers for the infinities). Dates are never shifted by local time.

import { formatDate, PG_EPOCH_DAYS, parseDate } from "./calendar.js";
import type { ResolvedTypeOptions, TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

const PINF = 0x7fffffff;
const NINF = -0x80000000;
const MS_PER_DAY = 86_400_000;

/** Days since 2000-01-01 (or the infinity sentinels) for a JS date value. */
function toPgDays(value: unknown): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new RangeError("date expects a valid Date, got Invalid Date");
    return Math.floor(ms / MS_PER_DAY) - PG_EPOCH_DAYS;
  }
  if (value === Infinity) return PINF;
  if (value === -Infinity) return NINF;
  if (typeof value === "string") {
    const s = value.trim().toLowerCase();
    if (s === "infinity" || s === "+infinity") return PINF;
    if (s === "-infinity") return NINF;
    const parsed = parseDate(value.trim());
    if (parsed && parsed.rest.trim() === "") return parsed.days - PG_EPOCH_DAYS;
    throw new TypeError(`invalid date '${value}' (expected YYYY-MM-DD)`);
  }
  throw new TypeError(`date expects a Date, a 'YYYY-MM-DD' string or +/-Infinity, got ${typeof value}`);
}

export function dateCodec(options: ResolvedTypeOptions): TypeCodec<string | Date | number> {
  const asDate = options.date === "date";
  return {
    oid: Oid.date,
    arrayOid: ArrayOid.date,
    name: "date",
    format: "binary",
    encode(value, out) {
      out.writeInt32(toPgDays(value));
    },
    decode(buf, offset) {
      const days = buf.readInt32BE(offset);
      if (days === PINF) return asDate ? Infinity : "infinity";
      if (days === NINF) return asDate ? -Infinity : "-infinity";
      return asDate ? new Date((days + PG_EPOCH_DAYS) * MS_PER_DAY) : formatDate(days + PG_EPOCH_DAYS);
    },
  };
}
