// json and jsonb: values are parsed with JSON.parse on decode and serialised with JSON.stringify on
// encode (jsonb's binary form is a version byte, 1, then the text). A top-level string parameter is
// sent as-is (as JSON text, see params.ts); inside arrays strings are JSON strings.

import { ProtocolError } from "../errors.js";
import type { TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

function stringify(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`cannot encode ${typeof value} as JSON`);
  return text;
}

function parseJson(buf: Buffer, offset: number, length: number): unknown {
  return JSON.parse(buf.toString("utf8", offset, offset + length));
}

export const jsonCodec: TypeCodec<unknown> = {
  oid: Oid.json,
  arrayOid: ArrayOid.json,
  name: "json",
  format: "binary",
  encode(value, out) {
    out.writeString(stringify(value));
  },
  decode: parseJson,
  decodeText: parseJson,
};

export const jsonbCodec: TypeCodec<unknown> = {
  oid: Oid.jsonb,
  arrayOid: ArrayOid.jsonb,
  name: "jsonb",
  format: "binary",
  encode(value, out) {
    out.writeInt8(1);
    out.writeString(stringify(value));
  },
  decode(buf, offset, length) {
    if (buf[offset] !== 1) throw new ProtocolError(`unsupported jsonb binary version ${buf[offset]}`);
    return parseJson(buf, offset + 1, length - 1);
  },
  // jsonb's text output is plain JSON, without the version byte.
  decodeText: parseJson,
};
