// The RFC 9112 rules node:http (llhttp) lets through but the native parser enforces, checked on
// every parsed request before core sees it, so both HTTP/1.1 paths refuse the same requests: the
// Host rules of section 3.2, an HTTP major version other than 1, a target that is none of the
// request-target forms (a '#' fragment, "*" outside OPTIONS) or longer than the native 8 KiB
// request line, and transfer codings other than a final chunked. It only decides; the transport
// answers. One pass over rawHeaders, no header object is built.
import type { IncomingMessage } from "node:http";

/** RFC 3986 reg-name bytes (unreserved, sub-delims, '%'), as is_host_char in http1-native's parser.cc. */
const HOST_CHAR = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=") {
  HOST_CHAR[c.charCodeAt(0)] = 1;
}
const COLON = 0x3a;

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

function isHostChar(c: number): boolean {
  return c < 128 && HOST_CHAR[c] === 1;
}

/**
 * Host = uri-host [":" port] (RFC 9112 section 3.2): a reg-name with well-formed %-escapes or a
 * bracketed IP-literal, then optional digits. Empty is allowed (a target URI without authority).
 * The same rule, byte for byte, as is_valid_host in http1-native's parser.cc; a loop, because a
 * regular expression costs several times more on every request.
 */
function isValidHost(value: string): boolean {
  const n = value.length;
  let i = 0;
  if (n > 0 && value.charCodeAt(0) === 0x5b) {
    for (i = 1; i < n && value.charCodeAt(i) !== 0x5d; i++) {
      const c = value.charCodeAt(i);
      if (!isHostChar(c) && c !== COLON) return false;
    }
    if (i === n || i === 1) return false;
    i++; // past ']'
  } else {
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c === COLON) break;
      if (!isHostChar(c)) return false;
      if (c === 0x25 && !(isHex(value.charCodeAt(i + 1)) && isHex(value.charCodeAt(i + 2)))) return false;
    }
  }
  if (i === n) return true;
  if (value.charCodeAt(i) !== COLON) return false;
  for (i++; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

const SLASH = 0x2f;

/** The native parser's request-line limit (Limits::max_request_line), CRLF not counted. */
const MAX_REQUEST_LINE = 8 * 1024;

/**
 * An origin-, absolute- or asterisk-form target without a fragment. (Authority-form is CONNECT's,
 * which node hands to 'connect' listeners, never to 'request'.)
 */
function isValidTarget(method: string | undefined, url: string): boolean {
  if (url.includes("#")) return false;
  if (url.charCodeAt(0) === SLASH) return true;
  if (url === "*") return method === "OPTIONS";
  return /^https?:\/\/[^/?]/i.test(url);
}

/** The status the native parser would answer for this request's head, or 0 when it is acceptable. */
export function requestHeadViolation(req: IncomingMessage): number {
  if (req.httpVersionMajor !== 1) return 505;
  const url = req.url ?? "";
  // method SP target SP "HTTP/1.x"
  if ((req.method?.length ?? 0) + url.length + 10 > MAX_REQUEST_LINE) return 414;
  if (!isValidTarget(req.method, url)) return 400;
  const raw = req.rawHeaders;
  let hosts = 0;
  let chunked = 0;
  let otherCoding = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 4 && (name === "Host" || name === "host" || name.toLowerCase() === "host")) {
      if (++hosts > 1 || !isValidHost(raw[i + 1] as string)) return 400;
    } else if (name.length === 17 && name.toLowerCase() === "transfer-encoding") {
      if (req.httpVersionMinor === 0) return 400; // HTTP/1.0 has no transfer codings
      for (const coding of (raw[i + 1] as string).split(",")) {
        const trimmed = coding.trim().toLowerCase();
        if (trimmed === "chunked") chunked++;
        else if (trimmed !== "") otherCoding = true;
      }
    }
  }
  if (hosts === 0 && req.httpVersionMinor === 1) return 400;
  // node accepted the framing, so chunked came last: a repeat is malformed, any other coding unknown.
  if (chunked > 1) return 400;
  return otherCoding ? 501 : 0;
}
