// The COPY surface shared by the pool, a borrowed connection and a transaction: copyFrom, copyTo
// and copyRows are written once here, over the one thing the three differ in: where the COPY's
// session comes from (a pool lease, or the connection already held). The streams are copy.ts.
import { CopyFromStream, type CopyRowsOptions, CopyToStream, copyRows } from "./copy.js";
import type { Lease } from "./lease.js";
import { Queryable } from "./queryable.js";

export abstract class Copyable extends Queryable {
  /** How a COPY gets its session; called when the COPY is started. */
  protected abstract copySession(): () => Promise<Lease>;

  /** `COPY ... FROM STDIN` as a Writable; a pooled session returns to the pool after 'finish' or an error. */
  copyFrom(sql: string): CopyFromStream {
    return new CopyFromStream(this.copySession(), sql);
  }

  /** `COPY ... TO STDOUT` as a Readable. */
  copyTo(sql: string): CopyToStream {
    return new CopyToStream(this.copySession(), sql);
  }

  /** Loads rows into `table` with COPY binary; resolves with the row count. */
  copyRows(
    table: string | readonly string[],
    columns: readonly string[],
    rows: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>,
    options?: CopyRowsOptions,
  ): Promise<number> {
    return copyRows(this.copySession(), table, columns, rows, options);
  }
}
