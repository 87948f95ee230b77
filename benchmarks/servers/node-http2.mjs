// Plain node:http2 (core stream API), h2c or TLS (BENCH_TLS_KEY/BENCH_TLS_CERT): the floor any
// Node HTTP/2 framework stands on. It does the frameworks' work: each answer is JSON.stringify of
// the same objects they return (FasterAPI and Fastify serialise per request too), not a Buffer
// built once; nginx alone serves the document as a file.
import { readFileSync } from "node:fs";
import { createSecureServer, createServer } from "node:http2";
import { makeJson } from "../lib/json-payload.mjs";

const ping = { message: "pong" };
const doc = JSON.parse(makeJson(20 * 1024).toString());
const megabyte = Buffer.alloc(1024 * 1024, 0x61);
const key = process.env.BENCH_TLS_KEY;
const cert = process.env.BENCH_TLS_CERT;
const server =
  key && cert ? createSecureServer({ key: readFileSync(key), cert: readFileSync(cert) }) : createServer();
server.on("stream", (stream, headers) => {
  const path = headers[":path"];
  const body = path === "/1mb" ? megabyte : JSON.stringify(path === "/json" ? doc : ping);
  stream.respond({
    ":status": 200,
    "content-type": path === "/1mb" ? "application/octet-stream" : "application/json",
    "content-length": Buffer.byteLength(body),
  });
  stream.end(body);
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
