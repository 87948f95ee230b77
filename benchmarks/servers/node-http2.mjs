// Plain node:http2 (core stream API), h2c or TLS (BENCH_TLS_KEY/BENCH_TLS_CERT): the floor any
// Node HTTP/2 framework stands on.
import { readFileSync } from "node:fs";
import { createSecureServer, createServer } from "node:http2";
import { makeJson } from "../lib/json-payload.mjs";

const ping = JSON.stringify({ message: "pong" });
const json = makeJson(20 * 1024);
const key = process.env.BENCH_TLS_KEY;
const cert = process.env.BENCH_TLS_CERT;
const server =
  key && cert ? createSecureServer({ key: readFileSync(key), cert: readFileSync(cert) }) : createServer();
server.on("stream", (stream, headers) => {
  const body = headers[":path"] === "/json" ? json : ping;
  stream.respond({
    ":status": 200,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  stream.end(body);
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
