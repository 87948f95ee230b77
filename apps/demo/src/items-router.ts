// /items: create, list (pagination + filters), get, update, delete — each a single SQL statement
// through the request's pooled connection; missing rows answer 404 the FastAPI way.
import { Depends, HTTPException, Router } from "@fasterapi/core";
import { PgPool } from "@fasterapi/pg-pool";
import { Type as t } from "@sinclair/typebox";
import { Item, ItemCreate, ItemId, ItemListQuery, ItemPage, ItemUpdate } from "./item-schemas.js";

const COLUMNS = `id, name, description, price::float8 AS price, tags,
  to_json(created_at) #>> '{}' AS "createdAt", to_json(updated_at) #>> '{}' AS "updatedAt"`;

const NotFound = t.Object({ detail: t.String() });

export function itemsRouter(): Router {
  const router = new Router({ prefix: "/items", tags: ["items"] });
  const db = Depends(PgPool);

  router.post(
    "/",
    { body: ItemCreate, response: { 201: Item }, deps: { db }, summary: "Create an item" },
    async ({ body, deps, reply }) => {
      reply.status(201);
      return deps.db.one(
        `INSERT INTO items (name, description, price, tags) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
        [body.name, body.description ?? null, body.price, body.tags ?? []],
      );
    },
  );

  router.get(
    "/",
    { query: ItemListQuery, response: { 200: ItemPage }, deps: { db }, summary: "List items, newest first" },
    async ({ query, deps }) => {
      const where: string[] = [];
      const args: unknown[] = [];
      if (query.q !== undefined) {
        args.push(`%${query.q.toLowerCase()}%`);
        where.push(`lower(name) LIKE $${args.length}`);
      }
      if (query.tag !== undefined) {
        args.push(query.tag);
        where.push(`$${args.length} = ANY(tags)`);
      }
      if (query.minPrice !== undefined) {
        args.push(query.minPrice);
        where.push(`price >= $${args.length}`);
      }
      if (query.maxPrice !== undefined) {
        args.push(query.maxPrice);
        where.push(`price <= $${args.length}`);
      }
      const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
      const [page, count] = await Promise.all([
        deps.db.query(
          `SELECT ${COLUMNS} FROM items ${filter} ORDER BY id DESC LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
          [...args, query.limit, query.offset],
        ),
        deps.db.one(`SELECT count(*)::int AS total FROM items ${filter}`, args),
      ]);
      return {
        items: page.rows,
        total: (count as { total: number }).total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  );

  router.get(
    "/:id",
    { params: ItemId, response: { 200: Item, 404: NotFound }, deps: { db }, summary: "Get one item" },
    async ({ params, deps }) => {
      const row = await deps.db.maybeOne(`SELECT ${COLUMNS} FROM items WHERE id = $1`, [params.id]);
      if (!row) throw new HTTPException(404, "Item not found");
      return row;
    },
  );

  router.patch(
    "/:id",
    {
      params: ItemId,
      body: ItemUpdate,
      response: { 200: Item, 404: NotFound },
      deps: { db },
      summary: "Update some fields",
    },
    async ({ params, body, deps }) => {
      const row = await deps.db.maybeOne(
        `UPDATE items SET
           name = COALESCE($2, name),
           description = CASE WHEN $3 THEN $4 ELSE description END,
           price = COALESCE($5, price),
           tags = COALESCE($6, tags),
           updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [
          params.id,
          body.name ?? null,
          "description" in body,
          body.description ?? null,
          body.price ?? null,
          body.tags ?? null,
        ],
      );
      if (!row) throw new HTTPException(404, "Item not found");
      return row;
    },
  );

  router.delete(
    "/:id",
    { params: ItemId, response: { 404: NotFound }, deps: { db }, summary: "Delete an item" },
    async ({ params, deps, reply }) => {
      const result = await deps.db.query("DELETE FROM items WHERE id = $1", [params.id]);
      if (result.rowCount === 0) throw new HTTPException(404, "Item not found");
      reply.status(204);
      return undefined;
    },
  );

  return router;
}
