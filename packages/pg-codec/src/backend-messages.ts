// The messages a PostgreSQL server sends (protocol 3.0), as plain objects discriminated by `type`.
// Produced by BackendParser; nothing here reads bytes. DataRow and CopyData point into the receive
// buffer instead of copying, so decoding happens once, straight from the bytes that arrived.

export interface FieldDescription {
  /** Column label as the client sees it (the object key in "object" row mode). */
  name: string;
  /** OID of the source table, or 0 when the column is not a plain table column. */
  tableOid: number;
  /** Attribute number of the column in that table, or 0. */
  columnAttr: number;
  typeOid: number;
  /** pg_type.typlen (negative = variable length). */
  typeSize: number;
  /** pg_attribute.atttypmod (type-specific modifier, e.g. varchar length + 4). */
  typeMod: number;
  /** 0 = text, 1 = binary. Zero in a RowDescription answering Describe(statement): formats are not known yet. */
  format: number;
}

/** All ErrorResponse / NoticeResponse fields (https://www.postgresql.org/docs/current/protocol-error-fields.html). */
export interface ErrorFields {
  /** Localized severity (S). */
  severity: string;
  /** Non-localized severity (V), PostgreSQL >= 9.6: ERROR, FATAL, PANIC, WARNING, NOTICE, DEBUG, INFO, LOG. */
  severityNonLocalized?: string;
  /** SQLSTATE code (C), e.g. "23505". */
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based character index into the query string (P). */
  position?: number;
  /** Position into `internalQuery` (p). */
  internalPosition?: number;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  file?: string;
  line?: number;
  routine?: string;
}

export interface AuthenticationOk {
  type: "AuthenticationOk";
}
export interface AuthenticationCleartextPassword {
  type: "AuthenticationCleartextPassword";
}
export interface AuthenticationMD5Password {
  type: "AuthenticationMD5Password";
  salt: Buffer;
}
export interface AuthenticationSASL {
  type: "AuthenticationSASL";
  mechanisms: string[];
}
export interface AuthenticationSASLContinue {
  type: "AuthenticationSASLContinue";
  data: Buffer;
}
export interface AuthenticationSASLFinal {
  type: "AuthenticationSASLFinal";
  data: Buffer;
}
/** Kerberos, SCM, GSS or SSPI: methods this client does not implement; `method` is the protocol code. */
export interface AuthenticationUnsupported {
  type: "AuthenticationUnsupported";
  method: number;
}
export interface ParameterStatus {
  type: "ParameterStatus";
  name: string;
  value: string;
}
export interface BackendKeyData {
  type: "BackendKeyData";
  pid: number;
  secret: number;
}
export interface ReadyForQuery {
  type: "ReadyForQuery";
  /** I = idle, T = in a transaction block, E = in a failed transaction block. */
  status: "I" | "T" | "E";
}
export interface RowDescription {
  type: "RowDescription";
  fields: FieldDescription[];
}
/**
 * One result row, not decoded. `offset` is where the row's column count (int16) starts inside `buffer`;
 * `length` is the byte length of the row body (from that offset). Decode with a RowDecoder.
 */
export interface DataRow {
  type: "DataRow";
  buffer: Buffer;
  offset: number;
  length: number;
}
export interface CommandComplete {
  type: "CommandComplete";
  /** The raw tag, e.g. "INSERT 0 3". */
  tag: string;
  /** First word(s) of the tag, e.g. "INSERT", "SELECT", "CREATE TABLE". */
  command: string;
  /** Rows affected/returned for commands that report it, else null. */
  rowCount: number | null;
}
export interface EmptyQueryResponse {
  type: "EmptyQueryResponse";
}
export interface ErrorResponse {
  type: "ErrorResponse";
  fields: ErrorFields;
}
export interface NoticeResponse {
  type: "NoticeResponse";
  fields: ErrorFields;
}
export interface ParseComplete {
  type: "ParseComplete";
}
export interface BindComplete {
  type: "BindComplete";
}
export interface CloseComplete {
  type: "CloseComplete";
}
export interface NoData {
  type: "NoData";
}
export interface ParameterDescription {
  type: "ParameterDescription";
  /** Parameter type OIDs, in $1..$n order. */
  oids: number[];
}
export interface PortalSuspended {
  type: "PortalSuspended";
}
export interface CopyResponse<T extends "CopyInResponse" | "CopyOutResponse" | "CopyBothResponse"> {
  type: T;
  /** Overall format: 0 = text (columns may still differ), 1 = binary. */
  format: number;
  columnFormats: number[];
}
export type CopyInResponse = CopyResponse<"CopyInResponse">;
export type CopyOutResponse = CopyResponse<"CopyOutResponse">;
export type CopyBothResponse = CopyResponse<"CopyBothResponse">;
export interface CopyData {
  type: "CopyData";
  /** A view into the receive buffer (not a copy); copy it if it must outlive further parsing. */
  data: Buffer;
}
export interface CopyDone {
  type: "CopyDone";
}
export interface NotificationResponse {
  type: "NotificationResponse";
  pid: number;
  channel: string;
  payload: string;
}
export interface NegotiateProtocolVersion {
  type: "NegotiateProtocolVersion";
  /** Newest minor protocol version the server supports for the requested major version. */
  minorVersion: number;
  /** Startup options ("_pq_.x") the server did not recognise. */
  unrecognizedOptions: string[];
}

export type BackendMessage =
  | AuthenticationOk
  | AuthenticationCleartextPassword
  | AuthenticationMD5Password
  | AuthenticationSASL
  | AuthenticationSASLContinue
  | AuthenticationSASLFinal
  | AuthenticationUnsupported
  | ParameterStatus
  | BackendKeyData
  | ReadyForQuery
  | RowDescription
  | DataRow
  | CommandComplete
  | EmptyQueryResponse
  | ErrorResponse
  | NoticeResponse
  | ParseComplete
  | BindComplete
  | CloseComplete
  | NoData
  | ParameterDescription
  | PortalSuspended
  | CopyInResponse
  | CopyOutResponse
  | CopyBothResponse
  | CopyData
  | CopyDone
  | NotificationResponse
  | NegotiateProtocolVersion;

export type BackendMessageType = BackendMessage["type"];
