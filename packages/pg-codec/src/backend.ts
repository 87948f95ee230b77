// Frames and parses the server's byte stream into BackendMessage objects. Feed socket chunks with
// `push`, then drain with `next()` (or for...of). It copies only to join a message split across reads;
// DataRow/CopyData refer to the receive buffer, which is never rewritten once a message was handed out.
// It does not decode row values (see row-decoder.ts) and does not handle the one-byte SSLRequest answer.

import type {
  BackendMessage,
  CommandComplete,
  CopyBothResponse,
  CopyInResponse,
  CopyOutResponse,
  ErrorFields,
  FieldDescription,
} from "./backend-messages.js";
import { ProtocolError } from "./errors.js";
import { ReceiveBuffer } from "./receive-buffer.js";

// Stateless messages are shared singletons: they carry nothing but their type.
const PARSE_COMPLETE = Object.freeze({ type: "ParseComplete" as const });
const BIND_COMPLETE = Object.freeze({ type: "BindComplete" as const });
const CLOSE_COMPLETE = Object.freeze({ type: "CloseComplete" as const });
const NO_DATA = Object.freeze({ type: "NoData" as const });
const PORTAL_SUSPENDED = Object.freeze({ type: "PortalSuspended" as const });
const EMPTY_QUERY = Object.freeze({ type: "EmptyQueryResponse" as const });
const COPY_DONE = Object.freeze({ type: "CopyDone" as const });
const AUTH_OK = Object.freeze({ type: "AuthenticationOk" as const });
const AUTH_CLEARTEXT = Object.freeze({ type: "AuthenticationCleartextPassword" as const });

export interface BackendParserOptions {
  /**
   * Largest message accepted, in bytes (default 1 GiB + 64 KiB, above PostgreSQL's 1 GiB field limit).
   * A bigger length prefix is a ProtocolError instead of an attempt to buffer it.
   */
  maxMessageSize?: number;
}

export class BackendParser implements Iterable<BackendMessage> {
  private readonly rb = new ReceiveBuffer();
  private readonly maxMessageSize: number;

  constructor(options: BackendParserOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? 2 ** 30 + 2 ** 16;
  }

  /** Bytes received but not yet returned as messages. */
  get buffered(): number {
    return this.rb.available;
  }

  /** Adds bytes read from the socket. The parser keeps a reference to `chunk`; do not reuse it. */
  push(chunk: Buffer): void {
    this.rb.push(chunk);
  }

  /** Returns the next complete message, or null when more bytes are needed. Throws ProtocolError on garbage. */
  next(): BackendMessage | null {
    const rb = this.rb;
    if (!rb.ensure(5)) return null;
    const code = rb.buf[rb.pos]!;
    const len = rb.buf.readInt32BE(rb.pos + 1);
    if (len < 4) throw new ProtocolError(`invalid length ${len} for message '${String.fromCharCode(code)}'`);
    if (len >= this.maxMessageSize) {
      throw new ProtocolError(
        `message '${String.fromCharCode(code)}' of ${len} bytes exceeds maxMessageSize ${this.maxMessageSize}`,
      );
    }
    if (!rb.ensure(1 + len)) return null;
    const buf = rb.buf;
    const pos = rb.pos;
    rb.consume(1 + len);
    return parseMessage(code, buf, pos + 5, pos + 1 + len);
  }

  *[Symbol.iterator](): Iterator<BackendMessage> {
    for (let m = this.next(); m !== null; m = this.next()) yield m;
  }
}

/** Parses the body `[start, stop)` of a message whose type byte is `code`. */
function parseMessage(code: number, buf: Buffer, start: number, stop: number): BackendMessage {
  switch (code) {
    case 0x44: // 'D'
      return { type: "DataRow", buffer: buf, offset: start, length: stop - start };
    case 0x43: // 'C'
      return parseCommandComplete(readCString(buf, start, stop).value);
    case 0x5a: {
      // 'Z'
      const s = buf[start];
      if (s !== 0x49 && s !== 0x54 && s !== 0x45)
        throw new ProtocolError(`invalid ReadyForQuery status ${s}`);
      return { type: "ReadyForQuery", status: String.fromCharCode(s) as "I" | "T" | "E" };
    }
    case 0x54: // 'T'
      return { type: "RowDescription", fields: parseFields(buf, start, stop) };
    case 0x31: // '1'
      return PARSE_COMPLETE;
    case 0x32: // '2'
      return BIND_COMPLETE;
    case 0x33: // '3'
      return CLOSE_COMPLETE;
    case 0x6e: // 'n'
      return NO_DATA;
    case 0x73: // 's'
      return PORTAL_SUSPENDED;
    case 0x49: // 'I'
      return EMPTY_QUERY;
    case 0x74: {
      // 't'
      const n = readCount(buf, start, stop);
      need(start + 2 + 4 * n, stop, "ParameterDescription");
      const oids = new Array<number>(n);
      for (let i = 0; i < n; i++) oids[i] = buf.readUInt32BE(start + 2 + 4 * i);
      return { type: "ParameterDescription", oids };
    }
    case 0x45: // 'E'
      return { type: "ErrorResponse", fields: parseErrorFields(buf, start, stop) };
    case 0x4e: // 'N'
      return { type: "NoticeResponse", fields: parseErrorFields(buf, start, stop) };
    case 0x53: {
      // 'S'
      const name = readCString(buf, start, stop);
      return { type: "ParameterStatus", name: name.value, value: readCString(buf, name.next, stop).value };
    }
    case 0x4b: // 'K'
      need(start + 8, stop, "BackendKeyData");
      return { type: "BackendKeyData", pid: buf.readInt32BE(start), secret: buf.readInt32BE(start + 4) };
    case 0x52: // 'R'
      return parseAuthentication(buf, start, stop);
    case 0x41: {
      // 'A'
      need(start + 4, stop, "NotificationResponse");
      const channel = readCString(buf, start + 4, stop);
      const payload = readCString(buf, channel.next, stop);
      return {
        type: "NotificationResponse",
        pid: buf.readInt32BE(start),
        channel: channel.value,
        payload: payload.value,
      };
    }
    case 0x64: // 'd'
      return { type: "CopyData", data: buf.subarray(start, stop) };
    case 0x63: // 'c'
      return COPY_DONE;
    case 0x47: // 'G'
      return parseCopyResponse("CopyInResponse", buf, start, stop);
    case 0x48: // 'H'
      return parseCopyResponse("CopyOutResponse", buf, start, stop);
    case 0x57: // 'W'
      return parseCopyResponse("CopyBothResponse", buf, start, stop);
    case 0x76: {
      // 'v'
      need(start + 8, stop, "NegotiateProtocolVersion");
      const n = buf.readInt32BE(start + 4);
      const unrecognizedOptions: string[] = [];
      let p = start + 8;
      for (let i = 0; i < n; i++) {
        const s = readCString(buf, p, stop);
        unrecognizedOptions.push(s.value);
        p = s.next;
      }
      // The docs say "newest minor version"; servers send the full version number (3.0 = 0x30000).
      return {
        type: "NegotiateProtocolVersion",
        minorVersion: buf.readInt32BE(start) & 0xffff,
        unrecognizedOptions,
      };
    }
    default:
      throw new ProtocolError(`unknown backend message type 0x${code.toString(16)}`);
  }
}

function need(pos: number, stop: number, what: string): void {
  if (pos > stop) throw new ProtocolError(`truncated ${what} message`);
}

/** Reads an unsigned 16-bit element count (parameter counts go up to 65535). */
function readCount(buf: Buffer, at: number, stop: number): number {
  need(at + 2, stop, "message");
  return buf.readUInt16BE(at);
}

function readCString(buf: Buffer, at: number, stop: number): { value: string; next: number } {
  const z = buf.indexOf(0, at);
  if (z < 0 || z >= stop) throw new ProtocolError("unterminated string in message");
  return { value: buf.toString("utf8", at, z), next: z + 1 };
}

function parseCommandComplete(tag: string): CommandComplete {
  // "INSERT 0 5", "SELECT 3", "UPDATE 1", "COPY 10": the last number is the row count. Other tags
  // ("CREATE TABLE", "BEGIN") carry none. Scanned by char code: this runs once per query.
  const sp = tag.lastIndexOf(" ");
  if (sp > 0 && sp < tag.length - 1) {
    let rowCount = 0;
    for (let i = sp + 1; i < tag.length; i++) {
      const digit = tag.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return { type: "CommandComplete", tag, command: tag, rowCount: null };
      rowCount = rowCount * 10 + digit;
    }
    return { type: "CommandComplete", tag, command: tag.slice(0, tag.indexOf(" ")), rowCount };
  }
  return { type: "CommandComplete", tag, command: tag, rowCount: null };
}

function parseFields(buf: Buffer, start: number, stop: number): FieldDescription[] {
  const n = readCount(buf, start, stop);
  const fields = new Array<FieldDescription>(n);
  let p = start + 2;
  for (let i = 0; i < n; i++) {
    const name = readCString(buf, p, stop);
    p = name.next;
    need(p + 18, stop, "RowDescription");
    fields[i] = {
      name: name.value,
      tableOid: buf.readUInt32BE(p),
      columnAttr: buf.readInt16BE(p + 4),
      typeOid: buf.readUInt32BE(p + 6),
      typeSize: buf.readInt16BE(p + 10),
      typeMod: buf.readInt32BE(p + 12),
      format: buf.readInt16BE(p + 16),
    };
    p += 18;
  }
  return fields;
}

function parseErrorFields(buf: Buffer, start: number, stop: number): ErrorFields {
  const f: ErrorFields = { severity: "", code: "", message: "" };
  let p = start;
  while (p < stop && buf[p] !== 0) {
    const code = buf[p]!;
    const s = readCString(buf, p + 1, stop);
    p = s.next;
    const v = s.value;
    switch (code) {
      case 0x53: // S
        f.severity = v;
        break;
      case 0x56: // V
        f.severityNonLocalized = v;
        break;
      case 0x43: // C
        f.code = v;
        break;
      case 0x4d: // M
        f.message = v;
        break;
      case 0x44: // D
        f.detail = v;
        break;
      case 0x48: // H
        f.hint = v;
        break;
      case 0x50: // P
        f.position = Number(v);
        break;
      case 0x70: // p
        f.internalPosition = Number(v);
        break;
      case 0x71: // q
        f.internalQuery = v;
        break;
      case 0x57: // W
        f.where = v;
        break;
      case 0x73: // s
        f.schema = v;
        break;
      case 0x74: // t
        f.table = v;
        break;
      case 0x63: // c
        f.column = v;
        break;
      case 0x64: // d
        f.dataType = v;
        break;
      case 0x6e: // n
        f.constraint = v;
        break;
      case 0x46: // F
        f.file = v;
        break;
      case 0x4c: // L
        f.line = Number(v);
        break;
      case 0x52: // R
        f.routine = v;
        break;
      // Unknown field codes must be ignored (the protocol reserves the right to add more).
    }
  }
  return f;
}

function parseAuthentication(buf: Buffer, start: number, stop: number): BackendMessage {
  need(start + 4, stop, "Authentication");
  const method = buf.readInt32BE(start);
  switch (method) {
    case 0:
      return AUTH_OK;
    case 3:
      return AUTH_CLEARTEXT;
    case 5:
      need(start + 8, stop, "AuthenticationMD5Password");
      return { type: "AuthenticationMD5Password", salt: Buffer.from(buf.subarray(start + 4, start + 8)) };
    case 10: {
      const mechanisms: string[] = [];
      let p = start + 4;
      while (p < stop && buf[p] !== 0) {
        const s = readCString(buf, p, stop);
        mechanisms.push(s.value);
        p = s.next;
      }
      return { type: "AuthenticationSASL", mechanisms };
    }
    case 11:
      return { type: "AuthenticationSASLContinue", data: Buffer.from(buf.subarray(start + 4, stop)) };
    case 12:
      return { type: "AuthenticationSASLFinal", data: Buffer.from(buf.subarray(start + 4, stop)) };
    default:
      return { type: "AuthenticationUnsupported", method };
  }
}

function parseCopyResponse<T extends "CopyInResponse" | "CopyOutResponse" | "CopyBothResponse">(
  type: T,
  buf: Buffer,
  start: number,
  stop: number,
): CopyInResponse | CopyOutResponse | CopyBothResponse {
  const n = readCount(buf, start + 1, stop);
  need(start + 3 + 2 * n, stop, type);
  const columnFormats = new Array<number>(n);
  for (let i = 0; i < n; i++) columnFormats[i] = buf.readInt16BE(start + 3 + 2 * i);
  return { type, format: buf[start]!, columnFormats } as CopyInResponse | CopyOutResponse | CopyBothResponse;
}
