// FasterAPI serving HTTP/3 (UDP) and HTTP/2 over TLS (TCP, the native module) from one process on
// the same port number, for `pnpm bench http3`: /ping and a 1 MiB download. Key and certificate
// paths come from BENCH_TLS_KEY / BENCH_TLS_CERT.
import { readFileSync } from "node:fs";
import { App } from "@fasterapi/core";
import { http2 } from "@fasterapi/http2";
import { http3 } from "@fasterapi/http3";
import { pingResponse } from "./shapes.mjs";

const port = Number(process.env.PORT);
const tls = {
  key: readFileSync(process.env.BENCH_TLS_KEY ?? ""),
  cert: readFileSync(process.env.BENCH_TLS_CERT ?? ""),
};
const app = new App({ title: "bench", version: "1.0.0", logger: false, docs: false });
app.register(http3({ port, host: "127.0.0.1", tls }));
app.register(http2({ port, host: "127.0.0.1", tls, native: true }));
const megabyte = Buffer.alloc(1024 * 1024, 0x61);
app.get("/ping", { response: { 200: pingResponse } }, () => ({ message: "pong" }));
app.get("/1mb", (ctx) => {
  ctx.reply.type("application/octet-stream");
  return megabyte;
});

await app.listen();
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
