// Per-connection LRU of server-side prepared statements, keyed by SQL text. An entry remembers what
// Describe told us (parameter types, result columns), the result formats chosen for Bind and the row
// decoders compiled for them; entries in use are pinned. It sends nothing: the connection closes evicted names.
import { createHash } from "node:crypto";
import {
  compileRowDecoder,
  type FieldDescription,
  type FormatCode,
  type RowDecoder,
  type TypeRegistry,
} from "@fasterapi/pg-codec";

export class PreparedStatement {
  /** Set once Describe answered; until then `ready` is pending. */
  paramOids: number[] = [];
  fields: FieldDescription[] = [];
  resultFormats: FormatCode[] = [];
  described = false;
  ready: Promise<void> = Promise.resolve();
  /** Queries between lookup and answer that use this statement: a pinned statement is never evicted. */
  pins = 0;
  private objectDecoder: RowDecoder | undefined;
  private arrayDecoder: RowDecoder | undefined;

  constructor(
    /** "" for the unnamed statement (cache disabled), else a name derived from the SQL. */
    readonly name: string,
    readonly sql: string,
  ) {}

  describe(paramOids: number[], fields: FieldDescription[], registry: TypeRegistry): void {
    this.paramOids = paramOids;
    this.resultFormats = registry.resultFormats(fields);
    // Describe(statement) reports format 0 for every column; record the formats Bind will ask for.
    this.fields = fields.map((field, i) => ({ ...field, format: this.resultFormats[i]! }));
    this.described = true;
  }

  decoder(rowMode: "object" | "array", registry: TypeRegistry): RowDecoder {
    if (rowMode === "array") {
      this.arrayDecoder ??= compileRowDecoder(this.fields, registry, {
        rowMode,
        formats: this.resultFormats,
      });
      return this.arrayDecoder;
    }
    this.objectDecoder ??= compileRowDecoder(this.fields, registry, { rowMode, formats: this.resultFormats });
    return this.objectDecoder;
  }
}

/** Statement name from a hash of the SQL: stable per text, well under NAMEDATALEN (63 bytes). */
export function statementName(sql: string): string {
  return `fa_${createHash("sha1").update(sql).digest("base64url")}`;
}

export class StatementCache {
  private readonly entries = new Map<string, PreparedStatement>();
  /** The most recently used entry: using it again needs no reordering (the usual hot loop). */
  private newest: PreparedStatement | undefined;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry for `sql`, marked most recently used. */
  get(sql: string): PreparedStatement | undefined {
    const entry = this.entries.get(sql);
    if (entry && entry !== this.newest) {
      this.entries.delete(sql);
      this.entries.set(sql, entry);
      this.newest = entry;
    }
    return entry;
  }

  /** The entry for `sql` without touching its recency. */
  peek(sql: string): PreparedStatement | undefined {
    return this.entries.get(sql);
  }

  /**
   * Adds an entry and evicts least recently used unpinned ones beyond capacity; returns them (their
   * names must be closed). While every older entry is in use the cache stays over capacity for a while.
   */
  add(entry: PreparedStatement): PreparedStatement[] {
    this.entries.set(entry.sql, entry);
    this.newest = entry;
    const evicted: PreparedStatement[] = [];
    for (const candidate of this.entries.values()) {
      if (this.entries.size <= this.capacity) break;
      if (candidate.pins > 0 || candidate === entry) continue;
      this.entries.delete(candidate.sql);
      evicted.push(candidate);
    }
    return evicted;
  }

  /** Forgets `entry` if it is still the current one for its SQL. */
  remove(entry: PreparedStatement): void {
    if (this.entries.get(entry.sql) === entry) this.entries.delete(entry.sql);
    if (this.newest === entry) this.newest = undefined;
  }

  clear(): void {
    this.entries.clear();
    this.newest = undefined;
  }
}
