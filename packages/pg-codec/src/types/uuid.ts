// uuid: 16 bytes <-> the canonical lower-case 8-4-4-4-12 string. Encoding accepts upper case, braces
// and missing hyphens, as PostgreSQL's own input does.

import type { TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export const uuidCodec: TypeCodec<string> = {
  oid: Oid.uuid,
  arrayOid: ArrayOid.uuid,
  name: "uuid",
  format: "binary",
  encode(value, out) {
    const hex = typeof value === "string" ? value.replace(/^\{|\}$/g, "").replaceAll("-", "") : "";
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TypeError(`invalid uuid '${String(value)}'`);
    out.writeBytes(Buffer.from(hex, "hex"));
  },
  decode(b, o) {
    return `${HEX[b[o]!]}${HEX[b[o + 1]!]}${HEX[b[o + 2]!]}${HEX[b[o + 3]!]}-${HEX[b[o + 4]!]}${HEX[b[o + 5]!]}-${HEX[b[o + 6]!]}${HEX[b[o + 7]!]}-${HEX[b[o + 8]!]}${HEX[b[o + 9]!]}-${HEX[b[o + 10]!]}${HEX[b[o + 11]!]}${HEX[b[o + 12]!]}${HEX[b[o + 13]!]}${HEX[b[o + 14]!]}${HEX[b[o + 15]!]}`;
  },
};
