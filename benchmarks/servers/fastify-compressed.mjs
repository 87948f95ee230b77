// Fastify + @fastify/compress serving the same 20 KiB JSON document (br and gzip; no zstd).
import compress from "@fastify/compress";
import Fastify from "fastify";
import { makeJson } from "../lib/json-payload.mjs";

const doc = JSON.parse(makeJson(20 * 1024).toString());
const app = Fastify({ logger: false });
await app.register(compress, { global: true, threshold: 1024 });
app.get("/data", async () => doc);
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
