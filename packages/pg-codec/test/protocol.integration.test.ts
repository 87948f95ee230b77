// Drives protocol flows against a real PostgreSQL with MessageWriter + BackendParser: pipelining,
// portals, simple queries, notices, LISTEN/NOTIFY, COPY binary both ways, CancelRequest and
// NegotiateProtocolVersion. Needs PostgreSQL at DATABASE_URL or 127.0.0.1:5432 (trust auth).

import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ArrayOid,
  type BackendMessage,
  CopyBinaryReader,
  CopyBinaryWriter,
  compileRowDecoder,
  MessageWriter,
  Oid,
  PgError,
} from "../src/index.js";
import { PgSession } from "./fixtures/pg-session.js";

let db: PgSession;

beforeAll(async () => {
  db = await PgSession.connect();
});

afterAll(async () => {
  await db?.close();
});

function types(messages: BackendMessage[]): string[] {
  return messages.map((m) => m.type);
}

describe("extended protocol", () => {
  it("answers several pipelined Parse/Bind/Execute in one write, in order", async () => {
    const w = db.writer;
    for (let i = 1; i <= 3; i++) {
      w.parse(`s${i}`, `SELECT $1::int4 * ${i} AS v`, [Oid.int4])
        .bind("", `s${i}`, [10], [Oid.int4], 1)
        .execute("", 0);
    }
    db.send(w.sync());
    const messages = await db.readUntilReady();
    expect(types(messages)).toEqual([
      "ParseComplete",
      "BindComplete",
      "DataRow",
      "CommandComplete",
      "ParseComplete",
      "BindComplete",
      "DataRow",
      "CommandComplete",
      "ParseComplete",
      "BindComplete",
      "DataRow",
      "CommandComplete",
    ]);
    const fields = [
      { name: "v", tableOid: 0, columnAttr: 0, typeOid: Oid.int4, typeSize: 4, typeMod: -1, format: 1 },
    ];
    const decoder = compileRowDecoder(fields, db.registry, { rowMode: "array" });
    const values = messages.flatMap((m) =>
      m.type === "DataRow" ? [decoder.decodeRow(m.buffer, m.offset)] : [],
    );
    expect(values).toEqual([[10], [20], [30]]);
    db.send(w.close("S", "s1").close("S", "s2").close("S", "s3").sync());
    expect(types(await db.readUntilReady())).toEqual(["CloseComplete", "CloseComplete", "CloseComplete"]);
  });

  it("suspends a portal after maxRows and resumes it", async () => {
    const w = db.writer;
    db.send(w.query("BEGIN"));
    await db.readUntilReady();
    db.send(
      w
        .parse("", "SELECT g FROM generate_series(1, 5) g")
        .bind("p1", "", [], [], 1)
        .describe("P", "p1")
        .execute("p1", 2)
        .sync(),
    );
    const first = await db.readUntilReady();
    expect(types(first)).toEqual([
      "ParseComplete",
      "BindComplete",
      "RowDescription",
      "DataRow",
      "DataRow",
      "PortalSuspended",
    ]);
    const description = first[2];
    expect(description?.type === "RowDescription" && description.fields[0]).toMatchObject({
      name: "g",
      typeOid: Oid.int4,
      format: 1,
    });
    db.send(w.execute("p1", 0).sync());
    const rest = await db.readUntilReady();
    expect(types(rest)).toEqual(["DataRow", "DataRow", "DataRow", "CommandComplete"]);
    db.send(w.query("COMMIT"));
    await db.readUntilReady();
  });

  it("reports NoData and ParameterDescription for a statement without results", async () => {
    db.send(db.writer.parse("", "SELECT pg_notify($1, $2) WHERE false").describe("S", "").sync());
    const messages = await db.readUntilReady();
    const params = messages.find((m) => m.type === "ParameterDescription");
    expect(params).toEqual({ type: "ParameterDescription", oids: [Oid.text, Oid.text] });
    db.send(db.writer.parse("", "SET application_name = 'x'").describe("S", "").sync());
    expect(types(await db.readUntilReady())).toEqual(["ParseComplete", "ParameterDescription", "NoData"]);
  });
});

describe("simple query protocol", () => {
  it("reports each statement's command tag and row count, and empty queries", async () => {
    const messages = await db.simple(
      "CREATE TEMP TABLE pgcodec_simple (id int); INSERT INTO pgcodec_simple SELECT generate_series(1, 3); " +
        "UPDATE pgcodec_simple SET id = id + 1 WHERE id > 1; DELETE FROM pgcodec_simple WHERE id = 1; SELECT * FROM pgcodec_simple",
    );
    const tags = messages.flatMap((m) =>
      m.type === "CommandComplete" ? [[m.command, m.rowCount, m.tag]] : [],
    );
    expect(tags).toEqual([
      ["CREATE TABLE", null, "CREATE TABLE"],
      ["INSERT", 3, "INSERT 0 3"],
      ["UPDATE", 2, "UPDATE 2"],
      ["DELETE", 1, "DELETE 1"],
      ["SELECT", 2, "SELECT 2"],
    ]);
    expect(types(await db.simple(""))).toEqual(["EmptyQueryResponse"]);
  });

  it("decodes text-format results to the same JS values as binary results", async () => {
    const exprs = [
      "42::int2",
      "'-2147483648'::int4",
      "'-9223372036854775808'::int8",
      "4294967295::oid",
      "1.1::float4",
      "'-Infinity'::float8",
      "'-12.3400'::numeric",
      "'NaN'::numeric",
      "true",
      "'héllo'::text",
      "'ab'::char(4)",
      "'\\x00ff'::bytea",
      "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
      "'0044-03-15 BC'::date",
      "'infinity'::date",
      "'13:45:00.5'::time",
      "'13:45:00+05:30'::timetz",
      "'1999-12-31 23:59:59.999999+00'::timestamptz",
      "'1850-01-01 12:00:00'::timestamp",
      "'-infinity'::timestamptz",
      `'{"a": [1, "ü"]}'::jsonb`,
      "'[1,2]'::json",
      "'::ffff:1.2.3.4'::inet",
      "'10.0.0.0/8'::cidr",
      "'{{1,NULL},{3,4}}'::int4[]",
      `ARRAY['a,b', NULL, 'with "q"']::text[]`,
      "ARRAY['2024-01-01 00:00:00+00'::timestamptz]",
      "ARRAY['\\x01'::bytea, NULL]",
      `ARRAY['{"k":1}'::jsonb]`,
      "'{}'::numeric[]",
    ];
    const sql = `SELECT ${exprs.map((e, i) => `${e} AS c${i}`).join(", ")}`;
    const binary = (await db.query(sql, [], { rowMode: "array" })).rows[0] as unknown[];
    const messages = await db.simple(sql);
    const desc = messages.find((m) => m.type === "RowDescription");
    const row = messages.find((m) => m.type === "DataRow");
    if (desc?.type !== "RowDescription" || row?.type !== "DataRow") throw new Error("missing row");
    expect(desc.fields.every((f) => f.format === 0)).toBe(true);
    const text = compileRowDecoder(desc.fields, db.registry, { rowMode: "array" }).decodeRow(
      row.buffer,
      row.offset,
    ) as unknown[];
    exprs.forEach((expr, i) => {
      expect(text[i], expr).toEqual(binary[i]);
    });
  });

  it("delivers NoticeResponse with its fields", async () => {
    const messages = await db.simple(
      "DO $$ BEGIN RAISE NOTICE 'careful: %', 42 USING HINT = 'a hint', DETAIL = 'some detail'; END $$",
    );
    const notice = messages.find((m) => m.type === "NoticeResponse");
    expect(notice?.type === "NoticeResponse" && notice.fields).toMatchObject({
      severity: "NOTICE",
      code: "00000",
      message: "careful: 42",
      hint: "a hint",
      detail: "some detail",
    });
  });
});

describe("LISTEN/NOTIFY", () => {
  it("delivers NotificationResponse with pid, channel and non-ASCII payload", async () => {
    await db.simple(`LISTEN "pgcodec chan"`);
    // A session notifying itself gets the notification when the NOTIFY's transaction commits.
    const messages = await db.simple(`NOTIFY "pgcodec chan", 'héllo ✓'`);
    const notification = messages.find((m) => m.type === "NotificationResponse");
    expect(notification).toEqual({
      type: "NotificationResponse",
      pid: db.pid,
      channel: "pgcodec chan",
      payload: "héllo ✓",
    });
    await db.simple("UNLISTEN *");
  });
});

describe("COPY binary", () => {
  const oids = [Oid.int4, Oid.text, Oid.numeric, Oid.timestamptz, Oid.jsonb, ArrayOid.int4];
  const rows = [
    [1, "first", "1.50", new Date("1999-12-31T23:59:59.999Z"), { a: "ü" }, [1, null, 3]],
    [2, null, "NaN", Infinity, null, []],
    [
      3,
      "thïrd ✓",
      "-123456789012345678901234567890.000001",
      new Date("2024-06-01T00:00:00Z"),
      [1, 2],
      [
        [1, 2],
        [3, 4],
      ],
    ],
  ];

  it("loads rows written by CopyBinaryWriter and reads them back with CopyBinaryReader", async () => {
    await db.simple(
      "CREATE TEMP TABLE pgcodec_copy (i int4, t text, n numeric, ts timestamptz, j jsonb, a int4[])",
    );
    db.send(db.writer.query("COPY pgcodec_copy FROM STDIN (FORMAT binary)"));
    const copyIn = await db.read();
    expect(copyIn).toMatchObject({ type: "CopyInResponse", format: 1, columnFormats: [1, 1, 1, 1, 1, 1] });
    const cw = new CopyBinaryWriter(oids, db.registry);
    cw.header();
    for (const row of rows) cw.row(row);
    cw.trailer();
    const payload = cw.take();
    // Split the stream across CopyData messages at an arbitrary point: COPY data need not align with tuples.
    db.send(db.writer.copyData(payload.subarray(0, 30)).copyData(payload.subarray(30)).copyDone());
    const done = await db.readUntilReady();
    expect(done).toContainEqual({ type: "CommandComplete", tag: "COPY 3", command: "COPY", rowCount: 3 });

    db.send(db.writer.query("COPY (SELECT * FROM pgcodec_copy ORDER BY i) TO STDOUT (FORMAT binary)"));
    const out = await db.readUntilReady();
    expect(out[0]).toMatchObject({ type: "CopyOutResponse", format: 1 });
    const reader = new CopyBinaryReader(oids, db.registry);
    const got: unknown[][] = [];
    for (const m of out) {
      if (m.type !== "CopyData") continue;
      // Feed byte by byte for the first message to exercise reassembly.
      for (let i = 0; i < m.data.length; i++) {
        reader.push(m.data.subarray(i, i + 1));
        for (let row = reader.next(); row !== null; row = reader.next()) got.push(row);
      }
    }
    expect(reader.done).toBe(true);
    expect(got).toEqual(rows);
  });

  it("aborts a COPY with CopyFail", async () => {
    db.send(db.writer.query("COPY pgcodec_copy FROM STDIN (FORMAT binary)"));
    expect((await db.read()).type).toBe("CopyInResponse");
    db.send(db.writer.copyFail("client gave up"));
    const err = (await db.readUntilReady().catch((e: unknown) => e)) as PgError;
    expect(err).toBeInstanceOf(PgError);
    expect(err.code).toBe("57014");
    expect(err.message).toContain("client gave up");
  });
});

describe("session-level messages", () => {
  it("cancels a running query with CancelRequest on a second connection", async () => {
    db.send(db.writer.query("SELECT pg_sleep(30)"));
    await new Promise((r) => setTimeout(r, 200));
    const { host, port } = PgSession.target();
    const cancel = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      cancel.once("connect", () => {
        cancel.end(new MessageWriter().cancelRequest(db.pid, db.secret).take());
        resolve();
      });
      cancel.once("error", reject);
    });
    const err = (await db.readUntilReady().catch((e: unknown) => e)) as PgError;
    expect(err.code).toBe("57014");
    expect(err.message).toContain("canceling statement due to user request");
  });

  it("receives NegotiateProtocolVersion for an unknown protocol option", async () => {
    const session = await PgSession.connect(undefined, { "_pq_.pgcodec_test": "on" });
    try {
      expect(session.startupMessages).toContainEqual({
        type: "NegotiateProtocolVersion",
        minorVersion: 0,
        unrecognizedOptions: ["_pq_.pgcodec_test"],
      });
      expect(session.startupMessages[0]?.type).toBe("NegotiateProtocolVersion");
    } finally {
      await session.close();
    }
  });

  it("answers an SSLRequest with a single byte before any framed message", async () => {
    const { host, port } = PgSession.target();
    const socket = connect({ host, port });
    const byte = await new Promise<string>((resolve, reject) => {
      socket.once("connect", () => socket.write(new MessageWriter().sslRequest().take()));
      socket.once("data", (chunk: Buffer) => resolve(String.fromCharCode(chunk[0]!)));
      socket.once("error", reject);
    });
    socket.destroy();
    expect(["S", "N"]).toContain(byte);
  });
});
