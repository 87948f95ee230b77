// Fastify 5 with the same schemas (ajv validation, fast-json-stringify serialization).
import Fastify from "fastify";
import {
  pingResponse,
  ROUTE_COUNT,
  routeParams,
  routePath,
  routeResponse,
  userBody,
  userResponse,
} from "./shapes.mjs";

const app = Fastify({
  logger: false,
  keepAliveTimeout: Number(process.env.BENCH_KEEP_ALIVE_TIMEOUT_MS ?? 72_000),
});
app.get("/ping", { schema: { response: { 200: pingResponse } } }, async () => ({ message: "pong" }));
for (let i = 0; i < ROUTE_COUNT; i++) {
  app.get(
    routePath(i),
    { schema: { params: routeParams, response: { 200: routeResponse } } },
    async (req) => ({
      route: i,
      id: req.params.id,
      item: req.params.item,
    }),
  );
}
let nextId = 1;
app.post("/users", { schema: { body: userBody, response: { 200: userResponse } } }, async (req) => ({
  id: nextId++,
  ...req.body,
}));
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
