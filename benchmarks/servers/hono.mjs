// Hono on @hono/node-server, with hand validation of the POST body (Hono has no built-in JSON Schema).
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { ROUTE_COUNT, routePath } from "./shapes.mjs";

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
  const ok =
    u &&
    typeof u.name === "string" &&
    u.name.length >= 1 &&
    u.name.length <= 100 &&
    Number.isInteger(u.age) &&
    u.age >= 0 &&
    u.age <= 150 &&
    typeof u.email === "string" &&
    u.email.length <= 200;
  if (!ok) return c.json({ detail: "invalid" }, 422);
  return c.json({ id: nextId++, name: u.name, age: u.age, tags: u.tags });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" });
