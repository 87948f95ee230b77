// Proleptic Gregorian calendar arithmetic shared by the date/time codecs: day numbers <-> civil
// dates (astronomical years: 0 = 1 BC, as PostgreSQL counts internally), and PostgreSQL-style
// text for dates and times of day. Integer maths only, so it is exact outside JS Date's range too.

/** Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for date/timestamp. */
export const PG_EPOCH_DAYS = 10957;
export const PG_EPOCH_MS = PG_EPOCH_DAYS * 86_400_000;
export const US_PER_DAY = 86_400_000_000;

/** Days since 1970-01-01 of y-m-d (month 1..12). Howard Hinnant's days_from_civil. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil. */
export function civilFromDays(z: number): { y: number; m: number; d: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return { y: era * 400 + yoe + (m <= 2 ? 1 : 0), m, d };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** 'YYYY-MM-DD' (with ' BC' for years <= 0) for days since 1970-01-01, as PostgreSQL prints ISO dates. */
export function formatDate(unixDays: number): string {
  const { y, m, d } = civilFromDays(unixDays);
  const bc = y <= 0;
  return `${String(bc ? 1 - y : y).padStart(4, "0")}-${pad2(m)}-${pad2(d)}${bc ? " BC" : ""}`;
}

/** 'HH:MM:SS' plus '.ffffff' without trailing zeros (omitted when zero), for microseconds of the day. */
export function formatTimeOfDay(us: number): string {
  const secs = Math.floor(us / 1_000_000);
  const frac = us - secs * 1_000_000;
  const h = Math.floor(secs / 3600);
  const text = `${pad2(h)}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`;
  return frac === 0 ? text : `${text}.${String(frac).padStart(6, "0").replace(/0+$/, "")}`;
}

/** '+HH', '+HH:MM' or '+HH:MM:SS' for a UTC offset in seconds east of Greenwich. */
export function formatOffset(eastSeconds: number): string {
  const sign = eastSeconds < 0 ? "-" : "+";
  const a = Math.abs(eastSeconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor(a / 60) % 60;
  const s = a % 60;
  return `${sign}${pad2(h)}${m || s ? `:${pad2(m)}` : ""}${s ? `:${pad2(s)}` : ""}`;
}

const DATE_TEXT = /^(\d{1,7})-(\d{1,2})-(\d{1,2})/;

/** Parses 'YYYY-MM-DD' at the start of `text` (a trailing ' BC' is honoured); returns days since 1970-01-01. */
export function parseDate(text: string): { days: number; rest: string } | null {
  const m = DATE_TEXT.exec(text);
  if (!m) return null;
  const bc = / BC$/i.test(text);
  const year = bc ? 1 - Number(m[1]) : Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const days = daysFromCivil(year, month, day);
  // Reject impossible dates (2023-02-29, 2024-04-31) instead of rolling them into the next month.
  const check = civilFromDays(days);
  if (month < 1 || month > 12 || check.m !== month || check.d !== day) return null;
  return { days, rest: text.slice(m[0].length).replace(/ BC$/i, "") };
}

const TIME_TEXT = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?/;

/** Parses 'HH:MM[:SS[.ffffff]]' at the start of `text`; returns microseconds of the day. */
export function parseTimeOfDay(text: string): { us: number; rest: string } | null {
  const m = TIME_TEXT.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 24 || min > 59 || s > 60) return null;
  // Microseconds from the fraction, rounded half up at the 7th digit as PostgreSQL does.
  const digits = m[4] ?? "";
  const frac = Number(digits.slice(0, 6).padEnd(6, "0")) + (digits.charCodeAt(6) >= 0x35 ? 1 : 0);
  return { us: ((h * 60 + min) * 60 + s) * 1_000_000 + frac, rest: text.slice(m[0].length) };
}

const OFFSET_TEXT = /^\s*(?:(Z)|([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)\s*$/i;

/** Parses a UTC offset ('Z', '+05', '+05:30', '-0800', '+01:02:03'); returns seconds east, or null. */
export function parseOffset(text: string): number | null {
  const m = OFFSET_TEXT.exec(text);
  if (!m) return null;
  if (m[1]) return 0;
  const secs = Number(m[3]) * 3600 + Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0);
  return m[2] === "-" ? -secs : secs;
}
