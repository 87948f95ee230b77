// The three PostgreSQL clients under test, each behind the same four operations so one
// workload runner drives them all: lookup (prepared), many rows, COPY in, acquire+release.
import pg from "pg";
import postgres from "postgres";
import { baselinePackage } from "../lib/baseline.mjs";

/**
 * `native: false` runs sessions on net.Socket (the JS twin) instead of the engine's sockets;
 * `entry` loads pg-pool from elsewhere (the BENCH_BASELINE checkout).
 */
export async function fasterapiClient(url, max, native, entry = "@fasterapi/pg-pool") {
  const { PgPool } = await import(entry);
  const pool = new PgPool({ url, max, native });
  return {
    lookup: (id) => pool.query("SELECT aid, abalance FROM pgbench_accounts WHERE aid = $1", [id]),
    manyRows: () => pool.query("SELECT id, name, price, created_at FROM items"),
    async copyIn(rows) {
      const { pipeline } = await import("node:stream/promises");
      const { Readable } = await import("node:stream");
      await pipeline(
        Readable.from(copyTextChunks(rows)),
        pool.copyFrom("COPY copy_target (id, name, price) FROM STDIN"),
      );
    },
    async acquireRelease() {
      const conn = await pool.acquire();
      conn.release();
    },
    end: () => pool.end(),
  };
}

export async function pgClient(url, max) {
  const pool = new pg.Pool({ connectionString: url, max });
  return {
    lookup: (id) =>
      pool.query({
        name: "lookup",
        text: "SELECT aid, abalance FROM pgbench_accounts WHERE aid = $1",
        values: [id],
      }),
    manyRows: () => pool.query({ name: "many", text: "SELECT id, name, price, created_at FROM items" }),
    copyIn: null, // node-postgres needs the separate pg-copy-streams package for COPY
    async acquireRelease() {
      const client = await pool.connect();
      client.release();
    },
    end: () => pool.end(),
  };
}

export async function postgresJsClient(url, max) {
  const sql = postgres(url, { max, prepare: true });
  return {
    lookup: (id) => sql`SELECT aid, abalance FROM pgbench_accounts WHERE aid = ${id}`,
    manyRows: () => sql`SELECT id, name, price, created_at FROM items`,
    async copyIn(rows) {
      const { pipeline } = await import("node:stream/promises");
      const { Readable } = await import("node:stream");
      const writable = await sql`COPY copy_target (id, name, price) FROM STDIN`.writable();
      await pipeline(Readable.from(copyTextChunks(rows)), writable);
    },
    async acquireRelease() {
      const reserved = await sql.reserve();
      reserved.release();
    },
    end: () => sql.end(),
  };
}

function* copyTextChunks(rows) {
  const batch = 1000;
  for (let start = 0; start < rows; start += batch) {
    let text = "";
    for (let i = start; i < Math.min(rows, start + batch); i++) text += `${i}\titem ${i}\t${i * 1.5}\n`;
    yield Buffer.from(text);
  }
}

export const CLIENTS = {
  "FasterAPI pg-pool": fasterapiClient,
  "FasterAPI pg-pool (net.Socket)": (url, max) => fasterapiClient(url, max, false),
  pg: pgClient,
  "postgres.js": postgresJsClient,
};
const baselinePgPool = baselinePackage("pg-pool");
if (baselinePgPool !== undefined)
  CLIENTS["FasterAPI pg-pool (baseline)"] = (url, max) =>
    fasterapiClient(url, max, undefined, baselinePgPool);
