// Character types (text, varchar, name, bpchar, "char") and the generic text codec used for enums:
// the binary form of these types is their UTF-8 text, so one codec serves both formats. Non-string
// JS values are converted with PostgreSQL text rules (toPgText).

import type { BufferWriter } from "../buffer-writer.js";
import { INLINE_DECODE, type TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";
import { toPgText } from "./pg-text.js";

function encodeText(value: unknown, out: BufferWriter): void {
  out.writeString(typeof value === "string" ? value : toPgText(value));
}

function decodeText(buf: Buffer, offset: number, length: number): string {
  return buf.toString("utf8", offset, offset + length);
}

/** A text-format codec for `oid` (enums and other types whose values are best kept as their text). */
export function textCodec(oid: number, name: string): TypeCodec<string> {
  return { oid, name, format: "text", encode: encodeText, decode: decodeText };
}

function binaryText(oid: number, arrayOid: number | undefined, name: string): TypeCodec<string> {
  return {
    oid,
    ...(arrayOid === undefined ? {} : { arrayOid }),
    name,
    format: "binary",
    encode: encodeText,
    decode: decodeText,
    decodeText,
    [INLINE_DECODE]: "$TEXT",
  } as TypeCodec<string>;
}

export const textFamilyCodecs: TypeCodec<string>[] = [
  binaryText(Oid.text, ArrayOid.text, "text"),
  binaryText(Oid.varchar, ArrayOid.varchar, "varchar"),
  binaryText(Oid.name, ArrayOid.name, "name"),
  binaryText(Oid.bpchar, ArrayOid.bpchar, "bpchar"),
  binaryText(Oid.char, ArrayOid.char, "char"),
  // 'unknown' (untyped literals such as SELECT 'x') is sent as its text.
  binaryText(Oid.unknown, undefined, "unknown"),
];
