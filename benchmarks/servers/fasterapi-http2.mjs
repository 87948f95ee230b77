// FasterAPI on @fasterapi/http2: h2c, or h2 over TLS when BENCH_TLS_KEY/BENCH_TLS_CERT name PEM
// files. FASTERAPI_NATIVE=0 selects the node:http2 path, =1 the native module.
import { readFileSync } from "node:fs";
import { App } from "@fasterapi/core";
import { http2 } from "@fasterapi/http2";
import { makeJson } from "../lib/json-payload.mjs";
import { pingResponse } from "./shapes.mjs";

const doc = JSON.parse(makeJson(20 * 1024).toString());
const megabyte = Buffer.alloc(1024 * 1024, 0x61);
const key = process.env.BENCH_TLS_KEY;
const cert = process.env.BENCH_TLS_CERT;
const app = new App({ title: "bench", version: "1.0.0", logger: false, docs: false });
app.register(
  http2({
    port: Number(process.env.PORT),
    host: "127.0.0.1",
    ...(key && cert ? { tls: { key: readFileSync(key), cert: readFileSync(cert) } } : { h2c: true }),
  }),
);
app.get("/ping", { response: { 200: pingResponse } }, () => ({ message: "pong" }));
app.get("/json", () => doc);
app.get("/1mb", ({ reply }) => {
  reply.type("application/octet-stream");
  return megabyte;
});
await app.listen();
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
