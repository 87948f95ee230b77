// GET /items/:id through FasterAPI with a PostgreSQL lookup via @fasterapi/pg-pool.
import { App } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { pg } from "@fasterapi/pg-pool";
import { addItemRoute } from "./fasterapi-item-route.mjs";

const app = new App({ title: "bench", version: "1.0.0", logger: false, docs: false });
app.register(http1({ port: Number(process.env.PORT), host: "127.0.0.1" }));
app.register(pg({ url: process.env.BENCH_DATABASE_URL, max: 16 }));
addItemRoute(app);
await app.listen();
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
