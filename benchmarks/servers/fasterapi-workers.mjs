// FasterAPI under app.run({ workers }): GET /ping and the CRUD lookup GET /items/:id (pg-pool, max
// split across the workers), plus GET /__workers with every worker's stats for the scaling suite.
// BENCH_WORKERS_N workers; BENCH_MAX_REQUESTS_PER_SOCKET > 0 recycles keep-alive connections.
import { App } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { pg } from "@fasterapi/pg-pool";
import { addItemRoute } from "./fasterapi-item-route.mjs";
import { pingResponse } from "./shapes.mjs";

const app = new App({ title: "bench", version: "1.0.0", logger: false, docs: false });
app.register(
  http1({
    port: Number(process.env.PORT),
    host: "127.0.0.1",
    maxRequestsPerSocket: Number(process.env.BENCH_MAX_REQUESTS_PER_SOCKET ?? 0),
  }),
);
app.get("/ping", { response: { 200: pingResponse } }, () => ({ message: "pong" }));
if (process.env.BENCH_DATABASE_URL) {
  app.register(pg({ url: process.env.BENCH_DATABASE_URL, max: 16 }));
  addItemRoute(app);
}
app.get("/__workers", () => running.collectStats());

const running = await app.run({ workers: Number(process.env.BENCH_WORKERS_N ?? 1) });
