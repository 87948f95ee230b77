// Turns DataRow bytes into JS rows. One decoder is compiled per RowDescription (per prepared statement):
// a generated function reads every column straight from the receive buffer with no per-field closures,
// then builds the row as one object literal (stable hidden class). The RowDecoder interface is the seam
// where a native batch decoder can replace this JS one; this module does no framing (see backend.ts).

import type { FieldDescription } from "./backend-messages.js";
import { ProtocolError } from "./errors.js";
import type { TypeRegistry } from "./registry.js";
import { INLINE_DECODE, type TypeCodec } from "./types/codec.js";

export type RowMode = "object" | "array";

export interface RowDecoderOptions {
  /** "object" (default): `{ [field.name]: value }`; "array": values in column order. */
  rowMode?: RowMode;
  /**
   * The format codes the columns were requested in (what was sent in Bind). Defaults to each
   * `field.format`, which is right for a RowDescription answering Describe(portal) or a simple query.
   */
  formats?: readonly number[];
}

export interface RowDecoder<R = unknown> {
  readonly fields: readonly FieldDescription[];
  readonly rowMode: RowMode;
  /** Decodes the DataRow whose body starts at `offset` (`DataRow.offset`). */
  decodeRow(buffer: Buffer, offset: number): R;
  /** Decodes `count` DataRows of one buffer, appending to `out`. The unit a native accelerator replaces. */
  decodeRows(buffer: Buffer, offsets: ArrayLike<number>, count: number, out: R[]): void;
}

/** Builds a RowDecoder; the pool takes one of these so a native implementation can be plugged in. */
export type RowDecoderFactory = (
  fields: readonly FieldDescription[],
  registry: TypeRegistry,
  options?: RowDecoderOptions,
) => RowDecoder;

type DecodeRowFn = (buf: Buffer, off: number) => unknown;

// Node's Buffer#utf8Slice skips toString's argument normalisation; it is undocumented, so probe for it.
const TEXT_EXPR =
  typeof (Buffer.prototype as unknown as { utf8Slice?: unknown }).utf8Slice === "function"
    ? "buf.utf8Slice(p, p + len)"
    : 'buf.toString("utf8", p, p + len)';

/** Binary results of a type with no binary codec: the raw bytes, copied out of the receive buffer. */
const bytesFallback: Pick<TypeCodec<Buffer>, "decode"> = {
  decode: (buf, offset, length) => Buffer.from(buf.subarray(offset, offset + length)),
};

/**
 * The JS expression (over `buf`, `p`, `len`) decoding one non-NULL column. Codecs it calls are pushed
 * onto `codecs` and referenced by index, so the generated code holds no closures per field.
 */
function columnExpression(
  codec: TypeCodec | undefined,
  format: number,
  codecs: Pick<TypeCodec, "decode">[],
): string {
  const call = (c: Pick<TypeCodec, "decode">): string => `c[${codecs.push(c) - 1}].decode(buf, p, len)`;
  if (format === 1) {
    if (codec?.format !== "binary") return call(bytesFallback);
    const inline = (codec as { [INLINE_DECODE]?: string })[INLINE_DECODE];
    return inline === undefined ? call(codec) : inline.replaceAll("$TEXT", TEXT_EXPR);
  }
  // Text results: a text-format codec reads them, a binary codec may know its type's text output;
  // anything else stays the server's text.
  if (codec?.format === "text") return call(codec);
  if (codec?.decodeText !== undefined) {
    const textCodec = codec;
    return call({ decode: (buf, offset, length) => textCodec.decodeText!(buf, offset, length) });
  }
  return TEXT_EXPR;
}

export const compileRowDecoder: RowDecoderFactory = (fields, registry, options = {}) => {
  const rowMode = options.rowMode ?? "object";
  const n = fields.length;
  const codecs: Pick<TypeCodec, "decode">[] = [];
  let body = `const n = (buf[off] << 8) | buf[off + 1];
if (n !== ${n}) throw new ProtocolError("DataRow has " + n + " columns, RowDescription ${n}");
let p = off + 2;
let len = 0;
`;
  for (let i = 0; i < n; i++) {
    const field = fields[i]!;
    const expr = columnExpression(registry.get(field.typeOid), options.formats?.[i] ?? field.format, codecs);
    body += `len = (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
p += 4;
const v${i} = len < 0 ? null : ${expr};
if (len > 0) p += len;
`;
  }
  if (rowMode === "array") {
    body += `return [${fields.map((_, i) => `v${i}`).join(", ")}];`;
  } else {
    // Literal keys keep one hidden class per statement; "__proto__" as a literal key would set the prototype.
    const props = fields.map((f, i) => {
      const key = JSON.stringify(f.name);
      return f.name === "__proto__" ? `[${key}]: v${i}` : `${key}: v${i}`;
    });
    body += `return { ${props.join(", ")} };`;
  }
  const decodeRow = new Function(
    "c",
    "ProtocolError",
    `"use strict"; return function decodeRow(buf, off) {\n${body}\n};`,
  )(codecs, ProtocolError) as DecodeRowFn;

  return {
    fields,
    rowMode,
    decodeRow,
    decodeRows(buffer, offsets, count, out) {
      for (let i = 0; i < count; i++) out.push(decodeRow(buffer, offsets[i]!));
    },
  };
};
