import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PgError, PgPool } from "@fasterapi/pg-pool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./fixtures/database.js";

let db: TestDatabase;
let pool: PgPool;

beforeAll(async () => {
  db = await createTestDatabase("tx");
  pool = new PgPool({ url: db.url, max: 6 });
  await pool.query("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)");
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

async function resetAccounts(...balances: number[]): Promise<void> {
  await pool.query("DELETE FROM accounts");
  for (const [i, balance] of balances.entries()) {
    await pool.query("INSERT INTO accounts VALUES ($1, $2)", [i + 1, balance]);
  }
}

describe("transactions", () => {
  it("commits the body's work and returns its value", async () => {
    await resetAccounts(100, 0);
    const result = await pool.transaction(async (tx) => {
      await tx.query("UPDATE accounts SET balance = balance - 30 WHERE id = 1");
      await tx.query("UPDATE accounts SET balance = balance + 30 WHERE id = 2");
      return "moved";
    });
    expect(result).toBe("moved");
    expect(await pool.many("SELECT balance FROM accounts ORDER BY id")).toEqual([
      { balance: 70 },
      { balance: 30 },
    ]);
  });

  it("rolls back when the body throws and rethrows the error", async () => {
    await resetAccounts(100);
    const error = new Error("abort transfer");
    await expect(
      pool.transaction(async (tx) => {
        await tx.query("UPDATE accounts SET balance = 0 WHERE id = 1");
        throw error;
      }),
    ).rejects.toBe(error);
    expect(await pool.one("SELECT balance FROM accounts WHERE id = 1")).toEqual({ balance: 100 });
  });

  it("refuses to report success when the body swallowed a failed statement", async () => {
    await resetAccounts(100);
    await expect(
      pool.transaction(async (tx) => {
        await tx.query("UPDATE accounts SET balance = 1 WHERE id = 1");
        await tx.query("SELECT 1 / 0").catch(() => undefined);
      }),
    ).rejects.toThrow(/rolled back/);
    expect(await pool.one("SELECT balance FROM accounts WHERE id = 1")).toEqual({ balance: 100 });
  });

  it("applies isolation, read only and deferrable options", async () => {
    const settings = await pool.transaction(
      (tx) =>
        tx.one(
          "SELECT current_setting('transaction_isolation') AS iso, current_setting('transaction_read_only') AS ro, current_setting('transaction_deferrable') AS d",
        ),
      { isolation: "serializable", readOnly: true, deferrable: true },
    );
    expect(settings).toEqual({ iso: "serializable", ro: "on", d: "on" });
    await expect(
      pool.transaction((tx) => tx.query("INSERT INTO accounts VALUES (9, 9)"), { readOnly: true }),
    ).rejects.toMatchObject({ code: "25006" });
  });

  it("commits a savepoint's work and rolls back only the failed savepoint", async () => {
    await resetAccounts(100);
    await pool.transaction(async (tx) => {
      await tx.savepoint((sp) => sp.query("UPDATE accounts SET balance = 50 WHERE id = 1"));
      await tx
        .savepoint(async (sp) => {
          await sp.query("UPDATE accounts SET balance = 0 WHERE id = 1");
          await sp.savepoint((inner) => inner.query("UPDATE accounts SET balance = -1 WHERE id = 1"));
          throw new Error("undo this savepoint");
        })
        .catch(() => undefined);
    });
    expect(await pool.one("SELECT balance FROM accounts WHERE id = 1")).toEqual({ balance: 50 });
  });

  it("runs COPY inside the transaction, so a rollback undoes it", async () => {
    await resetAccounts();
    await expect(
      pool.transaction(async (tx) => {
        await pipeline(Readable.from(["7\t700\n", "8\t800\n"]), tx.copyFrom("COPY accounts FROM STDIN"));
        const chunks: Buffer[] = [];
        for await (const chunk of tx.copyTo("COPY accounts TO STDOUT (FORMAT csv)"))
          chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).toString()).toBe("7,700\n8,800\n");
        throw new Error("undo the copy");
      }),
    ).rejects.toThrow("undo the copy");
    expect(await pool.one("SELECT count(*)::int AS n FROM accounts")).toEqual({ n: 0 });
  });

  it("rejects queries on a transaction handle used after the transaction ended", async () => {
    let leaked: { query(sql: string): Promise<unknown> } | undefined;
    await pool.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.query("SELECT 1")).rejects.toThrow(/finished/);
  });

  it("retries a real serialization failure between two serializable transactions until both succeed", async () => {
    await resetAccounts(0, 0);
    let attempts = 0;
    // Each transaction reads the sum of both rows and writes it into its own row: a write skew that
    // SERIALIZABLE refuses for one of the two, which the retry then runs again on the new data.
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => {
      let count = 0;
      bothRead = () => {
        if (++count === 2) resolve();
      };
    });
    const body = (id: number) =>
      pool.transaction(
        async (tx) => {
          attempts++;
          const { sum } = await tx.one<{ sum: number }>("SELECT sum(balance)::int AS sum FROM accounts");
          if (attempts <= 2) {
            bothRead();
            await barrier;
          }
          await tx.query("UPDATE accounts SET balance = $1 + 1 WHERE id = $2", [sum, id]);
          return sum;
        },
        { isolation: "serializable", retries: 5 },
      );
    const sums = await Promise.all([body(1), body(2)]);
    expect(attempts).toBeGreaterThanOrEqual(3);
    // Serial outcome: one saw 0 and wrote 1, the other (retried) saw 1 and wrote 2.
    expect(sums.sort()).toEqual([0, 1]);
    expect(await pool.one("SELECT sum(balance)::int AS total FROM accounts")).toEqual({ total: 3 });
  });

  it("retries the victim of a real deadlock (40P01) until it succeeds", async () => {
    await resetAccounts(10, 10);
    const attempts = { a: 0, b: 0 };
    let bothLocked!: () => void;
    const barrier = new Promise<void>((resolve) => {
      let count = 0;
      bothLocked = () => {
        if (++count === 2) resolve();
      };
    });
    const transfer = (name: "a" | "b", first: number, second: number) =>
      pool.transaction(
        async (tx) => {
          attempts[name]++;
          await tx.query("UPDATE accounts SET balance = balance - 1 WHERE id = $1", [first]);
          if (attempts[name] === 1) {
            bothLocked();
            await barrier;
          }
          await tx.query("UPDATE accounts SET balance = balance + 1 WHERE id = $1", [second]);
        },
        { retries: 3 },
      );
    await Promise.all([transfer("a", 1, 2), transfer("b", 2, 1)]);
    expect(attempts.a + attempts.b).toBe(3);
    expect(await pool.many("SELECT balance FROM accounts ORDER BY id")).toEqual([
      { balance: 10 },
      { balance: 10 },
    ]);
  });

  it("gives up after `retries` and rejects with the serialization error", async () => {
    let attempts = 0;
    const error = await pool
      .transaction(
        async () => {
          attempts++;
          throw new PgError({ severity: "ERROR", code: "40001", message: "could not serialize access" });
        },
        { retries: 2 },
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "40001" });
    expect(attempts).toBe(3);
  });
});
