// FasterAPI on @fasterapi/http1; FASTERAPI_NATIVE=0 selects the node:http path, =1 the C++ engine.
import { App } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import {
  pingResponse,
  ROUTE_COUNT,
  routeParams,
  routePath,
  routeResponse,
  userBody,
  userResponse,
} from "./shapes.mjs";

const app = new App({ title: "bench", version: "1.0.0", logger: false, docs: false });
app.register(
  http1({
    port: Number(process.env.PORT),
    host: "127.0.0.1",
    // The connections suite holds idle keep-alive connections longer than the 5 s default.
    keepAliveTimeoutMs: Number(process.env.BENCH_KEEP_ALIVE_TIMEOUT_MS ?? 5000),
  }),
);

app.get("/ping", { response: { 200: pingResponse } }, () => ({ message: "pong" }));
for (let i = 0; i < ROUTE_COUNT; i++) {
  app.get(routePath(i), { params: routeParams, response: { 200: routeResponse } }, ({ params }) => ({
    route: i,
    id: params.id,
    item: params.item,
  }));
}
let nextId = 1;
app.post("/users", { body: userBody, response: { 200: userResponse } }, ({ body }) => ({
  id: nextId++,
  ...body,
}));

await app.listen();
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
