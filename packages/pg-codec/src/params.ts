// Encodes Bind parameter values: picks each value's wire format from the parameter's type OID (as the
// statement's ParameterDescription reported it) and writes format codes + length-prefixed values.
// Rule: null/undefined -> NULL; Buffer/Uint8Array -> binary as-is; string -> text (the server parses
// it, so any type accepts its text form); other values -> the OID's codec, or PostgreSQL text if none.

import type { BufferWriter } from "./buffer-writer.js";
import type { TypeRegistry } from "./registry.js";
import { toPgText } from "./types/pg-text.js";

/** Writes the parameter-format and parameter-value sections of a Bind message. */
export function writeBindParams(
  w: BufferWriter,
  values: readonly unknown[],
  paramOids: readonly number[],
  registry: TypeRegistry,
): void {
  const n = values.length;
  if (n > 65535) throw new RangeError(`too many parameters (${n}); PostgreSQL accepts at most 65535`);
  w.writeUInt16(n);
  for (let i = 0; i < n; i++) w.writeInt16(paramFormat(values[i], paramOids[i], registry));
  w.writeUInt16(n);
  for (let i = 0; i < n; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      w.writeInt32(-1);
      continue;
    }
    const at = w.reserveLength();
    try {
      encodeParam(w, value, paramOids[i], registry);
    } catch (err) {
      if (err instanceof Error) err.message = `parameter $${i + 1}: ${err.message}`;
      throw err;
    }
    w.patchLength(at);
  }
}

function paramFormat(value: unknown, oid: number | undefined, registry: TypeRegistry): 0 | 1 {
  if (value === null || value === undefined) return 0;
  if (value instanceof Uint8Array) return 1;
  if (typeof value === "string") return 0;
  const codec = oid === undefined ? undefined : registry.get(oid);
  return codec?.format === "binary" ? 1 : 0;
}

function encodeParam(w: BufferWriter, value: unknown, oid: number | undefined, registry: TypeRegistry): void {
  if (value instanceof Uint8Array) w.writeBytes(value);
  else if (typeof value === "string") w.writeString(value);
  else {
    const codec = oid === undefined ? undefined : registry.get(oid);
    if (codec) codec.encode(value, w);
    else w.writeString(toPgText(value));
  }
}
