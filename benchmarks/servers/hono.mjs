// Hono on @hono/node-server, with hand validation of the POST body (Hono has no built-in JSON Schema).
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { isValidUser, ROUTE_COUNT, routePath } from "./shapes.mjs";

const app = new Hono();
app.get("/ping", (c) => c.json({ message: "pong" }));
for (let i = 0; i < ROUTE_COUNT; i++) {
  app.get(routePath(i), (c) => {
    const id = Number(c.req.param("id"));
    if (!Number.isInteger(id)) return c.json({ detail: "invalid id" }, 422);
    return c.json({ route: i, id, item: c.req.param("item") });
  });
}
let nextId = 1;
app.post("/users", async (c) => {
  const u = await c.req.json();
  if (!isValidUser(u)) return c.json({ detail: "invalid" }, 422);
  return c.json({ id: nextId++, name: u.name, age: u.age, tags: u.tags });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" });
