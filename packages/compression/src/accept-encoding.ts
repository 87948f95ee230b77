// Accept-Encoding negotiation (RFC 9110 s. 12.5.3): parses q-values and picks the coding the
// client ranks highest, breaking ties by the server's preference. Pure: no headers are set here,
// and the caller decides what "nothing acceptable" (null) means for the response.

/** One parsed `coding;q=value` entry; `coding` is lower-case, "*" for the wildcard. */
interface Preference {
  coding: string;
  q: number;
}

const ZERO_WEIGHT = /q=0/i;

/**
 * A cheap pre-check: refusing identity takes a zero weight ("q=0", "q=0.0"...), so a header
 * without one never leads to 406 and callers on the hot path can skip parsing it.
 */
export function mayRefuseIdentity(header: string | undefined): header is string {
  return header !== undefined && ZERO_WEIGHT.test(header);
}

const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** Parses an Accept-Encoding value; malformed entries are ignored rather than failing the request. */
export function parseAcceptEncoding(header: string): Preference[] {
  const result: Preference[] = [];
  for (const part of header.split(",")) {
    const [rawCoding, ...params] = part.split(";");
    const coding = rawCoding?.trim().toLowerCase();
    if (!coding) continue;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "q") continue;
      const value = param.slice(eq + 1).trim();
      q = QVALUE.test(value) ? Number(value) : Number.NaN;
    }
    if (Number.isNaN(q)) continue;
    // x-gzip is an alias the RFC asks recipients to treat as gzip.
    result.push({ coding: coding === "x-gzip" ? "gzip" : coding, q });
  }
  return result;
}

/**
 * Picks the content coding for a response.
 * @param header the request's Accept-Encoding (undefined: no preference, so identity)
 * @param available codings the server can produce, most preferred first
 * @returns a member of `available`, "identity", or null when the client accepts none of them
 *   and has also refused identity (`identity;q=0`, or `*;q=0` without an identity entry).
 */
export function negotiateEncoding<T extends string>(
  header: string | undefined,
  available: readonly T[],
): T | "identity" | null {
  if (header === undefined) return "identity";
  const prefs = parseAcceptEncoding(header);
  const explicit = new Map<string, number>();
  let wildcard: number | undefined;
  for (const { coding, q } of prefs) {
    if (coding === "*") wildcard = q;
    // With duplicates the highest q wins: a client listing a coding twice surely accepts it.
    else explicit.set(coding, Math.max(q, explicit.get(coding) ?? 0));
  }
  const qOf = (coding: string): number => explicit.get(coding) ?? wildcard ?? 0;

  let best: T | undefined;
  let bestQ = 0;
  for (const coding of available) {
    const q = qOf(coding);
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  // Identity, when not listed (directly or through "*"), is acceptable but least preferred, as in
  // the widely used `negotiator`: a client listing only "gzip;q=0.5" still wants gzip.
  const identityQ = explicit.get("identity") ?? wildcard;
  if (best !== undefined && (identityQ === undefined || bestQ >= identityQ)) return best;
  if (identityQ === undefined || identityQ > 0) return "identity";
  return best ?? null;
}
