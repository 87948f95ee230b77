// Error classes: PgError is a server ErrorResponse turned into a JS Error that keeps every field;
// ProtocolError means bytes from the server broke the protocol's rules (encoders reject bad JS values
// with TypeError/RangeError instead). Neither carries connection state: the pool decides what an
// error means for a connection.

import type { ErrorFields } from "./backend-messages.js";

export class PgError extends Error {
  override readonly name = "PgError";
  /** SQLSTATE, e.g. "23505" (unique_violation). */
  readonly code: string;
  readonly severity: string;
  readonly severityNonLocalized: string | undefined;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly position: number | undefined;
  readonly internalPosition: number | undefined;
  readonly internalQuery: string | undefined;
  readonly where: string | undefined;
  readonly schema: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;
  readonly dataType: string | undefined;
  readonly constraint: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly routine: string | undefined;

  constructor(fields: ErrorFields) {
    super(fields.message);
    this.code = fields.code;
    this.severity = fields.severity;
    this.severityNonLocalized = fields.severityNonLocalized;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.internalPosition = fields.internalPosition;
    this.internalQuery = fields.internalQuery;
    this.where = fields.where;
    this.schema = fields.schema;
    this.table = fields.table;
    this.column = fields.column;
    this.dataType = fields.dataType;
    this.constraint = fields.constraint;
    this.file = fields.file;
    this.line = fields.line;
    this.routine = fields.routine;
  }
}

/** The server sent bytes that are not valid protocol 3.0, or a message this client cannot interpret. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}
