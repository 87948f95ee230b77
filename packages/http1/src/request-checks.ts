// The RFC 9112 rules node:http (llhttp) lets through but the native parser enforces, checked on
// every parsed request before core sees it, so both HTTP/1.1 paths refuse the same requests: the
// Host rules of section 3.2, an HTTP major version other than 1, and a target that is none of
// the request-target forms (a '#' fragment, "*" outside OPTIONS). It only decides; the transport answers.
import type { IncomingMessage } from "node:http";

/**
 * Host = uri-host [":" port] (RFC 3986): a reg-name (unreserved, sub-delims, well-formed
 * %-escapes) or a bracketed IP-literal, then optional digits. Empty is allowed (a target URI
 * without authority). The same rule as is_valid_host in http1-native's parser.cc.
 */
const VALID_HOST = /^(?:\[[\w\-.~!$&'()*+,;=%:]+\]|(?:[\w\-.~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)(?::\d*)?$/;

const SLASH = 0x2f;

/** An origin-, absolute- or asterisk-form target without a fragment (authority-form is CONNECT's, which node routes elsewhere). */
function isValidTarget(method: string | undefined, url: string): boolean {
  if (url.includes("#")) return false;
  if (url.charCodeAt(0) === SLASH) return true;
  if (url === "*") return method === "OPTIONS";
  return /^https?:\/\/[^/?]/i.test(url);
}

/** The status the native parser would answer for this request's head, or 0 when it is acceptable. */
export function requestHeadViolation(req: IncomingMessage): number {
  if (req.httpVersionMajor !== 1) return 505;
  if (!isValidTarget(req.method, req.url ?? "")) return 400;
  const raw = req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length !== 4 || name.toLowerCase() !== "host") continue;
    if (++hosts > 1 || !VALID_HOST.test(raw[i + 1] as string)) return 400;
  }
  return hosts === 0 && req.httpVersionMinor === 1 ? 400 : 0;
}
