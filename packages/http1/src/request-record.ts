// Reads one request out of the batch the addon hands over: raw head bytes plus a Uint32Array of
// spans (layout: Http1Callbacks.onRequests in @fasterapi/http1-native). Strings are made only when
// a field is asked for. It knows nothing about connections or responses.
import { RECORD_FIXED_WORDS } from "@fasterapi/http1-native";

/** Offset of the record after the one at `at`. */
export function nextRecord(meta: Uint32Array, at: number): number {
  return at + RECORD_FIXED_WORDS + 4 * (meta[at + 8] as number);
}

/** A copy of the record at `at` and of the head bytes it spans, with offsets rebased to the copy. */
export function detachRecord(
  bytes: Buffer,
  meta: Uint32Array,
  at: number,
): { bytes: Buffer; meta: Uint32Array } {
  const record = meta.slice(at, nextRecord(meta, at));
  const count = record[8] as number;
  // The method comes first in the head; the last span ends it (header values follow the path).
  const start = record[4] as number;
  const last = count === 0 ? 6 : RECORD_FIXED_WORDS + 4 * (count - 1) + 2;
  const end = (record[last] as number) + (record[last + 1] as number);
  record[4] = (record[4] as number) - start;
  record[6] = (record[6] as number) - start;
  for (let p = RECORD_FIXED_WORDS; p < record.length; p += 4) {
    record[p] = (record[p] as number) - start;
    record[p + 2] = (record[p + 2] as number) - start;
  }
  const copy = Buffer.allocUnsafe(end - start);
  bytes.copy(copy, 0, start, end);
  return { bytes: copy, meta: record };
}

// Methods are case-sensitive tokens; the common ones become interned literals without decoding.
export function readMethod(bytes: Buffer, off: number, len: number): string {
  const c = bytes[off];
  if (len === 3 && c === 0x47 && bytes[off + 1] === 0x45 && bytes[off + 2] === 0x54) return "GET";
  if (len === 4 && c === 0x50 && bytes[off + 1] === 0x4f) return "POST";
  if (len === 3 && c === 0x50 && bytes[off + 1] === 0x55 && bytes[off + 2] === 0x54) return "PUT";
  if (len === 4 && c === 0x48 && bytes[off + 1] === 0x45) return "HEAD";
  if (len === 6 && c === 0x44 && bytes[off + 1] === 0x45) return "DELETE";
  if (len === 5 && c === 0x50 && bytes[off + 1] === 0x41) return "PATCH";
  if (len === 7 && c === 0x4f && bytes[off + 1] === 0x50) return "OPTIONS";
  return bytes.toString("latin1", off, off + len);
}

/** First value of header `name` (lower-case), scanning the spans without building a record. */
export function findHeader(bytes: Buffer, meta: Uint32Array, at: number, name: string): string | undefined {
  const count = meta[at + 8] as number;
  const nameLength = name.length;
  for (let i = 0, p = at + RECORD_FIXED_WORDS; i < count; i++, p += 4) {
    if (meta[p + 1] !== nameLength) continue;
    const off = meta[p] as number;
    let same = true;
    for (let k = 0; k < nameLength; k++) {
      // ASCII lower-casing: header names are tokens, so | 0x20 only changes letters meaningfully.
      let b = bytes[off + k] as number;
      if (b >= 0x41 && b <= 0x5a) b |= 0x20;
      if (b !== name.charCodeAt(k)) {
        same = false;
        break;
      }
    }
    if (same) {
      const v = meta[p + 2] as number;
      return bytes.toString("latin1", v, v + (meta[p + 3] as number));
    }
  }
  return undefined;
}

/** All headers, lower-case names; repeats joined with ", " (cookie with "; "), set-cookie kept as an array. */
export function readHeaders(bytes: Buffer, meta: Uint32Array, at: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  const count = meta[at + 8] as number;
  for (let i = 0, p = at + RECORD_FIXED_WORDS; i < count; i++, p += 4) {
    const n = meta[p] as number;
    const v = meta[p + 2] as number;
    const name = bytes.toString("latin1", n, n + (meta[p + 1] as number)).toLowerCase();
    addField(out, name, bytes.toString("latin1", v, v + (meta[p + 3] as number)));
  }
  return out;
}

/**
 * A chunked body's trailer fields, from the addon's trailer section ("name: value\r\n" per line,
 * already validated), with readHeaders' names and repeat rules.
 */
export function readTrailerSection(section: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (let at = 0; at < section.length; ) {
    const end = section.indexOf("\r\n", at);
    const colon = section.indexOf(":", at);
    addField(out, section.slice(at, colon).toLowerCase(), section.slice(colon + 1, end).trim());
    at = end + 2;
  }
  return out;
}

// Repeats are joined with ", " (cookie with "; "); set-cookie is kept as an array.
function addField(out: Record<string, string | string[]>, name: string, value: string): void {
  const previous = out[name];
  if (previous === undefined) out[name] = name === "set-cookie" ? [value] : value;
  else if (Array.isArray(previous)) previous.push(value);
  else out[name] = `${previous}${name === "cookie" ? "; " : ", "}${value}`;
}
