// bool: one byte, 1 = true. Encodes JS booleans only; other types are rejected rather than guessed.

import { INLINE_DECODE, type TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

export const boolCodec = {
  oid: Oid.bool,
  arrayOid: ArrayOid.bool,
  name: "bool",
  format: "binary",
  encode(value, out) {
    if (typeof value !== "boolean") throw new TypeError(`bool expects a boolean, got ${typeof value}`);
    out.writeInt8(value ? 1 : 0);
  },
  decode: (buf, offset) => buf[offset] === 1,
  decodeText: (buf, offset) => buf[offset] === 0x74, // 't'

  [INLINE_DECODE]: "buf[p] === 1",
} as TypeCodec<boolean>;
