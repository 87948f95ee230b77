// A throwaway database for the database-backed benchmarks: created, seeded and dropped by the
// suite, on the machine's PostgreSQL (DATABASE_URL, else postgres@127.0.0.1:5432).
import pg from "pg";

export const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdmin(fn) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates `name` with an items table of `rows` rows; returns its URL. */
export async function createItemsDatabase(name, rows = 10_000) {
  await withAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const url = databaseUrl(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, price float8 NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now())`);
  await client.query(
    `INSERT INTO items (id, name, price) SELECT g, 'item ' || g, g * 1.5 FROM generate_series(1, ${rows}) g`,
  );
  await client.query("ANALYZE items");
  await client.end();
  return url;
}

export async function dropDatabase(name) {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
