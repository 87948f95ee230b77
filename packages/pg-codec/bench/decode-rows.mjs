// Decoding speed of a 10,000-row, 4-column result (int4, text, float8, timestamptz): this package
// (binary results, BackendParser + compiled row decoder) against `pg` (text results, pg-protocol's
// parser + pg's row parsing, what pg.Client does per row). The server's bytes are captured once from
// PostgreSQL at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), then both sides
// decode the same captured chunks in-process, so only decoding is timed.
// Run: pnpm --filter @fasterapi/pg-codec build && pnpm --filter @fasterapi/pg-codec bench

import { createRequire } from "node:module";
import { connect } from "node:net";
import { BackendParser, compileRowDecoder, MessageWriter, TypeRegistry } from "@fasterapi/pg-codec";

const require = createRequire(import.meta.url);
const pgRequire = createRequire(require.resolve("pg"));
const { Parser } = pgRequire("pg-protocol/dist/parser");
const Result = pgRequire("./result"); // resolved from pg/lib/

const SQL =
  "SELECT g AS id, 'name ' || g AS name, g * 1.5::float8 AS score, now() - g * interval '1 second' AS created " +
  "FROM generate_series(1, 10000) g";

/** Runs SQL once with all results in `format` (0 text, 1 binary) and returns the raw chunks of the answer. */
async function capture(format) {
  const url = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
  const socket = connect({ host: url.hostname, port: Number(url.port || 5432) });
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const writer = new MessageWriter();
  const parser = new BackendParser();
  const chunks = [];
  let querying = false;
  return new Promise((resolve, reject) => {
    socket.on("data", (chunk) => {
      if (querying) chunks.push(Buffer.from(chunk));
      parser.push(chunk);
      for (let m = parser.next(); m !== null; m = parser.next()) {
        if (m.type === "ErrorResponse") reject(new Error(m.fields.message));
        if (m.type !== "ReadyForQuery") continue;
        if (!querying) {
          querying = true;
          socket.write(
            writer.parse("", SQL).bind("", "", [], [], format).describe("P", "").execute("", 0).sync().take(),
          );
        } else {
          socket.end(writer.terminate().take());
          resolve(chunks);
        }
      }
    });
    socket.write(
      writer
        .startup({
          user: decodeURIComponent(url.username || "postgres"),
          database: url.pathname.slice(1) || "postgres",
        })
        .take(),
    );
  });
}

const binaryChunks = await capture(1);
const textChunks = await capture(0);
const registry = new TypeRegistry();

function decodeOurs() {
  const parser = new BackendParser();
  const rows = [];
  let decoder;
  for (const chunk of binaryChunks) {
    parser.push(Buffer.from(chunk)); // fresh buffers each run, as a socket would deliver them
    for (let m = parser.next(); m !== null; m = parser.next()) {
      if (m.type === "DataRow") rows.push(decoder.decodeRow(m.buffer, m.offset));
      else if (m.type === "RowDescription") decoder = compileRowDecoder(m.fields, registry);
    }
  }
  return rows;
}

function decodePg() {
  const parser = new Parser();
  const result = new Result();
  for (const chunk of textChunks) {
    parser.parse(Buffer.from(chunk), (msg) => {
      if (msg.name === "dataRow") result.rows.push(result.parseRow(msg.fields));
      else if (msg.name === "rowDescription") result.addFields(msg.fields);
    });
  }
  return result.rows;
}

const ours = decodeOurs();
const theirs = decodePg();
if (ours.length !== 10000 || theirs.length !== 10000) throw new Error("unexpected row count");
if (ours[9999].name !== theirs[9999].name || ours[9999].score !== theirs[9999].score)
  throw new Error("results differ");

/** Median milliseconds per call over `rounds` rounds of `perRound` calls, after a warm-up. */
function measure(fn, rounds = 15, perRound = 20) {
  for (let i = 0; i < 50; i++) fn();
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6 / perRound);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

// Alternate the two so background load affects both alike.
const results = { "pg-codec": [], pg: [] };
for (let i = 0; i < 3; i++) {
  results["pg-codec"].push(measure(decodeOurs));
  results.pg.push(measure(decodePg));
}
const best = (xs) => Math.min(...xs);
const oursMs = best(results["pg-codec"]);
const pgMs = best(results.pg);
console.log(
  "decode 10,000 rows x 4 columns (int4, text, float8, timestamptz), ms per result, lower is better",
);
const label = (s) => `  ${s}`.padEnd(34);
console.log(`${label("@fasterapi/pg-codec (binary)")}${oursMs.toFixed(2)} ms`);
console.log(`${label(`pg ${pgRequire("../package.json").version} (text)`)}${pgMs.toFixed(2)} ms`);
console.log(`${label("ratio pg / pg-codec")}${(pgMs / oursMs).toFixed(2)}x`);
console.log(JSON.stringify({ bench: "pg-codec-decode-rows", oursMs, pgMs, ratio: pgMs / oursMs }));
