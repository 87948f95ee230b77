import { NoRowsError, PgError, PgPool, TooManyRowsError } from "@fasterapi/pg-pool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./fixtures/database.js";

let db: TestDatabase;
let pool: PgPool;

beforeAll(async () => {
  db = await createTestDatabase("query");
  pool = new PgPool({ url: db.url, max: 4 });
  await pool.query("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, tags text[], meta jsonb)");
  await pool.query("INSERT INTO items VALUES (1, 'one', '{a,b}', '{\"k\":1}'), (2, 'two', NULL, NULL)");
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe("query", () => {
  it("returns rows, rowCount, command and fields", async () => {
    const result = await pool.query("SELECT id, name FROM items ORDER BY id");
    expect(result.rows).toEqual([
      { id: 1, name: "one" },
      { id: 2, name: "two" },
    ]);
    expect(result.rowCount).toBe(2);
    expect(result.command).toBe("SELECT");
    expect(result.fields.map((f) => f.name)).toEqual(["id", "name"]);
  });

  it("reports the affected row count of INSERT, UPDATE and DELETE", async () => {
    const inserted = await pool.query("INSERT INTO items (id, name) VALUES ($1, $2), ($3, $4)", [
      10,
      "x",
      11,
      "y",
    ]);
    expect([inserted.command, inserted.rowCount]).toEqual(["INSERT", 2]);
    const updated = await pool.query("UPDATE items SET name = name || '!' WHERE id >= $1", [10]);
    expect([updated.command, updated.rowCount]).toEqual(["UPDATE", 2]);
    const deleted = await pool.query("DELETE FROM items WHERE id >= $1", [10]);
    expect([deleted.command, deleted.rowCount]).toEqual(["DELETE", 2]);
  });

  it("decodes binary results into JS types and encodes parameters by their declared types", async () => {
    const row = await pool.one(
      "SELECT $1::int4 AS i, $2::int8 AS big, $3::bool AS b, $4::float8 AS f, $5::text AS t, $6::jsonb AS j, $7::bytea AS bytes, $8::int4 AS n, tags, meta FROM items WHERE id = 1",
      [7, 9007199254740993n, true, 1.5, "héllo", { a: [1, 2] }, Buffer.from([1, 2, 3]), null],
    );
    expect(row).toEqual({
      i: 7,
      big: 9007199254740993n,
      b: true,
      f: 1.5,
      t: "héllo",
      j: { a: [1, 2] },
      bytes: Buffer.from([1, 2, 3]),
      n: null,
      tags: ["a", "b"],
      meta: { k: 1 },
    });
  });

  it("returns rows as arrays with rowMode array", async () => {
    const result = await pool.query("SELECT id, name FROM items WHERE id = $1", [2], { rowMode: "array" });
    expect(result.rows).toEqual([[2, "two"]]);
  });

  it("one() returns the row, throws NoRowsError for none and TooManyRowsError for several", async () => {
    expect(await pool.one("SELECT name FROM items WHERE id = $1", [1])).toEqual({ name: "one" });
    await expect(pool.one("SELECT name FROM items WHERE id = $1", [99])).rejects.toBeInstanceOf(NoRowsError);
    await expect(pool.one("SELECT name FROM items")).rejects.toBeInstanceOf(TooManyRowsError);
  });

  it("maybeOne() returns null for no row and many() returns every row", async () => {
    expect(await pool.maybeOne("SELECT name FROM items WHERE id = $1", [99])).toBeNull();
    expect(await pool.maybeOne("SELECT name FROM items WHERE id = $1", [2])).toEqual({ name: "two" });
    await expect(pool.maybeOne("SELECT name FROM items")).rejects.toBeInstanceOf(TooManyRowsError);
    expect(await pool.many("SELECT id FROM items ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it("rejects server errors as PgError with every ErrorResponse field", async () => {
    const error = await pool.query("INSERT INTO items (id, name) VALUES (1, 'dup')").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PgError);
    const pgError = error as PgError;
    expect(pgError.code).toBe("23505");
    expect(pgError.constraint).toBe("items_pkey");
    expect(pgError.table).toBe("items");
    expect(pgError.detail).toContain("(id)=(1)");
    const syntax = (await pool.query("SELEC 1").catch((e: unknown) => e)) as PgError;
    expect(syntax.code).toBe("42601");
    expect(syntax.position).toBe(1);
  });

  it("rejects a wrong number of parameters with a clear TypeError before sending", async () => {
    await expect(pool.query("SELECT $1::int AS a", [])).rejects.toThrow(/expects 1 parameter\(s\), got 0/);
    await expect(pool.query("SELECT $1::int AS a", [1, 2])).rejects.toThrow(TypeError);
  });

  it("rejects a parameter its codec cannot encode and keeps the connection usable", async () => {
    const single = new PgPool({ url: db.url, max: 1 });
    try {
      await expect(single.query("SELECT $1::int4 AS a", [{ not: "a number" }])).rejects.toThrow(/\$1/);
      expect(await single.one("SELECT 42 AS answer")).toEqual({ answer: 42 });
    } finally {
      await single.end();
    }
  });

  it("answers an empty statement with an empty result", async () => {
    const result = await pool.query("");
    expect(result.rows).toEqual([]);
    expect(result.rowCount).toBe(0);
  });
});
