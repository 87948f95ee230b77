// SQL identifier quoting for the few statements this package builds itself (LISTEN/UNLISTEN channels,
// COPY table and column lists). Values never go through here: they travel as Bind parameters.

/** Quotes one identifier; "a.b" stays one name (quote schema and table separately). */
export function quoteIdentifier(name: string): string {
  if (typeof name !== "string" || name.length === 0 || name.includes("\0")) {
    throw new TypeError(`invalid SQL identifier: ${JSON.stringify(name)}`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes "table" or "schema.table" given as a string, or [schema, table]. */
export function quoteQualified(name: string | readonly string[]): string {
  const parts = typeof name === "string" ? name.split(".") : name;
  return parts.map(quoteIdentifier).join(".");
}
