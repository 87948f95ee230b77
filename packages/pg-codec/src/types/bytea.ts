// bytea: raw bytes. Decoding copies out of the receive buffer so a value never pins (or aliases) a
// whole socket chunk. Encodes Buffer/Uint8Array only.

import { ProtocolError } from "../errors.js";
import type { TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

export const byteaCodec: TypeCodec<Buffer> = {
  oid: Oid.bytea,
  arrayOid: ArrayOid.bytea,
  name: "bytea",
  format: "binary",
  encode(value, out) {
    if (!(value instanceof Uint8Array))
      throw new TypeError(`bytea expects a Buffer or Uint8Array, got ${typeof value}`);
    out.writeBytes(value);
  },
  decode(buf, offset, length) {
    const copy = Buffer.allocUnsafe(length);
    buf.copy(copy, 0, offset, offset + length);
    return copy;
  },
  decodeText(buf, offset, length) {
    // bytea_output = hex (the default since PostgreSQL 9.0): '\x' then two hex digits per byte.
    if (buf[offset] !== 0x5c || buf[offset + 1] !== 0x78) {
      throw new ProtocolError("text-format bytea is not in hex output format (set bytea_output = hex)");
    }
    return Buffer.from(buf.toString("latin1", offset + 2, offset + length), "hex");
  },
};
