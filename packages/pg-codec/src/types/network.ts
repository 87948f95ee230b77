// inet and cidr: family byte (2 = IPv4, 3 = IPv6), prefix bits, is-cidr flag, address length, address.
// Decoded to PostgreSQL's text form: inet omits a full-length prefix ('10.0.0.1', '10.0.0.1/8'),
// cidr always shows it; IPv6 is printed compressed (longest zero run as '::', IPv4-mapped tail).

import { isIPv4, isIPv6 } from "node:net";
import type { BufferWriter } from "../buffer-writer.js";
import { ProtocolError } from "../errors.js";
import type { TypeCodec } from "./codec.js";
import { ArrayOid, Oid } from "./oids.js";

const AF_INET = 2;
const AF_INET6 = 3;

function formatIPv6(b: Buffer, o: number): string {
  const words = new Array<number>(8);
  for (let i = 0; i < 8; i++) words[i] = b.readUInt16BE(o + 2 * i);
  // Longest run of at least two zero words (first one wins a tie) becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses keep a dotted tail.
  const v4Tail = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff));
  if (v4Tail) return `::${bestLen === 5 ? "ffff:" : ""}${b[o + 12]}.${b[o + 13]}.${b[o + 14]}.${b[o + 15]}`;
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      // An empty part between joins yields "::"; at either end it needs one more empty part.
      if (i === 0) parts.push("");
      parts.push("");
      i += bestLen - 1;
      if (i === 7) parts.push("");
      continue;
    }
    parts.push(words[i]!.toString(16));
  }
  return parts.join(":");
}

function decodeNet(buf: Buffer, offset: number, length: number, cidr: boolean): string {
  const family = buf[offset];
  const bits = buf[offset + 1]!;
  const n = buf[offset + 3]!;
  const a = offset + 4;
  if (length < 4 + n) throw new ProtocolError("truncated inet value");
  let address: string;
  let full: number;
  if (family === AF_INET && n === 4) {
    address = `${buf[a]}.${buf[a + 1]}.${buf[a + 2]}.${buf[a + 3]}`;
    full = 32;
  } else if (family === AF_INET6 && n === 16) {
    address = formatIPv6(buf, a);
    full = 128;
  } else throw new ProtocolError(`invalid inet family ${family} / length ${n}`);
  return cidr || bits !== full ? `${address}/${bits}` : address;
}

function parseIPv6(text: string): Buffer {
  const out = Buffer.alloc(16);
  let head = text;
  let tailV4: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".", lastColon)) {
    tailV4 = text
      .slice(lastColon + 1)
      .split(".")
      .map(Number);
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left, right] = head.split("::") as [string, string | undefined];
  const l = left === "" ? [] : left.split(":");
  const r = right === undefined || right === "" ? [] : right.split(":");
  const words =
    right === undefined ? l : [...l, ...new Array<string>(8 - l.length - r.length).fill("0"), ...r];
  for (let i = 0; i < 8; i++) out.writeUInt16BE(Number.parseInt(words[i]!, 16), 2 * i);
  if (tailV4.length === 4) for (let i = 0; i < 4; i++) out[12 + i] = tailV4[i]!;
  return out;
}

function encodeNet(value: unknown, out: BufferWriter, cidr: boolean): void {
  if (typeof value !== "string")
    throw new TypeError(`${cidr ? "cidr" : "inet"} expects a string, got ${typeof value}`);
  const text = value.trim();
  const slash = text.indexOf("/");
  const host = slash < 0 ? text : text.slice(0, slash);
  const v4 = isIPv4(host);
  if (!v4 && !isIPv6(host)) throw new TypeError(`invalid ${cidr ? "cidr" : "inet"} address '${value}'`);
  const full = v4 ? 32 : 128;
  const bits = slash < 0 ? full : Number(text.slice(slash + 1));
  if (
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > full ||
    (slash >= 0 && !/^\d+$/.test(text.slice(slash + 1)))
  ) {
    throw new TypeError(`invalid prefix length in '${value}'`);
  }
  const addr = v4 ? Buffer.from(host.split(".").map(Number)) : parseIPv6(host);
  if (cidr) {
    // cidr rejects host bits set to the right of the mask, as PostgreSQL does.
    for (let bit = bits; bit < full; bit++) {
      if (addr[bit >> 3]! & (0x80 >> (bit & 7)))
        throw new TypeError(`invalid cidr '${value}': bits set right of the mask`);
    }
  }
  out.writeInt8(v4 ? AF_INET : AF_INET6);
  out.writeInt8(bits);
  out.writeInt8(cidr ? 1 : 0);
  out.writeInt8(addr.length);
  out.writeBytes(addr);
}

export const inetCodec: TypeCodec<string> = {
  oid: Oid.inet,
  arrayOid: ArrayOid.inet,
  name: "inet",
  format: "binary",
  encode: (value, out) => encodeNet(value, out, false),
  decode: (buf, offset, length) => decodeNet(buf, offset, length, false),
};

export const cidrCodec: TypeCodec<string> = {
  oid: Oid.cidr,
  arrayOid: ArrayOid.cidr,
  name: "cidr",
  format: "binary",
  encode: (value, out) => encodeNet(value, out, true),
  decode: (buf, offset, length) => decodeNet(buf, offset, length, true),
};
