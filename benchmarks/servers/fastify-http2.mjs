// Fastify 5 with `http2: true` (node:http2's compat API underneath), h2c or TLS.
import { readFileSync } from "node:fs";
import Fastify from "fastify";
import { makeJson } from "../lib/json-payload.mjs";
import { pingResponse } from "./shapes.mjs";

const doc = JSON.parse(makeJson(20 * 1024).toString());
const megabyte = Buffer.alloc(1024 * 1024, 0x61);
const key = process.env.BENCH_TLS_KEY;
const cert = process.env.BENCH_TLS_CERT;
const app = Fastify({
  logger: false,
  http2: true,
  ...(key && cert ? { https: { key: readFileSync(key), cert: readFileSync(cert) } } : {}),
});
app.get("/ping", { schema: { response: { 200: pingResponse } } }, async () => ({ message: "pong" }));
app.get("/json", async () => doc);
app.get("/1mb", async (_request, reply) => reply.type("application/octet-stream").send(megabyte));
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
