// Round-trips every codec through a real PostgreSQL server: values encoded in binary by MessageWriter
// (SELECT $1::type), server-produced literals decoded from binary results, and the server's own text
// rendering compared with ours. Needs PostgreSQL at DATABASE_URL or 127.0.0.1:5432 (trust auth).

import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Oid, PgError, TypeRegistry } from "../src/index.js";
import { PgSession } from "./fixtures/pg-session.js";

let db: PgSession;

beforeAll(async () => {
  db = await PgSession.connect();
});

afterAll(async () => {
  await db?.close();
});

/** Sends `value` as the single parameter of `SELECT $1::type` and returns the decoded result. */
async function roundTrip(type: string, value: unknown, session = db): Promise<unknown> {
  const { rows } = await session.query(`SELECT $1::${type} AS v`, [value]);
  return (rows[0] as { v: unknown }).v;
}

/** Decodes a value the server produced from a SQL expression. */
async function literal(expr: string, session = db): Promise<unknown> {
  const { rows } = await session.query(`SELECT ${expr} AS v`);
  return (rows[0] as { v: unknown }).v;
}

/** The server's text rendering of `value` sent in binary as `type`: proves the encoder's bytes. */
async function serverText(type: string, value: unknown): Promise<unknown> {
  const { rows } = await db.query(`SELECT format('%s', $1::${type}) AS v`, [value]);
  return (rows[0] as { v: unknown }).v;
}

describe("integers", () => {
  it("round-trips int2/int4 extremes in binary", async () => {
    for (const v of [-32768, 0, 32767]) expect(await roundTrip("int2", v)).toBe(v);
    for (const v of [-2147483648, -1, 2147483647]) expect(await roundTrip("int4", v)).toBe(v);
  });

  it("round-trips int8 extremes as bigint by default", async () => {
    const min = -(2n ** 63n);
    const max = 2n ** 63n - 1n;
    expect(await roundTrip("int8", min)).toBe(min);
    expect(await roundTrip("int8", max)).toBe(max);
    expect(await serverText("int8", max)).toBe("9223372036854775807");
    expect(await literal("'-9223372036854775808'::int8")).toBe(min);
  });

  it("decodes int8 as number when safe and refuses inexact values in number mode", async () => {
    const session = await PgSession.connect(new TypeRegistry({ int8: "number" }));
    try {
      expect(await literal("9007199254740991::int8", session)).toBe(9007199254740991);
      await expect(literal("9007199254740993::int8", session)).rejects.toThrow(RangeError);
    } finally {
      await session.close();
    }
  });

  it("decodes int8 as a decimal string in string mode", async () => {
    const session = await PgSession.connect(new TypeRegistry({ int8: "string" }));
    try {
      expect(await literal("'-9223372036854775808'::int8", session)).toBe("-9223372036854775808");
    } finally {
      await session.close();
    }
  });

  it("rejects out-of-range and fractional int4 parameters before sending", async () => {
    await expect(roundTrip("int4", 2147483648)).rejects.toThrow(/out of range for int4/);
    await expect(roundTrip("int4", 1.5)).rejects.toThrow(/expects an integer/);
    // The session is still usable: the failed Bind was never sent.
    expect(await roundTrip("int4", 7)).toBe(7);
  });

  it("round-trips oid", async () => {
    expect(await roundTrip("oid", 4294967295)).toBe(4294967295);
  });
});

describe("numeric", () => {
  it("keeps scale and special values exact", async () => {
    for (const v of [
      "123.4500",
      "-0.001",
      "0",
      "NaN",
      "Infinity",
      "-Infinity",
      "10000",
      "99999999.99990000",
    ]) {
      expect(await roundTrip("numeric", v)).toBe(v);
      expect(await serverText("numeric", v)).toBe(v);
    }
    expect(await literal("'1e-20'::numeric")).toBe("0.00000000000000000001");
    expect(await literal("'-12345678901234567890.5'::numeric")).toBe("-12345678901234567890.5");
    expect(await roundTrip("numeric", "1.5e3")).toBe("1500");
    expect(await roundTrip("numeric", 0.25)).toBe("0.25");
    expect(await roundTrip("numeric", 12345678901234567890n)).toBe("12345678901234567890");
  });

  it("round-trips a 1000-digit value", async () => {
    const digits = Array.from({ length: 1000 }, (_, i) => String((i * 7 + 3) % 10)).join("");
    const value = `-${digits.slice(0, 600)}.${digits.slice(600)}`;
    const normalized = value.replace(/^-0+(?=\d)/, "-");
    expect(await roundTrip("numeric", value)).toBe(normalized);
    expect(await serverText("numeric", value)).toBe(normalized);
    expect(await literal(`'${value}'::numeric`)).toBe(normalized);
  });
});

describe("floats", () => {
  it("round-trips float4 to its shortest decimal and float8 exactly", async () => {
    expect(await roundTrip("float4", 1.1)).toBe(1.1);
    expect(await literal("'3.4028235e38'::float4")).toBe(3.4028235e38);
    expect(await roundTrip("float8", 5e-324)).toBe(5e-324);
    expect(await roundTrip("float8", Math.PI)).toBe(Math.PI);
    expect(await roundTrip("float8", Number.NaN)).toBeNaN();
    expect(await roundTrip("float8", -Infinity)).toBe(-Infinity);
    expect(await literal("'Infinity'::float4")).toBe(Infinity);
  });
});

describe("text family and bool", () => {
  it("round-trips non-ASCII and empty text, varchar, name, bpchar and char", async () => {
    expect(await roundTrip("text", "héllo wörld 🎉 日本")).toBe("héllo wörld 🎉 日本");
    expect(await roundTrip("text", "")).toBe("");
    expect(await roundTrip("varchar(10)", "abc")).toBe("abc");
    expect(await roundTrip("name", "pg_class")).toBe("pg_class");
    expect(await literal("'ab'::char(5)")).toBe("ab   ");
    expect(await literal(`'x'::"char"`)).toBe("x");
  });

  it("encodes numbers and booleans given for text parameters as their text", async () => {
    expect(await roundTrip("text", 42)).toBe("42");
    expect(await roundTrip("text", true)).toBe("true");
  });

  it("round-trips bool", async () => {
    expect(await roundTrip("bool", true)).toBe(true);
    expect(await roundTrip("bool", false)).toBe(false);
  });

  it("sends string parameters as text so the server parses any type", async () => {
    expect(await roundTrip("int4", "42")).toBe(42);
    expect(await roundTrip("bool", "yes")).toBe(true);
  });
});

describe("bytea", () => {
  it("round-trips 10 MB in binary", async () => {
    const data = randomBytes(10 * 1024 * 1024);
    const { rows } = await db.query("SELECT $1::bytea AS v, md5($1::bytea) AS h", [data]);
    const row = rows[0] as { v: Buffer; h: string };
    expect(row.h).toBe(createHash("md5").update(data).digest("hex"));
    expect(row.v.equals(data)).toBe(true);
  });

  it("decodes server-produced bytes", async () => {
    expect(await literal(`'\\x00ff10'::bytea`)).toEqual(Buffer.from([0, 255, 16]));
  });
});

describe("uuid", () => {
  it("round-trips and normalises to lower case", async () => {
    const u = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    expect(await roundTrip("uuid", u)).toBe(u);
    expect(await roundTrip("uuid[]", ["{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}"])).toEqual([u]);
    expect(await literal("'A0EEBC999C0B4EF8BB6D6BB9BD380A11'::uuid")).toBe(u);
  });
});

describe("date, time, timetz", () => {
  it("round-trips dates as strings including BC and infinities", async () => {
    for (const v of ["2024-02-29", "1999-12-31", "0044-03-15 BC", "infinity", "-infinity", "5874897-12-31"]) {
      expect(await roundTrip("date", v)).toBe(v);
    }
    expect(await serverText("date", "0044-03-15 BC")).toBe("0044-03-15 BC");
    expect(await roundTrip("date[]", ["2000-01-01", null, "1970-01-01"])).toEqual([
      "2000-01-01",
      null,
      "1970-01-01",
    ]);
  });

  it("decodes dates to UTC-midnight Dates in date mode, infinities as numbers", async () => {
    const session = await PgSession.connect(new TypeRegistry({ date: "date" }));
    try {
      expect(await literal("'1969-07-20'::date", session)).toEqual(new Date("1969-07-20T00:00:00Z"));
      expect(await literal("'infinity'::date", session)).toBe(Infinity);
      expect(await roundTrip("date", new Date("2024-05-06T12:00:00Z"), session)).toEqual(
        new Date("2024-05-06T00:00:00Z"),
      );
    } finally {
      await session.close();
    }
  });

  it("round-trips time and timetz with microseconds and offsets", async () => {
    const time = ["13:45:00.123456", "00:00:00", "24:00:00", "23:59:59.5"];
    const { rows } = await db.query("SELECT $1::time[] AS v", [time]);
    expect((rows[0] as { v: unknown }).v).toEqual(time);
    expect(await literal("'13:45:00.123456'::time")).toBe("13:45:00.123456");
    for (const v of ["13:45:00+05:30", "01:02:03.5-08", "00:00:00+00", "12:00:00+05:30:15"]) {
      expect(await roundTrip("timetz[]", [v])).toEqual([v]);
      expect(await serverText("timetz", v)).toBe(v);
    }
  });
});

describe("timestamp, timestamptz", () => {
  it("round-trips Dates before 2000 and after, with milliseconds", async () => {
    for (const iso of [
      "1969-07-20T20:17:40.123Z",
      "1900-01-01T00:00:00.000Z",
      "2038-01-19T03:14:08.999Z",
      "0001-01-01T00:00:00.000Z",
    ]) {
      expect(await roundTrip("timestamptz", new Date(iso))).toEqual(new Date(iso));
      expect(await roundTrip("timestamp", new Date(iso))).toEqual(new Date(iso));
    }
  });

  it("truncates microseconds toward -infinity in Date mode", async () => {
    expect(await literal("'1999-12-31 23:59:59.999999+00'::timestamptz")).toEqual(
      new Date("1999-12-31T23:59:59.999Z"),
    );
    expect(await literal("'1969-12-31 23:59:59.9995+00'::timestamptz")).toEqual(
      new Date("1969-12-31T23:59:59.999Z"),
    );
  });

  it("maps infinity to Infinity/-Infinity numbers both ways", async () => {
    expect(await roundTrip("timestamptz", Infinity)).toBe(Infinity);
    expect(await roundTrip("timestamp", -Infinity)).toBe(-Infinity);
    expect(await literal("'-infinity'::timestamptz")).toBe(-Infinity);
    expect(await serverText("timestamptz", Infinity)).toBe("infinity");
  });

  it("keeps microseconds exact in string mode and matches the server's UTC text", async () => {
    const session = await PgSession.connect(new TypeRegistry({ timestamp: "string" }));
    try {
      for (const v of [
        "1999-12-31 23:59:59.999999+00",
        "2000-01-01 00:00:00+00",
        "1850-06-15 12:30:45.000001+00",
        "4713-01-01 00:00:00+00 BC",
        "294276-12-31 23:59:59.999999+00",
        "infinity",
      ]) {
        expect(await roundTrip("timestamptz", v, session)).toBe(v);
        const { rows } = await session.query("SELECT $1::timestamptz::text AS v", [v]);
        expect((rows[0] as { v: string }).v).toBe(v);
      }
      expect(await roundTrip("timestamp", "2024-01-02T03:04:05.123456", session)).toBe(
        "2024-01-02 03:04:05.123456",
      );
      expect(await roundTrip("timestamptz[]", ["2024-01-02 03:04:05.5+02:00"], session)).toEqual([
        "2024-01-02 01:04:05.5+00",
      ]);
    } finally {
      await session.close();
    }
  });
});

describe("interval", () => {
  it("decodes months, days and microseconds separately", async () => {
    expect(await literal("'1 year 2 mons 3 days 04:05:06.789'::interval")).toEqual({
      months: 14,
      days: 3,
      microseconds: 14706789000,
    });
    expect(await literal("'-1 mons -2 days -00:00:00.000001'::interval")).toEqual({
      months: -1,
      days: -2,
      microseconds: -1,
    });
  });

  it("round-trips an Interval object and the server renders it", async () => {
    const v = { months: 25, days: -4, microseconds: 3723000004 };
    expect(await roundTrip("interval", v)).toEqual(v);
    expect(await serverText("interval", v)).toBe("2 years 1 mon -4 days +01:02:03.000004");
  });
});

describe("json, jsonb", () => {
  const doc = { name: "Zoë ✓ 漢字", list: [1, null, { nested: true }], emoji: "🎉", n: 1.5 };

  it("round-trips objects with non-ASCII text", async () => {
    expect(await roundTrip("json", doc)).toEqual(doc);
    expect(await roundTrip("jsonb", doc)).toEqual(doc);
    expect(await literal(`'{"a": "ü"}'::jsonb`)).toEqual({ a: "ü" });
  });

  it("sends a top-level string parameter as JSON text", async () => {
    expect(await roundTrip("jsonb", '{"raw": [1, 2]}')).toEqual({ raw: [1, 2] });
  });

  it("round-trips jsonb[] whose elements are arrays and strings", async () => {
    expect(await roundTrip("jsonb[]", [[1, 2], "s", null, { a: 1 }])).toEqual([[1, 2], "s", null, { a: 1 }]);
  });
});

describe("inet, cidr", () => {
  it("round-trips IPv4 and IPv6 and matches the server's text", async () => {
    for (const v of [
      "192.168.0.1/24",
      "10.0.0.1",
      "::1",
      "2001:db8::1/64",
      "::ffff:1.2.3.4",
      "fe80::1:2",
      "1::",
      "::",
    ]) {
      expect(await roundTrip("inet", v)).toBe(v);
      expect(await serverText("inet", v)).toBe(v);
    }
    for (const v of ["192.168.0.0/24", "2001:db8::/32", "10.0.0.1/32", "::/0"]) {
      expect(await roundTrip("cidr", v)).toBe(v);
      expect(await serverText("cidr", v)).toBe(v);
    }
    expect(await literal("'2001:0db8:0000:0000:0000:0000:0000:0001'::inet")).toBe("2001:db8::1");
  });

  it("rejects a cidr with host bits set", async () => {
    await expect(roundTrip("cidr[]", ["192.168.0.1/24"])).rejects.toThrow(/bits set right of the mask/);
  });
});

describe("arrays", () => {
  it("decodes empty, NULL-holding and multi-dimensional arrays", async () => {
    expect(await literal("'{}'::int4[]")).toEqual([]);
    expect(await literal("'{{1,NULL},{3,4}}'::int4[]")).toEqual([
      [1, null],
      [3, 4],
    ]);
    expect(await literal("'{{{1},{2}},{{3},{4}}}'::int8[]")).toEqual([
      [[1n], [2n]],
      [[3n], [4n]],
    ]);
    expect(await literal(`ARRAY['a,b', 'with "quote"', NULL, '']::text[]`)).toEqual([
      "a,b",
      'with "quote"',
      null,
      "",
    ]);
    expect(await literal("'[0:1]={7,8}'::int2[]")).toEqual([7, 8]);
  });

  it("round-trips arrays of every family in binary", async () => {
    const cases: [string, unknown][] = [
      [
        "int4[]",
        [
          [1, null],
          [null, 4],
        ],
      ],
      ["int4[]", []],
      [
        "text[]",
        [
          ["a", "b"],
          ["c", null],
        ],
      ],
      ["numeric[]", ["1.50", "NaN", null, "-Infinity"]],
      ["bool[]", [true, false, null]],
      ["float8[]", [1.5, -0, Infinity]],
      ["bytea[]", [Buffer.from([1, 2]), null, Buffer.alloc(0)]],
      ["interval[]", [{ months: 1, days: 2, microseconds: 3 }]],
      ["inet[]", ["10.0.0.1", "::1/128"]],
      ["int8[]", [[[1n, 2n]], [[3n, -4n]]]],
    ];
    for (const [type, value] of cases) {
      const got = await roundTrip(type, value);
      expect(got, type).toEqual(type === "inet[]" ? ["10.0.0.1", "::1"] : value);
    }
    expect(
      await serverText("int4[]", [
        [1, null],
        [null, 4],
      ]),
    ).toBe("{{1,NULL},{NULL,4}}");
  });

  it("rejects ragged multi-dimensional arrays", async () => {
    await expect(roundTrip("int4[]", [[1, 2], [3]])).rejects.toThrow(/matching dimensions/);
  });
});

describe("types without a codec", () => {
  it("decodes them as text", async () => {
    expect(await literal("'(1,2)'::point")).toBe("(1,2)");
    expect(await literal("'{\"(1,2)\"}'::point[]")).toBe('{"(1,2)"}');
    expect(await literal("'a & b'::tsquery")).toBe("'a' & 'b'");
  });

  it("encodes JS values as PostgreSQL text for them", async () => {
    expect(await roundTrip("point", "(3,4)")).toBe("(3,4)");
    const { rows } = await db.query("SELECT $1::int4range AS v", ["[1,5)"]);
    expect((rows[0] as { v: string }).v).toBe("[1,5)");
  });
});

describe("user-registered types", () => {
  const schema = `pgcodec_${process.pid}_${Date.now()}`;

  afterAll(async () => {
    await db.simple(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it("decodes and encodes an enum and its array through registerEnum", async () => {
    await db.simple(`CREATE SCHEMA ${schema}; CREATE TYPE ${schema}.mood AS ENUM ('sad', 'ok', 'happy')`);
    const { rows } = await db.query(
      "SELECT t.oid, t.typarray FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = 'mood'",
      [schema],
    );
    const { oid, typarray } = rows[0] as { oid: number; typarray: number };
    db.registry.registerEnum("mood", oid, typarray);
    expect(await roundTrip(`${schema}.mood`, "happy")).toBe("happy");
    expect(await roundTrip(`${schema}.mood[]`, ["sad", null, "ok"])).toEqual(["sad", null, "ok"]);
    expect(await literal(`ARRAY['happy','sad']::${schema}.mood[]`)).toEqual(["happy", "sad"]);
  });
});

describe("server errors", () => {
  it("carries SQLSTATE and position", async () => {
    const err = (await db.query("SELECT 1/0").catch((e: unknown) => e)) as PgError;
    expect(err).toBeInstanceOf(PgError);
    expect(err.code).toBe("22012");
    expect(err.severity).toBe("ERROR");
    expect(err.message).toBe("division by zero");
    const syntax = (await db.query("SELECT FROM WHERE").catch((e: unknown) => e)) as PgError;
    expect(syntax.code).toBe("42601");
    expect(syntax.position).toBe(13);
    expect(syntax.file).toBeTypeOf("string");
    expect(syntax.routine).toBeTypeOf("string");
  });

  it("carries schema, table, column and constraint of a violated constraint", async () => {
    await db.simple("CREATE TEMP TABLE pgcodec_err (id int4 PRIMARY KEY, name text NOT NULL)");
    const err = (await db
      .query("INSERT INTO pgcodec_err VALUES (1, NULL)")
      .catch((e: unknown) => e)) as PgError;
    expect(err.code).toBe("23502");
    expect(err.table).toBe("pgcodec_err");
    expect(err.column).toBe("name");
    expect(err.schema).toMatch(/^pg_temp/);
    await db.query("INSERT INTO pgcodec_err VALUES (1, 'a')");
    const dup = (await db
      .query("INSERT INTO pgcodec_err VALUES (1, 'b')")
      .catch((e: unknown) => e)) as PgError;
    expect(dup.code).toBe("23505");
    expect(dup.constraint).toBe("pgcodec_err_pkey");
    expect(dup.detail).toBe("Key (id)=(1) already exists.");
  });
});

describe("row modes and result metadata", () => {
  it("returns arrays in array mode and reports field metadata", async () => {
    const { rows, fields, command, rowCount } = await db.query("SELECT 1::int4 AS a, 'x'::text AS a", [], {
      rowMode: "array",
    });
    expect(rows).toEqual([[1, "x"]]);
    expect(fields.map((f) => f.typeOid)).toEqual([Oid.int4, Oid.text]);
    expect(command).toBe("SELECT");
    expect(rowCount).toBe(1);
  });

  it("does not let a column named __proto__ change the row's prototype", async () => {
    const { rows } = await db.query(`SELECT 1::int4 AS "__proto__", 2::int4 AS "constructor"`);
    const row = rows[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(row, "__proto__")?.value).toBe(1);
    expect(row.constructor).toBe(2);
  });

  it("decodes many rows", async () => {
    const { rows } = await db.query(
      "SELECT g AS id, 'name ' || g AS name, g * 1.5::float8 AS score, g % 2 = 0 AS even FROM generate_series(1, 10000) g",
    );
    expect(rows).toHaveLength(10000);
    expect(rows[9999]).toEqual({ id: 10000, name: "name 10000", score: 15000, even: true });
  });
});
