// A growable byte buffer that codecs and the message writer append to. One instance is reused for
// many messages: `take()` hands out what was written and rewinds. It knows nothing about the protocol
// beyond big-endian integers and length prefixes that are patched after the payload is written.

const INITIAL_SIZE = 16 * 1024;
/** Batches at least this big are handed over without copying; the writer starts a fresh buffer. */
const HANDOFF_BYTES = 64 * 1024;

export class BufferWriter {
  /** The backing store; valid bytes are `[0, length)`. Grows by doubling, never shrinks below its start size. */
  buf: Buffer;
  /** Number of bytes written since the last `take()` / `reset()`. */
  length = 0;

  private readonly initialSize: number;

  constructor(initialSize = INITIAL_SIZE) {
    this.initialSize = initialSize;
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  writeInt8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
  }

  writeInt16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.length);
    this.length += 2;
  }

  writeUInt16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.length);
    this.length += 2;
  }

  writeInt32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.length);
    this.length += 4;
  }

  writeUInt32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.length);
    this.length += 4;
  }

  writeBigInt64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.length);
    this.length += 8;
  }

  writeFloat32(v: number): void {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.length);
    this.length += 4;
  }

  writeFloat64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.length);
    this.length += 8;
  }

  /** Writes `s` as UTF-8 without a terminator. */
  writeString(s: string): void {
    // Worst case is 3 bytes per UTF-16 unit; cheaper than measuring first for short strings.
    this.ensure(s.length * 3);
    this.length += this.buf.write(s, this.length, "utf8");
  }

  /** Writes `s` as UTF-8 followed by a NUL byte (the protocol's C string). */
  writeCString(s: string): void {
    this.writeString(s);
    this.writeInt8(0);
  }

  writeBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Reserves 4 bytes for a length written later with `patchLength`; returns their position. */
  reserveLength(): number {
    this.ensure(4);
    const at = this.length;
    this.length += 4;
    return at;
  }

  /** Writes at `at` the number of bytes written after the 4-byte field (a value's length prefix). */
  patchLength(at: number): void {
    this.buf.writeInt32BE(this.length - at - 4, at);
  }

  /** Writes at `at` the number of bytes from that position on, the field included (a message's length). */
  patchMessageLength(at: number): void {
    this.buf.writeInt32BE(this.length - at, at);
  }

  /**
   * Returns the written bytes and rewinds; the result is never written to again, so the caller may keep
   * it (e.g. queued in a socket). Small batches are copied so the buffer is reused; big ones are handed
   * over and replaced by a fresh buffer of the initial size, so one 10 MB parameter neither costs a
   * second copy nor stays allocated for the writer's lifetime.
   */
  take(): Buffer {
    const n = this.length;
    this.length = 0;
    if (n >= HANDOFF_BYTES) {
      const out = this.buf.subarray(0, n);
      this.buf = Buffer.allocUnsafe(this.initialSize);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, 0, n);
    return out;
  }

  /** Discards everything written since the last `take()`. */
  reset(): void {
    this.length = 0;
  }
}
