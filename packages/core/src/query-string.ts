// Parses the raw query string of a URL ("a=1&b=x&b=y") into an object; repeated keys become
// arrays. One pass, decoding only the parts that contain `%` or `+`. It does not handle nested
// keys (`a[b]=1`) or validate anything.
import { unescape as lenientUnescape } from "node:querystring";

export type QueryObject = Record<string, string | string[]>;

const AMPERSAND = 38;
const EQUALS = 61;
const PERCENT = 37;
const PLUS = 43;

function decode(raw: string, needsDecoding: boolean): string {
  if (!needsDecoding) return raw;
  const spaced = raw.includes("+") ? raw.replace(/\+/g, " ") : raw;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Malformed escapes ("%zz") stay literal instead of failing the request.
    return lenientUnescape(spaced);
  }
}

/** Parses `raw` (without the leading `?`). Empty keys and `__proto__` are ignored. */
export function parseQueryString(raw: string): QueryObject {
  const result: QueryObject = {};
  const length = raw.length;
  let start = 0;
  while (start <= length) {
    let equals = -1;
    let keyEncoded = false;
    let valueEncoded = false;
    let end = start;
    for (; end < length; end++) {
      const code = raw.charCodeAt(end);
      if (code === AMPERSAND) break;
      if (code === EQUALS && equals === -1) equals = end;
      else if (code === PERCENT || code === PLUS) {
        if (equals === -1) keyEncoded = true;
        else valueEncoded = true;
      }
    }
    const keyEnd = equals === -1 ? end : equals;
    if (keyEnd > start) {
      const key = decode(raw.slice(start, keyEnd), keyEncoded);
      const value = equals === -1 ? "" : decode(raw.slice(equals + 1, end), valueEncoded);
      if (key !== "__proto__") {
        const existing = result[key];
        if (typeof existing === "string") result[key] = [existing, value];
        else if (Array.isArray(existing)) existing.push(value);
        else result[key] = value;
      }
    }
    start = end + 1;
  }
  return result;
}
