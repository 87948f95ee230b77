// GET /items/:id through FasterAPI with a PostgreSQL lookup via @fasterapi/pg-pool.
import { App, Depends, HTTPException } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { PgPool, pg } from "@fasterapi/pg-pool";
import { crudItem, crudParams } from "./crud-shapes.mjs";

const app = new App({ title: "bench", version: "1.0.0", logger: false, docs: false });
app.register(http1({ port: Number(process.env.PORT), host: "127.0.0.1" }));
app.register(pg({ url: process.env.BENCH_DATABASE_URL, max: 16 }));
app.get(
  "/items/:id",
  { params: crudParams, response: { 200: crudItem }, deps: { db: Depends(PgPool) } },
  async ({ params, deps }) => {
    const row = await deps.db.maybeOne("SELECT id, name, price FROM items WHERE id = $1", [params.id]);
    if (!row) throw new HTTPException(404, "Item not found");
    return row;
  },
);
await app.listen();
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
