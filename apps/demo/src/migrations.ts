// Schema migrations applied in order at startup, each once, recorded in schema_migrations.
// Runs inside one transaction with an advisory lock so two demo processes never race.
import type { PgPool } from "@fasterapi/pg-pool";

const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `CREATE TABLE items (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      description text,
      price numeric(12, 2) NOT NULL CHECK (price >= 0),
      tags text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
  },
  { version: 2, sql: "CREATE INDEX items_name_lower ON items (lower(name))" },
  { version: 3, sql: "CREATE INDEX items_tags ON items USING gin (tags)" },
];

export async function migrate(pool: PgPool): Promise<number[]> {
  return pool.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(7428001)");
    await tx.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = await tx.query("SELECT version FROM schema_migrations");
    const applied = new Set(done.rows.map((r) => Number((r as { version: number }).version)));
    const ran: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await tx.query(m.sql);
      await tx.query("INSERT INTO schema_migrations (version) VALUES ($1)", [m.version]);
      ran.push(m.version);
    }
    return ran;
  });
}
