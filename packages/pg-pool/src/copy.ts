// COPY as Node streams on one connection: `COPY ... FROM STDIN` is a Writable (CopyData messages, with
// the socket's backpressure), `COPY ... TO STDOUT` a Readable (the socket pauses while the consumer
// is full), and copyRows writes JS rows in COPY binary format. Any COPY format passes through unchanged.
import { once } from "node:events";
import { Readable, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { type BackendMessage, CopyBinaryWriter, PgError } from "@fasterapi/pg-codec";
import { quoteIdentifier, quoteQualified } from "./identifier.js";
import type { Lease } from "./lease.js";
import type { PendingRequest } from "./requests.js";

/** Settles twice: `started` once the server entered COPY mode, `done` (row count) at ReadyForQuery. */
abstract class CopyRequest implements PendingRequest {
  readonly started: Promise<void>;
  readonly done: Promise<number>;
  settled = false;
  protected error: Error | undefined;
  private rowCount = 0;
  private resolveStarted!: () => void;
  private rejectStarted!: (error: Error) => void;
  private resolveDone!: (rowCount: number) => void;
  private rejectDone!: (error: Error) => void;

  constructor() {
    this.started = new Promise((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // Both are awaited by the stream; these keep an unobserved rejection from crashing the process.
    this.started.catch(() => undefined);
    this.done.catch(() => undefined);
  }

  protected abstract onMessage(message: BackendMessage): void;

  handle(message: BackendMessage): void {
    switch (message.type) {
      case "CommandComplete":
        this.rowCount = message.rowCount ?? 0;
        break;
      case "ErrorResponse":
        this.error ??= new PgError(message.fields);
        break;
      case "ReadyForQuery":
        this.settled = true;
        this.onMessage(message);
        this.rejectStarted(this.error ?? new TypeError("the statement did not start a COPY"));
        if (this.error) this.rejectDone(this.error);
        else this.resolveDone(this.rowCount);
        break;
      default:
        this.onMessage(message);
    }
  }

  fail(error: Error): void {
    this.settled = true;
    this.rejectStarted(error);
    this.rejectDone(error);
  }

  protected start(): void {
    this.resolveStarted();
  }
}

class CopyInRequest extends CopyRequest {
  constructor(private readonly abortWrongDirection: () => void) {
    super();
  }

  protected onMessage(message: BackendMessage): void {
    if (message.type === "CopyInResponse") this.start();
    else if (message.type === "CopyOutResponse") {
      this.error ??= new TypeError("copyFrom needs COPY ... FROM STDIN; use copyTo for COPY ... TO STDOUT");
      this.abortWrongDirection();
    }
  }
}

class CopyOutRequest extends CopyRequest {
  /** Views of CopyData payloads received in the current socket read, joined into one chunk per read. */
  private parts: Buffer[] = [];
  discard = false;

  constructor(
    private readonly onData: (chunk: Buffer) => void,
    private readonly abortWrongDirection: () => void,
  ) {
    super();
  }

  protected onMessage(message: BackendMessage): void {
    switch (message.type) {
      case "CopyOutResponse":
        this.start();
        break;
      case "CopyData":
        if (!this.discard) this.parts.push(message.data);
        break;
      case "CopyInResponse":
        this.error ??= new TypeError("copyTo needs COPY ... TO STDOUT; use copyFrom for COPY ... FROM STDIN");
        this.abortWrongDirection();
        break;
      default:
        // CopyDone, ReadyForQuery: hand over what is buffered before the request settles.
        this.endOfChunk();
    }
  }

  endOfChunk(): void {
    if (this.parts.length === 0) return;
    const chunk = Buffer.concat(this.parts);
    this.parts = [];
    if (!this.discard) this.onData(chunk);
  }
}

/**
 * What both COPY streams do on the connection side: borrow it, send the statement, and give it
 * back (reading resumed, in case the consumer had paused it) once the COPY ended either way.
 */
class CopySession<R extends CopyRequest> {
  lease: Lease | undefined;
  request: R | undefined;

  constructor(
    private readonly open: () => Promise<Lease>,
    private readonly sql: string,
  ) {}

  /** Resolves once the server entered COPY mode; `ended` runs after the connection went back. */
  async start(
    makeRequest: (connection: Lease["connection"]) => R,
    ended: (outcome: { rowCount: number } | { error: Error }) => void,
  ): Promise<void> {
    this.lease = await this.open();
    const connection = this.lease.connection;
    const request = makeRequest(connection);
    this.request = request;
    connection.enqueue(request, (w) => w.query(this.sql));
    request.done.then(
      (rowCount) => {
        this.giveBack();
        ended({ rowCount });
      },
      (error: Error) => {
        this.giveBack();
        ended({ error });
      },
    );
    await request.started;
  }

  /** The COPY request is still running on the connection. */
  get running(): boolean {
    return this.request !== undefined && !this.request.settled && this.lease !== undefined;
  }

  giveBack(): void {
    const lease = this.lease;
    this.lease = undefined;
    lease?.connection.resumeReading();
    lease?.release();
  }
}

/** Writable side of `COPY ... FROM STDIN`; `rowCount` is set once 'finish' was emitted. */
export class CopyFromStream extends Writable {
  rowCount: number | undefined;
  private readonly session: CopySession<CopyInRequest>;

  constructor(open: () => Promise<Lease>, sql: string) {
    super({ highWaterMark: 64 * 1024 });
    this.session = new CopySession(open, sql);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.session
      .start(
        // A COPY TO STDOUT would stream its whole output at us: cancel it rather than read it all.
        (connection) => {
          const request: CopyInRequest = new CopyInRequest(() => connection.cancel(request));
          return request;
        },
        (outcome) => {
          if ("error" in outcome) this.destroy(outcome.error);
        },
      )
      .then(() => callback(), callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const connection = this.session.lease!.connection;
    const ok = connection.writeNow((w) => {
      for (const { chunk } of chunks) w.copyData(chunk);
    });
    if (ok) callback();
    else connection.drained().then(() => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.session.lease!.connection.writeNow((w) => w.copyDone());
    this.session.request!.done.then((rowCount) => {
      this.rowCount = rowCount;
      callback();
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const session = this.session;
    if (!session.running) {
      session.giveBack();
      callback(error);
      return;
    }
    // Leave COPY mode before the connection goes back: the server rolls the COPY back.
    session.lease!.connection.writeNow((w) => w.copyFail(error?.message ?? "COPY aborted by the client"));
    session.request!.done.then(
      () => callback(error),
      () => callback(error),
    );
  }
}

/** Readable side of `COPY ... TO STDOUT`: one Buffer per socket read; `rowCount` is set at 'end'. */
export class CopyToStream extends Readable {
  rowCount: number | undefined;
  private readonly session: CopySession<CopyOutRequest>;

  constructor(open: () => Promise<Lease>, sql: string) {
    super({ highWaterMark: 256 * 1024 });
    this.session = new CopySession(open, sql);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.session
      .start(
        (connection) =>
          new CopyOutRequest(
            (chunk) => {
              if (!this.push(chunk)) connection.pauseReading();
            },
            () => connection.writeNow((w) => w.copyFail("wrong COPY direction")),
          ),
        (outcome) => {
          if ("error" in outcome) {
            this.destroy(outcome.error);
            return;
          }
          this.rowCount = outcome.rowCount;
          this.push(null);
        },
      )
      .then(() => callback(), callback);
  }

  override _read(): void {
    this.session.lease?.connection.resumeReading();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const session = this.session;
    if (!session.running) {
      session.giveBack();
      callback(error);
      return;
    }
    // The consumer gave up: cancel the COPY and drop what still arrives before giving the connection back.
    const request = session.request!;
    const connection = session.lease!.connection;
    request.discard = true;
    connection.cancel(request);
    connection.resumeReading();
    request.done.then(
      () => callback(error),
      () => callback(error),
    );
  }
}

export interface CopyRowsOptions {
  /** Rows per CopyData batch are grouped up to about this many bytes. Default 64 KiB. */
  batchBytes?: number;
}

/**
 * Loads `rows` (arrays in `columns` order) into `table` with COPY ... FROM STDIN (FORMAT binary),
 * encoding values with the column types the server reports. Resolves with the number of rows copied.
 */
export async function copyRows(
  open: () => Promise<Lease>,
  table: string | readonly string[],
  columns: readonly string[],
  rows: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>,
  options: CopyRowsOptions = {},
): Promise<number> {
  if (columns.length === 0) throw new TypeError("copyRows: at least one column is required");
  const lease = await open();
  try {
    const target = quoteQualified(table);
    const list = columns.map(quoteIdentifier).join(", ");
    const connection = lease.connection;
    const { fields } = await connection.query(`SELECT ${list} FROM ${target} WHERE false`);
    const writer = new CopyBinaryWriter(
      fields.map((f) => f.typeOid),
      connection.typeRegistry,
    );
    const stream = new CopyFromStream(
      () => Promise.resolve({ connection, release: () => undefined }),
      `COPY ${target} (${list}) FROM STDIN (FORMAT binary)`,
    );
    const batchBytes = options.batchBytes ?? 64 * 1024;
    try {
      writer.header();
      for await (const row of rows) {
        writer.row(row);
        if (writer.length >= batchBytes && !stream.write(writer.take())) await once(stream, "drain");
      }
      writer.trailer();
      stream.end(writer.take());
      await finished(stream);
    } catch (error) {
      stream.destroy(error as Error);
      await finished(stream).catch(() => undefined);
      throw error;
    }
    return stream.rowCount ?? 0;
  } finally {
    lease.release();
  }
}
