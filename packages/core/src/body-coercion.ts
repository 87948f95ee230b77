// Lax coercion of JSON body strings, as FastAPI's (pydantic's lax mode) and Fastify's defaults do:
// `"12"` becomes 12 for a number field, `"true"` becomes true for a boolean one. It runs only on
// the values Ajv already reported as the wrong type, so a valid body costs nothing extra. It never
// turns numbers into strings or null into anything (pydantic refuses both; Ajv's coerceTypes would not).
import type { ErrorObject } from "ajv";

/** A decimal number: optional sign, digits with an optional fraction, optional exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The value `text` stands for as one of the `expected` types, or undefined when it stands for none. */
function coerceString(text: string, expected: readonly string[]): number | boolean | undefined {
  const trimmed = text.trim();
  if (DECIMAL.test(trimmed)) {
    const n = Number(trimmed);
    if (Number.isFinite(n)) {
      if (expected.includes("number")) return n;
      if (expected.includes("integer") && Number.isInteger(n)) return n;
    }
  }
  if (expected.includes("boolean")) {
    if (trimmed === "true") return true;
    if (trimmed === "false") return false;
  }
  return undefined;
}

function unescapeSegment(raw: string): string {
  return raw.replace(/~1/g, "/").replace(/~0/g, "~");
}

/**
 * Replaces, inside `input`, every string that a "type" error in `errors` reports and that parses as
 * the expected number, integer or boolean. Returns the (possibly new) root value and whether
 * anything changed; the caller validates again when it did.
 */
export function coerceBodyStrings(
  input: unknown,
  errors: readonly ErrorObject[],
): { value: unknown; changed: boolean } {
  let root = input;
  let changed = false;
  for (const error of errors) {
    if (error.keyword !== "type" || typeof error.data !== "string") continue;
    const coerced = coerceString(error.data, String((error.params as { type: unknown }).type).split(","));
    if (coerced === undefined) continue;
    if (error.instancePath === "") {
      root = coerced;
      changed = true;
      continue;
    }
    const segments = error.instancePath.slice(1).split("/").map(unescapeSegment);
    const key = segments.pop() as string;
    let parent: unknown = root;
    for (const segment of segments) parent = (parent as Record<string, unknown>)[segment];
    if (
      typeof parent === "object" &&
      parent !== null &&
      (parent as Record<string, unknown>)[key] === error.data
    ) {
      (parent as Record<string, unknown>)[key] = coerced;
      changed = true;
    }
  }
  return { value: root, changed };
}
