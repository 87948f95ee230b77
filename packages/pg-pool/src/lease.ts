// A connection on loan: the minimal handle COPY streams and transactions need (the session plus a way
// to give it back). The pool's leases return the connection to the pool; a connection the caller already
// holds is lent with a no-op release.
import type { Connection } from "./connection.js";

export interface Lease {
  readonly connection: Connection;
  release(): void;
}

/** Lends an already borrowed connection without giving it back when the borrower is done. */
export function borrowedLease(connection: Connection): () => Promise<Lease> {
  return () => Promise.resolve({ connection, release: () => undefined });
}
