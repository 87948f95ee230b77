// Whether and how to encode one response, from facts about it: status, headers, body size and the
// request's Accept-Encoding. Pure, so every rule (threshold, no-transform, already encoded,
// content type, identity;q=0) is testable without a server; the plugin applies the result.
import { mayRefuseIdentity, negotiateEncoding } from "./accept-encoding.js";

export interface ResponseFacts {
  acceptEncoding: string | undefined;
  status: number;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  cacheControl: string | undefined;
  /** Size of a buffered body in bytes; undefined for a stream. */
  size: number | undefined;
}

export interface DecisionPolicy<C extends string> {
  /** Codings we can produce, most preferred first. */
  available: readonly C[];
  threshold: number;
  filter: (contentType: string | undefined) => boolean;
}

export type EncodingDecision<C extends string> =
  | { action: "encode"; coding: C }
  /** `vary`: the outcome depended on Accept-Encoding, so caches must key on it. */
  | { action: "skip"; vary: boolean };

const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;

/** Statuses whose body must stay as it is: none at all, or a byte range of the identity body. */
function statusExcluded(status: number): boolean {
  // 206: a byte range of the identity body must not be re-encoded (RFC 9110 s. 14.4).
  return status < 200 || status === 204 || status === 206 || status === 304;
}

export function decideEncoding<C extends string>(
  facts: ResponseFacts,
  policy: DecisionPolicy<C>,
): EncodingDecision<C> {
  if (statusExcluded(facts.status) || facts.size === 0) return { action: "skip", vary: false };
  if (facts.contentEncoding && facts.contentEncoding.toLowerCase() !== "identity") {
    return { action: "skip", vary: false };
  }
  if (facts.cacheControl && NO_TRANSFORM.test(facts.cacheControl)) return { action: "skip", vary: false };

  const worthIt =
    (facts.size === undefined || facts.size >= policy.threshold) && policy.filter(facts.contentType);
  if (worthIt) {
    const chosen = negotiateEncoding(facts.acceptEncoding, policy.available);
    return chosen === "identity" || chosen === null
      ? { action: "skip", vary: true }
      : { action: "encode", coding: chosen };
  }
  // Too small or incompressible, but if the client refused identity, encoding is the only way left.
  const accept = facts.acceptEncoding;
  if (!mayRefuseIdentity(accept) || negotiateEncoding(accept, []) !== null) {
    return { action: "skip", vary: false };
  }
  const chosen = negotiateEncoding(accept, policy.available);
  return chosen === null || chosen === "identity"
    ? { action: "skip", vary: false }
    : { action: "encode", coding: chosen };
}
