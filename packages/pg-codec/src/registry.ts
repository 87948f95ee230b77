// The OID -> codec table. Starts with the built-in binary codecs (configured by TypeOptions) and takes
// user codecs for custom types and enums. It does not query the server: the pool looks up OIDs of
// user types by name (pg_type) and registers them here.

import type { FieldDescription } from "./backend-messages.js";
import { arrayCodec } from "./types/array.js";
import { builtinCodecs } from "./types/builtins.js";
import {
  type FormatCode,
  type ResolvedTypeOptions,
  resolveTypeOptions,
  type TypeCodec,
  type TypeOptions,
} from "./types/codec.js";
import { textCodec } from "./types/text.js";

export class TypeRegistry {
  readonly options: ResolvedTypeOptions;
  private readonly byOid = new Map<number, TypeCodec>();
  private readonly byName = new Map<string, TypeCodec>();

  constructor(options: TypeOptions = {}) {
    this.options = resolveTypeOptions(options);
    for (const codec of builtinCodecs(this.options)) this.register(codec);
  }

  /** Adds (or replaces) a codec; when `arrayOid` is set, arrays of the type are handled too. */
  register<T>(codec: TypeCodec<T>): void {
    if (!Number.isInteger(codec.oid) || codec.oid <= 0)
      throw new TypeError(`invalid oid ${codec.oid} for type ${codec.name}`);
    this.byOid.set(codec.oid, codec as TypeCodec);
    this.byName.set(codec.name, codec as TypeCodec);
    if (codec.arrayOid !== undefined) {
      const array = arrayCodec(codec as TypeCodec, codec.arrayOid);
      this.byOid.set(array.oid, array);
      this.byName.set(array.name, array);
    }
  }

  /** Registers an enum type: values travel as their label text. */
  registerEnum(name: string, oid: number, arrayOid?: number): void {
    this.register({ ...textCodec(oid, name), ...(arrayOid === undefined ? {} : { arrayOid }) });
  }

  get(oid: number): TypeCodec | undefined {
    return this.byOid.get(oid);
  }

  getByName(name: string): TypeCodec | undefined {
    return this.byName.get(name);
  }

  /** 1 when results of `oid` should be requested in binary (a binary codec exists), else 0 (text). */
  formatOf(oid: number): FormatCode {
    return this.byOid.get(oid)?.format === "binary" ? 1 : 0;
  }

  /** Result format codes for Bind, one per column of a Describe'd statement. */
  resultFormats(fields: readonly FieldDescription[]): FormatCode[] {
    const out = new Array<FormatCode>(fields.length);
    for (let i = 0; i < fields.length; i++) out[i] = this.formatOf(fields[i]!.typeOid);
    return out;
  }
}
