// Text-format results for built-in codecs whose encoder accepts PostgreSQL's own text output
// (numbers, numeric, uuid, dates and times in ISO DateStyle, inet): the text is encoded to binary in a
// scratch buffer and decoded as if it had arrived in binary, so both formats give identical JS values.
// Types whose encoders take other JS shapes (bool, bytea, json, interval) define their own or none.

import { BufferWriter } from "../buffer-writer.js";
import { ProtocolError } from "../errors.js";
import type { TypeCodec } from "./codec.js";

// One scratch buffer suffices: a text decode finishes before the next starts (array elements run one by one).
const scratch = new BufferWriter(64);

export function withTextDecoding<T>(codec: TypeCodec<T>): TypeCodec<T> {
  return {
    ...codec,
    decodeText(buf, offset, length) {
      const text = buf.toString("utf8", offset, offset + length);
      scratch.reset();
      try {
        codec.encode(text as T, scratch);
      } catch (err) {
        throw new ProtocolError(`cannot read text-format ${codec.name} '${text}': ${(err as Error).message}`);
      }
      return codec.decode(scratch.buf, 0, scratch.length);
    },
  };
}
