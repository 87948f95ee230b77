// GET /items/:id, the CRUD benchmark's route for the FasterAPI servers: a primary-key lookup
// through the app's PgPool.
import { Depends, HTTPException } from "@fasterapi/core";
import { PgPool } from "@fasterapi/pg-pool";
import { crudItem, crudParams } from "./crud-shapes.mjs";

export function addItemRoute(app) {
  app.get(
    "/items/:id",
    { params: crudParams, response: { 200: crudItem }, deps: { db: Depends(PgPool) } },
    async ({ params, deps }) => {
      const row = await deps.db.maybeOne("SELECT id, name, price FROM items WHERE id = $1", [params.id]);
      if (!row) throw new HTTPException(404, "Item not found");
      return row;
    },
  );
}
