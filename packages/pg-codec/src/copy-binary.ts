// COPY ... (FORMAT binary) payloads: a writer that turns rows into the binary stream (signature header,
// tuples, trailer) and a reader that turns CopyData bytes back into rows, both through the registry's
// codecs. Framing the stream into CopyData messages and driving COPY is the pool's job.

import { BufferWriter } from "./buffer-writer.js";
import { ProtocolError } from "./errors.js";
import { ReceiveBuffer } from "./receive-buffer.js";
import type { TypeRegistry } from "./registry.js";
import type { TypeCodec } from "./types/codec.js";

/** "PGCOPY\n\377\r\n\0", then int32 flags and int32 header-extension length. */
const SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
const HEADER_LENGTH = SIGNATURE.length + 8;

function codecsFor(columnOids: readonly number[], registry: TypeRegistry): TypeCodec[] {
  return columnOids.map((oid) => {
    const codec = registry.get(oid);
    // Text-format codecs (enums) are fine: their binary send format is the label text.
    if (!codec) throw new TypeError(`no codec for type oid ${oid}; register one to use it in COPY binary`);
    return codec;
  });
}

export class CopyBinaryWriter {
  private readonly w = new BufferWriter(64 * 1024);
  private readonly codecs: TypeCodec[];

  /** `columnOids`: the type of each column, in the order the COPY lists them. */
  constructor(columnOids: readonly number[], registry: TypeRegistry) {
    this.codecs = codecsFor(columnOids, registry);
  }

  /** Bytes queued since the last `take()`. */
  get length(): number {
    return this.w.length;
  }

  header(): this {
    this.w.writeBytes(SIGNATURE);
    this.w.writeInt32(0);
    this.w.writeInt32(0);
    return this;
  }

  /** Appends one tuple; null/undefined are NULL. Throws (and writes nothing) if a value cannot be encoded. */
  row(values: readonly unknown[]): this {
    const codecs = this.codecs;
    if (values.length !== codecs.length) {
      throw new RangeError(`COPY row has ${values.length} values, expected ${codecs.length}`);
    }
    const w = this.w;
    const start = w.length;
    try {
      w.writeInt16(codecs.length);
      for (let i = 0; i < codecs.length; i++) {
        const v = values[i];
        if (v === null || v === undefined) {
          w.writeInt32(-1);
          continue;
        }
        const at = w.reserveLength();
        codecs[i]!.encode(v, w);
        w.patchLength(at);
      }
    } catch (err) {
      w.length = start;
      throw err;
    }
    return this;
  }

  trailer(): this {
    this.w.writeInt16(-1);
    return this;
  }

  /** Returns the queued bytes (one CopyData payload) and rewinds. */
  take(): Buffer {
    return this.w.take();
  }
}

export class CopyBinaryReader {
  private readonly rb = new ReceiveBuffer();
  private readonly codecs: TypeCodec[];
  private headerSeen = false;
  private finished = false;

  constructor(columnOids: readonly number[], registry: TypeRegistry) {
    this.codecs = codecsFor(columnOids, registry);
  }

  /** True once the trailer was read. */
  get done(): boolean {
    return this.finished;
  }

  /** Adds the payload of a CopyData message (tuples may span messages). */
  push(data: Buffer): void {
    if (this.finished && data.length > 0) throw new ProtocolError("COPY binary data after the trailer");
    this.rb.push(data);
  }

  /** Returns the next complete row, or null if more data is needed (or the trailer was reached). */
  next(): unknown[] | null {
    const rb = this.rb;
    if (!this.headerSeen) {
      if (!rb.ensure(HEADER_LENGTH, true)) return null;
      if (rb.buf.compare(SIGNATURE, 0, SIGNATURE.length, rb.pos, rb.pos + SIGNATURE.length) !== 0) {
        throw new ProtocolError("not a COPY binary stream (bad signature)");
      }
      const extension = rb.buf.readInt32BE(rb.pos + SIGNATURE.length + 4);
      if (extension < 0) throw new ProtocolError(`invalid COPY header extension length ${extension}`);
      if (!rb.ensure(HEADER_LENGTH + extension, true)) return null;
      rb.consume(HEADER_LENGTH + extension);
      this.headerSeen = true;
    }
    if (this.finished || !rb.ensure(2, true)) return null;
    const count = rb.buf.readInt16BE(rb.pos);
    if (count === -1) {
      rb.consume(2);
      this.finished = true;
      return null;
    }
    if (count !== this.codecs.length) {
      throw new ProtocolError(`COPY tuple has ${count} fields, expected ${this.codecs.length}`);
    }
    // Walk the field lengths first (greedy joins keep this linear): decode only once the whole tuple is here.
    let size = 2;
    for (let i = 0; i < count; i++) {
      if (!rb.ensure(size + 4, true)) return null;
      const len = rb.buf.readInt32BE(rb.pos + size);
      size += 4 + Math.max(len, 0);
    }
    if (!rb.ensure(size, true)) return null;
    const buf = rb.buf;
    const row = new Array<unknown>(count);
    let p = rb.pos + 2;
    for (let i = 0; i < count; i++) {
      const len = buf.readInt32BE(p);
      p += 4;
      if (len < 0) row[i] = null;
      else {
        row[i] = this.codecs[i]!.decode(buf, p, len);
        p += len;
      }
    }
    rb.consume(size);
    return row;
  }
}
