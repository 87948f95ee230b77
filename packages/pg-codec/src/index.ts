// @fasterapi/pg-codec: PostgreSQL wire protocol 3.0 and binary type codecs. Bytes in, values out:
// this package never opens a socket (that is @fasterapi/pg-pool's job).

export { md5Password } from "./auth/md5.js";
export { saslprep } from "./auth/saslprep.js";
export { SCRAM_SHA_256, ScramError, type ScramOptions, ScramSha256Client } from "./auth/scram.js";
export { BackendParser, type BackendParserOptions } from "./backend.js";
export type * from "./backend-messages.js";
export { BufferWriter } from "./buffer-writer.js";
export { CopyBinaryReader, CopyBinaryWriter } from "./copy-binary.js";
export { PgError, ProtocolError } from "./errors.js";
export { MessageWriter, type MessageWriterOptions } from "./frontend.js";
export { writeBindParams } from "./params.js";
export { TypeRegistry } from "./registry.js";
export {
  compileRowDecoder,
  type RowDecoder,
  type RowDecoderFactory,
  type RowDecoderOptions,
  type RowMode,
} from "./row-decoder.js";
export type { FormatCode, TypeCodec, TypeOptions } from "./types/codec.js";
export type { Interval } from "./types/interval.js";
export { ArrayOid, Oid } from "./types/oids.js";
export { toPgText } from "./types/pg-text.js";
