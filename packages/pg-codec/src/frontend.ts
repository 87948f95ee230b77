// Encodes the messages a client sends (protocol 3.0) into one reused, growable buffer. Call several
// message methods, then `take()` once: the batch goes to the socket in one write (pipelining).
// It never touches a socket and keeps no protocol state; what to send when is the pool's business.

import { BufferWriter } from "./buffer-writer.js";
import { writeBindParams } from "./params.js";
import { TypeRegistry } from "./registry.js";
import type { FormatCode } from "./types/codec.js";

const PROTOCOL_3_0 = 196608;
const SSL_REQUEST_CODE = 80877103;
const CANCEL_REQUEST_CODE = 80877102;

export interface MessageWriterOptions {
  /** Codecs used by `bind` to encode parameter values (default: built-ins with default options). */
  registry?: TypeRegistry;
  /** Initial buffer size in bytes (default 16 KiB); it grows as needed. */
  initialSize?: number;
}

export class MessageWriter {
  readonly registry: TypeRegistry;
  private readonly w: BufferWriter;

  constructor(options: MessageWriterOptions = {}) {
    this.registry = options.registry ?? new TypeRegistry();
    this.w = new BufferWriter(options.initialSize);
  }

  /** Bytes queued since the last `take()`. */
  get length(): number {
    return this.w.length;
  }

  /** Returns every message written since the last call, ready for `socket.write` (the caller owns it), and rewinds. */
  take(): Buffer {
    return this.w.take();
  }

  /** Drops queued bytes (e.g. after an encoding error half-way through a batch). */
  reset(): void {
    this.w.reset();
  }

  /** StartupMessage: `params` must include `user`; usually also `database`, `application_name`, ... */
  startup(params: Record<string, string>): this {
    assertNoNul(...Object.entries(params).flat());
    const w = this.w;
    const at = w.reserveLength();
    w.writeInt32(PROTOCOL_3_0);
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined) continue;
      w.writeCString(k);
      w.writeCString(v);
    }
    w.writeInt8(0);
    w.patchMessageLength(at);
    return this;
  }

  /** SSLRequest; the server answers with one byte, 'S' or 'N', before any framed message. */
  sslRequest(): this {
    this.w.writeInt32(8);
    this.w.writeInt32(SSL_REQUEST_CODE);
    return this;
  }

  /** CancelRequest, sent on a NEW connection with the BackendKeyData of the one to cancel. */
  cancelRequest(pid: number, secret: number): this {
    this.w.writeInt32(16);
    this.w.writeInt32(CANCEL_REQUEST_CODE);
    this.w.writeInt32(pid);
    this.w.writeInt32(secret);
    return this;
  }

  /** PasswordMessage: a cleartext password, or the output of `md5Password`. */
  password(password: string): this {
    assertNoNul(password);
    const at = this.begin(0x70);
    this.w.writeCString(password);
    this.w.patchMessageLength(at);
    return this;
  }

  saslInitialResponse(mechanism: string, data: Buffer | string): this {
    assertNoNul(mechanism);
    const w = this.w;
    const at = this.begin(0x70);
    w.writeCString(mechanism);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    w.writeInt32(bytes.length);
    w.writeBytes(bytes);
    w.patchMessageLength(at);
    return this;
  }

  saslResponse(data: Buffer | string): this {
    const at = this.begin(0x70);
    if (typeof data === "string") this.w.writeString(data);
    else this.w.writeBytes(data);
    this.w.patchMessageLength(at);
    return this;
  }

  /** Simple Query: may hold several statements; results come back in text format. */
  query(sql: string): this {
    assertNoNul(sql);
    const at = this.begin(0x51);
    this.w.writeCString(sql);
    this.w.patchMessageLength(at);
    return this;
  }

  /** Parse: `name` "" is the unnamed statement; `paramOids` may be empty or hold 0 for "let the server infer". */
  parse(name: string, sql: string, paramOids: readonly number[] = []): this {
    assertNoNul(name, sql);
    if (paramOids.length > 65535)
      throw new RangeError(`too many parameter types (${paramOids.length}); at most 65535`);
    const w = this.w;
    const at = this.begin(0x50);
    w.writeCString(name);
    w.writeCString(sql);
    w.writeUInt16(paramOids.length);
    for (let i = 0; i < paramOids.length; i++) w.writeUInt32(paramOids[i]!);
    w.patchMessageLength(at);
    return this;
  }

  /**
   * Bind: encodes `values` with the registry. When `paramOids[i]` (from the statement's
   * ParameterDescription) has a binary codec the value goes in binary; strings always go as text (the
   * server parses them); Buffers go as pre-encoded binary; null/undefined is SQL NULL.
   * `resultFormats`: one code for all columns, or one per column (see `TypeRegistry.resultFormats`).
   */
  bind(
    portal: string,
    statement: string,
    values: readonly unknown[] = [],
    paramOids: readonly number[] = [],
    resultFormats: readonly FormatCode[] | FormatCode = 0,
  ): this {
    assertNoNul(portal, statement);
    const w = this.w;
    const start = w.length;
    const at = this.begin(0x42);
    try {
      w.writeCString(portal);
      w.writeCString(statement);
      writeBindParams(w, values, paramOids, this.registry);
    } catch (err) {
      // Leave earlier queued messages intact; drop only the half-written Bind.
      w.length = start;
      throw err;
    }
    if (typeof resultFormats === "number") {
      w.writeInt16(1);
      w.writeInt16(resultFormats);
    } else {
      w.writeUInt16(resultFormats.length);
      for (let i = 0; i < resultFormats.length; i++) w.writeInt16(resultFormats[i]!);
    }
    w.patchMessageLength(at);
    return this;
  }

  describe(kind: "S" | "P", name: string): this {
    assertNoNul(name);
    const at = this.begin(0x44);
    this.w.writeInt8(kind.charCodeAt(0));
    this.w.writeCString(name);
    this.w.patchMessageLength(at);
    return this;
  }

  /** Execute: `maxRows` 0 = all rows; otherwise the server stops with PortalSuspended after that many. */
  execute(portal: string, maxRows = 0): this {
    assertNoNul(portal);
    const at = this.begin(0x45);
    this.w.writeCString(portal);
    this.w.writeInt32(maxRows);
    this.w.patchMessageLength(at);
    return this;
  }

  sync(): this {
    this.w.writeInt8(0x53);
    this.w.writeInt32(4);
    return this;
  }

  flush(): this {
    this.w.writeInt8(0x48);
    this.w.writeInt32(4);
    return this;
  }

  close(kind: "S" | "P", name: string): this {
    assertNoNul(name);
    const at = this.begin(0x43);
    this.w.writeInt8(kind.charCodeAt(0));
    this.w.writeCString(name);
    this.w.patchMessageLength(at);
    return this;
  }

  copyData(data: Uint8Array): this {
    const at = this.begin(0x64);
    this.w.writeBytes(data);
    this.w.patchMessageLength(at);
    return this;
  }

  copyDone(): this {
    this.w.writeInt8(0x63);
    this.w.writeInt32(4);
    return this;
  }

  copyFail(message: string): this {
    assertNoNul(message);
    const at = this.begin(0x66);
    this.w.writeCString(message);
    this.w.patchMessageLength(at);
    return this;
  }

  terminate(): this {
    this.w.writeInt8(0x58);
    this.w.writeInt32(4);
    return this;
  }

  /** Writes the type byte and reserves the length; returns where to patch it. */
  private begin(type: number): number {
    this.w.writeInt8(type);
    return this.w.reserveLength();
  }
}

/**
 * C strings end at the first NUL, so one inside SQL or a name would desynchronise the stream and make
 * the server drop the connection. Checked before a message is started, so nothing half-written remains.
 */
function assertNoNul(...values: string[]): void {
  for (const v of values) {
    if (v.includes("\0"))
      throw new TypeError(`a NUL character is not allowed in ${JSON.stringify(v.slice(0, 40))}`);
  }
}
