// The contract every type codec (built-in or user-registered) fulfils, and the decoding options that
// choose JS representations. A codec converts one value; arrays, rows and parameters are composed
// around it elsewhere (array.ts, row-decoder.ts, params.ts).

import type { BufferWriter } from "../buffer-writer.js";

/** Wire format code: 0 = text, 1 = binary. */
export type FormatCode = 0 | 1;

export interface TypeCodec<T = unknown> {
  /** pg_type.oid of the type. */
  readonly oid: number;
  /** pg_type.oid of the array of this type (`typarray`), when arrays of it should be decoded/encoded. */
  readonly arrayOid?: number;
  /** pg_type.typname, e.g. "int4". */
  readonly name: string;
  /**
   * Which wire format `encode` writes and `decode` reads. "binary" codecs are asked for binary results;
   * "text" codecs (enums, most user types) exchange PostgreSQL's text representation.
   */
  readonly format: "binary" | "text";
  /** Appends the value's bytes (no length prefix) in `format`. Throws TypeError/RangeError on unusable input. */
  encode(value: T, out: BufferWriter): void;
  /** Reads a non-NULL value of `length` bytes starting at `offset`. */
  decode(buf: Buffer, offset: number, length: number): T;
  /**
   * Optional, for "binary" codecs: reads the type's text output (results requested in text format, as
   * a simple Query gets them) into the same JS value `decode` gives. Without it text results stay strings.
   */
  decodeText?(buf: Buffer, offset: number, length: number): T;
}

export interface TypeOptions {
  /** int8 results: `bigint` (default, exact), `number` (RangeError if beyond 2^53), or decimal `string`. */
  int8?: "bigint" | "number" | "string";
  /** date results: `string` 'YYYY-MM-DD' (default; 'infinity'/'-infinity'; ' BC' suffix), or a UTC-midnight `Date`. */
  date?: "string" | "date";
  /**
   * timestamp/timestamptz results: `date` (default; a Date, microseconds truncated toward -infinity,
   * ±infinity as the numbers Infinity/-Infinity), or a lossless `string` like '2024-01-02 03:04:05.123456'
   * (timestamptz gets '+00'; ±infinity as 'infinity'/'-infinity').
   */
  timestamp?: "date" | "string";
}

export type ResolvedTypeOptions = Required<TypeOptions>;

export function resolveTypeOptions(options: TypeOptions = {}): ResolvedTypeOptions {
  return {
    int8: options.int8 ?? "bigint",
    date: options.date ?? "string",
    timestamp: options.timestamp ?? "date",
  };
}

/**
 * Built-in codecs may carry a JS expression (over `buf`, `p` = value offset, `len` = value length;
 * `$TEXT` = the value as a UTF-8 string) that the row decoder inlines instead of calling `decode`.
 * Internal: user codecs never need it, and replacing a built-in codec drops it.
 */
export const INLINE_DECODE: unique symbol = Symbol("pg-codec.inlineDecode");
