// JS value -> PostgreSQL text input, for parameters whose type has no binary codec (or is unknown to
// the client): the server parses the text into whatever type the statement expects.

import { formatArrayLiteral } from "./array-literal.js";

export function toPgText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "bigint":
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) throw new TypeError("null has no text form; it is sent as SQL NULL");
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new RangeError("cannot encode Invalid Date");
        return value.toISOString();
      }
      if (value instanceof Uint8Array)
        return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
      if (Array.isArray(value)) return formatArrayLiteral(value, toPgText);
      return JSON.stringify(value);
    default:
      throw new TypeError(`cannot encode a ${typeof value} as a PostgreSQL value`);
  }
}
