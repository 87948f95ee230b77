// FasterAPI serving a 20 KiB JSON document through compression() (zstd > br > gzip by Accept-Encoding).
import { compression } from "@fasterapi/compression";
import { App } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { makeJson } from "../lib/json-payload.mjs";

const doc = JSON.parse(makeJson(20 * 1024).toString());
const app = new App({ title: "bench", version: "1.0.0", logger: false, docs: false });
app.register(http1({ port: Number(process.env.PORT), host: "127.0.0.1" }));
app.register(compression());
app.get("/data", () => doc);
await app.listen();
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
