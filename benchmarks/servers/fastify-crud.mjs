// The same endpoint on Fastify + node-postgres (named prepared statement, same pool size).
import Fastify from "fastify";
import pg from "pg";
import { crudItem, crudParams } from "./crud-shapes.mjs";

const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 16 });
const app = Fastify({ logger: false });
app.get("/items/:id", { schema: { params: crudParams, response: { 200: crudItem } } }, async (req, reply) => {
  const { rows } = await pool.query({
    name: "item-by-id",
    text: "SELECT id, name, price FROM items WHERE id = $1",
    values: [req.params.id],
  });
  if (rows.length === 0) return reply.code(404).send({ detail: "Item not found" });
  return rows[0];
});
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.on("SIGTERM", () =>
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0)),
);
