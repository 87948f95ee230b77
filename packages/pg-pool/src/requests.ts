// What each pipelined request expects back: a request receives every server message from the first
// answer to its messages up to and including its ReadyForQuery (each request ends with its own Sync or
// is a simple Query). Requests only collect and settle; writing and ordering are the connection's job.
import type { BackendMessage, CommandComplete, FieldDescription, RowDecoder } from "@fasterapi/pg-codec";
import { PgError } from "@fasterapi/pg-codec";
import type { QueryResult } from "./queryable.js";

export interface PendingRequest {
  /** Gets the request's messages in order; the last one it gets is ReadyForQuery. */
  handle(message: BackendMessage): void;
  /** The connection closed before ReadyForQuery arrived. */
  fail(error: Error): void;
  /** Called after each socket read, so requests can batch work per read (COPY OUT coalescing). */
  endOfChunk?(): void;
  /** A CancelRequest is to be sent as soon as this request is the one the server is executing. */
  cancelWhenHead?: boolean;
}

/** A request whose outcome is a promise. */
abstract class Deferred<T> implements PendingRequest {
  readonly promise: Promise<T>;
  protected resolve!: (value: T) => void;
  protected reject!: (error: Error) => void;
  protected error: Error | undefined;
  cancelWhenHead?: boolean;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  abstract handle(message: BackendMessage): void;

  fail(error: Error): void {
    this.reject(error);
  }

  /** Records the first error; the request still waits for ReadyForQuery before it settles. */
  protected setError(error: Error): void {
    this.error ??= error;
  }
}

/** Parse + Describe(statement) + Sync: learns parameter types and result columns. */
export class PrepareRequest extends Deferred<{ paramOids: number[]; fields: FieldDescription[] }> {
  private paramOids: number[] = [];
  private fields: FieldDescription[] = [];

  handle(message: BackendMessage): void {
    switch (message.type) {
      case "ParameterDescription":
        this.paramOids = message.oids;
        break;
      case "RowDescription":
        this.fields = message.fields;
        break;
      case "ErrorResponse":
        this.setError(new PgError(message.fields));
        break;
      case "ReadyForQuery":
        if (this.error) this.reject(this.error);
        else this.resolve({ paramOids: this.paramOids, fields: this.fields });
        break;
      default:
        // ParseComplete, NoData, CloseComplete of an evicted statement closed in the same batch.
        break;
    }
  }
}

/** [Parse] + Bind + Execute + Sync: rows decoded as they arrive. */
export class ExecuteRequest<R> extends Deferred<QueryResult<R>> {
  private readonly rows: R[] = [];
  private complete: CommandComplete | undefined;

  constructor(
    private readonly decoder: RowDecoder,
    private readonly fields: FieldDescription[],
  ) {
    super();
  }

  handle(message: BackendMessage): void {
    switch (message.type) {
      case "DataRow":
        if (this.error) return;
        try {
          this.rows.push(this.decoder.decodeRow(message.buffer, message.offset) as R);
        } catch (error) {
          this.setError(error as Error);
        }
        break;
      case "CommandComplete":
        this.complete = message;
        break;
      case "ErrorResponse":
        this.setError(new PgError(message.fields));
        break;
      case "ReadyForQuery":
        if (this.error) this.reject(this.error);
        else {
          this.resolve({
            rows: this.rows,
            rowCount: this.complete?.rowCount ?? this.rows.length,
            command: this.complete?.command ?? "",
            fields: this.fields,
          });
        }
        break;
      default:
        // ParseComplete, BindComplete, EmptyQueryResponse, CloseComplete.
        break;
    }
  }
}

/** A simple Query for commands (BEGIN, COMMIT, LISTEN...): resolves with the last command tag; rows are ignored. */
export class CommandRequest extends Deferred<string> {
  private tag = "";

  handle(message: BackendMessage): void {
    switch (message.type) {
      case "CommandComplete":
        this.tag = message.tag;
        break;
      case "ErrorResponse":
        this.setError(new PgError(message.fields));
        break;
      case "ReadyForQuery":
        if (this.error) this.reject(this.error);
        else this.resolve(this.tag);
        break;
      default:
        break;
    }
  }
}

/** Swallows the answer to a batch abandoned half-way (a parameter failed to encode after Parse was queued). */
export class DiscardRequest implements PendingRequest {
  handle(): void {}
  fail(): void {}
}
