// Arrays of any registered element type, as nested JS arrays (multi-dimensional, NULL elements,
// empty arrays as []). Binary form: int32 ndim, int32 has-nulls flag, uint32 element oid, (size, lower
// bound) per dimension, then length-prefixed elements. Lower bounds are not preserved (JS arrays
// start at 0). Text-format element types (enums) use the '{...}' literal instead.

import { BufferWriter } from "../buffer-writer.js";
import { ProtocolError } from "../errors.js";
import { type ArrayLiteral, formatArrayLiteral, parseArrayLiteral } from "./array-literal.js";
import type { TypeCodec } from "./codec.js";
import { Oid } from "./oids.js";

const MAX_DIMENSIONS = 6;

/** Dimensions of nested JS arrays, following first elements. JSON element types nest values, not dimensions. */
function dimensionsOf(value: readonly unknown[], nestable: boolean): number[] {
  const dims: number[] = [];
  let v: unknown = value;
  while (Array.isArray(v) && (nestable || dims.length === 0)) {
    dims.push(v.length);
    if (v.length === 0) return [];
    v = v[0];
  }
  if (dims.length > MAX_DIMENSIONS) throw new RangeError(`arrays have at most ${MAX_DIMENSIONS} dimensions`);
  return dims;
}

function decodeBinaryArray(element: TypeCodec, buf: Buffer, offset: number): unknown[] {
  const ndim = buf.readInt32BE(offset);
  if (ndim === 0) return [];
  if (ndim < 0 || ndim > MAX_DIMENSIONS) throw new ProtocolError(`invalid array dimension count ${ndim}`);
  const dims = new Array<number>(ndim);
  for (let d = 0; d < ndim; d++) dims[d] = buf.readInt32BE(offset + 12 + 8 * d);
  const state = { p: offset + 12 + 8 * ndim };
  const level = (d: number): unknown[] => {
    const n = dims[d]!;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      if (d + 1 < ndim) {
        out[i] = level(d + 1);
        continue;
      }
      const len = buf.readInt32BE(state.p);
      state.p += 4;
      if (len < 0) out[i] = null;
      else {
        out[i] = element.decode(buf, state.p, len);
        state.p += len;
      }
    }
    return out;
  };
  return level(0);
}

function encodeBinaryArray(element: TypeCodec, value: readonly unknown[], out: BufferWriter): void {
  const json = element.oid === Oid.json || element.oid === Oid.jsonb;
  const dims = dimensionsOf(value, !json);
  out.writeInt32(dims.length);
  const flagsAt = out.length;
  out.writeInt32(0);
  out.writeUInt32(element.oid);
  for (const size of dims) {
    out.writeInt32(size);
    out.writeInt32(1);
  }
  if (dims.length === 0) return;
  let hasNull = false;
  const level = (v: readonly unknown[], d: number): void => {
    if (v.length !== dims[d])
      throw new RangeError("multidimensional arrays must have sub-arrays of matching dimensions");
    for (const item of v) {
      if (d + 1 < dims.length) {
        if (!Array.isArray(item))
          throw new RangeError("multidimensional arrays must have sub-arrays of matching dimensions");
        level(item, d + 1);
      } else if (item === null || item === undefined) {
        hasNull = true;
        out.writeInt32(-1);
      } else {
        if (Array.isArray(item) && !json) {
          throw new RangeError("multidimensional arrays must have sub-arrays of matching dimensions");
        }
        const at = out.reserveLength();
        element.encode(item, out);
        out.patchLength(at);
      }
    }
  };
  level(value, 0);
  if (hasNull) out.buf.writeInt32BE(1, flagsAt);
}

/** Converts parsed literal elements with `read` (an element codec's text decoder). */
function convertLiteral(read: TypeCodec["decode"], parsed: ArrayLiteral): unknown[] {
  return parsed.map((item) => {
    if (item === null) return null;
    if (Array.isArray(item)) return convertLiteral(read, item);
    const bytes = Buffer.from(item, "utf8");
    return read(bytes, 0, bytes.length);
  });
}

function decodeLiteral(read: TypeCodec["decode"], buf: Buffer, offset: number, length: number): unknown[] {
  return convertLiteral(read, parseArrayLiteral(buf.toString("utf8", offset, offset + length)));
}

/** A codec for arrays of `element`, registered under `arrayOid`. */
export function arrayCodec(element: TypeCodec, arrayOid: number): TypeCodec<unknown[]> {
  const name = `_${element.name}`;
  if (element.format === "text") {
    const scratch = new BufferWriter(256);
    const elementText = (v: unknown): string => {
      element.encode(v, scratch);
      return scratch.take().toString("utf8");
    };
    return {
      oid: arrayOid,
      name,
      format: "text",
      encode(value, out) {
        if (!Array.isArray(value)) throw new TypeError(`${name} expects an array, got ${typeof value}`);
        out.writeString(formatArrayLiteral(value, elementText));
      },
      decode: (buf, offset, length) =>
        decodeLiteral((b, o, l) => element.decode(b, o, l), buf, offset, length),
    };
  }
  return {
    oid: arrayOid,
    name,
    format: "binary",
    encode(value, out) {
      if (!Array.isArray(value)) throw new TypeError(`${name} expects an array, got ${typeof value}`);
      encodeBinaryArray(element, value, out);
    },
    decode: (buf, offset) => decodeBinaryArray(element, buf, offset),
    ...(element.decodeText === undefined
      ? {}
      : {
          decodeText: (buf: Buffer, offset: number, length: number) =>
            decodeLiteral((b, o, l) => element.decodeText!(b, o, l), buf, offset, length),
        }),
  };
}
