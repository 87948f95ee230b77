import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CopyBinaryReader, TypeRegistry } from "@fasterapi/pg-codec";
import { PgPool } from "@fasterapi/pg-pool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./fixtures/database.js";

const ROWS = 1_000_000;
let db: TestDatabase;
let pool: PgPool;

beforeAll(async () => {
  db = await createTestDatabase("copy");
  pool = new PgPool({ url: db.url, max: 3 });
  await pool.query("CREATE TABLE text_rows (id int NOT NULL, name text NOT NULL)");
  await pool.query("CREATE TABLE binary_rows (id int NOT NULL, name text, amount int8)");
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** 1M rows of "id\tname\n" in chunks of 10 000 rows. */
function* textRows(): Generator<string> {
  for (let start = 0; start < ROWS; start += 10_000) {
    let chunk = "";
    for (let i = start; i < start + 10_000; i++) chunk += `${i}\trow ${i}\n`;
    yield chunk;
  }
}

/** Counts bytes and newlines of what it receives. */
function counter(): Writable & { bytes: number; lines: number } {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) sink.lines++;
      callback();
    },
  }) as Writable & { bytes: number; lines: number };
  sink.bytes = 0;
  sink.lines = 0;
  return sink;
}

describe("COPY", () => {
  it("copies 1M rows in with copyFrom (text format) and reports the row count", async () => {
    const stream = pool.copyFrom("COPY text_rows (id, name) FROM STDIN");
    await pipeline(Readable.from(textRows()), stream);
    expect(stream.rowCount).toBe(ROWS);
    expect(await pool.one("SELECT count(*)::int AS n, sum(id)::int8 AS s FROM text_rows")).toEqual({
      n: ROWS,
      s: BigInt((ROWS * (ROWS - 1)) / 2),
    });
    expect(pool.stats().borrowed).toBe(0);
  });

  it("copies 1M rows out with copyTo (text format) with backpressure", async () => {
    const stream = pool.copyTo("COPY text_rows TO STDOUT");
    const sink = counter();
    await pipeline(stream, sink);
    expect(sink.lines).toBe(ROWS);
    expect(stream.rowCount).toBe(ROWS);
    expect(pool.stats().borrowed).toBe(0);
  });

  it("stops a COPY TO early when the consumer destroys the stream, and the connection serves again", async () => {
    const stream = pool.copyTo("COPY text_rows TO STDOUT");
    let chunks = 0;
    for await (const _chunk of stream) {
      chunks++;
      break;
    }
    expect(chunks).toBe(1);
    const deadline = Date.now() + 5000;
    while (pool.stats().borrowed > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(pool.stats().borrowed).toBe(0);
    const results = await Promise.all([1, 2, 3].map((n) => pool.one("SELECT $1::int AS n", [n])));
    expect(results).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("copies CSV out with a header", async () => {
    const stream = pool.copyTo(
      "COPY (SELECT id, name FROM text_rows WHERE id < 3 ORDER BY id) TO STDOUT (FORMAT csv, HEADER)",
    );
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("id,name\n0,row 0\n1,row 1\n2,row 2\n");
  });

  it("loads 1M rows with copyRows (binary format) and reads them back in binary", async () => {
    function* rows(): Generator<unknown[]> {
      for (let i = 0; i < ROWS; i++) yield [i, i % 10 === 0 ? null : `name ${i}`, BigInt(i) * 1000n];
    }
    const copied = await pool.copyRows("binary_rows", ["id", "name", "amount"], rows());
    expect(copied).toBe(ROWS);

    const registry = new TypeRegistry();
    const reader = new CopyBinaryReader([23, 25, 20], registry);
    let count = 0;
    let nulls = 0;
    let last: unknown[] | null = null;
    const stream = pool.copyTo(
      "COPY (SELECT id, name, amount FROM binary_rows ORDER BY id) TO STDOUT (FORMAT binary)",
    );
    for await (const chunk of stream) {
      reader.push(chunk as Buffer);
      for (let row = reader.next(); row !== null; row = reader.next()) {
        count++;
        if (row[1] === null) nulls++;
        last = row;
      }
    }
    expect(reader.done).toBe(true);
    expect(count).toBe(ROWS);
    expect(nulls).toBe(ROWS / 10);
    expect(last).toEqual([ROWS - 1, `name ${ROWS - 1}`, BigInt(ROWS - 1) * 1000n]);
  });

  it("copyRows inside a transaction sees the transaction and is rolled back with it", async () => {
    await pool.query("CREATE TABLE tx_rows (id int NOT NULL, name text)");
    const inside = await pool
      .transaction(async (tx) => {
        await tx.query("INSERT INTO tx_rows VALUES (0, 'before')");
        expect(
          await tx.copyRows(
            "tx_rows",
            ["id", "name"],
            [
              [1, "a"],
              [2, null],
            ],
          ),
        ).toBe(2);
        const seen = await tx.one<{ n: number }>("SELECT count(*)::int AS n FROM tx_rows");
        throw Object.assign(new Error("roll back"), { seen: seen.n });
      })
      .catch((error: { seen: number }) => error.seen);
    expect(inside).toBe(3);
    expect(await pool.one("SELECT count(*)::int AS n FROM tx_rows")).toEqual({ n: 0 });
    await pool.query("DROP TABLE tx_rows");
    expect(pool.stats().borrowed).toBe(0);
  });

  it("rejects bad COPY data with the server's error and gives the connection back", async () => {
    const stream = pool.copyFrom("COPY text_rows (id, name) FROM STDIN");
    await expect(pipeline(Readable.from(["1\tok\n", "not-a-number\tbad\n"]), stream)).rejects.toMatchObject({
      code: "22P02",
    });
    expect(await pool.one("SELECT count(*)::int AS n FROM text_rows WHERE name = 'ok'")).toEqual({ n: 0 });
    expect(pool.stats().borrowed).toBe(0);
  });

  it("rolls the COPY back when the source stream fails", async () => {
    const source = new Readable({
      read() {
        this.push("5000000\tpartial\n");
        this.destroy(new Error("source broke"));
      },
    });
    await expect(pipeline(source, pool.copyFrom("COPY text_rows (id, name) FROM STDIN"))).rejects.toThrow(
      "source broke",
    );
    expect(await pool.one("SELECT count(*)::int AS n FROM text_rows WHERE id = 5000000")).toEqual({ n: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.stats().borrowed).toBe(0);
  });

  it("rejects copyFrom on a statement that is not COPY FROM STDIN", async () => {
    await expect(pipeline(Readable.from(["x"]), pool.copyFrom("SELECT 1"))).rejects.toThrow(
      /did not start a COPY/,
    );
    await expect(pipeline(Readable.from(["x"]), pool.copyFrom("COPY text_rows TO STDOUT"))).rejects.toThrow(
      /COPY ... FROM STDIN/,
    );
    expect(await pool.one("SELECT 1 AS ok")).toEqual({ ok: 1 });
  });
});
